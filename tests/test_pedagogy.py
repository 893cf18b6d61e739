"""Pedagogical lint over the sources: every teaching chapter, exercise set and figure function follows the
course's rules (``tests/pedagogy_rules.py`` holds them, in one place).

The checks are parametrised over what exists: every teaching chapter listed in ``_toc.yml``, every exercise
source in ``exercises/`` and every public figure function in ``src/coursekit/plots/``. A new chapter is covered
as soon as it is in the table of contents. The rules themselves are tested first, on a complete sample chapter,
exercise set and plots module written to a temporary folder: the samples pass, and removing each element makes
the matching rule fail with the file and the element named.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pedagogy_rules as rules
import pytest
from pedagogy_rules import ROOT

# ---------------------------------------------------------------------------------------------------------
# The rules, tested on samples
# ---------------------------------------------------------------------------------------------------------

SAMPLE_NAME = "theory-09-sample.md"

SAMPLE_CHAPTER = """\
---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  name: python3
  display_name: Python 3
---

# A sample chapter

```{code-cell} ipython3
:tags: [remove-input]
from coursekit.book import chapter_header
chapter_header("theory-09-sample.md")
```

## Learning objectives

- Define a tactical alliance.
- Tell balancing from bandwagoning.
- Read a threat-score figure.

## Why states align

States align to meet threats {cite:p}`walt1987origins`, and a {term}`tactical alliance` serves a concrete aim
{cite:p}`hayrapetyan2022russian`. Others stress gains {cite:p}`schweller1994bandwagoning` and the
security-autonomy trade-off {cite:p}`morrow1991alliances,altfeld1984decision`.

```python
# A code block in the prose is not a heading:
# Not an H1
```

## Worked example

A worked example walks through the scores.

```{code-cell} ipython3
---
tags: [hide-input]
mystnb:
  image:
    alt: Bars of threat scores for two states.
  figure:
    caption: The nearer state poses the larger threat.
    name: fig-sample
---
from coursekit.plots.style import new_figure, style_axes
fig = new_figure()
ax = fig.add_subplot()
ax.bar(["A", "B"], [3, 5])
style_axes(ax, title="Threat scores", xlabel="state", ylabel="score (0-10)")
fig
```

## Summary

Alliances answer threats and serve aims.

## Self-check

:::{admonition} Question 1
What is a tactical alliance?
:::
:::{dropdown} Answer
A short-lived alliance for a concrete aim.
:::

:::{admonition} Question 2
What does Walt add to Waltz?
:::
:::{dropdown} Answer
Threat, not power alone.
:::

:::{admonition} Question 3
What is bandwagoning for profit?
:::
:::{dropdown} Answer
Joining the stronger side for gains.
:::

## Discussion questions

1. Was the CAR balancing or bandwagoning?
2. What would make the alliance strategic?

[Exercise set 1](exercises/01-alliance-concepts.ipynb)
"""

# element -> (text to find in the sample, its replacement): each edit removes or breaks exactly one element.
MUTATIONS: dict[str, tuple[str, str]] = {
    "one H1": ("## Summary", "# Summary"),
    "reading-time cell": (
        'chapter_header("theory-09-sample.md")',
        'chapter_header("theory-01-alliances.md")',
    ),
    "learning objectives": ("## Learning objectives", "## Goals"),
    "worked example": ("## Worked example", "## An example"),
    "figure or widget with a caption": (
        "    caption: The nearer state poses the larger threat.\n",
        "",
    ),
    "figure alt text": ("    alt: Bars of threat scores for two states.\n", "    width: 80%\n"),
    "figure title and axis labels": (
        'style_axes(ax, title="Threat scores", xlabel="state", ylabel="score (0-10)")',
        'ax.set_title("Threat scores")',
    ),
    "summary": ("## Summary\n\nAlliances answer threats and serve aims.\n", ""),
    "self-check": (":::{dropdown} Answer\nThreat, not power alone.\n:::\n", ""),
    "discussion questions": ("## Discussion questions", "## Further thoughts"),
    "citations": ("{cite:p}`morrow1991alliances,altfeld1984decision`", "(Morrow 1991)"),
    "glossary links": ("{term}`tactical alliance`", "tactical alliance"),
    "exercise set link": (
        "[Exercise set 1](exercises/01-alliance-concepts.ipynb)",
        "Exercise set 1.",
    ),
    "section order": (
        "## Summary\n\nAlliances answer threats and serve aims.\n\n## Self-check",
        "## Self-check\n\n:::{dropdown} Answer\nAn extra.\n:::\n\n## Summary\n\nAlliances answer threats.\n\n"
        "## More",
    ),
}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_chapter_rule_has_a_mutation():
    assert set(MUTATIONS) == set(rules.CHAPTER_RULES)


def test_complete_sample_chapter_passes(tmp_path):
    problems = rules.check_chapter(write(tmp_path, SAMPLE_NAME, SAMPLE_CHAPTER))
    assert problems == [], rules.report(problems)


@pytest.mark.parametrize("element", list(MUTATIONS))
def test_removing_an_element_fails_its_rule(tmp_path, element):
    old, new = MUTATIONS[element]
    assert SAMPLE_CHAPTER.count(old) == 1, (
        f"the mutation for {element!r} must match the sample exactly once"
    )
    path = write(tmp_path, SAMPLE_NAME, SAMPLE_CHAPTER.replace(old, new))
    problems = rules.check_chapter(path)
    elements = {p.element for p in problems}
    assert element in elements, (
        f"breaking {element!r} was not caught; problems: {rules.report(problems)}"
    )
    for problem in problems:
        if problem.element == element:
            assert SAMPLE_NAME in str(problem) and element in str(problem)


def test_typed_reading_time_is_rejected(tmp_path):
    text = SAMPLE_CHAPTER.replace(
        "## Learning objectives", "*Reading time: about 25 minutes.*\n\n## Learning objectives"
    )
    problems = rules.check_chapter(write(tmp_path, SAMPLE_NAME, text), rules=["reading-time cell"])
    assert any("typed by hand" in p.detail for p in problems), rules.report(problems)


def test_missing_h1_and_header_cell_are_named(tmp_path):
    text = SAMPLE_CHAPTER.replace("# A sample chapter\n", "")
    text = text.replace(":tags: [remove-input]\n", "")
    problems = rules.check_chapter(
        write(tmp_path, SAMPLE_NAME, text), rules=["one H1", "reading-time cell"]
    )
    details = rules.report(problems)
    assert "no H1 heading" in details
    assert "not tagged remove-input" in details
    assert "not between the H1" in details


def test_self_check_with_a_quiz_passes(tmp_path):
    start = SAMPLE_CHAPTER.index(":::{admonition} Question 1")
    end = SAMPLE_CHAPTER.index("## Discussion questions")
    quiz = '```{code-cell} ipython3\n:tags: [remove-input]\nfrom jupyterquiz import display_quiz\ndisplay_quiz("quiz.json")\n```\n\n'
    text = SAMPLE_CHAPTER[:start] + quiz + SAMPLE_CHAPTER[end:]
    assert rules.check_chapter(write(tmp_path, SAMPLE_NAME, text), rules=["self-check"]) == []


def test_heading_inside_a_code_block_is_not_counted(tmp_path):
    chapter = rules.read_chapter(write(tmp_path, SAMPLE_NAME, SAMPLE_CHAPTER))
    assert [h.text for h in chapter.headings if h.level == 1] == ["A sample chapter"]
    assert len(chapter.code_cells) == 2
    assert chapter.code_cells[1].mystnb("figure", "name") == "fig-sample"


def sample_exercise(**meta_changes) -> dict:
    meta = {
        "set": "01-alliance-concepts",
        "title": "Alliance concepts",
        "chapter": "chapters/theory-09-sample",
        "minutes": 40,
    }
    meta.update(meta_changes)
    meta = {k: v for k, v in meta.items() if v is not None}
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3"},
            "coursekit": meta,
        },
        "cells": [
            {
                "cell_type": "markdown",
                "metadata": {},
                "id": "a",
                "source": "# Exercise set 1: alliance concepts\n\nPractice for [the chapter](../theory-09-sample.md).",
            },
            {
                "cell_type": "code",
                "metadata": {},
                "id": "b",
                "execution_count": None,
                "outputs": [],
                "source": "from coursekit.exercises import check, hint",
            },
            {
                "cell_type": "markdown",
                "metadata": {},
                "id": "c",
                "source": "## Question 1\n\nDefine an alliance.",
            },
        ],
    }


def exercise_problems(tmp_path: Path, nb: dict) -> list[rules.Problem]:
    root = tmp_path / "repo"
    (root / "chapters").mkdir(parents=True, exist_ok=True)
    (root / "exercises").mkdir(exist_ok=True)
    (root / "chapters" / SAMPLE_NAME).write_text(SAMPLE_CHAPTER, encoding="utf-8")
    path = root / "exercises" / "01-alliance-concepts.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    return rules.check_exercise(path, root=root)


def test_complete_sample_exercise_passes(tmp_path):
    problems = exercise_problems(tmp_path, sample_exercise())
    assert problems == [], rules.report(problems)


@pytest.mark.parametrize(
    ("change", "element", "words"),
    [
        ({"minutes": None}, "time estimate", "coursekit.minutes"),
        ({"minutes": "45"}, "time estimate", "coursekit.minutes"),
        ({"minutes": 0}, "time estimate", "coursekit.minutes"),
        ({"chapter": None}, "chapter link", "coursekit.chapter is missing"),
        ({"chapter": "chapters/theory-77-nothing"}, "chapter link", "no such chapter file"),
    ],
)
def test_exercise_metadata_rules(tmp_path, change, element, words):
    problems = exercise_problems(tmp_path, sample_exercise(**change))
    assert {p.element for p in problems} == {element}, rules.report(problems)
    assert any(
        words in str(p) and "exercises/01-alliance-concepts.ipynb" in str(p) for p in problems
    ), rules.report(problems)


def test_exercise_without_link_back_fails(tmp_path):
    nb = sample_exercise()
    nb["cells"][0]["source"] = "# Exercise set 1: alliance concepts\n\nPractice for the chapter."
    problems = exercise_problems(tmp_path, nb)
    assert [p.element for p in problems] == ["chapter link"]
    assert "does not link to its chapter" in problems[0].detail


def test_exercise_with_two_h1_fails(tmp_path):
    nb = sample_exercise()
    nb["cells"][2]["source"] = "# Question 1\n\nDefine an alliance."
    problems = exercise_problems(tmp_path, nb)
    assert [p.element for p in problems] == ["one H1"]


SAMPLE_PLOTS = """
from matplotlib.figure import Figure
from coursekit.plots.style import new_figure, style_axes


def good_figure(values) -> Figure:
    fig = new_figure()
    ax = fig.add_subplot()
    ax.bar(range(len(values)), values)
    style_axes(ax, title="Scores", xlabel="case", ylabel="score (0-10)")
    return fig


def _decorate(ax):
    ax.set(title="Votes", xlabel="year", ylabel="share of votes (%)")


def delegating_figure(values) -> Figure:
    fig = new_figure()
    ax = fig.add_subplot()
    _decorate(ax)
    return fig


def diagram_figure() -> Figure:
    fig = new_figure()
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_title("The four steps")
    return fig


def untitled_figure(values) -> Figure:
    fig = new_figure()
    ax = fig.add_subplot()
    ax.set_xlabel("year")
    ax.set_ylabel("events")
    return fig


def unlabelled(values) -> "Figure":
    fig = new_figure()
    fig.add_subplot().set_title("Events")
    return fig


def helper_not_a_figure(values) -> int:
    return len(values)
"""


def test_plots_rule_on_a_sample_module(tmp_path):
    path = write(tmp_path, "sample.py", textwrap.dedent(SAMPLE_PLOTS))
    functions = rules.module_figure_functions(path)
    assert sorted(functions) == [
        "delegating_figure",
        "diagram_figure",
        "good_figure",
        "unlabelled",
        "untitled_figure",
    ]
    problems = rules.check_plot_module(path)
    assert sorted(p.element for p in problems) == [
        "unlabelled(): figure x-axis label and y-axis label",
        "untitled_figure(): figure title",
    ]
    assert all("sample.py" in str(p) for p in problems)


# ---------------------------------------------------------------------------------------------------------
# The rules, applied to the course
# ---------------------------------------------------------------------------------------------------------


def _cases(items: list, reason: str, ids) -> list:
    if not items:
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="none")]
    return [pytest.param(item, id=ids(item)) for item in items]


CHAPTERS = rules.teaching_chapters()
CHAPTER_CASES = [
    pytest.param(path, element, id=f"{path.stem}-{element}")
    for path in CHAPTERS
    for element in rules.CHAPTER_RULES
] or [pytest.param(None, None, marks=pytest.mark.skip(reason="no chapters yet"), id="no-chapters")]


@pytest.mark.parametrize(("chapter", "element"), CHAPTER_CASES)
def test_chapter(chapter, element):
    problems = rules.check_chapter(chapter, rules=[element])
    assert not problems, rules.report(problems)


def test_every_teaching_chapter_is_in_the_toc():
    unlisted = rules.unlisted_chapters()
    assert not unlisted, (
        f"teaching chapters not listed in _toc.yml (the book skips them and the lint cannot see them): {unlisted}; "
        "add each under its part in _toc.yml"
    )


@pytest.mark.parametrize(
    "source", _cases(rules.exercise_sources(), "no exercise sets yet", lambda p: p.stem)
)
def test_exercise_set(source):
    problems = rules.check_exercise(source)
    assert not problems, rules.report(problems)


@pytest.mark.parametrize(
    "module",
    _cases(rules.plot_modules(), "no figure modules in coursekit.plots yet", lambda p: p.stem),
)
def test_figure_functions_title_and_label_their_axes(module):
    if not rules.module_figure_functions(module):
        pytest.skip(f"{rules.relative_name(module)} has no public figure functions")
    problems = rules.check_plot_module(module)
    assert not problems, rules.report(problems)


def test_toc_lists_files_that_exist():
    missing = [entry for entry in rules.toc_entries() if rules.source_of(entry, ROOT) is None]
    assert not missing, f"_toc.yml lists entries with no .md or .ipynb source: {missing}"
