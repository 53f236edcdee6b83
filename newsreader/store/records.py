"""What the store's files hold, typed: record shapes, the read/starred flags, and the two functions
that turn records into the models the rest of newsreader sees.

Records stay plain dicts on disk and in memory, so the shapes are ``TypedDict`` s: mypy knows the
keys, the runtime pays nothing. (The headline records read from ``headlines.json`` are dicts that
share one key table, store/lines.py: a plain ``dict`` to everything that reads them, half the size.)
Everything that reads a record into an :class:`Article` or a :class:`Source` goes through
:func:`article_from` / :func:`source_from`, so the library and the search index can no longer
disagree on, say, a feed's display name.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntFlag
from itertools import islice
from typing import Any, Literal, TypedDict, TypeVar

from newsreader.models import Article, Source, SourceKind, from_timestamp

__all__ = [
    "BodyRecord",
    "Flags",
    "HeadlineRecord",
    "SourceField",
    "SourceRecord",
    "SourceUpdate",
    "article_from",
    "sort_key",
    "source_from",
]

_EPOCH = datetime.fromtimestamp(0, UTC)
_T = TypeVar("_T")


class Flags(IntFlag):
    """An article's reading state in ``state.json`` (absent means neither)."""

    READ = 1
    STARRED = 2
    HIDDEN = 4
    """A rule hid it: out of lists, counts and search results except ``is:hidden``."""


class HeadlineRecord(TypedDict, total=False):
    """``headlines.json`` ``articles``: the lean part of an article (falsy optional fields omitted)."""

    src: str
    """The source id."""
    title: str
    added: float
    """Epoch seconds when first stored."""
    n: int
    """Position in its import batch (file order among equal dates)."""
    excerpt: str
    author: str
    published: float
    updated: float
    url: str
    truncated: bool
    full_text: str
    """Where the stored full text came from (newsreader.extract.fulltext): the teaser is one no more."""
    full_article: str
    """A teaser's full article from another source (newsreader.extract.link): its id."""
    enc: int
    """How many enclosures the body record holds (so a refresh that finds new ones updates it)."""


class EnclosureRecord(TypedDict):
    """One ``Enclosure`` as stored."""

    url: str
    type: str | None
    length: int | None


class BodyRecord(TypedDict, total=False):
    """``bodies/XX.json`` ``bodies``: what only the article view needs."""

    body: str
    author_note: str
    credits: list[str]
    links: list[str]
    full_text: dict[str, Any]
    """``url``, ``fetched`` and the ``summary`` the full text replaced."""
    full_text_error: str
    full_text_tried: float
    enclosures: list[EnclosureRecord]


class SourceRecord(TypedDict, total=False):
    """``sources.json`` ``sources``: a feed or an imported dump, with its fetch status."""

    kind: str
    title: str
    location: str
    added: float
    imported: float
    format: str
    feed_url: str | None
    site_url: str | None
    category: str | None
    last_fetched: float
    retry_at: float | None
    error: str
    warning: str | None
    gone: bool
    etag: str | None
    last_modified: str | None
    full_text: bool
    """Fetch the page of each new summary-only item (``feed FEED --full-text on``)."""
    account: str
    """A feed synced from a server account (``newsreader.sync``): the account's name."""
    remote_id: str
    """That feed's id on the server."""
    interval: float
    """Seconds between refreshes of this feed (``feed FEED --interval``); absent: the default."""
    failures: int
    """Failed fetches in a row: the feed backs off (``organise.schedule``)."""
    keep_days: int
    keep_articles: int
    """This feed's retention (0: no limit), over the default in settings."""
    renamed: bool
    """The user named this source (``feed FEED --title``, the app's rename): refreshes and
    re-imports keep its title."""


SourceField = Literal[
    "kind",
    "title",
    "location",
    "added",
    "imported",
    "format",
    "feed_url",
    "site_url",
    "category",
    "last_fetched",
    "retry_at",
    "error",
    "warning",
    "gone",
    "etag",
    "last_modified",
    "full_text",
    "account",
    "remote_id",
    "interval",
    "failures",
    "keep_days",
    "keep_articles",
    "renamed",
]


@dataclass(frozen=True, slots=True)
class SourceUpdate:
    """A change to one source record: fields to set, and an explicit set of fields to remove.

    ``None`` in ``set`` is dropped rather than stored (an absent optional field and ``None`` read the
    same), never taken to mean "delete": deleting is what ``clear`` says.
    """

    set: SourceRecord = field(default_factory=lambda: SourceRecord())
    clear: frozenset[SourceField] = frozenset()

    def apply(self, old: Mapping[str, Any]) -> dict[str, Any]:
        """The record after this update."""
        rec = {k: v for k, v in old.items() if k not in self.clear}
        rec.update((k, v) for k, v in self.set.items() if v is not None)
        return rec


def sort_key(rec: Mapping[str, Any]) -> tuple[float, int]:
    """A headline's place in lists, newest first: its date (published, else added), then file order."""
    return (_number(rec.get("published")) or _number(rec.get("added")), -int(_number(rec.get("n"))))


def _number(value: object) -> float:
    """A stored number for sorting; anything else (a hand-edited file) sorts as 0."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _kind(value: object) -> SourceKind:
    return SourceKind.FEED if value == SourceKind.FEED.value else SourceKind.DUMP


def feed_name(source: Mapping[str, Any]) -> str:
    """A source's display name: its title, else its location."""
    return str(source.get("title") or source.get("location") or "")


def article_from(
    article_id: str,
    rec: Mapping[str, Any],
    flags: int,
    sources: Mapping[str, Mapping[str, Any]],
    tags: Sequence[str] = (),
) -> Article:
    """An :class:`Article` (no body) from a headline record, its flags and the sources table."""
    src = str(rec.get("src") or "")
    source = sources.get(src) or {}
    return Article(
        id=article_id,
        source_id=src,
        title=rec.get("title") or "",
        feed=feed_name(source),
        source=str(source.get("location") or ""),
        kind=_kind(source.get("kind")),
        excerpt=rec.get("excerpt") or "",
        added=from_timestamp(rec.get("added")) or _EPOCH,
        author=rec.get("author") or None,
        published=from_timestamp(rec.get("published")),
        url=rec.get("url") or None,
        truncated=bool(rec.get("truncated")) and not rec.get("full_text"),  # full text: no teaser
        read=bool(flags & Flags.READ),
        starred=bool(flags & Flags.STARRED),
        order=int(rec.get("n") or 0),
        tags=tuple(tags),
    )


def source_from(source_id: str, rec: Mapping[str, Any], *, articles: int = 0, unread: int = 0) -> Source:
    """A :class:`Source` from its record and its article counts."""
    return Source(
        id=source_id,
        kind=_kind(rec.get("kind", "dump")),
        title=feed_name(rec) or source_id,
        location=str(rec.get("location") or ""),
        added=from_timestamp(rec.get("added")) or _EPOCH,
        category=rec.get("category"),
        site_url=rec.get("site_url"),
        last_fetched=from_timestamp(rec.get("last_fetched")),
        error=rec.get("error"),
        warning=rec.get("warning"),
        etag=rec.get("etag"),
        last_modified=rec.get("last_modified"),
        gone=bool(rec.get("gone")),
        articles=articles,
        unread=unread,
    )


def newest_first(items: Iterable[tuple[str, Mapping[str, Any]]]) -> list[tuple[str, Any]]:
    """``(id, record)`` pairs sorted by :func:`sort_key`, newest first, as ``sorted(items,
    key=sort_key, reverse=True)`` would.

    Sorted on the records' own number objects: a key tuple per record cost ~90 bytes each while
    the sort ran (40 MB at 500,000 articles, on top of the list itself).
    """
    return newest_first_merged([list(items)])


MERGE_FAN = 16
"""Sorted runs merged by one C sort in :func:`newest_first_merged` (timsort finds them and merges
them in about ``log2(MERGE_FAN)`` comparisons a record: 65,536 records in a few ms of the GIL)."""


def newest_first_merged(runs: list[list[tuple[str, Any]]]) -> list[tuple[str, Any]]:
    """The ``(id, record)`` pairs of ``runs`` (consecutive slices of the input, in order) sorted as
    ``sorted(items, key=sort_key, reverse=True)`` would, no step holding the GIL for long
    (:func:`_merged`)."""
    return _merged(runs, _date, _order)


def newest_first_ids(ids: list[str], records: Mapping[str, Mapping[str, Any]], run: int) -> list[str]:
    """``ids`` sorted as their records sort by :func:`sort_key`, newest first (ties in ``ids``'
    order), in runs of ``run`` (:func:`_merged`).

    Ids, not ``(id, record)`` pairs: a pair is a 64-byte tuple (28 MB at 500,000) that the cycle
    collector tracks.
    """
    get = records.__getitem__

    def date(article_id: str) -> float:  # _record_date, inlined: one call a key, not two
        rec = get(article_id)
        value = rec.get("published")
        if type(value) is not float:
            value = _stored(value)
        if value:
            return value
        value = rec.get("added")
        return value if type(value) is float else _stored(value)

    def order(article_id: str) -> float:
        n = get(article_id).get("n")
        return n if type(n) is int else int(_number(n))

    # Each date found once (a Python call a record), then looked up in C by every pass after: the
    # run sorts, the merges and the ties. The dict holds the records' own numbers (21 MB at 500,000,
    # while the sort runs).
    date_of = dict(zip(ids, map(date, ids), strict=True))
    return _merged([ids[i : i + run] for i in range(0, len(ids), run)], date_of.__getitem__, order)


def _merged(runs: list[list[_T]], date: Callable[[_T], float], order: Callable[[_T], float]) -> list[_T]:
    """The rows of ``runs`` sorted by ``date``, newest first, equal dates by ``order``, ties in input
    order: each run sorted by date, then runs merged ``MERGE_FAN`` at a time by a C sort on the date
    (the keys are computed in Python, between which other threads run; only the comparisons hold the
    GIL), and last each stretch of equal dates put in ``order``. Stable throughout, so ties keep the
    input's order as the one sort does. A merge of sorted runs in Python (``heapq.merge``) was 3 µs a
    record; this is under 1.
    """
    for run in runs:
        run.sort(key=date, reverse=True)
    while len(runs) > 1:
        merged = []
        for start in range(0, len(runs), MERGE_FAN):
            group = runs[start : start + MERGE_FAN]
            first = group[0]
            for run in group[1:]:
                first += run
            first.sort(key=date, reverse=True)
            merged.append(first)
        runs = merged
    out = runs[0] if runs else []
    _order_ties(out, date, order)
    return out


def _order_ties(out: list[_T], date: Callable[[_T], float], order: Callable[[_T], float]) -> None:
    """Put each stretch of equal dates in ``out`` (sorted by date) in ``order``, stably."""
    dates = list(map(date, out))
    same = list(map(operator.eq, dates, islice(dates, 1, None)))  # same[i]: out[i], out[i + 1] tie
    del dates
    end = 0
    while True:
        try:
            start = same.index(True, end)
        except ValueError:
            return
        try:
            end = same.index(False, start)
        except ValueError:
            end = len(same)
        tied = out[start : end + 1]
        tied.sort(key=order)
        out[start : end + 1] = tied


def _date(item: tuple[str, Mapping[str, Any]]) -> float:
    return _record_date(item[1])


def _record_date(rec: Mapping[str, Any]) -> float:
    value = rec.get("published")  # ``_stored(published) or _stored(added)``, its calls inlined: a
    if type(value) is not float:  # sort calls this once a record a pass
        value = _stored(value)
    if value:
        return value
    value = rec.get("added")
    return value if type(value) is float else _stored(value)


def _order(item: tuple[str, Mapping[str, Any]]) -> float:
    return _record_order(item[1])


def _record_order(rec: Mapping[str, Any]) -> float:
    n = rec.get("n")
    return n if type(n) is int else int(_number(n))


def _stored(value: object) -> float:
    """``_number`` without a new object for a stored float or int (the same order: ints and floats
    compare by value)."""
    return value if type(value) is float or type(value) is int else _number(value)
