"""Display helpers shared by the widgets: safe text and human dates.

Ingest already strips control and escape sequences; this is a second, cheap guard at the last step
before the terminal, because a library written by an older or foreign tool may still carry them.
"""

from __future__ import annotations

from datetime import datetime

from rich.style import Style

from newsreader.render import long_date, safe, safe_line

__all__ = ["long_date", "relative_date", "safe", "safe_line", "without_background"]


def relative_date(when: datetime, now: datetime) -> str:
    """A short, glanceable date: ``now``, ``5m``, ``3h``, ``2d``, ``12 Mar``, ``2023-03-12``."""
    seconds = (now - when).total_seconds()
    if seconds < 0:
        # In the future (clock skew or a scheduled post): show the day rather than a negative age.
        return when.strftime("%-d %b") if when.year == now.year else when.strftime("%Y-%m-%d")
    if seconds < 60:
        return "now"
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h"
    if seconds < 7 * 86400:
        return f"{int(seconds // 86400)}d"
    if when.year == now.year:
        return when.strftime("%-d %b")
    return when.strftime("%Y-%m-%d")


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
