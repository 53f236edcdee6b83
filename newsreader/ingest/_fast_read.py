"""Reading an RSS 2.0 channel or an Atom 1.0 feed off its lxml tree into the mapping feedparser
would build (only the keys newsreader reads), by feedparser's own rules; anything it does not
reproduce raises :class:`._fast_names._Fallback` and the document goes to feedparser."""

from __future__ import annotations

import re
from typing import Any

from feedparser.datetimes import _parse_date
from feedparser.mixin import _FeedParserMixin

from newsreader.ingest._fast_names import (
    _check_attrs,
    _check_unknown_subtree,
    _elements,
    _Fallback,
    _fix,
    _fp_name,
    _known,
    _leaf_text,
    _uri,
)

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
_LINK_ENTITY = re.compile("&([A-Za-z0-9_]+);")
_ATOM_DATES = {"published": "published", "updated": "updated"}
_HARMLESS_FEED = frozenset("subtitle rights generator updated published category".split())
_PERSON_PARTS = frozenset({"name", "email", "uri"})
_CONTENT_TYPES = {"text": "text/plain", "plain": "text/plain", "html": "text/html"}


def _title(el: Any) -> tuple[str, dict[str, Any]]:
    """An RSS title: nominally plain text, but feedparser upgrades one that looks like HTML."""
    _check_attrs(el)
    text = _leaf_text(el).strip()
    # looks_like_html wants a close tag or an entity: without "<" or "&" it is plain text
    html = ("<" in text or "&" in text) and _FeedParserMixin.looks_like_html(text)
    kind = "text/html" if html else "text/plain"
    text = _fix(text)
    return text, {"type": kind, "language": None, "base": "", "value": text}


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
    match = _EMAIL.search(author) if "@" in author else None  # (the pattern needs one)
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
