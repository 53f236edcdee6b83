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
from tests.bench.scoring import PageScore, score_corpus, score_page
from tests.bench.table import Row, print_table, verdict

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dumps"
CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpora" / "article-pages"
"""``../shared/corpora/article-pages`` seen from the repository (the corpus is never copied into it)."""
F1_TARGET = 0.90
MEDIAN_TARGET = 2


def held_out(key: str) -> bool:
    """A fixed quarter of the pages, chosen by key, kept out of development."""
    return int(key[-1], 16) % 4 == 0


def load_truth(corpus: Path = CORPUS) -> dict[str, str]:
    """``{key: true article body}`` from the corpus's ``truth.json``."""
    data = json.loads((corpus / "truth.json").read_text(encoding="utf-8"))
    return {key: item.get("articleBody", "") or "" for key, item in data.items()}


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


def fixture_figures() -> tuple[int, int, int, int]:
    """Own fixtures: dumps read into exactly their twin's articles, and articles read right (headline,
    author, date, truncated, first and last sentence of the body)."""
    exact = dumps = right = total = 0
    for twin in sorted(FIXTURES.glob("*.json")):
        expected = json.loads(twin.read_text(encoding="utf-8"))["articles"]
        drafts = parse_dump(twin.with_suffix(".txt").read_text(encoding="utf-8"))
        dumps += 1
        exact += len(drafts) == len(expected)
        for want in expected:
            total += 1
            got = next((d for d in drafts if d.title == want["title"]), None)
            right += got is not None and (
                got.author == want["author"]
                and (got.published.date().isoformat() if got.published else None) == want["date"]
                and got.truncated is want["truncated"]
                and got.body.startswith(want["first"])
                and got.body.endswith(want["last"])
            )
    return exact, dumps, right, total


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
    exact, dumps, right, total = fixture_figures()
    if dumps:
        rows += [
            (
                "fixtures: dumps giving exactly their articles",
                f"{exact} / {dumps}",
                f"{dumps} / {dumps}",
                verdict(exact == dumps),
            ),
            (
                "fixtures: articles read right",
                f"{right} / {total}",
                f"{total} / {total}",
                verdict(right == total),
            ),
        ]
    return print_table(rows)


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
