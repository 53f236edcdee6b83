"""The status line under the panes: what is listed, the selected feed's trouble, and long work.

Left to right: the view (``All articles: 15 articles, 15 unread``), a note on the highlighted feed
(its last error or warning, so it stays readable after the pop-up has gone), then the job's label
and its progress bar with the percentage. The label is fitted to what is left, cut in the middle
so a URL keeps its host and its file name; once a refresh is done the label keeps what arrived.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static

from newsreader.tui.messages import Progress as ProgressMessage

PROGRESS_WIDTH = 18
"""Columns of the progress bar with its percentage (app.tcss ``#status-progress``)."""
NARROW_PROGRESS = 5
"""Below 60 columns only the percentage shows."""


def fit(label: str, width: int) -> str:
    """``label`` in ``width`` columns, cut in the middle (``127.0.0.1:45…/valley.xml``)."""
    if len(label) <= width:
        return label
    if width <= 1:
        return label[:width]
    head = (width - 1) * 2 // 3
    tail = width - 1 - head
    return label[:head] + "…" + (label[-tail:] if tail else "")


class StatusBar(Horizontal):
    """A one-line status: the current view and note on the left, a progress bar while workers run."""

    Progress: ClassVar[type[ProgressMessage]] = ProgressMessage

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._label = ""
        self._shown = ""
        """The label's text as last drawn: a progress report that leaves it as it was costs no layout."""
        self.result = ""
        """What the last finished job left on the line (``Refreshed 18:40: 3 new``)."""

    def compose(self) -> ComposeResult:
        yield Static(id="status-text", markup=False)
        yield Static(id="status-note", markup=False)
        yield Static(id="status-label", markup=False)
        yield ProgressBar(id="status-progress", show_eta=False)

    def on_mount(self) -> None:
        self.query_one(ProgressBar).display = False
        self.query_one("#status-note").display = False

    def set_text(self, text: str | Text) -> None:
        self.query_one("#status-text", Static).update(text)

    def set_note(self, note: str, *, error: bool = False) -> None:
        """The highlighted feed's last error or warning (empty: none)."""
        widget = self.query_one("#status-note", Static)
        widget.display = bool(note)
        widget.set_class(error, "-error")
        widget.update(Text(note, no_wrap=True, overflow="ellipsis", end=""))
        if not self.busy:
            self._show_label(self.result)  # the note comes before the last refresh's count

    @property
    def busy(self) -> bool:
        """True while a job's progress is showing."""
        return bool(self.query_one(ProgressBar).display)

    @property
    def note(self) -> str:
        widget = self.query_one("#status-note", Static)
        return str(widget.render()) if widget.display else ""

    @on(ProgressMessage)
    def _progress(self, message: ProgressMessage) -> None:
        self.show_progress(message.done, message.total, message.label)

    def show_progress(self, done: int, total: int, label: str) -> None:
        bar = self.query_one(ProgressBar)
        bar.display = True
        bar.update(total=max(total, 1), progress=done)
        self._show_label(label)

    def done(self, result: str = "") -> None:
        """The job ended; ``result`` (what arrived) stays on the line until the next job."""
        self.query_one(ProgressBar).display = False
        if result:
            self.result = result
        self._show_label(self.result)

    def _show_label(self, label: str) -> None:
        self._label = label
        busy = self.busy
        narrow = self.size.width < 60
        self.update_classes({"-narrow": narrow, "-busy": busy})  # one restyle, not one per class
        if not busy and self.query_one("#status-note").display:
            label = ""  # a feed's error or warning matters more than what the last refresh brought
        room = self.size.width - 4  # the line's padding and the label's
        if busy:
            room -= NARROW_PROGRESS if narrow else PROGRESS_WIDTH
        shown = fit(label, max(room, 8))
        if shown != self._shown:  # Static.update lays the screen out again: not once a progress report
            self._shown = shown
            self.query_one("#status-label", Static).update(Text(shown, end=""))

    def on_resize(self) -> None:
        self._show_label(self._label)
