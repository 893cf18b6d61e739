"""Balance of threat (Walt 1985, 1987): score potential threats and predict a state's alignment.

:func:`threat_score` combines Walt's four sources of threat into one score; :func:`assess_threats` scores
several actors and predicts whether the state **balances** against the most threatening one, **bandwagons**
with it, **accommodates it while keeping its allies** (the label ``"hedge"``: the course's own extension of
Walt's rule, not Walt's or Kuik's concept), or needs **no alignment** at all, by the rule documented there;
:class:`StrategyRules` holds the rule's thresholds (a student can move each one); :data:`THREAT_PRESETS` holds
worked cases.

Outcome labels (the ``strategy`` of a :class:`ThreatAssessment`), in :data:`STRATEGIES`:

``"balance"``
    Ally with others (or arm) against the most threatening actor.
``"bandwagon"``
    Align with the most threatening actor: only with an actor stronger than the state, never with an implacable
    aggressor, and only when the help of allies cannot match the threat.
``"hedge"``
    Accommodate while keeping allies: the threat overwhelms the state from close by and is not implacable,
    while allies could match it; the state keeps its allies without confronting the threat. This branch is the
    course's own extension: Walt (1987) predicts balancing here, and Kuik's (2008) hedging is a broader
    strategy of a state facing high stakes and uncertainty, not a rule on these four factors. The label keeps
    its short name ``"hedge"`` for compatibility; its readable name is "accommodate while keeping allies".
``"no_alignment"``
    Nothing is threatening enough to take sides: no actor's score reaches the threat floor.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Literal

from coursekit.theory._common import SCALE_MAX, flag, normalise_weights
from coursekit.theory._common import number as _number

__all__ = [
    "FACTORS",
    "FACTOR_LABELS",
    "STRATEGIES",
    "STRATEGY_LABELS",
    "Strategy",
    "StrategyRules",
    "ThreatAssessment",
    "ThreatPreset",
    "THREAT_PRESETS",
    "threat_score",
    "assess_threats",
]

FACTORS: tuple[str, ...] = ("power", "proximity", "offensive", "intentions")
"""Walt's four sources of threat, in the order used everywhere in the course."""

FACTOR_LABELS: dict[str, str] = {
    "power": "Aggregate power",
    "proximity": "Geographic proximity",
    "offensive": "Offensive capability",
    "intentions": "Aggressive intentions",
}
"""Readable names of the four factors."""

Strategy = Literal["balance", "bandwagon", "hedge", "no_alignment"]

STRATEGIES: tuple[str, ...] = ("balance", "bandwagon", "hedge", "no_alignment")
"""Every outcome :func:`assess_threats` can return."""

STRATEGY_LABELS: dict[str, str] = {
    "balance": "balance",
    "bandwagon": "bandwagon",
    "hedge": "accommodate while keeping allies",
    "no_alignment": "no alignment needed",
}
"""Readable name of each outcome."""


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
        If a factor is outside 0–10 or not a finite number, a weight is negative, or all weights are 0.

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
    """The thresholds of the decision rule in :func:`assess_threats` (teaching choices, each 0–10).

    Walt states conditions (weakness, the availability of allies, proximity, intentions), not numbers; the
    numbers here are the course's, and the threat explorer lets a student move every one of them.

    Attributes
    ----------
    threat_floor : float
        A top threat score below this means nothing is threatening enough to take sides: ``"no_alignment"``.
        Default 4.
    outmatch_gap : float
        The state is *outmatched* when the top threat's power exceeds its own by at least this much (weakness is
        relative to the threat). Default 3.
    close_from : float
        ... and the threat is *close* when its proximity is at least this. Outmatched and close together make
        the threat *overwhelming*. Default 7.
    implacable_from : float
        Intentions at or above this mean the aggressor cannot be appeased, so the state never bandwagons with it
        and never accommodates it. Default 7.
    weak_below : float
        Kept for backward compatibility; not used by the rule any more (weakness is now relative to the threat,
        see ``outmatch_gap``). Default 4.
    """

    threat_floor: float = 4.0
    outmatch_gap: float = 3.0
    close_from: float = 7.0
    implacable_from: float = 7.0
    weak_below: float = 4.0

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
    strategy : {"balance", "bandwagon", "hedge", "no_alignment"}
        The predicted response (see :data:`STRATEGIES`).
    conditions : dict of str to bool
        The conditions the rule checked: ``serious_threat`` (top score at least the floor), ``stronger``
        (the top threat's power exceeds the state's), ``outmatched``, ``close``, ``overwhelming`` (both),
        ``implacable``, ``isolated`` (no ally support at all), ``allies_sufficient`` (own power plus ally
        support at least the threat's power), and ``weak`` (same as ``outmatched``; kept for old code).
    reason : str
        One or two sentences explaining the prediction.
    own_power : float
        The state's own power (0–10).
    allies_available : bool
        Whether the state has potential allies.
    rules : StrategyRules
        The thresholds used.
    ally_support : float
        The power (0–10) that allies can bring to bear against the top threat (0 when no allies).
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
    ally_support: float = SCALE_MAX

    @property
    def ranking(self) -> list[str]:
        """Actors from the most to the least threatening (ties keep the input order)."""
        return sorted(self.scores, key=lambda name: -self.scores[name])

    @property
    def strategy_label(self) -> str:
        """The outcome in words (``"no alignment needed"`` for ``"no_alignment"``)."""
        return STRATEGY_LABELS[self.strategy]


def assess_threats(
    threats: Mapping[str, Mapping[str, float]],
    weights: Mapping[str, float] | Sequence[float] | None = None,
    own_power: float = 5.0,
    *,
    allies_available: bool = True,
    ally_support: float | None = None,
    rules: StrategyRules | None = None,
) -> ThreatAssessment:
    """Score several potential threats to one state and predict its alignment towards the most threatening one.

    Each actor is scored with :func:`threat_score`. Balancing and bandwagoning follow Walt's conditions:
    balancing is the usual response; bandwagoning is likelier for states that are weak *relative to the
    threat*, when allies are unavailable, and when the threat is close, but an aggressor whose intentions look
    unalterable is not appeased (Walt 1987, ch. 2). The ``"hedge"`` branch (accommodate while keeping allies)
    is the course's own extension, neither Walt's nor Kuik's (2008) concept, and a state that faces no serious
    threat needs no alignment at all. The rule, in order
    (thresholds in :class:`StrategyRules`, each one movable):

    1. **no_alignment** if the top score is below ``threat_floor``.
    2. **balance** if the top threat is *implacable* (intentions at least ``implacable_from``): appeasement
       would fail, so the state resists, with allies if it has them and on its own if not. Intentions are
       checked before any bandwagoning.
    3. If the top threat is *overwhelming*, i.e. stronger than the state by at least ``outmatch_gap`` (and
       strictly stronger) and close (proximity at least ``close_from``):

       * **bandwagon** if the allies' help cannot match it (``own_power + ally_support`` below the threat's
         power): no allies at all, or allies that exist but are too weak or too far to help, the situation Walt
         (1985) discusses as "Finlandization";
       * **hedge** (accommodate while keeping allies; the course's extension) otherwise: the stakes are high
         and the threat is not implacable, so the state keeps its allies without confronting the threat.
    4. **balance** otherwise (including every threat weaker than the state, which it never bandwagons with).

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
        Whether potential allies exist. ``False`` means no ally support at all. Default True.
    ally_support : float, optional
        The power (0–10) allies can actually bring to bear against the top threat, after discounting for
        distance and reluctance. Default: 10 when ``allies_available`` is True, 0 when it is False. Giving a
        positive value with ``allies_available=False`` is an error.
    rules : StrategyRules, optional
        Thresholds of the rule. Default :class:`StrategyRules()`.

    Returns
    -------
    ThreatAssessment
        Scores, the most threatening actor, the predicted strategy (one of :data:`STRATEGIES`) and the reason.

    Raises
    ------
    ValueError
        If there is no threat, an actor's name is empty, a factor is missing or outside 0–10 (or NaN),
        ``own_power`` or ``ally_support`` is outside 0–10, ``ally_support`` contradicts ``allies_available``,
        or the weights are invalid (negative, or all 0).

    Examples
    --------
    >>> result = assess_threats(
    ...     {"A": {"power": 8, "proximity": 9, "offensive": 7, "intentions": 8},
    ...      "B": {"power": 6, "proximity": 2, "offensive": 3, "intentions": 2}},
    ...     own_power=6,
    ... )
    >>> result.most_threatening, result.strategy
    ('A', 'balance')
    >>> neighbour = {"Giant": {"power": 10, "proximity": 10, "offensive": 8, "intentions": 5}}
    >>> assess_threats(neighbour, own_power=2, ally_support=3).strategy   # allies too weak or too far
    'bandwagon'
    >>> assess_threats(neighbour, own_power=2, ally_support=9).strategy   # accommodate, keep allies
    'hedge'
    """
    if not isinstance(threats, Mapping) or len(threats) == 0:
        raise ValueError(
            "threats is empty: give at least one actor, e.g. "
            "{'Neighbour': {'power': 6, 'proximity': 9, 'offensive': 5, 'intentions': 7}}"
        )
    if rules is None:
        rules = StrategyRules()
    elif not isinstance(rules, StrategyRules):
        raise ValueError(f"rules must be a StrategyRules, got {type(rules).__name__}")
    own = _number("own_power", own_power, 0.0, SCALE_MAX)
    available = flag("allies_available", allies_available)
    if ally_support is None:
        support = SCALE_MAX if available else 0.0
    else:
        support = _number("ally_support", ally_support, 0.0, SCALE_MAX)
        if not available and support > 0:
            raise ValueError(
                f"ally_support = {ally_support!r} but allies_available is False; give ally_support=0 "
                "or leave it out when there are no allies"
            )
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
    power, proximity = top_values["power"], top_values["proximity"]
    intentions = top_values["intentions"]
    outmatched = power > own and power - own >= rules.outmatch_gap
    close = proximity >= rules.close_from
    conditions = {
        "serious_threat": top_score >= rules.threat_floor,
        "stronger": power > own,
        "outmatched": outmatched,
        "close": close,
        "overwhelming": outmatched and close,
        "implacable": intentions >= rules.implacable_from,
        "isolated": support <= 0,
        "allies_sufficient": own + support >= power,
        "weak": outmatched,
    }

    strategy: Strategy
    if not conditions["serious_threat"]:
        strategy = "no_alignment"
        reason = (
            f"No alignment needed: the top score, {top_score:.1f} for {top}, is below the threat floor "
            f"{rules.threat_floor:g}, so nothing is threatening enough to take sides."
        )
    elif conditions["implacable"]:
        strategy = "balance"
        how = (
            "it allies against it with the partners available"
            if not conditions["isolated"]
            else "with no allies it arms and resists alone"
        )
        reason = f"{top}'s intentions ({intentions:g}) look unalterable, so appeasing it would fail: {how}."
    elif conditions["overwhelming"] and not conditions["allies_sufficient"]:
        strategy = "bandwagon"
        allies = (
            "no allies available"
            if conditions["isolated"]
            else f"allies too weak or too far to help (support {support:g})"
        )
        reason = (
            f"{top} (power {power:g}) overwhelms the state (own power {own:g}) from close by, its aims are "
            f"not implacable, and with {allies} the coalition cannot match it: the state aligns with {top}."
        )
    elif conditions["overwhelming"]:
        strategy = "hedge"
        reason = (
            f"The stakes are high ({top} overwhelms the state from close by) and it is not implacable "
            f"(intentions {intentions:g}, below {rules.implacable_from:g}), while allies could help: the "
            f"state accommodates {top} while keeping its allies (the course's extension of Walt's rule, "
            f"labelled 'hedge')."
        )
    else:
        strategy = "balance"
        if not conditions["stronger"]:
            why = f"{top} is no stronger than the state itself"
        elif not outmatched:
            why = f"{top} does not outmatch the state by {rules.outmatch_gap:g} or more"
        else:
            why = f"{top} is not close enough to overwhelm it"
        how = "with allies" if not conditions["isolated"] else "on its own"
        reason = f"{top} is the greatest threat and {why}: the state balances against it {how}."
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
        allies_available=available,
        rules=rules,
        ally_support=support,
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
    observed : {"balance", "bandwagon", "hedge", "no_alignment"}
        What the state did, in the model's vocabulary.
    note : str
        What happened, why the values were chosen, and what the model leaves out.
    sources : tuple of str
        Bib keys for the facts in the note.
    ally_support : float or None
        Power allies could bring to bear (0–10); None means the default of :func:`assess_threats`.
    """

    label: str
    state: str
    threats: dict[str, dict[str, float]]
    own_power: float
    allies_available: bool
    observed: Strategy
    note: str
    sources: tuple[str, ...]
    ally_support: float | None = None

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
            ally_support=self.ally_support,
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
            "threat with an outside power. In the model Iraq overwhelms the kingdom, but its "
            "intentions look implacable, so appeasement would fail and the kingdom balances. Values are the course's "
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
