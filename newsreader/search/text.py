"""Text as the index sees it: folding, tokens, highlight offsets and snippets.

Pure functions with no index behind them: the TUI and the CLI use them to mark what a search matched.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

# A token as the index's tokenizer sees it: a run of letters and digits (not underscore), with any
# combining marks (decomposed accents) attached to it (the index NFC-normalises text first).
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_TOKEN = re.compile(rf"[^\W_][^\W_{_MARKS}]*(?:[{_MARKS}]+[^\W_]*)*|[^\W_]")
_ASCII_TOKEN = re.compile(r"[a-z0-9]+")
_fold_cache: dict[str, str] = {}
_LIGATURES = str.maketrans(
    {"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "đ": "d", "ł": "l", "þ": "th", "ı": "i"}
)
"""Letters that do not decompose but that the index's ASCII folding maps (as tantivy's ``ascii_fold``)."""


def fold(word: str) -> str:
    """Lower case without diacritics, as the index folds a token (lowercase + ASCII folding)."""
    hit = _fold_cache.get(word)
    if hit is not None:
        return hit
    folded = word.lower()
    if not folded.isascii():
        decomposed = unicodedata.normalize("NFD", folded.translate(_LIGATURES))
        folded = unicodedata.normalize(
            "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        )
    if len(_fold_cache) < 200_000:
        _fold_cache[word] = folded
    return folded


def tokens(text: str) -> list[str]:
    """The folded tokens of a text, split as the index splits it."""
    return [fold(m.group()) for m in _TOKEN.finditer(text)]


def fold_text(text: str) -> list[str]:
    """``tokens(text)`` for a long text: folded whole, then split (no per-word cache to fill).

    Folding commutes with splitting here: lower-casing and dropping combining marks never join or split
    a run of letters and digits.
    """
    folded = text.lower()
    if folded.isascii():
        return _ASCII_TOKEN.findall(folded)  # the same tokens, several times faster than _TOKEN
    decomposed = unicodedata.normalize("NFD", folded.translate(_LIGATURES))
    folded = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))
    return _TOKEN.findall(folded)


def highlight_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of the words in ``text`` that match ``terms``, in text order.

    Matching is case- and accent-insensitive and by whole word; a term ending in ``*`` matches any word it
    starts. A phrase term (``"off ramp"``) matches only where its words follow each other.

    Args:
        text: any text (a title, a 30 KB body): it is scanned once, word by word.
        terms: as in ``SearchHit.terms``.
    """
    exact: set[str] = set()
    prefixes: list[str] = []
    phrases: dict[str, list[tuple[list[str], bool]]] = {}  # first word -> (words, last is a prefix)
    for term in terms:
        star = term.endswith("*")
        words = tokens(term)
        if len(words) > 1:
            phrases.setdefault(words[0], []).append((words, star))
        elif words and star:
            prefixes.append(words[0])
        elif words:
            exact.add(words[0])
    if not exact and not prefixes and not phrases:
        return []
    prefix_tuple = tuple(prefixes)
    found = [(fold(m.group()), m.span()) for m in _TOKEN.finditer(text)]
    marked: set[int] = set()
    for i, (word, _span) in enumerate(found):
        if word in exact or (prefix_tuple and word.startswith(prefix_tuple)):
            marked.add(i)
        for words, star in phrases.get(word, ()):
            n = len(words)
            got = [w for w, _ in found[i : i + n]]
            last = got[-1] if len(got) == n else ""
            if got[:-1] == words[:-1] and (last == words[-1] or (star and last.startswith(words[-1]))):
                marked.update(range(i, i + n))
    return [found[i][1] for i in sorted(marked)]


_SNIPPET_CHARS = 180
_BREAKS = re.compile(r"\s*\n\s*")


def nfc(text: str) -> str:
    """NFC-normalised text (cheap for ASCII): the index stores and tokenizes composed characters."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def make_snippet(
    text: str, terms: Sequence[str], width: int = _SNIPPET_CHARS
) -> tuple[str, list[tuple[int, int]]]:
    """About ``width`` characters of ``text`` around its first match, cut at words, one line.

    Returns the snippet and the offsets of the matched words in it.
    """
    spans = highlight_spans(text, terms) if terms else []
    if not spans:
        start = 0
    else:
        first = spans[0][0]
        start = max(0, first - width // 3)
        if start:
            space = text.find(" ", start, first)
            start = space + 1 if space >= 0 else first
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start + width // 2, end)
        end = space if space > 0 else end
    piece = _BREAKS.sub(" ", text[start:end])
    snippet = ("…" if start > 0 else "") + piece + ("…" if end < len(text) else "")
    return snippet, highlight_spans(snippet, terms) if terms else []
