"""Search: the query language, the index beside the store, ranking, snippets and highlighting.

- ``query``: what a user types, read into a tree (``parse_query``), and search as you type
  (``as_you_type``);
- ``text``: folding, tokens, highlight offsets and snippets, as the index sees text;
- ``index``: ``SearchIndex``, the SQLite bookkeeping (what a hit prints) around ``_tantivy``, the
  adapter that alone knows tantivy; under it ``_files`` (opening, locking, recovering the files) and
  ``_sync`` (catching up with the store); ``background`` runs that catch-up in a child process;
  ``hits`` turns ranked ids into ``SearchHit``; ``_disk`` tells a full or read-only disk from a
  broken index.

The index modules load on first use: the TUI imports ``as_you_type`` at start-up without paying for
SQLite or the store's lock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newsreader.search.query import (
    BARE_FIELDS,
    FIELDS,
    MAX_DEPTH,
    MAX_PREFIXES,
    And,
    Node,
    Not,
    Or,
    Query,
    Term,
    as_you_type,
    parse_query,
)
from newsreader.search.text import fold, highlight_spans, make_snippet, tokens

if TYPE_CHECKING:
    from newsreader.search._tantivy import BOOSTS
    from newsreader.search.hits import READ, STARRED
    from newsreader.search.index import (
        INDEX_DIR,
        SCHEMA,
        ProgressCallback,
        SearchIndex,
        StoreLike,
        SyncReport,
    )

_LAZY = {
    "BOOSTS": "newsreader.search._tantivy",
    "READ": "newsreader.search.hits",
    "STARRED": "newsreader.search.hits",
    "INDEX_DIR": "newsreader.search.index",
    "SCHEMA": "newsreader.search.index",
    "ProgressCallback": "newsreader.search.index",
    "SearchIndex": "newsreader.search.index",
    "StoreLike": "newsreader.search.index",
    "SyncReport": "newsreader.search.index",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = [
    "BARE_FIELDS",
    "BOOSTS",
    "FIELDS",
    "INDEX_DIR",
    "MAX_DEPTH",
    "MAX_PREFIXES",
    "READ",
    "SCHEMA",
    "STARRED",
    "And",
    "Node",
    "Not",
    "Or",
    "ProgressCallback",
    "Query",
    "SearchIndex",
    "StoreLike",
    "SyncReport",
    "Term",
    "as_you_type",
    "fold",
    "highlight_spans",
    "make_snippet",
    "parse_query",
    "tokens",
]
