"""Student-side self-checks: ``check()`` and ``hint()``.

The setup cell of an exercise notebook loads the set's self-check data with ``load_checks("ck1:...")``: the
expected values (computed by running the reference solutions), the layered hints and the comparison options of
every question, encoded so that a student cannot simply read the expected values off the notebook. This is
deterrence, not security: the grade comes from the hidden tests, which never reach the student.

``check("q1", value)`` prints one line and never raises:

* ``✅ q1: correct``
* ``❌ q1: incorrect — <why>`` (wrong type, wrong shape or length, which items or rows differ, and for
  numbers, when the author allows it, whether the answer is too high or too low and roughly by how much)
* ``⏳ q1: not attempted`` (the answer is still ``...``, the stub of the student edition)

For a function question the check cell passes the function and the arguments to try::

    check("q4", events_in_phase, cases=[(events, "sochi_to_crisis"), (events, "after_2022")])
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import json
import math
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "PAYLOAD_PREFIX",
    "Verdict",
    "check",
    "decode_payload",
    "decode_value",
    "encode_payload",
    "encode_value",
    "evaluate",
    "hint",
    "load_checks",
    "recorded",
]

PAYLOAD_PREFIX = "ck1:"
_KEY_SALT = b"coursekit self-checks: deterrence, not security"

Status = Literal["correct", "incorrect", "not attempted", "unavailable"]
_SYMBOL = {"correct": "✅", "incorrect": "❌", "not attempted": "⏳", "unavailable": "⚠️"}
_MAX_LISTED = 5


@dataclass(frozen=True)
class Verdict:
    """The outcome of one self-check.

    Attributes
    ----------
    qid : str
        The question (and part) checked, e.g. ``"q1"``.
    status : {"correct", "incorrect", "not attempted", "unavailable"}
        ``"unavailable"`` means the check could not judge (no self-check data loaded, unknown question).
    message : str
        Why, for ``"incorrect"`` and ``"unavailable"``; empty otherwise.
    """

    qid: str
    status: Status
    message: str = ""

    def __str__(self) -> str:
        line = f"{_SYMBOL[self.status]} {self.qid}: {self.status}"
        return f"{line} — {self.message}" if self.message else line


class _State:
    """The self-check data of the set loaded in this kernel."""

    def __init__(self) -> None:
        self.set_id: str | None = None
        self.expected: dict[str, Any] = {}
        self.questions: dict[str, dict[str, Any]] = {}
        self.record = False
        self.recorded: dict[str, Any] = {}
        self.hints_shown: dict[str, int] = {}


_STATE = _State()


# --------------------------------------------------------------------------------------------------------
# Encoding values as plain, typed JSON


class UnsupportedValue(TypeError):
    """A value that self-checks cannot compare (e.g. a figure or an open file)."""


def encode_value(value: Any) -> dict[str, Any]:
    """Encode a value as typed plain JSON, the form in which expected values are stored and compared.

    Supported: ``None``, bool, int, float, str, list, tuple, set, dict, numpy scalars and arrays, pandas
    Series, DataFrame, Index, Categorical, Timestamp and Period, ``datetime``/``date``, and ``...``.

    Parameters
    ----------
    value : object
        The value to encode.

    Returns
    -------
    dict
        ``{"t": type tag, "v": plain data, ...}``.

    Raises
    ------
    UnsupportedValue
        If the value (or an item inside it) has a type self-checks do not handle.
    """
    import numpy as np
    import pandas as pd

    if value is Ellipsis:
        return {"t": "ellipsis"}
    if value is None or value is pd.NaT or value is pd.NA:
        return {"t": "none"}
    if isinstance(value, bool | np.bool_):
        return {"t": "bool", "v": bool(value)}
    if isinstance(value, int | np.integer):
        return {"t": "int", "v": int(value)}
    if isinstance(value, float | np.floating):
        return {"t": "float", "v": float(value)}
    if isinstance(value, str):
        return {"t": "str", "v": value}
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date | np.datetime64):
        return {"t": "timestamp", "v": pd.Timestamp(value).isoformat()}
    if isinstance(value, pd.Period):
        return {"t": "period", "v": str(value)}
    if isinstance(value, pd.DataFrame):
        return {
            "t": "frame",
            "columns": [encode_value(c) for c in value.columns],
            "index": [encode_value(i) for i in value.index],
            "v": [
                [encode_value(x) for x in row] for row in value.itertuples(index=False, name=None)
            ],
        }
    if isinstance(value, pd.Series):
        return {
            "t": "series",
            "index": [encode_value(i) for i in value.index],
            "v": [encode_value(x) for x in value.tolist()],
        }
    if isinstance(value, pd.Index | pd.Categorical | np.ndarray):
        return {"t": "list", "v": [encode_value(x) for x in list(value)]}
    if isinstance(value, list | tuple):
        return {
            "t": "tuple" if isinstance(value, tuple) else "list",
            "v": [encode_value(x) for x in value],
        }
    if isinstance(value, set | frozenset):
        items = [encode_value(x) for x in value]
        return {"t": "set", "v": sorted(items, key=_sort_key)}
    if isinstance(value, dict):
        return {"t": "dict", "v": [[encode_value(k), encode_value(v)] for k, v in value.items()]}
    if isinstance(value, float) and math.isnan(value):  # pragma: no cover - caught by float above
        return {"t": "float", "v": value}
    raise UnsupportedValue(
        f"a {type(value).__module__}.{type(value).__qualname__} cannot be self-checked; use numbers, text, "
        "lists, dicts or pandas objects"
    )


def decode_value(enc: dict[str, Any]) -> Any:
    """Re-create a Python value from :func:`encode_value`'s output (the inverse, up to container types).

    Parameters
    ----------
    enc : dict
        An encoded value.

    Returns
    -------
    object
        ``None``/bool/int/float/str, ``...``, list, tuple, set, dict, ``pandas.Timestamp``, ``pandas.Period``
        (as its string), ``pandas.Series`` or ``pandas.DataFrame``.
    """
    import pandas as pd

    t = enc["t"]
    if t == "ellipsis":
        return Ellipsis
    if t == "none":
        return None
    if t in ("bool", "int", "float", "str", "period"):
        return enc["v"]
    if t == "timestamp":
        return pd.Timestamp(enc["v"])
    if t == "list":
        return [decode_value(x) for x in enc["v"]]
    if t == "tuple":
        return tuple(decode_value(x) for x in enc["v"])
    if t == "set":
        return {decode_value(x) for x in enc["v"]}
    if t == "dict":
        return {decode_value(k): decode_value(v) for k, v in enc["v"]}
    if t == "series":
        return pd.Series(
            [decode_value(x) for x in enc["v"]], index=[decode_value(i) for i in enc["index"]]
        )
    if t == "frame":
        return pd.DataFrame(
            [[decode_value(x) for x in row] for row in enc["v"]],
            index=[decode_value(i) for i in enc["index"]],
            columns=[decode_value(c) for c in enc["columns"]],
        )
    if t == "cases":
        return [decode_value(x) for x in enc["v"]]
    raise ValueError(f"unknown encoded type {t!r}")


def _sort_key(enc: dict[str, Any]) -> str:
    return json.dumps(enc, sort_keys=True)


def _key(enc: dict[str, Any]) -> str:
    """A hashable, readable key for an encoded dict key or index label."""
    if enc["t"] in ("str", "int", "timestamp", "period"):
        return str(enc["v"])
    if enc["t"] == "float" and float(enc["v"]).is_integer():
        return str(int(enc["v"]))
    return _sort_key(enc)


def _label(enc: dict[str, Any]) -> str:
    """How an item is named in a message (a row label, a dict key, a list position)."""
    if enc["t"] == "str":
        return repr(enc["v"])
    if enc["t"] in ("int", "float", "bool", "timestamp", "period"):
        return str(enc["v"])
    return _describe(enc)


_TYPE_NAMES = {
    "ellipsis": "... (nothing filled in)",
    "none": "None",
    "bool": "True/False (bool)",
    "int": "a whole number (int)",
    "float": "a number (float)",
    "str": "text (str)",
    "timestamp": "a date (Timestamp)",
    "period": "a period (e.g. a month, pandas Period)",
    "frame": "a pandas DataFrame",
    "series": "a pandas Series",
    "list": "a list",
    "tuple": "a tuple",
    "set": "a set",
    "dict": "a dict",
}


def _describe(enc: dict[str, Any]) -> str:
    return _TYPE_NAMES.get(enc["t"], enc["t"])


# --------------------------------------------------------------------------------------------------------
# The payload


def _keystream(seed: str, n: int) -> bytes:
    out = bytearray()
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(_KEY_SALT + seed.encode() + counter.to_bytes(4, "big")).digest()
        counter += 1
    return bytes(out[:n])


def encode_payload(data: dict[str, Any]) -> str:
    """Encode the self-check data of a set as the string passed to :func:`load_checks`.

    Parameters
    ----------
    data : dict
        ``{"set": set id, "questions": {qid: {"kind", "options", "hints"}}, "expected": {key: encoded}}``.

    Returns
    -------
    str
        ``"ck1:<set id>:<base64>"``: compressed JSON, scrambled with a key derived from the set id.
    """
    set_id = str(data.get("set", ""))
    raw = zlib.compress(json.dumps(data, sort_keys=True, ensure_ascii=False).encode(), 9)
    scrambled = bytes(a ^ b for a, b in zip(raw, _keystream(set_id, len(raw)), strict=True))
    return f"{PAYLOAD_PREFIX}{set_id}:{base64.b64encode(scrambled).decode()}"


def decode_payload(payload: str) -> dict[str, Any]:
    """Decode a string made by :func:`encode_payload`.

    Raises
    ------
    ValueError
        If the string is not a coursekit self-check payload or is damaged.
    """
    if not isinstance(payload, str) or not payload.startswith(PAYLOAD_PREFIX):
        raise ValueError("not a coursekit self-check payload (it should start with 'ck1:')")
    try:
        set_id, b64 = payload[len(PAYLOAD_PREFIX) :].split(":", 1)
        scrambled = base64.b64decode(b64.encode(), validate=True)
        raw = bytes(
            a ^ b for a, b in zip(scrambled, _keystream(set_id, len(scrambled)), strict=True)
        )
        return json.loads(zlib.decompress(raw).decode())
    except Exception as exc:
        raise ValueError(
            "the self-check data is damaged (was the setup cell edited?); download a fresh copy of the "
            "notebook's setup cell"
        ) from exc


def load_checks(payload: str | None = None, *, record: bool = False) -> None:
    """Load a set's self-check data into this kernel (the setup cell calls it).

    Parameters
    ----------
    payload : str, optional
        The encoded data (made by ``coursekit release --refresh-checks``).
    record : bool
        Used by ``coursekit`` when it runs the reference solutions: every ``check()`` records the value it
        is given as the expected one and reports it correct.
    """
    _STATE.__init__()
    _STATE.record = record
    if payload is None:
        return
    try:
        data = decode_payload(payload)
    except ValueError as exc:
        print(f"⚠️ self-checks unavailable: {exc}")
        return
    _STATE.set_id = data.get("set")
    _STATE.expected = dict(data.get("expected", {}))
    _STATE.questions = dict(data.get("questions", {}))


def recorded() -> dict[str, Any]:
    """Return the values recorded by ``check()`` in record mode (check key → encoded expected value)."""
    return copy.deepcopy(_STATE.recorded)


# --------------------------------------------------------------------------------------------------------
# Comparison


def _all_ellipsis(enc: dict[str, Any]) -> bool:
    t = enc["t"]
    if t == "ellipsis":
        return True
    if t in ("list", "tuple", "set") and enc["v"]:
        return all(_all_ellipsis(x) for x in enc["v"])
    if t == "dict" and enc["v"]:
        return all(_all_ellipsis(v) for _, v in enc["v"])
    return False


def _blank_items(enc: dict[str, Any]) -> list[str]:
    if enc["t"] == "dict":
        return [_label(k) for k, v in enc["v"] if v["t"] == "ellipsis"]
    if enc["t"] in ("list", "tuple"):
        return [f"item {i}" for i, v in enumerate(enc["v"]) if v["t"] == "ellipsis"]
    return []


def _listing(items: Sequence[str]) -> str:
    shown = ", ".join(items[:_MAX_LISTED])
    more = len(items) - _MAX_LISTED
    return f"{shown} and {more} more" if more > 0 else shown


def _roughly(x: float) -> str:
    if x == 0:
        return "0"
    digits = max(0, 1 - int(math.floor(math.log10(abs(x)))))
    return (
        f"{round(x, digits):,.{digits}f}"
        if digits
        else f"{round(x, -int(math.log10(abs(x))) + 1):,.0f}"
    )


def _is_number(enc: dict[str, Any]) -> bool:
    return enc["t"] in ("int", "float")


def _same_scalar(exp: dict[str, Any], act: dict[str, Any], options: dict[str, Any]) -> bool:
    if _is_number(exp) and _is_number(act):
        a, b = float(exp["v"]), float(act["v"])
        if not (math.isfinite(a) and math.isfinite(b)):
            # NaN and infinities are never close to a number: only the same non-finite value matches
            return (math.isnan(a) and math.isnan(b)) or a == b
        tol = options.get("tolerance")
        if tol is not None:
            return abs(a - b) <= float(tol) + 1e-12
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)
    if exp["t"] == "str" and act["t"] == "str":
        x, y = exp["v"].strip(), act["v"].strip()
        if options.get("ignore_case"):
            x, y = x.casefold(), y.casefold()
        return x == y
    if exp["t"] != act["t"]:
        return False
    if exp["t"] in ("none", "ellipsis"):
        return True
    return exp.get("v") == act.get("v")


def _compare(
    exp: dict[str, Any], act: dict[str, Any], options: dict[str, Any], top: bool = True
) -> str | None:
    """Return ``None`` when ``act`` matches ``exp``, else a sentence saying what differs."""
    et, at = exp["t"], act["t"]
    # compatible types
    if _is_number(exp) and _is_number(act):
        if _same_scalar(exp, act, options):
            return None
        if top and options.get("direction"):
            diff = float(act["v"]) - float(exp["v"])
            side = "too high" if diff > 0 else "too low"
            return f"your answer {act['v']!r} is {side}, by roughly {_roughly(abs(diff))}."
        return f"{act['v']!r} is not the expected number." if top else "differs"
    if et in ("list", "tuple") and at in ("list", "tuple", "set"):
        return _compare_sequence(exp, act, options, top)
    if et == "set" and at in ("list", "tuple", "set"):
        return _compare_sequence(exp, act, dict(options, ordered=False), top)
    if et == "dict" and at == "dict":
        return _compare_dict(exp, act, options, top)
    if et == "series" and at == "series":
        return _compare_series(exp, act, options)
    if et == "frame" and at == "frame":
        return _compare_frame(exp, act, options)
    if et == at or (et == "str" and at == "str"):
        if _same_scalar(exp, act, options):
            return None
        if not top:
            return "differs"
        if et == "str":
            return f"{act['v']!r} is not the expected answer."
        return f"{_label(act)} is not the expected value."
    # wrong type
    if not top:
        return f"should be {_describe(exp)}, not {_describe(act)}"
    msg = f"the answer should be {_describe(exp)}, but it is {_describe(act)}"
    if at == "str" and _is_number(exp):
        try:
            float(act["v"])
            msg += f" ({act['v']!r}); give the number itself, without quotes"
        except ValueError:
            pass
    elif et == "series" and at == "dict":
        msg += "; keep the pandas result instead of converting it"
    elif et == "frame" and at == "series":
        msg += "; a DataFrame has several columns (did you select a single column?)"
    elif et == "int" and at == "series":
        msg += "; reduce it to one number (e.g. with len() or .sum())"
    return msg + "."


# A list checked with "count_only" reveals neither its length nor how many items are wrong: either would let a
# student find the key by swapping one item at a time.
_NOT_THE_LIST = (
    "it is not the expected list (this check does not say which items, or how many, are wrong: "
    "apply the question's conditions to the table; the hints show the method)."
)


def _compare_sequence(
    exp: dict[str, Any], act: dict[str, Any], options: dict[str, Any], top: bool
) -> str | None:
    ev, av = exp["v"], act["v"]
    ordered = options.get("ordered", True) and exp["t"] != "set" and act["t"] != "set"
    if len(ev) != len(av):
        if top and options.get("count_only"):
            return _NOT_THE_LIST
        return (
            f"it should have {len(ev)} items, but it has {len(av)}."
            if top
            else "has a different length"
        )
    if not ordered:
        remaining = list(ev)
        unmatched = []
        for item in av:
            for j, cand in enumerate(remaining):
                if _compare(cand, item, options, top=False) is None:
                    remaining.pop(j)
                    break
            else:
                unmatched.append(_label(item))
        if not unmatched:
            return None
        if not top:
            return "differs"
        if options.get("count_only"):
            return _NOT_THE_LIST
        return f"these items are not expected: {_listing(unmatched)}."
    wrong = [
        i for i, (e, a) in enumerate(zip(ev, av, strict=True)) if _compare(e, a, options, top=False)
    ]
    if not wrong:
        return None
    if not top:
        return "differs"
    if (
        options.get("ordered", True)
        and _compare_sequence(exp, act, dict(options, ordered=False), True) is None
    ):
        return "it has the right items but in the wrong order."
    if options.get("count_only"):
        return _NOT_THE_LIST
    return (
        f"{len(wrong)} of {len(ev)} items differ, at positions {_listing([str(i) for i in wrong])}."
    )


def _compare_dict(
    exp: dict[str, Any], act: dict[str, Any], options: dict[str, Any], top: bool
) -> str | None:
    ed = {_key(k): (k, v) for k, v in exp["v"]}
    ad = {_key(k): (k, v) for k, v in act["v"]}
    missing = [_label(ed[k][0]) for k in ed if k not in ad]
    extra = [_label(ad[k][0]) for k in ad if k not in ed]
    if missing or extra:
        if not top:
            return "has different keys"
        parts = []
        if missing:
            parts.append(f"missing keys {_listing(missing)}")
        if extra:
            parts.append(f"unexpected keys {_listing(extra)}")
        return "; ".join(parts) + "."
    wrong = [_label(ed[k][0]) for k in ed if _compare(ed[k][1], ad[k][1], options, top=False)]
    if not wrong:
        return None
    if not top:
        return "differs"
    if options.get("count_only"):
        # As for lists: with two or three labels, even a count lets one flip entries until it falls.
        return (
            "some entries are wrong (this check does not say which, or how many: apply the question's "
            "conditions to each entry; the hints show the method)."
        )
    return f"{len(wrong)} of {len(ed)} entries are wrong: {_listing(wrong)}."


def _compare_series(
    exp: dict[str, Any], act: dict[str, Any], options: dict[str, Any]
) -> str | None:
    ek = [_key(i) for i in exp["index"]]
    ak = [_key(i) for i in act["index"]]
    if len(ek) != len(ak):
        return f"it should have {len(ek)} entries, but it has {len(ak)}."
    labels = {_key(i): i for i in [*exp["index"], *act["index"]]}
    missing = [_label(labels[k]) for k in ek if k not in ak]
    extra = [_label(labels[k]) for k in ak if k not in ek]
    if missing or extra:
        return (
            f"its index differs: missing {_listing(missing) or 'nothing'}; "
            f"unexpected {_listing(extra) or 'nothing'}."
        )
    ev = dict(zip(ek, exp["v"], strict=True))
    av = dict(zip(ak, act["v"], strict=True))
    wrong = [_label(labels[k]) for k in ek if _compare(ev[k], av[k], options, top=False)]
    if wrong:
        return f"{len(wrong)} of {len(ek)} values are wrong, for {_listing(wrong)}."
    if options.get("ordered") and ek != ak:
        return "the values are right but in the wrong order (check how you sorted)."
    return None


def _compare_frame(exp: dict[str, Any], act: dict[str, Any], options: dict[str, Any]) -> str | None:
    eshape = (len(exp["index"]), len(exp["columns"]))
    ashape = (len(act["index"]), len(act["columns"]))
    ecols = [_key(c) for c in exp["columns"]]
    acols = [_key(c) for c in act["columns"]]
    names = {_key(c): c for c in [*exp["columns"], *act["columns"]]}
    if ecols != acols and sorted(ecols) != sorted(acols):
        missing = [_label(names[c]) for c in ecols if c not in acols]
        extra = [_label(names[c]) for c in acols if c not in ecols]
        return (
            f"it should have {eshape[0]} rows × {eshape[1]} columns, and has {ashape[0]} × {ashape[1]}; "
            f"missing columns: {_listing(missing) or 'none'}; unexpected columns: {_listing(extra) or 'none'}."
        )
    if eshape != ashape:
        return f"it should have {eshape[0]} rows × {eshape[1]} columns, but it has {ashape[0]} × {ashape[1]}."
    eidx = [_key(i) for i in exp["index"]]
    aidx = [_key(i) for i in act["index"]]
    labels = {_key(i): i for i in [*exp["index"], *act["index"]]}
    missing = [_label(labels[k]) for k in eidx if k not in aidx]
    extra = [_label(labels[k]) for k in aidx if k not in eidx]
    if missing or extra:
        return f"its rows differ: missing {_listing(missing) or 'none'}; unexpected {_listing(extra) or 'none'}."
    erows = {k: dict(zip(ecols, row, strict=True)) for k, row in zip(eidx, exp["v"], strict=True)}
    arows = {k: dict(zip(acols, row, strict=True)) for k, row in zip(aidx, act["v"], strict=True)}
    wrong = [
        _label(labels[k])
        for k in eidx
        if any(_compare(erows[k][c], arows[k][c], options, top=False) for c in ecols)
    ]
    if wrong:
        return f"{len(wrong)} of {len(eidx)} rows have wrong values: {_listing(wrong)}."
    if options.get("ordered") and (eidx != aidx or ecols != acols):
        return "the values are right but the rows or columns are in a different order."
    return None


def _describe_args(args: tuple[Any, ...]) -> str:
    parts = []
    for a in args:
        try:
            import pandas as pd

            if isinstance(a, pd.DataFrame):
                parts.append(f"<DataFrame {a.shape[0]}×{a.shape[1]}>")
                continue
            if isinstance(a, pd.Series):
                parts.append(f"<Series of {len(a)}>")
                continue
        except ImportError:  # pragma: no cover
            pass
        text = repr(a)
        parts.append(text if len(text) <= 40 else text[:37] + "...")
    return "(" + ", ".join(parts) + ")"


def _as_case(case: Any) -> tuple[Any, ...]:
    return tuple(case) if isinstance(case, tuple) else (case,)


# --------------------------------------------------------------------------------------------------------
# check() and hint()


def _check_key(qid: str, part: str | None) -> str:
    return f"{qid}:{part}" if part else qid


def evaluate(
    qid: str, value: Any, *, cases: Sequence[Any] | None = None, part: str | None = None
) -> Verdict:
    """Judge an answer against the loaded self-check data, without printing; never raises.

    Parameters
    ----------
    qid : str
        The question id, e.g. ``"q1"``.
    value : object
        The answer (for a function question, the function).
    cases : sequence, optional
        For a function question: the arguments to try, one tuple per call (a non-tuple is one argument).
    part : str, optional
        For a question with several checks: which part (``check("q2", x, part="b")``).

    Returns
    -------
    Verdict
    """
    key = _check_key(qid, part)
    try:
        return _evaluate(qid, key, value, cases)
    except Exception as exc:  # a self-check must never crash a student's notebook
        return Verdict(
            key, "unavailable", f"the self-check itself failed ({type(exc).__name__}: {exc})."
        )


def _evaluate(qid: str, key: str, value: Any, cases: Sequence[Any] | None) -> Verdict:
    if value is Ellipsis:
        return Verdict(key, "not attempted")
    if cases is not None:
        if not callable(value):
            return Verdict(
                key,
                "incorrect",
                f"the answer should be a function, but it is {type(value).__name__}.",
            )
        return _evaluate_function(key, value, [_as_case(c) for c in cases])
    try:
        act = encode_value(value)
    except UnsupportedValue as exc:
        return Verdict(key, "incorrect", f"{exc}.")
    if _all_ellipsis(act):
        return Verdict(key, "not attempted")
    if _STATE.record:
        _STATE.recorded[key] = act
        return Verdict(key, "correct")
    exp = _STATE.expected.get(key)
    if exp is None:
        return _unavailable(qid, key)
    blanks = _blank_items(act)
    if blanks:
        return Verdict(key, "incorrect", f"not finished: still `...` for {_listing(blanks)}.")
    options = _STATE.questions.get(qid, {}).get("options", {})
    why = _compare(exp, act, options)
    return Verdict(key, "correct") if why is None else Verdict(key, "incorrect", why)


def _unavailable(qid: str, key: str) -> Verdict:
    if _STATE.set_id is None and not _STATE.record:
        return Verdict(
            key, "unavailable", "no self-check data is loaded; run the setup cell at the top first."
        )
    known = sorted(_STATE.questions) or sorted(_STATE.expected)
    return Verdict(
        key, "unavailable", f"this set has no self-check {key!r} (it has {', '.join(known)})."
    )


def _evaluate_function(key: str, func: Callable[..., Any], cases: list[tuple[Any, ...]]) -> Verdict:
    results = []
    for args in cases:
        try:
            out = func(*copy.deepcopy(args))
        except Exception as exc:
            return Verdict(
                key,
                "incorrect",
                f"your function raised {type(exc).__name__}: {exc} when called with {_describe_args(args)}.",
            )
        if out is Ellipsis:
            return Verdict(key, "not attempted")
        try:
            results.append(encode_value(out))
        except UnsupportedValue as exc:
            return Verdict(
                key,
                "incorrect",
                f"for {_describe_args(args)} it returned something unusable: {exc}.",
            )
    if _STATE.record:
        _STATE.recorded[key] = {"t": "cases", "v": results}
        return Verdict(key, "correct")
    exp = _STATE.expected.get(key)
    if exp is None:
        return _unavailable(key.split(":")[0], key)
    if exp.get("t") != "cases" or len(exp["v"]) != len(results):
        return Verdict(
            key,
            "unavailable",
            "the check cell's cases differ from the stored ones; undo your edits to it.",
        )
    options = _STATE.questions.get(key.split(":")[0], {}).get("options", {})
    for args, e, a in zip(cases, exp["v"], results, strict=True):
        why = _compare(e, a, options)
        if why is not None:
            why = why.replace("the answer should be", "it should return", 1).replace(
                "but it is", "but it returned", 1
            )
            return Verdict(key, "incorrect", f"for the arguments {_describe_args(args)}: {why}")
    return Verdict(key, "correct")


def check(
    qid: str, value: Any, *, cases: Sequence[Any] | None = None, part: str | None = None
) -> None:
    """Check an answer and print the verdict; never raises.

    Prints ``✅ q1: correct``, ``❌ q1: incorrect — <why>`` or ``⏳ q1: not attempted``.

    Parameters
    ----------
    qid : str
        The question id, e.g. ``"q1"``.
    value : object
        The answer (for a function question, the function itself).
    cases : sequence, optional
        For a function question: the arguments to call it with, one tuple per call.
    part : str, optional
        Which part, for a question with several checks.
    """
    print(evaluate(qid, value, cases=cases, part=part))


def hint(qid: str) -> None:
    """Print the next hint for a question; after the last one, say there are no more. Never raises.

    Parameters
    ----------
    qid : str
        The question id, e.g. ``"q1"``.
    """
    try:
        print(_next_hint(qid))
    except Exception as exc:  # pragma: no cover - defensive: hints must never crash a notebook
        print(f"⚠️ hints unavailable ({type(exc).__name__}: {exc})")


def _next_hint(qid: str) -> str:
    if not _STATE.questions:
        return "⚠️ no hints are loaded; run the setup cell at the top first."
    if qid not in _STATE.questions:
        return f"⚠️ this set has no question {qid!r} (it has {', '.join(sorted(_STATE.questions))})."
    hints = _STATE.questions[qid].get("hints", [])
    if not hints:
        return f"💡 {qid}: this question has no hints. Re-read the question and the chapter it refers to."
    shown = _STATE.hints_shown.get(qid, 0)
    if shown >= len(hints):
        return f"💡 {qid}: no more hints (you have seen all {len(hints)}). Run the setup cell again to start over."
    _STATE.hints_shown[qid] = shown + 1
    return f"💡 {qid} hint {shown + 1} of {len(hints)}: {hints[shown]}"
