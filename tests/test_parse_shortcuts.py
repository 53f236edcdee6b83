"""The parse step's shortcuts against the general code they stand in for (issue 16, item 1).

Each shortcut in HTML-to-text, the teaser check, the excerpt and the fast feed path claims the same
answer as the slower code it skips; these tests run both over generated and real inputs and require
the same result. Differential throughout: no expected value is written down here.
"""

from __future__ import annotations

import gzip
import random
import re
from html import escape, unescape
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from feedparser.mixin import _FeedParserMixin
from feedparser.urls import _urljoin

from newsreader.extract import need
from newsreader.ingest import _fast_names, _html_tags, _html_walk, cleaning, html_text, sentences
from newsreader.ingest._entry import _one_line
from newsreader.ingest.cleaning import clean, clean_line
from tests.bench.feed_farm import feed_xml

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
_SEED = 16


def _pieces() -> list[str]:
    """Characters and fragments that sit on the edges of every shortcut's condition."""
    return [
        *"aZ09 .,;:?#/%@!()[]\"'-_~+=&<>\t\n\r",
        "\x00", "\x0b", "\x1b", "\x7f", "\x85", "\x9b", "\xa0", "\u2028", "\u2029", "\u202e",
        "\u2066", "\ufeff", "\ufffa", "\u3000", "é", "“", "’", "…", "ſ", "K",
        "//", "/.", "/..", ":///", "http://", "&amp;", "&#13;", "  ",
    ]  # fmt: skip


def _strings(count: int, longest: int = 12) -> list[str]:
    rng = random.Random(_SEED)
    pieces = _pieces()
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(0, longest))) for _ in range(count)]


def test_control_test_on_bytes_matches_the_regex() -> None:
    texts = _strings(20000)
    texts += ["".join(map(chr, range(n, n + 64))) for n in range(0, 0x3000, 61)]
    texts += [chr(n) for n in range(0x10000)]
    for text in texts:
        data = text.replace("\x00", "").encode("utf-8", "replace")
        expected = _html_tags.NEEDS_CLEANING.search(text.replace("\x00", "")) is not None
        assert _html_tags.has_controls(data) is expected, repr(text)


def test_single_spaced_only_when_split_and_join_change_nothing() -> None:
    for text in _strings(20000):
        text = html_text.strip_controls(text).replace("\n", " ")
        if html_text._single_spaced(text):
            assert " ".join(text.split()) == text, repr(text)


def _urljoin_resolve(base: str | None, href: str) -> str | None:
    """_HTMLToText._resolve as it was, with urljoin for every link."""
    if not href:
        return None
    href = clean_line(href)
    try:
        if not base:
            url = href
        elif (url := urljoin(base, href)).startswith(("https://", "http://")) and href:
            return url
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


@pytest.mark.parametrize(
    "base",
    [
        "http://farm.example/3/5",
        "https://a.example:8080",
        "http://x.example/?q=1#f",
        "https://EX.example/a/b/",
        "HTTP://x.example/",
        "http://user@x.example/",
        "http://[::1]/",
        "http://a.example:80x/",
        "https://a.example#x",
        "ftp://a.example/",
        "http://a b/",
        "",
        None,
    ],
)
def test_plain_links_join_as_urljoin_joins_them(base: str | None) -> None:
    for tail in _strings(4000, longest=8):
        for href in (f"/{tail}", tail):
            assert html_text._HTMLToText(base)._resolve(href) == _urljoin_resolve(base, href), (base, href)


def test_reversed_teaser_match_agrees_with_the_search() -> None:
    rng = random.Random(_SEED)
    words = [*need._MARKERS, "word", " ", ".", "!", "…", "ſ", "READ", "MORE", "Read More", "\n", ")", "]"]
    words += ["(", "[", "x", "Lire LA suite", "K", "İ", "Weiterlesen…", " »"]
    for _ in range(50000):
        text = "".join(rng.choice(words) for _ in range(rng.randint(0, 7)))
        expected = need._TEASER_END.search(text) is not None
        assert (need._TEASER_END_REVERSED.match(text[::-1]) is not None) is expected, repr(text)


def _summary_only_by_counting(body: str, has_content: bool) -> bool:
    """is_summary_only as it was: every word counted."""
    words = len(body.split())
    if words == 0:
        return False
    if words < need.TEASER_WORDS and need._TEASER_END.search(need._tail(body.rstrip())):
        return True
    return not has_content and words < need.SHORT_WORDS


def test_summary_check_counts_only_as_far_as_it_needs() -> None:
    rng = random.Random(_SEED)
    for words in [0, 1, 78, 79, 80, 81, 398, 399, 400, 401, 450]:
        for end in ["", ".", " Read more", "…", " [...] ", "\n\n", " \u3000"]:
            space = rng.choice([" ", "\n", "  ", "\t", "\xa0"])
            body = space.join(f"w{n}" for n in range(words)) + end
            for has_content in (False, True):
                expected = _summary_only_by_counting(body, has_content)
                assert need.is_summary_only(body, has_content=has_content) is expected, (words, end)


def _sentences_copying(text: str) -> list[str]:
    """sentences() as it was: the rest of the text copied and stripped at every full stop."""
    out: list[str] = []
    start = 0
    for match in sentences._SENTENCE_END.finditer(text):
        end = match.end()
        if match.group().startswith(".") and match.group().rstrip("\"'”’)]") == ".":
            word = text[start : match.start()].rsplit(None, 1)
            last = word[-1].lower().lstrip("(\"“‘'") if word else ""
            if last in sentences._ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
                continue
        rest = text[end:].lstrip()
        if rest and not (rest[0].isupper() or rest[0] in "\"“‘'(" or rest[0].isdigit()):
            continue
        out.append(text[start:end].strip())
        start = end
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def test_sentences_and_excerpts_as_before() -> None:
    rng = random.Random(_SEED)
    words = [
        "Dr.",
        "e.g.",
        "A.",
        "word",
        "Word",
        "3.5",
        "“Quoted.”",
        "end.",
        "(Aside.)",
        "Why?",
        "So!",
        "\u3000",
    ]
    words += ["\xa0", "…", "x", "Ünïcode.", "no.", "2026."]
    for _ in range(5000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 60)))
        assert sentences.sentences(text) == _sentences_copying(text)
        out = ""
        for sentence in _sentences_copying(text[:480]):
            candidate = f"{out} {sentence}".strip()
            if len(candidate) > 240:
                break
            out = candidate
        expected = text if len(text) <= 240 else out if len(out) >= 80 else sentences.cut_at_word(text, 240)
        assert sentences.excerpt([text]) == expected


def test_plain_titles_need_no_html_pass() -> None:
    for text in _strings(20000):
        detail = {"type": "text/plain"}
        expected = clean_line(clean(text))
        assert _one_line(detail, text, "http://x.example/") == expected, repr(text)


def test_feedparser_shortcuts_of_the_fast_path() -> None:
    for text in [*_strings(20000), "http:///a", "HTTP:////b/c", "x:///", "a&b;", "</p>", "&#1;"]:
        assert _fast_names._uri(text) == _urljoin("", text), repr(text)
        if "<" not in text and "&" not in text:
            assert not _FeedParserMixin.looks_like_html(text)


def _corpus_fragments() -> list[str]:
    """HTML a feed body may carry: the farm's bodies, article pages whole, and each page's tables,
    lists, quotes and code blocks alone."""
    farm = feed_xml(5, 30, "full").decode()
    frags = [unescape(m.group(1)) for m in re.finditer(r"<description>(.*?)</description>", farm)]
    pages = CORPORA / "article-pages" / "html"
    for n, path in enumerate(sorted(pages.iterdir()) if pages.is_dir() else []):
        page = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
        if n % 4 == 0:  # a quarter of the pages whole (the rest only in pieces, to keep this quick)
            frags.append(page)
        frags += [
            m.group(0) for m in re.finditer(r"<(table|ul|ol|blockquote|pre|dl)\b.*?</\1>", page, re.S | re.I)
        ]
    return frags


def test_html_walk_agrees_with_the_handlers_alone() -> None:
    """The walk's inline flushes and text against the handlers driven event by event (the regex
    tokenizer's interface), over the same lxml tree."""
    from lxml import etree

    fragments = _corpus_fragments()
    if len(fragments) < 100:
        pytest.skip(f"article pages not found under {CORPORA}")
    for html in fragments:
        fast = html_text._HTMLToText("https://example.org/a/b.html")
        assert _html_walk.walk_lxml(fast, html)
        slow = html_text._HTMLToText("https://example.org/a/b.html")
        if "<![CDATA[" in html:  # as walk_lxml does before parsing
            html = _html_walk.CDATA.sub(lambda m: escape(m.group(1), quote=False), html)
        root = etree.fromstring(html.replace("\x00", "").encode("utf-8", "replace"), _html_walk.html_parser())
        if root is None:
            continue
        grids = {table for table in root.iter("table") if _html_walk.is_grid(table)}
        walk = etree.iterwalk(root, events=("start", "end"))
        for event, element in walk:
            tag = element.tag
            if event == "start":
                if tag in _html_tags.HTML_SKIP:
                    walk.skip_subtree()
                    continue
                if element in grids:
                    slow.start_grid()
                elif isinstance(tag, str):
                    slow.handle_starttag(tag, element.items())
                if element.text:
                    slow.handle_data(element.text)
            else:
                if isinstance(tag, str):
                    slow.handle_endtag(tag)
                if element.tail:
                    slow.handle_data(element.tail)
        assert fast.result() == slow.result()
        assert fast.links == slow.links


def _strip_controls_scanning(text: str) -> str:
    """strip_controls as it was: the seven escape starts looked for in every text."""
    if not text:
        return text
    if any(ch in text for ch in cleaning._ESCAPE_STARTS):
        text = cleaning._ESCAPES.sub("", text)
    return cleaning._CONTROLS.sub("", text)


def test_ascii_text_looks_only_for_esc() -> None:
    extra = ["\x1b[31m", "\x1b]0;t\x07", "\x1b\\", "\x90", "\x9c", "\x9b1m", "31m", "P", "0"]
    rng = random.Random(_SEED)
    pieces = _pieces() + extra
    for _ in range(50000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        assert cleaning.strip_controls(text) == _strip_controls_scanning(text), repr(text)
