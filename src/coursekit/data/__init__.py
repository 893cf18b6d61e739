"""Load and validate the course data in ``data/``.

Every widget, chapter and exercise reads the shared tables through this module. Each table is a CSV file
described in ``data/datapackage.json`` (a Frictionless Data Package: types, required fields, allowed values,
primary and foreign keys, a description of every column). :func:`validate` checks the files against that schema
and against the rules the schema cannot express:

* every source key of every row exists in ``references.bib``;
* ``date_precision`` agrees with the date (a ``month`` date is the first of the month, a ``year`` date is
  1 January);
* an event's phase agrees with its date, and the phases are contiguous;
* each resolution's tally adds up to the UN membership (193); each resolution has one vote row per member
  state of ``countries.csv``; the country votes never exceed the tally, match it exactly where every vote is
  known, and the votes still unknown are exactly as many as the tally leaves open (the message names the
  resolution, the category and the difference); a vote is empty exactly when it is unconfirmed;
* the CAR's vote in ``un_resolutions.csv`` agrees with its row in ``un_votes.csv``;
* ``low <= high`` for personnel figures, ``start_year <= end_year`` for alliance cases, and so on.

All problems are reported at once, each with its file, row and column (see :class:`Problem`). Row numbers are
those a spreadsheet shows: the header is row 1, so the first data row is row 2.

Loaders (``load_events()`` and the others) return typed pandas DataFrames: dates as ``datetime64[ns]``,
columns with a fixed set of values as :class:`pandas.Categorical` (``phase`` is ordered), integers as ``int64``
(``Int64`` where a value may be missing), booleans as ``bool``. Multi-valued text cells (``actors``,
``sources``) stay ``;``-separated strings; :func:`split_keys` splits them. Each table is parsed and checked once
per process and data folder; every call returns a fresh copy, so callers may modify what they get.

The package re-exports every public name; the work is split by job: :mod:`~coursekit.data.package` (tables,
folder, descriptor, :class:`Problem`), :mod:`~coursekit.data.bibliography`, :mod:`~coursekit.data.schema` (one
table against its schema), :mod:`~coursekit.data.rules` (cross-table and domain rules),
:mod:`~coursekit.data.validation`, :mod:`~coursekit.data.loaders` and :mod:`~coursekit.data.describe` (for the
data appendix).
"""

from __future__ import annotations

from coursekit.data.bibliography import bib_keys, bibliography_entries, short_citations, split_keys
from coursekit.data.describe import column_summary, resource_summary
from coursekit.data.loaders import (
    clear_cache,
    load_all,
    load_alliance_cases,
    load_arms,
    load_atop_obligations_by_year,
    load_atop_spells,
    load_capabilities,
    load_context,
    load_countries,
    load_cow_states,
    load_durability_indicators,
    load_events,
    load_major_powers,
    load_mining,
    load_personnel,
    load_phases,
    load_resolutions,
    load_votes,
)
from coursekit.data.package import MEMBERSHIP, TABLES, DataError, Problem, read_package
from coursekit.data.validation import validate

__all__ = [
    "MEMBERSHIP",
    "TABLES",
    "DataError",
    "Problem",
    "bib_keys",
    "bibliography_entries",
    "clear_cache",
    "column_summary",
    "load_all",
    "load_alliance_cases",
    "load_arms",
    "load_atop_obligations_by_year",
    "load_atop_spells",
    "load_capabilities",
    "load_context",
    "load_cow_states",
    "load_major_powers",
    "load_durability_indicators",
    "load_events",
    "load_mining",
    "load_personnel",
    "load_phases",
    "load_countries",
    "load_resolutions",
    "load_votes",
    "read_package",
    "resource_summary",
    "short_citations",
    "split_keys",
    "validate",
]
