"""The key footer: one line of the keys that act where focus is, drawn as text.

Textual's ``Footer`` composes a widget per key and mounts them all again whenever the bindings change
(every focus move): at start-up that was ~45% of the app's CPU before the first frame. This draws the
same line from the screen's active bindings and only repaints when they change. Keys are clickable as
in ``Footer``: a click on a key presses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.widget import Widget


@dataclass(frozen=True, slots=True)
class _Span:
    """Where one key sits on the line, for clicks."""

    start: int
    end: int
    key: str
    enabled: bool


class KeyFooter(Widget):
    """The screen's shown bindings, led by an optional label (``label`` callable), the command palette
    key kept at the right edge. Keys that do not fit are left out whole, never cut."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-footer--key",
        "key-footer--description",
        "key-footer--label",
    }
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .key-footer--label {
            color: $footer-key-foreground;
            background: $panel;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._spans: list[_Span] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: object) -> None:
        self.refresh()

    def _label(self) -> str | None:
        describe = getattr(self.screen, "target_label", None)
        return f"acting on {describe()}" if callable(describe) else None

    def render(self) -> Text:
        width = self.size.width
        key_style = self.get_component_rich_style("key-footer--key")
        text_style = self.get_component_rich_style("key-footer--description")
        dim = Style(dim=True)
        line = Text(no_wrap=True, overflow="crop", end="")
        spans: list[_Span] = []
        label = self._label()
        if label:
            line.append(f" {label} ", self.get_component_rich_style("key-footer--label"))
            line.append(" ")
        items: list[tuple[str, str, str, bool]] = []
        palette: tuple[str, str, str, bool] | None = None
        app = self.app
        actions: set[str] = set()
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if binding.action in actions:  # several keys for one action: the first names it, as in Footer
                continue
            actions.add(binding.action)
            item = (key, app.get_key_display(binding), binding.description, active.enabled)
            if key == app.COMMAND_PALETTE_BINDING and app.ENABLE_COMMAND_PALETTE:
                palette = item
            elif binding.show:
                items.append(item)
        tail = Text(no_wrap=True, end="")
        if palette is not None:
            tail.append("▏", Style(dim=True))
            tail.append(f" {palette[1]} ", key_style)
            tail.append(f"{palette[2]} ", text_style)
        room = width - tail.cell_len
        for key, display, description, enabled in items:
            piece = Text.assemble((f" {display} ", key_style), (f"{description} ", text_style))
            if not enabled:
                piece.stylize(dim)
            if line.cell_len + piece.cell_len > room:
                break
            start = line.cell_len
            line.append_text(piece)
            spans.append(_Span(start, line.cell_len, key, enabled))
        if palette is not None and line.cell_len + tail.cell_len <= width:
            line.append(" " * (width - line.cell_len - tail.cell_len))
            start = line.cell_len
            line.append_text(tail)
            spans.append(_Span(start + 1, line.cell_len, palette[0], palette[3]))
        self._spans = spans
        return line

    def on_click(self, event: events.Click) -> None:
        for span in self._spans:
            if span.start <= event.x < span.end:
                event.stop()
                if span.enabled:
                    self.app.simulate_key(span.key)
                else:
                    self.app.bell()
                return

    @property
    def keys_shown(self) -> list[str]:
        """The keys on the line as last drawn."""
        return [span.key for span in self._spans]
