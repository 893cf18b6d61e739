"""The plain-data view of an answer, under its former name: the definitions live in :mod:`coursekit.plain`.

:mod:`coursekit.plain` sits below both the exercise format (the authors' verification) and the grader, which
both use it; this module re-exports it so code written against ``coursekit.grading.plain`` keeps working.
"""

from __future__ import annotations

from coursekit.plain import from_plain, plain_view, to_plain

__all__ = ["from_plain", "plain_view", "to_plain"]
