"""Deterministic synthetic articles for benchmarks and stress tests (seeded RNG, no network)."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsreader.models import ArticleDraft

WORDS = (
    "harbour council ferry island storm ledger winter light keeper budget vote tram line market "
    "school river bridge museum archive library garden festival election policy minister border "
    "trade energy wind solar grid coast fishing herring quay season visitor report survey data "
    "climate forecast satellite station record history family village mountain valley road rail "
    "the a of and to in on for with by from as that which while after before during against "
    "said says will would could might should must may new old first last next early late"
).split()
AUTHORS = [
    f"{a} {b}"
    for a in ("Ana", "Ben", "Chidi", "Dana", "Emil", "Fatima", "Goran")
    for b in ("Okafor", "Lindqvist", "Moreau", "Tanaka", "Reyes", "Novak", "Haddad")
]
RARE = ["quokka", "zephyrine", "obsidianite", "marmalade", "vellichor"]


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random, words: int) -> str:
    out, count = [], 0
    while count < words:
        n = rng.randint(8, 22)
        out.append(sentence(rng, n))
        count += n
    return " ".join(out)


def dump_text(n: int, *, seed: int = 1, words: int = 120) -> str:
    """A separated dump of ``n`` titled articles (title, byline, date, paragraphs, ``---``)."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    parts = []
    for i in range(n):
        title = sentence(rng, rng.randint(4, 9)).rstrip(".") + f" {seed}-{i}"
        date = (start + timedelta(minutes=7 * i)).date().isoformat()
        paras = [paragraph(rng, words // 3) for _ in range(3)]
        parts.append(f"{title}\nBy {AUTHORS[i % len(AUTHORS)]}\n{date}\n\n" + "\n\n".join(paras))
    return "\n\n---\n\n".join(parts) + "\n"


def write_dumps(folder: Path, files: int, per_file: int, *, words: int = 120, seed: int = 1) -> list[Path]:
    """``files`` dump files of ``per_file`` articles; different ``seed``s give different articles."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for f in range(files):
        path = folder / f"dump-{f:04d}.txt"
        path.write_text(dump_text(per_file, seed=seed * 1000 + f, words=words), encoding="utf-8")
        paths.append(path)
    return paths


def drafts(n: int, *, seed: int = 7, words: int = 60) -> Iterator[ArticleDraft]:
    """Ready-made drafts, for building big libraries fast through ``Store.commit``."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(n):
        body = "\n\n".join(paragraph(rng, words // 2) for _ in range(2))
        if i % 1000 == 0:
            body += " " + rng.choice(RARE)
        title = sentence(rng, rng.randint(5, 10)).rstrip(".")
        yield ArticleDraft(
            id=hashlib.sha256(f"{seed}:{i}".encode()).hexdigest()[:12],
            title=title,
            body=body,
            excerpt=body[:200],
            author=AUTHORS[i % len(AUTHORS)],
            published=start + timedelta(minutes=i),
        )


def make_library(path: Path, n: int, *, sources: int = 20, words: int = 60) -> None:
    """A library of ``n`` articles spread over ``sources`` dump sources, committed in one batch."""
    from newsreader.store import Store

    store = Store(path)
    now = datetime(2026, 11, 24, tzinfo=UTC)
    by_source: dict[str, list[ArticleDraft]] = {}
    for i, draft in enumerate(drafts(n, words=words)):
        by_source.setdefault(f"src{i % sources:04d}", []).append(draft)
    records = {
        sid: {"kind": "dump", "title": f"Source {sid[3:]}", "location": f"/bench/{sid}.txt", "added": 0.0}
        for sid in by_source
    }
    store.commit(by_source, now=now, sources=records)
