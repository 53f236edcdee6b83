"""Article extraction from HTML pages written for these tests (tests/fixtures/pages)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsreader.extract import Page, extract

PAGES = Path(__file__).parent / "fixtures" / "pages"


def page(name: str, url: str = "https://courier.example/news/2026/11/night-ferry") -> Page:
    found = extract((PAGES / name).read_bytes(), url)
    assert found is not None
    return found


def test_article_metadata() -> None:
    article = page("article.html")
    assert article.title == "Harbour town votes to keep its night ferry"
    assert article.author == "Maren Holt"
    assert article.published == datetime(2026, 11, 18, 6, 30, tzinfo=UTC)
    assert article.site_name == "The Coastal Courier"
    assert article.url == "https://courier.example/news/2026/11/night-ferry"
    assert article.language == "en"


def test_article_body_keeps_structure_and_links_as_references() -> None:
    body = page("article.html").body
    paragraphs = body.split("\n\n")
    assert paragraphs[0].startswith("The town council of Lindholm voted late on Tuesday")
    assert "## A close vote" in paragraphs
    assert any(p.startswith('> "Half of the night shift') for p in paragraphs)
    assert "• the boat keeps its current timetable all year round;\n• tickets for residents" in body
    assert "regional transport report [1] had recommended" in body
    assert "repairs to the harbour wall [2] that storms" in body
    assert page("article.html").links == (
        "https://transport.example/report-2026.pdf",
        "https://courier.example/news/2026/10/harbour-wall",
    )
    assert paragraphs[-1].endswith("cut itself off from the mainland after dark.")


@pytest.mark.parametrize(
    "chrome",
    [
        "Harbour town votes",  # the headline is the title, not body
        "By Maren Holt",
        "November 18, 2026",
        "cookies",
        "Accept all",
        "Sport",
        "Share on Social",
        "Related stories",
        "Bridge to the mainland",
        "seagull77",
        "school roof though",
        "All rights reserved",
        "Privacy",
    ],
)
def test_article_body_leaves_page_chrome_out(chrome: str) -> None:
    assert chrome not in page("article.html").body


def test_page_in_another_language() -> None:
    article = page("german.html", "https://lokal.example/kultur/bibliothek")
    assert article.title == "Stadtbibliothek verlängert ihre Öffnungszeiten"
    assert article.author == "Jonas Weber"
    assert article.language == "de"
    assert article.body.startswith("Die Stadtbibliothek öffnet ab dem kommenden Monat auch am Sonntag.")
    assert article.body.count("\n\n") == 2
    for chrome in ("Cookies", "Startseite", "Mehr zum Thema", "Museum zeigt", "Von Jonas Weber"):
        assert chrome not in article.body


def test_paywall_teaser_gives_only_the_visible_text() -> None:
    article = page("paywall.html", "https://deep.example/seabed")
    assert article.body.startswith("Less than a third of the ocean floor has been mapped in detail.")
    assert "Subscribe" not in article.body
    assert "\n\n" not in article.body


def test_untrusted_text_is_cleaned_and_never_markup() -> None:
    paragraph = (
        "The council met again on Wednesday evening to discuss the [bold]ferry[/bold] timetable, "
        "and the \x1b[31mred\x1b[0m minutes of the meeting were published \x07 on Thursday morning."
    )
    html = (
        "<html><head><title>Minutes \x1b]0;pwned\x07 of the meeting</title></head><body><article>"
        + "".join(f"<p>{paragraph} ({n})</p>" for n in range(4))
        + "</article></body></html>"
    )
    article = extract(html, "https://courier.example/minutes")
    assert article is not None
    assert "[bold]ferry[/bold]" in article.body
    assert "\x1b" not in article.body + article.title and "\x07" not in article.body + article.title
    assert "and the red minutes of the meeting were published on Thursday" in article.body
    assert article.title == "Minutes of the meeting"


@pytest.mark.parametrize("html", ["", "   ", "<html><body></body></html>", "plain words, no markup"])
def test_nothing_to_extract_is_none(html: str) -> None:
    assert extract(html, "https://courier.example/") is None


def test_bytes_in_a_declared_charset() -> None:
    html = (PAGES / "german.html").read_text(encoding="utf-8")
    html = html.replace('charset="utf-8"', 'charset="iso-8859-1"')
    article = extract(html.encode("iso-8859-1"), "https://lokal.example/kultur/bibliothek")
    assert article is not None and "Öffnungszeiten" in article.title
