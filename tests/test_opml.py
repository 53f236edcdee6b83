"""OPML parse/unparse: folders become categories and come back as folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsreader.errors import ParseError
from newsreader.ingest.opml import Outline, parse, unparse

NESTED = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My feeds</title></head>
  <body>
    <outline text="Top level" type="rss" xmlUrl="https://top.example/feed.xml"/>
    <outline text="News">
      <outline text="World" type="rss" xmlUrl="https://world.example/rss" htmlUrl="https://world.example/"/>
      <outline title="Science">
        <outline text="Space &#x9b;31m&#x202e;red" type="rss" xmlUrl="https://space.example/atom"/>
      </outline>
    </outline>
    <outline text="Bad scheme" xmlUrl="file:///etc/passwd"/>
    <outline text="Repeat" xmlUrl="https://top.example/feed.xml"/>
  </body>
</opml>"""


def test_nested_folders_become_categories() -> None:
    doc = parse(NESTED, "subs.opml")
    assert doc.title == "My feeds"
    assert doc.outlines == (
        Outline("https://top.example/feed.xml", "Top level", None),
        Outline("https://world.example/rss", "World", "News", "https://world.example/"),
        Outline("https://space.example/atom", "Space red", "News/Science"),
    )
    assert doc.skipped == 2


def test_roundtrip() -> None:
    doc = parse(NESTED)
    again = parse(unparse(doc.outlines).encode())
    assert again.outlines == doc.outlines
    assert again.skipped == 0


def test_export_escapes_hostile_titles() -> None:
    outlines = [Outline("https://x.example/?a=1&b=2", 'Quotes " <and> & [bold]', "A/B")]
    text = unparse(outlines)
    assert parse(text.encode()).outlines == tuple(outlines)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not xml at all", "subs.opml: not valid OPML: syntax error: line 1, column 0"),
        (b"<rss version='2.0'/>", "subs.opml: not an OPML file (its root is <rss>)"),
        (b"<opml><head/></opml>", "subs.opml: not valid OPML: no <body>"),
    ],
)
def test_bad_documents_give_one_line_errors(data: bytes, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(data, "subs.opml")
    assert str(info.value) == message


def test_entities_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("TOP-SECRET")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<opml><body><outline text="&x;" xmlUrl="https://e.example/"/></body></opml>'
    ).encode()
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><opml><body/></opml>'
    )
    for data in (xxe, laughs):
        with pytest.raises(ParseError, match="entity declarations are not allowed"):
            parse(data, "subs.opml")


NEWSBOAT = (
    Path(__file__).resolve().parent.parent.parent
    / "shared"
    / "corpora"
    / "feeds"
    / "newsboat"
    / "test"
    / "data"
)


def test_a_folder_is_named_by_its_text_not_its_title() -> None:
    path = NEWSBOAT / "example.opml"
    if not path.exists():
        pytest.skip(f"newsboat corpus missing: {path}")
    by_url = {o.url: o for o in parse(path.read_bytes(), "example.opml").outlines}
    assert by_url["https://blogs.example.com/~john/posts.rss"].category == "Blogs"
    assert by_url["https://blogs.example.com/~mike/.rss"].category == "Blogs/friends"  # no text: its title
    assert by_url["https://fred.example.com/writing/index.php?type=rss"].category == "eloquent"
    assert by_url["https://example.com/feed.xml"].title == "example.com website"


def test_the_category_attribute_is_kept() -> None:
    path = NEWSBOAT / "category.opml"
    if not path.exists():
        pytest.skip(f"newsboat corpus missing: {path}")
    (outline,) = parse(path.read_bytes(), "category.opml").outlines
    assert outline.category == "tag one"
    data = b"""<opml version="2.0"><body>
      <outline text="w" xmlUrl="https://w.example/rss" category="/Boston/Weather,/Harvard/Sports"/>
      <outline text="Folder"><outline text="f" xmlUrl="https://f.example/rss" category="Elsewhere"/></outline>
    </body></opml>"""
    weather, foldered = parse(data).outlines
    assert weather.category == "Boston/Weather"
    assert foldered.category == "Folder"  # where the list put it wins over its own attribute
