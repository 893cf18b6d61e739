"""The learning platforms' own file formats: grade-import files and feedback bundles for Canvas and Moodle.

Each format follows the platform's importer (read in its source code, December 2026):

* **Canvas gradebook import** (``app/models/gradebook_importer.rb``): the header row's first cell contains
  ``Student`` and its second ``ID``; ``SIS User ID`` and ``SIS Login ID`` may follow, and ``Section`` must be the
  last student column; every later column is an assignment, matched by the id in ``Title (id)`` or else by its
  title (an unknown title creates a new assignment). A row whose first cell contains ``Points Possible`` gives
  the assignment's points. A student is found by ``ID`` (the Canvas user id), else by ``SIS User ID`` or
  ``SIS Login ID``, else by name. An empty grade cell changes nothing.
* **Canvas feedback files** ("Re-Upload Submissions" of the assignment page, ``Assignment#generate_comments_
  from_files``): a zip whose file names, split at ``_``, hold two all-digit parts: the first is the student's
  user id, the second the id of the file of the submission being commented on (both as in the name Canvas gave
  the downloaded file). Each file becomes a comment with that file attached on the student's submission.
* **Moodle offline grading worksheet** (``mod/assign/feedback/offline``): the importer reads the columns
  ``Identifier`` (``Participant N``, N the participant number Moodle uses in its downloads), ``Grade`` and
  ``Last modified (grade)``, and the feedback columns by their names (``Feedback comments``). The downloaded
  worksheet also has ``Full name``, the identity fields (``Email address``), ``Status``, ``Maximum Grade``,
  ``Grade can be changed`` and ``Last modified (submission)``; we write the same columns in that order. A row
  whose grade is empty is skipped; a grade above the assignment's maximum is skipped; a row whose ``Last
  modified (grade)`` is older than the grade already in Moodle is skipped unless "Allow updating records that
  have been modified more recently in Moodle than in the spreadsheet" is ticked.
* **Moodle feedback files** (``mod/assign/feedback/file/importziplib.php``): a zip with one folder per student
  named ``<full name>_<participant number>_assignfeedback_file_``; the name part must not contain ``_``.

The column names are the English ones; a Moodle site in another language names its worksheet columns in that
language (see the instructor guide).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "CANVAS_STUDENT_COLUMNS",
    "MOODLE_COLUMNS",
    "Student",
    "canvas_feedback_name",
    "canvas_gradebook",
    "identity_from_path",
    "moodle_feedback_folder",
    "moodle_worksheet",
    "write_zip",
]

CANVAS_STUDENT_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
"""The student columns of Canvas's gradebook import, in its order (the assignment column follows)."""

CANVAS_POINTS_ROW = "Points Possible"

MOODLE_COLUMNS = [
    "Identifier",
    "Full name",
    "Email address",
    "Status",
    "Grade",
    "Maximum Grade",
    "Grade can be changed",
    "Last modified (submission)",
    "Last modified (grade)",
    "Feedback comments",
]
"""The columns of Moodle's offline grading worksheet, as it downloads it (English site, email shown)."""

MOODLE_PARTICIPANT = "Participant "
MOODLE_STATUS = "Submitted for grading"


@dataclass
class Student:
    """Who handed in a submission, as the platform knows them.

    Attributes
    ----------
    submission : str
        The grader's submission id.
    name : str
        The student's name (Canvas: as in its gradebook; Moodle: full name).
    platform_id : str
        Canvas: the user id; Moodle: the participant number of the assignment.
    file_id : str
        Canvas only: the id of the submitted file (the second number in the downloaded file's name).
    name_part : str
        Canvas only: the first part of the downloaded file's name (``lastnamefirstname``).
    sis_user_id, sis_login_id, section, email : str
        From the roster, when one was given.
    submitted : str
        When the student handed in (Moodle's ``Last modified (submission)``), if known.
    """

    submission: str
    name: str = ""
    platform_id: str = ""
    file_id: str = ""
    name_part: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""
    email: str = ""
    submitted: str = ""


_CANVAS_NAME = re.compile(r"^(?P<name>[^_/]+?)(?:_LATE)?_(?P<uid>\d+)_(?P<fid>\d+)_(?P<rest>.*)$")
_MOODLE_FOLDER = re.compile(r"^(?P<name>.+)_(?P<pid>\d+)_assignsubmission_[a-z]+_?$")


def identity_from_path(sid: str, path: str, platform: str) -> Student:
    """What the file's own name tells about its student: for Canvas ``name[_LATE]_userid_fileid_file``, for
    Moodle the folder ``Full Name_participant_assignsubmission_file_``. Fields not found stay empty."""
    parts = [p for p in re.split(r"[/\\]", path) if p]
    if platform == "moodle":
        for part in reversed(parts):
            m = _MOODLE_FOLDER.match(part)
            if m:
                return Student(sid, name=m["name"], platform_id=m["pid"])
    else:
        for part in reversed(parts):
            m = _CANVAS_NAME.match(part)
            if m:
                return Student(sid, platform_id=m["uid"], file_id=m["fid"], name_part=m["name"])
    return Student(sid)


def _csv(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def _safe_cell(text: str) -> str:
    """A text cell that no spreadsheet runs as a formula (the grade cells are numbers and stay as they are)."""
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def canvas_gradebook(assignment: str, points_possible: str, rows: list[tuple[Student, str]]) -> str:
    """Canvas's gradebook import file: the header, the ``Points Possible`` row, one row per student.

    ``rows`` holds each student with their grade as text (empty: Canvas changes nothing for them).
    """
    header = [*CANVAS_STUDENT_COLUMNS, assignment]
    out = [header, [CANVAS_POINTS_ROW, "", "", "", "", points_possible]]
    for s, grade in rows:
        out.append(
            [
                _safe_cell(s.name),
                s.platform_id,
                _safe_cell(s.sis_user_id),
                _safe_cell(s.sis_login_id),
                _safe_cell(s.section),
                grade,
            ]
        )
    return _csv(out)


def moodle_worksheet(rows: list[tuple[Student, str, str, str]], max_grade: str, stamp: str) -> str:
    """Moodle's offline grading worksheet: one row per student ``(student, grade, feedback comment,
    last modified (grade))``; an empty grade leaves the student's grade in Moodle as it is."""
    out = [MOODLE_COLUMNS]
    for s, grade, comment, modified in rows:
        out.append(
            [
                f"{MOODLE_PARTICIPANT}{s.platform_id}",
                _safe_cell(s.name),
                _safe_cell(s.email),
                MOODLE_STATUS,
                grade,
                max_grade,
                "Yes",
                s.submitted,
                modified or stamp,
                _safe_cell(comment),
            ]
        )
    return _csv(out)


def canvas_feedback_name(s: Student, set_id: str) -> str:
    """The name of a student's feedback file for Canvas's "Re-Upload Submissions": the downloaded file's name
    part, the user id and the submitted file's id (the only all-digit parts), then the set id."""
    name = re.sub(r"[\W\d_]+", "", s.name_part or s.name) or "student"
    tail = re.sub(r"[^A-Za-z0-9.-]+", "-", set_id).strip("-") or "set"
    return f"{name}_{s.platform_id}_{s.file_id}_feedback-{tail}.html"


def moodle_feedback_folder(s: Student) -> str:
    """The folder of a student's feedback files in Moodle's feedback zip: ``Full Name_N_assignfeedback_file_``
    (underscores and slashes in the name become spaces: the importer splits the folder name at ``_``)."""
    name = re.sub(r"[_/\\]+", " ", s.name).strip() or "Participant"
    return f"{name}_{s.platform_id}_assignfeedback_file_"


def write_zip(path: Path, files: dict[str, str]) -> None:
    """Write a zip of text files (name inside the zip → content), replacing ``path`` in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, text in sorted(files.items()):
            zf.writestr(name, text.encode("utf-8"))
    tmp.replace(path)
