"""Line a submission up with the released student edition: what to run, what was changed, what is missing.

A student's notebook is whatever their editor saved: cells may have lost their metadata and tags, been moved,
deleted, duplicated or edited where they should not have been. This module identifies each cell (by tag and
metadata, else by its ``# coursekit: qN`` first line, else by its content), and builds the list of code cells
the grader runs:

* the setup cell, check cells and the *given lines* of each answer cell are compared with the released
  version; a changed one is restored from the released version (the student's own added lines are kept) and
  the question is marked ``tampered``;
* a deleted setup, answer or check cell is re-inserted from the released version where it belongs; a
  deleted answer cell makes the question ``missing``;
* the student's own extra code cells run where they are;
* hidden-tests cells a student may have pasted in never run;
* a written answer typed into the question's own cell, or into a new Markdown cell that took the place of the
  answer cell, is found and kept as the answer (with a note), never lost as "not attempted" or "missing".

It also tells which set a notebook belongs to (:func:`foreign_set`, for the grader's ``wrong_set`` status) and
which release it was handed out in (:func:`submission_stamp`, :func:`release_changes`).

Everything here is pure: notebooks in, a :class:`Plan` out.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from nbformat import NotebookNode

from coursekit.exercises.format import (
    BEGIN_SOLUTION,
    WRITE_HERE,
    ExerciseSet,
    cell_question,
    parse_question_comment,
    solution_parts,
    stub_for,
)
from coursekit.messages import msg

Role = Literal["setup", "solution", "check", "code"]

_SETUP_LINE = re.compile(r"^\s*#\s*coursekit:\s*setup\s*$")
_MARKER_LINE = re.compile(r"^\s*(#\s*coursekit:.*|<!--\s*coursekit:.*-->)\s*$")
#: How alike (difflib ratio) a student's line must be to a given line to count as an edit of it.
EDIT_RATIO = 0.6


@dataclass
class Step:
    """One code cell the grader runs.

    Attributes
    ----------
    role : {"setup", "solution", "check", "code"}
        ``code`` is a cell of the student's own.
    source : str
        The code to run (already restored where needed).
    qid : str or None
        The question the cell belongs to.
    cell : int or None
        The cell's index in the submission (``None`` for a cell re-inserted from the released version).
    """

    role: Role
    source: str
    qid: str | None = None
    cell: int | None = None


@dataclass
class QuestionPlan:
    """What reconciliation found out about one question of a submission.

    Attributes
    ----------
    tampered : list of str
        One sentence per changed released part (check cell, given line), restored before running.
    restored : list of str
        One sentence per deleted cell that was re-inserted.
    missing : bool
        The answer cell (code or written) is not in the submission.
    answer_cell : int or None
        Index of the answer cell in the submission.
    written : str or None
        For a written (manual) question: the student's text, without the marker line.
    recovered : bool
        The answer cell was found by its first-line comment or content because its metadata was gone.
    """

    tampered: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    missing: bool = False
    answer_cell: int | None = None
    written: str | None = None
    recovered: bool = False
    #: Where a written answer was found when not in its answer cell: "question" (typed into the question's own
    #: cell) or "new_cell" (a new Markdown cell in place of the answer cell); "" otherwise.
    found_in: str = ""


@dataclass
class Plan:
    """How to grade one submission: the cells to run, in order, and what was found per question."""

    steps: list[Step]
    questions: dict[str, QuestionPlan]
    notes: list[str] = field(default_factory=list)


# ---- the released edition, indexed ---------------------------------------------------------------------


@dataclass
class ReleasedCell:
    """A cell of the released (student) edition, with what the grader needs to compare against it."""

    role: Literal["setup", "solution", "check", "manual", "question"]
    qid: str | None
    source: str
    stub_mask: list[bool] = field(default_factory=list)  # per line: True where the student writes


@dataclass
class Released:
    """The released student edition of a set, indexed for reconciliation.

    Build it once per grading run with :func:`index_release`.
    """

    exercise: ExerciseSet
    cells: list[ReleasedCell]
    #: The source of every Markdown cell of the edition (headings and instructions included).
    markdown: list[str] = field(default_factory=list)

    def by_role(self, role: str, qid: str | None = None) -> list[ReleasedCell]:
        """The released cells with this role (and question)."""
        return [c for c in self.cells if c.role == role and (qid is None or c.qid == qid)]


def _source(cell: Any) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _tags(cell: Any) -> list[str]:
    meta = cell.get("metadata") or {}
    tags = meta.get("tags") if isinstance(meta, dict) else None
    return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []


def _stub_mask(source_cell: str, released: str) -> list[bool]:
    """Mark the lines of a released answer cell that are the stub (where the student writes)."""
    rel = released.split("\n")
    mask = [False] * len(rel)
    try:
        _, block, after = solution_parts(source_cell)
    except ValueError:
        return mask
    marker = next((line for line in source_cell.split("\n") if line.strip() == BEGIN_SOLUTION), "")
    stub = stub_for(block, marker[: len(marker) - len(marker.lstrip())])
    after = list(after)
    while after and after[-1] == "":
        after.pop()
    start = len(rel) - len(after) - len(stub)
    if stub and start >= 0 and rel[start : start + len(stub)] == stub:
        for i in range(start, start + len(stub)):
            mask[i] = True
        return mask
    # Fallback: the lines of the released cell that the source does not have are the stub.
    sm = difflib.SequenceMatcher(None, source_cell.split("\n"), rel, autojunk=False)
    for op, _i1, _i2, j1, j2 in sm.get_opcodes():
        if op in ("replace", "insert"):
            for j in range(j1, j2):
                mask[j] = not _MARKER_LINE.match(rel[j])
    return mask


def index_release(exercise: ExerciseSet, student_edition: NotebookNode) -> Released:
    """Index the released student edition of ``exercise`` for :func:`reconcile`.

    Parameters
    ----------
    exercise : ExerciseSet
        The parsed source notebook.
    student_edition : nbformat.NotebookNode
        Its student edition (``make_student_edition(exercise)``).
    """
    cells: list[ReleasedCell] = []
    for cell in student_edition.cells:
        tags = _tags(cell)
        qid = cell_question(cell)
        src = _source(cell)
        if "setup" in tags:
            cells.append(ReleasedCell("setup", None, src))
        elif "solution" in tags and qid:
            q = exercise.question(qid)
            assert q.solution_cell is not None
            original = _source(exercise.notebook.cells[q.solution_cell])
            cells.append(ReleasedCell("solution", qid, src, _stub_mask(original, src)))
        elif "check" in tags and qid:
            cells.append(ReleasedCell("check", qid, src))
        elif "manual" in tags and qid:
            cells.append(ReleasedCell("manual", qid, src))
        elif "question" in tags and qid:
            cells.append(ReleasedCell("question", qid, src))
    markdown = [_source(c) for c in student_edition.cells if c.get("cell_type") == "markdown"]
    return Released(exercise, cells, markdown)


# ---- comparing and merging -------------------------------------------------------------------------------


def _norm(line: str) -> str:
    return " ".join(line.split())


def _significant(line: str) -> bool:
    s = line.strip()
    return bool(s) and not s.startswith("#")


def _same_text(a: str, b: str) -> bool:
    na = [_norm(x) for x in a.split("\n") if _norm(x)]
    nb = [_norm(x) for x in b.split("\n") if _norm(x)]
    return na == nb


_BINDS = re.compile(
    r"^\s*(?:(?:async\s+)?def\s+(\w+)|class\s+(\w+)|([\w\.\[\]\"', ]+?)\s*(?:[-+*/%&|^@]|//|\*\*|<<|>>)?=(?!=))"
)


def _binding(line: str) -> str | None:
    """What a line binds: ``def f``/``class C`` names or the target of an assignment (else None)."""
    m = _BINDS.match(line)
    if not m:
        return None
    name = m.group(1) or m.group(2) or m.group(3)
    return " ".join(name.split()) if name else None


def is_edit_of(line: str, given: str) -> bool:
    """True when a student's line looks like an edited version of a given line.

    Both bind the same name (``events = ...`` twice, ``def f(...)`` twice), or the texts are at least
    :data:`EDIT_RATIO` alike.
    """
    a, b = _binding(line), _binding(given)
    if a is not None and a == b:
        return True
    sm = difflib.SequenceMatcher(None, _norm(line), _norm(given))
    # the cheap upper bounds first: a line far longer than the given one cannot be an edit of it
    return (
        sm.real_quick_ratio() >= EDIT_RATIO
        and sm.quick_ratio() >= EDIT_RATIO
        and sm.ratio() >= EDIT_RATIO
    )


def _compare_limit(*texts: str) -> int:
    """How many characters of a student's cell to compare with released cells of these lengths."""
    return 4 * max((len(t) for t in texts), default=0) + 2000


def merge_cell(released: str, stub_mask: list[bool], student: str) -> tuple[str, list[str]]:
    """Restore the released lines of a cell while keeping what the student wrote.

    Parameters
    ----------
    released : str
        The released cell's source.
    stub_mask : list of bool
        Per released line: True where the student is meant to write (the stub); all False for a cell the
        student must not change (setup, check).
    student : str
        The student's version of the cell.

    Returns
    -------
    source : str
        The student's cell with every released given line back in place: a given line the student changed
        or deleted is restored (the edited version is dropped); lines the student added are kept.
    changed : list of str
        The significant given lines (code, not blank lines or comments) that the student had changed or
        deleted; empty when the cell was not tampered with.
    """
    rel = released.split("\n")
    mask = stub_mask if len(stub_mask) == len(rel) else [False] * len(rel)
    stu = student.split("\n")
    sm = difflib.SequenceMatcher(
        None, [_norm(x) for x in rel], [_norm(x) for x in stu], autojunk=False
    )
    out: list[str] = []
    changed: list[str] = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            out.extend(stu[j1:j2])
            continue
        if op == "insert":
            out.extend(stu[j1:j2])
            continue
        given = [i for i in range(i1, i2) if not mask[i]]
        lost = [i for i in given if _significant(rel[i])]
        changed.extend(rel[i].strip() for i in lost)
        if op == "delete":
            out.extend(rel[i] for i in given)
            continue
        # replace: drop the student's lines that are edits of a significant given line, keep the others
        kept = [line for line in stu[j1:j2] if not any(is_edit_of(line, rel[i]) for i in lost)]
        stub_rows = [i for i in range(i1, i2) if mask[i]]
        first = stub_rows[0] if stub_rows else i2
        last = stub_rows[-1] if stub_rows else i2
        out.extend(rel[i] for i in given if i < first)
        out.extend(kept)
        out.extend(rel[i] for i in given if i > last)
    return "\n".join(out), changed


# ---- identification --------------------------------------------------------------------------------------


@dataclass
class _Seen:
    index: int
    cell: Any
    role: (
        str | None
    )  # setup, solution, check, manual, question, hidden-tests, answer? (ambiguous), None
    qid: str | None
    by_tag: bool


def _identify(index: int, cell: Any, qids: set[str]) -> _Seen:
    kind = cell.get("cell_type")
    src = _source(cell)
    tags = _tags(cell)
    qid = cell_question(cell)
    if qid not in qids:
        qid = None
    for role in ("setup", "solution", "check", "manual", "question", "hidden-tests"):
        if role in tags:
            expected = "markdown" if role in ("manual", "question") else "code"
            if kind == expected and (qid or role == "setup"):
                return _Seen(index, cell, role, qid, True)
    marker = parse_question_comment(src)
    if kind == "code":
        first = next((line for line in src.split("\n") if line.strip()), "")
        if _SETUP_LINE.match(first):
            return _Seen(index, cell, "setup", None, False)
        if marker and marker.qid in qids:
            role = "hidden-tests" if marker.role == "hidden-tests" else "answer?"
            return _Seen(index, cell, role, marker.qid, False)
        return _Seen(index, cell, None, None, False)
    if kind == "markdown" and marker and marker.role == "manual" and marker.qid in qids:
        return _Seen(index, cell, "manual", marker.qid, False)
    return _Seen(index, cell, None, None, False)


def _resolve_ambiguous(seen: list[_Seen], released: Released) -> None:
    """Decide whether untagged ``# coursekit: qN`` code cells are the answer cell or a check cell."""
    by_q: dict[str, list[_Seen]] = {}
    for s in seen:
        if s.role == "answer?" and s.qid:
            by_q.setdefault(s.qid, []).append(s)
    for qid, cells in by_q.items():
        tagged_solution = any(s.role == "solution" and s.qid == qid for s in seen)
        checks = [c.source for c in released.by_role("check", qid)]
        claimed_checks = sum(1 for s in seen if s.role == "check" and s.qid == qid)
        free_checks = max(0, len(checks) - claimed_checks)
        solutions = released.by_role("solution", qid)
        want_solution = bool(solutions) and not tagged_solution
        # exact copies of a released check cell are check cells
        for s in cells:
            if free_checks and any(_same_text(_source(s.cell), c) for c in checks):
                s.role = "check"
                free_checks -= 1
        rest = [s for s in cells if s.role == "answer?"]
        # among the rest, the answer cell is the one more like the released answer cell than like a check
        if want_solution and rest:
            stub = solutions[0].source

            def score(s: _Seen, checks: list[str] = checks, stub: str = stub) -> float:
                # only the start of a long cell is compared: what it resembles shows there, and comparing all
                # of a huge cell would cost time quadratic in its length
                text = _source(s.cell)[: _compare_limit(stub, *checks)]
                to_stub = difflib.SequenceMatcher(None, text, stub, autojunk=False).ratio()
                to_check = max(
                    (
                        difflib.SequenceMatcher(None, text, c, autojunk=False).ratio()
                        for c in checks
                    ),
                    default=0.0,
                )
                return to_stub - to_check

            best = max(rest, key=score)
            if len(rest) > 1 or not free_checks or score(best) >= 0:
                best.role = "solution"
                rest = [s for s in rest if s is not best]
        for s in rest:
            if free_checks:
                s.role = "check"
                free_checks -= 1
            else:
                s.role = None  # a duplicate: run as the student's own code
                s.qid = None


#: How alike (difflib ratio) a Markdown cell must be to a released question to stand for it: the released file
#: differs from the edition the grader builds in its links and citations, and a student may add a line.
QUESTION_RATIO = 0.75


_LINK_TARGET = re.compile(r"\]\([^)\s]*\)")
_ROLE = re.compile(r"\{[a-z:]+\}`[^`]*`")


def _md_norm(line: str) -> str:
    """A Markdown line compared without its link targets and MyST roles (the release rewrites both)."""
    return _norm(_ROLE.sub("", _LINK_TARGET.sub("]", line)))


def _alike(text: str, released: str) -> bool:
    """True when a Markdown cell stands for a released one: most of the released lines are in it as they are.

    The released file differs from the grader's edition in its links and citations, and a student may add
    lines: so half of the released cell's lines present is enough. A cell of one or two lines is compared as
    text instead (difflib ratio of at least :data:`QUESTION_RATIO`). Cheap: sets of lines, no quadratic work.
    """
    ref = {_md_norm(x) for x in released.split("\n") if _md_norm(x)}
    if not ref:
        return not text.strip()
    mine = {_md_norm(x) for x in text[: _compare_limit(released)].split("\n") if _md_norm(x)}
    if len(ref & mine) * 2 >= len(ref) and len(ref) > 2:
        return True
    if len(ref) > 2:
        return False
    sm = difflib.SequenceMatcher(None, text[: _compare_limit(released)], released, autojunk=False)
    return (
        sm.real_quick_ratio() >= QUESTION_RATIO
        and sm.quick_ratio() >= QUESTION_RATIO
        and sm.ratio() >= QUESTION_RATIO
    )


def _question_cell(seen: list[_Seen], released: Released, qid: str) -> int | None:
    """The position in ``seen`` of the question's own Markdown cell: by tag, else by likeness of text."""
    for k, s in enumerate(seen):
        if s.role == "question" and s.qid == qid:
            return k
    questions = released.by_role("question", qid)
    if not questions:
        return None
    text = questions[0].source
    for k, s in enumerate(seen):
        if (
            s.cell.get("cell_type") == "markdown"
            and s.role is None
            and _alike(_source(s.cell), text)
        ):
            return k
    return None


def _recover_written(seen: list[_Seen], released: Released, qid: str) -> _Seen | None:
    """Find a written answer whose marker and metadata are gone: the markdown cell after its question."""
    k = _question_cell(seen, released, qid)
    if k is None:
        return None
    nxt = seen[k + 1] if k + 1 < len(seen) else None
    if (
        nxt is not None
        and nxt.cell.get("cell_type") == "markdown"
        and nxt.role is None
        and not _is_released_markdown(_source(nxt.cell), released)
    ):
        return nxt
    return None


def _is_released_markdown(text: str, released: Released) -> bool:
    """True when a Markdown cell is one of the edition's own (a heading, instructions), not a student's text."""
    return any(_same_text(text, m) or _alike(text, m) for m in released.markdown)


def _added_lines(student: str, released: str) -> str:
    """The lines a student added to a released Markdown cell (edits of its own lines are not counted)."""
    rel = [_md_norm(x) for x in released.split("\n")]
    stu = student.split("\n")
    sm = difflib.SequenceMatcher(None, rel, [_md_norm(x) for x in stu], autojunk=False)
    added: list[str] = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "insert":
            added.extend(stu[j1:j2])
        elif op == "replace":
            for line in stu[j1:j2]:
                if not any(is_edit_of(_md_norm(line), rel[i]) for i in range(i1, i2)):
                    added.append(line)
    return written_text("\n".join(added))


def _stray_written(
    seen: list[_Seen], released: Released, qid: str, taken: set[int]
) -> tuple[str, str, int] | None:
    """A written answer put where it does not belong: ``(text, "question" | "new_cell", cell index)``.

    Looked for, in this order, in the question's own cell (lines the student added to it) and in Markdown or
    raw cells of the student's own between the question and the next cell of the set.
    """
    k = _question_cell(seen, released, qid)
    if k is None:
        return None
    questions = released.by_role("question", qid)
    extra = _added_lines(_source(seen[k].cell), questions[0].source) if questions else ""
    if extra and not is_blank_written(extra):
        return extra, "question", seen[k].index
    texts: list[str] = []
    first: int | None = None
    for s in seen[k + 1 :]:
        if s.role is not None and not (s.role == "manual" and s.qid == qid):
            break
        if id(s) in taken or s.cell.get("cell_type") not in ("markdown", "raw"):
            continue
        text = written_text(_source(s.cell))
        if is_blank_written(text) or _is_released_markdown(_source(s.cell), released):
            continue
        texts.append(text)
        first = s.index if first is None else first
    if texts and first is not None:
        return "\n\n".join(texts), "new_cell", first
    return None


def written_text(source: str) -> str:
    """A written answer without its ``<!-- coursekit: qN -->`` line and surrounding blank lines."""
    lines = [line for line in source.split("\n") if not _MARKER_LINE.match(line)]
    return "\n".join(lines).strip()


def is_blank_written(text: str) -> bool:
    """True when a written answer is empty or still the released prompt."""
    return not text.strip() or _same_text(text, WRITE_HERE)


# ---- the plan --------------------------------------------------------------------------------------------


def reconcile(released: Released, submission: NotebookNode) -> Plan:
    """Build the grading plan of one submission.

    Parameters
    ----------
    released : Released
        The indexed student edition (:func:`index_release`).
    submission : nbformat.NotebookNode
        The student's notebook (nbformat 4).

    Returns
    -------
    Plan
        The code cells to run, in the student's order with restored and re-inserted cells, and per question
        what was changed, re-inserted or missing.
    """
    ex = released.exercise
    qids = {q.qid for q in ex.questions}
    seen = [_identify(i, c, qids) for i, c in enumerate(submission.get("cells", []))]
    _resolve_ambiguous(seen, released)
    setups = released.by_role("setup")
    if setups and not any(s.role == "setup" for s in seen):
        for (
            s
        ) in seen:  # a setup cell that lost its tag and marker line: recognise it by its content
            if (
                s.role is None
                and s.cell.get("cell_type") == "code"
                and _same_text(_source(s.cell), setups[0].source)
            ):
                s.role = "setup"
                break
    plans = {q.qid: QuestionPlan() for q in ex.questions}
    notes: list[str] = []

    # claim at most one cell per released cell: the first setup, the first answer cell, checks in order
    claimed: dict[int, tuple[ReleasedCell, _Seen]] = {}  # id(released cell) -> match
    rc: ReleasedCell | None
    for rc in released.cells:
        if rc.role in ("setup", "solution", "manual"):
            match = next(
                (
                    s
                    for s in seen
                    if s.role == rc.role and s.qid == rc.qid and id(s) not in _ids(claimed)
                ),
                None,
            )
            if match is None and rc.role == "manual" and rc.qid:
                match = _recover_written(seen, released, rc.qid)
                if match is not None:
                    match.role, match.qid = "manual", rc.qid
            if match is not None:
                claimed[id(rc)] = (rc, match)
        elif rc.role == "check":
            match = next(
                (
                    s
                    for s in seen
                    if s.role == "check" and s.qid == rc.qid and id(s) not in _ids(claimed)
                ),
                None,
            )
            if match is not None:
                claimed[id(rc)] = (rc, match)
    matched_ids = _ids(claimed)
    for s in (
        seen
    ):  # cells of a known role that matched nothing (duplicates) run as the student's own code
        if id(s) not in matched_ids and s.role in ("setup", "solution", "check", "answer?"):
            s.role, s.qid = None, None

    # the student's cells in their order, each with the released cell it stands for
    steps_by_seen: list[tuple[_Seen, ReleasedCell | None]] = []
    rc_of: dict[int, ReleasedCell] = {id(m): rc for rc, m in claimed.values()}
    for s in seen:
        steps_by_seen.append((s, rc_of.get(id(s))))

    steps: list[Step] = []
    present_released: set[int] = set()
    for s, rc in steps_by_seen:
        if rc is not None:
            present_released.add(id(rc))
        if s.cell.get("cell_type") != "code":
            if rc is not None and rc.role == "manual" and rc.qid:
                qp = plans[rc.qid]
                qp.answer_cell = s.index
                qp.written = written_text(_source(s.cell))
                qp.recovered = not s.by_tag
                if not s.by_tag and parse_question_comment(_source(s.cell)) is None:
                    qp.found_in = (
                        "new_cell"  # no tag, no marker: a cell of the student's own in its place
                    )
            continue
        if s.role == "hidden-tests":
            notes.append(msg("grade.reconcile.hidden_tests", cell=s.index))
            continue
        if rc is None:
            steps.append(Step("code", _source(s.cell), None, s.index))
            continue
        merged, changed = merge_cell(rc.source, rc.stub_mask, _source(s.cell))
        if rc.role == "setup":
            if changed:
                notes.append(msg("grade.reconcile.setup_edited", lines=_listing(changed)))
            steps.append(Step("setup", merged, None, s.index))
            continue
        assert rc.qid is not None
        qp = plans[rc.qid]
        if rc.role == "solution":
            qp.answer_cell = s.index
            qp.recovered = not s.by_tag
            if changed:
                qp.tampered.append(msg("grade.reconcile.answer_edited", lines=_listing(changed)))
        elif changed:
            qp.tampered.append(msg("grade.reconcile.check_edited", lines=_listing(changed)))
        steps.append(Step(rc.role, merged, rc.qid, s.index))  # type: ignore[arg-type]

    # re-insert deleted released cells after the nearest preceding released cell that is present
    steps = _reinsert(released, steps, present_released, plans)
    for q in ex.questions:
        qp = plans[q.qid]
        if q.kind != "manual" or (qp.written is not None and not is_blank_written(qp.written)):
            continue
        stray = _stray_written(seen, released, q.qid, matched_ids)
        if stray is not None:
            qp.written, qp.found_in, qp.answer_cell = stray
    for q in ex.questions:
        qp = plans[q.qid]
        if q.kind == "manual" and qp.answer_cell is None:
            qp.missing = True
    return Plan(steps, plans, notes)


def _ids(claimed: dict[int, tuple[ReleasedCell, _Seen]]) -> set[int]:
    return {id(m) for _, m in claimed.values()}


def _listing(lines: list[str], limit: int = 3) -> str:
    shown = ", ".join(f"`{line[:80]}`" for line in lines[:limit])
    return (
        msg("listing.more", shown=shown, more=len(lines) - limit) if len(lines) > limit else shown
    )


def _reinsert(
    released: Released, steps: list[Step], present: set[int], plans: dict[str, QuestionPlan]
) -> list[Step]:
    order = [rc for rc in released.cells if rc.role in ("setup", "solution", "check")]
    out = list(steps)
    for k, rc in enumerate(order):
        if id(rc) in present:
            continue
        step = Step(rc.role, rc.source, rc.qid, None)  # type: ignore[arg-type]
        if rc.role == "setup":
            out.insert(0, step)
        else:
            assert rc.qid is not None
            qp = plans[rc.qid]
            if rc.role == "solution":
                qp.missing = True
                qp.restored.append(msg("grade.reconcile.answer_restored"))
            else:
                qp.restored.append(msg("grade.reconcile.check_restored"))
            # after the last step standing for an earlier released cell
            earlier = {(c.role, c.qid, c.source) for c in order[:k]}
            pos = 0
            for i, st in enumerate(out):
                if st.role != "code" and any(st.role == r and st.qid == q for r, q, _ in earlier):
                    pos = i + 1
            out.insert(pos, step)
        present.add(id(rc))
    return out


# ---- which set, which release ----------------------------------------------------------------------------


def notebook_set(nb: NotebookNode) -> str | None:
    """The set id a notebook's metadata names (``metadata.coursekit.set``), or None when it names none."""
    meta = nb.get("metadata") or {}
    ck = meta.get("coursekit") if isinstance(meta, dict) else None
    found = ck.get("set") if isinstance(ck, dict) else None
    return found if isinstance(found, str) and found else None


def foreign_set(released: Released, nb: NotebookNode) -> tuple[bool, str | None]:
    """Whether a notebook belongs to another exercise set, and that set's id when known.

    It does when its metadata names another set; or, with no set in its metadata, when it has cells marked for
    questions (tags or ``# coursekit: qN`` lines) yet not one question or check cell of this set is in it, by
    tag or by text. A blank notebook or one of this set with its metadata stripped is never foreign.
    """
    ex = released.exercise
    found = notebook_set(nb)
    if found is not None:
        return found != ex.set_id, found
    cells = nb.get("cells", [])
    marked = any(
        _tags(c)
        and any(t in _tags(c) for t in ("solution", "check", "manual", "question"))
        or parse_question_comment(_source(c)) is not None
        for c in cells
    )
    if not marked:
        return False, None
    questions = [rc.source for rc in released.cells if rc.role == "question"]
    checks = [rc.source for rc in released.cells if rc.role == "check"]
    for c in cells:
        text = _source(c)
        if c.get("cell_type") == "markdown" and any(_alike(text, q) for q in questions):
            return False, None
        if c.get("cell_type") == "code" and any(_same_text(text, k) for k in checks):
            return False, None
    return True, None


def submission_stamp(nb: NotebookNode) -> dict[str, Any] | None:
    """The release stamp a notebook carries (``metadata.coursekit.release``), or None."""
    meta = nb.get("metadata") or {}
    ck = meta.get("coursekit") if isinstance(meta, dict) else None
    stamp = ck.get("release") if isinstance(ck, dict) else None
    if isinstance(stamp, dict) and isinstance(stamp.get("hash"), str):
        return stamp
    return None


def release_changes(stamp: dict[str, Any], current: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Compare a submission's release stamp with the current source's: ``(changed, added)`` question ids.

    ``changed`` are questions in both whose content differs; ``added`` are questions of the current source the
    student's release did not have.
    """
    found = stamp.get("questions")
    theirs: dict[str, Any] = found if isinstance(found, dict) else {}
    ours: dict[str, Any] = current.get("questions", {})
    changed = [q for q in ours if q in theirs and theirs[q] != ours[q]]
    added = [q for q in ours if q not in theirs]
    return changed, added
