"""The one door to the data: the TUI and the CLI call this facade and nothing below it.

Methods check their arguments, then delegate to the store and the ingesters. Writes are batched (one per
import batch or refresh) and serialised by the store's lock, so a CLI ``import`` and the TUI can run at once.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsreader.errors import ArticleNotFoundError, ImportFileError, NewsreaderError, UserInputError
from newsreader.models import (
    Article,
    ArticleDraft,
    ImportReport,
    ImportResult,
    Source,
    SourceKind,
    utcnow,
)

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
            kind=SourceKind(src.get("kind", "dump")),
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
    ) -> list[Article]:
        """Headlines (no bodies), newest first; a dump's articles keep file order among equal dates.

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
        source_id = self.resolve_source(source) if source else None
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
        return [self._article(i, r, state.get(i, 0), sources) for i, r in chosen]

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
                    if p.is_file()
                    and p.suffix.lower() in known
                    and not any(part.startswith(".") for part in p.relative_to(path).parts)
                )
                out.extend((p, None) for p in found)
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
            existing = self._sources_raw().get(sid)
            pending_sources[sid] = {
                "kind": SourceKind.DUMP.value,
                "title": path.name,
                "location": location,
                "added": existing.get("added", now.timestamp()) if existing else now.timestamp(),
                "imported": now.timestamp(),
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

    def _import_feed_file(self, path: Path, data: bytes) -> ImportResult:
        """A local RSS/Atom file: its entries, once (feeds issue)."""
        raise ImportFileError(f"{path}: importing feed files is not supported yet")

    def _import_opml(self, path: Path, data: bytes) -> ImportResult:
        """An OPML file: subscribe to every outline (feeds issue)."""
        raise ImportFileError(f"{path}: importing OPML is not supported yet")

    def _after_commit(self, article_ids: Sequence[str]) -> None:
        """Bring derived data (the search index) up to date with freshly committed articles."""

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
