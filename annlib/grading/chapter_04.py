"""Graded exercises of chapter 04: Forward propagation.

Each exercise: a reference (the decorated function), its cases, hints, and the
catalogue of wrong answers it must recognise (see ``annlib.grading.core``).
The statements live in ``solutions/04_*.ipynb``.
"""


import math

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


def _batch_case(rng, n, n_in, n_hidden, n_out):
    W1, b1 = _layer_case(rng, n_in, n_hidden)
    W2, b2 = _layer_case(rng, n_hidden, n_out)
    X = [[round(rng.uniform(-2, 2), 2) for _ in range(n_in)] for _ in range(n)]
    return (X, W1, b1, W2, b2)


def _batch_cases(rng):
    cases = []
    while len(cases) < 16:
        n, n_in, n_hidden, n_out = (rng.randint(1, 6), rng.randint(1, 4), rng.randint(1, 5),
                                    rng.randint(1, 3))
        if len({n, n_in, n_hidden, n_out}) == 4:  # every shape different: no accidental fit
            cases.append(_batch_case(rng, n, n_in, n_hidden, n_out))
    return cases


def _times_transpose(A, W):
    """A W^T for lists: row i of the result is W applied to row i of A."""
    return [_matvec(W, row) for row in A]


def _two_layers(X, W1, b1, W2, b2, hidden=lambda z: max(0.0, z), output=lambda z: z):
    H = [[hidden(z + bj) for z, bj in zip(row, b1)] for row in _times_transpose(X, W1)]
    return [[output(z + bj) for z, bj in zip(row, b2)] for row in _times_transpose(H, W2)]


def _columns_result(outcomes, expected, cases):
    """detect(): the learner returned the examples as columns, (n_out, n), the transpose."""
    return all(got.ok and isinstance(got.value, list)
               and _close([list(col) for col in zip(*want)], got.value)
               for got, want in zip(outcomes, expected))


def _without_transpose(outcomes, expected, cases, wrong):
    """detect(): X W (no transpose): agrees with it where the shapes let it run (all sizes
    equal), is not right where they do not, and raises somewhere."""
    for got, want, theirs in zip(outcomes, expected, wrong):
        if theirs.ok:
            if not (got.ok and _close(theirs.value, got.value)):
                return False
        elif got.ok and _close(want, got.value):
            return False
    return any(not got.ok for got in outcomes)


def _matmul(A, B):
    """A B for lists, raising as numpy does when the inner sizes differ."""
    if len(A[0]) != len(B):
        raise ValueError(f"matmul: shapes ({len(A)},{len(A[0])}) and ({len(B)},{len(B[0])}) "
                         f"do not match")
    return _times_transpose(A, [list(c) for c in zip(*B)])


def _batch_without_transpose(X, W1, b1, W2, b2):
    H = [[max(0.0, z + bj) for z, bj in zip(row, b1)] for row in _matmul(X, W1)]
    return [[z + bj for z, bj in zip(row, b2)] for row in _matmul(H, W2)]


@exercise("04.4", "Forward pass of a whole batch in matrix form", points=3,
          cases=[([[1.0, 2.0]], [[0.5, -1.0], [1.0, 1.0]], [0.0, -1.0], [[1.0, -2.0]], [0.5]),
                 ([[1.0, 2.0], [0.0, 0.0], [-1.0, 3.0]], [[0.5, -1.0], [1.0, 1.0], [2.0, 0.0]],
                  [0.0, -1.0, 0.5], [[1.0, -2.0, 0.5], [0.0, 1.0, 1.0]], [0.5, -0.5]),
                 ([[2.0], [-1.0], [0.5], [3.0]], [[1.0], [-1.0]], [0.0, 0.0], [[1.0, 1.0]],
                  [-3.0])],
          random_cases=_batch_cases,
          hints=["Examples are the rows of X, shape (n, n_in); W1 is (n_hidden, n_in). So "
                 "Z1 = X W1^T + b1 has shape (n, n_hidden): row i holds the hidden "
                 "pre-activations of example i, and b1 is added to every row.",
                 "H = ReLU(Z1) element by element, then Y = H W2^T + b2, shape (n, n_out), "
                 "with no activation. In numpy: X @ W1.T + b1. Write the shapes next to "
                 "each line."],
          mistakes=[
              Mistake("without_transpose", _batch_without_transpose,
                      "You multiplied X W1 without the transpose. W1 has one row per hidden "
                      "unit, (n_hidden, n_in), and X one row per example, (n, n_in): their "
                      "inner sizes meet only in X W1^T, which is (n, n_hidden). Check the "
                      "shapes with a non-square W1.", detect=_without_transpose),
              Mistake("examples_as_columns",
                      lambda X, W1, b1, W2, b2: [list(c) for c in zip(*_two_layers(
                          X, W1, b1, W2, b2))],
                      "Your result is transposed: one column per example, (n_out, n), as in "
                      "the column form W A + b. This exercise keeps examples as rows: "
                      "Y = H W2^T + b2 has one row per example, shape (n, n_out).",
                      detect=_columns_result),
              Mistake("relu_on_output",
                      lambda X, W1, b1, W2, b2: _two_layers(X, W1, b1, W2, b2,
                                                            output=lambda z: max(0.0, z)),
                      "You applied ReLU to the output too. Only the hidden layer has an "
                      "activation; the output layer is linear, so Y can be negative."),
              Mistake("no_hidden_activation",
                      lambda X, W1, b1, W2, b2: _two_layers(X, W1, b1, W2, b2,
                                                            hidden=lambda z: z),
                      "Your hidden layer has no ReLU: H = ReLU(X W1^T + b1). Without it the "
                      "two layers collapse into one linear map."),
              Mistake("first_example_only",
                      lambda X, W1, b1, W2, b2: _two_layers(X[:1], W1, b1, W2, b2),
                      "You returned the output of the first example only. The batch form "
                      "computes every example at once: Y has one row per row of X."),
          ])
def batch_forward(X, W1, b1, W2, b2):
    return _two_layers(X, W1, b1, W2, b2)


_ACTIVATIONS = {"relu": lambda z: max(0.0, z), "sigmoid": lambda z: 1 / (1 + math.exp(-z)),
                "tanh": math.tanh, "linear": lambda z: z}


def _trace(layers, x, activation="relu", output_activation="sigmoid", bias_inside=True,
           swap=False, same_list=False, output_uses_hidden=False):
    """The reference and its wrong variants: one (z, a) pair per layer."""
    a_prev, trace = list(x), []
    for l, (W, b) in enumerate(layers, start=1):
        last = l == len(layers) and not output_uses_hidden
        f = _ACTIVATIONS[output_activation if last else activation]
        if bias_inside:
            z = [s + b_j for s, b_j in zip(_matvec(W, a_prev), b)]
            a = [f(z_j) for z_j in z]
        else:
            z = _matvec(W, a_prev)
            a = [f(z_j) + b_j for z_j, b_j in zip(z, b)]
        if same_list:
            z = a  # the activation applied in place: z and a are one list
        trace.append((a, z) if swap else (z, a))
        a_prev = a
    return trace


def _trace_cases(rng):
    names = sorted(_ACTIVATIONS)
    cases = []
    for i in range(18):
        sizes = [rng.randint(1, 3) for _ in range(rng.randint(2, 4))]
        layers = [_layer_case(rng, n_in, n_out) for n_in, n_out in zip(sizes, sizes[1:])]
        x = [round(rng.uniform(-2, 2), 2) for _ in range(sizes[0])]
        given = [(), (rng.choice(names),), (rng.choice(names), rng.choice(names))][i % 3]
        cases.append((layers, x) + given)
    return cases


def _with_input_pair(outcomes, expected):
    """detect(): one pair too many, the first one for the input; the rest right."""
    return all(o.ok and isinstance(o.value, (list, tuple)) and len(o.value) == len(want) + 1
               and _close(_pairs_as_lists(want), _pairs_as_lists(o.value[1:]))
               for o, want in zip(outcomes, expected))


def _grows_between_calls(outcomes, expected):
    """detect(): a list longer than the trace, ending with it, on some case: pairs are
    appended to a list left over from earlier calls (how long depends on those calls)."""
    return any(o.ok and isinstance(o.value, list) and len(o.value) > len(want)
               and _close(_pairs_as_lists(want), _pairs_as_lists(o.value[-len(want):]))
               for o, want in zip(outcomes, expected))


def _missing_defaults(outcomes, expected, cases):
    """detect(): right whenever it runs, and the calls that fail are those leaving out
    activation or output_activation, failing for lack of an argument."""
    def lacks_argument(o, args):
        return (not o.ok and len(args) < 4 and o.error[0] == "TypeError"
                and "required positional argument" in o.error[1])
    failed = [lacks_argument(o, args) for o, args in zip(outcomes, cases)]
    return any(failed) and all(
        missing or (o.ok and _close(_pairs_as_lists(want), _pairs_as_lists(o.value)))
        for missing, o, want in zip(failed, outcomes, expected))


def _pairs_as_lists(trace):
    try:
        return [[list(z), list(a)] for z, a in trace]
    except (TypeError, ValueError):
        return None


def _in_place(outcomes, expected):
    """detect(): every a right, and each z either right or (at least once) equal to its a:
    the activation was applied in place, to the list (or array) z itself."""
    overwritten = False
    for o, want in zip(outcomes, expected):
        got = _pairs_as_lists(o.value) if o.ok else None
        if got is None or len(got) != len(want):
            return False
        for (z, a), (z_want, a_want) in zip(got, want):
            if not _close(list(a_want), a):
                return False
            if not _close(list(z_want), z):
                if not _close(list(a_want), z):
                    return False
                overwritten = True
    return overwritten


_LEFTOVER_TRACE = []


def _trace_outlives_call(layers, x, activation="relu", output_activation="sigmoid"):
    _LEFTOVER_TRACE.extend(_trace(layers, x, activation, output_activation))
    return _LEFTOVER_TRACE


@exercise("04.5", "Record every layer's z and a", points=3,
          cases=[([([[0.5, -1.0], [1.0, 1.0]], [0.0, -1.0]), ([[1.0, -2.0]], [0.5])],
                  [1.0, 2.0], "relu", "linear"),
                 ([([[0.5, -1.0], [1.0, 1.0]], [0.0, -1.0]), ([[1.0, -2.0]], [0.5])],
                  [1.0, 2.0]),
                 ([([[2.0, -1.0]], [0.5])], [1.0, 3.0]),
                 ([([[1.0], [-1.0], [0.5]], [0.0, 0.5, -1.0]), ([[1.0, 1.0, 1.0], [1.0, -1.0,
                                                                                     0.0]],
                                                             [0.0, -0.5]),
                   ([[1.0, -1.0]], [0.25])], [1.5], "tanh"),
                 ([([[1.0, -1.0], [-2.0, 0.5]], [0.5, 0.0]), ([[1.0, 1.0]], [-1.0])],
                  [0.5, 1.0], "sigmoid", "tanh")],
          random_cases=_trace_cases,
          hints=["Keep a_prev = x. For each layer (W, b): z = W a_prev + b, a = f(z), append "
                 "the pair (z, a), then a_prev = a for the next layer.",
                 "f is the hidden activation for every layer but the last, which uses "
                 "output_activation. Look the names up in a dict such as {'relu': ..., "
                 "'sigmoid': ..., 'tanh': ..., 'linear': ...}.",
                 "Make a new list for a (a = [f(z_j) for z_j in z]) so that z keeps the "
                 "values before the activation, and start with an empty trace inside the "
                 "function."],
          mistakes=[
              Mistake("z_and_a_swapped",
                      lambda layers, x, activation="relu", output_activation="sigmoid":
                          _trace(layers, x, activation, output_activation, swap=True),
                      "Your pairs are (a, z): each layer's pair must be (z, a), the "
                      "pre-activation first, then the activation a = f(z)."),
              Mistake("activation_in_place",
                      lambda layers, x, activation="relu", output_activation="sigmoid":
                          _trace(layers, x, activation, output_activation, same_list=True),
                      "In your trace z holds the values *after* the activation: it equals "
                      "a. Applying f in place (a = z, then a[j] = f(a[j])) changes "
                      "the list z too, since a and z are then the same list. Build a new "
                      "list: a = [f(z_j) for z_j in z].", detect=_in_place),
              Mistake("bias_after_activation",
                      lambda layers, x, activation="relu", output_activation="sigmoid":
                          _trace(layers, x, activation, output_activation, bias_inside=False),
                      "You added the bias after the activation. The bias belongs to the "
                      "weighted sum: z = W a_prev + b, and only then a = f(z)."),
              Mistake("hidden_activation_on_output",
                      lambda layers, x, activation="relu", output_activation="sigmoid":
                          _trace(layers, x, activation, output_activation,
                                 output_uses_hidden=True),
                      "Your output layer uses the hidden activation. The last layer applies "
                      "output_activation (by default sigmoid, as in the chapter's network); "
                      "only the layers before it use activation."),
              Mistake("linear_output_by_default",
                      lambda layers, x, activation="relu", output_activation="linear":
                          _trace(layers, x, activation, output_activation),
                      "When output_activation is not given, your output layer is linear. Its "
                      "default is 'sigmoid', as in the chapter's 2-3-2-1 network: def "
                      "forward_trace(layers, x, activation='relu', "
                      "output_activation='sigmoid')."),
              Mistake("no_defaults",
                      lambda layers, x, activation, output_activation:
                          _trace(layers, x, activation, output_activation),
                      "Your function fails when activation or output_activation is left "
                      "out, but both have defaults: forward_trace(layers, x) must work and "
                      "use 'relu' and 'sigmoid'. Write def forward_trace(layers, x, "
                      "activation='relu', output_activation='sigmoid').",
                      detect=_missing_defaults),
              Mistake("names_ignored",
                      lambda layers, x, activation="relu", output_activation="sigmoid":
                          _trace(layers, x),
                      "Your function always uses ReLU and a sigmoid output, whatever "
                      "activation names it is given. Look up f from the arguments activation "
                      "and output_activation ('relu', 'sigmoid', 'tanh' or 'linear')."),
              Mistake("input_as_first_pair",
                      lambda layers, x, activation="relu", output_activation="sigmoid":
                          [(list(x), list(x))] + _trace(layers, x, activation,
                                                       output_activation),
                      "Your trace has one pair too many: it starts with the input. The input "
                      "x = a^[0] is no layer (it has no z); the trace holds one (z, a) pair "
                      "per layer (W, b), so it is as long as layers.",
                      detect=_with_input_pair),
              Mistake("trace_outlives_call", _trace_outlives_call,
                      "Your function returns a longer trace each time it is called: the list "
                      "it appends to outlives the call. A default argument trace=[] or a list "
                      "made outside the function is created once, not on every call. Start "
                      "with trace = [] inside the function.",
                      detect=_grows_between_calls),
          ])
def forward_trace(layers, x, activation="relu", output_activation="sigmoid"):
    a_prev, trace = x, []
    for l, (W, b) in enumerate(layers, start=1):
        f = _ACTIVATIONS[output_activation if l == len(layers) else activation]
        z = [sum(w * a_k for w, a_k in zip(row, a_prev)) + b_j for row, b_j in zip(W, b)]
        a = [f(z_j) for z_j in z]
        trace.append((z, a))
        a_prev = a
    return trace
