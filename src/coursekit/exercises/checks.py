"""Student-side self-checks: ``check()`` and ``hint()``.

The setup cell of an exercise notebook loads the set's self-check data with ``load_checks("ck1:...")``: the
expected values (computed by running the reference solutions), the layered hints and the comparison options of
every question, encoded so that a student cannot simply read the expected values off the notebook. This is
deterrence, not security: the grade comes from the hidden tests, which never reach the student.

``check("q1", value)`` prints one line and never raises:

* ``✅ q1: correct``
* ``❌ q1: incorrect — <why> Run hint("q1") for a hint.``: what *kind* of mistake it is (wrong type, length or
  shape, missing or unexpected items counted, a percentage where a share is asked, a wrong sign, right items in
  the wrong order, a label outside the question's allowed labels), never the key: no amount, no "too high",
  no list of the wrong items (see :mod:`coursekit.exercises.diagnose`)
* ``⏳ q1: not attempted`` (the answer is still ``...``, the stub of the student edition)

``hint("q1")`` gives the question's next layered hint; it works for written answers too. Once the self-check data
is loaded, an answer cell whose value is still the blank stub (``...`` or a dict of ``...``) displays nothing.

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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from coursekit.exercises.diagnose import (
    allowed_labels,
    compare,
    label_of,
    listing,
    same_scalar,
    sort_key,
)
from coursekit.messages import msg

if TYPE_CHECKING:
    from coursekit.exercises.model import ExerciseSet

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
    "is_blank",
    "load_checks",
    "payload_questions",
    "question_payload",
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
        self.reset()

    def reset(self) -> None:
        """Forget the loaded data (a new set, or none)."""
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
        return {"t": "set", "v": sorted(items, key=sort_key)}
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


_label = label_of
_same_scalar = same_scalar  # kept for the tests and callers that compare scalars as self-checks do


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
        ``{"set": set id, "questions": {qid: {"kind", "options", "hints", "labels"}}, "expected": {key:
        encoded}}`` (see :func:`payload_questions`).

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


def question_payload(
    kind: str,
    options: Mapping[str, Any],
    hints: Sequence[str],
    text: str,
    expected: Sequence[dict[str, Any]],
) -> dict[str, Any]:
    """The self-check data of one question: its kind, comparison options, hints and allowed labels.

    Parameters
    ----------
    kind : {"value", "function", "manual"}
        The question's kind; a written (``"manual"``) question carries only its hints, for ``hint()``.
    options : mapping
        Comparison options (``tolerance``, ``ordered``, ``ignore_case``, ``count_only``...).
    hints : sequence of str
        The layered hints.
    text : str
        The question's markdown, from which the allowed labels are read (:func:`allowed_labels`).
    expected : sequence of dict
        The question's encoded expected values.

    Returns
    -------
    dict
        ``{"kind", "options", "hints"}`` plus ``"labels"`` when the question has an allowed vocabulary.
    """
    entry: dict[str, Any] = {"kind": kind, "options": dict(options), "hints": list(hints)}
    if kind != "manual":
        labels = allowed_labels(text, expected, dict(options))
        if labels:
            entry["labels"] = labels
    return entry


def payload_questions(ex: ExerciseSet, expected: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The ``"questions"`` part of a set's self-check data: every question, written ones included.

    Parameters
    ----------
    ex : ExerciseSet
        The parsed source notebook.
    expected : mapping
        Check key (``"q1"``, ``"q2:b"``) → encoded expected value.

    Returns
    -------
    dict
        Question id → :func:`question_payload`.
    """
    out: dict[str, dict[str, Any]] = {}
    for q in ex.questions:
        cell = ex.notebook.cells[q.question_cell] if q.question_cell is not None else {}
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        values = [v for k, v in expected.items() if k == q.qid or k.startswith(f"{q.qid}:")]
        out[q.qid] = question_payload(q.kind, q.options, q.hints, text, values)
    return out


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
    _STATE.reset()
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
    _quiet_blank_answers()


def is_blank(value: Any) -> bool:
    """True for an answer still blank: ``...``, or a non-empty list, tuple, set or dict holding only blanks."""
    if value is Ellipsis:
        return True
    if type(value) in (list, tuple, set, frozenset) and value:
        return all(is_blank(v) for v in value)
    if type(value) is dict and value:
        return all(is_blank(v) for v in value.values())
    return False


def _quiet_blank_answers() -> None:
    """In IPython, let a cell whose last line shows a blank answer (``client`` = ``{"best": ...}``) show nothing.

    The display hook asks ``compute_format_data`` for the output of a cell's value; for a blank answer it now
    gets nothing, so Jupyter sends no output (instead of ``{'best': Ellipsis, ...}``). Every other value is
    shown as before. Done once per kernel; outside IPython it does nothing.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of every Jupyter kernel
        return
    shell = get_ipython()
    hook = getattr(shell, "displayhook", None)
    if hook is None or getattr(hook, "_coursekit_quiet", False):
        return
    original = hook.compute_format_data

    def compute_format_data(result: Any) -> Any:
        try:
            blank = is_blank(result)
        except Exception:  # noqa: BLE001 - a hostile object: show it as IPython would
            blank = False
        return ({}, {}) if blank else original(result)

    hook.compute_format_data = compute_format_data
    hook._coursekit_quiet = True


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
            return _incorrect(qid, key, msg("check.not_a_function", type=type(value).__name__))
        return _evaluate_function(qid, key, value, [_as_case(c) for c in cases])
    try:
        act = encode_value(value)
    except UnsupportedValue as exc:
        return _incorrect(qid, key, f"{exc}.")
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
        return Verdict(key, "incorrect", msg("check.not_finished", items=listing(blanks)))
    why = compare(exp, act, _options(qid))
    return Verdict(key, "correct") if why is None else _incorrect(qid, key, why)


def _options(qid: str) -> dict[str, Any]:
    """The question's comparison options, with its allowed labels (``labels``) when it has any."""
    question = _STATE.questions.get(qid, {})
    options = dict(question.get("options", {}))
    if question.get("labels"):
        options["labels"] = list(question["labels"])
    return options


def _incorrect(qid: str, key: str, why: str) -> Verdict:
    """An incorrect verdict whose message ends by pointing to the question's hints (or its text)."""
    if _STATE.questions.get(qid, {}).get("hints"):
        return Verdict(key, "incorrect", msg("check.why.hint", why=why, qid=qid))
    return Verdict(key, "incorrect", msg("check.why.reread", why=why))


def _unavailable(qid: str, key: str) -> Verdict:
    if _STATE.set_id is None and not _STATE.record:
        return Verdict(key, "unavailable", msg("check.no_data"))
    if _STATE.questions.get(qid, {}).get("kind") == "manual":
        return Verdict(key, "unavailable", msg("check.written", qid=qid))
    known = sorted(
        (q for q, data in _STATE.questions.items() if data.get("kind") != "manual"),
        key=lambda q: (len(q), q),
    ) or sorted(_STATE.expected)
    return Verdict(key, "unavailable", msg("check.unknown", key=repr(key), known=", ".join(known)))


def _evaluate_function(
    qid: str, key: str, func: Callable[..., Any], cases: list[tuple[Any, ...]]
) -> Verdict:
    results = []
    for args in cases:
        try:
            out = func(*copy.deepcopy(args))
        except Exception as exc:
            why = msg(
                "check.function.raised",
                error_type=type(exc).__name__,
                error=exc,
                args=_describe_args(args),
            )
            return _incorrect(qid, key, why)
        if out is Ellipsis:
            return Verdict(key, "not attempted")
        try:
            results.append(encode_value(out))
        except UnsupportedValue as exc:
            why = msg("check.function.unusable", args=_describe_args(args), error=exc)
            return _incorrect(qid, key, why)
    if _STATE.record:
        _STATE.recorded[key] = {"t": "cases", "v": results}
        return Verdict(key, "correct")
    exp = _STATE.expected.get(key)
    if exp is None:
        return _unavailable(qid, key)
    if exp.get("t") != "cases" or len(exp["v"]) != len(results):
        return Verdict(key, "unavailable", msg("check.function.cases_differ"))
    options = _options(qid)
    for args, e, a in zip(cases, exp["v"], results, strict=True):
        differs = compare(e, a, options, returned=True)
        if differs is not None:
            return _incorrect(
                qid, key, msg("check.function.wrong", args=_describe_args(args), why=differs)
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
