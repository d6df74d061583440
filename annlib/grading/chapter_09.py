"""Graded exercises of chapter 09: the learning cycle.

Each exercise: a reference (the decorated function), its cases, hints, and the
catalogue of wrong answers it must recognise (see ``annlib.grading.core``).
The statements live in ``solutions/09_*.ipynb``.
"""

from functools import lru_cache

from ..nn import MLP
from .common import _any_outcome_contains
from .core import BadAnswer, Mistake, close, exercise


# (data seed, lr, epochs): every argument of train varies, so none can be hard-coded
_LOOP_CASES = [(1, 0.5, 12), (2, 0.2, 8), (3, 1.0, 6)]


def _loop_data(data_seed):
    from ..data import make_moons
    X, y = make_moons(n_samples=40, noise=0.1, random_state=data_seed)
    model = _WatchedMLP(2, [6, 1], activation="tanh", random_state=data_seed)
    return model, [[float(v) for v in x] for x in X], [int(t) for t in y]


class _WatchedMLP(MLP):
    """An MLP that keeps its outputs, to see afterwards whether backward() reached them."""

    def __call__(self, x):
        output = super().__call__(x)
        self.__dict__.setdefault("outputs", []).append(output)
        return output


class _GraphCut(Exception):
    """No gradient ever reached the model's outputs: the loss was built from plain numbers."""


def _loop_prepare(answer):
    if not callable(answer):
        raise BadAnswer(f"Expected your function train itself (no parentheses), "
                        f"got {type(answer).__name__}.")

    def run(data_seed, lr, epochs):
        model, X, y = _loop_data(data_seed)
        losses = answer(model, X, y, lr, epochs)
        outputs = model.__dict__.get("outputs", [])
        if outputs and not any(getattr(out, "grad", 0.0) for out in outputs):
            raise _GraphCut("backward() never reached the model's outputs")
        try:
            return [float(getattr(v, "data", v)) for v in losses]
        except TypeError:
            raise BadAnswer(f"train should return the list of the losses of every epoch "
                            f"(numbers), got {type(losses).__name__}: {losses!r:.60}.") from None
    return run


def _graph_cut(outcomes, expected):
    return any(not got.ok and got.error[0] == "_GraphCut" for got in outcomes)


def _train_on_plain_numbers(model, X, y, lr, epochs):
    """Takes .data of each output: the loss is then built from floats, cut off from the model."""
    from ..losses import binary_cross_entropy_with_logits
    from ..optim import SGD
    optimizer = SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        outputs = [model(x).data for x in X]
        loss = binary_cross_entropy_with_logits(outputs, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.data)
    return losses


def _training_loop(model, X, y, lr, epochs, zero_grad=True, descend=True, loss="bce",
                   zero_grad_before_step=False):
    """The loop of 09.1 with each planted bug switchable (the correct loop by default)."""
    from ..losses import binary_cross_entropy, binary_cross_entropy_with_logits, mse
    from ..optim import SGD
    optimizer = SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        outputs = [model(x) for x in X]
        if loss == "bce":
            batch_loss = binary_cross_entropy_with_logits(outputs, y)
        elif loss == "bce_on_logits":
            batch_loss = binary_cross_entropy(outputs, y)
        else:
            batch_loss = mse(outputs, y)
        if zero_grad:
            optimizer.zero_grad()
        batch_loss.backward()
        if zero_grad_before_step:
            optimizer.zero_grad()
        for p in model.parameters():
            p.data += (-lr if descend else lr) * p.grad
        losses.append(batch_loss.data)
    return losses


_BUGS = {
    "zero_grad": "gradients are never reset: backward() ADDS to .grad, so without "
                 "optimizer.zero_grad() (or model.zero_grad()) before each backward() every "
                 "step uses the sum of all gradients so far",
    "descend": "the update goes UP the loss: it must be p.data -= lr * p.grad",
    "loss": "the loss is mse on class labels: the output is a logit (any real number) and y "
            "is 0 or 1, so use binary_cross_entropy_with_logits(outputs, y)",
}


def _bugs_feedback(bugs):
    if len(bugs) == 1:
        return f"One planted bug is still there: {_BUGS[bugs[0]]}."
    words = {2: "Two", 3: "All three"}[len(bugs)]
    return f"{words} planted bugs are still there: " + "; ".join(_BUGS[b] for b in bugs) + "."


def _bug_variant(bugs):
    def wrong_train(model, X, y, lr, epochs):
        return _training_loop(model, X, y, lr, epochs, zero_grad="zero_grad" not in bugs,
                              descend="descend" not in bugs,
                              loss="mse" if "loss" in bugs else "bce")
    return wrong_train


_BUG_COMBINATIONS = [("zero_grad", "descend", "loss"), ("zero_grad", "descend"),
                     ("zero_grad", "loss"), ("descend", "loss"),
                     ("zero_grad",), ("descend",), ("loss",)]


@exercise("09.1", "Fix a training loop with planted bugs", points=3,
          prepare=_loop_prepare, cases=_LOOP_CASES,
          describe=lambda args: (f"train(model, X, y, lr={args[1]}, epochs={args[2]}) on "
                                 f"a fresh two-moons data set (seed {args[0]})"),
          mistakes=[
              Mistake("graph_cut", _train_on_plain_numbers,
                      "Your loss never changes because the computation graph is cut: the "
                      "loss is built from plain numbers (the outputs' .data, or float()), "
                      "so backward() cannot reach the model and every gradient stays 0. "
                      "Build the loss from the Values the model returns: "
                      "outputs = [model(x) for x in X].", detect=_graph_cut)] + [
              Mistake("bugs_" + "_and_".join(bugs), _bug_variant(bugs), _bugs_feedback(bugs))
              for bugs in _BUG_COMBINATIONS] + [
              Mistake("ignores_lr",
                      lambda model, X, y, lr, epochs: _training_loop(model, X, y, 0.5, epochs),
                      "Your train ignores its lr argument (it always steps with 0.5): use the "
                      "learning rate it is given, SGD(model.parameters(), lr=lr)."),
              Mistake("ignores_epochs",
                      lambda model, X, y, lr, epochs: _training_loop(model, X, y, lr, 12),
                      "Your train ignores its epochs argument (it always runs 12 epochs): "
                      "loop for epoch in range(epochs)."),
              Mistake("zero_grad_between_backward_and_step",
                      lambda model, X, y, lr, epochs: _training_loop(
                          model, X, y, lr, epochs, zero_grad_before_step=True),
                      "Your loss never changes: you reset the gradients AFTER backward() and "
                      "before the update, so every step moves the weights by lr * 0. Reset "
                      "them before backward() (or after the update)."),
              Mistake("probability_loss_on_logits",
                      lambda model, X, y, lr, epochs: _training_loop(
                          model, X, y, lr, epochs, loss="bce_on_logits"),
                      "binary_cross_entropy expects probabilities in [0, 1], but the model "
                      "outputs logits (any real number). Use "
                      "binary_cross_entropy_with_logits(outputs, y), or apply .sigmoid() to "
                      "each output first."),
          ],
          hints=["Run train_buggy and watch its losses: they should fall. Three lines are "
                 "wrong: the loss, a missing line before backward(), and the update.",
                 "The model has one output, a logit; the labels are 0 or 1. Which loss "
                 "from chapter 05 fits? And backward() adds to .grad: what must happen "
                 "before each backward()?",
                 "loss = binary_cross_entropy_with_logits(outputs, y); "
                 "optimizer.zero_grad() before loss.backward(); p.data -= lr * p.grad."])
def train(model, X, y, lr, epochs):
    """Batch gradient descent with binary cross-entropy from logits; the loss of every epoch."""
    return _training_loop(model, X, y, lr, epochs)


# --- 09.2 train to a stated accuracy -----------------------------------------------------

_REQUIRED_ACCURACY = 0.95
_PASS_TEXT = f"held-out accuracy of at least {_REQUIRED_ACCURACY:.0%}"


def _is_linear_model(model):
    """True for an annlib MLP without a nonlinear hidden layer (a straight-line boundary)."""
    layers = getattr(model, "layers", None)
    if layers and all(hasattr(layer, "activation") for layer in layers):
        return all(layer.activation == "linear" for layer in layers[:-1])
    return False


def _moons_prepare(answer):
    if not callable(answer):
        raise BadAnswer(f"Expected your function train_moons itself (no parentheses), "
                        f"got {type(answer).__name__}.")

    def run(data_seed):
        from ..data import make_moons
        from ..train import accuracy
        X, y = make_moons(n_samples=100, noise=0.1, random_state=data_seed)
        X_test, y_test = make_moons(n_samples=200, noise=0.1, random_state=data_seed + 1000)
        model = answer(X, y)
        if model is None or not callable(model):
            raise BadAnswer(f"train_moons should return the trained model (for example an "
                            f"MLP), got {type(model).__name__}.")
        score = accuracy(model, X_test, y_test)
        if _is_linear_model(model):
            return f"a linear model with held-out accuracy {score:.1%}"
        if score >= _REQUIRED_ACCURACY:
            return _PASS_TEXT
        return f"held-out accuracy {score:.1%}"
    return run


def _linear_moons(X, y):
    from ..nn import MLP
    from ..train import fit
    model = MLP(2, [1], random_state=0)
    fit(model, X, y, loss="bce_with_logits", lr=0.5, epochs=30, batch_size=10, progress=False)
    return model


def _undertrained_moons(X, y):
    from ..nn import MLP
    from ..train import fit
    model = MLP(2, [16, 1], activation="tanh", random_state=0)
    fit(model, X, y, loss="bce_with_logits", lr=0.01, epochs=3, batch_size=10, progress=False)
    return model


@exercise("09.2", "Train a network on two moons to 95% held-out accuracy", points=3,
          prepare=_moons_prepare, cases=[(11,), (12,)], time_limit=40,
          describe=lambda args: (f"the check of train_moons(X, y) on a fresh two-moons data "
                                 f"set (seed {args[0]}, 100 training and 200 held-out points)"),
          mistakes=[
              Mistake("linear_model", _linear_moons,
                      "Your model is linear (no hidden layer with a nonlinear activation), so "
                      "its decision boundary is a straight line, and no straight line separates "
                      "two interleaving moons: it tops out near 85-88%. Add a hidden layer "
                      "with tanh or relu, e.g. nn.MLP(2, [16, 1], activation='tanh').",
                      detect=_any_outcome_contains("a linear model")),
              Mistake("undertrained", _undertrained_moons,
                      "Your model stays below 95% on new data: it has not learned the moons "
                      "yet. Train for more epochs, raise the learning rate (or add "
                      "momentum), and make sure you return the model you trained.",
                      detect=_any_outcome_contains("held-out accuracy ")),
              Mistake("returns_nothing", lambda X, y: None,
                      expect="should return the trained model"),
          ],
          hints=["A straight line cannot separate the moons: the model needs a hidden layer "
                 "with a nonlinear activation, e.g. nn.MLP(2, [16, 1], activation='tanh').",
                 "Train with binary cross-entropy from logits on mini-batches of about 10, "
                 "for a few dozen epochs; momentum=0.9 in SGD speeds it up a lot.",
                 "The check trains your function twice on fresh data (40 s in all): keep the "
                 "network small and time one run first."])
def train_moons(X, y):
    """An MLP 2-16-1 (tanh) trained with momentum on (X, y); reaches about 99% on moons."""
    from ..data import batches
    from ..losses import binary_cross_entropy_with_logits
    from ..nn import MLP
    from ..optim import SGD
    model = MLP(2, [16, 1], activation="tanh", random_state=0)
    optimizer = SGD(model.parameters(), lr=0.3, momentum=0.9)
    for epoch in range(30):
        for X_batch, y_batch in batches(X, y, batch_size=10, random_state=epoch):
            outputs = [model(list(x)) for x in X_batch]
            loss = binary_cross_entropy_with_logits(outputs, [float(t) for t in y_batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return model


# --- 09.3 read training curves -----------------------------------------------------------

DIAGNOSES = ("good", "learning rate too small", "learning rate too large", "overfitting")
_DIAGNOSIS_TRUTH = {"A": "overfitting", "B": "learning rate too small",
                    "C": "good", "D": "learning rate too large"}
_RUN_SETTINGS = {  # curve: (training examples, validation examples, noise, hidden units,
    #                    learning rate, momentum, epochs)
    "A": (10, 30, 0.4, 12, 0.5, 0.9, 150),
    "B": (30, 20, 0.15, 8, 0.002, 0.0, 60),
    "C": (30, 20, 0.15, 8, 1.0, 0.9, 60),
    "D": (30, 20, 0.15, 8, 25.0, 0.0, 60),
}


@lru_cache(maxsize=None)
def training_curves():
    """Four training runs on two moons: {"A": (train_losses, val_losses), ...} per epoch.

    Used by exercise 09.3; which curve shows what is for the learner to find out.
    """
    from ..data import make_moons
    from ..losses import binary_cross_entropy_with_logits as bce
    from ..nn import MLP
    from ..optim import SGD
    curves = {}
    for name, (n, n_val, noise, hidden, lr, momentum, epochs) in sorted(_RUN_SETTINGS.items()):
        X, y = make_moons(n_samples=n, noise=noise, random_state=3)
        X_val, y_val = make_moons(n_samples=n_val, noise=noise, random_state=103)
        model = MLP(2, [hidden, 1], activation="tanh", random_state=0)
        optimizer = SGD(model.parameters(), lr=lr, momentum=momentum)
        train_losses, val_losses = [], []
        for _ in range(epochs):
            loss = bce([model(list(x)) for x in X], [float(t) for t in y])
            val_losses.append(bce([model(list(x)) for x in X_val], [float(t) for t in y_val]).data)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            train_losses.append(loss.data)
        curves[name] = (tuple(train_losses), tuple(val_losses))
    return curves


def _diagnosis_prepare(answer):
    if not isinstance(answer, dict):
        raise BadAnswer(f"Expected a dict such as {{'A': 'good', ...}}, got "
                        f"{type(answer).__name__}: {answer!r:.60}.")
    if any(v is Ellipsis for v in answer.values()):
        raise NotImplementedError  # the stub: not attempted yet
    keys = sorted(_DIAGNOSIS_TRUTH)
    if set(answer) != set(keys):
        raise BadAnswer(f"Expected one diagnosis for each of the curves {', '.join(keys)}, "
                        f"got the keys {', '.join(map(repr, sorted(answer, key=str)))}.")
    result = {}
    for key, label in answer.items():
        text = " ".join(str(label).lower().split())
        if text not in DIAGNOSES:
            raise BadAnswer(f"Curve {key}: {label!r} is not one of the diagnoses "
                            f"{', '.join(map(repr, DIAGNOSES))}.")
        result[key] = text
    return lambda: result


def _diagnosed(curve, label):
    def detect(outcomes, expected):
        got = outcomes[0]
        return got.ok and isinstance(got.value, dict) and got.value.get(curve) == label
    return detect


def _with(**changes):
    answer = dict(_DIAGNOSIS_TRUTH)
    answer.update(changes)
    return answer


@exercise("09.3", "Diagnose four training runs from their loss curves", points=2,
          answer="value", prepare=_diagnosis_prepare, solution=dict(_DIAGNOSIS_TRUTH),
          compare=lambda expected, got: expected == got,
          mistakes=[
              Mistake("overfitting_called_good", _with(A="good"),
                      "Curve A is not good: its TRAINING loss falls to almost 0, but its "
                      "VALIDATION loss turns around and climbs. The network memorises its "
                      "few training examples instead of learning the pattern: overfitting.",
                      detect=_diagnosed("A", "good")),
              Mistake("large_called_overfitting", _with(D="overfitting"),
                      "Curve D is not overfitting: overfitting means the training loss keeps "
                      "FALLING while the validation loss rises. In D the training loss itself "
                      "jumps up and down and stays high: the steps overshoot, the learning "
                      "rate is too large.", detect=_diagnosed("D", "overfitting")),
              Mistake("small_and_large_swapped",
                      _with(B="learning rate too large", D="learning rate too small"),
                      "You swapped 'too small' and 'too large'. A learning rate that is too "
                      "small gives a smooth curve that hardly moves (B); one that is too "
                      "large gives a loss that jumps around or grows (D).",
                      detect=_diagnosed("B", "learning rate too large")),
              Mistake("small_called_good", _with(B="good"),
                      "Curve B is not good: its loss falls smoothly but by very little in 60 "
                      "epochs, and both curves are still high. Training that slow means the "
                      "learning rate is too small.", detect=_diagnosed("B", "good")),
              Mistake("good_called_overfitting", _with(C="overfitting"),
                      "Curve C is healthy: training and validation losses fall together and "
                      "stay close. A validation loss slightly above the training loss is "
                      "normal; overfitting is when it turns around and rises.",
                      detect=_diagnosed("C", "overfitting")),
          ],
          hints=["Look at both curves of each run: where does the training loss go, and "
                 "does the validation loss follow it?",
                 "Too large: the training loss jumps or grows. Too small: it falls smoothly but "
                 "barely. Overfitting: training falls towards 0 while validation rises.",
                 "Exactly one run has each diagnosis."])
def diagnoses():
    return dict(_DIAGNOSIS_TRUTH)


# --- 09.4 a network of your own, on your own engine ---------------------------------------------

class _Scalar:
    """Chapter 07's engine, as exercise 09.4 hands it to the learner (with relu added)."""

    def __init__(self, data, label="", _children=(), _local_grads=(), _op=""):
        self.data, self.grad, self.label = float(data), 0.0, label
        self._children, self._local_grads, self._op = _children, _local_grads, _op

    # type(self): a catalogued wrong variant (a subclass) builds nodes of its own class
    def __add__(self, other):
        other = other if isinstance(other, _Scalar) else type(self)(other)
        return type(self)(self.data + other.data, "", (self, other), (1.0, 1.0), "+")

    def __mul__(self, other):
        other = other if isinstance(other, _Scalar) else type(self)(other)
        return type(self)(self.data * other.data, "", (self, other), (other.data, self.data), "*")

    def __pow__(self, n):
        return type(self)(self.data ** n, "", (self,), (n * self.data ** (n - 1),), f"**{n}")

    __radd__, __rmul__ = __add__, __mul__

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def relu(self):
        on = self.data > 0
        return type(self)(self.data if on else 0.0, "", (self,), (1.0 if on else 0.0,), "relu")

    def backward(self):
        order, visited, stack = [], set(), [(self, False)]
        while stack:
            node, placed = stack.pop()
            if placed:
                order.append(node)
            elif node not in visited:
                visited.add(node)
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(node._children))
        for node in order:
            if node._children:
                node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            for child, local in zip(node._children, node._local_grads):
                child.grad += local * node.grad


def _own_classes(scalar=_Scalar, output_relu=False, with_bias=True):
    """Neuron, Layer, MLP on `scalar` (the reference, or a catalogued wrong variant)."""
    import random

    class Neuron:
        def __init__(self, nin, nonlinear=True):
            self.w = [scalar(random.uniform(-1, 1)) for _ in range(nin)]
            self.b = scalar(0.0)
            self.nonlinear = nonlinear

        def __call__(self, x):
            z = sum((wi * xi for wi, xi in zip(self.w, x)), self.b if with_bias else 0.0)
            return z.relu() if self.nonlinear else z

        def parameters(self):
            return self.w + ([self.b] if with_bias else [])

    class Layer:
        def __init__(self, nin, nout, nonlinear=True):
            self.neurons = [Neuron(nin, nonlinear) for _ in range(nout)]

        def __call__(self, x):
            return [n(x) for n in self.neurons]

        def parameters(self):
            return [p for n in self.neurons for p in n.parameters()]

    class MLP:
        def __init__(self, nin, nouts):
            sizes = [nin] + list(nouts)
            self.layers = [Layer(sizes[i], sizes[i + 1], output_relu or i < len(nouts) - 1)
                           for i in range(len(nouts))]

        def __call__(self, x):
            for layer in self.layers:
                x = layer(x)
            return x[0] if len(x) == 1 else x

        def parameters(self):
            return [p for layer in self.layers for p in layer.parameters()]

    return MLP


def _own_train(model, X, y, lr=1.0, steps=300, descend=True, zero_grad=True):
    """Full-batch descent on the mean hinge loss, until every training example is right."""
    for step in range(steps):
        scores = [model(x) for x in X]
        if all((s.data > 0) == (t == 1) for s, t in zip(scores, y)):
            break
        loss = sum((1 - (2 * t - 1) * s).relu() for s, t in zip(scores, y)) * (1.0 / len(X))
        if zero_grad:
            for p in model.parameters():
                p.grad = 0.0
        loss.backward()
        rate = lr * (1 - 0.9 * step / steps)   # a slowly shrinking step
        for p in model.parameters():
            p.data += -rate * p.grad if descend else rate * p.grad


_RELU_INPUTS = (-1.5, 2.0, 0.0, -0.25, 0.75)
_NETWORKS = ((1, 2, [4, 4, 1]), (2, 3, [5, 2]), (3, 1, [3, 3, 3, 1]))
_TRAIN_SEEDS = (21, 22)
_TRAIN_SIZE, _TRAIN_SHAPE = 30, [16, 1]
_AGREES = "outputs and gradients agree with annlib on the same weights"
_TRAINED = "100% training accuracy"
_OUTPUTS_DIFFER = "outputs differ from annlib's MLP with the same weights"
_OUTPUT_RELU = "outputs are annlib's passed through a ReLU"
_GRADIENTS_DIFFER = "outputs agree, gradients differ from annlib's"
_UNTRAINED = "training accuracy below 100%"


def _own_prepare(answer):
    from ..engine import Value
    if not isinstance(answer, (tuple, list)) or len(answer) != 3:
        raise BadAnswer(f"Expected the tuple (Scalar, MLP, train_own): your engine's class, your "
                        f"MLP class and your train_own function, got {answer!r:.80}.")
    if any(part is None or part is Ellipsis for part in answer):
        raise NotImplementedError
    scalar, mlp, train = answer
    if not isinstance(scalar, type):
        raise BadAnswer(f"The first item should be your class Scalar itself, got "
                        f"{type(scalar).__name__}.")
    if issubclass(scalar, Value):
        raise BadAnswer("The first item is annlib's Value (or built on it): this exercise is "
                        "about YOUR engine, chapter 07's Scalar, with relu added.")
    if not callable(mlp) or not callable(train):
        raise BadAnswer("Expected the tuple (Scalar, MLP, train_own): MLP a class, "
                        "train_own a function.")

    def run(kind, *args):
        import random
        if kind == "relu":
            return _relu_record(scalar, *args)
        state = random.getstate()  # the cases seed `random`; leave the learner's as it was
        try:
            if kind == "network":
                return _compare_with_annlib(scalar, mlp, *args)
            return _train_accuracy(scalar, mlp, train, *args)
        finally:
            random.setstate(state)
    return run


def _relu_record(scalar, x):
    """(out.data, d out/d x) of your relu, read from the record it leaves."""
    node = scalar(x)
    out = node.relu()
    if not isinstance(out, scalar):
        raise BadAnswer(f"Scalar({x}).relu() should return a new Scalar, got "
                        f"{type(out).__name__}.")
    locals_ = [float(d) for c, d in zip(out._children, out._local_grads) if c is node]
    return (float(out.data), sum(locals_))


def _outputs(result, nout, scalar, where):
    outs = result if isinstance(result, (list, tuple)) else [result]
    if nout == 1 and isinstance(result, (list, tuple)):
        raise BadAnswer(f"{where}: with one output neuron, model(x) should return that Scalar "
                        f"itself, not a list (as annlib's MLP does).")
    if len(outs) != nout or not all(isinstance(o, scalar) for o in outs):
        raise BadAnswer(f"{where}: model(x) should return {nout} Scalar"
                        f"{'s' if nout > 1 else ''}, got {result!r:.80}.")
    return outs


def _compare_with_annlib(scalar, mlp, seed, nin, nouts):
    import random
    from ..nn import MLP
    random.seed(seed)
    model = mlp(nin, list(nouts))
    params = list(model.parameters())
    reference = MLP(nin, list(nouts), activation="relu", random_state=seed)
    theirs = reference.parameters()
    where = f"MLP({nin}, {list(nouts)})"
    if len(params) != len(theirs):
        raise BadAnswer(f"{where}.parameters() returns {len(params)} values, but such a network "
                        f"has {len(theirs)}: every neuron has one weight per input and a bias.")
    if not all(isinstance(p, scalar) for p in params):
        raise BadAnswer(f"{where}.parameters() should return your Scalar objects (the ones the "
                        f"model computes with), found {type(params[0]).__name__}.")
    for p, q in zip(params, theirs):
        q.data = p.data
    rng = random.Random(seed)
    inputs = [[rng.uniform(-2, 2) for _ in range(nin)] for _ in range(4)]
    ours, loss_ours, loss_theirs = [], 0.0, 0.0
    for x in inputs:
        mine = _outputs(model(x), nouts[-1], scalar, where)
        annlib_out = reference(x)
        annlib_out = annlib_out if isinstance(annlib_out, list) else [annlib_out]
        ours.append([o.data for o in mine])
        for o, a, target in zip(mine, annlib_out, (0.5, -1.0, 2.0)):
            loss_ours = loss_ours + (o - target) ** 2
            loss_theirs = loss_theirs + (a - target) ** 2
    want = [[o.data for o in (reference(x) if nouts[-1] > 1 else [reference(x)])] for x in inputs]
    same = close(rel=1e-9, abs=1e-9)
    if not same(want, ours):
        if same([[max(0.0, v) for v in row] for row in want], ours):
            return _OUTPUT_RELU
        return _OUTPUTS_DIFFER
    for p in params:
        p.grad = 0.0
    loss_ours.backward()
    loss_theirs.backward()
    if not same([q.grad for q in theirs], [float(p.grad) for p in params]):
        return _GRADIENTS_DIFFER
    return _AGREES


def _train_accuracy(scalar, mlp, train, seed):
    import random
    from ..data import make_moons
    X, y = make_moons(n_samples=_TRAIN_SIZE, noise=0.1, random_state=seed)
    X, y = [[float(v) for v in x] for x in X], [int(t) for t in y]
    random.seed(seed)
    model = mlp(2, list(_TRAIN_SHAPE))
    train(model, [list(x) for x in X], list(y))
    right = 0
    for x, t in zip(X, y):
        out = _outputs(model(x), 1, scalar, f"MLP(2, {_TRAIN_SHAPE})")[0]
        right += (out.data > 0) == (t == 1)
    return _TRAINED if right == len(X) else f"{_UNTRAINED}: {right} of {len(X)} right"


def _relu_variant(local):
    """Chapter 07's engine with a relu whose local derivative is local(x, out)."""
    class Scalar(_Scalar):
        def relu(self):
            x = self.data
            out = x if x > 0 else 0.0
            return Scalar(out, "", (self,), (local(x, out),), "relu")
    return Scalar


def _own_answer(scalar=_Scalar, **options):
    train_options = {k: options.pop(k) for k in ("descend", "zero_grad", "lr", "steps")
                     if k in options}
    return (scalar, _own_classes(scalar, **options),
            lambda model, X, y: _own_train(model, X, y, **train_options))


def _describe_own(args):
    kind, *rest = args
    if kind == "relu":
        return f"Scalar({rest[0]}).relu(): its data and the local derivative it stores"
    if kind == "network":
        seed, nin, nouts = rest
        return (f"MLP({nin}, {nouts}) (after random.seed({seed})) beside annlib's MLP given the "
                f"same weights: outputs for 4 inputs, then the gradients of a squared error")
    return (f"train_own(model, X, y) with model = MLP(2, {_TRAIN_SHAPE}) on {_TRAIN_SIZE} fresh "
            f"two-moons points (seed {rest[0]}), then the training accuracy")


def _relu_like(local):
    """Recognise a relu by the (data, local derivative) pairs it gives on the relu cases."""
    def detect(outcomes, expected):
        want = [(max(0.0, x), local(x, max(0.0, x))) for x in _RELU_INPUTS]
        return all(o.ok and close()(w, o.value) for o, w in zip(outcomes, want))
    return detect


def _saying(text):
    return lambda outcomes, expected: any(
        o.ok and isinstance(o.value, str) and o.value.startswith(text) for o in outcomes)


def _trained_nothing(model, X, y):
    return None


def _value_class():
    from ..engine import Value
    return Value


class _AnnlibMLP:
    """annlib's own MLP under the learner's names: what the exercise rules out."""

    def __new__(cls, nin, nouts):
        from ..nn import MLP
        return MLP(nin, nouts, activation="relu")


# the local derivatives of three wrong relus, given x and out = max(0, x)
def _SLOPE_IS_OUTPUT(x, out):
    return out


def _SLOPE_ONE(x, out):
    return 1.0


def _SLOPE_ONE_AT_ZERO(x, out):
    return 1.0 if x >= 0 else 0.0


_UNTRAINED_FEEDBACK = (
    "Your network computes the same outputs and gradients as annlib, but after train() it "
    "still gets some training points wrong. Check the update goes DOWNHILL "
    "(p.data -= lr * p.grad), that each step resets the gradients and runs backward() on the "
    "loss of every example, and that the loop runs until every point is right (a few hundred "
    "full-batch steps with lr about 1 are enough; a hinge loss max(0, 1 - t s) with t = +-1 "
    "works well).")


@exercise("09.4", "Build and train a network on your own engine", points=4, answer="value",
          prepare=_own_prepare, solution=_own_answer(), describe=_describe_own, time_limit=30,
          cases=[("relu", x) for x in _RELU_INPUTS]
          + [("network",) + net for net in _NETWORKS]
          + [("train", seed) for seed in _TRAIN_SEEDS],
          mistakes=[
              Mistake("relu_slope_is_output", _own_answer(_relu_variant(_SLOPE_IS_OUTPUT), steps=5),
                      "Your relu stores its OUTPUT as the local derivative. The derivative of "
                      "max(0, x) is its slope: 1 where x > 0 and 0 elsewhere. (For x = 2 you "
                      "store 2, so every gradient through an active unit doubles.)",
                      detect=_relu_like(_SLOPE_IS_OUTPUT)),
              Mistake("relu_slope_always_one", _own_answer(_relu_variant(_SLOPE_ONE), steps=5),
                      "Your relu stores the local derivative 1 everywhere. Where x <= 0 the "
                      "output is the constant 0, so the slope is 0: no gradient flows back "
                      "through a unit that is off.", detect=_relu_like(_SLOPE_ONE)),
              Mistake("relu_slope_one_at_zero",
                      _own_answer(_relu_variant(_SLOPE_ONE_AT_ZERO), steps=5),
                      "Right everywhere except at x = 0 exactly, where your relu stores the "
                      "slope 1. The course (like annlib and PyTorch) takes 0 there: test "
                      "x > 0, not x >= 0.", detect=_relu_like(_SLOPE_ONE_AT_ZERO)),
              Mistake("relu_on_the_output", _own_answer(output_relu=True, steps=5),
                      "Your last layer applies ReLU too. The output of a classifier is a score "
                      "(a logit) that must be able to go negative: make the LAST layer linear "
                      "(nonlinear=False) and only the hidden layers ReLU, as annlib's MLP does.",
                      detect=_saying(_OUTPUT_RELU)),
              Mistake("ascent", _own_answer(descend=False, steps=20), _UNTRAINED_FEEDBACK,
                      detect=lambda outcomes, expected: _saying(_UNTRAINED)(outcomes, expected)
                      and not _saying(_OUTPUTS_DIFFER)(outcomes, expected)),
              Mistake("no_training", (_Scalar, _own_classes(), _trained_nothing),
                      _UNTRAINED_FEEDBACK,
                      detect=lambda outcomes, expected: _saying(_UNTRAINED)(outcomes, expected)
                      and not _saying(_OUTPUTS_DIFFER)(outcomes, expected)),
              Mistake("no_bias", _own_answer(with_bias=False, steps=5), verdict="wrong",
                      expect="every neuron has one weight per input and a bias"),
              Mistake("annlib_value", (_value_class(), _AnnlibMLP, _trained_nothing),
                      verdict="wrong", expect="about YOUR engine"),
          ],
          hints=["relu: out = max(0, x), local derivative 1.0 if x > 0 else 0.0; return "
                 "Scalar(out, '', (self,), (slope,), 'relu'), like tanh in chapter 07.",
                 "Neuron: weights random.uniform(-1, 1), bias Scalar(0.0); "
                 "z = sum((wi * xi for wi, xi in zip(self.w, x)), self.b). Layer: a list of "
                 "neurons. MLP: sizes [nin] + nouts, ReLU on every layer but the last. "
                 "parameters(): layer by layer, neuron by neuron, the weights then the bias.",
                 "train_own: repeat (scores = [model(x) for x in X]; stop when every sign is right; "
                 "loss = mean of (1 - t * s).relu() with t = 2 y - 1; zero the grads; "
                 "loss.backward(); p.data -= lr * p.grad) with lr about 1, at most a few "
                 "hundred times."])
def own_network(kind, *args):
    """What a correct (Scalar, MLP, train_own) gives on each case of 09.4."""
    if kind == "relu":
        x = args[0]
        return (max(0.0, x), 1.0 if x > 0 else 0.0)
    return _AGREES if kind == "network" else _TRAINED
