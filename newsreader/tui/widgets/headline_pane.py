"""The headlines pane: the search bar over the headline list, and the state of a search.

The pane keeps what a search needs between keystrokes (the list it replaced, restored on ``esc``;
the query as typed; the terms to highlight) and debounces typing into one ``SearchChanged``. The
screen runs the search and hands the hits back with ``show_hits``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import Input

from newsreader._rows import ArticleList
from newsreader.models import Article, SearchHit, utcnow
from newsreader.tui.messages import SearchChanged
from newsreader.tui.widgets.headline_list import HeadlineList, Spans
from newsreader.tui.widgets.search_bar import SearchBar

SEARCH_DEBOUNCE = 0.15
"""Seconds of typing pause before a search runs."""


@dataclass(slots=True)
class SavedList:
    """The list that search replaced, restored on ``esc``."""

    articles: list[Article] | ArticleList
    """A copy of the list, or the library listing itself (copying it would build 500,000 rows)."""
    cursor_id: str | None
    _index: dict[str, int] | None = None

    @classmethod
    def of(cls, rows: Sequence[Article], cursor_id: str | None) -> SavedList:
        """``rows`` kept to restore: a library listing as it is, anything else copied."""
        return cls(rows if isinstance(rows, ArticleList) else list(rows), cursor_id)

    def without(self, article_id: str) -> None:
        """Leave out a deleted article (a lazy listing stays lazy)."""
        rows = self.articles
        if isinstance(rows, ArticleList) and rows.from_records:
            self.articles = rows.where(lambda i, _rec, _read: i != article_id)
        else:
            self.articles = [a for a in rows if a.id != article_id]
        self._index = None  # the rows after it moved up

    def update(self, article_id: str, **changes: bool) -> None:
        """Keep a read/star mark made during the search, for when this list shows again."""
        if isinstance(self.articles, ArticleList):
            index = self.articles.index_of(article_id)
        else:
            if self._index is None:
                self._index = {a.id: i for i, a in enumerate(self.articles)}
            index = self._index.get(article_id)
        if index is not None:
            self.articles[index] = replace(self.articles[index], **changes)  # type: ignore[arg-type]


class HeadlinePane(Vertical):
    """Search bar and headline list; posts ``SearchChanged`` once typing pauses."""

    def __init__(self, *, clock: Callable[[], datetime] = utcnow, id: str | None = None) -> None:
        super().__init__(id=id)
        self._clock = clock
        self._timer: Timer | None = None
        self._typed = ""
        self.saved: SavedList | None = None
        """The list search replaced, while searching."""
        self.terms: tuple[str, ...] = ()
        """The search terms the hits matched, highlighted in articles opened from them."""

    def compose(self) -> ComposeResult:
        yield SearchBar(id="search-bar")
        yield HeadlineList(id="headlines", clock=self._clock)

    def on_mount(self) -> None:
        self.border_title = "All articles"
        self.search_bar.display = False

    @property
    def headlines(self) -> HeadlineList:
        return self.query_one("#headlines", HeadlineList)

    @property
    def search_bar(self) -> SearchBar:
        return self.query_one("#search-bar", SearchBar)

    @property
    def searching(self) -> bool:
        return self.saved is not None

    @property
    def typed(self) -> str:
        """The query as typed, without surrounding spaces."""
        return self._typed.strip()

    @property
    def debouncing(self) -> bool:
        """True while typing has not paused long enough for a search."""
        return self._timer is not None

    def open_search(self) -> None:
        """Show the search bar, remembering the list it will replace."""
        if self.saved is None:
            current = self.headlines.current
            self.saved = SavedList.of(self.headlines.articles, current.id if current else None)
        self.search_bar.display = True
        self.search_bar.focus()

    @on(Input.Changed, "#search-bar")
    def _typed_on(self, event: Input.Changed) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self._typed = event.value
        self._timer = self.set_timer(SEARCH_DEBOUNCE, self._paused)

    def _paused(self) -> None:
        self._timer = None
        self.post_message(SearchChanged(self.typed))

    def show_saved(self) -> None:
        """The query was cleared: show the list search replaced (still searching)."""
        if self.saved is not None:
            self.terms = ()
            self.headlines.set_articles(self.saved.articles, keep=self.saved.cursor_id)

    def show_hits(self, query: str, hits: Sequence[SearchHit], spans: dict[str, Spans]) -> bool:
        """Show search results; False (and nothing shown) if the query changed meanwhile."""
        if query != self.typed or self.saved is None:
            return False
        terms: set[str] = set()
        for hit in hits:
            terms.update(hit.terms)
        self.terms = tuple(sorted(terms))
        self.headlines.empty_text = f"Nothing matches {query}."
        self.headlines.set_articles(
            [hit.article for hit in hits],
            title_spans=spans,
            snippets={hit.article.id: (hit.snippet, hit.snippet_spans) for hit in hits},
        )
        return True

    def close_search(self) -> SavedList | None:
        """Hide the search bar and forget the search; returns the list it had replaced."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        saved, self.saved = self.saved, None
        self._typed = ""
        self.terms = ()
        bar = self.search_bar
        with bar.prevent(Input.Changed):
            bar.value = ""
        bar.display = False
        return saved

    def set_titles(self, label: str, state: str = "") -> tuple[str, int, int]:
        """Title the pane (the view's label and ``state``, its order and filter; or the search) and
        count what it lists.

        Returns:
            ``(label shown, articles, unread)``.
        """
        title = Text(label, end="")
        if self.saved is not None:
            label = f"Search: {self._typed}"
            title = Text(label, end="")
        elif state:
            title.append(f" · {state}", style="dim")
        articles = self.headlines.articles
        unread = self.headlines.unread
        self.border_title = title
        self.border_subtitle = f"{len(articles)} · {unread} unread"
        return label, len(articles), unread
