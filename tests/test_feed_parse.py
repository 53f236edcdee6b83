"""parse_feed: RSS/Atom bytes -> drafts, including every hostile document the issue lists."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsreader.errors import ParseError
from newsreader.ingest.feed import article_id, parse_feed, source_id_for

SRC = source_id_for("https://example.org/feed.xml")
URL = "https://example.org/feed.xml"


def rss(items: str, channel: str = "<title>Example</title><link>https://example.org/</link>") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{channel}{items}</channel></rss>'
    ).encode()


def test_rss_entry_fields() -> None:
    data = rss(
        "<item><title>First &amp; best</title><link>/posts/1</link><guid>urn:1</guid>"
        "<author>ann@example.org (Ann)</author><pubDate>Mon, 05 Jan 2026 10:00:00 +0200</pubDate>"
        "<description>&lt;p&gt;Lead sentence. &lt;a href='/more'&gt;More&lt;/a&gt;&lt;/p&gt;"
        "&lt;p&gt;Second.&lt;/p&gt;</description></item>"
    )
    feed = parse_feed(data, source_id=SRC, url=URL)
    assert feed.title == "Example"
    assert feed.site_url == "https://example.org/"
    assert feed.warning is None
    (draft,) = feed.drafts
    assert draft.id == article_id(SRC, "urn:1")
    assert draft.title == "First & best"
    assert draft.url == "https://example.org/posts/1"
    assert draft.published == datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    assert draft.body == "Lead sentence. More [1]\n\nSecond."
    assert draft.links == ("https://example.org/more",)
    assert draft.excerpt == "Lead sentence. More Second."
    assert draft.author == "Ann"


def test_atom_xml_base_and_updated_dates() -> None:
    data = b"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://blog.example/root/">
  <title>Atom Blog</title><link href="/"/>
  <entry><id>tag:blog,2026:1</id><title type="html">&lt;em&gt;Hi&lt;/em&gt; there</title>
    <link href="post-1"/><updated>2026-02-03T04:05:06-05:00</updated>
    <content type="html" xml:base="https://cdn.example/a/"
      >&lt;a href="pic"&gt;pic&lt;/a&gt;</content>
  </entry>
</feed>"""
    feed = parse_feed(data, source_id=SRC, url="https://blog.example/atom.xml")
    (draft,) = feed.drafts
    assert draft.title == "Hi there"
    assert draft.url == "https://blog.example/root/post-1"
    assert draft.links == ("https://cdn.example/a/pic",)
    assert draft.published == datetime(2026, 2, 3, 9, 5, 6, tzinfo=UTC)
    assert draft.updated == draft.published


def test_ids_fall_back_to_link_then_content_hash_and_duplicates_keep_the_first() -> None:
    data = rss(
        "<item><title>A</title><guid>urn:same</guid></item>"
        "<item><title>A again</title><guid>urn:same</guid></item>"
        "<item><title>B</title><link>https://example.org/b</link></item>"
        "<item><title>C</title><description>no id, no link, no date</description></item>"
        "<item><title>C</title><description>no id, no link, no date</description></item>"
    )
    feed = parse_feed(data, source_id=SRC, url=URL)
    assert [d.title for d in feed.drafts] == ["A", "B", "C"]
    assert feed.drafts[0].id == article_id(SRC, "urn:same")
    assert feed.drafts[1].id == article_id(SRC, "https://example.org/b")
    assert feed.drafts[2].published is None  # the store's first-seen time stands in
    again = parse_feed(data, source_id=SRC, url=URL)
    assert [d.id for d in again.drafts] == [d.id for d in feed.drafts]
    other = parse_feed(data, source_id=source_id_for("https://elsewhere/"), url=URL)
    assert not {d.id for d in other.drafts} & {d.id for d in feed.drafts}


def test_untitled_entry_gets_a_title_from_its_text() -> None:
    feed = parse_feed(
        rss("<item><description>Just a note about tides.</description></item>"),
        source_id=SRC,
        url=URL,
    )
    assert feed.drafts[0].title == "Just a note about tides."


def test_hostile_titles_are_stored_as_plain_safe_text() -> None:
    data = rss(
        "<item><guid>1</guid><title>[bold red]Boom[/] [link=file:///etc/passwd]x[/link]</title>"
        "<author>&#x9b;31mEve</author>"
        "<description>&lt;p&gt;\u001b]52;c;ZXZpbA==\u0007body [/]&lt;/p&gt;</description></item>",
        channel="<title>Feed \u202eevil\u202c [i]name[/i]</title>",
    )
    feed = parse_feed(data, source_id=SRC, url=URL)
    draft = feed.drafts[0]
    assert draft.title == "[bold red]Boom[/] [link=file:///etc/passwd]x[/link]"
    assert feed.title == "Feed evil [i]name[/i]"
    assert draft.author.endswith("31mEve") and "\x9b" not in draft.author
    for value in (draft.title, draft.body, draft.excerpt, draft.author, feed.title):
        assert not any((ord(ch) < 32 and ch not in "\n\t") or 0x7F <= ord(ch) <= 0x9F for ch in value)


def test_malformed_feed_keeps_entries_and_records_a_warning() -> None:
    data = rss("<item><guid>1</guid><title>Tom & Jerry</title></item><item><guid>2</guid></item>")
    feed = parse_feed(data, source_id=SRC, url=URL)
    assert feed.drafts[0].title == "Tom & Jerry"
    assert feed.warning and feed.warning.startswith("malformed feed, entries kept")


def test_an_html_page_is_not_a_feed() -> None:
    page = b"<!DOCTYPE html><html><head><title>Shop</title></head><body><p>Hi</p></body></html>"
    with pytest.raises(ParseError, match=r"^not a feed"):
        parse_feed(page, source_id=SRC, url=URL, content_type="text/html")
    with pytest.raises(ParseError, match=r"^not a feed"):
        parse_feed(b"\x00\x01garbage", source_id=SRC, url=URL)


def test_bytes_naming_a_local_file_are_not_read_as_that_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.xml"
    secret.write_bytes(rss("<item><guid>s</guid><title>SECRET</title></item>"))
    with pytest.raises(ParseError):
        parse_feed(str(secret).encode(), source_id=SRC, url=URL)


def test_billion_laughs_is_not_expanded() -> None:
    lol = "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    data = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol0 "lol">{lol}]>'
        '<rss version="2.0"><channel><title>Laughs</title>'
        "<item><guid>1</guid><title>&lol9;</title><description>&lol9;</description></item>"
        "</channel></rss>"
    ).encode()
    feed = parse_feed(data, source_id=SRC, url=URL)
    for draft in feed.drafts:
        assert "lol" * 10 not in draft.title + draft.body
        assert len(draft.title) + len(draft.body) < 1000


def test_external_entities_are_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">'
        f'<!ENTITY % p SYSTEM "file://{secret}"> %p;]>'
        '<rss version="2.0"><channel><title>X &xxe;</title>'
        "<item><guid>1</guid><title>t &xxe;</title><description>d &xxe;</description></item>"
        "</channel></rss>"
    ).encode()
    try:
        feed = parse_feed(data, source_id=SRC, url=URL)
    except ParseError:
        return  # refusing the document is as safe as ignoring the entity
    texts = [feed.title] + [d.title + d.body + d.excerpt for d in feed.drafts]
    assert not any("TOP-SECRET" in t for t in texts)


def test_wrong_content_type_still_parses() -> None:
    feed = parse_feed(
        rss("<item><guid>1</guid><title>T</title></item>"),
        source_id=SRC,
        url=URL,
        content_type="text/plain; charset=utf-8",
    )
    assert [d.title for d in feed.drafts] == ["T"]
    assert feed.warning is None


def test_empty_channel_is_a_feed_with_no_entries() -> None:
    feed = parse_feed(rss(""), source_id=SRC, url=URL)
    assert feed.title == "Example" and feed.drafts == ()


def test_non_http_entry_links_are_dropped() -> None:
    feed = parse_feed(
        rss("<item><guid>1</guid><title>T</title><link>javascript:alert(1)</link></item>"),
        source_id=SRC,
        url=URL,
    )
    assert feed.drafts[0].url is None


def test_feedparser_uses_the_buffering_expat_driver() -> None:
    import xml.sax

    import feedparser.api

    from newsreader.ingest._expat import BufferedExpatParser

    parser = xml.sax.make_parser(feedparser.api.PREFERRED_XML_PARSERS)
    assert isinstance(parser, BufferedExpatParser)
    entity_heavy = rss(
        "<item><guid>1</guid><title>a &amp; b &lt; c</title>"
        "<description>&lt;p&gt;x &amp;amp; y&lt;/p&gt;&lt;p&gt;z&lt;/p&gt;</description></item>"
    )
    (draft,) = parse_feed(entity_heavy, source_id=SRC, url=URL).drafts
    assert (draft.title, draft.body) == ("a & b < c", "x & y\n\nz")


def test_relative_xml_base_resolves_against_the_document_url() -> None:
    data = b"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="/blog/">
  <title>Relative</title>
  <entry><id>tag:r,2026:1</id><title>R</title><link href="post-1"/>
    <content type="html" xml:base="media/"
      >&lt;img src="a.png" alt="A"&gt; &lt;a href="x"&gt;x&lt;/a&gt;</content>
  </entry>
  <entry><id>tag:r,2026:2</id><title>S</title><link href="/elsewhere/post-2"/>
    <summary type="html">&lt;a href="../up"&gt;up&lt;/a&gt;</summary></entry>
</feed>"""
    first, second = parse_feed(data, source_id=SRC, url="https://ex.org/feeds/a.xml").drafts
    assert first.url == "https://ex.org/blog/post-1"
    assert first.links == ("https://ex.org/blog/media/x",)
    assert second.url == "https://ex.org/elsewhere/post-2"
    assert second.links == ("https://ex.org/up",)


def test_relative_links_without_xml_base_resolve_against_the_document_url() -> None:
    data = rss(
        "<item><guid>urn:1</guid><title>T</title><link>../posts/1</link>"
        "<description>&lt;a href='img/a'&gt;a&lt;/a&gt;</description></item>",
        channel="<title>No base</title><link>/home</link>",
    )
    feed = parse_feed(data, source_id=SRC, url="https://ex.org/feeds/rss.xml")
    assert feed.site_url == "https://ex.org/home"
    (draft,) = feed.drafts
    assert draft.url == "https://ex.org/posts/1"
    assert draft.links == ("https://ex.org/posts/img/a",)


def test_rss_author_email_with_name_shows_the_name() -> None:
    from newsreader.ingest.feed import author_name

    assert author_name("qa@example.com (QA Person)") == "QA Person"
    assert author_name("Jane Doe") == "Jane Doe"
    assert author_name("jane@example.com") == "jane@example.com"
