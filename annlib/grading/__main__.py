"""Grade exercise notebooks from a terminal: ``python -m annlib.grading exercises/``.

Each notebook runs top to bottom in a fresh kernel of this Python (nbclient),
in memory: the files are only read, never written. Every ``check(...)`` in it
publishes its verdict as JSON (MIME type ``application/vnd.annlib.verdict+json``);
those verdicts make the score table. An exercise whose check never ran (the
cell was removed, or raised before calling check) scores 0 with the reason.

Usage::

    python -m annlib.grading exercises/                 # a folder: its NN_*.ipynb
    python -m annlib.grading exercises/01_neurons.ipynb # or single notebooks
    python -m annlib.grading exercises/ --json          # machine-readable result
    python -m annlib.grading exercises/ --timeout 60    # seconds per cell (default 120)
    python -m annlib.grading ada/ --class-mode          # grade as a class: see below

With ``--class-mode`` nothing the notebook shows is read: each exercise is checked
in a locked-down process of its own, on hidden cases too, and judged here
(``annlib.grading.classmode`` says how and what it guarantees); ``--timeout`` is
then the time all of a notebook's cells may take. ``python -m annlib.grading.gradebook``
grades a whole class that way.

When a notebook goes wrong, the others are still graded and the report says what
happened to it:

* ``timeout``: a cell ran longer than ``--timeout`` seconds (an endless loop at
  the top level, say). The notebook is stopped there.
* ``kernel died``: the notebook's code ended its Python process (``os._exit``,
  a crash, no memory left). The notebook is stopped there.
* ``unreadable``: the file is not a notebook (truncated or invalid JSON) or is
  gone. Every notebook is read before any of them runs, so code in one notebook
  that deletes or rewrites another cannot change what is graded.
* ``not graded``: the grader itself failed on the notebook (a bug to report).

Its chapter's exercises whose checks had not run get that verdict and 0 points;
the checks that ran before the stop keep their verdicts.

Counting: everything given in one run is one submission (grade each learner's
folder in a run of its own); each registered exercise counts once, for at most
its points.

* Within one notebook, the last check of an exercise counts: it is the learner's
  final answer there.
* Across notebooks, the check in the exercise's own chapter notebook (the file
  whose name starts with the chapter number) counts. A check of the same exercise
  in another notebook (01.2's neuron re-checked in notebook 02) is listed in a
  note but adds nothing and takes nothing away: the statement and the answer cell
  live in the chapter's own notebook, so that is the answer handed in, while a
  re-check elsewhere often tests an older or edited copy of it. Only when the
  submission has no notebook of that chapter do checks elsewhere count; when
  several notebooks qualify (two copies of a chapter), the best verdict counts,
  as there is no reason to prefer one copy.
* Points come from the registry: a passed exercise scores its points, anything
  else 0, whatever score a notebook's output claims.

Exit status: 0 when grading ran, whatever the score; 2 when there is nothing to
grade (bad path, no notebooks); 1 when no kernel could be started.
"""

import argparse
import json
import re
import sys
from pathlib import Path

from .core import PASSED, VERDICT_MIME, exercises, get_exercise

MISSING, TIMEOUT, DEAD, UNREADABLE = "missing", "timeout", "kernel died", "unreadable"
FAILED = "not graded"  # the grader itself failed on this notebook
RAN = "ran"
_CHECK_CALL = re.compile(r"""check\(\s*["'](\d\d\.\d+)["']""")
_CHAPTER = re.compile(r"(\d\d)_")


class GradingError(Exception):
    """Grading itself could not run (as opposed to a learner's notebook failing)."""


def find_notebooks(paths):
    """The notebooks to grade: files as given, folders' NN_*.ipynb (else every *.ipynb)."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            inside = sorted(path.glob("[0-9][0-9]_*.ipynb")) or sorted(path.glob("*.ipynb"))
            found.extend(p for p in inside if not p.name.startswith("."))
        elif path.is_file() and path.suffix == ".ipynb":
            found.append(path)
        elif path.exists():
            raise GradingError(f"{path} is not a notebook (.ipynb) or a folder")
        else:
            raise GradingError(f"{path} does not exist")
    if not found:
        raise GradingError("no notebooks (.ipynb) to grade in " + ", ".join(map(str, paths)))
    return found


def _one_line(text, width):
    line = " ".join(str(text).split())
    return line if len(line) <= width else line[: width - 3] + "..."


def chapter_of(path):
    """The chapter a notebook belongs to, from its name (``01_neurons.ipynb`` -> 1), or None."""
    match = _CHAPTER.match(Path(path).name)
    return int(match.group(1)) if match else None


def read_notebook(path):
    """(notebook, None), or (None, why it cannot be read)."""
    import nbformat

    try:
        return nbformat.read(path, as_version=4), None
    except FileNotFoundError:
        return None, "the file could not be read: it no longer exists"
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"the file could not be read ({type(exc).__name__}: {_one_line(exc, 80)})"
    except Exception as exc:  # invalid JSON, or JSON that is not a notebook
        return None, (f"the file is not a readable notebook (truncated or invalid JSON?): "
                      f"{_one_line(exc, 80)}")


def run_notebook(path, timeout=120, nb=None):
    """Execute the notebook (read from `path` unless `nb` is given) in memory.

    Returns (cells with outputs, status, problem): status is "ran", "timeout",
    "kernel died" or "unreadable"; problem says what happened, or is None.
    """
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    from .generate import execute

    if nb is None:
        nb, problem = read_notebook(path)
        if nb is None:
            return [], UNREADABLE, problem
    # Only this run's outputs count: a cell the run never reaches (after a timeout)
    # must not keep the verdict saved in the file.
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
    started = {}

    def remember(cell, cell_index, **_):
        started["cell"] = cell

    try:
        execute(nb, Path(path).resolve().parent, timeout=timeout, allow_errors=True,
                on_cell_start=remember)
    except CellTimeoutError:
        return nb.cells, TIMEOUT, (f"{_which_cell(started)} ran longer than {timeout:g} s (the "
                                   f"time limit per cell), so the notebook was stopped there")
    except DeadKernelError:
        return nb.cells, DEAD, (f"the kernel died while running {_which_cell(started)}: the "
                                f"notebook's code ended its Python process (os._exit, a "
                                f"crash, or no memory left), so the notebook stopped there")
    except CellExecutionError as exc:  # only with allow_errors off; kept for safety
        return nb.cells, RAN, f"a cell failed: {_one_line(exc, 100)}"
    except (RuntimeError, OSError) as exc:
        if "kernel" in str(exc).lower() or isinstance(exc, OSError):
            raise GradingError(f"could not start a kernel for {path}: {exc}") from exc
        raise
    return nb.cells, RAN, None


def _which_cell(started):
    cell = started.get("cell")
    lines = [line for line in (cell.source if cell else "").splitlines() if line.strip()]
    return f"the cell `{_one_line(lines[0], 50)}`" if lines else "a cell"


def _verdict_row(data):
    """A verdict bundle as a row, with only the fields the report uses (all text)."""
    if isinstance(data, str):
        data = json.loads(data)
    return {key: str(data.get(key, "")) for key in ("exercise", "title", "verdict", "feedback")}


def collect(path, cells, problem=None, status=RAN):
    """Rows (dicts) for one executed notebook.

    One row for each exercise it checks (the last check of each counts) and one
    for each exercise of its own chapter whose check gave no verdict, saying why.
    """
    verdicts, check_cells = {}, {}
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        outputs = cell.get("outputs", [])
        error = next((o for o in outputs if o.get("output_type") == "error"), None)
        ran = cell.get("execution_count") is not None or bool(outputs)
        for exercise_id in _CHECK_CALL.findall(cell.get("source", "")):
            check_cells[exercise_id] = (ran, error)
        for output in outputs:
            data = output.get("data", {})
            if VERDICT_MIME in data:
                try:
                    row = _verdict_row(data[VERDICT_MIME])
                except (ValueError, AttributeError):
                    continue  # not a verdict the grader wrote: ignore it
                verdicts[row["exercise"]] = row  # the last one counts
    chapter = chapter_of(path)
    own = exercises(chapter) if chapter is not None else []
    rows = []
    for info in own:
        row = verdicts.pop(info.id, None)
        if row is None:
            verdict, reason = _missing(info.id, check_cells, problem, status)
            row = {"exercise": info.id, "title": info.title, "verdict": verdict,
                   "feedback": reason}
        rows.append(row)
    rows.extend(verdicts[k] for k in sorted(verdicts))  # checks of other chapters
    for row in rows:
        row["notebook"] = str(path)
        _registered_points(row)
    return rows


def _registered_points(row):
    ex = get_exercise(row["exercise"])
    row["max_score"] = ex.points if ex else 0
    row["score"] = row["max_score"] if row["verdict"] == PASSED else 0


def _missing(exercise_id, check_cells, problem, status):
    """(verdict, feedback) for an exercise of the notebook's chapter that got no verdict."""
    if status in (UNREADABLE, FAILED):
        return status, f"No verdict: {problem}"
    suffix = f"; {problem}" if problem else ""
    if exercise_id not in check_cells:
        return MISSING, (f'No verdict: no cell calls check("{exercise_id}", ...): was it '
                         f'deleted?{suffix}')
    ran, error = check_cells[exercise_id]
    if error is not None:
        return MISSING, (f"No verdict: its check cell raised {error.get('ename')}: "
                         f"{_one_line(error.get('evalue'), 80)} (run the cells above it "
                         f"first?){suffix}")
    if ran:
        return MISSING, f"No verdict: its check cell ran but showed no verdict{suffix}"
    if status in (TIMEOUT, DEAD):
        return status, f"No verdict: its check cell did not run: {problem}"
    return MISSING, f"No verdict: its check cell did not run{suffix}"


def _chapter_of_id(exercise_id):
    chapter, _, number = exercise_id.partition(".")
    return int(chapter) if chapter.isdigit() and number.isdigit() else None


def _id_order(exercise_id):
    chapter = _chapter_of_id(exercise_id)
    if chapter is None:
        return (1, 0, 0, exercise_id)
    return (0, chapter, int(exercise_id.partition(".")[2]), "")


def count_once(rows):
    """One row per exercise, chosen by the counting rule (module docstring); and notes.

    Returns (rows, notes): the rows that count, sorted by exercise, and one note for
    each other verdict of the same exercise, which does not count.
    """
    by_id = {}
    for row in rows:
        by_id.setdefault(row["exercise"], []).append(row)
    counted, notes = [], []
    for exercise_id in sorted(by_id, key=_id_order):
        candidates = by_id[exercise_id]
        chapter = _chapter_of_id(exercise_id)
        own = [r for r in candidates
               if chapter is not None and chapter_of(r["notebook"]) == chapter]
        best = max(own or candidates, key=lambda r: r["score"])  # the first of equals
        counted.append(best)
        for other in candidates:
            if other is best or other["verdict"] in (MISSING, UNREADABLE, TIMEOUT, DEAD, FAILED):
                continue
            why = ("it counts in its own chapter's notebook" if own and other not in own
                   else "the best verdict counts")
            notes.append(f"{exercise_id} was also checked in {other['notebook']} "
                         f"({other['verdict']}): not counted, {why}")
    return counted, notes


def grade(paths, timeout=120):
    """Grade every notebook; return the report as a dict (what --json prints)."""
    # Read every notebook first: a notebook's code may delete or rewrite another.
    loaded = [(path, *read_notebook(path)) for path in find_notebooks(paths)]
    notebooks, rows = [], []
    for path, nb, problem in loaded:
        if nb is None:
            cells, status = [], UNREADABLE
        else:
            try:
                cells, status, problem = run_notebook(path, timeout, nb)
            except GradingError:
                raise
            except Exception as exc:  # one notebook must never end the whole run
                cells, status = [], FAILED
                problem = (f"grading this notebook failed ({type(exc).__name__}: "
                           f"{_one_line(exc, 80)}): a bug in the grader, not in the notebook")
        notebooks.append({"path": str(path), "status": status, "problem": problem})
        rows.extend(collect(path, cells, problem, status))
    rows, notes = count_once(rows)
    return {"notebooks": notebooks, "exercises": rows, "notes": notes,
            "score": sum(r["score"] for r in rows),
            "max_score": sum(r["max_score"] for r in rows),
            "passed": sum(r["verdict"] == PASSED for r in rows),
            "count": len(rows)}


def table(report):
    """The score table as text."""
    lines = [f"Graded {len(report['notebooks'])} notebook"
             f"{'s' if len(report['notebooks']) != 1 else ''}, each in a fresh kernel.", ""]
    header = f"{'exercise':<9} {'points':>6}  {'verdict':<15} feedback"
    lines += [header, "-" * 100]
    for row in report["exercises"]:
        points = f"{row['score']}/{row['max_score']}"
        lines.append(f"{_one_line(row['exercise'], 9):<9} {points:>6}  "
                     f"{_one_line(row['verdict'], 15):<15} {_one_line(row['feedback'], 66)}")
    lines.append("-" * 100)
    total = f"{report['score']}/{report['max_score']}"
    lines.append(f"{'total':<9} {total:>6}  {report['passed']} of {report['count']} "
                 f"exercises passed")
    for notebook in report["notebooks"]:
        if notebook["problem"]:
            lines.append(f"note: {notebook['path']}: {notebook['problem']}")
    lines.extend(f"note: {note}" for note in report.get("notes", []))
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m annlib.grading",
        description="Run exercise notebooks in fresh kernels and print a score table.")
    parser.add_argument("paths", nargs="+", help="notebook files or folders (e.g. exercises/)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--timeout", type=float, default=120,
                        help="seconds a cell may run before its notebook is stopped "
                             "(default 120)")
    parser.add_argument("--class-mode", action="store_true",
                        help="grade as a class does: each answer checked outside the "
                             "notebook's process, on hidden cases too, and nothing the "
                             "notebook shows believed (see annlib.grading.classmode)")
    args = parser.parse_args(argv)
    if not args.timeout > 0:
        parser.error(f"--timeout expects a number of seconds above 0, got {args.timeout:g}")
    try:
        if args.class_mode:
            from .classmode import grade as grade_class_mode
            report = grade_class_mode(args.paths, args.timeout)
        else:
            report = grade(args.paths, args.timeout)
    except GradingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1 if "kernel" in str(exc) else 2
    print(json.dumps(report, indent=1) if args.json else table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
