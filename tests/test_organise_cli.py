"""The organise commands as a user runs them: `newsreader --library TMP ...` (run in process),
against the repo's feeds/ folder and feeds served on loopback."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from pytest_httpserver import HTTPServer

from tests.cli_support import invoke
from tests.conftest import FEEDS
from tests.feed_helpers import feed_server, feed_server_session, rss_doc

__all__ = ["feed_server", "feed_server_session"]  # fixtures, imported for pytest


def run(library: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``newsreader --library LIB ARGS`` with this process's environment, run in process."""
    return invoke(*args, library=library, env=os.environ)


def ok(library: Path, *args: str) -> str:
    done = run(library, *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def listed(library: Path, *args: str) -> list[dict[str, object]]:
    return json.loads(ok(library, "list", "--json", *args))  # type: ignore[no-any-return]


def _imported(tmp_path: Path) -> Path:
    lib = tmp_path / "lib"
    ok(lib, "import", str(FEEDS))
    return lib


def test_tag_list_search_and_saved(tmp_path: Path) -> None:
    lib = _imported(tmp_path)
    articles = listed(lib)
    first, second = str(articles[0]["id"]), str(articles[1]["id"])
    assert all(a["tags"] == [] for a in articles)
    assert ok(lib, "tag", first, second, "+Later", "+keep").strip() == "2 articles changed"
    assert ok(lib, "tag", first, "-keep").strip() == "1 article changed"
    tags = {a["id"]: a["tags"] for a in listed(lib)}
    assert tags[first] == ["later"] and tags[second] == ["keep", "later"]
    found = json.loads(ok(lib, "search", "--json", "tag:later", "-tag:keep"))
    assert [hit["id"] for hit in found] == [first]
    assert found[0]["tags"] == ["later"]  # search hits carry their tags too

    assert "saved 'later'" in ok(lib, "saved", "add", "later", "tag:later")
    ok(lib, "saved", "add", "harbour", "harbour", "-storm")
    saved = json.loads(ok(lib, "saved", "list", "--json"))
    assert saved == [{"name": "harbour", "query": "harbour -storm"}, {"name": "later", "query": "tag:later"}]
    assert {a["id"] for a in listed(lib, "--saved", "later")} == {first, second}
    ok(lib, "saved", "remove", "later")
    gone = run(lib, "list", "--saved", "later")
    assert gone.returncode == 1 and gone.stderr.count("\n") == 1 and "no saved search named" in gone.stderr


def test_bad_tags_and_saved_searches_are_one_line(tmp_path: Path) -> None:
    lib = _imported(tmp_path)
    article = str(listed(lib)[0]["id"])
    for args in (
        ("tag", article, "later"),
        ("tag", article, "+two words"),
        ("tag", "+x"),
        ("tag", "ffffffffffff", "+x"),
        ("saved", "add", "x", "is:bogus"),
        ("saved", "remove", "nope"),
    ):
        done = run(lib, *args)
        assert done.returncode == 1, args
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, (args, done.stderr)


def _settings(lib: Path, text: str) -> None:
    lib.mkdir(parents=True, exist_ok=True)
    (lib / "settings.toml").write_text(text, encoding="utf-8")


RULES = """
[[rules]]
name = "hide ferries"
query = "ferry"
action = "hide"

[[rules]]
query = "harbour"
action = "tag:harbour"
"""


def test_rules_apply_dry_run_then_for_real(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    ok(lib, "import", str(FEEDS))  # no rules yet: nothing hidden
    _settings(lib, RULES)
    ferries = {str(h["id"]) for h in json.loads(ok(lib, "search", "--json", "--limit", "100", "ferry"))}
    assert ferries
    dry = json.loads(ok(lib, "rules", "apply", "--dry-run", "--json"))
    assert dry["dry_run"] is True
    per_rule = {r["name"]: r for r in dry["rules"]}
    assert per_rule["hide ferries"]["matched"] == len(ferries) == per_rule["hide ferries"]["changed"]
    assert {a["id"] for a in listed(lib)} >= ferries  # a dry run changed nothing
    text = ok(lib, "rules", "apply")
    assert f"hide ferries (hide): {len(ferries)} matched, {len(ferries)} changed" in text
    assert not {a["id"] for a in listed(lib)} & ferries  # hidden: out of lists
    assert not json.loads(ok(lib, "search", "--json", "ferry"))  # and out of search results
    hidden = {str(h["id"]) for h in json.loads(ok(lib, "search", "--json", "--limit", "100", "is:hidden"))}
    assert hidden == ferries
    again = json.loads(ok(lib, "rules", "apply", "--json"))
    assert all(r["changed"] == 0 for r in again["rules"])  # applying twice changes nothing more


def test_rules_apply_at_import_and_a_bad_rule_stops_first(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    _settings(lib, RULES)
    ok(lib, "import", str(FEEDS))
    assert not json.loads(ok(lib, "search", "--json", "ferry"))  # hidden as they arrived
    tagged = [a for a in listed(lib) if a["tags"] == ["harbour"]]
    assert tagged
    _settings(lib, '[[rules]]\nname = "broken"\nquery = "is:bogus"\naction = "hide"\n')
    for args in (("import", str(FEEDS)), ("rules", "apply"), ("refresh",)):
        done = run(lib, *args)
        assert done.returncode == 1, args
        assert done.stderr.count("\n") == 1 and "rule 1 ('broken')" in done.stderr


def test_prune_keeps_what_matters_and_the_index_agrees(tmp_path: Path) -> None:
    lib = _imported(tmp_path)
    articles = listed(lib)
    total = len(articles)
    ids = [str(a["id"]) for a in articles]
    ok(lib, "mark", *ids, "--read")
    keep_starred, keep_tagged, keep_unread = ids[-1], ids[-2], ids[-3]
    ok(lib, "mark", keep_starred, "--star")
    ok(lib, "tag", keep_tagged, "+keep")
    ok(lib, "mark", keep_unread, "--unread")
    _settings(lib, "keep_articles = 1\n")
    dry = json.loads(ok(lib, "prune", "--dry-run", "--json"))
    assert dry["ids"] and not {keep_starred, keep_tagged, keep_unread} & set(dry["ids"])
    assert len(listed(lib)) == total
    assert ok(lib, "prune").strip() == f"dropped {len(dry['ids'])} articles"
    left = {str(a["id"]) for a in listed(lib)}
    assert left == set(ids) - set(dry["ids"]) and {keep_starred, keep_tagged, keep_unread} <= left
    searched = {str(h["id"]) for h in json.loads(ok(lib, "search", "--json", "--limit", "500", "-zzzz"))}
    assert searched == left  # the index dropped the same articles


def _fetched_ago(lib: Path, title: str, seconds: float) -> None:
    """Move a feed's last fetch back in time, as if the clock had moved on (sources.json is the record)."""
    import time

    path = lib / "sources.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    for rec in doc["sources"].values():
        if rec.get("title") == title:
            rec["last_fetched"] = time.time() - seconds
    path.write_text(json.dumps(doc), encoding="utf-8")


def test_interval_due_and_backoff(tmp_path: Path, feed_server: HTTPServer) -> None:
    lib = tmp_path / "lib"
    feed_server.expect_request("/a.xml").respond_with_data(rss_doc("Alpha", [("urn:1", "One")]))
    feed_server.expect_request("/b.xml").respond_with_data(rss_doc("Beta", [("urn:2", "Two")]))
    ok(lib, "add", feed_server.url_for("/a.xml"))
    ok(lib, "add", feed_server.url_for("/b.xml"))
    shown = json.loads(ok(lib, "feed", "Alpha", "--interval", "2h", "--json"))
    assert shown["interval"] == "2h"
    assert json.loads(ok(lib, "feed", "Beta", "--json"))["interval"] == "1h"  # the default
    bad = run(lib, "feed", "Beta", "--interval", "2x")
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "not an interval" in bad.stderr
    assert "nothing due" in ok(lib, "refresh", "--due")  # both fetched just now

    _fetched_ago(lib, "Alpha", 90 * 60)  # 1.5 h ago: under its 2 h
    _fetched_ago(lib, "Beta", 90 * 60)  # over the default hour
    feed_server.clear()
    feed_server.expect_request("/b.xml").respond_with_data(b"", 500)
    due = ok(lib, "refresh", "--due")
    assert "refreshed 1 feed" in due and "1 failed" in due
    assert [r.path for r, _ in feed_server.log] == ["/b.xml"]  # Alpha was not due
    beta = json.loads(ok(lib, "feed", "Beta", "--json"))
    assert beta["failures"] == 1 and beta["backoff"] == "2h"
    assert "backing off" in ok(lib, "feed", "Beta")
    _fetched_ago(lib, "Beta", 90 * 60)  # backing off for 2 h: not due after 1.5 h
    assert "nothing due" in ok(lib, "refresh", "--due")

    feed_server.clear()
    feed_server.expect_request("/a.xml").respond_with_data(rss_doc("Alpha", [("urn:1", "One")]))
    feed_server.expect_request("/b.xml").respond_with_data(rss_doc("Beta", [("urn:2", "Two")]))
    ok(lib, "refresh")  # a manual refresh fetches every feed; Beta's success ends the backoff
    assert json.loads(ok(lib, "feed", "Beta", "--json"))["failures"] == 0
