"""Which articles need their full text fetched: teasers and feed items that carry only a summary.

Cheap and import-free, since the feed parser asks for every entry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# How publishers end a summary that stops before the article does.
_MARKERS = (
    "…",
    "...",
    "[…]",
    "[...]",
    "(…)",
    "read more",
    "continue reading",
    "read the full story",
    "read the full article",
    "weiterlesen",
    "mehr lesen",
    "lire la suite",
    "leia mais",
    "continuar leyendo",
    "leggi tutto",
)
_TEASER_END = re.compile("(?:" + "|".join(map(re.escape, _MARKERS)) + r")\W*$", re.IGNORECASE)
# The same test on the text reversed, anchored where the text ends: re.match on the reversed tail
# matches exactly when _TEASER_END.search matches the tail (every marker reversed, \W* before it),
# without trying every marker at every position of the tail (~20 us a body).
_TEASER_END_REVERSED = re.compile(
    r"\W*(?:" + "|".join(re.escape(m[::-1]) for m in _MARKERS) + ")", re.IGNORECASE
)
# A marker begins at most this many characters before the body's trailing run of non-word characters
# (its longest alternative, "read the full article", is 21): only that tail needs searching, since
# searching the whole body for the end-anchored pattern tries every alternative at every position.
_MARKER_REACH = 24
_TAIL = 96
_NON_WORD_END = re.compile(r"\W*\Z")
SHORT_WORDS = 80
"""A feed body without a content element and shorter than this is a summary."""
TEASER_WORDS = 400
"""A body ending in "…" or "Read more" is a teaser only if it is shorter than this."""


def is_summary_only(body: str, *, has_content: bool) -> bool:
    """Whether a feed entry's body is a summary of the article rather than the article.

    ``has_content``: the entry has a ``content:encoded`` / Atom ``content`` element (publishers put
    the article there and a summary in ``description``).
    """
    if not body or body.isspace():
        return False  # nothing at all: a link post, not a teaser of text
    # Words are counted only as far as a limit needs: split(None, n - 1) has min(words, n) items.
    if (
        _TEASER_END_REVERSED.match(_tail(body.rstrip())[::-1])
        and len(body.split(None, TEASER_WORDS - 1)) < TEASER_WORDS
    ):
        return True
    return not has_content and len(body.split(None, SHORT_WORDS - 1)) < SHORT_WORDS


def _tail(text: str) -> str:
    """The end of ``text`` where a teaser marker can be: the same answer as searching all of it."""
    tail = text[-_TAIL:]
    run = _NON_WORD_END.search(tail)
    if len(tail) < len(text) and run is not None and run.start() < _MARKER_REACH:
        return text  # a long run of punctuation at the end: the marker may begin before the tail
    return tail


def needs_full_text(headline: Mapping[str, Any]) -> bool:
    """Whether a stored article (its headline record) is a teaser still waiting for its full text."""
    return (
        bool(headline.get("truncated")) and not headline.get("full_text") and not headline.get("full_article")
    )
