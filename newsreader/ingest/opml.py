"""OPML subscription lists: parse (import) and unparse (export). Pure; no fetching.

Folders (outlines without ``xmlUrl``, named by their ``text``) become a feed's ``category``, nested
ones joined with ``/``; a feed outside any folder takes the first path of its ``category`` attribute;
exporting rebuilds the same folders, so a list round-trips. Documents that declare entities are
refused outright: an OPML file has no use for them, and refusing them rules out entity-expansion
and external-entity attacks whatever the XML parser would do.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from newsreader.errors import ParseError
from newsreader.ingest.cleaning import clean_line
from newsreader.urls import url_problem

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_CATEGORY_SEP = "/"


@dataclass(frozen=True, slots=True)
class Outline:
    """One subscription in an OPML file."""

    url: str
    title: str
    category: str | None = None
    """Folder path, ``News/Science`` for a feed two folders deep."""
    site_url: str | None = None


@dataclass(frozen=True, slots=True)
class OpmlDocument:
    """The feeds an OPML file lists, in document order, and how many outlines were skipped."""

    title: str
    outlines: tuple[Outline, ...]
    skipped: int = 0
    """Outlines with an ``xmlUrl`` that is not http(s), or a repeat of an earlier one."""


def _is_http(url: str) -> bool:
    """A feed or site URL a request can be made to (the one rule, :mod:`newsreader.urls`)."""
    return url_problem(url) is None


def _category(raw: str | None) -> str | None:
    """The first of an outline's ``category`` attribute (OPML 2.0: comma-separated, slash-delimited
    paths such as ``/Boston/Weather``) as a folder path, for a feed outside any folder."""
    for entry in (raw or "").split(","):
        path = _CATEGORY_SEP.join(part for p in entry.split(_CATEGORY_SEP) if (part := clean_line(p)))
        if path:
            return path
    return None


def parse(data: bytes, name: str = "OPML") -> OpmlDocument:
    """Read an OPML subscription list.

    Raises:
        ParseError: the bytes are not OPML (or declare entities); the message names ``name``.
    """
    if _ENTITY_DECL.search(data):
        raise ParseError(f"{name}: entity declarations are not allowed in OPML")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ParseError(f"{name}: not valid OPML: {exc}") from exc
    if root.tag.lower() != "opml":
        raise ParseError(f"{name}: not an OPML file (its root is <{clean_line(root.tag)}>)")
    body = next((child for child in root if child.tag.lower() == "body"), None)
    if body is None:
        raise ParseError(f"{name}: not valid OPML: no <body>")
    head = next((child for child in root if child.tag.lower() == "head"), None)
    title_el = head.find("title") if head is not None else None
    title = clean_line(title_el.text if title_el is not None else "")

    outlines: list[Outline] = []
    seen: set[str] = set()
    skipped = 0

    def walk(parent: ET.Element, folders: tuple[str, ...]) -> None:
        nonlocal skipped
        for node in parent:
            if node.tag.lower() != "outline":
                continue
            attrs = {k.lower(): v for k, v in node.attrib.items()}
            url = clean_line(attrs.get("xmlurl") or "")
            if url:
                if not _is_http(url) or url in seen:
                    skipped += 1
                    continue
                seen.add(url)
                site = clean_line(attrs.get("htmlurl") or "")
                outlines.append(
                    Outline(
                        url=url,
                        title=clean_line(attrs.get("title") or attrs.get("text") or ""),
                        category=_CATEGORY_SEP.join(folders) or _category(attrs.get("category")),
                        site_url=site if _is_http(site) else None,
                    )
                )
                walk(node, folders)  # feeds nested under a feed: keep them, same folder
            else:
                # OPML 2.0: "text" is what is displayed; "title" only where "text" is missing.
                label = clean_line(attrs.get("text") or attrs.get("title") or "")
                folder = label.replace(_CATEGORY_SEP, " ") if label else ""
                walk(node, (*folders, folder) if folder else folders)

    walk(body, ())
    return OpmlDocument(title=title, outlines=tuple(outlines), skipped=skipped)


def unparse(
    outlines: Iterable[Outline],
    *,
    title: str = "newsreader subscriptions",
    now: datetime | None = None,
) -> str:
    """An OPML 2.0 document listing ``outlines``, categories as nested folders."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(now or datetime.now(UTC))
    body = ET.SubElement(root, "body")
    folders: dict[tuple[str, ...], ET.Element] = {(): body}

    def folder(path: tuple[str, ...]) -> ET.Element:
        element = folders.get(path)
        if element is None:
            element = ET.SubElement(folder(path[:-1]), "outline", text=path[-1], title=path[-1])
            folders[path] = element
        return element

    for outline in outlines:
        path = tuple(p for p in (outline.category or "").split(_CATEGORY_SEP) if p)
        attrs = {"type": "rss", "text": outline.title or outline.url, "title": outline.title}
        attrs["xmlUrl"] = outline.url
        if outline.site_url:
            attrs["htmlUrl"] = outline.site_url
        ET.SubElement(folder(path), "outline", attrs)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
