"""Pure models for Part I of the course: threats, the security–autonomy trade-off and tactical alliances.

Four small models, each a teaching simplification of an argument from the literature, never a law:

1. **Balance of threat** (Walt 1985, 1987): :func:`threat_score` combines the four sources of threat
   (aggregate power, geographic proximity, offensive capability, perceived intentions) into one score and
   :func:`assess_threats` predicts whether a state facing several potential threats balances, bandwagons or
   hedges, by the rule documented in :func:`assess_threats`. :data:`THREAT_PRESETS` holds worked cases.
2. **Security–autonomy model** (Altfeld 1984; Morrow 1991): :func:`alliance_gains` computes each partner's net
   gain from an asymmetric alliance and whether both gain (the alliance forms); :func:`formation_region` maps
   where it forms over two parameters. :func:`utility`, :func:`indifference_curve` and
   :func:`altfeld_decision` draw Altfeld's indifference-curve picture for one state.
3. **Tactical or strategic?** :func:`classify_alliance` scores a case on seven features of a tactical alliance
   (Hayrapetyan & Kučera 2022, after Ghez 2011 and Abdel Aziz 2019); :func:`classify_cases` does it for a table
   shaped like :func:`coursekit.data.load_alliance_cases`.
4. **Process model**: :data:`PROCESS_STEPS` and :func:`process_model_stage` describe the four steps of the
   article's model of a tactical alliance (reasons → informal cooperation with non-state entities → formal
   interstate relations → break-up or upgrade).

Every function here is pure (no I/O, no global state) and raises :class:`ValueError` with a message that names
the parameter, its value and the allowed range when an input is invalid.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from numbers import Real
from typing import Literal

import numpy as np
import pandas as pd

__all__ = [
    "FACTORS",
    "FACTOR_LABELS",
    "SCALE_MAX",
    "StrategyRules",
    "ThreatAssessment",
    "ThreatPreset",
    "THREAT_PRESETS",
    "threat_score",
    "assess_threats",
    "normalise_weights",
    "AllianceParams",
    "CAR_RUSSIA_EXAMPLE",
    "PARAM_RANGES",
    "PARAM_LABELS",
    "GainsResult",
    "FormationRegion",
    "alliance_gains",
    "formation_region",
    "utility",
    "indifference_curve",
    "AltfeldChoice",
    "altfeld_decision",
    "FEATURES",
    "FEATURE_LABELS",
    "TACTICAL_FROM",
    "STRATEGIC_BELOW",
    "Classification",
    "classify_alliance",
    "classify_cases",
    "ProcessStep",
    "ProcessStage",
    "PROCESS_STEPS",
    "process_model_stage",
]

SCALE_MAX = 10.0
"""Upper end of every 0–10 score in this module (threat factors, capabilities, threats, concessions)."""


# ---------------------------------------------------------------------------------------------------------
# Shared validation helpers
# ---------------------------------------------------------------------------------------------------------
def _number(name: str, value: object, lo: float, hi: float, *, where: str = "") -> float:
    """Return ``value`` as a float after checking it is a finite real number in ``[lo, hi]``."""
    place = f" ({where})" if where else ""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(
            f"{name}{place} must be a number between {lo:g} and {hi:g}, got {value!r} "
            f"of type {type(value).__name__}"
        )
    number = float(value)
    if not math.isfinite(number) or number < lo or number > hi:
        raise ValueError(
            f"{name}{place} = {value!r} is outside the allowed range {lo:g}–{hi:g}; "
            f"give a value from {lo:g} to {hi:g}"
        )
    return number


def normalise_weights(
    weights: Mapping[str, float] | Sequence[float] | None,
    names: Sequence[str],
    *,
    what: str = "weights",
) -> dict[str, float]:
    """Check a set of non-negative weights and scale them to sum to 1.

    Parameters
    ----------
    weights : mapping of name to weight, sequence of weights in the order of ``names``, or None
        Relative importance of each item. ``None`` gives every item the same weight.
    names : sequence of str
        The items that must each receive a weight.
    what : str, optional
        How to call the weights in error messages.

    Returns
    -------
    dict of str to float
        One weight per name, each in [0, 1], summing to 1.

    Raises
    ------
    ValueError
        If a name is missing or unknown, a weight is negative or not a number, or all weights are 0.
    """
    if weights is None:
        return {name: 1.0 / len(names) for name in names}
    if isinstance(weights, Mapping):
        unknown = sorted(set(weights) - set(names))
        missing = [name for name in names if name not in weights]
        if unknown:
            raise ValueError(f"{what} has unknown name(s) {unknown}; use only {list(names)}")
        if missing:
            raise ValueError(
                f"{what} is missing {missing}; give a weight (0 or more) for each of {list(names)}"
            )
        raw = {name: weights[name] for name in names}
    else:
        values = list(weights)
        if len(values) != len(names):
            raise ValueError(
                f"{what} has {len(values)} values but {len(names)} are needed, one for each of {list(names)}"
            )
        raw = dict(zip(names, values, strict=True))
    checked = {
        name: _number(f"{what}[{name!r}]", value, 0.0, math.inf) for name, value in raw.items()
    }
    total = math.fsum(checked.values())
    if total <= 0:
        raise ValueError(f"all {what} are 0; at least one weight must be positive")
    return {name: value / total for name, value in checked.items()}


# ---------------------------------------------------------------------------------------------------------
# 1. Balance of threat
# ---------------------------------------------------------------------------------------------------------
FACTORS: tuple[str, ...] = ("power", "proximity", "offensive", "intentions")
"""Walt's four sources of threat, in the order used everywhere in the course."""

FACTOR_LABELS: dict[str, str] = {
    "power": "Aggregate power",
    "proximity": "Geographic proximity",
    "offensive": "Offensive capability",
    "intentions": "Aggressive intentions",
}
"""Readable names of the four factors."""

Strategy = Literal["balance", "bandwagon", "hedge"]


def _factor_values(values: Mapping[str, float], *, actor: str | None = None) -> dict[str, float]:
    where = f"threat {actor!r}" if actor is not None else ""
    if not isinstance(values, Mapping):
        raise ValueError(
            f"the factors of {where or 'a threat'} must be a mapping of {list(FACTORS)} to scores, "
            f"got {type(values).__name__}"
        )
    unknown = sorted(set(values) - set(FACTORS))
    missing = [name for name in FACTORS if name not in values]
    if unknown or missing:
        raise ValueError(
            f"{where or 'the threat'} must give exactly the factors {list(FACTORS)}; "
            f"missing {missing}, unknown {unknown}"
        )
    return {name: _number(name, values[name], 0.0, SCALE_MAX, where=where) for name in FACTORS}


def _weighted_parts(values: Mapping[str, float], weights: Mapping[str, float]) -> dict[str, float]:
    return {name: weights[name] * values[name] for name in FACTORS}


def threat_score(
    power: float,
    proximity: float,
    offensive: float,
    intentions: float,
    weights: Mapping[str, float] | Sequence[float] | None = None,
) -> float:
    """Score how threatening one actor is, on Walt's four factors.

    The score is the weighted mean of the four factors, so it stays on the same 0–10 scale and rises with each
    factor that has a positive weight. Walt names the four sources of threat but gives no formula for combining
    them; the weighted mean is the simplest combination that keeps the scale and lets students change the
    importance of each factor (Walt 1985; Walt 1987).

    Parameters
    ----------
    power : float
        Aggregate power (population, economy, military), 0–10.
    proximity : float
        Geographic proximity (10 = next door), 0–10.
    offensive : float
        Offensive capability (the ability to threaten the state's core at acceptable cost), 0–10.
    intentions : float
        Perceived aggressive intentions, 0–10.
    weights : mapping or sequence of 4 floats, optional
        Relative weight of each factor (keys ``power``, ``proximity``, ``offensive``, ``intentions``, or a
        sequence in that order). Any non-negative numbers; they are scaled to sum to 1. Default: equal.

    Returns
    -------
    float
        The threat score, 0–10.

    Raises
    ------
    ValueError
        If a factor is outside 0–10, a weight is negative, or all weights are 0.

    Examples
    --------
    >>> threat_score(8, 10, 6, 9)
    8.25
    >>> threat_score(8, 10, 6, 9, weights={"power": 1, "proximity": 0, "offensive": 0, "intentions": 0})
    8.0
    """
    values = _factor_values(
        {"power": power, "proximity": proximity, "offensive": offensive, "intentions": intentions}
    )
    normalised = normalise_weights(weights, FACTORS)
    return float(math.fsum(_weighted_parts(values, normalised).values()))


@dataclass(frozen=True)
class StrategyRules:
    """The thresholds of the decision rule in :func:`assess_threats` (teaching simplifications).

    Attributes
    ----------
    threat_floor : float
        Below this top threat score no actor is threatening enough to take sides: the state hedges. Default 4.
    weak_below : float
        A state whose own power is below this counts as weak. Default 4.
    outmatch_gap : float
        The top threat is overwhelming when its power exceeds the state's own by at least this much ...
    close_from : float
        ... and its proximity is at least this. Default gap 4, proximity 7.
    implacable_from : float
        Intentions at or above this mean the threat cannot be appeased. Default 7.
    """

    threat_floor: float = 4.0
    weak_below: float = 4.0
    outmatch_gap: float = 4.0
    close_from: float = 7.0
    implacable_from: float = 7.0

    def __post_init__(self) -> None:
        for item in fields(self):
            _number(f"StrategyRules.{item.name}", getattr(self, item.name), 0.0, SCALE_MAX)


@dataclass(frozen=True)
class ThreatAssessment:
    """The result of :func:`assess_threats`.

    Attributes
    ----------
    scores : dict of str to float
        Each actor's threat score (0–10), in the order the threats were given.
    contributions : dict of str to dict of str to float
        For each actor, each factor's weighted part of the score (the parts sum to the score).
    weights : dict of str to float
        The normalised factor weights used.
    most_threatening : str
        The actor with the highest score (the first one given, if several tie).
    top_score : float
        Its score.
    strategy : {"balance", "bandwagon", "hedge"}
        The predicted response: ally against the most threatening actor, align with it, or keep options open.
    conditions : dict of str to bool
        The conditions the rule checked: ``serious_threat``, ``weak``, ``outmatched``, ``isolated``,
        ``implacable``.
    reason : str
        One or two sentences explaining the prediction.
    own_power : float
        The state's own power (0–10).
    allies_available : bool
        Whether the state has potential allies.
    rules : StrategyRules
        The thresholds used.
    """

    scores: dict[str, float]
    contributions: dict[str, dict[str, float]]
    weights: dict[str, float]
    most_threatening: str
    top_score: float
    strategy: Strategy
    conditions: dict[str, bool]
    reason: str
    own_power: float
    allies_available: bool
    rules: StrategyRules = field(default_factory=StrategyRules)

    @property
    def ranking(self) -> list[str]:
        """Actors from the most to the least threatening (ties keep the input order)."""
        return sorted(self.scores, key=lambda name: -self.scores[name])


def assess_threats(
    threats: Mapping[str, Mapping[str, float]],
    weights: Mapping[str, float] | Sequence[float] | None = None,
    own_power: float = 5.0,
    *,
    allies_available: bool = True,
    rules: StrategyRules | None = None,
) -> ThreatAssessment:
    """Score several potential threats to one state and predict whether it balances, bandwagons or hedges.

    Each actor is scored with :func:`threat_score`. The prediction concerns the most threatening actor and
    follows Walt's conditions for bandwagoning: weak states, states without available allies, and states facing
    an overwhelming threat close by are the likeliest to bandwagon, while a threat whose intentions look
    unalterable makes appeasement pointless and pushes even weak states to balance if they can
    (Walt 1987, ch. 2). The thresholds are teaching simplifications (see
    :class:`StrategyRules`), not findings of the literature. The rule, in order:

    1. If the top score is below ``threat_floor`` no actor is threatening enough to take sides: **hedge**.
    2. ``weak``: own power below ``weak_below``; ``outmatched``: the top threat's power exceeds own power by at
       least ``outmatch_gap`` and its proximity is at least ``close_from``; ``isolated``: no allies available;
       ``implacable``: the top threat's intentions are at least ``implacable_from``.
    3. Isolated and (weak or outmatched): nobody to balance with and no strength to stand alone: **bandwagon**.
    4. Weak and outmatched but with allies available: **balance** if the threat is implacable (appeasement
       would fail), otherwise **hedge** (accommodate the threat while keeping the allies close).
    5. Otherwise: **balance**, the usual response in Walt's account.

    Parameters
    ----------
    threats : mapping of str to mapping of str to float
        Actor name → its four factors (``power``, ``proximity``, ``offensive``, ``intentions``), each 0–10.
        At least one actor.
    weights : mapping or sequence of 4 floats, optional
        Factor weights, as in :func:`threat_score`. Default: equal.
    own_power : float, optional
        The state's own aggregate power, 0–10. Default 5.
    allies_available : bool, optional
        Whether potential allies exist to balance with. Default True.
    rules : StrategyRules, optional
        Thresholds of the rule. Default :class:`StrategyRules()`.

    Returns
    -------
    ThreatAssessment
        Scores, the most threatening actor, the predicted strategy and the reason.

    Raises
    ------
    ValueError
        If there is no threat, an actor's name is empty, a factor is missing or outside 0–10, ``own_power`` is
        outside 0–10, or the weights are invalid (negative, or all 0).

    Examples
    --------
    >>> result = assess_threats(
    ...     {"A": {"power": 8, "proximity": 9, "offensive": 7, "intentions": 8},
    ...      "B": {"power": 6, "proximity": 2, "offensive": 3, "intentions": 2}},
    ...     own_power=6,
    ... )
    >>> result.most_threatening, result.strategy
    ('A', 'balance')
    """
    if not isinstance(threats, Mapping) or len(threats) == 0:
        raise ValueError(
            "threats is empty: give at least one actor, e.g. "
            "{'Neighbour': {'power': 6, 'proximity': 9, 'offensive': 5, 'intentions': 7}}"
        )
    rules = rules if rules is not None else StrategyRules()
    own = _number("own_power", own_power, 0.0, SCALE_MAX)
    if not isinstance(allies_available, bool | np.bool_):
        raise ValueError(f"allies_available must be True or False, got {allies_available!r}")
    normalised = normalise_weights(weights, FACTORS)

    values: dict[str, dict[str, float]] = {}
    for name, factors in threats.items():
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"every threat needs a non-empty name; got {name!r}")
        values[name] = _factor_values(factors, actor=name)
    contributions = {name: _weighted_parts(v, normalised) for name, v in values.items()}
    scores = {name: float(math.fsum(parts.values())) for name, parts in contributions.items()}

    top = max(scores, key=lambda name: scores[name])  # first of the tied maxima
    top_score = scores[top]
    tied = [name for name in scores if name != top and math.isclose(scores[name], top_score)]
    top_values = values[top]
    conditions = {
        "serious_threat": top_score >= rules.threat_floor,
        "weak": own < rules.weak_below,
        "outmatched": (top_values["power"] - own >= rules.outmatch_gap)
        and (top_values["proximity"] >= rules.close_from),
        "isolated": not bool(allies_available),
        "implacable": top_values["intentions"] >= rules.implacable_from,
    }

    strategy: Strategy
    if not conditions["serious_threat"]:
        strategy = "hedge"
        reason = (
            f"No actor is threatening enough to take sides: the top score, {top_score:.1f} for {top}, is below "
            f"{rules.threat_floor:g}, so the state keeps its options open."
        )
    elif conditions["isolated"] and (conditions["weak"] or conditions["outmatched"]):
        strategy = "bandwagon"
        why = " and ".join(
            text
            for key, text in (
                ("weak", f"weak (own power {own:g})"),
                ("outmatched", f"facing an overwhelming threat close by ({top})"),
            )
            if conditions[key]
        )
        reason = (
            f"The state is {why} with no allies available, so it aligns with {top} rather than "
            f"resisting it alone."
        )
    elif conditions["weak"] and conditions["outmatched"]:
        if conditions["implacable"]:
            strategy = "balance"
            reason = (
                f"The state is weak and {top} is overwhelming and close, but {top}'s intentions look "
                f"unalterable ({top_values['intentions']:g}), so appeasement would fail: it allies against "
                f"{top} with the partners available."
            )
        else:
            strategy = "hedge"
            reason = (
                f"The state is weak and {top} is overwhelming and close, yet allies exist and {top}'s "
                f"intentions ({top_values['intentions']:g}) leave room for accommodation: it hedges, "
                f"keeping allies close while avoiding provoking {top}."
            )
    else:
        strategy = "balance"
        reason = f"{top} is the greatest threat and the state can find or build support against it: it balances."
    if tied:
        reason += f" ({top} ties with {', '.join(tied)}; the first one given is taken as the greatest threat.)"

    return ThreatAssessment(
        scores=scores,
        contributions=contributions,
        weights=normalised,
        most_threatening=top,
        top_score=top_score,
        strategy=strategy,
        conditions=conditions,
        reason=reason,
        own_power=own,
        allies_available=bool(allies_available),
        rules=rules,
    )


@dataclass(frozen=True)
class ThreatPreset:
    """A worked case for :func:`assess_threats` and the threat explorer.

    The factor values are the course authors' judgements on 0–10 scales, made to teach, not measurements. The
    facts behind them are cited in ``sources`` (bib keys in ``references.bib``).

    Attributes
    ----------
    label : str
        Name shown in the explorer's dropdown.
    state : str
        The state whose choice is modelled.
    threats : dict of str to dict of str to float
        Potential threats and their four factors.
    own_power : float
        The state's own power (0–10).
    allies_available : bool
        Whether the state had potential allies.
    observed : {"balance", "bandwagon", "hedge"}
        What the state did, in the model's vocabulary.
    note : str
        What happened, why the values were chosen, and what the model leaves out.
    sources : tuple of str
        Bib keys for the facts in the note.
    """

    label: str
    state: str
    threats: dict[str, dict[str, float]]
    own_power: float
    allies_available: bool
    observed: Strategy
    note: str
    sources: tuple[str, ...]

    def assess(
        self,
        weights: Mapping[str, float] | Sequence[float] | None = None,
        rules: StrategyRules | None = None,
    ) -> ThreatAssessment:
        """Run :func:`assess_threats` on this case."""
        return assess_threats(
            self.threats,
            weights,
            self.own_power,
            allies_available=self.allies_available,
            rules=rules,
        )


def _t(power: float, proximity: float, offensive: float, intentions: float) -> dict[str, float]:
    return {
        "power": power,
        "proximity": proximity,
        "offensive": offensive,
        "intentions": intentions,
    }


THREAT_PRESETS: dict[str, ThreatPreset] = {
    "egypt_1967": ThreatPreset(
        label="Egypt after the 1967 war",
        state="Egypt",
        threats={
            "Israel": _t(7, 9, 8, 8),
            "United States": _t(10, 3, 6, 5),
        },
        own_power=5,
        allies_available=True,
        observed="balance",
        note=(
            "After its defeat in the June 1967 war Egypt rebuilt its armed forces with Soviet help and drew "
            "closer to Moscow: balancing against the nearby, offensively capable Israel rather than against the "
            "more powerful but distant United States. This is one of the Middle East cases Walt uses to show "
            "that states balance threats, not power. Values are the course's judgements."
        ),
        sources=("walt1987origins",),
    ),
    "saudi_1990": ThreatPreset(
        label="Saudi Arabia in the 1990 Gulf crisis",
        state="Saudi Arabia",
        threats={
            "Iraq": _t(7, 9, 8, 8),
            "Iran": _t(6, 7, 4, 5),
        },
        own_power=3,
        allies_available=True,
        observed="balance",
        note=(
            "When Iraq occupied Kuwait in August 1990, Saudi Arabia, rich but with small armed forces, invited "
            "American and other foreign troops onto its soil: balancing against the close and overwhelming Iraqi "
            "threat with an outside power. In the model the kingdom is weak and outmatched, but Iraq's "
            "intentions look implacable and allies are available, so it balances. Values are the course's "
            "judgements."
        ),
        sources=("gause2010international", "gause2003balancing"),
    ),
    "jordan_1990": ThreatPreset(
        label="Jordan in the 1990 Gulf crisis",
        state="Jordan",
        threats={
            "Iraq": _t(7, 9, 8, 6),
            "Israel": _t(8, 10, 8, 3),
            "US-led coalition": _t(10, 4, 7, 2),
        },
        own_power=2,
        allies_available=False,
        observed="bandwagon",
        note=(
            "Jordan stayed out of the US-led coalition and leaned towards Iraq during the 1990–91 crisis. "
            "Harknett and VanDenBerg explain the choice by the link between the external threat from Iraq and "
            "unrest at home, which made joining the coalition too dangerous for the regime. The model cannot "
            "see domestic threats; setting 'allies available' to False stands in for them. Values are the "
            "course's judgements; note how close Iraq and Israel are: small changes flip the ranking."
        ),
        sources=("harknett1997alignment",),
    ),
    "car_2017_2020": ThreatPreset(
        label="CAR government 2017–2020",
        state="Central African Republic (Touadéra government)",
        threats={
            "Armed groups (CPC from Dec 2020)": _t(5, 10, 6, 9),
            "France (as perceived by the regime)": _t(9, 4, 6, 5),
        },
        own_power=2,
        allies_available=True,
        observed="balance",
        note=(
            "The government controlled only part of its territory and faced armed groups that joined in a "
            "coalition and attacked towards Bangui before the December 2020 elections; it asked Russia and "
            "Rwanda for help. The regime also accused former president Bozizé of plotting with French help, and "
            "France had intervened in the country many times. The values are the course's judgements of how the "
            "regime saw these threats, not measurements. The model predicts balancing against the armed groups; "
            "the article adds that the regime also bandwagoned for profit with Russia and used it to balance "
            "French influence, motives a threat model cannot show."
        ),
        sources=("hayrapetyan2022russian",),
    ),
}
"""Worked cases for :func:`assess_threats`, keyed by a short id. Values are judgements; see each note."""


# ---------------------------------------------------------------------------------------------------------
# 2. Security–autonomy model
# ---------------------------------------------------------------------------------------------------------
PARAM_RANGES: dict[str, tuple[float, float]] = {
    "weak_capability": (0.0, 10.0),
    "strong_capability": (0.5, 10.0),
    "weak_threat": (0.0, 10.0),
    "strong_threat": (0.0, 10.0),
    "commitment": (0.0, 10.0),
    "concessions": (0.0, 10.0),
    "autonomy_price": (0.0, 2.0),
    "concession_value": (0.0, 2.0),
}
"""Allowed range of each :class:`AllianceParams` field (also the default axis range of a region plot)."""

PARAM_LABELS: dict[str, str] = {
    "weak_capability": "Weaker partner's capability (0–10)",
    "strong_capability": "Stronger partner's capability (0–10)",
    "weak_threat": "Threat to the weaker partner (0–10)",
    "strong_threat": "Stronger partner's other threats (0–10)",
    "commitment": "Protection committed by the stronger partner (0–10)",
    "concessions": "Concessions by the weaker partner (0–10)",
    "autonomy_price": "Weaker partner's price of autonomy (points per unit)",
    "concession_value": "Stronger partner's value of concessions (points per unit)",
}
"""Axis labels (with units) for each parameter."""


@dataclass(frozen=True)
class AllianceParams:
    """Parameters of the security–autonomy model of an asymmetric alliance.

    All scores are on 0–10 scales; the two prices convert concessions into points of gain.

    Attributes
    ----------
    weak_capability : float
        The weaker partner's own capability, 0–10. Default 2.
    strong_capability : float
        The stronger partner's capability, 0.5–10. Default 8.
    weak_threat : float
        The threat the weaker partner faces (external or internal), 0–10. Default 7.
    strong_threat : float
        Threats the stronger partner faces elsewhere, which make each unit of commitment dearer, 0–10.
        Default 3.
    commitment : float
        Protection the stronger partner commits (troops, instructors, arms), 0–10. Default 5.
    concessions : float
        What the weaker partner gives in return (bases, resource licences, UN votes), 0–10. Default 4.
    autonomy_price : float
        Points of autonomy the weaker partner loses per unit of concession, 0–2. Default 0.5.
    concession_value : float
        Points the stronger partner gains per unit of concession, 0–2. Default 0.5.
    """

    weak_capability: float = 2.0
    strong_capability: float = 8.0
    weak_threat: float = 7.0
    strong_threat: float = 3.0
    commitment: float = 5.0
    concessions: float = 4.0
    autonomy_price: float = 0.5
    concession_value: float = 0.5

    def __post_init__(self) -> None:
        for name, (lo, hi) in PARAM_RANGES.items():
            _number(name, getattr(self, name), lo, hi, where="AllianceParams")

    def as_dict(self) -> dict[str, float]:
        """The parameters as a plain dict."""
        return {name: float(getattr(self, name)) for name in PARAM_RANGES}


CAR_RUSSIA_EXAMPLE = AllianceParams(
    weak_capability=2.0,
    strong_capability=8.0,
    weak_threat=8.0,
    strong_threat=4.0,
    commitment=4.0,
    concessions=5.0,
    autonomy_price=0.5,
    concession_value=0.5,
)
"""Illustrative parameters for CAR–Russia cooperation around 2018, used in the rational-choice chapter.

The values are the course's judgements, not measurements: a weak government facing armed groups that held most
of the country (threat 8, capability 2); a great power whose capability in the region is large but whose other
commitments make each unit of protection dearer (capability 8, other threats 4); limited military aid
(commitment 4) exchanged for mining licences, diplomatic support and the prospect of a base (concessions 5).
The facts behind them are in Hayrapetyan & Kučera (2022).
"""


def _net_gains(p: Mapping[str, np.ndarray | float]) -> dict[str, np.ndarray | float]:
    """The model's equations, vectorised over numpy arrays (see :func:`alliance_gains`)."""
    share = p["strong_capability"] / (p["strong_capability"] + p["weak_capability"])
    security_gain = p["weak_threat"] * (p["commitment"] / SCALE_MAX) * share
    autonomy_loss = p["autonomy_price"] * p["concessions"]
    autonomy_gain = p["concession_value"] * p["concessions"]
    security_cost = (
        p["commitment"] * (1.0 + p["strong_threat"] / SCALE_MAX) / p["strong_capability"]
    )
    return {
        "share": share,
        "weak_security_gain": security_gain,
        "weak_autonomy_loss": autonomy_loss,
        "weak_net": security_gain - autonomy_loss,
        "strong_autonomy_gain": autonomy_gain,
        "strong_security_cost": security_cost,
        "strong_net": autonomy_gain - security_cost,
    }


@dataclass(frozen=True)
class GainsResult:
    """The result of :func:`alliance_gains`.

    Attributes
    ----------
    params : AllianceParams
        The parameters used.
    weak_security_gain, weak_autonomy_loss, weak_net : float
        The weaker partner's security gained, autonomy lost, and net gain (points).
    strong_autonomy_gain, strong_security_cost, strong_net : float
        The stronger partner's autonomy-related benefit (influence, resources, votes), security cost
        (commitment risk), and net gain (points).
    forms : bool
        True when both net gains are strictly positive.
    concession_range : tuple of float
        ``(least the stronger partner accepts, most the weaker partner gives)``: the concessions for which both
        gain, other parameters fixed. The alliance forms exactly when ``concessions`` lies strictly inside it;
        it is empty when the first number is not below the second.
    """

    params: AllianceParams
    weak_security_gain: float
    weak_autonomy_loss: float
    weak_net: float
    strong_autonomy_gain: float
    strong_security_cost: float
    strong_net: float
    forms: bool
    concession_range: tuple[float, float]

    @property
    def verdict(self) -> str:
        """One sentence saying whether the alliance forms and who would refuse."""
        if self.forms:
            return "Both partners gain: the alliance forms."
        refusing = [
            who
            for who, net in (
                ("the weaker partner", self.weak_net),
                ("the stronger partner", self.strong_net),
            )
            if net <= 0
        ]
        return f"No alliance: {' and '.join(refusing)} would not gain."


def _as_params(params: AllianceParams | Mapping[str, float] | None) -> AllianceParams:
    if params is None:
        return AllianceParams()
    if isinstance(params, AllianceParams):
        return params
    if isinstance(params, Mapping):
        unknown = sorted(set(params) - set(PARAM_RANGES))
        if unknown:
            raise ValueError(f"unknown parameter(s) {unknown}; use only {list(PARAM_RANGES)}")
        return AllianceParams(**params)
    raise ValueError(
        f"params must be an AllianceParams or a mapping of parameter names to values, got {type(params).__name__}"
    )


def alliance_gains(params: AllianceParams | Mapping[str, float] | None = None) -> GainsResult:
    """Each partner's net gain from an asymmetric alliance, and whether it forms.

    The model is a deliberately simple version of the security–autonomy trade-off in
    Altfeld (1984) and Morrow (1991): the weaker partner gains security and gives
    up autonomy (concessions such as bases, resource licences or UN votes); the stronger partner gains
    autonomy-related benefits from those concessions and pays a security cost for its commitment. With
    :math:`c_w, c_s` the capabilities, :math:`t_w` the weaker partner's threat, :math:`t_s` the stronger
    partner's other threats, :math:`m` the commitment, :math:`k` the concessions and :math:`a, b` the two
    prices:

    .. math::

        G_w = t_w \\cdot \\frac{m}{10} \\cdot \\frac{c_s}{c_s + c_w} - a\\,k, \\qquad
        G_s = b\\,k - \\frac{m\\,(1 + t_s/10)}{c_s}.

    The alliance forms when :math:`G_w > 0` and :math:`G_s > 0`. :math:`G_w` rises with the threat, the
    commitment and the patron's strength, and falls with the client's own strength and with the concessions;
    :math:`G_s` rises with the concessions and the patron's strength and falls with the commitment and the
    patron's other threats.

    Parameters
    ----------
    params : AllianceParams or mapping, optional
        The parameters (a mapping may give only some; the rest take their defaults). Default
        :class:`AllianceParams()`.

    Returns
    -------
    GainsResult
        The components of both gains, the verdict and the range of concessions for which both gain.

    Raises
    ------
    ValueError
        If a parameter is unknown or outside its range in :data:`PARAM_RANGES`.

    Examples
    --------
    >>> result = alliance_gains({"concessions": 4})
    >>> result.forms
    True
    >>> alliance_gains({"concessions": 0}).forms   # the patron gets nothing for its commitment
    False
    """
    p = _as_params(params)
    g = {key: float(value) for key, value in _net_gains(p.as_dict()).items()}
    k_min = g["strong_security_cost"] / p.concession_value if p.concession_value > 0 else math.inf
    k_max = g["weak_security_gain"] / p.autonomy_price if p.autonomy_price > 0 else math.inf
    return GainsResult(
        params=p,
        weak_security_gain=g["weak_security_gain"],
        weak_autonomy_loss=g["weak_autonomy_loss"],
        weak_net=g["weak_net"],
        strong_autonomy_gain=g["strong_autonomy_gain"],
        strong_security_cost=g["strong_security_cost"],
        strong_net=g["strong_net"],
        forms=bool(g["weak_net"] > 0 and g["strong_net"] > 0),
        concession_range=(k_min, k_max),
    )


@dataclass(frozen=True)
class FormationRegion:
    """Where an alliance forms over a grid of two parameters (the result of :func:`formation_region`).

    Attributes
    ----------
    x_axis, y_axis : str
        The parameters varied.
    x, y : numpy.ndarray
        Grid values along each axis (1-D).
    weak_net, strong_net : numpy.ndarray
        Net gains on the grid, shape ``(len(y), len(x))``.
    forms : numpy.ndarray of bool
        True where both gain.
    params : AllianceParams
        The fixed values of the other parameters (and the current point).
    """

    x_axis: str
    y_axis: str
    x: np.ndarray
    y: np.ndarray
    weak_net: np.ndarray
    strong_net: np.ndarray
    forms: np.ndarray
    params: AllianceParams

    @property
    def share(self) -> float:
        """Fraction of grid points where the alliance forms (0–1)."""
        return float(self.forms.mean())

    @property
    def point(self) -> tuple[float, float]:
        """The current parameters' position on the two axes."""
        return float(getattr(self.params, self.x_axis)), float(getattr(self.params, self.y_axis))


def formation_region(
    params: AllianceParams | Mapping[str, float] | None = None,
    x_axis: str = "concessions",
    y_axis: str = "weak_threat",
    grid: int = 101,
    *,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
) -> FormationRegion:
    """Evaluate :func:`alliance_gains` on a grid over two parameters, holding the others fixed.

    Parameters
    ----------
    params : AllianceParams or mapping, optional
        Values of the parameters that are not varied. Default :class:`AllianceParams()`.
    x_axis, y_axis : str
        Names of the two parameters to vary (keys of :data:`PARAM_RANGES`); they must differ.
    grid : int, optional
        Number of grid points along each axis, 2–1001. Default 101.
    x_range, y_range : tuple of float, optional
        ``(low, high)`` of each axis, inside the parameter's allowed range. Default: the whole allowed range.

    Returns
    -------
    FormationRegion
        The grid, both net gains and the boolean map of where both gain.

    Raises
    ------
    ValueError
        If an axis is unknown, both axes are the same, the grid size or a range is invalid, or a parameter is
        outside its range.
    """
    p = _as_params(params)
    for label, axis in (("x_axis", x_axis), ("y_axis", y_axis)):
        if axis not in PARAM_RANGES:
            raise ValueError(
                f"{label} = {axis!r} is not a parameter; choose one of {list(PARAM_RANGES)}"
            )
    if x_axis == y_axis:
        raise ValueError(f"x_axis and y_axis are both {x_axis!r}; choose two different parameters")
    if isinstance(grid, bool) or not isinstance(grid, int) or not 2 <= grid <= 1001:
        raise ValueError(f"grid = {grid!r} must be a whole number from 2 to 1001")

    def axis_values(axis: str, rng: tuple[float, float] | None, label: str) -> np.ndarray:
        lo, hi = PARAM_RANGES[axis]
        if rng is None:
            return np.linspace(lo, hi, grid)
        if len(rng) != 2:
            raise ValueError(f"{label} must be (low, high), got {rng!r}")
        a = _number(f"{label}[0] for {axis}", rng[0], lo, hi)
        b = _number(f"{label}[1] for {axis}", rng[1], lo, hi)
        if not a < b:
            raise ValueError(f"{label} = {rng!r}: low must be below high")
        return np.linspace(a, b, grid)

    xs = axis_values(x_axis, x_range, "x_range")
    ys = axis_values(y_axis, y_range, "y_range")
    xx, yy = np.meshgrid(xs, ys)
    values: dict[str, np.ndarray | float] = dict(p.as_dict())
    values[x_axis] = xx
    values[y_axis] = yy
    g = _net_gains(values)
    weak = np.broadcast_to(g["weak_net"], xx.shape).astype(float)
    strong = np.broadcast_to(g["strong_net"], xx.shape).astype(float)
    return FormationRegion(
        x_axis=x_axis,
        y_axis=y_axis,
        x=xs,
        y=ys,
        weak_net=weak,
        strong_net=strong,
        forms=(weak > 0) & (strong > 0),
        params=p,
    )


# Altfeld's indifference curves -----------------------------------------------------------------------------
def _weight(security_weight: float) -> float:
    w = _number("security_weight", security_weight, 0.0, 1.0)
    if not 0.0 < w < 1.0:
        raise ValueError(
            f"security_weight = {security_weight!r} must lie strictly between 0 and 1 "
            "(0 would mean security is worthless, 1 that autonomy is)"
        )
    return w


def utility(
    security: float | np.ndarray, autonomy: float | np.ndarray, security_weight: float = 0.5
):
    """A state's utility from security and autonomy, :math:`U = s^w\\,a^{1-w}`.

    A Cobb–Douglas form gives the smooth, bowed indifference curves of Altfeld's (1984)
    diagram: the less autonomy a state has left, the more security it demands for giving up a little more.

    Parameters
    ----------
    security, autonomy : float or numpy.ndarray
        Levels, 0–10.
    security_weight : float, optional
        :math:`w`, the weight of security, strictly between 0 and 1. Default 0.5.

    Returns
    -------
    float or numpy.ndarray
        Utility (0–10 when both inputs are 0–10).

    Raises
    ------
    ValueError
        If a level is outside 0–10 or the weight is not strictly between 0 and 1.
    """
    w = _weight(security_weight)
    s = np.asarray(security, dtype=float)
    a = np.asarray(autonomy, dtype=float)
    for name, arr in (("security", s), ("autonomy", a)):
        if not np.all(np.isfinite(arr)) or np.any(arr < 0) or np.any(arr > SCALE_MAX):
            raise ValueError(
                f"{name} must be between 0 and 10; got values from {arr.min():g} to {arr.max():g}"
            )
    result = s**w * a ** (1.0 - w)
    return float(result) if result.ndim == 0 else result


def indifference_curve(
    level: float, autonomy: np.ndarray | Sequence[float], security_weight: float = 0.5
):
    """Security needed at each autonomy level to keep utility at ``level`` (one indifference curve).

    Solves :math:`s^w a^{1-w} = U` for :math:`s`. Points that would need more than 10 security, or zero
    autonomy, are returned as ``nan`` so a plot simply leaves them out.

    Parameters
    ----------
    level : float
        The utility level :math:`U`, 0–10.
    autonomy : array-like
        Autonomy levels, 0–10.
    security_weight : float, optional
        :math:`w`, strictly between 0 and 1. Default 0.5.

    Returns
    -------
    numpy.ndarray
        Security levels, same shape as ``autonomy``.
    """
    w = _weight(security_weight)
    u = _number("level", level, 0.0, SCALE_MAX)
    a = np.asarray(autonomy, dtype=float)
    if not np.all(np.isfinite(a)) or np.any(a < 0) or np.any(a > SCALE_MAX):
        raise ValueError("autonomy values must be between 0 and 10")
    with np.errstate(divide="ignore", invalid="ignore"):
        s = (u / a ** (1.0 - w)) ** (1.0 / w)
    s = np.where((a > 0) & (s <= SCALE_MAX), s, np.nan)
    return s


@dataclass(frozen=True)
class AltfeldChoice:
    """The result of :func:`altfeld_decision`.

    Attributes
    ----------
    before, after : tuple of float
        ``(security, autonomy)`` without and with the alliance.
    utility_before, utility_after : float
        The state's utility at each point.
    joins : bool
        True when the alliance puts the state on a higher indifference curve.
    max_autonomy_loss : float
        The most autonomy the state would give up for this security gain (where it would be indifferent).
    security_weight : float
        The weight used.
    """

    before: tuple[float, float]
    after: tuple[float, float]
    utility_before: float
    utility_after: float
    joins: bool
    max_autonomy_loss: float
    security_weight: float


def altfeld_decision(
    security: float,
    autonomy: float,
    security_gain: float,
    autonomy_loss: float,
    security_weight: float = 0.5,
) -> AltfeldChoice:
    """Would a state accept an alliance that trades autonomy for security? (Altfeld's rule.)

    The state joins when the alliance moves it to a higher indifference curve: the utility of
    ``(security + security_gain, autonomy - autonomy_loss)`` exceeds that of ``(security, autonomy)``
    (Altfeld 1984).

    Parameters
    ----------
    security, autonomy : float
        The state's levels without the alliance, 0–10 (autonomy above 0).
    security_gain : float
        Security the alliance adds; the new level must stay within 0–10.
    autonomy_loss : float
        Autonomy it costs, 0 up to the current autonomy.
    security_weight : float, optional
        Weight of security in the utility, strictly between 0 and 1. Default 0.5.

    Returns
    -------
    AltfeldChoice

    Raises
    ------
    ValueError
        If a level is out of range or the trade would leave security above 10 or autonomy below 0.
    """
    w = _weight(security_weight)
    s0 = _number("security", security, 0.0, SCALE_MAX)
    a0 = _number("autonomy", autonomy, 0.0, SCALE_MAX)
    if a0 <= 0:
        raise ValueError("autonomy = 0 leaves nothing to trade; give a value above 0")
    gain = _number("security_gain", security_gain, 0.0, SCALE_MAX - s0)
    loss = _number("autonomy_loss", autonomy_loss, 0.0, a0)
    s1, a1 = s0 + gain, a0 - loss
    u0 = float(utility(s0, a0, w))
    u1 = float(utility(s1, a1, w))
    # Autonomy at which the new security level gives the old utility: s1^w a^(1-w) = u0.
    a_indifferent = (u0 / s1**w) ** (1.0 / (1.0 - w)) if s1 > 0 else a0
    return AltfeldChoice(
        before=(s0, a0),
        after=(s1, a1),
        utility_before=u0,
        utility_after=u1,
        joins=u1 > u0,
        max_autonomy_loss=max(0.0, a0 - a_indifferent),
        security_weight=w,
    )


# ---------------------------------------------------------------------------------------------------------
# 3. Tactical or strategic?
# ---------------------------------------------------------------------------------------------------------
FEATURES: tuple[str, ...] = (
    "short_term",
    "concrete_aim",
    "opportunistic",
    "personalised",
    "no_prior_ties",
    "asymmetric",
    "formal_treaty",
)
"""The seven features scored for a case (0–1 each). ``formal_treaty`` counts against a tactical alliance."""

FEATURE_LABELS: dict[str, str] = {
    "short_term": "Short-term",
    "concrete_aim": "Concrete, limited aim",
    "opportunistic": "Opportunistic",
    "personalised": "Personalised (leader-to-leader)",
    "no_prior_ties": "No prior ties",
    "asymmetric": "Asymmetric partners",
    "formal_treaty": "Formal treaty (counts against)",
}
"""Readable names of the features."""

REVERSED_FEATURES: frozenset[str] = frozenset({"formal_treaty"})
"""Features whose presence points away from a tactical alliance: they contribute ``1 - value``."""

TACTICAL_FROM = 0.6
"""A tactical score at or above this is labelled ``tactical`` (teaching cut-off)."""

STRATEGIC_BELOW = 0.4
"""A tactical score at or below this is labelled ``strategic`` (teaching cut-off); between the two, ``mixed``."""

_CUT_TOLERANCE = 1e-9  # a score that equals a cut-off up to rounding counts as reaching it

Label = Literal["tactical", "strategic", "mixed"]


@dataclass(frozen=True)
class Classification:
    """The result of :func:`classify_alliance`.

    Attributes
    ----------
    score : float
        Tactical score, 0 (every feature points to a strategic alliance) to 1 (every feature points to a
        tactical one).
    label : {"tactical", "strategic", "mixed"}
        ``tactical`` from :data:`TACTICAL_FROM`, ``strategic`` up to :data:`STRATEGIC_BELOW`, else ``mixed``.
    contributions : dict of str to float
        Each feature's weighted share of the score (they sum to ``score``).
    weights : dict of str to float
        The normalised weights used.
    features : dict of str to float
        The feature values given.
    """

    score: float
    label: Label
    contributions: dict[str, float]
    weights: dict[str, float]
    features: dict[str, float]


def _label(score: float) -> Label:
    if score >= TACTICAL_FROM - _CUT_TOLERANCE:
        return "tactical"
    if score <= STRATEGIC_BELOW + _CUT_TOLERANCE:
        return "strategic"
    return "mixed"


def classify_alliance(
    features: Mapping[str, float],
    weights: Mapping[str, float] | Sequence[float] | None = None,
) -> Classification:
    """Score a case on the features of a tactical alliance and label it tactical, strategic or mixed.

    The features are those the article lists for a tactical alliance: short-term, with a concrete aim,
    opportunistic, personalised, formed without prior ties, and (in the article's case) between asymmetric
    partners; a formal treaty points the other way (Hayrapetyan & Kučera 2022,
    after Ghez 2011). The score is a weighted mean of the features, with ``formal_treaty`` reversed:

    .. math::

        T = \\sum_i w_i\\,v_i', \\qquad v_i' = v_i \\text{ except } v'_{\\text{formal\\_treaty}} =
        1 - v_{\\text{formal\\_treaty}}, \\qquad \\sum_i w_i = 1.

    The cut-offs :data:`TACTICAL_FROM` (0.6) and :data:`STRATEGIC_BELOW` (0.4) are teaching choices: a case is
    called tactical when at least 60 % of the weighted evidence points that way, strategic when at most 40 %
    does. Note what the equal default weights imply: a formal treaty between partners of similar strength scores
    at most 5/7 even when it is short, opportunistic and aimed at one concrete threat, and with partly present
    features (0.5) it easily falls into the mixed band.

    Parameters
    ----------
    features : mapping of str to float
        A value from 0 (absent) to 1 (fully present) for each of :data:`FEATURES` (the course data uses 0, 0.5
        and 1). Extra keys are not allowed.
    weights : mapping or sequence of 7 floats, optional
        Relative importance of each feature; scaled to sum to 1. Default: equal.

    Returns
    -------
    Classification

    Raises
    ------
    ValueError
        If a feature is missing, unknown or outside 0–1, or the weights are invalid.

    Examples
    --------
    >>> c = classify_alliance(dict(short_term=1, concrete_aim=1, opportunistic=1, personalised=1,
    ...                            no_prior_ties=1, asymmetric=1, formal_treaty=0))
    >>> c.score, c.label
    (1.0, 'tactical')
    """
    if not isinstance(features, Mapping):
        raise ValueError(f"features must be a mapping of {list(FEATURES)} to values 0–1")
    unknown = sorted(set(features) - set(FEATURES))
    missing = [name for name in FEATURES if name not in features]
    if unknown or missing:
        raise ValueError(
            f"features must give exactly {list(FEATURES)}; missing {missing}, unknown {unknown}"
        )
    values = {name: _number(name, features[name], 0.0, 1.0) for name in FEATURES}
    normalised = normalise_weights(weights, FEATURES)
    contributions = {
        name: normalised[name]
        * ((1.0 - values[name]) if name in REVERSED_FEATURES else values[name])
        for name in FEATURES
    }
    score = float(math.fsum(contributions.values()))
    score = min(1.0, max(0.0, score))  # guard rounding
    return Classification(
        score=score,
        label=_label(score),
        contributions=contributions,
        weights=normalised,
        features=values,
    )


def classify_cases(
    cases: pd.DataFrame,
    weights: Mapping[str, float] | Sequence[float] | None = None,
) -> pd.DataFrame:
    """Classify every case of a table shaped like :func:`coursekit.data.load_alliance_cases`.

    Parameters
    ----------
    cases : pandas.DataFrame
        Must have ``case_id``, ``name`` and the seven :data:`FEATURES` columns (values 0–1). If it has a
        ``classification`` column (the label recorded in the data), the result compares it with the model.
    weights : mapping or sequence of 7 floats, optional
        Feature weights, as in :func:`classify_alliance`.

    Returns
    -------
    pandas.DataFrame
        One row per case, in the input order, with ``case_id``, ``name``, ``tactical_score``, ``predicted``,
        then (when recorded) ``classification`` and ``agrees`` (predicted equals recorded), then one
        ``<feature>_contribution`` column per feature.

    Raises
    ------
    ValueError
        If a column is missing or a feature value is missing or outside 0–1 (the message names the row, the
        case and the column).
    """
    if not isinstance(cases, pd.DataFrame):
        raise ValueError(f"cases must be a pandas DataFrame, got {type(cases).__name__}")
    needed = ["case_id", "name", *FEATURES]
    missing = [column for column in needed if column not in cases.columns]
    if missing:
        raise ValueError(
            f"the alliance-cases table is missing column(s) {missing}; it needs {needed} "
            "(as returned by coursekit.data.load_alliance_cases())"
        )
    normalised = normalise_weights(weights, FEATURES)
    rows = []
    for position, (_, row) in enumerate(cases.iterrows(), start=1):
        values = {}
        for name in FEATURES:
            value = row[name]
            where = f"alliance cases, row {position} (case_id {row['case_id']!r}), column {name!r}"
            if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
                raise ValueError(f"{where}: value is missing; give 0, 0.5 or 1")
            try:
                values[name] = _number(name, float(value), 0.0, 1.0)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{where}: {value!r} is not a score from 0 to 1") from exc
        result = classify_alliance(values, normalised)
        record: dict[str, object] = {
            "case_id": row["case_id"],
            "name": row["name"],
            "tactical_score": result.score,
            "predicted": result.label,
        }
        if "classification" in cases.columns:
            recorded = row["classification"]
            record["classification"] = recorded
            record["agrees"] = bool(str(recorded) == result.label)
        for name in FEATURES:
            record[f"{name}_contribution"] = result.contributions[name]
        rows.append(record)
    columns = ["case_id", "name", "tactical_score", "predicted"]
    if "classification" in cases.columns:
        columns += ["classification", "agrees"]
    columns += [f"{name}_contribution" for name in FEATURES]
    return pd.DataFrame(rows, columns=columns)


# ---------------------------------------------------------------------------------------------------------
# 4. The article's process model of a tactical alliance
# ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProcessStep:
    """One step of the process model.

    Attributes
    ----------
    number : int
        1–4.
    key : str
        Short id (``reasons``, ``informal``, ``formal``, ``outcome``).
    title : str
        Name of the step.
    description : str
        What happens in it, in the course's words.
    """

    number: int
    key: str
    title: str
    description: str


PROCESS_STEPS: tuple[ProcessStep, ...] = (
    ProcessStep(
        1,
        "reasons",
        "Reasons for cooperation",
        "The partners find concrete reasons to work together (a pressing threat, a quick gain), even without a "
        "history of cooperation.",
    ),
    ProcessStep(
        2,
        "informal",
        "Informal cooperation with non-state entities",
        "Cooperation starts through non-state actors, such as companies, before the states commit themselves.",
    ),
    ProcessStep(
        3,
        "formal",
        "Formal interstate relations",
        "The states make the relationship official, largely through a few particular individuals.",
    ),
    ProcessStep(
        4,
        "outcome",
        "Break-up or upgrade",
        "Once the core problem is solved the alliance either breaks up or is upgraded into a strategic "
        "alliance, more institutional and less personal.",
    ),
)
"""The four steps of the article's process model of a tactical alliance (Hayrapetyan & Kučera 2022)."""

OUTCOMES: tuple[str, ...] = ("ongoing", "ended", "upgraded")
"""Allowed outcomes (the ``outcome`` column of the alliance-cases data)."""


@dataclass(frozen=True)
class ProcessStage:
    """The result of :func:`process_model_stage`.

    Attributes
    ----------
    number : int
        The furthest step reached, 0 (none yet) to 4.
    step : ProcessStep or None
        That step (None when no step is reached).
    outcome : str
        ``ongoing``, ``ended`` (break-up) or ``upgraded`` (strategic alliance).
    skipped : tuple of str
        Titles of earlier steps not observed although a later one was: the model is a sequence, so a skipped
        step is worth a closer look at the evidence (it is reported, not treated as an error).
    description : str
        A sentence describing the stage.
    """

    number: int
    step: ProcessStep | None
    outcome: str
    skipped: tuple[str, ...]
    description: str


def process_model_stage(
    *,
    reasons: bool,
    informal_cooperation: bool,
    formal_relations: bool,
    outcome: str = "ongoing",
) -> ProcessStage:
    """Place a relationship on the article's four-step process model of a tactical alliance.

    Parameters
    ----------
    reasons : bool
        Have concrete reasons for cooperation been identified (step 1)?
    informal_cooperation : bool
        Has informal cooperation with non-state entities begun (step 2)?
    formal_relations : bool
        Have formal interstate relations been established (step 3)?
    outcome : {"ongoing", "ended", "upgraded"}, optional
        ``ended`` (break-up) or ``upgraded`` (to a strategic alliance) means step 4 is reached. Default
        ``ongoing``.

    Returns
    -------
    ProcessStage

    Raises
    ------
    ValueError
        If a flag is not a bool or ``outcome`` is not one of :data:`OUTCOMES`.

    Examples
    --------
    >>> process_model_stage(reasons=True, informal_cooperation=True, formal_relations=True).number
    3
    """
    flags = {
        "reasons": reasons,
        "informal_cooperation": informal_cooperation,
        "formal_relations": formal_relations,
    }
    for name, flag in flags.items():
        if not isinstance(flag, bool | np.bool_):
            raise ValueError(f"{name} must be True or False, got {flag!r}")
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome = {outcome!r} is not allowed; choose one of {list(OUTCOMES)}")
    reached = [
        bool(reasons),
        bool(informal_cooperation),
        bool(formal_relations),
        outcome != "ongoing",
    ]
    number = max((i + 1 for i, done in enumerate(reached) if done), default=0)
    skipped = tuple(PROCESS_STEPS[i].title for i in range(number - 1) if not reached[i])
    if number == 0:
        return ProcessStage(0, None, outcome, (), "No step of the process has been reached yet.")
    step = PROCESS_STEPS[number - 1]
    if number == 4:
        description = (
            "Step 4: the alliance has broken up."
            if outcome == "ended"
            else "Step 4: the alliance has been upgraded to a strategic alliance."
        )
    else:
        description = f"Step {number}: {step.title.lower()}."
    if skipped:
        description += f" Not observed before it: {', '.join(skipped)}."
    return ProcessStage(number, step, outcome, skipped, description)
