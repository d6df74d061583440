"""Tests of annlib.viz: the DOT that draw_graph writes, and the artists every plot carries."""

import math
import re
import time

import graphviz
import matplotlib
import numpy as np
import pytest
from IPython.core.formatters import DisplayFormatter
from matplotlib.contour import ContourSet

matplotlib.use("Agg")

from annlib import Value  # noqa: E402
from annlib import viz  # noqa: E402
from annlib.data import make_blobs, make_moons  # noqa: E402
from annlib.engine import total  # noqa: E402
from annlib.nn import MLP, Neuron  # noqa: E402
from annlib.train import fit  # noqa: E402

from learner_engine import Scalar  # noqa: E402

# --- reading DOT back ---------------------------------------------------------

NODE = re.compile(r'^\s*(\w+) \[label=("(?:[^"\\]|\\.)*"|\S+).*\]$', re.M)
EDGE = re.compile(r"^\s*(\w+) -> (\w+)(?: \[(.*)\])?$", re.M)


def records(graph):
    """{node id: label} for the value boxes (record nodes)."""
    return {m.group(1): m.group(2).strip('"') for m in NODE.finditer(graph.source)
            if "shape=record" in m.group(0)}


def ops(graph):
    return {m.group(1): m.group(2).strip('"') for m in NODE.finditer(graph.source)
            if "shape=circle" in m.group(0)}


def edges(graph):
    return [(m.group(1), m.group(2), m.group(3) or "") for m in EDGE.finditer(graph.source)]


def node_line(graph, label_start):
    lines = [l for l in graph.source.splitlines() if f'label="{{ {label_start} |' in l]
    assert len(lines) == 1, f"expected one box labelled {label_start!r}, found {lines}"
    return lines[0]


def neuron_output():
    n = Neuron(2, activation="tanh", random_state=0)
    a = n([1.0, -2.0])
    a.backward()
    return n, a


# --- draw_graph: nodes, edges, labels -------------------------------------------------

def test_neuron_graph_has_a_box_per_value_and_a_circle_per_operation():
    n, a = neuron_output()
    g = viz.draw_graph(a)
    assert isinstance(g, graphviz.Digraph)
    assert len(records(g)) == 7            # w1, w2, x1, x2, b, z, a
    assert sorted(ops(g).values()) == ["tanh", "Σwx+b"]
    # 5 inputs -> Σ circle, Σ circle -> z, z -> tanh circle, tanh circle -> a
    assert len(edges(g)) == 8
    assert g.node_count == 9
    assert "rankdir=LR" in g.source


def test_boxes_show_label_data_and_grad_in_course_notation():
    n, a = neuron_output()
    g = viz.draw_graph(a)
    line = node_line(g, "w1")
    assert f"data {n.w[0].data:.4f}" in line
    assert f"grad {n.w[0].grad:.4f}" in line
    for label in ("w2", "b", "z", "a", "x1", "x2"):   # unlabeled inputs of a neuron: x_k
        node_line(g, label)
    assert f"data {-2.0:.4f}" in node_line(g, "x2")


def test_show_grad_false_leaves_the_grad_field_out():
    _, a = neuron_output()
    g = viz.draw_graph(a, show_grad=False)
    assert "grad" not in g.source
    assert "data" in g.source


def test_edges_run_from_inputs_through_the_operation_to_the_result():
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    L = a * b
    L.label = "L"
    g = viz.draw_graph(L)
    ids = {label.split(" | ")[0].strip("{ "): node for node, label in records(g).items()}
    op = next(iter(ops(g)))
    pairs = {(s, t) for s, t, _ in edges(g)}
    assert pairs == {(ids["a"], op), (ids["b"], op), (op, ids["L"])}
    assert ops(g)[op] == "*"


def test_direction_option_and_bad_direction():
    _, a = neuron_output()
    assert "rankdir=TB" in viz.draw_graph(a, direction="TB").source
    with pytest.raises(ValueError, match="direction must be"):
        viz.draw_graph(a, direction="sideways")


def test_record_special_characters_are_escaped():
    v = Value(1.0, label="a|b{c}")
    assert r"a\|b\{c\}" in viz.draw_graph(v).source


def test_title_becomes_the_graph_label():
    _, a = neuron_output()
    assert 'label="one neuron"' in viz.draw_graph(a, title="one neuron").source


def test_repr_has_no_memory_address():
    _, a = neuron_output()
    text = repr(viz.draw_graph(a))
    assert "0x" not in text and "9 nodes" in text


# --- highlight ----------------------------------------------------------------------

def test_highlight_one_value_colours_only_that_box():
    n, a = neuron_output()
    g = viz.draw_graph(a, highlight=n.w[0])
    assert viz.HIGHLIGHT in node_line(g, "w1")
    assert viz.HIGHLIGHT not in node_line(g, "w2")
    assert g.source.count(viz.HIGHLIGHT) == 1


def test_highlight_by_label_string():
    _, a = neuron_output()
    g = viz.draw_graph(a, highlight=["z", "b"])
    assert viz.HIGHLIGHT in node_line(g, "z") and viz.HIGHLIGHT in node_line(g, "b")
    assert viz.HIGHLIGHT not in node_line(g, "a")


def test_highlight_a_path_colours_its_edges():
    n, a = neuron_output()
    z = a._children[0]
    g = viz.draw_graph(a, highlight=[n.w[0], z, a])
    coloured = [e for e in edges(g) if "penwidth" in e[2]]
    # w1 -> Σ, Σ -> z, z -> tanh, tanh -> a
    assert len(coloured) == 4
    assert all("penwidth" not in e[2] for e in edges(g) if e not in coloured)


# --- size guard ------------------------------------------------------------------------

def batch_loss(n_examples, seed=0):
    X, y = make_moons(n_examples, noise=0.1, random_state=seed)
    model = MLP(2, [16, 16, 1], random_state=seed)
    return total([(model(list(x)) - t) ** 2 for x, t in zip(X, y)]), model


def test_too_large_graph_is_refused_with_its_size_and_what_to_draw_instead():
    loss, _ = batch_loss(3)
    with pytest.raises(viz.GraphTooLargeError) as info:
        viz.draw_graph(loss)
    message = str(info.value)
    size = int(re.search(r"has ([\d,]+) boxes", message).group(1).replace(",", ""))
    assert size > 150
    assert "max_nodes=150" in message
    assert "collapse=True" in message and "one neuron" in message
    assert isinstance(info.value, ValueError)


def elementary_training_loss(n_examples=100):
    """A 2-16-16-1 network's batch loss built from + and * only (as micrograd does)."""
    X, y = make_moons(n_examples, noise=0.1, random_state=0)
    model = MLP(2, [16, 16, 1], random_state=0)
    outputs = []
    for x in X:
        a = list(x)
        for layer in model.layers:
            a = [sum((w * ai for w, ai in zip(n.w, a)), n.b) for n in layer.neurons]
            a = [z.relu() for z in a] if layer is not model.layers[-1] else a
        outputs.append(a[0])
    return sum(((o - t) ** 2 for o, t in zip(outputs, y)), Value(0.0))


def test_a_whole_training_step_is_refused_quickly_without_building_dot():
    loss = elementary_training_loss(100)
    n_values = len(loss.topological_order())
    assert n_values > 50_000
    start = time.perf_counter()
    with pytest.raises(viz.GraphTooLargeError, match=f"{n_values:,} values"):
        viz.draw_graph(loss)
    assert time.perf_counter() - start < 2.0


def test_collapse_draws_each_neuron_as_one_block():
    model = MLP(2, [3, 1], activation="tanh", random_state=0)
    out = model([0.5, -1.0])
    full = viz.draw_graph(out)
    collapsed = viz.draw_graph(out, collapse=True)
    assert collapsed.node_count < full.node_count
    assert "W1[1,1]" in full.source and "W1[1,1]" not in collapsed.source
    blocks = [l for l in records(collapsed).values() if "Σ w·x + b" in l]
    assert len(blocks) == 4                        # 3 hidden neurons + 1 output neuron
    assert "Σwx+b" not in ops(collapsed).values()  # no separate weighted-sum circles
    assert any("z1[2] = Σ w·x + b (2 inputs)" in l for l in blocks)


def test_collapse_lets_a_16_16_1_network_fit_the_default_limit():
    model = MLP(2, [16, 16, 1], random_state=0)
    out = model([0.5, -1.0])
    with pytest.raises(viz.GraphTooLargeError):
        viz.draw_graph(out)
    assert viz.draw_graph(out, collapse=True).node_count <= 150


def test_max_nodes_none_draws_a_deep_chain_without_recursion():
    x = Value(0.5, label="x")
    v = x
    for _ in range(3000):
        v = v * 1.0001
    g = viz.draw_graph(v, max_nodes=None)
    assert g.node_count == 3001 + 3000 * 2   # values, constants 1.0001, op circles
    assert len(edges(g)) == 3000 * 3


# --- missing dot ----------------------------------------------------------------------

def test_display_with_dot_gives_svg():
    _, a = neuron_output()
    bundle = viz.draw_graph(a)._repr_mimebundle_()
    assert bundle["image/svg+xml"].lstrip().startswith(("<?xml", "<svg"))


@pytest.fixture
def no_dot(monkeypatch):
    """Pretend Graphviz's `dot` is not installed: no executable on PATH."""
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(graphviz.ExecutableNotFound):
        graphviz.Digraph().pipe(format="svg")


def test_display_without_dot_shows_install_help_and_dot_source(no_dot):
    _, a = neuron_output()
    g = viz.draw_graph(a)
    data, _ = DisplayFormatter().format(g)      # what IPython does to show it: no traceback
    assert "image/svg+xml" not in data
    for text in (data["text/plain"], data["text/html"]):
        for how in ("conda install", "apt-get install graphviz", "brew install graphviz",
                    "winget install"):
            assert how in text
    assert g.source in data["text/plain"]
    assert "digraph {" in data["text/html"] and "data 0.4871" in data["text/html"]


def test_svg_helper_without_dot_returns_the_help_as_html(no_dot):
    _, a = neuron_output()
    assert "brew install graphviz" in viz.draw_graph(a).svg()


# --- plots: activation ------------------------------------------------------------------

@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
def test_plot_activation_shows_function_beside_derivative(name):
    fig = viz.plot_activation(name)
    ax_f, ax_d = fig.axes
    assert ax_f.get_title() and ax_d.get_title() and "derivative" in ax_d.get_title()
    assert ax_f.get_xlabel() and ax_f.get_ylabel() and ax_d.get_ylabel()
    (line_f,), (line_d,) = ax_f.get_lines()[:1], ax_d.get_lines()[:1]
    z, f = line_f.get_data()
    _, d = line_d.get_data()
    # compare with the engine itself at a few points away from the kink at 0
    for i in (20, 150, 390):
        v = Value(float(z[i]))
        out = v if name == "linear" else getattr(v, name)()
        out.backward()
        assert f[i] == pytest.approx(out.data, abs=1e-12)
        assert d[i] == pytest.approx(v.grad, abs=1e-12)


def test_plot_activation_on_one_axes_has_a_legend_for_both_curves():
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    assert viz.plot_activation("tanh", ax=ax) is fig
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["tanh(z)", "tanh'(z)"]


def test_plot_activation_unknown_name():
    with pytest.raises(ValueError, match="unknown activation 'softplus'"):
        viz.plot_activation("softplus")


def test_vanishing_gradient_matches_the_product_of_slopes():
    fig = viz.plot_vanishing_gradient(8, ["sigmoid", "tanh"], z=[0.0, 2.0])
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    lines = {t.get_text(): l for t, l in zip(ax.get_legend().get_texts(), ax.get_lines())}
    assert set(lines) == {"sigmoid, z = 0", "sigmoid, z = 2", "tanh, z = 0", "tanh, z = 2"}
    k, g = lines["sigmoid, z = 0"].get_data()
    assert np.allclose(g, 0.25 ** k)
    s = 1 / (1 + math.exp(-2))
    k, g = lines["sigmoid, z = 2"].get_data()
    assert np.allclose(g, (s * (1 - s)) ** k)
    k, g = lines["tanh, z = 2"].get_data()
    assert np.allclose(g, (1 - math.tanh(2) ** 2) ** k)


# --- plots: decision boundary ------------------------------------------------------------

def test_model_scores_fast_path_equals_the_engine():
    rng = np.random.default_rng(1)
    points = rng.normal(size=(25, 2))
    for model in (MLP(2, [5, 4, 1], activation="tanh", random_state=0),
                  MLP(2, [4, 3], activation="leaky_relu", output_activation="sigmoid", random_state=1),
                  Neuron(2, activation="sigmoid", random_state=2)):
        expected = []
        for p in points:
            out = model(list(p))
            expected.append([o.data for o in out] if isinstance(out, list) else out.data)
        assert np.allclose(viz.model_scores(model, points), np.array(expected), atol=1e-12)


def test_decision_boundary_has_regions_boundary_points_and_labels():
    X, y = make_moons(60, noise=0.1, random_state=0)
    model = Neuron(2, random_state=0)                   # z = x1 - x2 + 0.2
    model.w[0].data, model.w[1].data, model.b.data = 1.0, -1.0, 0.2
    fig = viz.plot_decision_boundary(model, X, y, title="one neuron")
    ax = fig.axes[0]
    contour_sets = [c for c in ax.collections if isinstance(c, ContourSet)]
    assert len(contour_sets) == 2                       # filled regions + the z = 0 line
    assert contour_sets[1].levels.tolist() == [0.0]
    x1, x2 = np.concatenate(contour_sets[1].allsegs[0]).T
    assert np.allclose(x1 - x2 + 0.2, 0.0, atol=1e-9)     # the line drawn is z = 0
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["class 0", "class 1", "decision boundary"]
    assert ax.get_title() == "one neuron" and ax.get_xlabel() and ax.get_ylabel()


def test_decision_boundary_is_fast_for_a_16_16_1_network():
    X, y = make_moons(100, noise=0.1, random_state=0)
    model = MLP(2, [16, 16, 1], random_state=0)
    viz.plot_decision_boundary(model, X, y, resolution=60)   # warm up matplotlib
    start = time.perf_counter()
    viz.plot_decision_boundary(model, X, y, resolution=60)
    assert time.perf_counter() - start < 1.0


def test_decision_boundary_of_any_callable_and_of_several_classes():
    X, y = make_blobs(60, centers=3, random_state=0)
    model = MLP(2, [6, 3], random_state=0)
    fig = viz.plot_decision_boundary(lambda x: model(x), X, y, resolution=15)
    ax = fig.axes[0]
    regions = [c for c in ax.collections if isinstance(c, ContourSet)][0]
    assert len(regions.levels) == 4                      # 3 classes: edges -0.5 .. 2.5
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1", "class 2"]


def test_decision_boundary_rejects_data_that_is_not_2d():
    with pytest.raises(ValueError, match=r"shape \(n, 2\), got \(4, 3\)"):
        viz.plot_decision_boundary(MLP(3, [1]), np.zeros((4, 3)), [0, 1, 0, 1])


# --- plots: history, surface, dashboard ---------------------------------------------------

def test_plot_history_with_and_without_accuracy():
    fig = viz.plot_history({"loss": [3, 2, 1], "accuracy": [.5, .7, .9], "val_accuracy": [.4, .6, .8]})
    ax_loss, ax_acc = fig.axes
    assert ax_loss.get_title() == "Loss" and ax_acc.get_title() == "Accuracy"
    assert ax_loss.get_xlabel() == "epoch" and ax_acc.get_ylabel() == "accuracy"
    assert len(ax_acc.get_lines()) == 2 and ax_acc.get_legend() is not None
    assert list(ax_loss.get_lines()[0].get_ydata()) == [3, 2, 1]
    assert len(viz.plot_history([3, 2, 1]).axes) == 1
    with pytest.raises(ValueError, match="non-empty 'loss'"):
        viz.plot_history({"loss": []})


def test_loss_surface_has_contours_and_one_line_per_path():
    paths = {"batch": [(2.5, 2.0), (1.5, 0.4), (0.9, 0.1)],
             "stochastic": [(2.5, 2.0), (2.0, -0.5), (0.5, 0.3)]}
    fig = viz.plot_loss_surface(lambda w1, w2: w1 ** 2 + 4 * w2 ** 2, (-3, 3), paths=paths)
    ax = fig.axes[0]
    assert any(isinstance(c, ContourSet) for c in ax.collections)
    assert ax.get_title() and ax.get_xlabel() == "$w_1$" and ax.get_ylabel() == "$w_2$"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["batch", "stochastic"]
    batch_line = next(l for l in ax.get_lines() if l.get_label() == "batch")
    assert list(batch_line.get_xdata()) == [2.5, 1.5, 0.9]


def test_loss_surface_accepts_a_loss_that_works_on_numbers_only():
    def scalar_loss(w1, w2):          # math.exp refuses arrays: one call per point
        return math.exp(0.1 * w1) + w2 * w2
    vectorised = viz._evaluate_surface(lambda a, b: np.exp(0.1 * a) + b * b,
                                       *np.meshgrid(np.linspace(-1, 1, 5), np.linspace(-2, 2, 5)))
    scalar = viz._evaluate_surface(scalar_loss, *np.meshgrid(np.linspace(-1, 1, 5), np.linspace(-2, 2, 5)))
    assert np.allclose(vectorised, scalar)
    fig = viz.plot_loss_surface(lambda w1, w2: Value(w1) ** 2 + w2 ** 2, ((-1, 1), (-2, 2)), resolution=10)
    assert fig.axes[0].get_xlim() == (-1, 1) and fig.axes[0].get_ylim() == (-2, 2)


def test_training_dashboard_redraws_during_fit():
    X, y = make_moons(40, noise=0.1, random_state=0)
    model = MLP(2, [8, 1], random_state=0)
    dashboard = viz.TrainingDashboard(model, X, y, epochs=4, every=2, resolution=20)
    history = fit(model, X, y, loss="hinge", lr=0.1, epochs=4, progress=False, callback=dashboard.update)
    assert dashboard.draws == 1 + 2                  # the empty start, epochs 2 and 4
    ax_loss, ax_boundary = dashboard.figure.axes[:2]
    assert list(ax_loss.get_lines()[0].get_ydata()) == history["loss"]
    assert ax_loss.get_xlabel() == "epoch" and ax_loss.get_ylabel()
    assert ax_boundary.get_title().startswith("Decision boundary, epoch 4/4")


def test_show_digits_titles_and_wrong_predictions_in_red():
    images = np.arange(3 * 64).reshape(3, 64)
    fig = viz.show_digits(images, labels=[1, 2, 3], predictions=[1, 7, 3], ncols=2)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[:3] == ["1", "7 (true 2)", "3"]
    assert fig.axes[1].title.get_color() == "red"
    assert len(fig.axes) == 4 and not fig.axes[3].axison     # grid 2x2, last one blank
    assert fig._suptitle.get_text() == "Predicted digits"
    with pytest.raises(ValueError, match="square images"):
        viz.show_digits(np.zeros((2, 10)))


def test_confusion_matrix_counts():
    fig = viz.plot_confusion_matrix([0, 0, 1, 1, 2], [0, 1, 1, 1, 0])
    ax = fig.axes[0]
    counts = [[int(t.get_text()) for t in ax.texts[i * 3:(i + 1) * 3]] for i in range(3)]
    assert counts == [[1, 1, 0], [0, 2, 0], [1, 0, 0]]
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    assert "60.0%" in ax.get_title()


def test_plots_are_closed_from_pyplot():
    import matplotlib.pyplot as plt
    before = plt.get_fignums()
    viz.plot_activation("relu")
    viz.plot_history([1, 0.5])
    assert plt.get_fignums() == before


# --- a learner's own engine ----------------------------------------------------------------

class MicrogradStyle:
    """micrograd's layout: children in a set called _prev, no label."""

    def __init__(self, data, _prev=(), _op=""):
        self.data, self.grad, self._prev, self._op = data, 0.0, set(_prev), _op


def test_draw_graph_works_on_a_learners_own_engine():
    a, b = Scalar(2.0, "a"), Scalar(-3.0, "b")
    L = a * b
    L.label = "L"
    g = viz.draw_graph(L, highlight="a")
    assert len(records(g)) == 3 and list(ops(g).values()) == ["*"]
    assert viz.HIGHLIGHT in node_line(g, "a")
    x = MicrogradStyle(1.0)
    y = MicrogradStyle(2.0, (x,), "exp")
    g = viz.draw_graph(y)
    assert len(records(g)) == 2 and list(ops(g).values()) == ["exp"]


def test_graph_nodes_of_a_look_alike_is_iterative_and_children_first():
    v = Scalar(1.0, "x")
    for _ in range(5000):
        v = v * Scalar(1.0)
    order = viz.graph_nodes(v)
    assert len(order) == 10001 and order[-1] is v and order[0].label == "x"
