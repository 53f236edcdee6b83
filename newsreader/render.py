"""One article renderer for every front end: ``newsreader show`` and the TUI's article pane.

An article body follows one convention, written by ingest for dumps and feeds alike: paragraphs
are separated by a blank line, a heading is a paragraph starting ``## ``, list items start with
``•``, ``-`` or ``1.`` (nested ones indented), quoted lines with ``>``, a preformatted block keeps
its line breaks and indentation (or is fenced with ``````` lines), a table is a Markdown pipe table
(a ``| --- |`` row under its header), and a link is followed by a reference ``[n]`` into
``Article.links``. This module turns that text into a ``rich.text.Text`` (and wraps it with hanging
indents), without Textual, so a worker thread or the CLI can run it.

Untrusted text (titles, bodies, names, URLs) only ever becomes ``Text`` content: it is never read
as markup, and control and escape sequences are removed before it reaches a terminal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from itertools import pairwise

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, JustifyMethod, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from newsreader import dates
from newsreader.models import Article

Highlighter = Callable[[str], list[tuple[int, int]]]
"""Returns ``(start, end)`` spans of search matches in a piece of text."""

ROLES = (
    "title",
    "meta",
    "link",
    "teaser",
    "match",
    "note",
    "byline",
    "body",
    "heading",
    "code",
    "quote",
    "ref",
)
"""What each piece of an article is, for styling."""

DEFAULT_STYLES: dict[str, Style] = {
    "title": Style(bold=True),
    "meta": Style(dim=True),
    "link": Style(dim=True, underline=True),
    "teaser": Style(bold=True, italic=True),
    "match": Style(reverse=True),
    "note": Style(italic=True, dim=True),
    "byline": Style(italic=True),
    "body": Style(),
    "heading": Style(bold=True),
    "code": Style(),
    "quote": Style(italic=True),
    "ref": Style(dim=True),
}
"""Fallbacks; the TUI reads themed ones from its component classes (``article-view--title`` ...)."""

CLI_STYLES: dict[str, Style] = {
    **DEFAULT_STYLES,
    "title": Style(bold=True),
    "link": Style(dim=True, underline=True),
    "byline": Style(dim=True),
    "credit": Style(dim=True, italic=True),
}
"""``newsreader show``: plain terminal styles, no theme."""

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_HEADING = re.compile(r"#{2,6} ")
_LIST = re.compile(r"\s*(?:• |[-*] (?!\* )|\d{1,4}[.)] )")
_REFERENCE = re.compile(r"\[(\d{1,4})\]")
_FENCE = re.compile(r"(`{3,}|~{3,})[^`]*$")
_TABLE_RULE = re.compile(r"\|(?:\s*:?-+:?\s*\|)+")
_CELL_BAR = re.compile(r"(?<!\\)\|")
BLOCK = "newsreader-block"
"""The ``Style.meta`` key that tells ``wrap_lines`` a line is code or table, never to be reflowed."""
TABLE_COLUMN = 8
"""Columns narrower than this on average make a table unreadable: it is shown row by row instead."""

HANGING = re.compile(r"(?:\s*(?:• |[-*] |\d{1,4}[.)] |> )|\s+)")
"""The start of a list item, quoted line or indented line: wrapped lines of it are indented to
its text, so continuation lines sit under the text, not under the bullet."""


def safe(text: str | None) -> str:
    """Text with C0/C1 controls (ESC included) removed; keeps newlines and tabs."""
    if not text:
        return ""
    return _CONTROL.sub("", text)


def safe_line(text: str | None) -> str:
    """One display line: controls removed and every run of whitespace folded to one space."""
    if not text:
        return ""
    return " ".join(_CONTROL_LINE.sub(" ", text).split())


def long_date(when: datetime) -> str:
    """The article pane's date, in local time: ``Tuesday 24 November 2026, 21:40 CET``."""
    return dates.long_date(when)


# -- blocks -----------------------------------------------------------------------------------------


def block_kind(block: str) -> str:
    """What a body paragraph is: ``heading``, ``list``, ``quote``, ``code`` or ``body``."""
    if _HEADING.match(block):
        return "heading"
    lines = block.split("\n")
    if is_table(lines):
        return "table"
    if len(lines) > 1 and _FENCE.fullmatch(lines[0].strip()) and lines[-1].strip().startswith(lines[0][:3]):
        return "code"
    if _LIST.match(lines[0]):
        return "list"
    if all(line.startswith(">") for line in lines):
        return "quote"
    if any(line[:1].isspace() for line in lines if line.strip()):
        return "code"  # <pre> keeps its indentation; nothing else writes a line starting blank
    return "body"


def block_text(block: str, kind: str) -> str:
    """The text shown for a block: markers of headings dropped, whitespace folded except in code
    (and the indentation of nested list items)."""
    if kind == "heading":
        return " ".join(_HEADING.sub("", block, count=1).split())
    if kind == "table":
        return "\n".join(line.strip() for line in block.split("\n"))
    if kind == "code":
        lines = block.expandtabs(4).strip("\n").split("\n")
        if len(lines) > 1 and _FENCE.fullmatch(lines[0].strip()):
            lines = lines[1:-1]  # the fences are markup, not code
        return "\n".join(line.rstrip() for line in lines)
    lines = []
    for line in block.split("\n"):
        folded = " ".join(line.split())
        if folded:
            indent = line[: len(line) - len(line.lstrip())] if kind == "list" else ""
            lines.append(indent + folded)
    return "\n".join(lines)


def is_table(lines: list[str]) -> bool:
    """Whether a block's lines are a pipe table: a header row, a ``| --- |`` rule, every line in bars."""
    return (
        len(lines) >= 2
        and _TABLE_RULE.fullmatch(lines[1].strip()) is not None
        and all(line.strip().startswith("|") and line.strip().endswith("|") for line in lines)
    )


def render_body(
    body: str,
    styles: Mapping[str, Style] = DEFAULT_STYLES,
    highlight: Highlighter | None = None,
    *,
    references: int = 0,
) -> Iterator[Text]:
    """Each block of a body as styled ``Text``.

    Args:
        body: the article's text, in the convention above (controls are removed here too).
        references: how many links the article has: ``[n]`` up to it is styled as a reference.
    """
    for block in safe(body).split("\n\n"):
        if not block.strip():
            continue
        kind = block_kind(block)
        text = block_text(block, kind)
        if not text:
            continue
        piece = Text(
            text, style=styles.get(kind if kind not in ("list", "table") else "body", Style()), end=""
        )
        if kind in ("code", "table"):
            piece.stylize(Style(meta={BLOCK: kind}))
        if references:
            for match in _REFERENCE.finditer(text):
                if 1 <= int(match.group(1)) <= references:
                    piece.stylize(styles.get("ref", Style()), match.start(), match.end())
        _highlight(piece, highlight, styles)
        yield piece


def _highlight(piece: Text, highlight: Highlighter | None, styles: Mapping[str, Style]) -> None:
    if highlight is not None:
        for start, end in highlight(piece.plain):
            piece.stylize(styles.get("match", DEFAULT_STYLES["match"]), start, end)


def _size(length: int | None) -> str:
    """``25.0 MB``: an enclosure's size as the feed gives it."""
    if not length:
        return ""
    value = float(length)
    for unit in ("B", "KB", "MB"):
        if value < 1000:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


# -- articles ---------------------------------------------------------------------------------------


def when_text(article: Article) -> str:
    """The article's date, or its import date when the source gave none (said so, not passed off)."""
    if article.published:
        return long_date(article.published)
    return f"imported {dates.local(article.added):%-d %B %Y}"


def render_article(
    article: Article,
    styles: Mapping[str, Style] = DEFAULT_STYLES,
    highlight: Highlighter | None = None,
    *,
    compact: bool = False,
    when: str | None = None,
) -> Text:
    """The whole article as one ``Text``: pure, so a worker thread can run it.

    Args:
        article: an article with its body (from ``Library.get``).
        styles: rich styles by role (``ROLES``), read by the TUI on its UI thread.
        highlight: marks search matches in the title and the body, if given.
        compact: the CLI's header (title, then one line of byline, source and date) instead of
            the pane's roomier one.
        when: the date as shown; by default ``when_text(article)``.
    """

    def style(role: str) -> Style:
        return styles.get(role, DEFAULT_STYLES.get(role, Style()))

    out = Text(end="")

    def add(text: str, role: str, *, match: bool = False) -> None:
        piece = Text(text, style=style(role), end="")
        if match:
            _highlight(piece, highlight, styles)
        out.append_text(piece)
        out.append("\n")

    when = when or when_text(article)
    add(safe_line(article.title) or "(untitled)", "title", match=True)
    if compact:
        byline = f"By {safe_line(article.author)} · " if article.author else ""
        excerpt = " · excerpt only" if article.truncated else ""
        add(f"{byline}{safe_line(article.feed)} · {when}{excerpt}", "meta")
    else:
        out.append("\n")
        if article.author:
            add(f"By {safe_line(article.author)}", "byline")
        add(f"{safe_line(article.feed)} · {when}", "meta")
    if article.tags:
        add("Tags: " + " ".join(f"#{safe_line(t)}" for t in article.tags), "meta")
    if article.url:
        add(safe_line(article.url), "link")
    for credit in article.credits:
        add(safe_line(credit), "credit" if "credit" in styles else "meta")
    if article.truncated and not compact:
        out.append("\n")
        hint = "  press o to open the full article, f to fetch its text" if article.url else ""
        add("Excerpt only." + hint, "teaser")
    for block in render_body(
        article.body or article.excerpt, styles, highlight, references=len(article.links)
    ):
        out.append("\n")
        out.append_text(block)
        out.append("\n")
    if article.author_note:
        out.append("\n")
        if not compact:
            add("─" * 12, "meta")
        add(" ".join(safe(article.author_note).split()), "note", match=True)
    if article.links:
        if not compact:
            out.append("\n")
            add("Links", "meta")
        for number, link in enumerate(article.links, 1):
            add(f"[{number}] {safe_line(link)}", "link" if not compact else "ref")
    if article.enclosures:
        out.append("\n")
        if not compact:
            add("Enclosures (d downloads the first, L lists them)", "meta")
        for number, enc in enumerate(article.enclosures, 1):
            detail = " · ".join(x for x in (safe_line(enc.type), _size(enc.length)) if x)
            add(f"e{number} {safe_line(enc.url)}" + (f"  {detail}" if detail else ""), "link")
    if compact:
        out.rstrip()
    return out


# -- wrapping ---------------------------------------------------------------------------------------


def wrap_lines(content: Text, width: int, console: Console) -> list[list[Segment]]:
    """Wrap rendered text into lines once (~8 ms for 30 KB): pure, so a worker thread can run it.

    Runs of ordinary lines are wrapped together; a list item, quoted or indented line is wrapped
    on its own with a hanging indent, so its continuation lines sit under its text. Code is never
    reflowed (a line longer than the pane is folded, every space kept) and a table is drawn as a
    grid that fits ``width``, or row by row when it cannot.
    """
    options = console.options.update(width=width, height=None, no_wrap=False, overflow="fold")
    plain = content.plain
    regions = _regions(content)
    if not regions and not any(HANGING.match(line) for line in plain.split("\n")):
        return console.render_lines(content, options, pad=False, new_lines=False)
    out: list[list[Segment]] = []
    run: list[Text] = []
    table: list[Text] = []

    def flush() -> None:
        if run:
            out.extend(console.render_lines(Text("\n", end="").join(run), options, pad=False))
            run.clear()
        if table:
            out.extend(_table_lines(table, width, console, options))
            table.clear()

    lines = list(content.split("\n", allow_blank=True))
    if plain.endswith("\n"):
        lines.pop()  # the text's last newline ends its last line, as when wrapped whole
    offset = 0
    for line in lines:
        kind = _region_at(regions, offset)
        offset += len(line.plain) + 1
        if kind == "table":
            if run:
                flush()
            table.append(line)
            continue
        if table or (kind == "code" and run):
            flush()
        if kind == "code":
            out.extend(_fold(line, width, console, options))
            continue
        if not line.plain:
            flush()
            out.append([])
            continue
        marker = HANGING.match(line.plain)
        indent = marker.end() if marker else 0
        if not indent or indent >= width // 2 or indent >= len(line.plain):
            run.append(line)
            continue
        flush()
        head = console.render_lines(line[:indent], options.update(width=indent), pad=False)[0]
        body = console.render_lines(line[indent:], options.update(width=width - indent), pad=False)
        pad = Segment(" " * indent)
        for number, segments in enumerate(body):
            out.append([*(head if number == 0 else [pad]), *segments])
    flush()
    return out


def _regions(content: Text) -> list[tuple[int, int, str]]:
    """``(start, end, kind)`` of the code and table blocks ``render_body`` marked, in text order."""
    found = []
    for span in content.spans:
        style = span.style
        if isinstance(style, Style) and style.meta and BLOCK in style.meta:
            found.append((span.start, span.end, str(style.meta[BLOCK])))
    return sorted(found)


def _region_at(regions: list[tuple[int, int, str]], offset: int) -> str | None:
    for start, end, kind in regions:
        if start <= offset < end:
            return kind
        if start > offset:
            break
    return None


def _fold(line: Text, width: int, console: Console, options: ConsoleOptions) -> list[list[Segment]]:
    """A code line cut at the pane's width, not at words: every space stays, continuations sit under
    the line's indentation."""
    if not line.plain:
        return [[]]
    indent = len(line.plain) - len(line.plain.lstrip(" "))
    indent = indent if indent < width // 2 else 0
    cuts: list[int] = []
    used, room = 0, width
    for index, char in enumerate(line.plain):
        size = cell_len(char)
        if used + size > room and used:
            cuts.append(index)
            used, room = 0, width - indent
        used += size
    out = []
    for number, piece in enumerate(line.divide(cuts)):
        if number:
            piece = Text(" " * indent, end="") + piece
        out.append(console.render_lines(piece, options.update(width=width, no_wrap=True), pad=False)[0])
    return out


def _cells(line: Text) -> list[Text]:
    """A pipe-table row's cells, ``\\|`` read back as ``|``, spans (matches, references) kept."""
    plain = line.plain
    bars = [m.start() for m in _CELL_BAR.finditer(plain)]
    cells = []
    for start, end in pairwise(bars):
        cell = line[start + 1 : end]
        lead = len(cell.plain) - len(cell.plain.lstrip())
        cell = cell[lead : len(cell.plain.rstrip())]
        escapes = [m.start() for m in re.finditer(r"\\\|", cell.plain)]
        if escapes:
            parts = cell.divide([i for at in escapes for i in (at, at + 1)])
            cell = Text("", end="").join(part for n, part in enumerate(parts) if n % 2 == 0)
        cells.append(cell)
    return cells


def _table_lines(
    rows: list[Text], width: int, console: Console, options: ConsoleOptions
) -> list[list[Segment]]:
    """A pipe table as a grid at ``width``; too many columns for it, one record per row instead."""
    header, rule, body = _cells(rows[0]), rows[1].plain, [_cells(row) for row in rows[2:]]
    columns = max(len(header), *(len(row) for row in body)) if body else len(header)
    header += [Text("", end="")] * (columns - len(header))
    marks = [cell.strip() for cell in rule.strip().strip("|").split("|")]
    grid = Table(box=box.SQUARE, header_style=Style(bold=True), padding=(0, 1), expand=False)
    for number, cell in enumerate(header):
        mark = marks[number] if number < len(marks) else ""
        justify: JustifyMethod = "left"
        if mark.endswith(":"):
            justify = "center" if mark.startswith(":") else "right"
        grid.add_column(cell, justify=justify, overflow="fold")
    for row in body:
        grid.add_row(*row, *([Text("", end="")] * (columns - len(row))))
    fitted = options.update(width=width)
    measure = Measurement.get(console, options.update(width=10_000), grid)  # unclamped
    if measure.minimum <= width and columns * (TABLE_COLUMN + 3) + 1 <= width:
        grid.show_lines = measure.maximum > width  # cells will wrap: a rule between rows
        return console.render_lines(grid, fitted, pad=False)
    out: list[list[Segment]] = []
    for number, row in enumerate(body):
        if number:
            out.append([])
        for column, cell in enumerate(row):
            name = header[column].plain if column < len(header) else ""
            field = Text(f"{name}: " if name else "", style=Style(bold=True), end="") + cell
            out.extend(_hanging(field, 0 if column == 0 else 2, width, console, options))
    return out


def _hanging(
    line: Text, indent: int, width: int, console: Console, options: ConsoleOptions
) -> list[list[Segment]]:
    body = console.render_lines(line, options.update(width=max(1, width - indent)), pad=False)
    return [[Segment(" " * indent), *segments] if indent else segments for segments in body]


class Wrapped:
    """A rich renderable of article text wrapped with hanging indents at the console's width."""

    def __init__(self, content: Text) -> None:
        self.content = content

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in wrap_lines(self.content, options.max_width, console):
            yield from line
            yield Segment.line()
