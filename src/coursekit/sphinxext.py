"""The book's own Sphinx extension (listed under ``sphinx: extra_extensions`` in ``_config.yml``).

Four jobs, all about what a reader's browser (or the printed book) gets:

* **In-page explorers.** Writes the vendored Vega bundle into the build's ``_static/``
  (:func:`coursekit.explorers.assets.write_vega_bundle`) and loads it, with ``explorers.js`` and
  ``explorers.css`` from the book's ``_static/``, on the pages that carry an explorer: one file each for the
  whole site, cached by the browser, never a CDN and never a copy per chart.
* **One copy of each inline script.** Sphinx 7.4 registers again, at the start of writing, the inline scripts
  that extensions added after the builder started (``sphinx-thebe``'s ``const THEBE_JS_URL = ...``,
  ``sphinx-togglebutton``'s selector), under a different file name (``""`` instead of ``None``), so every page
  declared ``THEBE_JS_URL`` twice: a ``SyntaxError`` in the console of every page. The page's script list
  keeps the first copy of each.
* **Bibliography entries as list items.** Docutils marks each entry of a citation list ``role="doc-biblioentry"``,
  a role DPUB-ARIA 1.1 deprecated; inside ``role="list"`` that leaves the list without the list items ARIA
  requires (axe-core: ``aria-required-children``, critical). Entries become ``role="listitem"``.
* **The single-page build** (``make pdf``): Sphinx looks up the HTML of extension nodes under the builder's name
  first, and ``singlehtml`` has its own entry, so nodes registered for ``html`` only (myst-nb's hidden code
  cells) had no visitor there; they get the ``html`` ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

EXPLORER_MARKER = 'class="coursekit-explorer '
BIBLIOENTRY = ' role="doc-biblioentry"'


def _write_bundle(app: Any) -> None:
    if app.builder.format != "html":
        return
    from coursekit.explorers.assets import write_vega_bundle

    write_vega_bundle(Path(app.outdir) / "_static")


def _singlehtml_visitors(app: Any) -> None:
    if app.builder.name != "singlehtml":
        return
    handlers = app.registry.translation_handlers
    single = handlers.setdefault("singlehtml", {})
    for node, visitors in handlers.get("html", {}).items():
        single.setdefault(node, visitors)


def _script_key(script: Any) -> tuple[str, tuple[Any, ...]]:
    attributes = getattr(script, "attributes", {}) or {}
    return (str(getattr(script, "filename", script) or ""), tuple(sorted(attributes.items())))


def dedupe_scripts(scripts: list[Any]) -> list[Any]:
    """``scripts`` without repeats (same file or same inline body and attributes), first copies kept."""
    seen: set[tuple[str, tuple[Any, ...]]] = set()
    out = []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            out.append(script)
    return out


def _page_context(
    app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if doctree is not None and EXPLORER_MARKER in context.get("body", ""):
        from coursekit.explorers.assets import BUNDLE_NAME

        app.add_css_file("explorers.css")
        app.add_js_file(BUNDLE_NAME, defer="defer")
        app.add_js_file("explorers.js", defer="defer")
    body = context.get("body", "")
    if BIBLIOENTRY in body:
        context["body"] = body.replace(BIBLIOENTRY, ' role="listitem"')
    scripts = context.get("script_files")
    if isinstance(scripts, list):
        scripts[:] = dedupe_scripts(scripts)


def setup(app: Any) -> dict[str, Any]:
    app.connect("builder-inited", _write_bundle)
    app.connect("builder-inited", _singlehtml_visitors)
    app.connect("html-page-context", _page_context, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
