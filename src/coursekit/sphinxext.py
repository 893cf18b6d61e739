"""The book's own Sphinx extension (listed under ``sphinx: extra_extensions`` in ``_config.yml``).

Two jobs, both about what a reader's browser gets:

* **In-page explorers.** Writes the vendored Vega bundle into the build's ``_static/``
  (:func:`coursekit.explorers.assets.write_vega_bundle`) and loads it, with ``explorers.js`` and
  ``explorers.css`` from the book's ``_static/``, on the pages that carry an explorer: one file each for the
  whole site, cached by the browser, never a CDN and never a copy per chart.
* **One copy of each inline script.** Sphinx 7.4 registers again, at the start of writing, the inline scripts
  that extensions added after the builder started (``sphinx-thebe``'s ``const THEBE_JS_URL = ...``,
  ``sphinx-togglebutton``'s selector), under a different file name (``""`` instead of ``None``), so every page
  declared ``THEBE_JS_URL`` twice: a ``SyntaxError`` in the console of every page. The page's script list
  keeps the first copy of each.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

EXPLORER_MARKER = 'class="coursekit-explorer '
EXPLORER_FILES = ("explorers.css", "explorers.js")


def _write_bundle(app: Any) -> None:
    if app.builder.format != "html":
        return
    from coursekit.explorers.assets import write_vega_bundle

    write_vega_bundle(Path(app.outdir) / "_static")


def _script_key(script: Any) -> tuple[str, tuple]:
    attributes = getattr(script, "attributes", {}) or {}
    return (str(getattr(script, "filename", script) or ""), tuple(sorted(attributes.items())))


def dedupe_scripts(scripts: list) -> list:
    """``scripts`` without repeats (same file or same inline body and attributes), first copies kept."""
    seen: set[tuple[str, tuple]] = set()
    out = []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            out.append(script)
    return out


def _page_context(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    if doctree is not None and EXPLORER_MARKER in context.get("body", ""):
        from coursekit.explorers.assets import BUNDLE_NAME

        app.add_css_file("explorers.css")
        app.add_js_file(BUNDLE_NAME, defer="defer")
        app.add_js_file("explorers.js", defer="defer")
    scripts = context.get("script_files")
    if isinstance(scripts, list):
        scripts[:] = dedupe_scripts(scripts)


def setup(app: Any) -> dict[str, Any]:
    app.connect("builder-inited", _write_bundle)
    app.connect("html-page-context", _page_context, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
