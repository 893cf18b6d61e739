"""What a notebook that leaves the repository needs: the published book's addresses and a set-up cell.

A student opens an exercise notebook wherever they are handed it (JupyterLab, Notebook, Colab, a classroom
without internet), never inside the repository. So the student edition (``coursekit release``) and the book's
exercise pages (``coursekit pages``, which the Colab button opens):

* start with a **set-up cell** that installs the course package only when it is missing, pinned to the release
  the notebook came from (a wheel lying next to the notebook first, else the repository's tag ``vX.Y.Z``), and
  does nothing where ``coursekit`` is already installed (the course environment, the grader, Binder);
* point their links at the **published book** (``https://ORG.github.io/REPO/chapters/….html``), never at a
  repository path such as ``../theory-02-balancing.md``.

Both addresses come from one place, ``repository.url`` in ``_config.yml`` (or ``html.baseurl`` when a course
publishes the book elsewhere): a fork changes that line and nothing else.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from nbformat import NotebookNode, v4

#: Where the exercise pages sit in the book; relative links in exercise sources are written from there.
PAGE_DIR = "chapters/exercises"
#: The first line of the set-up cell (how the grader and the tests recognise it).
INSTALL_MARKER = "# coursekit: install"
INSTALL_TAG = "install"

_GITHUB = re.compile(r"^https?://github\.com/([^/]+)/([^/#?]+?)(?:\.git)?/?$")
#: ``[text](target)`` with a relative ``.md``/``.ipynb`` target (optionally ``#anchor``); images are left alone.
_LINK = re.compile(
    r"(?<!!)\[([^\]]*)\]\((?!https?:|mailto:|#|/)([^)\s]+?\.(?:md|ipynb))(#[^)\s]*)?\)"
)
_DOC_ROLE = re.compile(r"\{doc\}`([^`<]*?)\s*<([^>]+)>`")


@dataclass(frozen=True)
class Publication:
    """Where the course lives.

    Attributes
    ----------
    repository : str
        The repository's web address (``https://github.com/ORG/REPO``).
    book : str
        The published book's base address, ending in ``/``.
    """

    repository: str
    book: str

    def page(self, path: str) -> str:
        """The published address of a book source path (``chapters/theory-02-balancing.md`` → ``….html``)."""
        stem, _, anchor = path.partition("#")
        stem = re.sub(r"\.(md|ipynb)$", "", stem.lstrip("/"))
        return f"{self.book}{stem}.html" + (f"#{anchor}" if anchor else "")

    def install_target(self, version: str) -> str:
        """The pip requirement that installs this release from the repository."""
        return f"coursekit @ git+{self.repository}.git@v{version}"


def publication(root: str | Path | None = None) -> Publication:
    """Read the course's addresses from ``_config.yml``.

    Parameters
    ----------
    root : str or Path, optional
        The project root (default: :func:`coursekit.paths.project_root`).

    Raises
    ------
    ValueError
        If ``repository.url`` is missing, or is not a GitHub address and no ``html.baseurl`` is given.
    """
    import yaml

    from coursekit.paths import project_root

    config_path = Path(root if root is not None else project_root()) / "_config.yml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    repo = str((config.get("repository") or {}).get("url") or "").rstrip("/")
    base = str((config.get("html") or {}).get("baseurl") or "")
    if not repo:
        raise ValueError(f"{config_path}: set repository.url (the course's repository address).")
    if not base:
        match = _GITHUB.match(repo)
        if not match:
            raise ValueError(
                f"{config_path}: repository.url {repo!r} is not a GitHub address; set html.baseurl to the "
                "published book's address."
            )
        base = f"https://{match.group(1)}.github.io/{match.group(2)}/"
    return Publication(repository=repo, book=base if base.endswith("/") else base + "/")


def absolute_links(
    text: str, pub: Publication, page_dir: str = PAGE_DIR, roles: bool = False
) -> str:
    """Point the relative book links of a Markdown text at the published book.

    Parameters
    ----------
    text : str
        Markdown.
    pub : Publication
        The course's addresses.
    page_dir : str
        The folder the links were written from (the exercise pages' folder).
    roles : bool
        Also turn ``{doc}`text <path>``` roles into ordinary links (for notebooks read outside the book).
    """

    def target(rel: str) -> str:
        return pub.page(posixpath.normpath(posixpath.join(page_dir, rel)))

    def link(match: re.Match[str]) -> str:
        return f"[{match.group(1)}]({target(match.group(2) + (match.group(3) or ''))})"

    text = _LINK.sub(link, text)
    if roles:
        text = _DOC_ROLE.sub(
            lambda m: f"[{m.group(1).strip()}]({target(m.group(2).strip())})", text
        )
    return text


def install_cell_source(version: str, pub: Publication) -> str:
    """The set-up cell: install ``coursekit`` (this release) only where it is missing.

    It prefers a wheel of this version lying beside the notebook (the offline zip of ``coursekit release
    --zip``), else installs the tagged release from the repository (Colab, a fresh Jupyter). Where coursekit is
    already importable it does nothing, so it is harmless in the course environment and in the grader.
    """
    return f'''{INSTALL_MARKER}
# Set-up: installs the course package (coursekit {version}) if this Jupyter does not have it yet, e.g. on
# Colab. Run it once; it does nothing where coursekit is already installed.
import importlib, importlib.util, pathlib, subprocess, sys

if importlib.util.find_spec("coursekit") is None:
    _wheels = sorted(pathlib.Path.cwd().glob("coursekit-{version}-*.whl"))
    _target = str(_wheels[-1]) if _wheels else "{pub.install_target(version)}"
    print("Installing the course package from", _target, "...")
    _done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", _target])
    importlib.invalidate_caches()
    print("Done." if _done.returncode == 0 else "The installation failed: see the messages above.")
'''


def install_cell(version: str, pub: Publication) -> NotebookNode:
    """The set-up cell as a notebook cell (tagged ``install``, fixed id)."""
    cell = v4.new_code_cell(install_cell_source(version, pub))
    cell.metadata["tags"] = [INSTALL_TAG]
    cell.id = "coursekit-install"
    return cell


def publish_notebook(
    nb: NotebookNode, version: str, pub: Publication, *, roles: bool = False
) -> NotebookNode:
    """Add the set-up cell before the notebook's setup cell and make its links absolute (in place).

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A student edition (or book page).
    version : str
        The coursekit version the notebook was released with.
    pub : Publication
        The course's addresses.
    roles : bool
        Also rewrite ``{doc}`` roles as links (released notebooks; the book keeps its roles).

    Returns
    -------
    nbformat.NotebookNode
        The same notebook.
    """
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = absolute_links(cell.source, pub, roles=roles)
    if not any(c.cell_type == "code" and c.source.startswith(INSTALL_MARKER) for c in nb.cells):
        at = next(
            (i for i, c in enumerate(nb.cells) if "setup" in c.metadata.get("tags", [])),
            next((i for i, c in enumerate(nb.cells) if c.cell_type == "code"), len(nb.cells)),
        )
        nb.cells.insert(at, install_cell(version, pub))
    return nb


# -- the offline bundle: one zip per set ----------------------------------------------------------------------

BUNDLE_README = """# {title}

This folder holds one exercise set of the course *Alliances of Convenience*:

- `{notebook}`: the exercise notebook;
- `{wheel}`: the course package (coursekit {version}), with the course data inside it.

How to work:

1. Unzip this folder and open `{notebook}` in JupyterLab, Jupyter Notebook or Colab (on Colab, upload the
   wheel too, next to the notebook).
2. Run the first code cell. Where the course package is missing, it installs it from the wheel in this folder;
   no internet is needed when the classroom's Python already has pandas, numpy, matplotlib and ipywidgets
   (Anaconda has them). Where the package is already installed, the cell does nothing.
3. Run the setup cell, then answer each question in its marked cell and run the check cell under it:
   `check()` says correct, incorrect (with the kind of mistake) or not attempted; `hint("q1")` gives hints.
4. Hand in the notebook as your instructor asks (save it first). Do not rename or delete the marked cells.

The course book: {book}
"""


class BundleError(RuntimeError):
    """The offline bundle could not be made (usually: the wheel could not be built)."""


def build_wheel(root: str | Path, outdir: str | Path) -> Path:
    """Build the course package's wheel from a checkout, offline (``python -m build --no-isolation``).

    Raises
    ------
    BundleError
        If ``build``/``hatchling`` are missing or the build fails; the message says what to install.
    """
    import subprocess
    import sys

    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(outdir),
            str(root),
        ],
        capture_output=True,
        text=True,
    )
    wheels = sorted(outdir.glob("coursekit-*.whl"))
    if done.returncode != 0 or not wheels:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-5:])
        raise BundleError(
            "could not build the coursekit wheel for the offline bundle (install the packaging tools with "
            f"'pip install build hatchling' and try again):\n{tail}"
        )
    return wheels[-1]


def write_bundle(
    notebook: str | Path,
    wheel: str | Path,
    out: str | Path,
    *,
    title: str,
    version: str,
    pub: Publication,
) -> Path:
    """Write ``OUT/NN-slug.zip``: the student notebook, a README for the student, and the wheel.

    Returns
    -------
    pathlib.Path
        The zip file.
    """
    import zipfile

    notebook, wheel, out = Path(notebook), Path(wheel), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    folder = notebook.stem
    readme = BUNDLE_README.format(
        title=title, notebook=notebook.name, wheel=wheel.name, version=version, book=pub.book
    )
    target = out / f"{folder}.zip"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(notebook, f"{folder}/{notebook.name}")
        zf.writestr(f"{folder}/README.md", readme)
        zf.write(wheel, f"{folder}/{wheel.name}")
    return target
