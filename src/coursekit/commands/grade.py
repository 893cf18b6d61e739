"""``coursekit grade``: grade student notebooks into a gradebook, a summary and per-student feedback.

Exit status: 0 when grading ran (whatever the students scored, and whatever one submission did to the grader:
that becomes its ``error`` rows); 2 when the grader could not run (unreadable or malformed source, bad
arguments, unusable sandbox, no kernel, a reference solution that fails here); 130 when interrupted (Ctrl-C or
SIGTERM): what was graded stays in the journal and a re-run resumes.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from coursekit.grading.grader import GradingSetupError, Options, Progress, grade
from coursekit.grading.kernel import Limits

HELP = "grade student notebooks of one exercise set into a gradebook, a summary and per-student feedback"


def _default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _positive(kind: type) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
        return value

    return parse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``coursekit grade``."""
    defaults = Limits()
    parser.add_argument(
        "source",
        type=Path,
        help="the exercise source notebook, e.g. exercises/01-alliance-concepts.ipynb",
    )
    parser.add_argument(
        "submissions", type=Path, nargs="+",
        help="student .ipynb files and/or folders of them, or a learning platform's download as it is "
        "(a Canvas submissions .zip or folder, a Moodle 'Download all submissions' .zip or folder)",
    )  # fmt: skip
    parser.add_argument(
        "--lms", choices=["auto", "canvas", "moodle", "plain"], default="auto",
        help="where the submissions come from: canvas or moodle (student ids and names read from the file "
        "names, one notebook graded per student, the latest), plain (a submission is a file), or auto "
        "(default: recognised by the file names when they all follow one platform's rule)",
    )  # fmt: skip
    parser.add_argument(
        "--roster", type=Path, default=None,
        help="roster.csv mapping the platform's ids to your student ids: columns student_id (the submission "
        "id in every output), canvas_id or moodle_id (or platform_id), and optionally name, email, "
        "sis_login_id, section",
    )  # fmt: skip
    parser.add_argument(
        "--release", type=Path, action="append", default=[], metavar="INSTRUCTOR_COPY",
        help="the instructor copy of an earlier release (RELEASE/instructor/NN-slug.ipynb written by coursekit "
        "release); submissions stamped with that release are graded against it. Repeatable",
    )  # fmt: skip
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        help="output folder (gradebook.csv, summary.csv, feedback/)",
    )
    parser.add_argument(
        "--jobs",
        type=_positive(int),
        default=_default_jobs(),
        help="submissions graded at once (default: the CPU cores)",
    )
    parser.add_argument(
        "--timeout", type=_positive(float), default=defaults.timeout,
        help=f"seconds one submission may take in all (default {defaults.timeout:g})",
    )  # fmt: skip
    parser.add_argument(
        "--cell-timeout", type=_positive(float), default=defaults.cell_timeout,
        help=f"seconds one cell or function call may run (default {defaults.cell_timeout:g})",
    )  # fmt: skip
    parser.add_argument(
        "--memory-mb", type=_positive(int), default=defaults.memory_mb,
        help=f"memory one kernel may allocate, MB (default {defaults.memory_mb})",
    )  # fmt: skip
    parser.add_argument(
        "--file-mb", type=_positive(int), default=defaults.file_mb,
        help=f"largest file a kernel may write, MB (default {defaults.file_mb})",
    )  # fmt: skip
    parser.add_argument(
        "--junit", type=Path, default=None, help="also write a JUnit XML report to this file"
    )
    parser.add_argument(
        "--sandbox", choices=["auto", "bwrap", "none"], default="auto",
        help="isolation: bwrap (bubblewrap: no network, private read-only file system, unprivileged user), "
        "none (resource limits only: for trusted notebooks only, it prints a warning), "
        "auto (bwrap when it works here, else none)",
    )  # fmt: skip
    parser.add_argument(
        "--kernels", choices=["auto", "warm", "fresh"], default="auto",
        help="warm: fork each submission's kernel from a pre-warmed process per job, isolated as a fresh one "
        "(needs the bwrap sandbox with user namespaces); fresh: start a new kernel per submission; "
        "auto (default): warm where this machine allows it, else fresh (the run says which)",
    )  # fmt: skip
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="grade everything again instead of resuming from OUT/journal.jsonl",
    )
    parser.add_argument(
        "--dask", metavar="SCHEDULER_ADDRESS|local[:N]", default=None,
        help="grade on a Dask cluster, one task per submission: a scheduler address (tcp://host:8786), or "
        "local[:N] for a local cluster of N worker processes (default: --jobs); needs coursekit[cluster]",
    )  # fmt: skip


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    """Grade; print where the results are. Return 0 when grading ran, 2 when it could not."""
    limits = Limits(
        cell_timeout=args.cell_timeout,
        timeout=max(args.timeout, args.cell_timeout),
        memory_mb=args.memory_mb,
        file_mb=args.file_mb,
    )
    options = Options(
        jobs=args.jobs,
        limits=limits,
        sandbox=args.sandbox,
        junit=args.junit,
        fresh=args.fresh,
        kernels=args.kernels,
        lms=args.lms,
        roster=args.roster,
        releases=list(args.release),
    )
    if args.dask is not None:  # imported only here: local grading never imports Dask
        from coursekit.grading.cluster import DaskDispatch

        try:
            options.dispatch = DaskDispatch(args.dask, jobs=args.jobs, kernels=args.kernels)
        except ValueError as exc:
            print(f"coursekit grade: error: {exc}", file=sys.stderr)
            return 2

    def log(msg: str) -> None:
        print(f"coursekit grade: {msg}", file=sys.stderr)

    progress = Progress(0, enabled=sys.stderr.isatty())
    previous = None
    if threading.current_thread() is threading.main_thread():
        # SIGTERM (e.g. from a batch system) stops grading like Ctrl-C: kernels killed, the journal kept
        previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        report = grade(args.source, args.submissions, args.out, options, progress=progress, log=log)
    except GradingSetupError as exc:
        print(f"coursekit grade: error: {exc}", file=sys.stderr)
        return 2
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    statuses: dict[str, int] = {}
    for r in report.results.values():
        for q in r.questions:
            statuses[q.status] = statuses.get(q.status, 0) + 1
    counts = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))
    rate = report.graded / report.seconds * 60 if report.seconds > 0 else 0.0
    print(
        f"Graded {report.graded} submission(s) ({report.resumed} resumed) in {report.seconds:.1f} s "
        f"({rate:.0f}/min, {report.jobs} job(s), sandbox {report.sandbox}, kernels {report.kernels}). Questions: {counts}.\n"
        f"Gradebook: {args.out / 'gradebook.csv'}  Summary: {args.out / 'summary.csv'}  "
        f"Feedback: {args.out / 'feedback'}/"
    )
    if report.intake is not None and any(e.action != "graded" for e in report.intake.entries):
        print(f"Files not graded, with the reason: {args.out / 'intake.csv'}")
    return 0
