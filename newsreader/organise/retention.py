"""Retention: which stored articles a prune drops.

A feed keeps at most ``days`` days and at most ``articles`` articles (newest first by date); either may
be unset. Starred, tagged and unread articles are kept whatever their age, except unread ones that a
rule hid (a rule said so: hiding is how a rule lets an unread article go).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from newsreader.search.hits import HIDDEN, READ, STARRED

_DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class Policy:
    """How much of a feed to keep; ``None``: no limit of that kind."""

    days: float | None = None
    articles: int | None = None

    @property
    def limited(self) -> bool:
        return self.days is not None or self.articles is not None


def policy_for(source: Mapping[str, Any], default: Policy) -> Policy:
    """A feed's own ``keep_days``/``keep_articles`` over the default (0 in a feed: no limit)."""
    days, articles = source.get("keep_days"), source.get("keep_articles")
    return Policy(
        days=default.days if days is None else (float(days) or None),
        articles=default.articles if articles is None else (int(articles) or None),
    )


def protected(flags: int, tagged: bool) -> bool:
    """Never pruned: starred, tagged, or unread and not hidden by a rule."""
    if flags & STARRED or tagged:
        return True
    return not flags & READ and not flags & HIDDEN


def select(
    heads: Mapping[str, Mapping[str, Any]],
    state: Mapping[str, int],
    tags: Mapping[str, Iterable[str]],
    sources: Mapping[str, Mapping[str, Any]],
    default: Policy,
    now: float,
) -> list[str]:
    """The ids a prune drops, sorted."""
    by_feed: dict[str, list[tuple[float, str]]] = {}
    for article_id, rec in heads.items():
        date = rec.get("published")
        if not isinstance(date, int | float):
            date = rec.get("added") or 0.0
        by_feed.setdefault(str(rec.get("src", "")), []).append((float(date), article_id))
    drop: list[str] = []
    for src, dated in by_feed.items():
        policy = policy_for(sources.get(src, {}), default)
        if not policy.limited:
            continue
        dated.sort(reverse=True)
        cutoff = now - policy.days * _DAY if policy.days is not None else None
        for rank, (date, article_id) in enumerate(dated):
            too_many = policy.articles is not None and rank >= policy.articles
            too_old = cutoff is not None and date < cutoff
            if (too_many or too_old) and not protected(state.get(article_id, 0), bool(tags.get(article_id))):
                drop.append(article_id)
    return sorted(drop)
