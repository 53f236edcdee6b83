"""The status line under the panes: what is listed, and the progress of long work."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static

from newsreader.tui.messages import Progress as ProgressMessage


class StatusBar(Horizontal):
    """A one-line status: the current view on the left, a progress bar while workers run."""

    Progress: ClassVar[type[ProgressMessage]] = ProgressMessage

    def compose(self) -> ComposeResult:
        yield Static(id="status-text", markup=False)
        yield Static(id="status-label", markup=False)
        yield ProgressBar(id="status-progress", show_eta=False)

    def on_mount(self) -> None:
        self.query_one(ProgressBar).display = False

    def set_text(self, text: str | Text) -> None:
        self.query_one("#status-text", Static).update(text)

    @on(ProgressMessage)
    def _progress(self, message: ProgressMessage) -> None:
        self.show_progress(message.done, message.total, message.label)

    def show_progress(self, done: int, total: int, label: str) -> None:
        bar = self.query_one(ProgressBar)
        bar.display = True
        bar.update(total=max(total, 1), progress=done)
        self.query_one("#status-label", Static).update(Text(label, no_wrap=True, end=""))

    def done(self) -> None:
        self.query_one(ProgressBar).display = False
        self.query_one("#status-label", Static).update("")
