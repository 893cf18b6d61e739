"""``coursekit finalize``: hand grades and overrides merged, the platforms' import files and feedback bundles,
and a re-run of ``coursekit grade`` that keeps what the instructor typed into ``manual.csv``.

The grading output folder is written here with the grader's own writers (no kernel runs); the round trip
through real grading is ``tests/test_round_trip.py``.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from coursekit.cli import main
from coursekit.grading import results
from coursekit.grading.finalize import FinalizeError, finalize
from coursekit.grading.platforms import (
    CANVAS_STUDENT_COLUMNS,
    MOODLE_COLUMNS,
    Student,
    canvas_feedback_name,
    identity_from_path,
    moodle_feedback_folder,
)
from coursekit.grading.results import QuestionResult, SubmissionResult

RUBRICS = {"q2": "1 point per sourced sentence."}

CANVAS_PATHS = {
    "doejane_12345_67890_05-case": "dl/doejane_12345_67890_05-case.ipynb",
    "smithbob_LATE_22222_88888_05-case-1": "dl/smithbob_LATE_22222_88888_05-case-1.ipynb",
    "zhouli_33333_99999_05-case": "dl/zhouli_33333_99999_05-case.ipynb",
}
MOODLE_PATHS = {
    "jane-doe": "dl/Jane Doe_501_assignsubmission_file_/05-case.ipynb",
    "bob-smith": "dl/Bob Smith_502_assignsubmission_file_/05-case.ipynb",
    "li-zhou": "dl/Li Zhou_503_assignsubmission_file_/05-case.ipynb",
}


def _result(sid: str, path: str, q1: float, written: str | None) -> SubmissionResult:
    status = "passed" if q1 == 2 else "failed"
    rows = [
        QuestionResult("q1", q1, 2.0, status, f"{status} message", ["detail"]),
        QuestionResult(
            "q2",
            None if written else 0.0,
            3.0,
            "manual" if written else "not_attempted",
            "by hand" if written else "blank",
            [],
            written=written if written else "",
        ),
    ]
    return SubmissionResult(sid, path, "abc", rows, [], 1.0)


def make_out(folder: Path, paths: dict[str, str]) -> Path:
    """An output folder as ``coursekit grade`` leaves it: two answered written questions, one blank."""
    out = folder / "out"
    out.mkdir()
    sids = list(paths)
    res = [
        _result(sids[0], paths[sids[0]], 2.0, "Russia gains a foothold; CAR gains protection."),
        _result(sids[1], paths[sids[1]], 0.0, "=SUM(A1) is not an answer"),
        _result(sids[2], paths[sids[2]], 2.0, None),
    ]
    journal = results.Journal(out / "journal.jsonl", "key")
    for r in res:
        journal.append(r)
    results.write_gradebook(res, out / "gradebook.csv")
    results.write_summary(res, out / "summary.csv")
    results.write_manual(res, RUBRICS, out / "manual.csv")
    results.write_run(out / "run.json", "05-case-timeline", "Set 5: the timeline")
    return out


def read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def write_rows(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> Path:
    columns = columns or list(rows[0])
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, columns)
        w.writeheader()
        w.writerows(rows)
    return path


def fill(out: Path, points: dict[str, str], comments: dict[str, str] | None = None) -> Path:
    """Type points (and comments) into OUT/manual.csv as an instructor would, by submission."""
    rows = read(out / "manual.csv")
    for r in rows:
        r["points"] = points.get(r["submission"], r["points"])
        r["comment"] = (comments or {}).get(r["submission"], r["comment"])
    return write_rows(out / "manual.csv", rows, results.MANUAL_COLUMNS)


# ---- summary: pending written answers are never a silent 0 ---------------------------------------------------


def test_summary_leaves_percent_empty_while_written_answers_wait(tmp_path):
    out = make_out(tmp_path, CANVAS_PATHS)
    rows = {r["submission"]: r for r in read(out / "summary.csv")}
    jane = rows["doejane_12345_67890_05-case"]
    assert (jane["points"], jane["percent"], jane["percent_so_far"], jane["manual_pending"]) == (
        "2", "", "100.0", "3",
    )  # fmt: skip
    assert "3 points of written answers are not graded yet" in jane["notes"]
    blank = rows["zhouli_33333_99999_05-case"]  # a blank written answer is 0, not pending
    assert (blank["percent"], blank["manual_pending"], blank["notes"]) == ("40.0", "0", "")


# ---- re-grading keeps the hand grades ----------------------------------------------------------------------


def test_regrade_keeps_points_and_comments_and_flags_a_changed_answer(tmp_path):
    out = make_out(tmp_path, CANVAS_PATHS)
    sids = list(CANVAS_PATHS)
    fill(out, {sids[0]: "2.5", sids[1]: "1"}, {sids[0]: "Good use of the case."})
    # the grader rewrites manual.csv after each submission: first with none of them, then one by one
    results.write_manual([], RUBRICS, out / "manual.csv")
    again = [
        _result(
            sids[0], CANVAS_PATHS[sids[0]], 2.0, "Russia gains a foothold; CAR gains protection."
        ),
        _result(sids[1], CANVAS_PATHS[sids[1]], 0.0, "A new, longer answer."),
    ]
    results.write_manual(again[:1], RUBRICS, out / "manual.csv")
    results.write_manual(again, RUBRICS, out / "manual.csv")
    rows = {r["submission"]: r for r in read(out / "manual.csv")}
    assert list(read(out / "manual.csv")[0]) == results.MANUAL_COLUMNS
    assert (rows[sids[0]]["points"], rows[sids[0]]["comment"], rows[sids[0]]["review"]) == (
        "2.5", "Good use of the case.", "",
    )  # fmt: skip
    assert rows[sids[1]]["points"] == "1"
    assert rows[sids[1]]["answer"] == "A new, longer answer."
    assert rows[sids[1]]["review"].startswith("the answer changed after it was graded by hand")
    assert sids[2] in rows  # not graded again yet: its row stays


def test_regrade_keeps_formula_like_answers_without_flagging_them(tmp_path):
    out = make_out(tmp_path, CANVAS_PATHS)
    sid = list(CANVAS_PATHS)[1]
    fill(out, {sid: "1"})
    before = {r["submission"]: r for r in read(out / "manual.csv")}
    assert before[sid]["answer"] == "'=SUM(A1) is not an answer"  # neutralised for spreadsheets
    res = [_result(sid, CANVAS_PATHS[sid], 0.0, "=SUM(A1) is not an answer")]
    results.write_manual(res, RUBRICS, out / "manual.csv")
    after = {r["submission"]: r for r in read(out / "manual.csv")}
    assert (after[sid]["points"], after[sid]["review"]) == ("1", "")


# ---- validation ---------------------------------------------------------------------------------------------


def test_finalize_refuses_while_written_answers_have_no_points(tmp_path):
    out = make_out(tmp_path, CANVAS_PATHS)
    sids = list(CANVAS_PATHS)
    fill(out, {sids[0]: "3"})
    with pytest.raises(FinalizeError) as exc:
        finalize(out, "canvas")
    assert "1 submission(s) have written answers without points in manual.csv" in str(exc.value)
    assert f"{sids[1]}: q2" in str(exc.value) and "--partial" in str(exc.value)
    assert not (out / "canvas" / "canvas-grades.csv").exists()


def test_manual_errors_name_file_row_and_column_all_at_once(tmp_path):
    out = make_out(tmp_path, CANVAS_PATHS)
    sids = list(CANVAS_PATHS)
    rows = read(out / "manual.csv")
    rows[0]["points"] = "4"  # q2 is worth 3
    rows[1]["points"] = "two"
    rows.append({**rows[0], "submission": "ghost", "points": "1"})
    rows.append({**rows[2], "question": "q9", "points": "1"})
    write_rows(out / "manual.csv", rows, results.MANUAL_COLUMNS)
    with pytest.raises(FinalizeError) as exc:
        finalize(out, "canvas")
    lines = str(exc.value).splitlines()
    assert lines[0] == (
        f"manual.csv, row 2 (submission {sids[0]}, question q2), column points: 4 is outside 0 to 3, "
        "the points q2 is worth."
    )
    assert lines[1] == (
        f"manual.csv, row 3 (submission {sids[1]}, question q2), column points: 'two' is not a number of points."
    )
    assert lines[2].startswith(
        "manual.csv, row 5 (submission ghost, question q2), column submission: 'ghost'"
    )
    assert lines[3].startswith(
        f"manual.csv, row 6 (submission {sids[2]}, question q9), column question: {sids[2]} has no question 'q9'"
    )


def test_manual_needs_its_columns_and_accepts_a_decimal_comma(tmp_path):
    out = make_out(tmp_path, CANVAS_PATHS)
    write_rows(tmp_path / "bad.csv", [{"submission": "x", "question": "q2"}])
    with pytest.raises(FinalizeError, match=r"bad.csv, row 1: the column\(s\) points are missing"):
        finalize(out, "canvas", manual=tmp_path / "bad.csv")
    sids = list(CANVAS_PATHS)
    fill(out, {sids[0]: "2,5", sids[1]: "0"})
    done = finalize(out, "canvas")
    assert done.results[sids[0]].points == 4.5


def test_overrides_need_a_reason_and_are_kept_in_the_record(tmp_path):
    out = make_out(tmp_path, CANVAS_PATHS)
    sids = list(CANVAS_PATHS)
    fill(out, {sids[0]: "3", sids[1]: "1"})
    cols = ["submission", "question", "points", "reason", "comment"]
    bad = write_rows(
        tmp_path / "ov.csv",
        [{"submission": sids[1], "question": "q1", "points": "2", "reason": ""}],
        cols,
    )
    with pytest.raises(
        FinalizeError, match=r"ov.csv, row 2 .*column reason: an override needs a reason"
    ):
        finalize(out, "canvas", overrides=bad)
    good = write_rows(
        tmp_path / "ov.csv",
        [{"submission": sids[1], "question": "q1", "points": "2", "reason": "regrade request: 2019 accepted",
          "comment": "Your year is right after all."}],
        cols,
    )  # fmt: skip
    done = finalize(out, "canvas", overrides=good)
    assert done.results[sids[1]].points == 3.0
    record = [r for r in read(out / "finalized.csv") if r["submission"] == sids[1]]
    assert list(read(out / "finalized.csv")[0]) == [
        "submission", "student_id", "question", "auto_points", "points", "max_points", "status", "source",
        "reason", "comment",
    ]  # fmt: skip
    q1 = next(r for r in record if r["question"] == "q1")
    assert (q1["auto_points"], q1["points"], q1["source"], q1["reason"]) == (
        "0", "2", "override", "regrade request: 2019 accepted",
    )  # fmt: skip
    q2 = next(r for r in record if r["question"] == "q2")
    assert (q2["auto_points"], q2["points"], q2["source"]) == ("", "1", "manual")
    total = next(r for r in record if r["question"] == "total")
    assert (total["points"], total["status"]) == ("3", "complete")
    page = (out / "feedback" / f"{sids[1]}.html").read_text(encoding="utf-8")
    assert "Your year is right after all." in page and "regrade request" not in page


# ---- Canvas -------------------------------------------------------------------------------------------------


def test_canvas_import_file_has_canvas_headers_and_points_possible_row(tmp_path):
    out = make_out(tmp_path, CANVAS_PATHS)
    sids = list(CANVAS_PATHS)
    fill(out, {sids[0]: "2.5", sids[1]: "1"}, {sids[0]: "Good use of the case."})
    done = finalize(out, "canvas", assignment="Set 5: the timeline (4711)")
    text = done.files["grades"].read_text(encoding="utf-8")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "Set 5: the timeline (4711)",
    ]
    assert table[0][:5] == CANVAS_STUDENT_COLUMNS
    assert table[1] == ["Points Possible", "", "", "", "", "5"]
    by_id = {row[1]: row for row in table[2:]}
    assert by_id["12345"][5] == "4.5" and by_id["22222"][5] == "1" and by_id["33333"][5] == "2"
    with zipfile.ZipFile(done.files["feedback"]) as zf:
        names = sorted(zf.namelist())
        page = zf.read("doejane_12345_67890_feedback-05-case-timeline.html").decode()
    assert names == [
        "doejane_12345_67890_feedback-05-case-timeline.html",
        "smithbob_22222_88888_feedback-05-case-timeline.html",
        "zhouli_33333_99999_feedback-05-case-timeline.html",
    ]
    assert "4.5 / 5 points" in page and "Good use of the case." in page
    assert "still to be graded" not in page


def test_canvas_warns_when_the_assignment_is_matched_by_name(tmp_path):
    out = make_out(tmp_path, CANVAS_PATHS)
    sids = list(CANVAS_PATHS)
    fill(out, {sids[0]: "2.5", sids[1]: "1"})
    by_id = finalize(out, "canvas", assignment="Set 5: the timeline (4711)")
    assert not any("matches by the assignment's name" in w for w in by_id.warnings)
    for assignment in (None, "Set 5: the timeline"):
        done = finalize(out, "canvas", assignment=assignment)
        assert any(
            "matches by the assignment's name" in w and '--assignment "Title (id)"' in w
            for w in done.warnings
        ), done.warnings


def test_canvas_feedback_names_give_canvas_the_user_and_file_ids():
    """Canvas reads the first two all-digit parts of the name (split at ``_``) as user id and file id."""
    s = identity_from_path("x", "dl/smithbob_LATE_22222_88888_05-case-1.ipynb", "canvas")
    assert (s.platform_id, s.file_id, s.name_part) == ("22222", "88888", "smithbob")
    name = canvas_feedback_name(s, "05-case_timeline 2")
    assert [p for p in name.split("_") if p.isdigit()][:2] == ["22222", "88888"]


def test_partial_leaves_the_waiting_students_grade_empty(tmp_path):
    out = make_out(tmp_path, CANVAS_PATHS)
    sids = list(CANVAS_PATHS)
    fill(out, {sids[0]: "3"})
    done = finalize(out, "canvas", partial=True)
    assert done.pending == {sids[1]: ["q2"]}
    table = list(csv.reader(io.StringIO(done.files["grades"].read_text(encoding="utf-8"))))
    by_id = {row[1]: row[5] for row in table[2:]}
    assert by_id == {"12345": "5", "22222": "", "33333": "2"}
    with zipfile.ZipFile(done.files["feedback"]) as zf:
        assert not any("22222" in n for n in zf.namelist())
    total = [r for r in read(out / "finalized.csv") if r["question"] == "total"]
    assert {r["submission"]: r["status"] for r in total}[sids[1]] == "pending"


def test_partial_leaves_the_waiting_students_out_of_the_moodle_worksheet(tmp_path):
    """Moodle takes an empty "Feedback comments" cell as a change (it would clear a comment already given)."""
    out = make_out(tmp_path, MOODLE_PATHS)
    fill(out, {"jane-doe": "3"})
    done = finalize(out, "moodle", partial=True)
    rows = list(csv.reader(io.StringIO(done.files["grades"].read_text(encoding="utf-8"))))
    assert [r[0] for r in rows[1:]] == ["Participant 501", "Participant 503"]
    with zipfile.ZipFile(done.files["feedback"]) as zf:
        assert not any("_502_" in n for n in zf.namelist())


# ---- Moodle -------------------------------------------------------------------------------------------------


def test_moodle_worksheet_and_feedback_zip(tmp_path):
    out = make_out(tmp_path, MOODLE_PATHS)
    fill(
        out, {"jane-doe": "3", "bob-smith": "0.5"}, {"bob-smith": "Name the source of each claim."}
    )
    done = finalize(
        out,
        "moodle",
        out_of=100,
        now=lambda: results.datetime(2026, 12, 3, 0, 0, tzinfo=results.UTC),
    )
    table = list(csv.reader(io.StringIO(done.files["grades"].read_text(encoding="utf-8"))))
    assert table[0] == MOODLE_COLUMNS == [
        "Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade", "Grade can be changed",
        "Last modified (submission)", "Last modified (grade)", "Feedback comments",
    ]  # fmt: skip
    rows = {r[0]: r for r in table[1:]}
    assert set(rows) == {"Participant 501", "Participant 502", "Participant 503"}
    bob = rows["Participant 502"]
    assert (bob[1], bob[4], bob[5], bob[6], bob[8]) == (
        "Bob Smith",
        "10",
        "100",
        "Yes",
        "2026-12-03 00:00 UTC",
    )
    assert (
        bob[9]
        == "0.5 / 5 points. Your feedback file gives the details for each question. q2: Name the source of each claim."
    )
    assert rows["Participant 501"][4] == "100"
    with zipfile.ZipFile(done.files["feedback"]) as zf:
        names = sorted(zf.namelist())
        page = zf.read("Bob Smith_502_assignfeedback_file_/feedback-05-case-timeline.html").decode()
    assert names == [
        "Bob Smith_502_assignfeedback_file_/feedback-05-case-timeline.html",
        "Jane Doe_501_assignfeedback_file_/feedback-05-case-timeline.html",
        "Li Zhou_503_assignfeedback_file_/feedback-05-case-timeline.html",
    ]
    assert "Name the source of each claim." in page and "0.5 / 3" in page


def test_moodle_folder_names_keep_the_importers_split():
    """Moodle splits the folder name at ``_``: the participant number must be the second part."""
    folder = moodle_feedback_folder(Student("x", name="Anne_Marie O/Neil", platform_id="77"))
    assert folder.split("_", 4)[1:4] == ["77", "assignfeedback", "file"]


def test_identity_comes_from_the_intake_record_and_the_roster(tmp_path):
    out = make_out(tmp_path, {"s1": "x/s1.ipynb", "s2": "x/s2.ipynb", "s3": "x/s3.ipynb"})
    intake = [
        {"file": "submissions.zip/okaforamara_LATE_20101_880064_01-set-1.ipynb", "action": "graded",
         "submission": "s1", "platform_id": "20101"},
        {"file": "submissions.zip/okaforamara_20101_880001_01-set.ipynb", "action": "not_graded",
         "submission": "s1", "platform_id": "20101"},
        {"file": "submissions.zip/garcíamateo_20105_880029_01-set.ipynb", "action": "graded",
         "submission": "s2", "platform_id": "20105"},
    ]  # fmt: skip
    write_rows(out / "intake.csv", intake)
    roster = write_rows(
        tmp_path / "roster.csv",
        [{"student_id": "s1", "name": "Amara Okafor", "email": "a@example.edu", "canvas_id": "20101",
          "sis_login_id": "amara", "section": "B"},
         {"student_id": "s3", "name": "Li Wei", "email": "l@example.edu", "canvas_id": "20103",
          "sis_login_id": "li", "section": "A"}],
    )  # fmt: skip
    fill(out, {"s1": "3", "s2": "1"})
    done = finalize(out, "canvas", roster=roster)
    s1, s2, s3 = (done.students[k] for k in ("s1", "s2", "s3"))
    assert (s1.name, s1.platform_id, s1.file_id, s1.sis_login_id, s1.section) == (
        "Amara Okafor", "20101", "880064", "amara", "B",
    )  # fmt: skip
    assert (s2.name, s2.platform_id, s2.file_id) == ("garcíamateo", "20105", "880029")
    assert (s3.name, s3.platform_id, s3.file_id) == ("Li Wei", "20103", "")  # from the roster only
    with zipfile.ZipFile(done.files["feedback"]) as zf:
        assert sorted(zf.namelist()) == [
            "garcíamateo_20105_880029_feedback-05-case-timeline.html",
            "okaforamara_20101_880064_feedback-05-case-timeline.html",
        ]
    assert any("no Canvas file id" in w and "s3" in w for w in done.warnings)


# ---- the command --------------------------------------------------------------------------------------------


def test_command_exit_status_and_messages(tmp_path, capsys):
    out = make_out(tmp_path, CANVAS_PATHS)
    assert main(["finalize", str(tmp_path / "nothing"), "--lms", "canvas"]) == 2
    assert "no grading results here" in capsys.readouterr().err
    assert main(["finalize", str(out), "--lms", "canvas"]) == 1
    assert "written answers without points" in capsys.readouterr().err
    sids = list(CANVAS_PATHS)
    fill(out, {sids[0]: "3", sids[1]: "2"})
    assert main(["finalize", str(out), "--lms", "canvas"]) == 0
    printed = capsys.readouterr().out
    assert "Finalized 3 of 3 submission(s) for canvas" in printed and "canvas-grades.csv" in printed
