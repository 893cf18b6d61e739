"""Russian personnel in the CAR: the claims as a table, and the gap between official and independent figures."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from coursekit.case.vocabulary import _check_choices, _require_columns

# -- personnel, context, durability ------------------------------------------------------------------------

PERSONNEL_COLUMNS = ("date", "date_precision", "low", "high", "category", "claimant", "claim_type")


def personnel_table(
    personnel: pd.DataFrame,
    *,
    categories: Iterable[str] | None = None,
    claim_types: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Personnel figures sorted by date, with a printable range and its midpoint.

    Parameters
    ----------
    personnel : DataFrame
        The personnel table (``data.load_personnel()``).
    categories : iterable of str, optional
        Categories to keep (e.g. ``"instructors"``); default all.
    claim_types : iterable of str, optional
        ``"official"`` and/or ``"independent"``; default both.

    Returns
    -------
    DataFrame
        The kept rows plus ``range`` (e.g. ``"800–2,000"`` or ``"535"``) and ``mid`` (midpoint).

    Raises
    ------
    ValueError
        For an unknown category or claim type, or a row whose ``low`` exceeds ``high``.
    """
    _require_columns(personnel, PERSONNEL_COLUMNS, "personnel")
    known_cats = sorted(str(c) for c in personnel["category"].astype("string").dropna().unique())
    cats = _check_choices(categories, known_cats, "category(ies)")
    types = _check_choices(claim_types, ("official", "independent"), "claim type(s)")
    bad = personnel.index[personnel["low"] > personnel["high"]]
    if len(bad):
        raise ValueError(
            f"personnel: row(s) {list(bad)} have low > high; a range is written low first."
        )
    out = personnel
    if cats is not None:
        out = out.loc[out["category"].astype("string").isin(cats)]
    if types is not None:
        out = out.loc[out["claim_type"].astype("string").isin(types)]
    out = out.sort_values("date", kind="stable").reset_index(drop=True).copy()
    out["range"] = [
        f"{int(lo):,}" if lo == hi else f"{int(lo):,}–{int(hi):,}"
        for lo, hi in zip(out["low"], out["high"], strict=True)
    ]
    out["mid"] = (out["low"].astype(float) + out["high"].astype(float)) / 2
    return out


def personnel_gap(personnel: pd.DataFrame, *, category: str | None = None) -> pd.DataFrame:
    """Compare each independent estimate with the latest official figure of the same category.

    For every independent estimate, the official figure is the most recent official claim of the same
    category dated on or before it. The ratios say how many times larger the independent range is.

    Parameters
    ----------
    personnel : DataFrame
        The personnel table.
    category : str, optional
        Restrict to one category.

    Returns
    -------
    DataFrame
        ``date``, ``category``, ``claimant`` (independent), ``low``, ``high``, ``official_date``,
        ``official_claimant``, ``official`` (the official figure, its ``high``), ``ratio_low`` and
        ``ratio_high``. Estimates without an earlier official figure are left out.
    """
    table = personnel_table(personnel, categories=None if category is None else [category])
    official = table.loc[table["claim_type"].astype("string") == "official"]
    independent = table.loc[table["claim_type"].astype("string") == "independent"]
    rows = []
    for _, est in independent.iterrows():
        same = official.loc[
            (official["category"].astype("string") == str(est["category"]))
            & (official["date"] <= est["date"])
        ]
        if same.empty:
            continue
        ref = same.iloc[-1]
        rows.append(
            {
                "date": est["date"],
                "category": str(est["category"]),
                "claimant": est["claimant"],
                "low": int(est["low"]),
                "high": int(est["high"]),
                "official_date": ref["date"],
                "official_claimant": ref["claimant"],
                "official": int(ref["high"]),
                "ratio_low": est["low"] / ref["high"] if ref["high"] else float("nan"),
                "ratio_high": est["high"] / ref["high"] if ref["high"] else float("nan"),
            }
        )
    columns = [
        "date", "category", "claimant", "low", "high", "official_date", "official_claimant", "official",
        "ratio_low", "ratio_high",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)
