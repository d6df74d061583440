"""Gradient checks against central finite differences, in float64.

The analytic gradient comes from ``backward()``; the numeric one from
(f(x + h) - f(x - h)) / 2h, one input at a time, with the engine's own forward
pass as f (the forward pass itself is checked against closed forms elsewhere).

They must agree to a relative error

    |analytic - numeric| / max(1, |analytic|, |numeric|)  <=  TOLERANCE = 1e-6,

which is the plain relative error for gradients larger than 1, and an absolute
error for smaller ones (near 0, rounding in f(x + h) - f(x - h) dominates).
"""

import numpy as np

from annlib import Value
from annlib.tensor import Tensor

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


# --- the same check for annlib.tensor, element by element -----------------------------

def numeric_tensor_gradients(f, arrays):
    """d f / d arrays[i] for every array and element, by central differences.

    `f` maps a list of float64 arrays to a float.
    """
    grads = []
    for i, x in enumerate(arrays):
        grad = np.zeros_like(x)
        for index in np.ndindex(x.shape):
            h = RELATIVE_STEP * max(1.0, abs(x[index]))
            up = [a.copy() for a in arrays]
            down = [a.copy() for a in arrays]
            up[i][index] += h
            down[i][index] -= h
            grad[index] = (f(up) - f(down)) / (up[i][index] - down[i][index])
        grads.append(grad)
    return grads


def assert_tensor_gradients_match(f_tensors, arrays):
    """backward() agrees with central differences on every element of every input.

    `f_tensors` maps a list of Tensors to a Tensor of any shape; the check
    differentiates L = sum(f * R) for a fixed array R of random weights, so that
    every element of f's output sends back a different upstream gradient.
    """
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    out_shape = f_tensors([Tensor(a) for a in arrays]).shape
    weights = np.random.default_rng(len(arrays)).uniform(0.5, 1.5, size=out_shape)

    def loss(tensors):
        return (f_tensors(tensors) * weights).sum()

    inputs = [Tensor(a, requires_grad=True) for a in arrays]
    loss(inputs).backward()
    numeric = numeric_tensor_gradients(lambda xs: loss([Tensor(a) for a in xs]).item(), arrays)
    for i, (tensor, expected) in enumerate(zip(inputs, numeric)):
        assert tensor.grad is not None and tensor.grad.shape == tensor.shape, (
            f"input {i}: gradient of shape {None if tensor.grad is None else tensor.grad.shape}, "
            f"expected {tensor.shape}")
        for index in np.ndindex(tensor.shape):
            a, n = float(tensor.grad[index]), float(expected[index])
            assert relative_error(a, n) <= TOLERANCE, (
                f"input {i} element {index}: backward() gives {a!r}, finite differences {n!r} "
                f"(relative error {relative_error(a, n):.2e} > {TOLERANCE:g})")
