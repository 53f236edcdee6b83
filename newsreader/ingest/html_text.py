"""HTML fragments (feed bodies) to the plain text newsreader stores, and the links they refer to.

lxml's HTML parser (libxml2, HTML5 tokenization since 2.14) tokenizes; the handlers of
:class:`_HTMLToText` hold the formatting rules and are driven by a walk over the tree it builds
(:mod:`newsreader.ingest._html_walk`).
libxml2 gets attribute values with "<" in them, raw-text elements (``<textarea>``, ``<xmp>``,
``<plaintext>``) and stray quotes right where the regex tokenizer before it leaked markup into the
text. Input nested deeper than libxml2 allows (2048 elements) goes through that regex tokenizer
(:mod:`newsreader.ingest._html_regex`), which converts it whole in linear time.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from newsreader.ingest import _html_regex
from newsreader.ingest._html_tags import GRID_SPAN, HTML_BLOCKS, HTML_HEADINGS, HTML_SKIP
from newsreader.ingest._html_walk import walk_lxml
from newsreader.ingest.blocks import fence_for
from newsreader.ingest.cleaning import clean_line, normalise_newlines, strip_controls

_BREAKS = re.compile(r"\n[ \t]*\n+")
_LINK_SCHEMES = frozenset({"http", "https"})
# An absolute path made of plain characters (no "//" start, no query, fragment, parameters, spaces,
# controls, nor "." or ".." segment: "/." is excluded too), and a plain http(s) base: for these
# urljoin(base, href) is the base's scheme://host followed by href, as its code reads, and clean_line
# leaves href as it is.
_PLAIN_PATH = re.compile(r"/(?!/)[A-Za-z0-9\-_~!$&'()*+,=:@%/.]*")
_PLAIN_ORIGIN = re.compile(r"(https?://[A-Za-z0-9.-]+(?::[0-9]+)?)(?:[/?#]|\Z)")


def _single_spaced(text: str) -> bool:
    """Whether ``" ".join(text.split()) == text`` for a paragraph without newlines or controls, by a
    cheaper test: ASCII text whose only whitespace is single spaces between words (the rest splits)."""
    return text.isascii() and "  " not in text and "\t" not in text and text[:1] != " " and text[-1:] != " "


_MAX_DEPTH = 8  # deepest list/quote nesting that is drawn as such


class _HTMLToText:
    """Streams HTML into paragraphs; inline text gathers until a block boundary flushes it."""

    def __init__(self, base_url: str | None, references: bool = True) -> None:
        self.base_url = base_url or None
        self.references = references
        self.blocks: list[tuple[str, bool, bool]] = []  # (text, in a list, first of its list)
        self.inline: list[str] = []
        self.links: list[str] = []
        self._link_numbers: dict[str, int] = {}
        self._anchors: list[tuple[str | None, int]] = []  # (href, len(inline) at <a>)
        self._lists: list[list[int]] = []  # [ordered (0/1), next number]
        self._marker: str | None = None  # list marker waiting for the item's first block
        self._pad = "  "  # indentation of an item's later lines and blocks
        self._new_list = False  # the next block starts a top-level list: loose, not tight
        self._quote = 0
        self._pre = 0
        self._skip = 0
        self._grid: list[list[str]] | None = None  # rows of the data table being read
        self._cell: int | None = None  # len(inline) where the open cell started
        self._caption: int | None = None
        self._span = 1  # the open cell's colspan
        self.clean = False  # set by the tree walk when the input cannot yield control characters
        self._origin: str | None = None  # the base's scheme://host, when it is a plain one ("" if not)

    # Handlers --------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HTML_SKIP:
            self._skip += 1
            return
        if self._skip:
            return
        if self._grid is not None and self._grid_start(tag, attrs):
            return
        if tag in HTML_BLOCKS:
            self._flush()
        elif tag == "br":
            self.inline.append("\n")
        elif tag == "a":
            if self._anchors:  # links do not nest: a new <a> closes the open one, as in browsers
                self.handle_endtag("a")
            self._anchors.append((self._resolve(dict(attrs).get("href")), len(self.inline)))
        elif tag == "img":
            found = dict(attrs)
            alt = clean_line(found.get("alt") or found.get("title"))
            self.inline.append(f" [image: {alt}] " if alt else " [image] ")
        elif tag in ("ul", "ol", "menu"):
            self._flush()
            start = dict(attrs).get("start") if tag == "ol" else None
            digits = start.strip().lstrip("-") if start else ""
            number = int(start) if start and digits.isdigit() and len(digits) <= 9 else 1
            self._new_list = not self._lists
            self._lists.append([tag == "ol", number])
        elif tag == "li":
            self._flush()
            if self._lists and self._lists[-1][0]:
                self._marker = f"{self._lists[-1][1]}. "
                self._lists[-1][1] += 1
            else:
                self._marker = "• "
        elif tag == "blockquote":
            self._flush()
            self._quote += 1
        elif tag == "pre":
            self._flush()
            self._pre += 1
        elif tag == "hr":
            self._flush()
            self.blocks.append(("* * *", False, False))
        elif tag in ("td", "th"):
            self.inline.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HTML_SKIP:
            return  # <script/>: nothing to skip, and no end tag will come
        self.handle_starttag(tag, attrs)
        if tag == "a":
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in HTML_SKIP:
            self._skip = max(0, self._skip - 1)
            return
        if self._skip:
            return
        if self._grid is not None and self._grid_end(tag):
            return
        if tag in HTML_BLOCKS:
            self._flush(heading=tag in HTML_HEADINGS)
        elif tag == "a":
            if self._anchors:
                href, start = self._anchors.pop()
                text = "".join(self.inline[start:]).strip()
                if href and text and self.references:
                    self.inline.append(f" [{self._number(href)}]")
        elif tag in ("ul", "ol", "menu"):
            self._flush()
            if self._lists:
                self._lists.pop()
        elif tag == "li":
            self._flush()
        elif tag == "blockquote":
            self._flush()
            self._quote = max(0, self._quote - 1)
        elif tag == "pre":
            self._flush()
            self._pre = max(0, self._pre - 1)

    def handle_data(self, data: str) -> None:
        if not self._skip:
            # Outside <pre>, a newline in the source is just a space; <br> makes real ones.
            self.inline.append(data if self._pre else data.replace("\r", " ").replace("\n", " "))

    # Data tables ------------------------------------------------------------------------------

    def start_grid(self) -> None:
        """A ``<table>`` the walker found to hold data (no blocks in its cells): read as a grid."""
        if self._skip:
            self.handle_starttag("table", [])
            return
        self._flush()
        self._grid = []

    def _grid_start(self, tag: str, attrs: list[tuple[str, str | None]]) -> bool:
        assert self._grid is not None
        if tag == "tr":
            self._grid.append([])
        elif tag in ("td", "th"):
            if not self._grid:
                self._grid.append([])
            self._cell = len(self.inline)
            span = (dict(attrs).get("colspan") or "").strip()
            self._span = min(GRID_SPAN, max(1, int(span))) if span.isdigit() and len(span) < 4 else 1
        elif tag == "caption":
            self._caption = len(self.inline)
        elif tag == "br":
            self.inline.append(" ")
        else:
            return tag in ("thead", "tbody", "tfoot")
        return True

    def _grid_end(self, tag: str) -> bool:
        assert self._grid is not None
        if tag in ("td", "th") and self._cell is not None:
            text = " ".join("".join(self.inline[self._cell :]).split()).replace("|", "\\|")
            del self.inline[self._cell :]
            self._cell = None
            self._grid[-1].extend([text] + [""] * (self._span - 1))
            return True
        if tag == "caption" and self._caption is not None:
            caption = "".join(self.inline[self._caption :])
            self.inline = [caption]
            self._caption = None
            self._flush()
            return True
        if tag == "table":
            self._end_grid()
            return True
        return tag in ("tr", "thead", "tbody", "tfoot")

    def _end_grid(self) -> None:
        """The table as a Markdown pipe table, the body convention for tables (first row as header)."""
        rows = [row for row in self._grid or [] if any(cell for cell in row)]
        self._grid = None
        self._cell = None
        self.inline = []  # the whitespace between rows and cells
        if not rows:
            return
        columns = max(len(row) for row in rows)
        lines = ["| " + " | ".join(row + [""] * (columns - len(row))) + " |" for row in rows]
        lines.insert(1, "|" + " --- |" * columns)
        self.inline = ["\n".join(lines)]
        self._flush()

    # Building blocks --------------------------------------------------------------------------

    def _resolve(self, href: str | None) -> str | None:
        if not href:
            return None
        if href[:1] == "/" and "/." not in href and _PLAIN_PATH.fullmatch(href):
            if self._origin is None:
                found = _PLAIN_ORIGIN.match(self.base_url or "")
                self._origin = found.group(1) if found else ""
            if self._origin:  # what urljoin gives (see _PLAIN_PATH), ~10x faster
                return self._origin + href
        href = clean_line(href)
        try:
            if not self.base_url:
                url = href
            elif (url := urljoin(self.base_url, href)).startswith(("https://", "http://")) and href:
                return url  # its scheme is plain to see, and urljoin has parsed (so checked) it
            scheme = urlsplit(url).scheme.lower()
        except ValueError:  # a malformed URL (bad port, bad IPv6) is no link
            return None
        return url if scheme in _LINK_SCHEMES else None

    def _number(self, href: str) -> int:
        number = self._link_numbers.get(href)
        if number is None:
            self.links.append(href)
            number = self._link_numbers[href] = len(self.links)
        return number

    def _flush(self, heading: bool = False) -> None:
        if not self.inline:
            return
        raw = "".join(self.inline)
        if not self.clean:
            raw = strip_controls(normalise_newlines(raw))
        self.inline = []
        # Anchors still open keep their place relative to the (now empty) buffer.
        if self._anchors:
            self._anchors = [(href, 0) for href, _ in self._anchors]
        if self._pre:
            code = raw.strip("\n").expandtabs(4)
            if not self._lists and not self._quote and not any(x[:1].isspace() for x in code.split("\n")):
                fence = fence_for(
                    code.split("\n")
                )  # no indented line tells it from prose: fenced, as in dumps
                code = f"{fence}\n{code}\n{fence}"
            pieces = [code]
        elif "\n" not in raw:  # the common case: one paragraph, no <br>
            if not _single_spaced(raw):
                raw = " ".join(raw.split())
            if not self._lists and not self._quote and not heading:  # a plain paragraph, as it is
                if raw:
                    self.blocks.append((raw, False, self._new_list))
                    self._new_list = False
                return
            pieces = [raw]
        else:
            pieces = [
                "\n".join(" ".join(line.split()) for line in piece.split("\n") if line.strip())
                for piece in _BREAKS.split(raw)
            ]
        in_list = bool(self._lists)
        # Nesting deeper than _MAX_DEPTH is drawn at that depth: hostile markup nesting thousands of
        # lists or quotes would otherwise make every line's prefix, and the text, grow quadratically.
        indent = "  " * min(_MAX_DEPTH, max(0, len(self._lists) - 1))
        for piece in pieces:
            if not piece.strip():
                continue
            if heading:  # newsreader's body convention (shared with dumps): "## " marks a heading
                piece = "## " + piece.replace("\n", " ")
            if in_list:
                if self._marker is not None:
                    first = indent + self._marker
                    self._pad = " " * len(self._marker)
                    self._marker = None
                else:
                    first = indent + self._pad
                lines = piece.split("\n")
                pad = indent + self._pad
                piece = "\n".join([first + lines[0]] + [pad + line for line in lines[1:]])
            if self._quote:
                prefix = "> " * min(_MAX_DEPTH, self._quote)
                piece = "\n".join(prefix + line for line in piece.split("\n"))
            self.blocks.append((piece, in_list, self._new_list))
            self._new_list = False

    def result(self) -> str:
        self._flush()
        out: list[str] = []
        previous_in_list = False
        for text, in_list, first in self.blocks:
            if out:
                tight = in_list and previous_in_list and not first
                out.append("\n" if tight else "\n\n")
            out.append(text)
            previous_in_list = in_list
        return "".join(out)


def looks_like_html(text: str) -> bool:
    """Whether a feed's text field holds HTML (tags or entities) rather than plain text."""
    return ("<" in text and ">" in text) or ("&" in text and ";" in text)


def html_to_text(
    html: str | None, base_url: str | None = None, *, references: bool = True
) -> tuple[str, list[str]]:
    """Readable plain text from an HTML fragment, and the links it refers to.

    Paragraphs are separated by one blank line, headings are paragraphs starting ``## ``
    (the body convention dumps use too), list items get ``•`` or ``1.``, a data table becomes a
    Markdown pipe table (first row as its header, ``|`` in cells escaped as ``\\|``),
    block quotes ``>``, images become ``[image: alt]``, and each http(s) link is followed by a
    reference ``[n]`` where ``links[n - 1]`` is its URL resolved against ``base_url``. Scripts and
    styles are dropped, entities decoded, control characters and escape sequences removed. Text
    that looks like markup (``[bold]``) is kept literally: it is data, never interpreted.
    ``references=False`` leaves links unnumbered (for titles).

    Returns:
        ``(text, links)``.
    """
    if not html:
        return "", []
    handler = _HTMLToText(base_url, references)
    if not walk_lxml(handler, html):
        handler = _HTMLToText(base_url, references)
        _html_regex.feed(handler, html)
    return handler.result(), handler.links
