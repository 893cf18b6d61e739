"""The batch grader: grade a folder of submissions of one exercise set, in parallel, each in its own kernel.

For each submission the grader

1. reads the notebook (:mod:`coursekit.grading.intake`; an unreadable one gets ``error`` rows saying why);
2. lines it up with the released student edition (:mod:`coursekit.grading.reconcile`): restores changed
   given lines and check cells, re-inserts deleted cells, recovers cells whose metadata was stripped;
3. starts a fresh kernel under OS limits (:mod:`coursekit.grading.kernel`) and runs the cells in order, each
   with a time limit;
4. after each question's cells, asks the kernel for the answer's value as plain data
   (:mod:`coursekit.grading.export`) and runs the hidden tests on it in the grader's own process
   (:mod:`coursekit.grading.judge`, :mod:`coursekit.grading.hidden`); for a function question the tests call
   the student's function through the kernel;
5. records one result per question.

:func:`grade` runs this over many submissions with a thread pool (each thread drives one kernel process at a
time), appends each result to the journal as it finishes and rewrites the gradebook, summary and feedback.
Whatever goes wrong while one submission is graded becomes that submission's ``error`` rows: only a machine that
cannot start kernels (:class:`GraderFailure`) or a bad source stops the run.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import nbformat

from coursekit import __version__
from coursekit.exercises.format import ExerciseSet, FormatError, load_source, make_student_edition
from coursekit.grading.hidden import HiddenTest, HiddenTestsError, compile_tests
from coursekit.grading.intake import display_name, read_submission, shown_path, submission_id
from coursekit.grading.judge import (
    SETUP_TIMEOUT,
    GraderFailure,
    SubmissionRun,
    fault_text,
    is_untouched,
    non_finite,
)
from coursekit.grading.kernel import Kernel, KernelStartError, Limits, resolve_sandbox
from coursekit.grading.lms import (
    Intake,
    IntakeError,
    collect,
    collect_submissions,
    describe,
    other_set_release,
    stamp_warnings,
    write_intake,
)
from coursekit.grading.reconcile import (
    Released,
    foreign_set,
    index_release,
    is_blank_written,
    reconcile,
    release_changes,
    submission_stamp,
)
from coursekit.grading.results import (
    Journal,
    QuestionResult,
    SubmissionResult,
    write_feedback,
    write_gradebook,
    write_junit,
    write_manual,
    write_renamed,
    write_run,
    write_summary,
)
from coursekit.grading.warm import WarmKernel, WarmPool, resolve_kernels, setup_imports
from coursekit.messages import msg

__all__ = [
    "SETUP_TIMEOUT",
    "Context",
    "GraderFailure",
    "GradingSetupError",
    "Limits",
    "Options",
    "Progress",
    "RunReport",
    "cleanup",
    "collect_submissions",
    "grade",
    "grade_file",
    "grade_notebook",
    "is_untouched",
    "non_finite",
    "prepare",
    "preflight",
    "read_submission",
    "submission_id",
]

#: Largest submission file read (bytes): a notebook is text; a bigger file is reported, not read into memory.
MAX_SUBMISSION_BYTES = 256 * 1024 * 1024
#: Data folders up to this size are copied into each submission's working folder (``none`` sandbox).
COPY_DATA_MAX_BYTES = 64 * 1024 * 1024


NO_ISOLATION_WARNING = (
    "warning: grading WITHOUT isolation (sandbox none): a submission can read every file this user can read, "
    "the exercise source with its solutions included, use the network and signal your processes. Use it only "
    "for trusted notebooks, or inside a container or virtual machine; install bubblewrap for --sandbox bwrap."
)


class GradingSetupError(RuntimeError):
    """The grader cannot run (bad source, bad arguments, broken environment); the message says how to fix it."""


@dataclass
class Options:
    """How to grade.

    Attributes
    ----------
    jobs : int
        Submissions graded at once (each uses one kernel process).
    limits : Limits
        Time, memory and file limits per submission.
    sandbox : {"auto", "bwrap", "none"}
        Isolation mode (see :func:`coursekit.grading.kernel.resolve_sandbox`).
    junit : pathlib.Path or None
        Where to write a JUnit XML report.
    fresh : bool
        Ignore the journal of an earlier run and grade everything again.
    preflight : bool
        First grade the reference solution and stop if it does not earn full marks (a broken environment
        would otherwise produce wrong grades for everyone).
    dispatch : Dispatch or None
        Where each submission is graded: None for this machine's thread pool (``jobs`` at once), or e.g. a
        :class:`coursekit.grading.cluster.DaskDispatch` for a Dask cluster.
    kernels : {"auto", "warm", "fresh"}
        ``warm``/``auto``: fork each kernel from a pre-warmed process per job, isolated as a fresh one
        (:mod:`coursekit.grading.warm`), where the machine allows it; else, and with ``fresh``, start a new
        kernel per submission.
    """

    jobs: int = 1
    limits: Limits = field(default_factory=Limits)
    sandbox: str = "auto"
    junit: Path | None = None
    fresh: bool = False
    preflight: bool = True
    dispatch: Dispatch | None = None
    kernels: str = "auto"
    #: Where the submissions come from: "auto", "canvas", "moodle" or "plain" (see coursekit.grading.lms).
    lms: str = "auto"
    #: roster.csv mapping the platform's ids to the course's student ids (see coursekit.grading.lms).
    roster: Path | None = None
    #: Instructor copies of earlier releases (``coursekit release``'s ``instructor/NN-slug.ipynb``): a
    #: submission stamped with one of them is graded against it.
    releases: list[Path] = field(default_factory=list)


@dataclass
class Context:
    """Everything shared by the submissions of one grading run (read-only once built)."""

    exercise: ExerciseSet
    released: Released
    tests: dict[str, list[HiddenTest]]
    limits: Limits
    sandbox: str
    tmp: Path
    seed: Path | None
    data: Path | None
    bib: Path | None
    copy_data: bool
    stop: threading.Event = field(default_factory=threading.Event)
    live: set[Kernel] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: list[int] = field(default_factory=lambda: [0])
    #: Questions whose reference answer itself holds NaN or infinity (from the preflight): only there may a
    #: student's answer hold one too.
    non_finite_ok: set[str] = field(default_factory=set)
    #: The pre-warmed processes (None: a fresh kernel per submission) and what the run reports about them.
    warm: WarmPool | None = None
    kernels: str = "fresh"
    #: The release stamp of the source (coursekit.exercises.release.release_stamp); empty: stamps not compared.
    stamp: dict[str, Any] = field(default_factory=dict)
    #: Earlier releases given with --release, by their stamp's hash: the context to grade their submissions in.
    releases: dict[str, Context] = field(default_factory=dict)
    #: Per submission id: the notes of the intake (files of the same student that were not graded).
    intake_notes: dict[str, list[str]] = field(default_factory=dict)
    #: (submission id, notes) of students none of whose files is graded: rows of summary.csv.
    not_graded: list[tuple[str, str]] = field(default_factory=list)

    def next_slot(self) -> int:
        with self.lock:
            self.counter[0] += 1
            return self.counter[0]


# ---- setting up --------------------------------------------------------------------------------------------


def load_exercise(source: Path) -> ExerciseSet:
    """Read the source notebook, or raise :class:`GradingSetupError` saying what is wrong with it."""
    try:
        return load_source(source)
    except FileNotFoundError as exc:
        raise GradingSetupError(f"{source}: no such source notebook.") from exc
    except FormatError as exc:
        raise GradingSetupError(f"cannot grade against {source}: {exc}") from exc
    except OSError as exc:
        raise GradingSetupError(f"cannot read {source}: {exc}") from exc


def _seed_folder(tmp: Path) -> Path | None:
    """Copy matplotlib's font cache (if the grader has one) so kernels do not rebuild it each time."""
    candidates = []
    if os.environ.get("MPLCONFIGDIR"):
        candidates.append(Path(os.environ["MPLCONFIGDIR"]))
    candidates += [Path.home() / ".cache" / "matplotlib", Path.home() / ".matplotlib"]
    for folder in candidates:
        caches = sorted(folder.glob("fontlist-v*.json")) if folder.is_dir() else []
        if caches:
            seed = tmp / "seed"
            (seed / ".matplotlib").mkdir(parents=True, exist_ok=True)
            for f in caches:
                shutil.copy2(f, seed / ".matplotlib" / f.name)
            return seed
    return None


def _data_folder() -> Path | None:
    try:
        from coursekit.paths import data_dir

        folder = data_dir()
    except FileNotFoundError:
        return None
    return folder.resolve() if folder.is_dir() else None


def _bibliography(data: Path | None) -> Path | None:
    """The ``references.bib`` the data loader checks source keys against: in the data folder, else next to it."""
    if data is None:
        return None
    for candidate in (data / "references.bib", data.parent / "references.bib"):
        if candidate.is_file():
            return candidate.resolve()
    return None


#: Longest scratch-folder path that leaves room for the kernel's IPC socket names ("<tmp>/s12/k/k-65535"):
#: a Unix socket path may not exceed 107 bytes, and a deep $TMPDIR would otherwise break every kernel start.
SCRATCH_MAX_CHARS = 80


def _scratch_folder() -> Path:
    """A new scratch folder for the run, in $TMPDIR when its path is short enough for IPC sockets, else /tmp."""
    tmp = Path(tempfile.mkdtemp(prefix="coursekit-grade-"))
    if len(str(tmp)) > SCRATCH_MAX_CHARS:
        tmp.rmdir()
        tmp = Path(tempfile.mkdtemp(prefix="coursekit-grade-", dir="/tmp"))
    return tmp


def _folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def prepare(source: Path, options: Options) -> Context:
    """Parse the source, make the student edition, compile the hidden tests and choose the sandbox.

    Raises
    ------
    GradingSetupError
        When the source is unreadable or malformed, a hidden-tests cell does not run, or the sandbox asked for
        is not available.
    """
    exercise = load_exercise(source)
    try:
        edition = make_student_edition(exercise)
    except FormatError as exc:
        raise GradingSetupError(f"cannot make the student edition of {source}: {exc}") from exc
    tests: dict[str, list[HiddenTest]] = {}
    for q in exercise.questions:
        if q.kind == "manual":
            continue
        try:
            tests[q.qid] = compile_tests(q.qid, q.hidden_tests_source, source.name)
        except HiddenTestsError as exc:
            raise GradingSetupError(str(exc)) from exc
    try:
        sandbox = resolve_sandbox(options.sandbox)
    except ValueError as exc:
        raise GradingSetupError(str(exc)) from exc
    tmp = _scratch_folder()
    data = _data_folder()
    copy_data = sandbox == "none" and data is not None and _folder_size(data) <= COPY_DATA_MAX_BYTES
    ctx = Context(
        exercise=exercise,
        released=index_release(exercise, edition),
        tests=tests,
        limits=options.limits,
        sandbox=sandbox,
        tmp=tmp,
        seed=_seed_folder(tmp),
        data=data,
        bib=_bibliography(data),
        copy_data=copy_data,
    )
    try:
        kernels, why = resolve_kernels(options.kernels, sandbox)
    except ValueError as exc:
        raise GradingSetupError(str(exc)) from exc
    ctx.kernels = kernels + (f" ({why})" if why else "")
    if kernels == "warm":
        bib = (
            [ctx.bib] if ctx.bib is not None and data is not None and ctx.bib.parent != data else []
        )
        setup = setup_imports(exercise.notebook.cells[exercise.setup_cell].source)
        ctx.warm = WarmPool(tmp / "warm", options.jobs, setup, options.limits, data, ctx.seed, bib)
    from coursekit.exercises.release import release_stamp

    ctx.stamp = release_stamp(exercise)  # here, so that a cluster's workers compare stamps too
    return ctx


def cleanup(ctx: Context) -> None:
    """Stop every kernel still running and delete the run's temporary folder."""
    ctx.stop.set()
    with ctx.lock:
        live = list(ctx.live)
    for k in live:
        k.kill()
    if ctx.warm is not None:
        ctx.warm.close()
    shutil.rmtree(ctx.tmp, ignore_errors=True)


# ---- one submission ----------------------------------------------------------------------------------------


def _error_result(
    sid: str, path: str, sha: str, ctx: Context, message: str, started: float
) -> SubmissionResult:
    rows = [
        QuestionResult(q.qid, 0.0, q.points, "error", message, [message])
        for q in ctx.exercise.questions
    ]
    return SubmissionResult(sid, path, sha, rows, [message], time.monotonic() - started)


def grade_file(path: Path, sid: str, ctx: Context) -> SubmissionResult:
    """Grade one submitted file.

    Parameters
    ----------
    path : pathlib.Path
        The student's ``.ipynb`` file.
    sid : str
        The submission's id (its file stem).
    ctx : Context
        From :func:`prepare`.

    Returns
    -------
    SubmissionResult

    Raises
    ------
    GraderFailure
        If no kernel can be started (a problem of the grading machine).
    """
    started = time.monotonic()
    try:
        size = Path(path).stat().st_size
        if size > MAX_SUBMISSION_BYTES:
            return _error_result(
                sid, shown_path(path), "", ctx,
                msg("grade.file.too_big", size=f"{size / 2**20:,.0f}", limit=MAX_SUBMISSION_BYTES >> 20),
                started,
            )  # fmt: skip
        raw = Path(path).read_bytes()
    except OSError as exc:
        return _error_result(
            sid,
            shown_path(path),
            "",
            ctx,
            msg("grade.file.unreadable", error=exc.strerror),
            started,
        )
    sha = hashlib.sha256(raw).hexdigest()
    try:
        nb = read_submission(raw)
    except ValueError as exc:
        return _error_result(
            sid, shown_path(path), sha, ctx, msg("grade.file.not_notebook", why=exc), started
        )
    except Exception as exc:  # noqa: BLE001 - e.g. nbformat choking on a strange but valid JSON file
        return _error_result(
            sid,
            shown_path(path),
            sha,
            ctx,
            msg("grade.file.fault", error=fault_text(exc)),
            started,
        )
    try:
        result = grade_notebook(nb, sid, ctx, started)
    except GraderFailure:
        raise
    except Exception as exc:  # noqa: BLE001 - a fault while grading one submission is that submission's result
        return _error_result(
            sid, shown_path(path), sha, ctx,
            msg("grade.grader_fault.tell", error=fault_text(exc)),
            started,
        )  # fmt: skip
    result.path, result.sha256 = shown_path(path), sha
    return result


def _start_kernel(ctx: Context, slot: int) -> tuple[Kernel, Path]:
    folder = ctx.tmp / f"s{slot}"
    workdir, sockdir = folder / "work", folder / "k"
    data = ctx.data
    extra = [ctx.bib] if ctx.bib is not None and data is not None and ctx.bib.parent != data else []
    if (
        ctx.copy_data and ctx.data is not None
    ):  # a private copy: a submission cannot change the next one's data
        course = workdir / ".course"
        data = course / "data"
        shutil.copytree(ctx.data, data)
        if extra:
            shutil.copy2(extra[0], course / extra[0].name)
        extra = []
    last: KernelStartError | None = None
    for attempt in range(2):
        if ctx.warm is not None and attempt == 0:
            # forked from a pre-warmed process; should that fail, the second attempt is a fresh kernel
            kernel: Kernel = WarmKernel(ctx.warm, f"s{slot}", ctx.limits, data, ctx.seed, extra)
        else:
            kernel = Kernel(
                workdir,
                sockdir,
                ctx.sandbox,  # type: ignore[arg-type]  # a mode resolve_sandbox returned
                ctx.limits,
                data=data,
                seed=ctx.seed,
                extra=extra,
            )
        with ctx.lock:
            ctx.live.add(kernel)
        try:
            kernel.start(ready_timeout=max(30.0, min(120.0, ctx.limits.timeout)))
            return kernel, folder
        except KernelStartError as exc:
            last = exc
            kernel.close()
            with ctx.lock:
                ctx.live.discard(kernel)
    raise GraderFailure(f"no kernel could be started for grading: {last}")


def grade_notebook(
    nb: nbformat.NotebookNode,
    sid: str,
    ctx: Context,
    started: float | None = None,
    record: set[str] | None = None,
) -> SubmissionResult:
    """Grade a notebook already read into memory (see :func:`grade_file`).

    ``record``, for the reference solution only: a set that receives the questions whose answers hold NaN or
    infinity (which are then accepted from students on those questions).
    """
    started = time.monotonic() if started is None else started
    foreign, found = foreign_set(ctx.released, nb)
    if foreign:
        return _wrong_set(sid, ctx, found, started)
    ctx, release_notes, added = _release_of(nb, ctx)
    plan = reconcile(ctx.released, nb)
    if time.monotonic() - started >= ctx.limits.timeout:
        text = msg("grade.notebook_timeout", limit=f"{ctx.limits.timeout:g}")
        rows = [
            QuestionResult(q.qid, 0.0, q.points, "timeout", text, [text])
            for q in ctx.exercise.questions
        ]
        return SubmissionResult(sid, "", "", rows, [text], time.monotonic() - started)
    slot = ctx.next_slot()
    kernel, folder = _start_kernel(ctx, slot)
    run = SubmissionRun(plan, ctx, kernel, started + ctx.limits.timeout, record)
    try:
        run.run()
    finally:
        kernel.close()
        with ctx.lock:
            ctx.live.discard(kernel)
        shutil.rmtree(folder, ignore_errors=True)
    rows = []
    for q in ctx.exercise.questions:
        qp = plan.questions[q.qid]
        if q.kind == "manual" and qp.missing and q.qid in added:
            text = msg("grade.release.new_question", release=added[q.qid])
            rows.append(QuestionResult(q.qid, 0.0, q.points, "missing", text, [text]))
        elif q.kind == "manual":
            rows.append(
                _written(q.qid, q.points, qp.written, qp.missing, qp.recovered, qp.found_in)
            )
        elif q.qid in run.results:
            rows.append(run.results[q.qid])
        elif qp.missing and q.qid in added:
            text = msg("grade.release.new_question", release=added[q.qid])
            rows.append(QuestionResult(q.qid, 0.0, q.points, "missing", text, [text]))
        elif qp.missing:
            text = msg("grade.answer_cell.missing")
            rows.append(QuestionResult(q.qid, 0.0, q.points, "missing", text, [text, *qp.restored]))
        elif run.states[q.qid].timeout or run.states[q.qid].error:
            st = run.states[q.qid]
            status, text = ("timeout", st.timeout) if st.timeout else ("error", st.error)
            rows.append(QuestionResult(q.qid, 0.0, q.points, status, text, [text]))
        else:
            status, text = run.dead or ("error", msg("grade.answer_cell.not_reached"))
            rows.append(QuestionResult(q.qid, 0.0, q.points, status, text, [text]))
    notes = [*release_notes, *plan.notes, *run.notes]
    return SubmissionResult(sid, "", "", rows, notes, time.monotonic() - started)


def _wrong_set(sid: str, ctx: Context, found: str | None, started: float) -> SubmissionResult:
    """Every question ``wrong_set`` with one plain sentence: the notebook is another set's, so nothing is run."""
    expected = ctx.exercise.set_id
    text = (
        msg("grade.wrong_set", found=found, expected=expected)
        if found
        else msg("grade.wrong_set.unknown", expected=expected)
    )
    rows = [QuestionResult(q.qid, 0.0, q.points, "wrong_set", text) for q in ctx.exercise.questions]
    return SubmissionResult(sid, "", "", rows, [text], time.monotonic() - started)


def _release_of(
    nb: nbformat.NotebookNode, ctx: Context
) -> tuple[Context, list[str], dict[str, str]]:
    """The context to grade a notebook in, by its release stamp; notes about it; questions added since.

    A notebook stamped with the source's own release (or with no stamp) is graded as usual. One stamped with an
    earlier release given with ``--release`` is graded against that release. Any other stamp is graded against
    the current source with a note naming the questions changed since; ``added`` maps each question the
    student's release did not have to that release's id (its missing answer cell is said to be new, not lost).
    """
    stamp = submission_stamp(nb)
    if not ctx.stamp or stamp is None or stamp.get("hash") == ctx.stamp.get("hash"):
        return ctx, [], {}
    named = stamp.get("id")
    release = named if isinstance(named, str) else str(stamp["hash"])
    earlier = ctx.releases.get(stamp["hash"])
    if earlier is not None:
        return earlier, [msg("grade.release.matched", release=release)], {}
    changed, added = release_changes(stamp, ctx.stamp)
    if not changed and not added:
        return ctx, [], {}
    listing = ", ".join(changed + added)
    note = msg("grade.release.older", release=release, changed=listing)
    return ctx, [note], {qid: release for qid in added}


def _written(
    qid: str,
    points: float,
    text: str | None,
    missing: bool,
    recovered: bool,
    found_in: str = "",
) -> QuestionResult:
    if missing or text is None:
        line = msg("grade.written.missing")
        return QuestionResult(qid, 0.0, points, "missing", line, [line])
    if is_blank_written(text):
        line = msg("grade.written.blank")
        return QuestionResult(qid, 0.0, points, "not_attempted", line, [line], written="")
    line = msg("grade.written.by_hand", words=len(text.split()))
    details = [line] + ([msg("grade.written.recovered")] if recovered and not found_in else [])
    if found_in == "question":
        details.append(msg("grade.written.in_question"))
    elif found_in == "new_cell":
        details.append(msg("grade.written.in_new_cell"))
    return QuestionResult(qid, None, points, "manual", line, details, written=text)


# ---- many submissions ----------------------------------------------------------------------------------------


def run_key(source: Path, ctx: Context) -> str:
    """What the grades depend on: the source notebook, the grader version, the limits and the sandbox."""
    h = hashlib.sha256()
    h.update(Path(source).read_bytes())
    lim = ctx.limits
    h.update(
        json.dumps(
            [
                __version__,
                ctx.sandbox,
                lim.cell_timeout,
                lim.timeout,
                lim.memory_mb,
                lim.file_mb,
                lim.disk_mb,
            ]
        ).encode()
    )
    return h.hexdigest()[:16]


def reference_notebook(exercise: ExerciseSet) -> nbformat.NotebookNode:
    """The source notebook as a submission: the reference solutions, without the hidden tests."""
    nb = copy.deepcopy(exercise.notebook)
    nb.cells = [
        c for c in nb.cells if "hidden-tests" not in (c.get("metadata", {}).get("tags") or [])
    ]
    return nb


def preflight(ctx: Context) -> SubmissionResult:
    """Grade the reference solution; raise :class:`GradingSetupError` unless every code question passes."""
    seen: set[str] = set()
    result = grade_notebook(
        reference_notebook(ctx.exercise), "reference-solution", ctx, record=seen
    )
    bad = [q for q in result.questions if q.status not in ("passed", "manual")]
    if bad:
        lines = "; ".join(f"{q.question} {q.status}: {q.message}" for q in bad)
        notes = f" Notes on the run: {' '.join(result.notes[:3])}" if result.notes else ""
        raise GradingSetupError(
            "the reference solution does not earn full marks in this grading environment, so grades would be "
            f"wrong ({lines}).{notes} Check the source notebook (coursekit release) and the grading limits or "
            "sandbox (--sandbox none, --memory-mb, --cell-timeout)."
        )
    ctx.non_finite_ok = seen
    share_findings(ctx)
    return result


def share_findings(ctx: Context) -> None:
    """Give the earlier releases of ``ctx`` the questions whose reference answer is NaN or infinite, as found
    for the source (an earlier release is graded with the same hidden tests' expectations)."""
    for earlier in ctx.releases.values():
        earlier.non_finite_ok = set(ctx.non_finite_ok)


@dataclass
class RunReport:
    """What a grading run did."""

    results: dict[str, SubmissionResult]
    graded: int
    resumed: int
    seconds: float
    sandbox: str
    jobs: int
    kernels: str = "fresh"
    #: What the intake did with the files of the download (set by :func:`grade`).
    intake: Intake | None = None


class Progress:
    """A plain-text progress bar on a terminal (nothing otherwise)."""

    def __init__(self, total: int, enabled: bool, stream: Any = None) -> None:
        self.total = total
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.done = 0
        self.started = time.monotonic()

    def update(self, done: int, label: str = "") -> None:
        self.done = done
        if not self.enabled or self.total == 0:
            return
        width = 30
        filled = int(width * done / self.total)
        rate = done / max(1e-9, time.monotonic() - self.started) * 60
        line = f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{self.total} graded, {rate:.0f}/min {label[:30]:<30}"
        self.stream.write(line)
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.total:
            self.stream.write("\n")
            self.stream.flush()


#: One finished submission: its id, and its result or the exception its grading raised.
Outcome = tuple[str, "SubmissionResult | BaseException"]

#: The gradebook, summary and manual CSV files are rewritten at most this often (seconds) while results come in,
#: and always at the end and on an interrupt; each result's journal line and feedback page are written at once.
#: Rewriting all three files after every result made a run quadratic (37-77 ms per rewrite at 1,000 submissions);
#: the interval also grows to ten times the last rewrite's duration, so rewrites never take over a tenth of the time.
TABLES_EVERY = 2.0


class Dispatch(Protocol):
    """Where the submissions of a run are graded (:attr:`Options.dispatch`; the default is :func:`local_results`).

    Called with the submissions to grade, the run's context, the source path and the run's ``say``; yields an
    :data:`Outcome` as each submission finishes, in any order. Closing the iterator (an interrupt, a fatal
    error) must stop the grading still running. ``jobs`` is how many submissions it grades at once.
    """

    jobs: int

    def __call__(
        self,
        todo: list[tuple[str, Path]],
        ctx: Context,
        source: Path,
        say: Callable[[str], None],
    ) -> Generator[Outcome, None, None]: ...


def local_results(
    todo: list[tuple[str, Path]], ctx: Context, jobs: int
) -> Generator[Outcome, None, None]:
    """Grade ``todo`` with ``jobs`` threads here (each driving one kernel), yielding each as it finishes."""
    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="coursekit-grade")
    futures: dict[Future[SubmissionResult], str] = {}
    queue = list(reversed(todo))
    try:
        while queue or futures:
            while queue and len(futures) < jobs:
                sid, path = queue.pop()
                futures[pool.submit(grade_file, path, sid, ctx)] = sid
            done, _ = wait(list(futures), return_when=FIRST_COMPLETED)
            for fut in done:
                sid = futures.pop(fut)
                exc = fut.exception()
                yield sid, (exc if exc is not None else fut.result())
    except BaseException:
        ctx.stop.set()
        with ctx.lock:
            live = list(ctx.live)
        for k in live:
            k.kill()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def grade(
    source: Path,
    inputs: Sequence[Path],
    out: Path,
    options: Options,
    progress: Progress | None = None,
    log: Callable[[str], None] | None = None,
) -> RunReport:
    """Grade submissions of one exercise set into ``out`` (see the module docstring).

    Parameters
    ----------
    source : pathlib.Path
        The exercise source notebook (``exercises/NN-slug.ipynb``).
    inputs : sequence of pathlib.Path
        Submission files and folders.
    out : pathlib.Path
        Output folder: ``gradebook.csv``, ``summary.csv``, ``manual.csv``, ``feedback/``, ``journal.jsonl``.
    options : Options
    progress : Progress, optional
    log : callable, optional
        Receives one-line messages for the person running the grader.

    Returns
    -------
    RunReport

    Raises
    ------
    GradingSetupError
        If grading cannot run at all (bad source or arguments, unusable sandbox, no kernel can start, or the
        reference solution fails the preflight). Results already written stay in ``out``.
    """
    say = log or (lambda _msg: None)
    t0 = time.monotonic()
    source = Path(source)
    try:
        set_id = load_exercise(source).set_id
        intake = collect(
            inputs, source, set_id, options.lms, options.roster, Path(out) / "download"
        )
    except IntakeError as exc:
        raise GradingSetupError(str(exc)) from exc
    submissions = intake.submissions
    if options.jobs < 1:
        raise GradingSetupError(f"--jobs must be at least 1, got {options.jobs}.")
    ctx = prepare(source, options)
    try:
        _take_in(intake, ctx, options, Path(out), say)
        report = _grade_all(source, submissions, Path(out), options, ctx, progress, say, t0)
        report.intake = intake
        return report
    finally:
        cleanup(ctx)


def _take_in(
    intake: Intake, ctx: Context, options: Options, out: Path, say: Callable[[str], None]
) -> None:
    """Give the context what the intake found and the releases given; write ``intake.csv``; say what happened."""
    from coursekit.exercises.release import release_stamp

    ctx.intake_notes = intake.notes()
    ctx.not_graded = intake.not_graded()
    ctx.stamp = ctx.stamp or release_stamp(ctx.exercise)
    for path in options.releases:
        add_release(ctx, Path(path))
    write_intake(intake, out / "intake.csv")
    say(f"{describe(intake)}; every file: {out / 'intake.csv'}")
    for line in intake.warnings:
        say(f"warning: {line}")
    for line in stamp_warnings(intake, ctx.stamp, set(ctx.releases), ctx.exercise.set_id):
        say(f"warning: {line}")


def add_release(ctx: Context, path: Path) -> None:
    """Grade submissions stamped with the release whose instructor copy is ``path`` against that copy."""
    earlier = _earlier_release(path, ctx)
    ctx.releases[earlier.stamp["hash"]] = earlier


def _earlier_release(path: Path, ctx: Context) -> Context:
    """The context for grading against an earlier release, from its instructor copy."""
    import dataclasses

    from coursekit.exercises.release import release_stamp

    exercise = load_exercise(path)
    if exercise.set_id != ctx.exercise.set_id:
        raise GradingSetupError(other_set_release(path, exercise.set_id, ctx.exercise.set_id))
    try:
        edition = make_student_edition(exercise)
        tests = {
            q.qid: compile_tests(q.qid, q.hidden_tests_source, path.name)
            for q in exercise.questions
            if q.kind != "manual"
        }
    except (FormatError, HiddenTestsError) as exc:
        raise GradingSetupError(f"--release {path}: {exc}") from exc
    return dataclasses.replace(
        ctx,
        exercise=exercise,
        released=index_release(exercise, edition),
        tests=tests,
        stamp=release_stamp(exercise),
        releases={},
        non_finite_ok=set(ctx.non_finite_ok),
    )


def _grade_all(
    source: Path,
    submissions: list[tuple[str, Path]],
    out: Path,
    options: Options,
    ctx: Context,
    progress: Progress | None,
    say: Callable[[str], None],
    t0: float,
) -> RunReport:
    out.mkdir(parents=True, exist_ok=True)
    journal = Journal(out / "journal.jsonl", run_key(source, ctx))
    if options.fresh:
        journal.reset()
    earlier = journal.load()
    results: dict[str, SubmissionResult] = {}
    todo: list[tuple[str, Path]] = []
    for sid, path in submissions:
        prev = earlier.get(sid)
        if prev is not None and prev.sha256 and _sha(path) == prev.sha256:
            results[sid] = prev
        else:
            todo.append((sid, path))
    resumed = len(results)
    if resumed:
        say(f"resuming: {resumed} submission(s) already graded in {out / 'journal.jsonl'}")
    # a dispatch says where it grades once it knows (e.g. a cluster's workers)
    if options.dispatch is None:
        say(
            f"grading {len(todo)} submission(s) of {ctx.exercise.set_id} with {options.jobs} job(s), sandbox: {ctx.sandbox}, kernels: {ctx.kernels}"
        )
    if ctx.sandbox == "none":
        say(NO_ISOLATION_WARNING)
    ex = ctx.exercise
    rubrics = {q.qid: q.rubric or "" for q in ex.questions if q.kind == "manual"}
    write_run(out / "run.json", ex.set_id, ex.title)
    renamed = {sid: path for sid, path in submissions if submission_id(path.name)[1]}
    if renamed:
        write_renamed(renamed, out / "renamed.csv")
        say(
            f"{len(renamed)} file name(s) could not serve as ids; the ids given are in {out / 'renamed.csv'}"
        )

    def write_tables() -> None:
        write_gradebook(results.values(), out / "gradebook.csv")
        write_summary(results.values(), out / "summary.csv", ctx.not_graded)
        if rubrics:
            write_manual(results.values(), rubrics, out / "manual.csv")

    for r in results.values():
        write_feedback(r, ex.title, ex.set_id, out / "feedback")
    write_tables()
    if todo and options.preflight:
        try:
            ref = preflight(ctx)
        except GraderFailure as exc:
            raise GradingSetupError(str(exc)) from exc
        say(f"preflight: the reference solution earns full marks here ({ref.seconds:.1f} s)")
    bar = progress or Progress(len(submissions), False)
    bar.total = len(submissions)
    bar.update(len(results))
    dispatch = options.dispatch
    outcomes = (
        local_results(todo, ctx, options.jobs)
        if dispatch is None
        else dispatch(todo, ctx, source, say)
    )
    paths = dict(todo)
    recorded: set[str] = set()  # a submission is recorded once, even if a cluster reports it twice
    tables_at, tables_every = time.monotonic(), TABLES_EVERY
    try:
        for sid, outcome in outcomes:
            if isinstance(outcome, GraderFailure):
                raise GradingSetupError(str(outcome)) from outcome
            if isinstance(outcome, BaseException):  # never let one submission end the run
                result = _error_result(
                    sid, shown_path(paths[sid]), _sha(paths[sid]), ctx,
                    msg("grade.grader_fault", error=fault_text(outcome)), time.monotonic(),
                )  # fmt: skip
            else:
                result = outcome
            if ctx.stop.is_set() or sid in recorded or sid not in paths:
                continue
            recorded.add(sid)
            result.notes.extend(
                ctx.intake_notes.get(sid, [])
            )  # the same student's files not graded
            if sid in renamed:
                result.notes.append(
                    msg("grade.renamed", sid=sid, name=repr(display_name(renamed[sid])))
                )
            journal.append(result)
            results[sid] = result
            write_feedback(result, ex.title, ex.set_id, out / "feedback")
            if time.monotonic() - tables_at >= tables_every:
                started = time.monotonic()
                write_tables()
                tables_at = time.monotonic()
                # the rewrites take at most a tenth of this process's time, however large the class
                tables_every = max(TABLES_EVERY, 10 * (tables_at - started))
            bar.update(len(results), sid)
    except BaseException:
        ctx.stop.set()
        outcomes.close()  # stops what is still grading (kernels, threads, cluster tasks)
        try:
            write_tables()  # the tables show everything in the journal
        except Exception:  # noqa: BLE001, S110 - the journal holds the results; the error raised matters more
            pass
        bar.close()
        raise
    write_tables()
    bar.close()
    if options.junit is not None:
        write_junit(results.values(), options.junit, ex.set_id)
    jobs = options.jobs if dispatch is None else dispatch.jobs
    seconds = time.monotonic() - t0
    kernels = ctx.kernels.split()[0]
    return RunReport(results, len(todo), resumed, seconds, ctx.sandbox, jobs, kernels)


def _sha(path: Path) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""
