"""The learning cycle in one call: forward, loss, backward, update, repeat.

`fit` runs it for any model, loss and optimizer, in batch, stochastic or
mini-batch mode, shows a progress bar, and returns the history of loss and
accuracy. Chapter 09 writes the same loop out by hand first.
"""

import sys
import time

from . import losses
from .data import batches
from .engine import total
from .optim import SGD

__all__ = ["fit", "predict", "accuracy", "History", "LOSSES"]


def _hinge(outputs, y):
    # labels 0/1 are read as -1/+1, the convention of the max-margin loss
    return losses.hinge(outputs, [1 if t > 0 else -1 for t in y])


def _cross_entropy(outputs, y):
    return losses.cross_entropy([list(o) for o in outputs], [int(t) for t in y])


LOSSES = {
    "mse": lambda outputs, y: losses.mse(outputs, [float(t) for t in y]),
    "hinge": _hinge,
    "binary_cross_entropy": lambda outputs, y: losses.binary_cross_entropy(outputs, [float(t) for t in y]),
    "bce_with_logits": lambda outputs, y: losses.binary_cross_entropy_with_logits(outputs, [float(t) for t in y]),
    "cross_entropy": _cross_entropy,
}


def _output_activation(model):
    layers = getattr(model, "layers", None)
    return layers[-1].activation if layers else getattr(model, "activation", "linear")


def predict(model, X, threshold=None):
    """Class predictions: argmax of several outputs; for one output, 1 when the
    output is above `threshold`, else 0.

    The default threshold is 0 (a score or a logit), or 0.5 after a sigmoid.
    A regression output fitted to labels 0 and 1 (mse) needs ``threshold=0.5``.
    """
    if threshold is None:
        threshold = 0.5 if _output_activation(model) == "sigmoid" else 0.0
    labels = []
    for x in X:
        out = model(list(x))
        if isinstance(out, list):
            scores = [o.data for o in out]
            labels.append(max(range(len(scores)), key=scores.__getitem__))
        else:
            labels.append(int(out.data > threshold))
    return labels


def accuracy(model, X, y, threshold=None):
    """Fraction of examples whose predicted class equals the label (0/1 or class index).

    `threshold` is passed on to `predict`.
    """
    predicted = predict(model, X, threshold)
    truth = [int(t) for t in y]
    if set(truth) <= {-1, 1}:  # max-margin labels: -1 is class 0
        truth = [int(t > 0) for t in truth]
    return sum(p == t for p, t in zip(predicted, truth)) / len(truth)


class History(dict):
    """Per-epoch record of training: ``history["loss"]``, ``history["accuracy"]``, ...

    Also ``history["step_loss"]`` (loss of every update) and ``history["time"]``
    (seconds since the start, at the end of each epoch).
    """

    def __repr__(self):
        if not self.get("loss"):
            return "History(no epochs yet)"
        last = f"loss {self['loss'][-1]:.4f}"
        if self.get("accuracy"):
            last += f", accuracy {self['accuracy'][-1]:.1%}"
        return f"History({len(self['loss'])} epochs; last: {last})"


class _Progress:
    """A progress bar: an ipywidgets bar in a notebook, a text line in a terminal."""

    def __init__(self, total_epochs, enabled):
        self.total, self.bar, self.enabled = total_epochs, None, enabled
        if enabled and _in_notebook():
            import ipywidgets
            from IPython.display import display
            self.label = ipywidgets.Label("")
            self.bar = ipywidgets.IntProgress(min=0, max=total_epochs, description="epoch")
            display(ipywidgets.HBox([self.bar, self.label]))

    def update(self, epoch, text):
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.value, self.label.value = epoch, text
        else:
            done = int(30 * epoch / self.total)
            sys.stderr.write(f"\r[{'#' * done}{'.' * (30 - done)}] epoch {epoch}/{self.total} {text}")
            if epoch == self.total:
                sys.stderr.write("\n")
            sys.stderr.flush()


def _in_notebook():
    """True inside a Jupyter kernel, where widgets and rich output can be shown."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def fit(model, X, y, loss="mse", optimizer=None, lr=0.1, epochs=10, batch_size=None,
        l2=0.0, random_state=0, progress=True, callback=None, X_val=None, y_val=None):
    """Train `model` on (X, y): for each batch, forward, loss, backward, update.

    Parameters
    ----------
    model : Module        anything callable on one example with ``parameters()``.
    X, y : arrays          examples (n, nin) and targets (n,).
    loss : str or callable ``"mse"``, ``"hinge"``, ``"binary_cross_entropy"``,
                           ``"bce_with_logits"``, ``"cross_entropy"``, or a function
                           ``loss(outputs, y_batch) -> Value``.
    optimizer : SGD        default ``SGD(model.parameters(), lr)``.
    epochs : int           passes over the data.
    batch_size : int/None  None = batch, 1 = stochastic, k = mini-batch descent.
    l2 : float             adds ``l2 * sum(w^2)`` to the loss (weight decay).
    callback : function    called as ``callback(epoch, history, model)`` after each epoch.
    X_val, y_val           optional held-out data: adds ``history["val_accuracy"]``.

    Returns a `History` with per-epoch ``loss`` and ``accuracy``.
    """
    loss_fn = LOSSES.get(loss) if isinstance(loss, str) else loss
    if loss_fn is None or not callable(loss_fn):
        raise ValueError(f"loss must be one of {', '.join(map(repr, LOSSES))} or a function "
                         f"loss(outputs, y_batch), got {loss!r}")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a whole number >= 1, got {epochs!r}")
    params = model.parameters()
    optimizer = optimizer or SGD(params, lr=lr)
    threshold = None
    if loss == "mse":  # outputs fitted to two labels separate them halfway between
        labels = sorted({float(t) for t in y})
        threshold = sum(labels) / 2 if len(labels) == 2 else None
    history = History(loss=[], accuracy=[], step_loss=[], time=[])
    if X_val is not None:
        history["val_accuracy"] = []
    bar = _Progress(epochs, progress)
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        epoch_losses = []
        # a new shuffle every epoch, reproducible from random_state (None: a fresh one)
        seed = None if random_state is None else random_state + epoch
        for X_batch, y_batch in batches(X, y, batch_size, shuffle=batch_size is not None,
                                        random_state=seed):
            outputs = [model(list(x)) for x in X_batch]          # forward
            batch_loss = loss_fn(outputs, list(y_batch))        # loss
            if l2:
                batch_loss = batch_loss + l2 * total([p * p for p in params])
            optimizer.zero_grad()                                 # forget old gradients
            batch_loss.backward()                                 # backward
            optimizer.step()                                      # update
            epoch_losses.append(batch_loss.data)
        history["step_loss"].extend(epoch_losses)
        history["loss"].append(sum(epoch_losses) / len(epoch_losses))
        history["accuracy"].append(accuracy(model, X, y, threshold))
        if X_val is not None:
            history["val_accuracy"].append(accuracy(model, X_val, y_val, threshold))
        history["time"].append(time.perf_counter() - start)
        bar.update(epoch, f"loss {history['loss'][-1]:.4f}, accuracy {history['accuracy'][-1]:.1%}")
        if callback is not None:
            callback(epoch, history, model)
    return history
