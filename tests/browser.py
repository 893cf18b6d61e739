"""Shared helpers for the browser tests: find Chromium, serve a folder on 127.0.0.1, drive headless Chromium
through Playwright, inspect a built page, and keep screenshots as test artifacts.

The browser is Debian's ``chromium`` package (installed by ``.ci/run``), launched by Playwright through
``executable_path``: nothing is downloaded (never run ``playwright install``). Every request that does not go to
127.0.0.1 is aborted, so the tests never touch the network (a page that still asked for a CDN script would log a
console error, which the site tests fail on, as an offline reader would see it fail). Screenshots go to ``test-artifacts/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Route

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"

CHROMIUM_ENV = "CHROMIUM_PATH"
"""Environment variable naming a Chromium executable, to use instead of the usual places."""

CHROMIUM_CANDIDATES = (
    "/usr/bin/chromium",
    "chromium",
    "chromium-browser",
    "/usr/lib/chromium/chromium",
    "google-chrome",
)

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


# ---------------------------------------------------------------------------------------------------------
# Chromium and Playwright
# ---------------------------------------------------------------------------------------------------------


@functools.cache
def find_chromium() -> str | None:
    """Path of a working Chromium executable, or ``None`` when none is installed.

    ``$CHROMIUM_PATH`` wins when set; otherwise Debian's ``/usr/bin/chromium`` and then other usual names on
    ``PATH``. A candidate counts only if ``--version`` runs and names Chromium or Chrome (this rejects, for
    example, Ubuntu's snap stub when snapd is missing).
    """
    candidates = [os.environ[CHROMIUM_ENV]] if os.environ.get(CHROMIUM_ENV) else []
    candidates += CHROMIUM_CANDIDATES
    for candidate in candidates:
        path = candidate if os.path.isabs(candidate) else shutil.which(candidate)
        if not path or not os.access(path, os.X_OK):
            continue
        try:
            proc = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if proc.returncode == 0 and re.search(r"Chromium|Chrome", proc.stdout):
            return path
    return None


def require_chromium() -> str:
    """The Chromium executable, or skip the calling test with the reason when there is none."""
    path = find_chromium()
    if path is None:
        pytest.skip(
            "no Chromium installed: the browser tests need Debian's chromium package "
            "(apt-get install chromium; .ci/run installs it) or $CHROMIUM_PATH"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip(
            "the playwright Python package is not installed (pip install -r requirements.txt)"
        )
    return path


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium (Playwright ``Browser``) started with the course's flags; closed on exit."""
    from playwright.sync_api import sync_playwright

    executable = require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_FLAGS, timeout=60_000
        )
        try:
            yield browser
        finally:
            browser.close()


def offline_context(browser: Browser, **kwargs: Any) -> BrowserContext:
    """A browser context that aborts every request not addressed to 127.0.0.1 (no network, ever)."""
    kwargs.setdefault("viewport", {"width": 1280, "height": 900})
    context = browser.new_context(**kwargs)

    def route(route: Route) -> None:
        url = urlparse(route.request.url)
        if url.scheme in {"data", "blob"} or url.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            route.abort()

    context.route("**/*", route)
    return context


def reset_screenshots(group: str) -> Path:
    """Empty ``test-artifacts/screenshots/<group>/`` so that it holds only this run's screenshots."""
    folder = SCREENSHOTS / group
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def screenshot(page: Page, group: str, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot of ``page`` as ``test-artifacts/screenshots/<group>/<name>.png``."""
    safe = re.sub(r"[^\w.-]+", "__", name).strip("_") or "page"
    path = SCREENSHOTS / group / f"{safe}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=full_page, timeout=60_000)
    return path


# ---------------------------------------------------------------------------------------------------------
# A local HTTP server
# ---------------------------------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - signature of the base class
        pass


@contextlib.contextmanager
def serve_directory(directory: Path) -> Iterator[str]:
    """Serve ``directory`` over HTTP on 127.0.0.1 (random free port) and yield its base URL (ending in ``/``)."""
    if not Path(directory).is_dir():
        raise FileNotFoundError(f"cannot serve {directory}: no such folder (was the book built?)")
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# ---------------------------------------------------------------------------------------------------------
# Inspecting a built page
# ---------------------------------------------------------------------------------------------------------

# Collected in the page by one script, so each page is loaded and read once.
_INSPECT_JS = r"""
() => {
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.display !== 'none' && s.visibility !== 'hidden';
  };
  const text = (el) => (el.innerText || el.textContent || '').replace(/\s+/g, ' ').trim();
  const headingText = (h) => {  // the heading without its section number and "#" permalink
    const copy = h.cloneNode(true);
    copy.querySelectorAll('.section-number, .headerlink').forEach((el) => el.remove());
    return (copy.textContent || '').replace(/\s+/g, ' ').trim();
  };
  const main = document.querySelector('main') || document.body;
  const errorSelector = [
    '.cell_output .stderr', '.cell_output .traceback', '.cell_output .error',
    '.output.stderr', '.output.traceback', 'div.system-message', '.problematic',
  ].join(', ');
  const figureImages = [...main.querySelectorAll('figure img, .cell_output img')]
    .filter((img) => !img.closest('details:not([open])'))
    .map((img) => {
      const r = img.getBoundingClientRect();
      return {src: (img.getAttribute('src') || '').slice(0, 120), complete: img.complete,
              naturalWidth: img.naturalWidth, width: r.width, height: r.height,
              inFigure: !!img.closest('figure')};
    });
  const launch = document.querySelector('.dropdown-launch-buttons');
  // Text a reader sees outside code: raw TeX here means the maths did not render.
  const prose = main.cloneNode(true);
  prose.querySelectorAll('pre, code, script, style, mjx-container, .coursekit-explorer script')
    .forEach((el) => el.remove());
  const proseText = (prose.textContent || '').replace(/\s+/g, ' ');
  const texPattern = /\\\(|\\\)|\\\[|\\\]|\$\$|\\(frac|sum|times|cdot|text|mathrm|begin|end|leq|geq|alpha|beta)\b/g;
  const rawTex = [];
  let m;
  while ((m = texPattern.exec(proseText)) !== null && rawTex.length < 5) {
    rawTex.push(proseText.slice(Math.max(0, m.index - 40), m.index + 40));
  }
  const sentences = text(main).split(/(?<=[.!?])\s+/);
  return {
    title: document.title,
    h1: [...document.querySelectorAll('h1')].filter(visible).map(headingText),
    imagesWithoutAlt: [...document.querySelectorAll('img')]
      .filter((img) => !(img.getAttribute('alt') || '').trim())
      .map((img) => (img.getAttribute('src') || '(no src)').slice(0, 120)),
    errorOutputs: [...document.querySelectorAll(errorSelector)]
      .map((el) => `${el.className}: ${text(el).slice(0, 300)}`),
    tracebackInText: /Traceback \(most recent call last\)/.test(main.innerText),
    widgetViews: main.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length,
    links: [...document.querySelectorAll('a[href]')].map((a) => a.href),
    citations: [...main.querySelectorAll('.bibtex-citation a[href]')].map((a) => a.href),
    launchButtons: launch ? [...launch.querySelectorAll('.dropdown-menu a, .dropdown-menu button')]
      .map((el) => el.getAttribute('title') || el.getAttribute('data-bs-original-title')
                   || el.getAttribute('aria-label') || text(el)) : [],
    figureImages: figureImages,
    mainText: text(main).slice(0, 2000),
    rawTex: rawTex,
    launchPromises: sentences.filter((t) => /rocket button/i.test(t)),
    explorers: [...main.querySelectorAll('.coursekit-explorer')].map((el) => el.id),
  };
}
"""


@dataclass
class PageReport:
    """What a built page shows in the browser (collected once per page)."""

    entry: str
    url: str
    status: int | None
    title: str = ""
    h1: list[str] = field(default_factory=list)
    images_without_alt: list[str] = field(default_factory=list)
    error_outputs: list[str] = field(default_factory=list)
    traceback_in_text: bool = False
    widget_views: int = 0
    links: list[str] = field(default_factory=list)
    citations: list[str] = field(default_factory=list)
    launch_buttons: list[str] = field(default_factory=list)
    figure_images: list[dict] = field(default_factory=list)
    main_text: str = ""
    raw_tex: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    launch_promises: list[str] = field(default_factory=list)
    explorers: list[str] = field(default_factory=list)
    screenshot: Path | None = None


def inspect_page(
    page: Page, url: str, entry: str, *, screenshot_group: str | None = "site"
) -> PageReport:
    """Open ``url`` in ``page``, let its images, maths and explorers load, read everything the site checks need,
    take a screenshot.

    Console errors and uncaught exceptions of the page (a blocked CDN request shows up as one) are collected in
    ``console_errors``.
    """
    errors: list[str] = []

    def on_console(message) -> None:
        if message.type == "error":
            errors.append(f"console: {message.text}")

    def on_error(error) -> None:
        errors.append(f"uncaught: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_error)
    try:
        response = page.goto(url, wait_until="load", timeout=60_000)
        status = response.status if response is not None else None
        wait_until_settled(page)
        report = _read_page(page, url, entry, status)
    finally:
        page.remove_listener("console", on_console)
        page.remove_listener("pageerror", on_error)
    report.console_errors = errors
    if screenshot_group:
        report.screenshot = screenshot(page, screenshot_group, entry)
    return report


_SETTLED_JS = """
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const blocks = [...document.querySelectorAll('.coursekit-explorer')];
  const ready = () => blocks.every((b) => {
    const state = (window.coursekitExplorers || {})[b.getAttribute('data-explorer')];
    return state && (state.updates > 0 || state.error);
  });
  const start = performance.now();
  while (!ready() && performance.now() - start < 20000) {
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}
"""


def wait_until_settled(page: Page) -> None:
    """Wait until MathJax has typeset the page and every in-page explorer has drawn (or failed)."""
    with contextlib.suppress(Exception):
        page.wait_for_function("() => document.readyState === 'complete'", timeout=15_000)
    page.evaluate(_SETTLED_JS)


def _read_page(page: Page, url: str, entry: str, status: int | None) -> PageReport:
    """Read the page report of an open page (images made to load first)."""
    # Make lazily loaded images load now, then wait (briefly) for every image to finish.
    page.evaluate(
        "() => document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')"
    )
    with contextlib.suppress(Exception):
        page.wait_for_function(
            "() => [...document.images].every((i) => i.complete)", timeout=15_000
        )
    data = page.evaluate(_INSPECT_JS)
    report = PageReport(
        entry=entry,
        url=url,
        status=status,
        title=data["title"],
        h1=data["h1"],
        images_without_alt=data["imagesWithoutAlt"],
        error_outputs=data["errorOutputs"],
        traceback_in_text=data["tracebackInText"],
        widget_views=data["widgetViews"],
        links=data["links"],
        citations=data["citations"],
        launch_buttons=data["launchButtons"],
        figure_images=data["figureImages"],
        main_text=data["mainText"],
        raw_tex=data["rawTex"],
        launch_promises=data["launchPromises"],
        explorers=data["explorers"],
    )
    return report


def axe_violations(page: Page) -> list[dict]:
    """The axe-core violations of the page open in ``page`` (axe-core ships in ``axe-playwright-python``).

    The WCAG 2.x A and AA rules and axe's best practices run; nothing is downloaded.
    """
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return list(results.response.get("violations", []))


def describe_violation(violation: dict) -> str:
    """One violation in a line a developer can act on: rule, impact, help and the first few elements."""
    targets = [", ".join(node.get("target", [])) for node in violation.get("nodes", [])[:4]]
    more = len(violation.get("nodes", [])) - len(targets)
    return (
        f"- {violation.get('id')} ({violation.get('impact')}): {violation.get('help')} "
        f"[{'; '.join(targets)}{f' and {more} more' if more > 0 else ''}]"
    )


class _IdCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (name == "id" or (tag == "a" and name == "name")):
                self.ids.add(value)


@functools.cache
def html_ids(path: Path) -> frozenset[str]:
    """Every ``id`` (and ``<a name>``) in an HTML file."""
    collector = _IdCollector()
    collector.feed(path.read_text(encoding="utf-8", errors="replace"))
    return frozenset(collector.ids)


def broken_internal_links(links: list[str], base_url: str, html_root: Path) -> list[str]:
    """The links under ``base_url`` whose file is missing from ``html_root`` or whose ``#anchor`` is not an id there.

    Links elsewhere (other hosts, ``mailto:``, ``javascript:``) are not followed: no network.
    """
    broken = []
    base = urlparse(base_url)
    for link in dict.fromkeys(links):
        url = urlparse(link)
        if url.scheme not in {"http", "https"} or url.netloc != base.netloc:
            continue
        relative = unquote(url.path)[len(base.path) :]
        target = html_root / relative
        if relative == "" or relative.endswith("/"):
            target = target / "index.html"
        if not target.is_file():
            broken.append(f"{link} (no file {relative or 'index.html'})")
            continue
        fragment = unquote(url.fragment)
        if fragment and target.suffix == ".html" and fragment not in html_ids(target):
            broken.append(
                f"{link} (no element with id {fragment!r} in {target.relative_to(html_root)})"
            )
    return broken
