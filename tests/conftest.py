"""Shared fixtures: the project paths and one strict, execution-forced book build per test run.

The book is built once per run even under pytest-xdist: the first worker to ask builds it under a file lock in the
run's shared temporary folder, the others reuse the result.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
import yaml
from filelock import FileLock

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


def jupyter_book() -> str:
    """Path of the jupyter-book executable of the running environment."""
    exe = VENV_BIN / "jupyter-book"
    return str(exe) if exe.exists() else (shutil.which("jupyter-book") or "jupyter-book")


def exercise_cell(
    cell_type: str, source: str, tags: list[str] | None = None, /, **meta
) -> nbformat.NotebookNode:
    """A notebook cell in the exercise format: ``cell_type`` "code" or "md", Jupyter tags, ``coursekit`` metadata."""
    new = nbformat.v4.new_code_cell if cell_type == "code" else nbformat.v4.new_markdown_cell
    cell = new(source)
    if tags:
        cell.metadata["tags"] = tags
    if meta:
        cell.metadata["coursekit"] = meta
    return cell


@dataclass
class BookBuild:
    """The result of a book build: exit status, combined log and the HTML folder."""

    returncode: int
    log: str
    html: Path


def build_book(
    source: Path, out: Path, *, force: bool = True, extra_config: dict | None = None
) -> BookBuild:
    """Build the Jupyter Book in ``source`` strictly into ``out`` (execution forced unless ``force=False``)."""
    config = yaml.safe_load((source / "_config.yml").read_text(encoding="utf-8"))
    if force:
        config.setdefault("execute", {})["execute_notebooks"] = "force"
    for key, value in (extra_config or {}).items():
        config[key] = value
    out.mkdir(parents=True, exist_ok=True)
    config_file = out / "_config.test.yml"
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.run(
        [
            jupyter_book(),
            "build",
            str(source),
            "--config",
            str(config_file),
            "--path-output",
            str(out),
            "-n",
            "-W",
            "--keep-going",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=1800,
    )
    return BookBuild(proc.returncode, proc.stdout + proc.stderr, out / "_build" / "html")


@pytest.fixture(scope="session")
def root() -> Path:
    """The repository root."""
    return ROOT


@pytest.fixture(scope="session")
def built_book(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> BookBuild:
    """The whole book, built once per test run strictly with execution forced."""
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent
    out = shared / "book"
    marker = shared / "book.json"
    with FileLock(str(shared / "book.lock")):
        if marker.exists():
            data = json.loads(marker.read_text())
            return BookBuild(data["returncode"], data["log"], Path(data["html"]))
        result = build_book(ROOT, out)
        marker.write_text(
            json.dumps(
                {"returncode": result.returncode, "log": result.log, "html": str(result.html)}
            )
        )
        return result
