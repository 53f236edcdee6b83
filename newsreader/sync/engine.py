"""Two-way sync of one account, offline first: the library is the truth for the user, the server for the rest.

One sync, in this order:

1. **push**: the queue of local read/star changes goes to the server; entries are dropped only after
   the server took them, so a change made offline waits, whole, until the server answers again;
2. **feeds**: the server's subscriptions and groups become synced feed sources (groups as categories);
   a feed gone from the server goes here too;
3. **articles**: new ones page by page, each page stored before the next is asked for, so a server
   that dies mid-sync costs only the page in flight; the cursor moves only when the backend says so;
4. **state**: the server's unread and starred ids set local flags, except on articles with a queued
   local change: those win over the (older) server state, and go out with the next push.

Ids: a synced article's local id is a hash of the account and the server's id, and the mapping back
(for the push) is kept in ``LIBRARY/sync/state-NAME.json``.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from newsreader.store import READ, STARRED
from newsreader.store.records import SourceUpdate
from newsreader.sync.accounts import Account, read_state, write_private

if TYPE_CHECKING:
    from newsreader._remote import RemoteArticles
    from newsreader.library import Library
    from newsreader.models import ArticleDraft
    from newsreader.store.records import SourceRecord
    from newsreader.sync.base import Backend, RemoteItem

Progress = Callable[[str], None]
"""``progress(what is happening)``: called from the syncing thread."""

BATCH = 1000
"""Articles stored per library write during a sync: each write rewrites the headlines and indexes."""

_REFERENCE = re.compile(r"\s?\[\d+\]")


@dataclass(slots=True)
class SyncReport:
    """What one account's sync did."""

    account: str
    feeds: int = 0
    new: int = 0
    updated: int = 0
    sent: int = 0
    """Local changes the server took."""
    received: int = 0
    """Articles whose read or starred flag changed to the server's."""
    removed: int = 0
    """Feeds gone from the server, removed here."""
    waiting: int = 0
    """Local changes still queued (articles the server does not know yet)."""


def local_source_id(account: str, feed_id: str) -> str:
    return hashlib.sha256(f"remote\0{account}\0feed\0{feed_id}".encode()).hexdigest()[:12]


def local_article_id(account: str, item_id: str) -> str:
    return hashlib.sha256(f"remote\0{account}\0item\0{item_id}".encode()).hexdigest()[:12]


class SyncState:
    """Per account: the article cursor and which local id is which server id."""

    def __init__(self, library_path: Path, account: str) -> None:
        self.path = Path(library_path) / "sync" / f"state-{account}.json"
        doc = read_state(self.path)
        self.cursor: str | None = doc.get("cursor")
        self.items: dict[str, str] = dict(doc.get("items", {}))
        """local article id -> server article id."""
        self.feeds: dict[str, str] = dict(doc.get("feeds", {}))
        """server feed id -> local source id."""
        self.last_sync: float | None = doc.get("last_sync")

    def save(self) -> None:
        import orjson

        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        doc = {"cursor": self.cursor, "items": self.items, "feeds": self.feeds, "last_sync": self.last_sync}
        write_private(self.path, orjson.dumps(doc))

    def delete(self) -> None:
        self.path.unlink(missing_ok=True)


def sync_account(
    library: Library, account: Account, *, progress: Progress | None = None, batch: int = BATCH
) -> SyncReport:
    """Sync one account both ways (see the module docstring). Raises SyncError; what is done is kept.

    ``batch``: articles per library write; a server lost mid-sync costs at most the batch in flight
    (it comes again with the next sync).
    """
    from newsreader.errors import StoreLockedError
    from newsreader.store.lock import LibraryLock
    from newsreader.sync.base import SyncError

    # One sync per account at a time (the app's background sync and a `newsreader sync`, say).
    held = LibraryLock(library.path / "sync" / f"{account.name}.lock", 0.0)()
    try:
        held.__enter__()
    except StoreLockedError:
        raise SyncError(f"a sync of {account.name} is already running") from None
    try:
        return _sync_locked(library, account, progress, batch)
    finally:
        held.__exit__(None, None, None)


def _sync_locked(library: Library, account: Account, progress: Progress | None, batch: int) -> SyncReport:
    say = progress or (lambda _what: None)
    report = SyncReport(account.name)
    remote = library.remote
    state = SyncState(library.path, account.name)
    backend = account.backend()
    try:
        say(f"{account.name}: logging in")
        backend.login()
        say(f"{account.name}: sending local changes")
        report.sent, report.waiting = _push(remote, backend, state, account.name)
        say(f"{account.name}: subscriptions")
        report.feeds, report.removed = _pull_feeds(remote, backend, state, account.name)
        say(f"{account.name}: articles")
        _pull_items(remote, backend, state, account.name, report, say, batch)
        if state.feeds or not remote.sources(account.name):
            say(f"{account.name}: read and starred")
            report.received += _pull_state(remote, backend, state)
        state.last_sync = time.time()
        state.save()
    finally:
        backend.close()
    return report


def _push(remote: RemoteArticles, backend: Backend, state: SyncState, account: str) -> tuple[int, int]:
    """Send queued changes of this account's articles; returns (sent, still waiting)."""
    pending = remote.pending()
    mine = set(remote.article_ids(remote.sources(account)))
    groups: dict[tuple[str, bool], list[str]] = {}
    sent: dict[str, int] = {}
    waiting = 0
    for article_id, change in pending.items():
        if article_id not in mine:
            continue
        remote_id = state.items.get(article_id)
        if remote_id is None:
            waiting += 1
            continue
        for flag in ("read", "starred"):
            if flag in change:
                groups.setdefault((flag, bool(change[flag])), []).append(remote_id)
        sent[article_id] = int(change.get("seq", 0))
    for (flag, value), ids in sorted(groups.items()):
        backend.set_flag(ids, flag, value)
    remote.settle(sent)  # only once every group is in: a failure above resends all of it (idempotent)
    return len(sent), waiting


def _pull_feeds(remote: RemoteArticles, backend: Backend, state: SyncState, account: str) -> tuple[int, int]:
    feeds = backend.feeds()
    existing = remote.sources(account)
    now = time.time()
    records: dict[str, SourceUpdate] = {}
    for feed in feeds:
        sid = local_source_id(account, feed.id)
        category = _line(feed.category or "") or None
        record: SourceRecord = {
            "kind": "feed",
            "title": _line(feed.title) or feed.url,
            "location": feed.url,
            "site_url": feed.site_url,
            "account": account,
            "remote_id": feed.id,
            "added": existing.get(sid, {}).get("added", now),
            "last_fetched": now,
        }
        if category:
            record["category"] = category
        records[sid] = SourceUpdate(record, clear=frozenset() if category else frozenset({"category"}))
    remote.upsert({}, records)
    # A server that suddenly lists nothing is more likely broken than emptied: keep what is here.
    gone = existing.keys() - records.keys() if records else set()
    for sid in gone:
        remote.remove_source(sid)
    if records or not existing:
        state.feeds = {feed.id: local_source_id(account, feed.id) for feed in feeds}
    else:  # the flags of an empty server would mark everything here read: skip them too
        state.feeds = {}
    return len(feeds), len(gone)


def _pull_items(
    remote: RemoteArticles,
    backend: Backend,
    state: SyncState,
    account: str,
    report: SyncReport,
    say: Progress,
    batch: int,
) -> None:
    """Store new articles in batches of about ``batch``: one library write each, the cursor after it."""
    drafts: dict[str, list[ArticleDraft]] = {}
    flags: dict[str, int] = {}
    count = held = 0

    def commit(cursor: str | None) -> None:
        nonlocal held
        state.save()  # the id map before the articles: a change queued on a new article can always be sent
        if drafts:
            result = remote.upsert(drafts)
            report.new += len(result.new_ids)
            report.updated += len(result.updated_ids)
            remote.set_flags(flags)
        state.cursor = cursor
        state.save()
        drafts.clear()
        flags.clear()
        held = 0
        say(f"{account}: {count} articles")

    cursor = state.cursor
    for page, cursor in backend.items(state.cursor):
        for item in page:
            sid = state.feeds.get(item.feed_id)
            if sid is None:  # an article of a feed the server no longer lists
                continue
            article_id = local_article_id(account, item.id)
            drafts.setdefault(sid, []).append(draft_of(item, article_id))
            flags[article_id] = (READ if item.read else 0) | (STARRED if item.starred else 0)
            state.items[article_id] = item.id
        count += len(page)
        held += len(page)
        if held >= batch:
            commit(cursor)
    if held or cursor != state.cursor:
        commit(cursor)


def _pull_state(remote: RemoteArticles, backend: Backend, state: SyncState) -> int:
    server = backend.state()
    alive = set(remote.article_ids(state.feeds.values()))
    state.items = {lid: rid for lid, rid in state.items.items() if lid in alive}
    wanted = {
        lid: (0 if rid in server.unread else READ) | (STARRED if rid in server.starred else 0)
        for lid, rid in state.items.items()
    }
    return remote.set_flags(wanted)


def _line(text: str) -> str:
    from newsreader.ingest.text import clean_line, html_to_text, looks_like_html

    if looks_like_html(text):
        text = html_to_text(text, references=False)[0]
    return clean_line(text.replace("\n", " "))


def _http_url(url: str | None) -> str | None:
    if url and url.split(":", 1)[0].lower() in ("http", "https") and not any(ord(c) < 33 for c in url):
        return url
    return None


def draft_of(item: RemoteItem, article_id: str) -> ArticleDraft:
    """A server article as the library stores it: its HTML turned into text, like a feed entry's."""
    from newsreader.ingest.text import clean, cut_at_word, excerpt, html_to_text
    from newsreader.models import ArticleDraft

    url = _http_url(item.url)
    body, links = html_to_text(item.html, url) if item.html else ("", [])
    body = clean(body)
    paragraphs = [p for p in body.split("\n\n") if p.strip()]
    title = _line(item.title)
    if not title:
        title = cut_at_word(paragraphs[0].removeprefix("## "), 80) if paragraphs else "(untitled)"
    published = datetime.fromtimestamp(item.published, UTC) if item.published else None
    return ArticleDraft(
        id=article_id,
        title=cut_at_word(title, 300),
        body=body,
        excerpt=excerpt([_REFERENCE.sub("", p) for p in paragraphs if not p.startswith("## ")]),
        author=_line(item.author or "") or None,
        published=published,
        url=url,
        links=tuple(links),
    )
