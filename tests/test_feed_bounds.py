"""Bounded work per feed (issue 9 item 9): nesting depth and a time budget, in XML and in HTML."""

from __future__ import annotations

import xml.sax
import xml.sax.handler

import feedparser
import pytest

from newsreader.errors import ParseError
from newsreader.ingest import _expat
from newsreader.ingest.feed import parse_feed


def nested_rss(depth: int, broken: bool = False) -> bytes:
    second = "o &amp; k" if not broken else "o & k"  # a bare & makes the document not well-formed
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        f"<item><guid>g</guid><title>deep</title><description>{'<a>' * depth}x{'</a>' * depth}"
        "</description></item>"
        f"<item><guid>h</guid><title>{second}</title><description>fine</description></item></channel></rss>"
    ).encode()


class _DepthRecorder(xml.sax.handler.ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.depth = self.deepest = self.elements = 0
        self.text: list[str] = []

    def startElementNS(self, name: object, qname: object, attrs: object) -> None:
        self.depth += 1
        self.elements += 1
        self.deepest = max(self.deepest, self.depth)

    def endElementNS(self, name: object, qname: object) -> None:
        self.depth -= 1

    def characters(self, content: str) -> None:
        self.text.append(content)


def test_the_xml_driver_passes_on_no_element_deeper_than_its_limit() -> None:
    parser = _expat.create_parser()
    parser.setFeature(xml.sax.handler.feature_namespaces, 1)
    recorder = _DepthRecorder()
    parser.setContentHandler(recorder)
    depth = 3 * _expat.MAX_DEPTH
    parser.feed(b"<r>" + b"<a>t" * depth + b"</a>" * depth + b"<after>end</after></r>")
    parser.close()
    assert recorder.deepest == _expat.MAX_DEPTH
    assert recorder.depth == 0  # every end that was passed on matched a start
    assert "".join(recorder.text) == "t" * depth + "end"


def test_the_loose_parser_is_bounded_too() -> None:
    import newsreader.ingest.feed  # noqa: F401  (installs the bounded parsers)

    result = feedparser.parse(nested_rss(3 * _expat.MAX_DEPTH, broken=True), sanitize_html=False)
    assert result.bozo
    first, second = result.entries
    assert first.summary.count("<a>") <= _expat.MAX_DEPTH
    assert second.title == "o & k"


@pytest.mark.parametrize("broken", [False, True])
def test_deep_nesting_keeps_every_entry(broken: bool) -> None:
    feed = parse_feed(nested_rss(20_000, broken), source_id="x", url="https://e.org/f")
    assert [(d.title, d.body) for d in feed.drafts] == [("deep", "x"), ("o & k", "fine")]


@pytest.mark.parametrize("broken", [False, True])
def test_a_document_past_its_budget_fails_with_one_line(broken: bool) -> None:
    data = nested_rss(10_000, broken)
    with pytest.raises(
        ParseError, match=r"^not a feed: parsing stopped after 0 s \(the document is too complex\)$"
    ):
        parse_feed(data, source_id="x", url="https://e.org/f", budget=0)


def test_the_budget_covers_the_html_conversion() -> None:
    html = "&lt;p&gt;x" * 10_000  # one XML element, ten thousand HTML tokens
    data = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        f"<item><guid>g</guid><title>t</title><description>{html}</description></item></channel></rss>"
    ).encode()
    with pytest.raises(ParseError, match="parsing stopped"):
        parse_feed(data, source_id="x", budget=0)
    assert parse_feed(data, source_id="x").drafts[0].body.count("x") == 10_000


def test_a_saved_feed_file_is_parsed_once_with_the_ids_of_its_own_feed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """parse_feed_file does in one parse what the import did in two (a probe for the self link, then
    the parse proper): the result equals parsing with the self URL known up front."""
    from newsreader.ingest.feed import parse_feed_file, source_id_for

    own = "https://blog.example/feed.atom"
    data = (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Blog</title>'
        f'<link rel="self" href="{own}"/><link href="https://blog.example/"/>'
        '<entry><id>tag:1</id><title>One</title><link href="posts/1"/>'
        '<content type="html">&lt;a href="img/2"&gt;two&lt;/a&gt;</content></entry></feed>'
    ).encode()
    calls: list[int] = []
    real = feedparser.parse

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(feedparser, "parse", counting)
    saved = parse_feed_file(data, name="blog.atom", source_id="local")
    monkeypatch.undo()
    assert len(calls) == 1
    expected = parse_feed(data, source_id=source_id_for(own), url=own)
    assert saved.source_id == source_id_for(own)
    assert saved.drafts == expected.drafts
    assert saved.drafts[0].url == "https://blog.example/posts/1"
    plain = data.replace(f'<link rel="self" href="{own}"/>'.encode(), b"")
    assert parse_feed_file(plain, name="blog.atom", source_id="local").source_id == "local"
    with pytest.raises(ParseError, match=r"^blog\.atom: not a feed"):
        parse_feed_file(b"<html><body>no</body></html>", name="blog.atom", source_id="local")
