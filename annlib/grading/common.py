"""Helpers that the checks of several chapters share: answer forms and comparisons."""

import math

from .core import BadAnswer, close

def _is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _matches(outcome, want, compare=close()):
    """True when one learner Outcome equals the expected value."""
    return outcome.ok and compare(want, outcome.value)


def _close_dict(rel=1e-6, abs=1e-9):
    """A comparison for dicts of numbers (same keys, values within the tolerances)."""
    numbers = close(rel, abs)

    def compare(expected, got):
        if not isinstance(expected, dict) or not isinstance(got, dict):
            return False
        return set(expected) == set(got) and all(numbers(expected[k], got[k]) for k in expected)
    return compare


def _dict_of_numbers(answer, keys, what):
    """Validate a dict answer: a stub (a value is ...) is not attempted, a bad form BadAnswer."""
    if not isinstance(answer, dict):
        raise BadAnswer(f"Expected a dict {what}, got {type(answer).__name__}: {answer!r:.80}.")
    if any(v is Ellipsis for v in answer.values()):
        raise NotImplementedError  # the stub: not attempted yet
    missing = [k for k in keys if k not in answer]
    extra = [k for k in answer if k not in keys]
    if missing or extra:
        raise BadAnswer(f"Expected exactly the keys {', '.join(map(repr, keys))}; "
                        + (f"missing {', '.join(map(repr, missing))}" if missing else "")
                        + ("; " if missing and extra else "")
                        + (f"unexpected {', '.join(map(repr, extra))}" if extra else "") + ".")
    result = {}
    for k in keys:
        v = answer[k]
        if hasattr(v, "item") and callable(v.item):  # a numpy scalar
            v = v.item()
        if not _is_number(v):
            raise BadAnswer(f"Expected a number for {k!r}, got {type(v).__name__}: {v!r:.40}.")
        result[k] = float(v)
    return result


def _close(want, got):
    if isinstance(want, (list, tuple)):
        return (isinstance(got, (list, tuple)) and len(got) == len(want)
                and all(map(_close, want, got)))
    return isinstance(got, (int, float)) and math.isclose(want, got, rel_tol=1e-6, abs_tol=1e-9)


_NO_AUTOGRAD = "work out the derivatives with the chain rule, as formulas in plain floats"


def _f(x):
    """A number as feedback shows it: 2.0, -0.25, 1e-05."""
    text = f"{x:.6g}"
    return text if any(c in text for c in ".e") or not math.isfinite(x) else text + ".0"


def _fmt_list(values):
    return "[" + ", ".join(_f(v) for v in values) + "]"


def _any_outcome_contains(text):
    def detect(outcomes, expected):
        return any(o.ok and isinstance(o.value, str) and text in o.value for o in outcomes)
    return detect
