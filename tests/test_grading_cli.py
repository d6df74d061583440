"""python -m annlib.grading: grade notebooks in fresh kernels, print a score table.

Runs on temporary copies of two small notebooks (one of them edited as a learner
would: a wrong answer, an error, a syntax error), so it takes a few seconds.
"""

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from annlib.grading import __main__ as cli

ROOT = Path(__file__).resolve().parents[1]


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
    assert ids == ["00.1", "00.2", "00.3", "01.1", "01.2", "01.3", "01.4", "01.5"]
    assert [n["problem"] for n in report["notebooks"]] == [None, None]


def test_rows_carry_the_verdicts_of_the_checks(report):
    rows = {row["exercise"]: row for row in report["exercises"]}
    assert rows["00.1"]["verdict"] == "wrong"
    assert rows["00.1"]["feedback"].startswith("You applied f3 first.")
    assert rows["00.2"]["verdict"] == "error" and "NameError" in rows["00.2"]["feedback"]
    assert rows["00.3"]["verdict"] == "missing"
    assert "check cell raised NameError" in rows["00.3"]["feedback"]
    assert all(rows[i]["verdict"] == "passed" for i in ("01.1", "01.2", "01.3", "01.4", "01.5"))


def test_totals_add_up(report):
    rows = report["exercises"]
    assert report["score"] == sum(r["score"] for r in rows) == 7
    assert report["max_score"] == sum(r["max_score"] for r in rows) == 11
    assert (report["passed"], report["count"]) == (5, 8)


def test_table_has_one_line_per_exercise_and_a_total(report):
    text = cli.table(report)
    lines = text.splitlines()
    assert lines[0] == "Graded 2 notebooks, each in a fresh kernel."
    assert any(line.startswith("00.1") and "0/1" in line and "wrong" in line for line in lines)
    assert any(line.startswith("01.2") and "2/2" in line and "passed" in line for line in lines)
    assert lines[-1].split() == ["total", "7/11", "5", "of", "8", "exercises", "passed"]
    assert max(len(line) for line in lines) <= 100


def test_command_line_prints_json_and_exits_0(folder):
    notebook = folder / "01_neurons.ipynb"
    done = subprocess.run([sys.executable, "-m", "annlib.grading", str(notebook), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["score"] == report["max_score"] == 7
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
