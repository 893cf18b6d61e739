"""``coursekit data validate``: check the course data and name every problem by file, row and column."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from coursekit import data
from coursekit.paths import data_dir as default_data_dir

HELP = "Check the course data in data/ against datapackage.json and references.bib."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare ``coursekit data validate [--data-dir DIR]``."""
    actions = parser.add_subparsers(dest="data_action", metavar="ACTION")
    check = actions.add_parser(
        "validate",
        help="validate every data file; exit 0 when valid, 1 listing each problem, 2 if the folder is missing",
        description=(
            "Validate every CSV file of the data folder against its schema in datapackage.json and the course's "
            "own rules (source keys in references.bib, phases, tallies, dates). Each problem is printed on its "
            "own line as 'file, row N, column 'name': message', rows numbered as in a spreadsheet (header = 1)."
        ),
    )
    check.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="the data folder (default: data/ of the course, or $COURSEKIT_DATA)",
    )


def run(args: argparse.Namespace) -> int:
    """Run the data subcommand; return the exit status (0 valid, 1 problems, 2 cannot run)."""
    if getattr(args, "data_action", None) != "validate":
        print("coursekit data: choose an action, e.g. 'coursekit data validate'", file=sys.stderr)
        return 2
    try:
        folder = args.data_dir if args.data_dir is not None else default_data_dir()
    except FileNotFoundError as exc:
        print(f"coursekit data validate: {exc}", file=sys.stderr)
        return 2
    folder = Path(folder)
    if not folder.is_dir():
        print(
            f"coursekit data validate: data folder {folder} does not exist; "
            "pass --data-dir with the folder that holds the CSV files.",
            file=sys.stderr,
        )
        return 2
    problems = data.validate(folder)
    if problems:
        for problem in problems:
            print(problem)
        print(f"{len(problems)} problem(s) found in {folder}.", file=sys.stderr)
        return 1
    tables = data.load_all(folder)
    rows = sum(len(frame) for frame in tables.values())
    print(f"{folder}: valid ({len(tables)} tables, {rows} rows).")
    return 0
