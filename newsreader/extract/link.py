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
_TOKENS = re.compile(r"…|\.\.\.|\[…\]|\[\.\.\.\]|\(…\)|read more|continue reading", re.IGNORECASE)
"""What ends a teaser: an ellipsis or a "read more", with spacing and punctuation around them."""
_LAST_WORD = re.compile(r"\w(?=\W*$)")
_PHRASES = re.compile(r"read more|continue reading", re.IGNORECASE)
"""The word-character tokens of ``_TOKENS``, matched as it matches them."""
_REFERENCE = re.compile(r" \[\d+\]")
_HEADING = re.compile(r"^## .*$", re.MULTILINE)
KEY_CHARS = 48
"""Characters of normalised text that find candidates; a teaser shorter than this is not linked."""


def normalise(text: str) -> str:
    """Text as compared for linking: references, headings and a teaser's ending dropped, quotes and
    spacing unified, case folded."""
    text = _HEADING.sub("", _REFERENCE.sub("", text))
    text = " ".join(text.translate(_QUOTES).split()).casefold()
    return _strip_ending(text).strip()


def _strip_ending(text: str) -> str:
    """``text`` without its teaser ending: from the whitespace before the first ellipsis or "read
    more" that only punctuation, spacing and more of them follow (what the pattern
    ``(?:\\s*(?:…|read more|...)\\W*)+$`` strips, in linear time: that pattern backtracked
    exponentially, a feed's ``... ... ...`` taking minutes of a refresh)."""
    masked = _PHRASES.sub(lambda m: " " * len(m.group()), text) if _PHRASES.search(text) else text
    last = _LAST_WORD.search(masked)  # the last word character outside every "read more"
    hard = last.end() if last else 0
    token = _TOKENS.search(text, hard)
    if token is None:
        return text
    start = token.start()
    while start > hard and text[start - 1].isspace():
        start -= 1
    return text[:start]


_WORD = re.compile(r"\w")
HEAD = 200
"""Characters of an excerpt normalised first: the key is known from them unless they are odd."""


def index_key(text: str) -> str | None:
    """``normalise(text)[:KEY_CHARS]``, or None when that is shorter: what finds candidates, from the
    text's first ~200 characters where they tell it (a refresh into 100,000 articles normalised every
    excerpt whole: seconds of the app's interpreter).

    Exact, not a guess: the head is cut before a space (so no `` [n]`` reference spans the cut), and
    only what lies well before the cut is trusted (a ``##`` cut off from its heading line differs
    there); the whole text's ending, which ``normalise`` strips, cannot reach back into the key when a
    word character that belongs to no "read more" / "continue reading" follows the key.
    """
    if len(text) < KEY_CHARS and text.isascii():
        return None  # ASCII never grows in normalising: too short for a key
    if len(text) > HEAD and (cut := text.find(" ", HEAD)) != -1:
        head = _collapsed(text[:cut])
        known = len(head) - 8  # what the head shares with the whole text's normalised form
        if known - 20 > KEY_CHARS and _word_after_key(head, known):
            return head[:KEY_CHARS]
    key = (_normalise_ascii(text) if text.isascii() else normalise(text))[:KEY_CHARS]
    return key if len(key) == KEY_CHARS else None


def _collapsed(text: str) -> str:
    """``normalise`` short of stripping the ending; for ASCII text each step is skipped where it
    cannot apply (the one ASCII quote is the backtick)."""
    if not text.isascii():
        return " ".join(_HEADING.sub("", _REFERENCE.sub("", text)).translate(_QUOTES).split()).casefold()
    if "[" in text:
        text = _REFERENCE.sub("", text)
    if "##" in text:
        text = _HEADING.sub("", text)
    return " ".join(text.replace("`", "'").split()).lower()


def _normalise_ascii(text: str) -> str:
    """``normalise`` for ASCII text: an ending needs "...", "read more" or "continue reading"."""
    text = _collapsed(text)
    if "..." in text or "read more" in text or "continue reading" in text:
        return _strip_ending(text).strip()
    return text


def _word_after_key(head: str, known: int) -> bool:
    """A word character after the key, before ``known - 20``, outside every "read more" phrase (which
    lie wholly within ``known`` then): the text's ending stops after it."""
    phrases = [(m.start(), m.end()) for m in _PHRASES.finditer(head, 0, known)]
    for match in _WORD.finditer(head, KEY_CHARS, known - 20):
        at = match.start()
        if not any(start <= at < end for start, end in phrases):
            return True
    return False


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
        key = index_key(str(headlines[article_id].get("excerpt", "")))
        if key is not None:
            index.setdefault(key, []).append(article_id)
    pairs: dict[str, list[str]] = {}
    for teaser in teasers:
        key = index_key(str(headlines[teaser].get("excerpt", "")))
        found = [c for c in index.get(key, ()) if c != teaser] if key is not None else []
        if found:
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
