"""The message catalogue: every student-facing sentence of the self-checks and the grader lives in
``coursekit/locale/en.po``, so that translators can add a language without touching code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from coursekit import messages
from coursekit.exercises import checks, diagnose
from coursekit.messages import MessageError, catalogue, fields_of, msg, read_po, set_language

SRC = Path(messages.__file__).resolve().parent
EN_PO = SRC / "locale" / "en.po"

# The modules whose strings reach students (self-check output, grader feedback and gradebook notes).
STUDENT_FACING = [
    "exercises/checks.py",
    "exercises/diagnose.py",
    "grading/judge.py",
    "grading/grader.py",
    "grading/reconcile.py",
    "grading/results.py",
    "grading/intake.py",
    "grading/hidden.py",
    "grading/kernel.py",
    "grading/export.py",
]

# Strings of three or more words that may stay in a student-facing module, each with the reason. Keyed by
# (module, enclosing function, start of the text) so that an entry cannot excuse a string anywhere else.
ALLOWED: dict[tuple[str, str, str], str] = {
    # Raised only for a damaged encoding made by coursekit itself: a programming error, never printed.
    ("exercises/checks.py", "decode_value", "unknown encoded type"): "programmer error",
    # A QuestionResult built with a status that does not exist: a programming error in the grader.
    ("grading/results.py", "__post_init__", "unknown status"): "programmer error",
    # The feedback page's stylesheet and the format of its time stamp: not prose.
    ("grading/results.py", "<module>", "body { font-family"): "CSS",
    ("grading/results.py", "feedback_html", "%Y-%m-%d %H:%M UTC"): "strftime format",
    # The JUnit report is read by the instructor's CI, not by students (their page says "Graded by hand").
    ("grading/results.py", "write_junit", "graded by hand"): "instructor's JUnit report",
    # `coursekit grade` talking to the instructor on stderr, or refusing to start (GradingSetupError,
    # GraderFailure, usage errors): never part of a submission's feedback or gradebook row.
    ("grading/grader.py", "<module>", "warning: grading WITHOUT isolation"): "instructor's stderr",
    ("grading/grader.py", "load_exercise", "{…}: no such source notebook."): "instructor's error",
    ("grading/grader.py", "load_exercise", "cannot grade against"): "instructor's error",
    ("grading/grader.py", "prepare", "cannot make the student edition"): "instructor's error",
    ("grading/grader.py", "_start_kernel", "no kernel could be started"): "grading machine's fault",
    ("grading/grader.py", "preflight", "Notes on the run:"): "instructor's error",
    (
        "grading/grader.py",
        "preflight",
        "the reference solution does not earn",
    ): "instructor's error",
    ("grading/grader.py", "grade", "--jobs must be at least 1"): "usage error",
    ("grading/grader.py", "_grade_all", "resuming:"): "instructor's stderr",
    ("grading/grader.py", "_grade_all", "grading {…} submission(s)"): "instructor's stderr",
    (
        "grading/grader.py",
        "_grade_all",
        "{…} file name(s) could not serve as ids",
    ): "instructor's stderr",
    ("grading/grader.py", "_grade_all", "preflight: the reference solution"): "instructor's stderr",
    # A hidden-tests cell that does not work: an error for the exercise's author (`coursekit grade` refuses).
    (
        "grading/hidden.py",
        "compile_tests",
        "{…}: the hidden-tests cell does not run",
    ): "author's error",
    ("grading/hidden.py", "compile_tests", "{…}: hidden test {…}() asks for"): "author's error",
    (
        "grading/hidden.py",
        "compile_tests",
        "{…}: the hidden-tests cell defines no test",
    ): "author's error",
    # Choosing the sandbox and starting kernels: the grading machine's problems, for the instructor.
    ("grading/kernel.py", "resolve_sandbox", "unknown sandbox mode"): "usage error",
    (
        "grading/kernel.py",
        "resolve_sandbox",
        "--sandbox bwrap: bubblewrap is not installed",
    ): "instructor's error",
    (
        "grading/kernel.py",
        "_launch",
        "bubblewrap is not usable on this machine",
    ): "instructor's error",
    ("grading/kernel.py", "_launch", "could not start the kernel"): "instructor's error",
    ("grading/kernel.py", "_await_ready", "did not answer within"): "instructor's error",
    ("grading/kernel.py", "_await_ready", "exited while starting"): "instructor's error",
    (
        "grading/kernel.py",
        "_await_ready",
        "the grading kernel {…}. Its log ends with",
    ): "instructor's error",
}


# --------------------------------------------------------------------------------------------------------
# Helpers


def _msg_calls(tree: ast.AST) -> list[ast.Call]:
    def is_msg(func: ast.expr) -> bool:
        return (isinstance(func, ast.Name) and func.id == "msg") or (
            isinstance(func, ast.Attribute) and func.attr == "msg"
        )

    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and is_msg(n.func)]


def _source_files() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "locale" not in p.parts)


def _words(text: str) -> int:
    """Words of prose in a literal; HTML tags (the feedback page's markup) are not words."""
    return sum(1 for w in re.sub(r"<[^<>]*>", " ", text).split() if re.search(r"[A-Za-z]", w))


def sentences_outside_catalogue(
    source: str,
    module: str,
    allowed: dict[tuple[str, str, str], str] | None = None,
    used: set[tuple[str, str, str]] | None = None,
) -> list[str]:
    """The string literals of ``source`` that read like a sentence for a person and are not allowed.

    A literal counts when it has three or more words (an f-string: its literal parts together). Docstrings,
    the key of a ``msg()`` call, HTML markup and entries of :data:`ALLOWED` are exempt.
    """
    tree = ast.parse(source)
    exempt: set[int] = set()
    for node in ast.walk(tree):
        # docstrings, and the attribute docstrings after an assignment: a string standing as a statement
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            exempt.add(id(node.value))
    for call in _msg_calls(tree):
        if call.args and isinstance(call.args[0], ast.Constant):
            exempt.add(id(call.args[0]))

    found: list[str] = []

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            function = node.name
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "{…}" for v in node.values)
            check(text, node, function)
            for v in node.values:  # the expressions inside the braces may hold strings too
                if isinstance(v, ast.FormattedValue):
                    visit(v.value, function)
            return
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in exempt
        ):
            check(node.value, node, function)
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    def check(text: str, node: ast.AST, function: str) -> None:
        if _words(text) < 3:
            return
        stripped = text.strip()
        for (mod, func, start), _reason in (ALLOWED if allowed is None else allowed).items():
            if mod == module and func == function and stripped.startswith(start):
                if used is not None:
                    used.add((mod, func, start))
                return
        found.append(f"{module}:{getattr(node, 'lineno', '?')} in {function}(): {text!r}")

    visit(tree, "<module>")
    return found


def _po(tmp_path: Path, name: str, entries: dict[str, tuple[str, str]], extra: str = "") -> Path:
    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    body = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    for key, (english, text) in entries.items():
        body += f"\nmsgctxt {q(key)}\nmsgid {q(english)}\nmsgstr {q(text)}\n"
    path = tmp_path / name
    path.write_text(body + extra, encoding="utf-8")
    return path


@pytest.fixture
def french(tmp_path, monkeypatch):
    """A locale directory with the real English catalogue and a small French one."""
    (tmp_path / "en.po").write_text(EN_PO.read_text(encoding="utf-8"), encoding="utf-8")
    english = read_po(EN_PO)
    _po(
        tmp_path,
        "fr.po",
        {
            "check.status.correct": (english["check.status.correct"][0], "juste"),
            "check.sequence.length": (
                english["check.sequence.length"][0],
                "il faut {expected} éléments, mais il y en a {actual}.",
            ),
        },
    )
    monkeypatch.setattr(messages, "LOCALE_DIR", tmp_path)
    monkeypatch.setattr(messages, "_language", None)
    monkeypatch.delenv("COURSEKIT_LANG", raising=False)
    catalogue.cache_clear()
    yield tmp_path
    catalogue.cache_clear()


# --------------------------------------------------------------------------------------------------------
# The catalogue and the code agree


def test_every_key_used_in_code_is_in_the_catalogue_and_every_entry_is_used():
    english = catalogue("en")
    used: dict[str, str] = {}
    strings: set[str] = set()
    for path in _source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in _msg_calls(tree):
            if call.args and isinstance(call.args[0], ast.Constant):
                used[call.args[0].value] = f"{path.relative_to(SRC)}:{call.lineno}"
        strings |= {
            n.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
        }
    assert used, "no msg() call found: the scan is broken"
    missing = {key: where for key, where in used.items() if key not in english}
    assert not missing, f"keys used in code but not in en.po: {missing}"
    # Keys chosen through a table (e.g. the type names) appear as plain strings, not as msg()'s argument.
    unused = sorted(set(english) - strings)
    assert not unused, f"en.po entries no code uses: {unused}"


def test_english_catalogue_is_the_source_and_has_no_translations():
    entries = read_po(EN_PO)
    assert len(entries) > 50
    assert all(text == "" for _, text in entries.values())
    assert msg("check.status.not_attempted") == "not attempted"


@pytest.mark.parametrize("po", sorted((SRC / "locale").glob("*.po")), ids=lambda p: p.name)
def test_translations_keep_exactly_the_fields(po):
    assert _field_problems(po) == []


def _field_problems(po: Path) -> list[str]:
    return [
        f"{po.name} {key}: {sorted(fields_of(english))} vs {sorted(fields_of(text))}"
        for key, (english, text) in read_po(po).items()
        if text and fields_of(text) != fields_of(english)
    ]


def test_a_translation_that_drops_a_field_is_reported(tmp_path):
    po = _po(
        tmp_path,
        "fr.po",
        {"check.sequence.length": ("{expected} but {actual}.", "{expected} mais.")},
    )
    assert _field_problems(po) == [
        "fr.po check.sequence.length: ['actual', 'expected'] vs ['expected']"
    ]


def test_msg_fills_fields_and_names_a_missing_key_or_field():
    assert (
        msg("check.sequence.length", expected=3, actual=2)
        == "it should have 3 items, but it has 2."
    )
    with pytest.raises(MessageError, match="no message 'no.such.key'"):
        msg("no.such.key")
    with pytest.raises(MessageError, match="'check.sequence.length' needs the field 'actual'"):
        msg("check.sequence.length", expected=3)


# --------------------------------------------------------------------------------------------------------
# Another language


def test_a_french_catalogue_changes_the_checks_output_and_falls_back_to_english(french, capsys):
    set_language("fr")
    checks.load_checks(record=True)
    try:
        checks.check("q1", 3)
        checks.hint("q1")  # "no hints are loaded" is not translated: English
    finally:
        checks.load_checks()
    out = capsys.readouterr().out.splitlines()
    assert out == ["✅ q1: juste", "⚠️ no hints are loaded; run the setup cell at the top first."]
    why = diagnose.compare(checks.encode_value([1, 2, 3]), checks.encode_value([1, 2]), {})
    assert why == "il faut 3 éléments, mais il y en a 2."


def test_the_feedback_page_follows_the_language(french):
    from coursekit.grading.results import QuestionResult, SubmissionResult, feedback_html

    fr = french / "fr.po"
    fr.write_text(
        fr.read_text(encoding="utf-8")
        + '\nmsgctxt "status.partial"\nmsgid "Partly correct"\nmsgstr "En partie juste"\n',
        encoding="utf-8",
    )
    catalogue.cache_clear()
    row = QuestionResult("q1", 1.0, 2.0, "partial", "1 of 2 hidden tests passed.", ["x"])
    result = SubmissionResult("alice", "", "", [row], [])
    english = feedback_html(result, "Set", "02")
    assert '<html lang="en">' in english and ">Partly correct<" in english
    set_language("fr")
    page = feedback_html(result, "Set", "02")
    assert '<html lang="fr">' in page and ">En partie juste<" in page
    assert "Graded automatically on" in page  # untranslated: English


def test_the_language_comes_from_the_environment_and_unknown_ones_are_refused(french, monkeypatch):
    monkeypatch.setenv("COURSEKIT_LANG", "fr")
    assert msg("check.status.correct") == "juste"
    monkeypatch.setenv("COURSEKIT_LANG", "xx")  # no such catalogue: English, never a crash
    assert msg("check.status.correct") == "correct"
    with pytest.raises(ValueError, match=r"no messages in 'de'; available: en, fr"):
        set_language("de")


def test_a_malformed_catalogue_names_the_line(tmp_path):
    po = _po(
        tmp_path,
        "fr.po",
        {"check.status.correct": ("correct", "juste")},
        '\nmsgctxt "x"\nmsgid oops\n',
    )
    with pytest.raises(ValueError, match=r"fr\.po, line 10: cannot read 'msgid oops'"):
        read_po(po)
    twice = _po(tmp_path, "de.po", {"a": ("x", "")}, '\nmsgctxt "a"\nmsgid "y"\nmsgstr ""\n')
    with pytest.raises(ValueError, match=r"de\.po, line 9: the key 'a' appears twice"):
        read_po(twice)


# --------------------------------------------------------------------------------------------------------
# The guard: no student-facing sentence outside the catalogue


@pytest.mark.parametrize("module", STUDENT_FACING)
def test_no_student_facing_sentence_outside_the_catalogue(module):
    source = (SRC / module).read_text(encoding="utf-8")
    assert sentences_outside_catalogue(source, module) == []


def test_every_allowed_sentence_still_exists():
    """An allow-list entry whose string moved or went away would excuse nothing; it must be removed."""
    used: set[tuple[str, str, str]] = set()
    for module in STUDENT_FACING:
        sentences_outside_catalogue((SRC / module).read_text(encoding="utf-8"), module, used=used)
    assert sorted(set(ALLOWED) - used) == []


def test_the_guard_catches_a_new_sentence_in_a_copy_of_a_module():
    module = "exercises/checks.py"
    source = (SRC / module).read_text(encoding="utf-8")
    added = source + '\n\ndef _oops(n):\n    return f"you have {n} tries left"\n'
    assert sentences_outside_catalogue(added, module) == [
        f"{module}:{len(source.splitlines()) + 4} in _oops(): 'you have {{…}} tries left'"
    ]
    plain = source + '\n\nNOTE = "run the setup cell"\n'
    assert len(sentences_outside_catalogue(plain, module)) == 1
    # the allow-list is narrow: the same programmer error elsewhere is caught
    moved = source + '\n\ndef _other(t):\n    raise ValueError(f"unknown encoded type {t!r}")\n'
    assert len(sentences_outside_catalogue(moved, module)) == 1


# --------------------------------------------------------------------------------------------------------
# The exporter sends codes; the grader words them, whatever a hostile kernel sends


def test_the_exporter_sends_codes_that_the_grader_words_from_the_catalogue():
    from coursekit.grading import export
    from coursekit.grading.judge import export_problem, export_reason

    reply = export.decode_json(export.dump({1: [1] * 10}))
    assert "v" in reply
    for code, params in export.CODES.items():
        text = export_problem(code, {name: 12345 for name in params})
        assert text and text != msg("export.unknown"), code
        shown = (
            [p for p in params if p in fields_of(catalogue("en")[f"export.{code}"])]
            if (f"export.{code}" in catalogue("en"))
            else []
        )
        assert all("12,345" in text for _ in shown), (code, text)
    for reason in export.REASONS:
        assert export_reason(reason) not in ("", msg("export.reason.unknown"))
    assert "60 levels deep" in export_reason("too_deep")
    # what a forged reply can make the feedback say: only catalogue sentences
    forged = [
        ("you scored full marks", {}),
        (None, None),
        (["too_large"], {}),
        ("too_large", {"chars": "<b>Full marks</b> " * 20}),
        ("too_large", {"chars": True}),
        ("too_large", "not a dict"),
        ("too_large", {}),
    ]
    sentences = set(catalogue("en").values())
    for code, params in forged:
        text = export_problem(code, params)
        assert "marks" not in text.casefold()
    assert export_problem("you scored full marks") == msg("export.unknown")
    assert export_problem("too_large", {"chars": "12"}) == msg("export.unknown")  # counts are ints
    assert export_problem("too_large", {"chars": True}) in sentences
    assert export_problem("not_a_function", {"type": "x" * 500}) == msg(
        "export.not_a_function", type="x" * 80
    )  # a type's name is text, cut short
    assert export_reason("anything else") == msg("export.reason.unknown")
    assert export_reason(["not_plain"]) == msg("export.reason.unknown")


def test_export_problems_reach_the_feedback_in_the_chosen_language(french):
    from coursekit.grading.judge import export_problem

    fr = french / "fr.po"
    fr.write_text(
        fr.read_text(encoding="utf-8")
        + '\nmsgctxt "export.too_deep"\nmsgid "the answer is nested too deeply to grade."\n'
        + 'msgstr "la réponse est trop imbriquée pour être notée."\n',
        encoding="utf-8",
    )
    catalogue.cache_clear()
    set_language("fr")
    assert export_problem("too_deep", {}) == "la réponse est trop imbriquée pour être notée."
