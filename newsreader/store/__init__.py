"""TinyDB persistence, split so that each kind of write touches only a small file.

Layout of a library folder::

    headlines.json   TinyDB: ``articles`` (lean headline records by id) and ``_meta`` (schema, generation)
    state.json       TinyDB: ``state`` (id -> flags: 1 read, 2 starred); marking an article rewrites only it
    sources.json     TinyDB: ``sources`` (feeds and imported dumps, with fetch status)
    bodies/XX.json   TinyDB: ``bodies``, sharded by the id's first two hex digits, so an import of a few
                     articles rewrites a few small files and opening one article parses ~1/256 of the bodies
    library.lock     the write lock (see lock.py)

Every file is a valid TinyDB database written by :class:`AtomicOrjsonStorage`. The store reads and writes
whole documents through that storage because every write here is a batch spanning tables (one write
per import or refresh), which TinyDB's per-document Table API would turn into one file rewrite per call.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from newsreader.errors import SchemaError
from newsreader.models import ArticleDraft
from newsreader.store.lock import LibraryLock
from newsreader.store.organise import OrganiseStore
from newsreader.store.records import BodyRecord, Flags, HeadlineRecord, SourceRecord, SourceUpdate
from newsreader.store.schema import MIGRATIONS, VERSION
from newsreader.store.storage import (
    TMP_SUFFIX,
    AtomicOrjsonStorage,
    atomic_write,
    atomic_write_many,
    read_document,
)

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
_BODIES = "bodies"
_SHAPES: dict[str, dict[str, type]] = {
    _HEADLINES: {"articles": dict, "_meta": dict},
    _STATE: {"state": int},
    _SOURCES: {"sources": dict},
    "tags.json": {"tags": list},
}
_SHARD_SHAPE: dict[str, type] = {"bodies": dict}


@dataclass(slots=True)
class CommitResult:
    """What one ``Store.commit`` wrote."""

    new_ids: list[str] = field(default_factory=list)
    updated_ids: list[str] = field(default_factory=list)
    present: int = 0
    per_source: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    """source id -> (new, updated, present)."""


def _headline_record(draft: ArticleDraft, source_id: str, added: float, order: int) -> HeadlineRecord:
    # Lean on purpose: this file is parsed at every start-up; falsy optional fields are omitted.
    rec: HeadlineRecord = {"src": source_id, "title": draft.title, "added": added, "n": order}
    if draft.excerpt:
        rec["excerpt"] = draft.excerpt
    if draft.author:
        rec["author"] = draft.author
    if draft.published is not None:
        rec["published"] = draft.published.timestamp()
    if draft.updated is not None:
        rec["updated"] = draft.updated.timestamp()
    if draft.url:
        rec["url"] = draft.url
    if draft.truncated:
        rec["truncated"] = True
    if draft.enclosures:  # a count, so a refresh that finds new enclosures on a stored entry updates it
        rec["enc"] = len(draft.enclosures)
    return rec


def _body_record(draft: ArticleDraft) -> BodyRecord:
    rec: BodyRecord = {"body": draft.body}
    if draft.author_note:
        rec["author_note"] = draft.author_note
    if draft.credits:
        rec["credits"] = list(draft.credits)
    if draft.links:
        rec["links"] = list(draft.links)
    if draft.enclosures:
        rec["enclosures"] = [{"url": e.url, "type": e.type, "length": e.length} for e in draft.enclosures]
    return rec


_COMPARED = ("title", "excerpt", "author", "published", "updated", "url", "truncated", "enc")


class Store(OrganiseStore):
    """A library folder on disk. Safe to use from several threads and several processes.

    Tags, hidden articles and pruning come from ``OrganiseStore``."""

    def __init__(self, path: Path, *, lock_timeout: float = 10.0) -> None:
        self.path = Path(path)
        self.locked = LibraryLock(self.path / "library.lock", lock_timeout)
        """Context manager factory: ``with store.locked(): ...`` holds the write lock."""
        self._cache: dict[str, tuple[tuple[int, int, int], dict[str, Any]]] = {}
        self._checked_schema = False
        self._swept = False

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
        if not fresh and key is not None:
            hit = self._cache.get(name)
            if hit is not None and hit[0] == key:
                return hit[1]
        doc = read_document(path, _SHAPES.get(name)) or {}
        if not fresh and key is not None:
            self._cache[name] = (key, doc)
        return doc

    def _write(self, name: str, doc: dict[str, Any]) -> None:
        import orjson

        path = self._file(name)
        atomic_write(path, orjson.dumps(doc))
        self._cache.pop(name, None)

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
        for folder in (self.path, self.path / _BODIES):
            with contextlib.suppress(OSError):
                for entry in os.scandir(folder):
                    if entry.name.startswith(".") and entry.name.endswith(TMP_SUFFIX):
                        with contextlib.suppress(OSError):
                            os.unlink(entry.path)

    def _check_schema(self, *, write: bool = False) -> None:
        if self._checked_schema:
            return
        meta = self._meta(self._read(_HEADLINES))
        version = meta.get("schema", VERSION if not self._file(_HEADLINES).exists() else 1)
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
            self._meta(doc)["schema"] = version
            self._write(_HEADLINES, doc)

    @staticmethod
    def _meta(doc: dict[str, Any]) -> dict[str, Any]:
        table: dict[str, dict[str, Any]] = doc.setdefault("_meta", {})
        return table.setdefault("1", {})

    # -- reads -------------------------------------------------------------------------------------

    def headlines(self) -> dict[str, HeadlineRecord]:
        """Article id -> lean headline record (see ``_headline_record``). Do not mutate."""
        self._check_schema()
        articles: dict[str, HeadlineRecord] = self._read(_HEADLINES).get("articles", {})
        return articles

    @property
    def generation(self) -> int:
        """Increases with every write of headlines; derived data (the search index) compares it."""
        return int(self._read(_HEADLINES).get("_meta", {}).get("1", {}).get("generation", 0))

    def state(self) -> dict[str, int]:
        """Article id -> :class:`Flags` bits; absent means unread and unstarred. Do not mutate."""
        state: dict[str, int] = self._read(_STATE).get("state", {})
        return state

    def sources(self) -> dict[str, SourceRecord]:
        """Source id -> record (``kind``, ``title``, ``location``, ``added``, fetch status). Do not mutate."""
        sources: dict[str, SourceRecord] = self._read(_SOURCES).get("sources", {})
        return sources

    def body(self, article_id: str) -> BodyRecord | None:
        """The body record of one article, or ``None``."""
        doc = read_document(self._shard(article_id), _SHARD_SHAPE) or {}
        record: BodyRecord | None = doc.get("bodies", {}).get(article_id)
        return record

    def bodies(self, article_ids: Iterable[str]) -> dict[str, BodyRecord | None]:
        """Body records of many articles, reading each shard once (the search index builds from this)."""
        by_shard: dict[Path, list[str]] = {}
        for article_id in article_ids:
            by_shard.setdefault(self._shard(article_id), []).append(article_id)
        out: dict[str, BodyRecord | None] = {}
        for shard, ids in by_shard.items():
            table = (read_document(shard, _SHARD_SHAPE) or {}).get("bodies", {})
            for article_id in ids:
                out[article_id] = table.get(article_id)
        return out

    def _shard(self, article_id: str) -> Path:
        return self.path / _BODIES / f"{article_id[:2]}.json"

    # -- writes ------------------------------------------------------------------------------------

    def commit(
        self,
        drafts_by_source: Mapping[str, Sequence[ArticleDraft]] | None = None,
        *,
        now: datetime,
        update: bool = False,
        sources: Mapping[str, SourceUpdate | SourceRecord] | None = None,
        revised: Collection[str] = (),
    ) -> CommitResult:
        """Store new articles (and, with ``update``, changed ones) and source records in one batch.

        ``revised`` names articles whose text is known to have changed (a dump read anew): they are
        rewritten, body included, even when their headline fields are the same.

        Bodies are written first and headlines last: headlines are the commit point, so a crash in
        between leaves only unreferenced bodies, which the next import of the same text overwrites.
        """
        result = CommitResult()
        added = now.timestamp()
        with self.writing():
            doc = self._read(_HEADLINES, fresh=True)
            articles: dict[str, Any] = doc.setdefault("articles", {})
            shards: dict[Path, dict[str, Any]] = {}
            for source_id, drafts in (drafts_by_source or {}).items():
                new = upd = present = 0
                for order, draft in enumerate(drafts):
                    old = articles.get(draft.id)
                    if old is None:
                        articles[draft.id] = _headline_record(draft, source_id, added, order)
                        result.new_ids.append(draft.id)
                        new += 1
                    elif (update or draft.id in revised) and old.get("src") == source_id:
                        rec = _headline_record(draft, source_id, old.get("added", added), old.get("n", order))
                        # Headline fields (the excerpt included) decide, not the body: reading a body
                        # shard per unchanged entry would make a warm refresh parse every shard.
                        if draft.id not in revised and all(rec.get(k) == old.get(k) for k in _COMPARED):
                            present += 1
                            continue
                        articles[draft.id] = rec
                        result.updated_ids.append(draft.id)
                        upd += 1
                    else:
                        present += 1
                        continue
                    shards.setdefault(self._shard(draft.id), {})[draft.id] = _body_record(draft)
                result.per_source[source_id] = (new, upd, present)
                result.present += present
            payloads = {}
            for shard, bodies in shards.items():
                shard_doc = read_document(shard, _SHARD_SHAPE) or {}
                shard_doc.setdefault("bodies", {}).update(bodies)
                payloads[shard] = _dumps(shard_doc)
            atomic_write_many(payloads)
            if result.new_ids or result.updated_ids or not self._file(_HEADLINES).exists():
                meta = self._meta(doc)
                meta["schema"] = VERSION
                meta["generation"] = int(meta.get("generation", 0)) + 1
                self._write(_HEADLINES, doc)
            if sources:
                self._merge_sources(sources)
        return result

    def _merge_sources(self, sources: Mapping[str, SourceUpdate | SourceRecord]) -> None:
        doc = self._read(_SOURCES, fresh=True)
        table = doc.setdefault("sources", {})
        for source_id, update in sources.items():
            if not isinstance(update, SourceUpdate):  # a plain record: fields to set, nothing cleared
                update = SourceUpdate(update)
            table[source_id] = update.apply(table.get(source_id, {}))
        self._write(_SOURCES, doc)

    def merge_articles(
        self,
        bodies: Mapping[str, Mapping[str, Any]],
        headlines: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> list[str]:
        """Merge fields into existing articles' body and headline records (``None`` deletes a field).

        For data that arrives after an article (its full text, newsreader.extract.fulltext); an id no
        longer in the library is skipped. Returns the ids changed.
        """
        with self.writing():
            doc = self._read(_HEADLINES, fresh=True)
            articles: dict[str, Any] = doc.setdefault("articles", {})
            ids = [i for i in bodies if i in articles]
            by_shard: dict[Path, list[str]] = {}
            for article_id in ids:
                by_shard.setdefault(self._shard(article_id), []).append(article_id)
            payloads = {}
            for shard, shard_ids in by_shard.items():
                table = (shard_doc := read_document(shard) or {}).setdefault("bodies", {})
                for article_id in shard_ids:
                    rec = dict(table.get(article_id) or {"body": ""})
                    for key, value in bodies[article_id].items():
                        rec.pop(key, None) if value is None else rec.__setitem__(key, value)
                    table[article_id] = rec
                payloads[shard] = _dumps(shard_doc)
            atomic_write_many(payloads)
            changed = [i for i in (headlines or {}) if i in articles]
            for article_id in changed:
                rec = dict(articles[article_id])
                for key, value in (headlines or {})[article_id].items():
                    rec.pop(key, None) if value is None else rec.__setitem__(key, value)
                articles[article_id] = rec
            if ids or changed:
                meta = self._meta(doc)
                meta["generation"] = int(meta.get("generation", 0)) + 1
                self._write(_HEADLINES, doc)
            return sorted(set(ids) | set(changed))

    def update_sources(self, sources: Mapping[str, SourceUpdate | SourceRecord]) -> None:
        """Apply typed updates to source records (fields set, fields cleared); one write."""
        with self.writing():
            self._merge_sources(sources)

    def set_state(self, ids: Iterable[str], *, read: bool | None = None, starred: bool | None = None) -> int:
        """Set or clear flags on articles in one write of the small state file; returns how many changed."""
        with self.writing():
            doc = self._read(_STATE, fresh=True)
            table: dict[str, int] = doc.setdefault("state", {})
            changed = 0
            for article_id in ids:
                old = table.get(article_id, 0)
                flags = old
                if read is not None:
                    flags = flags | Flags.READ if read else flags & ~Flags.READ
                if starred is not None:
                    flags = flags | Flags.STARRED if starred else flags & ~Flags.STARRED
                if flags != old:
                    changed += 1
                    if flags:
                        table[article_id] = int(flags)
                    else:
                        del table[article_id]
            if changed:
                self._write(_STATE, doc)
            return changed

    def remove_source(self, source_id: str) -> int:
        """Delete a source with its articles (headlines, bodies, state, tags); returns how many articles."""
        with self.writing():
            doc = self._read(_HEADLINES, fresh=True)
            articles = doc.get("articles", {})
            gone = [i for i, rec in articles.items() if rec.get("src") == source_id]
            for article_id in gone:
                del articles[article_id]
            if gone:
                meta = self._meta(doc)
                meta["generation"] = int(meta.get("generation", 0)) + 1
                self._write(_HEADLINES, doc)
            by_shard: dict[Path, list[str]] = {}
            for article_id in gone:
                by_shard.setdefault(self._shard(article_id), []).append(article_id)
            payloads = {}
            for shard, ids in by_shard.items():
                shard_doc = read_document(shard, _SHARD_SHAPE) or {}
                bodies = shard_doc.get("bodies", {})
                for article_id in ids:
                    bodies.pop(article_id, None)
                payloads[shard] = _dumps(shard_doc)
            atomic_write_many(payloads)
            self._forget(gone)  # state and tags
            src_doc = self._read(_SOURCES, fresh=True)
            if src_doc.get("sources", {}).pop(source_id, None) is not None:
                self._write(_SOURCES, src_doc)
            return len(gone)


def _dumps(doc: dict[str, Any]) -> bytes:
    import orjson

    return orjson.dumps(doc)
