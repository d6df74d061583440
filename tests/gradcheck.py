"""Gradient checks against central finite differences, in float64.

The analytic gradient comes from ``backward()``; the numeric one from
(f(x + h) - f(x - h)) / 2h, one input at a time, with the engine's own forward
pass as f (the forward pass itself is checked against closed forms elsewhere).

They must agree to a relative error

    |analytic - numeric| / max(1, |analytic|, |numeric|)  <=  TOLERANCE = 1e-6,

which is the plain relative error for gradients larger than 1, and an absolute
error for smaller ones (near 0, rounding in f(x + h) - f(x - h) dominates).
"""

from annlib import Value

TOLERANCE = 1e-6
RELATIVE_STEP = 1e-6  # h = RELATIVE_STEP * max(1, |x|)


def numeric_gradients(f, xs):
    """d f / d xs[i] for every i, by central differences; f maps a list of floats to a float."""
    grads = []
    for i, x in enumerate(xs):
        h = RELATIVE_STEP * max(1.0, abs(x))
        up, down = list(xs), list(xs)
        up[i], down[i] = x + h, x - h
        # divide by the step actually taken: (x + h) - (x - h) is not exactly 2h in floats
        grads.append((f(up) - f(down)) / (up[i] - down[i]))
    return grads


def analytic_gradients(f_values, xs):
    """(f(xs), [df/dx_i]) from the engine: f_values maps a list of Values to one Value."""
    inputs = [Value(x) for x in xs]
    out = f_values(inputs)
    out.backward()
    return out.data, [v.grad for v in inputs]


def relative_error(analytic, numeric):
    return abs(analytic - numeric) / max(1.0, abs(analytic), abs(numeric))


def assert_gradients_match(f_values, xs):
    """backward() agrees with central differences on every input of f_values at xs."""
    _, analytic = analytic_gradients(f_values, xs)
    numeric = numeric_gradients(lambda point: f_values([Value(x) for x in point]).data, xs)
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        assert relative_error(a, n) <= TOLERANCE, (
            f"input {i} of {xs}: backward() gives {a!r}, finite differences {n!r} "
            f"(relative error {relative_error(a, n):.2e} > {TOLERANCE:g})"
        )
