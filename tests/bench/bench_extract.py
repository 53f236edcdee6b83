"""Article extraction: F1, precision and recall on real news pages, and pages per second.

Scores each engine on ``../shared/corpora/article-pages`` (99 pages with their true bodies; scoring
in ``scoring.py``): newsreader's extractor against trafilatura alone (fast and full mode, comments
off) and readability-lxml where installed. Speed is CPU time over the same pages, so load from
other processes on the machine does not count. newsreader's text is scored without its ``[n]``
link references (presentation, not words of the article). Target (issue 12): F1 >= 0.96.
``quick`` scores 5 pages (a smoke test); without the corpus it scores the fixture pages only.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.bench.scoring import PageScore, score_corpus, score_page
from tests.bench.table import Row, print_table, verdict

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpora" / "article-pages"
TARGET = 0.96
_REFERENCE = re.compile(r" \[\d+\]")

Engine = Callable[[bytes, str], str]


def load_corpus(limit: int | None = None) -> list[tuple[str, bytes, str, str]]:
    """``(key, html, url, true body)`` for each page of the corpus (empty when it is missing)."""
    truth_file = CORPUS / "truth.json"
    if not truth_file.exists():
        return []
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    keys = sorted(truth)[:limit]
    return [
        (
            key,
            gzip.decompress((CORPUS / "html" / f"{key}.html.gz").read_bytes()),
            truth[key].get("url", ""),
            truth[key]["articleBody"],
        )
        for key in keys
    ]


def newsreader_text(html: bytes, url: str) -> str:
    from newsreader.extract import extract

    page = extract(html, url)
    return _REFERENCE.sub("", page.body) if page else ""


def _trafilatura(fast: bool) -> Engine | None:
    try:
        import trafilatura
    except ImportError:
        return None

    def run(html: bytes, url: str) -> str:
        return trafilatura.extract(html, url=url, fast=fast, include_comments=False) or ""

    return run


def _readability() -> Engine | None:
    try:
        import lxml.html
        from readability import Document
    except ImportError:
        return None

    def run(html: bytes, url: str) -> str:
        summary = Document(html, url=url).summary(html_partial=True)
        return "\n".join(lxml.html.fromstring(summary).itertext())

    return run


def engines() -> dict[str, Engine | None]:
    return {
        "newsreader (trafilatura fast + pruning + links)": newsreader_text,
        "trafilatura 2.x fast=True, no comments": _trafilatura(True),
        "trafilatura 2.x fast=False, no comments": _trafilatura(False),
        "readability-lxml": _readability(),
    }


def run_engine(engine: Engine, pages: list[tuple[str, bytes, str, str]]) -> tuple[list[PageScore], float]:
    """Each page's score, and the CPU seconds the engine took for all of them."""
    engine(pages[0][1], pages[0][2])  # first call pays the imports, not the pages
    scores = []
    cpu = 0.0
    for _key, html, url, truth in pages:
        started = time.process_time()
        text = engine(html, url)
        cpu += time.process_time() - started
        scores.append(score_page(truth, text))
    return scores, cpu


def main(quick: bool = False) -> list[Row]:
    pages = load_corpus(5 if quick else None)
    if not pages:
        print(f"corpus missing ({CORPUS}): extraction benchmark skipped")
        return [("extraction (corpus missing)", "n/a", f">= {TARGET}", "n/a")]
    rows: list[Row] = []
    for name, engine in engines().items():
        if engine is None:
            print(f"{name}: not installed, skipped")
            continue
        scores, cpu = run_engine(engine, pages)
        score = score_corpus(scores)
        rate = len(pages) / cpu if cpu else float("inf")
        label = f"{name}, {len(pages)} pages"
        ours = name.startswith("newsreader")
        target = f">= {TARGET}" if ours and not quick else "-"
        ok = verdict(score.f1 >= TARGET) if ours and not quick else "-"
        rows.append((f"{label}: F1", f"{score.f1:.3f}", target, ok))
        rows.append((f"{label}: precision / recall", f"{score.precision:.3f} / {score.recall:.3f}", "-", "-"))
        rows.append((f"{label}: pages per CPU second", f"{rate:.1f}", "-", "-"))
    return print_table(rows)


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
