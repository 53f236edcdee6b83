"""Tags of articles: ``tags.json`` (TinyDB ``tags``: article id -> sorted list of tag names).

A file of its own beside ``state.json``, for the same reason: tagging an article rewrites one small
file, never the headlines (which the search index watches), so a tag needs no re-indexing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

FILE = "tags.json"

TagChange = tuple[frozenset[str], frozenset[str]]
"""(tags to add, tags to remove) for one article."""


def apply_changes(table: dict[str, list[str]], changes: Mapping[str, TagChange]) -> int:
    """Change ``table`` in place; returns how many articles' tags changed."""
    changed = 0
    for article_id, (add, remove) in changes.items():
        old = table.get(article_id, [])
        new = sorted((set(old) | add) - remove)
        if new == old:
            continue
        changed += 1
        if new:
            table[article_id] = new
        else:
            table.pop(article_id, None)
    return changed


def drop(table: dict[str, list[str]], article_ids: Iterable[str]) -> bool:
    """Forget the tags of removed articles; whether anything went."""
    gone = False
    for article_id in article_ids:
        gone = table.pop(article_id, None) is not None or gone
    return gone


def all_tags(table: Mapping[str, Iterable[str]]) -> dict[str, int]:
    """Every tag in use with how many articles carry it, by name (the app completes from these)."""
    counts: dict[str, int] = {}
    for names in table.values():
        for name in names:
            counts[name] = counts.get(name, 0) + 1
    return dict(sorted(counts.items()))
