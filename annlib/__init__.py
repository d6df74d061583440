"""annlib: the small engine of the course *Understanding Artificial Neural Networks*.

Modules, each with one job:

* ``annlib.engine``  - `Value`, a scalar that knows its gradient (autograd)
* ``annlib.tensor``  - `Tensor`, the same idea on NumPy arrays, with Linear, MLP, Dropout
* ``annlib.nn``      - Neuron, Layer, MLP
* ``annlib.losses``  - mse, binary_cross_entropy, cross_entropy, softmax, hinge
* ``annlib.optim``   - SGD (with momentum), for Values and Tensors
* ``annlib.data``    - toy data sets, the digits, and `batches`
* ``annlib.train``   - `fit`: the whole learning cycle in one call
* ``annlib.viz``     - computation graphs and plots
* ``annlib.widgets`` - interactive explorers for the notebooks
* ``annlib.grading`` - checks for the exercise notebooks
"""

from .engine import Value

__version__ = "0.1.0"
__all__ = ["Value"]
