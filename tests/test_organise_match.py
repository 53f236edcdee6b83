"""The compiled matcher (``compile_query``) against the reference one (``matches``), and rules in memory
against rules through the index on one batch of a real library."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsreader.library import Library
from newsreader.models import ArticleDraft
from newsreader.organise.ops import _evaluate_in_memory, evaluate_stored
from newsreader.organise.rules import Outcome, parse_rules
from newsreader.search import parse_query
from newsreader.search.hits import HIDDEN, READ, STARRED
from newsreader.search.match import Doc, compile_query, matches
from newsreader.store import Store
from tests.bench.bench_organise import RULES
from tests.bench.gen import drafts

WORDS = [
    "harbour", "harbours", "ferry", "the", "winter", "light", "budget", "okafor", "Café", "cafe",
    "ŁÓDŹ", "lodz", "Straße", "strasse", "snake_case", "3.14", "naïve", "İstanbul", "ΟΔΟΣ", "東京",
    "light-keeper", "x\x00y", "K\u212a", "a", "ab", "b", "clim", "climate", "xharbour", "mega-light",
]  # fmt: skip
SEPARATORS = [" ", " ", " ", ", ", "\n\n", "-", "_", ". ", "\x00", "—"]
QUERIES = [
    "harbour", "harb*", "ferry harbour", '"winter light"', '"winter light" -budget', "title:budget",
    "author:okafor", "feed:notes", "cafe", "café", "lodz", "strasse", "snake", "case", "3.14", "naive",
    "istanbul", "οδος", "東京", "light-keeper", "light-k*", "x", "y", "k", "kk", "b", '"a ab"', '"a a*"',
    "clim* OR lodz", "(harbour OR ferry) -the", "NOT harbour", "is:unread harbour", "is:starred",
    "is:hidden", "-is:hidden ferry", "tag:keep", "tag:ke* light", '"the the"', "title:harbour ferry",
]  # fmt: skip


def _text(rng: random.Random, words: int) -> str:
    out = []
    for _ in range(words):
        out += [rng.choice(WORDS), rng.choice(SEPARATORS)]
    return "".join(out[:-1])


def test_the_compiled_matcher_answers_as_the_reference() -> None:
    rng = random.Random(14)
    docs = [
        Doc(
            title=_text(rng, rng.randint(0, 5)),
            author=_text(rng, rng.randint(0, 2)),
            body=_text(rng, rng.randint(0, 30)),
            feed=rng.choice(["Notes", "Harbour news", "Ŝtelo"]),
            tags=frozenset(rng.sample(["keep", "kept", "later"], rng.randint(0, 2))),
            flags=rng.choice([0, READ, STARRED, HIDDEN, HIDDEN | READ]),
        )
        for _ in range(200)
    ]
    docs += [Doc(title="harbour"), Doc(body="winter\x00light"), Doc(title="winter", author="light")]
    reference = [Doc(d.title, d.author, d.body, d.feed, d.tags, d.flags) for d in docs]  # own caches
    answered = 0
    for text in QUERIES:
        query = parse_query(text)
        for hidden_too in (False, True):
            test = compile_query(query, hidden_too=hidden_too)
            want = [matches(query, d, hidden_too=hidden_too) for d in reference]
            assert [test(d) for d in docs] == want, (text, hidden_too)
            answered += 0 < sum(want) < len(docs)
    assert answered >= len(QUERIES)  # most queries split the docs: the comparison means something


def _outcome(outcome: Outcome) -> tuple[object, ...]:
    matched = {name: sorted(ids) for name, ids in outcome.matched.items()}
    return matched, outcome.read, outcome.hidden, outcome.starred, outcome.tags


EXTRA = [
    {"name": "cafe", "query": "café OR title:lodz*", "action": "hide"},
    {"name": "unread", "query": "is:unread -is:hidden ferry", "action": "tag:unread"},
]


@pytest.mark.parametrize("extra", [[], EXTRA])
def test_rules_in_memory_match_rules_through_the_index(tmp_path: Path, extra: list[dict[str, str]]) -> None:
    """The bench's five rules (and a non-ASCII one) on one committed batch: the same outcome both ways."""
    path = tmp_path / "lib"
    store = Store(path)
    now = datetime(2026, 12, 2, tzinfo=UTC)
    batch = list(drafts(150, seed=3))
    batch += [
        ArticleDraft(
            id="accents01",
            title="Łódź winter light",
            body="Café by the harbour, Okafor said.",
            excerpt="Café",
        ),
        ArticleDraft(
            id="accents02",
            title="Budget",
            body="Ferry harbour winter—light vellichor",
            excerpt="Ferry",
            author="A. Okafor",
        ),
    ]
    result = store.commit({"src0001": batch}, now=now)
    ids = sorted(result.new_ids)
    store.apply_marks(read=ids[:20], hidden=ids[10:30], starred=ids[25:40])
    rules = parse_rules(RULES + extra)
    library = Library(path)
    by_index = evaluate_stored(library, rules, ids)
    in_memory = _evaluate_in_memory(library, rules, ids)
    assert _outcome(in_memory) == _outcome(by_index)
    counts = {name: len(ids) for name, ids in by_index.matched.items()}
    assert all(counts.values()), counts  # every rule matched something: the comparison means something
