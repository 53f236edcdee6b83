"""Feeds managed in the app (issue 13): OPML folders as groups in the sources pane, one feed
refreshed with ``r`` there, ``e`` renames, ``D`` removes after asking, the highlighted feed's last
error or warning in the status line, and the refresh at start and on a timer.

Feeds are served by a real HTTP server on 127.0.0.1 (pytest-httpserver); tests wait on conditions.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from textual.widgets import Input

from newsreader.library import Library
from newsreader.tui.app import NewsReaderApp
from newsreader.tui.screens.confirm import ConfirmScreen
from newsreader.tui.screens.jobs import LibraryScreen
from newsreader.tui.screens.main import MainScreen
from newsreader.tui.screens.prompt import PromptScreen
from newsreader.tui.widgets.source_list import ALL, source_key
from tests.feed_helpers import feed_server, feed_server_session, rss_doc
from tests.tui_support import demo_library, main_screen, make_app, notifications, settle, until, visible_text

__all__ = ["feed_server", "feed_server_session"]  # fixtures, imported for pytest

pytestmark = pytest.mark.anyio

SIZE = (140, 42)


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    return demo_library(tmp_path / "lib")


def status_line(app: NewsReaderApp) -> str:
    return visible_text(app).splitlines()[-2]


def fresh(library: Library) -> Library:
    return Library(library.path)


async def highlight(pilot, source_id: str) -> None:  # type: ignore[no-untyped-def]
    """Focus the sources pane on one source, as the user does with tab and j/k."""
    screen = main_screen(pilot.app)
    screen.sources.focus()
    screen.sources.select_key(source_key(source_id))
    await settle(pilot)
    assert screen.sources.selected_key == source_key(source_id)


def opml(tmp_path: Path, server: HTTPServer) -> Path:
    path = tmp_path / "subs.opml"
    path.write_text(
        '<opml version="2.0"><body>'
        f'<outline text="Loose" xmlUrl="{server.url_for("/loose.xml")}"/>'
        '<outline text="News">'
        f'<outline text="Gazette" xmlUrl="{server.url_for("/gazette.xml")}"/>'
        f'<outline text="Science"><outline text="Lab notes" xmlUrl="{server.url_for("/lab.xml")}"/>'
        "</outline></outline></body></opml>",
        encoding="utf-8",
    )
    return path


async def test_opml_folders_are_groups_in_the_sources_pane(
    lib: Library, tmp_path: Path, feed_server: HTTPServer
) -> None:
    lib.import_paths([opml(tmp_path, feed_server)])
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lines = [line.split("│")[1].strip() for line in visible_text(app).splitlines()[1:20]]
        feeds = lines.index("FEEDS")
        assert lines[feeds + 1 : feeds + 6] == ["Loose", "▾ News", "Gazette", "▾ News › Science", "Lab notes"]
        sources = main_screen(app).sources
        sources.focus()
        sources.select_key(source_key(lib.resolve_source("Loose")))
        await pilot.press("j")  # over the folder's heading: it cannot be chosen
        await settle(pilot)
        assert sources.selected_key == source_key(lib.resolve_source("Gazette"))


async def test_r_on_the_sources_pane_refreshes_that_feed_and_counts_what_arrived(
    lib: Library, feed_server: HTTPServer
) -> None:
    feed_server.expect_request("/a.xml").respond_with_data(rss_doc("Alpha", [("urn:a1", "A one")]))
    feed_server.expect_request("/b.xml").respond_with_data(rss_doc("Beta", [("urn:b1", "B one")]))
    alpha = lib.subscribe(feed_server.url_for("/a.xml"))
    lib.subscribe(feed_server.url_for("/b.xml"))
    feed_server.clear()
    feed_server.expect_request("/a.xml").respond_with_data(
        rss_doc("Alpha", [("urn:a1", "A one"), ("urn:a2", "A two"), ("urn:a3", "A three")])
    )
    feed_server.expect_request("/b.xml").respond_with_data(rss_doc("Beta", [("urn:b1", "B one")]))
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        before = screen.sources.source(alpha.id)
        assert before is not None and before.unread == 1
        await highlight(pilot, alpha.id)
        await pilot.press("r")
        await until(pilot, lambda: (s := screen.sources.source(alpha.id)) is not None and s.unread == 3)
        await settle(pilot)
        assert [request.path for request, _ in feed_server.log] == ["/a.xml"]  # that feed only
        assert "Refreshed" in status_line(app) and ": 2 new" in status_line(app)
        assert screen.sources.counts[0] == before.unread + 2 + 8  # Unread counts it too
        assert "A three" in [a.title for a in screen.headlines.articles]


async def test_e_renames_the_highlighted_feed(lib: Library, feed_server: HTTPServer) -> None:
    feed_server.expect_request("/g.xml").respond_with_data(rss_doc("Harbour Gazette", [("urn:1", "One")]))
    gazette = lib.subscribe(feed_server.url_for("/g.xml"))
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await highlight(pilot, gazette.id)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, PromptScreen))
        field = app.screen.query_one(Input)
        assert field.value == "Harbour Gazette"  # the current name, to edit
        field.value = "The Gazette [bold]"
        await pilot.press("enter")
        await until(pilot, lambda: "The Gazette [bold]" in {s.title for s in fresh(lib).feeds()})
        await settle(pilot)
        screen = main_screen(app)
        assert screen.sources.label_for(source_key(gazette.id)) == "The Gazette [bold]"
        assert "The Gazette [bold]" in visible_text(app)  # literal, never markup
    assert {s.title for s in fresh(lib).feeds()} == {"The Gazette [bold]"}


async def test_D_removes_a_feed_after_saying_its_starred_articles_go(
    lib: Library, feed_server: HTTPServer
) -> None:
    feed_server.expect_request("/g.xml").respond_with_data(
        rss_doc("Gazette", [("urn:1", "Kept in mind"), ("urn:2", "Other")])
    )
    gazette = lib.subscribe(feed_server.url_for("/g.xml"))
    starred = next(a.id for a in lib.articles(source=gazette.id) if a.title == "Kept in mind")
    lib.mark([starred], starred=True)
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await highlight(pilot, gazette.id)
        await pilot.press("D")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = str(app.screen.question)  # type: ignore[attr-defined]
        assert "Gazette" in question and "2 article" in question
        assert "1 of them are starred: they are deleted too" in question
        await pilot.press("n")  # no: nothing happens
        await settle(pilot)
        assert gazette.id in {s.id for s in fresh(lib).feeds()}
        await pilot.press("D")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: not fresh(lib).feeds())
        await settle(pilot)
        screen = main_screen(app)
        assert screen.sources.selected_key == ALL
        assert screen.sources.source(gazette.id) is None
        assert all(a.source_id != gazette.id for a in screen.headlines.articles)
        assert any("Removed “Gazette”" in str(n.message) for n in notifications(app))


async def test_D_on_an_imported_file_refuses(lib: Library) -> None:
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dump = lib.resolve_source("harbour-news.txt")
        await highlight(pilot, dump)
        await pilot.press("D")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert any("Highlight a feed" in str(n.message) for n in notifications(app))
    assert dump in {s.id for s in fresh(lib).sources()}


@pytest.mark.parametrize("width", [140, 80, 56])
async def test_a_failing_feeds_error_shows_in_the_status_line_when_selected(
    lib: Library, feed_server: HTTPServer, width: int
) -> None:
    feed_server.expect_request("/f.xml").respond_with_data(rss_doc("Flaky", [("urn:1", "One")]))
    flaky = lib.subscribe(feed_server.url_for("/f.xml"))
    feed_server.clear()
    feed_server.expect_request("/f.xml").respond_with_data("on fire", status=500)
    lib.refresh()
    app = make_app(lib)
    async with app.run_test(size=(width, 40)) as pilot:
        await settle(pilot)
        assert "HTTP 500" not in status_line(app)  # All articles: no note
        await highlight(pilot, flaky.id)
        assert "! HTTP 500" in status_line(app), status_line(app)
        main_screen(app).sources.select_key(ALL)
        await settle(pilot)
        assert "HTTP 500" not in status_line(app)


async def test_a_malformed_feeds_warning_shows_when_selected(lib: Library, feed_server: HTTPServer) -> None:
    broken = rss_doc("Sloppy", [("urn:1", "One")]).replace(b"</channel>", b"<p>&nbsp;</channel>")
    feed_server.expect_request("/s.xml").respond_with_data(broken)
    sloppy = lib.subscribe(feed_server.url_for("/s.xml"))
    warning = next(s for s in fresh(lib).feeds() if s.id == sloppy.id).warning
    assert warning  # the document is malformed, its entry kept
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "? Sloppy" in visible_text(app)
        await highlight(pilot, sloppy.id)
        assert "warning:" in status_line(app)


async def test_refresh_on_start_fetches_every_feed_when_the_app_opens(
    lib: Library, feed_server: HTTPServer
) -> None:
    feed_server.expect_request("/a.xml").respond_with_data(rss_doc("Alpha", [("urn:a1", "A one")]))
    lib.subscribe(feed_server.url_for("/a.xml"))
    feed_server.clear()
    feed_server.expect_request("/a.xml").respond_with_data(
        rss_doc("Alpha", [("urn:a1", "A one"), ("urn:a2", "A two")])
    )
    app = make_app(lib, refresh_on_start=True)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "A two" in [a.title for a in main_screen(app).headlines.articles])
        await settle(pilot)
        assert "1 new" in status_line(app)
    assert len(feed_server.log) == 1


async def test_the_feeds_due_are_fetched_on_a_timer_while_the_app_is_open(
    lib: Library, feed_server: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed_server.expect_request("/a.xml").respond_with_data(rss_doc("Alpha", [("urn:a1", "A one")]))
    lib.subscribe(feed_server.url_for("/a.xml"))
    sources = lib.path / "sources.json"
    doc = json.loads(sources.read_text(encoding="utf-8"))
    for rec in doc["sources"].values():
        if rec.get("kind") == "feed":
            rec["last_fetched"] = time.time() - 2 * 3600  # past the default interval of 1 h
    sources.write_text(json.dumps(doc), encoding="utf-8")
    feed_server.clear()
    feed_server.expect_request("/a.xml").respond_with_data(
        rss_doc("Alpha", [("urn:a1", "A one"), ("urn:a2", "A two")])
    )
    monkeypatch.setattr(LibraryScreen, "DUE_CHECK", 0.2)  # instead of a minute
    lib.now = lambda: datetime.now(UTC)  # type: ignore[method-assign]  # the clock "due" reads
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "A two" in [a.title for a in main_screen(app).headlines.articles])
        await settle(pilot)
        assert "1 new" in status_line(app)
        assert len(feed_server.log) == 1  # fetched now, and not due again for an hour
