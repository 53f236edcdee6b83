"""Opening, locking and recovering the search index's files (the base of ``SearchIndex``).

The index (``<library>/search/``: ``docs.sqlite`` for what a hit prints and the sync bookkeeping,
``text/`` for tantivy) is derived data: whatever goes wrong with it short of the disk's own trouble,
it is thrown away and rebuilt from the store. Writes run under ``search.lock`` beside the folder
(the store's lock implementation), so several processes (the app, a CLI ``search``, the app's
index builder, ``search.background``) can share it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

from newsreader.errors import StoreError, StoreLockedError
from newsreader.search import _docs
from newsreader.search._disk import disk_error, disk_trouble
from newsreader.search._tantivy import TextIndex
from newsreader.store.lock import FileLock

log = logging.getLogger("newsreader.search.index")

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
INDEX_DIR = "search"
"""``<library>/search/``: ``docs.sqlite`` (what a hit prints, sync bookkeeping) and ``text/`` (tantivy)."""


class _Cancelled(Exception):
    """Raised inside a sync to stop it when the caller's cancel event is set."""


class _Broken(Exception):
    """The index files are unusable: throw them away and rebuild."""


def stamp_of(store: StoreLike) -> str | None:
    """A cheap fingerprint of the headlines file: the store replaces it atomically on every commit.

    Comparing it avoids parsing 50k headlines just to read ``store.generation``.
    """
    try:
        st = (Path(store.path) / "headlines.json").stat()
    except OSError:
        return None
    return f"{st.st_ino}:{st.st_mtime_ns}:{st.st_size}"


class IndexFiles:
    """The files of one library's search index, opened on first use; see ``SearchIndex``."""

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
