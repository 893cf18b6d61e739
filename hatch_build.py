"""Build hook: put the course data into the wheel (``coursekit/_data``), but not into an editable install.

A student's ``pip install`` of the wheel (or of the repository URL, which builds one) gets ``data/`` and
``references.bib`` as package data, read through ``importlib.resources`` (see ``coursekit.paths``). An editable
install (``make venv``) reads the checkout's own ``data/``, so a copy there would only go stale.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

#: What of ``data/`` a student needs: the tables and their descriptor (not the maintainers' scripts).
DATA_SUFFIXES = {".csv", ".json"}


def package_data(root: str | Path) -> dict[str, str]:
    """Checkout path → path inside the wheel, for every file the course data needs."""
    root = Path(root)
    files = {
        str(p): f"coursekit/_data/{p.name}"
        for p in sorted((root / "data").iterdir())
        if p.is_file() and p.suffix in DATA_SUFFIXES
    }
    files[str(root / "references.bib")] = "coursekit/_data/references.bib"
    return files


class CustomBuildHook(BuildHookInterface):
    """Force-include the course data in standard wheels."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name == "wheel" and version == "standard":
            build_data["force_include"].update(package_data(self.root))
