"""The autograd engine: every operation's value and gradient, and the semantics of backward().

Gradients are checked against central finite differences in float64 (see
gradcheck.py for the stated tolerance) with Hypothesis drawing the inputs,
kept away from kinks and the edges of each function's domain; values are
checked against closed forms.
"""

# Hypothesis tests run with deadline=None: on a shared machine, time per example
# measures the load, not the code.

import gc
import math
import os
import subprocess
import sys
import weakref
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annlib import Value
from annlib.engine import total, weighted_sum
from gradcheck import analytic_gradients, assert_gradients_match


def floats(low, high):
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def away_from_zero(low, high):
    """Floats with low <= |x| <= high, of either sign."""
    return st.tuples(floats(low, high), st.booleans()).map(lambda t: -t[0] if t[1] else t[0])


def _sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


# name: (function of the Values, strategy for the list of inputs, the same function on floats)
OPERATIONS = {
    "a + b": (lambda v: v[0] + v[1], st.lists(floats(-100, 100), min_size=2, max_size=2),
              lambda x: x[0] + x[1]),
    "a - b": (lambda v: v[0] - v[1], st.lists(floats(-100, 100), min_size=2, max_size=2),
              lambda x: x[0] - x[1]),
    "a * b": (lambda v: v[0] * v[1], st.lists(floats(-100, 100), min_size=2, max_size=2),
              lambda x: x[0] * x[1]),
    "a / b": (lambda v: v[0] / v[1], st.tuples(floats(-100, 100), away_from_zero(0.1, 100)).map(list),
              lambda x: x[0] / x[1]),
    "a ** b (Value exponent)": (lambda v: v[0] ** v[1],
                                st.tuples(floats(0.1, 10), floats(-3, 3)).map(list),
                                lambda x: x[0] ** x[1]),
    "a ** 2": (lambda v: v[0] ** 2, st.lists(floats(-100, 100), min_size=1, max_size=1),
               lambda x: x[0] ** 2),
    "a ** 3": (lambda v: v[0] ** 3, st.lists(floats(-20, 20), min_size=1, max_size=1),
               lambda x: x[0] ** 3),
    "a ** -1": (lambda v: v[0] ** -1, st.lists(away_from_zero(0.1, 100), min_size=1, max_size=1),
                lambda x: 1 / x[0]),
    "a ** 0.5": (lambda v: v[0] ** 0.5, st.lists(floats(0.01, 100), min_size=1, max_size=1),
                 lambda x: math.sqrt(x[0])),
    "a ** -1.5": (lambda v: v[0] ** -1.5, st.lists(floats(0.1, 10), min_size=1, max_size=1),
                  lambda x: x[0] ** -1.5),
    "a + 2": (lambda v: v[0] + 2, st.lists(floats(-100, 100), min_size=1, max_size=1),
              lambda x: x[0] + 2),
    "2 + a": (lambda v: 2 + v[0], st.lists(floats(-100, 100), min_size=1, max_size=1),
              lambda x: 2 + x[0]),
    "a - 2": (lambda v: v[0] - 2, st.lists(floats(-100, 100), min_size=1, max_size=1),
              lambda x: x[0] - 2),
    "1 - a": (lambda v: 1 - v[0], st.lists(floats(-100, 100), min_size=1, max_size=1),
              lambda x: 1 - x[0]),
    "a * 2": (lambda v: v[0] * 2, st.lists(floats(-100, 100), min_size=1, max_size=1),
              lambda x: x[0] * 2),
    "2 * a": (lambda v: 2 * v[0], st.lists(floats(-100, 100), min_size=1, max_size=1),
              lambda x: 2 * x[0]),
    "a / 4": (lambda v: v[0] / 4, st.lists(floats(-100, 100), min_size=1, max_size=1),
              lambda x: x[0] / 4),
    "1 / a": (lambda v: 1 / v[0], st.lists(away_from_zero(0.1, 100), min_size=1, max_size=1),
              lambda x: 1 / x[0]),
    "2 ** a": (lambda v: 2 ** v[0], st.lists(floats(-20, 20), min_size=1, max_size=1),
               lambda x: 2 ** x[0]),
    "0.3 ** a": (lambda v: 0.3 ** v[0], st.lists(floats(-10, 10), min_size=1, max_size=1),
                 lambda x: 0.3 ** x[0]),
    "-a": (lambda v: -v[0], st.lists(floats(-100, 100), min_size=1, max_size=1),
           lambda x: -x[0]),
    "exp": (lambda v: v[0].exp(), st.lists(floats(-20, 20), min_size=1, max_size=1),
            lambda x: math.exp(x[0])),
    "log": (lambda v: v[0].log(), st.lists(floats(1e-3, 1e3), min_size=1, max_size=1),
            lambda x: math.log(x[0])),
    "tanh": (lambda v: v[0].tanh(), st.lists(floats(-10, 10), min_size=1, max_size=1),
             lambda x: math.tanh(x[0])),
    "sigmoid": (lambda v: v[0].sigmoid(), st.lists(floats(-30, 30), min_size=1, max_size=1),
                lambda x: _sigmoid(x[0])),
    # kinks at 0: keep a distance from them much larger than the finite-difference step
    "relu": (lambda v: v[0].relu(), st.lists(away_from_zero(1e-3, 100), min_size=1, max_size=1),
             lambda x: max(0.0, x[0])),
    "leaky_relu": (lambda v: v[0].leaky_relu(), st.lists(away_from_zero(1e-3, 100), min_size=1, max_size=1),
                   lambda x: x[0] if x[0] > 0 else 0.01 * x[0]),
    "leaky_relu(alpha=0.2)": (lambda v: v[0].leaky_relu(alpha=0.2),
                              st.lists(away_from_zero(1e-3, 100), min_size=1, max_size=1),
                              lambda x: x[0] if x[0] > 0 else 0.2 * x[0]),
    # n-ary nodes: w1 x1 + ... + wn xn + b, with inputs listed as w..., x..., b
    "weighted_sum": (lambda v: weighted_sum(v[:len(v) // 2], v[len(v) // 2:-1], v[-1]),
                     st.integers(1, 6).flatmap(lambda n: st.lists(floats(-10, 10), min_size=2 * n + 1,
                                                                  max_size=2 * n + 1)),
                     lambda x: math.fsum(w * xi for w, xi in zip(x[:len(x) // 2], x[len(x) // 2:-1])) + x[-1]),
    "weighted_sum without bias": (lambda v: weighted_sum(v[:len(v) // 2], v[len(v) // 2:]),
                                  st.integers(1, 6).flatmap(lambda n: st.lists(floats(-10, 10), min_size=2 * n,
                                                                               max_size=2 * n)),
                                  lambda x: math.fsum(w * xi for w, xi in zip(x[:len(x) // 2], x[len(x) // 2:]))),
    "total": (lambda v: total(v), st.lists(floats(-100, 100), min_size=1, max_size=8),
              lambda x: math.fsum(x)),
    "a composite of everything": (
        lambda v: ((v[0] * v[1]).tanh() + (v[1] - v[0]).sigmoid() ** 2 / (1 + v[0].exp())
                   - (v[2] + 5.5).relu() * v[2].leaky_relu() + (v[1] ** 2 + 1).log()),
        st.tuples(floats(-2, 2), floats(-2, 2), away_from_zero(1e-3, 5)).map(list),
        lambda x: (math.tanh(x[0] * x[1]) + _sigmoid(x[1] - x[0]) ** 2 / (1 + math.exp(x[0]))
                   - max(0.0, x[2] + 5.5) * (x[2] if x[2] > 0 else 0.01 * x[2]) + math.log(x[1] ** 2 + 1)),
    ),
}


@pytest.mark.parametrize("name", OPERATIONS)
@settings(deadline=None)
@given(data=st.data())
def test_gradient_of_every_operation_matches_finite_differences(name, data):
    function, inputs, _ = OPERATIONS[name]
    assert_gradients_match(function, data.draw(inputs, label="inputs"))


@pytest.mark.parametrize("name", OPERATIONS)
@settings(deadline=None)
@given(data=st.data())
def test_value_of_every_operation_matches_the_same_formula_on_floats(name, data):
    function, inputs, on_floats = OPERATIONS[name]
    xs = data.draw(inputs, label="inputs")
    assert math.isclose(function([Value(x) for x in xs]).data, on_floats(xs),
                        rel_tol=1e-12, abs_tol=1e-12)


E = math.e
# (expression, inputs, its value, its gradient with respect to each input), worked out by hand
CLOSED_FORMS = [
    (lambda v: v[0] + v[1], [2.0, -3.0], -1.0, [1.0, 1.0]),
    (lambda v: v[0] - v[1], [2.0, -3.0], 5.0, [1.0, -1.0]),
    (lambda v: v[0] * v[1], [2.0, -3.0], -6.0, [-3.0, 2.0]),
    (lambda v: v[0] / v[1], [3.0, 2.0], 1.5, [0.5, -0.75]),
    (lambda v: v[0] ** v[1], [2.0, 3.0], 8.0, [12.0, 8.0 * math.log(2.0)]),
    (lambda v: v[0] ** 3, [2.0], 8.0, [12.0]),
    (lambda v: v[0] ** 0.5, [4.0], 2.0, [0.25]),
    (lambda v: v[0] ** 0, [0.0], 1.0, [0.0]),
    (lambda v: v[0] ** 2, [0.0], 0.0, [0.0]),
    (lambda v: 2 ** v[0], [3.0], 8.0, [8.0 * math.log(2.0)]),
    (lambda v: 1 - v[0], [0.25], 0.75, [-1.0]),
    (lambda v: 2 * v[0], [0.25], 0.5, [2.0]),
    (lambda v: 1 / v[0], [4.0], 0.25, [-1 / 16]),
    (lambda v: -v[0], [4.0], -4.0, [-1.0]),
    (lambda v: v[0].exp(), [0.0], 1.0, [1.0]),
    (lambda v: v[0].exp(), [1.0], E, [E]),
    (lambda v: v[0].log(), [E], 1.0, [1 / E]),
    (lambda v: v[0].log(), [1.0], 0.0, [1.0]),
    (lambda v: v[0].tanh(), [0.0], 0.0, [1.0]),
    (lambda v: v[0].tanh(), [math.log(3.0)], 0.8, [0.36]),  # tanh(ln 3) = (9 - 1) / (9 + 1)
    (lambda v: v[0].sigmoid(), [0.0], 0.5, [0.25]),
    (lambda v: v[0].sigmoid(), [math.log(3.0)], 0.75, [0.1875]),  # 1 / (1 + 1/3)
    (lambda v: v[0].relu(), [3.0], 3.0, [1.0]),
    (lambda v: v[0].relu(), [-3.0], 0.0, [0.0]),
    (lambda v: v[0].relu(), [0.0], 0.0, [0.0]),  # the kink: derivative 0, as PyTorch's
    (lambda v: v[0].leaky_relu(), [-2.0], -0.02, [0.01]),
    (lambda v: v[0].leaky_relu(alpha=0.1), [-2.0], -0.2, [0.1]),
    (lambda v: v[0].leaky_relu(alpha=0.1), [2.0], 2.0, [1.0]),
    (lambda v: weighted_sum(v[:2], v[2:4], v[4]), [0.5, -1.0, 2.0, 3.0, 0.25], -1.75,
     [2.0, 3.0, 0.5, -1.0, 1.0]),
    (lambda v: total(v), [1.0, 2.0, 3.5], 6.5, [1.0, 1.0, 1.0]),
    (lambda v: v[0] * v[1] + v[0], [2.0, -3.0], -4.0, [-2.0, 2.0]),  # the docstring's example
]


@pytest.mark.parametrize("expression, inputs, value, gradients", CLOSED_FORMS)
def test_value_and_gradients_at_known_points(expression, inputs, value, gradients):
    out, grads = analytic_gradients(expression, inputs)
    assert out == pytest.approx(value, rel=1e-15, abs=1e-15)
    assert grads == pytest.approx(gradients, rel=1e-15, abs=1e-15)


@settings(deadline=None)
@given(floats(-700, 700))
def test_exp_tanh_sigmoid_equal_the_math_library(x):
    assert Value(x).exp().data == math.exp(x)
    assert Value(x).tanh().data == math.tanh(x)
    assert Value(x).sigmoid().data == pytest.approx(1 / (1 + math.exp(-x)), rel=1e-15)


@settings(deadline=None)
@given(floats(-30, 30))
def test_derivatives_of_activations_follow_their_formulas(x):
    t, s = math.tanh(x), _sigmoid(x)
    for method, derivative in [("tanh", 1 - t * t), ("sigmoid", s * (1 - s)),
                               ("exp", math.exp(x))]:
        v = Value(x)
        getattr(v, method)().backward()
        assert v.grad == pytest.approx(derivative, rel=1e-12, abs=1e-300), method


# --- semantics of backward() ----------------------------------------------------

def _small_graph():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    d = c.tanh() + a.exp() / b
    L = d * d + c
    return a, b, c, d, L


def test_backward_twice_gives_exactly_twice_the_leaf_gradients():
    a, b, c, d, L = _small_graph()
    L.backward()
    once = a.grad, b.grad
    L.backward()
    assert (a.grad, b.grad) == (2 * once[0], 2 * once[1])


def test_backward_twice_recomputes_interior_gradients():
    a, b, c, d, L = _small_graph()
    L.backward()
    once = c.grad, d.grad, L.grad
    c.grad = d.grad = 123.0  # stale values must not leak into the next pass
    L.backward()
    assert (c.grad, d.grad, L.grad) == once
    assert L.grad == 1.0


def test_leaf_gradients_start_again_after_zeroing():
    a, b, c, d, L = _small_graph()
    L.backward()
    once = a.grad, b.grad
    a.grad = b.grad = 0.0
    L.backward()
    assert (a.grad, b.grad) == once


def test_backward_of_a_leaf_gives_one_and_accumulates_like_any_leaf():
    a = Value(5.0)
    a.backward()
    assert a.grad == 1.0
    a.backward()
    assert a.grad == 2.0


def test_a_value_added_to_itself_gets_gradient_two():
    a = Value(3.0)
    (a + a).backward()
    assert a.grad == 2.0


def test_a_value_multiplied_by_itself_gets_gradient_two_a():
    a = Value(3.0)
    (a * a).backward()
    assert a.grad == 6.0


def test_a_value_repeated_inside_n_ary_nodes_gets_every_contribution():
    w, x = Value(2.0), Value(5.0)
    weighted_sum([w, w], [x, w], w).backward()  # z = w x + w^2 + w
    assert w.grad == x.data + 2 * w.data + 1
    assert x.grad == w.data
    a = Value(1.5)
    total([a, a, a]).backward()
    assert a.grad == 3.0


@settings(deadline=None)
@given(floats(-2, 2))
def test_a_node_used_by_several_parents_sums_their_gradients(x):
    def f(v):
        b = v[0] * 2 + 1          # b feeds four parents
        return b * b + b.tanh() + b.exp() - 3 * b
    assert_gradients_match(f, [x])
    (a,) = [Value(x)]
    f([a]).backward()
    b = 2 * x + 1
    assert a.grad == pytest.approx(2 * (2 * b + (1 - math.tanh(b) ** 2) + math.exp(b) - 3),
                                   rel=1e-12, abs=1e-12)


def test_a_chain_of_a_million_nodes_under_the_default_recursion_limit():
    assert sys.getrecursionlimit() <= 1000, "the test needs the default recursion limit"
    gc.disable()  # only to save time: the collector would scan the growing chain again and again
    try:
        x = Value(0.5)
        y = x
        for _ in range(1_000_000):
            y = -y
        assert len(y.topological_order()) == 1_000_001
        y.backward()
        assert x.grad == 1.0  # (-1) ** 1_000_000
        del y  # freeing it must not recurse either
    finally:
        gc.enable()


def test_topological_order_lists_every_node_once_after_its_children():
    a, b, c, d, L = _small_graph()
    order = L.topological_order()
    position = {id(node): i for i, node in enumerate(order)}
    assert len(position) == len(order)
    assert order[-1] is L and {id(a), id(b), id(c), id(d)} <= position.keys()
    for node in order:
        for child in node._children:
            assert position[id(child)] < position[id(node)]


def _plain_backward(root):
    """The chain rule over topological_order(), with no shortcut: the reference."""
    order = root.topological_order()
    for node in order:
        node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):
        for child, local in zip(node._children, node._local_grads):
            child.grad += local * node.grad


def test_backward_equals_the_plain_chain_rule_bit_for_bit_on_a_network():
    from annlib.losses import hinge
    from annlib.nn import MLP

    def loss_and_params():
        model = MLP(2, [8, 8, 1], random_state=4)
        X = [[0.5, -1.0], [2.0, 0.25], [-1.5, 1.0], [0.1, 0.2]]  # ReLUs off and on
        loss = hinge([model(x) for x in X], [1, -1, 1, -1]) + 1e-3 * total(
            [p * p for p in model.parameters()])
        return loss, model.parameters()

    loss, params = loss_and_params()
    loss.backward()
    reference_loss, reference_params = loss_and_params()
    _plain_backward(reference_loss)
    assert [p.grad for p in params] == [p.grad for p in reference_params]
    assert any(p.grad == 0.0 for p in params) and any(p.grad != 0.0 for p in params)


def test_a_zero_upstream_gradient_times_an_infinite_local_derivative_is_nan():
    # d/dx [0 * log x] at x = 0 is 0 * (1/0) = 0 * inf = nan under IEEE rules, as in PyTorch:
    # the shortcut that skips zero upstream gradients must not hide it
    x = Value(0.0)
    (x.log() * 0.0).backward()
    assert math.isnan(x.grad)
    w = Value(2.0)
    (weighted_sum([w], [Value(INF)]).relu() * 0.0).backward()  # dz/dw = x = inf, upstream 0
    assert math.isnan(w.grad)
    y = Value(-1.0)
    (y.relu() * Value(INF)).backward()  # the other way round: relu's local 0 times inf
    assert math.isnan(y.grad)


def test_a_zero_upstream_gradient_with_finite_local_derivatives_gives_zero():
    x = Value(-2.0)
    (x.relu() * 3.0 + x.exp() * 0.0).backward()
    assert x.grad == 0.0


# --- memory and determinism -----------------------------------------------------

def test_a_training_steps_graph_is_freed_by_reference_counting_alone():
    from annlib.losses import hinge
    from annlib.nn import MLP
    from annlib.optim import SGD

    model = MLP(2, [16, 16, 1], random_state=0)
    optimizer = SGD(model.parameters(), lr=0.1)
    X, y = [[0.1 * i, 0.2 - 0.05 * i] for i in range(20)], [1, -1] * 10
    gc.collect()
    gc.disable()
    try:
        scores = [model(x) for x in X]
        loss = hinge(scores, y) + 1e-4 * total([p * p for p in model.parameters()])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        nodes = [weakref.ref(node) for node in loss.topological_order() if node._children]
        assert len(nodes) > 1000
        del scores, loss
        alive = sum(ref() is not None for ref in nodes)
        assert alive == 0, f"{alive} nodes of the graph outlived it: a reference cycle"
        assert gc.collect() == 0, "the collector found garbage: a reference cycle"
    finally:
        gc.enable()


DETERMINISM_SCRIPT = """
from annlib.engine import total
from annlib.losses import cross_entropy
from annlib.nn import MLP
model = MLP(3, [12, 12, 4], activation="tanh", random_state=7)
X = [[0.3 * i - 1.0, (-1) ** i * 0.7, 0.05 * i * i] for i in range(16)]
loss = cross_entropy([model(x) for x in X], [i % 4 for i in range(16)])
loss = loss + 1e-3 * total([p * p for p in model.parameters()])
loss.backward()
print(" ".join(p.grad.hex() for p in model.parameters()))
"""


def test_the_same_program_gives_bit_identical_gradients_in_fresh_processes():
    runs = []
    for hash_seed in ("1", "2"):  # also varies set and dict layouts, and memory addresses
        result = subprocess.run([sys.executable, "-c", DETERMINISM_SCRIPT], capture_output=True,
                                text=True, env=dict(os.environ, PYTHONHASHSEED=hash_seed),
                                cwd=Path(__file__).parent.parent, timeout=120)
        assert result.returncode == 0, result.stderr
        runs.append(result.stdout.split())
    assert len(runs[0]) == 12 * 4 + 13 * 12 + 13 * 4
    assert runs[0] == runs[1]


# --- wrong operands --------------------------------------------------------------

BAD_OPERANDS = ["2", None, [1.0], True, {"x": 1}, 1 + 2j]
BINARY_FORMS = {
    "v + bad": lambda v, bad: v + bad, "bad + v": lambda v, bad: bad + v,
    "v - bad": lambda v, bad: v - bad, "bad - v": lambda v, bad: bad - v,
    "v * bad": lambda v, bad: v * bad, "bad * v": lambda v, bad: bad * v,
    "v / bad": lambda v, bad: v / bad, "bad / v": lambda v, bad: bad / v,
    "v ** bad": lambda v, bad: v ** bad, "bad ** v": lambda v, bad: bad ** v,
    "Value(bad)": lambda v, bad: Value(bad),
}


@pytest.mark.parametrize("bad", BAD_OPERANDS, ids=lambda b: type(b).__name__)
@pytest.mark.parametrize("form", BINARY_FORMS)
def test_a_non_number_operand_is_a_type_error_naming_its_type(form, bad):
    # bool is refused too: `v * (y == 1)` is more likely a slip than a wish
    with pytest.raises(TypeError, match=type(bad).__name__):
        BINARY_FORMS[form](Value(2.0), bad)


def test_numpy_scalars_are_numbers():
    np = pytest.importorskip("numpy")
    v = Value(2.0)
    assert (v * np.int64(3)).data == 6.0
    assert (v + np.float32(0.5)).data == 2.5
    assert Value(np.int64(4)).data == 4.0 and type(Value(np.int64(4)).data) is float


# --- IEEE edge cases ---------------------------------------------------------------

INF, NAN = math.inf, math.nan


def _same(a, b):
    return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))


@pytest.mark.parametrize("expression, expected", [
    (lambda: Value(1000.0).exp(), INF),
    (lambda: Value(-1000.0).exp(), 0.0),
    (lambda: Value(0.0).log(), -INF),
    (lambda: Value(-1.0).log(), NAN),
    (lambda: Value(INF).log(), INF),
    (lambda: Value(1.0) / 0, INF),
    (lambda: Value(-1.0) / 0, -INF),
    (lambda: Value(1.0) / -0.0, -INF),
    (lambda: Value(0.0) / 0, NAN),
    (lambda: 1 / Value(0.0), INF),
    (lambda: Value(0.0) ** -1, INF),
    (lambda: Value(-0.0) ** -1, -INF),
    (lambda: Value(0.0) ** -0.5, INF),
    (lambda: Value(-8.0) ** (1 / 3), NAN),
    (lambda: Value(-8.0) ** Value(1 / 3), NAN),
    (lambda: Value(10.0) ** 400, INF),
    (lambda: Value(-10.0) ** 401, -INF),
    (lambda: Value(-10.0) ** 400.5, NAN),
    (lambda: Value(0.1) ** -400, INF),
    (lambda: 10 ** Value(400.0), INF),
    (lambda: Value(1e200) * 1e200, INF),
    (lambda: Value(1000.0).sigmoid(), 1.0),
    (lambda: Value(-1000.0).sigmoid(), 0.0),
    (lambda: Value(1000.0).tanh(), 1.0),
    (lambda: Value(-1000.0).tanh(), -1.0),
    (lambda: Value(INF).sigmoid(), 1.0),
    (lambda: Value(-INF).relu(), 0.0),
    (lambda: Value(NAN).relu(), NAN),
])
def test_ieee_results_instead_of_exceptions(expression, expected):
    out = expression()
    assert type(out.data) is float
    assert _same(out.data, expected), f"got {out.data!r}, expected {expected!r}"


@pytest.mark.parametrize("x", [1000.0, -1000.0, 50.0, -50.0])
@pytest.mark.parametrize("method", ["sigmoid", "tanh"])
def test_saturated_sigmoid_and_tanh_have_finite_gradients(method, x):
    v = Value(x)
    out = getattr(v, method)()
    out.backward()
    assert math.isfinite(out.data) and math.isfinite(v.grad) and 0.0 <= v.grad < 1e-20


ANY_FLOAT = st.floats()  # inf, -inf, nan, subnormals and -0.0 included
UNARY = {
    "-a": lambda a: -a, "exp": Value.exp, "log": Value.log, "tanh": Value.tanh,
    "sigmoid": Value.sigmoid, "relu": Value.relu, "leaky_relu": Value.leaky_relu,
}
BINARY = {
    "a + b": lambda a, b: a + b, "a - b": lambda a, b: a - b, "a * b": lambda a, b: a * b,
    "a / b": lambda a, b: a / b, "a ** b": lambda a, b: a ** b,
    "a ** number": lambda a, b: a ** b.data, "number ** a": lambda a, b: b.data ** a,
    "number - a": lambda a, b: b.data - a, "number / a": lambda a, b: b.data / a,
    "weighted_sum": lambda a, b: weighted_sum([a, b], [b, a], a), "total": lambda a, b: total([a, b]),
}


def _assert_real_floats(out, *inputs):
    for number in (out.data, *out._local_grads, *(v.grad for v in inputs)):
        assert type(number) is float, f"{number!r} is a {type(number).__name__}"


@settings(deadline=None, max_examples=300)
@given(ANY_FLOAT)
def test_no_unary_operation_raises_or_goes_complex_on_any_float(x):
    for name, operation in UNARY.items():
        a = Value(x)
        out = operation(a)
        out.backward()
        _assert_real_floats(out, a)


@settings(deadline=None, max_examples=300)
@given(ANY_FLOAT, ANY_FLOAT)
def test_no_binary_operation_raises_or_goes_complex_on_any_floats(x, y):
    for name, operation in BINARY.items():
        a, b = Value(x), Value(y)
        out = operation(a, b)
        out.backward()
        _assert_real_floats(out, a, b)


@settings(deadline=None)
@given(ANY_FLOAT, st.integers(-10 ** 400, 10 ** 400))
def test_any_int_operand_works_and_one_too_large_for_a_float_is_infinite(x, n):
    for out in (Value(x) + n, n - Value(x), Value(x) * n, n / Value(x), Value(x) ** n,
                n ** Value(x), Value(n)):
        assert type(out.data) is float
    assert Value(-10 ** 400).data == -INF
    assert (Value(2.0) * 10 ** 400).data == INF


def _same_up_to_rounding(a, b):
    """Like _same, but two finite results may differ in their last bits: NumPy's vectorised
    pow is not correctly rounded, and which code it runs depends on the CPU (AVX-512 or not)."""
    if math.isfinite(a) and math.isfinite(b):
        return (math.copysign(1, a) == math.copysign(1, b)
                and math.isclose(a, b, rel_tol=1e-14, abs_tol=1e-300))
    return _same(a, b)


@settings(deadline=None)
@given(ANY_FLOAT, ANY_FLOAT)
def test_power_follows_ieee_pow_as_numpy_does(x, y):
    # IEEE pow: nan for a negative base and a fractional exponent, +-inf on overflow
    np = pytest.importorskip("numpy")
    with np.errstate(all="ignore"):
        expected = float(np.power(np.float64(x), np.float64(y)))
    assert _same_up_to_rounding((Value(x) ** y).data, expected)
    assert _same_up_to_rounding((Value(x) ** Value(y)).data, expected)


def test_power_of_a_large_result_agrees_with_numpy_to_the_last_bits():
    # 3 ** 56: NumPy 1.x's AVX-512 pow gives ...605e+26, Python's correctly rounded ...606e+26
    np = pytest.importorskip("numpy")
    assert _same_up_to_rounding((Value(3.0) ** 56.0).data, float(np.power(3.0, 56.0)))
    assert not _same_up_to_rounding((Value(3.0) ** 56.0).data, -float(np.power(3.0, 56.0)))


def test_repr_shows_data_grad_and_label():
    v = Value(1.5, label="w1")
    assert repr(v) == "Value(data=1.5, grad=0, label='w1')"


@pytest.mark.parametrize("module", ["engine", "nn", "losses", "optim", "data", "train"])
def test_the_docstring_examples_give_what_they_show(module):
    import doctest
    import importlib
    result = doctest.testmod(importlib.import_module(f"annlib.{module}"))
    assert result.failed == 0
