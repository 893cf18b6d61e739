"""The student's door: one notebook and one install, anywhere (no clone, no editable install).

* The wheel carries the course data and the bibliography, and asks for a student's dependencies only; the heavy
  tooling is in extras.
* In a **fresh virtual environment** that has never seen the repository, a released student notebook runs from a
  folder outside the checkout: its set-up cell installs coursekit from the wheel lying beside it (offline:
  ``PIP_NO_INDEX=1``), the blank notebook's checks all say "not attempted", and the answered one's all say
  "correct", with coursekit and its data read from the fresh environment.
* The set-up cell's other branches (already installed: do nothing; no wheel: install the tagged release from the
  repository) are tested by running its code with ``find_spec`` and ``subprocess.run`` replaced.
* Student-facing links point at the published book, never into the repository.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import nbformat
import pytest

import coursekit
from coursekit.exercises.format import BEGIN_SOLUTION, load_source, make_student_edition
from coursekit.exercises.markup import plain_notebook
from coursekit.exercises.publish import (
    INSTALL_MARKER,
    Publication,
    absolute_links,
    build_wheel,
    install_cell_source,
    publication,
    publish_notebook,
)

ROOT = Path(__file__).resolve().parents[1]
VERSION = coursekit.__version__
#: One set on the models (Part I) and one on the case data (Part II), which needs the data shipped in the wheel.
SETS = ["02-threat-and-balancing", "05-case-timeline"]
STATUS = re.compile(r"(✅|❌|⏳)\s*(q\d+[a-z:]*)")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(ROOT, tmp_path_factory.mktemp("wheel"))


def test_wheel_carries_data_and_asks_only_for_a_students_dependencies(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        meta = zf.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    data_files = {p.name for p in (ROOT / "data").glob("*.csv")} | {"datapackage.json"}
    assert {f"coursekit/_data/{n}" for n in data_files} <= names
    assert "coursekit/_data/references.bib" in names
    assert "coursekit/locale/en.po" in names  # the message catalogue (coursekit.messages)
    assert not any(
        n.startswith("coursekit/_data/") and not n.endswith((".csv", ".json", ".bib"))
        for n in names
    )
    assert not any(n.startswith(("tests/", "chapters/", "exercises/")) for n in names)
    required = [
        line.split(":", 1)[1].strip()
        for line in meta.splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    ]
    assert sorted(re.split(r"[<>=\s]", r)[0] for r in required) == [
        "ipywidgets",
        "matplotlib",
        "numpy",
        "pandas",
    ]
    extras = {
        line.split(":", 1)[1].strip()
        for line in meta.splitlines()
        if line.startswith("Provides-Extra")
    }
    assert {"grader", "book", "data"} <= extras


def test_data_dir_prefers_the_checkout_then_the_packaged_copy(monkeypatch, tmp_path) -> None:
    from coursekit import paths

    monkeypatch.delenv("COURSEKIT_DATA", raising=False)
    assert paths.data_dir() == ROOT / "data"  # an editable install reads the checkout
    assert paths.packaged_data_dir() is None  # and copies nothing into site-packages
    monkeypatch.setenv("COURSEKIT_DATA", str(tmp_path))
    assert paths.data_dir() == tmp_path


def _answered(path: Path) -> nbformat.NotebookNode:
    """The student edition with every auto-graded answer cell holding the reference solution."""
    ex = load_source(path)
    solutions = {}
    for q in ex.questions:
        if q.kind != "manual" and q.solution_cell is not None:
            src = ex.notebook.cells[q.solution_cell].source
            solutions[q.qid] = "\n".join(
                line
                for line in src.splitlines()
                if not re.match(r"\s*### (BEGIN|END) SOLUTION", line)
            )
    assert BEGIN_SOLUTION not in "".join(solutions.values())
    nb = make_student_edition(ex)
    for cell in nb.cells:
        meta = cell.metadata.get("coursekit", {})
        if cell.cell_type == "code" and "answer" in meta:
            cell.source = solutions[meta["question"]]
    return nb


def _released(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    return plain_notebook(publish_notebook(nb, VERSION, publication(ROOT), roles=True))


@pytest.fixture(scope="module")
def fresh_env(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> dict[str, Path]:
    """A new virtual environment with a student's dependencies and a kernel, but without coursekit."""
    base = tmp_path_factory.mktemp("fresh")
    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    quiet = {"capture_output": True, "text": True}
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(wheel), "ipykernel"], **quiet
    )
    assert done.returncode == 0, done.stderr[-2000:]
    _uninstall(python)
    kernels = base / "jupyter" / "kernels" / "fresh"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "fresh student environment",
                "language": "python",
            }
        )
    )
    return {"python": python, "jupyter": base / "jupyter", "base": base}


def _uninstall(python: Path) -> None:
    done = subprocess.run(
        [str(python), "-m", "pip", "uninstall", "--yes", "coursekit"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def _run_in_fresh(nb: nbformat.NotebookNode, fresh: dict[str, Path], workdir: Path, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("JUPYTER_PATH", str(fresh["jupyter"]))
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # the set-up cell must not need the network
    monkeypatch.delenv("COURSEKIT_DATA", raising=False)
    monkeypatch.delenv("PYTHONPATH", raising=False)
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "import coursekit, coursekit.paths\n"
            "print('COURSEKIT-AT', coursekit.__file__)\n"
            "print('DATA-AT', coursekit.paths.data_dir())"
        )
    )
    client = NotebookClient(
        nb, kernel_name="fresh", timeout=180, resources={"metadata": {"path": str(workdir)}}
    )
    client.execute()
    return nb


def _text(cell: nbformat.NotebookNode) -> str:
    return "".join(
        o.get("text", "") or "".join(o.get("data", {}).get("text/plain", ""))
        for o in cell.get("outputs", [])
    )


def _check_statuses(nb: nbformat.NotebookNode) -> list[str]:
    found = []
    for cell in nb.cells:
        if cell.cell_type == "code" and "check(" in cell.source and "coursekit" in cell.metadata:
            found += [m.group(1) for m in STATUS.finditer(_text(cell))]
    return found


@pytest.mark.parametrize("set_id", SETS)
def test_student_notebook_runs_blank_and_answered_in_a_fresh_environment(
    set_id, fresh_env, wheel, tmp_path, monkeypatch
) -> None:
    source = ROOT / "exercises" / f"{set_id}.ipynb"
    workdir = tmp_path / "student"
    workdir.mkdir()
    (workdir / wheel.name).write_bytes(wheel.read_bytes())  # as the offline zip lays it out
    _uninstall(fresh_env["python"])  # each run starts as a student's would: without coursekit

    blank = _run_in_fresh(
        _released(make_student_edition(load_source(source))), fresh_env, workdir, monkeypatch
    )
    install = next(
        c for c in blank.cells if c.cell_type == "code" and c.source.startswith(INSTALL_MARKER)
    )
    assert "Installing the course package from" in _text(install) and wheel.name in _text(install)
    assert "Done." in _text(install)
    where = _text(blank.cells[-1])
    venv_dir = str(fresh_env["python"].parent.parent)
    assert f"COURSEKIT-AT {venv_dir}" in where, where
    assert f"DATA-AT {venv_dir}" in where and "_data" in where, where
    statuses = _check_statuses(blank)
    assert statuses and set(statuses) == {"⏳"}, statuses

    answered = _run_in_fresh(_released(_answered(source)), fresh_env, workdir, monkeypatch)
    install = next(
        c for c in answered.cells if c.cell_type == "code" and c.source.startswith(INSTALL_MARKER)
    )
    assert _text(install) == ""  # already installed: the set-up cell does nothing
    statuses = _check_statuses(answered)
    assert statuses and set(statuses) == {"✅"}, statuses


def _run_install_cell(monkeypatch, tmp_path, *, installed: bool, wheel_name: str | None):
    calls: list[list[str]] = []

    def fake_run(cmd, *args, **kwargs):
        calls.append(list(cmd))
        return subprocess.CompletedProcess(cmd, 0)

    if wheel_name:
        (tmp_path / wheel_name).write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(subprocess, "run", fake_run)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: object() if installed else None)
    pub = Publication("https://github.com/example/course", "https://example.github.io/course/")
    exec(compile(install_cell_source("9.8.7", pub), "<install cell>", "exec"), {})
    return calls


def test_install_cell_does_nothing_where_coursekit_is_installed(monkeypatch, tmp_path) -> None:
    assert _run_install_cell(monkeypatch, tmp_path, installed=True, wheel_name=None) == []


def test_install_cell_prefers_the_wheel_beside_the_notebook(monkeypatch, tmp_path) -> None:
    calls = _run_install_cell(
        monkeypatch, tmp_path, installed=False, wheel_name="coursekit-9.8.7-py3-none-any.whl"
    )
    assert len(calls) == 1 and calls[0][1:4] == ["-m", "pip", "install"]
    assert calls[0][-1] == str(tmp_path / "coursekit-9.8.7-py3-none-any.whl")


def test_install_cell_installs_the_tagged_release_and_ignores_other_versions(
    monkeypatch, tmp_path
) -> None:
    calls = _run_install_cell(
        monkeypatch, tmp_path, installed=False, wheel_name="coursekit-1.0.0-py3-none-any.whl"
    )
    assert calls[0][-1] == "coursekit @ git+https://github.com/example/course.git@v9.8.7"
    assert sys.executable == calls[0][0]


def test_publication_comes_from_config(tmp_path) -> None:
    pub = publication(ROOT)
    assert pub.repository.startswith("https://github.com/")
    org, repo = pub.repository.rstrip("/").split("/")[-2:]
    assert pub.book == f"https://{org}.github.io/{repo}/"
    (tmp_path / "_config.yml").write_text("repository:\n  url: https://gitlab.example/x/y\n")
    with pytest.raises(ValueError, match="html.baseurl"):
        publication(tmp_path)
    (tmp_path / "_config.yml").write_text(
        "repository:\n  url: https://gitlab.example/x/y\nhtml:\n  baseurl: https://book.example/c\n"
    )
    assert publication(tmp_path).page("chapters/glossary.md#term-x") == (
        "https://book.example/c/chapters/glossary.html#term-x"
    )


def test_absolute_links_resolve_from_the_exercise_pages() -> None:
    pub = Publication("https://github.com/o/r", "https://o.github.io/r/")
    text = (
        "See [the chapter](../theory-02-balancing.md#walt), {doc}`the data <../appendix-data>`, "
        "[set 3](03-rational-choice.ipynb), ![a figure](../img/x.md) and [a site](https://x.org/a.md)."
    )
    out = absolute_links(text, pub, roles=True)
    assert "[the chapter](https://o.github.io/r/chapters/theory-02-balancing.html#walt)" in out
    assert "[the data](https://o.github.io/r/chapters/appendix-data.html)" in out
    assert "[set 3](https://o.github.io/r/chapters/exercises/03-rational-choice.html)" in out
    assert "![a figure](../img/x.md)" in out and "[a site](https://x.org/a.md)" in out
    assert "{doc}" in absolute_links("{doc}`x <../a>`", pub)  # the book keeps its roles


LINK = re.compile(r"\]\(([^)\s]+)\)")


@pytest.mark.parametrize("kind", ["released", "page"])
def test_no_student_facing_link_points_into_the_repository(kind, tmp_path) -> None:
    from coursekit.book import source_of

    pub = publication(ROOT)
    if kind == "released":
        notebooks = [
            _released(make_student_edition(load_source(p)))
            for p in sorted((ROOT / "exercises").glob("*.ipynb"))
        ]
    else:
        notebooks = [
            nbformat.read(p, as_version=4)
            for p in sorted((ROOT / "chapters/exercises").glob("*.ipynb"))
        ]
    seen = 0
    for nb in notebooks:
        for cell in nb.cells:
            if cell.cell_type != "markdown":
                continue
            for target in LINK.findall(cell.source):
                assert not re.search(r"\.(md|ipynb)(#|$)", target), (
                    f"{kind}: repository link {target}"
                )
                if target.startswith(pub.book):
                    seen += 1
                    page = target[len(pub.book) :].split("#")[0].removesuffix(".html")
                    assert source_of(page, ROOT) is not None, (
                        f"{kind}: {target} is not a page of the book"
                    )
    assert seen > 0
