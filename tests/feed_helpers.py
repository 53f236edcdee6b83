"""Shared pieces of the feed tests: a threaded loopback HTTP server and small RSS documents."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer


def rss_doc(title: str, items: list[tuple[str, str]], link: str = "https://example.org/") -> bytes:
    """An RSS 2.0 document with ``(guid, title)`` items, each with a short HTML description."""
    body = "".join(
        f"<item><guid>{guid}</guid><title>{item_title}</title>"
        f"<pubDate>Mon, 05 Jan 2026 10:0{i % 10}:00 GMT</pubDate>"
        f"<description>&lt;p&gt;Text of {item_title}.&lt;/p&gt;</description></item>"
        for i, (guid, item_title) in enumerate(items)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>{link}</link>{body}</channel></rss>"
    ).encode()


@pytest.fixture(scope="session")
def feed_server_session() -> Iterator[HTTPServer]:
    """One threaded server for the session: stopping a server costs half a second."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    try:
        yield server
    finally:
        if server.is_running():
            server.stop()


@pytest.fixture
def feed_server(feed_server_session: HTTPServer) -> Iterator[HTTPServer]:
    """A real HTTP server on 127.0.0.1 that serves requests in threads (slow handlers included)."""
    feed_server_session.clear()
    yield feed_server_session
    feed_server_session.clear()


def serve_pool_feeds(feed_server: HTTPServer, tmp_path: Path, count: int) -> Path:
    """``count`` small feeds on the server and an OPML file subscribing to them all."""
    for n in range(count):
        feed_server.expect_request(f"/pool/{n}.xml").respond_with_data(
            rss_doc(f"Pool {n}", [(f"urn:{n}:a", f"A{n}"), (f"urn:{n}:b", f"B{n}")])
        )
    opml = tmp_path / "pool.opml"
    outlines = "".join(
        f'<outline text="P{n}" xmlUrl="{feed_server.url_for(f"/pool/{n}.xml")}"/>' for n in range(count)
    )
    opml.write_text(f'<opml version="2.0"><body>{outlines}</body></opml>')
    return opml
