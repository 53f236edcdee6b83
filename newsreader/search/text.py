"""Text as the index sees it: folding, tokens, highlight offsets and snippets.

Pure functions with no index behind them: the TUI and the CLI use them to mark what a search matched.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Sequence

# A token as the index's tokenizer sees it: a run of letters and digits (not underscore), with any
# combining marks (decomposed accents) attached to it (the index NFC-normalises text first).
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_TOKEN = rf"[^\W_][^\W_{_MARKS}]*(?:[{_MARKS}]+[^\W_]*)*|[^\W_]"
_ASCII_TOKEN = re.compile(r"[a-z0-9]+")
_fold_cache: dict[str, str] = {}
_LIGATURES = str.maketrans(
    {"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "đ": "d", "ł": "l", "þ": "th", "ı": "i"}
)
"""Letters that do not decompose but that the index's ASCII folding maps (as tantivy's ``ascii_fold``)."""


@functools.cache
def _token() -> re.Pattern[str]:
    """``_TOKEN`` compiled on first use: ASCII text never needs it, and compiling its classes of marks
    cost every search process a few ms at import."""
    return re.compile(_TOKEN)


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
    if text.isascii():
        return _ASCII_TOKEN.findall(text.lower())  # as fold_text: the same tokens
    return [fold(m.group()) for m in _token().finditer(text)]


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
    return _token().findall(folded)


def highlight_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of the words in ``text`` that match ``terms``, in text order.

    Matching is case- and accent-insensitive and by whole word; a term ending in ``*`` matches any word it
    starts. A phrase term (``"off ramp"``) matches only where its words follow each other.

    Args:
        text: any text (a title, a 30 KB body): it is scanned once, word by word.
        terms: as in ``SearchHit.terms``.
    """
    wanted = _wanted(tuple(terms))
    if not wanted:
        return []
    if text.isascii():
        return _ascii_spans(text.lower(), wanted)
    return _token_spans(text, wanted)


_Wanted = tuple[tuple[str, ...], bool, Callable[..., "re.Match[str] | None"]]
"""A term to highlight: its folded words, whether the last is a prefix, the search of its ASCII pattern."""


@functools.lru_cache(maxsize=256)
def _wanted(terms: tuple[str, ...]) -> tuple[_Wanted, ...]:
    """Per term: its folded words, whether the last is a prefix, and the search of its ASCII pattern."""
    out = []
    for term in terms:
        words = tuple(tokens(term))
        if words:
            star = term.endswith("*")
            out.append((words, star, _ascii_pattern(words, star).search))
    return tuple(out)


def _ascii_pattern(words: Sequence[str], star: bool) -> re.Pattern[str]:
    """The words in a lower-cased ASCII text, one group each: in such a text a token is a run of
    ``[a-z0-9]``, so consecutive tokens have a non-alphanumeric gap. The left edge is checked by the
    caller (a look-behind would cost the scan its literal prefix)."""
    groups = [f"({re.escape(word)})" for word in words]
    groups[-1] = f"({re.escape(words[-1])}[a-z0-9]*)" if star else f"{groups[-1]}(?![a-z0-9])"
    return re.compile("[^a-z0-9]+".join(groups))


_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def _ascii_spans(lowered: str, wanted: Sequence[_Wanted]) -> list[tuple[int, int]]:
    """``highlight_spans`` for ASCII text (``lower()`` keeps its offsets): a scan per term, no token list."""
    marked: set[tuple[int, int]] = set()
    for words, _star, search in wanted:
        found = search(lowered)
        while found is not None:
            start = found.start()
            if start == 0 or lowered[start - 1] not in _ALNUM:
                marked.update(found.span(k) for k in range(1, len(words) + 1))
            found = search(lowered, start + 1)
    return sorted(marked)


def _token_spans(text: str, wanted: Sequence[_Wanted]) -> list[tuple[int, int]]:
    """``highlight_spans`` for any text: its tokens folded one by one, then matched."""
    exact: set[str] = set()
    prefixes: list[str] = []
    phrases: dict[str, list[tuple[tuple[str, ...], bool]]] = {}  # first word -> (words, last a prefix)
    for words, star, _search in wanted:
        if len(words) > 1:
            phrases.setdefault(words[0], []).append((words, star))
        elif star:
            prefixes.append(words[0])
        else:
            exact.add(words[0])
    prefix_tuple = tuple(prefixes)
    found = [(fold(m.group()), m.span()) for m in _token().finditer(text)]
    marked: set[int] = set()
    for i, (word, _span) in enumerate(found):
        if word in exact or (prefix_tuple and word.startswith(prefix_tuple)):
            marked.add(i)
        for words, star in phrases.get(word, ()):
            n = len(words)
            got = [w for w, _ in found[i : i + n]]
            last = got[-1] if len(got) == n else ""
            if got[:-1] == list(words[:-1]) and (last == words[-1] or (star and last.startswith(words[-1]))):
                marked.update(range(i, i + n))
    return [found[i][1] for i in sorted(marked)]


_SNIPPET_CHARS = 180
_BREAKS = re.compile(r"\s*\n\s*")
# The body convention's own markup (see newsreader.render), which a preview leaves out.
_REFERENCE = re.compile(r"\s\[\d{1,4}\](?=[^\w\[]|$)")
_IMAGE = re.compile(r"\s?\[image(?::[^\]\n]*)?\]")
_MARKERS = re.compile(r"^[ \t]*(?:(?:>[ \t]?)+|#{1,6}[ \t]+|(?:[•*+-]|\d{1,4}[.)])[ \t]+)+", re.MULTILINE)
_RULE_ROW = re.compile(
    r"^[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|[ \t]*$|^[ \t]*(?:`{3,}|~{3,})[^\n]*$", re.MULTILINE
)
_RULE_CELLS = re.compile(r"(?<=\|)[ \t]*:?-{3,}:?[ \t]*(?=\|)")
_TABLE_BAR = re.compile(r"(?<!\\)\|")
_WIDE = r"[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]"
"""Characters two cells wide; compiled on first use (``_wide``): ``re`` builds the class code point by
code point, ~10 ms that every search process paid at import for the TUI's CJK widths."""


@functools.cache
def _wide() -> re.Pattern[str]:
    return re.compile(_WIDE)


def nfc(text: str) -> str:
    """NFC-normalised text (cheap for ASCII): the index stores and tokenizes composed characters."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def plain_prose(text: str) -> str:
    """A stored body (or lead) as one line of prose for a preview: link references, image placeholders,
    heading, list and quote markers, table bars and rules and code fences left out."""
    if "[" in text:
        text = _IMAGE.sub("", _REFERENCE.sub("", text))
    if "\n" in text or text[:1] in "#>•*+-|" or text[:1].isdigit():
        text = _MARKERS.sub("", _RULE_ROW.sub("", text))
    if "|" in text:
        text = _TABLE_BAR.sub(" ", _RULE_CELLS.sub(" ", text)).replace("\\|", "|")
    return " ".join(text.split())


def _window(text: str, first: int, reach: int) -> tuple[int, int]:
    """Where to cut a long body around offset ``first`` before cleaning it: at line starts when near."""
    lo = 0
    if first > reach:
        lo = text.rfind("\n", 0, first - reach) + 1
        if first - lo > 3 * reach:  # one long line: cut at a space, drop the partial word
            lo = text.find(" ", first - reach, first) + 1 or first
    hi = len(text)
    if hi - first > 2 * reach:
        hi = text.find("\n", first + reach)
        if hi < 0 or hi - first > 3 * reach:
            hi = text.rfind(" ", first, first + 2 * reach)
            hi = hi if hi > first else first + 2 * reach
    return lo, hi


_FIRST_READS = (2_000, 16_000)
"""How much of a body ``_first_match`` reads before it reads all of it."""
_PHRASE_ROOM = 400
"""A match this close to the end of what was read may be the tail of a phrase that began before it."""


def _first_match(text: str, terms: Sequence[str]) -> int | None:
    """Where the first word :func:`highlight_spans` marks in ``text`` starts, reading as little of it
    as it can: a hit's snippet needs only that, and scanning a 30 KB body word by word for every hit
    was most of a search's time."""
    for reach in _FIRST_READS:
        if reach >= len(text):
            break
        spans = highlight_spans(text[:reach], terms)
        if spans and spans[0][0] < reach - _PHRASE_ROOM:
            return spans[0][0]
    spans = highlight_spans(text, terms)
    return spans[0][0] if spans else None


def make_snippet(
    text: str, terms: Sequence[str], width: int = _SNIPPET_CHARS
) -> tuple[str, list[tuple[int, int]]]:
    """About ``width`` characters of prose around the first match in ``text`` (a body), cut at words,
    with ``…`` where it is cut; the match comes about a third of the way in (``fit_snippet`` centres it
    for a narrower room).

    Returns the snippet and the offsets of the matched words in it.
    """
    first = _first_match(text, terms) if terms else None
    lo, hi = _window(text, first or 0, 2 * width)
    prose = plain_prose(text[lo:hi])
    found = highlight_spans(prose, terms) if first is not None else []
    start = 0
    if found:
        first = found[0][0]
        start = max(0, first - width // 3)
        if start:
            space = prose.find(" ", start, first)
            start = space + 1 if space >= 0 else first
    end = min(len(prose), start + width)
    if end < len(prose):
        space = prose.rfind(" ", start + width // 2, end)
        end = space if space > 0 else end
    before = start > 0 or (lo > 0 and bool(plain_prose(text[:lo])))
    after = end < len(prose) or (hi < len(text) and bool(plain_prose(text[hi : hi + 200])))
    snippet = ("…" if before else "") + prose[start:end].strip() + ("…" if after else "")
    return snippet, highlight_spans(snippet, terms) if terms else []


def _cells(text: str) -> int:
    if not text or max(text) < "\u1100":  # nothing wide (the first wide range starts there)
        return len(text)
    return len(text) + len(_wide().findall(text))


def fit_snippet(text: str, spans: Sequence[tuple[int, int]], width: int) -> tuple[str, list[tuple[int, int]]]:
    """A snippet narrowed to ``width`` terminal cells, centred on its first match, cut at words, with
    ``…`` on each side that is cut; the offsets of the matches that are left.

    The list calls this with the room its row has, so the match is on screen at any width.
    """
    if width <= 0 or _cells(text) <= width:
        return text, list(spans)
    lead, trail = text.startswith("…"), text.endswith("…")
    core = text[1 if lead else 0 : len(text) - 1 if trail else len(text)]
    shift = 1 if lead else 0
    scale = 2 if _cells(core) > len(core) else 1  # wide (CJK) text: count every character as two cells

    def fits(start: int, end: int) -> bool:
        marks = (start > 0 or lead) + (end < len(core) or trail)
        return (end - start) * scale + marks <= width

    a, b = (spans[0][0] - shift, spans[0][1] - shift) if spans else (0, 0)
    start, end = max(0, a), min(len(core), max(a, b))
    while end > start + 1 and not fits(start, end):  # a match wider than the room: its head
        end -= 1
    grew = True
    while grew:  # a word at a time on each side of the match, so it stays in the middle
        grew = False
        if end < len(core):
            after = core.find(" ", end + 1)
            after = len(core) if after < 0 else after
            if fits(start, after):
                end, grew = after, True
        if start > 0:
            before = core.rfind(" ", 0, max(0, start - 1)) + 1
            if fits(before, end):
                start, grew = before, True
    piece = core[start:end]
    stripped = piece.lstrip()
    start += len(piece) - len(stripped)
    piece = stripped.rstrip()
    prefix = "…" if start > 0 or lead else ""
    suffix = "…" if start + len(piece) < len(core) or trail else ""
    moved = [(s - shift - start + len(prefix), e - shift - start + len(prefix)) for s, e in spans]
    low, high = len(prefix), len(prefix) + len(piece)
    inside = [(max(s, low), min(e, high)) for s, e in moved if e > low and s < high]  # clipped
    return prefix + piece + suffix, inside
