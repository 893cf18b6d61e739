"""Reading time is computed from a chapter's prose."""

from __future__ import annotations

from coursekit.book import count_figures, prose_words, reading_time

SAMPLE = """---
kernelspec:
  name: python3
---
# Title words here

Some prose with {cite:p}`key2020` a citation.

```{code-cell} ipython3
---
mystnb:
  figure:
    caption: A caption.
---
these words are code and do not count
```
"""


def test_prose_words_skips_front_matter_and_code():
    assert prose_words(SAMPLE) == 3 + 5 + 1  # title + prose (citation key counts as one word)


def test_count_figures():
    assert count_figures(SAMPLE) == 1


def test_reading_time_grows_with_text(tmp_path):
    short = tmp_path / "short.md"
    short.write_text("# T\n\n" + "word " * 100, encoding="utf-8")
    long = tmp_path / "long.md"
    long.write_text("# T\n\n" + "word " * 5000, encoding="utf-8")
    assert reading_time(short) == 1
    assert reading_time(long) == 26  # ceil(5001 / 200)


def test_toc_entries_walks_parts_chapters_and_sections(tmp_path):
    from coursekit.book import source_of, toc_entries

    toc = tmp_path / "_toc.yml"
    toc.write_text(
        "format: jb-book\nroot: intro\nparts:\n  - caption: A\n    chapters:\n      - file: a/one\n"
        "        sections:\n          - file: a/one-b\n  - caption: B\n    chapters:\n      - file: two\n",
        encoding="utf-8",
    )
    assert toc_entries(toc) == ["intro", "a/one", "a/one-b", "two"]
    (tmp_path / "two.ipynb").write_text("{}", encoding="utf-8")
    assert source_of("two", tmp_path) == tmp_path / "two.ipynb"
    assert source_of("intro", tmp_path) is None
