"""Start an IPython kernel for one submission under OS resource limits.

The grader runs ``python -m coursekit.grading.launcher [limits] -- [kernel arguments]`` (directly, or inside
bubblewrap). This module sets the limits on its own process with :func:`resource.setrlimit`, copies the seed
files (e.g. matplotlib's font cache) into the working directory, then becomes the kernel in the same process,
so the limits apply to the student's code and to everything it starts.

It imports nothing heavy: the limits are in place before the kernel (and the student's code) loads.
"""

from __future__ import annotations

import argparse
import importlib
import os
import resource
import shutil
import signal
import sys
from collections.abc import Sequence

MB = 1024 * 1024

SKIPPED_OPTIONAL_IMPORTS = ("rfc3987_syntax", "debugpy")
"""Optional imports that grading kernels do without, because each costs time in every kernel start.

* ``rfc3987_syntax``: jsonschema (imported through nbformat by ``coursekit.exercises``) tries it to validate
  IRIs, and it builds a grammar for about a second at import time; without it jsonschema skips that format.
* ``debugpy``: ipykernel imports it (about 0.1 s) to offer the visual debugger; without it the kernel runs with
  the debugger off. Nobody debugs inside the grader.
"""


def build_parser() -> argparse.ArgumentParser:
    """The launcher's own options (everything after ``--`` goes to the kernel)."""
    parser = argparse.ArgumentParser(prog="python -m coursekit.grading.launcher")
    parser.add_argument(
        "--memory-mb", type=int, default=0, help="data-segment limit (RLIMIT_DATA), MB"
    )
    parser.add_argument(
        "--file-mb", type=int, default=0, help="largest file it may write (RLIMIT_FSIZE), MB"
    )
    parser.add_argument("--cpu-s", type=int, default=0, help="CPU-time limit (RLIMIT_CPU), seconds")
    parser.add_argument("--nofile", type=int, default=0, help="open-file limit (RLIMIT_NOFILE)")
    parser.add_argument(
        "--seed", default="", help="folder whose content is copied into the working folder"
    )
    parser.add_argument(
        "--parent-pid", type=int, default=0, help="die when this process (the grader) ends"
    )
    return parser


def die_with_parent(parent_pid: int) -> None:
    """Ask Linux to kill this process when its parent ends, so no kernel outlives a grader killed hard.

    Exits at once if the parent is already gone. Does nothing where ``prctl`` is not available.
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return
    if os.getppid() != parent_pid:
        os._exit(1)


def _limit(which: int, value: int) -> None:
    if value <= 0:
        return
    soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, value))


def apply_limits(memory_mb: int, file_mb: int, cpu_s: int, nofile: int) -> None:
    """Set the resource limits of the current process (a value of 0 leaves that limit unchanged).

    Parameters
    ----------
    memory_mb : int
        Limit on the data segment and private memory mappings (``RLIMIT_DATA``), in MB. An allocation past it
        raises ``MemoryError`` in the student's code instead of exhausting the machine.
    file_mb : int
        Largest file the process may write (``RLIMIT_FSIZE``), in MB; a bigger write fails with
        ``OSError: [Errno 27] File too large`` (Python ignores ``SIGXFSZ``).
    cpu_s : int
        CPU seconds before the kernel is killed (``RLIMIT_CPU``): a backstop behind the grader's clock.
    nofile : int
        Most files open at once (``RLIMIT_NOFILE``).
    """
    _limit(resource.RLIMIT_DATA, memory_mb * MB)
    _limit(resource.RLIMIT_FSIZE, file_mb * MB)
    _limit(resource.RLIMIT_CPU, cpu_s)
    _limit(resource.RLIMIT_NOFILE, nofile)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core dumps in the working folder


def main(argv: Sequence[str] | None = None) -> None:
    """Apply the limits, seed the working folder and run the kernel with the remaining arguments."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--" in argv:
        cut = argv.index("--")
        own, kernel_args = argv[:cut], argv[cut + 1 :]
    else:
        own, kernel_args = argv, []
    opts = build_parser().parse_args(own)
    if opts.parent_pid:
        die_with_parent(opts.parent_pid)
    if opts.seed and os.path.isdir(opts.seed):
        shutil.copytree(opts.seed, os.getcwd(), dirs_exist_ok=True)
    apply_limits(opts.memory_mb, opts.file_mb, opts.cpu_s, opts.nofile)
    for name in SKIPPED_OPTIONAL_IMPORTS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # "import name" now fails at once
    # Load the exporter before any student code runs, so it holds the genuine built-ins even if a
    # submission later replaces builtins.issubclass or json.dumps in its kernel.
    importlib.import_module("coursekit.grading.export")
    from ipykernel.kernelapp import IPKernelApp

    IPKernelApp.launch_instance(argv=kernel_args)


if __name__ == "__main__":
    main()
