"""The course's one entry point, the same on Linux, macOS and Windows.

    python course.py lab          open the course in JupyterLab at chapter 00
    python course.py test         run every test: unit tests, then every notebook under nbval
    python course.py exercises    regenerate exercises/ from solutions/
    python course.py grade [DIR]  grade the exercise notebooks in DIR (default: exercises/)
    python course.py benchmark [micrograd|torch]
                                  compare the scalar engine with micrograd (default), or
                                  annlib.tensor with PyTorch (installs PyTorch into
                                  benchmarks/.venv on first use, never into the course's)
    python course.py help         show this help

Each command sets up what it needs first: it creates the Python environment
.venv/ and installs annlib into it when they are missing (or when
pyproject.toml is newer than the installation), and reuses them otherwise.
An activated conda or virtual environment that already has this folder's
annlib installed (see environment.yml) is used instead of .venv/.
Extra arguments go to the tool: `python course.py test tests/test_engine.py -x`
runs only that file; `python course.py lab --port=9999` picks the port.

(Where `python` is Python 2 or missing, as on some Linux and macOS systems,
type `python3` instead.)
"""

# Standard library only: this file runs before anything is installed.
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
MINIMUM_PYTHON = (3, 10)
FIRST_NOTEBOOK = "chapters/00_introduction.ipynb"
NOTEBOOK_FOLDERS = ("chapters", "exercises", "solutions")
TEST_PATHS = ("tests",) + NOTEBOOK_FOLDERS
# what a command needs that a student release (annlib.grading.release) leaves out
NEEDS_FOLDER = {"test": "tests", "exercises": "solutions", "benchmark": "benchmarks"}
# JupyterLab reads labconfig/default_setting_overrides.json from every folder on
# JUPYTER_CONFIG_PATH; ours turns the news prompt and the update check off.
JUPYTER_CONFIG = ROOT / ".jupyter"

# Signs every notebook of the course for this user (Jupyter's notebook trust), so
# JupyterLab shows their saved widgets and pictures before any cell is run.
# Runs in the course's environment, which has nbformat.
TRUST_SCRIPT = """\
import sys
from pathlib import Path
import nbformat
from nbformat.sign import NotebookNotary

notary = NotebookNotary()
Path(notary.data_dir).mkdir(parents=True, exist_ok=True)   # a new machine may not have it yet
signed = 0
for path in sys.argv[1:]:
    nb = nbformat.read(path, as_version=4)
    if not notary.check_signature(nb):
        notary.sign(nb)
        signed += 1
if signed:
    print(f"Trusted {signed} notebooks of the course, so their saved outputs show at once.")
"""


class CourseError(Exception):
    """A problem the learner can fix; main() prints it without a traceback."""


def venv_python(venv, os_name=None):
    """The interpreter inside a virtual environment: Scripts\\python.exe on Windows, bin/python elsewhere."""
    if (os_name or os.name) == "nt":
        return Path(venv) / "Scripts" / "python.exe"
    return Path(venv) / "bin" / "python"


def conda_python(prefix, os_name=None):
    """The interpreter of a conda environment: at its top on Windows, in bin/ elsewhere."""
    if (os_name or os.name) == "nt":
        return Path(prefix) / "python.exe"
    return Path(prefix) / "bin" / "python"


def needs_install(stamp, pyproject):
    """True when the environment was never installed, or pyproject.toml changed since."""
    stamp, pyproject = Path(stamp), Path(pyproject)
    return not stamp.exists() or pyproject.stat().st_mtime > stamp.stat().st_mtime


def active_environments(environ, os_name=None):
    """Interpreters of the activated environments (virtualenv first, then conda), if any."""
    found = []
    if environ.get("VIRTUAL_ENV"):
        found.append(venv_python(environ["VIRTUAL_ENV"], os_name))
    if environ.get("CONDA_PREFIX"):
        found.append(conda_python(environ["CONDA_PREFIX"], os_name))
    return found


def has_this_annlib(python):
    """True when `python` imports annlib from this folder (an editable install of it)."""
    if not Path(python).is_file():
        return False
    try:
        result = subprocess.run(
            [str(python), "-c", "import annlib, sys; sys.stdout.write(annlib.__file__)"],
            capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return (result.returncode == 0 and bool(result.stdout)
            and Path(result.stdout).resolve().parent == ROOT / "annlib")


def create_venv(venv):
    if sys.version_info < MINIMUM_PYTHON:
        raise CourseError(
            "The course needs Python {}.{} or newer to create .venv/, but this is Python {}; "
            "run course.py with a newer one (for example `python3 course.py ...`, or "
            "`py -3 course.py ...` on Windows).".format(*MINIMUM_PYTHON, sys.version.split()[0]))
    print(f"Creating the course's Python environment in {venv.name}/ ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)


def install(python, stamp):
    print("Installing annlib and the course's packages into .venv/ (a few minutes, once) ...",
          flush=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
                   check=True, cwd=ROOT)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-e", ".[test]"],
                   check=True, cwd=ROOT)
    Path(stamp).touch()


def find_python(environ=None):
    """The interpreter to run the course with, setting up .venv/ when it is needed."""
    environ = os.environ if environ is None else environ
    venv = ROOT / ".venv"
    for python in active_environments(environ):
        if Path(python).parent.parent.resolve() != venv.resolve() and has_this_annlib(python):
            return Path(python)
    python = venv_python(venv)
    if not python.exists():
        create_venv(venv)
    stamp = venv / ".annlib-installed"
    if needs_install(stamp, ROOT / "pyproject.toml"):
        install(python, stamp)
    return python


def lab_command(python, extra=(), root=ROOT):
    """JupyterLab on the whole course folder, chapter 00 open."""
    return [str(python), "-m", "jupyterlab", f"--ServerApp.root_dir={root}",
            f"--LabApp.default_url=/lab/tree/{FIRST_NOTEBOOK}",
            # the course runs offline: fetch no news feed
            "--LabApp.news_url=None", *extra]


def lab_environment(environ):
    """The environment for JupyterLab: our config folder first on JUPYTER_CONFIG_PATH."""
    environ = dict(environ)
    paths = [str(JUPYTER_CONFIG)]
    if environ.get("JUPYTER_CONFIG_PATH"):
        paths.append(environ["JUPYTER_CONFIG_PATH"])
    environ["JUPYTER_CONFIG_PATH"] = os.pathsep.join(paths)
    return environ


def course_notebooks(root=ROOT):
    return sorted(str(path) for folder in NOTEBOOK_FOLDERS
                  for path in (Path(root) / folder).glob("*.ipynb"))


def trust_command(python, notebooks):
    return [str(python), "-c", TRUST_SCRIPT, *notebooks]


def names_a_path(argument):
    """True for a pytest argument naming a file or folder (`tests/test_nn.py::test_x` too)."""
    if argument.startswith("-"):
        return False
    return (ROOT / argument.split("::")[0]).exists()


def test_command(python, extra=()):
    """pytest over the unit tests and, under nbval, every notebook; paths in `extra` replace ours."""
    extra = list(extra)
    paths = [] if any(names_a_path(argument) for argument in extra) else list(TEST_PATHS)
    return [str(python), "-m", "pytest", *paths,
            "--nbval", "--nbval-current-env",
            "--nbval-sanitize-with", "tests/nbval_sanitize.cfg",
            "--nbval-cell-timeout=120", *extra]


def graphviz_note():
    from shutil import which
    if which("dot") is None:
        print("Note: Graphviz's 'dot' program is not installed; annlib draws the computation\n"
              "      graphs itself, more plainly. Graphviz gives the finer layout.\n"
              "      Install it: sudo apt-get install graphviz | "
              "brew install graphviz | winget install graphviz |\n"
              "      conda install -c conda-forge python-graphviz", file=sys.stderr)


def run(command, environ=None):
    """Hand over to `command`: replace this process on Linux and macOS; on Windows (no exec
    that keeps the console) run it as a child and exit with its status."""
    os.chdir(ROOT)
    environ = dict(os.environ if environ is None else environ)
    sys.stdout.flush()
    if os.name != "nt":
        os.execve(command[0], command, environ)
    process = subprocess.Popen(command, env=environ)
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:
            continue            # Ctrl+C reached the child too; wait until it has stopped


COMMANDS = ("lab", "test", "exercises", "grade", "benchmark", "help")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    command, extra = (argv[0], argv[1:]) if argv else ("help", [])
    if command in ("help", "-h", "--help"):
        try:
            print(__doc__.strip())
        except BrokenPipeError:     # `python course.py help | head`
            pass
        return 0
    if command not in COMMANDS:
        print(f"unknown command: {command!r}; expected one of {', '.join(COMMANDS)}\n",
              file=sys.stderr)
        print(__doc__.strip(), file=sys.stderr)
        return 2
    folder = NEEDS_FOLDER.get(command)
    if folder and not (ROOT / folder).is_dir():
        print(f"`{command}` needs the folder {folder}/, which this copy of the course does not "
              f"have: a student release holds only what a learner works in (lab and grade "
              f"work here).", file=sys.stderr)
        return 2
    try:
        python = find_python()
    except CourseError as error:
        print(error, file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as error:
        print(f"Setting up the course's environment failed: {' '.join(error.cmd)} "
              f"exited with status {error.returncode}.", file=sys.stderr)
        return 1
    if command == "lab":
        graphviz_note()
        subprocess.run(trust_command(python, course_notebooks()), check=False)
        return run(lab_command(python, extra), lab_environment(os.environ))
    if command == "test":
        graphviz_note()
        return run(test_command(python, extra))
    if command == "exercises":
        return run([str(python), "-m", "annlib.grading.generate", *extra])
    if command == "grade":
        return run([str(python), "-m", "annlib.grading", *(extra or ["exercises/"])])
    return run(benchmark_command(python, extra))


BENCHMARKS = {"micrograd": "benchmarks/bench_micrograd.py", "torch": "benchmarks/bench_torch.py"}


def benchmark_command(python, extra):
    """The benchmark named first in `extra` (micrograd when none is named), with the rest."""
    name, rest = (extra[0], extra[1:]) if extra and extra[0] in BENCHMARKS else ("micrograd", extra)
    return [str(python), BENCHMARKS[name], *rest]


if __name__ == "__main__":
    sys.exit(main())
