"""The HTML tokenizer under html_to_text (issue 10 item 3): what the regex tokenizer leaked."""

from __future__ import annotations

import pytest

from newsreader.ingest.html_text import html_to_text


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ('<p>a <img alt="a<b" src="i.png"> b</p>', "a [image: a<b] b"),
        ("<p>Type <textarea><b>bold</b> &amp; more</textarea> here</p>", "Type <b>bold</b> & more here"),
        ("<div>Old <xmp><i>markup</i></xmp> shown</div>", "Old <i>markup</i> shown"),
        ("<p>Tail</p><plaintext><b>all</b> <p>of it", "Tail\n\n<b>all</b> <p>of it"),
        ("<p>x</p><iframe><p>fallback</p></iframe><p>y</p>", "x\n\ny"),
        ("<p>a</p><script>if (a<b) { document.write('</p><p>x') }</script><p>b</p>", "a\n\nb"),
    ],
)
def test_raw_text_elements_and_attribute_values_are_not_read_as_markup(html: str, text: str) -> None:
    assert html_to_text(html)[0] == text


def test_cdata_and_nul_keep_their_text() -> None:
    assert html_to_text("<p>one <![CDATA[two <b>]]> three</p>")[0] == "one two <b> three"
    assert html_to_text("<p>a\x00b</p>")[0] == "ab"


def test_nesting_deeper_than_libxml2_allows_loses_nothing() -> None:
    """libxml2 stops at 2048 open elements even with XML_PARSE_HUGE; such input still converts whole."""
    html = "<div>" * 3000 + "deep" + "</div>" * 3000 + "<p>after</p>"
    assert html_to_text(html)[0] == "deep\n\nafter"


def test_fuzzed_markup_never_raises_and_never_yields_control_characters() -> None:
    """Random soups of tag fragments, quotes, entities and escape bytes (seeded, so reproducible)."""
    import random
    import re

    pieces = [
        "<", ">", '"', "'", "=", "/", "<p>", "</p>", "<a href='/x'>", "</a>", "<li>", "<ul>", "</ul>",
        "<br>", "&amp;", "&", "&#x9b;", "&#0;", "<!--", "-->", "<script>", "</script>", "<textarea>",
        '<img alt="q<r">', "<![CDATA[", "]]>", "<h2>", "</h2>", "<blockquote>", "<pre>", "</pre>",
        "\x1b]0;t\x07", "\x9d", "\x00", "\r\n", " ", "word",
    ]  # fmt: skip
    rng = random.Random(10)
    for _ in range(400):
        html = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 80)))
        text, links = html_to_text(html, "https://e.example/")
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text), repr(html)
        assert all(link.startswith("https://e.example/") for link in links)
