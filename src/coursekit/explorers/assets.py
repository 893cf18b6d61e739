"""The JavaScript the in-page explorers run on, vendored into the built book (never loaded from a CDN).

:func:`write_vega_bundle` writes one file, ``_static/vega-bundle.js``: Vega and Vega-Embed as bundled by
``vl-convert-python`` (:func:`vl_convert.javascript_bundle`; the charts are compiled from Vega-Lite to Vega at
build time, so the page needs no Vega-Lite compiler), wrapped so that it only defines the globals ``vega``
and ``vegaEmbed``. The site's ``_static/explorers.js`` uses them. The file is
written again only when the versions change; the bundle itself (about 0.9 MB, 2–3 s to make) is kept in the
user's cache folder (``$XDG_CACHE_HOME/coursekit``, else ``~/.cache/coursekit``) so that every build, the test
books included, copies it instead of bundling again.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

__all__ = ["BUNDLE_NAME", "bundle_header", "write_vega_bundle"]

BUNDLE_NAME = "vega-bundle.js"


def bundle_header() -> str:
    """The first line of the bundle: which versions it holds (also how a rebuild knows it is current)."""
    import vl_convert

    return (
        f"/* Vega {vl_convert.get_vega_version()}, Vega-Embed "
        f"{vl_convert.get_vega_embed_version()} (BSD-3-Clause, the Vega project), bundled by "
        f"vl-convert-python {vl_convert.__version__}. */"  # type: ignore[attr-defined]  # not in its stub
    )


def write_vega_bundle(static_dir: str | Path) -> Path:
    """Write ``vega-bundle.js`` into ``static_dir`` (unless the same versions are there) and return its path."""
    import vl_convert

    target = Path(static_dir) / BUNDLE_NAME
    header = bundle_header()
    if target.is_file():
        with target.open(encoding="utf-8") as fh:
            if fh.readline().rstrip("\n") == header:
                return target
    target.parent.mkdir(parents=True, exist_ok=True)
    cached = _cache_dir() / f"vega-bundle-{hashlib.sha256(header.encode()).hexdigest()[:16]}.js"
    if cached.is_file():
        shutil.copyfile(cached, target)
        return target
    code = vl_convert.javascript_bundle()  # type: ignore[call-arg]  # the stub omits snippet's default
    # The bundle's top-level declarations would otherwise share the page's global scope with every other
    # script; a function scope keeps them private (the bundle has no import or export statements).
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(f"{header}\n(function () {{\n{code}\n}})();\n", encoding="utf-8")
    tmp.replace(target)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        part = cached.with_suffix(f".tmp{os.getpid()}")
        shutil.copyfile(target, part)
        part.replace(cached)
    except OSError:
        pass  # no writable cache folder: the next build bundles again
    return target


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "coursekit"
