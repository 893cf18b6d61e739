"""Build data/un_votes.csv from the transcribed roll-call lists in un_roll_calls.toml.

Run from the repository root::

    .venv/bin/python data/scripts/build_un_votes.py          # rewrite data/un_votes.csv
    .venv/bin/python data/scripts/build_un_votes.py --check  # fail if the CSV is out of date

Rules (see CONTRIBUTING.md, "Unconfirmed votes"):

* a member named in a source's list for a resolution gets that vote, status ``confirmed``, and the
  source keys of every list that names it;
* two sources that disagree about a member are resolved only by a ``[[conflict]]`` entry, which says
  which reading the course follows and why; both readings go into the note;
* after that, for each resolution the official tally (``un_resolutions.csv``) is compared with the
  confirmed counts. When every category but one is full, the members left over can only have the
  vote of that last category: they get it with status ``inferred_from_tally`` (never ``confirmed``);
* any other member keeps an empty vote, status ``unconfirmed``, and a note listing the positions the
  tally still allows.

The script refuses to write a table in which a category has more confirmed votes than its tally, a
name it cannot map to a member state, or a list marked ``complete`` whose length differs from the tally.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import tomllib
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
SOURCE = Path(__file__).with_name("un_roll_calls.toml")
VOTES = ("Yes", "No", "Abstain", "Non-voting")
TALLY_COLUMN = {"Yes": "yes", "No": "no", "Abstain": "abstain", "Non-voting": "non_voting"}
FIELDS = ("resolution", "country", "iso3", "african", "vote", "status", "note", "sources")

# Spellings used by the sources -> ISO 3166-1 alpha-3. Names equal to the UN short name in
# countries.csv (ignoring case, accents and punctuation) need no entry.
ALIASES = {
    "antigua-barbuda": "ATG",
    "azerbaiyan": "AZE",
    "guinea ecuatorial": "GNQ",
    "libano": "LBN",
    "bahamas the": "BHS",
    "bolivia": "BOL",
    "bosnia and herz": "BIH",
    "bosnia-herzegovina": "BIH",
    "brunei": "BRN",
    "cape verde": "CPV",
    "central african rep": "CAF",
    "czech republic": "CZE",
    "dem rep congo": "COD",
    "dominican rep": "DOM",
    "eq guinea": "GNQ",
    "eswatini": "SWZ",
    "swaziland": "SWZ",
    "gambia the": "GMB",
    "granada": "GRD",
    "iran": "IRN",
    "islamic republic of iran": "IRN",
    "ivory coast": "CIV",
    "cote divoire": "CIV",
    "laos": "LAO",
    "lao": "LAO",
    "macedonia": "MKD",
    "micronesia": "FSM",
    "moldova": "MDA",
    "north korea": "PRK",
    "republic of congo": "COG",
    "russia": "RUS",
    "s sudan": "SSD",
    "sao tome": "STP",
    "saint vincent and grenadines": "VCT",
    "south korea": "KOR",
    "syria": "SYR",
    "tanzania": "TZA",
    "turkey": "TUR",
    "united kingdom": "GBR",
    "united states": "USA",
    "venezuela": "VEN",
    "vietnam": "VNM",
}


def _key(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = text.casefold().replace("'", "").replace(".", "").replace("(", "").replace(")", "")
    text = text.replace(",", " ")
    if text.startswith("the "):
        text = text[4:]
    return " ".join(text.split())


def load_countries() -> dict[str, dict[str, str]]:
    with open(DATA / "countries.csv", encoding="utf-8", newline="") as f:
        return {row["iso3"]: row for row in csv.DictReader(f)}


def load_tallies() -> dict[str, dict[str, int]]:
    with open(DATA / "un_resolutions.csv", encoding="utf-8", newline="") as f:
        return {
            row["resolution"]: {v: int(row[TALLY_COLUMN[v]]) for v in VOTES}
            for row in csv.DictReader(f)
        }


def name_index(countries: dict[str, dict[str, str]]) -> dict[str, str]:
    index = {_key(row["country"]): iso3 for iso3, row in countries.items()}
    index.update({_key(k): v for k, v in ALIASES.items()})
    for key, iso3 in list(
        index.items()
    ):  # "Iran (Islamic Republic of)" -> "iran islamic republic of"
        index.setdefault(key.split(" ")[0] if iso3 in ("BOL", "VEN", "IRN", "FSM") else key, iso3)
    return index


def build() -> list[dict[str, str]]:
    countries = load_countries()
    tallies = load_tallies()
    spec = tomllib.loads(SOURCE.read_text(encoding="utf-8"))
    index = name_index(countries)
    errors: list[str] = []

    def iso_of(name: str, where: str) -> str | None:
        iso3 = index.get(_key(name))
        if iso3 is None:
            errors.append(f"{where}: cannot map the name {name!r} to a member state; add an alias.")
        return iso3

    # claims[resolution][iso3] = {vote: [sources]}
    claims: dict[str, dict[str, dict[str, list[str]]]] = {r: {} for r in tallies}
    for item in spec.get("list", []):
        res, vote, source = item["resolution"], item["vote"], item["source"]
        where = f"{res} {vote} list of {source}"
        if res not in tallies or vote not in VOTES:
            errors.append(f"{where}: unknown resolution or vote.")
            continue
        isos = [i for i in (iso_of(n, where) for n in item["names"]) if i]
        if len(set(isos)) != len(isos):
            errors.append(f"{where}: a member is named twice.")
        if item.get("complete") and len(set(isos)) != tallies[res][vote]:
            errors.append(
                f"{where}: marked complete but names {len(set(isos))}, official tally {tallies[res][vote]}."
            )
        for iso3 in isos:
            sources = claims[res].setdefault(iso3, {}).setdefault(vote, [])
            if source not in sources:
                sources.append(source)

    conflicts = {}
    for c in spec.get("conflict", []):
        if c["country"] == "(tally)":
            continue
        iso3 = iso_of(c["country"], f"conflict on {c['resolution']}")
        conflicts[(c["resolution"], iso3)] = c
    remarks = {}
    for r in spec.get("remark", []):
        remarks[(r["resolution"], iso_of(r["country"], f"remark on {r['resolution']}"))] = r["text"]

    rows: list[dict[str, str]] = []
    for res, tally in tallies.items():
        decided: dict[str, tuple[str, list[str], str]] = {}
        for iso3, by_vote in claims[res].items():
            conflict = conflicts.get((res, iso3))
            if len(by_vote) > 1 and conflict is None:
                errors.append(
                    f"{res} {countries[iso3]['country']}: sources disagree ({by_vote}); add a [[conflict]]."
                )
                continue
            if conflict is not None:
                vote = next(v for v, s in by_vote.items() if conflict["follow"] in s)
                others = [s for v, ss in by_vote.items() if v != vote for s in ss]
                note = (
                    "Sources disagree: "
                    + "; ".join(conflict["readings"])
                    + f". The course follows {conflict['follow']}: {conflict['why']}"
                )
                decided[iso3] = (vote, [*by_vote[vote], *others], note)
            else:
                ((vote, sources),) = by_vote.items()
                decided[iso3] = (vote, sources, "")
        counts = {v: sum(1 for d in decided.values() if d[0] == v) for v in VOTES}
        gaps = {v: tally[v] - counts[v] for v in VOTES}
        for v, gap in gaps.items():
            if gap < 0:
                errors.append(
                    f"{res}: {counts[v]} confirmed '{v}' votes exceed the official {tally[v]}."
                )
        unknown = [i for i in countries if i not in decided]
        open_votes = [v for v in VOTES if gaps[v] > 0]
        if sum(max(g, 0) for g in gaps.values()) != len(unknown):
            errors.append(
                f"{res}: {len(unknown)} members without a vote but the tally leaves {gaps}."
            )
        tally_key = "unpress_tally"
        for iso3 in countries:
            row = countries[iso3]
            base = {
                "resolution": res,
                "country": row["country"],
                "iso3": iso3,
                "african": row["au_member"],
            }
            extra = remarks.get((res, iso3), "")
            if iso3 in decided:
                vote, sources, note = decided[iso3]
                status = "confirmed"
            elif len(open_votes) == 1:
                vote, status = open_votes[0], "inferred_from_tally"
                sources = [tally_key]
                note = (
                    f"No source read names this vote; every other category is full, so the "
                    f"{len(unknown)} members left must be the official {tally[vote]} '{vote}' "
                    f"minus the {counts[vote]} confirmed."
                )
            else:
                vote, status, sources = "", "unconfirmed", [tally_key]
                note = (
                    "No source read names this vote; the official tally still leaves "
                    + " or ".join(f"{v} ({gaps[v]} open)" for v in open_votes)
                    + "."
                )
            base.update(
                vote=vote,
                status=status,
                note=" ".join(t for t in (note, extra) if t),
                sources="; ".join(sources),
            )
            rows.append(base)
    if errors:
        raise SystemExit("build_un_votes: cannot build un_votes.csv:\n  " + "\n  ".join(errors))
    # The source of an inferred or unconfirmed row is the resolution's official tally.
    with open(DATA / "un_resolutions.csv", encoding="utf-8", newline="") as f:
        tally_sources = {
            r["resolution"]: r["sources"].split(";")[0].strip() for r in csv.DictReader(f)
        }
    for row in rows:
        row["sources"] = row["sources"].replace("unpress_tally", tally_sources[row["resolution"]])
    rows.sort(key=lambda r: (list(tallies).index(r["resolution"]), r["country"]))
    return rows


def render(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if un_votes.csv is out of date")
    args = parser.parse_args(argv)
    text = render(build())
    target = DATA / "un_votes.csv"
    if args.check:
        if target.read_text(encoding="utf-8") != text:
            print(
                "data/un_votes.csv is out of date; run data/scripts/build_un_votes.py",
                file=sys.stderr,
            )
            return 1
        return 0
    target.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
