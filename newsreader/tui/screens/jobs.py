"""The base of the main screen: the long library jobs and the way their results come home.

Refresh (by hand with ``r``, one feed with ``r`` on the sources pane, at start with
``refresh_on_start``, and of the feeds due every ``DUE_CHECK`` seconds with ``auto_refresh``), sync,
subscribe (``a``), import (``i``), renaming and removing a source (``tui/feeds.py``) and the search
index's catch-up run as thread workers (the library touches disk and network) and report progress to
the status bar with ``Progress`` messages; results come back to the UI thread through ``_ui``, which
drops them if the screen has gone (the user quit meanwhile). One refresh runs at a time: ``r``
during one says so instead of starting a second that would report the same errors again.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import work
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.worker import get_current_worker

from newsreader.errors import NewsreaderError
from newsreader.tui import feeds, organise
from newsreader.tui.collector import quiet_collector
from newsreader.tui.messages import Progress
from newsreader.tui.screens.prompt import PromptScreen
from newsreader.tui.text import safe_line
from newsreader.tui.widgets.source_list import ALL, SourceList
from newsreader.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from newsreader.config import Settings
    from newsreader.library import Library

log = logging.getLogger(__name__)


class LibraryScreen(Screen[None]):
    """A screen over one library with its refresh, subscribe and import workers."""

    DUE_CHECK: float = 60.0
    """Seconds between looks for feeds whose refresh interval has passed (tests shorten it)."""

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library

    @property
    def settings(self) -> Settings:
        """The app's settings (every screen base reads them through this one typed door)."""
        return self.app.settings  # type: ignore[attr-defined,no-any-return]

    @property
    def status(self) -> StatusBar:
        return self.query_one("#status", StatusBar)

    @property
    def sources(self) -> SourceList:
        return self.query_one("#sources", SourceList)

    @property
    def refreshing(self) -> bool:
        """True while a refresh (by hand, of one feed, or of the feeds due) is under way."""
        return any(w.group == "refresh" and not w.is_finished for w in self.workers)

    def _reload_keeping_cursor(self) -> None:
        """Show what a job changed (the main screen reloads its panes)."""
        raise NotImplementedError

    # -- the keys that start jobs -------------------------------------------------------------

    def action_refresh(self) -> None:
        """``r``: every feed; on the sources pane, the highlighted feed (on a smart view, every feed)."""
        if self.sources.has_focus and feeds.highlighted(self) is not None:
            feeds.refresh_one(self)
            return
        if self.refreshing:
            self.notify("A refresh is already under way.", markup=False, timeout=2)
            return
        self.refresh_feeds()
        self.sync_accounts(quiet=False)

    def action_rename_source(self) -> None:
        feeds.rename(self)

    def action_remove_source(self) -> None:
        feeds.remove(self)

    def refresh_at_start(self) -> None:
        """After the first paint, with ``refresh_on_start``: every feed (the feeds due otherwise come
        with the first ``DUE_CHECK``)."""
        if self.settings.refresh_on_start and not self.refreshing:
            self.refresh_feeds(quiet=True)

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

    # -- jobs ---------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="index")
    def update_search_index(self) -> None:
        """Catch the search index up with the library in the background, so ``/`` is instant.

        In a child process: a build in this one would hold the interpreter, and every key with it;
        a small library's here, since a child costs more to start than that build takes."""
        worker = get_current_worker()
        status = self.status

        def progress(done: int, total: int, label: str) -> None:
            status.post_message(Progress(done, total, label or "Indexing…"))

        try:
            self.library.update_search_index(
                progress=progress, cancel=worker.cancelled_event, in_child=True, small_here=True
            )
        except NewsreaderError as exc:
            self._ui(self._error, exc)
        finally:
            self._ui(status.done)

    @work(thread=True, exclusive=True, group="due")
    def refresh_due(self) -> None:
        """The automatic refresh: fetch the feeds whose interval has passed and that are not backing
        off (``settings.toml`` ``refresh_interval``, ``newsreader feed FEED --interval``)."""
        if self.refreshing or not self.settings.auto_refresh:
            return  # a refresh under way fetches them
        try:
            due = organise.due_feeds(self)
        except NewsreaderError as exc:
            log.warning("automatic refresh: %s", exc)
            return
        if due:
            self._ui(self._refresh_due_now, due)

    def _refresh_due_now(self, due: list[str]) -> None:
        if not self.refreshing:
            self.refresh_feeds(due, quiet=True)

    @work(thread=True, group="refresh")
    def refresh_feeds(
        self, only: list[str] | None = None, *, quiet: bool = False, label: str = "Refreshing feeds…"
    ) -> None:
        """Fetch every feed (``r``), or ``only`` these (one feed, or the automatic refresh of the
        feeds due); ``quiet``: no pop-up when nothing arrived (the status line still says so)."""
        worker = get_current_worker()
        status = self.status

        def progress(done: int, total: int, feed: str) -> None:
            status.post_message(Progress(done, total, feed if total > 1 else label))

        status.post_message(Progress(0, 1, label))
        try:
            # No full collections while it parses, commits and indexes: at 100,000 articles those
            # held the app's interpreter for 40-48 ms each (gc.callbacks); its cycles swept after.
            with quiet_collector(sweep=True):
                report = self.library.refresh(
                    concurrency=self.settings.refresh_concurrency,
                    progress=progress,
                    cancel=worker.cancelled_event,
                    only=only,
                )
        except NewsreaderError as exc:
            self._ui(self._error, exc)
            self._ui(status.done)
            return
        if not report.results:
            self._ui(status.done)
            from newsreader.sync import has_accounts

            # synced feeds come with the sync, started beside this; a refresh of due feeds may find none
            if only is None and not has_accounts(self.library) and not worker.is_cancelled:
                self._ui(self.notify, "No feeds to refresh: add one with a.", markup=False)
            return
        errors = report.errors
        self._ui(status.done, arrived(report.new, report.updated, len(errors), self.library.now()))
        if quiet and not report.new and not report.updated and not errors:
            self._ui(self._reload_keeping_cursor)
            return
        summary = f"{report.new} new, {report.updated} updated from {len(report.results)} feeds"
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

    @work(thread=True, exclusive=True, group="sync")
    def sync_accounts(self, *, quiet: bool = True) -> None:
        """Sync with the server accounts (``newsreader sync``) in the background: nothing waits on it."""
        from newsreader.sync import has_accounts, sync_for_app

        if not has_accounts(self.library):
            return
        self._before_sync()
        changed, errors = sync_for_app(self.library)
        for line in errors:
            self._ui(self.notify, line, severity="error", markup=False, timeout=8)
        if changed:
            self._ui(self._reload_keeping_cursor)
        elif not quiet and not errors:
            self._ui(self.notify, "In sync with the server.", markup=False)

    def _before_sync(self) -> None:
        """Called on the sync's thread first: the main screen writes its waiting marks, so they go out."""

    @work(thread=True, group="feed-edit")
    def rename_source(self, source_id: str, name: str) -> None:
        feeds.rename_job(self, source_id, name)

    @work(thread=True, group="feed-edit")
    def remove_source(self, source_id: str) -> None:
        feeds.remove_job(self, source_id)

    def _source_removed(self, source_id: str) -> None:
        if self.sources.selected_key == f"src:{source_id}":
            self.sources.select_key(ALL)  # its headlines go with it: show All instead
        self._reload_keeping_cursor()

    @work(thread=True, group="subscribe")
    def subscribe(self, url: str) -> None:
        shown = url.split("://", 1)[-1]  # the scheme says little; the host and path must show
        self.status.post_message(Progress(0, 1, f"Subscribing to {shown}…"))
        try:
            source = self.library.subscribe(url)
        except NewsreaderError as exc:
            self._ui(self._error, exc)
        else:
            self._ui(self.notify, f"Subscribed to {safe_line(source.title)}.", markup=False)
            self._ui(self._reload_keeping_cursor)
        finally:
            self._ui(self.status.done)

    @work(thread=True, exclusive=True, group="import")
    def import_paths(self, paths: list[str]) -> None:
        from pathlib import Path

        worker = get_current_worker()
        status = self.status

        def progress(done: int, total: int, label: str) -> None:
            status.post_message(Progress(done, total, label))

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
            if not (self.is_attached and self.is_mounted):
                return
            try:
                callback(*args, **kwargs)
            except NoMatches:
                if not self._leaving():
                    raise  # a missing widget in a running app is a bug, not a shutdown

        with contextlib.suppress(RuntimeError):  # the app's loop has stopped
            self.app.call_from_thread(guarded)

    def _leaving(self) -> bool:
        """The app is shutting down: the screen is still attached while its widgets go (Textual's own
        flags, as the public API has none for it)."""
        app = self.app
        return bool(getattr(app, "_exit", False) or getattr(app, "_closing", False) or self._pruning)

    # -- errors -------------------------------------------------------------------------------

    def _error(self, exc: Exception) -> None:
        self.notify(str(exc), severity="error", markup=False, timeout=8)


def arrived(new: int, updated: int, failed: int, now: object) -> str:
    """The status line's count of what a refresh brought: ``Refreshed 18:40: 3 new, 1 updated``."""
    from datetime import datetime

    from newsreader.models import local_time

    when = f" {local_time(now):%H:%M}" if isinstance(now, datetime) else ""
    parts = [f"{new} new"] + [f"{updated} updated"] * bool(updated) + [f"{failed} failed"] * bool(failed)
    return f"Refreshed{when}: {', '.join(parts)}"
