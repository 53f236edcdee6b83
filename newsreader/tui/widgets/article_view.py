"""The article pane: title, byline, source, date, link, credits, the body, the author's note.

The body is built once into a ``rich.text.Text`` and wrapped into lines (both in a worker thread,
see ``render_article`` and ``wrap_article``) and cached by the screen, so opening an article costs
the UI thread nothing but drawing the visible lines; Textual's Markdown widget takes ~175 ms for
30 KB. Article text is only ever placed in ``Text`` objects, never parsed as markup.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import ClassVar

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from newsreader.models import Article
from newsreader.tui.text import long_date, safe, safe_line, without_background

Highlighter = Callable[[str], list[tuple[int, int]]]
"""Returns ``(start, end)`` spans of search matches in a piece of text."""

DEFAULT_STYLES: dict[str, Style] = {
    "title": Style(bold=True),
    "meta": Style(dim=True),
    "link": Style(dim=True, underline=True),
    "teaser": Style(bold=True, italic=True),
    "match": Style(reverse=True),
    "note": Style(italic=True, dim=True),
    "byline": Style(italic=True),
    "body": Style(),
}
"""Fallbacks; the pane reads themed ones from its component classes (``article-view--title`` ...)."""
META = DEFAULT_STYLES["meta"]


def render_article(
    article: Article,
    styles: Mapping[str, Style] = DEFAULT_STYLES,
    highlight: Highlighter | None = None,
) -> Text:
    """Build the whole article as one ``Text``: pure, so a worker thread can run it.

    Args:
        article: an article with its body (from ``Library.get``).
        styles: rich styles by role (keys of ``DEFAULT_STYLES``), read on the UI thread.
        highlight: marks search matches in the title and paragraphs, if given.
    """
    out = Text(end="")
    TITLE, META, LINK, TEASER, MATCH, NOTE, BODY, BYLINE = (
        styles.get(role, DEFAULT_STYLES[role])
        for role in ("title", "meta", "link", "teaser", "match", "note", "body", "byline")
    )

    def add(text: str, style: Style, *, match: bool = False) -> None:
        piece = Text(text, style=style, end="")
        if match and highlight is not None:
            for start, end in highlight(text):
                piece.stylize(MATCH, start, end)
        out.append_text(piece)

    add(safe_line(article.title) or "(untitled)", TITLE, match=True)
    out.append("\n\n")
    if article.author:
        add(f"By {safe_line(article.author)}", BYLINE)
        out.append("\n")
    # A dump without a date line has only its import time: say so rather than pass it off as published.
    when = long_date(article.published) if article.published else f"imported {article.added:%-d %B %Y}"
    add(f"{safe_line(article.feed)} · {when}", META)
    out.append("\n")
    if article.url:
        add(safe_line(article.url), LINK)
        out.append("\n")
    for credit in article.credits:
        add(safe_line(credit), META)
        out.append("\n")
    if article.truncated:
        out.append("\n")
        hint = "  press o to open the full article, f to fetch its text" if article.url else ""
        add("Excerpt only." + hint, TEASER)
        out.append("\n")
    body = safe(article.body or article.excerpt)
    # Line breaks inside a block separate list items and quoted lines: keep them, and collapse
    # only the whitespace within each line.
    paragraphs = [
        "\n".join(line for line in (" ".join(part.split()) for part in p.split("\n")) if line)
        for p in body.split("\n\n")
    ]
    for paragraph in paragraphs:
        if paragraph:
            out.append("\n")
            add(paragraph, BODY, match=True)
            out.append("\n")
    if article.author_note:
        out.append("\n")
        add("─" * 12, META)
        out.append("\n")
        add(" ".join(safe(article.author_note).split()), NOTE, match=True)
        out.append("\n")
    if article.links:
        out.append("\n")
        add("Links", META)
        out.append("\n")
        for number, link in enumerate(article.links, 1):
            add(f"[{number}] {safe_line(link)}", LINK)
            out.append("\n")
    return out


MEASURE = 78
"""The widest a line of body text gets: about 70-80 characters reads best."""

PLACEHOLDER = "Select a headline and press enter to read it."


LIST_ITEM = re.compile(r"(?:• |\d{1,4}[.)] |> )")
"""The start of a list item or quoted line (as ``html_to_text`` writes them): wrapped lines of
the item are indented to its text."""


def wrap_article(content: Text, width: int, console: Console) -> list[Strip]:
    """Wrap rendered text into lines once: pure, so a worker thread can run it (~8 ms for 30 KB).

    Runs of ordinary lines are wrapped together; a list item or quoted line is wrapped on its own
    with a hanging indent, so its continuation lines sit under its text, not under the bullet.
    """
    options = console.options.update(width=width, height=None, no_wrap=False, overflow="fold")
    plain = content.plain
    if "\n" not in plain or not any(LIST_ITEM.match(line) for line in plain.split("\n")):
        lines = console.render_lines(content, options, pad=False, new_lines=False)
        return [Strip(line) for line in lines]
    strips: list[Strip] = []
    run: list[Text] = []

    def flush() -> None:
        if run:
            text = Text("\n", end="").join(run)
            strips.extend(Strip(line) for line in console.render_lines(text, options, pad=False))
            run.clear()

    lines = list(content.split("\n", allow_blank=True))
    if plain.endswith("\n"):
        lines.pop()  # the text's last newline ends its last line, as when wrapped whole
    for line in lines:
        if not line.plain:
            flush()
            strips.append(Strip([]))
            continue
        marker = LIST_ITEM.match(line.plain)
        indent = marker.end() if marker else 0
        if not indent or indent >= width // 2:
            run.append(line)
            continue
        flush()
        head = console.render_lines(line[:indent], options.update(width=indent), pad=False)[0]
        body = console.render_lines(line[indent:], options.update(width=width - indent), pad=False)
        pad = Segment(" " * indent)
        for number, segments in enumerate(body):
            strips.append(Strip([*(head if number == 0 else [pad]), *segments]))
    flush()
    return strips


class ArticleView(ScrollView, can_focus=True):
    """A scrollable pane holding one article, drawn line by line from text wrapped once.

    Textual's own text widgets re-wrap 30 KB of text on every layout (~60 ms); here the wrapping
    happens in the worker that loaded the article, and again only when the pane's width changes.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "scroll_down", "Scroll down", show=False, id="article-down"),
        Binding("k", "scroll_up", "Scroll up", show=False, id="article-up"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {f"article-view--{role}" for role in DEFAULT_STYLES}
    """Themeable styles for each role in ``render_article``."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.article: Article | None = None
        """The article on show, if any."""
        self._content = Text(PLACEHOLDER, style=META, end="")
        self._lines: list[Strip] = []
        self._wrapped_at = 0
        self.partial = False
        """True while only the first screens of a long article are wrapped."""

    @property
    def measure(self) -> int:
        """The width to wrap at: the pane's text width, at most ``MEASURE``."""
        width = self.scrollable_content_region.width
        return min(MEASURE, width) if width > 0 else MEASURE

    @property
    def content(self) -> Text:
        return self._content

    def show(
        self,
        article: Article | None,
        content: Text,
        lines: list[Strip] | None = None,
        width: int = 0,
        *,
        partial: bool = False,
        keep_scroll: bool = False,
    ) -> None:
        """Display rendered text from its top (``lines`` wrapped at ``width`` if already done).

        Args:
            partial: ``lines`` are only the first screens of ``content``; the rest follows.
            keep_scroll: the reader may have scrolled the first screens already: stay there.
        """
        self.article = article
        self._content = content
        self.partial = partial
        if (lines is None or width != self.measure) and not partial:
            width = self.measure
            lines = wrap_article(content, width, self.app.console)
        assert lines is not None
        self._set_lines(lines, width)
        if not keep_scroll:
            self.scroll_to(y=0, animate=False, immediate=True)

    def clear(self, message: str = PLACEHOLDER) -> None:
        self.show(None, Text(message, style=META, end=""))

    def _set_lines(self, lines: list[Strip], width: int) -> None:
        self._lines = lines
        self._wrapped_at = width
        self.virtual_size = Size(width, len(lines))
        self.refresh()

    def on_mount(self) -> None:
        self.clear()

    def on_resize(self) -> None:
        if self.measure != self._wrapped_at and self.scrollable_content_region.width > 0:
            self._set_lines(wrap_article(self._content, self.measure, self.app.console), self.measure)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self.refresh()

    def render_line(self, y: int) -> Strip:
        index = y + round(self.scroll_y)
        width = self.scrollable_content_region.width
        base = self.rich_style
        if 0 <= index < len(self._lines):
            return self._lines[index].crop_extend(0, width, base).apply_style(base)
        return Strip.blank(width, base)

    def render_styles(self) -> dict[str, Style]:
        """The themed styles, read here on the UI thread and handed to ``render_article``."""
        styles = {}
        for role in DEFAULT_STYLES:
            full = self.get_component_rich_style(f"article-view--{role}")
            styles[role] = full if role == "match" else without_background(full)
        return styles

    @property
    def at_end(self) -> bool:
        return self.scroll_y >= self.max_scroll_y

    def page(self, forward: bool = True) -> None:
        """Scroll by a screenful less two lines, so the reader keeps their place."""
        step = max(1, self.scrollable_content_region.height - 2)
        target = self.scroll_y + step if forward else self.scroll_y - step
        self.scroll_to(y=target, animate=False)
