"""The batch grader (``coursekit grade``): integrity, isolation, outputs, resume and exit status.

Kernels are expensive (one per submission), so every failure mode is graded in ONE run of the real command
(module fixture ``graded``, two jobs) and each test then reads that run's gradebook for its own submission.
The pure parts (plain-data export, reconciliation, hidden tests, writers) are tested without kernels.
"""

from __future__ import annotations

import copy
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from grading_cases import (
    HIDDEN_MARK,
    Q3_GIVEN,
    SET_ID,
    TAMPERED_GIVEN,
    answer,
    correct,
    source_notebook,
    student_edition,
    submission,
    write,
    write_source,
)

from coursekit.exercises.format import load_source, make_student_edition
from coursekit.grading import export, hidden, kernel, reconcile, results
from coursekit.grading.grader import Progress, is_untouched, read_submission
from coursekit.grading.spec import StudentFunctionError, points, points_of

CELL_TIMEOUT = 5
MEMORY_MB = (
    512  # reached sooner, so the memory hog ends well within the cell limit on a busy machine
)
FILE_MB = 8
SPY_FILE = Path("/tmp") / f"coursekit-grader-spy-{uuid.uuid4().hex}.txt"


# ---- helpers ------------------------------------------------------------------------------------------------


def cell_of(nb: nbformat.NotebookNode, qid: str, tag: str) -> nbformat.NotebookNode:
    for cell in nb.cells:
        if (
            tag in cell.metadata.get("tags", [])
            and cell.metadata.get("coursekit", {}).get("question") == qid
        ):
            return cell
    raise KeyError((qid, tag))


def prepend(nb: nbformat.NotebookNode, qid: str, code: str) -> None:
    """Put ``code`` at the top level of question ``qid``'s answer cell, after its marker line."""
    cell = cell_of(nb, qid, "solution")
    first, rest = cell.source.split("\n", 1)
    cell.source = f"{first}\n{code}\n{rest}"


def add_cell_after(nb: nbformat.NotebookNode, qid: str, tag: str, code: str) -> None:
    target = cell_of(nb, qid, tag)
    nb.cells.insert(nb.cells.index(target) + 1, nbformat.v4.new_code_cell(code))


def run_cli(*args: str | Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coursekit", "grade", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# ---- the submissions of the integrity run -------------------------------------------------------------------


def _partial(nb):
    answer(nb, "q2", "    return power * proximity * 1.5")  # test_zero passes, test_value fails
    answer(
        nb, "q3", 'per_year = events.groupby("year").size().reset_index(name="count")'
    )  # shape only


def _loop(nb):
    answer(nb, "q1", "while True:\n    pass")


def _exit_os(nb):
    cell = cell_of(nb, "q2", "solution")
    cell.source += "\nimport os\nos._exit(1)"


def _sys_exit(nb):
    answer(nb, "q1", "import sys\nsys.exit()\npeak_year = 2019")


def _kill_self(nb):
    prepend(nb, "q3", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")


def _rigged(nb):
    answer(
        nb,
        "q1",
        "class Always:\n    def __eq__(self, other):\n        return True\n    __hash__ = object.__hash__\n"
        "peak_year = Always()",
    )


def _rigged_int(nb):
    answer(
        nb,
        "q1",
        "class Liar(int):\n    def __eq__(self, other):\n        return True\npeak_year = Liar(1900)",
    )


def _patched(nb):
    code = (
        "import builtins\n"
        "import coursekit.exercises.checks as checks\n"
        "import coursekit.grading.spec as spec\n"
        "def check(*args, **kwargs):\n    print('✅ correct')\n"
        "checks.check = check\n"
        "spec.points = lambda n: (lambda f: f)\n"
        "builtins.AssertionError = type('NotAnAssertion', (Exception,), {})\n"
    )
    add_cell_after(nb, "q1", "check", code)
    answer(nb, "q1", 'peak_year = "2019"')  # text, not a number: wrong
    answer(nb, "q2", "    return 42")  # wrong; the patched check calls it right


def _transformer(nb):
    code = (
        "def rewrite(lines):\n"
        "    return ['print(\"✅ all tests passed\")\\n']\n"
        "get_ipython().input_transformers_post.append(rewrite)"
    )
    add_cell_after(nb, "q1", "check", code)  # q1 is answered before; q2 and q3 are rewritten away


def _tampered(nb):
    cell_of(nb, "q1", "check").source = '# coursekit: q1\nprint("✅ q1: correct")'
    cell = cell_of(nb, "q3", "solution")
    assert Q3_GIVEN in cell.source
    cell.source = cell.source.replace(Q3_GIVEN, TAMPERED_GIVEN)


def _deleted(nb):
    nb.cells.remove(cell_of(nb, "q1", "check"))
    nb.cells.remove(cell_of(nb, "q2", "solution"))


def _stripped(nb):
    for cell in nb.cells:
        cell.metadata = {}


def _huge_output(nb):
    answer(
        nb, "q1", 'print("x" * 50_000_000)\nfor i in range(20000):\n    print(i)\npeak_year = 2019'
    )


def _memory(nb):
    answer(
        nb,
        "q1",
        "def hog():\n    blocks = []\n    while True:\n        blocks.append(bytearray(50 * 1024 * 1024))\n"
        "hog()\npeak_year = 2019",
    )


def _big_file(nb):
    answer(
        nb,
        "q1",
        f'with open("big.bin", "wb") as f:\n    f.write(b"0" * ({4 * FILE_MB} * 1024 * 1024))\npeak_year = 2019',
    )


def _warnings(nb):
    answer(
        nb,
        "q1",
        'import sys, warnings\nwarnings.warn("only a warning")\nprint("noise on stderr", file=sys.stderr)\n'
        "peak_year = 2019",
    )


def _spy(source: Path):
    def edit(nb):
        answer(
            nb,
            "q1",
            "import os\n"
            f"saw_source = os.path.exists({str(source)!r})\n"
            "nics = [l.split(':')[0].strip() for l in open('/proc/net/dev').read().splitlines()[2:]]\n"
            f"open({str(SPY_FILE)!r}, 'w').write('escaped')\n"
            "peak_year = 2019 if (not saw_source and nics == ['lo']) else 1900",
        )

    return edit


def _bad_function(nb):
    answer(nb, "q2", "    return power / 0")


def _exit_in_function(nb):
    answer(nb, "q2", "    import os\n    os._exit(3)")


def _slow_function(nb):
    answer(nb, "q2", "    while True:\n        pass")


def _duplicate(nb):
    """The student copied the answer cell and changed the copy: the later version counts."""
    cell = cell_of(nb, "q1", "solution")
    copy_ = copy.deepcopy(cell)
    copy_["id"] = uuid.uuid4().hex[:8]
    cell.source = cell.source.replace("peak_year = 2019", "peak_year = 1999")
    nb.cells.insert(nb.cells.index(cell) + 1, copy_)


EDITS = {
    "partial": _partial,
    "loop": _loop,
    "exit_os": _exit_os,
    "sys_exit": _sys_exit,
    "kill_self": _kill_self,
    "rigged": _rigged,
    "rigged_int": _rigged_int,
    "patched": _patched,
    "transformer": _transformer,
    "tampered": _tampered,
    "deleted": _deleted,
    "stripped": _stripped,
    "huge_output": _huge_output,
    "memory": _memory,
    "big_file": _big_file,
    "warnings": _warnings,
    "bad_function": _bad_function,
    "slow_function": _slow_function,
    "exit_in_function": _exit_in_function,
    "duplicate": _duplicate,
}


@dataclass
class Graded:
    """The outcome of the one integrity run."""

    proc: subprocess.CompletedProcess[str]
    source: Path
    subs: Path
    out: Path
    rows: dict[str, dict[str, dict[str, str]]]  # submission -> question -> gradebook row
    summary: dict[str, dict[str, str]]
    sandbox: str

    def row(self, sid: str, qid: str) -> dict[str, str]:
        return self.rows[sid][qid]

    def status(self, sid: str) -> dict[str, str]:
        return {q: r["status"] for q, r in self.rows[sid].items()}

    def points(self, sid: str) -> dict[str, str]:
        return {q: r["points"] for q, r in self.rows[sid].items()}


def read_gradebook(path: Path) -> dict[str, dict[str, dict[str, str]]]:
    out: dict[str, dict[str, dict[str, str]]] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["submission"], {})[row["question"]] = row
    return out


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Graded:
    base = tmp_path_factory.mktemp("grading")
    source = write_source(base)
    subs = base / "submissions"
    subs.mkdir()
    write(correct(source), subs / "correct.ipynb")
    write(student_edition(source), subs / "blank.ipynb")
    for name, edit in EDITS.items():
        write(submission(source, edit), subs / f"{name}.ipynb")
    write(submission(source, _spy(source)), subs / "spy.ipynb")
    write("{not json", subs / "corrupt.ipynb")
    write(
        {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": []}]},
        subs / "nbformat3.ipynb",
    )
    out = base / "out"
    proc = run_cli(
        source, subs, "--out", out, "--jobs", "2", "--cell-timeout", str(CELL_TIMEOUT), "--timeout", "60",
        "--memory-mb", str(MEMORY_MB), "--file-mb", str(FILE_MB), "--junit", out / "junit.xml",
    )  # fmt: skip
    sandbox = "bwrap" if kernel.bwrap_path() else "none"
    yield Graded(proc, source, subs, out, read_gradebook(out / "gradebook.csv") if (out / "gradebook.csv").exists()
                 else {}, _summary(out), sandbox)  # fmt: skip
    SPY_FILE.unlink(missing_ok=True)


def _summary(out: Path) -> dict[str, dict[str, str]]:
    path = out / "summary.csv"
    if not path.exists():
        return {}
    with open(path, newline="", encoding="utf-8") as fh:
        return {r["submission"]: r for r in csv.DictReader(fh)}


ALL_SUBMISSIONS = {"correct", "blank", "spy", "corrupt", "nbformat3", *EDITS}


# ---- the run as a whole -------------------------------------------------------------------------------------


def test_grading_runs_and_exits_zero_whatever_the_scores(graded):
    assert graded.proc.returncode == 0, graded.proc.stderr
    assert f"Graded {len(ALL_SUBMISSIONS)} submission(s)" in graded.proc.stdout
    assert "Traceback" not in graded.proc.stderr
    assert "\r[" not in graded.proc.stderr  # no progress bar when stderr is not a terminal


def test_gradebook_has_one_row_per_submission_and_question(graded):
    with open(graded.out / "gradebook.csv", newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        body = list(reader)
    assert header == ["submission", "question", "points", "max_points", "status", "message"]
    assert len(body) == 4 * len(ALL_SUBMISSIONS)
    assert set(graded.rows) == ALL_SUBMISSIONS
    for sid, questions in graded.rows.items():
        assert list(questions) == ["q1", "q2", "q3", "q4"], sid
        for row in questions.values():
            assert row["status"] in results.STATUSES
            assert row["message"], (sid, row)
            assert (
                row["max_points"] == {"q1": "2", "q2": "3", "q3": "2", "q4": "2"}[row["question"]]
            )


def test_correct_submission_gets_full_marks_and_its_written_answer_waits_for_hand_grading(graded):
    assert graded.status("correct") == {
        "q1": "passed",
        "q2": "passed",
        "q3": "passed",
        "q4": "manual",
    }
    assert graded.points("correct") == {"q1": "2", "q2": "3", "q3": "2", "q4": ""}
    s = graded.summary["correct"]
    assert (s["points"], s["max_points"], s["manual_pending"]) == ("7", "9", "2")


def test_partial_credit(graded):
    assert graded.status("partial")["q2"] == "partial"
    assert graded.points("partial")["q2"] == "1"  # test_zero (1 of 3 points) passes
    assert graded.status("partial")["q3"] == "partial"
    assert graded.points("partial")["q3"] == "1"
    assert "should be 0.1" in graded.row("partial", "q2")["message"]
    assert "Count only the military events." in graded.row("partial", "q3")["message"]


def test_blank_submission_is_not_attempted(graded):
    assert graded.status("blank") == {q: "not_attempted" for q in ("q1", "q2", "q3", "q4")}
    assert graded.summary["blank"]["points"] == "0"


def test_loop_times_out_and_the_rest_of_the_notebook_is_graded(graded):
    assert graded.status("loop")["q1"] == "timeout"
    assert graded.points("loop")["q1"] == "0"
    assert f"{CELL_TIMEOUT} s" in graded.row("loop", "q1")["message"]
    assert graded.status("loop")["q2"] == graded.status("loop")["q3"] == "passed"


@pytest.mark.parametrize(
    ("sid", "bad", "good", "after"),
    [
        (
            "exit_os",
            "q2",
            ["q1"],
            ["q3"],
        ),  # os._exit: kernel gone, later questions cannot be graded
        ("kill_self", "q3", ["q1", "q2"], []),  # SIGKILL to its own kernel
        (
            "sys_exit",
            "q1",
            ["q2", "q3"],
            [],
        ),  # SystemExit is an error in the cell, the kernel survives
        ("memory", "q1", ["q2", "q3"], []),  # MemoryError at the memory limit
        ("big_file", "q1", ["q2", "q3"], []),  # OSError: file too large
    ],
)
def test_crashes_and_limits_are_errors_of_that_question_only(graded, sid, bad, good, after):
    st = graded.status(sid)
    assert st[bad] == "error", graded.rows[sid]
    assert graded.points(sid)[bad] == "0"
    for q in good:
        assert st[q] == "passed", (sid, q, graded.rows[sid][q])
    for q in after:
        assert st[q] == "error"
        assert "kernel stopped" in graded.row(sid, q)["message"]
    assert st["q4"] == "manual"


def test_crash_messages_say_what_happened(graded):
    assert "exited with status 1" in graded.row("exit_os", "q2")["message"]
    assert (
        "kernel stopped while running cell 7 (the check cell of q2)"
        in graded.row("exit_in_function", "q2")["message"]
    )
    assert "exited with status 3" in graded.row("exit_in_function", "q2")["message"]
    assert "SIGKILL" in graded.row("kill_self", "q3")["message"]
    assert "SystemExit" in graded.row("sys_exit", "q1")["message"]
    assert "MemoryError" in graded.row("memory", "q1")["message"]
    assert "File too large" in graded.row("big_file", "q1")["message"]


def test_rigged_eq_earns_nothing(graded):
    row = graded.row("rigged", "q1")
    assert (row["status"], row["points"]) == ("failed", "0")
    assert "object of type Always, which cannot be graded" in row["message"]


def test_int_subclass_is_judged_by_its_real_value(graded):
    row = graded.row("rigged_int", "q1")
    assert (row["status"], row["points"]) == (
        "partial",
        "1",
    )  # it is an int (1 point), but 1900, not 2019
    assert "Sochi summit" in row["message"]


def test_patched_checker_and_spec_change_nothing(graded):
    st, pts = graded.status("patched"), graded.points("patched")
    assert (st["q1"], pts["q1"]) == ("failed", "0")
    assert (st["q2"], pts["q2"]) == ("failed", "0")
    assert (st["q3"], pts["q3"]) == ("passed", "2")  # answers are still read, and read right


def test_input_transformer_cannot_rewrite_grading(graded):
    st, pts = graded.status("transformer"), graded.points("transformer")
    assert (st["q1"], pts["q1"]) == (
        "passed",
        "2",
    )  # answered before the transformer: read correctly
    assert (st["q2"], pts["q2"]) == ("failed", "0")  # its cell was rewritten away: nothing defined
    assert (st["q3"], pts["q3"]) == ("failed", "0")
    assert "not defined" in graded.row("transformer", "q2")["message"]


def test_tampered_cells_are_marked_and_graded_from_the_released_version(graded):
    st, pts = graded.status("tampered"), graded.points("tampered")
    assert (st["q1"], pts["q1"]) == ("tampered", "2")
    assert "check cell was edited" in graded.row("tampered", "q1")["message"]
    # q3's given data was replaced by one 2020 event; graded with the released data, the answer is right
    assert (st["q3"], pts["q3"]) == ("tampered", "2")
    assert "restored" in graded.row("tampered", "q3")["message"]
    assert st["q2"] == "passed"


def test_deleted_cells_are_reinserted_and_a_deleted_answer_is_missing(graded):
    st = graded.status("deleted")
    assert st == {"q1": "passed", "q2": "missing", "q3": "passed", "q4": "manual"}
    assert graded.points("deleted")["q2"] == "0"


def test_stripped_metadata_is_recovered_from_the_marker_comments(graded):
    assert graded.status("stripped") == {
        "q1": "passed",
        "q2": "passed",
        "q3": "passed",
        "q4": "manual",
    }


def test_duplicated_answer_cell_runs_in_order(graded):
    assert graded.status("duplicate")["q1"] == "passed"


@pytest.mark.parametrize(
    ("sid", "reason"), [("corrupt", "not valid notebook JSON"), ("nbformat3", "version 3")]
)
def test_unreadable_notebooks_get_error_rows_with_the_reason(graded, sid, reason):
    for row in graded.rows[sid].values():
        assert (row["status"], row["points"]) == ("error", "0")
        assert reason in row["message"]


def test_huge_output_and_stderr_warnings_cost_nothing(graded):
    assert graded.status("huge_output")["q1"] == "passed"
    assert graded.status("warnings") == {
        "q1": "passed",
        "q2": "passed",
        "q3": "passed",
        "q4": "manual",
    }
    assert graded.summary["warnings"]["points"] == "7"


def test_function_that_raises_or_hangs(graded):
    row = graded.row("bad_function", "q2")
    assert (row["status"], row["points"]) == ("failed", "0")
    assert "raised ZeroDivisionError" in row["message"]
    row = graded.row("slow_function", "q2")
    assert (row["status"], row["points"]) == ("timeout", "0")
    assert "did not return within" in row["message"]
    assert graded.status("slow_function")["q3"] == "passed"  # the kernel was interrupted, not lost


def test_none_mode_grades_the_same(graded, tmp_path):
    """Without bubblewrap the OS limits still hold: same grades for crashes, memory and big files."""
    if graded.sandbox != "bwrap":
        pytest.skip("the integrity run already used the none mode")
    subs = tmp_path / "subs"
    subs.mkdir()
    names = ("correct", "exit_os", "memory", "big_file")
    for sid in names:
        shutil.copy(graded.subs / f"{sid}.ipynb", subs)
    out = tmp_path / "out"
    proc = run_cli(
        graded.source, subs, "--out", out, "--jobs", "2", "--sandbox", "none", "--cell-timeout",
        str(CELL_TIMEOUT), "--memory-mb", str(MEMORY_MB), "--file-mb", str(FILE_MB),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "sandbox none" in proc.stdout
    rows = read_gradebook(out / "gradebook.csv")
    for sid in names:
        assert {q: (r["status"], r["points"]) for q, r in rows[sid].items()} == {
            q: (r["status"], r["points"]) for q, r in graded.rows[sid].items()
        }, sid


def test_sandbox_hides_the_source_and_the_network_and_keeps_files_private(graded):
    if graded.sandbox != "bwrap":
        pytest.skip(
            "bubblewrap is not usable here; the none mode gives no file-system or network isolation"
        )
    assert graded.status("spy")["q1"] == "passed", graded.row("spy", "q1")
    assert not SPY_FILE.exists()


def test_other_submissions_keep_their_grades(graded):
    """Every failure above stayed in its own rows: q4 (never run) is intact everywhere it was answered."""
    for sid in ALL_SUBMISSIONS - {"blank", "corrupt", "nbformat3"}:
        assert graded.status(sid)["q4"] == "manual", sid


# ---- the other output files -------------------------------------------------------------------------------


def test_feedback_is_written_per_submission_and_never_shows_test_code(graded):
    folder = graded.out / "feedback"
    assert {p.stem for p in folder.glob("*.html")} == ALL_SUBMISSIONS
    for page in folder.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert HIDDEN_MARK not in text
        assert "def test_" not in text and "@points" not in text
        assert "1 point per sound" not in text  # the rubric stays with the instructor
    partial = (folder / "partial.html").read_text(encoding="utf-8")
    assert "threat_score(0.5, 0.2) should be 0.1" in partial
    assert "Partly correct" in partial


def test_summary_manual_and_junit_files(graded):
    assert set(graded.summary) == ALL_SUBMISSIONS
    with open(graded.out / "manual.csv", newline="", encoding="utf-8") as fh:
        manual = {r["submission"]: r for r in csv.DictReader(fh)}
    assert manual["correct"]["rubric"] == "1 point per sound, sourced sentence."
    assert manual["correct"]["answer"].startswith("It is an alliance")
    tree = ET.parse(graded.out / "junit.xml")
    suites = {s.get("name"): s for s in tree.getroot()}
    assert set(suites) == ALL_SUBMISSIONS
    assert (suites["correct"].get("failures"), suites["correct"].get("skipped")) == ("0", "1")
    assert suites["corrupt"].get("errors") == "4"


def test_rerun_resumes_without_grading_again(graded, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(graded.out, out)
    lines_before = (out / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    proc = run_cli(graded.source, graded.subs, "--out", out, "--jobs", "2", "--cell-timeout", str(CELL_TIMEOUT),
                   "--timeout", "60", "--memory-mb", str(MEMORY_MB), "--file-mb", str(FILE_MB))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert f"Graded 0 submission(s) ({len(ALL_SUBMISSIONS)} resumed)" in proc.stdout
    assert (out / "journal.jsonl").read_text(encoding="utf-8").splitlines() == lines_before
    assert read_gradebook(out / "gradebook.csv") == graded.rows


def test_interrupted_run_resumes_where_it_stopped(graded, tmp_path):
    """A journal cut off mid-line (a killed run) loses only what was not finished."""
    subs = tmp_path / "subs"
    subs.mkdir()
    for sid in ("correct", "blank", "partial"):
        shutil.copy(graded.subs / f"{sid}.ipynb", subs)
    out = tmp_path / "out"
    first = run_cli(graded.source, subs, "--out", out, "--jobs", "2")
    assert first.returncode == 0, first.stderr
    journal = out / "journal.jsonl"
    lines = journal.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    kept = [line for line in lines if '"submission": "partial"' not in line]
    journal.write_text("\n".join(kept) + "\n" + lines[-1][: len(lines[-1]) // 2], encoding="utf-8")
    (out / "gradebook.csv").unlink()
    second = run_cli(graded.source, subs, "--out", out, "--jobs", "2")
    assert second.returncode == 0, second.stderr
    assert "Graded 1 submission(s) (2 resumed)" in second.stdout
    rows = read_gradebook(out / "gradebook.csv")
    assert {q: r["status"] for q, r in rows["partial"].items()} == graded.status("partial")
    assert {q: r["status"] for q, r in rows["correct"].items()} == graded.status("correct")


# ---- exit status 2: the grader cannot run -------------------------------------------------------------------


def test_missing_source_is_exit_2(tmp_path):
    (tmp_path / "a.ipynb").write_text("{}")
    proc = run_cli(tmp_path / "nope.ipynb", tmp_path / "a.ipynb", "--out", tmp_path / "out")
    assert proc.returncode == 2
    assert "no such source notebook" in proc.stderr


def test_malformed_source_is_exit_2_naming_the_problem(tmp_path):
    nb = source_notebook()
    del nb.cells[4].metadata["tags"]  # q1's check cell loses its role tag
    path = tmp_path / f"{SET_ID}.ipynb"
    nbformat.write(nb, path)
    write(nb, tmp_path / "s.ipynb")
    proc = run_cli(path, tmp_path / "s.ipynb", "--out", tmp_path / "out")
    assert proc.returncode == 2
    assert "cell 4" in proc.stderr and "q1" in proc.stderr


def test_hidden_tests_that_do_not_run_are_exit_2(tmp_path):
    nb = source_notebook()
    nb.cells[5].source += "\nraise_me = undefined_name\n"
    path = tmp_path / f"{SET_ID}.ipynb"
    nbformat.write(nb, path)
    write(nb, tmp_path / "s.ipynb")
    proc = run_cli(path, tmp_path / "s.ipynb", "--out", tmp_path / "out")
    assert proc.returncode == 2
    assert "q1" in proc.stderr and "NameError" in proc.stderr


def test_reference_solution_that_fails_its_tests_stops_the_run(tmp_path):
    nb = source_notebook()
    nb.cells[5].source = nb.cells[5].source.replace("answer == 2019", "answer == 2020")
    path = tmp_path / f"{SET_ID}.ipynb"
    nbformat.write(nb, path)
    write(correct(path), tmp_path / "s.ipynb")
    proc = run_cli(path, tmp_path / "s.ipynb", "--out", tmp_path / "out", "--jobs", "1")
    assert proc.returncode == 2
    assert "reference solution does not earn full marks" in proc.stderr and "q1" in proc.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--jobs", "0"], "expected a positive number"),
        (["--timeout", "-1"], "expected a positive number"),
        (["--sandbox", "docker"], "invalid choice"),
    ],
)
def test_bad_arguments_are_exit_2(tmp_path, args, message):
    path = write_source(tmp_path)
    proc = run_cli(path, path, "--out", tmp_path / "out", *args)
    assert proc.returncode == 2
    assert message in proc.stderr


def test_no_submissions_or_missing_paths_are_exit_2(tmp_path):
    path = write_source(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = run_cli(path, empty, "--out", tmp_path / "out")
    assert proc.returncode == 2 and "no submissions found" in proc.stderr
    proc = run_cli(path, tmp_path / "missing", "--out", tmp_path / "out")
    assert proc.returncode == 2 and "no such file or folder" in proc.stderr
    (tmp_path / "notes.txt").write_text("x")
    proc = run_cli(path, tmp_path / "notes.txt", "--out", tmp_path / "out")
    assert proc.returncode == 2 and "not a notebook" in proc.stderr


def test_two_submissions_with_the_same_id_are_exit_2(tmp_path):
    path = write_source(tmp_path)
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        write(correct(path), tmp_path / d / "alice.ipynb")
    proc = run_cli(path, tmp_path / "a", tmp_path / "b", "--out", tmp_path / "out")
    assert proc.returncode == 2 and "alice" in proc.stderr


def test_bwrap_mode_without_bubblewrap_is_refused(monkeypatch):
    monkeypatch.setattr(kernel, "bwrap_path", lambda: None)
    assert kernel.resolve_sandbox("auto") == "none"
    with pytest.raises(ValueError, match="apt-get install bubblewrap"):
        kernel.resolve_sandbox("bwrap")
    with pytest.raises(ValueError, match="unknown sandbox mode"):
        kernel.resolve_sandbox("docker")


# ---- spec ---------------------------------------------------------------------------------------------------


def test_points_only_attaches_the_points():
    def test_x(answer):
        return answer

    decorated = points(2)(test_x)
    assert decorated is test_x and decorated.points == 2 and decorated(5) == 5
    assert points_of(decorated) == 2.0 and points_of(lambda: None) == 0.0
    with pytest.raises(TypeError, match="@points\\(1\\)"):
        points(test_x)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="number of points"):
        points("2")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="positive"):
        points(0)


# ---- plain-data export --------------------------------------------------------------------------------------


def roundtrip(value):
    return export.decode(export.decode_json(export.dump(value))["v"])


def test_export_roundtrip_keeps_types():
    assert roundtrip({1: "a", (1, 2): [3, None]}) == {1: "a", (1, 2): [3, None]}
    assert roundtrip({3, 4}) == {3, 4} and roundtrip((1, 2)) == (1, 2)
    assert roundtrip(...) is Ellipsis
    import numpy as np

    assert roundtrip(np.int64(5)) == 5 and type(roundtrip(np.int64(5))) is int
    assert roundtrip(np.array([[1, 2], [3, 4]])) == [[1, 2], [3, 4]]
    frame = pd.DataFrame(
        {
            "year": [2017, 2018],
            "n": [1.5, None],
            "when": pd.to_datetime(["2019-10-23", "2020-01-01"]),
        },
        index=pd.Index(["a", "b"], name="id"),
    )
    pd.testing.assert_frame_equal(roundtrip(frame), frame)
    series = pd.Series([1, 2, 3], index=[2017, 2018, 2019], name="count")
    pd.testing.assert_series_equal(roundtrip(series), series)
    assert roundtrip(pd.Timestamp("2019-10-23")) == pd.Timestamp("2019-10-23")


def test_export_trusts_only_exact_types():
    class Always:
        def __eq__(self, other):
            return True

        __hash__ = object.__hash__

    class Liar(int):
        def __eq__(self, other):
            return True

        __hash__ = int.__hash__

    class FakeList(list):
        def __iter__(self):
            return iter([1, 2, 3])

    out = roundtrip(Always())
    assert isinstance(out, export.Unexportable) and out.type_name.endswith("Always")
    assert out != 42 and out != out.__class__("x", "y") and not out
    assert roundtrip(Liar(1900)) == 1900 and type(roundtrip(Liar(1900))) is int
    assert roundtrip(FakeList([9])) == [9]
    loop: list = [1]
    loop.append(loop)
    assert isinstance(roundtrip(loop)[1], export.Unexportable)


def test_export_refuses_oversized_answers(monkeypatch):
    monkeypatch.setattr(export, "MAX_ITEMS", 100)
    # the kernel sends a code, the grader words it (coursekit.grading.judge.export_problem)
    assert export.decode_json(export.dump(list(range(1000))))["err"] == [
        "too_many_values",
        {"limit": 100},
    ]


@pytest.mark.parametrize(
    "text",
    ["not json", "[1, 2]", '{"v": 1, "x": 2}', '{"other": 1}', json.dumps({"v": {"nope": 1}})],
)
def test_decoding_rejects_malformed_replies(text):
    with pytest.raises(export.ExportError):
        outer = export.decode_json(text)
        export.decode(outer["v"])


def test_call_reports_what_the_student_function_did():
    def div(a, b=1):
        return a / b

    ok = export.decode_json(export.call(div, export.encode_args((6,), {"b": 3})))
    assert export.decode(ok["v"]) == 2.0
    raised = export.decode_json(export.call(div, export.encode_args((1, 0), {})))
    assert raised["raised"] == ["ZeroDivisionError", "division by zero"]
    not_callable = export.decode_json(export.call(42, export.encode_args((), {})))
    assert not_callable["err"] == ["not_a_function", {"type": "int"}]  # a code: the grader words it


def test_untouched_stub_detection():
    assert is_untouched(...) and is_untouched({"a": ..., "b": ...}) and is_untouched([..., ...])
    assert (
        not is_untouched({"a": ..., "b": "B"}) and not is_untouched([]) and not is_untouched(None)
    )


# ---- reading and reconciling submissions --------------------------------------------------------------------


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    path = write_source(tmp_path_factory.mktemp("released"))
    ex = load_source(path)
    return path, reconcile.index_release(ex, make_student_edition(ex))


def steps_by_question(plan):
    return {(s.role, s.qid): s for s in plan.steps}


def test_reconcile_identifies_cells_without_metadata(released):
    path, rel = released
    nb = correct(path)
    for cell in nb.cells:
        cell.metadata = {}
    plan = reconcile.reconcile(rel, nb)
    steps = steps_by_question(plan)
    assert {k for k in steps if k[0] != "code"} == {
        ("setup", None), ("solution", "q1"), ("check", "q1"), ("solution", "q2"), ("check", "q2"),
        ("solution", "q3"), ("check", "q3"),
    }  # fmt: skip
    assert "peak_year = 2019" in steps[("solution", "q1")].source
    assert plan.questions["q4"].written.startswith("It is an alliance")
    assert all(plan.questions[q].recovered for q in ("q1", "q2", "q3", "q4"))
    assert not any(qp.tampered or qp.missing for qp in plan.questions.values())


def test_reconcile_restores_given_lines_and_keeps_added_lines(released):
    path, rel = released
    nb = correct(path)
    cell = cell_of(nb, "q3", "solution")
    cell.source = (
        cell.source.replace(Q3_GIVEN, TAMPERED_GIVEN).replace("print(len(events))", "")
        + "\nextra = 1"
    )
    plan = reconcile.reconcile(rel, nb)
    src = steps_by_question(plan)[("solution", "q3")].source
    assert Q3_GIVEN in src and TAMPERED_GIVEN not in src
    assert "print(len(events))" in src and "extra = 1" in src and "groupby" in src
    assert plan.questions["q3"].tampered and "restored" in plan.questions["q3"].tampered[0]


def test_reconcile_reinserts_deleted_cells_in_place(released):
    path, rel = released
    nb = correct(path)
    nb.cells.remove(cell_of(nb, "q2", "solution"))
    nb.cells.remove(cell_of(nb, "q1", "check"))
    nb.cells = [c for c in nb.cells if "setup" not in c.metadata.get("tags", [])]
    plan = reconcile.reconcile(rel, nb)
    order = [(s.role, s.qid) for s in plan.steps]
    assert order[0] == ("setup", None)
    assert order.index(("check", "q1")) == order.index(("solution", "q1")) + 1
    assert order.index(("solution", "q2")) == order.index(("check", "q1")) + 1
    assert plan.questions["q2"].missing and not plan.questions["q1"].missing
    assert plan.questions["q1"].restored


def test_reconcile_never_runs_a_pasted_hidden_tests_cell(released):
    path, rel = released
    nb = correct(path)
    nb.cells.append(nbformat.v4.new_code_cell("# coursekit: q1 hidden tests\nraise SystemExit"))
    plan = reconcile.reconcile(rel, nb)
    assert not any("hidden tests" in s.source for s in plan.steps)
    assert any("hidden-tests cell" in n for n in plan.notes)


def test_merge_cell_flags_only_changed_code():
    released = "# coursekit: q1\nx = load()\nanswer = ...\nprint(answer)"
    mask = [False, False, True, False]
    same, changed = reconcile.merge_cell(
        released, mask, "# coursekit: q1\nx = load()\nanswer = x + 1\nprint(answer)"
    )
    assert changed == [] and "answer = x + 1" in same
    comment_gone, changed = reconcile.merge_cell(
        released, mask, "x = load()\nanswer = 2\nprint(answer)"
    )
    assert changed == [] and comment_gone.startswith("# coursekit: q1")
    edited, changed = reconcile.merge_cell(
        released, mask, "# coursekit: q1\nx = load()[:3]\nanswer = 2\nprint(answer)"
    )
    assert changed == ["x = load()"]
    assert edited.split("\n") == ["# coursekit: q1", "x = load()", "answer = 2", "print(answer)"]


def test_read_submission_explains_unreadable_files():
    with pytest.raises(ValueError, match="not valid notebook JSON"):
        read_submission(b"{")
    with pytest.raises(ValueError, match="version 3"):
        read_submission(json.dumps({"nbformat": 3, "worksheets": []}).encode())
    with pytest.raises(ValueError, match="not text"):
        read_submission(b"\xff\xfe\x00")
    with pytest.raises(ValueError, match="no list of cells"):
        read_submission(json.dumps({"nbformat": 4, "cells": "x"}).encode())
    nb = read_submission(json.dumps(nbformat.v4.new_notebook()).encode())
    assert nb.cells == []


# ---- hidden tests -------------------------------------------------------------------------------------------


def test_compile_tests_names_the_question_when_the_cell_is_broken():
    with pytest.raises(hidden.HiddenTestsError, match="q3.*NameError"):
        hidden.compile_tests("q3", "x = undefined_name")
    with pytest.raises(hidden.HiddenTestsError, match="defines no test"):
        hidden.compile_tests("q3", "def helper(answer): pass")
    with pytest.raises(hidden.HiddenTestsError, match="only take 'answer' and/or 'call'"):
        hidden.compile_tests("q3", "def test_x(value): pass")


def test_run_tests_scores_and_explains():
    src = (
        "from coursekit.grading.spec import points\n"
        "@points(1)\ndef test_type(answer):\n    assert isinstance(answer, int), 'whole number please'\n"
        "@points(2)\ndef test_value(answer):\n    assert answer == 42, 'not the right count'\n"
        "@points(1)\ndef test_silent(answer):\n    assert answer > 100\n"
        "@points(1)\ndef test_breaks(answer):\n    answer.items()\n"
    )
    tests = hidden.compile_tests("q1", src)
    outcomes = hidden.run_tests(tests, 10, answer=42)
    assert [o.passed for o in outcomes] == [True, True, False, False]
    assert [o.max_points for o in outcomes] == [2, 4, 2, 2]  # 10 points shared 1:2:1:1
    assert sum(o.points for o in outcomes) == 6
    assert outcomes[2].message == "A hidden test failed (it gives no explanation)."
    assert outcomes[3].message.startswith("Your answer could not be checked (AttributeError")
    assert hidden.scaled_weights(
        hidden.compile_tests("q1", "def test_a(answer): pass\ndef test_b(answer): pass"), 3
    ) == [1.5, 1.5]


def test_call_errors_become_the_students_message():
    src = "def test_f(call):\n    assert call(1) == 2, 'f(1) should be 2'\n"
    tests = hidden.compile_tests("q2", src)

    def raising(*args):
        raise StudentFunctionError("f(1) raised ValueError: nope", "ValueError")

    (outcome,) = hidden.run_tests(tests, 3, call=raising)
    assert not outcome.passed and outcome.message == "f(1) raised ValueError: nope"


# ---- writers ------------------------------------------------------------------------------------------------


def _result(
    sid: str, status: str = "passed", written: str | None = None
) -> results.SubmissionResult:
    rows = [
        results.QuestionResult(
            "q1", 2.0 if status == "passed" else 0.0, 2.0, status, f"{status} message", ["detail"]
        ),
        results.QuestionResult("q2", None, 3.0, "manual", "by hand", [], written=written),
    ]
    return results.SubmissionResult(sid, f"{sid}.ipynb", "abc", rows, ["a note"], 1.25)


def test_question_result_rejects_unknown_status():
    with pytest.raises(ValueError, match="unknown status 'great'"):
        results.QuestionResult("q1", 1, 1, "great", "")


def test_journal_skips_cut_lines_and_other_runs(tmp_path):
    journal = results.Journal(tmp_path / "journal.jsonl", "key1")
    journal.append(_result("alice"))
    results.Journal(tmp_path / "journal.jsonl", "other").append(_result("bob"))
    with open(tmp_path / "journal.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"run_key": "key1", "result": {"submi')
    loaded = journal.load()
    assert list(loaded) == ["alice"]
    assert loaded["alice"].to_dict() == _result("alice").to_dict()


def test_feedback_escapes_student_text(tmp_path):
    path = results.write_feedback(
        _result("eve", written="<script>alert(1)</script>"), "Set <1>", "99-x", tmp_path
    )
    text = path.read_text(encoding="utf-8")
    assert "<script>" not in text and "&lt;script&gt;" in text and "Set &lt;1&gt;" in text
    assert "2 / 5 points" in text and "3 points of written answers" in text


def test_csv_writers(tmp_path):
    res = [_result("b", "failed"), _result("a")]
    results.write_gradebook(res, tmp_path / "g.csv")
    rows = list(csv.reader(open(tmp_path / "g.csv", newline="", encoding="utf-8")))
    assert rows[0] == results.GRADEBOOK_COLUMNS
    assert rows[1] == ["a", "q1", "2", "2", "passed", "passed message"]
    assert rows[4] == ["b", "q2", "", "3", "manual", "by hand"]
    results.write_summary(res, tmp_path / "s.csv")
    summary = list(csv.DictReader(open(tmp_path / "s.csv", newline="", encoding="utf-8")))
    # a written answer still to grade by hand is never counted as 0: percent stays empty until finalize
    assert [
        (r["submission"], r["points"], r["percent"], r["percent_so_far"], r["manual_pending"])
        for r in summary
    ] == [("a", "2", "", "100.0", "3"), ("b", "0", "", "0.0", "3")]
    assert summary[0]["notes"].startswith("3 points of written answers are not graded yet")


def test_progress_bar_only_when_enabled():
    import io

    stream = io.StringIO()
    bar = Progress(4, enabled=True, stream=stream)
    bar.update(2, "alice")
    bar.close()
    assert "\r[###############...............] 2/4 graded" in stream.getvalue()
    quiet = io.StringIO()
    Progress(4, enabled=False, stream=quiet).update(2)
    assert quiet.getvalue() == ""


def test_launcher_limits_are_real(tmp_path):
    """The launcher's limits apply to the process it becomes (checked in a child Python)."""
    code = (
        "import resource, sys\n"
        "from coursekit.grading.launcher import apply_limits\n"
        "apply_limits(512, 1, 100, 64)\n"
        "print(resource.getrlimit(resource.RLIMIT_DATA)[0] // 2**20, resource.getrlimit(resource.RLIMIT_FSIZE)[0])\n"
        "try:\n    bytearray(2 * 2**30)\nexcept MemoryError:\n    print('memory-error')\n"
        "try:\n    open(sys.argv[1], 'wb').write(b'0' * 2 * 2**20)\nexcept OSError as e:\n    print(e.errno)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "f.bin")], capture_output=True, text=True,
                          env={**os.environ}, timeout=60)  # fmt: skip
    assert proc.stdout.split() == ["512", str(2**20), "memory-error", "27"], proc.stderr


def test_no_kernel_outlives_a_grader_killed_hard(tmp_path):
    """A grader process that dies without cleaning up takes its kernels with it (none mode: parent-death signal)."""
    code = (
        "import os, sys\nfrom pathlib import Path\nfrom coursekit.grading.kernel import Kernel, Limits\n"
        "d = Path(sys.argv[1])\nk = Kernel(d / 'w', d / 'k', 'none', Limits())\nk.start()\n"
        "print(k.proc.pid, flush=True)\nos._exit(0)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    pid = int(proc.stdout.strip())
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        except OSError:
            state = "gone"
        if state in ("gone", "Z", "X"):
            break
        time.sleep(0.1)
    assert state in ("gone", "Z", "X"), f"kernel {pid} still running"


def test_interrupt_keeps_what_was_graded_and_stops_every_kernel(graded, tmp_path):
    """Ctrl-C: exit status 130 at once, finished submissions in the journal, no kernel left running."""
    import signal

    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(graded.subs / "correct.ipynb", subs / "a_correct.ipynb")
    for i in range(2):
        shutil.copy(graded.subs / "loop.ipynb", subs / f"loop{i}.ipynb")
    out = tmp_path / "out"
    # a short scratch folder of the test's own (kernel socket paths must stay short), to find leftover kernels
    scratch = Path(tempfile.mkdtemp(prefix="ck-int-", dir="/tmp"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "coursekit", "grade", str(graded.source), str(subs), "--out", str(out), "--jobs",
         "2", "--cell-timeout", "120"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "TMPDIR": str(scratch)},
    )  # fmt: skip
    journal = out / "journal.jsonl"
    deadline = time.monotonic() + 120
    while not (journal.exists() and journal.read_text(encoding="utf-8").count("\n") >= 1):
        if proc.poll() is not None:
            _, err = proc.communicate()
            raise AssertionError(
                f"the grader stopped early ({proc.returncode}) before grading:\n{err}"
            )
        assert time.monotonic() < deadline, "the correct submission was never graded"
        time.sleep(0.2)
    time.sleep(1.0)  # both loops are now running in their kernels
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    lines = journal.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and '"a_correct"' in lines[0]
    time.sleep(0.5)
    running = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert str(scratch) not in running
    shutil.rmtree(scratch, ignore_errors=True)


def test_scratch_folder_stays_short_enough_for_kernel_sockets(tmp_path, monkeypatch):
    from coursekit.grading import grader

    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(deep))
    folder = grader._scratch_folder()
    try:
        assert len(str(folder)) <= grader.SCRATCH_MAX_CHARS
        assert folder.is_dir() and not any(deep.iterdir())
    finally:
        shutil.rmtree(folder)


def test_a_kernel_that_cannot_start_stops_the_run(graded, tmp_path, monkeypatch):
    from coursekit.grading import grader

    def broken(self, ready_timeout=60.0):
        raise kernel.KernelStartError("simulated: python not found")

    monkeypatch.setattr(grader.Kernel, "start", broken)
    with pytest.raises(grader.GradingSetupError, match="no kernel could be started.*simulated"):
        grader.grade(
            graded.source, [graded.subs / "correct.ipynb"], tmp_path / "out", grader.Options(jobs=1)
        )


def test_bwrap_private_tmp_does_not_hide_an_environment_living_under_tmp(monkeypatch, tmp_path):
    """On a CI machine the checkout and its .venv may sit under /tmp: they must stay visible in the sandbox."""
    from coursekit.grading import kernel as kmod

    venv = Path("/tmp/some-checkout/.venv")
    monkeypatch.setattr(kmod, "_python_roots", lambda: [venv])
    args = kmod.bwrap_command(
        "bwrap", tmp_path / "work", tmp_path / "k", None, None, kmod.Limits(), extra=()
    )
    tmpfs_at = args.index("/tmp") if args[args.index("/tmp") - 1] == "--tmpfs" else -1
    bind_at = max(i for i, a in enumerate(args) if a == str(venv))
    assert 0 <= tmpfs_at < bind_at, (
        "the private /tmp must be mounted before the environment is bound"
    )
