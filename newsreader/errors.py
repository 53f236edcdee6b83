"""One exception tree. ``str(error)`` is the sentence a user sees (CLI stderr, TUI notification)."""

from __future__ import annotations


class NewsreaderError(Exception):
    """Root of every error newsreader raises on purpose."""


class UserInputError(NewsreaderError, ValueError):
    """Something the user passed is wrong (a path, an id, a URL, an option)."""


class ImportFileError(UserInputError):
    """A file given to ``import`` cannot be read as text (missing, binary, undecodable)."""


class ArticleNotFoundError(UserInputError, KeyError):
    """No article has that id (or the prefix is ambiguous)."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else "no such article"


class FeedNotFoundError(UserInputError, KeyError):
    """No subscription matches that URL or id."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "no such feed"


class InvalidFeedURLError(UserInputError):
    """Only http(s) URLs can be subscribed to."""


class FetchError(NewsreaderError):
    """A feed could not be downloaded (network, HTTP status, size cap, timeout)."""


class ParseError(NewsreaderError):
    """A downloaded or local document is not a usable feed."""


class InvalidQueryError(UserInputError):
    """A search query cannot be understood."""


class StoreError(NewsreaderError):
    """The library on disk cannot be read or written."""


class CorruptLibraryError(StoreError):
    """A library file does not parse; it is left untouched, never overwritten."""


class StoreLockedError(StoreError):
    """Another process holds the library's write lock for too long."""


class SchemaError(StoreError):
    """The library was written by a newer newsreader, or a migration failed."""
