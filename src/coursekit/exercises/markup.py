"""Plain Markdown for notebooks that leave the book.

Exercise sources are written in MyST Markdown: ``{cite:p}`key``` renders as a linked citation in the book, but a
student who opens the released notebook in JupyterLab, Notebook or Colab would see the raw role. The released
student and instructor editions therefore get their roles rewritten as ordinary Markdown:

* ``{cite:t}`walt1987origins``` → ``Walt (1987)``; ``{cite:p}`a,b``` → ``(Walt 1987; Morrow 1991)``;
* ``{term}`tactical alliance``` → ``*tactical alliance*`` (``{term}`text <target>``` → ``*text*``);
* ``{doc}`text <path>``` and ``{ref}`text <label>``` → ``text``; a bare ``{doc}`path``` → ``path``.

The book's own pages (``coursekit pages``) keep the roles, which Sphinx resolves.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from nbformat import NotebookNode

_ROLE = re.compile(r"\{(cite:t|cite:p|cite|term|doc|ref)\}`([^`]*)`")


def _surnames(author: str) -> str:
    """``"Hayrapetyan, Lilit; Kučera, Josef"`` → ``"Hayrapetyan and Kučera"`` (three or more: ``et al.``)."""
    people = [p.strip() for p in author.split(";") if p.strip()]
    names = [p.split(",")[0].strip() for p in people] or ["Anonymous"]
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return f"{names[0]} et al."


def citation_formatter(bib: str | Path | None = None) -> Callable[[str, list[str]], str]:
    """Return ``fmt(role, keys)`` that writes an author–year citation for bibliography keys.

    Parameters
    ----------
    bib : str or Path, optional
        The ``.bib`` file (default: the course's ``references.bib``).
    """
    from coursekit.data import bibliography_entries

    entries = bibliography_entries(path=bib).set_index("key")

    def fmt(role: str, keys: list[str]) -> str:
        parts = []
        for key in keys:
            if key in entries.index:
                row = entries.loc[key]
                who, year = _surnames(str(row["author"])), str(row["year"])
            else:  # an unknown key stays visible rather than vanishing
                who, year = key, ""
            parts.append((who, year))
        if role == "cite:t":
            return "; ".join(f"{who} ({year})" if year else who for who, year in parts)
        return "(" + "; ".join(f"{who} {year}".strip() for who, year in parts) + ")"

    return fmt


def plain_markdown(text: str, cite: Callable[[str, list[str]], str]) -> str:
    """Rewrite the MyST roles of one Markdown text as plain Markdown (see the module docstring)."""

    def replace(match: re.Match[str]) -> str:
        role, body = match.group(1), match.group(2)
        if role.startswith("cite"):
            keys = [k.strip() for k in body.split(",") if k.strip()]
            return cite("cite:t" if role == "cite:t" else "cite:p", keys)
        shown = re.sub(r"\s*<[^>]*>\s*$", "", body).strip() or body
        return f"*{shown}*" if role == "term" else shown

    return _ROLE.sub(replace, text)


def plain_notebook(nb: NotebookNode, bib: str | Path | None = None) -> NotebookNode:
    """Rewrite the MyST roles in every Markdown cell of a notebook (in place); return the notebook."""
    cite = citation_formatter(bib)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
            cell.source = plain_markdown(source, cite)
    return nb
