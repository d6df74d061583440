"""SGD: the update rule with and without momentum, zero_grad, and argument checks."""

# Hypothesis tests run with deadline=None: on a shared machine, time per example
# measures the load, not the code.

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annlib import Value
from annlib.nn import MLP
from annlib.optim import SGD

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
])
def test_bad_arguments_are_errors_saying_what_was_expected(params, kwargs, error, message):
    with pytest.raises(error, match=message):
        SGD(params, **kwargs)
