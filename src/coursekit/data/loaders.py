"""One loader per table: a typed pandas DataFrame, parsed and checked once per process and data folder.

Dates become ``datetime64[ns]``, columns with a fixed set of values :class:`pandas.Categorical` (``phase`` is
ordered), integers ``int64`` (``Int64`` where a value may be missing). Every call returns a fresh copy;
:func:`clear_cache` forgets what was read.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from coursekit.data.bibliography import _bib_entries, _bib_keys
from coursekit.data.package import (
    BIB_FILE,
    PACKAGE_FILE,
    TABLES,
    DataError,
    Problem,
    _folder,
    _read_package,
)
from coursekit.data.validation import _validated

# -- loaders --------------------------------------------------------------------------------------------------


def _field_dtype(
    field: dict[str, Any], ordered_names: frozenset[str]
) -> Callable[[pd.Series], pd.Series]:
    kind = field.get("type", "string")
    cons = field.get("constraints", {})
    required = bool(cons.get("required"))
    if kind == "date":
        return lambda s: pd.to_datetime(s.replace("", None), format="%Y-%m-%d").astype(
            "datetime64[ns]"
        )
    if kind == "integer":
        if required:
            return lambda s: s.astype("int64")
        return lambda s: pd.to_numeric(s.replace("", None)).astype("Int64")
    if kind == "number":
        return lambda s: pd.to_numeric(s.replace("", None)).astype("float64")
    if kind == "boolean":
        true_values = set(field.get("trueValues", ["true"]))
        return lambda s: s.isin(true_values).astype("bool")
    if "enum" in cons:
        categories = list(cons["enum"])
        ordered = field["name"] in ordered_names
        return lambda s: pd.Series(
            pd.Categorical(s.replace("", None), categories=categories, ordered=ordered),
            index=s.index,
        )
    return lambda s: s


_ORDERED = frozenset({"phase"})


@functools.cache
def _load(folder: Path, name: str) -> pd.DataFrame:
    problems, tables = _validated(folder)
    file = TABLES[name]
    # Problems in this file, plus cross-table problems that concern it (e.g. tallies, phases).
    own = [p for p in problems if p.file in (file, PACKAGE_FILE, BIB_FILE)]
    if own or name not in tables:
        if not own:
            own = [Problem(file, None, None, "could not be read.")]
        raise DataError(own, table=name)
    schema = tables[name].schema
    frame = pd.read_csv(
        folder / file, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8"
    )
    frame.columns = [c.strip() for c in frame.columns]
    for field in schema.get("fields", []):
        frame[field["name"]] = _field_dtype(field, _ORDERED)(frame[field["name"]])
    frame.attrs["source_file"] = str(folder / file)
    return frame


def _loader(name: str, data_dir: str | Path | None) -> pd.DataFrame:
    folder = _folder(data_dir)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"data folder {folder} does not exist; pass the folder that holds the CSV files."
        )
    return _load(folder, name).copy()


def load_phases(data_dir: str | Path | None = None) -> pd.DataFrame:
    """The five phases of the case (``phases.csv``).

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder; default :func:`coursekit.paths.data_dir`.

    Returns
    -------
    pandas.DataFrame
        ``phase`` (ordered categorical), ``label``, ``start``, ``end`` (datetime64[ns], inclusive),
        ``description``, ``sources``.

    Raises
    ------
    DataError
        If the file (or the bibliography it cites) has problems; the message lists them all.
    """
    return _loader("phases", data_dir)


def load_events(data_dir: str | Path | None = None) -> pd.DataFrame:
    """The event timeline 2016–2025 (``events.csv``).

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder; default :func:`coursekit.paths.data_dir`.

    Returns
    -------
    pandas.DataFrame
        ``event_id``, ``date`` (datetime64[ns]), ``date_precision``, ``title``, ``description``, ``dimension``,
        ``phase`` (ordered), ``actors``, ``place``, ``status``, ``sources``; categorical where the values are
        fixed.

    Raises
    ------
    DataError
        If the file has problems (bad date, unknown dimension, phase disagreeing with the date, ...).
    """
    return _loader("events", data_dir)


def load_countries(data_dir: str | Path | None = None) -> pd.DataFrame:
    """The 193 UN member states (``countries.csv``).

    Returns
    -------
    pandas.DataFrame
        ``iso3``, ``country``, ``un_regional_group`` (categorical), ``au_member`` (bool), ``note``,
        ``sources``.
    """
    return _loader("countries", data_dir)


def load_resolutions(data_dir: str | Path | None = None) -> pd.DataFrame:
    """UN General Assembly resolutions with official tallies (``un_resolutions.csv``).

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder; default :func:`coursekit.paths.data_dir`.

    Returns
    -------
    pandas.DataFrame
        ``resolution``, ``date``, ``title``, ``yes``, ``no``, ``abstain``, ``non_voting`` (int64, summing to
        :data:`MEMBERSHIP`), ``car_vote`` (categorical, NaN when unconfirmed), ``sources``.

    Raises
    ------
    DataError
        If the file has problems (e.g. a tally that does not add up to 193).
    """
    return _loader("un_resolutions", data_dir)


def load_votes(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Country votes on the resolutions (``un_votes.csv``).

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder; default :func:`coursekit.paths.data_dir`.

    Returns
    -------
    pandas.DataFrame
        ``resolution``, ``country``, ``iso3``, ``african`` (bool), ``vote`` (categorical ``Yes``/``No``/
        ``Abstain``/``Non-voting``; NaN when no source confirmed it), ``status``, ``note``, ``sources``.

    Raises
    ------
    DataError
        If the file has problems (a vote outside the allowed values, more votes than the tally, ...).
    """
    return _loader("un_votes", data_dir)


def load_personnel(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Claims and estimates of Russian security personnel in the CAR (``personnel.csv``).

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder; default :func:`coursekit.paths.data_dir`.

    Returns
    -------
    pandas.DataFrame
        ``date``, ``date_precision``, ``low``, ``high`` (int64), ``category``, ``claimant``, ``claim_type``
        (``official``/``independent``), ``status``, ``note``, ``sources``.

    Raises
    ------
    DataError
        If the file has problems (e.g. ``low`` greater than ``high``).
    """
    return _loader("personnel", data_dir)


def load_arms(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Russian weapons deliveries (``arms_deliveries.csv``).

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder; default :func:`coursekit.paths.data_dir`.

    Returns
    -------
    pandas.DataFrame
        ``date``, ``date_precision``, ``item``, ``quantity`` (Int64, missing when unknown), ``terms``,
        ``status``, ``sources``.

    Raises
    ------
    DataError
        If the file has problems.
    """
    return _loader("arms_deliveries", data_dir)


def load_mining(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Mining licences and resource interests (``mining.csv``).

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder; default :func:`coursekit.paths.data_dir`.

    Returns
    -------
    pandas.DataFrame
        ``date``, ``date_precision``, ``company``, ``mineral``, ``site``, ``licence_type``, ``status``,
        ``note``, ``sources``.

    Raises
    ------
    DataError
        If the file has problems.
    """
    return _loader("mining", data_dir)


def load_context(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Context indicators by year, in long format (``context_indicators.csv``).

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder; default :func:`coursekit.paths.data_dir`.

    Returns
    -------
    pandas.DataFrame
        ``year`` (int64), ``indicator`` (categorical: ``minusca_military_authorised``,
        ``minusca_police_authorised``, ``refugees``, ``idps``), ``value`` (int64), ``as_of`` (datetime64[ns]),
        ``note``, ``sources``.

    Raises
    ------
    DataError
        If the file has problems.
    """
    return _loader("context_indicators", data_dir)


def load_alliance_cases(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Historical alliances scored on seven features (``alliance_cases.csv``).

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder; default :func:`coursekit.paths.data_dir`.

    Returns
    -------
    pandas.DataFrame
        ``case_id``, ``name``, ``partners``, ``start_year`` (int64), ``end_year`` (Int64, missing if ongoing),
        the seven feature scores (float64: 0, 0.5 or 1), ``outcome``, ``classification``, ``note``, ``sources``.

    Raises
    ------
    DataError
        If the file has problems.
    """
    return _loader("alliance_cases", data_dir)


def load_durability_indicators(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Indicators of the durability of the CAR–Russia alliance (``durability_indicators.csv``).

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder; default :func:`coursekit.paths.data_dir`.

    Returns
    -------
    pandas.DataFrame
        ``indicator``, ``label``, ``description``, ``score`` (float64 in [0, 1]; 1 favours a durable
        alliance), ``rationale``, ``sources``.

    Raises
    ------
    DataError
        If the file has problems.
    """
    return _loader("durability_indicators", data_dir)


def load_atop_obligations_by_year(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Allied pairs of states and their pledges per year, 1815–2018 (``atop_obligations_by_year.csv``).

    Derived from ATOP v5.1 (see ``data/scripts/derive_atop_cow.py``). The unit is the unordered pair of
    states: a multilateral treaty of *n* members counts *n(n-1)/2* pairs.

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder; default :func:`coursekit.paths.data_dir`.

    Returns
    -------
    pandas.DataFrame
        ``year``, ``allied_dyads`` and one count per pledge (``defense``, ``offense``, ``neutral``,
        ``nonagg``, ``consul``), all int64; ``sources``.

    Raises
    ------
    DataError
        If the file has problems (e.g. a pledge count above the number of allied pairs).
    """
    return _loader("atop_obligations_by_year", data_dir)


def load_atop_spells(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Alliance spells of pairs of states with both partners' CINC (``atop_dyad_spells.csv``).

    A spell is a run of consecutive years with at least one ATOP v5.1 pledge in force between two states;
    ``cinc_a``/``cinc_b`` are COW NMC v7.0 capabilities in ``cinc_year``.

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder; default :func:`coursekit.paths.data_dir`.

    Returns
    -------
    pandas.DataFrame
        ``ccode_a`` < ``ccode_b``, ``start_year``, ``end_year``, ``years`` and ``<pledge>_years`` (int64),
        ``cinc_year`` (Int64), ``cinc_a``, ``cinc_b`` (float64, NaN when not measured), ``sources``.

    Raises
    ------
    DataError
        If the file has problems (overlapping spells of a pair, a length that disagrees with the years, ...).
    """
    return _loader("atop_dyad_spells", data_dir)


def load_cow_states(data_dir: str | Path | None = None) -> pd.DataFrame:
    """COW state system membership, v2016 (``cow_states.csv``).

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder; default :func:`coursekit.paths.data_dir`.

    Returns
    -------
    pandas.DataFrame
        ``ccode`` (int64), ``stateabb``, ``statenme``, ``start_date``, ``end_date`` (datetime64[ns]),
        ``sources``; one row per period of membership.

    Raises
    ------
    DataError
        If the file has problems.
    """
    return _loader("cow_states", data_dir)


def load_major_powers(data_dir: str | Path | None = None) -> pd.DataFrame:
    """COW major powers, v2016 (``cow_major_powers.csv``).

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder; default :func:`coursekit.paths.data_dir`.

    Returns
    -------
    pandas.DataFrame
        ``ccode`` (int64), ``stateabb``, ``start_date``, ``end_date`` (datetime64[ns]), ``sources``; one row
        per period of major-power status.

    Raises
    ------
    DataError
        If the file has problems.
    """
    return _loader("cow_major_powers", data_dir)


def load_capabilities(data_dir: str | Path | None = None) -> pd.DataFrame:
    """COW NMC v7.0 state-years of the CAR case's eleven states (``cow_capabilities_case.csv``).

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder; default :func:`coursekit.paths.data_dir`.

    Returns
    -------
    pandas.DataFrame
        ``ccode``, ``year`` (int64), ``cinc`` (float64), ``milper``, ``milex``, ``tpop`` (Int64, thousands;
        missing where NMC has no figure), ``sources``.

    Raises
    ------
    DataError
        If the file has problems.
    """
    return _loader("cow_capabilities_case", data_dir)


_LOADERS: dict[str, Callable[[str | Path | None], pd.DataFrame]] = {
    "phases": load_phases,
    "events": load_events,
    "countries": load_countries,
    "un_resolutions": load_resolutions,
    "un_votes": load_votes,
    "personnel": load_personnel,
    "arms_deliveries": load_arms,
    "mining": load_mining,
    "context_indicators": load_context,
    "alliance_cases": load_alliance_cases,
    "durability_indicators": load_durability_indicators,
    "atop_obligations_by_year": load_atop_obligations_by_year,
    "atop_dyad_spells": load_atop_spells,
    "cow_states": load_cow_states,
    "cow_major_powers": load_major_powers,
    "cow_capabilities_case": load_capabilities,
}


def load_all(data_dir: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """Load every table.

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder; default :func:`coursekit.paths.data_dir`.

    Returns
    -------
    dict of str to pandas.DataFrame
        Resource name (as in :data:`TABLES`) → table.

    Raises
    ------
    DataError
        If any table has problems; the message lists every problem in the folder.
    """
    folder = _folder(data_dir)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"data folder {folder} does not exist; pass the folder that holds the CSV files."
        )
    problems, _ = _validated(folder)
    if problems:
        raise DataError(list(problems))
    return {name: loader(folder) for name, loader in _LOADERS.items()}


def clear_cache() -> None:
    """Forget every table, package and bibliography read so far (the next call re-reads the files)."""
    for cached in (_read_package, _bib_keys, _bib_entries, _validated, _load):
        cached.cache_clear()
