"""Hostile queries (issue 9, items 5 and 11): deep nesting and floods of prefixes get a one-line
error or a best-effort reading, never a RecursionError and never a search that runs for seconds."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newsreader.errors import InvalidQueryError
from newsreader.library import Library
from newsreader.search import MAX_DEPTH, MAX_PREFIXES, Not, Query, Term, parse_query
from tests.cli_support import invoke
from tests.tui_support import demo_library, settle, visible_text

ROOT = Path(__file__).resolve().parent.parent


def _read(text: str) -> Query | InvalidQueryError:
    try:
        return parse_query(text)
    except InvalidQueryError as exc:
        return exc


@pytest.mark.parametrize(
    "text",
    [
        "(" * 600,
        "(" * 500,
        "-(" * 300,
        "NOT " * 1000,
        "(" * 600 + "putin",
        "-(" * 300 + "putin",
        "((a " * 400,
    ],
)
def test_deep_nesting_is_a_one_line_error_or_a_reading(text: str) -> None:
    got = _read(text)  # a RecursionError fails here
    if isinstance(got, InvalidQueryError):
        message = str(got)
        assert "\n" not in message and len(message) < 200, message


def test_too_deep_nesting_says_so() -> None:
    with pytest.raises(InvalidQueryError, match=f"more than {MAX_DEPTH} deep"):
        parse_query("(" * (MAX_DEPTH + 1) + "putin")
    with pytest.raises(InvalidQueryError, match=f"more than {MAX_DEPTH} deep"):
        parse_query("-(" * (MAX_DEPTH + 1) + "putin")


def test_nesting_up_to_the_limit_still_reads() -> None:
    assert parse_query("(" * MAX_DEPTH + "putin" + ")" * MAX_DEPTH).tree == Term(("putin",))
    assert parse_query("-(" * 3 + "putin").tree == Not(Term(("putin",)))


def test_a_run_of_not_is_read_by_its_parity() -> None:
    assert parse_query("NOT " * 1000 + "putin").tree == Term(("putin",))
    assert parse_query("NOT " * 1001 + "putin -biden").tree is not None
    assert parse_query("NOT " * 999 + "putin").tree == Not(Term(("putin",)))


def test_a_long_query_is_quoted_short_in_its_error() -> None:
    with pytest.raises(InvalidQueryError, match="nothing to search for") as info:
        parse_query("NOT " * 1000)
    assert len(str(info.value)) < 200


def test_prefix_terms_are_capped() -> None:
    at_cap = " OR ".join(f"w{i}*" for i in range(MAX_PREFIXES))
    assert len(parse_query(at_cap).terms) == MAX_PREFIXES
    with pytest.raises(InvalidQueryError, match=f"at most {MAX_PREFIXES} words ending in") as info:
        parse_query(" ".join(f"w{i}*" for i in range(10_000)))
    assert "\n" not in str(info.value) and "10000" in str(info.value)
    # Excluded prefixes cost a scan too; a phrase ending in * counts as one.
    with pytest.raises(InvalidQueryError, match=f"this one has {MAX_PREFIXES + 1}"):
        parse_query(at_cap + " off-ramp*")
    with pytest.raises(InvalidQueryError, match=f"this one has {MAX_PREFIXES + 1}"):
        parse_query("putin " + " ".join(f"-w{i}*" for i in range(MAX_PREFIXES + 1)))


@pytest.mark.parametrize("text", ["(" * 500, "-(" * 300, "NOT " * 1000, "(" * 600 + "x"])
def test_cli_exits_as_for_a_user_error(tmp_path: Path, text: str) -> None:
    lib = demo_library(tmp_path / "lib")
    proc = invoke("search", text, library=lib.path, env=os.environ, cwd=ROOT)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith("newsreader: error: ") and proc.stderr.count("\n") == 1, proc.stderr


@pytest.mark.anyio
async def test_pasting_600_parentheses_into_the_search_bar_keeps_the_app(tmp_path: Path) -> None:
    from textual import events

    from newsreader.config import Settings
    from newsreader.tui.app import NewsReaderApp

    library: Library = demo_library(tmp_path / "lib")
    app = NewsReaderApp(library, Settings(animations=False), None)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert app.focused is not None
        app.focused.post_message(events.Paste("(" * 600))
        await pilot.pause()
        await settle(pilot)
        assert app.is_running
        assert "deep" in visible_text(app) or "nothing to search for" in visible_text(app)
