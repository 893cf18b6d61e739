"""Property tests (Hypothesis): random answers and random notebook damage never make the grader raise.

Three layers: the plain-data path of an answer (export in the kernel, decoding, the tests' view, the hidden
tests), reading and lining up damaged notebooks, and whole submissions through the real grader with a kernel
(few examples: each costs a kernel start). Plus the exact round trip of pandas objects, both ways.
"""

from __future__ import annotations

import copy
import json
import string

import nbformat
import numpy as np
import pandas as pd
import pytest
from grading_cases import answer, correct, write_source
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coursekit.exercises.format import load_source, make_student_edition
from coursekit.grading import export, grader, hidden, reconcile
from coursekit.grading.plain import from_plain, plain_view, to_plain

STATUSES = {
    "passed",
    "partial",
    "failed",
    "not_attempted",
    "error",
    "timeout",
    "tampered",
    "missing",
    "manual",
}

# ---- random answer values ----------------------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet=st.characters(codec=None), max_size=20),  # lone surrogates included
    st.binary(max_size=10),
    st.just(Ellipsis),
    st.complex_numbers(allow_nan=True, allow_infinity=True),
)
labels = st.one_of(
    st.integers(-5, 5),
    st.text(string.ascii_letters, max_size=4),
    st.tuples(st.integers(0, 3), st.text("ab", max_size=2)),
)


@st.composite
def series(draw):
    n = draw(st.integers(0, 5))
    values = draw(
        st.lists(
            st.one_of(st.integers(-9, 9), st.floats(allow_nan=True), st.text(max_size=3)),
            min_size=n,
            max_size=n,
        )
    )
    kind = draw(st.sampled_from(["plain", "multi", "tuples", "category", "datetime"]))
    if kind == "multi" and n:
        index = pd.MultiIndex.from_tuples(
            draw(
                st.lists(
                    st.tuples(st.integers(0, 3), st.text("xy", max_size=2)), min_size=n, max_size=n
                )
            ),
            names=draw(st.sampled_from([None, ["p", "d"]])) or [None, None],
        )
    elif kind == "tuples" and n:
        index = pd.Index(
            draw(
                st.lists(
                    st.tuples(st.integers(0, 3), st.text("ab", max_size=2)), min_size=n, max_size=n
                )
            ),
            tupleize_cols=False,
        )
    elif kind == "category":
        index = pd.CategoricalIndex(
            draw(st.lists(st.sampled_from("abc"), min_size=n, max_size=n)), categories=list("cab")
        )
    elif kind == "datetime":
        index = pd.date_range("2017-03-01", periods=n, freq="D")
    else:
        index = pd.Index(
            draw(st.lists(labels, min_size=n, max_size=n)), tupleize_cols=False, dtype=object
        )
    return pd.Series(values, index=index, dtype=object, name=draw(st.one_of(st.none(), labels)))


@st.composite
def frames(draw):
    s = draw(series())
    return pd.DataFrame({"v": s, "w": range(len(s))}, index=s.index)


values = st.recursive(
    st.one_of(scalars, series(), frames()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.one_of(st.integers(-3, 3), st.text(max_size=3), st.just("__frame__"), st.just("__series__")), inner, max_size=4),
        st.frozensets(st.integers(0, 9), max_size=3),
    ),
    max_leaves=12,
)  # fmt: skip


@pytest.fixture(scope="module")
def selftest(tmp_path_factory):
    source = write_source(tmp_path_factory.mktemp("prop"))
    exercise = load_source(source)
    tests = {
        q.qid: hidden.compile_tests(q.qid, q.hidden_tests_source)
        for q in exercise.questions
        if q.kind != "manual"
    }
    released = reconcile.index_release(exercise, make_student_edition(exercise))
    return source, exercise, tests, released


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(value=values)
def test_any_answer_value_goes_through_the_plain_data_path(selftest, value):
    _source, exercise, tests, _released = selftest
    decoded = export.decode(export.decode_json(export.dump(value))["v"])
    view = plain_view(decoded)
    grader.non_finite(view)
    grader.is_untouched(decoded)
    for qid in ("q1", "q3"):
        outcomes = hidden.run_tests(tests[qid], 2, answer=view)
        assert len(outcomes) == 2
    outcomes = hidden.run_tests(tests["q2"], 3, call=lambda *args: view)
    assert len(outcomes) == 2


@settings(max_examples=200, deadline=None)
@given(data=st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=5)),
                         lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                 st.dictionaries(st.sampled_from(["v", "t", "d", "df", "ser", "kind", "index", "columns", "data", "levels", "codes", "x", "c", "dt"]), inner, max_size=3)),
                         max_leaves=15))  # fmt: skip
def test_any_reply_from_a_hostile_kernel_decodes_or_is_an_export_error(data):
    try:
        outer = export.decode_json(json.dumps(data))
        value = export.decode(outer.get("v"))
    except export.ExportError:
        return
    plain_view(value)


# ---- random notebook damage --------------------------------------------------------------------------------

DAMAGE = ["delete", "duplicate", "strip", "source", "type", "metadata", "tags", "swap"]


@st.composite
def damaged(draw, nb):
    nb = copy.deepcopy(nb)
    cells = nb["cells"]
    for op in draw(st.lists(st.sampled_from(DAMAGE), max_size=6)):
        if not cells:
            break
        i = draw(st.integers(0, len(cells) - 1))
        if op == "delete":
            cells.pop(i)
        elif op == "duplicate":
            cells.insert(i, copy.deepcopy(cells[i]))
        elif op == "strip":
            cells[i]["metadata"] = {}
        elif op == "source":
            cells[i]["source"] = draw(st.text(alphabet=st.characters(codec=None), max_size=200))
        elif op == "type":
            cells[i]["cell_type"] = draw(st.sampled_from(["code", "markdown", "raw", "heading", 7]))
        elif op == "metadata":
            cells[i]["metadata"] = draw(st.sampled_from([[], "x", {"tags": "solution"}, {"tags": [5, None]},
                                                         {"coursekit": {"question": ["q1"]}}, {"coursekit": 3}]))  # fmt: skip
        elif op == "tags":
            if not isinstance(cells[i].get("metadata"), dict):
                cells[i]["metadata"] = {}
            cells[i]["metadata"]["tags"] = draw(st.lists(st.sampled_from(["setup", "solution", "check", "manual", "question", "hidden-tests"]), max_size=2))  # fmt: skip
        elif op == "swap":
            j = draw(st.integers(0, len(cells) - 1))
            cells[i], cells[j] = cells[j], cells[i]
    text = json.dumps(nb)
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(st.text(max_size=5)) + text[cut + draw(st.integers(0, 20)) :]
    return text.encode("utf-8", "surrogatepass")


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_damaged_notebooks_are_read_and_lined_up_or_refused_with_a_reason(selftest, data):
    source, _exercise, _tests, released = selftest
    raw = data.draw(damaged(json.loads(nbformat.writes(correct(source)))))
    try:
        nb = grader.read_submission(raw)
    except ValueError as exc:
        assert str(exc)
        return
    plan = reconcile.reconcile(released, nb)
    assert set(plan.questions) == {"q1", "q2", "q3", "q4"}


# ---- whole submissions through the real grader -------------------------------------------------------------


@pytest.fixture(scope="module")
def context(selftest):
    source = selftest[0]
    ctx = grader.prepare(
        source, grader.Options(limits=grader.Limits(cell_timeout=10, timeout=60, memory_mb=1024))
    )
    yield ctx
    grader.cleanup(ctx)


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_grader_never_raises_on_random_answers_and_damage(
    selftest, context, tmp_path_factory, data
):
    source = selftest[0]
    nb = correct(source)
    value = data.draw(values, label="q1 answer")
    answer(
        nb,
        "q1",
        f"peak_year = {value!r}"
        if not isinstance(value, pd.Series | pd.DataFrame)
        else "peak_year = 2019",
    )
    raw = data.draw(damaged(json.loads(nbformat.writes(nb))), label="damage")
    path = tmp_path_factory.mktemp("one") / "student.ipynb"
    path.write_bytes(raw)
    result = grader.grade_file(path, "student", context)
    assert [q.question for q in result.questions] == ["q1", "q2", "q3", "q4"]
    assert {q.status for q in result.questions} <= STATUSES
    assert all(q.message for q in result.questions)


# ---- the exact round trip of pandas objects, both ways ---------------------------------------------------

PANDAS = {
    "multiindex 2x2": pd.Series([1, 2], index=pd.MultiIndex.from_tuples([("a", "x"), ("b", "y")], names=["p", "d"])),
    "multiindex 3 rows": pd.Series([3, 1, 2], index=pd.MultiIndex.from_tuples([(2017, "m"), (2018, "e"), (2018, "m")])),
    "value_counts": pd.DataFrame({"dimension": ["m", "e", "m"]})[["dimension"]].value_counts(),
    "tuple labels": pd.Series([1, 2], index=pd.Index([("a", 1), ("b", 2)], tupleize_cols=False)),
    "categorical": pd.Series([1, 2], index=pd.CategoricalIndex(["b", "a"], categories=["b", "a", "c"], ordered=True)),
    "datetime": pd.Series([1.5, 2.5], index=pd.to_datetime(["2019-10-23", "2020-01-01"]), name="x"),
    "datetime tz": pd.Series([1, 2], index=pd.to_datetime(["2019-10-23", "2020-01-01"]).tz_localize("Africa/Bangui")),
    "period": pd.Series([1], index=pd.period_range("2019", periods=1, freq="Y")),
    "frame multiindex": pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}, index=pd.MultiIndex.from_tuples([(2019, "m"), (2020, "e")], names=["y", "d"])),
    "frame multi columns": pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("a", "x"), ("a", "y")])),
    "frame tuple name": pd.Series([1], name=("a", "b")).to_frame(),
    "empty": pd.Series([], dtype="int64"),
    "groupby size": pd.DataFrame({"phase": ["a", "a", "b"], "dimension": ["m", "e", "m"]}).groupby(["phase", "dimension"]).size(),
}  # fmt: skip


def _same(a, b):
    if isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b)
    else:
        pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("name", list(PANDAS))
def test_pandas_round_trip_is_exact_both_ways(name):
    value = PANDAS[name]
    # the kernel's export and the grader's decoding
    _same(export.decode(export.decode_json(export.dump(value))["v"]), value)
    # the tests' plain view: to_plain then from_plain gives the object back ...
    _same(from_plain(to_plain(value)), value)
    # ... and from_plain then to_plain gives the plain data back
    plain = to_plain(value)
    assert json.loads(json.dumps(to_plain(from_plain(plain)))) == json.loads(json.dumps(plain))


def test_dicts_shaped_like_the_plain_envelope_stay_dicts():
    for value in (
        {"__frame__": True},
        {"__series__": True, "index": 5},
        {"__dict__": 1},
        {"__index__": "multi"},
    ):
        assert plain_view(value) == value
    assert plain_view({"a": np.int64(3), (1, 2): [np.float64(0.5)]}) == {"a": 3, "[1, 2]": [0.5]}
