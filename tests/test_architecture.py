"""The package map in CONTRIBUTING.md matches the code: layers, the modules listed, and their size.

The map (between ``<!-- package-map: begin -->`` and ``<!-- package-map: end -->``) is a table whose rows give
a numbered layer and the modules (paths below ``src/coursekit``) that belong to it. This test parses every module
of ``src/coursekit`` with :mod:`ast` (lazy imports inside functions and ``TYPE_CHECKING`` blocks count too) and
fails when a module imports from a higher layer, when a module exists that the map does not list or the map lists
one that does not exist, and when a module has more than 1,000 lines.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "coursekit"
CONTRIBUTING = ROOT / "CONTRIBUTING.md"
MAX_LINES = 1000

BEGIN, END = "<!-- package-map: begin -->", "<!-- package-map: end -->"
_ROW = re.compile(r"^\|\s*(\d+)\s+[^|]*\|([^|]*)\|")
_PATH = re.compile(r"`([^`]+\.py)`")


@dataclass(frozen=True)
class Import:
    """One import of a coursekit module: who imports what, where."""

    source: str  # dotted name of the importing module
    target: str  # dotted name of the imported module
    line: int


def module_name(path: Path) -> str:
    """``src/coursekit/data/loaders.py`` → ``coursekit.data.loaders``; a package's ``__init__`` is the package."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def parse_map(text: str) -> dict[str, int]:
    """Module path (relative to ``src/coursekit``) → layer number, from the map's table."""
    if BEGIN not in text or END not in text:
        raise AssertionError(f"CONTRIBUTING.md has no package map between {BEGIN} and {END}")
    block = text.split(BEGIN, 1)[1].split(END, 1)[0]
    layers: dict[str, int] = {}
    for line in block.splitlines():
        row = _ROW.match(line.strip())
        if not row:
            continue
        layer = int(row.group(1))
        for path in _PATH.findall(row.group(2)):
            if path in layers and layers[path] != layer:
                raise AssertionError(
                    f"the package map lists {path} in layers {layers[path]} and {layer}"
                )
            layers[path] = layer
    return layers


def module_files() -> dict[str, Path]:
    """Every Python module of the package, by its path relative to ``src/coursekit``."""
    return {
        p.relative_to(PACKAGE).as_posix(): p
        for p in sorted(PACKAGE.rglob("*.py"))
        if "__pycache__" not in p.parts
    }


def imports_of(path: Path, known: set[str]) -> list[Import]:
    """The coursekit modules a file imports, resolved against the modules that exist.

    ``from coursekit import data`` imports the module ``coursekit.data``; ``from coursekit.theory import
    FEATURES`` imports ``coursekit.theory`` (a name, not a module); relative imports are resolved.
    """
    source = module_name(path)
    package = source if path.name == "__init__.py" else source.rpartition(".")[0]
    found: list[Import] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "coursekit":
                    found.append(Import(source, _nearest(alias.name, known), node.lineno))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.split(".")[0] != "coursekit":
                continue
            for alias in node.names:
                candidate = f"{module}.{alias.name}"
                target = candidate if candidate in known else _nearest(module, known)
                found.append(Import(source, target, node.lineno))
    return found


def _nearest(dotted: str, known: set[str]) -> str:
    """The longest existing module that ``dotted`` names or lies in (``coursekit.__version__`` → ``coursekit``)."""
    parts = dotted.split(".")
    while parts and ".".join(parts) not in known:
        parts.pop()
    return ".".join(parts) or dotted


@pytest.fixture(scope="module")
def package_map() -> dict[str, int]:
    return parse_map(CONTRIBUTING.read_text(encoding="utf-8"))


def test_the_map_lists_every_module_and_nothing_else(package_map: dict[str, int]) -> None:
    files = set(module_files())
    unlisted = sorted(files - set(package_map))
    missing = sorted(set(package_map) - files)
    assert not unlisted, (
        f"modules not in the package map of CONTRIBUTING.md: {unlisted}; add each to the row of its layer "
        "(and job) in the same commit"
    )
    assert not missing, (
        f"the package map lists modules that do not exist: {missing}; remove or fix them"
    )


def upward_imports(package_map: dict[str, int], files: dict[str, Path]) -> list[str]:
    """Every import that runs from a module to a module of a higher layer, as ``file:line ... imports ...``."""
    by_name = {module_name(p): rel for rel, p in files.items()}
    known = set(by_name)
    upward = []
    for rel, path in files.items():
        if rel not in package_map:
            continue  # reported by test_the_map_lists_every_module_and_nothing_else
        for imp in imports_of(path, known):
            target = by_name.get(imp.target)
            if target is None or target not in package_map:
                continue
            if package_map[target] > package_map[rel]:
                upward.append(
                    f"src/coursekit/{rel}:{imp.line} (layer {package_map[rel]}) imports {imp.target} "
                    f"(layer {package_map[target]})"
                )
    return upward


def test_nothing_imports_upward(package_map: dict[str, int]) -> None:
    upward = upward_imports(package_map, module_files())
    assert not upward, (
        "imports that run upward against the package map (move what both need to a lower layer):\n"
        + "\n".join(upward)
    )


def test_no_module_is_over_a_thousand_lines() -> None:
    long = {
        rel: n
        for rel, p in module_files().items()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, (
        f"modules over {MAX_LINES} lines (split each by job into a package that re-exports its public "
        f"names): {long}"
    )


# -- the checker itself catches what it should ----------------------------------------------------------------


def test_the_map_parser_reads_layers_and_paths() -> None:
    text = (
        f"intro\n{BEGIN}\n| layer | modules | owns |\n|---|---|---|\n"
        "| 1 foundation | `paths.py`, `spec.py` | x |\n| 3 models | `case/votes.py` | y |\n"
        f"{END}\n| 9 outside | `ignored.py` | z |\n"
    )
    assert parse_map(text) == {"paths.py": 1, "spec.py": 1, "case/votes.py": 3}
    with pytest.raises(AssertionError, match="no package map"):
        parse_map("no map here")


def test_an_upward_lazy_import_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = tmp_path / "coursekit"
    (pkg / "data").mkdir(parents=True)
    (pkg / "grading").mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "data" / "__init__.py").write_text("from . import loaders\n")
    (pkg / "data" / "loaders.py").write_text(
        "def f():\n    from coursekit.grading.spec import points\n    from coursekit import __version__\n"
    )
    (pkg / "grading" / "__init__.py").write_text("from coursekit.data import loaders\n")
    (pkg / "grading" / "spec.py").write_text("")
    monkeypatch.setitem(globals(), "PACKAGE", pkg)
    files = module_files()
    known = {module_name(p) for p in files.values()}
    assert known == {
        "coursekit",
        "coursekit.data",
        "coursekit.data.loaders",
        "coursekit.grading",
        "coursekit.grading.spec",
    }
    found = {(i.source, i.target, i.line) for i in imports_of(pkg / "data" / "loaders.py", known)}
    assert found == {
        ("coursekit.data.loaders", "coursekit.grading.spec", 2),
        ("coursekit.data.loaders", "coursekit", 3),
    }
    relative = imports_of(pkg / "data" / "__init__.py", known)
    assert [(i.source, i.target) for i in relative] == [
        ("coursekit.data", "coursekit.data.loaders")
    ]
    layers = {
        "__init__.py": 1,
        "data/__init__.py": 2,
        "data/loaders.py": 2,
        "grading/__init__.py": 7,
        "grading/spec.py": 7,
    }
    assert upward_imports(layers, files) == [
        "src/coursekit/data/loaders.py:2 (layer 2) imports coursekit.grading.spec (layer 7)"
    ]
    assert upward_imports({**layers, "grading/spec.py": 1}, files) == []
