"""Data sets and batching: shapes, labels, determinism, the shipped digits, argument checks."""

# Hypothesis tests run with deadline=None: on a shared machine, time per example
# measures the load, not the code.

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import annlib
from annlib.data import (batches, load_digits, make_blobs, make_circles, make_moons,
                         make_spirals, make_xor, train_test_split)

GENERATORS = {
    "make_moons": (make_moons, 2),
    "make_circles": (make_circles, 2),
    "make_spirals": (make_spirals, 2),
    "make_xor": (make_xor, 2),
    "make_blobs": (make_blobs, 3),
}


@pytest.mark.parametrize("name", GENERATORS)
@pytest.mark.parametrize("n_samples", [4, 7, 100, 301])
def test_generators_give_n_by_2_points_and_balanced_integer_labels(name, n_samples):
    generate, n_classes = GENERATORS[name]
    X, y = generate(n_samples=n_samples, random_state=0)
    assert X.shape == (n_samples, 2) and X.dtype == float
    assert y.shape == (n_samples,) and np.issubdtype(y.dtype, np.integer)
    counts = np.bincount(y, minlength=n_classes)
    assert len(counts) == n_classes and counts.max() - counts.min() <= 1


@pytest.mark.parametrize("name", GENERATORS)
def test_the_same_random_state_gives_the_same_data_and_another_different_data(name):
    generate, _ = GENERATORS[name]
    kwargs = {"cluster_std": 0.5} if name == "make_blobs" else {"noise": 0.2}
    X1, y1 = generate(n_samples=50, random_state=3, **kwargs)
    X2, y2 = generate(n_samples=50, random_state=3, **kwargs)
    X3, _ = generate(n_samples=50, random_state=4, **kwargs)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


def test_moons_without_noise_lie_on_two_half_circles():
    X, y = make_moons(n_samples=60, random_state=0)
    upper, lower = X[y == 0], X[y == 1]
    assert np.allclose(np.hypot(*upper.T), 1.0) and (upper[:, 1] >= -1e-12).all()
    assert np.allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    assert (lower[:, 1] <= 0.5 + 1e-12).all()


def test_circles_without_noise_have_radius_1_and_factor():
    X, y = make_circles(n_samples=40, factor=0.3, random_state=0)
    radius = np.hypot(*X.T)
    assert np.allclose(radius[y == 0], 1.0) and np.allclose(radius[y == 1], 0.3)


def test_xor_without_noise_is_the_four_corners_labelled_by_differing_signs():
    X, y = make_xor(n_samples=40, random_state=0)
    assert set(map(tuple, X.tolist())) == {(-1.0, -1.0), (-1.0, 1.0), (1.0, -1.0), (1.0, 1.0)}
    assert np.array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))


def test_spirals_have_one_arm_per_class_inside_the_unit_disc():
    X, y = make_spirals(n_samples=90, n_classes=3, random_state=0)
    assert sorted(set(y.tolist())) == [0, 1, 2]
    assert np.hypot(*X.T).max() <= 1.0 + 1e-12


def test_blobs_gather_around_the_given_centres():
    centres = [(-5.0, 0.0), (5.0, 5.0)]
    X, y = make_blobs(n_samples=400, centers=centres, cluster_std=0.5, random_state=0)
    for label, centre in enumerate(centres):
        assert np.allclose(X[y == label].mean(axis=0), centre, atol=0.15)


def test_noise_moves_the_points_by_about_its_standard_deviation():
    clean, _ = make_moons(n_samples=2000, random_state=1, shuffle=False)
    noisy, _ = make_moons(n_samples=2000, noise=0.1, random_state=1, shuffle=False)
    # in the same order, the difference is the Gaussian noise itself
    assert np.std(noisy - clean) == pytest.approx(0.1, rel=0.05)
    assert abs(np.mean(noisy - clean)) < 0.01


@pytest.mark.parametrize("call, message", [
    (lambda: make_moons(n_samples=1), "n_samples must be a whole number >= 2, got 1"),
    (lambda: make_moons(n_samples=2.5), "got 2.5"),
    (lambda: make_moons(n_samples=True), "got True"),
    (lambda: make_moons(noise=-0.1), "noise must be a non-negative number, got -0.1"),
    (lambda: make_circles(factor=1.5), "factor must be between 0 and 1"),
    (lambda: make_spirals(n_classes=1), "n_classes must be a whole number >= 2"),
    (lambda: make_xor(n_samples=3), ">= 4, got 3"),
    (lambda: make_blobs(centers=0), "centers must be at least 1"),
    (lambda: make_blobs(centers=[[1.0, 2.0, 3.0]]), "list of \\(x1, x2\\) pairs"),
    (lambda: load_digits(n_classes=11), "from 2 to 10, got 11"),
    (lambda: load_digits(n_classes=1), "from 2 to 10, got 1"),
])
def test_bad_arguments_are_value_errors_saying_what_was_expected(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- the digits ---------------------------------------------------------------------------

def test_load_digits_gives_1797_images_of_64_pixels_from_0_to_16():
    X, y = load_digits()
    assert X.shape == (1797, 64) and y.shape == (1797,)
    assert X.min() == 0 and X.max() == 16 and np.array_equal(X, np.round(X))
    assert sorted(set(y.tolist())) == list(range(10))
    assert np.bincount(y).min() >= 170  # about 180 of each digit


def test_load_digits_as_images_and_restricted_to_fewer_classes():
    images, y = load_digits(return_images=True)
    assert images.shape == (1797, 8, 8)
    assert np.array_equal(images.reshape(-1, 64), load_digits()[0])
    X2, y2 = load_digits(n_classes=2)
    assert sorted(set(y2.tolist())) == [0, 1] and len(y2) == np.sum(y < 2)


def test_the_digits_ship_with_their_source_and_licence():
    readme = (Path(annlib.__file__).parent / "datasets" / "README.md").read_text()
    assert "CC BY 4.0" in readme and "UCI" in readme


# --- splitting and batching -----------------------------------------------------------

def test_train_test_split_is_a_deterministic_partition():
    X, y = np.arange(40).reshape(20, 2), np.arange(20)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
    assert (len(y_train), len(y_test)) == (15, 5)
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(20))
    assert np.array_equal(X_test[:, 0] // 2, y_test)  # rows stay with their labels
    again = train_test_split(X, y, test_size=0.25, random_state=0)
    assert np.array_equal(again[3], y_test)


@pytest.mark.parametrize("call, message", [
    (lambda: train_test_split([[1], [2]], [1], 0.5), "same length, got 2 and 1"),
    (lambda: train_test_split([[1], [2]], [1, 2], 1.5), "fraction between 0 and 1, got 1.5"),
    (lambda: batches([[1], [2]], [1], 1), "same length, got 2 and 1"),
    (lambda: batches([[1], [2]], [1, 2], 0), "None \\(all examples\\) or a whole number >= 1, got 0"),
    (lambda: batches([[1], [2]], [1, 2], 1.5), "got 1.5"),
    (lambda: batches([[1], [2]], [1, 2], True), "got True"),
])
def test_bad_split_and_batch_arguments_are_value_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def _rows(batch_list):
    return [(tuple(x), label) for X_batch, y_batch in batch_list
            for x, label in zip(X_batch.tolist(), y_batch.tolist())]


def test_batch_gradient_descent_uses_one_batch_of_everything():
    X, y = make_moons(n_samples=30, random_state=0)
    (only,) = batches(X, y, batch_size=None, shuffle=False)
    assert np.array_equal(only[0], X) and np.array_equal(only[1], y)


def test_stochastic_gradient_descent_uses_one_example_at_a_time():
    X, y = make_moons(n_samples=30, random_state=0)
    result = batches(X, y, batch_size=1, random_state=0)
    assert len(result) == 30 and all(len(y_batch) == 1 for _, y_batch in result)


@settings(deadline=None)
@given(n=st.integers(1, 60), batch_size=st.integers(1, 70), seed=st.integers(0, 100))
def test_mini_batches_cover_every_example_once_in_batches_of_k(n, batch_size, seed):
    X = np.arange(2 * n, dtype=float).reshape(n, 2)
    y = np.arange(n)
    result = batches(X, y, batch_size=batch_size, random_state=seed)
    sizes = [len(y_batch) for _, y_batch in result]
    assert len(result) == -(-n // batch_size)
    assert all(size == batch_size for size in sizes[:-1]) and 1 <= sizes[-1] <= batch_size
    rows = _rows(result)
    assert sorted(rows) == _rows([(X, y)])  # each example once, with its own label
    assert _rows(batches(X, y, batch_size=batch_size, random_state=seed)) == rows


def test_shuffling_changes_the_order_and_shuffle_false_keeps_it():
    X, y = make_moons(n_samples=50, random_state=0)
    assert _rows(batches(X, y, 10, shuffle=False)) == _rows([(X, y)])
    assert _rows(batches(X, y, 10, random_state=1)) != _rows([(X, y)])
    assert _rows(batches(X, y, 10, random_state=1)) != _rows(batches(X, y, 10, random_state=2))


def test_the_recorded_training_curves_are_what_the_runs_give_today():
    from annlib.data import load_training_curves
    from annlib.grading.chapter_09 import DIAGNOSES, training_curves
    curves, diagnoses = load_training_curves()
    assert diagnoses == DIAGNOSES
    fresh = training_curves()
    assert sorted(curves) == sorted(fresh) == ["A", "B", "C", "D"]
    for run in curves:
        for recorded, computed in zip(curves[run], fresh[run]):
            assert len(recorded) == len(computed) > 0
            # run D's far too large step amplifies last-bit differences between Python
            # builds (2e-8 relative after 60 epochs on 3.10 against 3.11); the others agree
            # to 1e-14
            assert np.allclose(recorded, computed, rtol=1e-6, atol=0), run
