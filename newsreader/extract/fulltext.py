"""Full text of teasers and summary-only feed items: fetch the article's page, store its text as the body.

The feed's summary stays the excerpt (the headline record is untouched but for the "excerpt only"
flag), and the body record keeps where the text came from (``full_text``). A page is fetched once:
an article with its full text is skipped unless asked ``again``. A failure is recorded on the article
(``full_text_error``, one line) and its body stays the summary.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from newsreader.errors import UserInputError
from newsreader.extract.fetch import PageResult, fetch_pages

if TYPE_CHECKING:
    from newsreader.ingest.fetch import Fetcher
    from newsreader.library import Library
    from newsreader.models import Article


@dataclass(frozen=True, slots=True)
class FullTextResult:
    """What fetching one article's full text did."""

    article_id: str
    title: str
    url: str | None
    words: int = 0
    """Words of the stored full text (0 when nothing was stored)."""
    cached: bool = False
    """It had its full text already; nothing was fetched."""
    error: str | None = None


def _words(text: str) -> int:
    return len(text.split())


# A page that adds no more than a few sentences to the summary is a paywall or a teaser page, not the
# article: its text would replace the summary with a copy of itself and hide that the article is missing.


def _plan(
    library: Library, ids: Sequence[str], url: str | None, again: bool
) -> tuple[list[Article], list[FullTextResult], dict[str, int]]:
    """The articles to fetch, the results known without fetching (cached, no link), and the order."""
    store = library._store
    todo: list[Article] = []
    known: list[FullTextResult] = []
    order: dict[str, int] = {}
    for raw in dict.fromkeys(ids):
        article = library.get(raw)
        if article.id in order:
            continue
        order[article.id] = len(order)
        record = store.body(article.id) or {}
        link = url or article.url
        if record.get("full_text") and not again and url is None:
            known.append(
                FullTextResult(article.id, article.title, record["full_text"].get("url"), cached=True)
            )
        elif not link:
            error = "the article has no link to fetch (give one with --url URL)"
            known.append(FullTextResult(article.id, article.title, None, error=error))
        else:
            todo.append(article)
    return todo, known, order


def _outcome(result: PageResult, summary: str, now: float) -> tuple[dict[str, Any], str | None]:
    """The body record fields to merge for one page, and the error, if any."""
    page = result.page
    if page is not None and _words(page.body) < max(1.5 * _words(summary), _words(summary) + 40):
        error: str | None = "the page has no more text than the summary (a paywall or a teaser page?)"
    else:
        error = result.error
    if page is None or error is not None:
        return {"full_text_error": error, "full_text_tried": now}, error
    fields: dict[str, Any] = {
        "body": page.body,
        "links": list(page.links),
        "full_text": {"url": result.final_url or result.url, "fetched": now, "summary": summary},
        "full_text_error": None,
        "full_text_tried": None,
    }
    return fields, None


def fetch_full_text(
    library: Library,
    ids: Sequence[str],
    *,
    url: str | None = None,
    again: bool = False,
    fetcher: Fetcher | None = None,
    cancel: threading.Event | None = None,
) -> list[FullTextResult]:
    """Fetch and store the full text of these articles (ids or unique prefixes).

    ``url`` attaches that page to the one article given (a teaser without a link). Each article gets
    a result; one page's failure never stops the others.

    Raises:
        ArticleNotFoundError: an id matches no article (nothing is fetched then).
        UserInputError: ``url`` with several ids, or a URL that cannot be fetched.
    """
    if url is not None:
        if len(ids) != 1:
            raise UserInputError("--url attaches a page to one article; give a single ID")
        from newsreader.urls import typed_url_problem

        if typed_url_problem(url.strip()) is not None:
            raise UserInputError(f"not an http(s) page URL: {url.strip()!r}")
    todo, results, order = _plan(library, ids, url, again)
    if not todo:
        return results
    if fetcher is None:
        from newsreader.extract.fetch import default_fetcher

        fetcher = default_fetcher(library.fetch_timeout, library.max_feed_bytes)
    pages = fetch_pages([(a.id, url or a.url or "") for a in todo], fetcher=fetcher, cancel=cancel)
    store = library._store
    now = library.now().timestamp()
    bodies: dict[str, dict[str, Any]] = {}
    headlines: dict[str, dict[str, Any]] = {}
    for article, page in zip(todo, pages, strict=True):
        old = store.body(article.id) or {}
        summary = (old.get("full_text") or {}).get("summary") or old.get("body") or article.excerpt
        fields, error = _outcome(page, summary, now)
        if error is None and page.page is not None:
            kept = [c for c in old.get("credits", ()) if not c.startswith("Full text: ")]
            fields["credits"] = [*kept, f"Full text: {page.final_url or page.url}"]
            headlines[article.id] = {"full_text": page.final_url or page.url}
        bodies[article.id] = fields
        words = _words(page.page.body) if error is None and page.page is not None else 0
        results.append(
            FullTextResult(article.id, article.title, page.final_url or page.url, words, error=error)
        )
    changed = store.merge_articles(bodies, headlines)
    library._index_articles([i for i in changed if i in headlines])
    return sorted(results, key=lambda r: order[r.article_id])
