"""Graded exercises of chapter 10: backpropagation in matrix form, in NumPy.

Each exercise is registered with `annlib.grading.core.exercise` (see that module's
docstring). The notebook is ``solutions/10_backprop_matrix_form.ipynb``.

The convention is the chapter's: examples are ROWS. A batch X has shape (n, n_in),
a layer's weights W have shape (n_out, n_in) (one row per neuron), so
Z = X @ W.T + b has shape (n, n_out). Three choices shape these checks:

* Every answer runs through `_guarded`: it calls the learner's function on fresh
  arrays and rejects it when it changed one of them in place (``Z -= Z.max()``
  inside a function changes the caller's logits).
* The cases mix shapes whose sizes all differ (where a transpose in the wrong
  place raises or returns the wrong shape) with square ones (where it runs and
  returns wrong numbers): each wrong arrangement then has its own behaviour.
* The last mistake of each catalogue, ``wrong_shape``, catches every other answer
  whose arrays have the wrong shape, and says which shapes are expected.
"""

import copy
import random

import numpy as np

from .core import BadAnswer, Mistake, close, exercise

__all__ = []  # everything here is registered with the grader; nothing to import


# --- shared helpers ----------------------------------------------------------------------

def _array(rng, *shape, low=-2.0, high=2.0):
    """A float array of the given shape, values rounded to 3 decimals (readable feedback)."""
    size = int(np.prod(shape)) if shape else 1
    values = [round(rng.uniform(low, high), 3) for _ in range(size)]
    return np.array(values, dtype=float).reshape(shape)


def _labels(rng, n, k):
    return np.array([rng.randrange(k) for _ in range(n)], dtype=int)


def _shape_text(x):
    return str(tuple(np.shape(x)))


def _guarded(call_name, arg_names):
    """A ``prepare``: call the answer on the case, and refuse it if it changed an argument."""
    def prepare(answer):
        if not callable(answer):
            raise BadAnswer(f"check expects your function itself (its name, without "
                            f"parentheses, e.g. {call_name}), got {type(answer).__name__}.")

        def run(*args):
            before = [np.array(a, copy=True) if isinstance(a, np.ndarray) else copy.deepcopy(a)
                      for a in args]
            result = answer(*args)
            for name, old, new in zip(arg_names, before, args):
                if isinstance(old, np.ndarray) and not (
                        isinstance(new, np.ndarray) and old.shape == new.shape
                        and np.array_equal(old, new, equal_nan=True)):
                    raise BadAnswer(
                        f"Your {call_name} changed its argument {name} in place (an operation "
                        f"such as {name} -= ..., {name} *= ... or {name}[...] = ... writes into "
                        f"the caller's array). The caller still needs {name}: compute a new "
                        f"array instead, e.g. {name}_shifted = {name} - m.")
            return result
        return run
    return prepare


def _describe(call_name, arg_names):
    """Feedback text for one case: the call, with the shape of each array argument."""
    def describe(args):
        parts = []
        for name, a in zip(arg_names, args):
            if isinstance(a, np.ndarray) and a.ndim and a.dtype.kind == "f":
                parts.append(f"{name} of shape {_shape_text(a)}")
            elif isinstance(a, np.ndarray):
                parts.append(f"{name}={a.tolist()}")
            else:
                parts.append(f"{name}={a!r}")
        return f"{call_name}({', '.join(arg_names)}) with " + ", ".join(parts)
    return describe


def _shape_differs(got, want):
    """True when an array returned (or a part of a returned tuple) has another shape."""
    if isinstance(want, tuple):  # a tuple of arrays, such as (dX, dW, db)
        return (not isinstance(got, (list, tuple)) or len(got) != len(want)
                or any(_shape_differs(g, w) for g, w in zip(got, want)))
    if got is None:  # nothing returned: the generic feedback says so
        return False
    try:
        return np.shape(got) != np.shape(want)
    except ValueError:  # a ragged list: certainly not the expected shape
        return True


def _wrong_shape(outcomes, expected):
    """Some case returned an array (or part) whose shape differs from the expected one."""
    return any(o.ok and _shape_differs(o.value, e) for o, e in zip(outcomes, expected))


# =========================================================================================
# 10.1 - the batch forward pass of one layer
# =========================================================================================

_FORWARD_ARGS = ("X", "W", "b")


def _forward_cases():
    rng = random.Random("10.1 fixed cases")
    oblong = [(_array(rng, 4, 3), _array(rng, 2, 3), _array(rng, 2)),
              (_array(rng, 1, 2), _array(rng, 3, 2), _array(rng, 3)),
              (_array(rng, 5, 2), _array(rng, 4, 2), _array(rng, 4))]
    square = [(_array(rng, 3, 3), _array(rng, 3, 3), _array(rng, 3))]
    return oblong + square   # oblong first: their failures are the most telling


def _forward_random(rng):
    cases = []
    for _ in range(10):
        n, n_in, n_out = rng.randint(1, 6), rng.randint(1, 5), rng.randint(1, 5)
        cases.append((_array(rng, n, n_in), _array(rng, n_out, n_in), _array(rng, n_out)))
    return cases


@exercise("10.1", "Write the batch forward pass of one layer", points=2,
          prepare=_guarded("linear_forward", _FORWARD_ARGS),
          describe=_describe("linear_forward", _FORWARD_ARGS),
          cases=_forward_cases(), random_cases=_forward_random,
          hints=["Write the shapes down: X is (n, n_in), W is (n_out, n_in), b is (n_out,), "
                 "and the answer Z must be (n, n_out). Which product of X and W (or W.T) "
                 "gives that shape?",
                 "Row i of Z is W x_i + b for the example x_i in row i of X; stacked for every "
                 "example, that is X times W transposed.",
                 "return X @ W.T + b  (numpy adds b to every row: broadcasting)."])
def linear_forward(X, W, b):
    """Z = X W^T + b: (n, n_in) @ (n_in, n_out) + (n_out,) -> (n, n_out)."""
    return X @ W.T + b


linear_forward.add_mistake(Mistake(
    "x_times_w", lambda X, W, b: X @ W + b,
    "You computed X @ W. W has one ROW per neuron, shape (n_out, n_in), so each example "
    "(a row of X) must meet each row of W: Z = X @ W.T + b. X @ W only runs when n_in == "
    "n_out, and then it pairs the wrong numbers: that is why the check uses non-square "
    "shapes."))
linear_forward.add_mistake(Mistake(
    "columns_convention", lambda X, W, b: W @ X.T + b[:, None],
    "You returned the transpose of Z, shape (n_out, n): W @ X.T puts the examples in "
    "columns, chapter 04's convention. From chapter 10 on examples are rows: "
    "Z = X @ W.T + b has one row per example, shape (n, n_out)."))
linear_forward.add_mistake(Mistake(
    "forgot_bias", lambda X, W, b: X @ W.T,
    "You left out the bias: Z = X @ W.T + b. Each neuron adds its own b_j to the "
    "weighted sum of every example (numpy broadcasts b over the rows)."))
linear_forward.add_mistake(Mistake(
    "wrong_shape", lambda X, W, b: (X @ W.T + b).ravel(),
    "In at least one case your Z has the wrong shape. With X of shape (n, n_in) and W of shape (n_out, n_in), "
    "Z must have shape (n, n_out): one row per example, one column per neuron. Print "
    "X.shape, W.shape and your result's .shape.", detect=_wrong_shape))


# =========================================================================================
# 10.2 - the backward pass of one linear layer
# =========================================================================================

_BACKWARD_ARGS = ("X", "W", "G")


def _backward_cases():
    rng = random.Random("10.2 fixed cases")
    oblong = [(_array(rng, 4, 3), _array(rng, 2, 3), _array(rng, 4, 2)),
              (_array(rng, 1, 3), _array(rng, 2, 3), _array(rng, 1, 2)),
              (_array(rng, 5, 2), _array(rng, 3, 2), _array(rng, 5, 3))]
    square = [(_array(rng, 3, 3), _array(rng, 3, 3), _array(rng, 3, 3))]
    return oblong + square   # oblong first: their failures are the most telling


def _backward_random(rng):
    cases = []
    for _ in range(10):
        n, n_in, n_out = rng.randint(2, 6), rng.randint(1, 5), rng.randint(1, 5)
        cases.append((_array(rng, n, n_in), _array(rng, n_out, n_in), _array(rng, n, n_out)))
    return cases


@exercise("10.2", "Backpropagate through a linear layer: dX, dW and db", points=3,
          prepare=_guarded("linear_backward", _BACKWARD_ARGS),
          describe=_describe("linear_backward", _BACKWARD_ARGS),
          cases=_backward_cases(), random_cases=_backward_random,
          hints=["Each gradient has the shape of the thing it is the gradient of: dX like X "
                 "(n, n_in), dW like W (n_out, n_in), db like b (n_out,). G is (n, n_out).",
                 "Scalar chain rule: z_ij = sum_k x_ik W_jk + b_j, so dL/dW_jk = sum_i G_ij x_ik, "
                 "dL/db_j = sum_i G_ij, dL/dx_ik = sum_j G_ij W_jk. Each sum is one matrix "
                 "product or one .sum().",
                 "dX = G @ W, dW = G.T @ X, db = G.sum(axis=0). G already holds the mean's "
                 "1/n: do not divide again."])
def linear_backward(X, W, G):
    """Gradients of Z = X W^T + b, given G = dL/dZ of shape (n, n_out): (dX, dW, db)."""
    return G @ W, G.T @ X, G.sum(axis=0)


linear_backward.add_mistake(Mistake(
    "db_not_summed", lambda X, W, G: (G @ W, G.T @ X, G),
    "Your db is G itself, one row per example, but b has shape (n_out,). The bias is added "
    "to EVERY row of Z (broadcasting), so it is used n times, and the gradients of all its "
    "uses add up, as for a Value used twice in chapter 07: db = G.sum(axis=0)."))
linear_backward.add_mistake(Mistake(
    "db_mean", lambda X, W, G: (G @ W, G.T @ X, G.mean(axis=0)),
    "Your db averages G over the batch instead of summing it. The 1/n of the mean loss is "
    "already inside G = dL/dZ; dividing by n again applies it twice. The bias is used once "
    "per example, so its gradient is the plain sum: db = G.sum(axis=0)."))
linear_backward.add_mistake(Mistake(
    "db_wrong_axis", lambda X, W, G: (G @ W, G.T @ X, G.sum(axis=1)),
    "Your db sums G over the wrong axis: G.sum(axis=1) adds the neurons of each example "
    "and has shape (n,). b_j is used by every example, so add over the examples (the "
    "rows): db = G.sum(axis=0), shape (n_out,)."))
linear_backward.add_mistake(Mistake(
    "dW_transposed", lambda X, W, G: (G @ W, X.T @ G, G.sum(axis=0)),
    "Your dW is transposed: X.T @ G has shape (n_in, n_out), but dW must have W's shape "
    "(n_out, n_in), because dL/dW_jk = sum_i G_ij x_ik. Put the transpose on G: "
    "dW = G.T @ X."))
linear_backward.add_mistake(Mistake(
    "dW_divided_by_n", lambda X, W, G: (G @ W, G.T @ X / len(X), G.sum(axis=0)),
    "Your dW is divided by n. G = dL/dZ already contains the 1/n of the mean loss, so "
    "dividing again applies the mean twice: dW = G.T @ X, the sum over the batch of each "
    "example's outer product."))
linear_backward.add_mistake(Mistake(
    "dX_through_W_transposed", lambda X, W, G: (G @ W.T, G.T @ X, G.sum(axis=0)),
    "Your dX multiplies G by W.T. In the forward pass Z = X @ W.T, so going back "
    "dL/dx_ik = sum_j G_ij W_jk: dX = G @ W, shape (n, n_out) @ (n_out, n_in) = (n, n_in). "
    "G @ W.T only runs when n_in == n_out, and then it is wrong."))
linear_backward.add_mistake(Mistake(
    "dX_and_dW_swapped_roles", lambda X, W, G: (W.T @ G.T, G.T @ X, G.sum(axis=0)),
    "Your dX is W.T @ G.T, shape (n_in, n): that is dX in chapter 04's column convention "
    "(one example per column). Here examples are rows, so dX = G @ W has X's shape "
    "(n, n_in)."))
linear_backward.add_mistake(Mistake(
    "wrong_shape", lambda X, W, G: (G @ W, G.T @ X, G.sum(axis=0, keepdims=True)),
    "In at least one case one of your arrays has the wrong shape. Each gradient has the shape of what "
    "it is the gradient of: dX like X (n, n_in), dW like W (n_out, n_in), db like b "
    "(n_out,). Print the .shape of each before returning (dX, dW, db).",
    detect=_wrong_shape))


# =========================================================================================
# 10.3 - the gradient of softmax + cross-entropy
# =========================================================================================

_CE_ARGS = ("Z", "y")
_CE_LARGE = (4, 5)   # the cases with logits of size 1000: e^1000 overflows


def _ce_cases():
    rng = random.Random("10.3 fixed cases")
    return [(_array(rng, 4, 3), np.array([0, 2, 1, 2])),
            (_array(rng, 1, 5), np.array([3])),
            (_array(rng, 3, 2), np.array([1, 0, 1])),
            (_array(rng, 3, 3), np.array([2, 2, 0])),
            (np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 0.0]]), np.array([0, 2])),
            (np.array([[-1000.0, -1000.0], [800.0, 0.0], [0.0, 0.0]]), np.array([1, 1, 0]))]


def _ce_random(rng):
    cases = []
    for _ in range(10):
        n, k = rng.randint(1, 6), rng.randint(2, 5)
        cases.append((_array(rng, n, k, low=-4, high=4), _labels(rng, n, k)))
    return cases


def _softmax_rows(Z):
    shifted = Z - Z.max(axis=1, keepdims=True)
    exps = np.exp(shifted)
    return exps / exps.sum(axis=1, keepdims=True)


def _one_hot(y, k):
    Y = np.zeros((len(y), k))
    Y[np.arange(len(y)), y] = 1.0
    return Y


def _ce_small_cases_right(outcomes, expected):
    compare = close()
    return all(o.ok and compare(e, o.value) for i, (o, e) in enumerate(zip(outcomes, expected))
               if i not in _CE_LARGE)


def _ce_overflow(outcomes, expected):
    """Right for moderate logits, wrong (an error, inf or nan) for logits of size 1000."""
    compare = close()
    return _ce_small_cases_right(outcomes, expected) and not all(
        outcomes[i].ok and compare(expected[i], outcomes[i].value) for i in _CE_LARGE)


@exercise("10.3", "Write the gradient of softmax + cross-entropy with respect to the logits",
          points=3, prepare=_guarded("softmax_cross_entropy_grad", _CE_ARGS),
          describe=_describe("softmax_cross_entropy_grad", _CE_ARGS),
          cases=_ce_cases(), random_cases=_ce_random,
          hints=["For L = (1/n) sum_i -ln softmax(z_i)_{y_i}, the gradient is "
                 "dL/dZ = (P - Y) / n: P the softmax of each row, Y the one-hot targets.",
                 "Softmax works along each row (axis=1, one row per example). Subtract each "
                 "row's largest logit first, so np.exp never overflows; do it as a new array "
                 "(Z - m), not in place.",
                 "Y = np.zeros_like(P); Y[np.arange(n), y] = 1; return (P - Y) / n."])
def softmax_cross_entropy_grad(Z, y):
    """dL/dZ = (P - Y) / n for the mean cross-entropy of the logits Z (n, K), targets y (n,)."""
    P = _softmax_rows(Z)
    return (P - _one_hot(y, Z.shape[1])) / len(y)


def _naive_softmax(Z):
    with np.errstate(all="ignore"):
        exps = np.exp(Z)
        return exps / exps.sum(axis=1, keepdims=True)


softmax_cross_entropy_grad.add_mistake(Mistake(
    "forgot_subtract_y", lambda Z, y: _softmax_rows(Z) / len(y),
    "You returned P / n and never subtracted the targets. dL/dz_ik = (p_ik - [k = y_i]) / n: "
    "the true class's logit is pushed UP (its gradient is negative), every other one down. "
    "Build the one-hot matrix Y and return (P - Y) / n."))
softmax_cross_entropy_grad.add_mistake(Mistake(
    "forgot_one_over_n", lambda Z, y: _softmax_rows(Z) - _one_hot(y, Z.shape[1]),
    "You returned P - Y without dividing by n. The loss is the MEAN over the n examples, "
    "L = (1/n) sum_i L_i, so every example's gradient carries the factor 1/n: "
    "(P - Y) / n. Without it, doubling the batch would double every step."))
softmax_cross_entropy_grad.add_mistake(Mistake(
    "divided_by_n_twice", lambda Z, y: (_softmax_rows(Z) - _one_hot(y, Z.shape[1])) / len(y) ** 2,
    "You divided by n twice: (P - Y) / n^2. The mean brings exactly one factor 1/n: "
    "dL/dZ = (P - Y) / n."))
softmax_cross_entropy_grad.add_mistake(Mistake(
    "sign_flipped", lambda Z, y: (_one_hot(y, Z.shape[1]) - _softmax_rows(Z)) / len(y),
    "Your sign is flipped: (Y - P) / n is MINUS the gradient. The gradient of the loss "
    "is (P - Y) / n: positive for the wrong classes (their logits should go down)."))
softmax_cross_entropy_grad.add_mistake(Mistake(
    "softmax_over_batch_axis",
    lambda Z, y: (np.exp(Z - Z.max(axis=0)) / np.exp(Z - Z.max(axis=0)).sum(axis=0)
                  - _one_hot(y, Z.shape[1])) / len(y),
    "Your softmax normalises each COLUMN (axis=0, across the examples of the batch). Each "
    "example has its own distribution over the K classes: normalise each ROW, "
    "P = e^Z / e^Z.sum(axis=1, keepdims=True)."))
softmax_cross_entropy_grad.add_mistake(Mistake(
    "softmax_overflow",
    lambda Z, y: (_naive_softmax(Z) - _one_hot(y, Z.shape[1])) / len(y),
    "Your gradient is right for moderate logits but breaks for large ones: np.exp(1000) "
    "overflows to inf and inf / inf is nan. Subtract each row's largest logit first, "
    "Z - Z.max(axis=1, keepdims=True): softmax does not change, and every exponent is <= 0.",
    detect=_ce_overflow))


def _shift_in_place(Z, y):
    Z -= Z.max(axis=1, keepdims=True)
    return softmax_cross_entropy_grad.reference(Z, y)


softmax_cross_entropy_grad.add_mistake(Mistake(
    "shifted_logits_in_place", _shift_in_place, expect="changed its argument Z in place"))
softmax_cross_entropy_grad.add_mistake(Mistake(
    "wrong_shape", lambda Z, y: (_softmax_rows(Z) - _one_hot(y, Z.shape[1])).mean(axis=0),
    "In at least one case your gradient has the wrong shape: dL/dZ has the shape of Z, (n, K), one row per "
    "example and one column per class. Print the .shape of P, Y and your result.",
    detect=_wrong_shape))


# =========================================================================================
# 10.4 - the error through the transpose and f'(z)
# =========================================================================================

_HIDDEN_ARGS = ("G", "W", "Z")


def _hidden_cases():
    rng = random.Random("10.4 fixed cases")
    oblong = [(_array(rng, 4, 2), _array(rng, 2, 3), _array(rng, 4, 3)),   # n, n_out, n_hidden
              (_array(rng, 1, 3), _array(rng, 3, 2), _array(rng, 1, 2)),
              (_array(rng, 2, 4), _array(rng, 4, 5), _array(rng, 2, 5))]
    square = [(_array(rng, 3, 3), _array(rng, 3, 3), _array(rng, 3, 3))]
    return oblong + square   # oblong first: their failures are the most telling


def _hidden_random(rng):
    cases = []
    for _ in range(10):
        n, n_out, n_hidden = rng.randint(1, 6), rng.randint(1, 5), rng.randint(1, 5)
        cases.append((_array(rng, n, n_out), _array(rng, n_out, n_hidden),
                      _array(rng, n, n_hidden, low=-3, high=3)))
    return cases


@exercise("10.4", "Pass the error back to a tanh layer: (G W) times tanh'(Z)", points=2,
          prepare=_guarded("hidden_error", _HIDDEN_ARGS),
          describe=_describe("hidden_error", _HIDDEN_ARGS),
          cases=_hidden_cases(), random_cases=_hidden_random,
          hints=["Two steps: dL/dA = G @ W brings the error from the next layer (shape "
                 "(n, n_hidden)), then dL/dZ = dL/dA * tanh'(Z), element by element.",
                 "tanh'(z) = 1 - tanh(z)^2. The formula 1 - a^2 needs a = tanh(z), not z.",
                 "return (G @ W) * (1 - np.tanh(Z) ** 2)"])
def hidden_error(G, W, Z):
    """dL/dZ of a tanh layer: (G W) * (1 - tanh(Z)^2); G (n, n_out), W (n_out, n_h), Z (n, n_h)."""
    return (G @ W) * (1 - np.tanh(Z) ** 2)


hidden_error.add_mistake(Mistake(
    "derivative_at_z_not_a", lambda G, W, Z: (G @ W) * (1 - Z ** 2),
    "You used 1 - Z^2. The derivative of tanh is 1 - tanh(z)^2 = 1 - a^2: the square of the "
    "ACTIVATION a = tanh(z), not of z. Use 1 - np.tanh(Z) ** 2 (or 1 - A ** 2 with A = "
    "np.tanh(Z))."))
hidden_error.add_mistake(Mistake(
    "forgot_activation_derivative", lambda G, W, Z: G @ W,
    "You returned G @ W, which is dL/dA, the gradient with respect to the activations. One "
    "more step of the chain rule is missing: A = tanh(Z), so dL/dZ = dL/dA * tanh'(Z), "
    "element by element."))
hidden_error.add_mistake(Mistake(
    "matrix_product_with_derivative", lambda G, W, Z: (G @ W) @ (1 - np.tanh(Z) ** 2),
    "You multiplied by tanh'(Z) with a matrix product (@). Each z_ij affects only its own "
    "a_ij = tanh(z_ij), so the chain rule multiplies element by element: "
    "(G @ W) * (1 - np.tanh(Z) ** 2). The matrix product only runs for square shapes."))
hidden_error.add_mistake(Mistake(
    "through_W_transposed", lambda G, W, Z: (G @ W.T) * (1 - np.tanh(Z) ** 2),
    "You multiplied G by W.T. W has shape (n_out, n_hidden) and G shape (n, n_out), so the "
    "error reaches the hidden layer as G @ W, shape (n, n_hidden): dL/da_ik = "
    "sum_j G_ij W_jk. G @ W.T only runs when n_out == n_hidden."))
hidden_error.add_mistake(Mistake(
    "wrong_shape", lambda G, W, Z: (W.T @ G.T) * (1 - np.tanh(Z.T) ** 2),
    "In at least one case your result has the wrong shape: dL/dZ has the shape of Z, (n, n_hidden). G is "
    "(n, n_out) and W is (n_out, n_hidden): which product gives (n, n_hidden)?",
    detect=_wrong_shape))


# =========================================================================================
# 10.5 - the gradient of a broadcast operand is a sum
# =========================================================================================

_SUM_ARGS = ("grad", "shape")


def _sum_cases():
    rng = random.Random("10.5 fixed cases")
    return [(_array(rng, 4, 3), (3,)),
            (_array(rng, 4, 3), (1, 3)),
            (_array(rng, 4, 3), (4, 1)),
            (_array(rng, 4, 3), (4, 3)),
            (_array(rng, 2, 3, 4), (3, 1)),
            (_array(rng, 5), ()),
            (_array(rng, 2, 3), (1, 1)),
            (_array(rng, 3, 1), (3, 1))]


def _sum_random(rng):
    cases = []
    for _ in range(8):
        full = tuple(rng.randint(2, 4) for _ in range(rng.randint(1, 3)))
        kept = [s for s in full[rng.randint(0, len(full)):]]     # a suffix of the axes
        target = tuple(1 if rng.random() < 0.4 else s for s in kept)
        cases.append((_array(rng, *full), target))
    return cases


@exercise("10.5", "Sum a broadcast gradient back to its operand's shape", points=2,
          prepare=_guarded("sum_to_shape", _SUM_ARGS),
          describe=_describe("sum_to_shape", _SUM_ARGS),
          cases=_sum_cases(), random_cases=_sum_random,
          hints=["Broadcasting copies the operand along two kinds of axes: leading axes it "
                 "did not have, and axes where its size is 1. Each copy is a separate use, so "
                 "the gradient adds over exactly those axes.",
                 "First sum over axis 0 while grad has more axes than shape. Then, for every "
                 "axis where shape has a 1 and grad does not, sum with keepdims=True.",
                 "while grad.ndim > len(shape): grad = grad.sum(axis=0); then "
                 "for axis, size in enumerate(shape): if size == 1: "
                 "grad = grad.sum(axis=axis, keepdims=True)."])
def sum_to_shape(grad, shape):
    """Sum `grad` over the axes along which an operand of `shape` was broadcast."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


def _leading_only(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    return grad


def _no_keepdims(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis in reversed(range(len(shape))):
        if shape[axis] == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis)
    return grad


def _mean_not_sum(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.mean(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.mean(axis=axis, keepdims=True)
    return grad


sum_to_shape.add_mistake(Mistake(
    "mean_not_sum", _mean_not_sum,
    "You averaged over the broadcast axes instead of summing. An operand broadcast over n "
    "rows is USED n times, and the gradients of all uses add up (like a Value used twice "
    "in chapter 07): sum, do not average."))
sum_to_shape.add_mistake(Mistake(
    "always_axis_0", lambda grad, shape: grad.sum(axis=0),
    "You always sum over axis 0. That is right for a bias of shape (n_out,) added to "
    "(n, n_out), but not in general: an operand of the same shape as grad was not "
    "broadcast at all, and one of shape (4, 1) was copied along axis 1. Sum over exactly "
    "the axes broadcasting added or stretched."))
sum_to_shape.add_mistake(Mistake(
    "leading_axes_only", _leading_only,
    "You summed the leading axes away but left the size-1 axes alone. Broadcasting also "
    "stretches an axis of size 1 (shape (4, 1) against (4, 3)): sum over it too, with "
    "keepdims=True so the axis stays."))
sum_to_shape.add_mistake(Mistake(
    "size_one_axes_dropped", _no_keepdims,
    "You summed over the right axes but dropped the size-1 ones: shape (4, 1) came back "
    "as (4,). Use keepdims=True for axes where shape has a 1, so the gradient has exactly "
    "the operand's shape."))
sum_to_shape.add_mistake(Mistake(
    "first_copy_only", lambda grad, shape: grad[(0,) * (grad.ndim - len(shape))][
        tuple(slice(0, 1) if s == 1 else slice(None) for s in shape)],
    "You kept the gradient of one copy (the first row) and dropped the others. Each "
    "broadcast copy is a separate use of the operand and contributes its own gradient: add "
    "them all."))
sum_to_shape.add_mistake(Mistake(
    "wrong_shape", lambda grad, shape: grad.sum(),
    "In at least one case your result does not have the requested shape. The gradient of an operand always has "
    "the operand's shape: compare your result's .shape with shape.",
    detect=_wrong_shape))


# =========================================================================================
# 10.6 - the whole backward pass of a two-layer network
# =========================================================================================

_NET_ARGS = ("X", "y", "W1", "b1", "W2", "b2")


def _two_layer(X, y, W1, b1, W2, b2, bug=None):
    """(dW1, db1, dW2, db2) of the mean cross-entropy; `bug` plants one named mistake."""
    n = len(X)
    Z1 = X @ W1.T + b1                            # (n, h)
    A1 = np.tanh(Z1)                              # (n, h)
    Z2 = A1 @ W2.T + b2                           # (n, K)
    Y = _one_hot(y, W2.shape[0])
    G2 = _softmax_rows(Z2) - (0 if bug == "no_minus_y" else Y)     # (n, K)
    if bug != "no_one_over_n":
        G2 = G2 / n
    scale = n if bug == "mean_twice" else 1
    dW2, db2 = G2.T @ A1 / scale, G2.sum(axis=0) / scale
    dA1 = G2 @ W2                                 # (n, h)
    if bug == "no_activation_derivative":
        G1 = dA1
    elif bug == "derivative_at_z":
        G1 = dA1 * (1 - Z1 ** 2)
    else:
        G1 = dA1 * (1 - A1 ** 2)                  # (n, h)
    dW1, db1 = G1.T @ X / scale, G1.sum(axis=0) / scale
    if bug == "bias_not_summed":
        db1, db2 = G1, G2
    return dW1, db1, dW2, db2


def _net_case(rng, n, n_in, h, k):
    return (_array(rng, n, n_in), _labels(rng, n, k), _array(rng, h, n_in), _array(rng, h),
            _array(rng, k, h), _array(rng, k))


def _net_cases():
    rng = random.Random("10.6 fixed cases")
    return [_net_case(rng, 5, 4, 3, 2), _net_case(rng, 1, 3, 4, 5),
            _net_case(rng, 6, 2, 5, 3), _net_case(rng, 3, 3, 3, 3)]


def _net_random(rng):
    return [_net_case(rng, rng.randint(2, 6), rng.randint(1, 5), rng.randint(1, 5),
                      rng.randint(2, 4)) for _ in range(8)]


def _bugged(bug):
    return lambda X, y, W1, b1, W2, b2: _two_layer(X, y, W1, b1, W2, b2, bug)


@exercise("10.6", "Backpropagate through a whole two-layer network by hand", points=4,
          prepare=_guarded("two_layer_gradients", _NET_ARGS),
          describe=_describe("two_layer_gradients", _NET_ARGS),
          cases=_net_cases(), random_cases=_net_random,
          hints=["Forward first, keeping what backward needs: Z1 = X @ W1.T + b1, "
                 "A1 = tanh(Z1), Z2 = A1 @ W2.T + b2, P = softmax of each row of Z2.",
                 "Backward, output layer: G2 = (P - Y) / n, dW2 = G2.T @ A1, "
                 "db2 = G2.sum(axis=0). Hidden layer: G1 = (G2 @ W2) * (1 - A1 ** 2), then "
                 "dW1 and db1 the same way with X.",
                 "Check the shapes: each gradient has the shape of its parameter."])
def two_layer_gradients(X, y, W1, b1, W2, b2):
    """(dW1, db1, dW2, db2) of the mean cross-entropy of softmax(tanh(X W1^T + b1) W2^T + b2)."""
    return _two_layer(X, y, W1, b1, W2, b2)


def _dW1_transposed(X, y, W1, b1, W2, b2):
    dW1, db1, dW2, db2 = _two_layer(X, y, W1, b1, W2, b2)
    return dW1.T, db1, dW2, db2


two_layer_gradients.add_mistake(Mistake(
    "no_one_over_n", _bugged("no_one_over_n"),
    "Your gradients are n times too large: the output error is (P - Y) / n, because the loss "
    "is the MEAN over the batch. The 1/n enters once, at the top, and flows down to every "
    "parameter through the chain rule."))
two_layer_gradients.add_mistake(Mistake(
    "mean_twice", _bugged("mean_twice"),
    "Your gradients are divided by n twice: (P - Y) / n already holds the mean's 1/n, so "
    "dW = G.T @ A and db = G.sum(axis=0) must not divide again."))
two_layer_gradients.add_mistake(Mistake(
    "no_minus_y", _bugged("no_minus_y"),
    "Your output error is P / n: the targets are missing. For softmax + cross-entropy "
    "dL/dZ2 = (P - Y) / n with Y the one-hot targets."))
two_layer_gradients.add_mistake(Mistake(
    "no_activation_derivative", _bugged("no_activation_derivative"),
    "Your dW1 and db1 skip tanh'(Z1): the hidden layer's error is (G2 @ W2) * (1 - A1^2), "
    "element by element. dW2 and db2 are right."))
two_layer_gradients.add_mistake(Mistake(
    "derivative_at_z", _bugged("derivative_at_z"),
    "Your hidden error uses 1 - Z1^2. tanh'(z) = 1 - tanh(z)^2 = 1 - a^2, with a the "
    "activation A1 = tanh(Z1), not Z1."))
two_layer_gradients.add_mistake(Mistake(
    "bias_not_summed", _bugged("bias_not_summed"),
    "Your db1 and db2 keep one row per example. A bias is added to every example's row, so "
    "its gradient is the SUM of the rows: db = G.sum(axis=0), with b's shape."))
two_layer_gradients.add_mistake(Mistake(
    "wrong_shape", _dW1_transposed,
    "In at least one case one of your gradients has the wrong shape: each must have its parameter's "
    "shape, dW1 like W1 (h, n_in), db1 like b1 (h,), dW2 like W2 (K, h), db2 like b2 (K,). "
    "A transpose in the wrong place is the usual cause: print every .shape.",
    detect=_wrong_shape))
