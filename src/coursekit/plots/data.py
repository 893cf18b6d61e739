"""The data appendix's overview figure: how many events of each dimension the timeline holds per year.

:func:`event_counts_by_year` counts; :func:`events_per_year_figure` draws the counts as stacked bars in the
course style. Both are pure: a table in, a table or a :class:`matplotlib.figure.Figure` out.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from coursekit.plots.style import DIMENSION_COLOURS, new_figure, style_axes

DIMENSION_ORDER: tuple[str, ...] = (
    "military_security",
    "weapons_delivery",
    "resources",
    "international_support",
    "context",
)
"""Stacking order of the bars: the article's four dimensions, then context."""

DIMENSION_NAMES: dict[str, str] = {
    "military_security": "Military and security cooperation",
    "weapons_delivery": "Weapons delivery",
    "resources": "Resource exploitation",
    "international_support": "International support",
    "context": "Context",
}


def event_counts_by_year(
    events: pd.DataFrame,
    *,
    years: Sequence[int] | None = None,
    dimensions: Sequence[str] = DIMENSION_ORDER,
) -> pd.DataFrame:
    """Count events per calendar year (rows) and dimension (columns).

    Parameters
    ----------
    events : pandas.DataFrame
        The event table (``coursekit.data.load_events()``) or part of it; needs ``date`` and ``dimension``.
    years : sequence of int, optional
        The years to show, in order; default every year from the first to the last event. Years without
        events get zeros.
    dimensions : sequence of str, optional
        The dimensions to show, in order (default :data:`DIMENSION_ORDER`).

    Returns
    -------
    pandas.DataFrame
        Integer counts; index ``year``, columns ``dimension``.

    Raises
    ------
    ValueError
        If a column is missing or a dimension is unknown.
    """
    missing = [c for c in ("date", "dimension") if c not in events.columns]
    if missing:
        raise ValueError(
            f"the events table lacks column(s) {', '.join(missing)}; pass coursekit.data.load_events()."
        )
    unknown = [d for d in dimensions if d not in DIMENSION_NAMES]
    if unknown:
        raise ValueError(
            f"unknown dimension(s) {', '.join(unknown)}; choose from {', '.join(DIMENSION_ORDER)}."
        )
    year = pd.to_datetime(events["date"]).dt.year
    if years is None:
        years = list(range(int(year.min()), int(year.max()) + 1)) if len(events) else []
    counts = (
        pd.crosstab(year, events["dimension"].astype("string")) if len(events) else pd.DataFrame()
    )
    counts = (
        counts.reindex(index=list(years), columns=list(dimensions), fill_value=0)
        .fillna(0)
        .astype(int)
    )
    counts.index.name, counts.columns.name = "year", "dimension"
    return counts


def events_per_year_figure(
    events: pd.DataFrame,
    *,
    years: Sequence[int] | None = None,
    title: str = "Events in the course timeline per year, by dimension",
) -> Figure:
    """Stacked bars of the number of events per year, one colour per dimension.

    Parameters
    ----------
    events : pandas.DataFrame
        The event table (``coursekit.data.load_events()``).
    years : sequence of int, optional
        Years on the x axis; default every year from the first to the last event.
    title : str, optional
        The figure title.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure (no pyplot state) with a title, labelled axes and a legend.

    Raises
    ------
    ValueError
        If the table lacks ``date`` or ``dimension``.
    """
    counts = event_counts_by_year(events, years=years)
    fig = new_figure(9.0, 4.5)
    ax = fig.add_subplot()
    x = np.arange(len(counts.index))
    bottom = np.zeros(len(counts.index))
    for dimension in counts.columns:
        values = counts[dimension].to_numpy()
        ax.bar(
            x,
            values,
            bottom=bottom,
            color=DIMENSION_COLOURS[dimension],
            edgecolor="white",
            linewidth=0.6,
            label=DIMENSION_NAMES[dimension],
        )
        bottom += values
    for position, total in zip(x, bottom, strict=True):
        if total:
            ax.text(
                float(position), total + 0.2, str(int(total)), ha="center", va="bottom", fontsize=8
            )
    ax.set_xticks(x, [str(y) for y in counts.index])
    style_axes(ax, title=title, xlabel="Year", ylabel="Number of events")
    ax.grid(False, axis="x")
    ax.set_ylim(0, max(1.0, float(bottom.max()) * 1.1) if len(bottom) else 1.0)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(
        title="Dimension",
        fontsize=8,
        title_fontsize=8,
        frameon=False,
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
    )
    return fig
