"""Events of the case: filter them, count them per period, describe one, and the timeline view of a selection."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from coursekit.case.vocabulary import (
    DIMENSION_LABELS,
    DIMENSIONS,
    PHASES,
    STATUSES,
    _check_choices,
    _require_columns,
)

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
