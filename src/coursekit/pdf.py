"""``make pdf``: the whole book as one PDF, printed offline by Chromium.

``python -m coursekit.pdf [--out _build/pdf/alliances-of-convenience.pdf]``:

1. builds the book as one HTML page with Jupyter Book's ``singlehtml`` builder (into ``_build/singlehtml``,
   sharing the execution cache of ``make book``, so a book already built is not executed again);
2. opens that page in headless Chromium (Debian's ``chromium``, driven by Playwright; nothing is downloaded and
   every request that is not a local file is refused), waits for MathJax (served from the book's own
   ``_static/``), and prints it with the print style sheet (``_static/print.css``: no navigation, each chapter on
   a new page, the in-page explorers replaced by their default figures) into a tagged PDF with bookmarks.

Chapters keep their numbers, citations link to the bibliography inside the PDF, and the exercise pages print
as handouts: they are the student editions, with no solutions.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlparse

__all__ = [
    "PDF_NAME",
    "build_pdf",
    "build_singlehtml",
    "find_chromium",
    "main",
    "print_pdf",
    "root_page",
]

PDF_NAME = "alliances-of-convenience.pdf"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
                  "--disable-background-networking", "--disable-component-update"]  # fmt: skip


def find_chromium() -> str:
    """The Chromium executable (``$CHROMIUM_PATH``, else Debian's ``/usr/bin/chromium`` or one on ``PATH``).

    Raises
    ------
    FileNotFoundError
        If there is none, saying how to install it.
    """
    candidates = [os.environ["CHROMIUM_PATH"]] if os.environ.get("CHROMIUM_PATH") else []
    for candidate in [*candidates, *CHROMIUM_CANDIDATES]:
        path = candidate if os.path.isabs(candidate) else shutil.which(candidate)
        if path and os.access(path, os.X_OK):
            return path
    raise FileNotFoundError(
        "no Chromium to print the PDF with: install Debian's chromium package (apt-get install chromium; "
        ".ci/run does) or set CHROMIUM_PATH"
    )


def _jupyter_book() -> str:
    exe = Path(sys.executable).parent / "jupyter-book"
    return str(exe) if exe.exists() else (shutil.which("jupyter-book") or "jupyter-book")


def build_singlehtml(
    source: Path,
    *,
    path_output: Path | None = None,
    config: Path | None = None,
    strict: bool = True,
) -> Path:
    """Build the book in ``source`` as one HTML page and return the folder holding ``index.html``.

    Raises
    ------
    RuntimeError
        If Jupyter Book fails (its log's end is in the message).
    """
    cmd = [_jupyter_book(), "build", str(source), "--builder", "singlehtml"]
    if path_output is not None:
        cmd += ["--path-output", str(path_output)]
    if config is not None:
        cmd += ["--config", str(config)]
    if strict:
        cmd += ["-n", "-W", "--keep-going"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    out = (path_output or source) / "_build" / "singlehtml"
    if proc.returncode != 0 or not (out / "index.html").is_file():
        raise RuntimeError(
            f"the single-page build failed (exit {proc.returncode}):\n{(proc.stdout + proc.stderr)[-4000:]}"
        )
    return out


_READY_JS = """
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  await Promise.all([...document.images].map((img) => img.complete ? null :
    new Promise((r) => { img.onload = img.onerror = r; })));
  return true;
}
"""


def root_page(html_dir: Path) -> Path:
    """The page that holds the whole single-page build: ``index.html``, or the page it redirects to (Jupyter Book
    writes an ``index.html`` that only redirects to the root document, e.g. ``intro.html``)."""
    index = Path(html_dir) / "index.html"
    if not index.is_file():
        raise FileNotFoundError(f"no {index}: build the single-page book first")
    head = index.read_text(encoding="utf-8", errors="replace")[:2000]
    redirect = re.search(r'http-equiv="Refresh"\s+content="\d+;\s*url=([^"]+)"', head, flags=re.I)
    if redirect:
        target = Path(html_dir) / redirect[1]
        if target.is_file():
            return target.resolve()
    return index.resolve()


def print_pdf(html_dir: Path, out: Path, *, timeout_ms: int = 180_000) -> Path:
    """Print the single-page build in ``html_dir`` to ``out`` with headless Chromium, offline."""
    from playwright.sync_api import sync_playwright

    index = root_page(html_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_FLAGS)
        try:
            context = browser.new_context()
            context.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if urlparse(route.request.url).scheme in {"file", "data", "blob"}
                    else route.abort()
                ),
            )
            page = context.new_page()
            page.goto(index.as_uri(), wait_until="load", timeout=timeout_ms)
            page.evaluate(
                "() => document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')"
            )
            page.evaluate(_READY_JS)
            page.emulate_media(media="print")
            page.pdf(
                path=str(out),
                format="A4",
                margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
                print_background=True,
                outline=True,
                tagged=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=(
                    "<div style='font-size:8px;width:100%;text-align:center;color:#444'>"
                    "<span class='pageNumber'></span> / <span class='totalPages'></span></div>"
                ),
            )
        finally:
            browser.close()
    return out


def build_pdf(
    source: Path, out: Path, *, path_output: Path | None = None, config: Path | None = None
) -> Path:
    """Build the single-page book from ``source`` (optionally with another ``_config.yml``) and print it to
    ``out``; return ``out``."""
    html = build_singlehtml(source, path_output=path_output, config=config)
    return print_pdf(html, out)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m coursekit.pdf [--out FILE] [--html DIR]``."""
    from coursekit.paths import project_root

    parser = argparse.ArgumentParser(
        prog="python -m coursekit.pdf", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--out", type=Path, default=Path("_build/pdf") / PDF_NAME, help="the PDF to write"
    )
    parser.add_argument(
        "--html",
        type=Path,
        default=None,
        help="print this single-page build instead of building one",
    )
    args = parser.parse_args(argv)
    root = project_root()
    out = args.out if args.out.is_absolute() else root / args.out
    try:
        html = args.html or build_singlehtml(root)
        print_pdf(html, out)
    except (RuntimeError, FileNotFoundError) as exc:
        print(f"coursekit.pdf: {exc}", file=sys.stderr)
        return 1
    print(f"PDF written: {out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
