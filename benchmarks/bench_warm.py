"""Grading with pre-warmed and with fresh kernels, side by side (issue 21).

Usage::

    python benchmarks/bench_warm.py            # the class of 100, both kernel modes, 1 and 2 jobs (~5-10 min)
    python benchmarks/bench_warm.py --quick    # 10 submissions, 2 jobs: proves the script works (writes nothing)
    python benchmarks/bench_warm.py --no-write # the full run, printed only

Grades one class of set 05 (the typical data-based set: ``import pandas`` and the course data in its setup
cell) generated from the source notebook: 60 % correct, 20 % partial (about half the answers wrong), 10 % blank,
5 % erroring (an answer cell that raises) and 5 % with a slow cell (one second of ``time.sleep``). Each run is
``coursekit.grading.grader.grade`` in a fresh process (start-up, preflight and the zygotes' loading included),
in the ``bwrap`` sandbox, once per kernel mode (``fresh``, ``warm``) and job count.

Reported per run: submissions per minute, the same as a multiple of the *kernel floor* (an empty notebook's
kernel start and run through nbclient, measured in the same invocation: ``60 / rate / floor``, so 1.0 means a
submission costs what an empty notebook does), and CPU seconds per submission (the grader, zygotes and kernels,
from a cpuacct cgroup when the benchmark may create one, else sampled from ``/proc``): on a shared machine CPU
time is the fairer figure. Also the kernel start with zmq's reconnect interval at 5 ms (the grader's) against
100 ms (zmq's default), whether the warm and fresh gradebooks are identical, the machine and the load average.

Writes ``benchmarks/RESULTS-grading-modes.md`` and prints the JSON (last line). Not a test: nothing asserts.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from run import bench_floor, machine  # noqa: E402

SET = "05-case-timeline"
MIX = {"correct": 60, "partial": 20, "blank": 10, "erroring": 5, "slow": 5}
RESULTS = BENCH / "RESULTS-grading-modes.md"
CPUACCT = Path("/sys/fs/cgroup/cpuacct")


# ---- the class --------------------------------------------------------------------------------------------


def make_class(source: Path, n: int, folder: Path, seed: int = 21) -> dict[str, int]:
    """Write ``n`` submissions of ``source`` in the proportions of :data:`MIX`; return the count of each kind."""
    import nbformat

    from coursekit.exercises.format import load_source, make_student_edition, solution_parts
    from coursekit.grading.reconcile import index_release

    ex = load_source(source)
    edition = make_student_edition(ex)
    masks = {c.qid: c.stub_mask for c in index_release(ex, edition).by_role("solution")}
    blocks = {
        q.qid: solution_parts(ex.notebook.cells[q.solution_cell].source)[1]
        for q in ex.questions
        if q.kind != "manual" and q.solution_cell is not None
    }
    rng = random.Random(seed)

    def fill(nb: Any, qid: str, mode: str) -> None:
        for cell in nb.cells:
            meta = cell.metadata
            if (
                "solution" not in meta.get("tags", [])
                or meta.get("coursekit", {}).get("question") != qid
            ):
                continue
            lines, mask = cell.source.split("\n"), masks[qid]
            first, last = mask.index(True), len(mask) - 1 - mask[::-1].index(True)
            middle = list(blocks[qid])
            if mode == "wrong":
                middle = [line.replace("...", "None") for line in lines[first : last + 1]]
            elif mode in ("erroring", "slow"):
                indent = lines[first][: len(lines[first]) - len(lines[first].lstrip())]
                extra = "1 / 0" if mode == "erroring" else "__import__('time').sleep(1.0)"
                middle = [f"{indent}{extra}", *middle]
            cell.source = "\n".join(lines[:first] + middle + lines[last + 1 :])

    kinds = [kind for kind, share in MIX.items() for _ in range(share)]
    counts: dict[str, int] = {}
    qids = list(blocks)
    for i in range(n):
        kind = kinds[(i * len(kinds)) // n]
        counts[kind] = counts.get(kind, 0) + 1
        nb = make_student_edition(ex)
        if kind != "blank":
            special = qids[0] if kind in ("erroring", "slow") else None
            for qid in qids:
                mode = kind if qid == special else "correct"
                if kind == "partial" and rng.random() < 0.5:
                    mode = "wrong"
                fill(nb, qid, mode)
        nbformat.write(nb, folder / f"student{i:03d}.ipynb")
    return counts


# ---- one grading run, in its own process -------------------------------------------------------------------


def _sample_cpu(stop: threading.Event, seen: dict[int, float]) -> None:
    """CPU seconds of every grading kernel and zygote process, sampled from /proc (the fallback)."""
    tick = os.sysconf("SC_CLK_TCK")
    marks = ([b"-m", b"coursekit.grading.launcher"], [b"-m", b"coursekit.grading.warm"])
    while not stop.is_set():
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open(f"/proc/{name}/cmdline", "rb") as fh:
                    if fh.read().split(b"\0")[1:3] not in marks:
                        continue
                with open(f"/proc/{name}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                seen[int(name)] = (int(fields[11]) + int(fields[12])) / tick
            except (OSError, IndexError, ValueError):
                continue
        time.sleep(0.1)


def _cpu_group() -> Path | None:
    """Put this process (and all it starts) into a new cpuacct cgroup, where that is allowed (cgroup v1)."""
    for stale in CPUACCT.glob(
        "coursekit-bench-*"
    ):  # left by a run that was killed; only empty ones go
        try:
            stale.rmdir()
        except OSError:
            pass
    try:
        group = CPUACCT / f"coursekit-bench-{os.getpid()}"
        group.mkdir()
        (group / "cgroup.procs").write_text(str(os.getpid()))
        return group
    except OSError:
        return None


def worker(source: Path, subs: Path, out: Path, jobs: int, kernels: str) -> dict[str, Any]:
    """Grade the class once; return the figures of this run."""
    from coursekit.grading.grader import Options, grade

    group = _cpu_group()
    seen: dict[int, float] = {}
    stop = threading.Event()
    if group is None:
        threading.Thread(target=_sample_cpu, args=(stop, seen), daemon=True).start()
    said: list[str] = []
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    options = Options(jobs=jobs, sandbox="bwrap", fresh=True, kernels=kernels)
    report = grade(source, [subs], out, options, log=said.append)
    seconds = time.perf_counter() - t0
    stop.set()
    if group is not None:
        cpu = int((group / "cpuacct.usage").read_text()) / 1e9
        (CPUACCT / "cgroup.procs").write_text(str(os.getpid()))
        for _ in range(50):  # processes that just ended may still be counted for a moment
            try:
                group.rmdir()
                break
            except OSError:
                time.sleep(0.1)
    own = resource.getrusage(resource.RUSAGE_SELF)
    grader_cpu = own.ru_utime + own.ru_stime
    if group is None:
        cpu = grader_cpu + sum(seen.values())
    statuses: dict[str, int] = {}
    for r in report.results.values():
        for q in r.questions:
            statuses[q.status] = statuses.get(q.status, 0) + 1
    return {
        "kernels": report.kernels,
        "said": [line for line in said if "kernels:" in line],
        "graded": report.graded,
        "seconds": round(seconds, 2),
        "submissions_per_minute": round(report.graded / seconds * 60, 1),
        "cpu_seconds_per_submission": round(cpu / max(1, report.graded), 3),
        "grader_cpu_seconds_per_submission": round(grader_cpu / max(1, report.graded), 3),
        "cpu_measured_by": "cpuacct cgroup" if group is not None else "sampled from /proc",
        "load_average_before": round(load, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
        "statuses": statuses,
    }


def run_once(source: Path, subs: Path, out: Path, jobs: int, kernels: str) -> dict[str, Any]:
    proc = subprocess.run(
        [
            sys.executable,
            __file__,
            "--worker",
            str(source),
            str(subs),
            str(out),
            str(jobs),
            kernels,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"grading failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def reconnect_gain(starts: int) -> dict[str, Any]:
    """Median seconds from starting a sandboxed fresh kernel to its first cell's reply, per reconnect interval."""
    from coursekit.grading.kernel import Kernel, Limits, resolve_sandbox

    sandbox = resolve_sandbox("auto")
    times: dict[int, list[float]] = {5: [], 100: []}
    for _ in range(starts):
        for interval in times:  # alternating, so the machine's load falls on both alike
            base = Path(tempfile.mkdtemp(prefix="bench-warm-k-", dir="/tmp"))
            k = Kernel(base / "w", base / "k", sandbox, Limits())
            k.reconnect_ms = interval
            t = time.perf_counter()
            try:
                k.start()
                k.execute("x = 1", 30)
                times[interval].append(time.perf_counter() - t)
            finally:
                k.close()
                shutil.rmtree(base, ignore_errors=True)
    return {
        "sandbox": sandbox,
        "starts_each": starts,
        **{f"median_ms_{ivl}": round(statistics.median(v) * 1000) for ivl, v in times.items()},
    }


def kernel_parts(source: Path, kernels: int) -> dict[str, Any]:
    """A warm kernel's own CPU seconds when it is ready and after the set's setup cell (medians)."""
    from coursekit.exercises.format import load_source
    from coursekit.grading import warm
    from coursekit.grading.grader import _bibliography, _data_folder
    from coursekit.grading.kernel import Limits

    if warm.warm_support():
        return {"skipped": warm.warm_support()}
    ex = load_source(source)
    setup = ex.notebook.cells[ex.setup_cell].source
    data = _data_folder()
    bib = _bibliography(data)
    extra = [bib] if bib is not None and data is not None and bib.parent != data else []
    base = Path(tempfile.mkdtemp(prefix="bench-warm-parts-", dir="/tmp"))
    pool = warm.WarmPool(base, 1, warm.setup_imports(setup), Limits(), data, None, extra)
    usage = "__import__('resource').getrusage(0).ru_utime + __import__('resource').getrusage(0).ru_stime"
    ready, after = [], []
    try:
        for i in range(kernels):
            k = warm.WarmKernel(pool, f"p{i}", Limits(), data, None, extra)
            try:
                k.start()
                for into, code in ((ready, ""), (after, setup)):
                    reply = k.execute(code, 60, {"cpu": usage})
                    into.append(float(reply.expressions["cpu"]["data"]["text/plain"]))
            finally:
                k.close()
    finally:
        pool.close()
        shutil.rmtree(base, ignore_errors=True)
    return {
        "kernels": kernels,
        "kernel_cpu_at_ready_s": round(statistics.median(ready), 3),
        "setup_cell_cpu_s": round(
            statistics.median([b - a for a, b in zip(ready, after, strict=True)]), 3
        ),
    }


def _gradebook(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return sorted(csv.DictReader(fh), key=lambda r: (r["submission"], r["question"]))


# ---- the report ---------------------------------------------------------------------------------------------


def write_results(result: dict[str, Any]) -> None:
    m = result["machine"]
    floor = result["floor_s"]
    lines = [
        "# Grading with pre-warmed and with fresh kernels",
        "",
        "Written by `python benchmarks/bench_warm.py` (issue 21); re-run it on a quiet machine to replace these "
        "figures (`--quick` only proves the script works and writes nothing; `--no-write` prints only). The "
        "script and what each figure means are described in its docstring.",
        "",
        f"Measured {result['measured_at']} on {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB, "
        f"Python {m['python']}, {m['platform']}. Load average before the runs {result['load_before']}, after "
        f"{result['load_after']}"
        + (
            " (the machine was shared with other work: the CPU column is the fairer figure)."
            if result["load_before"][0] > 1.0
            else "."
        ),
        "",
        f"The class: {result['submissions']} submissions of `{result['set']}` "
        + ", ".join(f"{n} {k}" for k, n in result["mix"].items())
        + "; sandbox `bwrap`. Kernel floor (an empty notebook's kernel start and run, nbclient, median of "
        f"{result['floor_runs']}): {floor:.2f} s.",
        "",
        "| kernels | jobs | submissions/min | × kernel floor | CPU s per submission (of which the grader) "
        "| wall s | load before → after |",
        "|---|---|---|---|---|---|---|",
    ]
    for run in result["runs"]:
        per = 60 / run["submissions_per_minute"] if run["submissions_per_minute"] else float("nan")
        lines.append(
            f"| {run['kernels']} | {run['jobs']} | {run['submissions_per_minute']} | {per / floor:.2f} | "
            f"{run['cpu_seconds_per_submission']} ({run['grader_cpu_seconds_per_submission']}) | "
            f"{run['seconds']} | "
            f"{run['load_average_before']} → {run['load_average_after']} |"
        )
    lines += [
        "",
        "Grades: "
        + "; ".join(
            f"{jobs} job(s): warm and fresh gradebooks {'identical' if same else 'DIFFERENT'}"
            for jobs, same in result["identical"].items()
        )
        + ".",
        "",
        f"CPU time measured by: {result['runs'][0]['cpu_measured_by']}. "
        f"Ceiling from CPU alone with {m['cores']} free cores: "
        + ", ".join(
            f"{run['kernels']} {run['jobs']} job(s) ≈ {m['cores'] * 60 / run['cpu_seconds_per_submission']:.0f}/min"
            for run in result["runs"]
            if run["cpu_seconds_per_submission"]
        )
        + ".",
        "",
        "Where a warm submission's CPU goes: the grader's own share is in brackets above; a warm kernel has used "
        f"{result['warm_kernel'].get('kernel_cpu_at_ready_s')} CPU s when it first answers, and the set's setup "
        f"cell (course data loaded and checked, self-checks) takes {result['warm_kernel'].get('setup_cell_cpu_s')} "
        f"CPU s more in it (medians of {result['warm_kernel'].get('kernels')} kernels); the rest is the student's "
        "cells and the answer reads.",
        "",
        "Reconnect interval alone (zmq `RECONNECT_IVL` of the kernel's sockets; a fresh sandboxed kernel's start "
        f"and first cell, median of {result['reconnect']['starts_each']} alternating starts each): "
        f"{result['reconnect']['median_ms_5']} ms at 5 ms (the grader's setting) against "
        f"{result['reconnect']['median_ms_100']} ms at 100 ms (zmq's default).",
        "",
    ]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100, help="submissions in the class (default 100)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--quick", action="store_true", help="10 submissions, 2 jobs, writes nothing"
    )
    parser.add_argument("--no-write", action="store_true", help=f"do not write {RESULTS.name}")
    parser.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        source, subs, out, jobs, kernels = args.worker
        print(json.dumps(worker(Path(source), Path(subs), Path(out), int(jobs), kernels)))
        return 0
    if args.quick:
        args.n, args.jobs, args.no_write = 10, [2], True
    source = ROOT / "exercises" / f"{SET}.ipynb"
    folder = Path(tempfile.mkdtemp(prefix="bench-warm-"))
    try:
        subs = folder / "class"
        subs.mkdir()
        result: dict[str, Any] = {
            "set": SET,
            "submissions": args.n,
            "mix": make_class(source, args.n, subs),
            "machine": machine(),
            "load_before": [round(x, 2) for x in os.getloadavg()],
        }
        floor_runs = 1 if args.quick else 3
        result["floor_runs"] = floor_runs
        result["floor_s"] = bench_floor(floor_runs)["empty_notebook_s"]["median"]
        result["reconnect"] = reconnect_gain(2 if args.quick else 10)
        result["warm_kernel"] = kernel_parts(source, 2 if args.quick else 5)
        runs, identical = [], {}
        for jobs in args.jobs:
            books = {}
            for kernels in ("fresh", "warm"):
                print(f"[bench_warm] {args.n} submissions, {kernels} kernels, {jobs} job(s) ...",
                      file=sys.stderr, flush=True)  # fmt: skip
                out = folder / f"out-{kernels}-{jobs}"
                run = run_once(source, subs, out, jobs, kernels)
                runs.append({"jobs": jobs, **run})
                books[kernels] = _gradebook(out / "gradebook.csv")
            identical[str(jobs)] = books["fresh"] == books["warm"]
        result["runs"] = runs
        result["identical"] = identical
        result["load_after"] = [round(x, 2) for x in os.getloadavg()]
        result["measured_at"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if not args.no_write:
        write_results(result)
        print(f"wrote {RESULTS}", file=sys.stderr)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    sys.exit(main())
