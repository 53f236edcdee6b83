"""``make screenshots``: a scripted walk through the app on the demo library, saved as SVG (and PNG).

The demo library is ``feeds/`` imported into a temporary folder, as ``make run`` does, with a fixed
clock so dates read the same on every machine. PNGs are written when ``cairosvg`` (or the
``rsvg-convert`` tool) is available; SVGs always.

Usage: ``python -m tests.screenshots [OUTPUT_DIR]`` (default ``screenshots/``).
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot

from newsreader.config import Settings
from newsreader.library import Library
from newsreader.tui.app import NewsReaderApp
from newsreader.tui.screens.main import MainScreen
from tests.tui_support import FEEDS, IMPORTED_AT, ROOT, fixed_clock, settle

OPINION = "US President Joe Biden expressed what is on many people’s minds"

Step = Callable[[Pilot[None]], Awaitable[None]]


def build_demo(folder: Path) -> Library:
    library = Library(folder)
    library.now = lambda: IMPORTED_AT  # type: ignore[method-assign]
    report = library.import_paths([FEEDS])
    failed = [f"{r.path}: {r.error}" for r in report.failed]
    if failed:
        raise SystemExit("demo import failed:\n  " + "\n  ".join(failed))
    library.now = fixed_clock  # type: ignore[method-assign]
    return library


def _main(pilot: Pilot[None]) -> MainScreen:
    for screen in pilot.app.screen_stack:
        if isinstance(screen, MainScreen):
            return screen
    raise AssertionError("no main screen")


async def _open_opinion(pilot: Pilot[None]) -> None:
    screen = _main(pilot)
    titles = [a.title for a in screen.headlines.articles]
    if OPINION in titles:
        screen.headlines.move_cursor(titles.index(OPINION))
    await pilot.press("enter")
    await settle(pilot)


async def three_pane(pilot: Pilot[None]) -> None:
    await _open_opinion(pilot)  # the list keeps focus; the article shows beside it


async def article(pilot: Pilot[None]) -> None:
    await _open_opinion(pilot)
    await pilot.press("tab")
    await settle(pilot)


async def search(pilot: Pilot[None]) -> None:
    await pilot.press("slash", *"harbour")
    await settle(pilot)  # past the debounce: the search timer is part of settling
    await pilot.press("enter", "enter")
    await settle(pilot)


async def help_screen(pilot: Pilot[None]) -> None:
    await pilot.press("question_mark")
    await settle(pilot)


async def narrow(pilot: Pilot[None]) -> None:
    await _open_opinion(pilot)


async def medium(pilot: Pilot[None]) -> None:
    await _open_opinion(pilot)
    await pilot.press("shift+tab")
    await settle(pilot)


async def compact(pilot: Pilot[None]) -> None:
    """The one-line list, oldest first, with nothing open: the list has the width."""
    await settle(pilot)
    await pilot.press("c", "O")
    await settle(pilot)


SHOTS: list[tuple[str, tuple[int, int], Step]] = [
    ("three-pane", (140, 40), three_pane),
    ("article", (140, 40), article),
    ("search", (140, 40), search),
    ("help", (140, 40), help_screen),
    ("two-pane", (80, 30), medium),
    ("narrow", (56, 30), narrow),
    ("compact", (140, 42), compact),
]
"""Name, terminal size, and the keys that lead there."""


async def take(library: Library, size: tuple[int, int], step: Step) -> str:
    app = NewsReaderApp(library, Settings(animations=False), None)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await step(pilot)
        return app.export_screenshot(title="newsreader")


def to_png(svg: Path) -> Path | None:
    png = svg.with_suffix(".png")
    try:
        import cairosvg
    except (ImportError, OSError):  # OSError: the package is there, the cairo library is not
        tool = shutil.which("rsvg-convert")
        if tool is None:
            return None
        subprocess.run([tool, "-o", str(png), str(svg)], check=True)
        return png
    cairosvg.svg2png(url=str(svg), write_to=str(png))
    return png


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, size, step in SHOTS:
            # A fresh copy per shot: opening articles marks them read.
            library = build_demo(Path(tmp) / name)
            svg_text = asyncio.run(take(library, size, step))
            svg = out / f"{name}.svg"
            svg.write_text(svg_text, encoding="utf-8")
            png = to_png(svg)
            print(f"{name}: {svg}" + (f", {png}" if png else " (no PNG converter)"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
