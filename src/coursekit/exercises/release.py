"""Release the exercises: run the reference solutions, store the self-check data, write the student edition.

Three jobs, each a function behind ``coursekit release``:

* :func:`run_reference` executes a source notebook with nbclient (one kernel) with every ``check()`` in
  *record* mode, so each check records the value the reference solution gives it; it also runs every hidden
  test against the reference answers (outside grading, to prove they pass).
* :func:`refresh_checks` writes what the run recorded back into the source: the encoded expected values in
  the setup cell's ``load_checks("...")`` line and the check cells' outputs (``✅ qN: correct``), which nbval
  compares. All other outputs and ``metadata.widgets`` are removed.
* :func:`release` writes, for every set, the student edition (``DIR/student/``) and a copy of the instructor
  edition (``DIR/instructor/``), after verifying that the stored expected values still match what the
  reference solutions compute.

Each student edition carries a *release stamp* (:func:`release_stamp`) in ``metadata.coursekit.release``: the
set id, the package version and a content hash of the questions as students see them (one short hash per
question and one for the whole set). The grader compares a submission's stamp with the source it grades
against: when the questions changed since the student's release it says so, and it grades against the
released version when given that release's instructor copy (``DIR/instructor/NN-slug.ipynb``, which the release
keeps next to ``DIR/release.json``, the stamps of the release).
"""

from __future__ import annotations

import ast
import copy
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from coursekit import __version__
from coursekit.exercises.checks import decode_payload, encode_payload
from coursekit.exercises.format import (
    NBVAL_CHECK_TAG,
    ExerciseSet,
    FormatError,
    load_source,
    make_student_edition,
    parse_source,
    payload_data,
    question_comment,
    read_payload,
    set_payload,
)
from coursekit.exercises.markup import plain_notebook
from coursekit.exercises.publish import build_wheel, publication, publish_notebook, write_bundle

__all__ = [
    "ReferenceRun",
    "ReleaseError",
    "ReleasedSet",
    "check_keys",
    "release_stamp",
    "student_notebook",
    "execute_notebook",
    "find_sources",
    "payload_data",
    "read_payload",
    "refresh_checks",
    "release",
    "run_reference",
    "set_payload",
]

_MARKER = "COURSEKIT-REFERENCE-RUN "
CELL_TIMEOUT = 120


class ReleaseError(RuntimeError):
    """Releasing a set failed: a reference solution errs, fails its hidden tests, or stored data is stale."""


@dataclass
class ReferenceRun:
    """What running a source notebook's reference solutions produced.

    Attributes
    ----------
    recorded : dict
        Check key (``"q1"``, ``"q2:b"``) → encoded value the reference gave ``check()``.
    check_outputs : dict
        Cell index → the outputs of that check cell.
    hidden_tests : dict
        Question id → list of hidden-test results (dicts with ``name``, ``points``, ``passed``, ``message``).
    """

    recorded: dict[str, Any]
    check_outputs: dict[int, list[Any]]
    hidden_tests: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def failing_hidden_tests(self) -> list[str]:
        """Describe every hidden test that fails on the reference solution."""
        return [
            f"{qid}: {r['name']} fails on the reference solution ({r['message']})"
            for qid, results in self.hidden_tests.items()
            for r in results
            if not r["passed"]
        ]


@dataclass
class ReleasedSet:
    """The files written for one set."""

    set_id: str
    student: Path
    instructor: Path
    bundle: Path | None = None


# --------------------------------------------------------------------------------------------------------
# The payload line of the setup cell


def check_keys(ex: ExerciseSet) -> list[str]:
    """The check keys (``"q1"``, ``"q2:b"``) that the set's check cells use, read from their code.

    Raises
    ------
    FormatError
        If a check cell calls ``check`` with a question id other than its own, or calls it not at all.
    """
    keys: list[str] = []
    cells = ex.notebook.cells
    for q in ex.questions:
        for i in q.check_cells:
            found = []
            for node in ast.walk(ast.parse(_src(cells[i]))):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", None) == "check"
                    and node.args
                ):
                    first = node.args[0]
                    qid = first.value if isinstance(first, ast.Constant) else None
                    part = next(
                        (
                            k.value.value
                            for k in node.keywords
                            if k.arg == "part"
                            and isinstance(k.value, ast.Constant)
                            and isinstance(k.value.value, str)
                        ),
                        None,
                    )
                    if qid != q.qid:
                        raise FormatError(
                            f"the check cell calls check({qid!r}, ...) but belongs to {q.qid}.",
                            path=str(ex.path) if ex.path else None,
                            cell=i,
                            question=q.qid,
                        )
                    found.append(f"{qid}:{part}" if part else qid)
            if not found:
                raise FormatError(
                    f'the check cell never calls check("{q.qid}", ...).',
                    path=str(ex.path) if ex.path else None,
                    cell=i,
                    question=q.qid,
                )
            keys.extend(found)
    return keys


def _src(cell: NotebookNode) -> str:
    return cell.source if isinstance(cell.source, str) else "".join(cell.source)


# --------------------------------------------------------------------------------------------------------
# The release stamp

#: Hex digits kept of each content hash in a release stamp.
STAMP_DIGITS = 12


def release_stamp(ex: ExerciseSet) -> dict[str, Any]:
    """The release stamp of a set: what identifies the questions students were given.

    Returns
    -------
    dict
        ``{"id": "01-alliance-concepts@0.4.0+3f2a...", "set": ..., "version": ..., "hash": ...,
        "questions": {"q1": "9b1c...", ...}}``. ``questions`` hashes, per question, its id, kind, points,
        answer name and the student edition's question, answer and check cells (not the hidden tests, hints or
        self-check data: changing those does not change what a student answered). ``hash`` hashes all of them,
        so two sources with the same questions have the same hash whatever the package version.
    """
    edition = make_student_edition(ex)
    cells: dict[str, list[str]] = {q.qid: [] for q in ex.questions}
    for cell in edition.cells:
        meta = cell.get("metadata", {}).get("coursekit") or {}
        qid = meta.get("question") if isinstance(meta, dict) else None
        if qid in cells:
            tags = [t for t in cell.get("metadata", {}).get("tags", []) if isinstance(t, str)]
            cells[qid].append(json.dumps([cell.cell_type, sorted(tags), _src(cell)]))
    per_question = {}
    for q in ex.questions:
        h = hashlib.sha256(json.dumps([q.qid, q.kind, q.points, q.answer_name]).encode())
        for text in cells[q.qid]:
            h.update(text.encode("utf-8", "replace"))
        per_question[q.qid] = h.hexdigest()[:STAMP_DIGITS]
    whole = hashlib.sha256(json.dumps([ex.set_id, per_question]).encode()).hexdigest()
    digest = whole[:STAMP_DIGITS]
    return {
        "id": f"{ex.set_id}@{__version__}+{digest}",
        "set": ex.set_id,
        "version": __version__,
        "hash": digest,
        "questions": per_question,
    }


def student_notebook(ex: ExerciseSet, pub: Any = None) -> NotebookNode:
    """The student edition exactly as released: set-up cell, absolute links, plain Markdown and the stamp.

    Parameters
    ----------
    ex : ExerciseSet
        The parsed source.
    pub : coursekit.exercises.publish.Publication, optional
        The course's addresses (default: :func:`coursekit.exercises.publish.publication`).
    """
    # students open this file outside the book: a set-up cell installs coursekit where it is missing,
    # links point at the published book, and MyST roles become plain Markdown
    edition = publish_notebook(
        make_student_edition(ex), __version__, pub or publication(), roles=True
    )
    edition = plain_notebook(edition)
    edition.metadata.setdefault("coursekit", {})["release"] = release_stamp(ex)
    return edition


# --------------------------------------------------------------------------------------------------------
# Running notebooks


def execute_notebook(
    nb: NotebookNode, cwd: Path, *, timeout: int = CELL_TIMEOUT, allow_errors: bool = False
) -> NotebookNode:
    """Execute a notebook with nbclient in one fresh ``python3`` kernel and return it with outputs.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook (modified in place and returned).
    cwd : pathlib.Path
        The kernel's working folder.
    timeout : int
        Seconds allowed per cell.
    allow_errors : bool
        Keep going after a cell raises (the error is left in that cell's outputs).

    Raises
    ------
    nbclient.exceptions.CellExecutionError
        If a cell raises and ``allow_errors`` is false.
    """
    from nbclient import NotebookClient

    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(cwd)}},
    )
    client.execute()
    return nb


def _report_cell(ex: ExerciseSet) -> NotebookNode:
    spec = [
        {"qid": q.qid, "kind": q.kind, "answer": q.answer_name, "tests": q.hidden_tests_source}
        for q in ex.questions
        if q.kind != "manual"
    ]
    code = (
        "import json as _json\n"
        "from coursekit.exercises import checks as _ck, verify as _vf\n"
        f"_spec = _json.loads({json.dumps(json.dumps(spec))})\n"
        f"print({_MARKER!r} + _json.dumps({{'recorded': _ck.recorded(), "
        "'hidden': _json.loads(_vf.hidden_test_report(globals(), _spec))}))"
    )
    return nbformat.v4.new_code_cell(code)


def run_reference(ex: ExerciseSet, *, timeout: int = CELL_TIMEOUT) -> ReferenceRun:
    """Run a source notebook's reference solutions with every ``check()`` in record mode.

    Parameters
    ----------
    ex : ExerciseSet
        The parsed source.
    timeout : int
        Seconds allowed per cell.

    Returns
    -------
    ReferenceRun

    Raises
    ------
    ReleaseError
        If a cell raises (the message names the cell and question) or a check prints anything but correct.
    """
    from nbclient.exceptions import CellExecutionError

    nb = copy.deepcopy(ex.notebook)
    setup = nb.cells[ex.setup_cell]
    setup.source = set_payload(_src(setup), "record=True")
    nb.cells.append(_report_cell(ex))
    cwd = ex.path.parent if ex.path else Path.cwd()
    try:
        execute_notebook(nb, cwd, timeout=timeout)
    except CellExecutionError as exc:
        failing = next(
            (i for i, c in enumerate(nb.cells) if c.cell_type == "code" and _has_error(c)),
            None,
        )
        owner = next(
            (
                q.qid
                for q in ex.questions
                if failing in [q.solution_cell, *q.check_cells, *q.hidden_tests_cells]
            ),
            None,
        )
        where = f"{ex.path or ex.set_id}, cell {failing}" + (f", question {owner}" if owner else "")
        raise ReleaseError(f"{where}: the reference notebook raised an error:\n{exc}") from exc
    last = nb.cells[-1]
    text = "".join(
        o.get("text", "") for o in last.get("outputs", []) if o.get("output_type") == "stream"
    )
    line = next((ln for ln in text.splitlines() if ln.startswith(_MARKER)), None)
    if line is None:
        raise ReleaseError(
            f"{ex.path or ex.set_id}: the reference run produced no report; output was {text!r}"
        )
    report = json.loads(line[len(_MARKER) :])
    outputs: dict[int, list[Any]] = {}
    for q in ex.questions:
        for i in q.check_cells:
            outs = nb.cells[i].get("outputs", [])
            printed = "".join(o.get("text", "") for o in outs if o.get("output_type") == "stream")
            bad = [
                ln
                for ln in printed.splitlines()
                if ln.strip() and "correct" not in ln.split(" — ")[0]
            ]
            if bad or "✅" not in printed or "❌" in printed:
                raise ReleaseError(
                    f"{ex.path or ex.set_id}, cell {i}, question {q.qid}: the check cell should print only "
                    f"'✅ {q.qid}: correct' on the reference solution, but printed {printed!r}."
                )
            outputs[i] = outs
    return ReferenceRun(
        recorded=report["recorded"], check_outputs=outputs, hidden_tests=report["hidden"]
    )


def _has_error(cell: NotebookNode) -> bool:
    return any(o.get("output_type") == "error" for o in cell.get("outputs", []))


# --------------------------------------------------------------------------------------------------------
# Writing the source back and releasing


def _clean_outputs(outs: list[Any]) -> list[Any]:
    clean = []
    for o in outs:
        if o.get("output_type") == "stream":
            clean.append(
                nbformat.v4.new_output(
                    "stream", name=o.get("name", "stdout"), text=o.get("text", "")
                )
            )
    return clean


def refresh_checks(path: str | Path, *, timeout: int = CELL_TIMEOUT) -> ReferenceRun:
    """Recompute a source's self-check data and check outputs from its reference solutions; rewrite the file.

    The source is executed once (:func:`run_reference`). Then the setup cell's ``load_checks`` line gets the
    new encoded data, each check cell gets its output (``✅ qN: correct``) and the ``nbval-check-output`` tag,
    solution and check cells get their ``# coursekit: qN`` first line, and every other output, execution count
    and ``metadata.widgets`` is removed.

    Parameters
    ----------
    path : str or pathlib.Path
        The source notebook.
    timeout : int
        Seconds allowed per cell.

    Returns
    -------
    ReferenceRun
        What the run recorded.

    Raises
    ------
    FormatError, ReleaseError
        If the source is malformed, a cell raises, or a hidden test fails on the reference solution.
    """
    path = Path(path)
    ex = load_source(path)
    keys = check_keys(ex)
    run = run_reference(ex, timeout=timeout)
    failing = run.failing_hidden_tests()
    if failing:
        raise ReleaseError(f"{path}: " + "; ".join(failing))
    missing = [k for k in keys if k not in run.recorded]
    if missing:
        raise ReleaseError(
            f"{path}: the checks {missing} recorded no value (is the answer still ...?)"
        )
    nb = copy.deepcopy(ex.notebook)
    payload = encode_payload(payload_data(ex, {k: run.recorded[k] for k in keys}))
    nb.cells[ex.setup_cell].source = set_payload(_src(nb.cells[ex.setup_cell]), json.dumps(payload))
    check_cells = {i for q in ex.questions for i in q.check_cells}
    answer_cells = {q.solution_cell: q.qid for q in ex.questions if q.kind != "manual"}
    for i, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        cell.execution_count = None
        cell.outputs = []
        q_of_check = next((q.qid for q in ex.questions if i in q.check_cells), None)
        qid = answer_cells.get(i) or q_of_check
        if qid and not _src(cell).lstrip().startswith(question_comment(qid)):
            cell.source = question_comment(qid) + "\n" + _src(cell)
        if i in check_cells:
            cell.outputs = _clean_outputs(run.check_outputs[i])
            # nbval compares only cells that were run: a stored output needs an execution count
            cell.execution_count = 1 + sum(c.cell_type == "code" for c in nb.cells[:i])
            tags = list(cell.metadata.get("tags", []))
            if NBVAL_CHECK_TAG not in tags:
                cell.metadata["tags"] = [*tags, NBVAL_CHECK_TAG]
    nb.metadata.pop("widgets", None)
    parse_source(nb, path=path)  # still valid
    nbformat.write(nb, path)
    return run


def stored_expected(ex: ExerciseSet) -> dict[str, Any] | None:
    """The expected values stored in a source's setup cell, or ``None`` when it has none."""
    payload = read_payload(_src(ex.notebook.cells[ex.setup_cell]))
    if payload is None:
        return None
    try:
        return decode_payload(payload).get("expected", {})
    except ValueError:
        return None


def find_sources(src: str | Path) -> list[Path]:
    """The exercise source notebooks named by ``src`` (a folder of ``NN-slug.ipynb`` files, or one file).

    Raises
    ------
    FileNotFoundError
        If ``src`` does not exist or the folder holds no source notebook.
    """
    src = Path(src)
    if src.is_file():
        return [src]
    if not src.is_dir():
        raise FileNotFoundError(f"{src}: no such file or folder")
    found = sorted(p for p in src.glob("*.ipynb") if re.match(r"\d\d-", p.name))
    if not found:
        raise FileNotFoundError(
            f"{src}: no exercise source notebooks (NN-slug.ipynb) in this folder"
        )
    return found


def verify_stored(ex: ExerciseSet, run: ReferenceRun | None) -> list[str]:
    """Problems with a source's stored self-check data (missing keys, or values the reference no longer gives)."""
    stored = stored_expected(ex)
    where = str(ex.path or ex.set_id)
    if stored is None:
        return [
            f"{where}: the setup cell has no self-check data; run 'coursekit release {where} --refresh-checks'"
        ]
    problems = []
    for key in check_keys(ex):
        if key not in stored:
            problems.append(f"{where}: no stored expected value for the check {key!r}")
        elif run is not None and run.recorded.get(key) != stored[key]:
            problems.append(
                f"{where}: the reference solution of {key} now gives a different value than the stored one "
                "(did the data or the solution change?)"
            )
    if problems:
        problems.append(
            f"check the solutions, then store the new values with 'coursekit release {where} --refresh-checks'"
        )
    return problems


def release(
    src: str | Path,
    out: str | Path,
    *,
    execute: bool = True,
    refresh: bool = False,
    timeout: int = CELL_TIMEOUT,
    bundles: bool = False,
) -> list[ReleasedSet]:
    """Write the student and instructor editions of every exercise set.

    Parameters
    ----------
    src : str or pathlib.Path
        A folder of source notebooks (``exercises/``) or one source notebook.
    out : str or pathlib.Path
        Output folder; gets ``student/NN-slug.ipynb`` (stamped, see :func:`release_stamp`),
        ``instructor/NN-slug.ipynb`` and ``release.json`` (set id → stamp, merged with an earlier one there).
    execute : bool
        Run each reference solution first (one kernel per set) and refuse to release a set whose hidden tests
        fail or whose stored expected values differ from what the solution computes now.
    refresh : bool
        Recompute and store the expected values in the sources first (see :func:`refresh_checks`).
    timeout : int
        Seconds allowed per cell.
    bundles : bool
        Also write ``zip/NN-slug.zip`` per set: the student notebook, a README for the student and the
        course package's wheel (built from this checkout), for classrooms without internet.

    Returns
    -------
    list of ReleasedSet

    Raises
    ------
    FileNotFoundError, FormatError, ReleaseError
        The message names the file, cell and question, and says how to fix it.
    """
    out = Path(out)
    sources = find_sources(src)
    sets: list[tuple[ExerciseSet, Path]] = []
    problems: list[str] = []
    for path in sources:
        run = refresh_checks(path, timeout=timeout) if refresh else None
        ex = load_source(path)
        if execute and run is None:
            run = run_reference(ex, timeout=timeout)
            problems.extend(f"{path}: {p}" for p in run.failing_hidden_tests())
        problems.extend(verify_stored(ex, run))
        sets.append((ex, path))
    if problems:
        raise ReleaseError("nothing was released:\n  " + "\n  ".join(problems))
    released = []
    pub = publication()
    (out / "student").mkdir(parents=True, exist_ok=True)
    (out / "instructor").mkdir(parents=True, exist_ok=True)
    stamps = {}
    for ex, path in sets:
        student = out / "student" / path.name
        instructor = out / "instructor" / path.name
        edition = student_notebook(ex, pub)
        nbformat.write(edition, student)
        # the instructor copy is what grading against this release later needs (coursekit grade --release)
        instructor.write_bytes(path.read_bytes())
        stamps[ex.set_id] = edition.metadata["coursekit"]["release"]
        released.append(ReleasedSet(ex.set_id, student, instructor))
    manifest = out / "release.json"
    try:
        known = json.loads(manifest.read_text(encoding="utf-8")) if manifest.is_file() else {}
    except ValueError:
        known = {}  # a damaged manifest is rewritten with this release's stamps
    known = known if isinstance(known, dict) else {}
    known.update(stamps)
    manifest.write_text(json.dumps(known, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    if bundles:
        from coursekit.paths import project_root

        wheel = build_wheel(project_root(), out / "wheel")
        for r, (ex, _) in zip(released, sets, strict=True):
            r.bundle = write_bundle(
                r.student, wheel, out / "zip", title=ex.title, version=__version__, pub=pub
            )
    return released
