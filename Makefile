# Every target creates .venv on first use, so a fresh clone needs only `make run` or `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := .demo-library

.PHONY: run demo test test-slow test-all bench screenshots lint clean

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

# pytest exits 5 when a selection is empty (a typo in a marker, a moved folder): make fails on it too.
# One worker more than cores: the Pilot tests spend part of their time waiting on the app's own timers.
# Bytecode is written even where PYTHONDONTWRITEBYTECODE is set: without it each worker compiles and
# assertion-rewrites every test module again (~3 s of CPU a worker, every run).
WORKERS := $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 1 )))
PYTEST  := PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -q -n $(WORKERS)

## test: every test not marked slow, in parallel (~1,000 tests, under 90 s on 2 cores)
test: $(STAMP)
	$(PYTEST) -m 'not slow'

## test-slow: only the tests marked slow, in parallel (full disks, 100k rows, kill -9, benchmark smokes, real sync servers)
test-slow: $(STAMP)
	$(PYTEST) -m slow

## test-all: both tiers in one run (what CI runs, as `make test` then `make test-slow`)
test-all: $(STAMP)
	$(PYTEST)

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
