"""The main screen's layout: sources | headlines | article, and which pane holds focus.

Three panes when the terminal is wide, two when medium, one at a time when narrow (the focused
one, tracked here); the status line under them names the view and its counts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.events import DescendantFocus, Resize
from textual.widget import Widget

from newsreader.tui.screens.jobs import LibraryScreen
from newsreader.tui.widgets.article_view import ArticleView
from newsreader.tui.widgets.headline_list import HeadlineList
from newsreader.tui.widgets.headline_pane import HeadlinePane
from newsreader.tui.widgets.key_footer import KeyFooter
from newsreader.tui.widgets.search_bar import SearchBar
from newsreader.tui.widgets.source_list import ALL, SourceList
from newsreader.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from newsreader.library import Library

WIDE = 120
"""Columns from which all three panes show."""
NARROW = 60
"""Below this many columns one pane shows at a time."""

PANES = ("sources", "headlines", "article")


class PanesScreen(LibraryScreen):
    """The three panes, the width classes and pane focus (a base of ``MainScreen``)."""

    AUTO_FOCUS = "#headlines"
    """The list has focus from the start (Textual's default, the first focusable widget, is the sources
    pane: focus moved there and back, each move restyling the screen)."""

    def __init__(self, library: Library) -> None:
        super().__init__(library)
        self._key = ALL
        """The selected view or source (a ``SourceList`` key)."""
        self._pane = "headlines"

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            yield SourceList(id="sources")
            yield HeadlinePane(id="headlines-pane", clock=self.library.now)
            yield ArticleView(self.library, id="article")
        yield StatusBar(id="status")
        yield KeyFooter()

    @property
    def sources(self) -> SourceList:
        return self.query_one("#sources", SourceList)

    @property
    def pane(self) -> HeadlinePane:
        return self.query_one("#headlines-pane", HeadlinePane)

    @property
    def headlines(self) -> HeadlineList:
        return self.query_one("#headlines", HeadlineList)

    @property
    def article_view(self) -> ArticleView:
        return self.query_one("#article", ArticleView)

    @property
    def footer(self) -> KeyFooter:
        """The key line, led by which article the article keys act on (``ReadingScreen.target_id``'s
        rule, issue 13 defect 2); it repaints whenever the bindings change, as focus moves."""
        return self.query_one(KeyFooter)

    @property
    def search_bar(self) -> SearchBar:
        return self.query_one("#search-bar", SearchBar)

    def on_resize(self, event: Resize) -> None:
        self._apply_width(event.size.width)

    def _apply_width(self, width: int, **more: bool) -> None:
        """Three panes when wide, two when medium, one at a time when narrow (and ``more`` classes, named
        without their leading dash, in the same batch: one restyle of the screen, where a ``set_class``
        each restyled it once per class that changed)."""
        classes = {"-wide": width >= WIDE, "-medium": NARROW <= width < WIDE, "-narrow": width < NARROW}
        self.update_classes(classes | {f"-{name.replace('_', '-')}": on for name, on in more.items()})

    def _set_pane(self, pane: str) -> None:
        self._pane = pane
        self.update_classes({f"-pane-{name}": name == pane for name in PANES})

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        """Track which pane holds focus: the narrow layouts show that one."""
        widget: Widget | None = event.widget
        while widget is not None and widget is not self:
            if widget.id in ("sources", "headlines-pane", "article"):
                self._set_pane({"headlines-pane": "headlines"}.get(widget.id, widget.id))
                return
            widget = widget.parent  # type: ignore[assignment]

    def _focus_pane(self, pane: str) -> None:
        target: Widget = {
            "sources": self.sources,
            "headlines": self.headlines,
            "article": self.article_view,
        }[pane]
        self._set_pane(pane)
        target.focus()

    def action_switch_pane(self, step: int) -> None:
        order = list(PANES)
        index = order.index(self._pane) if self._pane in order else 1
        self._focus_pane(order[(index + step) % len(order)])

    def action_toggle_compact(self) -> None:
        """One line per headline, or title, source and preview (``compact_list`` sets the start)."""
        headlines = self.headlines
        headlines.set_compact(headlines.row_height != 1)

    def list_state(self) -> str:
        """What the list's title says about its order and filter (``listing.ListingScreen``)."""
        return ""

    def _update_titles(self) -> None:
        label, count, unread = self.pane.set_titles(self.sources.label_for(self._key), self.list_state())
        articles = "article" if count == 1 else "articles"
        self.status.set_text(Text(f"{label}: {count} {articles}, {unread} unread", end=""))
