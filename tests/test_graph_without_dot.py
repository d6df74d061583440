"""Chapters 06 and 07 run top to bottom with Graphviz's `dot` missing from PATH.

Every computation graph must still arrive as a picture, annlib's own layered
SVG, with the same text outputs as the committed notebook (drawn with `dot`)
and no traceback; the backprop stepper widget draws its graph the same way.
Chapter 07 also draws graphs with the learner's own graphviz code.
"""

import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

CHAPTERS = Path(__file__).parent.parent / "chapters"


def environment_without_dot():
    """This process's environment with every PATH folder that holds `dot` left out."""
    folders = [f for f in os.environ.get("PATH", "").split(os.pathsep)
               if f and not os.path.exists(os.path.join(f, "dot"))]
    env = dict(os.environ, PATH=os.pathsep.join(folders))
    assert shutil.which("dot", path=env["PATH"]) is None
    return env


def graph_outputs(nb):
    """(cell index, output) for every output that carries an SVG picture."""
    return [(i, out) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
            for out in cell.outputs if "image/svg+xml" in out.get("data", {})]


@pytest.mark.parametrize("chapter", ["06_backpropagation", "07_autograd_from_scratch"])
def test_chapter_draws_its_graphs_itself_when_dot_is_missing(chapter):
    path = CHAPTERS / f"{chapter}.ipynb"
    committed = nbformat.read(path, as_version=4)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(CHAPTERS)}})
    client.execute(env=environment_without_dot())

    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"{out.ename}: {out.evalue}"
            assert "Traceback" not in out.get("text", "")
            assert "ExecutableNotFound" not in json.dumps(out.get("data", {}))

    drawn, expected = graph_outputs(nb), graph_outputs(committed)
    assert [i for i, _ in drawn] == [i for i, _ in expected] and len(drawn) >= 2
    for (_, out), (_, before) in zip(drawn, expected):
        svg = out.data["image/svg+xml"]
        assert 'class="annlib-graph"' in svg and "finer layout" in svg
        assert "<svg" in before.data["image/svg+xml"] and "annlib-graph" not in before.data["image/svg+xml"]
        assert out.data["text/plain"] == before.data["text/plain"]

    # the backprop stepper's picture lives in its widget's state
    assert 'class=\\"annlib-graph\\"' in json.dumps(nb.metadata.widgets)
