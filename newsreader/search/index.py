"""The search index beside the store: SQLite bookkeeping around the tantivy half (``_tantivy``).

The index (``<library>/search/``: tantivy for the text, SQLite for what a hit prints) is derived data:
TinyDB stays the store of record, and the index can always be rebuilt from it. It records the store
``generation`` (and a cheap stamp of the headlines file) it is in sync with, so a search in a library
that has not changed reads no headlines at all, and one that has changed is caught up by a diff (new,
changed and removed articles), not a rebuild.

Why tantivy and not SQLite FTS5 or a hand-written index: see README ("Search engine").

The index is three rooms: ``_files`` opens, locks and recovers the files; ``_sync`` keeps them in step
with the store; this module searches them (``hits`` turns ranked ids into ``SearchHit``). A build can
also run in a child process (``background``), so a terminal app's interpreter stays free.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from newsreader.models import SearchHit
from newsreader.search._docs import linked_teasers
from newsreader.search._files import INDEX_DIR, SCHEMA, ProgressCallback, StoreLike, stamp_of
from newsreader.search._sync import IndexSync, SyncReport
from newsreader.search.hits import HIDDEN, build_hits, passes
from newsreader.search.query import Query, Term, parse_query

__all__ = [
    "INDEX_DIR",
    "SCHEMA",
    "ProgressCallback",
    "SearchIndex",
    "StoreLike",
    "SyncReport",
    "stamp_of",
    "tag_lookup",
]


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


class SearchIndex(IndexSync):
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

    # -- searching -------------------------------------------------------------------------------------

    def search(
        self,
        query: str | Query,
        *,
        limit: int | None = 100,
        progress: ProgressCallback | None = None,
        linked_once: bool = False,
    ) -> list[SearchHit]:
        """Ranked hits for a query, best first, newest first among equal scores.

        The index is caught up with the store first. ``linked_once``: a teaser whose full article is
        indexed is left out (its text is the full article's), before ``limit`` counts.

        Raises:
            InvalidQueryError: the query cannot be understood (see ``parse_query``).
        """
        parsed = query if isinstance(query, Query) else parse_query(query)
        if (limit is not None and limit <= 0) or stamp_of(self.store) is None:
            return []  # nothing imported yet: no index folder is created in an empty library
        with self._lock:
            self.sync(progress=progress)
            return self._attempt(lambda: self._search(parsed, limit, linked_once))  # type: ignore[no-any-return]

    def matching_ids(
        self, queries: Sequence[Query], *, within: Sequence[str] | None = None
    ) -> list[list[str]]:
        """For each query, the ids of every article whose text and tags match it (the ``is:`` filters
        are the caller's to apply), only among ``within`` when given; the index is caught up first."""
        if stamp_of(self.store) is None or not queries:
            return [[] for _ in queries]
        with self._lock:
            self.sync()
            tagged = tag_lookup(self._tags()) if any(q.tags for q in queries) else None
            chosen = list(within) if within is not None else None
            trees = [q.tree for q in queries]
            return self._attempt(lambda: self._open()[1].ids(trees, tagged, chosen))  # type: ignore[no-any-return]

    def _search(self, query: Query, limit: int | None, linked_once: bool) -> list[SearchHit]:
        conn, index = self._open()
        state = self.store.state()
        scored = query.tree is not None and bool(query.terms)
        keep = None
        if query.filters_state or query.hidden is not None or any(v & HIDDEN for v in state.values()):
            keep = lambda article_id: passes(query, state.get(article_id, 0))  # noqa: E731
        if linked_once and (linked := linked_teasers(conn)):
            by_state = keep
            keep = lambda i: i not in linked and (by_state is None or by_state(i))  # noqa: E731
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
