"""The main screen: sources | headlines | article. It owns the state; the widgets only announce.

The screen keeps the handlers: widget messages (``tui/messages.py``) and key actions
(``tui/keys.py``) come here and it decides. Each of its bases does one job, read bottom up:

- ``jobs.LibraryScreen``: the long library jobs (refresh, sync, subscribe, import, the search
  index's catch-up) in thread workers, and ``_ui`` that brings their results home;
- ``panes.PanesScreen``: the three panes, the width classes and pane focus;
- ``reading.ReadingScreen``: the article actions (links, enclosures, outside programs) and the
  one rule of which article they act on (``target_id``);
- ``marking.MarkingScreen``: read, star, ``A``, tags and undo, saved in order by
  ``marks.MarkWriter``;
- ``search.SearchScreen``: the search bar's queries, hits and closing;
- ``listing.ListingScreen``: the list's order and hide-read (applied to every list loaded here),
  previous unread, and delete with undo until the app closes.

Here: loading the sources and headlines, opening and stepping through articles, and going back.
The article pane loads and caches articles itself; the headlines pane keeps the state of a search.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.binding import BindingType
from textual.worker import get_current_worker

from newsreader.errors import NewsreaderError
from newsreader.models import Article, Source
from newsreader.tui import feeds
from newsreader.tui.collector import quiet_collector
from newsreader.tui.keys import READING_KEYS
from newsreader.tui.messages import ArticleFailed, ArticleShown, HeadlineOpened, SourceChosen
from newsreader.tui.organise import ORGANISE_KEYS
from newsreader.tui.screens.listing import ListingScreen, ready
from newsreader.tui.screens.marking import WRITE_WAIT
from newsreader.tui.widgets.article_view import ArticleView
from newsreader.tui.widgets.headline_list import HeadlineList
from newsreader.tui.widgets.headline_pane import SavedList
from newsreader.tui.widgets.source_list import (
    ALL,
    STARRED,
    UNREAD,
    SourceList,
    saved_name_of,
    source_id_of,
)

if TYPE_CHECKING:
    from newsreader.library import Library, StateChange

log = logging.getLogger(__name__)

POLL_INTERVAL = 15.0
"""Seconds between checks for articles another process (a CLI import) added."""
SYNC_INTERVAL = 300.0
"""Seconds between background syncs with the server accounts (also at start and with ``r``)."""
FIRST_PAGE = 300
"""Headlines shown before the whole list has loaded."""


class MainScreen(ListingScreen):
    """Three panes over one library."""

    BINDINGS: ClassVar[list[BindingType]] = READING_KEYS + ORGANISE_KEYS
    """Reading and organising keys (docs/design.md "TUI"); each id can be remapped in settings.toml
    ``[keys]``."""

    def __init__(self, library: Library) -> None:
        super().__init__(library)
        self._signature: tuple[tuple[str, int], ...] | None = None
        """Article counts per source when last loaded: a change means another process wrote."""
        self._counted: object = None
        """``Library.stamp()`` of the counts shown (``None``: not known to match any)."""
        self._unread_after_load = False
        """Set by ``N`` when it moves to another source: open that one's first unread article."""
        self._requested: str | None = None
        """The article last asked for: the article pane may still be loading it."""
        self._first_painted = threading.Event()
        self.loaded = threading.Event()
        """Set once the first headline list is on screen (tests and the benchmark wait on it)."""

    def on_mount(self) -> None:
        self.sources.border_title = "Sources"
        self.article_view.border_title = "Article"
        self._apply_width(self.app.size.width, no_article=True, pane_headlines=self._pane == "headlines")
        self.headlines.set_compact(self.settings.compact_list)
        self.list_order, self.hide_read = self.settings.sort_order, self.settings.hide_read
        self.headlines.focus()
        self.set_interval(60, self.headlines.refresh_dates)
        self.set_interval(POLL_INTERVAL, self.poll_library)
        self.set_interval(SYNC_INTERVAL, self.sync_accounts)
        self.set_interval(self.DUE_CHECK, self.refresh_due)
        self.load_headlines(self._key)  # the sources follow the first paint

    # -- loading ------------------------------------------------------------------------------

    def load_everything(self, *, keep: str | None = None) -> None:
        self._signature = None  # the headlines reload too: no change to react to
        self.load_sources()
        self.load_headlines(self._key, keep=keep)

    @work(thread=True, exclusive=True, group="sources")
    def load_sources(self, *, poll: bool = False) -> None:
        """Recount sources and counts; ``poll`` only when the library changed since the counts shown
        were taken (another process wrote: a CLI ``import``, ``refresh`` or ``mark``), and then it
        also reloads the headlines if articles came or went."""
        with quiet_collector():  # the recount may parse the library's 100,000 headlines
            self._load_sources(poll)

    def _load_sources(self, poll: bool) -> None:
        self._marks.wait(WRITE_WAIT)
        try:
            stamp: object = self.library.stamp()
            if poll and stamp == self._counted:
                return
            sources, starred = self.library.tally()  # one pass in Python: other threads get turns
        except NewsreaderError as exc:
            if not poll:
                self._ui(self._error, exc)
            return
        if self.library.stamp() != stamp:  # a write landed while counting: is it in them? unknown
            stamp = None
        self._ui(self._show_sources, sources, starred, poll, self._saved_counts(), stamp)

    @work(thread=True, exclusive=True, group="saved-counts")
    def load_saved_counts(self) -> None:
        saved = self._saved_counts()
        if saved is not None:
            self._ui(self.sources.set_saved_counts, saved)

    def _saved_counts(self) -> dict[str, int] | None:
        try:
            return self.library.saved_counts()
        except NewsreaderError as exc:  # a broken saved.json or index costs the counts, not the sources
            log.warning("saved search counts: %s", exc)
            return None

    def follow_change(self, change: StateChange, unread: dict[str, int], starred: int) -> None:
        """A read/star write of this app's changed ``change`` (``unread``, ``starred``: its
        ``deltas()``): the counts shown follow it if they were taken just before it (else a recount:
        another write came between)."""
        before, after = change.stamps
        if self._counted is None or before != self._counted:
            if after != self._counted:
                self.load_sources()
            return
        self._counted = after
        unread = dict(unread)
        for article_id, article in self._deleted.items():  # left out of the counts already
            if article_id in change.flags:
                read, star = change.state_after(article_id)
                self._deleted[article_id] = replace(article, read=read, starred=star)
                source_id, step, stars = change.delta_of(article_id)
                unread[source_id] = unread.get(source_id, 0) - step
                starred -= stars
        if any(unread.values()) or starred:
            self.sources.adjust(unread, starred)
            feeds.show_note(self)

    def poll_library(self) -> None:
        """Look for changes another process made, unless busy (a slow timer; the worker compares the
        library's stamp with the counts' first, so a quiet library costs a stat or two)."""
        if self.loaded.is_set() and not self.workers_busy and self._marks.idle:
            self.load_sources(poll=True)

    @property
    def workers_busy(self) -> bool:
        """True while this screen's own loading or writing is under way."""
        return any(w.is_running for w in self.workers)

    @property
    def pending(self) -> bool:
        """True while a debounced search or recount is still to run, a mark to be saved or shown."""
        return bool(
            self._recount_timer is not None
            or self.pane.debouncing
            or not self._marks.idle
            or self._showing_read
        )

    @property
    def settled(self) -> bool:
        """True once the first list is painted and nothing is left to run: no worker, no debounced
        search or recount, no mark waiting to be saved (tests and the benchmark wait on it)."""
        if not self.loaded.is_set() or self.pending:
            return False
        return all(worker.is_finished for worker in self.app.workers)

    def _show_sources(
        self,
        sources: list[Source],
        starred: int,
        poll: bool = False,
        saved: dict[str, int] | None = None,
        stamp: object = None,
    ) -> None:
        self._counted = stamp
        signature = tuple(sorted((s.id, s.articles) for s in sources))  # the library's own counts
        sources, starred = self.without_deleted(sources, starred)
        total = sum(s.articles for s in sources)
        unread = sum(s.unread for s in sources)
        self.sources.set_sources(sources, unread=unread, starred=starred, total=total, saved=saved)
        changed = self._signature is not None and signature != self._signature
        self._signature = signature
        if changed and not self.pane.searching:
            self._reload_keeping_cursor()  # articles arrived from outside: show them
        if self.loaded.is_set():
            self._update_titles()  # a source's label may have arrived after its headlines
        feeds.show_note(self)  # the highlighted feed's error may have come or gone

    @work(thread=True, exclusive=True, group="headlines")
    def load_headlines(self, key: str, *, keep: str | None = None) -> None:
        with quiet_collector():  # no full collections over 100,000 rows while they are made
            self._load_headlines(key, keep)

    def _load_headlines(self, key: str, keep: str | None) -> None:
        kwargs: dict[str, Any] = {}
        if key == UNREAD:
            kwargs["unread"] = True
        elif key == STARRED:
            kwargs["starred"] = True
        elif (source_id := source_id_of(key)) is not None:
            kwargs["source"] = source_id
        worker = get_current_worker()
        self._marks.wait(WRITE_WAIT)  # read marks just made, not older ones
        try:
            if (name := saved_name_of(key)) is not None:
                articles = self.library.saved_articles(name)
            elif not self.loaded.is_set() and keep is None and self.list_order == "newest":
                # First paint: a screenful now, everything a moment later (100k rows load in
                # ~0.4 s; the first 300 in a fraction of that).
                first = self.library.articles(**kwargs, limit=FIRST_PAGE)
                if worker.is_cancelled:
                    return
                self._ui(self._show_headlines, key, first, None)
                if len(first) < FIRST_PAGE:
                    return
                # Building every row holds the GIL for a while: let the first frame out first.
                self._first_painted.wait(timeout=2.0)
                articles = self.library.articles(**kwargs)
                keep = ""  # keep wherever the cursor is by then
            else:
                articles = self.library.articles(**kwargs)
            rows = ready(articles)
        except NewsreaderError as exc:
            self._ui(self._error, exc)
            return
        if worker.is_cancelled:
            return
        self._ui(self._show_headlines, key, rows, keep)

    def _show_headlines(self, key: str, articles: Sequence[Article], keep: str | None) -> None:
        if key != self._key:
            return  # the user moved on while this loaded
        if keep == "":
            current = self.headlines.current
            keep = current.id if current else None
        saved = self.pane.saved
        if saved is not None:
            # Search is showing: refresh what esc will restore instead.
            self.pane.saved = SavedList.of(self.as_listed(articles, saved.cursor_id), saved.cursor_id)
            return
        articles = self.as_listed(articles, keep)
        headlines = self.headlines
        headlines.empty_text = {
            UNREAD: "Nothing unread. Press r to refresh.",
            STARRED: "Nothing starred yet: press s on a headline to star it.",
        }.get(key, "No articles yet: import a dump (i) or add a feed (a).")
        headlines.show_feed = source_id_of(key) is None  # a one-source view does not repeat its name
        headlines.set_articles(articles, keep=keep)
        self._update_titles()
        if self._unread_after_load:  # N moved on to this source: open its first unread article
            self._unread_after_load = False
            first = next((i for i, a in enumerate(articles) if not a.read), None)
            if first is not None:
                headlines.move_cursor(first)
                self.open_article(articles[first].id)
        if not self.loaded.is_set():
            self.loaded.set()
            self.call_after_refresh(self._first_painted.set)
            # After the first paint, so counting and indexing never compete with it.
            self.call_after_refresh(self.load_sources)
            self.call_after_refresh(self.update_search_index)
            self.call_after_refresh(self.sync_accounts)  # in the background: the app never waits on it
            self.call_after_refresh(self.refresh_at_start)

    @on(SourceList.Chosen)
    def _source_chosen(self, event: SourceChosen) -> None:
        if self.pane.searching:
            self._close_search(restore=False)
        if event.key != self._key:
            self._key = event.key
            self.load_headlines(event.key)
        feeds.show_note(self)
        if event.enter:
            self._focus_pane("headlines")

    # -- reading ------------------------------------------------------------------------------

    @on(HeadlineList.Opened)
    def _headline_opened(self, event: HeadlineOpened) -> None:
        self.open_article(event.article_id)
        if self.has_class("-narrow"):
            self._focus_pane("article")

    def open_article(self, article_id: str) -> None:
        """Show an article and mark it read once it is on screen (an article whose body fails to
        load stays unread)."""
        self._requested = article_id
        self.article_view.open(article_id, self.pane.terms)

    @on(ArticleView.Shown)
    def _article_shown(self, event: ArticleShown) -> None:
        self.remove_class("-no-article")
        if self._pane == "article":  # focus came first (narrow layouts): the footer's rule follows
            self.footer.refresh()
        view = self.article_view
        if view.article is None or view.article.id != event.article_id:
            return
        listed = self.headlines.index_of(event.article_id)
        if listed is not None:  # the list knows the latest read/starred state
            row = self.headlines.articles[listed]
            view.article = replace(view.article, read=row.read, starred=row.starred)
        if event.first:  # the head of a long read was marked when it showed
            self._mark_opened(event.article_id)

    @on(ArticleView.Failed)
    def _article_failed(self, event: ArticleFailed) -> None:
        self.notify(event.error, severity="error", markup=False, timeout=8)

    def action_page_article(self, direction: int) -> None:
        view = self.article_view
        if view.article is None:
            current = self.headlines.current
            if current is not None:
                self.open_article(current.id)
            return
        view.page(forward=direction > 0)

    def action_step(self, direction: int) -> None:
        """Open the next/previous article in the list."""
        headlines = self.headlines
        if not headlines.articles:
            return
        # From the article asked for last, not the one whose body has loaded: fast presses each
        # move one step even while the pane is still loading (issue 13, defect 1).
        opened = self._requested
        start = headlines.cursor
        if opened is not None and headlines.index_of(opened) == start:
            start += direction
        elif opened is None or headlines.current is None:
            start = max(start, 0)
        headlines.move_cursor(start)
        current = headlines.current
        if current is not None:
            self.open_article(current.id)

    def action_next_unread(self) -> None:
        headlines = self.headlines
        articles = headlines.articles
        count = len(articles)
        for offset in range(1, count + 1):
            index = (headlines.cursor + offset) % count
            if not articles[index].read:
                headlines.move_cursor(index)
                self.open_article(articles[index].id)
                return
        # None left here: on to the next source with unread articles, as newsboat's N does.
        key = self.sources.next_unread_key(self._key)
        if key is None:
            self.notify("No more unread articles.", markup=False)
            return
        self._unread_after_load = True
        self.sources.select_key(key)

    # -- back -------------------------------------------------------------------------------

    def action_back(self) -> None:
        if self.pane.searching and self._pane != "article":
            self._close_search(restore=True)
        elif self._pane == "article" or self._pane == "sources":
            self._focus_pane("headlines")
        elif self.has_class("-narrow"):
            self._focus_pane("sources")

    def step_back(self) -> bool:
        """``q``: back one level (article, search, a source's list); False at the top (quit)."""
        if self._pane == "article":
            self._focus_pane("headlines")
        elif self.pane.searching:
            self._close_search(restore=True)
        elif self._pane == "headlines" and self._key != ALL:
            self._focus_pane("sources")
        else:
            return False
        return True

    def _reload_keeping_cursor(self) -> None:
        current = self.headlines.current
        self.load_everything(keep=current.id if current else None)

    # -- full text (tui/fulltext.py) ----------------------------------------------------------

    def action_full_text(self) -> None:
        from newsreader.tui.fulltext import fetch_open_article

        fetch_open_article(self)

    def action_feed_full_text(self) -> None:
        from newsreader.tui.fulltext import toggle_feed_full_text

        toggle_feed_full_text(self)
