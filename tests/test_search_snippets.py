"""Issue 13, defect 6: previews are plain prose, and a search hit's preview always shows its match.

The list draws a preview in whatever room its row has (about 40 to 130 columns, by terminal width and
layout); the snippet is windowed for that room around the first match, cut at words, with an ellipsis
where it is cut, and carries none of the body's own markup (``[n]`` references, ``[image: …]``, ``## ``,
list and quote markers, table bars).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.style import Style

from newsreader.config import Settings
from newsreader.library import Library
from newsreader.search.text import fit_snippet, make_snippet, plain_prose
from newsreader.tui.app import NewsReaderApp
from newsreader.tui.screens.main import MainScreen
from newsreader.tui.widgets.headline_list import HeadlineList
from tests.tui_support import demo_library, settle

NOISY = (
    "## What the council said\n\n"
    "The council said on Tuesday [1] that the refit of the outer harbour would wait another year, because "
    "the money promised by the regional government has not arrived and the contractors [2] have moved on; "
    "critics on the promised rural bus routes said the aging acrobats of the budget committee had again "
    "chosen the easy path over the quarantine berth that the fishermen asked for in the spring.\n\n"
    "[image: The outer harbour at low tide]\n\n"
    "• Work starts in 2027\n• The quay stays open\n\n"
    "> We have waited long enough [3].\n\n"
    "| Berth | Use |\n| --- | --- |\n| North | quarantine |"
)


def test_plain_prose_drops_the_body_markup() -> None:
    prose = plain_prose(NOISY)
    for noise in ("[1]", "[2]", "[image", "## ", "• ", "> ", "| ", "---"):
        assert noise not in prose, noise
    assert prose.startswith("What the council said The council said on Tuesday that the refit")
    assert "Work starts in 2027 The quay stays open We have waited long enough." in prose
    assert prose.endswith("Berth Use North quarantine")
    assert plain_prose("array[1] stays, [bold] stays") == "array[1] stays, [bold] stays"
    # A lead stored on one line by an older version: the table's rule row still goes.
    assert (
        plain_prose("| Stop | Departs | |------|--------:| | Inner | 06:40 |") == "Stop Departs Inner 06:40"
    )


def test_a_snippet_is_prose_around_the_first_match() -> None:
    snippet, spans = make_snippet(NOISY, ["quarantine"])
    assert "[" not in snippet and "#" not in snippet
    assert [snippet[s:e] for s, e in spans] == ["quarantine"]
    assert snippet.startswith("…") and snippet.endswith("…")


@pytest.mark.parametrize("width", [30, 40, 51, 75, 130])
def test_a_snippet_fitted_to_a_width_keeps_the_match_and_says_where_it_cuts(width: int) -> None:
    snippet, spans = make_snippet(NOISY, ["quarantine"])
    fitted, fitted_spans = fit_snippet(snippet, spans, width)
    assert width - 13 <= len(fitted) <= width  # the room is used, less at most a word and an ellipsis
    assert [fitted[s:e] for s, e in fitted_spans] == ["quarantine"]
    assert fitted.startswith("…") and fitted.endswith("…")
    words = set(NOISY.replace(";", " ").replace(",", " ").replace(".", " ").split())
    inner = fitted.strip("…").replace(";", " ").replace(",", " ").replace(".", " ").split()
    assert all(word in words for word in inner), inner  # cut at word boundaries
    start = fitted_spans[0][0]
    assert abs((start + 5) - width / 2) <= width / 2 - 5  # centred enough to show context on both sides
    assert fit_snippet("short text", [(0, 5)], width) == ("short text", [(0, 5)])


# -- in the app at 140, 80 and 56 columns, roomy and compact --------------------------------------

DUMP = "Harbour refit delayed again\n\nBy Jo Bell\n\n" + NOISY + "\n"


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    return demo_library(tmp_path / "lib", extra_dumps={"refit.txt": DUMP})


def preview(headlines: HeadlineList, index: int, part: int) -> tuple[str, list[str]]:
    """A row line's text and the parts of it drawn in the match style."""
    strip = headlines._render_row_line(
        headlines.articles[index],
        part,
        headlines.scrollable_content_region.width,
        False,
        headlines.rich_style,
    )
    match = headlines._style("match")

    def is_match(style: Style | None) -> bool:
        if style is None:
            return False
        return (match.bgcolor is not None and style.bgcolor == match.bgcolor) or bool(
            match.reverse and style.reverse
        )

    return "".join(s.text for s in strip), [s.text for s in strip if is_match(s.style)]


@pytest.mark.anyio
@pytest.mark.parametrize("size", [(140, 40), (80, 40), (56, 40)])
@pytest.mark.parametrize("compact", [False, True])
async def test_search_previews_show_the_match_at_every_width(
    lib: Library, size: tuple[int, int], compact: bool
) -> None:
    app = NewsReaderApp(lib, Settings(animations=False), None)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        if compact:
            await pilot.press("c")
            await settle(pilot)
        # The ordinary list: the preview is prose.
        index = next(
            i for i, a in enumerate(screen.headlines.articles) if a.title.startswith("Harbour refit")
        )
        if not compact:
            text, _ = preview(screen.headlines, index, 2)
            assert "The council said on Tuesday that" in text
            assert "[1]" not in text and "[image" not in text and "## " not in text
        await pilot.press("slash")
        await pilot.press(*"quarantine")
        await settle(pilot)
        assert [a.title for a in screen.headlines.articles] == ["Harbour refit delayed again"]
        text, marked = preview(screen.headlines, 0, 0 if compact else 2)
        assert "quarantine" in text, text
        assert "quarantine" in "".join(marked), (text, marked)
        assert "[" not in text
        assert "…" in text


def test_a_snippet_finds_a_match_deep_in_a_long_body_and_a_phrase_across_what_it_read_first() -> None:
    """``make_snippet`` reads a body's first 2,000 and 16,000 characters before all of it: the snippet is
    the one a scan of the whole body gives, wherever the match is."""
    from newsreader.search.text import highlight_spans, make_snippet

    deep = "Filler words go on. " * 2_000 + "The harbour reopened today."
    snippet, spans = make_snippet(deep, ["harbour"])
    assert "harbour" in snippet and [snippet[a:b] for a, b in spans] == ["harbour"]
    lead = "x" * (2_000 - 400 - 6) + " harbour off"  # the phrase starts inside the first read, ends past it
    body = lead + " ramp and more text. " * 40
    snippet, spans = make_snippet(body, ["off ramp"])
    first = highlight_spans(body, ["off ramp"])[0][0]
    assert body[first : first + 3] == "off" and [snippet[a:b] for a, b in spans][:2] == ["off", "ramp"]


_WORDS = [
    "harbour",
    "Harbours",
    "ferry",
    "a",
    "ab",
    "b",
    "B2",
    "3",
    "14",
    "x_y",
    "light",
    "off",
    "ramp",
    "OFF",
]
_GAPS = [" ", " ", ", ", "\n", "-", "_", ". ", "'", "(", ")"]
_TERMS = [
    "harbour", "harb*", "a", "b*", "b2", "off ramp", "off ram*", "a a", "a a*", "3.14", "x", "y",
    "light-off", "é", "東京", "*", "ferry OR", "ab*",
]  # fmt: skip


def test_highlighting_ascii_text_by_scans_marks_what_the_token_path_marks() -> None:
    """ASCII text takes a regex scan per term (and splits on ``[a-z0-9]+``); every other text folds its
    tokens one by one. On ASCII text both must mark (and split) the same words."""
    import random

    from newsreader.search.text import (
        _ascii_spans,
        _token,
        _token_spans,
        _wanted,
        fold,
        highlight_spans,
        tokens,
    )

    rng = random.Random(16)
    marked = 0
    for _ in range(400):
        parts = []
        for _ in range(rng.randint(0, 25)):
            parts += [rng.choice(_WORDS), rng.choice(_GAPS)]
        text = "".join(parts)
        terms = tuple(rng.sample(_TERMS, rng.randint(1, 3)))
        wanted = _wanted(terms)
        assert tokens(text) == [fold(m.group()) for m in _token().finditer(text)]  # ASCII: the short way
        want = _token_spans(text, wanted)
        assert _ascii_spans(text.lower(), wanted) == want, (text, terms)
        assert highlight_spans(text, terms) == want
        marked += bool(want)
    assert marked > 150  # most texts have something marked: the comparison means something
