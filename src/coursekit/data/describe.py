"""Describing the data package for readers (the data appendix): one row per table, one row per column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from coursekit.data.bibliography import split_keys
from coursekit.data.loaders import load_all
from coursekit.data.package import read_package

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
