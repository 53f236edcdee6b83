"""The counting half of the :class:`~newsreader.library.Library` facade (a mixin): counts in one
pass, marks that say what they changed, a stamp of the library's files, and the Articles a listing
builds, kept for the next listing. What the app needs so its counts follow each change and its
reloads rebuild only what changed (issue 16, item 4)."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from newsreader import _lookup
from newsreader._lookup import StateChange
from newsreader.errors import UserInputError
from newsreader.models import Article, Source, SourceKind
from newsreader.store.records import Flags, HeadlineRecord, SourceRecord, article_from, source_from

if TYPE_CHECKING:
    from pathlib import Path

    from newsreader._remote import RemoteArticles
    from newsreader.store import Store

_Built = tuple[HeadlineRecord, int, Sequence[str], "SourceRecord | None", Article]


class CountingMixin:
    """``tally``, ``stamp``, ``mark_counted``, ``mark_source_read_counted`` and the listing's builder."""

    if TYPE_CHECKING:
        _store: Store
        path: Path

        @property
        def remote(self) -> RemoteArticles: ...

        def _resolve(self, article_id: str, headlines: Mapping[str, HeadlineRecord]) -> str: ...
        def resolve_source(self, name: str, /) -> str: ...

    def _init_counting(self) -> None:
        self._parsing = threading.Lock()
        self._built: dict[str, _Built] = {}
        """Articles built by ``articles()``, with what they were built from (``_builder``)."""

    def tally(self) -> tuple[list[Source], int]:
        """``sources()`` and how many articles the Starred view lists (``len(articles(starred=True))``),
        counted in one pass: what the app's sources pane shows."""
        with self._store.reading():  # headlines, flags and sources of one version
            counts, starred = _lookup.tallies(self._headlines(), self._store.state())
            records = self._store.sources()
        out = []
        for sid, record in records.items():
            total, unread = counts.get(sid, (0, 0))
            out.append(source_from(sid, record, articles=total, unread=unread))
        out.sort(key=lambda s: (s.kind != SourceKind.FEED, (s.category or "").casefold(), s.title.casefold()))
        return out, starred

    def stamp(self) -> tuple[tuple[str, int, int, int], ...]:
        """A cheap fingerprint of the library's files (a stat of each in its folder and journal):
        any write changes it, so the app recounts only after a write it did not make itself."""
        from newsreader.store.journal import JOURNAL

        found = []
        for folder in (self.path, self.path / JOURNAL):
            with contextlib.suppress(OSError):
                for entry in os.scandir(folder):
                    if entry.name.endswith(".json") and entry.is_file():  # not the locks, not temp files
                        st = entry.stat()
                        found.append((entry.name, st.st_ino, st.st_mtime_ns, st.st_size))
        return tuple(sorted(found))

    def mark_counted(
        self,
        article_ids: Iterable[str],
        /,
        *,
        read: bool | None = None,
        starred: bool | None = None,
    ) -> StateChange:
        """``mark``, returning what it changed (each article's flags before and after), so the counts
        shown can follow the change instead of recounting the library."""
        if read is None and starred is None:
            raise UserInputError("nothing to mark: say read, unread, star or unstar")
        headlines = self._headlines()
        ids = [self._resolve(i, headlines) for i in article_ids]
        return self._set_counted(headlines, ids, read, starred)

    def _set_counted(
        self, headlines: Mapping[str, HeadlineRecord], ids: list[str], read: bool | None, starred: bool | None
    ) -> StateChange:
        stamp = self.stamp()
        before = self._store.state()  # a snapshot: writes build new views, never change this one
        self.remote.record(ids, read=read, starred=starred)  # queued for the server before the change
        self._store.set_state(ids, read=read, starred=starred)
        change = _lookup.state_change(headlines, before, self._store.state(), ids)
        return replace(change, stamps=(stamp, self.stamp()))

    def mark_source_read_counted(self, source_id: str | None, /) -> StateChange:
        """``mark_source_read``, returning what it changed (as ``mark_counted``)."""
        headlines = self._headlines()
        state = self._store.state()
        sid = self.resolve_source(source_id) if source_id else None
        read = int(Flags.READ)  # a plain int: IntFlag's operators cost a second over 100,000 articles
        ids = [
            i
            for i, rec in headlines.items()
            if (sid is None or rec.get("src") == sid) and not state.get(i, 0) & read
        ]
        if not ids:
            stamp = self.stamp()
            return StateChange({}, frozenset(), (stamp, stamp))
        return self._set_counted(headlines, ids, True, None)  # every one, not only the newest page

    def _headlines(self) -> Mapping[str, HeadlineRecord]:
        """The store's headlines, parsed by one thread at a time: after a refresh the app's list and
        counts workers each parsed the rewritten file, each holding the interpreter for its length."""
        with self._parsing:
            return self._store.headlines()

    def _builder(
        self,
        state: Mapping[str, int],
        sources: Mapping[str, SourceRecord],
        tags: Mapping[str, Sequence[str]],
        rows: int,
    ) -> Callable[[str, HeadlineRecord], Article]:
        """Builds an Article, or hands back the one built before from the same record, flags, tags
        and source: a reload after a refresh rebuilds only what changed (building 100,000 costs
        seconds of a thread, every one of them competing with the app's keys).

        ``rows``: how many the listing holds. Past twice that (and some slack for the other views)
        the cache holds articles long gone, and starts afresh. (Counted from the read marks alone,
        the bound cleared it on every listing of 200,000 unmarked rows or more, and a reload then
        built its rows anew while the old list still held the old ones: twice the rows in memory.)"""
        built = self._built
        if len(built) > 2 * max(rows, len(state)) + 200_000:
            built.clear()

        def build(article_id: str, rec: HeadlineRecord) -> Article:
            flags, tagged = state.get(article_id, 0), tags.get(article_id, ())
            source = sources.get(rec.get("src", ""))
            hit = built.get(article_id)
            if (
                hit is not None
                and hit[0] == rec
                and hit[1] == flags
                and hit[2] == tagged
                and hit[3] == source
            ):
                return hit[4]
            article = article_from(article_id, rec, flags, sources, tagged)
            built[article_id] = (rec, flags, tagged, source, article)
            return article

        return build
