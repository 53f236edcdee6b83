"""RSS/Atom bytes -> :class:`ArticleDraft` s and feed metadata. Pure: no network, no storage.

feedparser does the XML work; it is called on a byte stream (never a string, which it would
treat as a URL or a file name to open) with its HTML sanitiser and relative-URI pass turned off,
because :func:`newsreader.ingest.html_text.html_to_text` turns HTML into plain text itself and resolves
links against each value's ``xml:base``. Those two passes are most of feedparser's time
(kurtmckee/feedparser issue 209). Every stored string goes through ``clean``/``clean_line``.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import feedparser
import feedparser.api
import lxml.etree  # noqa: F401  (_html_walk imports it lazily; here so forked parse workers share it)

from newsreader.errors import ParseError
from newsreader.ingest import _budget, _expat
from newsreader.ingest._entry import _authors, _entry_draft, _http_url, _one_line, article_id, author_name
from newsreader.ingest.cleaning import clean_line
from newsreader.ingest.decoding import feed_charset
from newsreader.ingest.sentences import cut_at_word
from newsreader.models import ArticleDraft

__all__ = [
    "ParsedFeed",
    "article_id",
    "author_name",
    "from_parsed",
    "parse_feed",
    "parse_feed_file",
    "source_id_for",
]

log = logging.getLogger(__name__)

_DRIVER = "newsreader.ingest._expat"
if _DRIVER not in feedparser.api.PREFERRED_XML_PARSERS:  # see _expat.py: same parse, fewer callbacks
    feedparser.api.PREFERRED_XML_PARSERS.insert(0, _DRIVER)


class _BoundedLooseFeedParser(feedparser.api.LooseFeedParser):  # type: ignore[misc]
    """feedparser's loose parser (for documents that are not well-formed) under the driver's bounds.

    feedparser.parse builds it by its module-level name, so it is replaced there below.
    """

    _nesting = 0
    _elements = 0

    def unknown_starttag(self, tag: str, attrs: list[tuple[str, str]]) -> Any:
        self._elements += 1
        if self._elements % _budget.CHECK_EVERY == 0:
            _budget.check()
        self._nesting += 1
        if self._nesting <= _expat.MAX_DEPTH:
            return super().unknown_starttag(tag, attrs)
        return None

    def unknown_endtag(self, tag: str) -> Any:
        self._nesting = max(0, self._nesting - 1)
        if self._nesting < _expat.MAX_DEPTH:
            return super().unknown_endtag(tag)
        return None


feedparser.api.LooseFeedParser = _BoundedLooseFeedParser

# bozo exceptions that say nothing is wrong with the entries themselves.
_BENIGN_BOZO = (
    feedparser.CharacterEncodingOverride,
    feedparser.NonXMLContentType,
)


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """What one feed document holds, ready to store."""

    title: str
    """The feed's own title, cleaned; empty if it has none."""
    site_url: str | None
    """The web site the feed belongs to (its ``<link>``), http(s) only."""
    drafts: tuple[ArticleDraft, ...]
    """Entries in document order, one per id (a repeated guid keeps its first entry)."""
    warning: str | None = None
    """Why the document was malformed, when it still yielded entries."""
    self_url: str | None = None
    """The URL the feed says it lives at (``<atom:link rel="self">``), http(s) only."""
    skipped: int = 0
    """Entries dropped because they could not be read."""
    source_id: str = ""
    """The id the entries' ids are scoped to (for a saved copy of a feed, that feed's id)."""


def source_id_for(url: str) -> str:
    """A feed's id: stable for the URL it was first subscribed with, even after a 301 moves it."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:12]


def parse_feed(
    data: bytes,
    *,
    source_id: str,
    url: str | None = None,
    content_type: str | None = None,
    budget: float = _budget.PARSE_SECONDS,
) -> ParsedFeed:
    """Parse one RSS/Atom document.

    A malformed document that still yields entries keeps them and reports the problem in
    ``warning``; one that is no feed at all (an HTML page, garbage) raises.

    Args:
        data: the document's bytes as downloaded (after content decoding).
        source_id: the feed's id; article ids are scoped to it.
        url: where the document came from; the base for relative links.
        content_type: the HTTP Content-Type, used for its charset when it names an XML type.
        budget: seconds the whole parse (XML and every entry's HTML) may take; past them it fails.

    Raises:
        ParseError: "not a feed" (with the reason when the XML parser gave one, or the budget ran out).
    """
    # Given a Content-Location, feedparser urljoins every element against it: a third of its time.
    # Without xml:base every relative link is relative to the document, and is resolved against
    # ``url`` here; only a document that sets xml:base needs feedparser to track bases from ``url``.
    headers: dict[str, str] = {}
    if url and b"xml:base" in data:
        headers["content-location"] = url
    if content_type and any(t in content_type.lower() for t in ("xml", "rss", "atom")):
        headers["content-type"] = content_type
    try:
        with _budget.budget(budget):
            return _parse(data, headers, source_id, url)
    except _budget.ParseBudgetExceeded as exc:
        raise ParseError(
            f"not a feed: parsing stopped after {budget:g} s (the document is too complex)"
        ) from exc


def parse_feed_file(
    data: bytes, *, name: str, source_id: str, budget: float = _budget.PARSE_SECONDS
) -> ParsedFeed:
    """Parse a feed document saved to a file, once.

    A document that names its own URL (``<atom:link rel="self">``) is a saved copy of that feed:
    its entries get the ids that feed's entries get (``source_id_for(self_url)``, in the result's
    ``source_id``) and relative links resolve against that URL. Otherwise ``source_id`` scopes the
    ids, and relative links resolve against the document's ``xml:base`` or its site link, or are left
    out (a path relative to a file on disk is no link a reader can follow).

    Raises:
        ParseError: as :func:`parse_feed`, the message starting with ``name``.
    """
    try:
        with _budget.budget(budget):
            return _parse(data, {}, source_id, None, saved_copy=True)
    except _budget.ParseBudgetExceeded as exc:
        raise ParseError(
            f"{name}: not a feed: parsing stopped after {budget:g} s (the document is too complex)"
        ) from exc
    except ParseError as exc:
        raise ParseError(f"{name}: {exc}") from exc


def _feedparser(data: bytes, headers: dict[str, str]) -> Any:
    try:
        return feedparser.parse(
            io.BytesIO(data), response_headers=headers, sanitize_html=False, resolve_relative_uris=False
        )
    except _budget.ParseBudgetExceeded:
        raise
    except Exception as exc:  # feedparser should not raise; if it does, this feed fails alone
        raise ParseError(f"not a feed: {exc}") from exc


def _parse(
    data: bytes, headers: dict[str, str], source_id: str, url: str | None, *, saved_copy: bool = False
) -> ParsedFeed:
    charset, charset_warning = feed_charset(data, headers.get("content-type"))
    if charset is not None:  # an HTTP charset is what feedparser trusts first (RFC 3023)
        kind = headers.get("content-type") or "application/xml"
        headers = {**headers, "content-type": f"{kind}; charset={charset}"}
    parsed = _feedparser(data, headers)
    return from_parsed(parsed, data, source_id, url, charset_warning, saved_copy=saved_copy)


def from_parsed(
    parsed: Mapping[str, Any],
    data: bytes,
    source_id: str,
    url: str | None,
    charset_warning: str | None = None,
    *,
    saved_copy: bool = False,
) -> ParsedFeed:
    """The ParsedFeed of a document as feedparser reads it (``parsed``: its result, or the same
    mapping built by :mod:`newsreader.ingest.fastfeed` for a well-formed feed)."""
    entries = parsed.get("entries") or []
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not parsed.get("version") and not entries:
        detail = f": {clean_line(str(problem))}" if problem and "xml" in str(problem).lower() else ""
        raise ParseError(f"not a feed{detail}")
    channel_missing = str(parsed.get("version") or "").startswith("rss") and not _has_channel(data)
    if channel_missing and not entries:  # feedparser would call it an empty feed
        raise ParseError("not a feed: no RSS channel found")  # newsboat's words for it
    feed = parsed.get("feed") or {}
    if saved_copy and (own_url := _self_url(feed, None)):
        source_id, url = source_id_for(own_url), own_url
    base = url or _http_url(feed.get("link"))
    feed_author = _authors(feed.get("authors")) or author_name(feed.get("author")) or None
    atom = str(parsed.get("version") or "").startswith("atom")
    drafts: list[ArticleDraft] = []
    seen: set[str] = set()
    skipped = 0
    for entry in entries:
        try:
            draft = _entry_draft(entry, source_id, base, feed_author, atom)
        except _budget.ParseBudgetExceeded:
            raise
        except Exception as exc:  # lenient per entry: one odd item never costs the feed
            log.warning("skipping an entry of %s: %s", url or source_id, exc)
            skipped += 1
        else:
            if draft.id not in seen:
                seen.add(draft.id)
                drafts.append(draft)
    if entries and not drafts:
        raise ParseError("not a feed: no entry could be read")
    warning = "no RSS channel found, items kept" if channel_missing else charset_warning
    if channel_missing and charset_warning:
        warning = f"{warning}; {charset_warning}"
    if problem is not None and not isinstance(problem, _BENIGN_BOZO):
        malformed = f"malformed feed, entries kept: {clean_line(str(problem))}"
        warning = f"{malformed}; {warning}" if warning else malformed
    return ParsedFeed(
        title=cut_at_word(_one_line(feed.get("title_detail"), feed.get("title"), base), 200),
        site_url=_http_url(feed.get("link"), url),
        drafts=tuple(drafts),
        warning=warning,
        self_url=_self_url(feed, url),
        skipped=skipped,
        source_id=source_id,
    )


_CHANNEL = re.compile(rb"<(?:[\w.-]+:)?channel[\s/>]", re.IGNORECASE)
_WIDE_CHANNELS = tuple("<channel".encode(codec) for codec in ("utf-16-le", "utf-16-be"))


def _has_channel(data: bytes) -> bool:
    """Whether an RSS document has a ``<channel>`` (feedparser accepts one without as an empty feed)."""
    return _CHANNEL.search(data) is not None or any(wide in data for wide in _WIDE_CHANNELS)


def _self_url(feed: Mapping[str, Any], base: str | None) -> str | None:
    for link in feed.get("links") or ():
        if link.get("rel") == "self":
            return _http_url(link.get("href"), base)
    return None
