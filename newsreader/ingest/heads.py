"""Head lines of an article: bylines, caption and credit lines, closing bios.

``By Maria Fernandes, Environment correspondent`` names Maria Fernandes; ``By Sofia Lind and Jonas Berg``
both; ``Posted on 3 October 2026 by Ana Costa`` names Ana Costa and dates the post.
"""

from __future__ import annotations

import re
from datetime import datetime

from newsreader.ingest.dates import find_date

_CREDIT = re.compile(
    r"""^(?:
        (?:illustration|photo(?:graph)?s?|image|picture|graphic|cartoon|video|map|chart|artwork|
           photo\ illustration|main\ photo|top\ photo|header\ image|credit|caption|source|file\ photo)
        \s*(?:by|courtesy\ of|credit)?\s*[:：|/–—-]
      | (?:photo|image|picture|illustration)s?\s+(?:by|courtesy\ of|credit)\b
      | (?:courtesy\ of|credit:)
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_NAME = r"[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|de|da|van|von|der|den|del|la|le|bin|al|ibn|y))*"
_BY = r"(?:by|por|von|par|di|door|av|oleh)"
""""By" in the languages of the stopword lists."""
_AND = r"(?:,|and|&|y|und|et|e|en|och|dan)"
_BYLINE = re.compile(
    rf"^{_BY}\s+(?P<name>{_NAME}(?:\s*{_AND}\s*{_NAME})*)\s*(?:[,|–—-].{{0,40}})?$", re.IGNORECASE
)
_BY_START = re.compile(rf"^{_BY}\s", re.IGNORECASE)
_BIO = re.compile(
    rf"""^(?P<name>{_NAME})\s+(?:is|was|has\ been|writes)\s+(?:a|an|the|an?\ former|currently|also)\b
        (?P<rest>.*)$""",
    re.VERBOSE,
)
_BIO_ROLE = re.compile(
    r"\b(columnist|commentator|contributor|correspondent|researcher|professor|lecturer|fellow|writer|"
    r"editor|journalist|reporter|author|analyst|economist|scholar|director|chair(?:man|woman)?|"
    r"founder|president|ceo|student|candidate|member|adviser|advisor|expert|historian|novelist|"
    r"critic|blogger|producer|staff)\b",
    re.IGNORECASE,
)
DISCLAIMER = re.compile(
    r"(does not necessarily reflect|do not necessarily reflect|views expressed (?:here|in this)|"
    r"the opinions expressed|this (?:column|article|piece) (?:was|is) (?:first|originally) published|"
    r"^(?:contact|follow) (?:the author|him|her|them)\b)",
    re.IGNORECASE,
)


def is_credit(line: str) -> bool:
    """A caption or credit line (``Illustration: Yusha``, ``Photo courtesy of X``): metadata, not body."""
    return len(line) <= 160 and bool(_CREDIT.match(line))


def byline_author(line: str) -> str | None:
    """The name in ``By Jane Doe`` (or ``By Jane Doe and John Roe, Reuters``), else ``None``.

    A sentence that merely starts with "By" ("By the same logic, ...") is not a byline: the words after
    "By" must be capitalised names and the line short.
    """
    if len(line) > 100 or not _BY_START.match(line):
        return None
    match = _BYLINE.match(line.strip())
    if not match:
        return None
    name = match.group("name").strip().rstrip(",")
    if "," in name and not re.search(rf"\s{_AND}\s", name):
        name = name.split(",")[0]  # "By Ana de la Cruz, Reuters": the part after the comma is affiliation
    words = name.split()
    if not 1 <= len(words) <= 12 or not words[0][0].isupper():
        return None
    return name


def bio_author(paragraph: str) -> str | None:
    """The author named by a closing bio (``Andreas Kluth is a Bloomberg Opinion columnist ...``)."""
    match = _BIO.match(paragraph)
    if not match or len(match.group("name").split()) < 2:
        return None
    if not _BIO_ROLE.search(match.group("rest")[:200]):
        return None
    return match.group("name")


def is_bio(paragraph: str) -> bool:
    """A closing bio or disclaimer, which ends an article."""
    return bio_author(paragraph) is not None or bool(DISCLAIMER.search(paragraph))


_POSTED = re.compile(
    rf"^(?:posted|published|written|updated)?\s*(?:on\s+)?(?P<date>.{{4,40}}?)\s+(?:by|von|por|par|di|door|oleh)\s+"
    rf"(?P<name>{_NAME})\s*(?:[,|–—-].{{0,40}})?$",
    re.IGNORECASE,
)
_POSTED_BY = re.compile(
    rf"^(?:posted|published|written)\s+by\s+(?P<name>{_NAME}?)(?:\s+(?:on|at)\s+(?P<date>.{{4,40}}))?$", re.I
)


def posted_line(line: str) -> tuple[str | None, datetime | None] | None:
    """``Posted on DATE by NAME`` or ``Posted by NAME on DATE``: (author, date), else None."""
    text = line.strip()
    if len(text) > 120:
        return None
    if m := _POSTED_BY.match(text):
        author = m["name"].strip() or None
        return author, find_date(m["date"]) if m["date"] else None
    if (m := _POSTED.match(text)) and (date := find_date(m["date"])):
        name = m["name"].strip()
        if "," in name and not re.search(r"\s(?:and|&)\s", name):
            name = name.split(",")[0]
        return name, date
    return None
