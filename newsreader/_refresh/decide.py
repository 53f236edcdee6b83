"""What a refresh writes for one feed: a pure function of what was stored, fetched, parsed, and when.

No network, no store, no clock: :func:`decide` gets everything as arguments (in the spirit of
reader's ``_update.Decider``), so every rule below is tested on plain values.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from newsreader.store.records import SourceField, SourceRecord, SourceUpdate

if TYPE_CHECKING:
    from newsreader.ingest.feed import ParsedFeed
    from newsreader.ingest.fetch import FetchResult


def decide(
    old: SourceRecord,
    fetch: FetchResult,
    parsed: ParsedFeed | None,
    error: str | None,
    now: datetime,
) -> SourceUpdate:
    """The change to a feed's source record after one fetch (and parse).

    Args:
        old: the record as stored before this refresh.
        fetch: what the download gave (status, validators, redirect, Retry-After).
        parsed: the parsed feed, or ``None`` (304, or an error).
        error: the feed's error sentence (download or parse), or ``None``.
        now: the refresh's clock.

    Rules: ``last_fetched`` is always now, and ``retry_at`` is what the server last asked (or
    cleared); a permanent redirect moves ``location``; an error is recorded (410 also marks the
    feed gone) and keeps the old validators; a success clears the error and stores the new
    validators, the parser's warning and site link, and the feed's own title when the user's title is
    still only the URL or host it was given at subscription.
    """
    values: SourceRecord = {"last_fetched": now.timestamp()}
    clear: set[SourceField] = set()
    if fetch.retry_at is not None:
        values["retry_at"] = fetch.retry_at
    else:
        clear.add("retry_at")
    if fetch.moved_to:
        values["location"] = fetch.moved_to
    if error:
        values["error"] = error
        if fetch.gone:
            values["gone"] = True
        return SourceUpdate(values, frozenset(clear))
    clear |= {"error", "gone"}
    for name, value in (("etag", fetch.etag), ("last_modified", fetch.last_modified)):
        if value is not None:
            values[name] = value  # type: ignore[literal-required]
        else:
            clear.add(name)  # type: ignore[arg-type]
    if parsed is not None:
        if parsed.warning is not None:
            values["warning"] = parsed.warning
        else:
            clear.add("warning")
        if parsed.site_url:
            values["site_url"] = parsed.site_url
        if parsed.title and _title_is_placeholder(old):
            values["title"] = parsed.title
    return SourceUpdate(values, frozenset(clear))


def _title_is_placeholder(old: SourceRecord) -> bool:
    """No title, or only the URL or host the feed was subscribed with (not one the user chose)."""
    from urllib.parse import urlsplit

    if old.get("renamed"):
        return False
    title = old.get("title")
    location = old.get("location") or ""
    try:
        host = urlsplit(location).hostname or location
    except ValueError:
        host = location
    return not title or title in (location, host)
