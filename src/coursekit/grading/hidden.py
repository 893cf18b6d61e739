"""Hidden tests: compiled once per grading run, run in the grader's own process on plain data.

A hidden-tests cell defines test functions (names starting with ``test``) marked with
:func:`coursekit.grading.spec.points`. A test asks for its inputs by parameter name:

``answer``
    The exported value of the answer variable: plain data, with Series and DataFrames re-created as pandas
    objects, exactly as :func:`coursekit.exercises.verify.from_plain` / ``to_plain`` make it when the authors
    verify their tests (so a test that passes on the reference solution at release passes here too).
``call``
    For a function question: ``call(*args, **kwargs)`` runs the student's function in the student's kernel
    and returns its result as plain data. When the function raises, ``call`` raises
    :class:`~coursekit.grading.spec.StudentFunctionError`; when it runs too long,
    :class:`~coursekit.grading.spec.StudentTimeout`.

A test passes when it returns; the message of a failed ``assert`` is the feedback the student sees (the test's
code never is).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from coursekit.messages import msg
from coursekit.spec import StudentFunctionError, StudentTimeout, points_of

_TESTS_FILE = "<hidden-tests:"  # the file name a question's hidden tests are compiled under


class HiddenTestsError(RuntimeError):
    """A hidden-tests cell cannot be used (it does not run, or defines no test); names the question."""


@dataclass(frozen=True)
class HiddenTest:
    """One test function of a hidden-tests cell."""

    name: str
    weight: float
    func: Callable[..., Any]
    wants_answer: bool
    wants_call: bool

    __test__ = False  # not a pytest test class


@dataclass
class TestOutcome:
    """The result of one hidden test on one submission.

    Attributes
    ----------
    passed : bool
    points : float
        Points earned (already scaled to the question's points).
    max_points : float
        Points the test is worth (scaled).
    message : str
        Feedback for the student ("" when the test passed).
    timed_out : bool
        The student's function did not return in time during this test.
    """

    passed: bool
    points: float
    max_points: float
    message: str = ""
    timed_out: bool = False

    __test__ = False


def compile_tests(qid: str, source: str, set_name: str = "") -> list[HiddenTest]:
    """Run a question's hidden-tests code once and collect its test functions, in definition order.

    Parameters
    ----------
    qid : str
        The question id, for error messages.
    source : str
        The code of the question's hidden-tests cell(s).
    set_name : str
        The source notebook's name, for error messages.

    Returns
    -------
    list of HiddenTest

    Raises
    ------
    HiddenTestsError
        If the code raises, or defines no function whose name starts with ``test``; the message names the
        set and question.
    """
    where = f"{set_name}, {qid}" if set_name else qid
    namespace: dict[str, Any] = {"__name__": f"coursekit_hidden_tests_{qid}"}
    try:
        exec(compile(source, f"{_TESTS_FILE}{qid}>", "exec"), namespace)  # noqa: S102 - instructor's code
    except Exception as exc:
        raise HiddenTestsError(
            f"{where}: the hidden-tests cell does not run in the grader ({type(exc).__name__}: {exc}); "
            "fix the cell in the source notebook."
        ) from exc
    tests = []
    for name, func in namespace.items():
        if not (name.startswith("test") and callable(func)):
            continue
        try:
            params = inspect.signature(func).parameters
        except (TypeError, ValueError):
            params = {}  # type: ignore[assignment]
        unknown = [p for p in params if p not in ("answer", "call")]
        if unknown:
            raise HiddenTestsError(
                f"{where}: hidden test {name}() asks for {unknown}; a test may only take 'answer' and/or 'call'."
            )
        tests.append(HiddenTest(name, points_of(func), func, "answer" in params, "call" in params))
    if not tests:
        raise HiddenTestsError(
            f"{where}: the hidden-tests cell defines no test function (a function whose name starts with 'test')."
        )
    return tests


def scaled_weights(tests: list[HiddenTest], question_points: float) -> list[float]:
    """Share a question's points among its tests in proportion to their ``@points`` (equally if none has any)."""
    total = sum(t.weight for t in tests)
    if total <= 0:
        return [question_points / len(tests)] * len(tests)
    return [question_points * t.weight / total for t in tests]


def run_tests(
    tests: list[HiddenTest],
    question_points: float,
    answer: Any = None,
    call: Callable[..., Any] | None = None,
) -> list[TestOutcome]:
    """Run hidden tests against one answer.

    Parameters
    ----------
    tests : list of HiddenTest
        From :func:`compile_tests`.
    question_points : float
        The question's points, shared among the tests (see :func:`scaled_weights`).
    answer : object
        The answer as plain data (see the module docstring).
    call : callable, optional
        The proxy to the student's function.

    Returns
    -------
    list of TestOutcome
        One per test, in order.
    """
    outcomes = []
    for test, weight in zip(tests, scaled_weights(tests, question_points), strict=True):
        kwargs: dict[str, Any] = {}
        if test.wants_answer:
            kwargs["answer"] = answer
        if test.wants_call:
            kwargs["call"] = call if call is not None else _not_a_function
        try:
            test.func(**kwargs)
        except AssertionError as exc:
            text = _author_message(exc) or msg("grade.test.no_explanation")
            outcomes.append(TestOutcome(False, 0.0, weight, text))
        except StudentTimeout as exc:
            outcomes.append(TestOutcome(False, 0.0, weight, str(exc), timed_out=True))
        except StudentFunctionError as exc:
            outcomes.append(TestOutcome(False, 0.0, weight, str(exc)))
        except Exception as exc:  # noqa: BLE001 - the answer broke the test's own code
            outcomes.append(
                TestOutcome(
                    False,
                    0.0,
                    weight,
                    msg("grade.test.broke", error_type=type(exc).__name__, error=exc),
                )
            )
        else:
            outcomes.append(TestOutcome(True, weight, weight))
    return outcomes


def _author_message(exc: AssertionError) -> str:
    """The message of an ``assert`` written in the hidden-tests cell itself, or ``""``.

    An assertion raised inside a library (``pandas.testing.assert_frame_equal``, ``numpy.testing``) prints
    both values, the expected one included; its text never reaches the student.
    """
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None or not tb.tb_frame.f_code.co_filename.startswith(_TESTS_FILE):
        return ""
    try:
        return str(exc).strip()
    except Exception:  # noqa: BLE001 - a message that cannot be turned into text
        return ""


def _not_a_function(*args: Any, **kwargs: Any) -> Any:
    raise StudentFunctionError(msg("grade.test.not_a_function"))
