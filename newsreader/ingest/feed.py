"""RSS/Atom bytes -> :class:`ArticleDraft` s and feed metadata. Pure: no network, no storage.

feedparser does the XML work; it is called on a byte stream (never a string, which it would
treat as a URL or a file name to open) with its HTML sanitiser and relative-URI pass turned off,
because :func:`newsreader.ingest.html_text.html_to_text` turns HTML into plain text itself and resolves
links against each value's ``xml:base``. Those two passes are most of feedparser's time
(kurtmckee/feedparser issue 209). Every stored string goes through ``clean``/``clean_line``.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import feedparser.api
import lxml.etree  # noqa: F401  (html_text imports it lazily; here so forked parse workers share it)

from newsreader.errors import ParseError
from newsreader.extract.need import is_summary_only
from newsreader.ingest import _budget, _expat
from newsreader.ingest.cleaning import clean, clean_line, normalise_for_id
from newsreader.ingest.decoding import feed_charset
from newsreader.ingest.html_text import html_to_text, looks_like_html
from newsreader.ingest.sentences import cut_at_word, excerpt
from newsreader.models import ArticleDraft, Enclosure

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
_TITLE_LIMIT = 200
_REFERENCE = re.compile(r" \[\d+\]")  # html_to_text's link numbers, noise in an excerpt


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


def article_id(source_id: str, key: str) -> str:
    """An entry's id: its guid (or link, or content hash) scoped to its feed."""
    return hashlib.sha256(f"{source_id}\0{key}".encode()).hexdigest()[:12]


def _http_url(value: Any, base: str | None = None) -> str | None:
    """``value`` resolved against ``base`` if it is an http(s) URL, else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    url = clean_line(value)
    if url.startswith(("https://", "http://")) and " " not in url:
        return url  # already absolute (feedparser resolved it): skip the costly urljoin
    try:
        if base:
            url = urljoin(base, url)
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            return None
    except ValueError:
        return None
    return url


def _to_datetime(value: time.struct_time | None) -> datetime | None:
    """feedparser's UTC struct_time -> aware datetime (None if absent or out of range)."""
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _text_of(
    detail: Mapping[str, Any] | None, value: str | None, base: str | None, references: bool = True
) -> tuple[str, list[str]]:
    """(text, links) of a feedparser text construct: HTML converted, plain text cleaned."""
    if not value:
        return "", []
    kind = (detail or {}).get("type") or "text/html"
    if "html" in kind or ("plain" not in kind and looks_like_html(value)):
        return html_to_text(value, _join(base, (detail or {}).get("base")), references=references)
    return clean(value), []


def _join(base: str | None, ref: str | None) -> str | None:
    """``ref`` (an xml:base, maybe relative) resolved against ``base``; ``base`` if there is none."""
    if not ref:
        return base
    if ref.startswith(("https://", "http://")) or not base:
        return ref
    try:
        return urljoin(base, ref)
    except ValueError:
        return base


def _one_line(detail: Mapping[str, Any] | None, value: str | None, base: str | None) -> str:
    text, _links = _text_of(detail, value, base, references=False)
    return clean_line(text)


def _body_source(entry: Mapping[str, Any]) -> tuple[Mapping[str, Any] | None, str | None]:
    """An entry's text: its ``content`` (the longest, HTML first, when there are several), else its
    summary. A summary never wins over content, even a longer one (newsboat's ``atom10_2.xml``): it
    is the summary, often a media description, and the content is what the entry says."""
    contents = [c for c in entry.get("content") or () if c.get("value")]
    if contents:
        best = max(contents, key=lambda c: ("html" in (c.get("type") or ""), len(c["value"])))
        return best, best["value"]
    return entry.get("summary_detail"), entry.get("summary")


# "jane@example.com (Jane Doe)", "Jane Doe (jane@example.com)", "Jane Doe <jane@example.com>".
_AUTHOR_FORMS = (
    re.compile(r"^\S+@\S+\s*\((?P<name>[^()]+)\)$"),
    re.compile(r"^(?P<name>.+?)\s*\(\s*[^\s()]+@[^\s()]+\s*\)$"),
    re.compile(r"^(?P<name>.+?)\s*<\s*[^\s<>]+@[^\s<>]+\s*>$"),
)
_AUTHORS_LIMIT = 200


def author_name(raw: str | None) -> str:
    """An author as people read it, without an e-mail address next to the name.

    RSS's ``jane@example.com (Jane Doe)``, feedparser's ``Jane Doe (jane@example.com)`` and
    ``Jane Doe <jane@example.com>`` all become ``Jane Doe``; a bare address is all there is, so it stays.
    """
    text = clean_line(raw or "")
    for form in _AUTHOR_FORMS:
        match = form.match(text)
        if match:
            return match.group("name").strip()
    return text


def _authors(*groups: Any) -> str:
    """The names of the first group of authors that has any, ``", "``-joined (newsboat's order:
    the entry's own authors, then its source's, then the feed's)."""
    for group in groups:
        names: list[str] = []
        for person in group or ():
            name = author_name(person.get("name")) if isinstance(person, Mapping) else ""
            if name and name not in names:
                names.append(name)
        if names:
            return cut_at_word(", ".join(names), _AUTHORS_LIMIT)
    return ""


_LINE_MARKS = re.compile(r"^(?:> ?)*\s*(?:(?:• |\d+\. )\s*)?(?:## )?", re.MULTILINE)


def _lead_line(paragraph: str) -> str:
    """A body paragraph as one line of plain words for a title: without the link references, quote
    and list marks and heading mark that html_to_text draws."""
    return " ".join(_LINE_MARKS.sub("", _REFERENCE.sub("", paragraph)).split())


_ENCLOSURES_LIMIT = 20  # a hostile feed's thousand enclosures are not a thousand downloads
_MIME = re.compile(r"^[\w.+-]+/[\w.+-]+$")


def _enclosures(entry: Mapping[str, Any], base: str | None) -> tuple[Enclosure, ...]:
    """An entry's files, in document order, one per URL: RSS ``<enclosure>`` and Atom
    ``link rel=enclosure`` (feedparser's ``enclosures``), then ``media:content``."""
    found: dict[str, Enclosure] = {}
    candidates = [(e, "href", "length") for e in entry.get("enclosures") or ()]
    candidates += [(m, "url", "filesize") for m in entry.get("media_content") or ()]
    for item, url_key, length_key in candidates:
        if not isinstance(item, Mapping) or len(found) >= _ENCLOSURES_LIMIT:
            continue
        url = _http_url(item.get(url_key), base)
        if url is None or url in found:
            continue
        kind = clean_line(str(item.get("type") or "")).lower()
        raw_length = str(item.get(length_key) or item.get("fileSize") or "").strip()
        length = int(raw_length) if raw_length.isdigit() and 0 < int(raw_length) < 1 << 50 else None
        found[url] = Enclosure(url=url, type=kind if _MIME.match(kind) else None, length=length)
    return tuple(found.values())


def _entry_draft(
    entry: Mapping[str, Any], source_id: str, base: str | None, feed_author: str | None, atom: bool
) -> ArticleDraft:
    link = _http_url(entry.get("link"), base)
    detail, raw_body = _body_source(entry)
    xml_base = (detail or {}).get("base")
    # Atom (RFC 4287 section 2) resolves against xml:base, else the document's URL. RSS says nothing;
    # there, relative links are most often relative to the entry's own page.
    body_base = _join(base, xml_base) if xml_base else base if atom else (link or base)
    body, links = _text_of(detail, raw_body, body_base)
    paragraphs = [p for p in body.split("\n\n") if p.strip()]
    title = _one_line(entry.get("title_detail"), entry.get("title"), base)
    if not title:
        lead = _lead_line(paragraphs[0]) if paragraphs else ""
        title = cut_at_word(lead, 80) if lead else "(untitled)"
    title = cut_at_word(title, _TITLE_LIMIT)
    key = clean_line(entry.get("id") or "") or link
    if not key:  # no guid and no link: the content identifies the entry
        key = "sha256:" + hashlib.sha256(normalise_for_id(f"{title}\n{body}").encode()).hexdigest()
    published = _to_datetime(entry.get("published_parsed") or entry.get("created_parsed"))
    # dict.get: feedparser maps a missing updated_parsed to published_parsed, with a warning.
    updated = _to_datetime(dict.get(entry, "updated_parsed") if isinstance(entry, dict) else None)
    source = entry.get("source")
    author = (
        _authors(entry.get("authors"), source.get("authors") if isinstance(source, Mapping) else None)
        or author_name(entry.get("author"))
        or feed_author
    )
    return ArticleDraft(
        id=article_id(source_id, key),
        title=title,
        body=body,
        excerpt=excerpt([_REFERENCE.sub("", p) for p in paragraphs if not p.startswith("## ")]),
        author=author or None,
        published=published or updated,
        updated=updated,
        url=link,
        truncated=is_summary_only(body, has_content=detail is not entry.get("summary_detail")),
        links=tuple(links),
        enclosures=_enclosures(entry, link or base),
    )


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
