"""Sentence and word cuts: splitting paragraphs into sentences, leads and word-boundary cuts."""

from __future__ import annotations

import re
from collections.abc import Iterator

# Abbreviations after which a period does not end a sentence.
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st mt ft vs etc e.g i.e u.s u.k u.n e.u no nos vol fig gen gov sen rep
    lt col capt sgt cmdr adm jan feb mar apr jun jul aug sep sept oct nov dec inc ltd co corp bros
    approx est dept univ ave blvd rd p.m a.m""".split()
)
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+|$)")
_NEXT_WORD = re.compile(r"\s*(\S)")  # \s is str.isspace's set, as lstrip() strips


def sentences(text: str) -> list[str]:
    """Split a paragraph into sentences, not breaking after common abbreviations or initials."""
    return list(_sentences(text))


def _sentences(text: str) -> Iterator[str]:
    """:func:`sentences` one at a time, for a caller that needs only the first few."""
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if match.group().startswith(".") and match.group().rstrip("\"'”’)]") == ".":
            word = text[start : match.start()].rsplit(None, 1)
            last = word[-1].lower().lstrip("(\"“‘'") if word else ""
            if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
                continue
        after = _NEXT_WORD.match(text, end)  # the first character after the spaces, if any
        if after and not ((first := after.group(1)).isupper() or first in "\"“‘'(" or first.isdigit()):
            continue  # "e.g. something" or "3.5 km": not a boundary
        yield text[start:end].strip()
        start = end
    tail = text[start:].strip()
    if tail:
        yield tail


def ends_sentence(text: str) -> bool:
    """Whether a paragraph ends where a sentence may end (not mid-sentence)."""
    stripped = text.rstrip()
    if not stripped:
        return True
    stripped = stripped.rstrip("\"'”’)]»*_")
    return stripped.endswith((".", "!", "?", "…", ":"))


def cut_at_word(text: str, limit: int, ellipsis: str = "…") -> str:
    """At most ``limit`` characters, cut at a word boundary (never inside a word)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ellipsis) + 1]
    space = cut.rfind(" ")
    cut = cut[:space] if space > limit // 2 else cut[: limit - len(ellipsis)]
    return cut.rstrip(" ,;:—–-([{\"“‘'") + ellipsis


def excerpt(paragraphs: list[str], limit: int = 240) -> str:
    """The lead of an article: whole sentences up to ``limit`` characters, else a word-boundary cut."""
    text = " ".join(p for p in paragraphs if p)
    if len(text) <= limit:
        return text
    out = ""
    for sentence in _sentences(text[: limit * 2]):  # stops at the first too long
        candidate = f"{out} {sentence}".strip()
        if len(candidate) > limit:
            break
        out = candidate
    if len(out) >= limit // 3:
        return out
    return cut_at_word(text, limit)
