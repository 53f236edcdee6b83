"""The feed commands as a user runs them: `newsreader --library TMP ...` (in process, or a real child
where the process is the point: a tty, the process pool's fork, certificates read at start-up)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tests.cli_support import invoke, spawn
from tests.feed_helpers import feed_server, feed_server_session, rss_doc, serve_pool_feeds

__all__ = ["feed_server", "feed_server_session"]  # fixtures, imported for pytest


def run(library: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``newsreader --library LIB ARGS`` with this process's environment, run in process."""
    return invoke(*args, library=library, env=os.environ)


def test_add_feeds_refresh_remove(tmp_path: Path, feed_server: HTTPServer) -> None:
    lib = tmp_path / "lib"
    feed_server.expect_request("/a.xml").respond_with_data(
        rss_doc("Alpha", [("urn:1", "One"), ("urn:2", "Two")]), headers={"ETag": '"a"'}
    )
    feed_server.expect_request("/broken.xml").respond_with_data(b"", 500)
    url = feed_server.url_for("/a.xml")

    added = run(lib, "add", url)
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == f"subscribed to Alpha ({url}): 2 articles"

    feeds = json.loads(run(lib, "feeds", "--json").stdout)
    assert [(f["url"], f["title"], f["articles"], f["unread"], f["error"]) for f in feeds] == [
        (url, "Alpha", 2, 2, None)
    ]
    assert feeds[0]["last_fetched"] is not None

    # A second subscription that then breaks: refresh reports it and still exits 0.
    feed_server.expect_request("/b.xml").respond_with_data(rss_doc("Beta", [("urn:b", "B")]))
    assert run(lib, "add", feed_server.url_for("/b.xml")).returncode == 0
    feed_server.clear()
    feed_server.expect_request("/a.xml").respond_with_data(rss_doc("Alpha", [("urn:3", "Three")]))
    feed_server.expect_request("/b.xml").respond_with_data(b"", 500)
    refreshed = run(lib, "refresh", "--concurrency", "4")
    assert refreshed.returncode == 0
    assert refreshed.stdout.strip() == "refreshed 2 feeds: 1 new, 0 updated, 0 not modified, 1 failed"
    assert refreshed.stderr.strip() == (
        f"failed: Beta ({feed_server.url_for('/b.xml')}): HTTP 500 Internal Server Error"
    )
    text = run(lib, "feeds").stdout
    assert "Alpha" in text and "error: HTTP 500 Internal Server Error" in text

    removed = run(lib, "remove", url)
    assert removed.returncode == 0
    assert removed.stdout.strip() == f"unsubscribed from Alpha ({url}); 3 articles removed"
    assert [f["title"] for f in json.loads(run(lib, "feeds", "--json").stdout)] == ["Beta"]


def test_user_errors_are_one_line_and_exit_1(tmp_path: Path, feed_server: HTTPServer) -> None:
    lib = tmp_path / "lib"
    feed_server.expect_request("/page").respond_with_data(b"<html>hi</html>", content_type="text/html")
    cases = [
        (("add", "ftp://example.org/x"), "newsreader: error: not an http(s) feed URL: 'ftp://example.org/x'"),
        (
            ("add", feed_server.url_for("/page")),
            f"newsreader: error: {feed_server.url_for('/page')}: not a feed",
        ),
        (
            ("remove", "nothing"),
            "newsreader: error: no subscription matches 'nothing' (see `newsreader feeds`)",
        ),
        (("refresh", "--concurrency", "0"), None),
    ]
    for args, message in cases:
        result = run(lib, *args)
        assert result.returncode == 1, args
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in result.stderr
        if message is not None:
            assert lines[0] == message


def test_opml_import_and_export(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    subs = Path(__file__).resolve().parent.parent / "feeds" / "subscriptions.opml"
    imported = run(lib, "import", str(subs))
    assert imported.returncode == 0, imported.stderr
    out = tmp_path / "out.opml"
    exported = run(lib, "export-opml", str(out))
    assert exported.returncode == 0 and exported.stdout.strip() == f"wrote 2 subscriptions to {out}"
    to_stdout = run(lib, "export-opml").stdout

    def undated(text: str) -> str:  # dateCreated is the time of export
        return re.sub(r"<dateCreated>[^<]*</dateCreated>", "", text)

    assert undated(to_stdout) == undated(out.read_text())
    again = run(tmp_path / "lib2", "import", str(out))
    assert again.returncode == 0
    first = json.loads(run(lib, "feeds", "--json").stdout)
    second = json.loads(run(tmp_path / "lib2", "feeds", "--json").stdout)
    assert [(f["url"], f["title"], f["category"]) for f in first] == [
        (f["url"], f["title"], f["category"]) for f in second
    ]
    assert {f["category"] for f in first} == {"Local", "Nature"}


def test_refresh_with_no_subscriptions(tmp_path: Path) -> None:
    result = run(tmp_path / "lib", "refresh")
    assert result.returncode == 0
    assert result.stdout.strip() == "refreshed 0 feeds: 0 new, 0 updated, 0 not modified, 0 failed"


def test_refresh_on_a_terminal_shows_a_progress_bar(tmp_path: Path, feed_server: HTTPServer) -> None:
    import os
    import pty

    lib = tmp_path / "lib"
    feed_server.expect_request("/t.xml").respond_with_data(rss_doc("Tty", [("urn:t", "T")]))
    assert run(lib, "add", feed_server.url_for("/t.xml")).returncode == 0
    main, replica = pty.openpty()
    env = dict(os.environ, COLUMNS="100", TERM="xterm")
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsreader", "--library", str(lib), "refresh"],
        stdin=replica,
        stdout=replica,
        stderr=replica,
        env=env,
    )
    os.close(replica)
    output = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    assert proc.wait(timeout=60) == 0
    os.close(main)
    text = output.decode("utf-8", "replace")
    assert "refreshed 1 feed: 0 new, 0 updated, 0 not modified, 0 failed" in text
    assert "refreshing" in text and "\x1b[?25l" in text  # rich hid the cursor to draw the bar


@pytest.mark.slow  # a real child refresh of many feeds through the parse pool
def test_big_refresh_from_the_command_line(tmp_path: Path, feed_server: HTTPServer) -> None:
    """The CLI is single-threaded, so its process pool forks (the benchmark's path)."""
    from newsreader.library import _PARALLEL_PARSE_MIN

    lib = tmp_path / "lib"
    opml = serve_pool_feeds(feed_server, tmp_path, _PARALLEL_PARSE_MIN)
    assert run(lib, "import", str(opml)).returncode == 0
    result = spawn("refresh", library=lib, env=os.environ)  # a real, single-threaded CLI process
    assert result.returncode == 0, result.stderr
    expected = f"refreshed {_PARALLEL_PARSE_MIN} feeds: {2 * _PARALLEL_PARSE_MIN} new, 0 updated"
    assert result.stdout.startswith(expected)


def _refresh_without_certificates(lib: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    import os

    env = dict(os.environ, SSL_CERT_FILE=str(tmp_path / "missing.pem"))
    return subprocess.run(
        [sys.executable, "-m", "newsreader", "--library", str(lib), "refresh"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_unloadable_tls_certificates_are_one_clear_error(tmp_path: Path, feed_server: HTTPServer) -> None:
    from newsreader.ingest.opml import Outline, unparse

    lib = tmp_path / "lib"
    feed_server.expect_request("/c.xml").respond_with_data(rss_doc("C", [("urn:c", "C")]))
    assert run(lib, "add", feed_server.url_for("/c.xml")).returncode == 0
    # An https feed needs the certificates (a refresh of plain-http feeds loads none, below).
    opml = tmp_path / "tls.opml"
    opml.write_text(unparse([Outline("https://127.0.0.1:9/tls.xml", "TLS")]))
    assert run(lib, "import", str(opml)).returncode == 0
    result = _refresh_without_certificates(lib, tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("newsreader: error: cannot load TLS certificates:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_plain_http_refresh_loads_no_tls_certificates(tmp_path: Path, feed_server: HTTPServer) -> None:
    lib = tmp_path / "lib"
    feed_server.expect_request("/c.xml").respond_with_data(rss_doc("C", [("urn:c", "C")]))
    assert run(lib, "add", feed_server.url_for("/c.xml")).returncode == 0
    result = _refresh_without_certificates(lib, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("refreshed 1 feed: 0 new, 0 updated, 0 not modified, 0 failed")


def test_export_opml_writes_atomically_and_fails_in_one_line(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    subs = Path(__file__).resolve().parent.parent / "feeds" / "subscriptions.opml"
    assert run(lib, "import", str(subs)).returncode == 0
    out = tmp_path / "out.opml"
    out.write_text("old")
    inode = out.stat().st_ino
    assert run(lib, "export-opml", str(out)).returncode == 0
    assert out.stat().st_ino != inode and "xmlUrl" in out.read_text()  # renamed over, not rewritten
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lib", "out.opml"]  # no temp left
    missing = run(lib, "export-opml", str(tmp_path / "no" / "such" / "dir.opml"))
    assert missing.returncode == 1 and len(missing.stderr.strip().splitlines()) == 1, missing.stderr
    assert missing.stderr.startswith("newsreader: error: cannot write") and not (tmp_path / "no").exists()


def test_fetch_settings_are_read(tmp_path: Path, feed_server: HTTPServer) -> None:
    """settings.toml's max_feed_bytes and fetch_timeout reach the fetcher (they were accepted, unread)."""
    import threading

    from werkzeug import Request, Response

    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "settings.toml").write_text("max_feed_bytes = 2048\nfetch_timeout = 0.5\n")
    big = rss_doc("Big", [(f"urn:{n}", f"Item {n} " + "x" * 100) for n in range(40)])
    feed_server.expect_request("/big.xml").respond_with_data(big)
    capped = run(lib, "add", feed_server.url_for("/big.xml"))
    assert capped.returncode == 1 and "feed larger than the 2 KB size cap" in capped.stderr, capped.stderr
    release = threading.Event()

    def hang(request: Request) -> Response:
        release.wait(30)
        return Response(rss_doc("Slow", [("urn:s", "S")]))

    feed_server.expect_request("/slow.xml").respond_with_handler(hang)
    try:
        slow = run(lib, "add", feed_server.url_for("/slow.xml"))
    finally:
        release.set()
    assert slow.returncode == 1, slow.stderr
    assert "0.5 s" in slow.stderr and ("timed out" in slow.stderr or "no response" in slow.stderr), (
        slow.stderr
    )
