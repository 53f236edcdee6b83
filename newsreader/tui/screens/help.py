"""The ``?`` screen: every key, as currently mapped (``[keys]`` in settings.toml included)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

HelpSection = tuple[str, Sequence[BindingType]]
"""A heading and the bindings listed under it."""


class HelpScreen(ModalScreen[None]):
    """Lists bindings by section, each with its id so users know what to remap."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", id="help-close"),
    ]

    def __init__(self, sections: Iterable[HelpSection], keymap: dict[str, str]) -> None:
        super().__init__()
        self.sections = list(sections)
        self.keymap = keymap
        """Binding id -> keys as remapped by the user."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help", classes="dialog"):
            yield Static(Text("Keys", style="bold"), id="help-title")
            self.table = self._table()
            yield Static(self.table, id="help-table")
            yield Static(
                Text(
                    'Remap any key in settings.toml, e.g.  [keys]  next-unread = "N,u"\n'
                    "ctrl+p opens the command palette: every action, and the theme switcher.\n"
                    f"Settings: {self._settings_path()}",
                    style="dim",
                ),
                id="help-footer",
            )

    def _table(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(justify="right", style="bold", no_wrap=True)
        table.add_column(min_width=18)  # at 56 columns the ids must give way, not the descriptions
        table.add_column(style="dim", no_wrap=True, overflow="ellipsis")
        for heading, bindings in self.sections:
            table.add_row(Text(""), Text(heading, style="bold underline"), Text(""))
            for binding in bindings:
                if not isinstance(binding, Binding) or binding.system:
                    continue
                keys = self.keymap.get(binding.id or "", binding.key)
                shown = ", ".join(
                    self.app.get_key_display(binding.with_key(key.strip())) for key in keys.split(",")
                )
                table.add_row(
                    Text(shown), Text(binding.description or binding.action), Text(binding.id or "")
                )
        return table

    def _settings_path(self) -> str:
        path = getattr(self.app, "settings_path", None)
        return str(path) if path is not None else "none (this session saves nothing)"

    def action_close(self) -> None:
        self.dismiss(None)
