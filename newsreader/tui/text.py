"""Display helpers shared by the widgets: safe text and human dates.

Ingest already strips control and escape sequences; this is a second, cheap guard at the last step
before the terminal, because a library written by an older or foreign tool may still carry them.
"""

from __future__ import annotations

from rich.style import Style

from newsreader.dates import relative_date
from newsreader.render import long_date, safe, safe_line

__all__ = ["long_date", "relative_date", "safe", "safe_line", "without_background"]


def without_background(style: Style) -> Style:
    """A component style's colour and attributes, minus the background it was resolved on.

    Textual resolves ``$text-muted`` and other translucent colours only in full (non-partial)
    component styles, which also carry the widget's background; dropping it lets a row's cursor
    background show through.
    """
    return Style(
        color=style.color,
        bold=style.bold,
        dim=style.dim,
        italic=style.italic,
        underline=style.underline,
        strike=style.strike,
        reverse=style.reverse,
    )
