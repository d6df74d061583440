"""Every chapter notebook has the same frame, so a learner always knows where to look.

The frame, in this order: the title `# NN · Title`; `## Learning objectives`; `## Setup`;
numbered sections `## 1. ...`, `## 2. ...`; `## Check your understanding` with the
answers folded in a `<details>` block; `## Summary`; and a last cell linking the
chapter's exercises, the previous chapter and the next one, with the same labels
everywhere. Subsections (`###`) may appear anywhere inside a section.
"""

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
FILE_OF = {int(path.name[:2]): path.name for path in CHAPTERS}

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def headings(nb):
    """(level, text, cell index) of every markdown heading, outside fenced code."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        fenced = False
        for line in cell.source.splitlines():
            if line.lstrip().startswith("```"):
                fenced = not fenced
            match = None if fenced else HEADING.match(line)
            if match:
                found.append((len(match.group(1)), match.group(2), index))
    return found


def markdown_after(nb, cell_index, heading):
    """The markdown from `heading` (in cell `cell_index`) to the end of the notebook."""
    first = nb.cells[cell_index].source
    text = first[first.index(heading):]
    rest = [c.source for c in nb.cells[cell_index + 1:] if c.cell_type == "markdown"]
    return "\n\n".join([text, *rest])


def nav_line(nav_cell, label, chapter):
    lines = [line for line in nav_cell.splitlines() if line.startswith(f"**{label}:**")]
    assert len(lines) == 1, (
        f"chapter {chapter:02d}: its last cell should have one line starting '**{label}:**', "
        f"found {len(lines)}")
    return lines[0]


@pytest.fixture(params=CHAPTERS, ids=lambda path: path.stem)
def chapter(request):
    path = request.param
    return int(path.name[:2]), path, nbformat.read(path, as_version=4)


def test_chapters_are_numbered_from_00_without_gaps():
    assert sorted(FILE_OF) == list(range(len(FILE_OF))), f"chapter numbers found: {sorted(FILE_OF)}"


def test_chapter_opens_with_its_numbered_title_and_has_no_other(chapter):
    number, path, nb = chapter
    found = headings(nb)
    titles = [text for level, text, _ in found if level == 1]
    assert found and found[0][0] == 1, f"{path.name}: the first heading should be '# {number:02d} · Title'"
    assert re.fullmatch(rf"{number:02d} · \S.*", titles[0]), (
        f"{path.name}: the title should read '# {number:02d} · Title', found '# {titles[0]}'")
    assert len(titles) == 1, f"{path.name}: only the title is a level-1 heading, found {titles}"


def check_sections(path, nb):
    """Fail with the name of the first heading of the frame that is missing or out of place."""
    sections = [text for level, text, _ in headings(nb) if level == 2]
    for expected in ["Learning objectives", "Setup", "Check your understanding", "Summary"]:
        assert expected in sections, f"{path.name}: heading '## {expected}' is missing; found {sections}"
    assert sections[:2] == ["Learning objectives", "Setup"], (
        f"{path.name}: the first two sections should be '## Learning objectives' and '## Setup', "
        f"found {sections[:2]}")
    assert sections[-2:] == ["Check your understanding", "Summary"], (
        f"{path.name}: the last two sections should be '## Check your understanding' and "
        f"'## Summary', found {sections[-2:]}")
    numbered = sections[2:-2]
    assert numbered, f"{path.name}: there are no numbered sections between Setup and Check your understanding"
    for position, text in enumerate(numbered, start=1):
        assert re.fullmatch(rf"{position}\. \S.*", text), (
            f"{path.name}: section {position} should be headed '## {position}. ...', found '## {text}'")


def test_chapter_has_the_sections_of_the_frame_in_order(chapter):
    number, path, nb = chapter
    check_sections(path, nb)


def test_learning_objectives_are_a_heading_not_bold_text(chapter):
    number, path, nb = chapter
    bold = [i for i, c in enumerate(nb.cells)
            if c.cell_type == "markdown" and "**Learning objectives" in c.source]
    assert not bold, f"{path.name}: cell {bold[0]} has bold 'Learning objectives'; use '## Learning objectives'"


def test_check_your_understanding_comes_with_folded_answers(chapter):
    number, path, nb = chapter
    where = [index for level, text, index in headings(nb) if text == "Check your understanding"]
    assert where, f"{path.name}: heading '## Check your understanding' is missing"
    section = markdown_after(nb, where[0], "## Check your understanding").split("## Summary")[0]
    assert re.search(r"<details>\s*<summary>Answers</summary>", section), (
        f"{path.name}: 'Check your understanding' should fold its answers in "
        f"'<details><summary>Answers</summary>'")
    assert re.search(r"^1\. ", section, flags=re.M), f"{path.name}: 'Check your understanding' has no numbered questions"


def test_last_cell_links_exercises_previous_and_next_chapter(chapter):
    number, path, nb = chapter
    last = nb.cells[-1]
    assert last.cell_type == "markdown" and last.source.startswith("**Exercises:**"), (
        f"{path.name}: the last cell should be markdown starting '**Exercises:**' (then Previous, Next)")
    exercises = LINK.findall(nav_line(last.source, "Exercises", number))
    assert exercises[:2] == [f"../exercises/{path.name}", f"../solutions/{path.name}"], (
        f"{path.name}: '**Exercises:**' should link ../exercises/{path.name} and then "
        f"../solutions/{path.name}, found {exercises}")
    previous = LINK.findall(nav_line(last.source, "Previous", number))
    if number == 0:
        assert previous == [], f"{path.name}: the first chapter has no previous chapter to link"
    else:
        assert previous == [FILE_OF.get(number - 1)], (
            f"{path.name}: '**Previous:**' should link {FILE_OF.get(number - 1)}, found {previous}")
    following = FILE_OF.get(number + 1)
    next_lines = [line for line in last.source.splitlines() if line.startswith("**Next:**")]
    if following is None and not next_lines:
        return  # the last chapter present may have no next chapter yet
    links = LINK.findall(nav_line(last.source, "Next", number))
    if following is not None:
        assert links[:1] == [following], f"{path.name}: '**Next:**' should link {following}, found {links}"
    else:
        assert links and re.fullmatch(rf"{number + 1:02d}_\w+\.ipynb", links[0]), (
            f"{path.name}: '**Next:**' should link chapter {number + 1:02d}'s notebook, found {links}")


def test_the_skeleton_check_names_the_missing_heading():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 05 · A chapter\n\n## Learning objectives\n\n## Setup"),
        nbformat.v4.new_markdown_cell("## 1. One\n\n## Summary"),
    ])
    with pytest.raises(AssertionError, match="heading '## Check your understanding' is missing"):
        check_sections(Path("05_a_chapter.ipynb"), nb)
    nb.cells[1].source = "## 1. One\n\n## 3. Three\n\n## Check your understanding\n\n## Summary"
    with pytest.raises(AssertionError, match="section 2 should be headed '## 2. ...', found '## 3. Three'"):
        check_sections(Path("05_a_chapter.ipynb"), nb)
