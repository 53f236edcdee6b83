"""A readable default name for an imported dump (issue 13): what the sources pane and ``list`` show.

In order: the name the dump gives itself (a copyright line near its end, ``© 2026 The Coastal
Herald``; a newsletter's masthead, ``WEEKLY HARBOUR DIGEST — Issue 48``), else the file name
without its suffix and hash noise, title-cased (``2024_harbour-notes_3f9a2c1b.txt`` -> ``Harbour
Notes``), else ``Dump of 24 Nov 2026``. Only a new source is named: a title already stored
(or given by the user) is never replaced.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from newsreader.models import ArticleDraft

_YEARS = r"\d{4}(?:\s*[-–—]\s*\d{4})?"
_COPYRIGHT = re.compile(
    rf"^(?:©|ⓒ|\(c\)|copyright)\s*(?:©\s*)?(?:copyright\s+)?(?:{_YEARS}[,.]?\s+)?(?:copyright\s+)?(?:by\s+)?"
    rf"(?P<name>[^©]+?)(?:,?\s*{_YEARS})?"
    r"\.?\s*(?:(?:all rights reserved|todos (?:los|os) (?:derechos|direitos) reservados|tous droits réservés)"
    r"\b.*)?$",
    re.IGNORECASE,
)
_MASTHEAD_WORDS = re.compile(r"\b(?:issue|vol\.?|no\.|edition|newsletter|digest|weekly|daily)\b", re.I)
_ISSUE = re.compile(r"\s*[—–|:-]+\s*(?:issue|vol\.?|no\.|edition|#)\s*\S*.*$", re.I)
_NOISE = re.compile(r"^(?:\d+|[0-9a-f]{6,}|[0-9a-z]{10,})$", re.I)
TAIL_LINES = 30
"""How far from the end a copyright line may be (a photo credit higher up is not the site)."""
MAX_NAME = 40


def dump_name(path: Path, text: str, drafts: Sequence[ArticleDraft], now: datetime) -> str:
    """The default title of a dump read from ``path`` (``text``, read into ``drafts``)."""
    from newsreader._clean import clean_line

    name = _said(text, drafts) or stem_name(path)
    return clean_line(name) or f"Dump of {now.astimezone():%-d %b %Y}"


def stem_name(path: Path) -> str:
    """The file name without suffix and without hash or number tokens, each word capitalised."""
    from newsreader._clean import clean_line
    from newsreader._import import shown

    file = clean_line(shown(path.name))  # escapes out and undecodable bytes shown, before the cut
    stem = file.rsplit(".", 1)[0] if "." in file[1:] else file
    words = [w for w in re.split(r"[\s_.\-]+", stem) if w and not _NOISE.fullmatch(w)]
    return " ".join(w[:1].upper() + w[1:] for w in words)


def _said(text: str, drafts: Sequence[ArticleDraft]) -> str | None:
    """The name the dump gives itself, if it does."""
    lines = text.splitlines()
    tail: list[str] = []  # the last TAIL_LINES lines that are not blank, stripped (not every line's strip)
    for line in reversed(lines):
        if stripped := line.strip():
            tail.append(stripped)
            if len(tail) == TAIL_LINES:
                break
    for line in tail:  # from the end
        match = _COPYRIGHT.match(line) if len(line) <= 120 else None
        if match is not None:
            name = match.group("name").strip(" .,")
            if 2 <= len(name) <= MAX_NAME and not name.lower().startswith("all rights"):
                return name
    if not tail:
        return None
    first = next(stripped for line in lines if (stripped := line.strip()))
    if len(first) <= 60 and (first.isupper() or _MASTHEAD_WORDS.search(first)):
        kept = " ".join(f"{d.title}\n{d.body}\n{d.author or ''}" for d in drafts)  # only for a masthead
        if first not in kept:
            name = _ISSUE.sub("", first).strip(" —–|:-")
            if 2 <= len(name) <= MAX_NAME:
                return _capitalised(name) if name.isupper() else name
    return None


def _capitalised(name: str) -> str:
    return " ".join(w[:1] + w[1:].lower() for w in name.split())
