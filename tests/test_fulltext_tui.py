"""The reading app's full-text keys against a real HTTP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from newsreader.config import Settings
from newsreader.extract.auto import full_text_on
from newsreader.library import Library
from newsreader.tui.app import NewsReaderApp
from newsreader.tui.screens.main import MainScreen
from tests.tui_support import settle, visible_text

pytestmark = pytest.mark.anyio
PAGES = Path(__file__).parent / "fixtures" / "pages"


@pytest.fixture
def site() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def courier(site: HTTPServer, library: Library) -> None:
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Courier</title><item><guid>g1</guid>'
        f"<title>Night ferry</title><link>{site.url_for('/ferry')}</link>"
        "<description>The council voted to keep the night ferry …</description></item></channel></rss>"
    )
    site.expect_request("/feed.xml").respond_with_data(feed, content_type="application/rss+xml")
    site.expect_request("/ferry").respond_with_data(
        (PAGES / "article.html").read_bytes(), content_type="text/html"
    )
    library.subscribe(site.url_for("/feed.xml"))


async def test_f_fetches_the_open_articles_full_text(tmp_path: Path, site: HTTPServer) -> None:
    library = Library(tmp_path / "lib")
    courier(site, library)
    app = NewsReaderApp(library, Settings(animations=False), None)  # type: ignore[arg-type]
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "Excerpt only." in visible_text(app) and "f to" in visible_text(app)
        await pilot.press("f")
        await settle(pilot)
        text = visible_text(app)
        assert "The town council of Lindholm" in text and "Excerpt only." not in text
        assert any("Full text stored" in str(n.message) for n in app._notifications)
        screen = app.screen
        assert isinstance(screen, MainScreen) and not screen.headlines.articles[0].truncated


async def test_F_turns_full_text_on_for_the_highlighted_feed(tmp_path: Path, site: HTTPServer) -> None:
    library = Library(tmp_path / "lib")
    courier(site, library)
    source_id = library.feeds()[0].id
    app = NewsReaderApp(library, Settings(animations=False), None)  # type: ignore[arg-type]
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("F")  # nothing highlighted in the sources pane yet: it says so
        await settle(pilot)
        assert any("Highlight a feed" in str(n.message) for n in app._notifications)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.sources.select_key(f"src:{source_id}")
        await pilot.press("F")
        await settle(pilot)
        assert full_text_on(Library(library.path), source_id)
        await pilot.press("F")
        await settle(pilot)
        assert not full_text_on(Library(library.path), source_id)
