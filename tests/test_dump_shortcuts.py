"""The dump reader's short paths (issue 10: imports back to speed) give what the long ones give.

Each short path rules a regex or a walk out where it cannot matter; these tests hold each one to the
long path on tricky text: case folding outside ASCII (``ſ``, ``ı``, the Kelvin sign), odd whitespace,
separators, setext underlines, fences, tables and headings.
"""

from __future__ import annotations

import random
import re

import pytest

from newsreader.ingest import _segment, blocks
from newsreader.ingest.cleaning import clean_line, normalise_for_id, strip_controls
from newsreader.ingest.heads import DISCLAIMER, posted_line
from newsreader.ingest.page import COMMENTS_HEADING
from tests.bench.gen import paragraph, sentence

LINES = [
    "By Ana Okafor",
    "2026-01-05",
    "3 October 2026",
    "Posted on 3 October 2026 by Ana Costa",
    "Tags: a, b",
    "Filed under: news",
    "Étiquettes : x",
    "Photo: Reuters",
    "12 comments",
    "Leave a reply",
    "Kommentare",
    "\u212aommentare",
    "Join the discussion",
    "Andreas Kluth is a Bloomberg Opinion columnist.",
    "The views expressed here do not necessarily reflect ours.",
    "Contact the author at x@y.z",
    "FOLLOW THEM",
    "The opinions expreſſed are the author's own.",
    "Thıs article was originally publıshed.",
    "DOES NOT NECESSARILY REFLECT the board",
    "---",
    "***",
    "* * *",
    "===",
    "~~~",
    "###",
    " --- ",
    "\t***\t",
    "Title",
    "# Heading one",
    "## Section",
    "```",
    "    code line",
    "| a | b |",
    "|---|---|",
    "- item one",
    "1. first",
    "  - nested",
    "A headline that runs on",
    "**Bold** head",
    "\u202eevil\u202c",
    "ſhort ſtory",
    "\x1b[31mred\x1b[0m",
    "double  space",
    " lead",
    "trail ",
    "tab\there",
    "nb\xa0sp",
    "İstanbul",
]
SPACES = [" ", "\t", "\xa0", "\u3000", "\u2028", "\x0b", ""]


def dumps(count: int, *, plain: bool = False) -> list[str]:
    """Seeded random dumps of the shapes above; ``plain``: without fences, tables and headings."""
    pool = [x for x in LINES if not plain or not any(c in x for c in "#|`~")]
    out = []
    for seed in range(count):
        rng = random.Random(seed)
        lines = []
        for _ in range(rng.randint(1, 30)):
            pick = rng.random()
            line = (
                paragraph(rng, 30)
                if pick < 0.3
                else sentence(rng, 12)[:-1]
                if pick < 0.4
                else rng.choice(pool)
            )
            if rng.random() < 0.2:
                line = rng.choice(SPACES) + line + rng.choice(SPACES)
            lines.append(line)
            lines += rng.choice([[], [""], [""], ["", ""], [rng.choice(SPACES)] * 2, ["", "", ""]])
        out.append("\n".join(lines))
    return out


def test_a_printable_text_has_nothing_to_strip_but_spaces() -> None:
    # _clean_line's short path: strip_controls leaves a printable text alone, and the space is the only
    # printable whitespace.
    for char in map(chr, range(0x110000)):
        if char.isprintable():
            assert strip_controls(char) == char, hex(ord(char))
            assert not char.isspace() or char == " ", hex(ord(char))


@pytest.mark.parametrize("text", LINES + [x + " " + y for x in LINES for y in ("end.", " x")])
def test_clean_line_short_path(text: str) -> None:
    assert _segment._clean_line(text) == clean_line(text)


def test_disclaimer_short_path() -> None:
    texts = LINES + [p for d in dumps(200) for p in d.split("\n")]
    for text in texts:
        assert _segment.is_disclaimer(text) == bool(DISCLAIMER.search(text)), text


@pytest.mark.parametrize(
    ("pattern", "letters"),
    [(COMMENTS_HEADING, _segment._COMMENTS_OPEN), (_segment._TAGS, _segment._TAGS_OPEN)],
    ids=["comments", "tags"],
)
def test_opening_letters_cover_every_match(pattern: re.Pattern[str], letters: str) -> None:
    matching = [
        x
        for x in [
            *LINES,
            "3 Comments",
            "Responses to this",
            "Replies (4)",
            "Labels: x",
            "Categories: y",
            "Tagged: z",
            "Schlagwörter: q",
            "Reactions",
            "Discussion",
            "Comentarios",
            "Etiquetas: e",
        ]
        if pattern.match(x)
    ]
    assert len(matching) >= 4
    for text in matching:
        assert _segment._may_open(text, letters), text
        for char in map(chr, range(128)):  # another ASCII opening never matches
            if char.lower() not in letters:
                assert not pattern.match(char + text[1:]), repr(char + text[1:])


def test_posted_line_short_path() -> None:
    texts = [
        *LINES,
        "Posted by Ana Costa",
        "POSTED  BY  ANA",
        "Written by Jo on 3 May 2026",
        "3 May 2026 von Eva",
    ]
    texts += [line for d in dumps(200) for line in d.split("\n")]
    for text in texts:
        assert _segment._posted(text) == posted_line(text), text


def test_ascii_id_basis_is_the_normalised_body() -> None:
    bodies = ["a  b", " a", "a ", "A\n\nB", "a\n\n\nb", "a\tb", "a\nb", "", "x", "Café", "ǅ x"]
    bodies += ["\n\n".join(d.split("\n")) for d in dumps(100)]
    for body in bodies:
        basis = _segment._ascii_basis(body)
        assert basis is None or basis == normalise_for_id(body), repr(body)


@pytest.mark.parametrize("plain", [True, False], ids=["plain", "mixed"])
def test_plain_blocks_are_the_walks_blocks(plain: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [*dumps(300, plain=plain), "---\nA\n---", "Title\n---\nbody", "A\n\n---\n\n\nB\n\n\n", ""]
    fast = [blocks.blocks(t, False) for t in texts]
    taken = sum(blocks._plain_chunks(t) is not None for t in texts)
    monkeypatch.setattr(blocks, "_plain_chunks", lambda text: None)
    assert [blocks.blocks(t, False) for t in texts] == fast
    assert taken >= (100 if plain else 0)
