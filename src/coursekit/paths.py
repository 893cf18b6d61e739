"""Where the course's files are: the project root, and the ``data/`` folder (in a checkout or in the package).

Two ways to have the course:

* a **checkout** of the repository (authors, instructors, the book build): the data is ``data/`` beside
  ``_config.yml``;
* an **installed package** (a student who ran ``pip install`` of the wheel or of the repository URL): the wheel
  carries a copy of ``data/`` and ``references.bib`` as package data (``coursekit/_data``), read through
  :mod:`importlib.resources`.

``$COURSEKIT_DATA`` overrides both.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

_ENV_DATA = "COURSEKIT_DATA"
#: The package-data folder that a built wheel carries (see ``[tool.hatch.build]`` in pyproject.toml).
PACKAGED_DATA = "_data"


def project_root(start: Path | None = None) -> Path:
    """Return the course repository's root folder.

    The root is the first folder, walking up from ``start`` (default: this package's folder, then the
    current working directory), that holds both ``_config.yml`` and ``data/``.

    Raises
    ------
    FileNotFoundError
        If no such folder exists above ``start`` or the current working directory.
    """
    candidates = [Path(start)] if start is not None else [Path(__file__).resolve(), Path.cwd()]
    for origin in candidates:
        for folder in [origin, *origin.parents]:
            if (folder / "_config.yml").is_file() and (folder / "data").is_dir():
                return folder
    raise FileNotFoundError(
        "Could not find the course folder (one holding _config.yml and data/). "
        "Run from inside the course repository or set COURSEKIT_DATA to the data folder."
    )


def packaged_data_dir() -> Path | None:
    """Return the data folder shipped inside the installed package, or ``None`` in a checkout.

    An editable install (``pip install -e .``) has no packaged copy: its data is the checkout's ``data/``.
    """
    try:
        folder = resources.files("coursekit") / PACKAGED_DATA
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - coursekit always importable here
        return None
    path = Path(str(folder))
    return path if (path / "datapackage.json").is_file() else None


def data_dir() -> Path:
    """Return the folder holding the course data.

    In order: ``$COURSEKIT_DATA``; the checkout's ``data/`` when this package runs from a checkout (an
    editable install, or ``src/`` on the path); the copy shipped inside an installed wheel.

    Raises
    ------
    FileNotFoundError
        If none of the three exists; the message says how to install the course package.
    """
    override = os.environ.get(_ENV_DATA)
    if override:
        return Path(override)
    try:
        return project_root(Path(__file__).resolve()) / "data"
    except FileNotFoundError:
        pass
    packaged = packaged_data_dir()
    if packaged is not None:
        return packaged
    try:
        return project_root() / "data"
    except FileNotFoundError:
        raise FileNotFoundError(
            "Could not find the course data: this coursekit has no data inside it and no course folder is "
            "around. Install the course package from its wheel or repository (the set-up cell at the top of "
            "each exercise notebook does it), or set COURSEKIT_DATA to the data folder."
        ) from None
