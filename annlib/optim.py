"""Optimizers: turn gradients into parameter updates, as ``torch.optim`` does.

Parameters may be scalar `Value`s or `annlib.tensor.Tensor`s; a Tensor is
updated in place, element by element, by the same rule.
"""

import math

from .engine import Value
from .tensor import Tensor

__all__ = ["SGD", "Adam"]


def _check_number(who, name, value, low=0.0, high=None):
    """A real number with low <= value (< high): else a ValueError saying what was expected."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) \
            or value < low or (high is not None and value >= high):
        wanted = (f"a number in [{low:g}, {high:g})" if high is not None
                  else "a non-negative number")
        raise ValueError(f"{who} expects {wanted} for {name}, got {value!r}")
    return float(value)


class SGD:
    """Stochastic gradient descent, w_new = w_old - eta * dL/dw, with optional momentum.

    With momentum mu, each parameter keeps a velocity v = mu * v + dL/dw and
    moves by -eta * v (PyTorch's convention). With weight decay lambda the
    gradient is first replaced by dL/dw + lambda * w, the gradient of the loss
    plus (lambda / 2) * w^2 (L2 regularisation), as in ``torch.optim.SGD``.

    >>> w = Value(3.0)
    >>> optimizer = SGD([w], lr=0.1)
    >>> loss = w * w                  # dL/dw = 2w = 6
    >>> optimizer.zero_grad(); loss.backward(); optimizer.step()
    >>> w.data                        # 3 - 0.1 * 6
    2.4
    """

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
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
        self.weight_decay = _check_number("SGD", "weight_decay", weight_decay)
        self.velocity = [0.0] * len(self.params)

    def step(self):
        """Move every parameter one step against its gradient.

        A Tensor whose gradient is None (no backward() reached it) stays put, as in PyTorch.
        """
        lr, mu, decay = self.lr, self.momentum, self.weight_decay
        if mu == 0.0 and decay == 0.0:
            for p in self.params:
                if p.grad is not None:
                    p.data -= lr * p.grad  # in place for a Tensor's array
            return
        velocity = self.velocity
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            grad = p.grad + decay * p.data if decay else p.grad   # L2: dL/dw + lambda w
            if mu:
                velocity[i] = mu * velocity[i] + grad  # a new array: never the gradient itself
                grad = velocity[i]
            p.data -= lr * grad

    def zero_grad(self):
        """Clear every parameter's gradient before the next backward().

        A Value's becomes 0; a Tensor's becomes None, as PyTorch's ``zero_grad()`` does.
        """
        for p in self.params:
            p.grad = None if isinstance(p, Tensor) else 0.0

    def __repr__(self):
        decay = f", weight_decay={self.weight_decay:g}" if self.weight_decay else ""
        return (f"SGD({len(self.params)} parameters, lr={self.lr:g}, "
                f"momentum={self.momentum:g}{decay})")


class Adam:
    """Adam: momentum on the gradient, scaled per parameter by its recent size.

    For each parameter w with gradient g = dL/dw (+ lambda * w with weight decay),
    at step t = 1, 2, ...:

        m = beta1 * m + (1 - beta1) * g          first moment: a running mean of g
        v = beta2 * v + (1 - beta2) * g^2        second moment: a running mean of g^2
        m_hat = m / (1 - beta1^t)                bias correction: m and v start at 0
        v_hat = v / (1 - beta2^t)
        w = w - eta * m_hat / (sqrt(v_hat) + eps)

    the update of ``torch.optim.Adam`` (weight decay added to the gradient, not
    the decoupled kind of AdamW). Works on Values and on Tensors (elementwise).

    >>> w = Value(3.0)
    >>> optimizer = Adam([w], lr=0.1)
    >>> loss = w * w                  # g = 6; m_hat = 6, v_hat = 36
    >>> optimizer.zero_grad(); loss.backward(); optimizer.step()
    >>> round(w.data, 6)              # 3 - 0.1 * 6 / (6 + 1e-8): a step of almost exactly eta
    2.9
    """

    def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        self.params = list(params)
        if not self.params:
            raise ValueError("Adam expects a non-empty list of parameters (model.parameters())")
        for p in self.params:
            if not isinstance(p, (Value, Tensor)):
                raise TypeError(f"Adam expects Values or Tensors as parameters, "
                                f"got {type(p).__name__}")
        self.lr = _check_number("Adam", "lr", lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"Adam expects betas as a pair (beta1, beta2), got {betas!r}")
        self.betas = (_check_number("Adam", "beta1", betas[0], high=1.0),
                      _check_number("Adam", "beta2", betas[1], high=1.0))
        self.eps = _check_number("Adam", "eps", eps)
        self.weight_decay = _check_number("Adam", "weight_decay", weight_decay)
        # per parameter: its number of updates t and its two moments (0 or zero arrays)
        self.steps = [0] * len(self.params)
        self.m = [0.0 * p.data for p in self.params]
        self.v = [0.0 * p.data for p in self.params]

    def step(self):
        """Move every parameter that has a gradient one Adam step."""
        (beta1, beta2), lr, eps, decay = self.betas, self.lr, self.eps, self.weight_decay
        for i, p in enumerate(self.params):
            if p.grad is None:  # a Tensor that no backward() reached: left alone, as torch
                continue
            g = p.grad + decay * p.data if decay else p.grad
            self.steps[i] += 1
            t = self.steps[i]
            self.m[i] = beta1 * self.m[i] + (1 - beta1) * g
            self.v[i] = beta2 * self.v[i] + (1 - beta2) * g * g
            m_hat = self.m[i] / (1 - beta1 ** t)
            v_hat = self.v[i] / (1 - beta2 ** t)
            p.data -= lr * m_hat / (v_hat ** 0.5 + eps)

    def zero_grad(self):
        """Reset every parameter's gradient before the next backward() (0, or None for Tensors)."""
        for p in self.params:
            p.grad = None if isinstance(p, Tensor) else 0.0

    def __repr__(self):
        decay = f", weight_decay={self.weight_decay:g}" if self.weight_decay else ""
        return (f"Adam({len(self.params)} parameters, lr={self.lr:g}, "
                f"betas=({self.betas[0]:g}, {self.betas[1]:g}), eps={self.eps:g}{decay})")
