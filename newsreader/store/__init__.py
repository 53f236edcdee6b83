"""TinyDB persistence: base files folded now and then, plus a journal, so a write costs what it changes.

Layout of a library folder (schema 2)::

    headlines.json   TinyDB: ``articles`` (lean headline records by id) and ``_meta`` (schema, generation,
                     folded); one record a line, read as a stream into compact records (see lines.py)
    state.json       TinyDB: ``state`` (id -> flags: 1 read, 2 starred, 4 hidden)
    sources.json     TinyDB: ``sources`` (feeds and imported dumps, with fetch status)
    tags.json        TinyDB: ``tags`` (id -> sorted tag names; see tags.py)
    bodies/XX.json   TinyDB: ``bodies``, sharded by the id's first two hex digits, so opening one article
                     parses ~1/256 of the bodies
    journal/N.json   TinyDB: what each write since the last compaction changed (see journal.py)
    newest.json      TinyDB: the newest headlines and what the first paint needs (see head.py; derived)
    library.lock     the write lock (see lock.py)

Every file is a valid TinyDB database written atomically by ``storage.atomic_write``. A commit, a mark, a
tag or a source update of a big library writes one journal file (one fsync, whatever the library's size);
reads merge the bases with the journal; once the journal outgrows a share of ``headlines.json`` it is
folded into the bases (compaction.py), so that cost is amortised over the writes that grew it. A small
library skips the journal and rewrites its bases, as cheap there and one file fewer to read.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from newsreader.errors import SchemaError
from newsreader.store import head as head_module
from newsreader.store import journal, lines
from newsreader.store.compaction import Compaction
from newsreader.store.lock import LibraryLock
from newsreader.store.organise import OrganiseStore
from newsreader.store.records import BodyRecord, Flags, HeadlineRecord, SourceRecord, SourceUpdate
from newsreader.store.schema import MIGRATIONS, VERSION
from newsreader.store.storage import TMP_SUFFIX, AtomicOrjsonStorage, atomic_write, dumps, read_document
from newsreader.store.writes import CommitResult, Writes

__all__ = [
    "READ",
    "STARRED",
    "AtomicOrjsonStorage",
    "CommitResult",
    "Flags",
    "HeadlineRecord",
    "SourceRecord",
    "SourceUpdate",
    "Store",
]

READ = Flags.READ
STARRED = Flags.STARRED

_HEADLINES = "headlines.json"
_STATE = "state.json"
_SOURCES = "sources.json"
_TAGS = "tags.json"
_BODIES = "bodies"
_SHAPES: dict[str, dict[str, type]] = {
    _HEADLINES: {"articles": dict, "_meta": dict},
    _STATE: {"state": int, "_meta": dict},
    _SOURCES: {"sources": dict, "_meta": dict},
    _TAGS: {"tags": list, "_meta": dict},
}
_SHARD_SHAPE: dict[str, type] = {"bodies": dict, "_meta": dict}
_BASES = {"articles": _HEADLINES, "state": _STATE, "sources": _SOURCES, "tags": _TAGS}

WRITE_THROUGH_BYTES = 256 * 1024
"""Below this size of ``headlines.json`` (~700 articles) a write rewrites the bases: as cheap as a journal."""
JOURNAL_SHARE = 0.25
"""The journal is folded once its bytes pass this share of ``headlines.json``'s: a compaction costing about
the library's size comes after writes of a quarter of it, so per committed article the amortised cost of
folding is a constant (about 1 / share article rewrites), whatever the library's size."""
MAX_JOURNAL_FILES = 256
"""...or once it holds this many files (each is opened at start-up)."""


def _stat_key(path: str) -> tuple[int, int, int] | None:
    """(inode, mtime, size): what changes when a file is replaced or rewritten. A plain ``str`` path,
    since every read checks the four bases and ``Path`` parsing cost more than the ``stat``."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


class Store(Writes, Compaction, OrganiseStore):
    """A library folder on disk. Safe to use from several threads and several processes.

    Writes come from ``Writes``, tags, hidden articles and pruning from ``OrganiseStore``, folding the
    journal from ``Compaction``.
    """

    def __init__(self, path: Path, *, lock_timeout: float = 10.0) -> None:
        self.path = Path(path)
        self.locked = LibraryLock(self.path / "library.lock", lock_timeout)
        """Context manager factory: ``with store.locked(): ...`` holds the write lock."""
        self._cache: dict[str, tuple[tuple[int, int, int], dict[str, Any]]] = {}
        self._checked_schema = False
        self._swept = False
        self._views: journal.View | None = None
        self._parsing = threading.RLock()
        self._pinned = threading.local()
        self._journal_dir = os.path.join(self.path, journal.JOURNAL)
        self._base_paths = tuple(os.path.join(self.path, name) for name in _BASES.values())
        self._shard_paths: dict[str, Path] = {}  # one Path per shard, not one per id a commit writes

    # -- low level -----------------------------------------------------------------------------

    def _file(self, name: str) -> Path:
        return self.path / name

    def _read(self, name: str, *, fresh: bool = False) -> dict[str, Any]:
        """A parsed file (``{}`` if missing). Cached by (inode, mtime, size) unless ``fresh``.

        Cached documents are shared: callers must not mutate them. Writers pass ``fresh=True``.
        """
        path = self._file(name)
        try:
            st = path.stat()
        except FileNotFoundError:
            self._cache.pop(name, None)
            return {}
        except OSError:
            st = None
        key = (st.st_ino, st.st_mtime_ns, st.st_size) if st else None
        if fresh or key is None:
            return read_document(path, _SHAPES.get(name)) or {}
        with self._parsing:  # two workers asking at once parse a 100 MB file once, not side by side
            hit = self._cache.get(name)
            if hit is not None and hit[0] == key:
                return hit[1]
            doc = read_document(path, _SHAPES.get(name)) or {}
            self._cache[name] = (key, doc)
        return doc

    def _write(self, name: str, doc: dict[str, Any], *, keep: bool = False) -> None:
        """Durably replace a base file with ``doc``; ``keep`` caches ``doc`` as the file's parse, so the
        next read after a compaction does not parse what this process just wrote (call it under the
        write lock, where no other process can replace the file between the write and its ``stat``,
        and only with a ``doc`` nobody mutates later)."""
        atomic_write(self._file(name), dumps(doc))
        key = self._stat_key(name) if keep else None
        if key is None:
            self._cache.pop(name, None)
        else:
            self._cache[name] = (key, doc)

    def _stat_key(self, name: str) -> tuple[int, int, int] | None:
        return _stat_key(os.path.join(self.path, name))

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """The write lock, plus one-time housekeeping: stale temp files, schema check."""
        with self.locked():
            if not self._swept:
                self._sweep_temp_files()
                self._swept = True
            self._check_schema(write=True)
            yield

    def _sweep_temp_files(self) -> None:
        # Under the exclusive lock no other writer is mid-write, so any temp file is a leftover of a
        # process killed between write and rename: its target file is still the old, whole one.
        for folder in (self.path, self.path / _BODIES, self.path / journal.JOURNAL):
            with contextlib.suppress(OSError):
                for entry in os.scandir(folder):
                    if entry.name.startswith(".") and entry.name.endswith(TMP_SUFFIX):
                        with contextlib.suppress(OSError):
                            os.unlink(entry.path)

    def _check_schema(self, *, write: bool = False) -> None:
        if self._checked_schema:
            return
        version = self._base_meta().get("schema", VERSION if not self._file(_HEADLINES).exists() else 1)
        if version > VERSION:
            raise SchemaError(
                f"library {self.path} has schema {version}, newer than this newsreader understands"
                f" ({VERSION}); upgrade newsreader"
            )
        if version < VERSION:
            if not write:
                with self.locked():
                    self._migrate(version)
            else:
                self._migrate(version)
        self._checked_schema = True

    def _migrate(self, version: int) -> None:
        while version < VERSION:
            step = MIGRATIONS.get(version)
            if step is None:
                raise SchemaError(f"library {self.path}: no migration from schema {version}")
            step(self)
            version += 1
            doc = self._read(_HEADLINES, fresh=True)
            meta = self._meta(doc)
            meta["schema"] = version
            self._write(_HEADLINES, doc)
            head_module.write(self.path, doc.get("articles", {}), self._stat_key(_HEADLINES), meta)
        self._views = None

    @staticmethod
    def _meta(doc: dict[str, Any]) -> dict[str, Any]:
        table: dict[str, dict[str, Any]] = doc.setdefault("_meta", {})
        return table.setdefault("1", {})

    def _base_meta(self) -> dict[str, Any]:
        """``headlines.json``'s ``_meta`` (schema, generation, folded), from the head file when it is
        current: a start-up that paints the newest screenful never parses the whole headlines file."""
        meta = head_module.headlines_meta(self.path, self._stat_key(_HEADLINES))
        if meta is not None:
            return meta
        table = self._tail_meta()
        if table is None:
            table = self._read(_HEADLINES).get("_meta", {})
        found: dict[str, Any] = table.get("1", {}) if isinstance(table, dict) else {}
        return found

    def _tail_meta(self) -> Any:
        """``headlines.json``'s ``_meta`` table read from its tail (:func:`lines.read_meta`), or ``None``
        where the file is missing, cached whole already, or not in the line layout."""
        key = self._stat_key(_HEADLINES)
        cached = self._cache.get(_HEADLINES)
        if key is None or (cached is not None and cached[0] == key):
            return None
        try:
            with open(self._file(_HEADLINES), "rb") as f:
                doc = lines.read_meta(f)
        except OSError:
            return None
        return None if doc is None else doc.get("_meta", {})

    # -- the merged view -------------------------------------------------------------------------

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """Several reads from one view: the library as it was at the first of them, checked on disk once.

        For a read that asks for headlines, flags, tags, sources and a body in turn (``Library.get``), so
        that a commit landing between them cannot pair one version's headline with another's flags. Not
        for writes: a write inside sees the pinned view, not its own changes.
        """
        if getattr(self._pinned, "view", None) is not None:
            yield
            return
        self._check_schema()
        self._pinned.view = self._view()
        try:
            yield
        finally:
            self._pinned.view = None

    def _view(self) -> journal.View:
        """Bases merged with the journal: cached while neither changes, extended when the journal grew."""
        pinned: journal.View | None = getattr(self._pinned, "view", None)
        if pinned is not None:
            return pinned
        for _attempt in range(20):
            seqs = journal.sequence(self._journal_dir)
            bases = tuple(_stat_key(path) for path in self._base_paths)
            key = (bases, seqs)
            view = self._views
            if view is not None and view.key == key:
                return view
            folder = self.path / journal.JOURNAL
            files = [(seq, folder / journal.name_of(seq)) for seq in seqs]
            try:
                if view is not None and view.key[0] == bases and key[1][: len(view.deltas)] == view.seqs:
                    fresh = view.extended(key, files[len(view.deltas) :])
                else:
                    tables = {
                        name: journal.Table(name, functools.partial(self._read, file), [])
                        for name, file in _BASES.items()
                    }
                    fresh = journal.View((bases, ()), tables).extended(key, files)
            except journal.Vanished:
                continue  # a compaction ran meanwhile: its bases hold what the file held
            self._views = fresh
            return fresh
        raise SchemaError(f"library {self.path} keeps changing under this reader; try again")

    # -- reads -------------------------------------------------------------------------------------

    def headlines(self) -> dict[str, HeadlineRecord]:
        """Article id -> lean headline record (see ``_headline_record``). Do not mutate."""
        self._check_schema()
        articles: dict[str, HeadlineRecord] = self._view().tables["articles"].merged()
        return articles

    def head(self) -> head_module.Candidates | None:
        """The newest headlines with the journal laid over them, read without parsing ``headlines.json``
        (``None`` if the head file is stale or missing): what a first paint needs."""
        found = head_module.read(self.path, self._stat_key(_HEADLINES))
        if found is None or found.meta.get("schema") != VERSION:
            return None
        return head_module.candidates(found, self._view().deltas)

    @property
    def generation(self) -> int:
        """Increases with every write of headlines; derived data (the search index) compares it."""
        return max(int(self._base_meta().get("generation", 0)), self._view().generation)

    def stamp(self) -> str | None:
        """A cheap fingerprint of the headlines (a stat and a folder listing), ``None`` before any commit."""
        key = self._stat_key(_HEADLINES)
        if key is None:
            return None
        seqs = journal.sequence(self._journal_dir)
        return f"{key[0]}:{key[1]}:{key[2]}:{seqs[-1] if seqs else 0}"

    def state(self) -> dict[str, int]:
        """Article id -> :class:`Flags` bits; absent means unread and unstarred. Do not mutate."""
        state: dict[str, int] = self._view().tables["state"].merged()
        return state

    def sources(self) -> dict[str, SourceRecord]:
        """Source id -> record (``kind``, ``title``, ``location``, ``added``, fetch status). Do not mutate."""
        sources: dict[str, SourceRecord] = self._view().tables["sources"].merged()
        return sources

    def body(self, article_id: str) -> BodyRecord | None:
        """The body record of one article, or ``None``."""
        return self.bodies([article_id])[article_id]

    def bodies(self, article_ids: Iterable[str]) -> dict[str, BodyRecord | None]:
        """Body records of many articles, reading each shard and journal file once (the search index
        builds from this)."""
        ids = article_ids if isinstance(article_ids, list) else list(article_ids)
        for _attempt in range(20):
            try:
                return self._bodies(ids)
            except journal.Vanished:
                self._views = None
        raise SchemaError(f"library {self.path} keeps changing under this reader; try again")

    def _bodies(self, article_ids: list[str]) -> dict[str, BodyRecord | None]:
        view = self._view()
        by_shard: dict[Path, list[str]] = {}
        for article_id in article_ids:
            by_shard.setdefault(self._shard(article_id), []).append(article_id)
        out: dict[str, BodyRecord | None] = {}
        later: dict[int, list[str]] = {}
        for shard, ids in by_shard.items():
            doc = read_document(shard, _SHARD_SHAPE) or {}
            table, done = doc.get("bodies", {}), journal.folded(doc)
            for article_id in ids:
                seq = view.body_at.get(article_id, 0)
                if seq > done:
                    later.setdefault(seq, []).append(article_id)
                else:
                    out[article_id] = table.get(article_id)
        docs = dict(view.deltas)
        for seq, ids in later.items():
            table = docs[seq].get("bodies", {})
            for article_id in ids:
                out[article_id] = table.get(article_id)
        return out

    def _shard(self, article_id: str) -> Path:
        key = article_id[:2]
        path = self._shard_paths.get(key)
        if path is None:
            path = self._shard_paths[key] = self.path / _BODIES / f"{key}.json"
        return path

    # -- writes ------------------------------------------------------------------------------------

    def _append(self, view: journal.View, delta: dict[str, Any]) -> None:
        """Write one journal file (the commit point), then compact if the journal has outgrown its share."""
        base = self._stat_key(_HEADLINES)
        base_bytes = base[2] if base else 0
        write_through = base_bytes < WRITE_THROUGH_BYTES
        if write_through and not view.deltas:  # a small library: the bases are rewritten, as always
            self._compact(extra=delta)
            return
        payload = orjson.dumps(delta)
        journal.write_delta(self.path / journal.JOURNAL, view.last_seq + 1, payload)
        grown = view.journal_bytes + len(payload) > base_bytes * JOURNAL_SHARE
        if write_through or grown or len(view.deltas) + 1 >= MAX_JOURNAL_FILES:
            self._compact()
