"""Time loading the course data with ``coursekit.data``, from a cold process and warm.

Usage::

    python benchmarks/bench_data.py            # 7 cold processes, 50 warm and 20 re-parsed loads
    python benchmarks/bench_data.py --quick    # 1 cold process, a few warm loads (proves the script works)

Prints one JSON object (its last line of output), read by ``benchmarks/run.py``:

* ``cold_import_s``: importing ``coursekit.data`` (pandas included) in a new Python process;
* ``cold_load_all_s``: the first ``load_all()`` in that process (read, validate and type all tables);
* ``cold_total_s``: the two together, i.e. what a notebook's first data cell costs;
* ``warm_load_all_s``: ``load_all()`` again in the same process (cached tables, fresh copies);
* ``reparse_load_all_s``: ``load_all()`` after ``clear_cache()`` in a warm process (files re-read and re-checked).

Each entry has the median, min, max and the individual runs, in seconds. Not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_CHILD = """
import json, time
t0 = time.perf_counter()
from coursekit import data
t1 = time.perf_counter()
tables = data.load_all({folder!r})
t2 = time.perf_counter()
print(json.dumps({{"import": t1 - t0, "load": t2 - t1, "rows": sum(len(t) for t in tables.values()),
                   "tables": len(tables)}}))
"""


def summarise(runs: list[float]) -> dict:
    """Median, min, max and the runs (seconds, rounded to 0.1 ms)."""
    runs = sorted(runs)
    return {
        "median": round(statistics.median(runs), 4),
        "min": round(runs[0], 4),
        "max": round(runs[-1], 4),
        "n": len(runs),
        "runs": [round(r, 4) for r in runs],
    }


def cold_runs(folder: Path, n: int) -> tuple[list[dict], int, int]:
    """Run ``n`` fresh interpreters that import coursekit.data and load every table once."""
    results = []
    for _ in range(n):
        proc = subprocess.run(
            [sys.executable, "-c", _CHILD.format(folder=str(folder))],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return results, results[-1]["tables"], results[-1]["rows"]


def warm_runs(folder: Path, n_warm: int, n_reparse: int) -> tuple[list[float], list[float]]:
    """Time cached loads and loads after clearing the cache, in this process."""
    from coursekit import data

    data.load_all(folder)
    warm = []
    for _ in range(n_warm):
        start = time.perf_counter()
        data.load_all(folder)
        warm.append(time.perf_counter() - start)
    reparse = []
    for _ in range(n_reparse):
        data.clear_cache()
        start = time.perf_counter()
        data.load_all(folder)
        reparse.append(time.perf_counter() - start)
    return warm, reparse


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its JSON result; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="one cold run and a few warm ones")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data", help="the data folder")
    args = parser.parse_args(argv)
    n_cold, n_warm, n_reparse = (1, 5, 2) if args.quick else (7, 50, 20)

    cold, tables, rows = cold_runs(args.data_dir, n_cold)
    warm, reparse = warm_runs(args.data_dir, n_warm, n_reparse)
    result = {
        "tables": tables,
        "rows": rows,
        "cold_import_s": summarise([c["import"] for c in cold]),
        "cold_load_all_s": summarise([c["load"] for c in cold]),
        "cold_total_s": summarise([c["import"] + c["load"] for c in cold]),
        "warm_load_all_s": summarise(warm),
        "reparse_load_all_s": summarise(reparse),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
