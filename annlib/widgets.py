"""Interactive explorers for the notebooks (ipywidgets).

Each explorer is a few sliders wired to a plain function that does the work:
`neuron_readout`, `activation_readout`, `learning_rate_verdict`,
`architecture_table`, `backprop_steps`. Those functions need no browser, so
they are tested like any other code; the widgets only display their results.

In a notebook, show a widget as the last expression of a cell that starts with
``# NBVAL_IGNORE_OUTPUT`` (its output depends on the slider positions).
"""

import html

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np

from .engine import Value
from .graph import draw_graph, graph_nodes
from .stepper import BackpropStep, ChainRuleTerm, backprop_steps, describe_step, node_names
from .viz import ACTIVATION_FUNCTIONS

__all__ = [
    "neuron_playground", "neuron_readout",
    "activation_explorer", "activation_readout",
    "learning_rate_explorer", "gradient_descent_path", "learning_rate_verdict",
    "architecture_explorer", "parse_layer_sizes", "architecture_table",
    "backprop_stepper", "BackpropStepper", "backprop_steps", "BackpropStep", "ChainRuleTerm",
]


def _show(output, text, fig=None):
    """Replace what `output` shows with a line of text and a figure.

    The outputs are set from the kernel side rather than captured with
    ``with output: print(...)``: captured output makes nbclient (which runs the
    notebooks headless) lose a message now and then and stall until its timeout.
    """
    output.outputs = ()
    output.append_stdout(text + "\n")
    if fig is not None:
        output.append_display_data(fig)


# =============================================================================
# neuron_playground: one neuron, its output and its decision line
# =============================================================================

def _default_points():
    from .data import make_blobs
    return make_blobs(n_samples=40, centers=[(-1.2, -1.0), (1.2, 1.0)], cluster_std=0.6,
                      random_state=0)


def neuron_readout(w1, w2, b, X, y, activation="sigmoid", x=(1.0, 1.0)):
    """What one neuron z = w1 x1 + w2 x2 + b, a = f(z) does: a sentence and the accuracy of its line.

    A point is put in class 1 when z > 0 (the side of the line w1 x1 + w2 x2 + b = 0
    that w points to).

    >>> text, acc = neuron_readout(1.0, 1.0, 0.0, [[1, 1], [-1, -1]], [1, 0])
    >>> acc
    1.0
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    z_all = X @ np.array([w1, w2]) + b
    accuracy = float(np.mean((z_all > 0).astype(int) == y)) if len(y) else float("nan")
    z = w1 * x[0] + w2 * x[1] + b
    a = float(ACTIVATION_FUNCTIONS[activation][0](np.array(z)))
    text = (f"z = {w1:.2f}·x1 {_signed(w2)}·x2 {_signed(b)}.  For x = ({x[0]:g}, {x[1]:g}): "
            f"z = {z:.3f}, a = {activation}(z) = {a:.3f}.  "
            f"The line z = 0 puts {accuracy:.0%} of the points on their class's side.")
    return text, accuracy


def _signed(number):
    """' + 0.50' or ' - 0.50', so a formula never reads '+ -0.50'."""
    return f"- {abs(number):.2f}" if number < 0 else f"+ {number:.2f}"


def _neuron_figure(w1, w2, b, X, y):
    fig, ax = plt.subplots(figsize=(4.6, 4))
    plt.close(fig)
    lo, hi = X.min(axis=0) - 0.8, X.max(axis=0) + 0.8
    g1, g2 = np.meshgrid(np.linspace(lo[0], hi[0], 120), np.linspace(lo[1], hi[1], 120))
    ax.contourf(g1, g2, (w1 * g1 + w2 * g2 + b > 0).astype(int), levels=[-0.5, 0.5, 1.5],
                colors=["#1f77b4", "#d62728"], alpha=0.15)
    for c, colour in zip((0, 1), ("#1f77b4", "#d62728")):
        ax.scatter(*X[y == c].T, color=colour, edgecolor="k", lw=0.4, s=20, label=f"class {c}")
    if abs(w2) > 1e-9:       # the line w1 x1 + w2 x2 + b = 0 solved for x2
        xs = np.array([lo[0], hi[0]])
        ax.plot(xs, -(w1 * xs + b) / w2, "k-", lw=1.5, label="z = 0")
    elif abs(w1) > 1e-9:     # a vertical line x1 = -b / w1
        ax.axvline(-b / w1, color="k", lw=1.5, label="z = 0")
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title("Decision line of one neuron (z > 0: red side)")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def neuron_playground(X=None, y=None, activation="sigmoid"):
    """Sliders for w1, w2 and b of one neuron; shows its output and its line on 2-D points."""
    if X is None:
        X, y = _default_points()
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    sliders = {name: W.FloatSlider(value=value, min=-3, max=3, step=0.1, description=name,
                                   continuous_update=False)
               for name, value in (("w1", 1.0), ("w2", -0.5), ("b", 0.0))}
    output = W.Output()

    def redraw(w1, w2, b):
        text, _ = neuron_readout(w1, w2, b, X, y, activation)
        _show(output, text, _neuron_figure(w1, w2, b, X, y))

    W.interactive_output(redraw, sliders)
    return W.VBox([W.HBox(list(sliders.values())), output])


# =============================================================================
# activation_explorer: value and slope of an activation at a point
# =============================================================================

def activation_readout(name, z):
    """f(z), f'(z) and what the slope means for the gradient passing through.

    >>> activation_readout("sigmoid", 0.0)[:2]
    (0.5, 0.25)
    """
    f, df, _ = ACTIVATION_FUNCTIONS[name]
    value, slope = float(f(np.array(z, dtype=float))), float(df(np.array(z, dtype=float)))
    if slope == 0:
        note = "the slope is 0: no gradient passes back through here (a 'dead' ReLU)."
    elif slope < 0.01:
        note = "the slope is tiny: the unit is saturated and the gradient almost vanishes."
    elif slope < 0.5:
        note = f"the gradient passing back is multiplied by {slope:.3f}: it shrinks."
    else:
        note = f"the gradient passing back is multiplied by {slope:.3f}."
    text = f"{name}({z:.2f}) = {value:.4f};  slope {name}'({z:.2f}) = {slope:.4f}:  {note}"
    return value, slope, text


def _activation_figure(name, z0):
    f, df, formula = ACTIVATION_FUNCTIONS[name]
    z = np.linspace(-6, 6, 301)
    value, slope, _ = activation_readout(name, z0)
    fig, (ax_f, ax_df) = plt.subplots(1, 2, figsize=(8.5, 3.2))
    plt.close(fig)
    ax_f.plot(z, f(z), lw=2, label=f"{name}(z)")
    ax_f.plot(z, value + slope * (z - z0), "--", color="C1", label="tangent at z")
    ax_f.plot([z0], [value], "o", color="C1")
    ax_f.set_ylim(min(-1.2, f(z).min() - 0.2), max(1.2, f(z).max() + 0.2))
    ax_f.set_title(formula)
    ax_f.set_xlabel("z")
    ax_f.set_ylabel(f"{name}(z)")
    ax_f.legend(fontsize=8)
    ax_df.plot(z, df(z), color="C3", lw=2, label=f"{name}'(z)")
    ax_df.plot([z0], [slope], "o", color="C1")
    ax_df.set_title("derivative (slope)")
    ax_df.set_xlabel("z")
    ax_df.set_ylabel(f"{name}'(z)")
    ax_df.legend(fontsize=8)
    fig.tight_layout()
    return fig


def activation_explorer():
    """Pick an activation, move z, read f(z) and its slope f'(z)."""
    name = W.Dropdown(options=list(ACTIVATION_FUNCTIONS), value="sigmoid", description="f")
    z = W.FloatSlider(value=1.0, min=-6, max=6, step=0.1, description="z",
                      continuous_update=False)
    output = W.Output()

    def redraw(name, z):
        _show(output, activation_readout(name, z)[2], _activation_figure(name, z))

    W.interactive_output(redraw, {"name": name, "z": z})
    return W.VBox([W.HBox([name, z]), output])


# =============================================================================
# learning_rate_explorer: gradient descent on L(w) = (w - 2)^2 + 0.5
# =============================================================================

W_STAR = 2.0


def _loss_1d(w):
    return (w - W_STAR) ** 2 + 0.5


def _grad_1d(w):
    return 2.0 * (w - W_STAR)


def gradient_descent_path(lr, steps, w0=-2.0, grad=_grad_1d):
    """w_new = w_old - lr * dL/dw, repeated: the list of all w visited (w0 first)."""
    path = [float(w0)]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            w = path[-1]
            if not np.isfinite(w) or abs(w) > 1e150:   # already diverged: stop
                break
            path.append(w - lr * grad(w))
    return path


def learning_rate_verdict(path, loss=_loss_1d, w_star=W_STAR, tolerance=0.01):
    """Judge a descent path: "divergent", "too large", "too small" or "good", with why.

    divergent: the loss ends higher than it started; too large: steps jump over
    the minimum (zig-zag); too small: still far from the minimum at the end;
    good: reached the minimum without overshooting.
    """
    losses = [loss(w) for w in path]
    start, end = abs(path[0] - w_star), abs(path[-1] - w_star)
    if not np.isfinite(losses[-1]) or losses[-1] > losses[0]:
        return "divergent", "each step lands further from the minimum: the loss grows without bound."
    overshoots = any((a - w_star) * (b - w_star) < 0 for a, b in zip(path, path[1:]))
    if overshoots:
        return "too large", ("each step jumps over the minimum and the path zig-zags; "
                             "a smaller learning rate would go straight there.")
    if end > tolerance * max(start, 1e-12):
        return "too small", (f"after {len(path) - 1} steps w is still {end:.3g} away from "
                             f"the minimum: the steps are too timid.")
    arrived = next(i for i, w in enumerate(path) if abs(w - w_star) <= tolerance * max(start, 1e-12))
    return "good", f"w reaches the minimum in {arrived} step(s) without overshooting."


def _learning_rate_figure(lr, path):
    w = np.linspace(-4, 8, 300)
    fig, (ax_l, ax_t) = plt.subplots(1, 2, figsize=(9, 3.4))
    plt.close(fig)
    ax_l.plot(w, _loss_1d(w), color="C0", label="L(w) = (w - 2)² + 0.5")
    shown = [p for p in path if abs(p) < 50]
    ax_l.plot(shown, [_loss_1d(p) for p in shown], "o-", color="C3", ms=4, lw=1, label="descent path")
    ax_l.set_xlim(-4, 8)
    ax_l.set_ylim(0, 40)
    ax_l.set_xlabel("w")
    ax_l.set_ylabel("loss L(w)")
    ax_l.set_title(f"Gradient descent, learning rate η = {lr:.3g}")
    ax_l.legend(fontsize=8)
    with np.errstate(over="ignore"):
        losses = [_loss_1d(p) for p in path]
    ax_t.semilogy(range(len(path)), losses, "o-", color="C3", ms=3, label="loss")
    ax_t.set_xlabel("step")
    ax_t.set_ylabel("loss (log scale)")
    ax_t.set_title("Loss after each step")
    ax_t.legend(fontsize=8)
    fig.tight_layout()
    return fig


def learning_rate_explorer():
    """A learning-rate slider on a 1-D loss: watch the steps and read the verdict."""
    lr = W.FloatLogSlider(value=0.2, base=10, min=-3, max=0.3, step=0.05,
                          description="η (lr)", continuous_update=False)
    steps = W.IntSlider(value=20, min=1, max=50, description="steps", continuous_update=False)
    output = W.Output()

    def redraw(lr, steps):
        path = gradient_descent_path(lr, steps)
        verdict, why = learning_rate_verdict(path)
        _show(output, f"η = {lr:.3g}: {verdict.upper()}: {why}", _learning_rate_figure(lr, path))

    W.interactive_output(redraw, {"lr": lr, "steps": steps})
    return W.VBox([W.HBox([lr, steps]), output])


# =============================================================================
# architecture_explorer: shapes and parameter counts of an MLP
# =============================================================================

def parse_layer_sizes(text):
    """'16, 16' -> [16, 16]; an empty text means no hidden layer."""
    sizes = []
    for part in str(text).replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or int(part) < 1:
            raise ValueError(f"hidden layer sizes must be positive whole numbers separated "
                             f"by commas, like '16, 16'; got {part!r}")
        sizes.append(int(part))
    return sizes


def architecture_table(nin, hidden, nout):
    """One row per layer l: shape of W^[l] (n_l x n_(l-1)), of b^[l] (n_l), parameter count.

    >>> rows, total = architecture_table(2, [16, 16], 1)
    >>> total            # (16*2 + 16) + (16*16 + 16) + (1*16 + 1)
    337
    """
    sizes = [nin] + list(hidden) + [nout]
    rows = []
    for l in range(1, len(sizes)):
        n_l, n_prev = sizes[l], sizes[l - 1]
        rows.append({"layer": l, "kind": "output" if l == len(sizes) - 1 else "hidden",
                     "W": (n_l, n_prev), "b": (n_l,), "parameters": n_l * n_prev + n_l})
    return rows, sum(r["parameters"] for r in rows)


def architecture_text(nin, hidden, nout):
    rows, total = architecture_table(nin, hidden, nout)
    lines = [f"input a^[0]: {nin} numbers",
             f"{'layer':<8}{'kind':<8}{'W^[l] shape':<14}{'b^[l] shape':<13}parameters"]
    for r in rows:
        lines.append(f"{r['layer']:<8}{r['kind']:<8}{'%d x %d' % r['W']:<14}"
                     f"{'(%d,)' % r['b']:<13}{r['parameters']:,}")
    lines.append(f"total: {total:,} parameters")
    return "\n".join(lines)


def architecture_explorer():
    """Choose inputs, hidden layer sizes and outputs; read every W^[l] and b^[l] shape."""
    nin = W.IntSlider(value=2, min=1, max=64, description="inputs", continuous_update=False)
    hidden = W.Text(value="16, 16", description="hidden", continuous_update=False)
    nout = W.IntSlider(value=1, min=1, max=10, description="outputs", continuous_update=False)
    output = W.Output()

    def redraw(nin, hidden, nout):
        try:
            text = architecture_text(nin, parse_layer_sizes(hidden), nout)
        except ValueError as error:
            text = str(error)
        _show(output, text)

    W.interactive_output(redraw, {"nin": nin, "hidden": hidden, "nout": nout})
    return W.VBox([W.HBox([nin, hidden, nout]), output])


# =============================================================================
# backprop_stepper: the backward pass, one node at a time
# =============================================================================

CURRENT = "#ffcc66"     # the node passing its gradient on
RECEIVING = "#fff3b0"   # inputs receiving a contribution in this step
FINAL = "#d9f2d9"       # gradient complete


class BackpropStepper(W.VBox):
    """Step forward and back through ``value.backward()``, one node at a time.

    Each step highlights the node being processed and shows, for each of its
    inputs, local derivative x upstream gradient = contribution. Gradients not
    reached yet show as "?". The steps are computed on a copy: the real
    ``.grad`` values of your graph are left untouched.

    ``stepper.steps`` holds every `BackpropStep`; ``stepper.go(i)`` shows step i.
    """

    def __init__(self, value, max_nodes=150, collapse=False):
        self.value = value
        self.steps = backprop_steps(value)
        self.names = node_names(value)
        self.nodes = graph_nodes(value)
        self._graph_options = {"max_nodes": max_nodes, "collapse": collapse}
        self.graph_for(0)  # refuses a graph too large to read, before any widget exists
        self.slider = W.IntSlider(value=0, min=0, max=len(self.steps) - 1, description="step",
                                  continuous_update=False)
        buttons = [("⏮ start", lambda _: self.go(0)), ("◀ back", lambda _: self.go(self.position - 1)),
                   ("next ▶", lambda _: self.go(self.position + 1)),
                   ("end ⏭", lambda _: self.go(len(self.steps) - 1))]
        self.buttons = []
        for text, action in buttons:
            button = W.Button(description=text, layout=W.Layout(width="90px"))
            button.on_click(action)
            self.buttons.append(button)
        self.explanation = W.HTML()
        self.picture = W.HTML()
        self.slider.observe(lambda change: self._render(change["new"]), names="value")
        super().__init__([W.HBox(self.buttons + [self.slider]), self.explanation, self.picture])
        self._render(0)

    @property
    def position(self):
        return self.slider.value

    def go(self, index):
        """Show step `index` (clipped to the first and last step)."""
        self.slider.value = max(0, min(len(self.steps) - 1, index))

    def graph_for(self, index):
        """The graph at step `index`: current node, receiving inputs, final gradients coloured."""
        step = self.steps[index]
        colours = {node: FINAL for node in step.final}
        colours.update({t.child: RECEIVING for t in step.terms})
        colours[step.node] = CURRENT
        return draw_graph(self.value, grads=step.grads, node_colors=colours, names=self.names,
                          **self._graph_options)

    def text_for(self, index):
        step = self.steps[index]
        lines = describe_step(step, self.names, self.value, len(self.steps))
        filled = [self.names[n] for n in self.nodes if n in step.grads]
        empty = [self.names[n] for n in self.nodes if n not in step.grads]
        lines.append(f"Filled so far: {', '.join(filled)}.")
        lines.append(f"Still empty (?): {', '.join(empty) if empty else 'none: backward is done'}.")
        return lines

    def _render(self, index):
        lines = self.text_for(index)
        body = "<br>".join(html.escape(line).replace("  ", "&nbsp;&nbsp;") for line in lines)
        legend = (f"<span style='background:{CURRENT}'>&nbsp;processing&nbsp;</span> "
                  f"<span style='background:{RECEIVING}'>&nbsp;receiving&nbsp;</span> "
                  f"<span style='background:{FINAL}'>&nbsp;gradient final&nbsp;</span>")
        self.explanation.value = f"<div style='font-family: monospace'>{body}</div>{legend}"
        self.picture.value = self.graph_for(index).svg()


def backprop_stepper(value, max_nodes=150, collapse=False):
    """A `BackpropStepper` widget for `value` (a loss, or any Value)."""
    if not (isinstance(value, Value) or hasattr(value, "_local_grads")):
        raise TypeError(f"backprop_stepper expects a Value (e.g. a loss), got {type(value).__name__}")
    return BackpropStepper(value, max_nodes=max_nodes, collapse=collapse)
