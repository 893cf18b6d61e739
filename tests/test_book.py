"""The book builds strictly, every page of the table of contents is in the HTML, and the strict build fails
loudly on an unknown citation or a failing cell."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, build_book

from coursekit.book import toc_entries

pytestmark = pytest.mark.book


def toc_files(toc_path: Path = ROOT / "_toc.yml") -> list[str]:
    """Every file listed in ``_toc.yml`` (root included), without suffix."""
    return toc_entries(toc_path)


def test_book_builds_strictly(built_book):
    assert built_book.returncode == 0, "Strict book build failed:\n" + built_book.log[-6000:]


def test_every_toc_page_is_built(built_book):
    assert built_book.returncode == 0, built_book.log[-3000:]
    missing = [f for f in toc_files() if not (built_book.html / f"{f}.html").is_file()]
    assert not missing, f"pages listed in _toc.yml but missing from the HTML: {missing}"


def test_toc_has_the_course_parts():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    assert toc["root"] == "intro"
    captions = [part["caption"] for part in toc["parts"]]
    assert captions[-1] == "Appendices"
    appendix = [c["file"] for c in toc["parts"][-1]["chapters"]]
    assert "chapters/glossary" in appendix and "chapters/bibliography" in appendix
    assert captions[0] == "Getting started"
    assert [c["file"] for c in toc["parts"][0]["chapters"]] == [
        "chapters/start-here",
        "chapters/syllabus",
    ]


def test_public_book_carries_no_instructor_material():
    """The instructor guide is listed only by the instructor edition (coursekit.bookbuild)."""
    assert "appendix-instructor-guide" not in " ".join(toc_files())


def test_bibliography_and_glossary_pages(built_book):
    bib = (built_book.html / "chapters" / "bibliography.html").read_text(encoding="utf-8")
    assert "Hayrapetyan" in bib and "russian foot" in bib.lower()
    glossary = (built_book.html / "chapters" / "glossary.html").read_text(encoding="utf-8")
    assert 'id="term-Tactical-alliance"' in glossary


MYST_HEADER = """\
---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  name: python3
  display_name: Python 3
---
"""


def _mini_book(tmp_path: Path, chapter: str) -> Path:
    """A two-page copy of the book's configuration with one test chapter."""
    book = tmp_path / "mini"
    book.mkdir()
    shutil.copy(ROOT / "_config.yml", book / "_config.yml")
    shutil.copy(ROOT / "references.bib", book / "references.bib")
    shutil.copytree(ROOT / "_static", book / "_static")
    (book / "intro.md").write_text(
        "# Mini book\n\nA test book.\n\n```{bibliography}\n```\n", encoding="utf-8"
    )
    (book / "chapter.md").write_text(MYST_HEADER + textwrap.dedent(chapter), encoding="utf-8")
    (book / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nchapters:\n  - file: chapter\n", encoding="utf-8"
    )
    return book


def test_strict_build_passes_on_a_good_chapter(tmp_path):
    book = _mini_book(
        tmp_path,
        """
        # Good chapter

        As argued by {cite:t}`hayrapetyan2022russian`, alliances can be tactical.

        ```{code-cell} ipython3
        print(1 + 1)
        ```
        """,
    )
    result = build_book(book, tmp_path / "out")
    assert result.returncode == 0, result.log[-4000:]


def test_strict_build_fails_on_unknown_citation(tmp_path):
    book = _mini_book(
        tmp_path,
        """
        # Bad citation

        A claim {cite:p}`nosuchkey2099`.
        """,
    )
    result = build_book(book, tmp_path / "out")
    assert result.returncode != 0
    assert "nosuchkey2099" in result.log


def test_strict_build_fails_when_a_cell_raises(tmp_path):
    book = _mini_book(
        tmp_path,
        """
        # Failing cell

        ```{code-cell} ipython3
        raise RuntimeError("this cell is broken on purpose")
        ```
        """,
    )
    result = build_book(book, tmp_path / "out")
    assert result.returncode != 0
    assert "this cell is broken on purpose" in result.log
