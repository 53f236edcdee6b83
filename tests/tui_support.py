"""Real libraries on disk for the TUI tests, snapshots, screenshots and benchmark.

Small libraries are made the way a user makes them (``Library.import_paths`` on dump files);
big ones go straight through ``Store.commit`` with generated drafts, which takes ~1 s for 100k.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from textual.notifications import Notification
from textual.pilot import Pilot

from newsreader.config import Settings
from newsreader.library import Library
from newsreader.models import ArticleDraft
from newsreader.store import Store
from newsreader.tui.app import NewsReaderApp

if TYPE_CHECKING:
    from newsreader.tui.screens.main import MainScreen

ROOT = Path(__file__).resolve().parent.parent
FEEDS = ROOT / "feeds"
SEED = FEEDS / "000_cbd8846d609ab0f0.txt"
IMPORTED_AT = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
"""When the test libraries were 'imported' (the seed has no dates, so this is its date)."""
NOW = IMPORTED_AT + timedelta(hours=3)
"""The clock the app sees: relative dates read ``3h``, the same on every machine."""

SECOND_DUMP = """\
Harbour cranes return to the old port

By Jane Doe

The cranes that stood idle for a decade are moving again. Dock workers say the first ships
arrive next week, and the town council has promised to repair the access road before then.

Local shops expect a busy winter.

---

A quiet election in the hills

Turnout was low but steady across the valley. Counting finished before midnight and the
result was announced at the school hall to a small, patient crowd.
"""


def fixed_clock() -> datetime:
    return NOW


def demo_library(path: Path, *, extra_dumps: dict[str, str] | None = None) -> Library:
    """The seed dump plus a small separated dump, imported as a user would, with a fixed clock."""
    path.mkdir(parents=True, exist_ok=True)
    dumps = path.parent / f"{path.name}-dumps"
    dumps.mkdir(exist_ok=True)
    (dumps / "harbour-news.txt").write_text(SECOND_DUMP, encoding="utf-8")
    for name, text in (extra_dumps or {}).items():
        (dumps / name).write_text(text, encoding="utf-8")
    library = Library(path)
    library.now = lambda: IMPORTED_AT  # type: ignore[method-assign]
    report = library.import_paths([SEED, *sorted(dumps.iterdir())])
    assert not report.failed, report.failed
    library.now = fixed_clock  # type: ignore[method-assign]
    return library


def add_drafts(library: Library, source_id: str, title: str, drafts: Sequence[ArticleDraft]) -> None:
    """Commit generated drafts as one source (the fast path for big libraries)."""
    store = Store(library.path)
    store.commit(
        {source_id: list(drafts)},
        now=IMPORTED_AT,
        sources={
            source_id: {
                "kind": "dump",
                "title": title,
                "location": f"/generated/{source_id}.txt",
                "added": IMPORTED_AT.timestamp(),
            }
        },
    )


def big_library(path: Path, count: int) -> Library:
    """``count`` generated headlines, one a minute back from ``IMPORTED_AT``, newest first."""
    drafts = [
        ArticleDraft(
            id=f"big{i:013x}",
            title=f"Generated headline {i:06d} about the harbour and the hills",
            body=f"Body of article {i}.\n\nA second paragraph for article {i}.",
            excerpt=f"Lead of generated article {i}: short and plain.",
            published=IMPORTED_AT - timedelta(minutes=i),
        )
        for i in range(count)
    ]
    library = Library(path)
    add_drafts(library, "generated", "Generated feed", drafts)
    library.now = fixed_clock  # type: ignore[method-assign]
    return library


async def settle(pilot: Pilot[None], timeout: float = 60.0) -> None:
    """Wait until the app says it has settled (``MainScreen.settled``): the first list painted, no
    worker running, no debounced search, recount or mark write still to come.

    Asked twice with the message queues drained in between, since a worker's result can start a
    timer and a timer a worker. The timeout is only a guard against a hang, not a measurement.
    """
    from newsreader.tui.screens.main import MainScreen

    app = pilot.app
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    calm = 0
    while calm < 2:
        if loop.time() > deadline:
            raise AssertionError(f"the app did not settle within {timeout:.0f} s")
        await pilot.pause()  # every message queued so far is handled
        main = next((s for s in app.screen_stack if isinstance(s, MainScreen)), None)
        if main is not None and main.settled:
            calm += 1
        else:
            calm = 0
            await asyncio.sleep(0.01)


async def until(pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 60.0) -> None:
    """Wait until ``condition()`` holds, handling the app's messages between checks."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout:.0f} s")
        await pilot.pause()
        await asyncio.sleep(0.01)


def notifications(app: object) -> list[Notification]:
    """The notifications the app has shown and not yet dismissed (Textual keeps no public list)."""
    return list(app._notifications)  # type: ignore[attr-defined]


def row_text(app: object, index: int, part: int = 0) -> str:
    """The plain text the headline list draws for one line of one row."""
    from newsreader.tui.widgets.headline_list import ROW_HEIGHT, HeadlineList

    headlines = app.screen.query_one("#headlines", HeadlineList)  # type: ignore[attr-defined]
    strip = headlines._render_row_line(  # drawing one row directly, whatever is scrolled
        headlines.articles[index],
        part,
        headlines.scrollable_content_region.width,
        index == headlines.cursor,
        headlines.rich_style,
    )
    assert part < ROW_HEIGHT
    return "".join(segment.text for segment in strip)


def visible_text(app: object) -> str:
    """Everything on screen as plain text, one line per terminal row (what a user sees)."""
    strips = app.screen._compositor.render_strips()  # type: ignore[attr-defined]
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def main_screen(app: NewsReaderApp) -> MainScreen:
    """The reading screen, wherever it is on the stack (a prompt or a pop-up may be above it)."""
    from newsreader.tui.screens.main import MainScreen

    return next(s for s in app.screen_stack if isinstance(s, MainScreen))


def make_app(library: Library, **settings: object) -> NewsReaderApp:
    """The app on ``library`` with animations off (and any settings given), as the Pilot tests drive it."""
    return NewsReaderApp(library, Settings(animations=False, **settings), None)  # type: ignore[arg-type]
