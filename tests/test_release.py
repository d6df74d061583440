"""The student release: what a class receives holds no answer key, and its checks still teach.

`python -m annlib.grading.export release DEST` is built once here (a few seconds). Then:
nothing in it answers an exercise (no solutions, no line of a reference, no helper that
computes a reference's results, no hidden case, single answers sealed); its check() gives
the same verdict and feedback as the course's own for every solution and every catalogued
mistake; a learner's notebook runs in it; and it refuses to grade a class. About a minute.
"""

import inspect
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from annlib.grading import core
from annlib.grading.release import write_release

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    return write_release(tmp_path_factory.mktemp("release") / "course")


def _run(release, script, *args, timeout=600):
    """Run `script` in a fresh Python that imports annlib from the release."""
    env = dict(os.environ, PYTHONPATH=str(release), ANNLIB_GRADING_ISOLATION="fork")
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script), *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=timeout,
                          cwd=release)


def _squeeze(line):
    return " ".join(line.split())


def test_the_release_has_what_a_learner_works_in_and_no_solutions_or_tests(release):
    assert {p.name for p in release.iterdir()} >= {"chapters", "exercises", "annlib",
                                                   "course.py", "pyproject.toml", "README.md"}
    assert not (release / "solutions").exists() and not (release / "tests").exists()
    assert sorted(p.name for p in (release / "exercises").glob("*.ipynb")) == sorted(
        p.name for p in (ROOT / "exercises").glob("*.ipynb"))
    assert "python course.py lab" in (release / "README.md").read_text()


def test_no_line_of_any_reference_answer_is_in_the_release_s_checks(release):
    checks = "\n".join(p.read_text() for p in (release / "annlib" / "grading").glob("*.py"))
    shipped = {_squeeze(line) for line in checks.splitlines()}
    found = []
    for ex in core.registry():
        source = textwrap.dedent(inspect.getsource(ex.reference)).splitlines()
        body = source[next(i for i, line in enumerate(source) if line.startswith("def ")) + 1:]
        found += [(ex.id, _squeeze(line)) for line in body   # imports and calls such as
                  if len(_squeeze(line)) >= 25 and _squeeze(line) in shipped   # "optimizer.
                  and not _squeeze(line).startswith(('"""', "#", "from ", "import "))]
        assert f"raise Withheld('the reference answer of {ex.id}')" in checks
    assert found == []


def test_the_release_holds_the_public_cases_only_and_no_case_generator(release):
    text = "".join(p.read_text() for p in (release / "annlib" / "grading").glob("chapter_*"))
    assert "random_cases" not in text
    for ex in core.registry():
        data = json.loads((release / "annlib" / "grading" / f"chapter_{ex.chapter:02d}.json")
                          .read_text())["exercises"][ex.id]
        published = [core.plain(tuple(core.decode(case))) for case in data["cases"]]
        assert published == [core.plain(case) for case in ex.cases], ex.id


def test_single_answers_are_sealed(release):
    single = [ex for ex in core.registry() if ex.single_value]
    assert len(single) >= 5
    for ex in single:
        data = json.loads((release / "annlib" / "grading" / f"chapter_{ex.chapter:02d}.json")
                          .read_text())["exercises"][ex.id]
        leaves = _flatten(core.decode(data["expected"]))
        assert leaves and all(isinstance(leaf, core.Sealed) for leaf in leaves), ex.id


def _flatten(value):
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in _flatten(v)]
    if isinstance(value, dict):
        return [x for v in value.values() for x in _flatten(v)]
    return [value]


PARITY = '''
import shutil, sys
from pathlib import Path
release, course = Path(sys.argv[1]), Path(sys.argv[2])
# the course's own checks, as a second package beside the release's
shutil.copytree(course / "annlib" / "grading", release / "annlib" / "grading_full",
                ignore=shutil.ignore_patterns("__pycache__"))
import annlib
assert Path(annlib.__file__).resolve().parents[1] == release.resolve(), annlib.__file__
from annlib.grading import core
from annlib.grading_full import core as full
assert core.RELEASE and not full.RELEASE and not core.BANK_ERRORS and not full.BANK_ERRORS
compared, differ = 0, []
for ex in full.registry():
    mine = core.get_exercise(ex.id)
    for name, answer in [("solution", ex.solution)] + [(m.name, m.answer) for m in ex.mistakes]:
        # ours first: a stateful wrong answer starts afresh; one line, so that feedback
        # naming "the line" of the caller (Python 3.13 knows -c's lines) names the same one
        ours, theirs = core._grade(mine, answer), full._grade(ex, answer)
        compared += 1
        if ours != theirs:
            differ.append((ex.id, name, theirs, ours))
print(compared, len(differ))
for d in differ:
    print(*d, sep="\\n  ")
'''


def test_the_release_s_check_says_what_the_course_s_says_for_every_answer_catalogued(release):
    copy = release.parent / "parity"
    shutil.copytree(release, copy)
    run = _run(copy, PARITY, copy, ROOT)
    assert run.returncode == 0, run.stderr[-3000:]
    compared, differ = map(int, run.stdout.split("\n")[0].split())
    solutions_and_mistakes = sum(1 + len(ex.mistakes) for ex in core.registry())
    assert (compared, differ) == (solutions_and_mistakes, 0), run.stdout[-3000:]


HELPERS = '''
import copy, importlib, inspect, signal, warnings
from annlib.grading import core
warnings.simplefilter("ignore")
def stop(*args):
    raise TimeoutError
signal.signal(signal.SIGALRM, stop)
reproduce = []
for ex in core.registry():
    if ex.single_value:
        continue
    module = importlib.import_module(f"annlib.grading.chapter_{ex.chapter:02d}")
    for name, helper in list(vars(module).items()):   # a helper may add a global
        if not inspect.isfunction(helper) or helper.__module__ != module.__name__:
            continue
        ways = [helper] + ([None] if ex.prepare is not None and ex.answer == "function" else [])
        for way in ways:
            try:
                signal.alarm(2)
                run = helper if way is not None else ex.prepare(helper)
                same = all(core.Outcome(True, core.plain(run(*copy.deepcopy(case)))).same_as(
                               core.Outcome(True, want), ex.compare)
                           for case, want in zip(ex.cases, ex.expected()))
            except BaseException:
                same = False
            finally:
                signal.alarm(0)
            if same:
                reproduce.append(f"{ex.id}: {name}")
print(reproduce)
'''


@pytest.mark.skipif(not hasattr(__import__("signal"), "SIGALRM"), reason="needs SIGALRM")
def test_no_helper_left_in_the_release_reproduces_a_reference_on_the_public_cases(release):
    run = _run(release, HELPERS)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.strip() == "[]"


def test_a_learner_s_notebooks_run_in_the_release_untouched_and_solved(release, tmp_path):
    """The exercises notebook as shipped, and the same notebook solved, run in a kernel
    that imports the release's annlib: every check says not attempted, then passed."""
    solved = release / "exercises" / "01_solved.ipynb"
    shutil.copy(ROOT / "solutions" / "01_neurons.ipynb", solved)
    script = '''
    import sys, nbformat, nbclient
    for path in sys.argv[1:]:
        nb = nbformat.read(path, as_version=4)
        nbclient.NotebookClient(nb, timeout=120, resources={"metadata": {"path": "exercises"}}).execute()
        verdicts = [o["data"]["application/vnd.annlib.verdict+json"]["verdict"]
                    for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                    if "application/vnd.annlib.verdict+json" in o.get("data", {})]
        print(sorted(set(verdicts)), len(verdicts))
    '''
    run = _run(release, script, release / "exercises" / "01_neurons.ipynb", solved)
    assert run.returncode == 0, run.stderr[-3000:]
    count = len(core.exercises(1))
    assert run.stdout.split("\n")[:2] == [f"['not attempted'] {count}", f"['passed'] {count}"]


def test_the_release_refuses_to_grade_a_class_and_to_make_another_release(release, tmp_path):
    run = _run(release, "import sys; from annlib.grading.__main__ import main; "
                        "sys.exit(main(['--class-mode', 'exercises']))")
    assert run.returncode != 0 and "student release" in run.stdout + run.stderr
    run = _run(release, "import sys; from annlib.grading.export import main; "
                        "sys.exit(main(['release', sys.argv[1]]))", tmp_path / "again")
    assert run.returncode == 2 and "student release" in run.stderr


def test_the_export_command_writes_a_release_and_never_overwrites(tmp_path):
    command = [sys.executable, "-m", "annlib.grading.export", "release"]
    first = subprocess.run(command + [str(tmp_path / "r")], capture_output=True, text=True,
                           cwd=ROOT)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "r" / "annlib" / "grading" / "chapter_00.json").is_file()
    again = subprocess.run(command + [str(tmp_path / "r")], capture_output=True, text=True,
                           cwd=ROOT)
    assert again.returncode == 2 and "exists already" in again.stderr
