"""What a feed's entries come out as (issue 9 item 10), against feedparser's and newsboat's expectations."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path
from urllib.parse import urljoin

import pytest

from newsreader.ingest.feed import parse_feed, source_id_for

FEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "feeds"
URL = "https://example.org/feed.xml"
SRC = source_id_for(URL)


def corpus(relative: str) -> bytes:
    path = FEEDS / relative
    if not path.exists():
        pytest.skip(f"feed corpus missing: {path}")
    return path.read_bytes()


def atom(entries: str, head: str = "<title>A</title>", attrs: str = "") -> bytes:
    return f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"{attrs}>{head}{entries}</feed>'.encode()


# --- authors ----------------------------------------------------------------------------------


def test_newsboat_atom_authors_entry_then_source_then_feed() -> None:
    data = corpus("newsboat/test/data/atom10_feed_authors.xml")
    # Entries 4-9 share one <id> (newsboat keeps all; newsreader keeps the first of an id): give each
    # its own, so every author case is read.
    parts = data.split(b"<id>http://example.com/4.html</id>")
    data = (
        b"".join(part + f"<id>urn:entry-{n}</id>".encode() for n, part in enumerate(parts[:-1])) + parts[-1]
    )
    feed = parse_feed(data, source_id=SRC, url=URL)
    assert len(feed.drafts) == 9
    by_title = {d.title: d.author for d in feed.drafts}
    both_feed = "First Feed Author, Second Feed Author"
    assert by_title["Entry Without Author"] == both_feed
    assert by_title["Entry With Single Author"] == "Entry Author"
    assert by_title["Entry With Multiple Authors"] == "Entry Author 1, Entry Author 2"
    assert by_title["Entry With Empty Author Names"] == both_feed
    assert by_title["Entry With Single Source Author"] == "Entry Source Author"
    # newsboat reads all three names across two <source> elements (illegal: at most one); feedparser
    # keeps the last <source>, so its two authors are what there is to read.
    assert by_title["Entry With Multiple Source Authors"] == "Entry Source Author 2, Entry Source Author 3"
    assert by_title["Entry With Empty Source Author Names"] == both_feed
    assert by_title["Entry With Single Author And Source Author"] == "Entry Author"
    assert by_title["Entry With Multiple Author And Source Authors"] == "Entry Author 1, Entry Author 2"


def test_feedparser_several_authors_are_all_kept() -> None:
    (draft,) = parse_feed(corpus("feedparser/wellformed/atom10/entry_authors_name.xml"), source_id=SRC).drafts
    assert draft.author == "one, two"


@pytest.mark.parametrize(
    ("name", "email"), [("Example author", "<email>me@example.com</email>"), ("Example author", "")]
)
def test_atom_author_is_the_name_without_the_email(name: str, email: str) -> None:
    data = atom(f"<entry><id>1</id><title>t</title><author><name>{name}</name>{email}</author></entry>")
    assert parse_feed(data, source_id=SRC).drafts[0].author == "Example author"
    path = "feedparser/wellformed/atom10/entry_author_map_author.xml"
    assert parse_feed(corpus(path), source_id=SRC).drafts[0].author == "Example author"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("Example author (me@example.com)", "Example author"),
        ("Name <me@example.com>", "Name"),
        ("me@example.com (Name)", "Name"),
        ("Author (name)", "Author (name)"),
        ("Author name)", "Author name)"),
    ],
)
def test_rss_author_strings_lose_their_email(raw: str, shown: str) -> None:
    from newsreader.ingest.feed import author_name

    assert author_name(raw) == shown
    data = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><guid>1</guid>'
        f"<title>t</title><dc:creator xmlns:dc='http://purl.org/dc/elements/1.1/'>{raw.replace('<', '&lt;')}"
        "</dc:creator></item></channel></rss>"
    ).encode()
    assert parse_feed(data, source_id=SRC).drafts[0].author == shown


# --- titles derived from the lead -------------------------------------------------------------


def rss_item(inner: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://example.org/</link>'
        f"<item><guid>1</guid>{inner}</item></channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    ("html", "title"),
    [
        ('<p><a href="/mp">Mark Pilgrim</a> weighs in on feeds.</p>', "Mark Pilgrim weighs in on feeds."),
        ("<h2>Section head</h2><p>Body.</p>", "Section head"),
        ("<blockquote><h2>Quoted head</h2></blockquote>", "Quoted head"),
        ("<ul><li><h3>Listed <a href='/x'>head</a></h3></li></ul>", "Listed head"),
        ("<p>First line<br>second <a href='/y'>line</a></p>", "First line second line"),
    ],
)
def test_a_title_taken_from_the_lead_has_no_link_markers_or_heading_marks(html: str, title: str) -> None:
    data = rss_item(f"<description>{escape(html)}</description>")
    (draft,) = parse_feed(data, source_id=SRC, url=URL).drafts
    assert draft.title == title
    assert ("[1]" in draft.body) == ("href" in html)  # the body keeps its references


# --- relative links ---------------------------------------------------------------------------

BASE = FEEDS / "feedparser" / "wellformed" / "base"
_EXPECTED_BASE = re.compile(r"entries\[0\]\['(?:content'\]\[0\]|summary_detail)\['base'\] == '([^']+)'")
_BODY_HREF = re.compile(
    r"""entries\[0\]\['(?:content|summary|description)'.*href="(http://127\.0\.0\.1:8097/[^"]+)\""""
)


def _cases(pattern: str, expectation: re.Pattern[str]) -> list[tuple[str, str]]:
    """(file name, expected value) for the files whose header states ``expectation``."""
    if not BASE.exists():
        return [("(corpus missing)", "")]
    found = []
    for path in sorted(BASE.glob(pattern)):
        match = expectation.search(path.read_text("utf-8", "replace").split("-->", 1)[0])
        if match:
            found.append((path.name, match.group(1)))
    return found


@pytest.mark.parametrize(("name", "href"), _cases("http_*_docuri.xml", _BODY_HREF))
def test_feedparser_relative_links_resolve_against_the_document_url(name: str, href: str) -> None:
    """feedparser's test harness serves each file from http://127.0.0.1:8097/base/<name>."""
    data = corpus(f"feedparser/wellformed/base/{name}")
    (draft,) = parse_feed(data, source_id=SRC, url=f"http://127.0.0.1:8097/base/{name}").drafts
    assert href in draft.links


@pytest.mark.parametrize(("name", "base"), _cases("entry_*_xml_base*.xml", _EXPECTED_BASE))
def test_feedparser_xml_base_of_content_and_summary(name: str, base: str) -> None:
    data = corpus(f"feedparser/wellformed/base/{name}")
    (draft,) = parse_feed(data, source_id=SRC, url="http://elsewhere.example/feed").drafts
    hrefs = re.findall(r'href="([^"]+)"', data.decode().split("-->", 1)[1])
    assert draft.links
    assert draft.links[0] in {urljoin(base, h) for h in hrefs}


def test_atom_content_resolves_against_xml_base_or_the_document_not_the_entry_link() -> None:
    url = "https://example.org/feeds/atom.xml"
    entry = (
        '<entry><id>1</id><title>a</title><link href="https://other.example/posts/1"/>'
        '<content type="html"{base}>&lt;a href="img/a.png"&gt;a&lt;/a&gt;</content></entry>'
    )
    (plain,) = parse_feed(atom(entry.format(base="")), source_id=SRC, url=url).drafts
    assert plain.links == ("https://example.org/feeds/img/a.png",)
    based = entry.format(base=' xml:base="https://cdn.example/x/"')
    (draft,) = parse_feed(atom(based), source_id=SRC, url=url).drafts
    assert draft.links == ("https://cdn.example/x/img/a.png",)


def test_a_local_feed_file_resolves_against_its_own_url_or_leaves_relative_links_out() -> None:
    from newsreader.ingest.feed import parse_feed_file

    entry = (
        '<entry><id>1</id><title>a</title><link href="posts/1"/>'
        '<content type="html">&lt;a href="img/a.png"&gt;rel&lt;/a&gt; &lt;a href="https://abs.example/"&gt;abs'
        "&lt;/a&gt;</content></entry>"
    )
    plain = parse_feed_file(atom(entry), name="saved.atom", source_id="local")
    (draft,) = plain.drafts
    assert draft.url is None
    assert draft.links == ("https://abs.example/",)
    assert draft.body == "rel abs [1]"
    own = '<link rel="self" href="https://blog.example/feeds/atom.xml"/>'
    (copy,) = parse_feed_file(atom(entry, head=f"<title>A</title>{own}"), name="s", source_id="local").drafts
    assert copy.url == "https://blog.example/feeds/posts/1"
    assert copy.links == ("https://blog.example/feeds/img/a.png", "https://abs.example/")


# --- content over summary ---------------------------------------------------------------------


def test_content_wins_over_a_longer_summary() -> None:
    feed = parse_feed(corpus("newsboat/test/data/atom10_2.xml"), source_id=SRC, url=URL)
    by_title = {d.title: d.body for d in feed.drafts}
    assert by_title["regular title"] == "regular content"
    assert by_title["using regular content"] == "regular html content"
    data = rss_item(
        "<description>A long summary, longer than the content it summarises, as some feeds do.</description>"
        "<content:encoded xmlns:content='http://purl.org/rss/1.0/modules/content/'>Short content."
        "</content:encoded>"
    )
    assert parse_feed(data, source_id=SRC).drafts[0].body == "Short content."
    summary_only = rss_item("<description>Only a summary.</description>")
    assert parse_feed(summary_only, source_id=SRC).drafts[0].body == "Only a summary."


# --- documents that are no feed ---------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b'<rss version="0.92"><![CDATA[]]>',
        b'<?xml version="1.0"?><rss version="2.0"></rss>',
    ],
)
def test_rss_without_a_channel_is_an_error(data: bytes) -> None:
    from newsreader.errors import ParseError

    with pytest.raises(ParseError, match=r"^not a feed: no RSS channel found$"):
        parse_feed(data, source_id=SRC)


def test_items_without_a_channel_are_kept_with_a_warning() -> None:
    data = b'<?xml version="1.0"?><rss version="2.0"><item><title>orphan</title></item></rss>'
    feed = parse_feed(data, source_id=SRC)
    assert [d.title for d in feed.drafts] == ["orphan"]
    assert feed.warning == "no RSS channel found, items kept"


def test_newsboat_rss_without_channel_and_an_empty_channel() -> None:
    from newsreader.errors import ParseError

    with pytest.raises(ParseError, match="no RSS channel found"):
        parse_feed(corpus("newsboat/inline/rss092_no_channel.xml"), source_id=SRC)
    empty = parse_feed(b'<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>', source_id=SRC)
    assert empty.drafts == ()
    channel = "<channel>".encode("utf-16-le")
    wide = b"\xff\xfe" + '<?xml version="1.0" encoding="utf-16"?><rss version="2.0">'.encode("utf-16-le")
    assert parse_feed(wide + channel + "</channel></rss>".encode("utf-16-le"), source_id=SRC).drafts == ()
