"""The article pane: title, byline, source, date, link, credits, the body, the author's note.

The body is built once into a ``rich.text.Text`` and wrapped into lines (both in a worker thread,
see ``newsreader.render``) and cached by the screen, so opening an article costs
the UI thread nothing but drawing the visible lines; Textual's Markdown widget takes ~175 ms for
30 KB. Article text is only ever placed in ``Text`` objects, never parsed as markup.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from newsreader.models import Article
from newsreader.render import DEFAULT_STYLES, wrap_lines
from newsreader.tui.text import without_background

MEASURE = 78
"""The widest a line of body text gets: about 70-80 characters reads best."""

PLACEHOLDER = "Select a headline and press enter to read it."
META = DEFAULT_STYLES["meta"]


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
