"""The exercise notebooks of every chapter: solved ones pass every check, unsolved ones
say "not attempted yet", and both hold each exercise's statement, answer cell and check."""

import json
import re
from pathlib import Path

import nbformat
import pytest

from annlib.grading import exercises
from annlib.grading.core import VERDICT_MIME, get_exercise

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = {int(path.name[:2]): path.stem for path in sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))}
CHAPTERS = sorted(int(path.name[:2]) for path in (ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))


def test_every_chapter_has_an_exercise_notebook_and_00_to_09_have_50_exercises():
    assert CHAPTERS == list(range(len(CHAPTERS))) and len(CHAPTERS) >= 12
    assert set(NOTEBOOKS) == set(CHAPTERS)
    assert sum(len(exercises(c)) for c in range(10)) >= 50
    assert len(exercises(10)) >= 5 and len(exercises(11)) >= 5


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_chapter_has_four_exercises_with_points_hints_and_named_mistakes(chapter):
    listed = exercises(chapter)
    assert len(listed) >= 4, f"chapter {chapter:02d} has {len(listed)} exercises"
    for info in listed:
        ex = get_exercise(info.id)
        assert info.points >= 1 and len(ex.hints) >= 2, info.id
        assert sum(1 for m in ex.mistakes if m.feedback) >= 2, info.id


def _check_cells(nb):
    found = {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            for exercise_id in re.findall(r'check\("(\d\d\.\d+)"', cell.source):
                found.setdefault(exercise_id, []).append(index)
    return found


def _verdicts(nb):
    out = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if VERDICT_MIME in data:
                verdict = data[VERDICT_MIME]
                verdict = json.loads(verdict) if isinstance(verdict, str) else verdict
                out.setdefault(verdict["exercise"], []).append(verdict)
    return out


@pytest.mark.parametrize("chapter", sorted(NOTEBOOKS))
@pytest.mark.parametrize("folder, verdict", [("solutions", "passed"),
                                             ("exercises", "not attempted")])
def test_notebook_checks_every_exercise_once_with_the_expected_verdict(chapter, folder,
                                                                       verdict):
    nb = nbformat.read(ROOT / folder / f"{NOTEBOOKS[chapter]}.ipynb", as_version=4)
    ids = [info.id for info in exercises(chapter)]
    cells = _check_cells(nb)
    assert sorted(cells) == ids and all(len(v) == 1 for v in cells.values())
    verdicts = _verdicts(nb)
    assert sorted(verdicts) == ids
    for exercise_id, shown in verdicts.items():
        assert len(shown) == 1, f"{exercise_id}: the verdict must be shown once"
        assert shown[0]["verdict"] == verdict, shown[0]
        points = get_exercise(exercise_id).points
        assert shown[0]["score"] == (points if verdict == "passed" else 0)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors


@pytest.mark.parametrize("chapter", sorted(NOTEBOOKS))
def test_exercise_notebook_links_its_chapter_and_states_each_exercise(chapter):
    name = NOTEBOOKS[chapter]
    nb = nbformat.read(ROOT / "exercises" / f"{name}.ipynb", as_version=4)
    assert f"](../chapters/{name}.ipynb)" in nb.cells[0].source
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for info in exercises(chapter):
        plural = "s" if info.points != 1 else ""
        assert f"## Exercise {info.id}: {info.title} ({info.points} point{plural})" in markdown
    # every check cell comes right after the cell holding the learner's (unsolved) answer
    for exercise_id, (index,) in _check_cells(nb).items():
        before = nb.cells[index - 1].source
        assert "raise NotImplementedError" in before or ": ...," in before or "= ..." in before, \
            exercise_id
        assert "BEGIN SOLUTION" not in before
    assert nb.metadata["kernelspec"] == {"name": "python3", "display_name": "Python 3",
                                         "language": "python"}


@pytest.mark.parametrize("chapter", sorted(NOTEBOOKS))
def test_solutions_notebook_says_it_is_the_solved_source(chapter):
    name = NOTEBOOKS[chapter]
    nb = nbformat.read(ROOT / "solutions" / f"{name}.ipynb", as_version=4)
    banners = [c for c in nb.cells if "solution-only" in c.metadata.get("tags", [])]
    assert banners and f"../exercises/{name}.ipynb" in banners[0].source
