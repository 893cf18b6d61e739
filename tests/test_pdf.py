"""``make pdf``: the whole book printed to one PDF, offline, with numbered chapters in order, figures, working
internal links and searchable text.

The PDF is built once per run (``coursekit.pdf``: a strict single-page build, printed by Chromium with every
non-local request refused) into the run's temporary folder. ``COURSE_PDF=/path/to/book.pdf`` checks an
existing PDF instead (development aid).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml
from browser import require_chromium
from pedagogy_rules import ROOT, source_of, toc_entries

from coursekit.book import count_figures

pytestmark = [pytest.mark.book, pytest.mark.browser]

PAGES = toc_entries(ROOT / "_toc.yml")


def heading_of(entry: str) -> str:
    """The H1 of a toc entry's source (Markdown ``# Title`` or the first heading of a notebook)."""
    source = source_of(entry, ROOT)
    assert source is not None, f"{entry}: no source"
    text = source.read_text(encoding="utf-8")
    if source.suffix == ".ipynb":
        import nbformat

        nb = nbformat.reads(text, as_version=4)
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    match = re.search(r"^# (.+)$", text, flags=re.M)
    assert match, f"{entry}: no H1"
    return re.sub(r"[*_`]", "", match[1]).strip()


@pytest.fixture(scope="module")
def pdf_path(tmp_path_factory) -> Path:
    override = os.environ.get("COURSE_PDF")
    if override:
        return Path(override)
    require_chromium()
    from coursekit.pdf import PDF_NAME, build_pdf

    out = tmp_path_factory.mktemp("pdf")
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config.setdefault("execute", {})["execute_notebooks"] = "force"
    (out / "_config.pdf.yml").write_text(
        yaml.safe_dump(config, allow_unicode=True), encoding="utf-8"
    )
    return build_pdf(ROOT, out / PDF_NAME, path_output=out, config=out / "_config.pdf.yml")


@pytest.fixture(scope="module")
def reader(pdf_path):
    from pypdf import PdfReader

    assert pdf_path.is_file() and pdf_path.stat().st_size > 100_000, f"no PDF at {pdf_path}"
    return PdfReader(str(pdf_path))


@pytest.fixture(scope="module")
def text(reader) -> str:
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def outline_titles(reader) -> list[tuple[str, int]]:
    """(title, page number) of every bookmark, depth first."""
    found = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                found.append((str(item.title), reader.get_destination_page_number(item)))

    walk(reader.outline)
    return found


def normalise(title: str) -> str:
    """A title without its number, spaces (Chromium's bookmarks lose some at line breaks) or curly quotes."""
    title = re.sub(r"^[\d.]+\s*", "", title.strip()).replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"\s+", "", title).casefold()


def test_every_page_of_the_book_is_a_bookmark_in_reading_order(reader):
    bookmarks = outline_titles(reader)
    positions: list[int] = []
    for entry in PAGES:
        wanted = normalise(heading_of(entry))
        hits = [
            i for i, (title, _) in enumerate(bookmarks) if wanted and wanted in normalise(title)
        ]
        assert hits, f"{entry}: no bookmark {heading_of(entry)!r} in the PDF outline"
        later = [i for i in hits if not positions or i > positions[-1]]
        assert later, (
            f"{entry}: its bookmark comes before the previous page's; the chapters are not in the order "
            "of _toc.yml"
        )
        positions.append(later[0])
    pages = [bookmarks[i][1] for i in positions]
    assert pages == sorted(pages) and pages[-1] > pages[0]


def test_chapters_are_numbered(reader):
    titles = [t for t, _ in outline_titles(reader)]
    for entry in PAGES:
        if "/theory-" in entry or "/case-" in entry:
            heading = normalise(heading_of(entry))
            numbered = [t for t in titles if heading in normalise(t) and re.match(r"^\d+\.", t)]
            assert numbered, f"{entry}: its heading is not numbered in the PDF ({heading!r})"


def test_text_is_searchable(text):
    for word in ("bandwagoning", "Touadéra", "tactical alliance"):
        assert word.casefold() in text.casefold(), f"{word!r} not found in the PDF's text"
    assert "\\frac" not in text and "\\(" not in text, "raw TeX printed"


def test_figures_are_printed(reader):
    expected = sum(
        count_figures(source.read_text(encoding="utf-8"))
        for entry in PAGES
        if (source := source_of(entry, ROOT)) is not None and source.suffix == ".md"
    )
    images = sum(len(page.images) for page in reader.pages)
    assert images >= expected, f"{images} images in the PDF for {expected} captioned figures"


def test_internal_links_work(reader):
    internal, local_urls = 0, []
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            obj = annot.get_object()
            if obj.get("/Subtype") != "/Link":
                continue
            action = obj.get("/A")
            if "/Dest" in obj or (action and action.get("/S") == "/GoTo"):
                internal += 1
            elif action and action.get("/S") == "/URI":
                uri = str(action.get("/URI"))
                if uri.startswith(("file:", "http://127.0.0.1", "http://localhost")):
                    local_urls.append(uri)
    assert internal > 20, f"only {internal} internal links (citations, cross-references) in the PDF"
    assert not local_urls, f"links to the build machine's files: {local_urls[:5]}"


def test_exercise_sets_print_as_handouts_without_solutions(text):
    for entry in PAGES:
        if "/exercises/" in entry:
            assert normalise(heading_of(entry)) in normalise(text), entry
    # what the instructor pages add (coursekit.exercises.pages.instructor_page)
    for marker in (
        "Instructor edition: reference solutions",
        "Reference solution (q",
        "Model answer (q",
    ):
        assert marker.casefold() not in text.casefold(), f"{marker!r} printed: a solution leaked"


def test_the_root_page_is_found_behind_jupyter_books_redirect(tmp_path):
    from coursekit.pdf import root_page

    with pytest.raises(FileNotFoundError, match="build the single-page book first"):
        root_page(tmp_path)
    (tmp_path / "index.html").write_text(
        '<meta http-equiv="Refresh" content="0; url=intro.html" />', encoding="utf-8"
    )
    assert root_page(tmp_path) == (tmp_path / "index.html").resolve()  # the target is missing
    (tmp_path / "intro.html").write_text("<h1>Book</h1>", encoding="utf-8")
    assert root_page(tmp_path) == (tmp_path / "intro.html").resolve()


def test_no_chromium_is_said_plainly(monkeypatch):
    from coursekit import pdf

    monkeypatch.setenv("CHROMIUM_PATH", "/nonexistent/chromium")
    monkeypatch.setattr(pdf, "CHROMIUM_CANDIDATES", ("/nonexistent/chromium-too",))
    with pytest.raises(FileNotFoundError, match="apt-get install chromium"):
        pdf.find_chromium()
