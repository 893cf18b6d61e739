"""Grading results and the files they are written to.

* ``journal.jsonl``: one JSON line per graded submission, appended (and flushed to disk) as each finishes; a
  re-run reads it and skips what is already graded.
* ``gradebook.csv``: one row per submission and question: ``submission, question, points, max_points,
  status, message``.
* ``summary.csv``: one row per submission with the total. While written answers wait for hand grading,
  ``percent`` is left empty (it would count them as 0): ``percent_so_far`` gives the share of the points graded
  so far, ``manual_pending`` the points waiting, and the notes say so.
* ``manual.csv``: the written answers to grade by hand, with their rubric (only when the set has some). The
  instructor fills in ``points`` and ``comment``; a re-run keeps what was typed (:func:`write_manual`).
* ``run.json``: the set graded (id, title), for ``coursekit finalize``.
* ``feedback/<submission>.html``: the student's feedback: per question the verdict, the points and the
  hidden tests' messages (never their code).
* optionally a JUnit XML file for CI.

The CSV files are rewritten (atomically) after every submission, so they always reflect what is graded.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import os
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from coursekit.messages import language, msg

STATUSES = (
    "passed",
    "partial",
    "failed",
    "not_attempted",
    "error",
    "timeout",
    "tampered",
    "missing",
    "manual",
    "wrong_set",
)
"""Every status a gradebook row can have."""

VERDICTS = {
    "passed": "status.passed",
    "partial": "status.partial",
    "failed": "status.failed",
    "not_attempted": "status.not_attempted",
    "error": "status.error",
    "timeout": "status.timeout",
    "tampered": "status.tampered",
    "missing": "status.missing",
    "manual": "status.manual",
    "wrong_set": "status.wrong_set",
}
"""The message key of each status's label on the feedback page (see :func:`verdict`)."""


def verdict(status: str) -> str:
    """The label a student reads for a status, e.g. ``"Partly correct"`` (in the current language)."""
    return msg(VERDICTS[status])


GRADEBOOK_COLUMNS = ["submission", "question", "points", "max_points", "status", "message"]
SUMMARY_COLUMNS = [
    "submission",
    "points",
    "max_points",
    "percent",
    "percent_so_far",
    "manual_pending",
    "statuses",
    "notes",
    "seconds",
]


@dataclass
class QuestionResult:
    """The grade of one question of one submission.

    Attributes
    ----------
    question : str
        The question id.
    points : float or None
        Points earned (None for a written answer awaiting hand grading).
    max_points : float
        Points the question is worth.
    status : str
        One of :data:`STATUSES`.
    message : str
        One line for the gradebook.
    details : list of str
        The feedback lines shown to the student (test messages, notes).
    written : str or None
        For a written answer: the student's text.
    comment : str or None
        The instructor's comment to the student (from ``manual.csv`` or ``overrides.csv``, set by
        ``coursekit finalize``).
    by_hand : bool
        The points were given or changed by the instructor (``coursekit finalize``).
    """

    question: str
    points: float | None
    max_points: float
    status: str
    message: str
    details: list[str] = field(default_factory=list)
    written: str | None = None
    comment: str | None = None
    by_hand: bool = False

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}; use one of {', '.join(STATUSES)}")


@dataclass
class SubmissionResult:
    """The grades of one submission.

    Attributes
    ----------
    submission : str
        The submission's id (its file name without ``.ipynb``).
    path : str
        The file graded.
    sha256 : str
        The file's SHA-256, to notice a changed file when resuming.
    questions : list of QuestionResult
    notes : list of str
        Remarks about the whole notebook (e.g. a changed setup cell, a cell of the student's own that failed).
    seconds : float
        How long grading it took.
    """

    submission: str
    path: str
    sha256: str
    questions: list[QuestionResult]
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def points(self) -> float:
        """Points earned so far (written answers not yet graded add nothing: see :attr:`percent`)."""
        return round(sum(q.points or 0.0 for q in self.questions), 4)

    @property
    def max_points(self) -> float:
        """Points of the whole set."""
        return round(sum(q.max_points for q in self.questions), 4)

    @property
    def manual_pending(self) -> float:
        """Points of written answers still to be graded by hand (no points given yet)."""
        return round(
            sum(q.max_points for q in self.questions if q.status == "manual" and q.points is None),
            4,
        )

    @property
    def percent(self) -> float | None:
        """The grade in percent, or None while written answers wait for hand grading (never counted as 0)."""
        if self.manual_pending or not self.max_points:
            return None if self.manual_pending else 0.0
        return 100.0 * self.points / self.max_points

    @property
    def percent_so_far(self) -> float | None:
        """The share of the points graded so far, in percent (None when nothing is graded yet)."""
        graded = self.max_points - self.manual_pending
        return 100.0 * self.points / graded if graded > 0 else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the journal's format)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SubmissionResult:
        """Rebuild a result from :meth:`to_dict`'s output."""
        known = set(QuestionResult.__dataclass_fields__)
        questions = [
            QuestionResult(**{k: v for k, v in q.items() if k in known}) for q in data["questions"]
        ]
        return cls(
            submission=data["submission"],
            path=data["path"],
            sha256=data["sha256"],
            questions=questions,
            notes=list(data.get("notes", [])),
            seconds=float(data.get("seconds", 0.0)),
        )


def fmt_points(value: float | None) -> str:
    """Points as written in the CSV files: ``2``, ``1.5``, ``0.67``; empty for None."""
    if value is None:
        return ""
    value = round(float(value), 2)
    return f"{value:g}"


def _atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a short temporary name (so a long file name still fits in 255 bytes).

    Characters that UTF-8 cannot hold (lone surrogates from a student's text) are written as ``?``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tag = hashlib.sha256(os.fsencode(path.name)).hexdigest()[:12]
    tmp = path.with_name(f".tmp-{tag}.{os.getpid()}.{threading.get_ident()}")
    tmp.write_text(text, encoding="utf-8", errors="replace")
    os.replace(tmp, path)


#: First characters that make a spreadsheet read a cell as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: Any) -> Any:
    """A CSV cell that no spreadsheet runs as a formula: text starting with ``= + - @``, a tab or a carriage
    return gets a leading ``'`` (numbers are left alone; ``-1.5`` points is not text)."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        try:
            float(cell)
            return cell
        except ValueError:
            return "'" + cell
    return cell


def _csv_text(columns: list[str], rows: Iterable[list[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([neutralise(c) for c in row] for row in rows)
    return buf.getvalue()


# ---- the journal -------------------------------------------------------------------------------------------


class Journal:
    """An append-only JSON-lines record of finished submissions, for resuming an interrupted run.

    Parameters
    ----------
    path : pathlib.Path
        The journal file (``OUT/journal.jsonl``).
    run_key : str
        Identifies what the grades depend on (source notebook, grader version, limits); entries written
        under another key are ignored, so changing the source or the options re-grades everything.
    """

    def __init__(self, path: Path, run_key: str) -> None:
        self.path = Path(path)
        self.run_key = run_key

    def load(self) -> dict[str, SubmissionResult]:
        """The results recorded under this run key, by submission id (the last entry wins).

        A line that is not valid JSON (e.g. cut short when a run was killed) is skipped.
        """
        out: dict[str, SubmissionResult] = {}
        if not self.path.exists():
            return out
        with open(self.path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                try:
                    entry = json.loads(line)
                    if entry.get("run_key") != self.run_key:
                        continue
                    result = SubmissionResult.from_dict(entry["result"])
                    if not isinstance(result.submission, str):
                        continue
                except Exception:  # noqa: BLE001 - a damaged or foreign line is skipped, never fatal
                    continue
                out[result.submission] = result
        return out

    def append(self, result: SubmissionResult) -> None:
        """Append one result and flush it to disk before returning."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"run_key": self.run_key, "result": result.to_dict()}, ensure_ascii=False)
        with open(self.path, "a", encoding="utf-8", errors="replace") as fh:
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def reset(self) -> None:
        """Forget every recorded result."""
        if self.path.exists():
            self.path.unlink()


# ---- CSV files ---------------------------------------------------------------------------------------------


def gradebook_rows(results: Iterable[SubmissionResult]) -> list[list[str]]:
    """The gradebook's rows (without the header), sorted by submission then question order."""
    rows = []
    for r in sorted(results, key=lambda r: r.submission):
        for q in r.questions:
            rows.append(
                [
                    r.submission,
                    q.question,
                    fmt_points(q.points),
                    fmt_points(q.max_points),
                    q.status,
                    q.message,
                ]
            )
    return rows


def write_gradebook(results: Iterable[SubmissionResult], path: Path) -> None:
    """Write ``gradebook.csv``: ``submission, question, points, max_points, status, message``."""
    _atomic_write(path, _csv_text(GRADEBOOK_COLUMNS, gradebook_rows(results)))


def fmt_percent(value: float | None) -> str:
    """A percentage as written in the CSV files (``40.0``); empty for None."""
    return "" if value is None else f"{value:.1f}"


def pending_note(result: SubmissionResult) -> str:
    """The sentence saying that written answers wait for hand grading, or ``""`` when none do."""
    if not result.manual_pending:
        return ""
    return msg("summary.pending", points=fmt_points(result.manual_pending))


def write_summary(
    results: Iterable[SubmissionResult],
    path: Path,
    not_graded: Iterable[tuple[str, str]] = (),
) -> None:
    """Write ``summary.csv``: one row per submission with its total.

    ``not_graded`` adds a row per student none of whose files was graded (``(submission id, notes)`` from the
    intake, e.g. only an ``.html`` export handed in): no points, ``statuses`` ``not_graded``, the reason in
    ``notes``.

    While written answers wait for hand grading, ``percent`` is empty (never a grade that counts them as 0),
    ``percent_so_far`` is the share of the points graded so far, and the notes begin with a sentence saying
    how many points are pending.
    """
    rows = []
    for r in sorted(results, key=lambda r: r.submission):
        statuses = " ".join(f"{q.question}={q.status}" for q in r.questions)
        notes = [n for n in (pending_note(r), *r.notes) if n]
        rows.append(
            [
                r.submission,
                fmt_points(r.points),
                fmt_points(r.max_points),
                fmt_percent(r.percent),
                fmt_percent(r.percent_so_far),
                fmt_points(r.manual_pending),
                statuses,
                " | ".join(notes),
                f"{r.seconds:.2f}",
            ]
        )
    graded = {row[0] for row in rows}
    for sid, why in sorted(not_graded):
        if sid not in graded:
            rows.append([sid, "", "", "", "", "", "not_graded", why, ""])
    rows.sort(key=lambda row: row[0])
    _atomic_write(path, _csv_text(SUMMARY_COLUMNS, rows))


def write_run(path: Path, set_id: str, title: str) -> None:
    """Write ``run.json``: which set was graded (read by ``coursekit finalize`` for the pages and file names)."""
    _atomic_write(
        path, json.dumps({"set_id": set_id, "title": title}, ensure_ascii=False, indent=1) + "\n"
    )


def write_renamed(renamed: dict[str, Path], path: Path) -> None:
    """Write ``renamed.csv``: the submissions whose file name could not serve as their id (``submission, file``).

    The file name is shown with undecodable bytes as ``\\xNN`` escapes.
    """
    rows = [
        [sid, os.fsencode(Path(p).name).decode("utf-8", "backslashreplace")]
        for sid, p in sorted(renamed.items())
    ]
    _atomic_write(path, _csv_text(["submission", "file"], rows))


MANUAL_COLUMNS = [
    "submission",
    "question",
    "max_points",
    "status",
    "points",
    "comment",
    "review",
    "rubric",
    "answer",
]
"""The columns of ``manual.csv``: the instructor fills in ``points`` and ``comment`` (shown to the student);
``review`` flags a row whose answer changed after it was graded by hand (clear it once checked)."""


def read_csv_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The header and rows of a CSV file as a spreadsheet may save it: UTF-8 with or without a byte-order mark,
    or Windows-1252 (what Excel's plain "CSV" format writes). Raises ``OSError`` when the file is unreadable."""
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = [{k: (v or "") for k, v in row.items() if k is not None} for row in reader]
    return list(reader.fieldnames or []), rows


def _earlier_manual(path: Path) -> dict[tuple[str, str], dict[str, str]]:
    """The rows of an existing ``manual.csv`` by (submission, question); empty when there is none to read."""
    try:
        _, rows = read_csv_rows(path)
    except (OSError, csv.Error):
        return {}
    return {(r.get("submission", ""), r.get("question", "")): r for r in rows}


def write_manual(results: Iterable[SubmissionResult], rubrics: dict[str, str], path: Path) -> None:
    """Write ``manual.csv``: the written answers awaiting hand grading, with each question's rubric.

    Columns: :data:`MANUAL_COLUMNS`. What an instructor already typed into the file at ``path`` is kept: the
    ``points``, ``comment`` and ``review`` of each (submission, question) are carried over, and rows of
    submissions not (yet) in ``results`` are kept as they are, so a re-run of ``coursekit grade`` never loses
    hand grading. When the answer of a row that was already graded has changed, its ``review`` column says so.
    """
    earlier = _earlier_manual(path)
    rows: list[list[str]] = []
    seen: set[str] = set()
    for r in sorted(results, key=lambda r: r.submission):
        seen.add(r.submission)
        for q in r.questions:
            if q.question not in rubrics:
                continue
            answer = q.written or ""
            old = earlier.get((r.submission, q.question), {})
            points, comment, review = (old.get(k, "") for k in ("points", "comment", "review"))
            graded = bool(points.strip() or comment.strip())
            if graded and not review and old.get("answer", "") != neutralise(answer):
                review = msg("manual.answer_changed")
            rows.append(
                [
                    r.submission,
                    q.question,
                    fmt_points(q.max_points),
                    q.status,
                    points,
                    comment,
                    review,
                    rubrics[q.question],
                    answer,
                ]
            )
    for (sid, _qid), old in earlier.items():
        if sid and sid not in seen:
            rows.append([old.get(c, "") for c in MANUAL_COLUMNS])
    rows.sort(key=lambda row: (row[0], row[1]))
    # cells carried over were neutralised when first written; neutralise() leaves them as they are
    _atomic_write(path, _csv_text(MANUAL_COLUMNS, rows))


# ---- feedback ----------------------------------------------------------------------------------------------

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 52rem; margin: 2rem auto;
       padding: 0 1rem; color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } .sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: .5rem .6rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.pts { white-space: nowrap; }
.passed { color: #1b7837; } .partial { color: #b35806; } .failed, .error, .timeout, .missing, .wrong_set { color: #b2182b; }
.not_attempted, .manual { color: #555; } .tampered { color: #762a83; }
ul { margin: .2rem 0; padding-left: 1.2rem; } .written { white-space: pre-wrap; background: #f8f8f8;
     padding: .4rem; border-left: 3px solid #ccc; }
.comment { white-space: pre-wrap; background: #eef4fb; padding: .4rem; border-left: 3px solid #2166ac;
     margin-top: .3rem; }
.total { font-size: 1.15rem; font-weight: 600; }
"""


_HEADS = (
    "feedback.head.question",
    "feedback.head.result",
    "feedback.head.points",
    "feedback.head.feedback",
)


def feedback_html(result: SubmissionResult, title: str, set_id: str) -> str:
    """The student's feedback page for one submission (a self-contained HTML document).

    It shows per question the verdict, the points and the hidden tests' messages; never the tests' code nor
    the rubric of written answers. After ``coursekit finalize`` it also shows the points given by hand and the
    instructor's comment.
    """
    e = html.escape
    pending = result.manual_pending
    total = msg(
        "feedback.total", points=fmt_points(result.points), max_points=fmt_points(result.max_points)
    )
    if pending:
        total += msg("feedback.pending", points=fmt_points(pending))
    rows = []
    for q in result.questions:
        items = "".join(f"<li>{e(d)}</li>" for d in q.details)
        body = f"<ul>{items}</ul>" if items else ""
        if q.written is not None and q.status in ("manual", "not_attempted"):
            body += f'<div class="written">{e(q.written)}</div>'
        if q.by_hand and q.status != "manual":
            body += f"<p>{e(msg('feedback.adjusted'))}</p>"
        if q.comment:
            label = e(msg("feedback.comment"))
            body += f'<div class="comment"><strong>{label}</strong> {e(q.comment)}</div>'
        pts = "–" if q.points is None else fmt_points(q.points)
        rows.append(
            f'<tr><td>{e(q.question)}</td><td class="{e(q.status)}">{e(verdict(q.status))}</td>'
            f'<td class="pts">{pts} / {fmt_points(q.max_points)}</td><td>{body}</td></tr>'
        )
    notes = ""
    if result.notes:
        notes = (
            f"<h2>{e(msg('feedback.about'))}</h2><ul>"
            + "".join(f"<li>{e(n)}</li>" for n in result.notes)
            + "</ul>"
        )
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    page_title = msg("feedback.title", title=e(title), submission=e(result.submission))
    heads = "".join(f"<th>{e(msg(key))}</th>" for key in _HEADS)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{e(language())}"><head><meta charset="utf-8"><title>{page_title}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_CSS}</style></head><body>'
        f"<h1>{e(title)}</h1>"
        f'<p class="sub">{msg("feedback.subtitle", set_id=e(set_id), submission=e(result.submission))}</p>'
        f'<p class="total">{e(total)}</p>'
        f"<table><thead><tr>{heads}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>{notes}"
        f'<p class="sub">{msg("feedback.footer", stamp=stamp, manual=verdict("manual"))}</p>'
        "</body></html>\n"
    )


def write_feedback(result: SubmissionResult, title: str, set_id: str, folder: Path) -> Path:
    """Write ``folder/<submission>.html`` and return its path."""
    path = Path(folder) / f"{result.submission}.html"
    _atomic_write(path, feedback_html(result, title, set_id))
    return path


# ---- JUnit -------------------------------------------------------------------------------------------------


def write_junit(results: Iterable[SubmissionResult], path: Path, set_id: str) -> None:
    """Write a JUnit XML report: one test suite per submission, one test case per question.

    ``passed`` is a success; ``manual`` is skipped (graded by hand); ``error`` and ``timeout`` are errors;
    every other status is a failure.
    """
    suites = ET.Element("testsuites", name=f"coursekit grade {set_id}")
    for r in sorted(results, key=lambda r: r.submission):
        suite = ET.SubElement(suites, "testsuite", name=r.submission, time=f"{r.seconds:.3f}")
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for q in r.questions:
            counts["tests"] += 1
            case = ET.SubElement(
                suite, "testcase", classname=f"{set_id}.{r.submission}", name=q.question
            )
            text = "\n".join(q.details)
            if q.status == "manual":
                ET.SubElement(case, "skipped", message="graded by hand")
                counts["skipped"] += 1
            elif q.status in ("error", "timeout"):
                ET.SubElement(case, "error", message=q.message, type=q.status).text = text
                counts["errors"] += 1
            elif q.status != "passed":
                ET.SubElement(case, "failure", message=q.message, type=q.status).text = text
                counts["failures"] += 1
        for k, v in counts.items():
            suite.set(k, str(v))
    tree = ET.ElementTree(suites)
    ET.indent(tree)
    buf = io.StringIO()
    tree.write(buf, encoding="unicode")
    text = _XML_INVALID.sub("\ufffd", buf.getvalue())
    _atomic_write(Path(path), "<?xml version='1.0' encoding='utf-8'?>\n" + text)


#: Characters XML 1.0 cannot hold (control characters, lone surrogates), replaced in the JUnit report.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
