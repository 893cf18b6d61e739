"""The reader's door: the built book, opened page by page in headless Chromium from a local HTTP server.

Every page listed in ``_toc.yml`` is checked (new chapters are covered without editing this file): it renders
with its title; it has exactly one visible H1; every image has alt text; no error output or traceback is shown;
no live widget is left in the static page (offline it would render as nothing); every internal link and anchor
resolves; citations link to the bibliography; notebook pages carry the launch buttons and promise no other;
every figure image is visible; teaching chapters show their computed reading time; the page logs no console error
(with every non-local request blocked, a script still fetched from a CDN fails here as it would offline); the
maths is typeset, with no raw TeX left in the text; axe-core finds no serious or critical accessibility
violation. The search page finds "bandwagoning". A full-page screenshot of each page is kept in
``test-artifacts/screenshots/site/``.

The book comes from the ``built_book`` fixture (one strict, execution-forced build per test run). Sphinx's own
reference checks run in that strict (``-n -W``) build; these tests check the HTML as a reader gets it.

Development aid: ``COURSE_SITE_HTML=/path/to/_build/html`` tests an existing build instead of building, and
``COURSE_SITE_SOURCE=/path/to/book`` reads the table of contents and sources from another book folder.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from browser import (
    axe_violations,
    broken_internal_links,
    chromium,
    describe_violation,
    inspect_page,
    offline_context,
    require_chromium,
    reset_screenshots,
    screenshot,
    serve_directory,
    wait_until_settled,
)
from pedagogy_rules import ROOT, TEACHING_CHAPTER, source_of, toc_entries

from coursekit.book import count_figures

pytestmark = [pytest.mark.browser, pytest.mark.book]

SOURCE = Path(os.environ.get("COURSE_SITE_SOURCE") or ROOT)
PAGES = toc_entries(SOURCE / "_toc.yml")
BIBLIOGRAPHY = next((p for p in PAGES if p.endswith("bibliography")), "chapters/bibliography")
SEARCH_WORDS = ["bandwagoning"]


def is_notebook(entry: str) -> bool:
    """A page built from a notebook: an ``.ipynb`` file, or MyST Markdown whose front matter has a kernelspec."""
    source = source_of(entry, SOURCE)
    if source is None:
        return False
    if source.suffix == ".ipynb":
        return True
    front = re.match(r"\A---\n(.*?)\n---\n", source.read_text(encoding="utf-8"), flags=re.S)
    return bool(front and "kernelspec:" in front[1])


def cases(entries: list[str], reason: str) -> list:
    """Parametrise over ``entries``; one skipped case with ``reason`` when there are none."""
    if not entries:
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="none")]
    return [pytest.param(e, id=e) for e in entries]


# ---------------------------------------------------------------------------------------------------------
# Fixtures: the built HTML, a local server and one browser for the module; each page is read once
# ---------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for the module (skips the module's browser tests when none is installed)."""
    require_chromium()
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def site_html(request, browser) -> Path:
    """The built book's HTML folder (from ``built_book``, or ``$COURSE_SITE_HTML`` while developing)."""
    override = os.environ.get("COURSE_SITE_HTML")
    if override:
        return Path(override)
    build = request.getfixturevalue("built_book")
    if not (build.html / "index.html").is_file():
        pytest.fail("the book was not built, so there is no site to test:\n" + build.log[-4000:])
    return build.html


class Site:
    """The served book: base URL, HTML folder, and a cache of page reports."""

    def __init__(self, base_url: str, html: Path, page) -> None:
        self.base_url = base_url
        self.html = html
        self.page = page
        self._reports: dict = {}

    def open(self, entry: str) -> None:
        """Open the page of a toc entry and wait until its maths and explorers have settled."""
        self.page.goto(f"{self.base_url}{entry}.html", wait_until="load", timeout=60_000)
        wait_until_settled(self.page)

    def report(self, entry: str):
        """The page report of a toc entry (the page is loaded and screenshotted once)."""
        if entry not in self._reports:
            if not (self.html / f"{entry}.html").is_file():
                pytest.fail(f"{entry} is listed in _toc.yml but {entry}.html was not built")
            self._reports[entry] = inspect_page(self.page, f"{self.base_url}{entry}.html", entry)
        return self._reports[entry]


@pytest.fixture(scope="module")
def site(site_html, browser):
    """The book served on 127.0.0.1 with one offline page to read it."""
    reset_screenshots("site")
    with serve_directory(site_html) as base_url:
        context = offline_context(browser)
        page = context.new_page()
        try:
            yield Site(base_url, site_html, page)
        finally:
            context.close()


# ---------------------------------------------------------------------------------------------------------
# Every page
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("entry", cases(PAGES, "no pages in _toc.yml"))
def test_page_renders_with_its_title(site, entry):
    report = site.report(entry)
    assert report.status == 200, f"{entry}: HTTP status {report.status}"
    heading = report.h1[0] if report.h1 else ""
    assert heading, f"{entry}: no visible H1 heading"
    title = re.sub(r"^[\d.]+\s+", "", report.title)  # numbered parts put "1. " before the title
    assert title.startswith(heading), (
        f"{entry}: the window title {report.title!r} does not start with the page heading {heading!r}"
    )
    assert report.screenshot is not None and report.screenshot.stat().st_size > 0, (
        f"{entry}: no screenshot written"
    )


@pytest.mark.parametrize("entry", cases(PAGES, "no pages in _toc.yml"))
def test_exactly_one_h1(site, entry):
    report = site.report(entry)
    assert len(report.h1) == 1, (
        f"{entry}: {len(report.h1)} visible H1 headings {report.h1}; a page has one"
    )


@pytest.mark.parametrize("entry", cases(PAGES, "no pages in _toc.yml"))
def test_every_image_has_alt_text(site, entry):
    report = site.report(entry)
    assert not report.images_without_alt, (
        f"{entry}: images without alt text (add mystnb: image: alt: to the figure cell): "
        f"{report.images_without_alt}"
    )


@pytest.mark.parametrize("entry", cases(PAGES, "no pages in _toc.yml"))
def test_no_error_output(site, entry):
    report = site.report(entry)
    assert not report.error_outputs, (
        f"{entry}: error or stderr output shown to readers: {report.error_outputs}"
    )
    assert not report.traceback_in_text, f"{entry}: a Python traceback is shown in the page"


@pytest.mark.parametrize("entry", cases(PAGES, "no pages in _toc.yml"))
def test_no_console_errors(site, entry):
    report = site.report(entry)
    assert not report.console_errors, (
        f"{entry}: the page logs errors in the browser console (offline, every non-local request is "
        "blocked):\n" + "\n".join(report.console_errors)
    )


@pytest.mark.parametrize("entry", cases(PAGES, "no pages in _toc.yml"))
def test_maths_is_typeset_offline(site, entry):
    report = site.report(entry)
    assert not report.raw_tex, (
        f"{entry}: raw TeX is left in the page text (MathJax did not typeset it offline): {report.raw_tex}"
    )


AXE_BLOCKING = {"serious", "critical"}


@pytest.mark.parametrize("entry", cases(PAGES, "no pages in _toc.yml"))
def test_accessibility_axe(site, entry):
    site.report(entry)
    site.open(entry)  # the page itself, whatever other tests opened since its report
    violations = axe_violations(site.page)
    blocking = [v for v in violations if v.get("impact") in AXE_BLOCKING]
    assert not blocking, f"{entry}: axe-core finds serious or critical violations:\n" + "\n".join(
        describe_violation(v) for v in blocking
    )


@pytest.mark.parametrize("entry", cases(PAGES, "no pages in _toc.yml"))
def test_no_live_widget_in_the_static_page(site, entry):
    report = site.report(entry)
    assert report.widget_views == 0, (
        f"{entry}: {report.widget_views} live widget output(s) in the static page render as nothing offline; "
        "tag the live widget cell [hide-input, remove-output] and show its default figure in a figure cell"
    )


@pytest.mark.parametrize("entry", cases(PAGES, "no pages in _toc.yml"))
def test_internal_links_and_anchors_resolve(site, entry):
    report = site.report(entry)
    broken = broken_internal_links(report.links, site.base_url, site.html)
    assert not broken, f"{entry}: broken internal links:\n" + "\n".join(broken)


@pytest.mark.parametrize("entry", cases(PAGES, "no pages in _toc.yml"))
def test_citations_link_to_the_bibliography(site, entry):
    report = site.report(entry)
    target = f"{site.base_url}{BIBLIOGRAPHY}.html#"
    elsewhere = [c for c in report.citations if not c.startswith(target)]
    assert not elsewhere, f"{entry}: citations that do not link to {BIBLIOGRAPHY}.html: {elsewhere}"
    if TEACHING_CHAPTER.match(entry):
        assert report.citations, f"{entry}: a teaching chapter shows no citation links"


@pytest.mark.parametrize("entry", cases(PAGES, "no pages in _toc.yml"))
def test_figures_are_visible(site, entry):
    report = site.report(entry)
    hidden = [
        img
        for img in report.figure_images
        if not (
            img["complete"] and img["naturalWidth"] > 0 and img["width"] > 0 and img["height"] > 0
        )
    ]
    assert not hidden, f"{entry}: figure images that do not show: {hidden}"
    source = source_of(entry, SOURCE)
    if source is not None and source.suffix == ".md":
        expected = count_figures(source.read_text(encoding="utf-8"))
        shown = sum(1 for img in report.figure_images if img["inFigure"])
        assert shown >= expected, (
            f"{entry}: the source has {expected} captioned figure(s) but the page shows {shown}; "
            "does each figure cell display its default figure?"
        )


NOTEBOOK_PAGES = [e for e in PAGES if is_notebook(e)]


@pytest.mark.parametrize("entry", cases(NOTEBOOK_PAGES, "no notebook pages in _toc.yml yet"))
def test_launch_buttons_on_notebook_pages(site, entry):
    report = site.report(entry)
    wanted = {"Launch on Binder", "Launch Thebe"}
    source = source_of(entry, SOURCE)
    if source is not None and source.suffix == ".ipynb":
        wanted.add("Launch on Colab")  # Colab opens .ipynb files only
    elif source is not None:
        assert "Launch on Colab" not in report.launch_buttons, (
            f"{entry}: a Colab button on a Markdown page would open a file Colab cannot read"
        )
    missing = wanted - set(report.launch_buttons)
    assert not missing, (
        f"{entry}: launch buttons missing: {sorted(missing)} (found {report.launch_buttons})"
    )


LAUNCH_NAMES = {
    "Binder": "Launch on Binder",
    "Colab": "Launch on Colab",
    "Live Code": "Launch Thebe",
}


def promised_buttons(sentences: list[str]) -> set[str]:
    """The launch buttons that sentences about this page's rocket button promise (by the names readers see).

    Only sentences that speak of "this page" count: the preface may say what the exercise pages' button does.
    """
    return {
        button
        for sentence in sentences
        if re.search(r"\bthis page\b", sentence, flags=re.I)
        for name, button in LAUNCH_NAMES.items()
        if re.search(rf"\b{re.escape(name)}\b", sentence)
    }


@pytest.mark.parametrize("entry", cases(PAGES, "no pages in _toc.yml"))
def test_pages_promise_only_their_launch_buttons(site, entry):
    report = site.report(entry)
    missing = promised_buttons(report.launch_promises) - set(report.launch_buttons)
    assert not missing, (
        f"{entry}: the text promises launch options the page's rocket menu lacks {sorted(missing)} "
        f"(menu: {report.launch_buttons}); text: {report.launch_promises}"
    )


CHAPTER_PAGES = [e for e in PAGES if TEACHING_CHAPTER.match(e)]


@pytest.mark.parametrize("entry", cases(CHAPTER_PAGES, "no chapters yet"))
def test_reading_time_is_shown(site, entry):
    report = site.report(entry)
    assert re.search(r"Reading time: about \d+ minutes?", report.main_text), (
        f"{entry}: no 'Reading time: about N minutes' line near the top of the page"
    )


# ---------------------------------------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------------------------------------


def pages_containing(word: str) -> list[str]:
    """The toc entries whose source contains ``word`` as a whole word (any case)."""
    pattern = re.compile(rf"\b{re.escape(word)}\b", flags=re.I)
    found = []
    for entry in PAGES:
        source = source_of(entry, SOURCE)
        if source is not None and pattern.search(source.read_text(encoding="utf-8")):
            found.append(entry)
    return found


@pytest.mark.parametrize("word", SEARCH_WORDS)
def test_search_finds(site, word):
    expected = pages_containing(word)
    if not expected:
        pytest.skip(f"no page of the book contains {word!r} yet, so there is nothing to find")
    page = site.page
    page.goto(f"{site.base_url}search.html?q={word}", wait_until="load")
    page.wait_for_function(
        "() => { const h = document.querySelector('#search-results h2');"
        " return h && h.innerText.includes('Search Results'); }",
        timeout=30_000,
    )
    hits = page.eval_on_selector_all(
        "#search-results ul.search li a", "els => els.map(a => a.href)"
    )
    screenshot(page, "site", f"search-{word}")
    found = {
        h.split("#")[0].split("?")[0].removeprefix(site.base_url).removesuffix(".html")
        for h in hits
    }
    assert found & set(expected), (
        f"searching {word!r} found {sorted(found) or 'nothing'}; expected one of {expected}"
    )


# ---------------------------------------------------------------------------------------------------------
# The checks themselves, on hand-made pages (so a check that cannot fail would be caught)
# ---------------------------------------------------------------------------------------------------------

BAD_PAGE = """<!DOCTYPE html><html><head><title>Bad page</title></head><body><main>
<h1>Bad page</h1><h1>Second title</h1>
<img src="pixel.png">
<figure><img alt="A figure that never loads" src="missing.png"></figure>
<div class="cell_output"><div class="output stderr"><pre>UserWarning: something</pre></div></div>
<pre>Traceback (most recent call last):
  File "x.py", line 1</pre>
<script type="application/vnd.jupyter.widget-view+json">{"model_id": "abc"}</script>
<a href="good.html#there">fine</a> <a href="good.html#nowhere">bad anchor</a>
<a href="missing.html">bad file</a> <a href="#here">self</a> <a href="https://example.org/">outside</a>
<span id="here"></span>
<span class="bibtex-citation">[<a href="elsewhere.html#id1">Walt, 1987</a>]</span>
<p>The mean is \\((5+10+6+9)/4 = 7.5\\).</p>
<p>Run this page live (the rocket button at the top: Binder, Colab or Live Code) to move the sliders.</p>
<input type="range">
<script>console.error("boom"); undefinedFunction();</script>
<script src="https://cdn.example.org/never.js"></script>
</main></body></html>
"""

GOOD_PAGE = """<!DOCTYPE html><html lang="en"><head><title>Good page &#8212; Book</title></head><body><main>
<h1>Good page</h1><p id="there">Text.</p>
<figure><img alt="A one-pixel figure" src="pixel.png" width="40" height="30"></figure>
</main></body></html>
"""

# A 1x1 PNG.
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f0"
    "1f0005000201a3d1b3c30000000049454e44ae426082"
)


def test_page_checks_catch_problems(browser, tmp_path):
    (tmp_path / "bad.html").write_text(BAD_PAGE, encoding="utf-8")
    (tmp_path / "good.html").write_text(GOOD_PAGE, encoding="utf-8")
    (tmp_path / "pixel.png").write_bytes(PIXEL)
    with serve_directory(tmp_path) as base:
        context = offline_context(browser)
        page = context.new_page()
        try:
            bad = inspect_page(page, base + "bad.html", "bad", screenshot_group=None)
            bad_axe = axe_violations(page)
            good = inspect_page(page, base + "good.html", "good", screenshot_group=None)
            good_axe = axe_violations(page)
        finally:
            context.close()
    assert bad.h1 == ["Bad page", "Second title"]
    assert bad.images_without_alt == ["pixel.png"]
    assert any("stderr" in e and "UserWarning" in e for e in bad.error_outputs)
    assert bad.traceback_in_text
    assert bad.widget_views == 1
    assert bad.citations == [base + "elsewhere.html#id1"]
    broken = broken_internal_links(bad.links, base, tmp_path)
    assert len(broken) == 3, broken  # the bad anchor, the missing page, the citation's missing page
    assert [b.split(" ")[0].removeprefix(base) for b in broken] == [
        "good.html#nowhere",
        "missing.html",
        "elsewhere.html#id1",
    ]
    assert [img["naturalWidth"] for img in bad.figure_images] == [0]
    assert bad.raw_tex and "\\(" in bad.raw_tex[0]
    assert any("boom" in e for e in bad.console_errors)
    assert any("undefinedFunction" in e for e in bad.console_errors)
    assert any("ERR_FAILED" in e or "never.js" in e for e in bad.console_errors), bad.console_errors
    assert promised_buttons(bad.launch_promises) == {
        "Launch on Binder",
        "Launch on Colab",
        "Launch Thebe",
    }
    assert {v["id"] for v in bad_axe if v.get("impact") in AXE_BLOCKING} >= {"label"}

    assert good.h1 == ["Good page"] and good.title.startswith("Good page")
    assert not (good.images_without_alt or good.error_outputs or good.traceback_in_text)
    assert not (good.raw_tex or good.console_errors or good.launch_promises)
    assert not [v for v in good_axe if v.get("impact") in AXE_BLOCKING], good_axe
    assert broken_internal_links(good.links, base, tmp_path) == []
    assert good.figure_images[0]["complete"] and good.figure_images[0]["width"] > 0


def test_serve_directory_refuses_a_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="was the book built"):
        with serve_directory(tmp_path / "nothing"):
            pass


def test_browser_tests_skip_with_a_reason_without_chromium(monkeypatch):
    import browser as helpers

    monkeypatch.setattr(helpers, "find_chromium", lambda: None)
    with pytest.raises(pytest.skip.Exception, match="no Chromium installed"):
        helpers.require_chromium()


def test_find_chromium_rejects_a_program_that_is_not_chromium(tmp_path, monkeypatch):
    import browser as helpers

    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\necho 'not a browser'\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv(helpers.CHROMIUM_ENV, str(fake))
    helpers.find_chromium.cache_clear()
    try:
        assert helpers.find_chromium() != str(fake)
    finally:
        helpers.find_chromium.cache_clear()
