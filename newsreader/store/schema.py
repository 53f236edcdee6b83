"""The library's schema version and the numbered steps that migrate older libraries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

VERSION = 2
"""Bump when the on-disk layout changes, and add ``MIGRATIONS[old]``, a step from ``old`` to ``old + 1``."""

Migration = Callable[[Any], None]
"""A step receives the ``Store`` (already holding the write lock)."""


def _journal(store: Any) -> None:
    """1 -> 2: writes go to ``journal/`` and each base file records what it has ``folded`` (journal.py).

    A version 1 file reads as ``folded`` 0 and there is no journal yet, so no file needs rewriting: the step
    makes the folder, and the version it leaves in ``headlines.json`` is the point (the store rewrites that
    file with it, which also writes the head file a big library's first paint reads). A newsreader that
    knows only version 1 then refuses the library instead of reading the bases alone and missing every
    write since the last compaction.
    """
    from newsreader.store.journal import JOURNAL

    (store.path / JOURNAL).mkdir(parents=True, exist_ok=True)


MIGRATIONS: dict[int, Migration] = {1: _journal}
