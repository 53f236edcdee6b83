"""RSS/Atom bytes -> :class:`ArticleDraft` s and feed metadata. Pure: no network, no storage.

feedparser does the XML work; it is called on a byte stream (never a string, which it would
treat as a URL or a file name to open) with its HTML sanitiser and relative-URI pass turned off,
because :func:`newsreader.ingest.text.html_to_text` turns HTML into plain text itself and resolves
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

from newsreader.errors import ParseError
from newsreader.extract.need import is_summary_only
from newsreader.ingest.text import (
    clean,
    clean_line,
    cut_at_word,
    excerpt,
    html_to_text,
    looks_like_html,
    normalise_for_id,
)
from newsreader.models import ArticleDraft

log = logging.getLogger(__name__)

_DRIVER = "newsreader.ingest._expat"
if _DRIVER not in feedparser.api.PREFERRED_XML_PARSERS:  # see _expat.py: same parse, fewer callbacks
    feedparser.api.PREFERRED_XML_PARSERS.insert(0, _DRIVER)

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
    """The fullest text an entry carries: the longest ``content``, else its summary."""
    contents = [c for c in entry.get("content") or () if c.get("value")]
    if contents:
        best = max(contents, key=lambda c: ("html" in (c.get("type") or ""), len(c["value"])))
        summary = entry.get("summary") or ""
        if len(best["value"]) >= len(summary):
            return best, best["value"]
    return entry.get("summary_detail"), entry.get("summary")


_RSS_AUTHOR = re.compile(r"^\s*\S+@\S+\s*\((?P<name>[^()]+)\)\s*$")


def author_name(raw: str | None) -> str:
    """An author as people read it: RSS's ``jane@example.com (Jane Doe)`` becomes ``Jane Doe``."""
    text = clean_line(raw or "")
    match = _RSS_AUTHOR.match(text)
    return match.group("name").strip() if match else text


def _entry_draft(
    entry: Mapping[str, Any], source_id: str, base: str | None, feed_author: str | None
) -> ArticleDraft:
    link = _http_url(entry.get("link"), base)
    detail, raw_body = _body_source(entry)
    xml_base = (detail or {}).get("base")
    body_base = _join(base, xml_base) if xml_base else (link or base)
    body, links = _text_of(detail, raw_body, body_base)
    paragraphs = [p for p in body.split("\n\n") if p.strip()]
    title = _one_line(entry.get("title_detail"), entry.get("title"), base)
    if not title:
        lead = paragraphs[0].removeprefix("## ").replace("\n", " ") if paragraphs else ""
        title = cut_at_word(lead, 80) if lead else "(untitled)"
    title = cut_at_word(title, _TITLE_LIMIT)
    key = clean_line(entry.get("id") or "") or link
    if not key:  # no guid and no link: the content identifies the entry
        key = "sha256:" + hashlib.sha256(normalise_for_id(f"{title}\n{body}").encode()).hexdigest()
    published = _to_datetime(entry.get("published_parsed") or entry.get("created_parsed"))
    # dict.get: feedparser maps a missing updated_parsed to published_parsed, with a warning.
    updated = _to_datetime(dict.get(entry, "updated_parsed"))
    author = author_name(entry.get("author")) or feed_author
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
    )


def parse_feed(
    data: bytes,
    *,
    source_id: str,
    url: str | None = None,
    content_type: str | None = None,
) -> ParsedFeed:
    """Parse one RSS/Atom document.

    A malformed document that still yields entries keeps them and reports the problem in
    ``warning``; one that is no feed at all (an HTML page, garbage) raises.

    Args:
        data: the document's bytes as downloaded (after content decoding).
        source_id: the feed's id; article ids are scoped to it.
        url: where the document came from; the base for relative links.
        content_type: the HTTP Content-Type, used for its charset when it names an XML type.

    Raises:
        ParseError: "not a feed" (with the reason when the XML parser gave one).
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
        parsed = feedparser.parse(
            io.BytesIO(data),
            response_headers=headers,
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except Exception as exc:  # feedparser should not raise; if it does, this feed fails alone
        raise ParseError(f"not a feed: {exc}") from exc
    entries = parsed.get("entries") or []
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not parsed.get("version") and not entries:
        detail = f": {clean_line(str(problem))}" if problem and "xml" in str(problem).lower() else ""
        raise ParseError(f"not a feed{detail}")
    feed = parsed.get("feed") or {}
    base = url or _http_url(feed.get("link"))
    feed_author = author_name(feed.get("author")) or None
    drafts: list[ArticleDraft] = []
    seen: set[str] = set()
    skipped = 0
    for entry in entries:
        try:
            draft = _entry_draft(entry, source_id, base, feed_author)
        except Exception as exc:  # lenient per entry: one odd item never costs the feed
            log.warning("skipping an entry of %s: %s", url or source_id, exc)
            skipped += 1
            continue
        if draft.id not in seen:
            seen.add(draft.id)
            drafts.append(draft)
    if entries and not drafts:
        raise ParseError("not a feed: no entry could be read")
    warning = None
    if problem is not None and not isinstance(problem, _BENIGN_BOZO):
        warning = f"malformed feed, entries kept: {clean_line(str(problem))}"
    return ParsedFeed(
        title=cut_at_word(_one_line(feed.get("title_detail"), feed.get("title"), base), 200),
        site_url=_http_url(feed.get("link"), url),
        drafts=tuple(drafts),
        warning=warning,
        self_url=_self_url(feed, url),
        skipped=skipped,
    )


def _self_url(feed: Mapping[str, Any], base: str | None) -> str | None:
    for link in feed.get("links") or ():
        if link.get("rel") == "self":
            return _http_url(link.get("href"), base)
    return None
