"""The search index beside the store: SQLite bookkeeping around the tantivy half (``_tantivy``).

The index (``<library>/search/``: tantivy for the text, SQLite for what a hit prints) is derived data:
TinyDB stays the store of record, and the index can always be rebuilt from it. It records the store
``generation`` (and a cheap stamp of the headlines file) it is in sync with, so a search in a library
that has not changed reads no headlines at all, and one that has changed is caught up by a diff (new,
changed and removed articles), not a rebuild.

Why tantivy and not SQLite FTS5 or a hand-written index: see README ("Search engine").
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from newsreader.errors import StoreError, StoreLockedError
from newsreader.models import SearchHit
from newsreader.search import _docs
from newsreader.search._disk import disk_error, disk_trouble, rollback
from newsreader.search._tantivy import TextIndex, TextWriter
from newsreader.search.hits import HIDDEN, build_hits, passes
from newsreader.search.query import Query, Term, parse_query
from newsreader.store.lock import FileLock

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int, str], None]
"""``progress(done, total, label)``, as in ``newsreader.library``."""


class StoreLike(Protocol):
    """What the index reads from ``newsreader.store.Store``."""

    path: Path

    @property
    def generation(self) -> int: ...

    def headlines(self) -> Mapping[str, Mapping[str, Any]]: ...

    def sources(self) -> Mapping[str, Mapping[str, Any]]: ...

    def state(self) -> Mapping[str, int]: ...

    def body(self, article_id: str) -> Mapping[str, Any] | None: ...


SCHEMA = _docs.SCHEMA
_BATCH = 1000
"""Articles per SQLite statement and tantivy batch; above one batch, a bigger tantivy writer."""
INDEX_DIR = "search"
"""``<library>/search/``: ``docs.sqlite`` (what a hit prints, sync bookkeeping) and ``text/`` (tantivy)."""


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


def tag_lookup(tags: Mapping[str, Sequence[str]]) -> Callable[[Term], list[str]]:
    """For ``tag:`` terms: the ids carrying a tag (or, for ``tag:name*``, any tag it starts)."""
    by_tag: dict[str, list[str]] = {}
    for article_id, names in tags.items():
        for name in names:
            by_tag.setdefault(name, []).append(article_id)

    def ids(term: Term) -> list[str]:
        name = term.words[0]
        if not term.prefix:
            return by_tag.get(name, [])
        return [i for tag, found in by_tag.items() if tag.startswith(name) for i in found]

    return ids


class _Cancelled(Exception):
    """Raised inside a sync to stop it when the caller's cancel event is set."""


class _Broken(Exception):
    """The index files are unusable: throw them away and rebuild."""


def _stamp(store: StoreLike) -> str | None:
    """A cheap fingerprint of the headlines file: the store replaces it atomically on every commit.

    Comparing it avoids parsing 50k headlines just to read ``store.generation``.
    """
    stamp = getattr(store, "stamp", None)
    if stamp is not None:  # the Store: its headlines live in headlines.json and its journal
        result: str | None = stamp()
        return result
    try:
        st = (Path(store.path) / "headlines.json").stat()
    except OSError:
        return None
    return f"{st.st_ino}:{st.st_mtime_ns}:{st.st_size}"


class SearchIndex:
    """The search index of one library: tantivy for the text, SQLite for what a hit prints.

    Thread-safe, and safe with other processes: writes run under ``search.lock`` (the store's lock
    implementation) and inside one SQLite transaction each; tantivy commits first and SQLite records its
    opstamp in that transaction, so a crash between the two is detected by the next write and the index
    rebuilt. Searches take no lock. Failures never reach the store: an unusable index is logged, deleted
    and rebuilt from the store; a full or read-only disk is reported and nothing is deleted.

    Args:
        store: the library's store (read only: the index never writes it).
        path: the index folder; default ``<library>/search``.
    """

    def __init__(self, store: StoreLike, path: Path | None = None) -> None:
        self.store = store
        self.path = Path(path) if path is not None else Path(store.path) / INDEX_DIR
        self._conn: sqlite3.Connection | None = None
        self._text: TextIndex | None = None
        self._inode = 0
        """Of the docs.sqlite this object opened: another process's rebuild replaces the file."""
        self._incarnation: str | None = None
        """A random id written when the index is created, so a reset does not delete a newer rebuild."""
        self._lock = threading.RLock()
        self._lock_path = self.path.with_name(self.path.name + ".lock")
        self._lock_depth = 0
        self._read_only = False
        """Opened read-only (the folder cannot be written): searches work while the index is fresh."""
        self._opstamp: int | None = None
        """tantivy's opstamp if the open SQLite transaction committed tantivy; recorded with it."""

    # -- opening -------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _exclusive(self, timeout: float = 60.0) -> Iterator[None]:
        """The index's write lock across processes (``search.lock`` beside the folder); re-entrant.

        Every write, creation and reset happens under it, so tantivy's single-writer rule holds and one
        process's reset never deletes what another is building. Searches do not take it.
        """
        if self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        if self._read_only:
            raise disk_error("read-only", self.path)
        with contextlib.ExitStack() as held:
            try:
                held.enter_context(FileLock(self._lock_path, timeout)())
            except StoreLockedError:
                raise StoreLockedError(
                    f"the search index in {self.path} is busy (another newsreader is updating it);"
                    " try again in a moment"
                ) from None
            except (StoreError, OSError) as exc:
                trouble = disk_trouble(exc, self._lock_path)
                if trouble is None and isinstance(exc, StoreError):
                    raise
                raise disk_error(trouble or "read-only", self.path) from exc
            self._lock_depth = 1
            try:
                yield
            finally:
                self._lock_depth = 0

    def _open(self) -> tuple[sqlite3.Connection, TextIndex]:
        if self._conn is not None and self._text is not None:
            try:
                current = os.stat(self.path / "docs.sqlite").st_ino
            except OSError:
                current = 0
            if current == self._inode:
                return self._conn, self._text
            self.close()  # another process reset and rebuilt the index: follow it
        db = self.path / "docs.sqlite"
        if db.exists() and (self.path / "text" / "meta.json").exists():
            try:
                return self._connect(create=False)
            except _Broken as exc:
                if exc.__cause__ is None or disk_trouble(exc.__cause__, self.path) != "read-only":
                    raise
            return self._connect_read_only()
        with self._exclusive():
            return self._connect(create=True)

    def _connect(self, *, create: bool) -> tuple[sqlite3.Connection, TextIndex]:
        self.path.mkdir(parents=True, exist_ok=True)
        db = self.path / "docs.sqlite"
        conn = sqlite3.connect(db, timeout=30.0, isolation_level=None, check_same_thread=False)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA) or (version == 0 and not create):
                raise _Broken(f"schema {version}, this newsreader writes {SCHEMA}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            if version == 0:
                conn.executescript("BEGIN IMMEDIATE;" + _docs.DDL + "COMMIT;")
                _docs.set_meta(conn, "incarnation", os.urandom(8).hex())
            text_dir = self.path / "text"
            if (
                not (text_dir / "meta.json").exists()
                and conn.execute("SELECT 1 FROM docs LIMIT 1").fetchone()
            ):
                raise _Broken("its text index is missing")
            text_dir.mkdir(exist_ok=True)
            index = TextIndex(text_dir)
            incarnation = _docs.meta(conn, "incarnation")
            inode = os.stat(db).st_ino
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise _Broken(str(exc)) from exc
        except (OSError, ValueError) as exc:
            conn.close()
            raise _Broken(str(exc)) from exc
        except BaseException:
            conn.close()
            raise
        self._read_only = False
        self._conn, self._text = conn, index
        self._inode, self._incarnation = inode, incarnation
        return conn, index

    def _connect_read_only(self) -> tuple[sqlite3.Connection, TextIndex]:
        """Open an index that cannot be written (a read-only library), to search it while it is fresh.

        SQLite reads it as immutable (its WAL was checkpointed when the last writer closed).
        """
        db = self.path / "docs.sqlite"
        try:
            conn = sqlite3.connect(f"{db.absolute().as_uri()}?immutable=1", uri=True, check_same_thread=False)
            if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA:
                raise StoreError(f"the search index in {self.path} is read-only and of another schema")
            index = TextIndex.read_only(self.path / "text")
        except (sqlite3.Error, OSError, ValueError) as exc:
            raise StoreError(f"cannot read the search index in {self.path}: {exc}") from exc
        self._read_only = True
        self._conn, self._text = conn, index
        self._inode, self._incarnation = os.stat(db).st_ino, _docs.meta(conn, "incarnation")
        return conn, index

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
            self._conn = self._text = None

    def _reset(self, why: object) -> None:
        """Throw a broken index away; the next sync rebuilds it from the store.

        Unless another process already did: then the index on disk is not the one that failed here.
        """
        seen = self._incarnation
        self.close()
        with self._exclusive():
            current = None
            with contextlib.suppress(sqlite3.Error, OSError):
                probe = sqlite3.connect(f"file:{self.path / 'docs.sqlite'}?mode=ro", uri=True, timeout=5)
                try:
                    current = _docs.meta(probe, "incarnation")
                finally:
                    probe.close()
            if seen is not None and current is not None and current != seen:
                log.info("search index %s was rebuilt by another process", self.path)
                return
            log.warning("search index %s is unusable (%s); rebuilding it", self.path, why)
            shutil.rmtree(self.path, ignore_errors=True)

    def _attempt(self, operation: Callable[[], Any]) -> Any:
        """Run an operation; if the index turns out broken, reset it and run it once more.

        A full or read-only disk is not a broken index: it is reported, and nothing is reset.
        """
        for attempt in range(2):
            try:
                try:
                    return operation()
                except (sqlite3.Error, OSError, ValueError) as exc:
                    trouble = disk_trouble(exc, self.path)
                    if trouble is not None:
                        raise disk_error(trouble, self.path) from exc
                    if isinstance(exc, sqlite3.OperationalError) and (
                        "locked" in str(exc) or "busy" in str(exc)
                    ):
                        raise StoreLockedError(
                            f"the search index in {self.path} is busy (another newsreader is updating it);"
                            " try again in a moment"
                        ) from exc
                    if isinstance(exc, sqlite3.DatabaseError | OSError):
                        raise _Broken(str(exc)) from exc
                    raise  # a ValueError that is no I/O failure: a bug, reported as one
            except _Broken as exc:
                trouble = disk_trouble(exc.__cause__, self.path) if exc.__cause__ is not None else None
                if trouble is not None:
                    raise disk_error(trouble, self.path) from exc.__cause__
                if attempt:
                    raise StoreError(f"cannot use the search index in {self.path}: {exc}") from exc
                self._reset(exc)
        raise AssertionError("unreachable")

    def _fresh(self, conn: sqlite3.Connection) -> str | None:
        """``"stamp"`` or ``"generation"`` when the index matches the store (by what matched), else None.

        The stamp (a stat) is compared first; only when it differs is ``headlines.json`` parsed for its
        generation. A rewrite that kept the generation (a migration) matches by generation once: the next
        sync records the new stamp.
        """
        stamp = _stamp(self.store)
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
        if _stamp(self.store) is None:
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
                    _docs.set_meta(conn, "stamp", _stamp(self.store))
                conn.execute("COMMIT")
                self._sync_feeds(sources)
                return report
            self._check_halves(conn)
            # Stamp and generation before the headlines: if a commit lands in between, the recorded
            # generation is older than what was indexed, which costs one more diff, never a miss.
            stamp = _stamp(self.store)
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
            stamp = _stamp(self.store)
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

    # -- searching -------------------------------------------------------------------------------------

    def search(
        self,
        query: str | Query,
        *,
        limit: int | None = 100,
        progress: ProgressCallback | None = None,
    ) -> list[SearchHit]:
        """Ranked hits for a query, best first, newest first among equal scores.

        The index is caught up with the store first.

        Raises:
            InvalidQueryError: the query cannot be understood (see ``parse_query``).
        """
        parsed = query if isinstance(query, Query) else parse_query(query)
        if (limit is not None and limit <= 0) or _stamp(self.store) is None:
            return []  # nothing imported yet: no index folder is created in an empty library
        with self._lock:
            self.sync(progress=progress)
            return self._attempt(lambda: self._search(parsed, limit))  # type: ignore[no-any-return]

    def matching_ids(
        self, queries: Sequence[Query], *, within: Sequence[str] | None = None
    ) -> list[list[str]]:
        """For each query, the ids of every article whose text and tags match it (the ``is:`` filters
        are the caller's to apply), only among ``within`` when given; the index is caught up first."""
        if _stamp(self.store) is None or not queries:
            return [[] for _ in queries]
        with self._lock:
            self.sync()
            tagged = tag_lookup(self._tags()) if any(q.tags for q in queries) else None
            chosen = list(within) if within is not None else None
            trees = [q.tree for q in queries]
            return self._attempt(lambda: self._open()[1].ids(trees, tagged, chosen))  # type: ignore[no-any-return]

    def _search(self, query: Query, limit: int | None) -> list[SearchHit]:
        conn, index = self._open()
        state = self.store.state()
        scored = query.tree is not None and bool(query.terms)
        keep = None
        if query.filters_state or query.hidden is not None or any(v & HIDDEN for v in state.values()):
            keep = lambda article_id: passes(query, state.get(article_id, 0))  # noqa: E731
        tagged = tag_lookup(self._tags()) if query.tags else None
        found = index.top(query.tree, scored=scored, want=limit, keep=keep, tagged=tagged)
        if not found:
            return []
        return build_hits(
            conn,
            query,
            found,
            state=state,
            tags=self._tags(),
            sources=self.store.sources(),
            scored=scored,
            limit=limit,
        )
