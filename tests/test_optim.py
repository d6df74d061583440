"""SGD and Adam: their updates against ones computed by hand, zero_grad, argument checks."""

# Hypothesis tests run with deadline=None: on a shared machine, time per example
# measures the load, not the code.

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annlib import Value
from annlib.data import load_digits
from annlib.nn import MLP
from annlib.optim import SGD, Adam
from annlib.tensor import MLP as TensorMLP
from annlib.tensor import Tensor, cross_entropy

finite = st.floats(-100, 100, allow_nan=False)


@settings(deadline=None)
@given(st.lists(st.tuples(finite, finite), min_size=1, max_size=5), st.floats(0, 10))
def test_a_step_moves_every_parameter_by_minus_lr_times_its_gradient(pairs, lr):
    params = [Value(data) for data, _ in pairs]
    for p, (_, grad) in zip(params, pairs):
        p.grad = grad
    SGD(params, lr=lr).step()
    assert [p.data for p in params] == [data - lr * grad for data, grad in pairs]


def test_momentum_keeps_a_velocity_as_pytorch_does():
    w = Value(1.0)
    optimizer = SGD([w], lr=0.1, momentum=0.9)
    expected, velocity = 1.0, 0.0
    for grad in [2.0, -1.0, 0.5, 0.5]:
        w.grad = grad
        optimizer.step()
        velocity = 0.9 * velocity + grad  # v = mu v + g;  w = w - lr v
        expected -= 0.1 * velocity
        assert w.data == expected


def test_zero_grad_clears_the_gradients_of_its_parameters_only():
    a, b, other = Value(1.0), Value(2.0), Value(3.0)
    for v in (a, b, other):
        v.grad = 5.0
    SGD([a, b], lr=0.1).zero_grad()
    assert (a.grad, b.grad, other.grad) == (0.0, 0.0, 5.0)


def test_gradient_descent_finds_the_minimum_of_a_parabola():
    w = Value(-4.0)
    optimizer = SGD([w], lr=0.1)
    for _ in range(200):
        optimizer.zero_grad()
        ((w - 3) ** 2).backward()
        optimizer.step()
    assert w.data == pytest.approx(3.0, abs=1e-12)


def test_forgetting_zero_grad_makes_gradients_pile_up():
    w = Value(0.0)
    optimizer = SGD([w], lr=0.0)
    for _ in range(3):
        (2 * w).backward()
        optimizer.step()
    assert w.grad == 6.0


def test_sgd_takes_a_models_parameters_from_any_iterable():
    model = MLP(2, [3, 1], random_state=0)
    optimizer = SGD(iter(model.parameters()), lr=0.5)
    assert len(optimizer.params) == 13
    assert repr(optimizer) == "SGD(13 parameters, lr=0.5, momentum=0)"


@pytest.mark.parametrize("params, kwargs, error, message", [
    ([], {"lr": 0.1}, ValueError, "non-empty list of parameters"),
    ([1.0], {"lr": 0.1}, TypeError, "expects Values or Tensors as parameters, got float"),
    ([Value(1.0)], {"lr": -0.1}, ValueError, "non-negative number for lr, got -0.1"),
    ([Value(1.0)], {"lr": "0.1"}, ValueError, "for lr, got '0.1'"),
    ([Value(1.0)], {"lr": True}, ValueError, "for lr, got True"),
    ([Value(1.0)], {"lr": 0.1, "momentum": -0.5}, ValueError, "for momentum, got -0.5"),
    ([Value(1.0)], {"lr": 0.1, "weight_decay": -1e-4}, ValueError,
     "non-negative number for weight_decay, got -0.0001"),
])
def test_bad_arguments_are_errors_saying_what_was_expected(params, kwargs, error, message):
    with pytest.raises(error, match=message):
        SGD(params, **kwargs)


# --- weight decay --------------------------------------------------------------------------

def test_weight_decay_adds_lambda_times_w_to_the_gradient_before_the_step():
    w = Value(2.0)
    optimizer = SGD([w], lr=0.1, weight_decay=0.5)
    expected = 2.0
    for grad in [1.0, -3.0, 0.25]:
        w.grad = grad
        optimizer.step()
        expected -= 0.1 * (grad + 0.5 * expected)   # g = dL/dw + lambda w
        assert w.data == expected


def test_weight_decay_enters_the_velocity_with_momentum_as_pytorch_does():
    w = Value(-1.0)
    optimizer = SGD([w], lr=0.05, momentum=0.9, weight_decay=0.1)
    expected, velocity = -1.0, 0.0
    for grad in [0.5, 0.5, -2.0, 1.0, 0.0]:
        w.grad = grad
        optimizer.step()
        velocity = 0.9 * velocity + (grad + 0.1 * expected)   # decay before momentum
        expected -= 0.05 * velocity
        assert w.data == expected


def test_weight_decay_alone_shrinks_a_weight_geometrically():
    w = Value(1.0)
    optimizer = SGD([w], lr=0.1, weight_decay=0.5)
    for _ in range(10):
        w.grad = 0.0                                # no loss gradient: only the L2 term
        optimizer.step()
    assert w.data == pytest.approx((1 - 0.1 * 0.5) ** 10, rel=1e-15)


def test_weight_decay_is_the_gradient_of_half_lambda_w_squared():
    # SGD(weight_decay=lambda) on L equals plain SGD on L + (lambda/2) w^2, step by step
    a, b = Value(1.5), Value(1.5)
    decayed, explicit = SGD([a], lr=0.1, weight_decay=0.2), SGD([b], lr=0.1)
    for _ in range(5):
        for w, optimizer, loss in ((a, decayed, (a - 3) ** 2),
                                   (b, explicit, (b - 3) ** 2 + 0.1 * b ** 2)):
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        assert a.data == pytest.approx(b.data, rel=1e-14)


def test_sgd_repr_names_weight_decay_only_when_it_is_used():
    assert repr(SGD([Value(1.0)], lr=0.1, weight_decay=0.01)) == \
        "SGD(1 parameters, lr=0.1, momentum=0, weight_decay=0.01)"


# --- Adam ----------------------------------------------------------------------------------

def adam_by_hand(w, grads, lr, beta1, beta2, eps, weight_decay=0.0):
    """Every intermediate value of Adam, written out step by step (the reference)."""
    m = v = 0.0
    ws = []
    for t, grad in enumerate(grads, start=1):
        g = grad + weight_decay * w
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g ** 2
        m_hat = m / (1 - beta1 ** t)
        v_hat = v / (1 - beta2 ** t)
        w = w - lr * m_hat / (math.sqrt(v_hat) + eps)
        ws.append(w)
    return ws


@pytest.mark.parametrize("lr, betas, eps, weight_decay", [
    (0.001, (0.9, 0.999), 1e-8, 0.0),
    (0.1, (0.8, 0.99), 1e-3, 0.0),
    (0.05, (0.9, 0.999), 1e-8, 0.01),
    (0.2, (0.0, 0.5), 0.1, 0.3),
])
def test_adam_follows_the_update_written_by_hand_for_several_steps(lr, betas, eps, weight_decay):
    grads = [0.5, -1.0, 2.0, 2.0, 0.0, -0.3, 1e-3]
    w = Value(0.7)
    optimizer = Adam([w], lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
    expected = adam_by_hand(0.7, grads, lr, *betas, eps, weight_decay)
    for grad, want in zip(grads, expected):
        w.grad = grad
        optimizer.step()
        assert w.data == pytest.approx(want, rel=1e-14, abs=1e-15)


def test_adam_first_step_moves_each_parameter_by_lr_whatever_its_gradient_size():
    # m_hat = g and v_hat = g^2 at t = 1, so the step is lr * g / (|g| + eps)
    params = [Value(0.0) for _ in range(4)]
    for p, grad in zip(params, [1e-4, 3.0, -250.0, 1e6]):
        p.grad = grad
    Adam(params, lr=0.01, eps=0.0).step()
    assert [p.data for p in params] == pytest.approx([-0.01, -0.01, 0.01, -0.01], rel=1e-15)


def test_adam_keeps_separate_moments_for_each_parameter():
    a, b = Value(1.0), Value(-2.0)
    optimizer = Adam([a, b], lr=0.1, betas=(0.9, 0.99))
    grads_a, grads_b = [1.0, 1.0, -1.0], [-4.0, 0.5, 0.5]
    for ga, gb in zip(grads_a, grads_b):
        a.grad, b.grad = ga, gb
        optimizer.step()
    assert a.data == pytest.approx(adam_by_hand(1.0, grads_a, 0.1, 0.9, 0.99, 1e-8)[-1], rel=1e-14)
    assert b.data == pytest.approx(adam_by_hand(-2.0, grads_b, 0.1, 0.9, 0.99, 1e-8)[-1], rel=1e-14)


def test_adam_finds_the_minimum_of_a_parabola():
    w = Value(-4.0)
    optimizer = Adam([w], lr=0.1)
    for _ in range(500):
        optimizer.zero_grad()
        ((w - 3) ** 2).backward()
        optimizer.step()
    assert w.data == pytest.approx(3.0, abs=1e-3)


def test_adam_zero_grad_resets_value_gradients_to_zero():
    w = Value(1.0)
    w.grad = 4.0
    Adam([w]).zero_grad()
    assert w.grad == 0.0


def test_adam_repr_shows_its_settings():
    assert repr(Adam([Value(1.0), Value(2.0)], lr=0.01)) == \
        "Adam(2 parameters, lr=0.01, betas=(0.9, 0.999), eps=1e-08)"


@pytest.mark.parametrize("params, kwargs, error, message", [
    ([], {}, ValueError, "non-empty list of parameters"),
    ([1.0], {}, TypeError, "expects Values or Tensors as parameters, got float"),
    ([Value(1.0)], {"lr": -0.1}, ValueError, "non-negative number for lr, got -0.1"),
    ([Value(1.0)], {"lr": "0.1"}, ValueError, "for lr, got '0.1'"),
    ([Value(1.0)], {"betas": (1.0, 0.999)}, ValueError, r"number in \[0, 1\) for beta1, got 1.0"),
    ([Value(1.0)], {"betas": (0.9, -0.1)}, ValueError, r"number in \[0, 1\) for beta2, got -0.1"),
    ([Value(1.0)], {"betas": 0.9}, ValueError, r"a pair \(beta1, beta2\), got 0.9"),
    ([Value(1.0)], {"eps": -1e-8}, ValueError, "non-negative number for eps, got -1e-08"),
    ([Value(1.0)], {"weight_decay": -0.1}, ValueError, "for weight_decay, got -0.1"),
    ([Value(1.0)], {"lr": float("nan")}, ValueError, "for lr, got nan"),
])
def test_bad_adam_arguments_are_errors_saying_what_was_expected(params, kwargs, error, message):
    with pytest.raises(error, match=message):
        Adam(params, **kwargs)


# --- Tensor parameters ---------------------------------------------------------------------

def test_adam_updates_a_tensor_elementwise_as_the_update_written_by_hand():
    start = np.array([[0.5, -1.0], [2.0, 0.0]])
    grads = [np.array([[1.0, -2.0], [0.0, 3.0]]), np.array([[0.5, 0.5], [-1.0, 1e-4]]),
             np.array([[-2.0, 1.0], [4.0, 0.0]])]
    w = Tensor(start.copy(), requires_grad=True)
    optimizer = Adam([w], lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)
    for step, grad in enumerate(grads):
        w.grad = grad.copy()
        optimizer.step()
        for index in np.ndindex(start.shape):   # each element follows its own scalar Adam
            expected = adam_by_hand(start[index], [g[index] for g in grads[:step + 1]],
                                    0.05, 0.8, 0.99, 1e-6, 0.1)[-1]
            assert w.data[index] == pytest.approx(expected, rel=1e-14, abs=1e-15)


def test_sgd_with_momentum_and_weight_decay_updates_a_tensor_as_written_by_hand():
    w = Tensor(np.array([1.0, -2.0, 0.5]), requires_grad=True)
    optimizer = SGD([w], lr=0.1, momentum=0.9, weight_decay=0.01)
    expected, velocity = np.array([1.0, -2.0, 0.5]), np.zeros(3)
    for grad in ([0.2, -0.1, 0.0], [1.0, 1.0, 1.0], [-0.5, 0.0, 2.0]):
        w.grad = np.array(grad)
        optimizer.step()
        velocity = 0.9 * velocity + (np.array(grad) + 0.01 * expected)
        expected = expected - 0.1 * velocity
        np.testing.assert_allclose(w.data, expected, rtol=1e-15, atol=0)


def test_adam_and_sgd_leave_a_tensor_without_gradient_alone():
    reached, missed = Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True)
    for optimizer in (Adam([reached, missed], lr=0.1),
                      SGD([reached, missed], lr=0.1, weight_decay=0.5)):
        optimizer.zero_grad()
        assert reached.grad is None and missed.grad is None
        reached.grad = np.array([1.0])
        optimizer.step()
        assert missed.data.tolist() == [2.0]
    assert optimizer.velocity[1] == 0.0


def test_adam_trains_a_tensor_mlp_on_the_digits_below_a_tenth_of_its_starting_loss():
    X, y = load_digits()
    X = (X - X.mean(axis=0)) / np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
    model = TensorMLP(64, [32, 10], random_state=0)
    optimizer = Adam(model.parameters(), lr=0.01)
    losses = []
    for _ in range(50):
        loss = cross_entropy(model(X[:500]), y[:500])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss.data))
    assert losses[-1] < losses[0] / 10
