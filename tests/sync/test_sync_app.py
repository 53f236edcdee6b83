"""The reading app and a real server: it opens on the local library at once and syncs in the background.

A read mark made in the app reaches the server with the next refresh (``r``), and one made on the
server (another device) shows in the app; a server that is down never holds the app up.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newsreader.config import Settings
from newsreader.library import Library
from newsreader.sync.accounts import Account, Accounts
from newsreader.sync.engine import SyncState
from newsreader.tui.app import NewsReaderApp
from newsreader.tui.screens.main import MainScreen
from tests.sync.conftest import Server
from tests.sync.servers.harness import articles
from tests.tui_support import notifications, settle, until

pytestmark = pytest.mark.anyio

SIZE = (140, 40)


def make_app(library: Library) -> NewsReaderApp:
    return NewsReaderApp(library, Settings(animations=False), None)


def with_account(path: Path, server: Server) -> Library:
    library = Library(path)
    Accounts(path).add(Account("acct", server.kind, server.url, server.user, server.password, 0.0))
    return library


async def test_marks_go_both_ways_with_the_app_open(server: Server, tmp_path: Path) -> None:
    server.add_feed("Alpha", articles("alpha", 5))
    library = with_account(tmp_path / "lib", server)
    app = make_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        # The app started on the (empty) local library; the sync at start brings the server's articles.
        await until(pilot, lambda: len(screen.headlines.articles) == 5)
        await settle(pilot)
        first = screen.headlines.articles[0]
        await pilot.press("m")  # read, here
        await settle(pilot)
        other = screen.headlines.articles[1]
        items = SyncState(library.path, "acct").items
        server.mark(items[other.id], starred=True)  # starred, on the server
        await pilot.press("r")
        await until(pilot, lambda: server.flags(items[first.id])[0])
        await until(pilot, lambda: screen.headlines.articles[1].starred)
        assert screen.headlines.articles[1].id == other.id


async def test_a_dead_server_never_holds_the_app_up(server: Server, tmp_path: Path) -> None:
    server.add_feed("Alpha", articles("alpha", 3))
    library = with_account(tmp_path / "lib", server)
    app = make_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(app.screen.headlines.articles) == 3)  # type: ignore[attr-defined]
    server.stop()
    app = make_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert len(screen.headlines.articles) == 3  # the local library, at once
        await until(pilot, lambda: any("sync failed" in str(n.message) for n in notifications(app)))
