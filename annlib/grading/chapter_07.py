"""Graded exercises of chapter 07: automatic differentiation from scratch.

Each exercise: a reference (the decorated function), its cases, hints, and the
catalogue of wrong answers it must recognise (see ``annlib.grading.core``).
The statements live in ``solutions/07_*.ipynb``.
"""

import math
from collections import Counter

from ..engine import Value
from .common import _any_outcome_contains, _f, _fmt_list
from .core import BadAnswer, Mistake, exercise


_ASSIGN = ("You wrote `.grad = ...` where the rule must ADD: `.grad += ...`. A node can "
           "receive gradient from several places (a node used twice, as in a * a, or reached "
           "by two paths); `=` throws away what earlier contributions put there. The check "
           "starts some gradients at a non-zero value to see this.")


# --- 07.1-07.3 operations in the chapter's design ---------------------------------------------
#
# The learner hands in the class Scalar with the new operation attached. The check builds
# fresh Scalars, applies the operation and reads the record the result keeps: its data and,
# for each input, the local derivative stored for it (summed when the input appears twice,
# as in a * a; backward() then adds both shares, exactly as the chain rule does).

class _Scalar:
    """Chapter 07's Scalar before the exercises: data, grad and the record of one operation."""

    def __init__(self, data, label="", _children=(), _local_grads=(), _op=""):
        self.data, self.grad, self.label = float(data), 0.0, label
        self._children, self._local_grads, self._op = _children, _local_grads, _op

    def __repr__(self):
        return f"Scalar(data={self.data:.4g}, grad={self.grad:.4g}, label={self.label!r})"

    def __add__(self, other):
        other = other if isinstance(other, _Scalar) else type(self)(other)
        return type(self)(self.data + other.data, "", (self, other), (1.0, 1.0), "+")

    __radd__ = __add__


def _with_op(**ops):
    """A Scalar class with the given operations attached, as a learner's notebook builds it."""
    cls = type("Scalar", (_Scalar,), {})
    for name, op in ops.items():
        setattr(cls, name, op)
    return cls


def _derivative(out, node):
    """d out / d node as the record says: the local derivatives stored for `node`, summed."""
    total = 0.0
    for child, local in zip(out._children, out._local_grads):
        if child is node:
            if callable(local) or not isinstance(local, (int, float)) or isinstance(local, bool):
                raise BadAnswer(f"The result stores {type(local).__name__} {local!r:.40} as a "
                                f"local derivative. In chapter 07's design every local "
                                f"derivative is a plain number, computed in the forward pass.")
            total += float(local)
    return total


def _record(cls, out, what):
    if not isinstance(out, cls):
        raise BadAnswer(f"{what} should return a new Scalar, got {type(out).__name__}: "
                        f"{out!r:.60}.")
    children, locals_ = tuple(out._children), tuple(out._local_grads)
    if len(children) != len(locals_):
        raise BadAnswer(f"{what} stores {len(children)} children but {len(locals_)} local "
                        f"derivatives: one local derivative per child, in the same order.")
    return out


def _op_prepare(op):
    """prepare() for 07.1-07.3: the answer is the class Scalar, with `op` attached."""
    def prepare(cls):
        from ..engine import Value
        if not isinstance(cls, type):
            raise BadAnswer(f"Expected your class Scalar itself (after attaching your "
                            f"operation to it), got {type(cls).__name__}: {cls!r:.60}.")
        if issubclass(cls, Value):
            raise BadAnswer("That is annlib's Value, which has every operation already: hand "
                            "in YOUR Scalar class, with your operation attached.")
        return {"mul": _mul_case, "pow": _pow_case, "sigmoid": _sigmoid_case}[op](cls)
    return prepare


def _mul_case(cls):
    def run(a, b, form):
        x = cls(a, "a")
        if form == "a * b":
            y = cls(b, "b")
            out = _record(cls, x * y, "a * b")
            return (out.data, _derivative(out, x), _derivative(out, y))
        if form == "a * a":
            out = _record(cls, x * x, "a * a")
            return (out.data, _derivative(out, x))
        out = _record(cls, x * b if form == "a * number" else b * x, form.replace("number", _f(b)))
        return (out.data, _derivative(out, x))
    return run


def _pow_case(cls):
    def run(x, n):
        node = cls(x, "x")
        out = _record(cls, node ** n, f"x ** {n!r}")
        return (out.data, _derivative(out, node))
    return run


def _sigmoid_case(cls):
    def run(x):
        node = cls(x, "x")
        out = _record(cls, node.sigmoid(), "x.sigmoid()")
        return (out.data, _derivative(out, node))
    return run


def _describe_mul(args):
    a, b, form = args
    text = {"a * b": f"a * b with a = Scalar({_f(a)}), b = Scalar({_f(b)})",
            "a * a": f"a * a with a = Scalar({_f(a)})",
            "a * number": f"a * {_f(b)} with a = Scalar({_f(a)})",
            "number * a": f"{_f(b)} * a with a = Scalar({_f(a)})"}[form]
    parts = "(out.data, dout/da, dout/db)" if form == "a * b" else "(out.data, dout/da)"
    return f"{text}: {parts} from the record out keeps"


_CLOSURE = ("Your result stores no local derivatives (its _local_grads are empty), so "
            "backward() has nothing to multiply by the upstream gradient. This course's engine "
            "does not store a function (a closure) that does the backward step: it stores the "
            "local derivatives themselves, as numbers, in _local_grads, one per child in "
            "_children, computed in the forward pass.")


def _closure_style(forward):
    """An operation in micrograd's style: a closure instead of stored local derivatives."""
    def op(self, *args):
        out = type(self)(forward(self, *args))
        out._backward = lambda: None
        return out
    return op


# --- 07.1 mul ----------------------------------------------------------------------------

def _wrap(cls, other):
    return other if isinstance(other, _Scalar) else cls(other)


def _mul(self, other):
    other = _wrap(type(self), other)
    return type(self)(self.data * other.data, "", (self, other), (other.data, self.data), "*")


def _mul_answer(mul):
    return _with_op(__mul__=mul, __rmul__=mul)


def _mul_random(rng):
    forms = ("a * b", "a * b", "a * number", "number * a", "a * a")
    return [(round(rng.uniform(-3, 3), 3), round(rng.uniform(-3, 3), 3), rng.choice(forms))
            for _ in range(12)]


@exercise("07.1", "Write multiplication with its local derivatives", points=2,
          answer="value", prepare=_op_prepare("mul"), solution=_mul_answer(_mul),
          describe=_describe_mul,
          cases=[(2.0, -3.0, "a * b"), (-1.5, 4.0, "a * b"), (2.0, 3.0, "a * number"),
                 (-0.5, 3.0, "number * a"), (3.0, 3.0, "a * a"), (0.0, 5.0, "a * b")],
          random_cases=_mul_random,
          mistakes=[
              Mistake("swapped_operands", _mul_answer(
                  lambda self, other: type(self)(self.data * _wrap(type(self), other).data, "",
                                                 (self, _wrap(type(self), other)),
                                                 (self.data, _wrap(type(self), other).data),
                                                 "*")),
                      "You swapped the local derivatives: for out = a * b, dout/da is b (the "
                      "OTHER factor) and dout/db is a. Store (other.data, self.data) for the "
                      "children (self, other)."),
              Mistake("ones_as_in_addition", _mul_answer(
                  lambda self, other: type(self)(self.data * _wrap(type(self), other).data, "",
                                                 (self, _wrap(type(self), other)), (1.0, 1.0),
                                                 "*")),
                      "You stored the local derivatives of addition, (1, 1). Nudging a by h "
                      "moves a * b by b h, so dout/da = b and dout/db = a."),
              Mistake("stores_the_product", _mul_answer(
                  lambda self, other: type(self)(self.data * _wrap(type(self), other).data, "",
                                                 (self, _wrap(type(self), other)),
                                                 (self.data * _wrap(type(self), other).data,) * 2,
                                                 "*")),
                      "You stored the product a * b as both local derivatives. The local "
                      "derivative with respect to each factor is the other factor: "
                      "(other.data, self.data)."),
              Mistake("numbers_not_wrapped", _mul_answer(
                  lambda self, other: type(self)(self.data * other.data, "", (self, other),
                                                 (other.data, self.data), "*")),
                      "Your multiplication fails when one factor is a plain number (a * 3 or "
                      "3 * a): a float has no .data. Wrap it first, as add does: "
                      "other = other if isinstance(other, Scalar) else Scalar(other)."),
              Mistake("children_as_set", _mul_answer(
                  lambda self, other: type(self)(
                      self.data * _wrap(type(self), other).data, "",
                      tuple(dict.fromkeys((self, _wrap(type(self), other)))),
                      (_wrap(type(self), other).data, self.data)[:len(set((self, other)))],
                      "*")),
                      "For a * a your record keeps a once, with one local derivative, so "
                      "dout/da comes out as a instead of 2a. Store both children, (self, "
                      "other), even when they are the same node: backward() then adds both "
                      "shares, a + a = 2a, as the chain rule does for a value used twice."),
              Mistake("closure_instead_of_numbers", _mul_answer(_closure_style(
                  lambda self, other: self.data * _wrap(type(self), other).data)), _CLOSURE),
          ],
          hints=["Look at add in the setup cell: it wraps a number, computes the data, and "
                 "stores the children (self, other) with their local derivatives (1.0, 1.0).",
                 "For out = a * b, nudging a by h moves out by b h: dout/da = b. Likewise "
                 "dout/db = a.",
                 "return Scalar(self.data * other.data, '', (self, other), "
                 "(other.data, self.data), '*') after wrapping other."])
def mul_record(a, b, form):
    """What a correct multiplication's record gives: (out.data, dout/da[, dout/db])."""
    if form == "a * b":
        return (a * b, b, a)
    if form == "a * a":
        return (a * a, 2 * a)
    return (a * b, b)


# --- 07.2 pow ----------------------------------------------------------------------------

def _power(self, n):
    return type(self)(self.data ** n, "", (self,), (n * self.data ** (n - 1),), f"**{n}")


def _pow_answer(local):
    return _with_op(__pow__=lambda self, n: type(self)(self.data ** n, "", (self,),
                                                        (local(self.data, n),), f"**{n}"))


def _pow_random(rng):
    return [(round(rng.uniform(0.5, 3), 3), rng.choice([2, 3, 4, 0.5, -1, -2, 1.5]))
            for _ in range(12)]


@exercise("07.2", "Write a power x ** n with its local derivative", points=2,
          answer="value", prepare=_op_prepare("pow"), solution=_with_op(__pow__=_power),
          describe=lambda args: (f"x ** {args[1]!r} with x = Scalar({_f(args[0])}): "
                                 f"(out.data, dout/dx) from the record out keeps"),
          cases=[(3.0, 2), (2.0, 3), (4.0, 0.5), (2.0, -1), (1.5, 1), (-2.0, 3), (5.0, 0)],
          random_cases=_pow_random,
          mistakes=[
              Mistake("n_times_x_to_n", _pow_answer(lambda x, n: n * x ** n),
                      "You stored n * x^n: the power rule lowers the exponent, "
                      "d(x^n)/dx = n * x^(n-1). For x^2 that is 2x, not 2x^2."),
              Mistake("forgot_factor_n", _pow_answer(lambda x, n: x ** (n - 1)),
                      "You stored x^(n-1) without the factor n in front: "
                      "d(x^n)/dx = n * x^(n-1)."),
              Mistake("stores_the_output", _pow_answer(lambda x, n: x ** n),
                      "You stored the output x^n as the local derivative (that works for "
                      "e^x only). For a power, d(x^n)/dx = n * x^(n-1)."),
              Mistake("closure_instead_of_numbers",
                      _with_op(__pow__=_closure_style(lambda self, n: self.data ** n)), _CLOSURE),
          ],
          hints=["The power rule: d(x^n)/dx = n * x^(n-1). The exponent goes DOWN by one.",
                 "One child, self, and one local derivative, n * self.data ** (n - 1), stored "
                 "as a one-element tuple: (n * self.data ** (n - 1),)."])
def pow_record(x, n):
    """(out.data, dout/dx) for out = x ** n, n a number."""
    return (x ** n, n * x ** (n - 1))


# --- 07.3 sigmoid ------------------------------------------------------------------------

def _sig(x):
    return 1.0 / (1.0 + math.exp(-x))


def _sigmoid_answer(local):
    def sigmoid(self):
        s = _sig(self.data)
        return type(self)(s, "", (self,), (local(self.data, s),), "sigmoid")
    return _with_op(sigmoid=sigmoid)


@exercise("07.3", "Write sigmoid with its local derivative", points=2,
          answer="value", prepare=_op_prepare("sigmoid"),
          solution=_sigmoid_answer(lambda x, s: s * (1 - s)),
          describe=lambda args: (f"Scalar({_f(args[0])}).sigmoid(): (out.data, dout/dx) from "
                                 f"the record out keeps"),
          cases=[(0.0,), (2.0,), (-1.5,), (0.5,), (-6.0,), (12.0,)],
          random_cases=lambda rng: [(round(rng.uniform(-8, 8), 3),) for _ in range(12)],
          mistakes=[
              Mistake("slope_at_input", _sigmoid_answer(lambda x, s: x * (1 - x)),
                      "You computed x (1 - x) from the INPUT x. The derivative is "
                      "sigma(x) (1 - sigma(x)): use the OUTPUT s = sigma(x), which you have "
                      "just computed."),
              Mistake("forgot_one_minus", _sigmoid_answer(lambda x, s: s),
                      "You stored sigma(x) itself as the derivative (as for e^x). The "
                      "sigmoid's derivative is s (1 - s), with s = sigma(x)."),
              Mistake("tanh_rule", _sigmoid_answer(lambda x, s: 1 - s * s),
                      "You stored 1 - s^2: that is tanh's derivative. For the sigmoid it is "
                      "s (1 - s), with s = sigma(x)."),
              Mistake("closure_instead_of_numbers",
                      _with_op(sigmoid=_closure_style(lambda self: _sig(self.data))), _CLOSURE),
          ],
          hints=["Forward: s = 1 / (1 + math.exp(-x)). Its derivative can be written with s "
                 "alone, like tanh's 1 - t^2.",
                 "d sigma/dx = sigma(x) (1 - sigma(x)) = s * (1 - s).",
                 "return Scalar(s, '', (self,), (s * (1 - s),), 'sigmoid')"])
def sigmoid_record(x):
    """(out.data, dout/dx) for out = sigmoid(x)."""
    s = _sig(x)
    return (s, s * (1 - s))


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
          forbidden={"annlib.engine.Value.topological_order": "it is annlib's own "
                     "topological sort, the function this exercise asks you to write",
                     "annlib.engine._topological_order": "it is annlib's own topological "
                     "sort, the function this exercise asks you to write"},
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


@topological_order.mistake("library_sort",
                           "You called root.topological_order(), annlib's ready-made "
                           "topological sort. This exercise asks you to write that search "
                           "yourself, with node._children, a set of visited nodes and an "
                           "explicit stack.")
def _(root):
    return root.topological_order()


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
    """(label, grad) of every labelled node except the root, in a fixed order: the order in
    which a search from the root finds them, so root's own input comes first."""
    return [(n.label, n.grad) for n in list(_reachable(root).values())[1:] if n.label]


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
    return all(o.ok and len(o.value) > 1 and o.value[0][1] == 1.0
               and all(g == 0 for _, g in o.value[1:]) for o in outcomes)


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
