"""A realistic class: the submissions of one exercise set as a learning platform hands them over.

Tests of the instructor's round trip (``coursekit grade`` on a platform's download, then ``coursekit finalize``)
build the same class from the repository's own exercise set ``exercises/01-alliance-concepts.ipynb`` (twelve
questions: q1-q10 values, q11 a function, q12 a written answer worth 5 points; it grades in about a second per
notebook). Every notebook is made from the *released* student edition
(:func:`coursekit.exercises.release.student_notebook`, stamped like the file students download) by a few
edits, so nothing here is a hand-written notebook that could drift from the format.

API
---
``build_class(root) -> Classroom`` writes, under ``root``:

* ``canvas/submissions.zip``: a Canvas "Download Submissions" zip. Names follow Canvas's own rule
  (``lib/content_zipper.rb``): ``<sortable name, lower case, non-word characters removed>[_LATE]_<user id>_
  <attachment id>_<file name as uploaded>``; a re-uploaded file carries Canvas's ``-1`` suffix.
* ``canvas_folder/``: the same files unzipped into a folder.
* ``moodle/``: a Moodle "Download all submissions" with "Download submissions in folders": one folder per
  participant, ``<Full Name>_<participant id>_assignsubmission_file_/<file>`` (the older spelling with the trailing
  underscore, as in issue 17).
* ``moodle.zip``: the same download as a zip, spelt as Moodle 4 writes it (``mod/assign/classes/downloader.php``:
  ``<Full Name>_<participant id>_assignsubmission_file/<file>``, no trailing underscore).
* ``roster.csv``: columns ``student_id, name, email, canvas_id, moodle_id, sis_login_id, section``: one row per
  student of :data:`STUDENTS` plus one student who handed in nothing (``absent``).

:class:`Classroom` holds the paths, the students, every uploaded file (:class:`Upload`) and the expected outcome
per student (:class:`Expected`): for each question the gradebook status, and the files that must be listed as
not graded with their reason. ``Classroom.sid(key, platform, roster)`` gives the submission id the grader
uses for a student: the roster's ``student_id`` when ``--roster`` is given, else the platform's own prefix
(Canvas ``okaforamara_20101``, Moodle ``Amara Okafor_730101``).

The students (``key``: what they handed in → expected result)
----------------------------------------------------------------
==========================  =======================================================================================
``correct``                 everything right → q1-q11 ``passed``, q12 ``manual`` (a written answer to grade by hand)
``correct_colab``           everything right, but saved by an editor that dropped all cell metadata and tags →
                            the same as ``correct`` (cells recognised by their ``# coursekit: qN`` lines)
``partial``                 q1-q6 answered, q7-q11 left as handed out, no essay → q1-q6 ``passed``, q7-q11 and q12
                            ``not_attempted``
``blank``                   the student edition untouched → every question ``not_attempted``
``renamed``                 q2's answer stored under another name (``chosen_elements``) and its check cell changed to
                            match → q2 ``failed`` (the released check cell is run; the message says to assign the
                            answer to ``elements``), the rest ``passed``/``manual``
``error_halfway``           q6's answer raises ``NameError`` (a typo) → q6 ``error``; q1-q5 and q7-q11 ``passed``;
                            q12 ``manual``
``edited_check``            q3's check cell rewritten to pass a literal → q3 ``tampered`` (graded with the released
                            check: full points), the rest ``passed``/``manual``
``wrong_set``               the notebook of ``02-threat-and-balancing`` → every row ``wrong_set``, 0 points, one
                            plain sentence
``resubmitted``             two uploads: an early, half-done notebook, then a ``LATE`` complete one (Canvas: the same
                            file name with ``-1``) → the latest is graded (all ``passed``/``manual``); the first is
                            listed as ``superseded``
``essay_in_question``       the essay typed into q12's *question* cell, the answer cell left as handed out → q12
                            ``manual`` (found and queued with a note), never ``not_attempted``
``essay_new_cell``          q12's answer cell deleted and the essay written in a new Markdown cell in its place →
                            q12 ``manual`` with a note, never ``missing``
``with_html``               the notebook plus an ``.html`` export of it → notebook graded (all ``passed``/``manual``);
                            the ``.html`` listed as ``html_export``
``with_scratch``            the notebook plus ``Untitled.ipynb`` (an empty scratch notebook) → the exercise notebook
                            graded; ``Untitled.ipynb`` listed as ``second_notebook``
``with_broken_copy``        the notebook plus a copy cut off in the middle (not valid JSON) → the good one graded;
                            the broken copy listed as ``unreadable``
``corrupt_only``            only a notebook cut off in the middle → graded as ``error`` on every question (the
                            message says why the file cannot be read)
``html_only``               only an ``.html`` export → nothing graded; listed as ``html_export`` (and in summary.csv
                            as not graded)
``wrong_answers``           q2, q4 and q7 answered wrongly → q2 and q4 ``failed``, q7 ``partial`` (right type, wrong
                            values), the rest ``passed``/``manual``
``late``                    one complete notebook handed in late → all ``passed``/``manual`` (Canvas marks it
                            ``LATE``)
``answered_1`` …            nine more students who answered the first 3, 5, 7, 9 or all questions (see
``answered_9``              :data:`STUDENTS`) → ``passed`` up to there, ``not_attempted`` after; q12 ``manual``
                            when they wrote an essay
==========================  =======================================================================================

That is 27 students, 26 of them with a graded notebook (``html_only`` has none), and 31 files in each download.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell, new_notebook

from coursekit.exercises.format import (
    BEGIN_SOLUTION,
    END_SOLUTION,
    ExerciseSet,
    load_source,
    question_comment,
    solution_parts,
)
from coursekit.exercises.release import student_notebook

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "exercises" / "01-alliance-concepts.ipynb"
OTHER_SOURCE = REPO / "exercises" / "02-threat-and-balancing.ipynb"
UPLOAD_NAME = "01-alliance-concepts.ipynb"
ESSAY = (
    "Under the broad definition it is an alliance: Moscow and Bangui cooperate on security, with arms, "
    "trainers and protection of the government, and each expects the other to keep its side. It was informal "
    "at first, run through private companies, and became official later."
)


@dataclass(frozen=True)
class Student:
    """One student of the class, with the ids each platform and the roster know them by."""

    key: str
    name: str  # "First Last", as Moodle shows it
    sortable: str  # "Last, First", which Canvas uses in file names
    canvas_id: int
    moodle_id: int
    student_id: str  # the course's own id (roster column student_id)
    email: str
    section: str = "A"

    @property
    def canvas_name(self) -> str:
        """The name as Canvas writes it in a download: sortable name, non-word characters removed, lower case."""
        return re.sub(r"[^\w]", "", self.sortable).lower()


@dataclass
class Upload:
    """One file a student handed in."""

    student: str  # Student.key
    filename: str  # the file's name as the student uploaded it (Canvas may add "-1" on a re-upload)
    data: bytes
    attachment_id: int  # Canvas's attachment id (later uploads have larger ids)
    late: bool = False


@dataclass
class Expected:
    """What grading must make of one student's files.

    ``statuses`` maps question id to gradebook status (empty when nothing of the student is graded);
    ``not_graded`` maps an uploaded file name to the reason it is listed but not graded.
    """

    key: str
    statuses: dict[str, str]
    not_graded: dict[str, str] = field(default_factory=dict)

    @property
    def graded(self) -> bool:
        """Whether one of the student's notebooks is graded."""
        return bool(self.statuses)


@dataclass
class Classroom:
    """A built class: where its downloads are, who is in it and what grading must find."""

    root: Path
    source: Path
    other_source: Path
    exercise: ExerciseSet
    students: list[Student]
    absent: Student
    uploads: list[Upload]
    expected: dict[str, Expected]
    canvas_zip: Path
    canvas_folder: Path
    moodle_folder: Path
    moodle_zip: Path
    roster: Path

    def student(self, key: str) -> Student:
        return next(s for s in [*self.students, self.absent] if s.key == key)

    def sid(self, key: str, platform: str, roster: bool = True) -> str:
        """The submission id of a student's graded notebook (``platform``: ``"canvas"`` or ``"moodle"``)."""
        s = self.student(key)
        if roster:
            return s.student_id
        if platform == "canvas":
            return f"{s.canvas_name}_{s.canvas_id}"
        return f"{s.name}_{s.moodle_id}"


# ---- the students -------------------------------------------------------------------------------------------

_NAMES = [
    ("correct", "Amara Okafor"),
    ("correct_colab", "Jonas Weber"),
    ("partial", "Li Wei"),
    ("blank", "Fatou Diallo"),
    ("renamed", "Mateo García"),
    ("error_halfway", "Sofia Rossi"),
    ("edited_check", "Noah Müller"),
    ("wrong_set", "Chloé Martin"),
    ("resubmitted", "Kwame Mensah"),
    ("essay_in_question", "Aiko Tanaka"),
    ("essay_new_cell", "Omar Haddad"),
    ("with_html", "Ingrid Larsen"),
    ("with_scratch", "Pedro Alves"),
    ("with_broken_copy", "Zainab Bello"),
    ("corrupt_only", "Ivan Petrov"),
    ("html_only", "Grace Kim"),
    ("wrong_answers", "Lucas Dubois"),
    ("late", "Emma Wilson"),
    ("answered_1", "Yusuf Demir"),
    ("answered_2", "Hana Novak"),
    ("answered_3", "Ravi Patel"),
    ("answered_4", "Olga Ivanova"),
    ("answered_5", "Tomás Ruiz"),
    ("answered_6", "Nia Brown"),
    ("answered_7", "Sven Olsen"),
    ("answered_8", "Maryam Karimi"),
    ("answered_9", "Felix Wagner"),
]
#: answered_N → (how many questions answered, wrote an essay)
_ANSWERED = {
    "answered_1": (3, False),
    "answered_2": (5, True),
    "answered_3": (7, False),
    "answered_4": (9, True),
    "answered_5": (11, False),
    "answered_6": (11, True),
    "answered_7": (5, False),
    "answered_8": (9, False),
    "answered_9": (11, True),
}


def _student(i: int, key: str, name: str) -> Student:
    first, last = name.split(" ", 1)
    return Student(
        key=key,
        name=name,
        sortable=f"{last}, {first}",
        canvas_id=20101 + i,
        moodle_id=730101 + i,
        student_id=f"s{2026001 + i}",
        email=f"{first.lower()}.{last.lower().replace(' ', '')}@example.edu",
        section="A" if i % 2 == 0 else "B",
    )


STUDENTS = [_student(i, key, name) for i, (key, name) in enumerate(_NAMES)]
ABSENT = _student(len(_NAMES), "absent", "Paul Schmidt")


# ---- notebooks --------------------------------------------------------------------------------------------


def _find(nb: NotebookNode, qid: str, tag: str) -> NotebookNode:
    for cell in nb.cells:
        meta = cell.metadata.get("coursekit", {})
        if tag in cell.metadata.get("tags", []) and meta.get("question") == qid:
            return cell
    raise KeyError(f"{qid} {tag}")


def _answer_source(ex: ExerciseSet, qid: str, block: list[str] | None = None) -> str:
    """The answer cell of ``qid`` with the reference solution (or ``block``) in place of the stub."""
    q = ex.question(qid)
    assert q.solution_cell is not None
    source = ex.notebook.cells[q.solution_cell].source
    lines = [ln for ln in source.split("\n") if ln.strip() != question_comment(qid)]
    before, ref, after = solution_parts("\n".join(lines))
    marker = next(ln for ln in source.split("\n") if ln.strip() == BEGIN_SOLUTION)
    indent = marker[: len(marker) - len(marker.lstrip())]
    body = ref if block is None else [indent + ln for ln in block]
    assert all(ln.strip() not in (BEGIN_SOLUTION, END_SOLUTION) for ln in body)
    return "\n".join([question_comment(qid), *before, *body, *after]).rstrip("\n")


def answered(ex: ExerciseSet, upto: int, essay: bool = True) -> NotebookNode:
    """The released student edition with questions q1..q``upto`` answered right (and the essay when asked)."""
    nb = student_notebook(ex)
    for q in ex.questions:
        n = int(q.qid[1:])
        if q.kind == "manual":
            if essay:
                _find(nb, q.qid, "manual").source = f"<!-- coursekit: {q.qid} -->\n{ESSAY}"
        elif n <= upto:
            _find(nb, q.qid, "solution").source = _answer_source(ex, q.qid)
    return nb


def _strip_metadata(nb: NotebookNode) -> None:
    for cell in nb.cells:
        cell.metadata = {}
    nb.metadata = {"kernelspec": nb.metadata.get("kernelspec", {})}


def notebooks(ex: ExerciseSet, other: ExerciseSet) -> dict[str, list[tuple[str, bytes, bool]]]:
    """Each student's uploads in order: ``(file name, content, late)``."""
    last = len([q for q in ex.questions if q.kind != "manual"])

    def dump(nb: NotebookNode) -> bytes:
        return nbformat.writes(copy.deepcopy(nb)).encode("utf-8")

    out: dict[str, list[tuple[str, bytes, bool]]] = {}
    full = answered(ex, last)
    out["correct"] = [(UPLOAD_NAME, dump(full), False)]
    colab = copy.deepcopy(full)
    _strip_metadata(colab)
    out["correct_colab"] = [(UPLOAD_NAME, dump(colab), False)]
    out["partial"] = [(UPLOAD_NAME, dump(answered(ex, 6, essay=False)), False)]
    out["blank"] = [(UPLOAD_NAME, dump(student_notebook(ex)), False)]

    renamed = copy.deepcopy(full)
    _find(renamed, "q2", "solution").source = _answer_source(
        ex, "q2", ['chosen_elements = ["B", "D", "E"]']
    )
    check = _find(renamed, "q2", "check")
    check.source = check.source.replace("elements)", "chosen_elements)")
    assert "chosen_elements" in check.source
    out["renamed"] = [(UPLOAD_NAME, dump(renamed), False)]

    halfway = copy.deepcopy(full)
    _find(halfway, "q6", "solution").source = _answer_source(
        ex, "q6", ['symmetry = {"a": "symmetric", "b": asymetric}']
    )
    out["error_halfway"] = [(UPLOAD_NAME, dump(halfway), False)]

    edited = copy.deepcopy(full)
    check = _find(edited, "q3", "check")
    check.source = check.source.replace(
        "definition_fit)", '{"s1": "both", "s2": "neither", "s3": "broad only"})'
    )
    assert '"s1": "both"' in check.source
    out["edited_check"] = [(UPLOAD_NAME, dump(edited), False)]

    wrong_set = student_notebook(other)
    _find(wrong_set, "q2", "solution").source = _answer_source(other, "q2")
    out["wrong_set"] = [(other.set_id + ".ipynb", dump(wrong_set), False)]

    out["resubmitted"] = [
        (UPLOAD_NAME, dump(answered(ex, 4, essay=False)), False),
        (UPLOAD_NAME, dump(full), True),
    ]

    in_question = answered(ex, last, essay=False)
    qcell = _find(in_question, "q12", "question")
    qcell.source = qcell.source.rstrip() + "\n\n" + ESSAY
    out["essay_in_question"] = [(UPLOAD_NAME, dump(in_question), False)]

    new_cell = answered(ex, last, essay=False)
    answer_cell = _find(new_cell, "q12", "manual")
    at = new_cell.cells.index(answer_cell)
    new_cell.cells[at] = new_markdown_cell(ESSAY)
    out["essay_new_cell"] = [(UPLOAD_NAME, dump(new_cell), False)]

    html = (
        b"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>01-alliance-concepts</title></head>"
        b"<body><h1>Alliance concepts</h1><p>exported from Jupyter</p></body></html>\n"
    )
    out["with_html"] = [
        (UPLOAD_NAME, dump(full), False),
        ("01-alliance-concepts.html", html, False),
    ]
    scratch = new_notebook()
    scratch.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    out["with_scratch"] = [
        (UPLOAD_NAME, dump(full), False),
        ("Untitled.ipynb", dump(scratch), False),
    ]
    text = dump(full)
    out["with_broken_copy"] = [
        (UPLOAD_NAME, text, False),
        ("01-alliance-concepts copy.ipynb", text[: len(text) // 2], False),
    ]
    out["corrupt_only"] = [(UPLOAD_NAME, text[: len(text) // 3], False)]
    out["html_only"] = [("01-alliance-concepts.html", html, False)]

    wrong = copy.deepcopy(full)
    _find(wrong, "q2", "solution").source = _answer_source(ex, "q2", ['elements = ["A", "C"]'])
    _find(wrong, "q4", "solution").source = _answer_source(
        ex,
        "q4",
        [
            'cow_types = {"t1": "III", "t2": "I", "t3": "I", "t4": "III", "t5": "II", "t6_obligations": 5}'
        ],
    )
    _find(wrong, "q7", "solution").source = _answer_source(
        ex,
        "q7",
        [
            'fears = {"e1": "entrapment", "e2": "abandonment", "e3": "abandonment", "e4": "entrapment"}'
        ],
    )
    out["wrong_answers"] = [(UPLOAD_NAME, dump(wrong), False)]
    out["late"] = [(UPLOAD_NAME, dump(full), True)]
    for key, (upto, essay) in _ANSWERED.items():
        out[key] = [(UPLOAD_NAME, dump(answered(ex, upto, essay)), False)]
    return out


def expected_outcomes(ex: ExerciseSet) -> dict[str, Expected]:
    """The expected gradebook status of every question, and the files listed as not graded, per student."""
    code = [q.qid for q in ex.questions if q.kind != "manual"]
    written = [q.qid for q in ex.questions if q.kind == "manual"]

    def statuses(upto: int, essay: bool, **changed: str) -> dict[str, str]:
        out = {qid: ("passed" if int(qid[1:]) <= upto else "not_attempted") for qid in code}
        out.update({qid: ("manual" if essay else "not_attempted") for qid in written})
        out.update(changed)
        return out

    full = len(code)
    exp = {
        "correct": statuses(full, True),
        "correct_colab": statuses(full, True),
        "partial": statuses(6, False),
        "blank": statuses(0, False),
        "renamed": statuses(full, True, q2="failed"),
        "error_halfway": statuses(full, True, q6="error"),
        "edited_check": statuses(full, True, q3="tampered"),
        "wrong_set": {q.qid: "wrong_set" for q in ex.questions},
        "resubmitted": statuses(full, True),
        "essay_in_question": statuses(full, True),
        "essay_new_cell": statuses(full, True),
        "with_html": statuses(full, True),
        "with_scratch": statuses(full, True),
        "with_broken_copy": statuses(full, True),
        "corrupt_only": {q.qid: "error" for q in ex.questions},
        "html_only": {},
        "wrong_answers": statuses(full, True, q2="failed", q4="failed", q7="partial"),
        "late": statuses(full, True),
    }
    for key, (upto, essay) in _ANSWERED.items():
        exp[key] = statuses(upto, essay)
    not_graded = {
        "resubmitted": {UPLOAD_NAME: "superseded"},
        "with_html": {"01-alliance-concepts.html": "html_export"},
        "with_scratch": {"Untitled.ipynb": "second_notebook"},
        "with_broken_copy": {"01-alliance-concepts copy.ipynb": "unreadable"},
        "html_only": {"01-alliance-concepts.html": "html_export"},
    }
    return {k: Expected(k, v, not_graded.get(k, {})) for k, v in exp.items()}


# ---- the platforms' downloads -----------------------------------------------------------------------------


def _canvas_names(uploads: list[Upload], students: dict[str, Student]) -> list[tuple[str, Upload]]:
    """Each upload's name in a Canvas download; a second upload of the same file name gets ``-1``."""
    seen: dict[tuple[str, str], int] = {}
    out = []
    for up in uploads:
        s = students[up.student]
        n = seen.get((up.student, up.filename), 0)
        seen[(up.student, up.filename)] = n + 1
        stem, dot, ext = up.filename.rpartition(".")
        shown = f"{stem}-{n}.{ext}" if n and dot else up.filename
        late = "_LATE" if up.late else ""
        out.append((f"{s.canvas_name}{late}_{s.canvas_id}_{up.attachment_id}_{shown}", up))
    return out


def _moodle_names(
    uploads: list[Upload], students: dict[str, Student], trailing: bool
) -> list[tuple[str, Upload]]:
    """Each upload's path in a Moodle download (one folder per participant); a re-upload gets `` (1)``."""
    seen: dict[tuple[str, str], int] = {}
    out = []
    for up in uploads:
        s = students[up.student]
        n = seen.get((up.student, up.filename), 0)
        seen[(up.student, up.filename)] = n + 1
        stem, dot, ext = up.filename.rpartition(".")
        shown = f"{stem} ({n}).{ext}" if n and dot else up.filename
        folder = f"{s.name}_{s.moodle_id}_assignsubmission_file" + ("_" if trailing else "")
        out.append((f"{folder}/{shown}", up))
    return out


def _write_folder(folder: Path, named: list[tuple[str, Upload]]) -> None:
    for name, up in named:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(up.data)


def _write_zip(path: Path, named: list[tuple[str, Upload]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for k, (name, up) in enumerate(named):
            info = zipfile.ZipInfo(name, date_time=(2026, 11, 20, 9, k // 60, k % 60))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, up.data)


def _roster_text(students: list[Student]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["student_id", "name", "email", "canvas_id", "moodle_id", "sis_login_id", "section"])
    for s in students:
        w.writerow(
            [
                s.student_id,
                s.name,
                s.email,
                s.canvas_id,
                s.moodle_id,
                s.email.split("@")[0],
                s.section,
            ]
        )
    return buf.getvalue()


def build_class(root: Path, source: Path = SOURCE, other_source: Path = OTHER_SOURCE) -> Classroom:
    """Write the class's Canvas zip and folder, Moodle folder and zip, and roster under ``root``."""
    root = Path(root)
    ex = load_source(source)
    other = load_source(other_source)
    by_key = {s.key: s for s in STUDENTS}
    uploads: list[Upload] = []
    attachment = 880001
    for key, files in notebooks(ex, other).items():
        for name, data, late in files:
            uploads.append(Upload(key, name, data, attachment, late))
            attachment += 7
    canvas = _canvas_names(uploads, by_key)
    _write_zip(root / "canvas" / "submissions.zip", canvas)
    _write_folder(root / "canvas_folder", canvas)
    _write_folder(root / "moodle", _moodle_names(uploads, by_key, trailing=True))
    _write_zip(root / "moodle.zip", _moodle_names(uploads, by_key, trailing=False))
    roster = root / "roster.csv"
    roster.write_text(_roster_text([*STUDENTS, ABSENT]), encoding="utf-8")
    return Classroom(
        root=root,
        source=Path(source),
        other_source=Path(other_source),
        exercise=ex,
        students=list(STUDENTS),
        absent=ABSENT,
        uploads=uploads,
        expected=expected_outcomes(ex),
        canvas_zip=root / "canvas" / "submissions.zip",
        canvas_folder=root / "canvas_folder",
        moodle_folder=root / "moodle",
        moodle_zip=root / "moodle.zip",
        roster=roster,
    )


def plain_folder(classroom: Classroom, folder: Path) -> dict[str, str]:
    """Write each student's graded notebook (the one the grader must pick) as ``<key>.ipynb`` into ``folder``.

    For comparing with a grading of the plain files; returns ``{key: file name}``. ``html_only`` has none.
    """
    folder.mkdir(parents=True, exist_ok=True)
    chosen: dict[str, str] = {}
    for s in classroom.students:
        mine = [
            u for u in classroom.uploads if u.student == s.key and u.filename.endswith(".ipynb")
        ]
        skipped = classroom.expected[s.key].not_graded
        keep = [u for u in mine if skipped.get(u.filename) not in ("second_notebook", "unreadable")]
        if not keep:
            continue
        (folder / f"{s.key}.ipynb").write_bytes(keep[-1].data)
        chosen[s.key] = f"{s.key}.ipynb"
    return chosen


if __name__ == "__main__":  # pragma: no cover - a helper to look at the class by hand
    import sys

    built = build_class(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/coursekit-class"))
    print(json.dumps({k: e.statuses for k, e in built.expected.items()}, indent=1))
