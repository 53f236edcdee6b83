"""The CLI contract: commands, JSON fields, exit codes, one-line errors and no tracebacks."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from newsreader.store import Store
from tests.conftest import FEEDS, SEED, run_cli

LIST_FIELDS = {
    "id",
    "title",
    "feed",
    "author",
    "published",
    "url",
    "excerpt",
    "read",
    "starred",
    "truncated",
    "source",
}


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    path = tmp_path / "lib"
    result = run_cli("import", str(SEED), library=path)
    assert result.returncode == 0, result.stderr
    return path


def assert_user_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_import_reports_new_and_present(tmp_path: Path) -> None:
    path = tmp_path / "lib"
    first = run_cli("import", str(SEED), library=path)
    assert first.returncode == 0
    assert "5 new, 0 already present, 0 failed" in first.stdout
    again = run_cli("import", str(SEED), library=path)
    assert "0 new, 5 already present, 0 failed" in again.stdout


def test_import_directory_takes_every_dump(tmp_path: Path) -> None:
    result = run_cli("import", str(FEEDS), library=tmp_path / "lib")
    assert result.returncode in (0, 1), result.stderr
    listed = json.loads(run_cli("list", "--json", library=tmp_path / "lib").stdout)
    assert {a["title"] for a in listed} >= {
        "The Night Ferry Returns to Skerry Sound",
        "A Field Guide to Reading in the Terminal",
        "US President Joe Biden expressed what is on many people’s minds",
    }


def test_list_json_fields_and_order(lib: Path) -> None:
    result = run_cli("list", "--json", library=lib)
    assert result.returncode == 0
    articles = json.loads(result.stdout)
    assert len(articles) == 5
    for article in articles:
        assert set(article) >= LIST_FIELDS
    assert articles[0]["author"] == "Andreas Kluth"
    assert [a["truncated"] for a in articles] == [False, True, True, True, True]
    assert articles[0]["source"].endswith("000_cbd8846d609ab0f0.txt")
    assert re.fullmatch(r"Dump of \d{1,2} \w{3} \d{4}", articles[0]["feed"])  # its readable default name


def test_list_filters_and_limit(lib: Path) -> None:
    ids = [a["id"] for a in json.loads(run_cli("list", "--json", library=lib).stdout)]
    assert run_cli("mark", ids[0], ids[1], "--read", library=lib).returncode == 0
    assert run_cli("mark", ids[2], "--star", library=lib).returncode == 0
    unread = json.loads(run_cli("list", "--unread", "--json", library=lib).stdout)
    assert [a["id"] for a in unread] == ids[2:]
    starred = json.loads(run_cli("list", "--starred", "--json", library=lib).stdout)
    assert [a["id"] for a in starred] == [ids[2]]
    limited = json.loads(run_cli("list", "--limit", "2", "--json", library=lib).stdout)
    assert [a["id"] for a in limited] == ids[:2]
    by_feed = json.loads(run_cli("list", "--feed", "000_cbd8846d609ab0f0.txt", "--json", library=lib).stdout)
    assert len(by_feed) == 5


def test_list_plain_output_is_one_line_per_article(lib: Path) -> None:
    result = run_cli("list", library=lib)
    assert result.returncode == 0
    assert len(result.stdout.strip().splitlines()) == 5
    assert "(excerpt)" in result.stdout


def test_show_json_has_body_and_metadata(lib: Path) -> None:
    first = json.loads(run_cli("list", "--json", "--limit", "1", library=lib).stdout)[0]
    shown = json.loads(run_cli("show", first["id"][:6], "--json", library=lib).stdout)
    assert set(shown) >= LIST_FIELDS | {"body"}
    assert len(shown["body"].split("\n\n")) == 21
    assert shown["credits"] == ["Illustration: Yusha"]
    assert shown["author_note"].startswith("Andreas Kluth is")


def test_show_plain_prints_the_article(lib: Path) -> None:
    first = json.loads(run_cli("list", "--json", "--limit", "1", library=lib).stdout)[0]
    result = run_cli("show", first["id"], library=lib)
    assert result.returncode == 0
    assert "By Andreas Kluth" in result.stdout
    assert "Illustration: Yusha" in result.stdout
    assert "Ruminating out loud" in result.stdout


def test_markup_in_content_is_printed_literally(tmp_path: Path) -> None:
    dump = tmp_path / "hostile.txt"
    dump.write_text("[bold]Boom[/] [@click=app.quit]x[/]\n\nBody with [red]tags[/red] and \x1b[2J escapes.\n")
    lib = tmp_path / "lib"
    assert run_cli("import", str(dump), library=lib).returncode == 0
    listed = run_cli("list", library=lib)
    assert "[bold]Boom[/] [@click=app.quit]x[/]" in listed.stdout
    article_id = json.loads(run_cli("list", "--json", library=lib).stdout)[0]["id"]
    shown = run_cli("show", article_id, library=lib)
    assert "[red]tags[/red]" in shown.stdout
    assert "\x1b[2J" not in shown.stdout


def test_mark_round_trip(lib: Path) -> None:
    first = json.loads(run_cli("list", "--json", "--limit", "1", library=lib).stdout)[0]["id"]
    assert run_cli("mark", first, "--read", "--star", library=lib).returncode == 0
    shown = json.loads(run_cli("show", first, "--json", library=lib).stdout)
    assert shown["read"] and shown["starred"]
    assert run_cli("mark", first, "--unread", "--unstar", library=lib).returncode == 0
    shown = json.loads(run_cli("show", first, "--json", library=lib).stdout)
    assert not shown["read"] and not shown["starred"]


# -- user errors: exit 1, one line, what and where --------------------------------------------------


def test_missing_path(tmp_path: Path) -> None:
    result = run_cli("import", str(tmp_path / "nope.txt"), library=tmp_path / "lib")
    assert_user_error(result, "nope.txt", "no such file")


def test_binary_file(tmp_path: Path) -> None:
    binary = tmp_path / "image.txt"
    binary.write_bytes(bytes(range(256)) * 20)
    assert_user_error(run_cli("import", str(binary), library=tmp_path / "lib"), "image.txt", "binary")


def test_undecodable_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken-utf16.txt"
    bad.write_bytes(b"\xff\xfe" + "ok".encode("utf-16-le") + b"\x00\xd8")  # lone surrogate
    assert_user_error(run_cli("import", str(bad), library=tmp_path / "lib"), "broken-utf16.txt", "UTF-16")


def test_good_files_still_import_beside_a_bad_one(tmp_path: Path) -> None:
    binary = tmp_path / "bad.txt"
    binary.write_bytes(b"\x00" * 100)
    result = run_cli("import", str(binary), str(SEED), library=tmp_path / "lib")
    assert result.returncode == 1
    assert "5 new" in result.stdout
    assert "bad.txt" in result.stderr


def test_unknown_id(lib: Path) -> None:
    assert_user_error(run_cli("show", "deadbeef", library=lib), "deadbeef", str(lib))
    assert_user_error(run_cli("mark", "deadbeef", "--read", library=lib), "deadbeef")


def test_mark_needs_a_flag(lib: Path) -> None:
    assert_user_error(run_cli("mark", "abcd", library=lib), "--read")


def test_corrupt_library(lib: Path) -> None:
    (lib / "headlines.json").write_text("{ not json")
    result = run_cli("list", library=lib)
    assert_user_error(result, "headlines.json", "corrupt")
    assert (lib / "headlines.json").read_text() == "{ not json"


def test_locked_library(lib: Path) -> None:
    env = dict(os.environ, NEWSREADER_LOCK_TIMEOUT="0.3")
    first = json.loads(run_cli("list", "--json", library=lib).stdout)[0]["id"]
    with Store(lib).locked():
        result = subprocess.run(
            [sys.executable, "-m", "newsreader", "--library", str(lib), "mark", first, "--read"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
    assert_user_error(result, "locked", str(lib))


def test_library_path_is_a_file(tmp_path: Path) -> None:
    file = tmp_path / "not-a-dir"
    file.write_text("x")
    assert_user_error(run_cli("list", library=file), "not-a-dir", "not a folder")


def test_bad_arguments_are_one_line_errors(lib: Path) -> None:
    assert_user_error(run_cli("list", "--limit", "many", library=lib), "--limit")
    assert_user_error(run_cli("frobnicate", library=lib), "frobnicate")
    assert_user_error(run_cli("list", "--limit", "-3", library=lib), "--limit")


def test_library_option_after_the_command(lib: Path) -> None:
    result = run_cli("list", "--library", str(lib), "--json")
    assert result.returncode == 0 and len(json.loads(result.stdout)) == 5


def test_newsreader_home_is_honoured(lib: Path) -> None:
    env = dict(os.environ, NEWSREADER_HOME=str(lib))
    result = subprocess.run(
        [sys.executable, "-m", "newsreader", "list", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0 and len(json.loads(result.stdout)) == 5


def test_zero_limit_and_empty_feed_are_user_errors(lib: Path) -> None:
    assert_user_error(run_cli("list", "--limit", "0", library=lib), "--limit", "at least 1")
    assert_user_error(run_cli("search", "putin", "--limit", "0", library=lib), "--limit")
    assert_user_error(run_cli("list", "--feed", "", library=lib), "empty name")


def test_show_piped_has_one_line_per_paragraph_and_no_trailing_spaces(lib: Path) -> None:
    first = json.loads(run_cli("list", "--json", "--limit", "1", library=lib).stdout)[0]["id"]
    out = run_cli("show", first, library=lib).stdout
    assert not [line for line in out.splitlines() if line.endswith(" ")]
    assert any(
        line.startswith("Ruminating out loud") and line.endswith("find a way out?”")
        for line in out.splitlines()
    )
    assert (
        "imported" in out.splitlines()[1]
    )  # the dump gives no date: the import date is not passed off as one


def test_copy_of_an_imported_dump_adds_no_empty_source(lib: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.txt"
    copy.write_bytes(SEED.read_bytes())
    result = run_cli("import", str(copy), library=lib)
    assert "0 new, 5 already present" in result.stdout
    sources = json.loads((lib / "sources.json").read_text())["sources"]
    assert [s["location"].rsplit("/", 1)[-1] for s in sources.values()] == ["000_cbd8846d609ab0f0.txt"]


def test_fifo_in_a_folder_is_reported_not_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "pipe.txt")
    (folder / "ok.txt").write_bytes(SEED.read_bytes())
    result = run_cli("import", str(folder), library=tmp_path / "lib")
    assert result.returncode == 1
    assert "pipe.txt: not a regular file" in result.stderr
    assert "5 new" in result.stdout
