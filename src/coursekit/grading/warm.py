"""Pre-warmed kernels: one sandboxed process per job forks a fresh, isolated kernel for each submission.

Starting a kernel costs more than grading most submissions: Python, ipykernel and the set's imports (pandas
above all) load again for every submission. Here one process per job, the *zygote*, loads them once, inside
the same bubblewrap sandbox a fresh kernel gets, and forks each submission's kernel from itself. The zygote
never runs any student code, nor any code of the setup cell except its imports (of modules, read from the
source notebook); its memory is the same before every fork, so each kernel starts from the same clean state.

Per submission (see ``README.md``, "Pre-warmed kernels", for the isolation argument)::

    grader ──fork request──▶ zygote (bwrap: uid 0 of its own user namespace, no network, read-only view)
                               └─ gate: waits until the grader has put it into the submission's cgroup
                                    └─ init, PID 1 of new PID, mount, IPC, UTS and network namespaces: fresh
                                       /proc (with /proc/sys read-only), fresh tmpfs on /tmp, /dev/shm and the
                                       working folder; a nested user namespace as uid 65534, all capabilities
                                       dropped, no new privileges
                                         └─ kernel (PID 2): resource limits, clean environment, every inherited
                                            descriptor closed, then ipykernel

The grader talks to the zygote over a Unix ``SOCK_SEQPACKET`` pair (JSON messages; the log file's descriptor
travels with the fork request). The gate and the init each send one message whose credentials
(``SCM_CREDENTIALS``) tell the grader their process ids on the host, to put the gate into the cgroup and to
kill the whole namespace at once. A zygote that misbehaves in any way (no answer, a message out of place, a
failed fork or setup) is killed and never used again. Where the machine does not allow what this needs (user
namespaces, bubblewrap), :func:`warm_support` says why and the grader starts a fresh kernel per submission.

Run as ``python -m coursekit.grading.warm`` by the grader only (``--probe`` checks the isolation steps).
"""

from __future__ import annotations

import argparse
import ast
import ctypes
import functools
import importlib
import json
import os
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from coursekit.grading import launcher
from coursekit.grading.kernel import (
    ADDRESS_HEADROOM_MB,
    KERNEL_ARGS,
    Kernel,
    KernelStartError,
    Limits,
    bwrap_command,
    bwrap_path,
    describe_exit,
    kernel_environment,
    make_cgroup,
)

# ---- what the machine allows -------------------------------------------------------------------------------

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
#: The namespaces every submission gets afresh (the user namespace comes later, after the mounts).
SUBMISSION_NAMESPACES = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 32, 4096, 8192, 16384, 1 << 18
MNT_DETACH = 2

PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP = 1, 4, 24
PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 38, 47, 4
_LINUX_CAPABILITY_VERSION_3 = 0x20080522

#: Modules ipykernel loads only while a kernel initialises (measured: about 40 ms of each start); the zygote
#: loads them beforehand. Only library code: no kernel, shell or socket is created in the zygote.
KERNEL_MODULES = (
    "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger", "IPython.core.completerlib",
    "IPython.core.debugger", "IPython.core.oinspect", "IPython.extensions.storemagic",
    "IPython.utils.wildcard", "pdb", "faulthandler", "tornado.gen", "tornado.locks",
    "tornado.platform.asyncio", "tornado.queues",
)  # fmt: skip

#: The uid (and gid) a kernel has in its own nested user namespace: "nobody", as in a fresh sandboxed kernel.
KERNEL_UID = 65534
#: Exit status of a gate or init process whose setup failed (the zygote that forked it is then discarded).
SETUP_FAILED = 121
#: Seconds the grader waits for each step of a fork (the zygote's answer, the gate, the init).
STEP_TIMEOUT = 20.0
#: Largest message between the grader and a zygote.
MAX_MESSAGE = 1 << 16


class ZygoteError(RuntimeError):
    """A zygote failed or broke the protocol; it is never used again."""


@functools.cache
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(
    source: str, target: str, fstype: str | None, flags: int, data: str | None = None
) -> None:
    _check(
        _libc().mount(
            source.encode(),
            target.encode(),
            fstype.encode() if fstype else None,
            ctypes.c_ulong(flags),
            data.encode() if data else None,
        ),
        f"mount {target}",
    )


def _prctl(option: int, arg: int, arg3: int = 0) -> None:
    _check(_libc().prctl(option, ctypes.c_ulong(arg), ctypes.c_ulong(arg3), 0, 0), "prctl")


def _unshare(flags: int) -> None:
    _check(_libc().unshare(flags), "unshare")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]  # fmt: skip


def drop_capabilities() -> None:
    """Give up every capability for good: the bounding set, the ambient set, then the current sets."""
    last = int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    for cap in range(last + 1):
        _prctl(PR_CAPBSET_DROP, cap)
    _prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    _check(_libc().capset(ctypes.byref(header), data), "capset")
    _prctl(PR_SET_NO_NEW_PRIVS, 1)


def _mount_points_under(top: str) -> list[str]:
    """The outermost mount points strictly inside ``top``, from ``/proc/self/mountinfo``."""
    points = []
    with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as fh:
        for line in fh:
            point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), line.split()[4])
            if point.startswith(top.rstrip("/") + "/"):
                points.append(point)
    ordered = sorted(set(points), key=len)
    return [p for i, p in enumerate(ordered) if not any(p.startswith(q + "/") for q in ordered[:i])]


def _fresh_tmp(workdir: str, disk_bytes: int) -> None:
    """Mount fresh tmpfs on ``/tmp``, ``/dev/shm`` and ``workdir``, keeping the read-only binds that live under
    ``/tmp`` (the socket folder, a virtual environment or checkout there): they are moved onto the new ``/tmp``
    through a staging tmpfs, as bubblewrap mounts its ``/tmp`` before them."""
    flags = MS_NOSUID | MS_NODEV
    keep = [
        p for p in _mount_points_under("/tmp") if p != workdir and not p.startswith(workdir + "/")
    ]
    _mount("tmpfs", "/dev/shm", "tmpfs", flags, "size=65536,mode=0700")  # staging, replaced below
    for i, point in enumerate(keep):
        stage = f"/dev/shm/{i}"
        if os.path.isdir(point):
            os.mkdir(stage)
        else:
            open(stage, "w").close()
        # a bind keeps the read-only flag of its source
        _mount(point, stage, None, MS_BIND | MS_REC)
    _mount("tmpfs", "/tmp", "tmpfs", flags, f"size={disk_bytes},mode=1777")
    for i, point in enumerate(keep):
        stage = f"/dev/shm/{i}"
        os.makedirs(os.path.dirname(point), exist_ok=True)
        if os.path.isdir(stage):
            os.makedirs(point, exist_ok=True)
        else:
            open(point, "w").close()
        _mount(stage, point, None, MS_MOVE)
    _check(_libc().umount2(b"/dev/shm", MNT_DETACH), "umount /dev/shm")
    _mount("tmpfs", "/dev/shm", "tmpfs", flags, f"size={disk_bytes},mode=1777")
    os.makedirs(workdir, exist_ok=True)
    _mount("tmpfs", workdir, "tmpfs", flags, f"size={disk_bytes},mode=0755")


def isolate(workdir: str, disk_bytes: int) -> None:
    """Turn the calling process (PID 1 of a new PID namespace, in a new mount namespace, with capabilities in
    its user namespace) into the sandbox of one submission, unprivileged.

    Mounts a fresh ``/proc`` (which shows only this namespace's processes) with ``/proc/sys`` read-only, and
    fresh size-limited tmpfs on ``/tmp``, ``/dev/shm`` and ``workdir``; then enters a nested user namespace in
    which it is uid/gid 65534 and drops every capability. The mounts belong to the outer user namespace, so
    nothing inside can undo them (a namespace the kernel creates itself sees them locked).
    """
    outer_uid, outer_gid = os.getuid(), os.getgid()
    _mount("none", "/", None, MS_REC | MS_PRIVATE)
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _mount("/proc/sys", "/proc/sys", None, MS_BIND | MS_REC)
    _mount("none", "/proc/sys", None,
           MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)  # fmt: skip
    _fresh_tmp(workdir, disk_bytes)
    _unshare(CLONE_NEWUSER)
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"{KERNEL_UID} {outer_uid} 1")
    Path("/proc/self/gid_map").write_text(f"{KERNEL_UID} {outer_gid} 1")
    drop_capabilities()


# ---- the setup cell's imports --------------------------------------------------------------------------------


def setup_imports(setup_source: str) -> list[str]:
    """The modules a setup cell imports at its top level, in order: ``import a.b`` gives ``a.b``, and
    ``from a import b`` gives ``a`` and ``a.b`` (``b`` may be a submodule; if it is not, importing it is skipped).

    Only the source is parsed; nothing of the cell runs. Relative imports and anything that is not an import
    statement at the top level are ignored; a cell that does not parse gives no modules.
    """
    try:
        tree = ast.parse(setup_source)
    except (SyntaxError, ValueError):
        return []
    found: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append(node.module)
            found += [f"{node.module}.{alias.name}" for alias in node.names if alias.name != "*"]
    return list(dict.fromkeys(found))


def _import_modules(names: Sequence[str]) -> tuple[list[str], list[str]]:
    """Import what can be imported as a module; return (imported, failed)."""
    done: list[str] = []
    failed: list[str] = []
    for name in names:
        parent, _, attr = name.rpartition(".")
        if (
            parent
            and parent in sys.modules
            and not isinstance(getattr(sys.modules[parent], attr, sys), type(sys))
        ):
            continue  # ``from parent import attr`` names something that is not a module: nothing to load
        try:
            importlib.import_module(name)
            done.append(name)
        except Exception:  # noqa: BLE001 - the kernel meets the same error in the setup cell, as it would anyway
            failed.append(name)
    return done, failed


def _preload_course_data() -> None:
    """When the setup cell imports the course data package, read and check the data once, here.

    Every ``load_*`` then costs a copy of a cached table instead of a full check of the data package (0.24 s
    of CPU per submission in set 05's setup cell). Only coursekit's own loaders run, over the course data the
    kernel reads anyway ($COURSEKIT_DATA, read-only in the sandbox); nothing of the setup cell runs. Each
    forked kernel gets its own copy-on-write copy of the cache, so what one submission does to it is invisible
    to the next. Data with problems is left for the kernel to meet (and report) itself.
    """
    if "coursekit.data" not in sys.modules:
        return
    try:
        sys.modules["coursekit.data"].load_all()
    except Exception:  # noqa: BLE001 - the setup cell meets the same problem and reports it as in a fresh kernel
        sys.modules["coursekit.data"].clear_cache()


# ---- messages between the grader and a zygote ---------------------------------------------------------------

_CREDS = struct.Struct("3i")


def _send(sock: socket.socket, message: dict[str, Any], fds: Sequence[int] = ()) -> None:
    data = json.dumps(message).encode()
    if fds:
        socket.send_fds(sock, [data], list(fds))
    else:
        sock.send(data)


def _receive(sock: socket.socket) -> tuple[dict[str, Any] | None, int | None, list[int]]:
    """One message: (content or None at end of stream, the sender's pid on the receiver's side, descriptors)."""
    data, ancillary, _flags, _addr = sock.recvmsg(
        MAX_MESSAGE, socket.CMSG_SPACE(_CREDS.size) + socket.CMSG_SPACE(4 * 4)
    )
    pid = None
    fds: list[int] = []
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid = _CREDS.unpack(payload[: _CREDS.size])[0]
        elif level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds += list(struct.unpack(f"{len(payload) // 4}i", payload[: len(payload) // 4 * 4]))
    if not data:
        return None, pid, fds
    message = json.loads(data)
    if not isinstance(message, dict):
        raise ValueError("a message must be a JSON object")
    return message, pid, fds


# ---- the zygote (inside bubblewrap) ------------------------------------------------------------------------


def _status_code(status: int) -> int:
    """A wait status as one exit status: an exit code as it is, a signal N as 128 + N (like bubblewrap)."""
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status) if os.WIFEXITED(status) else SETUP_FAILED


def _close_other_fds(keep: Sequence[int]) -> None:
    """Close every descriptor of this process except 0, 1, 2 and ``keep``."""
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd > 2 and fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass


def _run_kernel(request: dict[str, Any], log_fd: int) -> None:
    """In the kernel process: limits, descriptors, environment, working folder, then ipykernel; never returns."""
    code = SETUP_FAILED
    try:
        os.setsid()  # a session of its own, as bubblewrap's --new-session gives a fresh kernel
        # its own /proc files are its own again (the init stays undumpable)
        _prctl(PR_SET_DUMPABLE, 1)
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        _close_other_fds(())
        os.environ.clear()
        os.environ.update(request["env"])
        workdir = request["workdir"]
        os.chdir(workdir)
        seed = request.get("seed")
        if seed and os.path.isdir(seed):
            shutil.copytree(seed, workdir, dirs_exist_ok=True)
        lim = request["limits"]
        launcher.apply_limits(lim["memory_mb"], lim["file_mb"], lim["cpu_s"], lim["nofile"],
                              lim["address_mb"], lim["nproc"])  # fmt: skip
        _reseed()
        from ipykernel.kernelapp import IPKernelApp

        sys.argv = [sys.executable, "-m", "ipykernel_launcher"]
        IPKernelApp.launch_instance(argv=list(request["args"]))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException as exc:  # noqa: BLE001 - report and end; never return into the zygote's code
        try:
            os.write(2, f"coursekit warm kernel: {type(exc).__name__}: {exc}\n".encode())
        except OSError:
            pass
    finally:
        os._exit(code)


def _reseed() -> None:
    """Give the kernel its own random state: a fork would otherwise share the zygote's with every kernel."""
    import random

    random.seed()
    numpy_random = sys.modules.get("numpy.random")
    if numpy_random is not None:
        numpy_random.seed()


def _run_init(sock: socket.socket, request: dict[str, Any], log_fd: int) -> None:
    """PID 1 of the submission's namespaces: isolate, start the kernel as PID 2, reap, end with it."""
    code = SETUP_FAILED
    try:
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        # its credentials give the grader its pid, to kill the namespace
        _send(sock, {"op": "init"})
        isolate(request["workdir"], int(request["disk_bytes"]))
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # a change of credentials cleared it
        _prctl(PR_SET_DUMPABLE, 0)  # the kernel, same uid, cannot trace the init
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        sock.close()
        kernel = os.fork()
        if kernel == 0:
            _run_kernel(request, log_fd)
        os.close(log_fd)
        _close_other_fds(())
        while True:
            pid, status = os.wait()
            if pid == kernel:
                code = _status_code(status)
                break
    except BaseException as exc:  # noqa: BLE001
        try:
            os.write(log_fd, f"coursekit warm init: {type(exc).__name__}: {exc}\n".encode())
        except OSError:
            pass
    finally:
        os._exit(code)


def _run_gate(sock: socket.socket, gate: int, request: dict[str, Any], log_fd: int) -> None:
    """The zygote's child: wait for the cgroup, create the namespaces, fork the init, end with it."""
    code = SETUP_FAILED
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        _send(sock, {"op": "gate", "pid": os.getpid()})
        if os.read(gate, 1) != b"g":
            os._exit(SETUP_FAILED)
        os.close(gate)
        _unshare(SUBMISSION_NAMESPACES)
        init = os.fork()
        if init == 0:
            _run_init(sock, request, log_fd)
        sock.close()
        os.close(log_fd)
        _, status = os.waitpid(init, 0)
        code = _status_code(status)
    except BaseException:  # noqa: BLE001
        code = SETUP_FAILED
    finally:
        os._exit(code)


def serve(sock: socket.socket, imports: Sequence[str]) -> int:
    """The zygote's loop: load once, then fork a gate per request and report how each ended."""
    for name in launcher.SKIPPED_OPTIONAL_IMPORTS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
    # before any student code, as in a fresh kernel
    importlib.import_module("coursekit.grading.export")
    from ipykernel.kernelapp import IPKernelApp

    launcher.connect_instead_of_bind(IPKernelApp)
    _import_modules(KERNEL_MODULES)
    done, failed = _import_modules(imports)
    _preload_course_data()
    if threading.active_count() != 1:
        _send(sock, {"op": "error", "detail": "an import started a thread; forking is not safe"})
        return 1
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.signal(signal.SIGCHLD, lambda _sig, _frame: None)
    signal.set_wakeup_fd(wake_w)
    gates: dict[int, int] = {}
    _send(sock, {"op": "ready", "imported": done, "failed": failed})
    while True:
        readable, _, _ = select.select([sock.fileno(), wake_r], [], [])
        if wake_r in readable:
            os.read(wake_r, 4096)
            while True:
                try:
                    pid, status = os.waitpid(-1, os.WNOHANG)
                except ChildProcessError:
                    break
                if pid == 0:
                    break
                gate = gates.pop(pid, None)
                if gate is not None:
                    os.close(gate)
                _send(sock, {"op": "exited", "pid": pid, "status": _status_code(status)})
        if sock.fileno() not in readable:
            continue
        message, _pid, fds = _receive(sock)
        if message is None:
            return 0  # the grader is gone
        op = message.get("op")
        if op == "fork" and len(fds) == 1 and threading.active_count() == 1:
            read_end, write_end = os.pipe()
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                os.close(write_end)
                os.close(wake_r)
                os.close(wake_w)
                for other in gates.values():
                    os.close(other)
                _run_gate(sock, read_end, message, fds[0])
            os.close(read_end)
            os.close(fds[0])
            gates[pid] = write_end
        elif op == "go" and message.get("pid") in gates:
            gate = gates.pop(message["pid"])
            os.write(gate, b"g")
            os.close(gate)
        else:
            for fd in fds:
                os.close(fd)
            _send(sock, {"op": "error", "detail": f"unexpected request {op!r}"})
            return 2  # never go on after anything unexpected


def probe() -> int:
    """Run the isolation steps once (as a submission would get them) and report what the result looks like."""
    marker = "/tmp/coursekit-probe-marker"
    Path(marker).write_text("left by an earlier submission")
    _unshare(SUBMISSION_NAMESPACES)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            workdir = os.getcwd()
            isolate(workdir, 1 << 20)
            visible = [p for p in os.listdir("/proc") if p.isdigit()]
            try:
                with open("/proc/sys/kernel/hostname", "w") as fh:
                    fh.write("x")
                sysctl = "writable"
            except OSError:
                sysctl = "read-only"
            seen = os.path.exists(marker)
            ok = (os.getuid(), os.getpid(), visible, sysctl, seen) == (
                KERNEL_UID,
                1,
                ["1"],
                "read-only",
                False,
            )
            print(json.dumps({"uid": os.getuid(), "pids": visible, "sysctl": sysctl, "tmp_shared": seen}),
                  flush=True)  # fmt: skip
            code = 0 if ok else 1
        except BaseException as exc:  # noqa: BLE001
            print(f"{type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return _status_code(status)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point inside bubblewrap: the control socket is on descriptor 0."""
    parser = argparse.ArgumentParser(prog="python -m coursekit.grading.warm")
    parser.add_argument("--import", dest="imports", action="append", default=[])
    parser.add_argument("--seed", default="")
    parser.add_argument("--probe", action="store_true")
    opts = parser.parse_args(argv)
    if opts.probe:
        return probe()
    if opts.seed and os.path.isdir(opts.seed):  # e.g. matplotlib's font cache, read at import
        shutil.copytree(opts.seed, os.getcwd(), dirs_exist_ok=True)
    fd = os.dup(0)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    sock = socket.socket(fileno=fd)
    return serve(sock, opts.imports)


# ---- the grader's side -------------------------------------------------------------------------------------


@functools.cache
def warm_support() -> str:
    """Why pre-warmed kernels cannot be used on this machine, or "" when they can.

    They need Linux, a working bubblewrap that may create a user namespace with capabilities inside it, and
    that namespace must allow the per-submission steps (new namespaces, a fresh ``/proc``, a nested user
    namespace): a short probe runs them.
    """
    if not sys.platform.startswith("linux") or not hasattr(os, "pidfd_open"):
        return "pre-warmed kernels need Linux 5.3 or later"
    exe = bwrap_path()
    if exe is None:
        return "pre-warmed kernels need bubblewrap (the bwrap sandbox)"
    tmp = Path("/tmp") / f"coursekit-warm-probe-{os.getpid()}"
    tmp.mkdir(exist_ok=True)
    try:
        command = bwrap_command(
            exe, tmp / "w", tmp / "k", None, None, Limits(disk_mb=1), zygote=True
        )
        (tmp / "w").mkdir(exist_ok=True)
        (tmp / "k").mkdir(exist_ok=True)
        proc = subprocess.run([*command, sys.executable, "-m", "coursekit.grading.warm", "--probe"],
                              capture_output=True, text=True, timeout=60)  # fmt: skip
    except (OSError, subprocess.SubprocessError) as exc:
        return f"the isolation probe could not run ({exc})"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if proc.returncode != 0:
        last = (
            proc.stderr.strip().splitlines() or proc.stdout.strip().splitlines() or ["no output"]
        )[-1]
        return f"this machine does not allow the isolation a forked kernel needs ({last[:200]})"
    return ""


def resolve_kernels(mode: str, sandbox: str) -> tuple[str, str]:
    """Turn the ``--kernels`` option into the kernels that will be used, and a note on why.

    Parameters
    ----------
    mode : {"auto", "warm", "fresh"}
        ``warm`` and ``auto`` use pre-warmed kernels where the isolation they need can be had (the ``bwrap``
        sandbox with user namespaces); elsewhere both fall back to a fresh kernel per submission, and the note
        says why.
    sandbox : {"bwrap", "none"}
        The sandbox mode already chosen.

    Returns
    -------
    tuple of str
        ``("warm" | "fresh", note)``; the note is "" when the mode asked for is used.

    Raises
    ------
    ValueError
        For an unknown mode.
    """
    if mode not in ("auto", "warm", "fresh"):
        raise ValueError(f"unknown kernel mode {mode!r}; use one of auto, warm, fresh.")
    if mode == "fresh":
        return "fresh", ""
    if sandbox != "bwrap":
        return (
            "fresh",
            "pre-warmed kernels need the bwrap sandbox, so each submission gets a fresh kernel",
        )
    why = warm_support()
    if why:
        return "fresh", f"{why}, so each submission gets a fresh kernel"
    return "warm", ""


class Zygote:
    """One pre-warmed process inside bubblewrap, seen from the grader; it forks one kernel at a time.

    Parameters
    ----------
    folder : pathlib.Path
        A folder of the grader's: ``work`` becomes the kernels' working folder (a fresh tmpfs each time),
        ``k`` holds each kernel's sockets (read-only inside), ``zygote.log`` the zygote's own output.
    imports : sequence of str
        Modules to load before forking (see :func:`setup_imports`).
    limits, data, seed, extra
        As for :class:`~coursekit.grading.kernel.Kernel`.
    """

    def __init__(self, folder: Path, imports: Sequence[str], limits: Limits, data: Path | None,
                 seed: Path | None, extra: Sequence[Path]) -> None:  # fmt: skip
        self.folder = folder
        self.workdir = folder / "work"
        self.sockroot = folder / "k"
        self.imports = list(imports)
        self.limits = limits
        self.data, self.seed, self.extra = data, seed, list(extra)
        self.proc: subprocess.Popen[bytes] | None = None
        self.sock: socket.socket | None = None
        self.ready = False
        self.broken = False
        self.statuses: dict[int, int] = {}
        self.loaded: list[str] = []

    def spawn(self, env: dict[str, str]) -> None:
        """Start the zygote (it loads its modules while the grader goes on)."""
        exe = bwrap_path()
        if exe is None:
            raise ZygoteError("bubblewrap is not usable on this machine")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.sockroot.mkdir(parents=True, exist_ok=True)
        command = bwrap_command(exe, self.workdir, self.sockroot, self.data, self.seed, self.limits,
                                self.extra, zygote=True)  # fmt: skip
        command += [sys.executable, "-m", "coursekit.grading.warm"]
        if self.seed is not None:
            command += ["--seed", str(self.seed)]
        for name in self.imports:
            command += ["--import", name]
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        ours.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.sock = ours
        with open(self.folder / "zygote.log", "wb") as log:
            try:
                self.proc = subprocess.Popen(command, cwd=str(self.workdir), env=env, stdin=theirs.fileno(),
                                             stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                             close_fds=True)  # fmt: skip
            except OSError as exc:
                self.broken = True
                raise ZygoteError(f"could not start the zygote: {exc}") from exc
            finally:
                theirs.close()

    def receive(self, timeout: float) -> tuple[dict[str, Any], int | None]:
        """The next message (an ``exited`` report is also recorded); ZygoteError when none comes in time."""
        assert self.sock is not None
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.sock], [], [], remaining)[0]:
                self.broken = True
                raise ZygoteError(f"the zygote did not answer within {timeout:g} s")
            try:
                message, pid, fds = _receive(self.sock)
            except (OSError, ValueError) as exc:
                self.broken = True
                raise ZygoteError(f"unreadable message from the zygote: {exc}") from exc
            for fd in fds:
                os.close(fd)
            if message is None:
                self.broken = True
                raise ZygoteError("the zygote ended")
            if message.get("op") == "exited":
                status = int(message.get("status", SETUP_FAILED))
                self.statuses[int(message.get("pid", -1))] = status
                if status == SETUP_FAILED:
                    self.broken = True  # a gate or init failed: something is wrong with this zygote
            if message.get("op") == "error":
                self.broken = True
                raise ZygoteError(f"the zygote failed: {message.get('detail')}")
            return message, pid

    def expect(self, op: str, timeout: float = STEP_TIMEOUT) -> tuple[dict[str, Any], int | None]:
        """The next message other than an ``exited`` report, which must be ``op``."""
        deadline = time.monotonic() + timeout
        while True:
            message, pid = self.receive(max(0.0, deadline - time.monotonic()))
            if message.get("op") != "exited":
                break
        if message.get("op") != op:
            self.broken = True
            raise ZygoteError(f"the zygote sent {message.get('op')!r} where {op!r} was expected")
        return message, pid

    def wait_ready(self, timeout: float) -> None:
        if not self.ready:
            message, _ = self.expect("ready", timeout)
            self.loaded = list(message.get("imported", []))
            self.ready = True

    def send(self, message: dict[str, Any], fds: Sequence[int] = ()) -> None:
        assert self.sock is not None
        try:
            _send(self.sock, message, fds)
        except OSError as exc:
            self.broken = True
            raise ZygoteError(f"the zygote does not listen: {exc}") from exc

    def status(self, pid: int, timeout: float) -> int | None:
        """How the gate ``pid`` ended (its init's status), waiting up to ``timeout`` for the report."""
        deadline = time.monotonic() + timeout
        while pid not in self.statuses and not self.broken:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            try:
                message, _ = self.receive(remaining)
            except ZygoteError:
                return None
            if message.get("op") != "exited":
                self.broken = True  # anything but a report here is out of place
        return self.statuses.pop(pid, None)

    def close(self) -> None:
        """Kill the zygote and everything it forked (bubblewrap's namespace ends with it)."""
        self.broken = True
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        shutil.rmtree(self.folder, ignore_errors=True)


class WarmPool:
    """The zygotes of one grading run: at most ``size`` (one per job), started together on first use."""

    def __init__(self, folder: Path, size: int, imports: Sequence[str], limits: Limits, data: Path | None,
                 seed: Path | None, extra: Sequence[Path]) -> None:  # fmt: skip
        self.folder = folder
        self.size = max(1, size)
        self.imports = list(imports)
        self.limits, self.data, self.seed, self.extra = limits, data, seed, list(extra)
        self.idle: list[Zygote] = []
        self.all: list[Zygote] = []
        self.lock = threading.Lock()
        self.count = 0
        self.closed = False

    def _new(self) -> Zygote:
        self.count += 1
        z = Zygote(self.folder / f"z{self.count}", self.imports, self.limits, self.data, self.seed,
                   self.extra)  # fmt: skip
        self.all.append(z)
        z.spawn(kernel_environment(z.workdir, "bwrap", self.data))
        return z

    def acquire(self) -> Zygote:
        """A zygote no other job uses now (started here if needed, with the others still missing, so they
        load their modules at the same time)."""
        with self.lock:
            if self.closed:
                raise ZygoteError("the grading run is over")
            if self.idle:
                return self.idle.pop()
            z = self._new()
            while len(self.all) < self.size:
                self.idle.append(self._new())
            return z

    def release(self, z: Zygote) -> None:
        """Give a zygote back; one that broke is killed instead."""
        with self.lock:
            if z.broken or self.closed:
                z.close()
                if z in self.all:
                    self.all.remove(z)
            else:
                self.idle.append(z)

    def close(self) -> None:
        with self.lock:
            self.closed = True
            zygotes, self.all, self.idle = list(self.all), [], []
        for z in zygotes:
            z.close()


class WarmKernel(Kernel):
    """A kernel forked by a zygote: the same interface as :class:`~coursekit.grading.kernel.Kernel`.

    Its working folder is the zygote's (a fresh tmpfs mounted over it for this kernel alone); its socket folder
    lies in the zygote's socket folder. Closing it gives the zygote back to the pool.
    """

    def __init__(self, pool: WarmPool, sockname: str, limits: Limits, data: Path | None = None,
                 seed: Path | None = None, extra: Sequence[Path] = ()) -> None:  # fmt: skip
        # the folders are known once a zygote is chosen (in start)
        super().__init__(
            Path("/nonexistent"), Path("/nonexistent"), "bwrap", limits, data, seed, extra
        )
        self.pool = pool
        self.sockname = sockname
        self.zygote: Zygote | None = None
        self.gate_pid = 0  # in the zygote's PID namespace
        self.host_gate = 0
        self.host_init = 0
        self.pidfd = -1

    def start(self, ready_timeout: float = 60.0) -> None:
        try:
            self.zygote = self.pool.acquire()
        except ZygoteError as exc:
            raise KernelStartError(f"no pre-warmed process: {exc}") from exc
        self.workdir = self.zygote.workdir
        self.sockdir = self.zygote.sockroot / self.sockname
        self._log = self.sockdir / "kernel.log"
        try:
            super().start(ready_timeout)
        except KernelStartError:
            self.zygote.broken = True  # whatever went wrong, this zygote is not used again
            raise

    def _launch(self, conn_file: Path) -> None:
        z = self.zygote
        assert z is not None
        lim = self.limits
        self.cgroup = make_cgroup(self.sockname + "-" + os.urandom(4).hex(), lim)
        request = {
            "op": "fork",
            "workdir": str(self.workdir),
            "env": self._environment(),
            "disk_bytes": lim.disk_mb * 1024 * 1024,
            "seed": str(self.seed) if self.seed is not None else None,
            "limits": {
                "memory_mb": lim.memory_mb,
                "file_mb": lim.file_mb,
                "cpu_s": int(lim.timeout * 1.5 + 30),
                "nofile": lim.nofile,
                "address_mb": lim.memory_mb + ADDRESS_HEADROOM_MB,
                "nproc": 0 if self.cgroup is not None else lim.nproc,
            },  # fmt: skip
            "args": ["-f", str(conn_file), *KERNEL_ARGS],
        }
        try:
            z.wait_ready(max(60.0, STEP_TIMEOUT))
            log = os.open(self._log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            try:
                z.send(request, [log])
            finally:
                os.close(log)
            message, host_gate = z.expect("gate")
            if not host_gate:
                z.broken = True
                raise ZygoteError("the gate's process id did not arrive")
            self.gate_pid, self.host_gate = int(message.get("pid", 0)), host_gate
            self.pidfd = os.pidfd_open(host_gate)
            if self.cgroup is not None:  # before anything of the submission exists
                (self.cgroup / "cgroup.procs").write_text(str(host_gate))
            z.send({"op": "go", "pid": self.gate_pid})
            _, host_init = z.expect("init")
            self.host_init = host_init or 0
        except (ZygoteError, OSError) as exc:
            if z is not None:
                z.broken = True
            raise KernelStartError(
                f"the pre-warmed process could not fork a kernel: {exc}"
            ) from exc

    def alive(self) -> bool:
        if self.pidfd < 0:
            return False
        return not select.select([self.pidfd], [], [], 0)[0]

    def kill(self) -> None:
        if self.pidfd < 0:
            return
        for pid in (self.host_init, self.host_gate):
            if pid and self.alive():
                try:  # the init is PID 1 of the submission's namespace: everything in it ends with it
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        select.select([self.pidfd], [], [], 10)

    def _exit_detail(self) -> str:
        code = None
        if self.zygote is not None and self.gate_pid:
            code = self.zygote.status(self.gate_pid, 2)
            self.gate_pid = 0
        return describe_exit(code, sandboxed=True)

    def close(self) -> None:
        super().close()
        if self.pidfd >= 0:
            os.close(self.pidfd)
            self.pidfd = -1
        z, self.zygote = self.zygote, None
        if z is not None:
            self.pool.release(z)
        shutil.rmtree(self.sockdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
