"""Tactical or strategic? The checklist of a tactical alliance, and the article's process model.

1. :func:`classify_alliance` scores a case on the features of a tactical alliance and labels it ``"tactical"``,
   ``"strategic"`` or ``"mixed"``; :func:`classify_cases` does it for a table shaped like
   :func:`coursekit.data.load_alliance_cases` and compares the result with benchmark labels taken from the
   literature (:func:`benchmark_labels`).
2. :data:`PROCESS_STEPS` and :func:`process_model_stage` describe the four steps of the article's model of a
   tactical alliance (reasons → informal cooperation with non-state entities → formal interstate relations →
   break-up or upgrade) (Hayrapetyan & Kučera 2022).

The default weights follow the definition taught in chapter 4: a tactical alliance is short-term, aimed at a
concrete objective, opportunistic, personalised, and needs no prior ties. Asymmetry and a formal treaty are *not*
part of the definition (they describe the CAR–Russia case), so by default they carry weight 0; they stay in
:data:`FEATURES` so a student can give them weight and see what changes (``weights="equal"`` weighs all seven).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

import numpy as np
import pandas as pd

from coursekit.theory._common import normalise_weights
from coursekit.theory._common import number as _number

__all__ = [
    "FEATURES",
    "FEATURE_LABELS",
    "DEFINITION_FEATURES",
    "DEFAULT_FEATURE_WEIGHTS",
    "REVERSED_FEATURES",
    "TACTICAL_FROM",
    "STRATEGIC_BELOW",
    "LABELS",
    "Classification",
    "feature_weights",
    "classify_alliance",
    "classify_cases",
    "benchmark_labels",
    "SOURCE_COLUMN",
    "ProcessStep",
    "ProcessStage",
    "PROCESS_STEPS",
    "OUTCOMES",
    "process_model_stage",
]

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

DEFINITION_FEATURES: tuple[str, ...] = (
    "short_term",
    "concrete_aim",
    "opportunistic",
    "personalised",
    "no_prior_ties",
)
"""The features that define a tactical alliance in chapter 4 (after Hayrapetyan & Kučera 2022, Ghez 2011)."""

DEFAULT_FEATURE_WEIGHTS: dict[str, float] = {
    name: (1.0 if name in DEFINITION_FEATURES else 0.0) for name in FEATURES
}
"""Default weights: 1 for each defining feature, 0 for ``asymmetric`` and ``formal_treaty``."""

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

LABELS: tuple[str, ...] = ("tactical", "strategic", "mixed")
"""The labels :func:`classify_alliance` can return."""

Weights = Mapping[str, float] | Sequence[float] | Literal["definition", "equal"] | None


def feature_weights(weights: Weights = None) -> dict[str, float]:
    """Normalised feature weights: a mapping, a sequence of 7, ``"definition"``/None (default) or ``"equal"``.

    Parameters
    ----------
    weights : mapping, sequence of 7 floats, "definition", "equal" or None
        ``None`` and ``"definition"`` give :data:`DEFAULT_FEATURE_WEIGHTS`; ``"equal"`` weighs all seven
        features alike; otherwise any non-negative weights (scaled to sum to 1).

    Returns
    -------
    dict of str to float

    Raises
    ------
    ValueError
        If a weight is missing, unknown, negative or NaN, all are 0, or the name is not a known scheme.
    """
    if weights is None or (isinstance(weights, str) and weights == "definition"):
        return normalise_weights(DEFAULT_FEATURE_WEIGHTS, FEATURES)
    if isinstance(weights, str):
        if weights == "equal":
            return normalise_weights(None, FEATURES)
        raise ValueError(
            f"weights = {weights!r} is not a weighting scheme; use 'definition', 'equal', a mapping "
            f"of {list(FEATURES)} to weights, or a sequence of 7 weights"
        )
    return normalise_weights(weights, FEATURES)


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
    weights: Weights = None,
) -> Classification:
    """Score a case on the features of a tactical alliance and label it tactical, strategic or mixed.

    The defining features are those chapter 4 teaches after the article: short-term, with a concrete aim,
    opportunistic, personalised, formed without prior ties (Hayrapetyan & Kučera 2022, after Ghez 2011 and
    Abdel Aziz 2019). Two more features are scored but weigh 0 by default because they are not part of the
    definition: ``asymmetric`` partners and a ``formal_treaty`` (which, when weighted, points away from a
    tactical alliance). The score is a weighted mean of the features, with ``formal_treaty`` reversed:

    .. math::

        T = \\sum_i w_i\\,v_i', \\qquad v_i' = v_i \\text{ except } v'_{\\text{formal\\_treaty}} =
        1 - v_{\\text{formal\\_treaty}}, \\qquad \\sum_i w_i = 1.

    The cut-offs :data:`TACTICAL_FROM` (0.6) and :data:`STRATEGIC_BELOW` (0.4) are teaching choices: a case is
    called tactical when at least 60 % of the weighted evidence points that way, strategic when at most 40 %
    does. With ``weights="equal"`` (the first edition's default) a formal treaty between partners of similar
    strength scores at most 5/7 even when it is short, opportunistic and aimed at one concrete threat: the
    reason the default now follows the definition.

    Parameters
    ----------
    features : mapping of str to float
        A value from 0 (absent) to 1 (fully present) for each of :data:`FEATURES` (the course data uses 0, 0.5
        and 1). Extra keys are not allowed.
    weights : mapping, sequence of 7 floats, "definition", "equal" or None, optional
        Relative importance of each feature (see :func:`feature_weights`). Default: the definition's weights,
        :data:`DEFAULT_FEATURE_WEIGHTS`.

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
    >>> pact = dict(short_term=1, concrete_aim=1, opportunistic=1, personalised=0.5, no_prior_ties=0.5,
    ...             asymmetric=0, formal_treaty=1)   # a formal treaty between two great powers
    >>> classify_alliance(pact).label, classify_alliance(pact, "equal").label
    ('tactical', 'mixed')
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
    normalised = feature_weights(weights)
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
    weights: Weights = None,
) -> pd.DataFrame:
    """Classify every case of a table shaped like :func:`coursekit.data.load_alliance_cases`.

    Parameters
    ----------
    cases : pandas.DataFrame
        Must have ``case_id``, ``name`` and the seven :data:`FEATURES` columns (values 0–1). If it has a
        ``classification`` column (the label recorded in the data), the result compares it with the model; if it
        also has a :data:`SOURCE_COLUMN` column, the labels with a source there are the literature's benchmarks
        and the others the course's own judgement (see :func:`benchmark_labels`).
    weights : mapping, sequence of 7 floats, "definition", "equal" or None, optional
        Feature weights, as in :func:`classify_alliance`. Default: the definition's weights.

    Returns
    -------
    pandas.DataFrame
        One row per case, in the input order, with ``case_id``, ``name``, ``tactical_score``, ``predicted``,
        then (when recorded) ``classification`` and ``agrees`` (predicted equals recorded), then (when the
        source column exists) ``classification_source`` and ``benchmark`` (True when the label has a source in
        the literature), then one ``<feature>_contribution`` column per feature.

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
    normalised = feature_weights(weights)
    sourced = "classification" in cases.columns and SOURCE_COLUMN in cases.columns
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
        if sourced:
            source = _source(row[SOURCE_COLUMN])
            record[SOURCE_COLUMN] = source
            record["benchmark"] = bool(source)
        for name in FEATURES:
            record[f"{name}_contribution"] = result.contributions[name]
        rows.append(record)
    columns = ["case_id", "name", "tactical_score", "predicted"]
    if "classification" in cases.columns:
        columns += ["classification", "agrees"]
    if sourced:
        columns += [SOURCE_COLUMN, "benchmark"]
    columns += [f"{name}_contribution" for name in FEATURES]
    return pd.DataFrame(rows, columns=columns)


SOURCE_COLUMN = "classification_source"
"""Column of the alliance-cases table holding the bib keys (``; ``-separated) of the literature that labels the
case; empty when the label is the course's own judgement."""


def _source(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(cast(Any, value))):
        return ""
    return "; ".join(part.strip() for part in str(value).split(";") if part.strip())


def benchmark_labels(cases: pd.DataFrame) -> pd.DataFrame:
    """The benchmark labels of the historical cases: the recorded labels that come from the literature.

    A label counts as a benchmark only when the data gives its source in :data:`SOURCE_COLUMN` (bib keys of
    ``references.bib``); a label without a source is the course's own judgement and is left out, so the model is
    never checked against labels the course invented.

    Parameters
    ----------
    cases : pandas.DataFrame
        A table shaped like :func:`coursekit.data.load_alliance_cases`, with ``case_id``, ``name``,
        ``classification`` and :data:`SOURCE_COLUMN`.

    Returns
    -------
    pandas.DataFrame
        Columns ``case_id``, ``name``, ``label``, ``source``: one row per sourced label, in the input order.

    Raises
    ------
    ValueError
        If a column is missing or a sourced label is not one of :data:`LABELS` (naming the row and the case).
    """
    if not isinstance(cases, pd.DataFrame):
        raise ValueError(f"cases must be a pandas DataFrame, got {type(cases).__name__}")
    needed = ["case_id", "name", "classification", SOURCE_COLUMN]
    missing = [column for column in needed if column not in cases.columns]
    if missing:
        raise ValueError(
            f"the alliance-cases table is missing column(s) {missing}; benchmark labels need {needed}"
        )
    rows = []
    for position, (_, row) in enumerate(cases.iterrows(), start=1):
        source = _source(row[SOURCE_COLUMN])
        if not source:
            continue
        label = str(row["classification"])
        if label not in LABELS:
            raise ValueError(
                f"alliance cases, row {position} (case_id {row['case_id']!r}), column 'classification': "
                f"{label!r} is not one of {list(LABELS)}"
            )
        rows.append(
            {"case_id": row["case_id"], "name": row["name"], "label": label, "source": source}
        )
    return pd.DataFrame(rows, columns=["case_id", "name", "label", "source"])


# ---------------------------------------------------------------------------------------------------------
# The article's process model of a tactical alliance
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
