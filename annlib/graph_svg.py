"""Draw a computation graph as SVG without Graphviz: a small layered layout.

`annlib.graph` uses this when Graphviz's `dot` program is missing. The method is
the classic one for graphs that flow one way (Sugiyama's), in four steps:

1. Layers. Each node sits one layer after its furthest input (the longest path
   from the inputs). A leaf moves forward to just before the first node that
   reads it, so a bias or a target is drawn next to where it is used.
2. Long edges. An arrow that skips layers gets a waypoint in every layer it
   crosses, so it runs beside the boxes there instead of through them.
3. Order within each layer. Sweeps sort each layer by the mean position of its
   neighbours in the layer before (then after): the barycentre heuristic. The
   order with the fewest crossings seen is kept.
4. Positions. Each node moves towards the mean position of its neighbours, as
   far as the gap to the nodes beside it allows: the closest positions that
   keep the order and the gaps (an isotonic regression, solved by pooling
   adjacent violators).

All arrows bend only in the gaps between layers, so they never cross a box.
Text widths are estimates from Helvetica's proportions: no font is measured.
`read_dot` turns the DOT text of any `graphviz.Digraph` into the same kind of
drawing, so pictures made with graphviz directly can be drawn here too.

>>> from annlib import Value
>>> from annlib.graph import draw_graph
>>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
>>> svg = draw_graph(a * b).svg_without_dot()     # an <svg ...> string
"""

import re
import xml.etree.ElementTree as ET
from bisect import bisect_right, insort
from collections import deque

from .graph import PATH_COLOUR, Arrow, Circle, Drawing, Record

__all__ = ["draw_svg", "layered_layout", "read_dot", "text_width"]

FONT_SIZE = 11          # values' boxes
OP_FONT_SIZE = 10       # operation circles
TITLE_FONT_SIZE = 16
NOTE_FONT_SIZE = 10
FIELD_PADDING = 7       # each side of a field's text
RECORD_HEIGHT = 24
MIN_CIRCLE = 26         # diameter of an operation circle
LAYER_GAP = 44          # room between layers for the arrows to bend
NODE_GAP = 14           # between neighbours in one layer
WAYPOINT_BREADTH = 6    # room reserved for an arrow passing through a layer
ARROW_LENGTH, ARROW_HALF_WIDTH = 8, 3.5
MARGIN = 8
SWEEPS = 8              # rounds of barycentre ordering (down and up)
SMOOTHING_ROUNDS = 6    # rounds of moving nodes towards their neighbours

# Helvetica's advance widths in 1/1000 of the font size, grouped by width.
_WIDTH_GROUPS = {
    191: "'", 222: "ijl", 260: "|", 278: " !,./:;I[\\]ft·", 333: "()-`r", 334: "{}",
    355: '"', 389: "*", 469: "^", 500: "Jckvsxyzŷ", 556: "0123456789abdeghnopqu#$?_L∂",
    584: "+<=>~×", 611: "FTZ", 640: "Σ", 667: "ABEKPSVXY&", 722: "CDHNRUw",
    778: "GOQ", 833: "Mm", 889: "%", 944: "W", 1015: "@",
}
_CHAR_WIDTH = {char: width for width, chars in _WIDTH_GROUPS.items() for char in chars}


# Where Helvetica is missing, browsers fall back to wider fonts (DejaVu Sans on
# Linux is about 10% wider): leave that much room so text never overflows its box.
FONT_ALLOWANCE = 1.12


def text_width(text, font_size):
    """Estimated width of `text` at `font_size`: Helvetica's widths plus room for a wider
    fallback font (a character not in the table counts 0.6 em)."""
    return sum(_CHAR_WIDTH.get(char, 600) for char in text) * font_size / 1000 * FONT_ALLOWANCE


# =============================================================================
# The layout, in abstract coordinates: r along the flow, c across it
# =============================================================================

class Layout:
    """Where everything goes: for each node its centre (r, c); for each edge its route.

    ``route`` is a list of points from the tail's side to the head's side;
    segments alternate: a straight stretch through a layer, then a bend across
    the gap to the next layer, then straight again, ...
    """

    def __init__(self, centres, routes):
        self.centres = centres
        self.routes = routes


def _topological_order(nodes, preds, succs):
    """Kahn's algorithm, first-come first-served so the order is deterministic."""
    waiting = {n: len(preds[n]) for n in nodes}
    ready = deque(n for n in nodes if waiting[n] == 0)
    order = []
    while ready:
        n = ready.popleft()
        order.append(n)
        for s in succs[n]:
            waiting[s] -= 1
            if waiting[s] == 0:
                ready.append(s)
    if len(order) != len(nodes):
        raise ValueError("a computation graph cannot have a cycle, but this one has")
    return order


def _ranks(nodes, edges):
    """Step 1: the layer of each node (0 = leftmost)."""
    preds = {n: [] for n in nodes}
    succs = {n: [] for n in nodes}
    for tail, head in edges:
        succs[tail].append(head)
        preds[head].append(tail)
    order = _topological_order(nodes, preds, succs)
    rank = {}
    for n in order:
        rank[n] = max((rank[p] + 1 for p in preds[n]), default=0)
    for n in order:
        if not preds[n] and succs[n]:     # a leaf: just before its first reader
            rank[n] = min(rank[s] for s in succs[n]) - 1
    lowest = min(rank.values(), default=0)
    return {n: r - lowest for n, r in rank.items()}


def _crossings(layers, succs, position):
    """How many pairs of arrows cross between neighbouring layers."""
    total = 0
    for layer in layers[:-1]:
        pairs = sorted((position[t], position[h]) for t in layer for h in succs[t])
        heads_so_far = []
        for _, head in pairs:
            total += len(heads_so_far) - bisect_right(heads_so_far, head)
            insort(heads_so_far, head)
    return total


def _order_layers(layers, preds, succs):
    """Step 3: barycentre sweeps; returns the layers in the order with fewest crossings."""
    def positions():
        # a fraction of the layer's length, so layers of different sizes compare
        return {n: (i + 0.5) / len(layer) for layer in layers for i, n in enumerate(layer)}

    def sort_by_neighbours(layer, neighbours, position):
        def barycentre(n):
            seen = [position[m] for m in neighbours[n]]
            return sum(seen) / len(seen) if seen else position[n]
        layer.sort(key=barycentre)    # stable: ties keep their order

    position = positions()
    best, fewest = [list(layer) for layer in layers], _crossings(layers, succs, position)
    for _ in range(SWEEPS):
        if fewest == 0:
            break
        for sweep in (range(1, len(layers)), range(len(layers) - 2, -1, -1)):
            neighbours = preds if sweep.step == 1 else succs
            for r in sweep:
                sort_by_neighbours(layers[r], neighbours, position)
                position.update({n: (i + 0.5) / len(layers[r]) for i, n in enumerate(layers[r])})
            count = _crossings(layers, succs, position)
            if count < fewest:
                best, fewest = [list(layer) for layer in layers], count
    return best


def _closest_positions(targets, breadths, gap):
    """Positions as close as possible to `targets` (least squares) that keep the
    order and leave `gap` between neighbours of the given breadths.

    With offsets o_i (the tightest packing), p_i = o_i + q_i where q must not
    decrease: pool adjacent violators finds the best such q.
    """
    offsets = [0.0]
    for before, after in zip(breadths, breadths[1:]):
        offsets.append(offsets[-1] + (before + after) / 2 + gap)
    blocks = []                       # [mean of q, how many nodes]
    for target, offset in zip(targets, offsets):
        mean, count = target - offset, 1
        while blocks and blocks[-1][0] > mean:
            previous, n = blocks.pop()
            mean = (previous * n + mean * count) / (n + count)
            count += n
        blocks.append([mean, count])
    q = [mean for mean, count in blocks for _ in range(count)]
    return [offset + qi for offset, qi in zip(offsets, q)]


def _place_across(layers, preds, succs, breadth):
    """Step 4: the c coordinate of every node."""
    c = {}
    for layer in layers:              # start: each layer stacked, centred on 0
        packed = _closest_positions([0.0] * len(layer), [breadth[n] for n in layer], NODE_GAP)
        shift = (packed[0] + packed[-1]) / 2 if packed else 0.0
        c.update({n: p - shift for n, p in zip(layer, packed)})

    def towards(layer, neighbours):
        targets = []
        for n in layer:
            seen = [c[m] for m in neighbours[n]]
            targets.append(sum(seen) / len(seen) if seen else c[n])
        placed = _closest_positions(targets, [breadth[n] for n in layer], NODE_GAP)
        c.update(zip(layer, placed))

    for _ in range(SMOOTHING_ROUNDS):
        for layer in layers[1:]:
            towards(layer, preds)
        for layer in reversed(layers[:-1]):
            towards(layer, succs)
    both = {n: preds[n] + succs[n] for n in c}
    for layer in layers:
        towards(layer, both)
    return c


def layered_layout(nodes, edges, length, breadth):
    """Place `nodes` (ids) in layers so that every edge (tail, head) runs forward.

    `length[n]` is a node's extent along the flow, `breadth[n]` across it.
    Returns a `Layout` in abstract coordinates (r along the flow, c across it).
    """
    rank = _ranks(nodes, edges)
    n_layers = max(rank.values(), default=-1) + 1
    layers = [[] for _ in range(n_layers)]
    for n in nodes:
        layers[rank[n]].append(n)

    # Step 2: waypoints on long edges; every link then joins neighbouring layers.
    breadth = dict(breadth)
    preds = {n: [] for n in nodes}
    succs = {n: [] for n in nodes}
    chains = []
    for e, (tail, head) in enumerate(edges):
        chain = [tail]
        for r in range(rank[tail] + 1, rank[head]):
            waypoint = ("waypoint", e, r)
            layers[r].append(waypoint)
            breadth[waypoint] = WAYPOINT_BREADTH
            preds[waypoint], succs[waypoint] = [], []
            chain.append(waypoint)
        chain.append(head)
        for a, b in zip(chain, chain[1:]):
            succs[a].append(b)
            preds[b].append(a)
        chains.append(chain)

    layers = _order_layers(layers, preds, succs)
    c = _place_across(layers, preds, succs, breadth)

    # r: each layer as long as its longest node, the gap after it.
    start, layer_start, layer_end = 0.0, [], []
    for layer in layers:
        longest = max((length.get(n, 0.0) for n in layer), default=0.0)
        layer_start.append(start)
        layer_end.append(start + longest)
        start += longest + LAYER_GAP
    centres = {}
    for r, layer in enumerate(layers):
        middle = (layer_start[r] + layer_end[r]) / 2
        centres.update({n: (middle, c[n]) for n in layer})

    routes = []
    for chain in chains:
        tail, head = chain[0], chain[-1]
        r_tail, r_head = rank[tail], rank[head]
        route = [(centres[tail][0] + length[tail] / 2, c[tail]), (layer_end[r_tail], c[tail])]
        for waypoint in chain[1:-1]:
            r = waypoint[2]
            route += [(layer_start[r], c[waypoint]), (layer_end[r], c[waypoint])]
        entry = centres[head][0] - length[head] / 2
        route += [(min(layer_start[r_head], entry - ARROW_LENGTH), c[head]), (entry, c[head])]
        routes.append(route)
    return Layout({n: centres[n] for n in nodes}, routes)


# =============================================================================
# Writing the SVG
# =============================================================================

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text):
    """`text` with the characters XML cannot hold replaced (ElementTree escapes & < > itself)."""
    return _NOT_XML.sub("\ufffd", str(text))


def _number(x):
    return f"{x:.1f}".rstrip("0").rstrip(".") if x == x else "0"


def _field_widths(record):
    return [text_width(field, FONT_SIZE) + 2 * FIELD_PADDING for field in record.fields]


def _size(node, horizontal):
    """(width, height) of a node on the page. A record's fields run along the flow,
    side by side left to right, stacked top to bottom (as Graphviz does)."""
    if isinstance(node, Circle):
        if node.shape == "ellipse":
            return max(MIN_CIRCLE, text_width(node.text, FONT_SIZE) * 1.2 + 16), RECORD_HEIGHT + 4
        diameter = max(MIN_CIRCLE, text_width(node.text, OP_FONT_SIZE) + 10)
        return diameter, diameter
    widths = _field_widths(node)
    if horizontal:
        return sum(widths), RECORD_HEIGHT
    return max(widths), RECORD_HEIGHT * len(widths)


def _text(parent, x, y, text, size, **attributes):
    # y is the middle of the text: the baseline sits about a third of the size lower
    element = ET.SubElement(parent, "text", x=_number(x), y=_number(y + 0.35 * size),
                            **{"text-anchor": "middle", "font-size": str(size)}, **attributes)
    element.text = _xml_text(text)
    return element


def _draw_record(parent, node, x, y, width, height, horizontal):
    group = ET.SubElement(parent, "g", {"class": "value"})
    ET.SubElement(group, "rect", x=_number(x - width / 2), y=_number(y - height / 2),
                  width=_number(width), height=_number(height), fill=node.fill or "white",
                  stroke="black")
    widths = _field_widths(node)
    left, top = x - width / 2, y - height / 2
    for i, field in enumerate(node.fields):
        if horizontal:
            fx, fy = left + sum(widths[:i]) + widths[i] / 2, y
            if i:
                ET.SubElement(group, "line", x1=_number(left + sum(widths[:i])), y1=_number(top),
                              x2=_number(left + sum(widths[:i])), y2=_number(top + height),
                              stroke="black")
        else:
            fx, fy = x, top + RECORD_HEIGHT * (i + 0.5)
            if i:
                ET.SubElement(group, "line", x1=_number(left), y1=_number(top + RECORD_HEIGHT * i),
                              x2=_number(left + width), y2=_number(top + RECORD_HEIGHT * i),
                              stroke="black")
        _text(group, fx, fy, field, FONT_SIZE)


def _draw_circle(parent, node, x, y, width, height):
    group = ET.SubElement(parent, "g", {"class": "op"})
    if node.shape == "ellipse":
        ET.SubElement(group, "ellipse", cx=_number(x), cy=_number(y), rx=_number(width / 2),
                      ry=_number(height / 2), fill=node.fill or "white", stroke="black")
        _text(group, x, y, node.text, FONT_SIZE)
    else:
        ET.SubElement(group, "circle", cx=_number(x), cy=_number(y), r=_number(width / 2),
                      fill=node.fill or "white", stroke="black")
        _text(group, x, y, node.text, OP_FONT_SIZE)


def _page_point(direction):
    """The map from layout coordinates (r along the flow, c across it) to the page's (x, y)."""
    return {"LR": lambda r, c: (r, c), "RL": lambda r, c: (-r, c),
            "TB": lambda r, c: (c, r), "BT": lambda r, c: (c, -r)}[direction]


def _arrow_path(route, page):
    """SVG path data: straight through layers, a smooth S-bend across each gap."""
    # stop where the arrowhead begins, so the line does not poke through its tip
    (r, c) = route[-1]
    route = route[:-1] + [(r - ARROW_LENGTH, c)]
    x, y = page(*route[0])
    parts = [f"M{_number(x)},{_number(y)}"]
    for i in range(1, len(route)):
        (r0, c0), (r1, c1) = route[i - 1], route[i]
        if i % 2:                     # through a layer (or the last stretch): straight
            x, y = page(r1, c1)
            parts.append(f"L{_number(x)},{_number(y)}")
        else:                         # across a gap: leave and arrive along the flow
            middle = (r0 + r1) / 2
            points = [page(middle, c0), page(middle, c1), page(r1, c1)]
            parts.append("C" + " ".join(f"{_number(px)},{_number(py)}" for px, py in points))
    return " ".join(parts)


def draw_svg(drawing, note=None):
    """The `annlib.graph.Drawing` as an SVG document (a string starting with ``<svg``),
    with `note` in small grey letters under the graph."""
    horizontal = drawing.direction in ("LR", "RL")
    nodes = drawing.nodes
    sizes = {node.id: _size(node, horizontal) for node in nodes}
    along = 0 if horizontal else 1
    layout = layered_layout([node.id for node in nodes],
                            [(arrow.tail, arrow.head) for arrow in drawing.arrows],
                            {n: size[along] for n, size in sizes.items()},
                            {n: size[1 - along] for n, size in sizes.items()})
    page = _page_point(drawing.direction)
    placed = {n: page(*centre) for n, centre in layout.centres.items()}

    # The bounding box of the graph, then the room for the title above and note below.
    lefts = [placed[n][0] - sizes[n][0] / 2 for n in placed] or [0.0]
    rights = [placed[n][0] + sizes[n][0] / 2 for n in placed] or [0.0]
    tops = [placed[n][1] - sizes[n][1] / 2 for n in placed] or [0.0]
    bottoms = [placed[n][1] + sizes[n][1] / 2 for n in placed] or [0.0]
    graph_width, graph_height = max(rights) - min(lefts), max(bottoms) - min(tops)
    title_height = TITLE_FONT_SIZE + 10 if drawing.title else 0
    note_height = NOTE_FONT_SIZE + 10 if note else 0
    width = max(graph_width,
                text_width(drawing.title or "", TITLE_FONT_SIZE),
                text_width(note or "", NOTE_FONT_SIZE)) + 2 * MARGIN
    height = graph_height + title_height + note_height + 2 * MARGIN
    dx = (width - graph_width) / 2 - min(lefts)
    dy = MARGIN + title_height - min(tops)

    def shifted(r, c):
        x, y = page(r, c)
        return x + dx, y + dy

    svg = ET.Element("svg", {"xmlns": "http://www.w3.org/2000/svg", "class": "annlib-graph",
                             "width": _number(width), "height": _number(height),
                             "viewBox": f"0 0 {_number(width)} {_number(height)}",
                             "font-family": "Helvetica, Arial, sans-serif"})
    if drawing.title:
        _text(svg, width / 2, MARGIN + TITLE_FONT_SIZE / 2, drawing.title, TITLE_FONT_SIZE,
              **{"class": "title"})

    arrows = ET.SubElement(svg, "g", {"class": "arrows", "fill": "none"})
    for arrow, route in zip(drawing.arrows, layout.routes):
        colour, thickness = (PATH_COLOUR, "2") if arrow.on_path else ("black", "1")
        ET.SubElement(arrows, "path", d=_arrow_path(route, shifted), stroke=colour,
                      **{"stroke-width": thickness})
        (r, c) = route[-1]
        head = [shifted(r, c), shifted(r - ARROW_LENGTH, c - ARROW_HALF_WIDTH),
                shifted(r - ARROW_LENGTH, c + ARROW_HALF_WIDTH)]
        ET.SubElement(arrows, "polygon", fill=colour, stroke=colour,
                      points=" ".join(f"{_number(x)},{_number(y)}" for x, y in head))
        if arrow.label:               # just after the tail, beside the arrow, on a white patch
            (r, c) = route[1]
            x, y = shifted(r + LAYER_GAP / 4, c - OP_FONT_SIZE * 0.7)
            _text(svg, x, y, arrow.label, OP_FONT_SIZE, fill=colour, stroke="white",
                  **{"stroke-width": "3", "paint-order": "stroke", "class": "edge-label"})

    boxes = ET.SubElement(svg, "g", {"class": "nodes"})
    for node in nodes:
        x, y = placed[node.id][0] + dx, placed[node.id][1] + dy
        if isinstance(node, Circle):
            _draw_circle(boxes, node, x, y, *sizes[node.id])
        else:
            _draw_record(boxes, node, x, y, *sizes[node.id], horizontal)
    if note:
        _text(svg, width / 2, height - MARGIN - NOTE_FONT_SIZE / 2, note, NOTE_FONT_SIZE,
              fill="#666666", **{"class": "note"})
    return ET.tostring(svg, encoding="unicode")


# =============================================================================
# Reading DOT: any graphviz.Digraph becomes a Drawing
# =============================================================================

_DOT_TOKEN = re.compile(r"""\s*(?:(->|--|[\[\]{};=,])|"((?:[^"\\]|\\.)*)"|([^\s\[\]{};=,"]+))""")
_ELLIPSES = ("ellipse", "oval", "circle", "doublecircle", "point", "egg")


def _dot_tokens(line):
    """The tokens of one DOT statement; quoted strings come back unquoted."""
    tokens = []
    for symbol, quoted, word in _DOT_TOKEN.findall(line):
        if quoted or (not symbol and not word):
            tokens.append(re.sub(r'\\(["\\])', r"\1", quoted))
        else:
            tokens.append(symbol or word)
    return tokens


def _dot_attributes(tokens):
    """{key: value} from ``key=value key2="value 2"`` tokens (brackets and commas ignored)."""
    tokens = [t for t in tokens if t not in ("[", "]", ",", ";")]
    return {tokens[i - 1]: tokens[i + 1] for i, t in enumerate(tokens)
            if t == "=" and 0 < i < len(tokens) - 1}


def _record_fields(label):
    """A record label ``{ a | data 2.0 | grad 1 }`` as its fields, braces and escapes removed."""
    fields = re.split(r"(?<!\\)\|", label)
    return tuple(re.sub(r"\\(.)", r"\1", re.sub(r"(?<!\\)[{}]", "", f)).strip() or " "
                 for f in fields)


def _plain_label(text):
    # DOT's line breaks (\n, \l, \r) become spaces: one line per node here
    return re.sub(r"\\[nlr]", " ", text).replace("\\", "")


def read_dot(source):
    """The nodes, edges and title of DOT text as the graphviz package writes it
    (one statement per line), as a `Drawing`. Records keep their fields; circles
    and ellipses stay round; every other shape becomes a box; edge labels stay."""
    graph_attributes, node_defaults, nodes, arrows = {}, {}, {}, []

    def node(name, attributes=None):
        if name not in nodes:
            nodes[name] = dict(node_defaults)
        nodes[name].update(attributes or {})

    for line in source.splitlines():
        tokens = _dot_tokens(line)
        if not tokens or tokens[-1] == "{" or tokens[0] == "}":
            continue
        if tokens[0] in ("graph", "node", "edge") and len(tokens) > 1 and tokens[1] == "[":
            target = {"graph": graph_attributes, "node": node_defaults, "edge": {}}[tokens[0]]
            target.update(_dot_attributes(tokens[1:]))
        elif len(tokens) > 1 and tokens[1] == "=":
            graph_attributes.update(_dot_attributes(tokens))
        elif len(tokens) > 2 and tokens[1] in ("->", "--"):
            node(tokens[0])
            node(tokens[2])
            attributes = _dot_attributes(tokens[3:])
            arrows.append(Arrow(tokens[0], tokens[2], "color" in attributes,
                                _plain_label(attributes.get("label", ""))))
        else:
            node(tokens[0], _dot_attributes(tokens[1:]))

    drawing = Drawing(title=_plain_label(graph_attributes.get("label", "")) or None,
                      direction=graph_attributes.get("rankdir", "TB").upper())
    if drawing.direction not in ("LR", "RL", "TB", "BT"):
        drawing.direction = "TB"
    for name, attributes in nodes.items():
        label = attributes.get("label", name)
        shape = attributes.get("shape", "ellipse").lower()
        fill = attributes.get("fillcolor") if "filled" in attributes.get("style", "") else None
        if shape in ("record", "mrecord"):
            drawing.add(Record(name, _record_fields(label), fill))
        elif shape in _ELLIPSES:
            drawing.add(Circle(name, _plain_label(label), fill,
                               "circle" if shape in ("circle", "doublecircle", "point") else "ellipse"))
        else:
            drawing.add(Record(name, (_plain_label(label),), fill))
    for arrow in arrows:
        drawing.add(arrow)
    return drawing
