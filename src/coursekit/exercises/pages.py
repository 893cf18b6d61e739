"""The exercise pages of the book (Part III), generated from the exercise sources.

``coursekit pages`` writes the student edition of every set into ``chapters/exercises/NN-slug.ipynb``: the
page students read in the book and download (the download button of the page gives the notebook). Two small
changes make it read well as a page: a note under the introduction with the time, the points and how to open
the notebook, and the setup cell (with its encoded self-check data) folded away (``hide-input``). The instructor
edition of the book (:mod:`coursekit.bookbuild`) uses :func:`instructor_page` instead: solutions shown, the
hidden tests folded, and each written question followed by its model answer and rubric.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from coursekit import __version__
from coursekit.exercises.format import ExerciseSet, load_source, make_student_edition
from coursekit.exercises.publish import INSTALL_TAG, publication, publish_notebook
from coursekit.exercises.release import find_sources

__all__ = [
    "default_dirs",
    "instructor_page",
    "stale_pages",
    "student_page",
    "write_pages",
]

_PAGE_NAME = re.compile(r"^\d\d-[a-z0-9-]+\.ipynb$")


def default_dirs(src: Path | None = None, out: Path | None = None) -> tuple[Path, Path]:
    """Return the sources folder and the pages folder (defaults: ``exercises/`` and ``chapters/exercises/``)."""
    from coursekit.paths import project_root

    if src is None or out is None:
        root = project_root()
        src = src if src is not None else root / "exercises"
        out = out if out is not None else root / "chapters" / "exercises"
    return Path(src), Path(out)


def _points(ex: ExerciseSet) -> str:
    total = ex.total_points
    return f"{total:g} point" + ("" if total == 1 else "s")


def _info_cell(ex: ExerciseSet, edition: str) -> NotebookNode:
    lines = [f"**Time:** about {ex.minutes} minutes · **Points:** {_points(ex)}", ""]
    if edition == "student":
        lines.append(
            "Open this notebook in Colab (the rocket button at the top of the page), or download it (the "
            "download button) and open it in JupyterLab or Jupyter Notebook. Its first code cell installs the "
            "course package `coursekit` where it is missing, so the notebook is all you need."
        )
    else:
        lines.append(
            "**Instructor edition:** reference solutions are shown; the hidden tests (folded) grade "
            "submissions and never reach students; written answers are followed by a model answer and the "
            "rubric."
        )
    cell = nbformat.v4.new_markdown_cell("\n".join(lines))
    cell.id = f"{ex.set_id}-info"[:64]
    return cell


def _insert_after_title(nb: NotebookNode, cell: NotebookNode) -> None:
    for i, c in enumerate(nb.cells):
        if c.cell_type == "markdown" and re.search(r"^# ", c.source, flags=re.M):
            nb.cells.insert(i + 1, cell)
            return
    nb.cells.insert(0, cell)


def _hide_input(cell: NotebookNode) -> None:
    tags = list(cell.metadata.get("tags", []))
    if "hide-input" not in tags:
        cell.metadata["tags"] = [*tags, "hide-input"]


def student_page(ex: ExerciseSet) -> NotebookNode:
    """The book page of a set: its student edition, with an info line and the setup cell folded.

    Parameters
    ----------
    ex : ExerciseSet
        The parsed source.

    Returns
    -------
    nbformat.NotebookNode
    """
    nb = publish_notebook(make_student_edition(ex), __version__, publication())
    for cell in nb.cells:
        if {"setup", INSTALL_TAG} & set(cell.metadata.get("tags", [])):
            _hide_input(cell)
    _insert_after_title(nb, _info_cell(ex, "student"))
    return nb


def instructor_page(ex: ExerciseSet) -> NotebookNode:
    """The instructor-edition page of a set: the source with solutions shown and hidden tests folded.

    Parameters
    ----------
    ex : ExerciseSet
        The parsed source.

    Returns
    -------
    nbformat.NotebookNode
    """
    nb = copy.deepcopy(ex.notebook)
    nb.metadata.pop("widgets", None)
    _hide_input(nb.cells[ex.setup_cell])
    extra: dict[int, NotebookNode] = {}
    for q in ex.questions:
        for i in q.hidden_tests_cells:
            _hide_input(nb.cells[i])
        if q.kind == "manual" and q.solution_cell is not None:
            cell = nb.cells[q.solution_cell]
            cell.source = (
                f"**Model answer ({q.qid}):**\n\n{cell.source.strip()}\n\n"
                f"**Rubric ({q.points:g} points):** {q.rubric}"
            )
        elif q.solution_cell is not None:
            extra[q.solution_cell] = nbformat.v4.new_markdown_cell(
                f"*Reference solution ({q.qid}):*"
            )
    cells = []
    for i, cell in enumerate(nb.cells):
        if i in extra:
            marker = extra[i]
            marker.id = f"{ex.set_id}-{i}-ref"[:64]
            cells.append(marker)
        cells.append(cell)
    nb.cells = cells
    _insert_after_title(nb, _info_cell(ex, "instructor"))
    return nb


def _expected_pages(src: Path) -> dict[str, str]:
    pages = {}
    for path in find_sources(src):
        ex = load_source(path)
        pages[path.name] = nbformat.writes(student_page(ex)) + "\n"
    return pages


def write_pages(src: Path, out: Path) -> list[Path]:
    """Write the book page of every set in ``src`` into ``out``; remove pages of sets that no longer exist.

    Parameters
    ----------
    src : pathlib.Path
        The folder of exercise sources.
    out : pathlib.Path
        The pages folder (``chapters/exercises``).

    Returns
    -------
    list of pathlib.Path
        The pages written.

    Raises
    ------
    FileNotFoundError, FormatError
        If there are no sources or one is malformed (nothing is written then).
    """
    pages = _expected_pages(src)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.ipynb"):
        if _PAGE_NAME.match(old.name) and old.name not in pages:
            old.unlink()
    written = []
    for name, text in pages.items():
        target = out / name
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def stale_pages(src: Path, out: Path) -> list[str]:
    """Say which pages in ``out`` are missing, out of date or left over; an empty list means up to date.

    Parameters
    ----------
    src : pathlib.Path
        The folder of exercise sources.
    out : pathlib.Path
        The pages folder.

    Returns
    -------
    list of str
        One sentence per problem, naming the file.
    """
    pages = _expected_pages(src)
    problems = []
    for name, text in pages.items():
        target = out / name
        if not target.exists():
            problems.append(f"{target}: missing (the source {src / name} has no page yet)")
        elif target.read_text(encoding="utf-8") != text:
            problems.append(f"{target}: out of date with its source {src / name}")
    if out.is_dir():
        for old in sorted(out.glob("*.ipynb")):
            if _PAGE_NAME.match(old.name) and old.name not in pages:
                problems.append(f"{old}: left over (no source {src / old.name})")
    return problems
