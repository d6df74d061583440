"""Build the exercise notebooks from the solved ones: ``solutions/`` is the single source.

Usage (from the repository root)::

    python -m annlib.grading.generate               # rebuild every exercises/NN_*.ipynb and run it
    python -m annlib.grading.generate 01_neurons    # only these notebooks (name, prefix or path)
    python -m annlib.grading.generate --check       # exit 1 if exercises/ differ from what
                                                    # generation gives (cells and sources;
                                                    # outputs are nbval's job)
    python -m annlib.grading.generate --no-execute  # write without running (no outputs)

Other flags: ``--solutions DIR`` and ``--exercises DIR`` (defaults ``solutions`` and
``exercises``), ``--timeout S`` (per cell when executing, default 120).

The rules (also in the docstring of ``annlib.grading.core``):

* In a code cell, the lines from ``# BEGIN SOLUTION`` to ``# END SOLUTION``
  (markers included) are replaced by the region's ``# STUB:`` lines with the
  prefix removed (``# STUB: z = ...`` gives ``z = ...``), or, when it has none,
  by ``# YOUR CODE HERE`` and ``raise NotImplementedError`` at the indentation
  of ``# BEGIN SOLUTION``. A cell may hold several regions.
* Cells whose metadata tags include ``solution-only`` are left out.
* Everything else (markdown, imports, check cells, cell ids, notebook metadata)
  is copied unchanged; outputs come from running the generated notebook in a
  fresh kernel of the current Python (nbclient), so the committed exercises are
  exactly what nbval's re-execution gives.
"""

import argparse
import copy
import math
import re
import sys
from pathlib import Path

__all__ = ["strip_solutions", "make_exercise", "execute", "generate", "differences",
           "GenerateError", "main", "SOLUTION_ONLY_TAG"]

BEGIN, END, STUB = "# BEGIN SOLUTION", "# END SOLUTION", "# STUB:"
SOLUTION_ONLY_TAG = "solution-only"
_BEGIN = re.compile(r"^(\s*)# BEGIN SOLUTION\s*$")
_END = re.compile(r"^\s*# END SOLUTION\s*$")
_STUB = re.compile(r"^(\s*)# STUB:(?: (.*)|)$")


class GenerateError(ValueError):
    """A solutions notebook breaks the marker rules (says where)."""


def strip_solutions(source, where="cell"):
    """Replace every ``# BEGIN SOLUTION`` ... ``# END SOLUTION`` region by its stub.

    >>> print(strip_solutions("def f(x):\\n    # BEGIN SOLUTION\\n    return 2 * x\\n    # END SOLUTION"))
    def f(x):
        # YOUR CODE HERE
        raise NotImplementedError
    """
    out, region, indent = [], None, ""
    for number, line in enumerate(source.split("\n"), start=1):
        begin, end = _BEGIN.match(line), _END.match(line)
        if region is None:
            if begin:
                region, indent = [], begin.group(1)
            elif end:
                raise GenerateError(f"{where}, line {number}: {END!r} without a {BEGIN!r} before it")
            else:
                out.append(line)
            continue
        if begin:
            raise GenerateError(f"{where}, line {number}: {BEGIN!r} inside another solution "
                                f"region (expected {END!r} first)")
        if end:
            stubs = [m.group(1) + (m.group(2) or "") for m in map(_STUB.match, region) if m]
            out.extend(stubs or [f"{indent}# YOUR CODE HERE", f"{indent}raise NotImplementedError"])
            region = None
            continue
        region.append(line)
    if region is not None:
        raise GenerateError(f"{where}: {BEGIN!r} is never closed by {END!r}")
    return "\n".join(out)


def make_exercise(solution_nb, name="notebook"):
    """The exercise version of a solutions notebook (a new nbformat object, no outputs)."""
    nb = copy.deepcopy(solution_nb)
    cells = []
    for index, cell in enumerate(nb.cells):
        if SOLUTION_ONLY_TAG in cell.get("metadata", {}).get("tags", []):
            continue
        if cell.cell_type == "code":
            cell.source = strip_solutions(cell.source, f"{name}, cell {index}")
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
        elif BEGIN in cell.source or END in cell.source:
            raise GenerateError(f"{name}, cell {index}: solution markers only work in code "
                                f"cells; tag a markdown cell {SOLUTION_ONLY_TAG!r} instead")
        cells.append(cell)
    nb.cells = cells
    return nb


def _kernel_manager_class():
    """A kernel manager class that starts a kernel of *this* Python (as nbval's current env).

    The asynchronous manager, because with the synchronous one nbclient can block on
    its output poll forever: a cell that loops, or a kernel that dies (``os._exit``),
    then never reaches the cell time limit nor the dead-kernel check.
    """
    import ipykernel.kernelspec
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class CurrentEnvironment(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            return self.kernel_spec_class(resource_dir=ipykernel.kernelspec.RESOURCES,
                                          **ipykernel.kernelspec.get_kernel_dict())

    class CurrentKernel(AsyncKernelManager):
        @default("kernel_spec_manager")
        def _current_environment(self):
            return CurrentEnvironment(data_dir=self.data_dir)

    return CurrentKernel


def execute(nb, folder, timeout=120, allow_errors=False, on_cell_start=None):
    """Run `nb` in place in a fresh kernel of this Python, with `folder` as working dir.

    Raises nbclient's ``CellTimeoutError`` when a cell runs longer than `timeout`
    seconds and ``DeadKernelError`` when the kernel dies; the kernel is shut down
    either way. ``on_cell_start(cell=..., cell_index=...)`` is called before each cell.
    """
    import subprocess

    from nbclient import NotebookClient

    # nbclient's `timeout` takes whole seconds; timeout_func gives each cell the exact limit
    client = NotebookClient(nb, kernel_manager_class=_kernel_manager_class(),
                            timeout=math.ceil(timeout), timeout_func=lambda cell: timeout,
                            allow_errors=allow_errors, record_timing=False,
                            shutdown_kernel="immediate",
                            on_cell_start=on_cell_start,
                            resources={"metadata": {"path": str(folder)}})
    # the kernel's own log lines (transport warnings) are noise in a terminal
    client.execute(stderr=subprocess.DEVNULL)
    return nb


def _notebooks(folder, names):
    paths = sorted(Path(folder).glob("[0-9][0-9]_*.ipynb"))
    if names:
        wanted = [Path(n).name for n in names]
        paths = [p for p in paths if any(p.name == w or p.name.startswith(w) for w in wanted)]
    return paths


def generate(solutions="solutions", exercises="exercises", names=None, run=True, timeout=120,
             log=print):
    """Write exercises/NN_*.ipynb for each solutions notebook; return the paths written."""
    import nbformat

    written = []
    Path(exercises).mkdir(parents=True, exist_ok=True)
    for path in _notebooks(solutions, names):
        nb = make_exercise(nbformat.read(path, as_version=4), path.name)
        target = Path(exercises) / path.name
        if run:
            execute(nb, Path(exercises).resolve(), timeout)
        nbformat.validate(nb)
        nbformat.write(nb, target)
        log(f"wrote {target}" + ("" if run else " (not executed)"))
        written.append(target)
    return written


def _comparable(nb):
    return [(c.cell_type, c.source, sorted(c.get("metadata", {}).get("tags", [])))
            for c in nb.cells]


def differences(solutions="solutions", exercises="exercises", names=None):
    """Human-readable differences between committed exercises and fresh generation."""
    import nbformat

    problems = []
    sources = _notebooks(solutions, names)
    if not sources:
        problems.append(f"no solutions notebooks (NN_*.ipynb) in {solutions}")
    for path in sources:
        target = Path(exercises) / path.name
        if not target.exists():
            problems.append(f"{target} is missing")
            continue
        fresh = _comparable(make_exercise(nbformat.read(path, as_version=4), path.name))
        committed = _comparable(nbformat.read(target, as_version=4))
        if len(fresh) != len(committed):
            problems.append(f"{target}: {len(committed)} cells, generation gives {len(fresh)}")
        for i, (a, b) in enumerate(zip(fresh, committed)):
            if a != b:
                problems.append(f"{target}, cell {i}: differs from generation "
                                f"(expected {a[0]} cell starting {a[1][:60]!r}, found "
                                f"{b[0]} cell starting {b[1][:60]!r})")
                break
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m annlib.grading.generate",
        description="Build exercises/ from solutions/ (solution regions become stubs).")
    parser.add_argument("names", nargs="*", help="only these notebooks (name or prefix, e.g. 01)")
    parser.add_argument("--solutions", default="solutions", help="folder of solved notebooks")
    parser.add_argument("--exercises", default="exercises", help="folder to write")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if committed exercises differ")
    parser.add_argument("--no-execute", action="store_true",
                        help="do not run the generated notebooks (no outputs)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds per cell")
    args = parser.parse_args(argv)
    if not Path(args.solutions).is_dir():
        parser.error(f"no folder {args.solutions!r} (run from the repository root, "
                     f"or pass --solutions DIR)")
    try:
        if args.check:
            problems = differences(args.solutions, args.exercises, args.names)
            for problem in problems:
                print(problem)
            if problems:
                print("exercises/ is out of date: run python -m annlib.grading.generate")
                return 1
            print("exercises/ matches solutions/")
            return 0
        if not generate(args.solutions, args.exercises, args.names, not args.no_execute,
                        args.timeout):
            print(f"no notebooks matched in {args.solutions}")
            return 1
    except GenerateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
