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

from newsreader.ingest._digest import read_page_or_digest
from newsreader.ingest._segment import (
    TEASER_MIN,
    article_id,
    clear_line_caches,
    join_lines,
    segment,
    split_head,
)
from newsreader.ingest.blocks import TABLE
from newsreader.ingest.blocks import iter_blocks as _blocks
from newsreader.ingest.dates import parse_date
from newsreader.ingest.headlines import derive_title
from newsreader.ingest.heads import byline_author, is_credit
from newsreader.ingest.inline import markdown_inline
from newsreader.ingest.text import strip_controls
from newsreader.models import ArticleDraft

__all__ = [
    "TEASER_MIN",
    "article_id",
    "byline_author",
    "derive_title",
    "is_credit",
    "parse_date",
    "parse_dump",
]


def parse_dump(text: str, *, name: str = "dump", markdown: bool = False) -> list[ArticleDraft]:
    """Read a decoded dump into article drafts, in file order.

    Args:
        text: the decoded text (any newline style).
        name: the file's name, for nothing but error context.
        markdown: treat ``#`` headings (and setext underlines) as Markdown (``.md`` files); ``# Title`` at
            the start of a line starts an article in any dump.
    """
    del name
    try:
        return _parse(text, markdown)
    finally:
        clear_line_caches()


def _parse(text: str, markdown: bool) -> list[ArticleDraft]:
    # A form feed is a separator; make it a separator line before control characters are stripped.
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n---\n\n")
    text = strip_controls(text)
    if not markdown:
        special = read_page_or_digest(text)
        if special is not None:
            return special
    drafts: list[ArticleDraft] = []
    for block in _blocks(text, markdown):
        block = split_head(block)
        paragraphs = [p for lines in block for p in join_lines(lines)]
        if markdown:
            paragraphs = [
                p if p.startswith("\x00") and not p.startswith(TABLE) else markdown_inline(p)
                for p in paragraphs
            ]
        drafts.extend(segment(paragraphs, markdown=markdown))
    return drafts
