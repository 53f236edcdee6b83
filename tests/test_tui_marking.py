"""``A`` over a long list (issue 16, item 4): the rows turn read in slices between frames, the write
runs on the mark writer in order with the marks around it, and the library ends as the screen shows."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from textual import events

from newsreader.config import Settings
from newsreader.library import Library
from newsreader.tui.app import NewsReaderApp
from newsreader.tui.screens.confirm import ConfirmScreen
from newsreader.tui.screens.main import MainScreen
from tests.tui_support import big_library, settle, until

pytestmark = pytest.mark.anyio

SIZE = (140, 40)
ROWS = 20_000
"""Enough rows that turning them read takes several slices, even on a fast machine."""


async def running_until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    """Let the app run (plain sleeps: no waiting for it to be idle) until ``condition()`` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.002)


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    return big_library(tmp_path / "lib", ROWS)


@pytest.mark.slow  # 20,000 rows: ~10 s of CPU, a scale test like test_tui_scale.py
async def test_a_on_a_long_list_serves_keys_while_rows_turn_read(lib: Library) -> None:
    app = NewsReaderApp(lib, Settings(animations=False), None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen) and len(screen.headlines.articles) == ROWS
        await pilot.press("A")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        # Keys go in as the terminal's would: pilot.press would wait for every slice to finish.
        app.post_message(events.Key("y", "y"))
        await running_until(lambda: app.screen is screen and screen.headlines.articles[0].read)
        assert all(a.read for a in screen.headlines.articles[:40])  # the rows in view, at once
        assert screen.pending and not all(a.read for a in screen.headlines.articles)  # the rest: later
        app.post_message(events.Key("j", "j"))
        await running_until(lambda: screen.headlines.cursor == 1)
        assert screen.pending  # the key was served between slices, not after them
        await pilot.press("m")  # unread again, after A: it must stay unread on disk
        await settle(pilot)
        rows = screen.headlines.articles
        assert not rows[1].read and all(a.read for i, a in enumerate(rows) if i != 1)
        state = Library(lib.path).articles()
        assert [a.id for a in state if not a.read] == [rows[1].id]
