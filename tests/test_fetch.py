"""Fetcher against a real HTTP server on loopback: statuses, validators, limits, redirects."""

from __future__ import annotations

import asyncio
import gzip
import threading
import time

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from newsreader import __version__
from newsreader.ingest.fetch import Fetcher, FetchRequest, FetchResult, parse_retry_after
from tests.feed_helpers import feed_server, feed_server_session, rss_doc

__all__ = ["feed_server", "feed_server_session"]  # fixtures, imported for pytest

FEED = rss_doc("Feed", [("urn:1", "One")])


def fetch(url: str, fetcher: Fetcher | None = None, **validators: str) -> FetchResult:
    fetcher = fetcher or Fetcher(timeout=5.0)
    (result,) = asyncio.run(fetcher.fetch_all([FetchRequest("k", url, **validators)]))
    return result


def test_200_with_user_agent_and_validators(feed_server: HTTPServer) -> None:
    feed_server.expect_request("/f.xml").respond_with_data(
        FEED,
        content_type="application/rss+xml",
        headers={"ETag": '"v1"', "Last-Modified": "Mon, 05 Jan 2026 10:00:00 GMT"},
    )
    result = fetch(feed_server.url_for("/f.xml"))
    assert result.error is None and result.status == 200
    assert result.content == FEED
    assert result.etag == '"v1"'
    assert result.last_modified == "Mon, 05 Jan 2026 10:00:00 GMT"
    request, _ = feed_server.log[0]
    assert request.headers["User-Agent"].startswith(f"newsreader-tui/{__version__}")
    assert "gzip" in request.headers["Accept-Encoding"]


def test_304_sends_validators_and_downloads_nothing(feed_server: HTTPServer) -> None:
    feed_server.expect_request(
        "/f.xml",
        headers={"If-None-Match": '"v1"', "If-Modified-Since": "Mon, 05 Jan 2026 10:00:00 GMT"},
    ).respond_with_data(b"", status=304)
    result = fetch(
        feed_server.url_for("/f.xml"),
        etag='"v1"',
        last_modified="Mon, 05 Jan 2026 10:00:00 GMT",
    )
    assert result.not_modified and result.content is None and result.error is None
    assert result.etag == '"v1"'


def test_permanent_redirect_moves_the_url_temporary_does_not(feed_server: HTTPServer) -> None:
    new = feed_server.url_for("/new.xml")
    feed_server.expect_request("/old.xml").respond_with_data(b"", 301, {"Location": "/new.xml"})
    feed_server.expect_request("/tmp.xml").respond_with_data(b"", 302, {"Location": "/new.xml"})
    feed_server.expect_request("/mixed.xml").respond_with_data(b"", 308, {"Location": "/tmp.xml"})
    feed_server.expect_request("/new.xml").respond_with_data(FEED)
    moved = fetch(feed_server.url_for("/old.xml"))
    assert moved.content == FEED and moved.moved_to == new and moved.final_url == new
    temporary = fetch(feed_server.url_for("/tmp.xml"))
    assert temporary.content == FEED and temporary.moved_to is None
    mixed = fetch(feed_server.url_for("/mixed.xml"))
    assert mixed.content == FEED and mixed.moved_to is None


def test_redirect_loops_stop_after_five(feed_server: HTTPServer) -> None:
    feed_server.expect_request("/loop").respond_with_data(b"", 302, {"Location": "/loop"})
    result = fetch(feed_server.url_for("/loop"))
    assert result.error == "too many redirects (more than 5)"
    assert len(feed_server.log) == 6


def test_redirect_to_a_non_http_scheme_is_refused(feed_server: HTTPServer) -> None:
    feed_server.expect_request("/f").respond_with_data(b"", 301, {"Location": "file:///etc/passwd"})
    assert fetch(feed_server.url_for("/f")).error == "redirected to a URL that is not http(s)"


def test_error_statuses(feed_server: HTTPServer) -> None:
    feed_server.expect_request("/404").respond_with_data(b"nope", 404)
    feed_server.expect_request("/500").respond_with_data(b"oops", 500)
    feed_server.expect_request("/410").respond_with_data(b"", 410)
    assert fetch(feed_server.url_for("/404")).error == "HTTP 404 Not Found"
    assert fetch(feed_server.url_for("/500")).error == "HTTP 500 Internal Server Error"
    gone = fetch(feed_server.url_for("/410"))
    assert gone.gone and gone.error == "410 Gone: the publisher removed this feed"


def test_retry_after_short_is_honoured_then_retried(
    feed_server: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed_server.expect_ordered_request("/busy").respond_with_data(b"", 503, {"Retry-After": "1"})
    feed_server.expect_ordered_request("/busy").respond_with_data(FEED)
    waits: list[float] = []
    real_sleep = asyncio.sleep

    async def recorded(delay: float, result: object = None) -> object:  # asks for the wait, skips it
        waits.append(delay)
        return await real_sleep(0, result)

    monkeypatch.setattr(asyncio, "sleep", recorded)
    result = fetch(feed_server.url_for("/busy"))
    assert result.content == FEED
    assert waits[0] == 1.0  # it waited what the server asked before asking again
    assert len(feed_server.log) == 2


def test_retry_after_long_is_recorded_not_waited(feed_server: HTTPServer) -> None:
    feed_server.expect_request("/limited").respond_with_data(b"", 429, {"Retry-After": "3600"})
    before = time.time()
    result = fetch(feed_server.url_for("/limited"))
    assert result.error == "HTTP 429 Too Many Requests; retry after 3600 s"
    assert result.retry_at is not None and result.retry_at >= before + 3599


def test_parse_retry_after_forms() -> None:
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Thu, 01 Jan 2026 00:01:00 GMT", now=1767225600.0) == 60.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_slow_server_times_out(feed_server: HTTPServer) -> None:
    release, answered = threading.Event(), threading.Event()

    def slow(request: Request) -> Response:
        release.wait(30)
        answered.set()
        return Response(FEED)

    feed_server.expect_request("/slow").respond_with_handler(slow)
    try:
        result = fetch(feed_server.url_for("/slow"), Fetcher(timeout=0.3))
        assert result.error in ("no response within 0.3 s", "timed out after 0.3 s")
        assert not answered.is_set()  # it gave up while the server was still thinking
    finally:
        release.set()


def test_size_cap_declared_and_streamed(feed_server: HTTPServer) -> None:
    big = b"x" * 5000
    feed_server.expect_request("/declared").respond_with_data(big)

    def chunked(request: Request) -> Response:
        return Response(iter([b"y" * 1000] * 10))  # no Content-Length: counted as it streams

    feed_server.expect_request("/chunked").respond_with_handler(chunked)
    small = Fetcher(max_bytes=2048)
    assert fetch(feed_server.url_for("/declared"), small).error == ("feed larger than the 2 KB size cap")
    assert fetch(feed_server.url_for("/chunked"), small).error == ("feed larger than the 2 KB size cap")


def test_gzip_is_decoded_and_a_gzip_bomb_hits_the_cap(feed_server: HTTPServer) -> None:
    feed_server.expect_request("/gz").respond_with_data(
        gzip.compress(FEED), headers={"Content-Encoding": "gzip"}
    )
    bomb = gzip.compress(b"\0" * 3_000_000)
    feed_server.expect_request("/bomb").respond_with_data(bomb, headers={"Content-Encoding": "gzip"})
    assert fetch(feed_server.url_for("/gz")).content == FEED
    assert len(bomb) < 1_000_000 / 2
    result = fetch(feed_server.url_for("/bomb"), Fetcher(max_bytes=1_000_000))
    assert result.error == "feed larger than the 976 KB size cap"


def test_connection_refused_is_an_error_not_an_exception() -> None:
    result = fetch("http://127.0.0.1:9/feed.xml")
    assert result.error is not None and result.error.startswith("cannot connect")


def test_one_bad_feed_does_not_stop_the_rest(feed_server: HTTPServer) -> None:
    feed_server.expect_request("/bad").respond_with_data(b"", 500)
    feed_server.expect_request("/good").respond_with_data(FEED)
    requests = [FetchRequest(str(i), feed_server.url_for("/good" if i % 2 else "/bad")) for i in range(10)]
    seen: list[str] = []
    results = asyncio.run(Fetcher(concurrency=3).fetch_all(requests, on_result=lambda r: seen.append(r.key)))
    assert sorted(seen) == sorted(r.key for r in requests)
    assert sum(r.content == FEED for r in results) == 5
    assert sum(r.error == "HTTP 500 Internal Server Error" for r in results) == 5


def test_concurrency_is_bounded(feed_server: HTTPServer) -> None:
    active = 0
    peak = 0
    lock = threading.Condition()

    def counted(request: Request) -> Response:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
            lock.notify_all()
            # Hold the request until three are in flight (the bound) or a bounded while: a fetcher
            # that sent more would push the peak over 3, one that sent fewer leaves it at 1.
            lock.wait_for(lambda: active >= 3, timeout=0.5)
            active -= 1
        return Response(FEED)

    feed_server.expect_request("/c").respond_with_handler(counted)
    requests = [FetchRequest(str(i), feed_server.url_for("/c")) for i in range(12)]
    results = asyncio.run(Fetcher(concurrency=8, per_host=3).fetch_all(requests))
    assert all(r.content == FEED for r in results)
    assert 1 < peak <= 3


def test_cancel_stops_a_refresh(feed_server: HTTPServer) -> None:
    arrived, release, answered = threading.Event(), threading.Event(), threading.Event()

    def slow(request: Request) -> Response:
        arrived.set()
        release.wait(30)
        answered.set()
        return Response(FEED)

    feed_server.expect_request("/s").respond_with_handler(slow)
    cancel = threading.Event()
    threading.Thread(target=lambda: arrived.wait(30) and cancel.set(), daemon=True).start()
    try:
        results = asyncio.run(
            Fetcher(timeout=30).fetch_all([FetchRequest("a", feed_server.url_for("/s"))], cancel=cancel)
        )
        assert results == []
        assert not answered.is_set()  # it stopped at the cancel, not when the server answered
    finally:
        release.set()


def test_warm_refresh_reuses_connections() -> None:
    """304s and redirects are drained, so their connections serve the next feed (no reconnects)."""
    from tests.bench.feed_farm import Farm

    farm = Farm(feeds=12, items=2, latency=0.0)
    connections = 0
    ready = threading.Event()
    port: list[int] = []
    loop = asyncio.new_event_loop()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        await farm.handle(reader, writer)

    stop: list[asyncio.Event] = []

    async def serve() -> None:
        stop.append(asyncio.Event())
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port.append(server.sockets[0].getsockname()[1])
        ready.set()
        async with server:
            await stop[0].wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    ready.wait(5)
    try:
        urls = [f"http://127.0.0.1:{port[0]}/feed/{n}.xml" for n in range(12)]
        fetcher = Fetcher(concurrency=2)
        cold = asyncio.run(fetcher.fetch_all([FetchRequest(u, u) for u in urls]))
        assert all(r.content for r in cold)
        warm = asyncio.run(
            fetcher.fetch_all([FetchRequest(r.key, r.url, r.etag, r.last_modified) for r in cold])
        )
        assert all(r.not_modified for r in warm) and len(warm) == 12
        assert farm.requests == 24
        assert connections <= 4  # two per refresh, not one per feed
    finally:
        loop.call_soon_threadsafe(stop[0].set)
        thread.join(5)
        loop.close()


def test_odd_validators_are_not_stored_and_3xx_without_redirect_is_an_error(feed_server: HTTPServer) -> None:
    feed_server.expect_request("/v").respond_with_data(
        FEED, headers={"ETag": '"' + "x" * 600 + '"', "Last-Modified": "Mon, 05 Jan 2026 10:00:00 GMT"}
    )
    feed_server.expect_request("/multiple").respond_with_data(b"choose", 300)
    result = fetch(feed_server.url_for("/v"))
    assert result.etag is None and result.last_modified == "Mon, 05 Jan 2026 10:00:00 GMT"
    assert fetch(feed_server.url_for("/multiple")).error == "HTTP 300 Multiple Choices"


def test_retry_after_is_clamped_to_a_week() -> None:
    from newsreader.ingest.fetch import MAX_RETRY_AFTER

    assert MAX_RETRY_AFTER == 7 * 24 * 3600
    assert parse_retry_after("999999999999") == MAX_RETRY_AFTER
    assert parse_retry_after("9" * 400) == MAX_RETRY_AFTER
    assert parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now=1767225600.0) == MAX_RETRY_AFTER
    assert parse_retry_after("Thu, 01 Jan 1970 00:00:00 GMT", now=1767225600.0) == 0.0


def test_a_url_with_a_port_out_of_range_is_an_error_not_an_exception() -> None:
    for port in ("99999", "65536", "-1"):
        result = fetch(f"http://127.0.0.1:{port}/f.xml")
        assert result.error is not None and result.error.startswith("invalid URL: port"), result.error
