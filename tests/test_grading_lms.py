"""Intake as submissions really arrive (issue 17): Canvas and Moodle downloads, the roster, files that are not
graded and why, a notebook of another set, written answers put in the wrong cell, and release stamps.

The pure parts (parsing names, choosing the file to grade, lining up written answers, stamps) run without
kernels on the realistic class of ``tests/class_builder.py``; one module fixture grades that class's Moodle
download once with the real command, and a small set from ``tests/grading_cases`` checks grading against an
earlier release.
"""

from __future__ import annotations

import copy
import csv
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from class_builder import ESSAY, STUDENTS, Classroom, build_class
from grading_cases import SET_ID, _cell, correct, source_notebook, write

from coursekit.exercises.format import load_source, make_student_edition
from coursekit.exercises.release import release_stamp, student_notebook
from coursekit.grading import lms
from coursekit.grading.lms import IntakeError, gather, parse_canvas, parse_moodle, read_roster
from coursekit.grading.reconcile import (
    foreign_set,
    index_release,
    reconcile,
    release_changes,
    submission_stamp,
)


def run_cli(*args: str | Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coursekit", "grade", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def classroom(tmp_path_factory: pytest.TempPathFactory) -> Classroom:
    return build_class(tmp_path_factory.mktemp("class"))


# ---- the platforms' file names ------------------------------------------------------------------------------


def test_canvas_names_give_the_student_the_attachment_and_the_uploaded_name():
    p = parse_canvas("okaforamara_20101_880001_01-alliance-concepts.ipynb")
    assert (p.platform_id, p.name, p.upload, p.late, p.order) == (
        "20101", "okaforamara", "01-alliance-concepts.ipynb", False, 880001,
    )  # fmt: skip
    late = parse_canvas("mensahkwame_LATE_20109_880064_01-alliance-concepts-1.ipynb")
    assert (late.platform_id, late.late, late.upload) == (
        "20109",
        True,
        "01-alliance-concepts-1.ipynb",
    )
    anon = parse_canvas("LATE_anon_x8Y2k_880070_notebook.ipynb")
    assert (anon.platform_id, anon.name, anon.late) == ("anon_x8Y2k", "", True)
    text = parse_canvas("weili_20103_text.html")
    assert (text.platform_id, text.kind) == ("20103", "text")
    # an underscore inside the uploaded name stays in the uploaded name
    assert parse_canvas("kimgrace_20116_880134_my_work_v2.ipynb").upload == "my_work_v2.ipynb"
    for name in (
        "01-alliance-concepts.ipynb",
        "alice.ipynb",
        "smith_john.ipynb",
        "x_12_notes.ipynb",
    ):
        assert parse_canvas(name) is None, name


def test_moodle_paths_give_the_participant_in_either_spelling():
    for folder in (
        "Amara Okafor_730101_assignsubmission_file_",
        "Amara Okafor_730101_assignsubmission_file",
    ):
        p = parse_moodle(f"{folder}/01-alliance-concepts.ipynb")
        assert (p.platform_id, p.name, p.upload, p.kind) == (
            "730101", "Amara Okafor", "01-alliance-concepts.ipynb", "file",
        )  # fmt: skip
    flat = parse_moodle("Amara Okafor_730101_assignsubmission_file_01-alliance-concepts.ipynb")
    assert (flat.platform_id, flat.upload) == ("730101", "01-alliance-concepts.ipynb")
    blind = parse_moodle("Participant_730144_assignsubmission_file_/sub/01.ipynb")
    assert (blind.name, blind.upload) == ("Participant", "sub/01.ipynb")
    online = parse_moodle("Li Wei_730103_assignsubmission_onlinetext_/onlinetext.html")
    assert online.kind == "onlinetext"
    assert parse_moodle("Amara Okafor/01.ipynb") is None and parse_moodle("alice.ipynb") is None


def test_resubmission_suffixes_are_stripped_and_counted():
    assert lms._attempt("01-alliance-concepts-1.ipynb") == ("01-alliance-concepts.ipynb", 1)
    assert lms._attempt("01-alliance-concepts (2).ipynb") == ("01-alliance-concepts.ipynb", 2)
    assert lms._attempt("01-alliance-concepts.ipynb") == ("01-alliance-concepts.ipynb", 0)


def test_the_platform_is_detected_only_when_the_names_are_clear(classroom, tmp_path):
    assert lms.detect_platform([classroom.canvas_folder]) == "canvas"
    assert lms.detect_platform([classroom.moodle_folder]) == "moodle"
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "alice.ipynb").write_text("{}", encoding="utf-8")
    assert lms.detect_platform([plain]) == "plain"
    # one notebook named like Canvas among others that are not: refused, asking for --lms
    (plain / "okaforamara_20101_880001_01.ipynb").write_text("{}", encoding="utf-8")
    with pytest.raises(IntakeError, match="--lms canvas"):
        lms.detect_platform([plain])
    mixed = tmp_path / "mixed"
    (mixed / "Amara Okafor_730101_assignsubmission_file_").mkdir(parents=True)
    (mixed / "Amara Okafor_730101_assignsubmission_file_" / "a.ipynb").write_text(
        "{}", encoding="utf-8"
    )
    (mixed / "okaforamara_20101_880001_01.ipynb").write_text("{}", encoding="utf-8")
    with pytest.raises(IntakeError, match="mix Canvas and Moodle"):
        lms.detect_platform([mixed])


# ---- the roster ---------------------------------------------------------------------------------------------


def test_roster_errors_name_the_file_row_and_column(tmp_path):
    bad = tmp_path / "roster.csv"
    bad.write_text("id,name\n1,A\n", encoding="utf-8")
    with pytest.raises(
        IntakeError, match=r"roster.csv, row 1: the roster needs a column 'student_id'"
    ):
        read_roster(bad)
    bad.write_text("student_id,name\ns1,A\n", encoding="utf-8")
    with pytest.raises(IntakeError, match="canvas_id', 'moodle_id' or 'platform_id'"):
        read_roster(bad)
    bad.write_text("student_id,canvas_id\ns1,10\ns1,11\n", encoding="utf-8")
    with pytest.raises(IntakeError, match=r"row 3, column student_id: 's1' is also on row 2"):
        read_roster(bad)
    bad.write_text("student_id,canvas_id\ns1,10\ns2,10\n", encoding="utf-8")
    with pytest.raises(IntakeError, match=r"row 3, column canvas_id: '10' is also the id of 's1'"):
        read_roster(bad)
    bad.write_text("student_id,canvas_id\n,10\n", encoding="utf-8")
    with pytest.raises(IntakeError, match="row 2, column student_id: empty"):
        read_roster(bad)


def test_roster_finds_students_by_the_platforms_column(classroom):
    roster = read_roster(classroom.roster)
    s = STUDENTS[0]
    assert roster.find("canvas", str(s.canvas_id))["student_id"] == s.student_id
    assert roster.find("moodle", str(s.moodle_id))["student_id"] == s.student_id
    assert roster.find("canvas", str(s.moodle_id)) is None


# ---- choosing the file to grade -----------------------------------------------------------------------------


def _check_intake(intake: lms.Intake, classroom: Classroom, platform: str, roster: bool) -> None:
    """Every upload is in the intake once; the graded notebook and the reasons are the expected ones."""
    assert intake.platform == platform
    assert len(intake.entries) == len(classroom.uploads)  # every file accounted for, once
    by_sid: dict[str, list[lms.FileEntry]] = {}
    for e in intake.entries:
        by_sid.setdefault(e.sid, []).append(e)
    for s in classroom.students:
        expected = classroom.expected[s.key]
        mine = by_sid[classroom.sid(s.key, platform, roster)]
        graded = [e for e in mine if e.action == "graded"]
        assert len(graded) == (1 if expected.graded else 0), s.key
        not_graded = sorted(
            (lms._attempt(e.parsed.upload)[0], e.reason) for e in mine if e.action != "graded"
        )
        assert not_graded == sorted(expected.not_graded.items()), s.key
        for e in mine:
            assert e.action == "graded" or e.detail.startswith(e.parsed.upload.split("/")[-1]), (
                e.detail
            )
    if roster:
        assert [r["student_id"] for r in intake.absent] == [classroom.absent.student_id]


@pytest.mark.parametrize("layout", ["canvas_zip", "canvas_folder", "moodle_folder", "moodle_zip"])
def test_every_file_of_the_download_is_graded_or_listed_with_its_reason(
    classroom, tmp_path, layout
):
    platform = layout.split("_")[0]
    intake = gather(
        [getattr(classroom, layout)], "01-alliance-concepts", "auto", classroom.roster, tmp_path
    )
    _check_intake(intake, classroom, platform, roster=True)
    plain = gather([getattr(classroom, layout)], "01-alliance-concepts", platform, None, tmp_path)
    _check_intake(plain, classroom, platform, roster=False)


def test_the_latest_attempt_wins_and_the_earlier_one_is_a_note(classroom, tmp_path):
    intake = gather(
        [classroom.canvas_zip], "01-alliance-concepts", "canvas", classroom.roster, tmp_path
    )
    sid = classroom.sid("resubmitted", "canvas")
    graded = [e for e in intake.entries if e.sid == sid and e.action == "graded"]
    assert graded[0].parsed.late and graded[0].parsed.upload == "01-alliance-concepts-1.ipynb"
    notes = intake.notes()[sid]
    assert notes == [
        "01-alliance-concepts.ipynb was not graded: it is an earlier attempt, and only your latest notebook "
        "(01-alliance-concepts-1.ipynb) is graded."
    ]
    # html_only has nothing graded: it is a row of its own for summary.csv
    assert dict(intake.not_graded())[classroom.sid("html_only", "canvas")].startswith(
        "01-alliance-concepts.html was not graded: it is an HTML export"
    )


def test_a_zip_member_cannot_escape_and_huge_members_are_not_unpacked(tmp_path, monkeypatch):
    archive = tmp_path / "sub.zip"
    good = nbformat.writes(nbformat.v4.new_notebook())
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../../evil_20101_1_x.ipynb", good)
        zf.writestr("okaforamara_20101_880001_a.ipynb", good)
        zf.writestr("okaforamara_20101_880002_big.ipynb", good + " " * 5000)
    monkeypatch.setattr(lms, "MAX_FILE_BYTES", 4000)
    intake = gather([archive], "01-x", "canvas", None, tmp_path / "work")
    reasons = {e.file: (e.action, e.reason) for e in intake.entries}
    assert reasons["sub.zip/../../evil_20101_1_x.ipynb"] == ("not_graded", "unsafe_path")
    assert reasons["sub.zip/okaforamara_20101_880002_big.ipynb"] == ("not_graded", "too_big")
    assert reasons["sub.zip/okaforamara_20101_880001_a.ipynb"] == ("graded", "")
    assert not list(tmp_path.glob("evil*")) and not list((tmp_path / "work").glob("evil*"))


def test_intake_csv_lists_every_file_and_neutralises_formulas(tmp_path):
    entry = lms.FileEntry("=cmd.ipynb", None, "plain", None, sid="=x", action="not_graded",
                          reason="not_a_notebook", detail="=HYPERLINK()")  # fmt: skip
    lms.write_intake(lms.Intake("plain", [entry]), tmp_path / "intake.csv")
    rows = read_csv(tmp_path / "intake.csv")
    assert list(rows[0]) == lms.INTAKE_COLUMNS
    assert rows[0]["file"] == "'=cmd.ipynb" and rows[0]["detail"] == "'=HYPERLINK()"


# ---- written answers in the wrong cell, another set's notebook ----------------------------------------------


def _released(classroom: Classroom):
    ex = classroom.exercise
    return index_release(ex, make_student_edition(ex))


def _upload(classroom: Classroom, key: str) -> nbformat.NotebookNode:
    data = next(u.data for u in classroom.uploads if u.student == key)
    return nbformat.reads(data.decode(), as_version=4)


@pytest.mark.parametrize(
    "key, where", [("essay_in_question", "question"), ("essay_new_cell", "new_cell")]
)
def test_a_written_answer_in_the_wrong_cell_is_found(classroom, key, where):
    plan = reconcile(_released(classroom), _upload(classroom, key))
    qp = plan.questions["q12"]
    assert qp.written == ESSAY and qp.found_in == where and not qp.missing


def test_the_released_text_of_a_question_is_never_taken_for_an_answer(classroom):
    # the released notebook's question cells differ from the grader's edition (links, citations): no answer
    plan = reconcile(_released(classroom), _upload(classroom, "partial"))
    assert plan.questions["q12"].written == "*Write your answer here.*"
    assert plan.questions["q12"].found_in == ""


def test_another_sets_notebook_is_recognised_with_and_without_its_metadata(classroom):
    released = _released(classroom)
    other = _upload(classroom, "wrong_set")
    assert foreign_set(released, other) == (True, "02-threat-and-balancing")
    stripped = copy.deepcopy(other)
    stripped.metadata = {}
    assert foreign_set(released, stripped) == (True, None)
    ours = _upload(classroom, "correct_colab")  # this set, every tag and the metadata gone
    assert foreign_set(released, ours) == (False, None)
    assert foreign_set(released, nbformat.v4.new_notebook()) == (False, None)


# ---- release stamps ---------------------------------------------------------------------------------------


def test_the_release_stamp_follows_the_questions_not_the_hidden_tests(tmp_path):
    nb = source_notebook()
    path = tmp_path / f"{SET_ID}.ipynb"
    nbformat.write(nb, path)
    base = release_stamp(load_source(path))
    assert base["set"] == SET_ID and base["id"].startswith(f"{SET_ID}@") and set(base["questions"]) == {
        "q1", "q2", "q3", "q4",
    }  # fmt: skip
    hidden = copy.deepcopy(nb)
    for cell in hidden.cells:
        if "hidden-tests" in cell.metadata.get("tags", []):
            cell.source = cell.source.replace("The answer should be", "Answer with")
    nbformat.write(hidden, path)
    assert release_stamp(load_source(path))["hash"] == base["hash"]
    reworded = copy.deepcopy(nb)
    reworded.cells[2].source += " Give the year as a number."
    nbformat.write(reworded, path)
    changed = release_stamp(load_source(path))
    assert changed["hash"] != base["hash"]
    assert release_changes(base, changed) == (["q1"], [])
    stamped = student_notebook(load_source(path))
    assert submission_stamp(stamped) == changed


def _with_new_question(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = copy.deepcopy(nb)
    nb.cells += [
        _cell("markdown", "## Question 5 (1 point)\n\nName one source for the case.", ["question"], {"question": "q5"}),
        _cell("markdown", "The article in the reading list.", ["manual"],
              {"question": "q5", "points": 1, "rubric": "Any sourced reference."}),
    ]  # fmt: skip
    return nb


def two_releases(base: Path) -> tuple[Path, Path, Path]:
    """In ``base``: an old release of the self-test set (``old/``), the current source with one more question,
    and ``subs/`` with a correct notebook of each release, stamped as ``coursekit release`` stamps them.
    Returns (old instructor copy, current source, submissions folder)."""
    (base / "old").mkdir()
    old = base / "old" / f"{SET_ID}.ipynb"
    nbformat.write(source_notebook(), old)
    current = base / f"{SET_ID}.ipynb"
    nbformat.write(_with_new_question(source_notebook()), current)
    subs = base / "subs"
    subs.mkdir()
    handed_out = correct(old)
    handed_out.metadata["coursekit"]["release"] = release_stamp(load_source(old))
    write(handed_out, subs / "old_student.ipynb")
    new = correct(current)
    new.metadata["coursekit"]["release"] = release_stamp(load_source(current))
    write(new, subs / "new_student.ipynb")
    return old, current, subs


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory):
    """An old release of the self-test set, a current source with one more question, and a run of each kind."""
    base = tmp_path_factory.mktemp("releases")
    old, current, subs = two_releases(base)
    against_current = run_cli(current, subs, "--out", base / "out1", "--jobs", "2")
    against_old = run_cli(current, subs, "--out", base / "out2", "--jobs", "2", "--release", old)
    return base, against_current, against_old


def test_an_old_release_is_graded_with_a_warning_and_never_silently_missing(releases):
    base, proc, _ = releases
    assert proc.returncode == 0, proc.stderr
    assert "handed out as release 99-grader-selftest@" in proc.stderr and "--release" in proc.stderr
    rows = {(r["submission"], r["question"]): r for r in read_csv(base / "out1" / "gradebook.csv")}
    q5 = rows[("old_student", "q5")]
    assert q5["status"] == "missing" and "added after the release you were given" in q5["message"]
    # a notebook of the current release left q5 blank: an ordinary "not attempted"
    assert rows[("new_student", "q5")]["status"] == "not_attempted"
    summary = {r["submission"]: r for r in read_csv(base / "out1" / "summary.csv")}
    assert "comes from an earlier release of the set" in summary["old_student"]["notes"]
    assert "q5 changed" in summary["old_student"]["notes"]
    assert "earlier release" not in summary["new_student"]["notes"]


def test_with_the_instructor_copy_an_old_release_is_graded_against_it(releases):
    base, _, proc = releases
    assert proc.returncode == 0, proc.stderr
    assert "handed out as release" not in proc.stderr
    rows = read_csv(base / "out2" / "gradebook.csv")
    old_rows = {r["question"]: r["status"] for r in rows if r["submission"] == "old_student"}
    assert old_rows == {"q1": "passed", "q2": "passed", "q3": "passed", "q4": "manual"}
    new_rows = {r["question"]: r["status"] for r in rows if r["submission"] == "new_student"}
    assert new_rows["q5"] == "not_attempted"
    summary = {r["submission"]: r for r in read_csv(base / "out2" / "summary.csv")}
    assert "graded against the release it was handed out in" in summary["old_student"]["notes"]


def test_an_instructor_copy_of_another_set_is_refused(releases, tmp_path):
    base, _, _ = releases
    other = Path(__file__).resolve().parents[1] / "exercises" / "01-alliance-concepts.ipynb"
    proc = run_cli(
        base / f"{SET_ID}.ipynb", base / "subs", "--out", tmp_path / "o", "--release", other
    )
    assert proc.returncode == 2 and "that is the source of set 01-alliance-concepts" in proc.stderr


# ---- the class, graded from its Moodle download --------------------------------------------------------------


@pytest.fixture(scope="module")
def moodle_run(classroom: Classroom, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("moodle-out")
    proc = run_cli(
        classroom.source,
        classroom.moodle_zip,
        "--roster",
        classroom.roster,
        "--out",
        out,
        "--jobs",
        "2",
    )
    return proc, out


def test_the_moodle_download_grades_every_student_as_expected(classroom, moodle_run):
    proc, out = moodle_run
    assert proc.returncode == 0, proc.stderr
    assert "intake (moodle): 26 notebook(s) to grade" in proc.stderr
    got: dict[str, dict[str, str]] = {}
    for r in read_csv(out / "gradebook.csv"):
        got.setdefault(r["submission"], {})[r["question"]] = r["status"]
    for s in classroom.students:
        expected = classroom.expected[s.key]
        assert got.get(s.student_id, {}) == expected.statuses, s.key


def test_a_notebook_of_another_set_gets_one_plain_sentence(classroom, moodle_run):
    _, out = moodle_run
    sid = classroom.sid("wrong_set", "moodle")
    rows = [r for r in read_csv(out / "gradebook.csv") if r["submission"] == sid]
    assert {r["points"] for r in rows} == {"0"}
    assert {r["message"] for r in rows} == {
        "This notebook is exercise set 02-threat-and-balancing, not 01-alliance-concepts, so it was not graded: "
        "hand in your notebook of 01-alliance-concepts."
    }
    page = (out / "feedback" / f"{sid}.html").read_text(encoding="utf-8")
    assert "Wrong exercise set" in page and "is not defined" not in page


def test_written_answers_in_the_wrong_cell_are_queued_for_hand_grading(classroom, moodle_run):
    _, out = moodle_run
    manual = {r["submission"]: r for r in read_csv(out / "manual.csv") if r["question"] == "q12"}
    rows = {(r["submission"], r["question"]): r for r in read_csv(out / "gradebook.csv")}
    for key in ("essay_in_question", "essay_new_cell"):
        sid = classroom.sid(key, "moodle")
        assert manual[sid]["answer"] == ESSAY and manual[sid]["status"] == "manual"
        assert rows[(sid, "q12")]["status"] == "manual"
    page = (out / "feedback" / f"{classroom.sid('essay_in_question', 'moodle')}.html").read_text(
        encoding="utf-8"
    )
    assert "found in the question&#x27;s own cell" in page


def test_files_not_graded_are_in_intake_csv_summary_and_the_students_notes(classroom, moodle_run):
    _, out = moodle_run
    intake = read_csv(out / "intake.csv")
    assert len([r for r in intake if r["file"]]) == len(classroom.uploads)
    assert [r["reason"] for r in intake if r["action"] == "absent"] == ["no_file"]
    reasons = sorted(r["reason"] for r in intake if r["action"] == "not_graded")
    assert reasons == ["html_export", "html_export", "second_notebook", "superseded", "unreadable"]
    summary = {r["submission"]: r for r in read_csv(out / "summary.csv")}
    html_only = summary[classroom.sid("html_only", "moodle")]
    assert html_only["statuses"] == "not_graded" and html_only["points"] == ""
    assert "HTML export" in html_only["notes"]
    assert (
        "Untitled.ipynb was not graded" in summary[classroom.sid("with_scratch", "moodle")]["notes"]
    )
    page = (out / "feedback" / f"{classroom.sid('with_html', 'moodle')}.html").read_text(
        encoding="utf-8"
    )
    assert "01-alliance-concepts.html was not graded" in page


def test_a_rerun_of_the_download_resumes(classroom, moodle_run):
    proc, out = moodle_run
    again = run_cli(
        classroom.source, classroom.moodle_zip, "--roster", classroom.roster, "--out", out
    )
    assert again.returncode == 0, again.stderr
    assert "Graded 0 submission(s) (26 resumed)" in again.stdout


def test_mixed_names_without_lms_are_exit_2(tmp_path, classroom):
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    for f in list(classroom.canvas_folder.iterdir())[:2]:
        (mixed / f.name).write_bytes(f.read_bytes())
    (mixed / "alice.ipynb").write_bytes(next(classroom.canvas_folder.iterdir()).read_bytes())
    proc = run_cli(classroom.source, mixed, "--out", tmp_path / "o")
    assert proc.returncode == 2 and "--lms canvas" in proc.stderr


# ---- every exercise set: nothing invented, nothing lost -------------------------------------------------------

SETS = sorted((Path(__file__).resolve().parents[1] / "exercises").glob("0*.ipynb"))


def _strip(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        cell.metadata = {}
    nb.metadata = {}
    return nb


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.stem)
def test_every_sets_written_answers_are_found_wherever_they_are_typed(path):
    ex = load_source(path)
    released = index_release(ex, make_student_edition(ex))
    handed_out = student_notebook(ex)
    for nb in (
        handed_out,
        _strip(handed_out),
    ):  # as released, and after an editor dropped every tag
        plan = reconcile(released, nb)
        assert not any(qp.found_in for qp in plan.questions.values())
        assert foreign_set(released, nb)[0] is False
    for q in (q for q in ex.questions if q.kind == "manual"):
        in_question = copy.deepcopy(handed_out)
        cell = next(c for c in in_question.cells if c.metadata.get("coursekit", {}).get("question") == q.qid
                    and "question" in c.metadata.get("tags", []))  # fmt: skip
        cell.source += "\n\n" + ESSAY
        for nb in (in_question, _strip(in_question)):
            qp = reconcile(released, nb).questions[q.qid]
            assert (qp.written, qp.found_in, qp.missing) == (ESSAY, "question", False), q.qid
        new_cell = copy.deepcopy(handed_out)
        at = next(i for i, c in enumerate(new_cell.cells) if "manual" in c.metadata.get("tags", [])
                  and c.metadata.get("coursekit", {}).get("question") == q.qid)  # fmt: skip
        new_cell.cells[at] = nbformat.v4.new_markdown_cell(ESSAY)
        qp = reconcile(released, new_cell).questions[q.qid]
        assert (qp.written, qp.found_in, qp.missing) == (ESSAY, "new_cell", False), q.qid


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.stem)
def test_every_other_sets_notebook_is_a_wrong_set(path):
    ex = load_source(path)
    released = index_release(ex, make_student_edition(ex))
    for other in SETS:
        if other == path:
            continue
        theirs = student_notebook(load_source(other))
        assert foreign_set(released, theirs) == (True, other.stem)
        assert foreign_set(released, _strip(theirs))[0] is True, other.stem


def test_a_release_stamps_each_student_edition_and_keeps_what_grading_it_later_needs(tmp_path):
    from coursekit.exercises.release import release

    source = SETS[0]
    (done,) = release(source, tmp_path, execute=False)
    stamp = release_stamp(load_source(source))
    student = nbformat.read(done.student, as_version=4)
    assert submission_stamp(student) == stamp
    assert json.loads((tmp_path / "release.json").read_text(encoding="utf-8")) == {
        source.stem: stamp
    }
    assert done.instructor.read_bytes() == source.read_bytes()
    assert (
        release_stamp(load_source(done.instructor)) == stamp
    )  # the instructor copy grades this release
