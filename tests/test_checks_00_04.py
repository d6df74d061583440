"""The exercises of chapters 00-04: answers a learner would really write, and their notebooks.

The catalogue of each exercise (every registered wrong answer, stub and
solution) is tested for every chapter by tests/test_grading_core.py; this file adds
what the catalogue cannot say: other ways of writing right and wrong answers
(numpy, other formulas, other answer forms) and the notebooks' content.
"""

import math
from pathlib import Path

import numpy as np
import pytest

from annlib.grading import check
from annlib.grading.core import get_exercise

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = {
    0: "00_introduction", 1: "01_neurons", 2: "02_activation_functions",
    3: "03_layers_and_architectures", 4: "04_forward_propagation",
}


def _numpy_softmax_naive(z):
    e = np.exp(np.array(z, dtype=float))
    return e / e.sum()


def _numpy_softmax_stable(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max())
    return e / e.sum()


def _min_shift_softmax(z):
    m = min(z)  # shifts by the wrong end: e^(z - min) still overflows
    e = [math.exp(v - m) for v in z]
    return [v / sum(e) for v in e]


def _dot(w, x):
    return sum(w_k * x_k for w_k, x_k in zip(w, x))


def _numpy_accuracy(w, b, X, y, at_least=False):
    z = np.array(X, dtype=float) @ np.array(w, dtype=float) + b
    predicted = (z >= 0 if at_least else z > 0).astype(int)
    return np.mean(predicted == np.array(y))


def _compose_popping(layers):
    def network(x):
        for _ in range(len(layers)):
            x = layers.pop(0)(x)  # right the first time, then the caller's list is empty
        return x
    return network


def _neuron_bias_trick_in_place(x, w, b):
    x.append(1)
    w.append(b)
    return float(np.dot(x, w))


def _layer_float32(W, b, a_prev):
    W, b, a = (np.asarray(v, dtype=np.float32) for v in (W, b, a_prev))
    return np.maximum(0, W @ a + b)


def _numpy_dead_units(W, b, X, strict=False):
    Z = np.array(X, dtype=float) @ np.array(W, dtype=float).T + np.array(b)  # (n, units)
    off = Z < 0 if strict else Z <= 0
    return list(np.flatnonzero(off.all(axis=0)))


def _numpy_jacobian(z, stable=True):
    p = _numpy_softmax_stable(z) if stable else _numpy_softmax_naive(z)
    return np.diag(p) - np.outer(p, p)


def _numpy_chain_gradient(z, w, activation="sigmoid"):
    z = np.array(z, dtype=float)
    s = 1 / (1 + np.exp(-z))
    slope = {"sigmoid": s * (1 - s), "tanh": 1 - np.tanh(z) ** 2,
             "relu": (z > 0).astype(float)}[activation]
    return float(np.prod(np.array(w, dtype=float) * slope))


def _value_chain_gradient(z, w, activation="sigmoid"):
    from annlib import Value
    a0 = Value(0.0)
    a = a0
    for z_l, w_l in zip(z, w):
        # the bias makes this layer's pre-activation exactly z_l at a0 = 0
        pre = w_l * a + (z_l - w_l * a.data)
        a = getattr(pre, activation)()
    if a is a0:
        return 1.0
    a.backward()
    return a0.grad


def _python_batch_forward(X, W1, b1, W2, b2):
    H = [[max(0.0, sum(x * w for x, w in zip(row, unit)) + bj) for unit, bj in zip(W1, b1)]
         for row in X]
    return [[sum(h * w for h, w in zip(row, unit)) + bj for unit, bj in zip(W2, b2)] for row in H]


def _numpy_batch(X, W1, b1, W2, b2, dtype=float):
    X, W1, b1, W2, b2 = (np.array(v, dtype=dtype) for v in (X, W1, b1, W2, b2))
    return np.maximum(0, X @ W1.T + b1) @ W2.T + b2


def _numpy_predict_output(task, z, squash_all=False):
    z = np.array(z, dtype=float)
    if squash_all or task == "binary":
        return 1 / (1 + np.exp(-z))
    if task == "regression":
        return z
    return _numpy_softmax_stable(z)


_NUMPY_ACTIVATION = {"relu": lambda z: np.maximum(z, 0), "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
                     "tanh": np.tanh, "linear": lambda z: z}


def _numpy_trace(layers, x, activation="relu", output_activation="sigmoid", in_place=False):
    a, trace = np.array(x, dtype=float), []
    for l, (W, b) in enumerate(layers, start=1):
        name = output_activation if l == len(layers) else activation
        z = np.array(W) @ a + np.array(b)
        if in_place and name == "relu":
            a = z
            np.maximum(a, 0, out=a)  # overwrites z too: they are one array
        else:
            a = _NUMPY_ACTIVATION[name](z)
        trace.append((z, a))
    return trace


def _trace_with_default_list(layers, x, activation="relu", output_activation="sigmoid",
                             trace=[]):  # noqa: B006 - the mistake under test
    a = x
    for l, (W, b) in enumerate(layers, start=1):
        f = _NUMPY_ACTIVATION[output_activation if l == len(layers) else activation]
        z = [float(v) for v in np.array(W) @ np.array(a) + np.array(b)]
        a = [float(f(v)) for v in z]
        trace.append((z, a))
    return trace


def _trace_relu_in_place(layers, x, activation="relu", output_activation="sigmoid"):
    a, trace = x, []
    for l, (W, b) in enumerate(layers, start=1):
        f = _NUMPY_ACTIVATION[output_activation if l == len(layers) else activation]
        z = [sum(w * a_k for w, a_k in zip(row, a)) + b_j for row, b_j in zip(W, b)]
        a = z
        for j in range(len(a)):
            a[j] = float(f(a[j]))  # changes z as well
        trace.append((z, a))
    return trace


LEARNER_ANSWERS = [
    # (exercise, answer, expected verdict, fragment of the feedback)
    ("00.1", 25.0, "passed", "Correct"),
    ("00.1", "25", "wrong", "Your answer is text ('25', a string), not a number"),
    ("00.2", lambda layers: (lambda x: x), "wrong", "compose([double, add_one])(3.0) returned 3.0"),
    ("00.2", lambda layers: layers, "wrong", "must return a function of x"),
    ("00.2", _compose_popping, "wrong", "uses up the caller's list of layers"),
    ("00.2", lambda layers: (lambda x: layers[0](x) + undefined_name), "error",  # noqa: F821
     "NameError"),
    ("00.3", "a, c, e", "passed", "Correct"),
    ("00.3", ["A", "C", "E"], "passed", "Correct"),
    ("00.3", {"a", "c", "e", "z"}, "wrong", "Expected letters from a to e, got 'z'"),
    ("00.4", (0, 0, -2, 1.0), "passed", "Correct"),
    ("00.4", np.array([0.0, 0.0, -1.0, 0.5]), "passed", "Correct"),
    ("00.4", [0.0, 0.0, -1.0, 0.62], "passed", "Correct"),
    ("00.4", (0, 0, -1, 0.7), "wrong", "the radius *squared*"),
    ("00.4", "0, 0, -1, 0.49", "wrong", "Expected four numbers (w1, w2, w3, b)"),
    ("00.4", (0.0, 0.0, 0.0, 1.0), "wrong", "ignores the feature"),
    ("00.5", _numpy_accuracy, "passed", "Correct"),
    ("00.5", lambda w, b, X, y: sum((_dot(w, x) + b > 0) == bool(t) for x, t in zip(X, y)) / len(y),
     "passed", "Correct"),  # True == 1: booleans compared with the labels
    ("00.5", lambda w, b, X, y: _numpy_accuracy(w, b, X, y, at_least=True), "wrong",
     "is class 0: the rule is class 1 only if z > 0"),
    ("00.5", lambda w, b, X, y: float(np.mean(np.sign(np.array(X) @ w + b) == y)), "wrong",
     "the labels here are 0 and 1"),  # sign(z) is -1 for z < 0
    ("00.5", lambda w, b, X, y: float(np.mean(np.sign(np.array(X) @ w + b) != y)), "wrong",
     "For example"),  # several mistakes at once: only the first difference is shown
    ("00.5", lambda w, b, X, y: 1 - _numpy_accuracy(w, b, X, y), "wrong", "the error rate"),
    ("00.5", lambda w, b, X, y: int(np.sum((np.array(X) @ w + b > 0) == y)), "wrong",
     "not the share"),
    ("00.5", lambda w, b, X, y: f"{_numpy_accuracy(w, b, X, y):.0%}", "wrong", "text"),
    ("01.1", (-0.4, 0), "passed", "Correct"),
    ("01.1", (-0.4, 0.1), "wrong", "z is right, a is not"),
    ("01.2", lambda x, w, b: float(np.dot(x, w) + b), "passed", "Correct on all"),
    ("01.2", lambda x, w, b: np.dot(x, w), "wrong", "leaves out the bias b"),
    ("01.2", _neuron_bias_trick_in_place, "wrong", "Your neuron changes the lists it is given"),
    ("01.2", lambda x, w, b: x[0] * w[0] + x[1] * w[1] + b, "error", "IndexError"),
    ("01.3", [2, 2, -3], "passed", "Correct"),
    ("01.3", (0.5, 0.5, -0.2), "wrong", "These weights compute OR"),
    ("01.3", "1, 1, -1.5", "wrong", "Expected three numbers (w1, w2, b)"),
    ("01.4", ((1, -1, -0.5), (-1, 1, -0.5), (1, 1, -0.5)), "passed", "Correct"),  # two
    # "one but not the other" neurons, then OR
    ("01.4", ((1, 1, -0.5), (1, 1, -1.5), (1, -2, -0.5)), "passed", "Correct"),  # OR - 2 AND
    ("01.4", [np.array([1.0, 1.0, -0.5]), np.array([-1.0, -1.0, 1.5]), np.array([1.0, 1.0, -1.5])],
     "passed", "Correct"),
    ("01.4", ((1, 1, -0.5), (-1, -1, 1.5)), "wrong", "Expected three neurons"),
    ("01.4", ((2, 2, -1), (-2, -2, 3), (2, 2, -1)), "wrong", "outputs 1 for every input"),
    ("01.4", ((2, 2, -1), (1, 1, -0.5), (1, 1, -1.5)), "wrong", "Your network computes OR"),
    ("00.4", (0, 0, -1, 0.36), "wrong", "Your boundary circle is too small"),  # radius 0.6
    ("01.5", lambda x1, w, b: (-b - w[0] * x1) / w[1], "passed", "Correct"),
    ("02.1", lambda z: 1 / (1 + np.exp(-z)), "passed", "Correct"),  # numpy: e^1000 = inf, 1/inf = 0
    ("02.1", lambda z: 1 / (1 + np.exp(np.float64(-z))) if z > -745 else math.nan,
     "wrong", "exp overflows for large |z|"),
    ("02.1", lambda z: (math.tanh(z / 2) + 1) / 2, "passed", "Correct"),
    ("02.2", lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2, "wrong", "overflows for large |z|"),
    ("02.2", lambda z: 0.25 * (1 - math.tanh(z / 2) ** 2), "passed", "Correct"),
    ("02.3", _numpy_dead_units, "passed", "Correct"),
    ("02.3", lambda W, b, X: _numpy_dead_units(W, b, X, strict=True), "wrong",
     "You require z < 0, but z = 0 is dead too"),
    ("02.3", lambda W, b, X: float(np.mean((np.array(X) @ np.array(W).T + b <= 0).all(axis=0))),
     "wrong", "a single number, where a list"),
    ("02.4", _numpy_jacobian, "passed", "Correct"),
    ("02.4", lambda z: _numpy_jacobian(z, stable=False), "wrong", "your softmax overflows"),
    ("02.4", lambda z: np.diag(_numpy_softmax_stable(z) * (1 - _numpy_softmax_stable(z))),
     "wrong", "only the diagonal"),
    ("02.4", lambda z: (np.diag(_numpy_softmax_stable(z))
                        - np.outer(_numpy_softmax_stable(z), _numpy_softmax_stable(z))).T.tolist(),
     "passed", "Correct"),  # J is symmetric: its transpose is right too
    ("02.5", _numpy_chain_gradient, "passed", "Correct"),
    ("02.5", _value_chain_gradient, "passed", "Correct"),  # backward() through Values
    ("02.5", lambda z, w, activation="sigmoid": 0.25 ** len(z), "wrong", "For example"),
    ("03.1", lambda sizes: int(sum(np.array(sizes[1:]) * (np.array(sizes[:-1]) + 1))),
     "passed", "Correct"),
    ("03.1", lambda sizes: sum(sizes[i] * sizes[i + 1] for i in range(len(sizes) - 1)),
     "wrong", "You forgot the biases"),
    ("03.2", lambda sizes: [[b, a] for a, b in zip(sizes, sizes[1:])], "passed", "Correct"),
    ("03.2", lambda sizes: [np.zeros((b, a)).shape for a, b in zip(sizes, sizes[1:])],
     "passed", "Correct"),
    ("03.2", lambda sizes: [np.zeros((b, a)).T.shape for a, b in zip(sizes, sizes[1:])],
     "wrong", "Your shapes are transposed"),
    ("03.3", lambda t, v, good=0.1: ["underfitting" if t[-1] > good else "overfitting"
                                     if v[-1] > good else "good fit", np.argmin(v)],
     "passed", "Correct"),
    ("03.3", lambda t, v, good=0.1: ("overfitting" if v[-1] > t[-1] + good else "good fit",
                                     int(np.argmin(v))), "wrong", "For example"),
    ("03.3", lambda t, v, good=0.1: ("underfitting" if t[-1] > 0.1 else "overfitting"
                                     if v[-1] > 0.1 else "good fit", int(np.argmin(v))),
     "wrong", "For example"),  # ignores good
    ("03.4", lambda n, k, c_in=1, c_out=1: [np.int64(c_out * c_in * k + c_out),
                                            (n - k + 1) * c_out * n * c_in + (n - k + 1) * c_out],
     "passed", "Correct"),
    ("03.4", lambda n, k, c_in=1, c_out=1: (c_out * (c_in * k + 1),
                                            (n - k + 1) * c_out * (n * c_in + 1) * 0 + n * n),
     "wrong", "For example"),
    ("03.5", lambda n_in, n_hidden, steps: n_hidden * (n_in + n_hidden + 1), "passed", "Correct"),
    ("03.5", lambda n_in, n_hidden, steps: steps * n_hidden * (n_in + 1) + n_hidden ** 2,
     "wrong", "For example"),
    ("03.6", _numpy_predict_output, "passed", "Correct"),
    ("03.6", lambda task, z: _numpy_predict_output(task, z, squash_all=True), "wrong",
     "Your regression outputs are squashed into (0, 1)"),  # several mistakes: the first told
    ("03.6", lambda task, z: [1 / (1 + math.exp(-v)) for v in z] if task != "regression"
     else list(z), "wrong", "You applied a sigmoid to each class's logit"),
    ("03.6", lambda task, z: 1 / (1 + math.exp(-z[0])) if task == "binary"
     else _numpy_predict_output(task, z), "wrong", "a single number, where a list"),
    ("04.1", (np.array([-1.5, 2.0]), np.array([0.0, 2.0]), np.float64(-3.5)), "passed",
     "Correct"),
    ("04.1", ([-1.5, 2], [0, 2], -3), "wrong", "z1 is right, a1 is right, y_pred is not"),
    ("04.1", (np.array([-1.5, 2.0]), np.array([0.0, 2.0]), np.array([-3.5])), "wrong",
     "y_pred is a list or array holding one number, where a single number is expected"),
    ("04.2", lambda W, b, a: np.maximum(0, np.array(W) @ np.array(a) + np.array(b)),
     "passed", "Correct"),
    ("04.2", lambda W, b, a: np.maximum(0, np.array(W).T @ np.array(a) + np.array(b)),
     "wrong", "You used W transposed"),
    ("04.2", lambda W, b, a: list(np.array(W) @ np.array(a) + np.array(b)), "wrong",
     "apply the activation"),
    ("04.2", _layer_float32, "wrong", "Your results are numpy float32 numbers"),
    ("04.3", lambda layers, x: [float(v) for v in _numpy_mlp(layers, x)], "passed", "Correct"),
    ("04.4", _python_batch_forward, "passed", "Correct"),
    ("04.4", lambda X, W1, b1, W2, b2: _numpy_batch(X, W1, b1, W2, b2, np.float32), "wrong",
     "numpy float32"),
    ("04.4", lambda X, W1, b1, W2, b2: _numpy_batch(X, np.array(W1).T, b1, np.array(W2).T, b2),
     "wrong", "You multiplied X W1 without the transpose"),
    ("04.4", lambda X, W1, b1, W2, b2: _numpy_batch(X, W1, b1, W2, b2).T, "wrong",
     "Your result is transposed"),
    ("04.3", lambda layers, x: _numpy_mlp(layers, x, relu_last=True), "wrong",
     "ReLU to the output layer too"),
    ("04.5", _numpy_trace, "passed", "Correct"),
    ("04.5", lambda layers, x, activation="relu", output_activation="sigmoid": [
        [list(pair[0]), list(pair[1])] for pair in _numpy_trace(layers, x, activation,
                                                                output_activation)],
     "passed", "Correct"),  # pairs as lists
    ("04.5", _trace_with_default_list, "wrong", "longer trace each time it is called"),
    ("04.5", _trace_relu_in_place, "wrong", "z holds the values *after* the activation"),
    ("04.5", lambda layers, x, activation="relu", output_activation="sigmoid": _numpy_trace(
        layers, x, activation, output_activation, in_place=True), "wrong",
     "z holds the values *after* the activation"),
    ("04.5", lambda layers, x, activation, output_activation="sigmoid": _numpy_trace(
        layers, x, activation, output_activation), "wrong", "but both have defaults"),
    ("04.5", lambda layers, x, activation="relu", output_activation="linear": _numpy_trace(
        layers, x, activation, output_activation), "wrong", "Its default is 'sigmoid'"),
    ("04.5", lambda layers, x, activation="relu", output_activation="sigmoid": [
        (z, a_prev) for (z, _), a_prev in zip(
            _numpy_trace(layers, x, activation, output_activation),
            [x] + [pair[1] for pair in _numpy_trace(layers, x, activation, output_activation)])],
     "wrong", "For example"),  # each z paired with the previous layer's a
]


def _numpy_mlp(layers, x, relu_last=False):
    a = np.array(x, dtype=float)
    for l, (W, b) in enumerate(layers, start=1):
        a = np.array(W) @ a + np.array(b)
        if l < len(layers) or relu_last:
            a = np.maximum(a, 0)
    return a


@pytest.mark.parametrize("exercise_id, answer, verdict, fragment", LEARNER_ANSWERS,
                         ids=[f"{a[0]}-{i}" for i, a in enumerate(LEARNER_ANSWERS)])
def test_answers_a_learner_might_write(exercise_id, answer, verdict, fragment):
    result = check(exercise_id, answer, show=False)
    assert result.verdict == verdict, result.feedback
    assert fragment in result.feedback


def test_value_feedback_never_gives_the_answer_away():
    for exercise_id, secret in (("00.1", "25"), ("01.1", "-0.4"), ("04.1", "-3.5")):
        ex = get_exercise(exercise_id)
        for wrong in (0, (0, 0), (0, 0, 0), 7.0):
            feedback = check(exercise_id, wrong, show=False).feedback
            assert secret not in feedback, (exercise_id, wrong)
        assert ex.single_value


def test_overflow_is_recognised_only_when_ordinary_inputs_are_right():
    # wrong everywhere AND overflowing: the overflow advice would mislead
    result = check("02.1", lambda z: 2.0 / (1 + math.exp(-z)), show=False)
    assert "exp overflows" not in result.feedback
