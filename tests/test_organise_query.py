"""Query additions of issue 14 (tag:, -tag:, is:hidden) and the in-memory matcher, checked against the
tantivy index on a real library imported from the repo's feeds/ folder."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from newsreader.errors import InvalidQueryError
from newsreader.library import Library
from newsreader.search import parse_query
from newsreader.search.hits import HIDDEN, READ, STARRED
from newsreader.search.index import SearchIndex
from newsreader.search.match import Doc, matches
from newsreader.search.query import Not, Term
from newsreader.search.text import fold_text, tokens
from newsreader.store import Store
from tests.conftest import FEEDS

QUERIES = [
    "harbour",
    "ferry OR storm",
    "title:harbour -council",
    '"the harbour"',
    "harb*",
    "feed:harbour",
    "author:kluth",
    "tag:keep",
    "-tag:keep",
    "tag:ke*",
    "tag:keep OR tag:later",
    "harbour tag:later",
    "is:hidden",
    "is:unread -tag:keep",
    "is:starred",
    "the -tag:keep -harbour",
]


def test_tag_terms_parse_and_fold() -> None:
    q = parse_query("tag:Café-Notes")
    assert q.tree == Term(("cafe-notes",), "tag")
    assert q.tags and q.terms == ()
    assert parse_query("-tag:x").tree == Not(Term(("x",), "tag"))
    assert parse_query("tag:ke*").tree == Term(("ke",), "tag", True)
    assert not parse_query("harbour").tags


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('tag:"two words"', "not a tag name"),
        ("tag:a:b", "not a tag name"),
        ("tag:" + "x" * 65, "not a tag name"),
        ("is:bogus", "is:hidden"),
    ],
)
def test_bad_tags_say_why(text: str, message: str) -> None:
    with pytest.raises(InvalidQueryError, match=message) as info:
        parse_query(text)
    assert "\n" not in str(info.value)


def test_is_hidden_is_a_filter() -> None:
    assert parse_query("is:hidden").hidden is True
    assert parse_query("-is:hidden x").hidden is False
    assert parse_query("x").hidden is None


def test_fold_text_splits_as_tokens() -> None:
    for text in ("Crème brûlée, Straße & ŁÓDŹ", "snake_case 3.14 naïve İstanbul", "plain ascii words"):
        assert fold_text(text) == tokens(text)


def test_matcher_phrases_prefixes_and_fields() -> None:
    doc = Doc(title="Storm closes the harbour", author="Ana Okafor", body="Ferries wait.", feed="Notes")
    assert matches(parse_query('"the harbour"'), doc)
    assert not matches(parse_query('"harbour the"'), doc)
    assert matches(parse_query("closes-the-harb*"), doc)  # a hyphenated word is a phrase
    assert matches(parse_query("author:okafor ferr*"), doc)
    assert not matches(parse_query("title:ferries"), doc)
    assert matches(parse_query("feed:notes"), doc)
    assert not matches(parse_query("notes"), doc)  # a bare word does not search the feed name


def test_hidden_leave_results_unless_asked() -> None:
    hidden = Doc(title="harbour", flags=HIDDEN)
    assert not matches(parse_query("harbour"), hidden)
    assert matches(parse_query("harbour"), hidden, hidden_too=True)
    assert matches(parse_query("is:hidden harbour"), hidden)
    assert not matches(parse_query("is:hidden"), Doc(title="harbour"))


class _Tagged:
    """The store with tags and state set by the test (before the store grows them itself)."""

    def __init__(self, store: Store, tags: Mapping[str, Sequence[str]], state: Mapping[str, int]) -> None:
        self._store, self._tags, self._state = store, tags, state
        self.path = store.path

    @property
    def generation(self) -> int:
        return self._store.generation

    def headlines(self) -> Mapping[str, Mapping[str, Any]]:
        return self._store.headlines()

    def sources(self) -> Mapping[str, Mapping[str, Any]]:
        return self._store.sources()

    def state(self) -> Mapping[str, int]:
        return self._state

    def tags(self) -> Mapping[str, Sequence[str]]:
        return self._tags

    def body(self, article_id: str) -> Mapping[str, Any] | None:
        return self._store.body(article_id)

    def bodies(self, ids: Sequence[str]) -> Mapping[str, Mapping[str, Any] | None]:
        return self._store.bodies(ids)


def test_matcher_agrees_with_the_index_on_a_real_library(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib")
    report = library.import_paths([FEEDS])
    assert report.new > 10
    store = Store(tmp_path / "lib")
    heads = store.headlines()
    ids = sorted(heads)
    tags = {ids[0]: ["keep"], ids[1]: ["keep", "later"], ids[2]: ["later"]}
    state = {ids[0]: READ, ids[3]: STARRED, ids[4]: HIDDEN, ids[5]: HIDDEN | READ}
    index = SearchIndex(_Tagged(store, tags, state))  # type: ignore[arg-type]
    feeds = {src: str(rec.get("title") or src) for src, rec in store.sources().items()}
    bodies = store.bodies(ids)
    docs = {}
    for article_id, rec in heads.items():
        body = bodies.get(article_id) or {}
        text = str(body.get("body") or rec.get("excerpt") or "")
        if body.get("author_note"):
            text += "\n\n" + str(body["author_note"])
        docs[article_id] = Doc(
            title=str(rec.get("title") or ""),
            author=str(rec.get("author") or ""),
            body=text,
            feed=feeds[str(rec["src"])],
            tags=frozenset(tags.get(article_id, ())),
            flags=state.get(article_id, 0),
        )
    answered = 0
    for text in QUERIES:
        query = parse_query(text)
        by_index = {hit.article.id for hit in index.search(query, limit=None)}
        in_memory = {i for i, doc in docs.items() if matches(query, doc)}
        assert by_index == in_memory, text
        answered += bool(in_memory)
    assert answered >= len(QUERIES) // 2  # most queries find something: the comparison means something
    tagged = index.matching_ids([parse_query("tag:keep")])[0]
    assert sorted(tagged) == [ids[0], ids[1]]
    assert index.matching_ids([parse_query("harbour")], within=[ids[0]]) in ([[]], [[ids[0]]])
    index.close()
