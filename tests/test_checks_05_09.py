"""The exercises of chapters 05-09: answers a learner would really write, and their notebooks.

tests/test_grading_core.py already runs every catalogued wrong answer, stub and
solution of these chapters. This file adds what the catalogue cannot say: that the
misconceptions the course promises are catalogued, that other correct ways of
writing an answer pass, that the references agree with annlib's own autograd,
that the claims the feedback makes about the training curves hold, and that the
notebooks check every exercise once.
"""

import math
import random
from pathlib import Path

import numpy as np
import pytest

from annlib import Value
from annlib import losses
from annlib.grading import check
from annlib.engine import _sigmoid
from annlib.grading import chapter_06, chapter_07, chapter_08, chapter_09
from annlib.grading.core import get_exercise
from annlib.nn import MLP
from annlib.optim import SGD
from annlib.train import fit

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = {5: "05_loss_functions", 6: "06_backpropagation", 7: "07_autograd_from_scratch",
             8: "08_gradient_descent", 9: "09_learning_cycle"}


# The misconceptions the course promises to recognise, by exercise.
PROMISED = {
    "05.1": {"rmse", "sum_not_mean", "forgot_square", "absolute_error", "library_mse"},
    "05.2": {"softmax_overflow", "log_of_underflowed_probability", "class_index_minus_one",
             "gradient_is_softmax", "gradient_minus_one_everywhere", "gradient_wrt_probability",
             "library_cross_entropy"},
    "05.4": {"zero_times_log_zero", "sum_over_all_classes", "binary_formula_per_class",
             "sum_not_mean", "likelihood_from_the_mean", "likelihood_as_a_sum"},
    "06.1": {"a_direct_path_only", "swapped_mul", "pow_rule_n_x_to_n"},
    "05.3": {"autograd"},
    "06.2": {"sigma_prime_of_a", "forgot_dz_dw", "autograd"},
    "06.4": {"skip_path_forgotten", "relu_path_forgotten", "relu_slope_ignored",
             "slope_one_at_zero", "autograd"},
    "07.1": {"swapped_operands", "numbers_not_wrapped", "children_as_set",
             "closure_instead_of_numbers"},
    "07.2": {"n_times_x_to_n", "forgot_factor_n", "closure_instead_of_numbers"},
    "07.3": {"slope_at_input", "tanh_rule", "closure_instead_of_numbers"},
    "07.4": {"no_visited_set", "reversed", "recursion_too_deep", "library_sort"},
    "07.5": {"forward_order", "assign_instead_of_add", "library_backward"},
    "08.1": {"ascent"},
    "08.2": {"too_small", "too_large"},
    "06.5": {"directions_along_gradient", "zero_gradient_given_a_direction",
             "change_sign_flipped", "forgot_the_step", "added_sizes"},
    "08.5": {"velocity_not_carried", "momentum_on_the_weights", "mixed_sign_conventions",
             "dampened_gradient", "weights_before_velocity", "no_default", "annlib_optimizer"},
    "08.4": {"saddle_called_maximum", "left_minimum_always_global", "global_and_local_swapped",
             "sign_of_c_flipped"},
    "09.1": {"bugs_zero_grad", "bugs_descend", "bugs_loss", "graph_cut", "ignores_lr",
             "ignores_epochs"},
    "09.2": {"linear_model", "undertrained"},
    "09.4": {"relu_slope_is_output", "relu_slope_always_one", "relu_slope_one_at_zero",
             "relu_on_the_output", "ascent", "no_training"},
}


@pytest.mark.parametrize("exercise_id", sorted(PROMISED))
def test_promised_misconceptions_are_catalogued_with_feedback(exercise_id):
    recognised = {m.name for m in get_exercise(exercise_id).mistakes if m.feedback}
    assert PROMISED[exercise_id] <= recognised


# --- answers a learner might write ---------------------------------------------------------

def _ce_numpy_stable(logits, y):
    z = np.asarray(logits, dtype=float)
    log_sum_exp = np.logaddexp.reduce(z)
    return float(log_sum_exp - z[y]), (np.exp(z - log_sum_exp) - np.eye(len(z))[y]).tolist()


def _ce_numpy_naive(logits, y):
    with np.errstate(all="ignore"):
        p = np.exp(logits) / np.sum(np.exp(logits))
    return float(-np.log(p[y])), (p - np.eye(len(p))[y]).tolist()


def _ce_naive_and_sign_wrong(logits, y):
    exps = [math.exp(z) for z in logits]
    return math.log(exps[y] / sum(exps)), [e / sum(exps) for e in exps]


def _ce_with_epsilon(logits, y):
    m = max(logits)
    exps = [math.exp(z - m) for z in logits]
    p = [e / sum(exps) for e in exps]
    return -math.log(p[y] + 1e-15), [pk - (k == y) for k, pk in enumerate(p)]


def _ce_gradient_as_numpy_array(logits, y):
    loss, gradient = _ce_numpy_stable(logits, y)
    return loss, np.array(gradient)


def _autograd_gradients_wrt_z(z, y):
    z_mse, z_bce = Value(z), Value(z)
    ((z_mse.sigmoid() - y) ** 2).backward()
    losses.binary_cross_entropy_with_logits(z_bce, y).backward()
    return (z_mse.grad, z_bce.grad)


def _autograd_two_layers(x, w1, b1, w2, b2, y):
    params = [Value(v) for v in (w1, b1, w2, b2)]
    w1v, b1v, w2v, b2v = params
    ((w2v * (w1v * x + b1v).tanh() + b2v - y) ** 2).backward()
    return tuple(p.grad for p in params)


def _kahn_order(root):
    """Another valid topological order: Kahn's algorithm on the reversed edges."""
    nodes, stack = {id(root): root}, [root]
    while stack:
        for child in stack.pop()._children:
            if id(child) not in nodes:
                nodes[id(child)] = child
                stack.append(child)
    waiting = {key: len({id(c) for c in n._children}) for key, n in nodes.items()}
    users = {key: [] for key in nodes}
    for key, node in nodes.items():
        for child_key in {id(c) for c in node._children}:
            users[child_key].append(node)
    ready = [n for key, n in nodes.items() if waiting[key] == 0]
    order = []
    while ready:
        node = ready.pop()
        order.append(node)
        for user in users[id(node)]:
            waiting[id(user)] -= 1
            if waiting[id(user)] == 0:
                ready.append(user)
    return order


def _backward_with_library_order(root):
    root.grad = 1.0
    for node in reversed(root.topological_order()):
        for child, local in zip(node._children, node._local_grads):
            child.grad += local * node.grad


def _numgrad_numpy(f, x, h):
    x = np.asarray(x, dtype=float)
    eye = np.eye(len(x))
    return [(f(list(x + h * e)) - f(list(x - h * e))) / (2 * h) for e in eye]


def _descent_numpy(grad, w0, lr, n_steps):
    w = np.array(w0, dtype=float)
    path = [w]
    for _ in range(n_steps):
        w = w - lr * np.array(grad(list(w)))
        path.append(w)
    return path


def _descent_numpy_in_place(grad, w0, lr, n_steps):
    w = np.array(w0, dtype=float)
    path = [w]
    for _ in range(n_steps):
        w -= lr * np.array(grad(list(w)))
        path.append(w)
    return path


def _epoch_numpy(w, b, X, y, lr, batch_size):
    w, X, y = np.array(w, dtype=float), np.array(X, dtype=float), np.array(y, dtype=float)
    for start in range(0, len(y), batch_size):
        Xb, yb = X[start:start + batch_size], y[start:start + batch_size]
        error = Xb @ w + b - yb
        w = w - lr * 2 * Xb.T @ error / len(yb)
        b = b - lr * 2 * error.mean()
    return w, b


def _train_manual(model, X, y, lr, epochs):
    history = []
    for _ in range(epochs):
        loss = losses.binary_cross_entropy_with_logits([model(x) for x in X], y)
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= lr * p.grad
        history.append(loss.data)
    return history


def _train_on_floats(model, X, y, lr, epochs):
    optimizer = SGD(model.parameters(), lr=lr)
    history = []
    for _ in range(epochs):
        loss = losses.binary_cross_entropy_with_logits([float(model(x).data) for x in X], y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        history.append(loss.data)
    return history


def _autograd_neuron(w, x, b, y):
    w_values, b_value = [Value(v) for v in w], Value(b)
    a = (sum((wi * xi for wi, xi in zip(w_values, x)), b_value)).sigmoid()
    ((a - y) ** 2).backward()
    return [v.grad for v in w_values], b_value.grad


def _train_sigmoid_then_bce(model, X, y, lr, epochs):
    optimizer = SGD(model.parameters(), lr=lr)
    history = []
    for _ in range(epochs):
        loss = losses.binary_cross_entropy([model(x).sigmoid() for x in X], y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        history.append(loss)
    return history


def _train_with_fit(model, X, y, lr, epochs):
    return fit(model, X, y, loss="bce_with_logits", lr=lr, epochs=epochs, progress=False)["loss"]


def _moons_relu_fit(X, y):
    model = MLP(2, [16, 16, 1], activation="relu", random_state=1)
    fit(model, X, y, loss="bce_with_logits", optimizer=SGD(model.parameters(), lr=0.1,
        momentum=0.9), epochs=25, batch_size=10, progress=False)
    return model


def _moons_sigmoid_output(X, y):
    model = MLP(2, [16, 1], activation="tanh", output_activation="sigmoid", random_state=0)
    fit(model, X, y, loss="binary_cross_entropy", optimizer=SGD(model.parameters(), lr=0.3,
        momentum=0.9), epochs=30, batch_size=10, progress=False)
    return model


def _moons_deep_linear(X, y):
    model = MLP(2, [8, 1], activation="linear", random_state=0)
    fit(model, X, y, loss="bce_with_logits", lr=0.1, epochs=20, batch_size=10, progress=False)
    return model


def _scalar_with(**ops):
    """A learner's Scalar (chapter 07's class and its addition) with operations attached."""
    return chapter_07._with_op(**ops)


def _mul_other_first(self, other):
    """Correct, another order: children (other, self), local derivatives (self, other)."""
    if not isinstance(other, chapter_07._Scalar):
        other = type(self)(other)
    return type(self)(other.data * self.data, "", (other, self), (self.data, other.data), "*")


def _pow_from_output(self, n):
    """Correct: n x^(n-1) written as n out / x (every case has x != 0)."""
    out = self.data ** n
    return type(self)(out, "", (self,), (n * out / self.data,), "**")


def _sigmoid_from_input(self):
    """Correct: the derivative from the input, e^-x / (1 + e^-x)^2."""
    e = math.exp(-self.data)
    return type(self)(1 / (1 + e), "", (self,), (e / (1 + e) ** 2,), "sigmoid")


def _sigmoid_slope_as_function(self):
    s = 1 / (1 + math.exp(-self.data))
    return type(self)(s, "", (self,), (lambda: s * (1 - s),), "sigmoid")


LEARNER_ANSWERS = [
    # (exercise, answer, expected verdict, fragment of the feedback)
    ("05.1", lambda p, t: float(np.mean((np.array(p) - np.array(t)) ** 2)), "passed", "Correct"),
    ("05.1", losses.mse, "wrong", "You called annlib.losses.mse"),  # the statement forbids it
    ("05.1", lambda p, t: losses.mse(p, t).data, "wrong", "You called annlib.losses.mse"),
    ("05.1", lambda p, t: float(np.sqrt(np.mean((np.array(p) - np.array(t)) ** 2))), "wrong",
     "RMSE"),
    ("05.1", lambda p, t: float(np.sum((np.array(p) - np.array(t)) ** 2)), "wrong",
     "did not divide"),
    ("05.2", _ce_numpy_stable, "passed", "Correct"),
    ("05.2", losses.cross_entropy, "wrong", "You called annlib.losses.cross_entropy"),
    ("05.2", _ce_numpy_naive, "wrong", "log-sum-exp"),
    ("05.2", _ce_with_epsilon, "wrong", "Never form p_y"),
    ("05.2", lambda logits, y: _ce_numpy_stable(logits, y - 1), "wrong", "indices start at 0"),
    ("05.2", _ce_gradient_as_numpy_array, "passed", "Correct"),
    ("05.2", lambda logits, y: (_ce_numpy_stable(logits, y)[0], _ce_numpy_stable(logits, y)[1][::-1]),
     "wrong", "Not quite"),
    ("05.3", _autograd_gradients_wrt_z, "wrong", "You let annlib's Value (autograd)"),
    ("05.3", lambda z, y: [2 * (_sigmoid(z) - y), _sigmoid(z) - y], "wrong",
     "multiplies by da/dz"),
    ("06.1", {"f": 3, "e": -12, "d": -12, "c": -12, "b": -36, "a": 28}, "passed", "Correct"),
    ("06.1", {k: np.float64(v) for k, v in chapter_06.hand_gradients().items()}, "passed", "Correct"),
    ("06.1", {"f": 3, "e": -12, "d": -12, "c": -12, "b": -36}, "wrong", "missing 'a'"),
    ("06.1", {"f": 3, "e": -12, "d": -12, "c": -12, "b": -36, "a": "28"}, "wrong",
     "Expected a number for 'a'"),
    ("06.2", lambda w, x, b, y: _neuron_numpy(w, x, b, y), "passed", "Correct"),
    ("06.2", lambda w, x, b, y: _autograd_neuron(w, x, b, y), "wrong",
     "You let annlib's Value (autograd)"),
    ("06.2", lambda w, x, b, y: _neuron_numpy(w, x, b, y, slope_at="a"), "wrong",
     "instead of z"),
    ("06.3", _autograd_two_layers, "passed", "Correct"),
    ("07.1", _scalar_with(__mul__=_mul_other_first, __rmul__=_mul_other_first), "passed",
     "Correct"),
    ("07.1", Value, "wrong", "hand in YOUR Scalar class"),
    ("07.1", _mul_other_first, "wrong", "Expected your class Scalar itself"),
    ("07.2", _scalar_with(__pow__=_pow_from_output), "passed", "Correct"),
    ("07.3", _scalar_with(sigmoid=_sigmoid_from_input), "passed", "Correct"),
    ("07.3", _scalar_with(sigmoid=_sigmoid_slope_as_function), "wrong", "plain number"),
    ("07.4", _kahn_order, "passed", "Correct"),
    ("07.4", lambda root: root.topological_order(), "wrong", "ready-made topological sort"),
    ("07.4", lambda root: _kahn_order(root)[::-1], "wrong", "reversed"),
    ("07.5", _backward_with_library_order, "passed", "Correct"),
    ("07.6", _numgrad_numpy, "passed", "Correct"),
    ("08.1", _descent_numpy, "passed", "Correct"),
    ("08.1", _descent_numpy_in_place, "wrong", "same list object"),
    ("08.2", np.float64(0.07), "passed", "Correct"),
    ("08.2", [0.07], "wrong", "Give the learning rate as a number"),
    ("08.3", _epoch_numpy, "passed", "Correct"),
    ("09.1", _train_manual, "passed", "Correct"),
    ("09.1", _train_sigmoid_then_bce, "passed", "Correct"),
    ("09.1", _train_with_fit, "passed", "Correct"),
    ("09.1", lambda model, X, y, lr, epochs: None, "wrong", "should return the list"),
    ("09.1", lambda model, X, y, lr, epochs: _train_manual(model, X, y, 0.5, epochs), "wrong",
     "ignores its lr argument"),
    ("09.1", lambda model, X, y, lr, epochs: _train_on_floats(model, X, y, lr, epochs), "wrong",
     "the computation graph is cut"),
    ("09.2", _moons_relu_fit, "passed", "Correct"),
    ("09.2", _moons_sigmoid_output, "passed", "Correct"),
    ("09.2", _moons_deep_linear, "wrong", "Your model is linear"),
    ("09.3", {"A": "Overfitting", "B": " learning  rate too SMALL", "C": "good",
              "D": "learning rate too large"}, "passed", "Correct"),
    ("09.3", {"A": "overfit", "B": "learning rate too small", "C": "good",
              "D": "learning rate too large"}, "wrong", "is not one of the diagnoses"),
    ("09.3", {"A": "overfitting"}, "wrong", "one diagnosis for each of the curves"),
]


def _neuron_numpy(w, x, b, y, slope_at="z"):
    z = float(np.dot(w, x) + b)
    a = 1 / (1 + np.exp(-z))
    s = a if slope_at == "z" else 1 / (1 + np.exp(-a))
    dL_dz = 2 * (a - y) * s * (1 - s)
    return dL_dz * np.array(x, dtype=float), dL_dz




@pytest.mark.parametrize("exercise_id, answer, verdict, fragment", LEARNER_ANSWERS,
                         ids=[f"{a[0]}-{i}" for i, a in enumerate(LEARNER_ANSWERS)])
def test_answers_a_learner_might_write(exercise_id, answer, verdict, fragment):
    result = check(exercise_id, answer, show=False)
    assert result.verdict == verdict, result.feedback
    assert fragment in result.feedback


@pytest.mark.parametrize("exercise_id, stub", [
    ("06.1", {"f": ..., "e": ..., "d": ..., "c": ..., "b": ..., "a": ...}),
    ("06.1", {"f": 3.0, "e": ..., "d": ..., "c": ..., "b": ..., "a": ...}),
    ("09.3", {"A": ..., "B": ..., "C": ..., "D": ...}),
])
def test_dict_stubs_are_not_attempted_yet(exercise_id, stub):
    result = check(exercise_id, stub, show=False)
    assert result.verdict == "not attempted" and result.score == 0


def test_hand_gradient_feedback_never_gives_the_answer_away():
    all_ones = check("06.1", {"f": 1, "e": 1, "d": 1, "c": 1, "b": 1, "a": 1}, show=False)
    assert not any(secret in all_ones.feedback for secret in ("28", "-36", "-12"))
    one_path = check("06.1", {"f": 3, "e": -12, "d": -12, "c": -12, "b": -36, "a": 4},
                     show=False)
    assert "two paths" in one_path.feedback and "28" not in one_path.feedback


def test_overflow_advice_only_when_ordinary_logits_are_right():
    # wrong everywhere (sign) AND overflowing: the overflow advice would mislead
    result = check("05.2", _ce_naive_and_sign_wrong, show=False)
    assert result.verdict in ("wrong", "error")
    assert "log-sum-exp" not in result.feedback


def test_library_backward_is_refused_but_the_library_order_is_allowed():
    result = check("07.5", lambda root: root.backward(), show=False)
    assert "You called root.backward()" in result.feedback
    assert check("07.5", _backward_with_library_order, show=False).passed


# --- the references agree with annlib's autograd -------------------------------------------

def test_hand_gradients_agree_with_backward():
    a, b, c = Value(3.0), Value(-2.0), Value(4.0)
    d = a * b
    e = d + c
    f = e ** 2
    L = f * a
    L.backward()
    nodes = {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f}
    assert chapter_06.hand_gradients() == {k: v.grad for k, v in nodes.items()}


@pytest.mark.parametrize("exercise_id, autograd", [
    ("05.3", _autograd_gradients_wrt_z),
    ("06.3", _autograd_two_layers),
])
def test_reference_agrees_with_autograd_on_every_case(exercise_id, autograd):
    ex = get_exercise(exercise_id)
    for args, expected in zip(ex.cases, ex.expected()):
        assert np.allclose(autograd(*args), expected, rtol=1e-12, atol=1e-12), args


def test_neuron_reference_agrees_with_autograd_on_every_case():
    ex = get_exercise("06.2")
    for (w, x, b, y), (dL_dw, dL_db) in zip(ex.cases, ex.expected()):
        w_values, b_value = [Value(v) for v in w], Value(b)
        z = sum((wi * xi for wi, xi in zip(w_values, x)), b_value)
        ((z.sigmoid() - y) ** 2).backward()
        assert np.allclose([v.grad for v in w_values], dL_dw, rtol=1e-12, atol=1e-12)
        assert math.isclose(b_value.grad, dL_db, rel_tol=1e-12, abs_tol=1e-12)


def test_cross_entropy_reference_agrees_with_annlib_on_every_case():
    ex = get_exercise("05.2")
    for (logits, y), (loss, gradient) in zip(ex.cases, ex.expected()):
        z = [Value(v) for v in logits]
        theirs = losses.cross_entropy(z, y)
        theirs.backward()
        assert math.isclose(theirs.data, loss, rel_tol=1e-12, abs_tol=1e-12)
        assert np.allclose([v.grad for v in z], gradient, rtol=1e-12, atol=1e-12)


def test_central_differences_are_close_to_the_true_gradient():
    # d/dx (x1 - x2 x3)^2 at (1, 2, -0.5): error 2, gradient (2*2, 2*2*0.5, 2*2*(-2))
    grads = chapter_07.numerical_gradient(chapter_07._FUNCTIONS["(x1 - x2*x3)**2"], [1.0, 2.0, -0.5], 1e-4)
    assert np.allclose(grads, [4.0, 2.0, -8.0], atol=1e-7)


def test_minibatch_reference_agrees_with_autograd_and_sgd():
    ex = get_exercise("08.3")
    for (w, b, X, y, lr, k), (w_expected, b_expected) in zip(ex.cases, ex.expected()):
        w_values, b_value = [Value(v) for v in w], Value(b)
        optimizer = SGD(w_values + [b_value], lr=lr)
        for start in range(0, len(y), k):
            y_pred = [sum((wi * xi for wi, xi in zip(w_values, x)), b_value)
                      for x in X[start:start + k]]
            loss = losses.mse(y_pred, y[start:start + k])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        assert np.allclose([v.data for v in w_values], w_expected, rtol=1e-12, atol=1e-12)
        assert math.isclose(b_value.data, b_expected, rel_tol=1e-12, abs_tol=1e-12)


def test_learning_rate_window_is_what_the_hints_say():
    # the hint promises that anything between 0.06 and 0.09 works
    for lr in np.linspace(0.06, 0.09, 31):
        assert check("08.2", float(lr), show=False).passed, lr
    for lr, fragment in ((0.04, "Too small"), (0.095, "edge of stability"),
                         (0.1, "edge of stability"), (0.11, "Too large")):
        assert fragment in check("08.2", lr, show=False).feedback, lr


def test_training_curves_show_what_the_feedback_claims():
    curves = chapter_09.training_curves()
    assert sorted(curves) == ["A", "B", "C", "D"]
    for name, (train_losses, val_losses) in curves.items():
        assert len(train_losses) == len(val_losses) and all(map(math.isfinite, train_losses))
    # A: training loss towards 0 while the validation loss turns around and climbs
    train_a, val_a = curves["A"]
    assert train_a[-1] < 0.01 and val_a[-1] > 2 * min(val_a) and val_a[-1] > val_a[0]
    # B: smooth and hardly moving
    train_b, val_b = curves["B"]
    assert all(x > y for x, y in zip(train_b, train_b[1:])) and train_b[-1] > 0.95 * train_b[0]
    # C: both fall together and stay close
    train_c, val_c = curves["C"]
    assert train_c[-1] < 0.2 * train_c[0] and val_c[-1] < 0.2 * val_c[0]
    assert abs(val_c[-1] - train_c[-1]) < 0.05
    # D: the training loss jumps far above where it started
    train_d, _ = curves["D"]
    assert max(train_d) > 5 * train_d[0] and min(train_d[1:]) < max(train_d) / 5
    assert chapter_09.training_curves() is curves  # computed once per process


def test_planted_bugs_make_the_demo_loss_explode():
    from annlib.data import make_moons
    X, y = make_moons(n_samples=40, noise=0.1, random_state=0)
    model = MLP(2, [6, 1], activation="tanh", random_state=0)
    buggy = chapter_09._bug_variant(("zero_grad", "descend", "loss"))(model, X.tolist(), y.tolist(),
                                                                0.5, 8)
    assert buggy[-1] > 1000 * buggy[0]


# --- 08.4 stationary points of a loss that is not a bowl ----------------------------------------

def _stationary_by_newton(c):
    """Another correct answer: Newton's method from three starts, kinds from the Hessian."""
    points = []
    for w1 in (-1.5, 0.0, 1.5):
        for _ in range(60):
            w1 -= (4 * w1 ** 3 - 4 * w1 + c) / (12 * w1 ** 2 - 4)
        points.append(w1)
    heights = {w1: (w1 ** 2 - 1) ** 2 + c * w1 for w1 in points}
    minima = sorted((w1 for w1 in points if 12 * w1 ** 2 - 4 > 0), key=heights.get)
    kinds = {minima[0]: "global minimum", minima[1]: "local minimum"}
    return [(w1, 0, kinds.get(w1, "saddle point")) for w1 in sorted(points)]


def test_stationary_points_accept_another_root_finder_and_int_zero():
    assert check("08.4", _stationary_by_newton, show=False).passed


def test_stationary_points_match_the_chapter_and_descent_ends_in_a_minimum():
    points = chapter_08.stationary_points(0.3)
    assert [(round(w1, 3), kind) for w1, _, kind in points] == [
        (-1.036, "global minimum"), (0.075, "saddle point"), (0.96, "local minimum")]
    for c in (0.3, -0.3, 1.2):
        minima = {kind: w1 for w1, _, kind in chapter_08.stationary_points(c) if "min" in kind}
        saddle = chapter_08.stationary_points(c)[1][0]
        for start, side in ((saddle + 0.05, max), (saddle - 0.05, min)):
            w1, w2 = start, 1.0
            for _ in range(2000):
                w1, w2 = w1 - 0.02 * (4 * w1 ** 3 - 4 * w1 + c), w2 - 0.02 * 2 * w2
            assert abs(w1 - side(minima.values())) < 1e-6 and abs(w2) < 1e-6


def test_stationary_points_feedback_names_the_misconception():
    def called_maximum(c):
        return [(w1, w2, "maximum" if kind == "saddle point" else kind)
                for w1, w2, kind in _stationary_by_newton(c)]
    assert "SADDLE" in check("08.4", called_maximum, show=False).feedback
    numpy_order = lambda c: [(r, 0.0, k) for r, _, k in reversed(_stationary_by_newton(c))]
    assert "not in order" in check("08.4", numpy_order, show=False).feedback


# --- 06.4 a ReLU with a skip connection ----------------------------------------------------------

def _skip_numpy(x, w, b, y):
    """Another correct answer: numpy's maximum and heaviside (value 0 at z = 0)."""
    z = np.float64(w) * x + b
    dL_dy = 2 * (np.maximum(z, 0.0) + x - y)
    dL_dz = dL_dy * np.heaviside(z, 0.0)
    return dL_dz * x, dL_dz, dL_dz * w + dL_dy


def _skip_autograd(x, w, b, y):
    xv, wv, bv = Value(x), Value(w), Value(b)
    (((wv * xv + bv).relu() + xv - y) ** 2).backward()
    return (wv.grad, bv.grad, xv.grad)


def test_skip_gradients_accept_numpy_and_refuse_autograd():
    assert check("06.4", _skip_numpy, show=False).passed
    result = check("06.4", _skip_autograd, show=False)
    assert not result.passed and "autograd" in result.feedback


def test_skip_reference_agrees_with_autograd_and_covers_each_side_of_the_kink():
    ex = get_exercise("06.4")
    for args, expected in zip(ex.cases, ex.expected()):
        assert np.allclose(_skip_autograd(*args), expected, rtol=1e-12, atol=1e-12), args
    signs = {np.sign(w * x + b) for x, w, b, _ in ex.cases}
    assert signs == {-1.0, 0.0, 1.0}


# --- 09.4 a network on the learner's own engine ----------------------------------------------------

def _own_engine_answer(loop_sum=True, single_as_list=False, own_rng=True):
    """Another correct (Scalar, MLP, train_own): a private random generator, a loop for z,
    squared error on +-1 targets, momentum written by hand."""
    import random as random_module
    from annlib.grading.chapter_09 import _Scalar
    rng = random_module.Random(5)

    class Neuron:
        def __init__(self, nin, nonlinear=True):
            draw = rng.uniform if own_rng else random_module.uniform
            self.w, self.b, self.nonlinear = [_Scalar(draw(-1, 1)) for _ in range(nin)], \
                _Scalar(0.0), nonlinear

        def __call__(self, x):
            z = self.b
            for wi, xi in zip(self.w, x):
                z = z + wi * xi
            return z.relu() if self.nonlinear else z

        def parameters(self):
            return [*self.w, self.b]

    class MLP:
        def __init__(self, nin, nouts):
            sizes = [nin, *nouts]
            self.layers = [[Neuron(sizes[i], i < len(nouts) - 1) for _ in range(sizes[i + 1])]
                           for i in range(len(nouts))]

        def __call__(self, x):
            for layer in self.layers:
                x = [n(x) for n in layer]
            return x if len(x) > 1 or single_as_list else x[0]

        def parameters(self):
            return [p for layer in self.layers for n in layer for p in n.parameters()]

    def train_own(model, X, y):
        params = model.parameters()
        velocity = [0.0] * len(params)
        for _ in range(500):
            scores = [model(x) for x in X]
            if all((s.data > 0) == (t == 1) for s, t in zip(scores, y)):
                return
            loss = sum(((s - (2 * t - 1)) ** 2 for s, t in zip(scores, y)), _Scalar(0.0))
            for p in params:
                p.grad = 0.0
            loss.backward()
            for i, p in enumerate(params):   # momentum, by hand
                velocity[i] = 0.9 * velocity[i] + p.grad / len(X)
                p.data -= 0.05 * velocity[i]

    return (_Scalar, MLP, train_own)


def test_own_network_accepts_another_design_trained_with_momentum():
    assert check("09.4", _own_engine_answer(), show=False).passed


def test_own_network_rejects_a_list_for_one_output_and_annlibs_own_mlp():
    result = check("09.4", _own_engine_answer(single_as_list=True), show=False)
    assert result.verdict == "wrong" and "not a list" in result.feedback
    from annlib import Value
    from annlib.nn import MLP as AnnlibMLP
    result = check("09.4", (Value, AnnlibMLP, lambda model, X, y: None), show=False)
    assert result.verdict == "wrong" and "YOUR engine" in result.feedback


def test_own_network_needs_the_whole_tuple():
    assert "Expected the tuple" in check("09.4", _own_engine_answer()[1], show=False).feedback
    stub = check("09.4", (chapter_09._Scalar, ..., ...), show=False)
    assert stub.verdict == "not attempted"


def test_own_network_reference_matches_annlib_and_reaches_every_training_point():
    run = chapter_09._own_prepare(chapter_09._own_answer())
    for case, expected in zip(get_exercise("09.4").cases, get_exercise("09.4").expected()):
        assert run(*case) == expected, case


# --- 07.1-07.3 operations with stored local derivatives ------------------------------------------

def _annlib_record(exercise_id, args):
    """What annlib's Value gives for the same case: out.data and the gradients backward() finds."""
    if exercise_id == "07.1":
        a, b, form = args
        x, y = Value(a), Value(b)
        out = {"a * b": lambda: x * y, "a * a": lambda: x * x,
               "a * number": lambda: x * b, "number * a": lambda: b * x}[form]()
        out.backward()
        return (out.data, x.grad, y.grad) if form == "a * b" else (out.data, x.grad)
    x = Value(args[0])
    out = x ** args[1] if exercise_id == "07.2" else x.sigmoid()
    out.backward()
    return (out.data, x.grad)


@pytest.mark.parametrize("exercise_id", ["07.1", "07.2", "07.3"])
def test_operation_records_agree_with_annlibs_backward(exercise_id):
    ex = get_exercise(exercise_id)
    for args, expected in zip(ex.cases, ex.expected()):
        assert np.allclose(_annlib_record(exercise_id, args), expected, rtol=1e-12,
                           atol=1e-12), args
    assert check(exercise_id, ex.solution, show=False).passed


# --- 05.4 one-hot targets and the likelihood ------------------------------------------------------

def _one_hot_numpy(Y, P):
    """Another correct answer: numpy, with the zero terms masked out."""
    Y, P = np.array(Y, dtype=float), np.array(P, dtype=float)
    with np.errstate(divide="ignore"):
        logs = np.where(Y > 0, np.log(np.where(Y > 0, P, 1.0)), 0.0)
    per_example = -logs.sum(axis=1)
    return float(per_example.mean()), float(np.exp(-per_example.sum()))


def test_one_hot_cross_entropy_accepts_numpy_and_matches_annlib():
    assert check("05.4", _one_hot_numpy, show=False).passed
    ex = get_exercise("05.4")
    # the chapter's identity: the mean cross-entropy of the true classes, e^(-n L) = likelihood
    for (Y, P), (loss, likelihood) in zip(ex.cases, ex.expected()):
        assert math.isclose(likelihood, math.exp(-len(Y) * loss), rel_tol=1e-12)
        labels = [row.index(1) for row in Y]
        logits = [[math.log(p) if p > 0 else -1e3 for p in row] for row in P]
        assert math.isclose(losses.cross_entropy(logits, labels).data, loss, rel_tol=1e-9)


def test_one_hot_numpy_without_masking_is_told_about_zero_probabilities():
    def unmasked(Y, P):
        with np.errstate(all="ignore"):
            per_example = -(np.array(Y) * np.log(np.array(P))).sum(axis=1)
        return float(per_example.mean()), float(np.exp(-per_example.sum()))
    assert "0 * ln 0" in check("05.4", unmasked, show=False).feedback


def test_not_attempted_text_names_the_stub_the_learner_sees():
    def stub(*args):
        raise NotImplementedError

    class StubScalar:
        def __init__(self, *args, **kwargs):
            raise NotImplementedError

    code_stub = check("09.4", (StubScalar, stub, stub), show=False)
    assert code_stub.verdict == "not attempted"
    assert "replace `raise NotImplementedError`" in code_stub.feedback
    value_stub = check("06.1", {k: ... for k in ("f", "e", "d", "c", "b", "a")}, show=False)
    assert "replace `...`" in value_stub.feedback


def test_own_network_check_leaves_the_learners_random_state_alone(monkeypatch):
    import random
    monkeypatch.setenv("ANNLIB_GRADING_ISOLATION", "inline")
    random.seed(123)
    before = random.getstate()
    assert check("09.4", chapter_09._own_answer(), show=False).passed
    assert random.getstate() == before


# --- 06.5 reading a gradient -------------------------------------------------------------------

def _read_numpy(grads, dw):
    """Correct: numpy's sign (which gives -0.0 for a zero gradient) and a dot product."""
    return -np.sign(np.array(grads, dtype=float)), np.dot(grads, dw)


def _read_by_comparisons(grads, dw):
    """Correct: the direction as a difference of booleans, the change added up in a loop."""
    dL = 0.0
    for g, d in zip(grads, dw):
        dL += g * d
    return [int(g < 0) - int(g > 0) for g in grads], dL


def _read_with_copysign(grads, dw):
    """Wrong: copysign gives a zero gradient a direction."""
    return [-math.copysign(1, g) for g in grads], sum(g * d for g, d in zip(grads, dw))


@pytest.mark.parametrize("answer, verdict, fragment", [
    (_read_numpy, "passed", "Correct"),
    (_read_by_comparisons, "passed", "Correct"),
    (_read_with_copysign, "wrong", "A zero gradient means"),
    (lambda grads, dw: (np.sign(grads).tolist(), -float(np.dot(grads, dw))), "wrong",
     "Move against the sign"),
    (lambda grads, dw: (_read_numpy(grads, dw)[0], sum(abs(g) * abs(d) for g, d in zip(grads, dw))),
     "wrong", "can only go up"),
])
def test_read_gradients_accepts_other_correct_forms_and_names_mistakes(answer, verdict, fragment):
    result = check("06.5", answer, show=False)
    assert result.verdict == verdict, result.feedback
    assert fragment in result.feedback


def test_read_gradients_predicts_the_change_of_the_chapters_neuron_loss():
    """The first-order prediction agrees with the true change up to O(dw^2)."""
    def loss(w, b):
        return (_sigmoid(w * 2.0 + b) - 0.8) ** 2

    w, b = Value(0.5), Value(-1.0)
    ((w * 2.0 + b).sigmoid() - 0.8).__pow__(2).backward()
    errors = []
    for scale in (1.0, 0.5):
        dw = [0.02 * scale, 0.01 * scale]
        directions, predicted = chapter_06.read_gradients([w.grad, b.grad], dw)
        actual = loss(0.5 + dw[0], -1.0 + dw[1]) - loss(0.5, -1.0)
        assert abs(actual - predicted) < 0.05 * abs(predicted)
        errors.append(abs(actual - predicted))
    assert errors[1] < errors[0] / 3   # halving the step quarters the error: second order
    # moving each weight a little in its direction lowers the loss
    assert loss(0.5 + 0.01 * directions[0], -1.0 + 0.01 * directions[1]) < loss(0.5, -1.0)


# --- 08.5 gradient descent with momentum ---------------------------------------------------------

def _momentum_numpy(grad, w0, lr, n_steps, momentum=0.9):
    w = np.array(w0, dtype=float)
    v = np.zeros_like(w)
    path = [w.copy()]
    for _ in range(n_steps):
        v = momentum * v + np.array(grad(list(w)))
        w = w - lr * v
        path.append(w.copy())
    return path


def _momentum_velocity_with_lr(grad, w0, lr, n_steps, momentum=0.9):
    """Correct (constant lr): the other convention, v = mu v - lr g and w = w + v."""
    w, v, path = list(w0), [0.0] * len(w0), [list(w0)]
    for _ in range(n_steps):
        v = [momentum * vi - lr * gi for vi, gi in zip(v, grad(w))]
        w = [wi + vi for wi, vi in zip(w, v)]
        path.append(w)
    return path


def _momentum_heavy_ball(grad, w0, lr, n_steps, momentum=0.9):
    """Correct: w_next = w - lr g + mu (w - w_previous), with no velocity variable."""
    path = [list(w0)]
    for _ in range(n_steps):
        w = path[-1]
        previous = path[-2] if len(path) > 1 else w
        path.append([wi - lr * gi + momentum * (wi - pi)
                     for wi, gi, pi in zip(w, grad(w), previous)])
    return path


@pytest.mark.parametrize("answer, verdict, fragment", [
    (_momentum_numpy, "passed", "Correct"),
    (_momentum_velocity_with_lr, "passed", "Correct"),
    (_momentum_heavy_ball, "passed", "Correct"),
    (lambda grad, w0, lr, n_steps, momentum=0.5: _momentum_numpy(grad, w0, lr, n_steps, momentum),
     "wrong", "Not quite"),
    (lambda grad, w0, lr, n_steps, momentum=0.9: chapter_08.gradient_descent(grad, w0, lr, n_steps),
     "wrong", "starts from scratch"),
])
def test_momentum_accepts_other_correct_forms_and_checks_the_default(answer, verdict, fragment):
    result = check("08.5", answer, show=False)
    assert result.verdict == verdict, result.feedback
    assert fragment in result.feedback


def test_momentum_reference_agrees_with_annlib_sgd_and_plain_descent():
    ex = get_exercise("08.5")
    run = ex.prepare(chapter_08.momentum_descent)
    sgd = ex.prepare(chapter_08._momentum_with_annlib_sgd)
    cases = list(ex.cases) + list(ex.random_cases(random.Random(0)))
    for case in cases:
        assert run(*case) == sgd(*case), case   # the same operations in the same order
    plain = chapter_08._descent_prepare(chapter_08.gradient_descent)
    for loss, w0, lr, n_steps, momentum in cases:
        if momentum == 0.0:
            assert run(loss, w0, lr, n_steps, 0.0) == plain(loss, w0, lr, n_steps)
    assert any(case[-1] is None for case in cases) and any(case[-1] == 0.0 for case in cases)
