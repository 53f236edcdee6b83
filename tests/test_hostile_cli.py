"""What hostile servers, files and names did to the CLI and the library (issue 9), each a test."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from pytest_httpserver import HTTPServer

from newsreader.library import Library
from tests.cli_support import clean_env, invoke
from tests.feed_helpers import feed_server, feed_server_session, rss_doc

__all__ = ["feed_server", "feed_server_session"]  # fixtures, imported for pytest

FEED = rss_doc("Steady", [("urn:s", "Steady item")])


def cli(
    library: Path, *args: str, tz: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``newsreader --library LIB ARGS`` in a clean environment, optionally in a time zone (in process:
    tests/cli_support.py)."""
    env = clean_env(TZ=tz) if tz is not None else clean_env()
    return invoke(*args, library=library, env=env, cwd=cwd, errors="replace")


def assert_clean(result: subprocess.CompletedProcess[str], code: int = 0) -> None:
    """Exit ``code``, and no internal error or traceback on stderr."""
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr, result.stderr


def one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert_clean(result, 1)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


# -- item 4: clamp what servers say ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("retry_after", "tz"),
    [("999999999999", "UTC"), ("Fri, 31 Dec 9999 23:59:59 GMT", "Asia/Tokyo")],
    ids=["huge-delta", "year-9999-tokyo"],
)
def test_a_huge_retry_after_stops_no_later_refresh(
    tmp_path: Path, feed_server: HTTPServer, retry_after: str, tz: str
) -> None:
    lib = tmp_path / "lib"
    feed_server.expect_request("/steady.xml").respond_with_data(FEED)
    feed_server.expect_request("/busy.xml").respond_with_data(FEED)
    assert_clean(cli(lib, "add", feed_server.url_for("/steady.xml"), tz=tz))
    assert_clean(cli(lib, "add", feed_server.url_for("/busy.xml"), tz=tz))
    feed_server.clear()
    feed_server.expect_request("/steady.xml").respond_with_data(FEED)
    feed_server.expect_request("/busy.xml").respond_with_data(b"", 503, {"Retry-After": retry_after})
    first = cli(lib, "refresh", tz=tz)
    assert_clean(first)
    assert "HTTP 503 Service Unavailable" in first.stderr
    for _ in range(2):
        later = cli(lib, "refresh", tz=tz)
        assert_clean(later)
        assert "skipped: the server asked to wait until" in later.stderr
        assert "refreshed 2 feeds" in later.stdout
    assert_clean(cli(lib, "feeds", tz=tz))
    # The library says the same, in process.
    report = Library(lib).refresh()
    assert [r.error for r in report.errors if "skipped" in (r.error or "")]


@pytest.mark.parametrize("stored", [1e300, -1e300, "soon", [1], 253402300799.0])
def test_a_stored_retry_at_that_cannot_be_converted_is_ignored(
    tmp_path: Path, feed_server: HTTPServer, stored: object
) -> None:
    lib = tmp_path / "lib"
    feed_server.expect_request("/f.xml").respond_with_data(FEED)
    assert_clean(cli(lib, "add", feed_server.url_for("/f.xml")))
    doc = orjson.loads((lib / "sources.json").read_bytes())
    (record,) = doc["sources"].values()
    record["retry_at"] = stored
    (lib / "sources.json").write_bytes(orjson.dumps(doc))
    for tz in ("Asia/Tokyo", "America/New_York"):
        assert_clean(cli(lib, "refresh", tz=tz))
        assert_clean(cli(lib, "feeds", tz=tz))
    Library(lib).refresh()  # no exception in process either


@contextlib.contextmanager
def raw_server(routes: dict[str, bytes]) -> Iterator[str]:
    """A loopback HTTP server that sends headers byte for byte (werkzeug refuses a bad Location)."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.wfile.write(routes.get(self.path, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _redirect(location: str) -> bytes:
    return f"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n".encode()


def _ok(body: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: %d\r\n\r\n%s" % (
        len(body),
        body,
    )


@pytest.mark.parametrize("port", ["99999", "65536", "-1"])
def test_a_redirect_to_a_port_out_of_range_is_a_feed_error(tmp_path: Path, port: str) -> None:
    lib = tmp_path / "lib"
    bad = f"http://127.0.0.1:{port}/f.xml"
    routes = {"/f.xml": _ok(FEED), "/new.xml": _redirect(bad)}
    with raw_server(routes) as base:
        assert_clean(cli(lib, "add", f"{base}/f.xml"))
        routes["/f.xml"] = _redirect(bad)
        refresh = cli(lib, "refresh")
        assert_clean(refresh)
        (line,) = refresh.stderr.strip().splitlines()
        assert line.startswith("failed: Steady") and "redirected to an invalid URL" in line, line
        one_line_error(cli(lib, "add", f"{base}/new.xml"), "invalid URL")


@pytest.mark.parametrize("port", ["99999", "65536", "-1"])
def test_an_opml_xmlurl_with_a_port_out_of_range_is_a_feed_error(tmp_path: Path, port: str) -> None:
    lib = tmp_path / "lib"
    opml = tmp_path / "bad-port.opml"
    opml.write_text(
        f'<opml version="2.0"><body><outline text="Far" xmlUrl="http://127.0.0.1:{port}/f.xml"/>'
        "</body></opml>"
    )
    imported = cli(lib, "import", str(opml))
    assert imported.returncode in (0, 1) and "internal error" not in imported.stderr, imported.stderr
    refresh = cli(lib, "refresh")
    assert_clean(refresh)
    for line in refresh.stderr.strip().splitlines():
        assert line.startswith("failed: ") and "invalid URL" in line, line


# -- item 5: dates at the ends of the calendar -----------------------------------------------------


def _dated_feed(path: Path) -> Path:
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Calendar</title>'
        "<link>https://example.org/</link>"
        "<item><guid>urn:far</guid><title>Far future</title><pubDate>Fri, 31 Dec 9999 23:59:59 GMT</pubDate>"
        "<description>almanac of the far future</description></item>"
        "<item><guid>urn:near</guid><title>Year one</title><pubDate>Mon, 01 Jan 0001 00:00:00 GMT</pubDate>"
        "<description>almanac of year one</description></item>"
        "</channel></rss>"
    )
    return path


@pytest.mark.parametrize("tz", ["Asia/Tokyo", "America/New_York"])
def test_dates_at_the_ends_of_the_calendar_print_in_any_time_zone(tmp_path: Path, tz: str) -> None:
    import json

    lib = tmp_path / "lib"
    assert_clean(cli(lib, "import", str(_dated_feed(tmp_path / "calendar.xml")), tz=tz))
    articles = json.loads(cli(lib, "list", "--json").stdout)
    assert {a["title"] for a in articles} == {"Far future", "Year one"}
    listed = cli(lib, "list", tz=tz)
    assert_clean(listed)
    assert "Far future" in listed.stdout and "Year one" in listed.stdout
    for article in articles:
        shown = cli(lib, "show", article["id"], tz=tz)
        assert_clean(shown)
        assert article["title"] in shown.stdout
    found = cli(lib, "search", "almanac", tz=tz)
    assert_clean(found)
    assert "Far future" in found.stdout and "Year one" in found.stdout


# -- item 6: file names and arguments that are not UTF-8 --------------------------------------------


def test_a_latin1_file_name_costs_at_most_that_file(tmp_path: Path) -> None:
    import json
    import shutil

    from tests.conftest import FEEDS, SEED

    folder = tmp_path / "dumps"
    folder.mkdir()
    shutil.copy(SEED, folder / "good.txt")
    latin1 = os.fsencode(folder) + b"/caf\xe9 notes.txt"
    with open(latin1, "wb") as out:
        out.write((FEEDS / "harbour-notes.txt").read_bytes())
    lib = tmp_path / "lib"
    result = cli(lib, "import", str(folder))
    assert result.returncode in (0, 1), result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) <= 1, result.stderr
    articles = json.loads(cli(lib, "list", "--json").stdout)
    assert len(articles) >= 5  # the good dump, whole
    assert_clean(cli(lib, "list"))
    assert_clean(cli(lib, "import", str(folder)), result.returncode)  # and again: still no crash
    # Better than one failed file: it is imported, under a readable name.
    assert result.returncode == 0, result.stderr
    assert any(a["feed"] == "Caf\\xe9 Notes" for a in articles), {a["feed"] for a in articles}


def test_non_utf8_arguments_are_one_line_errors(tmp_path: Path) -> None:
    from tests.conftest import SEED

    lib = tmp_path / "lib"
    assert_clean(cli(lib, "import", str(SEED)))
    bad = os.fsdecode(b"http://example.org/caf\xe9.xml")
    one_line_error(cli(lib, "add", bad), "not an http(s) feed URL")
    one_line_error(cli(lib, "remove", bad), "no subscription matches")
    one_line_error(cli(lib, "remove", os.fsdecode(b"\xff\xfe")), "no subscription matches")
    one_line_error(cli(lib, "list", "--feed", os.fsdecode(b"caf\xe9")), "no feed or dump matches")
    one_line_error(cli(lib, "show", os.fsdecode(b"caf\xe9")), "no article")


# -- item 7: escape sequences and newlines in names never reach the terminal ------------------------


def _no_controls(text: str) -> bool:
    return not any(ch in text for ch in "\x1b\x07\x9b\x9d\r") and "PWNED" not in text


def test_escape_sequences_in_file_names_never_reach_the_terminal(tmp_path: Path) -> None:
    import json

    from tests.conftest import FEEDS, SEED

    folder = tmp_path / "dumps"
    folder.mkdir()
    hostile = folder / "news\x1b]0;PWNED\x07\x1b[2J.txt"
    hostile.write_bytes(SEED.read_bytes())
    (folder / "two\nlines.txt").write_bytes((FEEDS / "harbour-notes.txt").read_bytes())
    lib = tmp_path / "lib"
    imported = cli(lib, "import", str(folder))
    assert_clean(imported)
    assert _no_controls(imported.stdout + imported.stderr), imported.stdout
    articles = json.loads(cli(lib, "list", "--json").stdout)
    feeds = {a["feed"] for a in articles}
    assert feeds == {"News", "Two Lines"}, feeds  # readable dump names, the sequences gone
    listed = cli(lib, "list")
    assert_clean(listed)
    assert _no_controls(listed.stdout)
    assert len(listed.stdout.strip().splitlines()) == len(articles)  # one row per article
    shown = cli(lib, "show", articles[0]["id"])
    assert_clean(shown)
    assert _no_controls(shown.stdout)
    found = cli(lib, "search", "the")
    assert_clean(found)
    assert _no_controls(found.stdout)
    missing = cli(lib, "import", str(folder / "gone\x1b[2J\nnext.txt"))
    one_line_error_or_failed = missing.stderr.strip().splitlines()
    assert len(one_line_error_or_failed) == 1 and _no_controls(missing.stderr), missing.stderr


def test_hostile_feed_titles_and_urls_are_clean_in_feeds_and_refresh(
    tmp_path: Path, feed_server: HTTPServer
) -> None:
    lib = tmp_path / "lib"
    feed_server.expect_request("/f.xml").respond_with_data(FEED)
    assert_clean(cli(lib, "add", feed_server.url_for("/f.xml")))
    doc = orjson.loads((lib / "sources.json").read_bytes())
    (record,) = doc["sources"].values()
    record["title"] = "Evil\x1b]0;PWNED\x07\x1b[2J\nTitle"  # a library written by an older newsreader
    record["category"] = "cat\x1b[31m\negory"
    (lib / "sources.json").write_bytes(orjson.dumps(doc))
    feeds = cli(lib, "feeds")
    assert_clean(feeds)
    assert _no_controls(feeds.stdout) and len(feeds.stdout.strip().splitlines()) == 1, feeds.stdout
    feed_server.clear()
    refresh = cli(lib, "refresh")
    assert_clean(refresh)
    assert _no_controls(refresh.stdout + refresh.stderr)
    assert len(refresh.stderr.strip().splitlines()) == 1, refresh.stderr
    listed = cli(lib, "list")
    assert _no_controls(listed.stdout) and len(listed.stdout.strip().splitlines()) == 1
    removed = cli(lib, "remove", feed_server.url_for("/f.xml"))
    assert_clean(removed)
    assert _no_controls(removed.stdout) and len(removed.stdout.strip().splitlines()) == 1


# -- item 8: valid JSON of the wrong shape; a reader that goes away ---------------------------------


WRONG_SHAPES = {
    "headlines.json": [{"articles": [1, 2, 3]}, {"articles": {"x": [1]}}, {"_meta": [1]}],
    "state.json": [{"state": [1, 2, 3]}, {"state": {"x": "read"}}],
    "sources.json": [{"sources": [1, 2, 3]}, {"sources": {"x": 5}}],
    "bodies": [{"bodies": [1, 2, 3]}, {"bodies": {"x": "text"}}],
}


@pytest.mark.parametrize(
    ("name", "doc"),
    [(name, doc) for name, docs in WRONG_SHAPES.items() for doc in docs],
    ids=lambda value: str(value)[:24],
)
def test_a_store_file_of_the_wrong_shape_is_a_one_line_error_naming_it(
    tmp_path: Path, name: str, doc: object
) -> None:
    import json

    from tests.conftest import SEED

    lib = tmp_path / "lib"
    assert_clean(cli(lib, "import", str(SEED)))
    articles = json.loads(cli(lib, "list", "--json").stdout)
    article_id = articles[0]["id"]
    assert_clean(cli(lib, "mark", article_id, "--read"))
    target = lib / "bodies" / f"{article_id[:2]}.json" if name == "bodies" else lib / name
    target.write_bytes(orjson.dumps(doc))
    commands = [
        ("list",),
        ("list", "--json"),
        ("show", article_id),
        ("mark", article_id, "--star"),
        ("feeds",),
        ("import", str(SEED)),
    ]
    failed = 0
    for command in commands:
        result = cli(lib, *command)
        assert "internal error" not in result.stderr and "Traceback" not in result.stderr, (
            command,
            result.stderr,
        )
        if result.returncode != 0:
            line = one_line_error(result, str(target))
            failed += 1
            assert "corrupt" in line, line
    assert failed >= 1  # every file is read by at least one of these
    assert target.read_bytes() == orjson.dumps(doc)  # left untouched


def test_list_into_a_pipe_closed_early_exits_0(tmp_path: Path) -> None:
    feed = tmp_path / "many.xml"
    items = "".join(
        f"<item><guid>urn:{n}</guid><title>Item number {n} with a long enough title</title></item>"
        for n in range(3000)
    )
    feed.write_text(f'<rss version="2.0"><channel><title>Many</title>{items}</channel></rss>')
    lib = tmp_path / "lib"
    assert_clean(cli(lib, "import", str(feed)))
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSREADER")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsreader", "--library", str(lib), "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline()  # `| head -1`
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 0, err
    assert err == b""


def test_refresh_with_a_headlines_file_of_the_wrong_shape_is_a_one_line_error(
    tmp_path: Path, feed_server: HTTPServer
) -> None:
    lib = tmp_path / "lib"
    feed_server.expect_request("/f.xml").respond_with_data(FEED)
    assert_clean(cli(lib, "add", feed_server.url_for("/f.xml")))
    doc = orjson.dumps({"articles": [1, 2, 3]})
    (lib / "headlines.json").write_bytes(doc)
    refresh = cli(lib, "refresh")
    assert "corrupt" in one_line_error(refresh, str(lib / "headlines.json"))
    assert (lib / "headlines.json").read_bytes() == doc  # left untouched


@pytest.mark.parametrize("field", ["location", "etag", "last_modified"])
def test_refresh_with_a_feed_record_field_of_the_wrong_type_costs_that_feed(
    tmp_path: Path, feed_server: HTTPServer, field: str
) -> None:
    lib = tmp_path / "lib"
    feed_server.expect_request("/f.xml").respond_with_data(FEED)
    feed_server.expect_request("/g.xml").respond_with_data(rss_doc("Other", [("urn:o", "Other item")]))
    assert_clean(cli(lib, "add", feed_server.url_for("/f.xml")))
    assert_clean(cli(lib, "add", feed_server.url_for("/g.xml")))
    doc = orjson.loads((lib / "sources.json").read_bytes())
    record = next(r for r in doc["sources"].values() if r["location"].endswith("/f.xml"))
    record[field] = 5
    (lib / "sources.json").write_bytes(orjson.dumps(doc))
    refresh = cli(lib, "refresh")
    assert_clean(refresh)
    assert "refreshed 2 feeds" in refresh.stdout, refresh.stdout
    assert len(refresh.stderr.strip().splitlines()) <= 1, refresh.stderr
