"""The two ways to install the course agree: environment.yml (conda) and pyproject.toml (pip)."""

import re
from pathlib import Path

import pytest

try:
    import tomllib
except ImportError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")
yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parent.parent
# pip's name -> conda-forge's name, where they differ
CONDA_NAME = {"graphviz": "python-graphviz"}


def _split(requirement):
    """'numpy>=1.23' -> ('numpy', '>=1.23'), names normalised as pip does."""
    match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*", requirement)
    assert match, f"cannot read the requirement {requirement!r}"
    return re.sub(r"[-_.]+", "-", match.group(1)).lower(), match.group(2).replace(" ", "")


@pytest.fixture(scope="module")
def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


@pytest.fixture(scope="module")
def environment():
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def _pip_requirements(project):
    """Every package the course and its tests need, by conda name -> version specifier."""
    lines = project["dependencies"] + project["optional-dependencies"]["test"]
    return {CONDA_NAME.get(name, name): spec for name, spec in map(_split, lines)}


def _conda_requirements(environment):
    """(conda packages, pip packages) of environment.yml, name -> version specifier."""
    conda, pip = {}, {}
    for entry in environment["dependencies"]:
        if isinstance(entry, dict):
            pip.update(_split(line) for line in entry["pip"] if not line.startswith("-"))
        else:
            conda.update([_split(entry)])
    return conda, pip


def test_environment_yml_installs_every_requirement_of_pyproject_with_the_same_versions(
        pyproject, environment):
    conda, pip = _conda_requirements(environment)
    wanted = _pip_requirements(pyproject)
    missing = {name: spec for name, spec in wanted.items() if name not in {**conda, **pip}}
    assert not missing, f"environment.yml lacks {missing}"
    different = {name: (spec, {**conda, **pip}[name]) for name, spec in wanted.items()
                 if {**conda, **pip}[name] != spec}
    assert not different, f"versions differ (pyproject, environment.yml): {different}"


def test_environment_yml_asks_for_nothing_that_pyproject_does_not(pyproject, environment):
    conda, pip = _conda_requirements(environment)
    extra = (set(conda) | set(pip)) - set(_pip_requirements(pyproject)) - {"python", "pip"}
    assert not extra, f"environment.yml installs {sorted(extra)}, which pyproject.toml does not list"


def test_both_ask_for_the_same_python(pyproject, environment):
    conda, _ = _conda_requirements(environment)
    assert conda["python"] == pyproject["requires-python"].replace(" ", "")


def test_environment_yml_installs_annlib_itself_from_conda_forge(environment):
    pip = next(entry["pip"] for entry in environment["dependencies"] if isinstance(entry, dict))
    assert "-e ." in pip
    assert environment["channels"] == ["conda-forge"]
    assert "pip" in environment["dependencies"]


def test_the_graphviz_binary_comes_with_the_conda_environment(environment):
    # pip's graphviz is only the bindings; conda-forge's python-graphviz brings `dot`
    conda, _ = _conda_requirements(environment)
    assert "python-graphviz" in conda and "graphviz" not in conda


def _release(version):
    """'4' -> (4, 0, 0): versions compared as numbers, missing parts as zeros."""
    parts = [int(part) for part in version.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def test_the_lowest_versions_file_pins_exactly_every_lower_bound_of_pyproject(pyproject):
    pins = {}
    for line in (ROOT / ".ci" / "lowest.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, spec = _split(line)
            assert spec.startswith("=="), f".ci/lowest.txt should pin with ==, got {line!r}"
            pins[name] = spec[2:]
    bounds = {}
    for name, spec in map(_split, pyproject["dependencies"]
                          + pyproject["optional-dependencies"]["test"]):
        assert spec.startswith(">=") and "," not in spec, \
            f"{name}: expected a single lower bound '>=X' in pyproject.toml, got {spec!r}"
        bounds[name] = spec[2:]
    assert sorted(pins) == sorted(bounds), "packages differ between .ci/lowest.txt and pyproject.toml"
    different = {name: (bounds[name], pins[name]) for name in bounds
                 if _release(bounds[name]) != _release(pins[name])}
    assert not different, f"lower bound in pyproject.toml vs pin in .ci/lowest.txt: {different}"
