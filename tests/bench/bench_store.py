"""Store writes that cost the change, not the library (issue 16, item 2), at 10,000 and 100,000 articles.

Each figure is from the call until durable on disk, on a library already open (the TUI's and refresh's
case), as the median of several calls. "before" is the same call with the journal off (every write
rewrites the bases, as schema 1 did), measured in the same run. The journal's compaction is paid now and
then: it is timed after an import (so it rewrites the headlines and the body shards it touches), and its
amortised share per 30-article import printed. The refresh-shaped commit (200 feeds x 30 items of 120
words) is the mean of four in a row, the compactions they trigger included.
Targets: import 30 articles and mark one read <= 100 ms at 100k; the refresh-shaped commit at 100k
<= 1.5x its time at 10k.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import newsreader.store as store_module
from newsreader.library import Library
from newsreader.store import Store
from tests.bench.gen import drafts, dump_text, make_library
from tests.bench.table import Row, print_table, verdict

_NOW = datetime(2026, 11, 25, tzinfo=UTC)


def _median_ms(call: Callable[[int], object], runs: int) -> float:
    samples = []
    for i in range(runs):
        started = time.perf_counter()
        call(i)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def _writes(path: Path, root: Path, tag: str, runs: int) -> tuple[float, float]:
    """(import 30, mark one) median ms on the open library at ``path``."""
    lib = Library(path)
    ids = [a.id for a in lib.articles()]
    dumps = []
    for i in range(runs):
        dump = root / f"{tag}-{i}.txt"
        dump.write_text(dump_text(30, seed=900 + i, words=120), encoding="utf-8")
        dumps.append(dump)
    lib.mark(ids[-1:], read=True)  # the first write pays one-time costs (lock file, sweep, imports)
    imported = _median_ms(lambda i: lib.import_paths([dumps[i]]), runs)
    marked = _median_ms(lambda i: lib.mark([ids[i * 7]], read=True), runs)
    return imported, marked


def _refresh_commits(path: Path, seed: int, feeds: int, rounds: int) -> float:
    """Mean ms of ``rounds`` refresh-shaped commits in a row: ``feeds`` feeds x 30 new items each,
    with their source records, the compactions they trigger included."""
    store = Store(path)
    store.headlines()
    sources = {
        f"feed{f:03d}": {
            "kind": "feed",
            "title": f"feed{f:03d}",
            "location": f"http://x/{f}",
            "last_fetched": 1.0,
        }
        for f in range(feeds)
    }
    total = 0.0
    for r in range(rounds):
        by_source: dict[str, list[object]] = {}
        for i, draft in enumerate(drafts(feeds * 30, seed=seed + r, words=120)):
            by_source.setdefault(f"feed{i % feeds:03d}", []).append(draft)
        started = time.perf_counter()
        store.commit(by_source, now=_NOW, update=True, sources=sources)  # type: ignore[arg-type]
        total += time.perf_counter() - started
    return total / rounds * 1000


def _compaction(path: Path, root: Path) -> tuple[float, int]:
    """ms of folding a journal that holds one 30-article import (headlines and bodies rewritten), and
    the bytes that import's journal file took."""
    from newsreader.store.journal import JOURNAL

    lib = Library(path)
    lib._store.compact()
    dump = root / f"compact-{path.name}.txt"
    dump.write_text(dump_text(30, seed=777, words=120), encoding="utf-8")
    lib.import_paths([dump])
    size = max(p.stat().st_size for p in (path / JOURNAL).glob("*.json"))
    started = time.perf_counter()
    lib._store.compact()
    return (time.perf_counter() - started) * 1000, size


def main(quick: bool = False) -> list[Row]:
    sizes = (1_000, 2_000) if quick else (10_000, 100_000)
    runs = 3 if quick else 7
    feeds = 20 if quick else 200
    rows: list[Row] = []
    refresh: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for n in sizes:
            path = root / f"lib{n}"
            make_library(path, n)
            real = store_module.WRITE_THROUGH_BYTES
            store_module.WRITE_THROUGH_BYTES = 1 << 62  # schema 1's behaviour: rewrite the bases
            try:
                old_import, old_mark = _writes(path, root, f"old{n}", runs)
            finally:
                store_module.WRITE_THROUGH_BYTES = real
            new_import, new_mark = _writes(path, root, f"new{n}", runs)
            compact, delta = _compaction(path, root)
            base = (path / "headlines.json").stat().st_size
            amortised = compact * delta / (base * store_module.JOURNAL_SHARE)
            target = n == sizes[-1]
            rows.append(
                (
                    f"import 30 articles, {n:,} library",
                    f"{new_import:.0f} ms (before {old_import:.0f} ms)",
                    "<= 100 ms" if target else "",
                    verdict(new_import <= 100) if target else "",
                )
            )
            rows.append(
                (
                    f"mark one read, {n:,} library",
                    f"{new_mark:.0f} ms (before {old_mark:.0f} ms)",
                    "<= 100 ms" if target else "",
                    verdict(new_mark <= 100) if target else "",
                )
            )
            rows.append(
                (
                    f"compaction, {n:,} library",
                    f"{compact:.0f} ms (~{amortised:.1f} ms per 30-article import, amortised)",
                    "",
                    "",
                )
            )
            refresh[n] = _refresh_commits(path, seed=50 + n, feeds=feeds, rounds=4)
            rows.append(
                (
                    f"refresh commit {feeds * 30:,} items, {n:,} library (mean of 4, compactions in)",
                    f"{refresh[n]:.0f} ms",
                    "",
                    "",
                )
            )
        small, big = sizes
        ratio = refresh[big] / refresh[small]
        rows.append(
            (
                f"refresh commit {big:,} / {small:,} library",
                f"{ratio:.2f}x",
                "<= 1.5x",
                verdict(ratio <= 1.5),
            )
        )
    return print_table(rows)


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
