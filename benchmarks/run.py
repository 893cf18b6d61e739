"""Run the course's benchmarks and record the results.

Usage::

    python benchmarks/run.py                 # everything (about 20-30 minutes on 2 cores)
    python benchmarks/run.py --only data,widgets,grading
    python benchmarks/run.py --quick         # tiny inputs, one run each: proves the scripts work

Writes ``benchmarks/RESULTS.md`` and ``benchmarks/results.json`` (unless ``--no-write``): the machine (cores,
CPU, memory, Python and package versions), the date, and for every figure the median and spread of several runs,
with the target it is held to and whether the target is met.

The four speeds users feel:

* an author's edit → the book (clean build, rebuild after a prose edit, rebuild after a code edit);
* the instructor's test run (``make test``, and the nbval part alone);
* a widget answering a student (control change → new figure), per widget;
* a class's submissions graded (submissions per minute with 1 and 2 jobs, peak memory).

Each part runs in a subprocess so that one part's imports and caches do not flatter another's. The book
measurements work on a copy of the repository's tracked files in ``benchmarks/_work/`` (git-ignored), never on the
working tree.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
WORK = BENCH / "_work"
PY = sys.executable
BIN = Path(PY).parent


# --------------------------------------------------------------------------------------------- helpers
def summarise(runs: list[float]) -> dict:
    """Median and spread (min, max, and the 95th percentile when there are enough runs) of timings."""
    runs = sorted(runs)
    out = {
        "runs": [round(r, 4) for r in runs],
        "median": round(statistics.median(runs), 4),
        "min": round(runs[0], 4),
        "max": round(runs[-1], 4),
        "n": len(runs),
    }
    if len(runs) >= 5:
        out["p95"] = round(runs[min(len(runs) - 1, int(round(0.95 * (len(runs) - 1))))], 4)
    return out


def timed(cmd: list[str], cwd: Path, env: dict | None = None, check: bool = True) -> float:
    """Run a command and return its wall-clock duration in seconds."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if check and proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )
    return elapsed


def json_script(script: str, *args: str) -> dict:
    """Run a benchmark script that prints one JSON object as its last line of output."""
    proc = subprocess.run(
        [PY, str(BENCH / script), *args], cwd=ROOT, capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"{script} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )
    lines = [line for line in proc.stdout.strip().splitlines() if line.strip()]
    return json.loads(lines[-1])


def fresh_copy() -> Path:
    """A copy of the repository's tracked files (plus untracked, unignored ones) in benchmarks/_work/book."""
    dest = WORK / "book"
    if dest.exists():
        shutil.rmtree(dest)
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in files:
        src = ROOT / name
        if src.is_file():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
    return dest


def jb_build(book: Path) -> float:
    return timed([str(BIN / "jupyter-book"), "build", ".", "-n", "-W", "--keep-going"], cwd=book)


def machine() -> dict:
    """Describe the machine the benchmarks ran on."""
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gib = round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    versions = {}
    for pkg in [
        "jupyter-book",
        "sphinx",
        "myst-nb",
        "pandas",
        "matplotlib",
        "ipywidgets",
        "nbclient",
        "jupyter-client",
        "ipykernel",
        "nbval",
        "pytest",
    ]:
        try:
            from importlib.metadata import version

            versions[pkg] = version(pkg)
        except Exception:  # noqa: BLE001 - a missing package is reported as such
            versions[pkg] = "not installed"
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": mem_gib,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": versions,
    }


# --------------------------------------------------------------------------------------------- parts
def bench_floor(repeat: int) -> dict:
    """Executing an empty notebook: the kernel start-up floor of every per-notebook operation."""
    code = (
        "import time, nbformat\nfrom nbclient import NotebookClient\n"
        "nb = nbformat.v4.new_notebook(); nb.cells.append(nbformat.v4.new_code_cell('1'))\n"
        "t = time.perf_counter(); NotebookClient(nb, kernel_name='python3').execute()\n"
        "print(time.perf_counter() - t)\n"
    )
    runs = []
    for _ in range(repeat):
        out = subprocess.run([PY, "-c", code], capture_output=True, text=True, check=True).stdout
        runs.append(float(out.strip().splitlines()[-1]))
    return {"empty_notebook_s": summarise(runs)}


def chapter_sources() -> list[Path]:
    """The book's pages that have code cells (the notebooks a build executes)."""
    from coursekit.book import toc_entries

    paths = [ROOT / f"{entry}.md" for entry in toc_entries(ROOT / "_toc.yml")]
    return [p for p in paths if p.exists() and "code-cell" in p.read_text(encoding="utf-8")]


def bench_notebooks(repeat: int) -> dict:
    """Total execution time of the book's notebooks (each executed once, sequentially, kernel start included)."""
    code = (
        "import sys, time, jupytext\nfrom nbclient import NotebookClient\nfrom pathlib import Path\n"
        "total = 0.0\nfor p in sys.argv[1:]:\n"
        "    nb = jupytext.read(p)\n"
        "    t = time.perf_counter()\n"
        "    NotebookClient(nb, kernel_name='python3', resources={'metadata': {'path': str(Path(p).parent)}}).execute()\n"
        "    total += time.perf_counter() - t\n"
        "print(total)\n"
    )
    chapters = [str(p) for p in chapter_sources()]
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [PY, "-c", code, *chapters], capture_output=True, text=True, check=True
        ).stdout
        runs.append(float(out.strip().splitlines()[-1]))
    return {"notebooks_total_s": summarise(runs), "notebook_count": len(chapters)}


def bench_book(repeat: int) -> dict:
    """Clean build with execution, rebuild after a prose edit, rebuild after one chapter's code changes."""
    clean, prose, code = [], [], []
    for _ in range(repeat):
        book = fresh_copy()
        clean.append(jb_build(book))
        # one-line prose edit in the preface
        intro = book / "intro.md"
        intro.write_text(
            intro.read_text(encoding="utf-8") + "\nOne more sentence for the benchmark.\n",
            encoding="utf-8",
        )
        prose.append(jb_build(book))
        # one chapter's code changes (a new statement in its first code cell)
        chapters = [
            p for p in (book / "chapters").glob("*.md") if "```{code-cell}" in p.read_text()
        ]
        if chapters:
            target = sorted(chapters)[0]
            text = target.read_text(encoding="utf-8")
            marker = "```{code-cell} ipython3\n"
            i = text.index(marker) + len(marker)
            # keep any cell options block intact: insert after it
            if text[i:].startswith("---\n"):
                i = text.index("---\n", i + 4) + 4
            elif text[i:].startswith(":"):
                i = text.index("\n", i) + 1
            target.write_text(text[:i] + "_benchmark_edit = 1\n" + text[i:], encoding="utf-8")
            code.append(jb_build(book))
    out = {"clean_build_s": summarise(clean), "rebuild_prose_edit_s": summarise(prose)}
    if code:
        out["rebuild_code_edit_s"] = summarise(code)
    return out


def bench_tests(repeat: int) -> dict:
    """The whole test suite (as `make test` runs it) and the nbval part alone."""
    suite, nbval = [], []
    env = dict(os.environ)
    for _ in range(repeat):
        nbval.append(
            timed(
                [PY, "-m", "pytest", "-q", "-n", "2", "--dist", "loadfile", "exercises"],
                cwd=ROOT,
                env=env,
            )
        )
        suite.append(
            timed([PY, "-m", "pytest", "-q", "-n", "2", "--dist", "loadfile"], cwd=ROOT, env=env)
        )
    return {"make_test_s": summarise(suite), "nbval_s": summarise(nbval)}


def bench_data(quick: bool) -> dict:
    return json_script("bench_data.py", *(["--quick"] if quick else []))


def bench_widgets(quick: bool) -> dict:
    out = {}
    for script in ["bench_widgets_theory.py", "bench_widgets_case.py"]:
        if (BENCH / script).exists():
            out.update(json_script(script, *(["--quick"] if quick else [])))
    return out


def bench_grading(quick: bool) -> dict:
    return json_script("bench_grading.py", *(["--quick"] if quick else []))


# --------------------------------------------------------------------------------------------- targets
def _get(results: dict, *path):
    cur = results
    for key in path:
        if not isinstance(cur, dict) or key not in cur:
            return None
        cur = cur[key]
    return cur


def evaluate_targets(results: dict) -> list[dict]:
    """Compare the results with the course's targets; each row says met, missed or not measured."""
    rows = []

    def row(name, value, target, ok):
        rows.append(
            {
                "target": name,
                "value": value,
                "goal": target,
                "met": None if value is None else bool(ok),
            }
        )

    clean = _get(results, "book", "clean_build_s", "median")
    total = _get(results, "notebooks", "notebooks_total_s", "median")
    row(
        "clean build ≤ 2 × notebook execution + 30 s",
        clean,
        None if total is None else round(2 * total + 30, 1),
        clean is not None and total is not None and clean <= 2 * total + 30,
    )
    prose = _get(results, "book", "rebuild_prose_edit_s", "median")
    row("rebuild after a prose edit < 15 s", prose, 15, prose is not None and prose < 15)
    data = _get(results, "data", "cold_total_s", "median")
    row(
        "data loading (import + all tables, cold process) < 0.5 s",
        data,
        0.5,
        data is not None and data < 0.5,
    )
    widgets = results.get("widgets") or {}
    medians = [
        v.get("median_ms") for v in widgets.values() if isinstance(v, dict) and "median_ms" in v
    ]
    worst = max(medians) if medians else None
    row(
        "widget update < 150 ms median (slowest widget)",
        worst,
        150,
        worst is not None and worst < 150,
    )
    spm = _get(results, "grading", "jobs_2", "submissions_per_minute")
    row("grading ≥ 80 submissions/min with 2 jobs", spm, 80, spm is not None and spm >= 80)
    suite = _get(results, "tests", "make_test_s", "median")
    row("make test < 10 min", suite, 600, suite is not None and suite < 600)
    return rows


def write_results(results: dict) -> None:
    (BENCH / "results.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    m = results["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"Recorded {results['date']} with `python benchmarks/run.py{' ' + results['args'] if results['args'] else ''}`.",
        "",
        f"Machine: {m['cores']} cores, {m['cpu']}, {m['memory_gib']} GiB memory; Python {m['python']} on "
        f"{m['platform']}.",
        "",
        "Packages: " + ", ".join(f"{k} {v}" for k, v in m["packages"].items()) + ".",
        "",
        "## Targets",
        "",
        "| target | measured | goal | met |",
        "|---|---|---|---|",
    ]
    for r in results["targets"]:
        met = "not measured" if r["met"] is None else ("yes" if r["met"] else "**no**")
        lines.append(f"| {r['target']} | {r['value']} | {r['goal']} | {met} |")
    lines += [
        "",
        "## All figures (seconds unless the name says otherwise; median [min–max] over n runs)",
        "",
    ]

    def flatten(prefix, obj):
        if isinstance(obj, dict) and "median" in obj and "runs" in obj:
            p95 = f", p95 {obj['p95']}" if "p95" in obj else ""
            lines.append(
                f"- `{prefix}`: {obj['median']} [{obj['min']}–{obj['max']}], n = {obj['n']}{p95}"
            )
        elif isinstance(obj, dict):
            for k, v in obj.items():
                flatten(f"{prefix}.{k}" if prefix else k, v)
        else:
            lines.append(f"- `{prefix}`: {obj}")

    for part in ["floor", "notebooks", "book", "tests", "data", "widgets", "grading"]:
        if part in results:
            flatten(part, results[part])
    if results.get("errors"):
        lines += ["", "## Parts that failed", ""]
        lines += [
            f"- `{k}`: {v.splitlines()[0] if v else ''}" for k, v in results["errors"].items()
        ]
    lines += [
        "",
        "Notes: the clean build is compared with the book's total notebook execution time (each chapter "
        "executed once with its own kernel); the kernel start-up floor is the empty-notebook figure.",
        "",
    ]
    (BENCH / "RESULTS.md").write_text("\n".join(lines), encoding="utf-8")


PARTS: dict[str, Callable[[argparse.Namespace], dict]] = {
    "floor": lambda a: bench_floor(1 if a.quick else a.repeat),
    "notebooks": lambda a: bench_notebooks(1 if a.quick else max(1, a.repeat // 2)),
    "book": lambda a: bench_book(1 if a.quick else max(1, a.repeat // 2)),
    "tests": lambda a: bench_tests(1),
    "data": lambda a: bench_data(a.quick),
    "widgets": lambda a: bench_widgets(a.quick),
    "grading": lambda a: bench_grading(a.quick),
}
QUICK_DEFAULT = ["floor", "data", "widgets", "grading"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help=f"comma-separated parts: {', '.join(PARTS)}")
    parser.add_argument(
        "--quick", action="store_true", help="tiny inputs, one run each (used by the tests)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs per fast figure (default 5)")
    parser.add_argument(
        "--no-write", action="store_true", help="print the JSON instead of writing RESULTS.md"
    )
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else (QUICK_DEFAULT if args.quick else list(PARTS))
    unknown = [n for n in names if n not in PARTS]
    if unknown:
        parser.error(f"unknown part(s) {unknown}; choose from {list(PARTS)}")
    results: dict = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "args": " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": machine(),
        "errors": {},
    }
    for name in names:
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        try:
            results[name] = PARTS[name](args)
        except Exception as exc:  # noqa: BLE001 - record the failure, keep measuring the rest
            results["errors"][name] = str(exc)
    results["targets"] = evaluate_targets(results)
    if args.no_write:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        write_results(results)
        print(f"wrote {BENCH / 'RESULTS.md'}", file=sys.stderr)
    return 1 if results["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
