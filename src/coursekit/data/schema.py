"""One table against its schema: read a CSV into raw rows and check each cell and row against its descriptor.

Types, required fields, allowed values and ranges, unique and primary keys, that every source key is in the
bibliography, and that ``date_precision`` agrees with the date. Rows are numbered as a spreadsheet shows them
(the header is row 1).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from coursekit.data.bibliography import split_keys
from coursekit.data.package import TABLES, Problem

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


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
