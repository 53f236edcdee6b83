"""The reading app's full-text keys: fetch the open article's page; full text on/off for a feed.

Kept apart from the main screen: the screen binds the keys and calls these, which run the work in
a thread worker, show progress in the status bar and re-render the article when its text lands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from newsreader.errors import NewsreaderError
from newsreader.tui.text import safe_line
from newsreader.tui.widgets.source_list import source_id_of
from newsreader.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from newsreader.models import Article
    from newsreader.tui.screens.main import MainScreen


def fetch_open_article(screen: MainScreen) -> None:
    """Fetch the full text of the article on screen (``again`` when it has it: the page may have
    changed, and pressing the key is asking)."""
    article = screen.article_view.article
    if article is None:
        screen.notify("Open an article first.", markup=False)
        return
    if not article.url:
        screen.notify(
            "This article has no link to fetch its full text from.", severity="warning", markup=False
        )
        return
    _fetch(screen, article)


@work(thread=True, group="fulltext")
def _fetch(screen: MainScreen, article: Article) -> None:
    from newsreader.extract.fulltext import fetch_full_text

    screen.status.post_message(
        StatusBar.Progress(0, 1, f"Fetching the full text of {safe_line(article.title)}…")
    )
    try:
        [result] = fetch_full_text(screen.library, [article.id], again=not article.truncated)
    except NewsreaderError as exc:
        screen._ui(screen._error, exc)
        return
    finally:
        screen._ui(screen.status.done)
    if result.error:
        screen._ui(screen.notify, f"No full text: {result.error}", severity="error", markup=False, timeout=8)
        return
    screen._ui(screen.notify, f"Full text stored: {result.words} words.", markup=False)
    screen._ui(_show_again, screen, article.id)


def _show_again(screen: MainScreen, article_id: str) -> None:
    """Drop the article's rendering from the cache and show it anew, if it is still the open one."""
    view = screen.article_view
    for key in [k for k in view._cache if k[0] == article_id]:
        del view._cache[key]
    current = screen.article_view.article
    if current is not None and current.id == article_id:
        screen.open_article(article_id)
    screen._reload_keeping_cursor()  # the "excerpt only" tag goes


def toggle_feed_full_text(screen: MainScreen) -> None:
    """Turn full text on or off for the feed highlighted in the sources pane."""
    from newsreader.extract.auto import full_text_on, set_full_text

    source_id = source_id_of(screen.sources.selected_key)
    source = screen.sources.source(source_id) if source_id else None
    if source is None or str(source.kind) != "feed":
        screen.notify("Highlight a feed in the sources pane first.", markup=False)
        return
    on = not full_text_on(screen.library, source.id)
    set_full_text(screen.library, source.id, on)
    title = safe_line(source.title)
    screen.notify(
        f"Full text on for {title}: new summary-only items get their page fetched."
        if on
        else f"Full text off for {title}.",
        markup=False,
    )
