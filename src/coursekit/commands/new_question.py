"""``coursekit new-question SOURCE --after qN [--written]``: scaffold a question in an exercise source."""

from __future__ import annotations

import argparse
import sys

HELP = (
    "Insert a new question's cells (tags, metadata, id lines) after question qN of an exercise source, "
    "renumbering the later questions and their stored self-check data."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``coursekit new-question``."""
    parser.add_argument(
        "source", help="the exercise source notebook, e.g. exercises/02-threat-and-balancing.ipynb"
    )
    parser.add_argument(
        "--after",
        required=True,
        help="the question to insert after (q3), or 'start' for the first place",
    )
    parser.add_argument(
        "--written",
        action="store_true",
        help="a written question graded by hand (question and model-answer cells with a rubric)",
    )
    parser.add_argument(
        "--points", type=int, default=1, help="the new question's points (default 1)"
    )


def run(args: argparse.Namespace) -> int:
    """Scaffold the question; return 0, 1 when the source or the options are wrong, 2 when it is missing."""
    from coursekit.exercises.authoring import new_question
    from coursekit.exercises.format import FormatError

    try:
        done = new_question(args.source, args.after, written=args.written, points=args.points)
    except FileNotFoundError as exc:
        print(f"coursekit new-question: {exc}", file=sys.stderr)
        return 2
    except FormatError as exc:
        print(f"coursekit new-question: {exc}", file=sys.stderr)
        return 1
    print(f"{args.source}: new question {done.qid} in cells {done.cells[0]}–{done.cells[-1]}.")
    if done.renumbered:
        moves = ", ".join(f"{a}→{b}" for a, b in done.renumbered.items())
        print(
            f"Renumbered: {moves} (metadata, id lines, check/hint calls, headings, stored self-checks)."
        )
    for mention in done.mentions:
        print(f"Check by hand, it names a renumbered question: {mention}")
    print(
        "Next: replace every '[scaffold: replace]' (question, hints, "
        + ("model answer, rubric" if args.written else "reference answer, hidden tests")
        + f"), then run 'coursekit release {args.source} --refresh-checks' and 'coursekit pages'."
    )
    return 0
