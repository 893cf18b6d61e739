"""Validation of the whole data folder: every table against its schema, then the cross-table rules.

:func:`validate` returns every problem at once; the loaders share its cached result.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from coursekit.data.bibliography import _bib_keys
from coursekit.data.package import (
    BIB_FILE,
    PACKAGE_FILE,
    TABLES,
    Problem,
    _bib_path,
    _folder,
    _read_package,
)
from coursekit.data.rules import (
    _check_foreign_keys,
    _check_other_rules,
    _check_phases,
    _check_real_data,
    _check_votes,
)
from coursekit.data.schema import _check_table, _Table

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
