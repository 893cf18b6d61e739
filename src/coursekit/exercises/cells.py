"""Cell identity: the ``# coursekit: q1`` comments (which survive editors that drop metadata) and a cell's role
from its tags.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from nbformat import NotebookNode

from coursekit.exercises.model import (
    _COMMENT,
    _HTML_COMMENT,
    _SETUP_COMMENT,
    ROLE_TAGS,
    FormatError,
)

# --------------------------------------------------------------------------------------------------------
# Question-id comments (cell identity that survives editors which drop metadata)


@dataclass(frozen=True)
class CellMarker:
    """What a ``coursekit`` comment on a cell's first line says: the question and the cell's role."""

    qid: str
    role: Literal["answer", "hidden-tests", "manual"]


def question_comment(qid: str) -> str:
    """Return the first-line comment of an answer or check cell, e.g. ``"# coursekit: q1"``."""
    return f"# coursekit: {qid}"


def hidden_tests_comment(qid: str) -> str:
    """Return the first-line comment of a hidden-tests cell, e.g. ``"# coursekit: q1 hidden tests"``."""
    return f"# coursekit: {qid} hidden tests"


def manual_comment(qid: str) -> str:
    """Return the first-line HTML comment of a written-answer cell, e.g. ``"<!-- coursekit: q7 -->"``."""
    return f"<!-- coursekit: {qid} -->"


def parse_question_comment(source: str) -> CellMarker | None:
    """Read the ``coursekit`` comment on the first non-blank line of a cell's source.

    Parameters
    ----------
    source : str
        The cell's source.

    Returns
    -------
    CellMarker or None
        ``CellMarker("q1", "answer")`` for ``# coursekit: q1`` (answer and check cells),
        ``CellMarker("q1", "hidden-tests")`` for ``# coursekit: q1 hidden tests``,
        ``CellMarker("q7", "manual")`` for ``<!-- coursekit: q7 -->``; ``None`` when there is no such line.
    """
    for line in source.splitlines():
        if not line.strip():
            continue
        m = _COMMENT.match(line)
        if m:
            return CellMarker(m.group(1), "hidden-tests" if m.group(2) else "answer")
        m = _HTML_COMMENT.match(line)
        if m:
            return CellMarker(m.group(1), "manual")
        return None
    return None


def cell_question(cell: NotebookNode | dict[str, Any]) -> str | None:
    """Return the question id a cell belongs to, from its metadata or else its first-line comment.

    Parameters
    ----------
    cell : dict-like
        An nbformat cell.

    Returns
    -------
    str or None
        The question id, or ``None`` if the cell belongs to no question.
    """
    meta = (cell.get("metadata") or {}).get("coursekit") or {}
    qid = meta.get("question") if isinstance(meta, dict) else None
    if isinstance(qid, str) and qid:
        return qid
    marker = parse_question_comment(_source(cell))
    return marker.qid if marker else None


def _source(cell: NotebookNode | dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _tags(cell: NotebookNode | dict[str, Any]) -> list[str]:
    tags = (cell.get("metadata") or {}).get("tags") or []
    return [t for t in tags if isinstance(t, str)]


def _role(cell: NotebookNode | dict[str, Any], index: int, path: str | None) -> str | None:
    roles = [t for t in _tags(cell) if t in ROLE_TAGS]
    if len(roles) > 1:
        raise FormatError(
            f"the cell has several role tags {roles}; give each cell exactly one of {list(ROLE_TAGS)}.",
            path=path,
            cell=index,
        )
    return roles[0] if roles else None


def _strip_marker_line(source: str) -> str:
    """Drop a leading ``coursekit`` comment line (it is re-added where needed)."""
    lines = source.split("\n")
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if _COMMENT.match(line) or _HTML_COMMENT.match(line) or line.strip() == _SETUP_COMMENT:
            return "\n".join(lines[:i] + lines[i + 1 :]).lstrip("\n")
        return source
    return source
