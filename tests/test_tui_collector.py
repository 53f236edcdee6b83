"""Three of issue 16's stall fixes in the app: the cycle collector held off while a list loads
(``tui/collector.py``), rows changed off screen drawn right once scrolled to (not refreshed one by
one when ``A`` changes them), and a 1 ms GIL switch interval while the app runs."""

from __future__ import annotations

import gc
import sys
import threading
from pathlib import Path

import pytest

from newsreader.tui.collector import quiet_collector
from newsreader.tui.screens.confirm import ConfirmScreen
from newsreader.tui.screens.main import MainScreen
from tests.tui_support import big_library, make_app, settle, until, visible_text

pytestmark = pytest.mark.anyio


def test_the_collector_waits_for_the_last_load_and_then_freezes_what_it_made() -> None:
    assert gc.isenabled()
    inner_started, inner_may_end = threading.Event(), threading.Event()
    seen: list[bool] = []

    def other_load() -> None:
        with quiet_collector():
            inner_started.set()
            inner_may_end.wait(10)
        seen.append(gc.isenabled())

    with quiet_collector():
        assert not gc.isenabled()
        thread = threading.Thread(target=other_load)
        thread.start()
        assert inner_started.wait(10)
    assert not gc.isenabled()  # the other load is still under way
    made = [[i] for i in range(1000)]
    inner_may_end.set()
    thread.join(10)
    assert seen == [True] and gc.isenabled()
    assert gc.get_freeze_count() >= len(made)


async def test_rows_marked_read_off_screen_show_read_when_scrolled_to(tmp_path: Path) -> None:
    library = big_library(tmp_path / "lib", 60)
    app = make_app(library)
    async with app.run_test(size=(140, 42)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        last = screen.headlines.articles[-1].title
        assert f"● {last}" not in visible_text(app)  # the last row is off screen, unread
        await pilot.press("A")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("end")
        await settle(pilot)
        text = visible_text(app)
        assert last in text and f"● {last}" not in text and "●" not in text
        assert all(a.read for a in library.articles())


async def test_the_app_shortens_the_switch_interval_while_it_runs_and_puts_it_back(tmp_path: Path) -> None:
    from newsreader.tui.app import SWITCH_INTERVAL
    from tests.tui_support import demo_library

    before = sys.getswitchinterval()
    assert before != SWITCH_INTERVAL
    app = make_app(demo_library(tmp_path / "lib"))
    async with app.run_test(size=(140, 42)) as pilot:
        await settle(pilot)
        assert sys.getswitchinterval() == SWITCH_INTERVAL
    assert sys.getswitchinterval() == before


@pytest.mark.parametrize("quit_midway", [False, True])
async def test_a_holds_the_collector_off_while_its_rows_turn_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, quit_midway: bool
) -> None:
    """``A``'s new rows set off full collections of 25-70 ms at 100,000 rows: none run until the
    last row is read, and the collector runs again after it, or after quitting half-way."""
    from newsreader.tui.screens import marking

    monkeypatch.setattr(marking, "SLICE", 0.0)  # a slice a row: many steps even for 400 rows
    monkeypatch.setattr(marking, "FIRST_ROWS", 10)
    app = make_app(big_library(tmp_path / "lib", 400))
    async with app.run_test(size=(140, 42)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen) and gc.isenabled()
        headlines = screen.headlines
        enabled: list[bool] = []
        update = headlines.update_article

        def recording(article_id: str, **changes: object) -> object:
            enabled.append(gc.isenabled())
            return update(article_id, **changes)

        headlines.update_article = recording  # type: ignore[method-assign]
        await pilot.press("A")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        if not quit_midway:
            await settle(pilot)
            assert all(a.read for a in headlines.articles) and gc.isenabled()
            assert len(enabled) == 400 and not any(enabled)
    assert enabled and not any(enabled) and gc.isenabled()


def test_a_sweeping_hold_collects_the_cycles_made_inside_instead_of_freezing_them() -> None:
    """A refresh makes cycles (its event loop, futures, tracebacks): kept for good by the freeze
    they would be a leak, one refresh after another."""
    import weakref

    class Node:
        other: object = None

    with quiet_collector(sweep=True):
        assert not gc.isenabled()
        first, second = Node(), Node()
        first.other, second.other = second, first  # garbage once the names go, a cycle
        gone = weakref.ref(first)
        del first, second
        kept = [Node() for _ in range(100)]
    assert gone() is None and gc.isenabled()
    assert gc.get_freeze_count() >= len(kept)
