"""Benchmark the Part II explorers: latency of a control change until the new figure is rendered.

Usage::

    python benchmarks/bench_widgets_case.py            # 40 changes per widget (after 3 warm-up changes)
    python benchmarks/bench_widgets_case.py --quick    # 6 changes per widget: proves the script works
    python benchmarks/bench_widgets_case.py --changes 60

Each explorer is opened on the real course data (``data/``). A "change" sets one control's ``value`` the way a
student's click does; the explorer then recomputes (``coursekit.case``), draws (``coursekit.plots.case``) and
renders the PNG into its output area before the assignment returns, so the time of the assignment is the time
until the new figure is on screen (less the browser's paint). The changes cycle through every control of the
explorer, including ones that empty the selection (which show a message instead of a figure).

The latency (``median_ms``, ``p95_ms``) is wall-clock time, which is what a student waits; on a machine shared with
other work it includes time spent waiting for a core. ``cpu_median_ms`` is the CPU time this process used per
change, which shows the cost of the update itself.

The explorers remember the views of the last settings (and the vote explorer their figures), and the cycles
below return to settings already seen; so each explorer is measured twice: as a student toggling between
settings (``TimelineExplorer``) and with every setting new (``TimelineExplorer (new settings)``: the explorer
forgets what it remembered before each change). Target: median under 50 ms (issue 16).

Prints one JSON object as its last line, e.g.::

    {"TimelineExplorer": {"median_ms": 32.0, "p95_ms": 42.3, "min_ms": 21.4, "max_ms": 47.2, "n": 40,
                          "cpu_median_ms": 30.8, "message_changes": 3, "message_median_ms": 2.2,
                          "target_ms": 50.0, "met": true},
     ...}
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import matplotlib  # noqa: E402

matplotlib.use("Agg")

from coursekit import case, data  # noqa: E402
from coursekit.widgets.case import DurabilityScorecard, TimelineExplorer, VoteExplorer  # noqa: E402

TARGET_MS = 50.0
WARM_UP = 3

Change = tuple[str, Any]


def timeline_changes() -> Iterator[Change]:
    """Cycle through the timeline explorer's controls: dimensions, phases, years, actor, event."""
    events = data.load_events()
    ids = list(events.sort_values("date")["event_id"])
    dims = list(case.DIMENSIONS)
    phases = list(case.PHASES)
    years = sorted(events["date"].dt.year.unique())
    first, last = int(years[0]), int(years[-1])
    steps: list[Change] = [
        ("dimensions", tuple(dims[:2])),
        ("dimensions", tuple(dims[2:4])),
        ("dimensions", tuple(dims)),
        ("phases", tuple(phases[1:4])),
        ("phases", tuple(phases)),
        ("years", (2018, 2021)),
        ("years", (first, last)),
        ("actor", "Wagner"),
        ("actor", "Touadéra"),
        ("actor", "no actor has this name"),  # empty selection: a message, no figure
        ("actor", ""),
        ("event", ids[len(ids) // 2]),
        ("event", ids[-1]),
        ("event", None),
    ]
    return itertools.cycle(steps)


def vote_changes() -> Iterator[Change]:
    """Cycle through the vote explorer's controls: resolutions, countries, reference, method."""
    votes, resolutions = data.load_votes(), data.load_resolutions()
    res = list(resolutions.sort_values("date")["resolution"])
    res = [r for r in res if r in set(votes["resolution"].astype(str))]
    african = sorted(str(c) for c in votes.loc[votes["african"].astype(bool), "country"].unique())
    car = case.resolve_country(votes, case.CAR_ISO3)
    russia = case.resolve_country(votes, case.RUSSIA_ISO3)
    neighbours = [case.resolve_country(votes, c) for c in case.CAR_NEIGHBOURS_ISO3]
    steps: list[Change] = [
        ("method", "lijphart"),
        ("method", "simple"),
        ("resolutions", tuple(res[1:4])),
        ("resolutions", tuple(res)),
        ("countries", tuple(african[:12])),
        ("countries", (car, *neighbours)),
        ("reference", car),
        ("reference", russia),
        ("resolutions", ()),  # empty selection: a message, no figure
        ("resolutions", tuple(res)),
    ]
    return itertools.cycle(steps)


def scorecard_changes(names: list[str]) -> Iterator[Change]:
    """Move each weight slider up and back down."""
    steps: list[Change] = [(name, value) for name in names for value in (3.0, 1.0)]
    return itertools.cycle(steps)


def measure(
    widget: Any, changes: Iterator[Change], n: int, *, fresh: bool = False
) -> dict[str, Any]:
    """Time ``n`` control changes that end in a new figure (after ``WARM_UP`` untimed ones).

    Changes that leave the value unchanged are skipped (nothing happens), and changes that empty the
    selection end in a message rather than a figure: they are counted and timed separately, not mixed into
    the figure latency.
    """
    timings: list[float] = []
    cpu_timings: list[float] = []
    message_timings: list[float] = []
    sink = io.StringIO()
    warm = 0
    while len(timings) < n:
        name, value = next(changes)
        control = widget.controls[name]
        if control.value == value:
            continue
        if fresh:  # every setting as if seen for the first time: no remembered view or figure
            widget.forget()
        with contextlib.redirect_stdout(
            sink
        ):  # outside a kernel, display() prints a repr: keep it quiet
            start, cpu_start = time.perf_counter(), time.process_time()
            control.value = value
            elapsed = (time.perf_counter() - start) * 1000
            cpu = (time.process_time() - cpu_start) * 1000
        sink.seek(0)
        sink.truncate()
        if warm < WARM_UP:
            warm += 1
            continue
        if widget.figure is not None:
            timings.append(elapsed)
            cpu_timings.append(cpu)
        else:
            message_timings.append(elapsed)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    median = statistics.median(timings)
    return {
        "median_ms": round(median, 1),
        "p95_ms": round(p95, 1),
        "min_ms": round(timings[0], 1),
        "max_ms": round(timings[-1], 1),
        "n": len(timings),
        "cpu_median_ms": round(statistics.median(cpu_timings), 1),
        "message_changes": len(message_timings),
        "message_median_ms": round(statistics.median(message_timings), 1)
        if message_timings
        else None,
        "target_ms": TARGET_MS,
        "met": median < TARGET_MS,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="6 changes per widget instead of 40")
    parser.add_argument(
        "--changes", type=int, default=40, help="changes timed per widget (≥ 30 for a result)"
    )
    args = parser.parse_args(argv)
    n = 6 if args.quick else args.changes
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink):
        timeline = TimelineExplorer()
        votes = VoteExplorer()
        scorecard = DurabilityScorecard()
    factories: dict[str, tuple[Any, Callable[[], Iterator[Change]]]] = {
        "TimelineExplorer": (timeline, timeline_changes),
        "VoteExplorer": (votes, vote_changes),
        "DurabilityScorecard": (scorecard, lambda: scorecard_changes(list(scorecard.controls))),
    }
    results = {name: measure(widget, make(), n) for name, (widget, make) in factories.items()}
    # The explorers remember the views (and the vote explorer its figures) of settings seen before, and the
    # cycles above come back to the same settings: these runs forget them before every change.
    for name, (widget, make) in factories.items():
        results[f"{name} (new settings)"] = measure(widget, make(), n, fresh=True)
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
