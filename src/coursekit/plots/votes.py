"""Pure figures of the UN General Assembly votes (Part II, chapter 5); re-exported by :mod:`coursekit.plots.case`.

Each function takes the output of a :mod:`coursekit.case` function and returns a new figure made without pyplot
state, in the course style (the CAR in ``CAR_COLOUR``, the reference country in ``RUSSIA_COLOUR``).
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from coursekit.case import UNKNOWN_VOTE, VOTE_VALUES, VoteView
from coursekit.plots._layout import letter_cells, message_axes, pin_title
from coursekit.plots.style import CAR_COLOUR, PALETTE, RUSSIA_COLOUR, new_figure, style_axes

VOTE_COLOURS: dict[str, str] = {
    "Yes": PALETTE["sky"],
    "No": PALETTE["black"],
    "Abstain": PALETTE["yellow"],
    "Non-voting": "#DDDDDD",
    UNKNOWN_VOTE: "#FFFFFF",
}
"""Colour of each vote (Okabe–Ito based; cells also carry a letter, so colour is never the only cue)."""

VOTE_LETTERS: dict[str, str] = {
    "Yes": "Y",
    "No": "N",
    "Abstain": "A",
    "Non-voting": "NV",
    UNKNOWN_VOTE: "?",
}


def _short_resolution(symbol: str) -> str:
    """``"A/RES/ES-11/1"`` → ``"ES-11/1"``; ``"A/RES/68/262"`` → ``"68/262"``."""
    return str(symbol).replace("A/RES/", "")


def _vote_codes(matrix: pd.DataFrame) -> np.ndarray:
    order = [*VOTE_VALUES, UNKNOWN_VOTE]
    filled = matrix.astype(object).where(matrix.notna(), UNKNOWN_VOTE)
    return (
        np.vectorize(order.index, otypes=[int])(filled.to_numpy())
        if filled.size
        else np.zeros((0, 0), int)
    )


def vote_matrix_figure(
    view: VoteView,
    *,
    highlight: str = "Central African Republic",
    title: str | None = None,
) -> Figure:
    """Vote matrix heatmap (reference country first, the CAR outlined) beside each country's agreement.

    Parameters
    ----------
    view : VoteView
        The output of :func:`coursekit.case.vote_view`.
    highlight : str
        Country row to outline and colour (default the CAR).
    title : str, optional
        Title of the matrix panel.

    Returns
    -------
    Figure
    """
    matrix = view.matrix
    n_rows, n_cols = matrix.shape
    # Fixed margins in inches rather than constrained layout: this figure is redrawn on every widget change.
    left, gap, bars, right = 2.45, 0.35, 2.6, 0.75
    top, bottom = 0.75, 1.2
    mat_w = max(1.4, 0.62 * n_cols)
    row_h = 0.26
    width = left + mat_w + gap + bars + right
    height = max(3.4, top + row_h * max(n_rows, 1) + bottom)
    fig = Figure(figsize=(width, height))
    y0, h = bottom / height, row_h * max(n_rows, 1) / height
    ax = fig.add_axes((left / width, y0, mat_w / width, h))
    axb = fig.add_axes(((left + mat_w + gap) / width, y0, bars / width, h), sharey=ax)
    title = title or f"UN General Assembly votes, compared with {view.reference}"
    fig.text(0.01, 1 - 0.12 / height, title, fontsize=12, va="top", ha="left")
    if view.empty:
        message_axes(ax, "Choose at least one resolution and one country")
        style_axes(ax, title="Votes", xlabel="Resolution", ylabel="Country")
        axb.set_visible(False)
        return fig
    order = [*VOTE_VALUES, UNKNOWN_VOTE]
    cmap = ListedColormap([VOTE_COLOURS[v] for v in order])
    norm = BoundaryNorm(np.arange(-0.5, len(order)), cmap.N)
    codes = _vote_codes(matrix)
    ax.imshow(codes, cmap=cmap, norm=norm, aspect="auto", interpolation="nearest")
    letter_cells(ax, codes, [VOTE_LETTERS[v] for v in order], dark={order.index("No")})
    ax.set_xticks(
        range(n_cols),
        [_short_resolution(c) for c in matrix.columns],
        rotation=45,
        ha="right",
        fontsize=8,
    )
    ax.set_yticks(range(n_rows), list(matrix.index), fontsize=7.5)
    # white cell borders as two line collections (far cheaper to draw than minor-tick gridlines)
    ax.vlines(np.arange(-0.5, n_cols), -0.5, n_rows - 0.5, colors="white", linewidth=0.8, zorder=2)
    ax.hlines(np.arange(-0.5, n_rows), -0.5, n_cols - 0.5, colors="white", linewidth=0.8, zorder=2)
    labels = ax.get_yticklabels()
    for i, name in enumerate(matrix.index):
        if name == view.reference:
            labels[i].set_fontweight("bold")
            labels[i].set_color(RUSSIA_COLOUR)
        if name == highlight:
            labels[i].set_fontweight("bold")
            labels[i].set_color(CAR_COLOUR)
            ax.add_patch(
                Rectangle(
                    (-0.5, i - 0.5),
                    n_cols,
                    1,
                    fill=False,
                    edgecolor=CAR_COLOUR,
                    linewidth=2.4,
                    zorder=4,
                )
            )
    ax.set_title("Votes", fontsize=11, loc="left")
    ax.set_xlabel("Resolution (A/RES/…)")
    ax.set_ylabel("Country")
    # A one-line key instead of a legend: the letters carry the meaning (colour only repeats it), and a legend
    # would cost the widget a fifth of its drawing time.
    key = " · ".join(
        f"{VOTE_LETTERS[v]} = {'unconfirmed or not in the data' if v == UNKNOWN_VOTE else v}"
        for v in order
    )
    fig.text(
        left / width,
        0.12 / height,
        f"Cells: {key}",
        fontsize=7.5,
        ha="left",
        va="bottom",
        color="#333333",
    )

    # agreement bars, aligned with the matrix rows
    scores = view.agreement.set_index("country") if not view.agreement.empty else pd.DataFrame()
    for i, name in enumerate(matrix.index):
        if name == view.reference:
            axb.text(
                0.02,
                i,
                "reference",
                va="center",
                fontsize=7.5,
                color=RUSSIA_COLOUR,
                fontweight="bold",
            )
            continue
        if name not in scores.index:
            continue
        score, n = scores.loc[name, "score"], int(scores.loc[name, "n_compared"])
        if pd.isna(score):
            axb.text(0.02, i, "no comparable vote", va="center", fontsize=7, color="#666666")
            continue
        colour = CAR_COLOUR if name == highlight else PALETTE["grey"]
        axb.barh(i, score, color=colour, height=0.7, zorder=2)
        axb.text(min(score, 0.78) + 0.02, i, f"{score:.2f} (n={n})", va="center", fontsize=7)
    axb.set_xlim(0, 1.05)
    axb.tick_params(labelleft=False)
    method = "Lijphart index" if view.method == "lijphart" else "share of identical votes"
    style_axes(
        axb,
        title=f"Agreement with {view.reference}",
        xlabel=f"Agreement, 0–1 ({method})",
        ylabel="",
    )
    axb.grid(False, axis="y")
    ax.set_ylim(n_rows - 0.5, -0.5)
    pin_title(ax, 11)
    pin_title(axb)
    return fig


def african_votes_figure(
    breakdown: pd.DataFrame,
    *,
    car_votes: pd.Series | None = None,
    title: str = "How the African UN members voted",
) -> Figure:
    """Stacked bars: African members' votes per resolution, with the CAR's own vote written beside.

    Parameters
    ----------
    breakdown : DataFrame
        :func:`coursekit.case.african_breakdown` (resolutions × vote counts).
    car_votes : Series, optional
        The CAR's vote per resolution (index = resolution), written at the end of each bar.
    title : str
        Figure title.

    Returns
    -------
    Figure
    """
    n = len(breakdown)
    fig = new_figure(9.0, max(2.8, 1.5 + 0.45 * n))
    ax = fig.add_subplot()
    if breakdown.empty:
        message_axes(ax, "No resolution selected")
        style_axes(ax, title=title, xlabel="African member states (number)", ylabel="Resolution")
        return fig
    y = np.arange(n)
    left = np.zeros(n)
    for vote in [*VOTE_VALUES, UNKNOWN_VOTE]:
        if vote not in breakdown.columns:
            continue
        values = breakdown[vote].to_numpy(dtype=float)
        if not values.any():
            continue
        ax.barh(
            y, values, left=left, color=VOTE_COLOURS[vote], edgecolor="#666666", linewidth=0.5,
            hatch="///" if vote == UNKNOWN_VOTE else None, label=vote if vote != UNKNOWN_VOTE else "Unconfirmed",
        )  # fmt: skip
        for yi, (lo, v) in enumerate(zip(left, values, strict=True)):
            if v >= 2:
                ax.text(lo + v / 2, yi, str(int(v)), ha="center", va="center", fontsize=7.5,
                        color="white" if vote == "No" else "black")  # fmt: skip
        left += values
    if car_votes is not None:
        for yi, res in enumerate(breakdown.index):
            vote = car_votes.get(res, pd.NA)
            text = "CAR: unconfirmed" if pd.isna(vote) else f"CAR: {vote}"
            ax.text(
                left[yi] + 0.6,
                yi,
                text,
                va="center",
                fontsize=8,
                color=CAR_COLOUR,
                fontweight="bold",
            )
    ax.set_yticks(y, [_short_resolution(r) for r in breakdown.index])
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlim(0, float(left.max()) * 1.3 + 1)
    ax.legend(loc="lower right", fontsize=7.5, framealpha=0.9)
    style_axes(
        ax, title=title, xlabel="African member states (number)", ylabel="Resolution (A/RES/…)"
    )
    ax.grid(False, axis="y")
    return fig


def agreement_distribution_figure(
    table: pd.DataFrame,
    *,
    reference: str = "Russia",
    highlight: str = "Central African Republic",
    method: str = "simple",
    title: str | None = None,
) -> Figure:
    """How many countries reach each level of agreement with a reference country; the CAR's bar highlighted.

    Parameters
    ----------
    table : DataFrame
        :func:`coursekit.case.agreement_index` output (``country``, ``score``, ``n_compared``).
    reference : str
        Name of the reference country, for the labels.
    highlight : str
        Country whose bar is coloured and labelled (default the CAR).
    method : {"simple", "lijphart"}
        The index used, for the axis label.
    title : str, optional
        Figure title.

    Returns
    -------
    Figure
    """
    fig = new_figure(9.0, 4.0)
    ax = fig.add_subplot()
    title = title or f"Agreement with {reference} across the selected countries"
    method_label = "Lijphart index" if method == "lijphart" else "share of identical votes"
    xlabel = f"Agreement with {reference}, 0–1 ({method_label})"
    scored = table.dropna(subset=["score"])
    if scored.empty:
        message_axes(ax, "No country has a comparable vote")
        style_axes(ax, title=title, xlabel=xlabel, ylabel="Countries (number)")
        return fig
    levels = scored["score"].round(2)
    counts = levels.value_counts().sort_index()
    own = levels[scored["country"] == highlight]
    own_level = float(own.iloc[0]) if len(own) else None
    colours = [
        CAR_COLOUR if own_level is not None and np.isclose(v, own_level) else PALETTE["grey"]
        for v in counts.index
    ]
    ax.bar(counts.index, counts.to_numpy(), width=0.06, color=colours, zorder=2)
    for value, count in counts.items():
        ax.text(
            float(cast(float, value)),
            count + 0.3,
            str(int(count)),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    if own_level is not None:
        ax.annotate(
            f"{highlight}\n(and {int(counts[own_level]) - 1} others)", (own_level, counts[own_level]),
            xytext=(0, 16), textcoords="offset points", ha="center", fontsize=8, color=CAR_COLOUR,
            fontweight="bold",
        )  # fmt: skip
    missing = int(table["score"].isna().sum())
    if missing:
        ax.text(0.99, 0.97, f"{missing} with no comparable vote", transform=ax.transAxes, ha="right", va="top",
                fontsize=8, color="#555555")  # fmt: skip
    ax.set_xlim(-0.08, 1.08)
    ax.set_ylim(0, float(counts.max()) * 1.35 + 1)
    style_axes(ax, title=title, xlabel=xlabel, ylabel="Countries (number)")
    return fig


_RECORD_LEVELS = {"Yes": 3, "Abstain": 2, "No": 1, "Non-voting": 0}


def car_record_figure(
    record: pd.DataFrame,
    *,
    country_label: str = "CAR",
    reference_label: str = "Russia",
    title: str = "The CAR's votes on the Ukraine resolutions, beside Russia's",
) -> Figure:
    """A country's votes (filled markers) against the reference country's (open rings), one column per vote.

    Resolutions are spaced evenly in date order (the gap between 2014 and 2022 would otherwise crowd the
    later votes together); each column is labelled with the resolution and its date.

    Parameters
    ----------
    record : DataFrame
        :func:`coursekit.case.country_record` (``date``, ``resolution``, ``vote``, optionally
        ``reference_vote``).
    country_label, reference_label : str
        Legend labels.
    title : str
        Figure title.

    Returns
    -------
    Figure
    """
    fig = new_figure(10.0, 4.0)
    ax = fig.add_subplot()
    if record.empty:
        message_axes(ax, "No recorded vote")
        style_axes(ax, title=title, xlabel="Resolution and date of the vote", ylabel="Vote")
        return fig
    x = np.arange(len(record))
    own = record["vote"].astype(object).map(_RECORD_LEVELS)
    ax.plot(x, own.astype(float), color=CAR_COLOUR, linewidth=1, alpha=0.5, zorder=2)
    ax.scatter(x, own, s=80, color=CAR_COLOUR, zorder=4, label=country_label)
    if "reference_vote" in record:
        ref = record["reference_vote"].astype(object).map(_RECORD_LEVELS)
        ax.scatter(x, ref, s=190, facecolors="none", edgecolors=RUSSIA_COLOUR, linewidths=1.8, zorder=3,
                   label=reference_label)  # fmt: skip
    unknown = own.isna().to_numpy()
    if unknown.any():
        ax.scatter(x[unknown], [1.5] * int(unknown.sum()), marker="$?$", s=140, color=CAR_COLOUR, zorder=4,
                   label=f"{country_label}: vote not confirmed")  # fmt: skip
    if "year" not in record:  # a gap in years is marked by a thin line between columns
        years = pd.to_datetime(record["date"]).dt.year.to_numpy()
        for i in range(1, len(years)):
            if years[i] - years[i - 1] > 1:
                ax.axvline(i - 0.5, color=PALETTE["grey"], linestyle=":", linewidth=1)
                ax.text(i - 0.5, 3.55, f"{years[i] - years[i - 1]} years later", ha="center", fontsize=7,
                        color="#555555")  # fmt: skip
    labels = [
        f"{_short_resolution(r)}\n{pd.Timestamp(d):%b %Y}"
        for r, d in zip(record["resolution"], record["date"], strict=True)
    ]
    ax.set_xticks(x, labels, fontsize=8)
    ax.set_xlim(-0.6, len(record) - 0.4)
    ax.set_yticks(list(_RECORD_LEVELS.values()), list(_RECORD_LEVELS))
    ax.set_ylim(-0.5, 3.8)
    ax.legend(loc="lower left", fontsize=8, framealpha=0.9)
    style_axes(ax, title=title, xlabel="Resolution (A/RES/…) and date of the vote", ylabel="Vote")
    ax.grid(False, axis="x")
    return fig


__all__ = [
    "VOTE_COLOURS",
    "VOTE_LETTERS",
    "african_votes_figure",
    "agreement_distribution_figure",
    "car_record_figure",
    "vote_matrix_figure",
]
