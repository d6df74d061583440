"""Data sets for the course, and `batches` for batch, stochastic and mini-batch descent.

The synthetic generators follow scikit-learn's conventions: ``n_samples``,
``noise``, ``random_state``; each returns ``(X, y)`` as numpy arrays, X of
shape (n_samples, 2) and y of integer class labels 0, 1, ... The same
``random_state`` always gives the same data.

The real data set, `load_digits`, is the 8x8 handwritten digits set shipped
inside this package (see ``annlib/datasets/README.md`` for its source and licence).
"""

import gzip
import json
import math
from pathlib import Path

import numpy as np

__all__ = ["make_moons", "make_circles", "make_spirals", "make_xor", "make_blobs",
           "load_digits", "load_training_curves", "train_test_split", "batches"]

_DATA_DIR = Path(__file__).parent / "datasets"


def _check_n(n_samples, minimum=2):
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) \
            or n_samples < minimum:
        raise ValueError(f"n_samples must be a whole number >= {minimum}, got {n_samples!r}")
    return int(n_samples)


def _check_noise(noise):
    if noise is None:
        return 0.0
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or noise < 0:
        raise ValueError(f"noise must be a non-negative number, got {noise!r}")
    return float(noise)


def _finish(X, y, noise, rng, shuffle=True):
    """Add Gaussian noise and shuffle the examples (same rng, so deterministic)."""
    if noise:
        X = X + rng.normal(scale=noise, size=X.shape)
    if shuffle:
        order = rng.permutation(len(y))
        X, y = X[order], y[order]
    return X, y.astype(int)


def _split(n_samples, n_classes):
    """How many examples each class gets: as even as possible, earlier classes first."""
    return [n_samples // n_classes + (1 if c < n_samples % n_classes else 0)
            for c in range(n_classes)]


def make_moons(n_samples=100, noise=None, random_state=None, shuffle=True):
    """Two interleaving half circles: a data set no straight line can separate.

    >>> X, y = make_moons(n_samples=100, noise=0.1, random_state=0)
    >>> X.shape, sorted(set(y.tolist()))
    ((100, 2), [0, 1])
    """
    n_samples, noise = _check_n(n_samples), _check_noise(noise)
    rng = np.random.default_rng(random_state)
    n_upper, n_lower = _split(n_samples, 2)
    t_upper = np.linspace(0, math.pi, n_upper)
    t_lower = np.linspace(0, math.pi, n_lower)
    X = np.vstack([
        np.column_stack([np.cos(t_upper), np.sin(t_upper)]),
        np.column_stack([1 - np.cos(t_lower), 0.5 - np.sin(t_lower)]),
    ])
    y = np.repeat([0, 1], [n_upper, n_lower])
    return _finish(X, y, noise, rng, shuffle)


def make_circles(n_samples=100, noise=None, random_state=None, factor=0.5, shuffle=True):
    """A small circle (class 1) inside a large one (class 0); `factor` = inner radius / outer."""
    n_samples, noise = _check_n(n_samples), _check_noise(noise)
    if not 0 < factor < 1:
        raise ValueError(f"factor must be between 0 and 1 (exclusive), got {factor!r}")
    rng = np.random.default_rng(random_state)
    n_outer, n_inner = _split(n_samples, 2)
    t_outer = np.linspace(0, 2 * math.pi, n_outer, endpoint=False)
    t_inner = np.linspace(0, 2 * math.pi, n_inner, endpoint=False)
    X = np.vstack([
        np.column_stack([np.cos(t_outer), np.sin(t_outer)]),
        factor * np.column_stack([np.cos(t_inner), np.sin(t_inner)]),
    ])
    y = np.repeat([0, 1], [n_outer, n_inner])
    return _finish(X, y, noise, rng, shuffle)


def make_spirals(n_samples=100, noise=None, random_state=None, n_classes=2,
                 turns=1.5, shuffle=True):
    """`n_classes` spiral arms wound around the origin, one class per arm."""
    n_samples, noise = _check_n(n_samples), _check_noise(noise)
    if isinstance(n_classes, bool) or not isinstance(n_classes, int) or n_classes < 2:
        raise ValueError(f"n_classes must be a whole number >= 2, got {n_classes!r}")
    rng = np.random.default_rng(random_state)
    arms, labels = [], []
    for c, n in enumerate(_split(n_samples, n_classes)):
        r = np.linspace(0.1, 1.0, n)
        t = 2 * math.pi * (turns * r + c / n_classes)
        arms.append(np.column_stack([r * np.cos(t), r * np.sin(t)]))
        labels.append(np.full(n, c))
    return _finish(np.vstack(arms), np.concatenate(labels), noise, rng, shuffle)


def make_xor(n_samples=100, noise=None, random_state=None, shuffle=True):
    """Points in the four quadrants of [-1, 1]^2; class 1 where x1 and x2 differ in sign.

    With ``noise=None`` the points are the four corners (+-1, +-1) repeated.
    """
    n_samples, noise = _check_n(n_samples, minimum=4), _check_noise(noise)
    rng = np.random.default_rng(random_state)
    corners = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    counts = _split(n_samples, 4)
    X = np.repeat(corners, counts, axis=0)
    y = np.repeat([0, 1, 1, 0], counts)
    return _finish(X, y, noise, rng, shuffle)


def make_blobs(n_samples=100, centers=3, cluster_std=1.0, random_state=None,
               center_box=(-5.0, 5.0), shuffle=True):
    """Gaussian blobs in 2-D, one class per centre.

    `centers` is a number of centres (placed at random in `center_box`) or a
    list of (x1, x2) centres.
    """
    n_samples = _check_n(n_samples, minimum=1)
    rng = np.random.default_rng(random_state)
    if isinstance(centers, (int, np.integer)) and not isinstance(centers, bool):
        if centers < 1:
            raise ValueError(f"centers must be at least 1, got {centers!r}")
        centers = rng.uniform(center_box[0], center_box[1], size=(int(centers), 2))
    centers = np.asarray(centers, dtype=float)
    if centers.ndim != 2 or centers.shape[1] != 2:
        raise ValueError(f"centers must be a number or a list of (x1, x2) pairs, "
                         f"got an array of shape {centers.shape}")
    counts = _split(n_samples, len(centers))
    X = np.repeat(centers, counts, axis=0)
    y = np.repeat(np.arange(len(centers)), counts)
    return _finish(X, y, _check_noise(cluster_std), rng, shuffle)


def load_digits(n_classes=10, return_images=False):
    """The 8x8 handwritten digits: 1,797 images, 64 pixels each with values 0 to 16.

    Returns ``(X, y)``: X of shape (n, 64) (float), y the digit 0-9. With
    ``return_images=True`` X has shape (n, 8, 8) instead. ``n_classes=k`` keeps
    only the digits 0 to k-1.

    Source: UCI Machine Learning Repository, "Optical Recognition of Handwritten
    Digits" (E. Alpaydin, C. Kaynak, 1998), CC BY 4.0; the 1,797-image test set.
    """
    if isinstance(n_classes, bool) or not isinstance(n_classes, int) or not 2 <= n_classes <= 10:
        raise ValueError(f"n_classes must be a whole number from 2 to 10, got {n_classes!r}")
    with gzip.open(_DATA_DIR / "digits.csv.gz", "rt") as f:
        table = np.loadtxt(f, delimiter=",")
    X, y = table[:, :64], table[:, 64].astype(int)
    keep = y < n_classes
    X, y = X[keep], y[keep]
    if return_images:
        X = X.reshape(-1, 8, 8)
    return X, y


def load_training_curves():
    """Four recorded training runs on two moons, to read like a practitioner (exercise 09.3).

    Returns ``(curves, diagnoses)``: ``curves["A"]`` is ``(training_losses,
    validation_losses)``, one loss per epoch, for runs "A" to "D"; ``diagnoses``
    are the four readings a run can get. The runs were recorded with the scalar
    engine; which run shows what is for the learner to find out.
    """
    with open(_DATA_DIR / "training_curves.json") as f:
        recorded = json.load(f)
    curves = {run: (tuple(losses["training"]), tuple(losses["validation"]))
              for run, losses in recorded["runs"].items()}
    return curves, tuple(recorded["diagnoses"])


def train_test_split(X, y, test_size=0.25, random_state=None):
    """Shuffle and split into (X_train, X_test, y_train, y_test), like scikit-learn's."""
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same length, got {len(X)} and {len(y)}")
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be a fraction between 0 and 1, got {test_size!r}")
    n_test = max(1, int(round(test_size * len(y))))
    order = np.random.default_rng(random_state).permutation(len(y))
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def batches(X, y, batch_size=None, shuffle=True, random_state=None):
    """Split (X, y) into batches for one epoch of gradient descent.

    * ``batch_size=None`` (or ``len(X)``): batch gradient descent, one batch of everything;
    * ``batch_size=1``: stochastic gradient descent, one example at a time;
    * ``batch_size=k``: mini-batch gradient descent, batches of k (the last may be smaller).

    Returns a list of ``(X_batch, y_batch)`` pairs.

    >>> X, y = make_moons(n_samples=100, random_state=0)
    >>> [len(y_batch) for X_batch, y_batch in batches(X, y, batch_size=32)]
    [32, 32, 32, 4]
    """
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same length, got {len(X)} and {len(y)}")
    n = len(y)
    if batch_size is None:
        batch_size = n
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
            or batch_size < 1:
        raise ValueError(f"batch_size must be None (all examples) or a whole number >= 1, "
                         f"got {batch_size!r}")
    order = np.random.default_rng(random_state).permutation(n) if shuffle else np.arange(n)
    return [(X[order[i:i + batch_size]], y[order[i:i + batch_size]])
            for i in range(0, n, batch_size)]
