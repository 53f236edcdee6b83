"""The main screen's list: its order (``O``), hiding read articles (``H``), the previous unread
article (``U``) and deleting articles (``D``, undone with ``u`` until the app closes).

Order and hide-read start from settings (``sort_order``, ``hide_read``) and are applied by
:meth:`ListingScreen.as_listed` to every list the screen loads, so they survive a refresh, a reload
and a source switch; search hits keep their relevance order. Deleted articles are held here and
left out of every list and count; closing the app stores them as hidden marks
(``Library.delete``), so a refresh or a re-import does not bring them back.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from newsreader._rows import ArticleList
from newsreader.config import SORT_ORDERS
from newsreader.errors import NewsreaderError
from newsreader.tui.organise import Change
from newsreader.tui.screens.search import SearchScreen
from newsreader.tui.text import safe_line

if TYPE_CHECKING:
    from newsreader.library import Library
    from newsreader.models import Article, SearchHit, Source

log = logging.getLogger(__name__)

SORT_LABELS = {"newest": "newest first", "oldest": "oldest first", "title": "by title", "source": "by source"}


BUILT_AHEAD = 150_000
"""Lists up to this long have every row built in the loading worker, so that what walks the whole
list on the UI thread (``A``'s count, opening search, delete, hide-read) builds none: ~300 bytes a
row (45 MB here). A longer list builds its rows as they are drawn: 500,000 built rows were 150 MB."""


def ready(articles: Sequence[Article]) -> Sequence[Article]:
    """A loaded list made ready for the UI thread, here in the worker: up to ``BUILT_AHEAD`` rows
    built (at 100,000 rows, building them on the UI thread after each reload froze the app for
    seconds), and what the list widget asks of a lazy one (ids, feed names) worked out."""
    if not isinstance(articles, ArticleList):
        return articles
    if len(articles) <= BUILT_AHEAD:
        articles.build_all()
    return articles.prepare()


def arranged(
    articles: Sequence[Article],
    order: str,
    *,
    hide_read: bool = False,
    deleted: frozenset[str] | set[str] = frozenset(),
    keep: str | None = None,
) -> Sequence[Article]:
    """``articles`` (newest first, as the library lists them) in ``order``, without the deleted ones
    and, with ``hide_read``, without read ones except ``keep`` (the row the reader is on stays).

    A library listing whose rows are not all built is arranged from its records, and stays lazy:
    building 500,000 rows to sort them by title would cost 150 MB and seconds."""
    if order == "newest" and not hide_read and not deleted:
        return articles  # as listed: nothing to look at (100k rows cost a list copy)
    if isinstance(articles, ArticleList) and not articles.built and articles.from_records:
        return _arranged_records(articles, order, hide_read=hide_read, deleted=deleted, keep=keep)
    rows = [a for a in articles if a.id not in deleted and (not hide_read or not a.read or a.id == keep)]
    if order == "oldest":
        rows.reverse()
    elif order == "title":
        rows.sort(key=lambda a: _title_key(a.title))
    elif order == "source":
        rows.sort(key=lambda a: safe_line(a.feed).casefold())  # stable: newest first within a source
    return rows


def _title_key(title: str) -> str:
    return (safe_line(title) or "\uffff").casefold()


def _arranged_records(
    articles: ArticleList,
    order: str,
    *,
    hide_read: bool,
    deleted: frozenset[str] | set[str],
    keep: str | None,
) -> ArticleList:
    """``arranged`` of an ArticleList, read from its records (``Article.title`` is the record's
    ``title`` or ""; ``Article.feed`` is ``ArticleList.feed_of``)."""
    rows = articles
    if hide_read or deleted:
        rows = rows.where(lambda i, _rec, read: i not in deleted and (not hide_read or not read or i == keep))
    if order == "oldest":
        rows = rows.reversed()
    elif order == "title":
        rows = rows.sorted_by(lambda _i, rec: _title_key(rec.get("title") or ""))
    elif order == "source":
        feed_of = rows.feed_of
        rows = rows.sorted_by(lambda _i, rec: safe_line(feed_of(rec)).casefold())
    return rows


class ListingScreen(SearchScreen):
    """Order, hide-read, previous unread and delete (a base of ``MainScreen``)."""

    def __init__(self, library: Library) -> None:
        super().__init__(library)
        self.list_order = "newest"
        self.hide_read = False
        self._deleted: dict[str, Article] = {}
        """Deleted this session (stored when the app closes), in order; ``u`` takes the last back."""

    def load_headlines(self, key: str, *, keep: str | None = None) -> Any:
        """Load a view's headlines (the main screen's worker)."""
        raise NotImplementedError

    # -- order and hide-read ----------------------------------------------------------------------

    def as_listed(self, articles: Sequence[Article], keep: str | None = None) -> Sequence[Article]:
        """A loaded list as the reader asked to see it."""
        return arranged(
            articles, self.list_order, hide_read=self.hide_read, deleted=set(self._deleted), keep=keep
        )

    def list_state(self) -> str:
        """What the list's title says about its order and filter."""
        state = SORT_LABELS[self.list_order]
        return state + " · unread only" if self.hide_read else state

    def action_cycle_sort(self) -> None:
        self.list_order = SORT_ORDERS[(SORT_ORDERS.index(self.list_order) + 1) % len(SORT_ORDERS)]
        self._rearrange()
        self.notify(f"Sorted {SORT_LABELS[self.list_order]}.", markup=False, timeout=1.5)

    def action_toggle_hide_read(self) -> None:
        self.hide_read = not self.hide_read
        self._rearrange()
        said = "Read articles hidden." if self.hide_read else "Read articles shown."
        self.notify(said, markup=False, timeout=1.5)

    def _rearrange(self) -> None:
        """Reload the list in the new order (the search's own list follows when it closes)."""
        self._update_titles()
        if not self.pane.searching:
            current = self.headlines.current
            self.load_headlines(self._key, keep=current.id if current else None)

    # -- previous unread ----------------------------------------------------------------------------

    def action_previous_unread(self) -> None:
        """Open the nearest unread article above the cursor (wrapping), ``N``'s reverse."""
        headlines = self.headlines
        articles = headlines.articles
        count = len(articles)
        for offset in range(1, count + 1):
            index = (headlines.cursor - offset) % count
            if not articles[index].read:
                headlines.move_cursor(index)
                self.open_article(articles[index].id)
                return
        self.notify("No more unread articles.", markup=False)

    def open_article(self, article_id: str) -> None:
        raise NotImplementedError

    # -- delete ---------------------------------------------------------------------------------------

    def action_delete(self) -> None:
        article_id = self.target_id()
        index = self.headlines.index_of(article_id) if article_id else None
        if article_id is None or index is None:
            self.notify("No article here.", markup=False)
            return
        headlines = self.headlines
        article = headlines.articles[index]
        self._deleted[article_id] = article
        self._last_change = Change("delete", {"id": article_id})
        listed = headlines.articles
        rows: Sequence[Article]
        if isinstance(listed, ArticleList) and listed.from_records:  # no row built to leave one out
            rows = listed.where(lambda i, _rec, _read: i != article_id)
        else:
            rows = [a for a in listed if a.id != article_id]
        after = rows[min(index, len(rows) - 1)].id if rows else None
        headlines.set_articles(rows, keep=after)
        if self.pane.saved is not None:
            self.pane.saved.without(article_id)
        shown = self.article_view.article
        if shown is not None and shown.id == article_id:
            self.article_view.clear("Deleted. Press u to undo.")
            self._focus_pane("headlines")
        self._update_titles()
        self._count_deleted(article, -1)  # as ``without_deleted`` leaves it out of a recount
        title = safe_line(article.title)[:60] or "(untitled)"
        self.notify(f"Deleted “{title}”. u undoes it until you quit.", markup=False, timeout=4)

    def action_undo(self) -> None:
        change = self._last_change
        if change is None or change.kind != "delete":
            super().action_undo()
            return
        self._last_change = None
        article_id = change.before["id"]
        article = self._deleted.pop(article_id, None)
        self.load_headlines(self._key, keep=article_id)
        if article is not None:
            self._count_deleted(article, +1)
        self.notify("Undone: the article is back.", markup=False, timeout=1.5)

    def _count_deleted(self, article: Article, sign: int) -> None:
        """Take a deleted article out of the counts shown (``sign`` -1), or put it back (+1)."""
        self.sources.adjust(
            {article.source_id: sign * (not article.read)},
            sign * article.starred,
            {article.source_id: sign},
        )

    def without_deleted(self, sources: list[Source], starred: int) -> tuple[list[Source], int]:
        """Source counts as if this session's deletions were stored already."""
        if not self._deleted:
            return sources, starred
        gone: dict[str, list[int]] = {}
        for article in self._deleted.values():
            counts = gone.setdefault(article.source_id, [0, 0])
            counts[0] += 1
            counts[1] += not article.read
            starred -= article.starred
        out = [
            replace(s, articles=max(0, s.articles - gone[s.id][0]), unread=max(0, s.unread - gone[s.id][1]))
            if s.id in gone
            else s
            for s in sources
        ]
        return out, max(0, starred)

    def _show_hits(
        self, query: str, hits: list[SearchHit], spans: dict[str, tuple[tuple[int, int], ...]]
    ) -> None:
        if self._deleted:
            hits = [h for h in hits if h.article.id not in self._deleted]
        super()._show_hits(query, hits, spans)

    def store_deletions(self) -> None:
        """Store this session's deletions (on close: undo ends here)."""
        if not self._deleted:
            return
        ids, self._deleted = list(self._deleted), {}
        try:
            self.library.delete(ids)
        except NewsreaderError as exc:  # the app is closing: nothing left to show it on
            log.error("could not delete %d article(s): %s", len(ids), exc)

    def on_unmount(self) -> None:
        self.store_deletions()
