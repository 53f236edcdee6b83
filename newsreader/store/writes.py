"""The store's writes: each builds one journal document from the merged view and hands it to
``Store._append`` (a mixin of :class:`newsreader.store.Store`)."""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsreader.models import ArticleDraft
from newsreader.store.records import BodyRecord, Flags, HeadlineRecord, SourceRecord, SourceUpdate

if TYPE_CHECKING:
    from newsreader.store import journal


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


class Writes:
    """Commits, marks, merged fields, source updates and removals."""

    if TYPE_CHECKING:
        path: Path

        def _view(self) -> journal.View: ...

        def writing(self) -> contextlib.AbstractContextManager[None]: ...

        def _append(self, view: journal.View, delta: dict[str, Any]) -> None: ...

        def _file(self, name: str) -> Path: ...

        def bodies(self, article_ids: Iterable[str]) -> dict[str, BodyRecord | None]: ...

        @property
        def generation(self) -> int: ...

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

        Everything lands in one journal file, written and renamed at once: the commit point. A library
        whose files are still small, or whose journal has grown past its share, is compacted right after.
        """
        result = CommitResult()
        added = now.timestamp()
        with self.writing():
            view = self._view()
            articles = view.tables["articles"]
            heads: dict[str, Any] = {}
            bodies: dict[str, Any] = {}
            for source_id, drafts in (drafts_by_source or {}).items():
                new = upd = present = 0
                for order, draft in enumerate(drafts):
                    old = heads.get(draft.id) or articles.get(draft.id)
                    if old is None:
                        heads[draft.id] = _headline_record(draft, source_id, added, order)
                        result.new_ids.append(draft.id)
                        new += 1
                    elif (update or draft.id in revised) and old.get("src") == source_id:
                        rec = _headline_record(draft, source_id, old.get("added", added), old.get("n", order))
                        # Headline fields (the excerpt included) decide, not the body: reading a body
                        # shard per unchanged entry would make a warm refresh parse every shard.
                        if draft.id not in revised and all(rec.get(k) == old.get(k) for k in _COMPARED):
                            present += 1
                            continue
                        heads[draft.id] = rec
                        result.updated_ids.append(draft.id)
                        upd += 1
                    else:
                        present += 1
                        continue
                    bodies[draft.id] = _body_record(draft)
                result.per_source[source_id] = (new, upd, present)
                result.present += present
            delta: dict[str, Any] = {}
            if heads:
                delta = {"articles": heads, "bodies": bodies, "_meta": self._next_generation(view)}
            if sources:
                delta["sources"] = self._merged_sources(view, sources)
            if delta or not self._file("headlines.json").exists():
                self._append(view, delta)
        return result

    def _next_generation(self, view: journal.View) -> dict[str, Any]:
        return {"1": {"generation": self.generation + 1}}

    @staticmethod
    def _merged_sources(
        view: journal.View, sources: Mapping[str, SourceUpdate | SourceRecord]
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for source_id, update in sources.items():
            if not isinstance(update, SourceUpdate):  # a plain record: fields to set, nothing cleared
                update = SourceUpdate(update)
            out[source_id] = update.apply(out.get(source_id) or view.tables["sources"].get(source_id, {}))
        return out

    def merge_articles(
        self,
        bodies: Mapping[str, Mapping[str, Any]],
        headlines: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> list[str]:
        """Merge fields into existing articles' body and headline records (``None`` deletes a field).

        For data that arrives after an article (its full text, newsreader.extract.fulltext); an id no
        longer in the library is skipped. Returns the ids changed. One journal write.
        """
        with self.writing():
            view = self._view()
            articles = view.tables["articles"]
            ids = [i for i in bodies if articles.get(i) is not None]
            old_bodies = self.bodies(ids)
            delta: dict[str, Any] = {"bodies": {}, "articles": {}}
            for article_id in ids:
                delta["bodies"][article_id] = _merged(
                    old_bodies[article_id] or {"body": ""}, bodies[article_id]
                )
            changed = [i for i in (headlines or {}) if articles.get(i) is not None]
            for article_id in changed:
                delta["articles"][article_id] = _merged(
                    articles.get(article_id), (headlines or {})[article_id]
                )
            if ids or changed:
                delta["_meta"] = self._next_generation(view)
                self._append(view, delta)
            return sorted(set(ids) | set(changed))

    def update_sources(self, sources: Mapping[str, SourceUpdate | SourceRecord]) -> None:
        """Apply typed updates to source records (fields set, fields cleared); one write."""
        with self.writing():
            view = self._view()
            self._append(view, {"sources": self._merged_sources(view, sources)})

    def set_state(self, ids: Iterable[str], *, read: bool | None = None, starred: bool | None = None) -> int:
        """Set or clear flags on articles in one small write; returns how many changed."""
        with self.writing():
            view = self._view()
            state = view.tables["state"]
            changes: dict[str, int] = {}
            for article_id in ids:
                old = changes.get(article_id, state.get(article_id, 0))
                flags = old
                if read is not None:
                    flags = flags | Flags.READ if read else flags & ~Flags.READ
                if starred is not None:
                    flags = flags | Flags.STARRED if starred else flags & ~Flags.STARRED
                if flags != old:
                    changes[article_id] = int(flags)
            changes = {i: f for i, f in changes.items() if f != state.get(i, 0)}
            if changes:
                self._append(view, {"state": changes})
            return len(changes)

    def remove_source(self, source_id: str) -> int:
        """Delete a source with its articles (headlines, bodies, state, tags); returns how many articles."""
        with self.writing():
            view = self._view()
            gone = [i for i, rec in view.tables["articles"].merged().items() if rec.get("src") == source_id]
            delta = self._removal(view, gone)
            if view.tables["sources"].get(source_id) is not None:
                delta["sources"] = {source_id: None}
            if gone or "sources" in delta:
                self._append(view, delta)
            return len(gone)

    def _removal(self, view: journal.View, gone: Sequence[str]) -> dict[str, Any]:
        """The journal document that deletes these articles, their bodies, state and tags."""
        if not gone:
            return {}
        state, tags = view.tables["state"], view.tables["tags"]
        return {
            "articles": dict.fromkeys(gone),
            "bodies": dict.fromkeys(gone),
            "state": {i: 0 for i in gone if state.get(i)},
            "tags": {i: [] for i in gone if tags.get(i)},
            "_meta": self._next_generation(view),
        }


def _merged(old: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    rec = dict(old)
    for key, value in changes.items():
        if value is None:
            rec.pop(key, None)
        else:
            rec[key] = value
    return rec
