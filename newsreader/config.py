"""Where the library lives and what settings.toml says.

Precedence for the library folder: ``--library DIR`` > ``$NEWSREADER_HOME`` > the platform's user data dir.
Settings live in ``settings.toml`` inside the library folder when ``--library``/``$NEWSREADER_HOME`` is given
(so a demo or test library carries its own), else in the platform's user config dir.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from newsreader.errors import UserInputError

if TYPE_CHECKING:
    from newsreader.organise.retention import Policy
    from newsreader.organise.rules import Rule

APP_NAME = "newsreader"


def library_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The library folder to use (not created here)."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get("NEWSREADER_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def lock_timeout() -> float:
    """Seconds a writer waits for another process's lock (``$NEWSREADER_LOCK_TIMEOUT``, default 10)."""
    raw = os.environ.get("NEWSREADER_LOCK_TIMEOUT", "")
    try:
        return max(0.0, float(raw)) if raw else 10.0
    except ValueError:
        raise UserInputError(f"NEWSREADER_LOCK_TIMEOUT must be a number of seconds, not {raw!r}") from None


def settings_path(override: str | os.PathLike[str] | None = None) -> Path:
    """The settings.toml to read and write."""
    if override or os.environ.get("NEWSREADER_HOME"):
        return library_dir(override) / "settings.toml"
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, appauthor=False)) / "settings.toml"


@dataclass(frozen=True, slots=True)
class Settings:
    """User settings; every field has a default so a missing file is a valid one."""

    theme: str = "newsreader"
    """Textual theme name; saved when the user switches theme."""
    keys: dict[str, str] = field(default_factory=dict)
    """Binding id -> keys (``"next-unread" = "N,u"``), applied over the default keymap."""
    refresh_concurrency: int = 16
    """How many feeds are fetched at once."""
    fetch_timeout: float = 20.0
    """Seconds before a feed download is given up."""
    max_feed_bytes: int = 10 * 1024 * 1024
    """Size cap for one feed download."""
    animations: bool = True
    """Set false to disable Textual animations (tests and slow terminals)."""
    refresh_interval: str = "1h"
    """How often a feed without its own interval is due (``refresh --due``, the app's refresh)."""
    keep_days: int = 0
    """``prune`` drops articles older than this many days (0: no age limit)."""
    keep_articles: int = 0
    """``prune`` keeps at most this many articles per feed (0: no limit)."""
    rules: tuple[Rule, ...] = ()
    """``[[rules]]``: a query and an action each, applied to new articles (README "Organising")."""

    @property
    def interval(self) -> float:
        """``refresh_interval`` in seconds (checked when the settings were read)."""
        from newsreader.organise.schedule import parse_interval

        return parse_interval(self.refresh_interval)

    @property
    def retention(self) -> Policy:
        """The default retention of every feed."""
        from newsreader.organise.retention import Policy

        return Policy(days=self.keep_days or None, articles=self.keep_articles or None)

    compact_list: bool = False
    """One line per headline (newsboat's density) instead of title, meta and preview."""
    sort_order: str = "newest"
    """The headline list's order at start: ``newest``, ``oldest``, ``title`` or ``source`` (``O`` cycles)."""
    hide_read: bool = False
    """Start with read articles left out of the lists (``H`` toggles)."""
    download_dir: str = ""
    """Where enclosures are downloaded; empty means ``<your Downloads folder>/newsreader``."""
    browser: list[str] = field(default_factory=list)
    """Argument list to open a link, ``{url}`` the URL; empty means ``$BROWSER``, else the system default."""
    browser_mode: str = "auto"
    """``terminal`` (the app suspends while it runs), ``gui`` (started detached) or ``auto`` (by name)."""
    player: list[str] = field(default_factory=lambda: ["mpv", "{url}"])
    """Argument list to play an enclosure (a downloaded file's path, else its URL)."""
    player_mode: str = "auto"
    pipe_command: list[str] = field(default_factory=lambda: ["less"])
    """Argument list the article's Markdown is piped to (stdin)."""
    pipe_mode: str = "terminal"


SORT_ORDERS = ("newest", "oldest", "title", "source")
"""The headline list's orders (``sort_order``)."""

_KINDS = {bool: "true or false", int: "a whole number", float: "a number", str: "a string", list: "a list"}


def load_settings(path: Path) -> Settings:
    """Read settings.toml; a missing file gives the defaults, a broken one a clear error."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UserInputError(f"cannot read settings {path}: {exc}") from exc
    known = set(Settings.__dataclass_fields__)
    unknown = sorted(set(raw) - known)
    if unknown:
        raise UserInputError(f"{path}: unknown setting(s): {', '.join(unknown)}")
    keys = raw.get("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        raise UserInputError(f"{path}: [keys] must map binding ids to key strings")
    for name in ("browser", "player", "pipe_command"):
        value = raw.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise UserInputError(f'{path}: {name} must be a list of strings, like ["mpv", "{{url}}"]')
    if raw.get("sort_order", "newest") not in SORT_ORDERS:
        raise UserInputError(f"{path}: sort_order must be one of {', '.join(SORT_ORDERS)}")
    for name in ("browser_mode", "player_mode", "pipe_mode"):
        if raw.get(name, "auto") not in ("auto", "terminal", "gui"):
            raise UserInputError(f"{path}: {name} must be auto, terminal or gui")
    defaults = Settings()
    for name, value in raw.items():
        expected = type(getattr(defaults, name))
        if name in ("keys", "rules") or (expected is float and type(value) is int):
            continue
        if type(value) is not expected:
            raise UserInputError(f"{path}: {name} must be {_KINDS.get(expected, expected.__name__)}")
    values = dict(raw)
    values["keys"] = dict(keys)
    values["rules"] = _organise(path, raw)
    try:
        return Settings(**values)
    except TypeError as exc:
        raise UserInputError(f"{path}: {exc}") from exc


def _organise(path: Path, raw: dict[str, object]) -> tuple[Rule, ...]:
    """Check the organise settings (issue 14) and read the rules: each mistake is one line."""
    from newsreader.organise.rules import parse_rules
    from newsreader.organise.schedule import parse_interval

    if "refresh_interval" in raw:
        try:
            parse_interval(str(raw["refresh_interval"]))
        except UserInputError as exc:
            raise UserInputError(f"{path}: refresh_interval: {exc}") from None
    for name in ("keep_days", "keep_articles"):
        value = raw.get(name, 0)
        if isinstance(value, int) and value < 0:
            raise UserInputError(f"{path}: {name} must be 0 (no limit) or more, not {value}")
    return parse_rules(raw.get("rules"), where=str(path))


def download_folder(settings: Settings) -> Path:
    """The folder enclosures are downloaded into."""
    if settings.download_dir:
        return Path(settings.download_dir).expanduser()
    from platformdirs import user_downloads_dir

    return Path(user_downloads_dir()) / APP_NAME


def save_setting(path: Path, name: str, value: str | int | float | bool) -> None:
    """Set one top-level scalar setting, keeping the rest of the file as the user wrote it.

    tomlkit edits the document (comments, order and tables stay; a top-level key goes before the
    first table however the file starts), and the store's atomic write replaces the file whole.

    Raises:
        UserInputError: the file is not TOML, or cannot be written.
    """
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    from newsreader.errors import StoreError
    from newsreader.store.storage import atomic_write

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as exc:
        raise UserInputError(f"cannot read settings {path}: {exc}") from exc
    try:
        document = tomlkit.parse(text)
    except TOMLKitError as exc:
        raise UserInputError(f"cannot read settings {path}: {exc}") from exc
    document[name] = value  # tomlkit puts a new top-level key before the first table
    try:
        atomic_write(path, tomlkit.dumps(document).encode("utf-8"), backup=False)
    except StoreError as exc:
        raise UserInputError(str(exc)) from exc
