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

Each group is its own module (:mod:`~coursekit.case.events`, :mod:`~coursekit.case.trends`,
:mod:`~coursekit.case.votes`, :mod:`~coursekit.case.personnel`, :mod:`~coursekit.case.context`,
:mod:`~coursekit.case.durability`; the shared vocabulary and input checks are in
:mod:`~coursekit.case.vocabulary`); this package re-exports every public name.
"""

from __future__ import annotations

from coursekit.case.context import context_wide
from coursekit.case.durability import DurabilityResult, durability_score
from coursekit.case.events import (
    EVENT_COLUMNS,
    TimelineView,
    event_counts,
    event_details,
    filter_events,
    format_event_date,
    timeline_view,
)
from coursekit.case.personnel import PERSONNEL_COLUMNS, personnel_gap, personnel_table
from coursekit.case.trends import Intensity, PeakClaim, assess_peak_claim, intensity
from coursekit.case.vocabulary import (
    AGREEMENT_METHODS,
    CAR_ISO3,
    CAR_NEIGHBOURS_ISO3,
    CAST_VOTES,
    COOPERATION_DIMENSIONS,
    DIMENSION_LABELS,
    DIMENSIONS,
    PHASES,
    REFERENCE_COUNTRIES_ISO3,
    RUSSIA_ISO3,
    SAHEL_RUSSIA_PARTNERS_ISO3,
    STATUSES,
    UNKNOWN_VOTE,
    VOTE_CAVEATS,
    VOTE_GROUPS,
    VOTE_VALUES,
    AgreementMethod,
    Frequency,
)
from coursekit.case.votes import (
    VOTE_COLUMNS,
    Agreement,
    AgreementRank,
    VoteView,
    african_breakdown,
    agreement_index,
    agreement_rank,
    country_record,
    group_members,
    pair_agreement,
    resolve_country,
    vote_agreement,
    vote_caveats,
    vote_matrix,
    vote_view,
)

__all__ = [
    "AGREEMENT_METHODS",
    "Agreement",
    "AgreementMethod",
    "AgreementRank",
    "CAR_ISO3",
    "CAR_NEIGHBOURS_ISO3",
    "CAST_VOTES",
    "COOPERATION_DIMENSIONS",
    "DIMENSIONS",
    "DIMENSION_LABELS",
    "DurabilityResult",
    "EVENT_COLUMNS",
    "Frequency",
    "Intensity",
    "PERSONNEL_COLUMNS",
    "PHASES",
    "PeakClaim",
    "REFERENCE_COUNTRIES_ISO3",
    "RUSSIA_ISO3",
    "SAHEL_RUSSIA_PARTNERS_ISO3",
    "STATUSES",
    "TimelineView",
    "UNKNOWN_VOTE",
    "VOTE_CAVEATS",
    "VOTE_COLUMNS",
    "VOTE_GROUPS",
    "VOTE_VALUES",
    "VoteView",
    "african_breakdown",
    "agreement_index",
    "agreement_rank",
    "assess_peak_claim",
    "context_wide",
    "country_record",
    "durability_score",
    "event_counts",
    "event_details",
    "filter_events",
    "format_event_date",
    "group_members",
    "intensity",
    "pair_agreement",
    "personnel_gap",
    "personnel_table",
    "resolve_country",
    "timeline_view",
    "vote_agreement",
    "vote_caveats",
    "vote_matrix",
    "vote_view",
]
