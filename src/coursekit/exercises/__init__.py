"""The exercise format, the student edition and the self-checks.

Students use two functions in their notebooks::

    from coursekit.exercises import check, hint
    check("q1", answer)   # ✅ correct / ❌ incorrect — why / ⏳ not attempted
    hint("q1")            # the next layered hint

Instructors use :mod:`coursekit.exercises.format` (parse and validate a source notebook, make the student
edition), :mod:`coursekit.exercises.release` (``coursekit release``) and :mod:`coursekit.exercises.pages`
(``coursekit pages``). The author's guide is ``exercises/README.md``.
"""

from __future__ import annotations

from typing import Any

from coursekit.exercises.checks import check, evaluate, hint, load_checks

# The format tools need nbformat (and jsonschema), which cost about a second to import; a student's
# ``from coursekit.exercises import check`` should not pay for them, so they load on first use.
_FORMAT_NAMES = {"ExerciseSet", "FormatError", "Question", "load_source", "make_student_edition"}


def __getattr__(name: str) -> Any:
    if name in _FORMAT_NAMES:
        from coursekit.exercises import format as _format

        return getattr(_format, name)
    raise AttributeError(f"module 'coursekit.exercises' has no attribute {name!r}")


__all__ = [
    "ExerciseSet",
    "FormatError",
    "Question",
    "check",
    "evaluate",
    "hint",
    "load_checks",
    "load_source",
    "make_student_edition",
]
