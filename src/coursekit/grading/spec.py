"""The hidden-tests vocabulary under the name hidden-tests cells use: ``from coursekit.grading.spec import points``.

The definitions live in :mod:`coursekit.spec`, below both the exercise format (whose authors' verification,
:mod:`coursekit.exercises.verify`, runs hidden tests at release) and the grader; this module re-exports them, so
the hidden tests of every source notebook, and any written before the move, keep working unchanged. The
classes are the same objects: ``except StudentFunctionError`` catches what either name raises.
"""

from __future__ import annotations

from coursekit.spec import StudentFunctionError, StudentTimeout, close, points, points_of

__all__ = ["StudentFunctionError", "StudentTimeout", "close", "points", "points_of"]
