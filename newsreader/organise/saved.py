"""Saved searches: named queries in ``saved.json``, and their unread counts kept current cheaply.

``saved.json`` is a TinyDB-shaped document (``{"saved": {name: {"query": text, "added": epoch}}}``)
written with the store's atomic write under the library's write lock, like every store file.

:class:`SavedCounts` keeps, per saved search, the set of ids whose text and tags match (asked of the
index once), and after a refresh asks the index only about the articles that arrived; a count is then
set arithmetic against the read/hidden state, so ten counts at 100,000 articles cost a few
milliseconds (``tests/bench/bench_organise.py``).
"""

from __future__ import annotations

import contextlib
import time
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from newsreader.errors import InvalidQueryError, UserInputError
from newsreader.search.hits import HIDDEN, READ, STARRED
from newsreader.search.query import Query, parse_query

FILE = "saved.json"
MAX_NAME = 64


@dataclass(frozen=True, slots=True)
class SavedSearch:
    name: str
    query: str
    added: float = 0.0


def check_name(name: str) -> str:
    """A saved search's name, stripped: printable, at most ``MAX_NAME`` characters.

    Raises:
        UserInputError: empty, too long, or holding control characters.
    """
    name = name.strip()
    if not name:
        raise UserInputError("a saved search needs a name")
    if len(name) > MAX_NAME:
        raise UserInputError(f"a saved search's name can have at most {MAX_NAME} characters")
    if any(unicodedata.category(ch)[0] == "C" for ch in name):
        raise UserInputError("a saved search's name cannot hold control characters")
    return name


class SavedSearches:
    """The saved searches of one library (``<library>/saved.json``)."""

    def __init__(self, folder: Path, lock: Callable[[], contextlib.AbstractContextManager[Any]]) -> None:
        self.path = Path(folder) / FILE
        self._lock = lock

    def all(self) -> list[SavedSearch]:
        """Every saved search, by name (case-insensitively)."""
        from newsreader.store.storage import read_document

        table = (read_document(self.path, {"saved": dict}) or {}).get("saved", {})
        if not isinstance(table, dict):
            return []
        out = [
            SavedSearch(str(name), str(rec.get("query", "")), float(rec.get("added") or 0.0))
            for name, rec in table.items()
            if isinstance(rec, dict)
        ]
        return sorted(out, key=lambda s: s.name.casefold())

    def get(self, name: str) -> SavedSearch:
        """Raises: UserInputError: no saved search by that name (names match case-insensitively)."""
        wanted = name.strip().casefold()
        for saved in self.all():
            if saved.name.casefold() == wanted:
                return saved
        raise UserInputError(f"no saved search named {name.strip()!r} (see `newsreader saved list`)")

    def add(self, name: str, query: str, *, now: float | None = None) -> SavedSearch:
        """Save (or replace) a search; the query must parse.

        Raises:
            UserInputError: a bad name, or a query that does not parse (its reason in one line).
        """
        name = check_name(name)
        try:
            parse_query(query)
        except InvalidQueryError as exc:
            raise UserInputError(f"cannot save {name!r}: {exc}") from None
        saved = SavedSearch(name, query.strip(), time.time() if now is None else now)
        with self._editing() as table:
            for old in [k for k in table if k.casefold() == name.casefold()]:
                del table[old]
            table[name] = {"query": saved.query, "added": saved.added}
        return saved

    def remove(self, name: str) -> SavedSearch:
        saved = self.get(name)
        with self._editing() as table:
            table.pop(saved.name, None)
        return saved

    @contextlib.contextmanager
    def _editing(self) -> Iterator[dict[str, Any]]:
        import orjson

        from newsreader.store.storage import atomic_write, read_document

        with self._lock():
            doc = read_document(self.path, {"saved": dict}) or {}
            table = doc.setdefault("saved", {})
            if not isinstance(table, dict):
                table = doc["saved"] = {}
            yield table
            atomic_write(self.path, orjson.dumps(doc))


class IndexLike(Protocol):
    def matching_ids(
        self, queries: Sequence[Query], *, within: Sequence[str] | None = None
    ) -> list[list[str]]: ...


@dataclass(slots=True)
class _Entry:
    query: Query
    ids: set[str]
    tags_seen: object


@dataclass(slots=True)
class SavedCounts:
    """Unread counts of saved searches, kept current as articles arrive and are read.

    ``update`` is called with the library's current headlines, state and tags (the store caches their
    parsed files, so passing them costs nothing); it asks the index about new articles only, and about
    everything only for a search it has not seen or whose tags changed.
    """

    index: IndexLike
    _entries: dict[str, _Entry] = field(default_factory=dict)
    _known: set[str] = field(default_factory=set)
    _last: str | None = None
    """The last id of the headlines at the last update (new articles come after it)."""
    _generation: int | None = None
    _state_seen: object = None
    _excluded: frozenset[str] = frozenset()
    """Read or hidden ids: a count is what matches minus these."""
    _read: frozenset[str] = frozenset()
    _starred: frozenset[str] = frozenset()
    _hidden: frozenset[str] = frozenset()

    def update(
        self,
        searches: Sequence[SavedSearch],
        heads: Mapping[str, Any],
        state: Mapping[str, int],
        tags: Mapping[str, Sequence[str]],
        *,
        generation: int | None = None,
    ) -> dict[str, int]:
        """``{name: unread count}`` for these searches (a search that no longer parses counts 0).

        ``generation``: the store's, which lets an update after one commit skip the diff of all ids.
        """
        self._catch_up(heads, generation)
        if state is not self._state_seen:
            self._split_state(state)
        counts: dict[str, int] = {}
        wanted = {s.name for s in searches}
        for gone in self._entries.keys() - wanted:
            del self._entries[gone]
        for saved in searches:
            entry = self._entry(saved, tags)
            counts[saved.name] = 0 if entry is None else self._count(entry.query, entry.ids)
        return counts

    def _catch_up(self, heads: Mapping[str, Any], generation: int | None) -> None:
        new, removed = self._arrivals(heads, generation)
        self._generation = generation
        if not new and not removed:
            return
        self._known.update(new)
        self._known -= removed
        self._last = next(reversed(heads.keys()), None) if heads else None  # type: ignore[call-overload]
        entries = list(self._entries.values())
        for entry in entries:
            entry.ids -= removed
        if new and entries:
            found = self.index.matching_ids([e.query for e in entries], within=new)
            for entry, ids in zip(entries, found, strict=True):
                entry.ids.update(ids)

    def _arrivals(self, heads: Mapping[str, Any], generation: int | None) -> tuple[list[str], set[str]]:
        """``(new ids, removed ids)`` since the last update.

        A commit appends its new articles to the headlines (their order is kept on disk), so after one
        commit that only grew them the new ids are the ones after the last id seen: found from the end,
        without diffing 100,000 ids. Anything else (several commits, a removal) is a full diff.
        """
        grown = len(heads) - len(self._known)
        if generation is not None and generation == self._generation:
            return [], set()
        one_commit = (
            generation is not None and self._generation is not None and generation == self._generation + 1
        )
        if one_commit and grown >= 0 and self._last is not None:
            new: list[str] = []
            for article_id in reversed(heads.keys()):  # type: ignore[call-overload]
                if article_id == self._last:
                    if len(new) == grown:
                        return new, set()
                    break
                new.append(article_id)
                if len(new) > grown:
                    break
        keys = heads.keys()
        return list(keys - self._known), self._known - keys

    def _entry(self, saved: SavedSearch, tags: Mapping[str, Sequence[str]]) -> _Entry | None:
        entry = self._entries.get(saved.name)
        if entry is not None and entry.query.text != saved.query:
            entry = None
        if entry is not None and entry.query.tags and entry.tags_seen is not tags:
            entry = None  # tags changed: a tag: search is asked again
        if entry is None:
            try:
                query = parse_query(saved.query)
            except InvalidQueryError:
                self._entries.pop(saved.name, None)
                return None
            entry = _Entry(query, set(self.index.matching_ids([query])[0]), tags)
            self._entries[saved.name] = entry
        return entry

    def _split_state(self, state: Mapping[str, int]) -> None:
        read: set[str] = set()
        starred: set[str] = set()
        hidden: set[str] = set()
        for article_id, flags in state.items():  # one pass: a big library has a mark on most articles
            if flags & READ:
                read.add(article_id)
            if flags & STARRED:
                starred.add(article_id)
            if flags & HIDDEN:
                hidden.add(article_id)
        self._read, self._starred, self._hidden = frozenset(read), frozenset(starred), frozenset(hidden)
        self._excluded = self._read | self._hidden
        self._state_seen = state

    def _count(self, query: Query, ids: set[str]) -> int:
        """Unread articles among ``ids`` that pass the query's ``is:`` filters: set arithmetic only
        (``a & b`` walks the smaller set), no loop over articles in Python."""
        if query.read:
            return 0  # is:read: nothing in it is unread
        if query.starred is None and query.hidden is None:
            return len(ids) - len(ids & self._excluded)
        chosen: set[str] | frozenset[str] = ids
        if query.starred is not None:
            chosen = chosen & self._starred if query.starred else chosen - self._starred
        if query.hidden:
            return len((chosen & self._hidden) - self._read)
        return len(chosen) - len(chosen & self._excluded)
