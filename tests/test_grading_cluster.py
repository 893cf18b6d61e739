"""Grading on a Dask cluster (``coursekit grade --dask``, issue 19).

A class of a dozen submissions of the grader's self-test set (correct, partial, blank, erroring, unreadable) is
graded once locally; the same class graded on a cluster of real ``dask scheduler`` and ``dask worker`` processes
on 127.0.0.1 (started and stopped here, on random free ports, one thread per worker) must give the same
gradebook and summary. A worker killed mid-run must cost nothing: its submission is sent again and every
submission is recorded exactly once; past the bound, the lost submission gets ``error`` rows saying why.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
from grading_cases import answer, correct, student_edition, submission, write, write_source

pytest.importorskip("distributed")

from coursekit.grading.cluster import DaskDispatch, parse_target  # noqa: E402
from coursekit.grading.grader import Options, grade  # noqa: E402
from coursekit.grading.kernel import Limits  # noqa: E402
from coursekit.messages import msg  # noqa: E402

DASK = Path(sys.executable).parent / "dask"
LIMITS = ["--cell-timeout", "10", "--timeout", "60", "--memory-mb", "512"]
SLOW_CELL = "import time\ntime.sleep(2)"


# ---- the class ----------------------------------------------------------------------------------------------


def _edits() -> dict[str, object]:
    return {
        "correct1": None,
        "correct2": None,
        "correct3": lambda nb: answer(nb, "q4", "Broadly yes: informal security cooperation."),
        "partial_year": lambda nb: answer(nb, "q1", "peak_year = 2018"),
        "partial_function": lambda nb: answer(nb, "q2", "    return power * proximity * 1.5"),
        "partial_frame": lambda nb: answer(
            nb, "q3", 'per_year = events.groupby("year").size().reset_index(name="count")'
        ),
        "error_divide": lambda nb: answer(nb, "q1", "peak_year = 1 / 0"),
        "error_function": lambda nb: answer(nb, "q2", '    raise ValueError("not yet")'),
        "error_syntax": lambda nb: answer(nb, "q3", "per_year = ("),
    }


def make_class(source: Path, folder: Path, slow: bool = False) -> Path:
    """Twelve submissions; with ``slow``, each notebook also runs a cell of its own that sleeps 2 s."""
    folder.mkdir(parents=True)
    notebooks: dict[str, nbformat.NotebookNode] = {}
    for sid, edit in _edits().items():
        notebooks[sid] = submission(source, edit) if edit is not None else correct(source)  # type: ignore[arg-type]
    notebooks["blank1"] = student_edition(source)
    notebooks["blank2"] = student_edition(source)
    for sid, nb in notebooks.items():
        if slow:  # a window in which a worker is surely busy with a submission
            nb.cells.insert(2, nbformat.v4.new_code_cell(SLOW_CELL))
        write(nb, folder / f"{sid}.ipynb")
    write("{not json", folder / "unreadable.ipynb")
    return folder


def run_cli(*args: str | Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coursekit", "grade", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def tables(out: Path) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The gradebook and the summary (without the timing column), in file order."""
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as fh:
        book = list(csv.DictReader(fh))
    with open(out / "summary.csv", newline="", encoding="utf-8") as fh:
        summary = [{k: v for k, v in row.items() if k != "seconds"} for row in csv.DictReader(fh)]
    return book, summary


def journal_ids(out: Path) -> list[str]:
    lines = (out / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["result"]["submission"] for line in lines if line.strip()]


@dataclass
class Graded:
    source: Path
    subs: Path
    out: Path
    book: list[dict[str, str]]
    summary: list[dict[str, str]]


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Graded:
    """The class graded on this machine, the reference for every cluster run."""
    base = tmp_path_factory.mktemp("cluster-class")
    source = write_source(base)
    subs = make_class(source, base / "subs")
    out = base / "local"
    proc = run_cli(source, subs, "--out", out, "--jobs", "2", *LIMITS)
    assert proc.returncode == 0, proc.stderr
    book, summary = tables(out)
    assert len(summary) == 12 and len(book) == 12 * 4
    statuses = {row["status"] for row in book}
    assert {"passed", "partial", "error", "not_attempted", "manual"} <= statuses, statuses
    return Graded(source, subs, out, book, summary)


# ---- a real cluster: one scheduler and worker processes on 127.0.0.1 ----------------------------------------


@dataclass
class Cluster:
    folder: Path
    scheduler: subprocess.Popen[bytes]
    address: str
    env: dict[str, str]
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def add_worker(self) -> subprocess.Popen[bytes]:
        n = len(self.workers)
        log = open(self.folder / f"worker{n}.log", "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            [str(DASK), "worker", self.address, "--host", "127.0.0.1", "--nthreads", "1",
             "--nworkers", "1", "--no-dashboard", "--death-timeout", "60", "--name", f"w{n}"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=self.env,
        )  # fmt: skip
        self.workers.append(proc)
        return proc

    def wait_for_workers(self, count: int, timeout: float = 120) -> None:
        from distributed import Client

        with Client(self.address, timeout=30) as client:
            client.wait_for_workers(count, timeout=timeout)

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        """Kill a process and everything it started (a worker and its nanny: nothing restarts it)."""
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=30)

    def stop(self) -> None:
        for proc in [*self.workers, self.scheduler]:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(timeout=15)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    self.kill(proc)


def start_cluster(folder: Path, workers: int = 2, allowed_failures: int | None = None) -> Cluster:
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    if (
        allowed_failures is not None
    ):  # how often the scheduler itself re-runs a task whose worker died
        env["DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES"] = str(allowed_failures)
    info = folder / "scheduler.json"
    log = open(folder / "scheduler.log", "wb")  # noqa: SIM115 - closed with the process
    scheduler = subprocess.Popen(
        [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
         "--scheduler-file", str(info)],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    address = ""
    while not address:
        if scheduler.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError((folder / "scheduler.log").read_text(errors="replace"))
        try:
            address = json.loads(info.read_text())["address"]
        except (OSError, ValueError, KeyError):
            time.sleep(0.2)
    cluster = Cluster(folder, scheduler, address, env)
    try:
        for _ in range(workers):
            cluster.add_worker()
        cluster.wait_for_workers(workers)
    except BaseException:
        cluster.stop()
        raise
    return cluster


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    c = start_cluster(tmp_path_factory.mktemp("dask"))
    yield c
    c.stop()


@pytest.fixture
def fragile_cluster(tmp_path: Path) -> Iterator[Cluster]:
    """A cluster whose scheduler gives up on a task at the first worker lost under it (KilledWorker)."""
    c = start_cluster(tmp_path / "dask", allowed_failures=0)
    yield c
    c.stop()


# ---- the same grades ----------------------------------------------------------------------------------------


def test_cluster_grades_exactly_as_locally(local: Graded, cluster: Cluster, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cli(local.source, local.subs, "--out", out, "--dask", cluster.address, *LIMITS)
    assert proc.returncode == 0, proc.stderr
    assert "Graded 12 submission(s) (0 resumed)" in proc.stdout
    assert f"on the Dask cluster at {cluster.address}: 2 worker(s)" in proc.stderr
    assert tables(out) == (local.book, local.summary)
    assert sorted(journal_ids(out)) == sorted(r["submission"] for r in local.summary)
    assert sorted(p.name for p in (out / "feedback").iterdir()) == sorted(
        p.name for p in (local.out / "feedback").iterdir()
    )


def test_cluster_run_resumes_from_the_journal(
    local: Graded, cluster: Cluster, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    shutil.copytree(local.out, out)
    journal = out / "journal.jsonl"
    lines = journal.read_text(encoding="utf-8").splitlines()
    journal.write_text("\n".join(lines[:8]) + "\n", encoding="utf-8")
    (out / "gradebook.csv").unlink()
    proc = run_cli(local.source, local.subs, "--out", out, "--dask", cluster.address, *LIMITS)
    assert proc.returncode == 0, proc.stderr
    assert "Graded 4 submission(s) (8 resumed)" in proc.stdout
    assert "grading 4 submission(s)" in proc.stderr  # only the ones not journaled were sent
    assert tables(out) == (local.book, local.summary)
    ids = journal_ids(out)
    assert len(ids) == len(set(ids)) == 12


def test_interrupted_cluster_run_exits_130_and_resumes(
    local: Graded, cluster: Cluster, tmp_path: Path
) -> None:
    subs = make_class(local.source, tmp_path / "slow", slow=True)
    out = tmp_path / "out"
    args = [sys.executable, "-m", "coursekit", "grade", str(local.source), str(subs), "--out", str(out),
            "--dask", cluster.address, *LIMITS]  # fmt: skip
    grader = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 300
        while not ((out / "journal.jsonl").exists() and journal_ids(out)):
            assert time.monotonic() < deadline and grader.poll() is None, "no result arrived"
            time.sleep(0.05)
        grader.send_signal(signal.SIGINT)
        _, stderr = grader.communicate(timeout=120)
    finally:
        if grader.poll() is None:
            grader.kill()
    assert grader.returncode == 130, stderr
    first = journal_ids(out)
    assert 1 <= len(first) < 12 and len(first) == len(set(first))
    assert len(tables(out)[1]) == len(first)  # the tables were written for what the journal holds
    proc = run_cli(local.source, subs, "--out", out, "--dask", cluster.address, *LIMITS)
    assert proc.returncode == 0, proc.stderr
    assert f"Graded {12 - len(first)} submission(s) ({len(first)} resumed)" in proc.stdout
    ids = journal_ids(out)
    assert len(ids) == len(set(ids)) == 12
    assert tables(out) == (local.book, local.summary)


def test_local_cluster_of_two_workers(local: Graded, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cli(local.source, local.subs, "--out", out, "--dask", "local:2", *LIMITS)
    assert proc.returncode == 0, proc.stderr
    assert "2 worker(s), 2 thread(s)" in proc.stderr
    assert "2 job(s)" in proc.stdout
    assert tables(out) == (local.book, local.summary)


# ---- a worker lost mid-run ----------------------------------------------------------------------------------


def _kill_when_first_result(out: Path, cluster: Cluster, victim: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 300
    journal = out / "journal.jsonl"
    while time.monotonic() < deadline:
        if journal.exists() and journal.read_text(encoding="utf-8").strip():
            cluster.kill(victim)
            return
        time.sleep(0.05)
    raise AssertionError("no result arrived")


def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(
    local: Graded, fragile_cluster: Cluster, tmp_path: Path
) -> None:
    subs = make_class(local.source, tmp_path / "slow", slow=True)
    out = tmp_path / "out"
    grader = subprocess.Popen(
        [sys.executable, "-m", "coursekit", "grade", str(local.source), str(subs), "--out", str(out),
         "--dask", fragile_cluster.address, *LIMITS],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        _kill_when_first_result(out, fragile_cluster, fragile_cluster.workers[1])
        stdout, stderr = grader.communicate(timeout=600)
    finally:
        if grader.poll() is None:
            grader.kill()
    assert fragile_cluster.workers[1].poll() is not None  # the worker really is gone
    assert grader.returncode == 0, stderr
    assert (
        "its worker was lost" in stderr and "sending it again" in stderr
    )  # it was busy when killed
    assert "Graded 12 submission(s) (0 resumed)" in stdout
    ids = journal_ids(out)
    assert len(ids) == len(set(ids)) == 12
    assert tables(out) == (local.book, local.summary)


def test_a_submission_whose_workers_keep_dying_gets_error_rows(
    local: Graded, fragile_cluster: Cluster, tmp_path: Path
) -> None:
    subs = make_class(local.source, tmp_path / "slow", slow=True)
    out = tmp_path / "out"
    dispatch = DaskDispatch(fragile_cluster.address, resubmits=0)
    options = Options(limits=Limits(cell_timeout=10, timeout=60, memory_mb=512), dispatch=dispatch)
    done: dict[str, object] = {}

    def run() -> None:
        try:
            done["report"] = grade(local.source, [subs], out, options)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            done["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    _kill_when_first_result(out, fragile_cluster, fragile_cluster.workers[1])
    thread.join(timeout=600)
    assert "error" not in done, done.get("error")
    book, summary = tables(out)
    ids = journal_ids(out)
    assert len(ids) == len(set(ids)) == 12 and len(summary) == 12
    lost_text = msg("grade.cluster.worker_lost", tries=1)
    lost = sorted({row["submission"] for row in book if row["message"] == lost_text})
    # the submissions the scheduler had handed to the killed worker: the one running and, as the scheduler
    # keeps a worker's next task ready (worker-saturation), maybe one more; none is sent again
    assert 1 <= len(lost) <= 2, lost
    assert all(row["status"] == "error" for row in book if row["submission"] in lost)
    assert [r for r in book if r["submission"] not in lost] == [
        r for r in local.book if r["submission"] not in lost
    ]


# ---- Dask stays optional ------------------------------------------------------------------------------------


def test_local_grading_never_imports_dask(local: Graded, tmp_path: Path) -> None:
    one = tmp_path / "one"
    one.mkdir()
    shutil.copy(local.subs / "correct1.ipynb", one)
    code = (
        "import sys\nfrom coursekit.cli import main\n"
        f"status = main(['grade', {str(local.source)!r}, {str(one)!r}, '--out', {str(tmp_path / 'out')!r},"
        " '--jobs', '1'])\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed'))\n"
        "print('STATUS', status, 'LOADED', loaded)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert "STATUS 0 LOADED []" in proc.stdout, proc.stdout + proc.stderr


def test_parse_target() -> None:
    assert parse_target("local") == (None, None)
    assert parse_target("local:3") == (None, 3)
    assert parse_target("tcp://10.0.0.5:8786") == ("tcp://10.0.0.5:8786", None)
    for bad in ("local:0", "local:x", "local:-1", ""):
        with pytest.raises(ValueError):
            parse_target(bad)


def test_a_bad_dask_argument_is_exit_2(local: Graded, tmp_path: Path) -> None:
    proc = run_cli(local.source, local.subs, "--out", tmp_path / "out", "--dask", "local:0")
    assert proc.returncode == 2
    assert "--dask local:N needs a positive number of workers" in proc.stderr


def test_workers_grade_an_old_release_against_its_instructor_copy(
    cluster: Cluster, tmp_path: Path
) -> None:
    """``--release`` reaches the workers: a notebook of an earlier release is graded against that release on
    the cluster exactly as on the grader's own machine (not against the current source, with a question
    "missing")."""
    from test_grading_lms import two_releases

    old, current, subs = two_releases(tmp_path)

    here = run_cli(current, subs, "--out", tmp_path / "here", "--release", old, *LIMITS)
    there = run_cli(
        current,
        subs,
        "--out",
        tmp_path / "there",
        "--release",
        old,
        "--dask",
        cluster.address,
        *LIMITS,
    )
    assert here.returncode == 0, here.stderr
    assert there.returncode == 0, there.stderr
    assert tables(tmp_path / "there") == tables(tmp_path / "here")
    book, _ = tables(tmp_path / "there")
    old_rows = {r["question"]: r["status"] for r in book if r["submission"] == "old_student"}
    assert old_rows == {"q1": "passed", "q2": "passed", "q3": "passed", "q4": "manual"}
