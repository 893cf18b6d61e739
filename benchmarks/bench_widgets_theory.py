"""Benchmark: how fast the Part I explorers answer a reader (control change → new figure).

For each explorer of :mod:`coursekit.widgets.theory` the script changes one slider many times (each time to a
different value, so every change fires) and times the whole round trip a reader waits for: the control's new
value → the model (:mod:`coursekit.theory`) → the figure (:mod:`coursekit.plots.theory`) → the PNG shown in the
widget. The first update (made while the explorer is built) is not counted.

Prints one JSON object on its last line::

    {"ThreatExplorer": {"median_ms": ..., "p95_ms": ..., "min_ms": ..., "max_ms": ..., "n": 40,
                        "control": "power_1", "cpu_median_ms": ..., "cpu_p95_ms": ...}, ...}

``median_ms`` and ``p95_ms`` are wall-clock times (what a reader waits); ``cpu_*`` are the CPU time of the
benchmark process alone, which stay meaningful when other jobs share the machine.

Usage::

    python benchmarks/bench_widgets_theory.py            # 40 changes per explorer
    python benchmarks/bench_widgets_theory.py --quick    # 30 changes per explorer (the minimum reported)
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence

from coursekit import paths
from coursekit.widgets import theory as twidgets


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) by the nearest-rank method."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def time_changes(widget, control: str, values: Sequence[float]) -> dict:
    """Set ``widget.controls[control]`` to each value in turn and time each update, in milliseconds."""
    timings, cpu = [], []
    slider = widget.controls[control]
    for value in values:
        if slider.value == value:
            continue
        start, start_cpu = time.perf_counter(), time.process_time()
        slider.value = value
        elapsed = time.perf_counter() - start
        cpu.append((time.process_time() - start_cpu) * 1000)
        if widget.figure is None:
            raise RuntimeError(
                f"{type(widget).__name__}: no figure after {control} = {value}: {widget.message}"
            )
        timings.append(elapsed * 1000)
    return {
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 95), 1),
        "min_ms": round(min(timings), 1),
        "max_ms": round(max(timings), 1),
        "n": len(timings),
        "control": control,
        # CPU time of this process alone: on a shared machine it shows the cost of an update when wall-clock
        # times are inflated by other processes.
        "cpu_median_ms": round(statistics.median(cpu), 1),
        "cpu_p95_ms": round(percentile(cpu, 95), 1),
    }


def cycle(options: Sequence[float], n: int, start: float) -> list[float]:
    """``n`` values from ``options`` in turn, never twice the same in a row and not starting at ``start``."""
    out: list[float] = []
    previous = start
    i = 0
    while len(out) < n:
        value = options[i % len(options)]
        i += 1
        if value != previous:
            out.append(value)
            previous = value
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="30 changes per explorer instead of 40"
    )
    args = parser.parse_args(argv)
    n = 30 if args.quick else 40

    def threat() -> dict:
        w = twidgets.ThreatExplorer()
        values = cycle([float(v) for v in range(11)], n, w.controls["power_1"].value)
        return time_changes(w, "power_1", values)

    def security_autonomy() -> dict:
        w = twidgets.SecurityAutonomyExplorer()
        values = cycle([v / 2 for v in range(21)], n, w.controls["concessions"].value)
        return time_changes(w, "concessions", values)

    def dilemma() -> dict:
        w = twidgets.AbandonmentEntrapmentExplorer()
        values = cycle([v / 20 for v in range(21)], n, w.controls["commitment"].value)
        return time_changes(w, "commitment", values)

    def checklist() -> dict:
        data_file = paths.data_dir() / "alliance_cases.csv"
        w = twidgets.AllianceChecklist(case=None) if data_file.is_file() else None
        if w is None:
            raise RuntimeError(
                f"{data_file} is missing: the checklist benchmark needs the course data"
            )
        values = cycle([0.0, 0.25, 0.5, 0.75, 1.0], n, w.controls["opportunistic"].value)
        result = time_changes(w, "opportunistic", values)
        result["cases"] = len(w.cases)
        return result

    benches: dict[str, Callable[[], dict]] = {
        "ThreatExplorer": threat,
        "SecurityAutonomyExplorer": security_autonomy,
        "AbandonmentEntrapmentExplorer": dilemma,
        "AllianceChecklist": checklist,
    }
    results = {}
    for name, bench in benches.items():
        # Outside a kernel the widgets' Output area prints what it displays: keep stdout for the JSON.
        with contextlib.redirect_stdout(io.StringIO()):
            results[name] = bench()
        r = results[name]
        print(
            f"{name}: median {r['median_ms']} ms, p95 {r['p95_ms']} ms (CPU median {r['cpu_median_ms']} ms)",
            file=sys.stderr,
        )
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
