"""The backward pass, one node at a time: the logic behind the backprop stepper widget.

`backprop_steps(L)` replays what ``L.backward()`` does, but on a private copy of
the gradients, and records every step:

* step 0 seeds the output: dL/dL = 1;
* each later step takes the next node in reverse topological order and, for
  every input (child) of that node, applies the chain rule

      child.grad += (local derivative d node / d child) x (upstream gradient dL/d node)

The user's graph is never touched: all ``.grad`` values stay as they were.
The widget in `annlib.widgets` only displays these steps.

>>> from annlib import Value
>>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
>>> L = a * b; L.label = "L"
>>> [step.node.label for step in backprop_steps(L)]
['L', 'L']
>>> backprop_steps(L)[-1].grads[a]      # dL/da = b
-3.0
"""

from typing import NamedTuple

from .engine import Value
from .graph import children_of, graph_nodes, input_names

__all__ = ["ChainRuleTerm", "BackpropStep", "backprop_steps", "node_names", "describe_step"]


class ChainRuleTerm(NamedTuple):
    """One application of the chain rule: child.grad += local * upstream."""
    child: Value
    local: float          # d node / d child, stored in the node when it was computed
    upstream: float       # dL / d node, the gradient arriving from the output side
    contribution: float   # local * upstream
    before: float         # child's gradient before this term
    after: float          # ... and after


class BackpropStep(NamedTuple):
    """The state of the backward pass after one step."""
    index: int
    node: Value                 # the node whose gradient is passed to its inputs
    terms: tuple                # ChainRuleTerm for each input (empty for step 0)
    grads: dict                 # Value -> gradient, only for nodes reached so far
    final: frozenset            # nodes whose gradient will not change any more

    def grad(self, value):
        """The gradient of `value` at this step, or None when nothing has reached it yet."""
        return self.grads.get(value)

    def empty(self, nodes):
        """The nodes (from `nodes`) that no gradient has reached yet."""
        return [n for n in nodes if n not in self.grads]


def backprop_steps(root):
    """Every step of ``root.backward()``, computed on a copy of the gradients.

    Returns a list of `BackpropStep`; the last one's ``grads`` equal what
    ``backward()`` gives on a graph whose gradients start at zero.
    """
    if not (isinstance(root, Value) or hasattr(root, "_local_grads")):
        raise TypeError(f"backprop_steps expects a Value whose nodes store their local "
                        f"derivatives (_local_grads), got {type(root).__name__}")
    order = graph_nodes(root)                 # iterative: deep graphs are fine
    # How many edges lead into each node from the output side: once all of them
    # have delivered their contribution, that node's gradient is final.
    waiting = {node: 0 for node in order}
    for node in order:
        for child in children_of(node):
            waiting[child] += 1

    grads = {root: 1.0}                       # dL/dL = 1
    final = {root}
    steps = [BackpropStep(0, root, (), dict(grads), frozenset(final))]
    for node in reversed(order):
        if not children_of(node):             # a leaf has nothing to pass on
            continue
        upstream = grads.get(node, 0.0)
        terms = []
        for child, local in zip(children_of(node), node._local_grads):
            before = grads.get(child, 0.0)
            contribution = local * upstream
            grads[child] = before + contribution  # the chain rule, as in backward()
            terms.append(ChainRuleTerm(child, local, upstream, contribution, before, grads[child]))
            waiting[child] -= 1
            if waiting[child] == 0:
                final.add(child)
        steps.append(BackpropStep(len(steps), node, tuple(terms), dict(grads), frozenset(final)))
    return steps


def node_names(root):
    """A readable name for every node: its label, x1, x2, ... for a neuron's unlabeled
    inputs, or v1, v2, ... for other unlabeled nodes."""
    order = graph_nodes(root)
    names, count = input_names(order), 0
    for node in order:
        if node in names:
            continue
        if getattr(node, "label", ""):
            names[node] = node.label
        else:
            count += 1
            names[node] = f"v{count}"
    return names


def _number(x):
    return f"{x:.4g}"


def describe_step(step, names, root, total_steps=None):
    """The chain-rule arithmetic of one step as lines of plain text.

    `names` comes from `node_names`, `root` is the output the steps start from.
    For L = a * b with a = 2, b = -3, step 1 reads, for the input a:
    ``a: local dL/da = -3 × upstream dL/dL = 1 = -3; grad a: 0 - 3 = -3``
    """
    out, node = names[root], names[step.node]
    of = f" of {total_steps - 1}" if total_steps else ""
    if step.index == 0:
        return [f"Step 0{of}: start at the output {out}: d{out}/d{out} = 1."]
    upstream = step.terms[0].upstream
    lines = [f"Step {step.index}{of}: node {node} (operation {getattr(step.node, '_op', '?')}) passes its gradient "
             f"d{out}/d{node} = {_number(upstream)} to its {len(step.terms)} input(s):"]
    for t in step.terms:
        child = names[t.child]
        sign = "-" if t.contribution < 0 else "+"
        lines.append(f"  {child}: local d{node}/d{child} = {_number(t.local)} × upstream "
                     f"d{out}/d{node} = {_number(t.upstream)} = {_number(t.contribution)}; "
                     f"grad {child}: {_number(t.before)} {sign} {_number(abs(t.contribution))} "
                     f"= {_number(t.after)}")
    return lines
