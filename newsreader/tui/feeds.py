"""The sources pane's feed keys: refresh one feed, rename a feed or dump, remove a feed after asking,
and the note on the highlighted feed (its last error or warning) in the status line.

Functions of ``screens/jobs.LibraryScreen`` (it keeps the workers and the thin ``action_*`` methods);
the bindings live on ``SourceList`` (ids ``sources-rename``, ``sources-remove``); ``r`` is the screen's,
and acts on the highlighted feed while the sources pane has focus.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from newsreader.errors import NewsreaderError
from newsreader.models import Source, SourceKind, local_time
from newsreader.tui.text import safe_line
from newsreader.tui.widgets.source_list import source_id_of

if TYPE_CHECKING:
    from newsreader.tui.screens.jobs import LibraryScreen


def highlighted(screen: LibraryScreen) -> Source | None:
    """The feed or dump highlighted in the sources pane (``None`` on a smart view or folder)."""
    source_id = source_id_of(screen.sources.selected_key)
    return screen.sources.source(source_id) if source_id is not None else None


def note(source: Source | None) -> tuple[str, bool]:
    """The status line's note on a source: its last error (True) or its warning (False)."""
    if source is None or source.kind is not SourceKind.FEED:
        return "", False
    when = f" ({local_time(source.last_fetched):%d %b %H:%M})" if source.last_fetched else ""
    if source.error:
        return f"! {safe_line(source.error)}{when}", True
    if source.warning:
        return f"warning: {safe_line(source.warning)}{when}", False
    return "", False


def show_note(screen: LibraryScreen) -> None:
    text, error = note(highlighted(screen))
    screen.status.set_note(text, error=error)


def refresh_one(screen: LibraryScreen) -> None:
    """``r`` on the sources pane: fetch the highlighted feed."""
    source = highlighted(screen)
    if source is None:
        return
    if source.kind is not SourceKind.FEED:
        screen.notify(f"“{safe_line(source.title)}” is an imported file, not a feed.", markup=False)
    elif screen.refreshing:
        screen.notify("A refresh is already under way.", markup=False, timeout=2)
    else:
        screen.refresh_feeds([source.id], label=f"Refreshing {safe_line(source.title)}…")


def rename(screen: LibraryScreen) -> None:
    """Ask for the highlighted source's new name (its current one to edit)."""
    from newsreader.tui.screens.prompt import PromptScreen

    source = highlighted(screen)
    if source is None:
        screen.notify("Highlight a feed or an imported file to rename it.", markup=False)
        return
    title = safe_line(source.title)

    def answer(name: str | None) -> None:
        if name and name != title:
            screen.rename_source(source.id, name)

    screen.app.push_screen(PromptScreen(f"Rename “{title}”", "a name", ok="Rename", value=title), answer)


def rename_job(screen: LibraryScreen, source_id: str, name: str) -> None:
    """On a worker thread: rename, then show the new name everywhere (and in ``feed:`` searches)."""
    try:
        source = screen.library.rename_source(source_id, name)
    except NewsreaderError as exc:
        screen._ui(screen._error, exc)
        return
    screen._ui(screen.notify, f"Renamed to “{safe_line(source.title)}”.", markup=False, timeout=2)
    screen._ui(screen._reload_keeping_cursor)
    screen._ui(screen.update_search_index)


def remove(screen: LibraryScreen) -> None:
    """Ask before removing the highlighted feed; the question says how many starred articles go."""
    from newsreader.tui.screens.confirm import ConfirmScreen

    source = highlighted(screen)
    if source is None or source.kind is not SourceKind.FEED:
        screen.notify("Highlight a feed to remove it.", markup=False)
        return
    title = safe_line(source.title)
    try:
        starred = len(screen.library.articles(source=source.id, starred=True))
    except NewsreaderError as exc:
        screen._error(exc)
        return
    count = source.articles
    if count:
        articles = f"{count} article" + ("s" if count != 1 else "")
        question = Text(f"Unsubscribe from “{title}” and delete its {articles}?", end="")
    else:
        question = Text(f"Unsubscribe from “{title}”? It has no articles.", end="")
    if starred:
        question.append(f"\n{starred} of them are starred: they are deleted too.", style="bold")

    def answer(yes: bool | None) -> None:
        if yes:
            screen.remove_source(source.id)

    screen.app.push_screen(ConfirmScreen(question, yes="Remove"), answer)


def remove_job(screen: LibraryScreen, source_id: str) -> None:
    """On a worker thread: unsubscribe, then show the sources without it."""
    try:
        source = screen.library.unsubscribe(source_id)
    except NewsreaderError as exc:
        screen._ui(screen._error, exc)
        return
    screen._ui(screen.notify, f"Removed “{safe_line(source.title)}”.", markup=False, timeout=3)
    screen._ui(screen._source_removed, source_id)
