"""Rules: ``[[rules]]`` in settings.toml, each a query and an action, applied to articles.

newsboat's ignore-article and killfiles, written in the query language::

    [[rules]]
    name = "no sport"            # optional; shown in errors and counts (default "rule N")
    query = "feed:guardian title:football"
    action = "hide"              # mark-read | hide | star | tag:NAME

Every rule is parsed when settings are read, so a rule that does not parse is one line naming it before
anything is fetched. Rules match hidden articles too (a rule may star what another hid); each rule sees
the articles as they were before any rule ran, so the order of rules does not matter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from newsreader.errors import InvalidQueryError, UserInputError
from newsreader.search.match import Doc, compile_query
from newsreader.search.query import Query, normalise_tag, parse_query

ACTIONS = ("mark-read", "hide", "star")
"""Actions besides ``tag:NAME``."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: its name, its parsed query and its action (``tag`` set when the action is a tag)."""

    name: str
    query: Query
    action: str
    """``mark-read``, ``hide``, ``star`` or ``tag``."""
    tag: str | None = None

    @property
    def label(self) -> str:
        return f"tag:{self.tag}" if self.action == "tag" else self.action


@dataclass(slots=True)
class Outcome:
    """What a set of rules does to a batch: per rule the ids it matched, and the changes to make."""

    matched: dict[str, list[str]] = field(default_factory=dict)
    """rule name -> ids it matched (in the order the articles came)."""
    read: set[str] = field(default_factory=set)
    hidden: set[str] = field(default_factory=set)
    starred: set[str] = field(default_factory=set)
    tags: dict[str, set[str]] = field(default_factory=dict)
    """article id -> tags to add."""

    @property
    def touched(self) -> int:
        return len(self.read | self.hidden | self.starred | self.tags.keys())


def parse_rules(raw: object, *, where: str = "settings.toml") -> tuple[Rule, ...]:
    """Read the ``rules`` array of settings.toml.

    Raises:
        UserInputError: one line naming the rule (by ``name`` or position) and what is wrong with it.
    """
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise UserInputError(f"{where}: rules must be an array of tables ([[rules]])")
    rules: list[Rule] = []
    seen: set[str] = set()
    for number, item in enumerate(raw, 1):
        rule = _parse_rule(item, number, where)
        if rule.name in seen:
            raise UserInputError(f"{where}: two rules are named {rule.name!r}; give each its own name")
        seen.add(rule.name)
        rules.append(rule)
    return tuple(rules)


def _parse_rule(item: object, number: int, where: str) -> Rule:
    if not isinstance(item, dict):
        raise UserInputError(f"{where}: rule {number} must be a table with query and action")
    name = item.get("name", f"rule {number}")
    named = f"{where}: rule {number}" + (f" ({name!r})" if "name" in item else "")
    if not isinstance(name, str) or not name.strip():
        raise UserInputError(f"{named}: name must be a non-empty string")
    unknown = sorted(set(item) - {"name", "query", "action"})
    if unknown:
        raise UserInputError(f"{named}: unknown key(s) {', '.join(unknown)}; a rule has name, query, action")
    text, action = item.get("query"), item.get("action")
    if not isinstance(text, str):
        raise UserInputError(f"{named}: query must be a string")
    if not isinstance(action, str):
        raise UserInputError(f"{named}: action must be one of {', '.join(ACTIONS)} or tag:NAME")
    try:
        query = parse_query(text)
    except InvalidQueryError as exc:
        raise UserInputError(f"{named}: query {text!r}: {exc}") from None
    if action.startswith("tag:"):
        try:
            return Rule(name, query, "tag", normalise_tag(action[4:]))
        except InvalidQueryError as exc:
            raise UserInputError(f"{named}: action {action!r}: {exc}") from None
    if action not in ACTIONS:
        raise UserInputError(
            f"{named}: unknown action {action!r}; use one of {', '.join(ACTIONS)} or tag:NAME"
        )
    return Rule(name, query, action)


def evaluate(rules: Sequence[Rule], docs: Iterable[tuple[str, Doc]]) -> Outcome:
    """What ``rules`` do to these articles: each rule sees every article as it was before any rule.

    Each rule's query becomes a predicate once per batch (``compile_query``), and each article's text is
    lowered once for all of them (``Doc`` keeps it)."""
    outcome = Outcome(matched={rule.name: [] for rule in rules})
    if not rules:
        return outcome
    compiled = [
        (rule, compile_query(rule.query, hidden_too=True), outcome.matched[rule.name]) for rule in rules
    ]
    for article_id, doc in docs:
        for rule, test, matched in compiled:
            if test(doc):
                matched.append(article_id)
                record(outcome, rule, article_id)
    return outcome


def record(outcome: Outcome, rule: Rule, article_id: str) -> None:
    """Note what ``rule`` does to one article it matched."""
    if rule.action == "mark-read":
        outcome.read.add(article_id)
    elif rule.action == "hide":
        outcome.hidden.add(article_id)
    elif rule.action == "star":
        outcome.starred.add(article_id)
    else:
        assert rule.tag is not None
        outcome.tags.setdefault(article_id, set()).add(rule.tag)


def docs_from_store(
    article_ids: Iterable[str],
    heads: Mapping[str, Mapping[str, Any]],
    bodies: Mapping[str, Mapping[str, Any] | None],
    feeds: Mapping[str, str],
    state: Mapping[str, int],
    tags: Mapping[str, Sequence[str]],
) -> Iterable[tuple[str, Doc]]:
    """Stored articles as matcher docs (``feeds``: source id -> the name ``feed:`` matches)."""
    for article_id in article_ids:
        rec = heads.get(article_id)
        if rec is None:
            continue
        body = bodies.get(article_id) or {}
        text = str(body.get("body") or rec.get("excerpt") or "")
        if note := body.get("author_note"):
            text = f"{text}\n\n{note}"
        src = str(rec.get("src", ""))
        yield (
            article_id,
            Doc(
                title=str(rec.get("title") or ""),
                author=str(rec.get("author") or ""),
                body=text,
                feed=feeds.get(src, src),
                tags=frozenset(tags.get(article_id, ())),
                flags=state.get(article_id, 0),
            ),
        )
