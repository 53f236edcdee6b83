"""trafilatura as the content finder, with newsreader's pruning, links and cleaning around it.

Chosen by measurement on ``../shared/corpora/article-pages`` (``make bench``, ``extract`` table):
trafilatura with ``fast=True`` and comments left out beat its own full mode and readability-lxml
on F1 and on speed. Its heavy imports (dateparser, babel) happen here, on the first extraction.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from lxml.html import HtmlElement, tostring

from newsreader.extract import Page
from newsreader.extract._links import mark_links, norm, number_links, page_blocks
from newsreader.extract._prune import prune
from newsreader.ingest.text import clean_line, html_to_text, strip_controls

# trafilatura logs every page it finds no article in at WARNING; the caller reports that itself.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)

_PUBLISHED = (
    'meta[@property="article:published_time"]/@content',
    'meta[@itemprop="datePublished"]/@content',
    'meta[@name="date"]/@content',
)


def _first(tree: HtmlElement, *paths: str) -> str | None:
    for path in paths:
        found = tree.xpath(f"//{path}")
        for value in found:
            text = norm(value if isinstance(value, str) else value.text_content())
            if text:
                return text
    return None


def _title(tree: HtmlElement) -> str:
    """The headline as the page names it, without the date search trafilatura's metadata does."""
    return _first(tree, 'meta[@property="og:title"]/@content', "h1", "title") or ""


def _published(*candidates: str | None) -> datetime | None:
    """The first candidate that parses as an ISO date or time (a day alone is midnight UTC)."""
    for text in filter(None, candidates):
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            continue
        return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    return None


_CROWDED = 300
"""Children above which a block's inline tags are unwrapped before trafilatura (see _flatten_crowded)."""
_INLINE = ("a", "span", "b", "i", "em", "strong", "font", "u", "small", "abbr", "code", "mark", "sup", "sub")


def _flatten_crowded(tree: HtmlElement) -> None:
    """Unwrap the inline tags of blocks with hundreds of children, keeping their text.

    trafilatura's paragraph handling is quadratic in a block's children: a paragraph of 16,000 links
    (656 KB, under the size cap) took 33 s. Their links were read into the page's blocks already.
    """
    from lxml import etree

    crowded = [el for el in tree.iter() if len(el) > _CROWDED]
    for element in crowded:
        etree.strip_tags(element, *_INLINE)
        # strip_tags leaves runs of adjacent text nodes that every .text read joins again (quadratic
        # in trafilatura's loops): writing each text back stores it as one node.
        for node in element.iter():
            node.text = node.text
            if node is not element:
                node.tail = node.tail


def _optional(text: str | None) -> str | None:
    return clean_line(text) or None if text else None


def extract_page(html: str | bytes, url: str | None, *, metadata: bool = True) -> Page | None:
    import trafilatura
    from trafilatura.htmlprocessing import convert_to_html
    from trafilatura.utils import decode_file, load_html

    if not html:
        return None
    # Escape sequences go before parsing: the parser drops a lone ESC and would leave "[31m" behind.
    tree = load_html(strip_controls(decode_file(html)))
    if tree is None:
        return None
    if url is None:  # a saved page: its links are relative to where it says it lives
        url = _first(
            tree,
            'link[@rel="canonical"]/@href',
            'meta[@property="og:url"]/@content',
            "base/@href",
        )
        if url is not None and not url.lower().startswith(("http://", "https://")):
            url = None
    blocks = page_blocks(tree, url)
    _flatten_crowded(tree)
    title = _title(tree)
    language = tree.get("lang") if metadata else None
    published_meta = _first(tree, *_PUBLISHED) if metadata else None
    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        fast=True,
        include_comments=False,
        include_formatting=True,
        include_links=False,  # see _links: keeping links makes it choose worse blocks
        with_metadata=metadata,
    )
    if doc is None or isinstance(doc, dict) or doc.body is None:
        return None
    if metadata and doc.title:
        title = doc.title
    prune(doc.body, blocks, title)
    urls: list[str] = []
    for element in doc.body:
        if isinstance(element.tag, str):
            mark_links(element, blocks, urls)
    rendered = tostring(convert_to_html(doc.body), encoding="unicode")
    text, _ = html_to_text(rendered, None, references=False)
    body, links = number_links(text, urls)
    if not body.strip():
        return None
    return Page(
        title=clean_line(title),
        body=body,
        links=links,
        author=_optional(doc.author) if metadata else None,
        published=_published(published_meta, doc.date) if metadata else None,
        site_name=_optional(doc.sitename) if metadata else None,
        url=_optional(doc.url) or url,
        description=_optional(doc.description) if metadata else None,
        language=_optional(language or doc.language),
    )
