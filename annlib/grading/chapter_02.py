"""Graded exercises of chapter 02: Activation functions.

Each exercise: a reference (the decorated function), its cases, hints, and the
catalogue of wrong answers it must recognise (see ``annlib.grading.core``).
The statements live in ``solutions/02_*.ipynb``.
"""

import math

from ..engine import _sigmoid  # the reference: exact, never overflows
from .common import _close
from .core import Mistake, exercise


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


def _leaky_cases(rng):
    return [(round(rng.uniform(-5, 5), 3), rng.choice([0.01, 0.05, 0.1, 0.2, 0.3]))
            for _ in range(20)]


def _needs_alpha(outcomes, expected, cases):
    """A call without alpha fails: the function has no default for it."""
    return any(not got.ok and got.error[0] == "TypeError" and "alpha" in got.error[1]
               for got, args in zip(outcomes, cases) if len(args) == 1)


# The calls with z alone test the default alpha = 0.01 that the statement names.
@exercise("02.3", "Implement leaky ReLU's derivative", points=2,
          cases=[(2.0, 0.01), (-2.0, 0.01), (0.5, 0.1), (-0.5, 0.1), (-3.0, 0.2),
                 (0.0, 0.01), (1000.0, 0.01), (-1000.0, 0.3), (-2.0,), (0.0,), (3.0,)],
          random_cases=_leaky_cases,
          hints=["leaky_relu(z) = z for z > 0 and alpha z otherwise: a straight line on each "
                 "side of 0. What is the slope of each line?",
                 "At z = 0 use the left slope, alpha, as annlib does."],
          mistakes=[
              Mistake("relu_derivative", lambda z, alpha=0.01: 1.0 if z > 0 else 0.0,
                      "That is plain ReLU's derivative: 0 for z <= 0. Leaky ReLU keeps a "
                      "small slope alpha for negative z, so its neurons never stop learning "
                      "(no dying ReLU)."),
              Mistake("alpha_times_z", lambda z, alpha=0.01: 1.0 if z > 0 else alpha * z,
                      "For z < 0 leaky ReLU is the line alpha z; its slope is alpha, not "
                      "alpha z."),
              Mistake("function_not_slope", lambda z, alpha=0.01: z if z > 0 else alpha * z,
                      "You returned leaky_relu(z) itself. Its derivative is the slope: 1 for "
                      "z > 0, alpha otherwise."),
              Mistake("ignores_alpha", lambda z, alpha=0.01: 1.0 if z > 0 else 0.01,
                      "Your function ignores its alpha argument and always uses 0.01: use "
                      "the alpha it is given."),
              Mistake("zero_goes_right", lambda z, alpha=0.01: 1.0 if z >= 0 else alpha,
                      "Right except at z = 0: there the course (and annlib) uses the left "
                      "slope alpha, because leaky_relu(z) = z only for z > 0."),
              Mistake("other_default", lambda z, alpha=0.1: 1.0 if z > 0 else alpha,
                      "Right when alpha is given, but your default alpha is not the "
                      "statement's: leaky_relu_derivative(z, alpha=0.01) must use 0.01 when "
                      "it is called without alpha, as annlib's leaky_relu does."),
              Mistake("no_default", lambda z, alpha: 1.0 if z > 0 else alpha,
                      "Your function cannot be called without alpha. The statement's "
                      "signature is leaky_relu_derivative(z, alpha=0.01): give alpha the "
                      "default value 0.01, so that leaky_relu_derivative(-2.0) works.",
                      detect=_needs_alpha),
          ])
def leaky_relu_derivative(z, alpha=0.01):
    return 1.0 if z > 0 else alpha


def _softmax_cases(rng):
    return [([round(rng.uniform(-5, 5), 2) for _ in range(rng.randint(1, 6))],)
            for _ in range(20)]


def _naive_softmax(z):
    e = [math.exp(v) for v in z]
    return [v / sum(e) for v in e]


@exercise("02.4", "Implement a softmax that never overflows", points=3,
          cases=[([1.0, 2.0, 3.0],), ([0.0],), ([0.0, 0.0],), ([2.0, -1.0],),
                 ([1000.0, 0.0],), ([-1000.0, 0.0, 1000.0],), ([1000.0, 1000.0],),
                 ([-1000.0, -1000.0],)],
          random_cases=_softmax_cases,
          hints=["softmax(z)_k = e^(z_k) / sum_j e^(z_j): exponentiate, then divide by the "
                 "sum so the outputs add up to 1.",
                 "Subtracting the same number from every z_k does not change the result. "
                 "Subtract max(z): every exponent is then <= 0 and nothing overflows."],
          mistakes=[
              Mistake("naive", _naive_softmax,
                      "Right for ordinary logits, but e^1000 overflows (an error, or inf/inf "
                      "= nan). Subtract max(z) from every logit before exponentiating: the "
                      "result is the same and every exponent is <= 0.", detect=_overflows),
              Mistake("not_normalised",
                      lambda z: [math.exp(v - max(z)) for v in z],
                      "Your outputs do not add up to 1: divide each exponential by the sum "
                      "of all of them, so softmax gives a probability distribution."),
              Mistake("no_exponential",
                      lambda z: [v / sum(z) for v in z],
                      "You divided the logits by their sum without exponentiating. Logits "
                      "can be negative or sum to 0; softmax uses e^(z_k), which is always "
                      "positive."),
              Mistake("hard_max",
                      lambda z: [1.0 if i == z.index(max(z)) else 0.0 for i in range(len(z))],
                      "That is a hard argmax (one 1, zeros elsewhere). Softmax is its soft "
                      "version: every class gets a share, larger logits a larger one."),
          ])
def softmax(z):
    m = max(z)
    e = [math.exp(v - m) for v in z]
    total = sum(e)
    return [v / total for v in e]
