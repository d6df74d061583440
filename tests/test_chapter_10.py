"""The exercises of chapter 10 (backpropagation in matrix form), beyond the catalogue.

tests/test_grading_core.py already runs every catalogued wrong answer, stub and
solution. This file proves what the catalogue cannot say: that the references are
the true gradients (central finite differences and annlib's scalar autograd), that
other correct ways of writing an answer pass, that an answer which changes its
arguments in place is refused, and that every exercise tests non-square shapes.
"""

import numpy as np
import pytest

from annlib import Value
from annlib.grading import check
from annlib.grading import chapter_10 as chapter
from annlib.grading.core import get_exercise
from annlib.losses import cross_entropy

IDS = ["10.1", "10.2", "10.3", "10.4", "10.5", "10.6"]


def _numeric_gradient(f, x, h=1e-6):
    """Central differences of the scalar f() with respect to every entry of the array x."""
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + h
        up = f()
        x[index] = old - h
        down = f()
        x[index] = old
        grad[index] = (up - down) / (2 * h)
    return grad


def _mean_cross_entropy(Z, y):
    shifted = Z - Z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(y)), y].mean()


def _assert_close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("case", get_exercise("10.2").cases)
def test_linear_backward_reference_is_the_gradient_of_a_weighted_sum_of_Z(case):
    X, W, G = (a.copy() for a in case)
    b = np.zeros(W.shape[0])
    loss = lambda: float(np.sum(G * (X @ W.T + b)))  # dL/dZ = G exactly  # noqa: E731
    dX, dW, db = chapter.linear_backward(X, W, G)
    _assert_close(dX, _numeric_gradient(loss, X))
    _assert_close(dW, _numeric_gradient(loss, W))
    _assert_close(db, _numeric_gradient(loss, b))


@pytest.mark.parametrize("case", get_exercise("10.3").cases[:4] + get_exercise("10.3").cases[6:])
def test_softmax_cross_entropy_reference_is_the_gradient_of_the_mean_loss(case):
    Z, y = case[0].copy(), case[1]
    _assert_close(chapter.softmax_cross_entropy_grad(Z, y),
                  _numeric_gradient(lambda: _mean_cross_entropy(Z, y), Z))


def test_softmax_cross_entropy_reference_is_finite_and_exact_for_logits_of_1000():
    Z = np.array([[1000.0, 0.0, -1000.0]])
    got = chapter.softmax_cross_entropy_grad(Z, np.array([1]))
    assert np.all(np.isfinite(got))
    _assert_close(got, [[1.0, -1.0, 0.0]])


@pytest.mark.parametrize("case", get_exercise("10.4").cases)
def test_hidden_error_reference_is_the_gradient_through_tanh(case):
    G, W, Z = (a.copy() for a in case)
    loss = lambda: float(np.sum(G * (np.tanh(Z) @ W.T)))  # noqa: E731
    _assert_close(chapter.hidden_error(G, W, Z), _numeric_gradient(loss, Z))


@pytest.mark.parametrize("case", get_exercise("10.5").cases)
def test_sum_to_shape_is_the_gradient_of_a_broadcast_operand(case):
    grad, shape = case
    operand = np.zeros(shape)
    weights = grad.copy()
    loss = lambda: float(np.sum(weights * (operand + np.zeros(grad.shape))))  # noqa: E731
    got = chapter.sum_to_shape(grad, shape)
    assert np.shape(got) == shape
    _assert_close(got, _numeric_gradient(loss, operand))


def _net_loss(X, y, W1, b1, W2, b2):
    return _mean_cross_entropy(np.tanh(X @ W1.T + b1) @ W2.T + b2, y)


@pytest.mark.parametrize("case", get_exercise("10.6").cases)
def test_two_layer_reference_agrees_with_finite_differences(case):
    X, y, W1, b1, W2, b2 = (a.copy() for a in case)
    got = chapter.two_layer_gradients(X, y, W1, b1, W2, b2)
    for parameter, gradient in zip((W1, b1, W2, b2), got):
        numeric = _numeric_gradient(lambda: _net_loss(X, y, W1, b1, W2, b2), parameter)
        _assert_close(gradient, numeric)


def test_two_layer_reference_agrees_with_the_scalar_engine():
    X, y, W1, b1, W2, b2 = get_exercise("10.6").cases[2]
    params = [np.vectorize(Value, otypes=[object])(p) for p in (W1, b1, W2, b2)]
    vW1, vb1, vW2, vb2 = params
    logits = []
    for x in X:
        a1 = [(sum(w * xi for w, xi in zip(row, x)) + b).tanh() for row, b in zip(vW1, vb1)]
        logits.append([sum(w * a for w, a in zip(row, a1)) + b for row, b in zip(vW2, vb2)])
    cross_entropy(logits, [int(t) for t in y]).backward()
    for value_array, gradient in zip(params, chapter.two_layer_gradients(X, y, W1, b1, W2, b2)):
        _assert_close(np.vectorize(lambda v: v.grad)(value_array), gradient)


# --- other correct answers pass ------------------------------------------------------

def _loop_backward(X, W, G):
    dX, dW, db = np.zeros(X.shape), np.zeros(W.shape), np.zeros(W.shape[0])
    for i in range(len(X)):
        dW += np.outer(G[i], X[i])
        db += G[i]
        dX[i] = W.T @ G[i]
    return dX, dW, db


def _log_softmax_grad(Z, y):
    shifted = Z - Z.max(axis=1, keepdims=True)
    P = np.exp(shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True)))
    P[np.arange(len(y)), y] -= 1.0   # P is a new array: changing it is fine
    return P / len(y)


def _reduce_to_shape(grad, shape):
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(extra + i for i, s in enumerate(shape) if s == 1)
    return grad.sum(axis=axes).reshape(shape)


@pytest.mark.parametrize("exercise_id, answer", [
    ("10.1", lambda X, W, b: np.einsum("ik,jk->ij", X, W) + b),
    ("10.1", lambda X, W, b: (W @ X.T).T + b[None, :]),
    ("10.2", _loop_backward),
    ("10.2", lambda X, W, G: (np.dot(G, W), np.einsum("ij,ik->jk", G, X), np.sum(G, 0))),
    ("10.3", _log_softmax_grad),
    ("10.4", lambda G, W, Z: (G @ W) / np.cosh(Z) ** 2),
    ("10.5", _reduce_to_shape),
    ("10.6", lambda *args: tuple(np.array(g) for g in chapter._two_layer(*args))),
])
def test_other_correct_answers_pass(exercise_id, answer):
    result = check(exercise_id, answer, show=False)
    assert result.passed, result.feedback


# --- arguments changed in place are refused ------------------------------------------

def _mutating(reference, index):
    def answer(*args):
        result = reference(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
        args[index][...] = 0.0 if args[index].dtype.kind == "f" else 0
        return result
    return answer


@pytest.mark.parametrize("exercise_id", IDS)
def test_an_answer_that_changes_an_argument_in_place_is_refused_by_name(exercise_id):
    ex = get_exercise(exercise_id)
    names = [n for n, a in zip(ex.arg_names, ex.cases[0]) if isinstance(a, np.ndarray)]
    for name in names:
        index = list(ex.arg_names).index(name)
        result = check(exercise_id, _mutating(ex.reference, index), show=False)
        assert result.verdict == "wrong"
        assert f"changed its argument {name} in place" in result.feedback


def test_the_grader_never_changes_the_cases():
    before = [[np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in case]
              for case in get_exercise("10.3").cases]
    mistake = next(m for m in get_exercise("10.3").mistakes if m.name == "shifted_logits_in_place")
    assert check("10.3", mistake.answer, show=False).verdict == "wrong"
    for old, case in zip(before, get_exercise("10.3").cases):
        np.testing.assert_array_equal(old[0], case[0])


# --- shapes ------------------------------------------------------------------------------

@pytest.mark.parametrize("exercise_id", ["10.1", "10.2", "10.4", "10.6"])
def test_each_matrix_exercise_has_cases_with_all_sizes_different_and_a_square_one(exercise_id):
    ex = get_exercise(exercise_id)
    sizes = [{d for a in case if isinstance(a, np.ndarray) and a.dtype.kind == "f"
              for d in a.shape} for case in ex.cases]
    dims = [[a.shape for a in case if isinstance(a, np.ndarray) and a.ndim == 2]
            for case in ex.cases]
    oblong = [s for s, d in zip(sizes, dims) if all(r != c for r, c in d) and len(s) >= 3]
    square = [d for d in dims if all(r == c for r, c in d)]
    assert oblong and square


@pytest.mark.parametrize("exercise_id, name, fragment", [
    ("10.1", "x_times_w", "X @ W.T + b"),
    ("10.2", "db_not_summed", "G.sum(axis=0)"),
    ("10.2", "dW_transposed", "dW = G.T @ X"),
    ("10.3", "forgot_subtract_y", "(P - Y) / n"),
    ("10.3", "divided_by_n_twice", "twice"),
    ("10.4", "matrix_product_with_derivative", "element by element"),
    ("10.5", "mean_not_sum", "sum, do not average"),
    ("10.6", "no_one_over_n", "n times too large"),
    ("10.6", "bias_not_summed", "SUM of the rows"),
    ("10.6", "no_minus_y", "the targets are missing"),
    ("10.3", "forgot_one_over_n", "MEAN over the n examples"),
    ("10.2", "dX_through_W_transposed", "only runs when n_in == n_out"),
    ("10.4", "through_W_transposed", "only runs when n_out == n_hidden"),
])
def test_the_promised_misconceptions_are_catalogued(exercise_id, name, fragment):
    mistake = next(m for m in get_exercise(exercise_id).mistakes if m.name == name)
    assert fragment in mistake.feedback


def test_a_right_answer_returned_as_a_list_passes_and_a_wrong_one_is_not_called_a_shape_error():
    assert check("10.2", lambda X, W, G: list(chapter.linear_backward(X, W, G)), show=False).passed
    wrong = check("10.2", lambda X, W, G: [G @ W, G.T @ X, G.sum(axis=0) + 1.0], show=False)
    assert wrong.verdict == "wrong" and "wrong shape" not in wrong.feedback


def test_an_answer_that_returns_nothing_is_told_so_not_called_a_shape_error():
    result = check("10.1", lambda X, W, b: None, show=False)
    assert result.verdict == "wrong" and "returned None" in result.feedback
    assert "wrong shape" not in result.feedback
