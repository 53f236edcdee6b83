"""Podcast enclosures: parsed from RSS, Atom and media:content, stored, and shown by ``show --json``."""

from __future__ import annotations

import json
from pathlib import Path

from newsreader.ingest.feed import parse_feed, source_id_for
from newsreader.library import Library
from newsreader.models import Enclosure
from tests.conftest import run_cli

URL = "https://example.org/feed.xml"
SRC = source_id_for(URL)

PODCAST = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Harbour Radio</title>
<link>https://example.org/</link>
<item><guid>ep40</guid><title>Episode 40</title><description>Tides.</description>
<enclosure url="https://cdn.example.org/ep40.mp3" type="audio/mpeg" length="24986239"/>
<media:content url="https://cdn.example.org/ep40.jpg" type="image/jpeg" fileSize="5120"/>
<media:content url="https://cdn.example.org/ep40.mp3" type="audio/mpeg"/>
</item>
<item><guid>ep41</guid><title>Episode 41</title><description>Fog.</description>
<enclosure url="/media/ep41.ogg" type="AUDIO/OGG" length="0"/>
<enclosure url="javascript:alert(1)" type="audio/mpeg"/>
<enclosure url="https://cdn.example.org/x.bin" type="not a type &#27;[31m" length="-4"/>
</item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom cast</title><id>urn:feed</id>
<updated>2026-01-05T10:00:00Z</updated>
<entry><id>urn:e1</id><title>One</title><updated>2026-01-05T10:00:00Z</updated>
<link rel="alternate" href="https://example.org/one"/>
<link rel="enclosure" href="https://example.org/one.mp4" type="video/mp4" length="1234"/>
<summary>Video.</summary></entry></feed>"""


def test_rss_enclosure_and_media_content_one_per_url() -> None:
    first, second = parse_feed(PODCAST, source_id=SRC, url=URL).drafts
    assert first.enclosures == (
        Enclosure("https://cdn.example.org/ep40.mp3", "audio/mpeg", 24986239),
        Enclosure("https://cdn.example.org/ep40.jpg", "image/jpeg", 5120),
    )
    # Relative URL resolved, type lower-cased, a zero length is no length,
    # unsafe schemes and junk types dropped.
    assert second.enclosures == (
        Enclosure("https://example.org/media/ep41.ogg", "audio/ogg", None),
        Enclosure("https://cdn.example.org/x.bin", None, None),
    )


def test_atom_link_rel_enclosure() -> None:
    (draft,) = parse_feed(ATOM, source_id=SRC, url=URL).drafts
    assert draft.enclosures == (Enclosure("https://example.org/one.mp4", "video/mp4", 1234),)
    assert draft.enclosures[0].file_name == "one.mp4"


def test_enclosures_are_stored_and_in_show_json(tmp_path: Path) -> None:
    feed = tmp_path / "podcast.rss"
    feed.write_bytes(PODCAST)
    library = Library(tmp_path / "lib")
    library.import_paths([feed])
    episode = next(a for a in library.articles() if a.title == "Episode 40")
    assert library.get(episode.id).enclosures[0].url == "https://cdn.example.org/ep40.mp3"
    result = run_cli("show", episode.id, "--json", library=tmp_path / "lib")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["enclosures"] == [
        {"url": "https://cdn.example.org/ep40.mp3", "type": "audio/mpeg", "length": 24986239},
        {"url": "https://cdn.example.org/ep40.jpg", "type": "image/jpeg", "length": 5120},
    ]


def test_corpus_atom_enclosure_feeds_parse() -> None:
    corpus = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "feeds" / "feedparser"
    doc = corpus / "wellformed" / "atom10" / "entry_link_rel_enclosure.xml"
    if not doc.exists():
        import pytest

        pytest.skip(f"corpus missing: {doc}")
    (draft,) = parse_feed(doc.read_bytes(), source_id=SRC, url=URL).drafts
    assert draft.enclosures == (Enclosure("http://www.example.com/", "text/html", None),)
    assert draft.enclosures[0].file_name == "download"
