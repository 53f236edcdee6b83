"""Rules read from a real settings.toml, and evaluated on articles of a real library."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from newsreader.errors import UserInputError
from newsreader.library import Library
from newsreader.organise.rules import docs_from_store, evaluate, parse_rules
from newsreader.search.hits import HIDDEN, READ
from newsreader.search.match import Doc
from newsreader.store import Store
from tests.conftest import FEEDS

SETTINGS = """
[[rules]]
name = "quiet harbour"
query = "harbour -storm"
action = "mark-read"

[[rules]]
query = "title:ferry OR title:ferries"
action = "tag:Ferries"

[[rules]]
name = "hide spam"
query = "casino"
action = "hide"

[[rules]]
query = "is:hidden harbour"
action = "star"
"""


def _rules(tmp_path: Path, text: str) -> object:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return tomllib.loads(path.read_text(encoding="utf-8")).get("rules")


def test_rules_parse_with_names_and_actions(tmp_path: Path) -> None:
    rules = parse_rules(_rules(tmp_path, SETTINGS))
    assert [r.name for r in rules] == ["quiet harbour", "rule 2", "hide spam", "rule 4"]
    assert [r.label for r in rules] == ["mark-read", "tag:ferries", "hide", "star"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[rules]]\nname = "bad"\nquery = "(a"\naction = "hide"\n', None),
        (
            '[[rules]]\nname = "bad"\nquery = "is:bogus"\naction = "hide"\n',
            "rule 1 ('bad'): query 'is:bogus'",
        ),
        ('[[rules]]\nquery = "x"\naction = "delete"\n', "rule 1: unknown action 'delete'"),
        ('[[rules]]\nquery = "x"\naction = "tag:two words"\n', "rule 1: action 'tag:two words'"),
        ('[[rules]]\nquery = "x"\n', "rule 1: action must be"),
        ('[[rules]]\naction = "hide"\n', "rule 1: query must be a string"),
        ('[[rules]]\nquery = "x"\naction = "hide"\nwhen = 1\n', "unknown key"),
        ('[[rules]]\nname="a"\nquery="x"\naction="hide"\n' * 2, "two rules are named 'a'"),
        ('rules = "hide everything"\n', "array of tables"),
        ('[[rules]]\nquery = ""\naction = "hide"\n', "rule 1: query '': empty search"),
    ],
)
def test_a_bad_rule_is_one_line_naming_it(tmp_path: Path, text: str, message: str | None) -> None:
    raw = _rules(tmp_path, text)
    if message is None:  # a best-effort reading: an unclosed group still parses
        assert parse_rules(raw)
        return
    with pytest.raises(UserInputError, match=message.replace("(", r"\(").replace(")", r"\)")) as info:
        parse_rules(raw)
    assert "\n" not in str(info.value)


def test_each_rule_sees_the_articles_as_they_came() -> None:
    rules = parse_rules(
        [
            {"query": "harbour", "action": "hide"},
            {"query": "is:hidden", "action": "star"},  # hidden before any rule ran: not by rule 1
        ]
    )
    outcome = evaluate(rules, [("a", Doc(title="harbour")), ("b", Doc(title="x", flags=HIDDEN))])
    assert outcome.matched == {"rule 1": ["a"], "rule 2": ["b"]}
    assert outcome.hidden == {"a"} and outcome.starred == {"b"} and outcome.touched == 2


def test_rules_on_a_real_library(tmp_path: Path) -> None:
    Library(tmp_path / "lib").import_paths([FEEDS])
    store = Store(tmp_path / "lib")
    heads = store.headlines()
    feeds = {src: str(rec.get("title") or src) for src, rec in store.sources().items()}
    ids = sorted(heads)
    docs = list(docs_from_store(ids, heads, store.bodies(ids), feeds, {ids[0]: READ}, {}))
    assert len(docs) == len(ids)
    rules = parse_rules(_rules(tmp_path, SETTINGS))
    outcome = evaluate(rules, docs)
    harbour = [i for i, d in docs if "harbour" in d.title.lower() or "harbour" in d.body.lower()]
    assert harbour and set(outcome.matched["quiet harbour"]) <= set(harbour)
    assert outcome.read == set(outcome.matched["quiet harbour"])
    assert outcome.matched["hide spam"] == [] and outcome.matched["rule 4"] == []
    assert outcome.tags  # the RSS feed has a ferry timetable
    for article_id, tags in outcome.tags.items():
        assert tags == {"ferries"} and "ferr" in heads[article_id]["title"].lower()
