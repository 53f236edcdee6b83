"""The app's refresh as a newsboat user expects it (issue 13): refresh at start and on a timer, one feed
from the sources pane, a count of what arrived, and the status line's half of defect 8.

Feeds are served by a real HTTP server on 127.0.0.1; a feed that must stay in flight while the test
looks at the screen waits on a ``threading.Event`` in its handler (no fixed sleeps).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from textual.widgets import Input
from werkzeug import Request, Response

from newsreader.config import Settings
from newsreader.library import Library
from newsreader.tui.app import NewsReaderApp
from tests.feed_helpers import feed_server, feed_server_session, rss_doc, serve_pool_feeds
from tests.tui_support import demo_library, main_screen, make_app, notifications, settle, until, visible_text

__all__ = ["feed_server", "feed_server_session"]  # fixtures, imported for pytest

pytestmark = pytest.mark.anyio


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    return demo_library(tmp_path / "lib")


@pytest.fixture
def gate() -> Iterator[threading.Event]:
    """Set it to let the gated feed's response go; set at the end whatever happened."""
    event = threading.Event()
    yield event
    event.set()


def gated(event: threading.Event, body: bytes, status: int = 200):  # type: ignore[no-untyped-def]
    def handler(request: Request) -> Response:
        event.wait(30)
        return Response(body, status=status, content_type="application/rss+xml")

    return handler


def status_line(app: NewsReaderApp) -> str:
    return visible_text(app).splitlines()[-2]  # above the footer


def busy(app: NewsReaderApp) -> bool:
    return bool(main_screen(app).status.query_one("#status-progress").display)


async def test_r_with_enough_feeds_for_the_parse_pool_keeps_the_app_alive(
    tmp_path: Path, feed_server: HTTPServer
) -> None:
    """Under Textual sys.stderr's fileno() is -1, and multiprocessing's resource tracker, started
    with the parse pool, passed it on: ValueError: bad value(s) in fds_to_keep, the app gone."""
    library = Library(tmp_path / "lib")
    library.import_paths([serve_pool_feeds(feed_server, tmp_path, 30)])
    app = make_app(library)
    async with app.run_test(size=(140, 42)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await until(pilot, lambda: len(main_screen(app).headlines.articles) == 60)
        await settle(pilot)
        assert app.is_running
        assert any("60 new" in str(n.message) for n in notifications(app))


@pytest.mark.parametrize("width", [140, 80, 56])
async def test_status_line_shows_the_refresh_percentage_whole(
    lib: Library, feed_server: HTTPServer, gate: threading.Event, width: int
) -> None:
    feed_server.expect_request("/quick.xml").respond_with_data(rss_doc("Quick", [("q1", "Q")]))
    feed_server.expect_request("/slow.xml").respond_with_handler(gated(gate, rss_doc("Slow", [("s1", "S")])))
    gate.set()
    lib.subscribe(feed_server.url_for("/quick.xml"))
    lib.subscribe(feed_server.url_for("/slow.xml"))
    gate.clear()
    app = make_app(lib)
    async with app.run_test(size=(width, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await until(pilot, lambda: "50%" in status_line(app))  # one of two feeds done
        line = status_line(app)
        assert line.rstrip().endswith("50%"), line
        gate.set()
        await settle(pilot)


@pytest.mark.parametrize("width", [140, 80, 56])
async def test_status_line_names_the_url_being_subscribed_to(
    lib: Library, feed_server: HTTPServer, gate: threading.Event, width: int
) -> None:
    feed_server.expect_request("/valley.xml").respond_with_handler(
        gated(gate, rss_doc("Valley", [("v1", "V")]))
    )
    url = feed_server.url_for("/valley.xml")
    app = make_app(lib)
    async with app.run_test(size=(width, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one(Input).value = url
        await pilot.press("enter")
        await until(pilot, lambda: busy(app))
        await pilot.pause()
        line = status_line(app)
        assert f"Subscribing to {url.removeprefix('http://')}" in line, line
        gate.set()
        await settle(pilot)
        assert any("Subscribed to Valley" in str(n.message) for n in notifications(app))


async def test_r_during_a_refresh_does_not_repeat_its_error_popups(
    lib: Library, feed_server: HTTPServer, gate: threading.Event
) -> None:
    feed_server.expect_request("/fire.xml").respond_with_data(rss_doc("On Fire", [("f1", "F")]))
    lib.subscribe(feed_server.url_for("/fire.xml"))
    feed_server.clear()
    feed_server.expect_request("/fire.xml").respond_with_handler(gated(gate, b"server on fire", status=500))
    app = make_app(lib)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await until(pilot, lambda: busy(app))
        await pilot.press("r")
        await pilot.press("r")
        await pilot.pause()
        told = [str(n.message) for n in notifications(app)]
        assert any("already under way" in m for m in told), told
        gate.set()
        await settle(pilot)
        errors = [n for n in notifications(app) if n.severity == "error"]
        assert len(errors) == 1, [n.message for n in errors]
        assert "On Fire" in str(errors[0].message)
        messages = [str(n.message) for n in notifications(app)]
        assert not any("No feeds to refresh" in m for m in messages), messages
        assert len(feed_server.log) == 1  # one fetch, not one per press


def test_refresh_concurrency_is_one_value_for_the_app_and_the_cli(tmp_path: Path) -> None:
    from newsreader._refresh import DEFAULT_CONCURRENCY
    from newsreader.config import load_settings
    from tests.test_organise_cli import run

    assert Settings().refresh_concurrency == DEFAULT_CONCURRENCY == 64
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "settings.toml").write_text("refresh_concurrency = 0\n", encoding="utf-8")
    done = run(lib, "refresh")
    assert done.returncode == 1 and "refresh_concurrency must be 1 or more, not 0" in done.stderr
    (lib / "settings.toml").write_text("refresh_concurrency = 3\n", encoding="utf-8")
    assert load_settings(lib / "settings.toml").refresh_concurrency == 3
    assert run(lib, "refresh").returncode == 0  # no feeds: nothing to do, read without complaint
