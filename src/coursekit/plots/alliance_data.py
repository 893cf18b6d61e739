"""Pure figures for the real-data sections of Part I (ATOP v5.1 and COW): results in, Figure out.

Each function draws the output of a :mod:`coursekit.alliance_data` function in the course style
(:mod:`coursekit.plots.style`) and returns a new :class:`matplotlib.figure.Figure` made without pyplot state.
Nothing here computes a number that is shown: shares, ratios and survival curves come from
:mod:`coursekit.alliance_data`.

Figures
-------
:func:`obligation_shares_figure`, :func:`asymmetry_duration_figure`, :func:`state_record_figure`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from coursekit.alliance_data import (
    LAST_YEAR,
    OBLIGATION_LABELS,
    OBLIGATIONS,
    DurationComparison,
)
from coursekit.plots.style import PALETTE, new_figure, style_axes

OBLIGATION_COLOURS: dict[str, str] = {
    "defense": PALETTE["blue"],
    "offense": PALETTE["vermillion"],
    "neutral": PALETTE["yellow"],
    "nonagg": PALETTE["green"],
    "consul": PALETTE["purple"],
}
"""One colour-blind-safe colour per ATOP pledge."""

GROUP_COLOURS: dict[str, str] = {"unequal": PALETTE["orange"], "more_equal": PALETTE["sky"]}


def obligation_shares_figure(shares: pd.DataFrame) -> Figure:
    """Grouped bars: the share of allied pair-years carrying each pledge, per period.

    Parameters
    ----------
    shares : pandas.DataFrame
        The output of :func:`coursekit.alliance_data.obligation_shares`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = new_figure(9.0, 4.8)
    ax = fig.add_subplot()
    periods = list(shares.index)
    x = np.arange(len(periods))
    width = 0.8 / len(OBLIGATIONS)
    for i, pledge in enumerate(OBLIGATIONS):
        values = 100 * shares[pledge].to_numpy(float)
        hatch = "//" if pledge == "neutral" else None
        ax.bar(
            x + (i - (len(OBLIGATIONS) - 1) / 2) * width,
            values,
            width,
            label=OBLIGATION_LABELS[pledge],
            color=OBLIGATION_COLOURS[pledge],
            edgecolor="black",
            linewidth=0.4,
            hatch=hatch,
        )
    labels = [
        f"{p}\n({int(n):,} pair-years)" for p, n in zip(periods, shares["pair_years"], strict=True)
    ]
    ax.set_xticks(x, labels)
    ax.set_ylim(0, 105)
    style_axes(
        ax,
        title="Which pledges allied pairs of states carried, 1815–2018 (ATOP v5.1)",
        xlabel="Period (allied pairs of states × years in force)",
        ylabel="Share of allied pair-years (%)",
    )
    ax.legend(ncols=5, loc="upper center", bbox_to_anchor=(0.5, -0.2), frameon=False, fontsize=9)
    return fig


def asymmetry_duration_figure(asymmetry: pd.DataFrame, comparison: DurationComparison) -> Figure:
    """Two panels: how unequal allied pairs are, and how long very unequal and more equal pairs stay allied.

    Parameters
    ----------
    asymmetry : pandas.DataFrame
        The output of :func:`coursekit.alliance_data.capability_asymmetry`.
    comparison : DurationComparison
        The output of :func:`coursekit.alliance_data.duration_comparison` (its curves and threshold).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = new_figure(11.0, 4.6)
    left, right = fig.subplots(1, 2)
    ratios = asymmetry["cinc_ratio"].to_numpy(float)
    ratios = ratios[np.isfinite(ratios)]
    bins = np.arange(0, np.ceil(np.log10(ratios.max() if ratios.size else 10)) + 0.25, 0.25)
    log_ratio = np.log10(ratios)
    threshold = comparison.threshold
    left.hist(
        log_ratio[log_ratio < np.log10(threshold)],
        bins=bins,
        color=GROUP_COLOURS["more_equal"],
        edgecolor="black",
        linewidth=0.4,
        label="more equal",
    )
    left.hist(
        log_ratio[log_ratio >= np.log10(threshold)],
        bins=bins,
        color=GROUP_COLOURS["unequal"],
        edgecolor="black",
        linewidth=0.4,
        label=f"very unequal (ratio ≥ {threshold:g})",
    )
    left.axvline(np.log10(threshold), color="black", linestyle="--", linewidth=1)
    ticks = [t for t in (1, 10, 100, 1000, 10000) if np.log10(t) <= bins[-1]]
    left.set_xticks([np.log10(t) for t in ticks], [f"{t:,}" for t in ticks])
    style_axes(
        left,
        title="How unequal are allied pairs? (CINC ratio)",
        xlabel="Stronger partner's CINC ÷ weaker partner's (log scale)",
        ylabel="Alliance spells of pairs (count)",
    )
    left.legend(frameon=False, fontsize=9)

    table = comparison.table
    for group, curve in comparison.curves.items():
        label = "very unequal" if group == "unequal" else "more equal"
        n = int(cast(int, table.at[group, "spells"]))
        right.step(
            curve["years"],
            100 * curve["survival"],
            where="post",
            color=GROUP_COLOURS[group],
            linewidth=2,
            linestyle="-" if group == "unequal" else "--",
            label=f"{label} ({n:,} spells)",
        )
    right.set_ylim(0, 102)
    right.set_xlim(0, max(float(c["years"].max()) for c in comparison.curves.values()) + 5)
    style_axes(
        right,
        title="How long do they stay allied? (Kaplan–Meier)",
        xlabel="Years since the spell began",
        ylabel="Estimated share still allied (%)",
    )
    right.legend(frameon=False, fontsize=9, loc="lower left")
    return fig


def state_record_figure(
    record: pd.DataFrame,
    state_name: str,
    *,
    absent: Mapping[int, str] | None = None,
    collapse_from: int | None = 2000,
    first_year: int = 1960,
    last_year: int = LAST_YEAR,
) -> Figure:
    """A timeline of one state's alliance spells, with the partners ATOP does *not* record.

    Parameters
    ----------
    record : pandas.DataFrame
        The output of :func:`coursekit.alliance_data.state_record`.
    state_name : str
        The state's name, for the title.
    absent : mapping of int to str, optional
        Partners to show with an empty row when the record has no spell with them (code → name), e.g.
        ``{365: "Russia"}``: what treaty data cannot see.
    collapse_from : int or None, optional
        Partners whose every spell begins in or after this year are drawn as one summary row (the pairs a
        large regional treaty creates); None draws every partner.
    first_year, last_year : int, optional
        The years the time axis covers.

    Returns
    -------
    matplotlib.figure.Figure
    """
    absent = dict(absent or {})
    rows: list[tuple[str, list[tuple[int, int, bool | None]]]] = []
    collapsed: list[tuple[int, int, bool | None]] = []
    collapsed_names: set[str] = set()
    order = record.groupby("partner")["start_year"].min().sort_values(kind="stable")
    for partner in order.index:
        spells = record[record["partner"] == partner]
        bars: list[tuple[int, int, bool | None]] = [
            (int(s), int(e), bool(d > 0))
            for s, e, d in zip(
                spells["start_year"], spells["end_year"], spells["defense_years"], strict=True
            )
        ]
        name = str(spells["partner_name"].iloc[0])
        if collapse_from is not None and int(order[partner]) >= collapse_from:
            collapsed.extend(bars)
            collapsed_names.add(name)
        else:
            rows.append((name, bars))
    if collapsed:
        start = min(b[0] for b in collapsed)
        end = max(b[1] for b in collapsed)
        label = f"{len(collapsed_names)} other states\n(first allied {collapse_from} or later)"
        rows.append((label, [(start, end, None)]))
    known = set(record["partner"].astype(int)) if len(record) else set()
    missing = [(code, name) for code, name in absent.items() if code not in known]

    height = 1.2 + 0.28 * (len(rows) + len(missing))
    fig = new_figure(9.0, max(3.2, height))
    ax = fig.add_subplot()
    labels = [name for name, _ in rows] + [name for _, name in missing]
    styles = {
        True: (PALETTE["blue"], None),
        False: (PALETTE["green"], ".."),
        None: (PALETTE["grey"], "//"),
    }
    for y, (_, bars) in enumerate(rows):
        for start, end, defence in bars:
            colour, hatch = styles[defence]
            ax.barh(
                y,
                end - start + 1,
                left=start,
                height=0.6,
                color=colour,
                edgecolor="black",
                linewidth=0.4,
                hatch=hatch,
            )
    for i, (_, name) in enumerate(missing):
        y = len(rows) + i
        ax.text(
            (first_year + last_year) / 2,
            y,
            f"no alliance with {name} in ATOP, {first_year}–{last_year}",
            ha="center",
            va="center",
            fontsize=9,
            style="italic",
            color=PALETTE["vermillion"],
        )
        ax.axhline(y, color=PALETTE["vermillion"], linewidth=0.6, linestyle=":")
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_xlim(first_year, last_year + 1)
    style_axes(
        ax,
        title=f"Alliances of {state_name} recorded by ATOP v5.1, {first_year}–{last_year}",
        xlabel="Year",
        ylabel="Partner",
    )
    ax.set_ylim(len(labels) - 0.5, -0.5)
    handles = [
        Patch(
            facecolor=PALETTE["blue"],
            edgecolor="black",
            label="defence pledge in some or all years",
        ),
        Patch(
            facecolor=PALETTE["green"], edgecolor="black", hatch="..", label="other pledges only"
        ),
    ]
    if collapsed:
        handles.append(
            Patch(
                facecolor=PALETTE["grey"],
                edgecolor="black",
                hatch="//",
                label="several partners, mixed pledges",
            )
        )
    fig.legend(handles=handles, frameon=False, fontsize=8, loc="outside lower center", ncols=3)
    return fig
