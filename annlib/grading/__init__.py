"""Graded exercises with feedback that names the mistake.

In an exercise notebook::

    from annlib.grading import check, hint
    check("01.2", neuron)      # shows the verdict, returns a Result
    hint("01.2")               # the next hint

``exercises()`` lists every graded exercise. How to write exercises: see the
docstring of ``annlib.grading.core``. Grade a folder of notebooks from a
terminal with ``python -m annlib.grading exercises/``; rebuild ``exercises/``
from ``solutions/`` with ``python -m annlib.grading.generate``.
"""

from .core import Result, check, exercises, hint

__all__ = ["check", "hint", "exercises", "Result"]
