"""Readable default names for imported dumps (issue 13): the seed showed as ``000_cbd8846d609a``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsreader._names import dump_name, stem_name
from newsreader.library import Library
from tests.tui_support import SEED

FIXTURES = Path(__file__).parent / "fixtures" / "dumps"
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("file", "name"),
    [
        ("000_cbd8846d609ab0f0.txt", ""),
        ("harbour-news.txt", "Harbour News"),
        ("2024_harbour_notes_3f9a2c1b7d.md", "Harbour Notes"),
        ("field notes.txt", "Field Notes"),
        ("iPhone-Reviews.txt", "IPhone Reviews"),
    ],
)
def test_a_file_stem_loses_its_suffix_and_hash_noise(file: str, name: str) -> None:
    assert stem_name(Path(file)) == name


@pytest.mark.parametrize(
    ("fixture", "name"),
    [
        ("news-page.txt", "The Coastal Herald"),  # © 2026 The Coastal Herald. All rights reserved.
        ("spanish-page.txt", "El Diario del Puerto"),
        ("newsletter.txt", "Weekly Harbour Digest"),  # WEEKLY HARBOUR DIGEST — Issue 48
        ("forum-thread.txt", "Forum Thread"),  # says nothing: the file's name
    ],
)
def test_a_dump_that_names_itself_is_called_that(fixture: str, name: str) -> None:
    from newsreader.ingest.dump import parse_dump

    text = (FIXTURES / fixture).read_text(encoding="utf-8")
    assert dump_name(FIXTURES / fixture, text, parse_dump(text, name=fixture), NOW) == name


def test_a_photo_credit_high_up_is_not_the_site() -> None:
    text = "A headline\n\n© Reuters / Someone\n\n" + "A paragraph of text that goes on.\n\n" * 40
    assert dump_name(Path("0a1b2c3d4e5f.txt"), text, [], NOW).startswith("Dump of")


def test_the_seed_imports_with_a_readable_name_and_is_still_found_by_its_file(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib")
    library.now = lambda: NOW  # type: ignore[method-assign]
    library.import_paths([SEED, FIXTURES / "news-page.txt"])
    titles = sorted(s.title for s in library.sources())
    assert titles == ["Dump of 24 Nov 2026", "The Coastal Herald"]  # noon UTC: the 24th in every zone
    assert all("cbd8846d" not in t for t in titles)
    seed = library.resolve_source(SEED.name)  # scripts that named the dump by its file still work
    assert len(library.articles(source=seed)) == 5
