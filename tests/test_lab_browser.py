"""The student's door: JupyterLab from the project's environment, driven in headless Chromium.

A JupyterLab server starts on 127.0.0.1 (random free port, a token, no browser) over a temporary folder that holds
a chapter notebook with a widget (a chapter converted with jupytext; the first chapter that has a live widget
cell, or a small slider notebook while no chapter has one) and a student-edition exercise notebook (the first
page in ``chapters/exercises/``, or a minimal notebook calling ``coursekit.exercises.check`` while there is
none). The test runs all cells from the Run menu, changes a widget control with the keyboard and checks that the
widget's output changes; then runs the student edition with its blank answers and checks that the self-checks
say "not attempted" and that no traceback appears. Screenshots go to ``test-artifacts/screenshots/lab/``.

The server is isolated (its own settings, workspaces, runtime and config folders; the news feed and update check
off, so no notification covers the outputs), stops itself after five idle minutes, and is always stopped by the
fixture's finaliser, even when a test fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
import pytest
from browser import (
    ARTIFACTS,
    chromium,
    free_port,
    offline_context,
    require_chromium,
    reset_screenshots,
    screenshot,
)
from pedagogy_rules import ROOT, read_chapter, toc_entries

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

try:
    from playwright.sync_api import Error as PlaywrightError
except ImportError:  # the tests then skip (see browser.require_chromium)
    PlaywrightError = Exception

pytestmark = pytest.mark.browser

VENV_BIN = Path(sys.executable).parent
STARTUP_TIMEOUT = 120  # seconds for the server to answer
RUN_TIMEOUT = 240_000  # milliseconds for "Run All Cells" to finish a notebook
CHANGE_TIMEOUT = 60_000  # milliseconds for a widget to redraw after a control change
IDLE_SHUTDOWN = 300  # seconds: the server stops itself when nothing has happened for this long

LAB_SETTINGS = {
    # No "Jupyter news" question, no update check: nothing covers the outputs in the screenshots.
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    # Every cell in the DOM (no virtual scrolling), so the test can reach any cell.
    # and start the notebook's kernel without asking (no "Select Kernel" dialog).
    "@jupyterlab/notebook-extension:tracker": {
        "windowingMode": "none",
        "autoStartDefaultKernel": True,
    },
}


# ---------------------------------------------------------------------------------------------------------
# The notebooks a student opens
# ---------------------------------------------------------------------------------------------------------


@dataclass
class LabNotebook:
    """A notebook placed in the server's folder: its path there, where it came from, and its widget cell."""

    path: str
    origin: str
    widget_cell: int | None = None


def _widget_cell_index(nb: nbformat.NotebookNode) -> int | None:
    """Index of the live widget cell: a code cell tagged ``remove-output`` that shows a widget."""
    for index, cell in enumerate(nb.cells):
        tags = cell.get("metadata", {}).get("tags", [])
        if (
            cell.cell_type == "code"
            and "remove-output" in tags
            and re.search(r"widget", cell.source, re.I)
        ):
            return index
    return None


def chapter_with_widget(root: Path = ROOT) -> Path | None:
    """The first teaching chapter with a live widget cell, or ``None``.

    Chapters listed in ``_toc.yml`` come first (in book order), then other chapter files (in name order).
    """
    toc = root / "_toc.yml"
    entries = toc_entries(toc) if toc.is_file() else []
    listed = [root / f"{entry}.md" for entry in entries if (root / f"{entry}.md").is_file()]
    others = sorted(p for p in (root / "chapters").glob("*.md") if p not in listed)
    for path in listed + others:
        if not re.match(r"(theory|case)-\d\d-", path.name):
            continue
        chapter = read_chapter(path, root)
        for cell in chapter.code_cells:
            if "remove-output" in cell.tags and re.search(r"widget", cell.source, re.I):
                return path
    return None


def place_chapter(chapter: Path, folder: Path) -> LabNotebook:
    """Convert a MyST chapter to ``.ipynb`` with jupytext into ``folder`` (with the ``.md`` beside it, which the
    chapter's reading-time cell reads)."""
    import jupytext

    nb = jupytext.read(chapter)
    nb.metadata.pop("jupytext", None)  # a plain notebook, not one paired with the .md beside it
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    target = folder / f"{chapter.stem}.ipynb"
    nbformat.write(nb, target)
    shutil.copy(chapter, folder / chapter.name)
    return LabNotebook(target.name, f"chapters/{chapter.name}", _widget_cell_index(nb))


SLIDER_NOTEBOOK = [
    "import ipywidgets as W\n"
    "slider = W.IntSlider(value=3, min=0, max=10, description='n')\n"
    "out = W.Output()\n"
    "def show(change=None):\n"
    "    out.clear_output(wait=True)\n"
    "    with out:\n"
    "        print(f'{slider.value} squared is {slider.value ** 2}')\n"
    "slider.observe(show, names='value')\n"
    "show()",
    "W.VBox([slider, out])",
]


def place_slider_notebook(folder: Path) -> LabNotebook:
    """A small notebook whose output follows an IntSlider (used while no chapter has a widget)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_markdown_cell("# A slider")]
    nb.cells += [nbformat.v4.new_code_cell(source) for source in SLIDER_NOTEBOOK]
    nb.cells[-1].metadata["tags"] = ["remove-output"]
    target = folder / "slider.ipynb"
    nbformat.write(nb, target)
    return LabNotebook(
        target.name, "a built-in slider notebook (no chapter has a widget yet)", len(nb.cells) - 1
    )


def place_student_edition(folder: Path, root: Path = ROOT) -> LabNotebook | None:
    """The first student-edition page, or a minimal ``check()`` notebook; ``None`` if ``check`` does not exist."""
    pages = sorted((root / "chapters" / "exercises").glob("*.ipynb"))
    if pages:
        shutil.copy(pages[0], folder / pages[0].name)
        return LabNotebook(pages[0].name, f"chapters/exercises/{pages[0].name}")
    try:
        from coursekit.exercises import check  # noqa: F401
    except ImportError:
        return None
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A blank answer"),
        nbformat.v4.new_code_cell("from coursekit.exercises import check"),
        nbformat.v4.new_code_cell("# coursekit: q1\nanswer = ..."),
        nbformat.v4.new_code_cell('# coursekit: q1\ncheck("q1", answer)'),
    ]
    nbformat.write(nb, folder / "blank-answer.ipynb")
    return LabNotebook("blank-answer.ipynb", "a minimal check() notebook (no student edition yet)")


# ---------------------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------------------


@dataclass
class LabServer:
    """A running JupyterLab: its URL, token, folder, process and log file."""

    url: str
    token: str
    root: Path
    process: subprocess.Popen
    log: Path

    def api(self, path: str, method: str = "GET", timeout: float = 10) -> bytes:
        """Call the server's REST API with the token; return the response body."""
        request = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()

    def log_tail(self, chars: int = 4000) -> str:
        """The end of the server's log, for failure messages."""
        return (
            self.log.read_text(encoding="utf-8", errors="replace")[-chars:]
            if self.log.exists()
            else ""
        )

    def stop(self) -> None:
        """Stop the server and its kernels: the REST shutdown first, then SIGTERM, then SIGKILL.

        Kernels run in sessions of their own, so they are found as the server's child processes first and
        any left once the server has gone are killed too.
        """
        if self.process.poll() is not None:
            return
        children = []
        with contextlib.suppress(Exception):
            import psutil

            children = psutil.Process(self.process.pid).children(recursive=True)
        with contextlib.suppress(OSError, urllib.error.URLError):
            self.api("api/shutdown", method="POST")
        for sig, wait in ((None, 15), (signal.SIGTERM, 10), (signal.SIGKILL, 10)):
            if sig is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        for child in children:
            with contextlib.suppress(Exception):
                if child.is_running():
                    child.kill()


def start_lab(root: Path, state: Path) -> LabServer:
    """Start JupyterLab over ``root`` on 127.0.0.1 with a token; its settings and logs live in ``state``."""
    settings = state / "app-settings"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "overrides.json").write_text(json.dumps(LAB_SETTINGS, indent=2), encoding="utf-8")
    for name in ("user-settings", "workspaces", "config", "data", "runtime"):
        (state / name).mkdir(exist_ok=True)
    port, token = free_port(), secrets.token_hex(16)
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(state / "config"),
        JUPYTER_DATA_DIR=str(state / "data"),
        JUPYTER_RUNTIME_DIR=str(state / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(state / "user-settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(state / "workspaces"),
        PYTHONUNBUFFERED="1",
    )
    exe = VENV_BIN / "jupyter-lab"
    command = [str(exe) if exe.exists() else "jupyter-lab"]
    command += [
        "--no-browser",
        "--allow-root",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.terminals_enabled=False",
        f"--ServerApp.shutdown_no_activity_timeout={IDLE_SHUTDOWN}",
        f"--MappingKernelManager.cull_idle_timeout={IDLE_SHUTDOWN}",
        "--MappingKernelManager.cull_interval=60",
        f"--LabApp.app_settings_dir={settings}",
        f"--LabApp.user_settings_dir={state / 'user-settings'}",
        f"--LabApp.workspaces_dir={state / 'workspaces'}",
        "--LabApp.news_url=None",
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.extension_manager=readonly",
        "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
    ]
    log = ARTIFACTS / "lab" / "jupyterlab.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w", encoding="utf-8") as log_file:
        process = subprocess.Popen(
            command,
            cwd=root,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = LabServer(f"http://127.0.0.1:{port}/", token, root, process, log)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        if process.poll() is not None:
            raise RuntimeError(
                f"JupyterLab exited with status {process.returncode} while starting:\n"
                + server.log_tail()
            )
        try:
            server.api("api/status", timeout=5)
            return server
        except (OSError, urllib.error.URLError):
            if time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(
                    f"JupyterLab did not answer on {server.url} within {STARTUP_TIMEOUT} s:\n"
                    + server.log_tail()
                ) from None
            time.sleep(0.5)


# ---------------------------------------------------------------------------------------------------------
# Driving JupyterLab
# ---------------------------------------------------------------------------------------------------------

_RUN_STATE_JS = r"""
() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return null;
  const cells = [...panel.querySelectorAll('.jp-CodeCell')];
  const prompts = cells
    .filter((c) => (c.querySelector('.jp-InputArea-editor')?.innerText || '').trim() !== '')
    .map((c) => (c.querySelector('.jp-InputPrompt')?.innerText || '').trim());
  const outputs = [...panel.querySelectorAll('.jp-OutputArea-output')].map((o) => o.innerText || '');
  return {
    prompts: prompts,
    running: prompts.filter((p) => p.includes('*')).length,
    done: prompts.filter((p) => /\[\d+\]/.test(p)).length,
    traceback: outputs.some((t) => t.includes('Traceback')),
    text: outputs.join('\n'),
  };
}
"""


def open_notebook(page: Page, lab: LabServer, notebook: LabNotebook) -> None:
    """Open a notebook in a fresh workspace and wait until its kernel session is ready and idle.

    JupyterLab may replace the kernel it first starts while the notebook opens; cells run before its session
    is ready can be lost. The app object (exposed for the tests) tells when the session is ready; the run
    itself then goes through the menus like a student's.
    """
    workspace = re.sub(r"\W+", "-", Path(notebook.path).stem)
    page.goto(f"{lab.url}lab/workspaces/{workspace}/tree/{notebook.path}?reset&token={lab.token}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=120_000)
    page.wait_for_function(
        "(path) => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
        " return w && w.context && w.context.path === path; }",
        arg=notebook.path,
        timeout=120_000,
    )
    kernel = page.evaluate(
        "async () => { const w = window.jupyterapp.shell.currentWidget;"
        " await w.context.ready; await w.sessionContext.ready;"
        " const k = w.sessionContext.session && w.sessionContext.session.kernel;"
        " return k ? k.id : null; }"
    )
    assert kernel, (
        f"{notebook.origin}: JupyterLab opened the notebook without a kernel:\n{lab.log_tail()}"
    )
    page.wait_for_function(
        "() => { const i = document.querySelector("
        "'.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');"
        " return i && i.getAttribute('data-status') === 'idle'; }",
        timeout=120_000,
    )
    expected = len(nbformat.read(lab.root / notebook.path, as_version=4).cells)
    try:
        page.wait_for_function(
            "(n) => document.querySelectorAll("
            "'.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell').length === n",
            arg=expected,
            timeout=60_000,
        )
    except PlaywrightError:
        shown = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").count()
        pytest.fail(
            f"{notebook.origin}: JupyterLab shows {shown} of {expected} cells "
            "(is the windowingMode 'none' setting applied?)"
        )


def run_all_cells(page: Page, notebook: LabNotebook) -> dict:
    """Run → Run All Cells, then wait until every non-empty code cell ran (or the run stopped on an error)."""
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").first.click()
    page.keyboard.press("Escape")
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    # The run has started once a cell is running or done.
    try:
        page.wait_for_function(
            f"() => {{ const s = ({_RUN_STATE_JS})(); return s && (s.running > 0 || s.done > 0); }}",
            timeout=60_000,
        )
    except PlaywrightError:
        screenshot(page, "lab", f"{Path(notebook.path).stem}-run-did-not-start", full_page=False)
        raise
    # Cells may be marked [*] one at a time, so "nothing running" alone is not the end: wait until every
    # non-empty code cell has its execution count, or a traceback stopped the run.
    with contextlib.suppress(PlaywrightError):
        page.wait_for_function(
            f"() => {{ const s = ({_RUN_STATE_JS})(); return s && s.running === 0 &&"
            " (s.done === s.prompts.length || s.traceback); }",
            timeout=RUN_TIMEOUT,
        )
    state = page.evaluate(_RUN_STATE_JS)
    if state["traceback"] or state["done"] != len(state["prompts"]):
        screenshot(page, "lab", f"{Path(notebook.path).stem}-run-failed", full_page=False)
    assert not state["traceback"], (
        f"{notebook.origin}: a cell raised when run in JupyterLab:\n{state['text'][-3000:]}"
    )
    assert state["done"] == len(state["prompts"]), (
        f"{notebook.origin}: not every cell ran (prompts {state['prompts']})"
    )
    return state


_WIDGET_SNAPSHOT_JS = r"""
(cell) => {
  const hash = (s) => { let h = 0; for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0; return h; };
  const outputs = [...cell.querySelectorAll('.widget-output, .jupyter-widgets-output-area, .widget-html-content')]
    .map((el) => el.innerText || '');
  const images = [...cell.querySelectorAll('.jp-OutputArea img')].map((img) => hash(img.src || ''));
  return JSON.stringify({outputs, images});
}
"""


def change_a_control(cell: Locator) -> str:
    """Change the first control of the widget in ``cell`` with the keyboard or a click; say what was done."""
    handle = cell.locator(".noUi-handle")
    if handle.count():
        readout = cell.locator(".widget-readout").first
        before = readout.inner_text() if readout.count() else None
        handle.first.focus()
        handle.first.press("ArrowRight")
        if readout.count() and readout.inner_text() == before:  # already at its maximum
            handle.first.press("ArrowLeft")
            handle.first.press("ArrowLeft")
        return "moved the first slider with the arrow keys"
    select = cell.locator("select")
    if select.count():
        options = select.first.locator("option").all_inner_texts()
        current = select.first.input_value()
        values = select.first.evaluate("s => [...s.options].map(o => o.value)")
        other = next(v for v in values if v != current) if len(values) > 1 else None
        if other is not None:
            select.first.select_option(other)
            return f"chose another option of the first drop-down ({options[values.index(other)]})"
    checkbox = cell.locator("input[type=checkbox]")
    if checkbox.count():
        checkbox.first.click()
        return "toggled the first checkbox"
    pytest.fail("the widget has no slider, drop-down or checkbox to change")


# ---------------------------------------------------------------------------------------------------------
# Fixtures and tests
# ---------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory) -> dict:
    """The server's folder with the widget notebook and the student edition placed in it."""
    require_chromium()
    reset_screenshots("lab")
    folder = tmp_path_factory.mktemp("lab-root")
    chapter = chapter_with_widget()
    widget_nb = place_chapter(chapter, folder) if chapter else place_slider_notebook(folder)
    return {"folder": folder, "widget": widget_nb, "student": place_student_edition(folder)}


@pytest.fixture(scope="module")
def lab(notebooks, tmp_path_factory):
    """A JupyterLab server over the notebooks' folder, always stopped afterwards."""
    server = start_lab(notebooks["folder"], tmp_path_factory.mktemp("lab-state"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def lab_browser():
    """An offline browser context for JupyterLab pages."""
    with chromium() as browser:
        context = offline_context(browser, viewport={"width": 1400, "height": 1000})
        try:
            yield context
        finally:
            context.close()


def test_widget_output_changes_when_a_control_changes(lab, lab_browser, notebooks):
    notebook: LabNotebook = notebooks["widget"]
    assert notebook.widget_cell is not None, f"{notebook.origin}: no live widget cell found"
    page = lab_browser.new_page()
    try:
        open_notebook(page, lab, notebook)
        run_all_cells(page, notebook)
        cell = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").nth(
            notebook.widget_cell
        )
        cell.locator(".jupyter-widgets").first.wait_for(timeout=CHANGE_TIMEOUT)
        cell.scroll_into_view_if_needed()
        screenshot(page, "lab", "widget-1-after-run-all", full_page=False)
        before = cell.evaluate(_WIDGET_SNAPSHOT_JS)
        action = change_a_control(cell)
        try:
            page.wait_for_function(
                f"([cell, before]) => ({_WIDGET_SNAPSHOT_JS})(cell) !== before",
                arg=[cell.element_handle(), before],
                timeout=CHANGE_TIMEOUT,
            )
        except Exception as exc:  # playwright's TimeoutError: say what did not happen
            screenshot(page, "lab", "widget-2-no-change", full_page=False)
            pytest.fail(
                f"{notebook.origin}: the widget's output did not change after the test {action} ({exc})"
            )
        screenshot(page, "lab", "widget-2-after-change", full_page=False)
        state = page.evaluate(_RUN_STATE_JS)
        assert not state["traceback"], (
            f"{notebook.origin}: a traceback appeared after the control changed"
        )
    finally:
        page.close()


def test_blank_answers_say_not_attempted(lab, lab_browser, notebooks):
    notebook: LabNotebook | None = notebooks["student"]
    if notebook is None:
        pytest.skip(
            "no student edition in chapters/exercises/ and no coursekit.exercises.check yet"
        )
    page = lab_browser.new_page()
    try:
        open_notebook(page, lab, notebook)
        state = run_all_cells(page, notebook)
        screenshot(page, "lab", "student-edition-after-run-all", full_page=False)
        verdicts = re.findall(r"q\w*: (correct|incorrect|not attempted|unavailable)", state["text"])
        assert verdicts, (
            f"{notebook.origin}: no check() verdict was printed:\n{state['text'][-2000:]}"
        )
        assert set(verdicts) == {"not attempted"}, (
            f"{notebook.origin}: blank answers should all say 'not attempted', got {verdicts}"
        )
    finally:
        page.close()


def test_helpers_find_the_widget_cell(tmp_path):
    chapter = tmp_path / "chapters" / "theory-09-sample.md"
    chapter.parent.mkdir()
    chapter.write_text(
        "---\nkernelspec:\n  name: python3\n  display_name: Python 3\n---\n# Sample\n\n"
        "```{code-cell} ipython3\nx = 1\n```\n\n"
        "```{code-cell} ipython3\n:tags: [hide-input, remove-output]\nfrom coursekit.widgets import theory\n"
        "theory.ThreatExplorer().widget\n```\n",
        encoding="utf-8",
    )
    assert chapter_with_widget(tmp_path) == chapter
    placed = place_chapter(chapter, tmp_path)
    nb = nbformat.read(tmp_path / placed.path, as_version=4)
    assert (
        placed.widget_cell is not None and "ThreatExplorer" in nb.cells[placed.widget_cell].source
    )
    chapter.write_text(
        chapter.read_text().replace("remove-output", "hide-output"), encoding="utf-8"
    )
    assert chapter_with_widget(tmp_path) is None
