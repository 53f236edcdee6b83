"""Pilot tests of the reading app on real libraries: every binding and flow, end to end."""

from __future__ import annotations

import sys
import webbrowser
from pathlib import Path

import pytest
from textual.command import CommandList
from textual.widgets import Input

from newsreader.config import load_settings
from newsreader.library import Library
from newsreader.models import ArticleDraft
from newsreader.tui.app import NewsReaderApp
from newsreader.tui.screens.confirm import ConfirmScreen
from newsreader.tui.screens.help import HelpScreen
from newsreader.tui.screens.main import MainScreen
from newsreader.tui.screens.prompt import PromptScreen
from newsreader.tui.widgets.article_view import ArticleView
from newsreader.tui.widgets.headline_list import HeadlineList
from tests.tui_support import (
    IMPORTED_AT,
    add_drafts,
    demo_library,
    make_app,
    notifications,
    row_text,
    settle,
    until,
    visible_text,
)

pytestmark = pytest.mark.anyio

SIZE = (140, 40)
OPINION = "US President Joe Biden expressed what is on many people’s minds"


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    return demo_library(tmp_path / "lib")


def main_screen(app: NewsReaderApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


def fresh(library: Library) -> Library:
    """The same library opened anew, as another process would see it."""
    return Library(library.path)


async def test_startup_shows_headlines_sources_and_previews(lib: Library) -> None:
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        titles = [a.title for a in screen.headlines.articles]
        assert len(titles) == 7
        assert OPINION in titles
        assert app.focused is screen.headlines
        text = visible_text(app)
        assert "All articles" in text and "Unread" in text and "Starred" in text
        assert "Dump of 24 Nov 2026" in text and "Harbour News" in text  # readable dump names
        assert "excerpt only" in text  # teasers are marked in the list
        assert "3h" in text  # relative dates from the injected clock
        assert "7 · 7 unread" in text


async def test_enter_opens_the_opinion_piece_and_marks_it_read(lib: Library) -> None:
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        index = [a.title for a in screen.headlines.articles].index(OPINION)
        screen.headlines.move_cursor(index)
        await pilot.press("enter")
        await settle(pilot)
        view = screen.article_view
        assert view.article is not None and view.article.title == OPINION
        text = visible_text(app)
        assert "By Andreas Kluth" in text
        assert "Illustration: Yusha" in text
        assert "Ruminating out loud" in text
        # The closing bio is set apart at the end, not lost.
        assert view.article.author_note and "Andreas Kluth" in view.article.author_note
        assert screen.headlines.articles[index].read
        assert fresh(lib).get(view.article.id).read  # saved durably


async def test_space_pages_to_the_end_and_escape_goes_back(lib: Library) -> None:
    app = make_app(lib)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        index = [a.title for a in screen.headlines.articles].index(OPINION)
        screen.headlines.move_cursor(index)
        await pilot.press("enter")
        await settle(pilot)
        view = screen.article_view
        assert view.scroll_y == 0 and view.max_scroll_y > 20
        await pilot.press("tab")
        assert app.focused is view
        for _ in range(40):
            if view.at_end:
                break
            before = view.scroll_y
            await pilot.press("space")
            await until(pilot, lambda: view.scroll_y > before)  # noqa: B023 (awaited here, in this turn)
        assert view.at_end
        assert "Andreas Kluth" in visible_text(app)  # the author note closes the article
        await pilot.press("escape")
        assert app.focused is screen.headlines


async def test_cursor_keys_move_through_the_list(lib: Library) -> None:
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        headlines = main_screen(app).headlines
        assert headlines.cursor == 0
        await pilot.press("j", "down")
        assert headlines.cursor == 2
        await pilot.press("k")
        assert headlines.cursor == 1
        await pilot.press("up", "up")
        assert headlines.cursor == 0  # clamped at the top
        await pilot.press("G")
        assert headlines.cursor == 6
        await pilot.press("g")
        assert headlines.cursor == 0
        await pilot.press("end")
        assert headlines.cursor == 6
        await pilot.press("home", "ctrl+d")
        assert headlines.cursor > 0
        await pilot.press("ctrl+u")
        assert headlines.cursor == 0


async def test_next_previous_and_next_unread(lib: Library) -> None:
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        articles = screen.headlines.articles
        await pilot.press("n")
        await settle(pilot)
        assert screen.article_view.article is not None
        assert screen.article_view.article.id == articles[0].id
        await pilot.press("n")
        await settle(pilot)
        assert screen.article_view.article.id == articles[1].id
        await pilot.press("p")
        await settle(pilot)
        assert screen.article_view.article.id == articles[0].id
        # Rows 0 and 1 are read now; N skips to the first unread after the cursor.
        await pilot.press("N")
        await settle(pilot)
        assert screen.article_view.article.id == articles[2].id
        assert all(a.read for a in screen.headlines.articles[:3])


async def test_m_toggles_read_and_s_stars_durably(lib: Library) -> None:
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        first = screen.headlines.articles[0].id
        await pilot.press("m")
        await settle(pilot)
        assert screen.headlines.articles[0].read
        assert fresh(lib).get(first).read
        await pilot.press("m")
        await settle(pilot)
        assert not fresh(lib).get(first).read
        await pilot.press("s")
        await settle(pilot)
        assert screen.headlines.articles[0].starred
        assert "★" in row_text(app, 0)
        assert fresh(lib).get(first).starred
        # Rapid toggles are saved in order: the last one wins.
        await pilot.press("s", "s", "s")
        await settle(pilot)
        assert not fresh(lib).get(first).starred
        assert not screen.headlines.articles[0].starred


async def test_capital_a_marks_the_source_read_after_confirming(lib: Library) -> None:
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("A")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")  # cancel: nothing changes
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert all(not a.read for a in fresh(lib).articles())
        await pilot.press("A")
        await pilot.pause()
        await pilot.press("enter")  # the confirm button has focus
        await settle(pilot)
        assert all(a.read for a in screen.headlines.articles)
        assert all(a.read for a in fresh(lib).articles())
        assert "Unread" in visible_text(app)


async def test_capital_a_in_one_source_leaves_the_others(lib: Library) -> None:
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("tab")  # to the article pane
        await pilot.press("tab")  # round to the sources
        assert app.focused is screen.sources
        harbour = next(s for s in lib.sources() if s.title == "Harbour News")
        screen.sources.select_key(f"src:{harbour.id}")
        await settle(pilot)
        assert {a.feed for a in screen.headlines.articles} == {"Harbour News"}
        await pilot.press("A")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        counts = {s.title: s.unread for s in fresh(lib).sources()}
        assert counts == {"Harbour News": 0, "Dump of 24 Nov 2026": 5}


async def test_source_list_filters_views(lib: Library) -> None:
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("s")  # star the first headline
        await settle(pilot)
        await pilot.press("shift+tab")
        assert app.focused is screen.sources
        await pilot.press("down", "down")  # All -> Unread -> Starred
        await settle(pilot)
        assert [a.starred for a in screen.headlines.articles] == [True]
        await pilot.press("up")  # Unread
        await settle(pilot)
        assert len(screen.headlines.articles) == 7
        await pilot.press("enter")
        assert app.focused is screen.headlines


async def test_tab_cycles_panes_with_visible_focus(lib: Library) -> None:
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert app.focused is screen.headlines
        await pilot.press("tab")
        assert app.focused is screen.article_view
        assert screen.article_view.has_pseudo_class("focus-within")
        await pilot.press("tab")
        assert app.focused is screen.sources
        await pilot.press("tab")
        assert app.focused is screen.headlines
        await pilot.press("shift+tab")
        assert app.focused is screen.sources


async def test_o_opens_http_links_only(lib: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    add_drafts(
        lib,
        "linked",
        "Linked feed",
        [
            ArticleDraft(
                id="linked000000001",
                title="A teaser with a link",
                body="The first paragraph of a story that stops",
                excerpt="The first paragraph of a story that stops",
                url="https://example.org/story",
                truncated=True,
                published=IMPORTED_AT.replace(hour=11),
            ),
            ArticleDraft(
                id="linked000000002",
                title="A link that is not the web",
                body="Body.",
                excerpt="Body.",
                url="javascript:alert(1)",
                published=IMPORTED_AT.replace(hour=10),
            ),
        ],
    )
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert screen.headlines.articles[0].title == "A teaser with a link"
        await pilot.press("enter")
        await settle(pilot)
        text = visible_text(app)
        assert "Excerpt only." in text and "press o to open the full article" in text
        await pilot.press("o")
        await settle(pilot)
        assert opened == ["https://example.org/story"]
        await pilot.press("j", "enter")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert opened == ["https://example.org/story"]
        assert any("Only http(s) links" in str(n.message) for n in notifications(app))
        await pilot.press("j", "enter")
        await settle(pilot)
        await pilot.press("o")  # a dump article has no link at all
        await settle(pilot)
        assert any("no link" in str(n.message) for n in notifications(app))


async def test_help_screen_lists_every_binding_with_its_id(lib: Library) -> None:
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = visible_text(app)
        for expected in ("next-unread", "toggle-star", "mark-source-read", "Search", "Quit"):
            assert expected in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_q_quits(lib: Library) -> None:
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_command_palette_offers_reading_actions(lib: Library) -> None:
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Star")
        # The palette searches its commands in a worker of its own: wait for its results.
        await until(pilot, lambda: app.screen.query_one(CommandList).option_count > 0)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert screen.headlines.articles[0].starred
        assert fresh(lib).get(screen.headlines.articles[0].id).starred


async def test_keys_table_remaps_bindings_by_id(lib: Library) -> None:
    app = make_app(lib, keys={"toggle-star": "x", "list-down": "ctrl+n"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("s")
        await settle(pilot)
        assert not screen.headlines.articles[0].starred
        await pilot.press("x")
        await settle(pilot)
        assert screen.headlines.articles[0].starred
        await pilot.press("ctrl+n")
        assert screen.headlines.cursor == 1
        await pilot.press("question_mark")
        await pilot.pause()
        assert "x" in visible_text(app)


async def test_unknown_key_ids_are_reported_not_fatal(lib: Library) -> None:
    app = make_app(lib, keys={"no-such-binding": "z"})
    async with app.run_test(size=SIZE) as pilot:

        def reported() -> bool:
            return any("no-such-binding" in str(n.message) for n in notifications(app))

        # Shown at start for 5 s: on a loaded machine settling can take longer than that.
        await until(pilot, reported)
        await settle(pilot)
        assert app.is_running


async def test_theme_change_is_saved_to_settings(lib: Library, tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('refresh_concurrency = 4\n\n[keys]\nquit = "q"\n', encoding="utf-8")
    app = NewsReaderApp(lib, load_settings(path), path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "newsreader"
        app.theme = "nord"
        await settle(pilot)
    saved = load_settings(path)
    assert saved.theme == "nord"
    assert saved.refresh_concurrency == 4 and saved.keys == {"quit": "q"}


async def test_import_prompt_adds_articles_and_reports_errors(lib: Library, tmp_path: Path) -> None:
    dump = tmp_path / "more.txt"
    dump.write_text(
        "Fresh bread on Sundays\n\nThe bakery on the corner opens on Sundays from next month.\n",
        encoding="utf-8",
    )
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        app.screen.query_one(Input).value = str(dump)
        await pilot.press("enter")
        await settle(pilot)
        assert len(screen.headlines.articles) == 8  # appears without a restart
        assert any("1 new" in str(n.message) for n in notifications(app))
        await pilot.press("i")
        await pilot.pause()
        app.screen.query_one(Input).value = str(tmp_path / "missing.txt")
        await pilot.press("enter")
        await settle(pilot)
        assert app.is_running
        assert any(n.severity == "error" for n in notifications(app))
        assert len(screen.headlines.articles) == 8


async def test_click_opens_a_headline(lib: Library) -> None:
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        region = screen.headlines.content_region
        # Row 1 (the second headline) starts four lines below the first.
        await pilot.click(HeadlineList, offset=(5, 5))
        await settle(pilot)
        assert region.height > 8
        assert screen.headlines.cursor == 1
        assert screen.article_view.article is not None
        assert screen.article_view.article.id == screen.headlines.articles[1].id


async def test_untrusted_markup_and_escapes_show_literally(tmp_path: Path) -> None:
    nasty = (
        "[bold]Loud[/] title [@click=app.quit]click me[/]\n\n"
        "Body with [red]markup[/red] and an escape \x1b[31mred\x1b[0m and \x1b]0;pwned\x07 title.\n"
    )
    lib = demo_library(tmp_path / "lib", extra_dumps={"nasty.txt": nasty})
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        titles = [a.title for a in screen.headlines.articles]
        index = next(i for i, t in enumerate(titles) if "[bold]" in t)
        screen.headlines.move_cursor(index)
        await pilot.pause()
        assert "[bold]Loud[/] title [@click=app.q" in row_text(app, index)
        await pilot.press("enter")
        await settle(pilot)
        text = visible_text(app)
        assert "[red]markup[/red]" in text
        assert "\x1b" not in text and "\x07" not in text
        await pilot.click(ArticleView, offset=(10, 1))  # clicking the title quits nothing
        await pilot.pause()
        assert app.is_running
        assert "[@click=app.quit]" in text


async def test_narrow_and_medium_layouts(lib: Library) -> None:
    app = make_app(lib)
    async with app.run_test(size=(80, 30)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert screen.has_class("-medium")
        await pilot.press("enter")  # the list has the width until an article opens (issue 13)
        await settle(pilot)
        assert not screen.sources.display or screen.sources.region.width == 0
        assert screen.headlines.region.width > 0 and screen.article_view.region.width > 0
        await pilot.press("shift+tab")
        await pilot.pause()
        assert screen.sources.region.width > 0  # sources swap in when focused
        assert screen.article_view.region.width == 0
    app = make_app(lib)
    async with app.run_test(size=(50, 30)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert screen.has_class("-narrow")
        assert screen.headlines.region.width > 40
        assert screen.article_view.region.width == 0
        await pilot.press("enter")
        await settle(pilot)
        assert app.focused is screen.article_view
        assert screen.headlines.region.width == 0 and screen.article_view.region.width > 40
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused is screen.headlines and screen.headlines.region.width > 40


async def test_state_survives_a_concurrent_cli_import(lib: Library, tmp_path: Path) -> None:
    import asyncio

    from tests.tui_support import ROOT

    dump = tmp_path / "concurrent.txt"
    dump.write_text(
        "Night trains are back\n\nThe sleeper service resumes in spring with new carriages.\n",
        encoding="utf-8",
    )
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "newsreader",
            "--library",
            str(lib.path),
            "import",
            str(dump),
            cwd=ROOT,
        )
        for _ in range(4):
            await pilot.press("m", "j")
        assert await proc.wait() == 0
        await settle(pilot)
        marked = [a.id for a in screen.headlines.articles if a.read]
        assert len(marked) == 4
        screen.poll_library()  # what the 15 s timer does: notice the other process's import
        await settle(pilot)
        assert any(a.title == "Night trains are back" for a in screen.headlines.articles)
        assert sum(a.read for a in screen.headlines.articles) == 4  # and keep our marks
    after = fresh(lib)
    assert all(after.get(i).read for i in marked)
    assert any(a.title == "Night trains are back" for a in after.articles())


async def test_errors_from_the_library_become_notifications(lib: Library) -> None:
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        screen.open_article("does-not-exist")
        await settle(pilot)
        assert app.is_running
        assert any("no article" in str(n.message) for n in notifications(app))


async def test_quitting_right_after_opening_keeps_the_read_mark(lib: Library) -> None:
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        first = screen.headlines.articles[0].id
        await pilot.press("enter")
        # On screen, so marked read (an article that never showed stays unread); q comes at once, as a
        # rule within the mark writer's 0.15 s before it saves an opened article's mark.
        await until(pilot, lambda: screen.article_view.article is not None)
        await pilot.press("q")
    assert fresh(lib).get(first).read


async def test_paging_keys_and_article_scroll_keys(lib: Library) -> None:
    app = make_app(lib)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        index = [a.title for a in screen.headlines.articles].index(OPINION)
        screen.headlines.move_cursor(index)
        view = screen.article_view
        await pilot.press("space")  # nothing open yet: space opens the highlighted article
        await settle(pilot)
        assert view.article is not None and view.article.title == OPINION
        # Each scroll lands with a refresh after the key is handled: the test waits for where it must land.
        await pilot.press("pagedown")  # pages the article while the list keeps focus
        await until(pilot, lambda: view.scroll_y > 0)
        await settle(pilot)
        assert app.focused is screen.headlines
        paged = view.scroll_y
        await pilot.press("b")
        await until(pilot, lambda: view.scroll_y == 0)
        await pilot.press("pagedown", "pagedown")
        await until(pilot, lambda: view.scroll_y == 2 * paged)
        await pilot.press("pageup")
        await until(pilot, lambda: view.scroll_y == paged)
        await pilot.press("tab")
        await settle(pilot)
        top = view.scroll_y
        await pilot.press("j", "j")
        await until(pilot, lambda: view.scroll_y == top + 2)
        await pilot.press("k")
        await until(pilot, lambda: view.scroll_y == top + 1)
        await pilot.press("end")
        await until(pilot, lambda: view.at_end)
