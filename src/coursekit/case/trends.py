"""Intensity of the cooperation over time (events per period, by dimension, with weights) and the check of a
claim about when it peaked.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import pandas as pd

from coursekit.case.vocabulary import (
    _FREQ_CODES,
    _PRECISE_ENOUGH,
    COOPERATION_DIMENSIONS,
    DIMENSIONS,
    Frequency,
    _as_period,
    _check_choices,
    _require_columns,
)

# -- intensity over time ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Intensity:
    """Events per period, optionally weighted by dimension, with a rolling mean and the peak.

    Attributes
    ----------
    table : DataFrame
        One row per period (a ``PeriodIndex``, no gaps) with columns ``events`` (count), ``weighted``
        (sum of dimension weights), ``rolling`` (trailing mean of ``weighted`` over ``window`` periods;
        missing for the first ``window - 1`` periods) and one count column per dimension.
    freq : str
        ``"month"``, ``"quarter"`` or ``"year"``.
    window : int
        Length of the rolling window in periods.
    weights : dict
        Weight used for each dimension.
    peak_periods : list of Period
        Period(s) with the highest ``weighted`` value (several when tied).
    peak_value : float
        That highest value.
    rolling_peak_periods : list of Period
        Period(s) with the highest rolling mean.
    rolling_peak_value : float
    excluded : DataFrame
        Events left out because their date is known less precisely than the period (e.g. a
        year-only date in a monthly count).
    """

    table: pd.DataFrame
    freq: str
    window: int
    weights: dict[str, float]
    peak_periods: list[pd.Period]
    peak_value: float
    rolling_peak_periods: list[pd.Period]
    rolling_peak_value: float
    excluded: pd.DataFrame = field(repr=False)

    @property
    def empty(self) -> bool:
        """True when no event was counted."""
        return self.table.empty or float(self.table["events"].sum()) == 0.0


def _ranked(series: pd.Series) -> tuple[list[pd.Period], float]:
    clean = series.dropna()
    if clean.empty:
        return [], float("nan")
    top = float(clean.max())
    return [cast(pd.Period, p) for p, v in clean.items() if np.isclose(v, top)], top


def intensity(
    events: pd.DataFrame,
    *,
    freq: Frequency = "month",
    weights: Mapping[str, float] | None = None,
    window: int = 3,
    dimensions: Iterable[str] = COOPERATION_DIMENSIONS,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
) -> Intensity:
    """Measure how intense the cooperation was in each month, quarter or year.

    Intensity is the number of events per period, or, with ``weights``, the sum of the weights of the
    events' dimensions (so a weapons delivery can count double). Periods with no event count zero, so the
    series has no gaps and the rolling mean is honest.

    Parameters
    ----------
    events : DataFrame
        The event table (``data.load_events()``), or a filtered part of it.
    freq : {"month", "quarter", "year"}
        Length of a period.
    weights : mapping of dimension → float, optional
        Weight per dimension, each ≥ 0; dimensions not named keep weight 1. At least one of the counted
        dimensions must have a positive weight.
    window : int
        Periods in the trailing rolling mean (≥ 1; 1 means no smoothing).
    dimensions : iterable of str
        Dimensions counted; default: the four cooperation dimensions (``context`` is left out because an
        election or a rebel offensive is not cooperation).
    start, end : date-like, optional
        First and last period to show; default: the first and last counted event.

    Returns
    -------
    Intensity
        Empty (``.empty`` is true, no peak) when no event is counted.

    Raises
    ------
    ValueError
        For an unknown frequency or dimension, a negative weight, all weights zero, ``window < 1``, or
        ``start`` after ``end``.

    Notes
    -----
    An event dated only to the year cannot be placed in a month or a quarter; such events are left out of
    monthly and quarterly counts and listed in ``excluded``, never silently moved to January.
    """
    if freq not in _FREQ_CODES:
        raise ValueError(f"unknown frequency {freq!r}; use 'month', 'quarter' or 'year'.")
    if not isinstance(window, int | np.integer) or window < 1:
        raise ValueError(f"window must be a whole number of periods ≥ 1, got {window!r}.")
    _require_columns(events, ("date", "date_precision", "dimension"), "events")
    dims = _check_choices(dimensions, DIMENSIONS, "dimension(s)") or []
    w = {d: 1.0 for d in DIMENSIONS}
    for key, value in (weights or {}).items():
        if key not in DIMENSIONS:
            raise ValueError(f"weights: unknown dimension {key!r}; choose from {list(DIMENSIONS)}.")
        try:
            value = float(value)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"weights[{key!r}] must be a number, got {value!r}.") from exc
        if not math.isfinite(value) or value < 0:
            raise ValueError(
                f"weights[{key!r}] = {value} is negative or not finite; weights must be ≥ 0."
            )
        w[key] = value
    if dims and not any(w[d] > 0 for d in dims):
        raise ValueError(
            "every counted dimension has weight 0, so nothing would be counted; give at least one a "
            "positive weight."
        )
    code = _FREQ_CODES[freq]
    chosen = events.loc[events["dimension"].astype("string").isin(dims)]
    precise = chosen["date_precision"].astype("string").isin(_PRECISE_ENOUGH[freq])
    excluded = chosen.loc[~precise].reset_index(drop=True)
    counted = chosen.loc[precise]
    first = _as_period(start, code) if start is not None else None
    last = _as_period(end, code) if end is not None else None
    if first is not None and last is not None and first > last:
        raise ValueError(f"start {first} is after end {last}; swap them.")
    periods = pd.to_datetime(counted["date"]).dt.to_period(code)
    if first is None:
        first = periods.min() if len(periods) else None
    if last is None:
        last = periods.max() if len(periods) else None
    columns = ["events", "weighted", "rolling", *dims]
    if first is None or last is None or first > last:
        empty = pd.DataFrame(columns=columns, index=pd.PeriodIndex([], freq=code, name="period"))
        return Intensity(empty, freq, int(window), w, [], float("nan"), [], float("nan"), excluded)
    index = pd.period_range(first, last, freq=code, name="period")
    in_range = periods.between(first, last)  # type: ignore[arg-type]  # pandas compares Periods too
    per_dim = (
        pd.crosstab(periods[in_range], counted.loc[in_range, "dimension"].astype("string"))
        if in_range.any()
        else pd.DataFrame()
    )
    per_dim = per_dim.reindex(index=index, columns=dims, fill_value=0).fillna(0).astype(int)
    table = per_dim.copy()
    table.insert(0, "events", per_dim.sum(axis=1).astype(int))
    weighted = sum((per_dim[d] * w[d] for d in dims), pd.Series(0.0, index=index))
    table.insert(1, "weighted", weighted.astype(float))
    table.insert(2, "rolling", table["weighted"].rolling(window, min_periods=window).mean())
    table.index.name = "period"
    table.columns.name = None
    peaks, peak_value = _ranked(table["weighted"]) if table["events"].sum() else ([], float("nan"))
    rpeaks, rpeak_value = _ranked(table["rolling"]) if table["events"].sum() else ([], float("nan"))
    return Intensity(table, freq, int(window), w, peaks, peak_value, rpeaks, rpeak_value, excluded)


@dataclass(frozen=True)
class PeakClaim:
    """The verdict of the data on a claim that cooperation peaked in one period.

    Attributes
    ----------
    claimed : Period
        The period the claim names (at the intensity's frequency).
    value, rolling_value : float
        Intensity and rolling mean in that period (0 / NaN when outside the measured range).
    rank, rolling_rank : int
        Position of the claimed period among all periods (1 = highest; tied periods share a rank).
    n_periods : int
        Number of periods compared.
    peak_periods, rolling_peak_periods : list of Period
        The actual peak period(s).
    peak_value, rolling_peak_value : float
    holds, holds_rolling : bool
        Whether the claimed period is (one of) the peak(s).
    window : int
        Length of the rolling window, in periods.
    """

    claimed: pd.Period
    value: float
    rank: int
    rolling_value: float
    rolling_rank: int | None
    n_periods: int
    peak_periods: list[pd.Period]
    peak_value: float
    rolling_peak_periods: list[pd.Period]
    rolling_peak_value: float
    holds: bool
    holds_rolling: bool
    window: int = 1

    def summary(self) -> str:
        """One or two sentences stating what the data show about the claim."""
        peaks = ", ".join(str(p) for p in self.peak_periods) or "none"
        rpeaks = ", ".join(str(p) for p in self.rolling_peak_periods) or "none"
        if self.holds and len(self.peak_periods) == 1:
            verdict = "is the busiest period"
        elif self.holds:
            verdict = f"ties with {len(self.peak_periods) - 1} other period(s) for the busiest"
        else:
            verdict = "is not the busiest period"
        text = (
            f"{self.claimed} {verdict}: intensity {self.value:g}, rank {self.rank} of "
            f"{self.n_periods} (peak: {peaks} with {self.peak_value:g})."
        )
        if self.rolling_rank is not None:
            rverdict = "is" if self.holds_rolling else "is not"
            text += (
                f" Averaged over the {self.window} periods ending there, {self.claimed} {rverdict} the "
                f"peak: {self.rolling_value:.2f}, rank {self.rolling_rank} (peak: {rpeaks} with "
                f"{self.rolling_peak_value:.2f})."
            )
        return text


def assess_peak_claim(
    result: Intensity, claimed: str | pd.Period | pd.Timestamp = "2020-12"
) -> PeakClaim:
    """Test a claim that cooperation peaked in one period against an :class:`Intensity` series.

    Parameters
    ----------
    result : Intensity
        The output of :func:`intensity`.
    claimed : date-like or Period
        The claimed peak, e.g. ``"2020-12"`` (the article's December 2020). It is converted to the
        intensity's frequency (December 2020 becomes 2020Q4 for quarters).

    Returns
    -------
    PeakClaim

    Raises
    ------
    ValueError
        If the intensity is empty (nothing to compare with).
    """
    if result.empty:
        raise ValueError(
            "the intensity series counts no event, so no peak can be tested; widen the filter."
        )
    period = _as_period(claimed, _FREQ_CODES[result.freq])
    table = result.table
    weighted = table["weighted"]
    value = float(weighted.get(period, 0.0))
    rank = int((weighted > value + 1e-12).sum()) + 1
    rolling = table["rolling"].dropna()
    if period in rolling.index:
        rvalue = float(rolling.loc[period])  # type: ignore[call-overload]  # a Period label
        rrank: int | None = int((rolling > rvalue + 1e-12).sum()) + 1
    else:
        rvalue, rrank = float("nan"), None
    return PeakClaim(
        claimed=period,
        value=value,
        rank=rank,
        rolling_value=rvalue,
        rolling_rank=rrank,
        n_periods=len(table),
        peak_periods=list(result.peak_periods),
        peak_value=result.peak_value,
        rolling_peak_periods=list(result.rolling_peak_periods),
        rolling_peak_value=result.rolling_peak_value,
        holds=period in result.peak_periods,
        holds_rolling=period in result.rolling_peak_periods,
        window=result.window,
    )
