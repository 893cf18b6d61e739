"""The rules the schema cannot express: foreign keys across tables and the domain checks.

Phases are contiguous and events fall in their phase; each resolution's tally adds up to the UN membership and
agrees with the country votes; ranges run forwards (``low <= high``, ``start_year <= end_year``); the derived
ATOP/COW tables keep their own rules (counts, spells, dates, state codes).
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from coursekit.data.package import MEMBERSHIP, Problem
from coursekit.data.schema import _Table

# -- cross-table and domain checks ----------------------------------------------------------------------------


def _check_foreign_keys(tables: dict[str, _Table], problems: list[Problem]) -> None:
    for table in tables.values():
        for fk in table.schema.get("foreignKeys", []):
            columns = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
            ref = fk["reference"]
            target = tables.get(ref["resource"])
            if target is None:
                continue  # the missing target file is already reported
            ref_columns = ref["fields"] if isinstance(ref["fields"], list) else [ref["fields"]]
            known = {tuple(r.get(c) for c in ref_columns) for _, r in target.rows}
            for number, row in table.rows:
                value = tuple(row.get(c) for c in columns)
                if any(v is None for v in value):
                    continue
                if value not in known:
                    problems.append(
                        Problem(
                            table.file,
                            number,
                            columns[0],
                            f"'{', '.join(str(v) for v in value)}' is not in {target.file} "
                            f"(column {', '.join(ref_columns)}); add it there or correct it here.",
                        )
                    )


def _check_phases(tables: dict[str, _Table], problems: list[Problem]) -> None:
    phases = tables.get("phases")
    if phases is None:
        return
    previous_end: date | None = None
    for number, row in phases.rows:
        start, end = row.get("start"), row.get("end")
        if not (isinstance(start, date) and isinstance(end, date)):
            previous_end = None
            continue
        if start > end:
            problems.append(
                Problem(phases.file, number, "end", f"ends ({end}) before it starts ({start}).")
            )
        if previous_end is not None and (start - previous_end).days != 1:
            problems.append(
                Problem(
                    phases.file,
                    number,
                    "start",
                    f"{start} does not follow the previous phase's end ({previous_end}); phases must be "
                    "contiguous, in time order, with no gap or overlap.",
                )
            )
        previous_end = end

    events = tables.get("events")
    if events is None:
        return
    spans = [
        (r["phase"], start, end)
        for _, r in phases.rows
        if isinstance(start := r.get("start"), date) and isinstance(end := r.get("end"), date)
    ]
    for number, row in events.rows:
        day, phase = row.get("date"), row.get("phase")
        if not isinstance(day, date) or phase is None:
            continue
        right = next((p for p, s, e in spans if s <= day <= e), None)
        if right is None:
            problems.append(
                Problem(
                    events.file, number, "date", f"{day} falls outside every phase in phases.csv."
                )
            )
        elif right != phase:
            problems.append(
                Problem(
                    events.file,
                    number,
                    "phase",
                    f"'{phase}' disagrees with the date {day}, which falls in '{right}'; "
                    "correct the phase or the date.",
                )
            )


def _check_votes(tables: dict[str, _Table], problems: list[Problem]) -> None:
    resolutions = tables.get("un_resolutions")
    votes = tables.get("un_votes")
    tallies: dict[str, dict[str, int]] = {}
    if resolutions is not None:
        for number, row in resolutions.rows:
            counts = {k: row.get(k) for k in ("yes", "no", "abstain", "non_voting")}
            if any(not isinstance(v, int) for v in counts.values()):
                continue
            total = sum(counts.values())  # type: ignore[arg-type]
            if total != MEMBERSHIP:
                problems.append(
                    Problem(
                        resolutions.file,
                        number,
                        None,
                        f"tally adds up to {total} (yes + no + abstain + non_voting), not the "
                        f"{MEMBERSHIP} UN members; check it against the official record.",
                    )
                )
            if row.get("resolution") is not None:
                tallies[str(row["resolution"])] = counts  # type: ignore[assignment]
    if votes is None:
        return
    column_of = {"Yes": "yes", "No": "no", "Abstain": "abstain", "Non-voting": "non_voting"}
    by_resolution: dict[str, list[tuple[int, dict[str, object]]]] = {}
    for number, row in votes.rows:
        vote, status, note = row.get("vote"), row.get("status"), row.get("note")
        if status in ("confirmed", "inferred_from_tally") and vote is None:
            problems.append(
                Problem(
                    votes.file,
                    number,
                    "vote",
                    f"is empty but status is '{status}'; give the vote, or mark the row 'unconfirmed' "
                    "with a note.",
                )
            )
        if status == "inferred_from_tally" and not note:
            problems.append(
                Problem(
                    votes.file,
                    number,
                    "note",
                    "is empty; a vote inferred from the tally needs a note saying how it was inferred.",
                )
            )
        if status == "unconfirmed" and vote is not None:
            problems.append(
                Problem(
                    votes.file,
                    number,
                    "vote",
                    f"'{vote}' is given although status is 'unconfirmed'; an unconfirmed vote stays empty "
                    "(say what the sources allow in the note).",
                )
            )
        if status == "unconfirmed" and not note:
            problems.append(
                Problem(
                    votes.file,
                    number,
                    "note",
                    "is empty; an unconfirmed vote needs a note saying what the sources allow "
                    "(e.g. 'Yes or Non-voting').",
                )
            )
        if row.get("resolution") is not None:
            by_resolution.setdefault(str(row["resolution"]), []).append((number, row))

    members = tables.get("countries")
    member_codes = (
        {str(r["iso3"]) for _, r in members.rows if r.get("iso3") is not None} if members else set()
    )
    for resolution, rows in by_resolution.items():
        tally = tallies.get(resolution)
        if tally is None:
            continue
        counted = Counter(str(r["vote"]) for _, r in rows if r.get("vote") is not None)
        complete = len(rows) == MEMBERSHIP and all(r.get("vote") is not None for _, r in rows)
        last_row = rows[-1][0]
        if member_codes:
            codes = Counter(str(r.get("iso3")) for _, r in rows)
            for number, row in rows:
                code = str(row.get("iso3"))
                if code not in member_codes:
                    problems.append(
                        Problem(
                            votes.file,
                            number,
                            "iso3",
                            f"'{code}' is not a member state in countries.csv; use the member's ISO3 code.",
                        )
                    )
                elif codes[code] > 1:
                    problems.append(
                        Problem(
                            votes.file,
                            number,
                            "iso3",
                            f"{resolution}: '{code}' has {codes[code]} rows; keep one per member state.",
                        )
                    )
            missing = sorted(member_codes - set(codes))
            if missing:
                problems.append(
                    Problem(
                        votes.file,
                        last_row,
                        "iso3",
                        f"{resolution} has no row for {len(missing)} member state(s) "
                        f"({', '.join(missing[:10])}{', ...' if len(missing) > 10 else ''}); every one of "
                        f"the {MEMBERSHIP} members needs a row (empty vote, status 'unconfirmed', if unknown).",
                    )
                )
        unknown = sum(1 for _, r in rows if r.get("vote") is None)
        open_total = sum(max(tally[c] - counted.get(v, 0), 0) for v, c in column_of.items())
        if len(rows) == MEMBERSHIP and unknown != open_total:
            gaps = ", ".join(f"{v} {tally[c] - counted.get(v, 0):+d}" for v, c in column_of.items())
            problems.append(
                Problem(
                    votes.file,
                    last_row,
                    "vote",
                    f"{resolution}: {unknown} votes are unknown but the official tally leaves "
                    f"{open_total} open (official minus counted: {gaps}); correct the votes or the tally.",
                )
            )
        for label, column in column_of.items():
            have, official = counted.get(label, 0), tally[column]
            if have > official:
                problems.append(
                    Problem(
                        votes.file,
                        last_row,
                        "vote",
                        f"{resolution} has {have} '{label}' votes but the official tally in "
                        f"un_resolutions.csv is {official} (difference {have - official:+d}); correct "
                        "the votes or the tally.",
                    )
                )
            elif complete and have != official:
                problems.append(
                    Problem(
                        votes.file,
                        last_row,
                        "vote",
                        f"{resolution}: all {MEMBERSHIP} members are listed but '{label}' votes number "
                        f"{have}, not the official {official} (difference {have - official:+d}); "
                        "correct the votes or the tally.",
                    )
                )

    if resolutions is None:
        return
    car_rows = {
        str(r["resolution"]): r
        for _, r in votes.rows
        if r.get("iso3") == "CAF" and r.get("resolution") is not None
    }
    for number, row in resolutions.rows:
        res_id = row.get("resolution")
        if res_id is None:
            continue
        car = car_rows.get(str(res_id))
        if car is None:
            problems.append(
                Problem(
                    resolutions.file,
                    number,
                    "car_vote",
                    f"un_votes.csv has no row for the Central African Republic (CAF) on {res_id}; add one.",
                )
            )
        elif car.get("vote") != row.get("car_vote"):
            problems.append(
                Problem(
                    resolutions.file,
                    number,
                    "car_vote",
                    f"'{row.get('car_vote') or ''}' disagrees with the CAR's row in un_votes.csv "
                    f"('{car.get('vote') or ''}'); make them agree.",
                )
            )


def _check_other_rules(tables: dict[str, _Table], problems: list[Problem]) -> None:
    personnel = tables.get("personnel")
    if personnel is not None:
        for number, row in personnel.rows:
            low, high = row.get("low"), row.get("high")
            if isinstance(low, int) and isinstance(high, int) and low > high:
                problems.append(
                    Problem(
                        personnel.file,
                        number,
                        "low",
                        f"{low} is greater than high ({high}); low <= high (equal for a single figure).",
                    )
                )
    cases = tables.get("alliance_cases")
    if cases is not None:
        for number, row in cases.rows:
            start, end, outcome = row.get("start_year"), row.get("end_year"), row.get("outcome")
            if isinstance(start, int) and isinstance(end, int) and end < start:
                problems.append(
                    Problem(cases.file, number, "end_year", f"{end} is before start_year {start}.")
                )
            if outcome == "ended" and end is None:
                problems.append(
                    Problem(
                        cases.file,
                        number,
                        "end_year",
                        "is empty but the outcome is 'ended'; give the year.",
                    )
                )
            if outcome == "ongoing" and end is not None:
                problems.append(
                    Problem(
                        cases.file,
                        number,
                        "end_year",
                        f"is {end} but the outcome is 'ongoing'; leave it empty or change the outcome.",
                    )
                )
    context = tables.get("context_indicators")
    if context is not None:
        for number, row in context.rows:
            year, as_of = row.get("year"), row.get("as_of")
            if isinstance(year, int) and isinstance(as_of, date) and as_of.year != year:
                problems.append(
                    Problem(
                        context.file,
                        number,
                        "as_of",
                        f"{as_of} is not in the row's year {year}; a figure describes the year it is dated in.",
                    )
                )


_OBLIGATIONS = ("defense", "offense", "neutral", "nonagg", "consul")


def _check_real_data(tables: dict[str, _Table], problems: list[Problem]) -> None:
    """Rules of the ATOP/COW tables that the schema cannot express (counts, spells, dates, state codes)."""
    states = tables.get("cow_states")
    known = {r["ccode"] for _, r in states.rows if r.get("ccode") is not None} if states else None

    def unknown_state(table: _Table, number: int, row: dict[str, object], column: str) -> None:
        code = row.get(column)
        if known is not None and code is not None and code not in known:
            problems.append(
                Problem(
                    table.file,
                    number,
                    column,
                    f"{code} is not a COW state code in cow_states.csv; correct it or re-run "
                    "data/scripts/derive_atop_cow.py.",
                )
            )

    by_year = tables.get("atop_obligations_by_year")
    if by_year is not None:
        previous: int | None = None
        for number, row in by_year.rows:
            year, allied = row.get("year"), row.get("allied_dyads")
            if isinstance(year, int) and previous is not None and year != previous + 1:
                problems.append(
                    Problem(
                        by_year.file,
                        number,
                        "year",
                        f"{year} does not follow {previous}; the table has one row per year, in order.",
                    )
                )
            previous = year if isinstance(year, int) else None
            for column in _OBLIGATIONS:
                value = row.get(column)
                if isinstance(value, int) and isinstance(allied, int) and value > allied:
                    problems.append(
                        Problem(
                            by_year.file,
                            number,
                            column,
                            f"{value} pairs with this pledge, but only {allied} allied pairs "
                            "(allied_dyads) that year; a count cannot exceed it.",
                        )
                    )

    spells = tables.get("atop_dyad_spells")
    if spells is not None:
        last_end: dict[tuple[object, object], tuple[int, int]] = {}
        for number, row in spells.rows:
            a, b = row.get("ccode_a"), row.get("ccode_b")
            start, end, years = row.get("start_year"), row.get("end_year"), row.get("years")
            unknown_state(spells, number, row, "ccode_a")
            unknown_state(spells, number, row, "ccode_b")
            if isinstance(a, int) and isinstance(b, int) and a >= b:
                problems.append(
                    Problem(
                        spells.file,
                        number,
                        "ccode_b",
                        f"{b} is not greater than ccode_a ({a}); write each pair once, smaller code first.",
                    )
                )
            if isinstance(start, int) and isinstance(end, int):
                if end < start:
                    problems.append(
                        Problem(
                            spells.file, number, "end_year", f"{end} is before start_year {start}."
                        )
                    )
                elif isinstance(years, int) and years != end - start + 1:
                    problems.append(
                        Problem(
                            spells.file,
                            number,
                            "years",
                            f"{years} disagrees with start_year {start} and end_year {end} "
                            f"(end_year - start_year + 1 = {end - start + 1}).",
                        )
                    )
                earlier = last_end.get((a, b))
                if earlier is not None and start <= earlier[1] + 1:
                    problems.append(
                        Problem(
                            spells.file,
                            number,
                            "start_year",
                            f"{start} overlaps or touches the spell of the same pair in row {earlier[0]} "
                            f"(ending {earlier[1]}); spells of a pair are separated by at least one year "
                            "without alliance, in time order.",
                        )
                    )
                last_end[(a, b)] = (number, end)
            for column in (f"{o}_years" for o in _OBLIGATIONS):
                value = row.get(column)
                if isinstance(value, int) and isinstance(years, int) and value > years:
                    problems.append(
                        Problem(
                            spells.file,
                            number,
                            column,
                            f"{value} is more than the spell's length ({years} years).",
                        )
                    )
            measured = [row.get(c) is not None for c in ("cinc_year", "cinc_a", "cinc_b")]
            if any(measured) and not all(measured):
                problems.append(
                    Problem(
                        spells.file,
                        number,
                        "cinc_year",
                        "cinc_year, cinc_a and cinc_b are filled together or left empty together.",
                    )
                )
            cinc_year = row.get("cinc_year")
            if (
                isinstance(cinc_year, int)
                and isinstance(start, int)
                and isinstance(end, int)
                and not start <= cinc_year <= end
            ):
                problems.append(
                    Problem(
                        spells.file,
                        number,
                        "cinc_year",
                        f"{cinc_year} is outside the spell ({start}–{end}); capabilities are measured "
                        "in a year of the spell.",
                    )
                )

    for name in ("cow_states", "cow_major_powers"):
        table = tables.get(name)
        if table is None:
            continue
        for number, row in table.rows:
            start, end = row.get("start_date"), row.get("end_date")
            if isinstance(start, date) and isinstance(end, date) and end < start:
                problems.append(
                    Problem(table.file, number, "end_date", f"{end} is before start_date {start}.")
                )
            if name == "cow_major_powers":
                unknown_state(table, number, row, "ccode")

    capabilities = tables.get("cow_capabilities_case")
    if capabilities is not None:
        for number, row in capabilities.rows:
            unknown_state(capabilities, number, row, "ccode")
