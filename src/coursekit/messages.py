"""Every message a student reads from the self-checks and the grader, in one catalogue per language.

Code never writes a student-facing sentence itself: it asks for one by key, ``msg("check.correct", qid="q1")``.
The sentences live in gettext catalogues beside this module, ``locale/<lang>.po``: each entry's ``msgctxt`` is
the key, its ``msgid`` the English text and its ``msgstr`` the translation (empty in ``en.po``). Fields are
written ``{name}`` (Python's format syntax) and must be kept as they are by translators.

To add a language (say French, the CAR's official language): copy ``locale/en.po`` to ``locale/fr.po``, fill
in every ``msgstr`` (Poedit and other gettext editors open the file as it is), and run the tests, which check
that every translation keeps its fields. Students then choose it with ``COURSEKIT_LANG=fr`` or
:func:`set_language`; an entry left untranslated falls back to English.
"""

from __future__ import annotations

import ast
import os
import re
from functools import cache
from pathlib import Path

__all__ = [
    "MessageError",
    "catalogue",
    "fields_of",
    "language",
    "languages",
    "msg",
    "read_po",
    "set_language",
]

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT = "en"
_ENV = "COURSEKIT_LANG"
_language: str | None = None
_FIELD = re.compile(r"(?<!\{)\{([a-zA-Z_][a-zA-Z0-9_]*)[^{}]*\}(?!\})")


class MessageError(KeyError):
    """A message key is not in the catalogue, or a field it needs was not given."""


def _read_string(token: str, path: Path, number: int, raw: str) -> str:
    """One quoted gettext string (C escapes, which Python's string syntax shares)."""
    try:
        value = ast.literal_eval(token)
    except (ValueError, SyntaxError):
        value = None
    if not isinstance(value, str):
        raise ValueError(f"{path}, line {number}: cannot read {raw!r}")
    return value


def read_po(path: Path) -> dict[str, tuple[str, str]]:
    """Read a gettext catalogue into ``{key (msgctxt): (msgid, msgstr)}``.

    Entries without a ``msgctxt`` (the header, whose ``msgid`` is empty) are skipped; ``#`` comments are
    ignored; a string may continue on the following lines (``"..."``).

    Raises
    ------
    ValueError
        If the file is not a readable catalogue (a line that is not a comment, a keyword with a quoted
        string or a continued string; a key twice; an entry without ``msgid``); the message names the line.
    """
    entries: dict[str, tuple[str, str]] = {}
    current: dict[str, str] = {}
    field_name: str | None = None
    start = 0  # the line where the current entry began

    def flush() -> None:
        if "msgctxt" in current:
            key = current["msgctxt"]
            if key in entries:
                raise ValueError(f"{path}, line {start}: the key {key!r} appears twice")
            if "msgid" not in current:
                raise ValueError(f"{path}, line {start}: the entry {key!r} has no msgid")
            entries[key] = (current["msgid"], current.get("msgstr", ""))
        current.clear()

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            flush()
            field_name = None
            continue
        if line.startswith("#"):
            continue
        match = re.match(r"^(msgctxt|msgid|msgstr)\s+(\".*\")$", line)
        if match:
            field_name = match.group(1)
            if field_name == "msgctxt" and current:
                flush()
            if not current:
                start = number
            current[field_name] = _read_string(match.group(2), path, number, raw)
        elif line.startswith('"') and field_name:
            current[field_name] += _read_string(line, path, number, raw)
        else:
            raise ValueError(f"{path}, line {number}: cannot read {raw!r}")
    flush()
    return entries


@cache
def catalogue(lang: str = DEFAULT) -> dict[str, str]:
    """The messages of a language, ``{key: text}``: its translation, or English where it has none.

    Raises
    ------
    FileNotFoundError
        If the language has no catalogue.
    ValueError
        If the file is not a readable gettext catalogue; the message names the line.
    """
    entries = {
        key: text or english for key, (english, text) in read_po(LOCALE_DIR / f"{lang}.po").items()
    }
    if lang != DEFAULT:
        entries = {key: entries.get(key) or text for key, text in catalogue(DEFAULT).items()}
    return entries


def languages() -> list[str]:
    """The languages that have a catalogue."""
    return sorted(p.stem for p in LOCALE_DIR.glob("*.po"))


def set_language(lang: str | None) -> None:
    """Choose the language of the messages (``None``: ``$COURSEKIT_LANG``, else English).

    Raises
    ------
    ValueError
        If the language has no catalogue; the message lists those that do.
    """
    global _language
    if lang is not None and lang not in languages():
        raise ValueError(f"no messages in {lang!r}; available: {', '.join(languages())}")
    _language = lang


def language() -> str:
    """The language messages are given in now (a code such as ``"en"``, e.g. for an HTML ``lang``)."""
    lang = _language or os.environ.get(_ENV) or DEFAULT
    return lang if (LOCALE_DIR / f"{lang}.po").is_file() else DEFAULT


def fields_of(text: str) -> set[str]:
    """The ``{field}`` names a message text uses."""
    return set(_FIELD.findall(text))


def msg(key: str, /, **fields: object) -> str:
    """The message ``key`` in the current language, with its fields filled in.

    Raises
    ------
    MessageError
        If the key is not in the catalogue or a field is missing (a programming error: tests catch it).
    """
    try:
        text = catalogue(language())[key]
    except KeyError:
        raise MessageError(
            f"no message {key!r} in the catalogue (coursekit/locale/en.po)"
        ) from None
    try:
        return text.format(**fields)
    except (KeyError, IndexError) as exc:
        raise MessageError(f"message {key!r} needs the field {exc}") from None
