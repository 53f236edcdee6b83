"""Pilot tests for issue 13's reading defects and additions: each defect test fails before its fix."""

from __future__ import annotations

import io
import sys
import threading
import webbrowser
from pathlib import Path

import pytest

from newsreader.library import Library
from newsreader.models import Article, ArticleDraft, Enclosure
from newsreader.tui.app import NewsReaderApp
from newsreader.tui.screens.main import MainScreen
from tests.tui_support import (
    IMPORTED_AT,
    add_drafts,
    demo_library,
    make_app,
    notifications,
    settle,
    until,
    visible_text,
)

pytestmark = pytest.mark.anyio

SIZE = (140, 42)


def linked_library(path: Path, count: int = 12) -> Library:
    """The demo library plus a feed of ``count`` articles, each with a link, two references and an
    enclosure, newest first as ``Linked 00``, ``Linked 01`` ..."""
    library = demo_library(path)
    drafts = [
        ArticleDraft(
            id=f"lnk{i:09d}",
            title=f"Linked {i:02d}",
            body=f"Story {i} cites a source [1] and a map [2].",
            excerpt=f"Story {i} cites a source and a map.",
            url=f"https://example.org/story/{i}",
            links=(f"https://example.org/source/{i}", f"https://example.org/map/{i}"),
            enclosures=(Enclosure(f"https://cdn.example.org/ep{i}.mp3", "audio/mpeg", 1000),),
            published=IMPORTED_AT.replace(hour=12, minute=59 - i),
        )
        for i in range(count)
    ]
    add_drafts(library, "linked", "Linked feed", drafts)
    return library


def recorder(tmp_path: Path) -> tuple[list[str], Path]:
    """A GUI 'browser' that prints to its stdout (which must not reach the screen) and records its
    argument in a file: its argument list for the ``browser`` setting."""
    log = tmp_path / "opened.txt"
    script = (
        f"import sys; print('PAINTED OVER THE SCREEN'); open({str(log)!r}, 'a').write(sys.argv[1] + '\\n')"
    )
    return [sys.executable, "-c", script, "{url}"], log


def opened_urls(log: Path) -> list[str]:
    return log.read_text().split() if log.exists() else []


def main_screen(app: NewsReaderApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


def _linked_index(screen: MainScreen, number: int) -> int:
    index = screen.headlines.index_of(f"lnk{number:09d}")
    assert index is not None
    return index


class SlowBodies(Library):
    """A library whose article bodies load only once ``gate`` opens: the keys a reader sends while
    a body is still loading (a cold disk, a huge article) arrive before it is on screen."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.gate = threading.Event()
        self.gate.set()

    def get(self, article_id: str, /) -> Article:
        self.gate.wait(timeout=60)
        return super().get(article_id)


async def test_fast_n_presses_each_move_one_article(tmp_path: Path) -> None:
    """Defect 1: ``n n n n`` sent at once moved 2 articles (the step started from the loaded one)."""
    linked_library(tmp_path / "lib")
    library = SlowBodies(tmp_path / "lib")
    app = make_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        library.gate.clear()
        await pilot.press("enter", "n", "n", "n", "n")
        library.gate.set()
        await settle(pilot)
        assert screen.headlines.cursor == 4
        view = screen.article_view.article
        assert view is not None and view.id == screen.headlines.articles[4].id


async def test_every_article_action_acts_on_the_same_article(tmp_path: Path) -> None:
    """Defect 2: open item 2, ``j j`` to item 4: ``s`` starred item 4 but ``o`` opened item 2."""
    argv, log = recorder(tmp_path)
    app = make_app(linked_library(tmp_path / "lib"), browser=argv, browser_mode="gui")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("j", "j", "enter")
        await settle(pilot)
        await pilot.press("j", "j", "s", "o")
        await settle(pilot)
        target = screen.headlines.articles[4]
        assert target.starred
        await until(pilot, lambda: bool(opened_urls(log)))
        assert opened_urls(log) == [target.url]


async def test_gui_browser_runs_detached_and_paints_nothing(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defect 3: with ``BROWSER=echo`` the URL was printed into the frame."""
    argv, log = recorder(tmp_path)
    script = tmp_path / "fake-browser"
    script.write_text(f"#!{sys.executable}\n" + argv[2].replace("; ", "\n").replace(";", "\n") + "\n")
    script.chmod(0o755)
    monkeypatch.setenv("BROWSER", str(script))
    monkeypatch.setattr(webbrowser, "_tryorder", None, raising=False)  # webbrowser rereads $BROWSER
    app = make_app(linked_library(tmp_path / "lib"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter", "o")
        await settle(pilot)
        await until(pilot, lambda: bool(opened_urls(log)))
        assert opened_urls(log) == ["https://example.org/story/0"]
    assert "PAINTED" not in capfd.readouterr().out


async def test_terminal_browser_needs_the_terminal_and_says_so(tmp_path: Path) -> None:
    """A terminal browser runs with the app suspended; a headless test driver cannot suspend, so it
    must be told, not run over the screen."""
    argv, log = recorder(tmp_path)
    app = make_app(linked_library(tmp_path / "lib"), browser=argv, browser_mode="terminal")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter", "o")
        await settle(pilot)
        assert any("cannot hand the terminal" in str(n.message) for n in notifications(app))
        assert opened_urls(log) == []


async def test_links_list_opens_a_link_by_its_number(tmp_path: Path) -> None:
    """Defect 4: README's numbered links could not be opened: no links list, no number keys."""
    argv, log = recorder(tmp_path)
    app = make_app(linked_library(tmp_path / "lib"), browser=argv, browser_mode="gui")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        index = _linked_index(screen, 3)
        screen.headlines.move_cursor(index)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("L")
        await settle(pilot)
        text = visible_text(app)
        assert "[1] https://example.org/source/3" in text and "[2] https://example.org/map/3" in text
        assert "ep3.mp3" in text  # enclosures are listed too
        await pilot.press("2")
        await settle(pilot)
        await until(pilot, lambda: bool(opened_urls(log)))
        assert opened_urls(log) == ["https://example.org/map/3"]
        assert app.screen is screen


async def test_article_pane_dates_are_local_and_enclosures_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 10: the pane said ``12:59 UTC`` while ``list`` used local time; item 5: enclosures shown."""
    import time

    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        app = make_app(linked_library(tmp_path / "lib"))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            text = visible_text(app)
            assert "Tuesday 24 November 2026, 13:59 CET" in text
            assert "UTC" not in text
            assert "e1 https://cdn.example.org/ep0.mp3  audio/mpeg · 1.0 KB" in text
    finally:
        monkeypatch.undo()
        time.tzset()


async def test_q_steps_back_and_Q_quits(tmp_path: Path) -> None:
    app = make_app(linked_library(tmp_path / "lib"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        screen.open_article(screen.headlines.articles[0].id)
        await settle(pilot)
        screen.article_view.focus()
        await pilot.pause()
        await pilot.press("q")  # article -> list
        await pilot.pause()
        assert app.is_running and app.focused is screen.headlines
        await pilot.press("slash", "h", "a", "r", "b", "o", "u", "r")
        await settle(pilot)
        await pilot.press("down")  # into the results
        await settle(pilot)
        await pilot.press("q")  # search -> the list it replaced
        await settle(pilot)
        assert app.is_running and not screen.pane.searching
        await pilot.press("Q")
        await pilot.pause()
        assert not app.is_running


async def test_N_goes_on_to_the_next_source_with_unread(tmp_path: Path) -> None:
    library = linked_library(tmp_path / "lib", count=2)
    app = make_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        screen.sources.select_key("src:linked")
        await settle(pilot)
        assert [a.title for a in screen.headlines.articles] == ["Linked 00", "Linked 01"]
        await pilot.press("N", "N")  # both unread ones here
        await settle(pilot)
        await pilot.press("N")  # none left here: the next source with unread articles
        await settle(pilot)
        assert screen.sources.selected_key not in ("src:linked", "all")
        opened = screen.article_view.article
        assert opened is not None and opened.source_id != "linked"
        assert screen.headlines.current is not None and screen.headlines.current.id == opened.id


async def test_sources_keys_are_in_help_and_can_be_remapped(tmp_path: Path) -> None:
    """Item 8: ``sources-down`` was refused as an unknown id, and help did not list it."""
    app = make_app(linked_library(tmp_path / "lib"), keys={"sources-down": "J"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not any("unknown binding id" in str(n.message) for n in notifications(app))
        await pilot.press("question_mark")
        await pilot.pause()
        from rich.console import Console

        from newsreader.tui.screens.help import HelpScreen

        assert isinstance(app.screen, HelpScreen)
        console = Console(width=100, record=True, file=io.StringIO())
        console.print(app.screen.table)
        table = console.export_text()
        assert "sources-down" in table and "sources-up" in table and "quit-now" in table


async def test_compact_list_shows_38_headlines_at_140x42(tmp_path: Path) -> None:
    from tests.tui_support import big_library

    app = make_app(big_library(tmp_path / "lib", 80), compact_list=True)
    async with app.run_test(size=(140, 42)) as pilot:
        await settle(pilot)
        shown = [line for line in visible_text(app).splitlines() if "Generated headline" in line]
        assert len(shown) >= 38
        assert "Generated headline 000000 about the harb" in shown[0] and "Generated feed" in shown[0]
        await pilot.press("c")  # back to the roomy rows
        await pilot.pause()
        roomy = [line for line in visible_text(app).splitlines() if "Generated headline" in line]
        assert len(roomy) < 12
        await pilot.press("c", "j", "j")
        await pilot.pause()
        assert main_screen(app).headlines.cursor == 2
