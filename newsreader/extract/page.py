"""A saved web page (``.html``, ``.htm``) as one article: what ``newsreader import page.html`` makes."""

from __future__ import annotations

import re
from pathlib import Path

from newsreader.errors import ImportFileError
from newsreader.models import ArticleDraft

PAGE_SUFFIXES = frozenset({".html", ".htm"})
_REFERENCE = re.compile(r" \[\d+\]")


def lead(body: str) -> str:
    """The excerpt of an extracted body: its first sentences, without headings or link numbers."""
    from newsreader.ingest.text import excerpt

    paragraphs = [p for p in body.split("\n\n") if p and not p.startswith("## ")]
    return excerpt([_REFERENCE.sub("", p) for p in paragraphs])


def page_drafts(path: Path, data: bytes) -> list[ArticleDraft]:
    """The article of a saved page; its id is a hash of its text, as a dump article's, so a re-import
    (or a copy saved elsewhere) is a no-op.

    Raises:
        ImportFileError: the page holds no article text.
    """
    from newsreader._import import shown, title_from
    from newsreader.extract import extract
    from newsreader.ingest.dump import article_id

    page = extract(data, None)
    if page is None:
        raise ImportFileError(f"{shown(path)}: no article text found in this page")
    title = page.title or title_from(path)
    return [
        ArticleDraft(
            id=article_id(title, page.body),
            title=title,
            body=page.body,
            excerpt=lead(page.body),
            author=page.author,
            published=page.published,
            url=page.url,
            credits=(page.site_name,) if page.site_name else (),
            links=page.links,
        )
    ]
