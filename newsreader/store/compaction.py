"""Folding the journal back into the base files (a mixin of :class:`newsreader.store.Store`).

Order is what makes a crash harmless: body shards first, then ``state.json``, ``sources.json`` and
``tags.json``, then ``headlines.json`` and the head file, each written atomically with the journal's last
sequence number as its ``folded``; only then are the journal files deleted, the last one replaced first by
an empty marker that keeps the sequence going (see ``journal.View.last_seq``). A crash before the end
leaves journal files that every base already holds, or that some base does not hold yet and so still
reads from the journal: nothing is lost and nothing applied twice.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from newsreader.store import journal
from newsreader.store.storage import atomic_write, atomic_write_many, read_document

_SHARD_SHAPE: dict[str, type] = {"bodies": dict, "_meta": dict}
_FILES = {"state": "state.json", "sources": "sources.json", "tags": "tags.json"}


class Compaction:
    """``compact`` and the write-through path of small libraries."""

    if TYPE_CHECKING:
        path: Path
        _views: journal.View | None

        def _view(self) -> journal.View: ...

        def writing(self) -> contextlib.AbstractContextManager[None]: ...

        def _write(self, name: str, doc: dict[str, Any], *, keep: bool = False) -> None: ...

        def _shard(self, article_id: str) -> Path: ...

        def _file(self, name: str) -> Path: ...

        def _stat_key(self, name: str) -> tuple[int, int, int] | None: ...

        @property
        def generation(self) -> int: ...

    def compact(self) -> None:
        """Fold the journal into the base files now (writes do this when the journal has grown)."""
        with self.writing():
            self._compact()

    def _compact(self, *, extra: dict[str, Any] | None = None) -> None:
        """Fold the journal (and ``extra``, a write not made a journal file) into the bases."""
        from newsreader.store import WRITE_THROUGH_BYTES, head
        from newsreader.store.schema import VERSION

        self._views = None
        view = self._view()
        generation = self.generation
        files = journal.listing(self.path / journal.JOURNAL)
        last = view.last_seq
        if extra is not None:
            last += 1
            view = view.with_deltas(view.key, [(last, extra)], view.journal_bytes)
        docs = dict(view.deltas)
        self._write_shards(view, docs, last)
        tables = view.tables
        for name, file in _FILES.items():
            if tables[name].over:
                self._write(file, self._based({name: tables[name].merged()}, last), keep=True)
        heads_touched = bool(tables["articles"].over) or any(
            doc.get("bodies") or _generation(doc)
            for seq, doc in view.deltas
            if seq > tables["articles"].folded
        )
        if heads_touched or not self._file("headlines.json").exists():
            articles = tables["articles"].merged()
            doc = self._based({"articles": articles}, last)
            meta = doc["_meta"]["1"]
            meta["schema"] = VERSION
            meta["generation"] = max(generation, view.generation)
            self._write("headlines.json", doc, keep=True)
            head.write(self.path, articles, self._stat_key("headlines.json"), meta)
        small = (self._stat_key("headlines.json") or (0, 0, 0))[2] < WRITE_THROUGH_BYTES
        self._drop_journal(files, last, keep_marker=not small)
        self._views = None

    def _drop_journal(self, files: list[tuple[int, Path]], last: int, *, keep_marker: bool) -> None:
        if not files:
            return
        folder = self.path / journal.JOURNAL
        if keep_marker:  # the sequence goes on from here without parsing a base to learn it
            atomic_write(folder / journal.name_of(last), b'{"_meta":{"1":{"marker":true}}}', backup=False)
        for seq, path in files:  # one left behind is harmless: every base now says it holds it
            if keep_marker and seq == last:
                continue
            with contextlib.suppress(OSError):
                os.unlink(path)

    @staticmethod
    def _based(doc: dict[str, Any], last: int) -> dict[str, Any]:
        journal.set_folded(doc, last)
        return doc

    def _write_shards(self, view: journal.View, docs: dict[int, dict[str, Any]], last: int) -> None:
        by_shard: dict[Path, list[tuple[str, int]]] = {}
        for article_id, seq in view.body_at.items():
            by_shard.setdefault(self._shard(article_id), []).append((article_id, seq))
        payloads = {}
        for shard, changes in by_shard.items():
            shard_doc = read_document(shard, _SHARD_SHAPE) or {}
            done = journal.folded(shard_doc)
            table = shard_doc.setdefault("bodies", {})
            changed = False
            for article_id, seq in changes:
                if seq <= done:
                    continue
                changed = True
                body = docs[seq]["bodies"][article_id]
                if body is None:
                    table.pop(article_id, None)
                else:
                    table[article_id] = body
            if changed:
                journal.set_folded(shard_doc, last)
                payloads[shard] = orjson.dumps(shard_doc)
        atomic_write_many(payloads)


def _generation(doc: dict[str, Any]) -> int:
    return int(doc.get("_meta", {}).get("1", {}).get("generation", 0))
