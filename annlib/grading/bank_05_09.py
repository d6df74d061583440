"""Graded exercises of chapters 05 to 09: losses, backpropagation, autograd, descent, training.

Each exercise is registered with `annlib.grading.core.exercise` (see that module's
docstring): a reference answer, edge cases and seeded random cases, hints, and the
catalogue of wrong answers it must reject, each with the feedback that names the
misconception. The exercise notebooks are ``solutions/05_*.ipynb`` to ``09_*.ipynb``.

Some answers cannot be compared as plain return values, so a ``prepare`` step
turns them into something that can:

* backward rules (07.1-07.3) mutate ``.grad``: the check builds fresh nodes, calls
  the rule and returns the gradients it left behind;
* a topological order (07.4) is judged, not compared: the check returns a short
  verdict such as "node 'c' appears 2 times";
* functions that take functions (07.6, 08.1) get them by name, so feedback can
  show ``f='x1**3'`` instead of a memory address;
* training code (09.1, 09.2) runs on data sets the learner has never seen.
"""

import math
from collections import Counter
from functools import lru_cache

from .. import losses as _library_losses
from ..engine import Value, _sigmoid  # _sigmoid never overflows
from ..nn import MLP
from .core import BadAnswer, Mistake, close, exercise

__all__ = []  # everything here is registered with the grader; nothing to import


# --- shared helpers ----------------------------------------------------------------------

def _is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _matches(outcome, want, compare=close()):
    """True when one learner Outcome equals the expected value."""
    return outcome.ok and compare(want, outcome.value)


def _close_dict(rel=1e-6, abs=1e-9):
    """A comparison for dicts of numbers (same keys, values within the tolerances)."""
    numbers = close(rel, abs)

    def compare(expected, got):
        if not isinstance(expected, dict) or not isinstance(got, dict):
            return False
        return set(expected) == set(got) and all(numbers(expected[k], got[k]) for k in expected)
    return compare


def _dict_of_numbers(answer, keys, what):
    """Validate a dict answer: a stub (a value is ...) is not attempted, a bad form BadAnswer."""
    if not isinstance(answer, dict):
        raise BadAnswer(f"Expected a dict {what}, got {type(answer).__name__}: {answer!r:.80}.")
    if any(v is Ellipsis for v in answer.values()):
        raise NotImplementedError  # the stub: not attempted yet
    missing = [k for k in keys if k not in answer]
    extra = [k for k in answer if k not in keys]
    if missing or extra:
        raise BadAnswer(f"Expected exactly the keys {', '.join(map(repr, keys))}; "
                        + (f"missing {', '.join(map(repr, missing))}" if missing else "")
                        + ("; " if missing and extra else "")
                        + (f"unexpected {', '.join(map(repr, extra))}" if extra else "") + ".")
    result = {}
    for k in keys:
        v = answer[k]
        if hasattr(v, "item") and callable(v.item):  # a numpy scalar
            v = v.item()
        if not _is_number(v):
            raise BadAnswer(f"Expected a number for {k!r}, got {type(v).__name__}: {v!r:.40}.")
        result[k] = float(v)
    return result


# =========================================================================================
# Chapter 05 - loss functions
# =========================================================================================

def _random_pairs(rng, count, low=2, high=6):
    cases = []
    for _ in range(count):
        n = rng.randint(low, high)
        cases.append(([round(rng.uniform(-3, 3), 3) for _ in range(n)],
                      [round(rng.uniform(-3, 3), 3) for _ in range(n)]))
    return cases


@exercise("05.1", "Write the mean squared error", points=2,
          cases=[([2.0], [3.0]),
                 ([2.5, 0.0, 2.0], [3.0, -0.5, 2.0]),
                 ([1.0, -1.0], [-1.0, 1.0]),
                 ([0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5]),
                 ([4.0, 0.0, -2.0], [1.0, 1.0, 1.0])],
          random_cases=lambda rng: _random_pairs(rng, 15),
          forbidden={"annlib.losses.mse": "the point is to write the mean of the squared "
                                          "errors yourself"},
          hints=["For each example compute the error y_pred[i] - y[i], square it, then "
                 "average the squares: divide their sum by the number of examples.",
                 "zip(y_pred, y) pairs each prediction with its target; len(y) is n.",
                 "One line: sum((p - t) ** 2 for p, t in zip(y_pred, y)) / len(y)."])
def mse(y_pred, y):
    """L = (1/n) sum_i (y_pred_i - y_i)^2."""
    return sum((p - t) ** 2 for p, t in zip(y_pred, y)) / len(y)


@mse.mistake("rmse",
             "You took the square root of the mean: that is the RMSE (root mean squared "
             "error), a different quantity in the units of y. The MSE is the mean of the "
             "squared errors, with no root.")
def _(y_pred, y):
    return math.sqrt(sum((p - t) ** 2 for p, t in zip(y_pred, y)) / len(y))


@mse.mistake("sum_not_mean",
             "You added the squared errors but did not divide by their number n. A sum "
             "grows with the size of the batch, so the loss (and the step size of training) "
             "would depend on how many examples you feed; the MEAN does not.")
def _(y_pred, y):
    return sum((p - t) ** 2 for p, t in zip(y_pred, y))


@mse.mistake("forgot_square",
             "You averaged the errors y_pred - y without squaring them. Positive and "
             "negative errors then cancel: predictions that are 2 too high and 2 too low "
             "give a loss of 0. Square each error before averaging.")
def _(y_pred, y):
    return sum(p - t for p, t in zip(y_pred, y)) / len(y)


@mse.mistake("absolute_error",
             "You averaged the absolute errors |y_pred - y|: that is the mean ABSOLUTE "
             "error (MAE). The MSE squares each error, so large errors count much more "
             "than small ones.")
def _(y_pred, y):
    return sum(abs(p - t) for p, t in zip(y_pred, y)) / len(y)


@mse.mistake("square_of_mean",
             "You averaged the errors first and squared the average. Errors of opposite "
             "sign cancel before the square sees them; square each error, then average.")
def _(y_pred, y):
    return (sum(p - t for p, t in zip(y_pred, y)) / len(y)) ** 2


@mse.mistake("half_mse",
             "Your loss is half the MSE: the factor 1/2 that some books add to make the "
             "derivative tidier is not part of the MSE used in this course, "
             "L = (1/n) sum (y_pred - y)^2.")
def _(y_pred, y):
    return 0.5 * sum((p - t) ** 2 for p, t in zip(y_pred, y)) / len(y)


@mse.mistake("divided_by_n_minus_1",
             "You divided by n - 1 instead of n. That is the correction of a sample "
             "variance; a mean of n squared errors divides by n.")
def _(y_pred, y):
    return sum((p - t) ** 2 for p, t in zip(y_pred, y)) / (len(y) - 1)


@mse.mistake("library_mse",
             "You called annlib.losses.mse, which the statement rules out here: the point "
             "is to write L = (1/n) sum (y_pred - y)^2 yourself, one squared error per "
             "pair from zip(y_pred, y), then their mean. (Everywhere else in the course, "
             "annlib.losses.mse is the one to use.)")
def _(y_pred, y):
    return _library_losses.mse(y_pred, y).data


# --- 05.2 stable cross-entropy ------------------------------------------------------------

# Edge cases first: the grader reports the first case that differs. Cases 4 to 7 have
# logits of size 1000 or 800: e^1000 overflows a float and e^-800 rounds to 0.
_CE_CASES = [([2.0, 1.0, 0.1], 0),
             ([0.0, 0.0, 0.0, 0.0], 3),
             ([1.0, 2.0, 3.0], 2),
             ([-2.0, 0.5], 0),
             ([1000.0, 0.0, -1000.0], 0),   # overflow for e^z; the answer is ~0
             ([-1000.0, -1000.0], 1),       # underflow for e^z: naive 0/0; answer ln 2
             ([1000.0, 0.0], 1),            # p_1 = e^-1000 rounds to 0; answer 1000
             ([0.0, 800.0, 0.0], 2)]        # p_2 rounds to 0; answer 800
_CE_LARGE = {4, 5, 6, 7}
_CE_TINY_PROBABILITY = {6, 7}               # the true class's probability underflows


def _ce_random(rng):
    cases = []
    for _ in range(16):
        k = rng.randint(2, 5)
        cases.append(([round(rng.uniform(-5, 5), 3) for _ in range(k)], rng.randrange(k)))
    return cases


def _stable_log_sum_exp(logits):
    m = max(logits)
    return m + math.log(sum(math.exp(z - m) for z in logits))


def _small_cases_right(outcomes, expected):
    return all(_matches(o, e) for i, (o, e) in enumerate(zip(outcomes, expected))
               if i not in _CE_LARGE)


def _detect_tiny_probability(outcomes, expected):
    """Right except where the true class's probability underflows to 0 (then ln 0)."""
    return (_small_cases_right(outcomes, expected)
            and all(_matches(outcomes[i], expected[i]) for i in _CE_LARGE - _CE_TINY_PROBABILITY)
            and not all(_matches(outcomes[i], expected[i]) for i in _CE_TINY_PROBABILITY))


def _detect_overflow(outcomes, expected):
    """Right for moderate logits, wrong (error, inf, nan) for some logit of size 1000."""
    return (_small_cases_right(outcomes, expected)
            and not all(_matches(outcomes[i], expected[i]) for i in _CE_LARGE))


_CE_TINY_FEEDBACK = (
    "Subtracting the largest logit fixed the overflow, but you still take ln of a "
    "probability: for logits (1000, 0) and true class 1, p_1 = e^-1000 rounds to 0 and "
    "ln 0 is -inf (an error in math.log, or a clipped, wrong value). Never form p_y: "
    "compute ln p_y = z_y - m - ln(sum_j e^(z_j - m)) with m = max z directly "
    "(log-sum-exp).")
_CE_OVERFLOW_FEEDBACK = (
    "Your cross-entropy is right for moderate logits but breaks for large ones: "
    "softmax then ln computes e^1000, which overflows a float (OverflowError, or inf "
    "and then inf/inf = nan), and e^-1000 underflows to 0. Use the log-sum-exp trick: "
    "with m = max z, L = m + ln(sum_j e^(z_j - m)) - z_y. Every exponent is then <= 0 "
    "and nothing overflows.")


@exercise("05.2", "Write a numerically stable cross-entropy from logits", points=3,
          cases=_CE_CASES, random_cases=_ce_random,
          forbidden={"annlib.losses.cross_entropy": "the point is to write the stable "
                                                    "formula yourself"},
          hints=["L = -ln softmax(z)_y = -ln(e^(z_y) / sum_j e^(z_j)) = ln(sum_j e^(z_j)) - z_y. "
                 "Work with this form: it never needs the probability itself.",
                 "Subtracting the same number m from every logit does not change softmax. "
                 "Take m = max(logits): then every e^(z_j - m) lies in (0, 1].",
                 "ln(sum_j e^(z_j)) = m + ln(sum_j e^(z_j - m)); subtract logits[y] "
                 "(y is a 0-based class index)."])
def cross_entropy(logits, y):
    """L = ln(sum_j e^(z_j)) - z_y, computed with the largest logit subtracted first."""
    return _stable_log_sum_exp(logits) - logits[y]


@cross_entropy.mistake("log_of_underflowed_probability", _CE_TINY_FEEDBACK,
                       detect=_detect_tiny_probability)
def _(logits, y):
    m = max(logits)
    exps = [math.exp(z - m) for z in logits]
    return -math.log(exps[y] / sum(exps))


@cross_entropy.mistake("clipped_probability", _CE_TINY_FEEDBACK,
                       detect=_detect_tiny_probability)
def _(logits, y):
    m = max(logits)
    exps = [math.exp(z - m) for z in logits]
    return -math.log(max(exps[y] / sum(exps), 1e-12))


@cross_entropy.mistake("softmax_overflow", _CE_OVERFLOW_FEEDBACK, detect=_detect_overflow)
def _(logits, y):
    exps = [math.exp(z) for z in logits]
    return -math.log(exps[y] / sum(exps))


@cross_entropy.mistake("softmax_overflow_numpy", _CE_OVERFLOW_FEEDBACK, detect=_detect_overflow)
def _(logits, y):
    import numpy as np
    with np.errstate(all="ignore"):
        z = np.array(logits, dtype=float)
        p = np.exp(z) / np.exp(z).sum()
        return float(-np.log(p[y]))


@cross_entropy.mistake("class_index_minus_one",
                       "You took the logit of the wrong class: class indices start at 0, "
                       "so class y is logits[y], not logits[y - 1].")
def _(logits, y):
    return _stable_log_sum_exp(logits) - logits[y - 1]


@cross_entropy.mistake("class_index_plus_one",
                       "You took the logit of the wrong class: class y is logits[y] "
                       "(indices start at 0), not logits[y + 1].")
def _(logits, y):
    return _stable_log_sum_exp(logits) - logits[y + 1]


@cross_entropy.mistake("predicted_class",
                       "You used the class with the largest logit (the prediction) instead "
                       "of the true class y. Cross-entropy charges -ln of the probability "
                       "the network gives the TRUE class, whatever it predicts.")
def _(logits, y):
    return _stable_log_sum_exp(logits) - max(logits)


@cross_entropy.mistake("forgot_minus_sign",
                       "Your result is ln p_y, which is negative: the loss is MINUS the log "
                       "of the true class's probability, -ln p_y >= 0.")
def _(logits, y):
    return logits[y] - _stable_log_sum_exp(logits)


@cross_entropy.mistake("logit_as_log_probability",
                       "You returned -z_y, treating the logit as a log-probability. Logits "
                       "are unnormalised: softmax divides by sum_j e^(z_j), which adds "
                       "ln(sum_j e^(z_j)) to the loss.")
def _(logits, y):
    return -logits[y]


@cross_entropy.mistake("returned_probability",
                       "You returned the probability p_y of the true class, not the loss "
                       "-ln p_y. The loss must grow as p_y shrinks (and be 0 when p_y = 1).")
def _(logits, y):
    return math.exp(logits[y] - _stable_log_sum_exp(logits))


@cross_entropy.mistake("library_cross_entropy",
                       "You called annlib.losses.cross_entropy, which the statement rules "
                       "out here: the point is to write the stable formula yourself, "
                       "L = m + ln(sum_j e^(z_j - m)) - z_y with m = max(logits), using math.")
def _(logits, y):
    return _library_losses.cross_entropy(logits, y).data


# --- 05.3 gradients of MSE and cross-entropy through a sigmoid -------------------------------

def _grad_random(rng):
    return [(round(rng.uniform(-5, 5), 3), float(rng.randint(0, 1))) for _ in range(16)]


_NO_AUTOGRAD = "work out the derivatives with the chain rule, as formulas in plain floats"


@exercise("05.3", "Compare dL/dz of MSE and cross-entropy through a sigmoid", points=2,
          cases=[(-6.0, 1.0), (0.0, 1.0), (0.0, 0.0), (6.0, 0.0), (2.0, 1.0), (-1.5, 0.0)],
          random_cases=_grad_random, forbidden={"annlib.engine.Value": _NO_AUTOGRAD},
          hints=["Chain rule: dL/dz = dL/da * da/dz with a = sigma(z) and "
                 "da/dz = sigma'(z) = a (1 - a).",
                 "MSE: L = (a - y)^2 gives dL/da = 2 (a - y). Cross-entropy: "
                 "L = -[y ln a + (1 - y) ln(1 - a)] gives dL/da = -y/a + (1 - y)/(1 - a).",
                 "Multiply the cross-entropy's dL/da by a (1 - a) and simplify: almost "
                 "everything cancels."])
def gradients_wrt_z(z, y):
    """(dL/dz for L = (a - y)^2, dL/dz for binary cross-entropy), with a = sigma(z)."""
    a = _sigmoid(z)
    return (2 * (a - y) * a * (1 - a), a - y)


@gradients_wrt_z.mistake("mse_without_sigmoid_slope",
                         "Your MSE gradient 2(a - y) is dL/da, not dL/dz: the chain rule "
                         "multiplies by da/dz = a(1 - a) too. That factor is what makes "
                         "MSE learn so slowly on a saturated sigmoid.")
def _(z, y):
    a = _sigmoid(z)
    return (2 * (a - y), a - y)


@gradients_wrt_z.mistake("mse_without_factor_2",
                         "Your MSE gradient is missing the factor 2: d/da (a - y)^2 = 2(a - y).")
def _(z, y):
    a = _sigmoid(z)
    return ((a - y) * a * (1 - a), a - y)


@gradients_wrt_z.mistake("cross_entropy_wrt_a",
                         "Your cross-entropy gradient is dL/da = -y/a + (1 - y)/(1 - a), the "
                         "derivative with respect to the probability a. The question asks for "
                         "dL/dz: multiply by da/dz = a(1 - a) and it simplifies to a - y.")
def _(z, y):
    a = _sigmoid(z)
    return (2 * (a - y) * a * (1 - a), -y / a + (1 - y) / (1 - a))


@gradients_wrt_z.mistake("cross_entropy_extra_slope",
                         "Your cross-entropy gradient multiplies a - y by a(1 - a) once too "
                         "often. The sigmoid's slope a(1 - a) cancels against the 1/(a(1 - a)) "
                         "that comes from the logarithms, which leaves dL/dz = a - y: that is "
                         "exactly why cross-entropy does not saturate.")
def _(z, y):
    a = _sigmoid(z)
    return (2 * (a - y) * a * (1 - a), (a - y) * a * (1 - a))


@gradients_wrt_z.mistake("sign_flipped",
                         "Both of your gradients have the wrong sign: you wrote y - a where "
                         "the derivative gives a - y. Check: if a > y, increasing z increases "
                         "a and the loss, so dL/dz must be positive.")
def _(z, y):
    a = _sigmoid(z)
    return (2 * (y - a) * a * (1 - a), y - a)


@gradients_wrt_z.mistake("swapped_order",
                         "Your two numbers are in the wrong order: return (dL/dz for MSE, "
                         "dL/dz for cross-entropy).")
def _(z, y):
    a = _sigmoid(z)
    return (a - y, 2 * (a - y) * a * (1 - a))


@gradients_wrt_z.mistake("autograd",
                         "You let annlib's Value (autograd) compute the gradients. The "
                         "statement asks for closed formulas: write dL/dz = dL/da * da/dz by "
                         "hand for each loss, in plain floats, and simplify. (Autograd is a "
                         "fine way to CHECK your formulas, in a cell of your own.)")
def _(z, y):
    z_mse, z_bce = Value(z), Value(z)
    ((z_mse.sigmoid() - y) ** 2).backward()
    _library_losses.binary_cross_entropy_with_logits([z_bce], [y]).backward()
    return (z_mse.grad, z_bce.grad)


# =========================================================================================
# Chapter 06 - backpropagation
# =========================================================================================

# The graph of 06.1, with a = 3, b = -2, c = 4:
#   d = a * b = -6,   e = d + c = -2,   f = e ** 2 = 4,   L = f * a = 12
_GRAPH_KEYS = ("f", "e", "d", "c", "b", "a")


def _hand_grads_prepare(answer):
    grads = _dict_of_numbers(answer, _GRAPH_KEYS,
                             "{'f': dL/df, 'e': dL/de, 'd': ..., 'c': ..., 'b': ..., 'a': ...}")
    return lambda: grads


def _key_is(key, value):
    def detect(outcomes, expected):
        got = outcomes[0]
        return got.ok and isinstance(got.value, dict) and math.isclose(
            got.value.get(key, math.nan), value, rel_tol=1e-9, abs_tol=1e-9)
    return detect


_ONE_PATH = ("The variable a reaches L along two paths: directly (L = f * a) and through "
             "d = a * b. The chain rule ADDS the contributions of all paths: "
             "dL/da = (direct part: f) + (part through d: b * dL/dd). You kept only one of them.")


@exercise("06.1", "Backpropagate through a small graph by hand", points=2, answer="value",
          prepare=_hand_grads_prepare,
          solution={"f": 3.0, "e": -12.0, "d": -12.0, "c": -12.0, "b": -36.0, "a": 28.0},
          compare=_close_dict(),
          mistakes=[
              Mistake("a_direct_path_only",
                      {"f": 3.0, "e": -12.0, "d": -12.0, "c": -12.0, "b": -36.0, "a": 4.0},
                      _ONE_PATH, detect=_key_is("a", 4.0)),
              Mistake("a_through_d_only",
                      {"f": 3.0, "e": -12.0, "d": -12.0, "c": -12.0, "b": -36.0, "a": 24.0},
                      _ONE_PATH, detect=_key_is("a", 24.0)),
              Mistake("swapped_mul",
                      {"f": 3.0, "e": -12.0, "d": -12.0, "c": -12.0, "b": 24.0, "a": -32.0},
                      "At d = a * b you swapped the local derivatives: dd/da = b and "
                      "dd/db = a (each input's derivative is the OTHER factor). So "
                      "dL/db = a * dL/dd.", detect=_key_is("b", 24.0)),
              Mistake("pow_rule_n_x_to_n",
                      {"f": 3.0, "e": 24.0, "d": 24.0, "c": 24.0, "b": 72.0, "a": -44.0},
                      "At f = e ** 2 you used 2 * e ** 2 as the local derivative. The power "
                      "rule lowers the exponent: d(e^n)/de = n * e^(n-1), so df/de = 2e = -4.",
                      detect=_key_is("e", 24.0)),
              Mistake("local_derivatives_only",
                      {"f": 3.0, "e": -4.0, "d": 1.0, "c": 1.0, "b": 3.0, "a": 2.0},
                      "You wrote the LOCAL derivatives (df/de = 2e = -4, de/dd = 1, ...) "
                      "instead of dL/d(node). Each node's gradient is its local derivative "
                      "TIMES the gradient of the node it feeds: dL/de = df/de * dL/df.",
                      detect=_key_is("e", -4.0)),
          ],
          hints=["Go backwards from L. dL/dL = 1; L = f * a, so dL/df = a.",
                 "Each step: dL/d(input) = local derivative * dL/d(output). "
                 "For e -> f = e**2 the local derivative is 2e.",
                 "a is used twice (in d = a * b and in L = f * a): add both contributions."])
def hand_gradients():
    """dL/d(node) for the graph d = a*b, e = d + c, f = e**2, L = f*a at a=3, b=-2, c=4."""
    a, b, c = 3.0, -2.0, 4.0
    d = a * b
    e = d + c
    f = e ** 2
    dL_df = a                      # L = f * a
    dL_de = 2 * e * dL_df          # f = e ** 2
    dL_dd = dL_de                  # e = d + c
    dL_dc = dL_de
    dL_db = a * dL_dd              # d = a * b
    dL_da = f + b * dL_dd          # two paths: L = f * a and d = a * b
    return {"f": dL_df, "e": dL_de, "d": dL_dd, "c": dL_dc, "b": dL_db, "a": dL_da}


# --- 06.2 one sigmoid neuron -----------------------------------------------------------------

def _neuron_random(rng):
    cases = []
    for _ in range(16):
        n = rng.randint(1, 4)
        cases.append(([round(rng.uniform(-2, 2), 3) for _ in range(n)],
                      [round(rng.uniform(-2, 2), 3) for _ in range(n)],
                      round(rng.uniform(-1, 1), 3),
                      rng.choice([0.0, 1.0, round(rng.uniform(0, 1), 3)])))
    return cases


def _neuron_forward(w, x, b):
    z = sum(wi * xi for wi, xi in zip(w, x)) + b
    return z, _sigmoid(z)


@exercise("06.2", "The chain rule for one sigmoid neuron", points=3,
          forbidden={"annlib.engine.Value": _NO_AUTOGRAD},
          cases=[([0.5], [2.0], -1.0, 0.8),
                 ([0.3, -0.2], [1.0, 2.0], 0.1, 1.0),
                 ([2.0, 1.0], [1.5, -0.5], 0.5, 0.0),
                 ([1.0, -1.0, 0.5], [0.0, 3.0, -2.0], 0.0, 1.0)],
          random_cases=_neuron_random,
          hints=["Three factors: dL/dw_i = dL/da * da/dz * dz/dw_i, with z = sum_i w_i x_i + b, "
                 "a = sigma(z), L = (a - y)^2.",
                 "dL/da = 2(a - y); da/dz = sigma'(z) = a(1 - a) (a = sigma(z), evaluated at z); "
                 "dz/dw_i = x_i; dz/db = 1.",
                 "Compute dL/dz = 2(a - y) a (1 - a) once; then dL/dw_i = dL/dz * x_i and "
                 "dL/db = dL/dz."])
def neuron_gradients(w, x, b, y):
    """(list of dL/dw_i, dL/db) for a = sigma(sum w_i x_i + b) and L = (a - y)^2."""
    z, a = _neuron_forward(w, x, b)
    dL_dz = 2 * (a - y) * a * (1 - a)
    return ([dL_dz * xi for xi in x], dL_dz)


@neuron_gradients.mistake("sigma_prime_of_a",
                          "You applied the sigmoid's derivative to a instead of z: "
                          "sigma(a)(1 - sigma(a)). The sigmoid acts on z, so its slope is "
                          "sigma'(z) = sigma(z)(1 - sigma(z)) = a(1 - a); a is already sigma(z).")
def _(w, x, b, y):
    z, a = _neuron_forward(w, x, b)
    s = _sigmoid(a)
    dL_dz = 2 * (a - y) * s * (1 - s)
    return ([dL_dz * xi for xi in x], dL_dz)


@neuron_gradients.mistake("z_times_one_minus_z",
                          "You used z(1 - z) as the sigmoid's slope. The formula is "
                          "sigma'(z) = a(1 - a) with a = sigma(z): plug in the activation, not z.")
def _(w, x, b, y):
    z, a = _neuron_forward(w, x, b)
    dL_dz = 2 * (a - y) * z * (1 - z)
    return ([dL_dz * xi for xi in x], dL_dz)


@neuron_gradients.mistake("forgot_dz_dw",
                          "Every weight got the same gradient dL/dz: you forgot the last "
                          "factor dz/dw_i = x_i. A weight's gradient is scaled by the input "
                          "it multiplies (a weight on an input of 0 gets no gradient).")
def _(w, x, b, y):
    z, a = _neuron_forward(w, x, b)
    dL_dz = 2 * (a - y) * a * (1 - a)
    return ([dL_dz for _ in x], dL_dz)


@neuron_gradients.mistake("dz_dw_is_w",
                          "You multiplied by w_i where the chain rule needs dz/dw_i = x_i. "
                          "(w_i is dz/dx_i, the derivative with respect to the INPUT.)")
def _(w, x, b, y):
    z, a = _neuron_forward(w, x, b)
    dL_dz = 2 * (a - y) * a * (1 - a)
    return ([dL_dz * wi for wi in w], dL_dz)


@neuron_gradients.mistake("forgot_sigmoid_slope",
                          "You skipped the middle factor da/dz = a(1 - a): dL/dw_i = "
                          "2(a - y) * a(1 - a) * x_i. The activation sits between z and L, so "
                          "its slope is part of the chain.")
def _(w, x, b, y):
    z, a = _neuron_forward(w, x, b)
    dL_dz = 2 * (a - y)
    return ([dL_dz * xi for xi in x], dL_dz)


@neuron_gradients.mistake("forgot_factor_2",
                          "Your gradients are half the right size: d/da (a - y)^2 = 2(a - y).")
def _(w, x, b, y):
    z, a = _neuron_forward(w, x, b)
    dL_dz = (a - y) * a * (1 - a)
    return ([dL_dz * xi for xi in x], dL_dz)


@neuron_gradients.mistake("sign_flipped",
                          "Your gradients have the wrong sign: dL/da = 2(a - y), not 2(y - a). "
                          "If the prediction a is above y, raising a raises the loss, so the "
                          "gradient must be positive.")
def _(w, x, b, y):
    z, a = _neuron_forward(w, x, b)
    dL_dz = 2 * (y - a) * a * (1 - a)
    return ([dL_dz * xi for xi in x], dL_dz)


@neuron_gradients.mistake("autograd",
                          "You let annlib's Value (autograd) compute the gradients. The "
                          "statement asks for the chain rule written out with plain floats: "
                          "dL/dw_i = dL/da * da/dz * dz/dw_i = 2(a - y) * a(1 - a) * x_i. "
                          "(Autograd is a fine way to CHECK your answer, in a cell of your own.)")
def _(w, x, b, y):
    w_values, b_value = [Value(wi) for wi in w], Value(b)
    z = sum((wi * xi for wi, xi in zip(w_values, x)), b_value)
    ((z.sigmoid() - y) ** 2).backward()
    return ([wi.grad for wi in w_values], b_value.grad)


# --- 06.3 two layers: tanh hidden unit, linear output ---------------------------------------

def _two_layer_random(rng):
    return [tuple(round(rng.uniform(-2, 2), 3) for _ in range(6)) for _ in range(16)]


def _two_layer_forward(x, w1, b1, w2, b2):
    z1 = w1 * x + b1
    a1 = math.tanh(z1)
    z2 = w2 * a1 + b2
    return z1, a1, z2


@exercise("06.3", "Backpropagate through two layers", points=3,
          cases=[(1.0, 0.5, 0.0, -1.0, 0.2, 1.0),
                 (2.0, -0.3, 0.1, 1.5, 0.0, 0.0),
                 (0.5, 1.2, -0.4, 0.8, 0.3, -1.0),
                 (-1.0, 2.0, 1.0, -0.5, 0.5, 2.0)],
          random_cases=_two_layer_random,
          hints=["Forward: z1 = w1 x + b1, a1 = tanh(z1), y_pred = z2 = w2 a1 + b2, "
                 "L = (z2 - y)^2. Go backwards: dL/dz2 = 2(z2 - y).",
                 "Output layer: dL/dw2 = dL/dz2 * a1, dL/db2 = dL/dz2. To reach the hidden "
                 "layer, pass the gradient through w2: dL/da1 = dL/dz2 * w2.",
                 "tanh'(z1) = 1 - tanh(z1)^2 = 1 - a1^2 (the OUTPUT of tanh, squared). "
                 "Then dL/dz1 = dL/da1 * (1 - a1^2), dL/dw1 = dL/dz1 * x, dL/db1 = dL/dz1."])
def two_layer_gradients(x, w1, b1, w2, b2, y):
    """(dL/dw1, dL/db1, dL/dw2, dL/db2) for y_pred = w2 tanh(w1 x + b1) + b2, L = (y_pred - y)^2."""
    z1, a1, z2 = _two_layer_forward(x, w1, b1, w2, b2)
    dL_dz2 = 2 * (z2 - y)
    dL_da1 = dL_dz2 * w2
    dL_dz1 = dL_da1 * (1 - a1 ** 2)
    return (dL_dz1 * x, dL_dz1, dL_dz2 * a1, dL_dz2)


@two_layer_gradients.mistake("tanh_slope_at_input",
                             "You used 1 - z1^2 as the slope of tanh. The derivative is "
                             "tanh'(z1) = 1 - tanh(z1)^2 = 1 - a1^2: square the OUTPUT a1 of "
                             "tanh, not its input z1.")
def _(x, w1, b1, w2, b2, y):
    z1, a1, z2 = _two_layer_forward(x, w1, b1, w2, b2)
    dL_dz2 = 2 * (z2 - y)
    dL_dz1 = dL_dz2 * w2 * (1 - z1 ** 2)
    return (dL_dz1 * x, dL_dz1, dL_dz2 * a1, dL_dz2)


@two_layer_gradients.mistake("forgot_w2",
                             "Your hidden-layer gradients skip the weight w2. The hidden unit "
                             "reaches the loss through z2 = w2 a1 + b2, so dL/da1 = dL/dz2 * w2.")
def _(x, w1, b1, w2, b2, y):
    z1, a1, z2 = _two_layer_forward(x, w1, b1, w2, b2)
    dL_dz2 = 2 * (z2 - y)
    dL_dz1 = dL_dz2 * (1 - a1 ** 2)
    return (dL_dz1 * x, dL_dz1, dL_dz2 * a1, dL_dz2)


@two_layer_gradients.mistake("input_instead_of_a1",
                             "Your dL/dw2 uses the network's input x. The weight w2 multiplies "
                             "the hidden activation a1 (z2 = w2 a1 + b2), so dL/dw2 = dL/dz2 * a1.")
def _(x, w1, b1, w2, b2, y):
    z1, a1, z2 = _two_layer_forward(x, w1, b1, w2, b2)
    dL_dz2 = 2 * (z2 - y)
    dL_dz1 = dL_dz2 * w2 * (1 - a1 ** 2)
    return (dL_dz1 * x, dL_dz1, dL_dz2 * x, dL_dz2)


@two_layer_gradients.mistake("forgot_tanh_slope",
                             "Your hidden-layer gradients skip tanh's slope: between a1 and z1 "
                             "the chain rule multiplies by tanh'(z1) = 1 - a1^2.")
def _(x, w1, b1, w2, b2, y):
    z1, a1, z2 = _two_layer_forward(x, w1, b1, w2, b2)
    dL_dz2 = 2 * (z2 - y)
    dL_dz1 = dL_dz2 * w2
    return (dL_dz1 * x, dL_dz1, dL_dz2 * a1, dL_dz2)


@two_layer_gradients.mistake("sign_flipped",
                             "All your gradients have the wrong sign: dL/dz2 = 2(z2 - y) "
                             "(prediction minus target), not 2(y - z2).")
def _(x, w1, b1, w2, b2, y):
    z1, a1, z2 = _two_layer_forward(x, w1, b1, w2, b2)
    dL_dz2 = 2 * (y - z2)
    dL_dz1 = dL_dz2 * w2 * (1 - a1 ** 2)
    return (dL_dz1 * x, dL_dz1, dL_dz2 * a1, dL_dz2)


@two_layer_gradients.mistake("forgot_factor_2",
                             "Your gradients are half the right size: "
                             "d/dz2 (z2 - y)^2 = 2(z2 - y).")
def _(x, w1, b1, w2, b2, y):
    z1, a1, z2 = _two_layer_forward(x, w1, b1, w2, b2)
    dL_dz2 = z2 - y
    dL_dz1 = dL_dz2 * w2 * (1 - a1 ** 2)
    return (dL_dz1 * x, dL_dz1, dL_dz2 * a1, dL_dz2)


# =========================================================================================
# Chapter 07 - automatic differentiation from scratch
# =========================================================================================

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


def _f(x):
    """A number as feedback shows it: 2.0, -0.25, 1e-05."""
    text = f"{x:.6g}"
    return text if any(c in text for c in ".e") or not math.isfinite(x) else text + ".0"


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


def _any_outcome_contains(text):
    def detect(outcomes, expected):
        return any(o.ok and isinstance(o.value, str) and text in o.value for o in outcomes)
    return detect


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


def _fmt_list(values):
    return "[" + ", ".join(_f(v) for v in values) + "]"


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


# =========================================================================================
# Chapter 08 - gradient descent
# =========================================================================================

_GRADIENTS = {
    "(w1 - 3)**2": lambda w: [2 * (w[0] - 3)],
    "w1**2 + 10*w2**2": lambda w: [2 * w[0], 20 * w[1]],
    "(w1 - 1)**2 + (w1 + w2)**2": lambda w: [2 * (w[0] - 1) + 2 * (w[0] + w[1]),
                                             2 * (w[0] + w[1])],
    "(w1*w2 - 1)**2": lambda w: [2 * (w[0] * w[1] - 1) * w[1], 2 * (w[0] * w[1] - 1) * w[0]],
}


def _shared_mutable_point(path):
    """The first point object that appears twice in the path (a list or array), or None."""
    seen = set()
    for p in path:
        if not (isinstance(p, list) or hasattr(p, "__array__")):
            continue  # numbers and tuples cannot change after they are appended
        if id(p) in seen:
            return p
        seen.add(id(p))
    return None


def _descent_prepare(answer):
    if not callable(answer):
        raise BadAnswer(f"Expected your function gradient_descent itself (no parentheses), "
                        f"got {type(answer).__name__}.")

    def run(loss, w0, lr, n_steps):
        path = answer(_GRADIENTS[loss], list(w0), lr, n_steps)
        try:
            path = list(path)
        except TypeError:
            raise BadAnswer(f"gradient_descent should return a list of points, got "
                            f"{type(path).__name__}: {path!r:.60}.") from None
        shared = _shared_mutable_point(path)
        if shared is not None:
            return f"the path holds the same point object {sum(p is shared for p in path)} times"
        try:
            return [[float(v) for v in p] for p in path]
        except TypeError:
            raise BadAnswer("Each point of the path should be a list of numbers (one per "
                            "parameter), such as [0.5] or [1.0, -2.0].") from None
    return run


def _describe_descent(args):
    loss, w0, lr, n_steps = args
    return (f"gradient_descent(grad, w0={_fmt_list(w0)}, lr={lr!r}, n_steps={n_steps}) with "
            f"grad the gradient of L(w) = {loss}")


@exercise("08.1", "Write the gradient descent update", points=2,
          prepare=_descent_prepare, describe=_describe_descent,
          cases=[("(w1 - 3)**2", [0.0], 0.1, 3),
                 ("w1**2 + 10*w2**2", [1.0, 1.0], 0.05, 4),
                 ("(w1 - 1)**2 + (w1 + w2)**2", [2.0, -1.0], 0.2, 5),
                 ("(w1 - 3)**2", [5.0], 0.3, 0),
                 ("(w1*w2 - 1)**2", [0.5, 1.5], 0.1, 6)],
          random_cases=lambda rng: [
              (name, [round(rng.uniform(-2, 2), 3)
                      for _ in range(1 if name == "(w1 - 3)**2" else 2)],
               rng.choice([0.01, 0.05, 0.1]), rng.randint(1, 8))
              for name in sorted(_GRADIENTS) for _ in range(2)],
          hints=["One step: w_new = w_old - lr * dL/dw, for every parameter; grad(w) gives "
                 "the list of dL/dw_i at w.",
                 "The path starts with w0 itself, then holds one point per step: "
                 "n_steps + 1 points.",
                 "Build each new point as a NEW list ([wi - lr * gi for ...]); changing one "
                 "list in place and appending it again makes every point the same object."])
def gradient_descent(grad, w0, lr, n_steps):
    """[w0, w1, ..., w_n_steps] with w_new = w_old - lr * grad(w_old)."""
    w = list(w0)
    path = [list(w)]
    for _ in range(n_steps):
        g = grad(w)
        w = [wi - lr * gi for wi, gi in zip(w, g)]
        path.append(w)
    return path


@gradient_descent.mistake("ascent",
                          "Your steps go UP the loss: you added lr * gradient. The gradient "
                          "points in the direction of steepest increase, so descent subtracts "
                          "it: w_new = w_old - lr * dL/dw.")
def _(grad, w0, lr, n_steps):
    w, path = list(w0), [list(w0)]
    for _ in range(n_steps):
        w = [wi + lr * gi for wi, gi in zip(w, grad(w))]
        path.append(w)
    return path


@gradient_descent.mistake("start_missing",
                          "Your path is one point short: it must start with w0 itself, then "
                          "one point per step (n_steps + 1 points in all).")
def _(grad, w0, lr, n_steps):
    w, path = list(w0), []
    for _ in range(n_steps):
        w = [wi - lr * gi for wi, gi in zip(w, grad(w))]
        path.append(w)
    return path


@gradient_descent.mistake("forgot_learning_rate",
                          "Your steps ignore the learning rate: w_new = w_old - lr * dL/dw. The "
                          "gradient gives the direction and steepness; lr scales how far to go.")
def _(grad, w0, lr, n_steps):
    w, path = list(w0), [list(w0)]
    for _ in range(n_steps):
        w = [wi - gi for wi, gi in zip(w, grad(w))]
        path.append(w)
    return path


@gradient_descent.mistake("gradient_only_at_start",
                          "You computed the gradient once, at w0, and reused it for every "
                          "step. The gradient changes as w moves: evaluate grad(w) at the "
                          "CURRENT point in each step.")
def _(grad, w0, lr, n_steps):
    w, path, g = list(w0), [list(w0)], grad(list(w0))
    for _ in range(n_steps):
        w = [wi - lr * gi for wi, gi in zip(w, g)]
        path.append(w)
    return path


@gradient_descent.mistake("same_list_every_step",
                          "Your path holds the same list object several times: you change w "
                          "in place (w[i] -= ...) and append that one list after every step, "
                          "so all those points show the final w. Append a copy (list(w)) or "
                          "build a new list each step.",
                          detect=_any_outcome_contains("same point object"))
def _(grad, w0, lr, n_steps):
    w = list(w0)
    path = [w]
    for _ in range(n_steps):
        g = grad(w)
        for i in range(len(w)):
            w[i] -= lr * g[i]
        path.append(w)
    return path


# --- 08.2 choose a learning rate ---------------------------------------------------------

_LR_START, _LR_STEPS, _LR_TARGET = (-2.0, 1.0), 50, 1e-4


def _surface_loss(w1, w2):
    """L(w1, w2) = (w1 - 1)^2 + 10 (w2 + 2)^2: minimum 0 at (1, -2); curvatures 2 and 20."""
    return (w1 - 1) * (w1 - 1) + 10 * (w2 + 2) * (w2 + 2)  # `**` would raise on overflow


def _descent_on_surface(lr, steps=_LR_STEPS):
    """The losses of `steps` steps of gradient descent from _LR_START (inf once it blows up)."""
    w1, w2 = _LR_START
    losses = [_surface_loss(w1, w2)]
    for _ in range(steps):
        w1, w2 = w1 - lr * 2 * (w1 - 1), w2 - lr * 20 * (w2 + 2)
        loss = _surface_loss(w1, w2)
        if not math.isfinite(loss) or loss > 1e12:
            losses.append(math.inf)
            break
        losses.append(loss)
    return losses


def _lr_number(answer):
    if hasattr(answer, "item") and callable(answer.item):
        answer = answer.item()
    return float(answer) if _is_number(answer) else None


def _lr_converges(expected, got):
    lr = _lr_number(got)
    return lr is not None and lr > 0 and _descent_on_surface(lr)[-1] < _LR_TARGET


def _lr_detect(kind):
    def detect(outcomes, expected):
        lr = _lr_number(outcomes[0].value) if outcomes[0].ok else None
        if kind == "not_a_number":
            return lr is None
        if lr is None:
            return False
        if kind == "negative":
            return lr < 0
        if kind == "zero":
            return lr == 0
        if kind == "too_large":
            return lr > 0.1
        if kind == "edge":
            return 0.09 <= lr <= 0.1
        if kind == "too_small":
            return 0 < lr < 0.09
        return False
    return detect


@exercise("08.2", "Choose a learning rate that converges within 50 steps", points=2,
          answer="value", compare=_lr_converges,
          mistakes=[
              Mistake("too_small", 0.01,
                      "Too small: every step goes the right way but covers too little "
                      "ground; after 50 steps the loss is still above 1e-4. The flat "
                      "direction w1 (curvature 2) shrinks its error by a factor (1 - 2 lr) "
                      "per step: make lr larger.", detect=_lr_detect("too_small")),
              Mistake("too_large", 0.15,
                      "Too large: the loss blows up. Along the steep direction w2 "
                      "(curvature 20) each step multiplies the error by (1 - 20 lr); for lr "
                      "above 2/20 = 0.1 that factor is below -1, so w2 overshoots the "
                      "minimum by more each time.", detect=_lr_detect("too_large")),
              Mistake("at_the_edge", 0.1,
                      "At (or just below) the edge of stability: along the steep direction "
                      "w2 each step multiplies the error by (1 - 20 lr), which is close to -1, "
                      "so w2 bounces from side to side and hardly settles in 50 steps. Stay "
                      "clearly below 2/20 = 0.1.", detect=_lr_detect("edge")),
              Mistake("negative", -0.05,
                      "A negative learning rate turns descent into ascent: "
                      "w - lr * gradient then moves UP the loss. Use a positive lr.",
                      detect=_lr_detect("negative")),
              Mistake("zero", 0.0,
                      "With lr = 0 nothing moves: w_new = w_old - 0 * gradient.",
                      detect=_lr_detect("zero")),
              Mistake("not_a_number", "0.07",
                      "Give the learning rate as a number, such as lr = 0.03 (not a string "
                      "or a list).", detect=_lr_detect("not_a_number")),
          ],
          hints=["Try a few values with the cell above and watch the final loss. Too small: "
                 "the loss falls but slowly. Too large: it grows.",
                 "Each direction has its own curvature: 2 for w1, 20 for w2. One step "
                 "multiplies the error in a direction of curvature c by (1 - lr c).",
                 "Stable needs |1 - 20 lr| < 1, so lr < 0.1; fast enough needs (1 - 2 lr)^50 "
                 "small. Something between 0.06 and 0.09 does both."])
def learning_rate():
    """A learning rate that reaches L < 1e-4 within 50 steps (any in about [0.054, 0.093])."""
    return 0.08


# --- 08.3 one epoch of mini-batch gradient descent ---------------------------------------

def _linear_mse_grads(w, b, X, y):
    """Gradient of the mean squared error of y_pred = w . x + b over the examples given."""
    n = len(y)
    dw, db = [0.0] * len(w), 0.0
    for x, t in zip(X, y):
        error = sum(wi * xi for wi, xi in zip(w, x)) + b - t
        for i, xi in enumerate(x):
            dw[i] += 2 * error * xi / n
        db += 2 * error / n
    return dw, db


def _epoch_random(rng):
    cases = []
    for _ in range(12):
        n, d = rng.randint(5, 9), rng.randint(1, 3)
        X = [[round(rng.uniform(-2, 2), 2) for _ in range(d)] for _ in range(n)]
        y = [round(rng.uniform(-3, 3), 2) for _ in range(n)]
        w = [round(rng.uniform(-1, 1), 2) for _ in range(d)]
        cases.append((w, round(rng.uniform(-1, 1), 2), X, y, rng.choice([0.01, 0.05, 0.1]),
                       rng.choice([1, 2, 3, 4])))
    return cases


_X5 = [[1.0], [2.0], [3.0], [4.0], [5.0]]
_Y5 = [3.0, 5.0, 7.0, 9.0, 11.0]


@exercise("08.3", "One epoch of mini-batch gradient descent", points=3,
          cases=[([0.0], 0.0, _X5, _Y5, 0.01, 2),
                 ([0.0], 0.0, _X5, _Y5, 0.01, 1),
                 ([0.0], 0.0, _X5, _Y5, 0.01, 5),
                 ([0.5], 1.0, _X5, _Y5, 0.02, 3),
                 ([0.0], 0.0, _X5, _Y5, 0.01, 10),
                 ([1.0, -1.0], 0.5, [[1.0, 2.0], [0.0, 1.0], [-1.0, 0.5]], [1.0, 0.0, 2.0],
                  0.1, 2)],
          random_cases=_epoch_random,
          hints=["Batches in order: X[0:k], X[k:2k], ...; the last one may be smaller. "
                 "One update per batch.",
                 "For one batch of m examples: error_i = w . x_i + b - y_i; "
                 "dL/dw_j = (2/m) sum_i error_i x_ij and dL/db = (2/m) sum_i error_i.",
                 "Compute each batch's gradient with the CURRENT w and b (after the previous "
                 "batch's update), then w_j -= lr * dL/dw_j and b -= lr * dL/db."])
def minibatch_epoch(w, b, X, y, lr, batch_size):
    """One epoch of mini-batch descent on y_pred = w . x + b with MSE; returns (w, b)."""
    w = list(w)
    for start in range(0, len(y), batch_size):
        dw, db = _linear_mse_grads(w, b, X[start:start + batch_size], y[start:start + batch_size])
        w = [wi - lr * gi for wi, gi in zip(w, dw)]
        b = b - lr * db
    return (w, b)


def _epoch_variant(w, b, X, y, lr, batch_size, scale=1.0, drop_last=False, sign=1.0,
                   stale=False, divide_by_all=False):
    w = list(w)
    w0, b0 = list(w), b
    stop = len(y) - len(y) % batch_size if drop_last else len(y)
    for start in range(0, stop, batch_size):
        Xb, yb = X[start:start + batch_size], y[start:start + batch_size]
        dw, db = _linear_mse_grads(w0 if stale else w, b0 if stale else b, Xb, yb)
        factor = scale * (len(yb) / len(y) if divide_by_all else 1.0)
        w = [wi - sign * lr * factor * gi for wi, gi in zip(w, dw)]
        b = b - sign * lr * factor * db
    return (w, b)


@minibatch_epoch.mistake("sum_not_mean",
                         "Your steps are too large by the batch size: you summed the "
                         "gradients of a batch's examples instead of averaging them. "
                         "The loss of a batch is the MEAN of its squared errors, so "
                         "its gradient carries a 1/m.")
def _(w, b, X, y, lr, batch_size):
    w = list(w)
    for start in range(0, len(y), batch_size):
        Xb, yb = X[start:start + batch_size], y[start:start + batch_size]
        dw, db = _linear_mse_grads(w, b, Xb, yb)
        w = [wi - lr * len(yb) * gi for wi, gi in zip(w, dw)]
        b = b - lr * len(yb) * db
    return (w, b)


@minibatch_epoch.mistake("dropped_last_batch",
                         "You skipped the last, smaller batch. When the number of "
                         "examples is not a multiple of batch_size the final batch "
                         "has fewer examples, but it is still part of the epoch.")
def _(w, b, X, y, lr, batch_size):
    return _epoch_variant(w, b, X, y, lr, batch_size, drop_last=True)


@minibatch_epoch.mistake("one_batch_always",
                         "You made one update on all examples whatever batch_size "
                         "is: that is batch gradient descent. Mini-batch descent "
                         "makes one update per batch of batch_size examples, "
                         "len(X) / batch_size updates per epoch.")
def _(w, b, X, y, lr, batch_size):
    return _epoch_variant(w, b, X, y, lr, len(y))


@minibatch_epoch.mistake("divided_by_all_examples",
                         "You divided each batch's gradient by the number of "
                         "examples in the whole data set. Each batch's loss is the "
                         "mean over ITS m examples: divide by the batch's length.")
def _(w, b, X, y, lr, batch_size):
    return _epoch_variant(w, b, X, y, lr, batch_size, divide_by_all=True)


@minibatch_epoch.mistake("stale_gradients",
                         "You computed every batch's gradient at the epoch's "
                         "starting w and b. Each batch must see the parameters "
                         "after the previous batch's update; that is what makes "
                         "mini-batches take many small steps per epoch.")
def _(w, b, X, y, lr, batch_size):
    return _epoch_variant(w, b, X, y, lr, batch_size, stale=True)


@minibatch_epoch.mistake("ascent",
                         "Your updates go UP the loss: w_new = w_old - lr * dL/dw "
                         "subtracts the gradient.")
def _(w, b, X, y, lr, batch_size):
    return _epoch_variant(w, b, X, y, lr, batch_size, sign=-1.0)


@minibatch_epoch.mistake("forgot_factor_2",
                         "Your steps are half the right size: d/dw (w x + b - y)^2 "
                         "= 2 (w x + b - y) x.")
def _(w, b, X, y, lr, batch_size):
    return _epoch_variant(w, b, X, y, lr, batch_size, scale=0.5)


# =========================================================================================
# Chapter 09 - the learning cycle
# =========================================================================================

# (data seed, lr, epochs): every argument of train varies, so none can be hard-coded
_LOOP_CASES = [(1, 0.5, 12), (2, 0.2, 8), (3, 1.0, 6)]


def _loop_data(data_seed):
    from ..data import make_moons
    X, y = make_moons(n_samples=40, noise=0.1, random_state=data_seed)
    model = _WatchedMLP(2, [6, 1], activation="tanh", random_state=data_seed)
    return model, [[float(v) for v in x] for x in X], [int(t) for t in y]


class _WatchedMLP(MLP):
    """An MLP that keeps its outputs, to see afterwards whether backward() reached them."""

    def __call__(self, x):
        output = super().__call__(x)
        self.__dict__.setdefault("outputs", []).append(output)
        return output


class _GraphCut(Exception):
    """No gradient ever reached the model's outputs: the loss was built from plain numbers."""


def _loop_prepare(answer):
    if not callable(answer):
        raise BadAnswer(f"Expected your function train itself (no parentheses), "
                        f"got {type(answer).__name__}.")

    def run(data_seed, lr, epochs):
        model, X, y = _loop_data(data_seed)
        losses = answer(model, X, y, lr, epochs)
        outputs = model.__dict__.get("outputs", [])
        if outputs and not any(getattr(out, "grad", 0.0) for out in outputs):
            raise _GraphCut("backward() never reached the model's outputs")
        try:
            return [float(getattr(v, "data", v)) for v in losses]
        except TypeError:
            raise BadAnswer(f"train should return the list of the losses of every epoch "
                            f"(numbers), got {type(losses).__name__}: {losses!r:.60}.") from None
    return run


def _graph_cut(outcomes, expected):
    return any(not got.ok and got.error[0] == "_GraphCut" for got in outcomes)


def _train_on_plain_numbers(model, X, y, lr, epochs):
    """Takes .data of each output: the loss is then built from floats, cut off from the model."""
    from ..losses import binary_cross_entropy_with_logits
    from ..optim import SGD
    optimizer = SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        outputs = [model(x).data for x in X]
        loss = binary_cross_entropy_with_logits(outputs, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.data)
    return losses


def _training_loop(model, X, y, lr, epochs, zero_grad=True, descend=True, loss="bce",
                   zero_grad_before_step=False):
    """The loop of 09.1 with each planted bug switchable (the correct loop by default)."""
    from ..losses import binary_cross_entropy, binary_cross_entropy_with_logits, mse
    from ..optim import SGD
    optimizer = SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        outputs = [model(x) for x in X]
        if loss == "bce":
            batch_loss = binary_cross_entropy_with_logits(outputs, y)
        elif loss == "bce_on_logits":
            batch_loss = binary_cross_entropy(outputs, y)
        else:
            batch_loss = mse(outputs, y)
        if zero_grad:
            optimizer.zero_grad()
        batch_loss.backward()
        if zero_grad_before_step:
            optimizer.zero_grad()
        for p in model.parameters():
            p.data += (-lr if descend else lr) * p.grad
        losses.append(batch_loss.data)
    return losses


_BUGS = {
    "zero_grad": "gradients are never reset: backward() ADDS to .grad, so without "
                 "optimizer.zero_grad() (or model.zero_grad()) before each backward() every "
                 "step uses the sum of all gradients so far",
    "descend": "the update goes UP the loss: it must be p.data -= lr * p.grad",
    "loss": "the loss is mse on class labels: the output is a logit (any real number) and y "
            "is 0 or 1, so use binary_cross_entropy_with_logits(outputs, y)",
}


def _bugs_feedback(bugs):
    if len(bugs) == 1:
        return f"One planted bug is still there: {_BUGS[bugs[0]]}."
    words = {2: "Two", 3: "All three"}[len(bugs)]
    return f"{words} planted bugs are still there: " + "; ".join(_BUGS[b] for b in bugs) + "."


def _bug_variant(bugs):
    def wrong_train(model, X, y, lr, epochs):
        return _training_loop(model, X, y, lr, epochs, zero_grad="zero_grad" not in bugs,
                              descend="descend" not in bugs,
                              loss="mse" if "loss" in bugs else "bce")
    return wrong_train


_BUG_COMBINATIONS = [("zero_grad", "descend", "loss"), ("zero_grad", "descend"),
                     ("zero_grad", "loss"), ("descend", "loss"),
                     ("zero_grad",), ("descend",), ("loss",)]


@exercise("09.1", "Fix a training loop with planted bugs", points=3,
          prepare=_loop_prepare, cases=_LOOP_CASES,
          describe=lambda args: (f"train(model, X, y, lr={args[1]}, epochs={args[2]}) on "
                                 f"a fresh two-moons data set (seed {args[0]})"),
          mistakes=[
              Mistake("graph_cut", _train_on_plain_numbers,
                      "Your loss never changes because the computation graph is cut: the "
                      "loss is built from plain numbers (the outputs' .data, or float()), "
                      "so backward() cannot reach the model and every gradient stays 0. "
                      "Build the loss from the Values the model returns: "
                      "outputs = [model(x) for x in X].", detect=_graph_cut)] + [
              Mistake("bugs_" + "_and_".join(bugs), _bug_variant(bugs), _bugs_feedback(bugs))
              for bugs in _BUG_COMBINATIONS] + [
              Mistake("ignores_lr",
                      lambda model, X, y, lr, epochs: _training_loop(model, X, y, 0.5, epochs),
                      "Your train ignores its lr argument (it always steps with 0.5): use the "
                      "learning rate it is given, SGD(model.parameters(), lr=lr)."),
              Mistake("ignores_epochs",
                      lambda model, X, y, lr, epochs: _training_loop(model, X, y, lr, 12),
                      "Your train ignores its epochs argument (it always runs 12 epochs): "
                      "loop for epoch in range(epochs)."),
              Mistake("zero_grad_between_backward_and_step",
                      lambda model, X, y, lr, epochs: _training_loop(
                          model, X, y, lr, epochs, zero_grad_before_step=True),
                      "Your loss never changes: you reset the gradients AFTER backward() and "
                      "before the update, so every step moves the weights by lr * 0. Reset "
                      "them before backward() (or after the update)."),
              Mistake("probability_loss_on_logits",
                      lambda model, X, y, lr, epochs: _training_loop(
                          model, X, y, lr, epochs, loss="bce_on_logits"),
                      "binary_cross_entropy expects probabilities in [0, 1], but the model "
                      "outputs logits (any real number). Use "
                      "binary_cross_entropy_with_logits(outputs, y), or apply .sigmoid() to "
                      "each output first."),
          ],
          hints=["Run train_buggy and watch its losses: they should fall. Three lines are "
                 "wrong: the loss, a missing line before backward(), and the update.",
                 "The model has one output, a logit; the labels are 0 or 1. Which loss "
                 "from chapter 05 fits? And backward() adds to .grad: what must happen "
                 "before each backward()?",
                 "loss = binary_cross_entropy_with_logits(outputs, y); "
                 "optimizer.zero_grad() before loss.backward(); p.data -= lr * p.grad."])
def train(model, X, y, lr, epochs):
    """Batch gradient descent with binary cross-entropy from logits; the loss of every epoch."""
    return _training_loop(model, X, y, lr, epochs)


# --- 09.2 train to a stated accuracy -----------------------------------------------------

_REQUIRED_ACCURACY = 0.95
_PASS_TEXT = f"held-out accuracy of at least {_REQUIRED_ACCURACY:.0%}"


def _is_linear_model(model):
    """True for an annlib MLP without a nonlinear hidden layer (a straight-line boundary)."""
    layers = getattr(model, "layers", None)
    if layers and all(hasattr(layer, "activation") for layer in layers):
        return all(layer.activation == "linear" for layer in layers[:-1])
    return False


def _moons_prepare(answer):
    if not callable(answer):
        raise BadAnswer(f"Expected your function train_moons itself (no parentheses), "
                        f"got {type(answer).__name__}.")

    def run(data_seed):
        from ..data import make_moons
        from ..train import accuracy
        X, y = make_moons(n_samples=100, noise=0.1, random_state=data_seed)
        X_test, y_test = make_moons(n_samples=200, noise=0.1, random_state=data_seed + 1000)
        model = answer(X, y)
        if model is None or not callable(model):
            raise BadAnswer(f"train_moons should return the trained model (for example an "
                            f"MLP), got {type(model).__name__}.")
        score = accuracy(model, X_test, y_test)
        if _is_linear_model(model):
            return f"a linear model with held-out accuracy {score:.1%}"
        if score >= _REQUIRED_ACCURACY:
            return _PASS_TEXT
        return f"held-out accuracy {score:.1%}"
    return run


def _linear_moons(X, y):
    from ..nn import MLP
    from ..train import fit
    model = MLP(2, [1], random_state=0)
    fit(model, X, y, loss="bce_with_logits", lr=0.5, epochs=30, batch_size=10, progress=False)
    return model


def _undertrained_moons(X, y):
    from ..nn import MLP
    from ..train import fit
    model = MLP(2, [16, 1], activation="tanh", random_state=0)
    fit(model, X, y, loss="bce_with_logits", lr=0.01, epochs=3, batch_size=10, progress=False)
    return model


@exercise("09.2", "Train a network on two moons to 95% held-out accuracy", points=3,
          prepare=_moons_prepare, cases=[(11,), (12,)], time_limit=40,
          describe=lambda args: (f"the check of train_moons(X, y) on a fresh two-moons data "
                                 f"set (seed {args[0]}, 100 training and 200 held-out points)"),
          mistakes=[
              Mistake("linear_model", _linear_moons,
                      "Your model is linear (no hidden layer with a nonlinear activation), so "
                      "its decision boundary is a straight line, and no straight line separates "
                      "two interleaving moons: it tops out near 85-88%. Add a hidden layer "
                      "with tanh or relu, e.g. MLP(2, [16, 1], activation='tanh').",
                      detect=_any_outcome_contains("a linear model")),
              Mistake("undertrained", _undertrained_moons,
                      "Your model stays below 95% on new data: it has not learned the moons "
                      "yet. Train for more epochs, raise the learning rate (or add "
                      "momentum), and make sure you return the model you trained.",
                      detect=_any_outcome_contains("held-out accuracy ")),
              Mistake("returns_nothing", lambda X, y: None,
                      expect="should return the trained model"),
          ],
          hints=["A straight line cannot separate the moons: the model needs a hidden layer "
                 "with a nonlinear activation, e.g. MLP(2, [16, 1], activation='tanh').",
                 "Train with binary cross-entropy from logits on mini-batches of about 10, "
                 "for a few dozen epochs; momentum=0.9 in SGD speeds it up a lot.",
                 "The check trains your function twice on fresh data (40 s in all): keep the "
                 "network small and time one run first."])
def train_moons(X, y):
    """An MLP 2-16-1 (tanh) trained with momentum on (X, y); reaches about 99% on moons."""
    from ..data import batches
    from ..losses import binary_cross_entropy_with_logits
    from ..nn import MLP
    from ..optim import SGD
    model = MLP(2, [16, 1], activation="tanh", random_state=0)
    optimizer = SGD(model.parameters(), lr=0.3, momentum=0.9)
    for epoch in range(30):
        for X_batch, y_batch in batches(X, y, batch_size=10, random_state=epoch):
            outputs = [model(list(x)) for x in X_batch]
            loss = binary_cross_entropy_with_logits(outputs, [float(t) for t in y_batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return model


# --- 09.3 read training curves -----------------------------------------------------------

DIAGNOSES = ("good", "learning rate too small", "learning rate too large", "overfitting")
_DIAGNOSIS_TRUTH = {"A": "overfitting", "B": "learning rate too small",
                    "C": "good", "D": "learning rate too large"}
_RUN_SETTINGS = {  # curve: (training examples, validation examples, noise, hidden units,
    #                    learning rate, momentum, epochs)
    "A": (10, 30, 0.4, 12, 0.5, 0.9, 150),
    "B": (30, 20, 0.15, 8, 0.002, 0.0, 60),
    "C": (30, 20, 0.15, 8, 1.0, 0.9, 60),
    "D": (30, 20, 0.15, 8, 25.0, 0.0, 60),
}


@lru_cache(maxsize=None)
def training_curves():
    """Four training runs on two moons: {"A": (train_losses, val_losses), ...} per epoch.

    Used by exercise 09.3; which curve shows what is for the learner to find out.
    """
    from ..data import make_moons
    from ..losses import binary_cross_entropy_with_logits as bce
    from ..nn import MLP
    from ..optim import SGD
    curves = {}
    for name, (n, n_val, noise, hidden, lr, momentum, epochs) in sorted(_RUN_SETTINGS.items()):
        X, y = make_moons(n_samples=n, noise=noise, random_state=3)
        X_val, y_val = make_moons(n_samples=n_val, noise=noise, random_state=103)
        model = MLP(2, [hidden, 1], activation="tanh", random_state=0)
        optimizer = SGD(model.parameters(), lr=lr, momentum=momentum)
        train_losses, val_losses = [], []
        for _ in range(epochs):
            loss = bce([model(list(x)) for x in X], [float(t) for t in y])
            val_losses.append(bce([model(list(x)) for x in X_val], [float(t) for t in y_val]).data)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            train_losses.append(loss.data)
        curves[name] = (tuple(train_losses), tuple(val_losses))
    return curves


def _diagnosis_prepare(answer):
    if not isinstance(answer, dict):
        raise BadAnswer(f"Expected a dict such as {{'A': 'good', ...}}, got "
                        f"{type(answer).__name__}: {answer!r:.60}.")
    if any(v is Ellipsis for v in answer.values()):
        raise NotImplementedError  # the stub: not attempted yet
    keys = sorted(_DIAGNOSIS_TRUTH)
    if set(answer) != set(keys):
        raise BadAnswer(f"Expected one diagnosis for each of the curves {', '.join(keys)}, "
                        f"got the keys {', '.join(map(repr, sorted(answer, key=str)))}.")
    result = {}
    for key, label in answer.items():
        text = " ".join(str(label).lower().split())
        if text not in DIAGNOSES:
            raise BadAnswer(f"Curve {key}: {label!r} is not one of the diagnoses "
                            f"{', '.join(map(repr, DIAGNOSES))}.")
        result[key] = text
    return lambda: result


def _diagnosed(curve, label):
    def detect(outcomes, expected):
        got = outcomes[0]
        return got.ok and isinstance(got.value, dict) and got.value.get(curve) == label
    return detect


def _with(**changes):
    answer = dict(_DIAGNOSIS_TRUTH)
    answer.update(changes)
    return answer


@exercise("09.3", "Diagnose four training runs from their loss curves", points=2,
          answer="value", prepare=_diagnosis_prepare, solution=dict(_DIAGNOSIS_TRUTH),
          compare=lambda expected, got: expected == got,
          mistakes=[
              Mistake("overfitting_called_good", _with(A="good"),
                      "Curve A is not good: its TRAINING loss falls to almost 0, but its "
                      "VALIDATION loss turns around and climbs. The network memorises its "
                      "few training examples instead of learning the pattern: overfitting.",
                      detect=_diagnosed("A", "good")),
              Mistake("large_called_overfitting", _with(D="overfitting"),
                      "Curve D is not overfitting: overfitting means the training loss keeps "
                      "FALLING while the validation loss rises. In D the training loss itself "
                      "jumps up and down and stays high: the steps overshoot, the learning "
                      "rate is too large.", detect=_diagnosed("D", "overfitting")),
              Mistake("small_and_large_swapped",
                      _with(B="learning rate too large", D="learning rate too small"),
                      "You swapped 'too small' and 'too large'. A learning rate that is too "
                      "small gives a smooth curve that hardly moves (B); one that is too "
                      "large gives a loss that jumps around or grows (D).",
                      detect=_diagnosed("B", "learning rate too large")),
              Mistake("small_called_good", _with(B="good"),
                      "Curve B is not good: its loss falls smoothly but by very little in 60 "
                      "epochs, and both curves are still high. Training that slow means the "
                      "learning rate is too small.", detect=_diagnosed("B", "good")),
              Mistake("good_called_overfitting", _with(C="overfitting"),
                      "Curve C is healthy: training and validation losses fall together and "
                      "stay close. A validation loss slightly above the training loss is "
                      "normal; overfitting is when it turns around and rises.",
                      detect=_diagnosed("C", "overfitting")),
          ],
          hints=["Look at both curves of each run: where does the training loss go, and "
                 "does the validation loss follow it?",
                 "Too large: the training loss jumps or grows. Too small: it falls smoothly but "
                 "barely. Overfitting: training falls towards 0 while validation rises.",
                 "Exactly one run has each diagnosis."])
def diagnoses():
    return dict(_DIAGNOSIS_TRUTH)
