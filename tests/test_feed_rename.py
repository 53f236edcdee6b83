"""Renaming a source (issue 13, "feeds in the app"): `newsreader feed FEED --title T` (run in process),
for a subscription served on loopback and for an imported dump, and the name surviving what used to
overwrite it (a refresh, a re-import of a feed file)."""

from __future__ import annotations

import json
from pathlib import Path

from pytest_httpserver import HTTPServer

from newsreader.library import Library
from tests.feed_helpers import feed_server, feed_server_session, rss_doc
from tests.test_organise_cli import ok, run

__all__ = ["feed_server", "feed_server_session"]  # fixtures, imported for pytest


def test_feed_title_renames_a_subscription_and_a_refresh_keeps_it(
    tmp_path: Path, feed_server: HTTPServer
) -> None:
    lib = tmp_path / "lib"
    feed_server.expect_request("/g.xml").respond_with_data(rss_doc("Harbour Gazette", [("urn:1", "One")]))
    ok(lib, "add", feed_server.url_for("/g.xml"))
    out = ok(lib, "feed", "Harbour Gazette", "--title", "The Gazette \x1b[31m(local)")
    assert out.splitlines()[0].startswith("The Gazette (local)  (")  # the escape is dropped
    ok(lib, "refresh")
    feeds = json.loads(ok(lib, "feeds", "--json"))
    assert [f["title"] for f in feeds] == ["The Gazette (local)"]
    listed = json.loads(ok(lib, "list", "--json"))
    assert listed[0]["feed"] == "The Gazette (local)"
    assert json.loads(ok(lib, "feed", feeds[0]["id"], "--json"))["title"] == "The Gazette (local)"


def test_feed_title_renames_an_imported_dump_and_a_reimport_keeps_it(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    dump = tmp_path / "saved-feed.xml"
    dump.write_bytes(rss_doc("Saved Copy", [("urn:a", "Alpha")]))
    ok(lib, "import", str(dump))
    shown = ok(lib, "feed", "Saved Copy", "--title", "Old harbour feed")
    assert shown.splitlines()[0].startswith("Old harbour feed  (")
    assert "file:" in shown
    dump.write_bytes(rss_doc("Saved Copy", [("urn:a", "Alpha"), ("urn:b", "Beta")]))
    ok(lib, "import", str(dump))
    titles = {a["feed"] for a in json.loads(ok(lib, "list", "--json"))}
    assert titles == {"Old harbour feed"}


def test_feed_title_refuses_an_empty_name_and_feed_options_on_a_dump(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    dump = tmp_path / "notes.txt"
    dump.write_text("A note\n\nSome text for the note, long enough to be an article body.\n")
    ok(lib, "import", str(dump))
    empty = run(lib, "feed", "notes.txt", "--title", "  ")
    assert empty.returncode == 1 and "cannot be empty" in empty.stderr
    assert "Traceback" not in empty.stderr
    options = run(lib, "feed", "notes.txt", "--interval", "2h")
    assert options.returncode == 1 and "imported dump" in options.stderr and "--interval" in options.stderr
    assert Library(lib).sources()[0].title == "Notes"  # nothing changed: its readable default name
