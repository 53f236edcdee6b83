"""Article extraction from a web page: the article's text and metadata, the page's chrome left out.

trafilatura finds the main content (it scored best on the article-pages corpus, see README);
:mod:`newsreader.extract._prune` then removes what it keeps by mistake (the headline, the dek,
bylines and dates above the text, related links and tag lists below it), :mod:`._links` puts the
body's links back as numbered references, and the text passes through the cleaning every body gets.
Importing this package is cheap: trafilatura (and its date parser) loads on the first extraction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Page:
    """One article extracted from an HTML page. Every text field is cleaned plain text."""

    title: str
    body: str
    """Paragraphs split by blank lines; ``## `` headings, ``•`` items, ``>`` quotes, ``[n]`` links."""
    links: tuple[str, ...] = ()
    """``[n]`` in the body refers to ``links[n - 1]``."""
    author: str | None = None
    published: datetime | None = None
    site_name: str | None = None
    url: str | None = None
    """The page's canonical URL when it names one, else the URL it was fetched from."""
    description: str | None = None
    language: str | None = None


def extract(html: str | bytes, url: str | None = None, *, metadata: bool = True) -> Page | None:
    """The article in ``html`` (fetched from ``url``, the base for its links), or None if it has none.

    ``metadata=False`` skips the author and date search (a third of the time), for callers that
    already know them (a feed item). Never raises for bad markup.
    """
    from newsreader.extract._engine import extract_page

    return extract_page(html, url, metadata=metadata)


__all__ = ["Page", "extract"]
