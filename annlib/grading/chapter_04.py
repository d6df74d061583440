"""Graded exercises of chapter 04: Forward propagation.

Each exercise: a reference (the decorated function), its cases, hints, and the
catalogue of wrong answers it must recognise (see ``annlib.grading.core``).
The statements live in ``solutions/04_*.ipynb``.
"""


from .common import _close
from .core import Mistake, exercise


@exercise("04.1", "Trace a forward pass by hand", points=2, answer="value",
          parts=("z1", "a1", "y_pred"),
          hints=["z1[j] = W1[j,1] x1 + W1[j,2] x2 + b1[j]: row j of W1 gives neuron j's "
                 "weights.",
                 "a1 = ReLU(z1) element by element; then y_pred = W2 a1 + b2 with no "
                 "activation (the output layer is linear)."],
          mistakes=[
              Mistake("transposed_W1", ([2.5, 0.0], [2.5, 0.0], 3.0),
                      "You multiplied by W1 transposed: you used column j of W1 for neuron j. "
                      "Row j holds the weights into neuron j (w_jk goes to j from k), so "
                      "z1[j] = sum_k W1[j,k] x_k + b1[j]."),
              Mistake("no_relu", ([-1.5, 2.0], [-1.5, 2.0], -5.0),
                      "a1 must be ReLU(z1): the negative z1[1] becomes 0 before it reaches "
                      "the output layer."),
              Mistake("relu_on_output", ([-1.5, 2.0], [0.0, 2.0], 0.0),
                      "The output layer is linear here: y_pred = W2 a1 + b2 with no ReLU, so "
                      "it can be negative."),
              Mistake("forgot_b1", ([-1.5, 3.0], [0.0, 3.0], -5.5),
                      "z1 leaves out the bias b1: z1 = W1 x + b1."),
              Mistake("one_number", -3.5, verdict="wrong", expect="Expected your answer as a "
                      "tuple (z1, a1, y_pred)"),
          ])
def forward_by_hand():
    x = [1.0, 2.0]
    W1, b1 = [[0.5, -1.0], [1.0, 1.0]], [0.0, -1.0]
    W2, b2 = [[1.0, -2.0]], [0.5]
    z1 = [sum(w * xk for w, xk in zip(row, x)) + bj for row, bj in zip(W1, b1)]
    a1 = [max(0.0, z) for z in z1]
    y_pred = sum(w * a for w, a in zip(W2[0], a1)) + b2[0]
    return (z1, a1, y_pred)


def _matvec(W, a):
    return [sum(w * ak for w, ak in zip(row, a)) for row in W]


def _layer_case(rng, n_in, n_out):
    W = [[round(rng.uniform(-1, 1), 2) for _ in range(n_in)] for _ in range(n_out)]
    b = [round(rng.uniform(-0.5, 0.5), 2) for _ in range(n_out)]
    return W, b


def _layer_cases(rng):
    cases = []
    for _ in range(20):
        n_in, n_out = rng.randint(1, 4), rng.randint(1, 4)
        W, b = _layer_case(rng, n_in, n_out)
        cases.append((W, b, [round(rng.uniform(-2, 2), 2) for _ in range(n_in)]))
    return cases


def _transposed_layer(outcomes, expected, cases):
    """Matches relu(W^T a + b) on square W, and fails (any error) where W is not square."""
    for got, (W, b, a) in zip(outcomes, cases):
        square = len(W) == len(a)
        if square:
            cols = [list(col) for col in zip(*W)]
            want = [max(0.0, z + bj) for z, bj in zip(_matvec(cols, a), b)]
            if not (got.ok and _close(want, got.value)):
                return False
        elif got.ok:
            return False
    return any(len(W) == len(a) and len(W) > 1 for W, b, a in cases)


def _transposed_layer_answer(W, b, a_prev):
    if len(W) != len(a_prev):
        raise IndexError("list index out of range")
    cols = [list(col) for col in zip(*W)]
    return [max(0.0, z + bj) for z, bj in zip(_matvec(cols, a_prev), b)]


@exercise("04.2", "Forward pass of one layer in matrix form", points=2,
          cases=[([[0.5, -1.0], [1.0, 1.0]], [0.0, -1.0], [1.0, 2.0]),
                 ([[1.0, 2.0, 3.0]], [0.5], [1.0, 0.0, -1.0]),
                 ([[1.0], [-1.0], [2.0]], [0.0, 0.5, -3.0], [2.0]),
                 ([[0.2, 0.4], [-0.6, 0.8]], [0.1, 0.1], [-1.0, 0.5]),
                 ([[1.0, -1.0], [2.0, 0.5], [0.0, 1.0]], [0.0, -1.0, 0.3], [0.5, -0.5])],
          random_cases=_layer_cases,
          hints=["z = W a_prev + b: z[j] = sum_k W[j][k] a_prev[k] + b[j]. W has one row per "
                 "neuron of this layer.",
                 "Then apply ReLU to each z[j]. Check the shapes: len(W) = len(b) = number "
                 "of outputs, len(W[0]) = len(a_prev)."],
          mistakes=[
              Mistake("transposed_W", _transposed_layer_answer,
                      "You used W transposed (column j for neuron j). W is n_l x n_(l-1): "
                      "row j holds the weights into neuron j, so z[j] = sum_k W[j][k] "
                      "a_prev[k] + b[j]. With a non-square W your code cannot even run.",
                      detect=_transposed_layer),
              Mistake("no_activation",
                      lambda W, b, a_prev: [z + bj for z, bj in zip(_matvec(W, a_prev), b)],
                      "You returned z = W a_prev + b: apply the activation, a = ReLU(z)."),
              Mistake("bias_after_activation",
                      lambda W, b, a_prev: [max(0.0, z) + bj for z, bj in
                                            zip(_matvec(W, a_prev), b)],
                      "The bias goes inside the activation: a = ReLU(W a_prev + b), not "
                      "ReLU(W a_prev) + b."),
              Mistake("activation_on_input",
                      lambda W, b, a_prev: [z + bj for z, bj in
                                            zip(_matvec(W, [max(0.0, v) for v in a_prev]), b)],
                      "You applied ReLU to the inputs instead of to z: a = ReLU(W a_prev + b)."),
          ])
def layer_forward(W, b, a_prev):
    z = [sum(w * a for w, a in zip(row, a_prev)) + bj for row, bj in zip(W, b)]
    return [max(0.0, zj) for zj in z]


def _network_cases(rng):
    cases = []
    for _ in range(15):
        sizes = [rng.randint(1, 3) for _ in range(rng.randint(2, 4))]
        layers = [_layer_case(rng, n_in, n_out) for n_in, n_out in zip(sizes, sizes[1:])]
        cases.append((layers, [round(rng.uniform(-2, 2), 2) for _ in range(sizes[0])]))
    return cases


def _forward(layers, x, hidden=lambda z: max(0.0, z), output=lambda z: z, stop=None):
    a = x
    for l, (W, b) in enumerate(layers[:stop], start=1):
        f = output if l == len(layers) else hidden
        a = [f(z + bj) for z, bj in zip(_matvec(W, a), b)]
    return a


@exercise("04.3", "Forward pass through a whole MLP", points=3,
          cases=[([([[0.5, -1.0], [1.0, 1.0]], [0.0, -1.0]), ([[1.0, -2.0]], [0.5])],
                  [1.0, 2.0]),
                 ([([[1.0], [-1.0]], [0.0, 0.0]), ([[1.0, 1.0]], [-3.0])], [2.0]),
                 ([([[2.0, -1.0]], [0.5])], [1.0, 3.0]),
                 ([([[1.0, 0.0], [0.0, 1.0]], [-1.0, -1.0]), ([[1.0, 1.0], [1.0, -1.0]],
                                                            [0.0, 0.0]),
                   ([[1.0, -1.0]], [0.0])], [0.5, 3.0])],
          random_cases=_network_cases,
          hints=["Loop over the layers: a = x, then for each (W, b): z = W a + b and a = f(z).",
                 "Hidden layers use ReLU; the last layer is linear (a = z). Return the last "
                 "a as a list, even when it has one element."],
          mistakes=[
              Mistake("relu_on_output", lambda layers, x: _forward(layers, x, output=lambda z:
                                                                     max(0.0, z)),
                      "You applied ReLU to the output layer too. The last layer is linear "
                      "here, so the network can predict negative numbers."),
              Mistake("no_hidden_activation", lambda layers, x: _forward(layers, x,
                                                                         hidden=lambda z: z),
                      "Your hidden layers have no activation. Without ReLU between them, the "
                      "layers collapse into one linear function and depth buys nothing."),
              Mistake("first_layer_only", lambda layers, x: _forward(layers, x, stop=1),
                      "You stopped after the first layer: each layer's output a^[l] is the "
                      "input of the next one, up to the output layer."),
          ])
def mlp_forward(layers, x):
    a = x
    for l, (W, b) in enumerate(layers, start=1):
        z = [sum(w * ak for w, ak in zip(row, a)) + bj for row, bj in zip(W, b)]
        a = z if l == len(layers) else [max(0.0, zj) for zj in z]
    return a
