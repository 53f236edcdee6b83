"""Rendered article text laid out at a width, once, in a worker thread: hanging indents for list items,
quotes and indented lines, code folded at the width (never reflowed), pipe tables drawn as grids.

``newsreader.render`` builds the ``Text``; this module only lays it out. Table cells are ``Text``
sliced from it, so they stay data: nothing here reads markup.
"""

from __future__ import annotations

import re
from itertools import pairwise

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, JustifyMethod, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

_CELL_BAR = re.compile(r"(?<!\\)\|")
BLOCK = "newsreader-block"
"""The ``Style.meta`` key that tells ``wrap_lines`` a line is code or table, never to be reflowed."""
TABLE_COLUMN = 8
"""Columns narrower than this on average make a table unreadable: it is shown row by row instead."""

HANGING = re.compile(r"(?:\s*(?:• |[-*] |\d{1,4}[.)] |> )|\s+)")
"""The start of a list item, quoted line or indented line: wrapped lines of it are indented to
its text, so continuation lines sit under the text, not under the bullet."""


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
    offset = at = 0
    for line in lines:
        while at < len(regions) and regions[at][1] <= offset:
            at += 1  # regions are in text order and lines come in order: one pass over both
        kind = regions[at][2] if at < len(regions) and regions[at][0] <= offset else None
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
