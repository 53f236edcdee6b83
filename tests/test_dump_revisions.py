"""A dump read differently than before updates its articles in place (same id, marks kept)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from newsreader.ingest import dump
from newsreader.ingest.dump import parse_dump
from newsreader.ingest.revisions import Known, carry_ids
from newsreader.library import Library
from newsreader.models import ArticleDraft

FIXTURES = Path(__file__).parent / "fixtures" / "dumps"

BODY = (
    "Divers counting shoots off Saltmarsh Point this autumn found the densest seagrass on record.\n\n"
    "The meadows shelter young fish and store carbon in the mud beneath them."
)


def test_a_new_reading_with_the_same_headline_takes_the_old_id() -> None:
    (old,) = parse_dump(f"Seagrass Returns\n\nShare this article\n\n{BODY}\n")
    (new,) = parse_dump(f"Seagrass Returns\n\n{BODY}\n")
    assert old.id != new.id
    (carried,) = carry_ids([Known(old.id, old.title)], [new], lambda _id: old.body)
    assert carried.id == old.id and carried.body == new.body


def test_a_new_reading_with_a_new_headline_matches_by_text() -> None:
    (old,) = parse_dump(f"Skip to main content\n\n{BODY}\n")
    (new,) = parse_dump(f"Seagrass Returns\n\n{BODY}\n")
    (carried,) = carry_ids([Known(old.id, old.title)], [new], {old.id: old.body}.get)
    assert carried.id == old.id


def test_unrelated_and_unchanged_articles_keep_their_ids() -> None:
    (old,) = parse_dump(f"Seagrass Returns\n\n{BODY}\n")
    (other,) = parse_dump(
        "Ferry Timetable Changes\n\nThe winter timetable starts on Monday with two fewer crossings.\n"
    )
    drafts = carry_ids([Known(old.id, old.title)], [old, other], {old.id: old.body}.get)
    assert [d.id for d in drafts] == [old.id, other.id]
    (alone,) = carry_ids([Known(old.id, old.title)], [other], {old.id: old.body}.get)
    assert alone.id == other.id


def test_reimport_under_a_better_reading_updates_the_article_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = tmp_path / "herald.txt"
    page.write_text((FIXTURES / "news-page.txt").read_text(encoding="utf-8"), encoding="utf-8")
    library = Library(tmp_path / "lib")
    with monkeypatch.context() as m:  # the reading before pages were told from chrome
        m.setattr(dump, "read_page_or_digest", lambda text: None)
        assert library.import_paths([page]).new == 1
    (old,) = library.articles()
    assert old.title == "Skip to main content"
    library.mark([old.id], read=True, starred=True)

    report = Library(library.path).import_paths([page])
    assert report.new == 0, report
    (article,) = Library(library.path).articles()
    assert article.id == old.id
    assert article.title == "Seagrass Meadows Return to the Bay After a Decade of Decline"
    assert article.author == "Maria Fernandes"
    assert article.read and article.starred
    body = Library(library.path).get(article.id).body or ""
    assert body.startswith("Divers counting shoots") and "Sign in" not in body
    assert Library(library.path).import_paths([page]).new == 0


def test_a_reading_that_changes_only_the_body_rewrites_the_body(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = tmp_path / "herald.txt"
    page.write_text((FIXTURES / "news-page.txt").read_text(encoding="utf-8"), encoding="utf-8")
    real = dump.parse_dump

    def with_tail(text: str, **options: Any) -> list[ArticleDraft]:  # an older reading kept a footer line
        body = real(text, **options)[0].body + "\n\nRelated stories"
        return [replace(d, body=body, id=dump.article_id(None, body)) for d in real(text, **options)]

    library = Library(tmp_path / "lib")
    with monkeypatch.context() as m:
        m.setattr(dump, "parse_dump", with_tail)
        assert library.import_paths([page]).new == 1
    (old,) = library.articles()
    library.mark([old.id], starred=True)
    assert Library(library.path).import_paths([page]).new == 0
    (article,) = Library(library.path).articles()
    assert article.id == old.id and article.starred and article.excerpt == old.excerpt
    body = Library(library.path).get(article.id).body or ""
    assert not body.endswith("Related stories")
