"""Feeds that do not declare their encoding, or declare a wrong one (issue 9 items 10 and 11)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from newsreader.errors import ParseError
from newsreader.ingest.feed import parse_feed

FEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "feeds"
CHARDET = FEEDS / "feedparser" / "illformed" / "chardet"
# feedparser's files (named by encoding) and the codec each is really in.
TRUTH = {
    "eucjp": "euc-jp", "euckr": "euc-kr", "gb2312": "gb2312", "koi8r": "koi8-r",
    "shiftjis": "shift_jis", "tis620": "tis-620", "windows1255": "cp1255", "big5": "big5",
}  # fmt: skip


def texts(feed: object) -> list[str]:
    drafts = feed.drafts  # type: ignore[attr-defined]
    return [feed.title] + [f"{d.title}\n{d.body}" for d in drafts]  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_undeclared_encodings_are_detected(name: str) -> None:
    path = CHARDET / f"{name}.xml"
    if not path.exists():
        pytest.skip(f"feedparser corpus missing: {path}")
    data = path.read_bytes()
    declared = f'<?xml version="1.0" encoding="{TRUTH[name]}"?>\n'.encode() + data
    expected = parse_feed(declared, source_id="x")
    assert any(re.search(r"[^\x00-\x7f]", t) for t in texts(expected))
    got = parse_feed(data, source_id="x")
    assert texts(got) == texts(expected)


def test_an_unsure_guess_is_a_warning_and_a_sure_one_is_not() -> None:
    koi8 = "Новый год наступит обязательно, и это не просто очередной праздник. Отмечать широко.".encode(
        "koi8-r"
    )
    long_doc = b"<rss><channel><title>T</title><item><title>" + koi8 * 8 + b"</title></item></channel></rss>"
    feed = parse_feed(long_doc, source_id="x")
    assert feed.drafts[0].title.startswith("Новый год")
    assert feed.warning is None
    path = FEEDS / "newsboat" / "inline" / "latin1_nodecl.xml"
    if not path.exists():
        pytest.skip(f"newsboat corpus missing: {path}")
    feed = parse_feed(path.read_bytes(), source_id="x")
    assert feed.title == "Prøve"  # too little text to tell Latin code pages apart: Windows-1252
    assert feed.warning == "no character encoding declared; read as Windows-1252 (a guess)"


def test_utf8_and_declared_documents_are_not_second_guessed() -> None:
    for relative in ("newsboat/inline/utf8_nodecl.xml", "newsboat/inline/latin1_decl.xml"):
        path = FEEDS / relative
        if not path.exists():
            pytest.skip(f"newsboat corpus missing: {path}")
        feed = parse_feed(path.read_bytes(), source_id="x")
        assert feed.title == "Prøve"
        assert feed.warning is None


def test_utf16_declared_over_plain_ascii_is_read_as_what_it_is() -> None:
    data = (
        '<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><title>Plain</title>'
        "<item><guid>1</guid><title>Only ASCII here</title></item></channel></rss>"
    ).encode("ascii")
    feed = parse_feed(data, source_id="x")
    assert feed.title == "Plain"
    assert [d.title for d in feed.drafts] == ["Only ASCII here"]


def test_real_utf16_with_a_declaration_still_parses() -> None:
    path = FEEDS / "newsboat" / "inline" / "utf16_decl_japanese.xml"
    if not path.exists():
        pytest.skip(f"newsboat corpus missing: {path}")
    feed = parse_feed(path.read_bytes(), source_id="x")
    assert feed.title and not feed.title.isascii()
    with pytest.raises(ParseError):
        parse_feed("<html><body>not a feed</body></html>".encode("utf-16"), source_id="x")
