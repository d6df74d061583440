"""python -m annlib.grading: grade notebooks in fresh kernels, print a score table.

Runs on temporary copies of small notebooks edited as a learner would (a wrong
answer, an error, a syntax error), then on notebooks that go wrong as a whole (an
endless loop, a dying kernel, a truncated file, a sibling deleted mid-run) and on
a submission that checks an exercise twice. Each run takes a few seconds.
"""

import hashlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from annlib.grading import __main__ as cli
from annlib.grading import exercises

ROOT = Path(__file__).resolve().parents[1]


def _ids(*chapters):
    return [info.id for chapter in chapters for info in exercises(chapter)]


def _points(*chapters):
    return sum(info.points for chapter in chapters for info in exercises(chapter))


def _insert_after(path, marker, source):
    """Add a code cell after the first cell that contains `marker`."""
    nb = nbformat.read(path, as_version=4)
    index = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and marker in c.source)
    nb.cells.insert(index + 1, nbformat.v4.new_code_cell(source))
    nbformat.write(nb, path)


def _edit(path, replacements):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        for marker, source in replacements.items():
            if cell.cell_type == "code" and marker in cell.source:
                cell.source = source
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("learner")
    shutil.copy(ROOT / "exercises" / "00_introduction.ipynb", folder)
    shutil.copy(ROOT / "solutions" / "01_neurons.ipynb", folder)
    _edit(folder / "00_introduction.ipynb", {
        "f_of_2 = ...": "f_of_2 = 9",                                       # outside in
        "def compose": "def compose(layers):\n    return undefined_name",   # NameError
        "supervised = ...": "supervised = {'a', 'c'",                       # SyntaxError
    })
    return folder


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


@pytest.fixture(scope="module")
def report(folder):
    before = _digest(folder)
    result = cli.grade([str(folder)])
    assert _digest(folder) == before, "grading must never write the learner's notebooks"
    return result


def test_every_exercise_of_both_notebooks_gets_a_row(report):
    ids = [row["exercise"] for row in report["exercises"]]
    assert ids == _ids(0, 1)
    assert [n["problem"] for n in report["notebooks"]] == [None, None]


def test_rows_carry_the_verdicts_of_the_checks(report):
    rows = {row["exercise"]: row for row in report["exercises"]}
    assert rows["00.1"]["verdict"] == "wrong"
    assert rows["00.1"]["feedback"].startswith("You applied f3 first.")
    assert rows["00.2"]["verdict"] == "error" and "NameError" in rows["00.2"]["feedback"]
    assert rows["00.3"]["verdict"] == "missing"
    assert "check cell raised NameError" in rows["00.3"]["feedback"]
    assert all(rows[i]["verdict"] == "passed" for i in _ids(1))
    assert all(rows[i]["verdict"] == "not attempted" for i in _ids(0)[3:])


def test_totals_add_up(report):
    rows = report["exercises"]
    assert report["score"] == sum(r["score"] for r in rows) == _points(1)
    assert report["max_score"] == sum(r["max_score"] for r in rows) == _points(0, 1)
    assert (report["passed"], report["count"]) == (len(_ids(1)), len(_ids(0, 1)))


def test_table_has_one_line_per_exercise_and_a_total(report):
    text = cli.table(report)
    lines = text.splitlines()
    assert lines[0] == "Graded 2 notebooks, each in a fresh kernel."
    assert any(line.startswith("00.1") and "0/1" in line and "wrong" in line for line in lines)
    assert any(line.startswith("01.2") and "2/2" in line and "passed" in line for line in lines)
    assert lines[-1].split() == ["total", f"{_points(1)}/{_points(0, 1)}", str(len(_ids(1))),
                                 "of", str(len(_ids(0, 1))), "exercises", "passed"]
    assert max(len(line) for line in lines) <= 100


def test_command_line_prints_json_and_exits_0(folder):
    notebook = folder / "01_neurons.ipynb"
    done = subprocess.run([sys.executable, "-m", "annlib.grading", str(notebook), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["score"] == report["max_score"] == _points(1)
    assert {row["notebook"] for row in report["exercises"]} == {str(notebook)}


def test_a_removed_check_cell_is_reported_missing(tmp_path):
    target = tmp_path / "01_neurons.ipynb"
    nb = nbformat.read(ROOT / "solutions" / "01_neurons.ipynb", as_version=4)
    nb.cells = [c for c in nb.cells if 'check("01.5"' not in c.source]
    nbformat.write(nb, target)
    rows = {row["exercise"]: row for row in cli.collect(target, nb.cells, None)}
    assert rows["01.5"]["verdict"] == "missing" and rows["01.5"]["score"] == 0
    assert 'no cell calls check("01.5", ...)' in rows["01.5"]["feedback"]


@pytest.mark.parametrize("make_path, message", [
    (lambda tmp: tmp / "nowhere", "does not exist"),
    (lambda tmp: tmp, "no notebooks"),
    (lambda tmp: (tmp / "notes.txt").write_text("x") and tmp / "notes.txt", "not a notebook"),
])
def test_nothing_to_grade_exits_2_with_a_message(tmp_path, capsys, make_path, message):
    assert cli.main([str(make_path(tmp_path))]) == 2
    assert message in capsys.readouterr().err


# --- notebooks that go wrong as a whole ---------------------------------------------------

@pytest.fixture(scope="module")
def accidents(tmp_path_factory):
    """A folder where every notebook but one has an accident; graded by the command line.

    00 passes 00.1, deletes 01 from the folder, then loops forever at the top level;
    01 is solved (read before 00 ran, so still graded); 02 is truncated JSON;
    03 kills its own kernel with os._exit(0) after its first check. The time limit per
    cell is 2.5 s (not a whole number: nbclient alone would refuse it).
    """
    folder = tmp_path_factory.mktemp("accidents")
    for name in ("00_introduction", "01_neurons", "03_layers_and_architectures"):
        shutil.copy(ROOT / "solutions" / f"{name}.ipynb", folder)
    _insert_after(folder / "00_introduction.ipynb", 'check("00.1"', "while True:\n    pass")
    _insert_after(folder / "00_introduction.ipynb", 'check("00.1"',
                  'import os\nos.remove("01_neurons.ipynb")')
    _insert_after(folder / "03_layers_and_architectures.ipynb", 'check("03.1"',
                  "import os\nos._exit(0)")
    text = (ROOT / "solutions" / "02_activation_functions.ipynb").read_text()
    (folder / "02_activation_functions.ipynb").write_text(text[: len(text) // 2])
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "annlib.grading", str(folder), "--json",
                           "--timeout", "2.5"], capture_output=True, text=True, timeout=180)
    seconds = time.monotonic() - start
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    return folder, report, seconds


def _rows(report):
    return {row["exercise"]: row for row in report["exercises"]}


def _status(report, name):
    return next(n for n in report["notebooks"] if n["path"].endswith(name))


def test_a_top_level_endless_loop_is_stopped_at_the_cell_time_limit(accidents):
    folder, report, seconds = accidents
    assert seconds < 90  # four notebooks, one of them stopped after 2.5 s, not hours
    notebook = _status(report, "00_introduction.ipynb")
    assert notebook["status"] == "timeout"
    assert "`while True:` ran longer than 2.5 s" in notebook["problem"]
    rows = _rows(report)
    assert rows["00.1"]["verdict"] == "passed" and rows["00.1"]["score"] == 1
    # the file (a solved notebook) has saved "passed" verdicts below the loop: they never count
    for exercise_id in ("00.2", "00.3"):
        assert rows[exercise_id]["verdict"] == "timeout" and rows[exercise_id]["score"] == 0
        assert "ran longer than 2.5 s" in rows[exercise_id]["feedback"]


def test_a_kernel_killed_by_the_notebook_is_reported_as_dead(accidents):
    folder, report, seconds = accidents
    notebook = _status(report, "03_layers_and_architectures.ipynb")
    assert notebook["status"] == "kernel died"
    assert "while running the cell `import os`:" in notebook["problem"]
    rows = _rows(report)
    assert rows["03.1"]["verdict"] == "passed"
    assert rows["03.2"]["verdict"] == rows["03.3"]["verdict"] == "kernel died"
    assert rows["03.2"]["score"] == rows["03.3"]["score"] == 0


def test_a_truncated_notebook_scores_0_with_the_reason_and_the_rest_is_graded(accidents):
    folder, report, seconds = accidents
    notebook = _status(report, "02_activation_functions.ipynb")
    assert notebook["status"] == "unreadable"
    assert "not a readable notebook" in notebook["problem"]
    chapter_2 = [row for row in report["exercises"] if row["exercise"].startswith("02.")]
    assert [row["exercise"] for row in chapter_2] == _ids(2)
    assert all(row["verdict"] == "unreadable" and row["score"] == 0 and
               row["max_score"] > 0 and "not a readable notebook" in row["feedback"]
               for row in chapter_2)


def test_a_notebook_deleted_by_another_one_is_graded_from_what_was_read_first(accidents):
    folder, report, seconds = accidents
    assert not (folder / "01_neurons.ipynb").exists()  # 00's code really deleted it
    assert _status(report, "01_neurons.ipynb")["status"] == "ran"
    rows = _rows(report)
    assert all(rows[i]["verdict"] == "passed" for i in _ids(1))
    assert report["score"] == 1 + _points(1) + 2  # 00.1, all of 01, 03.1


def test_a_notebook_that_cannot_be_read_is_a_problem_not_a_crash(tmp_path):
    nb, problem = cli.read_notebook(tmp_path / "gone.ipynb")
    assert nb is None and "no longer exists" in problem
    (tmp_path / "empty.ipynb").write_text("")
    nb, problem = cli.read_notebook(tmp_path / "empty.ipynb")
    assert nb is None and "not a readable notebook" in problem


def test_timeout_must_be_a_positive_number_of_seconds(capsys):
    with pytest.raises(SystemExit):
        cli.main(["exercises", "--timeout", "0"])
    assert "--timeout expects a number of seconds above 0, got 0" in capsys.readouterr().err


# --- each exercise counts once -------------------------------------------------------------

FORGED = ('from IPython.display import display\n'
          'display({"application/vnd.annlib.verdict+json": {"exercise": "02.1", "title": "",'
          ' "verdict": "wrong", "score": 50, "max_score": 50, "feedback": "forged"}}, raw=True)')


@pytest.fixture(scope="module")
def rechecked(tmp_path_factory):
    """01 solved; 02 unsolved, re-checking 01.2 (passes) and 01.3 (fails), and at its end
    showing a forged verdict that claims 50 points for 02.1."""
    folder = tmp_path_factory.mktemp("rechecked")
    shutil.copy(ROOT / "solutions" / "01_neurons.ipynb", folder)
    shutil.copy(ROOT / "exercises" / "02_activation_functions.ipynb", folder)
    _insert_after(folder / "02_activation_functions.ipynb", "from annlib.grading import check",
                  "def neuron(x, w, b):\n    return sum(a * c for a, c in zip(x, w)) + b\n\n"
                  'check("01.2", neuron)\ncheck("01.3", (1, 1, -0.5))')
    _insert_after(folder / "02_activation_functions.ipynb", 'check("02.4"', FORGED)
    return cli.grade([str(folder)])


def test_an_exercise_rechecked_in_another_notebook_counts_once(rechecked):
    ids = [row["exercise"] for row in rechecked["exercises"]]
    assert ids == _ids(1, 2)
    assert (rechecked["score"], rechecked["max_score"]) == (_points(1), _points(1, 2))
    assert (rechecked["passed"], rechecked["count"]) == (len(_ids(1)), len(_ids(1, 2)))


def test_the_verdict_of_the_exercise_s_own_chapter_notebook_counts(rechecked):
    rows = _rows(rechecked)
    assert rows["01.3"]["verdict"] == "passed"  # the failed re-check in 02 takes nothing away
    assert rows["01.3"]["notebook"].endswith("01_neurons.ipynb")
    assert any(note.startswith("01.2 was also checked in") and "02_activation" in note
               and "not counted, it counts in its own chapter's notebook" in note
               for note in rechecked["notes"])
    assert any(note.startswith("01.3 was also checked in") and "(wrong)" in note
               for note in rechecked["notes"])
    assert "note: 01.2 was also checked in" in cli.table(rechecked)


def test_a_notebook_cannot_claim_more_points_than_the_exercise_has(rechecked):
    row = _rows(rechecked)["02.1"]
    assert row["feedback"] == "forged" and (row["score"], row["max_score"]) == (0, 2)


def _row(exercise_id, notebook, verdict):
    row = {"exercise": exercise_id, "title": "", "verdict": verdict, "feedback": "",
           "notebook": notebook}
    cli._registered_points(row)
    return row


def test_without_its_own_chapter_notebook_the_best_check_elsewhere_counts():
    rows, notes = cli.count_once([_row("01.2", "02_a.ipynb", "wrong"),
                                  _row("01.2", "05_b.ipynb", "passed"),
                                  _row("01.2", "06_c.ipynb", "passed")])
    assert [(r["notebook"], r["score"], r["max_score"]) for r in rows] == [("05_b.ipynb", 2, 2)]
    assert len(notes) == 2 and all("the best verdict counts" in n for n in notes)


def test_the_own_chapter_verdict_counts_even_when_a_check_elsewhere_is_better():
    rows, notes = cli.count_once([_row("01.2", "01_neurons.ipynb", "wrong"),
                                  _row("01.2", "02_more.ipynb", "passed")])
    assert [(r["notebook"], r["score"]) for r in rows] == [("01_neurons.ipynb", 0)]


def test_a_grader_failure_on_one_notebook_does_not_end_the_run(tmp_path, monkeypatch):
    for name in ("00_introduction", "01_neurons"):
        shutil.copy(ROOT / "exercises" / f"{name}.ipynb", tmp_path)

    def run_notebook(path, timeout=120, nb=None):
        if Path(path).name.startswith("00"):
            raise ValueError("an nbclient surprise")
        return [], "ran", None

    monkeypatch.setattr(cli, "run_notebook", run_notebook)
    report = cli.grade([str(tmp_path)])
    assert [n["status"] for n in report["notebooks"]] == ["not graded", "ran"]
    rows = _rows(report)
    assert rows["00.1"]["verdict"] == "not graded" and rows["00.1"]["score"] == 0
    assert "ValueError: an nbclient surprise" in rows["00.1"]["feedback"]
    assert rows["01.1"]["verdict"] == "missing"
