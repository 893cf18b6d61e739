"""Pre-warmed kernels (issue 21) isolate each submission at least as well as a fresh sandboxed kernel.

* The sandbox probes of ``test_grading_sandbox.py`` run again here against a kernel forked by a zygote (their
  ``probe`` fixture is replaced by one that gives a warm kernel): unprivileged user, no writable sysctl, the
  address-space limit, size-limited writable places, everything else read-only, the process limit.
* State one submission leaves behind (patched modules, files in ``/tmp``, ``/dev/shm`` and the working/home
  folder, environment variables, a background thread, a background process, open descriptors, a POSIX shared
  memory segment, an abstract Unix socket) is invisible to the next submission forked by the same zygote.
* A kernel that kills itself leaves its zygote usable; a zygote that misbehaves is killed and replaced.
* A class with right, wrong, blank, looping, crashing and hostile submissions gets the same gradebook with
  warm and with fresh kernels, through the real command.
* Where the machine cannot give the isolation, the run falls back to fresh kernels and says so.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from grading_cases import answer, correct, student_edition, submission, write, write_source
from test_grading_hostile import EDITS, run_cli
from test_grading_sandbox import (  # noqa: F401 - collected here again, with the warm ``probe`` below
    LIMITS,
    Probe,
    test_a_shared_memory_map_past_the_limit_is_refused,
    test_everything_else_is_read_only,
    test_no_sysctl_can_be_written,
    test_the_kernel_is_not_root_inside_the_sandbox,
    test_the_number_of_processes_is_limited,
    test_writable_places_are_size_limited,
)

from coursekit.data import TABLES
from coursekit.grading import grader, warm
from coursekit.grading.kernel import Kernel, KernelStartError
from coursekit.paths import data_dir

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

needs_warm = pytest.mark.skipif(
    warm.warm_support() != "", reason=f"pre-warmed kernels unavailable: {warm.warm_support()}"
)


# ---- what is imported, and when warm kernels are used ------------------------------------------------------


def test_only_the_setup_cells_top_level_module_imports_are_read():
    source = (
        "# coursekit: setup\nimport pandas as pd\nimport numpy.linalg, json\n"
        "from coursekit import data, theory\nfrom coursekit.exercises import check, hint\n"
        "from . import local\nfrom os.path import *\n"
        "events = data.load_events()\nif events is not None:\n    import socket\n"
        "def later():\n    import http.server\n"
        "__import__('subprocess')\n"
    )
    assert warm.setup_imports(source) == [
        "pandas",
        "numpy.linalg",
        "json",
        "coursekit",
        "coursekit.data",
        "coursekit.theory",
        "coursekit.exercises",
        "coursekit.exercises.check",
        "coursekit.exercises.hint",
        "os.path",
    ]
    assert warm.setup_imports("import (") == []


def test_names_that_are_not_modules_are_not_imported():
    done, failed = warm._import_modules(["json", "json.dumps", "json.decoder", "no_such_module_x"])
    assert done == ["json", "json.decoder"]
    assert failed == ["no_such_module_x"]


def test_warm_kernels_fall_back_to_fresh_and_say_why(monkeypatch):
    assert warm.resolve_kernels("fresh", "bwrap") == ("fresh", "")
    mode, why = warm.resolve_kernels("warm", "none")
    assert mode == "fresh" and "need the bwrap sandbox" in why
    monkeypatch.setattr(warm, "warm_support", lambda: "pre-warmed kernels need bubblewrap")
    mode, why = warm.resolve_kernels("auto", "bwrap")
    assert mode == "fresh" and why.startswith("pre-warmed kernels need bubblewrap")
    with pytest.raises(ValueError, match="unknown kernel mode"):
        warm.resolve_kernels("tepid", "bwrap")


def test_without_bubblewrap_the_probe_says_so(monkeypatch):
    monkeypatch.setattr(warm, "bwrap_path", lambda: None)
    warm.warm_support.cache_clear()
    try:
        assert "bubblewrap" in warm.warm_support()
    finally:
        monkeypatch.undo()
        warm.warm_support.cache_clear()


def test_the_run_says_which_kernels_it_used(tmp_path):
    source = write_source(tmp_path)
    subs = tmp_path / "subs"
    subs.mkdir()
    write(correct(source), subs / "a.ipynb")
    proc = run_cli(source, subs, "--out", tmp_path / "out", "--sandbox", "none", "--jobs", "1")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "kernels: fresh (pre-warmed kernels need the bwrap sandbox" in proc.stderr
    assert "kernels fresh" in proc.stdout


# ---- a pool of zygotes, for the probes ---------------------------------------------------------------------

# the course data and its bibliography, mounted read-only as the grader mounts them
DATA = data_dir()
EXTRA = [bib] if (bib := grader._bibliography(DATA)) is not None and bib.parent != DATA else []


@pytest.fixture(scope="module")
def pool() -> Iterator[warm.WarmPool]:
    if warm.warm_support():
        pytest.skip(f"pre-warmed kernels unavailable: {warm.warm_support()}")
    base = Path(tempfile.mkdtemp(prefix="ck-warm-", dir="/tmp"))
    p = warm.WarmPool(
        base, 1, ["pandas", "coursekit.exercises", "coursekit.data"], LIMITS, DATA, None, EXTRA
    )
    yield p
    p.close()
    shutil.rmtree(base, ignore_errors=True)


def _start(pool: warm.WarmPool, name: str) -> warm.WarmKernel:
    k = warm.WarmKernel(pool, name, LIMITS, DATA, None, EXTRA)  # as the grader starts them
    k.start()
    return k


@pytest.fixture(scope="module")
def probe(pool: warm.WarmPool) -> Iterator[Probe]:
    """The sandbox probes' kernel, forked by a zygote (replaces ``test_grading_sandbox``'s fixture here)."""
    k = _start(pool, "probe")
    yield Probe(k, k.workdir, k.sockdir)
    k.close()


def _value(k: Kernel, code: str) -> object:
    return Probe(k, k.workdir, k.sockdir)(code)


LEAVE = """
import os, statistics, sys, threading, time, types, socket, subprocess
from multiprocessing import shared_memory
import pandas
result = {"tasks": len(os.listdir("/proc/self/task")), "pid": os.getpid()}
from coursekit.data import loaders
result["preloaded"] = loaders._load.cache_info().currsize
loaders._load(loaders._folder(None), "events")["title"] = "left by a"  # the zygote's cached table itself
statistics.mean = lambda *a, **k: "patched"
pandas.read_csv = None
sys.modules["coursekit.grading.export"] = types.ModuleType("fake_exporter")
for place in ("/tmp", "/dev/shm", os.getcwd(), os.path.expanduser("~")):
    with open(os.path.join(place, "left-by-a"), "w") as fh:
        fh.write("secret of submission a")
os.environ["LEFT_BY_A"] = "1"
threading.Thread(target=time.sleep, args=(600,), name="left-by-a").start()
fd = os.open("/tmp/left-by-a", os.O_RDONLY)
os.dup2(fd, 200)
listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listener.bind("\\0left-by-a")
listener.listen(1)
segment = shared_memory.SharedMemory(name="left_by_a", create=True, size=4096)
sleeper = subprocess.Popen(["sleep", "600"])
result["sleeper"] = sleeper.pid
"""

LOOK = """
import os, statistics, sys, threading, socket
from multiprocessing import shared_memory
import pandas
def absent(path):
    return not os.path.exists(path)
def fd_closed(fd):
    try:
        os.fstat(fd)
        return False
    except OSError:
        return True
def no_socket():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect("\\0left-by-a")
        return False
    except OSError:
        return True
    finally:
        s.close()
def no_segment():
    try:
        shared_memory.SharedMemory(name="left_by_a")
        return False
    except FileNotFoundError:
        return True
from coursekit import data
result = {
    "data": "left by a" not in set(data.load_events()["title"]),
    "statistics": statistics.mean([1, 3]) == 2,
    "pandas": pandas.read_csv is not None,
    "exporter": sys.modules["coursekit.grading.export"].__name__ == "coursekit.grading.export",
    "files": [p for p in ("/tmp", "/dev/shm", os.getcwd(), os.path.expanduser("~"))
              if not absent(os.path.join(p, "left-by-a"))],
    "env": "LEFT_BY_A" in os.environ,
    "threads": [t.name for t in threading.enumerate() if t.name == "left-by-a"],
    "tasks": len(os.listdir("/proc/self/task")),
    "fd": fd_closed(200),
    "socket": no_socket(),
    "segment": no_segment(),
    "processes": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
    "pid": os.getpid(),
}
"""


def test_nothing_of_one_submission_is_visible_to_the_next(pool):
    a = _start(pool, "a")
    zygote = a.zygote
    assert zygote is not None and zygote.proc is not None
    left = _value(a, LEAVE)
    assert isinstance(left, dict) and left["sleeper"] > 2
    # the course data was read and checked once, in the zygote (the setup cell imports coursekit.data)
    assert left["preloaded"] == len(TABLES)
    a.close()
    b = _start(pool, "b")
    try:
        assert b.zygote is zygote  # the same pre-warmed process forked both
        seen = _value(b, LOOK)
    finally:
        b.close()
    assert seen == {
        "data": True,
        "statistics": True,
        "pandas": True,
        "exporter": True,
        "files": [],
        "env": False,
        "threads": [],
        "tasks": left["tasks"],
        "fd": True,
        "socket": True,
        "segment": True,
        "processes": [
            1,
            2,
        ],  # its init and itself: not the sleeper, not the zygote, not the other kernel
        "pid": 2,
    }
    assert zygote.proc.poll() is None and not zygote.broken


def test_each_kernel_has_its_own_random_state(pool):
    draws = []
    for name in ("r1", "r2"):
        k = _start(pool, name)
        try:
            draws.append(
                _value(
                    k,
                    "import random, numpy\nresult = (random.random(), float(numpy.random.rand()))",
                )
            )
        finally:
            k.close()
    assert draws[0][0] != draws[1][0] and draws[0][1] != draws[1][1]


def test_a_kernel_that_kills_itself_leaves_its_zygote_usable(pool):
    k = _start(pool, "kill")
    zygote = k.zygote
    try:
        reply = k.execute("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", 20)
    finally:
        k.close()
    assert reply.status == "died"
    assert "SIGKILL" in reply.detail
    again = _start(pool, "after-kill")
    try:
        assert again.zygote is zygote
        assert _value(again, "result = 6 * 7") == 42
    finally:
        again.close()


def test_a_zygote_that_misbehaved_is_never_used_again(pool):
    k = _start(pool, "before")
    zygote = k.zygote
    k.close()
    assert zygote is not None and zygote.proc is not None
    zygote.send({"op": "no such request"})  # the zygote answers with an error and ends
    broken = warm.WarmKernel(pool, "broken", LIMITS)
    with pytest.raises(KernelStartError):
        broken.start()
    broken.close()
    assert zygote.broken and zygote.proc.poll() is not None
    assert zygote not in pool.all
    fresh = _start(pool, "replacement")
    try:
        assert fresh.zygote is not zygote
        assert _value(fresh, "result = 1 + 1") == 2
    finally:
        fresh.close()


def test_a_kernel_runs_out_of_time_and_is_interrupted(pool):
    k = _start(pool, "loop")
    try:
        reply = k.execute("while True:\n    pass", 2)
        assert reply.status == "timeout" and not reply.killed
        assert _value(k, "result = 'still here'") == "still here"
    finally:
        k.close()


# ---- the same grades with warm and fresh kernels ----------------------------------------------------------


def _class(source: Path, folder: Path) -> None:
    folder.mkdir()
    write(correct(source), folder / "correct.ipynb")
    write(student_edition(source), folder / "blank.ipynb")
    write(
        submission(source, lambda nb: answer(nb, "q1", "peak_year = 2018")), folder / "wrong.ipynb"
    )
    write(
        submission(source, lambda nb: answer(nb, "q2", "    return power / 0")),
        folder / "raises.ipynb",
    )
    write(
        submission(source, lambda nb: answer(nb, "q1", "while True:\n    pass")),
        folder / "loop.ipynb",
    )
    write(
        submission(source, lambda nb: answer(nb, "q1", "import os\nos.kill(os.getpid(), 9)")),
        folder / "suicide.ipynb",
    )
    write(
        submission(
            source,
            lambda nb: answer(
                nb,
                "q1",
                "import os\nopen('/tmp/x', 'w').write('1')\nos.environ['X'] = '1'\npeak_year = 2019",
            ),
        ),
        folder / "litters.ipynb",
    )
    write(
        submission(
            source, lambda nb: answer(nb, "q1", "import time\ntime.sleep(1)\npeak_year = 2019")
        ),
        folder / "slow.ipynb",
    )
    for name, edit in EDITS.items():
        if not name.startswith("="):
            write(submission(source, edit), folder / f"{name}.ipynb")
    write("{not json", folder / "unreadable.ipynb")


def _gradebook(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return sorted(csv.DictReader(fh), key=lambda r: (r["submission"], r["question"]))


@needs_warm
def test_warm_and_fresh_kernels_give_the_same_gradebook(tmp_path):
    source = write_source(tmp_path)
    subs = tmp_path / "class"
    _class(source, subs)
    books = {}
    for mode in ("fresh", "warm"):
        out = tmp_path / mode
        proc = run_cli(source, subs, "--out", out, "--jobs", "2", "--kernels", mode,
                       "--sandbox", "bwrap", "--cell-timeout", "5", "--timeout", "120")  # fmt: skip
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert f"kernels: {mode}" in proc.stderr
        books[mode] = _gradebook(out / "gradebook.csv")
    assert books["warm"] == books["fresh"]
    status = {(r["submission"], r["question"]): r["status"] for r in books["warm"]}
    assert status[("correct", "q1")] == "passed"
    assert status[("wrong", "q1")] == "partial"  # a whole number, but not the year
    assert status[("loop", "q1")] == "timeout"
    assert status[("suicide", "q1")] != "passed"
    assert status[("litters", "q1")] == "passed"
    assert len({r["submission"] for r in books["warm"]}) == 14
