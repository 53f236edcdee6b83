"""A fast path for well-formed RSS 2.0 and Atom 1.0: one strict lxml parse instead of feedparser's SAX.

feedparser costs ~8-13 ms for a 30-item full-content feed, nearly all of it Python callbacks per
element and per text piece. Most feeds in the wild are well-formed RSS 2.0 or Atom 1.0 with a
handful of elements; for those, lxml builds the tree in C in ~0.4 ms and the few fields newsreader stores are
read off it here, with feedparser's own rules (its date parser, its HTML sniffing of RSS titles,
its text fix-ups) so the result is the same :class:`ParsedFeed` :func:`feed.parse_feed` builds.

The fast path is taken only for a document it provably reads as feedparser does: it parses strictly
(no recovery, no DTD, no entities beyond XML's five), is UTF-8, has no ``xml:base``, and holds only
elements whose feedparser handling is reproduced here or cannot touch a stored field. Anything else
(ill-formed XML, other charsets, XHTML content, RDF, Atom 0.3, podcasts' ``itunes:summary``, Media
RSS titles, ...)
goes to feedparser unchanged, which is what ``tests/test_fastfeed.py`` checks over a corpus of
real-world feeds. fastfeedparser was measured too (0.46 ms a feed on the full-content farm, against
0.37 ms for the strict parse alone plus ~0.3 ms for the walk here) but keeps its own rules for
authors, titles and dates, so its output would need translating back; reading the tree directly
needs no extra dependency.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import feedparser.api
from feedparser.datetimes import _parse_date
from feedparser.mixin import _cp1252, _FeedParserMixin
from feedparser.urls import _urljoin
from lxml import etree

from newsreader.errors import ParseError
from newsreader.ingest import _budget
from newsreader.ingest.feed import ParsedFeed, from_parsed

# feedparser's prefixes by namespace URI (it matches URIs lowercased), e.g. "dc", "media", "" for Atom
_NAMESPACES = {uri.lower(): prefix for uri, prefix in feedparser.api.StrictFeedParser.namespaces.items()}
_NAMESPACES[""] = ""
_STANDARD_PREFIXES = frozenset(p.lower() for p in _NAMESPACES.values())
_NAMES_CACHED = 4096  # tag names remembered (a hostile document could invent millions)
_AUTHORS = frozenset({"author", "dc_creator", "dc_author"})
_DATES = {"pubdate": "published", "dc_date": "updated"}
# Elements feedparser handles but whose handling cannot reach a field newsreader stores; in the
# channel they set feed-level fields newsreader does not read, in an item tags or links.
_HARMLESS_CHANNEL = frozenset(
    "description language dc_language copyright dc_rights webmaster dc_publisher pubdate "
    "lastbuilddate dc_date category dc_subject generator cloud".split()
)
_HARMLESS_ITEM = frozenset("category dc_subject".split())  # enclosures are stored: feedparser reads them
_IMAGE_CHILDREN = frozenset("url title link width height description".split())
# Keys _entry_draft reads: an element feedparser does not know, stored under its own name, must
# not land on one of them.
_READ_KEYS = frozenset(
    "title title_detail link links id summary summary_detail content author published_parsed "
    "created_parsed updated_parsed".split()
)
_LINK_ENTITY = re.compile("&([A-Za-z0-9_]+);")
_ATOM = "{http://www.w3.org/2005/Atom}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"  # only sets a language nobody reads
_ATOM_DATES = {"published": "published", "updated": "updated"}
_HARMLESS_FEED = frozenset("subtitle rights generator updated published category".split())
_PERSON_PARTS = frozenset({"name", "email", "uri"})
_CONTENT_TYPES = {"text": "text/plain", "plain": "text/plain", "html": "text/html"}


class _Fallback(Exception):
    """The document needs feedparser: something here is not reproduced exactly."""


# Element names feedparser has a handler for (``_start_x``/``_end_x``), e.g. ``dc_creator``.
_HANDLED = frozenset(
    attr.removeprefix("_start_").removeprefix("_end_").lower()
    for attr in dir(feedparser.api.StrictFeedParser)
    if attr.startswith(("_start_", "_end_"))
)


def parse_feed(
    data: bytes,
    *,
    source_id: str,
    url: str | None = None,
    content_type: str | None = None,
    budget: float = _budget.PARSE_SECONDS,
) -> ParsedFeed:
    """:func:`newsreader.ingest.feed.parse_feed`, faster for the documents :func:`read` reads."""
    fast = fast_parse(data, source_id=source_id, url=url, content_type=content_type, budget=budget)
    if fast is not None:
        return fast
    from newsreader.ingest.feed import parse_feed as slow

    return slow(data, source_id=source_id, url=url, content_type=content_type, budget=budget)


def fast_parse(
    data: bytes,
    *,
    source_id: str,
    url: str | None = None,
    content_type: str | None = None,
    budget: float = _budget.PARSE_SECONDS,
) -> ParsedFeed | None:
    """The ParsedFeed feedparser's path would build, or None when only feedparser can tell.

    Raises:
        ParseError: as :func:`newsreader.ingest.feed.parse_feed` (no entry readable, out of time).
    """
    parsed = read(data, content_type)
    if parsed is None:
        return None
    try:
        with _budget.budget(budget):
            return from_parsed(parsed, data, source_id, url)
    except _budget.ParseBudgetExceeded as exc:
        raise ParseError(
            f"not a feed: parsing stopped after {budget:g} s (the document is too complex)"
        ) from exc


def read(data: bytes, content_type: str | None = None) -> dict[str, Any] | None:
    """The mapping ``feedparser.parse`` returns, as far as newsreader reads it, or None when the
    document is not one this module reproduces feedparser's reading of."""
    if not isinstance(data, bytes) or not _charset_is_utf8(data, content_type):
        return None
    head = data[:4096].lower()
    if b"<!doctype" in head or b"xml:base" in data:
        return None
    try:
        found = _strict_container(data)
        if found is None:
            return None
        container, atom = found
        feed, entries = _read_channel(container, atom)
    except _Fallback:
        return None
    version = (
        "atom10" if atom else "rss20" if container.getparent().get("version", "").startswith("2.") else "rss"
    )
    return {"version": version, "bozo": False, "feed": feed, "entries": entries}


def _charset_is_utf8(data: bytes, content_type: str | None) -> bool:
    """Whether feedparser would decode ``data`` as UTF-8, as lxml does (RFC 3023's rules, simplified)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00", b"\x4c\x6f\xa7\x94")):
        return False
    if content_type and any(t in content_type.lower() for t in ("xml", "rss", "atom")):
        mime, _, params = content_type.lower().partition(";")
        charset = ""
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "charset":
                charset = value.strip().strip("\"'")
        if charset and charset not in ("utf-8", "utf8"):
            return False
        # RFC 3023 makes a text/* document without a charset us-ascii; feedparser then falls back
        # to the declaration, if there is one
        if (
            not charset
            and mime.strip().startswith("text/")
            and not data.isascii()
            and not re.match(rb"\s*<\?xml[^>]*encoding=[\"']utf-?8[\"']", data, re.IGNORECASE)
        ):
            return False
    return True


def _strict_container(data: bytes) -> tuple[Any, bool] | None:
    """(the element holding the entries, whether it is Atom) of a strictly well-formed UTF-8 RSS 2.0
    or Atom 1.0 document, else None."""
    parser = etree.XMLParser(
        recover=False, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    info = root.getroottree().docinfo
    if info.internalDTD is not None or getattr(info, "doctype", None):  # (lxml-stubs lack doctype)
        return None  # entities a DTD declares are feedparser's business
    encoding = (info.encoding or "UTF-8").upper().replace("_", "-")
    if encoding not in ("UTF-8", "UTF8", "US-ASCII", "ASCII"):
        return None
    if root.tag == _ATOM + "feed":
        _check_attrs(root)
        return root, True
    if root.tag != "rss" or set(root.attrib.keys()) - {"version"}:
        return None
    channels = [c for c in root if _fp_name(c) == "channel"]
    if len(channels) != 1:
        return None
    for other in root:
        if other is not channels[0]:
            if _known(other) is not None:
                return None
            _check_unknown_subtree(other)
    channel = channels[0]
    _check_attrs(channel)
    return channel, False


_NAMES: dict[str, str] = {}


def _fp_name(el: Any) -> str:
    """feedparser's name for an element (``dc_creator``), as its handlers are named."""
    tag = el.tag
    if not isinstance(tag, str):
        return "#"  # a comment or processing instruction: feedparser ignores them
    for key in el.keys():  # noqa: SIM118  (an lxml element iterates over its children)
        if key.lower() == "base":
            raise _Fallback  # feedparser takes a bare ``base`` attribute for xml:base
    name = _NAMES.get(tag)
    if name is None:
        if tag[0] != "{":
            name = tag.lower()
        else:
            uri, _, local = tag[1:].partition("}")
            uri = uri.lower()
            prefix = _NAMESPACES.get(uri)
            if prefix is None and "backend.userland.com/rss" in uri:
                prefix = ""  # feedparser matches any of these to RSS
            if prefix is None:
                # feedparser names an element of another namespace by a prefix the document
                # declares for it: harmless unless that prefix is one feedparser has handlers for
                prefix = el.prefix
                if not prefix or prefix.lower() in _STANDARD_PREFIXES:
                    raise _Fallback
                return f"{prefix}_{local}".lower()  # not cached: the prefix is this document's
            name = f"{prefix}_{local}".lower() if prefix else local.lower()
        if len(_NAMES) < _NAMES_CACHED:
            _NAMES[tag] = name
    return name


def _known(el: Any) -> str | None:
    """feedparser's name for ``el`` if it has a handler for it; one it lacks must not shadow a key
    read here."""
    name = _fp_name(el)
    if name in _HANDLED:
        return name
    if name in _READ_KEYS:
        raise _Fallback
    return None


def _check_unknown_subtree(el: Any) -> None:
    """An element feedparser has no handler for is harmless unless something known hides inside."""
    for sub in el.iter():
        if sub is not el and _known(sub) is not None:
            raise _Fallback


def _leaf_text(el: Any) -> str:
    """An element's text, for one that holds nothing but text (else feedparser would read markup)."""
    if len(el):
        raise _Fallback
    return el.text or ""


def _fix(text: str) -> str:
    """feedparser's fix-ups of every stored value parsed as UTF-8: double-encoded UTF-8, cp1252."""
    if text.isascii():
        return text  # both fix-ups only touch non-ASCII text
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        text = text.encode("iso-8859-1").decode("utf-8")
    return text.translate(_cp1252)


def _title(el: Any) -> tuple[str, dict[str, Any]]:
    """An RSS title: nominally plain text, but feedparser upgrades one that looks like HTML."""
    _check_attrs(el)
    text = _leaf_text(el).strip()
    kind = "text/html" if _FeedParserMixin.looks_like_html(text) else "text/plain"
    text = _fix(text)
    return text, {"type": kind, "language": None, "base": "", "value": text}


def _uri(text: str) -> str:
    return str(_urljoin("", text))


def _read_link(el: Any, context: dict[str, Any], in_entry: bool) -> None:
    """``<link>`` or ``<atom:link>``, by feedparser's ``_start_link``/``pop`` rules."""
    attrs = {k.lower(): v for k, v in el.attrib.items()}
    if attrs.keys() - {"rel", "type", "href", "title", "hreflang", "length"}:
        raise _Fallback
    attrs = {k: v.lower() if k in ("rel", "type") else v for k, v in attrs.items()}
    attrs.setdefault("rel", "alternate")
    if attrs["rel"] == "enclosure" or "length" in attrs:
        raise _Fallback  # an enclosure (a podcast episode): feedparser's ``enclosures`` are stored
    attrs.setdefault("type", "application/atom+xml" if attrs["rel"] == "self" else "text/html")
    links = context.setdefault("links", [])
    if "href" in attrs:
        if len(el):
            raise _Fallback
        attrs["href"] = _uri(attrs["href"])
        links.append(attrs)
        if attrs["rel"] == "alternate" and attrs["type"] in ("text/html", "application/xhtml+xml"):
            context["link"] = attrs["href"]
        return
    links.append(attrs)
    text = _leaf_text(el).strip()
    if text:
        text = _uri(text)
    text = _fix(text)
    if in_entry:
        text = text.replace("&amp;", "&")
    if "&" in text:
        text = _LINK_ENTITY.sub(r"&\g<1>", text)
    context["link"] = text
    if text:
        links[-1]["href"] = text


def _read_channel(channel: Any, atom: bool) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The feed-level mapping and the entries, as feedparser would build them."""
    if atom:
        return _read_atom_feed(channel)
    feed: dict[str, Any] = {}
    entries: list[dict[str, Any]] = []
    seen: set[str] = set()
    for el in channel:
        name = _known(el)
        if name is None:
            _check_unknown_subtree(el)
            continue
        if name == "item":
            entries.append(_read_item(el))
            continue
        once = "author" if name in _AUTHORS else name
        if once in seen and name not in ("category", "link"):
            raise _Fallback
        seen.add(once)
        if name == "title":
            feed["title"], feed["title_detail"] = _title(el)
        elif name == "link":
            _read_link(el, feed, in_entry=False)
        elif name in _AUTHORS or name == "managingeditor":
            _rss_person(el, feed)
        elif name == "image":
            for sub in el:
                if _fp_name(sub).startswith("#"):
                    continue
                if _fp_name(sub) not in _IMAGE_CHILDREN or len(sub):
                    raise _Fallback
        elif name in _HARMLESS_CHANNEL:
            _check_unknown_subtree(el)
        else:
            raise _Fallback
    return feed, entries


def _check_attrs(el: Any, allowed: frozenset[str] = frozenset()) -> None:
    keys = el.keys()
    if keys and {k.lower() for k in keys} - allowed - {_XML_LANG.lower()}:
        raise _Fallback


def _read_item(item: Any) -> dict[str, Any]:
    """One ``<item>`` as the mapping feedparser would build (only the keys newsreader reads)."""
    _check_attrs(item)
    entry: dict[str, Any] = {}
    seen: set[str] = set()
    for el in _elements(item):
        name = _known(el)
        if name is None:
            _check_unknown_subtree(el)
            continue
        group = "author" if name in _AUTHORS else name
        if group in _HARMLESS_ITEM:
            _check_unknown_subtree(el)
            continue
        if group in seen and group != "link":
            raise _Fallback
        seen.add(group)
        if name == "link":
            _read_link(el, entry, in_entry=True)
        elif name == "guid":
            _read_id(el, entry)
        elif name == "title":
            entry["title"], entry["title_detail"] = _title(el)
        elif name == "description":
            _check_attrs(el)
            text = _fix(_leaf_text(el).strip())
            entry["summary"] = text
            entry["summary_detail"] = {"type": "text/html", "language": None, "base": "", "value": text}
        elif name == "content_encoded":
            _check_attrs(el)
            text = _fix(_leaf_text(el).strip())
            entry["content"] = [{"type": "text/html", "language": None, "base": "", "value": text}]
            entry.setdefault("summary", text)
        elif name in _DATES:
            _check_attrs(el)
            entry[_DATES[name] + "_parsed"] = _parse_date(_fix(_leaf_text(el).strip()))
        elif name in _AUTHORS:
            _rss_person(el, entry)
        else:
            raise _Fallback
    return entry


def _read_id(el: Any, context: dict[str, Any]) -> None:
    """RSS ``<guid>`` or Atom ``<id>``: a permalink (the default) also stands in for a missing link."""
    _check_attrs(el, frozenset({"ispermalink"}))
    permalink = {k.lower(): v for k, v in el.attrib.items()}.get("ispermalink", "true") == "true"
    text = _leaf_text(el).strip()
    if permalink and text:
        text = _uri(text)
    context["id"] = text = _fix(text)
    if permalink:
        context.setdefault("link", text)


def _atom_text(el: Any, default: str) -> tuple[str, dict[str, Any]]:
    """An Atom text construct (``type`` text or html; xhtml and anything else go to feedparser)."""
    _check_attrs(el, frozenset({"type"}))
    kind = (el.get("type") or default).lower()
    kind = _CONTENT_TYPES.get(kind, kind)
    if kind not in ("text/plain", "text/html"):
        raise _Fallback
    text = _fix(_leaf_text(el).strip())
    return text, {"type": kind, "language": None, "base": "", "value": text}


_EMAIL = re.compile(  # feedparser's, from _sync_author_detail
    r"(([a-zA-Z0-9\_\-\.\+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))"
    r"([a-zA-Z]{2,4}|[0-9]{1,3})(\]?))(\?subject=\S+)?"
)


def _rss_person(el: Any, context: dict[str, Any]) -> None:
    """``<author>``, ``<dc:creator>`` or ``<managingEditor>``: the text, and feedparser's reading of
    it into a name and an e-mail address (``authors``)."""
    _check_attrs(el)
    author = _fix(_leaf_text(el).strip())
    context["author"] = author
    detail: dict[str, str] = {}
    context.setdefault("authors", []).append(detail)
    if not author:
        return
    email = None
    match = _EMAIL.search(author)
    if match:
        email = match.group(0)
        author = author.replace(email, "").replace("()", "").replace("<>", "").replace("&lt;&gt;", "")
        author = author.strip()
        if author and author[0] == "(":
            author = author[1:]
        if author and author[-1] == ")":
            author = author[:-1]
        author = author.strip()
    if author:
        detail["name"] = author
    if email:
        detail["email"] = email


def _atom_person(el: Any, context: dict[str, Any]) -> None:
    """An Atom ``<author>``: ``authors`` gets its parts, ``author`` is ``name (email)``, the name or
    the e-mail address, as feedparser has them."""
    _check_attrs(el)
    parts = list(_elements(el))
    if not parts:
        _rss_person(el, context)  # a bare name: read as RSS's is
        return
    if (el.text or "").strip() or len(parts) != len(el):
        raise _Fallback  # text or comments between the parts
    found: dict[str, str] = {}
    for part in parts:
        name = _known(part)
        if name not in _PERSON_PARTS or name in found or (part.tail or "").strip():
            raise _Fallback
        _check_attrs(part)
        found[name] = _leaf_text(part).strip()  # feedparser keeps name and email raw: no fix-ups
    detail = {"href" if key == "uri" else key: value for key, value in found.items()}
    context.setdefault("authors", []).append(detail)
    name, email = found.get("name"), found.get("email")
    context["author"] = f"{name} ({email})" if name and email else name or email or ""


def _read_atom_feed(root: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    feed: dict[str, Any] = {}
    entries: list[dict[str, Any]] = []
    seen: set[str] = set()
    for el in root:
        name = _known(el)
        if name is None:
            _check_unknown_subtree(el)
            continue
        if name == "entry":
            entries.append(_read_entry(el))
            continue
        if name in seen and name not in ("category", "link"):
            raise _Fallback
        seen.add(name)
        if name == "title":
            feed["title"], feed["title_detail"] = _atom_text(el, "text/plain")
        elif name == "link":
            _read_link(el, feed, in_entry=False)
        elif name == "id":
            _read_id(el, feed)
        elif name == "author":
            _atom_person(el, feed)
        elif name in _HARMLESS_FEED:
            _check_unknown_subtree(el)
        else:
            raise _Fallback
    return feed, entries


def _read_entry(item: Any) -> dict[str, Any]:
    """One Atom ``<entry>`` as the mapping feedparser would build (only the keys newsreader reads)."""
    _check_attrs(item)
    entry: dict[str, Any] = {}
    seen: set[str] = set()
    for el in _elements(item):
        name = _known(el)
        if name is None:
            _check_unknown_subtree(el)
            continue
        if name == "category":
            _check_unknown_subtree(el)
            continue
        if name in seen and name != "link":
            raise _Fallback
        seen.add(name)
        if name == "link":
            _read_link(el, entry, in_entry=True)
        elif name == "id":
            _read_id(el, entry)
        elif name == "title":
            entry["title"], entry["title_detail"] = _atom_text(el, "text/plain")
        elif name == "summary":
            entry["summary"], entry["summary_detail"] = _atom_text(el, "text/plain")
        elif name == "content":
            text, detail = _atom_text(el, "text/plain")
            entry["content"] = [detail]
            entry.setdefault("summary", text)
        elif name in _ATOM_DATES:
            _check_attrs(el)
            entry[_ATOM_DATES[name] + "_parsed"] = _parse_date(_fix(_leaf_text(el).strip()))
        elif name == "author":
            _atom_person(el, entry)
        else:
            raise _Fallback
    return entry


def _elements(parent: Any) -> Iterator[Any]:
    for el in parent:
        if isinstance(el.tag, str):
            yield el
