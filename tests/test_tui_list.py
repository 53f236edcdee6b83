"""Pilot tests for issue 13's list and navigation half: order, hide-read, previous unread, delete,
the action rule in the footer, the layout of the empty hints and the list's density."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsreader.config import Settings
from newsreader.library import Library
from newsreader.tui.app import NewsReaderApp
from newsreader.tui.screens.main import MainScreen
from newsreader.tui.widgets.source_list import source_key
from tests.tui_support import SEED, demo_library, settle, until, visible_text

pytestmark = pytest.mark.anyio

SIZE = (140, 42)


def make_app(library: Library, **settings: object) -> NewsReaderApp:
    return NewsReaderApp(library, Settings(animations=False, **settings), None)  # type: ignore[arg-type]


def main_screen(app: NewsReaderApp) -> MainScreen:
    screen = next(s for s in app.screen_stack if isinstance(s, MainScreen))
    return screen


def titles(screen: MainScreen) -> list[str]:
    return [a.title for a in screen.headlines.articles]


def list_title(screen: MainScreen) -> str:
    return str(screen.pane.border_title)


async def test_sort_orders_cycle_show_in_the_title_and_survive_a_reload(tmp_path: Path) -> None:
    library = demo_library(tmp_path / "lib")
    newest = [a.title for a in library.articles()]
    app = make_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert titles(screen) == newest and "newest first" in list_title(screen)
        await pilot.press("O")
        await settle(pilot)
        assert titles(screen) == newest[::-1] and "oldest first" in list_title(screen)
        await pilot.press("O")
        await settle(pilot)
        assert titles(screen) == sorted(newest, key=str.casefold) and "by title" in list_title(screen)
        await pilot.press("O")
        await settle(pilot)
        feeds = [a.feed for a in screen.headlines.articles]
        assert feeds == sorted(feeds, key=str.casefold) and "by source" in list_title(screen)
        await pilot.press("O", "O")  # newest, then oldest again
        await settle(pilot)
        screen.load_everything()  # what a refresh or another process's import does
        await settle(pilot)
        assert titles(screen) == newest[::-1] and "oldest first" in list_title(screen)
        harbour = next(s for s in library.sources() if s.title == "harbour-news.txt")
        screen.sources.select_key(source_key(harbour.id))  # a source switch keeps the order
        await settle(pilot)
        own = [a.title for a in library.articles(source=harbour.id)]
        assert titles(screen) == own[::-1] and "oldest first" in list_title(screen)


async def test_sort_order_and_hide_read_settings_set_the_start(tmp_path: Path) -> None:
    library = demo_library(tmp_path / "lib")
    first = library.articles()[0]
    library.mark([first.id], read=True)
    app = make_app(library, sort_order="title", hide_read=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        unread = [a.title for a in library.articles(unread=True)]
        assert titles(screen) == sorted(unread, key=str.casefold)
        assert first.title not in titles(screen)
        assert "by title · unread only" in list_title(screen)


async def test_hide_read_keeps_the_row_in_use_and_survives_a_source_switch(tmp_path: Path) -> None:
    library = demo_library(tmp_path / "lib")
    app = make_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        count = len(screen.headlines.articles)
        await pilot.press("enter")  # opening the first article marks it read
        await settle(pilot)
        opened = screen.headlines.current
        assert opened is not None and opened.read
        await pilot.press("H")
        await settle(pilot)
        assert "unread only" in list_title(screen)
        # The article being read stays (the cursor would jump otherwise); the other rows are unread.
        assert screen.headlines.current is not None and screen.headlines.current.id == opened.id
        assert len(screen.headlines.articles) == count
        await pilot.press("j")
        await settle(pilot)
        screen.load_everything()  # a refresh: now the read one, no longer under the cursor, goes
        await settle(pilot)
        assert opened.id not in {a.id for a in screen.headlines.articles}
        assert all(not a.read for a in screen.headlines.articles)
        seed = next(s for s in library.sources() if s.title == SEED.name)
        screen.sources.select_key(source_key(seed.id))
        await settle(pilot)
        assert screen.headlines.articles and all(not a.read for a in screen.headlines.articles)
        assert opened.id not in {a.id for a in screen.headlines.articles}
        await pilot.press("H")
        await settle(pilot)
        assert opened.id in {a.id for a in screen.headlines.articles}
        assert "unread only" not in list_title(screen)


async def test_U_opens_the_previous_unread_article(tmp_path: Path) -> None:
    library = demo_library(tmp_path / "lib")
    ids = [a.id for a in library.articles()]
    library.mark([ids[1], ids[2]], read=True)
    app = make_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        screen.headlines.move_cursor(3)
        await pilot.press("U")  # rows 2 and 1 are read: on to row 0
        await settle(pilot)
        assert screen.headlines.cursor == 0
        assert screen.article_view.article is not None and screen.article_view.article.id == ids[0]
        await pilot.press("U")  # wraps to the last unread
        await settle(pilot)
        assert screen.headlines.cursor == len(ids) - 1


async def test_D_deletes_u_undoes_and_closing_stores_it(tmp_path: Path) -> None:
    library = demo_library(tmp_path / "lib")
    before = [a.id for a in library.articles()]
    victim, spared = before[1], before[2]
    app = make_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        total = screen.sources.counts[2]
        screen.headlines.move_cursor(1)
        await pilot.press("D")
        await settle(pilot)
        assert victim not in {a.id for a in screen.headlines.articles}
        assert screen.headlines.current is not None and screen.headlines.current.id == spared
        assert screen.sources.counts[2] == total - 1  # the counts leave it out at once
        await pilot.press("u")
        await settle(pilot)
        assert victim in {a.id for a in screen.headlines.articles}
        assert screen.headlines.current is not None and screen.headlines.current.id == victim
        assert screen.sources.counts[2] == total
        await pilot.press("D")  # for good this time
        await settle(pilot)
        screen.load_everything()  # deleted articles stay out of reloaded lists
        await settle(pilot)
        assert victim not in {a.id for a in screen.headlines.articles}
        assert victim in {a.id for a in library.articles()}  # still undoable: nothing stored yet
    after = Library(library.path)
    assert victim not in {a.id for a in after.articles()}
    assert sum(s.articles for s in after.sources()) == len(before) - 1
    assert victim not in {h.article.id for h in after.search("harbour OR biden OR election")}
    after.import_paths([SEED, *sorted((tmp_path / "lib-dumps").iterdir())])  # a re-import
    assert victim not in {a.id for a in after.articles()}


async def test_the_footer_says_which_article_the_keys_act_on(tmp_path: Path) -> None:
    """Defect 2: one rule for every article action, shown in the footer."""
    app = make_app(demo_library(tmp_path / "lib"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await until(pilot, lambda: "highlighted" in visible_text(app).splitlines()[-1])
        await pilot.press("enter", "tab")  # the article pane has focus: keys act on it
        await settle(pilot)
        assert screen._pane == "article"
        await until(pilot, lambda: "open article" in visible_text(app).splitlines()[-1])
        await pilot.press("escape")
        await settle(pilot)
        await until(pilot, lambda: "highlighted" in visible_text(app).splitlines()[-1])
