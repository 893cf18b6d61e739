"""The course bibliography (``references.bib``) as the data rows cite it.

Entry keys (to check every row's sources), entries as a table (for the bibliography appendix), and short
author-year citations for notes shown to readers (never bibliography keys).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pandas as pd

from coursekit.data.package import _bib_path, _folder

_BIB_ENTRY = re.compile(r"^\s*@\s*([A-Za-z]+)\s*[{(]\s*([^,\s]+)\s*,", re.MULTILINE)


@functools.cache
def _bib_keys(path: Path) -> frozenset[str]:
    text = path.read_text(encoding="utf-8")
    return frozenset(
        m.group(2) for m in _BIB_ENTRY.finditer(text) if m.group(1).lower() != "comment"
    )


def bib_keys(path: str | Path | None = None) -> frozenset[str]:
    """Return the entry keys of a BibTeX file.

    Parameters
    ----------
    path : str or Path, optional
        The ``.bib`` file; default ``references.bib`` of the course.

    Returns
    -------
    frozenset of str
        Every key declared as ``@type{key,`` (``@comment`` excluded).
    """
    return _bib_keys(Path(path).resolve() if path is not None else _bib_path(_folder(None)))


_LATEX_ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
}


def _latex_to_text(value: str) -> str:
    """Turn the LaTeX of a BibTeX field into plain text (accents, dashes, quotes and braces)."""
    import unicodedata

    def accent(match: re.Match[str]) -> str:
        mark, letter = match.group(1), match.group(2)
        return unicodedata.normalize("NFC", letter + _LATEX_ACCENTS[mark])

    text = re.sub(r"\\([\'`^\"~vHc=.u])\s*\{?\s*([A-Za-z])\}?", accent, value)
    text = text.replace("\\&", "&").replace("---", "\u2014").replace("--", "\u2013")
    text = text.replace("``", "\u201c").replace("''", "\u201d")
    text = text.replace("`", "\u2018")
    text = text.replace("{", "").replace("}", "")
    return re.sub(r"\s+", " ", text).strip()


def _bib_fields(body: str) -> dict[str, str]:
    """Parse ``name = {value}`` / ``name = "value"`` / ``name = 123`` pairs, respecting nested braces."""
    fields: dict[str, str] = {}
    pos = 0
    pattern = re.compile(r"\s*,?\s*([A-Za-z_-]+)\s*=\s*")
    while True:
        match = pattern.match(body, pos)
        if not match:
            break
        name, pos = match.group(1).lower(), match.end()
        if pos < len(body) and body[pos] == "{":
            depth, start = 0, pos
            while pos < len(body):
                if body[pos] == "{":
                    depth += 1
                elif body[pos] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                pos += 1
            fields[name] = body[start + 1 : pos]
            pos += 1
        elif pos < len(body) and body[pos] == '"':
            end = body.find('"', pos + 1)
            fields[name] = body[pos + 1 : end]
            pos = end + 1
        else:
            bare = re.match(r"[^,\s}]+", body[pos:])
            fields[name] = bare.group(0) if bare else ""
            pos += len(fields[name])
    return fields


@functools.cache
def _bib_entries(path: Path) -> dict[str, dict[str, str]]:
    text = path.read_text(encoding="utf-8")
    starts = list(_BIB_ENTRY.finditer(text))
    entries: dict[str, dict[str, str]] = {}
    for i, match in enumerate(starts):
        if match.group(1).lower() == "comment":
            continue
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        fields = _bib_fields(text[match.end() : end])
        fields["type"] = match.group(1).lower()
        entries[match.group(2)] = fields
    return entries


def bibliography_entries(
    keys: list[str] | None = None, path: str | Path | None = None
) -> pd.DataFrame:
    """Readable references for bibliography keys, for tables that map a data row's sources to works.

    Parameters
    ----------
    keys : list of str, optional
        The keys to describe, in this order; default every entry of the file.
    path : str or Path, optional
        The ``.bib`` file; default ``references.bib`` of the course.

    Returns
    -------
    pandas.DataFrame
        ``key``, ``author``, ``year``, ``title``, ``published`` (journal, publisher, institution or
        ``howpublished``) and ``url``, as plain text (LaTeX accents and braces resolved).

    Raises
    ------
    KeyError
        If a requested key is not in the file.
    """
    bib = Path(path).resolve() if path is not None else _bib_path(_folder(None))
    entries = _bib_entries(bib)
    wanted = list(entries) if keys is None else list(keys)
    missing = [k for k in wanted if k not in entries]
    if missing:
        raise KeyError(f"not in {bib.name}: {', '.join(missing)}; add full entries for them.")
    rows = []
    for key in wanted:
        fields = entries[key]
        published = next(
            (
                fields[f]
                for f in ("journal", "booktitle", "publisher", "institution", "howpublished")
                if f in fields
            ),
            "",
        )
        rows.append(
            {
                "key": key,
                "author": _latex_to_text(fields.get("author", "")).replace(" and ", "; "),
                "year": _latex_to_text(fields.get("year", "")),
                "title": _latex_to_text(fields.get("title", "")),
                "published": _latex_to_text(published),
                "url": fields.get("url", "").strip(),
            }
        )
    return pd.DataFrame.from_records(
        rows, columns=["key", "author", "year", "title", "published", "url"]
    )


def split_keys(cell: object) -> list[str]:
    """Split a ``;``-separated cell (``sources``, ``actors``) into its stripped, non-empty parts.

    Examples
    --------
    >>> split_keys("walt1987origins; tass2020brdm")
    ['walt1987origins', 'tass2020brdm']
    """
    if cell is None or (isinstance(cell, float) and pd.isna(cell)):
        return []
    return [part.strip() for part in str(cell).split(";") if part.strip()]


def short_citations(keys: object, path: str | Path | None = None) -> str:
    """Readable author–year citations for bibliography keys, for notes shown to readers instead of raw keys.

    Parameters
    ----------
    keys : str or list of str
        A ``;``-separated cell (as in a ``sources`` column) or a list of keys.
    path : str or Path, optional
        The ``.bib`` file; default ``references.bib`` of the course.

    Returns
    -------
    str
        ``"Walt (1987); Hayrapetyan & Kučera (2022)"``: one or two surnames, or the first surname and "et al.",
        then the year; ``""`` when there are no keys.

    Raises
    ------
    KeyError
        If a key is not in the bibliography.
    """
    wanted = split_keys(";".join(keys)) if isinstance(keys, list | tuple) else split_keys(keys)
    if not wanted:
        return ""
    entries = bibliography_entries(wanted, path).set_index("key")
    out = []
    for key in wanted:
        surnames = [
            name.split(",")[0].strip() for name in str(entries.at[key, "author"]).split(";")
        ]
        who = " & ".join(surnames) if len(surnames) <= 2 else f"{surnames[0]} et al."
        out.append(f"{who} ({entries.at[key, 'year']!s})")
    return "; ".join(out)
