"""Intake: reading a submitted file as a notebook, and naming it safely.

A submission is hostile input. :func:`read_submission` turns its bytes into a notebook or raises ``ValueError``
with a sentence for the student (not UTF-8, not JSON, JSON nested too deeply, not nbformat 4); lone surrogates
that JSON can spell but UTF-8 cannot hold become U+FFFD. :func:`submission_id` gives each file an id that can
name output files (the grader records the ids it had to change).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

import nbformat

from coursekit.messages import msg

__all__ = ["MAX_ID_BYTES", "display_name", "read_submission", "shown_path", "submission_id"]


def _json_problem(exc: json.JSONDecodeError) -> str:
    """``"unterminated string starting at line 283, column 5"`` from a JSON error, readable as a phrase."""
    # (the problem itself is the json module's English phrase: Python does not translate it)
    problem = exc.msg[0].lower() + exc.msg[1:] if exc.msg else msg("intake.json.invalid")
    where = msg("intake.json.where", line=exc.lineno, column=exc.colno)
    return (
        f"{problem} {where}"
        if problem.endswith(" at")
        else msg("intake.json.at", problem=problem, where=where)
    )


def _without_lone_surrogates(data: Any) -> Any:
    """Replace lone surrogates (``"\\ud800"`` in the JSON) by U+FFFD in every string, keys included.

    JSON may spell them, but they cannot be encoded as UTF-8, so they would break the kernel messages and the
    output files. Works without recursion, whatever the nesting.
    """

    def fix(text: str) -> str:
        try:
            text.encode("utf-8")
            return text
        except UnicodeEncodeError:
            return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)

    if isinstance(data, str):
        return fix(data)
    root: list[Any] = [data]
    todo: list[Any] = [root]
    while todo:
        node = todo.pop()
        items = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
        for key, value in items:
            if isinstance(value, str):
                node[key] = fix(value)
            elif isinstance(value, dict | list):
                todo.append(value)
            if isinstance(node, dict) and isinstance(key, str) and fix(key) != key:
                node[fix(key)] = node.pop(key)
    return root[0]


def read_submission(raw: bytes) -> nbformat.NotebookNode:
    """Parse a submitted file as a Jupyter notebook of format 4.

    Raises
    ------
    ValueError
        With a sentence for the student saying why the file is not a usable notebook.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(msg("intake.not_text", byte=exc.start)) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(msg("intake.not_json", problem=_json_problem(exc))) from exc
    except RecursionError as exc:
        raise ValueError(msg("intake.too_deep")) from exc
    data = _without_lone_surrogates(data)
    if not isinstance(data, dict) or "nbformat" not in data:
        raise ValueError(msg("intake.no_nbformat"))
    major = data.get("nbformat")
    if major != 4:
        raise ValueError(msg("intake.old_format", version=repr(major)))
    if not isinstance(data.get("cells"), list):
        raise ValueError(msg("intake.no_cells"))
    nb = nbformat.from_dict(data)
    for i, cell in enumerate(nb.cells):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise ValueError(msg("intake.bad_cell", cell=i))
        src = cell.get("source", "")
        if isinstance(src, list):
            if not all(isinstance(s, str) for s in src):
                raise ValueError(msg("intake.bad_source", cell=i))
            cell["source"] = "".join(src)
        elif not isinstance(src, str):
            raise ValueError(msg("intake.bad_source", cell=i))
        if not isinstance(cell.get("metadata", {}), dict):
            cell["metadata"] = {}
        cell.setdefault("metadata", {})
    return nb


def shown_path(path: Path) -> str:
    """A path as text that can always be written (undecodable bytes of a file name as escapes)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


#: Longest submission id kept as it is (bytes of UTF-8): the feedback page and its temporary file must fit in a
#: file name of 255 bytes.
MAX_ID_BYTES = 120
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_.+=@-]+")


def submission_id(name: str) -> tuple[str, bool]:
    """The id of a submission file called ``name``, and whether it had to be changed.

    The id is the name without ``.ipynb``, unless that cannot name output files safely: text that is not
    UTF-8 (a name unpacked from a Latin-1 archive), control characters, path separators, a leading ``.``
    (a hidden file) or more than :data:`MAX_ID_BYTES` bytes. Then the id is a cleaned, shortened form plus
    eight characters of a hash of the original name, so two such names never collide.
    """
    stem = name[: -len(".ipynb")] if name.endswith(".ipynb") else name
    try:
        encoded = stem.encode("utf-8")
        readable = True
    except UnicodeEncodeError:
        encoded, readable = b"", False
    safe = (
        readable
        and 0 < len(encoded) <= MAX_ID_BYTES
        and not stem.startswith(".")
        and not any(unicodedata.category(c).startswith("C") for c in stem)
        and "/" not in stem
        and "\\" not in stem
    )
    if safe:
        return stem, False
    shown = "".join("_" if 0xD800 <= ord(c) <= 0xDFFF else c for c in stem)
    cleaned = _UNSAFE_ID.sub("_", shown).strip("._-")[:60] or "submission"
    digest = hashlib.sha256(os.fsencode(name)).hexdigest()[:8]
    return f"{cleaned}-{digest}", True


def display_name(path: Path) -> str:
    """A file name as text that can always be written: undecodable bytes as ``\\xe9`` escapes."""
    return os.fsencode(Path(path).name).decode("utf-8", "backslashreplace")
