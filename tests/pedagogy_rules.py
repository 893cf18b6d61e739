"""The course's pedagogical rules, in one place.

Every rule here is a plain function that reads one source file and returns the problems it finds. A problem
names the file, the missing or faulty element and how to fix it, so a failing test reads like a review comment:

    chapters/theory-02-balancing.md: self-check: found 1 answer dropdown(s); write 3-5 questions, each an
    admonition followed by a ``:::{dropdown} Answer`` block.

The rules follow ``CONTRIBUTING.md`` ("Chapters") and the pedagogy of the course design:

Teaching chapters (``chapters/theory-*.md`` and ``chapters/case-*.md`` listed in ``_toc.yml``)
    exactly one H1; right under it the computed reading-time cell (``chapter_header("<this file>")`` in a
    ``remove-input`` cell, never a typed reading time); ``## Learning objectives`` with 3-5 bullets; a worked
    example; at least one figure or widget whose cell carries a myst-nb ``figure.caption`` (and ``image.alt``);
    every figure drawn in the chapter itself is titled and has labelled axes; ``## Summary``; ``## Self-check``
    with 3-5 answer dropdowns (or a jupyterquiz quiz); ``## Discussion questions``; at least
    :data:`MIN_CITATIONS` citations; at least one glossary ``{term}`` link; a link to the exercise set; the
    sections in that order.

Exercise sources (``exercises/*.ipynb``)
    a time estimate (notebook metadata ``coursekit.minutes``, a positive whole number of minutes); the chapter
    it belongs to (``coursekit.chapter``, e.g. ``chapters/theory-02-balancing``, naming an existing chapter) and a
    link to that chapter in the first markdown cell; exactly one H1.

Figure functions (public functions of ``src/coursekit/plots/*.py`` other than ``style.py``)
    each must give its axes a title and both axis labels: it calls ``style_axes(ax, title=..., xlabel=...,
    ylabel=...)`` or sets a title (``set_title`` / ``suptitle`` / ``ax.set(title=...)``) and both labels
    (``set_xlabel`` and ``set_ylabel``, or ``ax.set(xlabel=..., ylabel=...)``), itself or through a helper of
    the same module that it calls. A diagram whose axes are switched off (``ax.axis("off")`` /
    ``ax.set_axis_off()``) has no axes to label: it needs only the title. The rule is checked per function on the
    source (not per axes at run time), so a function that draws several axes must style each of them.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from coursekit import book

ROOT = Path(__file__).resolve().parents[1]

MIN_CITATIONS = 5
"""A teaching chapter cites at least this many sources (counted per citation key)."""

OBJECTIVES_RANGE = (3, 5)
"""How many learning objectives a chapter lists."""

SELF_CHECK_RANGE = (3, 5)
"""How many self-check questions (answer dropdowns) a chapter has."""

TEACHING_CHAPTER = re.compile(r"^chapters/(theory|case)-\d\d-[\w-]+$")
"""Table-of-contents entries that are teaching chapters (Part I and Part II)."""

SECTION_ORDER = ("learning objectives", "summary", "self-check", "discussion questions")


# ---------------------------------------------------------------------------------------------------------
# Problems
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One broken rule: the file, the element that is missing or wrong, and what to do about it."""

    file: str
    element: str
    detail: str

    def __str__(self) -> str:
        return f"{self.file}: {self.element}: {self.detail}"


def report(problems: Iterable[Problem]) -> str:
    """Format problems one per line, for an assertion message."""
    return "\n".join(str(p) for p in problems)


def relative_name(path: Path, root: Path = ROOT) -> str:
    """``path`` relative to the repository root when it is inside it, else the path as given."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


# ---------------------------------------------------------------------------------------------------------
# Table of contents
# ---------------------------------------------------------------------------------------------------------


def toc_entries(toc_path: Path = ROOT / "_toc.yml") -> list[str]:
    """Every ``file`` entry of a ``_toc.yml`` (root first), without suffix (see :func:`coursekit.book.toc_entries`)."""
    return book.toc_entries(toc_path)


def source_of(entry: str, root: Path = ROOT) -> Path | None:
    """The source file of a toc entry (``.md`` or ``.ipynb``), or ``None`` (see :func:`coursekit.book.source_of`)."""
    return book.source_of(entry, root)


def teaching_chapters(root: Path = ROOT) -> list[Path]:
    """The teaching chapters (``chapters/theory-*.md``, ``chapters/case-*.md``) listed in ``_toc.yml``."""
    chapters = []
    for entry in toc_entries(root / "_toc.yml"):
        if TEACHING_CHAPTER.match(entry) and (root / f"{entry}.md").is_file():
            chapters.append(root / f"{entry}.md")
    return chapters


def unlisted_chapters(root: Path = ROOT) -> list[str]:
    """Teaching chapter files on disk that ``_toc.yml`` does not list (so the book would silently drop them)."""
    listed = set(toc_entries(root / "_toc.yml"))
    return sorted(
        f"chapters/{p.name}"
        for pattern in ("theory-*.md", "case-*.md")
        for p in (root / "chapters").glob(pattern)
        if TEACHING_CHAPTER.match(f"chapters/{p.stem}") and f"chapters/{p.stem}" not in listed
    )


def exercise_sources(root: Path = ROOT) -> list[Path]:
    """The exercise source notebooks (instructor editions) in ``exercises/``."""
    return sorted((root / "exercises").glob("*.ipynb"))


# ---------------------------------------------------------------------------------------------------------
# Reading a MyST Markdown chapter
# ---------------------------------------------------------------------------------------------------------


@dataclass
class CodeCell:
    """A ``{code-cell}`` of a MyST Markdown notebook: its options (tags, mystnb, ...), code and line number."""

    options: dict
    source: str
    line: int

    @property
    def tags(self) -> list[str]:
        tags = self.options.get("tags") or []
        return [str(t) for t in tags] if isinstance(tags, list) else [str(tags)]

    def mystnb(self, *keys: str) -> object:
        """A nested ``mystnb`` option, e.g. ``cell.mystnb("figure", "caption")``, or ``None``."""
        value: object = self.options.get("mystnb") or {}
        for key in keys:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        return value


@dataclass
class Heading:
    """A Markdown heading: level (1 for ``#``), text and line number."""

    level: int
    text: str
    line: int


@dataclass
class Chapter:
    """A chapter split into what the rules look at: headings, prose (outside code) and code cells."""

    path: Path
    name: str
    text: str
    headings: list[Heading] = field(default_factory=list)
    prose_lines: list[tuple[int, str]] = field(default_factory=list)
    code_cells: list[CodeCell] = field(default_factory=list)

    @property
    def prose(self) -> str:
        return "\n".join(line for _, line in self.prose_lines)

    def section(self, title: str) -> tuple[int, int] | None:
        """Line span ``(start, end)`` of the first heading whose text starts with ``title`` (any case)."""
        for i, heading in enumerate(self.headings):
            if _norm(heading.text).startswith(_norm(title)):
                end = next(
                    (h.line for h in self.headings[i + 1 :] if h.level <= heading.level),
                    10**9,
                )
                return heading.line, end
        return None

    def section_prose(self, title: str) -> str | None:
        """The prose under the heading starting with ``title``, or ``None`` without such a heading."""
        span = self.section(title)
        if span is None:
            return None
        return "\n".join(line for n, line in self.prose_lines if span[0] < n < span[1])

    def section_cells(self, title: str) -> list[CodeCell]:
        """The code cells under the heading starting with ``title``."""
        span = self.section(title)
        if span is None:
            return []
        return [c for c in self.code_cells if span[0] < c.line < span[1]]


_FENCE_OPEN = re.compile(r"^(?P<fence>`{3,}|~{3,})\s*(?P<info>.*)$")
_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.+?)\s*#*\s*$")


def _norm(text: str) -> str:
    """Heading text in lower case, with markup, trailing punctuation and a trailing anchor removed."""
    text = re.sub(r"\([^)]*\)=\s*$", "", text)
    text = re.sub(r"[*_`]", "", text).strip().lower()
    text = re.sub(r"[-–—\s]+", " ", text)
    return text.rstrip(":. ")


def read_chapter(path: Path, root: Path = ROOT) -> Chapter:
    """Parse a MyST Markdown notebook into headings, prose lines and code cells."""
    text = path.read_text(encoding="utf-8")
    chapter = Chapter(path=path, name=relative_name(path, root), text=text)
    lines = text.splitlines()
    i = 0
    if lines and lines[0].strip() == "---":  # front matter
        for j in range(1, len(lines)):
            if lines[j].strip() == "---":
                i = j + 1
                break
    while i < len(lines):
        line = lines[i]
        match = _FENCE_OPEN.match(line.strip())
        if match:
            fence = match["fence"]
            closing = re.compile(rf"^{re.escape(fence[0])}{{{len(fence)},}}\s*$")
            body_start = i + 1
            j = body_start
            while j < len(lines) and not closing.match(lines[j].strip()):
                j += 1
            body = lines[body_start:j]
            if match["info"].startswith("{code-cell}"):
                chapter.code_cells.append(_code_cell(body, line_number=i + 1))
            elif match["info"].startswith("{"):
                # A directive fenced with backticks: its content is prose (admonitions, dropdowns, figures).
                chapter.prose_lines.append((i + 1, line))
                for k, inner in enumerate(body, start=body_start + 1):
                    chapter.prose_lines.append((k, inner))
                chapter.prose_lines.append((j + 1, lines[j] if j < len(lines) else ""))
            i = j + 1
            continue
        heading = _HEADING.match(line)
        if heading:
            chapter.headings.append(Heading(len(heading["hashes"]), heading["text"], i + 1))
        chapter.prose_lines.append((i + 1, line))
        i += 1
    return chapter


def _code_cell(body: list[str], line_number: int) -> CodeCell:
    options: dict = {}
    if body and body[0].strip() == "---":
        end = next((k for k in range(1, len(body)) if body[k].strip() == "---"), None)
        if end is not None:
            options = yaml.safe_load("\n".join(body[1:end])) or {}
            body = body[end + 1 :]
    else:
        option_lines = []
        while body and re.match(r"^:[\w-]+:", body[0]):
            option_lines.append(re.sub(r"^:([\w-]+):", r"\1:", body[0]))
            body = body[1:]
        if option_lines:
            options = yaml.safe_load("\n".join(option_lines)) or {}
    return CodeCell(
        options=options if isinstance(options, dict) else {},
        source="\n".join(body),
        line=line_number,
    )


# ---------------------------------------------------------------------------------------------------------
# Figure source analysis (shared by the chapter rule and the plots rule)
# ---------------------------------------------------------------------------------------------------------

_FIGURE_MAKERS = {
    "new_figure",
    "Figure",
    "subplots",
    "add_subplot",
    "add_axes",
    "figure",
    "subplot_mosaic",
}


@dataclass
class FigureFacts:
    """What a piece of code does to its axes: titles, labels, axes switched off, figures created."""

    title: bool = False
    xlabel: bool = False
    ylabel: bool = False
    axes_off: bool = False
    makes_figure: bool = False
    calls: set[str] = field(default_factory=set)

    def merge(self, other: FigureFacts) -> None:
        self.title |= other.title
        self.xlabel |= other.xlabel
        self.ylabel |= other.ylabel
        self.axes_off |= other.axes_off
        self.makes_figure |= other.makes_figure

    def missing(self) -> list[str]:
        """The elements a figure still lacks: ``title`` and/or ``x-axis label`` / ``y-axis label``."""
        missing = [] if self.title else ["title"]
        if not self.axes_off:
            missing += [
                name
                for name, ok in (("x-axis label", self.xlabel), ("y-axis label", self.ylabel))
                if not ok
            ]
        return missing


def figure_facts(node: ast.AST) -> FigureFacts:
    """Collect :class:`FigureFacts` from the calls inside an AST node (not following other functions)."""
    facts = FigureFacts()
    for call in ast.walk(node):
        if not isinstance(call, ast.Call):
            continue
        func = call.func
        name = (
            func.attr
            if isinstance(func, ast.Attribute)
            else func.id
            if isinstance(func, ast.Name)
            else ""
        )
        if not name:
            continue
        facts.calls.add(name)
        keywords = {k.arg for k in call.keywords if k.arg}
        if name == "style_axes":
            facts.title = facts.xlabel = facts.ylabel = True
        elif name in {"set_title", "suptitle"}:
            facts.title = True
        elif name in {"set_xlabel", "supxlabel"}:
            facts.xlabel = True
        elif name in {"set_ylabel", "supylabel"}:
            facts.ylabel = True
        elif name == "set":
            facts.title |= "title" in keywords
            facts.xlabel |= "xlabel" in keywords
            facts.ylabel |= "ylabel" in keywords
        elif name == "set_axis_off":
            facts.axes_off = True
        elif name == "axis" and call.args and isinstance(call.args[0], ast.Constant):
            facts.axes_off |= call.args[0].value in ("off", False)
        if name in _FIGURE_MAKERS:
            facts.makes_figure = True
    return facts


def _parse_code(source: str) -> ast.Module | None:
    """Parse notebook code, dropping IPython magics and shell lines; ``None`` if it still is not Python."""
    cleaned = "\n".join("" if re.match(r"^\s*[%!]", line) else line for line in source.splitlines())
    try:
        return ast.parse(cleaned)
    except SyntaxError:
        return None


def module_figure_functions(path: Path) -> dict[str, FigureFacts]:
    """The public figure functions of a plots module, each with the facts of its code and its local helpers.

    A figure function is a public module-level function whose return annotation names ``Figure`` (or, when it
    has no return annotation, whose name ends with ``_figure``). Calls to other functions of the same module are followed (transitively).
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    functions = {
        n.name: n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    own = {name: figure_facts(node) for name, node in functions.items()}

    def closure(name: str, seen: set[str]) -> FigureFacts:
        total = FigureFacts()
        total.merge(own[name])
        for callee in own[name].calls:
            if callee in functions and callee not in seen:
                seen.add(callee)
                total.merge(closure(callee, seen))
        return total

    result = {}
    for name, node in functions.items():
        if name.startswith("_"):
            continue
        if node.returns is not None:
            if not re.search(r"\bFigure\b", ast.unparse(node.returns)):
                continue
        elif not name.endswith("_figure"):
            continue
        result[name] = closure(name, {name})
    return result


def plot_modules(root: Path = ROOT) -> list[Path]:
    """The modules of ``coursekit.plots`` that hold figure functions (all but ``style.py`` and ``__init__``)."""
    folder = root / "src" / "coursekit" / "plots"
    return sorted(p for p in folder.glob("*.py") if p.name not in {"style.py", "__init__.py"})


def check_plot_module(path: Path, root: Path = ROOT) -> list[Problem]:
    """Every public figure function of a plots module titles its axes and labels both of them."""
    problems = []
    for name, facts in module_figure_functions(path).items():
        missing = facts.missing()
        if missing:
            problems.append(
                Problem(
                    relative_name(path, root),
                    f"{name}(): figure {' and '.join(missing)}",
                    f"the figure function never sets its {', '.join(missing)}; call "
                    "style_axes(ax, title=..., xlabel=..., ylabel=...) from coursekit.plots.style (or set_title / "
                    "set_xlabel / set_ylabel) for every axes it draws",
                )
            )
    return problems


# ---------------------------------------------------------------------------------------------------------
# Chapter rules
# ---------------------------------------------------------------------------------------------------------

ChapterRule = Callable[[Chapter], list[str]]
CHAPTER_RULES: dict[str, ChapterRule] = {}


def chapter_rule(element: str) -> Callable[[ChapterRule], ChapterRule]:
    """Register a chapter rule under the name of the element it checks."""

    def register(func: ChapterRule) -> ChapterRule:
        CHAPTER_RULES[element] = func
        return func

    return register


@chapter_rule("one H1")
def _one_h1(ch: Chapter) -> list[str]:
    h1 = [h for h in ch.headings if h.level == 1]
    if len(h1) == 1:
        return []
    if not h1:
        return ["no H1 heading; start the chapter with one '# Title' line"]
    where = ", ".join(f"line {h.line}" for h in h1)
    return [
        f"found {len(h1)} H1 headings ({where}); keep one '# Title' and make the others '##' sections"
    ]


@chapter_rule("reading-time cell")
def _reading_time(ch: Chapter) -> list[str]:
    problems = []
    h1 = next((h for h in ch.headings if h.level == 1), None)
    header_cells = [c for c in ch.code_cells if "chapter_header(" in c.source]
    fix = (
        f"right under the H1, add a code cell tagged [remove-input] with "
        f'`from coursekit.book import chapter_header` and `chapter_header("{ch.path.name}")`'
    )
    if not header_cells:
        return [f"no computed reading time; {fix}"]
    cell = header_cells[0]
    first_h2 = next((h.line for h in ch.headings if h.level == 2), 10**9)
    if h1 is None or not (h1.line < cell.line < first_h2):
        problems.append(
            f"the chapter_header cell (line {cell.line}) is not between the H1 and the first "
            f"section; {fix}"
        )
    if "remove-input" not in cell.tags:
        problems.append(
            f"the chapter_header cell (line {cell.line}) is not tagged remove-input, so readers "
            "see its code; add `:tags: [remove-input]`"
        )
    argument = re.search(r"chapter_header\(\s*['\"]([^'\"]+)['\"]", cell.source)
    if argument is None or Path(argument[1]).name != ch.path.name:
        named = argument[1] if argument else "no file"
        problems.append(
            f"chapter_header names {named!r}, not this chapter; call "
            f'chapter_header("{ch.path.name}")'
        )
    typed = re.search(r"reading time:?\s*(about\s*)?\d+", ch.prose, flags=re.I)
    if typed:
        problems.append(
            f"a reading time is typed by hand ({typed[0]!r}); remove it, chapter_header computes it"
        )
    return problems


def _list_items(prose: str) -> list[str]:
    return [m[1] for m in re.finditer(r"^(?:[-*+]|\d+[.)])\s+(\S.*)$", prose, flags=re.M)]


@chapter_rule("learning objectives")
def _objectives(ch: Chapter) -> list[str]:
    prose = ch.section_prose("learning objectives")
    if prose is None:
        return ["no '## Learning objectives' section; add one right after the reading-time cell"]
    low, high = OBJECTIVES_RANGE
    n = len(_list_items(prose))
    if not low <= n <= high:
        return [f"the section lists {n} objective(s); list {low}-{high} as bullets ('- ...')"]
    return []


@chapter_rule("worked example")
def _worked_example(ch: Chapter) -> list[str]:
    if ch.section("worked example") is None:
        return [
            "no worked example; add a '## Worked example' section (a heading starting 'Worked example')"
        ]
    return []


def _figure_cells(ch: Chapter) -> list[CodeCell]:
    return [c for c in ch.code_cells if c.mystnb("figure") is not None]


_FIGURE_DIRECTIVE = re.compile(r"^\s*(`{3,}|:{3,})\{figure\}", flags=re.M)


@chapter_rule("figure or widget with a caption")
def _captioned_figure(ch: Chapter) -> list[str]:
    problems = []
    captioned = 0
    for cell in _figure_cells(ch):
        caption = cell.mystnb("figure", "caption")
        if isinstance(caption, str) and caption.strip():
            captioned += 1
        else:
            problems.append(
                f"the figure cell at line {cell.line} has no caption; add mystnb: figure: caption: "
                "(the takeaway in one or two sentences)"
            )
    captioned += len(_FIGURE_DIRECTIVE.findall(ch.prose))
    if captioned == 0 and not problems:
        problems.append(
            "no captioned figure or widget; show at least one figure (a widget's default figure "
            "counts) in a cell with mystnb: figure: caption: and image: alt:"
        )
    return problems


@chapter_rule("figure alt text")
def _alt_text(ch: Chapter) -> list[str]:
    problems = []
    for cell in _figure_cells(ch):
        alt = cell.mystnb("image", "alt")
        if not (isinstance(alt, str) and alt.strip()):
            problems.append(
                f"the figure cell at line {cell.line} has no alt text; add mystnb: image: alt: "
                "(one sentence saying what the figure shows)"
            )
    lines = ch.prose.splitlines()
    for i, line in enumerate(lines):
        if _FIGURE_DIRECTIVE.match(line):
            block = "\n".join(lines[i + 1 : i + 8])
            if not re.search(r"^\s*:alt:\s*\S", block, flags=re.M):
                problems.append(
                    f"a {{figure}} directive ({line.strip()!r}) has no :alt: option; add one"
                )
    return problems


@chapter_rule("figure title and axis labels")
def _inline_figures(ch: Chapter) -> list[str]:
    problems = []
    for cell in ch.code_cells:
        tree = _parse_code(cell.source)
        if tree is None:
            continue
        facts = figure_facts(tree)
        if facts.makes_figure and facts.missing():
            problems.append(
                f"the cell at line {cell.line} draws a figure but never sets its "
                f"{' or '.join(facts.missing())}; use style_axes(ax, title=..., xlabel=..., "
                "ylabel=...) or a figure function from coursekit.plots"
            )
    return problems


@chapter_rule("summary")
def _summary(ch: Chapter) -> list[str]:
    prose = ch.section_prose("summary")
    if prose is None:
        return ["no '## Summary' section; add one after the teaching sections"]
    if not prose.strip():
        return ["the '## Summary' section is empty"]
    return []


@chapter_rule("self-check")
def _self_check(ch: Chapter) -> list[str]:
    prose = ch.section_prose("self-check")
    if prose is None:
        return ["no '## Self-check' section; add 3-5 questions answerable in the static book"]
    if any("display_quiz(" in c.source for c in ch.section_cells("self-check")):
        return []
    low, high = SELF_CHECK_RANGE
    answers = len(re.findall(r"^\s*(`{3,}|:{3,})\{dropdown\}", prose, flags=re.M))
    if not low <= answers <= high:
        return [
            f"found {answers} answer dropdown(s); write {low}-{high} questions, each an admonition "
            "followed by a ':::{dropdown} Answer' block"
        ]
    return []


@chapter_rule("discussion questions")
def _discussion(ch: Chapter) -> list[str]:
    prose = ch.section_prose("discussion questions")
    if prose is None:
        return ["no '## Discussion questions' section; add open questions for a seminar"]
    if not _list_items(prose):
        return [
            "the '## Discussion questions' section has no questions; list them as items ('1. ...')"
        ]
    return []


_CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")


@chapter_rule("citations")
def _citations(ch: Chapter) -> list[str]:
    keys = [k.strip() for group in _CITE.findall(ch.prose) for k in group.split(",") if k.strip()]
    if len(keys) < MIN_CITATIONS:
        return [
            f"found {len(keys)} citation(s); cite at least {MIN_CITATIONS} times with {{cite:p}}`key` / "
            "{cite:t}`key` (every claim drawn from a source is cited)"
        ]
    return []


@chapter_rule("glossary links")
def _glossary_links(ch: Chapter) -> list[str]:
    if not re.search(r"\{term\}`[^`]+`", ch.prose):
        return [
            "no glossary link; link key terms with {term}`Tactical alliance` (terms of chapters/glossary.md)"
        ]
    return []


@chapter_rule("exercise set link")
def _exercise_link(ch: Chapter) -> list[str]:
    if not re.search(r"\]\((\./)?exercises/\d\d-[\w-]+\.ipynb\)", ch.prose):
        return ["no link to the exercise set; end with [Exercise set N](exercises/NN-slug.ipynb)"]
    return []


@chapter_rule("section order")
def _order(ch: Chapter) -> list[str]:
    found = [(span[0], name) for name in SECTION_ORDER if (span := ch.section(name)) is not None]
    names = [name for _, name in sorted(found)]
    expected = [name for name in SECTION_ORDER if name in names]
    if names != expected:
        return [f"sections appear as {names}; put them in the order {expected}"]
    return []


def check_chapter(
    path: Path, root: Path = ROOT, rules: Iterable[str] | None = None
) -> list[Problem]:
    """Apply the chapter rules (all, or those named in ``rules``) to one chapter."""
    chapter = read_chapter(path, root)
    problems = []
    for element in rules if rules is not None else CHAPTER_RULES:
        for detail in CHAPTER_RULES[element](chapter):
            problems.append(Problem(chapter.name, element, detail))
    return problems


# ---------------------------------------------------------------------------------------------------------
# Exercise-set rules
# ---------------------------------------------------------------------------------------------------------

ExerciseRule = Callable[[dict, str, Path], list[str]]
EXERCISE_RULES: dict[str, ExerciseRule] = {}


def exercise_rule(element: str) -> Callable[[ExerciseRule], ExerciseRule]:
    """Register an exercise rule under the name of the element it checks."""

    def register(func: ExerciseRule) -> ExerciseRule:
        EXERCISE_RULES[element] = func
        return func

    return register


def _markdown_cells(nb: dict) -> list[str]:
    cells = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            cells.append("".join(source) if isinstance(source, list) else source)
    return cells


def _meta(nb: dict) -> dict:
    meta = nb.get("metadata", {}).get("coursekit")
    return meta if isinstance(meta, dict) else {}


@exercise_rule("time estimate")
def _minutes(nb: dict, name: str, root: Path) -> list[str]:
    minutes = _meta(nb).get("minutes")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
        return [
            f"notebook metadata coursekit.minutes is {minutes!r}; set it to the time the set takes, in "
            "whole minutes (e.g. 45)"
        ]
    return []


@exercise_rule("chapter link")
def _chapter(nb: dict, name: str, root: Path) -> list[str]:
    chapter = _meta(nb).get("chapter")
    if not isinstance(chapter, str) or not chapter.strip():
        return [
            "notebook metadata coursekit.chapter is missing; name the chapter the set belongs to, e.g. "
            '"chapters/theory-02-balancing"'
        ]
    problems = []
    stem = Path(chapter).stem
    if source_of(str(Path(chapter).with_suffix("")), root) is None:
        problems.append(
            f"coursekit.chapter names {chapter!r}, but no such chapter file exists; use the "
            "chapter's path without suffix, e.g. chapters/theory-02-balancing"
        )
    markdown = _markdown_cells(nb)
    first = markdown[0] if markdown else ""
    targets = [t.split("#")[0] for t in re.findall(r"\]\(([^)\s]+)", first)]
    targets += [t for t in re.findall(r"\{doc\}`(?:[^`<]*<)?([^`>]+)>?`", first)]
    if not any(Path(t).stem == stem or Path(t).name == stem for t in targets):
        problems.append(
            f"the first markdown cell does not link to its chapter {chapter!r}; add a link such as "
            f"[the chapter](../{stem}.md)"
        )
    return problems


@exercise_rule("one H1")
def _exercise_h1(nb: dict, name: str, root: Path) -> list[str]:
    count = 0
    for cell in _markdown_cells(nb):
        text = re.sub(r"^(`{3,}|~{3,}).*?^\1", "", cell, flags=re.M | re.S)
        count += len(re.findall(r"^#\s+\S", text, flags=re.M))
    if count != 1:
        return [
            f"found {count} H1 headings in the markdown cells; the set has exactly one '# Title' (first cell)"
        ]
    return []


def check_exercise(
    path: Path, root: Path = ROOT, rules: Iterable[str] | None = None
) -> list[Problem]:
    """Apply the exercise-set rules (all, or those named in ``rules``) to one source notebook."""
    name = relative_name(path, root)
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        return [Problem(name, "notebook", f"not valid JSON ({exc}); re-save it from Jupyter")]
    problems = []
    for element in rules if rules is not None else EXERCISE_RULES:
        for detail in EXERCISE_RULES[element](nb, name, root):
            problems.append(Problem(name, element, detail))
    return problems
