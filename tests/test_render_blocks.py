"""Issue 13, defect 7: headings, code, tables and list items as the article pane and ``show`` draw them.

Dumps (Markdown and plain) and feed HTML are read into the one body convention (``## `` headings, fenced
or indented code, pipe tables, one list item a line), and ``newsreader.render`` draws that at the widths
the app uses: the article pane is at most 78 columns wide, 40 or so beside the list at 80 columns, and a
table too wide for the pane is shown row by row.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console
from rich.text import Text

from newsreader.config import Settings
from newsreader.ingest.dump import parse_dump
from newsreader.ingest.text import html_to_text
from newsreader.library import Library
from newsreader.render import block_kind, render_body, wrap_lines
from newsreader.tui.app import NewsReaderApp
from newsreader.tui.screens.main import MainScreen
from tests.conftest import run_cli
from tests.tui_support import demo_library, settle

NOTES = """\
# Release notes for the harbour app

*By Ana Ruiz*

The new version changes how timetables are read. Here is what you need to know.

## What changes

- The morning ferry leaves at 06:40, twenty minutes earlier than in the winter
  timetable, every day of the week.
- A new evening return on Fridays.
  - It waits for the last train.
* Bicycles travel free before 08:00.

Steps to update:

1. Open the app.
2. Pull down to refresh.

### Code

    def tide(hour):
        return hour % 12

```python
for stop in route:
    print(stop.name,   stop.time)   # [not a link](http://example.org/x)
```

| Stop | Departs | Notes |
|------|--------:|-------|
| Inner harbour | 06:40 | daily, weather permitting |
| Outer pier | 21:15 | Fridays \\| holidays |

That is all for now.
"""


def notes_body() -> str:
    (draft,) = parse_dump(NOTES, markdown=True)
    return draft.body


def test_markdown_dump_keeps_list_items_code_and_tables() -> None:
    (draft,) = parse_dump(NOTES, markdown=True)
    blocks = draft.body.split("\n\n")
    assert draft.title == "Release notes for the harbour app"
    assert blocks[2] == (
        "- The morning ferry leaves at 06:40, twenty minutes earlier than in the winter timetable, every day "
        "of the week.\n- A new evening return on Fridays.\n  - It waits for the last train.\n"
        "- Bicycles travel free before 08:00."
    )
    assert blocks[4] == "1. Open the app.\n2. Pull down to refresh."
    assert blocks[6] == "```\ndef tide(hour):\n    return hour % 12\n```"
    assert blocks[7].endswith("    print(stop.name,   stop.time)   # [not a link](http://example.org/x)\n```")
    assert blocks[8].startswith("| Stop | Departs | Notes |\n|------|--------:|-------|\n")
    assert blocks[-1] == "That is all for now."
    assert [block_kind(b) for b in blocks] == [
        *("body", "heading", "list", "body", "list", "heading", "code", "code", "table", "body")
    ]
    assert draft.links == ()  # the link is in code
    # The lead is prose: no list markers, no code, no table rows.
    assert draft.excerpt.startswith("The new version changes how timetables are read. Here is what you need")
    assert "- " not in draft.excerpt and "|" not in draft.excerpt and "```" not in draft.excerpt


def test_plain_dump_list_items_stay_separate_and_wrapped_items_join() -> None:
    text = (
        "Harbour council minutes\nBy Jo Bell\n\nThe council met on Tuesday. Items discussed:\n"
        "- Cruise ship limits, which the harbour\n  master wants lower\n- Parking on the quay\n"
        "* The new ferry timetable\n\nThe vote moves to April.\n"
    )
    (draft,) = parse_dump(text)
    assert draft.body.split("\n\n")[1] == (
        "- Cruise ship limits, which the harbour master wants lower\n- Parking on the quay\n"
        "- The new ferry timetable"
    )


def plain_lines(content: Text, width: int) -> list[str]:
    console = Console(width=200, color_system=None)
    return ["".join(s.text for s in line).rstrip() for line in wrap_lines(content, width, console)]


def rendered(body: str) -> Text:
    return Text("\n\n", end="").join(render_body(body))


@pytest.mark.parametrize("width", [78, 48, 36])
def test_a_table_is_drawn_as_a_grid_that_fits_the_pane(width: int) -> None:
    lines = plain_lines(rendered(notes_body()), width)
    assert all(len(line) <= width for line in lines), [line for line in lines if len(line) > width]
    grid = [line for line in lines if line.startswith(("│", "┌", "├", "└"))]
    assert grid[0].startswith("┌") and grid[-1].startswith("└")
    header = next(line for line in grid if "Stop" in line)
    assert "Departs" in header and "Notes" in header and "|" not in header
    assert any("Fridays | holidays" in line or "Fridays |" in line for line in grid)  # "\|" read back
    assert not any(line.startswith("| ") for line in lines)


def test_a_table_wider_than_the_pane_is_shown_row_by_row() -> None:
    lines = plain_lines(rendered(notes_body()), 24)
    assert all(len(line) <= 24 for line in lines)
    assert "Stop: Inner harbour" in lines and "  Departs: 06:40" in lines
    assert not any(line.startswith(("│", "┌", "| ")) for line in lines)


def test_code_keeps_every_space_and_is_never_reflowed() -> None:
    lines = plain_lines(rendered(notes_body()), 78)
    assert "def tide(hour):" in lines and "    return hour % 12" in lines
    assert "    print(stop.name,   stop.time)   # [not a link](http://example.org/x)" in lines
    assert not any(line.startswith("```") for line in lines)
    # Narrower than a line: cut at the width (not at a word), every character kept, under the indentation.
    line = "    x = call(alpha,   beta,   gamma,   delta)"
    console = Console(width=200, color_system=None)
    narrow = ["".join(s.text for s in x) for x in wrap_lines(rendered(f"```\n{line}\n```"), 20, console)]
    assert narrow == ["    x = call(alpha, ", "      beta,   gamma,", "       delta)"]
    assert narrow[0] + "".join(x[4:] for x in narrow[1:]) == line
    # HTML <pre> with no indented line is code too once fenced by nothing: its spaces stay.
    body, _ = html_to_text("<pre>a   b\nc</pre>")
    assert plain_lines(rendered(body), 40) == ["a   b", "c"]


def test_headings_are_shown_without_marks_and_styled() -> None:
    blocks = list(render_body(notes_body()))
    heading = blocks[1]
    assert heading.plain == "What changes" and heading.style


MD_TABLE_HTML = (
    "<p>Times:</p><table><tr><th>Stop</th><th>Departs</th></tr><tr><td>Inner harbour</td><td>06:40</td></tr>"
    "<tr><td>Outer pier</td><td>21:15</td></tr></table><h3>What changes</h3><pre>for s in stops:\n"
    "    print(s)</pre>"
)


def test_feed_html_tables_render_as_grids() -> None:
    body, _ = html_to_text(MD_TABLE_HTML)
    lines = plain_lines(rendered(body), 40)
    assert "What changes" in lines and "## What changes" not in lines
    assert any(line.startswith("│ Inner harbour") and "06:40" in line for line in lines)
    assert "    print(s)" in lines


# -- through show and the app at 140, 80 and 56 columns -----------------------------------------


@pytest.fixture
def library_with_notes(tmp_path: Path) -> Library:
    return demo_library(tmp_path / "lib", extra_dumps={"release-notes.md": NOTES})


def test_show_draws_headings_and_nested_items(library_with_notes: Library) -> None:
    out = run_cli("show", _notes_id(library_with_notes), library=library_with_notes.path).stdout
    assert "What changes" in out.splitlines() and "## " not in out
    assert "  - It waits for the last train." in out.splitlines()


def _notes_id(library: Library) -> str:
    return next(a.id for a in library.articles() if a.title == "Release notes for the harbour app")


@pytest.mark.anyio
@pytest.mark.parametrize("size", [(140, 60), (80, 60), (56, 60)])
async def test_the_article_pane_draws_tables_code_and_lists(
    library_with_notes: Library, size: tuple[int, int]
) -> None:
    app = NewsReaderApp(library_with_notes, Settings(animations=False), None)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        articles = screen.headlines.articles
        index = next(i for i, a in enumerate(articles) if a.title.startswith("Release notes"))
        screen.headlines.move_cursor(index)
        await pilot.press("enter")
        await settle(pilot)
        lines = screen.article_view.lines
        text = "\n".join(lines)
        assert "What changes" in lines and "## " not in text
        assert "    return hour % 12" in lines
        assert "  - It waits for the last train." in lines
        assert any(line.startswith("┌") for line in lines) or "Stop: Inner harbour" in lines
        width = screen.article_view.measure
        assert all(len(line.rstrip()) <= width for line in lines)


def test_markdown_export_keeps_code_and_tables(library_with_notes: Library) -> None:
    out = run_cli("show", _notes_id(library_with_notes), "--markdown", library=library_with_notes.path).stdout
    assert "```\ndef tide(hour):\n    return hour % 12\n```" in out
    assert "    print(stop.name,   stop.time)   # [not a link](http://example.org/x)" in out
    assert "| Stop | Departs | Notes |\n|------|--------:|-------|\n| Inner harbour | 06:40 |" in out
    assert "| Fridays \\| holidays |" in out
