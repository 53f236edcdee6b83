"""Saved pages, newsletters and blog posts: the chrome classifier, head lines, dates in several languages."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsreader.ingest.chrome import Kind, classify
from newsreader.ingest.dates import find_date, parse_date
from newsreader.ingest.dump import parse_dump
from newsreader.ingest.heads import byline_author, posted_line
from newsreader.ingest.page import is_page
from newsreader.library import Library
from newsreader.render import block_kind
from tests.conftest import FEEDS, SEED

FIXTURES = Path(__file__).parent / "fixtures" / "dumps"

PARAGRAPH = (
    "The council met on Monday to discuss the budget, which has grown by a third in two years, and "
    "members agreed that the library should stay open on Sundays from the start of the new year."
)


@pytest.mark.parametrize(
    ("line", "author"),
    [
        ("By Maria Fernandes, Environment correspondent", "Maria Fernandes"),
        ("By Sofia Lind and Jonas Berg", "Sofia Lind and Jonas Berg"),
        ("Por Lucía Martín y Javier Ortega", "Lucía Martín y Javier Ortega"),
        ("Von Anna Schmidt", "Anna Schmidt"),
        ("Di recente la città ha cambiato volto.", None),
    ],
)
def test_bylines_with_roles_and_languages(line: str, author: str | None) -> None:
    assert byline_author(line) == author


@pytest.mark.parametrize(
    ("line", "author", "iso"),
    [
        ("Posted on 3 October 2026 by Ana Costa", "Ana Costa", "2026-10-03"),
        ("Posted by Michael Smith on November 19, 2019, 6:21 AM EST", "Michael Smith", "2019-11-19"),
        ("Posted on Oktober 27, 2015 by Admin", "Admin", "2015-10-27"),
    ],
)
def test_posted_on_date_by_name(line: str, author: str, iso: str) -> None:
    found = posted_line(line)
    assert found is not None
    name, date = found
    assert name == author and date is not None and date.date().isoformat() == iso


def test_a_sentence_is_not_a_posted_line() -> None:
    assert posted_line("He posted the letter on 3 October 2026 and nobody answered it by the spring.") is None


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("Veröffentlicht am 3. Oktober 2026", "2026-10-03"),
        ("Publicado el 12 de noviembre de 2026", "2026-11-12"),
        ("Updated: 2 November 2026", "2026-11-02"),
        ("12 mars 2026", "2026-03-12"),
        ("13/06/2014", "2014-06-13"),
        ("06/13/2014", "2014-06-13"),
    ],
)
def test_date_lines_in_several_languages(line: str, iso: str) -> None:
    value = parse_date(line)
    assert value is not None and value.date().isoformat() == iso


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("19 November 2019 • 1:16pm", "2019-11-19"),
        ("segunda-feira, 22 de janeiro de 2018 às 0:13", "2018-01-22"),
        ("Updated : 19 November 2019, 09:01 AM", "2019-11-19"),
        ("13/06/2014 Tony Carter All, Books", "2014-06-13"),
    ],
)
def test_a_date_inside_a_head_line(line: str, iso: str) -> None:
    value = find_date(line)
    assert value is not None and value.date().isoformat() == iso


def test_no_date_in_a_sentence_without_one() -> None:
    assert find_date("He was born in May 2019 and moved to Oslo in 33 days.") is None
    assert parse_date("Published in 2019 by the press.") is None


def test_classifier_tells_menus_from_prose() -> None:
    text = "\n\n".join(
        [
            "Home | World | Business | Sport | Culture",
            "Sign in",
            PARAGRAPH,
            "A short line between paragraphs",
            PARAGRAPH.replace("Monday", "Tuesday"),
            "© 2026 The Coastal Herald. All rights reserved.",
            "Terms of use | Privacy policy | Cookie settings",
        ]
    )
    kinds = {line.text: line.kind for line in classify(text)}
    assert kinds["Home | World | Business | Sport | Culture"] is Kind.BAD
    assert kinds["Sign in"] is Kind.BAD
    assert kinds[PARAGRAPH] is Kind.GOOD
    assert kinds["A short line between paragraphs"] is Kind.GOOD
    assert kinds["© 2026 The Coastal Herald. All rights reserved."] is Kind.BAD
    assert kinds["Terms of use | Privacy policy | Cookie settings"] is Kind.BAD


def test_tidy_dumps_are_not_pages() -> None:
    for path in (SEED, FEEDS / "harbour-notes.txt"):
        assert not is_page(classify(path.read_text(encoding="utf-8"))), path.name


def test_a_page_without_prose_loses_nothing() -> None:
    lines = [f"Headline number {i} about the harbour" for i in range(12)]
    text = "\n".join(["Home | News | Sport | Weather", *lines, "© 2026 Example | Privacy | Terms"])
    drafts = parse_dump(text)
    assert drafts, "a dump never reads as nothing"
    assert "Headline number 5 about the harbour" in " ".join(d.title + " " + d.body for d in drafts)


def test_lists_stay_one_item_a_line_in_a_plain_dump() -> None:
    text = (
        "Packing for the Night Train\n\nWhat I took with me:\n\n"
        "- a sleeping bag liner\n* earplugs\n• a paper timetable\n1. snacks\n\n"
        "It was the best trip I have made in years, and I would do it again.\n"
    )
    (draft,) = parse_dump(text)
    assert "- a sleeping bag liner\n- earplugs\n- a paper timetable\n1. snacks" in draft.body
    assert not draft.truncated
    kinds = [block_kind(block) for block in draft.body.split("\n\n")]
    assert kinds == ["body", "list", "body"]  # the article view draws the items as a list


def test_setext_title_in_a_plain_dump() -> None:
    text = (
        "Night Trains Are Back\n=====================\n\nPosted on 3 October 2026 by Ana Costa\n\nThe body.\n"
    )
    (draft,) = parse_dump(text)
    assert (draft.title, draft.author) == ("Night Trains Are Back", "Ana Costa")
    assert draft.published is not None and draft.published.date().isoformat() == "2026-10-03"
    assert draft.body == "The body."


def test_newsletter_masthead_and_footer_are_not_articles() -> None:
    drafts = parse_dump((FIXTURES / "newsletter.txt").read_text(encoding="utf-8"))
    assert len(drafts) == 3
    assert not any("Unsubscribe" in d.body or "In this issue" in d.body for d in drafts)


def test_reimporting_a_saved_page_adds_nothing(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib")
    paths = sorted(FIXTURES.glob("*.txt"))
    first = library.import_paths(paths)
    assert first.new == 9, first
    again = library.import_paths(paths)
    assert again.new == 0, again
    assert len(library.articles()) == 9


def test_page_headline_passes_over_share_bars_credits_and_a_lone_by() -> None:
    text = "\n\n".join(
        [
            "The Harbour Herald",
            "News | Sport | Weather | Opinion",
            "Sign in",
            "Local",
            "The Harbour Wall Is Finally Being Repaired After Years of Delay",
            "Share Facebook Twitter Email",
            "Photo: Jane Roe/Harbour Herald",
            "By",
            "Jane Roe",
            "12 May 2026 at 09:30",
            PARAGRAPH,
            PARAGRAPH.replace("Monday", "Friday"),
            "Most read",
            "Ferry fares rise again",
            "A new bakery on the quay",
            "© 2026 The Harbour Herald | Privacy | Terms",
        ]
    )
    (draft,) = parse_dump(text)
    assert draft.title == "The Harbour Wall Is Finally Being Repaired After Years of Delay"
    assert draft.author == "Jane Roe"
    assert draft.published is not None and draft.published.date().isoformat() == "2026-05-12"
    assert draft.body == PARAGRAPH + "\n\n" + PARAGRAPH.replace("Monday", "Friday")


def test_a_page_with_dated_story_cards_is_still_one_article() -> None:
    cards = [
        f"Story number {n} about the harbour and the town\n{n} November 2026\nA short teaser for story {n}"
        for n in range(1, 9)
    ]
    text = "\n\n\n".join(
        [
            "Home | News | Sport | Weather | Culture\n\nSign in | Subscribe",
            "The Harbour Wall Is Finally Being Repaired After Years",
            PARAGRAPH,
            PARAGRAPH.replace("Monday", "Tuesday"),
            "More stories",
            *cards,
            "© 2026 The Harbour Herald | Privacy | Terms | Cookies",
        ]
    )
    drafts = parse_dump(text)
    assert len(drafts) == 1
    assert drafts[0].title == "The Harbour Wall Is Finally Being Repaired After Years"
    assert "Story number" not in drafts[0].body


@pytest.mark.parametrize(
    ("byline", "author"),
    [
        ("By Justine Coleman - 11/18/19 11:04 PM EST", "Justine Coleman"),
        ("By Mike Wall 2019-11-18T20:51:19Z Science & Astronomy", "Mike Wall"),
        ("By Andy Sahadeo | Fox News", "Andy Sahadeo"),
        ("By Umair Irfan Updated Nov 13, 2019, 10:28am EST", "Umair Irfan"),
    ],
)
def test_run_on_bylines_of_saved_pages(byline: str, author: str) -> None:
    text = "\n\n".join(
        [
            "News | Sport | Weather | Opinion | Culture",
            "Sign in",
            "Subscribe",
            "Menu",
            "The Harbour Wall Is Finally Being Repaired After Years of Delay",
            byline,
            PARAGRAPH,
            PARAGRAPH.replace("Monday", "Friday"),
            "© 2026 The Harbour Herald | Privacy | Terms",
        ]
    )
    (draft,) = parse_dump(text)
    assert draft.author == author
