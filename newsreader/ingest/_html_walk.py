"""Driving :class:`newsreader.ingest.html_text._HTMLToText` from lxml's parse of an HTML fragment.

The walk calls a handler only for the tags some rule acts on (``ACTIVE``), flushes plain blocks and
gathers text itself, and skips the subtrees nobody reads: that, not libxml2's parse, is most of a
body's conversion time, so it stays this flat.
"""

from __future__ import annotations

import re
import threading
from html import escape
from typing import TYPE_CHECKING, Any

from newsreader.ingest import _budget
from newsreader.ingest._html_tags import (
    ACTIVE,
    HTML_HEADINGS,
    HTML_SKIP,
    NOT_IN_GRID,
    PLAIN_BLOCKS,
    WITH_ATTRS,
    has_controls,
)

if TYPE_CHECKING:
    from lxml import etree

    from newsreader.ingest.html_text import _HTMLToText

CDATA = re.compile(r"<!\[CDATA\[(.*?)(?:\]\]>|\Z)", re.DOTALL)
_local = threading.local()  # an lxml parser is not to be shared between threads


def html_parser() -> etree.HTMLParser:
    """This thread's lxml HTML parser (made once: an lxml parser is not to be shared between threads)."""
    parser: etree.HTMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        from lxml import etree  # lazy: ~30 ms, paid only by code that converts HTML

        # huge_tree: without it libxml2 stops at 256 open elements (and at 10 MB text nodes).
        parser = etree.HTMLParser(
            recover=True,
            no_network=True,
            remove_comments=True,
            remove_pis=True,
            huge_tree=True,
            encoding="utf-8",
        )
        _local.parser = parser
        _local.etree = etree
    return parser


def walk_lxml(handler: _HTMLToText, html: str) -> bool:
    """Drive ``handler`` from lxml's parse of ``html``; False if libxml2 gave up part-way."""
    parser = html_parser()
    etree = _local.etree  # set by html_parser(): an import statement per body cost ~2 us
    if "<![CDATA[" in html:  # HTML has no CDATA outside SVG/MathML: libxml2 drops it, browsers show it
        html = CDATA.sub(lambda m: escape(m.group(1), quote=False), html)
    data = html.replace("\x00", "").encode("utf-8", "replace")  # bytes: a str may not declare an encoding
    root = etree.fromstring(data, parser)
    if any(error.level_name == "FATAL" for error in parser.error_log):
        return False  # a resource limit: the tree holds only what came before it
    if root is None:
        return True
    grids = {table for table in root.iter("table") if is_grid(table)}
    # \x00 is gone from data; with it every character NEEDS_CLEANING matches
    handler.clean = "&#" not in html and not has_controls(data)
    events = 0
    start = handler.handle_starttag
    end = handler.handle_endtag
    flush = handler._flush
    skip, active, with_attrs, blocks, headings = (
        HTML_SKIP,
        ACTIVE,
        WITH_ATTRS,
        PLAIN_BLOCKS,
        HTML_HEADINGS,
    )
    walk = etree.iterwalk(root, events=("start", "end"))
    for event, element in walk:
        tag: Any = element.tag
        if event == "start":
            events += 1
            if events % _budget.CHECK_EVERY == 0:
                _budget.check()  # a feed's parse has a time budget (see feed.parse_feed)
            if tag in active:
                if tag in blocks and handler._grid is None:  # handle_starttag's first case, inline
                    if handler.inline:
                        flush()
                elif tag in skip:  # nothing inside is text a reader sees: not even walked
                    walk.skip_subtree()
                    continue
                elif grids and element in grids:
                    handler.start_grid()
                else:
                    start(tag, element.items() if tag in with_attrs else [])
            text = element.text
        else:
            if tag in active:
                if tag in blocks and handler._grid is None:
                    if handler.inline:
                        flush(tag in headings)
                elif tag not in skip:
                    end(tag)
            text = element.tail
        if text:  # handle_data without the call (no skipping here: skipped subtrees are not walked)
            if handler._pre:
                handler.inline.append(text)
            else:
                handler.inline.append(text.replace("\r", " ").replace("\n", " "))
    return True


def is_grid(table: etree._Element) -> bool:
    """Whether a ``<table>`` holds data to draw as a grid: two rows or more, two columns or more, and
    only inline content in its cells (a table of paragraphs or lists is page layout)."""
    rows = 0
    widest = 0
    for element in table.iter():
        tag = element.tag
        if tag == "tr":
            rows += 1
            widest = max(widest, sum(1 for cell in element if cell.tag in ("td", "th")))
        elif element is not table and (tag in NOT_IN_GRID or tag == "table"):
            return False
    return rows >= 2 and widest >= 2
