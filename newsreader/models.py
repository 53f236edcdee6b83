"""The data newsreader passes around: frozen, slotted dataclasses with aware-UTC datetimes."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any


class SourceKind(StrEnum):
    """Where articles come from."""

    FEED = "feed"
    DUMP = "dump"


_EARLIEST = datetime.min.replace(tzinfo=UTC) + timedelta(days=2)
_LATEST = datetime.max.replace(tzinfo=UTC) - timedelta(days=2)
"""Two days inside datetime's range: any time zone's offset (at most a day) stays representable."""


def from_timestamp(value: object) -> datetime | None:
    """Epoch seconds read from a library file as an aware UTC datetime, clamped to ``_EARLIEST..``
    ``_LATEST``; ``None`` for anything that is not a finite number (a hand-edited or hostile file)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    value = min(max(float(value), _EARLIEST.timestamp()), _LATEST.timestamp())
    return _EPOCH + timedelta(seconds=value)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def local_time(value: datetime) -> datetime:
    """``value`` in the local time zone; a date at either end of the calendar (9999-12-31 in Tokyo,
    year 1 in New York) is clamped first, because the conversion would leave datetime's range."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return min(max(value, _EARLIEST), _LATEST).astimezone()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True, slots=True)
class Enclosure:
    """A file an entry carries (a podcast episode, a video, an image): RSS ``<enclosure>``, Atom
    ``link rel=enclosure`` or ``media:content``."""

    url: str
    type: str | None = None
    """The MIME type the feed gives, if any."""
    length: int | None = None
    """Size in bytes the feed gives, if any (feeds often say 0 or lie: a hint, not a promise)."""

    def to_json(self) -> dict[str, Any]:
        return {"url": self.url, "type": self.type, "length": self.length}

    @property
    def file_name(self) -> str:
        """The last path segment of the URL, for a download's file name and a one-line listing."""
        from urllib.parse import unquote, urlsplit

        name = unquote(urlsplit(self.url).path.rstrip("/").rpartition("/")[2])
        return name or "download"


@dataclass(frozen=True, slots=True)
class ArticleDraft:
    """One article as an ingester produced it, before the library stores it.

    Ingesters are pure: they turn bytes into drafts, and the id is computed here, once.
    """

    id: str
    title: str
    body: str
    excerpt: str
    author: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    url: str | None = None
    truncated: bool = False
    author_note: str | None = None
    """A closing bio or disclaimer, shown after the body."""
    credits: tuple[str, ...] = ()
    """Caption and credit lines (``Illustration: Yusha``): metadata, not body."""
    links: tuple[str, ...] = ()
    """Numbered link references from an HTML body, ``[1]`` is ``links[0]``."""
    enclosures: tuple[Enclosure, ...] = ()


@dataclass(frozen=True, slots=True)
class Article:
    """An article in the library: headline metadata, reading state and (from ``get``) its body."""

    id: str
    source_id: str
    title: str
    feed: str
    """Display name of the source: the feed's title or the dump's name (``newsreader._names``)."""
    source: str
    """Where it came from: the feed URL or the dump's path."""
    kind: SourceKind
    excerpt: str
    added: datetime
    author: str | None = None
    published: datetime | None = None
    url: str | None = None
    truncated: bool = False
    read: bool = False
    starred: bool = False
    order: int = 0
    """Position in its import batch: keeps a dump's articles in file order among equal dates."""
    body: str | None = None
    """Loaded only by ``Library.get``; headline listings leave it ``None``."""
    author_note: str | None = None
    credits: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    full_article: str | None = None
    """For a teaser linked to the full article from another source (from ``get``): that article's id."""
    tags: tuple[str, ...] = ()
    """Its tags, sorted (``newsreader tag``; ``tag:NAME`` in searches)."""
    enclosures: tuple[Enclosure, ...] = ()
    """Loaded with the body, by ``Library.get``."""

    @property
    def date(self) -> datetime:
        """The date to sort and show by: published if known, else when it was added."""
        return self.published or self.added

    def to_json(self, *, with_body: bool = False) -> dict[str, Any]:
        """The CLI's ``--json`` object (field names are a contract, see docs/design.md)."""
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "feed": self.feed,
            "author": self.author,
            "published": _iso(self.published),
            "added": _iso(self.added),
            "url": self.url,
            "excerpt": self.excerpt,
            "read": self.read,
            "starred": self.starred,
            "truncated": self.truncated,
            "source": self.source,
            "kind": str(self.kind),
            "tags": list(self.tags),
        }
        if with_body:
            data["body"] = self.body
            data["author_note"] = self.author_note
            data["credits"] = list(self.credits)
            data["links"] = list(self.links)
            data["full_article"] = self.full_article
            data["enclosures"] = [e.to_json() for e in self.enclosures]
        return data


@dataclass(frozen=True, slots=True)
class Source:
    """A subscription (feed) or an imported dump file, with its status."""

    id: str
    kind: SourceKind
    title: str
    location: str
    """Feed URL (updated on a permanent redirect) or the dump's absolute path."""
    added: datetime
    category: str | None = None
    site_url: str | None = None
    last_fetched: datetime | None = None
    error: str | None = None
    warning: str | None = None
    """Why the last fetched document was malformed, when its entries were still kept."""
    etag: str | None = None
    last_modified: str | None = None
    gone: bool = False
    articles: int = 0
    unread: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": str(self.kind),
            "url": self.location,
            "title": self.title,
            "category": self.category,
            "last_fetched": _iso(self.last_fetched),
            "error": self.error,
            "warning": self.warning,
            "gone": self.gone,
            "articles": self.articles,
            "unread": self.unread,
        }


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What importing one file did."""

    path: str
    kind: str
    """``dump``, ``feed`` or ``opml``."""
    new: int = 0
    present: int = 0
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What one ``import`` call did, file by file."""

    results: tuple[ImportResult, ...] = field(default_factory=tuple)

    @property
    def new(self) -> int:
        return sum(r.new for r in self.results)

    @property
    def present(self) -> int:
        return sum(r.present for r in self.results)

    @property
    def failed(self) -> tuple[ImportResult, ...]:
        return tuple(r for r in self.results if r.error)


@dataclass(frozen=True, slots=True)
class FeedResult:
    """What refreshing one feed did."""

    source_id: str
    url: str
    title: str
    new: int = 0
    updated: int = 0
    not_modified: bool = False
    error: str | None = None


@dataclass(frozen=True, slots=True)
class RefreshReport:
    """What one ``refresh`` did, feed by feed."""

    results: tuple[FeedResult, ...] = field(default_factory=tuple)

    @property
    def new(self) -> int:
        return sum(r.new for r in self.results)

    @property
    def updated(self) -> int:
        return sum(r.updated for r in self.results)

    @property
    def errors(self) -> tuple[FeedResult, ...]:
        return tuple(r for r in self.results if r.error)


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result: the article (headline, no body), its score and a snippet."""

    article: Article
    score: float
    """Higher is better (a negated BM25 rank)."""
    snippet: str
    """Plain text around the best match."""
    snippet_spans: tuple[tuple[int, int], ...] = ()
    """``(start, end)`` offsets of matched words in ``snippet``."""
    terms: tuple[str, ...] = ()
    """The query's positive terms, for highlighting in titles and bodies (``Library.highlight_spans``)."""

    def to_json(self) -> dict[str, Any]:
        data = self.article.to_json()
        data["snippet"] = self.snippet
        data["score"] = round(self.score, 4)
        return data


def utcnow() -> datetime:
    """The library's clock; tests replace ``Library.now`` rather than patching this."""
    return datetime.now(UTC)
