"""The query language, folding, highlighting and snippets: pure functions, no index."""

from __future__ import annotations

import time

import pytest

from newsreader.errors import InvalidQueryError
from newsreader.search import (
    And,
    Not,
    Or,
    Term,
    as_you_type,
    fold,
    highlight_spans,
    make_snippet,
    parse_query,
)


def test_words_are_all_required() -> None:
    q = parse_query("nuclear escalation")
    assert q.tree == And((Term(("nuclear",)), Term(("escalation",))))
    assert q.terms == ("nuclear", "escalation")


def test_phrase_and_hyphenated_word_are_phrases() -> None:
    assert parse_query('"off-ramp"').tree == Term(("off", "ramp"))
    assert parse_query("off-ramp").tree == Term(("off", "ramp"))
    assert parse_query('"Off  Ramp"').terms == ("off ramp",)


def test_exclusion() -> None:
    q = parse_query("putin -biden")
    assert q.tree == And((Term(("putin",)), Not(Term(("biden",)))))
    assert q.terms == ("putin",), "excluded words are not highlighted"
    assert parse_query('putin -"joe biden"').tree == And((Term(("putin",)), Not(Term(("joe", "biden")))))
    assert parse_query("putin NOT biden").tree == parse_query("putin -biden").tree
    assert parse_query("putin -(biden OR trump)").tree == And(
        (Term(("putin",)), Not(Or((Term(("biden",)), Term(("trump",))))))
    )


def test_or_binds_tighter_than_and() -> None:
    q = parse_query("taiwan OR ukraine war")
    assert q.tree == And((Or((Term(("taiwan",)), Term(("ukraine",)))), Term(("war",))))
    assert parse_query("(taiwan OR ukraine) war").tree == q.tree
    assert parse_query("taiwan | ukraine").tree == Or((Term(("taiwan",)), Term(("ukraine",))))


def test_lowercase_or_is_a_word() -> None:
    assert parse_query("this or that").tree == And((Term(("this",)), Term(("or",)), Term(("that",))))


def test_fields() -> None:
    assert parse_query('author:"Andreas Kluth"').tree == Term(("andreas", "kluth"), "author")
    assert parse_query("title:Putin").tree == Term(("putin",), "title")
    assert parse_query("FEED:bloomberg").tree == Term(("bloomberg",), "feed")
    assert parse_query("-author:kluth putin").tree == And((Not(Term(("kluth",), "author")), Term(("putin",))))


def test_unknown_field_is_text() -> None:
    assert parse_query("covid-19:update").tree == Term(("covid", "19", "update"))


def test_state_filters() -> None:
    q = parse_query("is:unread putin")
    assert (q.read, q.starred, q.tree) == (False, None, Term(("putin",)))
    q = parse_query("is:starred")
    assert (q.read, q.starred, q.tree) == (None, True, None)
    assert parse_query("-is:unread x").read is True
    assert parse_query("IS:READ x").read is True


def test_prefix() -> None:
    q = parse_query("escalat*")
    assert q.tree == Term(("escalat",), prefix=True)
    assert q.terms == ("escalat*",)


def test_case_and_accents_fold() -> None:
    assert parse_query("PUTIN").tree == parse_query("putin").tree
    assert parse_query("naïve").tree == parse_query("naive").tree
    assert parse_query("nai\u0308ve").tree == Term(("naive",)), "decomposed accents too"
    assert fold("Straße") == "strasse"
    assert fold("Ærø") == "aero"


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ('"off-ramp', Term(("off", "ramp"))),  # unbalanced quote runs to the end
        ('author:"Jane Doe', Term(("jane", "doe"), "author")),
        ("putin - biden", And((Term(("putin",)), Term(("biden",))))),  # lone minus ignored
        ("putin OR", Term(("putin",))),  # dangling operator
        ("OR putin", Term(("putin",))),
        ("(putin", Term(("putin",))),  # unclosed parenthesis
        ("putin)", Term(("putin",))),  # stray one
        ("title: putin", Term(("putin",))),  # empty field value while typing
        ("putin --biden", And((Term(("putin",)), Not(Term(("biden",)))))),
        ("putin !!! ???", Term(("putin",))),  # punctuation only
    ],
)
def test_malformed_queries_are_read_best_effort(text: str, tree: object) -> None:
    assert parse_query(text).tree == tree


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty search"),
        ("   ", "empty search"),
        ('""', "nothing to search for in '\"\"'"),
        ("-", "nothing to search for in '-'"),
        ("!!!", "nothing to search for in '!!!'"),
        ("🦀", "not symbols"),
        ("is:bogus", "unknown filter is:bogus"),
        ("putin OR -biden", "cannot be an alternative of OR"),
        ("putin OR (-a -b)", "only excluded words"),
    ],
)
def test_unreadable_queries_say_why(text: str, message: str) -> None:
    with pytest.raises(InvalidQueryError, match=message) as info:
        parse_query(text)
    assert "\n" not in str(info.value)


def test_only_exclusions_is_a_valid_query() -> None:
    q = parse_query("-putin -biden")
    assert q.tree == And((Not(Term(("putin",))), Not(Term(("biden",)))))
    assert q.terms == ()


def test_highlight_spans_whole_words_folded() -> None:
    text = "Putin’s off-ramp: a NAÏVE plan; putinism is not Putin."
    spans = highlight_spans(text, ["putin", "naive"])
    assert [text[s:e] for s, e in spans] == ["Putin", "NAÏVE", "Putin"]


def test_highlight_spans_prefix_and_phrase() -> None:
    text = "Escalation escalates; the off-ramp is an escalator to nowhere."
    assert [text[s:e] for s, e in highlight_spans(text, ["escalat*"])] == [
        "Escalation",
        "escalates",
        "escalator",
    ]
    assert [text[s:e] for s, e in highlight_spans(text, ["off ramp"])] == ["off", "ramp"]
    text = "Get off the ramp; take the off-ramp. Off Rampart*"
    assert [text[s:e] for s, e in highlight_spans(text, ["off ramp"])] == ["off", "ramp"]
    assert [text[s:e] for s, e in highlight_spans(text, ["off ramp*"])] == ["off", "ramp", "Off", "Rampart"]
    assert highlight_spans(text, []) == []


def test_highlight_spans_is_fast_on_a_long_body() -> None:
    body = ("The war in Ukraine and the naïve hopes of an off-ramp for Putin. " * 500)[:30_000]
    started = time.process_time()  # CPU time: another process's load does not count
    spans = highlight_spans(body, ["putin", "naive", "off ramp"])
    elapsed = time.process_time() - started
    assert len(spans) == 4 * body.count("Putin") or len(spans) > 1500
    assert all(body[s:e].lower() in {"putin", "naïve", "off", "ramp"} for s, e in spans)
    assert elapsed < 0.5, "a generous bound: it takes ~5 ms; this only catches a quadratic blow-up"


def test_snippet_centres_on_first_match_and_marks_it() -> None:
    text = "Filler words here. " * 30 + "Then Putin spoke about the off-ramp.\n\nMore filler. " * 3
    snippet, spans = make_snippet(text, ["putin"])
    assert snippet.startswith("…") and "\n" not in snippet
    assert [snippet[s:e] for s, e in spans] == ["Putin"] * 3
    assert 20 < spans[0][0] < 80, "the first match sits in the first third, with context before it"
    assert len(snippet) <= 185
    plain, none = make_snippet("Short text without matches.", ["putin"])
    assert (plain, none) == ("Short text without matches.", [])


@pytest.mark.parametrize(
    ("typed", "searched"),
    [
        ("harb", "(harb OR harb*)"),
        ("old harb", "old (harb OR harb*)"),
        ("(taiwan OR harb", "(taiwan OR (harb OR harb*)"),
        ("NOT harb", "NOT harb"),
        ("Straße", "(Straße OR Straße*)"),
        ("harb ", "harb "),
        ("-harb", "-harb"),
        ("title:harb", "title:harb"),
        ('"old harb', '"old harb'),
        ('"old harb"', '"old harb"'),
        ("off-ramp", "off-ramp"),
        ("harb*", "harb*"),
        ("taiwan OR", "taiwan OR"),
        ("AND", "AND"),
        ("", ""),
    ],
)
def test_as_you_type_makes_only_a_plain_last_word_a_prefix(typed: str, searched: str) -> None:
    assert as_you_type(typed) == searched


def test_as_you_type_reads_as_the_typed_word_or_its_prefix() -> None:
    tree = parse_query(as_you_type("old harb")).tree
    assert tree == And((Term(("old",)), Or((Term(("harb",)), Term(("harb",), prefix=True)))))
    assert parse_query(as_you_type("old harb")).terms == ("old", "harb", "harb*")
