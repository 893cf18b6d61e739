"""Measure the batch grader: submissions per minute with 1 and 2 jobs, and peak memory.

Usage::

    python benchmarks/bench_grading.py                      # 100 submissions of a typical set, jobs 1 and 2
    python benchmarks/bench_grading.py --source exercises/01-alliance-concepts.ipynb --n 60 --sandbox none
    python benchmarks/bench_grading.py --quick              # 8 submissions, 2 jobs only: proves the script works

It generates a class of submissions from the set's source notebook: 40 % correct (the reference answers put in
place of the stubs), 30 % partial (some answers replaced by a wrong value), 15 % blank (the student edition as
released) and 15 % broken (half with an answer cell that does not even parse, half a truncated, unreadable
file). It then grades the class with ``coursekit grade`` in a fresh process per run (so the grader's imports and
its preflight, the grading of the reference solution, are part of the time), once per job count.

Prints one JSON object (its last line of output), read by ``benchmarks/run.py``: per job count
``jobs_N.submissions_per_minute``, the wall time, the grader's peak RSS (its own process) and the largest
kernel's peak RSS (sampled from ``/proc`` every 0.1 s while kernels run), the CPU seconds (grader and kernels)
per submission (the kernels' sampled like their memory, so slightly under), which do not depend on how busy the
machine is, and the statuses counted; plus the set, the mix, the sandbox, the cores and the load average before and after (the
machine may be shared, which the figures then reflect), and ``huge_untagged_cell``: the CPU seconds to line up a
submission whose answer cell holds 2 MB and lost its tags. Not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SETS = [
    "05-case-timeline",
    "02-threat-and-balancing",
    "03-rational-choice",
    "01-alliance-concepts",
]

_WORKER = """
import json, os, resource, sys, threading, time
from pathlib import Path
from coursekit.grading.grader import Options, grade

peak = {"kb": 0}
cpu = {}  # kernel pid -> CPU seconds last seen
tick = os.sysconf("SC_CLK_TCK")
done = threading.Event()

def watch():  # sample the kernels' own peak RSS (VmHWM) while they run
    while not done.is_set():
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as fh:
                    args = fh.read().split(b"\\0")
                if args[1:3] not in ([b"-m", b"coursekit.grading.launcher"], [b"-m", b"coursekit.grading.warm"]):
                    continue
                with open(f"/proc/{pid}/status") as fh:
                    for line in fh:
                        if line.startswith("VmHWM:"):
                            peak["kb"] = max(peak["kb"], int(line.split()[1]))
                with open(f"/proc/{pid}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                cpu[pid] = (int(fields[11]) + int(fields[12])) / tick
            except OSError:
                pass
        time.sleep(0.1)

threading.Thread(target=watch, daemon=True).start()
source, subs, out, jobs, sandbox = sys.argv[1:6]
t0 = time.perf_counter()
report = grade(Path(source), [Path(subs)], Path(out), Options(jobs=int(jobs), sandbox=sandbox, fresh=True))
seconds = time.perf_counter() - t0
done.set()
statuses = {}
for r in report.results.values():
    for q in r.questions:
        statuses[q.status] = statuses.get(q.status, 0) + 1
own = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({
    "seconds": seconds,
    "cpu_seconds": own.ru_utime + own.ru_stime + sum(cpu.values()),
    "graded": report.graded,
    "sandbox": report.sandbox,
    "grader_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "kernel_peak_rss_mb": peak["kb"] / 1024,
    "statuses": statuses,
}))
"""


def default_source() -> Path:
    """The first of the course's typical sets that exists (data-based sets first)."""
    for name in DEFAULT_SETS:
        path = ROOT / "exercises" / f"{name}.ipynb"
        if path.exists():
            return path
    raise SystemExit("no exercise source found in exercises/; pass --source")


def make_class(source: Path, n: int, folder: Path, seed: int = 7) -> dict[str, int]:
    """Write ``n`` submissions of ``source`` into ``folder``; return how many of each kind."""
    import nbformat

    from coursekit.exercises.format import load_source, make_student_edition
    from coursekit.grading.reconcile import index_release

    ex = load_source(source)
    edition = make_student_edition(ex)
    released = index_release(ex, edition)
    blocks = {}
    from coursekit.exercises.format import solution_parts

    for q in ex.questions:
        if q.kind != "manual" and q.solution_cell is not None:
            _, block, _ = solution_parts(ex.notebook.cells[q.solution_cell].source)
            blocks[q.qid] = block
    stub_masks = {c.qid: c.stub_mask for c in released.by_role("solution")}

    def fill(nb: nbformat.NotebookNode, qid: str, mode: str) -> None:
        for cell in nb.cells:
            if (
                "solution" in cell.metadata.get("tags", [])
                and cell.metadata.get("coursekit", {}).get("question") == qid
            ):
                lines = cell.source.split("\n")
                mask = stub_masks[qid]
                first = mask.index(True)
                last = len(mask) - 1 - mask[::-1].index(True)
                if mode == "correct":
                    middle = blocks[qid]
                elif mode == "wrong":
                    middle = [line.replace("...", "None") for line in lines[first : last + 1]]
                else:  # broken: does not parse
                    middle = (
                        [lines[first].split("=")[0] + "= ("] if "=" in lines[first] else ["def ("]
                    )
                cell.source = "\n".join(lines[:first] + middle + lines[last + 1 :])
            if "manual" in cell.metadata.get("tags", []) and mode == "correct":
                cell.source = cell.source.replace(
                    "*Write your answer here.*", "A short written answer."
                )

    rng = random.Random(seed)
    kinds = ["correct"] * 40 + ["partial"] * 30 + ["blank"] * 15 + ["broken"] * 15
    mix: dict[str, int] = {}
    code_qids = list(blocks)
    for i in range(n):
        kind = kinds[(i * 100) // max(n, 1)] if n >= 4 else kinds[i * 25 % 100]
        mix[kind] = mix.get(kind, 0) + 1
        nb = make_student_edition(ex)
        path = folder / f"student{i:03d}.ipynb"
        if kind == "blank":
            nbformat.write(nb, path)
            continue
        if kind == "broken" and i % 2:
            text = nbformat.writes(nb)
            path.write_text(text[: len(text) // 2], encoding="utf-8")
            continue
        for qid in code_qids:
            mode = "correct"
            if kind == "partial" and rng.random() < 0.5:
                mode = "wrong"
            fill(nb, qid, mode)
        if kind == "broken":
            fill(nb, code_qids[0], "broken")
        nbformat.write(nb, path)
    return mix


def run_once(source: Path, subs: Path, jobs: int, sandbox: str) -> dict:
    out = Path(tempfile.mkdtemp(prefix="bench-grading-out-"))
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _WORKER, str(source), str(subs), str(out), str(jobs), sandbox],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"grading failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
        result = json.loads(proc.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(out, ignore_errors=True)
    result["submissions_per_minute"] = round(result["graded"] / result["seconds"] * 60, 1)
    # CPU time (grader + kernels, the kernels' sampled every 0.1 s, so slightly under) per submission does not
    # depend on how busy the machine was: with C free cores the rate is at most C * 60 / that figure
    result["cpu_seconds_per_submission"] = round(
        result.pop("cpu_seconds") / max(1, result["graded"]), 3
    )
    result["seconds"] = round(result["seconds"], 2)
    result["grader_peak_rss_mb"] = round(result["grader_peak_rss_mb"], 1)
    result["kernel_peak_rss_mb"] = round(result["kernel_peak_rss_mb"], 1)
    return result


def huge_cell_seconds(source: Path, megabytes: float = 2.0) -> dict:
    """CPU seconds to line up a submission whose first answer cell holds ``megabytes`` MB and lost its tags.

    Without tags the grader recognises the cell by comparing contents with the released cells; this once cost
    about 10 s per MB. Measured in this process with :func:`time.process_time`.
    """
    from coursekit.exercises.format import load_source, make_student_edition
    from coursekit.grading.reconcile import index_release, reconcile

    exercise = load_source(source)
    edition = make_student_edition(exercise)
    released = index_release(exercise, edition)
    cell = next(c for c in edition.cells if "solution" in (c.metadata.get("tags") or []))
    lines, size, i = [], 0, 0
    while size < megabytes * 1024 * 1024:  # varied lines, as pasted data would be
        lines.append(f"row_{i} = [{i}, {i * 7 % 13}, 'pasted data']")
        size += len(lines[-1]) + 1
        i += 1
    cell.source += "\n" + "\n".join(lines)
    cell.metadata = {}
    started = time.process_time()
    reconcile(released, edition)
    return {"cell_mb": megabytes, "reconcile_cpu_s": round(time.process_time() - started, 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=None, help="the exercise source notebook")
    parser.add_argument("--n", type=int, default=100, help="submissions in the class (default 100)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="job counts to measure")
    parser.add_argument("--sandbox", choices=["auto", "bwrap", "none"], default="auto")
    parser.add_argument(
        "--quick", action="store_true", help="8 submissions, 2 jobs: proves the script works"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.jobs = 8, [2]
    source = (args.source or default_source()).resolve()
    folder = Path(tempfile.mkdtemp(prefix="bench-grading-class-"))
    try:
        mix = make_class(source, args.n, folder)
        result: dict = {
            "set": source.stem,
            "submissions": args.n,
            "mix": mix,
            "cores": len(os.sched_getaffinity(0)),
            "load_average_before": [round(x, 2) for x in os.getloadavg()],
        }
        for jobs in args.jobs:
            print(
                f"[bench_grading] {args.n} submissions, {jobs} job(s) ...",
                file=sys.stderr,
                flush=True,
            )
            run = run_once(source, folder, jobs, args.sandbox)
            result["sandbox"] = run.pop("sandbox")
            result[f"jobs_{jobs}"] = run
        result["huge_untagged_cell"] = huge_cell_seconds(source)
        result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        result["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    sys.exit(main())
