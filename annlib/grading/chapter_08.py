"""Graded exercises of chapter 08: gradient descent.

Each exercise: a reference (the decorated function), its cases, hints, and the
catalogue of wrong answers it must recognise (see ``annlib.grading.core``).
The statements live in ``solutions/08_*.ipynb``.
"""

import math

from .common import _any_outcome_contains, _fmt_list, _is_number
from .core import BadAnswer, Mistake, close, exercise


_GRADIENTS = {
    "(w1 - 3)**2": lambda w: [2 * (w[0] - 3)],
    "w1**2 + 10*w2**2": lambda w: [2 * w[0], 20 * w[1]],
    "(w1 - 1)**2 + (w1 + w2)**2": lambda w: [2 * (w[0] - 1) + 2 * (w[0] + w[1]),
                                             2 * (w[0] + w[1])],
    "(w1*w2 - 1)**2": lambda w: [2 * (w[0] * w[1] - 1) * w[1], 2 * (w[0] * w[1] - 1) * w[0]],
}


def _shared_mutable_point(path):
    """The first point object that appears twice in the path (a list or array), or None."""
    seen = set()
    for p in path:
        if not (isinstance(p, list) or hasattr(p, "__array__")):
            continue  # numbers and tuples cannot change after they are appended
        if id(p) in seen:
            return p
        seen.add(id(p))
    return None


def _checked_path(path, name):
    """A learner's path as lists of floats; a text naming a point object appended twice."""
    try:
        path = list(path)
    except TypeError:
        raise BadAnswer(f"{name} should return a list of points, got "
                        f"{type(path).__name__}: {path!r:.60}.") from None
    shared = _shared_mutable_point(path)
    if shared is not None:
        return f"the path holds the same point object {sum(p is shared for p in path)} times"
    try:
        return [[float(v) for v in p] for p in path]
    except TypeError:
        raise BadAnswer("Each point of the path should be a list of numbers (one per "
                        "parameter), such as [0.5] or [1.0, -2.0].") from None


def _descent_prepare(answer):
    if not callable(answer):
        raise BadAnswer(f"Expected your function gradient_descent itself (no parentheses), "
                        f"got {type(answer).__name__}.")

    def run(loss, w0, lr, n_steps):
        return _checked_path(answer(_GRADIENTS[loss], list(w0), lr, n_steps), "gradient_descent")
    return run


def _describe_descent(args):
    loss, w0, lr, n_steps = args
    return (f"gradient_descent(grad, w0={_fmt_list(w0)}, lr={lr!r}, n_steps={n_steps}) with "
            f"grad the gradient of L(w) = {loss}")


@exercise("08.1", "Write the gradient descent update", points=2,
          prepare=_descent_prepare, describe=_describe_descent,
          cases=[("(w1 - 3)**2", [0.0], 0.1, 3),
                 ("w1**2 + 10*w2**2", [1.0, 1.0], 0.05, 4),
                 ("(w1 - 1)**2 + (w1 + w2)**2", [2.0, -1.0], 0.2, 5),
                 ("(w1 - 3)**2", [5.0], 0.3, 0),
                 ("(w1*w2 - 1)**2", [0.5, 1.5], 0.1, 6)],
          random_cases=lambda rng: [
              (name, [round(rng.uniform(-2, 2), 3)
                      for _ in range(1 if name == "(w1 - 3)**2" else 2)],
               rng.choice([0.01, 0.05, 0.1]), rng.randint(1, 8))
              for name in sorted(_GRADIENTS) for _ in range(2)],
          hints=["One step: w_new = w_old - lr * dL/dw, for every parameter; grad(w) gives "
                 "the list of dL/dw_i at w.",
                 "The path starts with w0 itself, then holds one point per step: "
                 "n_steps + 1 points.",
                 "Build each new point as a NEW list ([wi - lr * gi for ...]); changing one "
                 "list in place and appending it again makes every point the same object."])
def gradient_descent(grad, w0, lr, n_steps):
    """[w0, w1, ..., w_n_steps] with w_new = w_old - lr * grad(w_old)."""
    w = list(w0)
    path = [list(w)]
    for _ in range(n_steps):
        g = grad(w)
        w = [wi - lr * gi for wi, gi in zip(w, g)]
        path.append(w)
    return path


@gradient_descent.mistake("ascent",
                          "Your steps go UP the loss: you added lr * gradient. The gradient "
                          "points in the direction of steepest increase, so descent subtracts "
                          "it: w_new = w_old - lr * dL/dw.")
def _(grad, w0, lr, n_steps):
    w, path = list(w0), [list(w0)]
    for _ in range(n_steps):
        w = [wi + lr * gi for wi, gi in zip(w, grad(w))]
        path.append(w)
    return path


@gradient_descent.mistake("start_missing",
                          "Your path is one point short: it must start with w0 itself, then "
                          "one point per step (n_steps + 1 points in all).")
def _(grad, w0, lr, n_steps):
    w, path = list(w0), []
    for _ in range(n_steps):
        w = [wi - lr * gi for wi, gi in zip(w, grad(w))]
        path.append(w)
    return path


@gradient_descent.mistake("forgot_learning_rate",
                          "Your steps ignore the learning rate: w_new = w_old - lr * dL/dw. The "
                          "gradient gives the direction and steepness; lr scales how far to go.")
def _(grad, w0, lr, n_steps):
    w, path = list(w0), [list(w0)]
    for _ in range(n_steps):
        w = [wi - gi for wi, gi in zip(w, grad(w))]
        path.append(w)
    return path


@gradient_descent.mistake("gradient_only_at_start",
                          "You computed the gradient once, at w0, and reused it for every "
                          "step. The gradient changes as w moves: evaluate grad(w) at the "
                          "CURRENT point in each step.")
def _(grad, w0, lr, n_steps):
    w, path, g = list(w0), [list(w0)], grad(list(w0))
    for _ in range(n_steps):
        w = [wi - lr * gi for wi, gi in zip(w, g)]
        path.append(w)
    return path


@gradient_descent.mistake("same_list_every_step",
                          "Your path holds the same list object several times: you change w "
                          "in place (w[i] -= ...) and append that one list after every step, "
                          "so all those points show the final w. Append a copy (list(w)) or "
                          "build a new list each step.",
                          detect=_any_outcome_contains("same point object"))
def _(grad, w0, lr, n_steps):
    w = list(w0)
    path = [w]
    for _ in range(n_steps):
        g = grad(w)
        for i in range(len(w)):
            w[i] -= lr * g[i]
        path.append(w)
    return path


# --- 08.2 choose a learning rate ---------------------------------------------------------

_LR_START, _LR_STEPS, _LR_TARGET = (-2.0, 1.0), 50, 1e-4


def _surface_loss(w1, w2):
    """L(w1, w2) = (w1 - 1)^2 + 10 (w2 + 2)^2: minimum 0 at (1, -2); curvatures 2 and 20."""
    return (w1 - 1) * (w1 - 1) + 10 * (w2 + 2) * (w2 + 2)  # `**` would raise on overflow


def _descent_on_surface(lr, steps=_LR_STEPS):
    """The losses of `steps` steps of gradient descent from _LR_START (inf once it blows up)."""
    w1, w2 = _LR_START
    losses = [_surface_loss(w1, w2)]
    for _ in range(steps):
        w1, w2 = w1 - lr * 2 * (w1 - 1), w2 - lr * 20 * (w2 + 2)
        loss = _surface_loss(w1, w2)
        if not math.isfinite(loss) or loss > 1e12:
            losses.append(math.inf)
            break
        losses.append(loss)
    return losses


def _lr_number(answer):
    if hasattr(answer, "item") and callable(answer.item):
        answer = answer.item()
    return float(answer) if _is_number(answer) else None


def _lr_converges(expected, got):
    lr = _lr_number(got)
    return lr is not None and lr > 0 and _descent_on_surface(lr)[-1] < _LR_TARGET


def _lr_detect(kind):
    def detect(outcomes, expected):
        lr = _lr_number(outcomes[0].value) if outcomes[0].ok else None
        if kind == "not_a_number":
            return lr is None
        if lr is None:
            return False
        if kind == "negative":
            return lr < 0
        if kind == "zero":
            return lr == 0
        if kind == "too_large":
            return lr > 0.1
        if kind == "edge":
            return 0.09 <= lr <= 0.1
        if kind == "too_small":
            return 0 < lr < 0.09
        return False
    return detect


@exercise("08.2", "Choose a learning rate that converges within 50 steps", points=2,
          answer="value", compare=_lr_converges,
          mistakes=[
              Mistake("too_small", 0.01,
                      "Too small: every step goes the right way but covers too little "
                      "ground; after 50 steps the loss is still above 1e-4. The flat "
                      "direction w1 (curvature 2) shrinks its error by a factor (1 - 2 lr) "
                      "per step: make lr larger.", detect=_lr_detect("too_small")),
              Mistake("too_large", 0.15,
                      "Too large: the loss blows up. Along the steep direction w2 "
                      "(curvature 20) each step multiplies the error by (1 - 20 lr); for lr "
                      "above 2/20 = 0.1 that factor is below -1, so w2 overshoots the "
                      "minimum by more each time.", detect=_lr_detect("too_large")),
              Mistake("at_the_edge", 0.1,
                      "At (or just below) the edge of stability: along the steep direction "
                      "w2 each step multiplies the error by (1 - 20 lr), which is close to -1, "
                      "so w2 bounces from side to side and hardly settles in 50 steps. Stay "
                      "clearly below 2/20 = 0.1.", detect=_lr_detect("edge")),
              Mistake("negative", -0.05,
                      "A negative learning rate turns descent into ascent: "
                      "w - lr * gradient then moves UP the loss. Use a positive lr.",
                      detect=_lr_detect("negative")),
              Mistake("zero", 0.0,
                      "With lr = 0 nothing moves: w_new = w_old - 0 * gradient.",
                      detect=_lr_detect("zero")),
              Mistake("not_a_number", "0.07",
                      "Give the learning rate as a number, such as lr = 0.03 (not a string "
                      "or a list).", detect=_lr_detect("not_a_number")),
          ],
          hints=["Try a few values with the cell above and watch the final loss. Too small: "
                 "the loss falls but slowly. Too large: it grows.",
                 "Each direction has its own curvature: 2 for w1, 20 for w2. One step "
                 "multiplies the error in a direction of curvature c by (1 - lr c).",
                 "Stable needs |1 - 20 lr| < 1, so lr < 0.1; fast enough needs (1 - 2 lr)^50 "
                 "small. Something between 0.06 and 0.09 does both."])
def learning_rate():
    """A learning rate that reaches L < 1e-4 within 50 steps (any in about [0.054, 0.093])."""
    return 0.08


# --- 08.3 one epoch of mini-batch gradient descent ---------------------------------------

def _linear_mse_grads(w, b, X, y):
    """Gradient of the mean squared error of y_pred = w . x + b over the examples given."""
    n = len(y)
    dw, db = [0.0] * len(w), 0.0
    for x, t in zip(X, y):
        error = sum(wi * xi for wi, xi in zip(w, x)) + b - t
        for i, xi in enumerate(x):
            dw[i] += 2 * error * xi / n
        db += 2 * error / n
    return dw, db


def _epoch_random(rng):
    cases = []
    for _ in range(12):
        n, d = rng.randint(5, 9), rng.randint(1, 3)
        X = [[round(rng.uniform(-2, 2), 2) for _ in range(d)] for _ in range(n)]
        y = [round(rng.uniform(-3, 3), 2) for _ in range(n)]
        w = [round(rng.uniform(-1, 1), 2) for _ in range(d)]
        cases.append((w, round(rng.uniform(-1, 1), 2), X, y, rng.choice([0.01, 0.05, 0.1]),
                       rng.choice([1, 2, 3, 4])))
    return cases


_X5 = [[1.0], [2.0], [3.0], [4.0], [5.0]]
_Y5 = [3.0, 5.0, 7.0, 9.0, 11.0]


@exercise("08.3", "One epoch of mini-batch gradient descent", points=3,
          cases=[([0.0], 0.0, _X5, _Y5, 0.01, 2),
                 ([0.0], 0.0, _X5, _Y5, 0.01, 1),
                 ([0.0], 0.0, _X5, _Y5, 0.01, 5),
                 ([0.5], 1.0, _X5, _Y5, 0.02, 3),
                 ([0.0], 0.0, _X5, _Y5, 0.01, 10),
                 ([1.0, -1.0], 0.5, [[1.0, 2.0], [0.0, 1.0], [-1.0, 0.5]], [1.0, 0.0, 2.0],
                  0.1, 2)],
          random_cases=_epoch_random,
          hints=["Batches in order: X[0:k], X[k:2k], ...; the last one may be smaller. "
                 "One update per batch.",
                 "For one batch of m examples: error_i = w . x_i + b - y_i; "
                 "dL/dw_j = (2/m) sum_i error_i x_ij and dL/db = (2/m) sum_i error_i.",
                 "Compute each batch's gradient with the CURRENT w and b (after the previous "
                 "batch's update), then w_j -= lr * dL/dw_j and b -= lr * dL/db."])
def minibatch_epoch(w, b, X, y, lr, batch_size):
    """One epoch of mini-batch descent on y_pred = w . x + b with MSE; returns (w, b)."""
    w = list(w)
    for start in range(0, len(y), batch_size):
        dw, db = _linear_mse_grads(w, b, X[start:start + batch_size], y[start:start + batch_size])
        w = [wi - lr * gi for wi, gi in zip(w, dw)]
        b = b - lr * db
    return (w, b)


def _epoch_variant(w, b, X, y, lr, batch_size, scale=1.0, drop_last=False, sign=1.0,
                   stale=False, divide_by_all=False):
    w = list(w)
    w0, b0 = list(w), b
    stop = len(y) - len(y) % batch_size if drop_last else len(y)
    for start in range(0, stop, batch_size):
        Xb, yb = X[start:start + batch_size], y[start:start + batch_size]
        dw, db = _linear_mse_grads(w0 if stale else w, b0 if stale else b, Xb, yb)
        factor = scale * (len(yb) / len(y) if divide_by_all else 1.0)
        w = [wi - sign * lr * factor * gi for wi, gi in zip(w, dw)]
        b = b - sign * lr * factor * db
    return (w, b)


@minibatch_epoch.mistake("sum_not_mean",
                         "Your steps are too large by the batch size: you summed the "
                         "gradients of a batch's examples instead of averaging them. "
                         "The loss of a batch is the MEAN of its squared errors, so "
                         "its gradient carries a 1/m.")
def _(w, b, X, y, lr, batch_size):
    w = list(w)
    for start in range(0, len(y), batch_size):
        Xb, yb = X[start:start + batch_size], y[start:start + batch_size]
        dw, db = _linear_mse_grads(w, b, Xb, yb)
        w = [wi - lr * len(yb) * gi for wi, gi in zip(w, dw)]
        b = b - lr * len(yb) * db
    return (w, b)


@minibatch_epoch.mistake("dropped_last_batch",
                         "You skipped the last, smaller batch. When the number of "
                         "examples is not a multiple of batch_size the final batch "
                         "has fewer examples, but it is still part of the epoch.")
def _(w, b, X, y, lr, batch_size):
    return _epoch_variant(w, b, X, y, lr, batch_size, drop_last=True)


@minibatch_epoch.mistake("one_batch_always",
                         "You made one update on all examples whatever batch_size "
                         "is: that is batch gradient descent. Mini-batch descent "
                         "makes one update per batch of batch_size examples, "
                         "len(X) / batch_size updates per epoch.")
def _(w, b, X, y, lr, batch_size):
    return _epoch_variant(w, b, X, y, lr, len(y))


@minibatch_epoch.mistake("divided_by_all_examples",
                         "You divided each batch's gradient by the number of "
                         "examples in the whole data set. Each batch's loss is the "
                         "mean over ITS m examples: divide by the batch's length.")
def _(w, b, X, y, lr, batch_size):
    return _epoch_variant(w, b, X, y, lr, batch_size, divide_by_all=True)


@minibatch_epoch.mistake("stale_gradients",
                         "You computed every batch's gradient at the epoch's "
                         "starting w and b. Each batch must see the parameters "
                         "after the previous batch's update; that is what makes "
                         "mini-batches take many small steps per epoch.")
def _(w, b, X, y, lr, batch_size):
    return _epoch_variant(w, b, X, y, lr, batch_size, stale=True)


@minibatch_epoch.mistake("ascent",
                         "Your updates go UP the loss: w_new = w_old - lr * dL/dw "
                         "subtracts the gradient.")
def _(w, b, X, y, lr, batch_size):
    return _epoch_variant(w, b, X, y, lr, batch_size, sign=-1.0)


@minibatch_epoch.mistake("forgot_factor_2",
                         "Your steps are half the right size: d/dw (w x + b - y)^2 "
                         "= 2 (w x + b - y) x.")
def _(w, b, X, y, lr, batch_size):
    return _epoch_variant(w, b, X, y, lr, batch_size, scale=0.5)


# --- 08.4 a loss that is not a bowl ---------------------------------------------------------

_KINDS = ("global minimum", "local minimum", "saddle point")


def _cubic_roots(c):
    """The three real roots of 4 w^3 - 4 w + c = 0 (|c| < 8 / (3 sqrt 3)), by bisection."""
    def slope(w):
        return 4 * w ** 3 - 4 * w + c

    turn = 3 ** -0.5  # where the cubic turns: one root left of -turn, one between, one right
    roots = []
    for low, high in ((-2.0, -turn), (-turn, turn), (turn, 2.0)):
        for _ in range(200):
            middle = (low + high) / 2
            if (slope(low) > 0) == (slope(middle) > 0):
                low = middle
            else:
                high = middle
        roots.append((low + high) / 2)
    return roots


def _bumpy(w1, w2, c):
    return (w1 ** 2 - 1) ** 2 + w2 ** 2 + c * w1


def _classified(points, c, kind_of):
    return [(w1, 0.0, kind_of(w1, points, c)) for w1 in points]


def _true_kind(w1, points, c):
    if 12 * w1 ** 2 - 4 < 0:      # curving down along w1, up along w2 (always 2)
        return "saddle point"
    other = [p for p in points if p != w1 and 12 * p ** 2 - 4 > 0][0]
    return "global minimum" if _bumpy(w1, 0, c) < _bumpy(other, 0, c) else "local minimum"


def _nonconvex_random(rng):
    return [(rng.choice((-1, 1)) * round(rng.uniform(0.05, 1.45), 2),) for _ in range(10)]


def _values_are_complex(outcomes, expected):
    def has_complex(x):
        return isinstance(x, complex) or (isinstance(x, (list, tuple)) and any(map(has_complex, x)))
    return any(o.ok and has_complex(o.value) for o in outcomes)


def _right_points_wrong_order(outcomes, expected):
    def key(point):
        w1 = point[0] if isinstance(point, (list, tuple)) and point else None
        return w1 if isinstance(w1, (int, float)) else 0.0
    compare = close(abs=1e-7)
    return (any(o.ok and not compare(e, o.value) for o, e in zip(outcomes, expected))
            and all(o.ok and isinstance(o.value, (list, tuple))
                    and compare(e, sorted(o.value, key=key)) for o, e in zip(outcomes, expected)))


@exercise("08.4", "Find and classify the stationary points of a non-convex loss", points=3,
          cases=[(0.3,), (-0.3,), (1.0,), (-1.2,), (0.05,)], random_cases=_nonconvex_random,
          compare=close(abs=1e-7),
          call_name="stationary_points",
          hints=["The gradient is (4 w1^3 - 4 w1 + c, 2 w2). It is zero where w2 = 0 and w1 is "
                 "a root of the cubic 4 w1^3 - 4 w1 + c: np.roots([4, 0, -4, c]) gives all "
                 "three (take .real and sort them).",
                 "Curvature: d2L/dw1^2 = 12 w1^2 - 4 and d2L/dw2^2 = 2. Up in both directions "
                 "is a minimum; down along w1 but up along w2 is a saddle point, not a maximum.",
                 "Of the two minima, the global one has the LOWER loss: evaluate "
                 "L(w1, 0) = (w1^2 - 1)^2 + c w1 at both. The sign of c decides which side "
                 "wins."])
def stationary_points(c):
    """[(w1, 0.0, kind), ...] sorted by w1, for L = (w1^2 - 1)^2 + w2^2 + c w1."""
    return _classified(_cubic_roots(c), c, _true_kind)


@stationary_points.mistake(
    "saddle_called_maximum",
    "You called the middle point a maximum. Along w1 the surface curves down there "
    "(12 w1^2 - 4 < 0), but along w2 it curves up (d2L/dw2^2 = 2): up in one direction and "
    "down in another is a SADDLE point. A maximum would curve down in every direction.")
def _(c):
    roots = _cubic_roots(c)
    return [(w1, 0.0, "maximum" if kind == "saddle point" else kind)
            for w1, _, kind in _classified(roots, c, _true_kind)]


@stationary_points.mistake(
    "left_minimum_always_global",
    "You always call the left minimum the global one. Which valley is deeper depends on the "
    "tilt c w1: for c > 0 the left (negative w1) valley is lower, for c < 0 the right one. "
    "Compare the loss L(w1, 0) at the two minima; the lower one is global.")
def _(c):
    roots = _cubic_roots(c)
    kinds = ("global minimum", "saddle point", "local minimum")
    return [(w1, 0.0, kind) for w1, kind in zip(roots, kinds)]


@stationary_points.mistake(
    "global_and_local_swapped",
    "You swapped the two minima: the one you call global is the higher one. Global means "
    "LOWEST loss: compute L(w1, 0) = (w1^2 - 1)^2 + c w1 at both minima and compare (the "
    "one farther from 0 is not always the lower).")
def _(c):
    swap = {"global minimum": "local minimum", "local minimum": "global minimum"}
    return [(w1, w2, swap.get(kind, kind)) for w1, w2, kind in stationary_points(c)]


@stationary_points.mistake(
    "sign_of_c_flipped",
    "Your points are the mirror image of the right ones (w1 -> -w1): the derivative of "
    "c w1 is +c, so the points solve 4 w1^3 - 4 w1 + c = 0, not 4 w1^3 - 4 w1 - c = 0.")
def _(c):
    return _classified(_cubic_roots(-c), c, _true_kind)


@stationary_points.mistake(
    "both_minima_global",
    "You labelled both minima the same. They are at different heights (unless c = 0): the "
    "lower one is the \"global minimum\", the other the \"local minimum\".",
    detect=lambda outcomes, expected: any(
        o.ok and isinstance(o.value, (list, tuple))
        and sum(1 for p in o.value if isinstance(p, (list, tuple)) and len(p) == 3
                and p[2] in ("global minimum", "minimum")) == 2
        for o in outcomes))
def _(c):
    return [(w1, 0.0, "saddle point" if kind == "saddle point" else "minimum")
            for w1, _, kind in stationary_points(c)]


@stationary_points.mistake(
    "unsorted",
    "Your points are right but not in order: sort them by w1, from left to right "
    "(np.roots returns them in no promised order).", detect=_right_points_wrong_order)
def _(c):
    return list(reversed(stationary_points(c)))


@stationary_points.mistake(
    "complex_roots",
    "Your w1 values are complex numbers (np.roots returns complex results, here with an "
    "imaginary part 0): take their real part, e.g. float(root.real).",
    detect=_values_are_complex)
def _(c):
    return [(complex(w1, 0.0), w2, kind) for w1, w2, kind in stationary_points(c)]


# --- 08.5 gradient descent with momentum -------------------------------------------------

_DEFAULT = None   # a case whose momentum is _DEFAULT calls the answer without it


def _momentum_prepare(answer):
    if not callable(answer):
        raise BadAnswer(f"Expected your function momentum_descent itself (no parentheses), "
                        f"got {type(answer).__name__}.")

    def run(loss, w0, lr, n_steps, momentum):
        if momentum is _DEFAULT:
            path = answer(_GRADIENTS[loss], list(w0), lr, n_steps)
        else:
            path = answer(_GRADIENTS[loss], list(w0), lr, n_steps, momentum)
        return _checked_path(path, "momentum_descent")
    return run


def _describe_momentum(args):
    loss, w0, lr, n_steps, momentum = args
    given = "" if momentum is _DEFAULT else f", momentum={momentum!r}"
    return (f"momentum_descent(grad, w0={_fmt_list(w0)}, lr={lr!r}, n_steps={n_steps}{given}) "
            f"with grad the gradient of L(w) = {loss}")


def _momentum_random(rng):
    return [(name, [round(rng.uniform(-2, 2), 3)
                    for _ in range(1 if name == "(w1 - 3)**2" else 2)],
             rng.choice([0.01, 0.05, 0.1]), rng.randint(2, 10),
             rng.choice([_DEFAULT, 0.0, 0.5, 0.9, round(rng.uniform(0.1, 0.95), 2)]))
            for name in sorted(_GRADIENTS) for _ in range(3)]


def _momentum_variant(grad, w0, lr, n_steps, momentum=0.9, carry=True, on_weights=False,
                      mixed_signs=False, dampened=False, weights_first=False):
    """The path of 08.5 with one misconception switched on (the correct path by default)."""
    w, v = list(w0), [0.0] * len(w0)
    path = [list(w)]
    for _ in range(n_steps):
        g = grad(w)
        if on_weights:
            w = [momentum * wi - lr * gi for wi, gi in zip(w, g)]
            path.append(w)
            continue
        old_v = v
        if mixed_signs:
            v = [momentum * vi - lr * gi for vi, gi in zip(v, g)]
            w = [wi - vi for wi, vi in zip(w, v)]
            path.append(w)
            continue
        kept = momentum if carry else 0.0
        scale = 1 - momentum if dampened else 1.0
        v = [kept * vi + scale * gi for vi, gi in zip(v, g)]
        w = [wi - lr * vi for wi, vi in zip(w, old_v if weights_first else v)]
        path.append(w)
    return path


def _needs_momentum(outcomes, expected, cases):
    """A call without momentum fails with a TypeError that names it."""
    return any(not o.ok and o.error[0] == "TypeError" and "momentum" in o.error[1]
               for o in outcomes)


def _momentum_with_annlib_sgd(grad, w0, lr, n_steps, momentum=0.9):
    from annlib import Value
    from annlib.optim import SGD
    params = [Value(wi) for wi in w0]
    optimizer = SGD(params, lr=lr, momentum=momentum)
    path = [list(w0)]
    for _ in range(n_steps):
        for p, gi in zip(params, grad([p.data for p in params])):
            p.grad = gi
        optimizer.step()
        path.append([p.data for p in params])
    return path


def _momentum_in_place(grad, w0, lr, n_steps, momentum=0.9):
    w, v = list(w0), [0.0] * len(w0)
    path = [w]
    for _ in range(n_steps):
        g = grad(w)
        for i in range(len(w)):
            v[i] = momentum * v[i] + g[i]
            w[i] -= lr * v[i]
        path.append(w)
    return path


@exercise("08.5", "Write gradient descent with momentum", points=3,
          prepare=_momentum_prepare, describe=_describe_momentum,
          forbidden={"annlib.optim.SGD": "write the velocity and the update yourself, with "
                                         "plain numbers"},
          cases=[("(w1 - 3)**2", [0.0], 0.1, 3, 0.9),
                 ("(w1 - 3)**2", [0.0], 0.1, 3, _DEFAULT),
                 ("w1**2 + 10*w2**2", [1.0, 1.0], 0.05, 5, 0.5),
                 ("(w1 - 1)**2 + (w1 + w2)**2", [2.0, -1.0], 0.1, 4, 0.0),
                 ("(w1 - 3)**2", [5.0], 0.3, 0, 0.9),
                 ("(w1*w2 - 1)**2", [0.5, 1.5], 0.1, 6, _DEFAULT)],
          random_cases=_momentum_random,
          mistakes=[
              Mistake("velocity_not_carried",
                      lambda grad, w0, lr, n_steps, momentum=0.9: _momentum_variant(
                          grad, w0, lr, n_steps, momentum, carry=False),
                      "Your velocity starts from scratch at every step (v = gradient), so the "
                      "path is plain gradient descent whatever the momentum. v must survive "
                      "from one step to the next: v = momentum * v + gradient, with v set to "
                      "0 once, before the loop."),
              Mistake("momentum_on_the_weights",
                      lambda grad, w0, lr, n_steps, momentum=0.9: _momentum_variant(
                          grad, w0, lr, n_steps, momentum, on_weights=True),
                      "You multiplied the WEIGHTS by the momentum (w = momentum * w - lr * "
                      "gradient), which pulls every weight towards 0 at each step. Momentum "
                      "scales the velocity, the memory of past gradients: v = momentum * v + "
                      "gradient, then w = w - lr * v."),
              Mistake("mixed_sign_conventions",
                      lambda grad, w0, lr, n_steps, momentum=0.9: _momentum_variant(
                          grad, w0, lr, n_steps, momentum, mixed_signs=True),
                      "Your steps go UP the loss: you mixed two conventions. Either "
                      "v = momentum * v + gradient and w = w - lr * v (the course's and "
                      "PyTorch's), or v = momentum * v - lr * gradient and w = w + v; with "
                      "v = momentum * v - lr * gradient the velocity already points downhill, "
                      "so subtracting it climbs."),
              Mistake("dampened_gradient",
                      lambda grad, w0, lr, n_steps, momentum=0.9: _momentum_variant(
                          grad, w0, lr, n_steps, momentum, dampened=True),
                      "You added (1 - momentum) * gradient to the velocity: that running "
                      "average is Adam's first moment, not momentum. The course (like "
                      "PyTorch's SGD) adds the whole gradient: v = momentum * v + gradient, "
                      "so on a steady slope the steps grow to 1 / (1 - momentum) times "
                      "plain descent's."),
              Mistake("weights_before_velocity",
                      lambda grad, w0, lr, n_steps, momentum=0.9: _momentum_variant(
                          grad, w0, lr, n_steps, momentum, weights_first=True),
                      "You moved w with the OLD velocity and updated v afterwards, so the "
                      "first step does not move at all and every step lags one gradient "
                      "behind. Update the velocity first (v = momentum * v + gradient), then "
                      "move: w = w - lr * v."),
              Mistake("start_missing",
                      lambda grad, w0, lr, n_steps, momentum=0.9: _momentum_variant(
                          grad, w0, lr, n_steps, momentum)[1:],
                      "Your path is one point short: it must start with w0 itself, then "
                      "one point per step (n_steps + 1 points in all)."),
              Mistake("same_list_every_step", _momentum_in_place,
                      "Your path holds the same list object several times: you change w in "
                      "place (w[i] -= ...) and append that one list after every step, so all "
                      "those points show the final w. Append a copy (list(w)) or build a new "
                      "list each step.", detect=_any_outcome_contains("same point object")),
              Mistake("no_default",
                      lambda grad, w0, lr, n_steps, momentum: _momentum_variant(
                          grad, w0, lr, n_steps, momentum),
                      "Your function cannot be called without momentum. The statement's "
                      "signature is momentum_descent(grad, w0, lr, n_steps, momentum=0.9): "
                      "give momentum the default value 0.9.", detect=_needs_momentum),
              Mistake("annlib_optimizer", _momentum_with_annlib_sgd,
                      "You let annlib.optim.SGD(momentum=...) do the update. The statement "
                      "asks you to write it yourself: keep one velocity per weight, "
                      "v = momentum * v + gradient, then w = w - lr * v. (SGD is a fine way "
                      "to CHECK your path, in a cell of your own.)"),
          ],
          hints=["Keep one velocity per weight, all 0 before the first step. Each step: "
                 "g = grad(w), then v_i = momentum * v_i + g_i, then w_i = w_i - lr * v_i.",
                 "The velocity must live OUTSIDE the loop so it carries past gradients from "
                 "step to step; with momentum = 0 you get plain gradient descent (08.1).",
                 "The path starts with w0 and holds one NEW list per step: n_steps + 1 "
                 "points. Give momentum the default 0.9 in the def line."])
def momentum_descent(grad, w0, lr, n_steps, momentum=0.9):
    """[w0, w1, ..., w_n_steps] with v = momentum * v + grad(w), w = w - lr * v, v = 0 first."""
    w, v = list(w0), [0.0] * len(w0)
    path = [list(w)]
    for _ in range(n_steps):
        g = grad(w)
        v = [momentum * vi + gi for vi, gi in zip(v, g)]
        w = [wi - lr * vi for wi, vi in zip(w, v)]
        path.append(w)
    return path
