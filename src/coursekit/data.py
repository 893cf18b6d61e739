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
"""

from __future__ import annotations

import csv
import functools
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from coursekit.paths import data_dir as _default_data_dir

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

MEMBERSHIP = 193
"""Number of UN member states: every resolution's tally adds up to it."""

TABLES: dict[str, str] = {
    "phases": "phases.csv",
    "events": "events.csv",
    "countries": "countries.csv",
    "un_resolutions": "un_resolutions.csv",
    "un_votes": "un_votes.csv",
    "personnel": "personnel.csv",
    "arms_deliveries": "arms_deliveries.csv",
    "mining": "mining.csv",
    "context_indicators": "context_indicators.csv",
    "alliance_cases": "alliance_cases.csv",
    "durability_indicators": "durability_indicators.csv",
    "atop_obligations_by_year": "atop_obligations_by_year.csv",
    "atop_dyad_spells": "atop_dyad_spells.csv",
    "cow_states": "cow_states.csv",
    "cow_major_powers": "cow_major_powers.csv",
    "cow_capabilities_case": "cow_capabilities_case.csv",
}
"""Resource name in ``datapackage.json`` → CSV file, in the order tables are checked and loaded."""

PACKAGE_FILE = "datapackage.json"
BIB_FILE = "references.bib"

_BIB_ENTRY = re.compile(r"^\s*@\s*([A-Za-z]+)\s*[{(]\s*([^,\s]+)\s*,", re.MULTILINE)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


# -- problems -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, located as precisely as possible.

    Attributes
    ----------
    file : str
        File name inside the data folder (e.g. ``events.csv``), or ``references.bib``.
    row : int or None
        Row number as a spreadsheet shows it: the header is row 1, the first data row is row 2. ``None`` for a
        problem with the whole file (missing file, missing column).
    column : str or None
        Column name, or ``None`` when the problem concerns a whole row or file.
    message : str
        What is wrong and how to fix it.
    """

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


class DataError(ValueError):
    """Raised by a loader when its table is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem], table: str | None = None) -> None:
        self.problems = list(problems)
        head = f"{len(self.problems)} problem(s) in the course data"
        if table:
            head += f" (table '{table}')"
        lines = [head + ":"] + [f"  - {p}" for p in self.problems]
        lines.append("Fix the file(s) named above, then run `coursekit data validate` to check.")
        super().__init__("\n".join(lines))


# -- paths, package and bibliography --------------------------------------------------------------------------


def _folder(data_dir: str | Path | None) -> Path:
    return (Path(data_dir) if data_dir is not None else _default_data_dir()).resolve()


def _bib_path(folder: Path) -> Path:
    """``references.bib`` in the data folder if there is one, else next to it (the project root)."""
    inside = folder / BIB_FILE
    return inside if inside.is_file() else folder.parent / BIB_FILE


@functools.cache
def _read_package(folder: Path) -> dict[str, Any]:
    return json.loads((folder / PACKAGE_FILE).read_text(encoding="utf-8"))


def read_package(data_dir: str | Path | None = None) -> dict[str, Any]:
    """Return the parsed ``datapackage.json`` of the data folder.

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder; default :func:`coursekit.paths.data_dir`.

    Returns
    -------
    dict
        The package descriptor (a fresh copy).

    Raises
    ------
    FileNotFoundError
        If the folder has no ``datapackage.json``.
    """
    folder = _folder(data_dir)
    if not (folder / PACKAGE_FILE).is_file():
        raise FileNotFoundError(
            f"{folder / PACKAGE_FILE} not found: the data folder must contain the package descriptor."
        )
    return json.loads(json.dumps(_read_package(folder)))


@functools.cache
def _bib_keys(path: Path) -> frozenset[str]:
    text = path.read_text(encoding="utf-8")
    return frozenset(
        m.group(2) for m in _BIB_ENTRY.finditer(text) if m.group(1).lower() != "comment"
    )


def bib_keys(path: str | Path | None = None) -> frozenset[str]:
    """Return the entry keys of a BibTeX file.

    Parameters
    ----------
    path : str or Path, optional
        The ``.bib`` file; default ``references.bib`` of the course.

    Returns
    -------
    frozenset of str
        Every key declared as ``@type{key,`` (``@comment`` excluded).
    """
    return _bib_keys(Path(path).resolve() if path is not None else _bib_path(_folder(None)))


_LATEX_ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
}


def _latex_to_text(value: str) -> str:
    """Turn the LaTeX of a BibTeX field into plain text (accents, dashes, quotes and braces)."""
    import unicodedata

    def accent(match: re.Match[str]) -> str:
        mark, letter = match.group(1), match.group(2)
        return unicodedata.normalize("NFC", letter + _LATEX_ACCENTS[mark])

    text = re.sub(r"\\([\'`^\"~vHc=.u])\s*\{?\s*([A-Za-z])\}?", accent, value)
    text = text.replace("\\&", "&").replace("---", "\u2014").replace("--", "\u2013")
    text = text.replace("``", "\u201c").replace("''", "\u201d")
    text = text.replace("`", "\u2018")
    text = text.replace("{", "").replace("}", "")
    return re.sub(r"\s+", " ", text).strip()


def _bib_fields(body: str) -> dict[str, str]:
    """Parse ``name = {value}`` / ``name = "value"`` / ``name = 123`` pairs, respecting nested braces."""
    fields: dict[str, str] = {}
    pos = 0
    pattern = re.compile(r"\s*,?\s*([A-Za-z_-]+)\s*=\s*")
    while True:
        match = pattern.match(body, pos)
        if not match:
            break
        name, pos = match.group(1).lower(), match.end()
        if pos < len(body) and body[pos] == "{":
            depth, start = 0, pos
            while pos < len(body):
                if body[pos] == "{":
                    depth += 1
                elif body[pos] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                pos += 1
            fields[name] = body[start + 1 : pos]
            pos += 1
        elif pos < len(body) and body[pos] == '"':
            end = body.find('"', pos + 1)
            fields[name] = body[pos + 1 : end]
            pos = end + 1
        else:
            bare = re.match(r"[^,\s}]+", body[pos:])
            fields[name] = bare.group(0) if bare else ""
            pos += len(fields[name])
    return fields


@functools.cache
def _bib_entries(path: Path) -> dict[str, dict[str, str]]:
    text = path.read_text(encoding="utf-8")
    starts = list(_BIB_ENTRY.finditer(text))
    entries: dict[str, dict[str, str]] = {}
    for i, match in enumerate(starts):
        if match.group(1).lower() == "comment":
            continue
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        fields = _bib_fields(text[match.end() : end])
        fields["type"] = match.group(1).lower()
        entries[match.group(2)] = fields
    return entries


def bibliography_entries(
    keys: list[str] | None = None, path: str | Path | None = None
) -> pd.DataFrame:
    """Readable references for bibliography keys, for tables that map a data row's sources to works.

    Parameters
    ----------
    keys : list of str, optional
        The keys to describe, in this order; default every entry of the file.
    path : str or Path, optional
        The ``.bib`` file; default ``references.bib`` of the course.

    Returns
    -------
    pandas.DataFrame
        ``key``, ``author``, ``year``, ``title``, ``published`` (journal, publisher, institution or
        ``howpublished``) and ``url``, as plain text (LaTeX accents and braces resolved).

    Raises
    ------
    KeyError
        If a requested key is not in the file.
    """
    bib = Path(path).resolve() if path is not None else _bib_path(_folder(None))
    entries = _bib_entries(bib)
    wanted = list(entries) if keys is None else list(keys)
    missing = [k for k in wanted if k not in entries]
    if missing:
        raise KeyError(f"not in {bib.name}: {', '.join(missing)}; add full entries for them.")
    rows = []
    for key in wanted:
        fields = entries[key]
        published = next(
            (
                fields[f]
                for f in ("journal", "booktitle", "publisher", "institution", "howpublished")
                if f in fields
            ),
            "",
        )
        rows.append(
            {
                "key": key,
                "author": _latex_to_text(fields.get("author", "")).replace(" and ", "; "),
                "year": _latex_to_text(fields.get("year", "")),
                "title": _latex_to_text(fields.get("title", "")),
                "published": _latex_to_text(published),
                "url": fields.get("url", "").strip(),
            }
        )
    return pd.DataFrame.from_records(
        rows, columns=["key", "author", "year", "title", "published", "url"]
    )


def split_keys(cell: object) -> list[str]:
    """Split a ``;``-separated cell (``sources``, ``actors``) into its stripped, non-empty parts.

    Examples
    --------
    >>> split_keys("walt1987origins; tass2020brdm")
    ['walt1987origins', 'tass2020brdm']
    """
    if cell is None or (isinstance(cell, float) and pd.isna(cell)):
        return []
    return [part.strip() for part in str(cell).split(";") if part.strip()]


def short_citations(keys: object, path: str | Path | None = None) -> str:
    """Readable author–year citations for bibliography keys, for notes shown to readers instead of raw keys.

    Parameters
    ----------
    keys : str or list of str
        A ``;``-separated cell (as in a ``sources`` column) or a list of keys.
    path : str or Path, optional
        The ``.bib`` file; default ``references.bib`` of the course.

    Returns
    -------
    str
        ``"Walt (1987); Hayrapetyan & Kučera (2022)"``: one or two surnames, or the first surname and "et al.",
        then the year; ``""`` when there are no keys.

    Raises
    ------
    KeyError
        If a key is not in the bibliography.
    """
    wanted = split_keys(";".join(keys)) if isinstance(keys, list | tuple) else split_keys(keys)
    if not wanted:
        return ""
    entries = bibliography_entries(wanted, path).set_index("key")
    out = []
    for key in wanted:
        surnames = [
            name.split(",")[0].strip() for name in str(entries.at[key, "author"]).split(";")
        ]
        who = " & ".join(surnames) if len(surnames) <= 2 else f"{surnames[0]} et al."
        out.append(f"{who} ({entries.at[key, 'year']})")
    return "; ".join(out)


# -- reading a CSV into raw rows ------------------------------------------------------------------------------


@dataclass
class _Raw:
    """A CSV file read as text: the header and the data rows (row number → {column: text})."""

    file: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]


def _read_raw(folder: Path, file: str, problems: list[Problem]) -> _Raw | None:
    path = folder / file
    if not path.is_file():
        problems.append(
            Problem(file, None, None, f"file is missing from {folder}; restore it (e.g. from git).")
        )
        return None
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if not header:
                problems.append(Problem(file, None, None, "file is empty: it needs a header row."))
                return None
            header = [h.strip() for h in header]
            rows: list[tuple[int, dict[str, str]]] = []
            for number, values in enumerate(reader, start=2):
                if not any(v.strip() for v in values):
                    continue  # a blank line is not a row
                if len(values) != len(header):
                    problems.append(
                        Problem(
                            file,
                            number,
                            None,
                            f"has {len(values)} cells but the header has {len(header)}; "
                            "check for a missing or extra comma, or quote cells that contain commas.",
                        )
                    )
                    values = (values + [""] * len(header))[: len(header)]
                rows.append((number, dict(zip(header, values, strict=True))))
    except UnicodeDecodeError as exc:
        problems.append(Problem(file, None, None, f"is not valid UTF-8 ({exc}); save it as UTF-8."))
        return None
    return _Raw(file, header, rows)


# -- schema checks --------------------------------------------------------------------------------------------


def _parse_date(text: str) -> date | None:
    if not _DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _cast(field: dict[str, Any], text: str) -> tuple[object, str | None]:
    """Cast a non-empty cell to the field's type; return (value, error message or None)."""
    kind = field.get("type", "string")
    if kind == "date":
        value = _parse_date(text)
        if value is None:
            return None, f"'{text}' is not a valid date; write it as YYYY-MM-DD (e.g. 2020-12-22)."
        return value, None
    if kind == "integer":
        if not _INTEGER.fullmatch(text):
            return None, f"'{text}' is not a whole number."
        return int(text), None
    if kind == "number":
        if not _NUMBER.fullmatch(text):
            return None, f"'{text}' is not a number."
        return float(text), None
    if kind == "boolean":
        true_values = field.get("trueValues", ["true"])
        false_values = field.get("falseValues", ["false"])
        if text in true_values:
            return True, None
        if text in false_values:
            return False, None
        allowed = ", ".join(repr(v) for v in [*true_values, *false_values])
        return None, f"'{text}' is not a boolean; write one of {allowed}."
    return text, None


def _check_constraints(field: dict[str, Any], value: object, text: str) -> str | None:
    cons = field.get("constraints", {})
    if "enum" in cons:
        allowed = cons["enum"]
        if value not in allowed:
            shown = ", ".join(repr(a) for a in allowed)
            return f"'{text}' is not an allowed value; use one of {shown}."
    if "pattern" in cons and not re.fullmatch(cons["pattern"], text):
        return f"'{text}' does not have the expected form (pattern {cons['pattern']})."
    if "minimum" in cons and isinstance(value, int | float) and value < cons["minimum"]:
        return f"{text} is below the minimum {cons['minimum']}."
    if "maximum" in cons and isinstance(value, int | float) and value > cons["maximum"]:
        return f"{text} is above the maximum {cons['maximum']}."
    if "maxLength" in cons and len(text) > cons["maxLength"]:
        return f"is {len(text)} characters long; shorten it to at most {cons['maxLength']}."
    return None


@dataclass
class _Table:
    """A checked table: raw rows plus the typed values of the cells that passed their checks."""

    name: str
    file: str
    schema: dict[str, Any]
    rows: list[tuple[int, dict[str, object]]]  # row number → {column: typed value or None}


def _check_table(
    folder: Path,
    name: str,
    resource: dict[str, Any],
    keys: frozenset[str] | None,
    problems: list[Problem],
) -> _Table | None:
    """Check one CSV against its schema and the bibliography; return its typed rows (None if unreadable)."""
    file = resource.get("path", TABLES.get(name, f"{name}.csv"))
    schema = resource.get("schema", {})
    fields = schema.get("fields", [])
    raw = _read_raw(folder, file, problems)
    if raw is None:
        return None
    expected = [f["name"] for f in fields]
    missing = [c for c in expected if c not in raw.header]
    for column in missing:
        problems.append(
            Problem(
                file,
                None,
                column,
                "column is missing; add it to the header (see datapackage.json).",
            )
        )
    for column in raw.header:
        if column not in expected:
            problems.append(
                Problem(
                    file,
                    None,
                    column,
                    "is not a column of this table in datapackage.json; remove it or describe it there.",
                )
            )
    if not missing and [c for c in raw.header if c in expected] != expected:
        problems.append(
            Problem(
                file, None, None, f"columns are out of order; the order is: {', '.join(expected)}."
            )
        )

    typed_rows: list[tuple[int, dict[str, object]]] = []
    seen: dict[str, dict[str, tuple[object, str | None]]] = {f["name"]: {} for f in fields}
    for number, cells in raw.rows:
        typed: dict[str, object] = {}
        for field in fields:
            column = field["name"]
            if column not in cells:
                typed[column] = None
                continue
            text = cells[column].strip()
            if text != cells[column]:
                problems.append(
                    Problem(file, number, column, "has spaces at the start or end; remove them.")
                )
            if text == "":
                typed[column] = None
                if field.get("constraints", {}).get("required"):
                    problems.append(
                        Problem(file, number, column, "is empty but required; fill it in.")
                    )
                continue
            # Casting and constraint checks depend only on the field and the text: check each distinct
            # text of a column once (the large ATOP/COW tables repeat years, codes and counts).
            memo = seen[column]
            if text in memo:
                value, error = memo[text]
            else:
                value, error = _cast(field, text)
                if error is None:
                    error = _check_constraints(field, value, text)
                memo[text] = (value, error)
            if error is not None:
                problems.append(Problem(file, number, column, error))
                typed[column] = None
            else:
                typed[column] = value
        typed_rows.append((number, typed))

    table = _Table(name, file, schema, typed_rows)
    _check_unique(table, problems)
    if keys is not None and "sources" in expected:
        _check_sources(table, keys, problems)
    if "date_precision" in expected and "date" in expected:
        _check_precision(table, problems)
    return table


def _check_unique(table: _Table, problems: list[Problem]) -> None:
    fields = table.schema.get("fields", [])
    key_sets = [[f["name"]] for f in fields if f.get("constraints", {}).get("unique")]
    primary = table.schema.get("primaryKey")
    if primary:
        key_sets.append([primary] if isinstance(primary, str) else list(primary))
    for key in {tuple(k) for k in key_sets}:
        first: dict[tuple[object, ...], int] = {}
        for number, row in table.rows:
            value = tuple(row.get(c) for c in key)
            if any(v is None for v in value):
                continue
            if value in first:
                shown = ", ".join(str(v) for v in value)
                problems.append(
                    Problem(
                        table.file,
                        number,
                        key[0] if len(key) == 1 else None,
                        f"duplicates row {first[value]} ({' + '.join(key)} = {shown}); "
                        "each must be unique: merge or remove one of the rows.",
                    )
                )
            else:
                first[value] = number


def _check_sources(table: _Table, keys: frozenset[str], problems: list[Problem]) -> None:
    for number, row in table.rows:
        for key in split_keys(row.get("sources")):
            if key not in keys:
                problems.append(
                    Problem(
                        table.file,
                        number,
                        "sources",
                        f"source key '{key}' is not in references.bib; add a full entry for it "
                        "(or correct the key).",
                    )
                )


def _check_precision(table: _Table, problems: list[Problem]) -> None:
    for number, row in table.rows:
        day, precision = row.get("date"), row.get("date_precision")
        if not isinstance(day, date) or precision is None:
            continue
        if precision == "month" and day.day != 1:
            problems.append(
                Problem(
                    table.file,
                    number,
                    "date",
                    f"{day.isoformat()} has precision 'month', so it must be the first of the month "
                    f"({day.replace(day=1).isoformat()}); or set date_precision to 'day'.",
                )
            )
        if precision == "year" and (day.month, day.day) != (1, 1):
            problems.append(
                Problem(
                    table.file,
                    number,
                    "date",
                    f"{day.isoformat()} has precision 'year', so it must be 1 January "
                    f"({day.year}-01-01); or give the precision the date really has.",
                )
            )


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
        (r["phase"], r["start"], r["end"])
        for _, r in phases.rows
        if isinstance(r.get("start"), date) and isinstance(r.get("end"), date)
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
        resolution = row.get("resolution")
        if resolution is None:
            continue
        car = car_rows.get(str(resolution))
        if car is None:
            problems.append(
                Problem(
                    resolutions.file,
                    number,
                    "car_vote",
                    f"un_votes.csv has no row for the Central African Republic (CAF) on {resolution}; add one.",
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


# -- validation entry point -----------------------------------------------------------------------------------


def _check_folder(folder: Path) -> tuple[list[Problem], dict[str, _Table]]:
    problems: list[Problem] = []
    if not (folder / PACKAGE_FILE).is_file():
        problems.append(
            Problem(
                PACKAGE_FILE,
                None,
                None,
                f"file is missing from {folder}; restore it (e.g. from git).",
            )
        )
        return problems, {}
    try:
        package = _read_package(folder)
    except json.JSONDecodeError as exc:
        problems.append(
            Problem(
                PACKAGE_FILE,
                exc.lineno,
                None,
                f"is not valid JSON ({exc.msg}, column {exc.colno}).",
            )
        )
        return problems, {}
    bib = _bib_path(folder)
    keys: frozenset[str] | None = None
    if bib.is_file():
        keys = _bib_keys(bib)
    else:
        problems.append(
            Problem(
                BIB_FILE,
                None,
                None,
                f"not found in {folder} or {folder.parent}; the source keys cannot be checked without it.",
            )
        )
    resources = {r.get("name"): r for r in package.get("resources", [])}
    for name, file in TABLES.items():
        if name not in resources:
            problems.append(
                Problem(
                    PACKAGE_FILE,
                    None,
                    None,
                    f"has no resource '{name}' (for {file}); describe it there.",
                )
            )
    tables: dict[str, _Table] = {}
    for name, resource in resources.items():
        table = _check_table(folder, str(name), resource, keys, problems)
        if table is not None:
            tables[str(name)] = table
    _check_foreign_keys(tables, problems)
    _check_phases(tables, problems)
    _check_votes(tables, problems)
    _check_other_rules(tables, problems)
    _check_real_data(tables, problems)
    return problems, tables


@functools.cache
def _validated(folder: Path) -> tuple[tuple[Problem, ...], dict[str, _Table]]:
    problems, tables = _check_folder(folder)
    return tuple(problems), tables


def validate(data_dir: str | Path | None = None) -> list[Problem]:
    """Check every file of the data folder and return all problems found (an empty list when valid).

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder; default :func:`coursekit.paths.data_dir`. The bibliography is ``references.bib`` in
        that folder, or else in its parent.

    Returns
    -------
    list of Problem
        Every problem, each naming file, row (spreadsheet numbering: the header is row 1) and column.

    Raises
    ------
    FileNotFoundError
        If ``data_dir`` does not exist or is not a folder.
    """
    folder = _folder(data_dir)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"data folder {folder} does not exist; pass the folder that holds the CSV files."
        )
    problems, _ = _check_folder(folder)
    return problems


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


# -- describing the package (for the data appendix) -----------------------------------------------------------


def resource_summary(data_dir: str | Path | None = None) -> pd.DataFrame:
    """One row per table of the package: what it holds and where its rows come from.

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder; default :func:`coursekit.paths.data_dir`.

    Returns
    -------
    pandas.DataFrame
        ``name``, ``file``, ``title``, ``description``, ``rows`` (data rows in the file), ``columns``,
        ``sources`` (distinct bibliography keys cited by the rows, in first-use order).

    Raises
    ------
    DataError
        If the data are invalid.
    """
    package = read_package(data_dir)
    tables = load_all(data_dir)
    records = []
    for resource in package["resources"]:
        frame = tables[resource["name"]]
        keys: list[str] = []
        for cell in frame["sources"]:
            keys.extend(k for k in split_keys(cell) if k not in keys)
        records.append(
            {
                "name": resource["name"],
                "file": resource["path"],
                "title": resource.get("title", ""),
                "description": resource.get("description", ""),
                "rows": len(frame),
                "columns": len(resource["schema"]["fields"]),
                "sources": keys,
            }
        )
    return pd.DataFrame.from_records(records)


def column_summary(resource: str, data_dir: str | Path | None = None) -> pd.DataFrame:
    """Describe the columns of one table from its schema in ``datapackage.json``.

    Parameters
    ----------
    resource : str
        Resource name, e.g. ``"events"`` (see :data:`TABLES`).
    data_dir : str or Path, optional
        The data folder; default :func:`coursekit.paths.data_dir`.

    Returns
    -------
    pandas.DataFrame
        ``column``, ``type``, ``required`` (bool), ``allowed`` (the allowed values or range, as text),
        ``description``.

    Raises
    ------
    KeyError
        If the package has no resource of that name.
    """
    package = read_package(data_dir)
    found = [r for r in package["resources"] if r["name"] == resource]
    if not found:
        names = ", ".join(r["name"] for r in package["resources"])
        raise KeyError(f"no resource '{resource}' in datapackage.json; the resources are: {names}.")
    rows = []
    for field in found[0]["schema"]["fields"]:
        cons = field.get("constraints", {})
        allowed = _allowed_text(cons)
        rows.append(
            {
                "column": field["name"],
                "type": field.get("type", "string"),
                "required": bool(cons.get("required")),
                "allowed": allowed,
                "description": field.get("description", ""),
            }
        )
    return pd.DataFrame.from_records(rows)


def _allowed_text(cons: dict[str, Any]) -> str:
    parts: list[str] = []
    if "enum" in cons:
        parts.append(", ".join(_fmt(v) for v in cons["enum"]))
    if "minimum" in cons or "maximum" in cons:
        low = _fmt(cons["minimum"]) if "minimum" in cons else ""
        high = _fmt(cons["maximum"]) if "maximum" in cons else ""
        parts.append(
            f"{low} to {high}".strip() if low and high else (f">= {low}" if low else f"<= {high}")
        )
    if cons.get("unique"):
        parts.append("unique")
    return "; ".join(parts)


def _fmt(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
