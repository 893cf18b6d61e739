"""In-page explorers of Part II: the timeline explorer, the vote explorer and the durability scorecard.

Each function loads the course data through :mod:`coursekit.data` (or takes the tables, for tests), ships
them inside the page, and returns an :class:`~coursekit.explorers.page.InPageExplorer` whose Vega-Lite chart
filters and computes in the reader's browser. The computations mirror :mod:`coursekit.case`, which stays the
reference: ``tests/test_explorers_browser.py`` moves each control in Chromium and compares the numbers with
:func:`coursekit.case.filter_events`, :func:`coursekit.case.vote_view` and :func:`coursekit.case.durability_score`.

A chapter shows one in a code cell, right after the kernel-backed widget::

    from coursekit.explorers.case import durability_explorer
    durability_explorer()
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any, cast

import altair as alt
import pandas as pd

from coursekit import case
from coursekit.explorers.page import Column, InPageExplorer
from coursekit.plots.case import VOTE_COLOURS, VOTE_LETTERS, short_phase_label
from coursekit.plots.style import DIMENSION_COLOURS

__all__ = [
    "durability_explorer",
    "explorer_for",
    "param_name",
    "timeline_explorer",
    "vote_explorer",
    "vote_group_countries",
]

_FONT: dict[str, Any] = {"labelFontSize": 12, "titleFontSize": 12}
_TEXT = "#1a1a1a"


def _load(name: str) -> pd.DataFrame:
    from coursekit import data

    return getattr(data, name)()


def param_name(prefix: str, ident: str) -> str:
    """A Vega parameter name for an id of the data (``"w"``, ``"power-asymmetry"`` → ``"w_power_asymmetry"``)."""
    return f"{prefix}_{re.sub(r'[^0-9A-Za-z_]', '_', str(ident))}"


def _config(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The course's chart style: dark text, readable sizes, no chart border."""
    return (
        chart.configure_axis(labelColor=_TEXT, titleColor=_TEXT, **_FONT)
        .configure_legend(labelColor=_TEXT, titleColor=_TEXT, **_FONT)
        .configure_title(color=_TEXT, fontSize=14, anchor="start")
        .configure_view(stroke=None)
    )


# -- durability scorecard --------------------------------------------------------------------------------


def durability_explorer(indicators: pd.DataFrame | None = None) -> InPageExplorer:
    """The durability scorecard in the page: one weight slider (0–5) per indicator.

    Mirrors :func:`coursekit.case.durability_score`: ``score = Σ wᵢ·sᵢ / Σ wᵢ``; with every weight at 0
    there is no score (the summary says so).
    """
    table = indicators if indicators is not None else _load("load_durability_indicators")
    rows: list[dict[str, Any]] = [
        {"indicator": str(i), "label": str(lab), "score": float(s)}
        for i, lab, s in zip(table["indicator"], table["label"], table["score"], strict=True)
    ]
    params = [
        alt.param(
            name=param_name("w", r["indicator"]),
            value=1.0,
            bind=alt.binding_range(min=0, max=5, step=0.5, name=f"Weight of {r['label']}"),
        )
        for r in rows
    ]
    weight = "".join(
        f"datum.indicator === {json.dumps(r['indicator'])} ? {param_name('w', r['indicator'])} : "
        for r in rows
    )
    base = (
        alt.Chart(alt.Data(values=rows))
        .transform_calculate(weight=weight + "0")
        .transform_joinaggregate(total="sum(weight)")
        .transform_filter("datum.total > 0")
        .transform_calculate(share="datum.weight / datum.total")
        .transform_calculate(contribution="datum.share * datum.score")
    )
    order = [r["label"] for r in rows]
    contributions = alt.Chart(name="contributions", title="What each indicator adds to the score")
    contributions = (
        base.properties(name="contributions", title="What each indicator adds to the score")
        .mark_bar(color=DIMENSION_COLOURS["military_security"])
        .encode(
            y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
            x=alt.X(
                "contribution:Q",
                title="Contribution (weight share × indicator score)",
                scale=alt.Scale(domain=[0, 1]),
            ),
        )
        .properties(width=300)
    )
    total = (
        base.transform_aggregate(score="sum(contribution)")
        .properties(name="total", title="Durability score")
        .mark_bar(color=DIMENSION_COLOURS["military_security"], height=30)
        .encode(
            x=alt.X(
                "score:Q",
                title="0 = short-lived, 1 = durable",
                scale=alt.Scale(domain=[0, 1]),
            )
        )
        .properties(width=200, height=50)
    )
    chart = _config(alt.hconcat(contributions, total).add_params(*params))
    return InPageExplorer(
        ident="durability",
        title="the durability scorecard",
        chart=chart,
        takeaway=(
            "Bars show how much each durability indicator adds to the alliance's durability score, and the "
            "single bar the score itself, from 0 (short-lived) to 1 (durable). With equal weights the low "
            "scores of asymmetry, distance and personalisation keep the total below the middle; move a "
            "weight to see whether the verdict depends on which factors you think matter."
        ),
        how_to="Move a slider (or focus it and use the arrow keys) to change an indicator's weight.",
        table_view="contributions",
        columns=[
            Column("label", "Indicator"),
            Column("score", "Indicator score", 2),
            Column("weight", "Weight", 1),
            Column("share", "Share of the weight", 3),
            Column("contribution", "Contribution", 3),
        ],
        summary="Durability score: {score:.2f} (0 = short-lived, 1 = durable).",
        summary_view="total",
        empty="Every weight is 0, so there is no score: give at least one indicator a weight.",
        table_caption="Each indicator's weight and contribution",
    )


# -- vote explorer ---------------------------------------------------------------------------------------


def vote_group_countries(votes: pd.DataFrame, group: str) -> list[str]:
    """The countries the vote explorer compares for a group: the CAR and :func:`coursekit.case.group_members`.

    The same choice as the kernel-backed :class:`coursekit.widgets.case.VoteExplorer`.
    """
    car = case.resolve_country(votes, case.CAR_ISO3)
    members = case.group_members(votes, group)
    return [car, *(m for m in members if m != car)]


def _vote_code() -> str:
    return (
        "datum.vote === 'Yes' ? 1 : datum.vote === 'Abstain' ? 2 : datum.vote === 'No' ? 3 : "
        "datum.vote === 'Non-voting' ? 4 : null"
    )


def vote_explorer(
    votes: pd.DataFrame | None = None, resolutions: pd.DataFrame | None = None
) -> InPageExplorer:
    """The vote explorer in the page: resolutions, country group, reference country and agreement index.

    Mirrors :func:`coursekit.case.vote_view`: two votes are compared only when both countries voted (Yes,
    No or Abstain); ``simple`` counts identical votes, ``lijphart`` counts an abstention against a Yes or a
    No as half an agreement; a country's score is the mean over the comparable resolutions.
    """
    votes = votes if votes is not None else _load("load_votes")
    resolutions = resolutions if resolutions is not None else _load("load_resolutions")
    in_votes = set(votes["resolution"].astype(str))
    order = resolutions.sort_values("date")
    res = [
        (str(r), f"{str(r).replace('A/RES/', '')} ({pd.Timestamp(d):%b %Y})")
        for r, d in zip(order["resolution"], order["date"], strict=True)
        if str(r) in in_votes
    ]
    res += [(r, r.replace("A/RES/", "")) for r in sorted(in_votes - {r for r, _ in res})]
    index = {r: i for i, (r, _) in enumerate(res)}
    short = {r: label for r, label in res}
    groups = list(case.VOTE_GROUPS)
    member_of: dict[str, list[str]] = {}
    for group in groups:
        for name in case.group_members(votes, group):
            member_of.setdefault(name, []).append(group)
    records = [
        {
            "resolution": short[str(r)],
            "res_index": index[str(r)],
            "country": str(c),
            "iso3": str(i),
            "groups": member_of.get(str(c), []),
            "vote": None if pd.isna(v) else str(v),
        }
        for r, c, i, v in zip(
            votes["resolution"], votes["country"], votes["iso3"], votes["vote"], strict=True
        )
    ]
    countries = votes[["country", "iso3"]].drop_duplicates("iso3").sort_values("country")
    iso3s = [str(i) for i in countries["iso3"]]
    reference = case.RUSSIA_ISO3 if case.RUSSIA_ISO3 in iso3s else iso3s[0]
    names = {str(i): str(c) for i, c in zip(countries["iso3"], countries["country"], strict=True)}
    params = [
        alt.param(
            name="reference",
            value=reference,
            bind=alt.binding_select(
                options=iso3s, labels=[names[i] for i in iso3s], name="Compare with"
            ),
        ),
        alt.param(
            name="method",
            value="simple",
            bind=alt.binding_select(
                options=["simple", "lijphart"],
                labels=["Share of identical votes", "Lijphart index (abstain = ½)"],
                name="Agreement index",
            ),
        ),
        alt.param(
            name="group",
            value=groups[0],
            bind=alt.binding_select(
                options=groups,
                labels=list(case.VOTE_GROUPS.values()),
                name="Countries compared (the CAR always included)",
            ),
        ),
        alt.param(name="country_names", value=names),
        *(
            alt.param(name=f"r_{i}", value=True, bind=alt.binding_checkbox(name=f"Include {label}"))
            for i, (_, label) in enumerate(res)
        ),
    ]
    included = "[" + ", ".join(f"r_{i}" for i in range(len(res))) + "][datum.res_index]"
    agree = (
        "isValid(datum.code) && datum.code <= 3 && isValid(datum.ref_code) && datum.ref_code <= 3 ? "
        "(datum.code === datum.ref_code ? 1 : method === 'lijphart' && "
        "(datum.code === 2 || datum.ref_code === 2) ? 0.5 : 0) : null"
    )
    in_group = (
        f"indexof(datum.groups, group) >= 0 || datum.iso3 === {json.dumps(case.CAR_ISO3)} || "
        "datum.iso3 === reference"
    )
    base = (
        alt.Chart(alt.Data(values=records))
        .transform_filter(included)
        .transform_calculate(code=_vote_code())
        .transform_calculate(ref_part="datum.iso3 === reference ? datum.code : null")
        .transform_joinaggregate(ref_code="max(ref_part)", groupby=["resolution"])
        .transform_calculate(agree=agree)
        .transform_filter(in_group)
    )
    scores = (
        base.transform_filter("datum.iso3 !== reference")
        .transform_aggregate(
            score="mean(agree)", n_compared="valid(agree)", groupby=["country", "iso3"]
        )
        .transform_calculate(reference_name="country_names[reference]")
    )
    bars = (
        scores.properties(name="agreement", title="Agreement with the reference country")
        # "show": a country with no comparable vote keeps its row (and its line in the data table)
        .mark_bar(color=DIMENSION_COLOURS["military_security"], invalid="show")
        .encode(
            y=alt.Y("country:N", sort="-x", title=None, axis=alt.Axis(labelLimit=200)),
            x=alt.X(
                "score:Q",
                title="Agreement (0 = never alike, 1 = always)",
                scale=alt.Scale(domain=[0, 1]),
            ),
        )  # fmt: skip
        .properties(width=220, height=alt.Step(14))
    )
    letter = "{" + ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in VOTE_LETTERS.items())
    vote_order = list(VOTE_COLOURS)
    cells = base.transform_joinaggregate(mean_agree="mean(agree)", groupby=["country"])
    cells = cells.transform_calculate(
        shown=f"isValid(datum.vote) ? datum.vote : {json.dumps(case.UNKNOWN_VOTE)}",
        rank="datum.iso3 === reference ? 2 : isValid(datum.mean_agree) ? datum.mean_agree : -1",
    ).transform_calculate(letter=letter + "}[datum.shown]")
    y = alt.Y(
        "country:N", title=None, sort=alt.EncodingSortField("rank", op="max", order="descending")
    )
    x = alt.X("resolution:N", title=None, sort=[label for _, label in res],
              axis=alt.Axis(labelAngle=-40, labelLimit=120))  # fmt: skip
    rects = cells.mark_rect(stroke="#666666", strokeWidth=0.5).encode(
        x=x,
        y=y,
        color=alt.Color(
            "shown:N",
            title="Vote",
            scale=alt.Scale(domain=vote_order, range=[VOTE_COLOURS[v] for v in vote_order]),
            legend=alt.Legend(orient="bottom", direction="horizontal"),
        ),
    )
    text = cells.mark_text(fontSize=10).encode(
        x=x,
        y=y,
        text="letter:N",
        color=alt.condition("datum.shown === 'No'", alt.value("#ffffff"), alt.value(_TEXT)),
    )
    matrix = alt.layer(rects, text).properties(
        title="Votes (reference country first; Y yes, N no, A abstain, NV not voting, ? unknown)",
        width=alt.Step(44),
        height=alt.Step(14),
    )
    chart = _config(alt.vconcat(matrix, bars).add_params(*params))  # stacked: fits the page column
    return InPageExplorer(
        ident="votes",
        title="the vote explorer",
        chart=chart,
        takeaway=(
            "A grid of votes on the chosen General Assembly resolutions, one row per country with the "
            "reference country first, and bars of each country's agreement with the reference (Russia at "
            "first). Read the CAR's row against its neighbours' rows, and mind the cells marked ? (no source "
            "confirmed the vote): each score rests only on the votes compared, given in the table."
        ),
        how_to=(
            "Choose the reference country, the agreement index and the countries, and tick the "
            "resolutions to include."
        ),
        table_view="agreement",
        columns=[
            Column("country", "Country"),
            Column("score", "Agreement", 2),
            Column("n_compared", "Votes compared"),
        ],
        summary=(
            "{country}: agreement {score:.2f} with {reference_name}, over {n_compared} comparable "
            "vote(s); {_rows} countries compared."
        ),
        summary_where={"iso3": case.CAR_ISO3},
        sort=[("score", "desc"), ("country", "asc")],
        empty="The CAR is the reference country, or no resolution is ticked: choose another reference "
        "or tick a resolution.",
        table_caption="Agreement of each country with the reference",
        renderer="canvas",  # up to 193 × resolutions cells: canvas redraws them within the 50 ms budget
    )


# -- timeline explorer -----------------------------------------------------------------------------------

_STATUS_SHAPES = {"confirmed": "circle", "contested": "diamond", "unconfirmed": "cross"}


def timeline_explorer(
    events: pd.DataFrame | None = None, phases: pd.DataFrame | None = None
) -> InPageExplorer:
    """The timeline explorer in the page: dimensions, phase, actor text and years filter the events.

    Mirrors :func:`coursekit.case.filter_events` (an actor matches when the text occurs in the ``actors``
    cell, ignoring case) and :func:`coursekit.case.event_counts`.
    """
    events = events if events is not None else _load("load_events")
    phases = phases if phases is not None else _load("load_phases")
    phase_labels = {
        str(p): short_phase_label(str(lab))
        for p, lab in zip(phases["phase"], phases["label"], strict=True)
    }
    dates = pd.to_datetime(events["date"])
    records = [
        {
            "event_id": str(row.event_id),
            "date": f"{pd.Timestamp(row.date):%Y-%m-%d}",
            "when": case.format_event_date(row.date, str(row.date_precision)),
            "year": int(pd.Timestamp(row.date).year),
            "title": str(row.title),
            "dimension": str(row.dimension),
            "dimension_label": case.DIMENSION_LABELS[str(row.dimension)],
            "phase": str(row.phase),
            "phase_label": phase_labels.get(str(row.phase), str(row.phase)),
            "actors": "" if pd.isna(row.actors) else str(row.actors),
            "status": str(row.status),
        }
        for row in cast(Iterable[Any], events.itertuples(index=False))
    ]
    first, last = (
        (int(dates.dt.year.min()), int(dates.dt.year.max())) if len(dates) else (2014, 2025)
    )
    dims = list(case.DIMENSIONS)
    params = [
        *(
            alt.param(
                name=param_name("d", d),
                value=True,
                bind=alt.binding_checkbox(name=f"Show {case.DIMENSION_LABELS[d]}"),
            )
            for d in dims
        ),
        alt.param(
            name="phase",
            value="all",
            bind=alt.binding_select(
                options=["all", *case.PHASES],
                labels=["Every phase", *(phase_labels.get(p, p) for p in case.PHASES)],
                name="Phase",
            ),
        ),
        alt.param(
            name="actor",
            value="",
            bind=alt.binding(
                input="text", name="Actor (part of a name)", placeholder="e.g. Wagner"
            ),
        ),
        alt.param(
            name="year_from",
            value=first,
            bind=alt.binding_range(min=first, max=last, step=1, name="From year"),
        ),
        alt.param(
            name="year_to",
            value=last,
            bind=alt.binding_range(min=first, max=last, step=1, name="To year"),
        ),
    ]
    shown_dims = "[" + ", ".join(param_name("d", d) for d in dims) + "]"
    dim_index = "{" + ", ".join(f"{json.dumps(d)}: {i}" for i, d in enumerate(dims)) + "}"
    keep = (
        f"{shown_dims}[{dim_index}[datum.dimension]] && "
        "(phase === 'all' || datum.phase === phase) && "
        "indexof(lower(datum.actors), lower(trim(actor))) >= 0 && "
        "datum.year >= year_from && datum.year <= year_to"
    )
    base = alt.Chart(alt.Data(values=records)).transform_filter(keep)
    dim_labels = [case.DIMENSION_LABELS[d] for d in dims]
    colour = alt.Color(
        "dimension_label:N",
        title="Dimension",
        scale=alt.Scale(domain=dim_labels, range=[DIMENSION_COLOURS[d] for d in dims]),
        legend=None,
    )
    points = (
        base.properties(name="events", title="Events by dimension (shape: evidence status)")
        .mark_point(size=70, filled=True, opacity=0.85)
        .encode(
            x=alt.X(
                "date:T",
                title="Date",
                scale=alt.Scale(type="utc", domain=[f"{first}-01-01", f"{last}-12-31"]),
                axis=alt.Axis(format="%Y"),
            ),
            y=alt.Y(
                "dimension_label:N", title=None, sort=dim_labels, axis=alt.Axis(labelLimit=240)
            ),
            color=colour,
            shape=alt.Shape(
                "status:N",
                title="Evidence",
                scale=alt.Scale(domain=list(_STATUS_SHAPES), range=list(_STATUS_SHAPES.values())),
                legend=alt.Legend(orient="bottom"),
            ),
        )  # fmt: skip
        .properties(width=420, height=alt.Step(34))
    )
    phase_order = [phase_labels.get(p, p) for p in case.PHASES]
    counts = base.transform_aggregate(events="count()", groupby=["dimension_label", "phase_label"])
    count_y = alt.Y("dimension_label:N", title=None, sort=dim_labels, axis=alt.Axis(labelLimit=240))
    count_x = alt.X("phase_label:N", title=None, sort=phase_order,
                    axis=alt.Axis(labelAngle=-40, labelLimit=130, orient="top"))  # fmt: skip
    grid = alt.layer(
        counts.mark_rect(color="#eef3f8", stroke="#999999").encode(x=count_x, y=count_y),
        counts.properties(name="phase_counts")
        .mark_text(fontSize=12, color=_TEXT)
        .encode(x=count_x, y=count_y, text="events:Q"),
    ).properties(title="Events per phase", width=alt.Step(70), height=alt.Step(34))
    chart = _config(alt.vconcat(points, grid).add_params(*params))  # stacked: fits the page column
    return InPageExplorer(
        ident="timeline",
        title="the timeline explorer",
        chart=chart,
        takeaway=(
            "Each event of the course data as a point on its dimension's row, shaped by its evidence status, "
            "next to a grid counting the events shown per dimension and phase. Filter by dimension, phase, "
            "actor or years to see when each kind of cooperation happened."
        ),
        how_to=(
            "Tick the dimensions to show, choose a phase, type part of an actor's name (try Wagner or "
            "Lobaye) and move the year sliders."
        ),
        table_view="events",
        columns=[
            Column("when", "Date"),
            Column("title", "Event"),
            Column("dimension_label", "Dimension"),
            Column("phase_label", "Phase"),
            Column("status", "Evidence"),
            Column("actors", "Actors"),
        ],
        summary="{_rows} event(s) match the filter.",
        sort=[("date", "asc"), ("event_id", "asc")],
        empty="No event matches this filter: widen the years, clear the actor text or tick more "
        "dimensions.",
        table_caption="The events shown",
    )


def explorer_for(name: str, **tables: Any) -> InPageExplorer:
    """The Part II explorer called ``name`` (``"timeline"``, ``"votes"`` or ``"durability"``)."""
    makers: dict[str, Callable[..., Any]] = {
        "timeline": timeline_explorer,
        "votes": vote_explorer,
        "durability": durability_explorer,
    }
    if name not in makers:
        raise ValueError(f"no explorer {name!r}; choose one of {list(makers)}")
    return makers[name](**tables)
