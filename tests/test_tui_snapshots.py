"""Snapshot tests of the main views at 80 and 140 columns (``pytest --snapshot-update`` to accept)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from newsreader.tui.screens.main import MainScreen
from tests.snapshot_app import make_snapshot_app
from tests.tui_support import settle

WIDTHS = [pytest.param((80, 30), id="80"), pytest.param((140, 40), id="140")]
OPINION = "US President Joe Biden expressed what is on many people’s minds"


async def _open_opinion(pilot: Pilot[None]) -> None:
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    titles = [a.title for a in screen.headlines.articles]
    screen.headlines.move_cursor(titles.index(OPINION))
    await pilot.press("enter")
    await settle(pilot)


@pytest.mark.parametrize("size", WIDTHS)
def test_main_view(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(make_snapshot_app(tmp_path), run_before=settle, terminal_size=size)


@pytest.mark.parametrize("size", WIDTHS)
def test_open_article(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(make_snapshot_app(tmp_path), run_before=_open_opinion, terminal_size=size)


@pytest.mark.parametrize("size", WIDTHS)
def test_help_screen(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(make_snapshot_app(tmp_path), run_before=run_before, terminal_size=size)


def test_narrow_article(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(make_snapshot_app(tmp_path), run_before=_open_opinion, terminal_size=(56, 30))


@pytest.mark.parametrize("size", WIDTHS)
def test_sources_and_starred(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("j", "s", "j", "m", "shift+tab")
        await settle(pilot)

    assert snap_compare(make_snapshot_app(tmp_path), run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("size", WIDTHS)
def test_search_results(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("slash", *"cranes")
        await settle(pilot)

    assert snap_compare(make_snapshot_app(tmp_path), run_before=run_before, terminal_size=size)
