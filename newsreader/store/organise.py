"""The store's part in organising: tags (``tags.json``), the hidden flag, removing chosen articles.

A mixin of :class:`newsreader.store.Store` (it uses the store's cached reads, atomic writes and write
lock), kept in its own module so the store's core stays about articles and sources.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsreader.store import tags as _tags
from newsreader.store.records import Flags
from newsreader.store.storage import atomic_write_many, read_document

_STATE = "state.json"
_HEADLINES = "headlines.json"
_SHARD_SHAPE: dict[str, type] = {"bodies": dict}
READ, STARRED, HIDDEN = Flags.READ, Flags.STARRED, Flags.HIDDEN


class OrganiseStore:
    """Tags, hidden articles and pruning for ``Store``."""

    if TYPE_CHECKING:
        path: Path

        def _read(self, name: str, *, fresh: bool = False) -> dict[str, Any]: ...

        def _write(self, name: str, doc: dict[str, Any]) -> None: ...

        def writing(self) -> contextlib.AbstractContextManager[None]: ...

        def _shard(self, article_id: str) -> Path: ...

        @staticmethod
        def _meta(doc: dict[str, Any]) -> dict[str, Any]: ...

    def tags(self) -> dict[str, list[str]]:
        """Article id -> its tags, sorted; untagged articles are absent. Do not mutate."""
        table = self._read(_tags.FILE).get("tags", {})
        return table if isinstance(table, dict) else {}

    def set_tags(self, changes: Mapping[str, _tags.TagChange]) -> int:
        """Add and remove tags in one write of the small tags file; returns how many articles changed."""
        with self.writing():
            return self._change_tags(changes)

    def _change_tags(self, changes: Mapping[str, _tags.TagChange]) -> int:
        doc = self._read(_tags.FILE, fresh=True)
        table = doc.setdefault("tags", {})
        changed = _tags.apply_changes(table, changes)
        if changed:
            self._write(_tags.FILE, doc)
        return changed

    def apply_marks(
        self,
        *,
        read: Sequence[str] = (),
        hidden: Sequence[str] = (),
        starred: Sequence[str] = (),
        tags: Mapping[str, _tags.TagChange] | None = None,
    ) -> int:
        """Set read, hidden and starred flags and add tags (what rules do), under one lock hold:
        one write of ``state.json`` and one of ``tags.json``. Returns how many flags changed."""
        with self.writing():
            doc = self._read(_STATE, fresh=True)
            table: dict[str, int] = doc.setdefault("state", {})
            changed = 0
            for ids, bit in ((read, READ), (hidden, HIDDEN), (starred, STARRED)):
                for article_id in ids:
                    old = table.get(article_id, 0)
                    if not old & bit:
                        table[article_id] = old | bit
                        changed += 1
            if changed:
                self._write(_STATE, doc)
            if tags:
                self._change_tags(tags)
            return changed

    def remove_articles(self, article_ids: Iterable[str]) -> int:
        """Delete articles (headlines, bodies, state, tags) in one locked batch; returns how many."""
        with self.writing():
            doc = self._read(_HEADLINES, fresh=True)
            articles = doc.get("articles", {})
            gone = [i for i in dict.fromkeys(article_ids) if i in articles]
            if not gone:
                return 0
            self._drop_bodies(gone)  # bodies first: headlines are the commit point
            for article_id in gone:
                del articles[article_id]
            meta = self._meta(doc)
            meta["generation"] = int(meta.get("generation", 0)) + 1
            self._write(_HEADLINES, doc)
            self._forget(gone)
            return len(gone)

    def _drop_bodies(self, gone: Sequence[str]) -> None:
        import orjson

        by_shard: dict[Path, list[str]] = {}
        for article_id in gone:
            by_shard.setdefault(self._shard(article_id), []).append(article_id)
        payloads = {}
        for shard, ids in by_shard.items():
            shard_doc = read_document(shard, _SHARD_SHAPE) or {}
            bodies = shard_doc.get("bodies", {})
            for article_id in ids:
                bodies.pop(article_id, None)
            payloads[shard] = orjson.dumps(shard_doc)
        atomic_write_many(payloads)

    def _forget(self, gone: Sequence[str]) -> None:
        """Drop the state and tags of removed articles (under the write lock)."""
        state_doc = self._read(_STATE, fresh=True)
        table = state_doc.get("state", {})
        if any(article_id in table for article_id in gone):
            for article_id in gone:
                table.pop(article_id, None)
            self._write(_STATE, state_doc)
        tags_doc = self._read(_tags.FILE, fresh=True)
        if _tags.drop(tags_doc.get("tags", {}), gone):
            self._write(_tags.FILE, tags_doc)
