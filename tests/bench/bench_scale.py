"""Scale: costs that should follow the change, not the library (issue 16, items 3 and 4).

* start-up: spawning ``python`` to the first painted headline list at 50,000 and at 500,000
  articles (target: 500k within 1.5x of 50k), and the TUI process's peak memory (VmHWM) at that
  first frame at 500,000 (target <= 400 MB);
* keypress-to-frame ``j`` at 100,000 rows while the search index builds from nothing, against the
  same keys once it has finished (target: p95 <= 33 ms during the build).

Measurements only: the store layout that would meet these targets is later work. Run with
``python -m tests.bench scale``.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.bench_tui import CHILD, _key_to_frame
from tests.bench.table import Row, print_table, verdict

STARTUP_RATIO = 1.5
MEMORY_MB = 400
KEY_P95 = 0.033

# bench_tui's start-up child, also reporting the process's peak memory (VmHWM) at the first frame and
# again once the app has exited, which waits for the workers the first paint started (the whole list,
# the counts, the search index).
_HWM = 'int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1])'
_CHILD = CHILD.replace(
    "        stamp.append(time.time())\n",
    f"        stamp.append(time.time())\n        stamp.append({_HWM})\n",
).replace(
    'print(f"{stamp[0]:.6f}", flush=True)',
    f'stamp.append({_HWM})\nprint(f"{{stamp[0]:.6f}} {{stamp[1]}} {{stamp[2]}}", flush=True)',
)


def _startup(library: Path, runs: int) -> tuple[list[float], int, int]:
    """Seconds to the first painted list for each run, and the largest VmHWM (KiB) seen at the first
    frame and at exit."""
    times, peak, after = [], 0, 0
    for _ in range(runs):
        started = time.time()
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, str(library)],
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
        stamp, hwm, hwm_exit = out.stdout.strip().splitlines()[-1].split()
        times.append(float(stamp) - started)
        peak, after = max(peak, int(hwm)), max(after, int(hwm_exit))
    return times, peak, after


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


async def _keys_while_indexing(library_path: Path, presses: int) -> tuple[list[float], list[float]]:
    """``j`` presses during the first search-index build, then the same number after it."""
    from newsreader.config import Settings
    from newsreader.library import Library
    from newsreader.tui.app import NewsReaderApp
    from tests.tui_support import fixed_clock

    library = Library(library_path)
    library.now = fixed_clock  # type: ignore[method-assign]
    app = NewsReaderApp(library, Settings(animations=False), None)
    during: list[float] = []
    after: list[float] = []

    def indexing() -> bool:
        return any(w.group == "index" and not w.is_finished for w in app.workers)

    async with app.run_test(size=(140, 40)) as pilot:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 120
        while not indexing() and loop.time() < deadline:  # starts right after the first paint
            await pilot.pause(0.005)
        headlines = app.screen.query_one("#headlines")
        key = "j"
        while indexing() and len(during) < presses * 4:
            before = headlines.cursor  # type: ignore[attr-defined]
            sample = await _key_to_frame(app, key, lambda b=before: headlines.cursor != b)  # type: ignore[attr-defined]
            if indexing():  # only presses the build overlapped from start to end count
                during.append(sample)
        await app.workers.wait_for_complete()
        for _ in range(presses):
            before = headlines.cursor  # type: ignore[attr-defined]
            after.append(await _key_to_frame(app, key, lambda b=before: headlines.cursor != b))  # type: ignore[attr-defined]
    return during, after


def main(quick: bool = False) -> list[Row]:
    from tests.tui_support import big_library

    small, large, rows_n = (1_000, 3_000, 1_000) if quick else (50_000, 500_000, 100_000)
    runs = 1 if quick else 3
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        big_library(root / "small", small)
        small_times, _, _ = _startup(root / "small", runs)
        started = time.perf_counter()
        big_library(root / "large", large)
        print(f"built a {large:,}-article library in {time.perf_counter() - started:.1f} s", flush=True)
        large_times, peak, after = _startup(root / "large", runs)
        ratio = statistics.median(large_times) / statistics.median(small_times)
        rows.append(
            (
                f"start to first painted list, {small:,} articles (median)",
                f"{statistics.median(small_times):.2f} s",
                "-",
                "-",
            )
        )
        rows.append(
            (
                f"start to first painted list, {large:,} articles (median)",
                f"{statistics.median(large_times):.2f} s",
                "-",
                "-",
            )
        )
        rows.append(
            (
                f"first paint, {large:,} / {small:,} articles",
                f"{ratio:.2f}x",
                f"<= {STARTUP_RATIO}x",
                verdict(ratio <= STARTUP_RATIO),
            )
        )
        mb = peak / 1024
        rows.append(
            (
                f"peak memory at first paint, {large:,} articles",
                f"{mb:.0f} MB",
                f"<= {MEMORY_MB} MB",
                verdict(mb <= MEMORY_MB),
            )
        )
        rows.append(
            (
                f"peak memory by exit (whole list, counts, index build), {large:,} articles",
                f"{after / 1024:.0f} MB",
                "-",
                "-",
            )
        )
        big_library(root / "rows", rows_n)
        during, after = asyncio.run(_keys_while_indexing(root / "rows", 5 if quick else 60))
    if during:
        rows.append(
            (
                f"keypress-to-render j, {rows_n:,} rows, index building (median; p95; n={len(during)})",
                f"{statistics.median(during) * 1000:.1f} ms; {_p95(during) * 1000:.1f} ms",
                f"p95 <= {KEY_P95 * 1000:.0f} ms",
                verdict(_p95(during) <= KEY_P95),
            )
        )
    else:
        print("the search index finished before a keypress could overlap it")
    rows.append(
        (
            f"keypress-to-render j, {rows_n:,} rows, index built (median; p95)",
            f"{statistics.median(after) * 1000:.1f} ms; {_p95(after) * 1000:.1f} ms",
            f"p95 <= {KEY_P95 * 1000:.0f} ms",
            verdict(_p95(after) <= KEY_P95),
        )
    )
    return print_table(rows)


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
