"""The plain-data view of an answer that hidden tests receive, exact for pandas indexes.

Hidden tests never see a student's object: they see *plain data*. :func:`to_plain` turns a value into
JSON-compatible data (numbers, text, lists, string-keyed dicts); :func:`from_plain` re-creates Series and
DataFrames from it. The grader and the authors' verification (:mod:`coursekit.exercises.verify`) both use
:func:`plain_view` (the two in a row), so a test that passes at release passes in the grader.

What changes on the way: numpy values become Python values, tuples and sets become lists, dict keys become text,
timestamps inside a container become ISO text, ``...``/``NaT``/``NA`` become ``None``. What does not change: a
Series or DataFrame comes back with the same index and columns, including a MultiIndex (tuple labels and level
names), tuple labels of a flat index, a categorical index (its categories and order) and a datetime or period
index; its values keep their dtype where pandas can restore it (numbers, booleans, text).

A dict whose keys look like this module's own markers (``"__frame__"``, ``"__series__"``, ``"__index__"``,
``"__dict__"``) is wrapped so it can never be mistaken for one: an answer shaped like the envelope comes back as
the dict it was.
"""

from __future__ import annotations

from typing import Any

__all__ = ["from_plain", "plain_view", "to_plain"]

_MARKERS = frozenset({"__frame__", "__series__", "__index__", "__dict__"})


def _plain_label(value: Any) -> Any:
    """An index label as plain data: like :func:`to_plain`, but a tuple stays a tuple marker (a list)."""
    import pandas as pd

    if isinstance(value, tuple):
        return [_plain_label(v) for v in value]
    if isinstance(value, pd.Timestamp | pd.Period | pd.Timedelta):
        return str(value)
    return to_plain(value)


def _index_to_plain(index: Any) -> dict[str, Any]:
    import pandas as pd

    names = [to_plain(n) for n in index.names]
    if isinstance(index, pd.MultiIndex):
        return {
            "__index__": "multi",
            "names": names,
            "levels": [_index_to_plain(level) for level in index.levels],
            "codes": [[int(c) for c in codes] for codes in index.codes],
        }
    if isinstance(index, pd.CategoricalIndex):
        return {
            "__index__": "category",
            "names": names,
            "categories": _index_to_plain(index.categories),
            "ordered": bool(index.ordered),
            "codes": [int(c) for c in index.codes],
        }
    if isinstance(index, pd.DatetimeIndex):
        return {
            "__index__": "datetime",
            "names": names,
            "tz": None if index.tz is None else str(index.tz),
            "values": [None if pd.isna(v) else v.isoformat() for v in index],
        }
    if isinstance(index, pd.PeriodIndex):
        return {
            "__index__": "period",
            "names": names,
            "freq": index.freqstr,
            "values": [
                None if missing else str(v) for v, missing in zip(index, index.isna(), strict=True)
            ],
        }
    tuples = [i for i, v in enumerate(index) if isinstance(v, tuple)]
    return {
        "__index__": "plain",
        "names": names,
        "dtype": str(index.dtype),
        "values": [_plain_label(v) for v in index],
        "tuples": tuples,
    }


def _index_from_plain(data: Any) -> Any:
    import pandas as pd

    if not isinstance(data, dict) or "__index__" not in data:  # the older list form
        return pd.Index(data if isinstance(data, list) else [], tupleize_cols=False)
    kind = data["__index__"]
    names = data.get("names") or [None]
    if kind == "multi":
        levels = [_index_from_plain(level) for level in data["levels"]]
        return pd.MultiIndex(levels=levels, codes=data["codes"], names=names)
    if kind == "category":
        categories = _index_from_plain(data["categories"])
        cat = pd.Categorical.from_codes(
            data["codes"], categories=categories, ordered=data["ordered"]
        )
        return pd.CategoricalIndex(cat, name=names[0])
    if kind == "datetime":
        tz = data.get("tz")
        stamps: list[Any] = [pd.NaT if v is None else v for v in data["values"]]
        moments = pd.DatetimeIndex(pd.to_datetime(stamps, utc=bool(tz)), name=names[0])
        return moments.tz_convert(tz) if tz else moments
    if kind == "period":
        return pd.PeriodIndex(
            [pd.NaT if v is None else pd.Period(v, freq=data["freq"]) for v in data["values"]],
            freq=data["freq"],
            name=names[0],
        )
    tuples = set(data.get("tuples") or [])
    values = [
        _label_from_plain(v) if i in tuples else from_plain(v) for i, v in enumerate(data["values"])
    ]
    dtype = data.get("dtype", "object")
    index = pd.Index(values, dtype=object, name=names[0], tupleize_cols=False)
    if dtype != "object":
        try:
            index = index.astype(dtype)
        except (TypeError, ValueError, OverflowError):
            index = pd.Index(values, name=names[0], tupleize_cols=False)
    return index


def _label_from_plain(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_label_from_plain(v) for v in value)
    return from_plain(value)


def to_plain(value: Any) -> Any:
    """Convert a value to plain JSON-compatible data, the form in which hidden tests receive answers.

    ``...`` (an untouched stub), ``NaT``, ``NA`` and values that cannot be converted become ``None``. Series
    and DataFrames become tagged dicts that keep their index and columns exactly (see the module docstring).
    """
    import numpy as np
    import pandas as pd

    if value is None or value is Ellipsis or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value)
    if isinstance(value, str):
        return value
    if isinstance(value, pd.Timestamp | pd.Period | np.datetime64):
        return str(value)
    if isinstance(value, pd.DataFrame):
        return {
            "__frame__": True,
            "columns": _index_to_plain(value.columns),
            "index": _index_to_plain(value.index),
            "dtypes": [str(d) for d in value.dtypes],
            "data": [
                [to_plain(x) for x in row] for row in value.itertuples(index=False, name=None)
            ],
        }
    if isinstance(value, pd.Series):
        return {
            "__series__": True,
            "index": _index_to_plain(value.index),
            "data": [to_plain(x) for x in value.tolist()],
            "name": _plain_label(value.name),
            "name_is_tuple": isinstance(value.name, tuple),
            "dtype": str(value.dtype),
        }
    if isinstance(value, np.ndarray | pd.Index | pd.Categorical | list | tuple | set | frozenset):
        return [to_plain(x) for x in value]
    if isinstance(value, dict):
        out = {str(to_plain(k)): to_plain(v) for k, v in value.items()}
        return {"__dict__": out} if _MARKERS.intersection(out) else out
    return None


def _restore_dtype(column: Any, dtype: str) -> Any:
    """Give a rebuilt column its dtype back when the values allow it (numbers, booleans, text)."""
    if dtype.startswith(
        ("int", "uint", "float", "bool", "Int", "UInt", "Float", "boolean", "string")
    ):
        try:
            return column.astype(dtype)
        except (TypeError, ValueError, OverflowError):
            pass
    return column.infer_objects()


def from_plain(value: Any) -> Any:
    """Re-create pandas objects from :func:`to_plain`'s output (everything else is returned as is)."""
    import pandas as pd

    if isinstance(value, dict) and value.get("__frame__") is True:
        columns = _index_from_plain(value["columns"])
        index = _index_from_plain(value["index"])
        rows = [[from_plain(x) for x in row] for row in value["data"]]
        frame = pd.DataFrame(
            rows if rows else None, index=index, columns=columns, dtype=object if rows else None
        )
        dtypes = value.get("dtypes") or []
        if len(dtypes) == frame.shape[1]:
            for i, dtype in enumerate(dtypes):
                frame.isetitem(i, _restore_dtype(frame.iloc[:, i], dtype))
        return frame
    if isinstance(value, dict) and value.get("__series__") is True:
        name = value.get("name")
        name = _label_from_plain(name) if value.get("name_is_tuple") else from_plain(name)
        data = [from_plain(x) for x in value["data"]]
        series = pd.Series(data, index=_index_from_plain(value["index"]), name=name, dtype=object)
        return _restore_dtype(series, str(value.get("dtype", "object")))
    if isinstance(value, list):
        return [from_plain(x) for x in value]
    if isinstance(value, dict):
        if set(value) == {"__dict__"} and isinstance(value["__dict__"], dict):
            return {k: from_plain(v) for k, v in value["__dict__"].items()}
        return {k: from_plain(v) for k, v in value.items()}
    return value


def plain_view(value: Any) -> Any:
    """What a hidden test receives for ``value``: ``from_plain(to_plain(value))``."""
    return from_plain(to_plain(value))
