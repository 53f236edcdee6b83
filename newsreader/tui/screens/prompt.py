"""A one-line question (a feed URL, a path to import) that returns the answer or None."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Button, Input, Static


class PromptScreen(ModalScreen[str | None]):
    """Ask for one value; ``enter`` accepts, ``esc`` cancels (returns None)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="prompt-cancel")]

    def __init__(self, title: str, placeholder: str = "", *, ok: str = "OK", value: str = "") -> None:
        super().__init__()
        self.value = value
        """What the field starts with (a feed's current name, to edit)."""
        self.title_text = title
        self.placeholder = placeholder
        self.ok = ok
        self.suggester: Suggester | None = None
        """Completes what is typed (the tag prompt's tags in use); set before the screen shows."""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Static(self.title_text, id="prompt-title", markup=False)
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input", suggester=self.suggester)
            with Horizontal(classes="buttons"):
                yield Button(self.ok, id="ok", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self.dismiss(self.query_one(Input).value.strip() or None)
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
