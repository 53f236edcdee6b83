"""The base of the main screen: the long library jobs and the way their results come home.

Refresh (by hand with ``r``, or of the feeds due), sync, subscribe (``a``), import (``i``) and the
search index's catch-up run as thread workers (the library touches disk and network) and report
progress to the status bar with ``Progress`` messages; results come back to the UI thread through
``_ui``, which drops them if the screen has gone (the user quit meanwhile).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import work
from textual.screen import Screen
from textual.worker import get_current_worker

from newsreader.errors import NewsreaderError
from newsreader.tui import organise
from newsreader.tui.messages import Progress
from newsreader.tui.screens.prompt import PromptScreen
from newsreader.tui.text import safe_line
from newsreader.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from newsreader.library import Library

log = logging.getLogger(__name__)


class LibraryScreen(Screen[None]):
    """A screen over one library with its refresh, subscribe and import workers."""

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library

    @property
    def status(self) -> StatusBar:
        return self.query_one("#status", StatusBar)

    def _reload_keeping_cursor(self) -> None:
        """Show what a job changed (the main screen reloads its panes)."""
        raise NotImplementedError

    # -- the keys that start jobs -------------------------------------------------------------

    def action_refresh(self) -> None:
        self.refresh_feeds()
        self.sync_accounts(quiet=False)

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

        In a child process: a build in this one would hold the interpreter, and every key with it."""
        worker = get_current_worker()
        status = self.status

        def progress(done: int, total: int, label: str) -> None:
            status.post_message(Progress(done, total, label or "Indexing…"))

        try:
            self.library.update_search_index(progress=progress, cancel=worker.cancelled_event, in_child=True)
        except NewsreaderError as exc:
            self._ui(self._error, exc)
        finally:
            self._ui(status.done)

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

    @work(thread=True, exclusive=True, group="refresh")
    def refresh_feeds(self, only: list[str] | None = None) -> None:
        """Fetch every feed (``r``), or ``only`` these (the automatic refresh of the feeds due)."""
        worker = get_current_worker()
        status = self.status

        def progress(done: int, total: int, label: str) -> None:
            status.post_message(Progress(done, total, label))

        status.post_message(Progress(0, 1, "Refreshing feeds…"))
        try:
            report = self.library.refresh(
                concurrency=self.app.settings.refresh_concurrency,  # type: ignore[attr-defined]
                progress=progress,
                cancel=worker.cancelled_event,
                only=only,
            )
        except NewsreaderError as exc:
            self._ui(self._error, exc)
            self._ui(status.done)
            return
        self._ui(status.done)
        if not report.results:
            from newsreader.sync import has_accounts

            # synced feeds come with the sync, started beside this; a refresh of due feeds may find none
            if only is None and not has_accounts(self.library):
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

    @work(thread=True, group="subscribe")
    def subscribe(self, url: str) -> None:
        self.status.post_message(Progress(0, 1, f"Subscribing to {url}…"))
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
            if self.is_attached and self.is_mounted:
                callback(*args, **kwargs)

        with contextlib.suppress(RuntimeError):  # the app's loop has stopped
            self.app.call_from_thread(guarded)

    # -- errors -------------------------------------------------------------------------------

    def _error(self, exc: Exception) -> None:
        self.notify(str(exc), severity="error", markup=False, timeout=8)
