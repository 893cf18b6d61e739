"""Grading results and the files they are written to.

* ``journal.jsonl``: one JSON line per graded submission, appended (and flushed to disk) as each finishes; a
  re-run reads it and skips what is already graded.
* ``gradebook.csv``: one row per submission and question: ``submission, question, points, max_points,
  status, message``.
* ``summary.csv``: one row per submission with the total.
* ``manual.csv``: the written answers to grade by hand, with their rubric (only when the set has some).
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
    """

    question: str
    points: float | None
    max_points: float
    status: str
    message: str
    details: list[str] = field(default_factory=list)
    written: str | None = None

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
        """Points earned so far (written answers not yet graded count 0)."""
        return round(sum(q.points or 0.0 for q in self.questions), 4)

    @property
    def max_points(self) -> float:
        """Points of the whole set."""
        return round(sum(q.max_points for q in self.questions), 4)

    @property
    def manual_pending(self) -> float:
        """Points of written answers still to be graded by hand."""
        return round(sum(q.max_points for q in self.questions if q.status == "manual"), 4)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the journal's format)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SubmissionResult:
        """Rebuild a result from :meth:`to_dict`'s output."""
        questions = [QuestionResult(**q) for q in data["questions"]]
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


def write_summary(results: Iterable[SubmissionResult], path: Path) -> None:
    """Write ``summary.csv``: one row per submission with its total."""
    rows = []
    for r in sorted(results, key=lambda r: r.submission):
        percent = 100.0 * r.points / r.max_points if r.max_points else 0.0
        statuses = " ".join(f"{q.question}={q.status}" for q in r.questions)
        rows.append(
            [
                r.submission,
                fmt_points(r.points),
                fmt_points(r.max_points),
                f"{percent:.1f}",
                fmt_points(r.manual_pending),
                statuses,
                " | ".join(r.notes),
                f"{r.seconds:.2f}",
            ]
        )
    _atomic_write(path, _csv_text(SUMMARY_COLUMNS, rows))


def write_renamed(renamed: dict[str, Path], path: Path) -> None:
    """Write ``renamed.csv``: the submissions whose file name could not serve as their id (``submission, file``).

    The file name is shown with undecodable bytes as ``\\xNN`` escapes.
    """
    rows = [
        [sid, os.fsencode(Path(p).name).decode("utf-8", "backslashreplace")]
        for sid, p in sorted(renamed.items())
    ]
    _atomic_write(path, _csv_text(["submission", "file"], rows))


def write_manual(results: Iterable[SubmissionResult], rubrics: dict[str, str], path: Path) -> None:
    """Write ``manual.csv``: the written answers awaiting hand grading, with each question's rubric.

    Columns: ``submission, question, max_points, status, rubric, answer`` (``points`` is left for the grader
    to fill in).
    """
    rows = []
    for r in sorted(results, key=lambda r: r.submission):
        for q in r.questions:
            if q.question in rubrics:
                rows.append(
                    [
                        r.submission,
                        q.question,
                        fmt_points(q.max_points),
                        q.status,
                        "",
                        rubrics[q.question],
                        q.written or "",
                    ]
                )
    _atomic_write(
        path,
        _csv_text(
            ["submission", "question", "max_points", "status", "points", "rubric", "answer"], rows
        ),
    )


# ---- feedback ----------------------------------------------------------------------------------------------

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 52rem; margin: 2rem auto;
       padding: 0 1rem; color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } .sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: .5rem .6rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.pts { white-space: nowrap; }
.passed { color: #1b7837; } .partial { color: #b35806; } .failed, .error, .timeout, .missing { color: #b2182b; }
.not_attempted, .manual { color: #555; } .tampered { color: #762a83; }
ul { margin: .2rem 0; padding-left: 1.2rem; } .written { white-space: pre-wrap; background: #f8f8f8;
     padding: .4rem; border-left: 3px solid #ccc; }
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
    the rubric of written answers.
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
