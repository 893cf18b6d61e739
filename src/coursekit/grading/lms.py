"""Intake of a learning platform's download: which file of which student to grade, and why the others are not.

``coursekit grade`` accepts the submissions as the platform hands them over:

* **Canvas** ("Download Submissions" on an assignment: a ``.zip``, or the folder it unzips to). Canvas names each
  file ``<name>[_LATE]_<user id>_<attachment id>_<file name as uploaded>``: ``<name>`` is the student's sortable
  name ("Last, First") in lower case with every non-word character removed, ``LATE`` marks a late submission,
  and an anonymous assignment writes ``anon_<anonymous id>`` instead of the name and user id; a text entry is
  ``<name>_<user id>_text.html`` and a URL ``…_link.html`` (``ContentZipper#get_filename``,
  ``#add_upload_submission`` and ``#add_text_or_url`` in instructure/canvas-lms ``lib/content_zipper.rb``). A
  file a student uploads again under the same name gets ``-1``, ``-2`` … before its extension (reported by
  students, e.g. nus-cs2103-AY2324S1/forum issue 459, IIC1253/IIC1253-2023-2 issue 13).
* **Moodle** ("Download all submissions" of an assignment). With "Download submissions in folders" (the default
  since Moodle 3.1) each participant's files are in a folder ``<Full Name>_<participant id>_assignsubmission_file``
  (older versions add a trailing ``_``), sub-folders kept; without it each file is named
  ``<Full Name>_<participant id>_assignsubmission_file_<file name>``. Underscores in the name become spaces, the
  number is the participant id Moodle uses for the assignment (the *Identifier* "Participant N" of its grading
  worksheet) and blind marking writes "Participant" instead of the name; online text arrives as
  ``…_assignsubmission_onlinetext_/onlinetext.html`` (``mod/assign/classes/downloader.php`` in moodle/moodle).
* **plain**: a folder of ``.ipynb`` files (or the files themselves); a submission's id is its file name.

``--lms auto`` (the default) recognises Canvas or Moodle names when every notebook follows them; a download whose
names are mixed is refused with a request for ``--lms``. Within one student's files the grader grades one
notebook: a readable notebook of the set being graded before any other, and among those the latest upload
(Canvas attachment id, then the resubmission number, then the file time). Every other file is listed, with the
reason, in ``intake.csv`` and in the student's notes: an earlier attempt (``superseded``), another notebook
(``second_notebook``), a notebook that cannot be read (``unreadable``), an ``.html`` export (``html_export``),
text typed into the platform (``online_text``), any other file (``not_a_notebook``), and for a download's
odd entries ``unknown_name``, ``unsafe_path`` and ``too_big``.

``--roster roster.csv`` maps the platform's ids to the course's own: columns ``student_id`` (required: becomes
the submission id), ``name`` and ``email`` (optional), and the platform's id in ``canvas_id`` (Canvas user id) or
``moodle_id`` (Moodle participant id) or, for either, ``platform_id``. Other columns (``sis_login_id``,
``section`` …) are kept for the import files. Without a roster a submission's id is the platform's own prefix
(Canvas ``okaforamara_20101``, Moodle ``Amara Okafor_730101``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import shutil
import time
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coursekit.grading.intake import display_name, read_submission, submission_id
from coursekit.messages import msg

__all__ = [
    "INTAKE_COLUMNS",
    "PLATFORMS",
    "REASONS",
    "collect",
    "collect_submissions",
    "FileEntry",
    "Intake",
    "IntakeError",
    "Roster",
    "detect_platform",
    "gather",
    "parse_canvas",
    "parse_moodle",
    "read_roster",
    "write_intake",
]

PLATFORMS = ("auto", "canvas", "moodle", "plain")
#: Largest file taken from a download (bytes); the same limit as the grader's for one submission.
MAX_FILE_BYTES = 256 * 1024 * 1024
#: Largest total a zip may unpack to (bytes): a zip bomb is refused before anything is written.
MAX_ZIP_BYTES = 4 * 1024 * 1024 * 1024

_CANVAS = re.compile(
    r"^(?:(?P<name>[^\W_][\w]*?)_)??(?:(?P<late>LATE)_)?(?P<uid>\d+|anon_[A-Za-z0-9]+)_"
    r"(?:(?P<aid>\d+)_(?P<file>.+)|(?P<kind>text|link)\.html)$"
)
_MOODLE_FOLDER = re.compile(r"^(?P<name>.+?)_(?P<pid>\d+)_assignsubmission_(?P<plugin>[a-z]+)_?$")
_MOODLE_FILE = re.compile(
    r"^(?P<name>.+?)_(?P<pid>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<file>.+)$"
)
#: A resubmission suffix before the extension: Canvas ``name-1.ipynb``, Moodle's file picker ``name (1).ipynb``.
_ATTEMPT = re.compile(r"^(?P<base>.+?)(?:-(?P<dash>\d{1,3})| \((?P<paren>\d{1,3})\))$")

#: The message of each reason a file is not graded (its sentence names the file; see ``locale/en.po``).
REASONS = {
    "superseded": "lms.reason.superseded",
    "second_notebook": "lms.reason.second_notebook",
    "unreadable": "lms.reason.unreadable",
    "html_export": "lms.reason.html_export",
    "online_text": "lms.reason.online_text",
    "not_a_notebook": "lms.reason.not_a_notebook",
    "unknown_name": "lms.reason.unknown_name",
    "unsafe_path": "lms.reason.unsafe_path",
    "too_big": "lms.reason.too_big",
}

INTAKE_COLUMNS = [
    "file",
    "action",
    "reason",
    "submission",
    "platform",
    "platform_id",
    "name",
    "student_id",
    "late",
    "detail",
]


class IntakeError(ValueError):
    """The download cannot be taken in as it is (ambiguous platform, bad roster); the message says what to do."""


# ---- parsing names -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parsed:
    """What a platform's file name says: who handed it in, and what the student called it."""

    platform_id: str
    name: str
    upload: str  # the file name as uploaded (the platform's prefix removed)
    late: bool = False
    order: int = 0  # Canvas attachment id (0 elsewhere)
    kind: str = "file"  # "file", or "text"/"link"/"onlinetext" for what was typed into the platform


def parse_canvas(filename: str) -> Parsed | None:
    """Parse a file name of a Canvas submissions download; None when it does not follow Canvas's rule.

    >>> parse_canvas("okaforamara_LATE_20101_880001_01-alliance-concepts-1.ipynb")
    Parsed(platform_id='20101', name='okaforamara', upload='01-alliance-concepts-1.ipynb', late=True, order=880001, kind='file')
    """
    m = _CANVAS.match(filename)
    if not m:
        return None
    if m.group("kind"):
        return Parsed(
            m.group("uid"),
            m.group("name") or "",
            filename,
            bool(m.group("late")),
            0,
            m.group("kind"),
        )
    return Parsed(
        m.group("uid"),
        m.group("name") or "",
        m.group("file"),
        bool(m.group("late")),
        int(m.group("aid")),
    )


def parse_moodle(relative: str) -> Parsed | None:
    """Parse a path in a Moodle download (``folder/file`` or a flat file name); None when it is not Moodle's.

    >>> parse_moodle("Amara Okafor_730101_assignsubmission_file_/01-alliance-concepts.ipynb").platform_id
    '730101'
    """
    parts = relative.replace("\\", "/").split("/")
    if len(parts) > 1:
        m = _MOODLE_FOLDER.match(parts[0])
        if not m:
            return None
        upload = "/".join(parts[1:])
    else:
        m = _MOODLE_FILE.match(parts[0])
        if not m:
            return None
        upload = m.group("file")
    kind = "onlinetext" if m.group("plugin") == "onlinetext" else "file"
    return Parsed(m.group("pid"), m.group("name"), upload, False, 0, kind)


def _attempt(upload: str) -> tuple[str, int]:
    """The upload's name without a resubmission suffix, and the suffix's number (0 when it has none)."""
    stem, dot, ext = Path(upload).name.rpartition(".")
    if not dot:
        stem, ext = Path(upload).name, ""
    m = _ATTEMPT.match(stem)
    if not m:
        return Path(upload).name, 0
    number = int(m.group("dash") or m.group("paren"))
    return m.group("base") + (f".{ext}" if ext else ""), number


# ---- the roster ----------------------------------------------------------------------------------------------


@dataclass
class Roster:
    """The course's students, by the id a platform gives them."""

    path: Path
    rows: list[dict[str, str]]
    by_platform: dict[str, dict[str, dict[str, str]]]  # platform -> platform id -> row

    def find(self, platform: str, platform_id: str) -> dict[str, str] | None:
        """The roster row of a platform id (``canvas_id``/``moodle_id`` column, else ``platform_id``)."""
        return self.by_platform.get(platform, {}).get(platform_id) or self.by_platform.get(
            "any", {}
        ).get(platform_id)


def read_roster(path: Path) -> Roster:
    """Read ``roster.csv`` (see the module docstring for its columns).

    Raises
    ------
    IntakeError
        Naming the file, row and column: no ``student_id`` column, an empty or repeated ``student_id``, no column
        with the platform's ids, or a platform id given to two students.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise IntakeError(f"{path}: cannot read the roster ({exc}).") from exc
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in (reader.fieldnames or [])]
    if "student_id" not in columns:
        raise IntakeError(
            f"{path}, row 1: the roster needs a column 'student_id' (it has {columns})."
        )
    id_columns = {"canvas_id": "canvas", "moodle_id": "moodle", "platform_id": "any"}
    if not any(c in columns for c in id_columns):
        raise IntakeError(
            f"{path}, row 1: the roster needs the platform's ids in a column 'canvas_id', 'moodle_id' or "
            "'platform_id'."
        )
    rows: list[dict[str, str]] = []
    by_platform: dict[str, dict[str, dict[str, str]]] = {p: {} for p in id_columns.values()}
    seen: dict[str, int] = {}
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if isinstance(v, str)}
        sid = row.get("student_id", "")
        if not sid:
            raise IntakeError(f"{path}, row {line}, column student_id: empty.")
        if sid in seen:
            raise IntakeError(
                f"{path}, row {line}, column student_id: {sid!r} is also on row {seen[sid]}."
            )
        seen[sid] = line
        for column, platform in id_columns.items():
            value = row.get(column, "")
            if not value:
                continue
            other = by_platform[platform].get(value)
            if other is not None:
                raise IntakeError(
                    f"{path}, row {line}, column {column}: {value!r} is also the id of {other['student_id']!r}."
                )
            by_platform[platform][value] = row
        rows.append(row)
    return Roster(path, rows, by_platform)


# ---- what was found ------------------------------------------------------------------------------------------


@dataclass
class FileEntry:
    """One file of the download and what became of it.

    ``action`` is ``graded`` or ``not_graded`` (``absent`` for a roster student with no file); ``reason`` is the
    reason code of a file not graded (see the module docstring) and ``detail`` its sentence.
    """

    file: str
    path: Path | None
    platform: str
    parsed: Parsed | None
    size: int = 0
    mtime: float = 0.0
    sid: str = ""
    student_id: str = ""
    action: str = ""
    reason: str = ""
    detail: str = ""
    set_id: str | None = None  # of a readable notebook ("" when it has none)
    problem: str = ""  # why a notebook is unreadable

    @property
    def name(self) -> str:
        return self.parsed.name if self.parsed else ""

    @property
    def platform_id(self) -> str:
        return self.parsed.platform_id if self.parsed else ""


@dataclass
class Intake:
    """The result of taking in a download: the files to grade and every other file with its reason."""

    platform: str
    entries: list[FileEntry] = field(default_factory=list)
    absent: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    work: Path | None = None  # where zips were unpacked
    #: The inputs as folders and files to read (a zip replaced by the folder it was unpacked into).
    inputs: list[Path] = field(default_factory=list)

    @property
    def submissions(self) -> list[tuple[str, Path]]:
        """``(submission id, path)`` of the files to grade, sorted by id."""
        return sorted(
            (e.sid, e.path) for e in self.entries if e.action == "graded" and e.path is not None
        )

    def notes(self) -> dict[str, list[str]]:
        """Per graded submission: one sentence per file of the same student that was not graded."""
        graded = {e.sid for e in self.entries if e.action == "graded"}
        out: dict[str, list[str]] = {}
        for e in self.entries:
            if e.action == "not_graded" and e.sid in graded:
                out.setdefault(e.sid, []).append(e.detail)
        return out

    def not_graded(self) -> list[tuple[str, str]]:
        """``(submission id, notes)`` for students none of whose files is graded (rows of summary.csv)."""
        graded = {e.sid for e in self.entries if e.action == "graded"}
        out: dict[str, list[str]] = {}
        for e in self.entries:
            if e.action == "not_graded" and e.sid and e.sid not in graded:
                out.setdefault(e.sid, []).append(e.detail)
        return sorted((sid, " | ".join(lines)) for sid, lines in out.items())


def write_intake(intake: Intake, path: Path) -> None:
    """Write ``intake.csv``: one row per file of the download (and per roster student who handed in nothing)."""
    from coursekit.grading.results import neutralise

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(INTAKE_COLUMNS)
    for e in sorted(intake.entries, key=lambda e: (e.sid, e.action != "graded", e.file)):
        w.writerow(
            neutralise(c)
            for c in [
                e.file,
                e.action,
                e.reason,
                e.sid,
                intake.platform,
                e.platform_id,
                e.name,
                e.student_id,
                "yes" if e.parsed and e.parsed.late else "",
                e.detail,
            ]
        )
    for row in intake.absent:
        w.writerow(
            neutralise(c)
            for c in [
                "",
                "absent",
                "no_file",
                row.get("student_id", ""),
                intake.platform,
                row.get(f"{intake.platform}_id", "") or row.get("platform_id", ""),
                row.get("name", ""),
                row.get("student_id", ""),
                "",
                "on the roster, but nothing was handed in",
            ]
        )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(buf.getvalue(), encoding="utf-8", errors="replace")
    os.replace(tmp, path)


# ---- reading the download ------------------------------------------------------------------------------------


def _unpack(archive: Path, work: Path) -> tuple[Path, list[FileEntry]]:
    """Unpack a zip into ``work/<stem>/`` safely; return the folder and the members that were refused."""
    target = work / hashlib.sha256(os.fsencode(archive.resolve())).hexdigest()[:8] / archive.stem
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    refused: list[FileEntry] = []
    try:
        zf = zipfile.ZipFile(archive)
    except (OSError, zipfile.BadZipFile) as exc:
        raise IntakeError(f"{display_name(archive)}: not a readable zip file ({exc}).") from exc
    with zf:
        members = [i for i in zf.infolist() if not i.is_dir()]
        total = sum(i.file_size for i in members)
        if total > MAX_ZIP_BYTES:
            raise IntakeError(
                f"{display_name(archive)}: the zip would unpack to {total / 2**30:.1f} GB, more than the "
                f"{MAX_ZIP_BYTES / 2**30:.0f} GB allowed; unpack it yourself and pass the folder."
            )
        for info in members:
            name = info.filename
            shown = f"{archive.name}/{name}"
            parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
            if (
                name.startswith(("/", "\\"))
                or ".." in parts
                or not parts
                or re.match(r"^[A-Za-z]:", name)
            ):
                refused.append(_refused(shown, "unsafe_path"))
                continue
            if parts[0] == "__MACOSX" or parts[-1] == ".DS_Store":
                continue  # the Finder's own entries in a zip made on a Mac, never a student's file
            if info.file_size > MAX_FILE_BYTES:
                refused.append(_refused(shown, "too_big"))
                continue
            dest = target.joinpath(*parts)
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(info) as src, open(dest, "wb") as out:
                    shutil.copyfileobj(src, out)
            except (OSError, zipfile.BadZipFile, RuntimeError, EOFError) as exc:
                dest.unlink(missing_ok=True)
                entry = _refused(shown, "unreadable")
                entry.problem = str(exc)
                refused.append(entry)
                continue
            try:  # the member's own time orders a student's attempts when nothing else does
                os.utime(dest, (time.time(), time.mktime((*info.date_time, 0, 0, -1))))
            except (OverflowError, ValueError, OSError):
                pass
    return _single_folder(target), refused


def _refused(shown: str, reason: str) -> FileEntry:
    entry = FileEntry(shown, None, "", None, action="not_graded", reason=reason)
    return entry


def _single_folder(folder: Path) -> Path:
    """A download unpacked into one folder of its own: descend into it (unless it is a Moodle student folder)."""
    while True:
        children = [c for c in folder.iterdir() if c.name not in ("__MACOSX", ".DS_Store")]
        if (
            len(children) == 1
            and children[0].is_dir()
            and not _MOODLE_FOLDER.match(children[0].name)
        ):
            folder = children[0]
            continue
        return folder


def _files(root: Path, recursive: bool) -> list[Path]:
    if recursive:
        return sorted(p for p in root.rglob("*") if p.is_file() and "__MACOSX" not in p.parts)
    return sorted(p for p in root.iterdir() if p.is_file())


def detect_platform(roots: Sequence[Path]) -> str:
    """``canvas``, ``moodle`` or ``plain`` from the names in the given folders.

    Raises
    ------
    IntakeError
        When the names are mixed (some follow a platform's rule and some notebooks do not, or both rules occur).
    """
    canvas = moodle = notebooks = 0
    canvas_nb = moodle_nb = 0
    for root in roots:
        for f in _files(root, recursive=True):
            rel = f.relative_to(root).as_posix()
            nb = f.suffix == ".ipynb"
            notebooks += nb
            if parse_moodle(rel) is not None:
                moodle += 1
                moodle_nb += nb
            elif "/" not in rel and parse_canvas(f.name) is not None:
                canvas += 1
                canvas_nb += nb
    if canvas and moodle:
        raise IntakeError(
            "the submissions mix Canvas and Moodle file names; say which platform they come from with "
            "--lms canvas, --lms moodle or --lms plain."
        )
    found = "canvas" if canvas else "moodle" if moodle else "plain"
    named = canvas_nb or moodle_nb
    if found != "plain" and named < notebooks:
        raise IntakeError(
            f"{named} of the {notebooks} notebooks are named like a {found.capitalize()} download and the others "
            f"are not; pass --lms {found} (the others are then listed as not graded) or --lms plain."
        )
    return found


# ---- choosing the file to grade -------------------------------------------------------------------------------


def _inspect(entry: FileEntry, set_id: str) -> None:
    """Read a notebook just enough to know whether it is readable and which set it is."""
    assert entry.path is not None
    try:
        if entry.size > MAX_FILE_BYTES:
            entry.problem = msg("lms.problem.too_big")
            return
        nb = read_submission(entry.path.read_bytes())
    except (OSError, ValueError) as exc:
        entry.problem = str(exc)
        return
    meta = nb.metadata.get("coursekit") if isinstance(nb.metadata, dict) else None
    found = meta.get("set") if isinstance(meta, dict) else None
    entry.set_id = found if isinstance(found, str) else ""


def _kind_reason(entry: FileEntry) -> str | None:
    """The reason a file is never graded, whatever else the student handed in (None for a notebook)."""
    upload = entry.parsed.upload if entry.parsed else Path(entry.file).name
    if entry.parsed is not None and entry.parsed.kind != "file":
        return "online_text"
    suffix = Path(upload).suffix.lower()
    if suffix == ".ipynb":
        return None
    if suffix in (".html", ".htm"):
        return "html_export"
    return "not_a_notebook"


def _choose(entries: list[FileEntry], set_id: str) -> None:
    """Mark one notebook of a student ``graded`` and every other file ``not_graded`` with its reason."""
    notebooks = []
    for e in entries:
        reason = _kind_reason(e)
        if reason is not None:
            e.action, e.reason = "not_graded", reason
        else:
            notebooks.append(e)
    if not notebooks:
        return
    for e in notebooks:
        _inspect(e, set_id)

    def rank(e: FileEntry) -> tuple[int, int, int, int, float, str]:
        readable = not e.problem
        same_set = e.set_id == set_id
        unknown_set = e.set_id == ""
        upload = e.parsed.upload if e.parsed else Path(e.file).name
        return (
            int(readable),
            2 if same_set else 1 if unknown_set else 0,
            e.parsed.order if e.parsed else 0,
            _attempt(upload)[1],
            e.mtime,
            e.file,
        )

    chosen = max(notebooks, key=rank)
    chosen.action = "graded"
    chosen_base = _attempt(chosen.parsed.upload if chosen.parsed else Path(chosen.file).name)[0]
    for e in notebooks:
        if e is chosen:
            continue
        e.action = "not_graded"
        base = _attempt(e.parsed.upload if e.parsed else Path(e.file).name)[0]
        if e.problem:
            e.reason = "unreadable"
        elif base == chosen_base:
            e.reason = "superseded"
        else:
            e.reason = "second_notebook"


def _details(entries: Iterable[FileEntry]) -> None:
    """Write each not-graded file's sentence (for the student's notes and intake.csv)."""
    graded = {e.sid: e for e in entries if e.action == "graded"}
    for e in entries:
        if e.action != "not_graded":
            continue
        shown = e.parsed.upload if e.parsed else Path(e.file).name
        other = graded.get(e.sid)
        kept = (other.parsed.upload if other.parsed else Path(other.file).name) if other else ""
        key = REASONS[e.reason]
        if e.reason == "unreadable" and not kept:
            key = "lms.reason.unreadable.alone"
        e.detail = msg(key, file=shown, graded=kept, why=e.problem or "?")


def _sid_for(platform: str, parsed: Parsed, roster: Roster | None) -> tuple[str, str]:
    """The submission id of a student's files, and their roster ``student_id`` ("" when not on the roster)."""
    row = roster.find(platform, parsed.platform_id) if roster else None
    if row is not None:
        return row["student_id"], row["student_id"]
    base = f"{parsed.name}_{parsed.platform_id}" if parsed.name else parsed.platform_id
    sid, _ = submission_id(base)
    return sid, ""


def gather(
    inputs: Sequence[Path],
    set_id: str,
    platform: str = "auto",
    roster: Path | None = None,
    work: Path | None = None,
) -> Intake:
    """Take in a Canvas or Moodle download (folders and zips): the notebook to grade per student, and the rest.

    Parameters
    ----------
    inputs : sequence of pathlib.Path
        Folders and ``.zip`` files of the download.
    set_id : str
        The set being graded (a notebook of this set is preferred over another of the same student).
    platform : {"auto", "canvas", "moodle", "plain"}
        ``auto`` detects Canvas or Moodle by the names (:func:`detect_platform`). For ``plain`` this returns an
        intake with ``platform == "plain"`` and no entries: the grader collects plain folders itself.
    roster : pathlib.Path, optional
        ``roster.csv`` (see the module docstring).
    work : pathlib.Path, optional
        Where zips are unpacked (the grader passes ``OUT/download``); required when an input is a zip.

    Raises
    ------
    IntakeError
        A missing input, an unreadable zip, mixed names with ``--lms auto``, or a bad roster.
    """
    if platform not in PLATFORMS:
        raise IntakeError(f"--lms must be one of {', '.join(PLATFORMS)}, got {platform!r}.")
    book = read_roster(roster) if roster is not None else None
    roots: list[tuple[Path, str]] = []  # (folder, how its files are shown)
    plain: list[Path] = []
    refused: list[FileEntry] = []
    for item in inputs:
        item = Path(item)
        if item.is_dir():
            roots.append((_single_folder(item), ""))
            plain.append(item)
        elif item.is_file() and item.suffix.lower() == ".zip":
            if work is None:
                raise IntakeError(f"{display_name(item)}: a zip needs a folder to unpack into.")
            folder, bad = _unpack(item, work)
            roots.append((folder, item.name))
            plain.append(folder)
            refused.extend(bad)
        elif item.is_file():
            roots.append((item, ""))
            plain.append(item)
        else:
            plain.append(item)  # the plain collection says it does not exist, as it always has
            roots.append((item, ""))
    if platform == "auto":
        folders = [r for r, _ in roots if r.is_dir()]
        platform = detect_platform(folders) if folders else "plain"
    intake = Intake(platform, work=work, inputs=plain)
    if platform == "plain":
        intake.entries.extend(refused)
        return intake
    entries: list[FileEntry] = []
    for root, _ in roots:
        if not root.exists():
            raise IntakeError(f"{display_name(root)}: no such file or folder.")
    for root, shown_root in roots:
        files = (
            [(root, root.name)]
            if root.is_file()
            else [(f, f.relative_to(root).as_posix()) for f in _files(root, True)]
        )
        for f, rel in files:
            parsed = (
                parse_canvas(Path(rel).name) if platform == "canvas" and "/" not in rel else None
            )
            if platform == "moodle":
                parsed = parse_moodle(rel)
            shown = f"{shown_root}/{rel}" if shown_root else rel
            try:
                st = f.stat()
                size, mtime = st.st_size, st.st_mtime
            except OSError:
                size, mtime = 0, 0.0
            entry = FileEntry(shown, f, platform, parsed, size, mtime)
            if parsed is None:
                entry.action, entry.reason = "not_graded", "unknown_name"
            entries.append(entry)
    by_student: dict[str, list[FileEntry]] = {}
    for e in entries:
        if e.parsed is not None:
            by_student.setdefault(e.parsed.platform_id, []).append(e)
    unknown_ids: list[str] = []
    for pid, mine in sorted(by_student.items()):
        first = mine[0].parsed
        assert first is not None
        sid, student_id = _sid_for(platform, first, book)
        if book is not None and not student_id:
            unknown_ids.append(f"{first.name or '?'} ({pid})")
        for e in mine:
            e.sid, e.student_id = sid, student_id
        _choose(mine, set_id)
    for e in refused:
        e.platform = platform
    entries.extend(refused)
    _details(entries)
    intake.entries = entries
    if book is not None:
        handed_in = {e.student_id for e in entries if e.student_id}
        intake.absent = [r for r in book.rows if r["student_id"] not in handed_in]
        if unknown_ids:
            intake.warnings.append(
                f"{len(unknown_ids)} student(s) of the download are not on the roster {book.path} and keep the "
                f"platform's id: {', '.join(unknown_ids[:5])}{' …' if len(unknown_ids) > 5 else ''}."
            )
    sids = [e.sid for e in entries if e.action == "graded"]
    if len(set(sids)) != len(
        sids
    ):  # two platform ids mapped to one roster id cannot happen (read_roster)
        raise IntakeError("two students of the download were given the same submission id.")
    return intake


def plain_extras(inputs: Sequence[Path], graded: dict[str, Path], source: Path) -> list[FileEntry]:
    """The files of plain folders that are not graded: other files, and the source notebook itself.

    A file whose stem is a graded submission's id (``alice.html`` next to ``alice.ipynb``) belongs to that
    submission; any other file is listed under its own stem.
    """
    graded_paths = {p.resolve() for p in graded.values()}
    out: list[FileEntry] = []
    for item in inputs:
        item = Path(item)
        if not item.is_dir():
            continue
        for f in _files(item, recursive=False):
            if f.resolve() in graded_paths:
                continue
            rel = display_name(f)
            if f.resolve() == Path(source).resolve():
                continue  # the instructor's own source notebook is skipped, as before: no student's file
            entry = FileEntry(rel, f, "plain", None, action="not_graded")
            entry.reason = (
                "html_export" if f.suffix.lower() in (".html", ".htm") else "not_a_notebook"
            )
            if (
                f.suffix == ".ipynb"
            ):  # a notebook the grader did not take (the same file passed twice)
                continue
            entry.sid = submission_id(f.stem)[0]
            entry.detail = msg(REASONS[entry.reason], file=rel, graded="", why="")
            out.append(entry)
    return out


def describe(intake: Intake) -> str:
    """One line for the run's output: the platform and what was done with the files."""
    counts: dict[str, int] = {}
    for e in intake.entries:
        if e.action == "not_graded":
            counts[e.reason] = counts.get(e.reason, 0) + 1
    graded = sum(1 for e in intake.entries if e.action == "graded")
    rest = ", ".join(f"{n} {r}" for r, n in sorted(counts.items()))
    return (
        f"intake ({intake.platform}): {graded} notebook(s) to grade"
        + (f"; not graded: {rest}" if rest else "")
        + (f"; {len(intake.absent)} roster student(s) handed in nothing" if intake.absent else "")
    )


# ---- plain folders, and the whole intake --------------------------------------------------------------


def collect_submissions(inputs: Sequence[Path], source: Path) -> list[tuple[str, Path]]:
    """Expand files and folders into ``(submission id, path)`` pairs, sorted by id.

    Folders contribute the ``.ipynb`` files directly inside them, hidden ones (a name beginning with ``.``)
    included, so nothing handed in is skipped silently; the source notebook itself is skipped. A file whose name
    cannot serve as an id gets a sanitised one (:func:`submission_id`); :func:`grade` records the mapping.

    Raises
    ------
    IntakeError
        If a path does not exist, a file is not an ``.ipynb``, nothing is found, or two files share an id.
    """
    found: dict[str, Path] = {}
    renamed: list[tuple[str, Path]] = []
    source_resolved = source.resolve()
    for item in inputs:
        item = Path(item)
        if item.is_dir():
            files = sorted(p for p in item.glob("*.ipynb") if p.is_file())
        elif item.is_file():
            if item.suffix != ".ipynb":
                raise IntakeError(
                    f"{display_name(item)}: not a notebook (.ipynb); pass notebooks or folders of them."
                )
            files = [item]
        else:
            raise IntakeError(f"{display_name(item)}: no such file or folder.")
        for f in files:
            if f.resolve() == source_resolved:
                continue
            sid, changed = submission_id(f.name)
            if (
                changed
            ):  # given its id after the others: a file's own name never loses to a cleaned one
                renamed.append((sid, f))
                continue
            if sid in found and found[sid].resolve() != f.resolve():
                raise IntakeError(
                    f"two submissions have the id {sid!r} ({display_name(found[sid])} and {display_name(f)}); "
                    "a submission's id is its file name, so rename one of them."
                )
            found[sid] = f
    for sid, f in renamed:
        if any(p.resolve() == f.resolve() for p in found.values()):
            continue
        if (
            sid in found
        ):  # a cleaned id that another file's name already is: a longer hash, never a refusal
            sid = f"{sid}-{hashlib.sha256(os.fsencode(f)).hexdigest()[:12]}"
        found[sid] = f
    if not found:
        raise IntakeError("no submissions found: pass .ipynb files or folders that contain them.")
    return sorted(found.items())


def collect(
    inputs: Sequence[Path],
    source: Path,
    set_id: str,
    platform: str = "auto",
    roster: Path | None = None,
    work: Path | None = None,
) -> Intake:
    """Take in the submissions: a platform's download (:func:`gather`) or plain files and folders.

    Zips are unpacked into ``work``. For plain folders the notebooks are collected by
    :func:`collect_submissions` and the folders' other files are listed as not graded.

    Raises
    ------
    IntakeError
        As :func:`collect_submissions` and :func:`gather`, and for a download with no notebook of a student.
    """
    intake = gather(inputs, set_id, platform, roster, work)
    if intake.platform != "plain":
        if not intake.submissions:
            raise IntakeError(nothing_to_grade(intake))
        return intake
    plain = list(intake.inputs or inputs)
    found = collect_submissions(plain, source)
    listed = {e.file for e in intake.entries}
    for sid, path in found:
        shown = os.fsencode(path).decode("utf-8", "backslashreplace")
        intake.entries.append(FileEntry(shown, path, "plain", None, sid=sid, action="graded"))
    for extra in plain_extras(plain, dict(found), source):
        if extra.file not in listed:
            intake.entries.append(extra)
    return intake


def stamp_warnings(
    intake: Intake, current: dict[str, Any], known: set[str], set_id: str
) -> list[str]:
    """Sentences for the run's output about submissions handed out with another release of the set.

    ``current`` is the source's release stamp and ``known`` the hashes of the releases given with ``--release``.
    """
    from coursekit.grading.reconcile import release_changes, submission_stamp

    older: dict[str, list[str]] = {}
    for sid, path in intake.submissions:
        try:
            nb = read_submission(Path(path).read_bytes())
        except (OSError, ValueError):
            continue
        stamp = submission_stamp(nb)
        if stamp is None or stamp.get("hash") == current.get("hash") or stamp.get("hash") in known:
            continue
        if stamp.get("set") != set_id:
            continue  # another set's notebook: graded wrong_set, not a question of releases
        changed, added = release_changes(stamp, current)
        if changed or added:
            older.setdefault(str(stamp.get("id", stamp["hash"])), []).append(sid)
    return [stamp_warning(release, set_id, sids) for release, sids in sorted(older.items())]


# ---- sentences for the instructor (the run's output and its refusals) ----------------------------------------


def nothing_to_grade(intake: Intake) -> str:
    """Why a platform's download gives nothing to grade."""
    return (
        f"no notebook to grade in the {intake.platform.capitalize()} download ({len(intake.entries)} file(s), "
        "none of them a student's notebook); check the folder, or pass --lms plain."
    )


def other_set_release(path: Path, found: str, expected: str) -> str:
    """Refusal of an instructor copy given with ``--release`` that is another set."""
    return f"--release {path}: that is the source of set {found}, not of {expected}."


def stamp_warning(release: str, set_id: str, sids: list[str]) -> str:
    """Warning about submissions handed out with an earlier release whose questions differ."""
    shown = ", ".join(sids[:3]) + (" …" if len(sids) > 3 else "")
    return (
        f"{len(sids)} submission(s) were handed out as release {release}, whose questions differ from {set_id} "
        f"as it is now ({shown}); they are graded against the current version, with a note saying so. To "
        f"grade them against their own release, pass its instructor copy: --release RELEASE/instructor/{set_id}.ipynb"
    )
