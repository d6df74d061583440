"""A student release: the course as a class receives it, without the answer key.

``python -m annlib.grading.export release DEST`` writes DEST with what a learner works
in (``chapters/``, ``exercises/``, ``course.py``, the project files and a copy of
``annlib``) and nothing that answers an exercise:

* no ``solutions/``, no ``tests/``;
* each ``annlib/grading/chapter_NN.py`` is rewritten (`strip_checks`): every reference
  answer and every catalogued wrong answer raises `Withheld` instead of computing
  anything, the random-case generators (from which class mode draws its hidden cases)
  and the solutions are gone, and helpers that only those used are dropped;
* next to it, ``chapter_NN.json`` (`publish_chapter`) holds what the formative check
  needs instead: the public cases, what the reference gives on them, and what each
  catalogued wrong answer gives on them, so ``check()`` still names the same mistakes
  with the same feedback. Where the answer is a single value (00.1, 04.1, ...), the
  correct value is sealed (`annlib.grading.core.Sealed`): the check can tell whether an
  answer matches it, not what it is.

What stays is the code a check needs to run and judge an answer (``prepare``,
comparisons, ``detect`` functions and the helpers they call). The tests check, for every
exercise, that no line of its reference is in the release, that no helper left in it
reproduces the reference on the public cases, and that the release's check gives the
same verdict and feedback as the full one for the solution and every catalogued mistake.
"""

import ast
import json
import shutil
from pathlib import Path

from . import core
from .sandbox import encode

# what a learner receives, besides annlib (folders and files of the course)
COURSE_FOLDERS = ("chapters", "exercises", ".jupyter")
COURSE_FILES = ("course.py", "course", "pyproject.toml", "environment.yml", "LICENSE")

_WITHHELD_ARGUMENTS = ("random_cases", "solution")


def _is_exercise(decorator):
    return (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Name)
            and decorator.func.id == "exercise")


def _is_mistake(decorator):
    return (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr == "mistake")


def _withheld(what):
    return ast.parse(f"raise Withheld({what!r})").body


class _Strip(ast.NodeTransformer):
    """References and catalogued wrong answers raise Withheld; generators and solutions go.

    A catalogued wrong answer that a ``detect`` function of the module calls (to tell the
    mistake on the cases where it shows) is kept: recognising it needs it.
    """

    def __init__(self, tree):
        self.called = set()
        for node in tree.body:
            used = _used_names(node) - _defined_names(node)
            for decorator in getattr(node, "decorator_list", []):  # its own detect=...
                used |= _used_names(decorator)
            self.called |= used

    def visit_FunctionDef(self, node):
        self.generic_visit(node)
        for decorator in node.decorator_list:
            if _is_exercise(decorator):
                exercise_id = decorator.args[0].value
                node.body = _withheld(f"the reference answer of {exercise_id}")
            elif _is_mistake(decorator) and (node.name == "_" or node.name not in self.called):
                node.body = _withheld(f"a catalogued wrong answer ({decorator.args[0].value})")
        return node

    def visit_Call(self, node):
        self.generic_visit(node)
        if _is_exercise(node):
            node.keywords = [k for k in node.keywords if k.arg not in _WITHHELD_ARGUMENTS]
        if isinstance(node.func, ast.Name) and node.func.id == "Mistake":
            if len(node.args) >= 2:
                node.args[1] = ast.Constant(None)
            node.keywords = [ast.keyword("answer", ast.Constant(None)) if k.arg == "answer"
                             else k for k in node.keywords]
        return node


def _defined_names(node):
    if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, ast.Assign):
        return {t.id for t in node.targets if isinstance(t, ast.Name)}
    return set()


def _used_names(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _shake(tree):
    """Drop top-level helpers nothing else uses (what only references and mistakes used)."""
    while True:
        removable = []
        for node in tree.body:
            names = _defined_names(node)
            if (not names or getattr(node, "decorator_list", None)
                    or any(name.startswith("__") for name in names)):
                continue
            elsewhere = set().union(*(_used_names(other) for other in tree.body
                                      if other is not node))
            if not names & elsewhere:
                removable.append(node)
        if not removable:
            return tree
        tree.body = [node for node in tree.body if node not in removable]


def strip_checks(source, name):
    """The release's text of a checks module (see the module doc)."""
    tree = ast.parse(source)
    tree = _Strip(tree).visit(tree)
    _shake(tree)
    docstring = ast.get_docstring(tree) or ""
    if docstring:
        tree.body = tree.body[1:]
    imports = [node for node in tree.body if isinstance(node, ast.ImportFrom)
               and node.module == "core" and node.level == 1]
    if imports:
        imports[0].names.append(ast.alias("Withheld"))
    else:
        tree.body.insert(0, ast.parse("from .core import Withheld").body[0])
    header = (f'"""{docstring.splitlines()[0] if docstring else name}\n\n'
              f"The student release of {name}.py, written by python -m annlib.grading.export "
              f"release:\nreference answers, catalogued wrong answers and hidden cases are "
              f"withheld; the public\ncases and what the check compares with are in "
              f'{name}.json.\n"""\n')
    return header + ast.unparse(tree) + "\n"


def _json(value):
    """Data for chapter_NN.json: plain data (``sandbox.encode``), with numpy arrays (in
    cases) kept as arrays and sealed values (in expected results) kept sealed."""
    if isinstance(value, core.Sealed):
        return {"sealed": [value.kind, value.digests, value.step, value.salt]}
    if hasattr(value, "dtype") and hasattr(value, "shape") and hasattr(value, "tolist"):
        return {"ndarray": encode(core.plain(value)), "dtype": str(value.dtype),
                "shape": list(value.shape)}
    if type(value) in (list, tuple):
        items = [_json(v) for v in value]
        return items if type(value) is list else {"tuple": items}
    if type(value) is dict:
        return {"dict": [[_json(k), _json(v)] for k, v in value.items()]}
    return encode(value)


def _outcome(outcome):
    return {"ok": outcome.ok, "value": encode(outcome.value),
            "error": list(outcome.error) if outcome.error else None,
            "low": outcome.low_precision}


def publish_exercise(ex, salt):
    """What the release's check needs for one exercise (public cases only)."""
    expected = ex.expected()
    if ex.single_value:
        expected = [core.Sealed.seal(expected[0], f"{salt}:{ex.id}")]
    return {"cases": [_json(case) for case in ex.cases],
            "expected": [_json(value) for value in expected],
            "mistakes": {m.name: [_outcome(o) for o in ex.outcomes_of_mistake(m)]
                         for m in ex.mistakes if m.feedback is not None and (
                             m.detect is None or _wants_wrong(m.detect))}}


def _wants_wrong(detect):
    """True for a detect(outcomes, expected, cases, wrong): it needs the mistake's outcomes."""
    import inspect
    return len(inspect.signature(detect).parameters) >= 4


def publish_chapter(chapter, salt):
    """chapter_NN.json's content for one chapter."""
    exercises = [ex for ex in core.registry() if ex.chapter == chapter]
    return {"format": 1, "exercises": {ex.id: publish_exercise(ex, salt) for ex in exercises}}


def write_release(dest, root=None, salt=None):
    """Write the student release into `dest` (which must not exist yet); return its path."""
    import secrets
    if core.RELEASE:
        raise ValueError("this annlib is itself a student release: write a release from the "
                         "course's own folder")
    root = Path(root) if root is not None else Path(core.__file__).resolve().parents[2]
    dest = Path(dest)
    if dest.exists():
        raise ValueError(f"{dest} exists already: give a new folder for the release")
    missing = [name for name in ("exercises", "chapters") if not (root / name).is_dir()]
    if missing:
        raise ValueError(f"{root} is not the course's folder (no {', '.join(missing)}/)")
    salt = salt or secrets.token_hex(8)
    dest.mkdir(parents=True)
    for folder in COURSE_FOLDERS:
        if (root / folder).is_dir():
            shutil.copytree(root / folder, dest / folder,
                            ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    for name in COURSE_FILES:
        if (root / name).is_file():
            shutil.copy2(root / name, dest / name)
    from .classmode import copy_library
    grading = copy_library(dest) / "grading"
    chapters = sorted({ex.chapter for ex in core.registry()})
    for chapter in chapters:
        name = f"chapter_{chapter:02d}"
        source = (Path(core.__file__).parent / f"{name}.py").read_text(encoding="utf-8")
        (grading / f"{name}.py").write_text(strip_checks(source, name), encoding="utf-8")
        (grading / f"{name}.json").write_text(
            json.dumps(publish_chapter(chapter, salt), separators=(",", ":")), encoding="utf-8")
    (dest / "README.md").write_text(README.format(count=len(core.registry()),
                                                  chapters=len(chapters)), encoding="utf-8")
    return dest


README = """# Understanding Artificial Neural Networks: your copy

Start: `python course.py lab` (on Windows `py course.py lab`). The first run sets up a
Python environment in `.venv/` (a few minutes, once), then JupyterLab opens at chapter 00.

Read a chapter in `chapters/`, then do its exercises in `exercises/`: each exercise has a
cell for your answer and a check cell, `check("01.2", neuron)`, which tells you at once
whether your answer is right and, when it is not, what the mistake is. `hint("01.2")`
shows the next hint. There are {count} graded exercises in {chapters} chapters.

The check you run while working uses the public test cases. Your instructor grades the
notebooks you hand in with the course's graded run, which runs your answers on hidden
cases too, and computes every score itself: only your answers count.
"""
