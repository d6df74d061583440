"""Loss functions: gradients against finite differences, values against closed forms,
stability at extreme inputs, and clear errors for mismatched arguments."""

# Hypothesis tests run with deadline=None: on a shared machine, time per example
# measures the load, not the code.

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from annlib import Value
from annlib.losses import (binary_cross_entropy, binary_cross_entropy_with_logits,
                           cross_entropy, hinge, log_softmax, mse, softmax)
from gradcheck import analytic_gradients, assert_gradients_match


def floats(low, high):
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def _sigmoid(x):
    if x < 0:  # the same function, without overflow for very negative x
        return math.exp(x) / (1 + math.exp(x))
    return 1 / (1 + math.exp(-x))


# --- gradients against central finite differences (tolerance: see gradcheck.py) ----

@settings(deadline=None)
@given(st.integers(1, 5).flatmap(lambda n: st.tuples(
    st.lists(floats(-10, 10), min_size=n, max_size=n),
    st.lists(floats(-10, 10), min_size=n, max_size=n))))
def test_mse_gradient_matches_finite_differences(case):
    y_pred, y = case
    assert_gradients_match(lambda v: mse(v, y), y_pred)


@settings(deadline=None)
@given(st.integers(1, 5).flatmap(lambda n: st.tuples(
    st.lists(floats(0.01, 0.99), min_size=n, max_size=n),
    st.lists(floats(0, 1), min_size=n, max_size=n))))
def test_binary_cross_entropy_gradient_matches_finite_differences(case):
    p, y = case  # soft labels in [0, 1] included
    assert_gradients_match(lambda v: binary_cross_entropy(v, y), p)


@settings(deadline=None)
@given(st.integers(1, 5).flatmap(lambda n: st.tuples(
    st.lists(floats(-30, 30), min_size=n, max_size=n),
    st.lists(floats(0, 1), min_size=n, max_size=n))))
def test_binary_cross_entropy_with_logits_gradient_matches_finite_differences(case):
    z, y = case
    assert_gradients_match(lambda v: binary_cross_entropy_with_logits(v, y), z)


@settings(deadline=None)
@given(st.integers(2, 6).flatmap(lambda k: st.tuples(
    st.lists(floats(-20, 20), min_size=k, max_size=k), st.integers(0, k - 1))))
def test_cross_entropy_of_one_example_gradient_matches_finite_differences(case):
    logits, target = case
    assert_gradients_match(lambda v: cross_entropy(v, target), logits)


@settings(deadline=None)
@given(st.integers(1, 4), st.integers(2, 4), st.data())
def test_cross_entropy_of_a_batch_gradient_matches_finite_differences(n, k, data):
    flat = data.draw(st.lists(floats(-20, 20), min_size=n * k, max_size=n * k))
    targets = data.draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n))
    assert_gradients_match(
        lambda v: cross_entropy([v[i * k:(i + 1) * k] for i in range(n)], targets), flat)


@settings(deadline=None)
@given(st.integers(1, 6).flatmap(lambda k: st.tuples(
    st.lists(floats(-20, 20), min_size=k, max_size=k),
    st.lists(floats(-2, 2), min_size=k, max_size=k))))
def test_softmax_and_log_softmax_gradients_match_finite_differences(case):
    logits, weights = case  # a weighted sum of the outputs involves every partial derivative
    assert_gradients_match(lambda v: sum(c * p for c, p in zip(weights, softmax(v))), logits)
    assert_gradients_match(lambda v: sum(c * p for c, p in zip(weights, log_softmax(v))), logits)


@settings(deadline=None)
@given(st.integers(1, 5).flatmap(lambda n: st.tuples(
    st.lists(floats(-5, 5), min_size=n, max_size=n),
    st.lists(st.sampled_from([-1, 1]), min_size=n, max_size=n))))
def test_hinge_gradient_matches_finite_differences(case):
    scores, y = case
    assume(all(abs(1 - t * s) > 1e-3 for s, t in zip(scores, y)))  # away from the kink
    assert_gradients_match(lambda v: hinge(v, y), scores)


# --- values and gradients in closed form ---------------------------------------------

def test_mse_is_the_mean_of_squared_errors_with_gradient_2_over_n_times_the_error():
    loss, grads = analytic_gradients(lambda v: mse(v, [3.0, -1.0]), [2.0, 1.0])
    assert loss == (1 + 4) / 2
    assert grads == [2 * (2.0 - 3.0) / 2, 2 * (1.0 + 1.0) / 2]
    assert mse(Value(2.0), 3.0).data == 1.0


def test_binary_cross_entropy_closed_forms():
    assert binary_cross_entropy([0.5], [1]).data == pytest.approx(math.log(2), rel=1e-15)
    loss, (grad,) = analytic_gradients(lambda v: binary_cross_entropy(v, [0.0]), [0.8])
    assert loss == pytest.approx(-math.log(0.2), rel=1e-15)
    assert grad == pytest.approx(1 / 0.2, rel=1e-12)  # dL/dp = (p - y) / (p (1 - p))


def _softplus(x):
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


@settings(deadline=None)
@given(floats(-30, 30), floats(0, 1))
def test_bce_with_logits_is_softplus_based_with_gradient_sigmoid_minus_y(z, y):
    loss, (grad,) = analytic_gradients(lambda v: binary_cross_entropy_with_logits(v, [y]), [z])
    # -ln sigmoid(z) = softplus(-z) and -ln(1 - sigmoid(z)) = softplus(z)
    assert loss == pytest.approx(y * _softplus(-z) + (1 - y) * _softplus(z), rel=1e-12, abs=1e-15)
    assert grad == pytest.approx(_sigmoid(z) - y, rel=1e-9, abs=1e-15)
    if abs(z) < 10:  # where the plain formula on p = sigmoid(z) is accurate too
        p = _sigmoid(z)
        assert loss == pytest.approx(-(y * math.log(p) + (1 - y) * math.log(1 - p)), rel=1e-9)


@settings(deadline=None)
@given(st.integers(2, 6).flatmap(lambda k: st.tuples(
    st.lists(floats(-50, 50), min_size=k, max_size=k), st.integers(0, k - 1))))
def test_cross_entropy_gradient_is_softmax_minus_one_hot(case):
    logits, target = case
    loss, grads = analytic_gradients(lambda v: cross_entropy(v, target), logits)
    p = [q.data for q in softmax(logits)]
    assert loss == pytest.approx(-log_softmax(logits)[target].data, rel=1e-12)
    assert grads == pytest.approx([p_k - (k == target) for k, p_k in enumerate(p)], abs=1e-12)


def test_cross_entropy_of_equal_logits_is_log_of_the_number_of_classes():
    assert cross_entropy([0.0, 0.0, 0.0], 2).data == pytest.approx(math.log(3), rel=1e-15)
    assert cross_entropy([[5.0, 5.0], [1.0, 1.0]], [0, 1]).data == pytest.approx(math.log(2),
                                                                                  rel=1e-15)


def test_softmax_and_log_softmax_closed_forms():
    z = [1.0, 2.0, 3.0]
    total = sum(math.exp(v) for v in z)
    assert [p.data for p in softmax(z)] == pytest.approx([math.exp(v) / total for v in z],
                                                         rel=1e-15)
    assert [q.data for q in log_softmax(z)] == pytest.approx([v - math.log(total) for v in z],
                                                             rel=1e-15)


@settings(deadline=None)
@given(st.lists(floats(-1e100, 1e100), min_size=1, max_size=8))
def test_softmax_is_a_probability_distribution_for_any_finite_logits(logits):
    p = [q.data for q in softmax(logits)]
    assert all(0.0 <= q <= 1.0 for q in p)
    assert math.fsum(p) == pytest.approx(1.0, abs=1e-12)
    assert max(p) == p[logits.index(max(logits))]


@pytest.mark.parametrize("logits, target, expected", [
    ([1000.0, -1000.0], 0, 0.0),
    ([1000.0, -1000.0], 1, 2000.0),
    ([-1000.0, -1000.0], 0, math.log(2)),
    ([1000.0, 1000.0, 1000.0], 1, math.log(3)),
])
def test_cross_entropy_and_softmax_stay_finite_at_logits_of_1000(logits, target, expected):
    loss, grads = analytic_gradients(lambda v: cross_entropy(v, target), logits)
    assert loss == pytest.approx(expected, rel=1e-15, abs=1e-15)
    assert all(math.isfinite(g) for g in grads)
    probabilities = [p.data for p in softmax(logits)]
    assert all(math.isfinite(p) for p in probabilities)
    assert math.fsum(probabilities) == pytest.approx(1.0, rel=1e-15)


@pytest.mark.parametrize("z, y, expected", [(1000.0, 1.0, 0.0), (1000.0, 0.0, 1000.0),
                                            (-1000.0, 0.0, 0.0), (-1000.0, 1.0, 1000.0)])
def test_bce_with_logits_stays_exact_and_finite_at_1000(z, y, expected):
    loss, (grad,) = analytic_gradients(lambda v: binary_cross_entropy_with_logits(v, [y]), [z])
    assert loss == expected
    assert grad == _sigmoid(z) - y


@pytest.mark.parametrize("p, y", [(0.0, 1.0), (1.0, 0.0)])
def test_bce_of_a_certain_mistake_is_large_but_finite(p, y):
    loss, (grad,) = analytic_gradients(lambda v: binary_cross_entropy(v, [y]), [p])
    assert loss == pytest.approx(-math.log(1e-12), rel=1e-6)
    assert math.isfinite(grad) and grad != 0.0


def test_hinge_is_zero_beyond_the_margin_and_linear_inside_it():
    loss, grads = analytic_gradients(lambda v: hinge(v, [1, -1, 1]), [2.0, -0.5, -1.0])
    assert loss == pytest.approx((0 + 0.5 + 2.0) / 3, rel=1e-15)
    assert grads == pytest.approx([0.0, 1 / 3, -1 / 3], rel=1e-15)


def test_losses_average_over_examples():
    one = cross_entropy([0.3, -1.2, 2.0], 1).data
    assert cross_entropy([[0.3, -1.2, 2.0]] * 4, [1] * 4).data == pytest.approx(one, rel=1e-15)
    assert mse([1.0, 1.0], [0.0, 0.0]).data == mse([1.0], [0.0]).data


def test_losses_accept_numpy_arrays_and_scalars():
    np = pytest.importorskip("numpy")
    assert mse([Value(1.0), Value(2.0)], np.array([0, 2])).data == 0.5
    assert hinge([Value(0.5)], np.array([1])).data == 0.5
    assert cross_entropy([[0.0, 0.0]], np.array([1])).data == pytest.approx(math.log(2))


# --- errors ----------------------------------------------------------------------------

@pytest.mark.parametrize("call, message", [
    (lambda: mse([1.0, 2.0], [1.0]), "2 predictions and 1 targets"),
    (lambda: mse([], []), "at least one"),
    (lambda: binary_cross_entropy([0.5], [1, 0]), "1 predictions and 2 targets"),
    (lambda: binary_cross_entropy_with_logits([0.5, 0.2], [1]), "2 predictions and 1 targets"),
    (lambda: cross_entropy([1.0, 2.0], 2), "out of range for 2 logits"),
    (lambda: cross_entropy([1.0, 2.0], -1), "out of range"),
    (lambda: cross_entropy([1.0, 2.0], 0.5), "class indices"),
    (lambda: cross_entropy([[1.0, 2.0]] * 3, [0, 1]), "3 examples and 2 targets"),
    (lambda: hinge([1.0], [0]), "labels -1 or \\+1, got 0"),
    (lambda: log_softmax([]), "at least one logit"),
])
def test_mismatched_arguments_are_value_errors_that_say_what_was_expected(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_a_non_sequence_is_a_type_error():
    with pytest.raises(TypeError, match="got NoneType"):
        mse(None, [1.0])
