"""Pilot tests of the flows that need the feeds and search engines: refresh, add feed, search.

Feeds are served by a real HTTP server on 127.0.0.1 (pytest-httpserver).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from textual.widgets import Input

from newsreader.config import Settings
from newsreader.library import Library
from newsreader.tui.app import NewsReaderApp
from newsreader.tui.screens.main import MainScreen
from newsreader.tui.screens.prompt import PromptScreen
from tests.tui_support import demo_library, notifications, row_text, settle, visible_text

pytestmark = pytest.mark.anyio

SIZE = (140, 40)


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    return demo_library(tmp_path / "lib")


def rss(title: str, items: list[tuple[str, str, str]]) -> str:
    """An RSS 2.0 document with ``(guid, title, text)`` items."""
    body = "".join(
        f"<item><guid>{guid}</guid><title>{item_title}</title>"
        f"<link>https://example.org/{guid}</link>"
        f"<pubDate>Tue, 24 Nov 2026 0{i}:00:00 GMT</pubDate>"
        f"<description>&lt;p&gt;{text}&lt;/p&gt;</description></item>"
        for i, (guid, item_title, text) in enumerate(items)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://example.org/</link>{body}</channel></rss>"
    )


def main_screen(app: NewsReaderApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


async def type_search(pilot, query: str) -> None:  # type: ignore[no-untyped-def]
    bar = pilot.app.screen.query_one("#search-bar", Input)
    bar.value = query
    await settle(pilot)


async def test_r_refreshes_feeds_and_new_articles_appear(lib: Library, httpserver: HTTPServer) -> None:
    first = rss("Harbour Gazette", [("g1", "Tide tables printed", "The new tables are out.")])
    httpserver.expect_request("/feed.xml").respond_with_data(first, content_type="application/rss+xml")
    httpserver.expect_request("/broken.xml").respond_with_data("nope", status=500)
    lib.subscribe(httpserver.url_for("/feed.xml"))
    app = NewsReaderApp(lib, Settings(animations=False), None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert any(a.title == "Tide tables printed" for a in screen.headlines.articles)
        assert "Harbour Gazette" in visible_text(app)
        httpserver.clear()
        second = rss(
            "Harbour Gazette",
            [
                ("g1", "Tide tables printed", "The new tables are out."),
                ("g2", "Ferry timetable changes", "Winter sailings start on Monday."),
            ],
        )
        httpserver.expect_request("/feed.xml").respond_with_data(second, content_type="application/rss+xml")
        await pilot.press("r")
        await settle(pilot)
        titles = [a.title for a in screen.headlines.articles]
        assert "Ferry timetable changes" in titles  # without a restart
        assert any("1 new" in str(n.message) for n in notifications(app))
        assert not screen.status.query_one("#status-progress").display  # progress bar gone


async def test_refresh_errors_become_notifications(lib: Library, httpserver: HTTPServer) -> None:
    feed = rss("Flaky", [("f1", "Only item", "Text.")])
    httpserver.expect_request("/flaky.xml").respond_with_data(feed, content_type="application/rss+xml")
    lib.subscribe(httpserver.url_for("/flaky.xml"))
    httpserver.clear()
    httpserver.expect_request("/flaky.xml").respond_with_data("server on fire", status=500)
    app = NewsReaderApp(lib, Settings(animations=False), None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert app.is_running
        errors = [n for n in notifications(app) if n.severity == "error"]
        assert errors and "Flaky" in str(errors[0].message)
        assert "! Flaky" in visible_text(app)  # the source is marked as failing


async def test_a_adds_a_feed_and_rejects_bad_urls(lib: Library, httpserver: HTTPServer) -> None:
    feed = rss("Valley Post", [("v1", "Bridge reopens", "The old bridge reopened today.")])
    httpserver.expect_request("/valley.xml").respond_with_data(feed, content_type="application/rss+xml")
    app = NewsReaderApp(lib, Settings(animations=False), None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        app.screen.query_one(Input).value = "ftp://example.org/feed"
        await pilot.press("enter")
        await settle(pilot)
        assert any(n.severity == "error" for n in notifications(app))
        assert app.is_running
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one(Input).value = httpserver.url_for("/valley.xml")
        await pilot.press("enter")
        await settle(pilot)
        assert any(a.title == "Bridge reopens" for a in screen.headlines.articles)
        assert "Valley Post" in visible_text(app)


async def test_slash_searches_as_you_type_and_escape_restores(lib: Library) -> None:
    app = NewsReaderApp(lib, Settings(animations=False), None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        before = [a.id for a in screen.headlines.articles]
        screen.headlines.move_cursor(3)
        kept = screen.headlines.current
        await pilot.press("slash")
        assert app.focused is screen.search_bar
        await pilot.press(*"cranes")
        await settle(pilot)
        titles = [a.title for a in screen.headlines.articles]
        assert titles == ["Harbour cranes return to the old port"]
        assert "Search: cranes" in visible_text(app)
        # Matches are highlighted in the title and the snippet.
        assert screen.headlines.title_spans(screen.headlines.articles[0].id)
        assert "cranes" in row_text(app, 0, 2).lower()
        await pilot.press("down")  # into the results (enter does the same)
        assert app.focused is screen.headlines
        await pilot.press("enter")  # open the hit
        await settle(pilot)
        view = screen.article_view
        assert view.article is not None and view.article.title.startswith("Harbour cranes")
        content = view.content
        marked = {content.plain[s.start : s.end].lower() for s in content.spans if s.style}
        assert "cranes" in marked  # highlighted in the article too
        await pilot.press("escape")  # article -> list
        await pilot.press("escape")  # list -> leave search
        await settle(pilot)
        assert [a.id for a in screen.headlines.articles] == before
        assert screen.headlines.current == kept
        assert not screen.search_bar.display


async def test_search_drops_stale_results_and_reports_bad_queries(lib: Library) -> None:
    app = NewsReaderApp(lib, Settings(animations=False), None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("slash")
        await pilot.press(*"putin")
        await pilot.press(*" -xyz")  # typed on before the first search ran: one search, the last
        await settle(pilot)
        assert screen.headlines.articles
        assert all("Putin" in a.title or a.feed for a in screen.headlines.articles)
        await type_search(pilot, 'title:"unclosed')
        assert app.is_running
        await type_search(pilot, "zzzznothing")
        assert screen.headlines.articles == []
        assert "Nothing matches zzzznothing" in visible_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert len(screen.headlines.articles) == 7
