"""TUI benchmark: start-up to the first painted headline list, keypress-to-render, opening articles.

* start-up: wall time from spawning ``python`` to the first frame with headlines, at 50k articles,
  measured in a child process (so the Python and Textual imports count) running the app headless;
* keypress-to-render: ``j``/``k``/page keys in a 100k-row list, from the key to the rendered frame;
* open: ``enter`` on a 30 KB article to the frame showing it (loaded, rendered to ``Text``, laid out).

Run with ``python -m tests.bench tui`` (or ``python -m tests.bench.bench_tui``).
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

Row = tuple[str, str, str, str]

STARTUP_TARGET = 1.0
KEY_TARGET = 0.033
OPEN_TARGET = 0.100


def _verdict(ok: bool) -> str:
    return "yes" if ok else "NO"


def _print_table(rows: list[Row]) -> None:
    header: Row = ("metric", "value", "target", "ok")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")


# -- start-up (child process) ---------------------------------------------------------------------

CHILD = """
import sys, time
from newsreader.config import Settings
from newsreader.library import Library
from newsreader.tui.app import NewsReaderApp
from newsreader.tui.widgets.headline_list import HeadlineList

# The first time the compositor asks the list for a line while it holds headlines is the first
# frame with headlines in it: stamp the time, let the frame finish, and leave.
draw = HeadlineList.render_line
stamp = []

def render_line(self, y):
    strip = draw(self, y)
    if not stamp and self.articles:
        stamp.append(time.time())
        self.app.call_later(self.app.exit)
    return strip

HeadlineList.render_line = render_line
app = NewsReaderApp(Library(sys.argv[1]), Settings(animations=False), None)
app.run(headless=True, size=(140, 40))
print(f"{stamp[0]:.6f}", flush=True)
"""


def measure_startup(library: Path, runs: int) -> list[float]:
    """Seconds from spawning the interpreter to the first painted headline list."""
    times = []
    for _ in range(runs):
        started = time.time()
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(library)],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        times.append(float(out.stdout.strip().splitlines()[-1]) - started)
    return times


# -- in-process measurements ----------------------------------------------------------------------


async def _frame(app: object) -> None:
    """Wait for the next rendered frame."""
    done = asyncio.Event()
    app.call_after_refresh(done.set)  # type: ignore[attr-defined]
    await done.wait()


async def _key_to_frame(app: object, key: str, handled: Callable[[], bool]) -> float:
    """Send one key as the terminal driver would; seconds until the frame that shows its effect.

    Pilot's ``press`` adds idle waits of its own, so the key goes straight to the driver here;
    ``handled`` says when the app has acted on it, then the next frame is awaited.
    """
    from textual import events

    char = key if len(key) == 1 else None
    event = events.Key(key, char)
    event.set_sender(app)  # type: ignore[arg-type]
    started = time.perf_counter()
    app._driver.send_message(event)  # type: ignore[attr-defined]
    while not handled():
        # A short sleep, not sleep(0): a busy loop here would starve the worker threads of the GIL.
        await asyncio.sleep(0.0005)
    await _frame(app)
    return time.perf_counter() - started


async def measure_keys(library_path: Path, presses: int) -> dict[str, list[float]]:
    from newsreader.config import Settings
    from newsreader.library import Library
    from newsreader.tui.app import NewsReaderApp
    from tests.tui_support import fixed_clock, settle

    library = Library(library_path)
    library.now = fixed_clock  # type: ignore[method-assign]
    app = NewsReaderApp(library, Settings(animations=False), None)
    results: dict[str, list[float]] = {"j": [], "k": [], "ctrl+d": [], "end": []}
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, timeout=600)  # the search index takes in 100k articles first
        headlines = app.screen.query_one("#headlines")
        for key, count in (("j", presses), ("ctrl+d", presses // 4), ("k", presses)):
            for _ in range(max(1, count)):
                before = headlines.cursor
                results[key].append(await _key_to_frame(app, key, lambda b=before: headlines.cursor != b))
        last = len(headlines.articles) - 1
        results["end"].append(await _key_to_frame(app, "end", lambda: headlines.cursor == last))
    return results


async def measure_open(library_path: Path, runs: int) -> list[float]:
    """``enter`` on a 30 KB article (cold each time: a different article) to the frame showing it."""
    from newsreader.config import Settings
    from newsreader.library import Library
    from newsreader.tui.app import NewsReaderApp
    from newsreader.tui.screens.main import MainScreen
    from tests.tui_support import fixed_clock, settle

    library = Library(library_path)
    library.now = fixed_clock  # type: ignore[method-assign]
    app = NewsReaderApp(library, Settings(animations=False), None)
    times = []
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, timeout=600)  # the search index takes in 100k articles first
        screen = app.screen
        assert isinstance(screen, MainScreen)
        for index in range(runs):
            screen.headlines.move_cursor(index)
            target = screen.headlines.articles[index].id
            await settle(pilot, timeout=600)
            view = screen.article_view
            times.append(
                await _key_to_frame(
                    app, "enter", lambda t=target, v=view: v.article is not None and v.article.id == t
                )
            )
            await settle(pilot, timeout=600)
    return times


def _long_drafts(count: int) -> list[object]:
    from newsreader.models import ArticleDraft
    from tests.tui_support import IMPORTED_AT

    paragraph = (
        "The committee met again on Thursday to weigh the proposal, which would change how the "
        "harbour is run, who pays for the cranes, and what the town gets back in return. "
    ) * 3
    drafts = []
    for i in range(count):
        body = "\n\n".join(f"{i}.{n} {paragraph}" for n in range(60))
        drafts.append(
            ArticleDraft(
                id=f"long{i:012x}",
                title=f"A long read, number {i}",
                body=body,
                excerpt=paragraph[:200],
                author="A. Writer",
                published=IMPORTED_AT - timedelta(hours=i),
            )
        )
    return drafts


def main(quick: bool = False) -> list[Row]:
    from newsreader.library import Library
    from tests.bench import compile_newsreader
    from tests.tui_support import add_drafts, big_library

    startup_size = 2_000 if quick else 50_000
    list_size = 2_000 if quick else 100_000
    presses = 5 if quick else 60
    compile_newsreader()  # start-up is timed as an installed copy starts, not a first compile
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        big_library(root / "startup", startup_size)
        startup = measure_startup(root / "startup", 1 if quick else 5)
        big_library(root / "list", list_size)
        keys = asyncio.run(measure_keys(root / "list", presses))
        long_lib = Library(root / "long")
        drafts = _long_drafts(3 if quick else 10)
        assert all(len(d.body) >= 30_000 for d in drafts)  # type: ignore[attr-defined]
        add_drafts(long_lib, "long", "Long reads", drafts)  # type: ignore[arg-type]
        opens = asyncio.run(measure_open(root / "long", len(drafts)))

    rows: list[Row] = []
    best = min(startup)
    median = statistics.median(startup)
    rows.append(
        (
            f"start to first painted list, {startup_size:,} articles (median; best)",
            f"{median:.2f} s; {best:.2f} s",
            f"<= {STARTUP_TARGET:.1f} s",
            _verdict(median <= STARTUP_TARGET),
        )
    )
    for key, label in (("j", "j (down)"), ("k", "k (up)"), ("ctrl+d", "ctrl+d (page)")):
        values = sorted(keys[key])
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
        rows.append(
            (
                f"keypress-to-render {label}, {list_size:,} rows (median; p95)",
                f"{statistics.median(values) * 1000:.1f} ms; {p95 * 1000:.1f} ms",
                f"<= {KEY_TARGET * 1000:.0f} ms",
                _verdict(statistics.median(values) <= KEY_TARGET),
            )
        )
    rows.append(
        (
            f"keypress-to-render end (jump to row {list_size:,})",
            f"{keys['end'][0] * 1000:.1f} ms",
            f"<= {KEY_TARGET * 1000:.0f} ms",
            _verdict(keys["end"][0] <= KEY_TARGET),
        )
    )
    rows.append(
        (
            "open a 30 KB article, enter to frame (median; max)",
            f"{statistics.median(opens) * 1000:.0f} ms; {max(opens) * 1000:.0f} ms",
            f"<= {OPEN_TARGET * 1000:.0f} ms",
            _verdict(statistics.median(opens) <= OPEN_TARGET),
        )
    )
    _print_table(rows)
    return rows


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
