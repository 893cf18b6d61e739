"""Build the instructor edition of the book: the same book, with the exercise solutions shown.

``python -m coursekit.bookbuild instructor --out _build/instructor`` (``make book-instructor``):

1. copies the book's sources (not ``.git``, ``.venv`` or build output) into a temporary folder;
2. replaces each student page in ``chapters/exercises/`` by its instructor page
   (:func:`coursekit.exercises.pages.instructor_page`: reference solutions, folded hidden tests, model answers
   and rubrics), and adds the instructor guide (``chapters/appendix-instructor-guide.md``) to the appendices
   of the table of contents (the public book does not list it);
3. builds that copy with Jupyter Book strictly (``-n -W --keep-going``), reusing the execution cache of the
   main build when there is one, and copies the HTML to ``OUT``.

The instructor HTML contains the solutions: publish it only where students cannot reach it.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import nbformat

__all__ = ["build_instructor", "main", "prepare_instructor_tree"]

_SKIP = {
    ".git",
    ".venv",
    "_build",
    ".pytest_cache",
    ".ruff_cache",
    ".jupyter_cache",
    "node_modules",
    "test-artifacts",
    "__pycache__",
    ".ipynb_checkpoints",
}


def prepare_instructor_tree(root: Path, dest: Path) -> list[Path]:
    """Copy the book sources in ``root`` to ``dest`` and put the instructor pages in its exercise folder.

    Parameters
    ----------
    root : pathlib.Path
        The course repository.
    dest : pathlib.Path
        An empty or missing folder.

    Returns
    -------
    list of pathlib.Path
        The instructor pages written (``dest/chapters/exercises/NN-slug.ipynb``).

    Raises
    ------
    FileNotFoundError, coursekit.exercises.FormatError
        If there are no exercise sources or one is malformed.
    """
    from coursekit.exercises.format import load_source
    from coursekit.exercises.pages import instructor_page
    from coursekit.exercises.release import find_sources

    shutil.copytree(root, dest, ignore=shutil.ignore_patterns(*_SKIP), dirs_exist_ok=True)
    pages_dir = dest / "chapters" / "exercises"
    pages_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for source in find_sources(root / "exercises"):
        page = pages_dir / source.name
        nbformat.write(instructor_page(load_source(source)), page)
        written.append(page)
    add_instructor_guide(dest / "_toc.yml")
    return written


#: The appendix that only the instructor edition lists.
INSTRUCTOR_GUIDE = "chapters/appendix-instructor-guide"


def add_instructor_guide(toc_path: Path) -> None:
    """List the instructor guide in a table of contents' last part (the appendices), after the data appendix.

    Raises
    ------
    ValueError
        If the table of contents has no parts (the course's ``_toc.yml`` always has).
    """
    import yaml

    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    parts = toc.get("parts") or []
    if not parts:
        raise ValueError(f"{toc_path}: no parts, so no appendices to add the instructor guide to")
    chapters = parts[-1].setdefault("chapters", [])
    if any(c.get("file") == INSTRUCTOR_GUIDE for p in parts for c in p.get("chapters", [])):
        return
    files = [c.get("file") for c in chapters]
    at = (
        files.index("chapters/appendix-data") + 1
        if "chapters/appendix-data" in files
        else len(chapters)
    )
    chapters.insert(at, {"file": INSTRUCTOR_GUIDE})
    toc_path.write_text(yaml.safe_dump(toc, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _jupyter_book() -> str:
    exe = Path(sys.executable).parent / "jupyter-book"
    return str(exe) if exe.exists() else (shutil.which("jupyter-book") or "jupyter-book")


def build_instructor(root: Path, out: Path, *, strict: bool = True) -> int:
    """Build the instructor edition of the book in ``root`` into ``out``; return Jupyter Book's exit status.

    Parameters
    ----------
    root : pathlib.Path
        The course repository.
    out : pathlib.Path
        Where the HTML goes (``out/index.html``); replaced if it exists.
    strict : bool
        Build with ``-n -W --keep-going`` like ``make book``.
    """
    with tempfile.TemporaryDirectory(prefix="coursekit-instructor-") as tmp:
        tree = Path(tmp) / "book"
        prepare_instructor_tree(root, tree)
        cache = root / "_build" / ".jupyter_cache"
        if cache.is_dir():
            shutil.copytree(cache, tree / "_build" / ".jupyter_cache")
        cmd = [_jupyter_book(), "build", str(tree)]
        if strict:
            cmd += ["-n", "-W", "--keep-going"]
        status = subprocess.run(cmd, check=False).returncode
        html = tree / "_build" / "html"
        if status == 0 and html.is_dir():
            if out.exists():
                shutil.rmtree(out)
            shutil.copytree(html, out)
            print(f"Instructor edition built: open {out / 'index.html'} (it shows the solutions).")
        else:
            print(
                f"coursekit.bookbuild: the instructor build failed (exit {status}).",
                file=sys.stderr,
            )
        return status


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m coursekit.bookbuild instructor --out DIR``."""
    parser = argparse.ArgumentParser(
        prog="python -m coursekit.bookbuild", description="Build editions of the course book."
    )
    sub = parser.add_subparsers(dest="edition", required=True, metavar="EDITION")
    inst = sub.add_parser("instructor", help="the book with exercise solutions shown")
    inst.add_argument(
        "--out", type=Path, default=Path("_build/instructor"), help="HTML output folder"
    )
    inst.add_argument("--no-strict", action="store_true", help="do not turn warnings into errors")
    args = parser.parse_args(argv)
    from coursekit.paths import project_root

    return build_instructor(project_root(), args.out.resolve(), strict=not args.no_strict)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
