"""Authoring without hand-editing JSON: scaffold a new question in an exercise source (``coursekit new-question``).

:func:`new_question` inserts the cells of a new question after an existing one, with the tags, metadata and
``# coursekit: qN`` lines the format needs, and renumbers every later question consistently: cell metadata,
marker lines, ``check("qN", ...)`` and ``hint("qN")`` calls, ``## Question N`` headings, and the keys of the
self-check data stored in the setup cell (so the other questions' checks keep working without a new reference
run). Prose that mentions a question by number ("as question 6 showed") cannot be renumbered safely; such
places are listed for the author.

The scaffold is meant to be filled in: its text says so, and its hidden test fails until the author writes it,
so ``coursekit release`` refuses a set whose new question was left as scaffolded.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from coursekit.exercises.checks import decode_payload, encode_payload
from coursekit.exercises.format import (
    FormatError,
    Question,
    hidden_tests_comment,
    manual_comment,
    parse_source,
    question_comment,
    read_payload,
    set_payload,
)

__all__ = ["NewQuestion", "SCAFFOLD_MARK", "new_question"]

#: Text every scaffolded cell carries until the author replaces it (the pedagogy lint rejects it).
SCAFFOLD_MARK = "[scaffold: replace]"

_QID_IN_CODE = re.compile(
    r"""(?P<pre>\#\s*coursekit:\s*q|<!--\s*coursekit:\s*q|\b(?:check|hint)\(\s*["']q)(?P<n>\d+)"""
)
_HEADING = re.compile(r"^(?P<pre>#{2,3}\s*Question\s+)(?P<n>\d+)\b", re.M)
_PROSE_MENTION = re.compile(r"\b[Qq]uestions?\s+(\d+)\b|\bq(\d+)\b")


@dataclass
class NewQuestion:
    """What :func:`new_question` did.

    Attributes
    ----------
    qid : str
        The new question's id.
    renumbered : dict
        Old id → new id of every later question.
    cells : list of int
        Indices of the inserted cells.
    mentions : list of str
        Places in prose that name a question by number (check them by hand).
    """

    qid: str
    renumbered: dict[str, str] = field(default_factory=dict)
    cells: list[int] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)


def _renumber_text(text: str, mapping: dict[int, int], *, headings: bool) -> str:
    def code(m: re.Match[str]) -> str:
        n = int(m.group("n"))
        return m.group("pre") + str(mapping.get(n, n))

    text = _QID_IN_CODE.sub(code, text)
    if headings:
        text = _HEADING.sub(code, text)
    return text


def _cells_of(q: Question) -> list[int]:
    cells = [q.question_cell, q.solution_cell, *q.check_cells, *q.hidden_tests_cells]
    return [i for i in cells if i is not None]


def _cell_id(set_id: str) -> str:
    return f"{set_id[:2]}-new-{uuid.uuid4().hex[:8]}"


def _scaffold(set_id: str, n: int, written: bool, points: int) -> list[NotebookNode]:
    qid = f"q{n}"
    unit = "point" if points == 1 else "points"
    question = nbformat.v4.new_markdown_cell(
        f"## Question {n} ({points} {unit}): {SCAFFOLD_MARK} a short title\n\n"
        f"{SCAFFOLD_MARK} Write the question here: what the student does, in what form the answer is given "
        + (
            "(150–250 words)."
            if written
            else "(the variable `answer_" + qid + "`), and an example."
        )
    )
    question.metadata["tags"] = ["question"]
    question.metadata["coursekit"] = {
        "question": qid,
        "hints": [
            f"{SCAFFOLD_MARK} A first hint that points to the right idea without the answer."
        ],
    }
    if written:
        manual = nbformat.v4.new_markdown_cell(
            f"{manual_comment(qid)}\n**Model answer.** {SCAFFOLD_MARK} Write the model answer here."
        )
        manual.metadata["tags"] = ["manual"]
        manual.metadata["coursekit"] = {
            "question": qid,
            "points": points,
            "rubric": f"{SCAFFOLD_MARK} Say what earns each of the {points} {unit}.",
        }
        cells = [question, manual]
    else:
        name = f"answer_{qid}"
        solution = nbformat.v4.new_code_cell(
            f"{question_comment(qid)}\n### BEGIN SOLUTION\n{name} = None  # {SCAFFOLD_MARK} the reference answer\n"
            "### END SOLUTION"
        )
        solution.metadata["tags"] = ["solution"]
        solution.metadata["coursekit"] = {"question": qid, "points": points, "answer": name}
        check = nbformat.v4.new_code_cell(f'{question_comment(qid)}\ncheck("{qid}", {name})')
        check.metadata["tags"] = ["check"]
        check.metadata["coursekit"] = {"question": qid}
        tests = nbformat.v4.new_code_cell(
            f"{hidden_tests_comment(qid)}\nfrom coursekit.grading.spec import points\n\n\n"
            f"@points({points})\ndef test_answer(answer):\n"
            f'    raise NotImplementedError("{SCAFFOLD_MARK} write the hidden tests of {qid}")\n'
        )
        tests.metadata["tags"] = ["hidden-tests"]
        tests.metadata["coursekit"] = {"question": qid}
        cells = [question, solution, check, tests]
    for cell in cells:
        cell.id = _cell_id(set_id)
    return cells


def new_question(
    path: str | Path, after: str, *, written: bool = False, points: int = 1
) -> NewQuestion:
    """Insert a scaffolded question after question ``after`` of a source notebook, renumbering later ones.

    Parameters
    ----------
    path : str or pathlib.Path
        The exercise source (``exercises/NN-slug.ipynb``); rewritten in place.
    after : str
        The question to insert after (``"q3"``), or ``"start"`` to insert before the first question.
    written : bool
        A written question (question and model-answer cells, graded by hand) instead of an auto-graded one.
    points : int
        The new question's points (a positive whole number).

    Returns
    -------
    NewQuestion

    Raises
    ------
    FormatError
        If the source is malformed, ``after`` names no question, or ``points`` is not positive; the message
        lists the set's questions.
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    ex = parse_source(nb, path=path)
    qids = [q.qid for q in ex.questions]
    if not isinstance(points, int) or points < 1:
        raise FormatError(
            f"--points must be a positive whole number; got {points!r}.", path=str(path)
        )
    if after == "start":
        k = 0
        at = min(min(_cells_of(q)) for q in ex.questions) if ex.questions else len(nb.cells)
    elif after in qids:
        k = int(after[1:])
        at = max(_cells_of(ex.question(after))) + 1
    else:
        raise FormatError(
            f"--after {after!r} names no question of this set; choose one of {', '.join(qids)} or 'start'.",
            path=str(path),
        )
    mapping = {int(q[1:]): int(q[1:]) + 1 for q in qids if int(q[1:]) > k}
    result = NewQuestion(qid=f"q{k + 1}", renumbered={f"q{a}": f"q{b}" for a, b in mapping.items()})

    for i, cell in enumerate(nb.cells):
        meta = cell.metadata.get("coursekit")
        if isinstance(meta, dict) and isinstance(meta.get("question"), str):
            n = int(meta["question"][1:])
            meta["question"] = f"q{mapping.get(n, n)}"
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "code" or "question" in tags or "manual" in tags:
            cell.source = _renumber_text(cell.source, mapping, headings="question" in tags)
        if cell.cell_type == "markdown" and "question" not in tags:
            for m in _PROSE_MENTION.finditer(cell.source):
                n = int(m.group(1) or m.group(2))
                if n in mapping:
                    result.mentions.append(f"cell {i}: {m.group(0)!r}")
        for text in (meta or {}).get("hints", []) if isinstance(meta, dict) else []:
            for m in _PROSE_MENTION.finditer(text):
                if int(m.group(1) or m.group(2)) in mapping:
                    result.mentions.append(f"cell {i} (hint): {m.group(0)!r}")
        if isinstance(meta, dict) and isinstance(meta.get("rubric"), str):
            for m in _PROSE_MENTION.finditer(meta["rubric"]):
                if int(m.group(1) or m.group(2)) in mapping:
                    result.mentions.append(f"cell {i} (rubric): {m.group(0)!r}")

    setup = nb.cells[ex.setup_cell]
    payload = read_payload(setup.source)
    if payload is not None:
        data = decode_payload(payload)

        def key(k_: str) -> str:
            qid, sep, rest = k_.partition(":")
            n = int(qid[1:]) if re.fullmatch(r"q\d+", qid) else None
            return f"q{mapping.get(n, n)}{sep}{rest}" if n is not None else k_

        data["expected"] = {key(k_): v for k_, v in data.get("expected", {}).items()}
        data["questions"] = {key(k_): v for k_, v in data.get("questions", {}).items()}
        setup.source = set_payload(setup.source, json.dumps(encode_payload(data)))

    cells = _scaffold(ex.set_id, k + 1, written, points)
    nb.cells[at:at] = cells
    result.cells = list(range(at, at + len(cells)))
    parse_source(nb, path=path)  # the result must still be a valid source
    nbformat.write(nb, path)
    return result
