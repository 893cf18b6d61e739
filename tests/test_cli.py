"""The ``coursekit`` command: --help lists the commands, --version prints the version."""

from __future__ import annotations

import subprocess
import sys

import coursekit
from coursekit.cli import COMMANDS, main


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "coursekit", *args], capture_output=True, text=True, timeout=120
    )


def test_version():
    proc = run_cli("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"coursekit {coursekit.__version__}"


def test_help_lists_every_available_command():
    proc = run_cli("--help")
    assert proc.returncode == 0
    import importlib.util

    for name, module in COMMANDS:
        if importlib.util.find_spec(module) is not None:
            assert name in proc.stdout, f"{name} missing from --help"


def test_no_command_prints_help_and_fails(capsys):
    assert main([]) == 2
    assert "usage: coursekit" in capsys.readouterr().out


def test_unknown_command_is_an_argument_error():
    proc = run_cli("frobnicate")
    assert proc.returncode == 2
    assert "invalid choice" in proc.stderr
