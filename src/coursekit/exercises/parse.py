"""Parse and validate a source notebook into an :class:`~coursekit.exercises.model.ExerciseSet`.

Every error names the notebook, the cell and the question, and says how to fix it (:class:`FormatError`).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from coursekit.exercises.cells import (
    _role,
    _source,
    hidden_tests_comment,
    parse_question_comment,
    question_comment,
)
from coursekit.exercises.model import (
    _POINTS_IN_TEXT,
    QID_PATTERN,
    ROLE_TAGS,
    ExerciseSet,
    FormatError,
    Question,
)
from coursekit.exercises.stubs import _binds_top_level, _student_solution_source

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
