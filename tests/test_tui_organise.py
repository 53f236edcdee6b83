"""Pilot tests of the organise keys on a real library: saved searches as sources with live counts,
tagging with completion, undo, saving the current search."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from textual.widgets import Input

from newsreader.config import Settings
from newsreader.library import Library
from newsreader.tui.app import NewsReaderApp
from newsreader.tui.organise import TagSuggester, tag_changes
from newsreader.tui.screens.main import MainScreen
from newsreader.tui.screens.prompt import PromptScreen
from newsreader.tui.widgets.source_list import saved_key
from tests.feed_helpers import feed_server, feed_server_session, rss_doc
from tests.tui_support import demo_library, settle, until, visible_text

__all__ = ["feed_server", "feed_server_session"]  # fixtures, imported for pytest

pytestmark = pytest.mark.anyio

SIZE = (140, 40)


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    return demo_library(tmp_path / "lib")


def make_app(library: Library) -> NewsReaderApp:
    return NewsReaderApp(library, Settings(animations=False), None)  # type: ignore[arg-type]


def main_screen(app: NewsReaderApp) -> MainScreen:
    screen = app.screen_stack[1] if len(app.screen_stack) > 1 else app.screen
    assert isinstance(screen, MainScreen)
    return screen


def fresh(library: Library) -> Library:
    return Library(library.path)


async def test_tag_suggester_completes_the_word_being_typed() -> None:
    suggester = TagSuggester(["keep", "later", "long-read"])
    assert await suggester.get_suggestion("+la") == "+later"
    assert await suggester.get_suggestion("+keep -lo") == "+keep -long-read"
    assert await suggester.get_suggestion("later") is None
    assert tag_changes("a +b -c") == ({"a", "b"}, {"c"})


async def test_saved_search_is_a_source_with_a_live_count(lib: Library) -> None:
    harbour = {hit.article.id for hit in lib.search("harbour", limit=None)}
    assert harbour
    lib.saved.add("Harbour", "harbour")
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert screen.sources.saved_counts == {"Harbour": len(harbour)}
        screen.sources.select_key(saved_key("Harbour"))
        await settle(pilot)
        assert {a.id for a in screen.headlines.articles} == harbour
        await pilot.press("m")  # read one: the count follows
        await settle(pilot)
        await until(pilot, lambda: screen.sources.saved_counts == {"Harbour": len(harbour) - 1})


async def test_t_tags_with_completion_and_u_undoes(lib: Library) -> None:
    first_id = lib.articles()[0].id
    lib.tag([lib.articles()[1].id], add={"later"})
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert screen.headlines.current is not None and screen.headlines.current.id == first_id
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press("+", "l", "a")
        field = app.screen.query_one(Input)
        await until(pilot, lambda: field._suggestion == "+later")
        await pilot.press("right", "enter")  # accept the completion
        await settle(pilot)
        assert fresh(lib).get(first_id).tags == ("later",)
        await pilot.press("enter")  # open it: the article shows its tags
        await settle(pilot)
        assert "Tags: #later" in visible_text(app)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert fresh(lib).get(first_id).tags == ()
        assert fresh(lib).get(first_id).read  # opening it read it
        await pilot.press("m")
        await settle(pilot)
        assert not fresh(lib).get(first_id).read
        await pilot.press("u")
        await settle(pilot)
        assert fresh(lib).get(first_id).read
        await pilot.press("u")  # one level: nothing more to undo
        await settle(pilot)
        assert fresh(lib).get(first_id).read


async def test_capital_s_saves_the_current_search(lib: Library) -> None:
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("slash", *"harbour")
        await settle(pilot)
        await pilot.press("down")  # to the results, the search still showing
        await settle(pilot)
        await pilot.press("S")
        await until(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press(*"ports", "enter")
        await settle(pilot)
        assert [(s.name, s.query) for s in fresh(lib).saved.all()] == [("ports", "harbour")]
        await until(pilot, lambda: "ports" in screen.sources.saved_counts)


async def test_automatic_refresh_fetches_only_the_feeds_due(tmp_path: Path, feed_server: HTTPServer) -> None:
    import json
    import time

    library = Library(tmp_path / "feeds-lib")
    feed_server.expect_request("/a.xml").respond_with_data(rss_doc("Alpha", [("urn:1", "One")]))
    feed_server.expect_request("/b.xml").respond_with_data(rss_doc("Beta", [("urn:2", "Two")]))
    alpha = library.subscribe(feed_server.url_for("/a.xml"))
    beta = library.subscribe(feed_server.url_for("/b.xml"))
    library.set_feed(alpha.id, interval=2 * 3600.0)
    sources = tmp_path / "feeds-lib" / "sources.json"
    doc = json.loads(sources.read_text(encoding="utf-8"))
    for rec in doc["sources"].values():
        rec["last_fetched"] = time.time() - 90 * 60  # 1.5 h ago: Beta (default 1 h) is due, Alpha not
    sources.write_text(json.dumps(doc), encoding="utf-8")
    feed_server.clear()
    feed_server.expect_request("/b.xml").respond_with_data(
        rss_doc("Beta", [("urn:2", "Two"), ("urn:3", "Three")])
    )
    app = make_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        screen.refresh_due()  # what the app's timer does every minute
        await until(pilot, lambda: len(fresh(library).articles()) == 3)
        await settle(pilot)
    assert [request.path for request, _ in feed_server.log] == ["/b.xml"]
    assert beta.id in {a.source_id for a in fresh(library).articles()}
