"""Plain data across the kernel boundary: how answers leave the student's kernel and come back to life.

The grader never compares student objects: it asks the kernel for the *value* of an answer as JSON text,
built here from exact built-in types only, and rebuilds plain Python (and pandas) objects in its own process.
An object whose ``__eq__`` always returns True, or a subclass of ``int`` that lies about equality, therefore
arrives as what it really holds (or as an :class:`Unexportable` marker), and the hidden tests compare it with
their own code.

The same module runs on both sides:

* in the kernel, :func:`dump` and :func:`call` (imported lazily through an expression the grader evaluates);
* in the grader, :func:`encode_args` for the arguments of a call and :func:`decode` for the results.

The wire format is JSON in which every JSON object is a tagged value, e.g. ``{"t": [1, 2]}`` for the tuple
``(1, 2)`` or ``{"d": [[key, value], ...]}`` for a dict (so non-string keys survive). It imports neither
numpy nor pandas: it only uses them when the value is one of their objects (so they are already loaded).

This module writes no sentence for a person. The kernel side cannot be trusted to translate (it runs next to
the student's code), so what goes wrong travels as a *code* with parameters: ``{"err": ["too_large",
{"chars": 123}]}`` for an answer that cannot be exported, ``{"x": [type name, "not_plain"]}`` for an
unexportable value, and :class:`ExportError` carries ``code`` and ``params`` on the grader side too. The grader
turns a code into a sentence of the message catalogue (:func:`coursekit.grading.judge.export_problem`), and a
code it does not know, or parameters of the wrong shape, into a generic sentence: a submission that forges a
reply cannot make the feedback say anything else.
"""

from __future__ import annotations

import base64
import builtins
import datetime as _dt
import json
import sys
from typing import Any

# The grader's kernel launcher imports this module before any student code runs. Binding the built-ins it uses
# as module globals (looked up before ``builtins``) and keeping its own references to json's functions means a
# submission that later replaces ``builtins.issubclass``, ``builtins.list`` or ``json.dumps`` in its kernel
# cannot change how its answers are exported.
globals().update(
    {
        name: getattr(builtins, name)
        for name in (
            "bool", "bytearray", "bytes", "callable", "complex", "dict", "float", "frozenset", "hash", "id",
            "int", "isinstance", "issubclass", "iter", "len", "list", "max", "min", "next", "repr", "set",
            "str", "tuple", "type", "zip",
        )
    }
)  # fmt: skip
_dumps_json = json.dumps
_loads_json = json.loads

__all__ = [
    "CODES",
    "REASONS",
    "ExportError",
    "Unexportable",
    "call",
    "decode",
    "decode_json",
    "dump",
    "encode",
    "encode_args",
]

#: Largest JSON text an answer may produce (characters).
MAX_JSON_CHARS = 16 * 1024 * 1024
#: Most values (leaves and containers) one answer may hold.
MAX_ITEMS = 2_000_000
#: Deepest nesting accepted.
MAX_DEPTH = 60


#: The problem codes (and their parameters) this module reports; the grader knows a sentence for each.
CODES = {
    "too_many_values": ("limit",),  # the answer holds more than MAX_ITEMS values
    "too_large": ("chars",),  # its JSON text is longer than MAX_JSON_CHARS
    "too_deep": (),  # nested too deeply to export or to read back
    "not_a_function": ("type",),  # call() was asked to call something that is not callable
    "not_text": (),  # the kernel returned something other than text
    "reply_too_long": ("chars", "limit"),  # the reply is longer than the grader reads
    "not_json": (),  # the reply is not JSON
    "reply_shape": (),  # the reply is JSON but not {"v"|"err"|"raised": ...}
    "malformed": ("where",),  # the encoded value breaks the wire format (``where`` says which part)
    "unhashable_key": (),  # a dict key or set member that cannot be hashed
}
#: Why a value is unexportable (the second element of an ``{"x": [...]}`` marker).
REASONS = ("too_deep", "contains_itself", "not_plain")


class ExportError(ValueError):
    """The kernel's reply is not valid plain data (or is too large).

    Parameters
    ----------
    code : str
        What is wrong, one of :data:`CODES` (the grader words it for the student).
    **params
        The code's parameters (numbers or short texts).
    """

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(f"{code} {params}" if params else code)


class Unexportable:
    """Stands, on the grader's side, for an answer that is not plain data.

    It equals nothing but itself, is not an instance of any type a test checks for, and says what it was in
    its ``repr``, so tests fail with their own messages and the feedback explains why.

    Parameters
    ----------
    type_name : str
        The type of the student's object, e.g. ``"Rigged"``.
    reason : str
        Why it could not be exported: a code of :data:`REASONS` (the grader words it for the student).
    """

    __slots__ = ("reason", "type_name")

    def __init__(self, type_name: str, reason: str) -> None:
        self.type_name = type_name
        self.reason = reason

    def __repr__(self) -> str:
        return f"<unexportable {self.type_name}: {self.reason}>"

    def __eq__(self, other: object) -> bool:
        return other is self

    def __hash__(self) -> int:
        return id(self)

    def __bool__(self) -> bool:
        return False


class _Budget:
    def __init__(self) -> None:
        self.items = 0


def _type_name(t: type) -> str:
    try:
        name = type.__getattribute__(t, "__qualname__")
        return name if isinstance(name, str) else "object"
    except Exception:  # noqa: BLE001 - a hostile metaclass
        return "object"


def _unexportable(t: type, reason: str) -> dict[str, Any]:
    return {"x": [_type_name(t), reason]}


def encode(
    value: Any, _depth: int = 0, _budget: _Budget | None = None, _stack: set[int] | None = None
) -> Any:
    """Turn a value into JSON-ready tagged plain data, trusting nothing but exact built-in types.

    Parameters
    ----------
    value : object
        The value to export: None, bool, int, float, complex, str, bytes, list, tuple, set, dict, Ellipsis,
        dates and times, numpy scalars and arrays, pandas Series, DataFrame, Index, Timestamp, Timedelta,
        Period, NA and NaT. Subclasses of the built-in types are exported as their base value; anything else
        becomes an "unexportable" marker naming its type.

    Returns
    -------
    object
        A structure of None, bool, int, float, str, lists and one-key dicts (the tags).
    """
    budget = _budget if _budget is not None else _Budget()
    stack = _stack if _stack is not None else set()
    budget.items += 1
    if budget.items > MAX_ITEMS:
        raise ExportError("too_many_values", limit=MAX_ITEMS)
    if _depth > MAX_DEPTH:
        return _unexportable(type(value), "too_deep")
    t = type(value)
    if value is None or t is bool:
        return value
    if value is Ellipsis:
        return {"e": 1}
    if issubclass(t, bool):  # pragma: no cover - bool cannot be subclassed
        return bool(value)
    if issubclass(t, int):
        return int.__int__(value)
    if issubclass(t, float):
        return float.__float__(value)
    if issubclass(t, str):
        return str.__str__(value)
    if issubclass(t, complex):
        c = complex.__complex__(value)
        return {"c": [c.real, c.imag]}
    if issubclass(t, bytes | bytearray):
        return {"b": base64.b64encode(bytes(value)).decode("ascii")}
    special = _encode_library(value, t, _depth, budget, stack)
    if special is not None:
        return special
    if issubclass(t, _dt.datetime):
        return {"dt": _dt.datetime.isoformat(value)}
    if issubclass(t, _dt.date):
        return {"date": _dt.date.isoformat(value)}
    if issubclass(t, _dt.time):
        return {"time": _dt.time.isoformat(value)}
    if issubclass(t, _dt.timedelta):
        return {"td": _dt.timedelta.total_seconds(value)}
    if issubclass(t, list | tuple | set | frozenset | dict):
        if id(value) in stack:
            return _unexportable(t, "contains_itself")
        stack.add(id(value))
        try:
            if issubclass(t, list):
                return [encode(v, _depth + 1, budget, stack) for v in list.__iter__(value)]
            if issubclass(t, tuple):
                return {"t": [encode(v, _depth + 1, budget, stack) for v in tuple.__iter__(value)]}
            if issubclass(t, set | frozenset):
                members = set.__iter__(value) if issubclass(t, set) else frozenset.__iter__(value)
                return {"s": [encode(v, _depth + 1, budget, stack) for v in members]}
            pairs = dict.items(value)
            return {
                "d": [
                    [encode(k, _depth + 1, budget, stack), encode(v, _depth + 1, budget, stack)]
                    for k, v in pairs
                ]
            }
        finally:
            stack.discard(id(value))
    return _unexportable(t, "not_plain")


def _encode_library(value: Any, t: type, depth: int, budget: _Budget, stack: set[int]) -> Any:
    """Numpy and pandas values (only looked at when those libraries are loaded)."""
    np = sys.modules.get("numpy")
    pd = sys.modules.get("pandas")
    if pd is not None:
        if value is pd.NaT:
            return {"nat": 1}
        if value is pd.NA:
            return {"na": 1}
        if issubclass(t, pd.Timestamp):
            return {"ts": pd.Timestamp.isoformat(value)}
        if issubclass(t, pd.Timedelta):
            return {"td": pd.Timedelta.total_seconds(value)}
        if issubclass(t, pd.Period):
            return {"per": [str(value), str(value.freqstr)]}
        if issubclass(t, pd.DataFrame):
            frame = pd.DataFrame(value, copy=False)  # base class view of a subclass
            return {
                "df": {
                    "columns": _encode_index(pd, frame.columns, depth + 1, budget, stack),
                    "index": _encode_index(pd, frame.index, depth + 1, budget, stack),
                    "dtypes": [str(d) for d in frame.dtypes],
                    "data": encode(frame.to_numpy(dtype=object).tolist(), depth + 1, budget, stack),
                }
            }
        if issubclass(t, pd.Series):
            series = pd.Series(value, copy=False)
            return {
                "ser": {
                    "name": encode(series.name, depth + 1, budget, stack),
                    "index": _encode_index(pd, series.index, depth + 1, budget, stack),
                    "dtype": str(series.dtype),
                    "data": encode(
                        series.to_numpy(dtype=object).tolist(), depth + 1, budget, stack
                    ),
                }
            }
        if issubclass(t, pd.Index):
            return encode(list(pd.Index(value)), depth + 1, budget, stack)
    if np is not None:
        if issubclass(t, np.ndarray):
            return encode(np.ndarray.tolist(np.asarray(value)), depth + 1, budget, stack)
        if issubclass(t, np.generic):
            if issubclass(t, np.datetime64):
                return {"dt": str(value)} if not np.isnat(value) else {"nat": 1}
            return encode(np.generic.item(value), depth + 1, budget, stack)
    return None


def _encode_index(
    pd: Any, index: Any, depth: int, budget: _Budget, stack: set[int]
) -> dict[str, Any]:
    """An index (or the columns) exactly: MultiIndex levels and codes, categories, datetimes, tuple labels."""
    names = encode(list(index.names), depth + 1, budget, stack)
    if isinstance(index, pd.MultiIndex):
        return {
            "kind": "multi",
            "names": names,
            "levels": [_encode_index(pd, lv, depth + 1, budget, stack) for lv in index.levels],
            "codes": [[int(c) for c in codes] for codes in index.codes],
        }
    if isinstance(index, pd.CategoricalIndex):
        return {
            "kind": "category",
            "names": names,
            "categories": _encode_index(pd, index.categories, depth + 1, budget, stack),
            "ordered": bool(index.ordered),
            "codes": [int(c) for c in index.codes],
        }
    if isinstance(index, pd.DatetimeIndex):
        return {
            "kind": "datetime",
            "names": names,
            "tz": None if index.tz is None else str(index.tz),
            "values": [None if v is pd.NaT else v.isoformat() for v in index],
        }
    if isinstance(index, pd.PeriodIndex):
        return {
            "kind": "period",
            "names": names,
            "freq": str(index.freqstr),
            "values": [None if v is pd.NaT else str(v) for v in index],
        }
    return {
        "kind": "plain",
        "names": names,
        "dtype": str(index.dtype),
        "values": encode(list(index), depth + 1, budget, stack),
    }


def _dumps(data: Any) -> str:
    text = _dumps_json(data, ensure_ascii=True, allow_nan=True, separators=(",", ":"))
    if len(text) > MAX_JSON_CHARS:
        raise ExportError("too_large", chars=len(text))
    return text


def _problem(code: str, **params: Any) -> dict[str, Any]:
    """The ``{"err": [code, params]}`` reply for a problem the grader words."""
    return {"err": [code, params]}


def dump(value: Any) -> str:
    """Kernel side: the JSON text of ``{"v": <encoded value>}`` or ``{"err": [code, params]}``.

    It never raises for an ordinary value: a value that cannot be exported is reported in the text, as a code
    of :data:`CODES` with its parameters.
    """
    try:
        return _dumps({"v": encode(value)})
    except ExportError as exc:
        return _dumps(_problem(exc.code, **exc.params))
    except RecursionError:
        return _dumps(_problem("too_deep"))


def call(func: Any, args_json: str) -> str:
    """Kernel side: call the student's function with arguments sent by the grader; return JSON text.

    Parameters
    ----------
    func : callable
        The student's function (the grader names it in the expression).
    args_json : str
        The arguments as produced by :func:`encode_args`.

    Returns
    -------
    str
        ``{"v": result}``, or ``{"raised": [type name, message]}`` when the function raised (the message is
        the student's own), or ``{"err": [code, params]}`` when the result could not be exported or ``func``
        is not a function (``"not_a_function"``).
    """
    if not callable(func):
        return _dumps(_problem("not_a_function", type=_type_name(type(func))))
    payload = _loads_json(args_json)
    args = decode(payload["args"])
    kwargs = decode(payload["kwargs"])
    try:
        result = func(*args, **kwargs)
    except BaseException as exc:  # noqa: BLE001 - reported to the grader, whatever it is
        try:
            message = str(exc)[:500]
        except Exception:  # noqa: BLE001
            message = ""
        return _dumps({"raised": [_type_name(type(exc)), message]})
    return dump(result)


def release_failed_cell() -> str:
    """Kernel side: drop what a cell that failed (e.g. with ``MemoryError``) still holds, and collect garbage.

    IPython keeps the last exception, and through its traceback the failed cell's frames and their local
    variables; after a ``MemoryError`` those can hold nearly all the memory the kernel may use, so every later
    cell would fail too. The grader calls this after such an error; it returns ``"ok"``.
    """
    import gc

    for name in ("last_type", "last_value", "last_traceback", "last_exc"):
        if hasattr(sys, name):
            setattr(sys, name, None)
    try:
        shell = sys.modules["IPython"].get_ipython()
    except (KeyError, AttributeError):
        shell = None
    if shell is not None:
        result = getattr(shell, "last_execution_result", None)
        if result is not None:
            result.error_in_exec = None
        # the traceback formatters keep the last traceback (``.tb``) too
        for formatter in (getattr(shell, "InteractiveTB", None), getattr(shell, "SyntaxTB", None)):
            for holder in [formatter, *vars(formatter).values()] if formatter is not None else []:
                if hasattr(holder, "__dict__") and getattr(holder, "tb", None) is not None:
                    holder.tb = None
    gc.collect()
    return "ok"


def encode_args(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """Grader side: the JSON text carrying a call's arguments to the kernel (see :func:`call`)."""
    return _dumps({"args": encode(list(args)), "kwargs": encode(dict(kwargs))})


# ---- decoding (grader side, and the kernel for call arguments) -----------------------------------------


def decode_json(text: str) -> dict[str, Any]:
    """Parse the JSON text returned by :func:`dump` or :func:`call` into its outer dict.

    Raises
    ------
    ExportError
        If the text is not JSON, too long, or not one of the expected shapes.
    """
    if not isinstance(text, str):
        raise ExportError("not_text")
    if len(text) > MAX_JSON_CHARS + 1000:
        raise ExportError("reply_too_long", chars=len(text), limit=MAX_JSON_CHARS)
    try:
        outer = _loads_json(text)
    except (ValueError, RecursionError) as exc:
        raise ExportError("not_json") from exc
    if (
        not isinstance(outer, dict)
        or len(outer) != 1
        or next(iter(outer)) not in ("v", "err", "raised")
    ):
        raise ExportError("reply_shape")
    return outer


def decode(data: Any, _depth: int = 0) -> Any:
    """Rebuild Python (and pandas) values from tagged plain data made by :func:`encode`.

    Dicts, tuples and sets come back with their key and element types; numpy arrays come back as lists;
    Series and DataFrames as pandas objects with their index, names and (where possible) dtypes.

    Raises
    ------
    ExportError
        If the data is not a valid encoding (unknown tag, wrong shape).
    """
    if _depth > MAX_DEPTH + 10:
        raise ExportError("too_deep")
    if data is None or isinstance(data, bool | int | float | str):
        return data
    if isinstance(data, list):
        return [decode(v, _depth + 1) for v in data]
    if not isinstance(data, dict) or len(data) != 1:
        raise ExportError("malformed", where="object")
    tag, body = next(iter(data.items()))
    decoder = _DECODERS.get(tag) if isinstance(tag, str) else None
    if decoder is None:
        raise ExportError("malformed", where="tag")
    try:
        return decoder(body, _depth)
    except ExportError:
        raise
    except RecursionError as exc:
        raise ExportError("too_deep") from exc
    except Exception as exc:  # noqa: BLE001 - whatever the kernel sent, a bad reply is an ExportError
        raise ExportError("malformed", where=tag) from exc


def _pairs(body: Any, depth: int) -> dict[Any, Any]:
    if not isinstance(body, list):
        raise ExportError("malformed", where="d")
    out: dict[Any, Any] = {}
    for pair in body:
        if not isinstance(pair, list) or len(pair) != 2:
            raise ExportError("malformed", where="d")
        key = decode(pair[0], depth + 1)
        try:
            out[key] = decode(pair[1], depth + 1)
        except TypeError as exc:  # unhashable key such as a list
            raise ExportError("unhashable_key") from exc
    return out


def _hashable_all(items: list[Any]) -> list[Any]:
    for item in items:
        hash(item)
    return items


def _frame(body: Any, depth: int) -> Any:
    import pandas as pd

    if not isinstance(body, dict):
        raise ExportError("malformed", where="df")
    columns = _decode_index(pd, body["columns"], depth + 1)
    index = _decode_index(pd, body["index"], depth + 1)
    data = decode(body["data"], depth + 1)
    if not isinstance(data, list) or not all(isinstance(row, list) for row in data):
        raise ExportError("malformed", where="df")
    if data:
        frame = pd.DataFrame(data, columns=columns, index=index, dtype=object)
    else:
        frame = pd.DataFrame(columns=columns, index=index)
    dtypes = body.get("dtypes", [])
    if isinstance(dtypes, list) and len(dtypes) == frame.shape[1]:
        for i, dtype in enumerate(dtypes):
            frame.isetitem(i, _as_dtype(pd, frame.iloc[:, i], str(dtype)))
    return frame


def _series(body: Any, depth: int) -> Any:
    import pandas as pd

    if not isinstance(body, dict):
        raise ExportError("malformed", where="ser")
    index = _decode_index(pd, body["index"], depth + 1)
    data = decode(body["data"], depth + 1)
    if not isinstance(data, list):
        raise ExportError("malformed", where="ser")
    series = pd.Series(data, index=index, name=decode(body.get("name"), depth + 1), dtype=object)
    return _as_dtype(pd, series, str(body.get("dtype", "object")))


def _decode_index(pd: Any, body: Any, depth: int) -> Any:
    """Rebuild an index written by :func:`_encode_index`."""
    if depth > MAX_DEPTH + 10:
        raise ExportError("too_deep")
    if not isinstance(body, dict):
        raise ExportError("malformed", where="index")
    kind = body.get("kind")
    names = decode(body.get("names", [None]), depth + 1)
    if not isinstance(names, list) or not names:
        names = [None]
    if kind == "multi":
        levels = [_decode_index(pd, lv, depth + 1) for lv in body["levels"]]
        return pd.MultiIndex(levels=levels, codes=body["codes"], names=names)
    if kind == "category":
        categories = _decode_index(pd, body["categories"], depth + 1)
        cat = pd.Categorical.from_codes(
            body["codes"], categories=categories, ordered=bool(body["ordered"])
        )
        return pd.CategoricalIndex(cat, name=names[0])
    if kind == "datetime":
        tz = body.get("tz")
        values = pd.to_datetime(
            [pd.NaT if v is None else str(v) for v in body["values"]], utc=bool(tz)
        )
        index = pd.DatetimeIndex(values, name=names[0])
        return index.tz_convert(str(tz)) if tz else index
    if kind == "period":
        freq = str(body["freq"])
        values = [pd.NaT if v is None else pd.Period(str(v), freq=freq) for v in body["values"]]
        return pd.PeriodIndex(values, freq=freq, name=names[0])
    if kind != "plain":
        raise ExportError("malformed", where="index")
    values = decode(body["values"], depth + 1)
    if not isinstance(values, list):
        raise ExportError("malformed", where="index")
    dtype = str(body.get("dtype", "object"))
    if not values:
        try:
            return pd.Index([], dtype=dtype, name=names[0])
        except (TypeError, ValueError):
            return pd.Index([], dtype=object, name=names[0])
    index = pd.Index(values, dtype=object, name=names[0], tupleize_cols=False)
    if dtype != "object":
        try:
            index = index.astype(dtype)
        except (TypeError, ValueError, OverflowError):
            index = pd.Index(values, name=names[0], tupleize_cols=False)
    return index


def _as_dtype(pd: Any, column: Any, dtype: str) -> Any:
    """Give a rebuilt column its original dtype when that is safe; else keep what pandas inferred."""
    try:
        if dtype == "object":
            return column.astype(object)
        if dtype.startswith(("datetime64", "timedelta64")):
            converted = (
                pd.to_datetime(column)
                if dtype.startswith("datetime64")
                else pd.to_timedelta(column, unit="s")
            )
            return converted
        return column.astype(dtype)
    except (TypeError, ValueError, OverflowError):
        return column.infer_objects() if hasattr(column, "infer_objects") else column


def _timestamp(body: Any, depth: int) -> Any:
    import pandas as pd

    return pd.Timestamp(str(body))


def _unexp(body: Any, depth: int) -> Unexportable:
    if not isinstance(body, list) or len(body) != 2:
        raise ExportError("malformed", where="x")
    return Unexportable(str(body[0])[:100], str(body[1])[:40])


def _nat(body: Any, depth: int) -> Any:
    import pandas as pd

    return pd.NaT


def _na(body: Any, depth: int) -> Any:
    import pandas as pd

    return pd.NA


def _period(body: Any, depth: int) -> Any:
    import pandas as pd

    return pd.Period(str(body[0]), freq=str(body[1]))


def _dt_value(body: Any, depth: int) -> Any:
    text = str(body)
    try:
        return _dt.datetime.fromisoformat(text)
    except ValueError:
        import pandas as pd

        return pd.Timestamp(text)


def _finite(x: Any) -> float:
    if not isinstance(x, int | float) or isinstance(x, bool):
        raise ExportError("malformed", where="number")
    return float(x)


_DECODERS: dict[str, Any] = {
    "e": lambda body, depth: Ellipsis,
    "t": lambda body, depth: tuple(decode(body, depth + 1)),
    "s": lambda body, depth: set(_hashable_all(decode(body, depth + 1))),
    "d": _pairs,
    "c": lambda body, depth: complex(_finite(body[0]), _finite(body[1])),
    "b": lambda body, depth: base64.b64decode(str(body), validate=True),
    "dt": _dt_value,
    "date": lambda body, depth: _dt.date.fromisoformat(str(body)),
    "time": lambda body, depth: _dt.time.fromisoformat(str(body)),
    "td": lambda body, depth: _dt.timedelta(seconds=_finite(body)),
    "ts": _timestamp,
    "per": _period,
    "nat": _nat,
    "na": _na,
    "df": _frame,
    "ser": _series,
    "x": _unexp,
}
