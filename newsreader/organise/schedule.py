"""Refresh schedules: intervals, which feeds are due, and the backoff of a failing feed.

A feed is due when its interval (its own, else the default in settings) has passed since it was last
fetched, and it is not backing off. A failing feed backs off: after the n-th failure in a row it waits
``interval * 2**n``, at most a day (or its interval, if that is longer); a success or a manual refresh
clears the count.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from newsreader.errors import UserInputError
from newsreader.store.records import SourceUpdate

if TYPE_CHECKING:
    from newsreader.store.records import SourceRecord

DAY = 86_400.0
DEFAULT_INTERVAL = 3_600.0
"""Seconds between refreshes of a feed with no interval of its own, when settings name none (1h)."""
_UNITS = {"s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")
MIN_INTERVAL = 60.0


def parse_interval(text: str) -> float:
    """Seconds in ``90s``, ``30m``, ``2h``, ``1d``, ``1h30m`` or ``1w``; at least a minute.

    Raises:
        UserInputError: not an interval (a bare number, an unknown unit), or under a minute.
    """
    raw = text.strip().lower()
    pos, total = 0, 0.0
    for match in _PART.finditer(raw):
        if raw[pos : match.start()].strip():
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if not raw or pos != len(raw) or raw[pos:].strip():
        raise UserInputError(f"not an interval: {text!r}; write it like 30m, 2h, 1d or 1h30m")
    if total < MIN_INTERVAL:
        raise UserInputError(f"an interval must be at least a minute, not {text!r}")
    return total


def format_interval(seconds: float) -> str:
    """``2h``, ``1h30m``, ``1d``: the shortest form ``parse_interval`` reads back."""
    left = round(seconds)
    out = []
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)):
        if left >= size:
            out.append(f"{left // size}{unit}")
            left %= size
    return "".join(out) or "0s"


def interval_of(source: Mapping[str, Any], default: float) -> float:
    value = source.get("interval")
    return float(value) if isinstance(value, int | float) and value > 0 else default


def backoff(failures: int, interval: float) -> float:
    """Seconds a feed waits after ``failures`` failures in a row (0 after none)."""
    if failures <= 0:
        return 0.0
    cap = max(DAY, interval)
    return min(interval * 2.0 ** min(failures, 32), cap)


def next_due(source: Mapping[str, Any], default: float) -> float:
    """Epoch seconds when the feed is next due (0: now, it was never fetched)."""
    interval = interval_of(source, default)
    last = source.get("last_fetched")  # set by every fetch, failed or not
    if not isinstance(last, int | float):
        return 0.0
    failures = int(source.get("failures") or 0)
    due = last + (backoff(failures, interval) if failures else interval)
    retry_at = source.get("retry_at")
    if isinstance(retry_at, int | float):
        due = max(due, retry_at)  # the server asked for a later retry (Retry-After)
    return float(due)


def is_due(source: Mapping[str, Any], now: float, default: float) -> bool:
    return next_due(source, default) <= now


def with_failures(update: SourceUpdate, source: Mapping[str, Any], *, ok: bool, manual: bool) -> SourceUpdate:
    """A fetch's source update with its failure count (``failures_after``) added."""
    failures = failures_after(source, ok=ok, manual=manual)
    fields = dict(update.set)
    fields["failures"] = failures
    return SourceUpdate(set=cast("SourceRecord", fields), clear=update.clear)


def failures_after(source: Mapping[str, Any], *, ok: bool, manual: bool) -> int:
    """Failures in a row after a fetch: a success clears them; a manual refresh starts them over."""
    if ok:
        return 0
    return 1 if manual else int(source.get("failures") or 0) + 1
