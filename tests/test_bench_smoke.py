"""Each benchmark runs once on tiny sizes, so `make bench` cannot rot."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

BENCHES = sorted(p.stem for p in (Path(__file__).parent / "bench").glob("bench_*.py"))


@pytest.mark.parametrize(
    "name",
    # bench_sync drives tt-rss: on the worker that owns it (tests/sync/conftest.py), sharing its server.
    [pytest.param(n, marks=pytest.mark.xdist_group("ttrss")) if n == "bench_sync" else n for n in BENCHES],
)
def test_benchmark_runs(name: str) -> None:
    rows = importlib.import_module(f"tests.bench.{name}").main(quick=True)
    assert rows and all(len(row) == 4 for row in rows)
