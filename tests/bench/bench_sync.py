"""Sync benchmark: ``newsreader sync`` against the local tt-rss, first sync and incremental.

Setup (not timed): tt-rss gets 25 feeds of 200 articles (5,000), fetched by the server itself. Then:

* **first sync**: ``newsreader sync`` into an empty library, as a fresh process: login, feeds, every
  article with its content (HTML to text, stored, indexed for search), read/starred state;
* **incremental**: 25 articles marked read here and 25 starred on the server (another device), then
  ``newsreader sync`` again: 25 changes sent, 25 received.

The baseline, in the same run, is the server's floor: the same API requests made by a bare HTTP
client (urllib) that only reads the answers, so each ratio is what newsreader adds on top of what
the server costs: parsing, converting, storing, indexing, its own start-up. Runs alternate
(baseline, newsreader) so load from other processes hits both alike; the medians are reported.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from tests.bench.table import Row, print_table, verdict

ROOT = Path(__file__).resolve().parents[2]
FIRST_TARGET = 3.0
"""First sync at most 3x the server's floor: the server does the heavy part (SQL, JSON of 5,000 bodies)."""
INCREMENTAL_TARGET = 2.0


def _floor(url: str, user: str, password: str, since: int, marks: list[str]) -> float:
    """The API requests a sync makes (articles after ``since``) by the barest client; returns seconds."""

    def call(op: str, **params: Any) -> Any:
        body = json.dumps({"op": op, "sid": sid, **params}).encode()
        request = urllib.request.Request(
            f"{url}api/", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read())["content"]

    started = time.perf_counter()
    sid = None
    sid = call("login", user=user, password=password)["session_id"]
    if marks:
        call("updateArticle", article_ids=",".join(marks), mode=0, field=2)
    call("getCategories", include_empty=True)
    call("getFeeds", cat_id=-3)
    pages = [(-4, "all_articles", since), (-4, "unread", 0), (-1, "all_articles", 0)]
    for feed_id, view, since_id in pages:
        skip = 0
        while True:
            page = call(
                "getHeadlines", feed_id=feed_id, limit=200, skip=skip, view_mode=view,
                show_content=feed_id == -4 and view == "all_articles", since_id=since_id,
            )  # fmt: skip
            skip += len(page)
            if len(page) < 200:
                break
    return time.perf_counter() - started


CPU: list[float] = []
"""CPU seconds (user + system) of each ``newsreader sync`` process: its own share of the wall time."""


def _sync(library: Path) -> tuple[float, str]:
    import resource

    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSREADER")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "newsreader", "--library", str(library), "sync"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=1200, check=False,
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise RuntimeError(f"newsreader sync failed: {done.stderr.strip()[-300:]}")
    return elapsed, done.stdout.strip()


def _add_account(library: Path, url: str, user: str, password: str) -> None:
    from newsreader.sync.accounts import Account, Accounts

    Accounts(library).add(Account("bench", "ttrss", url, user, password, time.time()))


def main(quick: bool = False) -> list[Row]:
    """Run the benchmark; ``quick`` is 2 feeds of 20 articles and 4 changes (a smoke test)."""
    from tests.sync.servers.harness import articles, ttrss_missing, ttrss_session

    why = ttrss_missing()
    if why:
        print(f"skipped: {why}")
        return print_table([("tt-rss sync", "skipped", why, "n/a")])
    feeds, per_feed, changes = (2, 20, 4) if quick else (25, 200, 50)
    runs = 1 if quick else 3
    total = feeds * per_feed
    with tempfile.TemporaryDirectory(prefix="nr-bench-sync-") as tmp, ttrss_session(Path(tmp)) as server:
        server.reset()
        started = time.perf_counter()
        for n in range(feeds):
            server.add_feed(f"Bench {n}", articles(f"bench{n}", per_feed))
        print(f"tt-rss fetched {total} articles in {time.perf_counter() - started:.1f} s (setup, not timed)")
        firsts, first_floors, incs, inc_floors = [], [], [], []
        CPU.clear()
        from newsreader.library import Library
        from newsreader.sync.engine import SyncState

        for run in range(runs):
            first_floors.append(_floor(server.url, server.user, server.password, 0, []))
            library = Path(tmp) / f"lib{run}"
            _add_account(library, server.url, server.user, server.password)
            elapsed, out = _sync(library)
            if f"{total} new articles" not in out:
                raise RuntimeError(f"unexpected first sync: {out!r}")
            firsts.append(elapsed)
            # 50 changes: half marked read here, half starred on the server.
            lib = Library(library)
            ids = [a.id for a in lib.articles(unread=True)][: changes // 2]
            lib.mark(ids, read=True)
            remote = list(SyncState(library, "bench").items.values())
            starred = remote[-(changes // 2) :]
            server.api("updateArticle", article_ids=",".join(starred), mode=1, field=0)
            sent = [SyncState(library, "bench").items[i] for i in ids]
            top = max(int(i) for i in remote)
            inc_floors.append(_floor(server.url, server.user, server.password, top, sent))
            server.api("updateArticle", article_ids=",".join(sent), mode=1, field=2)  # undo the floor's marks
            elapsed, out = _sync(library)
            if f"{changes // 2} changes sent, {changes // 2} received" not in out:
                raise RuntimeError(f"unexpected incremental sync: {out!r}")
            incs.append(elapsed)
            server.api("updateArticle", article_ids=",".join(remote), mode=1, field=2)  # all unread again
            server.api("updateArticle", article_ids=",".join(starred), mode=0, field=0)
        first, first_floor = statistics.median(firsts), statistics.median(first_floors)
        inc, inc_floor = statistics.median(incs), statistics.median(inc_floors)
        print(f"first sync (s): {[round(x, 2) for x in firsts]}; floor {[round(x, 2) for x in first_floors]}")
        print(f"incremental (s): {[round(x, 2) for x in incs]}; floor {[round(x, 2) for x in inc_floors]}")
        print(f"newsreader CPU per sync (s), first and incremental in turn: {[round(x, 2) for x in CPU]}")
    rows: list[Row] = [
        (f"first sync, {total} articles (s)", f"{first:.2f}", "", ""),
        ("  x the server's floor", f"{first / first_floor:.2f}x", f"<= {FIRST_TARGET}x",
         verdict(first / first_floor <= FIRST_TARGET)),
        ("  newsreader's own CPU (s)", f"{statistics.median(CPU[0::2]):.2f}", "", ""),
        (f"incremental sync, {changes} changes (s)", f"{inc:.2f}", "", ""),
        ("  x the server's floor", f"{inc / inc_floor:.2f}x", f"<= {INCREMENTAL_TARGET}x",
         verdict(inc / inc_floor <= INCREMENTAL_TARGET)),
        ("  newsreader's own CPU (s)", f"{statistics.median(CPU[1::2]):.2f}", "", ""),
    ]  # fmt: skip
    return print_table(rows)


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
