"""Browser, player and pipe commands: argument lists, no shell, the URL one argument."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from newsreader.errors import UserInputError
from newsreader.launch import Command, browser_command, build_argv, command, run_in_terminal, start_detached

HOSTILE = "https://example.org/a b;rm -rf ~ $(touch pwned)&x=`id`"


def test_url_is_one_argument_and_never_a_shell(tmp_path: Path) -> None:
    assert build_argv(["mpv", "--no-video", "{url}"], HOSTILE) == ("mpv", "--no-video", HOSTILE)
    assert build_argv(["w3m"], HOSTILE) == ("w3m", HOSTILE)
    out = tmp_path / "argv.txt"
    script = f"import sys; open({str(out)!r}, 'w').write(repr(sys.argv[1:]))"
    code = run_in_terminal(Command((sys.executable, "-c", script, HOSTILE), terminal=True))
    assert code == 0
    assert out.read_text() == repr([HOSTILE])
    assert not (Path.cwd() / "pwned").exists()


def test_bad_templates_are_one_line_errors() -> None:
    with pytest.raises(UserInputError, match="list of strings"):
        build_argv([], "u")
    with pytest.raises(UserInputError, match="mode"):
        command(["mpv"], "u", "sometimes")
    with pytest.raises(UserInputError, match="cannot run"):
        run_in_terminal(Command(("/nonexistent/program",), terminal=True))


def test_terminal_or_gui_by_name_or_setting() -> None:
    assert command(["w3m"], "u").terminal
    assert command(["mpv", "{url}"], "u").terminal
    assert not command(["firefox", "--new-tab"], "u").terminal
    assert command(["firefox"], "u", "terminal").terminal
    assert not command(["w3m"], "u", "gui").terminal


def test_browser_env_like_webbrowser(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BROWSER", os.pathsep.join(["/no/such/browser", "echo", "w3m -o x=1 %s"]))
    # The first entry on PATH wins; a plain name gets the URL appended.
    assert browser_command([], "https://e.org/") == Command(("echo", "https://e.org/"), terminal=False)
    fake = tmp_path / "w3m"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert browser_command([], "https://e.org/") == Command(("w3m", "-o", "x=1", "https://e.org/"), True)
    # The setting wins over $BROWSER.
    assert browser_command(["firefox"], "https://e.org/").argv == ("firefox", "https://e.org/")


def test_detached_program_gets_no_terminal_output(capfd: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    marker = tmp_path / "done"
    script = f"import sys; print('PAINTED'); open({str(marker)!r}, 'w').write(sys.stdin.read())"
    process = start_detached(Command((sys.executable, "-c", script), terminal=False), stdin="piped text")
    assert process.wait(timeout=30) == 0
    assert marker.read_text() == "piped text"
    assert "PAINTED" not in capfd.readouterr().out


def test_command_settings_are_checked(tmp_path: Path) -> None:
    from newsreader.config import download_folder, load_settings

    path = tmp_path / "settings.toml"
    path.write_text('player = "mpv {url}"\n')
    with pytest.raises(UserInputError, match="player must be a list of strings"):
        load_settings(path)
    path.write_text('browser_mode = "sometimes"\n')
    with pytest.raises(UserInputError, match="browser_mode must be auto, terminal or gui"):
        load_settings(path)
    path.write_text(f'browser = ["w3m", "{{url}}"]\ndownload_dir = "{tmp_path}/dl"\n')
    settings = load_settings(path)
    assert settings.browser == ["w3m", "{url}"] and settings.player == ["mpv", "{url}"]
    assert download_folder(settings) == tmp_path / "dl"
