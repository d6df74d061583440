"""annlib.grading.generate: exercises/ is what generation from solutions/ gives."""

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from annlib.grading import generate
from annlib.grading.generate import GenerateError, make_exercise, strip_solutions

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))


def _cells(nb):
    return [(c.cell_type, c.source, sorted(c.metadata.get("tags", []))) for c in nb.cells]


# --- the committed notebooks ------------------------------------------------------------

def test_there_are_solutions_notebooks():
    assert SOLUTIONS, "solutions/NN_*.ipynb is the single source of the exercises"


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.name)
def test_committed_exercises_match_regeneration(solution, tmp_path):
    written = generate.generate(ROOT / "solutions", tmp_path, names=[solution.name],
                                run=False, log=lambda message: None)
    assert [p.name for p in written] == [solution.name]
    fresh = nbformat.read(written[0], as_version=4)
    committed_path = ROOT / "exercises" / solution.name
    assert committed_path.exists(), f"run python -m annlib.grading.generate {solution.name}"
    committed = nbformat.read(committed_path, as_version=4)
    assert _cells(committed) == _cells(fresh), (
        f"exercises/{solution.name} is out of date: run python -m annlib.grading.generate")
    assert [c.get("id") for c in committed.cells] == [c.get("id") for c in fresh.cells]
    assert committed.metadata.get("kernelspec") == fresh.metadata.get("kernelspec")


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.name)
def test_no_solution_text_leaks_into_exercises(solution):
    exercise = nbformat.read(ROOT / "exercises" / solution.name, as_version=4)
    for cell in exercise.cells:
        assert "BEGIN SOLUTION" not in cell.source and "END SOLUTION" not in cell.source
        assert "# STUB:" not in cell.source
        assert "solution-only" not in cell.metadata.get("tags", [])


def test_check_mode_accepts_the_committed_exercises(capsys):
    assert generate.main(["--check", "--solutions", str(ROOT / "solutions"),
                          "--exercises", str(ROOT / "exercises")]) == 0
    assert "matches" in capsys.readouterr().out


# --- the rules --------------------------------------------------------------------------

def test_function_body_becomes_raise_not_implemented_at_its_indentation():
    source = ("def f(x):\n    \"\"\"Twice x.\"\"\"\n    # BEGIN SOLUTION\n    y = 2 * x\n"
              "    return y\n    # END SOLUTION\n\nprint('after')")
    assert strip_solutions(source) == (
        "def f(x):\n    \"\"\"Twice x.\"\"\"\n    # YOUR CODE HERE\n    raise NotImplementedError"
        "\n\nprint('after')")


def test_stub_lines_replace_a_value_answer():
    source = ("# BEGIN SOLUTION\n# STUB: z = ...  # your number\n# STUB: a = ...\n"
              "z = -0.4\na = 0.0\n# END SOLUTION")
    assert strip_solutions(source) == "z = ...  # your number\na = ..."


def test_indented_stub_keeps_the_comment_indentation_and_empty_stub_lines():
    source = "if True:\n    # BEGIN SOLUTION\n    # STUB: x = None\n    # STUB:\n    x = 1\n    # END SOLUTION"
    assert strip_solutions(source) == "if True:\n    x = None\n    "


def test_several_regions_in_one_cell():
    source = "# BEGIN SOLUTION\na = 1\n# END SOLUTION\nb = 2\n# BEGIN SOLUTION\nc = 3\n# END SOLUTION"
    out = strip_solutions(source)
    assert out.count("raise NotImplementedError") == 2 and "b = 2" in out
    assert "a = 1" not in out and "c = 3" not in out


def test_text_without_markers_is_unchanged():
    source = 'from annlib.grading import check\ncheck("01.2", neuron)'
    assert strip_solutions(source) == source


@pytest.mark.parametrize("source, message", [
    ("x = 1\n# END SOLUTION", "without a '# BEGIN SOLUTION' before it"),
    ("# BEGIN SOLUTION\nx = 1", "never closed"),
    ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION", "inside another solution region"),
])
def test_unbalanced_markers_are_errors_that_say_where(source, message):
    with pytest.raises(GenerateError, match=message) as info:
        strip_solutions(source, "01_neurons.ipynb, cell 4")
    assert "01_neurons.ipynb, cell 4" in str(info.value)


def _solution_notebook():
    banner = new_markdown_cell("**Solved version**")
    banner.metadata["tags"] = ["solution-only"]
    explained = new_code_cell("print('only for instructors')")
    explained.metadata["tags"] = ["solution-only", "other"]
    answer = new_code_cell("def f(x):\n    # BEGIN SOLUTION\n    return 2 * x\n    # END SOLUTION")
    answer.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hi\n")]
    answer.execution_count = 3
    answer.metadata["execution"] = {"iopub.status.busy": "2024-01-01"}
    nb = new_notebook(cells=[new_markdown_cell("# Title"), banner, answer, explained,
                             new_code_cell('check("01.2", f)')])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nb


def test_make_exercise_drops_solution_only_cells_and_clears_outputs():
    solution = _solution_notebook()
    exercise = make_exercise(solution)
    assert [c.source.splitlines()[0] for c in exercise.cells] == [
        "# Title", "def f(x):", 'check("01.2", f)']
    answer = exercise.cells[1]
    assert "raise NotImplementedError" in answer.source
    assert answer.outputs == [] and answer.execution_count is None
    assert "execution" not in answer.metadata
    assert [c.id for c in exercise.cells] == [solution.cells[i].id for i in (0, 2, 4)]
    assert len(solution.cells) == 5 and "return 2 * x" in solution.cells[2].source  # untouched
    nbformat.validate(exercise)


def test_markers_in_markdown_are_an_error():
    nb = new_notebook(cells=[new_markdown_cell("# BEGIN SOLUTION\nsecret\n# END SOLUTION")])
    with pytest.raises(GenerateError, match="only work in code cells"):
        make_exercise(nb, "x.ipynb")


def test_check_mode_reports_a_difference_and_exits_1(tmp_path, capsys):
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    nbformat.write(_solution_notebook(), solutions / "01_demo.ipynb")
    assert generate.main(["--no-execute", "--solutions", str(solutions),
                          "--exercises", str(exercises)]) == 0
    assert generate.main(["--check", "--solutions", str(solutions),
                          "--exercises", str(exercises)]) == 0
    stale = nbformat.read(exercises / "01_demo.ipynb", as_version=4)
    stale.cells[1].source = "def f(x):\n    return 2 * x  # a solution left in"
    nbformat.write(stale, exercises / "01_demo.ipynb")
    capsys.readouterr()
    assert generate.main(["--check", "--solutions", str(solutions),
                          "--exercises", str(exercises)]) == 1
    out = capsys.readouterr().out
    assert "exercises/01_demo.ipynb, cell 1: differs from generation" in out
    assert "out of date" in out
    (exercises / "01_demo.ipynb").unlink()
    assert generate.main(["--check", "--solutions", str(solutions),
                          "--exercises", str(exercises)]) == 1
    assert "is missing" in capsys.readouterr().out


def test_missing_solutions_folder_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        generate.main(["--solutions", str(tmp_path / "nowhere")])
    assert info.value.code == 2
    assert "no folder" in capsys.readouterr().err


def test_generation_runs_the_notebook_so_outputs_are_those_of_a_fresh_kernel(tmp_path):
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    nb = new_notebook(cells=[
        new_code_cell("def neuron(x, w, b):\n    # BEGIN SOLUTION\n    return 0.0\n"
                      "    # END SOLUTION"),
        new_code_cell("from annlib.grading import check\ncheck('01.2', neuron)"),
        new_code_cell("import os\nos.path.basename(os.getcwd())")])
    nbformat.write(nb, solutions / "01_demo.ipynb")
    generate.generate(solutions, exercises, log=lambda message: None)
    out = nbformat.read(exercises / "01_demo.ipynb", as_version=4)
    verdict = out.cells[1].outputs[0]["data"]["application/vnd.annlib.verdict+json"]
    assert verdict["verdict"] == "not attempted"
    assert len(out.cells[1].outputs) == 1, "the check shows its verdict once"
    assert out.cells[2].outputs[0]["data"]["text/plain"] == "'exercises'"  # runs in place
    assert "execution" not in out.cells[1].metadata  # no timings: files stay stable
