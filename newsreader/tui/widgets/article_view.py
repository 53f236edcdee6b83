"""The article pane: title, byline, source, date, link, credits, the body, the author's note.

The body is built once into a ``rich.text.Text`` (in a worker thread, see ``render_article``) and
cached by the screen, so opening an article is one ``Static.update``; Textual's Markdown widget would
take ~175 ms for 30 KB. Article text is only ever placed in ``Text`` objects, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

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
    add(f"{safe_line(article.feed)} · {long_date(article.date)}", META)
    out.append("\n")
    if article.url:
        add(safe_line(article.url), LINK)
        out.append("\n")
    for credit in article.credits:
        add(safe_line(credit), META)
        out.append("\n")
    if article.truncated:
        out.append("\n")
        hint = "  press o to open the full article" if article.url else ""
        add("Excerpt only." + hint, TEASER)
        out.append("\n")
    body = safe(article.body or article.excerpt)
    paragraphs = [" ".join(p.split()) for p in body.split("\n\n")]
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


class ArticleView(VerticalScroll, can_focus=True):
    """A scrollable pane holding one rendered article at a readable measure."""

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

    def compose(self) -> ComposeResult:
        yield Static(
            Text("Select a headline and press enter to read it.", style=META),
            id="article-body",
            markup=False,
        )

    def show(self, article: Article, content: Text) -> None:
        """Display a rendered article from its top."""
        self.article = article
        self.query_one("#article-body", Static).update(content)
        self.scroll_home(animate=False, immediate=True)

    def clear(self, message: str = "Select a headline and press enter to read it.") -> None:
        self.article = None
        self.query_one("#article-body", Static).update(Text(message, style=META))
        self.scroll_home(animate=False, immediate=True)

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
