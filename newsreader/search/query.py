"""The query language: words, "phrases", -exclusions, OR, groups, field:, tag: and is: filters.

``parse_query`` reads what a user typed into a tree of ``Term``/``Not``/``And``/``Or`` that the index
compiles; ``as_you_type`` widens a query still being typed. Malformed input gets a best-effort reading,
and what cannot be read gets one ``InvalidQueryError`` line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from newsreader.errors import InvalidQueryError
from newsreader.search.text import fold, tokens

FIELDS = ("title", "author", "feed", "tag")
_FLAGS = {
    "unread": ("read", False),
    "read": ("read", True),
    "starred": ("starred", True),
    "hidden": ("hidden", True),
}
TAG = "tag"
"""The field of ``tag:NAME``: not text in the index but a set of article ids (tags live in the store)."""
_TAG_NAME = re.compile(r"[^\W_][\w.\-/+]*\Z")
MAX_TAG = 64
BARE_FIELDS = ("title", "author", "body")
"""Fields a word without ``field:`` searches: the feed name only with ``feed:``."""
MAX_DEPTH = 32
"""Parentheses nested deeper are refused: the parser recurses per level (600 pasted ``(`` were a
RecursionError), and no one means a query 32 groups deep."""
MAX_PREFIXES = 16
"""Words ending in ``*`` per query: each is a term-dictionary scan in every field it searches (1000 of
them took 6 s), so a flood of them is refused rather than left to run."""


@dataclass(frozen=True, slots=True)
class Term:
    """Words that must appear in this order (one word is a phrase of one)."""

    words: tuple[str, ...]
    field: str | None = None
    prefix: bool = False

    def __str__(self) -> str:
        text = " ".join(self.words) + ("*" if self.prefix else "")
        text = f'"{text}"' if len(self.words) > 1 else text
        return f"{self.field}:{text}" if self.field else text


@dataclass(frozen=True, slots=True)
class Not:
    node: Node


@dataclass(frozen=True, slots=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    nodes: tuple[Node, ...]


Node = Term | Not | And | Or


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: the tree of terms, state filters, and the terms to highlight."""

    text: str
    tree: Node | None
    """``None``: every article (only ``is:`` filters were given)."""
    read: bool | None = None
    starred: bool | None = None
    terms: tuple[str, ...] = ()
    """Positive words and phrases (``putin``, ``off ramp``, ``nucl*``) for ``highlight_spans``."""
    hidden: bool | None = None
    """``is:hidden``: True; ``-is:hidden``: False; ``None``: not asked, and lists leave hidden ones out."""

    @property
    def filters_state(self) -> bool:
        return self.read is not None or self.starred is not None

    @property
    def tags(self) -> bool:
        """Whether the query names a tag (its tree then needs the store's tags to be answered)."""
        return self.tree is not None and _has_tag(self.tree)


def normalise_tag(name: str) -> str:
    """A tag's stored form: folded to lower case; letters, digits and ``_ - . / +``, a letter or digit
    first, at most ``MAX_TAG`` characters.

    Raises:
        InvalidQueryError: the name is empty, too long or has other characters (a space, a quote).
    """
    folded = fold(name.strip())
    if not folded:
        raise InvalidQueryError("a tag needs a name (tag:NAME)")
    if len(folded) > MAX_TAG or not _TAG_NAME.match(folded):
        shown = folded if len(folded) <= 40 else folded[:40] + "…"
        raise InvalidQueryError(
            f"not a tag name: {shown!r}; use letters, digits and _ - . / + (at most {MAX_TAG})"
        )
    return folded


def _has_tag(node: Node) -> bool:
    if isinstance(node, Term):
        return node.field == TAG
    if isinstance(node, Not):
        return _has_tag(node.node)
    return any(_has_tag(n) for n in node.nodes)


@dataclass(slots=True)
class _Lexeme:
    kind: str  # "word" "phrase" "or" "and" "not" "(" ")"
    text: str = ""
    negated: bool = False
    field: str | None = None


def _lex(text: str) -> Iterator[_Lexeme]:
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "()":
            yield _Lexeme(ch)
            i += 1
            continue
        negated = False
        if ch == "-" or ch == "!":
            # A minus glued to what follows negates it; a lone one ("a - b") is punctuation, ignored.
            while i < n and text[i] in "-!":
                i += 1
            if i >= n or text[i].isspace() or text[i] == ")":
                continue
            if text[i] == "(":
                yield _Lexeme("not")  # -(a OR b)
                continue
            negated = True
            ch = text[i]
        if ch == '"':
            end = text.find('"', i + 1)
            end = n if end < 0 else end  # an unbalanced quote runs to the end of the query
            yield _Lexeme("phrase", text[i + 1 : end], negated)
            i = end + 1
            continue
        start = i
        while i < n and not text[i].isspace() and text[i] not in '()"':
            i += 1
        word = text[start:i]
        name, colon, value = word.partition(":")
        key = name.lower()
        if colon and key in (*FIELDS, "is"):
            if not value and i < n and text[i] == '"':
                end = text.find('"', i + 1)
                end = n if end < 0 else end
                value, i = text[i + 1 : end], end + 1
                yield _Lexeme("phrase", value, negated, key)
            elif value:
                yield _Lexeme("word", value, negated, key)
            # "title:" with nothing after it: ignored while the user is still typing
            continue
        if not negated and word in ("OR", "|", "||"):
            yield _Lexeme("or")
        elif not negated and word in ("AND", "&&"):
            yield _Lexeme("and")
        elif not negated and word == "NOT":
            yield _Lexeme("not")
        else:
            yield _Lexeme("word", word, negated)


class _Parser:
    """Recursive descent over lexemes; OR binds tighter than the implicit AND (``a OR b c``)."""

    def __init__(self, text: str) -> None:
        self.lexemes = list(_lex(text))
        self.pos = 0
        self.depth = 0
        self.flags: dict[str, bool] = {}

    def peek(self) -> _Lexeme | None:
        return self.lexemes[self.pos] if self.pos < len(self.lexemes) else None

    def parse(self) -> Node | None:
        node = self.sequence(top=True)
        return node

    def sequence(self, *, top: bool = False) -> Node | None:
        nodes: list[Node] = []
        while (lex := self.peek()) is not None:
            if lex.kind == ")":
                self.pos += 1
                if top:
                    continue  # a stray ")" is ignored
                break
            if lex.kind in ("or", "and"):
                self.pos += 1  # a leading or doubled operator is ignored
                continue
            node = self.alternatives()
            if node is not None:
                nodes.append(node)
        return _and(nodes)

    def alternatives(self) -> Node | None:
        nodes: list[Node] = []
        node = self.unary()
        if node is not None:
            nodes.append(node)
        while (lex := self.peek()) is not None and lex.kind == "or":
            self.pos += 1
            node = self.unary()
            if node is not None:
                nodes.append(node)
        if not nodes:
            return None
        if len(nodes) == 1:
            return nodes[0]
        if any(isinstance(n, Not) for n in nodes):
            raise InvalidQueryError("an excluded word cannot be an alternative of OR; put it outside the OR")
        return Or(tuple(nodes))

    def unary(self) -> Node | None:
        lex = self.peek()
        if lex is None:
            return None
        self.pos += 1
        if lex.kind == "not":
            # A run of NOTs is read by its parity, in a loop: 1000 of them must not recurse 1000 deep.
            negations = 1
            while (after := self.peek()) is not None and after.kind == "not":
                self.pos += 1
                negations += 1
            inner = self.unary()
            return _negate(inner) if negations % 2 else inner
        if lex.kind == "(":
            if self.depth >= MAX_DEPTH:
                raise InvalidQueryError(
                    f"the search nests parentheses more than {MAX_DEPTH} deep; remove some"
                )
            self.depth += 1
            try:
                return self.sequence()
            finally:
                self.depth -= 1
        if lex.kind in ("or", "and", ")"):
            return None
        if lex.field == "is":
            value = lex.text.lower()
            if value not in _FLAGS:
                raise InvalidQueryError(
                    f"unknown filter is:{lex.text}; use is:unread, is:read, is:starred or is:hidden"
                )
            name, wanted = _FLAGS[value]
            self.flags[name] = wanted != lex.negated
            return None
        prefix = lex.kind == "word" and lex.text.endswith("*")
        if lex.field == TAG:
            name = normalise_tag(lex.text[:-1] if prefix else lex.text)
            tag = Term((name,), TAG, prefix)
            return Not(tag) if lex.negated else tag
        words = tuple(tokens(lex.text))
        if not words:
            return None  # punctuation only
        node: Node = Term(words, lex.field, prefix)
        return Not(node) if lex.negated else node


def _negate(node: Node | None) -> Node | None:
    if node is None:
        return None
    return node.node if isinstance(node, Not) else Not(node)


def _and(nodes: Sequence[Node]) -> Node | None:
    flat: list[Node] = []
    for node in nodes:
        flat.extend(node.nodes if isinstance(node, And) else (node,))
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else And(tuple(flat))


def _check(node: Node, *, top: bool = False) -> None:
    """Refuse shapes no engine can answer: a group that only excludes, inside another group."""
    if isinstance(node, Term):
        return
    if isinstance(node, Not):
        _check(node.node)
        return
    if isinstance(node, And) and not top and all(isinstance(n, Not) for n in node.nodes):
        raise InvalidQueryError("a group of only excluded words cannot be searched; add a word to it")
    for child in node.nodes:
        _check(child)


def _positive_terms(node: Node | None) -> list[str]:
    if node is None or isinstance(node, Not):
        return []
    if isinstance(node, Term):
        return [] if node.field == TAG else [" ".join(node.words) + ("*" if node.prefix else "")]
    return [t for n in node.nodes for t in _positive_terms(n)]


def _count_prefixes(node: Node) -> int:
    if isinstance(node, Term):
        return int(node.prefix)
    if isinstance(node, Not):
        return _count_prefixes(node.node)
    return sum(_count_prefixes(n) for n in node.nodes)


def parse_query(text: str) -> Query:
    """Read a query; malformed input gets a best-effort reading.

    Unbalanced quotes run to the end, a lone ``-`` and stray operators or parentheses are ignored.

    Raises:
        InvalidQueryError: the query asks for nothing, names an unknown ``is:`` filter or a tag that
            cannot be one (``normalise_tag``), uses an
            excluded word as an alternative of ``OR``, nests parentheses more than ``MAX_DEPTH`` deep
            or has more than ``MAX_PREFIXES`` words ending in ``*``.
    """
    parser = _Parser(text)
    tree = parser.parse()
    read, starred = parser.flags.get("read"), parser.flags.get("starred")
    hidden = parser.flags.get("hidden")
    if tree is None and read is None and starred is None and hidden is None:
        if shown := text.strip():  # symbols or emoji only: the index holds words, so nothing can match
            shown = shown if len(shown) <= 40 else shown[:40] + "…"
            raise InvalidQueryError(
                f"nothing to search for in {shown!r}: searches match words and numbers, not symbols"
            )
        raise InvalidQueryError('empty search: type words, a "phrase", title:/author:/feed: or is:unread')
    if tree is not None:
        _check(tree, top=True)
        prefixes = _count_prefixes(tree)
        if prefixes > MAX_PREFIXES:
            raise InvalidQueryError(
                f"a search can have at most {MAX_PREFIXES} words ending in *; this one has {prefixes}"
            )
    terms = tuple(dict.fromkeys(_positive_terms(tree)))
    return Query(text, tree, read, starred, terms, hidden)


# --- search as you type ---------------------------------------------------------------------------------

_LAST_WORD = re.compile(r"[^\W_]+\Z")
"""A query's last token when it is a plain word: letters and digits up to the end."""
_OPERATORS = frozenset({"OR", "AND", "NOT"})


def as_you_type(query: str) -> str:
    """The query with its last word also matched as a prefix, for search as you type:
    ``old harb`` -> ``old (harb OR harb*)``.

    Only a plain word that is still being typed: not followed by a space, not inside quotes, not a
    field value (``title:x``), not negated (``-x``, ``NOT x``) or part of a hyphenated word, not an
    operator. The whole word stays in the query because prefix matches score flat: with it, a
    finished word ranks by BM25 as it does on ``enter`` in the CLI. The widened query can be refused
    where the typed one is not (one prefix too many): search for the typed one then.
    """
    match = _LAST_WORD.search(query)
    if match is None or match.group() in _OPERATORS:
        return query
    before = query[: match.start()]
    if before and not (before[-1].isspace() or before[-1] == "("):
        return query  # -word, title:word, off-ramp, "word...
    if before.count('"') % 2 or before.split()[-1:] == ["NOT"]:
        return query  # inside an open phrase, or negated
    word = match.group()
    return f"{before}({word} OR {word}*)"
