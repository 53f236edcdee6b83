"""NewsReaderApp: global keys, the theme, settings, and the entry point the CLI calls.

The app itself is thin: it applies the user's keymap and theme, pushes the main screen, and adds
every reading action to the command palette (``ctrl+p``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.theme import Theme

from newsreader.config import Settings, save_setting
from newsreader.errors import NewsreaderError
from newsreader.tui.keys import READING_KEYS
from newsreader.tui.organise import ORGANISE_KEYS
from newsreader.tui.screens.help import HelpScreen
from newsreader.tui.screens.main import MainScreen
from newsreader.tui.widgets.article_view import ArticleView
from newsreader.tui.widgets.headline_list import HeadlineList
from newsreader.tui.widgets.search_bar import SearchBar
from newsreader.tui.widgets.source_list import SourceList

if TYPE_CHECKING:
    from newsreader.library import Library

NEWSREADER_THEME = Theme(
    name="newsreader",
    primary="#7FA7CF",
    secondary="#93B79A",
    accent="#E3A857",
    warning="#E3A857",
    error="#E0707A",
    success="#98C379",
    foreground="#DAD5CB",
    background="#191B20",
    surface="#1F2228",
    panel="#2A2E36",
    dark=True,
    variables={
        "footer-key-foreground": "#E3A857",
        "block-cursor-background": "#2E3440",
        "block-cursor-foreground": "#F2EEE6",
        "block-cursor-text-style": "none",
        "input-selection-background": "#7FA7CF 35%",
    },
)
"""The default theme: warm off-white on a dark slate, amber for what is unread, for long reading."""


SWITCH_INTERVAL = 0.001
"""Seconds a thread keeps the GIL once another has asked for it, while the app runs (Python's is 5 ms)."""


class NewsReaderApp(App[None]):
    """A terminal newsreader over one ``Library``."""

    CSS_PATH = "app.tcss"
    TITLE = "newsreader"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "q",
            "back_or_quit",
            "Quit",
            id="quit",
            tooltip="Step back (article, source, search); quit at the top",
        ),
        Binding("Q", "quit", "Quit now", show=False, id="quit-now", tooltip="Quit at once"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, priority=True, id="palette"),
    ]
    """Global keys; the reading keys live on ``MainScreen``."""

    def __init__(
        self,
        library: Library,
        settings: Settings | None = None,
        settings_path: Path | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        self.library = library
        self.settings = settings or Settings()
        self.settings_path = settings_path
        """Where the theme is saved on change; None saves nothing (tests)."""
        if clock is not None:
            library.now = clock
        self.keymap: dict[str, str] = dict(self.settings.keys)
        """Binding id -> keys from settings.toml ``[keys]``."""
        self._saved_theme = self.settings.theme
        self._switch_interval = sys.getswitchinterval()
        if not self.settings.animations:
            self.animation_level = "none"

    def on_unmount(self) -> None:
        sys.setswitchinterval(self._switch_interval)

    def on_mount(self) -> None:
        # A worker thread holds the interpreter until the UI thread has asked for it this long:
        # Python's 5 ms, paid on every wake-up of the UI thread while a list loads, is most of a frame.
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)
        self.register_theme(NEWSREADER_THEME)
        wanted = self.settings.theme
        if wanted not in self.available_themes:
            self.notify(f"Unknown theme {wanted!r}; using newsreader.", markup=False)
            wanted = "newsreader"
        self._saved_theme = wanted
        self.theme = wanted
        unknown = sorted(set(self.keymap) - self.binding_ids())
        if unknown:
            self.notify(
                f"settings.toml [keys]: unknown binding id(s): {', '.join(unknown)}",
                severity="warning",
                markup=False,
            )
        self.set_keymap(self.keymap)
        self.push_screen(MainScreen(self.library))

    def get_default_screen(self) -> Screen[None]:
        return Screen(id="_default")

    # -- keys and help ------------------------------------------------------------------------

    @classmethod
    def help_sections(cls) -> list[tuple[str, list[BindingType]]]:
        """Every binding the app has, by where it applies (the help screen and palette list them)."""
        return [
            ("Reading", list(READING_KEYS)),
            ("Organising", list(ORGANISE_KEYS)),
            ("Headline list", list(HeadlineList.BINDINGS)),
            ("Sources", list(SourceList.BINDINGS)),
            ("Article", list(ArticleView.BINDINGS)),
            ("Search bar", list(SearchBar.BINDINGS)),
            ("App", list(cls.BINDINGS)),
        ]

    @classmethod
    def binding_ids(cls) -> set[str]:
        """Every id a ``[keys]`` table may remap."""
        ids: set[str] = set()
        for _heading, bindings in cls.help_sections():
            ids.update(b.id for b in bindings if isinstance(b, Binding) and b.id)
        return ids

    def action_back_or_quit(self) -> None:
        main = self.screen
        if not isinstance(main, MainScreen) or main.step_back():
            return
        self.exit()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.help_sections(), self.keymap))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        main = self._main_screen()
        if main is None:
            return
        for _heading, bindings in self.help_sections()[:1]:
            for binding in bindings:
                if not isinstance(binding, Binding) or not binding.description:
                    continue
                key = self.keymap.get(binding.id or "", binding.key).split(",")[0]
                yield SystemCommand(
                    binding.tooltip or binding.description,
                    f"{binding.description} (key: {self.get_key_display(binding.with_key(key))})",
                    _bound(main, binding.action),
                )
        yield SystemCommand("Help", "Show every key (?)", self.action_help)

    def _main_screen(self) -> MainScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        return None

    # -- theme --------------------------------------------------------------------------------

    def watch_theme(self, theme: str) -> None:
        if theme and theme != self._saved_theme and self.settings_path is not None:
            self._saved_theme = theme
            self._save_theme(theme)

    @work(thread=True, group="settings")
    def _save_theme(self, theme: str) -> None:
        assert self.settings_path is not None
        try:
            save_setting(self.settings_path, "theme", theme)
        except (OSError, NewsreaderError) as exc:
            self.call_from_thread(
                self.notify, f"Could not save the theme: {exc}", severity="error", markup=False
            )


def _bound(screen: MainScreen, action: str) -> Callable[[], object]:
    """A palette callback that runs a screen action string such as ``step(1)``."""

    def run() -> object:
        return screen.run_action(action)

    return run


def run(library: Library, settings: Settings, settings_path: Path) -> None:
    """Open the TUI on ``library`` (called by the CLI when no subcommand is given)."""
    NewsReaderApp(library, settings, settings_path).run()
