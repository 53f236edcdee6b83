"""The main screen: sources | headlines | article. It owns the state; the widgets only announce.

Every library call runs in a thread worker (the library touches disk); results come back with
``call_from_thread``. Reading-state writes go through one queue drained by one writer thread, so
toggling a mark twice quickly is saved in order and never blocks a keypress.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import webbrowser
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.events import DescendantFocus, Resize
from textual.screen import Screen
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Input
from textual.worker import get_current_worker

from newsreader.errors import NewsreaderError
from newsreader.models import Article, SearchHit, Source
from newsreader.search import as_you_type
from newsreader.tui.screens.confirm import ConfirmScreen
from newsreader.tui.screens.prompt import PromptScreen
from newsreader.tui.text import safe_line
from newsreader.tui.widgets.article_view import ArticleView, render_article, wrap_article
from newsreader.tui.widgets.headline_list import HeadlineList
from newsreader.tui.widgets.search_bar import SearchBar
from newsreader.tui.widgets.source_list import ALL, STARRED, UNREAD, SourceList, source_id_of
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
OPEN_SAVE_DELAY = 0.15
"""Seconds after opening an article before its read mark is queued for saving."""
SEARCH_DEBOUNCE = 0.15
"""Seconds of typing pause before a search runs."""
ARTICLE_CACHE = 64
"""Rendered articles kept, so going back and forth costs nothing."""
SEARCH_LIMIT = 200
WRITE_WAIT = 2.0
"""Seconds a reload waits for queued read/star writes to reach the disk before reading it."""
FIRST_PAGE = 300
"""Headlines shown before the whole list has loaded."""

PANES = ("sources", "headlines", "article")

HEAD_CHARS = 4000
"""About three screens of text: what a long article shows before the rest is wrapped."""

ArticleKey = tuple[str, tuple[str, ...], str]
"""An article as rendered: its id, the search terms highlighted in it, the theme."""


@dataclass(slots=True)
class _SavedList:
    """The list that search replaced, restored on ``esc``."""

    articles: list[Article]
    cursor_id: str | None
    _index: dict[str, int] | None = None

    def update(self, article_id: str, **changes: bool) -> None:
        """Keep a read/star mark made during the search, for when this list shows again."""
        if self._index is None:
            self._index = {a.id: i for i, a in enumerate(self.articles)}
        index = self._index.get(article_id)
        if index is not None:
            self.articles[index] = replace(self.articles[index], **changes)  # type: ignore[arg-type]


def _head_length(plain: str) -> int:
    """Where the first screens of an article end: a paragraph break after ``HEAD_CHARS``."""
    if len(plain) <= HEAD_CHARS * 2:
        return len(plain)
    cut = plain.find("\n\n", HEAD_CHARS)
    return len(plain) if cut < 0 else cut


class MainScreen(Screen[None]):
    """Three panes over one library."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "tab",
            "switch_pane(1)",
            "Next pane",
            show=False,
            id="switch-pane",
            tooltip="Move focus to the next pane",
        ),
        Binding(
            "shift+tab",
            "switch_pane(-1)",
            "Previous pane",
            show=False,
            id="switch-pane-back",
            tooltip="Move focus to the previous pane",
        ),
        Binding(
            "space,pagedown",
            "page_article(1)",
            "Page",
            id="page-article",
            tooltip="Page the article down (opens the highlighted one if none is open)",
        ),
        Binding(
            "shift+space,pageup,b",
            "page_article(-1)",
            "Page back",
            show=False,
            id="page-back",
            tooltip="Page the article up",
        ),
        Binding("n", "step(1)", "Next", id="next-article", tooltip="Open the next article in the list"),
        Binding(
            "p",
            "step(-1)",
            "Previous",
            show=False,
            id="previous-article",
            tooltip="Open the previous article in the list",
        ),
        Binding(
            "N",
            "next_unread",
            "Next unread",
            show=False,
            id="next-unread",
            tooltip="Open the next unread article",
        ),
        Binding(
            "m", "toggle_read", "Read/unread", id="toggle-read", tooltip="Mark the article read or unread"
        ),
        Binding("s", "toggle_star", "Star", id="toggle-star", tooltip="Star or unstar the article"),
        Binding(
            "A",
            "mark_source_read",
            "Mark all read",
            show=False,
            id="mark-source-read",
            tooltip="Mark every article in this source or view read",
        ),
        Binding(
            "o",
            "open_link",
            "Open link",
            show=False,
            id="open-link",
            tooltip="Open the article's link in a web browser",
        ),
        Binding("slash", "search", "Search", id="search", tooltip="Search every saved article as you type"),
        Binding(
            "escape",
            "back",
            "Back",
            show=False,
            id="back",
            tooltip="Leave search, or go back from the article to the list",
        ),
        Binding("r", "refresh", "Refresh", id="refresh", tooltip="Fetch every subscribed feed now"),
        Binding(
            "a",
            "add_feed",
            "Add feed",
            show=False,
            id="add-feed",
            tooltip="Subscribe to an RSS or Atom feed by URL",
        ),
        Binding(
            "i",
            "import_files",
            "Import",
            show=False,
            id="import",
            tooltip="Import a dump, feed file, OPML file or folder",
        ),
    ]
    """Reading keys (DESIGN.md "TUI"); each id can be remapped in settings.toml ``[keys]``."""

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library
        self._key = ALL
        """The selected view or source (a ``SourceList`` key)."""
        self._pane = "headlines"
        self._article_cache: OrderedDict[ArticleKey, tuple[Article, Text, list[Strip], int]] = OrderedDict()
        self._search_timer: Timer | None = None
        self._recount_timer: Timer | None = None
        self._signature: tuple[tuple[str, int], ...] | None = None
        """Article counts per source when last loaded: a change means another process wrote."""
        self._save_timers: dict[Timer, tuple[list[str], dict[str, bool]]] = {}
        self._search_query = ""
        self._search_terms: tuple[str, ...] = ()
        self._saved: _SavedList | None = None
        self._writes: queue.Queue[tuple[list[str], dict[str, bool]]] = queue.Queue()
        self._writer_lock = threading.Lock()
        self._writer_running = False
        self._writes_idle = threading.Event()
        """Set while no read/star write is queued or running: reloads wait on it to see them."""
        self._writes_idle.set()
        self._first_painted = threading.Event()
        self.loaded = threading.Event()
        """Set once the first headline list is on screen (tests and the benchmark wait on it)."""

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            yield SourceList(id="sources")
            with Vertical(id="headlines-pane"):
                yield SearchBar(id="search-bar")
                yield HeadlineList(id="headlines", clock=self.library.now)
            yield ArticleView(id="article")
        yield StatusBar(id="status")
        yield Footer()

    @property
    def sources(self) -> SourceList:
        return self.query_one("#sources", SourceList)

    @property
    def headlines(self) -> HeadlineList:
        return self.query_one("#headlines", HeadlineList)

    @property
    def article_view(self) -> ArticleView:
        return self.query_one("#article", ArticleView)

    @property
    def search_bar(self) -> SearchBar:
        return self.query_one("#search-bar", SearchBar)

    @property
    def status(self) -> StatusBar:
        return self.query_one("#status", StatusBar)

    def on_mount(self) -> None:
        self.sources.border_title = "Sources"
        self.query_one("#headlines-pane").border_title = "All articles"
        self.article_view.border_title = "Article"
        self.search_bar.display = False
        self._apply_width(self.app.size.width)
        self.headlines.focus()
        self.set_interval(60, self.headlines.refresh_dates)
        self.set_interval(POLL_INTERVAL, self._poll)
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
            status.post_message(StatusBar.Progress(done, total, label or "Indexing…"))

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
        self._writes_idle.wait(timeout=WRITE_WAIT)
        try:
            sources = self.library.sources()
            starred = len(self.library.articles(starred=True))
        except NewsreaderError as exc:
            if not poll:
                self._ui(self._error, exc)
            return
        self._ui(self._show_sources, sources, starred, poll)

    def _poll(self) -> None:
        if self.loaded.is_set() and not self.workers_busy:
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
        """True while a debounced search or recount is still to run (tests wait on it)."""
        return bool(self._recount_timer is not None or self._search_timer is not None or self._save_timers)

    def _show_sources(self, sources: list[Source], starred: int, poll: bool = False) -> None:
        total = sum(s.articles for s in sources)
        unread = sum(s.unread for s in sources)
        self.sources.set_sources(sources, unread=unread, starred=starred, total=total)
        signature = tuple(sorted((s.id, s.articles) for s in sources))
        changed = self._signature is not None and signature != self._signature
        self._signature = signature
        if changed and self._saved is None:
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
        self._writes_idle.wait(timeout=WRITE_WAIT)  # read marks just made, not older ones
        try:
            if not self.loaded.is_set() and keep is None:
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
        if self._saved is not None:
            # Search is showing: refresh what esc will restore instead.
            self._saved = _SavedList(articles, self._saved.cursor_id)
            return
        headlines = self.headlines
        headlines.empty_text = {
            UNREAD: "Nothing unread. Press r to refresh.",
            STARRED: "Nothing starred yet: press s on a headline to star it.",
        }.get(key, "No articles yet: import a dump (i) or add a feed (a).")
        headlines.set_articles(articles, keep=keep)
        self._update_titles()
        if not self.loaded.is_set():
            self.loaded.set()
            self.call_after_refresh(self._first_painted.set)
            # After the first paint, so counting and indexing never compete with it.
            self.call_after_refresh(self.load_sources)
            self.call_after_refresh(self.update_search_index)

    def _update_titles(self) -> None:
        label = self.sources.label_for(self._key)
        count = len(self.headlines.articles)
        if self._saved is not None:
            label = f"Search: {self._search_query}"
        unread = sum(1 for a in self.headlines.articles if not a.read)
        pane = self.query_one("#headlines-pane")
        pane.border_title = Text(label, end="")
        pane.border_subtitle = f"{count} · {unread} unread"
        articles = "article" if count == 1 else "articles"
        self.status.set_text(Text(f"{label}: {count} {articles}, {unread} unread", end=""))

    @on(SourceList.Chosen)
    def _source_chosen(self, event: SourceList.Chosen) -> None:
        if self._saved is not None:
            self._close_search(restore=False)
        if event.key != self._key:
            self._key = event.key
            self.load_headlines(event.key)
        if event.enter:
            self._focus_pane("headlines")

    # -- reading ------------------------------------------------------------------------------

    @on(HeadlineList.Opened)
    def _headline_opened(self, event: HeadlineList.Opened) -> None:
        self.open_article(event.article_id)
        if self.has_class("-narrow"):
            self._focus_pane("article")

    def open_article(self, article_id: str) -> None:
        """Show an article (from the cache, or loaded and rendered in a worker) and mark it read
        once it is on screen (an article whose body fails to load stays unread)."""
        key = (article_id, self._search_terms, self.app.theme or "")
        cached = self._article_cache.get(key)
        if cached is not None:
            self._article_cache.move_to_end(key)
            self._show_article(key, *cached)
        else:
            view = self.article_view
            self._load_article(key, view.render_styles(), view.measure)

    def _mark_opened(self, article_id: str) -> None:
        """Mark an article read now that it is shown."""
        listed = self.headlines.index_of(article_id)
        row = self.headlines.articles[listed] if listed is not None else None
        if row is not None and not row.read:
            # Shown as read at once; saved just after the article is on screen, so the write
            # never competes with drawing it.
            self._set_state([article_id], read=True, save_after=OPEN_SAVE_DELAY)

    @work(thread=True, exclusive=True, group="article")
    def _load_article(self, key: ArticleKey, styles: dict[str, Any], width: int) -> None:
        article_id, terms, _theme = key
        try:
            article = self.library.get(article_id)
        except NewsreaderError as exc:
            self._ui(self._error, exc)
            return
        highlight = None
        if terms:

            def highlight(text: str) -> list[tuple[int, int]]:
                return self.library.highlight_spans(text, terms)

        content = render_article(article, styles, highlight)
        worker = get_current_worker()
        cut = _head_length(content.plain)
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
            self._ui(self._show_article, key, article, content, lines, width)

    def _show_head(
        self,
        article: Article,
        content: Text,
        lines: list[Strip],
        width: int,
        shown: threading.Event,
    ) -> None:
        self.call_after_refresh(shown.set)
        view = self.article_view
        view.show(article, content, lines, width, partial=True)
        view.border_title = Text(safe_line(article.feed), end="")
        self._mark_opened(article.id)

    def _show_article(
        self, key: ArticleKey, article: Article, content: Text, lines: list[Strip], width: int
    ) -> None:
        self._article_cache[key] = (article, content, lines, width)
        while len(self._article_cache) > ARTICLE_CACHE:
            self._article_cache.popitem(last=False)
        view = self.article_view
        continuing = view.partial and view.article is not None and view.article.id == article.id
        view.show(article, content, lines, width, keep_scroll=continuing)
        if view.article is not None and view.article.id == article.id:
            listed = self.headlines.index_of(article.id)
            if listed is not None:  # the list knows the latest read/starred state
                row = self.headlines.articles[listed]
                view.article = replace(article, read=row.read, starred=row.starred)
        view.border_title = Text(safe_line(article.feed), end="")
        if not continuing:  # the head of a long read was marked when it showed
            self._mark_opened(article.id)

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
        opened = self.article_view.article
        start = headlines.cursor
        if opened is not None and headlines.index_of(opened.id) == start:
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
        self.notify("No more unread articles here.", markup=False)

    def action_open_link(self) -> None:
        article = self.article_view.article or self.headlines.current
        url = article.url if article else None
        if not url:
            self.notify("This article has no link.", severity="warning", markup=False)
            return
        if not url.lower().startswith(("http://", "https://")):
            self.notify("Only http(s) links are opened.", severity="warning", markup=False)
            return
        self._open_in_browser(url)

    @work(thread=True, group="browser")
    def _open_in_browser(self, url: str) -> None:
        try:
            opened = webbrowser.open(url)
        except webbrowser.Error as exc:
            opened = False
            self._ui(self.notify, str(exc), severity="error", markup=False)
        if not opened:
            self._ui(self.notify, f"No browser available. Link: {url}", markup=False, timeout=10)

    # -- reading state ------------------------------------------------------------------------

    def _target_id(self) -> str | None:
        current = self.headlines.current
        if self._pane == "article" and self.article_view.article is not None:
            return self.article_view.article.id
        return current.id if current else None

    def action_toggle_read(self) -> None:
        article_id = self._target_id()
        if article_id is None:
            return
        index = self.headlines.index_of(article_id)
        read = not self.headlines.articles[index].read if index is not None else False
        self._set_state([article_id], read=read)

    def action_toggle_star(self) -> None:
        article_id = self._target_id()
        if article_id is None:
            return
        index = self.headlines.index_of(article_id)
        starred = not self.headlines.articles[index].starred if index is not None else True
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
            if self._saved is not None:
                self._saved.update(article_id, **state)
            if view.article is not None and view.article.id == article_id:
                view.article = replace(view.article, **state)  # type: ignore[arg-type]
        self._update_titles()
        if save_after > 0:
            timer = self.set_timer(save_after, lambda: self._save_later(timer))
            self._save_timers[timer] = (ids, state)
        else:
            self._save(ids, state)

    def _save_later(self, timer: Timer) -> None:
        ids, state = self._save_timers.pop(timer)
        self._save(ids, state)

    def _save_now(self) -> None:
        """Queue the delayed read marks at once (a reload is about to read the library)."""
        for timer, (ids, state) in list(self._save_timers.items()):
            timer.stop()
            del self._save_timers[timer]
            self._save(ids, state)

    def on_unmount(self) -> None:
        """Quitting right after opening an article still saves its read mark."""
        for timer, (ids, state) in list(self._save_timers.items()):
            timer.stop()
            try:
                self.library.mark(ids, **state)
            except NewsreaderError as exc:  # no screen left to show it on: log it
                log.warning("read mark not saved on exit: %s", exc)
        self._save_timers.clear()

    def _save(self, ids: list[str], state: dict[str, bool]) -> None:
        with self._writer_lock:
            self._writes.put((ids, state))
            self._writes_idle.clear()
            if not self._writer_running:
                self._writer_running = True
                self._state_writer()

    @work(thread=True, group="writer")
    def _state_writer(self) -> None:
        """Drain the queue in order, then stop (a new change starts a new writer)."""
        while True:
            with self._writer_lock:
                if self._writes.empty():
                    self._writer_running = False
                    self._writes_idle.set()
                    return
                ids, state = self._writes.get()
            try:
                self.library.mark(ids, **state)
            except NewsreaderError as exc:
                self._ui(self._error, exc)
                self._ui(self._reload_keeping_cursor)
                continue
            if self._writes.empty():
                self._ui(self._recount_soon)

    # -- panes, back --------------------------------------------------------------------------

    def action_switch_pane(self, step: int) -> None:
        order = list(PANES)
        index = order.index(self._pane) if self._pane in order else 1
        self._focus_pane(order[(index + step) % len(order)])

    def action_back(self) -> None:
        if self._saved is not None and self._pane != "article":
            self._close_search(restore=True)
        elif self._pane == "article" or self._pane == "sources":
            self._focus_pane("headlines")
        elif self.has_class("-narrow"):
            self._focus_pane("sources")

    # -- search -------------------------------------------------------------------------------

    def action_search(self) -> None:
        bar = self.search_bar
        if self._saved is None:
            self._saved = _SavedList(
                list(self.headlines.articles),
                self.headlines.current.id if self.headlines.current else None,
            )
        bar.display = True
        self._set_pane("headlines")
        bar.focus()

    @on(Input.Changed, "#search-bar")
    def _search_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_query = event.value
        self._search_timer = self.set_timer(SEARCH_DEBOUNCE, self._run_search)

    def _run_search(self) -> None:
        self._search_timer = None
        query = self._search_query.strip()
        if not query:
            if self._saved is not None:
                self._search_terms = ()
                self.headlines.set_articles(self._saved.articles, keep=self._saved.cursor_id)
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
        if query != self._search_query.strip():
            return
        self.status.set_text(Text(message, end=""))

    def _show_hits(
        self, query: str, hits: list[SearchHit], spans: dict[str, tuple[tuple[int, int], ...]]
    ) -> None:
        if query != self._search_query.strip() or self._saved is None:
            return  # the query changed while this ran: a newer search is coming
        terms: set[str] = set()
        for hit in hits:
            terms.update(hit.terms)
        self._search_terms = tuple(sorted(terms))
        headlines = self.headlines
        headlines.empty_text = f"Nothing matches {query}."
        headlines.set_articles(
            [hit.article for hit in hits],
            title_spans=spans,
            snippets={hit.article.id: (hit.snippet, hit.snippet_spans) for hit in hits},
        )
        self._update_titles()

    @on(SearchBar.ToResults)
    def _to_results(self) -> None:
        self._focus_pane("headlines")

    @on(SearchBar.Closed)
    def _search_closed(self) -> None:
        self._close_search(restore=True)

    def _close_search(self, *, restore: bool) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
        self.workers.cancel_group(self, "search")
        saved, self._saved = self._saved, None
        self._search_query = ""
        self._search_terms = ()
        bar = self.search_bar
        with bar.prevent(Input.Changed):
            bar.value = ""
        bar.display = False
        if restore and saved is not None:
            # The snapshot taken at ``/`` is stale for whatever was read or starred meanwhile:
            # show it with the marks the search list knows at once, then reload it (and the
            # counts) from the library once those marks are saved.
            known = {a.id: a for a in self.headlines.articles}
            articles = [known.get(a.id, a) for a in saved.articles]
            self.headlines.empty_text = "No articles here."
            self.headlines.set_articles(articles, keep=saved.cursor_id)
            self._update_titles()
            self._save_now()
            self.load_everything(keep=saved.cursor_id)
        self._focus_pane("headlines")

    # -- refresh, add, import -----------------------------------------------------------------

    def action_refresh(self) -> None:
        self.refresh_feeds()

    @work(thread=True, exclusive=True, group="refresh")
    def refresh_feeds(self) -> None:
        worker = get_current_worker()
        status = self.status

        def progress(done: int, total: int, label: str) -> None:
            status.post_message(StatusBar.Progress(done, total, label))

        status.post_message(StatusBar.Progress(0, 1, "Refreshing feeds…"))
        try:
            report = self.library.refresh(
                concurrency=self.app.settings.refresh_concurrency,  # type: ignore[attr-defined]
                progress=progress,
                cancel=worker.cancelled_event,
            )
        except NewsreaderError as exc:
            self._ui(self._error, exc)
            self._ui(status.done)
            return
        self._ui(status.done)
        if not report.results:
            self._ui(self.notify, "No feeds to refresh: add one with a.", markup=False)
            return
        summary = f"{report.new} new, {report.updated} updated from {len(report.results)} feeds"
        errors = report.errors
        if errors:
            summary += f"; {len(errors)} failed"
        self._ui(self.notify, summary + ".", title="Refreshed", markup=False)
        for result in errors[:3]:
            self._ui(
                self.notify,
                f"{safe_line(result.title) or result.url}: {result.error}",
                severity="error",
                markup=False,
                timeout=8,
            )
        self._ui(self._reload_keeping_cursor)

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

    @work(thread=True, group="subscribe")
    def subscribe(self, url: str) -> None:
        self.status.post_message(StatusBar.Progress(0, 1, f"Subscribing to {url}…"))
        try:
            source = self.library.subscribe(url)
        except NewsreaderError as exc:
            self._ui(self._error, exc)
        else:
            self._ui(self.notify, f"Subscribed to {safe_line(source.title)}.", markup=False)
            self._ui(self._reload_keeping_cursor)
        finally:
            self._ui(self.status.done)

    def action_import_files(self) -> None:
        def answer(path: str | None) -> None:
            if path:
                self.import_paths([path.strip()])

        self.app.push_screen(
            PromptScreen("Import a dump, feed file, OPML or folder", "~/news/dump.txt", ok="Import"),
            answer,
        )

    @work(thread=True, exclusive=True, group="import")
    def import_paths(self, paths: list[str]) -> None:
        from pathlib import Path

        worker = get_current_worker()
        status = self.status

        def progress(done: int, total: int, label: str) -> None:
            status.post_message(StatusBar.Progress(done, total, label))

        try:
            report = self.library.import_paths(
                [Path(p).expanduser() for p in paths],
                progress=progress,
                cancel=worker.cancelled_event,
            )
        except NewsreaderError as exc:
            self._ui(self._error, exc)
            self._ui(status.done)
            return
        self._ui(status.done)
        message = f"{report.new} new, {report.present} already present"
        if report.failed:
            message += f", {len(report.failed)} failed"
        self._ui(self.notify, message + ".", title="Imported", markup=False)
        for result in report.failed[:3]:
            # Most errors already start with the file's path; name it only when one does not.
            error = result.error or "failed"
            message = error if result.path in error else f"{result.path}: {error}"
            self._ui(self.notify, message, severity="error", markup=False)
        self._ui(self._reload_keeping_cursor)

    # -- worker plumbing ----------------------------------------------------------------------

    def _ui(self, callback: Callable[..., object], *args: Any, **kwargs: Any) -> None:
        """Run ``callback`` on the UI thread, if this screen is still there.

        Workers can finish after the user quit (the screen is gone, the loop may be closing):
        their results are then dropped rather than raised into a dying app.
        """

        def guarded() -> None:
            if self.is_attached and self.is_mounted:
                callback(*args, **kwargs)

        with contextlib.suppress(RuntimeError):  # the app's loop has stopped
            self.app.call_from_thread(guarded)

    # -- errors -------------------------------------------------------------------------------

    def _error(self, exc: Exception) -> None:
        self.notify(str(exc), severity="error", markup=False, timeout=8)
