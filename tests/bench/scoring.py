"""Scoring extracted text against a true article body, as scrapinghub's article-extraction-benchmark does.

Both texts are split into ``\\w+`` tokens and counted as 4-token shingles; per page, true positives,
false positives and false negatives are taken over the shingle counts. Precision and recall are
averaged over pages and F1 is computed from the two averages (the corpus README describes it).
Shared by the extraction benchmark and the dumps benchmark, so both score pages the same way.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from statistics import fmean

_TOKEN = re.compile(r"\w+")
SHINGLE = 4


def shingles(text: str, n: int = SHINGLE) -> Counter[tuple[str, ...]]:
    """The ``n``-token shingles of ``text`` with their counts (one short shingle for a short text)."""
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens)


@dataclass(frozen=True, slots=True)
class PageScore:
    """One page's shingle counts: true positives, false positives, false negatives."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score_page(truth: str, predicted: str) -> PageScore:
    """Compare one page's extracted text with its true body."""
    true, pred = shingles(truth), shingles(predicted)
    tp = sum((true & pred).values())
    return PageScore(tp, sum(pred.values()) - tp, sum(true.values()) - tp)


@dataclass(frozen=True, slots=True)
class Score:
    """A corpus's score: precision and recall averaged over pages, F1 from the averages."""

    precision: float
    recall: float
    pages: int

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score_corpus(pages: list[PageScore]) -> Score:
    """Average the pages' precision and recall."""
    if not pages:
        return Score(0.0, 0.0, 0)
    return Score(fmean(p.precision for p in pages), fmean(p.recall for p in pages), len(pages))
