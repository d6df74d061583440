"""annlib.tensor: every operation's gradient, the semantics of backward(), modules, errors.

Gradients are checked against central finite differences in float64 (gradcheck.py
states the tolerance), with Hypothesis drawing shapes (broadcasting and size-1
axes included) and values kept away from kinks and domain edges; a small network
is checked against the scalar engine with the same weights.
"""

# Hypothesis tests run with deadline=None: on a shared machine, time per example
# measures the load, not the code.

import gc
import math
import warnings
import weakref

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import annlib.nn
import annlib.tensor
from annlib import Value
from annlib.losses import cross_entropy as scalar_cross_entropy
from annlib.optim import SGD
from annlib.tensor import (MLP, Dropout, Linear, Tensor, cross_entropy, linear,
                           log_softmax)
from gradcheck import assert_tensor_gradients_match

SETTINGS = settings(deadline=None, max_examples=40)


def arrays(shape, low=-2.0, high=2.0):
    return hnp.arrays(np.float64, shape, elements=st.floats(low, high, allow_nan=False,
                                                            allow_infinity=False))


def away_from_zero(shape, low=0.2, high=2.0):
    """Arrays whose elements have low <= |x| <= high (either sign)."""
    return st.tuples(arrays(shape, low, high), hnp.arrays(np.bool_, shape)).map(
        lambda t: np.where(t[1], -t[0], t[0]))


# shapes of up to 3 axes of sizes 1 to 3 (so size-1 axes come up often)
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)
pairs_of_shapes = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                    min_side=1, max_side=3)


# --- gradients against finite differences --------------------------------------------

BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}


@pytest.mark.parametrize("op", BINARY)
@SETTINGS
@given(data=st.data())
def test_binary_operator_gradients_match_finite_differences_under_broadcasting(op, data):
    shape_a, shape_b = data.draw(pairs_of_shapes).input_shapes
    a = data.draw(arrays(shape_a))
    b = data.draw(away_from_zero(shape_b) if op == "/" else arrays(shape_b))
    assert_tensor_gradients_match(lambda t: BINARY[op](t[0], t[1]), [a, b])


@pytest.mark.parametrize("op", BINARY)
@SETTINGS
@given(data=st.data())
def test_binary_operator_with_a_constant_on_either_side_differentiates_the_tensor(op, data):
    shape_a, shape_b = data.draw(pairs_of_shapes).input_shapes
    x = data.draw(away_from_zero(shape_a))
    constant = data.draw(away_from_zero(shape_b))
    number = data.draw(st.floats(0.5, 2.0))
    f = BINARY[op]
    assert_tensor_gradients_match(lambda t: f(t[0], constant), [x])   # Tensor op array
    assert_tensor_gradients_match(lambda t: f(constant, t[0]), [x])   # array op Tensor
    assert_tensor_gradients_match(lambda t: f(number, t[0]), [x])     # number op Tensor
    assert_tensor_gradients_match(lambda t: f(t[0], number), [x])     # Tensor op number


UNARY = {
    # name: (function of a Tensor, strategy for its data given a shape)
    "neg": (lambda x: -x, arrays),
    "** 2": (lambda x: x ** 2, arrays),
    "** 3": (lambda x: x ** 3, arrays),
    "** -1": (lambda x: x ** -1, away_from_zero),
    "** 0.5": (lambda x: x ** 0.5, lambda s: arrays(s, 0.2, 3.0)),
    "** 0": (lambda x: x ** 0, arrays),
    "exp": (lambda x: x.exp(), arrays),
    "log": (lambda x: x.log(), lambda s: arrays(s, 0.2, 3.0)),
    "tanh": (lambda x: x.tanh(), arrays),
    "sigmoid": (lambda x: x.sigmoid(), lambda s: arrays(s, -6.0, 6.0)),
    "relu": (lambda x: x.relu(), away_from_zero),
    "leaky_relu": (lambda x: x.leaky_relu(0.1), away_from_zero),
    "sum()": (lambda x: x.sum(), arrays),
    "mean()": (lambda x: x.mean(), arrays),
    "reshape(-1)": (lambda x: x.reshape(-1), arrays),
    ".T": (lambda x: x.T, arrays),
    "log_softmax": (lambda x: log_softmax(x), arrays),
}


@pytest.mark.parametrize("name", UNARY)
@SETTINGS
@given(data=st.data())
def test_function_of_one_tensor_gradient_matches_finite_differences(name, data):
    f, values = UNARY[name]
    shape = data.draw(shapes if name != "log_softmax" else
                      hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    assert_tensor_gradients_match(lambda t: f(t[0]), [data.draw(values(shape))])


@SETTINGS
@given(data=st.data())
def test_sum_and_mean_over_any_axes_with_or_without_keepdims_match_finite_differences(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    axis = data.draw(st.none() | hnp.valid_tuple_axes(len(shape), min_size=1)
                     | st.integers(-len(shape), len(shape) - 1))
    keepdims = data.draw(st.booleans())
    x = data.draw(arrays(shape))
    for method in ("sum", "mean"):
        assert_tensor_gradients_match(
            lambda t: getattr(t[0], method)(axis=axis, keepdims=keepdims), [x])
        expected = getattr(np, method)(x, axis=axis, keepdims=keepdims)
        assert np.allclose(getattr(Tensor(x), method)(axis=axis, keepdims=keepdims).data,
                           expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("index", [
    0, -1, (slice(None), 1), (slice(1, None), slice(None, None, -1)),
    (np.array([0, 2, 2, 1]), np.array([1, 0, 0, 1])),  # (2, 0) picked twice
])
def test_indexing_matches_finite_differences_and_numpy(index):
    x = np.random.default_rng(3).normal(size=(3, 2))
    assert_tensor_gradients_match(lambda t: t[0][index], [x])
    assert np.array_equal(Tensor(x)[index].data, x[index])


@SETTINGS
@given(data=st.data())
def test_log_softmax_along_any_axis_matches_finite_differences(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = data.draw(arrays(shape))
    assert_tensor_gradients_match(lambda t: log_softmax(t[0], axis=axis), [x])


@SETTINGS
@given(data=st.data(), left=st.sampled_from([1, 2]), right=st.sampled_from([1, 2]))
def test_matrix_product_of_1d_and_2d_operands_matches_finite_differences(data, left, right):
    n, k, m = (data.draw(st.integers(1, 4)) for _ in range(3))
    a = data.draw(arrays((k,) if left == 1 else (n, k)))
    b = data.draw(arrays((k,) if right == 1 else (k, m)))
    assert_tensor_gradients_match(lambda t: t[0] @ t[1], [a, b])
    assert np.allclose((Tensor(a) @ Tensor(b)).data, a @ b, rtol=1e-12, atol=1e-12)


@SETTINGS
@given(data=st.data(), with_bias=st.booleans(), one_example=st.booleans())
def test_linear_is_x_times_w_transposed_plus_b_with_matching_gradients(data, with_bias,
                                                                       one_example):
    n, nin, nout = (data.draw(st.integers(1, 4)) for _ in range(3))
    x = data.draw(arrays((nin,) if one_example else (n, nin)))
    W = data.draw(arrays((nout, nin)))
    b = data.draw(arrays((nout,)))
    if with_bias:
        assert_tensor_gradients_match(lambda t: linear(t[0], t[1], t[2]), [x, W, b])
        composed = (Tensor(x) @ Tensor(W).T + Tensor(b)).data
        assert np.allclose(linear(Tensor(x), Tensor(W), Tensor(b)).data, composed, rtol=1e-12)
    else:
        assert_tensor_gradients_match(lambda t: linear(t[0], t[1]), [x, W])


@SETTINGS
@given(data=st.data())
def test_cross_entropy_gradient_matches_finite_differences_and_p_minus_y_over_n(data):
    n, K = data.draw(st.integers(1, 5)), data.draw(st.integers(2, 5))
    z = data.draw(arrays((n, K), -5.0, 5.0))
    y = np.array(data.draw(st.lists(st.integers(0, K - 1), min_size=n, max_size=n)))
    assert_tensor_gradients_match(lambda t: cross_entropy(t[0], y), [z])
    logits = Tensor(z, requires_grad=True)
    cross_entropy(logits, y).backward()
    P = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    Y = np.eye(K)[y]
    assert np.allclose(logits.grad, (P - Y) / n, rtol=1e-12, atol=1e-15)


def test_a_composite_expression_reusing_tensors_matches_finite_differences():
    rng = np.random.default_rng(0)
    x, W, b = rng.normal(size=(4, 3)), rng.normal(size=(2, 3)), rng.normal(size=(2,))

    def f(t):
        x, W, b = t
        z = x @ W.T + b                          # (4, 2)
        a = z.tanh() * z.sigmoid() + z.relu()    # z used three times
        return (a / (1 + a * a)).mean(axis=0) + (x ** 2).sum() * 0.1 + W.exp().log().sum()

    assert_tensor_gradients_match(f, [x, W, b])


# --- values against closed forms --------------------------------------------------------

def test_elementwise_functions_equal_numpy_formulas():
    x = np.linspace(-5, 5, 11)
    t = Tensor(x)
    assert np.allclose(t.exp().data, np.exp(x), rtol=1e-15)
    assert np.allclose(t.tanh().data, np.tanh(x), rtol=1e-15)
    assert np.allclose(t.sigmoid().data, 1 / (1 + np.exp(-x)), rtol=1e-14)
    assert np.array_equal(t.relu().data, np.maximum(x, 0))
    assert np.allclose(t.leaky_relu(0.1).data, np.where(x > 0, x, 0.1 * x), rtol=1e-15)
    assert np.allclose((t ** 3).data, x ** 3, rtol=1e-15)
    assert np.allclose(log_softmax(t).data, x - np.log(np.exp(x).sum()), rtol=1e-14)


def test_cross_entropy_is_the_batch_mean_of_minus_log_softmax_at_the_target():
    z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    expected = -(np.log(np.exp(3) / np.exp([1, 2, 3]).sum()) + np.log(1 / 3)) / 2
    assert math.isclose(cross_entropy(Tensor(z), [2, 1]).item(), expected, rel_tol=1e-14)


# --- the same small network as the scalar engine -----------------------------------------

@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu", "linear"])
def test_mlp_gives_the_scalar_engines_weights_loss_and_gradients(activation):
    X, y = np.random.default_rng(1).normal(size=(6, 4)), np.array([0, 2, 1, 2, 0, 1])
    scalar = annlib.nn.MLP(4, [5, 3], activation=activation, random_state=7)
    tensor = MLP(4, [5, 3], activation=activation, random_state=7)
    # the same random_state gives the same weights, in the scalar nn's order
    for layer_s, layer_t in zip(scalar.layers, tensor.layers):
        assert np.array_equal(layer_t.W.data, [[w.data for w in n.w] for n in layer_s.neurons])
        assert np.array_equal(layer_t.b.data, [n.b.data for n in layer_s.neurons])

    loss_s = scalar_cross_entropy([scalar(x) for x in X.tolist()], y.tolist())
    loss_s.backward()
    loss_t = cross_entropy(tensor(X), y)
    loss_t.backward()
    assert math.isclose(loss_t.item(), loss_s.data, rel_tol=1e-12)
    for layer_s, layer_t in zip(scalar.layers, tensor.layers):
        grad_W = [[w.grad for w in n.w] for n in layer_s.neurons]
        assert np.allclose(layer_t.W.grad, grad_W, rtol=1e-10, atol=1e-14)
        assert np.allclose(layer_t.b.grad, [n.b.grad for n in layer_s.neurons],
                           rtol=1e-10, atol=1e-14)


def test_sgd_training_follows_the_scalar_engine_step_for_step():
    X, y = np.random.default_rng(2).normal(size=(8, 3)), np.arange(8) % 2
    scalar, tensor = annlib.nn.MLP(3, [4, 2], random_state=3), MLP(3, [4, 2], random_state=3)
    opt_s = SGD(scalar.parameters(), lr=0.5, momentum=0.9)
    opt_t = SGD(tensor.parameters(), lr=0.5, momentum=0.9)
    for _ in range(5):
        loss_s = scalar_cross_entropy([scalar(x) for x in X.tolist()], y.tolist())
        opt_s.zero_grad(); loss_s.backward(); opt_s.step()
        loss_t = cross_entropy(tensor(X), y)
        opt_t.zero_grad(); loss_t.backward(); opt_t.step()
        assert math.isclose(loss_t.item(), loss_s.data, rel_tol=1e-10)
    W1 = [[w.data for w in n.w] for n in scalar.layers[0].neurons]
    assert np.allclose(tensor.layers[0].W.data, W1, rtol=1e-10, atol=1e-13)


# --- semantics of backward() ------------------------------------------------------------

def test_leaf_gradients_accumulate_across_backward_calls_until_zeroed():
    w = Tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()
    loss.backward()
    loss.backward()
    assert np.array_equal(w.grad, [4.0, 8.0])  # 2 x 2w
    model = MLP(2, [3], random_state=0)
    cross_entropy(model(np.ones((1, 2))), [0]).backward()
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_interior_gradients_are_recomputed_not_accumulated():
    w = Tensor([3.0], requires_grad=True)
    hidden = w * 2
    loss = (hidden * hidden).sum()
    loss.backward()
    first = hidden.grad.copy()
    loss.backward()
    assert np.array_equal(hidden.grad, first)
    assert np.array_equal(w.grad, 2 * 2 * 2 * 6.0 * np.ones(1))  # two calls of dL/dw = 8w


def test_a_tensor_used_twice_gets_both_contributions():
    x = Tensor([1.0, -2.0], requires_grad=True)
    y = x * 3
    loss = (y + y * x).sum()  # d/dx (3x + 3x^2) = 3 + 6x
    loss.backward()
    assert np.allclose(x.grad, [9.0, -9.0], rtol=1e-15)


def test_each_leaf_owns_its_gradient_array():
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    total = (a + b).sum()
    total.backward()
    assert a.grad is not b.grad and not np.shares_memory(a.grad, b.grad)
    a.grad += 1  # in place, as an optimizer may do
    assert np.array_equal(b.grad, [1.0, 1.0])
    assert a.grad.flags.writeable and b.grad.flags.writeable


def test_backward_on_a_leaf_adds_one():
    w = Tensor(2.0, requires_grad=True)
    w.backward()
    w.backward()
    assert np.array_equal(w.grad, 2.0) and isinstance(w.grad, np.ndarray)


def test_gradients_are_float64_arrays_of_the_operands_shapes():
    x = Tensor(np.ones((2, 1)), requires_grad=True)
    s = Tensor(3.0, requires_grad=True)
    loss = ((x + np.ones((2, 3))) * s).mean() * s
    loss.backward()
    for t in (x, s, loss):
        assert isinstance(t.grad, np.ndarray) and t.grad.dtype == np.float64
        assert t.grad.shape == t.shape
    assert isinstance(loss.data, np.ndarray) and loss.shape == ()


def test_constants_are_not_recorded_and_get_no_gradient():
    x = Tensor([1.0, 2.0])
    w = Tensor([0.5, 0.5], requires_grad=True)
    y = x * 2
    assert not y.requires_grad and y._children == ()
    loss = (w * y).sum()
    assert loss._children[0]._children == (w, y)
    loss.backward()
    assert x.grad is None and y.grad is None
    assert np.array_equal(w.grad, [2.0, 4.0])


def test_topological_order_lists_every_node_once_after_its_inputs():
    x = Tensor(np.ones((2, 3)), label="x")
    W = Tensor(np.ones((4, 3)), requires_grad=True, label="W")
    z = x @ W.T
    loss = (z.relu() + z).sum()
    order = loss.topological_order()
    assert order[-1] is loss and len(order) == len(set(map(id, order))) == 7
    position = {id(node): i for i, node in enumerate(order)}
    assert all(position[id(child)] < position[id(node)]
               for node in order for child in node._children)
    assert x in order and W in order


def test_a_chain_100000_deep_backpropagates_without_recursion():
    x = Tensor([0.5], requires_grad=True)
    y = x
    gc.disable()  # only to save time: the collector would scan the growing chain repeatedly
    try:
        for _ in range(100_000):
            y = y * 1.0 + 0.0
        y.sum().backward()
    finally:
        gc.enable()
    assert np.array_equal(x.grad, [1.0])


def test_a_training_steps_graph_is_freed_by_reference_counting_alone():
    model = MLP(4, [8, 3], random_state=0, dropout=0.2)
    X, y = np.random.default_rng(0).normal(size=(5, 4)), np.array([0, 1, 2, 0, 1])
    optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)
    gc.collect()
    gc.disable()
    try:
        loss = cross_entropy(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        nodes = [weakref.ref(node) for node in loss.topological_order() if node._children]
        assert len(nodes) >= 5
        del loss
        assert all(ref() is None for ref in nodes), "a node outlived its graph: a reference cycle"
        assert gc.collect() == 0, "the collector found garbage: a reference cycle"
    finally:
        gc.enable()


def test_the_same_program_gives_bit_identical_gradients():
    def gradients():
        model = MLP(6, [7, 4], activation="tanh", random_state=5)
        X = np.random.default_rng(5).normal(size=(9, 6))
        loss = cross_entropy(model(X), np.arange(9) % 4) + (model(X) ** 2).mean()
        loss.backward()
        return [p.grad for p in model.parameters()]

    assert all(np.array_equal(a, b) for a, b in zip(gradients(), gradients()))


# --- numbers at the edges: IEEE semantics, stability, no warnings ----------------------

@pytest.fixture
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def test_ieee_results_come_without_warnings(no_warnings):
    assert Tensor(1000.0).exp().item() == math.inf
    assert Tensor(0.0).log().item() == -math.inf
    assert math.isnan(Tensor(-1.0).log().item())
    assert (Tensor(1.0) / 0.0).item() == math.inf
    assert math.isnan((Tensor(0.0) / 0.0).item())
    assert (Tensor(0.0) ** -1).item() == math.inf
    assert math.isnan((Tensor(math.inf) * 0.0).item())
    x = Tensor([0.0, 1000.0], requires_grad=True)
    (x.log() + x.exp()).sum().backward()  # gradients 1/0 and e^1000: both inf
    assert np.array_equal(x.grad, [math.inf, math.inf])


@pytest.mark.parametrize("scale", [1000.0, -1000.0, 1e300])
def test_sigmoid_tanh_log_softmax_and_cross_entropy_are_finite_at_huge_inputs(scale, no_warnings):
    z = Tensor(scale * np.array([[1.0, -1.0, 0.5], [-1.0, 1.0, 0.0]]), requires_grad=True)
    with np.errstate(over="ignore"):
        exact = np.exp(-np.logaddexp(0.0, -z.data))  # 1 / (1 + e^-z) by another route
    assert np.allclose(z.sigmoid().data, exact, rtol=1e-12, atol=0)
    assert np.all(np.abs(z.tanh().data) <= 1)
    assert np.all(np.isfinite(log_softmax(z).data))
    loss = cross_entropy(z, [1, 0])
    loss.backward()
    # scale > 0: each target's logit is 2 * scale below the largest, so L = 2 * scale;
    # scale < 0: each target's logit is the largest by far, so L = 0
    assert loss.item() == pytest.approx(2 * scale if scale > 0 else 0.0, rel=1e-12, abs=0)
    assert np.all(np.isfinite(z.grad))
    assert np.allclose(z.grad.sum(axis=1), 0.0, atol=1e-15)  # (P - Y)/n sums to 0 per row


def test_cross_entropy_of_confident_correct_logits_is_zero_and_wrong_ones_exact():
    z = Tensor([[1000.0, -1000.0]])
    assert str(cross_entropy(z, [0]).item()) == "0.0"  # not -0.0
    assert cross_entropy(z, [1]).item() == 2000.0


# --- bad input: errors that say what was expected ----------------------------------------

@pytest.mark.parametrize("op", BINARY)
def test_broadcasting_mismatch_names_both_shapes(op):
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(4,\)"):
        BINARY[op](Tensor(np.ones((2, 3))), Tensor(np.ones(4)))
    with pytest.raises(ValueError, match=r"\(4,\) and \(2, 3\)"):
        BINARY[op](np.ones(4), Tensor(np.ones((2, 3))))


def test_matmul_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\) @ \(2, 3\)"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"1-D and 2-D.*\(2, 2, 2\) and \(2,\)"):
        Tensor(np.ones((2, 2, 2))) @ Tensor(np.ones(2))


def test_backward_on_more_than_one_element_says_it_needs_a_scalar():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"one-element Tensor.*shape \(2,\).*\.sum\(\)"):
        (x * 2).backward()


def test_backward_on_a_tensor_without_gradient_says_so():
    with pytest.raises(RuntimeError, match="requires_grad=True"):
        Tensor(1.0).backward()


@pytest.mark.parametrize("targets, message", [
    ([0, 3], r"targets in 0\.\.2 .*got 3"),
    ([-1, 0], r"targets in 0\.\.2 .*got -1"),
    ([0], r"expects 2 targets .*shape \(1,\)"),
    ([0.5, 1], r"whole class indices 0\.\.2"),
])
def test_bad_targets_name_the_expected_range_or_count(targets, message):
    with pytest.raises(ValueError, match=message):
        cross_entropy(Tensor(np.zeros((2, 3))), targets)


def test_cross_entropy_accepts_whole_numbers_stored_as_floats_and_needs_2d_logits():
    assert math.isclose(cross_entropy(Tensor(np.zeros((2, 3))), np.array([0.0, 2.0])).item(),
                        math.log(3), rel_tol=1e-15)
    with pytest.raises(ValueError, match=r"shape \(n, K\).*\(3,\)"):
        cross_entropy(Tensor(np.zeros(3)), [0])


@pytest.mark.parametrize("bad", ["abc", None, {"a": 1}, [[1.0], [2.0, 3.0]], 1j])
def test_tensor_of_something_other_than_numbers_is_a_type_error(bad):
    with pytest.raises(TypeError, match="Tensor expects a number"):
        Tensor(bad)


def test_operands_and_exponents_of_the_wrong_type_are_type_errors():
    with pytest.raises(TypeError, match=r"\+ expects a Tensor, a number or an array.*str"):
        Tensor(1.0) + "a"
    with pytest.raises(TypeError, match=r"\*\* expects a number as the exponent"):
        Tensor(2.0) ** Tensor(2.0)
    with pytest.raises(TypeError, match="requires_grad must be True or False"):
        Tensor(1.0, requires_grad=1)


def test_reshape_to_an_impossible_shape_names_both_shapes():
    with pytest.raises(ValueError, match=r"6 elements of shape \(2, 3\) into shape \(4,\)"):
        Tensor(np.ones((2, 3))).reshape(4)
    assert Tensor(np.ones((2, 3))).reshape((3, 2)).shape == Tensor(np.ones(6)).reshape(3, 2).shape


def test_linear_with_shapes_that_do_not_fit_names_them():
    W = Tensor(np.ones((3, 2)), requires_grad=True)
    with pytest.raises(ValueError, match=r"x of shape \(n, nin\) and W of shape \(nout, nin\), "
                                         r"got x \(4, 3\) and W \(3, 2\)"):
        linear(np.ones((4, 3)), W)
    with pytest.raises(ValueError, match=r"b of shape \(3,\) for W of shape \(3, 2\), got \(2,\)"):
        linear(np.ones((4, 2)), W, Tensor(np.ones(2)))


def test_item_needs_one_element():
    assert Tensor([[2.5]]).item() == 2.5
    with pytest.raises(ValueError, match=r"one-element Tensor, got shape \(2,\)"):
        Tensor([1.0, 2.0]).item()


@pytest.mark.parametrize("make, message", [
    (lambda: MLP(2, [3], activation="softmax"), r"unknown activation 'softmax': expected one of"),
    (lambda: MLP(2, [3], output_activation="relu6"), r"unknown activation 'relu6'"),
    (lambda: MLP(2, [3], init="normal"), r"unknown initialisation 'normal': expected one of "
                                         r"'uniform', 'xavier'"),
    (lambda: Linear(2, 3, init="he_normal"), r"unknown initialisation 'he_normal'"),
    (lambda: MLP(0, [3]), r"number of inputs \(nin\) must be a positive whole number, got 0"),
    (lambda: MLP(2, []), "at least one layer size"),
    (lambda: MLP(2, "abc"), "positive whole number"),
    (lambda: MLP(2, [3, 0]), r"every layer size in nouts must be a positive whole number, got 0"),
    (lambda: Linear(2, 2.5), r"number of outputs \(nout\) must be a positive whole number"),
    (lambda: Dropout(1.0), r"probability p with 0 <= p < 1, got 1\.0"),
    (lambda: Dropout(-0.1), r"0 <= p < 1, got -0\.1"),
    (lambda: MLP(2, [3], dropout=1.5), r"MLP's dropout expects a probability p with 0 <= p < 1"),
])
def test_bad_module_arguments_say_what_was_expected(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_a_batch_of_the_wrong_width_names_the_expected_shape():
    with pytest.raises(ValueError, match=r"MLP expects a batch of shape \(n, 4\).*\(5, 3\)"):
        MLP(4, [2], random_state=0)(np.ones((5, 3)))
    with pytest.raises(ValueError, match=r"Linear expects a batch of shape \(n, 4\)"):
        Linear(4, 2, random_state=0)(np.ones((5, 4, 1)))


# --- modules: shapes, parameters, repr, initialisation, dropout --------------------------

def test_mlp_maps_a_batch_n_by_nin_to_n_by_nout_and_counts_its_parameters():
    model = MLP(64, [32, 10], random_state=0)
    assert model(np.zeros((7, 64))).shape == (7, 10)
    assert model(Tensor(np.zeros(64))).shape == (10,)  # one example
    assert [p.shape for p in model.parameters()] == [(32, 64), (32,), (10, 32), (10,)]
    assert [p.label for p in model.parameters()] == ["W1", "b1", "W2", "b2"]
    assert model.num_parameters() == 64 * 32 + 32 + 32 * 10 + 10
    assert all(p.requires_grad for p in model.parameters())
    text = repr(model)
    assert "MLP(64 inputs -> 32 -> 10" in text and "total: 2410 parameters" in text
    assert "Linear(64 -> 32)  # 2080 parameters" in text


def test_same_random_state_same_weights_and_different_states_differ():
    a, b, c = (MLP(5, [4, 3], random_state=s) for s in (1, 1, 2))
    assert all(np.array_equal(p.data, q.data) for p, q in zip(a.parameters(), b.parameters()))
    assert not np.array_equal(a.layers[0].W.data, c.layers[0].W.data)


@pytest.mark.parametrize("init, variance", [
    ("uniform", lambda nin, nout: 1 / (3 * nin)),
    ("xavier", lambda nin, nout: 2 / (nin + nout)),
    ("glorot", lambda nin, nout: 2 / (nin + nout)),
    ("he", lambda nin, nout: 2 / nin),
    ("kaiming", lambda nin, nout: 2 / nin),
])
def test_initial_weights_have_the_variance_their_rule_gives(init, variance):
    nin, nout = 300, 200
    W = Linear(nin, nout, random_state=0, init=init).W.data
    expected = variance(nin, nout)
    # 60,000 draws: the sample variance is within 2 % of the truth far beyond 4 sigma
    assert abs(W.var() / expected - 1) < 0.02
    assert abs(W.mean()) < 4 * math.sqrt(expected / W.size)
    if init == "uniform":
        assert np.abs(W).max() <= 1 / math.sqrt(nin)
    if init in ("xavier", "glorot"):
        assert np.abs(W).max() <= math.sqrt(6 / (nin + nout))


def test_zero_initialisation_makes_every_hidden_unit_identical():
    model = MLP(3, [4, 2], init="zeros")
    assert all(not np.any(layer.W.data) for layer in model.layers)
    loss = cross_entropy(model(np.random.default_rng(0).normal(size=(5, 3))), [0, 1, 0, 1, 1])
    loss.backward()
    W1_grad = model.layers[0].W.grad
    assert np.all(W1_grad == W1_grad[0])  # every unit's row the same


def test_biases_start_at_zero_with_every_initialisation():
    for init in annlib.tensor.INITS:
        assert not np.any(Linear(3, 4, random_state=0, init=init).b.data)


def test_dropout_keeps_the_expected_value_and_zeroes_a_fraction_p():
    p, n = 0.3, 200_000
    out = Dropout(p, random_state=0)(Tensor(np.ones(n))).data
    assert set(np.unique(out)) <= {0.0, 1 / (1 - p)}
    zeros = np.mean(out == 0)
    assert abs(zeros - p) < 4 * math.sqrt(p * (1 - p) / n)
    # one element's standard deviation is sqrt(p / (1 - p))
    assert abs(out.mean() - 1) < 4 * math.sqrt(p / (1 - p) / n)


def test_mlp_drops_out_after_every_hidden_layer_whatever_its_activation():
    X = np.ones((40, 3))
    for activation in ("linear", "relu"):
        model = MLP(3, [30, 30, 2], activation=activation, random_state=0, dropout=0.5)
        drops = [node for node in cross_entropy(model(X), np.zeros(40, int)).topological_order()
                 if node._op == "dropout"]
        assert len(drops) == 2


def test_dropout_gradient_is_its_mask():
    x = Tensor(np.arange(1.0, 9.0), requires_grad=True)
    out = Dropout(0.5, random_state=1)(x)
    out.sum().backward()
    assert np.array_equal(x.grad, out.data / x.data)


def test_dropout_is_the_identity_in_evaluation_and_with_p_zero():
    x = Tensor(np.arange(6.0), requires_grad=True)
    drop = Dropout(0.5, random_state=0)
    assert drop.eval() is drop and drop(x) is x
    assert drop.train()(x) is not x
    assert Dropout(0.0)(x) is x


def test_mlp_dropout_is_on_in_training_and_off_after_eval():
    X = np.random.default_rng(0).normal(size=(50, 6))
    plain = MLP(6, [20, 3], random_state=4)
    dropped = MLP(6, [20, 3], random_state=4, dropout=0.5)
    assert not np.allclose(dropped(X).data, plain(X).data)       # training: units dropped
    assert dropped.eval().training is False
    assert all(not m.training for m in dropped.children())
    assert np.array_equal(dropped(X).data, plain(X).data)        # evaluation: the same net
    assert "Dropout(p=0.5)" in repr(dropped)
    dropped.train()
    assert dropped.dropout.training


# --- the optimizer with Tensor parameters ---------------------------------------------------

def test_sgd_moves_tensors_by_minus_lr_times_gradient_with_momentum_as_pytorch():
    w = Tensor([1.0, -2.0], requires_grad=True)
    optimizer = SGD([w], lr=0.1, momentum=0.9)
    expected, velocity = np.array([1.0, -2.0]), np.zeros(2)
    for _ in range(3):
        optimizer.zero_grad()
        assert w.grad is None
        loss = (w * w).sum()
        loss.backward()
        grad = 2 * expected
        assert np.array_equal(w.grad, grad)
        optimizer.step()
        velocity = 0.9 * velocity + grad
        expected = expected - 0.1 * velocity
        assert np.array_equal(w.data, expected)


def test_sgd_leaves_a_tensor_without_gradient_unchanged_and_mixes_with_values():
    w, v = Tensor([1.0], requires_grad=True), Value(2.0)
    optimizer = SGD([w, v], lr=0.5)
    v.grad = 1.0
    optimizer.step()
    assert w.data[0] == 1.0 and v.data == 1.5
    optimizer.zero_grad()
    assert w.grad is None and v.grad == 0.0
    with pytest.raises(TypeError, match="Values or Tensors.*ndarray"):
        SGD([np.ones(2)], lr=0.1)


def test_tensor_copies_its_input_so_updates_never_touch_the_callers_array():
    data = np.ones(3)
    w = Tensor(data, requires_grad=True)
    (w * 2).sum().backward()
    SGD([w], lr=1.0).step()
    assert np.array_equal(data, np.ones(3)) and np.array_equal(w.data, -np.ones(3))


def test_the_docstring_examples_give_what_they_show():
    import doctest
    result = doctest.testmod(annlib.tensor)
    assert result.attempted > 10 and result.failed == 0
