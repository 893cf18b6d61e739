"""Released notebooks carry plain Markdown instead of MyST roles that only the book can render."""

from __future__ import annotations

import nbformat

from coursekit.exercises.markup import citation_formatter, plain_markdown, plain_notebook


def test_citations_terms_and_links_become_plain_markdown():
    cite = citation_formatter()
    text = (
        "As {cite:t}`hayrapetyan2022russian` argue, a {term}`tactical alliance` is short-lived "
        "{cite:p}`walt1987origins,leeds2002alliance`; see {doc}`the chapter <theory-04-tactical>` "
        "and {term}`alliances <alliance>`."
    )
    assert plain_markdown(text, cite) == (
        "As Hayrapetyan and Kučera (2022) argue, a *tactical alliance* is short-lived "
        "(Walt 1987; Leeds et al. 2002); see the chapter and *alliances*."
    )


def test_unknown_key_stays_visible():
    assert plain_markdown("{cite:p}`nosuchkey`", citation_formatter()) == "(nosuchkey)"


def test_plain_notebook_changes_markdown_cells_only():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("See {cite:t}`walt1987origins`."),
        nbformat.v4.new_code_cell("x = '{cite:t}`walt1987origins`'"),
    ]
    plain_notebook(nb)
    assert nb.cells[0].source == "See Walt (1987)."
    assert nb.cells[1].source == "x = '{cite:t}`walt1987origins`'"


def test_released_student_editions_have_no_myst_roles(tmp_path, root):
    from coursekit.exercises.release import release

    released = release(root / "exercises", tmp_path, execute=False)
    assert len(released) >= 7
    for item in released:
        text = item.student.read_text(encoding="utf-8")
        for role in ("{cite", "{term}", "{doc}"):
            assert role not in text, f"{item.student.name} still contains a raw {role} role"
