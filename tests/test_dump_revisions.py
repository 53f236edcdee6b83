"""A dump read differently than before updates its articles in place (same id, marks kept)."""

from __future__ import annotations

from newsreader.ingest.dump import parse_dump
from newsreader.ingest.revisions import Known, carry_ids

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
