"""feedparser's view of an element, for the fast path (:mod:`.fastfeed`): its names for elements
(``dc_creator``), which of them it has handlers for, its text fix-ups, and the checks that send a
document to feedparser (:class:`_Fallback`) when something in it is not reproduced exactly."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import feedparser.api
from feedparser.mixin import _cp1252
from feedparser.urls import _urljoin

# feedparser's prefixes by namespace URI (it matches URIs lowercased), e.g. "dc", "media", "" for Atom
_NAMESPACES = {uri.lower(): prefix for uri, prefix in feedparser.api.StrictFeedParser.namespaces.items()}
_NAMESPACES[""] = ""
_STANDARD_PREFIXES = frozenset(p.lower() for p in _NAMESPACES.values())
_NAMES_CACHED = 4096  # tag names remembered (a hostile document could invent millions)
# Keys _entry_draft reads: an element feedparser does not know, stored under its own name, must
# not land on one of them.
_READ_KEYS = frozenset(
    "title title_detail link links id summary summary_detail content author published_parsed "
    "created_parsed updated_parsed".split()
)
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"  # only sets a language nobody reads


class _Fallback(Exception):
    """The document needs feedparser: something here is not reproduced exactly."""


# Element names feedparser has a handler for (``_start_x``/``_end_x``), e.g. ``dc_creator``.
_HANDLED = frozenset(
    attr.removeprefix("_start_").removeprefix("_end_").lower()
    for attr in dir(feedparser.api.StrictFeedParser)
    if attr.startswith(("_start_", "_end_"))
)


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


def _uri(text: str) -> str:
    """feedparser's ``_urljoin("", text)``: its only change is dropping the extra slashes of
    ``scheme:///``, so text without ``:///`` comes back as it is."""
    return text if ":///" not in text else str(_urljoin("", text))


def _check_attrs(el: Any, allowed: frozenset[str] = frozenset()) -> None:
    keys = el.keys()
    if keys and {k.lower() for k in keys} - allowed - {_XML_LANG.lower()}:
        raise _Fallback


def _elements(parent: Any) -> Iterator[Any]:
    for el in parent:
        if isinstance(el.tag, str):
            yield el
