"""The store's part in organising: tags (``tags.json``), the hidden flag, removing chosen articles.

A mixin of :class:`newsreader.store.Store`: every change here is one journal document through the
store's ``_append`` (one small write, whatever the library's size), under its write lock.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsreader.store import tags as _tags
from newsreader.store.records import Flags

if TYPE_CHECKING:
    from newsreader.store import journal

READ, STARRED, HIDDEN = Flags.READ, Flags.STARRED, Flags.HIDDEN


class OrganiseStore:
    """Tags, hidden articles and pruning for ``Store``."""

    if TYPE_CHECKING:
        path: Path

        def _view(self) -> journal.View: ...

        def writing(self) -> contextlib.AbstractContextManager[None]: ...

        def _append(self, view: journal.View, delta: dict[str, Any]) -> None: ...

        def _removal(self, view: journal.View, gone: Sequence[str]) -> dict[str, Any]: ...

    def tags(self) -> dict[str, list[str]]:
        """Article id -> its tags, sorted; untagged articles are absent. Do not mutate."""
        table: dict[str, list[str]] = self._view().tables["tags"].merged()
        return table

    def set_tags(self, changes: Mapping[str, _tags.TagChange]) -> int:
        """Add and remove tags in one small write; returns how many articles changed."""
        with self.writing():
            view = self._view()
            delta = self._tag_delta(view, changes)
            if delta:
                self._append(view, {"tags": delta})
            return len(delta)

    @staticmethod
    def _tag_delta(view: journal.View, changes: Mapping[str, _tags.TagChange]) -> dict[str, list[str]]:
        table = view.tables["tags"]
        current = {i: list(table.get(i) or []) for i in changes}
        _tags.apply_changes(current, changes)  # in place; an untagged article leaves the dict
        return {i: current.get(i, []) for i in changes if current.get(i, []) != (table.get(i) or [])}

    def apply_marks(
        self,
        *,
        read: Sequence[str] = (),
        hidden: Sequence[str] = (),
        starred: Sequence[str] = (),
        tags: Mapping[str, _tags.TagChange] | None = None,
    ) -> int:
        """Set read, hidden and starred flags and add tags (what rules do), under one lock hold and in
        one write. Returns how many flags changed."""
        with self.writing():
            view = self._view()
            state = view.tables["state"]
            changes: dict[str, int] = {}
            changed = 0
            for ids, bit in ((read, READ), (hidden, HIDDEN), (starred, STARRED)):
                for article_id in ids:
                    old = changes.get(article_id, state.get(article_id, 0))
                    if not old & bit:
                        changes[article_id] = old | bit
                        changed += 1
            delta: dict[str, Any] = {}
            if changes:
                delta["state"] = {i: int(f) for i, f in changes.items()}
            tag_delta = self._tag_delta(view, tags) if tags else {}
            if tag_delta:
                delta["tags"] = tag_delta
            if delta:
                self._append(view, delta)
            return changed

    def remove_articles(self, article_ids: Iterable[str]) -> int:
        """Delete articles (headlines, bodies, state, tags) in one write; returns how many."""
        with self.writing():
            view = self._view()
            articles = view.tables["articles"]
            gone = [i for i in dict.fromkeys(article_ids) if articles.get(i) is not None]
            if not gone:
                return 0
            self._append(view, self._removal(view, gone))
            return len(gone)
