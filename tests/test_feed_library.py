"""Library subscribe/refresh/unsubscribe/OPML against a real HTTP server on loopback."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from newsreader.errors import (
    FeedNotFoundError,
    FetchError,
    InvalidFeedURLError,
    ParseError,
    UserInputError,
)
from newsreader.library import Library
from newsreader.models import SourceKind
from newsreader.store import Store
from tests.feed_helpers import feed_server, feed_server_session, rss_doc, serve_pool_feeds

__all__ = ["feed_server", "feed_server_session"]  # fixtures, imported for pytest

FEED = rss_doc("Tide Tables", [("urn:1", "High water"), ("urn:2", "Low water")])


class Versioned:
    """A feed whose content can change between requests, answering conditional GETs with 304."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.version = 1

    def set(self, body: bytes) -> None:
        self.body = body
        self.version += 1

    def __call__(self, request: Request) -> Response:
        etag = f'"v{self.version}"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(self.body, content_type="application/rss+xml", headers={"ETag": etag})


@pytest.fixture
def library(tmp_path: Path) -> Library:
    return Library(tmp_path / "lib")


def test_subscribe_stores_title_and_entries(library: Library, feed_server: HTTPServer) -> None:
    feed_server.expect_request("/tides.xml").respond_with_data(FEED, content_type="application/rss+xml")
    source = library.subscribe(feed_server.url_for("/tides.xml"))
    assert source.title == "Tide Tables"
    assert source.kind is SourceKind.FEED
    assert source.articles == 2 and source.unread == 2
    assert source.error is None and source.last_fetched is not None
    titles = sorted(a.title for a in library.articles())
    assert titles == ["High water", "Low water"]
    assert [f.id for f in library.feeds()] == [source.id]
    with pytest.raises(UserInputError, match="already subscribed"):
        library.subscribe(feed_server.url_for("/tides.xml"))


@pytest.mark.parametrize(
    ("path", "status", "body", "error", "message"),
    [
        ("/missing", 404, b"", FetchError, "HTTP 404 Not Found"),
        ("/page", 200, b"<html><body><p>shop</p></body></html>", ParseError, "not a feed"),
    ],
)
def test_failed_subscribe_leaves_nothing(
    library: Library,
    feed_server: HTTPServer,
    path: str,
    status: int,
    body: bytes,
    error: type[Exception],
    message: str,
) -> None:
    feed_server.expect_request(path).respond_with_data(body, status=status, content_type="text/html")
    with pytest.raises(error) as info:
        library.subscribe(feed_server.url_for(path))
    assert message in str(info.value)
    assert library.feeds() == []


@pytest.mark.parametrize("url", ["ftp://example.org/feed", "file:///etc/passwd", "example.org/rss", ""])
def test_only_http_urls_can_be_subscribed(library: Library, url: str) -> None:
    with pytest.raises(InvalidFeedURLError, match="not an http"):
        library.subscribe(url)


def test_refresh_uses_conditional_get_and_updates_keep_state(
    library: Library, feed_server: HTTPServer
) -> None:
    feed = Versioned(FEED)
    feed_server.expect_request("/v.xml").respond_with_handler(feed)
    source = library.subscribe(feed_server.url_for("/v.xml"))
    first = {a.title: a.id for a in library.articles()}
    library.mark([first["High water"]], read=True, starred=True)

    report = library.refresh()
    assert [(r.not_modified, r.new, r.error) for r in report.results] == [(True, 0, None)]
    assert feed_server.log[-1][0].headers["If-None-Match"] == '"v1"'

    feed.set(rss_doc("Tide Tables", [("urn:1", "High water at 06:12"), ("urn:3", "Spring tide")]))
    report = library.refresh()
    assert (report.new, report.updated, report.errors) == (1, 1, ())
    article = library.get(first["High water"])
    assert article.title == "High water at 06:12"
    assert article.read and article.starred  # state survived the update
    assert library.feeds()[0].articles == 3
    assert library.feeds()[0].id == source.id


def test_permanent_redirect_moves_the_subscription(library: Library, feed_server: HTTPServer) -> None:
    feed_server.expect_request("/old.xml").respond_with_data(b"", 301, {"Location": "/new.xml"})
    feed_server.expect_request("/new.xml").respond_with_data(FEED)
    source = library.subscribe(feed_server.url_for("/old.xml"))
    assert source.location == feed_server.url_for("/new.xml")
    library.refresh()
    assert [r.path for r, _ in feed_server.log] == ["/old.xml", "/new.xml", "/new.xml"]
    # The URL first subscribed still names it.
    assert library.unsubscribe(feed_server.url_for("/old.xml")).id == source.id


def test_gone_feed_is_marked_and_not_fetched_again(library: Library, feed_server: HTTPServer) -> None:
    feed = Versioned(FEED)
    feed_server.expect_request("/f.xml").respond_with_handler(feed)
    library.subscribe(feed_server.url_for("/f.xml"))
    feed_server.clear()
    feed_server.expect_request("/f.xml").respond_with_data(b"", 410)
    report = library.refresh()
    assert report.errors[0].error == "410 Gone: the publisher removed this feed"
    (source,) = library.feeds()
    assert source.gone and source.error == "410 Gone: the publisher removed this feed"
    assert source.articles == 2  # what was read stays
    library.refresh()
    assert len(feed_server.log) == 1


def test_long_retry_after_skips_the_feed_until_then(library: Library, feed_server: HTTPServer) -> None:
    feed_server.expect_request("/f.xml").respond_with_data(FEED)
    library.subscribe(feed_server.url_for("/f.xml"))
    feed_server.clear()
    feed_server.expect_request("/f.xml").respond_with_data(b"", 429, {"Retry-After": "3600"})
    assert library.refresh().errors[0].error == "HTTP 429 Too Many Requests; retry after 3600 s"
    report = library.refresh()
    assert report.errors[0].error.startswith("skipped: the server asked to wait until ")
    assert len(feed_server.log) == 1


def test_one_bad_feed_never_stops_the_rest(library: Library, feed_server: HTTPServer) -> None:
    feeds = {f"/f{i}.xml": Versioned(rss_doc(f"Feed {i}", [(f"urn:{i}", f"Item {i}")])) for i in range(4)}
    for path, handler in feeds.items():
        feed_server.expect_request(path).respond_with_handler(handler)
    for path in feeds:
        library.subscribe(feed_server.url_for(path))
    feeds["/f0.xml"].set(b"<html><body>oops, a login page</body></html>")
    feeds["/f1.xml"].set(rss_doc("Feed 1", [("urn:1", "Item 1"), ("urn:1b", "Item 1b")]))
    feed_server.clear()
    feed_server.expect_request("/f2.xml").respond_with_data(b"", 500)
    for path in ("/f0.xml", "/f1.xml", "/f3.xml"):
        feed_server.expect_request(path).respond_with_handler(feeds[path])
    report = library.refresh(concurrency=2)
    errors = {r.url.rsplit("/", 1)[-1]: r.error for r in report.errors}
    assert errors == {"f0.xml": "not a feed", "f2.xml": "HTTP 500 Internal Server Error"}
    assert report.new == 1
    status = {s.location.rsplit("/", 1)[-1]: s.error for s in library.feeds()}
    assert status == {
        "f0.xml": "not a feed",
        "f1.xml": None,
        "f2.xml": "HTTP 500 Internal Server Error",
        "f3.xml": None,
    }


def test_hostile_feed_is_stored_safely(library: Library, feed_server: HTTPServer) -> None:
    hostile = (
        '<?xml version="1.0"?><rss version="2.0"><channel>'
        "<title>[bold]Evil[/bold] \x1b[2J\x1b]0;owned\x07</title>"
        "<item><guid>h1</guid><title>[red]x[/] \u202egnp.exe</title>"
        "<description>&lt;script&gt;alert(1)&lt;/script&gt;&lt;p&gt;ok [/]&lt;/p&gt;</description>"
        "</item></channel></rss>"
    ).encode()
    feed_server.expect_request("/h.xml").respond_with_data(hostile)
    source = library.subscribe(feed_server.url_for("/h.xml"))
    assert source.title == "[bold]Evil[/bold]"
    assert Store(library.path).sources()[source.id]["warning"].startswith("malformed feed, entries kept")
    article = library.get(library.articles()[0].id)
    assert article.title == "[red]x[/] gnp.exe"
    assert article.body == "ok [/]"


def test_unsubscribe_by_url_id_or_prefix(library: Library, feed_server: HTTPServer) -> None:
    feed_server.expect_request("/a.xml").respond_with_data(rss_doc("A", [("urn:a", "A1")]))
    feed_server.expect_request("/b.xml").respond_with_data(rss_doc("B", [("urn:b", "B1")]))
    a = library.subscribe(feed_server.url_for("/a.xml"))
    b = library.subscribe(feed_server.url_for("/b.xml"))
    assert library.unsubscribe(b.id[:6]).title == "B"
    removed = library.unsubscribe(feed_server.url_for("/a.xml"))
    assert (removed.id, removed.articles) == (a.id, 1)
    assert library.feeds() == [] and len(library.articles()) == 0
    with pytest.raises(FeedNotFoundError, match="no subscription matches"):
        library.unsubscribe(a.id)


def test_opml_import_subscribes_without_fetching_and_round_trips(library: Library, tmp_path: Path) -> None:
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>'
        '<outline text="News"><outline text="Science">'
        '<outline text="Space" xmlUrl="http://127.0.0.1:9/space.xml"/></outline>'
        '<outline text="World" xmlUrl="http://127.0.0.1:9/world.xml" htmlUrl="https://w.example/"/>'
        '</outline><outline text="Loose" xmlUrl="http://127.0.0.1:9/loose.xml"/></body></opml>'
    )
    report = library.import_paths([opml])
    assert [(r.kind, r.new, r.present, r.error) for r in report.results] == [("opml", 3, 0, None)]
    feeds = {f.title: f for f in library.feeds()}
    assert {t: f.category for t, f in feeds.items()} == {
        "Space": "News/Science",
        "World": "News",
        "Loose": None,
    }
    assert all(f.last_fetched is None for f in feeds.values())
    again = library.import_paths([opml]).results[0]
    assert (again.new, again.present) == (0, 3)

    exported = tmp_path / "out.opml"
    exported.write_text(library.export_opml())
    other = Library(tmp_path / "other")
    other.import_paths([exported])
    assert {(f.location, f.title, f.category, f.site_url) for f in other.feeds()} == {
        (f.location, f.title, f.category, f.site_url) for f in library.feeds()
    }


def test_import_of_a_local_feed_file(library: Library, tmp_path: Path) -> None:
    path = tmp_path / "saved.rss"
    path.write_bytes(FEED)
    (result,) = library.import_paths([path]).results
    assert (result.kind, result.new, result.error) == ("feed", 2, None)
    assert {a.feed for a in library.articles()} == {"Tide Tables"}
    assert library.import_paths([path]).results[0].present == 2
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<html>no</html>")
    (failed,) = library.import_paths([bad]).results
    assert failed.error == f"{bad}: not a feed"  # feed-file errors name the file (issue 9)


def test_refresh_works_from_inside_a_running_event_loop(library: Library, feed_server: HTTPServer) -> None:
    feed_server.expect_request("/f.xml").respond_with_data(FEED)
    library.subscribe(feed_server.url_for("/f.xml"))

    async def inside() -> int:
        return len(library.refresh().results)

    assert asyncio.run(inside()) == 1


def test_refresh_reports_progress(library: Library, feed_server: HTTPServer) -> None:
    for i in range(3):
        feed_server.expect_request(f"/p{i}.xml").respond_with_data(rss_doc(f"P{i}", [(f"u{i}", "x")]))
        library.subscribe(feed_server.url_for(f"/p{i}.xml"))
    calls: list[tuple[int, int]] = []
    library.refresh(progress=lambda done, total, label: calls.append((done, total)))
    assert calls[-1] == (3, 3)
    assert [done for done, _ in calls[:3]] == [1, 2, 3]


def _saved_copy(url: str) -> bytes:
    """A feed file that names its own URL, as a saved copy of a feed does."""
    return rss_doc("Saved", [("urn:s1", "First"), ("urn:s2", "Second")]).replace(
        b"<channel>",
        b'<channel><atom:link xmlns:atom="http://www.w3.org/2005/Atom" rel="self" href="'
        + url.encode()
        + b'"/>',
    )


def test_a_saved_copy_becomes_the_subscription_an_opml_file_adds(library: Library, tmp_path: Path) -> None:
    url = "https://saved.example/feed.xml"
    (tmp_path / "a-saved.rss").write_bytes(_saved_copy(url))
    (tmp_path / "b-subs.opml").write_text(
        '<opml version="2.0"><body><outline text="Reading">'
        f'<outline text="Saved feed" xmlUrl="{url}"/></outline></body></opml>'
    )
    report = library.import_paths([tmp_path])
    assert [(r.kind, r.new) for r in report.results] == [("feed", 2), ("opml", 1)]
    (feed,) = library.feeds()
    assert (feed.location, feed.title, feed.category, feed.articles) == (url, "Saved feed", "Reading", 2)
    assert [s.kind for s in library.sources()] == [SourceKind.FEED]  # no second source for the file
    again = library.import_paths([tmp_path / "a-saved.rss"]).results[0]
    assert (again.new, again.present) == (0, 2)
    assert library.feeds()[0].location == url  # re-importing the file leaves the subscription alone


def test_subscribing_keeps_the_articles_of_a_saved_copy(
    library: Library, tmp_path: Path, feed_server: HTTPServer
) -> None:
    url = feed_server.url_for("/saved.xml")
    saved = tmp_path / "saved.xml"
    saved.write_bytes(_saved_copy(url))
    library.import_paths([saved])
    first = library.articles()[0]
    library.mark([first.id], read=True)
    feed_server.expect_request("/saved.xml").respond_with_data(_saved_copy(url))
    source = library.subscribe(url)
    assert (source.kind, source.articles, source.unread) == (SourceKind.FEED, 2, 1)
    assert library.get(first.id).read
    assert Store(library.path).sources()[source.id].get("format") is None


def test_a_feed_file_without_a_self_link_is_its_own_source(library: Library, tmp_path: Path) -> None:
    path = tmp_path / "plain.rss"
    path.write_bytes(rss_doc("Plain", [("urn:p", "P")]))
    library.import_paths([path])
    (source,) = library.sources()
    assert (source.kind, source.title, source.location) == (SourceKind.DUMP, "Plain", str(path.resolve()))


def test_big_refresh_from_a_worker_thread_parses_in_spawned_processes(
    library: Library, tmp_path: Path, feed_server: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """24+ feeds parse in a process pool; with other threads running (a TUI) it never forks."""
    import multiprocessing
    import threading

    from newsreader import library as library_module

    count = library_module._PARALLEL_PARSE_MIN
    library.import_paths([serve_pool_feeds(feed_server, tmp_path, count)])
    methods: list[str | None] = []
    real_get_context = multiprocessing.get_context

    def spy(method: str | None = None) -> Any:
        methods.append(method)
        return real_get_context(method)

    monkeypatch.setattr(multiprocessing, "get_context", spy)
    reports: list[Any] = []
    worker = threading.Thread(target=lambda: reports.append(library.refresh()))
    worker.start()
    worker.join(60)
    (report,) = reports
    assert methods == ["spawn"]
    assert (report.new, report.errors) == (2 * count, ())
    assert {a.title for a in library.articles()} >= {"A0", f"B{count - 1}"}


def test_refresh_handles_content_type_gzip_and_size_cap(library: Library, feed_server: HTTPServer) -> None:
    import gzip

    feed_server.expect_request("/html-typed.xml").respond_with_data(
        rss_doc("Mistyped", [("urn:m", "M")]), content_type="text/html; charset=utf-8"
    )
    feed_server.expect_request("/zipped.xml").respond_with_data(
        gzip.compress(rss_doc("Zipped", [("urn:z", "Z")])), headers={"Content-Encoding": "gzip"}
    )
    feed_server.expect_request("/huge.xml").respond_with_data(b"<rss>" + b" " * (11 * 1024 * 1024))
    assert library.subscribe(feed_server.url_for("/html-typed.xml")).articles == 1
    assert library.subscribe(feed_server.url_for("/zipped.xml")).articles == 1
    with pytest.raises(FetchError, match="feed larger than the 10 MB size cap"):
        library.subscribe(feed_server.url_for("/huge.xml"))
    report = library.refresh()
    assert report.errors == () and len(report.results) == 2


def test_refreshing_an_empty_library_writes_nothing(tmp_path: Path) -> None:
    library = Library(tmp_path / "empty")
    assert library.refresh().results == ()
    assert not (tmp_path / "empty").exists()


def test_a_wait_beyond_today_names_the_date(library: Library, feed_server: HTTPServer) -> None:
    """ "wait until 00:48" for a date days away said the time only (issue 9, item 11)."""
    import re
    from datetime import datetime, timedelta

    feed_server.expect_request("/f.xml").respond_with_data(FEED)
    library.subscribe(feed_server.url_for("/f.xml"))
    feed_server.clear()
    feed_server.expect_request("/f.xml").respond_with_data(b"", 503, {"Retry-After": str(3 * 86400)})
    library.refresh()
    (skipped,) = library.refresh().errors
    when = (datetime.now() + timedelta(days=3)).strftime("%Y-%m-%d")
    assert re.fullmatch(rf"skipped: the server asked to wait until {when} \d\d:\d\d", skipped.error or "")
