"""Pilot tests for bugs found in QA: each fails on the code before its fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from newsreader.config import Settings
from newsreader.ingest.text import html_to_text
from newsreader.library import Library
from newsreader.models import ArticleDraft
from newsreader.tui.app import NewsReaderApp
from newsreader.tui.screens.main import MainScreen
from newsreader.tui.screens.prompt import PromptScreen
from newsreader.tui.widgets.headline_list import ROW_HEIGHT
from tests.tui_support import (
    IMPORTED_AT,
    add_drafts,
    big_library,
    demo_library,
    notifications,
    settle,
    until,
    visible_text,
)

pytestmark = pytest.mark.anyio

SIZE = (140, 40)


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    return demo_library(tmp_path / "lib")


def make_app(library: Library) -> NewsReaderApp:
    return NewsReaderApp(library, Settings(animations=False), None)


def main_screen(app: NewsReaderApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


def cursor_rows_on_screen(app: NewsReaderApp) -> list[str]:
    """The titles of the rows the screen draws with the cursor bar (what the user sees)."""
    return [line for line in visible_text(app).splitlines() if "▌" in line]


async def test_scrolled_list_repaints_the_rows_the_cursor_moves_between(tmp_path: Path) -> None:
    library = big_library(tmp_path / "lib", 40)
    app = make_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        headlines = screen.headlines
        await pilot.press("G")
        await until(pilot, lambda: headlines.cursor == 39 and headlines.scroll_y > 0)
        await pilot.press("k", "k")
        await pilot.pause()
        assert headlines.cursor == 37
        drawn = cursor_rows_on_screen(app)
        # Only the cursor row's lines carry the bar, and it is row 37's title that is drawn so.
        assert any("Generated headline 000037" in line for line in drawn), drawn
        assert not any("Generated headline 000039" in line for line in drawn), drawn
        # The widget's own lines agree: the cursor row is where the list draws the bar.
        top = round(headlines.scroll_y)
        y = 37 * ROW_HEIGHT - top
        assert "▌" in "".join(s.text for s in headlines.render_line(y))
        assert "▌" not in "".join(s.text for s in headlines.render_line(39 * ROW_HEIGHT - top))
        await pilot.press("enter")
        await settle(pilot)
        view = screen.article_view
        assert view.article is not None and "000037" in view.article.title
        # Its read mark is repainted too: the ● is gone from the row on screen.
        assert "▌    Generated headline 000037" in visible_text(app)


async def test_leaving_search_shows_what_was_read_and_starred_meanwhile(lib: Library) -> None:
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        headlines = screen.headlines
        headlines.move_cursor(2)
        kept = headlines.current
        assert kept is not None
        await pilot.press("slash", *"cranes")
        await settle(pilot)
        assert [a.title for a in headlines.articles] == ["Harbour cranes return to the old port"]
        hit = headlines.articles[0].id
        await pilot.press("down", "enter")  # open it: marked read
        await pilot.press("s")  # and starred
        await settle(pilot)
        await pilot.press("slash", "ctrl+u")  # clearing the query shows the whole list again
        await settle(pilot)
        assert len(headlines.articles) == 7
        row = headlines.articles[headlines.index_of(hit)]  # type: ignore[index]
        assert row.read and row.starred
        await pilot.press("escape")  # leave search
        await settle(pilot)
        assert not screen.search_bar.display
        assert len(headlines.articles) == 7
        row = headlines.articles[headlines.index_of(hit)]  # type: ignore[index]
        assert row.read and row.starred
        assert headlines.current is not None and headlines.current.id == kept.id
        # The list's counts agree with the sources pane and with the library.
        unread, starred, total = screen.sources.counts
        assert (unread, starred, total) == (6, 1, 7)
        assert sum(1 for a in headlines.articles if not a.read) == unread
        assert "7 · 6 unread" in visible_text(app)


LISTS_HTML = (
    "<p>Three things   changed at the harbour this week.</p>"
    "<ul><li>The cranes moved again after a decade standing idle by the old quay wall, to the"
    " delight of the dock workers</li><li>The access road was repaired</li></ul>"
    "<ol><li>First ships</li><li>Then the ferry</li></ol>"
    "<blockquote>Harbour master:<br>we are open<br>for business</blockquote>"
)


async def test_article_keeps_list_items_and_quote_lines_apart(lib: Library) -> None:
    body, _links = html_to_text(LISTS_HTML)
    assert "\n• The access road" in body  # what a feed body looks like
    add_drafts(
        lib,
        "lists",
        "Lists feed",
        [
            ArticleDraft(
                id="lists0000000001",
                title="Lists at the harbour",
                body=body,
                excerpt="Three things changed",
                published=IMPORTED_AT.replace(hour=11),
            )
        ],
    )
    app = make_app(lib)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        index = next(i for i, a in enumerate(screen.headlines.articles) if a.id == "lists0000000001")
        screen.headlines.move_cursor(index)
        await pilot.press("enter")
        await settle(pilot)
        view = screen.article_view
        plain = view.content.plain
        assert "Three things changed at the harbour this week." in plain  # spaces still collapsed
        assert "idle by the old quay wall, to the delight of the dock workers\n• The access" in plain
        assert "\n1. First ships\n2. Then the ferry\n" in plain
        assert "\n> Harbour master:\n> we are open\n> for business\n" in plain
        lines = [line.rstrip() for line in view.lines]
        first = next(i for i, line in enumerate(lines) if line.startswith("• The cranes"))
        # A long item wraps under its own text (hanging indent), and the next item starts a line.
        following = next(i for i in range(first + 1, len(lines)) if not lines[i].startswith("  "))
        assert following > first + 1
        assert all(line.strip() for line in lines[first + 1 : following])
        assert lines[following] == "• The access road was repaired"
        assert any(line == "1. First ships" for line in lines)
        assert any(line == "2. Then the ferry" for line in lines)
        assert any(line == "> we are open" for line in lines)


async def test_import_errors_name_the_file_once(lib: Library, tmp_path: Path) -> None:
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\x00\x01\x02 not text \xff\xfe" * 20)
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        app.screen.query_one(Input).value = str(binary)
        await pilot.press("enter")
        await settle(pilot)
        errors = [str(n.message) for n in notifications(app) if n.severity == "error"]
        assert errors == [f"{binary}: binary file, not text"]


async def test_an_article_whose_body_cannot_load_stays_unread(lib: Library) -> None:
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        target = screen.headlines.current
        assert target is not None and not target.read
        shard = next(p for p in (lib.path / "bodies").iterdir() if target.id in p.read_text())
        shard.write_text("{ this is not json", encoding="utf-8")  # a corrupt body shard
        await pilot.press("enter")
        await settle(pilot)
        await settle(pilot)
        assert any(n.severity == "error" for n in notifications(app))
        assert screen.article_view.article is None
        assert not screen.headlines.articles[screen.headlines.index_of(target.id)].read  # type: ignore[index]
        assert not next(a for a in Library(lib.path).articles() if a.id == target.id).read
        assert "7 · 7 unread" in visible_text(app)


async def test_search_as_you_type_finds_words_being_typed(lib: Library) -> None:
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("slash", *"harb")
        await settle(pilot)
        titles = [a.title for a in screen.headlines.articles]
        assert titles == ["Harbour cranes return to the old port"]
        text = visible_text(app)
        assert "Search: harb" in text and "Nothing matches" not in text
        # The word is highlighted whole in the title, as a prefix match.
        hit = screen.headlines.articles[0]
        assert screen.headlines.title_spans(hit.id) == ((0, len("Harbour")),)
        assert "Search: harb" in text and "(harb OR" not in text  # what was typed, as typed
        await pilot.press(*"our -cranes")  # a negated last word is not a prefix
        await settle(pilot)
        assert screen.headlines.articles == []
        assert "Nothing matches harbour -cranes." in visible_text(app)


async def test_a_worker_result_that_lands_while_the_app_closes_is_dropped(tmp_path: Path) -> None:
    """The mark writer's recount arrived after q, with the screen still attached but its widgets gone:
    ``NoMatches`` was raised into the dying app (seen in the 100k-row test). In a running app it still
    raises: a missing widget there is a bug."""
    import asyncio

    from textual.css.query import NoMatches

    from tests.tui_support import main_screen, make_app

    app = make_app(demo_library(tmp_path / "lib"))
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main_screen(app)

        def gone() -> None:
            raise NoMatches("No nodes match '#sources'")

        with pytest.raises(NoMatches):
            await asyncio.to_thread(screen._ui, gone)
        screen._pruning = True  # Textual's mark on a node whose children are being removed
        try:
            await asyncio.to_thread(screen._ui, gone)  # dropped
        finally:
            screen._pruning = False
