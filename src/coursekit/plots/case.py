"""Pure figures for Part II (the CAR–Russia case): tables in, :class:`matplotlib.figure.Figure` out.

Each function takes the output of a :mod:`coursekit.case` function (or a data table), draws it with the
course style (:mod:`coursekit.plots.style`: Okabe–Ito palette, one colour per dimension, the CAR in
``CAR_COLOUR``) and returns a new figure made without pyplot state. Nothing here computes a number that
is shown: counts, scores and peaks come from :mod:`coursekit.case`.

Figures
-------
:func:`timeline_figure`, :func:`intensity_figure`, :func:`vote_matrix_figure`, :func:`african_votes_figure`,
:func:`agreement_distribution_figure`, :func:`car_record_figure`, :func:`context_figure`,
:func:`personnel_figure`, :func:`durability_figure`.

The vote figures are defined in :mod:`coursekit.plots.votes` and re-exported here.

The figures that the explorers redraw on every change (timeline, vote matrix, durability) use fixed margins,
marker collections instead of one text object per cell, and pinned titles, because matplotlib's automatic
layout and per-artist overhead would otherwise dominate the widget's response time. The timeline and the
durability figure also take ``fig=``, the figure of the previous change: when its layout still fits, only the
artists that changed are replaced and marked for :func:`live_png`, which redraws them over a cached
background instead of drawing the whole figure.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from coursekit.case import (
    DIMENSION_LABELS,
    DIMENSIONS,
    DurabilityResult,
    Intensity,
)
from coursekit.plots._layout import (
    fast_png,
    letter_cells,
    live_png,
    make_live,
    message_axes,
    pin_title,
)
from coursekit.plots.style import (
    DIMENSION_COLOURS,
    PALETTE,
    RUSSIA_COLOUR,
    new_figure,
    style_axes,
)
from coursekit.plots.votes import (
    VOTE_COLOURS,
    VOTE_LETTERS,
    african_votes_figure,
    agreement_distribution_figure,
    car_record_figure,
    vote_matrix_figure,
)

STATUS_MARKERS: dict[str, str] = {"confirmed": "o", "contested": "D", "unconfirmed": "X"}
"""Marker per evidence status in the timeline (its key writes them as ●, ◆ and ✖)."""

_PHASE_SHADES = ("#F2F2F2", "#FFFFFF")


def short_phase_label(label: str) -> str:
    """``"Before Khartoum (2016 – Jan 2019)"`` → ``"Before Khartoum"``."""
    return str(label).split(" (")[0].strip()


def _shade_phases(
    ax: Axes, phases: pd.DataFrame | None, *, label: bool = True, fontsize: float = 7.5
) -> None:
    """Shade each phase's span on a date axis and write its short label at the top.

    Labels are numbered (1 = the first phase) and alternate between two heights so that the labels of
    short neighbouring phases do not collide. Spans and boundary lines are drawn as two collections, which
    keeps the figures that widgets redraw fast.
    """
    if phases is None or phases.empty:
        return
    transform = ax.get_xaxis_transform()
    ordered = phases.sort_values("start")
    starts = pd.to_datetime(ordered["start"]).tolist()
    ends = [pd.Timestamp(e) + pd.Timedelta(days=1) for e in ordered["end"]]
    x0 = mdates.date2num(starts)
    widths = mdates.date2num(ends) - x0
    for parity in (0, 1):
        ax.broken_barh(
            list(zip(x0[parity::2], widths[parity::2], strict=True)), (0, 1), transform=transform,
            facecolors=_PHASE_SHADES[parity], linewidth=0, zorder=0,
        )  # fmt: skip
    ax.vlines(
        x0,
        0,
        1,
        transform=transform,
        colors=PALETTE["grey"],
        linewidth=0.6,
        linestyles=":",
        zorder=0.5,
    )
    if not label:
        return
    # When the x limits are already fixed, labels go in the middle of the *visible* part of each phase.
    fixed = not ax.get_autoscalex_on()
    lo, hi = (
        (mdates.num2date(v).replace(tzinfo=None) for v in ax.get_xlim()) if fixed else (None, None)
    )
    for i, (row, start, end) in enumerate(
        zip(ordered.itertuples(index=False), starts, ends, strict=True)
    ):
        if fixed:
            start, end = max(start, pd.Timestamp(lo)), min(end, pd.Timestamp(hi))
            if start >= end:
                continue
        text = textwrap.fill(f"{i + 1} {short_phase_label(str(row.label))}", 13)
        ax.text(
            start + (end - start) / 2, 0.995 if i % 2 == 0 else 0.90, text, transform=transform,
            ha="center", va="top", fontsize=fontsize, color="#444444", zorder=3, linespacing=0.95,
        )  # fmt: skip


def _date_axis(ax: Axes) -> None:
    locator = mdates.YearLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))


# -- timeline ----------------------------------------------------------------------------------------------


def _timeline_marks(
    ax: Axes,
    axc: Axes,
    events: pd.DataFrame,
    counts: pd.DataFrame,
    selected: str | None,
    dimensions: Sequence[str],
) -> list[Any]:
    """Draw what a timeline filter changes (points, the selected event, the counts grid); return the artists."""
    n_dims = len(dimensions)
    rows = {d: n_dims - 1 - i for i, d in enumerate(dimensions)}
    artists: list[Any] = []
    if not events.empty:
        # fixed jitter: same-day events stay visible and figures repeat
        rng = np.random.default_rng(0)
        y: np.ndarray = events["dimension"].astype(str).map(rows).to_numpy(dtype=float)
        y = y + rng.uniform(-0.2, 0.2, size=len(y))
        dates = pd.to_datetime(events["date"]).to_numpy()
        colours = events["dimension"].astype(str).map(DIMENSION_COLOURS).to_numpy()
        statuses = events["status"].astype(str).to_numpy()
        for status, marker in STATUS_MARKERS.items():
            mask = statuses == status
            if mask.any():
                artists.append(ax.scatter(
                    dates[mask], y[mask], c=list(colours[mask]), marker=marker, s=36,
                    edgecolors="white", linewidths=0.5, zorder=3, label=f"{status} source",
                ))  # fmt: skip
        if selected is not None and (events["event_id"] == selected).any():
            pos = int(np.flatnonzero((events["event_id"] == selected).to_numpy())[0])
            artists.append(ax.scatter(
                [dates[pos]], [y[pos]], s=200, facecolors="none", edgecolors="black", linewidths=1.6, zorder=4,
            ))  # fmt: skip
            artists.append(ax.annotate(
                textwrap.shorten(str(events["title"].iloc[pos]), 48, placeholder="…"),
                (mdates.date2num(dates[pos]), y[pos]), xytext=(0, -14), textcoords="offset points",
                ha="center", va="top", fontsize=8, annotation_clip=False,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "black", "lw": 0.6}, zorder=5,
            ))  # fmt: skip
    # counts per dimension × phase, one row per timeline row
    table = counts.reindex(index=list(dimensions)).fillna(0).astype(int)
    values = table.to_numpy()[::-1]  # first dimension on top, as in the timeline
    vmax = max(1, int(values.max()) if values.size else 1)
    artists.append(axc.imshow(
        values, cmap="Blues", vmin=0, vmax=vmax * 1.4, aspect="auto", origin="lower",
        extent=(-0.5, table.shape[1] - 0.5, -0.5, n_dims - 0.5), interpolation="nearest",
    ))  # fmt: skip
    artists += letter_cells(
        axc, values, [str(k) for k in range(vmax + 1)], dark={k for k in range(vmax + 1) if k >= vmax * 0.9},
        size=8.5,
    )  # fmt: skip
    return artists


def timeline_figure(
    events: pd.DataFrame,
    phases: pd.DataFrame,
    counts: pd.DataFrame,
    *,
    selected: str | None = None,
    title: str = "CAR–Russia events by dimension and phase",
    dimensions: Sequence[str] = DIMENSIONS,
    fig: Figure | None = None,
) -> Figure:
    """Events as points by date and dimension over the shaded phases, with counts per dimension and phase.

    The counts panel on the right shares the rows of the timeline, so each row reads across: the events
    of one dimension, then how many fell in each phase.

    Parameters
    ----------
    events : DataFrame
        Events to draw (:func:`coursekit.case.filter_events`); ``event_id``, ``date``, ``dimension``,
        ``status``, ``title``.
    phases : DataFrame
        The phase table (``data.load_phases()``) for the shaded spans.
    counts : DataFrame
        Dimension × phase counts (:func:`coursekit.case.event_counts`).
    selected : str, optional
        ``event_id`` of an event to ring and label.
    title : str
        Title of the timeline panel.
    dimensions : sequence of str
        Rows of the timeline, top to bottom.
    fig : Figure, optional
        A figure made by an earlier call. When the phases, rows, phase columns and title are unchanged and
        both selections have events, its points, selection and counts are replaced in place (so
        :func:`coursekit.plots._layout.live_png` redraws only them over the cached axes); otherwise a new
        figure is drawn.

    Returns
    -------
    Figure
    """
    has_phases = phases is not None and not phases.empty
    key = (
        "timeline",
        tuple(phases.itertuples(index=False)) if has_phases else None,
        tuple(dimensions),
        tuple(counts.columns),
        title,
    )
    live = getattr(fig, "_coursekit_live", None) if fig is not None else None
    if fig is not None and live is not None and live["key"] == key and not events.empty:
        for artist in live["dynamic"]:
            artist.remove()
        live["dynamic"] = _timeline_marks(
            live["ax"], live["axc"], events, counts, selected, dimensions
        )
        for artist in live["dynamic"]:
            artist.set_animated(True)
        return fig
    # Fixed margins rather than constrained layout: this figure is redrawn on every widget change.
    fig = Figure(figsize=(11.0, 4.6))
    ax = fig.add_axes((0.145, 0.12, 0.56, 0.74))
    axc = fig.add_axes((0.745, 0.12, 0.24, 0.74), sharey=ax)
    n_dims = len(dimensions)
    rows = {d: n_dims - 1 - i for i, d in enumerate(dimensions)}
    _shade_phases(ax, phases)
    if events.empty:
        message_axes(ax, "No event matches this selection")
    else:  # a one-line key in the same marker glyphs (cheaper to redraw than a legend)
        fig.text(
            0.99, 0.985, "Source status:  ● confirmed   ◆ contested   ✖ unconfirmed", ha="right", va="top",
            fontsize=8, color="#333333",
        )  # fmt: skip
    if has_phases:
        ax.set_xlim(
            pd.Timestamp(phases["start"].min()) - pd.Timedelta(days=75),
            pd.Timestamp(phases["end"].max()) + pd.Timedelta(days=1),
        )
    _date_axis(ax)
    ax.set_yticks(
        list(rows.values()), [textwrap.fill(DIMENSION_LABELS[d], 18) for d in rows], fontsize=8.5
    )
    ax.set_ylim(-0.6, n_dims - 0.5 + 0.85)
    style_axes(ax, title=title, xlabel="Date (year)", ylabel="Dimension")
    ax.grid(False, axis="y")
    dynamic = _timeline_marks(ax, axc, events, counts, selected, dimensions)
    n_phases = counts.shape[1]
    order = (
        list(phases.sort_values("start")["phase"].astype(str))
        if has_phases
        else list(counts.columns)
    )
    numbers = {pid: str(order.index(pid) + 1) if pid in order else pid for pid in counts.columns}
    axc.set_xticks(range(n_phases), [numbers[p] for p in counts.columns], fontsize=9)
    axc.set_xlabel("Phase (numbered as in the timeline)")
    axc.set_xlim(-0.5, n_phases - 0.5)
    axc.tick_params(axis="y", labelleft=False, length=0)
    axc.set_title("Events per phase (count)", fontsize=11, loc="left")
    for side in ("top", "right", "left"):
        axc.spines[side].set_visible(False)
    pin_title(ax)
    pin_title(axc, 11)
    if (
        has_phases and not events.empty
    ):  # fixed limits: the axes can be cached and only the marks redrawn
        make_live(fig, ax, key, dynamic, axc=axc)
    return fig


# -- intensity ---------------------------------------------------------------------------------------------

_BAR_WIDTH_DAYS = {"month": 24, "quarter": 75, "year": 300}
_PERIOD_WORD = {"month": "month", "quarter": "quarter", "year": "year"}


def intensity_figure(
    result: Intensity,
    *,
    phases: pd.DataFrame | None = None,
    claimed: str | None = "2020-12",
    title: str | None = None,
) -> Figure:
    """Cooperation intensity over time: stacked bars by dimension, rolling mean, peak and claimed peak.

    Parameters
    ----------
    result : Intensity
        The output of :func:`coursekit.case.intensity`.
    phases : DataFrame, optional
        Phase table for shading.
    claimed : str or None
        A claimed peak to mark with a dashed line (default ``"2020-12"``, the article's December 2020).
    title : str, optional
        Figure title.

    Returns
    -------
    Figure
    """
    word = _PERIOD_WORD[result.freq]
    fig = new_figure(10.0, 5.0)
    ax = fig.add_subplot()
    weighted = any(result.weights[d] != 1.0 for d in result.table.columns if d in DIMENSIONS)
    ylabel = f"{'Weighted events' if weighted else 'Events'} per {word}"
    title = title or f"Intensity of CAR–Russia cooperation per {word}"
    if result.empty:
        message_axes(ax, "No event counted: widen the selection")
        style_axes(ax, title=title, xlabel="Date (year)", ylabel=ylabel)
        return fig
    table = result.table
    periods = pd.PeriodIndex(table.index)
    starts = periods.to_timestamp(how="start")
    width = pd.Timedelta(days=_BAR_WIDTH_DAYS[result.freq])
    centres = starts + (periods.to_timestamp(how="end") - starts) / 2
    bottom = np.zeros(len(table))
    for dim in [d for d in DIMENSIONS if d in table.columns]:
        heights = table[dim].to_numpy(dtype=float) * result.weights[dim]
        if heights.any():
            ax.bar(
                centres, heights, width=width, bottom=bottom, color=DIMENSION_COLOURS[dim],
                label=DIMENSION_LABELS[dim], zorder=2, linewidth=0,
            )  # fmt: skip
        bottom += heights
    if result.window > 1:
        ax.plot(
            centres, table["rolling"], color="black", linewidth=1.6, zorder=4,
            label=f"Mean of the last {result.window} {word}s",
        )  # fmt: skip
    top = float(np.nanmax(bottom)) if len(bottom) else 1.0
    peak_x = [centres[table.index.get_loc(p)] for p in result.peak_periods]
    ax.scatter(
        peak_x, [result.peak_value + top * 0.06] * len(peak_x), marker="v", s=40, color="black", zorder=5,
        label=f"Peak: {result.peak_value:g} ({', '.join(str(p) for p in result.peak_periods)})",
    )  # fmt: skip
    if claimed is not None:
        claimed_period = pd.Period(pd.Timestamp(claimed), freq=periods.freqstr)
        cx = claimed_period.start_time + (claimed_period.end_time - claimed_period.start_time) / 2
        ax.axvline(
            cx, color=PALETTE["purple"], linestyle="--", linewidth=1.4, zorder=3,
            label=f"Claimed peak ({claimed_period})",
        )  # fmt: skip
    pad = pd.Timedelta(days=62)
    ax.set_xlim(starts[0] - pad, periods.to_timestamp(how="end")[-1] + pad)
    _shade_phases(ax, phases)
    ax.set_ylim(0, top * 1.3 + 0.5)
    _date_axis(ax)
    ax.legend(loc="upper left", bbox_to_anchor=(0, -0.13), fontsize=7.5, ncols=3, frameon=False)
    style_axes(ax, title=title, xlabel="Date (year)", ylabel=ylabel)
    return fig


# -- context, personnel, durability ------------------------------------------------------------------------

_CONTEXT_LABELS = {
    "minusca_military_authorised": "MINUSCA military, authorised ceiling",
    "minusca_police_authorised": "MINUSCA police, authorised ceiling",
    "refugees": "Refugees from the CAR abroad",
    "idps": "Internally displaced persons (IDPs)",
}


def context_figure(
    wide: pd.DataFrame, *, title: str = "The CAR's security context in numbers"
) -> Figure:
    """MINUSCA's authorised strength (top) and displacement (bottom) by year.

    Parameters
    ----------
    wide : DataFrame
        :func:`coursekit.case.context_wide` (index year, one column per indicator).
    title : str
        Figure title.

    Returns
    -------
    Figure
    """
    fig = new_figure(9.0, 6.2)
    top, bottom = fig.subplots(2, 1, sharex=True)
    fig.suptitle(title, x=0.01, ha="left", fontsize=12)
    panels = [
        (top, ["minusca_military_authorised", "minusca_police_authorised"], "Authorised personnel (persons)",
         "MINUSCA's authorised strength", True),
        (bottom, ["refugees", "idps"], "People (persons)", "Displacement", False),
    ]  # fmt: skip
    colours = {
        "minusca_military_authorised": PALETTE["blue"],
        "minusca_police_authorised": PALETTE["sky"],
        "refugees": PALETTE["orange"],
        "idps": PALETTE["vermillion"],
    }
    for ax, columns, ylabel, subtitle, step in panels:
        drawn = False
        for col in columns:
            if col not in wide.columns:
                continue
            series = wide[col].dropna()
            if series.empty:
                continue
            drawn = True
            years = series.index.to_numpy()
            values = series.to_numpy(dtype=float)
            if step:
                ax.step(
                    years,
                    values,
                    where="post",
                    color=colours[col],
                    linewidth=2,
                    label=_CONTEXT_LABELS[col],
                )
                ax.plot(years, values, "o", color=colours[col], markersize=4)
            else:
                ax.plot(
                    years,
                    values,
                    "o-",
                    color=colours[col],
                    linewidth=2,
                    markersize=5,
                    label=_CONTEXT_LABELS[col],
                )
        if drawn:
            ax.legend(fontsize=8, loc="best")
            ax.set_ylim(bottom=0)
        else:
            message_axes(ax, "No figure in the data")
        ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:,.0f}")
        style_axes(ax, title=subtitle, xlabel="Year" if ax is bottom else "", ylabel=ylabel)
    bottom.xaxis.get_major_locator().set_params(integer=True)
    return fig


_CLAIM_COLOURS = {"official": RUSSIA_COLOUR, "independent": PALETTE["orange"]}
_CATEGORY_MARKERS = ("o", "^", "D", "s", "v", "P")


def personnel_figure(
    table: pd.DataFrame,
    *,
    log: bool = False,
    title: str = "Russian personnel in the CAR: official claims and independent estimates",
) -> Figure:
    """Personnel figures over time: colour = who claims it, marker = what is counted, bars = ranges.

    A single figure is drawn as a marker; a range (low < high) as a bar from low to high with the marker at
    the top. Each point is labelled with its number; claimants are listed by
    :func:`coursekit.case.personnel_table`.

    Parameters
    ----------
    table : DataFrame
        :func:`coursekit.case.personnel_table` output (``date``, ``low``, ``high``, ``claim_type``,
        ``category``, ``range``).
    log : bool
        Use a logarithmic y axis.
    title : str
        Figure title.

    Returns
    -------
    Figure
    """
    fig = new_figure(10.0, 4.8)
    ax = fig.add_subplot()
    if table.empty:
        message_axes(ax, "No personnel figure selected")
        style_axes(ax, title=title, xlabel="Date of the claim (year)", ylabel="Personnel (persons)")
        return fig
    dates = pd.to_datetime(table["date"])
    categories = list(dict.fromkeys(str(c) for c in table["category"]))
    markers = {c: _CATEGORY_MARKERS[i % len(_CATEGORY_MARKERS)] for i, c in enumerate(categories)}
    row: Any  # a row of the personnel table (pandas types its fields as any scalar)
    for d, row in zip(dates, table.itertuples(index=False), strict=True):
        colour = _CLAIM_COLOURS.get(str(row.claim_type), PALETTE["grey"])
        if row.low != row.high:
            ax.bar(d, row.high - row.low, bottom=row.low, width=pd.Timedelta(days=40), color=colour,
                   alpha=0.55, zorder=2)  # fmt: skip
        ax.scatter([d], [row.high], s=55, color=colour, marker=markers[str(row.category)], zorder=3,
                   edgecolors="white", linewidths=0.5)  # fmt: skip
        ax.annotate(
            str(row.range), (d, row.high), xytext=(5, 3), textcoords="offset points", fontsize=7.5
        )
    handles: list[Artist] = [
        Patch(facecolor=colour, label=f"{kind.capitalize()} figure")
        for kind, colour in _CLAIM_COLOURS.items()
        if kind in set(table["claim_type"].astype(str))
    ]
    handles += [
        Line2D(
            [], [], marker=markers[c], linestyle="none", color="#555555", label=c.replace("_", " ")
        )
        for c in categories
    ]
    ax.legend(handles=handles, loc="upper left", fontsize=8, framealpha=0.9)
    if log:
        ax.set_yscale("log")
    else:
        ax.set_ylim(0, float(table["high"].max()) * 1.15)
    ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:,.0f}")
    pad = pd.Timedelta(days=120)
    ax.set_xlim(dates.min() - pad, dates.max() + pad)
    _date_axis(ax)
    style_axes(ax, title=title, xlabel="Date of the claim (year)", ylabel="Personnel (persons)")
    return fig


def _durability_marks(table: pd.DataFrame, score: float) -> dict[str, Any]:
    """What the weights change: bar shading, weight labels, the stacked contributions and the total."""
    n = len(table)
    cycle = [
        PALETTE[c]
        for c in ("blue", "orange", "green", "purple", "sky", "vermillion", "yellow", "grey")
    ]
    colours = [cycle[i % len(cycle)] for i in range(n)]
    top = max(table["share"].max(), 1e-9)
    contributions = table["contribution"].to_numpy(dtype=float)
    return {
        "colours": colours,
        "shades": [
            to_rgba(c, 0.25 + 0.75 * s / top) for c, s in zip(colours, table["share"], strict=True)
        ],
        "weights": [f"weight {s:.0%}" for s in table["share"]],
        "heights": contributions,
        "bottoms": np.concatenate([[0.0], np.cumsum(contributions)[:-1]]),
        "total": f"{score:.2f}",
        "score": score,
    }


def durability_figure(
    result: DurabilityResult,
    *,
    title: str = "How durable is the alliance?",
    fig: Figure | None = None,
) -> Figure:
    """Indicator scores with their weights (left) and the weighted score built from contributions (right).

    Parameters
    ----------
    result : DurabilityResult
        The output of :func:`coursekit.case.durability_score`.
    title : str
        Figure title.
    fig : Figure, optional
        A figure made by an earlier call. When the indicators, their scores and the title are unchanged, only
        the weights, the shading, the stacked contributions and the total are updated in place (so
        :func:`coursekit.plots._layout.live_png` redraws only them over the cached axes).

    Returns
    -------
    Figure
    """
    table = result.contributions
    n = len(table)
    marks = _durability_marks(table, result.score)
    key = ("durability", tuple(table["label"].astype(str)), tuple(table["score"].round(6)), title)
    live = getattr(fig, "_coursekit_live", None) if fig is not None else None
    if fig is not None and live is not None and live["key"] == key:
        for bar, shade, part, height, base in zip(
            live["bars"], marks["shades"], live["parts"], marks["heights"], marks["bottoms"], strict=True
        ):  # fmt: skip
            bar.set_facecolor(shade)
            part.set_y(base)
            part.set_height(height)
        for text, value in zip(live["weights"], marks["weights"], strict=True):
            text.set_text(value)
        live["total"].set_text(marks["total"])
        live["total"].xy = (0, result.score)
        return fig
    # Fixed margins (inches) rather than constrained layout: the scorecard redraws on every slider move.
    top, bottom, row_h = 0.85, 0.6, 0.4
    width, height = 10.0, max(3.4, top + bottom + row_h * n)
    y0, h = bottom / height, row_h * n / height
    ax = (fig := Figure(figsize=(width, height))).add_axes((3.05 / width, y0, 4.15 / width, h))
    axs = fig.add_axes((8.15 / width, y0, 1.5 / width, h))
    y = np.arange(n)
    bars = ax.barh(
        y, table["score"].to_numpy(dtype=float), height=0.65, zorder=2, color=marks["shades"]
    )
    # each indicator's weight sits right of its bar (scores end at 1), so the labels never change
    weights = [
        ax.text(1.33, float(yi), w, ha="right", va="center", fontsize=7.5, color="#333333")
        for yi, w in zip(y, marks["weights"], strict=True)
    ]
    labels = [
        f"{textwrap.shorten(str(row.label), 42, placeholder='…')}\nscore {row.score:.2f}"
        for row in table.itertuples(index=False)
    ]
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlim(0, 1.35)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
    middle = ax.axvline(0.5, color="#777777", linestyle=":", linewidth=1)
    style_axes(
        ax,
        title="Indicator scores (1 favours a durable alliance) and weights",
        xlabel="Score (0–1)",
        ylabel="Indicator",
    )
    ax.grid(False, axis="y")

    parts = axs.bar(
        np.zeros(n), marks["heights"], bottom=marks["bottoms"], color=marks["colours"], width=0.5,
        edgecolor="white", linewidth=0.6,
    )  # fmt: skip
    half = axs.axhline(0.5, color="#777777", linestyle=":", linewidth=1)
    total = axs.annotate(marks["total"], (0, result.score), xytext=(0, 6), textcoords="offset points",
                         ha="center", fontsize=12, fontweight="bold")  # fmt: skip
    axs.text(0.42, 0.02, "short-lived", fontsize=7.5, color="#555555", va="bottom")
    axs.text(0.42, 0.98, "durable", fontsize=7.5, color="#555555", va="top")
    axs.set_xlim(-0.5, 0.9)
    axs.set_ylim(0, 1.05)
    axs.set_xticks([])
    style_axes(
        axs, title="Weighted score", xlabel="Sum of contributions", ylabel="Durability score (0–1)"
    )
    fig.suptitle(title, x=0.01, y=1 - 0.1 / height, ha="left", va="top", fontsize=12)
    pin_title(ax)
    pin_title(axs)
    dynamic = [
        *bars,
        middle,
        *weights,
        *parts,
        half,
        total,
    ]  # in drawing order: the dotted lines over the bars
    make_live(
        fig, ax, key, dynamic, bars=list(bars), weights=weights, parts=list(parts), total=total
    )
    return fig


__all__ = [
    "STATUS_MARKERS",
    "VOTE_COLOURS",
    "VOTE_LETTERS",
    "african_votes_figure",
    "agreement_distribution_figure",
    "car_record_figure",
    "context_figure",
    "durability_figure",
    "fast_png",
    "intensity_figure",
    "live_png",
    "personnel_figure",
    "short_phase_label",
    "timeline_figure",
    "vote_matrix_figure",
]
