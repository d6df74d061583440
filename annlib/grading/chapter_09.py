"""Graded exercises of chapter 09: the learning cycle.

Each exercise: a reference (the decorated function), its cases, hints, and the
catalogue of wrong answers it must recognise (see ``annlib.grading.core``).
The statements live in ``solutions/09_*.ipynb``.
"""

from functools import lru_cache

from ..nn import MLP
from .common import _any_outcome_contains
from .core import BadAnswer, Mistake, exercise


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
                      "with tanh or relu, e.g. MLP(2, [16, 1], activation='tanh').",
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
                 "with a nonlinear activation, e.g. MLP(2, [16, 1], activation='tanh').",
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
