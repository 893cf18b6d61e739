"""Benchmark the in-page explorers: time from a control change to the re-written chart, summary and table, in
headless Chromium (the reader's browser, no kernel).

Usage::

    python benchmarks/bench_explorers.py --html _build/html            # 40 changes per explorer (3 warm-up)
    python benchmarks/bench_explorers.py --html _build/html --quick    # 6 changes per explorer

The built book is served on 127.0.0.1 and opened offline. Each change sets one control the way a reader does
(the input's value, then the ``input`` or ``change`` event Vega listens to) and the clock runs, inside the page,
from just before the event until the explorer has re-run its dataflow, re-drawn the SVG and re-written the data
table (a MutationObserver on the table), and then until the next animation frame (``frame_*``: what the reader
waits for). The changes cycle through every control, including choices that empty the table.

Prints one JSON object as its last line: per explorer ``median_ms``, ``p95_ms``, ``max_ms``, ``frame_median_ms``,
``frame_p95_ms``, ``n``, ``target_ms`` (50) and ``met`` (frame median below the target).
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

from browser import chromium, offline_context, serve_directory, wait_until_settled  # noqa: E402

from coursekit import case, data, theory  # noqa: E402
from coursekit.explorers.case import param_name  # noqa: E402

TARGET_MS = 50.0
WARM_UP = 3
PAGES = {
    "threats": "chapters/theory-02-balancing",
    "dilemma": "chapters/theory-01-alliances",
    "security-autonomy": "chapters/theory-03-rational-choice",
    "checklist": "chapters/theory-04-tactical",
    "timeline": "chapters/case-03-dimensions",
    "votes": "chapters/case-05-un-votes",
    "durability": "chapters/case-06-assessment",
}

_CHANGE_JS = """
async ([ident, name, value]) => {
  const root = document.querySelector('#explorer-' + ident);
  const el = root.querySelector('.coursekit-explorer-controls [name="' + name + '"]');
  const table = root.querySelector('.coursekit-explorer-table');
  const current = el.type === 'checkbox' ? el.checked : el.value;
  if (el.type === 'checkbox' ? current === value : String(current) === String(value)) return null;
  const done = new Promise((resolve) => {
    const observer = new MutationObserver(() => { observer.disconnect(); resolve(performance.now()); });
    observer.observe(table, {childList: true, subtree: true});
    setTimeout(() => { observer.disconnect(); resolve(NaN); }, 5000);  // never re-written: reported
  });
  const t0 = performance.now();
  let type = 'input';
  if (el.type === 'checkbox') { el.checked = value; type = 'change'; }
  else if (el.tagName === 'SELECT') { el.value = value; type = 'change'; }
  else { el.value = String(value); }
  el.dispatchEvent(new Event(type, {bubbles: true}));
  const t1 = await done;
  await new Promise((r) => requestAnimationFrame(() => r()));
  return [t1 - t0, performance.now() - t0];
}
"""


def changes() -> dict[str, itertools.cycle]:
    """For each explorer, an endless cycle of (control, value) changes that each alter the chart."""
    indicators = [str(i) for i in data.load_durability_indicators()["indicator"]]
    durability = [
        (param_name("w", ind), w) for w in (3.0, 0.5, 5.0, 1.0) for ind in indicators
    ]  # every weight moves, one at a time
    votes = data.load_votes()
    resolutions = votes["resolution"].nunique()
    refs = [r for r in ("CAF", "USA", "CHN", "FRA", "RUS") if r in set(votes["iso3"])]
    vote_changes = []
    for i, ref in enumerate(refs):
        vote_changes += [
            ("reference", ref),
            ("method", "lijphart" if i % 2 == 0 else "simple"),
            ("group", list(case.VOTE_GROUPS)[i % len(case.VOTE_GROUPS)]),
            (f"r_{i % resolutions}", False),
            (f"r_{i % resolutions}", True),
        ]
    timeline = []
    for dim in case.DIMENSIONS:
        timeline += [(param_name("d", dim), False), (param_name("d", dim), True)]
    timeline += [("phase", p) for p in (*case.PHASES, "all")]
    timeline += [("actor", a) for a in ("wagner", "Touadéra", "zzz", "")]
    years = data.load_events()["date"].dt.year
    timeline += [("year_from", int(years.min()) + 3), ("year_from", int(years.min()))]
    timeline += [("year_to", int(years.max()) - 3), ("year_to", int(years.max()))]
    threats = [(f"a0_{f}", v) for v in (3.0, 9.0) for f in theory.FACTORS]
    threats += [
        ("own_power", 8.0),
        ("ally_support", 0.0),
        ("own_power", 2.0),
        ("ally_support", 10.0),
    ]
    threats += [(f"w_{f}", w) for w in (2.0, 1.0) for f in theory.FACTORS]
    dilemma = [(name, v) for v in (0.2, 0.8, 0.5) for name in theory.DILEMMA_PARAMS]
    security = [
        (name, v) for v in (1.0, 2.0) for name in ("commitment", "concessions", "weak_threat")
    ]
    security += [("mode", "symmetric"), ("mode", "asymmetric"), ("autonomy_price", 1.0),
                 ("autonomy_price", 0.5)]  # fmt: skip
    checklist = [(f"{k}_{f}", v) for v in (0.0, 1.0) for k in ("f", "w") for f in theory.FEATURES]
    return {
        "threats": itertools.cycle(threats),
        "dilemma": itertools.cycle(dilemma),
        "security-autonomy": itertools.cycle(security),
        "checklist": itertools.cycle(checklist),
        "durability": itertools.cycle(durability),
        "votes": itertools.cycle(vote_changes),
        "timeline": itertools.cycle(timeline),
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html", help="built book")
    parser.add_argument("--changes", type=int, default=40)
    parser.add_argument("--quick", action="store_true", help="6 changes per explorer")
    args = parser.parse_args(argv)
    n = 6 if args.quick else args.changes
    results: dict[str, dict] = {}
    cycles = changes()
    with serve_directory(args.html) as base, chromium() as browser:
        page = offline_context(browser).new_page()
        for ident, entry in PAGES.items():
            page.goto(f"{base}{entry}.html", wait_until="load")
            wait_until_settled(page)
            found = page.evaluate(f"() => !!(window.coursekitExplorers || {{}})[{ident!r}]")
            if not found:
                raise SystemExit(f"{entry}: no in-page explorer {ident!r} (was the book built?)")
            table, frame, done = [], [], 0
            while done < n + WARM_UP:
                name, value = next(cycles[ident])
                timing = page.evaluate(_CHANGE_JS, [ident, name, value])
                if timing is None:
                    continue  # the control already had that value: nothing to time
                if timing[0] != timing[0]:  # NaN
                    raise SystemExit(
                        f"{ident}: setting {name}={value!r} did not re-write the table"
                    )
                done += 1
                if done > WARM_UP:
                    table.append(timing[0])
                    frame.append(timing[1])
            results[ident] = {
                "median_ms": round(statistics.median(table), 1),
                "p95_ms": round(percentile(table, 0.95), 1),
                "max_ms": round(max(table), 1),
                "frame_median_ms": round(statistics.median(frame), 1),
                "frame_p95_ms": round(percentile(frame, 0.95), 1),
                "n": len(table),
                "target_ms": TARGET_MS,
                "met": statistics.median(frame) < TARGET_MS,
            }
    print(json.dumps(results))
    return 0 if all(r["met"] for r in results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
