# Every target creates .venv on first use, so a fresh clone needs only `make run` or `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := .demo-library

.PHONY: run demo test bench screenshots lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

## run: open the TUI on a demo library seeded from feeds/ (no network needed)
run: demo
	$(BIN)/newsreader --library $(DEMO)

## demo: (re)seed the demo library from feeds/; importing is idempotent
demo: $(STAMP)
	$(BIN)/newsreader --library $(DEMO) import feeds/ > /dev/null

## test: the whole suite (benchmarks run once on tiny sizes as a smoke test)
test: $(STAMP)
	$(BIN)/pytest -q -n auto

## bench: the benchmarks at full size, printing tables
bench: $(STAMP)
	$(BIN)/python -m tests.bench

## screenshots: SVG (and PNG where a converter exists) of the main views into screenshots/
screenshots: $(STAMP)
	$(BIN)/pip install --quiet -e '.[screenshots]' || echo "cairosvg unavailable: writing SVGs only"
	$(BIN)/python -m tests.screenshots

## lint: ruff (check and format) and mypy --strict on newsreader/
lint: $(STAMP)
	$(BIN)/ruff check newsreader tests
	$(BIN)/ruff format --check newsreader tests
	$(BIN)/mypy

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .ruff_cache
