"""Keeping the search index in sync with the store (a base of ``SearchIndex``).

The index records the store ``generation`` (and a cheap stamp of the headlines file) it matches, so
a library that has not changed costs a stat, and one that has changed is caught up by a diff (new,
changed and removed articles), not a rebuild. tantivy commits first and SQLite records its opstamp
in the same transaction, so a crash between the two is seen by the next write.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from newsreader.errors import StoreError
from newsreader.search import _docs
from newsreader.search._disk import rollback
from newsreader.search._files import (
    IndexFiles,
    ProgressCallback,
    _Broken,
    _Cancelled,
    log,
    stamp_of,
)
from newsreader.search._tantivy import TextWriter

_BATCH = 1000
"""Articles per SQLite statement and tantivy batch; above one batch, a bigger tantivy writer."""


@dataclass(slots=True)
class SyncReport:
    """What bringing the index up to date did."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    rebuilt: bool = False
    cancelled: bool = False
    """The caller's cancel event stopped it; nothing was written, the next sync starts over."""
    seconds: float = 0.0


class IndexSync(IndexFiles):
    """Bringing the index up to date: a diff when behind, a build when missing, the ids of a commit."""

    def _fresh(self, conn: sqlite3.Connection) -> str | None:
        """``"stamp"`` or ``"generation"`` when the index matches the store (by what matched), else None.

        The stamp (a stat) is compared first; only when it differs is ``headlines.json`` parsed for its
        generation. A rewrite that kept the generation (a migration) matches by generation once: the next
        sync records the new stamp.
        """
        stamp = stamp_of(self.store)
        if stamp is not None and stamp == _docs.meta(conn, "stamp"):
            return "stamp"
        generation = _docs.meta(conn, "generation")
        if generation is not None and generation == self.store.generation:
            return "generation"
        return None

    def _check_halves(self, conn: sqlite3.Connection) -> None:
        """Under the write lock: tantivy and SQLite must record the same commit, else rebuild.

        tantivy commits first; a crash before SQLite commits leaves them apart (documents in one and not
        the other), which no diff can see.
        """
        recorded = _docs.meta(conn, "opstamp")
        if recorded is None:
            return
        try:
            with open(self.path / "text" / "meta.json", "rb") as fh:
                current = json.load(fh).get("opstamp")
        except (OSError, ValueError) as exc:
            raise _Broken(f"its text index cannot be read: {exc}") from exc
        if current != recorded:
            raise _Broken(f"an interrupted write left its halves apart ({current} != {recorded})")

    def _begin(self, conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")
        self._opstamp = None

    def _commit(self, conn: sqlite3.Connection) -> None:
        if self._opstamp is not None:
            _docs.set_meta(conn, "opstamp", self._opstamp)
        conn.execute("COMMIT")

    # -- keeping in sync -----------------------------------------------------------------------------

    def in_sync(self) -> bool:
        """Whether the index matches the store's headlines (cheap: a stat and one SQLite row)."""
        if not self.path.exists():
            return False
        with self._lock:
            return self._attempt(lambda: self._fresh(self._open()[0])) is not None

    def sync(
        self,
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> SyncReport:
        """Bring the index up to date with the store: a diff when it is behind, a build when missing.

        Feed renames are applied too. Safe to call often: when nothing changed it costs a stat.
        """
        if stamp_of(self.store) is None:
            return SyncReport()  # nothing imported yet: nothing to index, no folder to create
        with self._lock:
            return self._attempt(lambda: self._sync(progress, cancel))  # type: ignore[no-any-return]

    def _sync(self, progress: ProgressCallback | None, cancel: threading.Event | None) -> SyncReport:
        started = time.perf_counter()
        conn, _ = self._open()
        report = SyncReport()
        sources = self.store.sources()
        if self._fresh(conn) == "stamp":
            self._sync_feeds(sources)
            return report
        with self._exclusive():
            return self._sync_locked(conn, sources, report, started, progress, cancel)

    def _sync_locked(
        self,
        conn: sqlite3.Connection,
        sources: Mapping[str, Mapping[str, Any]],
        report: SyncReport,
        started: float,
        progress: ProgressCallback | None,
        cancel: threading.Event | None,
    ) -> SyncReport:
        self._begin(conn)
        try:
            fresh = self._fresh(conn)
            if fresh:  # another process caught up while we waited (or only the stamp changed)
                if fresh == "generation":
                    _docs.set_meta(conn, "stamp", stamp_of(self.store))
                conn.execute("COMMIT")
                self._sync_feeds(sources)
                return report
            self._check_halves(conn)
            # Stamp and generation before the headlines: if a commit lands in between, the recorded
            # generation is older than what was indexed, which costs one more diff, never a miss.
            stamp = stamp_of(self.store)
            generation = self.store.generation
            heads = self.store.headlines()
            feeds = _docs.feed_titles(sources)
            report.rebuilt = conn.execute("SELECT 1 FROM docs LIMIT 1").fetchone() is None
            todo, gone, report.added = _docs.diff(conn, heads, feeds)
            report.updated = len(todo) - report.added
            total = len(todo) + len(gone)
            label = "building search index" if report.rebuilt else "updating search index"
            if progress is not None and total:
                progress(0, total, label)
            with self._writer(big=total > _BATCH) as writer:
                _docs.drop(conn, writer, gone)
                report.removed = len(gone)
                done = len(gone)
                for start in range(0, len(todo), _BATCH):
                    if cancel is not None and cancel.is_set():
                        raise _Cancelled
                    batch = todo[start : start + _BATCH]
                    _docs.upsert(conn, writer, batch, heads, feeds, self._bodies(batch))
                    done += len(batch)
                    if progress is not None:
                        progress(done, total, label)
            _docs.set_meta(conn, "generation", generation)
            _docs.set_meta(conn, "stamp", stamp)
            _docs.write_feeds(conn, feeds)
            self._commit(conn)
        except _Cancelled:
            rollback(conn)
            return SyncReport(cancelled=True)
        except BaseException:
            rollback(conn)
            raise
        report.seconds = time.perf_counter() - started
        if total:
            log.info("search index: %s", report)
        return report

    @contextlib.contextmanager
    def _writer(self, *, big: bool) -> Iterator[TextWriter]:
        """A tantivy writer, committed on success (before the caller commits SQLite), else rolled back."""
        _, index = self._open()
        assert self._lock_depth, "tantivy allows one writer: write only under _exclusive()"
        with index.writing(big=big) as writer:
            yield writer
        self._opstamp = writer.opstamp

    def index_articles(self, article_ids: Sequence[str]) -> None:
        """Index (or re-index) these just-committed articles, if the index exists.

        The import and refresh paths call this after a commit. When the index was in sync before that
        commit, it is in sync after (no diff at the next search). A missing index is left for the next
        search to build; a busy one (another process writing it) for a later catch-up.
        """
        if not article_ids or not self.path.exists():
            return
        with self._lock:
            try:
                self._attempt(lambda: self._index_ids(article_ids))
            except StoreError as exc:  # busy or broken: the next search catches up or rebuilds
                log.info("search index not updated now (%d articles): %s", len(article_ids), exc)

    def _index_ids(self, article_ids: Sequence[str]) -> None:
        conn, _ = self._open()
        with self._exclusive(timeout=2.0):
            self._index_ids_locked(conn, article_ids)

    def _index_ids_locked(self, conn: sqlite3.Connection, article_ids: Sequence[str]) -> None:
        self._begin(conn)
        try:
            self._check_halves(conn)
            before = _docs.meta(conn, "generation")
            stamp = stamp_of(self.store)
            generation = self.store.generation
            heads = self.store.headlines()
            feeds = _docs.feed_titles(self.store.sources())
            wanted = sorted(dict.fromkeys(article_ids))
            present = [i for i in wanted if i in heads]
            with self._writer(big=len(present) > _BATCH) as writer:
                _docs.drop(conn, writer, [i for i in wanted if i not in heads])
                for start in range(0, len(present), _BATCH):
                    batch = present[start : start + _BATCH]
                    _docs.upsert(conn, writer, batch, heads, feeds, self._bodies(batch))
            # One commit since the last sync, and it was this one: the index is whole again.
            if before is not None and generation == before + 1:
                _docs.set_meta(conn, "generation", generation)
                _docs.set_meta(conn, "stamp", stamp)
            self._commit(conn)
        except BaseException:
            rollback(conn)
            raise

    def _tags(self) -> Mapping[str, Sequence[str]]:
        tags = getattr(self.store, "tags", None)
        return tags() if callable(tags) else {}

    def _bodies(self, article_ids: Sequence[str]) -> Mapping[str, Mapping[str, Any] | None]:
        bulk = getattr(self.store, "bodies", None)
        if callable(bulk):
            return bulk(article_ids)  # type: ignore[no-any-return]
        return {article_id: self.store.body(article_id) for article_id in article_ids}

    def _sync_feeds(self, sources: Mapping[str, Mapping[str, Any]]) -> None:
        """Re-index the articles of renamed feeds (``feed:`` searches the name); cheap when none was."""
        conn, _ = self._open()
        feeds = _docs.feed_titles(sources)
        known = dict(conn.execute("SELECT src, title FROM feeds"))
        renamed = [src for src, title in feeds.items() if src in known and known[src] != title]
        if not renamed and feeds.keys() <= known.keys():
            return
        with self._exclusive():
            self._rename_feeds(conn, feeds, renamed)

    def _rename_feeds(self, conn: sqlite3.Connection, feeds: Mapping[str, str], renamed: list[str]) -> None:
        self._begin(conn)
        try:
            ids = [
                row[0] for src in renamed for row in conn.execute("SELECT id FROM docs WHERE src = ?", (src,))
            ]
            if ids:
                heads = self.store.headlines()
                ids = sorted(i for i in ids if i in heads)
                with self._writer(big=len(ids) > _BATCH) as writer:
                    for start in range(0, len(ids), _BATCH):
                        batch = ids[start : start + _BATCH]
                        _docs.upsert(conn, writer, batch, heads, feeds, self._bodies(batch))
            _docs.write_feeds(conn, feeds)
            self._commit(conn)
        except BaseException:
            rollback(conn)
            raise
