"""The main screen's marks: read (``m``, opening), star (``s``), a whole view read (``A``), tags
(``t``) and undo (``u``).

A mark shows at once in every pane that lists the article, then ``marks.MarkWriter`` saves it in
order on its own thread; each write returns what it changed (``Library.mark_counted``) and the
counts shown follow that change, so no mark recounts the library (at 100,000 articles a recount is a
thread's second, competing with the keys). Only saved searches' counts are asked for again.
Tags and undo are ``tui/organise.py``'s functions; the workers that run them live here.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.timer import Timer

from newsreader.errors import NewsreaderError
from newsreader.models import Article
from newsreader.tui import organise
from newsreader.tui.collector import hold_collector, quiet_collector
from newsreader.tui.marks import MarkWriter
from newsreader.tui.organise import Change
from newsreader.tui.screens.confirm import ConfirmScreen
from newsreader.tui.screens.reading import ReadingScreen
from newsreader.tui.widgets.source_list import STARRED, UNREAD, source_id_of

if TYPE_CHECKING:
    from newsreader.library import Library, StateChange

RECOUNT_DELAY = 0.4
"""Seconds after the last read/star mark before the saved searches' counts are reloaded."""
OPEN_SAVE_DELAY = 0.15
"""Seconds after opening an article before its read mark is queued for saving."""
SLICE = 0.004
"""Seconds of row updates between frames while ``A`` shows a long list read."""
FIRST_ROWS = 100
"""Rows ``A`` turns read in its first step whatever the slice's clock says (about a millisecond): the
screenful in view and the next ones a page key shows, read at once even on a loaded machine."""
SLICE_GAP = 0.002
"""Seconds between those slices: the event loop's turn for the keys waiting and the next frame."""
WRITE_WAIT = 2.0
"""Seconds a reload waits for queued read/star writes to reach the disk before reading it."""


class MarkingScreen(ReadingScreen):
    """Read, star, tag and undo on the target article or the whole view (a base of ``MainScreen``)."""

    def __init__(self, library: Library) -> None:
        super().__init__(library)
        self._marks = MarkWriter(
            library.mark_counted,
            on_error=self._mark_failed,
            on_drained=self._marks_drained,
            on_saved=self._mark_saved,
        )
        """Saves read/star marks in order; reloads wait for it, so they see the marks."""
        self._recount_timer: Timer | None = None
        self._showing_read = False
        """True while ``A`` is still turning rows read on screen (``pending`` counts it)."""
        self._release_collector: Callable[[], None] = lambda: None
        """Lets the cycle collector run again once ``A``'s rows are all read (``_show_read``)."""
        self._last_change: Change | None = None
        """What ``u`` undoes: the last read, star or tag change."""

    def load_sources(self, *, poll: bool = False) -> Any:
        """Reload the sources and their counts (the main screen's worker)."""
        raise NotImplementedError

    def load_saved_counts(self) -> Any:
        """Reload the saved searches' counts (the main screen's worker)."""
        raise NotImplementedError

    def follow_change(self, change: StateChange, unread: dict[str, int], starred: int) -> None:
        """Move the counts shown by what a write changed (the main screen keeps them)."""
        raise NotImplementedError

    # -- read and star --------------------------------------------------------------------------

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

    def _mark_opened(self, article_id: str) -> None:
        """Mark an article read now that it is shown."""
        listed = self.headlines.index_of(article_id)
        row = self.headlines.articles[listed] if listed is not None else None
        if row is not None and not row.read:
            # Shown as read at once; saved just after the article is on screen, so the write
            # never competes with drawing it.
            self._set_state([article_id], read=True, save_after=OPEN_SAVE_DELAY)

    def action_mark_source_read(self) -> None:
        source_id = source_id_of(self._key)
        label = self.sources.label_for(self._key)
        unread = sum(1 for a in self.headlines.articles if not a.read)
        if not unread:
            self.notify("Nothing unread here.", markup=False)
            return

        def answer(confirmed: bool | None) -> None:
            if confirmed:
                rows = list(self.headlines.articles)  # as they were: later marks are their own
                self._show_read(rows)
                self._marks.run(lambda: self._mark_source_read(self._key, source_id, rows))

        question = Text(f"Mark {unread} unread articles in “{label}” as read?", end="")
        self.app.push_screen(ConfirmScreen(question, yes="Mark read"), answer)

    def _mark_source_read(
        self, key: str, source_id: str | None, rows: Sequence[Article]
    ) -> StateChange | None:
        """On the mark writer's thread, after the marks made before it: smart views (Unread,
        Starred) mark what they list; a source or All marks it whole."""
        try:
            with quiet_collector():  # lists and dicts of 100,000 ids, no cycles among them
                if key in (UNREAD, STARRED):
                    change = self.library.mark_counted([a.id for a in rows if not a.read], read=True)
                else:
                    change = self.library.mark_source_read_counted(source_id)
        except NewsreaderError as exc:
            self._ui(self._error, exc)
            return None
        self._ui(self.notify, f"{change.changed} marked read.", markup=False)
        return change  # the writer hands it to ``_mark_saved``: the counts follow it

    def _show_read(self, rows: Sequence[Article]) -> None:
        """Show ``rows`` read, the screenful in view first, the rest in slices of a few milliseconds
        between frames, so keys are served meanwhile (100,000 rows take seconds to change)."""
        headlines = self.headlines
        listed = headlines.articles
        top = min(len(rows), int(headlines.scroll_y // max(headlines.row_height, 1)))
        order = itertools.chain(range(top, len(rows)), range(top))
        in_view = headlines.scrollable_content_region.height // max(headlines.row_height, 1) + 1
        at_once = max(FIRST_ROWS, 3 * in_view)  # what is in view and what a page key shows next
        self._showing_read = True
        self._release_collector()  # an A before this one has its own rows to finish
        # The new rows have no cycles: a full collection over them between slices held the app's
        # interpreter for 25-70 ms at 100,000 rows (gc.callbacks), a key's frame waiting behind it.
        self._release_collector = release = hold_collector()

        def step(first: int = 0) -> None:
            if headlines.articles is not listed:  # reloaded from the library meanwhile: marks and all
                self._showing_read = False
                release()
                return
            deadline = time.perf_counter() + SLICE
            for done, index in enumerate(order):
                row = rows[index]
                if listed[index] is row and not row.read:  # not changed since A (a later m stands)
                    headlines.update_article(row.id, read=True)
                if done >= first and time.perf_counter() > deadline:  # the rows in view, whatever
                    # On a timer, not call_after_refresh: a callback queued from a callback runs
                    # at once, without the loop's turn that handles keys and paints (seconds at 100k).
                    self.set_timer(SLICE_GAP, step)
                    return
            self._showing_read = False
            release()
            self._update_titles()

        step(first=at_once)

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

    def _mark_saved(self, result: object) -> None:
        """On the writer thread: the counts shown follow what the write changed."""
        from newsreader._lookup import StateChange

        if isinstance(result, StateChange):
            unread, starred = result.deltas()  # here: for A that is a pass over 100,000 articles
            self._ui(self.follow_change, result, unread, starred)

    def _marks_drained(self) -> None:
        self._ui(self._recount_soon)

    def _recount_soon(self) -> None:
        """Reload the saved searches' counts (a search's unread count may have changed with the
        marks) once a burst of marks has settled."""
        if not self.sources.saved_counts:
            return
        if self._recount_timer is not None:
            self._recount_timer.stop()
        self._recount_timer = self.set_timer(RECOUNT_DELAY, self._recount)

    def _recount(self) -> None:
        self._recount_timer = None
        self.load_saved_counts()

    def _before_sync(self) -> None:
        self._marks.hurry()
        self._marks.wait(WRITE_WAIT)

    def on_unmount(self) -> None:
        """Quitting right after opening an article still saves its read mark."""
        self._release_collector()  # quitting while A's rows turn read
        self._marks.close()

    # -- tags and undo (tui/organise.py) --------------------------------------------------------

    def action_tag(self) -> None:
        organise.tag(self)

    def action_undo(self) -> None:
        organise.undo(self)

    @work(thread=True, group="state")
    def save_tags(self, ids: list[str], add: set[str], remove: set[str], *, remember: bool) -> None:
        organise.save_tags(self, ids, add, remove, remember=remember)
