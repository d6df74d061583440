"""Graded exercises of chapter 05: loss functions.

Each exercise: a reference (the decorated function), its cases, hints, and the
catalogue of wrong answers it must recognise (see ``annlib.grading.core``).
The statements live in ``solutions/05_*.ipynb``.
"""

import math

from .. import losses as _library_losses
from ..engine import Value, _sigmoid  # _sigmoid never overflows
from .common import _NO_AUTOGRAD, _matches
from .core import exercise


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
