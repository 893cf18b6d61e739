"""The durability scorecard: weighted indicator scores of how long the alliance is likely to last."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from coursekit.case.vocabulary import _require_columns


@dataclass(frozen=True)
class DurabilityResult:
    """A weighted durability score and what each indicator contributed.

    Attributes
    ----------
    score : float
        Weighted mean of the indicator scores, between 0 (everything points to a short-lived alliance)
        and 1 (everything favours a durable one).
    contributions : DataFrame
        One row per indicator: ``indicator``, ``label``, ``score``, ``weight``, ``share`` (weight /
        total weight) and ``contribution`` (share × score). The contributions add up to ``score``.
    """

    score: float
    contributions: pd.DataFrame


def durability_score(
    indicators: pd.DataFrame,
    weights: Mapping[str, float] | None = None,
    *,
    score_column: str = "score",
) -> DurabilityResult:
    """Combine the durability indicators with the reader's weights.

    ``score = Σ wᵢ·sᵢ / Σ wᵢ``, where sᵢ is an indicator's score (0–1, 1 favours a durable alliance) and
    wᵢ its weight.

    Parameters
    ----------
    indicators : DataFrame
        The durability indicators (``data.load_durability_indicators()``): ``indicator``, ``label``,
        ``score``.
    weights : mapping of indicator id → float, optional
        One weight per indicator, each ≥ 0 and not all 0. ``None`` weighs every indicator equally. Every
        indicator of the table must be given a weight, so that none is dropped by accident.
    score_column : str
        The column that holds the scores: ``"score"`` (the course team's judgement on the record to the end
        of 2025, the default) or ``"score_2022"`` (its judgement on the evidence of August 2022), so that the
        two scorings can be compared with the same weights.

    Returns
    -------
    DurabilityResult

    Raises
    ------
    ValueError
        If a weight is negative, not a number, names an unknown indicator or is missing, if all weights are
        zero, if an indicator score is outside 0–1, or if the table has no column ``score_column``.
    """
    _require_columns(indicators, ("indicator", "label", score_column), "durability_indicators")
    if indicators.empty:
        raise ValueError("durability_indicators: the table has no indicator to score.")
    ids = [str(i) for i in indicators["indicator"]]
    scores = pd.to_numeric(indicators[score_column], errors="coerce")
    out_of_range = [i for i, s in zip(ids, scores, strict=True) if not (0.0 <= s <= 1.0)]
    if out_of_range:
        raise ValueError(
            f"durability_indicators: {score_column} outside 0–1 (or missing) for {out_of_range}; "
            "fix the data file."
        )
    if weights is None:
        weights = {i: 1.0 for i in ids}
    unknown = [k for k in weights if k not in ids]
    if unknown:
        raise ValueError(f"weights: unknown indicator(s) {unknown}; the indicators are {ids}.")
    missing = [i for i in ids if i not in weights]
    if missing:
        raise ValueError(
            f"weights: no weight given for {missing}; give every indicator a weight (0 to ignore it)."
        )
    w = []
    for i in ids:
        try:
            value = float(weights[i])
        except (TypeError, ValueError) as exc:
            raise ValueError(f"weights[{i!r}] must be a number, got {weights[i]!r}.") from exc
        if not math.isfinite(value) or value < 0:
            raise ValueError(
                f"weights[{i!r}] = {value} is negative or not finite; weights must be ≥ 0."
            )
        w.append(value)
    total = sum(w)
    if total == 0:
        raise ValueError("all weights are 0: give at least one indicator a positive weight.")
    table = pd.DataFrame(
        {
            "indicator": ids,
            "label": [str(x) for x in indicators["label"]],
            "score": scores.astype(float).to_numpy(),
            "weight": w,
        }
    )
    table["share"] = table["weight"] / total
    table["contribution"] = table["share"] * table["score"]
    return DurabilityResult(float(table["contribution"].sum()), table)
