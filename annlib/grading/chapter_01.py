"""Graded exercises of chapter 01: Neurons: z = w . x + b, a = f(z).

Each exercise: a reference (the decorated function), its cases, hints, and the
catalogue of wrong answers it must recognise (see ``annlib.grading.core``).
The statements live in ``solutions/01_*.ipynb``.
"""


from .core import BadAnswer, Mistake, exercise


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


def _xor_network(answer):
    """((w11, w12, b1), (w21, w22, b2), (v1, v2, c)) -> the two-layer network of step neurons."""
    try:
        hidden_1, hidden_2, output = answer
        neurons = [tuple(float(v) for v in neuron) for neuron in (hidden_1, hidden_2, output)]
        if any(len(neuron) != 3 for neuron in neurons):
            raise ValueError
    except (TypeError, ValueError):
        raise BadAnswer(f"Expected three neurons, each three numbers (w1, w2, b): "
                        f"((w11, w12, b1), (w21, w22, b2), (v1, v2, c)) for the two hidden "
                        f"neurons and the output neuron; got {answer!r:.80}. One neuron alone "
                        f"cannot compute XOR (chapter 01, section 5).") from None
    (w11, w12, b1), (w21, w22, b2), (v1, v2, c) = neurons

    def network(x1, x2):
        h1, h2 = _step(w11 * x1 + w12 * x2 + b1), _step(w21 * x1 + w22 * x2 + b2)
        return _step(v1 * h1 + v2 * h2 + c)
    return network


_OR, _NAND = (1.0, 1.0, -0.5), (-1.0, -1.0, 1.5)


@exercise("01.4", "Build XOR from three neurons", points=2, answer="value",
          prepare=_xor_network, cases=_GATE_INPUTS, solution=(_OR, _NAND, (1.0, 1.0, -1.5)),
          describe=lambda args: f"(x1, x2) = {args}",
          hints=["XOR(x1, x2) is 1 when at least one input is 1 (OR) but not both (NAND): "
                 "XOR = AND(OR(x1, x2), NAND(x1, x2)).",
                 "Let hidden neuron 1 compute OR and hidden neuron 2 NAND (exercise 01.3 "
                 "and its sign flip); the output neuron then computes AND of h1 and h2."],
          mistakes=[
              Mistake("or_at_the_output", (_OR, _NAND, (1.0, 1.0, -0.5)),
                      "Your network outputs 1 for every input. Its output neuron fires as "
                      "soon as one hidden neuron fires, and for every input OR or NAND is 1. "
                      "It must fire only when *both* hidden neurons fire: make its bias "
                      "negative enough that one active hidden neuron is not enough."),
              Mistake("or_gate", (_OR, _OR, (1.0, 1.0, -0.5)),
                      "Your network computes OR: it says 1 for (1, 1) as well. XOR is 'at "
                      "least one, but not both': one hidden neuron can detect 'at least one' "
                      "(OR), the other 'not both' (NAND), and the output neuron needs both."),
              Mistake("xnor", (_OR, _NAND, (-1.0, -1.0, 1.5)),
                      "Your network computes XNOR, the opposite of XOR: 1 when the inputs are "
                      "equal. The output neuron must compute AND of the hidden neurons, not "
                      "NAND: flip the signs of its weights and bias."),
              Mistake("and_at_the_hidden_layer", ((1.0, 1.0, -1.5), _NAND, (1.0, 1.0, -1.5)),
                      "Your network outputs 0 for every input. For (0, 1) and (1, 0) both "
                      "hidden neurons must fire, so that the output neuron can: one should "
                      "detect 'at least one input is 1' (OR), the other 'not both' (NAND). "
                      "AND and NAND, say, are never 1 together."),
              Mistake("one_neuron", (1.0, 1.0, -0.5), verdict="wrong",
                      expect="Expected three neurons"),
          ])
def xor_gate(x1, x2):
    return int(x1 != x2)


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
