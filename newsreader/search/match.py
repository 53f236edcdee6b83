"""A query matched against one article in memory, without the index.

``matches`` is the reference semantics of the query language; ``compile_query`` gives the same answer
as a predicate built once per query, which rules use (their fallback where the index cannot answer: its
disk is read-only or full). Words are split and folded as the index splits them (``text.fold_text``), so
a query matches here exactly where a search finds it (``tests/test_organise_query.py`` checks both on a
real library, and the predicate against ``matches``).

Why a predicate: walking the tree per article and folding every field into word sets cost five rules
~70 us an article (``tests/bench/bench_organise.py``). On ASCII text (after ``str.lower``) a token is a
run of ``[a-z0-9]``, so a term is a search of the lowered text for its words with non-alphanumeric
gaps and edges: one C-speed literal scan, no token list. Other text takes the token path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
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
    _lowered: dict[str | None, str | None] = field(default_factory=dict, repr=False)

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

    def lowered(self, name: str | None) -> str | None:
        """A field (``None``: the bare fields joined by NUL) lower-cased, or ``None`` where a literal
        scan would not split it as the index does (not ASCII, or a NUL of its own)."""
        try:
            return self._lowered[name]
        except KeyError:
            pass
        if name is None:
            text, nuls = f"{self.title}\0{self.author}\0{self.body}".lower(), 2
        else:
            text, nuls = str(getattr(self, name)).lower(), 0
        found = text if text.isascii() and text.count("\0") == nuls else None
        self._lowered[name] = found
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
    test = compile_query(query, hidden_too=hidden_too)
    return [article_id for article_id, doc in docs if test(doc)]


Predicate = Callable[[Doc], bool]

_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def compile_query(query: Query, *, hidden_too: bool = False) -> Predicate:
    """``lambda doc: matches(query, doc, hidden_too=hidden_too)``, with the tree turned into closures once."""
    tree = _compile(query.tree) if query.tree is not None else None
    if not (query.filters_state or query.hidden is not None or not hidden_too):
        return tree or (lambda doc: True)
    if tree is None:
        return lambda doc: passes(query, doc.flags, hidden_too=hidden_too)
    return lambda doc: passes(query, doc.flags, hidden_too=hidden_too) and tree(doc)


def _compile(node: Node) -> Predicate:
    if isinstance(node, Term):
        return _compile_term(node)
    if isinstance(node, Not):
        inner = _compile(node.node)
        return lambda doc: not inner(doc)
    parts = tuple(_compile(n) for n in node.nodes)
    if isinstance(node, And):
        if len(parts) == 2:  # the usual shape; a generator per article costs more than the test
            first, second = parts
            return lambda doc: first(doc) and second(doc)
        return lambda doc: all(part(doc) for part in parts)
    assert isinstance(node, Or)
    if len(parts) == 2:
        first, second = parts
        return lambda doc: first(doc) or second(doc)
    return lambda doc: any(part(doc) for part in parts)


def _compile_term(term: Term) -> Predicate:
    if term.field == TAG or not term.words:
        return lambda doc: _term(term, doc)
    names = (term.field,) if term.field else BARE_FIELDS
    # Tokens in order, each gap one or more non-token characters but never the NUL between fields;
    # the left edge is checked by hand (a look-behind would cost the scan its literal prefix).
    gap = "[^a-z0-9\0]+"
    pattern = gap.join(re.escape(w) for w in term.words) + ("" if term.prefix else "(?![a-z0-9])")
    search = re.compile(pattern).search

    def test(doc: Doc) -> bool:
        text = doc.lowered(term.field)
        if text is None:
            return any(_in_field(term, doc, name) for name in names)
        found = search(text)
        while found is not None:
            start = found.start()
            if start == 0 or text[start - 1] not in _ALNUM:
                return True
            found = search(text, start + 1)
        return False

    return test
