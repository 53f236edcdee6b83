"""The headline list at scale: 100k articles load, scroll to the end and open, on a real library."""

from __future__ import annotations

import pytest

from newsreader.config import Settings
from newsreader.library import Library
from newsreader.render import render_article
from newsreader.tui.app import NewsReaderApp
from newsreader.tui.screens.main import MainScreen
from newsreader.tui.widgets.headline_list import ROW_HEIGHT
from tests.tui_support import big_library, row_text, until, visible_text

pytestmark = pytest.mark.anyio

COUNT = 100_000


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Library:
    return big_library(tmp_path_factory.mktemp("big") / "lib", COUNT)


@pytest.mark.slow
async def test_100k_articles_scroll_to_the_end_and_open(big: Library) -> None:
    app = NewsReaderApp(big, Settings(animations=False), None)
    async with app.run_test(size=(140, 40)) as pilot:
        # Not settle(): that would also wait for the search index to take in 100k articles,
        # which runs in the background (and is cancelled on quit) and is not under test here.
        screen = app.screen
        assert isinstance(screen, MainScreen)
        headlines = screen.headlines
        await until(pilot, lambda: len(headlines.articles) == COUNT)
        assert len(headlines.articles) == COUNT
        # The list is one widget drawing lines on demand, not 100k mounted children.
        assert len(headlines.children) == 0
        assert headlines.virtual_size.height == COUNT * ROW_HEIGHT
        await pilot.press("end")
        await pilot.pause()
        assert headlines.cursor == COUNT - 1
        assert headlines.scroll_y == headlines.max_scroll_y > 0
        last = headlines.articles[-1]
        assert last.title.endswith(f"{COUNT - 1:06d} about the harbour and the hills")
        assert f"Generated headline {COUNT - 1:06d}" in visible_text(app)
        await pilot.press("enter")
        await until(pilot, lambda: screen.article_view.article is not None)
        assert screen.article_view.article is not None
        assert screen.article_view.article.id == last.id
        await pilot.press("k", "ctrl+u", "home")
        assert headlines.cursor == 0 and headlines.scroll_y == 0
        assert "Generated headline 000000" in row_text(app, 0)


def test_rendering_a_30kb_article_is_done_once_into_text() -> None:
    from datetime import UTC, datetime

    from newsreader.models import Article, SourceKind

    paragraph = "A sentence of ordinary length that goes on for a while, as news does. " * 6
    body = "\n\n".join([paragraph] * 75)
    assert len(body) > 30_000
    article = Article(
        id="x",
        source_id="s",
        title="Long read",
        feed="Feed",
        source="/f.txt",
        kind=SourceKind.DUMP,
        excerpt="",
        added=datetime(2026, 1, 1, tzinfo=UTC),
        body=body,
        author="A. Writer",
        author_note="A. Writer is a columnist.",
    )
    text = render_article(article)
    assert text.plain.count(paragraph.strip()) == 75
    assert text.plain.startswith("Long read\n\nBy A. Writer\n")
    assert text.plain.rstrip().endswith("A. Writer is a columnist.")
