"""A scalar autograd engine: `Value` and the chain rule, one node at a time.

Every operation below builds a new `Value` and records, next to its result,
the *local derivative* of that result with respect to each input. `backward()`
then walks the graph from the output back to the inputs and applies the chain
rule: each input's gradient receives ``local derivative * upstream gradient``.

Design choices a reader may wonder about:

* Local derivatives are stored as plain numbers (not closures), so no node
  refers back to itself. A graph is freed by reference counting alone, with no
  work left for Python's garbage collector.
* The topological order is built with an explicit stack, never recursion, so a
  chain a million nodes deep is fine.
* Children are kept in a tuple (ordered), never a set, so the same program
  gives bit-identical gradients on every run.
* Floats follow IEEE rules as PyTorch does: ``exp(1000)`` is ``inf``,
  ``log(0)`` is ``-inf``, ``1 / 0`` is ``inf``. No operation raises
  ``OverflowError`` or ``ZeroDivisionError`` or returns a complex number.
"""

import math
import numbers
from operator import mul

__all__ = ["Value", "weighted_sum", "total"]

_INF = math.inf
_NAN = math.nan
_isfinite = math.isfinite


# --- IEEE-safe float helpers -------------------------------------------------
# Python's float arithmetic raises where IEEE (and PyTorch) return inf or nan.

def _exp(x):
    try:
        return math.exp(x)
    except OverflowError:
        return _INF


def _log(x):
    if x > 0:
        return math.log(x)  # also handles +inf
    if x == 0:
        return -_INF
    return _NAN  # negative or nan


def _div(a, b):
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0 or a != a:
            return _NAN
        return math.copysign(_INF, a) * math.copysign(1.0, b)


def _pow(a, b):
    # math.pow never returns a complex number (a ** b does for a < 0 < b fractional)
    try:
        return math.pow(a, b)
    except ValueError:
        if a == 0:  # 0 ** negative; -0.0 ** odd negative is -inf
            return math.copysign(_INF, a) if b % 2 == 1 else _INF
        return _NAN  # negative ** fraction: no real result
    except OverflowError:  # negative only for a negative base and an odd exponent
        return -_INF if a < 0 and b % 2 == 1 else _INF


def _sigmoid(x):
    # Two branches so that exp() only ever sees a non-positive argument.
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    if x != x:
        return _NAN
    e = math.exp(x)
    return e / (1.0 + e)


def _as_float(x, op):
    if type(x) is float:
        return x
    # numbers.Real also admits numpy scalars such as np.int64 and np.float32
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(
            f"{op} expects a number (int or float) or a Value, "
            f"got {type(x).__name__}: {x!r}"
        )
    try:
        return float(x)
    except OverflowError:  # an int beyond the largest float, such as 10 ** 400
        return _INF if x > 0 else -_INF


class Value:
    """A scalar that remembers how it was computed, so it can be differentiated.

    >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
    >>> L = a * b + a
    >>> L.backward()
    >>> a.grad, b.grad        # dL/da = b + 1, dL/db = a
    (-2.0, 2.0)
    """

    __slots__ = ("data", "grad", "label", "_children", "_local_grads", "_op",
                 "__weakref__")

    def __init__(self, data, label="", _children=(), _local_grads=(), _op=""):
        # every op passes a float: check only what a user hands in
        self.data = data if type(data) is float else _as_float(data, "Value()")
        self.grad = 0.0
        self.label = label
        self._children = _children
        self._local_grads = _local_grads
        self._op = _op

    def __repr__(self):
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.4g}, grad={self.grad:.4g}{label})"

    # -- binary operators ---------------------------------------------------

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(_as_float(other, "+"))
        # d(a+b)/da = 1, d(a+b)/db = 1
        return Value(self.data + other.data, "", (self, other), (1.0, 1.0), "+")

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(_as_float(other, "*"))
        # d(ab)/da = b, d(ab)/db = a
        return Value(self.data * other.data, "", (self, other),
                     (other.data, self.data), "*")

    def __pow__(self, other):
        a = self.data
        if isinstance(other, Value):
            b = other.data
            out = _pow(a, b)
            # d(a^b)/da = b a^(b-1) (0 for b = 0); d(a^b)/db = a^b ln a (0 at a = 0, b >= 0)
            d_a = b * _pow(a, b - 1) if b != 0 else 0.0
            d_b = 0.0 if a == 0 and b >= 0 else out * _log(a)
            return Value(out, "", (self, other), (d_a, d_b), "**")
        b = _as_float(other, "**")
        # d(a^n)/da = n a^(n-1)  (0 for n = 0, also at a = 0)
        local = b * _pow(a, b - 1) if b != 0 else 0.0
        return Value(_pow(a, b), "", (self,), (local,), f"**{b:g}")

    def __rpow__(self, other):  # number ** Value
        return Value(_as_float(other, "**")) ** self

    def __neg__(self):
        return Value(-self.data, "", (self,), (-1.0,), "neg")

    def __sub__(self, other):
        other = other if isinstance(other, Value) else Value(_as_float(other, "-"))
        return Value(self.data - other.data, "", (self, other), (1.0, -1.0), "-")

    def __rsub__(self, other):  # number - Value
        return Value(_as_float(other, "-")) - self

    def __truediv__(self, other):
        other = other if isinstance(other, Value) else Value(_as_float(other, "/"))
        a, b = self.data, other.data
        # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
        return Value(_div(a, b), "", (self, other),
                     (_div(1.0, b), -_div(a, b * b)), "/")

    def __rtruediv__(self, other):  # number / Value
        return Value(_as_float(other, "/")) / self

    __radd__ = __add__
    __rmul__ = __mul__

    # -- functions of one input ---------------------------------------------

    def exp(self):
        """e^x; its derivative is itself."""
        out = _exp(self.data)
        return Value(out, "", (self,), (out,), "exp")

    def log(self):
        """Natural logarithm ln x; derivative 1/x."""
        x = self.data
        return Value(_log(x), "", (self,), (_div(1.0, x),), "log")

    def tanh(self):
        """tanh x = (e^x - e^-x) / (e^x + e^-x); derivative 1 - tanh^2 x."""
        t = math.tanh(self.data)  # exact and finite for every float
        return Value(t, "", (self,), (1.0 - t * t,), "tanh")

    def sigmoid(self):
        """sigma(x) = 1 / (1 + e^-x); derivative sigma(x) (1 - sigma(x))."""
        s = _sigmoid(self.data)
        return Value(s, "", (self,), (s * (1.0 - s),), "sigmoid")

    def relu(self):
        """max(0, x); derivative 1 for x > 0, else 0."""
        x = self.data
        if x > 0:
            return Value(x, "", (self,), (1.0,), "relu")
        return Value(0.0 if x == x else _NAN, "", (self,), (0.0,), "relu")

    def leaky_relu(self, alpha=0.01):
        """x for x > 0, alpha * x otherwise; derivative 1 or alpha."""
        x = self.data
        alpha = _as_float(alpha, "leaky_relu(alpha=...)")
        if x > 0:
            return Value(x, "", (self,), (1.0,), "leaky_relu")
        return Value(alpha * x, "", (self,), (alpha,), "leaky_relu")

    # -- the backward pass --------------------------------------------------

    def topological_order(self):
        """Every node that leads to this one (itself included), each after all of its inputs."""
        return _topological_order(self, leaves=True)

    def backward(self):
        """Fill ``.grad`` of every node that leads here with dself/dnode.

        As in PyTorch, gradients of interior nodes are recomputed on every call,
        while gradients of leaves (inputs and parameters) *accumulate*: call
        ``zero_grad()`` on the model (or set ``.grad = 0``) between steps.
        """
        if not self._children:  # a leaf: dself/dself = 1, accumulated like any leaf's
            self.grad += 1.0
            return
        order = _topological_order(self, leaves=False)  # leaves propagate nothing
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            upstream = node.grad
            # A zero upstream gradient adds nothing (0 * local = 0) as long as every
            # local derivative is finite, which their sum tells (inf/nan poison a sum).
            # ReLU networks send zeros down about half their paths: skip them.
            if upstream == 0.0 and _isfinite(sum(node._local_grads)):
                continue
            # chain rule: child.grad += local derivative * upstream gradient
            for child, local in zip(node._children, node._local_grads):
                child.grad += local * upstream


def _topological_order(root, leaves):
    """Depth-first post-order without recursion: each node after all of its children.

    With ``leaves=False`` only nodes that have children are listed.
    """
    order, visited = [], {root}
    stack = [(root, iter(root._children))]
    while stack:
        node, children = stack[-1]
        for child in children:
            # most edges lead to leaves (weights, inputs): test that first
            if (leaves or child._children) and child not in visited:
                visited.add(child)
                stack.append((child, iter(child._children)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def weighted_sum(w, x, b=None):
    """z = sum_i w_i x_i + b as ONE node (fast): dz/dw_i = x_i, dz/dx_i = w_i, dz/db = 1.

    `w` is a list of Values, `x` a list of Values or numbers of the same length,
    `b` a Value, a number or None. Gives the same gradients as the chain of
    ``*`` and ``+`` nodes it replaces, with far fewer nodes.

    >>> w = [Value(0.5), Value(-1.0)]; b = Value(0.1)
    >>> weighted_sum(w, [2.0, 3.0], b).data
    -1.9
    """
    if len(w) != len(x):
        raise ValueError(f"weighted_sum expects as many inputs as weights "
                         f"({len(w)}), got {len(x)}")
    w = [wi if isinstance(wi, Value) else Value(wi) for wi in w]
    x = [xi if isinstance(xi, Value) else Value(xi) for xi in x]
    if b is not None and not isinstance(b, Value):
        b = Value(b)
    return _weighted_sum(w, x, b)


def _weighted_sum(w, x, b, x_data=None):
    """weighted_sum without the checks, for callers that pass lists of Values (nn.Layer).

    A layer passes ``x_data`` (the inputs' .data), which all of its neurons share.
    """
    w_data = [wi.data for wi in w]
    if x_data is None:
        x_data = [xi.data for xi in x]
    z = sum(map(mul, w_data, x_data))
    if b is None:
        return Value(z, "", (*w, *x), (*x_data, *w_data), "Σwx")
    return Value(z + b.data, "", (*w, *x, b), (*x_data, *w_data, 1.0), "Σwx+b")


def total(values):
    """sum(values) as ONE node with every local derivative 1 (fast for long sums)."""
    values = [v if isinstance(v, Value) else Value(_as_float(v, "total")) for v in values]
    return Value(sum(v.data for v in values), "", tuple(values),
                 (1.0,) * len(values), "Σ")
