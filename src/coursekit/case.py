"""Pure computations over the case data of Part II (the CAR–Russia case).

Every function here takes DataFrames shaped like the tables of :mod:`coursekit.data` and returns a new
DataFrame or a small frozen dataclass; nothing is drawn, displayed or read from disk. Figures live in
:mod:`coursekit.plots.case` and widgets in :mod:`coursekit.widgets.case`.

Conventions
-----------
* Invalid input (an unknown dimension, a negative weight, a year range that runs backwards, a table without
  a required column) raises :class:`ValueError` with a message that says what was wrong, where, and how to
  fix it.
* An *empty selection* (no dimension ticked, no resolution chosen, a filter nothing matches) is not an
  error: the function returns an empty result, and the widget turns it into a message for the reader.

Contents
--------
Events
    :func:`filter_events`, :func:`event_counts`, :func:`timeline_view`, :func:`event_details`,
    :func:`format_event_date`.
Intensity over time
    :func:`intensity`, :func:`assess_peak_claim`.
UN General Assembly votes
    :func:`resolve_country`, :func:`vote_matrix`, :func:`pair_agreement`, :func:`vote_agreement`,
    :func:`agreement_index`, :func:`vote_view`, :func:`african_breakdown`, :func:`country_record`.
Personnel, context and durability
    :func:`personnel_table`, :func:`personnel_gap`, :func:`context_wide`, :func:`durability_score`.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

# -- vocabulary of the data --------------------------------------------------------------------------------

DIMENSIONS: tuple[str, ...] = (
    "military_security",
    "weapons_delivery",
    "resources",
    "international_support",
    "context",
)
"""The event dimensions of ``events.csv``: the article's four dimensions plus ``context``."""

COOPERATION_DIMENSIONS: tuple[str, ...] = DIMENSIONS[:4]
"""The four dimensions of cooperation the article analyses (``context`` events are not cooperation)."""

DIMENSION_LABELS: dict[str, str] = {
    "military_security": "Military and security cooperation",
    "weapons_delivery": "Weapons delivery",
    "resources": "Resource exploitation",
    "international_support": "International support",
    "context": "Context (not cooperation)",
}

PHASES: tuple[str, ...] = (
    "before_khartoum",
    "khartoum_to_sochi",
    "sochi_to_crisis",
    "crisis_and_after",
    "after_2022",
)
"""Phase ids of ``phases.csv``, in time order."""

STATUSES: tuple[str, ...] = ("confirmed", "contested", "unconfirmed")

VOTE_VALUES: tuple[str, ...] = ("Yes", "No", "Abstain", "Non-voting")
"""Recorded positions in ``un_votes.csv``; an empty cell means no source read confirmed the vote."""

CAST_VOTES: tuple[str, ...] = ("Yes", "No", "Abstain")
"""Positions that count as having voted (a non-voting member was absent or did not press a button)."""

UNKNOWN_VOTE = "Unknown"
"""Label used in summaries for a vote no source confirmed."""

CAR_ISO3 = "CAF"
RUSSIA_ISO3 = "RUS"
CAR_NEIGHBOURS_ISO3: tuple[str, ...] = ("CMR", "TCD", "SDN", "SSD", "COD", "COG")
"""The CAR's six neighbours: Cameroon, Chad, Sudan, South Sudan, DR Congo and the Republic of the Congo."""
SAHEL_RUSSIA_PARTNERS_ISO3: tuple[str, ...] = ("MLI", "BFA", "NER")
"""Mali, Burkina Faso and Niger: the Alliance of Sahel States, whose juntas turned to Russia for security
support (bibliography key ``radarafrica2025russia``)."""
REFERENCE_COUNTRIES_ISO3: tuple[str, ...] = ("RUS", "USA", "FRA", "CHN", "ZAF")
"""Reference countries the vote explorer offers first: Russia, the United States, France, China, South Africa."""

VOTE_GROUPS: dict[str, str] = {
    "neighbours": "The CAR's six neighbours",
    "african_union": "Members of the African Union",
    "sahel": "Sahel states with Russian security partners (Mali, Burkina Faso, Niger)",
    "assembly": "The whole General Assembly",
}
"""Groups of members the vote explorer can compare (see :func:`group_members`)."""

VOTE_CAVEATS: dict[tuple[str, str], str] = {
    ("A/RES/ES-11/7", "USA"): (
        "On ES-11/7 the United States voted No together with Russia, but because it backed its own, "
        "neutral text, not Russia's war: an agreement index counts this as agreement with Russia, which "
        "it is not."
    ),
}
"""Votes that coincide with Russia's for reasons an agreement index cannot see: (resolution, ISO3) → why."""

AgreementMethod = Literal["simple", "lijphart"]
AGREEMENT_METHODS: dict[str, str] = {
    "simple": "share of resolutions where both voted and voted alike",
    "lijphart": "Lijphart's index: identical = 1, Yes vs No = 0, Abstain vs Yes or No = 0.5",
}

Frequency = Literal["month", "quarter", "year"]
_FREQ_CODES: dict[str, str] = {"month": "M", "quarter": "Q", "year": "Y"}
# Which date precisions are fine enough to be placed in a period of each length.
_PRECISE_ENOUGH: dict[str, tuple[str, ...]] = {
    "month": ("day", "month"),
    "quarter": ("day", "month"),
    "year": ("day", "month", "year"),
}


# -- small helpers -----------------------------------------------------------------------------------------


def _require_columns(df: pd.DataFrame, columns: Iterable[str], table: str) -> None:
    """Raise ValueError naming the table and the missing columns."""
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{table}: expected a pandas DataFrame, got {type(df).__name__}.")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{table}: missing column(s) {missing}; the table has {list(df.columns)}. "
            f"Load it with coursekit.data (e.g. data.load_{table.split('.')[0]}()) or add the columns."
        )


def _check_choices(
    values: Iterable[str] | None, allowed: Sequence[str], what: str
) -> list[str] | None:
    """Return ``values`` as a list after checking each is in ``allowed`` (None passes through)."""
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    values = list(values)
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValueError(f"unknown {what} {unknown}; choose from {list(allowed)}.")
    return values


def _as_period(value: str | pd.Period | pd.Timestamp, freq: str) -> pd.Period:
    """Turn ``'2020-12'``, a Timestamp or a Period into a Period of frequency ``freq``."""
    try:
        if isinstance(value, pd.Period):
            return value.asfreq(freq) if value.freqstr != freq else value
        return pd.Period(pd.Timestamp(value), freq=freq)
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"could not read {value!r} as a date or period; write it like '2020-12' or '2020-12-15'."
        ) from exc


# -- events ------------------------------------------------------------------------------------------------

EVENT_COLUMNS = (
    "event_id",
    "date",
    "date_precision",
    "title",
    "dimension",
    "phase",
    "actors",
    "status",
)


def filter_events(
    events: pd.DataFrame,
    *,
    dimensions: Iterable[str] | None = None,
    phases: Iterable[str] | None = None,
    actor: str = "",
    years: tuple[int, int] | None = None,
    statuses: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Select events by dimension, phase, actor and year range.

    Parameters
    ----------
    events : DataFrame
        The event table (``data.load_events()``).
    dimensions : iterable of str, optional
        Dimensions to keep (see :data:`DIMENSIONS`); ``None`` keeps all, an empty list keeps none.
    phases : iterable of str, optional
        Phase ids to keep (see :data:`PHASES`); ``None`` keeps all, an empty list keeps none.
    actor : str, optional
        Case-insensitive text that must occur in the ``actors`` cell (``""`` keeps all).
    years : (int, int), optional
        First and last year to keep, inclusive.
    statuses : iterable of str, optional
        Source statuses to keep (``confirmed``, ``contested``, ``unconfirmed``); ``None`` keeps all.

    Returns
    -------
    DataFrame
        The matching events sorted by date (then ``event_id``), with a fresh index. It is empty when
        nothing matches: that is a valid answer, not an error.

    Raises
    ------
    ValueError
        If a column is missing, a dimension, phase or status is unknown, or ``years`` is not an
        increasing pair of integers.
    """
    _require_columns(events, EVENT_COLUMNS, "events")
    dims = _check_choices(dimensions, DIMENSIONS, "dimension(s)")
    phs = _check_choices(phases, PHASES, "phase(s)")
    sts = _check_choices(statuses, STATUSES, "status(es)")
    if not isinstance(actor, str):
        raise ValueError(f"actor must be text (a part of a name), got {type(actor).__name__}.")
    mask = pd.Series(True, index=events.index)
    if dims is not None:
        mask &= events["dimension"].astype("string").isin(dims)
    if phs is not None:
        mask &= events["phase"].astype("string").isin(phs)
    if sts is not None:
        mask &= events["status"].astype("string").isin(sts)
    needle = actor.strip().casefold()
    if needle:
        mask &= (
            events["actors"].fillna("").astype(str).str.casefold().str.contains(needle, regex=False)
        )
    if years is not None:
        try:
            first, last = (int(y) for y in years)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"years must be a pair of integers like (2017, 2022), got {years!r}."
            ) from exc
        if first > last:
            raise ValueError(
                f"years runs backwards: first year {first} is after last year {last}; swap them."
            )
        year = pd.to_datetime(events["date"]).dt.year
        mask &= year.between(first, last)
    out = events.loc[mask]
    return out.sort_values(["date", "event_id"], kind="stable").reset_index(drop=True)


def event_counts(
    events: pd.DataFrame,
    *,
    dimensions: Sequence[str] = DIMENSIONS,
    phases: Sequence[str] = PHASES,
) -> pd.DataFrame:
    """Count events per dimension (rows) and phase (columns).

    Parameters
    ----------
    events : DataFrame
        Events (usually the output of :func:`filter_events`); may be empty.
    dimensions, phases : sequence of str
        The rows and columns to show, in order; every one appears even with a count of zero.

    Returns
    -------
    DataFrame
        Integer counts, index named ``dimension`` and columns named ``phase``.
    """
    _require_columns(events, ("dimension", "phase"), "events")
    dims = _check_choices(dimensions, DIMENSIONS, "dimension(s)") or []
    phs = _check_choices(phases, PHASES, "phase(s)") or []
    counts = (
        pd.crosstab(events["dimension"].astype("string"), events["phase"].astype("string"))
        if len(events)
        else pd.DataFrame()
    )
    counts = counts.reindex(index=dims, columns=phs, fill_value=0).fillna(0).astype(int)
    counts.index.name, counts.columns.name = "dimension", "phase"
    return counts


def format_event_date(date: pd.Timestamp, precision: str) -> str:
    """Write a date only as precisely as the source gives it.

    >>> format_event_date(pd.Timestamp("2020-10-15"), "day")
    '15 Oct 2020'
    >>> format_event_date(pd.Timestamp("2019-07-01"), "month")
    'Jul 2019'
    """
    date = pd.Timestamp(date)
    if precision == "day":
        return f"{date.day} {date:%b %Y}"
    if precision == "month":
        return f"{date:%b %Y}"
    if precision == "year":
        return f"{date:%Y}"
    raise ValueError(f"unknown date precision {precision!r}; use 'day', 'month' or 'year'.")


def _split_keys(cell: object) -> list[str]:
    if cell is None or (isinstance(cell, float) and math.isnan(cell)) or cell is pd.NA:
        return []
    return [part.strip() for part in str(cell).split(";") if part.strip()]


def event_details(events: pd.DataFrame, event_id: str) -> dict[str, object]:
    """The fields a reader needs to judge one event: title, date, description, status, sources.

    Parameters
    ----------
    events : DataFrame
        The event table (or a filtered part of it) holding ``event_id``.
    event_id : str
        The event to describe, e.g. ``"ev001"``.

    Returns
    -------
    dict
        ``event_id``, ``title``, ``date`` (text, as precise as the source), ``dimension`` (label),
        ``phase``, ``actors`` (list), ``place``, ``status``, ``description`` and ``sources``
        (list of bibliography keys).

    Raises
    ------
    ValueError
        If no event has that id.
    """
    _require_columns(events, (*EVENT_COLUMNS, "description", "sources"), "events")
    rows = events.loc[events["event_id"] == event_id]
    if rows.empty:
        raise ValueError(
            f"no event with id {event_id!r} in this table; pick one of the listed events "
            f"(ids look like 'ev001')."
        )
    row = rows.iloc[0]
    return {
        "event_id": str(row["event_id"]),
        "title": str(row["title"]),
        "date": format_event_date(row["date"], str(row["date_precision"])),
        "dimension": DIMENSION_LABELS.get(str(row["dimension"]), str(row["dimension"])),
        "phase": str(row["phase"]),
        "actors": _split_keys(row["actors"]),
        "place": "" if pd.isna(row.get("place", "")) else str(row.get("place", "")),
        "status": str(row["status"]),
        "description": str(row["description"]),
        "sources": _split_keys(row["sources"]),
    }


@dataclass(frozen=True)
class TimelineView:
    """What the timeline explorer shows: the filtered events and their counts.

    Attributes
    ----------
    events : DataFrame
        Events passing the filter, sorted by date.
    counts : DataFrame
        Counts per dimension × phase of those events (:func:`event_counts`).
    selected : dict or None
        :func:`event_details` of the selected event, if it passes the filter.
    """

    events: pd.DataFrame
    counts: pd.DataFrame
    selected: dict[str, object] | None = None

    @property
    def empty(self) -> bool:
        """True when no event passes the filter."""
        return self.events.empty


def timeline_view(
    events: pd.DataFrame,
    *,
    dimensions: Iterable[str] | None = None,
    phases: Iterable[str] | None = None,
    actor: str = "",
    years: tuple[int, int] | None = None,
    selected: str | None = None,
) -> TimelineView:
    """Filter the events and count them, for the timeline explorer.

    Parameters are those of :func:`filter_events`; ``selected`` is an ``event_id`` whose details to
    include (ignored when that event does not pass the filter).

    Returns
    -------
    TimelineView
    """
    filtered = filter_events(events, dimensions=dimensions, phases=phases, actor=actor, years=years)
    counts = event_counts(filtered)
    details = None
    if selected and (filtered["event_id"] == selected).any():
        details = event_details(filtered, selected)
    return TimelineView(filtered, counts, details)


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
    return [p for p, v in clean.items() if np.isclose(v, top)], top


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
    in_range = periods.between(first, last)
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
        rvalue = float(rolling[period])
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


# -- UN General Assembly votes -----------------------------------------------------------------------------

VOTE_COLUMNS = ("resolution", "country", "iso3", "african", "vote")


def resolve_country(votes: pd.DataFrame, name: str) -> str:
    """Return the country name used in the vote table for a name or ISO3 code.

    Matching ignores case; ``"RUS"``, ``"russian federation"`` and the exact table name all work.

    Raises
    ------
    ValueError
        If nothing matches; the message suggests close names.
    """
    _require_columns(votes, ("country", "iso3"), "votes")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"a country must be given as a name or an ISO3 code, got {name!r}.")
    wanted = name.strip().casefold()
    pairs = votes[["country", "iso3"]].drop_duplicates()
    for country, iso3 in pairs.itertuples(index=False):
        if str(country).casefold() == wanted or str(iso3).casefold() == wanted:
            return str(country)
    names = sorted(str(c) for c in pairs["country"].unique())
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    hint = f" Did you mean {close}?" if close else ""
    raise ValueError(f"no country {name!r} in the vote table (un_votes.csv).{hint}")


def _resolve_many(votes: pd.DataFrame, names: Iterable[str]) -> list[str]:
    """Resolve several names or ISO3 codes at once (one lookup table instead of one scan per name)."""
    lookup: dict[str, str] = {}
    for country, iso3 in zip(votes["country"], votes["iso3"], strict=True):
        lookup[str(country).casefold()] = str(country)
        lookup[str(iso3).casefold()] = str(country)
    out = []
    for name in names:
        key = name.strip().casefold() if isinstance(name, str) else None
        out.append(lookup[key] if key in lookup else resolve_country(votes, name))
    return out


def _resolution_order(votes: pd.DataFrame, resolutions: Sequence[str] | None) -> list[str]:
    known = list(dict.fromkeys(str(r) for r in votes["resolution"]))
    if resolutions is None:
        return known
    if isinstance(resolutions, str):
        resolutions = [resolutions]
    chosen = [str(r) for r in resolutions]
    unknown = [r for r in chosen if r not in known]
    if unknown:
        raise ValueError(f"unknown resolution(s) {unknown} in the vote table; choose from {known}.")
    return list(dict.fromkeys(chosen))


def vote_matrix(
    votes: pd.DataFrame,
    *,
    resolutions: Sequence[str] | None = None,
    countries: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Arrange votes as a countries × resolutions table.

    Parameters
    ----------
    votes : DataFrame
        The vote table (``data.load_votes()``).
    resolutions : sequence of str, optional
        Resolution symbols (columns), in the order wanted; default: all, in the table's order.
    countries : sequence of str, optional
        Country names or ISO3 codes (rows), in the order wanted; default: every country in the table,
        alphabetically.

    Returns
    -------
    DataFrame
        Cells hold ``"Yes"``, ``"No"``, ``"Abstain"``, ``"Non-voting"`` or ``<NA>`` when no source
        confirmed the vote (or the country has no row for that resolution). Empty when either selection
        is empty.

    Raises
    ------
    ValueError
        For an unknown resolution or country, or a vote value outside :data:`VOTE_VALUES`.
    """
    _require_columns(votes, VOTE_COLUMNS, "votes")
    cols = _resolution_order(votes, resolutions)
    if countries is None:
        rows = sorted(str(c) for c in votes["country"].unique())
    else:
        if isinstance(countries, str):
            countries = [countries]
        rows = list(dict.fromkeys(_resolve_many(votes, countries)))
    if not cols or not rows:
        return pd.DataFrame(
            index=pd.Index(rows, name="country"), columns=pd.Index(cols, name="resolution")
        )
    values = votes["vote"].astype("string")
    bad = values.dropna()[~values.dropna().isin(VOTE_VALUES)]
    if len(bad):
        raise ValueError(
            f"votes: unexpected vote value(s) {sorted(set(bad))}; allowed are {list(VOTE_VALUES)} "
            f"or an empty cell."
        )
    subset = votes.loc[votes["resolution"].astype(str).isin(cols) & votes["country"].isin(rows)]
    wide = (
        subset.assign(vote=values.loc[subset.index])
        .drop_duplicates(["country", "resolution"], keep="first")
        .pivot(index="country", columns="resolution", values="vote")
    )
    wide = wide.reindex(index=rows, columns=cols).astype(object)
    wide = wide.where(wide.notna(), pd.NA)
    wide.index.name, wide.columns.name = "country", "resolution"
    return wide


def pair_agreement(a: object, b: object, method: AgreementMethod = "simple") -> float | None:
    """Agreement of two votes on one resolution, or None when they cannot be compared.

    Two votes are comparable only when both countries voted (Yes, No or Abstain). Then:

    * ``"simple"``: 1 when the votes are identical, else 0;
    * ``"lijphart"``: 1 when identical, 0 for Yes against No, and 0.5 when one abstained and the other
      voted Yes or No (an abstention is half-way between the two) (Lijphart 1963).

    >>> pair_agreement("Yes", "Abstain", "lijphart")
    0.5
    >>> pair_agreement("Yes", "Non-voting") is None
    True
    """
    if method not in AGREEMENT_METHODS:
        raise ValueError(
            f"unknown agreement method {method!r}; use one of {list(AGREEMENT_METHODS)}."
        )
    if (
        not (isinstance(a, str) and isinstance(b, str))
        or a not in CAST_VOTES
        or b not in CAST_VOTES
    ):
        return None
    if a == b:
        return 1.0
    if method == "simple":
        return 0.0
    return 0.5 if "Abstain" in (a, b) else 0.0


@dataclass(frozen=True)
class Agreement:
    """How often two countries voted alike over a set of resolutions.

    Attributes
    ----------
    country, reference : str
        The two countries compared.
    method : str
        ``"simple"`` or ``"lijphart"`` (see :func:`pair_agreement`).
    score : float
        Mean agreement over the comparable resolutions, between 0 and 1; NaN when none is comparable.
    n_compared : int
        Resolutions on which both voted (the denominator).
    n_resolutions : int
        Resolutions selected.
    details : DataFrame
        One row per resolution: ``resolution``, ``vote`` (country), ``reference_vote``, ``agreement``
        (NaN when not comparable).
    """

    country: str
    reference: str
    method: str
    score: float
    n_compared: int
    n_resolutions: int
    details: pd.DataFrame = field(repr=False)


def vote_agreement(
    votes: pd.DataFrame,
    country: str,
    reference: str,
    *,
    resolutions: Sequence[str] | None = None,
    method: AgreementMethod = "simple",
) -> Agreement:
    """Agreement index between two countries over chosen resolutions.

    Parameters
    ----------
    votes : DataFrame
        The vote table.
    country, reference : str
        Country names or ISO3 codes.
    resolutions : sequence of str, optional
        Resolutions to compare over; default all.
    method : {"simple", "lijphart"}
        ``"simple"``: the share of resolutions on which both voted and voted alike. ``"lijphart"``: the
        index of agreement of Lijphart (1963), which counts an abstention against a Yes or
        a No as half an agreement. In both, a resolution where either country did not vote, or where a
        vote is unconfirmed, is left out of the denominator.

    Returns
    -------
    Agreement

    References
    ----------
    Lijphart, A. (1963). The Analysis of Bloc Voting in the General Assembly: A Critique and a Proposal.
    *American Political Science Review* 57(4), 902–917 (bibliography key ``lijphart1963analysis``).
    Voeten, E. (2013). Data and Analyses of Voting in the UN General Assembly. In B. Reinalda (ed.),
    *Routledge Handbook of International Organization* (``voeten2013data``), whose agreement data count an
    abstention as half a disagreement with a Yes or a No, as the ``"lijphart"`` method does.
    """
    if method not in AGREEMENT_METHODS:
        raise ValueError(
            f"unknown agreement method {method!r}; use one of {list(AGREEMENT_METHODS)}."
        )
    a, b = resolve_country(votes, country), resolve_country(votes, reference)
    matrix = vote_matrix(votes, resolutions=resolutions, countries=[a, b] if a != b else [a])
    va = matrix.loc[a] if len(matrix.columns) else pd.Series(dtype=object)
    vb = matrix.loc[b] if len(matrix.columns) else pd.Series(dtype=object)
    scores = [pair_agreement(x, y, method) for x, y in zip(va, vb, strict=True)]
    details = pd.DataFrame(
        {
            "resolution": list(matrix.columns),
            "vote": list(va),
            "reference_vote": list(vb),
            "agreement": [np.nan if s is None else s for s in scores],
        }
    )
    comparable = [s for s in scores if s is not None]
    score = float(np.mean(comparable)) if comparable else float("nan")
    return Agreement(a, b, method, score, len(comparable), len(matrix.columns), details)


def agreement_index(
    votes: pd.DataFrame,
    reference: str,
    *,
    countries: Sequence[str] | None = None,
    resolutions: Sequence[str] | None = None,
    method: AgreementMethod = "simple",
) -> pd.DataFrame:
    """Agreement of each country with a reference country (e.g. Russia).

    Parameters
    ----------
    votes : DataFrame
        The vote table.
    reference : str
        Name or ISO3 code of the reference country.
    countries : sequence of str, optional
        Countries to score (default: every country in the table except the reference).
    resolutions : sequence of str, optional
        Resolutions to compare over (default all).
    method : {"simple", "lijphart"}
        See :func:`vote_agreement`.

    Returns
    -------
    DataFrame
        Columns ``country``, ``iso3``, ``african``, ``score`` (NaN when no resolution is comparable),
        ``n_compared``; sorted by score (highest first, NaN last), then name. Empty for an empty
        selection.
    """
    ref = resolve_country(votes, reference)
    if countries is None:
        names = sorted(str(c) for c in votes["country"].unique() if c != ref)
    else:
        if isinstance(countries, str):
            countries = [countries]
        names = list(dict.fromkeys(_resolve_many(votes, countries)))
    cols = ["country", "iso3", "african", "score", "n_compared"]
    if not names or (resolutions is not None and len(list(resolutions)) == 0):
        return pd.DataFrame(columns=cols)
    if method not in AGREEMENT_METHODS:
        raise ValueError(
            f"unknown agreement method {method!r}; use one of {list(AGREEMENT_METHODS)}."
        )
    matrix = vote_matrix(
        votes, resolutions=resolutions, countries=list(dict.fromkeys([ref, *names]))
    )
    return _agreement_table(votes, matrix, ref, names, method)


def _agreement_table(
    votes: pd.DataFrame, matrix: pd.DataFrame, ref: str, names: Sequence[str], method: str
) -> pd.DataFrame:
    """Score each of ``names`` against ``ref`` over the columns of ``matrix`` (see :func:`agreement_index`)."""
    ref_votes = list(matrix.loc[ref])
    meta = {
        str(c): (str(i), bool(a))
        for c, i, a in zip(votes["country"], votes["iso3"], votes["african"], strict=True)
    }
    rows = []
    for name in names:
        scores = [
            s
            for s in (
                pair_agreement(a, b, method)
                for a, b in zip(matrix.loc[name], ref_votes, strict=True)
            )
            if s is not None
        ]
        rows.append(
            {
                "country": name,
                "iso3": meta[name][0],
                "african": meta[name][1],
                "score": float(np.mean(scores)) if scores else float("nan"),
                "n_compared": len(scores),
            }
        )
    out = pd.DataFrame(rows, columns=["country", "iso3", "african", "score", "n_compared"])
    out = out.sort_values(["score", "country"], ascending=[False, True], na_position="last")
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class VoteView:
    """What the vote explorer shows: the vote matrix and each country's agreement with the reference."""

    matrix: pd.DataFrame
    agreement: pd.DataFrame
    reference: str
    method: str
    rank: AgreementRank | None = None
    caveats: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """True when no resolution or no country is selected."""
        return self.matrix.empty


def vote_view(
    votes: pd.DataFrame,
    *,
    resolutions: Sequence[str],
    countries: Sequence[str],
    reference: str = RUSSIA_ISO3,
    method: AgreementMethod = "simple",
    order: Literal["agreement", "selection"] = "agreement",
    highlight: str | None = CAR_ISO3,
) -> VoteView:
    """Vote matrix (reference country first) and agreement with the reference, for the vote explorer.

    Parameters
    ----------
    votes : DataFrame
        The vote table.
    resolutions, countries : sequence of str
        The selection; either empty gives an empty view.
    reference : str
        Name or ISO3 code of the country the others are compared with (default Russia).
    method : {"simple", "lijphart"}
        See :func:`vote_agreement`.
    order : {"agreement", "selection"}
        Order of the matrix rows after the reference: by agreement with it (highest first, countries
        with no comparable vote last) or as selected.
    highlight : str or None
        Country whose rank among the selected countries is reported in ``VoteView.rank`` (default the
        CAR; None or a country not selected gives no rank).

    Returns
    -------
    VoteView
        Also carries ``rank`` (:func:`agreement_rank` of ``highlight``) and ``caveats``
        (:func:`vote_caveats` for the selection).
    """
    if order not in ("agreement", "selection"):
        raise ValueError(f"order must be 'agreement' or 'selection', got {order!r}.")
    if method not in AGREEMENT_METHODS:
        raise ValueError(
            f"unknown agreement method {method!r}; use one of {list(AGREEMENT_METHODS)}."
        )
    ref = resolve_country(votes, reference)
    names = _resolve_many(votes, countries)
    others = [n for n in dict.fromkeys(names) if n != ref]
    if not list(resolutions) or not names:
        empty = vote_matrix(votes, resolutions=[], countries=[])
        columns = ["country", "iso3", "african", "score", "n_compared"]
        return VoteView(empty, pd.DataFrame(columns=columns), ref, method)
    matrix = vote_matrix(votes, resolutions=resolutions, countries=[ref, *others])
    agree = _agreement_table(votes, matrix, ref, others, method)
    rows = list(agree["country"]) if order == "agreement" else others
    rank = None
    if highlight is not None:
        name = resolve_country(votes, highlight)
        if name in others:
            rank = agreement_rank(agree, name, reference=ref)
    caveats = vote_caveats(votes, resolutions=list(matrix.columns), countries=[ref, *others])
    return VoteView(matrix.loc[[ref, *rows]], agree, ref, method, rank, caveats)


def african_breakdown(
    votes: pd.DataFrame, *, resolutions: Sequence[str] | None = None
) -> pd.DataFrame:
    """How the African members voted on each resolution.

    Returns
    -------
    DataFrame
        One row per resolution (table order), columns ``Yes``, ``No``, ``Abstain``, ``Non-voting``
        and ``Unknown`` (no source confirmed the vote), counting African members with a row for
        that resolution.
    """
    _require_columns(votes, VOTE_COLUMNS, "votes")
    cols = _resolution_order(votes, resolutions)
    african = votes.loc[votes["african"].astype(bool) & votes["resolution"].astype(str).isin(cols)]
    labels = african["vote"].astype("string").fillna(UNKNOWN_VOTE)
    table = (
        pd.crosstab(african["resolution"].astype(str), labels) if len(african) else pd.DataFrame()
    )
    table = table.reindex(index=cols, columns=[*VOTE_VALUES, UNKNOWN_VOTE], fill_value=0)
    table = table.fillna(0).astype(int)
    table.index.name, table.columns.name = "resolution", "vote"
    return table


def country_record(
    votes: pd.DataFrame,
    resolutions: pd.DataFrame,
    country: str = CAR_ISO3,
    reference: str | None = RUSSIA_ISO3,
) -> pd.DataFrame:
    """A country's voting record over time, beside the reference country's votes.

    Parameters
    ----------
    votes : DataFrame
        The vote table.
    resolutions : DataFrame
        The resolution table (``data.load_resolutions()``) for dates, titles and tallies.
    country : str
        Name or ISO3 code (default the CAR).
    reference : str or None
        Name or ISO3 code of a country to compare with (default Russia); None leaves it out.

    Returns
    -------
    DataFrame
        One row per resolution the country has a row for, sorted by date: ``resolution``, ``date``,
        ``title``, ``yes``, ``no``, ``abstain``, ``non_voting``, ``vote`` (``<NA>`` if unconfirmed),
        ``status`` and, with a reference, ``reference_vote`` and ``agrees`` (True/False, ``<NA>`` when
        not comparable).
    """
    _require_columns(
        resolutions, ("resolution", "date", "title", "yes", "no", "abstain"), "resolutions"
    )
    _require_columns(votes, (*VOTE_COLUMNS, "status"), "votes")
    name = resolve_country(votes, country)
    own = votes.loc[votes["country"] == name, ["resolution", "vote", "status"]].copy()
    own["vote"] = own["vote"].astype("string")
    info = resolutions[["resolution", "date", "title", "yes", "no", "abstain", "non_voting"]]
    record = info.merge(own, on="resolution", how="inner")
    if reference is not None:
        ref = resolve_country(votes, reference)
        theirs = votes.loc[votes["country"] == ref, ["resolution", "vote"]]
        theirs = theirs.rename(columns={"vote": "reference_vote"})
        theirs["reference_vote"] = theirs["reference_vote"].astype("string")
        record = record.merge(theirs, on="resolution", how="left")
        agree = [
            pd.NA if (s := pair_agreement(a, b)) is None else bool(s == 1.0)
            for a, b in zip(record["vote"], record["reference_vote"], strict=True)
        ]
        record["agrees"] = pd.array(agree, dtype="boolean")
    return record.sort_values("date", kind="stable").reset_index(drop=True)


def group_members(votes: pd.DataFrame, group: str) -> list[str]:
    """Country names of a group of members (see :data:`VOTE_GROUPS`), alphabetically.

    ``"neighbours"``: the CAR's six neighbours; ``"african_union"``: the rows marked ``african`` (African
    Union members); ``"sahel"``: Mali, Burkina Faso and Niger; ``"assembly"``: every country in the table.
    Members absent from the table are left out.

    Raises
    ------
    ValueError
        For an unknown group.
    """
    _require_columns(votes, ("country", "iso3", "african"), "votes")
    pairs = votes[["country", "iso3", "african"]].drop_duplicates("country")
    if group == "neighbours":
        chosen = pairs[pairs["iso3"].isin(CAR_NEIGHBOURS_ISO3)]
    elif group == "sahel":
        chosen = pairs[pairs["iso3"].isin(SAHEL_RUSSIA_PARTNERS_ISO3)]
    elif group == "african_union":
        chosen = pairs[pairs["african"].astype(bool)]
    elif group == "assembly":
        chosen = pairs
    else:
        raise ValueError(f"unknown group {group!r}; choose one of {list(VOTE_GROUPS)}.")
    return sorted(str(c) for c in chosen["country"])


@dataclass(frozen=True)
class AgreementRank:
    """Where one country stands in an agreement table.

    Attributes
    ----------
    country, reference : str
        The country ranked and the reference country.
    position : int or None
        1 + the number of countries with a strictly higher score (ties share a position); None when the
        country has no comparable vote.
    of : int
        Countries with a score (the ranked field, the country included).
    tied : int
        Other countries with exactly the same score.
    score : float
        The country's score (NaN when not comparable).
    n_compared : int
        Resolutions its score rests on.
    """

    country: str
    reference: str
    position: int | None
    of: int
    tied: int
    score: float
    n_compared: int

    def sentence(self) -> str:
        """The rank in words, e.g. ``"Central African Republic: 2nd of 7 in agreement with ..."``."""
        if self.position is None:
            return (
                f"{self.country} has no vote comparable with {self.reference}'s in this selection."
            )
        n = self.position
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        tie = f", tied with {self.tied} other{'s' if self.tied != 1 else ''}" if self.tied else ""
        return (
            f"{self.country}: {n}{suffix} of {self.of} in agreement with {self.reference}{tie} "
            f"(score {self.score:.2f} over {self.n_compared} comparable resolution"
            f"{'s' if self.n_compared != 1 else ''})."
        )


def agreement_rank(table: pd.DataFrame, country: str, *, reference: str = "") -> AgreementRank:
    """Rank of ``country`` in an agreement table (:func:`agreement_index` or ``VoteView.agreement``).

    Raises
    ------
    ValueError
        If the country is not in the table.
    """
    _require_columns(table, ("country", "score", "n_compared"), "agreement table")
    own = table.loc[table["country"] == country]
    if own.empty:
        raise ValueError(f"{country!r} is not in the agreement table; select it first.")
    score, n = float(own["score"].iloc[0]), int(own["n_compared"].iloc[0])
    scored = table["score"].dropna().astype(float)
    if np.isnan(score):
        return AgreementRank(country, reference, None, len(scored), 0, score, n)
    higher = int((scored > score + 1e-12).sum())
    tied = int(np.isclose(scored, score).sum()) - 1
    return AgreementRank(country, reference, higher + 1, len(scored), tied, score, n)


def vote_caveats(
    votes: pd.DataFrame, *, resolutions: Sequence[str], countries: Sequence[str]
) -> tuple[str, ...]:
    """The :data:`VOTE_CAVEATS` that apply to a selection of resolutions and countries (names or ISO3)."""
    chosen = {str(r) for r in resolutions}
    codes: set[str] = set()
    lookup = dict(zip(votes["country"].astype(str), votes["iso3"].astype(str), strict=True))
    for name in countries:
        codes.add(lookup.get(str(name), str(name).upper()))
    return tuple(
        text
        for (resolution, iso3), text in VOTE_CAVEATS.items()
        if resolution in chosen and iso3 in codes
    )


# -- personnel, context, durability ------------------------------------------------------------------------

PERSONNEL_COLUMNS = ("date", "date_precision", "low", "high", "category", "claimant", "claim_type")


def personnel_table(
    personnel: pd.DataFrame,
    *,
    categories: Iterable[str] | None = None,
    claim_types: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Personnel figures sorted by date, with a printable range and its midpoint.

    Parameters
    ----------
    personnel : DataFrame
        The personnel table (``data.load_personnel()``).
    categories : iterable of str, optional
        Categories to keep (e.g. ``"instructors"``); default all.
    claim_types : iterable of str, optional
        ``"official"`` and/or ``"independent"``; default both.

    Returns
    -------
    DataFrame
        The kept rows plus ``range`` (e.g. ``"800–2,000"`` or ``"535"``) and ``mid`` (midpoint).

    Raises
    ------
    ValueError
        For an unknown category or claim type, or a row whose ``low`` exceeds ``high``.
    """
    _require_columns(personnel, PERSONNEL_COLUMNS, "personnel")
    known_cats = sorted(str(c) for c in personnel["category"].astype("string").dropna().unique())
    cats = _check_choices(categories, known_cats, "category(ies)")
    types = _check_choices(claim_types, ("official", "independent"), "claim type(s)")
    bad = personnel.index[personnel["low"] > personnel["high"]]
    if len(bad):
        raise ValueError(
            f"personnel: row(s) {list(bad)} have low > high; a range is written low first."
        )
    out = personnel
    if cats is not None:
        out = out.loc[out["category"].astype("string").isin(cats)]
    if types is not None:
        out = out.loc[out["claim_type"].astype("string").isin(types)]
    out = out.sort_values("date", kind="stable").reset_index(drop=True).copy()
    out["range"] = [
        f"{int(lo):,}" if lo == hi else f"{int(lo):,}–{int(hi):,}"
        for lo, hi in zip(out["low"], out["high"], strict=True)
    ]
    out["mid"] = (out["low"].astype(float) + out["high"].astype(float)) / 2
    return out


def personnel_gap(personnel: pd.DataFrame, *, category: str | None = None) -> pd.DataFrame:
    """Compare each independent estimate with the latest official figure of the same category.

    For every independent estimate, the official figure is the most recent official claim of the same
    category dated on or before it. The ratios say how many times larger the independent range is.

    Parameters
    ----------
    personnel : DataFrame
        The personnel table.
    category : str, optional
        Restrict to one category.

    Returns
    -------
    DataFrame
        ``date``, ``category``, ``claimant`` (independent), ``low``, ``high``, ``official_date``,
        ``official_claimant``, ``official`` (the official figure, its ``high``), ``ratio_low`` and
        ``ratio_high``. Estimates without an earlier official figure are left out.
    """
    table = personnel_table(personnel, categories=None if category is None else [category])
    official = table.loc[table["claim_type"].astype("string") == "official"]
    independent = table.loc[table["claim_type"].astype("string") == "independent"]
    rows = []
    for _, est in independent.iterrows():
        same = official.loc[
            (official["category"].astype("string") == str(est["category"]))
            & (official["date"] <= est["date"])
        ]
        if same.empty:
            continue
        ref = same.iloc[-1]
        rows.append(
            {
                "date": est["date"],
                "category": str(est["category"]),
                "claimant": est["claimant"],
                "low": int(est["low"]),
                "high": int(est["high"]),
                "official_date": ref["date"],
                "official_claimant": ref["claimant"],
                "official": int(ref["high"]),
                "ratio_low": est["low"] / ref["high"] if ref["high"] else float("nan"),
                "ratio_high": est["high"] / ref["high"] if ref["high"] else float("nan"),
            }
        )
    columns = [
        "date", "category", "claimant", "low", "high", "official_date", "official_claimant", "official",
        "ratio_low", "ratio_high",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def context_wide(context: pd.DataFrame, *, indicators: Iterable[str] | None = None) -> pd.DataFrame:
    """Context indicators as a wide table: one row per year, one column per indicator.

    When a year has several figures for one indicator, the most recent (latest ``as_of``) is kept.

    Parameters
    ----------
    context : DataFrame
        The long context table (``data.load_context()``).
    indicators : iterable of str, optional
        Indicators (columns) to keep, in order; default all, in the table's category order.

    Returns
    -------
    DataFrame
        Index ``year`` (int), nullable integer columns (``<NA>`` where no figure exists).
    """
    _require_columns(context, ("year", "indicator", "value", "as_of"), "context")
    ind = context["indicator"]
    known = [str(c) for c in (ind.cat.categories if hasattr(ind, "cat") else ind.unique())]
    chosen = _check_choices(indicators, known, "indicator(s)")
    cols = chosen if chosen is not None else known
    latest = (
        context.assign(indicator=ind.astype(str))
        .sort_values(["year", "indicator", "as_of"], kind="stable")
        .drop_duplicates(["year", "indicator"], keep="last")
    )
    wide = latest.pivot(index="year", columns="indicator", values="value").reindex(columns=cols)
    wide = wide.astype("Int64")
    wide.index = wide.index.astype(int)
    wide.index.name, wide.columns.name = "year", "indicator"
    return wide.sort_index()


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
