"""In-page explorers of Part I: the threat explorer, the abandonment–entrapment dilemma, the security–autonomy
model and the tactical-alliance checklist.

Each returns an :class:`~coursekit.explorers.page.InPageExplorer` whose Vega-Lite chart computes the model in
the reader's browser with the same equations as :mod:`coursekit.theory`, which stays the reference
(``tests/test_explorers_browser.py`` compares them at many parameter points):

* :func:`threat_explorer` mirrors :func:`coursekit.theory.assess_threats` (scores, greatest threat, strategy);
* :func:`dilemma_explorer` mirrors :func:`coursekit.theory.alliance_dilemma`;
* :func:`security_autonomy_explorer` mirrors :func:`coursekit.theory.alliance_gains`;
* :func:`checklist_explorer` mirrors :func:`coursekit.theory.classify_alliance` over the cases of
  :func:`coursekit.data.load_alliance_cases` and one alliance of the reader's own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import altair as alt
import pandas as pd

from coursekit import theory
from coursekit.explorers.case import _config
from coursekit.explorers.page import Column, InPageExplorer
from coursekit.plots.style import PALETTE

__all__ = [
    "checklist_explorer",
    "dilemma_explorer",
    "explorer_for",
    "security_autonomy_explorer",
    "threat_explorer",
]

_BLUE, _ORANGE, _BLACK = PALETTE["blue"], PALETTE["vermillion"], PALETTE["black"]


def _slider(
    name: str, value: float, low: float, high: float, step: float, label: str
) -> alt.Parameter:
    return alt.param(
        name=name, value=value, bind=alt.binding_range(min=low, max=high, step=step, name=label)
    )


# -- balance of threat ------------------------------------------------------------------------------------

RULE_LABELS: dict[str, str] = {
    "threat_floor": "Rule: threat floor (no alignment below)",
    "outmatch_gap": "Rule: power gap that outmatches the state",
    "close_from": "Rule: proximity that counts as close",
    "implacable_from": "Rule: intentions that count as implacable",
}
"""The movable thresholds of :class:`coursekit.theory.StrategyRules` the threat explorer offers."""


def threat_explorer(preset: str = "car_2017_2020") -> InPageExplorer:
    """Walt's balance of threat in the page, starting from a worked case of :data:`coursekit.theory.THREAT_PRESETS`.

    Sliders: each actor's four factors, the state's own power, the support allies can bring, the factor weights
    and the rule's thresholds. The page scores each actor (the weighted mean of its factors), names the greatest
    threat (the first of the highest scores) and predicts the strategy by the rule of
    :func:`coursekit.theory.assess_threats`.
    """
    if preset not in theory.THREAT_PRESETS:
        raise ValueError(
            f"no threat preset {preset!r}; choose one of {list(theory.THREAT_PRESETS)}"
        )
    case = theory.THREAT_PRESETS[preset]
    actors = list(case.threats)
    rules = theory.StrategyRules()
    support = case.ally_support
    if support is None:
        support = theory.SCALE_MAX if case.allies_available else 0.0
    params = []
    for i, actor in enumerate(actors):
        for f in theory.FACTORS:
            params.append(
                _slider(f"a{i}_{f}", float(case.threats[actor][f]), 0, 10, 0.5,
                        f"{actor}: {theory.FACTOR_LABELS[f].lower()}")
            )  # fmt: skip
    params += [
        _slider("own_power", float(case.own_power), 0, 10, 0.5, f"{case.state}: own power"),
        _slider("ally_support", float(support), 0, 10, 0.5, "Support allies can bring (0 = none)"),
        *(
            _slider(f"w_{f}", 1.0, 0, 3, 0.5, f"Weight of {theory.FACTOR_LABELS[f].lower()}")
            for f in theory.FACTORS
        ),
        *(
            _slider(name, float(getattr(rules, name)), 0, 10, 0.5, label)
            for name, label in RULE_LABELS.items()
        ),
    ]
    total = " + ".join(f"w_{f}" for f in theory.FACTORS)
    pick = {f: "[" + ", ".join(f"a{i}_{f}" for i in range(len(actors))) + "][datum.index]"
            for f in theory.FACTORS}  # fmt: skip
    score = " + ".join(f"w_{f} * datum.{f}" for f in theory.FACTORS)
    labels = theory.STRATEGY_LABELS
    strategy = (
        "datum.score < threat_floor ? 'no_alignment' : "
        "datum.intentions >= implacable_from ? 'balance' : "
        "datum.power > own_power && datum.power - own_power >= outmatch_gap && datum.proximity >= close_from"
        " ? (own_power + ally_support >= datum.power ? 'hedge' : 'bandwagon') : 'balance'"
    )
    label_of = "{" + ", ".join(f"{k!r}: {v!r}" for k, v in labels.items()) + "}"
    base = (
        alt.Chart(alt.Data(values=[{"actor": a, "index": i} for i, a in enumerate(actors)]))
        .transform_filter(f"{total} > 0")
        .transform_calculate(**pick)
        .transform_calculate(score=f"({score}) / ({total})")
        .transform_joinaggregate(top_score="max(score)")
        .transform_calculate(first_top="datum.score === datum.top_score ? datum.index : 1e9")
        .transform_joinaggregate(top_index="min(first_top)")
        .transform_calculate(
            role="datum.index === datum.top_index ? 'greatest threat' : 'other threat'"
        )
    )
    bars = (
        base.properties(name="scores")
        .mark_bar()
        .encode(
            y=alt.Y("actor:N", sort=actors, title=None, axis=alt.Axis(labelLimit=260)),
            x=alt.X(
                "score:Q",
                title="Threat score (weighted mean of the factors, 0–10)",
                scale=alt.Scale(domain=[0, 10]),
            ),
            color=alt.Color(
                "role:N",
                title=None,
                scale=alt.Scale(domain=["greatest threat", "other threat"], range=[_ORANGE, _BLUE]),
                legend=alt.Legend(orient="bottom"),
            ),
        )  # fmt: skip
        .properties(width=380, height=alt.Step(28))
    )
    verdict = (
        base.transform_filter("datum.index === datum.top_index")
        .transform_calculate(strategy=strategy)
        .transform_calculate(strategy_label=f"{label_of}[datum.strategy]")
        .transform_calculate(
            line="'Prediction: ' + datum.strategy_label + ' (greatest threat: ' + datum.actor + ')'"
        )  # fmt: skip
        .properties(name="verdict")
        .mark_text(align="left", fontSize=14, fontWeight="bold", color="#1a1a1a")
        .encode(text="line:N", x=alt.value(0), y=alt.value(10))
        .properties(width=380, height=20)
    )
    chart = _config(alt.vconcat(verdict, bars).add_params(*params))
    return InPageExplorer(
        ident="threats",
        title=f"the threat explorer ({case.label})",
        chart=chart,
        takeaway=(
            "Bars give each actor's threat score, the weighted mean of Walt's four factors, with the greatest "
            "threat highlighted; the line above gives the strategy the course's rule predicts for the state. "
            "Move a factor, the state's power, the allies' support, a weight or a threshold and watch when the "
            "prediction changes."
        ),
        how_to="Move the sliders (or focus one and use the arrow keys).",
        table_view="scores",
        columns=[
            Column("actor", "Actor"),
            Column("score", "Threat score", 2),
            Column("role", "Role"),
        ],
        summary="Greatest threat: {actor} (score {score:.2f}); prediction: {strategy_label}.",
        summary_view="verdict",
        empty="Every factor weight is 0: give at least one factor a weight.",
        table_caption="Each actor's threat score",
    )


# -- abandonment and entrapment ---------------------------------------------------------------------------


def dilemma_explorer(**initial: float) -> InPageExplorer:
    """Snyder's dilemma in the page: four sliders, the three cost curves and the best commitment.

    ``initial`` may set ``commitment``, ``dependence``, ``partner_commitment`` and ``shared_interests``.
    """
    values = {**theory.DILEMMA_PARAMS, **initial}
    params = [
        _slider(name, float(values[name]), 0, 1, 0.05, theory.DILEMMA_LABELS[name])
        for name in theory.DILEMMA_PARAMS
    ]
    grid = [{"c": i / 100} for i in range(101)]
    risks = {
        "Abandonment (weighted by dependence)": "dependence * (1 - partner_commitment) * pow(1 - datum.c, 2)",
        "Entrapment": "(1 - shared_interests) * pow(datum.c, 2)",
    }
    cost = " + ".join(f"({e})" for e in risks.values())
    curves = (
        alt.Chart(alt.Data(values=grid))
        .transform_calculate(**{f"r{i}": e for i, e in enumerate(risks.values())})
        .transform_calculate(**{"Expected cost": cost})
        .transform_calculate(**{name: f"datum.r{i}" for i, name in enumerate(risks)})
        .transform_fold([*risks, "Expected cost"], as_=["curve", "value"])
        .mark_line(strokeWidth=2.5)
        .encode(
            x=alt.X("c:Q", title="Own commitment to the partner (0–1)"),
            y=alt.Y("value:Q", title="Risk or expected cost (0–2)"),
            color=alt.Color(
                "curve:N",
                title=None,
                scale=alt.Scale(domain=[*risks, "Expected cost"], range=[_BLUE, _ORANGE, _BLACK]),
                legend=alt.Legend(orient="bottom"),
            ),
            strokeDash=alt.StrokeDash(
                "curve:N",
                scale=alt.Scale(domain=[*risks, "Expected cost"], range=[[6, 3], [2, 2], [1, 0]]),
                legend=None,
            ),
        )
    )
    pull, push = "dependence * (1 - partner_commitment)", "(1 - shared_interests)"
    point = (
        alt.Chart(alt.Data(values=[{}]))
        .transform_calculate(
            commitment="commitment",
            abandonment="(1 - partner_commitment) * pow(1 - commitment, 2)",
            entrapment="(1 - shared_interests) * pow(commitment, 2)",
        )
        .transform_calculate(cost="dependence * datum.abandonment + datum.entrapment")
        .transform_calculate(
            best=f"({pull}) + {push} === 0 ? null : ({pull}) / (({pull}) + {push})",
        )
        .transform_calculate(
            best_cost="datum.best === null ? null : dependence * (1 - partner_commitment) * "
            "pow(1 - datum.best, 2) + (1 - shared_interests) * pow(datum.best, 2)",
            best_text="datum.best === null ? 'any (neither risk can arise)' : format(datum.best, '.2f')",
        )
        .properties(name="point")
    )
    marker = point.mark_point(shape="diamond", size=160, filled=True, color=_BLACK).encode(
        x="commitment:Q", y="cost:Q"
    )
    chart = _config(
        alt.layer(curves, marker)
        .properties(title="Abandonment, entrapment and expected cost", width=460, height=260)
        .add_params(*params)
    )
    return InPageExplorer(
        ident="dilemma",
        title="abandonment against entrapment",
        chart=chart,
        takeaway=(
            "Three curves over the state's commitment from 0 to 1: the risk of abandonment, weighted by "
            "dependence, falls as commitment rises; the risk of entrapment rises; their sum, the expected cost, "
            "is lowest at the best commitment. The diamond marks the chosen commitment."
        ),
        how_to="Move the four sliders (or focus one and use the arrow keys).",
        table_view="point",
        columns=[
            Column("commitment", "Commitment", 2),
            Column("abandonment", "Abandonment risk", 3),
            Column("entrapment", "Entrapment risk", 3),
            Column("cost", "Expected cost", 3),
            Column("best", "Best commitment", 2),
            Column("best_cost", "Cost at the best", 3),
        ],
        summary=(
            "At commitment {commitment:.2f}: abandonment risk {abandonment:.3f}, entrapment risk "
            "{entrapment:.3f}, expected cost {cost:.3f}; the best commitment is {best_text}."
        ),
        table_caption="The chosen commitment and the best one",
    )


# -- security and autonomy ---------------------------------------------------------------------------------


def security_autonomy_explorer(
    params: theory.AllianceParams | None = None, mode: str = "asymmetric"
) -> InPageExplorer:
    """The security–autonomy model in the page: eight sliders and the mode; each partner's gains and costs."""
    start = (params or theory.CAR_RUSSIA_EXAMPLE).as_dict()
    controls = [
        _slider(
            name,
            float(start[name]),
            low,
            high,
            0.1 if high <= 2 else 0.5,
            theory.PARAM_LABELS[name],
        )
        for name, (low, high) in theory.PARAM_RANGES.items()
    ]
    controls.append(
        alt.param(
            name="mode",
            value=mode,
            bind=alt.binding_select(
                options=list(theory.MODES),
                labels=["Asymmetric (security for autonomy)", "Symmetric (security for security)"],
                name="Kind of alliance",
            ),
        )
    )
    scale = float(theory.SCALE_MAX)
    valid = "weak_capability <= strong_capability && (autonomy_price > 0 || concession_value > 0)"
    gains = (
        alt.Chart(alt.Data(values=[{}]))
        .transform_filter(valid)
        .transform_calculate(total="strong_capability + weak_capability")
        .transform_calculate(
            weak_security_gain=f"weak_threat * (commitment / {scale}) * (strong_capability / datum.total)",
            weak_autonomy_loss="autonomy_price * concessions",
            strong_security_cost=f"commitment * (1 + (strong_threat + weak_threat) / (2 * {scale})) "
            "/ strong_capability",
            strong_benefit=f"mode === 'asymmetric' ? concession_value * concessions : "
            f"(strong_threat / {scale}) * (weak_capability / datum.total) * concessions",
        )
        .transform_calculate(
            weak_net="datum.weak_security_gain - datum.weak_autonomy_loss",
            strong_net="datum.strong_benefit - datum.strong_security_cost",
        )
        .transform_calculate(
            verdict="datum.weak_net > 0 && datum.strong_net > 0 ? 'forms: both partners gain' : "
            "datum.weak_net > 0 ? 'does not form: the stronger partner loses' : "
            "datum.strong_net > 0 ? 'does not form: the weaker partner loses' : "
            "'does not form: both partners lose'"
        )
    )
    parts = {
        "Weaker partner: security gained": ("weak_security_gain", "weaker"),
        "Weaker partner: autonomy lost": ("weak_autonomy_loss", "weaker"),
        "Weaker partner: net gain": ("weak_net", "weaker"),
        "Stronger partner: benefit": ("strong_benefit", "stronger"),
        "Stronger partner: security cost": ("strong_security_cost", "stronger"),
        "Stronger partner: net gain": ("strong_net", "stronger"),
    }
    bars = (
        gains.transform_calculate(
            **{label: f"datum.{field}" for label, (field, _) in parts.items()}
        )
        .transform_fold(list(parts), as_=["component", "points"])
        .transform_calculate(
            partner="indexof(datum.component, 'Weaker') === 0 ? 'weaker' : 'stronger'"
        )
        .properties(name="components")
        .mark_bar()
        .encode(
            y=alt.Y("component:N", sort=list(parts), title=None, axis=alt.Axis(labelLimit=260)),
            x=alt.X("points:Q", title="Points"),
            color=alt.Color(
                "partner:N",
                title="Partner",
                scale=alt.Scale(domain=["weaker", "stronger"], range=[_ORANGE, _BLUE]),
                legend=alt.Legend(orient="bottom"),
            ),
        )
        .properties(width=380, height=alt.Step(24))
    )
    verdict = (
        gains.properties(name="verdict")
        .transform_calculate(line="'The alliance ' + datum.verdict + '.'")
        .mark_text(align="left", fontSize=14, fontWeight="bold", color="#1a1a1a")
        .encode(text="line:N", x=alt.value(0), y=alt.value(10))
        .properties(width=380, height=20)
    )
    chart = _config(alt.vconcat(verdict, bars).add_params(*controls))
    return InPageExplorer(
        ident="security-autonomy",
        title="the security–autonomy model",
        chart=chart,
        takeaway=(
            "Bars show what each partner gains and pays, in points, and each one's net gain; the line above "
            "says whether the alliance forms (both net gains above zero). With the course's CAR–Russia values "
            "both gain in the asymmetric mode; switch to the symmetric mode to see how little a weak partner's "
            "security adds for a strong one."
        ),
        how_to="Move the sliders and choose the kind of alliance.",
        table_view="components",
        columns=[Column("component", "Component"), Column("points", "Points", 2)],
        summary="{line}",
        summary_view="verdict",
        empty=(
            "Outside the model: the weaker partner's capability must not exceed the stronger partner's, and "
            "at least one of the two prices must be above 0."
        ),
        table_caption="Each partner's gains and costs",
    )


# -- the tactical-alliance checklist -----------------------------------------------------------------------

CUSTOM = "Your alliance (the feature sliders)"


def checklist_explorer(
    cases: pd.DataFrame | None = None, start_case: str = "car_russia_2017"
) -> InPageExplorer:
    """The tactical checklist in the page: feature sliders for one alliance of your own (starting from
    ``start_case``), weight sliders, and the tactical score of every case in the course data."""
    if cases is None:
        from coursekit import data

        cases = data.load_alliance_cases()
    features = list(theory.FEATURES)
    rows = [
        {"case": str(r["name"]), "custom": False, **{f: float(r[f]) for f in features}}
        for _, r in cases.iterrows()
    ]
    start = cases.loc[cases["case_id"] == start_case]
    first = start.iloc[0] if len(start) else cases.iloc[0]
    rows.append({"case": CUSTOM, "custom": True, **{f: 0.0 for f in features}})
    params = [
        _slider(f"f_{f}", float(first[f]), 0, 1, 0.1, f"Your alliance: {theory.FEATURE_LABELS[f]}")
        for f in features
    ] + [
        _slider(
            f"w_{f}",
            float(theory.DEFAULT_FEATURE_WEIGHTS[f]),
            0,
            3,
            0.5,
            f"Weight of {theory.FEATURE_LABELS[f]}",
        )
        for f in features
    ]
    total = " + ".join(f"w_{f}" for f in features)
    contributions = " + ".join(
        f"w_{f} * {'(1 - datum.v_' + f + ')' if f in theory.REVERSED_FEATURES else 'datum.v_' + f}"
        for f in features
    )
    tol = 1e-9
    base = (
        alt.Chart(alt.Data(values=rows))
        .transform_filter(f"{total} > 0")
        .transform_calculate(**{f"v_{f}": f"datum.custom ? f_{f} : datum.{f}" for f in features})
        .transform_calculate(score=f"clamp(({contributions}) / ({total}), 0, 1)")
        .transform_calculate(
            label=f"datum.score >= {theory.TACTICAL_FROM} - {tol} ? 'tactical' : "
            f"datum.score <= {theory.STRATEGIC_BELOW} + {tol} ? 'strategic' : 'mixed'"
        )
    )
    labels = list(theory.LABELS)
    bars = (
        base.properties(name="scores")
        .mark_bar()
        .encode(
            y=alt.Y("case:N", sort="-x", title=None, axis=alt.Axis(labelLimit=300)),
            x=alt.X(
                "score:Q",
                title="Tactical score (0 = strategic, 1 = tactical)",
                scale=alt.Scale(domain=[0, 1]),
            ),
            color=alt.Color(
                "label:N",
                title="Label",
                scale=alt.Scale(domain=labels, range=[_ORANGE, _BLUE, PALETTE["grey"]]),
                legend=alt.Legend(orient="bottom"),
            ),
        )  # fmt: skip
        .properties(width=360, height=alt.Step(20))
    )
    text = base.mark_text(align="left", dx=4, fontSize=11, color="#1a1a1a").encode(
        y=alt.Y("case:N", sort="-x"), x="score:Q", text="label:N"
    )
    rules = (
        alt.Chart(alt.Data(values=[{"x": theory.STRATEGIC_BELOW}, {"x": theory.TACTICAL_FROM}]))
        .mark_rule(strokeDash=[4, 3], color="#555555")
        .encode(x="x:Q")
    )
    chart = _config(
        alt.layer(bars, text, rules)
        .properties(title="Tactical score of each case under your weights")
        .add_params(*params)
    )
    return InPageExplorer(
        ident="checklist",
        title="the tactical-alliance checklist",
        chart=chart,
        takeaway=(
            "Bars give each alliance case's tactical score under the weights you choose, labelled tactical "
            f"(from {theory.TACTICAL_FROM}), strategic (up to {theory.STRATEGIC_BELOW}) or mixed, with one bar "
            "for an alliance you code yourself with the feature sliders (it starts as the CAR–Russia case). "
            "Change the weights to see which verdicts depend on what you count."
        ),
        how_to="Move the feature sliders to code your alliance and the weight sliders to change what counts.",
        table_view="scores",
        columns=[
            Column("case", "Alliance"),
            Column("score", "Tactical score", 2),
            Column("label", "Label"),
        ],
        summary="{case}: tactical score {score:.2f}, labelled {label}.",
        summary_where={"custom": True},
        sort=[("score", "desc"), ("case", "asc")],
        empty="Every weight is 0: give at least one feature a weight.",
        table_caption="Each case's tactical score and label",
    )


def explorer_for(name: str, **kwargs: Any) -> InPageExplorer:
    """The Part I explorer called ``name`` (``"threats"``, ``"dilemma"``, ``"security-autonomy"`` or
    ``"checklist"``)."""
    makers: dict[str, Callable[..., Any]] = {
        "threats": threat_explorer,
        "dilemma": dilemma_explorer,
        "security-autonomy": security_autonomy_explorer,
        "checklist": checklist_explorer,
    }
    if name not in makers:
        raise ValueError(f"no explorer {name!r}; choose one of {list(makers)}")
    return makers[name](**kwargs)
