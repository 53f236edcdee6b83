"""One feedparser entry (or the same mapping from :mod:`.fastfeed`) to an :class:`ArticleDraft`:
its body as text (HTML converted, links resolved against the right base), title, id, dates,
authors and enclosures. Every stored string goes through ``clean``/``clean_line``."""

from __future__ import annotations

import calendar
import hashlib
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from newsreader.extract.need import is_summary_only
from newsreader.ingest._html_tags import NEEDS_CLEANING
from newsreader.ingest.cleaning import clean, clean_line, normalise_for_id
from newsreader.ingest.html_text import html_to_text, looks_like_html
from newsreader.ingest.sentences import cut_at_word, excerpt
from newsreader.models import ArticleDraft, Enclosure

_TITLE_LIMIT = 200
_REFERENCE = re.compile(r" \[\d+\]")  # html_to_text's link numbers, noise in an excerpt
_EXCERPT_LIMIT = 240


def _lead_paragraphs(paragraphs: list[str]) -> list[str]:
    """The paragraphs an excerpt is made of, without headings and reference marks, and only as many
    as it reads: ``excerpt`` looks no further than twice its limit into their joined text."""
    lead: list[str] = []
    size = -1
    for paragraph in paragraphs:
        if paragraph.startswith("## "):
            continue
        paragraph = _REFERENCE.sub("", paragraph)
        if paragraph:
            lead.append(paragraph)
            size += len(paragraph) + 1
            if size > 2 * _EXCERPT_LIMIT:
                break
    return lead


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
    kind = (detail or {}).get("type") or "text/html"
    if value and "plain" in kind and "html" not in kind and NEEDS_CLEANING.search(value) is None:
        # clean_line(clean(value)) without the work: with no control, CR or line separator in it,
        # clean() changes only whitespace, which clean_line collapses anyway
        return " ".join(value.split())
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
    if "@" not in text:  # every form has an address in it
        return text
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
        excerpt=excerpt(_lead_paragraphs(paragraphs), _EXCERPT_LIMIT),
        author=author or None,
        published=published or updated,
        updated=updated,
        url=link,
        truncated=is_summary_only(body, has_content=detail is not entry.get("summary_detail")),
        links=tuple(links),
        enclosures=_enclosures(entry, link or base),
    )
