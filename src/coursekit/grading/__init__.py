"""Batch grading of exercise submissions: ``coursekit grade`` (see ``README.md`` in this folder).

``coursekit.grading.spec`` holds what hidden-tests cells use: the :func:`~coursekit.grading.spec.points`
decorator and :class:`~coursekit.grading.spec.StudentFunctionError`. Importing this package loads only that
module, so a hidden-tests cell run in an ordinary kernel stays cheap; the grader itself is
:mod:`coursekit.grading.grader` (with :mod:`~coursekit.grading.kernel`, :mod:`~coursekit.grading.export`,
:mod:`~coursekit.grading.reconcile`, :mod:`~coursekit.grading.hidden` and :mod:`~coursekit.grading.results`).
"""

from __future__ import annotations

from coursekit.grading.spec import StudentFunctionError, StudentTimeout, points

__all__ = ["StudentFunctionError", "StudentTimeout", "points"]
