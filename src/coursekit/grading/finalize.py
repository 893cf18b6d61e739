"""Finalizing a graded set: hand grades and overrides merged, totals recomputed, files for the platform written.

``coursekit grade`` leaves in its output folder ``OUT`` the automatic grades (``journal.jsonl``,
``gradebook.csv``), the written answers to grade by hand (``manual.csv``) and what it knows of each student
(``intake.csv``, written when the submissions came from a platform's download). :func:`finalize`

1. reads the results and validates ``manual.csv`` (the instructor's ``points`` and ``comment`` per written
   answer) and an optional ``overrides.csv`` (``submission, question, points, reason[, comment]``: points
   changed by hand, a reason required). Every problem is reported at once, each naming the file, the row (as a
   spreadsheet numbers it, the header being row 1) and the column;
2. refuses, listing them, when written answers still have no points (or were flagged for review), unless
   ``partial`` is set: then those students get no grade (Canvas: an empty cell, read as "no change"; Moodle:
   no row, since an empty feedback cell would clear a comment) and no feedback file, and they are listed;
3. recomputes each submission's total and writes ``finalized.csv`` (every question's automatic and final
   points, where the final points came from, the reason and comment: the record), the feedback pages with the
   hand-graded points and comments, and the platform's grade-import file and feedback bundle
   (:mod:`coursekit.grading.platforms`).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from coursekit.grading.lms import IntakeError, Roster, read_roster
from coursekit.grading.platforms import (
    Student,
    canvas_feedback_name,
    canvas_gradebook,
    identity_from_path,
    moodle_feedback_folder,
    moodle_worksheet,
    write_zip,
)
from coursekit.grading.results import (
    FORMULA_STARTS,
    QuestionResult,
    SubmissionResult,
    _atomic_write,
    _csv_text,
    feedback_html,
    fmt_points,
    read_csv_rows,
    write_feedback,
)
from coursekit.messages import msg

__all__ = [
    "FINALIZED_COLUMNS",
    "PLATFORMS",
    "FinalizeError",
    "Finalized",
    "HandGrade",
    "finalize",
    "load_results",
    "read_manual",
    "read_overrides",
]

PLATFORMS = ("canvas", "moodle")

FINALIZED_COLUMNS = [
    "submission",
    "student_id",
    "question",
    "auto_points",
    "points",
    "max_points",
    "status",
    "source",
    "reason",
    "comment",
]
"""The record ``finalized.csv``: per submission and question the automatic points, the final points, and
``source``: ``auto`` (the grader's), ``manual`` (``manual.csv``) or ``override`` (``overrides.csv``, with its
``reason``). A row with question ``total`` per submission gives the total, or ``pending`` in ``status``."""


class FinalizeError(ValueError):
    """The inputs cannot be finalized; the message lists every problem, each naming its file, row and column."""


@dataclass
class HandGrade:
    """Points given by hand to one question of one submission (a row of ``manual.csv`` or ``overrides.csv``)."""

    submission: str
    question: str
    points: float
    comment: str = ""
    reason: str = ""
    source: str = "manual"


@dataclass
class Finalized:
    """What :func:`finalize` did."""

    results: dict[str, SubmissionResult]
    students: dict[str, Student]
    pending: dict[str, list[str]]  # submission -> the questions still waiting (or flagged)
    files: dict[str, Path] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


# ---- reading OUT -------------------------------------------------------------------------------------------


def load_results(out: Path) -> dict[str, SubmissionResult]:
    """The results of the last ``coursekit grade`` run into ``out``: the submissions listed in
    ``gradebook.csv``, each with its last entry in ``journal.jsonl``.

    Raises
    ------
    FinalizeError
        If ``out`` holds no grading results.
    """
    out = Path(out)
    gradebook, journal = out / "gradebook.csv", out / "journal.jsonl"
    if not gradebook.is_file() or not journal.is_file():
        raise FinalizeError(
            f"{out}: no grading results here (gradebook.csv and journal.jsonl); run coursekit grade "
            f"SOURCE SUBMISSIONS --out {out} first."
        )
    _, rows = read_csv_rows(gradebook)
    wanted = {r.get("submission", "") for r in rows}
    found: dict[str, SubmissionResult] = {}
    with open(journal, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            try:
                entry = json.loads(line)
                result = SubmissionResult.from_dict(entry["result"])
            except Exception:  # noqa: BLE001 - a damaged line is skipped, as the grader does
                continue
            if result.submission in wanted:
                found[result.submission] = result
    lost = sorted(wanted - set(found))
    if lost:
        raise FinalizeError(
            f"{journal}: no result for {', '.join(lost[:5])}{' …' if len(lost) > 5 else ''}; "
            "run coursekit grade again to complete it."
        )
    return found


def _run_info(out: Path) -> tuple[str, str]:
    try:
        data = json.loads((Path(out) / "run.json").read_text(encoding="utf-8"))
        return str(data["set_id"]), str(data["title"])
    except (OSError, ValueError, KeyError, TypeError):
        return Path(out).name, Path(out).name


def _intake_files(out: Path) -> dict[str, dict[str, str]]:
    """The row of ``OUT/intake.csv`` (written by ``coursekit grade --lms``) of each graded file, by submission."""
    path = Path(out) / "intake.csv"
    if not path.is_file():
        return {}
    _, rows = read_csv_rows(path)
    return {
        r["submission"]: r
        for r in rows
        if r.get("submission") and r.get("action", "graded") == "graded"
    }


def _roster_rows(
    roster: Path | None, platform: str
) -> tuple[dict[str, dict[str, str]], Roster | None]:
    if roster is None:
        return {}, None
    try:
        book = read_roster(roster)
    except IntakeError as exc:
        raise FinalizeError(str(exc)) from exc
    return {r["student_id"]: r for r in book.rows}, book


def students_of(
    out: Path, results: dict[str, SubmissionResult], platform: str, roster: Path | None = None
) -> dict[str, Student]:
    """Each submission's student, as the platform knows them.

    The platform ids come from the name the platform gave the graded file (recorded in ``OUT/intake.csv`` by
    ``coursekit grade --lms``; else the file's path); the name, email, SIS login and section from the roster
    (``student_id`` = the submission id), when one is given.
    """
    files = _intake_files(out)
    by_student, book = _roster_rows(roster, platform)
    found = {}
    for sid, r in results.items():
        row = files.get(sid, {})
        s = identity_from_path(sid, row.get("file") or r.path, platform)
        if not s.platform_id and row.get("platform_id"):
            s.platform_id = row["platform_id"]
        info = by_student.get(sid)
        if info is None and book is not None and s.platform_id:
            info = book.find(platform, s.platform_id)
        if info is not None:
            s.name = info.get("name", "") or s.name
            s.email = info.get("email", "")
            s.sis_user_id = info.get("sis_user_id", "")
            s.sis_login_id = info.get("sis_login_id", "")
            s.section = info.get("section", "")
            if not s.platform_id:
                s.platform_id = info.get(f"{platform}_id", "") or info.get("platform_id", "")
        if not s.name:
            s.name = s.name_part or row.get("name", "") or sid
        found[sid] = s
    return found


# ---- the instructor's files --------------------------------------------------------------------------------


def _unformula(text: str) -> str:
    """A cell as the instructor typed it: the ``'`` the grader put before a formula-like text is dropped."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def _number(text: str) -> float | None:
    """Points typed in a spreadsheet cell (``2``, ``1.5``, ``1,5``), or None when it is not a finite number."""
    t = text.strip().replace(",", ".") if text.count(",") == 1 and "." not in text else text.strip()
    try:
        value = float(t)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _where(path: Path, line: int, row: dict[str, str], column: str) -> str:
    sid, qid = row.get("submission", "").strip(), row.get("question", "").strip()
    who = f" (submission {sid}, question {qid})" if sid and qid else ""
    return f"{path.name}, row {line}{who}, column {column}"


def _read_table(
    path: Path, required: list[str], errors: list[str]
) -> list[tuple[int, dict[str, str]]]:
    try:
        header, rows = read_csv_rows(path)
    except OSError as exc:
        errors.append(f"{path}: cannot read it ({exc.strerror or exc}).")
        return []
    stripped = [h.strip() for h in header]
    missing = [c for c in required if c not in stripped]
    if missing:
        errors.append(
            f"{path.name}, row 1: the column(s) {', '.join(missing)} are missing "
            f"(the header needs {', '.join(required)})."
        )
        return []
    return [(i + 2, {k.strip(): v for k, v in row.items()}) for i, row in enumerate(rows)]


def _check_points(
    path: Path,
    line: int,
    row: dict[str, str],
    result: SubmissionResult,
    errors: list[str],
) -> tuple[QuestionResult | None, float | None]:
    """The question a row grades and the points typed in it (None when empty); problems go to ``errors``."""
    sid, qid = row.get("submission", "").strip(), row.get("question", "").strip()
    q = next((q for q in result.questions if q.question == qid), None)
    if q is None:
        known = ", ".join(q.question for q in result.questions)
        errors.append(
            f"{_where(path, line, row, 'question')}: {sid} has no question {qid!r} (its questions: {known})."
        )
        return None, None
    text = row.get("points", "").strip()
    if not text:
        return q, None
    value = _number(text)
    if value is None:
        errors.append(f"{_where(path, line, row, 'points')}: {text!r} is not a number of points.")
        return q, None
    if value < 0 or value > q.max_points + 1e-9:
        errors.append(
            f"{_where(path, line, row, 'points')}: {fmt_points(value)} is outside 0 to "
            f"{fmt_points(q.max_points)}, the points {qid} is worth."
        )
        return q, None
    return q, value


def read_manual(
    path: Path, results: dict[str, SubmissionResult], errors: list[str], warnings: list[str]
) -> tuple[list[HandGrade], dict[str, list[str]]]:
    """The hand grades of ``manual.csv`` and the written answers still waiting (by submission).

    A row of a submission that is no longer graded is ignored when it holds no points (a warning otherwise
    becomes an error: its points would be lost). Problems are appended to ``errors``.
    """
    grades: list[HandGrade] = []
    pending: dict[str, list[str]] = {}
    seen: dict[tuple[str, str], int] = {}
    for line, row in _read_table(path, ["submission", "question", "points"], errors):
        sid, qid = row.get("submission", "").strip(), row.get("question", "").strip()
        if not sid and not qid and not any(v.strip() for v in row.values()):
            continue  # an empty line a spreadsheet left
        if sid not in results:
            if row.get("points", "").strip():
                errors.append(
                    f"{_where(path, line, row, 'submission')}: {sid!r} is not among the graded submissions "
                    f"(gradebook.csv); delete the row or grade that submission again."
                )
            else:
                warnings.append(
                    f"{path.name}, row {line}: submission {sid!r} is no longer graded; row ignored."
                )
            continue
        if (sid, qid) in seen:
            errors.append(
                f"{_where(path, line, row, 'question')}: a second row for this answer (the first is row "
                f"{seen[(sid, qid)]}); keep one."
            )
            continue
        seen[(sid, qid)] = line
        q, value = _check_points(path, line, row, results[sid], errors)
        if q is None:
            continue
        comment = _unformula(row.get("comment", "").strip())
        review = row.get("review", "").strip()
        if review:
            pending.setdefault(sid, []).append(f"{qid} (review: row {line})")
        if value is None:
            if q.status == "manual" and q.points is None and not row.get("points", "").strip():
                pending.setdefault(sid, []).append(qid)
            if comment and q.status != "manual":
                grades.append(
                    HandGrade(sid, qid, q.points or 0.0, comment=comment, source="comment")
                )
            continue
        grades.append(HandGrade(sid, qid, value, comment=comment))
    for sid, r in results.items():  # a written answer waiting whose row was deleted from the file
        for q in r.questions:
            if q.status == "manual" and q.points is None and (sid, q.question) not in seen:
                pending.setdefault(sid, []).append(f"{q.question} (no row)")
    return grades, pending


def read_overrides(
    path: Path, results: dict[str, SubmissionResult], errors: list[str]
) -> list[HandGrade]:
    """The instructor's overrides: ``submission, question, points, reason[, comment]``, a reason on each row."""
    found: list[HandGrade] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in _read_table(path, ["submission", "question", "points", "reason"], errors):
        sid, qid = row.get("submission", "").strip(), row.get("question", "").strip()
        if not any(v.strip() for v in row.values()):
            continue
        if sid not in results:
            errors.append(
                f"{_where(path, line, row, 'submission')}: {sid!r} is not among the graded submissions."
            )
            continue
        if (sid, qid) in seen:
            errors.append(
                f"{_where(path, line, row, 'question')}: a second override of this answer (the first is row "
                f"{seen[(sid, qid)]}); keep one."
            )
            continue
        seen[(sid, qid)] = line
        q, value = _check_points(path, line, row, results[sid], errors)
        if q is None:
            continue
        if not row.get("points", "").strip():
            errors.append(f"{_where(path, line, row, 'points')}: an override needs the new points.")
            continue
        reason = row.get("reason", "").strip()
        if not reason:
            errors.append(
                f"{_where(path, line, row, 'reason')}: an override needs a reason (it is kept in "
                "finalized.csv, the record of the grades)."
            )
            continue
        if value is not None:
            found.append(
                HandGrade(
                    sid, qid, value, _unformula(row.get("comment", "").strip()), reason, "override"
                )
            )
    return found


# ---- merging -----------------------------------------------------------------------------------------------


def merge(
    results: dict[str, SubmissionResult], grades: list[HandGrade]
) -> tuple[dict[str, SubmissionResult], dict[tuple[str, str], HandGrade]]:
    """The results with the hand grades applied (overrides after ``manual.csv``), and which grade set each
    answer's points. The results given are not changed."""
    merged = {
        sid: replace(r, questions=[replace(q, details=list(q.details)) for q in r.questions])
        for sid, r in results.items()
    }
    source: dict[tuple[str, str], HandGrade] = {}
    order = {"comment": 0, "manual": 1, "override": 2}
    for g in sorted(grades, key=lambda g: order[g.source]):
        q = next(q for q in merged[g.submission].questions if q.question == g.question)
        if g.source != "comment":
            q.points = round(g.points, 4)
            q.by_hand = True
        if g.comment:
            q.comment = g.comment
        source[(g.submission, g.question)] = g
    return merged, source


def _grade_text(r: SubmissionResult, out_of: float | None) -> str:
    value = r.points if out_of is None or not r.max_points else r.points / r.max_points * out_of
    return fmt_points(value)


def _record_rows(
    original: dict[str, SubmissionResult],
    merged: dict[str, SubmissionResult],
    source: dict[tuple[str, str], HandGrade],
    students: dict[str, Student],
    pending: dict[str, list[str]],
) -> list[list[str]]:
    rows = []
    for sid in sorted(merged):
        r, sid_student = merged[sid], students[sid].platform_id
        for q, q0 in zip(r.questions, original[sid].questions, strict=True):
            g = source.get((sid, q.question))
            kind = g.source if g is not None and g.source != "comment" else "auto"
            rows.append(
                [
                    sid,
                    sid_student,
                    q.question,
                    fmt_points(q0.points),
                    fmt_points(q.points),
                    fmt_points(q.max_points),
                    q.status,
                    kind,
                    g.reason if g is not None else "",
                    q.comment or "",
                ]
            )
        state = "pending" if sid in pending else "complete"
        rows.append(
            [sid, sid_student, "total", fmt_points(original[sid].points), fmt_points(r.points),
             fmt_points(r.max_points), state, "", "; ".join(pending.get(sid, [])), ""]
        )  # fmt: skip
    return rows


def _moodle_comment(r: SubmissionResult) -> str:
    lines = [
        msg(
            "finalize.comment.total",
            points=fmt_points(r.points),
            max_points=fmt_points(r.max_points),
        )
    ]
    lines += [
        msg("finalize.comment.question", question=q.question, comment=q.comment)
        for q in r.questions
        if q.comment
    ]
    return " ".join(lines)


def finalize(
    out: Path,
    platform: str,
    manual: Path | None = None,
    overrides: Path | None = None,
    partial: bool = False,
    assignment: str | None = None,
    out_of: float | None = None,
    roster: Path | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Finalized:
    """Merge the hand grades into the results in ``out`` and write the files for ``platform``.

    Parameters
    ----------
    out : pathlib.Path
        The output folder of ``coursekit grade``.
    platform : {"canvas", "moodle"}
    manual : pathlib.Path, optional
        The hand grades (default ``out/manual.csv`` when the set has written answers).
    overrides : pathlib.Path, optional
        Points changed by hand, each with a reason.
    partial : bool
        Write the files even though some written answers are not graded yet: those students get no grade
        (the platform keeps what it has) and no feedback file, and are listed in :attr:`Finalized.pending`.
    assignment : str, optional
        Canvas: the assignment column's header, best ``"Title (id)"`` with the assignment's Canvas id;
        default: the set's title.
    out_of : float, optional
        The assignment's maximum in the platform when it differs from the set's points: grades are scaled.
    roster : pathlib.Path, optional
        The roster given to ``coursekit grade --roster``: names, emails, SIS logins and sections for the files.

    Returns
    -------
    Finalized

    Raises
    ------
    FinalizeError
        When the inputs have problems (all listed), or written answers wait for grading and ``partial`` is
        not set.
    """
    if platform not in PLATFORMS:
        raise FinalizeError(f"unknown platform {platform!r}; use one of {', '.join(PLATFORMS)}.")
    out = Path(out)
    results = load_results(out)
    set_id, title = _run_info(out)
    errors: list[str] = []
    warnings: list[str] = []
    grades: list[HandGrade] = []
    pending: dict[str, list[str]] = {}
    manual_path = Path(manual) if manual is not None else out / "manual.csv"
    if manual is not None or manual_path.is_file():
        grades, pending = read_manual(manual_path, results, errors, warnings)
    else:
        for sid, r in results.items():
            waiting = [q.question for q in r.questions if q.status == "manual" and q.points is None]
            if waiting:
                pending[sid] = waiting
    if overrides is not None:
        ov = read_overrides(Path(overrides), results, errors)
        grades += ov
        for g in ov:  # an override settles a written answer that was waiting
            left = [p for p in pending.get(g.submission, []) if p.split()[0] != g.question]
            if left:
                pending[g.submission] = left
            else:
                pending.pop(g.submission, None)
    if errors:
        raise FinalizeError("\n".join(errors))
    if pending and not partial:
        lines = [f"  {sid}: {', '.join(qs)}" for sid, qs in sorted(pending.items())]
        raise FinalizeError(
            f"{len(pending)} submission(s) have written answers without points in {manual_path.name} "
            "(or flagged for review):\n"
            + "\n".join(lines)
            + "\nFill in their points (and clear the review "
            "cells), or pass --partial to upload the complete grades now and leave these students' grades empty."
        )
    merged, source = merge(results, grades)
    students = students_of(out, merged, platform, roster)
    done = Finalized(merged, students, pending, warnings=warnings)
    _atomic_write(
        out / "finalized.csv",
        _csv_text(FINALIZED_COLUMNS, _record_rows(results, merged, source, students, pending)),
    )
    done.files["record"] = out / "finalized.csv"
    for r in merged.values():
        write_feedback(r, title, set_id, out / "feedback")
    no_id = sorted(sid for sid, s in students.items() if not s.platform_id)
    if no_id:
        warnings.append(
            f"no {platform} id known for {len(no_id)} submission(s) ({', '.join(no_id[:5])}"
            f"{' …' if len(no_id) > 5 else ''}): give coursekit grade the platform's download (--lms) "
            "or a --roster; their rows are matched by name only, and they get no feedback file."
        )
    folder = out / platform
    maximum = fmt_points(
        out_of if out_of is not None else max((r.max_points for r in merged.values()), default=0)
    )
    order = sorted(merged, key=lambda sid: (students[sid].name.lower(), sid))
    # a student whose grading is not complete gets no feedback file yet (their page is in feedback/)
    pages = {sid: feedback_html(merged[sid], title, set_id) for sid in order if sid not in pending}
    stamp = now().strftime("%Y-%m-%d %H:%M UTC")
    if platform == "canvas":
        if not assignment or not re.search(r"\(\d+\)\s*$", assignment):
            warnings.append(
                f"the grades column is headed {assignment or title!r}, which Canvas matches by the assignment's "
                'name, and creates a new assignment when none has that name: pass --assignment "Title (id)" '
                "with the number in the assignment's Canvas address to match it by id."
            )
        rows = [
            (students[sid], "" if sid in pending else _grade_text(merged[sid], out_of))
            for sid in order
        ]
        _atomic_write(
            folder / "canvas-grades.csv", canvas_gradebook(assignment or title, maximum, rows)
        )
        files = {
            canvas_feedback_name(students[sid], set_id): pages[sid]
            for sid in pages
            if students[sid].platform_id and students[sid].file_id
        }
        lacking = sorted(
            sid for sid in order if students[sid].platform_id and not students[sid].file_id
        )
        if lacking:
            warnings.append(
                f"{len(lacking)} submission(s) have no Canvas file id ({', '.join(lacking[:5])}): their feedback "
                "pages are in feedback/ only (Canvas's Re-Upload Submissions needs the id of the file handed in)."
            )
        write_zip(folder / "canvas-feedback.zip", files)
        done.files["grades"] = folder / "canvas-grades.csv"
        done.files["feedback"] = folder / "canvas-feedback.zip"
    else:
        # a student still pending is left out: Moodle would take an empty "Feedback comments" cell as a
        # change and clear a comment already given there
        mrows = [
            (students[sid], _grade_text(merged[sid], out_of), _moodle_comment(merged[sid]), "")
            for sid in order
            if students[sid].platform_id and sid not in pending
        ]
        _atomic_write(
            folder / "moodle-grading-worksheet.csv", moodle_worksheet(mrows, maximum, stamp)
        )
        page_name = f"feedback-{re.sub(r'[^A-Za-z0-9.-]+', '-', set_id)}.html"
        files = {
            f"{moodle_feedback_folder(students[sid])}/{page_name}": pages[sid]
            for sid in pages
            if students[sid].platform_id
        }
        write_zip(folder / "moodle-feedback.zip", files)
        done.files["grades"] = folder / "moodle-grading-worksheet.csv"
        done.files["feedback"] = folder / "moodle-feedback.zip"
    return done
