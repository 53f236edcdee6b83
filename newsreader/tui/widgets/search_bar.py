"""The search bar: an input that appears above the headline list on ``/``."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import Input

from newsreader.tui.messages import SearchClosed, SearchToResults


class SearchBar(Input):
    """Query input; the screen debounces ``Input.Changed`` and runs the search in a worker."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close search", id="search-close"),
        Binding("down", "to_results", "Results", show=False, id="search-results"),
    ]

    Closed: ClassVar[type[SearchClosed]] = SearchClosed
    ToResults: ClassVar[type[SearchToResults]] = SearchToResults

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            placeholder='Search: words, "a phrase", -not, title:, author:, feed:, is:unread',
            id=id,
            select_on_focus=False,
        )

    def on_mount(self) -> None:
        # With animations off (tests, slow terminals) the cursor holds still too.
        if self.app.animation_level == "none":
            self.cursor_blink = False

    def action_close(self) -> None:
        self.post_message(SearchClosed())

    def action_to_results(self) -> None:
        self.post_message(SearchToResults())

    async def action_submit(self) -> None:
        self.post_message(SearchToResults())
