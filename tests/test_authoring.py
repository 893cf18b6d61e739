"""``coursekit new-question``: scaffold a question without hand-editing JSON, renumbering the later ones."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest

from coursekit.cli import main
from coursekit.exercises.authoring import SCAFFOLD_MARK, new_question
from coursekit.exercises.checks import decode_payload
from coursekit.exercises.format import FormatError, load_source, read_payload

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "exercises" / "02-threat-and-balancing.ipynb"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    target = tmp_path / SOURCE.name
    shutil.copy(SOURCE, target)
    return target


def _expected(path: Path) -> dict:
    ex = load_source(path)
    return decode_payload(read_payload(ex.notebook.cells[ex.setup_cell].source))


def test_value_question_is_inserted_and_later_questions_renumbered(source: Path) -> None:
    before = load_source(source)
    old = _expected(source)
    n = len(before.questions)
    done = new_question(source, "q3")
    assert done.qid == "q4"
    assert done.renumbered == {f"q{i}": f"q{i + 1}" for i in range(4, n + 1)}
    after = load_source(source)  # still a valid source
    assert [q.qid for q in after.questions] == [f"q{i}" for i in range(1, n + 2)]
    new = after.question("q4")
    assert new.kind == "value" and new.points == 1 and new.answer_name == "answer_q4"
    assert all(SCAFFOLD_MARK in after.notebook.cells[i].source for i in done.cells[:2])
    # every later question moved by one, with its metadata, id lines, check calls and heading
    for i in range(4, n + 1):
        q_old, q_new = before.question(f"q{i}"), after.question(f"q{i + 1}")
        assert q_new.points == q_old.points and q_new.kind == q_old.kind
        heading = after.notebook.cells[q_new.question_cell].source
        assert heading.startswith(f"## Question {i + 1} ")
        for c in q_new.check_cells:
            src = after.notebook.cells[c].source
            assert src.startswith(f"# coursekit: q{i + 1}\n")
            assert re.search(rf'check\(\s*"q{i + 1}"', src), src
    # the stored self-check data moved with its questions: no new reference run is needed for them
    new_data = _expected(source)
    for key, value in old["expected"].items():
        qid, sep, rest = key.partition(":")
        n_ = int(qid[1:])
        moved = f"q{n_ + 1 if n_ >= 4 else n_}{sep}{rest}"
        assert new_data["expected"][moved] == value
    assert "q4" not in new_data["expected"]
    # a prose reference to a renumbered question is reported for the author to check
    assert any("uestion 6" in m for m in done.mentions)


def test_scaffold_cannot_be_released_until_filled(source: Path, tmp_path: Path, capsys) -> None:
    new_question(source, "q3")
    assert main(["release", str(source), "--out", str(tmp_path / "out"), "--no-execute"]) == 1
    err = capsys.readouterr().err
    assert "no stored expected value for the check 'q4'" in err
    hidden = next(
        c
        for c in nbformat.read(source, as_version=4).cells
        if "hidden-tests" in c.metadata.get("tags", []) and "q4" in c.source
    )
    assert (
        "NotImplementedError" in hidden.source
    )  # the reference run fails until the author writes tests


def test_written_question_with_points(source: Path) -> None:
    n = len(load_source(source).questions)
    done = new_question(source, f"q{n}", written=True, points=3)
    ex = load_source(source)
    q = ex.question(done.qid)
    assert q.kind == "manual" and q.points == 3 and SCAFFOLD_MARK in (q.rubric or "")
    assert done.renumbered == {}
    assert ex.notebook.cells[q.question_cell].source.startswith(f"## Question {n + 1} (3 points)")


def test_insert_at_start(source: Path) -> None:
    done = new_question(source, "start")
    ex = load_source(source)
    assert done.qid == "q1" and ex.question("q2").answer_name == "strategies"
    assert min(done.cells) > ex.setup_cell


def test_errors_name_the_questions(source: Path, capsys) -> None:
    with pytest.raises(FormatError, match="choose one of q1, q2"):
        new_question(source, "q99")
    with pytest.raises(FormatError, match="positive whole number"):
        new_question(source, "q1", points=0)
    assert main(["new-question", str(source), "--after", "q99"]) == 1
    assert "names no question" in capsys.readouterr().err
    assert main(["new-question", str(source.with_name("nothing.ipynb")), "--after", "q1"]) == 2
    assert source.read_bytes() == SOURCE.read_bytes()  # nothing written on error


def test_cli_prints_next_steps(source: Path, capsys) -> None:
    assert main(["new-question", str(source), "--after", "q2", "--written"]) == 0
    out = capsys.readouterr().out
    assert "new question q3" in out and "--refresh-checks" in out and "coursekit pages" in out


@pytest.mark.parametrize("path", sorted((ROOT / "exercises").glob("*.ipynb")), ids=lambda p: p.stem)
def test_committed_sources_have_no_scaffold_left(path: Path) -> None:
    assert SCAFFOLD_MARK not in path.read_text(encoding="utf-8")
