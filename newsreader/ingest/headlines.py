"""Headlines derived from an article's lead when the dump gives none."""

from __future__ import annotations

import re

from newsreader.ingest.text import sentences

TITLE_LIMIT = 90
"""Longest derived headline, in characters."""

_LEAD_IN = re.compile(
    r"^(?:(?:on|in|at|by|for|during|after|before|since|this|last|earlier|later|late|early|"
    r"ruminating|speaking|writing|asked|according)\b[^,]{0,60}|[A-Z][a-z]+ \d{1,2}),\s+",
    re.IGNORECASE,
)
_STRONG_BREAK = re.compile(r"\s*(?:[:;]|\s[—–]\s|—|,)\s+")
_WEAK_BREAK = re.compile(
    r"\s+(?=(?:by|with|for|from|as|while|after|before|because|since|which|who|whose|where|when|"
    r"that|amid|despite|including|but|and|or|to|in|on|at|over|under|into|of)\s)"
)
_DANGLING = frozenset(
    """a an the of and or but to in on at for with by from as that which who is are was were
    its their his her""".split()
)


def _tidy_title(text: str) -> str:
    text = text.strip().rstrip(" ,;:—–-")
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1]
    words = text.split()
    while len(words) > 3 and words[-1].lower().strip(",;:") in _DANGLING:
        words.pop()
    text = " ".join(words).rstrip(" ,;:—–-")
    return text[:1].upper() + text[1:]


def derive_title(paragraphs: list[str], limit: int = TITLE_LIMIT) -> str:
    """A headline made from the lead: the first sentence if it fits, else its main clause cut at a natural
    break (clause punctuation or before a preposition/conjunction), never inside a word, never over ``limit``.
    """
    lead = next((p for p in paragraphs if p.strip()), "")
    if not lead:
        return "Untitled"
    first = sentences(lead)[0] if lead else ""
    candidate = _tidy_title(first)
    if len(candidate) <= limit and len(candidate) >= 12:
        return candidate
    # Drop a scene-setting lead-in ("On Tuesday, ", "This month, ") when the rest can stand alone.
    core = first
    lead_in = _LEAD_IN.match(core)
    if lead_in and len(core) - lead_in.end() >= 30:
        core = core[lead_in.end() :]
        core = core[:1].upper() + core[1:]
    if len(_tidy_title(core)) <= limit:
        return _tidy_title(core)
    best = ""
    for pattern, minimum in ((_STRONG_BREAK, 45), (_WEAK_BREAK, 50)):
        for match in pattern.finditer(core):
            piece = _tidy_title(core[: match.start()])
            if minimum <= len(piece) <= limit and len(piece) > len(best):
                best = piece
        if best:
            return best
    # No natural break: cut at a word boundary and say so.
    words, out = core.split(), ""
    for word in words:
        if len(out) + len(word) + 2 > limit:
            break
        out = f"{out} {word}".strip()
    return _tidy_title(out) + "…"
