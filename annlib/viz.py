"""Plots of what a network computes, with matplotlib.

An activation beside its derivative, the vanishing gradient, decision
boundaries, loss curves, loss surfaces with descent paths, a live training
dashboard, digits and a confusion matrix. Computation graphs live in
`annlib.graph`; ``draw_graph`` is importable from here too, as the chapters do.

Every plotting function returns its matplotlib ``Figure`` and closes it from
pyplot, so a notebook shows it exactly once when it is the last expression of a
cell (and a script can call ``fig.savefig(...)``).
"""

import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.lines import Line2D

from .engine import Value
# Re-exported: notebooks write `from annlib.viz import draw_graph`.
from .graph import (DOT_INSTALL_HELP, ComputationGraph, GraphTooLargeError, children_of,
                    draw_graph, graph_nodes)
from .train import _in_notebook

__all__ = [
    "draw_graph", "GraphTooLargeError", "ComputationGraph", "DOT_INSTALL_HELP",
    "ACTIVATION_FUNCTIONS", "plot_activation", "plot_vanishing_gradient",
    "plot_decision_boundary", "plot_history", "plot_loss_surface",
    "TrainingDashboard", "show_digits", "plot_confusion_matrix", "model_scores",
    "graph_nodes", "children_of",
]

# =============================================================================
# Activation functions (numpy versions of the engine's, for plotting)
# =============================================================================

def _sigmoid(z):
    # exp only ever sees a non-positive argument: no overflow warnings
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _tanh_derivative(z):
    return 1.0 - np.tanh(z) ** 2


def _sigmoid_derivative(z):
    s = _sigmoid(z)
    return s * (1.0 - s)


# name -> (f, f', formula in matplotlib mathtext). Derivatives at a kink (z = 0)
# follow the engine: relu'(0) = 0, leaky_relu'(0) = alpha.
ACTIVATION_FUNCTIONS = {
    "sigmoid": (_sigmoid, _sigmoid_derivative, r"$\sigma(z) = 1 / (1 + e^{-z})$"),
    "tanh": (np.tanh, _tanh_derivative, r"$\tanh(z) = (e^z - e^{-z}) / (e^z + e^{-z})$"),
    "relu": (lambda z: np.where(z > 0, z, 0.0), lambda z: np.where(z > 0, 1.0, 0.0),
             r"$\mathrm{ReLU}(z) = \max(0, z)$"),
    "leaky_relu": (lambda z: np.where(z > 0, z, 0.01 * z), lambda z: np.where(z > 0, 1.0, 0.01),
                   r"$\mathrm{LeakyReLU}(z) = \max(0.01 z, z)$"),
    "linear": (lambda z: np.asarray(z, dtype=float) * 1.0, lambda z: np.ones_like(z, dtype=float),
               r"$f(z) = z$"),
}


def _activation(name):
    if name not in ACTIVATION_FUNCTIONS:
        raise ValueError(f"unknown activation {name!r}: expected one of "
                         + ", ".join(repr(n) for n in ACTIVATION_FUNCTIONS))
    return ACTIVATION_FUNCTIONS[name]


def plot_activation(name, x_range=(-6, 6), ax=None):
    """Plot an activation function f(z) beside its derivative f'(z).

    `ax` may be None (a new figure with two panels), a pair of Axes, or one
    Axes (both curves on it, with a legend).

    >>> fig = plot_activation("sigmoid")   # f'(0) = 0.25 is the largest slope
    """
    f, df, formula = _activation(name)
    z = np.linspace(x_range[0], x_range[1], 401)
    if ax is None:
        fig, (ax_f, ax_df) = plt.subplots(1, 2, figsize=(9, 3.4))
        plt.close(fig)
    elif isinstance(ax, (list, tuple, np.ndarray)):
        ax_f, ax_df = ax
        fig = ax_f.figure
    else:
        ax_f = ax_df = ax
        fig = ax.figure
    ax_f.plot(z, f(z), color="C0", lw=2, label=f"{name}(z)")
    ax_df.plot(z, df(z), color="C3", lw=2, label=f"{name}'(z)")
    for a in {ax_f, ax_df}:
        a.axhline(0, color="grey", lw=0.6)
        a.axvline(0, color="grey", lw=0.6)
        a.set_xlabel("z (pre-activation)")
        a.grid(alpha=0.3)
    if ax_f is ax_df:
        ax_f.set_title(f"{name} and its derivative\n{formula}")
        ax_f.set_ylabel("value")
        ax_f.legend()
    else:
        ax_f.set_title(f"{name}\n{formula}")
        ax_f.set_ylabel(f"{name}(z)")
        ax_df.set_title(f"derivative {name}'(z)")
        ax_df.set_ylabel(f"{name}'(z)")
    fig.tight_layout()
    return fig


def _gradient_through_layers(k, activation, z):
    """d a^[k] / d a^[0] through k one-unit layers whose pre-activation is z each, via backward()."""
    x = Value(0.0, label="x")
    a = x
    for _ in range(k):
        # z^[l] = 1 * a^[l-1] + b^[l], with b^[l] chosen so that z^[l] equals z
        pre = a * 1.0 + (z - a.data)
        a = pre if activation == "linear" else getattr(pre, activation)()
    a.backward()
    return abs(x.grad)


def plot_vanishing_gradient(max_layers=10, activation="sigmoid", z=(0.0, 2.0, 4.0), ax=None):
    """How much gradient survives k layers: |d a^[k] / d a^[0]| = prod_l |f'(z^[l])| (weights 1).

    `activation` and `z` may be single values or lists; one line per pair.
    Each point is computed with the engine's own ``backward()`` on a chain of
    k layers. Sigmoid's slope is at most 0.25, so even at z = 0 the gradient
    shrinks by 4x per layer; saturated layers (large |z|) are far worse.

    >>> fig = plot_vanishing_gradient(10, ["sigmoid", "tanh", "relu"], z=0.5)
    """
    activations = [activation] if isinstance(activation, str) else list(activation)
    zs = [z] if isinstance(z, (int, float)) else list(z)
    for name in activations:
        _activation(name)
    layers = np.arange(1, max_layers + 1)
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.5, 4))
        plt.close(fig)
    fig = ax.figure
    for name in activations:
        for z_value in zs:
            grads = [_gradient_through_layers(k, name, z_value) for k in layers]
            # a gradient of exactly 0 cannot go on a log scale: show it at the floor
            grads = np.maximum(grads, 1e-300)
            ax.plot(layers, grads, marker="o", ms=3, label=f"{name}, z = {z_value:g}")
    ax.set_yscale("log")
    ax.set_xlabel("number of layers k")
    ax.set_ylabel("|gradient reaching the input|")
    ax.set_title("The gradient through k layers")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    fig.tight_layout()
    return fig


# =============================================================================
# Decision boundaries
# =============================================================================

def _numpy_activation(name):
    return ACTIVATION_FUNCTIONS[name][0]


def _layer_matrices(layer):
    W = np.array([[w.data for w in n.w] for n in layer.neurons])
    b = np.array([n.b.data for n in layer.neurons])
    return W, b, layer.activation


def _fast_forward(model, X):
    """The forward pass of an annlib Neuron, Layer or MLP on many points at once, in numpy.

    Returns None for any other model. Same arithmetic as the engine, so the
    same decision boundary, thousands of times faster than one Value at a time.
    """
    from .nn import MLP, Layer, Neuron
    if type(model).__call__ is MLP.__call__:
        layers = [_layer_matrices(layer) for layer in model.layers]
    elif type(model).__call__ is Layer.__call__:
        layers = [_layer_matrices(model)]
    elif type(model).__call__ is Neuron.__call__:
        layers = [(np.array([[w.data for w in model.w]]), np.array([model.b.data]),
                   model.activation)]
    else:
        return None
    a = np.asarray(X, dtype=float)
    for W, b, activation in layers:
        a = _numpy_activation(activation)(a @ W.T + b)
    return a


def model_scores(model, X):
    """The model's raw outputs on every row of X: shape (n,) for one output, (n, k) for k.

    Uses a fast numpy forward pass for annlib's Neuron, Layer and MLP; calls
    ``model(x)`` on each point for anything else (a Value, a number or a list).
    """
    X = np.asarray(X, dtype=float)
    scores = _fast_forward(model, X)
    if scores is None:
        rows = []
        for x in X:
            out = model(list(x))
            if isinstance(out, (list, tuple)):
                rows.append([o.data if isinstance(o, Value) else float(o) for o in out])
            else:
                rows.append([out.data if isinstance(out, Value) else float(out)])
        scores = np.array(rows)
    return scores[:, 0] if scores.shape[1] == 1 else scores


def _threshold(model):
    """Where a single output splits the classes: 0.5 after a sigmoid, else 0 (as train.predict)."""
    layers = getattr(model, "layers", None)
    activation = layers[-1].activation if layers else getattr(model, "activation", "linear")
    return 0.5 if activation == "sigmoid" else 0.0


_CLASS_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                  "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def plot_decision_boundary(model, X, y, ax=None, title=None, resolution=100):
    """Colour the plane by the class `model` predicts, and draw the data on top.

    Works for any model taking one 2-D example: annlib's Neuron/Layer/MLP are
    evaluated in numpy on a resolution x resolution grid (fast); any other
    callable is called once per grid point, so give it a modest resolution.
    One output: class 1 where the output is above 0 (0.5 after a sigmoid);
    several outputs: the class with the largest score.

    >>> fig = plot_decision_boundary(model, X, y, title="after 50 epochs")
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary draws 2-D data: expected X of shape (n, 2), "
                         f"got {X.shape}")
    own_figure = ax is None
    if own_figure:
        fig, ax = plt.subplots(figsize=(5, 4.5))
        plt.close(fig)
    fig = ax.figure
    pad = 0.1 * (X.max(axis=0) - X.min(axis=0)) + 0.1
    lo, hi = X.min(axis=0) - pad, X.max(axis=0) + pad
    g1, g2 = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    scores = model_scores(model, np.c_[g1.ravel(), g2.ravel()])
    classes = np.unique(y)
    if scores.ndim == 1:
        threshold = _threshold(model)
        predicted = (scores > threshold).astype(int).reshape(g1.shape)
        n_regions = 2
    else:
        predicted = scores.argmax(axis=1).reshape(g1.shape)
        n_regions = scores.shape[1]
    colours = ListedColormap([_CLASS_COLOURS[i % 10] for i in range(n_regions)])
    ax.contourf(g1, g2, predicted, levels=np.arange(n_regions + 1) - 0.5, cmap=colours, alpha=0.25)
    handles = []
    if scores.ndim == 1:
        grid_scores = scores.reshape(g1.shape)
        if grid_scores.min() < threshold < grid_scores.max():
            ax.contour(g1, g2, grid_scores, levels=[threshold], colors="k", linewidths=1.5)
            handles.append(Line2D([], [], color="k", lw=1.5, label="decision boundary"))
    # labels -1/+1 (max-margin convention) are classes 0/1
    class_index = {c: (int(c > 0) if set(classes) <= {-1, 1} else int(c)) for c in classes}
    for c in classes:
        mask = y == c
        ax.scatter(X[mask, 0], X[mask, 1], s=18, edgecolor="k", linewidth=0.4,
                   color=_CLASS_COLOURS[class_index[c] % 10], label=f"class {c}")
    ax.legend(handles=ax.get_legend_handles_labels()[0] + handles, loc="best", fontsize=8)
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title or "Decision boundary")
    if own_figure:  # a caller's figure is the caller's to lay out (and costly to redo)
        fig.tight_layout()
    return fig


# =============================================================================
# Training curves and loss surfaces
# =============================================================================

def plot_history(history, title="Training history"):
    """Loss per epoch and, if the history has them, accuracy (and validation accuracy).

    `history` is what ``annlib.train.fit`` returns (a dict of lists), or a plain
    list of loss values.
    """
    if not isinstance(history, dict):
        history = {"loss": list(history)}
    if not history.get("loss"):
        raise ValueError("plot_history expects a history with a non-empty 'loss' list, "
                         f"got keys {sorted(history)}")
    has_accuracy = bool(history.get("accuracy"))
    fig, axes = plt.subplots(1, 2 if has_accuracy else 1, figsize=(10 if has_accuracy else 5.5, 3.6))
    plt.close(fig)
    axes = np.atleast_1d(axes)
    epochs = np.arange(1, len(history["loss"]) + 1)
    axes[0].plot(epochs, history["loss"], color="C0", marker="o" if len(epochs) <= 30 else None,
                 ms=3, label="training loss")
    if history.get("val_loss"):
        axes[0].plot(epochs, history["val_loss"], color="C1", label="validation loss")
    axes[0].set_xlabel("epoch")
    axes[0].set_ylabel("loss L")
    axes[0].set_title("Loss")
    axes[0].legend()
    if has_accuracy:
        axes[1].plot(epochs, history["accuracy"], color="C2", label="training accuracy")
        if history.get("val_accuracy"):
            axes[1].plot(epochs, history["val_accuracy"], color="C1", ls="--",
                         label="validation accuracy")
        axes[1].set_xlabel("epoch")
        axes[1].set_ylabel("accuracy")
        axes[1].set_ylim(-0.02, 1.02)
        axes[1].set_title("Accuracy")
        axes[1].legend()
    for a in axes:
        a.grid(alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def _evaluate_surface(loss_fn, w1, w2):
    """loss_fn on every grid point: one vectorised call when loss_fn accepts arrays
    (checked against single calls), else one call per point."""
    try:
        with np.errstate(all="ignore"):
            grid = np.asarray(loss_fn(w1, w2), dtype=float)
        if grid.shape == w1.shape:
            probes = [(0, 0), (-1, -1), (w1.shape[0] // 2, w1.shape[1] // 3)]
            if all(np.isclose(grid[i, j], float(loss_fn(float(w1[i, j]), float(w2[i, j]))),
                              rtol=1e-9, atol=1e-12, equal_nan=True) for i, j in probes):
                return grid
    except Exception:  # loss_fn works on numbers only: fall back below
        pass
    values = [float(_as_number(loss_fn(float(a), float(b)))) for a, b in zip(w1.ravel(), w2.ravel())]
    return np.array(values).reshape(w1.shape)


def _as_number(x):
    return x.data if isinstance(x, Value) else x


def plot_loss_surface(loss_fn, w_range, paths=None, ax=None, levels=30, resolution=80,
                      title="Loss surface"):
    """Contours of L(w1, w2), with optional descent paths drawn on top.

    loss_fn : function (w1, w2) -> float (or Value)
    w_range : (low, high) for both axes, or ((w1_low, w1_high), (w2_low, w2_high))
    paths : dict name -> list of (w1, w2), e.g. {"batch": [...], "stochastic": [...]}

    >>> fig = plot_loss_surface(lambda w1, w2: w1**2 + 4 * w2**2, (-3, 3),
    ...                         paths={"batch": [(2.5, 2), (1.5, 0.4), (0.9, 0.1)]})
    """
    w_range = np.asarray(w_range, dtype=float)
    (lo1, hi1), (lo2, hi2) = (w_range, w_range) if w_range.ndim == 1 else w_range
    w1, w2 = np.meshgrid(np.linspace(lo1, hi1, resolution), np.linspace(lo2, hi2, resolution))
    surface = _evaluate_surface(loss_fn, w1, w2)
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 5))
        plt.close(fig)
    fig = ax.figure
    contours = ax.contour(w1, w2, surface, levels=levels, cmap="viridis", linewidths=0.8)
    fig.colorbar(contours, ax=ax, label="loss L")
    styles = {"batch": "C3", "stochastic": "C1", "mini-batch": "C0"}
    for i, (name, path) in enumerate((paths or {}).items()):
        path = np.asarray(path, dtype=float)
        colour = styles.get(name, f"C{(i + 4) % 10}")
        ax.plot(path[:, 0], path[:, 1], "-o", color=colour, ms=2.5, lw=1.3, label=name)
        ax.plot(*path[0], "s", color=colour, ms=6)
        ax.plot(*path[-1], "*", color=colour, ms=11, markeredgecolor="k")
    if paths:
        ax.legend(title="descent (square: start, star: end)", fontsize=8, title_fontsize=8)
    ax.set_xlim(lo1, hi1)
    ax.set_ylim(lo2, hi2)
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    ax.set_title(title)
    fig.tight_layout()
    return fig


class TrainingDashboard:
    """A live view of training: the loss curve and the decision boundary, redrawn as it learns.

    Pass its `update` method (or the dashboard itself) to ``fit`` as the callback:

    >>> dashboard = TrainingDashboard(model, X, y, epochs=30)
    >>> history = fit(model, X, y, epochs=30, callback=dashboard.update)

    In a notebook it shows a progress bar and one figure that is replaced in
    place (a display handle), so the saved notebook keeps the final picture.
    Start such a cell with ``# NBVAL_IGNORE_OUTPUT``. Outside a notebook it
    only keeps ``.figure`` up to date. `every` redraws every k epochs.
    """

    def __init__(self, model, X, y, epochs, every=1, resolution=60, display=None):
        self.model, self.X, self.y = model, np.asarray(X), np.asarray(y)
        self.epochs, self.every, self.resolution = epochs, max(1, int(every)), resolution
        self.figure, (self.ax_loss, self.ax_boundary) = plt.subplots(1, 2, figsize=(10, 4))
        plt.close(self.figure)
        self.draws = 0
        self._draw([], 0)
        self.figure.tight_layout()  # once: later redraws keep the same layout
        self._display = _in_notebook() if display is None else display
        self._handle = self._progress = None
        if self._display:
            import ipywidgets
            from IPython.display import display as show
            self._progress = ipywidgets.IntProgress(value=0, min=0, max=epochs,
                                                    description="epoch 0/" + str(epochs))
            show(self._progress)
            self._handle = show(self.figure, display_id=True)

    def update(self, epoch, history, model=None):
        """Record epoch `epoch` (1-based) and redraw; the signature of fit's callback."""
        if model is not None:
            self.model = model
        losses = history["loss"] if isinstance(history, dict) else list(history)
        if self._progress is not None:
            self._progress.value = epoch
            self._progress.description = f"epoch {epoch}/{self.epochs}"
        if epoch % self.every == 0 or epoch >= self.epochs:
            accuracy = history.get("accuracy") if isinstance(history, dict) else None
            self._draw(losses, epoch, accuracy[-1] if accuracy else None)
            if self._handle is not None:
                self._handle.update(self.figure)

    __call__ = update

    def _draw(self, losses, epoch, accuracy=None):
        self.draws += 1
        ax = self.ax_loss
        ax.clear()
        ax.plot(np.arange(1, len(losses) + 1), losses, color="C0", label="training loss")
        ax.set_xlim(0.5, max(self.epochs, 1) + 0.5)
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss L")
        ax.set_title("Loss")
        ax.grid(alpha=0.3)
        ax.legend(loc="upper right")
        self.ax_boundary.clear()
        caption = f"Decision boundary, epoch {epoch}/{self.epochs}"
        if accuracy is not None:
            caption += f", accuracy {accuracy:.0%}"
        plot_decision_boundary(self.model, self.X, self.y, ax=self.ax_boundary, title=caption,
                               resolution=self.resolution)


# =============================================================================
# Digits and confusion matrices
# =============================================================================

def show_digits(images, labels=None, predictions=None, ncols=10, title=None):
    """Show a grid of 8x8 digit images, with their labels and (optionally) predictions.

    A wrong prediction is written in red: "7 (true 1)".
    """
    images = np.asarray(images, dtype=float)
    if images.ndim == 2:
        side = int(round(math.sqrt(images.shape[1])))
        if side * side != images.shape[1]:
            raise ValueError(f"show_digits expects square images, e.g. (n, 64) or (n, 8, 8); "
                             f"got shape {images.shape}")
        images = images.reshape(-1, side, side)
    n = len(images)
    if n == 0:
        raise ValueError("show_digits needs at least one image, got none")
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.1 * ncols, 1.3 * nrows + 0.4), squeeze=False)
    plt.close(fig)
    for i, ax in enumerate(axes.ravel()):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= n:
            ax.axis("off")
            continue
        ax.imshow(images[i], cmap="gray_r")
        if predictions is not None:
            wrong = labels is not None and predictions[i] != labels[i]
            text = f"{predictions[i]} (true {labels[i]})" if wrong else f"{predictions[i]}"
            ax.set_title(text, fontsize=9, color="red" if wrong else "black")
        elif labels is not None:
            ax.set_title(f"{labels[i]}", fontsize=9)
    default = "Predicted digits" if predictions is not None else "Digits"
    fig.suptitle(title or default)
    fig.tight_layout()
    return fig


def plot_confusion_matrix(y_true, y_pred, labels=None, title="Confusion matrix"):
    """Counts of (true class, predicted class) pairs; the diagonal holds the correct answers."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if len(y_true) != len(y_pred):
        raise ValueError(f"plot_confusion_matrix expects one prediction per label: got "
                         f"{len(y_true)} labels and {len(y_pred)} predictions")
    classes = list(labels) if labels is not None else sorted(set(y_true) | set(y_pred))
    index = {c: i for i, c in enumerate(classes)}
    counts = np.zeros((len(classes), len(classes)), dtype=int)
    for t, p in zip(y_true, y_pred):
        if t in index and p in index:
            counts[index[t], index[p]] += 1
    fig, ax = plt.subplots(figsize=(1 + 0.55 * len(classes) + 1.5, 1 + 0.55 * len(classes)))
    plt.close(fig)
    image = ax.imshow(counts, cmap="Blues")
    fig.colorbar(image, ax=ax, label="examples")
    for i in range(len(classes)):
        for j in range(len(classes)):
            ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=8,
                    color="white" if counts[i, j] > counts.max() / 2 else "black")
    ax.set_xticks(range(len(classes)), [str(c) for c in classes])
    ax.set_yticks(range(len(classes)), [str(c) for c in classes])
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    accuracy = np.trace(counts) / max(1, counts.sum())
    ax.set_title(f"{title} (accuracy {accuracy:.1%})")
    fig.tight_layout()
    return fig
