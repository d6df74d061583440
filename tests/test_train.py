"""The learning cycle: fit() trains real networks to high accuracy, and keeps its promises."""

import pytest

from annlib.data import load_digits, make_moons, train_test_split
from annlib.engine import Value
from annlib.nn import MLP, Neuron
from annlib.optim import SGD
from annlib.train import LOSSES, accuracy, fit, predict


def decaying(optimizer, start, epochs, floor):
    """A callback that lowers the learning rate linearly from `start` to `floor`."""
    def schedule(epoch, history, model):
        optimizer.lr = floor + (start - floor) * (1 - epoch / epochs)
    return schedule


def test_an_mlp_learns_the_two_moons_to_100_percent_training_accuracy():
    X, y = make_moons(n_samples=100, noise=0.1, random_state=0)
    model = MLP(2, [16, 16, 1], random_state=0)
    optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)
    history = fit(model, X, y, loss="hinge", optimizer=optimizer, epochs=30, batch_size=10,
                  l2=1e-4, progress=False, callback=decaying(optimizer, 0.1, 30, 0.005))
    assert history["accuracy"][-1] == 1.0
    assert accuracy(model, X, y) == 1.0
    assert history["loss"][-1] < history["loss"][0] / 5


def test_an_mlp_learns_the_digits_to_95_percent_on_held_out_images():
    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X / 16, y, test_size=0.25,
                                                        random_state=0)
    model = MLP(64, [16, 10], random_state=0)
    optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)
    fit(model, X_train, y_train, loss="cross_entropy", optimizer=optimizer, epochs=3,
        batch_size=16, progress=False, callback=decaying(optimizer, 0.1, 3, 0.01))
    assert len(y_test) == 449
    assert accuracy(model, X_test, y_test) >= 0.95


def test_the_history_records_every_epoch_and_every_step():
    X, y = make_moons(n_samples=30, noise=0.1, random_state=0)
    seen = []
    history = fit(MLP(2, [4, 1], random_state=0), X, y, epochs=3, batch_size=8,
                  progress=False, X_val=X[:10], y_val=y[:10],
                  callback=lambda epoch, history, model: seen.append((epoch, len(history["loss"]))))
    assert seen == [(1, 1), (2, 2), (3, 3)]
    assert [len(history[key]) for key in ("loss", "accuracy", "val_accuracy", "time")] == [3] * 4
    assert len(history["step_loss"]) == 3 * 4  # ceil(30 / 8) updates per epoch
    assert history["loss"][0] == pytest.approx(sum(history["step_loss"][:4]) / 4)
    assert history["time"] == sorted(history["time"])
    assert repr(history).startswith("History(3 epochs; last: loss ")


def test_the_same_random_state_gives_the_same_training_run():
    X, y = make_moons(n_samples=40, noise=0.2, random_state=1)
    runs = [fit(MLP(2, [5, 1], random_state=2), X, y, loss="hinge", lr=0.2, epochs=3,
                batch_size=5, random_state=7, progress=False)["step_loss"] for _ in range(2)]
    assert runs[0] == runs[1]
    other = fit(MLP(2, [5, 1], random_state=2), X, y, loss="hinge", lr=0.2, epochs=3,
                batch_size=5, random_state=8, progress=False)["step_loss"]
    assert other != runs[0]
    fit(MLP(2, [5, 1]), X, y, epochs=1, batch_size=5, random_state=None, progress=False)


@pytest.mark.parametrize("loss, nouts, output_activation", [
    ("mse", [4, 1], None),
    ("hinge", [4, 1], None),
    ("binary_cross_entropy", [4, 1], "sigmoid"),
    ("bce_with_logits", [4, 1], None),
    ("cross_entropy", [4, 2], None),
])
def test_every_named_loss_trains_a_matching_model(loss, nouts, output_activation):
    X, y = make_moons(n_samples=40, noise=0.1, random_state=0)
    model = MLP(2, nouts, activation="tanh", output_activation=output_activation, random_state=0)
    history = fit(model, X, y, loss=loss, lr=0.1, epochs=15, batch_size=4, progress=False)
    assert history["loss"][-1] < history["loss"][0]
    assert history["accuracy"][-1] >= 0.75


def test_a_loss_function_of_ones_own_and_weight_decay_are_used():
    X, y = make_moons(n_samples=20, random_state=0)
    calls = []

    def my_loss(outputs, y_batch):
        calls.append(len(outputs))
        return LOSSES["mse"](outputs, y_batch)

    fit(MLP(2, [3, 1], random_state=0), X, y, loss=my_loss, epochs=2, batch_size=10,
        progress=False)
    assert calls == [10, 10, 10, 10]
    model_plain, model_decay = MLP(2, [3, 1], random_state=0), MLP(2, [3, 1], random_state=0)
    plain = fit(model_plain, X, y, epochs=1, progress=False)["step_loss"][0]
    decayed = fit(model_decay, X, y, epochs=1, l2=0.5, progress=False)["step_loss"][0]
    penalty = 0.5 * sum(p.data ** 2 for p in MLP(2, [3, 1], random_state=0).parameters())
    assert decayed == pytest.approx(plain + penalty, rel=1e-12)


def test_a_progress_bar_goes_to_stderr_outside_a_notebook(capsys):
    X, y = make_moons(n_samples=10, random_state=0)
    fit(MLP(2, [2, 1], random_state=0), X, y, epochs=2, progress=True)
    err = capsys.readouterr().err
    assert "epoch 2/2" in err and "accuracy" in err


def test_predict_thresholds_one_output_and_takes_the_argmax_of_several():
    score = Neuron(1, random_state=0)
    score.w[0].data, score.b.data = 1.0, 0.0
    assert predict(score, [[-0.5], [0.5]]) == [0, 1]
    probability = Neuron(1, activation="sigmoid")
    probability.w[0].data, probability.b.data = 1.0, 0.0
    assert predict(probability, [[-0.1], [0.1]]) == [0, 1]  # threshold 0.5 after a sigmoid
    three = MLP(2, [3], output_activation="linear", random_state=0)
    x = [0.3, -0.8]
    scores = [o.data for o in three(x)]
    assert predict(three, [x]) == [scores.index(max(scores))]


def test_accuracy_reads_plus_minus_one_labels_as_classes_1_and_0():
    model = Neuron(1)
    model.w[0].data, model.b.data = 1.0, 0.0
    X = [[-2.0], [-1.0], [1.0], [2.0]]
    assert accuracy(model, X, [0, 0, 1, 1]) == 1.0
    assert accuracy(model, X, [-1, -1, 1, 1]) == 1.0
    assert accuracy(model, X, [1, 0, 1, 1]) == 0.75


@pytest.mark.parametrize("kwargs, message", [
    ({"loss": "cross-entropy"}, "loss must be one of 'mse', 'hinge'"),
    ({"loss": 3}, "loss must be one of"),
    ({"epochs": 0}, "epochs must be a whole number >= 1, got 0"),
    ({"epochs": 2.5}, "got 2.5"),
])
def test_bad_arguments_are_value_errors_saying_what_was_expected(kwargs, message):
    X, y = make_moons(n_samples=10, random_state=0)
    with pytest.raises(ValueError, match=message):
        fit(MLP(2, [2, 1]), X, y, progress=False, **kwargs)


def test_fit_trains_the_parameters_it_was_given_in_place():
    X, y = make_moons(n_samples=10, random_state=0)
    model = MLP(2, [2, 1], random_state=0)
    before = [p.data for p in model.parameters()]
    fit(model, X, y, epochs=1, progress=False)
    assert [p.data for p in model.parameters()] != before
    assert all(isinstance(p, Value) for p in model.parameters())


def test_a_regression_output_fitted_to_labels_0_and_1_is_split_at_one_half():
    model = Neuron(1)
    model.w[0].data, model.b.data = 0.5, 0.5   # outputs 0.25 and 0.75 for x = -0.5 and 0.5
    X, y = [[-0.5], [0.5]], [0, 1]
    assert accuracy(model, X, y) == 0.5          # the default threshold 0 calls both 1
    assert accuracy(model, X, y, threshold=0.5) == 1.0
    history = fit(model, X, y, loss="mse", lr=0.0, epochs=1, progress=False)
    assert history["accuracy"] == [1.0]          # fit knows that mse aimed at 0 and 1
