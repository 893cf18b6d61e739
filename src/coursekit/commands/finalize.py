"""``coursekit finalize OUT --lms canvas|moodle``: hand grades and overrides merged into the grader's results,
and the platform's grade-import file and feedback bundle written (see ``coursekit.grading.finalize``).

Exit status: 0 when the files were written; 1 when the instructor's files have problems (each listed with its
file, row and column) or written answers are still without points (unless ``--partial``); 2 for bad arguments
or a folder without grading results.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = (
    "merge hand-graded points (manual.csv) and overrides into the grades of OUT and write the grade-import "
    "file and feedback bundle for Canvas or Moodle"
)


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``coursekit finalize``."""
    parser.add_argument("out", type=Path, help="the output folder of coursekit grade (--out)")
    parser.add_argument(
        "--lms",
        choices=["canvas", "moodle"],
        required=True,
        help="the platform to write the files for",
    )
    parser.add_argument(
        "--manual", type=Path, default=None,
        help="the hand grades: manual.csv with points (and comments) filled in (default: OUT/manual.csv)",
    )  # fmt: skip
    parser.add_argument(
        "--overrides", type=Path, default=None,
        help="points changed by hand: a CSV file with submission, question, points, reason[, comment]",
    )  # fmt: skip
    parser.add_argument(
        "--roster", type=Path, default=None,
        help="the roster given to coursekit grade --roster (student_id, name, email, sis_login_id, section ...): "
        "the students' names and ids in the import file",
    )  # fmt: skip
    parser.add_argument(
        "--partial", action="store_true",
        help="write the files although some written answers have no points yet: those students get no grade "
        "(the platform keeps what it has) and no feedback file, and they are listed",
    )  # fmt: skip
    parser.add_argument(
        "--assignment", default=None,
        help="Canvas: the assignment column, best 'Title (id)' with the assignment's Canvas id "
        "(default: the set's title, which Canvas matches by name)",
    )  # fmt: skip
    parser.add_argument(
        "--out-of", type=_positive, default=None,
        help="the assignment's maximum grade in the platform, when it is not the set's points "
        "(grades are scaled to it)",
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """Finalize; print where the files are. 0 written, 1 problems in the instructor's files, 2 no results."""
    from coursekit.grading.finalize import FinalizeError, finalize, load_results

    out: Path = args.out
    try:
        load_results(out)
    except FinalizeError as exc:
        print(f"coursekit finalize: error: {exc}", file=sys.stderr)
        return 2
    try:
        done = finalize(
            out, args.lms, manual=args.manual, overrides=args.overrides, partial=args.partial,
            assignment=args.assignment, out_of=args.out_of, roster=args.roster,
        )  # fmt: skip
    except FinalizeError as exc:
        print(f"coursekit finalize: {exc}", file=sys.stderr)
        return 1
    for line in done.warnings:
        print(f"coursekit finalize: warning: {line}", file=sys.stderr)
    complete = len(done.results) - len(done.pending)
    print(
        f"Finalized {complete} of {len(done.results)} submission(s) for {args.lms}"
        + (
            f" ({len(done.pending)} left empty: written answers without points)"
            if done.pending
            else ""
        )
        + f".\nGrades to import: {done.files['grades']}\nFeedback bundle: {done.files['feedback']}\n"
        f"Record: {done.files['record']}  Feedback pages: {out / 'feedback'}/"
    )
    return 0
