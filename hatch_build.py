"""Build hook: put the course data into the wheel (``coursekit/_data``), but not into an editable install.

A student's ``pip install`` of the wheel (or of the repository URL, which builds one) gets ``data/`` and
``references.bib`` as package data, read through ``importlib.resources`` (see ``coursekit.paths``). An editable
install (``make venv``) reads the checkout's own ``data/``, so a copy there would only go stale.
"""

from __future__ import annotations

from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

#: checkout path → path inside the wheel
PACKAGE_DATA = {"data": "coursekit/_data", "references.bib": "coursekit/_data/references.bib"}


class CustomBuildHook(BuildHookInterface):
    """Force-include the course data in standard wheels."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name == "wheel" and version == "standard":
            build_data["force_include"].update(PACKAGE_DATA)
