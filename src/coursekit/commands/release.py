"""``coursekit release SRC --out DIR``: write the student and instructor editions of the exercise sets.

``coursekit release SRC --refresh-checks`` (no ``--out``) only stores the reference solutions' values as the
self-checks' expected values in the sources, and writes no edition.
"""

from __future__ import annotations

import argparse
import sys

HELP = "Write the student edition (no solutions, no hidden tests) and the instructor edition of exercise sets."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``coursekit release``."""
    parser.add_argument(
        "src", help="a folder of exercise source notebooks (e.g. exercises/) or one source notebook"
    )
    parser.add_argument(
        "--out",
        help=(
            "output folder; gets student/NN-slug.ipynb and instructor/NN-slug.ipynb (required unless "
            "--refresh-checks is given alone)"
        ),
    )
    parser.add_argument(
        "--refresh-checks",
        action="store_true",
        help=(
            "first run each reference solution and store its values as the self-checks' expected values "
            "(rewrites the source notebooks' setup cells and check outputs)"
        ),
    )
    parser.add_argument(
        "--no-execute",
        action="store_true",
        help=(
            "do not run the reference solutions; only check that every self-check has a stored value "
            "(faster, but does not notice solutions that stopped passing)"
        ),
    )
    parser.add_argument(
        "--timeout", type=int, default=120, help="seconds allowed per cell (default 120)"
    )
    parser.add_argument(
        "--zip",
        action="store_true",
        help=(
            "also write zip/NN-slug.zip per set: the student notebook, a README for the student and the "
            "course package's wheel, for classrooms without internet"
        ),
    )


def run(args: argparse.Namespace) -> int:
    """Release the sets; return 0 on success, 1 when a set is not ready, 2 when the input is missing."""
    from coursekit.exercises.format import FormatError
    from coursekit.exercises.publish import BundleError
    from coursekit.exercises.release import ReleaseError, find_sources, refresh_checks, release

    if args.out is None:
        if not args.refresh_checks:
            print(
                "coursekit release: give --out DIR (where the editions go), or --refresh-checks alone to "
                "only store the self-checks' expected values in the sources",
                file=sys.stderr,
            )
            return 2
        try:
            sources = find_sources(args.src)
            for path in sources:
                refresh_checks(path, timeout=args.timeout)
                print(f"{path}: self-check values stored")
        except FileNotFoundError as exc:
            print(f"coursekit release: {exc}", file=sys.stderr)
            return 2
        except (FormatError, ReleaseError) as exc:
            print(f"coursekit release: {exc}", file=sys.stderr)
            return 1
        print(f"Stored the self-check values of {len(sources)} set(s); now run 'coursekit pages'.")
        return 0
    try:
        released = release(
            args.src,
            args.out,
            execute=not args.no_execute,
            refresh=args.refresh_checks,
            timeout=args.timeout,
            bundles=args.zip,
        )
    except FileNotFoundError as exc:
        print(f"coursekit release: {exc}", file=sys.stderr)
        return 2
    except (FormatError, ReleaseError, BundleError) as exc:
        print(f"coursekit release: {exc}", file=sys.stderr)
        return 1
    for r in released:
        print(f"{r.set_id}: student edition {r.student}; instructor edition {r.instructor}")
        if r.bundle is not None:
            print(f"{r.set_id}: offline bundle {r.bundle}")
    print(f"Released {len(released)} exercise set(s) into {args.out}.")
    return 0
