"""Graded exercises of chapter 07: automatic differentiation from scratch.

Each exercise: a reference (the decorated function), its cases, hints, and the
catalogue of wrong answers it must recognise (see ``annlib.grading.core``).
The statements live in ``solutions/07_*.ipynb``.
"""

import math
from collections import Counter

from ..engine import Value
from .common import _any_outcome_contains, _f, _fmt_list
from .core import BadAnswer, exercise


class _Node:
    """The smallest node a backward rule needs: .data and .grad (like annlib's Value)."""
    __slots__ = ("data", "grad", "label")

    def __init__(self, data, grad=0.0, label=""):
        self.data, self.grad, self.label = float(data), float(grad), label

    def __repr__(self):
        return f"Node(data={self.data:.4g}, grad={self.grad:.4g}, label={self.label!r})"


_ASSIGN = ("You wrote `.grad = ...` where the rule must ADD: `.grad += ...`. A node can "
           "receive gradient from several places (a node used twice, as in a * a, or reached "
           "by two paths); `=` throws away what earlier contributions put there. The check "
           "starts some gradients at a non-zero value to see this.")
_UPSTREAM = ("You added the local derivative alone. The chain rule multiplies it by the "
             "upstream gradient out.grad (dL/dout): input.grad += local * out.grad.")
_RETURNED = ("Your function left every .grad unchanged. A backward rule does not return the "
             "gradients: it ADDS them to the inputs' .grad attributes (input.grad += ...).")


def _backward_rule(kind):
    """prepare() for 07.1-07.3: build fresh nodes, run the rule, read the grads it left."""
    def prepare(rule):
        if not callable(rule):
            raise BadAnswer(f"Expected your function {kind}_backward itself (no parentheses), "
                            f"got {type(rule).__name__}.")

        def mul_case(a, b, out_grad, a_grad_before, b_grad_before, same_node):
            node_a = _Node(a, a_grad_before, "a")
            node_b = node_a if same_node else _Node(b, b_grad_before, "b")
            out = _Node(node_a.data * node_b.data, out_grad, "out")
            rule(node_a, node_b, out)
            return (node_a.grad, node_b.grad)

        def pow_case(x, n, out_grad, x_grad_before):
            node_x = _Node(x, x_grad_before, "x")
            out = _Node(x ** n, out_grad, "out")
            rule(node_x, n, out)
            return node_x.grad

        def tanh_case(x, out_grad, x_grad_before):
            node_x = _Node(x, x_grad_before, "x")
            out = _Node(math.tanh(x), out_grad, "out")
            rule(node_x, out)
            return node_x.grad

        return {"mul": mul_case, "pow": pow_case, "tanh": tanh_case}[kind]
    return prepare


def _describe_mul(args):
    a, b, out_grad, a_before, b_before, same_node = args
    if same_node:
        return (f"with out = a * a, a.data={_f(a)}, out.grad={_f(out_grad)} and a.grad "
                f"starting at {_f(a_before)}, (a.grad, a.grad) after mul_backward(a, a, out)")
    return (f"with out = a * b, a.data={_f(a)}, b.data={_f(b)}, out.grad={_f(out_grad)} "
            f"and a.grad, b.grad starting at {_f(a_before)}, {_f(b_before)}, "
            f"(a.grad, b.grad) after mul_backward(a, b, out)")


def _describe_pow(args):
    x, n, out_grad, x_before = args
    return (f"with out = x ** {n!r}, x.data={_f(x)}, out.grad={_f(out_grad)} and x.grad "
            f"starting at {_f(x_before)}, x.grad after pow_backward(x, {n!r}, out)")


def _describe_tanh(args):
    x, out_grad, x_before = args
    return (f"with out = tanh(x), x.data={_f(x)}, out.grad={_f(out_grad)} and x.grad "
            f"starting at {_f(x_before)}, x.grad after tanh_backward(x, out)")


# --- 07.1 mul ----------------------------------------------------------------------------

def _mul_random(rng):
    return [(round(rng.uniform(-3, 3), 3), round(rng.uniform(-3, 3), 3),
             round(rng.uniform(-2, 2), 3), round(rng.uniform(-1, 1), 3),
             round(rng.uniform(-1, 1), 3), False) for _ in range(10)]


@exercise("07.1", "Write the backward rule of multiplication", points=2,
          prepare=_backward_rule("mul"), describe=_describe_mul,
          cases=[(2.0, -3.0, 1.0, 0.0, 0.0, False),
                 (2.0, -3.0, 0.5, 0.0, 0.0, False),
                 (2.0, -3.0, 1.0, 0.25, -1.0, False),
                 (3.0, 3.0, 1.0, 0.0, 0.0, True)],
          random_cases=_mul_random,
          hints=["out = a * b. Local derivatives: dout/da = b, dout/db = a.",
                 "Multiply each local derivative by the upstream gradient out.grad.",
                 "Accumulate: a.grad += b.data * out.grad (and the same for b). With a * a, "
                 "a and b are the same node, which must end with 2 * a.data * out.grad."])
def mul_backward(a, b, out):
    """out = a * b: add dL/da = b * dL/dout and dL/db = a * dL/dout."""
    a.grad += b.data * out.grad
    b.grad += a.data * out.grad


@mul_backward.mistake("assign_instead_of_add", _ASSIGN)
def _(a, b, out):
    a.grad = b.data * out.grad
    b.grad = a.data * out.grad


@mul_backward.mistake("swapped_operands",
                      "You swapped the local derivatives: for out = a * b, dout/da is b (the "
                      "OTHER factor), and dout/db is a.")
def _(a, b, out):
    a.grad += a.data * out.grad
    b.grad += b.data * out.grad


@mul_backward.mistake("forgot_upstream", _UPSTREAM)
def _(a, b, out):
    a.grad += b.data
    b.grad += a.data


@mul_backward.mistake("out_data_instead_of_grad",
                      "You multiplied by out.data, the product's VALUE. The chain rule needs "
                      "the upstream gradient out.grad = dL/dout.")
def _(a, b, out):
    a.grad += b.data * out.data
    b.grad += a.data * out.data


@mul_backward.mistake("returned_not_accumulated", _RETURNED)
def _(a, b, out):
    return (b.data * out.grad, a.data * out.grad)


# --- 07.2 pow ----------------------------------------------------------------------------

def _pow_random(rng):
    return [(round(rng.uniform(0.5, 3), 3), rng.choice([2, 3, 4, 0.5, -1, -2, 1.5]),
             round(rng.uniform(-2, 2), 3), round(rng.uniform(-1, 1), 3)) for _ in range(10)]


@exercise("07.2", "Write the backward rule of a power x ** n", points=2,
          prepare=_backward_rule("pow"), describe=_describe_pow,
          cases=[(3.0, 2, 1.0, 0.0),
                 (2.0, 3, 0.5, 0.0),
                 (4.0, 0.5, 1.0, 0.0),
                 (2.0, -1, 1.0, 0.0),
                 (1.5, 2, 1.0, 0.7),
                 (-2.0, 3, 1.0, 0.0)],
          random_cases=_pow_random,
          hints=["The power rule: d(x^n)/dx = n * x^(n-1). The exponent goes DOWN by one.",
                 "Multiply by the upstream gradient and accumulate: "
                 "x.grad += n * x.data ** (n - 1) * out.grad."])
def pow_backward(x, n, out):
    """out = x ** n (n a number): add dL/dx = n * x^(n-1) * dL/dout."""
    x.grad += n * x.data ** (n - 1) * out.grad


@pow_backward.mistake("n_times_x_to_n",
                      "You used n * x^n: the power rule lowers the exponent, "
                      "d(x^n)/dx = n * x^(n-1). For x^2 that is 2x, not 2x^2.")
def _(x, n, out):
    x.grad += n * x.data ** n * out.grad


@pow_backward.mistake("forgot_factor_n",
                      "You wrote x^(n-1) without the factor n in front: d(x^n)/dx = n * x^(n-1).")
def _(x, n, out):
    x.grad += x.data ** (n - 1) * out.grad


@pow_backward.mistake("assign_instead_of_add", _ASSIGN)
def _(x, n, out):
    x.grad = n * x.data ** (n - 1) * out.grad


@pow_backward.mistake("forgot_upstream", _UPSTREAM)
def _(x, n, out):
    x.grad += n * x.data ** (n - 1)


@pow_backward.mistake("returned_not_accumulated", _RETURNED)
def _(x, n, out):
    return n * x.data ** (n - 1) * out.grad


# --- 07.3 tanh ---------------------------------------------------------------------------

def _tanh_random(rng):
    return [(round(rng.uniform(-3, 3), 3), round(rng.uniform(-2, 2), 3),
             round(rng.uniform(-1, 1), 3)) for _ in range(10)]


@exercise("07.3", "Write the backward rule of tanh", points=2,
          prepare=_backward_rule("tanh"), describe=_describe_tanh,
          cases=[(0.5, 1.0, 0.0), (-1.2, 2.0, 0.0), (2.0, 1.0, 0.3), (0.0, 0.5, 0.0)],
          random_cases=_tanh_random,
          hints=["tanh'(x) = 1 - tanh(x)^2, and tanh(x) is already stored in out.data.",
                 "x.grad += (1 - out.data ** 2) * out.grad"])
def tanh_backward(x, out):
    """out = tanh(x): add dL/dx = (1 - out^2) * dL/dout (tanh' from its own output)."""
    x.grad += (1 - out.data ** 2) * out.grad


@tanh_backward.mistake("slope_at_input",
                       "You computed 1 - x^2 from the INPUT x. The derivative is "
                       "1 - tanh(x)^2: square the OUTPUT, out.data = tanh(x).")
def _(x, out):
    x.grad += (1 - x.data ** 2) * out.grad


@tanh_backward.mistake("forgot_square",
                       "You used 1 - tanh(x); the derivative is 1 - tanh(x)^2 (square out.data).")
def _(x, out):
    x.grad += (1 - out.data) * out.grad


@tanh_backward.mistake("assign_instead_of_add", _ASSIGN)
def _(x, out):
    x.grad = (1 - out.data ** 2) * out.grad


@tanh_backward.mistake("forgot_upstream", _UPSTREAM)
def _(x, out):
    x.grad += 1 - out.data ** 2


@tanh_backward.mistake("returned_not_accumulated", _RETURNED)
def _(x, out):
    return (1 - out.data ** 2) * out.grad


# --- graphs for 07.4 and 07.5 ------------------------------------------------------------

def _labelled(value, label):
    value.label = label
    return value


def _graph(name):
    """A fresh computation graph (every node labelled); returns its output node."""
    if name == "one leaf":
        return Value(2.0, label="x")
    if name == "neuron":
        x1, x2 = Value(2.0, label="x1"), Value(-1.0, label="x2")
        w1, w2, b = Value(-0.5, label="w1"), Value(0.8, label="w2"), Value(0.3, label="b")
        s1 = _labelled(x1 * w1, "x1*w1")
        s2 = _labelled(x2 * w2, "x2*w2")
        s = _labelled(s1 + s2, "x1*w1 + x2*w2")
        z = _labelled(s + b, "z")
        return _labelled(z.tanh(), "a")
    if name == "a*a + a*b":
        a, b = Value(1.5, label="a"), Value(-2.0, label="b")
        aa = _labelled(a * a, "a*a")
        ab = _labelled(a * b, "a*b")
        return _labelled(aa + ab, "L")
    if name == "diamond":
        a, b = Value(0.5, label="a"), Value(-1.5, label="b")
        c = _labelled(a + b, "c")
        d = _labelled(c * a, "d")
        e = _labelled(c.tanh(), "e")
        f = _labelled(d * e, "f")
        g = _labelled(f + c, "g")
        return _labelled(g ** 2, "L")
    if name == "mlp 2-3-1":
        from ..nn import MLP
        model = MLP(2, [3, 1], activation="tanh", random_state=7)
        x = [_labelled(Value(0.5), "x1"), _labelled(Value(-1.2), "x2")]
        error = _labelled(model(x) - 0.7, "y_pred - y")
        return _labelled(error ** 2, "L")
    if name.startswith("chain of "):
        length = int(name[len("chain of "):].replace(",", ""))
        node = Value(1.0, label="v1")
        for i in range(2, length + 1):
            node = _labelled(-node, f"v{i}")  # one input per node: a chain as deep as it is long
        return node
    raise ValueError(f"unknown graph {name!r}")


def _reachable(root):
    """Every node that leads to root (root included), found without recursion."""
    seen, stack = {id(root): root}, [root]
    while stack:
        for child in stack.pop()._children:
            if id(child) not in seen:
                seen[id(child)] = child
                stack.append(child)
    return seen


def _name(node):
    return repr(node.label) if node.label else f"(unlabelled node with data {node.data:g})"


# --- 07.4 topological order --------------------------------------------------------------

def _judge_order(order, root):
    """A short verdict on a proposed topological order of root's graph."""
    nodes = _reachable(root)
    if order is None:
        return "returned None instead of a list of nodes"
    try:
        order = list(order)
    except TypeError:
        return f"returned a {type(order).__name__}, not a list of nodes"
    strangers = [o for o in order if not isinstance(o, Value)]
    if strangers:
        return (f"the list holds {type(strangers[0]).__name__} items such as "
                f"{strangers[0]!r:.30}, not the graph's nodes")
    counts = Counter(id(o) for o in order)
    for o in order:
        if counts[id(o)] > 1:
            return f"node {_name(o)} appears {counts[id(o)]} times"
    foreign = [o for o in order if id(o) not in nodes]
    if foreign:
        return f"node {_name(foreign[0])} is not part of the graph"
    missing = [n for i, n in nodes.items() if i not in counts]
    if missing:
        leaves = all(not n._children for n in missing)
        kind = " (all of them leaves: inputs and parameters)" if leaves else ""
        return (f"{len(missing)} of the {len(nodes)} nodes are missing{kind}, e.g. "
                f"{_name(missing[0])}")
    position = {id(o): i for i, o in enumerate(order)}

    def first_violation(pos):
        for node in order:
            for child in node._children:
                if pos[id(child)] > pos[id(node)]:
                    return node, child
        return None
    violation = first_violation(position)
    if violation:
        backwards = {key: len(order) - 1 - i for key, i in position.items()}
        if first_violation(backwards) is None:
            return "reversed: every node comes BEFORE its inputs"
        node, child = violation
        return f"node {_name(node)} comes before its input {_name(child)}"
    return f"a valid order of {len(nodes)} nodes"


_ORDER_GRAPHS = ["one leaf", "neuron", "a*a + a*b", "diamond", "mlp 2-3-1", "chain of 10,000"]


def _order(root):
    """Depth-first post-order with an explicit stack: each node after all of its inputs."""
    order, visited = [], {id(root)}
    stack = [(root, iter(root._children))]
    while stack:
        node, children = stack[-1]
        for child in children:
            if id(child) not in visited:
                visited.add(id(child))
                stack.append((child, iter(child._children)))
                break
        else:  # every input of node is listed: node may follow
            stack.pop()
            order.append(node)
    return order


def _order_prepare(answer):
    if not callable(answer):
        raise BadAnswer(f"Expected your function topological_order itself (no parentheses), "
                        f"got {type(answer).__name__}.")

    def run(graph):
        root = _graph(graph)
        return _judge_order(answer(root), root)
    return run


@exercise("07.4", "Sort a computation graph topologically", points=3,
          prepare=_order_prepare, time_limit=10, cases=[(g,) for g in _ORDER_GRAPHS],
          describe=lambda args: f"the check of topological_order(root) on the graph {args[0]!r}",
          hints=["Depth-first search: a node goes into the list only after all of its "
                 "inputs (node._children) are in it.",
                 "Keep a set of nodes already visited, so that a node reached along two paths "
                 "(a * a, or a shared sub-expression) is listed once.",
                 "Recursion fails on the 10,000-node chain (Python allows about 1,000 nested "
                 "calls). Use an explicit stack of (node, iterator over its children) pairs."])
def topological_order(root):
    """Every node that leads to root (itself included), each after all of its inputs."""
    return _order(root)


@topological_order.mistake("no_visited_set",
                           "A node appears more than once in your order: you do not remember "
                           "which nodes you have already listed. A node used twice (a * a) or "
                           "shared by two paths is reached twice; keep a set of visited nodes "
                           "and skip those.", detect=_any_outcome_contains("appears"))
def _(root):
    order = []

    def visit(node):
        for child in node._children:
            visit(child)
        order.append(node)
    visit(root)
    return order


@topological_order.mistake("reversed",
                           "Your order is reversed: the output comes first and every node "
                           "before its inputs. Topological order lists a node only after all "
                           "of its inputs (leaves first, the output last); backward() then "
                           "walks it in reverse.", detect=_any_outcome_contains("reversed"))
def _(root):
    return list(reversed(_order(root)))


@topological_order.mistake("leaves_left_out",
                           "Your order leaves out the leaves (the inputs and parameters, nodes "
                           "without children). They belong in the order too: their gradients "
                           "are the ones training needs.",
                           detect=_any_outcome_contains("all of them leaves"))
def _(root):
    return [n for n in _order(root) if n._children]


@topological_order.mistake("recursion_too_deep",
                           "Your order is right on small graphs, but on the chain of 10,000 "
                           "nodes Python raised RecursionError: each nested call uses one "
                           "level of a stack limited to about 1,000 (3,000 in Jupyter). "
                           "Replace the recursion by an explicit stack (a list of (node, "
                           "iterator over its children) pairs).")
def _(root):
    order, visited = [], set()

    def visit(node):
        if id(node) in visited:
            return
        visited.add(id(node))
        for child in node._children:
            visit(child)
        order.append(node)
    visit(root)
    return order


@topological_order.mistake("breadth_first",
                           "Sorting by distance from the output (breadth-first search, then "
                           "reversing) is not a topological order: a node reached by a short "
                           "path AND a long path can land before one of its inputs. Use "
                           "depth-first search: append a node only after all its inputs.")
def _(root):
    order, seen, queue = [], {id(root)}, [root]
    while queue:
        node = queue.pop(0)
        order.append(node)
        for child in node._children:
            if id(child) not in seen:
                seen.add(id(child))
                queue.append(child)
    return order[::-1]


@topological_order.mistake("labels_not_nodes",
                           "Your list holds labels or numbers. Return the nodes themselves "
                           "(the Value objects), so that backward() can use them.",
                           detect=_any_outcome_contains("not the graph's nodes"))
def _(root):
    return [n.label for n in _order(root)]


# --- 07.5 backward -----------------------------------------------------------------------

class UsedLibraryBackward(RuntimeError):
    """Raised when the exercise's own backward() is replaced by annlib's."""


class _GuardedRoot(Value):
    """The loss node handed to the learner's backward: calling .backward() on it is refused."""
    __slots__ = ()

    def backward(self):
        raise UsedLibraryBackward("07.5 asks you to write backward yourself; root.backward() "
                                  "is annlib's")


_BACKWARD_GRAPHS = ["neuron", "a*a + a*b", "diamond", "mlp 2-3-1"]


def _nodes_report(root):
    """(label, grad) of every labelled node except the root, in a fixed order."""
    return [(n.label, n.grad) for n in _order(root)[:-1] if n.label]


def _backward_prepare(answer):
    if not callable(answer):
        raise BadAnswer(f"Expected your function backward itself (no parentheses), "
                        f"got {type(answer).__name__}.")

    def run(graph):
        out = _graph(graph)
        # one identity node on top: the root the learner gets refuses .backward()
        root = _GuardedRoot(out.data, "loss", (out,), (1.0,), "=")
        answer(root)
        return _nodes_report(root)
    return run


def _all_grads_zero(outcomes, expected):
    return all(o.ok and all(g == 0 for _, g in o.value) for o in outcomes)


def _only_first_level(outcomes, expected):
    """Forward order: only the root's own input got its gradient, all deeper ones 0."""
    return all(o.ok and len(o.value) > 1 and o.value[-1][1] == 1.0
               and all(g == 0 for _, g in o.value[:-1]) for o in outcomes)


@exercise("07.5", "Write backward(): the chain rule over the whole graph", points=3,
          prepare=_backward_prepare, cases=[(g,) for g in _BACKWARD_GRAPHS],
          forbidden={"annlib.engine.Value.backward": "it is the loop this exercise asks "
                                                     "you to write"},
          describe=lambda args: (f"on the graph {args[0]!r}, the (label, grad) pairs after "
                                 f"backward(root)"),
          hints=["Start with root.grad = 1 (dL/dL), then visit the nodes from the output "
                 "back to the inputs: reversed(topological order).",
                 "Each node stores its inputs in node._children and their local "
                 "derivatives in node._local_grads (same order): zip them.",
                 "For each (child, local): child.grad += local * node.grad. Use +=: a child "
                 "may receive gradient from several nodes."])
def backward(root):
    """Fill .grad of every node that leads to root with dL/dnode (L = root)."""
    root.grad = 1.0
    for node in reversed(_order(root)):
        for child, local in zip(node._children, node._local_grads):
            child.grad += local * node.grad


@backward.mistake("library_backward",
                  "You called root.backward(), annlib's ready-made backward pass. This "
                  "exercise asks you to write that loop yourself, with node._children, "
                  "node._local_grads and a topological order.")
def _(root):
    root.backward()


@backward.mistake("forgot_seed",
                  "Every gradient stayed 0: nothing started the chain. Set root.grad = 1 "
                  "(dL/dL = 1) before walking the graph; every other gradient is a multiple "
                  "of it.", detect=_all_grads_zero)
def _(root):
    for node in reversed(_order(root)):
        for child, local in zip(node._children, node._local_grads):
            child.grad += local * node.grad


@backward.mistake("forward_order",
                  "Only the root's own input got a gradient: you walked the graph "
                  "inputs-first. A node can pass gradient on only after it has received all "
                  "of its own, so go from the output back to the inputs: "
                  "reversed(topological order).", detect=_only_first_level)
def _(root):
    root.grad = 1.0
    for node in _order(root):
        for child, local in zip(node._children, node._local_grads):
            child.grad += local * node.grad


@backward.mistake("assign_instead_of_add", _ASSIGN.replace(
    "The check starts some gradients at a non-zero value to see this.",
    "The graph a*a + a*b shows it: a must collect 2a + b."))
def _(root):
    root.grad = 1.0
    for node in reversed(_order(root)):
        for child, local in zip(node._children, node._local_grads):
            child.grad = local * node.grad


@backward.mistake("forgot_upstream",
                  "You added each local derivative alone. The chain rule multiplies it by "
                  "the gradient of the node it feeds: child.grad += local * node.grad.")
def _(root):
    root.grad = 1.0
    for node in reversed(_order(root)):
        for child, local in zip(node._children, node._local_grads):
            child.grad += local


# --- 07.6 numerical gradient -------------------------------------------------------------

_FUNCTIONS = {
    "x1**3": lambda x: x[0] ** 3,
    "x1*x2 + x2**2": lambda x: x[0] * x[1] + x[1] ** 2,
    "sin(x1) * exp(x2)": lambda x: math.sin(x[0]) * math.exp(x[1]),
    "(x1 - x2*x3)**2": lambda x: (x[0] - x[1] * x[2]) ** 2,
    "tanh(x1 + 2*x2) - x3**3": lambda x: math.tanh(x[0] + 2 * x[1]) - x[2] ** 3,
}


def _numgrad_prepare(answer):
    if not callable(answer):
        raise BadAnswer(f"Expected your function numerical_gradient itself (no parentheses), "
                        f"got {type(answer).__name__}.")

    def run(f, x, h):
        result = answer(_FUNCTIONS[f], list(x), h)
        try:
            return [float(g) for g in result]
        except TypeError:
            raise BadAnswer(f"numerical_gradient should return a list with one number per "
                            f"entry of x, got {type(result).__name__}: {result!r:.60}.") from None
    return run


def _describe_numgrad(args):
    f, x, h = args
    return f"numerical_gradient(f, x={_fmt_list(x)}, h={h!r}) with f(x) = {f}"


@exercise("07.6", "Check gradients with central differences", points=2,
          prepare=_numgrad_prepare, describe=_describe_numgrad,
          cases=[("x1**3", [2.0], 1e-3),
                 ("x1*x2 + x2**2", [1.0, 3.0], 1e-3),
                 ("sin(x1) * exp(x2)", [0.5, -1.0], 1e-4),
                 ("(x1 - x2*x3)**2", [1.0, 2.0, -0.5], 1e-3),
                 ("tanh(x1 + 2*x2) - x3**3", [0.3, -0.2, 1.5], 1e-2)],
          random_cases=lambda rng: [
              (rng.choice(sorted(_FUNCTIONS)),
               [round(rng.uniform(-2, 2), 3) for _ in range(3)], rng.choice([1e-2, 1e-3]))
              for _ in range(6)],
          hints=["One coordinate at a time: change only x[i] by +h and by -h, keep the "
                 "others as they are.",
                 "Central difference: (f(x + h e_i) - f(x - h e_i)) / (2h). Its error shrinks "
                 "like h^2; the one-sided (f(x + h) - f(x)) / h only like h.",
                 "Work on copies (list(x)) so that x itself is unchanged for the next "
                 "coordinate."])
def numerical_gradient(f, x, h):
    """[(f(x + h e_i) - f(x - h e_i)) / (2h) for each coordinate i]: central differences."""
    grads = []
    for i in range(len(x)):
        up, down = list(x), list(x)
        up[i] += h
        down[i] -= h
        grads.append((f(up) - f(down)) / (2 * h))
    return grads


@numerical_gradient.mistake("forward_difference",
                            "You used the one-sided difference (f(x + h) - f(x)) / h. Its "
                            "error shrinks only like h, so with h = 0.001 it is off in the "
                            "third digit. The central difference (f(x + h) - f(x - h)) / (2h) "
                            "is accurate to about h^2.")
def _(f, x, h):
    grads, base = [], f(list(x))
    for i in range(len(x)):
        up = list(x)
        up[i] += h
        grads.append((f(up) - base) / h)
    return grads


@numerical_gradient.mistake("divided_by_h",
                            "Your gradients are twice too large: the points x + h and x - h "
                            "are 2h apart, so divide by 2h, not h.")
def _(f, x, h):
    grads = []
    for i in range(len(x)):
        up, down = list(x), list(x)
        up[i] += h
        down[i] -= h
        grads.append((f(up) - f(down)) / h)
    return grads


@numerical_gradient.mistake("x_not_restored",
                            "You changed x in place and did not put x[i] back, so every later "
                            "coordinate is measured at a shifted point. Work on copies, or "
                            "restore x[i] after each coordinate.")
def _(f, x, h):
    grads = []
    for i in range(len(x)):
        x[i] += h
        up = f(x)
        x[i] -= 2 * h
        down = f(x)
        grads.append((up - down) / (2 * h))
    return grads


@numerical_gradient.mistake("all_coordinates_at_once",
                            "You moved every coordinate at once. A partial derivative dL/dx_i "
                            "changes x_i ALONE and keeps the others fixed.")
def _(f, x, h):
    up = [v + h for v in x]
    down = [v - h for v in x]
    return [(f(up) - f(down)) / (2 * h) for _ in x]
