"""Optimizers: turn gradients into parameter updates, as ``torch.optim`` does.

Parameters may be scalar `Value`s or `annlib.tensor.Tensor`s; a Tensor is
updated in place, element by element, by the same rule.
"""

from .engine import Value
from .tensor import Tensor

__all__ = ["SGD"]


class SGD:
    """Stochastic gradient descent, w_new = w_old - eta * dL/dw, with optional momentum.

    With momentum mu, each parameter keeps a velocity v = mu * v + dL/dw and
    moves by -eta * v (PyTorch's convention).

    >>> w = Value(3.0)
    >>> optimizer = SGD([w], lr=0.1)
    >>> loss = w * w                  # dL/dw = 2w = 6
    >>> optimizer.zero_grad(); loss.backward(); optimizer.step()
    >>> w.data                        # 3 - 0.1 * 6
    2.4
    """

    def __init__(self, params, lr, momentum=0.0):
        self.params = list(params)
        if not self.params:
            raise ValueError("SGD expects a non-empty list of parameters (model.parameters())")
        for p in self.params:
            if not isinstance(p, (Value, Tensor)):
                raise TypeError(f"SGD expects Values or Tensors as parameters, "
                                f"got {type(p).__name__}")
        for name, value in (("lr", lr), ("momentum", momentum)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"SGD expects a non-negative number for {name}, got {value!r}")
        self.lr = float(lr)
        self.momentum = float(momentum)
        self.velocity = [0.0] * len(self.params)

    def step(self):
        """Move every parameter one step against its gradient.

        A Tensor whose gradient is None (no backward() reached it) stays put, as in PyTorch.
        """
        lr, mu = self.lr, self.momentum
        if mu == 0.0:
            for p in self.params:
                if p.grad is not None:
                    p.data -= lr * p.grad  # in place for a Tensor's array
            return
        velocity = self.velocity
        for i, p in enumerate(self.params):
            if p.grad is not None:
                velocity[i] = mu * velocity[i] + p.grad  # a new array: never the gradient itself
                p.data -= lr * velocity[i]

    def zero_grad(self):
        """Clear every parameter's gradient before the next backward().

        A Value's becomes 0; a Tensor's becomes None, as PyTorch's ``zero_grad()`` does.
        """
        for p in self.params:
            p.grad = None if isinstance(p, Tensor) else 0.0

    def __repr__(self):
        return f"SGD({len(self.params)} parameters, lr={self.lr:g}, momentum={self.momentum:g})"
