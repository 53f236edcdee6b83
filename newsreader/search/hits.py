"""From ranked ids to ``SearchHit``: the SQLite rows a hit prints, the store's read/star state, snippets.

The read/star bits and the record-to-``Article`` step are the store's (``store.records``), so the
library and search can never disagree on, say, a feed's display name.
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

from newsreader.models import Article, SearchHit
from newsreader.search.query import Query
from newsreader.search.text import make_snippet
from newsreader.store.records import Flags, article_from

READ, STARRED = Flags.READ, Flags.STARRED
"""Bits of a ``Store.state()`` value (the store's one definition)."""

HIT_COLUMNS = "id, src, title, author, url, excerpt, published, added, truncated, n, body"
"""The ``docs`` columns a hit is built from, in this order."""


def passes(query: Query, flags: int) -> bool:
    """Whether an article with these state bits passes the query's ``is:`` filters."""
    if query.read is not None and bool(flags & READ) != query.read:
        return False
    return query.starred is None or bool(flags & STARRED) == query.starred


def _article(row: tuple[Any, ...], sources: Mapping[str, Mapping[str, Any]], flags: int) -> Article:
    """The row as an :class:`Article`, through the store's one record-to-Article function."""
    article_id, src, title, author, url, excerpt, published, added, truncated, n, _body = row
    rec = {"src": src, "title": title, "author": author, "url": url, "excerpt": excerpt}
    rec |= {"published": published, "added": added, "truncated": truncated, "n": n}
    return article_from(article_id, rec, flags, sources)


def build_hits(
    conn: sqlite3.Connection,
    query: Query,
    found: Sequence[tuple[float, str]],
    *,
    state: Mapping[str, int],
    sources: Mapping[str, Mapping[str, Any]],
    scored: bool,
    limit: int | None,
) -> list[SearchHit]:
    """Hits for ``(score, id)`` pairs: best first, newest first among equal scores, at most ``limit``."""
    ids = [article_id for _, article_id in found]
    docs: dict[str, tuple[Any, ...]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(f"SELECT {HIT_COLUMNS} FROM docs WHERE id IN ({marks})", chunk):
            docs[row[0]] = row

    def date(article_id: str) -> float:
        row = docs.get(article_id)
        if row is None:
            return 0.0
        return float(row[6] if row[6] is not None else row[7] or 0.0)

    if scored:
        ranked = sorted(found, key=lambda hit: (-round(hit[0], 5), -date(hit[1])))
    else:
        ranked = [(0.0, i) for _, i in found]
    hits: list[SearchHit] = []
    for score, article_id in ranked:
        row = docs.get(article_id)
        if row is None:
            continue  # committed to tantivy by a writer that crashed before SQLite: re-indexed later
        article = _article(row, sources, state.get(article_id, 0))
        body, excerpt = row[10], row[5]
        text = zlib.decompress(body).decode("utf-8", "surrogatepass") if body else excerpt or ""
        snippet, spans = make_snippet(text, query.terms)
        hits.append(SearchHit(article, float(score), snippet, tuple(spans), query.terms))
        if limit is not None and len(hits) >= limit:
            break
    return hits
