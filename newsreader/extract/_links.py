"""The page's links, read before extraction, so the body can get them back as ``[n]`` references.

trafilatura picks a worse main block when told to keep links (on the article-pages corpus F1 fell
from 0.957 to 0.952, one page lost entirely), so it extracts without them and the links are put
back here: each ``<a href>`` is recorded with its anchor text under the text of the block (``p``,
``li``, heading, quote, cell) that holds it; an extracted block with the same text gets a marker
after each of its anchors. The same record gives each block's link density, which the pruning uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml.etree import _Element
from lxml.html import HtmlElement

_BLOCK_TAGS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "td", "th", "dd", "dt"})
_CONTAINER_TAGS = frozenset({"div", "section", "article", "figcaption", "main", "body"})
OPEN, CLOSE = "\ue000", "\ue001"  # private-use marks around a link's index, never in cleaned text
_MARK = re.compile(f"{OPEN}(\\d+){CLOSE}")


def norm(text: str) -> str:
    """Text compared across the page and the extraction: spacing folded."""
    return " ".join(text.split())


def text_of(element: _Element) -> str:
    """An element's text with its descendants', spacing folded (works on any lxml element)."""
    return norm("".join(map(str, element.itertext())))


@dataclass(slots=True)
class Block:
    """What the page says about one block of text: its links and how much of it they cover."""

    anchors: list[tuple[str, str]] = field(default_factory=list)
    """``(anchor text, absolute URL)`` in document order."""
    link_chars: int = 0
    copies: int = 0
    """How many blocks of the page have this text."""


def _block_of(a: HtmlElement) -> HtmlElement | None:
    """The nearest text block around a link, else the nearest container (a div holding text)."""
    container = None
    for parent in a.iterancestors():
        tag = parent.tag if isinstance(parent.tag, str) else ""
        if tag in _BLOCK_TAGS:
            return parent
        if container is None and tag in _CONTAINER_TAGS:
            container = parent
    return container


def _absolute(href: str | None, base: str | None) -> str | None:
    if not href:
        return None
    href = href.strip()
    try:
        url = urljoin(base, href) if base else href
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def page_blocks(tree: HtmlElement, base_url: str | None) -> dict[str, Block]:
    """Normalised block text -> its links, for every block of ``tree`` that holds a link.

    A text repeated in several blocks (a recipe card shown twice) keeps the anchors of its first
    block and the mean link share of all of them.
    """
    blocks: dict[str, Block] = {}
    resolved: dict[str, str | None] = {}
    keys: dict[HtmlElement, str] = {}  # the element, not its id(): lxml reuses proxies' ids
    for a in tree.iter("a"):
        text = text_of(a)
        if not text:
            continue
        parent = _block_of(a)
        if parent is None:
            continue
        key = keys.get(parent)
        block = blocks.get(key) if key is not None else None
        if key is None:
            key = keys[parent] = text_of(parent)
            block = blocks.get(key)
            if block is None:
                block = blocks[key] = Block()
            block.copies += 1
        assert block is not None
        block.link_chars += len(text)
        href = a.get("href") or ""
        url = resolved.get(href) if href in resolved else resolved.setdefault(href, _absolute(href, base_url))
        if url is not None and block.copies == 1:
            block.anchors.append((text, url))
    return blocks


def link_density(text: str, blocks: dict[str, Block]) -> float:
    """The share of ``text`` that is link text on the page (0 when the page's block is unknown)."""
    key = norm(text)
    block = blocks.get(key)
    return min(1.0, block.link_chars / (len(key) * block.copies)) if block and key else 0.0


def _text_nodes(element: HtmlElement) -> Iterator[tuple[HtmlElement, str]]:
    """``(element, "text" | "tail")`` for every text node inside ``element``, in order."""
    if element.text:
        yield element, "text"
    for child in element:
        yield from _text_nodes(child)
        if child.tail:
            yield child, "tail"


def mark_links(element: HtmlElement, blocks: dict[str, Block], urls: list[str]) -> None:
    """Put a marker after each anchor of ``element``'s page block; the URLs go into ``urls``.

    Anchors are found in order, each after the previous one, and each text node is rebuilt once:
    linear in the text, however many links a block holds.
    """
    block = blocks.get(text_of(element))
    if block is None or not block.anchors:
        return
    nodes = list(_text_nodes(element))
    values: list[str] = [getattr(node, attr) for node, attr in nodes]  # lxml builds a str per read
    cuts: list[list[tuple[int, int]]] = [[] for _ in nodes]  # per node: (offset, url index)
    node_index, position = 0, 0
    for anchor, url in block.anchors:
        for i in range(node_index, len(nodes)):
            start = values[i].find(anchor, position if i == node_index else 0)
            if start >= 0:
                urls.append(url)
                node_index, position = i, start + len(anchor)
                cuts[i].append((position, len(urls) - 1))
                break
    for (node, attr), value, marks in zip(nodes, values, cuts, strict=True):
        if marks:
            pieces, last = [], 0
            for offset, index in marks:
                pieces += [value[last:offset], f"{OPEN}{index}{CLOSE}"]
                last = offset
            setattr(node, attr, "".join([*pieces, value[last:]]))


def number_links(text: str, urls: list[str]) -> tuple[str, tuple[str, ...]]:
    """Replace the markers in ``text`` by ``[n]`` in reading order, one number per distinct URL."""
    numbers: dict[str, int] = {}
    links: list[str] = []

    def number(match: re.Match[str]) -> str:
        url = urls[int(match.group(1))]
        n = numbers.get(url)
        if n is None:
            links.append(url)
            n = numbers[url] = len(links)
        return f" [{n}]"

    text = _MARK.sub(number, text)
    return text.replace(OPEN, "").replace(CLOSE, ""), tuple(links)
