"""A tensor autograd engine in NumPy: `Tensor`, and backpropagation in matrix form.

`annlib.engine.Value` differentiates one number at a time. A `Tensor` holds a
whole array (a batch of examples, a weight matrix) and each operation below
works on all of its elements at once. The idea is the engine's: every operation
records its inputs, and `backward()` walks the graph from the output back to
the inputs, each node handing each input its *local derivative times the
upstream gradient*. With arrays that product is an elementwise product or a
matrix product; for one layer z = x W^T + b on a batch x of shape (n, nin):

    dL/dx = dL/dz @ W        (n, nin)    = (n, nout) @ (nout, nin)
    dL/dW = (dL/dz)^T @ x    (nout, nin) = (nout, n) @ (n, nin)
    dL/db = sum over the batch of dL/dz   (nout,)

Design choices a reader may wonder about:

* Each operation is a method that computes its result, and right below it
  its backward rule: a static method such as ``_exp_backward(out, g)`` that
  gets the output node and the upstream gradient g = dL/dout and returns
  dL/dinput for each input. A rule is a plain function, not a closure, and a
  node never refers to itself, so a graph has no reference cycles: it is freed
  by reference counting the moment the loss goes away, with no work for
  Python's garbage collector. What a rule needs besides the inputs' and the
  output's data (an exponent, the softmax probabilities) is kept in the node's
  ``_saved``.
* Only tensors created with ``requires_grad=True`` (parameters, inputs whose
  gradient you want) and results computed from them are recorded. Arithmetic
  on plain data stays plain NumPy, and a rule skips the gradients nobody needs
  (the gradient of a batch of inputs, for instance).
* Broadcasting: when b of shape (nout,) is added to every row of z (n, nout),
  each row's gradient flows back to the same b, so dL/db is their *sum*.
  ``_unbroadcast`` sums a gradient back to its operand's shape.
* The topological order is built with an explicit stack, never recursion, and
  children are kept in a tuple (ordered): a chain 100,000 nodes deep works,
  and the same program gives bit-identical gradients on every run.
* Gradients follow PyTorch: `backward()` starts from a one-element tensor (a
  loss); leaf gradients (parameters) *accumulate* across calls until they are
  zeroed (``zero_grad()`` sets them to None, as PyTorch does); the gradients of
  interior nodes are recomputed on every call (and kept, unlike PyTorch, so a
  graph can be drawn with them). A leaf's gradient is an array of its own,
  never shared with another node.
* IEEE semantics as in PyTorch: ``exp(1000)`` is inf, ``log(0)`` is -inf,
  ``1 / 0`` is inf, without a flood of RuntimeWarnings. ``sigmoid``, ``tanh``,
  `log_softmax` and `cross_entropy` are exact and finite for every finite input.
* Everything is float64, so gradients can be checked against finite differences.
* A layer's ``x @ W.T + b`` is ONE node (`linear`), as in PyTorch, so training
  is fast; the same computation from ``@``, ``.T`` and ``+`` gives the same
  result and gradients, and stays available for teaching.

>>> W = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, label="W")
>>> x = Tensor([1.0, -1.0])
>>> loss = (W @ x).sum()              # W @ x = [-1, -1]
>>> loss.backward()
>>> W.grad                            # dL/dW_jk = x_k
array([[ 1., -1.],
       [ 1., -1.]])
"""

import numbers
import random

import numpy as np

from .engine import _topological_order  # the same walk as Value's: nodes with ._children
from .nn import ACTIVATIONS, _check_activation, _check_count, _layer_sizes

__all__ = ["Tensor", "log_softmax", "cross_entropy", "linear",
           "Module", "Linear", "Dropout", "MLP", "ACTIVATIONS", "INITS"]

_float64 = np.float64
_ndarray = np.ndarray
_new = object.__new__


def _array(x):
    """x as a float64 ndarray (NumPy returns scalars, not 0-d arrays, from 0-d arithmetic)."""
    return x if type(x) is _ndarray else np.asarray(x, dtype=_float64)


def _unbroadcast(g, shape):
    """Sum the gradient g back to `shape`: undo NumPy broadcasting (a sum, see above)."""
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    if lead:  # axes that broadcasting put in front
        g = np.add.reduce(g, axis=tuple(range(lead)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if stretched:  # axes of size 1 that broadcasting stretched
        g = np.add.reduce(g, axis=stretched, keepdims=True)
    return g


def _expand(g, axis, keepdims, shape):
    """Give the reduced gradient g back its summed axes (size 1), then broadcast it to `shape`."""
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
    return np.broadcast_to(g, shape)  # a read-only view: rules never write into gradients


def _broadcast_error(op, a, b):
    return ValueError(
        f"{op} cannot broadcast shapes {a.shape} and {b.shape}: NumPy broadcasting needs "
        f"each pair of trailing dimensions to be equal or 1")


def _result(data, children, op, backward, saved=None):
    """The output node of an operation: recorded if any input requires a gradient."""
    for child in children:
        if child.requires_grad:
            break
    else:
        return _constant(data)
    out = _new(Tensor)
    out.data = _array(data)
    out.grad = None
    out.requires_grad = True
    out.label = ""
    out._children = children
    out._op = op
    out._backward = backward
    out._saved = saved
    return out


def _constant(data):
    """A Tensor that needs no gradient, around `data` as it is (no copy)."""
    out = _new(Tensor)
    out.data = _array(data)
    out.grad = None
    out.requires_grad = False
    out.label = ""
    out._children = ()
    out._op = ""
    out._backward = None
    out._saved = None
    return out


def _as_tensor(x, op):
    """An operand of `op` as a Tensor: a Tensor as it is, a number or an array as a constant."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (numbers.Real, np.ndarray, list, tuple)):
        try:
            return _constant(np.asarray(x, dtype=_float64))
        except (TypeError, ValueError):
            pass
    raise TypeError(f"{op} expects a Tensor, a number or an array of numbers, "
                    f"got {type(x).__name__}: {x!r}")


class Tensor:
    """An array that remembers how it was computed, so it can be differentiated.

    >>> a = Tensor([1.0, 2.0, 3.0], requires_grad=True, label="a")
    >>> L = (a * a).sum()            # L = sum_i a_i^2
    >>> L.backward()
    >>> a.grad                       # dL/da_i = 2 a_i
    array([2., 4., 6.])
    """

    __slots__ = ("data", "grad", "requires_grad", "label",
                 "_children", "_op", "_backward", "_saved", "__weakref__")

    # NumPy must not treat a Tensor as an array of objects: `array * Tensor` calls
    # Tensor.__rmul__ instead.
    __array_ufunc__ = None

    def __init__(self, data, requires_grad=False, label=""):
        if isinstance(data, Tensor):
            data = data.data
        try:
            # a copy: an optimizer updates .data in place, never the caller's array
            self.data = np.array(data, dtype=_float64)
        except (TypeError, ValueError):
            raise TypeError(f"Tensor expects a number, a nested list or an array of numbers, "
                            f"got {type(data).__name__}: {data!r}") from None
        if data is None:
            raise TypeError(f"Tensor expects a number, a nested list or an array of numbers, "
                            f"got {type(data).__name__}: {data!r}")
        if not isinstance(requires_grad, (bool, np.bool_)):
            raise TypeError(f"requires_grad must be True or False, got {requires_grad!r}")
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self.label = str(label)
        self._children = ()
        self._op = ""
        self._backward = None
        self._saved = None

    # -- what it holds ----------------------------------------------------------

    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        return self.data.size

    def item(self):
        """The value of a one-element Tensor as a Python float (``loss.item()``)."""
        if self.data.size != 1:
            raise ValueError(f"item() needs a one-element Tensor, got shape {self.shape}")
        return float(self.data.reshape(()))

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d Tensor (a single number)")
        return len(self.data)

    def __repr__(self):
        body = np.array2string(self.data, precision=4, separator=", ", prefix="Tensor(")
        extras = ", requires_grad=True" if self.requires_grad else ""
        if self.label:
            extras += f", label={self.label!r}"
        return f"Tensor({body}{extras})"

    # Each operation below: its forward pass, then its backward rule
    # _<op>_backward(out, g) -> (dL/dinput for each input), g = dL/dout (out's shape).
    # A rule may return None for an input that needs no gradient when computing
    # it would cost something (the gradient of a batch of inputs, say).

    # -- elementwise arithmetic, under broadcasting -------------------------------

    def __add__(self, other):
        other = _as_tensor(other, "+")
        try:
            with np.errstate(invalid="ignore", over="ignore"):  # inf - inf is nan, as in IEEE
                out = self.data + other.data
        except ValueError:
            raise _broadcast_error("+", self, other) from None
        return _result(out, (self, other), "+", self._add_backward)

    def __radd__(self, other):
        return _as_tensor(other, "+").__add__(self)

    @staticmethod
    def _add_backward(out, g):  # d(a+b)/da = 1, d(a+b)/db = 1
        a, b = out._children
        return _unbroadcast(g, a.data.shape), _unbroadcast(g, b.data.shape)

    def __sub__(self, other):
        other = _as_tensor(other, "-")
        try:
            with np.errstate(invalid="ignore", over="ignore"):  # inf - inf is nan, as in IEEE
                out = self.data - other.data
        except ValueError:
            raise _broadcast_error("-", self, other) from None
        return _result(out, (self, other), "-", self._sub_backward)

    def __rsub__(self, other):
        return _as_tensor(other, "-").__sub__(self)

    @staticmethod
    def _sub_backward(out, g):  # d(a-b)/da = 1, d(a-b)/db = -1
        a, b = out._children
        return (_unbroadcast(g, a.data.shape),
                _unbroadcast(-g, b.data.shape) if b.requires_grad else None)

    def __mul__(self, other):
        other = _as_tensor(other, "*")
        try:
            with np.errstate(invalid="ignore", over="ignore"):  # inf * 0 is nan, as in IEEE
                out = self.data * other.data
        except ValueError:
            raise _broadcast_error("*", self, other) from None
        return _result(out, (self, other), "*", self._mul_backward)

    def __rmul__(self, other):
        return _as_tensor(other, "*").__mul__(self)

    @staticmethod
    def _mul_backward(out, g):  # d(ab)/da = b, d(ab)/db = a
        a, b = out._children
        return (_unbroadcast(g * b.data, a.data.shape) if a.requires_grad else None,
                _unbroadcast(g * a.data, b.data.shape) if b.requires_grad else None)

    def __truediv__(self, other):
        other = _as_tensor(other, "/")
        try:
            with np.errstate(all="ignore"):  # 1/0 = inf, 0/0 = nan, as in IEEE
                out = self.data / other.data
        except ValueError:
            raise _broadcast_error("/", self, other) from None
        return _result(out, (self, other), "/", self._div_backward)

    def __rtruediv__(self, other):
        return _as_tensor(other, "/").__truediv__(self)

    @staticmethod
    def _div_backward(out, g):  # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2 = -(a/b)/b
        a, b = out._children
        g_over_b = g / b.data
        return (_unbroadcast(g_over_b, a.data.shape) if a.requires_grad else None,
                _unbroadcast(-g_over_b * out.data, b.data.shape) if b.requires_grad else None)

    def __neg__(self):
        return _result(-self.data, (self,), "neg", self._neg_backward)

    @staticmethod
    def _neg_backward(out, g):  # d(-a)/da = -1
        return (-g,)

    def __pow__(self, n):
        if isinstance(n, Tensor) or isinstance(n, bool) or not isinstance(n, numbers.Real):
            raise TypeError(f"** expects a number as the exponent (Tensor ** number), "
                            f"got {type(n).__name__}")
        n = float(n)
        with np.errstate(all="ignore"):  # 0 ** -1 = inf, (-8) ** 0.5 = nan
            out = self.data ** n
        return _result(out, (self,), f"**{n:g}", self._pow_backward, n)

    @staticmethod
    def _pow_backward(out, g):  # d(a^n)/da = n a^(n-1)  (0 for n = 0)
        n = out._saved
        a = out._children[0].data
        if n == 0:
            return (np.zeros_like(a),)
        return (g * (n * a ** (n - 1)),)

    # -- matrix product -------------------------------------------------------------

    def __matmul__(self, other):
        other = _as_tensor(other, "@")
        a, b = self.data, other.data
        if not (1 <= a.ndim <= 2 and 1 <= b.ndim <= 2):
            raise ValueError(f"@ works on 1-D and 2-D Tensors, got shapes {a.shape} and {b.shape}")
        if a.shape[-1] != b.shape[0]:
            raise ValueError(
                f"@ needs the last dimension of the left operand to equal the first of the "
                f"right one: shapes {a.shape} @ {b.shape} ({a.shape[-1]} != {b.shape[0]})")
        return _result(a @ b, (self, other), "@", self._matmul_backward)

    def __rmatmul__(self, other):
        return _as_tensor(other, "@").__matmul__(self)

    @staticmethod
    def _matmul_backward(out, g):
        # 2-D: out = A @ B, (n, k) @ (k, m): dA = g @ B^T (n, k), dB = A^T @ g (k, m).
        # A 1-D operand is a vector: its gradient is the matching outer product or vector.
        A, B = out._children
        a, b = A.data, B.data
        grad_a = grad_b = None
        if A.requires_grad:
            if b.ndim == 2:
                grad_a = g @ b.T                     # (n, m) @ (m, k) or (m,) @ (m, k)
            else:
                grad_a = np.multiply.outer(g, b)     # (n,) x (k,) -> (n, k), or g * b for 1-D a
        if B.requires_grad:
            if a.ndim == 2:
                grad_b = a.T @ g                     # (k, n) @ (n, m) or (k, n) @ (n,)
            else:
                grad_b = np.multiply.outer(a, g)     # (k,) x (m,) -> (k, m), or a * g for 1-D b
        return grad_a, grad_b

    @property
    def T(self):
        """The transpose (axes reversed); its gradient is the upstream gradient transposed."""
        return _result(self.data.T, (self,), "T", self._transpose_backward)

    @staticmethod
    def _transpose_backward(out, g):
        return (g.T,)

    # -- functions of one input, elementwise -------------------------------------------

    def exp(self):
        """e^x; derivative e^x, the output itself."""
        with np.errstate(over="ignore"):  # exp(1000) = inf
            return _result(np.exp(self.data), (self,), "exp", self._exp_backward)

    @staticmethod
    def _exp_backward(out, g):  # d(e^x)/dx = e^x
        return (g * out.data,)

    def log(self):
        """ln x; derivative 1/x. log(0) = -inf, log of a negative number = nan."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return _result(np.log(self.data), (self,), "log", self._log_backward)

    @staticmethod
    def _log_backward(out, g):  # d(ln x)/dx = 1/x
        return (g / out._children[0].data,)

    def tanh(self):
        """tanh x; derivative 1 - tanh^2 x."""
        return _result(np.tanh(self.data), (self,), "tanh", self._tanh_backward)

    @staticmethod
    def _tanh_backward(out, g):  # d(tanh x)/dx = 1 - tanh^2 x
        t = out.data
        return (g * (1.0 - t * t),)

    def sigmoid(self):
        """sigma(x) = 1 / (1 + e^-x); derivative sigma(x) (1 - sigma(x))."""
        x = self.data
        e = np.exp(-np.abs(x))  # e^-|x| <= 1: never overflows
        # x >= 0: 1 / (1 + e^-x);  x < 0: e^x / (1 + e^x); both exact
        s = np.where(x >= 0, 1.0, e) / (1.0 + e)
        return _result(s, (self,), "sigmoid", self._sigmoid_backward)

    @staticmethod
    def _sigmoid_backward(out, g):  # d(sigma)/dx = sigma (1 - sigma)
        s = out.data
        return (g * (s * (1.0 - s)),)

    def relu(self):
        """max(0, x); derivative 1 for x > 0, else 0."""
        return _result(np.maximum(self.data, 0.0), (self,), "relu", self._relu_backward)

    @staticmethod
    def _relu_backward(out, g):  # 1 where x > 0 (exactly where the output is > 0), else 0
        return (np.where(out.data > 0, g, 0.0),)

    def leaky_relu(self, alpha=0.01):
        """x for x > 0, alpha x otherwise; derivative 1 or alpha."""
        alpha = float(alpha)
        x = self.data
        return _result(np.where(x > 0, x, alpha * x), (self,), "leaky_relu",
                       self._leaky_relu_backward, alpha)

    @staticmethod
    def _leaky_relu_backward(out, g):  # 1 where x > 0, else alpha
        return (np.where(out._children[0].data > 0, g, out._saved * g),)

    # -- reductions and shapes ------------------------------------------------------------

    def sum(self, axis=None, keepdims=False):
        """Sum over `axis` (all elements by default); each element's gradient is 1 x g."""
        with np.errstate(invalid="ignore", over="ignore"):  # inf - inf is nan
            out = np.sum(self.data, axis=axis, keepdims=keepdims)
        return _result(out, (self,), "sum", self._sum_backward, (axis, keepdims))

    @staticmethod
    def _sum_backward(out, g):  # d(sum_i x_i)/dx_j = 1
        axis, keepdims = out._saved
        return (_expand(g, axis, keepdims, out._children[0].data.shape),)

    def mean(self, axis=None, keepdims=False):
        """Mean over `axis` (all elements by default): the sum over m elements / m, so g / m."""
        with np.errstate(invalid="ignore", over="ignore"):
            out = np.mean(self.data, axis=axis, keepdims=keepdims)
        return _result(out, (self,), "mean", self._mean_backward, (axis, keepdims))

    @staticmethod
    def _mean_backward(out, g):  # d(mean)/dx_j = 1/m, m = how many elements each mean averages
        axis, keepdims = out._saved
        x = out._children[0].data
        m = x.size // max(out.data.size, 1) if x.size else 1
        return (_expand(g / m, axis, keepdims, x.shape),)

    def reshape(self, *shape):
        """The same elements in a new shape: ``x.reshape(2, 3)`` or ``x.reshape((2, -1))``."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        try:
            out = self.data.reshape(shape)
        except (ValueError, TypeError):
            raise ValueError(f"reshape cannot arrange the {self.data.size} elements of shape "
                             f"{self.shape} into shape {shape}") from None
        return _result(out, (self,), "reshape", self._reshape_backward)

    @staticmethod
    def _reshape_backward(out, g):
        return (g.reshape(out._children[0].data.shape),)

    def __getitem__(self, index):
        """Elements picked as NumPy picks them: ``x[0]``, ``x[:, 1:]``, ``logp[rows, y]``."""
        if isinstance(index, Tensor):
            raise TypeError("index with integers, slices or integer arrays, not a Tensor "
                            "(use its .data)")
        return _result(self.data[index], (self,), "[]", self._getitem_backward, index)

    @staticmethod
    def _getitem_backward(out, g):  # each picked element's gradient goes back to its place
        grad = np.zeros_like(out._children[0].data)
        np.add.at(grad, out._saved, g)  # add.at: an element picked twice gets both
        return (grad,)

    # -- the backward pass ------------------------------------------------------------

    def backward(self):
        """Fill ``.grad`` of every tensor that leads here with d(self)/d(tensor).

        `self` must hold one element (a loss), as in PyTorch. Gradients of leaves
        (parameters, inputs) accumulate across calls until zeroed; gradients of
        interior nodes are recomputed on every call.
        """
        if self.data.size != 1:
            raise RuntimeError(
                f"backward() needs a one-element Tensor (a scalar such as a loss), got one of "
                f"shape {self.shape}: reduce it first, for example with .sum() or .mean()")
        if not self.requires_grad:
            raise RuntimeError("backward() on a Tensor that does not require a gradient: "
                               "create the parameters with requires_grad=True")
        if not self._children:  # a leaf: dself/dself = 1, accumulated like any leaf's
            one = np.ones_like(self.data)
            self.grad = one if self.grad is None else _array(self.grad + one)
            return
        order = _topological_order(self, leaves=False)  # interior nodes only: leaves propagate nothing
        for node in order:
            node.grad = None
        self.grad = np.ones_like(self.data)
        with np.errstate(all="ignore"):  # inf and nan propagate silently, as in PyTorch
            for node in reversed(order):
                g = node.grad
                for child, child_grad in zip(node._children, node._backward(node, g)):
                    if child_grad is None or not child.requires_grad:
                        continue
                    if type(child_grad) is not _ndarray:  # 0-d arithmetic gives a scalar
                        child_grad = np.asarray(child_grad)
                    if child.grad is None:
                        # A leaf owns its gradient: never an array shared with another
                        # node (g passed on unchanged) or a view of one.
                        if not child._children and (child_grad is g
                                                    or child_grad.base is not None):
                            child_grad = child_grad.copy()
                        child.grad = child_grad
                    else:
                        child.grad = _array(child.grad + child_grad)  # a new array, never in place

    def topological_order(self):
        """Every node that leads here (itself included), each after all of its inputs."""
        return _topological_order(self, leaves=True)


# --- functions of whole tensors -------------------------------------------------------

def linear(x, W, b=None):
    """One fully connected layer on a batch, z = x W^T + b, as ONE node.

    x: (n, nin) (or one example, (nin,)), W: (nout, nin), b: (nout,) -> z: (n, nout).
    Same result and gradients as ``x @ W.T + b`` with fewer nodes:
    dL/dx = g W, dL/dW = g^T x, dL/db = sum of g over the batch.

    >>> x = Tensor([[1.0, 2.0]]); W = Tensor([[0.5, -1.0]], requires_grad=True)
    >>> linear(x, W, Tensor([0.1])).data
    array([[-1.4]])
    """
    x = _as_tensor(x, "linear")
    if x.data.ndim not in (1, 2) or W.data.ndim != 2 or x.data.shape[-1] != W.data.shape[1]:
        raise ValueError(f"linear expects x of shape (n, nin) and W of shape (nout, nin), "
                         f"got x {x.shape} and W {W.shape}")
    z = x.data @ W.data.T  # (n, nin) @ (nin, nout) -> (n, nout)
    if b is None:
        return _result(z, (x, W), "x@W.T", _linear_backward)
    if b.data.shape != (W.data.shape[0],):
        raise ValueError(f"linear expects b of shape ({W.data.shape[0]},) for W of shape "
                         f"{W.shape}, got {b.shape}")
    z += b.data  # z is ours (fresh from @): add the bias in place
    return _result(z, (x, W, b), "x@W.T+b", _linear_backward)


def _linear_backward(out, g):  # g: (n, nout)
    x, W = out._children[0], out._children[1]
    grad_x = g @ W.data if x.requires_grad else None          # (n, nout) @ (nout, nin)
    if W.requires_grad:
        if g.ndim == 2:
            grad_W = g.T @ x.data                              # (nout, n) @ (n, nin)
        else:
            grad_W = np.multiply.outer(g, x.data)              # one example: (nout,) x (nin,)
    else:
        grad_W = None
    if len(out._children) == 2:
        return grad_x, grad_W
    grad_b = np.add.reduce(g, axis=0) if g.ndim == 2 else g    # the sum over the batch
    return grad_x, grad_W, grad_b


def _log_softmax_data(z, axis):
    """log softmax(z) = z - log sum_j e^(z_j), computed after subtracting the max (no overflow)."""
    with np.errstate(divide="ignore", invalid="ignore"):  # -inf entries give -inf or nan
        shifted = z - z.max(axis=axis, keepdims=True)  # the largest entry becomes 0
        return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def log_softmax(x, axis=-1):
    """log softmax(x)_i = x_i - log sum_j e^(x_j) along `axis`: finite for every finite x.

    Backward: dL/dx = g - softmax(x) * (sum of g along the axis).

    >>> log_softmax(Tensor([0.0, 0.0])).data.round(4)
    array([-0.6931, -0.6931])
    """
    x = _as_tensor(x, "log_softmax")
    return _result(_log_softmax_data(x.data, axis), (x,), "log_softmax",
                   _log_softmax_backward, axis)


def _log_softmax_backward(out, g):
    p = np.exp(out.data)  # softmax(x)
    return (g - p * g.sum(axis=out._saved, keepdims=True),)


def cross_entropy(logits, targets):
    """The mean cross-entropy of a batch, from raw scores (logits) and class indices.

    L = -(1/n) sum_i log softmax(z^(i))_(y_i), with logits z of shape (n, K) and
    targets y of n integers in 0..K-1. Exact and finite for every finite logit.
    Backward: dL/dz = (P - Y) / n, P the softmax probabilities, Y the one-hot targets.

    >>> logits = Tensor([[2.0, 0.0, 0.0]], requires_grad=True)
    >>> loss = cross_entropy(logits, [0]); round(loss.item(), 4)
    0.2395
    """
    logits = _as_tensor(logits, "cross_entropy")
    z = logits.data
    if z.ndim != 2:
        raise ValueError(f"cross_entropy expects logits of shape (n, K), one row of K class "
                         f"scores per example, got shape {z.shape}")
    n, K = z.shape
    y = _class_indices(targets, n, K)
    logp = _log_softmax_data(z, 1)                         # (n, K)
    rows = np.arange(n)
    # minus the mean of the picked log-probabilities (0 - ..., so that a perfect
    # prediction gives 0.0, not -0.0)
    loss = 0.0 - np.add.reduce(logp[rows, y]) / n
    return _result(loss, (logits,), "cross_entropy", _cross_entropy_backward, (logp, rows, y))


def _class_indices(targets, n, K):
    """targets as an int array of n class indices in 0..K-1, or a ValueError saying why not."""
    y = targets.data if isinstance(targets, Tensor) else np.asarray(targets)
    if y.shape != (n,):
        raise ValueError(f"cross_entropy expects {n} targets (one class index per row of "
                         f"logits), got an array of shape {y.shape}")
    if y.dtype.kind not in "iu":
        if y.dtype.kind != "f" or not np.all(y == np.round(y)):
            raise ValueError(f"cross_entropy expects targets that are whole class indices "
                             f"0..{K - 1}, got {y.dtype} values such as {y[:3].tolist()}")
        y = y.astype(np.intp)
    if n and (np.minimum.reduce(y) < 0 or np.maximum.reduce(y) >= K):
        bad = y[(y < 0) | (y >= K)][0]
        raise ValueError(f"cross_entropy expects targets in 0..{K - 1} (K = {K} classes, one "
                         f"per column of logits), got {bad}")
    return y


def _cross_entropy_backward(out, g):  # dL/dz = (P - Y) / n
    logp, rows, y = out._saved
    scale = g / len(y)
    grad = np.exp(logp) * scale          # P / n (times g)
    grad[rows, y] -= scale               # - Y / n
    return (grad,)


# --- modules: layers and networks on batches -------------------------------------------
# The names mirror PyTorch's torch.nn (Module, parameters(), zero_grad(), train(), eval()).


INITS = ("uniform", "xavier", "glorot", "he", "kaiming", "zeros")
"""Weight initialisations, for a layer with nin inputs and nout outputs:

* ``"uniform"`` (default): U(-1/sqrt(nin), 1/sqrt(nin)), the scalar `annlib.nn`'s
  choice (so the same `random_state` gives the same weights as ``annlib.nn.MLP``)
  and PyTorch's default for ``nn.Linear`` weights. Its variance 1/(3 nin) shrinks
  the variance of the signal at every layer (to about 1/6 through a ReLU layer,
  1/3 through tanh near 0): harmless for the course's networks of two or three
  layers, a vanishing signal at ten.
* ``"xavier"`` (or ``"glorot"``): U(-a, a), a = sqrt(6 / (nin + nout)), variance
  2 / (nin + nout): keeps the variance of activations and gradients about
  constant through tanh (and sigmoid, linear) layers (Glorot and Bengio, 2010).
* ``"he"`` (or ``"kaiming"``): normal, mean 0, variance 2 / nin: the factor 2 makes up
  for ReLU zeroing half of its inputs (He et al., 2015).
* ``"zeros"``: every weight 0; every hidden unit then computes the same thing and
  gets the same gradient (for showing why weights start random).

Biases start at 0 with every choice (as in `annlib.nn`; PyTorch draws them from
the same uniform as the weights).
"""


def _check_init(name):
    if name not in INITS:
        raise ValueError(f"unknown initialisation {name!r}: expected one of "
                         + ", ".join(repr(i) for i in INITS))
    return name


def _initial_weights(nin, nout, init, rng):
    """A (nout, nin) array drawn as `init` says, row j = the weights into unit j."""
    count = nout * nin
    if init == "uniform":
        bound = nin ** -0.5
        values = [rng.uniform(-bound, bound) for _ in range(count)]
    elif init in ("xavier", "glorot"):
        bound = (6.0 / (nin + nout)) ** 0.5
        values = [rng.uniform(-bound, bound) for _ in range(count)]
    elif init in ("he", "kaiming"):
        std = (2.0 / nin) ** 0.5
        values = [rng.gauss(0.0, std) for _ in range(count)]
    else:  # "zeros"
        values = [0.0] * count
    return np.array(values, dtype=_float64).reshape(nout, nin)


class Module:
    """Base class: anything with parameters that can be trained."""

    training = True  # dropout is on while training, off in evaluation

    def parameters(self):
        """All trainable Tensors, in a fixed order."""
        return []

    def children(self):
        """The modules directly inside this one."""
        return []

    def zero_grad(self):
        """Forget every parameter's gradient (set it to None, as PyTorch does)."""
        for p in self.parameters():
            p.grad = None

    def train(self, mode=True):
        """Switch to training mode (dropout on); returns the module itself."""
        self.training = bool(mode)
        for child in self.children():
            child.train(mode)
        return self

    def eval(self):
        """Switch to evaluation mode (dropout off); returns the module itself."""
        return self.train(False)

    def num_parameters(self):
        """How many numbers training adjusts."""
        return sum(p.data.size for p in self.parameters())


class Linear(Module):
    """A fully connected layer: z = x W^T + b on a batch x of shape (n, nin).

    W has shape (nout, nin) (row j holds the weights into unit j, course notation
    W^[l] of size n_l x n_(l-1)), b has shape (nout,). See `INITS` for `init`.

    >>> layer = Linear(3, 2, random_state=0)
    >>> layer(np.ones((5, 3))).shape
    (5, 2)
    """

    def __init__(self, nin, nout, random_state=None, init="uniform", _rng=None):
        self.nin = _check_count(nin, "Linear's number of inputs (nin)")
        self.nout = _check_count(nout, "Linear's number of outputs (nout)")
        self.init = _check_init(init)
        rng = _rng if _rng is not None else random.Random(random_state)
        self.W = Tensor(_initial_weights(self.nin, self.nout, init, rng), requires_grad=True,
                        label="W")
        self.b = Tensor(np.zeros(self.nout), requires_grad=True, label="b")
        self.z_label = "z"

    def __call__(self, x):
        x = _as_batch(x, self.nin, "Linear")
        z = linear(x, self.W, self.b)
        z.label = self.z_label
        return z

    def parameters(self):
        return [self.W, self.b]

    def _name(self, layer):
        self.W.label, self.b.label, self.z_label = f"W{layer}", f"b{layer}", f"z{layer}"

    def __repr__(self):
        return f"Linear({self.nin} -> {self.nout})  # {self.num_parameters()} parameters"


def _as_batch(x, nin, who):
    """x as a Tensor of shape (n, nin) (or (nin,)), or a ValueError saying what is wrong."""
    x = _as_tensor(x, who)
    if x.data.ndim not in (1, 2) or x.data.shape[-1] != nin:
        raise ValueError(f"{who} expects a batch of shape (n, {nin}) ({nin} inputs per "
                         f"example), got shape {x.shape}")
    return x


def _check_probability(p, who):
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 <= p < 1:
        raise ValueError(f"{who} expects a probability p with 0 <= p < 1, got {p!r}")
    return float(p)


class Dropout(Module):
    """Inverted dropout: while training, zero each element with probability p and scale
    the rest by 1/(1 - p), so the expected output equals the input; in evaluation
    (``model.eval()``) pass the input through unchanged.

    >>> drop = Dropout(0.5, random_state=0)
    >>> drop(Tensor(np.ones(4))).data     # each element 0 or 2 while training
    array([2., 0., 0., 0.])
    >>> drop.eval()(Tensor(np.ones(4))).data
    array([1., 1., 1., 1.])
    """

    def __init__(self, p=0.5, random_state=None, _rng=None):
        self.p = _check_probability(p, "Dropout")
        self.rng = _rng if _rng is not None else np.random.default_rng(random_state)

    def __call__(self, x):
        x = _as_tensor(x, "Dropout")
        if not self.training or self.p == 0.0:
            return x
        keep = self.rng.random(x.data.shape) >= self.p        # each kept with probability 1-p
        mask = keep * (1.0 / (1.0 - self.p))                   # 0 or 1/(1-p)
        return _result(x.data * mask, (x,), "dropout", _dropout_backward, mask)

    def __repr__(self):
        return f"Dropout(p={self.p:g})"


def _dropout_backward(out, g):  # d(x * mask)/dx = mask
    return (g * out._saved,)


class MLP(Module):
    """A multi-layer perceptron on batches: layers of sizes `nouts` after `nin` inputs.

    Hidden layers use `activation` (then dropout, if `dropout` > 0), the last
    layer `output_activation` (None = linear: raw scores, logits). Called on a
    batch of shape (n, nin), it returns (n, nouts[-1]).

    >>> model = MLP(64, [32, 10], random_state=0)
    >>> model(np.zeros((5, 64))).shape
    (5, 10)
    """

    def __init__(self, nin, nouts, activation="relu", output_activation=None,
                 random_state=None, init="uniform", dropout=0.0):
        self.nin = _check_count(nin, "MLP's number of inputs (nin)")
        nouts = _layer_sizes(nouts)
        self.activation = _check_activation(activation)
        self.output_activation = _check_activation(output_activation)
        self.init = _check_init(init)
        rng = random.Random(random_state)  # the same draws as annlib.nn.MLP's
        sizes = [self.nin] + [int(s) for s in nouts]
        self.layers = [Linear(sizes[i], sizes[i + 1], init=init, _rng=rng)
                       for i in range(len(nouts))]
        for l, layer in enumerate(self.layers, start=1):
            layer._name(l)
        dropout = _check_probability(dropout, "MLP's dropout")
        self.dropout = Dropout(dropout, _rng=np.random.default_rng(random_state)) \
            if dropout else None

    def __call__(self, x):
        x = _as_batch(x, self.nin, "MLP")
        last = len(self.layers)
        for l, layer in enumerate(self.layers, start=1):
            x = linear(x, layer.W, layer.b)  # the shape was checked once, above
            x.label = layer.z_label
            name = self.activation if l < last else self.output_activation
            if name != "linear":
                x = getattr(x, name)()
                x.label = f"a{l}"
            if l < last and self.dropout is not None:
                x = self.dropout(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def children(self):
        return self.layers + ([self.dropout] if self.dropout is not None else [])

    def __repr__(self):
        sizes = " -> ".join(str(layer.nout) for layer in self.layers)
        lines = [f"MLP({self.nin} inputs -> {sizes}, activation={self.activation!r}, "
                 f"output_activation={self.output_activation!r})"]
        for i, layer in enumerate(self.layers, start=1):
            lines.append(f"  [{i}] {layer!r}")
        if self.dropout is not None:
            lines.append(f"  {self.dropout!r} after each hidden layer")
        lines.append(f"  total: {self.num_parameters()} parameters")
        return "\n".join(lines)
