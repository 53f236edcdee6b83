"""Re-reading a dump already in the library: a changed reading updates its articles, never duplicates them.

A dump article's id is a hash of its text, so when newsreader reads a file better than it did (page chrome
dropped from a body, a headline found) the same article comes back with a new id. :func:`carry_ids` gives
such a draft the id of the article it revises, so the import updates that article in place (its read and
star marks are keyed by id and stay) instead of adding a second copy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from newsreader.models import ArticleDraft

OVERLAP = 0.5
"""Share of the shorter body's word shingles the two readings must share to be one article."""
BODY_MATCH_MAX = 500
"""Compare bodies only against this many unmatched articles (headlines match in O(1); bodies cost a load)."""
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Known:
    """An article of the same dump already in the library."""

    id: str
    title: str


def _fold(title: str) -> str:
    return " ".join(_WORD.findall(title.casefold()))


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.casefold())
    return {tuple(words[i : i + 4]) for i in range(max(1, len(words) - 3))}


def _overlap(a: str, b: str) -> float:
    sa, sb = _shingles(a), _shingles(b)
    return len(sa & sb) / max(1, min(len(sa), len(sb)))


def carry_ids(
    known: Sequence[Known], drafts: list[ArticleDraft], body: Callable[[str], str | None]
) -> list[ArticleDraft]:
    """``drafts`` with each new reading of a ``known`` article carrying that article's id.

    A draft whose id is already known is unchanged. Another is matched to a known article of the dump that
    no draft reproduces: same headline first, else the most shared text (at least :data:`OVERLAP`).
    ``body`` loads a known article's body (only for drafts that no headline matches).
    """
    ids = {d.id for d in drafts}
    free = [k for k in known if k.id not in ids]
    if not free:
        return drafts
    by_title: dict[str, list[Known]] = {}
    for k in free:
        by_title.setdefault(_fold(k.title), []).append(k)
    known_ids = {k.id for k in known}
    bodies: dict[str, str] = {}
    out: list[ArticleDraft] = []
    for draft in drafts:
        if draft.id in known_ids:
            out.append(draft)
            continue
        match = next((k for k in by_title.get(_fold(draft.title), []) if k in free), None)
        if match is None and len(free) <= BODY_MATCH_MAX:
            scored = []
            for k in free:
                if k.id not in bodies:
                    bodies[k.id] = body(k.id) or ""
                scored.append((_overlap(draft.body, bodies[k.id]), k))
            best = max(scored, key=lambda pair: pair[0], default=None)
            match = best[1] if best and best[0] >= OVERLAP else None
        if match is None:
            out.append(draft)
            continue
        free.remove(match)
        out.append(replace(draft, id=match.id))
    return out
