"""Linking a teaser to the full article the library already has from another source.

A teaser is linked to an article whose text begins with the teaser's text, compared normalised
(spacing, quotes, case; the teaser's closing "…" or "Read more" left out). Candidates are found by
the first words of the excerpts, which the headline records hold, so only the few bodies that could
match are read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from typing import Any

from newsreader.extract.need import needs_full_text

_QUOTES = str.maketrans({c: "'" for c in "‘’‚‛′`´"} | {c: '"' for c in "“”„‟″«»"})
_ENDING = re.compile(
    r"(?:\s*(?:…|\.\.\.|\[…\]|\[\.\.\.\]|\(…\)|read more|continue reading)\W*)+$", re.IGNORECASE
)
_REFERENCE = re.compile(r" \[\d+\]")
_HEADING = re.compile(r"^## .*$", re.MULTILINE)
KEY_CHARS = 48
"""Characters of normalised text that find candidates; a teaser shorter than this is not linked."""


def normalise(text: str) -> str:
    """Text as compared for linking: references, headings and a teaser's ending dropped, quotes and
    spacing unified, case folded."""
    text = _HEADING.sub("", _REFERENCE.sub("", text))
    text = " ".join(text.translate(_QUOTES).split()).casefold()
    return _ENDING.sub("", text).strip()


def _is_teaser(rec: Mapping[str, Any]) -> bool:
    return needs_full_text(rec)


def find_full_articles(
    headlines: Mapping[str, Mapping[str, Any]],
    bodies: Callable[[list[str]], Mapping[str, str]],
    *,
    new: Collection[str] | None = None,
) -> dict[str, str]:
    """Teaser id -> the id of an article whose text begins with the teaser's text.

    ``bodies(ids)`` gives the bodies of those articles. With ``new`` (the ids just committed) only
    pairs with a new article in them are looked at, so a commit does not rescan the library.
    """
    teasers = [i for i, rec in headlines.items() if _is_teaser(rec)]
    if new is not None:
        fresh = set(new)
        if not any(t in fresh for t in teasers):
            candidates = [i for i in fresh if i in headlines and not _is_teaser(headlines[i])]
        else:
            candidates = [i for i, rec in headlines.items() if not _is_teaser(rec)]
    else:
        candidates = [i for i, rec in headlines.items() if not _is_teaser(rec)]
    if not teasers or not candidates:
        return {}
    index: dict[str, list[str]] = {}
    for article_id in candidates:
        key = normalise(str(headlines[article_id].get("excerpt", "")))[:KEY_CHARS]
        if len(key) == KEY_CHARS:
            index.setdefault(key, []).append(article_id)
    pairs: dict[str, list[str]] = {}
    for teaser in teasers:
        key = normalise(str(headlines[teaser].get("excerpt", "")))[:KEY_CHARS]
        found = [c for c in index.get(key, ()) if c != teaser]
        if len(key) == KEY_CHARS and found:
            pairs[teaser] = found
    if not pairs:
        return {}
    texts = bodies(sorted({*pairs, *(c for found in pairs.values() for c in found)}))
    links: dict[str, str] = {}
    for teaser, found in pairs.items():
        start = normalise(texts.get(teaser, ""))
        if len(start) < KEY_CHARS:
            continue
        for candidate in found:
            full = normalise(texts.get(candidate, ""))
            if len(full) > len(start) and full.startswith(start):
                links[teaser] = candidate
                break
    return links
