"""Keeps the refresh benchmark runnable: one quick pass on a tiny farm (no newsboat, no timing)."""

from __future__ import annotations

from tests.bench import bench_refresh


def test_refresh_benchmark_runs_quick() -> None:
    rows = bench_refresh.main(quick=True)
    assert [row[0].split(" (")[0] for row in rows] == [
        "newsreader cold refresh",
        "newsreader warm refresh, all 304",
    ]
    for _metric, value, _target, _ok in rows:
        assert float(value.removesuffix(" s")) > 0
