"""Graded exercises of chapter 00: Introduction: a network is a nested function; supervised learning.

Each exercise: a reference (the decorated function), its cases, hints, and the
catalogue of wrong answers it must recognise (see ``annlib.grading.core``).
The statements live in ``solutions/00_*.ipynb``.
"""


from .common import _close
from .core import BadAnswer, ChangedArgument, Mistake, NotRepeatable, exercise


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


def _feature_model(answer):
    """(w1, w2, w3, b) -> the linear model on (x1, x2, x1^2 + x2^2), checked on fresh points."""
    try:
        w1, w2, w3, b = (float(v) for v in answer)
    except (TypeError, ValueError):
        raise BadAnswer(f"Expected four numbers (w1, w2, w3, b), got "
                        f"{type(answer).__name__}: {answer!r:.80}.") from None
    if w3 == 0:
        raise BadAnswer("w3 is 0, so your model ignores the feature x1^2 + x2^2: its boundary "
                        "w1 x1 + w2 x2 + b = 0 is a straight line, and no straight line "
                        "separates a disc from the ring around it. Give the feature a weight.")
    return lambda x1, x2: 1 if w1 * x1 + w2 * x2 + w3 * (x1 * x1 + x2 * x2) + b > 0 else 0


_INNER, _OUTER = 0.6, 0.8  # inner points lie within 0.6 of the origin, outer ones beyond 0.8


def _ring_points(rng):
    import math
    cases = []
    for radius_range in [(0.0, 0.5), (0.5, _INNER), (_OUTER, 0.9), (0.9, 1.5)]:
        for _ in range(8):
            r, t = rng.uniform(*radius_range), rng.uniform(0, 2 * math.pi)
            cases.append((round(r * math.cos(t), 3), round(r * math.sin(t), 3)))
    return cases


def _radius(args):
    return (args[0] ** 2 + args[1] ** 2) ** 0.5


def _circle_off(too_large):
    """detect(): every inner point right, and only outer points near the rings wrong (or the
    other way round): the boundary is a circle of the wrong radius."""
    def detect(outcomes, expected, cases):
        wrong = [args for got, want, args in zip(outcomes, expected, cases)
                 if not (got.ok and got.value == want)]
        if not wrong:
            return False
        if too_large:
            return all(_radius(args) > _INNER + 1e-9 for args in wrong)
        return all(_radius(args) <= _INNER + 1e-9 for args in wrong)
    return detect


@exercise("00.4", "Separate the circles with a hand-made feature", points=2, answer="value",
          prepare=_feature_model, solution=(0.0, 0.0, -1.0, 0.49),
          cases=[(0.0, 0.0), (0.59, 0.0), (0.0, -0.59), (0.6, 0.0), (0.81, 0.0), (0.0, 0.8),
                 (-0.6, 0.6), (1.4, 0.0)],
          random_cases=_ring_points,
          describe=lambda args: f"the point (x1, x2) = ({args[0]!r}, {args[1]!r})",
          hints=["On the boundary z = w1 x1 + w2 x2 + w3 (x1^2 + x2^2) + b = 0. With w1 = "
                 "w2 = 0 that is x1^2 + x2^2 = -b / w3: a circle around the origin.",
                 "Class 1 is inside, where x1^2 + x2^2 is small, so z must fall as x1^2 + "
                 "x2^2 grows (w3 < 0). Pick the radius of the boundary between 0.6 and 0.8 "
                 "and remember that the feature is the radius squared."],
          mistakes=[
              Mistake("inside_out", (0.0, 0.0, 1.0, -0.49),
                      "Your circle is right, but the classes are swapped: your model says 1 "
                      "outside it. Class 1 is the inner disc, where x1^2 + x2^2 is small, so "
                      "z must decrease as the feature grows: w3 negative, b positive."),
              Mistake("radius_not_squared", (0.0, 0.0, -1.0, 0.85),
                      "Your boundary circle is too large: it takes in outer points. With "
                      "w1 = w2 = 0 the boundary is x1^2 + x2^2 = -b / w3, the radius "
                      "*squared*: a circle of radius 0.7 needs -b / w3 = 0.49, not 0.7.",
                      detect=_circle_off(too_large=True)),
              Mistake("circle_too_small", (0.0, 0.0, -1.0, 0.2),
                      "Your boundary circle is too small: inner points near radius 0.6 fall "
                      "outside it. The boundary x1^2 + x2^2 = -b / w3 must lie between the "
                      "squared radii 0.6^2 = 0.36 and 0.8^2 = 0.64.",
                      detect=_circle_off(too_large=False)),
              Mistake("straight_line", (1.0, 1.0, 0.0, 0.0), verdict="wrong",
                      expect="no straight line separates"),
              Mistake("three_numbers", (0.0, -1.0, 0.49), verdict="wrong",
                      expect="Expected four numbers (w1, w2, w3, b)"),
          ])
def inner_disc(x1, x2):
    return 1 if x1 * x1 + x2 * x2 <= _INNER ** 2 + 1e-12 else 0


def _z(w, b, x):
    return sum(w_k * x_k for w_k, x_k in zip(w, x)) + b


def _share(w, b, X, y, predict, divide=lambda correct, n: correct / n):
    correct = sum(1 for x, label in zip(X, y) if predict(_z(w, b, x)) == label)
    return divide(correct, len(X))


def _minus_one_labels(outcomes, expected, cases):
    """detect(): class 0 predicted as -1, either for every z <= 0 or (sign(z)) for z < 0."""
    def matches(predict):
        return all(o.ok and _close(_share(*args, predict), o.value)
                   for o, args in zip(outcomes, cases))
    return (matches(lambda z: 1 if z > 0 else -1)
            or matches(lambda z: 1 if z > 0 else (0 if z == 0 else -1)))


def _accuracy_case(rng):
    """Inputs and weights on a grid of quarters: sums are exact, and z = 0 happens."""
    n_in, n = rng.randint(1, 4), rng.randint(2, 12)
    w = [rng.randint(-4, 4) / 2 for _ in range(n_in)]
    X = [[rng.randint(-8, 8) / 4 for _ in range(n_in)] for _ in range(n)]
    return (w, rng.randint(-4, 4) / 4, X, [rng.randint(0, 1) for _ in range(n)])


@exercise("00.5", "Measure a linear classifier's accuracy", points=2,
          cases=[([1.0, -1.0], 0.0, [[0.5, 0.5], [1.0, 0.0], [0.0, 1.0], [2.0, 1.0]],
                  [0, 1, 0, 1]),
                 ([2.0], -1.0, [[0.5]], [0]),
                 ([0.5, 0.5], -0.5, [[1.0, 1.0], [0.0, 0.0], [1.0, 0.0], [-1.0, 2.0],
                                     [2.0, 2.0]], [1, 1, 0, 0, 1]),
                 ([1.0, 1.0, -1.0], 0.25, [[0.0, 0.0, 0.0], [1.0, 0.0, 1.5], [-1.0, 0.5, 0.0]],
                  [0, 0, 1])],
          random_cases=lambda rng: [_accuracy_case(rng) for _ in range(20)],
          hints=["For each example x (a row of X): z = w_1 x_1 + ... + w_n x_n + b; the "
                 "prediction is 1 if z > 0, else 0. Compare it with that example's label.",
                 "Count the examples whose prediction equals their label, then divide by the "
                 "number of examples, len(X): the result lies between 0 and 1.",
                 "A point exactly on the line (z = 0) is class 0: use z > 0, not z >= 0."],
          mistakes=[
              Mistake("on_the_line_is_class_1",
                      lambda w, b, X, y: _share(w, b, X, y, lambda z: 1 if z >= 0 else 0),
                      "A point exactly on the line, z = 0, is class 0: the rule is class 1 "
                      "only if z > 0. You predicted class 1 for z >= 0."),
              Mistake("error_rate",
                      lambda w, b, X, y: 1 - _share(w, b, X, y, lambda z: 1 if z > 0 else 0),
                      "You returned the share of examples the classifier gets *wrong* (the "
                      "error rate, 1 - accuracy). The accuracy is the share it gets right."),
              Mistake("class_1_below_the_line",
                      lambda w, b, X, y: _share(w, b, X, y, lambda z: 1 if z < 0 else 0),
                      "Your classifier predicts class 1 where z < 0: it is the other way "
                      "round, class 1 where z = w . x + b > 0."),
              Mistake("labels_minus_one_and_one",
                      lambda w, b, X, y: _share(w, b, X, y, lambda z: 1 if z > 0 else -1),
                      "You predict -1 for the second class (as sign(z) does for z < 0), but "
                      "the labels here are 0 and 1: an example of class 0 with z < 0 never "
                      "matches its label. Predict 0 when z <= 0.", detect=_minus_one_labels),
              Mistake("count_not_share",
                      lambda w, b, X, y: _share(w, b, X, y, lambda z: 1 if z > 0 else 0,
                                                divide=lambda correct, n: correct),
                      "You returned how many examples are right, not the share: divide the "
                      "count by the number of examples, len(X), so the accuracy lies between "
                      "0 and 1."),
              Mistake("percent",
                      lambda w, b, X, y: 100 * _share(w, b, X, y, lambda z: 1 if z > 0 else 0),
                      "You returned a percentage. The accuracy here is a share between 0 and "
                      "1 (0.75, not 75): the chapter printed it with :.0% to show it as a "
                      "percentage."),
              Mistake("integer_division",
                      lambda w, b, X, y: _share(w, b, X, y, lambda z: 1 if z > 0 else 0,
                                                divide=lambda correct, n: correct // n),
                      "You divided with //, which rounds down to a whole number: 3 // 4 is 0. "
                      "Use / to get the share, 3 / 4 = 0.75."),
              Mistake("bias_left_out",
                      lambda w, b, X, y: _share(w, 0.0, X, y, lambda z: 1 if z > 0 else 0),
                      "Your classifier leaves out the bias b: z = w_1 x_1 + ... + w_n x_n + b. "
                      "Without b the line always passes through the origin."),
          ])
def linear_accuracy(w, b, X, y):
    predictions = [1 if _z(w, b, x) > 0 else 0 for x in X]
    return sum(p == label for p, label in zip(predictions, y)) / len(X)
