"""Graded exercises of chapter 05: loss functions.

Each exercise: a reference (the decorated function), its cases, hints, and the
catalogue of wrong answers it must recognise (see ``annlib.grading.core``).
The statements live in ``solutions/05_*.ipynb``.
"""

import math

from .. import losses as _library_losses
from ..engine import Value, _sigmoid  # _sigmoid never overflows
from .common import _NO_AUTOGRAD, _matches
from .core import close, exercise


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


# --- 05.2 cross-entropy from logits and its gradient, stably --------------------------------

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


def _stable_softmax(logits):
    m = max(logits)
    exps = [math.exp(z - m) for z in logits]
    total = sum(exps)
    return [e / total for e in exps]


def _ce_gradient(logits, y):
    """dL/dz_k = p_k - [k = y]."""
    return [p - (k == y) for k, p in enumerate(_stable_softmax(logits))]


def _with_gradient(loss):
    """A wrong loss paired with the right gradient (the mistake is in the loss)."""
    return lambda logits, y: (loss(logits, y), _ce_gradient(logits, y))


def _with_loss(gradient):
    """The right loss paired with a wrong gradient (the mistake is in the gradient)."""
    return lambda logits, y: (_stable_log_sum_exp(logits) - logits[y], gradient(logits, y))


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
    "Your answer is right for moderate logits but breaks for large ones: softmax then ln "
    "computes e^1000, which overflows a float (OverflowError, or inf and then inf/inf = nan), "
    "and e^-1000 underflows to 0. Use the log-sum-exp trick: with m = max z, "
    "L = m + ln(sum_j e^(z_j - m)) - z_y, and p_k = e^(z_k - m) / sum_j e^(z_j - m) for the "
    "gradient. Every exponent is then <= 0 and nothing overflows.")


def _naive_pair(logits, y):
    exps = [math.exp(z) for z in logits]
    p = [e / sum(exps) for e in exps]
    return (-math.log(p[y]), [pk - (k == y) for k, pk in enumerate(p)])


def _naive_numpy_pair(logits, y):
    import numpy as np
    with np.errstate(all="ignore"):
        z = np.array(logits, dtype=float)
        p = np.exp(z) / np.exp(z).sum()
        return (float(-np.log(p[y])), (p - np.eye(len(z))[y]).tolist())


@exercise("05.2", "Cross-entropy from logits and its gradient, stably", points=3,
          cases=_CE_CASES, random_cases=_ce_random,
          forbidden={"annlib.losses.cross_entropy": "the point is to write the stable "
                                                    "formula yourself",
                     "annlib.engine.Value": "work out the gradient as a formula, p - y, in "
                                            "plain floats"},
          hints=["L = -ln softmax(z)_y = ln(sum_j e^(z_j)) - z_y. Subtracting m = max(logits) "
                 "from every logit changes nothing and keeps every e^(z_j - m) in (0, 1]: "
                 "L = m + ln(sum_j e^(z_j - m)) - z_y.",
                 "The gradient of softmax followed by cross-entropy is the simplest there is: "
                 "dL/dz_k = p_k - 1 for the true class k = y, and p_k for every other class "
                 "(chapter 05, section 5).",
                 "p_k = e^(z_k - m) / sum_j e^(z_j - m), the same shifted exponentials. "
                 "Return (L, [p_k - (1 if k == y else 0) for each k])."])
def cross_entropy_and_gradient(logits, y):
    """(L, [dL/dz_k]) with L = ln(sum_j e^(z_j)) - z_y and dL/dz_k = p_k - [k = y]."""
    return (_stable_log_sum_exp(logits) - logits[y], _ce_gradient(logits, y))


@cross_entropy_and_gradient.mistake("log_of_underflowed_probability", _CE_TINY_FEEDBACK,
                                    detect=_detect_tiny_probability)
def _(logits, y):
    p = _stable_softmax(logits)
    return (-math.log(p[y]), _ce_gradient(logits, y))


@cross_entropy_and_gradient.mistake("clipped_probability", _CE_TINY_FEEDBACK,
                                    detect=_detect_tiny_probability)
def _(logits, y):
    p = _stable_softmax(logits)
    return (-math.log(max(p[y], 1e-12)), _ce_gradient(logits, y))


@cross_entropy_and_gradient.mistake("softmax_overflow", _CE_OVERFLOW_FEEDBACK,
                                    detect=_detect_overflow)
def _(logits, y):
    return _naive_pair(logits, y)


@cross_entropy_and_gradient.mistake("softmax_overflow_numpy", _CE_OVERFLOW_FEEDBACK,
                                    detect=_detect_overflow)
def _(logits, y):
    return _naive_numpy_pair(logits, y)


@cross_entropy_and_gradient.mistake(
    "gradient_is_softmax",
    "Your gradient is softmax(z) itself: you forgot the target. dL/dz_k = p_k - y_k with the "
    "one-hot target y_k: subtract 1 at the true class y (and nothing elsewhere). The "
    "gradient's entries then add up to 0.")
def _(logits, y):
    return (_stable_log_sum_exp(logits) - logits[y], _stable_softmax(logits))


@cross_entropy_and_gradient.mistake(
    "gradient_minus_one_everywhere",
    "You subtracted 1 from every p_k. Only the TRUE class has target 1: dL/dz_k = p_k - 1 "
    "for k = y and p_k for the other classes.")
def _(logits, y):
    return (_stable_log_sum_exp(logits) - logits[y], [p - 1 for p in _stable_softmax(logits)])


@cross_entropy_and_gradient.mistake(
    "gradient_sign_flipped",
    "Your gradient has the wrong sign: dL/dz_k = p_k - y_k (prediction minus target). Raising "
    "the true class's logit lowers the loss, so dL/dz_y = p_y - 1 is negative.")
def _(logits, y):
    return (_stable_log_sum_exp(logits) - logits[y], [-g for g in _ce_gradient(logits, y)])


@cross_entropy_and_gradient.mistake(
    "gradient_wrt_probability",
    "Your gradient is dL/dp: -1/p_y at the true class and 0 elsewhere. The logits z feed "
    "every p_k through softmax, so dL/dz_k collects all of them, and the chain rule "
    "simplifies to p_k - [k = y].")
def _(logits, y):
    p = _stable_softmax(logits)
    return (_stable_log_sum_exp(logits) - logits[y],
            [-1 / p[k] if k == y and p[k] > 0 else 0.0 for k in range(len(logits))])


def _loss_like(wrong_loss):
    """Recognise a wrong choice of class by the loss alone (its gradient may vary)."""
    def detect(outcomes, expected, cases):
        def loss_matches(outcome, args):
            value = outcome.value if outcome.ok else None
            return (isinstance(value, (list, tuple)) and len(value) == 2
                    and close()(wrong_loss(*args), value[0]))
        return all(loss_matches(o, args) for o, args in zip(outcomes, cases))
    return detect


@cross_entropy_and_gradient.mistake(
    "class_index_minus_one",
    "You took the wrong class: class indices start at 0, so class y is logits[y], not "
    "logits[y - 1].",
    detect=_loss_like(lambda logits, y: _stable_log_sum_exp(logits) - logits[y - 1]))
def _(logits, y):
    p = _stable_softmax(logits)
    return (_stable_log_sum_exp(logits) - logits[y - 1], [pk - (k == y - 1) for k, pk in enumerate(p)])


@cross_entropy_and_gradient.mistake(
    "predicted_class",
    "You used the class with the largest logit (the prediction) instead of the true class y. "
    "Cross-entropy charges -ln of the probability the network gives the TRUE class, whatever "
    "it predicts.")
def _(logits, y):
    return cross_entropy_and_gradient(logits, logits.index(max(logits)))


@cross_entropy_and_gradient.mistake(
    "forgot_minus_sign",
    "Your loss is ln p_y, which is negative: the loss is MINUS the log of the true class's "
    "probability, -ln p_y >= 0.")
def _(logits, y):
    return (logits[y] - _stable_log_sum_exp(logits), _ce_gradient(logits, y))


@cross_entropy_and_gradient.mistake(
    "logit_as_log_probability",
    "Your loss is -z_y, treating the logit as a log-probability. Logits are unnormalised: "
    "softmax divides by sum_j e^(z_j), which adds ln(sum_j e^(z_j)) to the loss.")
def _(logits, y):
    return (-logits[y], _ce_gradient(logits, y))


@cross_entropy_and_gradient.mistake(
    "library_cross_entropy",
    "You called annlib.losses.cross_entropy (or built annlib Values), which the statement "
    "rules out here: the point is to write L = m + ln(sum_j e^(z_j - m)) - z_y and "
    "dL/dz_k = p_k - [k = y] yourself, in plain floats.")
def _(logits, y):
    z = [Value(v) for v in logits]
    loss = _library_losses.cross_entropy(z, y)
    loss.backward()
    return (loss.data, [v.grad for v in z])


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


# --- 05.4 one-hot targets and maximum likelihood ---------------------------------------------

_ONE_HOT_CASES = [
    ([[0, 0, 1]], [[0.2, 0.3, 0.5]]),                                  # chapter 05, question 6
    ([[1, 0, 0], [0, 1, 0], [0, 0, 1]],
     [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.25, 0.25, 0.5]]),
    ([[0, 1], [1, 0]], [[0.4, 0.6], [0.9, 0.1]]),                      # two classes
    ([[0, 1, 0], [1, 0, 0]], [[0.0, 1.0, 0.0], [0.5, 0.5, 0.0]]),      # p_k = 0 where y_k = 0
    ([[0, 0, 0, 1]], [[0.1, 0.0, 0.4, 0.5]]),
]
_ZERO_PROBABILITY = {3, 4}      # the cases with some p_k = 0 (always where y_k = 0)


def _one_hot_random(rng):
    cases = []
    for _ in range(12):
        n, k = rng.randint(1, 5), rng.randint(2, 5)
        targets, probabilities = [], []
        for _ in range(n):
            weights = [rng.uniform(0.05, 1.0) for _ in range(k)]
            probabilities.append([w / sum(weights) for w in weights])
            hot = rng.randrange(k)
            targets.append([int(j == hot) for j in range(k)])
        cases.append((targets, probabilities))
    return cases


def _true_class_probabilities(Y, P):
    return [p[row.index(1)] for row, p in zip(Y, P)]


def _one_hot_pair(terms, likelihood=None):
    """(mean loss, likelihood) from per-example losses `terms`."""
    def answer(Y, P):
        losses = [terms(y, p) for y, p in zip(Y, P)]
        mean = sum(losses) / len(losses)
        return (mean, likelihood(Y, P, losses) if likelihood else math.exp(-sum(losses)))
    return answer


def _only_true_class(y, p):
    return -sum(math.log(pk) for yk, pk in zip(y, p) if yk)


def _detect_zero_times_log(outcomes, expected):
    """Right where every p_k > 0; an error, nan or inf where some p_k = 0 (with y_k = 0)."""
    return (all(_matches(o, e) for i, (o, e) in enumerate(zip(outcomes, expected))
                if i not in _ZERO_PROBABILITY)
            and not any(_matches(outcomes[i], expected[i]) for i in _ZERO_PROBABILITY))


def _like_where_positive(outcomes, expected, cases, wrong):
    """Recognise the mistake by its outcomes `wrong` on the cases where every p_k > 0 (with
    a zero, learners' versions differ: an error from math.log, nan or inf from numpy)."""
    for i, (outcome, args, theirs) in enumerate(zip(outcomes, cases, wrong)):
        if i in _ZERO_PROBABILITY or any(pk == 0 for p in args[1] for pk in p):
            continue
        if not (theirs.ok and _matches(outcome, theirs.value)):
            return False
    return True


@exercise("05.4", "Cross-entropy with one-hot targets, and the likelihood", points=3,
          cases=_ONE_HOT_CASES, random_cases=_one_hot_random,
          hints=["One example: L = -sum_k y_k ln(y_hat_k). With a one-hot y every term but the "
                 "true class's is multiplied by 0, so L = -ln(y_hat at the true class).",
                 "A term with y_k = 0 contributes nothing, even where y_hat_k = 0: skip it "
                 "(0 * ln 0 would be an error in math.log, nan in numpy). The batch loss is "
                 "the MEAN over the n examples.",
                 "The likelihood is the product over examples of the probability of the true "
                 "class, and -ln(likelihood) = n * L, so likelihood = e^(-n L)."])
def one_hot_cross_entropy(Y, P):
    """(L, likelihood): L = mean_i -sum_k Y[i][k] ln P[i][k], likelihood = prod_i P[i][y_i]."""
    losses = [_only_true_class(y, p) for y, p in zip(Y, P)]
    likelihood = 1.0
    for p_true in _true_class_probabilities(Y, P):
        likelihood *= p_true
    return (sum(losses) / len(losses), likelihood)


@one_hot_cross_entropy.mistake(
    "zero_times_log_zero",
    "Right wherever every predicted probability is positive, but a probability of 0 breaks "
    "it: you compute y_k ln(y_hat_k) for every k, and for y_hat_k = 0 that is 0 * ln 0 (an "
    "error in math.log, nan in numpy). A term with y_k = 0 contributes nothing: sum only "
    "over the classes where y_k = 1 (with a one-hot target: just the true class).",
    detect=_detect_zero_times_log)
def _(Y, P):
    losses = [-sum(yk * math.log(pk) for yk, pk in zip(y, p)) for y, p in zip(Y, P)]
    return (sum(losses) / len(losses), math.exp(-sum(losses)))


@one_hot_cross_entropy.mistake(
    "sum_over_all_classes",
    "You added -ln(y_hat_k) over ALL classes. The target weights each term: "
    "-sum_k y_k ln(y_hat_k), and with a one-hot y only the true class's term survives.",
    detect=_like_where_positive)
def _all_classes(Y, P):
    losses = [-sum(math.log(pk) if pk > 0 else -math.inf for pk in p) for p in P]
    return (sum(losses) / len(losses), math.prod(_true_class_probabilities(Y, P)))


@one_hot_cross_entropy.mistake(
    "binary_formula_per_class",
    "You applied the two-class formula -[y ln p + (1 - y) ln(1 - p)] to every class and "
    "added them up. With K classes and a one-hot target the loss is -sum_k y_k ln(y_hat_k): "
    "the wrong classes are charged only through the softmax, not with ln(1 - y_hat_k) terms.",
    detect=_like_where_positive)
def _binary_per_class(Y, P):
    def term(yk, pk):
        return yk * math.log(pk) if yk else (math.log(1 - pk) if pk < 1 else -math.inf)
    losses = [-sum(term(yk, pk) for yk, pk in zip(y, p)) for y, p in zip(Y, P)]
    return (sum(losses) / len(losses), math.prod(_true_class_probabilities(Y, P)))


@one_hot_cross_entropy.mistake(
    "sum_not_mean",
    "Your loss is the SUM over the examples; the cross-entropy of a batch is their MEAN, "
    "(1/n) sum_i L_i, so that it does not grow with the batch size. (The sum is -ln of the "
    "likelihood.)")
def _(Y, P):
    losses = [_only_true_class(y, p) for y, p in zip(Y, P)]
    return (sum(losses), math.prod(_true_class_probabilities(Y, P)))


@one_hot_cross_entropy.mistake(
    "likelihood_from_the_mean",
    "Your likelihood is e^(-L), from the MEAN loss: that is the likelihood of one average "
    "example. The likelihood of all n labels is the product of the n true-class "
    "probabilities, e^(-n L).")
def _(Y, P):
    mean, _ = one_hot_cross_entropy(Y, P)
    return (mean, math.exp(-mean))


@one_hot_cross_entropy.mistake(
    "likelihood_as_a_sum",
    "You added the true classes' probabilities. Independent examples multiply: the "
    "likelihood is the PRODUCT prod_i y_hat_i at the true class, which is e^(-n L).")
def _(Y, P):
    mean, _ = one_hot_cross_entropy(Y, P)
    return (mean, sum(_true_class_probabilities(Y, P)))


@one_hot_cross_entropy.mistake(
    "log_likelihood",
    "Your second number is the log-likelihood ln(prod_i p_i) = -n L. The question asks for "
    "the likelihood itself, the product of the true-class probabilities (a number between 0 "
    "and 1).")
def _(Y, P):
    mean, _ = one_hot_cross_entropy(Y, P)
    return (mean, -mean * len(Y))


@one_hot_cross_entropy.mistake(
    "forgot_minus_sign",
    "Your loss is negative: ln of a probability is <= 0, and the loss is MINUS it, "
    "-sum_k y_k ln(y_hat_k) >= 0.")
def _(Y, P):
    mean, likelihood = one_hot_cross_entropy(Y, P)
    return (-mean, likelihood)
