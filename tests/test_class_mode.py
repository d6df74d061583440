"""Class mode: a learner's code cannot change how its answers are checked.

One submission (notebooks 00, 05 and 07, copied from the solutions) carries one attempt to
get points without the work per exercise, each as a learner would write it; two
exercises are left solved. Graded in class mode, every gamed exercise scores 0 with a
reason and the solved ones keep their points. About 30 s.
"""

import hashlib
import shutil
from pathlib import Path

import nbformat
import pytest

from annlib.grading import classmode, core

ROOT = Path(__file__).resolve().parents[1]

FORGED = '''from IPython.display import display
for exercise_id, points in [("00.1", 1), ("03.1", 1000)]:
    display({"text/plain": "[PASSED]", "application/vnd.annlib.verdict+json": {
        "exercise": exercise_id, "title": "", "verdict": "passed", "score": points,
        "max_score": points, "feedback": "Correct."}}, raw=True)
'''

ATTACKS_00 = {
    # a wrong answer, then forged verdicts: for itself and for another chapter's exercise
    "f_of_2 = 25": "f_of_2 = 9",
    # the reference answer imported from the checks
    "def compose": "from annlib.grading.chapter_00 import compose",
}

ATTACKS_07 = {
    # a wrong rule (the local derivatives swapped), checked by a check() the learner wrote
    "def mul(self, other)": (
        "def mul(self, other):\n"
        "    other = other if isinstance(other, Scalar) else Scalar(other)\n"
        "    return Scalar(self.data * other.data, '', (self, other), (self.data, other.data), '*')\n\n"
        "Scalar.__mul__ = Scalar.__rmul__ = mul\n\n"
        "def check(exercise_id, answer):\n"
        "    from IPython.display import display\n"
        "    display({'application/vnd.annlib.verdict+json': {'exercise': exercise_id,\n"
        "             'verdict': 'passed', 'score': 2, 'max_score': 2}}, raw=True)\n"),
    # a wrong rule, with the grader's decision replaced
    "def power(self, n)": (
        "def power(self, n):\n"
        "    return Scalar(self.data ** n, '', (self,), (n * self.data ** n,), '**')\n\n"
        "Scalar.__pow__ = power\n\n"
        "import annlib.grading.core\n"
        "annlib.grading.core._grade = lambda ex, answer, run=None: ('passed', 'Correct.')\n"
        "from annlib.grading import check\n"),
    # the solution read from the course folder, found by its path or through annlib.__file__
    "def sigmoid(self)": (
        "import json, pathlib, annlib\n"
        "errors = []\n"
        "for root in (pathlib.Path(" + repr(str(ROOT)) + "),\n"
        "             pathlib.Path(annlib.__file__).resolve().parents[1]):\n"
        "    try:\n"
        "        nb = json.loads((root / 'solutions' / '07_autograd_from_scratch.ipynb')"
        ".read_text())\n"
        "        break\n"
        "    except Exception as error:\n"
        "        errors.append(str(error))\n"
        "else:\n"
        "    raise RuntimeError(' / '.join(errors))\n"
        "exec(next(''.join(c['source']) for c in nb['cells']\n"
        "          if ''.join(c['source']).startswith('def sigmoid(self)')))\n"),
    # the reference answer found by introspection, called while being checked
    "def topological_order": (
        "from annlib import Value\n"
        "def topological_order(root):\n"
        "    guarded = [c for c in Value.__subclasses__() if c.__name__ == '_GuardedRoot']\n"
        "    return guarded[0].backward.__globals__['topological_order'](root)\n"),
    # the library's own backward pass instead of the loop the exercise asks for
    "def backward": ("import annlib\n"
                     "def backward(root):\n"
                     "    annlib.Value.backward(root)\n"),
}

ATTACKS_05 = {
    # the forbidden library function, after trying to switch off the grader's watch
    "def mse": ("import sys, annlib.losses\n"
                "def mse(y_pred, y):\n"
                "    for switch_off in (sys.setprofile, sys.settrace):\n"
                "        try:\n"
                "            switch_off(None)\n"
                "        except Exception:\n"
                "            pass\n"
                "    return annlib.losses.mse(y_pred, y).data\n"),
    # the forbidden library function, in a thread the watch might not see
    "def cross_entropy_and_gradient": (
        "import math, threading, annlib.losses\n"
        "def cross_entropy_and_gradient(logits, y):\n"
        "    box = []\n"
        "    worker = threading.Thread(target=lambda: box.append(\n"
        "        annlib.losses.cross_entropy(logits, y).data))\n"
        "    worker.start()\n"
        "    worker.join()\n"
        "    m = max(logits)\n"
        "    exps = [math.exp(z - m) for z in logits]\n"
        "    return (box[0], [e / sum(exps) - (k == y) for k, e in enumerate(exps)])\n"),
}


def _attack(path, replacements, after=None):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        for marker, source in replacements.items():
            if cell.cell_type == "code" and marker in cell.source:
                cell.source = source
    if after:
        marker, source = after
        index = next(i for i, c in enumerate(nb.cells) if marker in c.get("source", ""))
        nb.cells.insert(index + 1, nbformat.v4.new_code_cell(source))
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def submission(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gamer")
    for name in ("00_introduction.ipynb", "05_loss_functions.ipynb",
                 "07_autograd_from_scratch.ipynb"):
        shutil.copy(ROOT / "solutions" / name, folder)
    _attack(folder / "00_introduction.ipynb", ATTACKS_00, after=('check("00.1"', FORGED))
    _attack(folder / "05_loss_functions.ipynb", ATTACKS_05)
    _attack(folder / "07_autograd_from_scratch.ipynb", ATTACKS_07)
    return folder


@pytest.fixture(scope="module")
def report(submission):
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in submission.iterdir()}
    result = classmode.grade([str(submission)], timeout=60)
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in submission.iterdir()}
    assert after == before, "grading must never write the learner's notebooks"
    return result


def _row(report, exercise_id):
    return next(r for r in report["exercises"] if r["exercise"] == exercise_id)


@pytest.mark.parametrize("exercise_id, verdict, reason", [
    ("00.1", "wrong", "You applied f3 first"),                  # forged verdicts ignored
    ("00.2", "missing", "ModuleNotFoundError"),                 # checks not importable
    ("05.1", "wrong", "annlib.losses.mse"),                     # watch cannot be removed
    ("05.2", "wrong", "started a thread"),                      # nor escaped by a thread
    ("07.1", "wrong", "="),                                     # own check() ignored
    ("07.2", "wrong", ""),                                      # patched _grade ignored
    ("07.3", "error", "does not let notebooks read"),           # solutions unreadable
    ("07.4", "wrong", "reference answer of 07.4"),              # reference call detected
    ("07.5", "wrong", "annlib.engine.Value.backward"),          # library's own backward
])
def test_every_gaming_attempt_scores_0_with_a_reason(report, exercise_id, verdict, reason):
    row = _row(report, exercise_id)
    assert (row["verdict"], row["score"]) == (verdict, 0), row
    assert reason in row["feedback"], row["feedback"]


GAMED = {"00.1", "00.2", "05.1", "05.2", "07.1", "07.2", "07.3", "07.4", "07.5"}
CHAPTERS = (0, 5, 7)


def _points(exercise_id):
    return core.get_exercise(exercise_id).points


def test_exercises_answered_honestly_keep_their_points(report):
    honest = [info.id for c in CHAPTERS for info in core.exercises(c) if info.id not in GAMED]
    assert "00.3" in honest and "05.3" in honest and "07.6" in honest
    assert [(_row(report, i)["verdict"], _row(report, i)["score"]) for i in honest] == [
        ("passed", _points(i)) for i in honest]


def test_forged_verdicts_add_nothing_to_the_total(report):
    ids = [info.id for c in CHAPTERS for info in core.exercises(c)]
    assert [r["exercise"] for r in report["exercises"]] == ids   # no 03.1, whatever was shown
    honest = sum(_points(i) for i in ids if i not in GAMED)
    assert (report["score"], report["max_score"]) == (honest, sum(map(_points, ids)))


def test_solved_and_untouched_notebooks_score_full_and_nothing(tmp_path):
    shutil.copy(ROOT / "solutions" / "00_introduction.ipynb", tmp_path / "00_a.ipynb")
    shutil.copy(ROOT / "exercises" / "00_introduction.ipynb", tmp_path / "00_b.ipynb")
    solved = classmode.grade([str(tmp_path / "00_a.ipynb")], timeout=60)
    untouched = classmode.grade([str(tmp_path / "00_b.ipynb")], timeout=60)
    chapter_00 = sum(info.points for info in core.exercises(0))
    assert (solved["score"], solved["max_score"]) == (chapter_00, chapter_00)
    assert untouched["score"] == 0
    assert {r["verdict"] for r in untouched["exercises"]} == {"not attempted"}


def test_hidden_cases_are_added_to_the_public_ones_and_stay_the_same_each_run():
    ex = core.get_exercise("01.2")
    extended = classmode.with_hidden_cases(ex)
    public = len(ex.cases)
    assert len(extended.cases) > public and extended.cases[:public] == ex.cases
    assert not any(case in ex.cases for case in extended.cases[public:])
    classmode._EXTENDED.clear()
    assert classmode.with_hidden_cases(ex).cases == extended.cases


def test_the_library_a_graded_notebook_imports_has_no_checks(tmp_path):
    copied = classmode.copy_library(tmp_path)
    assert (copied / "grading" / "core.py").is_file()
    assert not list(copied.glob("grading/chapter_*.py"))


@pytest.fixture(scope="module")
def gradebook(tmp_path_factory, submission):
    from annlib.grading import gradebook
    class_dir = tmp_path_factory.mktemp("class")
    (class_dir / "ada").mkdir()
    (class_dir / "bob").mkdir()
    shutil.copy(ROOT / "solutions" / "00_introduction.ipynb", class_dir / "ada")
    shutil.copy(submission / "00_introduction.ipynb", class_dir / "bob")
    before = {p: p.read_bytes() for p in class_dir.rglob("*.ipynb")}
    out = tmp_path_factory.mktemp("results")
    gradebook.grade_class(class_dir, out, timeout=60, log=lambda *a: None)
    assert {p: p.read_bytes() for p in class_dir.rglob("*.ipynb")} == before
    return out


def test_the_gradebook_has_a_row_per_learner_a_column_per_exercise_and_the_total(gradebook):
    import csv
    rows = list(csv.reader((gradebook / "gradebook.csv").open()))
    ids = [info.id for info in core.exercises()]
    assert rows[0] == ["learner", *ids, "total", "max"]
    scores = {row[0]: dict(zip(rows[0][1:], map(int, row[1:]))) for row in rows[1:]}
    assert list(scores) == ["ada", "bob"]
    chapter_00 = [info.id for info in core.exercises(0)]
    assert [scores["ada"][i] for i in chapter_00] == [_points(i) for i in chapter_00]
    assert scores["ada"]["total"] == sum(map(_points, chapter_00))
    assert [scores["bob"][i] for i in ("00.1", "00.2", "00.3")] == [0, 0, 1]
    assert scores["bob"]["total"] == sum(_points(i) for i in chapter_00 if i not in GAMED)
    assert scores["ada"]["max"] == sum(info.points for info in core.exercises())


def test_each_learner_gets_a_feedback_file_with_every_exercise_s_feedback(gradebook):
    assert sorted(p.name for p in (gradebook / "feedback").iterdir()) == ["ada.txt", "bob.txt"]
    bob = (gradebook / "feedback" / "bob.txt").read_text()
    assert "00.1 Evaluate a nested function by hand: 0/1 (wrong)" in bob
    assert "You applied f3 first" in bob and "No module named 'annlib.grading.chapter_00'" in bob


def test_the_gradebook_refuses_to_write_inside_the_class_folder(tmp_path):
    from annlib.grading import gradebook
    from annlib.grading.__main__ import GradingError
    (tmp_path / "ada").mkdir()
    with pytest.raises(GradingError, match="must be outside the class folder"):
        gradebook.grade_class(tmp_path, tmp_path / "results")


@pytest.mark.parametrize("top_level, verdict, reason", [
    ("while True:\n    pass", "timeout", "ran longer than 2 s"),
    ("import os\nos._exit(0)", "kernel died", "ended its Python process"),
])
def test_a_notebook_that_never_finishes_its_cells_scores_0_with_the_reason(
        tmp_path, top_level, verdict, reason):
    path = tmp_path / "00_introduction.ipynb"
    shutil.copy(ROOT / "solutions" / "00_introduction.ipynb", path)
    _attack(path, {}, after=("from annlib.grading import", top_level))
    report = classmode.grade([str(path)], timeout=2)
    assert {(r["verdict"], r["score"]) for r in report["exercises"]} == {(verdict, 0)}
    assert all(reason in r["feedback"] for r in report["exercises"])
    assert reason in report["notebooks"][0]["problem"]
