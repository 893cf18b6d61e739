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
"""

from __future__ import annotations

import ast
import copy
import json
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import nbformat
from nbformat import NotebookNode

__all__ = [
    "BEGIN_SOLUTION",
    "END_SOLUTION",
    "ROLE_TAGS",
    "WRITE_HERE",
    "CellMarker",
    "ExerciseSet",
    "FormatError",
    "Question",
    "cell_question",
    "hidden_tests_comment",
    "load_source",
    "make_student_edition",
    "manual_comment",
    "parse_question_comment",
    "parse_source",
    "payload_data",
    "read_payload",
    "set_payload",
    "question_comment",
    "solution_parts",
    "stub_for",
]

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
        Comparison options for the self-check (``tolerance``, ``direction``, ``ordered``, ``ignore_case``,
        ``count_only``: say how many items of a list are wrong, never which).
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


def cell_question(cell: NotebookNode | dict) -> str | None:
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


def _source(cell: NotebookNode | dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _tags(cell: NotebookNode | dict) -> list[str]:
    tags = (cell.get("metadata") or {}).get("tags") or []
    return [t for t in tags if isinstance(t, str)]


def _role(cell: NotebookNode | dict, index: int, path: str | None) -> str | None:
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


# --------------------------------------------------------------------------------------------------------
# Solution cells and their stubs


def solution_parts(source: str) -> tuple[list[str], list[str], list[str]]:
    """Split a solution cell's source into the given lines before, the solution block, the given lines after.

    Parameters
    ----------
    source : str
        The solution cell's source (the ``# coursekit: qN`` line, if any, counts as a given line).

    Returns
    -------
    before, block, after : list of str
        Lines before ``### BEGIN SOLUTION``, between the markers, after ``### END SOLUTION``.

    Raises
    ------
    ValueError
        If the markers are missing, repeated or out of order (the message says which).
    """
    lines = source.split("\n")
    begins = [i for i, line in enumerate(lines) if line.strip() == BEGIN_SOLUTION]
    ends = [i for i, line in enumerate(lines) if line.strip() == END_SOLUTION]
    if len(begins) != 1 or len(ends) != 1:
        raise ValueError(
            f"a solution cell needs exactly one '{BEGIN_SOLUTION}' line and one '{END_SOLUTION}' line "
            f"(found {len(begins)} and {len(ends)}); put the reference answer between them."
        )
    b, e = begins[0], ends[0]
    if e < b:
        raise ValueError(f"'{END_SOLUTION}' comes before '{BEGIN_SOLUTION}'; swap them.")
    if (
        lines[b][: len(lines[b]) - len(lines[b].lstrip())]
        != lines[e][: len(lines[e]) - len(lines[e].lstrip())]
    ):
        raise ValueError("the BEGIN and END SOLUTION markers must be indented alike.")
    block = lines[b + 1 : e]
    if not any(line.strip() and not line.strip().startswith("#") for line in block):
        raise ValueError("the solution block between the markers holds no code.")
    return lines[:b], block, lines[e + 1 :]


def _returns_value(body: list[ast.stmt]) -> bool:
    """Whether statements return a value anywhere (inside if/for/while/try too), nested functions excepted."""
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Return):
            return True
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return False


def stub_for(block: list[str], indent: str = "") -> list[str]:
    """Return the stub lines that replace a solution block in the student edition.

    The stub never raises and binds every name the block binds to ``...`` (Ellipsis), which ``check()``
    reports as "not attempted":

    * a block at the top level: each assignment ``name = expr`` becomes ``name = ...``, except that a dict
      literal with constant keys keeps its keys and blanks its values (``{"A": ..., "B": ...}``), so the
      student sees what to fill in; each function definition keeps its signature (``def f(a, b):``) with the
      body ``return ...``; other statements are dropped;
    * a block indented inside a function body: ``return ...`` when the block returns a value, else the
      assignments as above.

    Parameters
    ----------
    block : list of str
        The lines between the solution markers.
    indent : str
        The indentation of the markers (``""`` at the top level).

    Returns
    -------
    list of str
        The stub's lines, indented like the markers.

    Raises
    ------
    SyntaxError
        If the block is not valid Python once dedented.
    """
    code = textwrap.dedent("\n".join(block))
    tree = ast.parse(code)
    out: list[str] = []
    if indent and _returns_value(tree.body):
        return [f"{indent}return ..."]
    for node in tree.body:
        if isinstance(node, ast.Assign) and _is_keyed_template(node):
            name = node.targets[0].id  # type: ignore[attr-defined]
            out.append(f"{indent}{name} = {{")
            for key in node.value.keys:  # type: ignore[attr-defined]
                out.append(f"{indent}    {_literal(key.value)}: ...,")  # type: ignore[union-attr]
            out.append(f"{indent}}}")
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                for name in _target_names(target):
                    out.append(f"{indent}{name} = ...")
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out.append(f"{indent}{node.target.id} = ...")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            out.append(f"{indent}def {node.name}({ast.unparse(node.args)}):")
            out.append(f"{indent}    return ...")
    if indent and not out:
        out.append(f"{indent}pass")  # an indented stub must not leave an empty body
    # keep the order, drop duplicates (a name assigned twice is stubbed once)
    seen: set[str] = set()
    unique = []
    for line in out:
        if line not in seen or line.strip() == "return ...":
            unique.append(line)
            seen.add(line)
    return unique


def _literal(value: str | int) -> str:
    """A dict key as Python source, with double quotes for strings."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)


def _is_keyed_template(node: ast.Assign) -> bool:
    """True for ``name = {"key": value, ...}`` with constant keys: its stub keeps the keys."""
    return (
        len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Dict)
        and bool(node.value.keys)
        and all(
            isinstance(k, ast.Constant) and isinstance(k.value, str | int) for k in node.value.keys
        )
    )


def _target_names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple | ast.List):
        names: list[str] = []
        for elt in target.elts:
            names.extend(_target_names(elt.value if isinstance(elt, ast.Starred) else elt))
        return names
    return []  # attribute or subscript targets (df["x"] = ...) bind no new name


def _student_solution_source(source: str, qid: str) -> str:
    before, block, after = solution_parts(_strip_marker_line(source))
    marker_line = next(line for line in source.split("\n") if line.strip() == BEGIN_SOLUTION)
    indent = marker_line[: len(marker_line) - len(marker_line.lstrip())]
    lines = [question_comment(qid), *before, *stub_for(block, indent), *after]
    return "\n".join(lines).rstrip("\n")


def _binds_top_level(code: str, name: str, kind: str) -> bool:
    tree = ast.parse(code)
    for node in tree.body:
        if kind == "function" and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if node.name == name:
                return True
        if kind == "value":
            if isinstance(node, ast.Assign) and any(name in _target_names(t) for t in node.targets):
                return True
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                if node.target.id == name:
                    return True
    return False


# --------------------------------------------------------------------------------------------------------
# Parsing and validation


def load_source(path: str | Path) -> ExerciseSet:
    """Read and validate an exercise source notebook.

    Parameters
    ----------
    path : str or pathlib.Path
        The source notebook, e.g. ``exercises/05-case-timeline.ipynb``.

    Returns
    -------
    ExerciseSet
        The parsed set.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    FormatError
        If the notebook is not valid JSON/nbformat or breaks the exercise format (the message names the
        cell and question).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such exercise source notebook")
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # nbformat raises several kinds (JSON, validation)
        raise FormatError(f"not a readable Jupyter notebook ({exc})", path=str(path)) from exc
    return parse_source(nb, path=path)


def parse_source(nb: NotebookNode, path: str | Path | None = None) -> ExerciseSet:
    """Parse and validate an exercise source notebook already in memory.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The source notebook (nbformat 4).
    path : str or pathlib.Path, optional
        Where it came from; used in error messages and to check that the set id matches the file name.

    Returns
    -------
    ExerciseSet

    Raises
    ------
    FormatError
        On the first problem found; the message names the cell and question and says how to fix it.
    """
    where = str(path) if path is not None else None
    meta = nb.get("metadata", {}).get("coursekit")
    if not isinstance(meta, dict):
        raise FormatError(
            'the notebook metadata has no "coursekit" entry; add {"set": "NN-slug", "title": ..., '
            '"chapter": "chapters/...", "minutes": N} to the notebook metadata.',
            path=where,
        )
    for key in ("set", "title", "chapter", "minutes"):
        if key not in meta:
            raise FormatError(f'the notebook metadata "coursekit" lacks "{key}".', path=where)
    set_id, title, chapter, minutes = meta["set"], meta["title"], meta["chapter"], meta["minutes"]
    if not isinstance(set_id, str) or not re.fullmatch(r"\d\d-[a-z0-9-]+", set_id):
        raise FormatError(
            f'"set" must look like "05-case-timeline" (two digits, a dash, a lowercase slug); got {set_id!r}.',
            path=where,
        )
    if path is not None and Path(path).stem != set_id:
        raise FormatError(
            f'the set id "{set_id}" differs from the file name "{Path(path).name}"; rename one of them.',
            path=where,
        )
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
        raise FormatError(
            f'"minutes" must be a positive whole number; got {minutes!r}.', path=where
        )
    if not isinstance(title, str) or not title.strip():
        raise FormatError('"title" must be a non-empty string.', path=where)
    if not isinstance(chapter, str) or not chapter.startswith("chapters/"):
        raise FormatError(
            f'"chapter" must name a chapter file without extension, e.g. "chapters/case-04-phases"; '
            f"got {chapter!r}.",
            path=where,
        )

    cells = nb.get("cells", [])
    setup_index: int | None = None
    roles: dict[str, dict[str, list[int]]] = {}
    order: list[str] = []
    for i, cell in enumerate(cells):
        role = _role(cell, i, where)
        if cell.get("cell_type") == "code" and setup_index is None:
            if role != "setup":
                raise FormatError(
                    "the first code cell must be the setup cell (tag it 'setup'; it imports check, hint "
                    "and what the set needs, and loads the self-check data).",
                    path=where,
                    cell=i,
                )
            setup_index = i
            continue
        if role == "setup":
            raise FormatError(
                "only the first code cell may be tagged 'setup'; remove the tag.",
                path=where,
                cell=i,
            )
        if role is None:
            qid = (cell.get("metadata", {}).get("coursekit") or {}).get("question")
            if qid:
                raise FormatError(
                    f"the cell belongs to {qid} (metadata) but has no role tag; tag it one of "
                    f"{list(ROLE_TAGS[1:])}.",
                    path=where,
                    cell=i,
                    question=qid,
                )
            continue
        expected_type = "markdown" if role in ("question", "manual") else "code"
        if cell.get("cell_type") != expected_type:
            raise FormatError(
                f"a '{role}' cell must be a {expected_type} cell, not {cell.get('cell_type')}.",
                path=where,
                cell=i,
            )
        qid = _cell_qid(cell, i, role, where)
        if qid not in roles:
            roles[qid] = {}
            order.append(qid)
        roles[qid].setdefault(role, []).append(i)
    if setup_index is None:
        raise FormatError(
            "the notebook has no code cell; add a setup cell tagged 'setup'.", path=where
        )
    expected_ids = [f"q{n}" for n in range(1, len(order) + 1)]
    if order != expected_ids:
        raise FormatError(
            f"questions must be numbered q1, q2, ... in notebook order; found {order}. Renumber them.",
            path=where,
        )
    questions = [_make_question(nb, qid, roles[qid], where) for qid in order]
    if not questions:
        raise FormatError("the notebook has no questions.", path=where)
    return ExerciseSet(
        set_id=set_id,
        title=title,
        chapter=chapter,
        minutes=minutes,
        questions=questions,
        notebook=nb,
        path=Path(path) if path is not None else None,
        setup_cell=setup_index,
    )


def _cell_qid(cell: NotebookNode, index: int, role: str, where: str | None) -> str:
    meta = cell.get("metadata", {}).get("coursekit")
    meta_qid = meta.get("question") if isinstance(meta, dict) else None
    marker = parse_question_comment(_source(cell))
    if meta_qid is None and marker is None:
        raise FormatError(
            f"the '{role}' cell names no question; add the cell metadata "
            '"coursekit": {"question": "qN"}.',
            path=where,
            cell=index,
        )
    if meta_qid is not None and (not isinstance(meta_qid, str) or not QID_PATTERN.match(meta_qid)):
        raise FormatError(
            f"question ids look like q1, q2, ...; got {meta_qid!r}.", path=where, cell=index
        )
    if meta_qid and marker and marker.qid != meta_qid:
        raise FormatError(
            f"the first-line comment says {marker.qid} but the metadata says {meta_qid}; make them agree.",
            path=where,
            cell=index,
            question=meta_qid,
        )
    qid = meta_qid or marker.qid  # type: ignore[union-attr]
    if role == "hidden-tests":
        first = next((line for line in _source(cell).splitlines() if line.strip()), "")
        if first.strip() != hidden_tests_comment(qid):
            raise FormatError(
                f"a hidden-tests cell must start with the line '{hidden_tests_comment(qid)}'.",
                path=where,
                cell=index,
                question=qid,
            )
    elif role in ("solution", "check") and marker is not None and marker.role != "answer":
        raise FormatError(
            f"a {role} cell must start with '{question_comment(qid)}', not a hidden-tests comment.",
            path=where,
            cell=index,
            question=qid,
        )
    return qid


def _points(
    cell: NotebookNode, index: int, qid: str, where: str | None, required: bool
) -> float | None:
    meta = cell.get("metadata", {}).get("coursekit") or {}
    value = meta.get("points")
    if value is None:
        if required:
            raise FormatError(
                'the cell gives no points; add "points": N to its "coursekit" metadata.',
                path=where,
                cell=index,
                question=qid,
            )
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise FormatError(
            f'"points" must be a positive number; got {value!r}.',
            path=where,
            cell=index,
            question=qid,
        )
    return float(value)


def _make_question(
    nb: NotebookNode, qid: str, roles: dict[str, list[int]], where: str | None
) -> Question:
    cells = nb.cells
    for role, indices in roles.items():
        if role in ("question", "solution", "manual") and len(indices) > 1:
            raise FormatError(
                f"the question has {len(indices)} '{role}' cells (cells {indices}); keep one.",
                path=where,
                cell=indices[1],
                question=qid,
            )
    if "question" not in roles:
        raise FormatError(
            "the question has no markdown cell tagged 'question' with its text; add one before its answer.",
            path=where,
            cell=min(i for v in roles.values() for i in v),
            question=qid,
        )
    qcell = roles["question"][0]
    if "solution" in roles and "manual" in roles:
        raise FormatError(
            "a question is either a code answer ('solution') or a written answer ('manual'), not both.",
            path=where,
            cell=roles["manual"][0],
            question=qid,
        )
    if "solution" not in roles and "manual" not in roles:
        raise FormatError(
            "the question has neither a 'solution' cell nor a 'manual' cell; add the reference answer.",
            path=where,
            cell=qcell,
            question=qid,
        )
    answer_cell = roles.get("solution", roles.get("manual"))[0]  # type: ignore[index]
    if answer_cell < qcell:
        raise FormatError(
            f"the answer cell comes before the question text (cell {qcell}); move it below.",
            path=where,
            cell=answer_cell,
            question=qid,
        )
    points = _points(cells[answer_cell], answer_cell, qid, where, required=True)
    assert points is not None
    for indices in roles.values():
        for i in indices:
            other = _points(cells[i], i, qid, where, required=False)
            if other is not None and other != points:
                raise FormatError(
                    f"the cell gives {other:g} points but the answer cell (cell {answer_cell}) gives "
                    f"{points:g}; give the points once, on the answer cell.",
                    path=where,
                    cell=i,
                    question=qid,
                )
    qtext = _source(cells[qcell])
    stated = _POINTS_IN_TEXT.search(qtext)
    if stated and float(stated.group(1)) != points:
        raise FormatError(
            f"the question text says {stated.group(0)} but the metadata gives {points:g} points; "
            "make them agree.",
            path=where,
            cell=qcell,
            question=qid,
        )
    hints = (cells[qcell].get("metadata", {}).get("coursekit") or {}).get("hints", [])
    if not isinstance(hints, list) or not all(isinstance(h, str) and h.strip() for h in hints):
        raise FormatError(
            '"hints" must be a list of non-empty strings, first hint first.',
            path=where,
            cell=qcell,
            question=qid,
        )
    meta = cells[answer_cell].get("metadata", {}).get("coursekit") or {}
    if "manual" in roles:
        rubric = meta.get("rubric")
        if not isinstance(rubric, str) or not rubric.strip():
            raise FormatError(
                'a written-answer (manual) cell needs a "rubric" in its "coursekit" metadata, saying what '
                "earns the points.",
                path=where,
                cell=answer_cell,
                question=qid,
            )
        for role in ("check", "hidden-tests"):
            if role in roles:
                raise FormatError(
                    f"a written answer is graded by hand and has no '{role}' cells; remove cell "
                    f"{roles[role][0]}'s tag or make the question a code question.",
                    path=where,
                    cell=roles[role][0],
                    question=qid,
                )
        return Question(
            qid=qid,
            points=points,
            kind="manual",
            answer_name=None,
            solution_cell=answer_cell,
            check_cells=[],
            hidden_tests_source="",
            rubric=rubric.strip(),
            question_cell=qcell,
            hints=list(hints),
        )

    kind = meta.get("kind", "value")
    if kind not in ("value", "function"):
        raise FormatError(
            f'"kind" must be "value" or "function"; got {kind!r}.',
            path=where,
            cell=answer_cell,
            question=qid,
        )
    answer_name = meta.get("answer")
    if not isinstance(answer_name, str) or not answer_name.isidentifier():
        raise FormatError(
            'the solution cell must name its answer: add "answer": "variable_name" to its "coursekit" '
            "metadata.",
            path=where,
            cell=answer_cell,
            question=qid,
        )
    source = _source(cells[answer_cell])
    try:
        ast.parse(source)
    except SyntaxError as exc:
        raise FormatError(
            f"the solution cell is not valid Python (line {exc.lineno}: {exc.msg}).",
            path=where,
            cell=answer_cell,
            question=qid,
        ) from exc
    try:
        student = _student_solution_source(source, qid)
    except ValueError as exc:
        raise FormatError(str(exc), path=where, cell=answer_cell, question=qid) from exc
    try:
        binds = _binds_top_level(student, answer_name, kind)
    except SyntaxError as exc:
        raise FormatError(
            f"the student stub of this cell would not be valid Python (line {exc.lineno}: {exc.msg}); "
            "keep whole statements inside the solution block.",
            path=where,
            cell=answer_cell,
            question=qid,
        ) from exc
    if not binds:
        what = f"def {answer_name}(...)" if kind == "function" else f"{answer_name} = ..."
        raise FormatError(
            f"the student edition of this cell would not define '{answer_name}' (expected '{what}' at the "
            "top level); assign it inside the solution block or keep its definition as a given line.",
            path=where,
            cell=answer_cell,
            question=qid,
        )
    options = {
        k: meta[k]
        for k in ("tolerance", "direction", "ordered", "ignore_case", "count_only")
        if k in meta
    }
    _validate_options(options, where, answer_cell, qid)
    checks = roles.get("check", [])
    if not checks:
        raise FormatError(
            f"the question has no 'check' cell; add one after the solution, e.g. check(\"{qid}\", "
            f"{answer_name}).",
            path=where,
            cell=answer_cell,
            question=qid,
        )
    hidden = roles.get("hidden-tests", [])
    if not hidden:
        raise FormatError(
            "the question has no 'hidden-tests' cell; the grader needs at least one hidden test.",
            path=where,
            cell=answer_cell,
            question=qid,
        )
    for i in [*checks, *hidden]:
        if i < answer_cell:
            raise FormatError(
                f"the cell comes before the solution (cell {answer_cell}); move it below.",
                path=where,
                cell=i,
                question=qid,
            )
        try:
            ast.parse(_source(cells[i]))
        except SyntaxError as exc:
            raise FormatError(
                f"the cell is not valid Python (line {exc.lineno}: {exc.msg}).",
                path=where,
                cell=i,
                question=qid,
            ) from exc
    hidden_source = "\n\n".join(_source(cells[i]).strip("\n") for i in hidden)
    _validate_hidden_tests(hidden_source, points, kind, where, hidden[0], qid)
    return Question(
        qid=qid,
        points=points,
        kind=kind,
        answer_name=answer_name,
        solution_cell=answer_cell,
        check_cells=list(checks),
        hidden_tests_source=hidden_source,
        rubric=None,
        question_cell=qcell,
        hidden_tests_cells=list(hidden),
        hints=list(hints),
        options=options,
    )


def _validate_hidden_tests(
    source: str, points: float, kind: str, where: str | None, cell: int, qid: str
) -> None:
    """The hidden tests define test functions whose ``@points(n)`` add up to the question's points."""
    tests = [
        node
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test")
    ]
    if not tests:
        raise FormatError(
            "the hidden-tests cell defines no test function; define e.g. 'def test_value(answer):' with "
            "@points(n) above it.",
            path=where,
            cell=cell,
            question=qid,
        )
    total = 0.0
    for node in tests:
        params = {a.arg for a in node.args.args}
        if not params or not params <= {"answer", "call"}:
            raise FormatError(
                f"the hidden test {node.name}() must take 'answer' and/or 'call' as parameters "
                f"(got {sorted(params) or 'none'}).",
                path=where,
                cell=cell,
                question=qid,
            )
        if "call" in params and kind != "function":
            raise FormatError(
                f"the hidden test {node.name}() takes 'call', which only a function question "
                '("kind": "function") provides.',
                path=where,
                cell=cell,
                question=qid,
            )
        value = None
        for deco in node.decorator_list:
            if (
                isinstance(deco, ast.Call)
                and getattr(deco.func, "id", getattr(deco.func, "attr", None)) == "points"
                and deco.args
                and isinstance(deco.args[0], ast.Constant)
                and isinstance(deco.args[0].value, int | float)
            ):
                value = float(deco.args[0].value)
        if value is None:
            raise FormatError(
                f"the hidden test {node.name}() has no @points(n) decorator with a number.",
                path=where,
                cell=cell,
                question=qid,
            )
        total += value
    if abs(total - points) > 1e-9:
        raise FormatError(
            f"the hidden tests are worth {total:g} points together but the question gives {points:g}; "
            "make them add up.",
            path=where,
            cell=cell,
            question=qid,
        )


def _validate_options(options: dict[str, Any], where: str | None, cell: int, qid: str) -> None:
    tol = options.get("tolerance")
    if tol is not None and (isinstance(tol, bool) or not isinstance(tol, int | float) or tol < 0):
        raise FormatError(
            f'"tolerance" must be a non-negative number (absolute tolerance); got {tol!r}.',
            path=where,
            cell=cell,
            question=qid,
        )
    for key in ("direction", "ordered", "ignore_case", "count_only"):
        if key in options and not isinstance(options[key], bool):
            raise FormatError(
                f'"{key}" must be true or false; got {options[key]!r}.',
                path=where,
                cell=cell,
                question=qid,
            )


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
    for q in ex.questions:
        if q.question_cell is not None:
            by_cell[q.question_cell] = (q, "question")
        if q.solution_cell is not None:
            by_cell[q.solution_cell] = (q, "manual" if q.kind == "manual" else "solution")
        for i in q.check_cells:
            by_cell[i] = (q, "check")
        for i in q.hidden_tests_cells:
            by_cell[i] = (q, "hidden-tests")

    cells = []
    for i, cell in enumerate(nb.cells):
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
            base = {"question": q.qid}
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
    return {
        "set": ex.set_id,
        "questions": {
            q.qid: {"kind": q.kind, "options": q.options, "hints": q.hints}
            for q in ex.questions
            if q.kind != "manual"
        },
        "expected": expected,
    }


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
