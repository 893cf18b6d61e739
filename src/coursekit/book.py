"""Helpers for the book's pages: the reading-time line at the top of each chapter.

The reading time is computed from the chapter's own text, so it is never typed by hand and never goes stale.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

WORDS_PER_MINUTE = 200
"""Reading speed for study texts (words per minute), a common estimate for careful reading."""

MINUTES_PER_FIGURE = 1
"""Time allowed for reading each figure or widget."""

_FENCE = re.compile(r"^(```|~~~|:::)")


def toc_entries(toc_path: str | Path | None = None) -> list[str]:
    """Every ``file`` entry of the book's ``_toc.yml`` (root first), without suffix, in reading order.

    Parameters
    ----------
    toc_path : str or Path, optional
        The table of contents (default: ``_toc.yml`` in the project root).
    """
    import yaml

    if toc_path is None:
        from coursekit.paths import project_root

        toc_path = project_root() / "_toc.yml"
    toc = yaml.safe_load(Path(toc_path).read_text(encoding="utf-8")) or {}
    files = [toc["root"]] if "root" in toc else []

    def walk(entries: list[dict[str, Any]] | None) -> None:
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []) or []:
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return files


def source_of(entry: str, root: str | Path) -> Path | None:
    """The source file of a toc entry (``.md`` or ``.ipynb``) under ``root``, or ``None`` when neither exists."""
    for suffix in (".md", ".ipynb"):
        candidate = Path(root) / f"{entry}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def prose_words(text: str) -> int:
    """Count the words of prose in a MyST Markdown text.

    Front matter, code cells, directive option lines, HTML comments and MyST roles' markup are not counted;
    the text inside admonitions and dropdowns is.

    Parameters
    ----------
    text : str
        The chapter's MyST Markdown source.

    Returns
    -------
    int
        Number of words a reader reads.
    """
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)  # front matter
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r"```\{code-cell\}.*?```", "", text, flags=re.S)  # code cells
    words = 0
    for line in text.splitlines():
        stripped = line.strip()
        if _FENCE.match(stripped) or re.match(r"^:[\w-]+:", stripped):
            continue  # fence lines and directive options
        stripped = re.sub(
            r"\{[\w:-]+\}`([^`<]*)(?:<[^>]*>)?`", r"\1", stripped
        )  # {cite:p}`key` etc.
        words += len(re.findall(r"[\w’'-]+", stripped))
    return words


def count_figures(text: str) -> int:
    """Count figures and widgets in a chapter (cells with a ``figure`` caption, plus ``{figure}`` directives)."""
    return len(re.findall(r"^\s*figure:\s*$", text, flags=re.M)) + len(
        re.findall(r"^\s*(```|:::)\{figure\}", text, flags=re.M)
    )


def _resolve(path: str | Path) -> Path:
    """Find a chapter file: as given (relative to the working directory), else under ``chapters/``."""
    candidate = Path(path)
    if candidate.exists():
        return candidate
    from coursekit.paths import project_root

    fallback = project_root() / "chapters" / candidate
    if fallback.exists():
        return fallback
    raise FileNotFoundError(f"chapter file {str(path)!r} not found here or in the chapters/ folder")


def reading_time(path: str | Path) -> int:
    """Estimated reading time of a chapter in whole minutes (at least 1).

    Parameters
    ----------
    path : str or Path
        The chapter's ``.md`` file.

    Returns
    -------
    int
        ``ceil(words / WORDS_PER_MINUTE + figures * MINUTES_PER_FIGURE)``.
    """
    text = _resolve(path).read_text(encoding="utf-8")
    minutes = prose_words(text) / WORDS_PER_MINUTE + count_figures(text) * MINUTES_PER_FIGURE
    return max(1, math.ceil(minutes))


def chapter_header(path: str | Path) -> None:
    """Display the reading-time line at the top of a chapter (used by a ``remove-input`` cell)."""
    from IPython.display import Markdown, display

    minutes = reading_time(path)
    display(Markdown(f"*Reading time: about {minutes} minutes.*"))
