"""Grading on a Dask distributed cluster (``coursekit grade --dask ADDRESS`` or ``--dask local[:N]``).

The grader's own process stays where it is: it reads the submissions, runs the preflight, keeps the journal and
writes the CSV files and the feedback (:func:`coursekit.grading.grader.grade`). Only the grading of each
submission moves: :class:`DaskDispatch` sends one task per submission to the cluster and yields each result as
its task finishes, into the same loop that records local results.

A task is self-contained, so the workers need no shared file system: it carries the submission's bytes and a
:class:`ContextSpec` (the source notebook's bytes, the limits, the sandbox mode the grader chose, the preflight's
findings). Each worker process prepares its grading context once per run (:func:`worker_context`: the student
edition, the compiled hidden tests, its own preflight) and then calls :func:`coursekit.grading.grader.grade_file`
for each task, exactly as local grading does: a new sandboxed, limited kernel per submission, the hidden tests in
the worker's own (trusted) process, never in a student's kernel.

A worker that dies or is lost mid-task: the scheduler re-runs its task elsewhere up to its ``allowed-failures``
bound, then reports ``KilledWorker``; the grader then sends the submission again up to ``resubmits`` times, and
after that records ``error`` rows saying the grading machine was lost. Every submission is recorded exactly once.

Dask is an optional extra (``pip install coursekit[cluster]``): this module imports it only inside the
functions that talk to a cluster, and local grading never imports this module.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coursekit import __version__
from coursekit.grading.grader import (
    MAX_SUBMISSION_BYTES,
    Context,
    GraderFailure,
    GradingSetupError,
    Options,
    add_release,
    cleanup,
    grade_file,
    preflight,
    prepare,
    run_key,
    share_findings,
)
from coursekit.grading.intake import shown_path
from coursekit.grading.kernel import Limits
from coursekit.grading.results import QuestionResult, SubmissionResult
from coursekit.messages import msg

__all__ = [
    "ContextSpec",
    "DaskDispatch",
    "RESUBMITS",
    "grade_task",
    "parse_target",
    "worker_context",
]

#: Times the grader sends a submission again after the cluster gave up on it because its workers died
#: (``KilledWorker``, on top of the scheduler's own ``allowed-failures`` re-runs) or lost it.
RESUBMITS = 1
#: Seconds to wait for the scheduler to answer when connecting.
CONNECT_TIMEOUT = 30.0
#: Tasks in flight at most: this many per worker thread, and never fewer than ``MIN_WINDOW``. The rest wait in
#: the grader, so a class of 100,000 notebooks is never all held by the scheduler at once.
WINDOW_PER_THREAD = 4
MIN_WINDOW = 64


@dataclass(frozen=True)
class ContextSpec:
    """What a worker needs to grade the submissions of one run, on a machine that shares no files with the grader.

    Attributes
    ----------
    run_key : str
        The run's journal key (source, grader version, limits, sandbox): a worker's cache key.
    source_name : str
        The source notebook's file name (hidden-test error messages name it).
    source : bytes
        The source notebook.
    limits : Limits
    sandbox : str
        The mode the grader resolved (``bwrap`` or ``none``); a worker that cannot provide it refuses.
    non_finite_ok : frozenset of str
        Questions whose reference answer holds NaN or infinity (found by the grader's preflight).
    preflight : bool
        Whether each worker grades the reference solution once before its first submission.
    version : str
        The grader's coursekit version; workers must run the same.
    releases : tuple of (str, bytes)
        The instructor copies of earlier releases given with ``--release`` (file name, contents): a worker grades
        a submission stamped with one of them against it, as the grader's own machine does.
    kernels : str
        ``--kernels`` as given (``auto``, ``warm`` or ``fresh``); each worker resolves it for its own machine.
    """

    run_key: str
    source_name: str
    source: bytes
    limits: Limits
    sandbox: str
    non_finite_ok: frozenset[str]
    preflight: bool
    version: str
    releases: tuple[tuple[str, bytes], ...] = ()
    kernels: str = "auto"


def parse_target(text: str) -> tuple[str | None, int | None]:
    """Read ``--dask``: ``local`` or ``local:N`` gives ``(None, N or None)``, anything else ``(address, None)``.

    Raises
    ------
    ValueError
        For ``local:N`` with N not a positive whole number, or an empty address.
    """
    text = text.strip()
    if text == "local":
        return None, None
    if text.startswith("local:"):
        count = text.split(":", 1)[1]
        if not count.isdigit() or int(count) < 1:
            raise ValueError(f"--dask local:N needs a positive number of workers, got {text!r}")
        return None, int(count)
    if not text:
        raise ValueError("--dask needs a scheduler address (tcp://host:8786) or local[:N]")
    return text, None


# ---- on a worker ---------------------------------------------------------------------------------------------

_CONTEXTS: dict[str, Context] = {}
_FAILED: dict[str, str] = {}
_LOCK = threading.Lock()


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return f"pid {os.getpid()}"


def worker_context(spec: ContextSpec) -> Context:
    """This worker process's grading context for ``spec``'s run, prepared (and preflighted) on first use.

    Raises
    ------
    GradingSetupError
        If this worker cannot grade: another coursekit version, a sandbox mode it cannot provide, or a reference
        solution that does not earn full marks here. The failure is remembered, so later tasks fail at once.
    """
    # a worker of a long-lived cluster may serve several runs of one source, with other releases or kernels
    key = "|".join(
        [spec.run_key, spec.kernels, *(hashlib.sha256(c).hexdigest() for _, c in spec.releases)]
    )
    with _LOCK:
        if key in _CONTEXTS:
            return _CONTEXTS[key]
        if key in _FAILED:
            raise GradingSetupError(_FAILED[key])
        folder = Path(tempfile.mkdtemp(prefix="coursekit-worker-"))
        try:
            if spec.version != __version__:
                raise GradingSetupError(
                    f"the worker has coursekit {__version__} and the grader {spec.version}; "
                    "install the same version on every worker"
                )
            source = folder / spec.source_name
            source.write_bytes(spec.source)
            options = Options(
                limits=spec.limits,
                sandbox=spec.sandbox,
                preflight=spec.preflight,
                kernels=spec.kernels,
            )
            ctx = prepare(source, options)
            for number, (name, contents) in enumerate(spec.releases):
                copy = folder / f"release-{number}" / name
                copy.parent.mkdir()
                copy.write_bytes(contents)
                add_release(ctx, copy)
        except GradingSetupError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            _FAILED[key] = str(exc)
            raise
        ctx.non_finite_ok = set(spec.non_finite_ok)
        if spec.preflight:
            try:
                preflight(ctx)
            except (GradingSetupError, GraderFailure) as exc:
                cleanup(ctx)
                shutil.rmtree(folder, ignore_errors=True)
                _FAILED[key] = str(exc)
                raise GradingSetupError(str(exc)) from exc
            ctx.non_finite_ok |= set(spec.non_finite_ok)
        share_findings(ctx)  # the grader's findings added to this worker's own
        atexit.register(shutil.rmtree, folder, True)
        atexit.register(cleanup, ctx)
        _CONTEXTS[key] = ctx
        return ctx


def grade_task(spec: ContextSpec, sid: str, raw: bytes) -> tuple[str, Any]:
    """The task run on a worker for one submission: grade ``raw`` as submission ``sid``.

    Returns ``("ok", result as a dict)``, or ``("setup", text)`` when this worker cannot grade at all (the grader
    then stops with exit status 2), or ``("failure", text)`` when no kernel can start on it. Any other exception
    is a fault of the grader on this submission and becomes its ``error`` rows, as in local grading.
    """
    try:
        ctx = worker_context(spec)
    except GradingSetupError as exc:
        return "setup", f"worker {_worker_name()}: {exc}"
    folder = Path(tempfile.mkdtemp(prefix="in-", dir=ctx.tmp))
    try:
        path = folder / f"{sid}.ipynb"
        path.write_bytes(raw)
        result = grade_file(path, sid, ctx)
    except GraderFailure as exc:
        return "failure", f"worker {_worker_name()}: {exc}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return "ok", result.to_dict()


# ---- in the grader's process ---------------------------------------------------------------------------------


def lost_result(sid: str, path: Path, sha: str, ctx: Context, tries: int) -> SubmissionResult:
    """``error`` rows for a submission whose grading machine was lost ``tries`` times."""
    text = msg("grade.cluster.worker_lost", tries=tries)
    rows = [
        QuestionResult(q.qid, 0.0, q.points, "error", text, [text]) for q in ctx.exercise.questions
    ]
    return SubmissionResult(sid, shown_path(path), sha, rows, [text], 0.0)


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise GradingSetupError(
            "--dask needs Dask's distributed scheduler: pip install 'coursekit[cluster]'"
        ) from exc
    return distributed


class DaskDispatch:
    """Grade submissions on a Dask cluster: a :class:`coursekit.grading.grader.Dispatch` for ``grade``.

    Parameters
    ----------
    target : str
        A scheduler address (``tcp://host:8786``, or anything ``distributed.Client`` accepts), or ``local`` /
        ``local:N`` to start a ``LocalCluster`` of N worker processes with one thread each (default: ``jobs``).
    jobs : int
        Workers of a ``local`` cluster when N is not given.
    resubmits : int
        Times a submission whose workers died is sent again before it gets ``error`` rows.
    connect_timeout : float
        Seconds to wait for the scheduler.
    preflight : bool
        Whether each worker grades the reference solution before its first submission (and stops the run
        with exit status 2 if it does not earn full marks there).
    kernels : {"auto", "warm", "fresh"}
        ``--kernels``: how each worker starts a submission's kernel (resolved on the worker's own machine).
    """

    def __init__(
        self,
        target: str,
        jobs: int = 1,
        resubmits: int = RESUBMITS,
        connect_timeout: float = CONNECT_TIMEOUT,
        preflight: bool = True,
        kernels: str = "auto",
    ) -> None:
        self.preflight = preflight
        self.kernels = kernels
        self.address, count = parse_target(target)
        self.local_workers = count or max(1, jobs)
        self.resubmits = resubmits
        self.connect_timeout = connect_timeout
        #: Worker threads seen when the run started (what the run report calls jobs).
        self.jobs = self.local_workers if self.address is None else 0
        #: Submissions sent again after their workers were lost (for the report and the tests).
        self.requeued: list[str] = []

    def _connect(self, say: Callable[[str], None]) -> tuple[Any, Any]:
        distributed = _import_distributed()
        cluster = None
        try:
            if self.address is None:
                say(f"starting a local Dask cluster of {self.local_workers} worker process(es)")
                cluster = distributed.LocalCluster(
                    n_workers=self.local_workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
                client = distributed.Client(cluster, timeout=self.connect_timeout)
            else:
                client = distributed.Client(self.address, timeout=self.connect_timeout)
        except (OSError, TimeoutError, ValueError) as exc:
            if cluster is not None:
                cluster.close()
            where = self.address or "a local cluster"
            raise GradingSetupError(
                f"cannot connect to the Dask scheduler at {where}: {exc}"
            ) from exc
        return client, cluster

    def __call__(
        self,
        todo: list[tuple[str, Path]],
        ctx: Context,
        source: Path,
        say: Callable[[str], None],
    ) -> Generator[tuple[str, SubmissionResult | BaseException], None, None]:
        """Send ``todo`` to the cluster and yield ``(submission id, result)`` as each task finishes."""
        # Files the grader would not read (too big) or cannot read: graded here, without a kernel, as locally.
        shipped: list[tuple[str, Path]] = []
        for sid, path in todo:
            try:
                size = Path(path).stat().st_size
            except OSError:
                size = -1
            if size < 0 or size > MAX_SUBMISSION_BYTES:
                yield sid, grade_file(path, sid, ctx)
            else:
                shipped.append((sid, path))
        if not shipped:
            return
        client, cluster = self._connect(say)
        distributed = _import_distributed()
        try:
            threads = sum(client.nthreads().values())
            self.jobs = threads
            say(
                f"grading {len(shipped)} submission(s) of {ctx.exercise.set_id} on the Dask cluster at "
                f"{client.scheduler.address}: {len(client.nthreads())} worker(s), {threads} thread(s), "
                f"one task per submission, sandbox: {ctx.sandbox}"
            )
            spec = ContextSpec(
                run_key=run_key(source, ctx),
                source_name=Path(source).name,
                source=Path(source).read_bytes(),
                limits=ctx.limits,
                sandbox=ctx.sandbox,
                non_finite_ok=frozenset(ctx.non_finite_ok),
                preflight=self.preflight,
                version=__version__,
                releases=tuple(
                    (Path(path).name, Path(path).read_bytes())
                    for path in (earlier.exercise.path for earlier in ctx.releases.values())
                    if path is not None
                ),
                kernels=self.kernels,
            )
            yield from self._run(client, distributed, spec, shipped, ctx, say)
        except BaseException:
            ctx.stop.set()
            client.close(timeout=10)
            if cluster is not None:
                cluster.close(timeout=10)
            raise
        client.close(timeout=10)
        if cluster is not None:
            cluster.close(timeout=10)

    def _run(
        self,
        client: Any,
        distributed: Any,
        spec: ContextSpec,
        shipped: list[tuple[str, Path]],
        ctx: Context,
        say: Callable[[str], None],
    ) -> Generator[tuple[str, SubmissionResult | BaseException], None, None]:
        paths = dict(shipped)
        queue = list(reversed(shipped))  # popped from the end: in id order
        attempts: dict[str, int] = {}
        live: dict[Any, tuple[str, str]] = {}  # future -> (submission id, sha256 of what was sent)
        pending = distributed.as_completed()
        checked = time.monotonic()
        window = max(MIN_WINDOW, WINDOW_PER_THREAD * max(1, self.jobs))
        tag = hashlib.sha256(os.urandom(16)).hexdigest()[:8]

        def send(sid: str) -> None:
            path = paths[sid]
            try:
                raw = Path(path).read_bytes()
            except OSError:
                raw = b""  # vanished since it was listed: grade_file on the worker reports it as not a notebook
            n = attempts.get(sid, 0)
            key = f"coursekit-grade-{tag}-{hashlib.sha256(sid.encode()).hexdigest()[:16]}-{n}"
            fut = client.submit(grade_task, spec, sid, raw, key=key, pure=False)
            live[fut] = (sid, hashlib.sha256(raw).hexdigest())
            pending.add(fut)

        try:
            while queue and len(live) < window:
                send(queue.pop()[0])
            for fut in pending:
                sid, sha = live.pop(fut)
                status = fut.status
                if status == "finished":
                    kind, payload = fut.result()
                    del fut
                    if kind == "ok":
                        result = SubmissionResult.from_dict(payload)
                        result.path = shown_path(paths[sid])
                        yield sid, result
                    else:  # "setup" or "failure": this cluster cannot grade; stop with exit status 2
                        raise GradingSetupError(str(payload))
                elif status == "error" and not isinstance(
                    fut.exception(), distributed.KilledWorker
                ):
                    yield sid, fut.exception()
                else:  # KilledWorker after the scheduler's own re-runs, or cancelled / lost
                    if client.status not in ("running", "connecting"):
                        raise GradingSetupError(
                            "lost the connection to the Dask scheduler; what was graded is in the journal, "
                            "run the same command again to carry on"
                        )
                    tries = attempts.get(sid, 0) + 1
                    if tries <= self.resubmits:
                        attempts[sid] = tries
                        self.requeued.append(sid)
                        say(f"{sid}: its worker was lost ({status}); sending it again")
                        send(sid)
                    else:
                        say(f"{sid}: its worker was lost {tries} time(s); recorded as error")
                        yield sid, lost_result(sid, paths[sid], sha, ctx, tries)
                if time.monotonic() - checked > 10:
                    checked = time.monotonic()
                    threads = sum(client.nthreads().values())
                    window = max(MIN_WINDOW, WINDOW_PER_THREAD * max(1, threads))
                while queue and len(live) < window:
                    send(queue.pop()[0])
        except BaseException:
            try:
                client.cancel(list(live), force=True)
            except Exception:  # noqa: BLE001 - a scheduler already gone has nothing left to cancel
                pass
            raise
