"""The app as snapshot tests and screenshots see it: a demo library, a fixed clock, nothing moving.

Animations and cursor blink are off (``Settings(animations=False)``), relative dates are measured
from a fixed clock, and the library lives in a folder the caller gives, so every run draws the same.
"""

from __future__ import annotations

from pathlib import Path

from newsreader.config import Settings
from newsreader.tui.app import NewsReaderApp
from tests.tui_support import demo_library


def make_snapshot_app(folder: Path) -> NewsReaderApp:
    """A fresh demo library in ``folder`` and an app over it, with no settings file."""
    library = demo_library(folder / "library")
    return NewsReaderApp(library, Settings(animations=False), None)
