"""HTML that ended articles early or leaked markup (issue 9 item 2), on feedparser's corpus and inline."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsreader.ingest.feed import parse_feed, source_id_for
from newsreader.ingest.text import html_to_text

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "feeds" / "feedparser"
SANITIZE = CORPUS / "wellformed" / "sanitize"
# The fields newsreader stores (feed copyright/info/subtitle/tagline are not kept).
STORED = (
    "entry_content", "entry_summary", "entry_title", "feed_title", "item_body",
    "item_content_encoded", "item_description", "item_fullitem", "item_xhtml_body",
)  # fmt: skip


def corpus_file(relative: str) -> Path:
    path = CORPUS / relative
    if not path.exists():
        pytest.skip(f"feedparser corpus missing: {path}")
    return path


@pytest.mark.parametrize("name", [f"{f}_{kind}.xml" for f in STORED for kind in ("embed", "object")])
def test_feedparser_embed_and_object_keep_the_text_after_them(name: str) -> None:
    feed = parse_feed(corpus_file(f"wellformed/sanitize/{name}").read_bytes(), source_id="x")
    if name.startswith("feed_"):
        assert feed.title == "safe description"
    else:
        (draft,) = feed.drafts
        field = draft.title if "title" in name else draft.body
        assert field == "safe description"


@pytest.mark.parametrize(
    "html",
    [
        'safe<embed src="http://example.com/"> description',
        'safe<object data="x.swf"><param name="a" value="b"> description',
        'safe<object data="x.swf"><embed src="x.swf"></object> description',
        'safe<object data="x.swf"><embed src="x.swf"><embed src="y.swf"></object> description',
        "safe<embed src='a'></embed> description",
    ],
)
def test_unclosed_embed_and_object_do_not_swallow_the_rest(html: str) -> None:
    assert html_to_text(html)[0] == "safe description"


def test_tag_inside_an_attribute_value_is_not_text() -> None:
    path = corpus_file("wellformed/atom10/tag_in_attr.xml")
    feed = parse_feed(path.read_bytes(), source_id="x")
    assert feed.title == "[image: cat<br />dog]"
    text, _ = html_to_text('<p>a <img alt="x<y" src="i.png"> b <a title="<b>bold</b>" href="/l">c</a></p>')
    assert text == "a [image: x<y] b c"


def test_a_stray_quote_in_an_unquoted_value_is_part_of_the_value() -> None:
    path = corpus_file("wellformed/atom10/missing_quote_in_attr.xml")
    data = path.read_bytes()
    feed = parse_feed(data, source_id=source_id_for("https://example.com/f"), url="https://example.com/f")
    assert feed.title == "example"
    text, links = html_to_text('<p><a href=http://example.com/">example</a> after "quoted"</p>')
    assert text == 'example [1] after "quoted"'
    assert links == ['http://example.com/"']
    assert html_to_text('<p>one <b class="x"">two</b> three</p>')[0] == "one two three"
