"""The fallback HTML tokenizer: a regex scan that drives :class:`~newsreader.ingest.html_text` handlers.

libxml2 (lxml's HTML parser, the tokenizer html_to_text uses) gives up on documents nested deeper than
2048 elements, even with ``XML_PARSE_HUGE``, and keeps only what came before. Such input is always
hostile, and this scan converts it whole in linear time. It is the tokenizer newsreader used before
lxml: raw-text elements other than script and style (``<textarea>``, ``<xmp>``) are read as markup here.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Protocol

from newsreader.ingest import _budget


class Handlers(Protocol):
    """What the scan calls, in document order."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None: ...
    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None: ...
    def handle_endtag(self, tag: str) -> None: ...
    def handle_data(self, data: str) -> None: ...


# One HTML token: a comment, CDATA, a declaration or processing instruction, or a tag. Text between
# tokens is data. A "<" that starts none of these ("a < b") stays text, as browsers treat it. As in
# browsers, a quote opens a value only right after "=" (elsewhere it is part of a name or value), and a
# quoted value may hold "<" and ">". Outside quotes a tag never spans another "<", and the attribute
# loop is possessive: a failed attempt stops at the next "<" or the next matching quote, so hostile
# input such as "<a " repeated a million times costs linear, not quadratic, time.
_HTML_TOKEN = re.compile(
    r"""<(?:
        !--.*?(?:-->|\Z)
      | !\[CDATA\[(?P<cdata>.*?)(?:\]\]>|\Z)
      | [!?][^>]*(?:>|\Z)
      | (?P<end>/)?(?P<tag>[a-zA-Z][^\s/<>]*)
        (?P<attrs>(?:\s+|/|[^\s/<>=][^\s/<>=]*(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s<>]*))?|=[^\s<>]*)*+)>
    )""",
    re.DOTALL | re.VERBOSE,
)
_HTML_ATTR = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
_HTML_RAW = frozenset({"script", "style"})  # their content is not HTML: skip to the end tag


def _attributes(raw: str) -> list[tuple[str, str | None]]:
    if not raw or raw.isspace():
        return []
    return [
        (m.group(1).lower(), unescape(next((g for g in m.group(2, 3, 4) if g is not None), "")))
        for m in _HTML_ATTR.finditer(raw)
    ]


def feed(handlers: Handlers, html: str) -> None:
    """Tokenize ``html`` and dispatch each piece to ``handlers``."""
    pos = 0
    search = _HTML_TOKEN.search
    tokens = 0
    while True:
        match = search(html, pos)
        if match is None:
            break
        tokens += 1
        if tokens % _budget.CHECK_EVERY == 0:
            _budget.check()  # a feed's parse has a time budget (see feed.parse_feed)
        start = match.start()
        if start > pos:
            handlers.handle_data(unescape(html[pos:start]))
        pos = match.end()
        cdata, end, tag, raw_attrs = match.group("cdata", "end", "tag", "attrs")
        if tag is None:
            if cdata:
                handlers.handle_data(cdata)
            continue
        tag = tag.lower()
        if end:
            handlers.handle_endtag(tag)
            continue
        attrs = _attributes(raw_attrs.rstrip("/")) if raw_attrs else []
        if raw_attrs and raw_attrs.endswith("/"):
            handlers.handle_startendtag(tag, attrs)
        elif tag in _HTML_RAW:
            close = re.compile(rf"</{tag}\s*>", re.IGNORECASE).search(html, pos)
            pos = close.end() if close else len(html)
        else:
            handlers.handle_starttag(tag, attrs)
    if pos < len(html):
        handlers.handle_data(unescape(html[pos:]))
