"""Solution cells and their stubs: split a solution at its markers and write the stub a student starts from."""

from __future__ import annotations

import ast
import json
import textwrap

from coursekit.exercises.cells import _strip_marker_line, question_comment
from coursekit.exercises.model import BEGIN_SOLUTION, END_SOLUTION

# --------------------------------------------------------------------------------------------------------
# Solution cells and their stubs


def solution_parts(source: str) -> tuple[list[str], list[str], list[str]]:
    """Split a solution cell's source into the given lines before, the solution block, the given lines after.

    Parameters
    ----------
    source : str
        The solution cell's source (the ``# coursekit: qN`` line, if any, counts as a given line).

    Returns
    -------
    before, block, after : list of str
        Lines before ``### BEGIN SOLUTION``, between the markers, after ``### END SOLUTION``.

    Raises
    ------
    ValueError
        If the markers are missing, repeated or out of order (the message says which).
    """
    lines = source.split("\n")
    begins = [i for i, line in enumerate(lines) if line.strip() == BEGIN_SOLUTION]
    ends = [i for i, line in enumerate(lines) if line.strip() == END_SOLUTION]
    if len(begins) != 1 or len(ends) != 1:
        raise ValueError(
            f"a solution cell needs exactly one '{BEGIN_SOLUTION}' line and one '{END_SOLUTION}' line "
            f"(found {len(begins)} and {len(ends)}); put the reference answer between them."
        )
    b, e = begins[0], ends[0]
    if e < b:
        raise ValueError(f"'{END_SOLUTION}' comes before '{BEGIN_SOLUTION}'; swap them.")
    if (
        lines[b][: len(lines[b]) - len(lines[b].lstrip())]
        != lines[e][: len(lines[e]) - len(lines[e].lstrip())]
    ):
        raise ValueError("the BEGIN and END SOLUTION markers must be indented alike.")
    block = lines[b + 1 : e]
    if not any(line.strip() and not line.strip().startswith("#") for line in block):
        raise ValueError("the solution block between the markers holds no code.")
    return lines[:b], block, lines[e + 1 :]


def _returns_value(body: list[ast.stmt]) -> bool:
    """Whether statements return a value anywhere (inside if/for/while/try too), nested functions excepted."""
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Return):
            return True
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return False


def stub_for(block: list[str], indent: str = "") -> list[str]:
    """Return the stub lines that replace a solution block in the student edition.

    The stub never raises and binds every name the block binds to ``...`` (Ellipsis), which ``check()``
    reports as "not attempted":

    * a block at the top level: each assignment ``name = expr`` becomes ``name = ...``, except that a dict
      literal with constant keys keeps its keys and blanks its values (``{"A": ..., "B": ...}``), so the
      student sees what to fill in; each function definition keeps its signature (``def f(a, b):``) with the
      body ``return ...``; other statements are dropped;
    * a block indented inside a function body: ``return ...`` when the block returns a value, else the
      assignments as above.

    Parameters
    ----------
    block : list of str
        The lines between the solution markers.
    indent : str
        The indentation of the markers (``""`` at the top level).

    Returns
    -------
    list of str
        The stub's lines, indented like the markers.

    Raises
    ------
    SyntaxError
        If the block is not valid Python once dedented.
    """
    code = textwrap.dedent("\n".join(block))
    tree = ast.parse(code)
    out: list[str] = []
    if indent and _returns_value(tree.body):
        return [f"{indent}return ..."]
    for node in tree.body:
        if isinstance(node, ast.Assign) and _is_keyed_template(node):
            name = node.targets[0].id  # type: ignore[attr-defined]
            out.append(f"{indent}{name} = {{")
            for key in node.value.keys:  # type: ignore[attr-defined]
                out.append(f"{indent}    {_literal(key.value)}: ...,")
            out.append(f"{indent}}}")
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                for name in _target_names(target):
                    out.append(f"{indent}{name} = ...")
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out.append(f"{indent}{node.target.id} = ...")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            out.append(f"{indent}def {node.name}({ast.unparse(node.args)}):")
            out.append(f"{indent}    return ...")
    if indent and not out:
        out.append(f"{indent}pass")  # an indented stub must not leave an empty body
    # keep the order, drop duplicates (a name assigned twice is stubbed once)
    seen: set[str] = set()
    unique = []
    for line in out:
        if line not in seen or line.strip() == "return ...":
            unique.append(line)
            seen.add(line)
    return unique


def _literal(value: str | int) -> str:
    """A dict key as Python source, with double quotes for strings."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)


def _is_keyed_template(node: ast.Assign) -> bool:
    """True for ``name = {"key": value, ...}`` with constant keys: its stub keeps the keys."""
    return (
        len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Dict)
        and bool(node.value.keys)
        and all(
            isinstance(k, ast.Constant) and isinstance(k.value, str | int) for k in node.value.keys
        )
    )


def _target_names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple | ast.List):
        names: list[str] = []
        for elt in target.elts:
            names.extend(_target_names(elt.value if isinstance(elt, ast.Starred) else elt))
        return names
    return []  # attribute or subscript targets (df["x"] = ...) bind no new name


def _student_solution_source(source: str, qid: str) -> str:
    before, block, after = solution_parts(_strip_marker_line(source))
    marker_line = next(line for line in source.split("\n") if line.strip() == BEGIN_SOLUTION)
    indent = marker_line[: len(marker_line) - len(marker_line.lstrip())]
    lines = [question_comment(qid), *before, *stub_for(block, indent), *after]
    return "\n".join(lines).rstrip("\n")


def _binds_top_level(code: str, name: str, kind: str) -> bool:
    tree = ast.parse(code)
    for node in tree.body:
        if kind == "function" and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if node.name == name:
                return True
        if kind == "value":
            if isinstance(node, ast.Assign) and any(name in _target_names(t) for t in node.targets):
                return True
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                if node.target.id == name:
                    return True
    return False
