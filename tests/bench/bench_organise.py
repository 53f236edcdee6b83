"""Organise benchmark (issue 14): saved-search counts after a refresh, and rules on an ingest batch.

A library of ``gen.drafts`` articles is committed through the real ``Store`` and indexed by the real
``SearchIndex``; ten saved searches are counted once (cold), then a refresh is simulated as the refresh
pipeline does it (a commit of new articles, then ``index_articles``) and the ten counts are taken again:
that second figure is the target (at most 50 ms in all at 100,000 articles). Rules on an ingest batch are
measured both ways, in memory (``search.match``) and through the index, against the cost of committing
the same batch (the refresh's own work), which is the baseline of the "at most 10% extra" target.

Run: ``python -m tests.bench.bench_organise [--quick]``.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsreader.models import ArticleDraft
from newsreader.organise.rules import evaluate, parse_rules
from newsreader.organise.saved import SavedCounts, SavedSearch
from newsreader.search.index import SearchIndex
from newsreader.search.match import Doc
from newsreader.store import Store
from tests.bench.gen import drafts, make_library
from tests.bench.table import Row, print_table, verdict

SEARCHES = [
    SavedSearch("harbour", "harbour"),
    SavedSearch("storm ferry", "storm ferry"),
    SavedSearch("phrase", '"wind solar"'),
    SavedSearch("either", "quokka OR zephyrine OR marmalade"),
    SavedSearch("feed", 'feed:"source 0003"'),
    SavedSearch("title", "title:election -budget"),
    SavedSearch("author", "author:okafor"),
    SavedSearch("starred", "is:starred"),
    SavedSearch("prefix", "clim* grid"),
    SavedSearch("tagged", "tag:keep OR tag:later"),
]
RULES = [
    {"name": "no budget", "query": "title:budget", "action": "hide"},
    {"name": "ferries", "query": "ferry harbour", "action": "tag:ferry"},
    {"name": "okafor", "query": "author:okafor", "action": "star"},
    {"name": "old", "query": '"winter light" -election', "action": "mark-read"},
    {"name": "rare", "query": "quokka OR vellichor", "action": "tag:rare"},
]


def _batch(n: int, start: int) -> list[ArticleDraft]:
    late = datetime(2026, 12, 1, tzinfo=UTC)
    out = []
    for i, draft in enumerate(drafts(n, seed=start)):
        out.append(
            ArticleDraft(
                id=f"new{start:04d}{i:06d}",
                title=draft.title,
                body=draft.body,
                excerpt=draft.excerpt,
                author=draft.author,
                published=late + timedelta(minutes=i),
            )
        )
    return out


def _refresh(store: Store, index: SearchIndex, batch: list[ArticleDraft]) -> float:
    """Commit a batch as a refresh does, and index it; seconds taken (the rules' baseline)."""
    started = time.perf_counter()
    result = store.commit({"src0001": batch}, now=datetime(2026, 12, 2, tzinfo=UTC))
    index.index_articles(result.new_ids)
    return time.perf_counter() - started


def _counts(counts: SavedCounts, store: Store) -> tuple[float, dict[str, int]]:
    started = time.perf_counter()
    found = counts.update(
        SEARCHES, store.headlines(), store.state(), _tags(store), generation=store.generation
    )
    return time.perf_counter() - started, found


_NO_TAGS: dict[str, list[str]] = {}


def _tags(store: Store) -> dict[str, list[str]]:
    tags = getattr(store, "tags", None)
    return tags() if callable(tags) else _NO_TAGS


def _rules_in_memory(batch: list[ArticleDraft]) -> float:
    rules = parse_rules(RULES)
    started = time.perf_counter()
    docs = ((d.id, Doc(d.title, d.author or "", d.body, "Source 0001")) for d in batch)
    evaluate(rules, docs)
    return time.perf_counter() - started


def _rules_by_index(index: SearchIndex, ids: list[str]) -> float:
    rules = parse_rules(RULES)
    started = time.perf_counter()
    index.matching_ids([rule.query for rule in rules], within=ids)
    return time.perf_counter() - started


def measure(n: int, batch_size: int, refreshes: int) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lib"
        make_library(path, n)
        store = Store(path)
        index = SearchIndex(store)
        index.sync()
        counts = SavedCounts(index)
        cold, _ = _counts(counts, store)
        rows.append((f"10 saved-search counts, {n:,} articles, first", f"{cold * 1000:.0f} ms", "-", "-"))
        warm, base, memory, by_index = [], [], [], []
        for k in range(refreshes):
            batch = _batch(batch_size, k + 1)
            base.append(_refresh(store, index, batch))
            seconds, _found = _counts(counts, store)
            warm.append(seconds)
            memory.append(_rules_in_memory(batch))
            by_index.append(_rules_by_index(index, [d.id for d in batch]))
        ms = statistics.median(warm) * 1000
        rows.append(
            (
                f"10 saved-search counts after a {batch_size}-article refresh, {n:,} articles",
                f"{ms:.1f} ms",
                "<= 50 ms",
                verdict(ms <= 50),
            )
        )
        baseline = statistics.median(base)
        for label, samples in (("in memory", memory), ("via the index", by_index)):
            extra = statistics.median(samples) / baseline * 100
            rows.append(
                (
                    f"5 rules on a {batch_size}-article batch, {label}",
                    f"{statistics.median(samples) * 1000:.1f} ms ({extra:.1f}% of commit+index)",
                    "<= 10%" if label == "in memory" else "-",
                    verdict(extra <= 10) if label == "in memory" else "-",
                )
            )
        index.close()
    return rows


def main(quick: bool = False) -> list[Row]:
    rows = measure(500, 20, 2) if quick else measure(100_000, 200, 5)
    return print_table(rows)


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
