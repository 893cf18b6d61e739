"""The vocabulary of hidden-tests cells: the :func:`points` decorator.

A hidden-tests cell of an exercise source notebook defines plain test functions and marks each with the
points it is worth::

    # coursekit: q3 hidden tests
    from coursekit.grading.spec import points

    @points(2)
    def test_value(answer):
        assert answer == 42, "Count only events of the military and security dimension."

A function question's tests take ``call`` instead of (or besides) ``answer``: ``call(*args)`` runs the
student's function in the student's kernel and returns its result as plain data, or raises
:class:`StudentFunctionError` when the function raised.

The grader runs these functions in its own process, on plain data exported from the student's kernel. When
the cell runs in an ordinary kernel (for instance while an instructor works on the source notebook),
``points`` does nothing but attach the attribute ``.points`` to the function, so the cell is harmless.

This module sits below both the exercise format (the authors' verification, :mod:`coursekit.exercises.verify`,
runs hidden tests at release) and the grader; hidden-tests cells import it under the name
:mod:`coursekit.grading.spec`, which re-exports it.
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Real
from typing import TypeVar

F = TypeVar("F", bound=Callable[..., object])

__all__ = ["StudentFunctionError", "StudentTimeout", "close", "points", "points_of"]


class StudentFunctionError(Exception):
    """Raised by ``call(...)`` in a hidden test when the student's function raised or cannot be called.

    The message is written for the student (e.g. ``"threat_score(0.5, 0.2) raised ZeroDivisionError:
    division by zero"``); a test that fails because of it shows that message. A test that expects the
    function to raise can catch it and look at :attr:`exc_type`.

    Parameters
    ----------
    message : str
        What happened, for the student.
    exc_type : str
        The name of the exception the student's function raised ("" when it did not get that far).
    """

    def __init__(self, message: str, exc_type: str = "") -> None:
        super().__init__(message)
        self.exc_type = exc_type


class StudentTimeout(StudentFunctionError):
    """Raised by ``call(...)`` when the student's function did not return within the per-cell time limit."""


def points(n: float) -> Callable[[F], F]:
    """Mark a hidden test as worth ``n`` points.

    Parameters
    ----------
    n : float
        The points the test earns when it passes; a positive number (whole or fractional).

    Returns
    -------
    Callable
        A decorator that sets ``func.points = n`` and returns ``func`` itself, unchanged.

    Raises
    ------
    TypeError
        If ``n`` is not a number (e.g. ``@points("2")``) or the decorator is applied to something that is
        not callable (e.g. ``@points`` written without the parentheses).
    ValueError
        If ``n`` is zero or negative.
    """
    if callable(n) and not isinstance(n, Real):
        raise TypeError(
            "points must be called with the number of points: write @points(1) above the test, not @points."
        )
    if isinstance(n, bool) or not isinstance(n, Real):
        raise TypeError(f"points(n) needs a number of points, got {n!r}; write e.g. @points(2).")
    if n <= 0:
        raise ValueError(f"points(n) needs a positive number of points, got {n!r}.")

    def decorate(func: F) -> F:
        if not callable(func):
            raise TypeError(f"@points({n!r}) must decorate a test function, not {func!r}.")
        func.points = n
        return func

    return decorate


def points_of(func: Callable[..., object]) -> float:
    """Return the points attached to a hidden test by :func:`points` (0 when it has none)."""
    value = getattr(func, "points", 0)
    return float(value) if isinstance(value, Real) and not isinstance(value, bool) else 0.0


def close(actual: object, expected: float, tol: float) -> bool:
    """True when ``actual`` is a finite real number within ``tol`` of ``expected``.

    Use it in hidden tests instead of ``abs(actual - expected) > tol``: NaN is never greater than anything, so
    that comparison lets NaN through as correct. Here NaN, infinities, booleans, text and anything else that is
    not a finite number are never close.

    Examples
    --------
    >>> close(0.251, 0.25, 0.005), close(float("nan"), 0.25, 0.005), close(float("inf"), 1e308, 1e308)
    (True, False, False)
    """
    import math

    if isinstance(actual, bool) or not isinstance(actual, Real):
        return False
    value = float(actual)
    return math.isfinite(value) and abs(value - float(expected)) <= tol
