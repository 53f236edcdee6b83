"""A teaser linked to its full article is one search result, told by the index (``docs.full_article``)
without the headlines: from the CLI, the app's search bar, after a link made behind the index's back,
and from an index written before the index knew the links (schema 1), which rebuilds itself."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from newsreader.config import Settings
from newsreader.library import Library
from newsreader.search import INDEX_DIR, SCHEMA
from newsreader.store import Store
from newsreader.tui.app import NewsReaderApp
from newsreader.tui.screens.main import MainScreen
from tests.conftest import run_cli
from tests.test_fulltext_feeds import full_version
from tests.tui_support import settle

WORD = "expatriates"
"""In the first seed teaser and its full article (``full_version``), in no other seed article."""


def _teaser(library: Library) -> str:
    teaser = next(a for a in library.articles() if a.truncated)
    assert WORD in library.get(teaser.id).body
    return teaser.id


def _full_page(library: Library, tmp_path: Path, teaser_id: str) -> Path:
    page = tmp_path / "full.html"
    page.write_text(full_version(library.get(teaser_id).body), encoding="utf-8")
    return page


def _ids(library: Library, query: str = WORD) -> list[str]:
    return [hit.article.id for hit in library.search(query, limit=None)]


@pytest.mark.anyio
async def test_cli_and_app_search_show_a_linked_teaser_once(seeded: Library, tmp_path: Path) -> None:
    teaser = _teaser(seeded)
    assert _ids(seeded) == [teaser]  # alone, the teaser is found
    assert seeded.import_paths([_full_page(seeded, tmp_path, teaser)]).new == 1
    full = seeded.get(teaser).full_article
    assert full is not None and WORD in seeded.get(full).body

    cli = run_cli("search", WORD, "--json", library=seeded.path)
    assert cli.returncode == 0, cli.stderr
    assert [hit["id"] for hit in json.loads(cli.stdout)] == [full]
    assert _ids(seeded) == [full]

    app = NewsReaderApp(seeded, Settings(animations=False), None)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *WORD)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert [a.id for a in screen.headlines.articles] == [full]


def test_a_link_made_behind_the_index_is_caught_up(seeded: Library, tmp_path: Path) -> None:
    """The link is in the index's signature: a diff re-indexes the teaser when only its link changed."""
    teaser = _teaser(seeded)
    page = _full_page(seeded, tmp_path, teaser)
    assert seeded.import_paths([page]).new == 1
    full = seeded.get(teaser).full_article
    assert full is not None
    store = Store(seeded.path)
    store.merge_articles({}, {teaser: {"full_article": None}})  # unlinked by another process
    assert sorted(_ids(seeded)) == sorted([teaser, full])
    store.merge_articles({}, {teaser: {"full_article": full}})  # and linked again, index untold
    assert _ids(seeded) == [full]


def _as_schema_1(index_dir: Path) -> None:
    """Turn an index into what schema 1 wrote: ``docs`` without ``full_article``, user_version 1."""
    conn = sqlite3.connect(index_dir / "docs.sqlite")
    try:
        conn.executescript(
            "DROP INDEX docs_linked; ALTER TABLE docs DROP COLUMN full_article; PRAGMA user_version = 1;"
        )
    finally:
        conn.close()


def test_an_index_of_schema_1_rebuilds_itself(seeded: Library, tmp_path: Path) -> None:
    teaser = _teaser(seeded)
    assert seeded.import_paths([_full_page(seeded, tmp_path, teaser)]).new == 1
    full = seeded.get(teaser).full_article
    assert _ids(seeded) == [full]
    index_dir = seeded.path / INDEX_DIR
    _as_schema_1(index_dir)
    fresh = Library(seeded.path)
    assert _ids(fresh) == [full]
    conn = sqlite3.connect(index_dir / "docs.sqlite")
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA == 2
        linked = conn.execute("SELECT id, full_article FROM docs WHERE full_article IS NOT NULL").fetchall()
    finally:
        conn.close()
    assert linked == [(teaser, full)]


@pytest.mark.parametrize("limit", [1, 2])
def test_limit_counts_the_hits_shown(seeded: Library, tmp_path: Path, limit: int) -> None:
    teaser = _teaser(seeded)
    assert seeded.import_paths([_full_page(seeded, tmp_path, teaser)]).new == 1
    word = "the"  # in every seed article, the linked teaser too
    shown = [hit.article.id for hit in seeded.search(word, limit=limit)]
    assert teaser not in shown and len(shown) == limit
