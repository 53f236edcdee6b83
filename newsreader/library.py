"""The one door to the data: the TUI and the CLI call this facade and nothing below it.

Methods check their arguments, then delegate: reads to the store (records become models through
``store.records``), imports to :mod:`newsreader._import`, subscribing and refreshing to
:mod:`newsreader._refresh`. Writes are batched (one per import batch or refresh) and serialised by the
store's lock, so a CLI ``import`` and the TUI can run at once.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from newsreader import _lookup
from newsreader._counting import CountingMixin
from newsreader._import import (
    DUMP_SUFFIXES,
    FEED_SUFFIXES,
    MAX_DUMP_BYTES,
    OPML_SUFFIXES,
    ProgressCallback,
    shown,
    source_id_for,
)
from newsreader._lookup import ArticleList, StateChange
from newsreader._refresh.pool import PARALLEL_PARSE_MIN as _PARALLEL_PARSE_MIN  # noqa: F401  (tests read it)
from newsreader._search import SearchMixin
from newsreader.errors import UserInputError
from newsreader.models import (
    Article,
    Enclosure,
    FeedResult,
    ImportReport,
    RefreshReport,
    Source,
    SourceKind,
    utcnow,
)
from newsreader.organise.facade import OrganiseMixin
from newsreader.store.records import HeadlineRecord, article_from

if TYPE_CHECKING:
    from newsreader._remote import RemoteArticles
    from newsreader.organise.rules import Rule
    from newsreader.search import SearchIndex

__all__ = [
    "DUMP_SUFFIXES",
    "FEED_SUFFIXES",
    "MAX_DUMP_BYTES",
    "OPML_SUFFIXES",
    "ArticleList",
    "Library",
    "ProgressCallback",
    "StateChange",
    "shown",
    "source_id_for",
]

log = logging.getLogger(__name__)

_Item = tuple[str, HeadlineRecord]


class Library(CountingMixin, SearchMixin, OrganiseMixin):
    """A newsreader library folder. Thread-safe; safe to share with other processes.

    Search: ``SearchMixin``; tags, saved searches, rules and retention: ``OrganiseMixin``
    (``newsreader.organise``).

    Args:
        path: the library folder; created on first write.
        lock_timeout: seconds to wait for another process's write lock before ``StoreLockedError``.
        fetch_timeout: seconds one feed download may take in all (settings.toml ``fetch_timeout``).
        max_feed_bytes: size cap of one feed download (settings.toml ``max_feed_bytes``).
        rules: applied to new articles by every import and refresh (settings.toml ``[[rules]]``).
    """

    now: Callable[[], datetime] = staticmethod(utcnow)
    """The clock (tests replace it)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        lock_timeout: float = 10.0,
        fetch_timeout: float = 20.0,
        max_feed_bytes: int = 10 * 1024 * 1024,
        rules: Sequence[Rule] = (),
    ) -> None:
        from newsreader.store import Store

        if fetch_timeout <= 0 or max_feed_bytes < 1:
            raise UserInputError("fetch_timeout and max_feed_bytes must be positive")
        self.fetch_timeout = fetch_timeout
        self.max_feed_bytes = max_feed_bytes
        self.rules = tuple(rules)
        self.path = Path(path)
        if self.path.exists() and not self.path.is_dir():
            raise UserInputError(f"library path {shown(self.path)} is a file, not a folder")
        self._store = Store(self.path, lock_timeout=lock_timeout)
        self._search: SearchIndex | None = None
        self._search_lock = threading.Lock()
        self._init_counting()

    def __repr__(self) -> str:
        return f"Library({str(self.path)!r})"

    # -- reading -----------------------------------------------------------------------------

    def resolve_source(self, name: str, /) -> str:
        """A source id from an id, URL/path or title (case-insensitive).

        Raises:
            UserInputError: nothing matches, or several sources do.
        """
        return _lookup.resolve_source(name, self._store.sources())

    def articles(
        self,
        *,
        source: str | None = None,
        unread: bool = False,
        starred: bool = False,
        limit: int | None = None,
    ) -> ArticleList:
        """Headlines (no bodies), newest first; a dump's articles keep file order among equal dates.

        Returns a lazy :class:`ArticleList` (a ``Sequence[Article]``): sorting is done on the raw
        records and each Article is built when first looked at.

        Args:
            source: a source id, URL/path, or title (case-insensitive); ``None`` for all.
            unread: only unread articles.
            starred: only starred articles.
            limit: at most this many; ``None`` for every match.
        """
        if limit is not None and limit < 0:
            raise UserInputError(f"--limit must be 0 or more, not {limit}")
        state = self._store.state()
        sources = self._store.sources()
        source_id = self.resolve_source(source) if source is not None else None
        tags = self._store.tags()
        # A first page is told from the newest records alone (the head), when they suffice.
        head = self._store.head() if limit else None
        chosen = None
        if head is not None and limit:
            chosen = _lookup.newest_from_head(
                head, state, source_id=source_id, unread=unread, starred=starred, limit=limit
            )
        headlines = self._headlines() if chosen is None else {}
        if chosen is None and limit is not None:
            chosen = _lookup.newest_first(
                headlines, state, source_id=source_id, unread=unread, starred=starred, limit=limit
            )
        if chosen is not None:
            build = self._builder(state, sources, tags, len(chosen))
            return ArticleList(chosen, build, state=state, sources=sources)
        ids = _lookup.newest_ids(headlines, state, source_id=source_id, unread=unread, starred=starred)
        build = self._builder(state, sources, tags, len(ids))
        return ArticleList.from_ids(ids, headlines, build, state=state, sources=sources)

    def _resolve(self, article_id: str, headlines: Mapping[str, HeadlineRecord]) -> str:
        return _lookup.resolve_article(article_id, headlines, shown(self.path))

    def get(self, article_id: str, /) -> Article:
        """One article with its body. ``article_id`` may be a unique prefix of 4+ characters.

        Raises:
            ArticleNotFoundError: no article, or the prefix matches several.
        """
        with self._store.reading():
            return self._get(article_id)

    def _get(self, article_id: str, /) -> Article:
        from dataclasses import replace

        headlines = self._store.headlines()
        full = self._resolve(article_id, headlines)
        flags = self._store.state().get(full, 0)
        tags = self._store.tags().get(full, ())
        article = article_from(full, headlines[full], flags, self._store.sources(), tags)
        linked = headlines[full].get("full_article")
        body = self._store.body(linked if linked in headlines else full) or {}
        if linked in headlines:  # a teaser shows the full article it was linked to
            article = replace(article, full_article=linked, truncated=False)
        return replace(
            article,
            body=body.get("body", ""),
            author_note=body.get("author_note"),
            credits=tuple(body.get("credits", ())),
            links=tuple(body.get("links", ())),
            enclosures=tuple(
                Enclosure(e["url"], e.get("type"), e.get("length")) for e in body.get("enclosures", ())
            ),
        )

    def sources(self) -> list[Source]:
        """Feeds and imported dumps with article and unread counts, feeds first, then by title."""
        return self.tally()[0]

    # -- importing ---------------------------------------------------------------------------

    def import_paths(
        self,
        paths: Sequence[str | os.PathLike[str]],
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> ImportReport:
        """Import dumps, feed files, OPML files and directories (every known file below them).

        Dumps are committed in batches of a few thousand articles, so a crash loses at most the batch in
        flight; a file that cannot be read is reported and the rest go on.
        """
        from newsreader import _import

        return _import.import_paths(self, paths, progress, cancel)

    def _after_commit(self, article_ids: Sequence[str], *, new: Sequence[str] | None = None) -> None:
        """Bring derived data (the search index) up to date with freshly committed articles, fetch
        full text for feeds that want it and link teasers, then apply the rules to the ``new`` ones
        (default: all of ``article_ids``)."""
        from newsreader.extract.auto import after_commit

        self._index_articles(article_ids)
        after_commit(self, article_ids)
        fresh = article_ids if new is None else new
        if self.rules and fresh:
            self._rules_at_ingest(fresh)

    # -- reading state -----------------------------------------------------------------------

    def mark(
        self,
        article_ids: Iterable[str],
        /,
        *,
        read: bool | None = None,
        starred: bool | None = None,
    ) -> int:
        """Set reading state on articles in one durable write; returns how many changed.

        Ids may be unique prefixes. Raises ``ArticleNotFoundError`` (and changes nothing) if any is unknown.
        """
        if read is None and starred is None:
            raise UserInputError("nothing to mark: say read, unread, star or unstar")
        headlines = self._store.headlines()
        ids = [self._resolve(i, headlines) for i in article_ids]
        self.remote.record(ids, read=read, starred=starred)  # queued for the server before the change
        return self._store.set_state(ids, read=read, starred=starred)

    def mark_source_read(self, source_id: str | None, /) -> int:
        """Mark every article of a source (``None``: every article) read; returns how many changed."""
        return self.mark_source_read_counted(source_id).changed

    def delete(self, article_ids: Iterable[str], /) -> int:
        """Delete articles for the reader: out of every list, count and search, for good (the app's
        ``D``). They stay as hidden marks (``is:hidden``, dropped by ``prune``) rather than going:
        a refresh or a re-import would bring back an article that left no trace. Returns how many."""
        headlines = self._store.headlines()
        ids = [self._resolve(i, headlines) for i in article_ids]
        return self._store.apply_marks(hidden=ids)

    @property
    def remote(self) -> RemoteArticles:
        """Articles synced from servers and the queue of local changes to send (``newsreader.sync``)."""
        from newsreader._remote import RemoteArticles

        remote: RemoteArticles | None = self.__dict__.get("_remote")
        if remote is None:
            remote = self.__dict__.setdefault("_remote", RemoteArticles(self))
        return remote

    # -- feeds -------------------------------------------------------------------------------

    def subscribe(self, url: str, /) -> Source:
        """Subscribe to an RSS/Atom feed: fetch it once, store its title and entries.

        A failed first fetch leaves no subscription behind (nothing half-made to clean up); the
        error says why, and the user can try again.

        Raises:
            InvalidFeedURLError: not an http(s) URL.
            UserInputError: already subscribed.
            FetchError: the download failed (network, HTTP status, size cap, timeout).
            ParseError: the document is not a feed.
        """
        from newsreader import _refresh

        return _refresh.feed_source(self, _refresh.subscribe(self, url))

    def unsubscribe(self, url_or_id: str, /) -> Source:
        """Remove a subscription and its articles; returns it as it was.

        Raises:
            FeedNotFoundError: no subscription has that URL, id or unique id prefix.
        """
        from newsreader.errors import FeedNotFoundError

        sid = self._find_feed(url_or_id.strip()) if _encodable(url_or_id) else None
        if sid is None:
            raise FeedNotFoundError(f"no subscription matches {shown(url_or_id)!r} (see `newsreader feeds`)")
        from newsreader._refresh import feed_source

        source = feed_source(self, sid)
        self._store.remove_source(sid)
        return source

    def feeds(self) -> list[Source]:
        """Subscriptions with their status and article counts, by category then title."""
        return [s for s in self.sources() if s.kind is SourceKind.FEED]

    def refresh(
        self,
        *,
        concurrency: int | None = None,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        on_feed: Callable[[FeedResult], None] | None = None,
        only: Collection[str] | None = None,
    ) -> RefreshReport:
        """Fetch every subscription concurrently and store what changed in one batched write.

        Conditional GET saves work (a 304 downloads and parses nothing); a permanent redirect moves
        the stored URL; 410 Gone marks a feed gone (not fetched again); a 429/503 with a long
        Retry-After is skipped until then. Each feed's error is recorded on it and in the report;
        one bad feed never stops the rest. Updated entries are rewritten, keeping read/starred state.
        Runs its own event loop, so call it from a worker thread in an async program.

        Args:
            concurrency: downloads at once, overall and to one host (default 64).
            progress: ``progress(done, total, feed_title)`` as each feed finishes.
            cancel: set it to stop; feeds finished so far are still stored.
            on_feed: called with each feed's provisional result as it finishes (for live counts).
            only: fetch only these feeds (``due_feeds``: those due); ``None``, every feed, which is a
                manual refresh: a feed that fails again starts its backoff over.
        """
        from newsreader import _refresh

        if concurrency is not None and concurrency < 1:
            raise UserInputError(f"concurrency must be at least 1, not {concurrency}")
        return _refresh.refresh(self, concurrency, progress, cancel, on_feed, only)

    def export_opml(self) -> str:
        """The subscriptions as an OPML 2.0 document; categories become folders."""
        from newsreader.ingest.opml import Outline, unparse

        return unparse(
            (
                Outline(url=s.location, title=s.title, category=s.category, site_url=s.site_url)
                for s in self.feeds()
            ),
            now=self.now(),
        )

    def _find_feed(self, name: str) -> str | None:
        """The id of the subscription with this URL, id or unique id prefix (4+ characters)."""
        return _lookup.find_feed(name, self._store.sources())


def _encodable(text: str) -> bool:
    """False for an argument that is not UTF-8 (surrogate escapes from the command line)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
