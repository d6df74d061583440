"""Every exercise notebook and its solved source share one frame.

First cell: the title ``# NN · Title: exercises`` (the chapter's own title) and the link
``**Chapter:** [NN · Title](../chapters/NN_name.ipynb)``. Last cell, the same in both
notebooks: ``## Done?`` with the number of graded exercises, their points and the command
that grades every notebook (the launcher's and the module's). Each failure lists exactly
what is missing, notebook by notebook.
"""

from pathlib import Path

import nbformat
import pytest

from annlib.grading import exercises

ROOT = Path(__file__).resolve().parents[1]
PAIRS = sorted(path.stem for path in (ROOT / "solutions").glob("[0-9][0-9]_*.ipynb")
               if (ROOT / "exercises" / path.name).exists())
GRADE_COMMANDS = ("python course.py grade exercises/", "python -m annlib.grading exercises/")


def _chapter_title(name):
    """"00 · Introduction", from the first line of the chapter notebook."""
    path = ROOT / "chapters" / f"{name}.ipynb"
    if not path.exists():
        return None
    first = nbformat.read(path, as_version=4).cells[0].source.splitlines()[0]
    return first.lstrip("#").strip()


def _first_cell_problems(folder, name):
    title = _chapter_title(name)
    if title is None:
        return [f"chapters/{name}.ipynb is missing: no chapter to link to"]
    nb = nbformat.read(ROOT / folder / f"{name}.ipynb", as_version=4)
    cell = nb.cells[0] if nb.cells else None
    if cell is None or cell.cell_type != "markdown":
        return [f"{folder}/{name}.ipynb: the first cell must be markdown with the title"]
    problems = []
    lines = cell.source.splitlines()
    want_title = f"# {title}: exercises"
    if not lines or lines[0].strip() != want_title:
        problems.append(f"{folder}/{name}.ipynb: first line is "
                        f"{(lines[0] if lines else '')!r}, expected {want_title!r}")
    want_link = f"**Chapter:** [{title}](../chapters/{name}.ipynb)"
    if want_link not in cell.source:
        problems.append(f"{folder}/{name}.ipynb: the first cell lacks the link {want_link!r}")
    return problems


def _done_problems(name):
    chapter = int(name[:2])
    listed = exercises(chapter)
    count, points = len(listed), sum(info.points for info in listed)
    last = {}
    problems = []
    for folder in ("exercises", "solutions"):
        nb = nbformat.read(ROOT / folder / f"{name}.ipynb", as_version=4)
        cell = nb.cells[-1] if nb.cells else None
        if cell is None or cell.cell_type != "markdown" or not cell.source.startswith("## Done?"):
            found = cell.source.splitlines()[0] if cell is not None and cell.source else ""
            problems.append(f"{folder}/{name}.ipynb: the last cell is not the '## Done?' cell "
                            f"(it starts {found[:60]!r})")
            continue
        last[folder] = cell.source
        s_ex, s_pt = ("s" if count != 1 else ""), ("s" if points != 1 else "")
        tally = f"{count} graded exercise{s_ex} worth {points} point{s_pt}"
        if tally not in cell.source:
            problems.append(f"{folder}/{name}.ipynb: the Done? cell does not say {tally!r}")
        for command in GRADE_COMMANDS:
            if command not in cell.source:
                problems.append(f"{folder}/{name}.ipynb: the Done? cell lacks the command "
                                f"{command!r}")
    if len(last) == 2 and last["exercises"] != last["solutions"]:
        problems.append(f"solutions/{name}.ipynb and exercises/{name}.ipynb end with "
                        f"different Done? cells")
    return problems


def test_every_chapter_with_exercises_has_both_notebooks():
    solved = {p.stem for p in (ROOT / "solutions").glob("[0-9][0-9]_*.ipynb")}
    unsolved = {p.stem for p in (ROOT / "exercises").glob("[0-9][0-9]_*.ipynb")}
    assert solved == unsolved, (f"only in solutions/: {sorted(solved - unsolved)}; "
                                f"only in exercises/: {sorted(unsolved - solved)}")
    assert PAIRS


@pytest.mark.parametrize("name", PAIRS, ids=[name[:2] for name in PAIRS])
def test_first_cell_holds_the_title_and_the_chapter_link(name):
    problems = _first_cell_problems("solutions", name) + _first_cell_problems("exercises", name)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", PAIRS, ids=[name[:2] for name in PAIRS])
def test_both_notebooks_end_with_the_same_done_cell_counting_exercises_and_points(name):
    problems = _done_problems(name)
    assert not problems, "\n".join(problems)
