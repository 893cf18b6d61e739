"""Derive the course's real-data tables from ATOP v5.1 and COW (NMC v7.0, state system v2016).

For maintainers only: the book, the exercises and the tests read the derived CSV files in ``data/``, never the
sources. Run from the repository root, with the shared data folder next to it::

    .venv/bin/python data/scripts/derive_atop_cow.py            # reads ../shared/data-sources/
    .venv/bin/python data/scripts/derive_atop_cow.py --sources DIR --out data

The sources are the gzipped CSV files described in ``../shared/data-sources/README.md`` (read by their editors
from the data shipped with the R package peacesciencer). What this script writes, and how:

``atop_obligations_by_year.csv``
    One row per year 1815–2018: how many undirected pairs of states ATOP records as allied that year, and how
    many of them carry each of the five pledges (defence, offence, neutrality, non-aggression, consultation).
    ATOP's directed dyad-years list each pair twice (A→B and B→A); only the rows with ``ccode1 < ccode2`` are
    counted.
``atop_dyad_spells.csv``
    One row per alliance spell of a pair of states: a run of consecutive years in which ATOP records at least
    one pledge in force between the two (a gap of one year or more starts a new spell). For each spell: first
    and last year, length, the number of its years with each pledge, and both states' CINC (COW NMC v7.0) in the
    first year of the spell for which NMC has both states (``cinc_year``; empty when it has neither).
``cow_states.csv`` and ``cow_major_powers.csv``
    The COW state-system membership and major-power lists (v2016), one row per period of membership or status,
    with dates written as ISO dates.
``cow_capabilities_case.csv``
    NMC v7.0 state-years (CINC, military personnel and expenditure, population) for the eleven states of the
    CAR case listed in the shared README: the CAR, Russia/USSR, France, the United States and the CAR's
    neighbours and partners.

Running it twice gives byte-identical files.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SOURCES = ROOT.parent / "shared" / "data-sources"
DEFAULT_OUT = ROOT / "data"

OBLIGATIONS = ("defense", "offense", "neutral", "nonagg", "consul")
ATOP_SOURCES = "leeds2002alliance"
SPELL_SOURCES = "leeds2002alliance; singer1972capability"
STATE_SOURCES = "cow2017states"
NMC_SOURCES = "singer1972capability; singer1987reconstructing"
CASE_STATES = (2, 220, 365, 471, 482, 483, 484, 490, 517, 625, 626)
"""COW codes of the CAR case's states (README of the shared data): USA, France, Russia/USSR, Cameroon, CAR,
Chad, Congo, DR Congo, Rwanda, Sudan, South Sudan."""


def _read(sources: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(sources / name)


def undirected(atop: pd.DataFrame) -> pd.DataFrame:
    """ATOP directed dyad-years → one row per unordered pair and year (``ccode1 < ccode2``)."""
    pairs = atop[atop["ccode1"] < atop["ccode2"]].copy()
    pairs = pairs.rename(columns={f"atop_{o}": o for o in OBLIGATIONS})
    mirrored = atop[atop["ccode1"] > atop["ccode2"]]
    if len(mirrored) != len(pairs):
        raise SystemExit("ATOP directed dyads are not symmetric: each pair should appear twice.")
    return pairs.sort_values(["ccode1", "ccode2", "year"]).reset_index(drop=True)


def obligations_by_year(pairs: pd.DataFrame) -> pd.DataFrame:
    """Allied pairs per year and how many carry each pledge."""
    counts = pairs.groupby("year")[list(OBLIGATIONS)].sum()
    counts.insert(0, "allied_dyads", pairs.groupby("year").size())
    years = range(int(pairs["year"].min()), int(pairs["year"].max()) + 1)
    counts = counts.reindex(years, fill_value=0).astype(int).reset_index()
    counts["sources"] = ATOP_SOURCES
    return counts


def dyad_spells(pairs: pd.DataFrame, nmc: pd.DataFrame) -> pd.DataFrame:
    """Runs of consecutive allied years per pair, with both states' CINC at the spell's first measured year."""
    new = (
        (pairs["year"].diff() != 1)
        | (pairs["ccode1"] != pairs["ccode1"].shift())
        | (pairs["ccode2"] != pairs["ccode2"].shift())
    )
    pairs = pairs.assign(spell=new.cumsum())
    grouped = pairs.groupby("spell")
    spells = grouped.agg(
        ccode_a=("ccode1", "first"),
        ccode_b=("ccode2", "first"),
        start_year=("year", "min"),
        end_year=("year", "max"),
        years=("year", "size"),
        **{f"{o}_years": (o, "sum") for o in OBLIGATIONS},
    )
    cinc = nmc.set_index(["ccode", "year"])["cinc"]
    measured = pairs[["spell", "ccode1", "ccode2", "year"]].copy()
    keys_a = pd.MultiIndex.from_arrays([measured["ccode1"], measured["year"]])
    keys_b = pd.MultiIndex.from_arrays([measured["ccode2"], measured["year"]])
    measured["cinc_a"] = cinc.reindex(keys_a).to_numpy()
    measured["cinc_b"] = cinc.reindex(keys_b).to_numpy()
    measured = measured.dropna(subset=["cinc_a", "cinc_b"]).groupby("spell").first()
    spells = spells.join(
        measured[["year", "cinc_a", "cinc_b"]].rename(columns={"year": "cinc_year"})
    )
    spells["cinc_year"] = spells["cinc_year"].astype("Int64")
    for column in ("cinc_a", "cinc_b"):
        spells[column] = spells[column].map(lambda v: "" if pd.isna(v) else f"{v:.6g}")
    spells["sources"] = SPELL_SOURCES
    return spells.reset_index(drop=True)


def _iso(frame: pd.DataFrame, prefix: str) -> pd.Series:
    return (
        frame[f"{prefix}year"].astype(str).str.zfill(4)
        + "-"
        + frame[f"{prefix}month"].astype(str).str.zfill(2)
        + "-"
        + frame[f"{prefix}day"].astype(str).str.zfill(2)
    )


def states(raw: pd.DataFrame) -> pd.DataFrame:
    """COW system membership: one row per period, ISO dates."""
    out = pd.DataFrame(
        {
            "ccode": raw["ccode"],
            "stateabb": raw["stateabb"],
            "statenme": raw["statenme"],
            "start_date": _iso(raw, "st"),
            "end_date": _iso(raw, "end"),
        }
    )
    out["sources"] = STATE_SOURCES
    return out


def major_powers(raw: pd.DataFrame, state_list: pd.DataFrame) -> pd.DataFrame:
    """COW major powers: one row per period of major-power status, ISO dates."""
    abb = state_list.drop_duplicates("ccode").set_index("ccode")["stateabb"]
    out = pd.DataFrame(
        {
            "ccode": raw["ccode"],
            "stateabb": raw["ccode"].map(abb),
            "start_date": _iso(raw, "st"),
            "end_date": _iso(raw, "end"),
        }
    )
    out["sources"] = STATE_SOURCES
    return out


def case_capabilities(nmc: pd.DataFrame) -> pd.DataFrame:
    """NMC state-years of the case's states."""
    keep = nmc[nmc["ccode"].isin(CASE_STATES)].sort_values(["ccode", "year"])
    out = keep[["ccode", "year", "cinc", "milper", "milex", "tpop"]].copy()
    out["cinc"] = out["cinc"].map(lambda v: f"{v:.6g}")
    for column in ("milper", "milex", "tpop"):
        out[column] = out[column].map(lambda v: "" if pd.isna(v) else f"{v:.0f}")
    out["sources"] = NMC_SOURCES
    return out.reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=Path, default=DEFAULT_SOURCES)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    atop = _read(args.sources, "atop-5.1-directed-dyad-years.csv.gz")
    nmc = _read(args.sources, "cow-nmc-7.0.csv.gz")
    raw_states = _read(args.sources, "cow-states-2016.csv.gz")
    raw_majors = _read(args.sources, "cow-major-powers-2016.csv.gz")

    pairs = undirected(atop)
    state_list = states(raw_states)
    tables = {
        "atop_obligations_by_year.csv": obligations_by_year(pairs),
        "atop_dyad_spells.csv": dyad_spells(pairs, nmc),
        "cow_states.csv": state_list,
        "cow_major_powers.csv": major_powers(raw_majors, raw_states),
        "cow_capabilities_case.csv": case_capabilities(nmc),
    }
    for name, frame in tables.items():
        frame.to_csv(args.out / name, index=False, lineterminator="\n")
        print(f"{name}: {len(frame)} rows, {(args.out / name).stat().st_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
