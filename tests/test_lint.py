"""The house keeps itself tidy: lint, format and type checks are part of ``make test``.

Each check runs the project's own tool from the test environment (the ``.venv`` that ``make test`` creates), as
a subprocess, with the configuration in ``pyproject.toml``, so a contributor's ``make test`` and CI run exactly
what ``make lint`` and the pre-commit hooks run. A failure shows the tool's own report.

* ``ruff check`` over ``src/``, ``tests/`` and ``benchmarks/`` (rules in ``[tool.ruff.lint]``);
* ``ruff format --check`` over the same folders (a file that would be reformatted fails);
* ``mypy`` over ``src/coursekit`` (settings and the per-package strictness in ``[tool.mypy]``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LINTED = ["src", "tests", "benchmarks"]


def _tool(name: str) -> str:
    exe = BIN / name
    if not exe.exists():
        pytest.fail(
            f"{name} is not installed in {BIN}: run `make venv` (it is listed in requirements.txt)"
        )
    return str(exe)


def _run(args: list[str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def _report(proc: subprocess.CompletedProcess[str]) -> str:
    return f"$ {' '.join(proc.args)}  (exit {proc.returncode})\n{proc.stdout}{proc.stderr}"


def test_ruff_check_passes() -> None:
    proc = _run([_tool("ruff"), "check", "--no-cache", *LINTED])
    assert proc.returncode == 0, "ruff found problems (`make format` fixes most):\n" + _report(proc)


def test_ruff_format_check_passes() -> None:
    proc = _run([_tool("ruff"), "format", "--check", "--no-cache", *LINTED])
    assert proc.returncode == 0, "files need formatting (run `make format`):\n" + _report(proc)


def test_mypy_passes() -> None:
    # Files, strictness and exceptions come from [tool.mypy] in pyproject.toml; nothing is passed here.
    proc = _run([_tool("mypy")])
    assert proc.returncode == 0, "mypy found type errors:\n" + _report(proc)


def test_a_lint_error_fails_the_check(tmp_path: Path) -> None:
    """The checks are real: an unused import, a badly formatted line and a wrong type are each caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n\n\ndef f(x: int) -> str:\n    return x\n")
    assert _run([_tool("ruff"), "check", "--no-cache", str(bad)]).returncode != 0
    ugly = tmp_path / "ugly.py"
    ugly.write_text("x = {  'a':1 }\n")
    assert _run([_tool("ruff"), "format", "--check", "--no-cache", str(ugly)]).returncode != 0
    proc = _run([_tool("mypy"), "--no-incremental", "--config-file", "", str(bad)])
    assert proc.returncode != 0 and "Incompatible return value type" in proc.stdout, _report(proc)
