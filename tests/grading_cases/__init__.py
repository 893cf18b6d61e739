"""A small exercise set and a family of submissions to it, for the grader's tests and benchmark.

The set (``99-grader-selftest``) follows the exercise format exactly: a setup cell, a value question (q1), a
function question (q2), a DataFrame question with given lines (q3) and a written answer (q4). Each submission is
made from the set's student edition by a few edits (:func:`submission`), so the failure modes are generated
from one template instead of being committed as many files.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from coursekit.exercises.format import load_source, make_student_edition

SET_ID = "99-grader-selftest"

Q3_GIVEN = (
    'events = pd.DataFrame({"year": [2017, 2018, 2018, 2019, 2019, 2019], '
    '"dimension": ["military", "economic", "military", "political", "military", "military"]})'
)
TAMPERED_GIVEN = 'events = pd.DataFrame({"year": [2020], "dimension": ["military"]})'
HIDDEN_MARK = "HIDDEN-TEST-CODE-NEVER-SHOWN"


def _cell(kind: str, source: str, tags: list[str], meta: dict | None = None) -> NotebookNode:
    cell = new_code_cell(source) if kind == "code" else new_markdown_cell(source)
    cell.metadata["tags"] = tags
    if meta is not None:
        cell.metadata["coursekit"] = meta
    return cell


def source_notebook() -> NotebookNode:
    """The instructor edition of the test set."""
    cells = [
        new_markdown_cell("# Grader self-test\n\nA tiny set used by the grader's tests."),
        _cell("code", "# coursekit: setup\nfrom coursekit.exercises import check, hint\nimport pandas as pd", ["setup"]),
        # q1: a value
        _cell("markdown", "## Question 1 (2 points)\n\nIn which year was the first Russia–Africa summit held in Sochi?",
              ["question"], {"question": "q1"}),
        _cell("code", "# coursekit: q1\n### BEGIN SOLUTION\npeak_year = 2019\n### END SOLUTION", ["solution"],
              {"question": "q1", "points": 2, "answer": "peak_year"}),
        _cell("code", '# coursekit: q1\ncheck("q1", peak_year)', ["check"], {"question": "q1"}),
        _cell("code", "# coursekit: q1 hidden tests\nfrom coursekit.grading.spec import points\n\n"
              f"# {HIDDEN_MARK}\n"
              "@points(1)\ndef test_type(answer):\n"
              '    assert isinstance(answer, int), "The answer should be a year written as a whole number."\n\n'
              "@points(1)\ndef test_value(answer):\n"
              '    assert answer == 2019, "Look up the date of the Sochi summit in the case chapter."\n',
              ["hidden-tests"], {"question": "q1"}),
        # q2: a function
        _cell("markdown", "## Question 2 (3 points)\n\nWrite `threat_score(power, proximity)`: the product of the two.",
              ["question"], {"question": "q2"}),
        _cell("code", "# coursekit: q2\ndef threat_score(power, proximity):\n    ### BEGIN SOLUTION\n"
              "    return power * proximity\n    ### END SOLUTION", ["solution"],
              {"question": "q2", "points": 3, "answer": "threat_score", "kind": "function"}),
        _cell("code", '# coursekit: q2\ncheck("q2", threat_score, cases=[(0.5, 0.2)])', ["check"], {"question": "q2"}),
        _cell("code", "# coursekit: q2 hidden tests\nfrom coursekit.grading.spec import points\n\n"
              "@points(2)\ndef test_value(call):\n"
              '    assert abs(call(0.5, 0.2) - 0.1) < 1e-9, "threat_score(0.5, 0.2) should be 0.1: multiply the two."\n\n'
              "@points(1)\ndef test_zero(call):\n"
              '    assert call(0.0, 0.9) == 0, "With no power there is no threat."\n',
              ["hidden-tests"], {"question": "q2"}),
        # q3: a DataFrame, with given lines
        _cell("markdown", "## Question 3 (2 points)\n\nCount the military events per year as a DataFrame with "
              "columns `year` and `count`.", ["question"], {"question": "q3"}),
        _cell("code", f"# coursekit: q3\n{Q3_GIVEN}\n### BEGIN SOLUTION\n"
              'per_year = events[events["dimension"] == "military"].groupby("year").size().reset_index(name="count")\n'
              "### END SOLUTION\nprint(len(events))", ["solution"],
              {"question": "q3", "points": 2, "answer": "per_year"}),
        _cell("code", '# coursekit: q3\ncheck("q3", per_year)', ["check"], {"question": "q3"}),
        _cell("code", "# coursekit: q3 hidden tests\nfrom coursekit.grading.spec import points\nimport pandas as pd\n\n"
              "@points(1)\ndef test_shape(answer):\n"
              '    assert isinstance(answer, pd.DataFrame), "Answer with a DataFrame."\n'
              '    assert list(answer.columns) == ["year", "count"], "Use the columns year and count."\n\n'
              "@points(1)\ndef test_counts(answer):\n"
              '    assert dict(zip(answer["year"], answer["count"])) == {2017: 1, 2018: 1, 2019: 2}, '
              '"Count only the military events."\n',
              ["hidden-tests"], {"question": "q3"}),
        # q4: a written answer
        _cell("markdown", "## Question 4 (2 points)\n\nIn two sentences: is the CAR–Russia relationship an alliance?",
              ["question"], {"question": "q4"}),
        _cell("markdown", "Under the broad definition it is: informal security cooperation with expectations.",
              ["manual"], {"question": "q4", "points": 2, "rubric": "1 point per sound, sourced sentence."}),
    ]  # fmt: skip
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["coursekit"] = {"set": SET_ID, "title": "Grader self-test", "chapter": "chapters/theory-01-alliances",
                                "minutes": 10}  # fmt: skip
    return nb


def write_source(folder: Path) -> Path:
    """Write the source notebook into ``folder`` and return its path (validated by the exercise format)."""
    path = Path(folder) / f"{SET_ID}.ipynb"
    nbformat.write(source_notebook(), path)
    load_source(path)  # raises if the test set breaks the format
    return path


def student_edition(source: Path) -> NotebookNode:
    """The released student edition of the source."""
    return make_student_edition(load_source(source))


ANSWERS = {
    "q1": "peak_year = 2019",
    "q2": "    return power * proximity",
    "q3": 'per_year = events[events["dimension"] == "military"].groupby("year").size().reset_index(name="count")',
    "q4": "It is an alliance in the broad sense. The cooperation is informal but about security.",
}


def _find(nb: NotebookNode, qid: str, tag: str) -> NotebookNode:
    for cell in nb.cells:
        if (
            tag in cell.metadata.get("tags", [])
            and cell.metadata.get("coursekit", {}).get("question") == qid
        ):
            return cell
    raise KeyError(f"{qid} {tag}")


def answer(nb: NotebookNode, qid: str, code: str | None = None) -> None:
    """Put ``code`` (default: the right answer) in place of the stub or the answer of question ``qid``."""
    code = ANSWERS[qid] if code is None else code
    if qid == "q4":
        cell = _find(nb, qid, "manual")
        cell.source = "<!-- coursekit: q4 -->\n" + code
        return
    cell = _find(nb, qid, "solution")
    stub = {"q1": "peak_year = ...", "q2": "    return ...", "q3": "per_year = ..."}[qid]
    current = stub if stub in cell.source else ANSWERS[qid]
    assert current in cell.source, cell.source
    cell.source = cell.source.replace(current, code)


def correct(source: Path) -> NotebookNode:
    """A student edition with every question answered right."""
    nb = student_edition(source)
    for qid in ANSWERS:
        answer(nb, qid)
    return nb


def submission(source: Path, edit: Callable[[NotebookNode], None] | None = None) -> NotebookNode:
    """A correct submission changed by ``edit`` (in place)."""
    nb = correct(source)
    if edit is not None:
        edit(nb)
    return nb


def write(nb: NotebookNode | str | dict, path: Path) -> Path:
    """Write a notebook (or raw text / a JSON-able dict, for broken files) to ``path``."""
    path = Path(path)
    if isinstance(nb, str):
        path.write_text(nb, encoding="utf-8")
    elif isinstance(nb, NotebookNode):
        nbformat.write(copy.deepcopy(nb), path)
    else:
        path.write_text(json.dumps(nb), encoding="utf-8")
    return path


# ---- a second set whose hidden test compares numbers the way sets 02 and 04 do -------------------------------

NAN_SET_ID = "98-grader-nan"


def nan_source_notebook() -> NotebookNode:
    """A one-question set whose hidden test flags a value as wrong only when ``abs(got - expected) > tol``.

    NaN never satisfies ``>``, so without the grader's own guard a NaN answer would pass it.
    """
    cells = [
        new_markdown_cell("# Grader NaN self-test"),
        _cell("code", "# coursekit: setup\nfrom coursekit.exercises import check, hint", ["setup"]),
        _cell("markdown", "## Question 1 (2 points)\n\nGive the two shares as a dict.", ["question"],
              {"question": "q1"}),
        _cell("code", '# coursekit: q1\n### BEGIN SOLUTION\nshares = {"a": 0.25, "b": 0.75}\n### END SOLUTION',
              ["solution"], {"question": "q1", "points": 2, "answer": "shares"}),
        _cell("code", '# coursekit: q1\ncheck("q1", shares)', ["check"], {"question": "q1"}),
        _cell("code", "# coursekit: q1 hidden tests\nfrom coursekit.grading.spec import points\n\n"
              "@points(2)\ndef test_shares(answer):\n"
              '    expected = {"a": 0.25, "b": 0.75}\n'
              "    wrong = sorted(k for k in expected if abs(answer.get(k, -1) - expected[k]) > 0.005)\n"
              '    assert not wrong, f"{len(wrong)} share(s) are not right."\n',
              ["hidden-tests"], {"question": "q1"}),
    ]  # fmt: skip
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["coursekit"] = {"set": NAN_SET_ID, "title": "Grader NaN self-test",
                                "chapter": "chapters/theory-01-alliances", "minutes": 5}  # fmt: skip
    return nb


def write_nan_source(folder: Path) -> Path:
    """Write the NaN set's source notebook into ``folder`` and return its path."""
    path = Path(folder) / f"{NAN_SET_ID}.ipynb"
    nbformat.write(nan_source_notebook(), path)
    load_source(path)
    return path


def nan_submission(source: Path, value: str) -> NotebookNode:
    """The NaN set's student edition answered with ``shares = <value>``."""
    nb = make_student_edition(load_source(source))
    cell = _find(nb, "q1", "solution")
    cell.source = f"# coursekit: q1\nshares = {value}"
    return nb
