"""The exercise format (parse, validate, student edition) and the student-side self-checks, without kernels."""

from __future__ import annotations

import copy

import nbformat
import numpy as np
import pandas as pd
import pytest
from conftest import exercise_cell
from nbformat.v4 import new_notebook

from coursekit.exercises import checks
from coursekit.exercises.checks import (
    decode_payload,
    decode_value,
    encode_payload,
    encode_value,
    evaluate,
    hint,
    load_checks,
)
from coursekit.exercises.format import (
    WRITE_HERE,
    FormatError,
    cell_question,
    make_student_edition,
    parse_question_comment,
    parse_source,
    read_payload,
    set_payload,
    stub_for,
)

# --------------------------------------------------------------------------------------------------------
# A small but complete source notebook, built in code so that each test can break one thing.


def make_source() -> nbformat.NotebookNode:
    """A valid source: a value question, a function question and a written question."""
    cells = [
        exercise_cell("md", "# Demo set"),
        exercise_cell(
            "code",
            "from coursekit.exercises import check, hint, load_checks\nload_checks()",
            ["setup"],
        ),
        exercise_cell(
            "md",
            "## Question 1 (2 points)\nAdd up.",
            ["question"],
            question="q1",
            hints=["first", "second"],
        ),
        exercise_cell(
            "code",
            "# coursekit: q1\nbase = 40\n### BEGIN SOLUTION\ntotal = base + 2  # the secret sum\n"
            'labels = {"a": "balancing", "b": "bandwagoning"}\n### END SOLUTION\nprint(base)',
            ["solution"],
            question="q1",
            points=2,
            answer="total",
        ),
        exercise_cell("code", 'check("q1", total)', ["check"], question="q1"),
        exercise_cell(
            "code",
            "# coursekit: q1 hidden tests\nfrom coursekit.grading.spec import points\n\n"
            "@points(2)\ndef test_value(answer):\n    assert answer == 42, 'the hidden message'\n",
            ["hidden-tests"],
            question="q1",
        ),
        exercise_cell("md", "## Question 2\nWrite f.", ["question"], question="q2"),
        exercise_cell(
            "code",
            'def double(x, factor=2):\n    """Double x."""\n    ### BEGIN SOLUTION\n    return x * factor\n'
            "    ### END SOLUTION",
            ["solution"],
            question="q2",
            points=1,
            answer="double",
            kind="function",
        ),
        exercise_cell("code", 'check("q2", double, cases=[1, (2, 3)])', ["check"], question="q2"),
        exercise_cell(
            "code",
            "# coursekit: q2 hidden tests\nfrom coursekit.grading.spec import points\n\n"
            "@points(1)\ndef test_call(call):\n    assert call(3) == 6, 'double it'\n",
            ["hidden-tests"],
            question="q2",
        ),
        exercise_cell("md", "## Question 3 (3 points)\nArgue.", ["question"], question="q3"),
        exercise_cell(
            "md",
            "The model answer says alliances are tactical.",
            ["manual"],
            question="q3",
            points=3,
            rubric="1 point per argument",
        ),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["coursekit"] = {
        "set": "99-demo",
        "title": "Demo",
        "chapter": "chapters/demo",
        "minutes": 10,
    }
    return nb


def problem(nb: nbformat.NotebookNode, path: str | None = None) -> FormatError:
    with pytest.raises(FormatError) as info:
        parse_source(nb, path=path)
    return info.value


# --------------------------------------------------------------------------------------------------------
# Parsing


def test_parse_valid_source():
    ex = parse_source(make_source())
    assert (ex.set_id, ex.title, ex.chapter, ex.minutes) == ("99-demo", "Demo", "chapters/demo", 10)
    q1, q2, q3 = ex.questions
    assert (q1.qid, q1.points, q1.kind, q1.answer_name, q1.solution_cell, q1.check_cells) == (
        "q1",
        2.0,
        "value",
        "total",
        3,
        [4],
    )
    assert "assert answer == 42" in q1.hidden_tests_source and q1.hidden_tests_cells == [5]
    assert q1.hints == ["first", "second"]
    assert (q2.kind, q2.answer_name, q2.points) == ("function", "double", 1.0)
    assert (q3.kind, q3.rubric, q3.answer_name, q3.check_cells) == (
        "manual",
        "1 point per argument",
        None,
        [],
    )
    assert ex.total_points == 6
    assert ex.question("q2") is q2
    with pytest.raises(KeyError, match="has no question 'q9'"):
        ex.question("q9")


@pytest.mark.parametrize(
    ("breakage", "cell", "question", "words"),
    [
        ("no_end_marker", 3, "q1", "END SOLUTION"),
        ("answer_not_bound", 3, "q1", "would not define 'total'"),
        ("points_in_text_differ", 2, "q1", "question text says (2 points)"),
        ("hidden_points_sum", 5, "q1", "worth 5 points together"),
        ("check_before_solution", 3, "q1", "comes before the solution"),
        ("comment_disagrees", 4, "q1", "comment says q2"),
        ("manual_without_rubric", 11, "q3", "rubric"),
        ("two_role_tags", 4, None, "several role tags"),
        ("bad_syntax", 3, "q1", "not valid Python"),
        ("no_check", 3, "q1", "no 'check' cell"),
        ("unknown_kind", 3, "q1", '"kind" must be'),
        ("hidden_without_tests", 5, "q1", "defines no test function"),
        ("call_in_value_question", 5, "q1", "only a function question"),
    ],
)
def test_parse_errors_name_cell_and_question(breakage, cell, question, words):
    nb = make_source()
    cells = nb.cells
    if breakage == "no_end_marker":
        cells[3].source = cells[3].source.replace("### END SOLUTION", "")
    elif breakage == "answer_not_bound":
        cells[3].source = cells[3].source.replace("total = base", "subtotal = base")
    elif breakage == "points_in_text_differ":
        cells[3].metadata["coursekit"]["points"] = 4
        cells[5].source = cells[5].source.replace("@points(2)", "@points(4)")
    elif breakage == "hidden_points_sum":
        cells[5].source = cells[5].source.replace("@points(2)", "@points(5)")
    elif breakage == "check_before_solution":
        cells[3], cells[4] = cells[4], cells[3]
        cell = 3
    elif breakage == "comment_disagrees":
        cells[4].source = "# coursekit: q2\n" + cells[4].source
    elif breakage == "manual_without_rubric":
        del cells[11].metadata["coursekit"]["rubric"]
    elif breakage == "two_role_tags":
        cells[4].metadata["tags"] = ["check", "solution"]
    elif breakage == "bad_syntax":
        cells[3].source = cells[3].source.replace("print(base)", "print(base")
    elif breakage == "no_check":
        del cells[4]
    elif breakage == "unknown_kind":
        cells[3].metadata["coursekit"]["kind"] = "table"
    elif breakage == "hidden_without_tests":
        cells[5].source = "# coursekit: q1 hidden tests\nx = 1\n"
    elif breakage == "call_in_value_question":
        cells[5].source = cells[5].source.replace("def test_value(answer)", "def test_value(call)")
    err = problem(nb, path="exercises/99-demo.ipynb")
    assert err.cell == cell, str(err)
    assert err.question == question, str(err)
    assert words in str(err)
    assert f"cell {cell}" in str(err) and "exercises/99-demo.ipynb" in str(err)
    if question:
        assert f"question {question}" in str(err)


def test_parse_errors_at_notebook_level():
    nb = make_source()
    del nb.metadata["coursekit"]["minutes"]
    assert 'lacks "minutes"' in str(problem(nb))

    nb = make_source()
    assert "differs from the file name" in str(problem(nb, path="exercises/98-other.ipynb"))

    nb = make_source()
    nb.cells[1].metadata["tags"] = []
    err = problem(nb)
    assert err.cell == 1 and "first code cell must be the setup cell" in str(err)

    nb = make_source()  # q3 renamed q4: ids must be q1, q2, q3
    for c in nb.cells[10:]:
        c.metadata["coursekit"]["question"] = "q4"
    assert "numbered q1, q2" in str(problem(nb))


def test_question_comments_identify_cells_without_metadata():
    assert parse_question_comment("# coursekit: q3\ncheck('q3', x)").qid == "q3"
    marker = parse_question_comment("\n# coursekit: q12 hidden tests\n")
    assert (marker.qid, marker.role) == ("q12", "hidden-tests")
    assert parse_question_comment("<!-- coursekit: q7 -->\n*Write*").role == "manual"
    assert parse_question_comment("x = 1\n# coursekit: q1") is None
    assert cell_question({"metadata": {}, "source": "# coursekit: q2\ncheck('q2', y)"}) == "q2"
    assert cell_question({"metadata": {"coursekit": {"question": "q5"}}, "source": ""}) == "q5"
    assert cell_question({"metadata": {}, "source": "print(1)"}) is None


# --------------------------------------------------------------------------------------------------------
# Stubs and the student edition


def test_stub_for_assignments_dicts_and_functions():
    block = ["a, (b, c) = 1, (2, 3)", "d: int = 4", "for i in range(3):", "    a += i", "import os"]
    assert stub_for(block) == ["a = ...", "b = ...", "c = ...", "d = ..."]
    assert stub_for(['labels = {"x": "one", "y": 2}']) == [
        "labels = {",
        '    "x": ...,',
        '    "y": ...,',
        "}",
    ]
    assert stub_for(["def f(a, b=2, *args, **kw):", "    return a"]) == [
        "def f(a, b=2, *args, **kw):",
        "    return ...",
    ]
    assert stub_for(["y = x * 2", "return y"], indent="    ") == ["    return ..."]


def test_stub_for_function_body_returning_only_inside_branches():
    # a body whose returns are all nested in if/else or loops is still "not attempted" when stubbed
    branches = ["    if x > 0:", "        return 'pos'", "    else:", "        return 'neg'"]
    assert stub_for(branches, indent="    ") == ["    return ..."]
    loop = [
        "    for item in items:",
        "        if item:",
        "            return item",
        "    return None",
    ]
    assert stub_for(loop, indent="    ") == ["    return ..."]
    # a nested function's return does not count for the outer body, and the stub is never empty
    assert stub_for(
        ["    def helper():", "        return 1", "    print(helper())"], indent="    "
    ) == [
        "    def helper():",
        "        return ...",
    ]
    assert stub_for(["    print(x)"], indent="    ") == ["    pass"]


def test_student_edition_removes_solutions_and_hidden_tests():
    source = make_source()
    student = make_student_edition(source)
    text = nbformat.writes(student)
    for secret in [
        "base + 2",
        "the secret sum",
        "balancing",
        "x * factor",
        "the hidden message",
        "test_value",
        "model answer",
        "1 point per argument",
        "BEGIN SOLUTION",
    ]:
        assert secret not in text, secret
    sources = [c.source for c in student.cells]
    assert "hidden-tests" not in text
    assert len(student.cells) == len(source.cells) - 2
    answer = sources[3]
    assert answer.splitlines() == [
        "# coursekit: q1",
        "base = 40",
        "total = ...",
        "labels = {",
        '    "a": ...,',
        '    "b": ...,',
        "}",
        "print(base)",
    ]
    assert sources[4] == '# coursekit: q1\ncheck("q1", total)'
    assert sources[6].splitlines() == [
        "# coursekit: q2",
        "def double(x, factor=2):",
        '    """Double x."""',
        "    return ...",
    ]
    assert sources[9] == f"<!-- coursekit: q3 -->\n{WRITE_HERE}"
    assert student.cells[3].metadata["coursekit"] == {
        "question": "q1",
        "points": 2,
        "answer": "total",
        "kind": "value",
    }
    assert "rubric" not in student.cells[9].metadata["coursekit"]
    assert "hints" not in student.cells[2].metadata["coursekit"]
    assert student.metadata["coursekit"]["edition"] == "student"
    assert all(not c.get("outputs") for c in student.cells if c.cell_type == "code")
    # the source itself is untouched
    assert "base + 2" in source.cells[3].source


def test_student_edition_stub_runs_and_leaves_ellipsis():
    student = make_student_edition(make_source())
    namespace: dict = {}
    exec(student.cells[3].source, namespace)  # noqa: S102
    exec(student.cells[6].source, namespace)  # noqa: S102
    assert namespace["total"] is Ellipsis and namespace["labels"] == {"a": ..., "b": ...}
    assert namespace["double"](3) is Ellipsis


def test_student_edition_reencodes_payload_with_current_hints():
    source = make_source()
    payload = encode_payload(
        {"set": "99-demo", "questions": {}, "expected": {"q1": encode_value(42)}}
    )
    source.cells[1].source = set_payload(source.cells[1].source, f'"{payload}"')
    source.cells[2].metadata["coursekit"]["hints"] = ["a brand-new hint"]
    student = make_student_edition(source)
    data = decode_payload(read_payload(student.cells[1].source))
    assert data["expected"] == {"q1": encode_value(42)}
    assert data["questions"]["q1"]["hints"] == ["a brand-new hint"]
    # a written answer has no self-check but is in the data, with its hints, for hint()
    assert data["questions"]["q3"] == {"kind": "manual", "options": {}, "hints": []}
    assert "q3" not in data["expected"]
    assert "42" not in student.cells[1].source  # the payload is not readable as is


def test_set_payload_replaces_or_appends():
    assert set_payload("import x\nload_checks()", '"p"') == 'import x\nload_checks("p")'
    assert set_payload("import x", "record=True").splitlines()[-2:] == [
        "from coursekit.exercises import load_checks",
        "load_checks(record=True)",
    ]
    assert read_payload('load_checks("ck1:abc")') == "ck1:abc"
    assert read_payload("load_checks()") is None


# --------------------------------------------------------------------------------------------------------
# Self-checks


@pytest.fixture
def loaded():
    """Self-check data for a few answer types; the state is reset afterwards."""
    frame = pd.DataFrame({"n": [3, 5], "share": [0.25, 0.5]}, index=["east", "west"])
    expected = {
        "q1": encode_value(42),
        "q2": encode_value(0.1724),
        "q3": encode_value({"a": "balancing", "b": "bandwagoning"}),
        "q4": encode_value(["x", "y", "z"]),
        "q5": encode_value(pd.Series({"east": 3, "west": 5})),
        "q6": encode_value(frame),
        "q7": {"t": "cases", "v": [encode_value(2), encode_value(6)]},
        "q8": encode_value("2020Q4"),
        "q9": encode_value(["b", "d", "e"]),
        "q10": encode_value(20.0),
        "q11": encode_value({"x": 0.25, "y": 0.5, "z": 2}),
        "q12": encode_value([1.5, 2.5, 3.5]),
    }
    questions = {q: {"kind": "value", "options": {}, "hints": []} for q in expected}
    questions["q2"]["options"] = {"tolerance": 0.005, "direction": True}
    questions["q3"]["options"] = {"ignore_case": True}
    questions["q9"]["options"] = {"ordered": False, "ignore_case": True}
    questions["q3"]["labels"] = ["balancing", "bandwagoning", "hedging", "no alignment needed"]
    questions["q10"] = {"kind": "value", "options": {"tolerance": 0.05}, "hints": []}
    questions["q11"] = {"kind": "value", "options": {"tolerance": 0.001}, "hints": []}
    questions["q12"] = {"kind": "value", "options": {}, "hints": []}
    questions["q13"] = {"kind": "manual", "options": {}, "hints": ["Name two costs.", "Cite."]}
    questions["q1"]["hints"] = ["Count again.", "Use len()."]
    load_checks(encode_payload({"set": "99-demo", "questions": questions, "expected": expected}))
    yield frame
    load_checks(None)


def verdict(*args, **kwargs) -> tuple[str, str]:
    v = evaluate(*args, **kwargs)
    return v.status, v.message


def test_check_prints_the_three_verdicts(loaded, capsys):
    checks.check("q1", 42)
    checks.check("q1", 41)
    checks.check("q1", ...)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "✅ q1: correct"
    assert out[1].startswith("❌ q1: incorrect — ")
    assert out[2] == "⏳ q1: not attempted"


def test_numbers(loaded):
    assert verdict("q1", np.int64(42))[0] == "correct"
    assert verdict("q1", 42.0)[0] == "correct"
    status, why = verdict("q1", "42")
    assert status == "incorrect" and "without quotes" in why
    assert "not the expected number" in verdict("q1", 40)[1] and "too" not in verdict("q1", 40)[1]
    assert verdict("q2", 0.17)[0] == "correct"  # within the tolerance
    # never "too high"/"too low" nor an amount (the "direction" option no longer reveals either)
    for wrong in (0.30, 0.1, 0.9):
        status, why = verdict("q2", wrong)
        assert status == "incorrect" and "not the expected number" in why
        assert not any(w in why for w in ("too high", "too low", "roughly", "0.17", "0.13", "0.07"))
    # kinds of mistake recognised by an exact relation to the key, named without the key
    status, why = verdict("q2", 17.24)
    assert "percentage" in why and "divide by 100" in why and "0.17" not in why
    assert "sign is wrong" in verdict("q2", -0.1724)[1]
    assert "wrong unit or scale" in verdict("q1", 4.2)[1]
    assert "whole number" in verdict("q1", 41.5)[1]
    assert "share between 0 and 1 where a percentage" in verdict("q10", 0.2)[1]
    # the verdict points to the question's hints when it has some, else to the question
    assert verdict("q1", 40)[1].endswith('Run hint("q1") for a hint.')
    assert verdict("q2", 0.3)[1].endswith("Re-read the question and the chapter it refers to.")


def test_dicts_lists_and_strings(loaded):
    assert verdict("q3", {"b": "Bandwagoning", "a": "balancing "})[0] == "correct"
    # labels: neither which entries are wrong nor how many
    status, why = verdict("q3", {"a": "balancing", "b": "balancing"})
    assert status == "incorrect" and why.startswith("some entries are wrong") and "'b'" not in why
    assert "1" not in why and "2" not in why
    # one wrong or two: the same
    assert verdict("q3", {"a": "bandwagoning", "b": "balancing"})[1] == why
    # a label outside the question's vocabulary gets the vocabulary (from the question), not the key
    status, why = verdict("q3", {"a": "balance", "b": "bandwagoning"})
    assert "'balance' is not one of the labels the question allows" in why
    assert '"balancing", "bandwagoning", "hedging", "no alignment needed"' in why
    # missing and unexpected keys are counted, not named
    why = verdict("q3", {"a": "balancing"})[1]
    assert "it lacks 1 of the expected keys" in why and "'b'" not in why
    why = verdict("q3", {"a": "balancing", "x": "hedging"})[1]
    assert "its keys differ from the expected ones (missing: 1; not expected: 1)" in why
    status, why = verdict("q3", {"a": ..., "b": ...})
    assert status == "not attempted"
    assert "still `...` for 'b'" in verdict("q3", {"a": "balancing", "b": ...})[1]
    assert "wrong order" in verdict("q4", ["y", "x", "z"])[1]
    assert "should have 3 items, but it has 2" in verdict("q4", ["x", "y"])[1]
    why = verdict("q4", ["x", "y", "q"])[1]
    assert why.startswith("some items are not right") and "position" not in why and "2" not in why
    assert verdict("q9", ["E", "b", "d"])[0] == "correct"
    why = verdict("q9", ["b", "d", "f"])[1]  # no "'f' is not expected": that eliminates an option
    assert why.startswith("some items are not right") and "'f'" not in why
    assert "should be text (str), but it is a period" in verdict("q8", pd.Period("2020Q4"))[1]
    # numbers in containers: counted (never named), with the kind of mistake when all share it
    why = verdict("q11", {"x": 0.25, "y": 0.5, "z": 3})[1]
    assert why.startswith("1 of 3 values are wrong.") and "'z'" not in why and "2" not in why
    why = verdict("q11", {"x": 25, "y": 50, "z": 2})[1]
    assert "2 of 3 values are wrong. The wrong values look like percentages" in why
    why = verdict("q11", {"x": "0.25", "y": 0.5, "z": 2})[1]
    assert "'x' should be a number (float), but it is text (str) ('0.25'); give the number" in why
    assert verdict("q12", [1.5, 2.5, 4.0])[1].startswith("1 of 3 items are wrong.")
    assert verdict("q12", [1.5, 2.5])[1].startswith("it should have 3 items, but it has 2.")


def test_count_only_says_neither_which_items_nor_how_many_are_wrong():
    expected = {"q1": encode_value(["b", "d", "e"]), "q2": encode_value(["x", "y", "z"])}
    questions = {
        "q1": {"kind": "value", "options": {"ordered": False, "count_only": True}, "hints": []},
        "q2": {"kind": "value", "options": {"count_only": True}, "hints": []},
    }
    load_checks(encode_payload({"set": "99-demo", "questions": questions, "expected": expected}))
    try:
        assert verdict("q1", ["e", "b", "d"])[0] == "correct"
        status, why = verdict("q1", ["b", "d", "f"])
        assert status == "incorrect" and why.startswith("it is not the expected list")
        assert "'f'" not in why and "1" not in why and "3" not in why
        short = verdict("q1", ["b", "d"])
        assert short[0] == "incorrect" and short[1] == why  # the length is not revealed either
        status, why = verdict("q2", ["x", "q", "z"])
        assert (
            status == "incorrect"
            and why.startswith("it is not the expected list")
            and "position" not in why
        )
        assert "wrong order" in verdict("q2", ["y", "x", "z"])[1]
    finally:
        load_checks(None)


def test_series_and_frames_count_but_never_name_rows(loaded):
    frame = loaded
    assert verdict("q5", pd.Series({"west": 5, "east": 3}))[0] == "correct"  # label-aligned
    why = verdict("q5", pd.Series({"east": 3, "west": 6}))[1]
    assert "1 of 2 values are wrong." in why and "west" not in why
    why = verdict("q5", pd.Series({"east": 3, "north": 5}))[1]
    assert "its index differs from the expected one (labels missing: 1; not expected: 1)" in why
    assert "west" not in why
    assert "keep the pandas result" in verdict("q5", {"east": 3, "west": 5})[1]
    assert verdict("q6", frame.copy())[0] == "correct"
    changed = frame.copy()
    changed.loc["west", "share"] = 0.75
    why = verdict("q6", changed)[1]
    assert "1 of 2 rows have wrong values." in why and "west" not in why and "0.5" not in why
    renamed = frame.rename(index={"west": "north"})
    why = verdict("q6", renamed)[1]
    assert "(row labels missing: 1; not expected: 1)" in why and "west" not in why
    assert "2 rows × 2 columns, but it has 1 × 2" in verdict("q6", frame.iloc[:1])[1]
    assert "missing columns: 'share'" in verdict("q6", frame[["n"]])[1]
    assert "did you select a single column" in verdict("q6", frame["n"])[1]


def test_function_questions(loaded):
    assert verdict("q7", lambda x, k=2: x * k, cases=[1, (2, 3)])[0] == "correct"
    assert verdict("q7", lambda x, k=2: ..., cases=[1, (2, 3)])[0] == "not attempted"
    status, why = verdict("q7", lambda x, k=2: x + k, cases=[1, (2, 3)])
    assert status == "incorrect" and "for the arguments (1)" in why
    status, why = verdict("q7", lambda x: 1 / 0, cases=[1, (2, 3)])
    assert status == "incorrect" and "raised ZeroDivisionError" in why
    assert "should be a function" in verdict("q7", 5, cases=[1])[1]


def test_checks_never_raise(loaded, capsys):
    class Nasty:
        def __eq__(self, other):
            raise RuntimeError("boom")

    assert (
        verdict("q1", Nasty())[0] == "incorrect"
    )  # unsupported type, judged without calling __eq__
    assert verdict("q1", [Nasty()])[0] == "incorrect"
    assert verdict("q99", 1)[0] == "unavailable"
    checks.check("q1", object())
    assert capsys.readouterr().out.startswith("❌ q1: incorrect")
    load_checks(None)
    assert "run the setup cell" in verdict("q1", 42)[1]
    load_checks("ck1:99-demo:not-base64!!")
    assert "damaged" in capsys.readouterr().out
    assert verdict("q1", 42)[0] == "unavailable"


def test_always_equal_object_is_not_correct(loaded):
    class AlwaysEqual:
        def __eq__(self, other):
            return True

    assert verdict("q1", AlwaysEqual())[0] == "incorrect"


def test_hints_are_layered(loaded, capsys):
    for _ in range(3):
        hint("q1")
    hint("q4")
    hint("nope")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "💡 q1 hint 1 of 2: Count again."
    assert out[1] == "💡 q1 hint 2 of 2: Use len()."
    assert "no more hints" in out[2]
    assert "has no hints" in out[3]
    assert "no question 'nope'" in out[4]


def test_hints_and_checks_of_written_questions(loaded, capsys):
    hint("q13")
    hint("q13")
    assert capsys.readouterr().out.splitlines() == [
        "💡 q13 hint 1 of 2: Name two costs.",
        "💡 q13 hint 2 of 2: Cite.",
    ]
    status, why = verdict("q13", "My essay.")
    assert status == "unavailable" and "q13 is a written answer" in why and 'hint("q13")' in why
    status, why = verdict("q99", 1)
    assert status == "unavailable" and "q12" in why and "q13" not in why  # only self-checked ones


def test_payload_hides_values_and_round_trips():
    data = {
        "set": "07-x",
        "questions": {},
        "expected": {"q1": encode_value("a distinctive answer")},
    }
    payload = encode_payload(data)
    assert payload.startswith("ck1:07-x:") and "distinctive" not in payload
    assert decode_payload(payload) == data
    with pytest.raises(ValueError, match="damaged"):
        decode_payload(payload[:-8] + "AAAAAAA=")
    with pytest.raises(ValueError, match="not a coursekit"):
        decode_payload("hello")


def test_encode_decode_round_trip():
    values = [
        None,
        True,
        3,
        2.5,
        "x",
        [1, "a"],
        (1, 2),
        {"k": [1]},
        pd.Series({"a": 1}),
        pd.DataFrame({"c": [1, 2]}, index=["r1", "r2"]),
        pd.Timestamp("2020-12-01"),
    ]
    for value in values:
        back = decode_value(encode_value(value))
        assert encode_value(back) == encode_value(value)
    assert encode_value(np.array([1, 2])) == encode_value([1, 2])
    assert encode_value(pd.Period("2020Q4")) == {"t": "period", "v": "2020Q4"}
    with pytest.raises(checks.UnsupportedValue):
        encode_value(object())


def test_record_mode_records_what_checks_receive(capsys):
    load_checks(record=True)
    try:
        checks.check("q1", {"a": 1})
        checks.check("q2", lambda x: x + 1, cases=[1, 2])
        checks.check("q3", ...)
        assert capsys.readouterr().out.splitlines() == [
            "✅ q1: correct",
            "✅ q2: correct",
            "⏳ q3: not attempted",
        ]
        assert checks.recorded() == {
            "q1": encode_value({"a": 1}),
            "q2": {"t": "cases", "v": [encode_value(2), encode_value(3)]},
        }
    finally:
        load_checks(None)


def test_make_student_edition_does_not_need_a_path():
    nb = copy.deepcopy(make_source())
    assert make_student_edition(nb).cells[0].source == "# Demo set"
