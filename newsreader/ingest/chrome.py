"""Telling article text from page chrome in plain text, line by line (jusText's idea applied to lines).

A page saved as text (``w3m -dump``, a browser's "save as text", a copy and paste) holds its article among
menus, share buttons, related-headline lists, cookie notices and footers. Each line is first classed on its
own, from signals that carry across sites and languages: its length, whether it ends like a sentence, how
dense it is in the page language's function words, separators (``|``, ``•``, ``›``), list-marker shape,
placeholders (``[image]``), repetition within the page. Lines too short to judge alone then take the class of
their neighbours (a short line between two paragraphs of prose is prose; a short line among menus is a menu).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from newsreader.ingest._stopwords import STOPWORDS


class Kind(StrEnum):
    """A line's class: ``GOOD`` prose, ``NEAR`` prose-like but short, ``SHORT`` undecided, ``BAD`` chrome."""

    GOOD = "good"
    NEAR = "near"
    SHORT = "short"
    BAD = "bad"


LENGTH_LOW = 70
"""Under this many characters a line cannot be judged alone."""
LENGTH_HIGH = 200
"""A line this long with prose-like function-word density is prose even without neighbours."""
STOP_LOW = 0.18
STOP_HIGH = 0.24
"""Function-word density bands (our lists are short, so lower than jusText's 0.30/0.32)."""

_WORD = re.compile(r"\w+")
_BULLET = re.compile(r"^(?:[-*+•◦▪▫·□■○●‣⁃–]|\d{1,3}[.)]|[a-z][.)])(?:\s+|$)")
_WIDE = re.compile("[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uff60\uffe0-\uffe6]")
"""East Asian wide characters: Hangul, CJK, kana, fullwidth forms."""
_RULE = re.compile(r"^([-*_=~#])\s*(?:\1\s*){2,}$")
_PLACEHOLDER = re.compile(r"^(?:\[[^\]]*\]\s*)+$")
_SEPARATOR = re.compile(r"\s(?:\||•|·|›|»|>|/|–|—)\s|\s\|\s?|\|")
_SENTENCE_END = re.compile(r"[.!?…。！？:;][\"'”’»)\]]*$")
_URL = re.compile(r"^(?:https?://|www\.)\S+$")
# The vocabulary of page furniture on any site, in the languages of the stopword lists: calls to subscribe,
# sign in, share, comment, accept cookies, and the legal footer. Not one site's phrases.
CHROME_WORDS = re.compile(
    r"\b(?:subscrib\w*|unsubscrib\w*|newsletters?|sign(?:ing)?[ -](?:up|in)|log[ -]?in|cookies?|"
    r"privacy policy|terms of (?:use|service)|all rights reserved|advertisement|"
    r"share (?:this|on)|follow us|abonn\w+|anmelden|datenschutz|suscr[ií]b\w*|bolet[ií]n|"
    r"iniciar sesi[oó]n|pol[ií]tica de privacidad|inscreva|assine|privacidade|iscriviti|informativa|"
    r"inschrijven|nieuwsbrief|connexion|confidentialit[ée])\b",
    re.IGNORECASE,
)
CHROME_WORDS_MAX = 200
"""A line this short that names page furniture is page furniture."""
_CAPTION = re.compile(
    r"^(?:(?:in )?(?:this|a|the) (?:file )?(?:photo|image|picture|handout photo|photograph|video grab)\b"
    r"|image caption\b|media caption\b|pictured:|caption:)",
    re.IGNORECASE,
)
_CUT = re.compile(r"\w(?:\.\.\.|…)[\"'”’»)\]]*$")
_COPYRIGHT = re.compile(r"©|\(c\)\s*\d{4}|\bcopyright\b", re.IGNORECASE)


@dataclass(slots=True)
class Line:
    """One non-blank line of a page, with what the classifier knows of it."""

    index: int
    """Line number in the page (0-based)."""
    raw: str
    text: str
    """Stripped, list marker removed."""
    bullet: str
    indent: int
    gap: int
    """Blank lines just before this one."""
    words: int
    stop: float
    sentence: bool
    kind: Kind = Kind.SHORT
    first: Kind = Kind.SHORT
    repeated: bool = False
    """The same text stands elsewhere on the page (a menu twice, a card's headline as link and title)."""
    """The class on the line's own signals, before its neighbours had a say."""


def language(lines: list[str]) -> frozenset[str]:
    """The stopword list that covers most of the page's words; empty if none covers a tenth (CJK, Korean)."""
    counts = Counter(w.lower() for line in lines for w in _WORD.findall(line))
    total = sum(counts.values()) or 1
    best, share = frozenset[str](), 0.0
    for words in STOPWORDS.values():
        covered = sum(counts[w] for w in words) / total
        if covered > share:
            best, share = words, covered
    return best if share >= 0.1 else frozenset()


def _fold(text: str) -> str:
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def split_lines(text: str) -> list[Line]:
    """The page's non-blank lines with their features, before classification."""
    raw_lines = text.split("\n")
    stop = language(raw_lines)
    wrapped = _hard_wrapped(raw_lines)
    out: list[Line] = []
    gap = 0
    for index, raw in enumerate(raw_lines):
        stripped = raw.strip()
        if (
            wrapped
            and stripped
            and out
            and gap == 0
            and not _BULLET.match(stripped)
            and not _RULE.match(stripped)
            and len(out[-1].raw) >= 50
        ):
            # a hard-wrapped paragraph is one unit, as a page's paragraph is one line
            last = out[-1]
            last.raw = f"{last.raw} {stripped}"
            last.text = f"{last.text} {stripped}"
            tokens = _WORD.findall(last.text)
            last.words = len(tokens)
            last.stop = sum(t.lower() in stop for t in tokens) / len(tokens) if tokens and stop else -1.0
            last.sentence = bool(_SENTENCE_END.search(last.text))
            continue
        if not stripped:
            gap += 1
            continue
        bullet_match = _BULLET.match(stripped)
        bullet = bullet_match.group(0).strip() if bullet_match else ""
        body = stripped[bullet_match.end() :].strip() if bullet_match else stripped
        tokens = _WORD.findall(body)
        density = sum(t.lower() in stop for t in tokens) / len(tokens) if tokens and stop else -1.0
        out.append(
            Line(
                index=index,
                raw=raw,
                text=body,
                bullet=bullet,
                indent=len(raw) - len(raw.lstrip()),
                gap=gap,
                words=len(tokens),
                stop=density,
                sentence=bool(_SENTENCE_END.search(body)),
            )
        )
        gap = 0
    return out


def weighted_length(text: str) -> int:
    """Length in Latin-letter equivalents: a CJK or Hangul character carries about three letters' worth."""
    return len(text) + 2 * len(_WIDE.findall(text))


def is_placeholder(line: Line) -> bool:
    """An image, ad slot or form field (``[photo]``, ``[INS::INS]``, ``[    ]``) or a bare URL: no text."""
    text = line.text
    half = len(text) // 2
    doubled = len(text) >= 6 and len(text) % 2 == 0 and text[:half] == text[half:]  # w3m's image alt twice
    return line.words == 0 or doubled or bool(_PLACEHOLDER.match(text) or _URL.match(text))


def _hard_wrapped(lines: list[str]) -> bool:
    """Prose wrapped at a fixed width (an e-mail, a text file): no line over 120 characters, most of the long
    ones of nearly the same length."""
    lengths = [len(line.rstrip()) for line in lines if line.strip()]
    long = [n for n in lengths if n >= 50]
    return bool(long) and max(lengths) <= 120 and len(long) >= len(lengths) // 3


_GLUE = re.compile(r"(?:(?<=[a-z0-9])|(?<=[a-z0-9][.?!]))(?=[A-Z][a-z]|[A-Z] )")


def _glued_headline(text: str) -> bool:
    """A title-cased headline run into the text after it with no space, as a text browser renders a teaser
    card (link then summary). Brand names (``YouTube``, ``iPhone``) have no title-cased words before them."""
    for match in _GLUE.finditer(text, 0, 160):
        words = text[: match.start()].split()
        if len(words) < 3:
            continue
        capitals = sum(1 for w in words if w[:1].isupper() or w[:1].isdigit())
        return capitals >= 0.6 * len(words)
    return False


def _initial(line: Line, repeated: bool, stop_low: float, stop_high: float) -> Kind:
    """A line's class on its own signals."""
    text = line.text
    if repeated:
        return Kind.BAD
    if _COPYRIGHT.search(text) and len(text) < 300:
        return Kind.BAD
    if _CUT.search(text) and 60 <= len(text) < 400:
        return Kind.BAD  # a teaser cut short: an item of a related-stories list
    if len(text) < CHROME_WORDS_MAX and CHROME_WORDS.search(text):
        return Kind.BAD  # a call to subscribe, sign in, share, accept cookies
    if _CAPTION.match(text):
        return Kind.BAD  # a photo caption ("In this photo taken on ...", "Image caption ...")
    if _glued_headline(text):
        return Kind.BAD  # a related story: its headline run into its teaser ("...StandWarren Mayor says")
    separators = len(_SEPARATOR.findall(text))
    if separators >= 2 and len(text) / (separators + 1) < 40:
        return Kind.BAD
    length = weighted_length(text)
    no_stoplist = line.stop < 0
    if length < LENGTH_LOW:
        return Kind.SHORT
    if no_stoplist:
        if line.sentence:
            return Kind.GOOD if length >= LENGTH_HIGH / 2 else Kind.NEAR
        return Kind.NEAR if length >= LENGTH_HIGH else Kind.BAD
    if line.stop < stop_low:
        return Kind.BAD
    if line.stop >= stop_high and (length >= LENGTH_HIGH or line.sentence):
        return Kind.GOOD
    return Kind.NEAR


def _nearest(kinds: list[Kind], accept: frozenset[Kind], step: int) -> list[Kind]:
    """For each line, the class of the nearest line before it (``step`` -1) or after it (+1) whose class is
    in ``accept``; ``BAD`` past the edge of the page. One pass, so smoothing stays linear."""
    out = [Kind.BAD] * len(kinds)
    last = Kind.BAD
    order = range(len(kinds)) if step < 0 else range(len(kinds) - 1, -1, -1)
    for i in order:
        out[i] = last
        if kinds[i] in accept:
            last = kinds[i]
    return out


_DECIDED = frozenset({Kind.GOOD, Kind.BAD})
_DECIDED_OR_NEAR = frozenset({Kind.GOOD, Kind.BAD, Kind.NEAR})


def _smooth(kinds: list[Kind]) -> list[Kind]:
    """jusText's context rules: short and near-good lines take their class from the nearest decided lines."""
    out = list(kinds)
    prev, nxt = _nearest(kinds, _DECIDED_OR_NEAR, -1), _nearest(kinds, _DECIDED_OR_NEAR, 1)
    prev_far, next_far = _nearest(kinds, _DECIDED, -1), _nearest(kinds, _DECIDED, 1)
    for i, kind in enumerate(kinds):
        if kind is not Kind.SHORT:
            continue
        if prev[i] is Kind.GOOD and nxt[i] is Kind.GOOD:
            out[i] = Kind.GOOD
        elif (
            (prev[i] is Kind.BAD and nxt[i] is Kind.BAD)
            or (prev[i] is Kind.BAD and prev_far[i] is Kind.BAD)
            or (nxt[i] is Kind.BAD and next_far[i] is Kind.BAD)
        ):
            out[i] = Kind.BAD
        else:
            out[i] = Kind.GOOD
    after = _nearest(out, _DECIDED, 1)  # near-good lines not yet decided are passed over
    before = Kind.BAD
    for i, kind in enumerate(kinds):
        if kind is Kind.NEAR:
            out[i] = Kind.BAD if before is Kind.BAD and after[i] is Kind.BAD else Kind.GOOD
        if out[i] in _DECIDED:
            before = out[i]
    return out


def _stop_bands(lines: list[Line]) -> tuple[float, float]:
    """Function-word density bands for this page: a fixed floor, scaled down where the page's own prose is
    sparser in listed words than English (a short list for its language, a terse style)."""
    prose = sorted(line.stop for line in lines if line.stop >= 0 and line.sentence and len(line.text) >= 100)
    if len(prose) < 3:
        return STOP_LOW, STOP_HIGH
    typical = prose[len(prose) // 2]
    scale = min(1.0, typical / 0.38)
    return STOP_LOW * scale, STOP_HIGH * scale


def classify(text: str) -> list[Line]:
    """Every non-blank line of ``text`` with its final class (``GOOD`` or ``BAD``).

    Placeholders (images, ad slots, bare URLs) are chrome but do not count as neighbours: an image between
    two paragraphs must not split an article.
    """
    lines = split_lines(text)
    counts = Counter(_fold(line.text) for line in lines)
    low, high = _stop_bands(lines)
    content = [line for line in lines if not is_placeholder(line)]
    for line in lines:
        line.repeated = counts[_fold(line.text)] > 1
    kinds = [_initial(line, line.repeated, low, high) for line in content]
    for line in lines:
        line.kind = Kind.BAD
    for line, first, kind in zip(content, kinds, _smooth(kinds), strict=True):
        line.first, line.kind = first, kind
    return lines
