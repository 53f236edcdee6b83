"""The status line under the panes: what is listed, and the progress of long work."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import ProgressBar, Static


class StatusBar(Horizontal):
    """A one-line status: the current view on the left, a progress bar while workers run."""

    class Progress(Message):
        """Work advanced; posted from worker threads (``post_message`` is thread-safe)."""

        def __init__(self, done: int, total: int, label: str) -> None:
            super().__init__()
            self.done = done
            self.total = total
            self.label = label

        def can_replace(self, message: Message) -> bool:
            # A burst of progress collapses to the newest.
            return isinstance(message, StatusBar.Progress)

    def compose(self) -> ComposeResult:
        yield Static(id="status-text", markup=False)
        yield Static(id="status-label", markup=False)
        yield ProgressBar(id="status-progress", show_eta=False)

    def on_mount(self) -> None:
        self.query_one(ProgressBar).display = False

    def set_text(self, text: str | Text) -> None:
        self.query_one("#status-text", Static).update(text)

    def on_status_bar_progress(self, message: Progress) -> None:
        self.show_progress(message.done, message.total, message.label)

    def show_progress(self, done: int, total: int, label: str) -> None:
        bar = self.query_one(ProgressBar)
        bar.display = True
        bar.update(total=max(total, 1), progress=done)
        self.query_one("#status-label", Static).update(Text(label, no_wrap=True, end=""))

    def done(self) -> None:
        self.query_one(ProgressBar).display = False
        self.query_one("#status-label", Static).update("")
