"""Article-body scoring as scrapinghub/article-extraction-benchmark does it.

Both texts are split into ``\\w+`` tokens and counted as 4-token shingles; per page, true positives, false
positives and false negatives over the shingle counts are normalised by their sum (so a long page weighs no
more than a short one); over a corpus, precision and recall are averaged over pages and F1 is computed from
the two averages (as the corpus README says; it reproduces the issue's baseline of F1 0.68, P 0.67, R 0.70).
Shared by the dump benchmark (text pages) and the full-text benchmark (HTML pages).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

_TOKEN = re.compile(r"\w+", re.UNICODE)
SHINGLE = 4
CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpora" / "article-pages"
"""``../shared/corpora/article-pages`` seen from the worktree (a symlink or the shared folder itself)."""


def shingles(text: str, n: int = SHINGLE) -> Counter[tuple[str, ...]]:
    """Counts of the ``n``-token shingles of ``text`` (one shorter shingle for a text under ``n`` tokens)."""
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


@dataclass(frozen=True, slots=True)
class PageScore:
    """One page's normalised true positives, false positives and false negatives (they sum to 1, or all 0)."""

    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.fp, self.fn)[0]

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.fp, self.fn)[1]


def score_page(true: str, pred: str) -> PageScore:
    """Shingle match of a predicted body against the true one."""
    want, got = shingles(true), shingles(pred)
    tp = sum((want & got).values())
    fp = sum(got.values()) - tp
    fn = sum(want.values()) - tp
    total = tp + fp + fn
    if total == 0:
        return PageScore(0.0, 0.0, 0.0)
    return PageScore(tp / total, fp / total, fn / total)


def _ratio(tp: float, fp: float, fn: float) -> tuple[float, float]:
    if fp == fn == 0:
        return 1.0, 1.0
    if tp == 0:
        return 0.0, 0.0
    return tp / (tp + fp), tp / (tp + fn)


@dataclass(frozen=True, slots=True)
class CorpusScore:
    """Precision, recall and F1 over pages, as the benchmark reports them."""

    precision: float
    recall: float
    f1: float
    pages: int


def score_corpus(scores: Iterable[PageScore]) -> CorpusScore:
    """Precision and recall averaged over pages, F1 from the two averages."""
    items = list(scores)
    if not items:
        return CorpusScore(0.0, 0.0, 0.0, 0)
    precision = sum(s.precision for s in items) / len(items)
    recall = sum(s.recall for s in items) / len(items)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return CorpusScore(precision, recall, f1, len(items))


def load_truth(corpus: Path = CORPUS) -> dict[str, str]:
    """``{key: true article body}`` from the corpus's ``truth.json``."""
    data = json.loads((corpus / "truth.json").read_text(encoding="utf-8"))
    return {key: item.get("articleBody", "") or "" for key, item in data.items()}
