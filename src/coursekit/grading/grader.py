"""The batch grader: grade a folder of submissions of one exercise set, in parallel, each in its own kernel.

For each submission the grader

1. reads the notebook (an unreadable one gets ``error`` rows saying why);
2. lines it up with the released student edition (:mod:`coursekit.grading.reconcile`): restores changed
   given lines and check cells, re-inserts deleted cells, recovers cells whose metadata was stripped;
3. starts a fresh kernel under OS limits (:mod:`coursekit.grading.kernel`) and runs the cells in order, each
   with a time limit;
4. after each question's cells, asks the kernel for the answer's value as plain data
   (:mod:`coursekit.grading.export`) and runs the hidden tests on it in the grader's own process
   (:mod:`coursekit.grading.hidden`); for a function question the tests call the student's function through
   the kernel;
5. records one result per question.

:func:`grade` runs this over many submissions with a thread pool (each thread drives one kernel process at a
time), appends each result to the journal as it finishes and rewrites the gradebook, summary and feedback.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from coursekit import __version__
from coursekit.exercises.format import ExerciseSet, FormatError, load_source, make_student_edition
from coursekit.grading.export import ExportError, Unexportable, decode, decode_json, encode_args
from coursekit.grading.hidden import (
    HiddenTest,
    HiddenTestsError,
    TestOutcome,
    compile_tests,
    run_tests,
)
from coursekit.grading.kernel import Kernel, KernelStartError, Limits, Reply, resolve_sandbox
from coursekit.grading.plain import plain_view
from coursekit.grading.reconcile import Plan, Released, index_release, is_blank_written, reconcile
from coursekit.grading.results import (
    Journal,
    QuestionResult,
    SubmissionResult,
    write_feedback,
    write_gradebook,
    write_junit,
    write_manual,
    write_renamed,
    write_summary,
)
from coursekit.grading.spec import StudentFunctionError, StudentTimeout

#: Seconds the setup cell may take at least, whatever ``--cell-timeout`` says: it imports libraries and loads the
#: course data, the same work for every submission, and can be slow on a busy machine.
SETUP_TIMEOUT = 60.0
#: Data folders up to this size are copied into each submission's working folder (``none`` sandbox).
COPY_DATA_MAX_BYTES = 64 * 1024 * 1024
_EXPORT = "__import__('coursekit.grading.export', fromlist=['dump'])"


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
    """

    jobs: int = 1
    limits: Limits = field(default_factory=Limits)
    sandbox: str = "auto"
    junit: Path | None = None
    fresh: bool = False
    preflight: bool = True


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

    def next_slot(self) -> int:
        with self.lock:
            self.counter[0] += 1
            return self.counter[0]


class GraderFailure(RuntimeError):
    """A problem of the grading machine (a kernel that cannot start), not of a submission."""


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
    return Context(
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


def cleanup(ctx: Context) -> None:
    """Stop every kernel still running and delete the run's temporary folder."""
    ctx.stop.set()
    with ctx.lock:
        live = list(ctx.live)
    for k in live:
        k.kill()
    shutil.rmtree(ctx.tmp, ignore_errors=True)


# ---- one submission ----------------------------------------------------------------------------------------


def _json_problem(exc: json.JSONDecodeError) -> str:
    """``"unterminated string starting at line 283, column 5"`` from a JSON error, readable as a phrase."""
    msg = exc.msg[0].lower() + exc.msg[1:] if exc.msg else "invalid JSON"
    where = f"line {exc.lineno}, column {exc.colno}"
    return f"{msg} {where}" if msg.endswith(" at") else f"{msg} at {where}"


def _without_lone_surrogates(data: Any) -> Any:
    """Replace lone surrogates (``"\\ud800"`` in the JSON) by U+FFFD in every string, keys included.

    JSON may spell them, but they cannot be encoded as UTF-8, so they would break the kernel messages and the
    output files. Works without recursion, whatever the nesting.
    """

    def fix(text: str) -> str:
        try:
            text.encode("utf-8")
            return text
        except UnicodeEncodeError:
            return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)

    if isinstance(data, str):
        return fix(data)
    root: list[Any] = [data]
    todo: list[Any] = [root]
    while todo:
        node = todo.pop()
        items = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
        for key, value in items:
            if isinstance(value, str):
                node[key] = fix(value)
            elif isinstance(value, dict | list):
                todo.append(value)
            if isinstance(node, dict) and isinstance(key, str) and fix(key) != key:
                node[fix(key)] = node.pop(key)
    return root[0]


def read_submission(raw: bytes) -> nbformat.NotebookNode:
    """Parse a submitted file as a Jupyter notebook of format 4.

    Raises
    ------
    ValueError
        With a sentence for the student saying why the file is not a usable notebook.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"the file is not text (UTF-8) at byte {exc.start}; hand in the .ipynb file itself"
        ) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"the file is not valid notebook JSON ({_json_problem(exc)}); it may be "
            "damaged: open it in Jupyter, save it again and hand it in once more"
        ) from exc
    except RecursionError as exc:
        raise ValueError("the file's JSON is nested too deeply to be a notebook") from exc
    data = _without_lone_surrogates(data)
    if not isinstance(data, dict) or "nbformat" not in data:
        raise ValueError("the file is JSON but not a Jupyter notebook (it has no nbformat version)")
    major = data.get("nbformat")
    if major != 4:
        raise ValueError(
            f"the notebook is in format version {major!r}; only version 4 (Jupyter 4 and later) can be graded: "
            "save it from a current JupyterLab or Notebook"
        )
    if not isinstance(data.get("cells"), list):
        raise ValueError("the file is JSON but not a Jupyter notebook (it has no list of cells)")
    nb = nbformat.from_dict(data)
    for i, cell in enumerate(nb.cells):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise ValueError(f"cell {i} is not a valid notebook cell")
        src = cell.get("source", "")
        if isinstance(src, list):
            if not all(isinstance(s, str) for s in src):
                raise ValueError(f"cell {i} has a source that is not text")
            cell["source"] = "".join(src)
        elif not isinstance(src, str):
            raise ValueError(f"cell {i} has a source that is not text")
        if not isinstance(cell.get("metadata", {}), dict):
            cell["metadata"] = {}
        cell.setdefault("metadata", {})
    return nb


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
        raw = Path(path).read_bytes()
    except OSError as exc:
        return _error_result(
            sid, _shown(path), "", ctx, f"The file could not be read ({exc.strerror}).", started
        )
    sha = hashlib.sha256(raw).hexdigest()
    try:
        nb = read_submission(raw)
    except ValueError as exc:
        return _error_result(sid, _shown(path), sha, ctx, f"Not graded: {exc}.", started)
    except Exception as exc:  # noqa: BLE001 - e.g. nbformat choking on a strange but valid JSON file
        return _error_result(
            sid,
            _shown(path),
            sha,
            ctx,
            f"Not graded: the notebook could not be read ({_fault(exc)}).",
            started,
        )
    try:
        result = grade_notebook(nb, sid, ctx, started)
    except GraderFailure:
        raise
    except Exception as exc:  # noqa: BLE001 - a fault while grading one submission is that submission's result
        return _error_result(
            sid, _shown(path), sha, ctx,
            f"Not graded: the grader could not handle this notebook ({_fault(exc)}); tell your instructor.",
            started,
        )  # fmt: skip
    result.path, result.sha256 = _shown(path), sha
    return result


def _shown(path: Path) -> str:
    """A path as text that can always be written (undecodable bytes of a file name as escapes)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


@dataclass
class _QState:
    ran: bool = False
    error: str = ""
    timeout: str = ""


class _Run:
    """The state of grading one submission in one kernel."""

    def __init__(
        self,
        plan: Plan,
        ctx: Context,
        kernel: Kernel,
        deadline: float,
        record: set[str] | None = None,
    ) -> None:
        self.record = record
        self.plan = plan
        self.ctx = ctx
        self.kernel = kernel
        self.deadline = deadline
        self.states = {q.qid: _QState() for q in ctx.exercise.questions}
        self.results: dict[str, QuestionResult] = {}
        self.dead: tuple[str, str] | None = None  # (status, why) once the kernel is gone
        self.notes: list[str] = []

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def refuses_non_finite(self, qid: str) -> bool:
        """True when a NaN or infinity in question ``qid``'s answer must fail it.

        It is refused unless the reference solution's own answer holds one (seen in the preflight, which runs
        with ``record`` set and notes each such question instead).
        """
        if self.record is not None:
            self.record.add(qid)
            return False
        return qid not in self.ctx.non_finite_ok

    def budget(self, role: str = "") -> float:
        """Seconds the next request may take: the per-cell limit, or for the setup cell (imports and data,
        the same for everyone) at least :data:`SETUP_TIMEOUT`; never past the submission's deadline."""
        allowed = self.ctx.limits.cell_timeout
        if role == "setup":
            allowed = max(allowed, SETUP_TIMEOUT)
        return max(0.0, min(allowed, self.remaining()))

    def _submission_timeout(self) -> tuple[str, str]:
        return (
            "timeout",
            f"Not graded: the whole notebook ran past its {self.ctx.limits.timeout:g} s limit.",
        )

    def run(self) -> None:
        pending: list[str] = []
        for step in self.plan.steps:
            if self.dead or self.ctx.stop.is_set():
                break
            if step.role == "solution" and pending:
                self.flush(pending)
                pending = []
                if self.dead:
                    break
            if self.remaining() <= 0:
                self.dead = self._submission_timeout()
                break
            budget = self.budget(step.role)
            reply = self.kernel.execute(step.source, budget)
            where = f"cell {step.cell}" if step.cell is not None else "a re-inserted cell"
            if step.role in ("solution", "check") and step.qid:
                where += (
                    f" (the {'answer' if step.role == 'solution' else 'check'} cell of {step.qid})"
                )
            if step.role == "solution" and step.qid:
                self.states[step.qid].ran = True
                pending.append(step.qid)
            self._record(step.role, step.qid, where, reply, budget)
        if not self.dead and pending:
            self.flush(pending)

    def _record(self, role: str, qid: str | None, where: str, reply: Reply, budget: float) -> None:
        st = self.states[qid] if qid else None
        if reply.status == "ok":
            return
        if reply.status == "error":
            if reply.ename == "MemoryError":
                # free what the failed cell still holds, so the cells after it can run
                self.kernel.execute("", self.budget(), {"r": f"{_EXPORT}.release_failed_cell()"})
            text = f"{reply.ename}: {reply.evalue}".strip(": ")[:300]
            if role == "solution" and st is not None:
                st.error = f"Your answer cell stopped with an error: {text}"
            elif role == "setup":
                self.notes.append(
                    f"The setup cell failed ({text}); answers that need it could not run."
                )
            elif role == "code" and len(self.notes) < 8:
                # (a check cell's error only echoes its answer cell's, which has its own row)
                self.notes.append(f"Your {where} raised {text}.")
            return
        if reply.status == "timeout":
            allowed = self.ctx.limits.cell_timeout
            if role == "setup":
                allowed = max(allowed, SETUP_TIMEOUT)
            whole = (
                budget < allowed
            )  # cut short by the submission's deadline, not by the cell limit
            if whole:
                self.kernel.kill()
                self.dead = self._submission_timeout()
            if role == "solution" and st is not None:
                st.timeout = (
                    f"Your answer cell ran past the {budget:g} s limit ({reply.detail})."
                    if not whole
                    else f"Your answer cell was still running when the notebook's {self.ctx.limits.timeout:g} s ran out."
                )
            else:
                self.notes.append(f"Your {where} was stopped: {reply.detail}.")
            if reply.killed and not self.dead:
                self.dead = (
                    "error",
                    f"Not graded: the kernel had to be stopped after {where} ran too long.",
                )
            return
        # died
        why = f"the kernel stopped while running {where}: {reply.detail}"
        self.notes.append(why[0].upper() + why[1:] + ".")
        if role == "solution" and st is not None:
            st.error = f"Your answer cell stopped the kernel: {reply.detail}."
        self.dead = ("error", f"Not graded: {why}.")

    # ---- answers and hidden tests -----------------------------------------------------------------------

    def flush(self, qids: list[str]) -> None:
        for qid in qids:
            if qid in self.results:
                continue
            try:
                self.results[qid] = self.grade_question(qid)
            except GraderFailure:
                raise
            except Exception as exc:  # noqa: BLE001 - one answer's fault is that question's error row
                q = self.ctx.exercise.question(qid)
                msg = f"Your answer could not be graded ({_fault(exc)})."
                self.results[qid] = QuestionResult(qid, 0.0, q.points, "error", msg, [msg])

    def grade_question(self, qid: str) -> QuestionResult:
        q = self.ctx.exercise.question(qid)
        st, qp = self.states[qid], self.plan.questions[qid]
        notes = [*qp.tampered, *qp.restored]
        if qp.missing:
            msg = "The answer cell is missing from the notebook (deleted?); no points."
            return QuestionResult(qid, 0.0, q.points, "missing", msg, [msg, *notes])
        if st.timeout:
            return QuestionResult(qid, 0.0, q.points, "timeout", st.timeout, [st.timeout, *notes])
        if st.error:
            return QuestionResult(qid, 0.0, q.points, "error", st.error, [st.error, *notes])
        tests = self.ctx.tests[qid]
        if q.kind == "function":
            caller = KernelCall(self, q.answer_name or "", qid)
            alive_before = self.dead is None
            outcomes = run_tests(tests, q.points, call=caller)
            if caller.calls and caller.all_ellipsis:
                return self._not_attempted(q.qid, q.points, notes, qp.tampered)
            if alive_before and self.dead and not any(o.passed for o in outcomes):
                # the student's function took the kernel down (os._exit, a signal): an error, not a wrong answer
                first = next((o.message for o in outcomes if not o.passed), self.dead[1])
                status = "timeout" if any(o.timed_out for o in outcomes) else "error"
                return QuestionResult(qid, 0.0, q.points, status, first, [first, *notes])
            extra: list[str] = []
        else:
            value, problem = self.export(q.answer_name or "")
            if problem is not None:
                status, msg = problem
                if self.dead and status == "error":
                    msg = self.dead[1]
                return QuestionResult(qid, 0.0, q.points, status, msg, [msg, *notes])
            if is_untouched(value):
                return self._not_attempted(q.qid, q.points, notes, qp.tampered)
            extra = []
            if isinstance(value, Unexportable):
                extra.append(
                    f"Your answer is an object of type {value.type_name}, which cannot be graded "
                    f"({value.reason}); give a plain value: a number, text, list, dict, Series or DataFrame."
                )
            view = None if isinstance(value, Unexportable) else plain_view(value)
            bad = non_finite(view)
            if bad and self.refuses_non_finite(qid):
                msg = (
                    f"Your answer holds {bad}, which is not a number a test can check: look for a division by "
                    "zero or a missing value in your computation."
                )
                return QuestionResult(qid, 0.0, q.points, "failed", msg, [msg, *notes])
            outcomes = run_tests(tests, q.points, answer=view)
        return self._verdict(qid, q.points, outcomes, extra, notes, bool(qp.tampered))

    def _not_attempted(
        self, qid: str, points: float, notes: list[str], tampered: list[str]
    ) -> QuestionResult:
        msg = "Not attempted: the answer is still the blank (...) of the student edition."
        status = "tampered" if tampered else "not_attempted"
        return QuestionResult(qid, 0.0, points, status, " ".join([*tampered, msg]), [msg, *notes])

    def _verdict(
        self,
        qid: str,
        points: float,
        outcomes: list[TestOutcome],
        extra: list[str],
        notes: list[str],
        tampered: bool,
    ) -> QuestionResult:
        earned = round(sum(o.points for o in outcomes), 4)
        passed = sum(o.passed for o in outcomes)
        failures = list(dict.fromkeys(o.message for o in outcomes if not o.passed))
        if passed == len(outcomes):
            status, summary = "passed", f"All {len(outcomes)} hidden tests passed."
        else:
            status = "partial" if earned > 0 else "failed"
            if any(o.timed_out for o in outcomes):
                status = "timeout" if earned == 0 else status
            summary = f"{passed} of {len(outcomes)} hidden tests passed."
        msg = " ".join([summary, *extra, *failures])
        if tampered and status in ("passed", "partial", "failed"):
            msg = " ".join([*notes[:1], msg])
            status = "tampered"
        details = [*extra, *failures] if failures or extra else [summary]
        return QuestionResult(qid, earned, points, status, msg, [*details, *notes])

    def export(self, name: str) -> tuple[Any, tuple[str, str] | None]:
        """Ask the kernel for the value of ``name``; return (value, None) or (None, (status, message))."""
        if self.dead:
            return None, self.dead
        if self.remaining() <= 0:
            self.dead = self._submission_timeout()
            return None, self.dead
        reply = self.kernel.execute("", self.budget(), {"a": f"{_EXPORT}.dump({name})"})
        if reply.status == "died":
            self.dead = (
                "error",
                f"Not graded: the kernel stopped while your answer was read ({reply.detail}).",
            )
            return None, self.dead
        if reply.status == "timeout":
            if reply.killed:
                self.dead = (
                    "error",
                    "Not graded: the kernel had to be stopped while your answer was read.",
                )
            return None, (
                "timeout",
                f"Reading your answer `{name}` took too long ({reply.detail}).",
            )
        if reply.status != "ok":
            return None, (
                "error",
                f"Your answer `{name}` could not be read ({reply.ename}: {reply.evalue}).",
            )
        entry = reply.expressions.get("a") or {}
        if entry.get("status") != "ok":
            ename, evalue = str(entry.get("ename", "")), str(entry.get("evalue", ""))[:200]
            if ename == "NameError":
                return None, (
                    "failed",
                    f"`{name}` is not defined when your notebook runs from the top: assign your answer to "
                    f"`{name}` in the answer cell.",
                )
            return None, ("error", f"Your answer `{name}` could not be read ({ename}: {evalue}).")
        try:
            outer = decode_json(_plain_text(entry))
            if "err" in outer:
                return None, ("error", f"Your answer `{name}` could not be read: {outer['err']}")
            if "v" not in outer:
                raise ExportError("the kernel returned JSON of an unexpected shape.")
            return decode(outer["v"]), None
        except ExportError as exc:
            return None, ("error", f"Your answer `{name}` could not be read: {exc}")


def _fault(exc: BaseException) -> str:
    """``"KeyError: 'x'"`` for an unexpected exception, safe whatever its message does."""
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 - a message that cannot be turned into text
        text = ""
    return f"{type(exc).__name__}: {text}"[:300].rstrip(": ")


def non_finite(value: Any) -> str:
    """Name the first NaN or infinity in a plain answer (``"NaN"``, ``"inf"``, ``"-inf"``), or ``""``.

    Looks through lists, tuples, sets, dict values and the values of Series and DataFrames (not their labels).
    """
    import math

    import numpy as np
    import pandas as pd

    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                return "NaN" if math.isnan(item) else ("inf" if item > 0 else "-inf")
        elif isinstance(item, complex):
            todo += [item.real, item.imag]
        elif isinstance(item, list | tuple | set | frozenset):
            todo.extend(item)
        elif isinstance(item, dict):
            todo.extend(item.values())
        elif isinstance(item, pd.Series | pd.DataFrame):
            frame = item.to_frame() if isinstance(item, pd.Series) else item
            for _, column in frame.items():
                if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(
                    column.dtype
                ):
                    values = column.to_numpy(dtype=float, na_value=np.nan)
                    bad = values[~np.isfinite(values)]
                    if bad.size:
                        return non_finite(float(bad[0]))
                else:
                    todo.extend(v for v in column.tolist() if isinstance(v, float | complex))
    return ""


def is_untouched(value: Any) -> bool:
    """True for the stub of the student edition: ``...``, or a non-empty container holding only ``...``.

    ``value`` is already plain data (decoded in the grader), so this inspects no student object.
    """
    if value is Ellipsis:
        return True
    if isinstance(value, list | tuple | set | frozenset) and value:
        return all(is_untouched(v) for v in value)
    if isinstance(value, dict) and value:
        return all(is_untouched(v) for v in value.values())
    return False


def _plain_text(entry: dict[str, Any]) -> str:
    """The string a ``user_expressions`` entry carries (its ``text/plain`` is the repr of a str)."""
    data = entry.get("data")
    text = data.get("text/plain") if isinstance(data, dict) else None
    if not isinstance(text, str):
        raise ExportError("the kernel's reply carries no text.")
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError) as exc:
        raise ExportError("the kernel's reply is not the text the grader asked for.") from exc
    if not isinstance(value, str):
        raise ExportError("the kernel's reply is not the text the grader asked for.")
    return value


def _describe_args(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    def short(v: Any) -> str:
        shape = getattr(v, "shape", None)
        if shape is not None and hasattr(v, "columns"):
            return f"<DataFrame {shape[0]}×{shape[1]}>"
        if shape is not None:
            return f"<{type(v).__name__} of {len(v)}>"
        text = repr(v)
        return text if len(text) <= 40 else text[:37] + "..."

    parts = [short(a) for a in args] + [f"{k}={short(v)}" for k, v in kwargs.items()]
    return ", ".join(parts)


class KernelCall:
    """``call(*args)`` for hidden tests: runs the student's function in the kernel, returns plain data.

    Each call is one round trip; its arguments and result travel as plain data. The call is stopped after the
    per-cell time limit.
    """

    def __init__(self, run: _Run, name: str, qid: str = "") -> None:
        self.run = run
        self.name = name
        self.qid = qid
        self.calls = 0
        self.all_ellipsis = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        run = self.run
        label = f"{self.name}({_describe_args(args, kwargs)})"
        if run.dead:
            raise StudentFunctionError(f"{label} could not be called: {run.dead[1]}")
        if run.remaining() <= 0:
            run.dead = run._submission_timeout()
            raise StudentTimeout(f"{label} could not be called: the notebook's time ran out.")
        payload = encode_args(args, kwargs)
        expr = f"{_EXPORT}.call({self.name}, {payload!r})"
        budget = run.budget()
        reply = run.kernel.execute("", budget, {"r": expr})
        if reply.status == "died":
            run.dead = (
                "error",
                f"Not graded: the kernel stopped while {label} ran ({reply.detail}).",
            )
            raise StudentFunctionError(f"{label} stopped the kernel: {reply.detail}.")
        if reply.status == "timeout":
            if reply.killed:
                run.dead = (
                    "error",
                    f"Not graded: the kernel had to be stopped after {label} ran too long.",
                )
            raise StudentTimeout(f"{label} did not return within {budget:g} s.")
        entry = reply.expressions.get("r") or {}
        if reply.status != "ok" or entry.get("status") != "ok":
            ename = str(entry.get("ename", reply.ename))
            if ename == "NameError":
                raise StudentFunctionError(
                    f"`{self.name}` is not defined when your notebook runs from the top: define the function "
                    "in the answer cell."
                )
            raise StudentFunctionError(
                f"{label} could not be called ({ename}: {entry.get('evalue', '')})."
            )
        try:
            outer = decode_json(_plain_text(entry))
        except ExportError as exc:
            raise StudentFunctionError(f"The result of {label} could not be read: {exc}") from exc
        self.calls += 1
        if "raised" in outer:
            kind, message = (list(outer["raised"]) + ["", ""])[:2]
            self.all_ellipsis = False
            raise StudentFunctionError(f"{label} raised {kind}: {message}".rstrip(": "), str(kind))
        if "err" in outer:
            self.all_ellipsis = False
            raise StudentFunctionError(f"The result of {label} could not be read: {outer['err']}")
        try:
            value = decode(outer.get("v"))
        except ExportError as exc:
            raise StudentFunctionError(f"The result of {label} could not be read: {exc}") from exc
        if not is_untouched(value):
            self.all_ellipsis = False
        if isinstance(value, Unexportable):
            raise StudentFunctionError(
                f"{label} returned an object of type {value.type_name}, which cannot be graded ({value.reason})."
            )
        view = plain_view(value)
        bad = non_finite(view)
        if bad and run.refuses_non_finite(self.qid):
            raise StudentFunctionError(
                f"{label} returned {bad}, which is not a number a test can check (a division by zero or a "
                "missing value?)."
            )
        return view


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
    for _attempt in range(2):
        kernel = Kernel(
            workdir,
            sockdir,
            ctx.sandbox,
            ctx.limits,
            data=data,
            seed=ctx.seed,
            extra=extra,  # type: ignore[arg-type]
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
    plan = reconcile(ctx.released, nb)
    if time.monotonic() - started >= ctx.limits.timeout:
        msg = f"Not graded: the whole notebook ran past its {ctx.limits.timeout:g} s limit."
        rows = [
            QuestionResult(q.qid, 0.0, q.points, "timeout", msg, [msg])
            for q in ctx.exercise.questions
        ]
        return SubmissionResult(sid, "", "", rows, [msg], time.monotonic() - started)
    slot = ctx.next_slot()
    kernel, folder = _start_kernel(ctx, slot)
    run = _Run(plan, ctx, kernel, started + ctx.limits.timeout, record)
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
        if q.kind == "manual":
            rows.append(_written(q.qid, q.points, qp.written, qp.missing, qp.recovered))
        elif q.qid in run.results:
            rows.append(run.results[q.qid])
        elif qp.missing:
            msg = "The answer cell is missing from the notebook (deleted?); no points."
            rows.append(QuestionResult(q.qid, 0.0, q.points, "missing", msg, [msg, *qp.restored]))
        elif run.states[q.qid].timeout or run.states[q.qid].error:
            st = run.states[q.qid]
            status, msg = ("timeout", st.timeout) if st.timeout else ("error", st.error)
            rows.append(QuestionResult(q.qid, 0.0, q.points, status, msg, [msg]))
        else:
            status, msg = run.dead or ("error", "Not graded: the answer cell was never reached.")
            rows.append(QuestionResult(q.qid, 0.0, q.points, status, msg, [msg]))
    notes = [*plan.notes, *run.notes]
    return SubmissionResult(sid, "", "", rows, notes, time.monotonic() - started)


def _written(
    qid: str, points: float, text: str | None, missing: bool, recovered: bool
) -> QuestionResult:
    if missing or text is None:
        msg = "The written-answer cell is missing from the notebook (deleted?)."
        return QuestionResult(qid, 0.0, points, "missing", msg, [msg])
    if is_blank_written(text):
        msg = "Not attempted: the written answer is still the prompt."
        return QuestionResult(qid, 0.0, points, "not_attempted", msg, [msg], written="")
    words = len(text.split())
    msg = f"Written answer ({words} words): graded by hand."
    details = [msg] + (
        ["(Found by its position: the cell had lost its marker.)"] if recovered else []
    )
    return QuestionResult(qid, None, points, "manual", msg, details, written=text)


# ---- many submissions ----------------------------------------------------------------------------------------


#: Longest submission id kept as it is (bytes of UTF-8): the feedback page and its temporary file must fit in a
#: file name of 255 bytes.
MAX_ID_BYTES = 120
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_.+=@-]+")


def submission_id(name: str) -> tuple[str, bool]:
    """The id of a submission file called ``name``, and whether it had to be changed.

    The id is the name without ``.ipynb``, unless that cannot name output files safely: text that is not
    UTF-8 (a name unpacked from a Latin-1 archive), control characters, path separators, a leading ``.``
    (a hidden file) or more than :data:`MAX_ID_BYTES` bytes. Then the id is a cleaned, shortened form plus
    eight characters of a hash of the original name, so two such names never collide.
    """
    stem = name[: -len(".ipynb")] if name.endswith(".ipynb") else name
    try:
        encoded = stem.encode("utf-8")
        readable = True
    except UnicodeEncodeError:
        encoded, readable = b"", False
    safe = (
        readable
        and 0 < len(encoded) <= MAX_ID_BYTES
        and not stem.startswith(".")
        and not any(unicodedata.category(c).startswith("C") for c in stem)
        and "/" not in stem
        and "\\" not in stem
    )
    if safe:
        return stem, False
    shown = "".join("_" if 0xD800 <= ord(c) <= 0xDFFF else c for c in stem)
    cleaned = _UNSAFE_ID.sub("_", shown).strip("._-")[:60] or "submission"
    digest = hashlib.sha256(os.fsencode(name)).hexdigest()[:8]
    return f"{cleaned}-{digest}", True


def display_name(path: Path) -> str:
    """A file name as text that can always be written: undecodable bytes as ``\\xe9`` escapes."""
    return os.fsencode(Path(path).name).decode("utf-8", "backslashreplace")


def collect_submissions(inputs: Sequence[Path], source: Path) -> list[tuple[str, Path]]:
    """Expand files and folders into ``(submission id, path)`` pairs, sorted by id.

    Folders contribute the ``.ipynb`` files directly inside them, hidden ones (a name beginning with ``.``)
    included, so nothing handed in is skipped silently; the source notebook itself is skipped. A file whose name
    cannot serve as an id gets a sanitised one (:func:`submission_id`); :func:`grade` records the mapping.

    Raises
    ------
    GradingSetupError
        If a path does not exist, a file is not an ``.ipynb``, nothing is found, or two files share an id.
    """
    found: dict[str, Path] = {}
    source_resolved = source.resolve()
    for item in inputs:
        item = Path(item)
        if item.is_dir():
            files = sorted(p for p in item.glob("*.ipynb") if p.is_file())
        elif item.is_file():
            if item.suffix != ".ipynb":
                raise GradingSetupError(
                    f"{display_name(item)}: not a notebook (.ipynb); pass notebooks or folders of them."
                )
            files = [item]
        else:
            raise GradingSetupError(f"{display_name(item)}: no such file or folder.")
        for f in files:
            if f.resolve() == source_resolved:
                continue
            sid, _renamed = submission_id(f.name)
            if sid in found and found[sid].resolve() != f.resolve():
                raise GradingSetupError(
                    f"two submissions have the id {sid!r} ({display_name(found[sid])} and {display_name(f)}); "
                    "a submission's id is its file name, so rename one of them."
                )
            found[sid] = f
    if not found:
        raise GradingSetupError(
            "no submissions found: pass .ipynb files or folders that contain them."
        )
    return sorted(found.items())


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
    return result


@dataclass
class RunReport:
    """What a grading run did."""

    results: dict[str, SubmissionResult]
    graded: int
    resumed: int
    seconds: float
    sandbox: str
    jobs: int


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
    submissions = collect_submissions(inputs, source)
    if options.jobs < 1:
        raise GradingSetupError(f"--jobs must be at least 1, got {options.jobs}.")
    ctx = prepare(source, options)
    try:
        return _grade_all(source, submissions, Path(out), options, ctx, progress, say, t0)
    finally:
        cleanup(ctx)


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
    say(
        f"grading {len(todo)} submission(s) of {ctx.exercise.set_id} with {options.jobs} job(s), sandbox: {ctx.sandbox}"
    )
    if ctx.sandbox == "none":
        say(NO_ISOLATION_WARNING)
    ex = ctx.exercise
    rubrics = {q.qid: q.rubric or "" for q in ex.questions if q.kind == "manual"}
    renamed = {sid: path for sid, path in submissions if submission_id(path.name)[1]}
    if renamed:
        write_renamed(renamed, out / "renamed.csv")
        say(
            f"{len(renamed)} file name(s) could not serve as ids; the ids given are in {out / 'renamed.csv'}"
        )

    def write_tables() -> None:
        write_gradebook(results.values(), out / "gradebook.csv")
        write_summary(results.values(), out / "summary.csv")
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
    pool = ThreadPoolExecutor(max_workers=options.jobs, thread_name_prefix="coursekit-grade")
    futures: dict[Future[SubmissionResult], str] = {}
    try:
        queue = list(todo)
        while queue or futures:
            while queue and len(futures) < options.jobs:
                sid, path = queue.pop(0)
                futures[pool.submit(grade_file, path, sid, ctx)] = sid
            done, _ = wait(list(futures), return_when=FIRST_COMPLETED)
            for fut in done:
                sid = futures.pop(fut)
                try:
                    result = fut.result()
                except GraderFailure as exc:
                    raise GradingSetupError(str(exc)) from exc
                except Exception as exc:  # noqa: BLE001 - never let one submission end the run
                    path = dict(todo)[sid]
                    result = _error_result(
                        sid, _shown(path), _sha(path), ctx,
                        f"Not graded: the grader could not handle this notebook ({_fault(exc)}).", time.monotonic(),
                    )  # fmt: skip
                if ctx.stop.is_set():
                    continue
                if sid in renamed:
                    result.notes.append(
                        f"Graded as {sid}: the file name {display_name(renamed[sid])!r} cannot serve as an id."
                    )
                journal.append(result)
                results[sid] = result
                write_feedback(result, ex.title, ex.set_id, out / "feedback")
                write_tables()
                bar.update(len(results), sid)
    except BaseException:
        ctx.stop.set()
        with ctx.lock:
            live = list(ctx.live)
        for k in live:
            k.kill()
        pool.shutdown(wait=True, cancel_futures=True)
        bar.close()
        raise
    pool.shutdown(wait=True)
    bar.close()
    if options.junit is not None:
        write_junit(results.values(), options.junit, ex.set_id)
    return RunReport(results, len(todo), resumed, time.monotonic() - t0, ctx.sandbox, options.jobs)


def _sha(path: Path) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""
