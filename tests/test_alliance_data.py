"""The real alliance data (ATOP v5.1, COW) in data/: its validation, coursekit.alliance_data and its figures.

Small hand-made tables check each computation against numbers worked out by hand; corruption tests work on a
copy of data/ (the shipped files are never modified); the tests at the end check the facts the chapters state
on the shipped tables.
"""

from __future__ import annotations

import csv
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from coursekit import alliance_data as ad
from coursekit import data
from coursekit.plots import alliance_data as ap

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
BIB = ROOT / "references.bib"
REAL_FILES = (
    "atop_obligations_by_year.csv",
    "atop_dyad_spells.csv",
    "cow_states.csv",
    "cow_major_powers.csv",
    "cow_capabilities_case.csv",
)


# -- helpers ----------------------------------------------------------------------------------------------------


@pytest.fixture
def copy_dir(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    shutil.copy(BIB, tmp_path / "references.bib")
    return target


def set_cell(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell; ``row`` in spreadsheet numbering (first data row = 2)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[row - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def located(problems, file, row, column):
    return [p for p in problems if (p.file, p.row, p.column) == (file, row, column)]


def spells_table(rows: list[tuple]) -> pd.DataFrame:
    """Spells from (a, b, start, end, defense_years, cinc_a, cinc_b); other pledges 0."""
    records = []
    for a, b, start, end, defense, cinc_a, cinc_b in rows:
        records.append(
            {
                "ccode_a": a,
                "ccode_b": b,
                "start_year": start,
                "end_year": end,
                "years": end - start + 1,
                "defense_years": defense,
                "offense_years": 0,
                "neutral_years": 0,
                "nonagg_years": 0,
                "consul_years": end - start + 1,
                "cinc_year": start if cinc_a is not None else pd.NA,
                "cinc_a": np.nan if cinc_a is None else cinc_a,
                "cinc_b": np.nan if cinc_b is None else cinc_b,
                "sources": "leeds2002alliance",
            }
        )
    return pd.DataFrame.from_records(records)


STATES = pd.DataFrame(
    {
        "ccode": [2, 220, 365, 482, 483],
        "stateabb": ["USA", "FRN", "RUS", "CEN", "CHA"],
        "statenme": ["United States", "France", "Russia", "Central African Republic", "Chad"],
        "start_date": pd.to_datetime(
            ["1816-01-01", "1816-01-01", "1816-01-01", "1960-08-13", "1960-08-11"]
        ),
        "end_date": pd.to_datetime(["2016-12-31"] * 5),
    }
)


# -- validation of the shipped tables and of corrupted copies ----------------------------------------------------


def test_real_tables_are_resources_with_schema_provenance_and_sources():
    package = data.read_package(DATA)
    resources = {r["path"]: r for r in package["resources"]}
    for file in REAL_FILES:
        assert file in resources, file
        resource = resources[file]
        assert "derive_atop_cow.py" in resource["description"]
        assert resource["sources"], file
        assert all(field.get("description") for field in resource["schema"]["fields"])
    assert (DATA / "scripts" / "derive_atop_cow.py").is_file()
    total = sum((DATA / f).stat().st_size for f in REAL_FILES)
    assert total < 2_000_000  # small enough to commit


def test_real_tables_load_typed():
    spells = data.load_atop_spells(DATA)
    assert spells["ccode_a"].dtype == "int64"
    assert spells["cinc_year"].dtype == "Int64"
    assert spells["cinc_a"].dtype == "float64"
    assert (spells["ccode_a"] < spells["ccode_b"]).all()
    assert (spells["years"] == spells["end_year"] - spells["start_year"] + 1).all()
    by_year = data.load_atop_obligations_by_year(DATA)
    assert list(by_year["year"]) == list(range(1815, 2019))
    states = data.load_cow_states(DATA)
    assert str(states["start_date"].dtype).startswith("datetime64")
    caps = data.load_capabilities(DATA)
    assert caps["milper"].dtype == "Int64"
    majors = data.load_major_powers(DATA)
    assert set(majors["stateabb"]) >= {"USA", "UKG", "FRN", "RUS", "CHN"}


def test_overlapping_spells_of_a_pair_are_reported(copy_dir):
    path = copy_dir / "atop_dyad_spells.csv"
    # rows 2 and 3 are the two US–Canada spells (1942–1945, 1949–2018); make the second start in 1945
    set_cell(path, 3, "start_year", "1945")
    set_cell(path, 3, "years", "74")
    problems = data.validate(copy_dir)
    found = located(problems, "atop_dyad_spells.csv", 3, "start_year")
    assert found and "row 2" in found[0].message


def test_spell_length_and_pledge_years_are_checked(copy_dir):
    path = copy_dir / "atop_dyad_spells.csv"
    set_cell(path, 2, "years", "9")
    set_cell(path, 3, "defense_years", "71")
    problems = data.validate(copy_dir)
    assert located(problems, "atop_dyad_spells.csv", 2, "years")
    found = located(problems, "atop_dyad_spells.csv", 3, "defense_years")
    assert found and "70 years" in found[0].message


def test_pair_order_unknown_state_and_partial_capabilities_are_reported(copy_dir):
    path = copy_dir / "atop_dyad_spells.csv"
    set_cell(path, 4, "ccode_a", "998")
    set_cell(path, 5, "cinc_b", "")
    problems = data.validate(copy_dir)
    assert located(problems, "atop_dyad_spells.csv", 4, "ccode_a")  # not a COW code
    assert located(problems, "atop_dyad_spells.csv", 4, "ccode_b")  # not greater than ccode_a
    assert located(problems, "atop_dyad_spells.csv", 5, "cinc_year")


def test_pledge_count_above_allied_pairs_and_year_gap_are_reported(copy_dir):
    path = copy_dir / "atop_obligations_by_year.csv"
    set_cell(path, 2, "consul", "1000")
    set_cell(path, 10, "year", "1830")
    problems = data.validate(copy_dir)
    assert located(problems, "atop_obligations_by_year.csv", 2, "consul")
    assert located(problems, "atop_obligations_by_year.csv", 10, "year")
    with pytest.raises(
        data.DataError, match="atop_obligations_by_year.csv, row 2, column 'consul'"
    ):
        data.load_atop_obligations_by_year(copy_dir)


def test_cinc_outside_zero_one_and_dates_backwards_are_reported(copy_dir):
    set_cell(copy_dir / "cow_capabilities_case.csv", 2, "cinc", "1.5")
    set_cell(copy_dir / "cow_major_powers.csv", 2, "end_date", "1800-01-01")
    problems = data.validate(copy_dir)
    assert located(problems, "cow_capabilities_case.csv", 2, "cinc")
    assert located(problems, "cow_major_powers.csv", 2, "end_date")


# -- obligations -----------------------------------------------------------------------------------------------


def test_obligation_shares_by_hand():
    by_year = pd.DataFrame(
        {
            "year": [1900, 1901, 1950],
            "allied_dyads": [2, 2, 4],
            "defense": [2, 1, 1],
            "offense": [0, 0, 0],
            "neutral": [1, 0, 0],
            "nonagg": [0, 0, 4],
            "consul": [2, 2, 3],
        }
    )
    shares = ad.obligation_shares(by_year, [(1900, 1901, "early"), (1950, 1950, "late")])
    assert list(shares.index) == ["early", "late"]
    assert shares.loc["early", "pair_years"] == 4
    assert shares.loc["early", "defense"] == pytest.approx(0.75)
    assert shares.loc["early", "neutral"] == pytest.approx(0.25)
    assert shares.loc["late", "nonagg"] == pytest.approx(1.0)
    assert shares.loc["late", "consul"] == pytest.approx(0.75)


@pytest.mark.parametrize(
    "periods, message",
    [
        ([], "empty"),
        ([(1950, 1900, "x")], "backwards"),
        ([(1900, 1950, "a"), (1950, 1960, "b")], "overlap"),
        ([(1700, 1710, "before")], "no allied pair-year"),
    ],
)
def test_obligation_shares_rejects_bad_periods(periods, message):
    by_year = pd.DataFrame(
        {"year": [1900], "allied_dyads": [1], **{o: [1] for o in ad.OBLIGATIONS}}
    )
    with pytest.raises(ValueError, match=message):
        ad.obligation_shares(by_year, periods)


def test_obligation_shares_needs_the_columns():
    with pytest.raises(ValueError, match="no column"):
        ad.obligation_shares(pd.DataFrame({"year": [1900]}))


# -- capability asymmetry and duration -----------------------------------------------------------------------------


def test_capability_asymmetry_ratio_threshold_and_censoring():
    spells = spells_table(
        [
            (2, 20, 1815, 1820, 6, 0.2, 0.01),  # ratio 20, left-censored, ended
            (2, 220, 1950, 2018, 69, 0.1, 0.05),  # ratio 2, still in force
            (220, 482, 1960, 2018, 59, 0.0, 0.03),  # weaker CINC 0: infinite ratio
            (365, 482, 1990, 1991, 2, None, None),  # not measured: left out
        ]
    )
    out = ad.capability_asymmetry(spells, threshold=10)
    assert len(out) == 3
    assert out.loc[0, "cinc_ratio"] == pytest.approx(20)
    assert out.loc[1, "cinc_ratio"] == pytest.approx(2)
    assert math.isinf(out.loc[2, "cinc_ratio"])
    assert list(out["unequal"]) == [True, False, True]
    assert list(out["ended"]) == [True, False, False]
    assert list(out["left_censored"]) == [True, False, False]
    # the threshold decides: at 25 the first pair is no longer very unequal
    assert not ad.capability_asymmetry(spells, threshold=25).loc[0, "unequal"]


@pytest.mark.parametrize("threshold", [0.5, -1, float("nan"), "ten"])
def test_capability_asymmetry_rejects_bad_thresholds(threshold):
    with pytest.raises(ValueError, match="threshold"):
        ad.capability_asymmetry(spells_table([(2, 20, 1900, 1901, 2, 0.1, 0.01)]), threshold)


def test_kaplan_meier_by_hand():
    # lengths 2 (ended), 3 (still in force), 4 (ended), 4 (ended), 6 (still in force)
    curve = ad.kaplan_meier([2, 3, 4, 4, 6], [True, False, True, True, False])
    assert list(curve["years"]) == [0, 2, 4]
    assert list(curve["at_risk"]) == [5, 5, 3]
    # S(2) = 4/5; S(4) = 4/5 * (1 - 2/3) = 4/15
    assert curve["survival"].tolist() == pytest.approx([1, 0.8, 4 / 15])
    assert ad.median_survival(curve) == 4
    assert ad.survival_at(curve, 3) == pytest.approx(0.8)
    assert ad.survival_at(curve, 100) == pytest.approx(4 / 15)
    # if nothing ends, the median is not reached and the curve stays at 1
    flat = ad.kaplan_meier([5, 10], [False, False])
    assert math.isnan(ad.median_survival(flat))
    assert ad.survival_at(flat, 50) == 1


def test_kaplan_meier_does_not_treat_unfinished_spells_as_ended():
    ended_all = ad.kaplan_meier([10, 10, 10], [True, True, True])
    censored = ad.kaplan_meier([10, 10, 10], [True, False, False])
    assert ad.survival_at(ended_all, 10) == 0
    assert ad.survival_at(censored, 10) == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    "durations, ended, message",
    [([1, 2], [True], "same length"), ([], [], "empty"), ([0, 2], [True, True], "positive")],
)
def test_kaplan_meier_rejects_bad_input(durations, ended, message):
    with pytest.raises(ValueError, match=message):
        ad.kaplan_meier(durations, ended)


def test_duration_comparison_by_hand():
    spells = spells_table(
        [
            (2, 20, 1900, 1929, 30, 1.0, 0.01),  # very unequal, 30 years, ended
            (2, 31, 1950, 2018, 69, 1.0, 0.02),  # very unequal, in force
            (200, 220, 1900, 1904, 5, 0.1, 0.1),  # equal, 5 years, ended
            (200, 230, 1950, 1959, 10, 0.1, 0.05),  # equal, 10 years, ended
        ]
    )
    result = ad.duration_comparison(spells, threshold=10)
    table = result.table
    assert table.loc["unequal", "spells"] == 2
    assert table.loc["unequal", "in_force"] == 1
    assert table.loc["unequal", "median_ended"] == 30
    assert table.loc["more_equal", "median_ended"] == 7.5
    assert table.loc["more_equal", "km_median"] == 5
    assert table.loc["unequal", "allied_after_25"] == 1
    assert table.loc["more_equal", "allied_after_10"] == 0
    assert set(result.curves) == {"unequal", "more_equal"}
    # restricting the start years keeps only the spells that began then
    early = ad.duration_comparison(spells, threshold=10, last_start=1920)
    assert early.table["spells"].tolist() == [1, 1]
    with pytest.raises(ValueError, match="no more equal spell"):
        ad.duration_comparison(spells, threshold=1)
    with pytest.raises(ValueError, match="after last_start"):
        ad.duration_comparison(spells, first_start=1950, last_start=1900)


def test_comparison_table_is_readable_and_says_when_the_median_is_not_reached():
    spells = spells_table(
        [
            (2, 20, 1900, 1929, 30, 1.0, 0.01),
            (2, 31, 1950, 2018, 69, 1.0, 0.02),
            (200, 220, 1900, 1904, 5, 0.1, 0.1),
            (200, 230, 1950, 1959, 10, 0.1, 0.05),
        ]
    )
    table = ad.comparison_table({"all": ad.duration_comparison(spells)})
    assert list(table.index) == [("all", "very unequal"), ("all", "more equal")]
    assert table.loc[("all", "more equal"), "half ended within (years)"] == "5"
    # one of two very unequal spells ended, after 30 years: survival 0.5 is reached at 30
    assert table.loc[("all", "very unequal"), "half ended within (years)"] == "30"
    assert table.loc[("all", "very unequal"), "allied after 25 years (%)"] == 100
    only_open = spells_table(
        [(2, 20, 1950, 2018, 69, 1.0, 0.01), (200, 220, 1900, 1904, 5, 0.1, 0.1)]
    )
    open_table = ad.comparison_table({"x": ad.duration_comparison(only_open)})
    assert open_table.loc[("x", "very unequal"), "half ended within (years)"] == "not reached"
    with pytest.raises(ValueError, match="no comparison"):
        ad.comparison_table({})


def test_asymmetry_shares_by_start_period():
    spells = spells_table(
        [
            (2, 20, 1900, 1901, 2, 1.0, 0.01),
            (2, 31, 1905, 1906, 2, 1.0, 0.5),
            (200, 220, 1950, 1951, 2, 0.1, 0.1),
        ]
    )
    shares = ad.asymmetry_shares(
        ad.capability_asymmetry(spells),
        [(1815, 1945, "early"), (1946, 2018, "late"), (2019, 2030, "none")],
    )
    assert shares.loc["early", "spells"] == 2
    assert shares.loc["early", "share"] == pytest.approx(0.5)
    assert shares.loc["late", "share"] == 0
    assert math.isnan(shares.loc["none", "share"])


# -- one state's record ------------------------------------------------------------------------------------------


def test_state_record_and_pairs_by_hand():
    spells = spells_table(
        [(220, 482, 1960, 2018, 59, 0.03, 0.0001), (482, 483, 1960, 1976, 17, 0.0001, 0.0002)]
    )
    record = ad.state_record(spells, 482, STATES)
    assert list(record["partner_name"]) == ["Chad", "France"]
    assert record.loc[1, "capability_ratio"] == pytest.approx(300)
    assert record.loc[1, "pledges"] == "defence, consultation"
    assert ad.pair_spells(spells, 482, 220).shape[0] == 1  # either order
    assert ad.pair_spells(spells, 365, 482).empty
    assert ad.state_record(spells, 365, STATES).empty  # Russia: no alliance, an empty record
    with pytest.raises(ValueError, match="not a COW state code"):
        ad.state_record(spells, 999, STATES)
    with pytest.raises(ValueError, match="not allied with itself"):
        ad.pair_spells(spells, 482, 482)


def test_capability_ratio_and_missing_years():
    caps = pd.DataFrame(
        {"ccode": [365, 482, 482], "year": [2018, 2018, 2017], "cinc": [0.03, 0.0002, 0.0]}
    )
    assert ad.capability_ratio(caps, 365, 482, 2018) == pytest.approx(150)
    with pytest.raises(ValueError, match="no CINC for state 365 in 2017; the table has 2018–2018"):
        ad.capability_ratio(caps, 365, 482, 2017)


# -- figures -------------------------------------------------------------------------------------------------------


def _texts(fig: Figure) -> str:
    parts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    return "\n".join(parts)


def _labelled(fig: Figure) -> None:
    for ax in fig.axes:
        assert ax.get_title(loc="left"), "every panel has a title"
        assert ax.get_xlabel() and ax.get_ylabel()


def test_figures_are_titled_labelled_and_show_the_absent_partner():
    by_year = pd.DataFrame(
        {"year": [1900, 1950], "allied_dyads": [2, 4], **{o: [1, 2] for o in ad.OBLIGATIONS}}
    )
    fig = ap.obligation_shares_figure(
        ad.obligation_shares(by_year, [(1900, 1900, "a"), (1950, 1950, "b")])
    )
    _labelled(fig)
    assert "Non-aggression" in _texts(fig)

    spells = spells_table(
        [
            (2, 20, 1900, 1929, 30, 1.0, 0.01),
            (200, 220, 1900, 1904, 5, 0.1, 0.1),
            (220, 482, 1960, 2018, 59, 0.03, 0.0001),
        ]
    )
    fig = ap.asymmetry_duration_figure(
        ad.capability_asymmetry(spells), ad.duration_comparison(spells)
    )
    _labelled(fig)
    assert "Kaplan–Meier" in _texts(fig)

    record = ad.state_record(spells, 482, STATES)
    fig = ap.state_record_figure(record, "the CAR", absent={365: "Russia", 220: "France"})
    _labelled(fig)
    text = _texts(fig)
    assert "no alliance with Russia" in text
    assert (
        "no alliance with France" not in text
    )  # France has a spell, so it is drawn, not declared absent


# -- the facts the chapters state, on the shipped data ----------------------------------------------------------


def test_car_france_defence_pact_and_no_russian_alliance():
    spells = data.load_atop_spells(DATA)
    france = ad.pair_spells(spells, 220, 482)
    assert len(france) == 1
    row = france.iloc[0]
    assert (row["start_year"], row["end_year"]) == (1960, 2018)
    assert row["defense_years"] == row["consul_years"] == 59
    assert row["offense_years"] == row["neutral_years"] == row["nonagg_years"] == 0
    assert ad.pair_spells(spells, 365, 482).empty
    record = ad.state_record(spells, 482, data.load_cow_states(DATA))
    assert 365 not in set(record["partner"])
    assert record["start_year"].min() == 1960


def test_shipped_obligation_and_duration_results_the_sections_describe():
    shares = ad.obligation_shares(data.load_atop_obligations_by_year(DATA))
    assert shares.loc["1914–1945", "offense"] > 0.5  # the world wars: offence pledges
    assert shares.loc["1990–2018", "nonagg"] > 0.95
    assert shares.loc["1990–2018", "defense"] < shares.loc["1815–1913", "defense"]
    assert shares["pair_years"].iloc[-1] > 20 * shares["pair_years"].iloc[0]
    spells = data.load_atop_spells(DATA)
    asym = ad.capability_asymmetry(spells)
    assert 0.3 < asym["unequal"].mean() < 0.5
    morrow = ad.duration_comparison(spells, last_start=1965).table
    assert (
        abs(morrow.loc["unequal", "allied_after_10"] - morrow.loc["more_equal", "allied_after_10"])
        < 0.1
    )
    caps = data.load_capabilities(DATA)
    assert 140 < ad.capability_ratio(caps, 365, 482, 2018) < 160  # "about 150 times" (chapter 2)
