"""Graded exercises of chapter 02: Activation functions.

Each exercise: a reference (the decorated function), its cases, hints, and the
catalogue of wrong answers it must recognise (see ``annlib.grading.core``).
The statements live in ``solutions/02_*.ipynb``.
"""

import math

from ..engine import _sigmoid  # the reference: exact, never overflows
from .common import _close
from .core import Mistake, close, exercise


def _finite(x):
    if isinstance(x, (list, tuple)):
        return all(_finite(v) for v in x)
    return isinstance(x, (int, float)) and math.isfinite(x)


def _largest(args):
    numbers = [abs(v) for a in args for v in (a if isinstance(a, (list, tuple)) else [a])
               if isinstance(v, (int, float))]
    return max(numbers, default=0.0)


def _overflows(outcomes, expected, cases):
    """Right on ordinary inputs, but overflow (error, inf or nan) on some |z| >= 100."""
    overflowed = False
    for got, want, args in zip(outcomes, expected, cases):
        right = got.ok and _finite(got.value) and _close(want, got.value)
        if right:
            continue
        if _largest(args) < 100:
            return False
        if got.ok and _finite(got.value):
            return False  # wrong but finite: another mistake
        overflowed = True
    return overflowed


_SIGMOID_CASES = [(0.0,), (1.0,), (-1.0,), (4.0,), (-4.0,), (20.0,), (-20.0,),
                  (700.0,), (-700.0,), (1000.0,), (-1000.0,)]


def _scalar_cases(rng):
    return [(round(rng.uniform(-10, 10), 3),) for _ in range(20)]


_OVERFLOW_SIGMOID = (
    "Right for ordinary z, but exp overflows for large |z| (try z = -1000: e^1000 is far "
    "beyond the largest float). Compute with an exponent that is never positive: "
    "1 / (1 + e^-z) when z >= 0, and e^z / (1 + e^z) when z < 0.")


@exercise("02.1", "Implement a sigmoid that never overflows", points=2,
          cases=_SIGMOID_CASES, random_cases=_scalar_cases,
          hints=["sigma(z) = 1 / (1 + e^-z). Try your function at z = -1000 and z = 1000.",
                 "math.exp(x) raises OverflowError for x above about 709. For z < 0 use "
                 "the equal form e^z / (1 + e^z), whose exponent is negative."],
          mistakes=[
              Mistake("naive", lambda z: 1.0 / (1.0 + math.exp(-z)), _OVERFLOW_SIGMOID,
                      detect=_overflows),
              Mistake("naive_other_form", lambda z: math.exp(z) / (1.0 + math.exp(z)),
                      _OVERFLOW_SIGMOID, detect=_overflows),
              Mistake("sign_flipped", lambda z: _sigmoid(-z),
                      "You computed sigma(-z) = 1 / (1 + e^z): the sign in the exponent is "
                      "flipped. sigma(z) = 1 / (1 + e^-z) rises from 0 to 1 as z grows, "
                      "and sigma(4) is close to 1."),
              Mistake("tanh_instead", lambda z: math.tanh(z),
                      "That is tanh, whose outputs range over (-1, 1). The sigmoid's range is "
                      "(0, 1) and sigma(0) = 0.5."),
          ])
def sigmoid(z):
    return _sigmoid(z)


@exercise("02.2", "Implement the sigmoid's derivative", points=2,
          cases=_SIGMOID_CASES, random_cases=_scalar_cases,
          hints=["sigma'(z) = sigma(z) (1 - sigma(z)): compute a = sigma(z) first.",
                 "Its largest value is 0.25, at z = 0; far from 0 it is nearly 0 (the "
                 "vanishing gradient). Reuse a sigmoid that never overflows."],
          mistakes=[
              Mistake("formula_on_z", lambda z: z * (1 - z),
                      "You applied a (1 - a) to z itself. The shortcut sigma'(z) = a (1 - a) "
                      "needs a = sigma(z) first: compute the sigmoid, then the product."),
              Mistake("derivative_at_a",
                      lambda z: _sigmoid(_sigmoid(z)) * (1 - _sigmoid(
                          _sigmoid(z))),
                      "You took the derivative at a = sigma(z) instead of at z: you computed "
                      "sigma(a) (1 - sigma(a)). Either sigma(z) (1 - sigma(z)), or a (1 - a) "
                      "with a = sigma(z) -- not both."),
              Mistake("quotient_overflow",
                      lambda z: math.exp(-z) / (1 + math.exp(-z)) ** 2,
                      "Right for ordinary z, but the formula overflows for large |z|: at "
                      "z = -1000, e^1000 is infinite (an error, or inf/inf = nan). Use "
                      "sigma(z) (1 - sigma(z)) with a sigmoid that never overflows.",
                      detect=_overflows),
              Mistake("sigmoid_itself", _sigmoid,
                      "You returned sigma(z) itself, not its slope. The derivative is "
                      "sigma(z) (1 - sigma(z)): at z = 0 it is 0.25, not 0.5."),
          ])
def sigmoid_derivative(z):
    a = _sigmoid(z)
    return a * (1.0 - a)


def _dead_cases(rng):
    cases = []
    for _ in range(20):
        n_units, n_in, n = rng.randint(1, 5), rng.randint(1, 3), rng.randint(1, 6)
        W = [[rng.randint(-2, 2) * 0.5 for _ in range(n_in)] for _ in range(n_units)]
        b = [rng.choice([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0]) for _ in range(n_units)]
        X = [[float(rng.randint(-2, 2)) for _ in range(n_in)] for _ in range(n)]
        cases.append((W, b, X))
    return cases


def _pre_activations(W, b, X):
    """Z[i][j] = z of unit j for example i (rows: examples, columns: units)."""
    return [[sum(w * x for w, x in zip(row, xi)) + bj for row, bj in zip(W, b)] for xi in X]


def _units_where(test):
    """A wrong dead_units: the units j for which test(column j of Z, W, b, X) holds."""
    def answer(W, b, X):
        Z = _pre_activations(W, b, X)
        return [j for j in range(len(W)) if test([row[j] for row in Z], j, W, b, X)]
    return answer


@exercise("02.3", "Find the dead units of a ReLU layer", points=2,
          cases=[([[1.0, -1.0], [-1.0, -1.0], [0.5, 0.5]], [0.0, -1.0, -3.0],
                  [[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]]),
                 ([[1.0], [-1.0]], [0.0, 0.0], [[-1.0], [0.0]]),
                 ([[2.0, 1.0, -1.0]], [0.5], [[1.0, 1.0, 1.0], [-1.0, 0.0, 0.0]]),
                 ([[-1.0, 0.0], [0.0, -1.0], [1.0, 1.0]], [-0.5, 1.0, -2.0],
                  [[1.0, -2.0], [2.0, 3.0]])],
          random_cases=_dead_cases,
          hints=["Unit j's pre-activation for example i is z = W[j] . X[i] + b[j]: compute "
                 "it for every unit and every example.",
                 "Unit j is dead when its z <= 0 for *every* example: then ReLU'(z) = 0 "
                 "everywhere and its weights never get a gradient. all(...) over the "
                 "examples, one unit at a time."],
          mistakes=[
              Mistake("strictly_negative",
                      _units_where(lambda zs, j, W, b, X: all(z < 0 for z in zs)),
                      "You require z < 0, but z = 0 is dead too: ReLU(0) = 0 and the course "
                      "(like annlib) takes ReLU'(0) = 0, so a unit with z <= 0 on every "
                      "example gets no gradient at all."),
              Mistake("dead_on_some_example",
                      _units_where(lambda zs, j, W, b, X: any(z <= 0 for z in zs)),
                      "You call a unit dead as soon as z <= 0 for *one* example. Every ReLU "
                      "unit is off for some inputs -- that is its bend. It is dead only when "
                      "z <= 0 for every example: then no example gives it a gradient."),
              Mistake("first_example_only",
                      _units_where(lambda zs, j, W, b, X: zs[0] <= 0),
                      "You looked at the first example only. A unit is dead when z <= 0 for "
                      "every example of X: test them all."),
              Mistake("forgot_bias",
                      _units_where(lambda zs, j, W, b, X: all(z - b[j] <= 0 for z in zs)),
                      "Your z leaves out the bias: z = W[j] . x + b[j]. A large negative bias "
                      "is a common way for a unit to die."),
              Mistake("alive_units",
                      _units_where(lambda zs, j, W, b, X: not all(z <= 0 for z in zs)),
                      "You returned the units that are alive (z > 0 for some example): the "
                      "exercise asks for the dead ones, those with z <= 0 on every example."),
          ])
def dead_units(W, b, X):
    Z = _pre_activations(W, b, X)
    return [j for j in range(len(W)) if all(row[j] <= 0 for row in Z)]


def _softmax(z):
    m = max(z)
    e = [math.exp(v - m) for v in z]
    total = sum(e)
    return [v / total for v in e]


def _jacobian_from(p, entry):
    return [[entry(p, k, j) for j in range(len(p))] for k in range(len(p))]


def _softmax_cases(rng):
    return [([round(rng.uniform(-5, 5), 2) for _ in range(rng.randint(1, 5))],)
            for _ in range(20)]


def _naive_jacobian(z):
    e = [math.exp(v) for v in z]
    p = [v / sum(e) for v in e]
    return _jacobian_from(p, lambda p, k, j: p[k] * ((k == j) - p[j]))


@exercise("02.4", "Compute the softmax's Jacobian", points=3,
          cases=[([1.0, 2.0, 3.0],), ([0.0],), ([0.0, 0.0],), ([2.0, -1.0],),
                 ([0.5, 0.5, -1.0, 2.0],), ([1000.0, 0.0],), ([-1000.0, 0.0, 1000.0],)],
          random_cases=_softmax_cases,
          hints=["First p = softmax(z), computed without overflow (subtract max(z)). Then "
                 "J[k][j] = p_k (delta_kj - p_j), with delta_kj = 1 when k == j, else 0.",
                 "On the diagonal that is p_k (1 - p_k), like the sigmoid's derivative; off "
                 "the diagonal -p_k p_j. Every row of J adds up to 0, because the p_k always "
                 "add up to 1."],
          mistakes=[
              Mistake("diagonal_only",
                      lambda z: _jacobian_from(_softmax(z), lambda p, k, j:
                                               p[k] * (1 - p[k]) if k == j else 0.0),
                      "You filled in only the diagonal, as if each p_k depended on z_k "
                      "alone. Softmax couples the classes: raising z_j lowers every other "
                      "p_k (they must still add up to 1), so dp_k/dz_j = -p_k p_j for j != k."),
              Mistake("off_diagonal_positive",
                      lambda z: _jacobian_from(_softmax(z), lambda p, k, j:
                                               p[k] * (1 - p[k]) if k == j else p[k] * p[j]),
                      "The off-diagonal entries have the wrong sign. Raising z_j takes "
                      "probability away from every other class, so dp_k/dz_j = -p_k p_j < 0 "
                      "for j != k. Check: each row of J must add up to 0."),
              Mistake("forgot_delta",
                      lambda z: _jacobian_from(_softmax(z), lambda p, k, j: -p[k] * p[j]),
                      "You left out the delta_kj term: J[k][j] = p_k (delta_kj - p_j), so "
                      "the diagonal is p_k (1 - p_k), not -p_k^2."),
              Mistake("naive_softmax", _naive_jacobian,
                      "Right for ordinary logits, but your softmax overflows: e^1000 is "
                      "infinite (an error, or inf/inf = nan). Subtract max(z) from every "
                      "logit before exponentiating: p does not change.", detect=_overflows),
          ])
def softmax_jacobian(z):
    p = _softmax(z)
    return [[p[k] * ((k == j) - p[j]) for j in range(len(p))] for k in range(len(p))]


_SLOPES = {
    "sigmoid": lambda z: _sigmoid(z) * (1.0 - _sigmoid(z)),
    "tanh": lambda z: 1.0 - math.tanh(z) ** 2,
    "relu": lambda z: 1.0 if z > 0 else 0.0,
}
_FUNCTIONS = {"sigmoid": _sigmoid, "tanh": math.tanh, "relu": lambda z: max(0.0, z)}


def _chain_cases(rng):
    cases = []
    for _ in range(20):
        k = rng.randint(1, 8)
        z = [round(rng.uniform(-3, 3), 2) for _ in range(k)]
        w = [round(rng.uniform(-2, 2), 2) for _ in range(k)]
        kind = rng.choice(["sigmoid", "tanh", "relu", None])
        cases.append((z, w) if kind is None else (z, w, kind))
    return cases


def _product(factors):
    result = 1.0
    for factor in factors:
        result *= factor
    return result


def _needs_activation(outcomes, expected, cases):
    return any(not got.ok and got.error[0] == "TypeError" and "activation" in got.error[1]
               for got, args in zip(outcomes, cases) if len(args) == 2)


@exercise("02.5", "Measure the gradient through a chain of layers", points=2,
          cases=[([0.0] * 10, [1.0] * 10), ([4.0] * 10, [1.0] * 10), ([0.0, 4.0], [2.0, -3.0]),
                 ([0.5, -1.0, 2.0], [2.0, -1.0, 0.5], "tanh"), ([4.0] * 5, [1.0] * 5, "tanh"),
                 ([1.0, 2.0, 0.5], [1.5, -2.0, 3.0], "relu"), ([1.0, 0.0, 2.0], [1.0] * 3, "relu"),
                 ([1.0, -0.5], [1.0, 1.0], "relu"), ([], []), ([2.0], [0.5], "sigmoid")],
          random_cases=_chain_cases, compare=close(rel=1e-6, abs=0.0),
          hints=["By the chain rule, each layer multiplies the gradient by its weight and by "
                 "the slope of its activation at its z: w[l] * f'(z[l]). Multiply all the "
                 "factors (an empty chain gives 1).",
                 "sigmoid' = s (1 - s) with s = sigmoid(z); tanh' = 1 - tanh(z)^2; ReLU' = 1 "
                 "for z > 0 and 0 for z <= 0. Use the activation the call names; the "
                 "default is sigmoid."],
          mistakes=[
              Mistake("no_weights",
                      lambda z, w, activation="sigmoid": _product(
                          _SLOPES[activation](v) for v in z),
                      "You multiplied only the slopes f'(z[l]). Each layer's weight is a "
                      "factor too: z[l] = w[l] a[l-1] + b[l], so dz[l]/da[l-1] = w[l] and the "
                      "chain gives the product of w[l] f'(z[l])."),
              Mistake("function_not_slope",
                      lambda z, w, activation="sigmoid": _product(
                          wl * _FUNCTIONS[activation](v) for v, wl in zip(z, w)),
                      "You multiplied the activations f(z[l]) instead of their slopes "
                      "f'(z[l]). The chain rule multiplies derivatives: for a sigmoid "
                      "s (1 - s), at most 1/4."),
              Mistake("sum_not_product",
                      lambda z, w, activation="sigmoid": sum(
                          wl * _SLOPES[activation](v) for v, wl in zip(z, w)),
                      "You added the factors. The chain rule multiplies them, one per layer: "
                      "that product is why the gradient vanishes (or explodes) with depth."),
              Mistake("always_sigmoid",
                      lambda z, w, activation="sigmoid": _product(
                          wl * _SLOPES["sigmoid"](v) for v, wl in zip(z, w)),
                      "Your function always uses the sigmoid's slope and ignores its "
                      "activation argument: use tanh' or ReLU' when the call asks for them."),
              Mistake("relu_slope_one_at_zero",
                      lambda z, w, activation="sigmoid": _product(
                          wl * (1.0 if activation == "relu" and v >= 0 else
                                _SLOPES[activation](v)) for v, wl in zip(z, w)),
                      "Right except for ReLU at z = 0: the course (like annlib) takes "
                      "ReLU'(0) = 0, the slope of the flat side."),
              Mistake("no_default", lambda z, w, activation: _product(
                          wl * _SLOPES[activation](v) for v, wl in zip(z, w)),
                      "Your function cannot be called without activation. The statement's "
                      "signature is chain_gradient(z, w, activation=\"sigmoid\"): give "
                      "activation the default \"sigmoid\".", detect=_needs_activation),
          ])
def chain_gradient(z, w, activation="sigmoid"):
    return _product(wl * _SLOPES[activation](v) for v, wl in zip(z, w))
