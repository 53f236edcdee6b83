"""``newest.json``: the newest headlines, so that a first paint costs a screenful, not the library.

Parsing the whole ``headlines.json`` (108 MB at 500,000 articles, 700 MB of dicts) to show 40 rows is
what made start-up grow with the library. Each compaction that rewrites ``headlines.json`` also writes
this small TinyDB file: the ``HEAD_SIZE`` newest records (by the list's own order, ``records.sort_key``),
the sort key of the last one (``cut``: every record left out sorts at or below it), which linked full
articles exist, and a copy of ``headlines.json``'s ``_meta`` together with that file's stat key. A reader
trusts it only while ``headlines.json`` still has that stat key (any other rewrite, or a crash between
the two writes, makes it stale, and the reader parses ``headlines.json`` as before), and lays the
journal's newer headlines over it. It is derived data: deleting it costs one slow start-up.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Container, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsreader.errors import NewsreaderError, StoreError
from newsreader.store.records import HeadlineRecord, sort_key
from newsreader.store.storage import atomic_write, read_document

log = logging.getLogger(__name__)

FILE = "newest.json"
HEAD_SIZE = 2000
"""Records kept: several first pages of the busiest filters (unread, one source) before a fallback."""
MIN_LIBRARY = 4 * HEAD_SIZE
"""Smaller libraries parse ``headlines.json`` quickly enough and write no head file."""

_cache: dict[Path, tuple[tuple[int, int, int], Head]] = {}


@dataclass(frozen=True, slots=True)
class Head:
    articles: dict[str, HeadlineRecord]
    meta: dict[str, Any]
    """``headlines.json``'s ``_meta`` as of that write, plus ``cut``, ``total`` and ``linked``."""

    @property
    def cut(self) -> tuple[float, int] | None:
        cut = self.meta.get("cut")
        return (float(cut[0]), int(cut[1])) if isinstance(cut, list) and len(cut) == 2 else None


@dataclass(frozen=True, slots=True)
class Candidates:
    """The head with the journal laid over it: every record that can sort above ``cut``."""

    articles: dict[str, HeadlineRecord]
    known: Known
    """Whether an id is in the library, for the ids the list asks about (a teaser's full article)."""
    cut: tuple[float, int] | None
    """``None``: the head holds the whole library."""


def write(
    folder: Path, articles: Mapping[str, HeadlineRecord], stat: tuple[int, ...] | None, meta: dict[str, Any]
) -> None:
    """Write the head file for a ``headlines.json`` just written (``stat`` is its stat key)."""
    path = folder / FILE
    if len(articles) < MIN_LIBRARY or stat is None:
        path.unlink(missing_ok=True)
        return
    import orjson

    top = heapq.nlargest(HEAD_SIZE, articles.items(), key=lambda item: sort_key(item[1]))
    cut = list(sort_key(top[-1][1])) if len(top) < len(articles) else None
    targets = {t for _i, r in top if isinstance(t := r.get("full_article"), str)}
    linked = sorted(t for t in targets if t in articles)
    dangling = sorted(t for t in targets if t not in articles)
    info = {
        "headlines": _identity(stat),
        "cut": cut,
        "total": len(articles),
        "linked": linked,
        "dangling": dangling,
    }
    doc = {"articles": dict(top), "_meta": {"1": {**meta, **info}}}
    try:
        atomic_write(path, orjson.dumps(doc), backup=False)
    except StoreError as exc:  # the commit is already durable; a stale head is never trusted (``read``)
        log.warning("could not write the head file: %s", exc)


def read(folder: Path, stat: tuple[int, ...] | None) -> Head | None:
    """The head file if it describes ``headlines.json`` as it is now (``stat``), else ``None``."""
    path = folder / FILE
    if stat is None:
        return None
    try:
        st = path.stat()
    except OSError:
        return None
    key = (st.st_ino, st.st_mtime_ns, st.st_size)
    hit = _cache.get(path)
    if hit is not None and hit[0] == key:
        head = hit[1]
    else:
        try:
            doc = read_document(path, {"articles": dict, "_meta": dict}) or {}
        except NewsreaderError as exc:  # derived data: a broken copy costs a slow start, nothing else
            log.warning("ignoring the head file: %s", exc)
            return None
        meta = doc.get("_meta", {}).get("1", {})
        head = Head(doc.get("articles", {}), meta if isinstance(meta, dict) else {})
        _cache.clear()  # one library's head at a time: it is a few hundred kilobytes
        _cache[path] = (key, head)
    return head if head.meta.get("headlines") == _identity(stat) else None


def _identity(stat: tuple[int, ...]) -> list[int]:
    """``headlines.json``'s modification time (ns) and size: every rewrite changes them, and a copy that
    keeps them (``cp -p``, a backup restored) is the same file, so its head still holds."""
    return list(stat[-2:])


def headlines_meta(folder: Path, stat: tuple[int, ...] | None) -> dict[str, Any] | None:
    head = read(folder, stat)
    return None if head is None else head.meta


def candidates(head: Head, deltas: list[tuple[int, Any]]) -> Candidates:
    """The head with the journal's headlines newer than it laid over it."""
    done = int(head.meta.get("folded", 0))
    over: dict[str, Any] = {}
    for seq, doc in deltas:
        if seq > done and doc.get("articles"):
            over.update(doc["articles"])
    articles = {i: r for i, r in head.articles.items() if i not in over}
    articles.update((i, r) for i, r in over.items() if r is not None)
    linked = {i for i in head.meta.get("linked", ()) if i not in over}
    absent = {i for i in head.meta.get("dangling", ())} | {i for i, r in over.items() if r is None}
    return Candidates(articles, Known(articles, linked, absent), head.cut)


class Known(Container[str]):
    """Membership for the ids the head can answer about; any other question sets ``unsure``."""

    __slots__ = ("_absent", "_articles", "_linked", "unsure")

    def __init__(self, articles: Mapping[str, Any], linked: set[str], absent: set[str]) -> None:
        self._articles, self._linked, self._absent = articles, linked, absent
        self.unsure = False

    def __contains__(self, item: object) -> bool:
        if item is None or item in self._articles or item in self._linked:
            return item is not None
        if item not in self._absent:
            self.unsure = True
        return False
