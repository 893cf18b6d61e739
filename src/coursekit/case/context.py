"""Context indicators of the CAR as a wide table (one row per year, one column per indicator)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from coursekit.case.vocabulary import _check_choices, _require_columns


def context_wide(context: pd.DataFrame, *, indicators: Iterable[str] | None = None) -> pd.DataFrame:
    """Context indicators as a wide table: one row per year, one column per indicator.

    When a year has several figures for one indicator, the most recent (latest ``as_of``) is kept.

    Parameters
    ----------
    context : DataFrame
        The long context table (``data.load_context()``).
    indicators : iterable of str, optional
        Indicators (columns) to keep, in order; default all, in the table's category order.

    Returns
    -------
    DataFrame
        Index ``year`` (int), nullable integer columns (``<NA>`` where no figure exists).
    """
    _require_columns(context, ("year", "indicator", "value", "as_of"), "context")
    ind = context["indicator"]
    known = [str(c) for c in (ind.cat.categories if hasattr(ind, "cat") else ind.unique())]
    chosen = _check_choices(indicators, known, "indicator(s)")
    cols = chosen if chosen is not None else known
    latest = (
        context.assign(indicator=ind.astype(str))
        .sort_values(["year", "indicator", "as_of"], kind="stable")
        .drop_duplicates(["year", "indicator"], keep="last")
    )
    wide = latest.pivot(index="year", columns="indicator", values="value").reindex(columns=cols)
    wide = wide.astype("Int64")
    wide.index = wide.index.astype(int)
    wide.index.name, wide.columns.name = "year", "indicator"
    return wide.sort_index()
