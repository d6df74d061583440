"""Chapter 11: its exercises (answers a learner would really write) and the claims the chapter
makes (the reference answers agree with annlib's optimisers and layers; the debugging recipe
catches each planted bug).

tests/test_grading_core.py already runs every catalogued wrong answer, stub and solution of
annlib/grading/chapter_11.py; this file adds what the catalogue cannot say.
"""

import numpy as np
import pytest

from annlib import Value
from annlib.grading import check
from annlib.grading import chapter_11 as bank
from annlib.grading.core import get_exercise
from annlib.optim import Adam

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
