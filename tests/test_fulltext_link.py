"""Teasers linked to the full article from another source (the matching itself)."""

from __future__ import annotations

from collections.abc import Mapping

from newsreader.extract.link import find_full_articles, normalise

FULL = (
    "This month, the National Health Insurance (NHI) is to implement a major policy change by "
    'eliminating the suspension-and-resumption mechanism for "Taiwanese" residing abroad.\n\n'
    "With more than 210,000 Taiwanese living overseas, this reform underscores fairness."
)
TEASER = (
    "This month, the National  Health Insurance (NHI) is to implement a major policy change by "
    "eliminating the suspension-and-resumption mechanism for “Taiwanese” residing abroad. With more…"
)


def lib(records: dict[str, tuple[str, bool]]) -> tuple[dict[str, dict[str, object]], dict[str, str]]:
    heads: dict[str, dict[str, object]] = {}
    bodies: dict[str, str] = {}
    for aid, (body, teaser) in records.items():
        heads[aid] = {"excerpt": body[:240], **({"truncated": True} if teaser else {})}
        bodies[aid] = body
    return heads, bodies


def reader(bodies: dict[str, str], asked: list[list[str]]):  # type: ignore[no-untyped-def]
    def read(ids: list[str]) -> Mapping[str, str]:
        asked.append(ids)
        return {i: bodies[i] for i in ids}

    return read


def test_normalise_spacing_quotes_case_and_the_ending() -> None:
    assert normalise("  “Hello”   World … Read more »") == '"hello" world'
    assert normalise("It’s\n\nhere [1] […]") == "it's here"


def test_teaser_links_to_the_article_that_begins_with_its_text() -> None:
    heads, bodies = lib({"t": (TEASER, True), "f": (FULL, False)})
    asked: list[list[str]] = []
    assert find_full_articles(heads, reader(bodies, asked)) == {"t": "f"}
    assert asked == [["f", "t"]]  # only the candidates' bodies are read


def test_no_link_when_the_text_only_starts_alike() -> None:
    other = FULL.replace("Taiwanese living overseas", "Taiwanese living abroad").replace(
        "residing abroad", "living in Japan"
    )
    heads, bodies = lib({"t": (TEASER, True), "f": (other, False)})
    assert find_full_articles(heads, reader(bodies, [])) == {}


def test_short_teasers_and_other_teasers_are_not_linked() -> None:
    heads, bodies = lib({"t": ("This month…", True), "f": (FULL, False), "t2": (TEASER, True)})
    assert find_full_articles(heads, reader(bodies, [])) == {"t2": "f"}


def test_new_ids_limit_the_scan() -> None:
    heads, bodies = lib({"t": (TEASER, True), "f": (FULL, False), "g": ("Unrelated text " * 10, False)})
    asked: list[list[str]] = []
    assert find_full_articles(heads, reader(bodies, asked), new=["g"]) == {}
    assert asked == []  # nothing new could match: no body read
    assert find_full_articles(heads, reader(bodies, asked), new=["f"]) == {"t": "f"}
    assert find_full_articles(heads, reader(bodies, asked), new=["t"]) == {"t": "f"}
