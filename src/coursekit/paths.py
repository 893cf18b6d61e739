"""Where the course's files are: the project root and the ``data/`` folder."""

from __future__ import annotations

import os
from pathlib import Path

_ENV_DATA = "COURSEKIT_DATA"


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


def data_dir() -> Path:
    """Return the folder holding the course data (``data/``).

    ``$COURSEKIT_DATA`` overrides the default, which is ``data/`` in the project root.
    """
    override = os.environ.get(_ENV_DATA)
    if override:
        return Path(override)
    return project_root() / "data"
