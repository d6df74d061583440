"""Neuron, Layer and MLP: shapes, labels, parameters, gradients, and errors for bad shapes or names."""

# Hypothesis tests run with deadline=None: on a shared machine, time per example
# measures the load, not the code.

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annlib import Value
from annlib.engine import total
from annlib.nn import ACTIVATIONS, MLP, Layer, Neuron
from gradcheck import TOLERANCE, numeric_gradients, relative_error

FLOAT_FORMULAS = {
    "linear": lambda z: z,
    "relu": lambda z: max(0.0, z),
    "leaky_relu": lambda z: z if z > 0 else 0.01 * z,
    "sigmoid": lambda z: 1 / (1 + math.exp(-z)),
    "tanh": math.tanh,
}


def test_parameter_counts_match_the_formula_nout_times_nin_plus_one():
    assert Neuron(3).num_parameters() == 4
    assert Layer(3, 4).num_parameters() == 4 * (3 + 1)
    assert MLP(2, [16, 16, 1]).num_parameters() == 16 * 3 + 16 * 17 + 1 * 17 == 337
    assert len(MLP(64, [32, 10]).parameters()) == 32 * 65 + 10 * 33


def test_an_mlp_with_one_output_returns_a_value_and_with_several_a_list():
    assert isinstance(MLP(2, [4, 1], random_state=0)([0.5, -0.5]), Value)
    out = MLP(2, [4, 3], random_state=0)([0.5, -0.5])
    assert isinstance(out, list) and len(out) == 3 and all(isinstance(o, Value) for o in out)
    layer_out = Layer(2, 1, random_state=0)([0.5, -0.5])
    assert isinstance(layer_out, list) and len(layer_out) == 1
    assert isinstance(Neuron(2, random_state=0)([0.5, -0.5]), Value)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_a_neuron_computes_its_activation_of_the_weighted_sum_plus_bias(activation):
    n = Neuron(3, activation=activation, random_state=1)
    n.b.data = 0.3
    x = [0.5, -2.0, 1.5]
    z = sum(w.data * xi for w, xi in zip(n.w, x)) + 0.3
    assert n(x).data == pytest.approx(FLOAT_FORMULAS[activation](z), rel=1e-14, abs=1e-15)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_a_layer_is_its_neurons_side_by_side(activation):
    layer = Layer(3, 4, activation=activation, random_state=2)
    x = [0.25, -1.0, 2.0]
    assert [a.data for a in layer(x)] == [n(x).data for n in layer.neurons]


def test_an_mlp_uses_the_hidden_activation_then_the_output_activation():
    model = MLP(2, [3, 3, 2], activation="tanh", output_activation="sigmoid", random_state=3)
    assert [layer.activation for layer in model.layers] == ["tanh", "tanh", "sigmoid"]
    x = [0.7, -0.2]
    a = x
    for layer in model.layers:
        a = [layer_neuron(a).data for layer_neuron in layer.neurons]
    assert [o.data for o in model(x)] == pytest.approx(a, rel=1e-15)
    assert MLP(2, [3, 1]).layers[-1].activation == "linear"
    assert MLP(2, [3, 1]).layers[0].activation == "relu"


def test_parameters_and_outputs_are_labelled_in_course_notation():
    model = MLP(2, [3, 1], random_state=0)
    labels = [p.label for p in model.parameters()]
    assert labels[:3] == ["W1[1,1]", "W1[1,2]", "b1[1]"]
    assert labels[-4:] == ["W2[1,1]", "W2[1,2]", "W2[1,3]", "b2[1]"]
    out = model([1.0, -1.0])
    assert out.label == "z2[1]"  # a linear output is its weighted sum
    a1 = [c for c in out._children if c.label.startswith("a1")]
    assert [a.label for a in a1] == ["a1[1]", "a1[2]", "a1[3]"]
    assert [c.label for c in a1[0]._children] == ["z1[1]"]
    neuron = Neuron(2, activation="tanh")
    assert [p.label for p in neuron.parameters()] == ["w1", "w2", "b"]
    a = neuron([1.0, 2.0])
    assert (a.label, a._children[0].label) == ("a", "z")


def test_the_same_random_state_gives_the_same_network_and_another_a_different_one():
    first, again, other = (MLP(3, [5, 2], random_state=s) for s in (7, 7, 8))
    assert [p.data for p in first.parameters()] == [p.data for p in again.parameters()]
    assert [p.data for p in first.parameters()] != [p.data for p in other.parameters()]


def test_weights_start_within_one_over_root_nin_and_biases_at_zero():
    layer = Layer(25, 40, random_state=0)
    weights = [w.data for n in layer.neurons for w in n.w]
    assert max(abs(w) for w in weights) <= 1 / math.sqrt(25)
    assert min(weights) < -0.15 and max(weights) > 0.15  # spread over the interval
    assert all(n.b.data == 0.0 for n in layer.neurons)


def test_zero_grad_clears_every_parameter_gradient():
    model = MLP(2, [4, 1], activation="tanh", random_state=0)
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_inputs_may_be_numbers_numpy_rows_or_values_that_receive_gradients():
    np = pytest.importorskip("numpy")
    model = MLP(2, [3, 1], activation="tanh", random_state=0)
    row = np.array([[0.5, -1.0]])[0]
    assert model(row).data == model([0.5, -1.0]).data == model((0.5, -1)).data
    x = [Value(0.5), Value(-1.0)]
    model(x).backward()
    assert all(xi.grad != 0.0 for xi in x)


@settings(max_examples=25, deadline=None)
@given(activation=st.sampled_from(["tanh", "sigmoid", "linear"]),
       seed=st.integers(0, 10_000),
       x=st.lists(st.floats(-2, 2), min_size=3, max_size=3))
def test_parameter_gradients_of_an_mlp_match_finite_differences(activation, seed, x):
    model = MLP(3, [4, 3, 2], activation=activation, output_activation="tanh", random_state=seed)
    params = model.parameters()

    def loss():
        out = model(x)
        return total([o * o for o in out]) + out[0]

    model.zero_grad()
    loss().backward()
    analytic = [p.grad for p in params]

    def loss_at(values):
        saved = [p.data for p in params]
        for p, v in zip(params, values):
            p.data = v
        result = loss().data
        for p, v in zip(params, saved):
            p.data = v
        return result

    numeric = numeric_gradients(loss_at, [p.data for p in params])
    for p, a, n in zip(params, analytic, numeric):
        assert relative_error(a, n) <= TOLERANCE, f"{p.label}: {a} vs {n}"


def test_the_one_node_weighted_sum_gives_the_gradients_of_the_chain_of_elementary_ops():
    neuron = Neuron(4, activation="tanh", random_state=5)
    neuron.b.data = -0.2
    x = [Value(v) for v in (0.3, -0.7, 1.1, 0.05)]
    neuron(x).backward()
    fast = [p.grad for p in neuron.parameters()] + [xi.grad for xi in x]

    w = [Value(p.data) for p in neuron.w]
    b = Value(neuron.b.data)
    xs = [Value(xi.data) for xi in x]
    z = b
    for wi, xi in zip(w, xs):
        z = z + wi * xi
    z.tanh().backward()
    slow = [p.grad for p in w + [b]] + [xi.grad for xi in xs]
    assert fast == pytest.approx(slow, rel=1e-14)


def test_reprs_state_shapes_and_parameter_counts():
    assert repr(Neuron(3, activation="relu")) == "Neuron(nin=3, activation='relu')  # 4 parameters"
    assert "Layer(3 -> 4, activation='tanh')  # 16 parameters" in repr(Layer(3, 4, "tanh"))
    text = repr(MLP(2, [16, 16, 1]))
    assert text.startswith("MLP(2 inputs -> 16 -> 16 -> 1)") and "total: 337 parameters" in text


@pytest.mark.parametrize("build, message", [
    (lambda: MLP(2, [4, 1], activation="softmax"), "unknown activation 'softmax'"),
    (lambda: MLP(2, [4, 1], output_activation="Relu"), "expected one of 'linear', 'relu'"),
    (lambda: Neuron(2, activation="step"), "unknown activation"),
    (lambda: Layer(2, 3, activation=""), "unknown activation"),
    (lambda: MLP(0, [4, 1]), "number of inputs .* got 0"),
    (lambda: MLP(2.5, [4, 1]), "got 2.5"),
    (lambda: MLP(True, [4, 1]), "got True"),
    (lambda: MLP(2, []), "at least one layer size"),
    (lambda: MLP(2, [4, 0]), "every layer size"),
    (lambda: MLP(2, [4, -1]), "every layer size"),
    (lambda: MLP(2, None), "list of layer sizes"),
    (lambda: Layer(3, 0), "number of outputs"),
    (lambda: Neuron(-1), "number of inputs"),
])
def test_a_bad_shape_or_activation_name_is_a_value_error_saying_what_was_expected(build, message):
    with pytest.raises(ValueError, match=message):
        build()


@pytest.mark.parametrize("model, x, message", [
    (MLP(2, [3, 1]), [1.0, 2.0, 3.0], "MLP expects 2 inputs per example, got 3"),
    (MLP(2, [3, 1]), [1.0], "MLP expects 2 inputs per example, got 1"),
    (MLP(2, [3, 1]), 1.0, "MLP expects a sequence of 2 inputs, got float"),
    (Layer(3, 2), [1.0, 2.0], "Layer expects 3 inputs per example, got 2"),
    (Neuron(4), [1.0], "Neuron expects 4 inputs per example, got 1"),
])
def test_an_example_of_the_wrong_size_is_a_value_error(model, x, message):
    with pytest.raises(ValueError, match=message):
        model(x)


def test_an_mlp_accepts_a_single_int_as_its_only_layer_size():
    model = MLP(3, 2, random_state=0)
    assert len(model.layers) == 1 and len(model([1.0, 2.0, 3.0])) == 2
