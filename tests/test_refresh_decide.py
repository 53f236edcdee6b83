"""What a refresh writes for one feed, decided without a network (newsreader._refresh.decide)."""

from __future__ import annotations

from datetime import UTC, datetime

from newsreader._refresh.decide import decide
from newsreader.ingest.feed import parse_feed
from newsreader.ingest.fetch import FetchResult
from newsreader.store.records import SourceRecord, SourceUpdate
from tests.feed_helpers import rss_doc

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
OLD: SourceRecord = {
    "kind": "feed",
    "title": "example.org",
    "location": "https://example.org/feed.xml",
    "etag": '"v1"',
    "error": "HTTP 500 Internal Server Error",
    "retry_at": NOW.timestamp() + 60,
}
PARSED = parse_feed(rss_doc("Tide Tables", [("urn:1", "High water")]), source_id="s", url=OLD["location"])


def test_a_200_clears_the_error_stores_validators_and_the_feed_title() -> None:
    fetch = FetchResult("s", OLD["location"], status=200, content=b"x", etag='"v2"')
    update = decide(OLD, fetch, PARSED, None, NOW)
    after = update.apply(OLD)
    assert after["title"] == "Tide Tables"  # the host was a placeholder, the feed's title replaces it
    assert after["etag"] == '"v2"' and "last_modified" not in after
    assert "error" not in after and "retry_at" not in after and "gone" not in after
    assert after["last_fetched"] == NOW.timestamp()
    assert {"error", "gone", "retry_at", "last_modified"} <= update.clear


def test_a_title_the_user_chose_is_kept() -> None:
    old: SourceRecord = {**OLD, "title": "My tides"}
    fetch = FetchResult("s", OLD["location"], status=200, content=b"x")
    assert decide(old, fetch, PARSED, None, NOW).apply(old)["title"] == "My tides"


def test_an_error_is_recorded_and_keeps_the_validators() -> None:
    fetch = FetchResult("s", OLD["location"], status=503, retry_at=NOW.timestamp() + 3600, error="HTTP 503")
    after = decide(OLD, fetch, None, "HTTP 503", NOW).apply(OLD)
    assert after["error"] == "HTTP 503" and after["etag"] == '"v1"'
    assert after["retry_at"] == NOW.timestamp() + 3600 and not after.get("gone")


def test_410_marks_the_feed_gone_and_a_permanent_redirect_moves_it() -> None:
    gone = FetchResult("s", OLD["location"], status=410, gone=True, error="410 Gone")
    assert decide(OLD, gone, None, "410 Gone", NOW).apply(OLD)["gone"] is True
    moved = FetchResult("s", OLD["location"], status=304, not_modified=True, moved_to="https://new.example/f")
    update = decide(OLD, moved, None, None, NOW)
    assert update.apply(OLD)["location"] == "https://new.example/f"
    assert update.apply(OLD)["title"] == "example.org"  # a 304 parses nothing: the title stays


def test_an_update_never_stores_none_and_clears_only_what_it_says() -> None:
    update = SourceUpdate({"title": "T", "site_url": None}, clear=frozenset({"etag"}))
    assert update.apply({"etag": "x", "site_url": "https://a/", "error": "e"}) == {
        "title": "T",
        "site_url": "https://a/",
        "error": "e",
    }
