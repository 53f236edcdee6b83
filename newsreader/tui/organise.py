"""The main screen's organise keys: tag (with completion), undo the last change, save the search.

Functions of the main screen's bases (``screens/marking.py`` and ``screens/search.py`` keep the
state, the workers and the thin ``action_*`` methods that call these); the keys are listed under
"Organising" on the help screen and can be remapped by id like the reading keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual.binding import Binding, BindingType
from textual.suggester import Suggester

from newsreader.errors import NewsreaderError, UserInputError

if TYPE_CHECKING:
    from newsreader.tui.screens.jobs import LibraryScreen
    from newsreader.tui.screens.marking import MarkingScreen
    from newsreader.tui.screens.search import SearchScreen

ORGANISE_KEYS: list[BindingType] = [
    Binding("t", "tag", "Tag", show=False, id="tag", tooltip="Add (+name) or remove (-name) tags"),
    Binding("u", "undo", "Undo", show=False, id="undo", tooltip="Undo the last read, star or tag change"),
    Binding(
        "S",
        "save_search",
        "Save search",
        show=False,
        id="save-search",
        tooltip="Save the current search as a source (it shows under Saved searches)",
    ),
]


class TagSuggester(Suggester):
    """Completes the word being typed (``+lat`` -> ``+later``) from the tags in use."""

    def __init__(self, tags: list[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.tags = sorted(tags)

    async def get_suggestion(self, value: str) -> str | None:
        head, space, last = value.rpartition(" ")
        sign = last[:1] if last[:1] in ("+", "-") else ""
        word = last[len(sign) :].lower()
        if not word:
            return None
        for tag in self.tags:
            if tag.startswith(word) and tag != word:
                return f"{head}{space}{sign}{tag}"
        return None


def tag_changes(text: str) -> tuple[set[str], set[str]]:
    """What the tag prompt asks: ``+a -b c`` adds a and c, removes b.

    Raises:
        UserInputError: a bad tag name, or nothing to change.
    """
    from newsreader.organise.ops import parse_tag_changes

    words = [w if w[:1] in ("+", "-") else "+" + w for w in text.split()]
    return parse_tag_changes(words)


@dataclass(slots=True)
class Change:
    """The last change the user made, as what undoes it."""

    kind: str
    """``state`` or ``tags``."""
    before: dict[str, Any] = field(default_factory=dict)
    """article id -> its read/starred flags before (``state``), or the tags to add/remove back."""


def due_feeds(screen: LibraryScreen) -> list[str]:
    """The feeds the automatic refresh fetches now."""
    from newsreader.organise.ops import due_feeds as due

    return due(screen.library, screen.settings.interval)


def remember_state(screen: MarkingScreen, ids: list[str]) -> None:
    """Keep the read/starred flags of ``ids`` before a change, for ``u``."""
    before = {}
    for article_id in ids:
        index = screen.headlines.index_of(article_id)
        if index is not None:
            article = screen.headlines.articles[index]
            before[article_id] = {"read": article.read, "starred": article.starred}
    screen._last_change = Change("state", before) if before else None


def undo(screen: MarkingScreen) -> None:
    change, screen._last_change = screen._last_change, None
    if change is None:
        screen.notify("Nothing to undo.", markup=False, timeout=1.5)
        return
    if change.kind == "state":
        for article_id, state in change.before.items():
            screen._set_state([article_id], **state)
    else:
        for article_id, (add, remove) in change.before.items():
            screen.save_tags([article_id], add, remove, remember=False)
    screen.notify("Undone.", markup=False, timeout=1.5)


def tag(screen: MarkingScreen) -> None:
    from newsreader.tui.screens.prompt import PromptScreen

    article_id = screen.target_id()
    if article_id is None:
        return

    def answer(text: str | None) -> None:
        if not text:
            return
        try:
            add, remove = tag_changes(text)
        except UserInputError as exc:
            screen.notify(str(exc), severity="error", markup=False)
            return
        screen.save_tags([article_id], add, remove, remember=True)

    try:
        known = list(screen.library.tags())
    except NewsreaderError:
        known = []
    prompt = PromptScreen("Tags: +name adds, -name removes", "+later", ok="Tag")
    prompt.suggester = TagSuggester(known)
    screen.app.push_screen(prompt, answer)


def save_tags(
    screen: MarkingScreen, ids: list[str], add: set[str], remove: set[str], *, remember: bool
) -> None:
    """On a worker thread: change the tags, keep what undoes it, reload the list."""
    try:
        before = screen.library._store.tags()
        changed = screen.library.tag(ids, add=add, remove=remove)
    except NewsreaderError as exc:
        screen._ui(screen._error, exc)
        return
    if remember:
        undo: dict[str, Any] = {}
        for article_id in ids:
            had = set(before.get(article_id, ()))
            undo[article_id] = ((remove & had), (add - had))  # put back removed, take off added
        screen._ui(setattr, screen, "_last_change", Change("tags", undo))
    screen._ui(screen.notify, f"Tags changed on {changed} article(s).", markup=False, timeout=1.5)
    screen._ui(screen._reload_keeping_cursor)


def save_search(screen: SearchScreen) -> None:
    from newsreader.tui.screens.prompt import PromptScreen

    query = screen.pane.typed if screen.pane.searching else ""
    if not query.strip():
        screen.notify("Search first (/), then save it with S.", markup=False)
        return

    def answer(name: str | None) -> None:
        if name:
            screen.save_search_as(name, query)

    screen.app.push_screen(PromptScreen(f"Save the search “{query}” as", "name", ok="Save"), answer)


def save_search_as(screen: SearchScreen, name: str, query: str) -> None:
    """On a worker thread: save the search, then show it among the sources."""
    try:
        saved = screen.library.saved.add(name, query)
    except NewsreaderError as exc:
        screen._ui(screen._error, exc)
        return
    screen._ui(screen.notify, f"Saved “{saved.name}”.", markup=False, timeout=2)
    screen._ui(screen.load_sources)
