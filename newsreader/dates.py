"""Dates as a person reads them: always in the local time zone (``$TZ`` or the system's).

The library stores aware UTC datetimes; every place that shows one (the CLI's ``list`` and ``show``,
the headline list, the article pane, Markdown export) converts it here, so no screen says ``UTC`` while
another says local time (issue 13, item 10).
"""

from __future__ import annotations

from datetime import datetime


def local(when: datetime) -> datetime:
    """``when`` in the local zone (a naive datetime is taken as UTC, as the library stores them)."""
    if when.tzinfo is None:
        from datetime import UTC

        when = when.replace(tzinfo=UTC)
    return when.astimezone()


def day(when: datetime) -> str:
    """``2026-01-05``: the CLI's list column."""
    return local(when).strftime("%Y-%m-%d")


def minute(when: datetime) -> str:
    """``2026-01-05 10:00``: times in the CLI's tables."""
    return local(when).strftime("%Y-%m-%d %H:%M")


def long_date(when: datetime) -> str:
    """The article pane's date: ``Tuesday 24 November 2026, 21:40 CET``."""
    return local(when).strftime("%A %-d %B %Y, %H:%M %Z").strip()


def relative_date(when: datetime, now: datetime) -> str:
    """A short, glanceable date: ``now``, ``5m``, ``3h``, ``2d``, ``12 Mar``, ``2023-03-12`` (local days)."""
    seconds = (now - when).total_seconds()
    when, now = local(when), local(now)
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
