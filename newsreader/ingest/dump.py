"""Local text dumps -> article drafts.

A dump has no fixed format. The reader below handles, in one pass over paragraphs:

* separated articles: separator lines (``---``, ``***``, ``* * *``, ``===``, form feed) or two or more blank
  lines end an article; blank-line paragraphs; an optional title line, byline and date line on top;
* Markdown-ish files: the top-level ``#`` headings start articles (deeper headings stay in the body);
* scraped pages (one paragraph a line, no blank lines, no titles): caption/credit lines are
  metadata, a closing bio ends an article and names its author, and a long paragraph that stops
  mid-sentence is a teaser, an article of its own flagged ``truncated``.

Before those rules, a dump that is not a tidy run of titled articles is classed line by line
(:mod:`newsreader.ingest.chrome`): a saved web page gives its one article (:mod:`newsreader.ingest.page`),
and a newsletter loses its masthead, contents and footer, its issue date dating the items.

Where no title is given, one is derived from the lead (:func:`derive_title`).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime

from newsreader.ingest.blocks import PRE, TABLE
from newsreader.ingest.blocks import blocks as _blocks
from newsreader.ingest.chrome import Kind, Line, classify
from newsreader.ingest.dates import find_date, parse_date
from newsreader.ingest.headlines import TITLE_LIMIT, derive_title
from newsreader.ingest.heads import DISCLAIMER, bio_author, byline_author, is_bio, is_credit, posted_line
from newsreader.ingest.inline import markdown_inline, number_links
from newsreader.ingest.page import (
    COMMENTS_HEADING,
    PageArticle,
    has_prose,
    is_page,
    read_page,
)
from newsreader.ingest.text import (
    clean,
    clean_line,
    ends_sentence,
    excerpt,
    normalise_for_id,
    strip_controls,
)
from newsreader.models import ArticleDraft

TEASER_MIN = 120
"""A paragraph this long that stops mid-sentence is a teaser; shorter unterminated lines may be titles."""

_SEPARATOR_LINE = re.compile(r"^\s*([-*_=~#])\s*(?:\1\s*){2,}$", re.MULTILINE)
_TAGS = re.compile(
    r"^(?:tags?|tagged|categor(?:y|ies)|filed under|labels?|schlagwörter|etiquetas|étiquettes)\s*:", re.I
)
_LIST_ITEM = re.compile(r"^(?:[-*+•]|\d{1,3}[.)])\s+\S")
_LIST_MARK = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+(?=\S)", re.MULTILINE)
_CODE = re.compile(r"(`{3,}|~{3,})[^\n`]*\n")


@dataclass(slots=True)
class _Pending:
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
    basis = normalise_for_id(body) or normalise_for_id(title or "")
    return hashlib.sha256(b"dump\0" + basis.encode()).hexdigest()[:12]


def parse_dump(text: str, *, name: str = "dump", markdown: bool = False) -> list[ArticleDraft]:
    """Read a decoded dump into article drafts, in file order.

    Args:
        text: the decoded text (any newline style).
        name: the file's name, for nothing but error context.
        markdown: treat ``#`` headings (and setext underlines) as Markdown (``.md`` files); ``# Title`` at
            the start of a line starts an article in any dump.
    """
    del name
    # A form feed is a separator; make it a separator line before control characters are stripped.
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n---\n\n")
    text = strip_controls(text)
    if not markdown:
        special = _read_page_or_digest(text)
        if special is not None:
            return special
    drafts: list[ArticleDraft] = []
    for block in _blocks(text, markdown):
        block = _split_head(block)
        paragraphs = [p for lines in block for p in _join(lines)]
        if markdown:
            paragraphs = [
                p if p.startswith("\x00") and not p.startswith(TABLE) else markdown_inline(p)
                for p in paragraphs
            ]
        drafts.extend(_segment(paragraphs, markdown=markdown))
    return drafts


DIGEST_CHROME_MAX = 0.5
"""A separated dump with chrome is a digest (newsletter) while most of its lines are prose; past this share
of chrome it is a web page whose horizontal rules came out as ``___`` lines."""
EDGE_BLOCKS = 2
"""Chrome blocks a newsletter may open or close with (masthead and contents; footer and legal line)."""


def _read_page_or_digest(text: str) -> list[ArticleDraft] | None:
    """A saved page's article, or a newsletter's items without its masthead and footer; None for a dump the
    plain rules read. A separated dump whose articles open with a title and byline or date is never a page,
    and is not classified line by line at all (that keeps big imports fast): only its end blocks are."""
    chunks = _chunks(text)
    headed = _headed(text)
    if not headed or len(chunks) < 2:
        # Titled articles without separators between them may also be a page's cards ("Title / date /
        # teaser" under "More stories"): such a text is still read as a page when chrome dominates it.
        lines = classify(text)
        if is_page(lines) and (not headed or _chrome_share(lines) > DIGEST_CHROME_MAX):
            if len(chunks) > 1 and _chrome_share(lines) <= DIGEST_CHROME_MAX:
                prose = [has_prose(classify(chunk)) for chunk in chunks]
                if sum(prose) >= 2:
                    return _digest(chunks, prose) if not all(prose) else None
            page = read_page(text, lines)
            if page and page.paragraphs:
                return [_page_draft(page)]
    keep = _edge_items(chunks)
    return _digest(chunks, keep) if not all(keep) else None


def _chunks(text: str) -> list[str]:
    """The text between separator lines (``---``), blank chunks left out."""
    chunks: list[list[str]] = [[]]
    for raw in text.split("\n"):
        if _SEPARATOR_LINE.fullmatch(raw):
            chunks.append([])
        else:
            chunks[-1].append(raw)
    return [joined for chunk in chunks if (joined := "\n".join(chunk)).strip()]


def _headed(text: str) -> bool:
    """Articles (between separators or two blank lines) that mostly open with a title line and a byline or
    date line right under it: a tidy dump, whatever its words."""
    parts: list[list[str]] = [[]]
    blank = 0
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            blank += 1
            continue
        if _SEPARATOR_LINE.fullmatch(raw) or blank >= 2:
            parts.append([])
        blank = 0
        if not _SEPARATOR_LINE.fullmatch(raw):
            parts[-1].append(line)
    parts = [part for part in parts if part]
    counts = Counter(part[0] for part in parts)
    headed = sum(1 for part in parts if len(part) > 2 and counts[part[0]] == 1 and _opens_with_head(part))
    return headed >= 2 and headed * 2 >= len(parts)


def _opens_with_head(part: list[str]) -> bool:
    if _is_head_line(part[0]):
        return False
    return any(byline_author(line) or (len(line) <= 60 and parse_date(line)) for line in part[1:3])


def _chrome_share(lines: list[Line]) -> float:
    return sum(line.kind is Kind.BAD for line in lines) / max(1, len(lines))


def _chrome_block(block: list[Line]) -> bool:
    """A masthead, contents line or footer: no prose, some chrome, no byline."""
    return (
        not has_prose(block)
        and any(line.first is Kind.BAD for line in block)
        and not any(byline_author(line.text) for line in block)
    )


def _edge_items(chunks: list[str]) -> list[bool]:
    """Which separated chunks are articles: all but the chrome chunks at either end (up to two each: a
    newsletter's masthead and contents, its footer and legal line). Only the end chunks are classified."""
    keep = [True] * len(chunks)
    if len(chunks) < 2:
        return keep
    for order in (range(len(chunks)), range(len(chunks) - 1, -1, -1)):
        for n, i in enumerate(order):
            if n >= EDGE_BLOCKS or not keep[i] or not _chrome_block(classify(chunks[i])):
                break
            keep[i] = False
    return keep if any(keep) else [True] * len(chunks)


def _digest(chunks: list[str], keep: list[bool]) -> list[ArticleDraft]:
    """A newsletter: its items are the kept chunks; the masthead, contents and footer are not articles, and
    the issue's date (the first date before the first item) applies to items that have none."""
    issue_date = None
    for chunk, kept in zip(chunks, keep, strict=True):
        if kept:
            break
        lines = (line.strip() for line in chunk.split("\n"))
        issue_date = issue_date or next(
            (d for line in lines if len(line) <= 100 and (d := find_date(line))), None
        )
    drafts: list[ArticleDraft] = []
    for chunk, kept in zip(chunks, keep, strict=True):
        if kept:
            for paras in _blocks(chunk, False):
                drafts.extend(_segment([p for lines in _split_head(paras) for p in _join(lines)]))
    if issue_date is not None:
        drafts = [d if d.published else replace(d, published=issue_date) for d in drafts]
    return drafts


def _page_draft(page: PageArticle) -> ArticleDraft:
    pending = _Pending(paragraphs=[clean_line(p) if "\n" not in p else p for p in page.paragraphs])
    pending.title, pending.author, pending.published = page.title, page.author, page.published
    return _draft(pending)


def _join(lines: list[str]) -> list[str]:
    """A paragraph's lines as one line, except a list (``- ``, ``* ``, ``•``, ``1.`` items): one item a
    line (a hard-wrapped item's later lines joined to it, a nested item indented two spaces a level),
    and a lead-in line before the items is a paragraph of its own."""
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


def _is_head_line(line: str) -> bool:
    plain = markdown_inline(line).strip()
    return bool(
        byline_author(plain)
        or (len(plain) <= 60 and parse_date(plain))
        or posted_line(plain)
        or _TAGS.match(plain)
    )


def _split_head(block: list[list[str]]) -> list[list[str]]:
    """Split a title, byline and date written on consecutive lines out of the block's first paragraph."""
    index = next((i for i, p in enumerate(block) if not p[0].startswith("\x00")), None)
    if index is None or len(block[index]) < 2:
        return block
    lines = block[index]
    head: list[list[str]] = []
    i = 0
    if _is_head_line(lines[1]) and len(lines[0]) <= TITLE_LIMIT + 30:
        head.append([lines[0]])
        i = 1
    while i < len(lines) and _is_head_line(lines[i]):
        head.append([lines[i]])
        i += 1
    if not head:
        return block
    rest = [lines[i:]] if i < len(lines) else []
    return block[:index] + head + rest + block[index + 1 :]


def _segment(paragraphs: list[str], *, markdown: bool = False) -> list[ArticleDraft]:
    """Cut one block's paragraphs into articles (scraped-page rules) and build drafts."""
    out: list[ArticleDraft] = []
    cur = _Pending()

    def close() -> None:
        nonlocal cur
        if cur.paragraphs or (cur.title and cur.author_note):
            out.append(_draft(cur, markdown))
        elif cur.title:
            # A title with nothing under it is a one-line article (a headline-only dump line).
            cur.paragraphs.append(cur.title)
            out.append(_draft(cur, markdown))
        cur = _Pending()

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
            para = clean_line(para)
        if not para:
            continue
        if not verbatim and COMMENTS_HEADING.match(para) and (cur.paragraphs or out):
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
            if DISCLAIMER.search(para):
                cur.author_note.append(para)
                continue
            close()
        if cur.at_head and _take_head(cur, para, last=nxt is None):
            continue
        if is_credit(para):
            cur.credits.append(para)
            continue
        if len(para) <= 700 and (cur.paragraphs or cur.title) and is_bio(para):
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


def _prose(paragraph: str) -> str:
    """A paragraph as a line of prose: list items without their markers, run together as clauses."""
    if "\n" not in paragraph:
        return paragraph
    items = [_LIST_MARK.sub("", line).strip() for line in paragraph.split("\n")]
    return " ".join(item if item[-1:] in ".!?:;," else item + ";" for item in items if item).rstrip(";")


def _indent(line: str) -> str:
    return " " * (len(line) - len(line.lstrip(" ")))


def _take_head(cur: _Pending, para: str, *, last: bool) -> bool:
    """Take a head line (tags, "Posted on DATE by NAME", byline, date, title) into the article being
    assembled; False if ``para`` is not one."""
    if _TAGS.match(para):
        return True
    posted = posted_line(para)
    if posted and cur.author is None and cur.published is None:
        cur.author, cur.published = posted
        return True
    author = byline_author(para)
    if author and cur.author is None:
        cur.author = author
        return True
    date = parse_date(para) if len(para) <= 60 else None
    if date and cur.published is None:
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


def _draft(p: _Pending, markdown: bool = False) -> ArticleDraft:
    body_paragraphs = p.paragraphs  # already clean_line()d by _segment
    links: tuple[str, ...] = ()
    if markdown:  # not in code: a link there is code too
        prose = [x for x in body_paragraphs if not _CODE.match(x)]
        numbered, links = number_links(prose)
        replaced = iter(numbered)
        body_paragraphs = [x if _CODE.match(x) else next(replaced) for x in body_paragraphs]
    body = "\n\n".join(x for x in body_paragraphs if x)
    # The lead and a derived title are prose: no headings, code or tables, list items as sentences.
    text_paragraphs = [
        _prose(x) for x in body_paragraphs if not x.startswith(("## ", "|")) and not _CODE.match(x)
    ]
    title = clean_line(p.title) if p.title else None
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
        author=clean_line(p.author) or None,
        published=p.published,
        truncated=p.truncated,
        author_note="\n\n".join(clean(x) for x in p.author_note) or None,
        credits=tuple(clean_line(c) for c in p.credits),
        links=links,
    )
