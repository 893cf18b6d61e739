"""Put an in-page explorer into a book page: a Vega-Lite chart (built with Altair) compiled to Vega at build
time (``vl-convert-python``, offline), wrapped in accessible HTML that the site's ``_static/explorers.js``
brings to life with the vendored Vega bundle.

The HTML an :class:`InPageExplorer` writes (its ``_repr_html_``, which myst-nb puts into the page) holds:

* a short title and how to use the controls (every control is a native, labelled ``<input>`` or ``<select>``
  that Vega creates from the chart's bound parameters, so the keyboard alone operates it);
* the chart's place, with the chart's takeaway as its text alternative (``aria-label`` and a visible line);
* a live summary line (``role="status"``) and a data table of what the chart shows, in a ``<details>`` block
  a reader can open; both are re-written after every control change from the chart's own data;
* the compiled Vega specification and the description of the table and summary as JSON (``<script type=
  "application/json">``), and a line shown when JavaScript is off (the default figure above it stays the
  fallback; the print style sheet hides the explorer, so the PDF shows the figure).

No JavaScript is inlined per chart: the bundle and ``explorers.js`` are loaded once per site from
``_static/`` (see :mod:`coursekit.sphinxext`), never from a CDN.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Column", "InPageExplorer", "compile_to_vega", "find_mark_data"]

_ID = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True)
class Column:
    """One column of an explorer's data table.

    Attributes
    ----------
    field : str
        The field of the chart's data.
    header : str
        The column heading a reader sees.
    digits : int or None
        Decimals for a number (``None``: shown as it is).
    """

    field: str
    header: str
    digits: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "header": self.header, "digits": self.digits}


def compile_to_vega(vegalite: Mapping[str, Any]) -> dict[str, Any]:
    """Compile a Vega-Lite specification to Vega (offline, with ``vl-convert-python``)."""
    import vl_convert

    return json.loads(json.dumps(vl_convert.vegalite_to_vega(dict(vegalite))))


def _marks(spec: Mapping[str, Any]) -> Iterator[Any]:
    for mark in spec.get("marks", []) or []:
        yield mark
        yield from _marks(mark)


def find_mark_data(vega: Mapping[str, Any], name: str) -> str:
    """The name of the dataset that the Vega mark ``<name>_marks`` (a Vega-Lite view called ``name``; inside a
    layer ``<name>_<n>_marks``) draws.

    Raises
    ------
    ValueError
        If the compiled specification has no such mark, or the mark is not drawn from a named dataset.
    """
    wanted = f"{name}_marks"
    layered = re.compile(rf"^{re.escape(name)}_\d+_marks$")  # a view inside a layer
    for mark in _marks(vega):
        if mark.get("name") == wanted or layered.match(str(mark.get("name", ""))):
            source = (mark.get("from") or {}).get("data")
            if not source:
                raise ValueError(f"the mark {wanted!r} is not drawn from a named dataset")
            return str(source)
    names = [m.get("name") for m in _marks(vega)]
    raise ValueError(f"no mark {wanted!r} in the compiled chart; its marks are {names}")


@dataclass
class InPageExplorer:
    """An explorer that runs in the reader's browser: a chart with bound controls, a summary and a table.

    Parameters
    ----------
    ident : str
        Page-unique id (lower case, digits and hyphens), e.g. ``"durability"``; the HTML id is
        ``explorer-<ident>``.
    title : str
        What the explorer is, in a few words.
    chart : altair chart or dict
        The Vega-Lite chart (an Altair chart or its ``to_dict()``), with its controls as bound parameters.
    takeaway : str
        The chart's text alternative: what it shows and what the default view says.
    how_to : str
        One sentence on the controls.
    table_view : str
        The name of the Vega-Lite view (``alt.Chart(..., name=...)``) whose data the table lists.
    columns : sequence of Column
        The table's columns.
    summary : str
        Template of the live summary line, filled from the first row of ``summary_view``'s data:
        ``{field}`` or ``{field:.2f}``; ``{_rows}`` is the number of rows of the table.
    summary_view : str, optional
        The view whose first row fills ``summary`` (default ``table_view``).
    summary_where : dict, optional
        Fill the summary from the first row whose fields have these values (e.g. ``{"iso3": "CAF"}``).
    sort : sequence of (field, "asc" or "desc"), optional
        Order of the table's rows (missing values last).
    empty : str
        What the summary says when the table (or the summary's row) is empty.
    table_caption : str
        The table's caption.
    renderer : {"svg", "canvas"}
        How Vega draws the chart: SVG (crisp, default) or canvas (faster for thousands of marks).
    """

    ident: str
    title: str
    chart: Any
    takeaway: str
    how_to: str
    table_view: str
    columns: Sequence[Column]
    summary: str
    summary_view: str | None = None
    summary_where: Mapping[str, Any] | None = None
    sort: Sequence[tuple[str, str]] = ()
    empty: str = "Nothing matches this choice: change a control to see data again."
    table_caption: str = "The data the chart shows"
    renderer: str = "svg"
    _vega: dict[str, Any] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.renderer not in ("svg", "canvas"):
            raise ValueError(f"renderer {self.renderer!r}: use 'svg' or 'canvas'")
        if not _ID.match(self.ident):
            raise ValueError(f"explorer id {self.ident!r}: use lower case letters, digits and '-'")

    @property
    def vegalite(self) -> dict[str, Any]:
        """The Vega-Lite specification."""
        chart = self.chart
        return chart.to_dict() if hasattr(chart, "to_dict") else dict(chart)

    @property
    def vega(self) -> dict[str, Any]:
        """The compiled Vega specification (what the page embeds)."""
        if self._vega is None:
            self._vega = compile_to_vega(self.vegalite)
        return self._vega

    def check(self) -> None:
        """Compile the chart and check that the table's and the summary's views exist (raises ValueError)."""
        find_mark_data(self.vega, self.table_view)
        find_mark_data(self.vega, self.summary_view or self.table_view)

    @property
    def meta(self) -> dict[str, Any]:
        """What ``explorers.js`` needs besides the chart: which views' data fill the table and the summary."""
        summary_view = self.summary_view or self.table_view
        return {
            "id": self.ident,
            "renderer": self.renderer,
            "table": {
                "view": self.table_view,
                "columns": [c.as_dict() for c in self.columns],
                "sort": [[f, d] for f, d in self.sort],
            },
            "summary": {
                "view": summary_view,
                "template": self.summary,
                "where": dict(self.summary_where or {}),
                "empty": self.empty,
            },
        }

    def _repr_html_(self) -> str:
        return self.html()

    def html(self) -> str:
        """The HTML block the page carries."""
        esc = html.escape
        ident = f"explorer-{self.ident}"
        self.check()
        spec = _script_json(self.vega)
        meta = _script_json(self.meta)
        return (
            f'<div class="coursekit-explorer tex2jax_ignore mathjax_ignore" id="{ident}" '
            f'data-explorer="{esc(self.ident)}" role="region" aria-labelledby="{ident}-title">\n'
            f'<p class="coursekit-explorer-title" id="{ident}-title"><strong>In-page explorer:</strong> '
            f"{esc(self.title)}</p>\n"
            f'<p class="coursekit-explorer-howto">{esc(self.how_to)} It runs in your browser, '
            "with no kernel and no network.</p>\n"
            f'<div class="coursekit-explorer-controls" id="{ident}-controls"></div>\n'
            f'<div class="coursekit-explorer-chart" id="{ident}-chart" role="img" '
            f'aria-labelledby="{ident}-takeaway"></div>\n'
            f'<p class="coursekit-explorer-takeaway" id="{ident}-takeaway">{esc(self.takeaway)}</p>\n'
            f'<p class="coursekit-explorer-summary" id="{ident}-summary" role="status" '
            'aria-live="polite"></p>\n'
            f'<details class="coursekit-explorer-data"><summary>{esc(self.table_caption)} '
            "(data table)</summary>\n"
            f'<div class="coursekit-explorer-table" id="{ident}-table"></div></details>\n'
            '<p class="coursekit-explorer-fallback">This explorer runs in the book\'s web pages with '
            "JavaScript on; here (JavaScript off or still loading, a notebook, a printed page) the figure "
            "above shows its default view.</p>\n"
            f'<script type="application/json" class="coursekit-explorer-spec">{spec}</script>\n'
            f'<script type="application/json" class="coursekit-explorer-meta">{meta}</script>\n'
            "</div>"
        )


def _script_json(value: Any) -> str:
    """JSON safe inside a ``<script>`` element (no ``</script>`` or ``<!--`` can end it early)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
