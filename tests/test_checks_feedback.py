"""Self-check feedback teaches without giving the answer away, on every question of every exercise set.

For each question, plausible wrong answers are made from the key stored in the set (``verify.wrong_variants`` plus
the mistakes students make: a percentage for a share, a wrong sign, labels swapped between entries, a near-miss
label, items reordered or replaced). The messages must reject every one of them and never carry what the student
did not give: no value or member of the key, no wrong item named when it is one of the options, no amount.
A blank answer cell shows nothing in a real kernel.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from coursekit.exercises import checks
from coursekit.exercises.checks import decode_payload, decode_value, encode_payload, encode_value
from coursekit.exercises.diagnose import compare
from coursekit.exercises.format import load_source, make_student_edition, read_payload
from coursekit.exercises.student_edition import payload_data
from coursekit.exercises.verify import wrong_variants

ROOT = Path(__file__).resolve().parents[1]
SETS = sorted((ROOT / "exercises").glob("[0-9][0-9]-*.ipynb"))
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:,\d{3})*(?:\.\d+)?(?![\w])")


def _set_data(path: Path) -> dict[str, Any]:
    ex = load_source(path)
    stored = decode_payload(read_payload(ex.notebook.cells[ex.setup_cell].source) or "")
    return payload_data(ex, stored["expected"])


@pytest.fixture(scope="module", params=SETS, ids=lambda p: p.stem)
def exercise_set(request) -> dict[str, Any]:
    data = _set_data(request.param)
    checks.load_checks(encode_payload(data))
    yield data
    checks.load_checks(None)


# --------------------------------------------------------------------------------------------------------
# Wrong answers


def _leaves(value: Any) -> list[Any]:
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        return [x for row in value.itertuples(index=False) for x in row]
    if isinstance(value, pd.Series):
        return list(value)
    if isinstance(value, dict):
        return [x for v in value.values() for x in _leaves(v)]
    if isinstance(value, list | tuple | set):
        return [x for v in value for x in _leaves(v)]
    return [value]


def _mistakes(value: Any, labels: list[str]) -> list[Any]:
    """The mistakes students make, beyond ``wrong_variants``."""
    import pandas as pd

    out: list[Any] = []
    if isinstance(value, bool):
        return out
    if isinstance(value, int | float):
        out += [value * 100, -value if value else 1, value / 100 if value else 0.5, value + 0.37]
    elif isinstance(value, str):
        out += [value.upper() + "!", value[: max(1, len(value) - 3)], *labels[:3]]
    elif isinstance(value, dict) and value:
        keys = list(value)
        if len(keys) > 1:
            rotated = dict(zip(keys, [value[k] for k in keys[1:] + keys[:1]], strict=True))
            out.append(rotated)
        for label in labels[:4]:
            out.append({k: label for k in keys})
            out.append({**value, keys[0]: label})
            out.append({**value, keys[-1]: label[:-2] or label + "x"})  # a near-miss label
        numbers = {
            k: v * 100
            for k, v in value.items()
            if isinstance(v, int | float) and not isinstance(v, bool)
        }
        if numbers:
            out.append({**value, **numbers})
    elif isinstance(value, list | tuple) and value:
        out.append(type(value)(list(value)[1:] + list(value)[:1]))
        out.append(type(value)([*list(value)[:-1], *(labels[-1:] or ["zz"])]))
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
            out.append(type(value)([-v for v in value]))
    elif isinstance(value, pd.Series) and len(value):
        if pd.api.types.is_numeric_dtype(value.dtype):
            out += [value * 100, value + 1]
        out.append(value.iloc[::-1].reset_index(drop=True))
    elif isinstance(value, pd.DataFrame) and value.size:
        numeric = value.select_dtypes("number")
        if numeric.shape[1]:
            out.append(value.assign(**{numeric.columns[0]: numeric.iloc[:, 0] * 100}))
        out.append(value.rename(index={value.index[0]: "not a row"}))
    return out


def _cases(
    data: dict[str, Any],
) -> list[tuple[str, str, dict[str, Any], list[dict[str, Any]], dict[str, Any]]]:
    """(qid, check key, expected, wrong encoded answers, options) for every check of the set."""
    out = []
    for key, expected in sorted(data["expected"].items()):
        qid = key.split(":")[0]
        question = data["questions"][qid]
        options = dict(question.get("options", {}))
        labels = list(question.get("labels", []))
        if labels:
            options["labels"] = labels
        targets = expected["v"] if expected["t"] == "cases" else [expected]
        for target in targets:
            value = decode_value(target)
            wrong = []
            for candidate in [
                *wrong_variants(value, question.get("options")),
                *_mistakes(value, labels),
            ]:
                try:
                    enc = encode_value(candidate)
                except checks.UnsupportedValue:
                    continue
                if compare(target, enc, options) is not None:
                    wrong.append(enc)
            out.append((qid, key, target, wrong, options))
    return out


# --------------------------------------------------------------------------------------------------------
# What a message may not say


def _strings(enc: dict[str, Any]) -> set[str]:
    return {str(x).strip() for x in _leaves(decode_value(enc)) if isinstance(x, str)}


def _numbers(enc: dict[str, Any]) -> list[float]:
    return [
        float(x)
        for x in _leaves(decode_value(enc))
        if isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(float(x))
    ]


def _size(enc: dict[str, Any]) -> int:
    value = enc.get("v")
    n = len(value) if isinstance(value, list) else 1
    if enc["t"] == "frame":
        n = max(n, len(enc["columns"]))
    return n


def leaks(
    message: str, expected: dict[str, Any], answer: dict[str, Any], options: dict[str, Any]
) -> list[str]:
    """What of the key (or which of the options) ``message`` reveals beyond the student's own answer."""
    found = []
    given = _strings(answer) if answer["t"] not in ("str",) else {answer["v"].strip()}
    labels = set(options.get("labels", []))
    fold = str.casefold if options.get("ignore_case") else (lambda s: s)
    given_folded = {fold(s) for s in given}
    # 1. members of the key the student did not give, unless the question lists them as its labels (the
    #    student's own texts, quoted back, are taken out of the message first)
    rest = message
    for text in sorted(given, key=len, reverse=True):
        rest = rest.replace(repr(text), "")
    for member in _strings(expected):
        if fold(member) in given_folded or member in labels or len(member) < 2:
            continue
        if re.search(rf"(?<![\w]){re.escape(member)}(?![\w])", rest):
            found.append(f"key member {member!r}")
    # 2. the options a student gave, named one by one in a container's message (lets them eliminate options);
    #    the list of all allowed labels names every option, so it says nothing about which one is wrong
    named = message.replace(", ".join(f'"{label}"' for label in options.get("labels", [])), "")
    if answer["t"] not in ("str",) and "should be" not in message:
        options_known = labels | _strings(expected)
        for item in given:
            if item in options_known and (repr(item) in named or f'"{item}"' in named):
                found.append(f"named item {item!r}")
    # 3. numbers of the key (or close to them) that the student did not write, and no amounts
    tol = float(options.get("tolerance") or 0)
    own = {t for t in _NUMBER.findall(repr(decode_value(answer)))}
    counts = max(_size(expected), _size(answer))
    for token in _NUMBER.findall(message):
        if token in own:
            continue
        number = float(token.replace(",", ""))
        if number.is_integer() and 0 <= number <= max(counts, 3):
            continue  # a count of items, rows or columns
        if token in ("100", "1,000", "10", "0", "1"):
            continue  # the scale words of the catalogue ("a factor of 10, 100 or 1,000", "between 0 and 1")
        for x in _numbers(expected):
            if abs(number - x) <= max(tol, 1e-6 * abs(x), 1e-9):
                found.append(f"key value {token}")
        found.append(f"number {token} the student did not write")
    for word in ("too high", "too low", "roughly", "by about"):
        if word in message:
            found.append(word)
    return found


# --------------------------------------------------------------------------------------------------------
# The property, over every question of every set


def test_wrong_answers_are_rejected_without_giving_the_key_away(exercise_set):
    problems = []
    checked = 0
    for _qid, key, expected, wrong, options in _cases(exercise_set):
        assert wrong, f"{exercise_set['set']} {key}: no wrong answer could be made"
        for answer in wrong:
            why = compare(expected, answer, options)
            assert why is not None
            checked += 1
            for leak in leaks(why, expected, answer, options):
                problems.append(
                    f"{exercise_set['set']} {key}: {leak} in {why!r} (answer {decode_value(answer)!r})"
                )
    assert checked >= 10
    assert not problems, "\n".join(problems[:20])


def test_verdicts_point_to_the_hint_and_written_questions_have_hints(exercise_set):
    for qid, question in exercise_set["questions"].items():
        if question["kind"] == "manual":
            checks.hint(qid)  # must not raise, and gives the first hint when there is one
            verdict = checks.evaluate(qid, "An essay.")
            assert verdict.status == "unavailable" and "written answer" in verdict.message
            continue
        key = (
            qid
            if qid in exercise_set["expected"]
            else next(k for k in exercise_set["expected"] if k.startswith(f"{qid}:"))
        )
        part = key.split(":")[1] if ":" in key else None
        if exercise_set["expected"][key]["t"] == "cases":
            continue
        verdict = checks.evaluate(qid, object(), part=part)
        assert verdict.status == "incorrect"
        if question["hints"]:
            assert verdict.message.endswith(f'Run hint("{qid}") for a hint.')


def test_the_leak_detector_catches_the_old_messages():
    """The property would have failed on the feedback this change removed."""
    key = encode_value({"s1": "both", "s2": "neither"})
    answer = encode_value({"s1": "both", "s2": "broad only"})
    options = {"labels": ["both", "broad only", "neither"]}
    assert (
        leaks("1 of 2 entries are wrong: 's2'.", key, answer, options) == []
    )  # the key name is not an option
    assert leaks("these items are not expected: 'broad only'.", key, answer, options) == [
        "named item 'broad only'"
    ]
    number = encode_value(0.1724)
    assert leaks(
        "your answer 0.3 is too high, by roughly 0.13.", number, encode_value(0.3), {}
    ) == [
        "number 0.13 the student did not write",
        "too high",
        "roughly",
    ]
    assert "key value 0.17" in leaks(
        "the answer is 0.17.", number, encode_value(0.3), {"tolerance": 0.005}
    )
    letters = encode_value(["B", "D", "E"])
    assert leaks(
        "missing 'balancing'", encode_value(["balancing"]), encode_value(["hedging"]), {}
    ) == ["key member 'balancing'"]
    assert leaks("some items are not right.", letters, encode_value(["A", "D", "E"]), {}) == []


# --------------------------------------------------------------------------------------------------------
# hint() in the student edition, and blank answer cells


def test_the_student_edition_carries_the_hints_of_written_questions():
    ex = load_source(ROOT / "exercises" / "07-sources-and-durability.ipynb")
    student = make_student_edition(ex)
    data = decode_payload(read_payload(student.cells[ex.setup_cell].source) or "")
    written = [q for q in ex.questions if q.kind == "manual"]
    assert written
    for q in written:
        assert data["questions"][q.qid]["kind"] == "manual"
        assert data["questions"][q.qid]["hints"] == q.hints
        assert q.qid not in data["expected"]


def test_allowed_labels_come_from_the_question_only_when_they_cover_the_key():
    data = _set_data(ROOT / "exercises" / "02-threat-and-balancing.ipynb")
    assert data["questions"]["q1"]["labels"] == [
        "balancing",
        "bandwagoning",
        "hedging",
        "no alignment needed",
    ]
    one = _set_data(ROOT / "exercises" / "01-alliance-concepts.ipynb")
    assert (
        "labels" not in one["questions"]["q1"]
    )  # the letters A-F are not all quoted: no partial list
    assert one["questions"]["q3"]["labels"] == ["both", "broad only", "neither"]


def test_blank_answer_cells_display_nothing_in_a_kernel(tmp_path):
    ex = load_source(ROOT / "exercises" / "01-alliance-concepts.ipynb")
    student = make_student_edition(ex)
    # the set's own cells, then a filled-in answer, which must still display
    student.cells.append(nbformat.v4.new_code_cell('shown = {"best": 0.5}\nshown'))
    NotebookClient(
        student, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    ).execute()
    texts = [
        str(output.get("data", {}).get("text/plain", output.get("text", "")))
        for cell in student.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    ]
    assert not [t for t in texts if "Ellipsis" in t], texts
    assert student.cells[-1].outputs[0]["data"]["text/plain"] == "{'best': 0.5}"
    blank_answer = next(
        c for c in student.cells if c.cell_type == "code" and c.source.rstrip().endswith("\nclient")
    )
    assert blank_answer.outputs == []


# --------------------------------------------------------------------------------------------------------
# The grader's hidden-test feedback follows the same rule


def test_hidden_tests_never_pass_on_a_librarys_assertion_text():
    import pandas as pd

    from coursekit.grading import hidden

    src = (
        "import numpy as np\nimport pandas as pd\n"
        "def _mine(answer):\n    assert answer is not None, 'Give a Series.'\n"
        "def test_author(answer):\n    _mine(answer)\n    assert len(answer) == 2, 'Keep both regions.'\n"
        "def test_pandas(answer):\n"
        "    pd.testing.assert_series_equal(answer, pd.Series({'east': 3, 'west': 5}))\n"
        "def test_numpy(answer):\n    np.testing.assert_allclose(answer.to_numpy(), [3.0, 5.0])\n"
    )
    tests = hidden.compile_tests("q5", src)
    outcomes = hidden.run_tests(tests, 3, answer=pd.Series({"east": 3, "west": 6}))
    assert [o.passed for o in outcomes] == [True, False, False]
    for outcome in outcomes[1:]:
        assert outcome.message == "A hidden test failed (it gives no explanation)."
    (none,) = hidden.run_tests(tests[:1], 1, answer=None)
    assert none.message == "Give a Series."  # a helper in the cell is the author's own words
    (short,) = hidden.run_tests(tests[:1], 1, answer=pd.Series({"east": 3}))
    assert short.message == "Keep both regions."


def test_collections_of_numbers_are_counted_and_labels_never_are():
    def why(expected: Any, given: Any, **options: Any) -> str | None:
        return compare(encode_value(expected), encode_value(given), options)

    assert why({3, 5, 8}, [8, 5, 3]) is None
    assert (
        why([3, 5, 8], [3, 5, 9], ordered=False)
        == "some of its items are not expected (1 of them)."
    )
    assert why([3, 5, 8], [3, 5, 9], ordered=False, count_only=True).startswith(
        "it is not the expected"
    )
    assert why(["a", "b", "c"], ["a", "b", "x"], ordered=False) == (
        "some items are not right (this check does not say which, or how many)."
    )
    assert why([0.2, 0.4], [-0.2, -0.4]) == (
        "2 of 2 items are wrong. The wrong values look right in size, but their sign is wrong."
    )
    assert why({"n": 12, "m": 3}, {"n": 12.5, "m": 3}) == (
        "1 of 2 values are wrong. Whole numbers (counts) are asked, and the wrong values have decimals."
    )
    # several kinds at once: no kind is named (it would tell which value is which)
    assert why([0.2, 0.4], [20.0, -0.4]) == "2 of 2 items are wrong."
    # the student's own strings are the only ones quoted
    assert why("balancing", "Balance", labels=["balancing", "hedging"]) == (
        "'Balance' is not one of the labels the question allows; use exactly one of: \"balancing\", "
        '"hedging".'
    )
    assert why("balancing", "Balancing", labels=["balancing", "hedging"], ignore_case=True) is None
