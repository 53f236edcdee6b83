"""Realistic dumps (tests/fixtures/dumps/*.txt) read as a person reads them, checked against their data twins.

Each twin (``NAME.json`` beside ``NAME.txt``) lists the articles the dump holds, in order: headline, author,
date, whether it is truncated, and the first and last sentence of its body (plus text it must contain).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from newsreader.ingest.dump import parse_dump
from newsreader.models import ArticleDraft

FIXTURES = Path(__file__).parent / "fixtures" / "dumps"
TWINS = sorted(FIXTURES.glob("*.json"))


def _read(twin: Path) -> tuple[list[ArticleDraft], list[dict[str, Any]]]:
    expected = json.loads(twin.read_text(encoding="utf-8"))["articles"]
    return parse_dump(twin.with_suffix(".txt").read_text(encoding="utf-8"), name=twin.stem), expected


@pytest.mark.parametrize("twin", TWINS, ids=[t.stem for t in TWINS])
def test_fixture_reads_as_its_twin_says(twin: Path) -> None:
    drafts, expected = _read(twin)
    assert [d.title for d in drafts] == [e["title"] for e in expected]
    for draft, want in zip(drafts, expected, strict=True):
        assert draft.author == want["author"], draft.title
        assert (draft.published.date().isoformat() if draft.published else None) == want["date"], draft.title
        assert draft.truncated is want["truncated"], draft.title
        assert draft.body.startswith(want["first"]), draft.body[:200]
        assert draft.body.endswith(want["last"]), draft.body[-200:]
        for text in want.get("contains", []):
            assert text in draft.body, text


def test_there_is_a_fixture_of_each_kind_the_issue_asks_for() -> None:
    assert {t.stem for t in TWINS} >= {
        "news-page",
        "newsletter",
        "blog-post",
        "spanish-page",
        "related-headlines",
        "forum-thread",
    }


@pytest.mark.parametrize("twin", TWINS, ids=[t.stem for t in TWINS])
def test_chrome_never_reaches_a_body(twin: Path) -> None:
    drafts, _expected = _read(twin)
    furniture = (
        "Skip to",
        "Sign in",
        "Subscribe",
        "Share",
        "Unsubscribe",
        "©",
        "Cookie",
        "Related",
        "Reply |",
    )
    for draft in drafts:
        for line in draft.body.split("\n"):
            assert not line.startswith(furniture), line
