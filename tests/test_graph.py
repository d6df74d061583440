"""Tests of annlib.graph: the DOT that draw_graph writes, and the SVG it draws itself
when Graphviz's `dot` program is missing (the layered layout of annlib.graph_svg)."""

import re
import xml.etree.ElementTree as ET

import graphviz
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from IPython.core.formatters import DisplayFormatter

from annlib import Value
from annlib import graph
from annlib import graph_svg
from annlib.data import make_moons
from annlib.engine import total
from annlib.nn import MLP, Neuron

from learner_engine import Scalar

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
    g = graph.draw_graph(a)
    assert isinstance(g, graphviz.Digraph)
    assert len(records(g)) == 7            # w1, w2, x1, x2, b, z, a
    assert sorted(ops(g).values()) == ["tanh", "Σwx+b"]
    # 5 inputs -> Σ circle, Σ circle -> z, z -> tanh circle, tanh circle -> a
    assert len(edges(g)) == 8
    assert g.node_count == 9
    assert "rankdir=LR" in g.source


def test_boxes_show_label_data_and_grad_in_course_notation():
    n, a = neuron_output()
    g = graph.draw_graph(a)
    line = node_line(g, "w1")
    assert f"data {n.w[0].data:.4f}" in line
    assert f"grad {n.w[0].grad:.4f}" in line
    for label in ("w2", "b", "z", "a", "x1", "x2"):   # unlabeled inputs of a neuron: x_k
        node_line(g, label)
    assert f"data {-2.0:.4f}" in node_line(g, "x2")


def test_show_grad_false_leaves_the_grad_field_out():
    _, a = neuron_output()
    g = graph.draw_graph(a, show_grad=False)
    assert "grad" not in g.source
    assert "data" in g.source


def test_edges_run_from_inputs_through_the_operation_to_the_result():
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    L = a * b
    L.label = "L"
    g = graph.draw_graph(L)
    ids = {label.split(" | ")[0].strip("{ "): node for node, label in records(g).items()}
    op = next(iter(ops(g)))
    pairs = {(s, t) for s, t, _ in edges(g)}
    assert pairs == {(ids["a"], op), (ids["b"], op), (op, ids["L"])}
    assert ops(g)[op] == "*"


def test_direction_option_and_bad_direction():
    _, a = neuron_output()
    assert "rankdir=TB" in graph.draw_graph(a, direction="TB").source
    with pytest.raises(ValueError, match="direction must be"):
        graph.draw_graph(a, direction="sideways")


def test_record_special_characters_are_escaped():
    v = Value(1.0, label="a|b{c}")
    assert r"a\|b\{c\}" in graph.draw_graph(v).source


def test_title_becomes_the_graph_label():
    _, a = neuron_output()
    assert 'label="one neuron"' in graph.draw_graph(a, title="one neuron").source


def test_repr_has_no_memory_address():
    _, a = neuron_output()
    text = repr(graph.draw_graph(a))
    assert "0x" not in text and "9 nodes" in text


# --- highlight ----------------------------------------------------------------------

def test_highlight_one_value_colours_only_that_box():
    n, a = neuron_output()
    g = graph.draw_graph(a, highlight=n.w[0])
    assert graph.HIGHLIGHT in node_line(g, "w1")
    assert graph.HIGHLIGHT not in node_line(g, "w2")
    assert g.source.count(graph.HIGHLIGHT) == 1


def test_highlight_by_label_string():
    _, a = neuron_output()
    g = graph.draw_graph(a, highlight=["z", "b"])
    assert graph.HIGHLIGHT in node_line(g, "z") and graph.HIGHLIGHT in node_line(g, "b")
    assert graph.HIGHLIGHT not in node_line(g, "a")


def test_highlight_a_path_colours_its_edges():
    n, a = neuron_output()
    z = a._children[0]
    g = graph.draw_graph(a, highlight=[n.w[0], z, a])
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
    with pytest.raises(graph.GraphTooLargeError) as info:
        graph.draw_graph(loss)
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


def test_a_whole_training_step_is_refused_without_building_any_drawing(monkeypatch):
    # The size guard must act before a single box or DOT line is made:
    # building either for 50,000 values is what would make a refusal slow.
    loss = elementary_training_loss(100)
    n_values = len(loss.topological_order())
    assert n_values > 50_000

    def must_not_run(*args, **kwargs):
        raise AssertionError("a drawing was started for a graph that is refused")
    monkeypatch.setattr(graph, "Drawing", must_not_run)
    monkeypatch.setattr(graph, "_to_dot", must_not_run)
    with pytest.raises(graph.GraphTooLargeError, match=f"{n_values:,} values"):
        graph.draw_graph(loss)


def test_collapse_draws_each_neuron_as_one_block():
    model = MLP(2, [3, 1], activation="tanh", random_state=0)
    out = model([0.5, -1.0])
    full = graph.draw_graph(out)
    collapsed = graph.draw_graph(out, collapse=True)
    assert collapsed.node_count < full.node_count
    assert "W1[1,1]" in full.source and "W1[1,1]" not in collapsed.source
    blocks = [l for l in records(collapsed).values() if "Σ w·x + b" in l]
    assert len(blocks) == 4                        # 3 hidden neurons + 1 output neuron
    assert "Σwx+b" not in ops(collapsed).values()  # no separate weighted-sum circles
    assert any("z1[2] = Σ w·x + b (2 inputs)" in l for l in blocks)


def test_collapse_lets_a_16_16_1_network_fit_the_default_limit():
    model = MLP(2, [16, 16, 1], random_state=0)
    out = model([0.5, -1.0])
    with pytest.raises(graph.GraphTooLargeError):
        graph.draw_graph(out)
    assert graph.draw_graph(out, collapse=True).node_count <= 150


def test_max_nodes_none_draws_a_deep_chain_without_recursion():
    x = Value(0.5, label="x")
    v = x
    for _ in range(3000):
        v = v * 1.0001
    g = graph.draw_graph(v, max_nodes=None)
    assert g.node_count == 3001 + 3000 * 2   # values, constants 1.0001, op circles
    assert len(edges(g)) == 3000 * 3


# --- a learner's own engine ----------------------------------------------------------------

class MicrogradStyle:
    """micrograd's layout: children in a set called _prev, no label."""

    def __init__(self, data, _prev=(), _op=""):
        self.data, self.grad, self._prev, self._op = data, 0.0, set(_prev), _op


def test_draw_graph_works_on_a_learners_own_engine():
    a, b = Scalar(2.0, "a"), Scalar(-3.0, "b")
    L = a * b
    L.label = "L"
    g = graph.draw_graph(L, highlight="a")
    assert len(records(g)) == 3 and list(ops(g).values()) == ["*"]
    assert graph.HIGHLIGHT in node_line(g, "a")
    x = MicrogradStyle(1.0)
    y = MicrogradStyle(2.0, (x,), "exp")
    g = graph.draw_graph(y)
    assert len(records(g)) == 2 and list(ops(g).values()) == ["exp"]


def test_graph_nodes_of_a_look_alike_is_iterative_and_children_first():
    v = Scalar(1.0, "x")
    for _ in range(5000):
        v = v * Scalar(1.0)
    order = graph.graph_nodes(v)
    assert len(order) == 10001 and order[-1] is v and order[0].label == "x"


# --- without dot: annlib draws the graph itself ------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"


def parse_svg(text):
    """The SVG as an XML tree (fails the test if it is not well-formed XML)."""
    root = ET.fromstring(text)
    assert root.tag == SVG + "svg"
    return root


def node_boxes(root):
    """(left, top, right, bottom) of every value box and operation circle."""
    boxes = []
    for rect in root.iter(SVG + "rect"):
        x, y, w, h = (float(rect.get(k)) for k in ("x", "y", "width", "height"))
        boxes.append((x, y, x + w, y + h))
    for circle in root.iter(SVG + "circle"):
        cx, cy, r = (float(circle.get(k)) for k in ("cx", "cy", "r"))
        boxes.append((cx - r, cy - r, cx + r, cy + r))
    for ellipse in root.iter(SVG + "ellipse"):
        cx, cy, rx, ry = (float(ellipse.get(k)) for k in ("cx", "cy", "rx", "ry"))
        boxes.append((cx - rx, cy - ry, cx + rx, cy + ry))
    return boxes


def arrow_points(root):
    """For each arrow: the points of its path, in order (control points included)."""
    paths = []
    for path in root.iter(SVG + "path"):
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path.get("d"))]
        paths.append(list(zip(numbers[::2], numbers[1::2])))
    return paths


def texts(root):
    return [t.text for t in root.iter(SVG + "text")]


def overlapping(boxes, slack=0.5):
    return [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a[0] < b[2] - slack and b[0] < a[2] - slack
            and a[1] < b[3] - slack and b[1] < a[3] - slack]


def mlp_loss():
    """A small MLP's loss on one example, after backward: the course's biggest everyday graph."""
    model = MLP(2, [2, 1], activation="tanh", random_state=0)
    x = [Value(0.5, label="x1"), Value(-0.5, label="x2")]
    y = Value(1.0, label="y")
    loss = (model(x) - y) ** 2
    loss.label = "L"
    loss.backward()
    return loss


def chapter_06_loss():
    """Chapter 06's neuron and squared error, elementary operation by operation."""
    w, x, b, y = (Value(v, label=n) for v, n in ((0.5, "w"), (2.0, "x"), (-1.0, "b"), (0.8, "y")))
    wx = w * x
    z = wx + b
    a = z.sigmoid()
    err = a - y
    L = err ** 2
    for v, name in ((wx, "w·x"), (z, "z"), (a, "a"), (err, "a − y"), (L, "L")):
        v.label = name
    L.backward()
    return L, [w, wx, z, a, err, L]


GRAPHS = {
    "neuron": lambda: graph.draw_graph(neuron_output()[1]),
    "mlp loss": lambda: graph.draw_graph(mlp_loss()),
    "collapsed mlp": lambda: graph.draw_graph(
        MLP(2, [3, 2, 1], random_state=0)([0.5, -0.5]), collapse=True, title="2-3-2-1 MLP"),
    "chapter 06": lambda: graph.draw_graph(chapter_06_loss()[0]),
}


@pytest.mark.parametrize("name", GRAPHS)
def test_self_drawn_svg_parses_and_shows_every_label(name):
    g = GRAPHS[name]()
    root = parse_svg(g.svg_without_dot())
    shown = texts(root)
    for item in g.drawing.nodes:
        wanted = item.fields if isinstance(item, graph.Record) else (item.text,)
        for text in wanted:
            assert text in shown, f"{text!r} is not in the picture"
    assert len(list(root.iter(SVG + "rect"))) == len([n for n in g.drawing.nodes
                                                        if isinstance(n, graph.Record)])
    assert len(arrow_points(root)) == len(g.drawing.arrows)


@pytest.mark.parametrize("name", GRAPHS)
def test_self_drawn_nodes_never_overlap(name):
    root = parse_svg(GRAPHS[name]().svg_without_dot())
    assert overlapping(node_boxes(root)) == []


def ends_on(point, boxes, side):
    """Is `point` on the left or right side of one of the boxes (within half a pixel)?"""
    x, y = point
    return any(abs(x - (b[0] if side == "left" else b[2])) < 0.6 and b[1] <= y <= b[3]
               for b in boxes)


@pytest.mark.parametrize("name", GRAPHS)
def test_every_self_drawn_arrow_runs_left_to_right_from_a_node_to_a_node(name):
    root = parse_svg(GRAPHS[name]().svg_without_dot())
    boxes = node_boxes(root)
    heads = [[(float(x), float(y)) for x, y in (p.split(",") for p in poly.get("points").split())]
             for poly in root.iter(SVG + "polygon")]
    for points, head in zip(arrow_points(root), heads):
        xs = [x for x, _ in points]
        assert xs == sorted(xs), f"an arrow turns back: {points}"
        tip = head[0]
        assert tip[0] > xs[-1]                     # the arrowhead points right
        assert ends_on(points[0], boxes, "right") and ends_on(tip, boxes, "left")


def test_top_to_bottom_direction_runs_every_arrow_downwards():
    root = parse_svg(graph.draw_graph(mlp_loss(), direction="TB").svg_without_dot())
    for points in arrow_points(root):
        ys = [y for _, y in points]
        assert ys == sorted(ys) and ys[0] < ys[-1]
    assert overlapping(node_boxes(root)) == []


def test_self_drawn_svg_escapes_text():
    v = Value(1.0, label='<b>&"quoted"</b>\x07')
    w = v * 2.0
    w.label = "x < y & z"
    root = parse_svg(graph.draw_graph(w).svg_without_dot())
    shown = texts(root)
    assert '<b>&"quoted"</b>\ufffd' in shown and "x < y & z" in shown


def test_self_drawn_highlight_fills_the_values_and_colours_the_path():
    L, path = chapter_06_loss()
    root = parse_svg(graph.draw_graph(L, highlight=path).svg_without_dot())
    filled = [r for r in root.iter(SVG + "rect") if r.get("fill") == graph.HIGHLIGHT]
    assert len(filled) == len(path)
    coloured = [p for p in root.iter(SVG + "path") if p.get("stroke") == graph.PATH_COLOUR]
    # into and out of each of the five operations on the path; not x, b, y's arrows
    assert len(coloured) == 10
    assert len(list(root.iter(SVG + "path"))) == 13


def test_self_drawn_svg_has_the_title_and_a_note_on_installing_graphviz():
    root = parse_svg(GRAPHS["collapsed mlp"]().svg_without_dot())
    assert "2-3-2-1 MLP" in texts(root)
    notes = [t for t in root.iter(SVG + "text") if t.get("class") == "note"]
    assert len(notes) == 1
    assert "finer layout" in notes[0].text and "conda install" in notes[0].text
    assert float(notes[0].get("y")) > max(b[3] for b in node_boxes(root))   # under the graph


def test_self_drawn_leaves_sit_next_to_the_operation_that_reads_them():
    L, (w, wx, z, a, err, _) = chapter_06_loss()
    g = graph.draw_graph(L)
    root = parse_svg(g.svg_without_dot())
    lefts = {t.text: float(t.get("x")) for t in root.iter(SVG + "text")}
    # y is read only by the subtraction near the end: drawn there, not beside w and x
    assert lefts["y"] > lefts["z"]
    assert lefts["b"] > lefts["w"]


def test_size_guard_refuses_before_anything_is_drawn():
    loss, _ = batch_loss(3)
    with pytest.raises(graph.GraphTooLargeError, match="max_nodes=150"):
        graph.draw_graph(loss)
    out = MLP(2, [16, 16, 1], random_state=0)([0.5, -1.0])
    with pytest.raises(graph.GraphTooLargeError):
        graph.draw_graph(out)
    g = graph.draw_graph(out, collapse=True)
    root = parse_svg(g.svg_without_dot())
    # x1, x2; a block per neuron; an activation per hidden neuron (the output is linear)
    assert len(list(root.iter(SVG + "rect"))) == 2 + 33 + 32
    assert overlapping(node_boxes(root)) == []


def test_self_drawn_deep_chain_does_not_recurse():
    v = Value(0.5, label="x")
    for _ in range(1500):
        v = v * 1.0001
    root = parse_svg(graph.draw_graph(v, max_nodes=None).svg_without_dot())
    assert len(list(root.iter(SVG + "circle"))) == 1500


@pytest.fixture
def no_dot(monkeypatch):
    """Pretend Graphviz's `dot` is not installed: no executable on PATH."""
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(graphviz.ExecutableNotFound):
        graphviz.Digraph().pipe(format="svg")


def test_display_with_dot_gives_graphviz_svg():
    if not graphviz.version():   # pragma: no cover - raises ExecutableNotFound without dot
        pytest.fail("dot is needed for this test")
    _, a = neuron_output()
    svg = graph.draw_graph(a)._repr_mimebundle_()["image/svg+xml"]
    assert svg.lstrip().startswith(("<?xml", "<svg")) and "annlib-graph" not in svg


def test_display_without_dot_shows_the_self_drawn_picture_and_the_same_text(no_dot):
    _, a = neuron_output()
    g = graph.draw_graph(a)
    data, _ = DisplayFormatter().format(g)      # what IPython does to show it: no traceback
    assert set(data) == {"image/svg+xml", "text/plain"}
    assert 'class="annlib-graph"' in data["image/svg+xml"]
    parse_svg(data["image/svg+xml"])
    assert data["text/plain"] == "<ComputationGraph: 9 nodes>"   # as committed with dot
    assert g.svg() == data["image/svg+xml"]
    assert "digraph {" in g.source and "data 0.4871" in g.source  # the DOT is still there


def test_install_help_names_every_way_to_get_graphviz():
    for how in ("conda install", "apt-get install graphviz", "brew install graphviz",
                "winget install"):
        assert how in graph.DOT_INSTALL_HELP


# --- the layout on its own ------------------------------------------------------------

@st.composite
def acyclic_graphs(draw):
    """Random DAGs: node k reads from earlier nodes only (like a computation)."""
    n = draw(st.integers(1, 25))
    edges = set()
    for head in range(1, n):
        for tail in draw(st.lists(st.integers(0, head - 1), max_size=3)):
            edges.add((tail, head))
    length = {k: draw(st.integers(10, 120)) for k in range(n)}
    breadth = {k: draw(st.integers(10, 60)) for k in range(n)}
    return list(range(n)), sorted(edges), length, breadth


@settings(max_examples=150, deadline=None)
@given(acyclic_graphs())
def test_layout_runs_every_edge_forward_without_overlaps(case):
    nodes, edges, length, breadth = case
    layout = graph_svg.layered_layout(nodes, edges, length, breadth)
    r = {n: layout.centres[n][0] for n in nodes}
    c = {n: layout.centres[n][1] for n in nodes}
    for tail, head in edges:
        assert r[tail] + length[tail] / 2 < r[head] - length[head] / 2
    for i, m in enumerate(nodes):
        for n in nodes[i + 1:]:
            apart_along = abs(r[m] - r[n]) >= (length[m] + length[n]) / 2
            apart_across = abs(c[m] - c[n]) >= (breadth[m] + breadth[n]) / 2
            assert apart_along or apart_across, f"nodes {m} and {n} overlap"
    for route, (tail, head) in zip(layout.routes, edges):
        along = [p[0] for p in route]
        assert along == sorted(along)
        assert route[0] == (r[tail] + length[tail] / 2, c[tail])
        assert route[-1] == (r[head] - length[head] / 2, c[head])
        # straight through layers, bending only across one gap between layers ...
        for (r0, c0), (r1, c1) in zip(route[1::2], route[2::2]):
            assert r1 - r0 <= graph_svg.LAYER_GAP + 1e-9
        # ... and the straight stretches pass beside every box, never through one
        for (r0, c0), (r1, c1) in zip(route[0::2], route[1::2]):
            assert c0 == c1
            for n in nodes:
                if n in (tail, head):
                    continue
                inside_across = abs(c0 - c[n]) < breadth[n] / 2
                inside_along = r0 < r[n] + length[n] / 2 and r[n] - length[n] / 2 < r1
                assert not (inside_across and inside_along), f"edge {tail}->{head} crosses {n}"


def test_barycentre_ordering_untangles_a_crossed_pair():
    # a0 feeds b1 and a1 feeds b0: listed in that order they cross; sorted they do not
    nodes = ["a0", "a1", "b0", "b1"]
    edges = [("a0", "b1"), ("a1", "b0"), ("x", "b0")]
    nodes.append("x")
    size = dict.fromkeys(nodes, 20)
    layout = graph_svg.layered_layout(nodes, edges, size, size)
    c = {n: layout.centres[n][1] for n in nodes}
    assert (c["a0"] < c["a1"]) == (c["b1"] < c["b0"])


def test_a_cycle_is_refused():
    with pytest.raises(ValueError, match="cycle"):
        graph_svg.layered_layout(["a", "b"], [("a", "b"), ("b", "a")], {"a": 1, "b": 1},
                                 {"a": 1, "b": 1})


# --- any graphviz.Digraph, read back from its DOT ---------------------------------------

def test_reading_draw_graphs_dot_back_gives_the_same_drawing():
    a = Value(2.0, label='a|{x} "q"')
    b = Value(-3.0, label="b")
    L = a * b + a
    L.label = "L"
    L.backward()
    g = graph.draw_graph(L, highlight=[a, L], title='a "title"', direction="TB")
    read = graph_svg.read_dot(g.source)
    assert sorted(map(repr, read.items)) == sorted(map(repr, g.drawing.items))
    assert (read.title, read.direction) == ('a "title"', "TB")


def neuron_diagram():
    """Chapter 01's picture of a neuron, drawn with graphviz directly."""
    diagram = graphviz.Digraph(graph_attr={"rankdir": "LR"}, node_attr={"fontname": "Helvetica"})
    for k in (1, 2, 3):
        diagram.node(f"x{k}", f"x{k}", shape="circle")
        diagram.edge(f"x{k}", "sum", label=f"w{k}")
    diagram.node("b", "bias b", shape="plaintext")
    diagram.edge("b", "sum")
    diagram.node("sum", "z = w1·x1 + w2·x2 + w3·x3 + b", shape="box")
    diagram.node("f", "a = f(z)")
    diagram.edge("sum", "f")
    return diagram


def test_any_digraph_becomes_a_picture_without_dot(no_dot):
    diagram = neuron_diagram()
    g = graph.ComputationGraph.from_digraph(diagram)
    assert g.source == diagram.source and g.node_count == 6
    data, _ = DisplayFormatter().format(g)
    root = parse_svg(data["image/svg+xml"])
    shown = texts(root)
    for text in ("x1", "x3", "w1", "w3", "bias b", "z = w1·x1 + w2·x2 + w3·x3 + b", "a = f(z)"):
        assert text in shown
    assert len(list(root.iter(SVG + "circle"))) == 3          # x1, x2, x3
    assert len(list(root.iter(SVG + "ellipse"))) == 1         # the default shape: a = f(z)
    assert len(list(root.iter(SVG + "path"))) == 5
    assert overlapping(node_boxes(root)) == []


def test_any_digraph_is_drawn_by_graphviz_when_dot_is_there():
    svg = graph.ComputationGraph.from_digraph(neuron_diagram()).svg()
    assert "<svg" in svg and "annlib-graph" not in svg


# --- Tensor graphs: shapes in place of numbers -------------------------------------------

def tensor_mlp_loss(backward=True):
    """annlib.tensor's 64-16-10 network on a batch of 32: the loss and its parameters."""
    from annlib.tensor import MLP as TensorMLP, Tensor, cross_entropy
    model = TensorMLP(64, [16, 10], random_state=0)
    X = Tensor(np.random.default_rng(0).normal(size=(32, 64)), label="X")
    loss = cross_entropy(model(X), np.arange(32) % 10)
    loss.label = "L"
    if backward:
        loss.backward()
    return loss, model


def test_tensor_boxes_show_shapes_of_data_and_grad():
    loss, model = tensor_mlp_loss()
    g = graph.draw_graph(loss)
    assert node_line(g, "W1").count("16x64") == 2             # W1 | 16x64 | grad 16x64
    assert "{ b1 | 16 | grad 16 }" in node_line(g, "b1")      # a bias's gradient summed back
    assert "{ z1 | 32x16 | grad 32x16 }" in node_line(g, "z1")
    assert "{ X | 32x64 | no grad }" in node_line(g, "X")     # an input needs no gradient
    assert f"data {loss.data:.4f} | grad 1.0000" in node_line(g, "L")   # a loss is one number
    assert len(records(g)) == 9 and sorted(set(ops(g).values())) == sorted(
        {loss._op} | {z._op for z in loss._children} | {"relu"})


def test_tensor_grad_before_backward_is_a_question_mark():
    loss, _ = tensor_mlp_loss(backward=False)
    g = graph.draw_graph(loss)
    assert "{ W1 | 16x64 | grad ? }" in node_line(g, "W1")


def test_tensor_graph_drawn_without_dot_shows_shapes_and_keeps_the_layout_rules():
    loss, model = tensor_mlp_loss()
    g = graph.draw_graph(loss, highlight=model.layers[0].W)
    root = parse_svg(g.svg_without_dot())
    shown = texts(root)
    for text in ("W1", "16x64", "grad 16x64", "32x10", "no grad"):
        assert text in shown
    assert overlapping(node_boxes(root)) == []
    for points in arrow_points(root):
        xs = [x for x, _ in points]
        assert xs == sorted(xs)
    filled = [r for r in root.iter(SVG + "rect") if r.get("fill") == graph.HIGHLIGHT]
    assert len(filled) == 1                      # one Tensor to highlight, not its rows


def test_a_computation_graph_built_node_by_node_draws_itself_without_dot(no_dot):
    g = graph.ComputationGraph(graph_attr={"rankdir": "LR"})
    g.node("a", "{ a | data 2.0000 }", shape="record")
    g.node("t", "tanh", shape="circle")
    g.edge("a", "t")
    root = parse_svg(g.svg())
    assert {"a", "data 2.0000", "tanh"} <= set(texts(root))
    assert len(arrow_points(root)) == 1
