"""The main screen: sources | headlines | article. It owns the state; the widgets only announce.

The screen keeps the handlers: widget messages (``tui/messages.py``) and key actions
(``tui/keys.py``) come here and it decides. Library calls run in thread workers (the long jobs in
``jobs.LibraryScreen``), read/star marks are saved in order by ``marks.MarkWriter``, the article
pane loads and caches articles itself, and the headlines pane keeps the state of a search.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.events import DescendantFocus, Resize
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer
from textual.worker import get_current_worker

from newsreader.errors import NewsreaderError
from newsreader.models import Article, SearchHit, Source
from newsreader.search import as_you_type
from newsreader.tui import organise
from newsreader.tui.keys import READING_KEYS
from newsreader.tui.marks import MarkWriter
from newsreader.tui.messages import (
    ArticleFailed,
    ArticleShown,
    HeadlineOpened,
    Progress,
    SearchChanged,
    SourceChosen,
)
from newsreader.tui.organise import ORGANISE_KEYS, Change
from newsreader.tui.screens.confirm import ConfirmScreen
from newsreader.tui.screens.prompt import PromptScreen
from newsreader.tui.screens.reading import ReadingScreen
from newsreader.tui.widgets.article_view import ArticleView
from newsreader.tui.widgets.headline_list import HeadlineList
from newsreader.tui.widgets.headline_pane import HeadlinePane, SavedList
from newsreader.tui.widgets.search_bar import SearchBar
from newsreader.tui.widgets.source_list import (
    ALL,
    STARRED,
    UNREAD,
    SourceList,
    saved_name_of,
    source_id_of,
)
from newsreader.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from newsreader.library import Library

log = logging.getLogger(__name__)

WIDE = 120
"""Columns from which all three panes show."""
NARROW = 60
"""Below this many columns one pane shows at a time."""
RECOUNT_DELAY = 0.4
"""Seconds after the last read/star mark before the source counts are reloaded."""
POLL_INTERVAL = 15.0
"""Seconds between checks for articles another process (a CLI import) added."""
SYNC_INTERVAL = 300.0
"""Seconds between background syncs with the server accounts (also at start and with ``r``)."""
DUE_CHECK = 60.0
"""Seconds between looks for feeds whose refresh interval has passed (they are then fetched)."""
OPEN_SAVE_DELAY = 0.15
"""Seconds after opening an article before its read mark is queued for saving."""
SEARCH_LIMIT = 200
WRITE_WAIT = 2.0
"""Seconds a reload waits for queued read/star writes to reach the disk before reading it."""
FIRST_PAGE = 300
"""Headlines shown before the whole list has loaded."""

PANES = ("sources", "headlines", "article")


class MainScreen(ReadingScreen):
    """Three panes over one library."""

    BINDINGS: ClassVar[list[BindingType]] = READING_KEYS + ORGANISE_KEYS
    """Reading and organising keys (docs/design.md "TUI"); each id can be remapped in settings.toml
    ``[keys]``."""

    def __init__(self, library: Library) -> None:
        super().__init__(library)
        self._key = ALL
        """The selected view or source (a ``SourceList`` key)."""
        self._pane = "headlines"
        self._recount_timer: Timer | None = None
        self._signature: tuple[tuple[str, int], ...] | None = None
        """Article counts per source when last loaded: a change means another process wrote."""
        self._marks = MarkWriter(library.mark, on_error=self._mark_failed, on_drained=self._marks_drained)
        """Saves read/star marks in order; reloads wait for it, so they see the marks."""
        self._unread_after_load = False
        """Set by ``N`` when it moves to another source: open that one's first unread article."""
        self._requested: str | None = None
        """The article last asked for: the article pane may still be loading it."""
        self._first_painted = threading.Event()
        self._last_change: Change | None = None
        """What ``u`` undoes: the last read, star or tag change."""
        self.loaded = threading.Event()
        """Set once the first headline list is on screen (tests and the benchmark wait on it)."""

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            yield SourceList(id="sources")
            yield HeadlinePane(id="headlines-pane", clock=self.library.now)
            yield ArticleView(self.library, id="article")
        yield StatusBar(id="status")
        yield Footer()

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
    def search_bar(self) -> SearchBar:
        return self.query_one("#search-bar", SearchBar)

    def on_mount(self) -> None:
        self.sources.border_title = "Sources"
        self.article_view.border_title = "Article"
        self._apply_width(self.app.size.width)
        self.headlines.set_compact(self.settings.compact_list)
        self.add_class("-no-article")
        self.headlines.focus()
        self.set_interval(60, self.headlines.refresh_dates)
        self.set_interval(POLL_INTERVAL, self.poll_library)
        self.set_interval(SYNC_INTERVAL, self.sync_accounts)
        self.set_interval(DUE_CHECK, self.refresh_due)
        self.load_headlines(self._key)  # the sources follow the first paint

    def on_resize(self, event: Resize) -> None:
        self._apply_width(event.size.width)

    def _apply_width(self, width: int) -> None:
        """Three panes when wide, two when medium, one at a time when narrow."""
        self.set_class(width >= WIDE, "-wide")
        self.set_class(NARROW <= width < WIDE, "-medium")
        self.set_class(width < NARROW, "-narrow")

    def _set_pane(self, pane: str) -> None:
        self._pane = pane
        for name in PANES:
            self.set_class(name == pane, f"-pane-{name}")

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

    # -- loading ------------------------------------------------------------------------------

    def load_everything(self, *, keep: str | None = None) -> None:
        self._signature = None  # the headlines reload too: no change to react to
        self.load_sources()
        self.load_headlines(self._key, keep=keep)

    @work(thread=True, exclusive=True, group="index")
    def update_search_index(self) -> None:
        """Catch the search index up with the library in the background, so ``/`` is instant."""
        worker = get_current_worker()
        status = self.status

        def progress(done: int, total: int, label: str) -> None:
            status.post_message(Progress(done, total, label or "Indexing…"))

        try:
            self.library.update_search_index(progress=progress, cancel=worker.cancelled_event)
        except NewsreaderError as exc:
            self._ui(self._error, exc)
        finally:
            self._ui(status.done)

    @work(thread=True, exclusive=True, group="sources")
    def load_sources(self, *, poll: bool = False) -> None:
        """Reload sources and counts; ``poll`` also reloads the headlines if another process
        (a CLI ``import`` or ``refresh``) changed the library meanwhile."""
        self._marks.wait(WRITE_WAIT)
        try:
            sources = self.library.sources()
            starred = len(self.library.articles(starred=True))
        except NewsreaderError as exc:
            if not poll:
                self._ui(self._error, exc)
            return
        try:
            saved: dict[str, int] | None = self.library.saved_counts()
        except NewsreaderError as exc:  # a broken saved.json or index costs the counts, not the sources
            log.warning("saved search counts: %s", exc)
            saved = None
        self._ui(self._show_sources, sources, starred, poll, saved)

    def poll_library(self) -> None:
        """Look for articles another process (a CLI import) added, unless busy (a slow timer)."""
        if self.loaded.is_set() and not self.workers_busy and self._marks.idle:
            self.load_sources(poll=True)

    @property
    def workers_busy(self) -> bool:
        """True while this screen's own loading or writing is under way."""
        return any(w.is_running for w in self.workers)

    def _recount_soon(self) -> None:
        """Reload the unread and starred counts once a burst of marks has settled."""
        if self._recount_timer is not None:
            self._recount_timer.stop()
        self._recount_timer = self.set_timer(RECOUNT_DELAY, self._recount)

    def _recount(self) -> None:
        self._recount_timer = None
        self.load_sources()

    @property
    def pending(self) -> bool:
        """True while a debounced search or recount is still to run, or a mark to be saved."""
        return bool(self._recount_timer is not None or self.pane.debouncing or not self._marks.idle)

    @property
    def settled(self) -> bool:
        """True once the first list is painted and nothing is left to run: no worker, no debounced
        search or recount, no mark waiting to be saved (tests and the benchmark wait on it)."""
        if not self.loaded.is_set() or self.pending:
            return False
        return all(worker.is_finished for worker in self.app.workers)

    def _show_sources(
        self, sources: list[Source], starred: int, poll: bool = False, saved: dict[str, int] | None = None
    ) -> None:
        total = sum(s.articles for s in sources)
        unread = sum(s.unread for s in sources)
        self.sources.set_sources(sources, unread=unread, starred=starred, total=total, saved=saved)
        signature = tuple(sorted((s.id, s.articles) for s in sources))
        changed = self._signature is not None and signature != self._signature
        self._signature = signature
        if changed and not self.pane.searching:
            self._reload_keeping_cursor()  # articles arrived from outside: show them
        if self.loaded.is_set():
            self._update_titles()  # a source's label may have arrived after its headlines

    @work(thread=True, exclusive=True, group="headlines")
    def load_headlines(self, key: str, *, keep: str | None = None) -> None:
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
            elif not self.loaded.is_set() and keep is None:
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
        except NewsreaderError as exc:
            self._ui(self._error, exc)
            return
        if worker.is_cancelled:
            return
        self._ui(self._show_headlines, key, articles, keep)

    def _show_headlines(self, key: str, articles: list[Article], keep: str | None) -> None:
        if key != self._key:
            return  # the user moved on while this loaded
        if keep == "":
            current = self.headlines.current
            keep = current.id if current else None
        saved = self.pane.saved
        if saved is not None:
            # Search is showing: refresh what esc will restore instead.
            self.pane.saved = SavedList(articles, saved.cursor_id)
            return
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

    def _update_titles(self) -> None:
        label, count, unread = self.pane.set_titles(self.sources.label_for(self._key))
        articles = "article" if count == 1 else "articles"
        self.status.set_text(Text(f"{label}: {count} {articles}, {unread} unread", end=""))

    @on(SourceList.Chosen)
    def _source_chosen(self, event: SourceChosen) -> None:
        if self.pane.searching:
            self._close_search(restore=False)
        if event.key != self._key:
            self._key = event.key
            self.load_headlines(event.key)
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

    def _mark_opened(self, article_id: str) -> None:
        """Mark an article read now that it is shown."""
        listed = self.headlines.index_of(article_id)
        row = self.headlines.articles[listed] if listed is not None else None
        if row is not None and not row.read:
            # Shown as read at once; saved just after the article is on screen, so the write
            # never competes with drawing it.
            self._set_state([article_id], read=True, save_after=OPEN_SAVE_DELAY)

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

    # -- reading state ------------------------------------------------------------------------

    def target_id(self) -> str | None:
        """The one rule for every article action (m, s, o, L, d, P, w, |): the open article while
        the article pane has focus, else the highlighted headline."""
        current = self.headlines.current
        if self._pane == "article" and self.article_view.article is not None:
            return self.article_view.article.id
        return current.id if current else None

    def target_url(self) -> str | None:
        article_id = self.target_id()
        shown = self.article_view.article
        if shown is not None and shown.id == article_id:
            return shown.url
        index = self.headlines.index_of(article_id) if article_id else None
        return self.headlines.articles[index].url if index is not None else None

    def action_toggle_read(self) -> None:
        article_id = self.target_id()
        if article_id is None:
            return
        index = self.headlines.index_of(article_id)
        read = not self.headlines.articles[index].read if index is not None else False
        organise.remember_state(self, [article_id])
        self._set_state([article_id], read=read)

    def action_toggle_star(self) -> None:
        article_id = self.target_id()
        if article_id is None:
            return
        index = self.headlines.index_of(article_id)
        starred = not self.headlines.articles[index].starred if index is not None else True
        organise.remember_state(self, [article_id])
        self._set_state([article_id], starred=starred)
        self.notify("Starred." if starred else "Unstarred.", markup=False, timeout=1.5)

    def action_mark_source_read(self) -> None:
        source_id = source_id_of(self._key)
        label = self.sources.label_for(self._key)
        unread = sum(1 for a in self.headlines.articles if not a.read)
        if not unread:
            self.notify("Nothing unread here.", markup=False)
            return

        def answer(confirmed: bool | None) -> None:
            if confirmed:
                ids = [a.id for a in self.headlines.articles if not a.read]
                self.headlines.update_all(read=True)
                self._update_titles()
                self._mark_source_read(self._key, source_id, ids)

        question = Text(f"Mark {unread} unread articles in “{label}” as read?", end="")
        self.app.push_screen(ConfirmScreen(question, yes="Mark read"), answer)

    @work(thread=True, group="state")
    def _mark_source_read(self, key: str, source_id: str | None, ids: list[str]) -> None:
        """Smart views (Unread, Starred) mark what they list; a source or All marks it whole."""
        try:
            if key in (UNREAD, STARRED):
                changed = self.library.mark(ids, read=True)
            else:
                changed = self.library.mark_source_read(source_id)
        except NewsreaderError as exc:
            self._ui(self._error, exc)
            return
        self._ui(self.notify, f"{changed} marked read.", markup=False)
        self._ui(self.load_sources)

    def _set_state(self, ids: list[str], *, save_after: float = 0.0, **state: bool) -> None:
        """Show the change at once, then save it in order on the writer thread.

        Args:
            save_after: seconds to wait before queueing the write (opening an article).
        """
        view = self.article_view
        for article_id in ids:
            self.headlines.update_article(article_id, **state)
            if self.pane.saved is not None:
                self.pane.saved.update(article_id, **state)
            if view.article is not None and view.article.id == article_id:
                view.article = replace(view.article, **state)  # type: ignore[arg-type]
        self._update_titles()
        self._marks.save(ids, state, delay=save_after)

    def _mark_failed(self, exc: NewsreaderError) -> None:
        """A mark could not be saved (writer thread): say so and show what the library holds."""
        self._ui(self._error, exc)
        self._ui(self._reload_keeping_cursor)

    def _marks_drained(self) -> None:
        self._ui(self._recount_soon)

    def on_unmount(self) -> None:
        """Quitting right after opening an article still saves its read mark."""
        self._marks.close()

    # -- organising: tags, undo, saved searches (tui/organise.py) -------------------------------

    @work(thread=True, exclusive=True, group="due")
    def refresh_due(self) -> None:
        """The automatic refresh: fetch the feeds whose interval has passed and that are not backing
        off (``settings.toml`` ``refresh_interval``, ``newsreader feed FEED --interval``)."""
        if any(w.group == "refresh" and w.is_running for w in self.workers):
            return  # a refresh is under way: it fetches them
        try:
            due = organise.due_feeds(self)
        except NewsreaderError as exc:
            log.warning("automatic refresh: %s", exc)
            return
        if due:
            self._ui(self.refresh_feeds, due)

    def action_tag(self) -> None:
        organise.tag(self)

    def action_undo(self) -> None:
        organise.undo(self)

    def action_save_search(self) -> None:
        organise.save_search(self)

    @work(thread=True, group="state")
    def save_tags(self, ids: list[str], add: set[str], remove: set[str], *, remember: bool) -> None:
        organise.save_tags(self, ids, add, remove, remember=remember)

    @work(thread=True, group="state")
    def save_search_as(self, name: str, query: str) -> None:
        organise.save_search_as(self, name, query)

    # -- panes, back --------------------------------------------------------------------------

    def action_switch_pane(self, step: int) -> None:
        order = list(PANES)
        index = order.index(self._pane) if self._pane in order else 1
        self._focus_pane(order[(index + step) % len(order)])

    def action_back(self) -> None:
        if self.pane.searching and self._pane != "article":
            self._close_search(restore=True)
        elif self._pane == "article" or self._pane == "sources":
            self._focus_pane("headlines")
        elif self.has_class("-narrow"):
            self._focus_pane("sources")

    def action_toggle_compact(self) -> None:
        """One line per headline, or title, source and preview (``compact_list`` sets the start)."""
        headlines = self.headlines
        headlines.set_compact(headlines.row_height != 1)

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

    # -- search -------------------------------------------------------------------------------

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
            known = {a.id: a for a in self.headlines.articles}
            articles = [known.get(a.id, a) for a in saved.articles]
            self.headlines.empty_text = "No articles here."
            self.headlines.set_articles(articles, keep=saved.cursor_id)
            self._update_titles()
            self._marks.hurry()
            self.load_everything(keep=saved.cursor_id)
        self._focus_pane("headlines")

    # -- refresh, add, import -----------------------------------------------------------------

    def action_full_text(self) -> None:
        from newsreader.tui.fulltext import fetch_open_article

        fetch_open_article(self)

    def action_feed_full_text(self) -> None:
        from newsreader.tui.fulltext import toggle_feed_full_text

        toggle_feed_full_text(self)

    def action_refresh(self) -> None:
        self.refresh_feeds()
        self.sync_accounts(quiet=False)

    def _before_sync(self) -> None:
        self._marks.hurry()
        self._marks.wait(WRITE_WAIT)

    def _reload_keeping_cursor(self) -> None:
        current = self.headlines.current
        self.load_everything(keep=current.id if current else None)

    def action_add_feed(self) -> None:
        def answer(url: str | None) -> None:
            if url:
                self.subscribe(url.strip())

        self.app.push_screen(
            PromptScreen("Add a feed", "https://example.com/feed.xml", ok="Subscribe"), answer
        )

    def action_import_files(self) -> None:
        def answer(path: str | None) -> None:
            if path:
                self.import_paths([path.strip()])

        self.app.push_screen(
            PromptScreen("Import a dump, feed file, OPML or folder", "~/news/dump.txt", ok="Import"),
            answer,
        )
