"""``coursekit release``, ``coursekit pages`` and the instructor edition of the book.

Most tests here use ``--no-execute`` (no kernel); two run one small synthetic set in a kernel to prove that the
self-check data are written back and that release refuses a reference solution that changed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import exercise_cell
from nbformat.v4 import new_notebook

from coursekit.cli import main
from coursekit.exercises.checks import decode_payload
from coursekit.exercises.format import load_source, read_payload, solution_parts, stub_for
from coursekit.exercises.pages import instructor_page, stale_pages, student_page, write_pages
from coursekit.exercises.release import ReleaseError, find_sources, refresh_checks, release

ROOT = Path(__file__).resolve().parents[1]
SOURCES = find_sources(ROOT / "exercises")


def secret_lines(path: Path) -> list[str]:
    """Every non-trivial line of a source's solution blocks, hidden tests, model answers and rubrics.

    Left out: lines shorter than 8 characters (``}``, ``else:``), comments, lines that the student edition keeps
    on purpose (a stub line such as ``def f(x):`` or ``name = {``), lines that also appear in a public part
    of the source (an import in a hidden test that the setup cell has too), and import statements (a hidden
    test's ``from coursekit import data`` reveals nothing, and the setup cell may import more on one line).
    """
    ex = load_source(path)
    cells = ex.notebook.cells
    secret: list[str] = []
    private_cells: set[int] = set()
    public: set[str] = set()
    for q in ex.questions:
        if q.kind == "manual":
            secret += cells[q.solution_cell].source.splitlines() + q.rubric.splitlines()
            private_cells.add(q.solution_cell)
            continue
        before, block, after = solution_parts(cells[q.solution_cell].source)
        kept = {line.strip() for line in stub_for(block)}
        secret += [line for line in block if line.strip() not in kept]
        public |= {line.strip() for line in [*before, *after]}
        secret += q.hidden_tests_source.splitlines()[1:]
        private_cells |= {q.solution_cell, *q.hidden_tests_cells}
    for i, cell in enumerate(cells):
        if i not in private_cells:
            public |= {line.strip() for line in cell.source.splitlines()}
    return [
        line.strip()
        for line in secret
        if len(line.strip()) >= 8
        and not line.strip().startswith("#")
        and not re.match(r"(from\s+\S+\s+)?import\s", line.strip())
        and line.strip() not in public
    ]


def _strings(value: object) -> list[str]:
    """Every string inside a JSON-like value, as it reads (JSON would escape quotes)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [str(k), *_strings(v)]]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def student_text(nb: nbformat.NotebookNode) -> str:
    """All the text of a notebook as a reader sees it: sources, outputs and metadata (unescaped)."""
    parts = [json.dumps(nb.metadata, ensure_ascii=False), *_strings(nb.metadata)]
    for cell in nb.cells:
        parts.append(cell.source)
        parts.append(json.dumps(cell.metadata, ensure_ascii=False))
        parts.extend(_strings(cell.metadata))
        for out in cell.get("outputs", []):
            parts.append(json.dumps(out, ensure_ascii=False))
    return "\n".join(parts)


def test_sources_exist():
    assert SOURCES, "no exercise sources in exercises/"


def test_release_cli_writes_both_editions_without_secrets(tmp_path, capsys):
    assert main(["release", str(ROOT / "exercises"), "--out", str(tmp_path), "--no-execute"]) == 0
    out = capsys.readouterr().out
    assert f"Released {len(SOURCES)} exercise set(s)" in out
    for source in SOURCES:
        student = tmp_path / "student" / source.name
        instructor = tmp_path / "instructor" / source.name
        assert instructor.read_bytes() == source.read_bytes()
        nb = nbformat.read(student, as_version=4)
        text = student_text(nb)
        secrets = secret_lines(source)
        assert len(secrets) >= 5, (
            f"{source.name}: too few solution lines found; is the test reading the source?"
        )
        source_text = student_text(nbformat.read(source, as_version=4))
        assert all(line in source_text for line in secrets), (
            "the detector must find them in the source"
        )
        leaked = [line for line in secrets if line in text]
        assert not leaked, (
            f"{source.name}: the student edition contains solution or hidden-test text: {leaked}"
        )
        assert (
            "hidden-tests" not in text and "BEGIN SOLUTION" not in text and '"rubric"' not in text
        )
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), (
            "outputs left in"
        )
        ex = load_source(source)
        for q in ex.questions:
            marker = "<!-- coursekit: " if q.kind == "manual" else "# coursekit: "
            owned = [
                c
                for c in nb.cells
                if c.metadata.get("coursekit", {}).get("question") == q.qid
                and "question" not in c.metadata.get("tags", [])
            ]
            assert owned and all(c.source.startswith(marker + q.qid) for c in owned), q.qid


def test_student_edition_keeps_given_lines_and_checks():
    for source in SOURCES:
        ex = load_source(source)
        student = student_text(student_page(ex))
        for q in ex.questions:
            for i in q.check_cells:
                for line in ex.notebook.cells[i].source.splitlines():
                    assert line in student, f"{source.name} {q.qid}: check line {line!r} missing"
            if q.kind == "manual":
                continue
            before, _, after = solution_parts(ex.notebook.cells[q.solution_cell].source)
            for line in [*before, *after]:
                assert line in student, f"{source.name} {q.qid}: given line {line!r} missing"


def test_release_cli_errors(tmp_path, capsys):
    assert main(["release", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    broken = tmp_path / "src"
    broken.mkdir()
    nb = nbformat.read(SOURCES[0], as_version=4)
    setup = next(c for c in nb.cells if "setup" in c.metadata.get("tags", []))
    setup.source = "\n".join(
        line for line in setup.source.splitlines() if not line.startswith("load_checks(")
    )
    nbformat.write(nb, broken / SOURCES[0].name)
    assert main(["release", str(broken), "--out", str(tmp_path / "out"), "--no-execute"]) == 1
    err = capsys.readouterr().err
    assert "no self-check data" in err and "--refresh-checks" in err
    assert not (tmp_path / "out" / "student").exists(), "a failed release must write nothing"


def test_release_help_lists_options():
    proc = subprocess.run(
        [sys.executable, "-m", "coursekit", "release", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0
    for option in ("--out", "--refresh-checks", "--no-execute"):
        assert option in proc.stdout


# --------------------------------------------------------------------------------------------------------
# refresh and release with a kernel, on a tiny synthetic set (one kernel start each)


def tiny_set(folder: Path, answer: str = "6 * 7") -> Path:
    cell = exercise_cell

    nb = new_notebook(
        cells=[
            cell("md", "# Tiny"),
            cell("code", "from coursekit.exercises import check, hint, load_checks", ["setup"]),
            cell("md", "## Question 1 (1 point)", ["question"], question="q1", hints=["Multiply."]),
            cell(
                "code",
                f"### BEGIN SOLUTION\nanswer = {answer}\n### END SOLUTION",
                ["solution"],
                question="q1",
                points=1,
                answer="answer",
            ),
            cell("code", 'check("q1", answer)', ["check"], question="q1"),
            cell(
                "code",
                "# coursekit: q1 hidden tests\nfrom coursekit.grading.spec import points\n\n@points(1)\n"
                "def test_answer(answer):\n    assert answer == 42, 'six times seven'\n",
                ["hidden-tests"],
                question="q1",
            ),
        ]
    )
    nb.metadata["coursekit"] = {
        "set": "98-tiny",
        "title": "Tiny",
        "chapter": "chapters/tiny",
        "minutes": 5,
    }
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["widgets"] = {"state": {}}
    path = folder / "98-tiny.ipynb"
    nbformat.write(nb, path)
    return path


def test_refresh_checks_stores_expected_values_and_check_outputs(tmp_path):
    path = tiny_set(tmp_path)
    run = refresh_checks(path)
    assert run.recorded == {"q1": {"t": "int", "v": 42}}
    assert run.hidden_tests["q1"][0]["passed"] is True
    nb = nbformat.read(path, as_version=4)
    _, setup, _, solution, check, hidden = nb.cells
    assert decode_payload(read_payload(setup.source))["expected"] == {"q1": {"t": "int", "v": 42}}
    assert check.outputs[0]["text"] == "✅ q1: correct\n" and check.execution_count is not None
    assert "nbval-check-output" in check.metadata["tags"]
    assert check.source.startswith("# coursekit: q1\n") and solution.source.startswith(
        "# coursekit: q1\n"
    )
    assert all(not c.outputs for c in (setup, solution, hidden))
    assert "widgets" not in nb.metadata

    # The reference solution changes: release (which runs it) refuses, and says how to fix it.
    nb = nbformat.read(path, as_version=4)
    nb.cells[3].source = nb.cells[3].source.replace("6 * 7", "6 * 8")
    nbformat.write(nb, path)
    with pytest.raises(ReleaseError) as info:
        release(path, tmp_path / "out")
    message = str(info.value)
    assert "now gives a different value" in message and "--refresh-checks" in message
    assert "test_answer fails on the reference solution (six times seven)" in message
    assert not (tmp_path / "out" / "student").exists()


def test_suggested_refresh_command_works_as_printed(tmp_path, capsys):
    """A set with no stored self-check data: release says what to run; that command, run as printed, fixes it."""
    import shlex

    path = tiny_set(tmp_path)
    assert main(["release", str(path), "--out", str(tmp_path / "out"), "--no-execute"]) == 1
    err = capsys.readouterr().err
    printed = re.search(r"'(coursekit release [^']*--refresh-checks)'", err)
    assert printed, err
    command = shlex.split(printed.group(1))
    assert "--out" not in command  # no throwaway output folder needed
    assert main(command[1:]) == 0
    out = capsys.readouterr().out
    assert "self-check values stored" in out and "coursekit pages" in out
    assert not (tmp_path / "out").exists()
    assert main(["release", str(path), "--out", str(tmp_path / "out"), "--no-execute"]) == 0


def test_release_without_out_or_refresh_is_refused(tmp_path, capsys):
    assert main(["release", str(tiny_set(tmp_path))]) == 2
    assert "--out" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------------------
# Book pages


def test_committed_pages_are_up_to_date():
    proc = subprocess.run(
        [sys.executable, "-m", "coursekit", "pages", "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr


def test_pages_check_notices_stale_missing_and_leftover_pages(tmp_path, capsys):
    src, out = tmp_path / "exercises", tmp_path / "pages"
    src.mkdir()
    for source in SOURCES:
        shutil.copy(source, src / source.name)
    written = write_pages(src, out)
    assert sorted(p.name for p in written) == sorted(s.name for s in SOURCES)
    assert stale_pages(src, out) == []
    assert main(["pages", "--check", "--src", str(src), "--out", str(out)]) == 0

    page = written[0]
    page.write_text(
        page.read_text(encoding="utf-8").replace("Question 1", "Question One"), encoding="utf-8"
    )
    (out / "99-gone.ipynb").write_text("{}", encoding="utf-8")
    written[-1].unlink()
    problems = stale_pages(src, out)
    assert any("out of date" in p and page.name in p for p in problems)
    assert any("left over" in p and "99-gone" in p for p in problems)
    assert any("missing" in p and written[-1].name in p for p in problems)
    assert main(["pages", "--check", "--src", str(src), "--out", str(out)]) == 1
    assert "Run 'coursekit pages'" in capsys.readouterr().err
    assert main(["pages", "--src", str(src), "--out", str(out)]) == 0
    assert stale_pages(src, out) == [] and not (out / "99-gone.ipynb").exists()


def test_student_page_folds_setup_and_gives_time_and_points():
    for source in SOURCES:
        ex = load_source(source)
        page = student_page(ex)
        setup = next(c for c in page.cells if "setup" in c.metadata.get("tags", []))
        assert "hide-input" in setup.metadata["tags"]
        info = "\n".join(c.source for c in page.cells if c.cell_type == "markdown")
        assert f"about {ex.minutes} minutes" in info and f"{ex.total_points:g} points" in info


def test_instructor_page_shows_solutions_and_rubrics():
    for source in SOURCES:
        ex = load_source(source)
        page = instructor_page(ex)
        # the cells' own text (not the JSON, where quotes in a rubric are escaped)
        text = "\n".join(c.source for c in page.cells)
        assert "BEGIN SOLUTION" in text and "Instructor edition" in text
        for q in ex.questions:
            if q.kind == "manual":
                assert "Model answer" in text and q.rubric.splitlines()[0] in text
            else:
                hidden = instructor_page(ex).cells
                assert any(
                    "hide-input" in c.metadata.get("tags", []) and "hidden tests" in c.source
                    for c in hidden
                )


def test_prepare_instructor_tree(tmp_path):
    from coursekit.bookbuild import prepare_instructor_tree

    root = tmp_path / "course"
    (root / "data").mkdir(parents=True)
    (root / "chapters" / "exercises").mkdir(parents=True)
    (root / "exercises").mkdir()
    (root / "_config.yml").write_text("title: x\n", encoding="utf-8")
    (root / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nparts:\n  - caption: Appendices\n    chapters:\n"
        "      - file: chapters/appendix-data\n      - file: chapters/glossary\n",
        encoding="utf-8",
    )
    (root / ".git").mkdir()
    (root / "_build").mkdir()
    shutil.copy(SOURCES[0], root / "exercises" / SOURCES[0].name)
    nbformat.write(
        student_page(load_source(SOURCES[0])), root / "chapters" / "exercises" / SOURCES[0].name
    )
    written = prepare_instructor_tree(root, tmp_path / "copy")
    assert [p.name for p in written] == [SOURCES[0].name]
    page = json.loads(written[0].read_text(encoding="utf-8"))
    assert any("BEGIN SOLUTION" in "".join(c["source"]) for c in page["cells"])
    assert (tmp_path / "copy" / "_config.yml").exists()
    # the instructor guide is listed in the instructor edition only, after the data appendix
    from coursekit.book import toc_entries

    assert toc_entries(tmp_path / "copy" / "_toc.yml")[1:] == [
        "chapters/appendix-data",
        "chapters/appendix-instructor-guide",
        "chapters/glossary",
    ]
    assert "instructor-guide" not in (root / "_toc.yml").read_text(encoding="utf-8")
    assert not (tmp_path / "copy" / ".git").exists() and not (tmp_path / "copy" / "_build").exists()
    # the original student page is untouched
    original = (root / "chapters" / "exercises" / SOURCES[0].name).read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in original
