"""The search half of the :class:`~newsreader.library.Library` facade (a mixin): the index is opened on
first use, so a warm refresh or a first paint never loads the search module."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from newsreader.errors import UserInputError
from newsreader.models import SearchHit

if TYPE_CHECKING:
    from newsreader._import import ProgressCallback
    from newsreader.search import SearchIndex
    from newsreader.store import Store

log = logging.getLogger("newsreader.library")

INDEX_DIR = "search"
"""The index's folder in a library (``newsreader.search.INDEX_DIR``, named here so that a commit into a
library without an index does not import the search modules, ~30 ms, to find it missing)."""
CHILD_ABOVE = 512 * 1024
"""Headline bytes (``headlines.json`` plus the journal) up to which ``small_here`` builds the index here.

A child costs ~0.2 s of CPU to start (an interpreter, tantivy, the store); 512 KB is 1,000-2,500
articles, which this process indexes in about that time, in batches that hold its interpreter for
tens of milliseconds once, at start-up."""


def _headline_bytes(path: Path) -> int:
    """What a build would read, from two stats and a folder listing (no file is parsed)."""
    total = 0
    with contextlib.suppress(OSError):
        total += (path / "headlines.json").stat().st_size
    with contextlib.suppress(OSError):
        total += sum(entry.stat().st_size for entry in os.scandir(path / "journal") if entry.is_file())
    return total


class SearchMixin:
    """``search``, ``update_search_index``, ``highlight_spans`` and the index updates after a commit."""

    if TYPE_CHECKING:
        _store: Store
        _search: SearchIndex | None
        _search_lock: threading.Lock

    @property
    def _search_index(self) -> SearchIndex:
        """The search index, opened on first use (a warm refresh never loads the search module)."""
        with self._search_lock:
            if self._search is None:
                from newsreader.search import SearchIndex

                self._search = SearchIndex(self._store)
            return self._search

    def search(
        self,
        query: str,
        *,
        limit: int | None = 100,
        progress: ProgressCallback | None = None,
    ) -> list[SearchHit]:
        """Articles matching a query (see README, "Searching"), best first, newest among equals.

        The index is brought up to date with the store first (a stat when nothing changed, a diff
        when the library changed, a build with ``progress`` when the index is missing or broken).

        Raises:
            InvalidQueryError: the query cannot be understood; ``str()`` says why.
        """
        if limit is not None and limit < 0:
            raise UserInputError(f"--limit must be 0 or more, not {limit}")
        # A linked teaser's text is its full article's: shown once. The index knows the links, so a
        # search process reads no headlines (parsing them cost a 50,000-article search 2x a `list`).
        return self._search_index.search(query, limit=limit, progress=progress, linked_once=True)

    def update_search_index(
        self,
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        in_child: bool = False,
        small_here: bool = False,
    ) -> None:
        """Build or catch up the search index now (the TUI calls this in a worker at start-up).

        ``in_child``: do the work in a child process (``search.background``), so this process's
        interpreter stays free; the TUI's keys would otherwise wait behind a build for seconds.
        ``small_here``: ...except for a library whose headlines take at most :data:`CHILD_ABOVE` bytes on
        disk: its build is shorter than a child's start (the TUI's choice).
        """
        if in_child and not (small_here and _headline_bytes(self._store.path) <= CHILD_ABOVE):
            from newsreader.search.background import sync_in_child

            sync_in_child(self._search_index, progress=progress, cancel=cancel)
            return
        self._search_index.sync(progress=progress, cancel=cancel)

    @staticmethod
    def highlight_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
        """Offsets of the words in ``text`` matching ``terms`` (``SearchHit.terms``), for highlighting."""
        from newsreader.search import highlight_spans

        return highlight_spans(text, terms)

    def _index_articles(self, new_or_updated_ids: Sequence[str]) -> None:
        """Index just-committed articles; never fails the commit (a missed call costs a catch-up)."""
        if self._search is None and not os.path.isdir(os.path.join(self._store.path, INDEX_DIR)):
            return  # no index yet: the first search builds it with these articles in it
        try:
            self._search_index.index_articles(new_or_updated_ids)
        except Exception:
            log.exception("search index update failed; the next search catches up")
