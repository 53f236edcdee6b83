"""An entry's excerpt is made from only the lead paragraphs it reads; the same excerpt as from all."""

from __future__ import annotations

from pathlib import Path

import feedparser
import pytest

from newsreader.ingest._entry import _EXCERPT_LIMIT, _REFERENCE, _lead_paragraphs
from newsreader.ingest.html_text import html_to_text
from newsreader.ingest.sentences import excerpt
from tests.bench.feed_farm import full_body, short_body

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "feeds"


def _every_paragraph(paragraphs: list[str]) -> str:
    return excerpt([_REFERENCE.sub("", p) for p in paragraphs if not p.startswith("## ")], _EXCERPT_LIMIT)


def _check(bodies: list[str]) -> int:
    checked = 0
    for html in bodies:
        text, _links = html_to_text(html, "https://example.org/a/")
        paragraphs = [p for p in text.split("\n\n") if p.strip()]
        assert excerpt(_lead_paragraphs(paragraphs), _EXCERPT_LIMIT) == _every_paragraph(paragraphs), html
        checked += 1
    return checked


def test_excerpt_of_lead_paragraphs_on_made_up_bodies() -> None:
    words = [f"w{n}" for n in range(12)]
    made = [full_body(f, i) for f in range(5) for i in range(10)] + [short_body(1, 2, words)]
    made += [
        "<h2>Heading first</h2><p>" + "A short one [1]. " * 40 + "</p>",
        "<p>" + "x" * 479 + "</p><p>second</p>",
        "<p>" + "x" * 480 + "</p><p>second</p>",
        "<p>" + "x" * 481 + "</p><p>second</p>",
        "<p>One.</p><p></p><p>Two. Three.</p>",
        "",
    ]
    assert _check(made) == len(made)


def test_excerpt_of_lead_paragraphs_on_the_corpus() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"feed corpus not found at {CORPUS}")
    bodies: list[str] = []
    for path in sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.stat().st_size < 2_000_000):
        parsed = feedparser.parse(path.read_bytes(), sanitize_html=False, resolve_relative_uris=False)
        for entry in parsed.entries:
            bodies += [c["value"] for c in entry.get("content") or () if c.get("value")]
            bodies += [entry["summary"]] if entry.get("summary") else []
    assert _check(bodies) > 500
