"""Settings and paths: defaults, overrides, clear errors, and saving one value without losing the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsreader.config import Settings, library_dir, load_settings, save_setting, settings_path
from newsreader.errors import UserInputError


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "settings.toml") == Settings()


def test_library_dir_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSREADER_HOME", str(tmp_path / "home"))
    assert library_dir(None) == tmp_path / "home"
    assert library_dir(tmp_path / "explicit") == tmp_path / "explicit"
    assert settings_path(None) == tmp_path / "home" / "settings.toml"
    monkeypatch.delenv("NEWSREADER_HOME")
    assert library_dir(None).name == "newsreader"


def test_keys_and_theme_are_read(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('theme = "nord"\n\n[keys]\nnext-unread = "N,u"\n')
    settings = load_settings(path)
    assert settings.theme == "nord"
    assert settings.keys == {"next-unread": "N,u"}


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("theme = ", "cannot read settings"),
        ("colour = 1\n", "unknown setting(s): colour"),
        ("[keys]\nquit = 3\n", "[keys]"),
    ],
)
def test_bad_settings_are_one_line_errors(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(text)
    with pytest.raises(UserInputError) as info:
        load_settings(path)
    assert needle in str(info.value) and str(path) in str(info.value)


def test_save_setting_keeps_the_rest_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('# my settings\ntheme = "nord"\nanimations = false\n\n[keys]\nquit = "q,ctrl+q"\n')
    save_setting(path, "theme", 'gruvbox "dark"')
    settings = load_settings(path)
    assert settings.theme == 'gruvbox "dark"'
    assert settings.animations is False
    assert settings.keys == {"quit": "q,ctrl+q"}
    assert path.read_text().startswith("# my settings\n")
    save_setting(path, "refresh_concurrency", 4)
    assert load_settings(path).refresh_concurrency == 4


def test_saving_a_theme_in_a_file_that_starts_with_a_table_keeps_it_top_level(tmp_path: Path) -> None:
    """A settings.toml that starts with [keys] got ``theme`` written inside [keys] (issue 10)."""
    path = tmp_path / "settings.toml"
    path.write_text('[keys]\nquit = "q"\n')
    save_setting(path, "theme", "nord")
    settings = load_settings(path)
    assert settings.theme == "nord"
    assert settings.keys == {"quit": "q"}
    save_setting(path, "theme", "gruvbox")
    assert load_settings(path).theme == "gruvbox"
    assert path.read_text().count("theme") == 1


def test_save_setting_replaces_the_file_atomically(tmp_path: Path) -> None:
    """Written through the store's atomic write: a temp file renamed over the old one, no leftovers."""
    path = tmp_path / "settings.toml"
    path.write_text('theme = "nord"\n')
    inode = path.stat().st_ino
    save_setting(path, "theme", "gruvbox")
    assert path.stat().st_ino != inode  # a new file was renamed into place, not rewritten in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["settings.toml"]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('fetch_timeout = "soon"\n', "fetch_timeout must be a number"),
        ("max_feed_bytes = 1.5\n", "max_feed_bytes must be a whole number"),
        ("animations = 1\n", "animations must be true or false"),
    ],
)
def test_settings_of_the_wrong_type_are_one_line_errors(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(text)
    with pytest.raises(UserInputError, match=needle):
        load_settings(path)
    (tmp_path / "ok.toml").write_text("fetch_timeout = 5\n")
    assert load_settings(tmp_path / "ok.toml").fetch_timeout == 5
