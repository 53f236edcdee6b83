"""The article pane: title, byline, source, date, link, credits, the body, the author's note.

The body is built once into a ``rich.text.Text`` and wrapped into lines (both in a worker thread,
see ``newsreader.render``) and cached by the screen, so opening an article costs
the UI thread nothing but drawing the visible lines; Textual's Markdown widget takes ~175 ms for
30 KB. Article text is only ever placed in ``Text`` objects, never parsed as markup.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Protocol

from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual import work
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import get_current_worker

from newsreader.errors import NewsreaderError
from newsreader.models import Article
from newsreader.render import DEFAULT_STYLES, render_article, wrap_lines
from newsreader.tui.messages import ArticleFailed, ArticleShown
from newsreader.tui.text import safe_line, without_background

MEASURE = 78
"""The widest a line of body text gets: about 70-80 characters reads best."""

PLACEHOLDER = "Select a headline and press enter to read it."
META = DEFAULT_STYLES["meta"]
CACHE_SIZE = 64
"""Rendered articles kept, so going back and forth costs nothing."""
HEAD_CHARS = 4000
"""About three screens of text: what a long article shows before the rest is wrapped."""

CacheKey = tuple[str, tuple[str, ...], str]
"""An article as rendered: its id, the search terms highlighted in it, the theme."""


class ArticleSource(Protocol):
    """What the pane loads from (``Library``)."""

    def get(self, article_id: str, /) -> Article: ...

    def highlight_spans(self, text: str, terms: Sequence[str]) -> list[tuple[int, int]]: ...


def head_length(plain: str) -> int:
    """Where the first screens of an article end: a paragraph break after ``HEAD_CHARS``."""
    if len(plain) <= HEAD_CHARS * 2:
        return len(plain)
    cut = plain.find("\n\n", HEAD_CHARS)
    return len(plain) if cut < 0 else cut


def wrap_article(content: Text, width: int, console: Console) -> list[Strip]:
    """``render.wrap_lines`` as strips for the line API: pure, so a worker thread can run it."""
    return [Strip(line) for line in wrap_lines(content, width, console)]


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

    Shown: ClassVar[type[ArticleShown]] = ArticleShown
    Failed: ClassVar[type[ArticleFailed]] = ArticleFailed

    def __init__(self, source: ArticleSource, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._source = source
        self._cache: OrderedDict[CacheKey, tuple[Article, Text, list[Strip], int]] = OrderedDict()
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

    # -- loading ----------------------------------------------------------------------------

    def open(self, article_id: str, terms: tuple[str, ...] = ()) -> None:
        """Show an article, from the cache or loaded and rendered in a worker; posts ``Shown``
        once it is on screen, or ``Failed`` (an article whose body fails to load is not shown)."""
        key = (article_id, terms, self.app.theme or "")
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            self._show_loaded(key, *cached)
        else:
            self._load(key, self.render_styles(), self.measure)

    @work(thread=True, exclusive=True, group="article")
    def _load(self, key: CacheKey, styles: dict[str, Style], width: int) -> None:
        article_id, terms, _theme = key
        try:
            article = self._source.get(article_id)
        except NewsreaderError as exc:
            self.post_message(ArticleFailed(str(exc)))
            return
        highlight = None
        if terms:

            def highlight(text: str) -> list[tuple[int, int]]:
                return self._source.highlight_spans(text, terms)

        content = render_article(article, styles, highlight)
        worker = get_current_worker()
        cut = head_length(content.plain)
        if cut < len(content.plain):
            # Long read: show the first screens at once, the rest a moment later.
            head = wrap_article(content[:cut], width, self.app.console)
            if worker.is_cancelled:
                return
            shown = threading.Event()
            self._ui(self._show_head, article, content, head, width, shown)
            shown.wait(timeout=1.0)  # wrapping the rest holds the GIL: let that frame out first
        lines = wrap_article(content, width, self.app.console)
        if not worker.is_cancelled:
            self._ui(self._show_loaded, key, article, content, lines, width)

    def _ui(self, callback: Callable[..., object], *args: Any) -> None:
        """Run ``callback`` on the UI thread if this pane is still there (the app may be closing)."""

        def guarded() -> None:
            if self.is_attached and self.is_mounted:
                callback(*args)

        with contextlib.suppress(RuntimeError):  # the app's loop has stopped
            self.app.call_from_thread(guarded)

    def _show_head(
        self, article: Article, content: Text, lines: list[Strip], width: int, shown: threading.Event
    ) -> None:
        self.call_after_refresh(shown.set)
        self.show(article, content, lines, width, partial=True)
        self.border_title = Text(safe_line(article.feed), end="")
        self.post_message(ArticleShown(article.id, first=True))

    def _show_loaded(
        self, key: CacheKey, article: Article, content: Text, lines: list[Strip], width: int
    ) -> None:
        self._cache[key] = (article, content, lines, width)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        continuing = self.partial and self.article is not None and self.article.id == article.id
        self.show(article, content, lines, width, keep_scroll=continuing)
        self.border_title = Text(safe_line(article.feed), end="")
        # The head of a long read was announced when it showed.
        self.post_message(ArticleShown(article.id, first=not continuing))

    # -- display ------------------------------------------------------------------------------

    @property
    def lines(self) -> list[str]:
        """The wrapped lines as plain text, whatever is scrolled into view."""
        return ["".join(segment.text for segment in strip) for strip in self._lines]

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
