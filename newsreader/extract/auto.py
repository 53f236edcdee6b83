"""What happens to freshly stored articles: full text for feeds that want it, teasers linked.

:meth:`newsreader.library.Library` calls :func:`after_commit` after every import, subscription and
refresh commit. A feed with full text on (``newsreader feed FEED --full-text on``, or ``add URL
--full-text``) gets the page of each new summary-only item fetched; a teaser whose text begins an
article from any source is linked to it. Neither ever fails the commit that came before.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from newsreader.extract.need import needs_full_text

if TYPE_CHECKING:
    from newsreader.library import Library

log = logging.getLogger(__name__)
FULL_TEXT: Final = "full_text"
"""The source record's setting: fetch the full text of new summary-only items."""


def set_full_text(library: Library, source_id: str, on: bool) -> None:
    """Turn full text on or off for one source (a feed)."""
    from newsreader.store.records import SourceRecord, SourceUpdate

    update = SourceUpdate(SourceRecord(full_text=True)) if on else SourceUpdate(clear=frozenset({FULL_TEXT}))
    library._store.update_sources({source_id: update})


def full_text_on(library: Library, source_id: str) -> bool:
    return bool(library._store.sources().get(source_id, {}).get(FULL_TEXT))


def wanting_full_text(library: Library, article_ids: Sequence[str]) -> list[str]:
    """The articles among these whose feed has full text on and that still need it, never tried."""
    sources = library._store.sources()
    headlines = library._store.headlines()
    ids = [
        i
        for i in dict.fromkeys(article_ids)
        if i in headlines
        and sources.get(headlines[i].get("src", ""), {}).get(FULL_TEXT)
        and needs_full_text(headlines[i])
        and headlines[i].get("url")
    ]
    if not ids:
        return []
    bodies = library._store.bodies(ids)
    return [i for i in ids if not (bodies.get(i) or {}).get("full_text_tried")]


def link_teasers(library: Library, article_ids: Sequence[str] | None) -> dict[str, str]:
    """Link teasers to full articles, looking at pairs with one of ``article_ids`` (None: all)."""
    from newsreader.extract.link import find_full_articles

    store = library._store

    def bodies(ids: list[str]) -> dict[str, str]:
        return {i: str((rec or {}).get("body", "")) for i, rec in store.bodies(ids).items()}

    links = find_full_articles(store.headlines(), bodies, new=article_ids)
    if links:
        store.merge_articles({}, {teaser: {"full_article": full} for teaser, full in links.items()})
        library._index_articles(sorted(links))  # the index drops linked teasers (search shows one entry)
    return links


def after_commit(library: Library, article_ids: Sequence[str]) -> None:
    """Fetch wanted full text, then link teasers; logs instead of raising (the commit stands)."""
    if not article_ids:
        return
    try:
        wanted = wanting_full_text(library, article_ids)
        if wanted:
            from newsreader.extract.fulltext import fetch_full_text

            fetch_full_text(library, wanted)
        link_teasers(library, article_ids)
    except Exception:
        log.exception("full text / teaser linking after a commit failed; the articles are stored")


def enable_full_text(library: Library, source_id: str) -> int:
    """Turn full text on for a feed and fetch it for the items already stored; returns how many got it."""
    set_full_text(library, source_id, True)
    ids = [i for i, rec in library._store.headlines().items() if rec.get("src") == source_id]
    wanted = wanting_full_text(library, ids)
    if not wanted:
        return 0
    from newsreader.extract.fulltext import fetch_full_text

    return sum(1 for r in fetch_full_text(library, wanted) if r.error is None)
