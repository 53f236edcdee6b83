"""Hostile and damaged text (issue 9 item 1): a lone string-sequence introducer never eats what follows it."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsreader.ingest.feed import parse_feed, source_id_for
from newsreader.ingest.text import clean, strip_controls
from newsreader.library import Library

ARTICLES = 20
MOJIBAKE = "He said “yes.â€\u009d And then the harbour closed for the night."


def _dump(third: str) -> str:
    stories = []
    for n in range(1, ARTICLES + 1):
        body = third if n == 3 else f"Story {n} has one paragraph about the harbour that ends properly."
        stories.append(f"Harbour Story Number {n}\n\n{body}\n\nA second paragraph of story {n} ends here.\n")
    return "\n---\n\n".join(stories)


def _check_library(library: Library, path: Path) -> None:
    report = library.import_paths([path])
    assert report.new == ARTICLES
    assert report.failed == ()
    articles = {a.title: a for a in library.articles()}
    assert len(articles) == ARTICLES
    third = library.get(articles["Harbour Story Number 3"].id)
    assert "And then the harbour closed for the night." in third.body
    assert "A second paragraph of story 3 ends here." in third.body
    assert "\x9d" not in third.body
    last = library.get(articles[f"Harbour Story Number {ARTICLES}"].id)
    assert f"A second paragraph of story {ARTICLES} ends here." in last.body


def test_utf8_dump_with_mojibake_imports_every_article_whole(library: Library, tmp_path: Path) -> None:
    path = tmp_path / "mojibake.txt"
    path.write_text(_dump(MOJIBAKE), encoding="utf-8")
    _check_library(library, path)


def test_cp1252_dump_with_byte_0x9d_imports_every_article_whole(library: Library, tmp_path: Path) -> None:
    path = tmp_path / "cp1252.txt"
    before, after = _dump("He said “yes.\x00 And then the harbour closed for the night.").split("\x00")
    path.write_bytes(before.encode("cp1252") + b"\x9d" + after.encode("cp1252"))
    _check_library(library, path)


@pytest.mark.parametrize("introducer", ["\x90", "\x98", "\x9d", "\x9e", "\x9f", "\x1b]", "\x1bP", "\x1bX"])
def test_unterminated_string_sequence_ends_at_its_line(introducer: str) -> None:
    text = f"one {introducer}two\nthree\nfour"
    cleaned = strip_controls(text)
    assert "\x1b" not in cleaned and not any("\x80" <= ch <= "\x9f" for ch in cleaned)
    assert cleaned.endswith("\nthree\nfour")
    assert cleaned.startswith("one ")


@pytest.mark.parametrize("introducer", ["\x1b^", "\x1b_", "\x9d"])
def test_lone_introducer_is_dropped_alone(introducer: str) -> None:
    assert clean(f"keep {introducer}this text") == "keep this text"


def test_terminated_sequences_are_still_removed_whole() -> None:
    assert strip_controls("a\x1b]0;PWNED\x07b") == "ab"
    assert strip_controls("a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b") == "alinkb"
    assert strip_controls("a\x9d0;title\x9cb") == "ab"
    assert strip_controls("a\x1bP1$r\x1b\\b") == "ab"


def test_many_introducers_on_one_line_cost_linear_time() -> None:
    text = "x\x9d" * 200_000 + "end"
    assert strip_controls(text) == "x" * 200_000 + "end"


def test_feed_fields_keep_text_after_a_lone_introducer() -> None:
    data = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        "<item><guid>g1</guid><title>Quote â€&#x9d; and the rest of the title</title>"
        "<description>&lt;p&gt;Body â€&#x9d; keeps going.&lt;/p&gt;&lt;p&gt;Second paragraph.&lt;/p&gt;"
        "</description></item>"
        "<item><guid>g2</guid><title>Second item</title><description>Plain â€&#x9d; text, all of it."
        "</description></item></channel></rss>"
    ).encode()
    feed = parse_feed(data, source_id=source_id_for("https://example.org/f"), url="https://example.org/f")
    first, second = feed.drafts
    assert first.title == "Quote â€ and the rest of the title"
    assert first.body == "Body â€ keeps going.\n\nSecond paragraph."
    assert second.body == "Plain â€ text, all of it."
