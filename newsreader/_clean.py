"""The one import of ingest's cleaning for the layers above it (the library, the CLI).

Every string the CLI prints and every title the library makes from a file name goes through here,
so when the cleaning functions move, this file is the only one that changes.
"""

from __future__ import annotations

from newsreader.ingest.text import clean_line

__all__ = ["clean_line", "line"]


def line(text: object) -> str:
    """Untrusted text for one terminal line: escape sequences, controls and newlines removed."""
    return clean_line(text if isinstance(text, str) else str(text))
