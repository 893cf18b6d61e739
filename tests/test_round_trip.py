"""The instructor's round trip (issue 17): a realistic class goes from a Canvas zip and from a Moodle download,
through ``coursekit grade --lms``, a filled ``manual.csv`` and ``coursekit finalize``, to the platform's
import file and feedback bundle, with no step done by hand outside ``manual.csv``.

The class (``tests/class_builder.py``): 27 students of set 01 (correct, partial, blank, renamed variables, an
error halfway, an edited check cell, the wrong set, a late resubmission, essays in the wrong cell, extra and
broken files, …). Grading a class takes time, so each platform is graded once (module-scoped fixture, two
jobs) and every test reads that run's files. Each student's row and feedback file is checked.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from class_builder import Classroom, build_class

from coursekit.cli import main
from coursekit.grading.results import MANUAL_COLUMNS

PLATFORMS = ("canvas", "moodle")
SET_ID = "01-alliance-concepts"
ASSIGNMENT = "Set 1: alliance concepts (4101)"

#: Points typed by the instructor for each student's essay (q12 is worth 5), and the comment given.
HAND_POINTS = {"correct": "5", "essay_in_question": "3.5", "essay_new_cell": "2"}
DEFAULT_HAND = "4"

#: Tampered questions keep the points of their answer as graded with the released check cell.
TAMPERED_FULL = {("edited_check", "q3")}


@dataclass
class Run:
    """One platform's round trip."""

    platform: str
    classroom: Classroom
    out: Path
    grade: subprocess.CompletedProcess[str]
    finalize_code: int

    def sid(self, key: str) -> str:
        return self.classroom.sid(key, self.platform, roster=True)


@pytest.fixture(scope="module")
def classroom(tmp_path_factory: pytest.TempPathFactory) -> Classroom:
    return build_class(tmp_path_factory.mktemp("class"))


def _fill_manual(run_out: Path, by_sid: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Type the points and a comment for every written answer waiting in OUT/manual.csv, as an instructor
    would; returns what was typed by submission."""
    path = run_out / "manual.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    typed: dict[str, tuple[str, str]] = {}
    for row in rows:
        if row["status"] != "manual":
            continue
        key = by_sid[row["submission"]]
        points = HAND_POINTS.get(key, DEFAULT_HAND)
        comment = f"Clear argument, {key}; cite the treaty text next time."
        row["points"], row["comment"] = points, comment
        typed[row["submission"]] = (points, comment)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, MANUAL_COLUMNS)
        w.writeheader()
        w.writerows(rows)
    return typed


@pytest.fixture(scope="module", params=PLATFORMS)
def run(
    request: pytest.FixtureRequest, classroom: Classroom, tmp_path_factory: pytest.TempPathFactory
) -> Run:
    platform = request.param
    out = tmp_path_factory.mktemp(f"out-{platform}")
    download = classroom.canvas_zip if platform == "canvas" else classroom.moodle_folder
    proc = subprocess.run(
        [sys.executable, "-m", "coursekit", "grade", str(classroom.source), str(download), "--lms", platform,
         "--roster", str(classroom.roster), "--out", str(out), "--jobs", "2"],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    by_sid = {classroom.sid(s.key, platform, roster=True): s.key for s in classroom.students}
    _fill_manual(out, by_sid)
    code = main(
        [
            "finalize",
            str(out),
            "--lms",
            platform,
            "--assignment",
            ASSIGNMENT,
            "--roster",
            str(classroom.roster),
        ]
    )
    return Run(platform, classroom, out, proc, code)


# ---- what every student should get ----------------------------------------------------------------------


def expected_total(run: Run, key: str) -> float:
    """The student's final points, worked out from what they handed in: full points for a right answer, 0 for
    a wrong, blank, broken or foreign one, the typed points for an essay. Only a ``partial`` answer's share
    comes from the gradebook (it depends on which hidden tests pass); its status is checked like the others'."""
    classroom = run.classroom
    points = {q.qid: float(q.points) for q in classroom.exercise.questions}
    with open(run.out / "gradebook.csv", newline="", encoding="utf-8") as fh:
        rows = {r["question"]: r for r in csv.DictReader(fh) if r["submission"] == run.sid(key)}
    total = 0.0
    for qid, status in classroom.expected[key].statuses.items():
        assert rows[qid]["status"] == status, (key, qid, rows[qid])
        if status == "passed" or (status == "tampered" and (key, qid) in TAMPERED_FULL):
            total += points[qid]
        elif status == "manual":
            total += float(HAND_POINTS.get(key, DEFAULT_HAND))
        elif status == "partial":
            share = float(rows[qid]["points"])
            assert 0 < share < points[qid], (key, qid, share)
            total += share
    return total


def graded_students(classroom: Classroom) -> list[str]:
    return [s.key for s in classroom.students if classroom.expected[s.key].graded]


def fmt(value: float) -> str:
    return f"{round(value, 2):g}"


def graded_upload(classroom: Classroom, key: str) -> int:
    """The Canvas attachment id of the notebook graded for ``key``: the latest upload of the student's notebook
    (an earlier attempt is superseded; another or a broken notebook is never the one graded)."""
    skipped = classroom.expected[key].not_graded
    mine = [
        u.attachment_id
        for u in classroom.uploads
        if u.student == key
        and u.filename.endswith(".ipynb")
        and skipped.get(u.filename) not in ("second_notebook", "unreadable")
    ]
    return max(mine)


def table(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


# ---- the round trip -------------------------------------------------------------------------------------------


def test_the_class_is_realistic(classroom):
    assert len(classroom.students) >= 25
    assert len(graded_students(classroom)) >= 25
    kinds = {s for e in classroom.expected.values() for s in e.statuses.values()}
    assert {"passed", "not_attempted", "tampered", "error", "manual", "failed"} <= kinds


def test_finalize_ran_without_a_step_by_hand(run):
    assert run.finalize_code == 0
    total = [
        r
        for r in csv.DictReader(open(run.out / "finalized.csv", encoding="utf-8"))
        if r["question"] == "total"
    ]
    assert {r["status"] for r in total} == {"complete"}
    assert len(total) == len(graded_students(run.classroom))


def test_every_students_grade_in_the_import_file(run):
    classroom = run.classroom
    max_points = fmt(sum(float(q.points) for q in classroom.exercise.questions))
    if run.platform == "canvas":
        rows = table(run.out / "canvas" / "canvas-grades.csv")
        assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", ASSIGNMENT]
        assert rows[1] == ["Points Possible", "", "", "", "", max_points]
        by_id = {r[1]: r for r in rows[2:]}
        assert len(by_id) == len(rows) - 2
        for key in graded_students(classroom):
            s = classroom.student(key)
            row = by_id.pop(str(s.canvas_id))
            assert row[5] == fmt(expected_total(run, key)), key
            assert (row[0], row[3], row[4]) == (s.name, s.email.split("@")[0], s.section), key
    else:
        rows = table(run.out / "moodle" / "moodle-grading-worksheet.csv")
        assert rows[0] == [
            "Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade",
            "Grade can be changed", "Last modified (submission)", "Last modified (grade)", "Feedback comments",
        ]  # fmt: skip
        by_id = {r[0]: r for r in rows[1:]}
        assert len(by_id) == len(rows) - 1
        for key in graded_students(classroom):
            s = classroom.student(key)
            row = by_id.pop(f"Participant {s.moodle_id}")
            assert row[4] == fmt(expected_total(run, key)), key
            assert (row[1], row[2], row[5], row[6]) == (s.name, s.email, max_points, "Yes"), key
            assert row[9].startswith(f"{fmt(expected_total(run, key))} / {max_points} points."), key
    assert by_id == {}, "rows for students who handed in no notebook"


def test_every_student_gets_a_feedback_file_the_platform_accepts(run):
    classroom = run.classroom
    with zipfile.ZipFile(run.out / run.platform / f"{run.platform}-feedback.zip") as zf:
        files = {n: zf.read(n).decode("utf-8") for n in zf.namelist()}
    max_points = fmt(sum(float(q.points) for q in classroom.exercise.questions))
    for key in graded_students(classroom):
        s = classroom.student(key)
        if run.platform == "canvas":
            name = next(n for n in files if n.split("_")[1] == str(s.canvas_id))
            ids = [p for p in name.split("_") if p.isdigit()][:2]
            assert ids == [str(s.canvas_id), str(graded_upload(classroom, key))], name
        else:
            name = f"{s.name}_{s.moodle_id}_assignfeedback_file_/feedback-{SET_ID}.html"
        page = files.pop(name)
        assert f"{fmt(expected_total(run, key))} / {max_points} points" in page, key
        assert "still to be graded" not in page, key
        if classroom.expected[key].statuses.get("q12") == "manual":
            assert f"Clear argument, {key}; cite the treaty text next time." in page, key
    assert files == {}


def test_regrading_keeps_the_hand_grades_and_finalize_gives_the_same_files(run):
    """A second ``coursekit grade`` (say a late file came in) must not lose what was typed in manual.csv."""
    before = (
        run.out
        / run.platform
        / ("canvas-grades.csv" if run.platform == "canvas" else "moodle-grading-worksheet.csv")
    ).read_text()
    manual_before = (run.out / "manual.csv").read_text(encoding="utf-8")
    download = run.classroom.canvas_zip if run.platform == "canvas" else run.classroom.moodle_folder
    proc = subprocess.run(
        [sys.executable, "-m", "coursekit", "grade", str(run.classroom.source), str(download), "--lms",
         run.platform, "--roster", str(run.classroom.roster), "--out", str(run.out), "--jobs", "2"],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert (run.out / "manual.csv").read_text(encoding="utf-8") == manual_before
    args = ["--assignment", ASSIGNMENT, "--roster", str(run.classroom.roster)]
    assert main(["finalize", str(run.out), "--lms", run.platform, *args]) == 0
    after = (
        run.out
        / run.platform
        / ("canvas-grades.csv" if run.platform == "canvas" else "moodle-grading-worksheet.csv")
    ).read_text()
    if run.platform == "canvas":
        assert after == before
    else:  # only the time stamp of "Last modified (grade)" may differ
        strip = lambda text: [r[:8] + r[9:] for r in table_text(text)]  # noqa: E731
        assert strip(after) == strip(before)


def table_text(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))
