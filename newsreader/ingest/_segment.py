"""The separated-dump reader: blocks of paragraphs -> article drafts.

What :func:`newsreader.ingest.dump.parse_dump` does with a dump that is not a saved page: paragraphs are
joined from wrapped lines, a title, byline and date line on top are taken as the article's head, caption
and credit lines are metadata, a closing bio ends an article and names its author, and a long paragraph
that stops mid-sentence is a teaser of its own. Newsletters (:mod:`newsreader.ingest._digest`) read their
items with the same rules.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from newsreader.ingest.blocks import PRE, TABLE
from newsreader.ingest.dates import parse_date
from newsreader.ingest.headlines import TITLE_LIMIT, derive_title
from newsreader.ingest.heads import DISCLAIMER, bio_author, byline_author, is_credit, posted_line
from newsreader.ingest.inline import markdown_inline, number_links
from newsreader.ingest.page import COMMENTS_HEADING
from newsreader.ingest.text import (
    clean,
    clean_line,
    ends_sentence,
    excerpt,
    normalise_for_id,
)
from newsreader.models import ArticleDraft

TEASER_MIN = 120
"""A paragraph this long that stops mid-sentence is a teaser; shorter unterminated lines may be titles."""

_TAGS = re.compile(
    r"^(?:tags?|tagged|categor(?:y|ies)|filed under|labels?|schlagwörter|etiquetas|étiquettes)\s*:", re.I
)
_TAGS_OPEN = "ceflst"
_LIST_ITEM = re.compile(r"^(?:[-*+•]|\d{1,3}[.)])\s+\S")
_LIST_MARK = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+(?=\S)", re.MULTILINE)
_CODE = re.compile(r"(`{3,}|~{3,})[^\n`]*\n")


@dataclass(slots=True)
class Pending:
    """An article being assembled."""

    paragraphs: list[str] = field(default_factory=list)
    title: str | None = None
    author: str | None = None
    published: datetime | None = None
    credits: list[str] = field(default_factory=list)
    author_note: list[str] = field(default_factory=list)
    truncated: bool = False

    @property
    def empty(self) -> bool:
        return not self.paragraphs and self.title is None

    @property
    def at_head(self) -> bool:
        return not self.paragraphs


def article_id(title: str | None, body: str) -> str:
    """Stable id of a dump article: a hash of its normalised text.

    The text alone, not the file's path: re-importing, or importing a copy saved elsewhere, is a no-op.
    """
    basis = _ascii_basis(body)
    if basis is None:
        basis = normalise_for_id(body)
    basis = basis or normalise_for_id(title or "")
    return hashlib.sha256(b"dump\0" + basis.encode()).hexdigest()[:12]


def _ascii_basis(body: str) -> str | None:
    """``normalise_for_id(body)`` without splitting the body into words, where that is exact: an ASCII
    body (NFKC leaves ASCII alone, and casefold is lower) whose paragraphs are single-spaced lines;
    None for any other body."""
    if not body.isascii():
        return None
    flat = body.lower().replace("\n\n", " ")
    # Unprintable: a tab, a newline left (a list, code) or another control, all of which split() folds.
    if not flat.isprintable() or "  " in flat or flat[:1] == " " or flat[-1:] == " ":
        return None
    return flat


def join_lines(lines: list[str]) -> list[str]:
    """A paragraph's lines as one line, except a list (``- ``, ``* ``, ``•``, ``1.`` items): one item a
    line (a hard-wrapped item's later lines joined to it, a nested item indented two spaces a level),
    and a lead-in line before the items is a paragraph of its own."""
    if len(lines) == 1:  # most paragraphs of a big dump: no list to look for
        return [lines[0].strip()]
    items = [i for i, line in enumerate(lines) if _LIST_ITEM.match(line.lstrip())]
    if len(items) < 2 or items[0] > 1:
        return [" ".join(line.strip() for line in lines)]
    lead = [] if items[0] == 0 else [lines[0].strip()]
    out: list[str] = []
    indents: list[int] = []  # the indentation of each open nesting level
    for line in lines[len(lead) :]:
        if not _LIST_ITEM.match(line.lstrip()):
            out[-1] += " " + line.strip()  # a continuation of the item above
            continue
        indent = len(line) - len(line.lstrip())
        while indents and indent < indents[-1]:
            indents.pop()
        if not indents or indent > indents[-1]:
            indents.append(indent)
        out.append("  " * min(3, len(indents) - 1) + _list_item(line.strip()))
    return [*lead, "\n".join(out)]


def _list_item(line: str) -> str:
    return "- " + line[2:].strip() if line[:2] in ("* ", "+ ", "• ") else line


def is_head_line(line: str) -> bool:
    plain = (markdown_inline(line) if "*" in line or "_" in line else line).strip()
    return bool(_byline(plain) or (len(plain) <= 60 and _date(plain)) or _posted(plain) or _TAGS.match(plain))


# Head lines are read more than once (whether a dump is tidy, then its articles' heads) and bylines
# and dates repeat across a dump's articles: their readings are kept per distinct line. The functions
# are pure, so a reading shared between files or threads is right; parse_dump empties the caches.
_LINE_CACHE = 1 << 17
_byline = lru_cache(maxsize=_LINE_CACHE)(byline_author)
_date = lru_cache(maxsize=_LINE_CACHE)(parse_date)
_posted_read = lru_cache(maxsize=_LINE_CACHE)(posted_line)


def _posted(line: str) -> tuple[str | None, datetime | None] | None:
    """``posted_line(line)``. Both its shapes hold "by" (or von, por...) between whitespace, and in a
    printable ASCII line the only whitespace is the space and case folds as ``str.lower`` does: such a
    line without " by " (or the others) is not one, and its reading is not cached."""
    if line.isascii() and line.isprintable():
        low = line.lower()
        if not (
            " by " in low or " von " in low or " por " in low or " par " in low or " di " in low
        ) and not (" door " in low or " oleh " in low):
            return None
    return _posted_read(line)


def clear_line_caches() -> None:
    """Forget the head-line readings (a finished import need not keep them)."""
    for cached in (_byline, _date, _posted_read):
        cached.cache_clear()


_COMMENTS_OPEN = "0123456789cdjklr"
"""What a :data:`COMMENTS_HEADING` match opens with (a count, or "comments", "discussion", "join the
discussion", "kommentare", "leave a reply", "responses"...), as :data:`_TAGS_OPEN` is for ``_TAGS``."""


def _may_open(para: str, letters: str) -> bool:
    """Whether a case-blind regex anchored at the start, whose matches open with one of ``letters``
    (ASCII, lower case), may match ``para``: a paragraph that opens with another ASCII character cannot.
    Outside ASCII, case folding matches more than ``str.lower`` (``K`` for k): the regex decides."""
    first = para[:1]
    return not first.isascii() or first.lower() in letters


def _clean_line(text: str) -> str:
    """``clean_line(text)``. A printable text has no control or escape character to strip (every one of
    them is unprintable) and no whitespace but the space (every other is unprintable too): it is clean
    already unless it has a double, leading or trailing space."""
    if not text.isprintable():
        return clean_line(text)
    if "  " in text or text[:1] == " " or text[-1:] == " ":
        return " ".join(text.split())
    return text


def split_head(block: list[list[str]]) -> list[list[str]]:
    """Split a title, byline and date written on consecutive lines out of the block's first paragraph."""
    index = next((i for i, p in enumerate(block) if not p[0].startswith("\x00")), None)
    if index is None or len(block[index]) < 2:
        return block
    lines = block[index]
    head: list[list[str]] = []
    i = 0
    if is_head_line(lines[1]) and len(lines[0]) <= TITLE_LIMIT + 30:
        head.append([lines[0]])
        i = 1
    while i < len(lines) and is_head_line(lines[i]):
        head.append([lines[i]])
        i += 1
    if not head:
        return block
    rest = [lines[i:]] if i < len(lines) else []
    return block[:index] + head + rest + block[index + 1 :]


def segment(paragraphs: list[str], *, markdown: bool = False) -> list[ArticleDraft]:
    """Cut one block's paragraphs into articles (scraped-page rules) and build drafts."""
    out: list[ArticleDraft] = []
    cur = Pending()

    def close() -> None:
        nonlocal cur
        if cur.paragraphs or (cur.title and cur.author_note):
            out.append(draft(cur, markdown))
        elif cur.title:
            # A title with nothing under it is a one-line article (a headline-only dump line).
            cur.paragraphs.append(cur.title)
            out.append(draft(cur, markdown))
        cur = Pending()

    count = len(paragraphs)
    in_comments = False
    for i, para in enumerate(paragraphs):
        verbatim = para.startswith((PRE, TABLE))  # code and tables: kept line for line
        if verbatim:
            para = para.split("\n", 1)[1]
        elif para.startswith("\x00"):
            pass
        elif "\n" in para:  # a list: one item a line, nested ones indented
            para = "\n".join(_indent(item) + clean_line(item) for item in para.split("\n"))
        else:
            para = _clean_line(para)
        if not para:
            continue
        comments = not verbatim and _may_open(para, _COMMENTS_OPEN) and COMMENTS_HEADING.match(para)
        if comments and (cur.paragraphs or out):
            in_comments = True  # readers' comments are not the article: skip them up to the block's end
        if in_comments:
            continue
        if verbatim:
            cur.paragraphs.append(para)
            continue
        nxt = paragraphs[i + 1] if i + 1 < count else None
        if para.startswith("\x00h"):
            level, heading = para[2], clean_line(para[4:])
            if level == "1":
                close()
                cur.title = heading
            elif cur.title is None and not cur.paragraphs:
                cur.title = heading
            else:  # a section heading: it stays in the body
                cur.paragraphs.append(f"## {heading}")
            continue
        if "\n" in para and not para.startswith("\x00"):
            cur.paragraphs.append(para)  # a list stays in the article it is in
            continue
        if cur.author_note:
            # Anything after a bio belongs to the next article, except more of the bio/disclaimer.
            if is_disclaimer(para):
                cur.author_note.append(para)
                continue
            close()
        if cur.at_head and _take_head(cur, para, last=nxt is None):
            continue
        if is_credit(para):
            cur.credits.append(para)
            continue
        if len(para) <= 700 and (cur.paragraphs or cur.title) and (bio_author(para) or is_disclaimer(para)):
            cur.author_note.append(para)
            cur.author = cur.author or bio_author(para)
            continue
        if len(para) >= TEASER_MIN and not ends_sentence(para):
            # A long paragraph that stops mid-sentence: a teaser. It is its own article unless it opens one
            # that has a title already (then it is that article's truncated body).
            if cur.paragraphs:
                close()
            cur.paragraphs.append(para)
            cur.truncated = True
            close()
            continue
        cur.paragraphs.append(para)
    if cur.author_note or not cur.empty:
        close()
    return out


def is_disclaimer(para: str) -> bool:
    """``DISCLAIMER.search(para)``, ruled out first by a substring test where that is exact.

    Every alternative of the pattern but the two anchored at the start (``contact``/``follow`` the
    author) holds "reflect", "expressed" or "published". The case-blind search of a long alternation
    over every body paragraph was the import's biggest cost. In ASCII text ``str.lower`` folds case as
    the regex does (its other matches for ASCII letters, such as ``ı`` or ``ſ``, are not ASCII), so a
    paragraph without the words cannot match.
    """
    if para.isascii():
        low = para.lower()
        words = "reflect" in low or "expressed" in low or "published" in low
        if not words and not low.startswith(("contact", "follow")):
            return False
    return DISCLAIMER.search(para) is not None


def _prose(paragraph: str) -> str:
    """A paragraph as a line of prose: list items without their markers, run together as clauses."""
    if "\n" not in paragraph:
        return paragraph
    items = [_LIST_MARK.sub("", line).strip() for line in paragraph.split("\n")]
    return " ".join(item if item[-1:] in ".!?:;," else item + ";" for item in items if item).rstrip(";")


def _indent(line: str) -> str:
    return " " * (len(line) - len(line.lstrip(" ")))


def _take_head(cur: Pending, para: str, *, last: bool) -> bool:
    """Take a head line (tags, "Posted on DATE by NAME", byline, date, title) into the article being
    assembled; False if ``para`` is not one."""
    if _may_open(para, _TAGS_OPEN) and _TAGS.match(para):
        return True
    # A reading that could not be taken is not made: a second byline or date is body text anyway.
    # ``para`` is clean (stripped): past 120 characters it is no posted line, past 100 no byline.
    unset = cur.author is None and cur.published is None
    posted = _posted(para) if unset and len(para) <= 120 else None
    if posted:
        cur.author, cur.published = posted
        return True
    author = _byline(para) if cur.author is None and len(para) <= 100 else None
    if author:
        cur.author = author
        return True
    date = _date(para) if cur.published is None and len(para) <= 60 else None
    if date:
        cur.published = date
        return True
    if (
        cur.title is None
        and not last
        and len(para) <= TITLE_LIMIT + 30
        and not ends_sentence(para)
        and not para.endswith(",")
        and not is_credit(para)
    ):
        cur.title = para.rstrip(" :")
        return True
    return False


def draft(p: Pending, markdown: bool = False) -> ArticleDraft:
    body_paragraphs = p.paragraphs  # already clean_line()d by segment
    links: tuple[str, ...] = ()
    if markdown:  # not in code: a link there is code too
        prose = [x for x in body_paragraphs if not _CODE.match(x)]
        numbered, links = number_links(prose)
        replaced = iter(numbered)
        body_paragraphs = [x if _CODE.match(x) else next(replaced) for x in body_paragraphs]
    body = "\n\n".join([x for x in body_paragraphs if x])
    # The lead and a derived title are prose: no headings, code or tables, list items as sentences.
    text_paragraphs = [
        _prose(x) for x in body_paragraphs if not x.startswith(("## ", "|")) and not _CODE.match(x)
    ]
    title = _clean_line(p.title) if p.title else None
    derived = title is None
    if derived:
        title = derive_title(text_paragraphs)
    if links:  # link reference numbers mean nothing in a preview
        text_paragraphs = [re.sub(r" \[\d+\]", "", x) for x in text_paragraphs]
    lead = excerpt(text_paragraphs)
    if p.truncated and len(lead) >= len(" ".join(text_paragraphs)) and not lead.endswith("…"):
        lead = lead.rstrip() + "…"  # the whole teaser fits: still show that it stops mid-sentence
    return ArticleDraft(
        id=article_id(title if not derived else None, body),
        title=title or "Untitled",
        body=body,
        excerpt=lead,
        author=(_clean_line(p.author) if p.author else "") or None,
        published=p.published,
        truncated=p.truncated,
        author_note="\n\n".join(clean(x) for x in p.author_note) or None,
        credits=tuple(clean_line(c) for c in p.credits),
        links=links,
    )
