"""The data package itself: its tables, where the folder is, its descriptor, and how problems are reported.

:data:`TABLES` names every resource and its CSV file; :func:`read_package` reads ``datapackage.json``;
:class:`Problem` locates one thing wrong (file, row, column) and :class:`DataError` carries them all.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coursekit.paths import data_dir as _default_data_dir

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
    package: dict[str, Any] = json.loads((folder / PACKAGE_FILE).read_text(encoding="utf-8"))
    return package


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
    copy: dict[str, Any] = json.loads(json.dumps(_read_package(folder)))
    return copy
