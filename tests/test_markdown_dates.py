"""Markdown export of an article, and the one local-time rule for dates people read."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from newsreader import dates
from newsreader.markdown import article_markdown, escape
from newsreader.models import Article, Enclosure, SourceKind

WHEN = datetime(2026, 1, 5, 13, 0, tzinfo=UTC)


@pytest.fixture
def berlin(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def article(**changes: object) -> Article:
    values: dict[str, object] = {
        "id": "abcdef123456",
        "source_id": "src",
        "title": "Tides *and* <b>fog</b>",
        "feed": "Harbour Notes",
        "source": "https://example.org/feed.xml",
        "kind": SourceKind.FEED,
        "excerpt": "",
        "added": WHEN,
        "published": WHEN,
        "author": "Ann",
        "url": "https://example.org/tides",
        "body": (
            "## What changes\n\nThe tide [1] rises_fast.\n\n• one\n• two\n\n> quoted [9]\n\n# not a heading"
        ),
        "links": ("https://example.org/moon",),
        "enclosures": (Enclosure("https://cdn.example.org/ep40.mp3", "audio/mpeg", 24_986_239),),
    }
    values.update(changes)
    return Article(**values)  # type: ignore[arg-type]


def test_markdown_keeps_structure_and_escapes_text(berlin: None) -> None:
    assert article_markdown(article()) == (
        "# Tides \\*and\\* \\<b\\>fog\\</b\\>\n\n"
        "*By Ann · Harbour Notes · Monday 5 January 2026, 14:00 CET*\n\n"
        "<https://example.org/tides>\n\n"
        "## What changes\n\n"
        "The tide [1] rises\\_fast.\n\n"
        "- one\n- two\n\n"
        "> quoted \\[9\\]\n\n"
        "\\# not a heading\n\n"
        "## Enclosures\n\n- [ep40.mp3](<https://cdn.example.org/ep40.mp3>) (audio/mpeg, 25.0 MB)\n\n"
        "[1]: <https://example.org/moon>\n"
    )


def test_escape_line_starts() -> None:
    assert escape("1. not a list\n- nor this\n+ nor this") == "1\\. not a list\n\\- nor this\n\\+ nor this"


def test_dates_are_local(berlin: None) -> None:
    assert dates.long_date(WHEN) == "Monday 5 January 2026, 14:00 CET"
    assert dates.minute(WHEN) == "2026-01-05 14:00"
    late = datetime(2026, 1, 5, 23, 30, tzinfo=UTC)  # already the 6th in Berlin
    assert dates.day(late) == "2026-01-06"
    assert dates.relative_date(late, datetime(2026, 3, 1, tzinfo=UTC)) == "6 Jan"
    assert dates.relative_date(WHEN, WHEN.replace(hour=15)) == "2h"
