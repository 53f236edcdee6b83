"""The one door to the data: the TUI and the CLI call this facade and nothing below it.

Methods check their arguments, then delegate to the store and the ingesters. Writes are batched (one
per import or refresh) and serialised by the store's lock, so a CLI ``import`` and the TUI can run at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path

from newsreader.models import Article, ImportReport, Source, utcnow

ProgressCallback = Callable[[int, int, str], None]
"""``progress(done, total, label)``: called from whatever thread does the work."""


class Library:
    """A newsreader library folder. Thread-safe; safe to share with other processes.

    Args:
        path: the library folder; created on first write.
        lock_timeout: seconds to wait for another process's write lock before ``StoreLockedError``.
    """

    now: Callable[[], datetime] = staticmethod(utcnow)
    """The clock (tests replace it)."""

    def __init__(self, path: str | Path, *, lock_timeout: float = 10.0) -> None:
        from newsreader.store import Store

        self.path = Path(path)
        self._store = Store(self.path, lock_timeout=lock_timeout)
        self._lock = threading.RLock()

    # -- reading -----------------------------------------------------------------------------

    def articles(
        self,
        *,
        source: str | None = None,
        unread: bool = False,
        starred: bool = False,
        limit: int | None = None,
    ) -> list[Article]:
        """Headlines (no bodies), newest first.

        Args:
            source: a source id, URL/path, or title (case-insensitive); ``None`` for all.
            unread: only unread articles.
            starred: only starred articles.
            limit: at most this many; ``None`` for every match.
        """
        raise NotImplementedError

    def get(self, article_id: str, /) -> Article:
        """One article with its body. ``article_id`` may be a unique prefix.

        Raises:
            ArticleNotFoundError: no article, or the prefix matches several.
        """
        raise NotImplementedError

    def sources(self) -> list[Source]:
        """Feeds and imported dumps, with article and unread counts."""
        raise NotImplementedError

    # -- writing -----------------------------------------------------------------------------

    def import_paths(
        self,
        paths: Sequence[str | Path],
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> ImportReport:
        """Import dumps, feed files, OPML files and directories; each file commits on its own."""
        raise NotImplementedError

    def mark(
        self,
        article_ids: Iterable[str],
        /,
        *,
        read: bool | None = None,
        starred: bool | None = None,
    ) -> int:
        """Set reading state on articles (one durable write); returns how many changed."""
        raise NotImplementedError

    def mark_source_read(self, source_id: str | None, /) -> int:
        """Mark every article of a source (``None``: all) read; returns how many changed."""
        raise NotImplementedError
