"""Pure figures for Part I (alliance theory): model results in, :class:`matplotlib.figure.Figure` out.

Each function draws the output of a :mod:`coursekit.theory` function in the course style
(:mod:`coursekit.plots.style`: Okabe–Ito palette, no pyplot state). Nothing here computes a number that is
shown: scores, gains, regions and labels come from :mod:`coursekit.theory`.

Figures
-------
:func:`threat_figure`
    Threat scores of several actors, split by Walt's four factors, with the predicted strategy.
:func:`gains_figure`
    Each partner's gains and costs in the security–autonomy model, and the region where the alliance forms.
:func:`modes_figure`
    Where the alliance forms in Morrow's asymmetric and symmetric modes, side by side.
:func:`indifference_figure`
    Altfeld's indifference curves: does an alliance move a state to a higher curve?
:func:`arms_alliance_figure`
    Altfeld's arms-or-alliance choice: the utility of each option.
:func:`dilemma_figure`
    Snyder's abandonment–entrapment dilemma over the level of commitment (updates its artists in place).
:func:`live_png`
    A figure's PNG, redrawing only the artists that change (for the explorers).
:func:`checklist_figure`
    One case's tactical score, feature by feature, optionally beside all cases.
:func:`cases_figure`
    The tactical score of every case, with the cut-offs and the recorded classification.
:func:`process_model_figure`
    The article's four-step process model of a tactical alliance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from coursekit.plots._layout import (
    fixed_margins,
    live_png,
    make_live,
    text_height,
    text_width,
    wrap,
)
from coursekit.plots.style import CAR_COLOUR, PALETTE, RUSSIA_COLOUR, new_figure, style_axes
from coursekit.plots.tactical import (
    LABEL_COLOURS,
    cases_figure,
    checklist_figure,
    process_model_figure,
)
from coursekit.theory import (
    FACTOR_LABELS,
    FACTORS,
    OPTIONS,
    PARAM_LABELS,
    STRATEGY_LABELS,
    AltfeldChoice,
    ArmsOrAlliance,
    DilemmaCurves,
    FormationRegion,
    GainsResult,
    ModeComparison,
    ThreatAssessment,
    indifference_curve,
)

__all__ = [
    "FACTOR_COLOURS",
    "STRATEGY_COLOURS",
    "LABEL_COLOURS",
    "threat_figure",
    "gains_figure",
    "modes_figure",
    "indifference_figure",
    "arms_alliance_figure",
    "dilemma_figure",
    "dilemma_png",
    "live_png",
    "checklist_figure",
    "cases_figure",
    "process_model_figure",
]

FACTOR_COLOURS: dict[str, str] = {
    "power": PALETTE["blue"],
    "proximity": PALETTE["orange"],
    "offensive": PALETTE["vermillion"],
    "intentions": PALETTE["purple"],
}
"""One colour per threat factor."""

STRATEGY_COLOURS: dict[str, str] = {
    "balance": PALETTE["green"],
    "bandwagon": PALETTE["vermillion"],
    "hedge": PALETTE["orange"],
    "no_alignment": PALETTE["grey"],
}
"""One colour per predicted strategy."""

STRATEGY_WORDS: dict[str, str] = {
    "balance": "balance against",
    "bandwagon": "bandwagon with",
    "hedge": "hedge towards",
}


WEAK_COLOUR = CAR_COLOUR
"""The weaker partner (the CAR in the course's case)."""

STRONG_COLOUR = RUSSIA_COLOUR
"""The stronger partner (Russia in the course's case)."""

_REGION_CMAP = ListedColormap(["#FFFFFF", "#CDEBDD", "#D9D9D9"])


# -------------------------------------------------------------------------------------------------------
# Balance of threat
# -------------------------------------------------------------------------------------------------------
def _threat_title(assessment: ThreatAssessment, state: str | None, title: str | None) -> str:
    strategy = assessment.strategy
    who = f"{state}: " if state else ""
    if strategy == "no_alignment":
        default_title = f"{who}{STRATEGY_LABELS[strategy]} (no serious threat)"
    else:
        default_title = (
            f"{who}predicted to {STRATEGY_WORDS[strategy]} {assessment.most_threatening}"
        )
    return wrap(title or default_title, 58)


def threat_figure(
    assessment: ThreatAssessment,
    *,
    state: str | None = None,
    title: str | None = None,
    fig: Figure | None = None,
) -> Figure:
    """Bar chart of threat scores, each bar split into the weighted parts of Walt's four factors.

    The most threatening actor is at the top and labelled in bold; the dashed line marks the threat floor below
    which no alignment is needed; the title gives the predicted strategy and the note under the chart the
    reason.

    Parameters
    ----------
    assessment : ThreatAssessment
        The result of :func:`coursekit.theory.assess_threats`.
    state : str, optional
        Name of the state facing the threats (used in the title).
    title : str, optional
        A title to use instead of the default.
    fig : matplotlib.figure.Figure, optional
        A figure made by an earlier call. When the actors, their order, the weights, the threat floor and the
        number of lines of the title and the note are unchanged, its bars, scores, title and note are updated in
        place (so :func:`live_png` can redraw only them); otherwise a new figure is drawn.

    Returns
    -------
    matplotlib.figure.Figure
    """
    names = assessment.ranking[::-1]  # most threatening at the top
    reason = wrap(assessment.reason, 120)
    title_text = _threat_title(assessment, state, title)
    colour = STRATEGY_COLOURS[assessment.strategy]
    # Room for at least two title lines and three note lines, so that most updates keep the layout.
    title_lines = max(2, title_text.count("\n") + 1)
    reason_lines = max(3, reason.count("\n") + 1)
    key = (
        "threat",
        tuple(names),
        tuple(assessment.weights[f] for f in FACTORS),
        assessment.rules.threat_floor,
        title_lines,
        reason_lines,
    )
    live = getattr(fig, "_coursekit_live", None) if fig is not None else None
    if fig is not None and live is not None and live["key"] == key:
        left = np.zeros(len(names))
        for factor in FACTORS:
            widths = np.array([assessment.contributions[name][factor] for name in names])
            for bar, width, start in zip(live["bars"][factor], widths, left, strict=True):
                bar.set_x(start)
                bar.set_width(width)
            left += widths
        for i, (text, name) in enumerate(zip(live["scores"], names, strict=True)):
            text.set_position((assessment.scores[name] + 0.12, i))
            text.set_text(f"{assessment.scores[name]:.2f}")
        live["title"].set_text(title_text)
        live["title"].set_color(colour)
        live["reason"].set_text(reason)
        return fig

    reason_room = text_height("\n" * (reason_lines - 1), 8.5)
    title_room = text_height("\n" * (title_lines - 1), 12)
    height = 2.4 + 0.55 * len(names) + reason_room
    fig = new_figure(8.5, height)
    ax = fig.add_subplot()
    left = np.zeros(len(names))
    bars = {}
    for factor in FACTORS:
        widths = np.array([assessment.contributions[name][factor] for name in names])
        bars[factor] = list(
            ax.barh(
                names,
                widths,
                left=left,
                color=FACTOR_COLOURS[factor],
                edgecolor="white",
                linewidth=0.8,
                label=f"{wrap(FACTOR_LABELS[factor], 14)} ({assessment.weights[factor]:.2f})",
            )
        )
        left += widths
    scores = [
        ax.text(
            assessment.scores[name] + 0.12,
            i,
            f"{assessment.scores[name]:.2f}",
            va="center",
            fontsize=9,
            fontweight="bold" if name == assessment.most_threatening else "normal",
        )
        for i, name in enumerate(names)
    ]
    floor = ax.axvline(
        assessment.rules.threat_floor, color=PALETTE["black"], linestyle="--", linewidth=1
    )
    ax.text(
        assessment.rules.threat_floor,
        len(names) - 0.45,
        f" no alignment needed if the top score < {assessment.rules.threat_floor:g}",
        fontsize=8,
        va="bottom",
        color=PALETTE["black"],
    )
    ax.set_xlim(0, 10.9)
    ax.set_ylim(-0.6, len(names) - 0.2)
    ax.set_yticks(range(len(names)), [wrap(name, 22) for name in names])
    for label, name in zip(ax.get_yticklabels(), names, strict=True):
        label.set_fontweight("bold" if name == assessment.most_threatening else "normal")
    tick_labels = [wrap(name, 22) for name in names]
    style_axes(
        ax,
        title=title_text,
        xlabel="threat score (0–10), split into the weighted factors",
        ylabel="potential threat",
    )
    title_artist = ax.set_title(title_text, fontsize=12, loc="left")  # the same Text: keep a handle
    title_artist.set_color(colour)
    ax.legend(
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=8,
        frameon=False,
        title="factor (weight)",
        title_fontsize=8,
    )
    ax.set_axisbelow(True)  # grid under the bars, as in the live redraw
    # An axes text placed in figure coordinates: the axes draws it, so it is saved even while animated.
    reason_artist = ax.text(
        0.01,
        0.02,
        reason,
        transform=fig.transFigure,
        clip_on=False,
        fontsize=8.5,
        va="bottom",
        ha="left",
        color="#333333",
    )
    fixed_margins(
        fig,
        left=max(text_width(label, 11) for label in tick_labels) + 0.6,  # 11: bold labels are wider
        right=1.75,
        bottom=0.7 + reason_room,
        top=0.25 + title_room,
    )
    # Drawn in this order over the cached background: the floor line stays on top of the bars.
    dynamic = [bar for factor in FACTORS for bar in bars[factor]]
    dynamic += [floor, *scores, title_artist, reason_artist]
    make_live(
        fig, ax, key, dynamic, bars=bars, scores=scores, title=title_artist, reason=reason_artist
    )
    return fig


# -------------------------------------------------------------------------------------------------------
# Security–autonomy model
# -------------------------------------------------------------------------------------------------------
def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5 (times a power of 10) at or above ``value`` (> 0).

    The bar panel's limits snap to these, so most slider moves keep the axes (and the live background).
    """
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value - 1e-12:
            return float(candidate)
    return float(10 ** (exponent + 1))  # pragma: no cover - the loop ends at 10


def _bar_limits(gains: GainsResult) -> tuple[float, float]:
    values = [
        gains.weak_security_gain,
        -gains.weak_autonomy_loss,
        gains.strong_benefit,
        -gains.strong_security_cost,
    ]
    top = _nice_ceiling(max(1.0, max(values)) * 1.35)
    bottom = -_nice_ceiling(max(1.0, -min(values)) * 1.35)
    return bottom, top


def _bar_values(gains: GainsResult) -> list[float]:
    return [
        gains.weak_security_gain,
        -gains.weak_autonomy_loss,
        gains.weak_net,
        gains.strong_benefit,
        -gains.strong_security_cost,
        gains.strong_net,
    ]


def _place_value(text: Text, x: float, value: float) -> None:
    text.set_position((x, value + (0.06 if value >= 0 else -0.06)))
    text.set_text(f"{value:+.2f}")
    text.set_verticalalignment("bottom" if value >= 0 else "top")


def _gains_bars(ax: Axes, gains: GainsResult) -> dict[str, Any]:
    width = 0.26
    colours = [WEAK_COLOUR, STRONG_COLOUR]
    values = _bar_values(gains)
    bars: list[Any] = []
    texts: list[Any] = []
    xs_all: list[Any] = []
    for g, colour in enumerate(colours):
        xs = g + np.array([-width, 0, width])
        group = ax.bar(
            xs,
            values[3 * g : 3 * g + 3],
            width=width * 0.92,
            color=[colour, "#FFFFFF", colour],
            edgecolor=colour,
            hatch=[None, "//", None],
            linewidth=1.2,
        )
        group[2].set_alpha(0.55)
        bars.extend(group)
        xs_all.extend(float(x) for x in xs)
    for x, value in zip(xs_all, values, strict=True):
        text = ax.text(x, 0, "", ha="center", fontsize=8)
        _place_value(text, x, value)
        texts.append(text)
    zero = ax.axhline(0, color=PALETTE["black"], linewidth=0.8)
    strong_good = "security" if gains.mode == "symmetric" else "autonomy"
    ax.set_xticks(
        [0, 1],
        ["Weaker partner\n(gains security)", f"Stronger partner\n(gains {strong_good})"],
    )
    ax.set_ylim(*_bar_limits(gains))
    ax.yaxis.set_major_locator(MaxNLocator(5))
    style_axes(
        ax,
        title=wrap(gains.verdict, 56),
        xlabel="bars: gain (solid), cost (hatched), net (light)",
        ylabel="points (gain above 0, cost below)",
    )
    ax.set_axisbelow(True)  # grid under the bars, as in the live redraw
    title = ax.set_title(wrap(gains.verdict, 56), fontsize=12, loc="left")  # the same Text
    title.set_color(PALETTE["green"] if gains.forms else PALETTE["vermillion"])
    return {"bars": bars, "texts": texts, "xs": xs_all, "zero": zero, "title": title}


def _region_shade(region: FormationRegion) -> np.ndarray:
    shade = region.forms.astype(float)
    invalid = region.invalid if region.invalid is not None else np.zeros_like(region.forms)
    shade[invalid] = 2.0
    return shade


def _region_contours(ax: Axes, region: FormationRegion) -> list[Any]:
    contours = []
    if np.nanmin(region.weak_net) < 0 < np.nanmax(region.weak_net):
        contours.append(
            ax.contour(
                region.x,
                region.y,
                region.weak_net,
                levels=[0],
                colors=[WEAK_COLOUR],
                linewidths=1.6,
            )
        )
    if np.nanmin(region.strong_net) < 0 < np.nanmax(region.strong_net):
        contours.append(
            ax.contour(
                region.x,
                region.y,
                region.strong_net,
                levels=[0],
                colors=[STRONG_COLOUR],
                linewidths=1.6,
                linestyles="--",
            )
        )
    return contours


def _region_title(region: FormationRegion, title: str | None) -> str:
    return title or f"Where the alliance forms ({region.share:.0%} of the map)"


def _region_panel(ax: Axes, region: FormationRegion, *, title: str | None = None) -> dict[str, Any]:
    extent = (region.x[0], region.x[-1], region.y[0], region.y[-1])
    invalid = region.invalid if region.invalid is not None else np.zeros_like(region.forms)
    image = ax.imshow(
        _region_shade(region),
        origin="lower",
        extent=extent,
        aspect="auto",
        cmap=_REGION_CMAP,
        vmin=0,
        vmax=2,
        interpolation="nearest",
    )
    contours = _region_contours(ax, region)
    x, y = region.point
    (point,) = ax.plot([x], [y], marker="o", markersize=8, color=PALETTE["black"], zorder=5)
    label = ax.annotate("current", (x, y), xytext=(6, 6), textcoords="offset points", fontsize=8)
    handles = [
        Patch(facecolor="#CDEBDD", edgecolor="#999999", label="both gain (shaded)"),
        Line2D([], [], color=WEAK_COLOUR, linewidth=1.6, label="weaker partner breaks even"),
        Line2D(
            [],
            [],
            color=STRONG_COLOUR,
            linewidth=1.6,
            linestyle="--",
            label="stronger partner breaks even",
        ),
    ]
    if invalid.any():
        handles.append(
            Patch(
                facecolor="#D9D9D9",
                edgecolor="#999999",
                label="not allowed (weaker > stronger)",
            )
        )
    # Under the map, outside the shaded area: it stays in the live background.
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.13),
        ncols=2,
        fontsize=7.5,
        frameon=False,
    )
    style_axes(
        ax,
        title=_region_title(region, title),
        xlabel=PARAM_LABELS[region.x_axis],
        ylabel=PARAM_LABELS[region.y_axis],
    )
    ax.grid(False)
    map_title = ax.set_title(_region_title(region, title), fontsize=12, loc="left")
    return {
        "image": image,
        "contours": contours,
        "point": point,
        "label": label,
        "map_title": map_title,
        "spines": list(ax.spines.values()),
    }


def _gains_key(gains: GainsResult, region: FormationRegion | None) -> tuple[Any, ...]:
    region_key = None
    if region is not None:
        invalid = region.invalid is not None and bool(region.invalid.any())
        region_key = (
            region.x_axis,
            region.y_axis,
            float(region.x[0]),
            float(region.x[-1]),
            float(region.y[0]),
            float(region.y[-1]),
            region.forms.shape,
            invalid,
        )
    return (
        "gains",
        gains.mode,
        _bar_limits(gains),
        wrap(gains.verdict, 56).count("\n"),
        region_key,
    )


def _gains_dynamic(live: dict[str, Any]) -> list[Any]:
    """The changing artists, in drawing order: bars, zero line, values, title; map, frame, lines, marks, title."""
    dynamic = [*live["bars"], live["zero"], *live["texts"], live["title"]]
    if "image" in live:
        dynamic += [live["image"], *live["spines"], *live["contours"]]
        dynamic += [live["point"], live["label"], live["map_title"]]
    return dynamic


def gains_figure(
    gains: GainsResult, region: FormationRegion | None = None, *, fig: Figure | None = None
) -> Figure:
    """Each partner's gain, cost and net gain, and (optionally) the region where both gain.

    Parameters
    ----------
    gains : GainsResult
        The result of :func:`coursekit.theory.alliance_gains`.
    region : FormationRegion, optional
        The result of :func:`coursekit.theory.formation_region` for the same parameters; when given, a second
        panel shades where the alliance forms, with each partner's break-even line and the current point.
    fig : matplotlib.figure.Figure, optional
        A figure made by an earlier call. When the mode, the map's axes and ranges, the bar panel's limits
        (which snap to round values) and the number of title lines are unchanged, its bars, values, title, map,
        lines and marker are updated in place (so :func:`live_png` can redraw only them); otherwise a new
        figure is drawn.

    Returns
    -------
    matplotlib.figure.Figure
    """
    key = _gains_key(gains, region)
    live = getattr(fig, "_coursekit_live", None) if fig is not None else None
    if fig is not None and live is not None and live["key"] == key:
        for bar, value in zip(live["bars"], _bar_values(gains), strict=True):
            bar.set_height(value)
        for text, x, value in zip(live["texts"], live["xs"], _bar_values(gains), strict=True):
            _place_value(text, x, value)
        live["title"].set_text(wrap(gains.verdict, 56))
        live["title"].set_color(PALETTE["green"] if gains.forms else PALETTE["vermillion"])
        if region is not None:
            live["image"].set_data(_region_shade(region))
            for contour in live["contours"]:
                contour.remove()
            live["contours"] = _region_contours(live["map_ax"], region)
            for contour in live["contours"]:
                contour.set_animated(True)
            x, y = region.point
            live["point"].set_data([x], [y])
            live["label"].xy = (x, y)
            live["map_title"].set_text(_region_title(region, None))
        live["dynamic"] = _gains_dynamic(live)
        return fig

    title_height = text_height("\n" * (key[3] - 1), 12)  # room for the reserved title lines
    if region is None:
        fig = new_figure(5.5, 4.2)
        ax = fig.add_subplot()
        handles = _gains_bars(ax, gains)
        fixed_margins(fig, left=0.75, right=0.2, bottom=0.65, top=0.25 + title_height)
    else:
        fig = new_figure(10.0, 5.5)
        ax, right = fig.subplots(1, 2)
        handles = _gains_bars(ax, gains)
        handles.update(_region_panel(right, region), map_ax=right)
        fixed_margins(
            fig, left=0.75, right=0.25, bottom=1.15, top=0.25 + title_height, gap=0.95, ncols=2
        )
    make_live(fig, ax, key, _gains_dynamic(handles), **handles)
    return fig


def modes_figure(comparison: ModeComparison) -> Figure:
    """Where the alliance forms in Morrow's asymmetric mode (left) and symmetric mode (right).

    Parameters
    ----------
    comparison : ModeComparison
        The result of :func:`coursekit.theory.compare_modes`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = new_figure(10.0, 5.3)
    left, right = fig.subplots(1, 2)
    shares = comparison.shares
    _region_panel(
        left,
        comparison.asymmetric,
        title=f"Asymmetric: security for autonomy ({shares['asymmetric']:.0%} forms)",
    )
    _region_panel(
        right,
        comparison.symmetric,
        title=f"Symmetric: security for security ({shares['symmetric']:.0%} forms)",
    )
    fixed_margins(fig, left=0.75, right=0.25, bottom=1.15, top=0.45, gap=0.95, ncols=2)
    return fig


def indifference_figure(
    choice: AltfeldChoice,
    *,
    extra_levels: Sequence[float] = (),
    title: str | None = None,
) -> Figure:
    """Altfeld's diagram: indifference curves over autonomy and security, and the alliance trade.

    Parameters
    ----------
    choice : AltfeldChoice
        The result of :func:`coursekit.theory.altfeld_decision`.
    extra_levels : sequence of float, optional
        Further utility levels to draw as thin grey curves.
    title : str, optional
        A title to use instead of the default.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = new_figure(6.5, 5.0)
    ax = fig.add_subplot()
    autonomy = np.linspace(0.05, 10, 300)
    w = choice.security_weight
    for level in extra_levels:
        ax.plot(
            autonomy, indifference_curve(level, autonomy, w), color=PALETTE["grey"], linewidth=0.8
        )
    ax.plot(
        autonomy,
        indifference_curve(choice.utility_before, autonomy, w),
        color=PALETTE["black"],
        linewidth=1.8,
        label=f"curve through today's position (utility {choice.utility_before:.2f})",
    )
    ax.plot(
        autonomy,
        indifference_curve(choice.utility_after, autonomy, w),
        color=STRATEGY_COLOURS["balance"] if choice.joins else PALETTE["vermillion"],
        linewidth=1.8,
        linestyle="--",
        label=f"curve through the alliance position (utility {choice.utility_after:.2f})",
    )
    (s0, a0), (s1, a1) = choice.before, choice.after
    ax.plot([a0], [s0], "o", color=PALETTE["black"], markersize=8, zorder=5)
    ax.plot([a1], [s1], "s", color=PALETTE["blue"], markersize=8, zorder=5)
    ax.annotate(
        "without alliance", (a0, s0), xytext=(8, -12), textcoords="offset points", fontsize=8.5
    )
    ax.annotate("with alliance", (a1, s1), xytext=(8, 6), textcoords="offset points", fontsize=8.5)
    ax.add_patch(
        FancyArrowPatch(
            (a0, s0), (a1, s1), arrowstyle="-|>", mutation_scale=14, color=PALETTE["blue"]
        )
    )
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    verdict = (
        "the alliance reaches a higher curve: join"
        if choice.joins
        else "the alliance falls to a lower curve: stay out"
    )
    style_axes(
        ax,
        title=title or f"Altfeld's choice, security weight {w:.2f}: {verdict}",
        xlabel="autonomy (0–10)",
        ylabel="security (0–10)",
    )
    ax.legend(loc="upper right", fontsize=8)
    return fig


OPTION_LABELS: dict[str, str] = {
    "neither": "neither",
    "arms": "arms\n(pay in wealth)",
    "alliance": "alliance\n(pay in autonomy)",
    "both": "both",
}


def arms_alliance_figure(choice: ArmsOrAlliance, *, title: str | None = None) -> Figure:
    """Altfeld's choice between arms and alliance: the utility of each option, the best one highlighted.

    Parameters
    ----------
    choice : ArmsOrAlliance
        The result of :func:`coursekit.theory.arms_or_alliance`.
    title : str, optional
        A title to use instead of the default.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = new_figure(6.5, 4.2)
    ax = fig.add_subplot()
    values = [choice.utilities[o] for o in OPTIONS]
    colours = [PALETTE["green"] if o == choice.best else PALETTE["grey"] for o in OPTIONS]
    bars = ax.bar([OPTION_LABELS[o] for o in OPTIONS], values, color=colours)
    for bar, value in zip(bars, values, strict=True):
        ax.text(
            bar.get_x() + bar.get_width() / 2,
            value + 0.08,
            f"{value:.2f}",
            ha="center",
            va="bottom",
            fontsize=8.5,
        )
    ax.set_ylim(0, max(1.0, max(values)) * 1.2)
    style_axes(
        ax,
        title=title or f"Altfeld's choice: {OPTION_LABELS[choice.best].splitlines()[0]} is best",
        xlabel="option",
        ylabel="utility (0–10)",
    )
    fixed_margins(fig, left=0.75, right=0.2, bottom=0.85, top=0.45)
    return fig


# -------------------------------------------------------------------------------------------------------
# Snyder's abandonment–entrapment dilemma
# -------------------------------------------------------------------------------------------------------
def _dilemma_title(curves: DilemmaCurves) -> str:
    return wrap(curves.result.verdict, 62)


#: The risks are 0–1 and the expected cost, a convex curve, is largest at an end of the commitment axis, where it
#: is at most 1: a fixed y range never cuts a curve and lets the live figure keep its axes (and its background).
#: The band above 1 holds the legend, so no curve ever crosses it.
_DILEMMA_YMAX = 1.4


def dilemma_figure(curves: DilemmaCurves, *, fig: Figure | None = None) -> Figure:
    """The abandonment–entrapment dilemma: both risks and their total over the level of commitment.

    The solid curve is the dependence-weighted risk of abandonment, falling as commitment rises; the dashed
    curve the risk of entrapment, rising with it; the thick curve their sum, the expected cost. A dot marks the
    chosen commitment and a dotted line the best one (Snyder 1984).

    Parameters
    ----------
    curves : DilemmaCurves
        The result of :func:`coursekit.theory.dilemma_curves`.
    fig : matplotlib.figure.Figure, optional
        A figure made by an earlier call: its lines, marker and title are updated in place (no new artists),
        which is what makes the explorer fast (see :func:`live_png`). Default: draw a new figure.

    Returns
    -------
    matplotlib.figure.Figure
    """
    r = curves.result
    best = r.best_commitment
    best_x = [best, best] if best is not None else [np.nan, np.nan]
    live = getattr(fig, "_coursekit_live", None) if fig is not None else None
    if fig is not None and live is not None and live["key"] == "dilemma":
        art = live
        art["abandonment"].set_data(curves.commitment, curves.abandonment_cost)
        art["entrapment"].set_data(curves.commitment, curves.entrapment_risk)
        art["total"].set_data(curves.commitment, curves.expected_cost)
        art["point"].set_data([r.commitment], [r.expected_cost])
        art["best"].set_xdata(best_x)
        art["title"].set_text(_dilemma_title(curves))
        return fig
    fig = new_figure(7.0, 4.6)
    ax = fig.add_subplot()
    (abandonment,) = ax.plot(
        curves.commitment,
        curves.abandonment_cost,
        color=PALETTE["blue"],
        linewidth=1.8,
        label="risk of abandonment × dependence",
    )
    (entrapment,) = ax.plot(
        curves.commitment,
        curves.entrapment_risk,
        color=PALETTE["vermillion"],
        linewidth=1.8,
        linestyle="--",
        label="risk of entrapment",
    )
    (total,) = ax.plot(
        curves.commitment,
        curves.expected_cost,
        color=PALETTE["black"],
        linewidth=2.6,
        label="expected cost (sum)",
    )
    (point,) = ax.plot(
        [r.commitment], [r.expected_cost], "o", color=PALETTE["black"], markersize=8, zorder=5
    )
    (best_line,) = ax.plot(
        best_x,
        [0, 1.0],
        color=PALETTE["green"],
        linestyle=":",
        linewidth=1.6,
        label="best commitment",
    )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, _DILEMMA_YMAX)
    ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    title = _dilemma_title(curves)
    style_axes(
        ax,
        title=title,
        xlabel="own commitment to the partner (0 = none, 1 = unconditional)",
        ylabel="risk or expected cost (0–1 scale)",
    )
    title_text = ax.set_title(title, fontsize=12, loc="left")  # the same Text: keep a handle
    ax.legend(loc="upper center", fontsize=8, ncols=2, frameon=False)
    # Room for a two-line title, so later updates with a longer verdict still fit.
    fixed_margins(fig, left=0.8, right=0.25, bottom=0.65, top=0.3 + text_height("a\nb", 12))
    make_live(
        fig,
        ax,
        "dilemma",
        (abandonment, entrapment, total, best_line, point, title_text),
        abandonment=abandonment,
        entrapment=entrapment,
        total=total,
        point=point,
        best=best_line,
        title=title_text,
    )
    return fig


def dilemma_png(fig: Figure, dpi: int = 72) -> bytes:
    """PNG of a figure from :func:`dilemma_figure`: the same as :func:`live_png`."""
    return live_png(fig, dpi=dpi)
