"""Graded exercises of chapter 11: training networks that train.

Each exercise is registered with `annlib.grading.core.exercise` (see that module's
docstring). The exercise notebook is ``solutions/11_training_in_practice.ipynb``.

Three of the answers are random by nature (an initialisation, a dropout mask), so
the check does not compare arrays: ``prepare`` runs the learner's function on large
inputs and returns a short *description* of what it did ("rows all different",
"std(W) / sqrt(2/n_in) = 1.0", "kept values scaled by 1/(1-p)"). The description
of a correct answer is the same whatever random numbers it drew, and each
misconception gives its own description, so it is recognised by behaviour.
"""

import numpy as np

from .core import BadAnswer, close, exercise

__all__ = []  # everything here is registered with the grader; nothing to import


def _as_array(x, what):
    try:
        return np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise BadAnswer(f"Expected {what} as a NumPy array of numbers, got "
                        f"{type(x).__name__}: {x!r:.60}.") from None


def _pair(result, who, names):
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise BadAnswer(f"{who} should return two things, ({names}), got "
                        f"{type(result).__name__}: {result!r:.60}.")
    return result


# =========================================================================================
# 11.1 He initialisation
# =========================================================================================

# (n_in, n_out): never square, so fan-in and fan-out differ; at least 20,000 weights, so the
# measured std is within 1% of the true one and rounds to the same first decimal.
_INIT_SHAPES = [(300, 100), (100, 300), (784, 64), (64, 500), (1000, 30)]


def _init_prepare(answer):
    if not callable(answer):
        raise BadAnswer(f"Expected your function he_init itself (no parentheses), got "
                        f"{type(answer).__name__}.")

    def run(n_in, n_out, seed):
        W, b = _pair(answer(n_in, n_out, np.random.default_rng(seed)), "he_init", "W, b")
        W, b = _as_array(W, "W"), _as_array(b, "b")
        summary = {"W.shape": tuple(W.shape), "b.shape": tuple(b.shape),
                   "b": "all zero" if not np.any(b) else "not all zero"}
        if W.ndim == 2:
            distinct = len(np.unique(W, axis=0))
            summary["rows of W"] = ("all different" if distinct == W.shape[0]
                                    else f"only {distinct} different")
        summary["std(W) / sqrt(2/n_in)"] = round(float(W.std() / np.sqrt(2 / n_in)), 1)
        return summary
    return run


@exercise("11.1", "Initialise a ReLU layer with He's scale", points=3,
          prepare=_init_prepare, compare=lambda expected, got: expected == got,
          cases=[(n_in, n_out, seed) for seed, (n_in, n_out) in enumerate(_INIT_SHAPES)],
          describe=lambda args: (f"he_init(n_in={args[0]}, n_out={args[1]}, "
                                 f"rng=np.random.default_rng({args[2]})), summarised,"),
          hints=["W^[l] has one row per neuron of the layer and one column per input: shape "
                 "(n_out, n_in). Each weight is drawn at random; b starts at zero.",
                 "He's scale for ReLU: standard deviation sqrt(2 / n_in), where n_in (the "
                 "fan-in) is the number of INPUTS of each neuron.",
                 "rng.normal(0.0, np.sqrt(2 / n_in), size=(n_out, n_in)) and np.zeros(n_out)."])
def he_init(n_in, n_out, rng):
    """W ~ N(0, 2/n_in) of shape (n_out, n_in), b = 0."""
    W = rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in))
    return W, np.zeros(n_out)


@he_init.mistake("zero_init",
                 "Your weights are all equal (zero): every neuron of the layer then computes "
                 "the same output and receives the same gradient, so they stay identical "
                 "through all of training and the layer is worth one neuron. Random weights "
                 "break this symmetry.")
def _(n_in, n_out, rng):
    return np.zeros((n_out, n_in)), np.zeros(n_out)


@he_init.mistake("fan_out",
                 "Your scale uses the wrong fan: the standard deviation must be sqrt(2 / n_in), "
                 "with n_in the number of inputs of each neuron (the fan-in), because the "
                 "weighted sum z adds n_in terms. You used n_out, the number of neurons.")
def _(n_in, n_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / n_out), size=(n_out, n_in)), np.zeros(n_out)


@he_init.mistake("variance_as_std",
                 "You passed the variance 2 / n_in where NumPy expects the standard deviation: "
                 "rng.normal(mean, std, size) takes the std, which is sqrt(2 / n_in).")
def _(n_in, n_out, rng):
    return rng.normal(0.0, 2.0 / n_in, size=(n_out, n_in)), np.zeros(n_out)


@he_init.mistake("lecun_scale",
                 "Your weights have standard deviation sqrt(1 / n_in) (LeCun's scale). ReLU sets "
                 "about half of its inputs to zero, which halves the variance at each layer; He's "
                 "factor 2, std = sqrt(2 / n_in), makes up for it.")
def _(n_in, n_out, rng):
    return rng.normal(0.0, np.sqrt(1.0 / n_in), size=(n_out, n_in)), np.zeros(n_out)


@he_init.mistake("xavier_scale",
                 "Your weights have Xavier/Glorot's scale, std = sqrt(2 / (n_in + n_out)), "
                 "made for tanh. For ReLU use He's: std = sqrt(2 / n_in).")
def _(n_in, n_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_out, n_in)), np.zeros(n_out)


@he_init.mistake("transposed",
                 "Your W has shape (n_in, n_out). In this course W^[l] has one ROW per neuron "
                 "of the layer and one column per input, shape (n_out, n_in), so that "
                 "z = W a + b.")
def _(n_in, n_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out)), np.zeros(n_out)


# =========================================================================================
# 11.2 standardisation with the training set's statistics
# =========================================================================================

def _standardise_cases():
    rng = np.random.default_rng(11_2)
    cases = [(np.array([[0.0, 1.0], [2.0, 1.0], [4.0, 1.0]]), np.array([[2.0, 1.0], [6.0, 3.0]])),
             (np.array([[1.0, 10.0, 0.0], [3.0, 30.0, 0.0]]), np.array([[2.0, 20.0, 5.0]]))]
    for _ in range(6):  # the test set comes from a shifted, rescaled distribution
        n_features = int(rng.integers(2, 6))
        train = rng.normal(rng.uniform(-5, 5, n_features), rng.uniform(0.5, 4, n_features),
                           size=(int(rng.integers(5, 30)), n_features))
        test = rng.normal(rng.uniform(-5, 5, n_features), rng.uniform(0.5, 4, n_features),
                          size=(int(rng.integers(3, 10)), n_features))
        cases.append((train.round(3), test.round(3)))
    return cases


def _standardise_prepare(answer):
    if not callable(answer):
        raise BadAnswer(f"Expected your function standardise itself (no parentheses), got "
                        f"{type(answer).__name__}.")

    def run(X_train, X_test):
        with np.errstate(all="ignore"):
            train_s, test_s = _pair(answer(X_train.copy(), X_test.copy()), "standardise",
                                    "X_train_s, X_test_s")
            return (_as_array(train_s, "X_train_s").tolist(),
                    _as_array(test_s, "X_test_s").tolist())
    return run


def _describe_standardise(args):
    return f"standardise(X_train={args[0].tolist()}, X_test={args[1].tolist()})"


@exercise("11.2", "Standardise with the training set's statistics", points=2,
          prepare=_standardise_prepare, describe=_describe_standardise,
          cases=_standardise_cases(),
          hints=["Compute one mean and one standard deviation per FEATURE (per column, "
                 "axis=0), from X_train only, then apply the same two arrays to both sets.",
                 "A feature that never changes in the training set has std 0: divide by 1 "
                 "there instead (np.where(std > 0, std, 1.0)).",
                 "mean = X_train.mean(axis=0); std = X_train.std(axis=0); then "
                 "(X - mean) / std for X_train and for X_test."])
def standardise(X_train, X_test):
    """(X - mean) / std per feature, with mean and std of X_train only (std 0 -> 1)."""
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return (X_train - mean) / std, (X_test - mean) / std


def _safe(std):
    return np.where(std > 0, std, 1.0)


@standardise.mistake("test_statistics",
                     "You standardised the test set with its OWN mean and std. The test set "
                     "stands for data the model has never seen, whose statistics are unknown "
                     "at training time (a single new example has no std at all): use the "
                     "training set's mean and std for both sets.")
def _(X_train, X_test):
    return ((X_train - X_train.mean(axis=0)) / _safe(X_train.std(axis=0)),
            (X_test - X_test.mean(axis=0)) / _safe(X_test.std(axis=0)))


@standardise.mistake("combined_statistics",
                     "You took the mean and std of training and test data together. Then the "
                     "test set leaks into the preprocessing; statistics come from the "
                     "training set only.")
def _(X_train, X_test):
    both = np.concatenate([X_train, X_test])
    mean, std = both.mean(axis=0), _safe(both.std(axis=0))
    return (X_train - mean) / std, (X_test - mean) / std


@standardise.mistake("one_mean_for_all_features",
                     "You used one mean and one std for the whole array. Each feature (column) "
                     "has its own scale: compute them per column, with axis=0.")
def _(X_train, X_test):
    mean, std = X_train.mean(), X_train.std()
    return (X_train - mean) / std, (X_test - mean) / std


@standardise.mistake("per_example",
                     "You standardised each example (row, axis=1) instead of each feature "
                     "(column, axis=0).")
def _(X_train, X_test):
    def rows(X):
        return (X - X.mean(axis=1, keepdims=True)) / _safe(X.std(axis=1, keepdims=True))
    return rows(X_train), rows(X_test)


@standardise.mistake("zero_std_not_guarded",
                     "A feature that is constant in the training set has std 0, and dividing by "
                     "it gives nan (or inf). Divide by 1 where the std is 0.")
def _(X_train, X_test):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    return (X_train - mean) / std, (X_test - mean) / std


@standardise.mistake("sample_std",
                     "You divided by the sample standard deviation (ddof=1). Use the standard "
                     "deviation of the training values themselves, np.std's default (ddof=0), "
                     "so the standardised training features have std exactly 1.")
def _(X_train, X_test):
    mean, std = X_train.mean(axis=0), _safe(X_train.std(axis=0, ddof=1))
    return (X_train - mean) / std, (X_test - mean) / std


# =========================================================================================
# 11.3 inverted dropout
# =========================================================================================

_DROPOUT_CASES = [((400, 100), 0.5, True, 1), ((400, 100), 0.2, True, 2),
                  ((400, 100), 0.2, False, 3), ((200, 200), 0.7, True, 4),
                  ((200, 200), 0.7, False, 5), ((100, 300), 0.0, True, 6)]


def _dropout_prepare(answer):
    if not callable(answer):
        raise BadAnswer(f"Expected your function dropout itself (no parentheses), got "
                        f"{type(answer).__name__}.")

    def run(shape, p, training, seed):
        a = np.random.default_rng(1000 + seed).uniform(0.5, 1.5, size=shape)  # never 0
        out = _as_array(answer(a.copy(), p, training, np.random.default_rng(seed)),
                        "the output of dropout")
        if out.shape != a.shape:
            return {"output shape": tuple(out.shape)}
        dropped = out == 0
        ratio = out[~dropped] / a[~dropped]
        fraction = float(dropped.mean())
        summary = {"fraction set to 0": ("none" if fraction == 0 else
                                         "about p" if abs(fraction - p) < 0.02 else
                                         "about 1 - p" if abs(fraction - (1 - p)) < 0.02 else
                                         f"{fraction:.1f}")}
        if ratio.size == 0:
            summary["others"] = "none left"
        elif np.allclose(ratio, 1.0):
            summary["others"] = "unchanged"
        elif np.allclose(ratio, ratio[0]):
            factor = ratio[0]
            summary["others"] = next((f"multiplied by {name}" for name, value in
                                      (("1/(1-p)", 1 / (1 - p)), ("1-p", 1 - p), ("1/p", 1 / p if p else None),
                                       ("p", p)) if value is not None and np.isclose(factor, value)),
                                     f"multiplied by {factor:.3g}")
        else:
            summary["others"] = "changed by different factors"
        return summary
    return run


@exercise("11.3", "Write inverted dropout", points=3,
          prepare=_dropout_prepare, compare=lambda expected, got: expected == got,
          cases=_DROPOUT_CASES,
          describe=lambda args: (f"dropout(a, p={args[1]}, training={args[2]}, rng) on "
                                 f"activations a of shape {args[0]}, summarised,"),
          hints=["During training, set each activation to 0 with probability p and divide the "
                 "survivors by 1 - p, so the expected value of each unit is unchanged. At "
                 "evaluation (training=False), return a unchanged.",
                 "keep = rng.random(a.shape) >= p is True with probability 1 - p.",
                 "if not training: return a; otherwise return a * keep / (1 - p)."])
def dropout(a, p, training, rng):
    """Inverted dropout: a * mask / (1 - p) in training (mask 0 with probability p), a at evaluation."""
    if not training:
        return a
    keep = rng.random(a.shape) >= p
    return a * keep / (1 - p)


@dropout.mistake("active_at_evaluation",
                 "Your dropout also drops units at evaluation (training=False). Dropout is a "
                 "training-time noise: at evaluation every unit takes part, so predictions are "
                 "deterministic and use the whole network. Return a unchanged then.")
def _(a, p, training, rng):
    return a * (rng.random(a.shape) >= p) / (1 - p)


@dropout.mistake("not_rescaled",
                 "You drop units but do not rescale the survivors. Then a unit's expected "
                 "output in training is (1 - p) times its output at evaluation, and the next "
                 "layer sees smaller inputs in training than at test time. Inverted dropout "
                 "divides the survivors by 1 - p.")
def _(a, p, training, rng):
    if not training:
        return a
    return a * (rng.random(a.shape) >= p)


@dropout.mistake("scaled_at_evaluation",
                 "You drop without rescaling in training and multiply by 1 - p at evaluation: "
                 "that is the original (non-inverted) dropout. The expectations match, but "
                 "this course (like PyTorch) uses inverted dropout: divide by 1 - p in "
                 "training and leave evaluation untouched.")
def _(a, p, training, rng):
    if not training:
        return a * (1 - p)
    return a * (rng.random(a.shape) >= p)


@dropout.mistake("p_as_keep_probability",
                 "You used p as the probability of KEEPING a unit. In this course (and in "
                 "PyTorch's Dropout(p)) p is the probability of DROPPING it: p = 0.2 sets "
                 "about 20% of the activations to 0.")
def _(a, p, training, rng):
    if not training:
        return a
    keep = rng.random(a.shape) < p
    return a * keep / p if p else a * keep


# =========================================================================================
# 11.4 one Adam step
# =========================================================================================

def _adam_cases():
    cases = [(0.5, 2.0, 0.0, 0.0, 1, 0.1, 0.9, 0.999, 1e-8),           # first step: |update| = lr
             (0.5, -3.0, 0.2, 0.5, 2, 0.1, 0.9, 0.999, 1e-8),
             (1.0, 1e-4, 0.0, 0.0, 1, 0.01, 0.9, 0.999, 1e-8),           # tiny gradient: eps matters
             (1.0, 0.5, 0.1, 0.04, 3, 0.01, 0.8, 0.99, 0.1),             # large eps
             (0.0, 0.0, 0.0, 0.0, 1, 0.1, 0.9, 0.999, 1e-8),             # no gradient: no move
             (2.0, 1.0, 0.5, 0.3, 1000, 0.001, 0.9, 0.999, 1e-8)]        # late: correction ~ 1
    rng = np.random.default_rng(11_4)
    for t in (1, 2, 5, 50):
        shape = (3, 2)
        cases.append((rng.normal(size=shape).round(3), rng.normal(size=shape).round(3),
                      (0.1 * rng.normal(size=shape)).round(3),
                      (0.1 * rng.random(shape)).round(4), t, 0.01, 0.9, 0.999, 1e-8))
    return cases


def _adam_prepare(answer):
    if not callable(answer):
        raise BadAnswer(f"Expected your function adam_step itself (no parentheses), got "
                        f"{type(answer).__name__}.")

    def run(w, g, m, v, t, lr, beta1, beta2, eps):
        result = answer(w, g, m, v, t, lr, beta1, beta2, eps)
        if not isinstance(result, (tuple, list)) or len(result) != 3:
            raise BadAnswer(f"adam_step should return three things, (w, m, v), got "
                            f"{type(result).__name__}: {result!r:.60}.")
        return tuple(_as_array(x, name).tolist() for x, name in zip(result, "wmv"))
    return run


def _describe_adam(args):
    names = ("w", "g", "m", "v", "t", "lr", "beta1", "beta2", "eps")
    parts = [f"{n}={a.tolist() if isinstance(a, np.ndarray) else a!r}" for n, a in zip(names, args)]
    return "adam_step(" + ", ".join(parts) + ")"


@exercise("11.4", "Write one step of Adam", points=3,
          prepare=_adam_prepare, describe=_describe_adam, compare=close(rel=1e-9, abs=1e-12),
          cases=_adam_cases(),
          hints=["Four lines: update m with g, update v with g squared, correct both for their "
                 "start at zero, then step w.",
                 "m = beta1*m + (1-beta1)*g;  v = beta2*v + (1-beta2)*g**2;  "
                 "m_hat = m / (1 - beta1**t);  v_hat = v / (1 - beta2**t).",
                 "w = w - lr * m_hat / (np.sqrt(v_hat) + eps); return w, m, v (the "
                 "uncorrected m and v: they are the state for the next step)."])
def adam_step(w, g, m, v, t, lr, beta1, beta2, eps):
    """One Adam update at step t (t = 1 for the first): returns (w, m, v)."""
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@adam_step.mistake("no_bias_correction",
                   "You left out the bias correction. m and v start at 0, so in the first "
                   "steps they are far too small (after one step m = 0.1 g with beta1 = 0.9); "
                   "dividing by 1 - beta1^t and 1 - beta2^t undoes that.")
def _(w, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    return w - lr * m / (np.sqrt(v) + eps), m, v


@adam_step.mistake("corrected_moments_returned",
                   "You returned the bias-corrected m_hat and v_hat as the new state. The state "
                   "carried to the next step is the running averages m and v themselves; the "
                   "correction is applied afresh each step with the new t.")
def _(w, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m_hat, v_hat


@adam_step.mistake("no_square_root",
                   "You divided by v_hat instead of its square root. v is a running mean of g^2, "
                   "so sqrt(v_hat) has the units of g, and m_hat / sqrt(v_hat) is about +-1: "
                   "the step is about lr whatever the size of the gradient.")
def _(w, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return w - lr * m_hat / (v_hat + eps), m, v


@adam_step.mistake("eps_inside_root",
                   "You added eps inside the square root, sqrt(v_hat + eps). Adam (and PyTorch) "
                   "adds it outside: sqrt(v_hat) + eps. The two differ when gradients are small.")
def _(w, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return w - lr * m_hat / np.sqrt(v_hat + eps), m, v


@adam_step.mistake("second_moment_of_g_not_g_squared",
                   "Your v averages g instead of g squared. The second moment is the running "
                   "mean of g^2: it measures how large the gradient is, whatever its sign.")
def _(w, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    with np.errstate(all="ignore"):
        return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@adam_step.mistake("momentum_without_one_minus_beta",
                   "Your m adds the whole gradient, m = beta1 m + g (the velocity of SGD with "
                   "momentum). Adam's moments are running MEANS: m = beta1 m + (1 - beta1) g, "
                   "and the same for v with g^2.")
def _(w, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + g
    v = beta2 * v + g ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


# =========================================================================================
# 11.5 early stopping on the validation loss
# =========================================================================================

_STOP_CASES = [([2.0, 1.5, 1.2, 1.1, 1.0, 0.9], [2.1, 1.7, 1.5, 1.6, 1.7, 1.8], 2),
               ([2.0, 1.0, 0.5, 0.2, 0.1], [2.0, 1.2, 0.9, 0.8, 0.7], 2),       # never stops
               ([1.0, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2], [1.0, 0.9, 0.95, 0.85, 0.9, 0.92, 0.93], 2),
               ([1.0, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2], [1.0, 0.9, 0.95, 0.85, 0.9, 0.92, 0.93], 3),
               ([1.0, 0.9, 0.8, 0.7, 0.6], [1.0, 0.8, 0.8, 0.8, 0.9], 2),       # a tie is no gain
               ([3.0, 2.0, 1.0, 0.5], [1.0, 1.1, 1.2, 1.3], 1)]


def _stop_random(rng):
    cases = []
    for _ in range(10):
        n = rng.randint(6, 16)
        train = sorted((round(rng.uniform(0.05, 2.0), 2) for _ in range(n)), reverse=True)
        bottom = rng.randint(1, n - 2)
        val = [round(1.0 + 0.1 * abs(e - bottom) + rng.uniform(-0.08, 0.08), 2) for e in range(n)]
        cases.append((train, val, rng.randint(1, 4)))
    return cases


def _stop_prepare(answer):
    if not callable(answer):
        raise BadAnswer(f"Expected your function early_stopping itself (no parentheses), got "
                        f"{type(answer).__name__}.")

    def run(train_losses, val_losses, patience):
        result = answer(list(train_losses), list(val_losses), patience)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise BadAnswer(f"early_stopping should return two epoch numbers, (stop_epoch, "
                            f"best_epoch), got {type(result).__name__}: {result!r:.60}.")
        try:
            return tuple(int(e) for e in result)
        except (TypeError, ValueError):
            raise BadAnswer(f"early_stopping should return two epoch numbers, got "
                            f"{result!r:.60}.") from None
    return run


@exercise("11.5", "Stop early and keep the best epoch", points=2,
          prepare=_stop_prepare, compare=lambda expected, got: expected == got,
          call_name="early_stopping", cases=_STOP_CASES, random_cases=_stop_random,
          hints=["Watch the VALIDATION loss, epoch by epoch (epochs count from 0). Remember the "
                 "epoch with the lowest validation loss so far; only a strictly lower loss "
                 "counts as an improvement.",
                 "Stop at the first epoch that is `patience` epochs after the best one; if that "
                 "never happens, training ran to the last epoch.",
                 "Return (stop_epoch, best_epoch): you keep the weights of best_epoch, not the "
                 "last ones."])
def early_stopping(train_losses, val_losses, patience):
    """(stop_epoch, best_epoch): stop once the validation loss has not improved for patience epochs."""
    best = 0
    for epoch, loss in enumerate(val_losses):
        if loss < val_losses[best]:
            best = epoch
        if epoch - best >= patience:
            return epoch, best
    return len(val_losses) - 1, best


@early_stopping.mistake("watches_training_loss",
                        "You watched the TRAINING loss. It keeps falling while the network "
                        "memorises the training set, so it cannot tell you when to stop; the "
                        "validation loss, on examples the weights never see, can.")
def _(train_losses, val_losses, patience):
    best = 0
    for epoch, loss in enumerate(train_losses):
        if loss < train_losses[best]:
            best = epoch
        if epoch - best >= patience:
            return epoch, best
    return len(train_losses) - 1, best


@early_stopping.mistake("keeps_last_weights",
                        "You stop at the right epoch but keep its weights. By then the "
                        "validation loss has not improved for `patience` epochs: the weights "
                        "to keep are those of the best epoch, a few epochs earlier.")
def _(train_losses, val_losses, patience):
    stop, _ = early_stopping(train_losses, val_losses, patience)
    return stop, stop


@early_stopping.mistake("patience_off_by_one",
                        "You stop one epoch late: with patience p, stop at the first epoch that "
                        "is p epochs after the best one (best + p), not p + 1.")
def _(train_losses, val_losses, patience):
    best = 0
    for epoch, loss in enumerate(val_losses):
        if loss < val_losses[best]:
            best = epoch
        if epoch - best > patience:
            return epoch, best
    return len(val_losses) - 1, best


@early_stopping.mistake("tie_counts_as_improvement",
                        "You count an equal validation loss as an improvement. Only a strictly "
                        "lower loss is progress; otherwise a plateau would never stop.")
def _(train_losses, val_losses, patience):
    best = 0
    for epoch, loss in enumerate(val_losses):
        if loss <= val_losses[best]:
            best = epoch
        if epoch - best >= patience:
            return epoch, best
    return len(val_losses) - 1, best
