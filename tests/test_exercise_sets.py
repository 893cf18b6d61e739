"""Every exercise set, end to end: the reference passes, the blank student edition runs and every stub fails.

nbval (``pytest --nbval-lax`` over ``exercises/``) already runs each source notebook and compares its check
cells' stored output (``✅ qN: correct``). This file proves the rest, with two kernel starts per set:

* the **reference run** executes the source with the checks in record mode: every hidden test passes on the
  reference solution, and the expected values stored in the setup cell are still what the solution computes;
* the **student run** executes the blank student edition top to bottom (no error), where every check prints
  "not attempted" and every hidden test fails on the stub (a stub earns no points); then, in the same kernel,
  it fills in wrong answers derived from the expected values (and wrong functions) and re-runs each check cell,
  which must print "incorrect" every time; and ``hint()`` gives the first hint of each question.

Run under ``pytest -n 2 --dist loadfile``: this file's tests stay on one worker, so each kernel runs once.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import nbformat
import pytest

from coursekit.exercises.format import ExerciseSet, load_source, make_student_edition
from coursekit.exercises.release import (
    ReferenceRun,
    check_keys,
    execute_notebook,
    find_sources,
    run_reference,
    verify_stored,
)

ROOT = Path(__file__).resolve().parents[1]
SOURCES = find_sources(ROOT / "exercises")
IDS = [p.stem for p in SOURCES]
MARKER = "COURSEKIT-STUDENT-RUN "

# The sets the course design names (CONTRIBUTING.md and the exercise contract), with their chapters.
PLANNED_SETS = {
    "01-alliance-concepts",
    "02-threat-and-balancing",
    "03-rational-choice",
    "04-tactical-alliances",
    "05-case-timeline",
    "06-un-votes",
    "07-sources-and-durability",
}


@cache
def reference(path: Path) -> ReferenceRun:
    return run_reference(load_source(path))


def _spec(ex: ExerciseSet) -> list[dict[str, Any]]:
    keys = check_keys(ex)
    spec = []
    for q in ex.questions:
        if q.kind == "manual":
            continue
        spec.append(
            {
                "qid": q.qid,
                "kind": q.kind,
                "answer": q.answer_name,
                "tests": q.hidden_tests_source,
                "checks": [ex.notebook.cells[i].source for i in q.check_cells],
                "keys": [k for k in keys if k.split(":")[0] == q.qid],
                "hints": len(q.hints),
            }
        )
    return spec


@cache
def student_run(path: Path) -> tuple[nbformat.NotebookNode, dict[str, Any]]:
    """Run the blank student edition, then the stub and wrong-answer probes, in one kernel."""
    ex = load_source(path)
    nb = make_student_edition(ex)
    spec = _spec(ex)
    probe = (
        "import contextlib as _cl, io as _io, json as _json\n"
        "from coursekit.exercises import hint as _hint, verify as _vf\n"
        f"_spec = _json.loads({json.dumps(json.dumps(spec))})\n"
        "_hidden = _json.loads(_vf.hidden_test_report(globals(), _spec))\n"
        "_hints = {}\n"
        "for _q in _spec:\n"
        "    _buf = _io.StringIO()\n"
        "    with _cl.redirect_stdout(_buf):\n"
        "        _hint(_q['qid'])\n"
        "    _hints[_q['qid']] = _buf.getvalue()\n"
        "_wrong = _json.loads(_vf.wrong_answer_report(globals(), _spec))\n"
        f"print({MARKER!r} + _json.dumps({{'hidden': _hidden, 'wrong': _wrong, 'hints': _hints}}))"
    )
    nb.cells.append(nbformat.v4.new_code_cell(probe))
    execute_notebook(nb, path.parent)  # raises if any cell of the blank edition errs
    text = "".join(
        o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream"
    )
    line = next(ln for ln in text.splitlines() if ln.startswith(MARKER))
    nb.cells.pop()
    return nb, json.loads(line[len(MARKER) :])


def _printed(cell: nbformat.NotebookNode) -> list[str]:
    text = "".join(
        o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream"
    )
    return [line for line in text.splitlines() if line.strip()]


# --------------------------------------------------------------------------------------------------------
# Without a kernel


def test_the_course_has_its_exercise_sets():
    names = {p.stem for p in SOURCES}
    assert PLANNED_SETS <= names, f"missing exercise sets: {sorted(PLANNED_SETS - names)}"
    total = sum(len(load_source(p).questions) for p in SOURCES)
    assert total >= 35, f"the sets hold {total} questions together; the course needs at least 35"


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_set_shape(path):
    ex = load_source(path)
    nb = ex.notebook
    assert nb.nbformat == 4 and nb.metadata.get("kernelspec", {}).get("name") == "python3"
    assert "widgets" not in nb.metadata, "remove metadata.widgets before committing"
    assert 20 <= ex.minutes <= 90, "a set should take between 20 and 90 minutes"
    assert (ROOT / f"{ex.chapter}.md").exists(), f"{ex.chapter}.md does not exist"
    h1 = [c for c in nb.cells if c.cell_type == "markdown" and re.search(r"^# ", c.source, re.M)]
    assert len(h1) == 1 and nb.cells.index(h1[0]) == 0, (
        "the first cell holds the set's only H1 title"
    )
    manual = [q for q in ex.questions if q.kind == "manual"]
    assert manual and all(q.rubric for q in manual), (
        "each set has a written-argument question with a rubric"
    )
    assert len(ex.questions) >= 5
    for q in ex.questions:
        if q.kind != "manual":
            assert q.hints, f"{q.qid} has no hints"


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_source_stores_only_check_outputs(path):
    """Outputs in the source are the check cells' verdicts, which nbval compares; nothing else is stored."""
    ex = load_source(path)
    checks = {i for q in ex.questions for i in q.check_cells}
    for i, cell in enumerate(ex.notebook.cells):
        if cell.cell_type != "code":
            continue
        if i in checks:
            q = next(q for q in ex.questions if i in q.check_cells)
            assert "nbval-check-output" in cell.metadata.get("tags", []), (
                f"cell {i}: not compared by nbval"
            )
            assert cell.execution_count is not None, f"cell {i}: nbval skips unrun cells"
            assert _printed(cell) and all(
                line == f"✅ {q.qid}: correct" for line in _printed(cell)
            ), (
                f"cell {i}: the stored output should be '✅ {q.qid}: correct'; run "
                f"'coursekit release {path.relative_to(ROOT)} --out /tmp/x --refresh-checks'"
            )
        else:
            assert not cell.outputs, f"cell {i}: only check cells keep outputs in the source"


# --------------------------------------------------------------------------------------------------------
# The reference run (one kernel per set)


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_reference_passes_its_hidden_tests(path):
    run = reference(path)
    assert not run.failing_hidden_tests(), run.failing_hidden_tests()
    ex = load_source(path)
    for q in ex.questions:
        if q.kind != "manual":
            results = run.hidden_tests[q.qid]
            assert results, f"{q.qid}: no hidden test ran"
            assert sum(r["points"] for r in results) == pytest.approx(q.points)


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_stored_expected_values_match_the_reference(path):
    assert verify_stored(load_source(path), reference(path)) == []


# --------------------------------------------------------------------------------------------------------
# The student run (one kernel per set)


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_blank_student_edition_says_not_attempted(path):
    nb, _ = student_run(path)
    ex = load_source(path)
    expected = len(check_keys(ex))
    seen = 0
    for cell in nb.cells:
        if "check" in cell.metadata.get("tags", []):
            qid = cell.metadata["coursekit"]["question"]
            lines = _printed(cell)
            assert lines and all(line == f"⏳ {qid}: not attempted" for line in lines), lines
            seen += len(lines)
        elif cell.cell_type == "code":
            assert not any(o.get("output_type") == "error" for o in cell.outputs)
    assert seen == expected


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_stubs_fail_every_hidden_test(path):
    _, report = student_run(path)
    for qid, results in report["hidden"].items():
        passed = [r["name"] for r in results if r["passed"]]
        assert results and not passed, f"{qid}: the stub passes hidden tests {passed}"


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_wrong_answers_fail_their_checks(path):
    _, report = student_run(path)
    for qid, lines in report["wrong"].items():
        assert lines, f"{qid}: no wrong answer was tried"
        right = [line for line in lines if not line.startswith(f"❌ {qid}")]
        assert not right, f"{qid}: a wrong answer was not reported incorrect: {right}"


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_hints_are_available_in_the_student_edition(path):
    _, report = student_run(path)
    ex = load_source(path)
    for q in ex.questions:
        if q.kind != "manual":
            assert report["hints"][q.qid].startswith(
                f"💡 {q.qid} hint 1 of {len(q.hints)}: {q.hints[0]}"
            )
