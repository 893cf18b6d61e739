"""``coursekit pages [--check]``: write the exercise pages of the book (Part III) from the sources."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = (
    "Write the student edition of every exercise set into chapters/exercises/ for the book "
    "(--check: only report pages that are out of date)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``coursekit pages``."""
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if a page in chapters/exercises/ differs from what the sources give",
    )
    parser.add_argument(
        "--src",
        type=Path,
        default=None,
        help="folder of exercise sources (default: exercises/ in the project)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder for the pages (default: chapters/exercises/ in the project)",
    )


def run(args: argparse.Namespace) -> int:
    """Write or check the pages; 0 when up to date / written, 1 when out of date or a source is invalid."""
    from coursekit.exercises.format import FormatError
    from coursekit.exercises.pages import default_dirs, stale_pages, write_pages

    src, out = default_dirs(args.src, args.out)
    try:
        if args.check:
            problems = stale_pages(src, out)
            for p in problems:
                print(p, file=sys.stderr)
            if problems:
                print("Run 'coursekit pages' to regenerate the exercise pages.", file=sys.stderr)
                return 1
            print(f"The exercise pages in {out} are up to date.")
            return 0
        written = write_pages(src, out)
    except FileNotFoundError as exc:
        print(f"coursekit pages: {exc}", file=sys.stderr)
        return 2
    except FormatError as exc:
        print(f"coursekit pages: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    return 0
