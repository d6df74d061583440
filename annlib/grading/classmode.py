"""Class mode: a graded run whose scores a learner can change only by answering.

``python -m annlib.grading --class-mode DIR`` grades like the self-study command, but
nothing the notebook shows or does in its own process is believed. For each exercise
of a notebook's chapter the grader (this process, which holds the references and the
hidden cases) starts a fresh, locked-down Python process (``annlib.grading.sandbox``)
that runs the notebook's code cells and then the exercise's cases on the learner's
answer, and sends back only what the answer returned on each case. The expected
values, the comparison, the catalogue of mistakes and the verdict are all computed here.

Threat model (a learner who wants the points without the work, writing any code in the
notebook). Guaranteed, each scored 0 with a reason and no effect on other exercises:

* verdicts or scores shown by the notebook (a forged verdict bundle, even one for an
  exercise of another chapter) are never read: a graded run reads no output at all;
* redefining ``check`` or ``hint``, replacing ``annlib.grading.core._grade`` or any
  other part of the shared grading modules: the checks run on private copies loaded by
  the harness, and the answer is taken by the name the check cell gives;
* importing the reference answers (``annlib.grading.chapter_NN``) or reading the course's
  files (``solutions/``, the checks) however they are found: the process has a copy of
  annlib without checks modules, and an audit hook refuses reading anywhere in the
  course folder or the installed annlib;
* calling the reference answer or a catalogued mistake while being checked (found by
  introspection, say), or a function the exercise forbids (``annlib.losses.mse`` in
  05.1, ``Value.backward`` in 07.5): a profile hook that cannot be removed ends the
  process at that call;
* hidden cases: besides the public cases the formative check uses, each exercise with
  random cases is checked on as many again drawn from a seed the learner never sees
  (``ANNLIB_HIDDEN_SEED`` changes it for a course).

Not guaranteed: copying annlib's own source text of a forbidden function into an
answer (that is plagiarism of the library, which no run can tell from writing it);
calling, while being checked, a helper of the checks module that is not itself a
reference answer (07.4's graph order ``_order``, say), reached through the functions
and objects the checks hand to the answer: the cases hand such functions over on
purpose, so only the references, the mistakes and the forbidden functions are watched;
reading an answer key kept outside the course folder and annlib (run the grader as a
user who cannot read such copies, or in a container, as JupyterHub deployments do);
attacks on CPython itself (the hook refuses ctypes, code objects built by hand, frame
and garbage-collector introspection, processes and threads, which close the known
ways around it). Self-study mode (``check()`` in the notebook) keeps the formative
guarantees only: the learner holds the solutions anyway. A class works in the student
release (``annlib.grading.release``), which holds no solutions, references or hidden
cases, and is graded here, from the course's own folder: a release refuses to grade.
"""

import json
import math
import os
import random
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from . import core
from .__main__ import (DEAD, MISSING, TIMEOUT, UNREADABLE, GradingError, chapter_of,
                       count_once, find_notebooks, read_notebook)

TRIPPED = 77
_PRELOAD = ["numpy", "matplotlib", "matplotlib.pyplot", "annlib.nn", "annlib.losses",
            "annlib.optim", "annlib.data", "annlib.tensor", "annlib.train"]
_CHECK_SOURCE = re.compile(r"""check\(\s*["'](\d\d\.\d+)["']\s*,\s*([A-Za-z_]\w*)\s*[,)]""")


def hidden_seed(exercise_id):
    """The seed of an exercise's hidden cases (never shown to learners)."""
    return f"{os.environ.get('ANNLIB_HIDDEN_SEED', 'annlib.grading.hidden')}:{exercise_id}"


_EXTENDED = {}


def with_hidden_cases(ex):
    """A copy of `ex` whose cases are the public ones and the hidden ones."""
    key = (ex.id, hidden_seed(ex.id))
    if key not in _EXTENDED:
        extended = ex
        if ex.random_cases is not None:
            extended = core.copy.copy(ex)
            extended.cases = ex.cases + [tuple(c) for c in ex.random_cases(
                random.Random(hidden_seed(ex.id)))]
            extended._expected, extended._mistake_outcomes = None, {}
        _EXTENDED[key] = extended
    return _EXTENDED[key]


def check_with_hidden_cases(exercise_id, answer, *, show=True):
    """check() on the exercise's public and hidden cases: what nbgrader's hidden tests run.

    Inside a notebook, so it trusts the notebook as check() does (see the module doc).
    """
    ex = core.get_exercise(exercise_id)
    return core._check(ex if ex is None else with_hidden_cases(ex), exercise_id, answer, show)


def copy_library(dest):
    """A copy of the installed annlib without the checks modules (``grading/chapter_*.py``).

    What a graded notebook imports, and what a student release ships.
    """
    source = Path(core.__file__).resolve().parents[1]
    target = Path(dest) / "annlib"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(
        "__pycache__", "*.pyc", "chapter_[0-9][0-9].py"))
    return target


def _protected():
    """(never readable, readable, unreadable) folders for a graded notebook (sandbox's hook)."""
    package = Path(core.__file__).resolve().parents[1]
    course = [package.parent] if (package.parent / "solutions").is_dir() else []
    python = sorted({str(Path(p).resolve()) for p in (sys.prefix, sys.base_prefix)})
    return [[str(package)], python, [str(p) for p in course]]


def answer_names(cells):
    """{exercise id: the name its last check cell passes}, from the notebook's source."""
    names = {}
    for _, source in cells:
        for exercise_id, name in _CHECK_SOURCE.findall(source):
            names[exercise_id] = name
    return names


class Worker:
    """One sandboxed process for one exercise of one notebook."""

    def __init__(self, lib, workdir, order):
        self.read_fd, write_fd = os.pipe()
        self.nonce = uuid.uuid4().hex
        order = dict(order, fd=write_fd, nonce=self.nonce)
        self.log = tempfile.TemporaryFile()
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        env.update(MPLBACKEND="Agg", MPLCONFIGDIR=str(workdir), HOME=str(workdir))
        boot = (f"import sys; sys.path.insert(0, {str(lib)!r}); "
                f"from annlib.grading.sandbox import main; main()")
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-c", boot], stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=self.log, pass_fds=(write_fd,), cwd=workdir,
            env=env)
        os.close(write_fd)
        try:
            self.process.stdin.write(json.dumps(order).encode())
            self.process.stdin.close()
        except OSError:
            pass
        self.buffer, self.messages, self.tripped = b"", [], None
        self.eof = False

    def wait_for(self, kind, seconds):
        """Read messages until one of `kind` arrives (True), or EOF / the deadline (False)."""
        deadline = time.monotonic() + seconds
        while True:
            if any(m.get("k") == kind for m in self.messages):
                return True
            if self.eof:
                return False
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            ready, _, _ = select.select([self.read_fd], [], [], remaining)
            if not ready:
                return False
            chunk = os.read(self.read_fd, 1 << 16)
            if not chunk:
                self.eof = True
            self.buffer += chunk
            *lines, self.buffer = self.buffer.split(b"\n")
            for line in lines:
                self._take(line.decode("utf-8", "replace"))

    def _take(self, line):
        at = line.find(self.nonce)  # bytes written before it by the notebook are ignored
        if at >= 0:
            try:
                message = json.loads(line[at + len(self.nonce):])
            except ValueError:
                return
            if isinstance(message, dict):
                self.messages.append(message)
        elif '{"k": "tripped"' in line:  # from the profile hook: a name, no more
            try:
                self.tripped = str(json.loads(line[line.find('{"k": "tripped"'):]).get("name", ""))
            except ValueError:
                self.tripped = ""

    def first(self, kind):
        return next((m for m in self.messages if m.get("k") == kind), None)

    def stop(self):
        """End the process; its exit status (None when it had to be killed)."""
        status = self.process.poll()
        if status is None:
            try:
                status = self.process.wait(timeout=1)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                status = None
        os.close(self.read_fd)
        return status

    def stderr_tail(self):
        self.log.seek(0)
        text = self.log.read().decode("utf-8", "replace").strip().splitlines()
        self.log.close()
        return text[-1] if text else ""


def _cell_errors_text(errors):
    if not errors:
        return ""
    index, name, message = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f" A cell raised {name}: {core._fmt(message, 120)}{more}."


def grade_exercise(ex, cells, lib, timeout=120):
    """(verdict, feedback, notebook problem or None) for one exercise of one notebook."""
    extended = with_hidden_cases(ex)
    checks = (Path(core.__file__).parent / f"chapter_{ex.chapter:02d}.py").read_text("utf-8")
    order = {"cells": cells, "exercise": ex.id, "name": answer_names(cells).get(ex.id),
             "module": f"annlib.grading.chapter_{ex.chapter:02d}", "checks": checks,
             "forbidden": sorted(ex.forbidden), "protected": _protected(),
             "hidden_seed": hidden_seed(ex.id) if ex.random_cases is not None else None,
             "preload": _preload(cells)}
    with tempfile.TemporaryDirectory(prefix="annlib-graded-") as workdir:
        worker = Worker(lib, workdir, order)
        cells_ran = worker.wait_for("cells", timeout)
        finished = cells_ran and worker.wait_for("done", 2 * ex.time_limit + 10)
        if cells_ran and not finished:
            finished = any(m.get("k") in ("missing", "pre", "refused") for m in worker.messages)
        status = worker.stop()
        tail = worker.stderr_tail()
    if status == TRIPPED:
        return core.WRONG, _tripped_text(ex, worker.tripped), None
    if not cells_ran:
        if status is None:
            problem = (f"its cells ran longer than {timeout:g} s in all (the time limit of "
                       f"a graded notebook), so it was stopped")
            return TIMEOUT, f"No verdict: {problem}", problem
        if status == 0 or status is not None and status > 0 and "Traceback" not in tail:
            problem = "the notebook's code ended its Python process (os._exit, a crash)"
            return DEAD, f"No verdict: {problem}", problem
        return core.INTERNAL, (f"The graded run itself failed ({core._fmt(tail, 200)}): a "
                               f"bug in annlib.grading, not in the notebook."), None
    errors = worker.first("cells").get("errors", [])
    refused = worker.first("refused")
    if refused is not None:
        return core.WRONG, (f"0 points: {refused.get('why')}, which a graded run does "
                            f"not allow."), None
    if worker.first("missing") is not None:
        return MISSING, (f'No answer: the notebook never ran check("{ex.id}", ...) and '
                         f'defines no {order["name"] or "answer"} for it.'
                         f'{_cell_errors_text(errors)}'), None
    early = worker.first("pre")
    if early is not None:
        if early.get("verdict") in (core.NOT_ATTEMPTED, core.WRONG):
            return early["verdict"], str(early.get("feedback", "")), None
        return core.WRONG, _TAMPERED, None
    if not finished:
        if status is None:
            return core.TIMEOUT, (f"Time limit exceeded: the check stopped your code after "
                                  f"{2 * ex.time_limit + 10:g} s. Look for a loop that never "
                                  f"ends."), None
        return core.ERROR, core._ended_process_text(ex, None, _wait_status(status)), None
    done = worker.first("done")
    outcomes = [core.Outcome(bool(m.get("ok")), core.decode(m.get("value")),
                             tuple(map(str, m["error"])) if m.get("error") else None,
                             bool(m.get("low")))
                for m in worker.messages if m.get("k") == "outcome"]
    if done.get("cases") != len(extended.cases) or len(outcomes) > len(extended.cases):
        return core.WRONG, _TAMPERED, None
    run = core._Run(outcomes=outcomes, status=str(done.get("status", "done")),
                    printed_lines=int(done.get("lines", 0)),
                    printed_chars=int(done.get("chars", 0)),
                    head=[str(h) for h in done.get("head", [])][:core._SHOWN_LINES],
                    flooded=bool(done.get("flooded")), detail=str(done.get("detail", "")))
    if run.status not in ("done", "crashed") or (run.status == "done"
                                                 and len(outcomes) != len(extended.cases)):
        return core.WRONG, _TAMPERED, None
    verdict, feedback = core._grade(extended, None, run=run)
    if verdict != core.PASSED:   # a cell that failed earlier often explains the answer
        feedback += _cell_errors_text(errors)
    return verdict, feedback, None


_TAMPERED = ("0 points: the report of the process that ran your code was incomplete or "
             "altered (something in the notebook wrote into the grader's channel).")


def _wait_status(returncode):
    """A subprocess return code as os.waitpid's status, for core._ended_process_text."""
    if returncode < 0:
        return -returncode  # killed by that signal: WIFSIGNALED
    return returncode << 8


def _tripped_text(ex, name):
    if name and name.startswith("reference:"):
        return ("0 points: while being checked your code called the grader's own reference "
                f"answer of {name.partition(':')[2]} (or one of its catalogued mistakes). "
                "A graded run ends the check there.")
    if name == "a new thread":
        return "0 points: your code started a thread while being checked; a graded run does not allow it."
    if name and name in ex.forbidden:
        return (f"0 points: your code uses {name}, which this exercise does not allow: "
                f"{ex.forbidden[name]}.")
    return ("0 points: your code used a function this exercise does not allow, or the "
            "grader's reference answer, while being checked.")


def _preload(cells):
    """The heavy modules the notebook names: imported before its code runs (faster)."""
    text = "\n".join(source for _, source in cells)
    return [name for name in _PRELOAD
            if (name if name.startswith("annlib") else name.partition(".")[0]) in text]


def code_cells(nb):
    """[(index, source)] of a notebook's code cells (the only thing a graded run uses)."""
    return [(i, cell.get("source", "")) for i, cell in enumerate(nb.cells)
            if cell.get("cell_type") == "code"]


def grade(paths, timeout=120):
    """Grade one submission in class mode; the report has the shape of the self-study one."""
    if os.name != "posix":
        raise GradingError("class mode needs Linux or macOS (it hands each sandboxed "
                           "process a pipe of its own, which Windows cannot); grade there, "
                           f"or in WSL (this is {sys.platform})")
    if core.RELEASE:
        raise GradingError("this annlib is a student release: it holds no reference answers "
                           "or hidden cases, so it cannot grade a class; grade with the "
                           "course's own folder")
    loaded = [(path, *read_notebook(path)) for path in find_notebooks(paths)]
    notebooks, rows = [], []
    with tempfile.TemporaryDirectory(prefix="annlib-library-") as lib:
        copy_library(lib)
        for path, nb, problem in loaded:
            chapter = chapter_of(path)
            own = core.exercises(chapter) if chapter is not None else []
            status = UNREADABLE if nb is None else "ran"
            cells = code_cells(nb) if nb is not None else []
            for info in own:
                ex = core.get_exercise(info.id)
                if nb is None:
                    verdict, feedback = UNREADABLE, f"No verdict: {problem}"
                elif status in (TIMEOUT, DEAD):  # the same cells would stop again
                    verdict, feedback = status, f"No verdict: {problem}"
                else:
                    verdict, feedback, stopped = grade_exercise(ex, cells, lib, timeout)
                    if stopped:
                        status, problem = verdict, stopped
                rows.append({"exercise": ex.id, "title": ex.title, "verdict": verdict,
                             "feedback": feedback, "notebook": str(path),
                             "max_score": ex.points,
                             "score": ex.points if verdict == core.PASSED else 0})
            if chapter is None:
                problem = problem or "its name does not start with a chapter number (NN_)"
            notebooks.append({"path": str(path), "status": status, "problem": problem})
    rows, notes = count_once(rows)
    return {"notebooks": notebooks, "exercises": rows, "notes": notes, "mode": "class",
            "score": sum(r["score"] for r in rows),
            "max_score": sum(r["max_score"] for r in rows),
            "passed": sum(r["verdict"] == core.PASSED for r in rows), "count": len(rows)}
