"""Tests of annlib.viz: the artists every plot carries (graphs: test_graph.py)."""

import math
import time

import matplotlib
import numpy as np
import pytest
from matplotlib.contour import ContourSet

matplotlib.use("Agg")

from annlib import Value  # noqa: E402
from annlib import viz  # noqa: E402
from annlib.data import make_blobs, make_moons  # noqa: E402
from annlib.nn import MLP, Neuron  # noqa: E402
from annlib.train import fit  # noqa: E402

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


def test_draw_graph_is_still_importable_from_viz():
    from annlib import graph
    assert viz.draw_graph is graph.draw_graph
    assert viz.GraphTooLargeError is graph.GraphTooLargeError
