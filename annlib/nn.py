"""Neural-network building blocks on top of `Value`: Neuron, Layer, MLP.

The names mirror PyTorch's ``torch.nn`` (``Module``, ``parameters()``,
``zero_grad()``) so the step from this course to PyTorch is a small one.

Weights are drawn uniformly from [-1/sqrt(nin), 1/sqrt(nin)] by a
``random.Random(random_state)`` of each module's own, so the same
``random_state`` always gives the same network.
"""

import numbers
import random

from .engine import Value, _weighted_sum

__all__ = ["Module", "Neuron", "Layer", "MLP", "ACTIVATIONS", "activate"]

ACTIVATIONS = ("linear", "relu", "leaky_relu", "sigmoid", "tanh")


def _check_activation(name):
    if name is None:
        return "linear"
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}: expected one of "
                         + ", ".join(repr(a) for a in ACTIVATIONS))
    return name


def _check_count(value, what):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{what} must be a positive whole number, got {value!r}")
    return int(value)


def _layer_sizes(nouts):
    """MLP's `nouts` as a list of positive ints (a single size stands for [size])."""
    if isinstance(nouts, numbers.Integral) and not isinstance(nouts, bool):
        nouts = [nouts]
    try:
        nouts = list(nouts)
    except TypeError:
        raise ValueError(f"MLP expects a list of layer sizes such as [16, 16, 1], "
                         f"got {nouts!r}") from None
    if not nouts:
        raise ValueError("MLP expects at least one layer size, got an empty list")
    return [_check_count(size, "every layer size in nouts") for size in nouts]


def activate(z, activation):
    """Apply the named activation function to the Value `z`."""
    if activation == "linear":
        return z
    return getattr(z, activation)()


# name -> the Value method itself, looked up once per layer call rather than per neuron
_ACTIVATION_METHODS = {name: getattr(Value, name) for name in ACTIVATIONS if name != "linear"}


def _as_inputs(x, nin, who):
    """Turn one example (a list, tuple or 1-D array of numbers/Values) into a list."""
    try:
        x = list(x)
    except TypeError:
        raise ValueError(f"{who} expects a sequence of {nin} inputs, "
                         f"got {type(x).__name__}") from None
    if len(x) != nin:
        raise ValueError(f"{who} expects {nin} inputs per example, got {len(x)}")
    return [xi if isinstance(xi, Value) else Value(float(xi)) for xi in x]


class Module:
    """Base class: anything with parameters that can be trained."""

    def parameters(self):
        """All trainable Values, in a fixed order."""
        return []

    def zero_grad(self):
        """Set every parameter's gradient to 0 (leaf gradients accumulate)."""
        for p in self.parameters():
            p.grad = 0.0

    def num_parameters(self):
        return len(self.parameters())


class Neuron(Module):
    """One neuron: a = f(z), z = w . x + b.

    >>> n = Neuron(2, activation="tanh", random_state=0)
    >>> a = n([1.0, -2.0])       # a Value
    """

    def __init__(self, nin, activation="linear", random_state=None, _rng=None):
        self.nin = _check_count(nin, "Neuron's number of inputs (nin)")
        self.activation = _check_activation(activation)
        rng = _rng if _rng is not None else random.Random(random_state)
        scale = nin ** -0.5
        self.w = [Value(rng.uniform(-scale, scale), label=f"w{k + 1}") for k in range(nin)]
        self.b = Value(0.0, label="b")
        self.z_label, self.a_label = "z", "a"

    def __call__(self, x):
        x = _as_inputs(x, self.nin, "Neuron")
        z = _weighted_sum(self.w, x, self.b)
        a = activate(z, self.activation)
        z.label = self.z_label
        if a is not z:
            a.label = self.a_label
        return a

    def parameters(self):
        return self.w + [self.b]

    def __repr__(self):
        return f"Neuron(nin={self.nin}, activation={self.activation!r})  # {self.nin + 1} parameters"


class Layer(Module):
    """A fully connected layer of `nout` neurons, each seeing all `nin` inputs.

    Calling it on one example returns a list of `nout` Values (a^[l]).
    """

    def __init__(self, nin, nout, activation="linear", random_state=None, _rng=None):
        self.nin = _check_count(nin, "Layer's number of inputs (nin)")
        self.nout = _check_count(nout, "Layer's number of outputs (nout)")
        self.activation = _check_activation(activation)
        rng = _rng if _rng is not None else random.Random(random_state)
        self.neurons = [Neuron(nin, activation, _rng=rng) for _ in range(nout)]
        self._name("")

    def __call__(self, x):
        return self._forward(_as_inputs(x, self.nin, "Layer"))

    def _forward(self, x):
        """The layer on a checked list of Values: one weighted sum and activation per neuron."""
        x_data = [xi.data for xi in x]  # the same for every neuron: read it once
        f = _ACTIVATION_METHODS.get(self.activation)  # None for "linear"
        out = []
        for n in self.neurons:
            z = _weighted_sum(n.w, x, n.b, x_data)
            z.label = n.z_label
            a = z if f is None else f(z)
            if a is not z:
                a.label = n.a_label
            out.append(a)
        return out

    def _name(self, layer):
        """Label parameters and outputs in course notation: W1[j,k], b1[j], z1[j], a1[j]."""
        for j, n in enumerate(self.neurons, start=1):
            for k, w in enumerate(n.w, start=1):
                w.label = f"W{layer}[{j},{k}]"
            n.b.label = f"b{layer}[{j}]"
            n.z_label, n.a_label = f"z{layer}[{j}]", f"a{layer}[{j}]"

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self):
        return (f"Layer({self.nin} -> {self.nout}, activation={self.activation!r})"
                f"  # {self.nout * (self.nin + 1)} parameters")


class MLP(Module):
    """A multi-layer perceptron: layers of sizes ``nouts`` after ``nin`` inputs.

    Hidden layers use `activation`, the last layer `output_activation`
    (None = linear, which gives raw scores or logits).

    >>> model = MLP(2, [16, 16, 1], random_state=0)
    >>> y_pred = model([0.5, -1.0])     # one output -> a single Value
    """

    def __init__(self, nin, nouts, activation="relu", output_activation=None,
                 random_state=None):
        self.nin = _check_count(nin, "MLP's number of inputs (nin)")
        nouts = _layer_sizes(nouts)
        _check_activation(activation)
        _check_activation(output_activation)
        rng = random.Random(random_state)
        sizes = [nin] + nouts
        self.layers = [
            Layer(sizes[i], sizes[i + 1],
                  activation if i < len(nouts) - 1 else (output_activation or "linear"),
                  _rng=rng)
            for i in range(len(nouts))
        ]
        for l, layer in enumerate(self.layers, start=1):
            layer._name(l)

    def __call__(self, x):
        """Forward pass of one example: a Value if the last layer has 1 unit, else a list."""
        x = _as_inputs(x, self.nin, "MLP")
        for layer in self.layers:
            x = layer._forward(x)  # checked once above: each layer fits the next
        return x[0] if len(x) == 1 else x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self):
        lines = [f"MLP({self.nin} inputs -> {' -> '.join(str(l.nout) for l in self.layers)})"]
        for i, layer in enumerate(self.layers, start=1):
            lines.append(f"  [{i}] {layer!r}")
        lines.append(f"  total: {self.num_parameters()} parameters")
        return "\n".join(lines)
