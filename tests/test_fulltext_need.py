"""Which feed items are only a summary (flagged "excerpt only" until their full text is fetched)."""

from __future__ import annotations

import pytest

from newsreader.extract.need import is_summary_only, needs_full_text
from newsreader.ingest.feed import parse_feed

LONG = " ".join(f"word{n}" for n in range(300)) + "."


def entry(description: str, content: str | None = None) -> bool:
    encoded = f"<content:encoded><![CDATA[{content}]]></content:encoded>" if content else ""
    doc = (
        '<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        "<channel><title>T</title><item><guid>g</guid><title>An item</title>"
        f"<link>https://news.example/a</link><description>{description}</description>{encoded}"
        "</item></channel></rss>"
    )
    [draft] = parse_feed(doc.encode(), source_id="s", url="https://news.example/feed").drafts
    return draft.truncated


@pytest.mark.parametrize(
    ("description", "content", "summary_only"),
    [
        ("The council voted to keep the ferry.", None, True),  # short, no content element
        ("The council voted to keep the ferry.", f"<p>{LONG}</p>", False),  # the article is in content
        (f"{LONG} Read more", None, True),
        (f"{LONG} Continue reading", None, True),
        (f"{LONG} […]", None, True),
        (LONG, None, False),  # a long description without a teaser ending is the article
        (f"{LONG} {LONG} …", None, False),  # 600 words: an article that happens to end with an ellipsis
        ("", None, False),  # a link post: nothing to expand
    ],
)
def test_summary_only_items(description: str, content: str | None, summary_only: bool) -> None:
    assert entry(description, content) is summary_only


def test_is_summary_only_with_content_that_stops_short() -> None:
    assert is_summary_only("A short content element that stops … Read more »", has_content=True)
    assert not is_summary_only("A short content element that is the whole post.", has_content=True)


def test_needs_full_text() -> None:
    assert needs_full_text({"truncated": True})
    assert not needs_full_text({"truncated": True, "full_text": "https://news.example/a"})
    assert not needs_full_text({"truncated": True, "full_article": "abc123"})
    assert not needs_full_text({})


def test_teaser_search_of_the_tail_agrees_with_searching_the_whole_body() -> None:
    """Only a body's tail is searched for a teaser marker (it is cheaper); the answer is the same as
    for the whole body, also when punctuation after the marker runs longer than the tail."""
    from newsreader.extract.need import _TEASER_END, _tail

    markers = ["…", "...", "[…]", "(…)", "Read more", "READ THE FULL ARTICLE", "weiterlesen", "x", ""]
    after = ["", " »", "!", " " + "-" * 30, " " + "»" * 200, "." * 120, " ——— ..."]
    before = ["", "word " * 40, "ends with a dot." * 20, "»" * 150]
    for marker in markers:
        for end in after:
            for start in before:
                body = (start + " " + marker + end).rstrip()
                assert (_TEASER_END.search(_tail(body)) is None) is (_TEASER_END.search(body) is None), body
