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

from coursekit.exercises.checks import check, evaluate, hint, load_checks
from coursekit.exercises.format import (
    ExerciseSet,
    FormatError,
    Question,
    load_source,
    make_student_edition,
)

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
