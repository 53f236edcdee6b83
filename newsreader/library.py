"""The one door to the data: the TUI and the CLI call this facade and nothing below it.

Methods check their arguments, then delegate to the store and the ingesters. Writes are batched (one per
import batch or refresh) and serialised by the store's lock, so a CLI ``import`` and the TUI can run at once.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from newsreader.errors import ArticleNotFoundError, ImportFileError, NewsreaderError, UserInputError
from newsreader.models import (
    Article,
    ArticleDraft,
    Enclosure,
    FeedResult,
    ImportReport,
    ImportResult,
    RefreshReport,
    SearchHit,
    Source,
    SourceKind,
    utcnow,
)

if TYPE_CHECKING:
    from newsreader.errors import ParseError
    from newsreader.ingest.feed import ParsedFeed
    from newsreader.ingest.fetch import Fetcher, FetchRequest, FetchResult
    from newsreader.search import SearchIndex

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int, str], None]
"""``progress(done, total, label)``: called from whatever thread does the work."""

DUMP_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown"})
FEED_SUFFIXES = frozenset({".xml", ".rss", ".atom"})
OPML_SUFFIXES = frozenset({".opml"})
MAX_DUMP_BYTES = 64 * 1024 * 1024
"""A dump larger than this is refused rather than read into memory."""
_BATCH_ARTICLES = 5000
"""An import commits every this many articles (and at the end): few writes, bounded loss on a crash."""


def _dt(ts: float | None) -> datetime | None:
    return datetime.fromtimestamp(ts, UTC) if ts is not None else None


class ArticleList(Sequence[Article]):
    """Headlines, sorted, built into :class:`Article` objects only when looked at.

    A 100k-article list costs one sort of the raw records; a list widget that draws 40 visible rows
    builds 40 Articles. Indexing, slicing, ``len`` and iteration work as on a list.
    """

    __slots__ = ("_build", "_cache", "_items")

    def __init__(
        self, items: list[tuple[str, dict[str, Any]]], build: Callable[[str, dict[str, Any]], Article]
    ):
        self._items = items
        self._build = build
        self._cache: dict[int, Article] = {}

    def __len__(self) -> int:
        return len(self._items)

    def _at(self, index: int) -> Article:
        article = self._cache.get(index)
        if article is None:
            article = self._cache[index] = self._build(*self._items[index])
        return article

    @overload
    def __getitem__(self, index: int) -> Article: ...
    @overload
    def __getitem__(self, index: slice) -> list[Article]: ...
    def __getitem__(self, index: int | slice) -> Article | list[Article]:
        if isinstance(index, slice):
            return [self._at(i) for i in range(*index.indices(len(self._items)))]
        if index < 0:
            index += len(self._items)
        if not 0 <= index < len(self._items):
            raise IndexError("article index out of range")
        return self._at(index)

    def __iter__(self) -> Iterator[Article]:
        for index in range(len(self._items)):
            yield self._at(index)

    def index_of(self, article_id: str) -> int | None:
        """Position of an article id, or ``None``."""
        for index, item in enumerate(self._items):
            if item[0] == article_id:
                return index
        return None


def source_id_for(kind: SourceKind, location: str) -> str:
    """Stable id of a source: a hash of its kind and location as first seen."""
    return hashlib.sha256(f"{kind}\0{location}".encode()).hexdigest()[:12]


class Library:
    """A newsreader library folder. Thread-safe; safe to share with other processes.

    Args:
        path: the library folder; created on first write.
        lock_timeout: seconds to wait for another process's write lock before ``StoreLockedError``.
    """

    now: Callable[[], datetime] = staticmethod(utcnow)
    """The clock (tests replace it)."""

    def __init__(self, path: str | os.PathLike[str], *, lock_timeout: float = 10.0) -> None:
        from newsreader.store import Store

        self.path = Path(path)
        if self.path.exists() and not self.path.is_dir():
            raise UserInputError(f"library path {self.path} is a file, not a folder")
        self._store = Store(self.path, lock_timeout=lock_timeout)

    def __repr__(self) -> str:
        return f"Library({str(self.path)!r})"

    # -- reading -----------------------------------------------------------------------------

    def _sources_raw(self) -> dict[str, dict[str, Any]]:
        return self._store.sources()

    def _article(
        self,
        article_id: str,
        rec: dict[str, Any],
        flags: int,
        sources: dict[str, dict[str, Any]],
    ) -> Article:
        src = sources.get(rec.get("src", ""), {})
        return Article(
            id=article_id,
            source_id=rec.get("src", ""),
            title=rec.get("title", ""),
            feed=src.get("title") or src.get("location") or "",
            source=src.get("location", ""),
            kind=SourceKind.FEED if src.get("kind") == "feed" else SourceKind.DUMP,
            excerpt=rec.get("excerpt", ""),
            added=datetime.fromtimestamp(rec.get("added", 0.0), UTC),
            author=rec.get("author"),
            published=_dt(rec.get("published")),
            url=rec.get("url"),
            truncated=bool(rec.get("truncated")),
            read=bool(flags & 1),
            starred=bool(flags & 2),
            order=rec.get("n", 0),
        )

    def resolve_source(self, name: str, /) -> str:
        """A source id from an id, URL/path or title (case-insensitive).

        Raises:
            UserInputError: nothing matches, or several sources do.
        """
        sources = self._sources_raw()
        if name in sources:
            return name
        if not name.strip():
            raise UserInputError("an empty name matches no feed or dump (see `newsreader feeds`)")
        folded = name.casefold()
        matches = [
            sid
            for sid, rec in sources.items()
            if folded in (str(rec.get("location", "")).casefold(), str(rec.get("title", "")).casefold())
            or sid.startswith(name)
        ]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise UserInputError(f"no feed or dump matches {name!r} (see `newsreader feeds`)")
        raise UserInputError(f"{name!r} matches {len(matches)} sources; use the id from `newsreader feeds`")

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
        headlines = self._store.headlines()
        state = self._store.state()
        sources = self._sources_raw()
        source_id = self.resolve_source(source) if source is not None else None
        items: Iterable[tuple[str, dict[str, Any]]] = headlines.items()
        if source_id is not None:
            items = ((i, r) for i, r in items if r.get("src") == source_id)
        if unread:
            items = ((i, r) for i, r in items if not state.get(i, 0) & 1)
        if starred:
            items = ((i, r) for i, r in items if state.get(i, 0) & 2)

        def key(item: tuple[str, dict[str, Any]]) -> tuple[float, int]:
            rec = item[1]
            return (rec.get("published") or rec.get("added", 0.0), -rec.get("n", 0))

        if limit is not None:
            import heapq

            chosen = heapq.nlargest(limit, items, key=key)
        else:
            chosen = sorted(items, key=key, reverse=True)
        return ArticleList(chosen, lambda i, r: self._article(i, r, state.get(i, 0), sources))

    def _resolve(self, article_id: str, headlines: dict[str, dict[str, Any]]) -> str:
        article_id = article_id.strip().lower()
        if article_id in headlines:
            return article_id
        if len(article_id) >= 4:
            matches = [i for i in headlines if i.startswith(article_id)]
            if len(matches) == 1:
                return matches[0]
            if matches:
                raise ArticleNotFoundError(
                    f"article id {article_id!r} is ambiguous: {len(matches)} articles start with it"
                )
        raise ArticleNotFoundError(f"no article with id {article_id!r} in library {self.path}")

    def get(self, article_id: str, /) -> Article:
        """One article with its body. ``article_id`` may be a unique prefix of 4+ characters.

        Raises:
            ArticleNotFoundError: no article, or the prefix matches several.
        """
        from dataclasses import replace

        headlines = self._store.headlines()
        full = self._resolve(article_id, headlines)
        article = self._article(full, headlines[full], self._store.state().get(full, 0), self._sources_raw())
        body = self._store.body(full) or {}
        return replace(
            article,
            body=body.get("body", ""),
            author_note=body.get("author_note"),
            credits=tuple(body.get("credits", ())),
            links=tuple(body.get("links", ())),
            enclosures=tuple(Enclosure(**e) for e in body.get("enclosures", ())),
        )

    def sources(self) -> list[Source]:
        """Feeds and imported dumps with article and unread counts, feeds first, then by title."""
        headlines = self._store.headlines()
        state = self._store.state()
        counts: dict[str, list[int]] = {}
        for article_id, rec in headlines.items():
            c = counts.setdefault(rec.get("src", ""), [0, 0])
            c[0] += 1
            if not state.get(article_id, 0) & 1:
                c[1] += 1
        out = []
        for sid, rec in self._sources_raw().items():
            total, unread = counts.get(sid, (0, 0))
            out.append(
                Source(
                    id=sid,
                    kind=SourceKind(rec.get("kind", "dump")),
                    title=rec.get("title") or rec.get("location", sid),
                    location=rec.get("location", ""),
                    added=_dt(rec.get("added")) or datetime.fromtimestamp(0, UTC),
                    category=rec.get("category"),
                    site_url=rec.get("site_url"),
                    last_fetched=_dt(rec.get("last_fetched")),
                    error=rec.get("error"),
                    etag=rec.get("etag"),
                    last_modified=rec.get("last_modified"),
                    gone=bool(rec.get("gone")),
                    articles=total,
                    unread=unread,
                )
            )
        out.sort(key=lambda s: (s.kind != SourceKind.FEED, (s.category or "").casefold(), s.title.casefold()))
        return out

    # -- importing ---------------------------------------------------------------------------

    @staticmethod
    def _expand(paths: Sequence[str | os.PathLike[str]]) -> list[tuple[Path, str | None]]:
        """Files to import, each with an error if it cannot be (missing path, unsupported type)."""
        known = DUMP_SUFFIXES | FEED_SUFFIXES | OPML_SUFFIXES
        out: list[tuple[Path, str | None]] = []
        for raw in paths:
            path = Path(raw).expanduser()
            if path.is_dir():
                found = sorted(
                    p
                    for p in path.rglob("*")
                    if p.suffix.lower() in known
                    and not p.is_dir()
                    and not any(part.startswith(".") for part in p.relative_to(path).parts)
                )
                if not found:
                    out.append((path, f"{path}: no .txt, .md, .xml, .rss, .atom or .opml files here"))
                # A FIFO or device named like a dump is reported, not silently skipped (nor read).
                out.extend((p, None if p.is_file() else f"{p}: not a regular file") for p in found)
            elif path.is_file():
                out.append((path, None))
            elif path.exists():
                out.append((path, f"{path}: not a regular file"))
            else:
                out.append((path, f"{path}: no such file or directory"))
        return out

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
        files = self._expand(paths)
        results: list[ImportResult | None] = []
        pending: dict[str, list[ArticleDraft]] = {}
        pending_sources: dict[str, dict[str, Any]] = {}
        pending_slots: dict[str, tuple[int, str]] = {}  # source id -> (index in results, path)
        pending_count = 0
        now = self.now()

        def flush() -> None:
            nonlocal pending_count
            if not pending and not pending_sources:
                return
            result = self._store.commit(pending, now=now, sources=pending_sources)
            for sid, (index, path) in pending_slots.items():
                new, _upd, present = result.per_source.get(sid, (0, 0, 0))
                results[index] = ImportResult(path=path, kind="dump", new=new, present=present)
            self._after_commit(result.new_ids)
            pending.clear()
            pending_sources.clear()
            pending_slots.clear()
            pending_count = 0

        total = len(files)
        for done, (path, error) in enumerate(files):
            if cancel is not None and cancel.is_set():
                break
            if progress is not None:
                progress(done, total, str(path))
            suffix = path.suffix.lower()
            kind = "feed" if suffix in FEED_SUFFIXES else "opml" if suffix in OPML_SUFFIXES else "dump"
            if error is not None:
                results.append(ImportResult(path=str(path), kind=kind, error=error))
                continue
            try:
                data = self._read_file(path)
                if kind == "feed":
                    results.append(self._import_feed_file(path, data))
                    continue
                if kind == "opml":
                    results.append(self._import_opml(path, data))
                    continue
                drafts = self._parse_dump(path, data)
            except NewsreaderError as exc:
                results.append(ImportResult(path=str(path), kind=kind, error=str(exc)))
                continue
            location = str(path.resolve())
            sid = source_id_for(SourceKind.DUMP, location)
            if sid in pending:  # the same file named twice in one call
                results.append(ImportResult(path=str(path), kind="dump", present=len(drafts)))
                continue
            pending[sid] = drafts
            known = self._store.headlines()
            # A new source is recorded only if it brings a new article: re-importing, or importing a copy
            # of a dump already read from elsewhere, writes nothing at all (and adds no empty source).
            if sid not in self._sources_raw() and any(d.id not in known for d in drafts):
                pending_sources[sid] = {
                    "kind": SourceKind.DUMP.value,
                    "title": path.name,
                    "location": location,
                    "added": now.timestamp(),
                }
            pending_slots[sid] = (len(results), str(path))
            results.append(None)
            pending_count += len(drafts)
            if pending_count >= _BATCH_ARTICLES:
                flush()
        flush()
        if progress is not None:
            progress(total, total, "")
        return ImportReport(tuple(r for r in results if r is not None))

    @staticmethod
    def _read_file(path: Path) -> bytes:
        try:
            size = path.stat().st_size
            if size > MAX_DUMP_BYTES:
                raise ImportFileError(
                    f"{path}: {size / 1e6:.0f} MB is larger than the {MAX_DUMP_BYTES // 2**20} MiB limit"
                )
            return path.read_bytes()
        except PermissionError as exc:
            raise ImportFileError(f"{path}: permission denied") from exc
        except OSError as exc:
            raise ImportFileError(f"{path}: cannot read: {exc.strerror or exc}") from exc

    @staticmethod
    def _parse_dump(path: Path, data: bytes) -> list[ArticleDraft]:
        from newsreader.ingest.dump import parse_dump
        from newsreader.ingest.text import decode_bytes

        text = decode_bytes(data, str(path))
        if not text.strip():
            raise ImportFileError(f"{path}: empty file, nothing to import")
        drafts = parse_dump(text, name=str(path), markdown=path.suffix.lower() in {".md", ".markdown"})
        if not drafts:
            raise ImportFileError(f"{path}: no article text found")
        return drafts

    def _after_commit(self, article_ids: Sequence[str]) -> None:
        """Bring derived data (the search index) up to date with freshly committed articles."""
        self._index_articles(article_ids)

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
        return self._store.set_state(ids, read=read, starred=starred)

    def mark_source_read(self, source_id: str | None, /) -> int:
        """Mark every article of a source (``None``: every article) read; returns how many changed."""
        headlines = self._store.headlines()
        state = self._store.state()
        sid = self.resolve_source(source_id) if source_id else None
        ids = [
            i
            for i, rec in headlines.items()
            if (sid is None or rec.get("src") == sid) and not state.get(i, 0) & 1
        ]
        return self._store.set_state(ids, read=True) if ids else 0

    # -- search --------------------------------------------------------------------------------

    @property
    def _search_index(self) -> SearchIndex:
        from newsreader.search import SearchIndex

        index = self.__dict__.get("_search")
        if index is None:
            index = self.__dict__.setdefault("_search", SearchIndex(self._store))
        return index

    def search(
        self,
        query: str,
        *,
        limit: int | None = 100,
        progress: ProgressCallback | None = None,
    ) -> list[SearchHit]:
        """Articles matching a query (see README, "Searching"), best first, newest among equals.

        The index is brought up to date with the store first (a stat when nothing changed, a diff
        when the library changed, a build with ``progress`` when the index is missing or broken).

        Raises:
            InvalidQueryError: the query cannot be understood; ``str()`` says why.
        """
        if limit is not None and limit < 0:
            raise UserInputError(f"--limit must be 0 or more, not {limit}")
        return self._search_index.search(query, limit=limit, progress=progress)

    def update_search_index(
        self,
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        """Build or catch up the search index now (the TUI calls this in a worker at start-up)."""
        self._search_index.sync(progress=progress, cancel=cancel)

    @staticmethod
    def highlight_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
        """Offsets of the words in ``text`` matching ``terms`` (``SearchHit.terms``), for highlighting."""
        from newsreader.search import highlight_spans

        return highlight_spans(text, terms)

    def _index_articles(self, new_or_updated_ids: Sequence[str]) -> None:
        """Index just-committed articles; never fails the commit (a missed call costs a catch-up)."""
        try:
            self._search_index.index_articles(new_or_updated_ids)
        except Exception:
            log.exception("search index update failed; the next search catches up")

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
        from newsreader.errors import FetchError, ParseError
        from newsreader.ingest.feed import parse_feed
        from newsreader.ingest.feed import source_id_for as feed_id
        from newsreader.ingest.fetch import Fetcher, FetchRequest

        url = _check_feed_url(url)
        sid = feed_id(url)
        existing = self._find_feed(url)
        if existing is not None:
            raise UserInputError(f"already subscribed to {url} (as {existing})")
        result = _run_async(Fetcher().fetch_all([FetchRequest(sid, url)]))[0]
        if result.content is None:
            raise FetchError(f"{url}: {result.error or 'nothing downloaded'}")
        try:
            parsed = parse_feed(
                result.content, source_id=sid, url=result.final_url or url, content_type=result.content_type
            )
        except ParseError as exc:
            raise ParseError(f"{url}: {exc}") from exc
        now = self.now()
        record: dict[str, Any] = {
            "kind": SourceKind.FEED.value,
            "title": parsed.title or _host(url),
            "location": result.moved_to or url,
            "added": now.timestamp(),
            "site_url": parsed.site_url,
            "last_fetched": now.timestamp(),
            "etag": result.etag,
            "last_modified": result.last_modified,
            "warning": parsed.warning,
        }
        saved = self._sources_raw().get(sid)  # a saved copy of this feed, imported from a file
        if saved is not None:
            record.update(
                added=saved.get("added", record["added"]), format=None, feed_url=None, imported=None
            )
        with self._store.locked():
            if self._find_feed(url) is not None:  # another process was quicker
                raise UserInputError(f"already subscribed to {url}")
            commit = self._store.commit(
                {sid: list(parsed.drafts)},
                now=now,
                sources={sid: {k: v for k, v in record.items() if v is not None or saved is not None}},
            )
        self._after_commit(commit.new_ids)
        return self._feed_source(sid)

    def unsubscribe(self, url_or_id: str, /) -> Source:
        """Remove a subscription and its articles; returns it as it was.

        Raises:
            FeedNotFoundError: no subscription has that URL, id or unique id prefix.
        """
        from newsreader.errors import FeedNotFoundError

        sid = self._find_feed(url_or_id.strip())
        if sid is None:
            raise FeedNotFoundError(f"no subscription matches {url_or_id!r} (see `newsreader feeds`)")
        source = self._feed_source(sid)
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
        """
        import contextlib
        import time

        from newsreader.ingest.fetch import Fetcher, FetchRequest
        from newsreader.store import CommitResult

        if concurrency is not None and concurrency < 1:
            raise UserInputError(f"concurrency must be at least 1, not {concurrency}")
        feeds = {sid: rec for sid, rec in self._sources_raw().items() if rec.get("kind") == "feed"}
        wall = time.time()
        skipped: list[FeedResult] = []
        requests: list[FetchRequest] = []
        for sid, rec in feeds.items():
            title, location = rec.get("title") or rec.get("location", sid), rec.get("location", "")
            if rec.get("gone"):
                skipped.append(FeedResult(sid, location, title, error=rec.get("error") or "gone"))
            elif (rec.get("retry_at") or 0) > wall:
                when = datetime.fromtimestamp(rec["retry_at"]).strftime("%H:%M")
                skipped.append(
                    FeedResult(sid, location, title, error=f"skipped: the server asked to wait until {when}")
                )
            else:
                requests.append(FetchRequest(sid, location, rec.get("etag"), rec.get("last_modified")))
        fetcher = Fetcher(concurrency=concurrency or DEFAULT_CONCURRENCY, per_host=PER_HOST)
        outcomes = _run_async(
            _fetch_and_parse(
                fetcher, requests, feeds, self._store.headlines, progress, cancel, on_feed, len(feeds)
            )
        )
        now = self.now()
        commit = CommitResult()  # nothing new, nothing updated (unless drafts say otherwise)
        with self._store.locked() if outcomes else contextlib.nullcontext():
            current = self._sources_raw()
            outcomes = [o for o in outcomes if o.source_id in current]  # removed meanwhile
            drafts = {o.source_id: o.drafts for o in outcomes if o.drafts}
            fields = {o.source_id: o.fields(current[o.source_id], now) for o in outcomes}
            if drafts:
                commit = self._store.commit(drafts, now=now, update=True, sources=fields)
            elif fields:  # all 304s or errors: only the small sources file changes
                self._store.update_sources(fields)
        if commit.new_ids or commit.updated_ids:  # a warm refresh need not even load the search module
            self._after_commit(commit.new_ids + commit.updated_ids)
        results = []
        for o in outcomes:
            new, updated, _present = commit.per_source.get(o.source_id, (0, 0, 0))
            results.append(_replace(o.result, new=new, updated=updated))
        if progress is not None:
            progress(len(feeds), len(feeds), "")
        return RefreshReport(tuple(results) + tuple(skipped))

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

    def _import_feed_file(self, path: Path, data: bytes) -> ImportResult:
        """A local RSS/Atom file: its entries, once; it is never refreshed from the file.

        A file that names its own URL (``<atom:link rel="self">``) is a saved copy of that feed: its
        entries get the ids that feed's entries get, so they land in the subscription if there is
        one, and subscribing later (``add``, an OPML import) turns the import into that
        subscription, articles and all. Without a self link it is a source of its own.
        """
        from newsreader.ingest.feed import parse_feed
        from newsreader.ingest.feed import source_id_for as feed_id

        location = str(path.resolve())
        probe = parse_feed(data, source_id="", url=None)
        if probe.self_url:
            sid = feed_id(probe.self_url)
            parsed = parse_feed(data, source_id=sid, url=probe.self_url)
        else:
            sid = source_id_for(SourceKind.DUMP, location)
            parsed = parse_feed(data, source_id=sid, url=None)
        now = self.now()
        existing = self._sources_raw().get(sid)
        sources: dict[str, dict[str, Any]] = {}
        if existing is None or existing.get("kind") != SourceKind.FEED.value:
            record: dict[str, Any] = {
                "kind": SourceKind.DUMP.value,
                "title": parsed.title or path.name,
                "location": location,
                "added": existing.get("added", now.timestamp()) if existing else now.timestamp(),
                "imported": now.timestamp(),
                "format": "feed",
                "feed_url": parsed.self_url,
                "site_url": parsed.site_url,
            }
            sources[sid] = record  # None values delete stale keys
        commit = self._store.commit({sid: list(parsed.drafts)}, now=now, sources=sources)
        self._after_commit(commit.new_ids)
        new, _updated, present = commit.per_source.get(sid, (0, 0, 0))
        return ImportResult(path=str(path), kind="feed", new=new, present=present)

    def _import_opml(self, path: Path, data: bytes) -> ImportResult:
        """An OPML file: subscribe to every outline without fetching; folders become categories.

        ``new`` counts new subscriptions and ``present`` the ones already there.
        """
        from newsreader.ingest.feed import source_id_for as feed_id
        from newsreader.ingest.opml import parse

        document = parse(data, str(path))
        now = self.now().timestamp()
        with self._store.locked():
            sources = self._sources_raw()
            known = {str(rec.get("location", "")) for rec in sources.values()}
            known |= {sid for sid, rec in sources.items() if rec.get("kind") == SourceKind.FEED.value}
            fresh: dict[str, dict[str, Any]] = {}
            for outline in document.outlines:
                sid = feed_id(outline.url)
                if outline.url in known or sid in known or sid in fresh:
                    continue
                saved = sources.get(sid)  # a saved copy of this feed, imported from a file
                record = {
                    "kind": SourceKind.FEED.value,
                    "title": outline.title or (saved or {}).get("title") or _host(outline.url),
                    "location": outline.url,
                    "added": (saved or {}).get("added", now),
                    "category": outline.category,
                    "site_url": outline.site_url or (saved or {}).get("site_url"),
                }
                fresh[sid] = {k: v for k, v in record.items() if v is not None}
                if saved is not None:
                    fresh[sid].update(format=None, feed_url=None, imported=None)
            if fresh:
                self._store.update_sources(fresh)
        return ImportResult(
            path=str(path), kind="opml", new=len(fresh), present=len(document.outlines) - len(fresh)
        )

    def _find_feed(self, name: str) -> str | None:
        """The id of the subscription with this URL, id or unique id prefix (4+ characters)."""
        from newsreader.ingest.feed import source_id_for as feed_id

        feeds = {sid: rec for sid, rec in self._sources_raw().items() if rec.get("kind") == "feed"}
        if name in feeds:
            return name
        for sid, rec in feeds.items():
            if rec.get("location") == name:
                return sid
        if feed_id(name) in feeds:  # the URL first subscribed, before a 301 moved it
            return feed_id(name)
        if len(name) >= 4:
            matches = [sid for sid in feeds if sid.startswith(name.lower())]
            if len(matches) == 1:
                return matches[0]
        return None

    def _feed_source(self, sid: str) -> Source:
        from newsreader.errors import FeedNotFoundError

        for source in self.feeds():
            if source.id == sid:
                return source
        raise FeedNotFoundError(f"no subscription with id {sid!r}")


# -- feed helpers (module level so a process pool can pickle them) ----------------------------------

DEFAULT_CONCURRENCY = 64
"""Downloads in flight during a refresh: a warm refresh is 304s, bound by round trips, not CPU."""
PER_HOST = 64
"""Downloads in flight to one host. As high as the overall default because a warm refresh of many
feeds on one host (the benchmark's farm, a self-hosted aggregator) is bound by its round trips;
``--concurrency`` lowers both."""
_PARALLEL_PARSE_MIN = 24
"""Refreshes downloading at least this many feeds parse them in a process pool (both cores)."""


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).hostname or url


def _check_feed_url(url: str) -> str:
    from urllib.parse import urlsplit

    from newsreader.errors import InvalidFeedURLError

    url = url.strip()
    try:
        parts = urlsplit(url)
        valid = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        valid = False
    if not valid or any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise InvalidFeedURLError(f"not an http(s) feed URL: {url!r}")
    return url


def _replace(result: FeedResult, **changes: Any) -> FeedResult:
    from dataclasses import replace

    return replace(result, **changes)


def _run_async(coro: Any) -> Any:
    """Run a coroutine to completion from sync code, even on a thread whose loop is running."""
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # handed back to the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="newsreader-refresh")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def _parse_job(data: bytes, source_id: str, url: str, content_type: str | None) -> ParsedFeed | ParseError:
    """Parse one downloaded feed; a ParseError is returned, not raised, to cross the pool."""
    from newsreader.errors import ParseError
    from newsreader.ingest.feed import parse_feed

    try:
        return parse_feed(data, source_id=source_id, url=url, content_type=content_type)
    except ParseError as exc:
        return exc


class _Outcome:
    """One refreshed feed: its provisional result, its drafts and what to record on the source."""

    __slots__ = ("drafts", "fetch", "parsed", "result", "source_id")

    def __init__(
        self, source_id: str, fetch: FetchResult, parsed: ParsedFeed | None, result: FeedResult
    ) -> None:
        self.source_id = source_id
        self.fetch = fetch
        self.parsed = parsed
        self.result = result
        self.drafts: list[ArticleDraft] = list(parsed.drafts) if parsed is not None else []

    def fields(self, old: dict[str, Any], now: datetime) -> dict[str, Any]:
        """The source record's new fields (``None`` deletes one)."""
        fetch = self.fetch
        out: dict[str, Any] = {"last_fetched": now.timestamp(), "retry_at": fetch.retry_at}
        if fetch.moved_to:
            out["location"] = fetch.moved_to
        if self.result.error:
            out["error"] = self.result.error
            if fetch.gone:
                out["gone"] = True
            return out
        out.update(error=None, gone=None, etag=fetch.etag, last_modified=fetch.last_modified)
        if self.parsed is not None:
            out["warning"] = self.parsed.warning
            if self.parsed.site_url:
                out["site_url"] = self.parsed.site_url
            title = old.get("title")
            if self.parsed.title and (not title or title in (old.get("location"), _host(old["location"]))):
                out["title"] = self.parsed.title
        return out


async def _fetch_and_parse(
    fetcher: Fetcher,
    requests: list[FetchRequest],
    feeds: dict[str, dict[str, Any]],
    headlines: Callable[[], dict[str, Any]],
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
    on_feed: Callable[[FeedResult], None] | None,
    total: int,
) -> list[_Outcome]:
    """Download every feed and parse each as soon as it arrives (in a process pool for big runs)."""
    import asyncio
    import concurrent.futures

    from newsreader.errors import ParseError

    loop = asyncio.get_running_loop()
    pool: concurrent.futures.Executor | None = None
    workers = min(os.cpu_count() or 1, 4)
    use_pool = workers > 1 and len(requests) >= _PARALLEL_PARSE_MIN
    pending: list[asyncio.Future[tuple[FetchResult, ParsedFeed | ParseError]]] = []
    outcomes: list[_Outcome] = []
    done = total - len(requests)

    def finish(fetch: FetchResult, parsed: ParsedFeed | ParseError | None) -> None:
        nonlocal done
        rec = feeds.get(fetch.key, {})
        title = rec.get("title") or fetch.url
        error = fetch.error
        if isinstance(parsed, ParseError):
            error, parsed = f"{parsed}", None
        new = 0
        if parsed is not None and parsed.drafts:
            known = headlines()  # loaded on the first feed with content (cached by the store)
            new = sum(1 for d in parsed.drafts if d.id not in known)
        url = fetch.moved_to or fetch.url
        result = FeedResult(fetch.key, url, title, new=new, not_modified=fetch.not_modified, error=error)
        outcomes.append(_Outcome(fetch.key, fetch, parsed, result))
        done += 1
        if on_feed is not None:
            on_feed(result)
        if progress is not None:
            progress(done, total, title)

    async def parse_later(fetch: FetchResult) -> tuple[FetchResult, ParsedFeed | ParseError]:
        args = (fetch.content, fetch.key, fetch.final_url or fetch.url, fetch.content_type)
        try:
            parsed = await loop.run_in_executor(pool, _parse_job, *args)
        except Exception as exc:  # a crashed pool worker costs this feed, not the refresh
            log.exception("parsing %s failed", fetch.url)
            parsed = ParseError(f"cannot parse: {type(exc).__name__}: {exc}")
        return fetch, parsed

    def on_result(fetch: FetchResult) -> None:
        nonlocal pool
        if fetch.content is None:
            finish(fetch, None)
            return
        if use_pool and pool is None:
            import multiprocessing

            from newsreader.ingest import feed  # noqa: F401  (imported before forking: workers share it)

            # fork is instant and shares the imported modules, but forking a process with other
            # threads (a Textual app's) can deadlock the child: then spawn, which starts clean.
            method = "fork" if threading.active_count() == 1 and os.name == "posix" else "spawn"
            context = multiprocessing.get_context(method)
            pool = concurrent.futures.ProcessPoolExecutor(workers, mp_context=context)
        task = asyncio.ensure_future(parse_later(fetch))
        task.add_done_callback(lambda t: None if t.cancelled() else finish(*t.result()))
        pending.append(task)

    try:
        await fetcher.fetch_all(requests, on_result=on_result, cancel=cancel)
        if pending:
            await asyncio.gather(*pending)
    finally:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
    return outcomes
