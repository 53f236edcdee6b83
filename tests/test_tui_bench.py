"""The TUI benchmark runs on tiny sizes, so ``make bench`` cannot rot (timings are not asserted)."""

from __future__ import annotations

import pytest

from tests.bench import bench_tui


@pytest.mark.slow
def test_tui_benchmark_runs_quick() -> None:
    rows = bench_tui.main(quick=True)
    metrics = [row[0] for row in rows]
    assert any(m.startswith("start to first painted list") for m in metrics)
    assert any(m.startswith("keypress-to-render j") for m in metrics)
    assert any(m.startswith("open a 30 KB article") for m in metrics)
    assert all(len(row) == 4 and row[3] in ("yes", "NO") for row in rows)
