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
from typing import Any

MB = 1024 * 1024

SKIPPED_OPTIONAL_IMPORTS = ("rfc3987_syntax", "debugpy")
"""Optional imports that grading kernels do without, because each costs time in every kernel start.

* ``rfc3987_syntax``: jsonschema (imported through nbformat by ``coursekit.exercises``) tries it to validate
  IRIs, and it builds a grammar for about a second at import time; without it jsonschema skips that format.
* ``debugpy``: ipykernel imports it (about 0.1 s) to offer the visual debugger; without it the kernel runs with
  the debugger off. Nobody debugs inside the grader.
"""


#: Milliseconds between a kernel's attempts to connect a socket to the grader's (zmq's ``RECONNECT_IVL``). zmq's
#: default of 100 ms made every kernel start wait 30-65 ms for its second attempt; 5 ms keeps that wait short
#: and costs nothing once connected. The sockets nobody binds (input, heartbeat) retry at zmq's growing
#: back-off (up to ``RECONNECT_IVL_MAX_MS``), so they cost no CPU either.
RECONNECT_IVL_MS = 5
RECONNECT_IVL_MAX_MS = 1000


def _quick_reconnect(sock: Any, interval_ms: int = RECONNECT_IVL_MS) -> None:
    """Retry a refused connection after ``interval_ms``, backing off to one second."""
    import zmq

    sock.setsockopt(zmq.RECONNECT_IVL, interval_ms)
    sock.setsockopt(zmq.RECONNECT_IVL_MAX, max(interval_ms, RECONNECT_IVL_MAX_MS))


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
        "--address-mb", type=int, default=0, help="address-space limit (RLIMIT_AS), MB"
    )
    parser.add_argument("--nproc", type=int, default=0, help="process limit (RLIMIT_NPROC)")
    parser.add_argument(
        "--connect",
        action="store_true",
        help="connect to the grader's sockets instead of binding them (no write access needed)",
    )
    parser.add_argument(
        "--reconnect-ms",
        type=int,
        default=RECONNECT_IVL_MS,
        help="milliseconds between attempts to connect to the grader's sockets (zmq RECONNECT_IVL)",
    )
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


def tasks_of_user(uid: int) -> int:
    """How many tasks (processes and threads) of user ``uid`` are visible in ``/proc`` now."""
    count = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid == uid:
                count += len(os.listdir(f"/proc/{entry.name}/task"))
        except OSError:
            continue
    return count


def apply_limits(
    memory_mb: int, file_mb: int, cpu_s: int, nofile: int, address_mb: int = 0, nproc: int = 0
) -> None:
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
    address_mb : int
        Address space (``RLIMIT_AS``), in MB: unlike the data limit it also counts shared memory maps
        (``mmap.mmap(-1, n)``).
    nproc : int
        Most further processes and threads (``RLIMIT_NPROC``, set to the user's current count plus ``nproc``,
        since Linux counts every task of the user); not enforced for root, where the grader uses a cgroup.
    """
    _limit(resource.RLIMIT_DATA, memory_mb * MB)
    _limit(resource.RLIMIT_FSIZE, file_mb * MB)
    _limit(resource.RLIMIT_CPU, cpu_s)
    _limit(resource.RLIMIT_NOFILE, nofile)
    _limit(resource.RLIMIT_AS, address_mb * MB)
    if nproc > 0:
        # RLIMIT_NPROC counts every task of the user, not only this kernel's: allow what already runs
        _limit(resource.RLIMIT_NPROC, tasks_of_user(os.getuid()) + nproc)
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
    apply_limits(opts.memory_mb, opts.file_mb, opts.cpu_s, opts.nofile, opts.address_mb, opts.nproc)
    for name in SKIPPED_OPTIONAL_IMPORTS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # "import name" now fails at once
    # Load the exporter before any student code runs, so it holds the genuine built-ins even if a
    # submission later replaces builtins.issubclass or json.dumps in its kernel.
    importlib.import_module("coursekit.grading.export")
    from ipykernel.kernelapp import IPKernelApp

    if opts.connect:
        connect_instead_of_bind(IPKernelApp, opts.reconnect_ms)
    IPKernelApp.launch_instance(argv=kernel_args)


class _WithoutEndpoint:
    """A socket seen through a proxy that reports no last endpoint."""

    def __init__(self, sock: Any) -> None:
        self._sock = sock

    def getsockopt(self, option: int) -> Any:
        import zmq

        return b"" if option == zmq.LAST_ENDPOINT else self._sock.getsockopt(option)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def connect_instead_of_bind(app_class: type, reconnect_ms: int = RECONNECT_IVL_MS) -> None:
    """Make the kernel connect its sockets to the grader's (which binds them) instead of binding its own.

    Binding an IPC socket creates a file; connecting does not. So the kernel needs no write access to the socket
    folder, which the bubblewrap sandbox mounts read-only. The sockets nobody binds (output, input, heartbeat)
    just stay unconnected: the grader never listens to them. The connection file is never rewritten.
    """
    from ipykernel.heartbeat import Heartbeat

    def connect(self: Any, s: Any, port: int) -> int:
        _quick_reconnect(s, reconnect_ms)
        s.connect(f"{self.transport}://{self.ip}-{port}")
        return port

    def connect_heartbeat(self: Any) -> None:
        _quick_reconnect(self.socket, reconnect_ms)
        self.socket.connect(f"{self.transport}://{self.ip}-{self.port}")

    original_init_control = app_class.init_control  # type: ignore[attr-defined]

    def init_control(self: Any, context: Any) -> None:
        # ipykernel connects a debugger socket to the shell socket's last endpoint, which for a connected
        # socket is the grader's: the grader's requests would then go to it every other time. No endpoint, no
        # debugger socket (the debugger is off in grading anyway).
        real = self.shell_socket
        self.shell_socket = _WithoutEndpoint(real)
        try:
            original_init_control(self, context)
        finally:
            self.shell_socket = real

    app_class.init_control = init_control  # type: ignore[attr-defined]
    app_class._try_bind_socket = connect  # type: ignore[attr-defined]
    app_class.write_connection_file = lambda self, **kwargs: None  # type: ignore[attr-defined]
    app_class.cleanup_connection_file = lambda self: None  # type: ignore[attr-defined]
    Heartbeat._try_bind_socket = connect_heartbeat  # type: ignore[method-assign]


if __name__ == "__main__":
    main()
