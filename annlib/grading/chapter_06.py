"""Graded exercises of chapter 06: backpropagation.

Each exercise: a reference (the decorated function), its cases, hints, and the
catalogue of wrong answers it must recognise (see ``annlib.grading.core``).
The statements live in ``solutions/06_*.ipynb``.
"""

import math

from ..engine import Value, _sigmoid  # _sigmoid never overflows
from .common import _NO_AUTOGRAD, _close_dict, _dict_of_numbers
from .core import Mistake, close, exercise


# The graph of 06.1, with a = 3, b = -2, c = 4:
#   d = a * b = -6,   e = d + c = -2,   f = e ** 2 = 4,   L = f * a = 12
_GRAPH_KEYS = ("f", "e", "d", "c", "b", "a")


def _hand_grads_prepare(answer):
    grads = _dict_of_numbers(answer, _GRAPH_KEYS,
                             "{'f': dL/df, 'e': dL/de, 'd': ..., 'c': ..., 'b': ..., 'a': ...}")
    return lambda: grads


def _key_is(key, value):
    def detect(outcomes, expected):
        got = outcomes[0]
        return got.ok and isinstance(got.value, dict) and math.isclose(
            got.value.get(key, math.nan), value, rel_tol=1e-9, abs_tol=1e-9)
    return detect


_ONE_PATH = ("The variable a reaches L along two paths: directly (L = f * a) and through "
             "d = a * b. The chain rule ADDS the contributions of all paths: "
             "dL/da = (direct part: f) + (part through d: b * dL/dd). You kept only one of them.")


@exercise("06.1", "Backpropagate through a small graph by hand", points=2, answer="value",
          prepare=_hand_grads_prepare,
          solution={"f": 3.0, "e": -12.0, "d": -12.0, "c": -12.0, "b": -36.0, "a": 28.0},
          compare=_close_dict(),
          mistakes=[
              Mistake("a_direct_path_only",
                      {"f": 3.0, "e": -12.0, "d": -12.0, "c": -12.0, "b": -36.0, "a": 4.0},
                      _ONE_PATH, detect=_key_is("a", 4.0)),
              Mistake("a_through_d_only",
                      {"f": 3.0, "e": -12.0, "d": -12.0, "c": -12.0, "b": -36.0, "a": 24.0},
                      _ONE_PATH, detect=_key_is("a", 24.0)),
              Mistake("swapped_mul",
                      {"f": 3.0, "e": -12.0, "d": -12.0, "c": -12.0, "b": 24.0, "a": -32.0},
                      "At d = a * b you swapped the local derivatives: dd/da = b and "
                      "dd/db = a (each input's derivative is the OTHER factor). So "
                      "dL/db = a * dL/dd.", detect=_key_is("b", 24.0)),
              Mistake("pow_rule_n_x_to_n",
                      {"f": 3.0, "e": 24.0, "d": 24.0, "c": 24.0, "b": 72.0, "a": -44.0},
                      "At f = e ** 2 you used 2 * e ** 2 as the local derivative. The power "
                      "rule lowers the exponent: d(e^n)/de = n * e^(n-1), so df/de = 2e = -4.",
                      detect=_key_is("e", 24.0)),
              Mistake("local_derivatives_only",
                      {"f": 3.0, "e": -4.0, "d": 1.0, "c": 1.0, "b": 3.0, "a": 2.0},
                      "You wrote the LOCAL derivatives (df/de = 2e = -4, de/dd = 1, ...) "
                      "instead of dL/d(node). Each node's gradient is its local derivative "
                      "TIMES the gradient of the node it feeds: dL/de = df/de * dL/df.",
                      detect=_key_is("e", -4.0)),
          ],
          hints=["Go backwards from L. dL/dL = 1; L = f * a, so dL/df = a.",
                 "Each step: dL/d(input) = local derivative * dL/d(output). "
                 "For e -> f = e**2 the local derivative is 2e.",
                 "a is used twice (in d = a * b and in L = f * a): add both contributions."])
def hand_gradients():
    """dL/d(node) for the graph d = a*b, e = d + c, f = e**2, L = f*a at a=3, b=-2, c=4."""
    a, b, c = 3.0, -2.0, 4.0
    d = a * b
    e = d + c
    f = e ** 2
    dL_df = a                      # L = f * a
    dL_de = 2 * e * dL_df          # f = e ** 2
    dL_dd = dL_de                  # e = d + c
    dL_dc = dL_de
    dL_db = a * dL_dd              # d = a * b
    dL_da = f + b * dL_dd          # two paths: L = f * a and d = a * b
    return {"f": dL_df, "e": dL_de, "d": dL_dd, "c": dL_dc, "b": dL_db, "a": dL_da}


# --- 06.2 one sigmoid neuron -----------------------------------------------------------------

def _neuron_random(rng):
    cases = []
    for _ in range(16):
        n = rng.randint(1, 4)
        cases.append(([round(rng.uniform(-2, 2), 3) for _ in range(n)],
                      [round(rng.uniform(-2, 2), 3) for _ in range(n)],
                      round(rng.uniform(-1, 1), 3),
                      rng.choice([0.0, 1.0, round(rng.uniform(0, 1), 3)])))
    return cases


def _neuron_forward(w, x, b):
    z = sum(wi * xi for wi, xi in zip(w, x)) + b
    return z, _sigmoid(z)


@exercise("06.2", "The chain rule for one sigmoid neuron", points=3,
          forbidden={"annlib.engine.Value": _NO_AUTOGRAD},
          cases=[([0.5], [2.0], -1.0, 0.8),
                 ([0.3, -0.2], [1.0, 2.0], 0.1, 1.0),
                 ([2.0, 1.0], [1.5, -0.5], 0.5, 0.0),
                 ([1.0, -1.0, 0.5], [0.0, 3.0, -2.0], 0.0, 1.0)],
          random_cases=_neuron_random,
          hints=["Three factors: dL/dw_i = dL/da * da/dz * dz/dw_i, with z = sum_i w_i x_i + b, "
                 "a = sigma(z), L = (a - y)^2.",
                 "dL/da = 2(a - y); da/dz = sigma'(z) = a(1 - a) (a = sigma(z), evaluated at z); "
                 "dz/dw_i = x_i; dz/db = 1.",
                 "Compute dL/dz = 2(a - y) a (1 - a) once; then dL/dw_i = dL/dz * x_i and "
                 "dL/db = dL/dz."])
def neuron_gradients(w, x, b, y):
    """(list of dL/dw_i, dL/db) for a = sigma(sum w_i x_i + b) and L = (a - y)^2."""
    z, a = _neuron_forward(w, x, b)
    dL_dz = 2 * (a - y) * a * (1 - a)
    return ([dL_dz * xi for xi in x], dL_dz)


@neuron_gradients.mistake("sigma_prime_of_a",
                          "You applied the sigmoid's derivative to a instead of z: "
                          "sigma(a)(1 - sigma(a)). The sigmoid acts on z, so its slope is "
                          "sigma'(z) = sigma(z)(1 - sigma(z)) = a(1 - a); a is already sigma(z).")
def _(w, x, b, y):
    z, a = _neuron_forward(w, x, b)
    s = _sigmoid(a)
    dL_dz = 2 * (a - y) * s * (1 - s)
    return ([dL_dz * xi for xi in x], dL_dz)


@neuron_gradients.mistake("z_times_one_minus_z",
                          "You used z(1 - z) as the sigmoid's slope. The formula is "
                          "sigma'(z) = a(1 - a) with a = sigma(z): plug in the activation, not z.")
def _(w, x, b, y):
    z, a = _neuron_forward(w, x, b)
    dL_dz = 2 * (a - y) * z * (1 - z)
    return ([dL_dz * xi for xi in x], dL_dz)


@neuron_gradients.mistake("forgot_dz_dw",
                          "Every weight got the same gradient dL/dz: you forgot the last "
                          "factor dz/dw_i = x_i. A weight's gradient is scaled by the input "
                          "it multiplies (a weight on an input of 0 gets no gradient).")
def _(w, x, b, y):
    z, a = _neuron_forward(w, x, b)
    dL_dz = 2 * (a - y) * a * (1 - a)
    return ([dL_dz for _ in x], dL_dz)


@neuron_gradients.mistake("dz_dw_is_w",
                          "You multiplied by w_i where the chain rule needs dz/dw_i = x_i. "
                          "(w_i is dz/dx_i, the derivative with respect to the INPUT.)")
def _(w, x, b, y):
    z, a = _neuron_forward(w, x, b)
    dL_dz = 2 * (a - y) * a * (1 - a)
    return ([dL_dz * wi for wi in w], dL_dz)


@neuron_gradients.mistake("forgot_sigmoid_slope",
                          "You skipped the middle factor da/dz = a(1 - a): dL/dw_i = "
                          "2(a - y) * a(1 - a) * x_i. The activation sits between z and L, so "
                          "its slope is part of the chain.")
def _(w, x, b, y):
    z, a = _neuron_forward(w, x, b)
    dL_dz = 2 * (a - y)
    return ([dL_dz * xi for xi in x], dL_dz)


@neuron_gradients.mistake("forgot_factor_2",
                          "Your gradients are half the right size: d/da (a - y)^2 = 2(a - y).")
def _(w, x, b, y):
    z, a = _neuron_forward(w, x, b)
    dL_dz = (a - y) * a * (1 - a)
    return ([dL_dz * xi for xi in x], dL_dz)


@neuron_gradients.mistake("sign_flipped",
                          "Your gradients have the wrong sign: dL/da = 2(a - y), not 2(y - a). "
                          "If the prediction a is above y, raising a raises the loss, so the "
                          "gradient must be positive.")
def _(w, x, b, y):
    z, a = _neuron_forward(w, x, b)
    dL_dz = 2 * (y - a) * a * (1 - a)
    return ([dL_dz * xi for xi in x], dL_dz)


@neuron_gradients.mistake("autograd",
                          "You let annlib's Value (autograd) compute the gradients. The "
                          "statement asks for the chain rule written out with plain floats: "
                          "dL/dw_i = dL/da * da/dz * dz/dw_i = 2(a - y) * a(1 - a) * x_i. "
                          "(Autograd is a fine way to CHECK your answer, in a cell of your own.)")
def _(w, x, b, y):
    w_values, b_value = [Value(wi) for wi in w], Value(b)
    z = sum((wi * xi for wi, xi in zip(w_values, x)), b_value)
    ((z.sigmoid() - y) ** 2).backward()
    return ([wi.grad for wi in w_values], b_value.grad)


# --- 06.3 two layers: tanh hidden unit, linear output ---------------------------------------

def _two_layer_random(rng):
    return [tuple(round(rng.uniform(-2, 2), 3) for _ in range(6)) for _ in range(16)]


def _two_layer_forward(x, w1, b1, w2, b2):
    z1 = w1 * x + b1
    a1 = math.tanh(z1)
    z2 = w2 * a1 + b2
    return z1, a1, z2


@exercise("06.3", "Backpropagate through two layers", points=3,
          cases=[(1.0, 0.5, 0.0, -1.0, 0.2, 1.0),
                 (2.0, -0.3, 0.1, 1.5, 0.0, 0.0),
                 (0.5, 1.2, -0.4, 0.8, 0.3, -1.0),
                 (-1.0, 2.0, 1.0, -0.5, 0.5, 2.0)],
          random_cases=_two_layer_random,
          hints=["Forward: z1 = w1 x + b1, a1 = tanh(z1), y_pred = z2 = w2 a1 + b2, "
                 "L = (z2 - y)^2. Go backwards: dL/dz2 = 2(z2 - y).",
                 "Output layer: dL/dw2 = dL/dz2 * a1, dL/db2 = dL/dz2. To reach the hidden "
                 "layer, pass the gradient through w2: dL/da1 = dL/dz2 * w2.",
                 "tanh'(z1) = 1 - tanh(z1)^2 = 1 - a1^2 (the OUTPUT of tanh, squared). "
                 "Then dL/dz1 = dL/da1 * (1 - a1^2), dL/dw1 = dL/dz1 * x, dL/db1 = dL/dz1."])
def two_layer_gradients(x, w1, b1, w2, b2, y):
    """(dL/dw1, dL/db1, dL/dw2, dL/db2) for y_pred = w2 tanh(w1 x + b1) + b2, L = (y_pred - y)^2."""
    z1, a1, z2 = _two_layer_forward(x, w1, b1, w2, b2)
    dL_dz2 = 2 * (z2 - y)
    dL_da1 = dL_dz2 * w2
    dL_dz1 = dL_da1 * (1 - a1 ** 2)
    return (dL_dz1 * x, dL_dz1, dL_dz2 * a1, dL_dz2)


@two_layer_gradients.mistake("tanh_slope_at_input",
                             "You used 1 - z1^2 as the slope of tanh. The derivative is "
                             "tanh'(z1) = 1 - tanh(z1)^2 = 1 - a1^2: square the OUTPUT a1 of "
                             "tanh, not its input z1.")
def _(x, w1, b1, w2, b2, y):
    z1, a1, z2 = _two_layer_forward(x, w1, b1, w2, b2)
    dL_dz2 = 2 * (z2 - y)
    dL_dz1 = dL_dz2 * w2 * (1 - z1 ** 2)
    return (dL_dz1 * x, dL_dz1, dL_dz2 * a1, dL_dz2)


@two_layer_gradients.mistake("forgot_w2",
                             "Your hidden-layer gradients skip the weight w2. The hidden unit "
                             "reaches the loss through z2 = w2 a1 + b2, so dL/da1 = dL/dz2 * w2.")
def _(x, w1, b1, w2, b2, y):
    z1, a1, z2 = _two_layer_forward(x, w1, b1, w2, b2)
    dL_dz2 = 2 * (z2 - y)
    dL_dz1 = dL_dz2 * (1 - a1 ** 2)
    return (dL_dz1 * x, dL_dz1, dL_dz2 * a1, dL_dz2)


@two_layer_gradients.mistake("input_instead_of_a1",
                             "Your dL/dw2 uses the network's input x. The weight w2 multiplies "
                             "the hidden activation a1 (z2 = w2 a1 + b2), so dL/dw2 = dL/dz2 * a1.")
def _(x, w1, b1, w2, b2, y):
    z1, a1, z2 = _two_layer_forward(x, w1, b1, w2, b2)
    dL_dz2 = 2 * (z2 - y)
    dL_dz1 = dL_dz2 * w2 * (1 - a1 ** 2)
    return (dL_dz1 * x, dL_dz1, dL_dz2 * x, dL_dz2)


@two_layer_gradients.mistake("forgot_tanh_slope",
                             "Your hidden-layer gradients skip tanh's slope: between a1 and z1 "
                             "the chain rule multiplies by tanh'(z1) = 1 - a1^2.")
def _(x, w1, b1, w2, b2, y):
    z1, a1, z2 = _two_layer_forward(x, w1, b1, w2, b2)
    dL_dz2 = 2 * (z2 - y)
    dL_dz1 = dL_dz2 * w2
    return (dL_dz1 * x, dL_dz1, dL_dz2 * a1, dL_dz2)


@two_layer_gradients.mistake("sign_flipped",
                             "All your gradients have the wrong sign: dL/dz2 = 2(z2 - y) "
                             "(prediction minus target), not 2(y - z2).")
def _(x, w1, b1, w2, b2, y):
    z1, a1, z2 = _two_layer_forward(x, w1, b1, w2, b2)
    dL_dz2 = 2 * (y - z2)
    dL_dz1 = dL_dz2 * w2 * (1 - a1 ** 2)
    return (dL_dz1 * x, dL_dz1, dL_dz2 * a1, dL_dz2)


@two_layer_gradients.mistake("forgot_factor_2",
                             "Your gradients are half the right size: "
                             "d/dz2 (z2 - y)^2 = 2(z2 - y).")
def _(x, w1, b1, w2, b2, y):
    z1, a1, z2 = _two_layer_forward(x, w1, b1, w2, b2)
    dL_dz2 = z2 - y
    dL_dz1 = dL_dz2 * w2 * (1 - a1 ** 2)
    return (dL_dz1 * x, dL_dz1, dL_dz2 * a1, dL_dz2)


# --- 06.4 through a ReLU, with the input used twice (a skip connection) ---------------------

def _skip_random(rng):
    return [tuple(round(rng.uniform(-2, 2), 3) for _ in range(4)) for _ in range(16)]


def _skip_forward(x, w, b):
    z = w * x + b
    a = z if z > 0 else 0.0
    return z, a, a + x


def _skip_gradients(x, w, b, y, slope, skip=True, through_relu=True, sign=1.0, factor=2.0):
    """The gradients of 06.4 with each piece switchable (the correct ones by default)."""
    z, a, y_pred = _skip_forward(x, w, b)
    dL_dy = sign * factor * (y_pred - y)
    dL_dz = dL_dy * slope(z, a)
    dL_dx = (dL_dz * w if through_relu else 0.0) + (dL_dy if skip else 0.0)
    return (dL_dz * x, dL_dz, dL_dx)


def _relu_slope(z, a):
    return 1.0 if z > 0 else 0.0   # the slope at z = 0 is taken to be 0, as annlib does


@exercise("06.4", "Backpropagate through a ReLU and an input used twice", points=3,
          cases=[(1.0, 0.5, 0.2, 2.0),       # z > 0: both paths carry gradient
                 (1.0, -0.5, 0.2, 2.0),      # z < 0: the ReLU blocks its path
                 (2.0, 1.5, -1.0, 0.0),
                 (-1.5, 2.0, 0.5, 1.0),      # z < 0 with a negative input
                 (1.5, 2.0, -3.0, 1.0),      # z = 0 exactly: slope 0
                 (-0.5, -1.0, 0.25, -2.0)],
          random_cases=_skip_random, forbidden={"annlib.engine.Value": _NO_AUTOGRAD},
          hints=["Forward: z = w x + b, a = max(0, z), y_pred = a + x, L = (y_pred - y)^2. "
                 "Backward starts with dL/dy_pred = 2 (y_pred - y).",
                 "A max passes the gradient to the argument that won: da/dz is 1 when z > 0 "
                 "and 0 otherwise (take 0 at z = 0). So dL/dz = dL/dy_pred * (1 or 0), "
                 "dL/dw = dL/dz * x, dL/db = dL/dz.",
                 "x reaches y_pred along two paths: through z (local derivative w) and "
                 "directly (local derivative 1). Add both: "
                 "dL/dx = dL/dz * w + dL/dy_pred."])
def skip_gradients(x, w, b, y):
    """(dL/dw, dL/db, dL/dx) for y_pred = relu(w x + b) + x, L = (y_pred - y)^2."""
    return _skip_gradients(x, w, b, y, _relu_slope)


@skip_gradients.mistake("skip_path_forgotten",
                        "Your dL/dx misses a path. x is used twice: inside z = w x + b and "
                        "again in y_pred = a + x. The chain rule ADDS the contributions of both "
                        "paths: dL/dx = dL/dz * w + dL/dy_pred * 1. (In an engine this is why a "
                        "backward rule writes grad += ..., never grad = ....)")
def _(x, w, b, y):
    return _skip_gradients(x, w, b, y, _relu_slope, skip=False)


@skip_gradients.mistake("relu_path_forgotten",
                        "Your dL/dx keeps only the direct path (y_pred = a + x). x also "
                        "reaches y_pred through z = w x + b and the ReLU; add that path's "
                        "contribution, dL/dz * w, to the direct one.")
def _(x, w, b, y):
    return _skip_gradients(x, w, b, y, _relu_slope, through_relu=False)


@skip_gradients.mistake("relu_slope_ignored",
                        "Your gradients pass through the ReLU even where it is off. "
                        "a = max(0, z) is flat for z < 0: da/dz = 0 there, so no gradient "
                        "reaches w and b (and only the direct path reaches x). A max passes "
                        "the gradient only to the argument that won.")
def _(x, w, b, y):
    return _skip_gradients(x, w, b, y, lambda z, a: 1.0)


@skip_gradients.mistake("relu_value_as_slope",
                        "You multiplied by the ReLU's output a = max(0, z) where the chain "
                        "rule needs its slope da/dz: 1 for z > 0, 0 otherwise.")
def _(x, w, b, y):
    return _skip_gradients(x, w, b, y, lambda z, a: a)


@skip_gradients.mistake("slope_one_at_zero",
                        "Right everywhere except at z = 0 exactly, where you took the ReLU's "
                        "slope to be 1. ReLU has no derivative at 0; the course (like annlib "
                        "and PyTorch) takes 0 there: use z > 0, not z >= 0.")
def _(x, w, b, y):
    return _skip_gradients(x, w, b, y, lambda z, a: 1.0 if z >= 0 else 0.0)


@skip_gradients.mistake("sign_flipped",
                        "All your gradients have the wrong sign: dL/dy_pred = 2 (y_pred - y), "
                        "prediction minus target.")
def _(x, w, b, y):
    return _skip_gradients(x, w, b, y, _relu_slope, sign=-1.0)


@skip_gradients.mistake("forgot_factor_2",
                        "Your gradients are half the right size: d/dy_pred (y_pred - y)^2 = "
                        "2 (y_pred - y).")
def _(x, w, b, y):
    return _skip_gradients(x, w, b, y, _relu_slope, factor=1.0)


@skip_gradients.mistake("autograd",
                        "You let annlib's Value (autograd) compute the gradients. The statement "
                        "asks for them by hand: dL/dy_pred, then through the max and along both "
                        "paths of x, in plain floats. (Autograd is a fine way to CHECK them, in "
                        "a cell of your own.)")
def _(x, w, b, y):
    xv, wv, bv = Value(x), Value(w), Value(b)
    (((wv * xv + bv).relu() + xv - y) ** 2).backward()
    return (wv.grad, bv.grad, xv.grad)


# --- 06.5 what a gradient says: which way to move, and how much L changes --------------------

def _direction(g):
    """Which way a weight should move to lower L: against the sign of its gradient."""
    return -1 if g > 0 else (1 if g < 0 else 0)


def _read_random(rng):
    cases = []
    for _ in range(16):
        n = rng.randint(1, 5)
        grads = [rng.choice([0.0, round(rng.uniform(-3, 3), 3), round(rng.uniform(-3, 3), 3)])
                 for _ in range(n)]
        dw = [round(rng.uniform(-0.2, 0.2), 3) for _ in range(n)]
        cases.append((grads, dw))
    return cases


def _part_is(index, rule):
    """detect(): part `index` of every answer equals rule(grads, dw) (the other part is free)."""
    compare = close()

    def detect(outcomes, expected, cases):
        return all(o.ok and isinstance(o.value, (list, tuple)) and len(o.value) == 2
                   and compare(rule(*case), o.value[index]) for o, case in zip(outcomes, cases))
    return detect


def _zero_gradient_given_a_direction(outcomes, expected, cases):
    """Directions right wherever the gradient is not 0, and +-1 where it is."""
    seen_zero = False
    for o, (grads, _) in zip(outcomes, cases):
        if not (o.ok and isinstance(o.value, (list, tuple)) and len(o.value) == 2
                and isinstance(o.value[0], (list, tuple)) and len(o.value[0]) == len(grads)):
            return False
        for g, d in zip(grads, o.value[0]):
            if g != 0 and d != _direction(g):
                return False
            if g == 0:
                if d not in (1, -1):
                    return False
                seen_zero = True
    return seen_zero


@exercise("06.5", "Read a gradient: which way to move, and how much the loss changes", points=2,
          cases=[([-0.3], [0.1]),                        # chapter 06's neuron: raise w
                 ([2.5], [0.01]),
                 ([2.5, -0.4], [0.01, 0.05]),
                 ([1.0, -2.0, 0.0], [0.1, 0.1, 0.1]),    # a zero gradient: no direction
                 ([0.5, -1.5, 3.0], [-0.2, 0.1, -0.05]),
                 ([-1.2, 0.8], [-0.1, 0.0])],
          random_cases=_read_random,
          mistakes=[
              Mistake("directions_along_gradient",
                      lambda grads, dw: ([-_direction(g) for g in grads],
                                         sum(g * d for g, d in zip(grads, dw))),
                      "Your directions follow the sign of the gradient, which makes the loss "
                      "GROW. A positive dL/dw means L rises as w rises, so lower L by "
                      "decreasing w (-1); a negative dL/dw means increase w (+1). Move "
                      "against the sign.",
                      detect=_part_is(0, lambda grads, dw: [-_direction(g) for g in grads])),
              Mistake("zero_gradient_given_a_direction",
                      lambda grads, dw: ([-1 if g >= 0 else 1 for g in grads],
                                         sum(g * d for g, d in zip(grads, dw))),
                      "Where dL/dw = 0 you still chose a direction. A zero gradient means "
                      "that, to first order, moving w in either direction leaves L unchanged: "
                      "give 0 there.", detect=_zero_gradient_given_a_direction),
              Mistake("change_sign_flipped",
                      lambda grads, dw: ([_direction(g) for g in grads],
                                         -sum(g * d for g, d in zip(grads, dw))),
                      "Your predicted change of L has the wrong sign. dL/dw is the change of "
                      "L PER unit change of w, so a change dw changes L by +dL/dw * dw: "
                      "raising a weight whose gradient is positive raises the loss.",
                      detect=_part_is(1, lambda grads, dw: -sum(g * d for g, d in zip(grads, dw)))),
              Mistake("forgot_the_step",
                      lambda grads, dw: ([_direction(g) for g in grads], sum(grads)),
                      "Your predicted change ignores dw: you added up the gradients alone. A "
                      "gradient is a rate (change of L per unit of w); multiply each by how far "
                      "its weight moves: dL ~ sum_i dL/dw_i * dw_i.",
                      detect=_part_is(1, lambda grads, dw: sum(grads))),
              Mistake("added_sizes",
                      lambda grads, dw: ([_direction(g) for g in grads],
                                         sum(abs(g * d) for g, d in zip(grads, dw))),
                      "You added the sizes |dL/dw_i * dw_i|, so your loss can only go up. "
                      "Each term keeps its sign: a weight moved against its gradient LOWERS "
                      "the loss, and those decreases cancel part of the increases.",
                      detect=_part_is(1, lambda grads, dw: sum(abs(g * d)
                                                               for g, d in zip(grads, dw)))),
              Mistake("changes_not_added",
                      lambda grads, dw: ([_direction(g) for g in grads],
                                         [g * d for g, d in zip(grads, dw)]),
                      "You returned one change per weight. The weights all move at once and "
                      "their first-order effects add up: dL ~ sum_i dL/dw_i * dw_i, one "
                      "number.",
                      detect=_part_is(1, lambda grads, dw: [g * d for g, d in zip(grads, dw)])),
          ],
          hints=["dL/dw is the change of L per unit change of w. Its sign says whether L rises "
                 "(+) or falls (-) when w grows.",
                 "To lower L, move each weight against the sign of its gradient: -1 for a "
                 "positive gradient, +1 for a negative one, 0 for a gradient of exactly 0.",
                 "To first order each weight contributes dL/dw_i * dw_i, sign included; the "
                 "contributions add up: dL ~ sum_i dL/dw_i * dw_i."])
def read_gradients(grads, dw):
    """([direction_i], dL): -sign(dL/dw_i) per weight, and dL ~ sum_i dL/dw_i * dw_i."""
    return ([_direction(g) for g in grads], sum(g * d for g, d in zip(grads, dw)))
