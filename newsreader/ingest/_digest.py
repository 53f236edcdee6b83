"""Saved pages and newsletters inside a dump: which of them a text is, and its articles.

A dump that is not a tidy run of titled articles is classed line by line (:mod:`newsreader.ingest.chrome`):
a saved web page gives its one article (:mod:`newsreader.ingest.page`), and a newsletter loses its masthead,
contents and footer, its issue date dating the items, each item read by the separated-dump rules
(:mod:`newsreader.ingest._segment`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from newsreader.ingest._segment import (
    Pending,
    _byline,
    _date,
    draft,
    is_head_line,
    join_lines,
    segment,
    split_head,
)
from newsreader.ingest.blocks import BLANK_LINES, between_separators
from newsreader.ingest.blocks import iter_blocks as _blocks
from newsreader.ingest.chrome import Kind, Line, classify
from newsreader.ingest.dates import find_date
from newsreader.ingest.heads import byline_author
from newsreader.ingest.page import (
    PageArticle,
    has_prose,
    is_page,
    read_page,
)
from newsreader.ingest.text import clean_line
from newsreader.models import ArticleDraft

DIGEST_CHROME_MAX = 0.5
"""A separated dump with chrome is a digest (newsletter) while most of its lines are prose; past this share
of chrome it is a web page whose horizontal rules came out as ``___`` lines."""
EDGE_BLOCKS = 2
"""Chrome blocks a newsletter may open or close with (masthead and contents; footer and legal line)."""


def read_page_or_digest(text: str) -> list[ArticleDraft] | None:
    """A saved page's article, or a newsletter's items without its masthead and footer; None for a dump the
    plain rules read. A separated dump whose articles open with a title and byline or date is never a page,
    and is not classified line by line at all (that keeps big imports fast): only its end blocks are."""
    between = between_separators(text)
    chunks = [chunk for chunk in between if chunk.strip()]  # blank chunks left out
    headed = _headed(between)
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


def _headed(chunks: list[str]) -> bool:
    """Articles (between separators or two blank lines) that mostly open with a title line and a byline or
    date line right under it: a tidy dump, whatever its words. ``chunks``: the text between separators."""
    parts: list[list[str]] = []  # the first three lines of each article, stripped
    for chunk in chunks:
        for part in BLANK_LINES.split(chunk):
            lines: list[str] = []
            for raw in part.split("\n"):
                if line := raw.strip():
                    lines.append(line)
                    if len(lines) == 3:
                        break
            if lines:
                parts.append(lines)
    counts = Counter(part[0] for part in parts)
    headed = sum(1 for part in parts if len(part) > 2 and counts[part[0]] == 1 and _opens_with_head(part))
    return headed >= 2 and headed * 2 >= len(parts)


def _opens_with_head(part: list[str]) -> bool:
    if is_head_line(part[0]):
        return False
    return any(_byline(line) or (len(line) <= 60 and _date(line)) for line in part[1:3])


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
                drafts.extend(segment([p for lines in split_head(paras) for p in join_lines(lines)]))
    if issue_date is not None:
        drafts = [d if d.published else replace(d, published=issue_date) for d in drafts]
    return drafts


def _page_draft(page: PageArticle) -> ArticleDraft:
    pending = Pending(paragraphs=[clean_line(p) if "\n" not in p else p for p in page.paragraphs])
    pending.title, pending.author, pending.published = page.title, page.author, page.published
    return draft(pending)
