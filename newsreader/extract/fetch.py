"""Fetching article pages for their full text, with the feed fetcher's limits and politeness.

The download is :class:`newsreader.ingest.fetch.Fetcher`'s (http(s) only, timeouts, a size cap
after decompression, bounded redirects), with at most ``PER_HOST`` pages at once from one site.
Only HTML comes back as a page: any other content type is a failure with its reason, as is a
page with no article in it. Nothing here raises for one page's failure.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsreader._refresh.pool import run_async
from newsreader.ingest.text import clean_line

if TYPE_CHECKING:
    from newsreader.extract import Page
    from newsreader.ingest.fetch import Fetcher, FetchResult

PER_HOST = 2
"""Pages fetched at once from one host: a reader, not a crawler."""
CONCURRENCY = 8
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True, slots=True)
class PageResult:
    """One page fetched and extracted, or why not."""

    key: str
    """The caller's id (an article id)."""
    url: str
    page: Page | None = None
    final_url: str | None = None
    error: str | None = None


def default_fetcher(timeout: float = 20.0, max_bytes: int = 10 * 1024 * 1024) -> Fetcher:
    """The feed fetcher with a reader's politeness: a few pages at once, ``PER_HOST`` per site."""
    from newsreader.ingest.fetch import Fetcher

    return Fetcher(concurrency=CONCURRENCY, per_host=PER_HOST, timeout=timeout, max_bytes=max_bytes)


def check_url(url: str) -> str | None:
    """Why no page can be fetched from ``url`` (the one rule, :func:`newsreader.urls.url_problem`), or
    None. A stored article link may hold a space (the request percent-encodes it); a typed ``--url``
    is checked by :func:`newsreader.urls.typed_url_problem` first (``extract.fulltext``)."""
    from newsreader.urls import url_problem

    problem = url_problem(url.strip())
    return None if problem is None else f"invalid URL: {problem}"


def _is_html(result: FetchResult) -> bool:
    kind = (result.content_type or "").split(";")[0].strip().lower()
    if kind:
        return kind in HTML_TYPES
    head = (result.content or b"")[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def _page(result: FetchResult) -> PageResult:
    """Extract the article from one download."""
    from newsreader.extract import extract

    if result.error is not None:
        error = result.error.replace("feed larger than", "page larger than").replace("this feed", "this page")
        return PageResult(result.key, result.url, error=error)
    if result.content is None:
        return PageResult(result.key, result.url, error=f"HTTP {result.status}: no content")
    if not _is_html(result):
        kind = clean_line((result.content_type or "unknown").split(";")[0]) or "unknown"
        return PageResult(result.key, result.url, error=f"not an HTML page ({kind})")
    final = result.final_url or result.url
    page = extract(result.content, final, metadata=False)
    if page is None:
        return PageResult(result.key, result.url, final_url=final, error="no article text found on the page")
    return PageResult(result.key, result.url, page=page, final_url=final)


def fetch_pages(
    requests: Sequence[tuple[str, str]],
    *,
    fetcher: Fetcher | None = None,
    cancel: threading.Event | None = None,
) -> list[PageResult]:
    """Download ``(key, url)`` pages and extract their articles; results in the order asked.

    A URL asked for by several keys is downloaded once.

    Raises:
        FetchError: the TLS certificates cannot be loaded (nothing is fetched then).
    """
    from newsreader.ingest.fetch import FetchRequest

    fetcher = fetcher or default_fetcher()
    out: dict[str, PageResult] = {}
    wanted: dict[str, list[str]] = {}
    for key, url in requests:
        problem = check_url(url)
        if problem is not None:
            out[key] = PageResult(key, url, error=problem)
        else:
            wanted.setdefault(url.strip(), []).append(key)
    if wanted:
        fetched = run_async(fetcher.fetch_all([FetchRequest(url, url) for url in wanted], cancel=cancel))
        for result in fetched:
            page = _page(result)
            for key in wanted[result.key]:
                out[key] = PageResult(key, page.url, page.page, page.final_url, page.error)
    return [out.get(key) or PageResult(key, url, error="cancelled") for key, url in requests]
