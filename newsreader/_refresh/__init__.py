"""The refresh pipeline behind ``Library.refresh`` and ``Library.subscribe``.

Private. :mod:`.pool` downloads and parses (async fetches, a process pool for big runs);
:mod:`.decide` says, as a pure function, what each feed's source record becomes; this module ties
them to the store: which feeds to ask, then one locked, batched write of everything that changed.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, cast

from newsreader._refresh.decide import decide
from newsreader._refresh.pool import PARALLEL_PARSE_MIN, ProgressCallback, fetch_and_parse, run_async
from newsreader.errors import UserInputError
from newsreader.models import FeedResult, RefreshReport, Source, SourceKind
from newsreader.store.records import SourceField, SourceRecord, SourceUpdate

if TYPE_CHECKING:
    from newsreader.ingest.fetch import Fetcher, FetchRequest
    from newsreader.library import Library

__all__ = ["DEFAULT_CONCURRENCY", "PARALLEL_PARSE_MIN", "PER_HOST", "check_feed_url", "refresh", "subscribe"]

DEFAULT_CONCURRENCY = 64
"""Downloads in flight during a refresh: a warm refresh is 304s, bound by round trips, not CPU."""
PER_HOST = 64
"""Downloads in flight to one host. As high as the overall default because a warm refresh of many
feeds on one host (the benchmark's farm, a self-hosted aggregator) is bound by its round trips;
``--concurrency`` lowers both."""
_SAVED_COPY_FIELDS: frozenset[SourceField] = frozenset({"format", "feed_url", "imported"})


def _fetcher(lib: Library, concurrency: int | None = None) -> Fetcher:
    from newsreader.ingest.fetch import Fetcher

    if concurrency is None:
        return Fetcher(timeout=lib.fetch_timeout, max_bytes=lib.max_feed_bytes)
    return Fetcher(
        concurrency=concurrency, per_host=PER_HOST, timeout=lib.fetch_timeout, max_bytes=lib.max_feed_bytes
    )


def _plan(feeds: dict[str, SourceRecord], wall: float) -> tuple[list[FetchRequest], list[FeedResult]]:
    """Feeds to fetch, and those skipped (gone, or asked to wait) with their report lines."""
    from newsreader.ingest.fetch import FetchRequest

    skipped: list[FeedResult] = []
    requests: list[FetchRequest] = []
    for sid, rec in feeds.items():
        title, location = rec.get("title") or rec.get("location", sid), rec.get("location", "")
        if rec.get("gone"):
            skipped.append(FeedResult(sid, location, title, error=rec.get("error") or "gone"))
        elif (retry_at := _pending_retry(rec.get("retry_at"), wall)) is not None:
            when = _local_when(retry_at)
            skipped.append(
                FeedResult(sid, location, title, error=f"skipped: the server asked to wait until {when}")
            )
        elif not isinstance(location, str):  # a hand-edited or foreign library: this feed, not the refresh
            skipped.append(FeedResult(sid, str(location), str(title), error="no URL stored for this feed"))
        else:
            etag, modified = rec.get("etag"), rec.get("last_modified")
            requests.append(
                FetchRequest(
                    sid,
                    location,
                    etag if isinstance(etag, str) else None,
                    modified if isinstance(modified, str) else None,
                )
            )
    return requests, skipped


def refresh(
    lib: Library,
    concurrency: int | None,
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
    on_feed: Callable[[FeedResult], None] | None,
    only: Collection[str] | None = None,
) -> RefreshReport:
    """See ``Library.refresh``."""
    from newsreader.organise.schedule import with_failures
    from newsreader.store import CommitResult

    store = lib._store
    feeds = {
        sid: rec
        for sid, rec in store.sources().items()
        if rec.get("kind") == "feed"
        and not rec.get("account")  # a server's feeds come by sync
        and (only is None or sid in only)
    }
    requests, skipped = _plan(feeds, time.time())
    fetcher = _fetcher(lib, concurrency or DEFAULT_CONCURRENCY)
    outcomes = run_async(
        fetch_and_parse(fetcher, requests, feeds, store.headlines, progress, cancel, on_feed, len(feeds))
    )
    now = lib.now()
    commit = CommitResult()  # nothing new, nothing updated (unless drafts say otherwise)
    with store.locked() if outcomes else contextlib.nullcontext():
        current = store.sources()
        outcomes = [o for o in outcomes if o.source_id in current]  # removed meanwhile
        drafts = {o.source_id: o.drafts for o in outcomes if o.drafts}
        updates = {
            o.source_id: with_failures(  # the backoff of a failing feed (organise.schedule)
                decide(current[o.source_id], o.fetch, o.parsed, o.result.error, now),
                current[o.source_id],
                ok=not o.result.error,
                manual=only is None,
            )
            for o in outcomes
        }
        if drafts:
            commit = store.commit(drafts, now=now, update=True, sources=updates)
        elif updates:  # all 304s or errors: only the small sources file changes
            store.update_sources(updates)
    if commit.new_ids or commit.updated_ids:  # a warm refresh need not even load the search module
        lib._after_commit(commit.new_ids + commit.updated_ids, new=commit.new_ids)
    results = []
    for o in outcomes:
        new, updated, _present = commit.per_source.get(o.source_id, (0, 0, 0))
        results.append(replace(o.result, new=new, updated=updated))
    if progress is not None:
        progress(len(feeds), len(feeds), "")
    return RefreshReport(tuple(results) + tuple(skipped))


def subscribe(lib: Library, url: str) -> str:
    """Fetch a feed once and store it as a subscription; returns its source id (see ``Library.subscribe``)."""
    from newsreader.errors import FetchError, ParseError
    from newsreader.ingest.feed import parse_feed
    from newsreader.ingest.feed import source_id_for as feed_id
    from newsreader.ingest.fetch import FetchRequest

    url = check_feed_url(url)
    sid = feed_id(url)
    existing = lib._find_feed(url)
    if existing is not None:
        raise UserInputError(f"already subscribed to {url} (as {existing})")
    result = run_async(_fetcher(lib).fetch_all([FetchRequest(sid, url)]))[0]
    if result.content is None:
        raise FetchError(f"{url}: {result.error or 'nothing downloaded'}")
    try:
        parsed = parse_feed(
            result.content, source_id=sid, url=result.final_url or url, content_type=result.content_type
        )
    except ParseError as exc:
        raise ParseError(f"{url}: {exc}") from exc
    now = lib.now()
    record: SourceRecord = {
        "kind": SourceKind.FEED.value,
        "title": parsed.title or host(url),
        "location": result.moved_to or url,
        "added": now.timestamp(),
        "site_url": parsed.site_url,
        "last_fetched": now.timestamp(),
        "etag": result.etag,
        "last_modified": result.last_modified,
        "warning": parsed.warning,
    }
    clear: frozenset[SourceField] = frozenset()
    saved = lib._store.sources().get(sid)  # a saved copy of this feed, imported from a file
    if saved is not None:  # it becomes the subscription: its file-import fields and stale links go
        record["added"] = saved.get("added", record["added"])
        missing = frozenset(cast(SourceField, k) for k, v in record.items() if v is None)
        clear = _SAVED_COPY_FIELDS | missing
    with lib._store.locked():
        if lib._find_feed(url) is not None:  # another process was quicker
            raise UserInputError(f"already subscribed to {url}")
        commit = lib._store.commit(
            {sid: list(parsed.drafts)}, now=now, sources={sid: SourceUpdate(record, clear)}
        )
    lib._after_commit(commit.new_ids)
    return sid


def check_feed_url(url: str) -> str:
    """``url`` stripped, if it is an http(s) URL with a host and a valid port.

    Raises:
        InvalidFeedURLError: it is not (or is not UTF-8).
    """
    from newsreader._import import shown
    from newsreader.errors import InvalidFeedURLError
    from newsreader.urls import NOT_UTF8, typed_url_problem

    url = url.strip()
    problem = typed_url_problem(url)
    if problem == NOT_UTF8:
        raise InvalidFeedURLError(f"not an http(s) feed URL: {shown(url)!r} (not UTF-8)")
    if problem is not None:
        raise InvalidFeedURLError(f"not an http(s) feed URL: {url!r}")
    return url


def host(url: str) -> str:
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url


def _pending_retry(value: object, wall: float) -> float | None:
    """A stored ``retry_at`` still in the future, or ``None``.

    What is not a number, or lies further ahead than any Retry-After is allowed to reach (a value
    stored before the clamp, or edited by hand), is ignored: the feed is fetched, never a crash.
    """
    from newsreader.ingest.fetch import MAX_RETRY_AFTER

    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not wall < value <= wall + MAX_RETRY_AFTER:  # also False for NaN
        return None
    return float(value)


def _local_when(ts: float) -> str:
    """``16:04`` today, ``2026-12-04 16:04`` on another day."""
    when = datetime.fromtimestamp(ts)
    return when.strftime("%H:%M" if when.date() == datetime.now().date() else "%Y-%m-%d %H:%M")


def feed_source(lib: Library, sid: str) -> Source:
    from newsreader.errors import FeedNotFoundError

    for source in lib.feeds():
        if source.id == sid:
            return source
    raise FeedNotFoundError(f"no subscription with id {sid!r}")
