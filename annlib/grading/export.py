"""Export the exercises: ``python -m annlib.grading.export nbgrader DEST`` or ``release DEST``.

``release DEST`` writes the student release: what a class receives, without solutions,
reference answers or hidden cases (see ``annlib.grading.release``).

``nbgrader DEST`` writes an nbgrader course folder built from ``solutions/``:

* ``DEST/nbgrader_config.py`` (course id ``ann-course``);
* ``DEST/source/chNN/NN_name.ipynb``, one assignment per chapter, with nbgrader's cell
  metadata: every cell holding a ``# BEGIN SOLUTION`` region is a *solution* cell
  (nbgrader replaces the region by its stub in the release; it recognises the same
  markers), every ``check("NN.K", answer)`` cell becomes a locked *autograder test*
  cell worth the exercise's points, whose last line is the score the check gives, so
  nbgrader records it as partial credit; cells tagged ``solution-only`` are left out.

In the test cells the release shows the formative check (public cases); the graded
copy adds, between nbgrader's ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``
markers, the same check on the hidden cases too (`check_with_hidden_cases`), as the
course's own class mode does. Then, from ``DEST``::

    nbgrader generate_assignment ch00 --force     # release/ch00: no solution code
    # collect submissions into submitted/<learner>/ch00/
    nbgrader autograde ch00 --force
    nbgrader export                               # grades.csv

nbgrader is an instructor's extra (``pip install annlib[instructor]``), never a
learner's dependency. Note that nbgrader runs its test cells in the learner's own
kernel, after the learner's code: it trusts the notebook as self-study mode does.
For a score that code in the notebook cannot change, grade with the course's class
mode (``python -m annlib.grading --class-mode``, ``annlib.grading.gradebook``).
"""

import argparse
import copy
import re
import sys
from pathlib import Path

from .core import get_exercise
from .generate import BEGIN, SOLUTION_ONLY_TAG, _notebooks

COURSE_ID = "ann-course"
_CHECK_CELL = re.compile(r"""^\s*check\(\s*["'](\d\d\.\d+)["']\s*,\s*([A-Za-z_]\w*)\s*\)\s*$""")

CONFIG = '''# nbgrader's configuration for this course, written by python -m annlib.grading.export
c = get_config()  # noqa: F821 - given by nbgrader when it reads this file
c.CourseDirectory.course_id = "{course}"
'''

TEST_CELL = '''# Autograder test of exercise {id} ({points} point{s}): the last line is the score.
from annlib.grading import check
result = check("{id}", {name})
### BEGIN HIDDEN TESTS
from annlib.grading.classmode import check_with_hidden_cases
result = check_with_hidden_cases("{id}", {name})
### END HIDDEN TESTS
result.score'''


def assignment_name(chapter):
    return f"ch{chapter:02d}"


def _metadata(cell, **nbgrader):
    cell.metadata["nbgrader"] = {"schema_version": 3, "solution": False, "grade": False,
                                 "locked": False, **nbgrader}


def nbgrader_source(nb):
    """A copy of a solutions notebook with nbgrader's cell metadata (see the module doc)."""
    nb = copy.deepcopy(nb)
    cells, answers = [], 0
    for cell in nb.cells:
        if SOLUTION_ONLY_TAG in cell.get("metadata", {}).get("tags", []):
            continue
        cell.metadata.pop("nbgrader", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            match = _CHECK_CELL.match(cell.source)
            if match:
                exercise_id, name = match.groups()
                ex = get_exercise(exercise_id)
                if ex is None:
                    raise ValueError(f"a check cell names exercise {exercise_id}, which is "
                                     f"not registered")
                cell.source = TEST_CELL.format(id=exercise_id, points=ex.points, name=name,
                                               s="" if ex.points == 1 else "s")
                _metadata(cell, grade=True, locked=True, points=ex.points,
                          grade_id=f"test_{exercise_id.replace('.', '_')}")
            elif BEGIN in cell.source:
                answers += 1
                _metadata(cell, solution=True, grade_id=f"answer_{answers}")
        cells.append(cell)
    nb.cells = cells
    return nb


def export_nbgrader(dest, solutions="solutions", names=None):
    """Write the nbgrader course folder; return the assignment names."""
    import nbformat

    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "nbgrader_config.py").write_text(CONFIG.format(course=COURSE_ID), encoding="utf-8")
    assignments = []
    paths = _notebooks(solutions, names)
    if not paths:
        raise ValueError(f"no solutions notebooks (NN_*.ipynb) in {solutions}")
    for path in paths:
        chapter = int(path.name[:2])
        folder = dest / "source" / assignment_name(chapter)
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nbgrader_source(nbformat.read(path, as_version=4)), folder / path.name)
        assignments.append(assignment_name(chapter))
    return assignments


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m annlib.grading.export",
        description="Export the course's exercises for another grading tool.")
    parser.add_argument("tool", choices=["nbgrader", "release"],
                        help="nbgrader: an nbgrader course folder; release: the student "
                             "release, the course without its answer key "
                             "(annlib.grading.release)")
    parser.add_argument("dest", help="the folder to write")
    parser.add_argument("--solutions", default="solutions",
                        help="the solved notebooks (default: solutions)")
    parser.add_argument("names", nargs="*", help="only these notebooks (name or prefix)")
    args = parser.parse_intermixed_args(argv)
    try:
        if args.tool == "release":
            from .release import write_release
            done = (f"wrote the student release to {write_release(args.dest)}: chapters/, "
                    f"exercises/ and annlib without solutions, reference answers or hidden "
                    f"cases")
        else:
            assignments = export_nbgrader(args.dest, args.solutions, args.names)
            done = (f"wrote {len(assignments)} assignments to {Path(args.dest) / 'source'}: "
                    f"{', '.join(assignments)}")
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(done)
    return 0

if __name__ == "__main__":
    sys.exit(main())
