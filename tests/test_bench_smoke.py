"""Each benchmark runs once on tiny sizes, so `make bench` cannot rot (most in `make test-slow`)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

BENCHES = sorted(p.stem for p in (Path(__file__).parent / "bench").glob("bench_*.py"))
QUICK = {"bench_dumps", "bench_organise"}
"""Smokes under a second run in ``make test``; the others (3-14 s each) in ``make test-slow``."""


def _param(name: str) -> object:
    marks = [] if name in QUICK else [pytest.mark.slow]
    if name == "bench_sync":  # drives tt-rss: on the worker that owns it (tests/sync/conftest.py)
        marks.append(pytest.mark.xdist_group("ttrss"))
    return pytest.param(name, marks=marks)


@pytest.mark.parametrize("name", [_param(n) for n in BENCHES])
def test_benchmark_runs(name: str) -> None:
    rows = importlib.import_module(f"tests.bench.{name}").main(quick=True)
    assert rows and all(len(row) == 4 for row in rows)
