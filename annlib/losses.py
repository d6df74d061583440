"""Loss functions: how wrong is a prediction? Plain functions, as in ``torch.nn.functional``.

Each takes predictions and targets and returns one `Value` (the average over
the examples when given several), ready for ``.backward()``.
"""

import math

from .engine import Value, total

__all__ = ["mse", "binary_cross_entropy", "binary_cross_entropy_with_logits",
           "cross_entropy", "softmax", "log_softmax", "hinge"]


def _as_list(x, who, what):
    if isinstance(x, (Value, int, float)) and not isinstance(x, bool):
        return [x]
    try:
        return list(x)
    except TypeError:
        raise TypeError(f"{who} expects {what} as a number, a Value or a list of them, "
                        f"got {type(x).__name__}") from None


def _pairs(y_pred, y, who):
    y_pred = _as_list(y_pred, who, "predictions")
    y = _as_list(y, who, "targets")
    if len(y_pred) != len(y):
        raise ValueError(f"{who} expects one target per prediction: got "
                         f"{len(y_pred)} predictions and {len(y)} targets")
    if not y_pred:
        raise ValueError(f"{who} needs at least one prediction, got none")
    return y_pred, y


def _as_value(x):
    return x if isinstance(x, Value) else Value(x)


def mse(y_pred, y):
    """Mean squared error L = (1/n) sum_i (y_hat_i - y_i)^2.

    >>> mse([Value(2.0)], [3.0]).data
    1.0
    """
    y_pred, y = _pairs(y_pred, y, "mse")
    return total([(_as_value(p) - t) ** 2 for p, t in zip(y_pred, y)]) / len(y)


def binary_cross_entropy(p, y, eps=1e-12):
    """L = -(1/n) sum_i [y_i ln p_i + (1 - y_i) ln(1 - p_i)], p_i a probability.

    Probabilities are clipped to [eps, 1 - eps] so a confident mistake costs a
    large but finite loss. From raw scores prefer
    `binary_cross_entropy_with_logits`, which needs no clipping.
    """
    p, y = _pairs(p, y, "binary_cross_entropy")
    terms = []
    for p_i, y_i in zip(p, y):
        p_i = _as_value(p_i)
        if p_i.data < eps:        # clip without cutting the graph: shift, not replace
            p_i = p_i + (eps - p_i.data)
        elif p_i.data > 1 - eps:
            p_i = p_i - (p_i.data - (1 - eps))
        terms.append(y_i * p_i.log() + (1 - y_i) * (1 - p_i).log())
    return -total(terms) / len(terms)


def _softplus(z):
    """ln(1 + e^z) computed without overflow, as a Value."""
    # ln(1 + e^z) = max(z, 0) + ln(1 + e^-|z|)
    if z.data > 0:
        return z + ((-z).exp() + 1.0).log()
    return (z.exp() + 1.0).log()


def binary_cross_entropy_with_logits(z, y):
    """Binary cross-entropy from a raw score z (p = sigmoid(z)), stable for any z.

    Uses -ln sigmoid(z) = softplus(-z) and -ln(1 - sigmoid(z)) = softplus(z).
    """
    z, y = _pairs(z, y, "binary_cross_entropy_with_logits")
    terms = []
    for z_i, y_i in zip(z, y):
        z_i = _as_value(z_i)
        terms.append(y_i * _softplus(-z_i) + (1 - y_i) * _softplus(z_i))
    return total(terms) / len(terms)


def _shifted(logits, who):
    """z_k - max z for every k, as Values.

    Subtracting the constant max z changes neither softmax nor log-softmax, but the
    largest shifted logit is exactly 0: no e^x overflows, and no large number is
    added back and taken away again (which would cost digits at logits like 10^4).
    """
    logits = [_as_value(z) for z in _as_list(logits, who, "logits")]
    if not logits:
        raise ValueError(f"{who} needs at least one logit, got none")
    m = max(z.data for z in logits)
    if math.isinf(m):
        m = 0.0
    return [z - m for z in logits]


def log_softmax(logits):
    """ln softmax(z)_k = z_k - ln sum_j e^(z_j), computed from the shifted z_k - max z.

    >>> [round(q.data, 3) for q in log_softmax([1.0, 2.0, 3.0])]
    [-2.408, -1.408, -0.408]
    """
    shifted = _shifted(logits, "log_softmax")
    log_total = total([s.exp() for s in shifted]).log()
    return [s - log_total for s in shifted]


def softmax(logits):
    """softmax(z)_k = e^(z_k) / sum_j e^(z_j): a probability distribution over classes.

    Computed as e^(z_k - max z) / sum_j e^(z_j - max z), which is equal but never overflows.

    >>> [round(p.data, 3) for p in softmax([1.0, 2.0, 3.0])]
    [0.09, 0.245, 0.665]
    """
    exps = [s.exp() for s in _shifted(logits, "softmax")]
    sum_of_exps = total(exps)
    return [e / sum_of_exps for e in exps]


def cross_entropy(logits, y):
    """Cross-entropy from logits: L = -ln softmax(z)_y, averaged over examples.

    `logits` is a list of logits for one example (then `y` is its class index)
    or a list of such lists (then `y` is a list of class indices).
    Uses log-sum-exp, so it is exact and finite for logits of any size.
    """
    logits = _as_list(logits, "cross_entropy", "logits")
    single = not logits or not isinstance(logits[0], (list, tuple))
    examples, targets = ([logits], [y]) if single else (logits, _as_list(y, "cross_entropy", "targets"))
    if len(examples) != len(targets):
        raise ValueError(f"cross_entropy expects one class index per example: got "
                         f"{len(examples)} examples and {len(targets)} targets")
    terms = []
    for z, k in zip(examples, targets):
        if isinstance(k, bool) or not isinstance(k, int) and not float(k).is_integer():
            raise ValueError(f"cross_entropy expects class indices (0, 1, 2, ...), got {k!r}")
        k = int(k)
        if not 0 <= k < len(z):
            raise ValueError(f"class index {k} is out of range for {len(z)} logits "
                             f"(expected 0 to {len(z) - 1})")
        shifted = _shifted(z, "cross_entropy")
        terms.append(total([s.exp() for s in shifted]).log() - shifted[k])  # -ln softmax(z)_k
    return total(terms) / len(terms)


def hinge(scores, y, margin=1.0):
    """SVM max-margin loss L = (1/n) sum_i max(0, margin - y_i s_i), labels y_i in {-1, +1}."""
    scores, y = _pairs(scores, y, "hinge")
    for y_i in y:
        if y_i not in (-1, 1):
            raise ValueError(f"hinge expects labels -1 or +1, got {y_i!r}")
    return total([(margin - y_i * _as_value(s)).relu() for s, y_i in zip(scores, y)]) / len(y)
