"""Computation graphs: draw a `Value` (or a `Tensor`) and everything that led to it.

`draw_graph(L)` shows one box per value, ``label | data | grad``, and one small
circle per operation between the values it reads and the value it makes, read
left to right like the forward pass.

Two design choices a reader may wonder about:

* What to draw is decided once, as a plain `Drawing` (boxes, circles, arrows),
  and then written two ways: as DOT for Graphviz's `dot` program, which gives
  the finer layout, and, where `dot` is not installed, as SVG by annlib's own
  small layered layout (`annlib.graph_svg`). Either way a notebook shows a
  picture, never a traceback.
* A graph too large to read is refused before anything is drawn (`max_nodes`),
  with its size and what to draw instead: a whole training step's loss has tens
  of thousands of values.

A box shows numbers for a scalar `Value` and shapes for a `Tensor`
(``W1 | 16x64 | grad 16x64``): a matrix of numbers does not fit in a box
(a Tensor with no axes, such as a loss, is one number and shows it).
"""

import math
from typing import NamedTuple

import graphviz
import numpy as np

from .engine import Value

__all__ = [
    "draw_graph", "GraphTooLargeError", "ComputationGraph", "Drawing", "Record", "Circle",
    "Arrow", "DOT_INSTALL_HELP",
    "graph_nodes", "children_of", "input_names",
]

# Colours (fill) used in the pictures; light so the numbers stay readable.
HIGHLIGHT = "#ffcc66"      # a highlighted value or path
BLOCK = "#e8eefc"          # a collapsed neuron (weighted sum as one block)
PATH_COLOUR = "#d08000"    # arrows along a highlighted path
WEIGHTED_SUM_OPS = ("Σwx+b", "Σwx")

DOT_INSTALL_HELP = """\
Graphviz's `dot` program was not found, so annlib draws the graphs itself, more plainly.
For the finer layout install Graphviz, then restart the kernel:
  conda (any system):   conda install -c conda-forge python-graphviz
  Debian / Ubuntu:      sudo apt-get install graphviz
  macOS (Homebrew):     brew install graphviz
  Windows (winget):     winget install graphviz   (then add Graphviz's bin folder to PATH)"""

# The one line under a picture drawn without Graphviz.
SELF_DRAWN_NOTE = ("Drawn without Graphviz. For the finer layout install it "
                   "(conda install -c conda-forge python-graphviz; apt-get, brew or "
                   "winget install graphviz) and restart the kernel.")


class GraphTooLargeError(ValueError):
    """The graph has more nodes than anyone can read in one picture."""


# =============================================================================
# What to draw: a plain description, written as DOT or as SVG
# =============================================================================

class Record(NamedTuple):
    """A value's box: its fields side by side (label, data, grad)."""
    id: str
    fields: tuple
    fill: str = None


class Circle(NamedTuple):
    """An operation: a small circle with its symbol (+, *, tanh, ...); or an ellipse."""
    id: str
    text: str
    fill: str = None
    shape: str = "circle"


class Arrow(NamedTuple):
    """An edge from `tail` to `head`; `on_path` when it lies on a highlighted path."""
    tail: str
    head: str
    on_path: bool = False
    label: str = ""


class Drawing:
    """Boxes, circles and arrows, in the order they were added (DOT keeps that order)."""

    def __init__(self, title=None, direction="LR"):
        self.title = title
        self.direction = direction
        self.items = []

    def add(self, item):
        self.items.append(item)

    @property
    def nodes(self):
        return [item for item in self.items if not isinstance(item, Arrow)]

    @property
    def arrows(self):
        return [item for item in self.items if isinstance(item, Arrow)]


def _record_text(text):
    """Escape the characters that have a meaning inside a Graphviz record label."""
    for char in "\\{}|<>\"":
        text = text.replace(char, "\\" + char)
    return text


def _to_dot(drawing, node_count):
    """The drawing as a `ComputationGraph` (a graphviz.Digraph holding the DOT text)."""
    graph = ComputationGraph(graph_attr={"rankdir": drawing.direction})
    graph.drawing = drawing
    graph.node_count = node_count
    if drawing.title:
        graph.attr(label=drawing.title, labelloc="t", fontsize="16")
    graph.attr(fontname="Helvetica")
    graph.attr("node", fontname="Helvetica", fontsize="11")
    for item in drawing.items:
        if isinstance(item, Record):
            style = {"style": "filled", "fillcolor": item.fill} if item.fill else {}
            label = "{ " + " | ".join(_record_text(f) for f in item.fields) + " }"
            graph.node(item.id, label, shape="record", **style)
        elif isinstance(item, Circle):
            style = {"style": "filled", "fillcolor": item.fill} if item.fill else {}
            graph.node(item.id, item.text, shape=item.shape, fontsize="10", width="0.3",
                       margin="0.02", **style)
        else:
            style = {"color": PATH_COLOUR, "penwidth": "2"} if item.on_path else {}
            if item.label:
                style["label"] = item.label
            graph.edge(item.tail, item.head, **style)
    return graph


class ComputationGraph(graphviz.Digraph):
    """A `graphviz.Digraph` that still draws itself when `dot` is not installed.

    In a notebook it shows as an SVG picture: Graphviz's when `dot` is on the
    PATH, otherwise annlib's own layered layout with a one-line note on how to
    get the finer one. ``.source`` is the DOT text either way.
    """

    drawing = None
    node_count = 0

    @classmethod
    def from_digraph(cls, digraph):
        """Any `graphviz.Digraph` as a ComputationGraph, so it shows as a picture even
        where `dot` is missing (annlib reads its DOT text: nodes, edges, records, labels)."""
        from .graph_svg import read_dot   # here, not at the top: graph_svg reads this module
        graph = cls(name=digraph.name, comment=digraph.comment, body=list(digraph.body),
                    graph_attr=dict(digraph.graph_attr), node_attr=dict(digraph.node_attr),
                    edge_attr=dict(digraph.edge_attr))
        graph.drawing = read_dot(graph.source)
        graph.node_count = len(graph.drawing.nodes)
        return graph

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        try:
            return super()._repr_mimebundle_(include=include, exclude=exclude, **kwargs)
        except graphviz.ExecutableNotFound:
            # Only the picture: the text/plain repr stays the same with or without dot.
            return {"image/svg+xml": self.svg_without_dot()}

    def svg(self):
        """The picture as an SVG string (no XML preamble, so it can sit inside HTML)."""
        try:
            svg = self.pipe(format="svg", encoding="utf-8")
        except graphviz.ExecutableNotFound:
            return self.svg_without_dot()
        return svg[svg.find("<svg"):]

    def svg_without_dot(self):
        """The picture drawn by annlib itself (a layered layout), whether or not `dot` exists."""
        from .graph_svg import draw_svg, read_dot   # here, not at the top: graph_svg reads this module
        # a graph built node by node (or copied) has no drawing yet: read its DOT
        drawing = self.drawing if self.drawing is not None else read_dot(self.source)
        return draw_svg(drawing, note=SELF_DRAWN_NOTE)

    def __repr__(self):
        # The default repr has a memory address, which differs on every run.
        return f"<ComputationGraph: {self.node_count} nodes>"


# =============================================================================
# Walking the graph
# =============================================================================

def children_of(node):
    """The inputs of the operation that made `node`: ``_children`` (annlib, the course's
    own engines) or ``_prev`` (micrograd); empty for a leaf."""
    children = getattr(node, "_children", None)
    if children is None:
        children = getattr(node, "_prev", ())
    return tuple(children)


def _is_value(x):
    """Anything that looks like an autograd node: annlib's Value or Tensor, or a learner's own."""
    return isinstance(x, Value) or (hasattr(x, "data") and hasattr(x, "grad")
                                     and (hasattr(x, "_children") or hasattr(x, "_prev")))


def graph_nodes(root):
    """Every node leading to `root` (itself included), each after all of its inputs.

    An explicit stack, never recursion, so a chain a million nodes deep is fine.
    Works on annlib's Value and Tensor and on look-alikes (a learner's engine, micrograd).
    """
    if isinstance(root, Value):
        return root.topological_order()
    order, visited = [], {id(root)}
    stack = [(root, iter(children_of(root)))]
    while stack:
        node, children = stack[-1]
        for child in children:
            if id(child) not in visited:
                visited.add(id(child))
                stack.append((child, iter(children_of(child))))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def _roots(value):
    if _is_value(value):
        return [value]
    try:
        roots = list(value)
    except TypeError:
        roots = [value]
    for r in roots:
        if not _is_value(r):
            raise TypeError(f"draw_graph expects a Value or a Tensor (or a list of them), "
                            f"got {type(r).__name__}")
    return roots


def _all_nodes(roots):
    """Every node leading to the roots, inputs first (an iterative walk, no recursion)."""
    order, seen = [], set()
    for root in roots:
        for node in graph_nodes(root):
            if id(node) not in seen:
                seen.add(id(node))
                order.append(node)
    return order


def _op(node):
    return getattr(node, "_op", "") or "?"


def _label(node):
    return getattr(node, "label", "") or ""


def _weighted_sum_parameters(node):
    """The weight and bias leaves folded into a neuron's block when collapsing."""
    children = children_of(node)
    n = len(children)
    n_weights = (n - 1) // 2 if _op(node) == "Σwx+b" else n // 2
    folded = list(children[:n_weights])
    if _op(node) == "Σwx+b":
        folded.append(children[-1])
    return [p for p in folded if not children_of(p)]  # only leaves (parameters)


def input_names(order):
    """Names for unlabeled inputs of a neuron: the k-th input of a weighted sum is x_k.

    A Neuron called on plain numbers makes unlabeled leaves; in course notation
    they are x1, x2, ... (the same leaf feeds every neuron of the first layer
    at the same position k, so the name is the same from every neuron).
    """
    names = {}
    for node in order:
        if _op(node) in WEIGHTED_SUM_OPS:
            children = children_of(node)
            n = (len(children) - 1) // 2 if _op(node) == "Σwx+b" else len(children) // 2
            for k, x in enumerate(children[n:2 * n], start=1):
                if not children_of(x) and not _label(x):
                    names.setdefault(x, f"x{k}")
    return names


def _layout(order, roots, collapse):
    """Decide what to draw: which values, which edges, which values are blocks.

    Returns (drawn values, edges child -> parent, set of collapsed blocks).
    """
    blocks = set()
    hidden_edges = set()
    if collapse:
        for node in order:
            if _op(node) in WEIGHTED_SUM_OPS:
                blocks.add(node)
                for p in _weighted_sum_parameters(node):
                    hidden_edges.add((p, node))
    edges = []
    used = set(roots)
    for node in order:
        for child in children_of(node):
            if (child, node) in hidden_edges:
                continue
            edges.append((child, node))
            used.add(child)
            used.add(node)
    drawn = [node for node in order if node in used]
    return drawn, edges, blocks


def _count_boxes(drawn, blocks):
    """Boxes in the picture: one per value, plus one op circle per computed value."""
    return len(drawn) + sum(1 for v in drawn if children_of(v) and v not in blocks)


# =============================================================================
# What a box says
# =============================================================================

def _format_number(x):
    """Short, fixed-width-ish text for a float: 0.7616, -3.0000, 1.235e+06, inf."""
    if x is None:
        return "?"
    if x != x or x in (math.inf, -math.inf):
        return str(x)
    if x == 0 or 1e-3 <= abs(x) < 1e5:
        return f"{x:.4f}"
    return f"{x:.3e}"


def _shape_text(shape):
    """A tensor's shape as a box shows it: 16x64, or 64 for a vector."""
    return "x".join(str(n) for n in shape)


def _data_text(node):
    """A Value's number ("data 0.4871"), or a Tensor's shape in place of its numbers
    ("16x64"); a Tensor with no axes (a loss) is one number, shown as a Value's is."""
    data = node.data
    if isinstance(data, np.ndarray):
        return _shape_text(data.shape) if data.ndim else "data " + _format_number(float(data))
    return "data " + _format_number(data)


def _grad_text(node, grad):
    """"grad 0.1234", "grad 16x64" for an array, "grad ?" before a backward reaches it,
    "no grad" for a Tensor that does not require one."""
    if isinstance(grad, np.ndarray):
        return "grad " + (_shape_text(grad.shape) if grad.ndim else _format_number(float(grad)))
    if grad is None and getattr(node, "requires_grad", True) is False:
        return "no grad"
    return "grad " + _format_number(grad)


# =============================================================================
# draw_graph
# =============================================================================

def draw_graph(value, show_grad=True, highlight=None, direction="LR", max_nodes=150,
               collapse=False, title=None, grads=None, node_colors=None, names=None):
    """Draw the computation graph that produced `value`.

    Each value is a box ``label | data | grad``; each operation is a circle
    between the values it reads and the value it makes. A Tensor's box shows
    shapes instead of numbers: ``W1 | 16x64 | grad 16x64``.

    Parameters
    ----------
    value : Value or Tensor (or a list of them); also a look-alike from your own
        engine (anything with ``data``, ``grad`` and ``_children`` or micrograd's ``_prev``).
    show_grad : bool      show the grad field (False after a forward pass only).
    highlight : Value, str or iterable of them
        values to colour (a string matches labels); give a path (a list of
        values from an input to the output) to colour the edges along it too.
    direction : "LR" (left to right, default), "TB", "RL" or "BT".
    max_nodes : int or None
        refuse graphs with more boxes than this (GraphTooLargeError); None = no limit.
    collapse : bool       draw each neuron's weighted sum z = w.x + b as one block
        (its weights and bias folded in) instead of a box per weight.
    title : str           a caption above the graph.
    grads : dict Value -> float or None, optional
        gradients to show instead of ``.grad`` (None shows "?": not computed yet).
    node_colors : dict Value -> colour, optional   fill colours per value.
    names : dict Value -> str, optional   names to show instead of labels.

    Returns a `ComputationGraph` (a ``graphviz.Digraph``): a picture in a
    notebook, drawn by Graphviz or, when its `dot` program is missing, by annlib.

    >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
    >>> L = a * b; L.label = "L"
    >>> draw_graph(L)          # in a notebook: the picture
    """
    roots = _roots(value)
    if direction not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"direction must be 'LR', 'TB', 'RL' or 'BT', got {direction!r}")
    order = _all_nodes(roots)
    drawn, edges, blocks = _layout(order, roots, collapse)
    size = _count_boxes(drawn, blocks)
    if max_nodes is not None and size > max_nodes:
        raise GraphTooLargeError(_too_large_message(size, max_nodes, order, roots, collapse))

    marked = _highlighted(highlight, order)
    names = {**input_names(order), **(names or {})}
    ids = {node: f"v{i}" for i, node in enumerate(drawn)}
    drawing = Drawing(title=title, direction=direction)

    for node in drawn:
        name = names.get(node, _label(node))
        fields = [name or " "]
        if node in blocks:
            n_in = len(children_of(node)) - len(_weighted_sum_parameters(node))
            fields[0] = f"{name or 'z'} = Σ w·x + b ({n_in} inputs)"
        fields.append(_data_text(node))
        if show_grad:
            fields.append(_grad_text(node, grads.get(node) if grads is not None else node.grad))
        fill = (node_colors or {}).get(node)
        if fill is None and node in marked:
            fill = HIGHLIGHT
        if fill is None and node in blocks:
            fill = BLOCK
        drawing.add(Record(ids[node], tuple(fields), fill))
        if children_of(node) and node not in blocks:
            on_path = node in marked and any(c in marked for c in children_of(node))
            drawing.add(Circle(ids[node] + "op", _op(node), HIGHLIGHT if on_path else None))
            drawing.add(Arrow(ids[node] + "op", ids[node], on_path))

    for child, parent in edges:
        target = ids[parent] if parent in blocks else ids[parent] + "op"
        drawing.add(Arrow(ids[child], target, child in marked and parent in marked))
    return _to_dot(drawing, size)


def _highlighted(highlight, order):
    if highlight is None:
        return set()
    items = [highlight] if isinstance(highlight, str) or _is_value(highlight) else list(highlight)
    labels = {h for h in items if isinstance(h, str)}
    marked = {h for h in items if not isinstance(h, str)}
    if labels:
        marked |= {node for node in order if _label(node) in labels}
    return marked


def _too_large_message(size, max_nodes, order, roots, collapse):
    message = (f"This graph has {size:,} boxes to draw ({len(order):,} values), more than "
               f"max_nodes={max_nodes}: a picture that large cannot be read.")
    if not collapse:
        drawn, _, blocks = _layout(order, roots, collapse=True)
        collapsed = _count_boxes(drawn, blocks)
        if collapsed < size:
            message += (f" With collapse=True (each neuron's weighted sum as one block) "
                        f"it would have {collapsed:,} boxes.")
    message += (" Draw something smaller instead: one neuron's output "
                "(draw_graph(Neuron(2, activation='tanh')(x))), the forward pass of ONE "
                "example (not a whole batch's loss), or raise max_nodes if you really "
                "want a huge picture.")
    return message
