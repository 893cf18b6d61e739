"""The exercise format's vocabulary and its parsed form: markers, cell roles and tags, :class:`FormatError`,
:class:`Question` and :class:`ExerciseSet`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from nbformat import NotebookNode

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
WRITE_HERE = "*Write your answer here.*"
"""The prompt that replaces a written answer in the student edition."""

ROLE_TAGS = ("setup", "question", "solution", "check", "hidden-tests", "manual")
"""The cell tags that give a cell its role in an exercise set."""

NBVAL_CHECK_TAG = "nbval-check-output"
"""nbval's tag for a cell whose stored output is compared under ``--nbval-lax``."""

QID_PATTERN = re.compile(r"^q[1-9][0-9]*$")
_COMMENT = re.compile(r"^\s*#\s*coursekit:\s*(q[0-9]+)(\s+hidden tests)?\s*$")
_HTML_COMMENT = re.compile(r"^\s*<!--\s*coursekit:\s*(q[0-9]+)\s*-->\s*$")
_SETUP_COMMENT = "# coursekit: setup"
_PAYLOAD_LINE = re.compile(r"^(?P<indent>\s*)load_checks\((?P<args>.*)\)\s*$")
_POINTS_IN_TEXT = re.compile(r"\((\d+(?:\.\d+)?)\s+points?\)", re.I)

Kind = Literal["value", "function", "manual"]


class FormatError(ValueError):
    """A source notebook does not follow the exercise format.

    The message names the file, the cell (0-based index, as nbformat counts) and the question, says what is
    wrong and how to fix it. The parts are also available as attributes.

    Parameters
    ----------
    problem : str
        What is wrong and how to fix it.
    path : str or None
        The notebook's file name, when known.
    cell : int or None
        The 0-based index of the offending cell.
    question : str or None
        The question id, e.g. ``"q3"``.
    """

    def __init__(
        self,
        problem: str,
        *,
        path: str | None = None,
        cell: int | None = None,
        question: str | None = None,
    ) -> None:
        self.problem = problem
        self.path = path
        self.cell = cell
        self.question = question
        where = []
        if path:
            where.append(str(path))
        if cell is not None:
            where.append(f"cell {cell}")
        if question:
            where.append(f"question {question}")
        super().__init__(f"{', '.join(where)}: {problem}" if where else problem)


@dataclass
class Question:
    """One question of an exercise set, as parsed from the source notebook.

    Attributes
    ----------
    qid : str
        The question id (``"q1"``, ``"q2"``, ...).
    points : float
        Points the question is worth.
    kind : {"value", "function", "manual"}
        ``"value"``: the answer is a value bound to ``answer_name``; ``"function"``: a function named
        ``answer_name``; ``"manual"``: a written answer graded by hand.
    answer_name : str or None
        Name of the answer variable or function (``None`` for a written answer).
    solution_cell : int or None
        Index of the solution cell (the ``manual`` cell for a written answer).
    check_cells : list of int
        Indices of the visible self-check cells.
    hidden_tests_source : str
        The code of the hidden-tests cell(s), joined by blank lines (``""`` for a written answer).
    rubric : str or None
        The grading rubric of a written answer.
    question_cell : int or None
        Index of the markdown cell with the question text.
    hidden_tests_cells : list of int
        Indices of the hidden-tests cells.
    hints : list of str
        Layered hints, first to last.
    options : dict
        Comparison options for the self-check (``tolerance``, ``ordered``, ``ignore_case``, ``count_only``:
        say how many items of a list are wrong, never which). ``direction`` is still accepted from older
        sources but ignored: a check never says which way a number is off.
    """

    qid: str
    points: float
    kind: Kind
    answer_name: str | None
    solution_cell: int | None
    check_cells: list[int]
    hidden_tests_source: str
    rubric: str | None
    question_cell: int | None = None
    hidden_tests_cells: list[int] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class ExerciseSet:
    """A parsed exercise source notebook.

    Attributes
    ----------
    set_id : str
        The set's id, e.g. ``"05-case-timeline"`` (equal to the file name without ``.ipynb``).
    title : str
        The set's title.
    chapter : str
        The chapter the set belongs to, e.g. ``"chapters/case-04-phases"``.
    minutes : int
        How long the set takes a student, in minutes.
    questions : list of Question
        The questions, in order (``q1``, ``q2``, ...).
    notebook : nbformat.NotebookNode
        The source notebook itself.
    path : pathlib.Path or None
        Where the source was read from.
    setup_cell : int
        Index of the setup cell.
    """

    set_id: str
    title: str
    chapter: str
    minutes: int
    questions: list[Question]
    notebook: NotebookNode
    path: Path | None = None
    setup_cell: int = 0

    @property
    def total_points(self) -> float:
        """The points of all questions together."""
        return float(sum(q.points for q in self.questions))

    def question(self, qid: str) -> Question:
        """Return the question with id ``qid``.

        Raises
        ------
        KeyError
            If the set has no such question (the message lists the ids it has).
        """
        for q in self.questions:
            if q.qid == qid:
                return q
        raise KeyError(
            f"{self.set_id} has no question {qid!r}; it has {[q.qid for q in self.questions]}"
        )
