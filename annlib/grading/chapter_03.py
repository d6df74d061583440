"""Graded exercises of chapter 03: Layers and architectures.

Each exercise: a reference (the decorated function), its cases, hints, and the
catalogue of wrong answers it must recognise (see ``annlib.grading.core``).
The statements live in ``solutions/03_*.ipynb``.
"""


from .core import BadAnswer, Mistake, exercise


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
