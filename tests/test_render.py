"""The one article renderer (``newsreader.render``), alone and through both front ends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from newsreader.config import Settings
from newsreader.ingest.text import html_to_text
from newsreader.library import Library
from newsreader.models import Article, ArticleDraft, SourceKind
from newsreader.render import DEFAULT_STYLES, Wrapped, block_kind, render_article, render_body, wrap_lines
from newsreader.tui.app import NewsReaderApp
from newsreader.tui.screens.main import MainScreen
from tests.conftest import run_cli
from tests.tui_support import IMPORTED_AT, add_drafts, demo_library, settle, visible_text

HTML = (
    "<p>The port reopened this week [bold]loudly[/bold].</p>"
    "<h2>What changes</h2>"
    "<p>Three things, as <a href='https://example.org/plan'>the plan</a> says:</p>"
    "<ul><li>Cranes move again</li><li>The road is repaired<ul><li>before winter</li></ul></li></ul>"
    "<blockquote>We are open<br>for business</blockquote>"
    "<pre>def tide(hour):\n    return hour % 12\n\tindented</pre>"
    "<p>Closing words.</p>"
)
BODY, LINKS = html_to_text(HTML)


def draft() -> ArticleDraft:
    return ArticleDraft(
        id="render00000001",
        title="Harbour plan \x1b[31m explained",
        body=BODY,
        excerpt="The port reopened this week",
        links=tuple(LINKS),
        url="https://example.org/harbour",
        author="Jane Doe",
        published=IMPORTED_AT.replace(hour=11),
    )


def article() -> Article:
    d = draft()
    return Article(
        id=d.id,
        source_id="s",
        title=d.title,
        feed="Harbour Gazette",
        source="https://example.org/feed.xml",
        kind=SourceKind.FEED,
        url=d.url,
        author=d.author,
        published=d.published,
        added=IMPORTED_AT,
        excerpt=d.excerpt,
        body=d.body,
        links=d.links,
    )


def test_block_kinds_follow_the_body_convention() -> None:
    blocks = BODY.split("\n\n")
    kinds = [block_kind(b) for b in blocks]
    assert kinds == ["body", "heading", "body", "list", "quote", "code", "body"]


def test_body_blocks_drop_heading_marks_and_keep_code_indentation() -> None:
    texts = [t.plain for t in render_body(BODY, references=len(LINKS))]
    assert texts[1] == "What changes"  # no "## "
    assert texts[3] == "• Cranes move again\n• The road is repaired\n  • before winter"
    assert texts[4] == "> We are open\n> for business"
    assert texts[5] == "def tide(hour):\n    return hour % 12\n    indented"
    assert "[bold]loudly[/bold]" in texts[0]  # data, never markup


def test_styles_mark_headings_code_and_link_references() -> None:
    blocks = list(render_body(BODY, references=len(LINKS)))
    assert blocks[1].style == DEFAULT_STYLES["heading"]
    assert blocks[5].style == DEFAULT_STYLES["code"]
    paragraph = blocks[2]
    ref = paragraph.plain.index("[1]")
    styled = [s for s in paragraph.spans if s.start == ref and s.end == ref + 3]
    assert styled and styled[0].style == DEFAULT_STYLES["ref"]
    # A number in brackets that is no reference (no such link) is left alone.
    assert not [s for s in next(iter(render_body("see [7] here", references=1))).spans]


def test_article_text_has_no_controls_and_highlights_matches() -> None:
    text = render_article(article(), highlight=lambda s: [(i, i + 6) for i in _find(s, "cranes")])
    assert "\x1b" not in text.plain
    assert text.plain.startswith("Harbour plan [31m explained\n")  # ESC gone, the rest is data
    marked = {text.plain[s.start : s.end] for s in text.spans if s.style == DEFAULT_STYLES["match"]}
    assert marked == {"Cranes"}
    assert text.plain.rstrip().endswith("[1] https://example.org/plan")


def _find(text: str, word: str) -> list[int]:
    lowered, found, at = text.lower(), [], 0
    while (at := lowered.find(word, at)) >= 0:
        found.append(at)
        at += 1
    return found


def test_wrapping_hangs_list_items_and_code_under_their_text() -> None:
    console = Console(width=30, color_system=None)
    body = "• " + "word " * 12 + "\n\n    indented code that runs on and on"
    lines = [
        "".join(s.text for s in line).rstrip()
        for line in wrap_lines(next(iter(render_body(body))), 24, console)
    ]
    assert lines[0].startswith("• word") and lines[1].startswith("  word")
    assert Wrapped(next(iter(render_body(body)))) is not None
    code = ["".join(s.text for s in line) for line in wrap_lines(list(render_body(body))[1], 24, console)]
    assert all(line.startswith("    ") for line in code)


# -- through the CLI ------------------------------------------------------------------------------


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    library = demo_library(tmp_path / "lib")
    add_drafts(library, "gazette", "Harbour Gazette", [draft()])
    return library


def test_show_prints_headings_lists_quotes_and_code(lib: Library) -> None:
    out = run_cli("show", "render00000001", library=lib.path).stdout
    lines = out.splitlines()
    assert lines[0] == "Harbour plan [31m explained"
    assert lines[1].startswith("By Jane Doe · Harbour Gazette · ")
    assert "What changes" in lines and "## What changes" not in out
    assert "  • before winter" in lines
    assert "    return hour % 12" in lines
    assert "> for business" in lines
    assert lines[-1] == "[1] https://example.org/plan"
    assert json.loads(run_cli("show", "render00000001", "--json", library=lib.path).stdout)["body"] == BODY


# -- through the TUI ------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_the_article_pane_shows_headings_without_marks(lib: Library) -> None:
    app = NewsReaderApp(lib, Settings(animations=False), None)
    async with app.run_test(size=(140, 60)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        index = next(i for i, a in enumerate(screen.headlines.articles) if a.id == "render00000001")
        screen.headlines.move_cursor(index)
        await pilot.press("enter")
        await settle(pilot)
        text = visible_text(app)
        assert "What changes" in text and "## What changes" not in text
        assert "    return hour % 12" in text  # code keeps its indentation
        assert "  • before winter" in text
