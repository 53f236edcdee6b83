"""The app as snapshot tests and screenshots see it: a demo library, a fixed clock, nothing moving.

Animations and cursor blink are off (``Settings(animations=False)``), relative dates are measured
from a fixed clock, notifications stay up until the picture is taken (a toast that expires after
1.5 s made a snapshot depend on how fast the machine was), and the library lives in a folder the
caller gives, so every run draws the same.
"""

from __future__ import annotations

from pathlib import Path

from textual.notifications import SeverityLevel

from newsreader.config import Settings
from newsreader.tui import app as tui_app
from newsreader.tui.app import NewsReaderApp
from tests.tui_support import demo_library

HOLD = 3600.0
"""Seconds a notification stays in a snapshot: longer than any test runs."""


class SnapshotApp(NewsReaderApp):
    """``NewsReaderApp`` whose notifications do not time out."""

    CSS_PATH = Path(tui_app.__file__).parent / "app.tcss"  # relative paths resolve from here

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        super().notify(message, title=title, severity=severity, timeout=HOLD, markup=markup)


def make_snapshot_app(folder: Path) -> NewsReaderApp:
    """A fresh demo library in ``folder`` and an app over it, with no settings file."""
    library = demo_library(folder / "library")
    return SnapshotApp(library, Settings(animations=False), None)
