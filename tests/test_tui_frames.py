"""What a keypress repaints: the headline list's scrollbar is drawn where its position says, even
though moves too small to show on it no longer repaint it (issue 16, item 4)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.geometry import Region
from textual.scrollbar import ScrollBar

from newsreader.tui.widgets.headline_list import HeadlineList, _thumb
from tests.tui_support import big_library, main_screen, make_app, settle

pytestmark = pytest.mark.anyio


def _cells(bar: ScrollBar) -> list[tuple[str, bool]]:
    """The scrollbar as the compositor gets it (its cached lines when it was not repainted)."""
    strips = bar.render_lines(Region(0, 0, bar.size.width, bar.size.height))
    return [(strip.text, any(s.style is not None and s.style.reverse for s in strip)) for strip in strips]


def _drawn_at(bar: ScrollBar, position: float) -> list[tuple[str, bool]]:
    """The scrollbar as Textual's renderer draws it afresh at ``position``."""
    return [
        (segment.text, segment.style is not None and bool(segment.style.reverse))
        for segment in _thumb(bar, position)
    ]


async def test_the_scrollbar_shows_where_the_list_is_after_every_move(tmp_path: Path) -> None:
    library = big_library(tmp_path / "lib", 1_500)
    app = make_app(library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        headlines = main_screen(app).headlines
        assert isinstance(headlines, HeadlineList) and len(headlines.articles) == 1_500
        bar = headlines.vertical_scrollbar
        seen = set()
        for key in ["j"] * 40 + ["ctrl+d"] * 5 + ["end"] + ["k"] * 12 + ["home"]:
            await pilot.press(key)
            await pilot.pause()
            assert bar.position == bar.validate_position(headlines.scroll_y)  # exact: drags start here
            cells = _cells(bar)
            assert cells == _drawn_at(bar, bar.position)
            seen.add(tuple(cells))
        assert len(seen) > 5  # the thumb did move on screen, top to bottom and back


def test_a_row_changed_in_place_is_replace_s_result() -> None:
    """``with_changes`` (the fast ``replace`` behind ``m``, ``s`` and ``A``) keeps every field."""
    from dataclasses import fields, replace
    from datetime import UTC, datetime

    from newsreader.models import Article, Enclosure, SourceKind
    from newsreader.tui.widgets.headline_list import with_changes

    when = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    article = Article(
        "id1", "src", "Title", "Feed", "https://x.test/feed", SourceKind.FEED, "Lead", when,
        author="A. Writer", published=when, url="https://x.test/1", truncated=True, order=3,
        body="Body", author_note="Note", credits=("c",), links=("https://x.test/l",),
        full_article="id2", tags=("a", "b"), enclosures=(Enclosure("https://x.test/e", "audio/mpeg", 1),),
    )  # fmt: skip
    unset = [f.name for f in fields(Article) if getattr(article, f.name) == f.default]
    assert unset == ["read", "starred"]  # every other field set: a field out of place would show
    for changes in ({"read": True}, {"starred": True, "read": True}, {"tags": ()}):
        assert with_changes(article, changes) == replace(article, **changes)  # type: ignore[arg-type]


async def test_the_lists_unread_count_follows_marks_a_and_reloads(tmp_path: Path) -> None:
    """The title's count is kept, not recounted: it must still be the rows' own after each change."""
    from newsreader.tui.screens.confirm import ConfirmScreen
    from tests.tui_support import until

    library = big_library(tmp_path / "lib", 300)
    app = make_app(library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        headlines = screen.headlines

        def shown() -> tuple[int, str]:
            unread = sum(1 for a in headlines.articles if not a.read)
            return unread, f"{len(headlines.articles)} · {unread} unread"

        counts = []
        for keys in (["m"], ["j", "m"], ["m"], ["k", "m", "m"], ["u"]):
            await pilot.press(*keys)
            await settle(pilot)
            unread, subtitle = shown()
            assert headlines.unread == unread and screen.pane.border_subtitle == subtitle
            counts.append(unread)
        assert counts == [299, 298, 299, 299, 300]
        await pilot.press("A")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(pilot)
        assert headlines.unread == 0 and screen.pane.border_subtitle == shown()[1]
        await pilot.press("m")
        screen.load_everything()  # what a refresh does after it
        await settle(pilot)
        assert headlines.unread == 1 and screen.pane.border_subtitle == shown()[1]


async def test_progress_reports_that_leave_the_label_as_it_was_do_not_redraw_it(tmp_path: Path) -> None:
    """A 100,000-article index build reports a hundred times under one label: each update of the
    label's ``Static`` laid the whole screen out again."""
    from textual.widgets import Static

    app = make_app(big_library(tmp_path / "lib", 20))
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        status = main_screen(app).status
        label = status.query_one("#status-label", Static)
        updates: list[str] = []
        update = label.update

        def counted(content: object = "", **kwargs: bool) -> None:
            updates.append(str(content))
            update(content, **kwargs)  # type: ignore[arg-type]

        label.update = counted  # type: ignore[method-assign]
        for done in range(50):
            status.show_progress(done, 50, "building search index")
        status.show_progress(50, 50, "updating search index")
        status.done("Indexed")
        await pilot.pause()
        assert updates == ["building search index", "updating search index", "Indexed"]
        assert str(label.render()) == "Indexed"
