"""Every message the app's widgets post, each a small dataclass (toolong's ``messages.py``).

Widgets announce what happened or what is asked; ``MainScreen`` decides what to do about it.
Each widget also names its own messages (``HeadlineList.Opened is HeadlineOpened``), so a handler
reads as frogmouth's do. Messages carry ids and plain values, never widgets or articles to mutate.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class Progress(Message):
    """Work advanced; posted from worker threads (``post_message`` is thread-safe)."""

    done: int
    total: int
    label: str

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, Progress)  # a burst of progress collapses to the newest


@dataclass
class HeadlineHighlighted(Message):
    """The list's cursor moved to an article (``None`` when the list is empty)."""

    article_id: str | None


@dataclass
class HeadlineOpened(Message):
    """The user asked to read an article (``enter`` or a click)."""

    article_id: str


@dataclass
class SourceChosen(Message):
    """A view or source was picked: its headlines should be shown."""

    key: str
    label: str
    enter: bool = False
    """True when picked with enter or a click: move on to its headlines."""


@dataclass
class SearchClosed(Message):
    """The user left search: show the previous list again."""


@dataclass
class SearchToResults(Message):
    """The user wants to move into the results (``enter`` or ``down``)."""


@dataclass
class SearchChanged(Message):
    """The query stayed unchanged for the debounce delay: search for it now."""

    query: str


@dataclass
class ArticleShown(Message):
    """The article pane shows an article (``first``: not the rest of a long read's head)."""

    article_id: str
    first: bool


@dataclass
class ArticleFailed(Message):
    """An article could not be loaded; ``error`` is the sentence to show."""

    error: str
