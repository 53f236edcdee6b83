"""Which articles need their full text fetched: teasers and feed items that carry only a summary.

Cheap and import-free, since the feed parser asks for every entry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# How publishers end a summary that stops before the article does.
_TEASER_END = re.compile(
    r"(?:…|\.\.\.|\[…\]|\[\.\.\.\]|\(…\)|read more|continue reading|read the full (?:story|article)"
    r"|weiterlesen|mehr lesen|lire la suite|leia mais|continuar leyendo|leggi tutto)\W*$",
    re.IGNORECASE,
)
SHORT_WORDS = 80
"""A feed body without a content element and shorter than this is a summary."""
TEASER_WORDS = 400
"""A body ending in "…" or "Read more" is a teaser only if it is shorter than this."""


def is_summary_only(body: str, *, has_content: bool) -> bool:
    """Whether a feed entry's body is a summary of the article rather than the article.

    ``has_content``: the entry has a ``content:encoded`` / Atom ``content`` element (publishers put
    the article there and a summary in ``description``).
    """
    words = len(body.split())
    if words == 0:
        return False  # nothing at all: a link post, not a teaser of text
    if words < TEASER_WORDS and _TEASER_END.search(body.rstrip()):
        return True
    return not has_content and words < SHORT_WORDS


def needs_full_text(headline: Mapping[str, Any]) -> bool:
    """Whether a stored article (its headline record) is a teaser still waiting for its full text."""
    return (
        bool(headline.get("truncated")) and not headline.get("full_text") and not headline.get("full_article")
    )
