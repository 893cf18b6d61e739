"""The student edition of a source notebook, and the setup cell's self-check data line (``load_checks(...)``)."""

from __future__ import annotations

import ast
import copy
import json
import re
from pathlib import Path
from typing import Any

from nbformat import NotebookNode

from coursekit.exercises.cells import (
    _source,
    _strip_marker_line,
    _tags,
    manual_comment,
    question_comment,
)
from coursekit.exercises.model import (
    _PAYLOAD_LINE,
    NBVAL_CHECK_TAG,
    WRITE_HERE,
    ExerciseSet,
    FormatError,
    Question,
)
from coursekit.exercises.parse import parse_source
from coursekit.exercises.stubs import _student_solution_source

# --------------------------------------------------------------------------------------------------------
# The self-check data line of the setup cell


def read_payload(setup_source: str) -> str | None:
    """Return the payload string of the setup cell's ``load_checks("...")`` line, or ``None``."""
    for line in setup_source.splitlines():
        m = _PAYLOAD_LINE.match(line)
        if m:
            try:
                node = ast.parse(m.group("args"), mode="eval").body
            except SyntaxError:
                return None
            return (
                node.value
                if isinstance(node, ast.Constant) and isinstance(node.value, str)
                else None
            )
    return None


def set_payload(setup_source: str, call_args: str) -> str:
    """Replace the setup cell's ``load_checks(...)`` line by ``load_checks(<call_args>)`` (or append it).

    Parameters
    ----------
    setup_source : str
        The setup cell's source.
    call_args : str
        The argument text, e.g. ``'"ck1:..."'`` or ``"record=True"``.
    """
    lines = setup_source.rstrip("\n").split("\n")
    for i, line in enumerate(lines):
        m = _PAYLOAD_LINE.match(line)
        if m:
            lines[i] = f"{m.group('indent')}load_checks({call_args})"
            return "\n".join(lines)
    if not any(re.search(r"\bload_checks\b", line) and "import" in line for line in lines):
        lines.append("from coursekit.exercises import load_checks")
    lines.append(f"load_checks({call_args})")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------------
# The student edition


def make_student_edition(
    source: NotebookNode | ExerciseSet, path: str | Path | None = None
) -> NotebookNode:
    """Make the student edition of an exercise source notebook.

    The student edition has no reference solutions, no hidden tests, no rubrics and no outputs. It keeps the
    question text, the given lines of each solution cell (the solution block becomes a stub binding the answer
    to ``...``), the check cells verbatim and the setup cell (with its self-check data). Every answer and
    check cell starts with ``# coursekit: qN``; a written-answer cell holds ``<!-- coursekit: qN -->`` and the
    prompt "*Write your answer here.*".

    Parameters
    ----------
    source : nbformat.NotebookNode or ExerciseSet
        The source notebook (validated first) or an already parsed set.
    path : str or pathlib.Path, optional
        The source's file name, for error messages.

    Returns
    -------
    nbformat.NotebookNode
        A new notebook; the source is not modified.

    Raises
    ------
    FormatError
        If the source breaks the exercise format.
    """
    ex = source if isinstance(source, ExerciseSet) else parse_source(source, path=path)
    nb = copy.deepcopy(ex.notebook)
    by_cell: dict[int, tuple[Question, str]] = {}
    for question in ex.questions:
        if question.question_cell is not None:
            by_cell[question.question_cell] = (question, "question")
        if question.solution_cell is not None:
            by_cell[question.solution_cell] = (
                question,
                "manual" if question.kind == "manual" else "solution",
            )
        for i in question.check_cells:
            by_cell[i] = (question, "check")
        for i in question.hidden_tests_cells:
            by_cell[i] = (question, "hidden-tests")

    cells = []
    for i, cell in enumerate(nb.cells):
        q: Question | None
        q, role = by_cell.get(i, (None, ""))
        if role == "hidden-tests":
            continue
        cell = copy.deepcopy(cell)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        tags = [t for t in _tags(cell) if t != NBVAL_CHECK_TAG]
        if tags:
            cell.metadata["tags"] = tags
        else:
            cell.metadata.pop("tags", None)
        if i == ex.setup_cell:
            cell.source = _student_setup_source(ex, _source(cell))
        if q is not None:
            base: dict[str, Any] = {"question": q.qid}
            if role == "solution":
                base.update(points=q.points, answer=q.answer_name, kind=q.kind)
                cell.source = _student_solution_source(_source(cell), q.qid)
            elif role == "manual":
                base.update(points=q.points)
                cell.source = f"{manual_comment(q.qid)}\n{WRITE_HERE}"
            elif role == "check":
                cell.source = (
                    question_comment(q.qid) + "\n" + _strip_marker_line(_source(cell)).rstrip("\n")
                )
            cell.metadata["coursekit"] = _int_points(base)
        cells.append(cell)
    nb.cells = cells
    nb.metadata.pop("widgets", None)
    nb.metadata["coursekit"] = {
        "set": ex.set_id,
        "title": ex.title,
        "chapter": ex.chapter,
        "minutes": ex.minutes,
        "edition": "student",
    }
    return nb


def payload_data(ex: ExerciseSet, expected: dict[str, Any]) -> dict[str, Any]:
    """Assemble the self-check data of a set: the expected values plus each question's hints and options.

    Parameters
    ----------
    ex : ExerciseSet
        The parsed source.
    expected : dict
        Check key → encoded expected value (see :func:`coursekit.exercises.checks.encode_value`).

    Returns
    -------
    dict
        The data :func:`coursekit.exercises.checks.encode_payload` encodes.
    """
    from coursekit.exercises.checks import payload_questions

    # every question, written ones too (for hint()), with its allowed labels (issue 17)
    return {"set": ex.set_id, "questions": payload_questions(ex, expected), "expected": expected}


def _student_setup_source(ex: ExerciseSet, source: str) -> str:
    """The setup cell with its self-check data re-encoded: stored expected values, current hints and options.

    Hints and comparison options are taken from the source's metadata at release time, so editing a hint
    never needs the reference solutions to be run again.
    """
    from coursekit.exercises.checks import decode_payload, encode_payload

    payload = read_payload(source)
    if payload is None:
        return source
    try:
        expected = decode_payload(payload).get("expected", {})
    except ValueError as exc:
        raise FormatError(
            f"the self-check data in the setup cell cannot be read ({exc}); run "
            "'coursekit release SOURCE --refresh-checks' to store it again.",
            path=str(ex.path) if ex.path else None,
            cell=ex.setup_cell,
        ) from exc
    data = payload_data(ex, expected)
    return set_payload(source, json.dumps(encode_payload(data)))


def _int_points(meta: dict[str, Any]) -> dict[str, Any]:
    """Write whole points as ints (``2`` rather than ``2.0``) so the JSON reads as the author wrote it."""
    p = meta.get("points")
    if isinstance(p, float) and p.is_integer():
        meta["points"] = int(p)
    return meta
