"""The ``coursekit`` command: a thin layer over the package's functions.

Each subcommand lives in ``coursekit/commands/<name>.py`` and exposes

* ``HELP``: a one-line description,
* ``add_arguments(parser)``: declares its options,
* ``run(args) -> int``: calls the tested library functions and returns the exit status.

Exit status: 0 when the command did its job; 1 when it ran and found problems (e.g. invalid data);
2 for bad arguments or when the command itself could not run.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from coursekit import __version__

# (command name, module) in the order shown by --help.
COMMANDS: list[tuple[str, str]] = [
    ("data", "coursekit.commands.data"),
    ("release", "coursekit.commands.release"),
    ("grade", "coursekit.commands.grade"),
    ("finalize", "coursekit.commands.finalize"),
    ("pages", "coursekit.commands.pages"),
    ("new-question", "coursekit.commands.new_question"),
]


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every available subcommand."""
    parser = argparse.ArgumentParser(
        prog="coursekit",
        description=(
            "Tools for the course 'Alliances of Convenience': validate the course data, release the "
            "student edition of the exercises, grade submissions, generate the exercise pages of the book."
        ),
    )
    parser.add_argument("--version", action="version", version=f"coursekit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in COMMANDS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:  # a real import error inside the module: surface it
                raise
            continue
        cmd = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(cmd)
        cmd.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``coursekit`` command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args))
    except KeyboardInterrupt:
        print("coursekit: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
