"""Chapter 11: its exercises (answers a learner would really write) and the claims the chapter
makes (the reference answers agree with annlib's optimisers and layers; the debugging recipe
catches each planted bug).

tests/test_grading_core.py already runs every catalogued wrong answer, stub and solution of
annlib/grading/chapter_11.py; this file adds what the catalogue cannot say.
"""

import math

import numpy as np
import pytest

from annlib import Value
from annlib.data import batches, load_digits, train_test_split
from annlib.grading import check
from annlib.grading import chapter_11 as bank
from annlib.grading.core import get_exercise
from annlib.optim import SGD, Adam
from annlib.tensor import MLP, Tensor, cross_entropy

# The misconceptions the chapter promises to recognise, by exercise.
PROMISED = {
    "11.1": {"zero_init", "fan_out", "variance_as_std", "xavier_scale"},
    "11.2": {"test_statistics", "combined_statistics", "zero_std_not_guarded"},
    "11.3": {"active_at_evaluation", "not_rescaled", "p_as_keep_probability"},
    "11.4": {"no_bias_correction", "no_square_root", "eps_inside_root"},
    "11.5": {"watches_training_loss", "keeps_last_weights"},
}


@pytest.mark.parametrize("exercise_id", sorted(PROMISED))
def test_promised_misconceptions_are_catalogued_with_feedback(exercise_id):
    recognised = {m.name for m in get_exercise(exercise_id).mistakes if m.feedback}
    assert PROMISED[exercise_id] <= recognised


# --- other correct answers pass --------------------------------------------------------------

def _he_uniform(n_in, n_out, rng):
    limit = np.sqrt(6 / n_in)             # uniform on [-l, l] has std l / sqrt(3)
    return rng.uniform(-limit, limit, (n_out, n_in)), np.zeros(n_out)


def _he_standard_normal(n_in, n_out, rng):
    return rng.standard_normal((n_out, n_in)) * (2 / n_in) ** 0.5, np.zeros((n_out,))


def _standardise_in_steps(X_train, X_test):
    mu = np.mean(X_train, axis=0, keepdims=True)
    sigma = np.std(X_train, axis=0, keepdims=True)
    sigma[sigma == 0] = 1
    return (X_train - mu) / sigma, (X_test - mu) / sigma


def _dropout_binomial(a, p, training, rng):
    if training:
        return a * rng.binomial(1, 1 - p, size=a.shape) / (1 - p)
    return a


def _adam_with_torch_ordering(w, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    step_size = lr / (1 - beta1 ** t)
    denom = np.sqrt(v) / np.sqrt(1 - beta2 ** t) + eps
    return w - step_size * m / denom, m, v


def _early_stopping_with_a_counter(train_losses, val_losses, patience):
    best, best_epoch, waited = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best:
            best, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
            if waited == patience:
                return epoch, best_epoch
    return len(val_losses) - 1, best_epoch


@pytest.mark.parametrize("exercise_id, answer", [
    ("11.1", _he_uniform), ("11.1", _he_standard_normal),
    ("11.2", _standardise_in_steps), ("11.3", _dropout_binomial),
    ("11.4", _adam_with_torch_ordering), ("11.5", _early_stopping_with_a_counter),
])
def test_other_correct_ways_of_writing_the_answer_pass(exercise_id, answer):
    assert check(exercise_id, answer, show=False).passed


# --- the references agree with annlib ---------------------------------------------------------

def test_adam_step_reference_equals_annlib_adam_over_several_steps():
    w = Value(0.3)
    optimizer = Adam([w], lr=0.05, betas=(0.8, 0.99), eps=1e-6)
    state = (0.3, 0.0, 0.0)
    for t, g in enumerate([1.0, -0.5, 2.0, 0.1, 0.0], start=1):
        w.grad = g
        optimizer.step()
        state = bank.adam_step(state[0], g, state[1], state[2], t, 0.05, 0.8, 0.99, 1e-6)
        assert w.data == pytest.approx(state[0], rel=1e-14)


def test_reference_dropout_keeps_the_expected_activation():
    a = np.full((1000, 1000), 2.0)
    out = bank.dropout(a, 0.3, True, np.random.default_rng(0))
    assert out.mean() == pytest.approx(2.0, rel=0.005)
    assert bank.dropout(a, 0.3, False, np.random.default_rng(0)) is a


def test_reference_standardise_gives_mean_0_and_std_1_on_the_training_set():
    X_train = np.random.default_rng(0).normal(5, 3, size=(50, 4))
    X_train[:, 2] = 7.0                                           # a constant feature
    train_s, _ = bank.standardise(X_train, X_train[:3])
    assert np.abs(train_s.mean(axis=0)).max() < 1e-12
    assert train_s.std(axis=0) == pytest.approx([1, 1, 0, 1])


# --- the chapter's claims --------------------------------------------------------------------
# The chapter (chapters/11_training_in_practice.ipynb) shows each of these on the digits; here
# each is asserted, with the same networks, seeds and thresholds, so a change to the engine that
# breaks a claim fails a test instead of silently changing a printed number.

SEED = 0


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits()
    X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=0.2, random_state=SEED)
    X_train_raw, X_val_raw, y_train, y_val = train_test_split(X_rest, y_rest, test_size=0.25,
                                                              random_state=SEED)
    X_train, X_val = bank.standardise(X_train_raw, X_val_raw)
    return {"X_train_raw": X_train_raw, "X_train": X_train, "y_train": y_train,
            "X_val": X_val, "y_val": y_val}


def _fit(model, optimizer, X, y, steps):
    for _ in range(steps):
        loss = cross_entropy(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return float(loss.data)


def test_equal_starting_weights_give_equal_hidden_neurons_for_ever(digits):
    model = MLP(64, [16, 10], activation="tanh", random_state=SEED)
    for layer in model.layers:
        layer.W.data = np.full(layer.W.data.shape, 0.1)
    cross_entropy(model(digits["X_train"]), digits["y_train"]).backward()
    assert len(np.unique(model.layers[0].W.grad, axis=0)) == 1
    _fit(model, Adam(model.parameters(), lr=0.01), digits["X_train"], digits["y_train"], 30)
    assert len(np.unique(model.layers[0].W.data, axis=0)) == 1


def _activation_stds(activation, init, X):
    "Std of the activations of ten hidden layers of 100; init is a name or a fixed std."
    model = MLP(64, [100] * 10 + [10], activation=activation,
                init=init if isinstance(init, str) else "uniform", random_state=SEED)
    if not isinstance(init, str):
        rng = np.random.default_rng(SEED)
        for layer in model.layers:
            layer.W.data = rng.normal(0.0, init, layer.W.data.shape)
    a, stds = Tensor(X), []
    for layer in model.layers[:-1]:
        a = getattr(layer(a), activation)()
        stds.append(a.data.std())
    return stds


@pytest.mark.parametrize("activation, init, keeps_scale", [
    ("tanh", "xavier", True), ("relu", "he", True),
    ("tanh", 0.01, False), ("relu", "uniform", False)])
def test_only_xavier_for_tanh_and_he_for_relu_keep_the_signal_through_ten_layers(
        digits, activation, init, keeps_scale):
    stds = _activation_stds(activation, init, digits["X_train"][:500])
    assert (0.1 < stds[-1] / stds[0] < 10) == keeps_scale, stds


def test_standardised_inputs_reach_a_low_loss_in_fewer_steps_at_each_ones_best_rate(digits):
    def fewest_steps(X):
        best = None
        for lr in (0.01, 0.03, 0.1, 0.3, 1.0, 3.0):
            model = MLP(64, [10], random_state=SEED)
            optimizer = SGD(model.parameters(), lr=lr)
            for step in range(1, 301):
                loss = cross_entropy(model(X), digits["y_train"])
                if loss.data < 0.3:
                    best = step if best is None else min(best, step)
                    break
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        return best
    assert 3 * fewest_steps(digits["X_train"]) < fewest_steps(digits["X_train_raw"])


# The debugging recipe: each check passes the correct network and catches the planted bug.

def test_initial_loss_check_catches_unstandardised_inputs(digits):
    ln_k = math.log(10)
    for X, bug in ((digits["X_train"], False), (digits["X_train_raw"], True)):
        loss = float(cross_entropy(MLP(64, [64, 10], random_state=SEED)(X), digits["y_train"]).data)
        assert (abs(loss - ln_k) >= 0.1 * ln_k) == bug, loss


def test_overfitting_a_tiny_batch_catches_an_optimiser_on_another_model(digits):
    X, y = digits["X_train"][:20], digits["y_train"][:20]
    model = MLP(64, [64, 10], random_state=SEED)
    assert _fit(model, Adam(model.parameters(), lr=0.01), X, y, 200) < 0.01
    optimizer = Adam(MLP(64, [64, 10], random_state=SEED).parameters(), lr=0.01)
    model = MLP(64, [64, 10], random_state=SEED)
    assert _fit(model, optimizer, X, y, 200) > 1.0


def _softmax_regression_loss(W, X, y):
    z = X @ W.T
    z = z - z.max(axis=1, keepdims=True)
    return np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(y)), y])


def _softmax_regression_gradient(W, X, y):
    z = X @ W.T
    P = np.exp(z - z.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    P[np.arange(len(y)), y] -= 1
    return P.T @ X / len(y)


def test_numeric_gradient_check_catches_a_gradient_without_its_one_over_n(digits):
    X, y = digits["X_train"][:50], digits["y_train"][:50]
    W = np.random.default_rng(SEED).normal(0, 0.1, (10, 64))
    rng = np.random.default_rng(SEED)
    for gradient, bug in ((_softmax_regression_gradient, False),
                          (lambda W, X, y: _softmax_regression_gradient(W, X, y) * len(y), True)):
        analytic, errors = gradient(W, X, y), []
        for j, k in zip(rng.integers(0, 10, 20), rng.integers(0, 64, 20)):
            W_plus, W_minus = W.copy(), W.copy()
            W_plus[j, k] += 1e-5
            W_minus[j, k] -= 1e-5
            numeric = (_softmax_regression_loss(W_plus, X, y)
                       - _softmax_regression_loss(W_minus, X, y)) / 2e-5
            errors.append(abs(analytic[j, k] - numeric) / (abs(analytic[j, k]) + abs(numeric) + 1e-12))
        assert (max(errors) > 0.5) == bug and (max(errors) < 1e-6) != bug


def test_learning_rate_sweep_puts_adam_at_lr_1_outside_the_working_range(digits):
    def loss_after_three_epochs(lr):
        model = MLP(64, [64, 10], random_state=SEED)
        optimizer = Adam(model.parameters(), lr=lr)
        for epoch in range(1, 4):
            for X_batch, y_batch in batches(digits["X_train"], digits["y_train"], 64,
                                            random_state=epoch):
                _fit(model, optimizer, X_batch, y_batch, 1)
        return float(cross_entropy(model(digits["X_train"]), digits["y_train"]).data)
    assert loss_after_three_epochs(0.01) < 0.5 < math.log(10) < loss_after_three_epochs(1.0)


def test_curves_tell_shuffled_validation_labels_from_overfitting(digits):
    model = MLP(64, [64, 10], random_state=SEED)
    _fit(model, Adam(model.parameters(), lr=0.01), digits["X_train"], digits["y_train"], 100)
    predictions = model(digits["X_val"]).data.argmax(axis=1)
    shuffled = np.random.default_rng(SEED).permutation(digits["y_val"])
    assert np.mean(predictions == digits["y_val"]) > 0.9          # a healthy network
    assert np.mean(predictions == shuffled) < 0.2                 # at chance with the bug


def test_adam_without_bias_correction_takes_a_first_step_about_three_times_too_large():
    first = bank.adam_step(0.0, 1.0, 0.0, 0.0, 1, 0.1, 0.9, 0.999, 0.0)[0]
    uncorrected = 0.1 * 0.1 / math.sqrt(0.001)
    assert first == pytest.approx(-0.1) and uncorrected / 0.1 == pytest.approx(math.sqrt(10))
