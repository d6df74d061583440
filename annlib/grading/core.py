"""The grading machinery: registry, safe runs of learner code, verdicts, display.

Learners only meet three functions (``from annlib.grading import check, hint``)::

    check("01.2", neuron)     # grade an answer: shows a verdict box, returns a Result
    hint("01.2")              # reveal the next hint (hint("01.2", 2): hints 1 and 2)
    exercises()               # every graded exercise: id, chapter, title, points

Everything below is for instructors who write exercises.

How to register an exercise
===========================

Exercises live in one module per chapter, ``annlib/grading/chapter_NN.py`` (chapter NN's
references, cases, mistakes and hints together), each listed in `BANKS`; helpers that
several chapters share are in ``common.py``.
Decorate the *reference* (the correct answer) with `exercise`::

    from .core import exercise, Mistake

    @exercise("01.9", "Write clip(x, low, high)", points=1,
              cases=[(2.5, 0.0, 1.0), (-3.0, 0.0, 1.0),     # edge cases, as argument tuples
                     (0.5, 0.0, 1.0)],
              random_cases=lambda rng: [                   # rng = random.Random(seeded by id)
                  (rng.uniform(-3, 3), -1.0, rng.uniform(0, 2)) for _ in range(20)],
              hints=["Below low the answer is low, above high it is high.",
                     "min(high, max(low, x)) does both."])
    def clip(x, low, high):
        return min(high, max(low, x))

    @clip.mistake("bounds_swapped",
                  "You swapped the bounds: a value below low must become low, "
                  "not high.")
    def _(x, low, high):
        return max(high, min(low, x))

`exercise` returns an `Exercise` (calling it calls the reference). Arguments:

``exercise_id``  "CC.N": chapter (two digits) and number; the chapter comes from it.
``title``        a short imperative title, shown in verdicts and score tables.
``points``       a positive int; a check scores all of them or 0.
``hints``        a list of strings, from gentle to nearly the answer (at least one).
``answer``       what the learner hands to check():

    * ``"function"`` (default): a callable. It is called on every case,
      ``answer(*args)``, with *fresh deep copies* of the arguments, and its
      result is compared with ``reference(*args)``.
    * ``"value"``: a plain value (a number, a tuple, ...). The reference is then
      a function of no arguments that returns the correct value (the decorated
      function), there are no cases, and feedback never reveals the expected
      value. With ``prepare`` (below) and cases, a value answer can also be
      graded by behaviour.
``prepare``      optional ``prepare(answer) -> callable``: turns the learner's answer
                 into the function that is called on the cases (runs inside the
                 sandbox, so it may call learner code). Example: the answer is a
                 weight tuple (w1, w2, b) and ``prepare`` returns the perceptron
                 ``lambda x1, x2: step(w1*x1 + w2*x2 + b)``; the reference is then
                 the truth table ``lambda x1, x2: x1 and x2`` and cases are the four
                 inputs. Also the way to grade code that needs a set-up: build a
                 fresh model in ``prepare`` and return what should be compared.
                 For an "function" answer with ``prepare``, the expected values are
                 ``prepare(reference)(*case)`` (the reference is a correct answer);
                 give ``describe`` so feedback shows the cases the learner's way.
                 For a "value" answer, they are ``reference(*case)``.
``solution``     a correct answer as a learner would pass it (default: the reference
                 itself for "function", ``reference()`` for "value"). Required for a
                 "value" answer with ``prepare``. The tests check that it passes.
``cases``        edge cases, each a tuple of positional arguments (checked first, in
                 order, so the first failure a learner sees is the most telling).
``random_cases`` ``random_cases(rng) -> list of tuples``, rng a ``random.Random``
                 seeded from the id: the same cases on every run, fresh to the learner.
``compare``      ``compare(expected, got) -> bool``; default `close` (floats within
                 rel 1e-6 / abs 1e-9, recursively through lists and tuples; numpy
                 arrays and scalars and annlib Values are turned into plain
                 Python first). `exact` compares with ``==``.
``time_limit``   seconds for all cases together (default 5). The verdict states it.
``call_name``    how a call is written in feedback (default: the reference's name),
                 e.g. ``clip(x=2.5, low=0.0, high=1.0)``.
``describe``     ``describe(args) -> str`` replaces that text for one case (when the
                 arguments are not what the learner writes, e.g. names of layers).
``parts``        for a value answer that is a tuple, the names of its parts, e.g.
                 ``("z1", "a1", "y_pred")``: an answer of another length is rejected
                 with the expected form, and a wrong answer is told which parts are
                 right (never their values).
``mistakes``     a list of `Mistake` objects (another way to register them, handy for
                 value answers and one-line lambdas).
``pure``         the answer must leave its arguments as it found them and give the same
                 result when called again with them: after each case the grader compares
                 the arguments with a copy taken before the call, then calls once more.
                 Otherwise the outcome is `ChangedArgument` or `NotRepeatable` (a wrong
                 answer). Default: on for a "function" answer without ``prepare``. A
                 ``prepare`` can check the same itself by raising those exceptions
                 (00.2 calls the learner's network twice and compares its list of layers).
``forbidden``    ``{"annlib.losses.mse": "why"}``: functions or classes (by dotted name)
                 the answer must not use, because the statement rules them out. A
                 profile hook watches each case; running a forbidden function (or creating
                 an instance of a forbidden class, e.g. ``annlib.engine.Value``) however it
                 was reached (an alias, a closure, the function itself handed to check)
                 makes the outcome `ForbiddenCall`, a wrong answer. Every rule a
                 statement states must be checked this way, or not stated.

The catalogue of wrong answers
==============================

Every exercise registers the wrong answers it must reject, each with the
feedback it must produce. Two ways, same result::

    @neuron.mistake(name, feedback)          # decorate a wrong function
    def _(x, w, b): ...

    Mistake(name, answer, feedback)          # in mistakes=[...]

``name``      a short snake_case id, unique within the exercise.
``answer``    the wrong answer exactly as a learner would pass it to check().
``feedback``  what the grader says when it *recognises* this misconception: what
              is wrong and why, in the learner's terms. The grader adds a concrete
              example after it (the call, what it returned, what was expected).

Recognition: when an answer fails, the grader runs each mistake of the
catalogue (in order, trusted, in-process, outcomes cached) on the same cases,
and the first mistake whose outcomes equal the learner's outcomes on *every*
case gives its feedback (an exception counts as the same outcome when its type
is the same). So a mistake is recognised by behaviour, not by source code. For a
misconception that does not show as one exact behaviour (softmax that overflows:
it may raise, return nan or warn), pass ``detect=fn``: ``fn(outcomes, expected)
-> bool``, ``fn(outcomes, expected, cases) -> bool`` or ``fn(outcomes, expected,
cases, wrong) -> bool``, where ``outcomes`` is the learner's list of `Outcome`
(``.ok``, ``.value``, ``.error`` = (exception type name, message, source line)),
``expected`` the reference's values, ``cases`` the argument tuples and ``wrong`` the
catalogued wrong answer's own outcomes, case by case (use ``wrong`` rather than
calling the wrong answer: a student release ships its outcomes, never its code).
Only mistakes with feedback are recognised; they are tried in catalogue order, so
put the specific ones first.

A mistake with ``feedback=None`` is not recognised specifically; it documents a
wrong answer that must still be rejected, with ``verdict=`` the verdict kind it
must get and ``expect=`` a fragment the feedback must contain (for example an
answer that raises: ``verdict="error", expect="ZeroDivisionError"``).

Generic tests in ``tests/test_grading_core.py`` run over the whole registry
(every chapter): every mistake is rejected with its verdict and its feedback (or
``expect`` fragment), every stub is "not attempted yet" (None, ``...``, a
function raising NotImplementedError), every solution passes with full points.
Adding an exercise adds its tests automatically; a chapter's own test file only
needs what the catalogue cannot say (e.g. that its notebook's checks exist).

Answers in the wrong form: ``prepare`` (or the reference of a value exercise
through ``prepare``) may raise ``BadAnswer("expected three numbers (w1, w2, b),
got 'abc'")``; the verdict is then "wrong" with exactly that message.

Broken rules (`ChangedArgument`, `NotRepeatable`, `ForbiddenCall`, all `BrokenRule`)
are outcomes like exceptions, so a catalogued mistake that breaks the same rule on
every case is recognised by behaviour (01.2's bias trick that appends to x and w;
05.1's call of annlib.losses.mse). Unrecognised, the verdict is "wrong" with the
rule and one example.

Feedback names the kind of a wrong value before its size: text where a number is
expected ("25" in quotes), None (a missing return), a one-element list or array
where a number is expected, a list of another length. Results that were numpy
float32 and agree with the reference only to single precision are told that
precision is the problem.

Verdicts
========

``passed``          every case agrees with the reference: full points.
``wrong``           a recognised mistake's feedback, else the first case that differs.
``not attempted``   the answer is None or ``...`` (or, with ``parts``, every part
                    is), or the code raises NotImplementedError (the generated
                    stub): 0 points, no alarm.
``error``           learner code raised: names the exception, its message, the line
                    of the learner's code and the input that triggered it; or it ended
                    the process running the cases (os._exit, sys.exit): says so.
``timeout``         the cases did not finish within the time limit (stated).
``output flood``    the code printed more than 200 lines or 20,000 characters; the
                    output is captured, the first lines shown, never the rest.
``internal error``  a bug in the grader itself (never the learner's fault); says so.
``unknown exercise`` the id is not registered; lists the ids of that chapter.

Isolation: where ``os.fork`` exists (Linux, macOS) the learner's code runs in a
forked child process, which is killed at the time limit; its stdout and stderr
(Python objects and file descriptors 1 and 2) are captured, so nothing reaches
the notebook. Elsewhere it runs in a daemon thread (a runaway loop cannot be
killed there: the verdict still arrives at the time limit, and what the abandoned
thread prints later is no longer captured). The grader never
writes any file, and never trusts notebook state: each case gets fresh inputs.
Set the environment variable ``ANNLIB_GRADING_ISOLATION`` to ``fork``,
``thread`` or ``inline`` to force a mode (tests do).

Stubs and notebooks (see ``annlib.grading.generate``)
=====================================================

``solutions/NN_name.ipynb`` is the source. In a code cell, the lines between
``# BEGIN SOLUTION`` and ``# END SOLUTION`` become, in ``exercises/``:

* the lines of the region that start with ``# STUB:`` (prefix removed, the
  comment's indentation kept), when there are any -- use this for value answers:
  ``# STUB: z = ...  # your number`` (Ellipsis means "not attempted yet");
* otherwise ``# YOUR CODE HERE`` and ``raise NotImplementedError`` at the
  region's indentation -- the default, for function bodies.

Cells tagged ``solution-only`` (cell metadata tags) are dropped. Every exercise
is: a markdown heading ``## Exercise 01.2: <title> (<points> points)`` with the
statement, the solution cell, then a check cell ``check("01.2", neuron)`` (the
value answers of 01.1 and 04.1 show the ``# STUB:`` form). A check shows its
verdict once: when the Result it returns is the cell's last expression, the
echo is suppressed; displaying it again later shows it again. Checks display an HTML box, a plain-text fallback
and a machine-readable bundle (MIME type `VERDICT_MIME`, the verdict as JSON),
which ``python -m annlib.grading exercises/`` collects into a score table.
"""

import contextlib
import copy
import html
import inspect
import io
import math
import os
import pickle
import select
import signal
import struct
import sys
import threading
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["check", "hint", "exercises", "Result", "Exercise", "Mistake", "Outcome", "BadAnswer",
           "BrokenRule", "ChangedArgument", "NotRepeatable", "ForbiddenCall", "ExerciseInfo",
           "exercise", "registry", "get_exercise", "close", "exact", "VERDICT_MIME", "VERDICTS",
           "Withheld", "Sealed", "RELEASE"]

VERDICT_MIME = "application/vnd.annlib.verdict+json"

PASSED, WRONG, NOT_ATTEMPTED, ERROR = "passed", "wrong", "not attempted", "error"
TIMEOUT, FLOOD, INTERNAL, UNKNOWN = "timeout", "output flood", "internal error", "unknown exercise"
VERDICTS = (PASSED, WRONG, NOT_ATTEMPTED, ERROR, TIMEOUT, FLOOD, INTERNAL, UNKNOWN)

DEFAULT_TIME_LIMIT = 5.0
FLOOD_LINES, FLOOD_CHARS = 200, 20_000
_SHOWN_LINES = 5


class BadAnswer(Exception):
    """Raised by an exercise's ``prepare`` when the answer has the wrong form."""


class BrokenRule(Exception):
    """The learner's code broke a rule of its exercise: a wrong answer, whatever it returned.

    The message is one concrete example, e.g. ``neuron(x=[1.0], w=[2.0], b=0.5)
    changed its argument x: ...``; the subclass says which rule.
    """


class ChangedArgument(BrokenRule):
    """The answer changed an argument it was given (the caller's list, say)."""


class NotRepeatable(BrokenRule):
    """A second call with the same arguments gave another result (hidden state)."""


class ForbiddenCall(BrokenRule):
    """The answer used a function or class its exercise forbids."""


class Withheld(Exception):
    """Raised by what a student release leaves out: a reference or a catalogued wrong answer."""


# What the grader says about each broken rule, before the example.
_RULES = {
    "ChangedArgument": ("Your function changes the arguments it is given. The caller's lists "
                        "must stay as they were (the caller may use them again): build new "
                        "lists instead of appending to, popping from or assigning into these."),
    "NotRepeatable": ("Your function gives another result when it is called again with the "
                      "same arguments: it keeps something from one call to the next (a global "
                      "variable, a list it changes, a default list argument)."),
    "ForbiddenCall": "",  # the message itself names what was used and why it is not allowed
}


# --- comparisons ---------------------------------------------------------------------

def plain(x):
    """Turn numpy arrays/scalars and annlib Values into plain Python, recursively."""
    if type(x) in (bool, int, float, str, type(None)):
        return x
    if isinstance(x, float):  # numpy.float64 is a float subclass: drop the subclass
        return float(x)
    if isinstance(x, int) and not isinstance(x, bool):
        return int(x)
    if isinstance(x, (list, tuple)):
        return type(x)(plain(v) for v in x) if type(x) in (list, tuple) else [plain(v) for v in x]
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if type(x).__name__ == "Value" and hasattr(x, "data") and hasattr(x, "grad"):
        return float(x.data)
    if hasattr(x, "tolist") and callable(x.tolist):  # numpy array or scalar
        return plain(x.tolist())
    if isinstance(x, complex):
        return x
    try:
        return float(x)  # e.g. fractions, decimals
    except Exception:
        return x


def close(rel=1e-6, abs=1e-9):
    """A comparison: numbers within the tolerances, recursively through lists/tuples."""
    def compare(expected, got):
        if isinstance(expected, Sealed):
            return expected.matches(got)
        if isinstance(expected, bool) or isinstance(got, bool):
            return type(expected) is type(got) and expected == got
        if isinstance(expected, (int, float)) and isinstance(got, (int, float)):
            if math.isnan(expected) or math.isnan(got):
                return math.isnan(expected) and math.isnan(got)
            return math.isclose(expected, got, rel_tol=rel, abs_tol=abs)
        if isinstance(expected, (list, tuple)) and isinstance(got, (list, tuple)):
            return len(expected) == len(got) and all(map(compare, expected, got))
        return type(expected) is type(got) and expected == got
    compare.__name__ = f"close(rel={rel}, abs={abs})"
    return compare


def exact(expected, got):
    """A comparison: plain equality (after numpy/Value conversion)."""
    return expected == got


# --- a student release ---------------------------------------------------------------
#
# A student release (``python -m annlib.grading.export release DEST``, module
# ``annlib.grading.release``) ships each chapter_NN.py without its reference answers,
# catalogued wrong answers and random-case generators, next to chapter_NN.json: the
# public cases, what the reference gives on them, and what each catalogued wrong answer
# gives on them. Where the answer is one value (00.1, 04.1, ...) the reference's value
# is sealed: the release can tell whether an answer matches it, never what it is.

class Sealed:
    """A correct value kept as digests: ``matches(answer)``, ``==``, but never its value.

    A number is cut into cells of width 2 * max(rel * |x|, abs) on two grids half a
    cell apart; each grid keeps the digest of x's cell. An answer within the tolerance
    of x falls into x's cell on at least one grid (and never matches beyond two cell
    widths). Anything else (text, bool, nan) keeps the digest of its repr.
    """

    def __init__(self, kind, digests, step=None, salt=""):
        self.kind, self.digests, self.step, self.salt = kind, list(digests), step, salt

    @staticmethod
    def _digest(salt, text):
        import hashlib
        return hashlib.sha256(f"{salt}|{text}".encode()).hexdigest()

    @classmethod
    def seal(cls, value, salt, rel=1e-6, abs=1e-9):
        """`value` with every number or text inside lists, tuples and dict values sealed."""
        if type(value) in (list, tuple):
            return type(value)(cls.seal(v, salt, rel, abs) for v in value)
        if type(value) is dict:
            return {k: cls.seal(v, salt, rel, abs) for k, v in value.items()}
        if type(value) in (int, float) and math.isfinite(value):
            step = 2 * max(rel * math.fabs(value), abs)
            return cls("number", [cls._digest(salt, f"{offset}:{math.floor(value / step + offset)}")
                                  for offset in (0.0, 0.5)], step, salt)
        return cls("exact", [cls._digest(salt, repr((type(value).__name__, value)))], None, salt)

    def matches(self, got):
        if self.kind == "exact":
            return self._digest(self.salt, repr((type(got).__name__, got))) == self.digests[0]
        if type(got) not in (int, float) or not math.isfinite(got):
            return False
        return any(self._digest(self.salt, f"{offset}:{math.floor(got / self.step + offset)}")
                   == digest for offset, digest in zip((0.0, 0.5), self.digests))

    def __eq__(self, other):
        return self.matches(other)

    __hash__ = None

    def __repr__(self):
        return "<sealed value>"


def decode(value):
    """The inverse of the JSON encoding of plain data (``annlib.grading.sandbox.encode``),
    also for numpy arrays and sealed values (what a student release's chapter_NN.json holds)."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        if "tuple" in value:
            return tuple(decode(v) for v in value["tuple"])
        if "dict" in value:
            return {_hashable(decode(k)): decode(v) for k, v in value["dict"]}
        if "float" in value:
            return float(value["float"])
        if "set" in value or "frozenset" in value:
            kind = set if "set" in value else frozenset
            return kind(_hashable(decode(v)) for v in value.get("set", value.get("frozenset")))
        if "complex" in value:
            return complex(*map(decode, value["complex"]))
        if "ndarray" in value:
            import numpy
            return numpy.array(decode(value["ndarray"]), dtype=value["dtype"]).reshape(
                value["shape"])
        if "sealed" in value:
            kind, digests, step, salt = value["sealed"]
            return Sealed(kind, digests, step, salt)
        opaque = _Opaque.__new__(_Opaque)
        opaque.text, opaque.type_name = str(value.get("opaque", ""))[:200], "object"
        return opaque
    return value


def _hashable(key):
    return tuple(key) if isinstance(key, list) else key


_PUBLISHED = {}


def _published(chapter):
    """{exercise id: published data} of a student release's chapter_NN.json, else {}."""
    if chapter not in _PUBLISHED:
        import json
        path = Path(__file__).parent / f"chapter_{chapter}.json"
        _PUBLISHED[chapter] = (json.loads(path.read_text(encoding="utf-8"))["exercises"]
                               if path.is_file() else {})
    return _PUBLISHED[chapter]


# True in a student release (its checks ship as published data, not as references)
RELEASE = any(Path(__file__).parent.glob("chapter_[0-9][0-9].json"))


def _fmt(x, limit=120):
    """Short deterministic text for a value in feedback."""
    if isinstance(x, float):
        text = f"{x:.6g}" if math.isfinite(x) else repr(x)
        if math.isfinite(x) and not any(c in text for c in ".e"):
            text += ".0"  # 1.0, not 1: a float stays recognisable
    elif isinstance(x, (list, tuple)):
        inner = ", ".join(_fmt(v, limit) for v in x)
        text = f"[{inner}]" if isinstance(x, list) else f"({inner}{',' if len(x) == 1 else ''})"
    elif isinstance(x, _Opaque):
        text = x.text
    else:
        text = repr(x)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --- registry ------------------------------------------------------------------------

@dataclass
class Mistake:
    """One wrong answer an exercise must reject (see the module docstring)."""
    name: str
    answer: object
    feedback: str = None
    verdict: str = WRONG
    expect: str = None
    detect: object = None

    def __post_init__(self):
        if self.feedback is None and self.expect is None:
            raise ValueError(f"Mistake {self.name!r} needs feedback (a recognised "
                             f"misconception) or expect (a fragment of the generic feedback)")
        if self.verdict not in VERDICTS:
            raise ValueError(f"Mistake {self.name!r}: verdict must be one of {VERDICTS}, "
                             f"got {self.verdict!r}")

    @property
    def fragment(self):
        """The text the grader's feedback must contain for this wrong answer."""
        return self.expect if self.expect is not None else self.feedback


class ExerciseInfo(tuple):
    """(id, chapter, title, points) of a graded exercise."""
    __slots__ = ()
    _fields = ("id", "chapter", "title", "points")

    def __new__(cls, id, chapter, title, points):
        return tuple.__new__(cls, (id, chapter, title, points))

    id = property(lambda self: self[0])
    chapter = property(lambda self: self[1])
    title = property(lambda self: self[2])
    points = property(lambda self: self[3])

    def __repr__(self):
        return (f"ExerciseInfo(id={self.id!r}, chapter={self.chapter}, "
                f"title={self.title!r}, points={self.points})")


_REGISTRY = {}
_NO_SOLUTION = object()


def _sort_key(exercise_id):
    chapter, _, number = exercise_id.partition(".")
    return int(chapter), int(number)


class Exercise:
    """A graded exercise: reference, cases, hints and its catalogue of mistakes."""

    def __init__(self, exercise_id, title, reference, *, points, hints, answer="function",
                 cases=(), random_cases=None, compare=None, prepare=None,
                 solution=_NO_SOLUTION, time_limit=DEFAULT_TIME_LIMIT, call_name=None,
                 describe=None, parts=None, mistakes=(), pure=None, forbidden=None):
        chapter, dot, number = exercise_id.partition(".")
        if not (len(chapter) == 2 and chapter.isdigit() and dot and number.isdigit()):
            raise ValueError(f"exercise ids look like '01.2' (chapter.number), got {exercise_id!r}")
        if answer not in ("function", "value"):
            raise ValueError(f"{exercise_id}: answer must be 'function' or 'value', got {answer!r}")
        if isinstance(points, bool) or not isinstance(points, int) or points < 1:
            raise ValueError(f"{exercise_id}: points must be a positive int, got {points!r}")
        if not hints or not all(isinstance(h, str) and h for h in hints):
            raise ValueError(f"{exercise_id}: give at least one hint (a list of strings)")
        if answer == "value" and prepare is not None and solution is _NO_SOLUTION \
                and not _published(chapter).get(exercise_id):
            raise ValueError(f"{exercise_id}: a value answer with prepare=... needs solution=...")
        self.id = exercise_id
        self.chapter = int(chapter)
        self.title = title
        self.reference = reference
        self.points = points
        self.hints = list(hints)
        self.answer = answer
        self.prepare = prepare
        self.compare = compare or close()
        self.time_limit = float(time_limit)
        self.call_name = call_name or getattr(reference, "__name__", "f")
        self._describe = describe
        self.parts = tuple(parts) if parts else None
        self.pure = (answer == "function" and prepare is None) if pure is None else bool(pure)
        self.forbidden = dict(forbidden or {})
        self._forbidden_code = None
        published = _published(chapter).get(exercise_id)
        self.withheld = published is not None  # a student release: no reference here
        if published is not None:
            self.cases = [tuple(decode(c)) for c in published["cases"]]
        elif answer == "value" and not cases and random_cases is None:
            self.cases = [()]  # one "case": the answer itself
        else:
            rng = __import__("random").Random(f"annlib.grading:{exercise_id}")
            self.cases = [tuple(c) for c in cases] + [
                tuple(c) for c in (random_cases(rng) if random_cases else [])]
            if not self.cases:
                raise ValueError(f"{exercise_id}: give cases or random_cases")
        self.random_cases = random_cases  # class mode draws hidden cases from it too
        if published is not None:
            solution = None
        elif solution is _NO_SOLUTION:
            solution = reference if answer == "function" else reference()
        self.solution = solution
        self.mistakes = []
        for m in mistakes:
            self.add_mistake(m)
        self._expected = None
        self._mistake_outcomes = {}
        if published is not None:
            self._expected = [decode(v) for v in published["expected"]]
            self._mistake_outcomes = {
                name: [Outcome(bool(o["ok"]), decode(o.get("value")),
                               tuple(o["error"]) if o.get("error") else None, bool(o.get("low")))
                       for o in outcomes]
                for name, outcomes in published["mistakes"].items()}

    # registration helpers
    def add_mistake(self, mistake):
        if any(m.name == mistake.name for m in self.mistakes):
            raise ValueError(f"{self.id}: two mistakes are named {mistake.name!r}")
        self.mistakes.append(mistake)
        return mistake

    def mistake(self, name, feedback=None, *, verdict=WRONG, expect=None, detect=None):
        """Decorator: register the decorated function as a wrong answer."""
        def register(wrong_function):
            self.add_mistake(Mistake(name, wrong_function, feedback, verdict, expect, detect))
            return wrong_function
        return register

    def __call__(self, *args):
        return self.reference(*args)

    def __repr__(self):
        return f"<Exercise {self.id} {self.title!r}, {self.points} points>"

    @property
    def info(self):
        return ExerciseInfo(self.id, self.chapter, self.title, self.points)

    # grading helpers
    @property
    def single_value(self):
        """True when the answer is one value graded as a whole (feedback hides the expected)."""
        return self.answer == "value" and self.cases == [()]

    @property
    def arg_names(self):
        if self.single_value:
            return ()
        try:
            target = self.reference
            return tuple(inspect.signature(target).parameters)
        except (TypeError, ValueError):
            return ()

    def describe(self, args):
        """Deterministic text for one case, e.g. neuron(x=[1.0], w=[0.5], b=0.0)."""
        if self._describe is not None:
            return self._describe(args)
        names = self.arg_names
        parts = [f"{names[i]}={_fmt(a)}" if i < len(names) else _fmt(a)
                 for i, a in enumerate(args)]
        if self.answer == "function":
            return f"{self.call_name}({', '.join(parts)})"
        return ", ".join(parts)

    def expected(self):
        """Reference outputs for every case (computed once, trusted)."""
        if self._expected is None:
            reference = self.reference
            if self.prepare is not None and self.answer == "function":
                reference = self.prepare(reference)  # the reference is a correct answer
            self._expected = [plain(reference(*copy.deepcopy(args))) for args in self.cases]
        return self._expected

    def forbidden_code(self):
        """{code object: dotted name} of what the answer must not run (see ``forbidden``)."""
        if self._forbidden_code is None:
            self._forbidden_code = {}
            for name in self.forbidden:
                target = _resolve(name)
                function = target.__init__ if isinstance(target, type) else target
                self._forbidden_code[function.__code__] = name
        return self._forbidden_code

    def outcomes_of_mistake(self, mistake):
        if mistake.name not in self._mistake_outcomes:
            with _quiet():
                run = _run_cases_inline(self, mistake.answer)
            self._mistake_outcomes[mistake.name] = run.outcomes
        return self._mistake_outcomes[mistake.name]


def _resolve(dotted):
    """The object a dotted name such as "annlib.losses.mse" stands for."""
    import importlib
    module_name, attributes = dotted, []
    while True:
        try:
            target = importlib.import_module(module_name)
            break
        except ImportError:
            if "." not in module_name:
                raise
            module_name, _, attribute = module_name.rpartition(".")
            attributes.insert(0, attribute)
    for attribute in attributes:
        target = getattr(target, attribute)
    return target


def exercise(exercise_id, title, **options):
    """Decorator: register the decorated reference as a graded exercise (see module doc)."""
    def register(reference):
        if exercise_id in _REGISTRY:
            raise ValueError(f"exercise {exercise_id} is registered twice")
        ex = Exercise(exercise_id, title, reference, **options)
        _REGISTRY[exercise_id] = ex
        return ex
    return register


# one module of checks per chapter: chapter_00.py, chapter_01.py, ...
BANKS = tuple(sorted(path.stem for path in Path(__file__).parent.glob("chapter_[0-9][0-9].py")))
BANK_ERRORS = {}
_banks_loaded = False


def _load_banks():
    """Import the exercise banks that exist; a broken bank is recorded, not raised."""
    global _banks_loaded
    if _banks_loaded:
        return
    _banks_loaded = True
    import importlib
    import importlib.util
    for bank in BANKS:
        name = f"{__package__}.{bank}"
        if importlib.util.find_spec(name) is None:
            continue
        try:
            importlib.import_module(name)
        except Exception as exc:  # a bug in one chapter's checks must not break the others
            BANK_ERRORS[bank] = f"{type(exc).__name__}: {exc}"


def registry():
    """Every registered Exercise, sorted by id."""
    _load_banks()
    return [_REGISTRY[k] for k in sorted(_REGISTRY, key=_sort_key)]


def get_exercise(exercise_id):
    _load_banks()
    return _REGISTRY.get(exercise_id)


def exercises(chapter=None):
    """Every graded exercise as (id, chapter, title, points), optionally of one chapter."""
    return [ex.info for ex in registry() if chapter is None or ex.chapter == int(chapter)]


# --- running learner code --------------------------------------------------------------

@dataclass
class Outcome:
    """What one case gave: a value (ok) or an exception (error = (type, message, line))."""
    ok: bool
    value: object = None
    error: tuple = None
    low_precision: bool = False  # the value was numpy float32 or float16 before plain()

    def same_as(self, other, compare):
        if self.ok and other.ok:
            try:
                return bool(compare(other.value, self.value))
            except Exception:
                return False
        if not self.ok and not other.ok:
            return self.error[0] == other.error[0]
        return False


class _Opaque:
    """A returned object that could not be sent back as plain data: kept as text."""
    def __init__(self, obj):
        try:
            text = repr(obj)
        except Exception:
            text = f"<{type(obj).__name__} object>"
        self.text = text if len(text) <= 200 else text[:197] + "..."
        self.type_name = type(obj).__name__

    def __eq__(self, other):
        return False

    __hash__ = None


@dataclass
class _Run:
    outcomes: list = field(default_factory=list)
    status: str = "done"              # done | timeout | crashed
    printed_lines: int = 0
    printed_chars: int = 0
    head: list = field(default_factory=list)
    flooded: bool = False
    detail: str = ""
    reported: bool = False            # the forked child sent its final status


class _OutputFlood(BaseException):
    """Raised by the capture once the flood limit is passed: stops a print loop at once.

    A BaseException, so that the learner's ``except Exception`` does not swallow it;
    every later write raises again, even after a bare ``except:``.
    """


class _Capture(io.TextIOBase):
    """A stdout/stderr stand-in that keeps the first lines and counts the rest."""

    def __init__(self, on_flood=None):
        self.lines, self.chars, self.head, self.flooded = 0, 0, [], False
        self._partial = ""
        self._on_flood = on_flood

    def writable(self):
        return True

    def write(self, text):
        if not isinstance(text, str):
            text = str(text)
        self.chars += len(text)
        self.lines += text.count("\n")
        if len(self.head) < _SHOWN_LINES:
            self._partial += text[:2000]
            *done, self._partial = self._partial.split("\n")
            self.head.extend(line[:120] for line in done[: _SHOWN_LINES - len(self.head)])
        if self.flooded or self.lines > FLOOD_LINES or self.chars > FLOOD_CHARS:
            if not self.flooded and self._on_flood:
                self._on_flood(self)
            self.flooded = True
            raise _OutputFlood()
        return len(text)

    def flush(self):
        pass

    def first_lines(self):
        return self.head + ([self._partial[:120]] if self._partial and len(self.head) < _SHOWN_LINES else [])


def _learner_line(tb):
    """The source line, in learner code, where an exception was raised (best effort)."""
    frames = traceback.extract_tb(tb)
    here = os.path.dirname(os.path.abspath(__file__))
    for frame in reversed(frames):
        if not os.path.abspath(frame.filename).startswith(here) and frame.line:
            return frame.line.strip()
    return ""


def _error_outcome(exc):
    return Outcome(False, error=(type(exc).__name__, str(exc)[:300],
                                 _learner_line(exc.__traceback__)))


def _call_cases(ex, answer, send):
    """Run every case, handing each Outcome to send(); used by every isolation mode.

    Raises only _OutputFlood; an error in ``prepare`` becomes one error Outcome.
    """
    function = answer
    if ex.prepare is not None:
        try:
            function = ex.prepare(answer)
        except _OutputFlood:
            raise
        except Exception as exc:
            send(_error_outcome(exc))
            return
    elif ex.answer == "value":
        function = lambda: answer  # noqa: E731 - the answer itself is the output
    forbidden = ex.forbidden_code()
    for args in ex.cases:
        used = []
        try:
            given = copy.deepcopy(args)
            with _watching(forbidden, used):
                value = function(*given)
                if ex.pure:
                    _call_again(ex, function, args, given, value)
            outcome = Outcome(True, plain(value), low_precision=_low_precision(value))
        except _OutputFlood:
            raise
        except RecursionError as exc:
            outcome = Outcome(False, error=("RecursionError", str(exc)[:300], ""))
        except Exception as exc:  # the learner's bug: report it, go on
            outcome = _error_outcome(exc)
        if used:  # even when the learner's code caught the error or failed later
            name, line = used[0]
            where = f" (in the line `{line}`)" if line else ""
            outcome = Outcome(False, error=("ForbiddenCall", f"{ex.describe(args)} used "
                                            f"{name}{where}.", line))
        send(outcome)


@contextlib.contextmanager
def _watching(codes, used):
    """Append (name, learner's line) to `used` when a forbidden code object starts running.

    A profile hook (this thread only) sees every Python call, so no alias, closure or
    direct hand-over of a forbidden function escapes it; nothing is patched.
    """
    if not codes:
        yield
        return
    previous = sys.getprofile()

    def profile(frame, event, arg):
        if event == "call" and not used and frame.f_code in codes:
            used.append((codes[frame.f_code], _caller_line(frame)))

    sys.setprofile(profile)
    try:
        yield
    finally:
        sys.setprofile(previous)


def _caller_line(frame):
    """The line of learner code (outside annlib) that led to `frame` (best effort)."""
    import linecache
    annlib_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    while frame is not None:
        filename = frame.f_code.co_filename
        if not os.path.abspath(filename).startswith(annlib_dir):
            return linecache.getline(filename, frame.f_lineno).strip()
        frame = frame.f_back
    return ""


def _call_again(ex, function, args, given, first):
    """The ``pure`` rule: the call left its arguments alone, and a second call agrees."""
    names = ex.arg_names
    for i, (before, after) in enumerate(zip(args, given)):
        if _is_data(before) and not _identical(before, after):
            name = names[i] if i < len(names) else f"number {i + 1}"
            raise ChangedArgument(f"{ex.describe(args)} changed its argument {name} from "
                                  f"{_fmt(before, 60)} to {_fmt(plain(after), 60)}.")
    again = function(*given)
    first, again = plain(first), plain(again)
    if _is_data(first) and _is_data(again) and not _identical(first, again):
        raise NotRepeatable(f"{ex.describe(args)} returned {_fmt(first, 60)} the first "
                            f"time and {_fmt(again, 60)} when called again with the same "
                            f"arguments.")


def _is_data(x):
    """Plain data (numbers, text, None, lists/tuples/dicts of them): comparable by value."""
    if x is None or type(x) in (bool, int, float, str, complex):
        return True
    if type(x) in (list, tuple):
        return all(map(_is_data, x))
    if type(x) is dict:
        return all(map(_is_data, x.values()))
    return False


def _identical(a, b):
    """Equal, recursively, with the same types, and nan equal to nan."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(map(_identical, a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_identical(a[k], b[k]) for k in a)
    try:
        return bool(a == b)
    except Exception:  # numpy arrays and other objects without one truth value
        return False


def _low_precision(value):
    """True when `value` holds numpy float32/float16 numbers (7 or 3 significant digits)."""
    dtype = getattr(value, "dtype", None)
    if dtype is not None:
        return str(dtype) in ("float32", "float16")
    if type(value) in (list, tuple):
        return any(map(_low_precision, value))
    return False


def _run_cases_inline(ex, answer):
    run = _Run()
    try:
        _call_cases(ex, answer, run.outcomes.append)
    except _OutputFlood:
        run.status = "crashed"
        run.detail = "stopped: output flood"
    return run


@contextlib.contextmanager
def _quiet():
    """Silence stdout, stderr and warnings while trusted code runs (mistake outcomes)."""
    sink = _Capture()
    with warnings.catch_warnings(), contextlib.redirect_stdout(sink), \
            contextlib.redirect_stderr(sink):
        warnings.simplefilter("ignore")
        yield


def _isolation():
    mode = os.environ.get("ANNLIB_GRADING_ISOLATION", "").strip().lower()
    if mode in ("fork", "thread", "inline"):
        if mode == "fork" and not hasattr(os, "fork"):
            return "thread"
        return mode
    return "fork" if hasattr(os, "fork") else "thread"


def _run_forked(ex, answer):
    """Run the cases in a forked child: killable at the time limit, output captured."""
    read_fd, write_fd = os.pipe()
    with warnings.catch_warnings():
        # Python 3.12+ warns that forking a threaded process (a Jupyter kernel) may
        # deadlock the child; the child only runs the learner's code and os._exit()s.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # --- child -------------------------------------------------------
        code = 0
        try:
            os.close(read_fd)
            _child(ex, answer, write_fd)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    # --- parent ----------------------------------------------------------------------
    os.close(write_fd)
    run = _Run()
    deadline = time.monotonic() + ex.time_limit
    buffer = b""
    finished = False
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            ready, _, _ = select.select([read_fd], [], [], remaining)
            if not ready:
                break
            chunk = os.read(read_fd, 1 << 16)
            if not chunk:
                finished = True
                break
            buffer += chunk
            buffer = _take_frames(buffer, run)
    finally:
        os.close(read_fd)
        if not finished:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    if not finished:
        run.status = "timeout"
    elif not run.reported:  # the child ended before its last word: the learner's code ended it
        run.status = "crashed"
        case = ex.cases[len(run.outcomes)] if len(run.outcomes) < len(ex.cases) else None
        run.detail = _ended_process_text(ex, case, status)
    return run


def _ended_process_text(ex, case, status):
    """Feedback for learner code that ended the Python process running the cases."""
    if os.WIFSIGNALED(status):
        how = f"was killed by signal {os.WTERMSIG(status)} (a crash, or no memory left)"
    else:
        how = ("was ended by your code (os._exit, sys.exit or exit() while it was being "
               "checked)")
    when = f" when called as {ex.describe(case)}" if case and ex.answer == "function" else ""
    return (f"The Python process running your code {how}{when}, so the check could not "
            f"finish: 0 points. A function must return its result; it must never stop "
            f"Python.")


def _take_frames(buffer, run):
    while len(buffer) >= 4:
        (size,) = struct.unpack("!I", buffer[:4])
        if len(buffer) < 4 + size:
            break
        kind, payload = pickle.loads(buffer[4: 4 + size])
        buffer = buffer[4 + size:]
        if kind == "outcome":
            run.outcomes.append(payload)
        elif kind == "flood":  # sent at once, in case the child is killed later
            run.printed_lines, run.printed_chars, run.head = payload
            run.flooded = True
        elif kind == "output":
            run.printed_lines, run.printed_chars, run.head, flooded = payload
            run.flooded = run.flooded or flooded
        elif kind == "status":
            run.status, run.detail = payload
            run.reported = True
    return buffer


def _child(ex, answer, write_fd):
    def send(kind, payload):
        try:
            data = pickle.dumps((kind, payload))
        except Exception:  # an unpicklable value: send its text instead
            payload = Outcome(True, _Opaque(payload.value)) if kind == "outcome" else None
            data = pickle.dumps((kind, payload))
        _write_all(write_fd, struct.pack("!I", len(data)) + data)

    # Nothing the learner's code prints may reach the notebook: the kernel forwards
    # file descriptors 1 and 2 and its sys.stdout/sys.stderr objects to the page.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    capture = _Capture(on_flood=lambda c: send("flood", (c.lines, c.chars, c.first_lines())))
    sys.stdout = sys.stderr = sys.__stdout__ = sys.__stderr__ = capture
    _mute_ipython()
    warnings.simplefilter("default")
    status = ("done", "")
    try:
        _call_cases(ex, answer, lambda outcome: send("outcome", outcome))
    except _OutputFlood:
        status = ("crashed", "stopped: output flood")
    send("output", (capture.lines, capture.chars, capture.first_lines(), capture.flooded))
    send("status", status)


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _mute_ipython():
    """In the child, make IPython's display a no-op (it would talk to the parent's sockets)."""
    ipython_module = sys.modules.get("IPython")
    if ipython_module is None:
        return
    try:
        shell = ipython_module.get_ipython()
        if shell is not None:
            shell.display_pub.publish = lambda *args, **kwargs: None
    except Exception:
        pass


def _run_threaded(ex, answer):
    """Fallback without fork: a daemon thread; a runaway loop is abandoned, not killed."""
    run = _Run()
    capture = _Capture()

    def target():
        try:
            _call_cases(ex, answer, run.outcomes.append)
        except _OutputFlood:
            run.status, run.detail = "crashed", "stopped: output flood"

    thread = threading.Thread(target=target, daemon=True, name=f"annlib-check-{ex.id}")
    with warnings.catch_warnings(), contextlib.redirect_stdout(capture), \
            contextlib.redirect_stderr(capture):
        warnings.simplefilter("default")
        thread.start()
        thread.join(ex.time_limit)
    if thread.is_alive():
        run.status = "timeout"
        run.detail = "thread"
    run.printed_lines, run.printed_chars = capture.lines, capture.chars
    run.head, run.flooded = capture.first_lines(), capture.flooded
    return run


def _run_learner(ex, answer):
    mode = _isolation()
    if mode == "fork":
        return _run_forked(ex, answer)
    if mode == "thread":
        return _run_threaded(ex, answer)
    capture = _Capture()
    with warnings.catch_warnings(), contextlib.redirect_stdout(capture), \
            contextlib.redirect_stderr(capture):
        run = _run_cases_inline(ex, answer)
    run.printed_lines, run.printed_chars = capture.lines, capture.chars
    run.head, run.flooded = capture.first_lines(), capture.flooded
    return run


# --- verdicts ------------------------------------------------------------------------

@dataclass
class Result:
    """The verdict of one check: ``.passed``, ``.score``, ``.max_score``, ``.feedback``."""
    exercise_id: str
    verdict: str
    score: int
    max_score: int
    feedback: str
    title: str = ""
    hints: list = field(default_factory=list)

    @property
    def passed(self):
        return self.verdict == PASSED

    def to_json(self):
        return {"exercise": self.exercise_id, "title": self.title, "verdict": self.verdict,
                "score": self.score, "max_score": self.max_score, "feedback": self.feedback}

    def text(self):
        """The plain-text verdict (what a terminal or a text-only front end shows)."""
        mark = {PASSED: "PASSED", NOT_ATTEMPTED: "NOT ATTEMPTED YET"}.get(
            self.verdict, self.verdict.upper())
        lines = [f"[{mark}] {self.exercise_id} {self.title}: "
                 f"{self.score}/{self.max_score} points".replace("  ", " "),
                 *self.feedback.splitlines()]
        lines += [f"Hint: {h}" for h in self.hints]
        if self.verdict not in (PASSED, UNKNOWN, INTERNAL):
            lines.append(f"More hints: hint({self.exercise_id!r})")
        return "\n".join(lines)

    def html(self):
        colour = {PASSED: "#2e7d32", NOT_ATTEMPTED: "#757575", WRONG: "#c62828",
                  ERROR: "#c62828", TIMEOUT: "#ef6c00", FLOOD: "#ef6c00"}.get(self.verdict, "#6a1b9a")
        label = {PASSED: "&#10003; passed", NOT_ATTEMPTED: "not attempted yet"}.get(
            self.verdict, "&#10007; " + html.escape(self.verdict))
        body = "<br>".join(html.escape(line) for line in self.feedback.splitlines())
        hints = "".join(f"<div><i>Hint:</i> {html.escape(h)}</div>" for h in self.hints)
        more = ("" if self.verdict in (PASSED, UNKNOWN, INTERNAL) else
                f"<div style=\"color:#555\">More hints: <code>hint({self.exercise_id!r})</code></div>")
        return (f"<div style=\"border-left:6px solid {colour};padding:4px 10px;margin:2px 0\">"
                f"<b style=\"color:{colour}\">{label}</b> &mdash; "
                f"<b>{html.escape(self.exercise_id)}</b> {html.escape(self.title)} "
                f"({self.score}/{self.max_score} points)<div>{body}</div>{hints}{more}</div>")

    def bundle(self):
        return {"text/plain": self.text(), "text/html": self.html(), VERDICT_MIME: self.to_json()}

    def __str__(self):
        return self.text()

    def _ipython_display_(self):
        # check() has already shown this verdict; when the same cell then echoes the
        # returned Result (check(...) as the last line), show nothing a second time.
        if self._echo_key is not None and self._echo_key == _cell_key():
            self._echo_key = None
            return
        _publish(self)

    _echo_key = None


def _cell_key():
    """Something that identifies the cell execution in progress (None outside IPython)."""
    ipython_module = sys.modules.get("IPython")
    shell = ipython_module.get_ipython() if ipython_module else None
    if shell is None:
        return None
    header = getattr(shell, "parent_header", None) or {}
    msg_id = header.get("header", {}).get("msg_id") if isinstance(header, dict) else None
    return (msg_id, shell.execution_count)


def _publish(result):
    ipython_module = sys.modules.get("IPython")
    shell = ipython_module.get_ipython() if ipython_module else None
    if shell is None:
        print(result.text())
        return
    from IPython.display import display
    display(result.bundle(), raw=True)


def _with_example(ex, feedback, case_index, got, expected):
    """Feedback plus one concrete case, so the learner can reproduce it."""
    if case_index is None:
        return feedback
    args = ex.cases[case_index]
    if ex.single_value:
        return f"{feedback}\nYour answer: {_fmt(got.value) if got.ok else got.error[0]}."
    if not got.ok and got.error[0] in _RULES:
        return f"{feedback}\nFor example: {got.error[1]}"
    if not got.ok:
        what = f"raised {got.error[0]}"
    else:
        what = f"returned {_fmt(got.value)}"
    subject = (ex.describe(args) if ex.answer == "function"
               else f"For {ex.describe(args)} your answer")
    return f"{feedback}\nFor example: {subject} {what}; expected {_fmt(expected[case_index])}."


def _first_difference(ex, outcomes, expected):
    for i, (got, want) in enumerate(zip(outcomes, expected)):
        if not got.same_as(Outcome(True, want), ex.compare):
            return i
    return None


def _precheck(ex, answer):
    """(verdict, feedback) for an answer that is not attempted or not of the right form, else None."""
    if answer is None or answer is Ellipsis:
        return NOT_ATTEMPTED, _not_attempted_text(ex)
    if (ex.parts and isinstance(answer, (list, tuple)) and answer
            and all(part is None or part is Ellipsis for part in answer)):
        return NOT_ATTEMPTED, _not_attempted_text(ex)
    if ex.answer == "function" and ex.prepare is None and not callable(answer):
        return WRONG, (f"check({ex.id!r}, ...) expects your function itself (its name, "
                       f"without parentheses, e.g. check({ex.id!r}, {ex.call_name})), "
                       f"got {type(answer).__name__}: {_fmt(answer, 60)}.")
    if ex.parts and ex.single_value:
        shape_problem = _parts_shape(ex, answer)
        if shape_problem:
            return WRONG, shape_problem
    return None


def _grade(ex, answer, run=None):
    """The whole decision, in order; returns (verdict, feedback).

    `run` is given when the learner's code already ran elsewhere (class mode: in a
    separate process, see ``annlib.grading.classmode``); its outcomes are then judged
    here, and the answer's form was checked there by `_precheck`.
    """
    if run is None:
        early = _precheck(ex, answer)
        if early is not None:
            return early
        run = _run_learner(ex, answer)
    expected = ex.expected()
    outcomes = run.outcomes
    printed = ""
    if run.head:
        printed = "\nFirst lines printed:\n" + "\n".join("  " + line for line in run.head)
    if run.flooded or run.detail == "stopped: output flood":
        return FLOOD, (f"Your code printed too much while being checked (more than "
                       f"{FLOOD_LINES} lines or {FLOOD_CHARS:,} characters), so the check "
                       f"stopped it there. Nothing reached the notebook: remove the print "
                       f"calls from your function (or print outside it) and check "
                       f"again.{printed}")
    for got in outcomes:
        if not got.ok and got.error[0] == "NotImplementedError":
            return NOT_ATTEMPTED, _not_attempted_text(ex, answer)
    if run.status == "timeout":
        at = len(outcomes)
        where = f" on {ex.describe(ex.cases[at])}" if at < len(ex.cases) and ex.cases[at] else ""
        extra = (" (it may still be running in the background: restart the kernel if "
                 "the notebook becomes slow)") if run.detail == "thread" else ""
        return TIMEOUT, (f"Time limit exceeded: the check stopped your code after "
                         f"{ex.time_limit:g} s{where}{extra}. Look for a loop that never "
                         f"ends (a while loop whose condition never changes) or a "
                         f"function that calls itself forever.")
    if run.status == "crashed":
        return ERROR, run.detail
    if len(outcomes) == len(expected) and all(
            got.same_as(Outcome(True, want), ex.compare) for got, want in zip(outcomes, expected)):
        if ex.single_value:
            return PASSED, "Correct."
        return PASSED, f"Correct on all {len(expected)} test cases."
    for got in outcomes:
        if not got.ok and got.error[0] == "BadAnswer":
            return WRONG, got.error[1]
    first = _first_difference(ex, outcomes, expected)
    example = outcomes[first] if first is not None else None
    for mistake in ex.mistakes:
        if mistake.feedback is None:
            continue
        if mistake.detect is not None:
            wants = len(inspect.signature(mistake.detect).parameters)
            arguments = (outcomes, expected, ex.cases)[:wants]
            if wants >= 4:  # only then run the wrong answer itself (trusted, cached)
                arguments += (ex.outcomes_of_mistake(mistake),)
            recognised = bool(mistake.detect(*arguments))
        else:
            theirs = ex.outcomes_of_mistake(mistake)
            recognised = len(theirs) == len(outcomes) and all(
                got.same_as(mine, ex.compare) for got, mine in zip(outcomes, theirs))
        if recognised:
            return WRONG, _with_example(ex, mistake.feedback, first, example, expected)
    broken = next((got for got in outcomes if not got.ok and got.error[0] in _RULES), None)
    if broken is not None:
        return WRONG, _with_example(ex, _rule_text(ex, broken), first, broken, expected)
    if any(got.low_precision for got in outcomes) and _single_precision_close(outcomes, expected):
        return WRONG, _with_example(ex, _LOW_PRECISION, first, example, expected)
    for i, got in enumerate(outcomes):
        if not got.ok:
            name, message, line = got.error
            where = f" in the line `{line}`" if line else ""
            case = (f" when called as {ex.describe(ex.cases[i])}" if ex.answer == "function"
                    else (f" for {ex.describe(ex.cases[i])}" if ex.cases[i] else ""))
            return ERROR, (f"Your code raised {name}{': ' + message if message else ''}"
                           f"{where}{case}.")
    if ex.single_value:
        value = outcomes[0].value
        problem = _kind_problem(expected[0], value)
        if problem and not ex.parts:
            return WRONG, f"Your answer {problem}."
        report, kinds_wrong = _parts_report(ex, value, expected[0])
        return WRONG, (f"Not quite: your answer {_fmt(value)} is not correct{report}."
                       + ("" if kinds_wrong else " Recompute it step by step."))
    problem = _kind_problem(expected[first], example.value, "result") if example.ok else None
    lead = (f"Not quite: what your function returns {problem}." if problem
            else "Not quite: at least one case gives a different result.")
    return WRONG, _with_example(ex, lead, first, example, expected)


_LOW_PRECISION = (
    "Your results are numpy float32 numbers: single precision keeps only about 7 "
    "significant digits, so they drift from the exact values. The check expects double "
    "precision: use Python floats or numpy's default float64 (drop dtype=np.float32 or "
    ".astype(np.float32)).")


def _single_precision_close(outcomes, expected):
    """Every outcome is a value within what single precision can give of the expected one."""
    loose = close(rel=1e-4, abs=1e-5)
    return len(outcomes) == len(expected) and all(
        got.ok and _same_by(loose, want, got.value) for got, want in zip(outcomes, expected))


def _same_by(compare, want, got):
    try:
        return bool(compare(want, got))
    except Exception:
        return False


def _rule_text(ex, broken):
    """The generic feedback for a broken rule (``pure``, ``forbidden``)."""
    if broken.error[0] != "ForbiddenCall":
        return _RULES[broken.error[0]]
    name = next((n for n in ex.forbidden if f" used {n}" in broken.error[1]), "it")
    return (f"Your code uses {name}, which this exercise does not allow: "
            f"{ex.forbidden.get(name, 'see its statement')}.")


def _is_number(x):
    if isinstance(x, Sealed):
        return x.kind == "number"
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _kind_problem(expected, got, name="v"):
    """What is wrong with the kind of `got` (text, a list, None...), or None if it is right.

    A phrase that follows "your answer", e.g. "is text ('25'), not a number: ...";
    `name` is how the advice calls the value (``y_pred[0]``).
    """
    if _is_number(expected):
        if _is_number(got):
            return None
        if isinstance(got, str):
            return (f"is text ({_fmt(got, 30)}, a string), not a number: write the number "
                    f"itself, without quotes or str()")
        if got is None:
            return "is None, not a number: a function needs a `return` line"
        if isinstance(got, (list, tuple)) and len(got) == 1 and _is_number(got[0]):
            return ("is a list or array holding one number, where a single number is "
                    f"expected: take the number out ({name}[0], or float({name}) for a "
                    f"numpy array)")
        if isinstance(got, (list, tuple)):
            return (f"is a list or array of {len(got)} elements, where a single number is "
                    f"expected")
        return None
    if isinstance(expected, (list, tuple)):
        if _is_number(got):
            return (f"is a single number, where a list of {len(expected)} numbers is "
                    f"expected")
        if isinstance(got, str):
            return f"is text ({_fmt(got, 30)}, a string), not a list"
        if got is None:
            return "is None, not a list: a function needs a `return` line"
        if isinstance(got, (list, tuple)) and len(got) != len(expected):
            return f"has {len(got)} elements, where {len(expected)} are expected"
    return None


def _parts_shape(ex, answer):
    names = ", ".join(ex.parts)
    if not isinstance(plain(answer), (list, tuple)) or len(answer) != len(ex.parts):
        return (f"Expected your answer as a tuple ({names}) of {len(ex.parts)} parts, "
                f"got {type(answer).__name__}: {_fmt(plain(answer), 80)}.")
    for name, part in zip(ex.parts, answer):
        if part is None or part is Ellipsis:
            return f"{name} is still {'...' if part is Ellipsis else 'None'}: fill in every part ({names}), then check again."
    return None


def _parts_report(ex, got, want):
    """(" (z is right, a is not)", whether some part has the wrong kind), never values."""
    if not ex.parts or not isinstance(got, (list, tuple)) or len(got) != len(ex.parts):
        return "", False
    verdicts, kinds_wrong = [], False
    for name, g, w in zip(ex.parts, got, want):
        problem = None if _same(ex, w, g) else _kind_problem(w, g, name)
        kinds_wrong = kinds_wrong or problem is not None
        verdicts.append(f"{name} {'is right' if _same(ex, w, g) else problem or 'is not'}")
    return " (" + ("; " if kinds_wrong else ", ").join(verdicts) + ")", kinds_wrong


def _same(ex, want, got):
    try:
        return bool(ex.compare(want, got))
    except Exception:
        return False


def _not_attempted_text(ex, answer=None):
    parts = answer if isinstance(answer, (tuple, list)) else [answer]
    if ex.answer == "function" or any(callable(part) for part in parts):  # code: its stub raises
        return ("Not attempted yet: replace `raise NotImplementedError` with your code, "
                "run that cell, then run this check again.")
    return ("Not attempted yet: replace `...` (or None) with your answer, run that cell, "
            "then run this check again.")


def check(exercise_id, answer, *, show=True):
    """Grade `answer` for exercise `exercise_id`, show the verdict, return a `Result`.

    >>> result = check("01.2", neuron)     # doctest: +SKIP
    >>> result.passed, result.score, result.max_score
    """
    return _check(get_exercise(exercise_id), exercise_id, answer, show)


def _check(ex, exercise_id, answer, show=True):
    """check() for an Exercise already found (None: unknown), e.g. one with hidden cases."""
    try:
        if ex is None:
            result = _unknown(exercise_id)
        else:
            try:
                verdict, feedback = _grade(ex, answer)
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:
                verdict, feedback = INTERNAL, (
                    f"The grader itself failed ({type(exc).__name__}: {exc}). This is a bug "
                    f"in annlib.grading, not in your answer: please report it.")
            # after a failed attempt the first hint comes with the verdict
            shown = ex.hints[:1] if verdict in (WRONG, ERROR, TIMEOUT, FLOOD) else []
            result = Result(ex.id, verdict, ex.points if verdict == PASSED else 0,
                            ex.points, feedback, ex.title, shown)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # never let a grader bug surface as a traceback
        result = Result(str(exercise_id), INTERNAL, 0, 0,
                        f"The grader itself failed ({type(exc).__name__}: {exc}). This is "
                        f"a bug in annlib.grading, not in your answer: please report it.")
    if show:
        _publish(result)
        result._echo_key = _cell_key()
    return result


def _unknown(exercise_id):
    known = [ex.id for ex in registry()]
    prefix = str(exercise_id).partition(".")[0]
    same = [k for k in known if k.startswith(prefix.zfill(2) + ".")] if prefix.isdigit() else []
    text = (f"There is no exercise {exercise_id!r}. Exercise ids look like '01.2' "
            f"(chapter.number)" + (f"; chapter {prefix.zfill(2)} has {', '.join(same)}." if same
                                   else "."))
    if BANK_ERRORS:
        text += " (Some exercises failed to load: " + "; ".join(
            f"{b}: {e}" for b, e in sorted(BANK_ERRORS.items())) + ")"
    return Result(str(exercise_id), UNKNOWN, 0, 0, text)


_hints_shown = {}


def hint(exercise_id, level=None):
    """Show hints for an exercise: the next one on each call, or hints 1..`level`."""
    ex = get_exercise(exercise_id)
    if ex is None:
        _publish(_unknown(exercise_id))
        return
    if level is None:
        level = _hints_shown.get(ex.id, 0) + 1
    level = max(1, min(int(level), len(ex.hints)))
    _hints_shown[ex.id] = level
    lines = [f"Hint {i} of {len(ex.hints)} for {ex.id} ({ex.title}): {h}"
             for i, h in enumerate(ex.hints[:level], start=1)]
    if level < len(ex.hints):
        lines.append(f"Run hint({ex.id!r}) again for the next hint.")
    text = "\n".join(lines)
    ipython_module = sys.modules.get("IPython")
    shell = ipython_module.get_ipython() if ipython_module else None
    if shell is None:
        print(text)
        return
    from IPython.display import display
    body = "".join(f"<div>{html.escape(line)}</div>" for line in lines)
    display({"text/plain": text,
             "text/html": f"<div style=\"border-left:6px solid #1565c0;padding:4px 10px\">{body}</div>"},
            raw=True)
