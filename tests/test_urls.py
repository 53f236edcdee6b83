"""The one URL rule (newsreader/urls.py), its stricter form for typed URLs, and the three places that word
them: subscribing, fetching (stored URLs and redirects) and sync server accounts."""

from __future__ import annotations

import os
import subprocess
import sys
from xml.sax.saxutils import quoteattr

import pytest

from newsreader._refresh import check_feed_url
from newsreader.errors import InvalidFeedURLError, UserInputError
from newsreader.extract.fetch import check_url as page_url_error
from newsreader.ingest import opml
from newsreader.ingest.fetch import url_error
from newsreader.sync.accounts import check_url
from newsreader.urls import (
    CONTROL,
    NO_HOST,
    NOT_HTTP,
    NOT_UTF8,
    SPACE_OR_CONTROL,
    typed_url_problem,
    url_problem,
)

GOOD = [
    "http://example.org/feed.xml",
    "https://example.org",
    "HTTPS://Example.ORG/a?b=c#d",  # schemes and hosts in any case
    "http://127.0.0.1:8080/f.xml",
    "http://[::1]:65535/f",
    "http://example.org:0/",
    "https://bücher.example/ünïcode",  # text a person types; httpx encodes it
]

BAD = [
    ("ftp://example.org/x", NOT_HTTP),
    ("file:///etc/passwd", NOT_HTTP),
    ("javascript:alert(1)", NOT_HTTP),
    ("example.org/feed.xml", NOT_HTTP),
    ("http:///feed.xml", NO_HOST),
    ("http://", NO_HOST),
    ("http://example.org:99999/f", "port out of range 0-65535"),
    ("http://example.org:-1/f", "port could not be cast to integer value as '-1'"),
    ("http://example.org:port/f", "port could not be cast to integer value as 'port'"),
    ("http://[::1/f", "invalid ipv6 url"),
    ("http://example.org/\tf", CONTROL),
    ("http://example.org/f\nx", CONTROL),
    ("http://example.org/\x1b[2J", CONTROL),
    ("http://example.org/\x7f", CONTROL),
    ("http://example.org/\x9b31m", CONTROL),  # C1 CSI: a terminal acts on it
    (os.fsdecode(b"http://example.org/caf\xe9.xml"), NOT_UTF8),
]
SPACED = ["http://example.org/a b.xml", "http://example.org/\u00a0x", "http://example.org/?q=a b"]
"""Fetched (a stored URL, a redirect): the request percent-encodes the space. Typed: refused."""


@pytest.mark.parametrize("url", GOOD)
def test_a_request_can_be_made_to_these(url: str) -> None:
    assert url_problem(url) is None and typed_url_problem(url) is None
    assert url_error(url) is None
    assert check_feed_url(url) == url
    assert check_url(url) == url


@pytest.mark.parametrize(("url", "problem"), BAD, ids=[repr(u)[1:30] for u, _ in BAD])
def test_each_rule_names_its_reason(url: str, problem: str) -> None:
    assert url_problem(url) == problem
    assert typed_url_problem(url) == (SPACE_OR_CONTROL if any(c.isspace() for c in url) else problem)


@pytest.mark.parametrize(("url", "problem"), BAD, ids=[repr(u)[1:30] for u, _ in BAD])
def test_every_caller_refuses_what_the_rule_refuses(url: str, problem: str) -> None:
    assert url_error(url) == f"invalid URL: {problem}"
    with pytest.raises(InvalidFeedURLError, match=r"^not an http\(s\) feed URL: ") as feed:
        check_feed_url(url)
    with pytest.raises(UserInputError, match=r"^not an http\(s\) server URL: ") as server:
        check_url(url)
    for message in (str(feed.value), str(server.value)):
        assert "\n" not in message and "\x1b" not in message  # one line, no escapes: repr quotes them


@pytest.mark.parametrize(("url", "problem"), BAD, ids=[repr(u)[1:30] for u, _ in BAD])
def test_full_text_pages_and_opml_imports_refuse_what_the_rule_refuses(url: str, problem: str) -> None:
    assert page_url_error(url) == f"invalid URL: {problem}"
    if problem not in (CONTROL, NOT_UTF8):  # (neither can be written in an XML attribute)
        document = f'<opml version="2.0"><body><outline text="x" xmlUrl={quoteattr(url)}/></body></opml>'
        parsed = opml.parse(document.encode())
        assert parsed.outlines == () and parsed.skipped == 1


@pytest.mark.parametrize("url", GOOD)
def test_full_text_pages_and_opml_imports_take_what_the_rule_takes(url: str) -> None:
    assert page_url_error(url) is None
    document = f'<opml version="2.0"><body><outline text="x" xmlUrl={quoteattr(url)}/></body></opml>'
    assert [o.url for o in opml.parse(document.encode()).outlines] == [url]


@pytest.mark.parametrize("url", SPACED)
def test_a_space_is_fetched_but_not_typed(url: str) -> None:
    assert url_problem(url) is None
    assert url_error(url) is None
    assert typed_url_problem(url) == SPACE_OR_CONTROL
    with pytest.raises(InvalidFeedURLError, match=r"^not an http\(s\) feed URL: "):
        check_feed_url(url)
    with pytest.raises(UserInputError, match=r"^not an http\(s\) server URL: "):
        check_url(url)


def test_typed_urls_are_stripped_first() -> None:
    assert check_feed_url("  http://example.org/f.xml\n") == "http://example.org/f.xml"
    assert check_url("\thttps://rss.example.org/ ") == "https://rss.example.org/"
    assert url_error("http://example.org/f.xml\n") == f"invalid URL: {CONTROL}"  # stored: as it is


def test_a_url_that_is_not_utf8_is_shown_escaped() -> None:
    with pytest.raises(InvalidFeedURLError) as info:
        check_feed_url(os.fsdecode(b"http://example.org/caf\xe9.xml"))
    assert str(info.value) == "not an http(s) feed URL: 'http://example.org/caf\\\\xe9.xml' (not UTF-8)"


def test_the_rule_costs_no_httpx_at_start_up() -> None:
    """``newsreader.urls`` is imported by ``add`` and ``account add`` before anything is fetched."""
    code = "import sys, newsreader.urls, newsreader.sync.accounts; print('httpx' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
