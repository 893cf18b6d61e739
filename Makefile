# Alliances of Convenience: the two commands that matter are `make book` and `make test`.
# Both create the virtual environment in .venv/ on first use; nothing else is installed by hand.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JOBS   ?= 2
# Strict build: a failing cell, a broken reference or an unknown citation fails it.
JB_STRICT := -n -W --keep-going

.PHONY: help venv book book-instructor test test-fast lint format serve lab clean bench release pdf

help:
	@echo "make book             set up .venv and build the HTML book into _build/html"
	@echo "make test             set up .venv and run the whole test suite (lint, format and types included)"
	@echo "make book-instructor  build the instructor edition (solutions shown) into _build/instructor"
	@echo "make pdf              print the whole book to _build/pdf/alliances-of-convenience.pdf (offline)"
	@echo "make release          write the student edition of the exercises into _build/release"
	@echo "make serve            serve _build/html on http://127.0.0.1:8000"
	@echo "make lab              start JupyterLab in the course environment"
	@echo "make lint             ruff check + format check over src/ tests/ benchmarks/, mypy over src/coursekit"
	@echo "make bench            run benchmarks/ and write benchmarks/RESULTS.md"
	@echo "make clean            remove build output"

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

venv: $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . $(JB_STRICT)
	@echo "Book built: open _build/html/index.html (or run 'make serve')."

# The whole book as one PDF: a single-page build (sharing make book's execution cache) printed by Chromium.
pdf: $(STAMP)
	$(BIN)/python -m coursekit.pdf --out _build/pdf/alliances-of-convenience.pdf

book-instructor: $(STAMP)
	$(BIN)/python -m coursekit.bookbuild instructor --out _build/instructor

test: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile; status=$$?; \
	  if [ $$status -eq 5 ]; then echo "no tests collected (treated as success)"; exit 0; fi; exit $$status

# The same three checks run in `make test` (tests/test_lint.py) and as pre-commit hooks (.pre-commit-config.yaml).
lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

serve:
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory _build/html 8000

lab: $(STAMP)
	$(BIN)/jupyter lab

release: $(STAMP)
	$(BIN)/coursekit release exercises --out _build/release

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf _build .pytest_cache
	find . -name __pycache__ -not -path './.venv/*' -prune -exec rm -rf {} +
