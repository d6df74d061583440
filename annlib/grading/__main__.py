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

Exit status: 0 when grading ran, whatever the score; 2 when there is nothing to
grade (bad path, no notebooks); 1 when no kernel could be started.
"""

import argparse
import json
import re
import sys
from pathlib import Path

from .core import VERDICT_MIME, exercises

MISSING = "missing"
_CHECK_CALL = re.compile(r"""check\(\s*["'](\d\d\.\d+)["']""")


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


def run_notebook(path, timeout=120):
    """Execute a copy of the notebook; return (cells with outputs, problem or None)."""
    import nbformat
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    from .generate import execute

    nb = nbformat.read(path, as_version=4)
    problem = None
    try:
        execute(nb, Path(path).resolve().parent, timeout=timeout, allow_errors=True)
    except CellTimeoutError:
        problem = f"a cell ran longer than {timeout:g} s, so the notebook was stopped there"
    except DeadKernelError:
        problem = "the kernel died (out of memory, or a crash) and the notebook stopped"
    except CellExecutionError as exc:  # only with allow_errors off; kept for safety
        problem = f"a cell failed: {_one_line(exc, 100)}"
    except (RuntimeError, OSError) as exc:
        if "kernel" in str(exc).lower() or isinstance(exc, OSError):
            raise GradingError(f"could not start a kernel for {path}: {exc}") from exc
        raise
    return nb.cells, problem


def collect(path, cells, problem):
    """Rows (dicts) for one executed notebook."""
    verdicts, check_cells = {}, {}
    for cell in cells:
        if cell.cell_type != "code":
            continue
        error = next((o for o in cell.get("outputs", []) if o.output_type == "error"), None)
        for exercise_id in _CHECK_CALL.findall(cell.source):
            check_cells[exercise_id] = error
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if VERDICT_MIME in data:
                verdict = data[VERDICT_MIME]
                if isinstance(verdict, str):
                    verdict = json.loads(verdict)
                verdicts[verdict["exercise"]] = verdict  # the last one counts
    match = re.match(r"(\d\d)_", Path(path).name)
    expected = exercises(int(match.group(1))) if match else []
    rows = []
    for info in expected:
        verdict = verdicts.pop(info.id, None)
        if verdict is None:
            verdict = {"exercise": info.id, "title": info.title, "verdict": MISSING,
                       "score": 0, "max_score": info.points,
                       "feedback": _missing_reason(info.id, check_cells, problem)}
        rows.append(verdict)
    rows.extend(verdicts[k] for k in sorted(verdicts))  # checks of other chapters
    for row in rows:
        row["notebook"] = str(path)
    return rows


def _missing_reason(exercise_id, check_cells, problem):
    if exercise_id not in check_cells:
        reason = f'no cell calls check("{exercise_id}", ...): was it deleted?'
    elif check_cells[exercise_id] is not None:
        error = check_cells[exercise_id]
        reason = (f"its check cell raised {error.ename}: {_one_line(error.evalue, 80)} "
                  f"(run the cells above it first?)")
    else:
        reason = "its check cell did not run"
    return f"No verdict: {reason}" + (f"; {problem}" if problem else "")


def grade(paths, timeout=120):
    """Grade every notebook; return the report as a dict (what --json prints)."""
    notebooks, rows = [], []
    for path in find_notebooks(paths):
        cells, problem = run_notebook(path, timeout)
        notebooks.append({"path": str(path), "problem": problem})
        rows.extend(collect(path, cells, problem))
    return {"notebooks": notebooks, "exercises": rows,
            "score": sum(r["score"] for r in rows),
            "max_score": sum(r["max_score"] for r in rows),
            "passed": sum(r["verdict"] == "passed" for r in rows),
            "count": len(rows)}


def table(report):
    """The score table as text."""
    lines = [f"Graded {len(report['notebooks'])} notebook"
             f"{'s' if len(report['notebooks']) != 1 else ''}, each in a fresh kernel.", ""]
    header = f"{'exercise':<9} {'points':>6}  {'verdict':<15} feedback"
    lines += [header, "-" * 100]
    for row in report["exercises"]:
        points = f"{row['score']}/{row['max_score']}"
        lines.append(f"{row['exercise']:<9} {points:>6}  {row['verdict']:<15} "
                     f"{_one_line(row['feedback'], 66)}")
    lines.append("-" * 100)
    total = f"{report['score']}/{report['max_score']}"
    lines.append(f"{'total':<9} {total:>6}  {report['passed']} of {report['count']} "
                 f"exercises passed")
    for notebook in report["notebooks"]:
        if notebook["problem"]:
            lines.append(f"note: {notebook['path']}: {notebook['problem']}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m annlib.grading",
        description="Run exercise notebooks in fresh kernels and print a score table.")
    parser.add_argument("paths", nargs="+", help="notebook files or folders (e.g. exercises/)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--timeout", type=float, default=120, help="seconds per cell")
    args = parser.parse_args(argv)
    try:
        report = grade(args.paths, args.timeout)
    except GradingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1 if "kernel" in str(exc) else 2
    print(json.dumps(report, indent=1) if args.json else table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
