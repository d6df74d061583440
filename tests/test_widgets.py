"""Tests of annlib.widgets: the plain functions behind each explorer, and the backprop stepper."""

import math
import random

import ipywidgets
import matplotlib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

matplotlib.use("Agg")

from annlib import Value, widgets  # noqa: E402
from annlib.engine import total  # noqa: E402
from annlib.losses import mse  # noqa: E402
from annlib.nn import MLP, Neuron  # noqa: E402
from annlib.stepper import backprop_steps, describe_step, node_names  # noqa: E402

from learner_engine import Scalar  # noqa: E402


# --- the stepper's steps against backward() -----------------------------------------------

def expression():
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    f = Value(-2.0, label="f")
    L = d * f + a.tanh() * a        # a is used three times
    L.label = "L"
    return L


def neuron_loss():
    n = Neuron(3, activation="sigmoid", random_state=1)
    return mse([n([0.5, -1.0, 2.0])], [1.0])


def mlp_output():
    return MLP(2, [3, 2], activation="tanh", random_state=0)([0.3, -0.7])[1]


def grads_after_backward(root):
    """Gradients that a fresh backward() gives (leaves start at zero)."""
    nodes = root.topological_order()
    for n in nodes:
        n.grad = 0.0
    root.backward()
    return {n: n.grad for n in nodes}


@pytest.mark.parametrize("build", [expression, neuron_loss, mlp_output])
def test_the_last_step_holds_exactly_the_gradients_backward_gives(build):
    root = build()
    steps = backprop_steps(root)
    expected = grads_after_backward(root)
    assert set(steps[-1].grads) == set(expected)
    for node, grad in expected.items():
        assert steps[-1].grads[node] == grad          # bit for bit: same order of sums


@pytest.mark.parametrize("build", [expression, neuron_loss, mlp_output])
def test_steps_leave_the_users_gradients_untouched(build):
    root = build()
    nodes = root.topological_order()
    for i, n in enumerate(nodes):
        n.grad = 100.0 + i                           # sentinels
    steps = backprop_steps(root)
    widgets.backprop_stepper(root).go(len(steps) - 1)
    assert [n.grad for n in nodes] == [100.0 + i for i in range(len(nodes))]


def test_steps_follow_reverse_topological_order_one_node_at_a_time():
    root = expression()
    steps = backprop_steps(root)
    order = root.topological_order()
    interior = [n for n in reversed(order) if n._children]
    assert steps[0].node is root and steps[0].terms == () and steps[0].grads == {root: 1.0}
    assert [s.node for s in steps[1:]] == interior
    final = steps[-1].grads
    for step in steps[1:]:
        # a node is processed only once its own gradient is complete
        assert step.node in steps[step.index - 1].final
        assert step.terms[0].upstream == final[step.node]
        for term in step.terms:
            assert term.contribution == term.local * term.upstream
            assert term.after == term.before + term.contribution


def test_empty_and_final_gradients_as_the_pass_goes():
    root = expression()
    steps = backprop_steps(root)
    nodes = root.topological_order()
    assert len(steps[0].empty(nodes)) == len(nodes) - 1
    assert steps[-1].empty(nodes) == []
    assert steps[-1].final == frozenset(nodes)
    a = next(n for n in nodes if n.label == "a")
    # a feeds three nodes: its gradient is partial until the last of them is processed
    filled_at = [s.index for s in steps if a in s.grads]
    final_at = [s.index for s in steps if a in s.final]
    assert final_at[0] > filled_at[0]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-3, 3), min_size=3, max_size=3), st.integers(0, 10_000))
def test_random_expressions_match_backward(xs, seed):
    rng = random.Random(seed)
    leaves = [Value(x, label=f"x{i}") for i, x in enumerate(xs)]
    pool = list(leaves)
    for _ in range(8):
        u, v = rng.choice(pool), rng.choice(pool)
        op = rng.choice(["+", "*", "tanh", "sigmoid", "relu", "-"])
        pool.append({"+": lambda: u + v, "*": lambda: u * v, "-": lambda: u - v,
                     "tanh": u.tanh, "sigmoid": u.sigmoid, "relu": u.relu}[op]())
    root = total(pool[-3:])
    steps = backprop_steps(root)
    expected = grads_after_backward(root)
    assert all(steps[-1].grads[n] == g for n, g in expected.items())


def test_describe_step_shows_local_times_upstream_equals_contribution():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    L = a * b
    L.label = "L"
    steps = backprop_steps(L)
    lines = [l.strip() for l in describe_step(steps[1], node_names(L), L, len(steps))]
    assert lines[0].startswith("Step 1 of 1")
    assert "a: local dL/da = -3 × upstream dL/dL = 1 = -3; grad a: 0 - 3 = -3" in lines
    assert "b: local dL/db = 2 × upstream dL/dL = 1 = 2; grad b: 0 + 2 = 2" in lines


def test_unlabeled_nodes_get_names():
    x = Value(1.0)
    y = x * 2.0
    names = node_names(y)
    assert sorted(names.values()) == ["v1", "v2", "v3"]
    n = Neuron(2, random_state=0)
    z = n([0.5, -1.0])                        # inputs given as plain numbers
    named = node_names(z)
    assert sorted(named.values()) == ["b", "w1", "w2", "x1", "x2", "z"]


# --- the stepper widget -------------------------------------------------------------------

def test_stepper_widget_moves_and_shows_the_chain_rule_and_the_graph():
    n = Neuron(2, activation="tanh", random_state=0)
    a = n([1.0, -2.0])
    stepper = widgets.backprop_stepper(a)
    assert isinstance(stepper, ipywidgets.Widget)
    assert len(stepper.steps) == 3                      # seed, tanh node, weighted-sum node
    assert stepper.picture.value.startswith("<svg")
    assert "Still empty (?): w1, w2, x1, x2, b, z" in stepper.explanation.value
    start_dot = stepper.graph_for(0).source
    assert start_dot.count("grad ?") == 6 and "grad 1.0000" in start_dot
    stepper.buttons[2].click()                          # next
    assert stepper.position == 1
    assert "local da/dz" in stepper.explanation.value and "× upstream" in stepper.explanation.value
    stepper.go(99)                                      # clipped to the last step
    assert stepper.position == 2
    assert "none: backward is done" in stepper.explanation.value
    dot = stepper.graph_for(2).source
    assert "grad ?" not in dot and widgets.CURRENT in dot and widgets.RECEIVING in dot
    stepper.buttons[1].click()                          # back
    assert stepper.position == 1


def test_stepper_refuses_a_graph_too_large_to_read():
    from annlib.viz import GraphTooLargeError
    out = MLP(2, [16, 16, 1], random_state=0)([0.1, 0.2])
    with pytest.raises(GraphTooLargeError, match="collapse=True"):
        widgets.backprop_stepper(out)
    assert len(widgets.backprop_stepper(out, collapse=True).steps) == 1 + 33 + 32
    with pytest.raises(TypeError, match="expects a Value"):
        widgets.backprop_stepper(3.0)


# --- neuron_playground --------------------------------------------------------------------

def test_neuron_readout_counts_points_on_the_right_side():
    X = [[1, 1], [2, 0.5], [-1, -1], [-2, 1]]
    y = [1, 1, 0, 0]
    text, acc = widgets.neuron_readout(1.0, 0.0, 0.0, X, y)      # line x1 = 0
    assert acc == 1.0
    _, acc = widgets.neuron_readout(-1.0, 0.0, 0.0, X, y)        # the opposite side
    assert acc == 0.0
    text, _ = widgets.neuron_readout(0.5, -1.5, 0.25, X, y, activation="tanh", x=(1.0, 2.0))
    z = 0.5 * 1 - 1.5 * 2 + 0.25
    assert f"z = {z:.3f}, a = tanh(z) = {math.tanh(z):.3f}" in text
    assert "z = 0.50·x1 - 1.50·x2 + 0.25" in text


def _shown_text(widget):
    """The text a widget's Output area shows now (what the learner reads under the controls)."""
    outputs = [w for w in widget.children if isinstance(w, ipywidgets.Output)]
    assert len(outputs) == 1
    return "".join(o.get("text", "") for o in outputs[0].outputs if o["output_type"] == "stream")


def test_neuron_playground_redraws_when_a_slider_moves():
    widget = widgets.neuron_playground()
    sliders = [w for w in widget.children[0].children if isinstance(w, ipywidgets.FloatSlider)]
    assert [s.description for s in sliders] == ["w1", "w2", "b"]
    sliders[0].value = 2.0
    assert "z = 2.00·x1" in _shown_text(widget)
    output = [w for w in widget.children if isinstance(w, ipywidgets.Output)][0]
    assert [o["output_type"] for o in output.outputs] == ["stream", "display_data"]
    assert "Figure" in output.outputs[1]["data"]["text/plain"]   # the decision-line figure


# --- activation_explorer ------------------------------------------------------------------

@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
@pytest.mark.parametrize("z", [-4.0, -0.3, 0.7, 5.0])
def test_activation_readout_matches_the_engine(name, z):
    value, slope, text = widgets.activation_readout(name, z)
    v = Value(z)
    out = v if name == "linear" else getattr(v, name)()
    out.backward()
    assert value == pytest.approx(out.data, abs=1e-12)
    assert slope == pytest.approx(v.grad, abs=1e-12)
    assert f"{name}({z:.2f})" in text


def test_activation_readout_names_saturation_and_dead_relu():
    assert "saturated" in widgets.activation_readout("sigmoid", 8.0)[2]
    assert "no gradient" in widgets.activation_readout("relu", -1.0)[2]
    assert "shrinks" in widgets.activation_readout("sigmoid", 0.0)[2]


def test_activation_explorer_builds():
    widget = widgets.activation_explorer()
    dropdown, slider = widget.children[0].children
    dropdown.value = "tanh"
    assert "tanh(1.00) = 0.7616" in _shown_text(widget)


# --- learning_rate_explorer ---------------------------------------------------------------

def test_gradient_descent_path_follows_the_update_rule():
    path = widgets.gradient_descent_path(0.1, 3, w0=-2.0)
    w = -2.0
    for step in path[1:]:
        w = w - 0.1 * 2 * (w - widgets.W_STAR)
        assert step == pytest.approx(w)
    assert len(path) == 4


@pytest.mark.parametrize("lr, verdict", [(0.001, "too small"), (0.02, "too small"), (0.2, "good"),
                                         (0.45, "good"), (0.7, "too large"), (0.95, "too large"),
                                         (1.2, "divergent"), (2.0, "divergent")])
def test_learning_rate_verdicts(lr, verdict):
    path = widgets.gradient_descent_path(lr, 30)
    assert widgets.learning_rate_verdict(path)[0] == verdict


def test_a_divergent_path_stops_before_overflowing():
    path = widgets.gradient_descent_path(50.0, 500)
    assert all(np.isfinite(path)) and len(path) < 501
    assert widgets.learning_rate_verdict(path)[0] == "divergent"


def test_learning_rate_explorer_builds():
    widget = widgets.learning_rate_explorer()
    lr, steps = widget.children[0].children
    lr.value = 1.5
    assert "DIVERGENT" in _shown_text(widget)


# --- architecture_explorer ----------------------------------------------------------------

@pytest.mark.parametrize("nin, hidden, nout", [(2, [16, 16], 1), (64, [32], 10), (3, [], 2),
                                               (5, [4, 4, 4], 3)])
def test_architecture_table_counts_what_mlp_has(nin, hidden, nout):
    rows, total_count = widgets.architecture_table(nin, hidden, nout)
    model = MLP(nin, hidden + [nout], random_state=0)
    assert total_count == model.num_parameters()
    for row, layer in zip(rows, model.layers):
        assert row["W"] == (layer.nout, layer.nin) and row["b"] == (layer.nout,)
    assert rows[-1]["kind"] == "output"


def test_parse_layer_sizes():
    assert widgets.parse_layer_sizes("16, 16") == [16, 16]
    assert widgets.parse_layer_sizes(" 8;4 ,") == [8, 4]
    assert widgets.parse_layer_sizes("") == []
    for bad in ("16, x", "0", "-3", "2.5"):
        with pytest.raises(ValueError, match="positive whole numbers"):
            widgets.parse_layer_sizes(bad)


def test_architecture_explorer_shows_the_error_for_bad_sizes():
    widget = widgets.architecture_explorer()
    nin, hidden, nout = widget.children[0].children
    hidden.value = "16, oops"
    assert "positive whole numbers" in _shown_text(widget)
    hidden.value = "4"
    assert "total: 17 parameters" in _shown_text(widget)     # 4*2+4 + 1*4+1


def test_stepper_works_on_a_learners_own_engine():
    a, b, c = Scalar(2.0, "a"), Scalar(-3.0, "b"), Scalar(4.0, "c")
    L = (a * b) * c
    L.label = "L"
    steps = backprop_steps(L)
    final = steps[-1].grads
    assert (final[a], final[b], final[c]) == (-12.0, 8.0, -6.0)
    assert a.grad == 0.0                                   # the learner's graph is untouched
    stepper = widgets.backprop_stepper(L)
    stepper.go(1)
    assert "local dL/dc = -6 × upstream dL/dL = 1" in stepper.explanation.value
