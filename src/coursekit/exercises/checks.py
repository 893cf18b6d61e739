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

from coursekit.messages import msg

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
_STATUS = {
    "correct": "check.status.correct",
    "incorrect": "check.status.incorrect",
    "not attempted": "check.status.not_attempted",
    "unavailable": "check.status.unavailable",
}
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
        fields = {
            "symbol": _SYMBOL[self.status],
            "qid": self.qid,
            "status": msg(_STATUS[self.status]),
        }
        if self.message:
            return msg("check.verdict_why", why=self.message, **fields)
        return msg("check.verdict", **fields)


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
        msg("check.unsupported", type=f"{type(value).__module__}.{type(value).__qualname__}")
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


# The student-facing name of each encoded type (the texts are in the message catalogue).
_TYPE_NAMES = {
    "ellipsis": "check.type.ellipsis",
    "none": "check.type.none",
    "bool": "check.type.bool",
    "int": "check.type.int",
    "float": "check.type.float",
    "str": "check.type.str",
    "timestamp": "check.type.timestamp",
    "period": "check.type.period",
    "frame": "check.type.frame",
    "series": "check.type.series",
    "list": "check.type.list",
    "tuple": "check.type.tuple",
    "set": "check.type.set",
    "dict": "check.type.dict",
}


def _describe(enc: dict[str, Any]) -> str:
    key = _TYPE_NAMES.get(enc["t"])
    return msg(key) if key else enc["t"]


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
        raise ValueError(msg("check.payload.not_payload"))
    try:
        set_id, b64 = payload[len(PAYLOAD_PREFIX) :].split(":", 1)
        scrambled = base64.b64decode(b64.encode(), validate=True)
        raw = bytes(
            a ^ b for a, b in zip(scrambled, _keystream(set_id, len(scrambled)), strict=True)
        )
        return json.loads(zlib.decompress(raw).decode())
    except Exception as exc:
        raise ValueError(msg("check.payload.damaged")) from exc


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
        print(msg("check.payload.unavailable", error=exc))
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
        return [msg("check.item", index=i) for i, v in enumerate(enc["v"]) if v["t"] == "ellipsis"]
    return []


def _listing(items: Sequence[str]) -> str:
    shown = ", ".join(items[:_MAX_LISTED])
    more = len(items) - _MAX_LISTED
    return msg("listing.more", shown=shown, more=more) if more > 0 else shown


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
    exp: dict[str, Any],
    act: dict[str, Any],
    options: dict[str, Any],
    top: bool = True,
    returned: bool = False,
) -> str | None:
    """Return ``None`` when ``act`` matches ``exp``, else a sentence saying what differs.

    Below the top level (``top=False``) only whether they differ matters: the result is ``None`` or
    :data:`_DIFFERS`, never shown. ``returned`` words a wrong type as what a function returned.
    """
    et, at = exp["t"], act["t"]
    # compatible types
    if _is_number(exp) and _is_number(act):
        if _same_scalar(exp, act, options):
            return None
        if top and options.get("direction"):
            diff = float(act["v"]) - float(exp["v"])
            key = "check.number.too_high" if diff > 0 else "check.number.too_low"
            return msg(key, answer=repr(act["v"]), amount=_roughly(abs(diff)))
        return msg("check.number.not_expected", answer=repr(act["v"])) if top else _DIFFERS
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
            return _DIFFERS
        if et == "str":
            return msg("check.str.not_expected", answer=repr(act["v"]))
        return msg("check.value.not_expected", answer=_label(act))
    # wrong type
    if not top:
        return _DIFFERS
    advice = ""
    if at == "str" and _is_number(exp):
        try:
            float(act["v"])
            advice = msg("check.advice.quoted_number", answer=repr(act["v"]))
        except ValueError:
            pass
    elif et == "series" and at == "dict":
        advice = msg("check.advice.keep_pandas")
    elif et == "frame" and at == "series":
        advice = msg("check.advice.frame_not_series")
    elif et == "int" and at == "series":
        advice = msg("check.advice.reduce")
    key = "check.type.returned" if returned else "check.type.wrong"
    return msg(key, expected=_describe(exp), actual=_describe(act), advice=advice)


_DIFFERS = "differs"  # what an inner comparison returns: a flag, never shown to a student

# A list checked with "count_only" reveals neither its length nor how many items are wrong: either would let a
# student find the key by swapping one item at a time (check.sequence.not_the_list says so to the student).


def _compare_sequence(
    exp: dict[str, Any], act: dict[str, Any], options: dict[str, Any], top: bool
) -> str | None:
    ev, av = exp["v"], act["v"]
    ordered = options.get("ordered", True) and exp["t"] != "set" and act["t"] != "set"
    if len(ev) != len(av):
        if top and options.get("count_only"):
            return msg("check.sequence.not_the_list")
        return msg("check.sequence.length", expected=len(ev), actual=len(av)) if top else _DIFFERS
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
            return _DIFFERS
        if options.get("count_only"):
            return msg("check.sequence.not_the_list")
        return msg("check.sequence.unexpected", items=_listing(unmatched))
    wrong = [
        i for i, (e, a) in enumerate(zip(ev, av, strict=True)) if _compare(e, a, options, top=False)
    ]
    if not wrong:
        return None
    if not top:
        return _DIFFERS
    if (
        options.get("ordered", True)
        and _compare_sequence(exp, act, dict(options, ordered=False), True) is None
    ):
        return msg("check.sequence.order")
    if options.get("count_only"):
        return msg("check.sequence.not_the_list")
    return msg(
        "check.sequence.differ",
        wrong=len(wrong),
        total=len(ev),
        positions=_listing([str(i) for i in wrong]),
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
            return _DIFFERS
        if missing and extra:
            return msg("check.dict.keys", missing=_listing(missing), extra=_listing(extra))
        if missing:
            return msg("check.dict.missing", missing=_listing(missing))
        return msg("check.dict.extra", extra=_listing(extra))
    wrong = [_label(ed[k][0]) for k in ed if _compare(ed[k][1], ad[k][1], options, top=False)]
    if not wrong:
        return None
    if not top:
        return _DIFFERS
    if options.get("count_only"):
        # As for lists: with two or three labels, even a count lets one flip entries until it falls.
        return msg("check.dict.not_the_dict")
    return msg("check.dict.wrong", wrong=len(wrong), total=len(ed), entries=_listing(wrong))


def _compare_series(
    exp: dict[str, Any], act: dict[str, Any], options: dict[str, Any]
) -> str | None:
    ek = [_key(i) for i in exp["index"]]
    ak = [_key(i) for i in act["index"]]
    if len(ek) != len(ak):
        return msg("check.series.length", expected=len(ek), actual=len(ak))
    labels = {_key(i): i for i in [*exp["index"], *act["index"]]}
    missing = [_label(labels[k]) for k in ek if k not in ak]
    extra = [_label(labels[k]) for k in ak if k not in ek]
    if missing or extra:
        nothing = msg("check.nothing")
        return msg(
            "check.series.index",
            missing=_listing(missing) or nothing,
            extra=_listing(extra) or nothing,
        )
    ev = dict(zip(ek, exp["v"], strict=True))
    av = dict(zip(ak, act["v"], strict=True))
    wrong = [_label(labels[k]) for k in ek if _compare(ev[k], av[k], options, top=False)]
    if wrong:
        return msg("check.series.wrong", wrong=len(wrong), total=len(ek), labels=_listing(wrong))
    if options.get("ordered") and ek != ak:
        return msg("check.series.order")
    return None


def _compare_frame(exp: dict[str, Any], act: dict[str, Any], options: dict[str, Any]) -> str | None:
    eshape = (len(exp["index"]), len(exp["columns"]))
    ashape = (len(act["index"]), len(act["columns"]))
    ecols = [_key(c) for c in exp["columns"]]
    acols = [_key(c) for c in act["columns"]]
    names = {_key(c): c for c in [*exp["columns"], *act["columns"]]}
    shapes = {
        "rows": eshape[0],
        "columns": eshape[1],
        "has_rows": ashape[0],
        "has_columns": ashape[1],
    }
    if ecols != acols and sorted(ecols) != sorted(acols):
        missing = [_label(names[c]) for c in ecols if c not in acols]
        extra = [_label(names[c]) for c in acols if c not in ecols]
        none = msg("check.none")
        return msg(
            "check.frame.columns",
            **shapes,
            missing=_listing(missing) or none,
            extra=_listing(extra) or none,
        )
    if eshape != ashape:
        return msg("check.frame.shape", **shapes)
    eidx = [_key(i) for i in exp["index"]]
    aidx = [_key(i) for i in act["index"]]
    labels = {_key(i): i for i in [*exp["index"], *act["index"]]}
    missing = [_label(labels[k]) for k in eidx if k not in aidx]
    extra = [_label(labels[k]) for k in aidx if k not in eidx]
    if missing or extra:
        none = msg("check.none")
        return msg(
            "check.frame.rows", missing=_listing(missing) or none, extra=_listing(extra) or none
        )
    erows = {k: dict(zip(ecols, row, strict=True)) for k, row in zip(eidx, exp["v"], strict=True)}
    arows = {k: dict(zip(acols, row, strict=True)) for k, row in zip(aidx, act["v"], strict=True)}
    wrong = [
        _label(labels[k])
        for k in eidx
        if any(_compare(erows[k][c], arows[k][c], options, top=False) for c in ecols)
    ]
    if wrong:
        return msg("check.frame.wrong", wrong=len(wrong), total=len(eidx), rows=_listing(wrong))
    if options.get("ordered") and (eidx != aidx or ecols != acols):
        return msg("check.frame.order")
    return None


def _describe_args(args: tuple[Any, ...]) -> str:
    parts = []
    for a in args:
        try:
            import pandas as pd

            if isinstance(a, pd.DataFrame):
                parts.append(msg("check.args.frame", rows=a.shape[0], columns=a.shape[1]))
                continue
            if isinstance(a, pd.Series):
                parts.append(msg("check.args.series", length=len(a)))
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
            key, "unavailable", msg("check.crashed", error_type=type(exc).__name__, error=exc)
        )


def _evaluate(qid: str, key: str, value: Any, cases: Sequence[Any] | None) -> Verdict:
    if value is Ellipsis:
        return Verdict(key, "not attempted")
    if cases is not None:
        if not callable(value):
            return Verdict(key, "incorrect", msg("check.not_a_function", type=type(value).__name__))
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
        return Verdict(key, "incorrect", msg("check.not_finished", items=_listing(blanks)))
    options = _STATE.questions.get(qid, {}).get("options", {})
    why = _compare(exp, act, options)
    return Verdict(key, "correct") if why is None else Verdict(key, "incorrect", why)


def _unavailable(qid: str, key: str) -> Verdict:
    if _STATE.set_id is None and not _STATE.record:
        return Verdict(key, "unavailable", msg("check.no_data"))
    known = sorted(_STATE.questions) or sorted(_STATE.expected)
    return Verdict(key, "unavailable", msg("check.unknown", key=repr(key), known=", ".join(known)))


def _evaluate_function(key: str, func: Callable[..., Any], cases: list[tuple[Any, ...]]) -> Verdict:
    results = []
    for args in cases:
        try:
            out = func(*copy.deepcopy(args))
        except Exception as exc:
            return Verdict(
                key,
                "incorrect",
                msg(
                    "check.function.raised",
                    error_type=type(exc).__name__,
                    error=exc,
                    args=_describe_args(args),
                ),
            )
        if out is Ellipsis:
            return Verdict(key, "not attempted")
        try:
            results.append(encode_value(out))
        except UnsupportedValue as exc:
            return Verdict(
                key,
                "incorrect",
                msg("check.function.unusable", args=_describe_args(args), error=exc),
            )
    if _STATE.record:
        _STATE.recorded[key] = {"t": "cases", "v": results}
        return Verdict(key, "correct")
    exp = _STATE.expected.get(key)
    if exp is None:
        return _unavailable(key.split(":")[0], key)
    if exp.get("t") != "cases" or len(exp["v"]) != len(results):
        return Verdict(key, "unavailable", msg("check.function.cases_differ"))
    options = _STATE.questions.get(key.split(":")[0], {}).get("options", {})
    for args, e, a in zip(cases, exp["v"], results, strict=True):
        why = _compare(e, a, options, returned=True)
        if why is not None:
            return Verdict(
                key, "incorrect", msg("check.function.wrong", args=_describe_args(args), why=why)
            )
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
        print(msg("hint.unavailable", error_type=type(exc).__name__, error=exc))


def _next_hint(qid: str) -> str:
    if not _STATE.questions:
        return msg("hint.no_data")
    if qid not in _STATE.questions:
        return msg("hint.unknown", qid=repr(qid), known=", ".join(sorted(_STATE.questions)))
    hints = _STATE.questions[qid].get("hints", [])
    if not hints:
        return msg("hint.none", qid=qid)
    shown = _STATE.hints_shown.get(qid, 0)
    if shown >= len(hints):
        return msg("hint.no_more", qid=qid, count=len(hints))
    _STATE.hints_shown[qid] = shown + 1
    return msg("hint.next", qid=qid, number=shown + 1, count=len(hints), hint=hints[shown])
