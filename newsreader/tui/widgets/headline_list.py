"""The headline list: a line-API ScrollView, so 100k rows cost nothing to mount.

Textual's ListView mounts one widget per row and stalls near a thousand rows (textual issue 2783).
Here a row is four terminal lines drawn on demand by ``render_line`` from the ``Article`` at that
index, so only the visible rows are ever rendered, and each rendered line is cached.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields
from datetime import datetime
from math import ceil
from operator import attrgetter
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from newsreader._rows import ArticleList
from newsreader.models import Article, utcnow
from newsreader.search.text import fit_snippet, plain_prose
from newsreader.tui.messages import HeadlineHighlighted, HeadlineOpened
from newsreader.tui.text import relative_date, safe_line, without_background

ROW_HEIGHT = 4
"""Lines per headline: title and date, source, excerpt preview, and a blank line between rows."""

Spans = tuple[tuple[int, int], ...]


class HeadlineList(ScrollView, can_focus=True, inherit_bindings=False):
    """Headlines, newest first, with read/unread/starred marks and a one-line preview."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Down", show=False, id="list-down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="list-up"),
        Binding("home,g", "first", "First", show=False, id="list-first"),
        Binding("end,G", "last", "Last", show=False, id="list-last"),
        Binding("ctrl+d,ctrl+f", "page_down", "Page list down", show=False, id="list-page-down"),
        Binding("ctrl+u,ctrl+b", "page_up", "Page list up", show=False, id="list-page-up"),
        Binding("enter", "open", "Open", id="open"),
    ]
    """List keys; ``space``/``pgdn`` belong to the screen and page the article."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "headline-list--cursor",
        "headline-list--bar",
        "headline-list--unread",
        "headline-list--read",
        "headline-list--mark",
        "headline-list--star",
        "headline-list--meta",
        "headline-list--excerpt",
        "headline-list--teaser",
        "headline-list--match",
    }
    """Styles for what ``render_line`` draws, themed in app.tcss."""

    Highlighted: ClassVar[type[HeadlineHighlighted]] = HeadlineHighlighted
    Opened: ClassVar[type[HeadlineOpened]] = HeadlineOpened

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] = utcnow,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._clock = clock
        """Where relative dates are measured from (the library's clock, fixed in tests)."""
        self._articles: list[Article] | ArticleList = []
        self._index: dict[str, int] | None = None
        """Row of each id, made when first asked for (an ``ArticleList`` finds ids itself)."""
        self._title_spans: dict[str, Spans] = {}
        self._snippets: dict[str, tuple[str, Spans]] = {}
        self._cursor = -1
        self._unread: int | None = None
        """How many rows are unread, counted once a list (``unread``) and followed by each change."""
        self._line_cache: dict[tuple[object, ...], Strip] = {}
        self._styles: dict[str, Style] = {}
        self._frame: tuple[Style, int] | None = None
        """The list's own style and line width while one frame's lines are drawn (``render_lines``)."""
        self._drawn_height = 0
        """The height of the rows drawn last: which rows a change must repaint (``_refresh_row``)."""
        self._now: datetime = clock()
        self.row_height = ROW_HEIGHT
        """Lines per headline: ``ROW_HEIGHT``, or 1 in the compact list."""
        self._feed_width = 0
        """The longest source name listed: the compact rows' source column."""
        self.show_feed = True
        """Whether compact rows name the source (not in a one-source view, where it would repeat)."""
        self.empty_text = "No articles here."
        """Shown when the list is empty (the screen sets it to say why)."""

    # -- data ---------------------------------------------------------------------------------

    @property
    def articles(self) -> Sequence[Article]:
        return self._articles

    @property
    def cursor(self) -> int:
        """Index of the highlighted row, -1 when empty."""
        return self._cursor

    @property
    def unread(self) -> int:
        """How many rows are unread: the title's count, asked after every mark and reload (a pass
        over 100,000 rows each time held the UI thread for tens of milliseconds)."""
        if self._unread is None:
            rows = self._articles  # a library listing keeps its count: no row is built for it
            self._unread = (
                rows.unread() if isinstance(rows, ArticleList) else sum(1 for a in rows if not a.read)
            )
        return self._unread

    @property
    def current(self) -> Article | None:
        """The highlighted article."""
        if 0 <= self._cursor < len(self._articles):
            return self._articles[self._cursor]
        return None

    def set_articles(
        self,
        articles: Sequence[Article],
        *,
        keep: str | None = None,
        title_spans: dict[str, Spans] | None = None,
        snippets: dict[str, tuple[str, Spans]] | None = None,
    ) -> None:
        """Replace every row; the cursor stays on ``keep`` if it is still listed, else goes to the top.

        Args:
            articles: the rows, in display order.
            keep: an article id to keep the cursor on.
            title_spans: search matches to highlight in titles, by article id.
            snippets: search snippets (text, match spans) shown instead of excerpts, by article id.
        """
        # A library listing stays lazy (its rows are built as they are drawn); others are copied,
        # since rows are replaced in place as they are marked.
        self._articles = articles if isinstance(articles, ArticleList) else list(articles)
        self._unread = None
        self._index = None
        self._title_spans = title_spans or {}
        self._snippets = snippets or {}
        self._line_cache.clear()
        self._now = self._clock()
        self._feed_width = max((len(safe_line(f)) for f in _feeds(self._articles)), default=0)
        self.virtual_size = Size(0, len(self._articles) * self.row_height)
        index = (self.index_of(keep) or 0) if keep is not None else 0
        self._cursor = -1
        self.scroll_to(y=0, animate=False, immediate=True)
        self.move_cursor(index if self._articles else -1, force=True)
        self.refresh()

    def title_spans(self, article_id: str) -> Spans:
        """The search matches highlighted in an article's title."""
        return self._title_spans.get(article_id, ())

    def index_of(self, article_id: str) -> int | None:
        rows = self._articles
        cursor = self._cursor
        if 0 <= cursor < len(rows) and rows[cursor].id == article_id:  # the usual question
            return cursor
        if isinstance(rows, ArticleList):
            return rows.index_of(article_id)
        if self._index is None:
            self._index = {article.id: i for i, article in enumerate(rows)}
        return self._index.get(article_id)

    def update_article(self, article_id: str, **changes: object) -> Article | None:
        """Change one row's state in place (``read=True``, ``starred=False``); returns the new row."""
        index = self.index_of(article_id)
        if index is None:
            return None
        old = self._articles[index]
        article = with_changes(old, changes)
        self._articles[index] = article
        if self._unread is not None and article.read != old.read:
            self._unread += 1 if old.read else -1
        self._refresh_row(index)
        return article

    # -- cursor -------------------------------------------------------------------------------

    def move_cursor(self, index: int, *, force: bool = False) -> None:
        """Put the cursor on row ``index`` (clamped), scroll it into view and announce it."""
        index = max(0, min(index, len(self._articles) - 1)) if self._articles else -1
        if index == self._cursor and not force:
            return
        old = self._cursor
        self._cursor = index
        if old >= 0:
            self._refresh_row(old)
        if index >= 0:
            self._refresh_row(index)
            self._scroll_to_row(index)
        current = self.current
        self.post_message(HeadlineHighlighted(current.id if current else None))

    def _scroll_to_row(self, index: int) -> None:
        top = index * self.row_height
        height = self.scrollable_content_region.height or self.row_height
        scroll_y = round(self.scroll_y)
        if top < scroll_y:
            self.scroll_to(y=top, animate=False, immediate=True)
        elif top + self.row_height > scroll_y + height:
            self.scroll_to(y=top + self.row_height - height, animate=False, immediate=True)

    def _refresh_row(self, index: int) -> None:
        top = index * self.row_height
        scroll_y = round(self.scroll_y)
        # The height drawn last, not Textual's region (a walk up the DOM: most of A's cost per row);
        # a resize repaints everything anyway.
        height = self._drawn_height or self.scrollable_content_region.height
        if top + self.row_height <= scroll_y or top >= scroll_y + height:
            return  # off screen: drawn afresh when scrolled to (``A`` changes 100,000 rows, 10 in view)
        # refresh_lines takes virtual (list) coordinates and subtracts the scroll offset itself.
        self.refresh_lines(top, self.row_height)

    @property
    def _page_rows(self) -> int:
        return max(1, self.scrollable_content_region.height // self.row_height)

    def action_cursor_down(self) -> None:
        self.move_cursor(self._cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self._cursor - 1)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self._articles) - 1)

    def action_page_down(self) -> None:
        self.move_cursor(self._cursor + self._page_rows)

    def action_page_up(self) -> None:
        self.move_cursor(self._cursor - self._page_rows)

    def action_open(self) -> None:
        current = self.current
        if current is not None:
            self.post_message(HeadlineOpened(current.id))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = (offset.y + round(self.scroll_y)) // self.row_height
        if 0 <= index < len(self._articles):
            self.move_cursor(index)
            self.action_open()

    def on_focus(self) -> None:
        self._line_cache.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._line_cache.clear()
        self.refresh()

    # -- drawing ------------------------------------------------------------------------------

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        """As ``ScrollView``'s, but the scrollbar repaints only when its thumb moves on screen: at
        100,000 rows a ``j`` moves it by a thousandth of a cell, and its repaint was a quarter of
        the CPU of a ``j`` that scrolls. Its position is kept exact (a drag starts from it)."""
        if self.show_vertical_scrollbar:
            bar = self.vertical_scrollbar
            position = bar.validate_position(new_value)
            if _thumb(bar, position) == _thumb(bar, bar.position):
                bar.set_reactive(ScrollBar.position, position)
            else:
                bar.position = position
        if round(old_value) != round(new_value):
            self.refresh(self.size.region)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._line_cache.clear()

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            full = self.get_component_rich_style(f"headline-list--{name}")
            style = full if name in ("cursor", "match") else without_background(full)
            self._styles[name] = style
        return style

    def render_lines(self, crop: Region) -> list[Strip]:
        """A frame's lines, with the list's style and width looked up once for all of them: Textual
        works each out afresh (``rich_style`` walks every ancestor), and once a line that was half the
        CPU of a ``j`` that scrolls the list (the whole list redrawn from cached lines)."""
        region = self.scrollable_content_region
        self._frame = (self.rich_style, region.width)
        self._drawn_height = region.height
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def render_line(self, y: int) -> Strip:
        base, width = self._frame or (self.rich_style, self.scrollable_content_region.width)
        line = y + round(self.scroll_y)
        index, part = divmod(line, self.row_height)
        if not self._articles:
            return self._empty_line(y, width, base)
        if index >= len(self._articles):
            return Strip.blank(width, base)
        article = self._articles[index]
        is_cursor = index == self._cursor
        key = (article.id, part, width, is_cursor, article.read, article.starred, self.has_focus)
        strip = self._line_cache.get(key)
        if strip is None:
            if len(self._line_cache) > 4096:
                self._line_cache.clear()
            strip = self._render_row_line(article, part, width, is_cursor, base)
            self._line_cache[key] = strip
        return strip

    def _empty_line(self, y: int, width: int, base: Style) -> Strip:
        """The hint of an empty list, wrapped to the width from its second line: never cut."""
        lines = Text(self.empty_text, end="").wrap(self.app.console, max(8, width - 3))
        if 1 <= y <= len(lines):
            text = Text("  ", end="") + lines[y - 1]
            text.stylize(self._style("meta"))
            return self._strip(text, width, base)
        return Strip.blank(width, base)

    def set_compact(self, compact: bool) -> None:
        """One line per headline (title, source, date) or the roomy rows, keeping the cursor."""
        self.row_height = 1 if compact else ROW_HEIGHT
        self._line_cache.clear()
        self.virtual_size = Size(0, len(self._articles) * self.row_height)
        if self._cursor >= 0:
            self._scroll_to_row(self._cursor)
        self.refresh()

    def _render_row_line(
        self, article: Article, part: int, width: int, is_cursor: bool, base: Style
    ) -> Strip:
        if self.row_height == 1:
            row_base = base + self._style("cursor") if is_cursor else base
            bar = Text("▌" if is_cursor else " ", style=self._style("bar"), end="")
            return self._strip(bar + self._title_line(article, width - 1, compact=True), width, row_base)
        if part == self.row_height - 1:
            return Strip.blank(width, base)
        row_base = base + self._style("cursor") if is_cursor else base
        bar = Text("▌" if is_cursor else " ", style=self._style("bar"), end="")
        if part == 0:
            text = self._title_line(article, width - 1)
        elif part == 1:
            text = self._meta_line(article)
        else:
            text = self._preview_line(article, width - 1)
        return self._strip(bar + text, width, row_base)

    def _strip(self, text: Text, width: int, base: Style) -> Strip:
        text.truncate(width, overflow="ellipsis", pad=True)
        segments = list(text.render(self.app.console))
        return Strip(Segment.apply_style(segments, base), width).crop_extend(0, width, base)

    def _title_line(self, article: Article, width: int, *, compact: bool = False) -> Text:
        mark = Text("● " if not article.read else "  ", style=self._style("mark"), end="")
        star = Text("★ " if article.starred else "  ", style=self._style("star"), end="")
        date = relative_date(article.date, self._now)
        title = Text(
            safe_line(article.title) or "(untitled)",
            style=self._style("read" if article.read else "unread"),
            end="",
        )
        for start, end in self._title_spans.get(article.id, ()):
            title.stylize(self._style("match"), start, end)
        source = None
        if compact and self.show_feed:
            # A column as wide as the longest name listed, up to a third of the row: whole names
            # in the width newsboat gives them, the title keeps the rest.
            column = min(self._feed_width, max(12, width // 3))
            source = Text(safe_line(article.feed), style=self._style("meta"), end="")
            source.truncate(column, overflow="ellipsis", pad=True)
        if compact:
            date = date.rjust(6)
        room = max(1, width - len(mark) - len(star) - len(date) - 3 - (len(source) + 2 if source else 0))
        hint = None
        if compact and article.id in self._snippets and not self._title_spans.get(article.id):
            # A search hit matched in its body: the title shares the row with the snippet's match.
            spans = self._snippets[article.id][1]
            need = (spans[0][1] - spans[0][0] + 14) if spans else 0  # the match, ellipses, a word or two
            if source is not None and room - need < 8:  # too tight: the source name makes way for the match
                room, source = room + len(source) + 2, None
            keep = min(title.cell_len, room // 2 if room >= 60 else room // 3)
            keep = max(min(4, room), min(keep, room - 2 - need))
            hint = self._snippet_text(article.id, room - keep - 2)
            if hint is not None:
                hint.truncate(room - keep - 2, overflow="ellipsis", pad=True)
                room = keep
        title.truncate(room, overflow="ellipsis", pad=True)
        line = Text(end="")
        line.append_text(mark)
        line.append_text(star)
        line.append_text(title)
        if hint is not None:
            line.append("  ")
            line.append_text(hint)
        if source is not None:
            line.append("  ")
            line.append_text(source)
        line.append("  " + date + " ", style=self._style("meta"))
        return line

    def _meta_line(self, article: Article) -> Text:
        meta = self._style("meta")
        line = Text("    ", end="")
        if article.truncated:
            # First, so a narrow pane cuts the source name rather than the warning.
            line.append("excerpt only", style=self._style("teaser"))
            line.append(" · ", style=meta)
        line.append(safe_line(article.feed), style=meta)
        if article.author:
            line.append(" · " + safe_line(article.author), style=meta)
        return line

    def _preview_line(self, article: Article, width: int) -> Text:
        line = Text("    ", end="")
        preview = self._snippet_text(article.id, width - 4)
        if preview is None:  # the lead as prose: no [n], [image: …], ## or list marks
            preview = Text(safe_line(plain_prose(article.excerpt)), style=self._style("excerpt"), end="")
        line.append_text(preview)
        return line

    def _snippet_text(self, article_id: str, width: int) -> Text | None:
        """A search hit's snippet fitted to ``width`` around its first match, matches marked."""
        snippet = self._snippets.get(article_id)
        if snippet is None or width < 1:
            return None
        text, found = snippet[0], list(snippet[1])
        if safe_line(text) != text:
            text, found = safe_line(text), []  # cleaning would have moved the offsets
        text, spans = fit_snippet(text, found, width)
        preview = Text(text, style=self._style("excerpt"), end="")
        for start, end in spans:
            preview.stylize(self._style("match"), start, end)
        return preview

    def refresh_dates(self) -> None:
        """Recompute relative dates against the clock (called on a slow timer)."""
        self._now = self._clock()
        self._line_cache.clear()
        self.refresh()


def _thumb(bar: ScrollBar, position: float) -> list[Segment]:
    """A vertical scrollbar's cells at ``position``, as ``ScrollBar.render`` draws them (colours aside)."""
    window = bar.window_size if bar.window_size < bar.window_virtual_size else 0
    drawn = bar.renderer.render_bar(
        size=bar.size.height,
        virtual_size=ceil(bar.window_virtual_size),
        window_size=ceil(window),
        position=position,
        thickness=bar.thickness,
    )
    return list(drawn.segments)


_FIELDS = tuple(f.name for f in fields(Article))
_values = attrgetter(*_FIELDS)
_POSITION = {name: i for i, name in enumerate(_FIELDS)}


def with_changes(article: Article, changes: Mapping[str, object]) -> Article:
    """``dataclasses.replace(article, **changes)`` in a third less time (``A`` makes 100,000 rows
    read on the UI thread, and ``replace`` looks every field up by name each time)."""
    values = list(_values(article))
    for name, value in changes.items():
        values[_POSITION[name]] = value
    return Article(*values)


def _feeds(rows: Sequence[Article]) -> frozenset[str] | set[str]:
    """The feed names listed: a library listing knows them from its sources, without its rows."""
    return rows.feeds() if isinstance(rows, ArticleList) else {a.feed for a in rows}
