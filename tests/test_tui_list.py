"""Pilot tests for issue 13's list and navigation half: order, hide-read, previous unread, delete,
the action rule in the footer, the layout of the empty hints and the list's density."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsreader.library import Library
from newsreader.tui.screens.main import MainScreen
from newsreader.tui.widgets.source_list import source_key
from tests.tui_support import SEED, demo_library, main_screen, make_app, settle, until, visible_text

pytestmark = pytest.mark.anyio

SIZE = (140, 42)


def titles(screen: MainScreen) -> list[str]:
    return [a.title for a in screen.headlines.articles]


def list_title(screen: MainScreen) -> str:
    return str(screen.pane.border_title)


async def test_sort_orders_cycle_show_in_the_title_and_survive_a_reload(tmp_path: Path) -> None:
    library = demo_library(tmp_path / "lib")
    newest = [a.title for a in library.articles()]
    app = make_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert titles(screen) == newest and "newest first" in list_title(screen)
        await pilot.press("O")
        await settle(pilot)
        assert titles(screen) == newest[::-1] and "oldest first" in list_title(screen)
        await pilot.press("O")
        await settle(pilot)
        assert titles(screen) == sorted(newest, key=str.casefold) and "by title" in list_title(screen)
        await pilot.press("O")
        await settle(pilot)
        feeds = [a.feed for a in screen.headlines.articles]
        assert feeds == sorted(feeds, key=str.casefold) and "by source" in list_title(screen)
        await pilot.press("O", "O")  # newest, then oldest again
        await settle(pilot)
        screen.load_everything()  # what a refresh or another process's import does
        await settle(pilot)
        assert titles(screen) == newest[::-1] and "oldest first" in list_title(screen)
        harbour = next(s for s in library.sources() if s.title == "Harbour News")
        screen.sources.select_key(source_key(harbour.id))  # a source switch keeps the order
        await settle(pilot)
        own = [a.title for a in library.articles(source=harbour.id)]
        assert titles(screen) == own[::-1] and "oldest first" in list_title(screen)


async def test_sort_order_and_hide_read_settings_set_the_start(tmp_path: Path) -> None:
    library = demo_library(tmp_path / "lib")
    first = library.articles()[0]
    library.mark([first.id], read=True)
    app = make_app(library, sort_order="title", hide_read=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        unread = [a.title for a in library.articles(unread=True)]
        assert titles(screen) == sorted(unread, key=str.casefold)
        assert first.title not in titles(screen)
        assert "by title · unread only" in list_title(screen)


async def test_hide_read_keeps_the_row_in_use_and_survives_a_source_switch(tmp_path: Path) -> None:
    library = demo_library(tmp_path / "lib")
    app = make_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        count = len(screen.headlines.articles)
        await pilot.press("enter")  # opening the first article marks it read
        await settle(pilot)
        opened = screen.headlines.current
        assert opened is not None and opened.read
        await pilot.press("H")
        await settle(pilot)
        assert "unread only" in list_title(screen)
        # The article being read stays (the cursor would jump otherwise); the other rows are unread.
        assert screen.headlines.current is not None and screen.headlines.current.id == opened.id
        assert len(screen.headlines.articles) == count
        await pilot.press("j")
        await settle(pilot)
        screen.load_everything()  # a refresh: now the read one, no longer under the cursor, goes
        await settle(pilot)
        assert opened.id not in {a.id for a in screen.headlines.articles}
        assert all(not a.read for a in screen.headlines.articles)
        seed = next(s for s in library.sources() if s.location.endswith(SEED.name))
        screen.sources.select_key(source_key(seed.id))
        await settle(pilot)
        assert screen.headlines.articles and all(not a.read for a in screen.headlines.articles)
        assert opened.id not in {a.id for a in screen.headlines.articles}
        await pilot.press("H")
        await settle(pilot)
        assert opened.id in {a.id for a in screen.headlines.articles}
        assert "unread only" not in list_title(screen)


async def test_U_opens_the_previous_unread_article(tmp_path: Path) -> None:
    library = demo_library(tmp_path / "lib")
    ids = [a.id for a in library.articles()]
    library.mark([ids[1], ids[2]], read=True)
    app = make_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        screen.headlines.move_cursor(3)
        await pilot.press("U")  # rows 2 and 1 are read: on to row 0
        await settle(pilot)
        assert screen.headlines.cursor == 0
        assert screen.article_view.article is not None and screen.article_view.article.id == ids[0]
        await pilot.press("U")  # wraps to the last unread
        await settle(pilot)
        assert screen.headlines.cursor == len(ids) - 1


async def test_D_deletes_u_undoes_and_closing_stores_it(tmp_path: Path) -> None:
    library = demo_library(tmp_path / "lib")
    before = [a.id for a in library.articles()]
    victim, spared = before[1], before[2]
    app = make_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        total = screen.sources.counts[2]
        screen.headlines.move_cursor(1)
        await pilot.press("D")
        await settle(pilot)
        assert victim not in {a.id for a in screen.headlines.articles}
        assert screen.headlines.current is not None and screen.headlines.current.id == spared
        assert screen.sources.counts[2] == total - 1  # the counts leave it out at once
        await pilot.press("u")
        await settle(pilot)
        assert victim in {a.id for a in screen.headlines.articles}
        assert screen.headlines.current is not None and screen.headlines.current.id == victim
        assert screen.sources.counts[2] == total
        await pilot.press("D")  # for good this time
        await settle(pilot)
        screen.load_everything()  # deleted articles stay out of reloaded lists
        await settle(pilot)
        assert victim not in {a.id for a in screen.headlines.articles}
        assert victim in {a.id for a in library.articles()}  # still undoable: nothing stored yet
    after = Library(library.path)
    assert victim not in {a.id for a in after.articles()}
    assert sum(s.articles for s in after.sources()) == len(before) - 1
    assert victim not in {h.article.id for h in after.search("harbour OR biden OR election")}
    after.import_paths([SEED, *sorted((tmp_path / "lib-dumps").iterdir())])  # a re-import
    assert victim not in {a.id for a in after.articles()}


async def test_the_footer_says_which_article_the_keys_act_on(tmp_path: Path) -> None:
    """Defect 2: one rule for every article action, shown in the footer."""
    app = make_app(demo_library(tmp_path / "lib"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await until(pilot, lambda: "highlighted" in visible_text(app).splitlines()[-1])
        await pilot.press("enter", "tab")  # the article pane has focus: keys act on it
        await settle(pilot)
        assert screen._pane == "article"
        await until(pilot, lambda: "open article" in visible_text(app).splitlines()[-1])
        await pilot.press("escape")
        await settle(pilot)
        await until(pilot, lambda: "highlighted" in visible_text(app).splitlines()[-1])


def list_lines(screen: MainScreen) -> list[str]:
    """What the headline list draws, line by line, as plain text."""
    headlines = screen.headlines
    height = headlines.scrollable_content_region.height
    return ["".join(seg.text for seg in headlines.render_line(y)).rstrip() for y in range(height)]


@pytest.mark.parametrize("width", [140, 80, 56])
async def test_the_empty_list_hints_are_never_cut(tmp_path: Path, width: int) -> None:
    """Defect 8: the first-run hint and the empty Starred hint ended in ``…``."""
    app = make_app(Library(tmp_path / "empty"))
    async with app.run_test(size=(width, 30)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        shown = " ".join(" ".join(list_lines(screen)).split())
        assert "No articles yet: import a dump (i) or add a feed (a)." in shown
        screen.sources.select_key("starred")
        await settle(pilot)
        shown = " ".join(" ".join(list_lines(screen)).split())
        assert "…" not in shown and screen.headlines.empty_text in shown


@pytest.mark.parametrize("width", [140, 80])
async def test_the_list_takes_the_width_until_an_article_opens(tmp_path: Path, width: int) -> None:
    """Issue 13, density: an empty article pane took 66 of 140 columns."""
    app = make_app(demo_library(tmp_path / "lib"), compact_list=True)
    async with app.run_test(size=(width, 30)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        sources = 24 if width >= 120 else 0
        assert screen.pane.region.width == width - sources
        assert screen.article_view.region.width == 0
        await pilot.press("enter")
        await settle(pilot)
        assert screen.article_view.region.width > 30
        assert screen.pane.region.width < width - sources - 30


async def test_compact_rows_keep_source_names_whole_and_a_one_feed_view_leaves_them_out(
    tmp_path: Path,
) -> None:
    """Issue 13, density: source names were cut to 13 characters and repeated in a one-feed view."""
    from tests.tui_support import big_library

    library = big_library(tmp_path / "lib", 60)
    app = make_app(library, compact_list=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("enter")  # the article pane takes its share of the width
        await settle(pilot)
        lines = [line for line in list_lines(screen) if "Generated headli" in line]
        assert len(lines) > 20 and all("Generated feed" in line for line in lines)
        only = library.sources()[0]
        screen.sources.select_key(source_key(only.id))
        await settle(pilot)
        lines = [line for line in list_lines(screen) if "Generated headli" in line]
        assert len(lines) > 20 and not any("Generated feed" in line for line in lines), list_lines(screen)[:5]


def test_sort_order_and_hide_read_settings_are_checked(tmp_path: Path) -> None:
    from newsreader.config import load_settings
    from newsreader.errors import UserInputError

    path = tmp_path / "settings.toml"
    path.write_text('sort_order = "title"\nhide_read = true\n', encoding="utf-8")
    assert (load_settings(path).sort_order, load_settings(path).hide_read) == ("title", True)
    path.write_text('sort_order = "random"\n', encoding="utf-8")
    with pytest.raises(UserInputError, match="sort_order must be one of newest, oldest, title, source"):
        load_settings(path)
    path.write_text('hide_read = "yes"\n', encoding="utf-8")
    with pytest.raises(UserInputError, match="hide_read must be true or false"):
        load_settings(path)


def test_arranged_orders_filters_and_keeps_the_row_in_use() -> None:
    from newsreader.models import Article, SourceKind
    from newsreader.tui.screens.listing import arranged
    from tests.tui_support import IMPORTED_AT

    def row(i: str, title: str, feed: str, read: bool = False) -> Article:
        return Article(
            id=i,
            source_id=feed,
            title=title,
            feed=feed,
            source=f"/dumps/{feed}.txt",
            kind=SourceKind.DUMP,
            excerpt="",
            added=IMPORTED_AT,
            read=read,
        )

    rows = [row("a", "beta", "Zed"), row("b", "", "alpha", True), row("c", "Alpha", "Zed", True)]
    assert [a.id for a in arranged(rows, "newest")] == ["a", "b", "c"]
    assert [a.id for a in arranged(rows, "oldest")] == ["c", "b", "a"]
    assert [a.id for a in arranged(rows, "title")] == ["c", "a", "b"]  # untitled last
    assert [a.id for a in arranged(rows, "source")] == ["b", "a", "c"]  # newest first within one
    assert [a.id for a in arranged(rows, "newest", hide_read=True, keep="c")] == ["a", "c"]
    assert [a.id for a in arranged(rows, "oldest", deleted={"a"})] == ["c", "b"]


async def test_help_keeps_descriptions_whole_at_56_columns(tmp_path: Path) -> None:
    """Defect 8: at 56 columns the help screen's descriptions shrank to 5 characters."""
    app = make_app(demo_library(tmp_path / "lib"))
    async with app.run_test(size=(56, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        text = visible_text(app)
        for description in ("Previous unread", "Mark all read", "Hide read", "Next pane"):
            assert description in text, text
