"""The exercise format: parse and validate a source notebook, and make its student edition.

One source notebook per exercise set (``exercises/NN-slug.ipynb``, the instructor edition) holds the questions,
the reference solutions, the visible self-checks and the hidden tests. Cells are identified by Jupyter cell
tags and by a ``coursekit`` cell-metadata entry (``{"question": "q1", "points": 2}``); because some editors drop
metadata, the student edition also starts every answer and check cell with the comment ``# coursekit: q1``
(and a written-answer cell with the HTML comment ``<!-- coursekit: q7 -->``).

Cell roles (one tag per cell):

``setup``
    The first code cell: imports and the self-check data (``load_checks("...")``).
``question``
    Markdown: the question text. Metadata may hold ``"hints": [...]`` (layered hints for ``hint()``).
``solution``
    Code: the reference answer between ``### BEGIN SOLUTION`` and ``### END SOLUTION``. Metadata names the
    answer (``"answer": "peak_month"``), its kind (``"value"``, the default, or ``"function"``) and the points.
``check``
    Code: a visible self-check, e.g. ``check("q1", peak_month)``; kept in the student edition.
``hidden-tests``
    Code: test functions the grader runs outside the student's kernel; never in the student edition.
``manual``
    Markdown: a written answer graded by hand; metadata holds the points and a ``"rubric"``.

See ``exercises/README.md`` for the author's guide and a complete example.

This module is the format's public face: it re-exports every public name of the modules that do the work,
:mod:`~coursekit.exercises.model` (markers, :class:`Question`, :class:`ExerciseSet`, :class:`FormatError`),
:mod:`~coursekit.exercises.cells` (question-id comments, cell roles), :mod:`~coursekit.exercises.stubs`
(solutions and their stubs), :mod:`~coursekit.exercises.parse` (parse and validate a source notebook) and
:mod:`~coursekit.exercises.student_edition` (the student edition and the self-check data line).
"""

from __future__ import annotations

from coursekit.exercises.cells import (
    CellMarker,
    cell_question,
    hidden_tests_comment,
    manual_comment,
    parse_question_comment,
    question_comment,
)
from coursekit.exercises.model import (
    BEGIN_SOLUTION,
    END_SOLUTION,
    NBVAL_CHECK_TAG,
    QID_PATTERN,
    ROLE_TAGS,
    WRITE_HERE,
    ExerciseSet,
    FormatError,
    Kind,
    Question,
)
from coursekit.exercises.parse import load_source, parse_source
from coursekit.exercises.stubs import solution_parts, stub_for
from coursekit.exercises.student_edition import (
    make_student_edition,
    payload_data,
    read_payload,
    set_payload,
)

__all__ = [
    "BEGIN_SOLUTION",
    "CellMarker",
    "END_SOLUTION",
    "ExerciseSet",
    "FormatError",
    "Kind",
    "NBVAL_CHECK_TAG",
    "QID_PATTERN",
    "Question",
    "ROLE_TAGS",
    "WRITE_HERE",
    "cell_question",
    "hidden_tests_comment",
    "load_source",
    "make_student_edition",
    "manual_comment",
    "parse_question_comment",
    "parse_source",
    "payload_data",
    "question_comment",
    "read_payload",
    "set_payload",
    "solution_parts",
    "stub_for",
]
