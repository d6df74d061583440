"""The nbgrader round trip: export, generate the release, autograde three learners, export grades.

Runs nbgrader itself (an instructor's extra: ``pip install -e ".[instructor]"``), so it
is skipped only where nbgrader is not installed; CI installs it. Chapter 00 only (about
20 s): a solved submission, the untouched release and one with mistakes, whose
per-exercise points must equal the course's own class-mode grader's.
"""

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from annlib.grading import classmode, core, export

pytest.importorskip("nbgrader", reason="nbgrader is an instructor's extra: pip install -e '.[instructor]'")

ROOT = Path(__file__).resolve().parents[1]
CHAPTER_00 = [(info.id, info.points) for info in core.exercises(0)]
TOTAL = float(sum(points for _, points in CHAPTER_00))
MISTAKEN = {"00.1", "00.2"}   # the exercises MISTAKES below gets wrong
MISTAKES = {
    "f_of_2 = 25": "f_of_2 = 9",
    "def compose": ("def compose(layers):\n    def network(x):\n"
                    "        for layer in reversed(layers):\n            x = layer(x)\n"
                    "        return x\n    return network"),
}


def _nbgrader(course, *args):
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent),
                                                 os.environ.get("PATH", "")]))
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def _submission(release, source, mistakes=None):
    """The release with its solution cells filled in from the source (then edited)."""
    nb = nbformat.read(release, as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source
               for c in nbformat.read(source, as_version=4).cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
            for marker, replacement in (mistakes or {}).items():
                if marker in cell.source:
                    cell.source = replacement
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("nbgrader")
    assert export.main(["nbgrader", str(course), "--solutions", str(ROOT / "solutions"),
                        "00_introduction"]) == 0
    _nbgrader(course, "generate_assignment", "ch00", "--force")
    name = "00_introduction.ipynb"
    release, source = course / "release" / "ch00" / name, course / "source" / "ch00" / name
    learners = {"solved": _submission(release, source),
                "untouched": nbformat.read(release, as_version=4),
                "mistaken": _submission(release, source, MISTAKES)}
    for learner, nb in learners.items():
        folder = course / "submitted" / learner / "ch00"
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / name)
    _nbgrader(course, "autograde", "ch00", "--force")
    _nbgrader(course, "export")
    return course


def test_the_release_holds_no_solution_code_and_no_hidden_tests(course):
    release = (course / "release" / "ch00" / "00_introduction.ipynb").read_text()
    source = json.loads((course / "source" / "ch00" / "00_introduction.ipynb").read_text())
    solved = [line for cell in source["cells"] if cell["metadata"].get("nbgrader", {})
              .get("solution") for line in "".join(cell["source"]).splitlines()
              if "BEGIN" not in line and "END" not in line and "STUB" not in line
              and line.strip() and not line.lstrip().startswith(("def ", '"""'))]
    assert solved, "the source notebook should hold solutions"
    assert not [line for line in solved if line.strip() in release]
    assert "BEGIN SOLUTION" not in release and "HIDDEN" not in release
    assert "check_with_hidden_cases" not in release


def test_test_cells_are_locked_and_worth_the_exercise_s_points(course):
    nb = nbformat.read(course / "source" / "ch00" / "00_introduction.ipynb", as_version=4)
    tests = [c.metadata["nbgrader"] for c in nb.cells
             if c.metadata.get("nbgrader", {}).get("grade")]
    assert [(t["grade_id"], t["points"], t["locked"]) for t in tests] == [
        (f"test_{ex.replace('.', '_')}", points, True) for ex, points in CHAPTER_00]
    assert len(tests) >= 4


def test_autograde_gives_full_marks_to_solved_and_0_to_untouched(course):
    with open(course / "grades.csv", newline="") as file:
        scores = {row["student_id"]: (float(row["score"]), float(row["max_score"]))
                  for row in csv.DictReader(file)}
    assert scores["solved"] == (TOTAL, TOTAL)
    assert scores["untouched"] == (0.0, TOTAL)


def test_autograde_gives_the_course_grader_s_points_to_each_exercise(course):
    from nbgrader.api import Gradebook

    mistaken = course / "submitted" / "mistaken" / "ch00" / "00_introduction.ipynb"
    ours = {row["exercise"]: row["score"] for row in classmode.grade([str(mistaken)])["exercises"]}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        theirs = {ex: gradebook.find_grade(f"test_{ex.replace('.', '_')}", "00_introduction",
                                           "ch00", "mistaken").score for ex in ours}
    assert ours == {ex: 0 if ex in MISTAKEN else points for ex, points in CHAPTER_00}
    assert theirs == ours
