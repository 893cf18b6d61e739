"""Pure figures for the tactical/strategic checklist and the article's process model (chapter 4).

Re-exported by :mod:`coursekit.plots.theory`, so ``from coursekit.plots import theory as tplots`` reaches them
too. Nothing here computes a number that is shown: scores and labels come from :mod:`coursekit.theory`.

:func:`checklist_figure`
    One case's tactical score, feature by feature, optionally beside all cases.
:func:`cases_figure`
    The tactical score of every case, with the cut-offs and the recorded classification.
:func:`process_model_figure`
    The article's four-step process model of a tactical alliance.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch
from matplotlib.ticker import MaxNLocator

from coursekit.plots._layout import fixed_margins, make_live, shorten, text_width, wrap
from coursekit.plots.style import PALETTE, new_figure, style_axes
from coursekit.theory import (
    FEATURE_LABELS,
    FEATURES,
    PROCESS_STEPS,
    REVERSED_FEATURES,
    STRATEGIC_BELOW,
    TACTICAL_FROM,
    Classification,
)

__all__ = ["LABEL_COLOURS", "checklist_figure", "cases_figure", "process_model_figure"]

LABEL_COLOURS: dict[str, str] = {
    "tactical": PALETTE["vermillion"],
    "mixed": PALETTE["grey"],
    "strategic": PALETTE["blue"],
}
"""One colour per alliance label."""


def _band(ax: Axes, *, vertical: bool) -> None:
    span = ax.axvspan if vertical else ax.axhspan
    line = ax.axvline if vertical else ax.axhline
    span(0, STRATEGIC_BELOW, color=LABEL_COLOURS["strategic"], alpha=0.08, linewidth=0)
    span(TACTICAL_FROM, 1, color=LABEL_COLOURS["tactical"], alpha=0.08, linewidth=0)
    for cut in (STRATEGIC_BELOW, TACTICAL_FROM):
        line(cut, color=PALETTE["black"], linestyle=":", linewidth=1)


def _checklist_title(classification: Classification, name: str | None) -> str:
    who = f"{name}: " if name else ""
    return f"{who}tactical score {classification.score:.2f} → {classification.label}"


def _contribution_values(classification: Classification) -> list[float]:
    return [classification.contributions[f] for f in FEATURES][::-1]


def _contribution_panel(
    ax: Axes, classification: Classification, name: str | None
) -> dict[str, Any]:
    labels = [FEATURE_LABELS[f] for f in FEATURES][::-1]
    maxima = [classification.weights[f] for f in FEATURES][::-1]
    hatches = ["//" if f in REVERSED_FEATURES else None for f in FEATURES][::-1]
    ax.barh(labels, maxima, color="#EEEEEE", edgecolor="#BBBBBB", linewidth=0.6)
    bars = ax.barh(labels, _contribution_values(classification), color=LABEL_COLOURS["tactical"])
    for bar, hatch in zip(bars, hatches, strict=True):
        if hatch:
            bar.set_hatch(hatch)
            bar.set_edgecolor("white")
    ax.set_xlim(0, max(maxima) * 1.05 if max(maxima) > 0 else 1)
    title = _checklist_title(classification, name)
    style_axes(
        ax,
        title=title,
        xlabel="contribution to the tactical score (grey: the most a feature can add)",
        ylabel="feature",
    )
    ax.set_axisbelow(True)  # grid under the bars, as in the live redraw
    ax.xaxis.set_major_locator(MaxNLocator(4))
    title_artist = ax.set_title(title, fontsize=12, loc="left")  # the same Text: keep a handle
    title_artist.set_color(LABEL_COLOURS[classification.label])
    return {"bars": list(bars), "title": title_artist}


def _cases_panel(
    ax: Axes, classified: pd.DataFrame, highlight: str | None, current: float | None = None
) -> Line2D | None:
    table = classified.sort_values("tactical_score").reset_index(drop=True)
    ys = np.arange(len(table))
    recorded = (
        table["classification"].astype(str) if "classification" in table else table["predicted"]
    )
    colours = [LABEL_COLOURS.get(str(label), PALETTE["grey"]) for label in recorded]
    _band(ax, vertical=True)
    ax.hlines(ys, 0, table["tactical_score"], color="#BBBBBB", linewidth=1)
    if "benchmark" in table:
        sourced = table["benchmark"].astype(bool).to_numpy()
    else:
        sourced = np.ones(len(table), dtype=bool)
    ax.scatter(
        table["tactical_score"][sourced],
        ys[sourced],
        c=[c for c, keep in zip(colours, sourced, strict=True) if keep],
        s=55,
        zorder=3,
        edgecolors="white",
    )
    if (~sourced).any():
        ax.scatter(
            table["tactical_score"][~sourced],
            ys[~sourced],
            facecolors="white",
            edgecolors=[c for c, keep in zip(colours, sourced, strict=True) if not keep],
            linewidths=1.6,
            s=55,
            zorder=3,
        )
    if "agrees" in table:
        wrong = table.index[~table["agrees"].astype(bool)]
        ax.scatter(
            table.loc[wrong, "tactical_score"],
            wrong,
            s=150,
            facecolors="none",
            edgecolors=PALETTE["black"],
            linewidths=1.2,
            zorder=4,
        )
    names = [shorten(n, 34) for n in table["name"]]
    ax.set_yticks(ys, names)
    for tick, case_id in zip(ax.get_yticklabels(), table["case_id"], strict=True):
        if highlight is not None and case_id == highlight:
            tick.set_fontweight("bold")
            tick.set_color(PALETTE["black"])
    ax.set_xlim(0, 1)
    ax.set_xticks([0, STRATEGIC_BELOW, TACTICAL_FROM, 1])
    ax.set_ylim(-0.7, len(table) - 0.3)
    handles: list[Artist] = [
        Patch(color=LABEL_COLOURS["tactical"], label="recorded: tactical"),
        Patch(color=LABEL_COLOURS["strategic"], label="recorded: strategic"),
    ]
    if (~sourced).any():
        handles.append(
            Patch(
                facecolor="white",
                edgecolor=PALETTE["grey"],
                label="hollow: label is the course's judgement",
            )
        )
    if "agrees" in table and (~table["agrees"].astype(bool)).any():
        handles.append(
            Patch(facecolor="white", edgecolor=PALETTE["black"], label="ringed: model disagrees")
        )
    current_line = None
    if current is not None:
        # Above the legend (zorder 5), as in the live redraw, which draws it last.
        current_line = ax.axvline(
            current, color=PALETTE["black"], linestyle="--", linewidth=1.2, zorder=6
        )
        handles.append(
            Line2D([], [], color=PALETTE["black"], linestyle="--", label="the case on the left")
        )
    ax.legend(handles=handles, loc="lower right", fontsize=7.5)
    style_axes(
        ax,
        title=f"All cases (cut-offs {STRATEGIC_BELOW:g} and {TACTICAL_FROM:g})",
        xlabel="tactical score (0–1)",
        ylabel="case",
    )
    return current_line


def _checklist_key(
    classification: Classification, cases: pd.DataFrame | None, highlight: str | None
) -> tuple[Any, ...]:
    table = None
    if cases is not None:
        columns = [
            c
            for c in ("case_id", "name", "tactical_score", "classification", "agrees", "benchmark")
            if c in cases.columns
        ]
        table = tuple(tuple(str(v) for v in row) for row in cases[columns].itertuples(index=False))
    weights = tuple(classification.weights[f] for f in FEATURES)
    return ("checklist", weights, table, highlight)


def checklist_figure(
    classification: Classification,
    *,
    name: str | None = None,
    cases: pd.DataFrame | None = None,
    highlight: str | None = None,
    fig: Figure | None = None,
) -> Figure:
    """One case's tactical score feature by feature, optionally beside the scores of all cases.

    Parameters
    ----------
    classification : Classification
        The result of :func:`coursekit.theory.classify_alliance` for the case.
    name : str, optional
        The case's name, for the title.
    cases : pandas.DataFrame, optional
        The result of :func:`coursekit.theory.classify_cases`; when given, a second panel shows every case, with a
        dashed line at the score of the case on the left.
    highlight : str, optional
        A ``case_id`` to highlight in the second panel.
    fig : matplotlib.figure.Figure, optional
        A figure made by an earlier call. When the weights, the table of cases and the highlight are unchanged
        (moving a feature slider changes only the case on the left), its bars, title and dashed line are updated
        in place (so :func:`coursekit.plots.theory.live_png` can redraw only them); otherwise a new figure is
        drawn.

    Returns
    -------
    matplotlib.figure.Figure
    """
    key = _checklist_key(classification, cases, highlight)
    live = getattr(fig, "_coursekit_live", None) if fig is not None else None
    if fig is not None and live is not None and live["key"] == key:
        for bar, value in zip(live["bars"], _contribution_values(classification), strict=True):
            bar.set_width(value)
        live["title"].set_text(_checklist_title(classification, name))
        live["title"].set_color(LABEL_COLOURS[classification.label])
        if live.get("current") is not None:
            live["current"].set_xdata([classification.score, classification.score])
        return fig
    feature_margin = max(text_width(label, 10) for label in FEATURE_LABELS.values()) + 0.5
    if cases is None:
        fig = new_figure(7.0, 4.2)
        ax = fig.add_subplot()
        handles = _contribution_panel(ax, classification, name)
        fixed_margins(fig, left=feature_margin, right=0.45, bottom=0.65, top=0.45)
        make_live(fig, ax, key, [*handles["bars"], handles["title"]], **handles)
        return fig
    fig = new_figure(12.0, max(4.4, 0.34 * len(cases) + 1.6))
    left, right = fig.subplots(1, 2)
    handles = _contribution_panel(left, classification, name)
    handles["current"] = _cases_panel(right, cases, highlight, current=classification.score)
    make_live(fig, left, key, [*handles["bars"], handles["title"], handles["current"]], **handles)
    case_margin = max((text_width(shorten(n, 34), 10) for n in cases["name"]), default=1.0) + 0.55
    fixed_margins(
        fig,
        left=feature_margin,
        right=0.25,
        bottom=0.65,
        top=0.45,
        gap=case_margin + 0.35,
        ncols=2,
    )
    return fig


def cases_figure(classified: pd.DataFrame, *, highlight: str | None = None) -> Figure:
    """The tactical score of every case, with the cut-offs and the classification recorded in the data.

    Parameters
    ----------
    classified : pandas.DataFrame
        The result of :func:`coursekit.theory.classify_cases`.
    highlight : str, optional
        A ``case_id`` to print in bold.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = new_figure(8.0, max(3.5, 0.42 * len(classified) + 1.6))
    _cases_panel(fig.add_subplot(), classified, highlight)
    case_margin = max((text_width(shorten(n, 34), 10) for n in classified["name"]), default=1.0)
    fixed_margins(fig, left=case_margin + 0.55, right=0.25, bottom=0.65, top=0.45)
    return fig


# -------------------------------------------------------------------------------------------------------
# Process model
# -------------------------------------------------------------------------------------------------------
def process_model_figure(
    *,
    highlight: int | None = None,
    annotations: Mapping[int, str] | None = None,
    title: str = "The process model of a tactical alliance (Hayrapetyan & Kučera 2022)",
) -> Figure:
    """Diagram of the article's four steps, with the two possible endings of step 4.

    Parameters
    ----------
    highlight : int, optional
        A step (1–4) to colour as the current stage.
    annotations : mapping of int to str, optional
        Short text to print under a step's box (for example the dates of a case), keyed by step number.
    title : str, optional
        The figure title.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``highlight`` or an annotation key is not a step number 1–4.
    """
    numbers = [step.number for step in PROCESS_STEPS]
    if highlight is not None and highlight not in numbers:
        raise ValueError(
            f"highlight = {highlight!r} is not a step; choose one of {numbers} or None"
        )
    annotations = dict(annotations or {})
    bad = [key for key in annotations if key not in numbers]
    if bad:
        raise ValueError(f"annotations has unknown step(s) {bad}; use step numbers {numbers}")

    fig = new_figure(11.0, 3.3)
    ax = fig.add_subplot()
    ax.set_xlim(0, 11)
    ax.set_ylim(0.7, 3.6)
    ax.axis("off")
    box_w, box_h, y0 = 2.0, 1.9, 1.6
    xs = [0.15, 2.75, 5.35, 7.95]
    for step, x in zip(PROCESS_STEPS, xs, strict=True):
        current = highlight == step.number
        ax.add_patch(
            FancyBboxPatch(
                (x, y0),
                box_w,
                box_h,
                boxstyle="round,pad=0.05,rounding_size=0.15",
                facecolor=PALETTE["sky"] if current else "#F4F4F4",
                edgecolor=PALETTE["blue"] if current else "#888888",
                linewidth=2.0 if current else 1.0,
            )
        )
        ax.text(
            x + box_w / 2,
            y0 + box_h - 0.22,
            f"{step.number}. {wrap(step.title, 22)}",
            ha="center",
            va="top",
            fontsize=9,
            fontweight="bold",
        )
        ax.text(
            x + box_w / 2,
            y0 + 0.12,
            wrap(step.description, 30),
            ha="center",
            va="bottom",
            fontsize=6.8,
            color="#333333",
        )
        if step.number in annotations:
            ax.text(
                x + box_w / 2,
                y0 - 0.18,
                wrap(annotations[step.number], 30),
                ha="center",
                va="top",
                fontsize=8,
                color=PALETTE["blue"],
                style="italic",
            )
        if step.number < 4:
            ax.add_patch(
                FancyArrowPatch(
                    (x + box_w + 0.08, y0 + box_h / 2),
                    (x + 2.6 - 0.08, y0 + box_h / 2),
                    arrowstyle="-|>",
                    mutation_scale=16,
                    color="#555555",
                )
            )
    # The two endings of step 4.
    end_x = xs[-1] + box_w + 0.1
    for y, text, colour in (
        (y0 + box_h - 0.45, "break-up", PALETTE["vermillion"]),
        (y0 + 0.25, "upgrade to a\nstrategic alliance", PALETTE["green"]),
    ):
        ax.add_patch(
            FancyArrowPatch(
                (end_x, y0 + box_h / 2),
                (end_x + 0.45, y),
                arrowstyle="-|>",
                mutation_scale=12,
                color=colour,
            )
        )
        ax.text(end_x + 0.5, y, text, va="center", fontsize=8, color=colour, fontweight="bold")
    ax.set_title(title, fontsize=12, loc="left")
    return fig
