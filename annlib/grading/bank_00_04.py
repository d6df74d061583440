"""Graded exercises of chapters 00-04: nested functions, neurons, activations, layers, forward pass.

Each exercise: a reference (the decorated function), its cases, hints, and the
catalogue of wrong answers it must recognise (see ``annlib.grading.core``).
The statements live in ``solutions/NN_*.ipynb``.
"""

import math

from ..engine import _sigmoid  # the reference: exact, never overflows
from .core import BadAnswer, ChangedArgument, Mistake, NotRepeatable, exercise

# ======================================================================================
# 00 Introduction: a network is a nested function; supervised learning
# ======================================================================================


@exercise("00.1", "Evaluate a nested function by hand", points=1, answer="value",
          hints=["Work from the inside out: first u = f1(2), then v = f2(u), then f3(v).",
                 "f1(2) = 6. What does f2 do to 6?"],
          mistakes=[
              Mistake("outside_in", 9,
                      "You applied f3 first. In f3(f2(f1(x))) the innermost function, f1, "
                      "meets the input first; its output goes into f2, and f2's output into "
                      "f3 -- just as the first layer of a network sees the input first."),
              Mistake("added_separately", 11,
                      "You evaluated f1, f2 and f3 each on x = 2 and added the results. In "
                      "a nested function each function's output is the next one's input: "
                      "nothing is added."),
              Mistake("skipped_f2", 36,
                      "You skipped f2: f3(f1(2)) = 36. Every layer acts in turn, f1 then f2 "
                      "then f3."),
          ])
def nested_value():
    def f1(x): return 3 * x
    def f2(u): return u - 1
    def f3(v): return v ** 2
    return f3(f2(f1(2)))


_LAYERS = {
    "double": lambda x: 2 * x,
    "add_one": lambda x: x + 1,
    "square": lambda x: x * x,
    "negate": lambda x: -x,
    "relu": lambda x: max(0.0, x),
    "halve": lambda x: x / 2,
}


_LAYER_NAMES = {id(function): name for name, function in _LAYERS.items()}


def _layer_list(layers):
    return "[" + ", ".join(_LAYER_NAMES.get(id(f), "?") for f in layers) + "]"


def _apply_compose(compose):
    """compose -> the function checked on cases (layer names, x).

    The network is called twice, and the list of layers handed to compose must be
    unchanged in between: a compose that uses up its list works only once.
    """
    def network(names, x):
        layers = [_LAYERS[n] for n in names]
        net = compose(layers)
        first = net(x)
        if layers != [_LAYERS[n] for n in names]:
            raise ChangedArgument(
                f"after compose([{', '.join(names)}])({x!r}) ran once, the list of layers "
                f"it was given held {_layer_list(layers)}.")
        again = net(x)
        if again != first:
            raise NotRepeatable(f"compose([{', '.join(names)}])({x!r}) returned {first!r} "
                                f"the first time and {again!r} the second time.")
        return first
    return network


def _compose_using_up(layers):
    def network(x):
        while layers:
            x = layers.pop(0)(x)
        return x
    return network


def _not_a_function(outcomes, expected):
    return any(not o.ok and o.error[0] == "TypeError"
               and ("not callable" in o.error[1] or "positional argument" in o.error[1])
               for o in outcomes)


@exercise("00.2", "Compose layers into a network", points=2, prepare=_apply_compose,
          cases=[(("double", "add_one"), 3.0), (("add_one", "double"), 3.0),
                 (("square",), -1.5), (("negate", "relu", "add_one"), 2.0),
                 (("add_one", "square", "halve"), 1.0), ((), 4.0)],
          random_cases=lambda rng: [
              (tuple(rng.choice(sorted(_LAYERS)) for _ in range(rng.randint(1, 4))),
               round(rng.uniform(-3, 3), 2)) for _ in range(20)],
          describe=lambda args: (f"compose([{', '.join(args[0])}])({args[1]!r})"),
          hints=["compose(layers) must return a new function: define `def network(x):` "
                 "inside compose, and return network (without calling it).",
                 "Inside network, keep one variable and send it through each layer in "
                 "turn: a = layer(a).",
                 "The first function of the list acts first, as f1 does in f3(f2(f1(x)))."],
          mistakes=[
              Mistake("reversed_order",
                      lambda layers: (lambda x: _run_reversed(layers, x)),
                      "You applied the layers in reverse order. compose([f1, f2, f3])(x) must "
                      "be f3(f2(f1(x))): the first function of the list sees the input "
                      "first, like the first layer of a network."),
              Mistake("same_input_everywhere",
                      lambda layers: (lambda x: layers[-1](x) if layers else x),
                      "Each layer must receive the previous layer's output, not the original "
                      "x: your network gives only the last layer applied to x."),
              Mistake("uses_up_the_list", _compose_using_up,
                      "Your network uses up the caller's list of layers: pop() removes each "
                      "layer as it runs, so the network works once, and then the list is "
                      "empty and a second call returns x unchanged. Loop over the list "
                      "without changing it: for layer in layers: x = layer(x)."),
              Mistake("returns_number", lambda layers, x: x,
                      "compose must return a function of x, so that compose(layers)(x) "
                      "works: it takes only the list of layers and returns something "
                      "callable. Define `def network(x): ...` inside it and `return "
                      "network` (without calling it).", detect=_not_a_function),
          ])
def compose(layers):
    def network(x):
        for layer in layers:
            x = layer(x)
        return x
    return network


def _run_reversed(layers, x):
    for layer in reversed(layers):
        x = layer(x)
    return x


_TASKS = "abcde"


def _letters(answer):
    """Accept 'ace', ['a', 'c', 'e'], {'a', 'c', 'e'}, ... as the same answer."""
    if isinstance(answer, str):
        items = [c for c in answer if c not in " ,;"]
    else:
        try:
            items = [str(c).strip() for c in answer]
        except TypeError:
            raise BadAnswer(f"Expected the letters of the supervised tasks, e.g. "
                            f"{{'a', 'b'}}, got {type(answer).__name__}: {answer!r}.") from None
    letters = {c.lower() for c in items}
    unknown = sorted(letters - set(_TASKS))
    if unknown:
        raise BadAnswer(f"Expected letters from a to e, got {', '.join(map(repr, unknown))}.")
    return "".join(sorted(letters))


def _has(letter):
    return lambda outcomes, expected: outcomes[0].ok and letter in outcomes[0].value


def _lacks(letter):
    return lambda outcomes, expected: outcomes[0].ok and letter not in outcomes[0].value


@exercise("00.3", "Which tasks are supervised learning?", points=1, answer="value",
          prepare=lambda answer: (lambda: _letters(answer)), solution={"a", "c", "e"},
          hints=["Supervised learning needs training pairs (x, y): an input and the output "
                 "we want for it.",
                 "For each task ask: does the training data contain the right answer y for "
                 "each example x?"],
          mistakes=[
              Mistake("clustering", {"a", "b", "c", "e"},
                      "(b) is not supervised: the customers come without labels, so there is "
                      "no y to learn. Finding groups in unlabelled data is unsupervised "
                      "learning.", detect=_has("b")),
              Mistake("rewards", {"a", "c", "d", "e"},
                      "(d) is not supervised: the agent is never shown the right move for a "
                      "position, it only receives rewards. That is reinforcement learning.",
                      detect=_has("d")),
              Mistake("digits_missing", {"a", "e"},
                      "(c) is supervised: each image x comes with the digit y a person wrote "
                      "down for it -- a training pair.", detect=_lacks("c")),
              Mistake("prices_missing", {"c", "e"},
                      "(a) is supervised too: each past sale is a pair (house features x, "
                      "price y). Predicting a number is regression, still supervised.",
                      detect=_lacks("a")),
              Mistake("spam_missing", {"a", "c"},
                      "(e) is supervised: every e-mail x was marked spam or not spam (y) by "
                      "its reader -- a training pair.", detect=_lacks("e")),
              Mistake("not_letters", 42, verdict="wrong", expect="Expected the letters"),
          ])
def supervised_tasks():
    return "ace"


# ======================================================================================
# 01 Neurons: z = w . x + b, a = f(z)
# ======================================================================================


@exercise("01.1", "Compute a neuron's output by hand", points=1, answer="value",
          parts=("z", "a"),
          hints=["z = x1 w1 + x2 w2 + x3 w3 + b: three products, then add the bias.",
                 "ReLU(z) = max(0, z)."],
          mistakes=[
              Mistake("forgot_bias", (-0.5, 0.0),
                      "z leaves out the bias: z = x1 w1 + x2 w2 + x3 w3 + b, and b = 0.1 "
                      "is part of the weighted sum."),
              Mistake("no_activation", (-0.4, -0.4),
                      "a must be ReLU(z) = max(0, z): the activation sets a negative z to 0, "
                      "so a cannot be negative."),
              Mistake("abs_activation", (-0.4, 0.4),
                      "ReLU is max(0, z), not the absolute value |z|: a negative z gives 0."),
          ])
def neuron_by_hand():
    x, w, b = [2.0, -1.0, 0.5], [0.4, 0.3, -2.0], 0.1
    z = sum(xi * wi for xi, wi in zip(x, w)) + b
    return (z, max(0.0, z))


def _neuron_cases(rng):
    cases = []
    for _ in range(20):
        n = rng.randint(1, 5)
        cases.append(([round(rng.uniform(-3, 3), 2) for _ in range(n)],
                      [round(rng.uniform(-2, 2), 2) for _ in range(n)],
                      round(rng.uniform(-1, 1), 2)))
    return cases


@exercise("01.2", "Write neuron(x, w, b)", points=2,
          cases=[([1.0, 2.0], [0.5, -1.0], 0.5), ([0.0, 0.0], [0.3, 0.7], -0.2),
                 ([3.0], [2.0], 1.0), ([1.0, 1.0, 1.0], [0.1, 0.2, 0.3], 0.0),
                 ([2.0, -1.0, 0.5], [0.4, 0.3, -2.0], 0.1), ([], [], 0.3)],
          random_cases=_neuron_cases,
          hints=["z = x1 w1 + x2 w2 + ... + xn wn + b: multiply each input by its own "
                 "weight, add the products, then add b once.",
                 "zip(x, w) gives the pairs (x1, w1), (x2, w2), ...; sum() adds them up."])
def neuron(x, w, b):
    return sum(xi * wi for xi, wi in zip(x, w)) + b


@neuron.mistake("forgot_bias", "Your neuron leaves out the bias b. z = w . x + b: the "
                "bias lets the neuron shift its output even when every input is 0.")
def _(x, w, b):
    return sum(xi * wi for xi, wi in zip(x, w))


@neuron.mistake("bias_per_input", "You add b once per input. The bias belongs to the "
                "neuron, not to each input: add it once, after the sum of products.")
def _(x, w, b):
    return sum(xi * wi + b for xi, wi in zip(x, w))


@neuron.mistake("product_of_sums", "You multiplied the sum of the inputs by the sum of the "
                "weights. Each input is multiplied by its own weight: sum x_i w_i is not "
                "(sum x_i)(sum w_i).")
def _(x, w, b):
    return sum(x) * sum(w) + b


@neuron.mistake("bias_multiplies", "You multiply by b. The bias is added: z = w . x + b.")
def _(x, w, b):
    return sum(xi * wi for xi, wi in zip(x, w)) * b


@neuron.mistake("bias_trick_changes_the_inputs",
                "Your neuron changes the lists it is given. The bias trick x.append(1), "
                "w.append(b) adds to the caller's own x and w: after one call they are "
                "longer, and the next call with them adds b twice. Make new lists "
                "(x + [1.0], w + [b]), or simply add b to the sum.")
def _(x, w, b):
    x.append(1.0)
    w.append(b)
    return sum(xi * wi for xi, wi in zip(x, w))


def _step(z):
    return 1 if z > 0 else 0


def _perceptron(answer):
    """(w1, w2, b) -> the neuron a = step(w1 x1 + w2 x2 + b) checked on the 4 inputs."""
    try:
        w1, w2, b = (float(v) for v in answer)
    except (TypeError, ValueError):
        raise BadAnswer(f"Expected three numbers (w1, w2, b), got "
                        f"{type(answer).__name__}: {answer!r}.") from None
    return lambda x1, x2: _step(w1 * x1 + w2 * x2 + b)


_GATE_INPUTS = [(0, 0), (0, 1), (1, 0), (1, 1)]
_GATE_HINTS = ["The neuron fires (a = 1) only when z = w1 x1 + w2 x2 + b > 0. Write down z "
               "for each of the four inputs.",
               "The bias sets the threshold: with w1 = w2 = 1, how negative must b be so "
               "that one active input is not enough?"]


@exercise("01.3", "Choose weights for AND", points=1, answer="value", prepare=_perceptron,
          cases=_GATE_INPUTS, solution=(1.0, 1.0, -1.5), hints=_GATE_HINTS,
          mistakes=[
              Mistake("or_gate", (1.0, 1.0, -0.5),
                      "These weights compute OR: one active input is already enough to make "
                      "z > 0. For AND the bias must be negative enough that only both "
                      "inputs together push z above 0."),
              Mistake("nand_gate", (-1.0, -1.0, 1.5),
                      "These weights compute NAND, the opposite of AND: flip the sign of "
                      "every weight and of the bias."),
              Mistake("threshold_on_boundary", (1.0, 1.0, -2.0),
                      "With both inputs on, z is exactly 0 and the neuron stays off: it "
                      "fires only for z > 0. Move the bias so that z is clearly positive for "
                      "(1, 1) and clearly negative otherwise."),
              Mistake("two_numbers", (1.0, 1.0), verdict="wrong",
                      expect="Expected three numbers (w1, w2, b)"),
          ])
def and_gate(x1, x2):
    return int(x1 == 1 and x2 == 1)


@exercise("01.4", "Choose weights for NAND", points=1, answer="value", prepare=_perceptron,
          cases=_GATE_INPUTS, solution=(-1.0, -1.0, 1.5), hints=_GATE_HINTS,
          mistakes=[
              Mistake("and_gate", (1.0, 1.0, -1.5),
                      "These weights compute AND. NAND means NOT AND: the output is 1 except "
                      "when both inputs are 1. Flip the signs of the weights and the bias."),
              Mistake("nor_gate", (-1.0, -1.0, 0.5),
                      "These weights compute NOR: one active input already switches the "
                      "neuron off. For NAND only both inputs together may push z to 0 or "
                      "below."),
          ])
def nand_gate(x1, x2):
    return int(not (x1 == 1 and x2 == 1))


def _boundary_cases(rng):
    cases = []
    for _ in range(20):
        w2 = round(rng.choice([-1, 1]) * rng.uniform(0.2, 2), 2)
        cases.append((round(rng.uniform(-3, 3), 2),
                      [round(rng.uniform(-2, 2), 2), w2], round(rng.uniform(-1, 1), 2)))
    return cases


@exercise("01.5", "Find the neuron's decision line", points=2,
          cases=[(0.0, [1.0, 1.0], -1.0), (1.0, [1.0, 2.0], 0.0), (2.0, [-1.0, 0.5], 1.0),
                 (-1.0, [2.0, -4.0], 0.5), (3.0, [0.0, 1.0], -2.0)],
          random_cases=_boundary_cases,
          hints=["On the decision line the neuron is exactly undecided: z = w1 x1 + w2 x2 + "
                 "b = 0.",
                 "Solve w1 x1 + w2 x2 + b = 0 for x2 (w2 is not 0)."])
def decision_x2(x1, w, b):
    return -(w[0] * x1 + b) / w[1]


@decision_x2.mistake("sign_flipped", "Check the sign: from w1 x1 + w2 x2 + b = 0 you get "
                     "w2 x2 = -(w1 x1 + b), so x2 = -(w1 x1 + b) / w2.")
def _(x1, w, b):
    return (w[0] * x1 + b) / w[1]


@decision_x2.mistake("forgot_bias", "The bias is missing: the line is w1 x1 + w2 x2 + b = 0, "
                     "and b moves it away from the origin.")
def _(x1, w, b):
    return -(w[0] * x1) / w[1]


@decision_x2.mistake("not_divided", "You did not divide by w2: w2 x2 = -(w1 x1 + b) still "
                     "has w2 in front of x2.")
def _(x1, w, b):
    return -(w[0] * x1 + b)


@decision_x2.mistake("weights_swapped", "You swapped the roles of w1 and w2: w1 multiplies "
                     "x1 and w2 multiplies x2, so divide by w2.")
def _(x1, w, b):
    return -(w[1] * x1 + b) / w[0]


# ======================================================================================
# 02 Activation functions
# ======================================================================================

def _finite(x):
    if isinstance(x, (list, tuple)):
        return all(_finite(v) for v in x)
    return isinstance(x, (int, float)) and math.isfinite(x)


def _largest(args):
    numbers = [abs(v) for a in args for v in (a if isinstance(a, (list, tuple)) else [a])
               if isinstance(v, (int, float))]
    return max(numbers, default=0.0)


def _overflows(outcomes, expected, cases):
    """Right on ordinary inputs, but overflow (error, inf or nan) on some |z| >= 100."""
    overflowed = False
    for got, want, args in zip(outcomes, expected, cases):
        right = got.ok and _finite(got.value) and _close(want, got.value)
        if right:
            continue
        if _largest(args) < 100:
            return False
        if got.ok and _finite(got.value):
            return False  # wrong but finite: another mistake
        overflowed = True
    return overflowed


def _close(want, got):
    if isinstance(want, (list, tuple)):
        return (isinstance(got, (list, tuple)) and len(got) == len(want)
                and all(map(_close, want, got)))
    return isinstance(got, (int, float)) and math.isclose(want, got, rel_tol=1e-6, abs_tol=1e-9)


_SIGMOID_CASES = [(0.0,), (1.0,), (-1.0,), (4.0,), (-4.0,), (20.0,), (-20.0,),
                  (700.0,), (-700.0,), (1000.0,), (-1000.0,)]


def _scalar_cases(rng):
    return [(round(rng.uniform(-10, 10), 3),) for _ in range(20)]


_OVERFLOW_SIGMOID = (
    "Right for ordinary z, but exp overflows for large |z| (try z = -1000: e^1000 is far "
    "beyond the largest float). Compute with an exponent that is never positive: "
    "1 / (1 + e^-z) when z >= 0, and e^z / (1 + e^z) when z < 0.")


@exercise("02.1", "Implement a sigmoid that never overflows", points=2,
          cases=_SIGMOID_CASES, random_cases=_scalar_cases,
          hints=["sigma(z) = 1 / (1 + e^-z). Try your function at z = -1000 and z = 1000.",
                 "math.exp(x) raises OverflowError for x above about 709. For z < 0 use "
                 "the equal form e^z / (1 + e^z), whose exponent is negative."],
          mistakes=[
              Mistake("naive", lambda z: 1.0 / (1.0 + math.exp(-z)), _OVERFLOW_SIGMOID,
                      detect=_overflows),
              Mistake("naive_other_form", lambda z: math.exp(z) / (1.0 + math.exp(z)),
                      _OVERFLOW_SIGMOID, detect=_overflows),
              Mistake("sign_flipped", lambda z: _sigmoid(-z),
                      "You computed sigma(-z) = 1 / (1 + e^z): the sign in the exponent is "
                      "flipped. sigma(z) = 1 / (1 + e^-z) rises from 0 to 1 as z grows, "
                      "and sigma(4) is close to 1."),
              Mistake("tanh_instead", lambda z: math.tanh(z),
                      "That is tanh, whose outputs range over (-1, 1). The sigmoid's range is "
                      "(0, 1) and sigma(0) = 0.5."),
          ])
def sigmoid(z):
    return _sigmoid(z)


@exercise("02.2", "Implement the sigmoid's derivative", points=2,
          cases=_SIGMOID_CASES, random_cases=_scalar_cases,
          hints=["sigma'(z) = sigma(z) (1 - sigma(z)): compute a = sigma(z) first.",
                 "Its largest value is 0.25, at z = 0; far from 0 it is nearly 0 (the "
                 "vanishing gradient). Reuse a sigmoid that never overflows."],
          mistakes=[
              Mistake("formula_on_z", lambda z: z * (1 - z),
                      "You applied a (1 - a) to z itself. The shortcut sigma'(z) = a (1 - a) "
                      "needs a = sigma(z) first: compute the sigmoid, then the product."),
              Mistake("derivative_at_a",
                      lambda z: _sigmoid(_sigmoid(z)) * (1 - _sigmoid(
                          _sigmoid(z))),
                      "You took the derivative at a = sigma(z) instead of at z: you computed "
                      "sigma(a) (1 - sigma(a)). Either sigma(z) (1 - sigma(z)), or a (1 - a) "
                      "with a = sigma(z) -- not both."),
              Mistake("quotient_overflow",
                      lambda z: math.exp(-z) / (1 + math.exp(-z)) ** 2,
                      "Right for ordinary z, but the formula overflows for large |z|: at "
                      "z = -1000, e^1000 is infinite (an error, or inf/inf = nan). Use "
                      "sigma(z) (1 - sigma(z)) with a sigmoid that never overflows.",
                      detect=_overflows),
              Mistake("sigmoid_itself", _sigmoid,
                      "You returned sigma(z) itself, not its slope. The derivative is "
                      "sigma(z) (1 - sigma(z)): at z = 0 it is 0.25, not 0.5."),
          ])
def sigmoid_derivative(z):
    a = _sigmoid(z)
    return a * (1.0 - a)


def _leaky_cases(rng):
    return [(round(rng.uniform(-5, 5), 3), rng.choice([0.01, 0.05, 0.1, 0.2, 0.3]))
            for _ in range(20)]


def _needs_alpha(outcomes, expected, cases):
    """A call without alpha fails: the function has no default for it."""
    return any(not got.ok and got.error[0] == "TypeError" and "alpha" in got.error[1]
               for got, args in zip(outcomes, cases) if len(args) == 1)


# The calls with z alone test the default alpha = 0.01 that the statement names.
@exercise("02.3", "Implement leaky ReLU's derivative", points=2,
          cases=[(2.0, 0.01), (-2.0, 0.01), (0.5, 0.1), (-0.5, 0.1), (-3.0, 0.2),
                 (0.0, 0.01), (1000.0, 0.01), (-1000.0, 0.3), (-2.0,), (0.0,), (3.0,)],
          random_cases=_leaky_cases,
          hints=["leaky_relu(z) = z for z > 0 and alpha z otherwise: a straight line on each "
                 "side of 0. What is the slope of each line?",
                 "At z = 0 use the left slope, alpha, as annlib does."],
          mistakes=[
              Mistake("relu_derivative", lambda z, alpha=0.01: 1.0 if z > 0 else 0.0,
                      "That is plain ReLU's derivative: 0 for z <= 0. Leaky ReLU keeps a "
                      "small slope alpha for negative z, so its neurons never stop learning "
                      "(no dying ReLU)."),
              Mistake("alpha_times_z", lambda z, alpha=0.01: 1.0 if z > 0 else alpha * z,
                      "For z < 0 leaky ReLU is the line alpha z; its slope is alpha, not "
                      "alpha z."),
              Mistake("function_not_slope", lambda z, alpha=0.01: z if z > 0 else alpha * z,
                      "You returned leaky_relu(z) itself. Its derivative is the slope: 1 for "
                      "z > 0, alpha otherwise."),
              Mistake("ignores_alpha", lambda z, alpha=0.01: 1.0 if z > 0 else 0.01,
                      "Your function ignores its alpha argument and always uses 0.01: use "
                      "the alpha it is given."),
              Mistake("zero_goes_right", lambda z, alpha=0.01: 1.0 if z >= 0 else alpha,
                      "Right except at z = 0: there the course (and annlib) uses the left "
                      "slope alpha, because leaky_relu(z) = z only for z > 0."),
              Mistake("other_default", lambda z, alpha=0.1: 1.0 if z > 0 else alpha,
                      "Right when alpha is given, but your default alpha is not the "
                      "statement's: leaky_relu_derivative(z, alpha=0.01) must use 0.01 when "
                      "it is called without alpha, as annlib's leaky_relu does."),
              Mistake("no_default", lambda z, alpha: 1.0 if z > 0 else alpha,
                      "Your function cannot be called without alpha. The statement's "
                      "signature is leaky_relu_derivative(z, alpha=0.01): give alpha the "
                      "default value 0.01, so that leaky_relu_derivative(-2.0) works.",
                      detect=_needs_alpha),
          ])
def leaky_relu_derivative(z, alpha=0.01):
    return 1.0 if z > 0 else alpha


def _softmax_cases(rng):
    return [([round(rng.uniform(-5, 5), 2) for _ in range(rng.randint(1, 6))],)
            for _ in range(20)]


def _naive_softmax(z):
    e = [math.exp(v) for v in z]
    return [v / sum(e) for v in e]


@exercise("02.4", "Implement a softmax that never overflows", points=3,
          cases=[([1.0, 2.0, 3.0],), ([0.0],), ([0.0, 0.0],), ([2.0, -1.0],),
                 ([1000.0, 0.0],), ([-1000.0, 0.0, 1000.0],), ([1000.0, 1000.0],),
                 ([-1000.0, -1000.0],)],
          random_cases=_softmax_cases,
          hints=["softmax(z)_k = e^(z_k) / sum_j e^(z_j): exponentiate, then divide by the "
                 "sum so the outputs add up to 1.",
                 "Subtracting the same number from every z_k does not change the result. "
                 "Subtract max(z): every exponent is then <= 0 and nothing overflows."],
          mistakes=[
              Mistake("naive", _naive_softmax,
                      "Right for ordinary logits, but e^1000 overflows (an error, or inf/inf "
                      "= nan). Subtract max(z) from every logit before exponentiating: the "
                      "result is the same and every exponent is <= 0.", detect=_overflows),
              Mistake("not_normalised",
                      lambda z: [math.exp(v - max(z)) for v in z],
                      "Your outputs do not add up to 1: divide each exponential by the sum "
                      "of all of them, so softmax gives a probability distribution."),
              Mistake("no_exponential",
                      lambda z: [v / sum(z) for v in z],
                      "You divided the logits by their sum without exponentiating. Logits "
                      "can be negative or sum to 0; softmax uses e^(z_k), which is always "
                      "positive."),
              Mistake("hard_max",
                      lambda z: [1.0 if i == z.index(max(z)) else 0.0 for i in range(len(z))],
                      "That is a hard argmax (one 1, zeros elsewhere). Softmax is its soft "
                      "version: every class gets a share, larger logits a larger one."),
          ])
def softmax(z):
    m = max(z)
    e = [math.exp(v - m) for v in z]
    total = sum(e)
    return [v / total for v in e]


# ======================================================================================
# 03 Layers and architectures
# ======================================================================================

def _size_cases(rng):
    return [([rng.randint(1, 12) for _ in range(rng.randint(1, 5))],) for _ in range(20)]


_SIZE_EDGE_CASES = [([2, 3, 1],), ([1, 1],), ([784, 128, 10],), ([4, 4, 4, 4],),
                    ([3],), ([2, 16, 16, 1],), ([5, 2],)]


@exercise("03.1", "Count the parameters of an MLP", points=2,
          cases=_SIZE_EDGE_CASES, random_cases=_size_cases,
          hints=["Layer l has n_l neurons; each has one weight per input (n_(l-1) of them) "
                 "and one bias.",
                 "So layer l holds n_l * n_(l-1) + n_l parameters. The input layer has none: "
                 "it only holds x."],
          mistakes=[
              Mistake("forgot_biases",
                      lambda sizes: sum(a * b for a, b in zip(sizes, sizes[1:])),
                      "You forgot the biases: every neuron has one, so layer l holds "
                      "n_l * n_(l-1) weights plus n_l biases."),
              Mistake("counted_neurons", lambda sizes: sum(sizes[1:]),
                      "You counted neurons, not parameters. Each neuron has one weight per "
                      "input plus a bias, so a layer of n_l neurons after n_(l-1) inputs has "
                      "n_l * (n_(l-1) + 1) parameters."),
              Mistake("counted_all_units", lambda sizes: sum(sizes),
                      "You added up the layer sizes, which counts units, not parameters. "
                      "Parameters live on the connections (weights) and in the neurons "
                      "(biases)."),
              Mistake("biases_of_previous_layer",
                      lambda sizes: sum(a * b + a for a, b in zip(sizes, sizes[1:])),
                      "Off by one layer: you gave each layer n_(l-1) biases. Biases belong "
                      "to the neurons that receive the inputs, so layer l has n_l of them."),
              Mistake("input_layer_biases",
                      lambda sizes: sum(b * (a + 1) for a, b in zip(sizes, sizes[1:]))
                      + sizes[0],
                      "The input layer has no parameters: it only holds x. Count weights and "
                      "biases from the first hidden layer on."),
              Mistake("skipped_last_layer",
                      lambda sizes: sum(b * (a + 1) for a, b in zip(sizes[:-1], sizes[1:-1])),
                      "You left out the last layer: the output layer has weights and biases "
                      "too."),
          ])
def count_parameters(sizes):
    return sum(n_out * (n_in + 1) for n_in, n_out in zip(sizes, sizes[1:]))


@exercise("03.2", "List the weight matrix shapes", points=2,
          cases=_SIZE_EDGE_CASES, random_cases=_size_cases,
          hints=["W^[l] maps a^[l-1] (n_(l-1) numbers) to z^[l] (n_l numbers).",
                 "Row j of W^[l] holds the weights into neuron j (w_jk: to j from k), so "
                 "W^[l] has n_l rows and n_(l-1) columns."],
          mistakes=[
              Mistake("transposed",
                      lambda sizes: [(a, b) for a, b in zip(sizes, sizes[1:])],
                      "Your shapes are transposed. W^[l] is n_l x n_(l-1): one row per "
                      "neuron of layer l (w_jk goes to j from k), so that z = W a + b "
                      "multiplies a vector of n_(l-1) inputs."),
              Mistake("square",
                      lambda sizes: [(b, b) for b in sizes[1:]],
                      "A weight matrix connects two layers: it has n_l rows (neurons of layer "
                      "l) and n_(l-1) columns (their inputs), not n_l x n_l."),
              Mistake("input_layer_matrix",
                      lambda sizes: [(sizes[0], sizes[0])]
                      + [(b, a) for a, b in zip(sizes, sizes[1:])],
                      "The input layer has no weight matrix: there is one matrix per "
                      "connection between layers, len(sizes) - 1 of them."),
          ])
def weight_shapes(sizes):
    return [(n_out, n_in) for n_in, n_out in zip(sizes, sizes[1:])]


_ACTIVATIONS = ("linear", "sigmoid", "softmax", "relu", "tanh")


def _output_layer_answer(output_layer):
    def checked(task, n):
        result = output_layer(task, n)
        try:
            units, activation = result
        except (TypeError, ValueError):
            raise BadAnswer(f"Expected a pair (number of units, activation name), e.g. "
                            f"(3, 'relu'); got {result!r} for output_layer({task!r}, {n}).") \
                from None
        activation = str(activation).strip().lower()
        if activation not in _ACTIVATIONS:
            raise BadAnswer(f"Expected an activation name among {', '.join(_ACTIVATIONS)}, "
                            f"got {activation!r}.")
        return (units, activation)
    return checked


def _activation_for(task_names, activations):
    """detect(): some case of these tasks got one of these activations."""
    def detect(outcomes, expected, cases):
        return any(got.ok and isinstance(got.value, tuple) and got.value[1] in activations
                   for got, (task, n) in zip(outcomes, cases) if task in task_names)
    return detect


def _output_layer_compare(expected, got):
    # Two softmax units for two classes are equivalent to one sigmoid unit.
    if tuple(expected) == (1, "sigmoid") and tuple(got) == (2, "softmax"):
        return True
    return tuple(expected) == tuple(got)


@exercise("03.3", "Choose the output layer for a task", points=2,
          prepare=_output_layer_answer, compare=_output_layer_compare,
          cases=[("regression", 1), ("regression", 3), ("binary", 2), ("multiclass", 10),
                 ("multiclass", 3), ("regression", 2), ("multiclass", 4)],
          hints=["Regression predicts any real number: which activation lets every value "
                 "out unchanged?",
                 "Two classes need one probability p (the other is 1 - p); n classes need n "
                 "probabilities that add up to 1."],
          mistakes=[
              Mistake("squashed_regression",
                      lambda task, n: (n, "sigmoid") if task == "regression"
                      else _output_reference(task, n),
                      "A regression output must be able to take any value: a sigmoid "
                      "squashes it into (0, 1), so a price of 250 000 could never come out. "
                      "Use linear units.",
                      detect=_activation_for({"regression"}, {"sigmoid", "tanh", "softmax"})),
              Mistake("sigmoids_for_classes",
                      lambda task, n: (n, "sigmoid") if task == "multiclass"
                      else _output_reference(task, n),
                      "For one class out of n, use softmax: n independent sigmoids do not add "
                      "up to 1, so they are not one probability distribution (they fit "
                      "tasks where several labels can be true at once).",
                      detect=_activation_for({"multiclass"}, {"sigmoid"})),
              Mistake("one_unit_for_classes",
                      lambda task, n: (1, "softmax") if task == "multiclass"
                      else _output_reference(task, n),
                      "One output unit cannot hold n class probabilities (and softmax of a "
                      "single number is always 1): use one unit per class."),
              Mistake("linear_classes",
                      lambda task, n: (n if task == "multiclass" else 1, "linear")
                      if task != "regression" else (n, "linear"),
                      "Classification outputs should be probabilities: a linear unit gives "
                      "any real number. Use sigmoid for two classes, softmax for more.",
                      detect=_activation_for({"binary", "multiclass"}, {"linear"})),
              Mistake("not_a_pair", lambda task, n: "softmax", verdict="wrong",
                      expect="Expected a pair (number of units, activation name)"),
          ])
def output_layer(task, n):
    return _output_reference(task, n)


def _output_reference(task, n):
    if task == "regression":
        return (n, "linear")
    if task == "binary":
        return (1, "sigmoid")
    return (n, "softmax")


# ======================================================================================
# 04 Forward propagation
# ======================================================================================


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
