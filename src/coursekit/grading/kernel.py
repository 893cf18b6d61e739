"""One IPython kernel per submission: started under OS limits, optionally in a bubblewrap sandbox.

The grader talks to the kernel over ZeroMQ (IPC sockets in a folder the grader owns) with the Jupyter
messaging protocol, using only the shell and control channels: it never subscribes to the kernel's output
channel, so a cell that floods its output costs the grader nothing. The kernel's own stdout and stderr go to a
log file whose size the file-size limit caps.

Two sandbox modes (see ``README.md`` in this folder for what each protects against):

``none``
    The kernel is a child process in its own session, in a fresh temporary working folder, with a minimal
    environment and resource limits (memory, file size, CPU time, open files).
``bwrap``
    The same, inside bubblewrap: no network, private process/IPC/UTS namespaces, a read-only view of only the
    Python installation, the course package and the data, a size-limited private working folder and ``/tmp``.
"""

from __future__ import annotations

import functools
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import zmq
from jupyter_client.connect import write_connection_file
from jupyter_client.session import Session

from coursekit.grading.launcher import RECONNECT_IVL_MS
from coursekit.messages import msg

SandboxMode = Literal["none", "bwrap"]

#: The user id (and group id) the kernel has inside bubblewrap: "nobody", never root.
SANDBOX_UID = 65534

#: Milliseconds a send to the kernel may wait for it to be connected before the grader checks on it again.
SEND_TIMEOUT_MS = 200
#: Address space a kernel may reserve beyond ``--memory-mb`` (RLIMIT_AS): about 390 MB are reserved, not used,
#: by Python, numpy, pandas and the kernel's threads before any student code runs.
ADDRESS_HEADROOM_MB = 512

#: The kernel's own options: no history, output not captured at the file-descriptor level, errors only.
KERNEL_ARGS = (
    "--HistoryManager.enabled=False",
    "--IPKernelApp.capture_fd_output=False",
    "--IPKernelApp.quiet=True",
    "--Application.log_level=ERROR",
)

#: Largest message accepted from a kernel; a bigger one is dropped and the request times out.
MAX_MESSAGE_BYTES = 64 * 1024 * 1024


class KernelStartError(RuntimeError):
    """The kernel could not be started (a problem of the grading machine, not of the submission)."""


class KernelDied(RuntimeError):
    """The kernel process ended while the grader waited for it.

    Parameters
    ----------
    returncode : int or None
        The process's exit status (negative: killed by that signal).
    log_tail : str
        The last lines the kernel wrote to its own stdout/stderr.
    """

    def __init__(self, returncode: int | None, log_tail: str = "") -> None:
        self.returncode = returncode
        self.log_tail = log_tail
        super().__init__(describe_exit(returncode))


def describe_exit(returncode: int | None, sandboxed: bool = False) -> str:
    """Say in words how a kernel process ended, e.g. ``"the kernel was killed by SIGKILL"``.

    Inside bubblewrap the kernel is not the grader's child: bubblewrap reports a kernel killed by signal N as
    exit status 128 + N, which ``sandboxed=True`` turns back into the signal.
    """
    if returncode is None:
        return msg("kernel.exit.unresponsive")
    if sandboxed and 128 < returncode < 160:
        returncode = 128 - returncode
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = msg("kernel.exit.signal_number", number=-returncode)
        if name == "SIGKILL":
            return msg("kernel.exit.sigkill")
        if name == "SIGXCPU":
            return msg("kernel.exit.sigxcpu")
        return msg("kernel.exit.signal", signal=name)
    return msg("kernel.exit.status", status=returncode)


@dataclass
class Limits:
    """Resource limits of one submission.

    Attributes
    ----------
    cell_timeout : float
        Seconds one cell (or one call of a student's function) may run before it is interrupted.
    timeout : float
        Seconds the whole submission may take, kernel start included.
    memory_mb : int
        Memory the kernel may allocate (``RLIMIT_DATA``), in MB.
    file_mb : int
        Largest file the kernel may write (``RLIMIT_FSIZE``), in MB.
    disk_mb : int
        Size of the private working folder and ``/tmp`` in the ``bwrap`` mode (tmpfs), in MB.
    nofile : int
        Most files the kernel may hold open at once.
    nproc : int
        Most processes (and threads) the kernel and what it starts may have at once: a cgroup ``pids.max`` where
        the grader may create cgroups, else ``RLIMIT_NPROC`` (which Linux does not enforce for root).
    """

    cell_timeout: float = 30.0
    timeout: float = 300.0
    memory_mb: int = 2048
    file_mb: int = 64
    disk_mb: int = 256
    nofile: int = 512
    nproc: int = 64


@dataclass
class Reply:
    """The outcome of one request to the kernel.

    Attributes
    ----------
    status : {"ok", "error", "timeout", "died"}
        ``ok``: the code ran; ``error``: it raised (``ename``, ``evalue``); ``timeout``: it ran past its time and
        was interrupted (or the kernel was killed when the interrupt did not work); ``died``: the kernel process
        ended.
    ename, evalue : str
        The exception's type name and message when ``status == "error"``.
    expressions : dict
        The ``user_expressions`` results (``{"status": "ok", "data": {...}}`` or an error entry per key).
    killed : bool
        True when the kernel had to be killed (it is no longer usable).
    detail : str
        A human explanation for ``died`` and ``timeout``.
    """

    status: Literal["ok", "error", "timeout", "died"]
    ename: str = ""
    evalue: str = ""
    expressions: dict[str, Any] = field(default_factory=dict)
    killed: bool = False
    detail: str = ""


@functools.cache
def bwrap_path() -> str | None:
    """Return the path of a working ``bwrap`` executable, or None when bubblewrap is absent or not usable.

    Bubblewrap can be installed but unusable (e.g. in a container that forbids namespaces); a short probe run
    tells.
    """
    exe = shutil.which("bwrap")
    if not exe:
        return None
    return (
        exe
        if _bwrap_works(exe, user_namespace=True) or _bwrap_works(exe, user_namespace=False)
        else None
    )


@functools.cache
def _bwrap_works(exe: str, user_namespace: bool) -> bool:
    """Probe bubblewrap with the features the sandbox uses (tmpfs --size needs bubblewrap 0.6 or later)."""
    probe = [exe, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-all",
             *_user_args(user_namespace), "--die-with-parent", "--new-session", "--cap-drop", "ALL",
             "--size", "1048576", "--tmpfs", "/tmp", "--remount-ro", "/", "true"]  # fmt: skip
    try:
        return subprocess.run(probe, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _user_args(user_namespace: bool) -> list[str]:
    """Run as ``nobody`` in a user namespace of its own; where the machine forbids user namespaces (some
    containers), bubblewrap still runs, as the grader's user without capabilities."""
    if not user_namespace:
        return []
    return ["--unshare-user", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID)]


def resolve_sandbox(mode: str) -> SandboxMode:
    """Turn the ``--sandbox`` option into the mode that will be used.

    Parameters
    ----------
    mode : {"auto", "bwrap", "none"}
        ``auto`` uses bubblewrap when it works on this machine and falls back to ``none`` otherwise.

    Raises
    ------
    ValueError
        For an unknown mode, or ``bwrap`` when bubblewrap is missing or unusable (the message says how to
        install it or which mode to use instead).
    """
    if mode == "none":
        return "none"
    if mode not in ("auto", "bwrap"):
        raise ValueError(f"unknown sandbox mode {mode!r}; use one of auto, bwrap, none.")
    if bwrap_path():
        return "bwrap"
    if mode == "bwrap":
        raise ValueError(
            "--sandbox bwrap: bubblewrap is not installed or cannot create namespaces on this machine; "
            "install it (Debian/Ubuntu: apt-get install bubblewrap) or use --sandbox none."
        )
    return "none"


#: Where a per-kernel cgroup with a process limit can be made: cgroup v1's pids hierarchy, or cgroup v2.
CGROUP_ROOTS = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"))


def make_cgroup(name: str, limits: Limits) -> Path | None:
    """Create a cgroup whose ``pids.max`` is ``limits.nproc``; None where the grader may not (no root, no pids
    controller). Everything the kernel starts stays in it, so the limit counts only that submission."""
    for root in CGROUP_ROOTS:
        try:
            if (
                root.name != "pids"
                and "pids" not in (root / "cgroup.subtree_control").read_text().split()
            ):
                continue
            if not (root / "cgroup.procs").exists():
                continue
            parent = root / "coursekit-grader"
            _sweep_stale(parent)
            group = parent / name
            group.mkdir(parents=True, exist_ok=True)
            (group / "pids.max").write_text(str(limits.nproc))
            return group
        except OSError:
            continue
    return None


def _sweep_stale(parent: Path, age_s: float = 600.0) -> None:
    """Remove the empty cgroups a grader killed hard left behind (a cgroup still in use cannot be removed)."""
    try:
        groups = list(parent.iterdir())
    except OSError:
        return
    now = time.time()
    for group in groups:
        try:
            if group.is_dir() and now - group.stat().st_mtime > age_s:
                group.rmdir()
        except OSError:
            continue


def remove_cgroup(group: Path) -> None:
    """Kill whatever is left in a kernel's cgroup and remove it.

    A group can be removed once its last process has gone, which takes a moment after the kill (usually 1-5 ms):
    the waits between tries start at 1 ms and double up to 50 ms, for about a second in all. (A fixed 50 ms
    wait cost every submission 50 ms of idle time, a tenth of grading one with pre-warmed kernels.)
    """
    delay, deadline = 0.001, time.monotonic() + 1.0
    while True:
        try:
            pids = [int(p) for p in (group / "cgroup.procs").read_text().split()]
        except (OSError, ValueError):
            pids = []
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            group.rmdir()
            return
        except OSError:
            if time.monotonic() > deadline:
                return
            time.sleep(delay)
            delay = min(delay * 2, 0.05)


def _python_roots() -> list[Path]:
    """Folders the kernel needs to read: the Python installation, site-packages and the course package."""
    import site

    import coursekit

    roots = {
        Path(sys.prefix),
        Path(sys.base_prefix),
        Path(sys.exec_prefix),
        Path(sys.base_exec_prefix),
    }
    roots.update(Path(p) for p in site.getsitepackages())
    roots.add(
        Path(coursekit.__file__).resolve().parent.parent
    )  # the folder holding coursekit (editable or not)
    exe = Path(sys.executable)
    roots.add(exe.parent)
    roots.add(exe.resolve().parent.parent)
    return sorted({r for r in roots if r.exists()}, key=lambda p: len(p.parts))


def _minimal(paths: list[Path]) -> list[Path]:
    """Drop paths that lie inside another path of the list."""
    out: list[Path] = []
    for p in paths:
        if not any(p == q or q in p.parents for q in out):
            out.append(p)
    return out


def bwrap_command(
    exe: str,
    workdir: Path,
    sockdir: Path,
    data: Path | None,
    seed: Path | None,
    limits: Limits,
    extra: Sequence[Path] = (),
    zygote: bool = False,
) -> list[str]:
    """The bubblewrap arguments that sandbox one kernel (everything before the Python command).

    The sandbox sees the system's ``/usr`` (and its ``/bin``, ``/lib`` links), a few harmless files of
    ``/etc``, the Python installation and the course package read-only, the data folder read-only, the
    grader's socket folder, the ``extra`` files read-only (e.g. the bibliography the data loader checks), and
    a private, size-limited tmpfs as working folder and ``/tmp``. It has no
    network and its own process, IPC and host-name namespaces; it dies with the grader.

    ``zygote=True`` gives the same view to a pre-warmed process (:mod:`coursekit.grading.warm`), which runs as
    uid 0 *of its own user namespace* with that namespace's capabilities (none on the machine), so that it can
    give each kernel it forks fresh namespaces; each kernel then drops to ``nobody`` without capabilities.
    """
    if zygote:
        privileges = ["--unshare-user", "--uid", "0", "--gid", "0", "--cap-add", "ALL"]
    else:
        privileges = [*_user_args(_bwrap_works(exe, user_namespace=True)), "--cap-drop", "ALL"]
    args = [exe, "--unshare-all", "--die-with-parent", "--new-session", *privileges]
    for top in ("usr", "bin", "lib", "lib32", "lib64", "sbin"):
        p = Path("/") / top
        if p.is_symlink():
            args += ["--symlink", os.readlink(p), str(p)]
        elif p.is_dir():
            args += ["--ro-bind", str(p), str(p)]
    for f in ("/etc/ld.so.cache", "/etc/localtime", "/etc/nsswitch.conf", "/etc/passwd", "/etc/group",
              "/etc/hosts", "/etc/matplotlibrc"):  # fmt: skip
        args += ["--ro-bind-try", f, f]
    size = str(limits.disk_mb * 1024 * 1024)
    # The private /tmp comes before the binds below: a later mount over /tmp would hide any of them that
    # live under /tmp (a virtual environment or a checkout there, as on a CI machine).
    args += ["--size", size, "--tmpfs", "/tmp"]
    for root in _minimal(_python_roots()):
        if not str(root).startswith(("/usr/", "/bin/", "/lib")):
            args += ["--ro-bind", str(root), str(root)]
    # /proc/sys read-only: bubblewrap leaves it writable, and sysctls are not all namespaced
    args += ["--dev", "/dev", "--proc", "/proc", "--ro-bind", "/proc/sys", "/proc/sys"]
    args += ["--size", size, "--tmpfs", "/dev/shm"]
    args += ["--size", size, "--tmpfs", str(workdir)]
    # read-only: the kernel connects to the grader's sockets there and can write nothing
    args += ["--ro-bind", str(sockdir), str(sockdir)]
    if data is not None:
        args += ["--ro-bind", str(data), str(data)]
    if seed is not None:
        args += ["--ro-bind", str(seed), str(seed)]
    for path in extra:
        args += ["--ro-bind", str(path), str(path)]
    # the sandbox's own root and /dev (RAM-backed, without a size) read-only
    args += ["--remount-ro", "/dev", "--remount-ro", "/", "--chdir", str(workdir)]
    return args


def kernel_environment(workdir: Path, sandbox: SandboxMode, data: Path | None) -> dict[str, str]:
    """The whole environment of a grading kernel: nothing of the instructor's shell but the path and locale."""
    home = str(workdir)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "HOME": home,
        "TMPDIR": "/tmp" if sandbox == "bwrap" else str(workdir / ".tmp"),
        "IPYTHONDIR": str(workdir / ".ipython"),
        "MPLCONFIGDIR": str(workdir / ".matplotlib"),
        "MPLBACKEND": "agg",
        "JUPYTER_PLATFORM_DIRS": "1",
        "JUPYTER_RUNTIME_DIR": str(workdir / ".jupyter-runtime"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MALLOC_ARENA_MAX": "2",  # each thread's own arena would reserve 64 MB of address space
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NUMEXPR_MAX_THREADS": "1",
    }
    if "LC_ALL" in os.environ:
        env["LC_ALL"] = os.environ["LC_ALL"]
    if data is not None:
        env["COURSEKIT_DATA"] = str(data)
    return env


class Kernel:
    """An IPython kernel for one submission.

    Parameters
    ----------
    workdir : pathlib.Path
        The kernel's working folder (created if needed; in the ``bwrap`` mode a private tmpfs is mounted over
        it).
    sockdir : pathlib.Path
        A folder owned by the grader for the connection file, the IPC sockets and the kernel's log.
    sandbox : {"none", "bwrap"}
        How to isolate the kernel (see :func:`resolve_sandbox`).
    limits : Limits
        The resource limits.
    data : pathlib.Path, optional
        The course data folder, passed to the kernel as ``$COURSEKIT_DATA``.
    seed : pathlib.Path, optional
        A folder whose content is copied into the working folder before the kernel starts.
    extra : sequence of pathlib.Path
        Further files or folders the kernel may read (made visible read-only in the ``bwrap`` mode).
    """

    def __init__(
        self,
        workdir: Path,
        sockdir: Path,
        sandbox: SandboxMode,
        limits: Limits,
        data: Path | None = None,
        seed: Path | None = None,
        extra: Sequence[Path] = (),
    ) -> None:
        self.workdir = Path(workdir)
        self.sockdir = Path(sockdir)
        self.sandbox = sandbox
        self.limits = limits
        self.data = data
        self.seed = seed
        self.extra = list(extra)
        self.proc: subprocess.Popen[bytes] | None = None
        self.session: Session | None = None
        self._ctx: zmq.Context[Any] | None = None
        self._shell: zmq.Socket[Any] | None = None
        self._control: zmq.Socket[Any] | None = None
        self._iopub: zmq.Socket[Any] | None = None
        self._log: Path = self.sockdir / "kernel.log"
        self.cgroup: Path | None = None
        #: zmq's reconnect interval for the kernel's sockets (the launcher's ``--reconnect-ms``); a benchmark
        #: sets zmq's default, 100, to measure what the short interval saves.
        self.reconnect_ms = RECONNECT_IVL_MS

    # ---- process ------------------------------------------------------------------------------------------

    def _environment(self) -> dict[str, str]:
        return kernel_environment(self.workdir, self.sandbox, self.data)

    def start(self, ready_timeout: float = 60.0) -> None:
        """Start the kernel and wait until it answers.

        Raises
        ------
        KernelStartError
            If the process cannot be started or does not answer within ``ready_timeout`` seconds (the message
            carries the end of the kernel's log).
        """
        conn_file = self._prepare()
        self._launch(conn_file)
        self._await_ready(ready_timeout)

    def _prepare(self) -> Path:
        """Make the folders, write the connection file and bind the grader's sockets; return the file."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.sockdir.mkdir(parents=True, exist_ok=True)
        if self.sandbox == "none":
            (self.workdir / ".tmp").mkdir(exist_ok=True)
        key = secrets.token_hex(32)
        conn_file = self.sockdir / "kernel.json"
        _, info = write_connection_file(
            str(conn_file), transport="ipc", ip=str(self.sockdir / "k"), key=key.encode(),
            kernel_name="python3",
        )  # fmt: skip
        self.session = Session(
            key=key.encode(), signature_scheme="hmac-sha256", username="coursekit-grader"
        )
        self._ctx = zmq.Context()
        self._shell = self._socket(info["shell_port"])
        self._control = self._socket(info["control_port"])
        # bound, never read and never subscribed: the kernel's output is filtered out at its own end
        self._iopub = self._ctx.socket(zmq.SUB)
        self._iopub.setsockopt(zmq.LINGER, 0)
        self._iopub.bind(f"ipc://{self.sockdir / 'k'}-{info['iopub_port']}")
        return conn_file

    def _launch(self, conn_file: Path) -> None:
        """Start the kernel process (directly, or inside bubblewrap) in a cgroup of its own where possible."""
        lim = self.limits
        cpu = int(lim.timeout * 1.5 + 30)
        command = [sys.executable, "-m", "coursekit.grading.launcher",
                   "--memory-mb", str(lim.memory_mb), "--file-mb", str(lim.file_mb),
                   "--cpu-s", str(cpu), "--nofile", str(lim.nofile), "--connect",
                   "--reconnect-ms", str(self.reconnect_ms),
                   "--address-mb", str(lim.memory_mb + ADDRESS_HEADROOM_MB)]  # fmt: skip
        self.cgroup = make_cgroup(self.sockdir.name + "-" + secrets.token_hex(4), lim)
        if self.cgroup is None:
            command += ["--nproc", str(lim.nproc)]
        if self.seed is not None:
            command += ["--seed", str(self.seed)]
        if self.sandbox == "none":  # bubblewrap's --die-with-parent does this in the other mode
            command += ["--parent-pid", str(os.getpid())]
        command += ["--", "-f", str(conn_file), *KERNEL_ARGS]
        if self.sandbox == "bwrap":
            exe = bwrap_path()
            if exe is None:
                raise KernelStartError(
                    "bubblewrap is not usable on this machine; use --sandbox none."
                )
            command = (
                bwrap_command(
                    exe, self.workdir, self.sockdir, self.data, self.seed, lim, self.extra
                )
                + command
            )
        if (
            self.cgroup is not None
        ):  # join the cgroup before bubblewrap or the kernel starts anything
            command = [
                "/bin/sh",
                "-c",
                'echo $$ > "$0" && exec "$@"',
                str(self.cgroup / "cgroup.procs"),
                *command,
            ]
        log = open(self._log, "wb")  # noqa: SIM115 (closed below; the child keeps its copy)
        try:
            self.proc = subprocess.Popen(
                command,
                cwd=str(self.workdir),
                env=self._environment(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                close_fds=True,
            )
        except OSError as exc:
            raise KernelStartError(f"could not start the kernel ({command[0]}): {exc}") from exc
        finally:
            log.close()

    def _await_ready(self, ready_timeout: float) -> None:
        """Wait for the kernel's first reply; kill it and raise :class:`KernelStartError` if none comes."""
        assert self._shell is not None
        reply = self._request(
            self._shell, "kernel_info_request", {}, time.monotonic() + ready_timeout
        )
        if reply is None or reply == "died":
            tail = self.log_tail()
            self.kill()
            what = (
                f"did not answer within {ready_timeout:g} s"
                if reply is None
                else "exited while starting"
            )
            raise KernelStartError(f"the grading kernel {what}. Its log ends with:\n{tail}")

    def _socket(self, port: int) -> zmq.Socket[Any]:
        assert self._ctx is not None
        sock = self._ctx.socket(zmq.DEALER)
        sock.setsockopt(zmq.LINGER, 0)
        sock.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
        sock.setsockopt(zmq.IDENTITY, secrets.token_hex(8).encode())
        sock.setsockopt(
            zmq.SNDTIMEO, SEND_TIMEOUT_MS
        )  # a send never blocks while no kernel is connected
        # The grader binds and the kernel connects (see the launcher's --connect), so the kernel needs no write
        # access to the socket folder, which is read-only inside bubblewrap.
        sock.bind(f"ipc://{self.sockdir / 'k'}-{port}")
        return sock

    def _exit_detail(self) -> str:
        code = None
        if self.proc is not None:
            try:
                code = self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                code = None
        return describe_exit(code, sandboxed=self.sandbox == "bwrap")

    def alive(self) -> bool:
        """True while the kernel process runs."""
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, chars: int = 1500) -> str:
        """The last ``chars`` characters the kernel process wrote to its stdout/stderr."""
        try:
            with open(self._log, "rb") as fh:
                fh.seek(0, os.SEEK_END)
                size = fh.tell()
                fh.seek(max(0, size - chars))
                return fh.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def kill(self) -> None:
        """Kill the kernel (and, outside bubblewrap, everything in its session) at once."""
        proc = self.proc
        if proc is None:
            return
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                try:
                    proc.kill()
                except OSError:
                    pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass

    def close(self) -> None:
        """Kill the kernel and release the sockets and its cgroup (safe to call twice)."""
        self.kill()
        if self.cgroup is not None:
            remove_cgroup(self.cgroup)
            self.cgroup = None
        for sock in (self._shell, self._control, self._iopub):
            if sock is not None:
                sock.close(linger=0)
        self._shell = self._control = self._iopub = None
        if self._ctx is not None:
            self._ctx.term()
            self._ctx = None

    # ---- messaging ----------------------------------------------------------------------------------------

    def _request(
        self, sock: zmq.Socket[Any], msg_type: str, content: dict[str, Any], deadline: float
    ) -> dict[str, Any] | str | None:
        """Send a request and wait for its reply; None on timeout, ``"died"`` when the kernel ended."""
        sent = self._send(sock, msg_type, content, deadline)
        if not isinstance(sent, dict):
            return sent
        return self._wait(sock, sent["header"]["msg_id"], deadline)

    def _send(
        self, sock: zmq.Socket[Any], msg_type: str, content: dict[str, Any], deadline: float
    ) -> dict[str, Any] | str | None:
        """Send a message once the kernel is connected; None when the deadline passes, "died" if it ended."""
        assert self.session is not None
        while True:
            try:
                return self.session.send(sock, msg_type, content)
            except zmq.Again:
                if not self.alive():
                    return "died"
                if time.monotonic() >= deadline:
                    return None

    def _wait(
        self, sock: zmq.Socket[Any], msg_id: str, deadline: float
    ) -> dict[str, Any] | str | None:
        assert self.session is not None
        poller = zmq.Poller()
        poller.register(sock, zmq.POLLIN)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            if poller.poll(int(min(remaining, 0.5) * 1000) + 1):
                try:
                    _, message = self.session.recv(sock, mode=zmq.NOBLOCK)
                except (ValueError, KeyError, TypeError):  # bad signature or malformed: ignore it
                    continue
                if message and message.get("parent_header", {}).get("msg_id") == msg_id:
                    return message
            elif not self.alive():
                return "died"

    def execute(
        self, code: str, timeout: float, expressions: dict[str, str] | None = None
    ) -> Reply:
        """Run ``code`` in the kernel, then evaluate ``expressions`` (``user_expressions``) if it succeeded.

        Parameters
        ----------
        code : str
            The code of the cell ("" to evaluate the expressions only: an empty cell skips the kernel's input
            transformers, so code the student installed there cannot rewrite the request).
        timeout : float
            Seconds to wait; past it the kernel is interrupted (and killed if the interrupt does not work).
        expressions : dict, optional
            Expressions to evaluate in the student's namespace after the code.

        Returns
        -------
        Reply
        """
        if self._shell is None or not self.alive():
            return Reply("died", detail=self._exit_detail())
        assert self.session is not None
        content = {
            "code": code,
            "silent": False,
            "store_history": False,
            "user_expressions": expressions or {},
            "allow_stdin": False,
            "stop_on_error": False,
        }
        sent = self._send(self._shell, "execute_request", content, time.monotonic() + timeout)
        if sent == "died":
            return Reply("died", detail=self._exit_detail())
        if not isinstance(sent, dict):
            self.kill()
            return Reply(
                "timeout",
                killed=True,
                detail=msg("kernel.unresponsive"),
            )
        msg_id = sent["header"]["msg_id"]
        reply = self._wait(self._shell, msg_id, time.monotonic() + timeout)
        if reply == "died":
            return Reply("died", detail=self._exit_detail())
        if reply is None:
            return self._interrupt_after_timeout(msg_id, timeout)
        assert isinstance(reply, dict)
        c = reply.get("content")
        c = c if isinstance(c, dict) else {}
        if c.get("status") == "ok":
            # whatever the kernel sends (a submission can replace IPython's user_expressions), keep only
            # entries of the expected shape
            found = c.get("user_expressions")
            found = found if isinstance(found, dict) else {}
            return Reply("ok", expressions={k: v for k, v in found.items() if isinstance(v, dict)})
        return Reply(
            "error", ename=str(c.get("ename", ""))[:200], evalue=str(c.get("evalue", ""))[:2000]
        )

    def _interrupt_after_timeout(self, msg_id: str, timeout: float) -> Reply:
        detail = msg("kernel.interrupted", limit=f"{timeout:g}")
        assert self._control is not None and self._shell is not None
        self._request(self._control, "interrupt_request", {}, time.monotonic() + 3)
        late = self._wait(self._shell, msg_id, time.monotonic() + 3)
        if isinstance(late, dict):
            return Reply("timeout", detail=detail)
        self.kill()
        detail = msg("kernel.stopped", limit=f"{timeout:g}")
        return Reply("timeout", killed=True, detail=detail)
