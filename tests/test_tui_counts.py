"""The counts shown follow each change without recounting the library (issue 16, item 4), and stay
exactly what a fresh ``Library(...)`` recount says: after marks, stars, undo, ``A``, delete, hide,
tags, a refresh, and a change another process made.

Small real libraries on disk, real HTTP on 127.0.0.1 for the refresh; tests wait on conditions.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from newsreader import _lookup
from newsreader.library import Library
from newsreader.store.records import sort_key
from newsreader.tui.screens.confirm import ConfirmScreen
from newsreader.tui.screens.main import MainScreen
from newsreader.tui.widgets.source_list import ALL, STARRED, source_key
from tests.feed_helpers import feed_server, feed_server_session, rss_doc
from tests.tui_support import demo_library, main_screen, make_app, settle, until

__all__ = ["feed_server", "feed_server_session"]  # fixtures, imported for pytest

pytestmark = pytest.mark.anyio

SIZE = (140, 42)

Counts = tuple[dict[str, tuple[int, int]], tuple[int, int, int]]


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    return demo_library(tmp_path / "lib")


def shown(screen: MainScreen) -> Counts:
    """What the sources pane shows: per source (articles, unread), and (unread, starred, total)."""
    sources = screen.sources
    per = {}
    for sid in {o.id[4:] for o in sources.options if o.id and o.id.startswith("src:")}:
        source = sources.source(sid)
        assert source is not None
        per[sid] = (source.articles, source.unread)
    return per, sources.counts


def recounted(path: Path, deleted: frozenset[str] = frozenset()) -> Counts:
    """A fresh library's own counts (``sources()`` and the Starred view), less ``deleted``."""
    fresh = Library(path)
    per = {s.id: [s.articles, s.unread] for s in fresh.sources()}
    starred = {a.id: a for a in fresh.articles(starred=True)}
    for article in fresh.articles():
        if article.id in deleted:
            per[article.source_id][0] -= 1
            per[article.source_id][1] -= not article.read
    stars = len([i for i in starred if i not in deleted])
    unread = sum(c[1] for c in per.values())
    total = sum(c[0] for c in per.values())
    return {sid: (c[0], c[1]) for sid, c in per.items()}, (unread, stars, total)


async def test_marks_stars_undo_and_A_move_the_counts_to_what_a_recount_says(lib: Library) -> None:
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert shown(screen) == recounted(lib.path)
        calls: list[object] = []
        tally = lib.tally
        lib.tally = lambda: (calls.append(1), tally())[1]  # type: ignore[method-assign]
        await pilot.press("m", "j", "s", "j", "m", "s")
        await settle(pilot)
        assert shown(screen) == recounted(lib.path)
        assert shown(screen)[1][1] == 2  # two starred
        await pilot.press("u")  # the last change: the third row's read and star
        await settle(pilot)
        assert shown(screen) == recounted(lib.path)
        await pilot.press("enter")  # opening marks read
        await until(pilot, lambda: screen.headlines.current is not None and screen.headlines.current.read)
        await settle(pilot)
        assert shown(screen) == recounted(lib.path)
        harbour = next(s for s in Library(lib.path).sources() if "harbour" in s.location)
        screen.sources.select_key(source_key(harbour.id))
        await settle(pilot)
        await pilot.press("A")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(pilot)
        assert shown(screen) == recounted(lib.path)
        assert shown(screen)[0][harbour.id][1] == 0
        assert not calls  # every count followed its change: no recount of the library
        await pilot.press("s")  # star a read article of the source and an unread one elsewhere,
        screen.sources.select_key(ALL)  # then mark the Starred view read
        await settle(pilot)
        rows = screen.headlines.articles
        screen.headlines.move_cursor(next(i for i, a in enumerate(rows) if not a.read and not a.starred))
        await pilot.press("s")
        screen.sources.select_key(STARRED)
        await settle(pilot)
        assert any(not a.read for a in screen.headlines.articles)  # something for A to mark
        await pilot.press("A")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(pilot)
        assert shown(screen) == recounted(lib.path)
        assert not calls


async def test_delete_undo_hide_and_tags_keep_the_counts_right(lib: Library) -> None:
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("s", "j")  # the first starred, the second about to go
        victim = screen.headlines.current
        assert victim is not None
        await pilot.press("D")
        await settle(pilot)
        assert shown(screen) == recounted(lib.path, frozenset({victim.id}))
        await pilot.press("u")
        await settle(pilot)
        assert shown(screen) == recounted(lib.path)
        await pilot.press("k", "D")  # the starred one goes
        await settle(pilot)
        gone = frozenset(screen._deleted)
        assert len(gone) == 1 and shown(screen) == recounted(lib.path, gone)
        await pilot.press("A")  # All read: the deleted one too, which the counts leave out already
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(pilot)
        assert shown(screen) == recounted(lib.path, gone)
        await pilot.press("H")  # hide read: a list filter, not a count
        await settle(pilot)
        assert shown(screen) == recounted(lib.path, gone)
        await pilot.press("H", "t")
        await until(pilot, lambda: app.screen is not screen)
        await pilot.press(*"+later", "enter")
        await settle(pilot)
        assert shown(screen) == recounted(lib.path, gone)
        at_exit = shown(screen)
    assert recounted(lib.path) == at_exit  # closing stored the deletion: the library agrees


async def test_a_refresh_and_another_process_show_in_the_counts(
    lib: Library, feed_server: HTTPServer
) -> None:
    feed_server.expect_request("/a.xml").respond_with_data(rss_doc("Alpha", [("urn:a1", "A one")]))
    alpha = lib.subscribe(feed_server.url_for("/a.xml"))
    feed_server.clear()
    items = [("urn:a1", "A one"), ("urn:a2", "A two"), ("urn:a3", "A three")]
    feed_server.expect_request("/a.xml").respond_with_data(rss_doc("Alpha", items))
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("m")
        await settle(pilot)
        screen.refresh_feeds()
        await until(pilot, lambda: (s := screen.sources.source(alpha.id)) is not None and s.articles == 3)
        await settle(pilot)
        assert shown(screen) == recounted(lib.path)
        calls: list[object] = []
        tally = lib.tally
        lib.tally = lambda: (calls.append(1), tally())[1]  # type: ignore[method-assign]
        screen.poll_library()  # nothing changed under the app: no recount
        await settle(pilot)
        assert not calls
        other = Library(lib.path)  # another process: a CLI mark and star
        ids = [a.id for a in other.articles(source=alpha.id)]
        other.mark(ids[:2], read=True)
        other.mark(ids[2:], starred=True)
        screen.poll_library()
        await until(pilot, lambda: bool(calls))
        await settle(pilot)
        assert shown(screen) == recounted(lib.path)
        assert shown(screen)[0][alpha.id] == (3, 1)


def test_state_changes_count_what_a_recount_counts(lib: Library) -> None:
    """``StateChange.deltas`` over marks and stars, hidden articles among them, equals the
    difference of two recounts."""
    ids = [a.id for a in lib.articles()]
    lib.delete(ids[:2])  # hidden marks: out of every count, still markable
    rng = random.Random(16)
    for _ in range(16):
        before, starred_before = lib.tally()
        read, starred = rng.choice([(True, None), (False, None), (None, True), (None, False), (True, True)])
        change = lib.mark_counted(rng.sample(ids, 4), read=read, starred=starred)
        after, starred_after = lib.tally()
        unread, star_step = change.deltas()
        was = {s.id: s.unread for s in before}
        assert {s.id: s.unread - was[s.id] for s in after if s.unread != was[s.id]} == {
            sid: step for sid, step in unread.items() if step
        }
        assert starred_after - starred_before == star_step
        assert starred_after == len(lib.articles(starred=True))


def test_a_listing_reuses_the_articles_built_before_unless_they_changed(lib: Library) -> None:
    first = list(lib.articles())
    again = list(lib.articles())
    assert all(a is b for a, b in zip(first, again, strict=True))
    lib.mark([first[0].id], read=True)
    source = first[1].source_id
    lib.rename_source(source, "Renamed")
    third = list(lib.articles())
    assert third[0] is not first[0] and third[0].read
    assert all((a is b) == (a.source_id != source) for a, b in zip(first[1:], third[1:], strict=True))
    assert third == list(Library(lib.path).articles())  # what a library built afresh lists


def test_sorting_in_runs_is_the_one_sort() -> None:
    rng = random.Random(4)
    items = [(f"a{i}", {"added": float(rng.randrange(50)), "n": rng.randrange(5)}) for i in range(20_000)]

    def key(item: tuple[str, dict[str, float]]) -> tuple[float, int]:
        return sort_key(item[1])

    assert len(items) > _lookup.SORT_RUN
    expected = sorted(items, key=key, reverse=True)
    assert [i for i, _ in _lookup.sorted_newest(list(items))] == [i for i, _ in expected]  # type: ignore[arg-type]
