"""The main screen's search: ``/`` opens the bar, typing searches as you type, esc restores the list.

The search bar announces (``SearchChanged``, ``SearchBar.ToResults``, ``SearchBar.Closed``) and
this decides: the query runs in a thread worker (its last word a prefix, ``search.as_you_type``),
the headline pane shows the hits in place of the list, and closing puts back the list it kept,
with the marks made meanwhile. ``S`` saves the search as a source (``tui/organise.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual import on, work

from newsreader._rows import ArticleList
from newsreader.errors import NewsreaderError
from newsreader.models import Article, SearchHit
from newsreader.search import as_you_type
from newsreader.tui import organise
from newsreader.tui.messages import SearchChanged
from newsreader.tui.screens.marking import MarkingScreen
from newsreader.tui.widgets.search_bar import SearchBar

SEARCH_LIMIT = 200
"""Hits shown for one query."""


class SearchScreen(MarkingScreen):
    """Search over the headline pane (a base of ``MainScreen``)."""

    def load_everything(self, *, keep: str | None = None) -> Any:
        """Reload the sources and the headlines (the main screen's loading)."""
        raise NotImplementedError

    def action_search(self) -> None:
        self._set_pane("headlines")
        self.pane.open_search()

    @on(SearchChanged)
    def _run_search(self, event: SearchChanged) -> None:
        query = event.query
        if not query:
            if self.pane.searching:
                self.pane.show_saved()
                self._update_titles()
            return
        self.status.set_text(Text(f"Searching for {query}…", end=""))
        self.search(query, as_you_type(query))

    @work(thread=True, exclusive=True, group="search")
    def search(self, query: str, expanded: str | None = None) -> None:
        """Search for ``expanded`` (``query`` with its last word a prefix) and show the hits as
        the results for ``query``, what the user typed."""
        try:
            try:
                hits = self.library.search(expanded or query, limit=SEARCH_LIMIT)
            except NewsreaderError:
                if not expanded or expanded == query:
                    raise
                hits = self.library.search(query, limit=SEARCH_LIMIT)
        except NewsreaderError as exc:
            self._ui(self._search_failed, query, str(exc))
            return
        spans: dict[str, tuple[tuple[int, int], ...]] = {}
        for hit in hits:
            if hit.terms:
                spans[hit.article.id] = tuple(
                    self.library.highlight_spans(hit.article.title, list(hit.terms))
                )
        self._ui(self._show_hits, query, hits, spans)

    def _search_failed(self, query: str, message: str) -> None:
        if query != self.pane.typed:
            return
        self.status.set_text(Text(message, end=""))

    def _show_hits(
        self, query: str, hits: list[SearchHit], spans: dict[str, tuple[tuple[int, int], ...]]
    ) -> None:
        if self.pane.show_hits(query, hits, spans):
            self._update_titles()

    @on(SearchBar.ToResults)
    def _to_results(self) -> None:
        self._focus_pane("headlines")

    @on(SearchBar.Closed)
    def _search_closed(self) -> None:
        self._close_search(restore=True)

    def _close_search(self, *, restore: bool) -> None:
        self.workers.cancel_group(self, "search")
        saved = self.pane.close_search()
        if restore and saved is not None:
            # The snapshot taken at ``/`` is stale for whatever was read or starred meanwhile:
            # show it with the marks the search list knows at once, then reload it (and the
            # counts) from the library once those marks are saved.
            articles: Sequence[Article]
            if isinstance(saved.articles, ArticleList):  # the library listing itself: kept lazy
                saved.articles.replace_rows(self.headlines.articles)
                articles = saved.articles
            else:
                known = {a.id: a for a in self.headlines.articles}
                articles = [known.get(a.id, a) for a in saved.articles]
            self.headlines.empty_text = "No articles here."
            self.headlines.set_articles(articles, keep=saved.cursor_id)
            self._update_titles()
            self._marks.hurry()
            self.load_everything(keep=saved.cursor_id)
        self._focus_pane("headlines")

    # -- saved searches (tui/organise.py) -------------------------------------------------------

    def action_save_search(self) -> None:
        organise.save_search(self)

    @work(thread=True, group="state")
    def save_search_as(self, name: str, query: str) -> None:
        organise.save_search_as(self, name, query)
