"""Pure computations over the real alliance data of Part I (ATOP v5.1 and COW, derived into ``data/``).

Every function takes DataFrames shaped like the tables of :mod:`coursekit.data`
(:func:`~coursekit.data.load_atop_obligations_by_year`, :func:`~coursekit.data.load_atop_spells`,
:func:`~coursekit.data.load_cow_states`, :func:`~coursekit.data.load_capabilities`) and returns a new DataFrame
or a small frozen dataclass; nothing is read from disk or drawn. Figures are in
:mod:`coursekit.plots.alliance_data`.

The unit of every table is the **pair of states** (the dyad), not the treaty: ATOP's dyad-years do not say which
treaty a pledge comes from, so a multilateral treaty of *n* members counts *n(n-1)/2* times. Each function's
docstring says what that means for its result.

Contents
--------
Obligations (chapter 1)
    :func:`obligation_shares`.
Capability asymmetry and duration (Morrow's proxy test, chapter 3)
    :func:`capability_asymmetry`, :func:`asymmetry_shares`, :func:`kaplan_meier`, :func:`median_survival`,
    :func:`survival_at`, :func:`duration_comparison`, :func:`comparison_table`.
One state's record (the CAR, chapter 2 or 3)
    :func:`state_names`, :func:`state_record`, :func:`pair_spells`, :func:`capability_ratio`.

Invalid input (a missing column, a threshold below 1, periods that overlap or run backwards, an unknown state
code) raises :class:`ValueError` saying what was wrong and how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

OBLIGATIONS: tuple[str, ...] = ("defense", "offense", "neutral", "nonagg", "consul")
"""ATOP's five pledges, in the order of its codebook."""

OBLIGATION_LABELS: dict[str, str] = {
    "defense": "Defence",
    "offense": "Offence",
    "neutral": "Neutrality",
    "nonagg": "Non-aggression",
    "consul": "Consultation",
}
"""Readable names of the pledges."""

PERIODS: tuple[tuple[int, int, str], ...] = (
    (1815, 1913, "1815–1913"),
    (1914, 1945, "1914–1945"),
    (1946, 1989, "1946–1989"),
    (1990, 2018, "1990–2018"),
)
"""Default periods (first year, last year, label): the long nineteenth century, the world wars, the Cold War,
and after."""

FIRST_YEAR = 1815
"""First year of ATOP v5.1: spells starting then may have started earlier (left-censored)."""
LAST_YEAR = 2018
"""Last year of ATOP v5.1: spells reaching it were still in force when the data end (right-censored)."""

DEFAULT_THRESHOLD = 10.0
"""Default capability ratio from which an allied pair counts as very unequal: the stronger partner has at least
ten times the weaker partner's CINC. A convention of this course, not Morrow's: move it and see what changes."""

GROUP_NAMES: dict[str, str] = {"unequal": "very unequal", "more_equal": "more equal"}
"""Readable names of the two capability groups. They are named for capability, not after Morrow's symmetric and
asymmetric alliances, which differ in the kind of benefit each partner receives (no dataset codes that)."""


def _require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{what} has no column(s) {', '.join(missing)}; pass the table as loaded by coursekit.data."
        )


# -- obligations ------------------------------------------------------------------------------------------------


def _check_periods(periods: Sequence[tuple[int, int, str]]) -> None:
    if not periods:
        raise ValueError("periods is empty; give at least one (first year, last year, label).")
    previous_end: int | None = None
    for first, last, label in periods:
        if first > last:
            raise ValueError(f"period '{label}' runs backwards ({first} > {last}); swap the years.")
        if previous_end is not None and first <= previous_end:
            raise ValueError(
                f"period '{label}' starts in {first}, before the previous period ends ({previous_end}); "
                "periods must not overlap and must be in time order."
            )
        previous_end = last


def obligation_shares(
    by_year: pd.DataFrame, periods: Sequence[tuple[int, int, str]] = PERIODS
) -> pd.DataFrame:
    """Share of allied pair-years that carry each pledge, per period.

    Parameters
    ----------
    by_year : pandas.DataFrame
        The table of :func:`coursekit.data.load_atop_obligations_by_year` (``year``, ``allied_dyads`` and one
        count per pledge).
    periods : sequence of (int, int, str), optional
        (first year, last year, label) of each period, in time order, not overlapping; default
        :data:`PERIODS`.

    Returns
    -------
    pandas.DataFrame
        One row per period (index ``period``, the labels): ``pair_years`` (allied pair-years in the period) and
        one column per pledge with its share of those pair-years (0 to 1). A pair can carry several pledges, so
        a row's shares may add up to more than 1. Because the unit is the pair, a treaty with many members
        weighs far more than a bilateral one.

    Raises
    ------
    ValueError
        If a column is missing, the periods overlap or run backwards, or a period holds no allied pair-year.
    """
    _require(by_year, ["year", "allied_dyads", *OBLIGATIONS], "the obligations table")
    _check_periods(periods)
    rows = []
    for first, last, label in periods:
        part = by_year[(by_year["year"] >= first) & (by_year["year"] <= last)]
        total = int(part["allied_dyads"].sum())
        if total == 0:
            raise ValueError(
                f"period '{label}' ({first}–{last}) holds no allied pair-year; ATOP v5.1 covers "
                f"{FIRST_YEAR}–{LAST_YEAR}."
            )
        row: dict[str, object] = {"period": label, "pair_years": total}
        for pledge in OBLIGATIONS:
            row[pledge] = float(part[pledge].sum()) / total
        rows.append(row)
    return pd.DataFrame.from_records(rows).set_index("period")


# -- capability asymmetry and duration ---------------------------------------------------------------------------


def capability_asymmetry(
    spells: pd.DataFrame, threshold: float = DEFAULT_THRESHOLD, last_year: int = LAST_YEAR
) -> pd.DataFrame:
    """Each measured alliance spell with its capability ratio and whether it counts as very unequal.

    Parameters
    ----------
    spells : pandas.DataFrame
        The table of :func:`coursekit.data.load_atop_spells`.
    threshold : float, optional
        Ratio (stronger CINC / weaker CINC) from which a pair counts as very unequal; at least 1. Default
        :data:`DEFAULT_THRESHOLD`.
    last_year : int, optional
        Last year of the data; a spell reaching it has not been seen to end (default :data:`LAST_YEAR`).

    Returns
    -------
    pandas.DataFrame
        The spells whose capabilities are measured (the few without CINC are left out), with ``cinc_ratio``
        (≥ 1; infinite if the weaker partner's CINC is 0), ``unequal`` (ratio ≥ threshold), ``ended``
        (the spell ended before ``last_year``) and ``left_censored`` (it starts in :data:`FIRST_YEAR`, so it may
        have started earlier).

    Raises
    ------
    ValueError
        If the threshold is below 1 or not a number, or a column is missing.
    """
    _require(spells, ["start_year", "end_year", "years", "cinc_a", "cinc_b"], "the spells table")
    if not isinstance(threshold, int | float) or not np.isfinite(threshold) or threshold < 1:
        raise ValueError(
            f"threshold must be a number of at least 1 (a ratio stronger/weaker), not {threshold!r}."
        )
    measured = spells.dropna(subset=["cinc_a", "cinc_b"]).copy()
    strong = np.maximum(measured["cinc_a"].to_numpy(float), measured["cinc_b"].to_numpy(float))
    weak = np.minimum(measured["cinc_a"].to_numpy(float), measured["cinc_b"].to_numpy(float))
    with np.errstate(divide="ignore"):
        ratio = np.where(weak > 0, strong / np.where(weak > 0, weak, 1.0), np.inf)
    measured["cinc_ratio"] = ratio
    measured["unequal"] = measured["cinc_ratio"] >= threshold
    measured["ended"] = measured["end_year"] < last_year
    measured["left_censored"] = measured["start_year"] <= FIRST_YEAR
    return measured.reset_index(drop=True)


def asymmetry_shares(
    asymmetry: pd.DataFrame, periods: Sequence[tuple[int, int, str]] = PERIODS
) -> pd.DataFrame:
    """How often new alliance spells paired very unequal states, by the period in which they began.

    Parameters
    ----------
    asymmetry : pandas.DataFrame
        The output of :func:`capability_asymmetry`.
    periods : sequence of (int, int, str), optional
        Periods of the spells' first year; default :data:`PERIODS`.

    Returns
    -------
    pandas.DataFrame
        Index ``period``: ``spells`` (spells beginning in the period), ``unequal`` (how many of them are
        very unequal), ``share`` (0 to 1; NaN when no spell began) and ``median_ratio``.

    Raises
    ------
    ValueError
        If a column is missing or the periods are invalid.
    """
    _require(asymmetry, ["start_year", "cinc_ratio", "unequal"], "the asymmetry table")
    _check_periods(periods)
    rows = []
    for first, last, label in periods:
        part = asymmetry[(asymmetry["start_year"] >= first) & (asymmetry["start_year"] <= last)]
        n = len(part)
        rows.append(
            {
                "period": label,
                "spells": n,
                "unequal": int(part["unequal"].sum()),
                "share": float(part["unequal"].mean()) if n else float("nan"),
                "median_ratio": float(part["cinc_ratio"].median()) if n else float("nan"),
            }
        )
    return pd.DataFrame.from_records(rows).set_index("period")


def kaplan_meier(durations: Sequence[float], ended: Sequence[bool]) -> pd.DataFrame:
    """Kaplan–Meier estimate of the share of spells still in force after each length.

    A spell still in force when the data end (``ended`` False) counts as at risk up to its length and then
    leaves the estimate without counting as an ending: this is what lets long, unfinished alliances weigh in
    instead of being dropped or treated as if they had ended in 2018.

    Parameters
    ----------
    durations : sequence of float
        Length of each spell (years, > 0).
    ended : sequence of bool
        Whether each spell was seen to end.

    Returns
    -------
    pandas.DataFrame
        One row per distinct length at which at least one spell ended, in increasing order: ``years``,
        ``at_risk``, ``ended`` and ``survival`` (share still in force after that many years). Starts with a
        row ``years`` = 0, ``survival`` = 1.

    Raises
    ------
    ValueError
        If the sequences differ in length, are empty, or a duration is not positive.
    """
    t = np.asarray(durations, dtype=float)
    e = np.asarray(ended, dtype=bool)
    if t.shape != e.shape:
        raise ValueError(f"durations ({t.size}) and ended ({e.size}) must have the same length.")
    if t.size == 0:
        raise ValueError("no spells to estimate from; the selection is empty.")
    if not np.all(np.isfinite(t)) or np.any(t <= 0):
        raise ValueError("every duration must be a positive number of years.")
    rows = [{"years": 0.0, "at_risk": int(t.size), "ended": 0, "survival": 1.0}]
    survival = 1.0
    for time in np.unique(t[e]):
        at_risk = int(np.sum(t >= time))
        events = int(np.sum((t == time) & e))
        survival *= 1.0 - events / at_risk
        rows.append(
            {"years": float(time), "at_risk": at_risk, "ended": events, "survival": survival}
        )
    return pd.DataFrame.from_records(rows)


def median_survival(curve: pd.DataFrame) -> float:
    """The length after which half the spells had ended (first ``years`` with survival ≤ 0.5).

    Parameters
    ----------
    curve : pandas.DataFrame
        The output of :func:`kaplan_meier`.

    Returns
    -------
    float
        The median length in years, or NaN if more than half the spells were still in force at the longest
        observed ending (the median is then not reached: say so rather than guess).
    """
    reached = curve[curve["survival"] <= 0.5]
    return float(reached["years"].iloc[0]) if len(reached) else float("nan")


def survival_at(curve: pd.DataFrame, years: float) -> float:
    """Share of spells still in force after ``years`` years, read off a Kaplan–Meier curve.

    Parameters
    ----------
    curve : pandas.DataFrame
        The output of :func:`kaplan_meier`.
    years : float
        The length to read the curve at (≥ 0).

    Returns
    -------
    float
        The estimated share (0 to 1). Beyond the longest observed ending the curve stays at its last value.

    Raises
    ------
    ValueError
        If ``years`` is negative.
    """
    if years < 0:
        raise ValueError(f"years must be 0 or more, not {years}.")
    return float(curve.loc[curve["years"] <= years, "survival"].iloc[-1])


@dataclass(frozen=True)
class DurationComparison:
    """Result of :func:`duration_comparison`.

    Attributes
    ----------
    table : pandas.DataFrame
        Index ``group`` (``unequal``, ``more_equal``: capability groups, not Morrow's kinds of benefit): ``spells``, ``ended``, ``in_force`` (still in force
        in the last year), ``median_ended`` (median length of the spells that ended), ``km_median`` (Kaplan–
        Meier median, NaN if not reached), ``allied_after_10`` and ``allied_after_25`` (Kaplan–Meier share
        still allied after 10 and 25 years) and ``share_in_force``.
    curves : dict of str to pandas.DataFrame
        The Kaplan–Meier curve of each group (see :func:`kaplan_meier`).
    threshold : float
        The capability ratio used.
    """

    table: pd.DataFrame
    curves: dict[str, pd.DataFrame]
    threshold: float


def duration_comparison(
    spells: pd.DataFrame,
    threshold: float = DEFAULT_THRESHOLD,
    *,
    first_start: int | None = None,
    last_start: int | None = None,
    last_year: int = LAST_YEAR,
) -> DurationComparison:
    """Compare how long very unequal and more equal allied pairs stay allied.

    This is a *proxy* test of Morrow's prediction that asymmetric alliances last longer: Morrow's asymmetry is
    about the kind of benefit each partner gets (security for one, autonomy for the other), which unequal
    capability often goes with but does not define.

    Parameters
    ----------
    spells : pandas.DataFrame
        The table of :func:`coursekit.data.load_atop_spells`.
    threshold : float, optional
        Capability ratio from which a pair is very unequal (default :data:`DEFAULT_THRESHOLD`).
    first_start, last_start : int, optional
        Keep only spells that began in these years (inclusive), e.g. ``last_start=1965`` for Morrow's period.
    last_year : int, optional
        Last year of the data (default :data:`LAST_YEAR`).

    Returns
    -------
    DurationComparison

    Raises
    ------
    ValueError
        If the threshold is invalid, the start years run backwards, or a group is empty.
    """
    asym = capability_asymmetry(spells, threshold, last_year)
    if first_start is not None and last_start is not None and first_start > last_start:
        raise ValueError(f"first_start {first_start} is after last_start {last_start}.")
    if first_start is not None:
        asym = asym[asym["start_year"] >= first_start]
    if last_start is not None:
        asym = asym[asym["start_year"] <= last_start]
    rows, curves = [], {}
    for group, mask in (("unequal", asym["unequal"]), ("more_equal", ~asym["unequal"])):
        part = asym[mask]
        if part.empty:
            raise ValueError(
                f"no {GROUP_NAMES[group]} spell in the selection (threshold {threshold}); widen the years or move the "
                "threshold."
            )
        curve = kaplan_meier(part["years"].tolist(), part["ended"].tolist())
        curves[group] = curve
        done = part[part["ended"]]
        rows.append(
            {
                "group": group,
                "spells": len(part),
                "ended": len(done),
                "in_force": int((~part["ended"]).sum()),
                "median_ended": float(done["years"].median()) if len(done) else float("nan"),
                "km_median": median_survival(curve),
                "allied_after_10": survival_at(curve, 10),
                "allied_after_25": survival_at(curve, 25),
                "share_in_force": float((~part["ended"]).mean()),
            }
        )
    return DurationComparison(pd.DataFrame.from_records(rows).set_index("group"), curves, threshold)


def comparison_table(comparisons: dict[str, DurationComparison]) -> pd.DataFrame:
    """Several duration comparisons side by side, with readable headings, for a page or a handout.

    Parameters
    ----------
    comparisons : dict of str to DurationComparison
        Label of each selection (e.g. ``"begun 1815–1965"``) → the output of :func:`duration_comparison`.

    Returns
    -------
    pandas.DataFrame
        Index (selection, group) with the groups named "very unequal" and "more equal"; columns "spells",
        "still in force at the end", "allied after 10 years (%)", "allied after 25 years (%)" (rounded to whole
        per cent) and "half ended within (years)" (the Kaplan–Meier median, or "not reached").

    Raises
    ------
    ValueError
        If ``comparisons`` is empty.
    """
    if not comparisons:
        raise ValueError(
            "no comparison given; pass at least one label → duration_comparison(...) result."
        )
    names = GROUP_NAMES
    records = []
    for label, result in comparisons.items():
        for group, row in result.table.iterrows():
            median = row["km_median"]
            records.append(
                {
                    "selection": label,
                    "group": names[str(group)],
                    "spells": int(row["spells"]),
                    "still in force at the end": int(row["in_force"]),
                    "allied after 10 years (%)": round(100 * float(row["allied_after_10"])),
                    "allied after 25 years (%)": round(100 * float(row["allied_after_25"])),
                    "half ended within (years)": (
                        "not reached" if np.isnan(median) else f"{median:g}"
                    ),
                }
            )
    return pd.DataFrame.from_records(records).set_index(["selection", "group"])


# -- one state's record -----------------------------------------------------------------------------------------


def state_names(states: pd.DataFrame) -> dict[int, str]:
    """COW code → state name (the name of its latest period of membership).

    Parameters
    ----------
    states : pandas.DataFrame
        The table of :func:`coursekit.data.load_cow_states`.

    Returns
    -------
    dict of int to str
    """
    _require(states, ["ccode", "statenme", "start_date"], "the state list")
    latest = states.sort_values("start_date").drop_duplicates("ccode", keep="last")
    return {int(c): str(n) for c, n in zip(latest["ccode"], latest["statenme"], strict=True)}


def _known(code: int, names: dict[int, str]) -> None:
    if int(code) not in names:
        raise ValueError(
            f"{code} is not a COW state code in the state list; look the state up in cow_states.csv "
            "(e.g. 482 for the Central African Republic, 365 for Russia)."
        )


def pair_spells(spells: pd.DataFrame, a: int, b: int) -> pd.DataFrame:
    """The alliance spells of one pair of states, in time order (empty when ATOP records none).

    Parameters
    ----------
    spells : pandas.DataFrame
        The table of :func:`coursekit.data.load_atop_spells`.
    a, b : int
        COW codes of the two states, in either order.

    Returns
    -------
    pandas.DataFrame
        The pair's rows of the spells table.

    Raises
    ------
    ValueError
        If ``a`` equals ``b``.
    """
    _require(spells, ["ccode_a", "ccode_b", "start_year"], "the spells table")
    if a == b:
        raise ValueError(
            f"a state is not allied with itself: give two different codes, not {a} twice."
        )
    low, high = sorted((int(a), int(b)))
    found = spells[(spells["ccode_a"] == low) & (spells["ccode_b"] == high)]
    return found.sort_values("start_year").reset_index(drop=True)


def state_record(spells: pd.DataFrame, ccode: int, states: pd.DataFrame) -> pd.DataFrame:
    """Every alliance spell of one state, seen from that state.

    Parameters
    ----------
    spells : pandas.DataFrame
        The table of :func:`coursekit.data.load_atop_spells`.
    ccode : int
        COW code of the state (482 for the Central African Republic).
    states : pandas.DataFrame
        The table of :func:`coursekit.data.load_cow_states` (for the partners' names).

    Returns
    -------
    pandas.DataFrame
        One row per spell, ordered by first year and partner name: ``partner`` (COW code), ``partner_name``,
        ``start_year``, ``end_year``, ``years``, the five ``<pledge>_years``, ``pledges`` (the pledges in force
        in at least one year of the spell, readable, comma-separated; ``"none coded"`` if none),
        ``capability_ratio`` (the partner's CINC divided by this state's, in ``cinc_year``; NaN when not
        measured). Empty when ATOP records no alliance of the state.

    Raises
    ------
    ValueError
        If the code is not a COW state code.
    """
    _require(spells, ["ccode_a", "ccode_b", "cinc_a", "cinc_b"], "the spells table")
    names = state_names(states)
    _known(ccode, names)
    mine = spells[(spells["ccode_a"] == ccode) | (spells["ccode_b"] == ccode)].copy()
    first = mine["ccode_a"] == ccode
    mine["partner"] = np.where(first, mine["ccode_b"], mine["ccode_a"])
    own = np.where(first, mine["cinc_a"], mine["cinc_b"]).astype(float)
    other = np.where(first, mine["cinc_b"], mine["cinc_a"]).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mine["capability_ratio"] = other / own
    mine["partner_name"] = mine["partner"].map(lambda c: names.get(int(c), str(c)))

    def pledges(row: pd.Series) -> str:
        found = [OBLIGATION_LABELS[p].lower() for p in OBLIGATIONS if row[f"{p}_years"] > 0]
        return ", ".join(found) if found else "none coded"

    mine["pledges"] = mine.apply(pledges, axis=1) if len(mine) else pd.Series(dtype=str)
    columns = [
        "partner",
        "partner_name",
        "start_year",
        "end_year",
        "years",
        *[f"{p}_years" for p in OBLIGATIONS],
        "pledges",
        "capability_ratio",
    ]
    return mine.sort_values(["start_year", "partner_name"])[columns].reset_index(drop=True)


def capability_ratio(capabilities: pd.DataFrame, stronger: int, weaker: int, year: int) -> float:
    """How many times one state's CINC exceeds another's in a year.

    Parameters
    ----------
    capabilities : pandas.DataFrame
        The table of :func:`coursekit.data.load_capabilities` (or any table with ``ccode``, ``year``,
        ``cinc``).
    stronger, weaker : int
        COW codes; the result is CINC(stronger) / CINC(weaker).
    year : int
        The year.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If either state has no CINC that year (the message says which years the table has for it).
    """
    _require(capabilities, ["ccode", "year", "cinc"], "the capabilities table")
    values = []
    for code in (stronger, weaker):
        row = capabilities[(capabilities["ccode"] == code) & (capabilities["year"] == year)]
        if row.empty:
            years = capabilities.loc[capabilities["ccode"] == code, "year"]
            span = f"{years.min()}–{years.max()}" if len(years) else "no year"
            raise ValueError(f"no CINC for state {code} in {year}; the table has {span} for it.")
        values.append(float(row["cinc"].iloc[0]))
    if values[1] == 0:
        return float("inf")
    return values[0] / values[1]
