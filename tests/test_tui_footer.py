"""The key footer (tui/widgets/key_footer.py): the focused pane's keys, clickable, never a key cut in half."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsreader.tui.screens.help import HelpScreen
from newsreader.tui.widgets.key_footer import KeyFooter
from tests.tui_support import demo_library, make_app, settle, until, visible_text

pytestmark = pytest.mark.anyio


def footer_line(app: object) -> str:
    return visible_text(app).splitlines()[-1]


def shown_descriptions(app: object) -> list[str]:
    """What the screen's bindings say the footer should offer, in order, one per action."""
    seen: set[str] = set()
    out = []
    for active in app.screen.active_bindings.values():  # type: ignore[attr-defined]
        binding = active.binding
        if binding.show and binding.action not in seen and binding.key != "ctrl+p":
            seen.add(binding.action)
            out.append(binding.description)
    return out


async def test_the_footer_follows_focus_and_offers_every_shown_key(tmp_path: Path) -> None:
    app = make_app(demo_library(tmp_path / "lib"))
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await until(pilot, lambda: "Open" in footer_line(app))
        line = footer_line(app)
        assert all(f" {text} " in line for text in shown_descriptions(app)), line
        assert line.rstrip().endswith("Commands")
        await pilot.press("tab")  # the article pane: its keys, and no "Open"
        await settle(pilot)
        await until(pilot, lambda: "Open" not in footer_line(app))
        assert all(f" {text} " in footer_line(app) for text in shown_descriptions(app))


async def test_clicking_a_key_in_the_footer_presses_it(tmp_path: Path) -> None:
    app = make_app(demo_library(tmp_path / "lib"))
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await until(pilot, lambda: "? Help" in footer_line(app))
        x = footer_line(app).index("? Help")
        assert await pilot.click(KeyFooter, offset=(x, 0))
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))


@pytest.mark.parametrize("width", [80, 56])
async def test_keys_that_do_not_fit_are_left_out_whole(tmp_path: Path, width: int) -> None:
    app = make_app(demo_library(tmp_path / "lib"))
    async with app.run_test(size=(width, 30)) as pilot:
        await settle(pilot)
        await until(pilot, lambda: "Commands" in footer_line(app))
        line = footer_line(app)
        assert len(line) <= width and line.rstrip().endswith("^p Commands")
        wanted = shown_descriptions(app)
        offered = [text for text in wanted if f" {text} " in line]
        assert offered == wanted[: len(offered)] and len(offered) < len(wanted)  # a prefix, each whole
        footer = app.screen.query_one(KeyFooter)
        assert len(footer.keys_shown) == len(offered) + 1  # and the palette key
