"""The bubblewrap sandbox holds what the instructor guide promises, probed from inside a grading kernel.

Each test runs code in one sandboxed kernel (module fixture) the way a submission would, and checks what it
could do: the kernel's user, the sysctls, memory including shared-memory maps, every writable place (the
sandbox's own root, ``/tmp``, ``/dev/shm``, the working folder, the grader's socket folder) and the number of
processes. The grader runs as root in CI, which is when these matter most.
"""

from __future__ import annotations

import ast
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from coursekit.grading import kernel
from coursekit.grading.kernel import ADDRESS_HEADROOM_MB, Kernel, Limits

pytestmark = pytest.mark.skipif(not kernel.bwrap_path(), reason="bubblewrap is not usable here")

LIMITS = Limits(cell_timeout=60, timeout=300, memory_mb=512, file_mb=8, disk_mb=32, nproc=40)


class Probe:
    def __init__(self, k: Kernel, workdir: Path, sockdir: Path) -> None:
        self.k, self.workdir, self.sockdir = k, workdir, sockdir

    def __call__(self, code: str, timeout: float = 60) -> object:
        """Run ``code`` in the sandboxed kernel; return the value it leaves in ``result``."""
        reply = self.k.execute(code, timeout)
        assert reply.status == "ok", (reply.status, reply.ename, reply.evalue, reply.detail)
        reply = self.k.execute("", timeout, {"r": "repr(result)"})
        entry = reply.expressions["r"]
        assert entry["status"] == "ok", entry
        return ast.literal_eval(ast.literal_eval(entry["data"]["text/plain"]))


@pytest.fixture(scope="module")
def probe():
    base = Path(tempfile.mkdtemp(prefix="ck-sbx-", dir="/tmp"))
    workdir, sockdir = base / "w", base / "k"
    k = Kernel(workdir, sockdir, "bwrap", LIMITS)
    k.start()
    yield Probe(k, workdir, sockdir)
    k.close()
    shutil.rmtree(base, ignore_errors=True)


def test_the_kernel_is_not_root_inside_the_sandbox(probe):
    assert probe("import os\nresult = (os.getuid(), os.geteuid(), os.getgid())") == (
        65534,
        65534,
        65534,
    )


def test_no_sysctl_can_be_written(probe):
    # the grader itself may be root (as in CI): even then no file of /proc/sys opens for writing
    writable = probe(
        "import os\nresult = []\n"
        "for folder, _dirs, files in os.walk('/proc/sys'):\n"
        "    for name in files:\n"
        "        path = os.path.join(folder, name)\n"
        "        try:\n"
        "            fd = os.open(path, os.O_WRONLY)\n"
        "        except OSError:\n"
        "            continue\n"
        "        os.close(fd)\n"
        "        result.append(path)\n"
    )
    assert writable == []
    assert probe(
        "try:\n    open('/proc/sys/kernel/hostname', 'w').write('owned')\n    result = 'written'\n"
        "except OSError as exc:\n    result = type(exc).__name__"
    ) in ("PermissionError", "OSError")


def test_a_shared_memory_map_past_the_limit_is_refused(probe):
    # the data limit does not count shared maps; the address-space limit does
    assert probe(
        "import mmap\ntry:\n    m = mmap.mmap(-1, 1 << 30)\n    result = 'mapped'\n    m.close()\n"
        "except (OSError, MemoryError) as exc:\n    result = type(exc).__name__"
    ) in ("OSError", "MemoryError")
    mapped_mb = probe(
        "import mmap\nmaps = []\ntry:\n    while len(maps) < 100:\n        maps.append(mmap.mmap(-1, 64 << 20))\n"
        "except (OSError, MemoryError):\n    pass\nresult = 64 * len(maps)\nfor m in maps:\n    m.close()\ndel maps"
    )
    assert mapped_mb <= LIMITS.memory_mb + ADDRESS_HEADROOM_MB


FILL = (
    "import os\nwritten = 0\nblock = b'x' * (1 << 20)\n"
    "try:\n"
    "    for i in range(400):\n"
    "        with open(os.path.join({folder!r}, f'fill-{{i}}'), 'wb') as fh:\n"
    "            fh.write(block)\n"
    "        written += 1\n"
    "except OSError:\n    pass\n"
    "for i in range(written + 1):\n"
    "    try:\n        os.remove(os.path.join({folder!r}, f'fill-{{i}}'))\n    except OSError:\n        pass\n"
    "result = written\n"
)


@pytest.mark.parametrize("where", ["workdir", "/tmp", "/dev/shm"])
def test_writable_places_are_size_limited(probe, where):
    folder = str(probe.workdir) if where == "workdir" else where
    written_mb = probe(FILL.format(folder=folder))
    assert 1 <= written_mb <= LIMITS.disk_mb


@pytest.mark.parametrize("where", ["/", "/dev", "/etc", "/usr", "sockdir"])
def test_everything_else_is_read_only(probe, where):
    folder = str(probe.sockdir) if where == "sockdir" else where
    assert probe(FILL.format(folder=folder)) == 0
    if where == "sockdir":
        assert not any(p.name.startswith("fill-") for p in probe.sockdir.iterdir())


def test_the_number_of_processes_is_limited(probe):
    group = kernel.make_cgroup(f"probe-{os.getpid()}", LIMITS)
    if group is not None:
        kernel.remove_cgroup(group)
    elif os.getuid() == 0:
        pytest.skip("root without a pids cgroup: Linux enforces no process limit for root")
    started = probe(
        "import os, time, signal\nkids = []\n"
        "try:\n"
        "    while len(kids) < 400:\n"
        "        pid = os.fork()\n"
        "        if pid == 0:\n"
        "            time.sleep(60)\n"
        "            os._exit(0)\n"
        "        kids.append(pid)\n"
        "except OSError:\n    pass\n"
        "for pid in kids:\n    os.kill(pid, signal.SIGKILL)\n    os.waitpid(pid, 0)\n"
        "result = len(kids)\n"
    )
    assert started < LIMITS.nproc
