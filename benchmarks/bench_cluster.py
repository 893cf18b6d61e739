"""Measure grading on a Dask cluster against local grading, and the costs that limit it on N machines.

Usage::

    python benchmarks/bench_cluster.py              # 1,000 submissions: local --jobs W, then --dask local:W
    python benchmarks/bench_cluster.py --quick      # 24 submissions: proves the script works
    python benchmarks/bench_cluster.py --n 300 --workers 2 --source exercises/01-alliance-concepts.ipynb

It generates a class with ``bench_grading.make_class`` (40 % correct, 30 % partial, 15 % blank, 15 % broken) and
grades it twice, each time in a fresh process: on this machine's thread pool with ``W`` jobs, and on a Dask
``LocalCluster`` of ``W`` worker processes with one thread each (``--dask local:W``). For each it records the
wall time, the steady rate (results after the first, over the time from the first result to the last, which
leaves out the start-up: the preflight and, on the cluster, starting the workers and their own preflights) and
the CPU seconds of the run and everything it started and waited for (grader, Dask workers, kernels), which do not
depend on how busy the shared machine is.

It then measures the parts of the model for N machines separately:

* ``dispatch``: the per-task cost of Dask itself, from no-op tasks that carry what a grading task carries (the
  source notebook, a submission's bytes) and return a result of the usual size, on the same ``LocalCluster``;
* ``grader``: the grader process's own work per result: the journal append (flushed with fsync), the feedback
  page, and one rewrite of the gradebook, summary and manual CSV files at 100 and at N results (the rewrite is
  throttled to one every ``TABLES_EVERY`` seconds, so its cost per result falls as results come faster).

Prints one JSON object (the last line) and, unless ``--no-write``, writes ``benchmarks/RESULTS-cluster.md``.
Not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
sys.path.insert(0, str(BENCH))

from bench_grading import default_source, make_class  # noqa: E402
from run import machine  # noqa: E402

_WORKER = """
import json, sys, time
from pathlib import Path
from coursekit.grading.grader import Options, Progress, grade

class Clock(Progress):
    def __init__(self):
        super().__init__(0, False)
        self.first = self.last = None
        self.seen = 0
    def update(self, done, label=""):
        if done > self.seen and label:
            now = time.perf_counter()
            self.first = self.first or now
            self.last = now
        self.seen = done

source, subs, out, jobs, sandbox, dask = sys.argv[1:7]
options = Options(jobs=int(jobs), sandbox=sandbox, fresh=True)
if dask != "-":
    from coursekit.grading.cluster import DaskDispatch
    options.dispatch = DaskDispatch(dask, jobs=int(jobs))
clock = Clock()
t0 = time.perf_counter()
report = grade(Path(source), [Path(subs)], Path(out), options, progress=clock)
seconds = time.perf_counter() - t0
statuses = {}
for r in report.results.values():
    for q in r.questions:
        statuses[q.status] = statuses.get(q.status, 0) + 1
print(json.dumps({
    "statuses": dict(sorted(statuses.items())),
    "seconds": seconds,
    "first_result_s": clock.first - t0 if clock.first else None,
    "steady_s": (clock.last - clock.first) if clock.first else None,
    "graded": report.graded,
    "jobs": report.jobs,
    "sandbox": report.sandbox,
}))
"""

_DISPATCH = """
import json, os, sys, time
from pathlib import Path
import distributed
from coursekit.grading.cluster import ContextSpec
from coursekit.grading.kernel import Limits

source, sub, n, workers, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])

def noop(spec, sid, raw):  # what a grading task carries and returns, without the grading
    return "ok", {"submission": sid, "payload": "x" * size}

spec = ContextSpec("bench", "s.ipynb", Path(source).read_bytes(), Limits(), "none", frozenset(), False, "0")
raw = Path(sub).read_bytes()
cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=40)
client = distributed.Client(cluster)
client.submit(noop, spec, "warm", raw, pure=False).result()
cpu0 = os.times()
t0 = time.perf_counter()
pending = distributed.as_completed()
window = 64
queue = list(range(n))
live = 0
while queue and live < window:
    pending.add(client.submit(noop, spec, str(queue.pop()), raw, pure=False)); live += 1
for fut in pending:
    fut.result(); live -= 1
    while queue and live < window:
        pending.add(client.submit(noop, spec, str(queue.pop()), raw, pure=False)); live += 1
wall = time.perf_counter() - t0
cpu1 = os.times()
client.close(); cluster.close()
print(json.dumps({"tasks": n, "seconds": wall,
                  "client_and_scheduler_cpu_s": (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)}))
"""


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


class TreeCPU:
    """CPU seconds of a process and all its descendants (Dask workers, kernels in their sandboxes), sampled from
    ``/proc`` every 0.1 s: the last value seen per process, so slightly under. Kernels are not always reaped
    by the process that started them, so ``RUSAGE_CHILDREN`` alone would miss them."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.seen: dict[int, float] = {}
        self.tick = os.sysconf("SC_CLK_TCK")
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while not self.done.is_set():
            parents: dict[int, int] = {}
            cpu: dict[int, float] = {}
            for entry in os.listdir("/proc"):
                if not entry.isdigit():
                    continue
                try:
                    with open(f"/proc/{entry}/stat") as fh:
                        fields = fh.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                pid = int(entry)
                parents[pid] = int(fields[1])
                cpu[pid] = (int(fields[11]) + int(fields[12])) / self.tick
            for pid, value in cpu.items():
                p, hops = pid, 0
                while p not in (0, 1) and p != self.root and hops < 50:
                    p, hops = parents.get(p, 0), hops + 1
                if p == self.root:
                    self.seen[pid] = max(self.seen.get(pid, 0.0), value)
            time.sleep(0.1)

    def stop(self) -> float:
        self.done.set()
        self.thread.join()
        return sum(self.seen.values())


def run_grading(source: Path, subs: Path, jobs: int, sandbox: str, dask: str | None) -> dict:
    """Grade the class in a fresh process; wall time, steady rate and CPU seconds of everything it ran."""
    out = Path(tempfile.mkdtemp(prefix="bench-cluster-out-"))
    load = os.getloadavg()[0]
    cpu0 = _children_cpu()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-c", _WORKER, str(source), str(subs), str(out), str(jobs), sandbox,
             dask or "-"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        )  # fmt: skip
        tree = TreeCPU(proc.pid)
        stdout, stderr = proc.communicate()
        sampled = tree.stop()
        reaped = _children_cpu() - cpu0  # the grader and what was reaped under it
        cpu = max(sampled, reaped)
        if proc.returncode != 0:
            raise RuntimeError(f"grading failed ({proc.returncode}):\n{stderr[-3000:]}")
        result = json.loads(stdout.strip().splitlines()[-1])
        journal = out / "journal.jsonl"
        sample = journal.read_text(encoding="utf-8").splitlines()
    finally:
        shutil.rmtree(out, ignore_errors=True)
    n = result["graded"]
    result["cpu_seconds"] = round(cpu, 1)
    result["cpu_seconds_per_submission"] = round(cpu / max(1, n), 3)
    result["submissions_per_minute"] = round(n / result["seconds"] * 60, 1)
    if result["steady_s"]:
        result["steady_submissions_per_minute"] = round((n - 1) / result["steady_s"] * 60, 1)
    for key in ("seconds", "first_result_s", "steady_s"):
        if result.get(key) is not None:
            result[key] = round(result[key], 2)
    result["load_average_before"] = round(load, 2)
    result["load_average_after"] = round(os.getloadavg()[0], 2)
    result["_journal"] = sample
    return result


def dispatch_cost(source: Path, sub: Path, n: int, workers: int, result_bytes: int) -> dict:
    """Per-task cost of Dask itself on a LocalCluster: no-op tasks carrying a grading task's payload."""
    cpu0 = _children_cpu()
    proc = subprocess.run(
        [sys.executable, "-c", _DISPATCH, str(source), str(sub), str(n), str(workers), str(result_bytes)],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"dispatch benchmark failed:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    total_cpu = _children_cpu() - cpu0  # includes the cluster's start and the workers
    return {
        "tasks": n,
        "payload_kb": round((source.stat().st_size + sub.stat().st_size) / 1024, 1),
        "result_kb": round(result_bytes / 1024, 1),
        "ms_per_task_wall": round(out["seconds"] / n * 1000, 2),
        "tasks_per_second": round(n / out["seconds"], 1),
        "client_and_scheduler_cpu_ms_per_task": round(
            out["client_and_scheduler_cpu_s"] / n * 1000, 2
        ),
        "all_processes_cpu_s_incl_start": round(total_cpu, 2),
    }


def grader_costs(journal_lines: list[str], n: int) -> dict:
    """The grader process's own work per result, from real results (the local run's journal)."""
    from coursekit.grading.results import (
        Journal,
        SubmissionResult,
        write_feedback,
        write_gradebook,
        write_manual,
        write_summary,
    )

    base = [SubmissionResult.from_dict(json.loads(line)["result"]) for line in journal_lines]
    folder = Path(tempfile.mkdtemp(prefix="bench-cluster-grader-"))
    try:
        results = []
        for i in range(n):
            r = SubmissionResult.from_dict(base[i % len(base)].to_dict())
            r.submission = f"student{i:05d}"
            results.append(r)
        journal = Journal(folder / "journal.jsonl", "bench")
        t = time.perf_counter()
        for r in results[:200]:
            journal.append(r)
        append_ms = (time.perf_counter() - t) / 200 * 1000
        t = time.perf_counter()
        for r in results[:200]:
            write_feedback(r, "Bench", "bench", folder / "feedback")
        feedback_ms = (time.perf_counter() - t) / 200 * 1000
        rubrics = {q.question: "rubric" for q in base[0].questions if q.status == "manual"}

        def tables(k: int) -> float:
            t = time.perf_counter()
            write_gradebook(results[:k], folder / "gradebook.csv")
            write_summary(results[:k], folder / "summary.csv")
            if rubrics:
                write_manual(results[:k], rubrics, folder / "manual.csv")
            return (time.perf_counter() - t) * 1000

        return {
            "journal_append_ms": round(append_ms, 2),
            "feedback_page_ms": round(feedback_ms, 2),
            "tables_rewrite_ms_at_100": round(tables(min(100, n)), 1),
            f"tables_rewrite_ms_at_{n}": round(tables(n), 1),
            "n": n,
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def model(result: dict) -> dict:
    """Throughput on N machines of 2 cores: the least of the workers', the grader process's and the scheduler's
    rates. The table rewrites take at most a tenth of the grader's time (their interval grows with their cost)."""
    from coursekit.grading.grader import TABLES_EVERY

    per_sub_cpu = result["cluster"]["cpu_seconds_per_submission"]
    g = result["grader"]
    n = g["n"]
    rewrite_s = g[f"tables_rewrite_ms_at_{n}"] / 1000
    grader_ms = g["journal_append_ms"] + g["feedback_page_ms"]
    table_share = min(0.1, rewrite_s / TABLES_EVERY)
    grader_per_s = (1 - table_share) / (grader_ms / 1000)
    sched_per_s = 1000 / max(result["dispatch"]["client_and_scheduler_cpu_ms_per_task"], 1e-6)
    shared_per_s = 1 / (1 / grader_per_s + 1 / sched_per_s)  # scheduler in the grader's process
    rows = []
    for machines in (1, 4, 16, 32, 64, 128):
        workers_per_s = machines * 2 / per_sub_cpu  # 2 cores each, one worker thread per core
        rates = {"workers": workers_per_s, "grader": grader_per_s, "scheduler": sched_per_s}
        limit = min(rates, key=lambda k: rates[k])
        rows.append(
            {
                "machines_of_2_cores": machines,
                "per_minute": round(rates[limit] * 60),
                "limited_by": limit,
                "per_minute_scheduler_in_grader": round(min(workers_per_s, shared_per_s) * 60),
            }
        )
    return {
        "cpu_s_per_submission_on_workers": per_sub_cpu,
        "grader_ms_per_result": round(grader_ms, 2),
        "tables_share_max": round(table_share, 3),
        "grader_results_per_minute_max": round(grader_per_s * 60),
        "scheduler_tasks_per_minute_max": round(sched_per_s * 60),
        "scheduler_in_grader_per_minute_max": round(shared_per_s * 60),
        # before: every result rewrote the three files, so at n results the grader needed this long per result
        "unthrottled_per_minute_at_n": round(60_000 / (grader_ms + rewrite_s * 1000)),
        "rows": rows,
    }


def write_markdown(result: dict, path: Path) -> None:
    m = result["machine"]
    local, cluster = result["local"], result["cluster"]
    d, g, mod = result["dispatch"], result["grader"], result["model"]
    tables_at_n = g[f"tables_rewrite_ms_at_{g['n']}"]
    overhead = round(cluster["cpu_seconds_per_submission"] - local["cpu_seconds_per_submission"], 3)
    lines = [
        "# Grading on a Dask cluster: measurements",
        "",
        f"Written by `benchmarks/bench_cluster.py` on {result['measured_at']}. Machine: {m['cores']} cores "
        f"({m['cpu']}), {m['memory_gib']} GiB, Python {m['python']}, dask {result['dask_version']}. The machine "
        "was shared with other work, so wall times and rates depend on the load (given); CPU seconds do not.",
        "",
        f"Class: {result['submissions']} submissions of `{result['set']}` (mix {result['mix']}), sandbox "
        f"`{local['sandbox']}`. Local: {result['workers']} jobs. Cluster: `--dask local:{result['workers']}` "
        f"(a LocalCluster of {result['workers']} worker processes, 1 thread each).",
        "",
        "| run | wall s | first result after s | steady rate per min | overall per min | CPU s per submission | load before → after |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in (("local", local), ("cluster", cluster)):
        lines.append(
            f"| {name} | {r['seconds']} | {r['first_result_s']} | {r.get('steady_submissions_per_minute')} | "
            f"{r['submissions_per_minute']} | {r['cpu_seconds_per_submission']} | "
            f"{r['load_average_before']} → {r['load_average_after']} |"
        )
    same = "the same" if local.get("statuses") == cluster.get("statuses") else "DIFFERENT"
    lines += [
        "",
        f"Both runs gave {same} question statuses: local {local.get('statuses')}, cluster "
        f"{cluster.get('statuses')}.",
        "",
        f"CPU overhead of the cluster per submission: {overhead} s (cluster minus local, all processes: the grader, "
        "the Dask scheduler and workers, the kernels). It includes the cluster's start, each worker's own "
        "preflight, moving each task's data and the Dask processes' own housekeeping while they run; the part "
        "that is Dask's per-task work in the client and scheduler is measured below.",
        "",
        "## Per-task cost of Dask",
        "",
        f"{d['tasks']} no-op tasks, each carrying {d['payload_kb']} KB (the source notebook and one submission) "
        f"and returning {d['result_kb']} KB: {d['ms_per_task_wall']} ms per task of wall time "
        f"({d['tasks_per_second']} tasks per second), of which {d['client_and_scheduler_cpu_ms_per_task']} ms CPU "
        "in the process holding the client and the scheduler (a LocalCluster runs its scheduler in that process).",
        "",
        "## The grader's own work per result",
        "",
        f"Journal append with fsync {g['journal_append_ms']} ms, feedback page {g['feedback_page_ms']} ms; "
        f"rewriting the gradebook, summary and manual CSV files {g['tables_rewrite_ms_at_100']} ms at 100 "
        f"results and {tables_at_n} ms at {g['n']}. Before this change the files were "
        "rewritten after every result, a cost growing with the class (quadratic in all); now at most every "
        f"{result['tables_every']} s (or ten times the last rewrite's duration, if longer) and at the end.",
        "",
        "## Model for N machines",
        "",
        "Throughput is the least of three rates: the workers' (machines × cores ÷ CPU s per submission), the "
        "grader process's (one journal append and one feedback page per result, plus the throttled table "
        "rewrites) and the scheduler's (its CPU per task). Output writes happen only in the grader process.",
        "",
        f"- workers: {mod['cpu_s_per_submission_on_workers']} CPU s per submission (measured above)",
        f"- grader: {mod['grader_ms_per_result']} ms per result (journal and feedback page), and the table "
        f"rewrites at most {mod['tables_share_max']:.0%} of its time: at most "
        f"{mod['grader_results_per_minute_max']} per minute",
        f"- scheduler: at most {mod['scheduler_tasks_per_minute_max']} tasks per minute (from the per-task CPU, "
        "the client's and the scheduler's together: a bound for a scheduler in its own process)",
        f"- both in one process (`--dask local:N`): at most {mod['scheduler_in_grader_per_minute_max']} per minute",
        f"- before this change (all three files rewritten after every result) the grader alone could take at "
        f"most {mod['unthrottled_per_minute_at_n']} results per minute once {g['n']} were in, and ever fewer "
        "as the class grows",
        "",
        "| machines (2 cores each) | submissions per minute | limited by | scheduler in the grader's process |",
        "|---|---|---|---|",
    ]
    for row in mod["rows"]:
        lines.append(
            f"| {row['machines_of_2_cores']} | {row['per_minute']} | {row['limited_by']} | "
            f"{row['per_minute_scheduler_in_grader']} |"
        )
    lines += [
        "",
        "On a real cluster the scheduler has its own process but the client stays in the grader's, so the "
        "rate lies between the last two columns. The model leaves out the network (each task carries the source notebook and one submission, about 40 KB "
        "here, and returns about 4 KB) and the workers' start: each worker process prepares the run and grades "
        "the reference solution once, a few seconds before its first result.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=None, help="the exercise source notebook")
    parser.add_argument(
        "--n", type=int, default=1000, help="submissions in the class (default 1000)"
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="local jobs and cluster workers (default 2)"
    )
    parser.add_argument("--sandbox", choices=["auto", "bwrap", "none"], default="auto")
    parser.add_argument(
        "--quick", action="store_true", help="24 submissions: proves the script works"
    )
    parser.add_argument("--no-write", action="store_true", help="do not write RESULTS-cluster.md")
    parser.add_argument(
        "--from-json", type=Path, default=None,
        help="re-derive the model and rewrite RESULTS-cluster.md from this script's saved JSON output",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.from_json is not None:
        saved = json.loads(args.from_json.read_text(encoding="utf-8").strip().splitlines()[-1])
        saved["model"] = model(saved)
        write_markdown(saved, BENCH / "RESULTS-cluster.md")
        print(json.dumps(saved))
        return 0
    if args.quick:
        args.n = 24
    from importlib.metadata import version

    from coursekit.grading.grader import TABLES_EVERY

    source = (args.source or default_source()).resolve()
    folder = Path(tempfile.mkdtemp(prefix="bench-cluster-class-"))
    try:
        mix = make_class(source, args.n, folder)
        result: dict = {
            "set": source.stem,
            "submissions": args.n,
            "mix": mix,
            "workers": args.workers,
            "tables_every": TABLES_EVERY,
            "dask_version": version("distributed"),
            "machine": machine(),
        }
        for name, dask in (("local", None), ("cluster", f"local:{args.workers}")):
            print(f"[bench_cluster] {args.n} submissions, {name} ...", file=sys.stderr, flush=True)
            result[name] = run_grading(source, folder, args.workers, args.sandbox, dask)
        journal = result["local"].pop("_journal")
        result["cluster"].pop("_journal")
        print("[bench_cluster] dispatch and grader costs ...", file=sys.stderr, flush=True)
        sub = folder / "student000.ipynb"
        result_bytes = max(len(line) for line in journal)
        result["dispatch"] = dispatch_cost(
            source, sub, 200 if args.quick else 2000, args.workers, result_bytes
        )
        result["grader"] = grader_costs(journal, args.n)
        result["model"] = model(result)
        result["measured_at"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if not args.no_write:
        write_markdown(result, BENCH / "RESULTS-cluster.md")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    sys.exit(main())
