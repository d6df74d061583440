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
    ("01.1", (-0.4, 0), "passed", "Correct"),
    ("01.1", (-0.4, 0.1), "wrong", "z is right, a is not"),
    ("01.2", lambda x, w, b: float(np.dot(x, w) + b), "passed", "Correct on all"),
    ("01.2", lambda x, w, b: np.dot(x, w), "wrong", "leaves out the bias b"),
    ("01.2", _neuron_bias_trick_in_place, "wrong", "Your neuron changes the lists it is given"),
    ("01.2", lambda x, w, b: x[0] * w[0] + x[1] * w[1] + b, "error", "IndexError"),
    ("01.3", [2, 2, -3], "passed", "Correct"),
    ("01.3", (0.5, 0.5, -0.2), "wrong", "These weights compute OR"),
    ("01.3", "1, 1, -1.5", "wrong", "Expected three numbers (w1, w2, b)"),
    ("01.4", (-2, -2, 3), "passed", "Correct"),
    ("01.5", lambda x1, w, b: (-b - w[0] * x1) / w[1], "passed", "Correct"),
    ("02.1", lambda z: 1 / (1 + np.exp(-z)), "passed", "Correct"),  # numpy: e^1000 = inf, 1/inf = 0
    ("02.1", lambda z: 1 / (1 + np.exp(np.float64(-z))) if z > -745 else math.nan,
     "wrong", "exp overflows for large |z|"),
    ("02.1", lambda z: (math.tanh(z / 2) + 1) / 2, "passed", "Correct"),
    ("02.2", lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2, "wrong", "overflows for large |z|"),
    ("02.2", lambda z: 0.25 * (1 - math.tanh(z / 2) ** 2), "passed", "Correct"),
    ("02.3", lambda z, alpha=0.01: np.where(z > 0, 1.0, alpha), "passed", "Correct"),
    ("02.3", lambda z, alpha: 1.0 if z > 0 else alpha, "wrong", "give alpha the default value"),
    ("02.3", lambda z, alpha=0.1: np.where(z > 0, 1.0, alpha), "wrong",
     "your default alpha is not the statement's"),
    ("02.4", _numpy_softmax_stable, "passed", "Correct"),
    ("02.4", _numpy_softmax_naive, "wrong", "Subtract max(z)"),
    ("02.4", _min_shift_softmax, "wrong", "Subtract max(z)"),
    ("03.1", lambda sizes: int(sum(np.array(sizes[1:]) * (np.array(sizes[:-1]) + 1))),
     "passed", "Correct"),
    ("03.1", lambda sizes: sum(sizes[i] * sizes[i + 1] for i in range(len(sizes) - 1)),
     "wrong", "You forgot the biases"),
    ("03.2", lambda sizes: [[b, a] for a, b in zip(sizes, sizes[1:])], "passed", "Correct"),
    ("03.2", lambda sizes: [np.zeros((b, a)).shape for a, b in zip(sizes, sizes[1:])],
     "passed", "Correct"),
    ("03.2", lambda sizes: [np.zeros((b, a)).T.shape for a, b in zip(sizes, sizes[1:])],
     "wrong", "Your shapes are transposed"),
    ("03.3", lambda task, n: {"regression": (n, "Linear"), "binary": (2, "softmax"),
                              "multiclass": (n, "SOFTMAX")}[task], "passed", "Correct"),
    ("03.3", lambda task, n: (n, "linear"), "wrong", "Use sigmoid for two classes"),
    ("03.3", lambda task, n: (n, "relu"), "wrong", "For example"),
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
    ("04.3", lambda layers, x: _numpy_mlp(layers, x, relu_last=True), "wrong",
     "ReLU to the output layer too"),
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
