"""Author-side verification: run a question's hidden tests against an answer.

The grader (:mod:`coursekit.grading`) runs hidden tests in its own process on plain data exported from the
student's kernel. The release tooling and the test suite use this module to prove, before anything reaches a
student, that every reference solution passes its hidden tests and that every stub of the student edition fails
them. The answer goes through the same plain-data round trip as in grading: numpy values become Python
values, a Series a dict, a DataFrame ``{"columns", "index", "data"}`` (``orient="split"``), and Series and
DataFrames are re-created as pandas objects before the tests see them.
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["TestResult", "from_plain", "hidden_test_report", "run_hidden_tests", "to_plain"]


@dataclass
class TestResult:
    """One hidden test's outcome."""

    name: str
    points: float
    passed: bool
    message: str

    __test__ = False  # not a pytest test class


def to_plain(value: Any) -> Any:
    """Convert a value to plain JSON-compatible data, the form the grader exports from a kernel.

    One implementation for the grader and the authors: :func:`coursekit.plain.to_plain`.
    """
    from coursekit.plain import to_plain as _to_plain

    return _to_plain(value)


def from_plain(value: Any) -> Any:
    """Re-create pandas objects from :func:`to_plain`'s output (see :mod:`coursekit.plain`)."""
    from coursekit.plain import from_plain as _from_plain

    return _from_plain(value)


def run_hidden_tests(
    source: str, answer: Any = None, call: Callable[..., Any] | None = None
) -> list[TestResult]:
    """Run the test functions of a hidden-tests cell against one answer.

    Parameters
    ----------
    source : str
        The hidden-tests cell's code.
    answer : object
        The exported answer (plain data, pandas objects re-created).
    call : callable, optional
        For a function question: calls the answer function and returns its result as plain data.

    Returns
    -------
    list of TestResult
        One per test function (a function whose name starts with ``test``), in definition order. A test
        passes when it returns without raising; the message of a failed assertion (or the exception) is kept.
    """
    from coursekit.spec import points_of

    namespace: dict[str, Any] = {"__name__": "coursekit_hidden_tests"}
    exec(compile(source, "<hidden tests>", "exec"), namespace)  # noqa: S102 - author's own test code
    results = []
    for name, func in list(namespace.items()):
        if not (name.startswith("test") and callable(func)):
            continue
        kwargs: dict[str, Any] = {}
        params = func.__code__.co_varnames[: func.__code__.co_argcount]
        if "answer" in params:
            kwargs["answer"] = answer
        if "call" in params:
            kwargs["call"] = call if call is not None else _no_function
        try:
            func(**kwargs)
        except AssertionError as exc:
            results.append(TestResult(name, points_of(func), False, str(exc) or "assertion failed"))
        except Exception as exc:
            results.append(TestResult(name, points_of(func), False, f"{type(exc).__name__}: {exc}"))
        else:
            results.append(TestResult(name, points_of(func), True, ""))
    return results


def _no_function(*args: Any) -> Any:
    raise TypeError("the answer is not a function")


def hidden_test_report(namespace: dict[str, Any], questions: list[dict[str, Any]]) -> str:
    """Run every question's hidden tests against the answers in a kernel's namespace; return JSON.

    Used inside a kernel by the release tooling and the test suite (never for grading).

    Parameters
    ----------
    namespace : dict
        The kernel's globals.
    questions : list of dict
        ``{"qid", "kind", "answer", "tests"}`` per code question.

    Returns
    -------
    str
        JSON: ``{qid: [TestResult as dict, ...]}``.
    """
    report: dict[str, list[dict[str, Any]]] = {}
    for q in questions:
        value = namespace.get(q["answer"], None)
        if q["kind"] == "function":
            func = value if callable(value) else None

            def call(*args: Any, _f: Any = func, _name: str = q["answer"]) -> Any:
                # Behave as the grader's call() does: the student's error arrives as StudentFunctionError.
                from coursekit.spec import StudentFunctionError

                if _f is None:
                    raise StudentFunctionError(f"{_name} is not a function")
                try:
                    result = _f(*args)
                except Exception as exc:  # noqa: BLE001 - reported to the hidden test like the grader does
                    shown = ", ".join(repr(a) for a in args)
                    raise StudentFunctionError(
                        f"{_name}({shown}) raised {type(exc).__name__}: {exc}", type(exc).__name__
                    ) from exc
                return from_plain(to_plain(result))

            results = run_hidden_tests(q["tests"], answer=None, call=call)
        else:
            results = run_hidden_tests(q["tests"], answer=from_plain(to_plain(value)))
        report[q["qid"]] = [asdict(r) for r in results]
    return json.dumps(
        report, default=lambda o: None if isinstance(o, float) and math.isnan(o) else str(o)
    )


def wrong_variants(value: Any, options: dict[str, Any] | None = None) -> list[Any]:
    """Plausible wrong answers derived from a correct one (for proving that self-checks reject them).

    Numbers are shifted, strings altered, lists reordered or shortened, dict values changed or a key dropped,
    the first value of a Series or DataFrame changed and a row dropped.

    Parameters
    ----------
    value : object
        A correct answer (as :func:`coursekit.exercises.checks.decode_value` returns it).
    options : dict, optional
        The question's comparison options; with ``"ordered": false`` a reordered list is not wrong, so none
        is produced.

    Returns
    -------
    list
        At least one value that differs from ``value``.
    """
    import pandas as pd

    out: list[Any] = []
    changed: Any
    first: Any
    if value is None:
        return [0, "None"]
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1, value - 1, str(value)]
    if isinstance(value, float):
        return [value + 0.1 * abs(value) + 1, value - 0.1 * abs(value) - 1]
    if isinstance(value, str):
        return [value + "x", value[:-1] if len(value) > 1 else value + value]
    if isinstance(value, pd.DataFrame):
        if value.shape[0] and value.shape[1]:
            changed = value.copy()
            first = changed.iat[0, 0]
            is_number = isinstance(first, numbers.Number)  # kept apart: narrowing to Number hides +
            changed.iat[0, 0] = first + 1 if is_number else f"{first}x"
            out.append(changed)
        if len(value) > 1:
            out.append(value.iloc[1:])
        return out or [value.T.assign(extra=1)]
    if isinstance(value, pd.Series):
        if len(value):
            changed = value.copy()
            first = changed.iloc[0]
            is_number = isinstance(first, numbers.Number)
            changed.iloc[0] = first + 1 if is_number else f"{first}x"
            out.append(changed)
        out.append(value.iloc[1:] if len(value) > 1 else value.to_dict())
        return out
    if isinstance(value, list | tuple):
        ordered = (options or {}).get("ordered", True)
        if ordered and len(value) > 1 and list(value) != list(value)[::-1]:
            out.append(type(value)(list(value)[::-1]))
        if value:
            out.append(type(value)(list(value)[:-1]))
            out.append(type(value)([*list(value)[:-1], *wrong_variants(value[-1])[:1]]))
        else:
            out.append([0])
        return out
    if isinstance(value, set):
        return [set(list(value)[:-1]) if value else {0}]
    if isinstance(value, dict):
        if value:
            first = next(iter(value))
            changed = dict(value)
            changed[first] = wrong_variants(value[first])[0]
            out.append(changed)
            dropped = dict(value)
            dropped.pop(first)
            out.append(dropped)
        else:
            out.append({"x": 0})
        return out
    return [None]


def _wrong_functions() -> list[Callable[..., Any]]:
    def returns_none(*args: Any) -> Any:
        return None

    def returns_text(*args: Any) -> Any:
        return "wrong"

    def raises(*args: Any) -> Any:
        raise ValueError("deliberately wrong")

    return [returns_none, returns_text, raises]


def wrong_answer_report(namespace: dict[str, Any], questions: list[dict[str, Any]]) -> str:
    """Fill in wrong answers, re-run each check cell, and report what the checks printed; return JSON.

    Used inside a kernel by the test suite on the student edition: it proves that a wrong answer never passes
    a self-check. The answer variables are restored afterwards.

    Parameters
    ----------
    namespace : dict
        The kernel's globals (after the student edition has run).
    questions : list of dict
        ``{"qid", "kind", "answer", "checks": [check cell sources], "keys": [check keys]}`` per code question.

    Returns
    -------
    str
        JSON: ``{qid: [printed verdict lines for each wrong answer]}``.
    """
    import contextlib
    import io

    from coursekit.exercises import checks as ck

    report: dict[str, list[str]] = {}
    for q in questions:
        name = q["answer"]
        original = namespace.get(name, Ellipsis)
        if q["kind"] == "function":
            candidates: list[Any] = _wrong_functions()
        else:
            candidates = []
            for key in q["keys"]:
                expected = ck._STATE.expected.get(key)
                if expected is not None:
                    options = ck._STATE.questions.get(q["qid"], {}).get("options", {})
                    candidates.extend(wrong_variants(ck.decode_value(expected), options))
        lines: list[str] = []
        for wrong in candidates:
            namespace[name] = wrong
            for source in q["checks"]:
                buffer = io.StringIO()
                with contextlib.redirect_stdout(buffer):
                    exec(compile(source, "<check cell>", "exec"), namespace)  # noqa: S102
                lines.extend(line for line in buffer.getvalue().splitlines() if line.strip())
        namespace[name] = original
        report[q["qid"]] = lines
    return json.dumps(report)
