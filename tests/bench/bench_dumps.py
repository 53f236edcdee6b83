"""Reading saved pages: main-article F1 on real news pages saved as text, and articles per page.

Target (issue 11): on ``../shared/corpora/article-pages/text`` (99 pages saved with ``w3m -dump``), the
longest article newsreader makes from a page matches the page's true body at F1 >= 0.90 (4-token shingles,
see :mod:`tests.bench.scoring`), with a median of at most 2 articles per page. The same is reported for a
held-out quarter of the pages (never looked at while tuning) and for the repository's own dump fixtures.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from newsreader.ingest.dump import parse_dump
from newsreader.ingest.text import decode_bytes
from newsreader.models import ArticleDraft
from tests.bench.scoring import CORPUS, PageScore, load_truth, score_corpus, score_page
from tests.bench.table import Row, print_table, verdict

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dumps"
F1_TARGET = 0.90
MEDIAN_TARGET = 2


def held_out(key: str) -> bool:
    """A fixed quarter of the pages, chosen by key, kept out of development."""
    return int(key[-1], 16) % 4 == 0


def main_article(drafts: list[ArticleDraft]) -> str:
    """The longest article's text as a reader sees it: headline-free body."""
    return max((d.body for d in drafts), key=len, default="")


def read_page(path: Path) -> list[ArticleDraft]:
    return parse_dump(decode_bytes(path.read_bytes()), name=path.name)


def corpus_figures(keys: list[str], truth: dict[str, str], text: Path) -> tuple[list[PageScore], list[int]]:
    scores, counts = [], []
    for key in keys:
        drafts = read_page(text / f"{key}.txt")
        scores.append(score_page(truth[key], main_article(drafts)))
        counts.append(len(drafts))
    return scores, counts


def fixture_figures() -> tuple[list[PageScore], list[int], int, int]:
    """Own fixtures: body score of each expected article against the article read with that title."""
    scores, counts, right, total = [], [], 0, 0
    for twin in sorted(FIXTURES.glob("*.json")):
        expected = json.loads(twin.read_text(encoding="utf-8"))
        source = twin.with_suffix(expected.get("suffix", ".txt"))
        drafts = parse_dump(source.read_text(encoding="utf-8"), markdown=source.suffix == ".md")
        counts.append(len(drafts))
        for want in expected["articles"]:
            total += 1
            got = next((d for d in drafts if d.title == want["title"]), None)
            if got is None:
                scores.append(PageScore(0.0, 0.0, 1.0))
                continue
            right += got.author == want.get("author") and (
                got.published and got.published.date().isoformat()
            ) == (want.get("date"))
            scores.append(score_page(want["body"], got.body) if "body" in want else PageScore(1.0, 0.0, 0.0))
    return scores, counts, right, total


def main(quick: bool = False) -> list[Row]:
    rows: list[Row] = []
    text = CORPUS / "text"
    if not (CORPUS / "truth.json").is_file():
        print(f"skipped the corpus: {CORPUS} is missing", file=sys.stderr)
    else:
        truth = load_truth()
        keys = sorted(k for k in truth if (text / f"{k}.txt").is_file())
        if quick:
            keys = keys[:4]
        started = time.perf_counter()
        for label, part in (
            ("all", keys),
            ("development", [k for k in keys if not held_out(k)]),
            ("held out", [k for k in keys if held_out(k)]),
        ):
            if not part:
                continue
            scores, counts = corpus_figures(part, truth, text)
            result = score_corpus(scores)
            median = statistics.median(counts)
            rows += [
                (
                    f"pages {label} ({len(part)}): F1",
                    f"{result.f1:.3f}",
                    f">= {F1_TARGET}",
                    verdict(result.f1 >= F1_TARGET),
                ),
                (f"pages {label}: P / R", f"{result.precision:.3f} / {result.recall:.3f}", "", ""),
                (
                    f"pages {label}: articles a page, median (max)",
                    f"{median:g} ({max(counts)})",
                    f"<= {MEDIAN_TARGET}",
                    verdict(median <= MEDIAN_TARGET),
                ),
            ]
        elapsed = (time.perf_counter() - started) / (len(keys) * 3)
        rows.append(("pages: ms a page", f"{elapsed * 1000:.1f}", "", ""))
    scores, counts, right, total = fixture_figures()
    if scores:
        result = score_corpus(scores)
        rows += [
            (f"fixtures ({len(counts)} dumps, {total} articles): body F1", f"{result.f1:.3f}", "", ""),
            (
                "fixtures: headline found with author and date right",
                f"{right} / {total}",
                f"{total} / {total}",
                verdict(right == total),
            ),
        ]
    return print_table(rows)


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
