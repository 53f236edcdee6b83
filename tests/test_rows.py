"""Lazy headline rows (issue 16, item 3): a listing builds an Article only for a row looked at, and
arranging, finding and leaving out rows answers from the records, as a built list would."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from newsreader._rows import ArticleList
from newsreader.library import Library
from newsreader.models import ArticleDraft
from newsreader.tui.screens.listing import arranged
from tests.tui_support import IMPORTED_AT, add_drafts, big_library, make_app, settle, until

pytestmark = pytest.mark.anyio


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    """Two sources, titles that sort differently folded and cleaned, some untitled, equal dates, marks."""
    library = Library(tmp_path / "lib")
    titles = ["beta", "Alpha", "", "\x1b[31mred\x1b[0m", "ÉCLAIR", "alpha", "Zulu", "zulu", "\u200b"]
    for source, title in (("s1", "Zed feed"), ("s2", "\x07alpha feed")):
        drafts = [
            ArticleDraft(
                id=f"{source}{i:04d}",
                title=titles[i % len(titles)],
                body="body",
                excerpt=f"lead {i}",
                published=IMPORTED_AT - timedelta(minutes=i // 3),  # three to a minute: ties
            )
            for i in range(40)
        ]
        add_drafts(library, source, title, drafts)
    ids = [a.id for a in library.articles()]
    library.mark(ids[::3], read=True)
    library.mark(ids[1::7], starred=True)
    return library


def test_a_listing_builds_only_the_rows_looked_at(lib: Library) -> None:
    rows = lib.articles()
    assert isinstance(rows, ArticleList) and len(rows) == 80 and rows.built_rows == 0
    row = rows[5]
    assert rows[5] is row and rows[-75] is row and rows.built_rows == 1
    assert rows.index_of(rows.id_at(60)) == 60 and rows.index_of("nope") is None
    assert rows.built_rows == 1  # finding an id builds nothing
    assert [rows.index_of(rows.id_at(i)) for i in range(80)] == list(range(80))  # scans, then a dict
    assert rows.index_of("nope") is None and rows.built_rows == 1
    assert rows.feeds() == {a.feed for a in lib.articles()} and rows.built_rows == 1
    unread = sum(1 for a in lib.articles() if not a.read)
    assert rows.unread() == unread and rows.built_rows == 1
    rows[5] = replace(row, read=not row.read)
    rows[7] = replace(rows[7], read=True)
    assert (
        rows.unread()
        == sum(1 for a in rows if not a.read)
        == unread + (1 if row.read else -1) - (not lib.articles()[7].read)
    )
    assert rows[5].read is not row.read
    with pytest.raises(ValueError, match="not"):
        rows[6] = row  # another article's row
    afresh = list(lib.articles())
    changed = [replace(afresh[5], read=not row.read), afresh[6], replace(afresh[7], read=True)]
    assert list(rows) == [*afresh[:5], *changed, *afresh[8:]]
    assert rows.built and list(rows)[5] is rows[5]


@pytest.mark.parametrize("order", ["newest", "oldest", "title", "source"])
def test_arranging_a_lazy_listing_is_arranging_its_built_rows(lib: Library, order: str) -> None:
    ids = [a.id for a in lib.articles()]
    for hide_read, deleted, keep in itertools.product(
        (False, True), (frozenset(), frozenset(ids[2:9])), (None, ids[0], ids[3])
    ):
        lazy = lib.articles()
        lazy[3] = replace(lazy[3], read=not lazy[3].read)  # a row marked since it loaded counts as shown
        built = list(lazy)
        expected = arranged(built, order, hide_read=hide_read, deleted=deleted, keep=keep)
        fresh = lib.articles()
        fresh[3] = built[3]
        got = arranged(fresh, order, hide_read=hide_read, deleted=deleted, keep=keep)
        assert isinstance(got, ArticleList) and got.built_rows <= 1  # arranged from the records
        assert [a.id for a in got] == [a.id for a in expected]
        assert list(got) == list(expected)


async def test_the_app_keeps_a_long_list_lazy_and_acts_on_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsreader.tui.screens import listing

    monkeypatch.setattr(listing, "BUILT_AHEAD", 100)  # lists longer than this stay lazy
    library = big_library(tmp_path / "lib", 700)
    app = make_app(library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        headlines = screen.headlines  # type: ignore[attr-defined]
        rows = headlines.articles
        assert isinstance(rows, ArticleList) and len(rows) == 700
        assert rows.built_rows < 30  # the rows drawn, not the list
        unread = rows.unread()
        assert str(screen.pane.border_subtitle) == f"700 · {unread} unread"  # type: ignore[attr-defined]
        await pilot.press("j", "j", "m")
        assert headlines.cursor == 2 and headlines.articles[2].read
        assert str(screen.pane.border_subtitle) == f"700 · {unread - 1} unread"  # type: ignore[attr-defined]
        second = headlines.articles[1].id
        await pilot.press("k", "D")
        assert len(headlines.articles) == 699 and headlines.index_of(second) is None
        assert headlines.current is not None and headlines.current.id == headlines.articles[1].id
        await pilot.press("O")  # oldest first
        await until(pilot, lambda: headlines.articles[0].id == "big00000000002bb")
        await settle(pilot)
        assert isinstance(headlines.articles, ArticleList) and headlines.articles.built_rows < 60
        assert len(headlines.articles) == 699  # the deleted one stays out
        await pilot.press("u")  # undo the delete
        await until(pilot, lambda: len(headlines.articles) == 700)
        await settle(pilot)
        assert headlines.index_of(second) is not None
        assert isinstance(headlines.articles, ArticleList) and not headlines.articles.built


async def test_searching_a_long_lazy_list_and_leaving_keeps_it_lazy_with_its_marks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsreader.tui.screens import listing

    monkeypatch.setattr(listing, "BUILT_AHEAD", 100)
    library = big_library(tmp_path / "lib", 700)
    app = make_app(library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        headlines = screen.headlines  # type: ignore[attr-defined]
        before = [headlines.articles.id_at(i) for i in range(700)]
        await pilot.press("slash", *"000420")
        await settle(pilot)
        assert [a.id for a in headlines.articles] == ["big00000000001a4"]
        await pilot.press("down", "m")  # into the hits; mark the hit read
        assert headlines.articles[0].read
        await pilot.press("escape")
        await settle(pilot)
        rows = headlines.articles
        assert isinstance(rows, ArticleList) and rows.built_rows < 60
        assert [rows.id_at(i) for i in range(700)] == before
        assert rows[420].read and not rows[419].read  # the mark made in the search shows


def test_a_saved_list_finds_its_rows_after_one_is_deleted(lib: Library) -> None:
    """Delete during a search left the saved list's id->row index pointing past the deleted row,
    so the next mark in the search landed on the wrong row of the list esc restores."""
    from newsreader.tui.widgets.headline_pane import SavedList

    built = list(lib.articles())[:4]
    for rows in (list(built), lib.articles()):
        saved = SavedList.of(rows, None)
        saved.update(built[3].id, read=True)  # the index is made
        saved.without(built[0].id)
        saved.update(built[3].id, starred=True)
        assert [a.id for a in saved.articles][:3] == [a.id for a in built[1:4]]
        assert saved.articles[2].starred and saved.articles[2].read
        assert saved.articles[1] == built[2]  # untouched
