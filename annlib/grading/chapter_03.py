"""Graded exercises of chapter 03: Layers and architectures.

Each exercise: a reference (the decorated function), its cases, hints, and the
catalogue of wrong answers it must recognise (see ``annlib.grading.core``).
The statements live in ``solutions/03_*.ipynb``.
"""


from .core import Mistake, exercise


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


def _needs(name):
    """detect(): a call that leaves out an argument with a default fails with a TypeError."""
    def detect(outcomes, expected, cases):
        return any(not got.ok and got.error[0] == "TypeError" and name in got.error[1]
                   for got in outcomes)
    return detect


def _curve(rng, start, end, epochs, bump_at=None, rise=0.0):
    """A falling error curve from start to end; with bump_at, it rises by `rise` after it."""
    values = []
    for e in range(epochs):
        t = e / max(1, epochs - 1)
        v = end + (start - end) * (1 - t) ** 2
        if bump_at is not None and e > bump_at:
            v += rise * (e - bump_at) / (epochs - 1 - bump_at)
        values.append(round(v + rng.uniform(0, 0.002), 4))
    return values


def _curve_cases(rng):
    cases = []
    for i in range(24):
        epochs = rng.randint(5, 30)
        good = rng.choice([0.05, 0.1, 0.2, None])
        limit = 0.1 if good is None else good
        kind = i % 4
        if kind == 0:    # underfitting: both stay high
            end = limit + rng.uniform(0.1, 0.5)
            train = _curve(rng, 1.5, end, epochs)
            val = _curve(rng, 1.5, end + rng.uniform(0.0, 0.1), epochs)
        elif kind == 1:  # overfitting: training error tiny, held-out error turns up
            train = _curve(rng, 1.5, limit * rng.uniform(0.05, 0.5), epochs)
            val = _curve(rng, 1.5, limit * 0.8, epochs, bump_at=rng.randint(1, epochs - 3),
                         rise=limit + rng.uniform(0.2, 1.0))
        elif kind == 2:  # a good fit whose held-out error rises a little at the end
            train = _curve(rng, 1.5, limit * 0.3, epochs)
            val = _curve(rng, 1.5, limit * 0.5, epochs, bump_at=epochs - 3,
                         rise=limit * 0.3)
        else:            # a good fit, still improving
            train = _curve(rng, 1.5, limit * 0.4, epochs)
            val = _curve(rng, 1.5, limit * 0.7, epochs)
        cases.append((train, val) if good is None else (train, val, good))
    return cases


def _lowest(values, last=False):
    best = min(values)
    indices = [i for i, v in enumerate(values) if v == best]
    return indices[-1] if last else indices[0]


def _diagnosis(train_error, val_error, good):
    if train_error[-1] > good:
        return "underfitting"
    return "overfitting" if val_error[-1] > good else "good fit"


def _diagnose_with(diagnosis=_diagnosis, best=lambda train, val: _lowest(val)):
    def answer(train_error, val_error, good=0.1):
        return (diagnosis(train_error, val_error, good), best(train_error, val_error))
    return answer


_SWAP = {"underfitting": "overfitting", "overfitting": "underfitting", "good fit": "good fit"}


@exercise("03.3", "Diagnose under- and overfitting from the error curves", points=3,
          cases=[([0.9, 0.7, 0.6, 0.55, 0.5], [0.95, 0.75, 0.65, 0.6, 0.58]),
                 ([0.9, 0.4, 0.1, 0.03, 0.01], [0.9, 0.5, 0.3, 0.45, 0.7]),
                 ([0.9, 0.3, 0.08, 0.05, 0.04], [0.9, 0.35, 0.09, 0.06, 0.07]),
                 ([0.9, 0.3, 0.08, 0.05, 0.04], [0.9, 0.35, 0.09, 0.06, 0.07], 0.05),
                 ([0.4, 0.3, 0.3], [0.5, 0.35, 0.35], 0.3),
                 ([0.2], [0.3], 0.25),
                 ([0.5, 0.2, 0.1], [0.6, 0.3, 0.3], 0.5)],
          random_cases=_curve_cases,
          hints=["Look at the training error first: if even the training examples are not "
                 "fitted (final training error above good), the model underfits, whatever "
                 "the held-out error does.",
                 "If the training error is low but the held-out error ends high, the model "
                 "overfits. The epoch to keep is where the held-out error is lowest "
                 "(early stopping), not the last one and not where the training error is "
                 "lowest."],
          mistakes=[
              Mistake("names_swapped",
                      _diagnose_with(lambda t, v, g: _SWAP[_diagnosis(t, v, g)]),
                      "You swapped the names. Underfitting: the model is too simple to fit "
                      "even its training examples, so the training error stays high. "
                      "Overfitting: it fits the training examples (low training error) but "
                      "not new ones (high held-out error)."),
              Mistake("held_out_only",
                      _diagnose_with(lambda t, v, g: "underfitting" if v[-1] > g
                                     else "good fit"),
                      "You judged by the held-out error alone. A high held-out error says "
                      "that something is wrong, not what: with a low training error the "
                      "model has fitted the training examples too closely (overfitting), "
                      "with a high one it has not even fitted them (underfitting)."),
              Mistake("training_only",
                      _diagnose_with(lambda t, v, g: "underfitting" if t[-1] > g
                                     else "good fit"),
                      "You judged by the training error alone, so you never see overfitting: "
                      "a model can fit its training examples perfectly and still fail on new "
                      "ones. Compare the held-out error too."),
              Mistake("best_by_training_error",
                      _diagnose_with(best=lambda train, val: _lowest(train)),
                      "Your best_epoch is where the *training* error is lowest, which is "
                      "nearly always the last epoch. Early stopping keeps the epoch with the "
                      "lowest *held-out* error: that is the model that does best on new data."),
              Mistake("best_is_last",
                      _diagnose_with(best=lambda train, val: len(val) - 1),
                      "Your best_epoch is always the last epoch. When the held-out error "
                      "turns up, the weights of an earlier epoch were better on new data: "
                      "return the index of the lowest held-out error."),
              Mistake("epoch_counted_from_one",
                      _diagnose_with(best=lambda train, val: _lowest(val) + 1),
                      "Your best_epoch is one too large: it is an index, 0 for the first "
                      "epoch, so that val_error[best_epoch] is the lowest held-out error."),
              Mistake("no_default",
                      lambda train_error, val_error, good: _diagnose_with()(
                          train_error, val_error, good),
                      "Your function cannot be called without good. The statement's "
                      "signature is diagnose(train_error, val_error, good=0.1): give good the "
                      "default value 0.1.", detect=_needs("good")),
          ])
def diagnose(train_error, val_error, good=0.1):
    return (_diagnosis(train_error, val_error, good), _lowest(val_error))


def _conv_cases(rng):
    cases = []
    for _ in range(20):
        k = rng.randint(1, 7)
        n = rng.randint(k, 40)
        shape = rng.choice(["plain", "in", "both"])
        if shape == "plain":
            cases.append((n, k))
        elif shape == "in":
            cases.append((n, k, rng.randint(1, 4)))
        else:
            cases.append((n, k, rng.randint(1, 4), rng.randint(1, 8)))
    return cases


def _conv_counts(n, k, c_in=1, c_out=1, conv=None, dense=None):
    positions = n - k + 1
    conv_count = c_out * (c_in * k + 1) if conv is None else conv(n, k, c_in, c_out, positions)
    dense_count = (positions * c_out * (n * c_in + 1) if dense is None
                   else dense(n, k, c_in, c_out, positions))
    return (conv_count, dense_count)


def _conv_mistake(conv=None, dense=None):
    return lambda n, k, c_in=1, c_out=1: _conv_counts(n, k, c_in, c_out, conv, dense)


@exercise("03.4", "Count a convolution's parameters against a dense layer's", points=3,
          cases=[(6, 3), (100, 5), (28, 3, 1, 16), (10, 1), (5, 5), (32, 3, 3, 8), (7, 2, 2)],
          random_cases=_conv_cases,
          hints=["A kernel of k weights fits n - k + 1 times along a signal of n values: that "
                 "many outputs per filter. With weight sharing, every position uses the same "
                 "k weights (times c_in channels) and the same bias.",
                 "The dense layer produces the same outputs, (n - k + 1) c_out of them, but "
                 "each has its own weight for every one of the n c_in inputs, plus its own "
                 "bias."],
          mistakes=[
              Mistake("no_sharing", _conv_mistake(conv=lambda n, k, ci, co, p: p * co * (ci * k + 1)),
                      "You gave each position its own kernel. That is what weight sharing "
                      "avoids: one filter's k weights and bias are used at every position, "
                      "so the convolution's count does not depend on the signal length n."),
              Mistake("conv_without_bias", _conv_mistake(conv=lambda n, k, ci, co, p: co * ci * k),
                      "Your convolution has no bias. Each filter has one, shared by all its "
                      "positions, like its weights: c_out (c_in k + 1)."),
              Mistake("bias_per_position",
                      _conv_mistake(conv=lambda n, k, ci, co, p: co * ci * k + p * co),
                      "You gave the convolution one bias per output position. The bias is "
                      "shared like the weights: one per filter."),
              Mistake("forgot_input_channels",
                      _conv_mistake(conv=lambda n, k, ci, co, p: co * (k + 1)),
                      "Your kernel ignores the input channels. A filter looks at k positions "
                      "of *every* input channel: c_in k weights, plus one bias."),
              Mistake("dense_output_n",
                      _conv_mistake(dense=lambda n, k, ci, co, p: n * co * (n * ci + 1)),
                      "Your dense layer has n outputs per filter. The convolution (no "
                      "padding) gives n - k + 1 outputs, where the kernel fits; the dense "
                      "layer that replaces it produces the same outputs."),
              Mistake("dense_without_bias",
                      _conv_mistake(dense=lambda n, k, ci, co, p: p * co * n * ci),
                      "Your dense layer has no biases: each of its outputs is a neuron with "
                      "its own bias, n_l (n_(l-1) + 1) as in exercise 03.1."),
              Mistake("no_defaults",
                      lambda n, k, c_in, c_out: _conv_counts(n, k, c_in, c_out),
                      "Your function cannot be called as conv_and_dense_parameters(n, k): the "
                      "statement's signature gives c_in and c_out the default 1 (one channel "
                      "in, one filter).", detect=_needs("c_in")),
          ])
def conv_and_dense_parameters(n, k, c_in=1, c_out=1):
    return _conv_counts(n, k, c_in, c_out)


def _rnn_cases(rng):
    return [(rng.randint(1, 20), rng.randint(1, 20), rng.randint(1, 50)) for _ in range(20)]


@exercise("03.5", "Count the parameters of a recurrent layer", points=2,
          cases=[(1, 1, 3), (1, 1, 10), (3, 4, 1), (10, 5, 100), (4, 3, 7), (2, 8, 20)],
          random_cases=_rnn_cases,
          hints=["At every step the layer computes h_t = f(W_x x_t + W_h h_(t-1) + b): W_x is "
                 "n_hidden x n_in, W_h is n_hidden x n_hidden (every unit reads every unit's "
                 "previous state), b has n_hidden entries.",
                 "The same W_x, W_h and b serve every step, so the number of steps does not "
                 "change the count."],
          mistakes=[
              Mistake("copies_per_step",
                      lambda n_in, n_hidden, steps: steps * n_hidden * (n_in + n_hidden + 1),
                      "You counted one copy of the weights per step. An RNN uses the *same* "
                      "W_x, W_h and b at every step: that is its weight sharing, and why it "
                      "can read sequences of any length."),
              Mistake("no_recurrent_weights",
                      lambda n_in, n_hidden, steps: n_hidden * (n_in + 1),
                      "You left out the recurrent weights W_h, which carry the previous "
                      "state h_(t-1) into the step: n_hidden x n_hidden of them."),
              Mistake("one_recurrent_weight_per_unit",
                      lambda n_in, n_hidden, steps: n_hidden * (n_in + 2),
                      "You gave each unit one recurrent weight, for its own previous state. "
                      "In a recurrent layer every unit reads the whole previous state h_(t-1): "
                      "W_h is n_hidden x n_hidden."),
              Mistake("no_bias",
                      lambda n_in, n_hidden, steps: n_hidden * (n_in + n_hidden),
                      "You forgot the biases: one per hidden unit, as in any layer."),
          ])
def rnn_parameters(n_in, n_hidden, steps):
    return n_hidden * (n_in + n_hidden + 1)


def _sigmoid(v):
    import math
    return 1.0 / (1.0 + math.exp(-v)) if v >= 0 else math.exp(v) / (1.0 + math.exp(v))


def _softmax(z):
    import math
    m = max(z)
    e = [math.exp(v - m) for v in z]
    return [v / sum(e) for v in e]


def _output_cases(rng):
    cases = []
    for _ in range(21):
        task = rng.choice(["regression", "binary", "multiclass"])
        size = {"regression": rng.randint(1, 4), "binary": 1,
                "multiclass": rng.randint(3, 6)}[task]
        cases.append((task, [round(rng.uniform(-6, 6), 2) for _ in range(size)]))
    return cases


def _task_gives(task, transform):
    """detect(): on some case of `task` the learner returned transform(z), which is wrong."""
    from .common import _close as same

    def detect(outcomes, expected, cases):
        return any(got.ok and case[0] == task and not same(want, got.value)
                   and same(transform(case[1]), got.value)
                   for got, want, case in zip(outcomes, expected, cases))
    return detect


def _output_with(**wrong):
    """predict_output with the output of some tasks computed the wrong way."""
    def answer(task, z):
        if task in wrong:
            return wrong[task](z)
        return predict_output.reference(task, z)
    return answer


_SQUASH = lambda z: [_sigmoid(v) for v in z]  # noqa: E731


@exercise("03.6", "Apply the output activation the task needs", points=2,
          cases=[("regression", [250.0]), ("regression", [-3.5, 12.0]), ("binary", [0.0]),
                 ("binary", [2.0]), ("binary", [-1.5]), ("multiclass", [1.0, 2.0, 3.0]),
                 ("multiclass", [0.0, 0.0, 0.0, 0.0]), ("multiclass", [-2.0, 5.0, 0.5])],
          random_cases=_output_cases,
          hints=["Regression: the output units are linear, a = z, so any number can come out "
                 "(a price of 250, a temperature of -3.5).",
                 "Two classes: one unit, p = sigmoid(z[0]), the probability of class 1. "
                 "K classes: K units, softmax(z), K probabilities that add up to 1."],
          mistakes=[
              Mistake("squashed_regression", _output_with(regression=_SQUASH),
                      "Your regression outputs are squashed into (0, 1): a price of 250 or a "
                      "temperature of -3.5 could never come out. A regression output layer "
                      "is linear: a = z.", detect=_task_gives("regression", _SQUASH)),
              Mistake("relu_regression",
                      _output_with(regression=lambda z: [max(0.0, v) for v in z]),
                      "Your regression outputs cannot be negative: ReLU belongs in hidden "
                      "layers. A regression output layer is linear, a = z, so -3.5 can come "
                      "out.", detect=_task_gives("regression",
                                                 lambda z: [max(0.0, v) for v in z])),
              Mistake("softmax_of_one_logit", _output_with(binary=_softmax),
                      "Softmax of a single logit is always [1.0]: it divides e^z by itself. "
                      "With one output unit for two classes use the sigmoid, p = sigmoid(z[0]) "
                      "(class 0 then has 1 - p).", detect=_task_gives("binary", _softmax)),
              Mistake("sigmoid_per_class", _output_with(multiclass=_SQUASH),
                      "You applied a sigmoid to each class's logit. Those numbers do not add "
                      "up to 1, so they are not one probability distribution over the "
                      "classes: use softmax(z).", detect=_task_gives("multiclass", _SQUASH)),
              Mistake("logits_as_probabilities",
                      _output_with(binary=list, multiclass=list),
                      "You returned the logits z themselves for a classification task. "
                      "Logits can be negative or above 1; the output activation turns them "
                      "into probabilities: sigmoid for two classes, softmax for more.",
                      detect=lambda outcomes, expected, cases: any(
                          _task_gives(task, list)(outcomes, expected, cases)
                          for task in ("binary", "multiclass"))),
          ])
def predict_output(task, z):
    if task == "regression":
        return list(z)
    if task == "binary":
        return [_sigmoid(z[0])]
    return _softmax(z)
