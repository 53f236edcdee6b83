"""A query matched against one article in memory, without the index.

The reference semantics of the query language, and rules' fallback where the index cannot answer (its
disk is read-only or full). Rules at ingest ask the index instead: for a batch just committed and
indexed, tantivy answers five rules in half the time this takes (``tests/bench/bench_organise.py``).
Words are split and folded as the index splits them (``text.fold_text``), so a query matches here
exactly where a search finds it (``tests/test_organise_query.py`` checks both on a real library).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from newsreader.search.hits import passes
from newsreader.search.query import BARE_FIELDS, TAG, And, Node, Not, Or, Query, Term
from newsreader.search.text import fold_text


@dataclass(slots=True)
class Doc:
    """An article as the matcher sees it: its text fields, tags and state bits."""

    title: str = ""
    author: str = ""
    body: str = ""
    feed: str = ""
    tags: frozenset[str] = frozenset()
    flags: int = 0
    _tokens: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _sets: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    def words(self, name: str) -> list[str]:
        found = self._tokens.get(name)
        if found is None:
            found = self._tokens[name] = fold_text(str(getattr(self, name)))
        return found

    def word_set(self, name: str) -> frozenset[str]:
        found = self._sets.get(name)
        if found is None:
            found = self._sets[name] = frozenset(self.words(name))
        return found


def matches(query: Query, doc: Doc, *, hidden_too: bool = False) -> bool:
    """Whether ``doc`` is one of the query's results (``hidden_too``: hidden articles may match)."""
    if not passes(query, doc.flags, hidden_too=hidden_too):
        return False
    return query.tree is None or _node(query.tree, doc)


def _node(node: Node, doc: Doc) -> bool:
    if isinstance(node, Term):
        return _term(node, doc)
    if isinstance(node, Not):
        return not _node(node.node, doc)
    if isinstance(node, And):
        return all(_node(n, doc) for n in node.nodes)
    assert isinstance(node, Or)
    return any(_node(n, doc) for n in node.nodes)


def _term(term: Term, doc: Doc) -> bool:
    if term.field == TAG:
        name = term.words[0]
        return any(t.startswith(name) for t in doc.tags) if term.prefix else name in doc.tags
    return any(_in_field(term, doc, name) for name in ((term.field,) if term.field else BARE_FIELDS))


def _in_field(term: Term, doc: Doc, name: str) -> bool:
    words = term.words
    if len(words) == 1:
        if term.prefix:
            return any(w.startswith(words[0]) for w in doc.word_set(name))
        return words[0] in doc.word_set(name)
    if not set(words[:-1]) <= doc.word_set(name):
        return False  # cheap refusal before scanning for the phrase
    return _phrase(words, doc.words(name), prefix=term.prefix)


def _phrase(words: Sequence[str], text: Sequence[str], *, prefix: bool) -> bool:
    n = len(words)
    first, last = words[0], words[-1]
    for start in range(len(text) - n + 1):
        if text[start] != first:
            continue
        if all(text[start + k] == words[k] for k in range(1, n - 1)):
            end = text[start + n - 1]
            if end.startswith(last) if prefix else end == last:
                return True
    return False


def matching(query: Query, docs: Iterable[tuple[str, Doc]], *, hidden_too: bool = False) -> list[str]:
    """The ids of the docs that match, in the order given."""
    return [article_id for article_id, doc in docs if matches(query, doc, hidden_too=hidden_too)]
