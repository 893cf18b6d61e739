"""Why an answer differs from the expected one, in words that teach without giving the key away.

:func:`compare` takes two values encoded by :func:`coursekit.exercises.checks.encode_value` (the expected one and
the student's) and returns ``None`` when they match, else one or two sentences from the message catalogue. The
sentences say what *kind* of mistake it is and never carry the key:

* a wrong type, length, shape, or missing and unexpected items *counted* (never named, except a frame's columns,
  which the question names);
* for numbers, a kind of mistake recognised by an exact relation to the key: a percentage where a share between
  0 and 1 is asked (or the reverse), another factor of 10, a wrong sign, decimals where a whole number is asked;
  never "too high" or "too low", nor by how much (either lets a student close in on the key);
* for labels, a label outside the question's allowed vocabulary gets the list of allowed labels (taken from the
  question's text, so it tells nothing the question does not), never which entries are wrong nor how many;
* the items or entries that are wrong are never named; their number is given only when every expected value is
  a number (with labels, a count lets a student change one entry at a time until the count falls) and never for
  a question marked ``count_only``.

The student's own answer may be quoted back; nothing of the expected value is.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

from coursekit.messages import msg

__all__ = [
    "allowed_labels",
    "compare",
    "describe",
    "label_of",
    "listing",
    "same_scalar",
]

_MAX_LISTED = 5

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

# Kinds of numeric mistake: the sentence for one number, and for several values of a container.
_MISTAKE = {
    "percent": "check.mistake.percent",
    "share": "check.mistake.share",
    "scale": "check.mistake.scale",
    "sign": "check.mistake.sign",
    "whole": "check.mistake.whole",
}
_MISTAKES = {
    "percent": "check.mistakes.percent",
    "share": "check.mistakes.share",
    "scale": "check.mistakes.scale",
    "sign": "check.mistakes.sign",
    "whole": "check.mistakes.whole",
}


# --------------------------------------------------------------------------------------------------------
# Naming values


def sort_key(enc: dict[str, Any]) -> str:
    """A stable text key for an encoded value (sorting sets, matching labels)."""
    return json.dumps(enc, sort_keys=True)


def key_of(enc: dict[str, Any]) -> str:
    """A hashable, readable key for an encoded dict key or index label."""
    if enc["t"] in ("str", "int", "timestamp", "period"):
        return str(enc["v"])
    if enc["t"] == "float" and float(enc["v"]).is_integer():
        return str(int(enc["v"]))
    return sort_key(enc)


def describe(enc: dict[str, Any]) -> str:
    """The student-facing name of an encoded value's type, e.g. "a whole number (int)"."""
    key = _TYPE_NAMES.get(enc["t"])
    return msg(key) if key else str(enc["t"])


def label_of(enc: dict[str, Any]) -> str:
    """How an item of the *student's* answer is named in a message (a dict key, a label, a list position)."""
    if enc["t"] == "str":
        return repr(enc["v"])
    if enc["t"] in ("int", "float", "bool", "timestamp", "period"):
        return str(enc["v"])
    return describe(enc)


def listing(items: Sequence[str]) -> str:
    """``"a, b, c and 2 more"``: at most five items shown."""
    shown = ", ".join(items[:_MAX_LISTED])
    more = len(items) - _MAX_LISTED
    return msg("listing.more", shown=shown, more=more) if more > 0 else shown


def _is_number(enc: dict[str, Any]) -> bool:
    return enc["t"] in ("int", "float")


def _family(enc: dict[str, Any]) -> str:
    """The type as a student thinks of it: ints and floats are both numbers, lists and tuples both sequences."""
    if _is_number(enc):
        return "number"
    if enc["t"] in ("list", "tuple", "set"):
        return "sequence"
    return str(enc["t"])


# --------------------------------------------------------------------------------------------------------
# Scalars


def _close(a: float, b: float, options: dict[str, Any]) -> bool:
    if not (math.isfinite(a) and math.isfinite(b)):
        # NaN and infinities are never close to a number: only the same non-finite value matches
        return (math.isnan(a) and math.isnan(b)) or a == b
    tol = options.get("tolerance")
    if tol is not None:
        return abs(a - b) <= float(tol) + 1e-12
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def _norm_text(text: str, options: dict[str, Any]) -> str:
    text = text.strip()
    return text.casefold() if options.get("ignore_case") else text


def same_scalar(exp: dict[str, Any], act: dict[str, Any], options: dict[str, Any]) -> bool:
    """Whether two encoded scalars match under the question's options (tolerance, ignore_case)."""
    if _is_number(exp) and _is_number(act):
        return _close(float(exp["v"]), float(act["v"]), options)
    if exp["t"] == "str" and act["t"] == "str":
        return _norm_text(exp["v"], options) == _norm_text(act["v"], options)
    if exp["t"] != act["t"]:
        return False
    if exp["t"] in ("none", "ellipsis"):
        return True
    return bool(exp.get("v") == act.get("v"))


def number_mistake(exp: dict[str, Any], act: dict[str, Any], options: dict[str, Any]) -> str | None:
    """The kind of a wrong number, when an exact relation to the expected one shows it; else ``None``.

    ``"whole"``: decimals where a whole number is asked; ``"sign"``: the right size with the wrong sign;
    ``"percent"``: 100 times a share between 0 and 1; ``"share"``: a hundredth of a percentage; ``"scale"``:
    off by a factor of 10, 100 or 1,000 otherwise. Each is judged with the question's own tolerance (the
    answer divided by the factor would be right), so it is as hard to hit by chance as the key itself.
    """
    e, a = float(exp["v"]), float(act["v"])
    if not (math.isfinite(e) and math.isfinite(a)):
        return None
    if e != 0:
        if _close(-a, e, options):
            return "sign"
        if abs(e) <= 1 and _close(a / 100, e, options):
            return "percent"
        if abs(a) <= 1 and _close(a * 100, e, options):
            return "share"
        for factor in (10.0, 100.0, 1000.0, 0.1, 0.01, 0.001):
            if _close(a / factor, e, options):
                return "scale"
    if exp["t"] == "int" and not a.is_integer():
        return "whole"
    return None


def _mistake_sentence(kinds: Iterable[str | None], several: bool) -> str:
    """The sentence naming a kind of mistake shared by all the wrong numbers, or ``""``."""
    found = set(kinds)
    if len(found) != 1 or None in found:
        return ""
    kind = found.pop()
    assert kind is not None
    return msg((_MISTAKES if several else _MISTAKE)[kind])


def _join(*sentences: str) -> str:
    return " ".join(s for s in sentences if s)


# --------------------------------------------------------------------------------------------------------
# Labels


def _leaves(enc: dict[str, Any]) -> list[dict[str, Any]]:
    """The scalar values inside an encoded value (dict values, items, Series values, frame cells)."""
    t = enc["t"]
    if t in ("list", "tuple", "set", "series", "cases"):
        return [leaf for item in enc["v"] for leaf in _leaves(item)]
    if t == "dict":
        return [leaf for _, value in enc["v"] for leaf in _leaves(value)]
    if t == "frame":
        return [leaf for row in enc["v"] for cell in row for leaf in _leaves(cell)]
    return [enc]


def _all_numbers(enc: dict[str, Any]) -> bool:
    leaves = _leaves(enc)
    return bool(leaves) and all(_is_number(leaf) for leaf in leaves)


_QUOTED = re.compile(r"`[\"']([^\"'`\n]{1,60})[\"']`")
_LETTER_OPTION = re.compile(r"^\s*(?:[-*]\s+)?(?:\*\*)?([A-Z])(?:\*\*)?[.)]\s", re.MULTILINE)


def allowed_labels(
    text: str, expected: Sequence[dict[str, Any]], options: dict[str, Any] | None = None
) -> list[str]:
    """The labels a question allows, read from its text, for the self-check's "allowed labels" message.

    The candidates are the strings the question quotes as code (```"balancing"```) and the letters of its
    lettered options (``A.``, ``- B.``), minus the dict keys of the expected answer (``"s1"``, ``"why"``). They
    are used only when every label of the key is among them (otherwise the list would be incomplete and could
    mislead); the list is the question's vocabulary, never the key itself.

    Parameters
    ----------
    text : str
        The question's markdown.
    expected : sequence of dict
        The question's encoded expected values (one per check key).
    options : dict, optional
        The question's comparison options (``ignore_case`` decides how labels are matched).

    Returns
    -------
    list of str
        The allowed labels in the order the question gives them, or ``[]``.
    """
    options = options or {}
    key_labels = {
        _norm_text(leaf["v"], options)
        for enc in expected
        for leaf in _leaves(enc)
        if leaf["t"] == "str"
    }
    if not key_labels:
        return []
    dict_keys = {key_of(k) for enc in expected if enc["t"] == "dict" for k, _ in enc["v"]}
    found: list[str] = []
    for m in [*_QUOTED.finditer(text), *_LETTER_OPTION.finditer(text)]:
        label = m.group(1).strip()
        # a dict key ("s1") or the stem of one ("t6" for "t6_obligations") names an item, not a label
        if (
            label
            and label not in dict_keys
            and not any(k.startswith(f"{label}_") for k in dict_keys)
            and label not in found
        ):
            found.append(label)
    if not key_labels <= {_norm_text(label, options) for label in found}:
        return []
    return found


def _label_problem(act: dict[str, Any], options: dict[str, Any]) -> str | None:
    """A message for the first text in the answer that is not one of the question's allowed labels."""
    labels = options.get("labels") or []
    if not labels:
        return None
    allowed = {_norm_text(label, options) for label in labels}
    for leaf in _leaves(act):
        if leaf["t"] == "str" and _norm_text(leaf["v"], options) not in allowed:
            shown = ", ".join(f'"{label}"' for label in labels)
            return msg("check.label.unknown", answer=repr(leaf["v"]), labels=shown)
    return None


# --------------------------------------------------------------------------------------------------------
# Comparison


def compare(
    exp: dict[str, Any], act: dict[str, Any], options: dict[str, Any], returned: bool = False
) -> str | None:
    """Return ``None`` when ``act`` matches ``exp``, else what kind of mistake it is (never the key).

    Parameters
    ----------
    exp, act : dict
        The expected and the given value, encoded.
    options : dict
        The question's comparison options (``tolerance``, ``ordered``, ``ignore_case``, ``count_only``) and its
        allowed ``labels``.
    returned : bool
        Word a wrong type as what a function returned.
    """
    et, at = exp["t"], act["t"]
    if _is_number(exp) and _is_number(act):
        if same_scalar(exp, act, options):
            return None
        return _join(
            msg("check.number.not_expected", answer=repr(act["v"])),
            _mistake_sentence([number_mistake(exp, act, options)], several=False),
        )
    if et in ("list", "tuple") and at in ("list", "tuple", "set"):
        return _compare_sequence(exp, act, options)
    if et == "set" and at in ("list", "tuple", "set"):
        return _compare_sequence(exp, act, dict(options, ordered=False))
    if et == "dict" and at == "dict":
        return _compare_dict(exp, act, options)
    if et == "series" and at == "series":
        return _compare_series(exp, act, options)
    if et == "frame" and at == "frame":
        return _compare_frame(exp, act, options)
    if et == at:
        if same_scalar(exp, act, options):
            return None
        if et == "str":
            return _label_problem(act, options) or msg(
                "check.str.not_expected", answer=repr(act["v"])
            )
        return msg("check.value.not_expected", answer=label_of(act))
    return _wrong_type(exp, act, returned)


def _differs(exp: dict[str, Any], act: dict[str, Any], options: dict[str, Any]) -> bool:
    """Whether ``act`` does not match ``exp``; as :func:`compare` decides, but without wording anything."""
    et, at = exp["t"], act["t"]
    if _is_number(exp) and _is_number(act):
        return not same_scalar(exp, act, options)
    sequences = ("list", "tuple", "set")
    if (et in ("list", "tuple") and at in sequences) or (et == "set" and at in sequences):
        ev, av = exp["v"], act["v"]
        if len(ev) != len(av):
            return True
        if options.get("ordered", True) and "set" not in (et, at):
            return any(_differs(e, a, options) for e, a in zip(ev, av, strict=True))
        return _unmatched(ev, av, options) > 0
    if et == "dict" and at == "dict":
        ed = {key_of(k): v for k, v in exp["v"]}
        ad = {key_of(k): v for k, v in act["v"]}
        return ed.keys() != ad.keys() or any(_differs(ed[k], ad[k], options) for k in ed)
    if et in ("series", "frame") and at == et:
        # rare inside a container: wording the difference costs little there
        return compare(exp, act, options) is not None
    if et == at:
        return not same_scalar(exp, act, options)
    return True


_HASHABLE = ("str", "bool", "none", "timestamp", "period")


def _unmatched(ev: list[dict[str, Any]], av: list[dict[str, Any]], options: dict[str, Any]) -> int:
    """How many items of ``av`` find no partner in ``ev`` (each item of ``ev`` partners once)."""
    if all(x["t"] in _HASHABLE for x in [*ev, *av]):
        # texts, booleans and dates match exactly (texts after the question's normalisation): count them
        def norm(x: dict[str, Any]) -> tuple[str, str]:
            if x["t"] == "str":
                return "str", _norm_text(x["v"], options)
            return x["t"], str(x.get("v"))

        remaining: dict[tuple[str, str], int] = {}
        for x in ev:
            remaining[norm(x)] = remaining.get(norm(x), 0) + 1
        unmatched = 0
        for x in av:
            if remaining.get(norm(x), 0):
                remaining[norm(x)] -= 1
            else:
                unmatched += 1
        return unmatched
    pool = list(ev)
    unmatched = 0
    for item in av:
        for j, cand in enumerate(pool):
            if not _differs(cand, item, options):
                pool.pop(j)
                break
        else:
            unmatched += 1
    return unmatched


def _wrong_type(exp: dict[str, Any], act: dict[str, Any], returned: bool = False) -> str:
    et, at = exp["t"], act["t"]
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
    return msg(key, expected=describe(exp), actual=describe(act), advice=advice)


def _type_problem(
    pairs: Iterable[tuple[str, dict[str, Any], dict[str, Any]]],
) -> str | None:
    """A message for the first entry whose type is not the expected one (types are not the key)."""
    for where, e, a in pairs:
        if _family(e) != _family(a):
            advice = ""
            if a["t"] == "str" and _is_number(e):
                try:
                    float(a["v"])
                    advice = msg("check.advice.quoted_number", answer=repr(a["v"]))
                except ValueError:
                    pass
            return msg(
                "check.entry.type",
                entry=where,
                expected=describe(e),
                actual=describe(a),
                advice=advice,
            )
    return None


def _values_wrong(
    exp: dict[str, Any],
    act: dict[str, Any],
    wrong: list[tuple[dict[str, Any], dict[str, Any]]],
    total: int,
    options: dict[str, Any],
    counted_key: str,
    hidden_key: str,
) -> str:
    """The sentence for containers whose values differ: counted for numbers only, never which."""
    problem = _label_problem(act, options)
    if problem:
        return problem
    if options.get("count_only") or not _all_numbers(exp):
        return msg(hidden_key)
    kinds = [
        number_mistake(e, a, options) if _is_number(e) and _is_number(a) else None for e, a in wrong
    ]
    return _join(
        msg(counted_key, wrong=len(wrong), total=total),
        _mistake_sentence(kinds, several=True),
    )


def _compare_sequence(
    exp: dict[str, Any], act: dict[str, Any], options: dict[str, Any]
) -> str | None:
    ev, av = exp["v"], act["v"]
    ordered = options.get("ordered", True) and exp["t"] != "set" and act["t"] != "set"
    count_only = options.get("count_only")
    if len(ev) != len(av):
        if count_only:
            return msg("check.sequence.not_the_list")
        return _label_problem(act, options) or msg(
            "check.sequence.length", expected=len(ev), actual=len(av)
        )
    unmatched = _unmatched(ev, av, options)
    if not ordered:
        if not unmatched:
            return None
        families = {_family(e) for e in ev}
        if (
            len(families) == 1
        ):  # all expected items are of one type: an item of another type is named
            problem = _type_problem(
                (msg("check.item", index=i), ev[0], a) for i, a in enumerate(av)
            )
            if problem:
                return problem
        if count_only:
            return _label_problem(act, options) or msg("check.sequence.not_the_list")
        return _label_problem(act, options) or (
            msg("check.sequence.unexpected", count=unmatched)
            if _all_numbers(exp)
            else msg("check.sequence.some_wrong")
        )
    wrong = [i for i, (e, a) in enumerate(zip(ev, av, strict=True)) if _differs(e, a, options)]
    if not wrong:
        return None
    if not unmatched and options.get("ordered", True):
        return msg("check.sequence.order")
    problem = _type_problem((msg("check.item", index=i), ev[i], av[i]) for i in wrong)
    if problem:
        return problem
    if count_only:
        return _label_problem(act, options) or msg("check.sequence.not_the_list")
    return _values_wrong(
        exp,
        act,
        [(ev[i], av[i]) for i in wrong],
        len(ev),
        options,
        "check.sequence.differ",
        "check.sequence.some_wrong",
    )


def _compare_dict(exp: dict[str, Any], act: dict[str, Any], options: dict[str, Any]) -> str | None:
    ed = {key_of(k): (k, v) for k, v in exp["v"]}
    ad = {key_of(k): (k, v) for k, v in act["v"]}
    missing = sum(1 for k in ed if k not in ad)
    extra = sum(1 for k in ad if k not in ed)
    if missing and extra:
        return msg("check.dict.keys", missing=missing, extra=extra)
    if missing:
        return msg("check.dict.missing", missing=missing)
    if extra:
        return msg("check.dict.extra", extra=extra)
    wrong = [k for k in ed if _differs(ed[k][1], ad[k][1], options)]
    if not wrong:
        return None
    problem = _type_problem((label_of(ad[k][0]), ed[k][1], ad[k][1]) for k in wrong)
    if problem:
        return problem
    return _values_wrong(
        exp,
        act,
        [(ed[k][1], ad[k][1]) for k in wrong],
        len(ed),
        options,
        "check.dict.wrong",
        "check.dict.not_the_dict",
    )


def _compare_series(
    exp: dict[str, Any], act: dict[str, Any], options: dict[str, Any]
) -> str | None:
    ek = [key_of(i) for i in exp["index"]]
    ak = [key_of(i) for i in act["index"]]
    if len(ek) != len(ak):
        return msg("check.series.length", expected=len(ek), actual=len(ak))
    missing = sum(1 for k in ek if k not in ak)
    extra = sum(1 for k in ak if k not in ek)
    if missing or extra:
        return msg("check.series.index", missing=missing, extra=extra)
    ev = dict(zip(ek, exp["v"], strict=True))
    av = dict(zip(ak, act["v"], strict=True))
    wrong = [k for k in ek if _differs(ev[k], av[k], options)]
    if wrong:
        labels = {key_of(i): i for i in act["index"]}
        problem = _type_problem((label_of(labels[k]), ev[k], av[k]) for k in wrong)
        if problem:
            return problem
        return _values_wrong(
            exp,
            act,
            [(ev[k], av[k]) for k in wrong],
            len(ek),
            options,
            "check.series.wrong",
            "check.values.some_wrong",
        )
    if options.get("ordered") and ek != ak:
        return msg("check.series.order")
    return None


def _compare_frame(exp: dict[str, Any], act: dict[str, Any], options: dict[str, Any]) -> str | None:
    eshape = (len(exp["index"]), len(exp["columns"]))
    ashape = (len(act["index"]), len(act["columns"]))
    ecols = [key_of(c) for c in exp["columns"]]
    acols = [key_of(c) for c in act["columns"]]
    names = {key_of(c): c for c in [*exp["columns"], *act["columns"]]}
    shapes = {
        "rows": eshape[0],
        "columns": eshape[1],
        "has_rows": ashape[0],
        "has_columns": ashape[1],
    }
    if ecols != acols and sorted(ecols) != sorted(acols):
        # the columns are named: the question names the columns it asks for
        missing_cols = [label_of(names[c]) for c in ecols if c not in acols]
        extra_cols = [label_of(names[c]) for c in acols if c not in ecols]
        none = msg("check.none")
        return msg(
            "check.frame.columns",
            **shapes,
            missing=listing(missing_cols) or none,
            extra=listing(extra_cols) or none,
        )
    if eshape != ashape:
        return msg("check.frame.shape", **shapes)
    eidx = [key_of(i) for i in exp["index"]]
    aidx = [key_of(i) for i in act["index"]]
    missing = sum(1 for k in eidx if k not in aidx)
    extra = sum(1 for k in aidx if k not in eidx)
    if missing or extra:
        return msg("check.frame.rows", missing=missing, extra=extra)
    erows = {k: dict(zip(ecols, row, strict=True)) for k, row in zip(eidx, exp["v"], strict=True)}
    arows = {k: dict(zip(acols, row, strict=True)) for k, row in zip(aidx, act["v"], strict=True)}
    wrong_cells = [
        (erows[k][c], arows[k][c])
        for k in eidx
        for c in ecols
        if _differs(erows[k][c], arows[k][c], options)
    ]
    if wrong_cells:
        wrong_rows = sum(
            1 for k in eidx if any(_differs(erows[k][c], arows[k][c], options) for c in ecols)
        )
        problem = _type_problem((msg("check.frame.cell"), e, a) for e, a in wrong_cells)
        if problem:
            return problem
        problem = _label_problem(act, options)
        if problem:
            return problem
        if options.get("count_only") or not _all_numbers(exp):
            return msg("check.values.some_wrong")
        kinds = [number_mistake(e, a, options) for e, a in wrong_cells]
        return _join(
            msg("check.frame.wrong", wrong=wrong_rows, total=len(eidx)),
            _mistake_sentence(kinds, several=True),
        )
    if options.get("ordered") and (eidx != aidx or ecols != acols):
        return msg("check.frame.order")
    return None
