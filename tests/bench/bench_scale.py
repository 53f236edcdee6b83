"""Scale: costs that should follow the change, not the library (issue 16, items 3 and 4).

* start-up: spawning ``python`` to the first painted headline list at 50,000 and at 500,000
  articles (target: 500k within 1.5x of 50k), and the TUI process's peak memory (VmHWM) at that
  first frame and by exit, after the whole list, the counts and the search index build have run
  (target at 500,000: <= 400 MB), with the index build's own process's peak beside it;
* keypress-to-frame ``j`` at 100,000 rows while the search index builds from nothing, once it has,
  while a refresh commits, while the lists catch up after it and while ``A`` marks the list read
  (target: p95 <= 33 ms), each phase with the longest GIL hold seen in it (``tests.bench.gil``: the
  longest gap of a probe thread, counted only while the process ran, and the plain gap) and the CPU
  the app's process spent in it (its threads, not its children), which a loaded machine distorts
  least.

Run with ``python -m tests.bench scale`` (``python -m tests.bench.bench_scale --startup`` or
``--keys`` for one part).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.bench.bench_tui import CHILD, _key_to_frame
from tests.bench.gil import GilProbe
from tests.bench.table import Row, print_table, verdict

STARTUP_RATIO = 1.5
MEMORY_MB = 400
KEY_P95 = 0.033

# bench_tui's start-up child, also reporting the process's peak memory (VmHWM) at the first frame and
# again once the app has exited, which waits for the workers the first paint started (the whole list,
# the counts, the search index), and the peak of its largest child (the search index builds in one).
_HWM = 'int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1])'
_CHILDREN = "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss"
_CHILD = (
    CHILD.replace("import sys, time\n", "import resource, sys, time\n")
    .replace(
        "        stamp.append(time.time())\n",
        f"        stamp.append(time.time())\n        stamp.append({_HWM})\n",
    )
    .replace(
        'print(f"{stamp[0]:.6f}", flush=True)',
        f"stamp.append({_HWM})\nstamp.append({_CHILDREN})\n"
        'print(f"{stamp[0]:.6f} {stamp[1]} {stamp[2]} {stamp[3]}", flush=True)',
    )
)


@dataclass(slots=True)
class Startup:
    times: list[float]
    """Seconds to the first painted list, one a run."""
    first: int
    """The largest VmHWM (KiB) at the first frame."""
    exit: int
    """...and at exit."""
    child: int
    """The largest peak of a child (the search index build), KiB."""


def _startup(library: Path, runs: int) -> Startup:
    """Start the app ``runs`` times on ``library``: time to the first painted list, peak memory."""
    out = Startup([], 0, 0, 0)
    for _ in range(runs):
        started = time.time()
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(library)],
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
        stamp, hwm, hwm_exit, child = done.stdout.strip().splitlines()[-1].split()
        out.times.append(float(stamp) - started)
        out.first, out.exit = max(out.first, int(hwm)), max(out.exit, int(hwm_exit))
        out.child = max(out.child, int(child))
    return out


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


FARM_FEEDS = 20
"""Feeds the refresh under measurement fetches (30 items each: 600 new articles in one commit)."""


@contextlib.contextmanager
def _farm(feeds: int) -> Iterator[int]:
    """``tests.bench.feed_farm`` in a child process (its serving never competes for our GIL)."""
    farm = subprocess.Popen(
        [sys.executable, "-m", "tests.bench.feed_farm", "--feeds", str(feeds), "--latency", "0.01"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert farm.stdout is not None
        yield int(farm.stdout.readline())
    finally:
        farm.terminate()
        farm.wait()


def _subscribe_farm(library_path: Path, port: int, feeds: int) -> None:
    """Subscribe to the farm's feeds without fetching them (an OPML import), for the app's ``r``."""
    from newsreader.library import Library

    outlines = "".join(
        f'<outline type="rss" text="Farm {n}" xmlUrl="http://127.0.0.1:{port}/feed/{n}.xml"/>'
        for n in range(feeds)
    )
    opml = library_path / "farm.opml"
    opml.write_text(f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>')
    Library(library_path).import_paths([opml])
    opml.unlink()


async def _presses(app: Any, while_: Callable[[], bool], limit: int) -> list[float]:
    """``j`` presses to the frame, counted only when ``while_`` held from the key to the frame."""
    headlines = app.screen.query_one("#headlines")
    samples: list[float] = []
    while while_() and len(samples) < limit:
        before = headlines.cursor
        sample = await _key_to_frame(app, "j", lambda b=before: headlines.cursor != b)
        if while_():
            samples.append(sample)
    return samples


async def _keys_under_load(
    library_path: Path, presses: int
) -> tuple[dict[str, list[float]], dict[str, float]]:
    """``j`` presses while the search index builds from nothing, once it has, while a refresh
    fetches and commits, while the lists catch up after it, and while ``A`` marks the whole list
    read; and the longest GIL hold seen in each phase (``tests.bench.gil``)."""
    from newsreader.config import Settings
    from newsreader.library import Library
    from newsreader.tui.app import NewsReaderApp
    from tests.tui_support import fixed_clock

    library = Library(library_path)
    library.now = fixed_clock  # type: ignore[method-assign]
    app = NewsReaderApp(library, Settings(animations=False), None)
    out: dict[str, list[float]] = {}
    holds: dict[str, float] = {}
    # A file: who held the GIL past NEWSREADER_GIL_DUMP_AFTER seconds (0.08), for finding stalls.
    dump = os.environ.get("NEWSREADER_GIL_DUMP")
    after = float(os.environ.get("NEWSREADER_GIL_DUMP_AFTER", "0.08"))
    with (
        open(dump or os.devnull, "w") as dump_to,
        GilProbe(dump_after=after if dump else None, dump_to=dump_to) as probe,
    ):
        async with app.run_test(size=(140, 40)) as pilot:

            async def phase(name: str, while_: Callable[[], bool], limit: int) -> None:
                print(f"=== phase {name}", file=dump_to, flush=True)
                probe.reset()
                cpu = time.process_time()
                out[name] = await _presses(app, while_, limit)
                holds[f"{name} wall"] = probe.longest_wall
                holds[name] = probe.reset()
                holds[f"{name} cpu"] = time.process_time() - cpu

            await _phases(app, pilot, phase, presses)
    return out, holds


async def _phases(app: Any, pilot: Any, phase: Callable[..., Any], presses: int) -> None:
    """The phases of ``_keys_under_load``, one after the other in one app session."""
    from newsreader.tui.screens.confirm import ConfirmScreen

    def running(group: str) -> Callable[[], bool]:
        return lambda: any(w.group == group and not w.is_finished for w in app.workers)

    loop = asyncio.get_running_loop()
    deadline = loop.time() + 120
    while not running("index")() and loop.time() < deadline:  # starts right after the first paint
        await pilot.pause(0.005)
    await phase("building", running("index"), presses * 4)
    await app.workers.wait_for_complete()
    await phase("built", lambda: True, presses)
    screen = app.screen
    unsettled = lambda: not screen.settled  # noqa: E731
    screen.refresh_feeds()
    await phase("refresh", running("refresh"), presses * 4)  # the fetch and the commit
    await phase("reload", unsettled, presses * 4)  # the lists and counts after it
    await app.workers.wait_for_complete()
    await pilot.pause()
    screen.action_mark_source_read()
    while not isinstance(app.screen, ConfirmScreen):
        await pilot.pause(0.005)
    await _key_to_frame(app, "y", lambda: app.screen is screen)
    await phase("marking", unsettled, presses * 4)
    await app.workers.wait_for_complete()


def key_rows(keys: dict[str, list[float]], holds: dict[str, float], rows_n: int) -> list[Row]:
    """The keypress rows of the table; a phase that ended before a press could overlap it is said."""
    rows: list[Row] = []
    phases = {
        "building": "search index building from nothing",
        "built": "search index built",
        "refresh": f"refresh of {FARM_FEEDS} feeds fetching and committing",
        "reload": "the lists and counts catching up after the refresh",
        "marking": "A saving the whole list read",
    }
    for phase, what in phases.items():
        samples = keys.get(phase, [])
        if not samples:
            print(f"no keypress overlapped: {what}")
            continue
        p95 = _p95(samples)
        rows.append(
            (
                f"keypress-to-render j, {rows_n:,} rows, {what}"
                f" (median; p95; longest GIL hold, longest gap; app CPU; n={len(samples)})",
                f"{statistics.median(samples) * 1000:.1f} ms; {p95 * 1000:.1f} ms;"
                f" {holds.get(phase, 0.0) * 1000:.0f} ms, {holds.get(f'{phase} wall', 0.0) * 1000:.0f} ms;"
                f" {holds.get(f'{phase} cpu', 0.0):.1f} s",
                f"p95 <= {KEY_P95 * 1000:.0f} ms",
                verdict(p95 <= KEY_P95),
            )
        )
    return rows


def keys_main(rows_n: int = 100_000, presses: int = 60) -> list[Row]:
    """Only the keypress part (``python -m tests.bench.bench_scale --keys``): no 500k libraries."""
    from tests.tui_support import big_library

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        big_library(root / "rows", rows_n)
        with _farm(FARM_FEEDS) as port:
            _subscribe_farm(root / "rows", port, FARM_FEEDS)
            keys, holds = asyncio.run(_keys_under_load(root / "rows", presses))
    return print_table(key_rows(keys, holds, rows_n))


def startup_rows(small: int, small_run: Startup, large: int, large_run: Startup) -> list[Row]:
    """The start-up rows: first paint at both sizes and their ratio, the peaks at both sizes."""
    ratio = statistics.median(large_run.times) / statistics.median(small_run.times)
    rows: list[Row] = [
        (
            f"start to first painted list, {n:,} articles (median)",
            f"{statistics.median(run.times):.2f} s",
            "-",
            "-",
        )
        for n, run in ((small, small_run), (large, large_run))
    ]
    rows.append(
        (
            f"first paint, {large:,} / {small:,} articles",
            f"{ratio:.2f}x",
            f"<= {STARTUP_RATIO}x",
            verdict(ratio <= STARTUP_RATIO),
        )
    )
    for n, run in ((small, small_run), (large, large_run)):
        rows.append((f"peak memory at first paint, {n:,} articles", f"{run.first / 1024:.0f} MB", "-", "-"))
    for n, run in ((small, small_run), (large, large_run)):
        exit_mb = run.exit / 1024
        rows.append(
            (
                f"peak memory by exit (whole list, counts, index build), {n:,} articles",
                f"{exit_mb:.0f} MB",
                f"<= {MEMORY_MB} MB" if n == large else "-",
                verdict(exit_mb <= MEMORY_MB) if n == large else "-",
            )
        )
    rows.append(
        (
            f"peak memory of the search index build (its own process), {large:,} articles",
            f"{large_run.child / 1024:.0f} MB",
            "-",
            "-",
        )
    )
    return rows


def startup_main(small: int = 50_000, large: int = 500_000, runs: int = 3) -> list[Row]:
    """Only the start-up part (``python -m tests.bench.bench_scale --startup``): no keypresses."""
    from tests.tui_support import big_library

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        big_library(root / "small", small)
        small_run = _startup(root / "small", runs)
        big_library(root / "large", large)
        large_run = _startup(root / "large", runs)
    return print_table(startup_rows(small, small_run, large, large_run))


def main(quick: bool = False) -> list[Row]:
    from tests.tui_support import big_library

    small, large, rows_n = (1_000, 3_000, 1_000) if quick else (50_000, 500_000, 100_000)
    runs = 1 if quick else 3
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        big_library(root / "small", small)
        small_run = _startup(root / "small", runs)
        started = time.perf_counter()
        big_library(root / "large", large)
        print(f"built a {large:,}-article library in {time.perf_counter() - started:.1f} s", flush=True)
        large_run = _startup(root / "large", runs)
        rows += startup_rows(small, small_run, large, large_run)
        big_library(root / "rows", rows_n)
        with _farm(FARM_FEEDS) as port:
            _subscribe_farm(root / "rows", port, FARM_FEEDS)
            keys, holds = asyncio.run(_keys_under_load(root / "rows", 5 if quick else 60))
    rows += key_rows(keys, holds, rows_n)
    return print_table(rows)


if __name__ == "__main__":
    if "--keys" in sys.argv:
        keys_main(*(int(a) for a in sys.argv[2:4]))
    elif "--startup" in sys.argv:
        startup_main(*(int(a) for a in sys.argv[2:5]))
    else:
        main(quick="--quick" in sys.argv)
