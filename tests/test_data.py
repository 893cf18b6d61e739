"""The course data: the shipped files are valid, loaders are typed, and every kind of corruption is reported.

Corruption tests work on copies of ``data/`` and ``references.bib`` in ``tmp_path``; the shipped files are never
modified. Row numbers follow the spreadsheet convention of :mod:`coursekit.data` (header = row 1).
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

from coursekit import data
from coursekit.cli import main
from coursekit.plots.data import event_counts_by_year, events_per_year_figure

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
BIB = ROOT / "references.bib"

DIMENSIONS = [
    "military_security",
    "weapons_delivery",
    "resources",
    "international_support",
    "context",
]
PHASES = [
    "before_khartoum",
    "khartoum_to_sochi",
    "sochi_to_crisis",
    "crisis_and_after",
    "after_2022",
]
ALL_RESOLUTIONS = [
    "A/RES/68/262",
    "A/RES/ES-11/1",
    "A/RES/ES-11/2",
    "A/RES/ES-11/3",
    "A/RES/ES-11/4",
    "A/RES/ES-11/5",
    "A/RES/ES-11/6",
    "A/RES/ES-11/7",
]


# -- helpers ----------------------------------------------------------------------------------------------------


@pytest.fixture
def copy_dir(tmp_path: Path) -> Path:
    """A writable copy of data/ with references.bib next to it, as in the repository."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    shutil.copy(BIB, tmp_path / "references.bib")
    return target


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def set_cell(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell; ``row`` in spreadsheet numbering (first data row = 2)."""
    header, rows = read_rows(path)
    rows[row - 2][header.index(column)] = value
    write_rows(path, header, rows)


def find_row(path: Path, **match: str) -> int:
    """Spreadsheet row number of the first row whose cells equal ``match``."""
    header, rows = read_rows(path)
    for number, values in enumerate(rows, start=2):
        if all(values[header.index(k)] == v for k, v in match.items()):
            return number
    raise AssertionError(f"no row matching {match} in {path.name}")


def located(
    problems: list[data.Problem], file: str, row: int | None, column: str | None
) -> list[data.Problem]:
    return [p for p in problems if (p.file, p.row, p.column) == (file, row, column)]


# -- the shipped data ---------------------------------------------------------------------------------------------


def test_shipped_data_is_valid_for_coursekit():
    assert data.validate(DATA) == []


def test_shipped_data_is_valid_for_frictionless():
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(DATA / "datapackage.json"))
    errors = [f"{task.name}: {error.message}" for task in report.tasks for error in task.errors]
    assert report.valid, "\n".join(errors[:20])


def test_every_csv_is_a_resource_and_every_resource_has_a_file():
    package = data.read_package(DATA)
    paths = {r["path"] for r in package["resources"]}
    assert paths == {p.name for p in DATA.glob("*.csv")}
    assert set(data.TABLES.values()) == paths
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    for resource in package["resources"]:
        for field in resource["schema"]["fields"]:
            assert field.get("description"), (
                f"{resource['name']}.{field['name']} has no description"
            )


def test_every_source_key_is_in_the_bibliography():
    keys = data.bib_keys(BIB)
    cited = set()
    for name, frame in data.load_all(DATA).items():
        assert "sources" in frame.columns, name
        for cell in frame["sources"]:
            found = data.split_keys(cell)
            assert found, f"{name} has a row without sources"
            cited.update(found)
    assert cited <= keys, sorted(cited - keys)
    assert "hayrapetyan2022russian" in cited


def test_loaders_return_typed_frames():
    events = data.load_events()
    assert str(events["date"].dtype) == "datetime64[ns]"
    for column in ("dimension", "phase", "status", "date_precision"):
        assert isinstance(events[column].dtype, pd.CategoricalDtype), column
    assert list(events["dimension"].cat.categories) == DIMENSIONS
    assert events["phase"].cat.ordered and list(events["phase"].cat.categories) == PHASES

    phases = data.load_phases()
    assert list(phases["phase"].astype(str)) == PHASES
    assert (
        str(phases["start"].dtype) == "datetime64[ns]"
        and str(phases["end"].dtype) == "datetime64[ns]"
    )

    votes = data.load_votes()
    assert votes["african"].dtype == bool
    assert list(votes["vote"].cat.categories) == ["Yes", "No", "Abstain", "Non-voting"]

    resolutions = data.load_resolutions()
    for column in ("yes", "no", "abstain", "non_voting"):
        assert resolutions[column].dtype == "int64"

    cases = data.load_alliance_cases()
    assert str(cases["end_year"].dtype) == "Int64"
    assert cases["formal_treaty"].dtype == "float64"

    context = data.load_context()
    assert isinstance(context["indicator"].dtype, pd.CategoricalDtype)
    assert context["value"].dtype == "int64"
    assert str(context["as_of"].dtype) == "datetime64[ns]"

    arms = data.load_arms()
    assert str(arms["quantity"].dtype) == "Int64" and arms["quantity"].isna().any()

    personnel = data.load_personnel()
    assert (personnel["low"] <= personnel["high"]).all()
    assert set(personnel["claim_type"].astype(str)) == {"official", "independent"}

    assert data.load_durability_indicators()["score"].between(0, 1).all()
    assert set(data.load_all()) == set(data.TABLES)


def test_loaders_return_copies_of_a_cached_table():
    first = data.load_events()
    first.loc[0, "title"] = "changed by a caller"
    second = data.load_events()
    assert second.loc[0, "title"] != "changed by a caller"
    assert first is not second


def test_timeline_content():
    events = data.load_events()
    assert len(events) >= 75
    assert set(events["dimension"].astype(str)) == set(DIMENSIONS)
    assert events["date"].min() >= pd.Timestamp("2016-01-01")
    assert events["date"].max() <= data.load_phases()["end"].max()
    assert events["event_id"].is_unique
    assert list(events["date"]) == sorted(events["date"]), "events are listed in date order"
    assert {"contested", "unconfirmed"} <= set(events["status"].astype(str))
    sochi = events[events["title"].str.contains("Sochi") & events["date"].dt.year.eq(2019)]
    assert len(sochi) == 1
    assert "November" in sochi.iloc[0]["description"], (
        "the article's double dating of Sochi is noted"
    )


def test_timeline_carries_the_record_to_2025():
    """The second edition's rows (issue 13): each is dated, sourced and has the status the chapters teach."""
    events = data.load_events().set_index("date")
    expected = {
        "2019-09-12": ("Embargo eased", "confirmed", "unpress2019sc13950"),
        "2019-10-23": ("Putin and Touadéra", "confirmed", "ria24today2019putin"),
        "2020-12-20": ("Rwanda sends troops", "confirmed", "newtimes2020rwanda"),
        "2021-11-01": ("presidential guard", "contested", "africacom2021un"),
        "2023-09-02": ("Yevkurov", "confirmed", "alwihda2023centrafrique"),
        "2025-04-19": ("N'Djamena", "confirmed", "au2025chairperson"),
        "2025-07-10": ("dissolution", "confirmed", "au2025chairperson"),
    }
    for day, (title, status, source) in expected.items():
        rows = events.loc[[pd.Timestamp(day)]]
        row = rows[rows["title"].str.contains(title, regex=False)]
        assert len(row) == 1, f"no single event '{title}' on {day}"
        assert str(row["status"].iloc[0]) == status, day
        assert source in row["sources"].iloc[0], day
    africa_corps = events[events["title"].str.contains("Africa Corps")]
    assert set(africa_corps["status"].astype(str)) == {"unconfirmed"}, (
        "the reported switch to the Africa Corps stays unconfirmed unless a source confirms its terms"
    )


def test_durability_rescoring_is_explained():
    """Each indicator keeps its 2022 score; a changed score says so in its rationale, an unchanged one too."""
    indicators = data.load_durability_indicators()
    assert indicators["score_2022"].between(0, 1).all()
    for row in indicators.itertuples(index=False):
        if row.score > row.score_2022:
            assert row.rationale.startswith("Raised from"), row.indicator
        elif row.score < row.score_2022:
            assert row.rationale.startswith("Lowered from"), row.indicator
        else:
            assert row.rationale.startswith("Unchanged"), row.indicator


def test_phases_are_contiguous_and_cover_the_timeline():
    phases = data.load_phases()
    assert phases["start"].iloc[0] == pd.Timestamp("2016-01-01")
    assert phases["end"].iloc[-1] == pd.Timestamp("2026-12-31")
    gaps = (phases["start"].iloc[1:].to_numpy() - phases["end"].iloc[:-1].to_numpy()).astype(
        "timedelta64[D]"
    )
    assert (gaps == pd.Timedelta(days=1)).all()
    assert (phases["sources"].str.contains("hayrapetyan2022russian")).all()


def test_tallies_add_up_to_the_membership():
    resolutions = data.load_resolutions()
    assert list(resolutions["resolution"]) == ALL_RESOLUTIONS
    totals = resolutions[["yes", "no", "abstain", "non_voting"]].sum(axis=1)
    assert (totals == data.MEMBERSHIP).all()


@pytest.mark.parametrize("resolution", ["A/RES/ES-11/1", "A/RES/ES-11/4", "A/RES/ES-11/6"])
def test_all_54_african_members_on_the_key_resolutions(resolution):
    votes = data.load_votes()
    african = votes[(votes["resolution"] == resolution) & votes["african"]]
    assert len(african) == 54
    assert african["iso3"].is_unique


def test_car_and_russia_on_every_resolution():
    votes = data.load_votes()
    for iso3 in ("CAF", "RUS"):
        assert sorted(votes.loc[votes["iso3"] == iso3, "resolution"]) == sorted(ALL_RESOLUTIONS)
    russia = votes[votes["iso3"] == "RUS"]
    assert (russia["vote"] == "No").all()


def test_unconfirmed_votes_are_empty_and_explained():
    votes = data.load_votes()
    unconfirmed = votes[votes["status"] == "unconfirmed"]
    assert len(unconfirmed) > 0
    assert unconfirmed["vote"].isna().all()
    assert (unconfirmed["note"].str.len() > 0).all()
    confirmed = votes[votes["status"] == "confirmed"]
    assert confirmed["vote"].notna().all()
    car_es2 = votes[(votes["iso3"] == "CAF") & (votes["resolution"] == "A/RES/ES-11/2")].iloc[0]
    assert pd.isna(car_es2["vote"]) and "probably Abstain" in car_es2["note"]
    resolutions = data.load_resolutions().set_index("resolution")
    assert pd.isna(resolutions.loc["A/RES/ES-11/2", "car_vote"])


def test_african_es11_1_breakdown_matches_the_reported_counts():
    votes = data.load_votes()
    es1 = votes[(votes["resolution"] == "A/RES/ES-11/1") & votes["african"]]
    counts = es1["vote"].astype(str).value_counts().to_dict()
    assert counts == {"Yes": 28, "Abstain": 17, "Non-voting": 8, "No": 1}


def test_alliance_cases_and_durability_indicators():
    cases = data.load_alliance_cases()
    assert len(cases) >= 10
    assert "car_russia_2017" in set(cases["case_id"])
    features = [
        "short_term",
        "concrete_aim",
        "opportunistic",
        "personalised",
        "no_prior_ties",
        "asymmetric",
        "formal_treaty",
    ]
    assert cases[features].isin([0.0, 0.5, 1.0]).all().all()
    assert (cases["note"].str.len() > 40).all()
    indicators = data.load_durability_indicators()
    assert 8 <= len(indicators) <= 10


# -- problems and their locations ---------------------------------------------------------------------------------


def test_problem_str_names_file_row_and_column():
    assert (
        str(data.Problem("events.csv", 12, "date", "bad"))
        == "events.csv, row 12, column 'date': bad"
    )
    assert str(data.Problem("events.csv", None, None, "missing")) == "events.csv: missing"
    assert str(data.Problem("un_votes.csv", 5, None, "x")) == "un_votes.csv, row 5: x"


def test_missing_file(copy_dir):
    (copy_dir / "mining.csv").unlink()
    problems = data.validate(copy_dir)
    found = located(problems, "mining.csv", None, None)
    assert found and "missing" in found[0].message
    with pytest.raises(data.DataError) as info:
        data.load_mining(copy_dir)
    assert "mining.csv" in str(info.value) and "missing" in str(info.value)
    # the other tables still load
    assert len(data.load_events(copy_dir)) >= 75


def test_missing_column(copy_dir):
    path = copy_dir / "personnel.csv"
    header, rows = read_rows(path)
    index = header.index("claimant")
    write_rows(
        path, header[:index] + header[index + 1 :], [r[:index] + r[index + 1 :] for r in rows]
    )
    problems = data.validate(copy_dir)
    found = located(problems, "personnel.csv", None, "claimant")
    assert found and "missing" in found[0].message


def test_bad_date(copy_dir):
    path = copy_dir / "events.csv"
    set_cell(path, 5, "date", "2018-02-30")
    problems = data.validate(copy_dir)
    found = located(problems, "events.csv", 5, "date")
    assert found and "2018-02-30" in found[0].message and "YYYY-MM-DD" in found[0].message


def test_unknown_dimension(copy_dir):
    path = copy_dir / "events.csv"
    set_cell(path, 9, "dimension", "diplomacy")
    found = located(data.validate(copy_dir), "events.csv", 9, "dimension")
    assert (
        found and "'diplomacy'" in found[0].message and "international_support" in found[0].message
    )


def test_unknown_source_key(copy_dir):
    path = copy_dir / "arms_deliveries.csv"
    set_cell(path, 3, "sources", "armyrecognition2020russia; nosuch2099key")
    found = located(data.validate(copy_dir), "arms_deliveries.csv", 3, "sources")
    assert (
        len(found) == 1
        and "nosuch2099key" in found[0].message
        and "references.bib" in found[0].message
    )


def test_missing_bibliography_is_reported(copy_dir):
    (copy_dir.parent / "references.bib").unlink()
    problems = data.validate(copy_dir)
    assert located(problems, "references.bib", None, None)


def test_vote_outside_allowed_values(copy_dir):
    path = copy_dir / "un_votes.csv"
    row = find_row(path, resolution="A/RES/ES-11/1", iso3="KEN")
    set_cell(path, row, "vote", "Maybe")
    found = located(data.validate(copy_dir), "un_votes.csv", row, "vote")
    assert found and "'Maybe'" in found[0].message and "Non-voting" in found[0].message


def test_unconfirmed_vote_with_a_value_is_reported(copy_dir):
    path = copy_dir / "un_votes.csv"
    row = find_row(path, resolution="A/RES/ES-11/4", iso3="NGA")
    set_cell(path, row, "vote", "Yes")
    found = located(data.validate(copy_dir), "un_votes.csv", row, "vote")
    assert found and "unconfirmed" in found[0].message


def test_tally_that_does_not_add_up(copy_dir):
    path = copy_dir / "un_resolutions.csv"
    row = find_row(path, resolution="A/RES/ES-11/3")
    set_cell(path, row, "abstain", "57")
    found = located(data.validate(copy_dir), "un_resolutions.csv", row, None)
    assert found and "192" in found[0].message and "193" in found[0].message


def test_country_votes_exceeding_the_tally(copy_dir):
    path = copy_dir / "un_resolutions.csv"
    row = find_row(path, resolution="A/RES/ES-11/6")
    header, rows = read_rows(path)
    values = rows[row - 2]
    values[header.index("no")] = (
        "1"  # the 7 confirmed 'No' rows (Belarus, DPRK, Eritrea, Mali, Nicaragua, Russia, Syria) exceed it
    )
    values[header.index("yes")] = str(int(values[header.index("yes")]) + 6)
    write_rows(path, header, rows)
    problems = data.validate(copy_dir)
    found = [p for p in problems if p.file == "un_votes.csv" and "A/RES/ES-11/6 has" in p.message]
    assert found and found[0].row is not None and found[0].column == "vote"
    assert "7 'No' votes" in found[0].message and "is 1" in found[0].message
    assert "difference +6" in found[0].message


def test_complete_resolution_must_match_the_tally_exactly(copy_dir):
    """Where all 193 members are listed, the counts must equal the tally, not just stay under it."""
    res_path, votes_path = copy_dir / "un_resolutions.csv", copy_dir / "un_votes.csv"
    header, rows = read_rows(res_path)
    new = dict.fromkeys(header, "")
    new.update(
        resolution="A/RES/ES-11/99",
        date="2025-06-01",
        title="Test resolution",
        yes="150",
        no="10",
        abstain="30",
        non_voting="3",
        car_vote="Yes",
        sources="hayrapetyan2022russian",
    )
    rows.append([new[c] for c in header])
    write_rows(res_path, header, rows)
    vheader, vrows = read_rows(votes_path)
    for i in range(data.MEMBERSHIP):  # 151 Yes (one too many), 9 No, 30 Abstain, 3 Non-voting
        vote = "Yes" if i < 151 else "No" if i < 160 else "Abstain" if i < 190 else "Non-voting"
        iso3 = "CAF" if i == 0 else f"X{i // 26 % 26 + 65:c}{i % 26 + 65:c}"
        row = dict(
            resolution="A/RES/ES-11/99",
            country=f"Country {i}",
            iso3=iso3,
            african="false",
            vote=vote,
            status="confirmed",
            note="",
            sources="hayrapetyan2022russian",
        )
        vrows.append([row[c] for c in vheader])
    write_rows(votes_path, vheader, vrows)
    messages = [p.message for p in data.validate(copy_dir) if p.file == "un_votes.csv"]
    # 151 'Yes' rows exceed the tally of 150; 9 'No' rows stay under 10 but are wrong once all are listed
    assert any("A/RES/ES-11/99 has 151 'Yes' votes" in m and "150" in m for m in messages)
    assert any(
        "all 193 members are listed but 'No' votes number 9, not the official 10" in m
        for m in messages
    )
    assert not any("'Abstain'" in m or "'Non-voting'" in m for m in messages)


def test_every_member_has_one_row_per_resolution():
    votes, countries = data.load_votes(), data.load_countries()
    assert len(votes) == data.MEMBERSHIP * len(ALL_RESOLUTIONS) == 1544
    assert len(countries) == data.MEMBERSHIP and countries["iso3"].is_unique
    assert countries["au_member"].sum() == 54
    for resolution, group in votes.groupby("resolution", observed=True):
        assert set(group["iso3"]) == set(countries["iso3"]), resolution
        assert group["iso3"].is_unique, resolution


def test_known_votes_never_exceed_and_unknowns_fill_the_tally_exactly():
    votes = data.load_votes()
    tallies = data.load_resolutions().set_index("resolution")
    columns = {"Yes": "yes", "No": "no", "Abstain": "abstain", "Non-voting": "non_voting"}
    for resolution, group in votes.groupby("resolution", observed=True):
        counts = group["vote"].astype("string").value_counts()
        gaps = {
            v: int(tallies.loc[resolution, c]) - int(counts.get(v, 0)) for v, c in columns.items()
        }
        assert min(gaps.values()) >= 0, (resolution, gaps)
        assert sum(gaps.values()) == group["vote"].isna().sum(), resolution
        assert (group["sources"].str.len() > 0).all() and group["status"].notna().all()


@pytest.mark.parametrize("resolution", ["A/RES/68/262", "A/RES/ES-11/1"])
def test_fully_sourced_roll_calls_equal_the_official_tally(resolution):
    votes = data.load_votes()
    group = votes[votes["resolution"] == resolution]
    assert (group["status"] == "confirmed").all()
    counts = group["vote"].astype(str).value_counts().to_dict()
    row = data.load_resolutions().set_index("resolution").loc[resolution]
    assert counts == {
        k: int(row[c])
        for k, c in {
            "Yes": "yes",
            "No": "no",
            "Abstain": "abstain",
            "Non-voting": "non_voting",
        }.items()
    }


def test_source_disagreements_are_recorded_with_the_reading_followed():
    votes = data.load_votes().set_index(["resolution", "iso3"])
    cod = votes.loc[("A/RES/ES-11/3", "COD")]
    assert cod["vote"] == "Yes" and "allposobie2022un" in cod["sources"]
    assert "Sources disagree" in cod["note"] and "follows inews2022human" in cod["note"]
    usa = votes.loc[("A/RES/ES-11/7", "USA")]
    assert usa["vote"] == "No" and "not in support of Russia" in usa["note"]


def test_build_script_reproduces_the_committed_vote_table():
    import importlib.util

    script = DATA / "scripts" / "build_un_votes.py"
    spec = importlib.util.spec_from_file_location("build_un_votes", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0


def test_tally_off_on_a_complete_roll_call_names_resolution_and_difference(copy_dir):
    path = copy_dir / "un_resolutions.csv"
    row = find_row(path, resolution="A/RES/ES-11/1")
    set_cell(path, row, "yes", "140")
    set_cell(path, row, "abstain", "36")
    messages = [p.message for p in data.validate(copy_dir) if p.file == "un_votes.csv"]
    assert any(
        "A/RES/ES-11/1 has 141 'Yes' votes" in m and "difference +1" in m for m in messages
    ), messages
    assert any(
        "A/RES/ES-11/1: all 193 members are listed but 'Abstain' votes number 35" in m
        and "difference -1" in m
        for m in messages
    ), messages


def test_unknown_votes_that_do_not_fill_the_tally_are_reported(copy_dir):
    path = copy_dir / "un_votes.csv"
    header, rows = read_rows(path)
    open_rows = [r for r in rows if r[0] == "A/RES/ES-11/5" and r[header.index("vote")] == ""]
    unknown = len(open_rows)
    row = find_row(path, resolution="A/RES/ES-11/5", iso3=open_rows[0][header.index("iso3")])
    set_cell(path, row, "vote", "Yes")
    set_cell(path, row, "status", "confirmed")
    messages = [p.message for p in data.validate(copy_dir) if p.file == "un_votes.csv"]
    assert any("A/RES/ES-11/5 has 95 'Yes' votes" in m and "difference +1" in m for m in messages)
    expected = (
        f"A/RES/ES-11/5: {unknown - 1} votes are unknown but the official tally leaves {unknown}"
    )
    assert any(expected in m for m in messages), messages


def test_missing_member_row_is_reported(copy_dir):
    path = copy_dir / "un_votes.csv"
    header, rows = read_rows(path)
    rows = [r for r in rows if not (r[0] == "A/RES/ES-11/7" and r[2] == "TCD")]
    write_rows(path, header, rows)
    messages = [p.message for p in data.validate(copy_dir) if p.file == "un_votes.csv"]
    assert any("A/RES/ES-11/7 has no row for 1 member state(s) (TCD)" in m for m in messages)


def test_car_vote_must_agree_with_the_vote_table(copy_dir):
    path = copy_dir / "un_resolutions.csv"
    row = find_row(path, resolution="A/RES/ES-11/3")
    set_cell(path, row, "car_vote", "Abstain")
    found = located(data.validate(copy_dir), "un_resolutions.csv", row, "car_vote")
    assert found and "un_votes.csv" in found[0].message


def test_phase_disagreeing_with_date(copy_dir):
    path = copy_dir / "events.csv"
    row = find_row(path, title="Prigozhin killed in plane crash")
    set_cell(path, row, "phase", "sochi_to_crisis")
    found = located(data.validate(copy_dir), "events.csv", row, "phase")
    assert found and "after_2022" in found[0].message


def test_unknown_phase(copy_dir):
    path = copy_dir / "events.csv"
    set_cell(path, 4, "phase", "cold_war")
    problems = located(data.validate(copy_dir), "events.csv", 4, "phase")
    assert problems and any("not an allowed value" in p.message for p in problems)


def test_precision_disagreeing_with_date(copy_dir):
    path = copy_dir / "personnel.csv"
    set_cell(path, 2, "date", "2018-03-15")  # the row's precision is 'month'
    found = located(data.validate(copy_dir), "personnel.csv", 2, "date")
    assert found and "first of the month" in found[0].message


def test_low_greater_than_high(copy_dir):
    path = copy_dir / "personnel.csv"
    row = find_row(path, claim_type="independent", low="800")
    set_cell(path, row, "low", "2500")
    found = located(data.validate(copy_dir), "personnel.csv", row, "low")
    assert found and "2500" in found[0].message


def test_duplicate_primary_key(copy_dir):
    path = copy_dir / "events.csv"
    set_cell(path, 3, "event_id", "ev001")
    found = located(data.validate(copy_dir), "events.csv", 3, "event_id")
    assert found and "row 2" in found[0].message


def test_all_problems_are_reported_at_once(copy_dir):
    (copy_dir / "durability_indicators.csv").unlink()
    set_cell(copy_dir / "events.csv", 2, "date", "not a date")
    set_cell(copy_dir / "events.csv", 3, "status", "rumour")
    set_cell(copy_dir / "mining.csv", 4, "sources", "invented2020key")
    problems = data.validate(copy_dir)
    assert located(problems, "durability_indicators.csv", None, None)
    assert located(problems, "events.csv", 2, "date")
    assert located(problems, "events.csv", 3, "status")
    assert located(problems, "mining.csv", 4, "sources")
    with pytest.raises(data.DataError) as info:
        data.load_all(copy_dir)
    assert len(info.value.problems) == len(problems)
    text = str(info.value)
    for needle in (
        "durability_indicators.csv",
        "events.csv, row 2",
        "events.csv, row 3",
        "mining.csv, row 4",
    ):
        assert needle in text


def test_loader_raises_only_for_its_own_table(copy_dir):
    set_cell(copy_dir / "mining.csv", 4, "sources", "invented2020key")
    with pytest.raises(data.DataError) as info:
        data.load_mining(copy_dir)
    assert [(p.file, p.row, p.column) for p in info.value.problems] == [
        ("mining.csv", 4, "sources")
    ]
    assert len(data.load_events(copy_dir)) >= 75


def test_missing_folder_raises():
    with pytest.raises(FileNotFoundError, match="does not exist"):
        data.validate("/nonexistent/course/data")
    with pytest.raises(FileNotFoundError):
        data.load_events("/nonexistent/course/data")


# -- describing the package -------------------------------------------------------------------------------------


def test_resource_and_column_summaries():
    summary = data.resource_summary(DATA)
    assert list(summary["file"]) == list(data.TABLES.values())
    events_row = summary.set_index("name").loc["events"]
    assert events_row["rows"] == len(data.load_events())
    assert "hayrapetyan2022russian" in events_row["sources"]
    columns = data.column_summary("events", DATA)
    assert list(columns["column"]) == list(data.load_events().columns)
    assert "international_support" in columns.set_index("column").loc["dimension", "allowed"]
    with pytest.raises(KeyError, match="the resources are"):
        data.column_summary("nosuch", DATA)


def test_bibliography_entries_resolve_keys_to_readable_references():
    refs = data.bibliography_entries(
        ["hayrapetyan2022russian", "jeuneafrique2018centrafrique"], BIB
    )
    first, second = refs.iloc[0], refs.iloc[1]
    assert first["author"] == "Hayrapetyan, Lilit; Kučera, Josef"
    assert first["year"] == "2022" and first["title"].startswith(
        "Russian Foot on the Central African Republic"
    )
    assert "{" not in second["title"] and "société minière" in second["title"]
    assert second["url"].startswith("https://www.jeuneafrique.com/")
    with pytest.raises(KeyError, match="nosuch2099key"):
        data.bibliography_entries(["nosuch2099key"], BIB)


# -- the overview figure ----------------------------------------------------------------------------------------


def test_event_counts_by_year():
    events = data.load_events()
    counts = event_counts_by_year(events)
    assert counts.to_numpy().sum() == len(events)
    assert list(counts.columns) == DIMENSIONS
    assert list(counts.index) == list(range(2016, 2027))
    wide = event_counts_by_year(events.iloc[:0], years=[2020, 2021])
    assert wide.to_numpy().sum() == 0 and list(wide.index) == [2020, 2021]
    with pytest.raises(ValueError, match="dimension"):
        event_counts_by_year(events[["date"]])
    with pytest.raises(ValueError, match="unknown dimension"):
        event_counts_by_year(events, dimensions=["economics"])


def test_events_per_year_figure():
    fig = events_per_year_figure(data.load_events())
    assert isinstance(fig, matplotlib.figure.Figure)
    ax = fig.axes[0]
    assert ax.get_title(loc="left")
    assert ax.get_xlabel() == "Year" and "events" in ax.get_ylabel()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == "Military and security cooperation" and len(labels) == 5
    heights = sum(patch.get_height() for patch in ax.patches)
    assert heights == len(data.load_events())


# -- the command line ------------------------------------------------------------------------------------------


def test_cli_valid_data_exits_0(capsys):
    assert main(["data", "validate", "--data-dir", str(DATA)]) == 0
    assert "valid" in capsys.readouterr().out


def test_cli_problems_exit_1_one_per_line(copy_dir, capsys):
    set_cell(copy_dir / "events.csv", 6, "dimension", "diplomacy")
    set_cell(copy_dir / "phases.csv", 2, "sources", "unknown2000key")
    assert main(["data", "validate", "--data-dir", str(copy_dir)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert any(
        line.startswith("events.csv, row 6, column 'dimension': 'diplomacy'") for line in out
    )
    assert any(line.startswith("phases.csv, row 2, column 'sources'") for line in out)
    assert len(out) == 2


def test_cli_missing_folder_exits_2(tmp_path, capsys):
    assert main(["data", "validate", "--data-dir", str(tmp_path / "nowhere")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_cli_runs_as_a_program():
    proc = subprocess.run(
        [sys.executable, "-m", "coursekit", "data", "validate"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_short_citations_replace_raw_keys():
    assert data.short_citations("hayrapetyan2022russian; walt1987origins") == (
        "Hayrapetyan & Kučera (2022); Walt (1987)"
    )
    assert data.short_citations(["leeds2002alliance"]) == "Leeds et al. (2002)"
    assert data.short_citations("") == ""
    with pytest.raises(KeyError, match="nokey1999"):
        data.short_citations("nokey1999")
