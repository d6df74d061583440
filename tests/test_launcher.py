"""course.py, the launcher: the commands it builds and the set-up decisions it takes.

Nothing here creates an environment or installs a package (no network); the
set-up steps are replaced by recorders where a test needs to see them called.
"""

import ast
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

import nbformat
import pytest
from nbformat.sign import NotebookNotary

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def course():
    spec = importlib.util.spec_from_file_location("course", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_launcher_imports_only_the_standard_library():
    tree = ast.parse((ROOT / "course.py").read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom)}
    assert imported and imported <= set(sys.stdlib_module_names), imported - set(sys.stdlib_module_names)


def test_a_venv_keeps_python_in_scripts_on_windows_and_in_bin_elsewhere(course):
    assert course.venv_python(".venv", "nt").parts == (".venv", "Scripts", "python.exe")
    assert course.venv_python(".venv", "posix").parts == (".venv", "bin", "python")


def test_a_conda_environment_keeps_python_at_its_top_on_windows_and_in_bin_elsewhere(course):
    assert course.conda_python("ann", "nt").parts == ("ann", "python.exe")
    assert course.conda_python("ann", "posix").parts == ("ann", "bin", "python")


def test_an_activated_virtualenv_is_tried_before_an_activated_conda_environment(course):
    found = course.active_environments(
        {"VIRTUAL_ENV": "/work/venv", "CONDA_PREFIX": "/conda/envs/ann"}, "posix")
    assert [PurePosixPath(p) for p in found] == [PurePosixPath("/work/venv/bin/python"),
                                                 PurePosixPath("/conda/envs/ann/bin/python")]
    assert course.active_environments({}, "posix") == []


def test_install_is_needed_without_a_stamp_or_when_pyproject_is_newer(course, tmp_path):
    pyproject, stamp = tmp_path / "pyproject.toml", tmp_path / "stamp"
    pyproject.write_text("[project]\n")
    assert course.needs_install(stamp, pyproject)          # never installed
    stamp.touch()
    os.utime(pyproject, (1_000_000, 1_000_000))
    os.utime(stamp, (2_000_000, 2_000_000))
    assert not course.needs_install(stamp, pyproject)      # installed after the last change
    os.utime(pyproject, (3_000_000, 3_000_000))
    assert course.needs_install(stamp, pyproject)          # pyproject.toml changed since


@pytest.fixture
def fake_course(course, tmp_path, monkeypatch):
    """course.py pointed at an empty folder, its set-up steps recorded instead of run."""
    calls = []
    monkeypatch.setattr(course, "ROOT", tmp_path)
    monkeypatch.setattr(course, "create_venv", lambda venv: calls.append(("create", venv)))
    monkeypatch.setattr(course, "install", lambda python, stamp: calls.append(("install", python)))
    (tmp_path / "pyproject.toml").write_text("[project]\n")
    return course, calls


def test_the_first_run_creates_the_venv_and_installs_the_course(fake_course, tmp_path):
    course, calls = fake_course
    python = course.find_python(environ={})
    assert python == course.venv_python(tmp_path / ".venv")
    assert calls == [("create", tmp_path / ".venv"), ("install", python)]


def test_a_later_run_reuses_the_venv_and_reinstalls_only_after_pyproject_changed(
        fake_course, tmp_path):
    course, calls = fake_course
    python = course.venv_python(tmp_path / ".venv")
    python.parent.mkdir(parents=True)
    python.touch()
    stamp = tmp_path / ".venv" / ".annlib-installed"
    stamp.touch()
    os.utime(tmp_path / "pyproject.toml", (1_000_000, 1_000_000))
    assert course.find_python(environ={}) == python and calls == []
    os.utime(tmp_path / "pyproject.toml", (5e9, 5e9))
    assert course.find_python(environ={}) == python and calls == [("install", python)]


def test_an_activated_environment_with_this_annlib_is_used_without_any_set_up(
        fake_course, monkeypatch):
    course, calls = fake_course
    monkeypatch.setattr(course, "has_this_annlib", lambda python: True)
    python = course.find_python(environ={"CONDA_PREFIX": "/conda/envs/ann"})
    assert python == course.conda_python("/conda/envs/ann") and calls == []


def test_an_activated_environment_without_annlib_falls_back_to_the_venv(fake_course, tmp_path):
    course, calls = fake_course
    python = course.find_python(environ={"VIRTUAL_ENV": str(tmp_path / "nowhere")})
    assert python == course.venv_python(tmp_path / ".venv")
    assert [step for step, _ in calls] == ["create", "install"]


def test_the_running_interpreter_is_recognised_as_having_this_annlib(course):
    assert course.has_this_annlib(sys.executable)
    assert not course.has_this_annlib(ROOT / "no-such-python")


def test_the_test_command_runs_pytest_on_every_folder_with_nbval(course):
    command = course.test_command("python")
    assert command[:3] == ["python", "-m", "pytest"]
    assert command[3:7] == ["tests", "chapters", "exercises", "solutions"]
    for option in ["--nbval", "--nbval-current-env", "--nbval-cell-timeout=120"]:
        assert option in command
    assert command[command.index("--nbval-sanitize-with") + 1] == "tests/nbval_sanitize.cfg"
    assert (ROOT / "tests" / "nbval_sanitize.cfg").is_file()


def test_options_are_added_to_the_test_command_but_paths_replace_its_folders(course):
    options = course.test_command("python", ["-x", "-p", "no:cacheprovider"])
    assert options[3:7] == ["tests", "chapters", "exercises", "solutions"]
    assert options[-3:] == ["-x", "-p", "no:cacheprovider"]
    only = course.test_command("python", ["tests/test_engine.py::test_add", "-x"])
    assert "chapters" not in only and "tests" not in only
    assert only[-2:] == ["tests/test_engine.py::test_add", "-x"]


def test_the_lab_command_opens_chapter_00_of_the_whole_course_without_fetching_news(course):
    command = course.lab_command("python", ["--port=9999"])
    assert command[:3] == ["python", "-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={ROOT}" in command
    assert "--LabApp.default_url=/lab/tree/chapters/00_introduction.ipynb" in command
    assert (ROOT / "chapters" / "00_introduction.ipynb").is_file()
    assert "--LabApp.news_url=None" in command and command[-1] == "--port=9999"


def test_lab_puts_the_course_settings_first_and_keeps_the_users_config_path(course):
    env = course.lab_environment({"JUPYTER_CONFIG_PATH": "/etc/mine"})
    assert env["JUPYTER_CONFIG_PATH"].split(os.pathsep) == [str(ROOT / ".jupyter"), "/etc/mine"]
    assert course.lab_environment({})["JUPYTER_CONFIG_PATH"] == str(ROOT / ".jupyter")
    settings = ROOT / ".jupyter" / "labconfig" / "default_setting_overrides.json"
    assert '"fetchNews": "false"' in settings.read_text()


def test_trusting_signs_every_notebook_of_the_course_for_this_user(course, tmp_path):
    for folder in course.NOTEBOOK_FOLDERS:
        (tmp_path / folder).mkdir()
        shutil.copy(ROOT / "chapters" / "00_introduction.ipynb", tmp_path / folder / "a.ipynb")
    notebooks = course.course_notebooks(tmp_path)
    assert len(notebooks) == 3
    data_dir = tmp_path / "data"                          # not there yet, as on a new machine
    env = {**os.environ, "JUPYTER_DATA_DIR": str(data_dir)}
    result = subprocess.run(course.trust_command(sys.executable, notebooks), env=env,
                            capture_output=True, text=True, check=True)
    assert "Trusted 1 notebooks" in result.stdout           # three copies of one notebook
    notary = NotebookNotary(data_dir=str(data_dir))
    assert all(notary.check_signature(nbformat.read(path, as_version=4)) for path in notebooks)
    someone_else = tmp_path / "someone-else"           # the signature is this user's only
    someone_else.mkdir()
    assert not NotebookNotary(data_dir=str(someone_else)).check_signature(
        nbformat.read(notebooks[0], as_version=4))


def test_help_lists_every_command_and_an_unknown_command_says_what_was_expected():
    help_text = subprocess.run([sys.executable, "course.py", "help"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout
    for command in ["lab", "test", "exercises", "grade", "benchmark", "help"]:
        assert f"python course.py {command}" in help_text
    wrong = subprocess.run([sys.executable, "course.py", "tset"], cwd=ROOT,
                           capture_output=True, text=True)
    assert wrong.returncode == 2
    assert "unknown command: 'tset'; expected one of lab, test" in wrong.stderr


@pytest.mark.skipif(os.name == "nt", reason="./course is the shell shorthand for Linux and macOS")
def test_the_shell_shorthand_hands_over_to_course_py():
    shorthand = subprocess.run(["sh", "course", "help"], cwd=ROOT, capture_output=True, text=True)
    direct = subprocess.run([sys.executable, "course.py", "help"], cwd=ROOT,
                            capture_output=True, text=True)
    assert shorthand.returncode == 0 and shorthand.stdout == direct.stdout


def test_the_benchmark_command_runs_micrograd_by_default_and_torch_when_named(course):
    assert course.benchmark_command("py", []) == ["py", "benchmarks/bench_micrograd.py"]
    assert course.benchmark_command("py", ["--steps", "5"]) == [
        "py", "benchmarks/bench_micrograd.py", "--steps", "5"]
    assert course.benchmark_command("py", ["torch", "--steps", "5"]) == [
        "py", "benchmarks/bench_torch.py", "--steps", "5"]
    for script in course.BENCHMARKS.values():
        assert (course.ROOT / script).is_file()


@pytest.mark.parametrize("command, folder", [("test", "tests"), ("exercises", "solutions"),
                                             ("benchmark", "benchmarks")])
def test_a_command_whose_folder_a_student_release_leaves_out_says_so(
        course, monkeypatch, tmp_path, capsys, command, folder):
    monkeypatch.setattr(course, "ROOT", tmp_path)       # a course folder without tests/ ...
    monkeypatch.setattr(course, "find_python", lambda: pytest.fail("must not set up .venv"))
    assert course.main([command]) == 2
    assert f"needs the folder {folder}/" in capsys.readouterr().err
