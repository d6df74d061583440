"""A learner's own minimal engine, as chapter 07 builds it: the viz and widget tests
check that graphs and backprop steps work on it, not only on annlib.Value."""


class Scalar:
    """A learner's minimal engine (chapter 07 style): no topological_order method."""

    def __init__(self, data, label="", _children=(), _local_grads=(), _op=""):
        self.data, self.grad, self.label = float(data), 0.0, label
        self._children, self._local_grads, self._op = _children, _local_grads, _op

    def __mul__(self, other):
        return Scalar(self.data * other.data, "", (self, other), (other.data, self.data), "*")
