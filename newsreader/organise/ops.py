"""What the organise commands do to a library: tags, rules, prune, schedules.

Private to ``Library`` (its facade methods call these with itself), in the way ``_import`` and
``_refresh`` are: this module may use the library's store and search index.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from newsreader.errors import InvalidQueryError, StoreError, UserInputError
from newsreader.organise.retention import Policy, select
from newsreader.organise.rules import Outcome, Rule, record
from newsreader.organise.schedule import is_due
from newsreader.search.hits import HIDDEN, READ, STARRED, passes
from newsreader.search.query import normalise_tag

if TYPE_CHECKING:
    from newsreader._lookup import ArticleList
    from newsreader.organise.facade import OrganiseMixin


log = logging.getLogger(__name__)


def parse_tag_changes(changes: Sequence[str]) -> tuple[set[str], set[str]]:
    """``+name``/``-name`` arguments as (tags to add, tags to remove).

    Raises:
        UserInputError: an argument without ``+``/``-``, a bad tag name, or nothing to change.
    """
    add: set[str] = set()
    remove: set[str] = set()
    for change in changes:
        sign, name = change[:1], change[1:]
        if sign not in "+-" or not sign:
            raise UserInputError(f"say +NAME to add a tag or -NAME to remove one, not {change!r}")
        try:
            (add if sign == "+" else remove).add(normalise_tag(name))
        except InvalidQueryError as exc:
            raise UserInputError(str(exc)) from None
    if not add and not remove:
        raise UserInputError("say which tags: +NAME adds one, -NAME removes one")
    both = add & remove
    if both:
        raise UserInputError(f"both adding and removing {sorted(both)[0]!r}")
    return add, remove


def tag(lib: OrganiseMixin, article_ids: Sequence[str], add: Iterable[str], remove: Iterable[str]) -> int:
    """Add and remove tags on articles (ids may be unique prefixes); returns how many changed."""
    store = lib._store
    headlines = store.headlines()
    ids = [lib._resolve(i, headlines) for i in article_ids]
    adding, removing = frozenset(add), frozenset(remove)
    return store.set_tags({i: (adding, removing) for i in ids})


@dataclass(slots=True)
class RuleReport:
    """What ``rules apply`` did (or, dry, would do): per rule, matched and changed."""

    per_rule: list[tuple[Rule, int, int]] = field(default_factory=list)
    """(rule, articles it matched, articles it changed)."""
    changed: int = 0
    dry_run: bool = False


def evaluate_stored(lib: OrganiseMixin, rules: Sequence[Rule], within: Sequence[str] | None) -> Outcome:
    """What ``rules`` do to stored articles (all, or ``within``), asked of the search index.

    The index answers the words and tags of every rule in one pass over its searcher (cheaper than
    reading bodies back from their shards); the ``is:`` filters are checked against the state here.
    """
    outcome = Outcome(matched={rule.name: [] for rule in rules})
    if not rules or within == []:
        return outcome
    state = lib._store.state()
    try:
        found = lib._search_index.matching_ids([rule.query for rule in rules], within=within)
    except StoreError as exc:  # a read-only or full disk: match in memory, from the store
        log.info("rules matched in memory (the search index cannot answer: %s)", exc)
        return _evaluate_in_memory(lib, rules, within)
    for rule, ids in zip(rules, found, strict=True):
        hits = sorted(i for i in ids if passes(rule.query, state.get(i, 0), hidden_too=True))
        outcome.matched[rule.name] = hits
        for article_id in hits:
            record(outcome, rule, article_id)
    return outcome


def _evaluate_in_memory(lib: OrganiseMixin, rules: Sequence[Rule], within: Sequence[str] | None) -> Outcome:
    from newsreader.organise.rules import docs_from_store, evaluate
    from newsreader.search._docs import feed_titles

    store = lib._store
    heads = store.headlines()
    ids = list(heads) if within is None else list(within)
    feeds = feed_titles(store.sources())  # the names feed: searches in the index
    docs = docs_from_store(ids, heads, store.bodies(ids), feeds, store.state(), store.tags())
    return evaluate(rules, docs)


def apply_outcome(
    lib: OrganiseMixin, outcome: Outcome, *, dry_run: bool = False
) -> tuple[dict[str, int], int]:
    """Write what the rules decided (unless ``dry_run``): per rule name how many it changed (or, dry,
    would change), and how many articles changed in all."""
    store = lib._store
    state, tags = store.state(), store.tags()
    changed: set[str] = set()
    if outcome.read:
        changed |= {i for i in outcome.read if not state.get(i, 0) & READ}
    if outcome.hidden:
        changed |= {i for i in outcome.hidden if not state.get(i, 0) & HIDDEN}
    if outcome.starred:
        changed |= {i for i in outcome.starred if not state.get(i, 0) & STARRED}
    new_tags = {i: t - set(tags.get(i, ())) for i, t in outcome.tags.items()}
    changed |= {i for i, t in new_tags.items() if t}
    if not dry_run and changed:
        store.apply_marks(
            read=sorted(outcome.read),
            hidden=sorted(outcome.hidden),
            starred=sorted(outcome.starred),
            tags={i: (frozenset(t), frozenset()) for i, t in new_tags.items() if t},
        )
    per_name = {name: sum(1 for i in ids if i in changed) for name, ids in outcome.matched.items()}
    return per_name, len(changed)


def apply_rules(
    lib: OrganiseMixin, rules: Sequence[Rule], *, within: Sequence[str] | None = None, dry_run: bool = False
) -> RuleReport:
    """Apply rules to stored articles (all, or ``within``): ``rules apply`` and rules at ingest."""
    outcome = evaluate_stored(lib, rules, within)
    per_name, changed = apply_outcome(lib, outcome, dry_run=dry_run)
    report = RuleReport(changed=changed, dry_run=dry_run)
    for rule in rules:
        report.per_rule.append((rule, len(outcome.matched[rule.name]), per_name.get(rule.name, 0)))
    return report


def prune(
    lib: OrganiseMixin, default: Policy, *, dry_run: bool = False, now: float | None = None
) -> list[str]:
    """Drop what retention allows (see ``retention``); returns the ids dropped (or, dry, to drop).

    The store drops headlines, bodies, state and tags in one locked write; the search index then
    drops the same ids, so a search never returns a pruned article.
    """
    store = lib._store
    when = time.time() if now is None else now
    with store.locked():
        ids = select(store.headlines(), store.state(), store.tags(), store.sources(), default, when)
        if dry_run or not ids:
            return ids
        store.remove_articles(ids)
    lib._index_articles(ids)  # ids no longer stored: the index drops them
    return ids


def saved_articles(lib: OrganiseMixin, name: str) -> ArticleList:
    """The articles of a saved search, newest first, through the index (no snippets built)."""
    from newsreader import _lookup
    from newsreader.search.query import parse_query
    from newsreader.store.records import article_from

    saved = lib.saved.get(name)
    try:
        query = parse_query(saved.query)
    except InvalidQueryError as exc:
        raise UserInputError(f"saved search {saved.name!r} no longer parses: {exc}") from None
    store = lib._store
    heads, state, sources, tags = store.headlines(), store.state(), store.sources(), store.tags()
    ids = lib._search_index.matching_ids([query])[0]
    chosen = {i: heads[i] for i in ids if i in heads and passes(query, state.get(i, 0))}
    items = _lookup.newest_first(
        chosen, {}, source_id=None, unread=False, starred=False, limit=None
    )  # state already applied (hidden ones only with is:hidden)
    return _lookup.ArticleList(
        items, lambda i, r: article_from(i, r, state.get(i, 0), sources, tags.get(i, ()))
    )


def due_feeds(lib: OrganiseMixin, default_interval: float, now: float | None = None) -> list[str]:
    """Ids of the feeds whose interval has passed and that are not backing off."""
    when = time.time() if now is None else now
    return [
        sid
        for sid, rec in lib._store.sources().items()
        if rec.get("kind") == "feed" and not rec.get("gone") and is_due(rec, when, default_interval)
    ]


@dataclass(frozen=True, slots=True)
class Schedule:
    """A feed's schedule and retention as ``newsreader feed`` shows them."""

    interval: float
    own_interval: bool
    failures: int
    backoff: float
    next_due: float
    keep_days: int | None
    keep_articles: int | None

    def to_json(self) -> dict[str, object]:
        from datetime import UTC, datetime

        from newsreader.organise.schedule import format_interval

        return {
            "interval": format_interval(self.interval),
            "failures": self.failures,
            "backoff": format_interval(self.backoff) if self.failures else None,
            "next_due": datetime.fromtimestamp(self.next_due, UTC).isoformat() if self.next_due else None,
            "keep_days": self.keep_days,
            "keep_articles": self.keep_articles,
        }


def schedule_of(lib: OrganiseMixin, source_id: str, default_interval: float) -> Schedule:
    from newsreader.organise.schedule import backoff, interval_of, next_due

    rec = lib._store.sources().get(source_id, {})
    interval = interval_of(rec, default_interval)
    failures = int(rec.get("failures") or 0)
    keep_days, keep_articles = rec.get("keep_days"), rec.get("keep_articles")
    return Schedule(
        interval=interval,
        own_interval=isinstance(rec.get("interval"), int | float),
        failures=failures,
        backoff=backoff(failures, interval),
        next_due=next_due(rec, default_interval),
        keep_days=int(keep_days) if keep_days is not None else None,
        keep_articles=int(keep_articles) if keep_articles is not None else None,
    )


def set_feed(
    lib: OrganiseMixin,
    source_id: str,
    *,
    interval: float | None = None,
    default_interval: bool = False,
    keep_days: int | None = None,
    keep_articles: int | None = None,
) -> None:
    """Change a feed's interval (``default_interval``: back to the default) and retention."""
    from typing import cast

    from newsreader.store.records import SourceField, SourceRecord, SourceUpdate

    fields: dict[str, object] = {}
    clear: set[SourceField] = set()
    if interval is not None:
        fields["interval"] = interval
    if default_interval:
        clear.add("interval")
    for name, value in (("keep_days", keep_days), ("keep_articles", keep_articles)):
        if value is not None:
            if value < 0:
                raise UserInputError(f"--{name.replace('_', '-')} must be 0 (no limit) or more, not {value}")
            fields[name] = value
    if fields or clear:
        update = SourceUpdate(set=cast("SourceRecord", fields), clear=frozenset(clear))
        lib._store.update_sources({source_id: update})
