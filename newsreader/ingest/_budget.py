"""A time budget for parsing one document, checked by the XML driver and the HTML converter.

The deadline lives in a context variable, so parses in other threads (or worker processes) keep
their own, and code that checks it needs no extra argument threaded through feedparser.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

PARSE_SECONDS = 10.0
"""Budget of one feed document: XML parsing and HTML conversion of every entry."""
CHECK_EVERY = 4096
"""Elements or tokens between two looks at the clock (a look costs about 50 ns)."""

_deadline: ContextVar[float | None] = ContextVar("newsreader_parse_deadline", default=None)


class ParseBudgetExceeded(Exception):
    """Parsing one document took longer than its budget."""


@contextmanager
def budget(seconds: float) -> Iterator[None]:
    """Parses inside this block stop with :class:`ParseBudgetExceeded` once ``seconds`` have passed."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def check() -> None:
    """Raise :class:`ParseBudgetExceeded` if the current parse is past its deadline."""
    limit = _deadline.get()
    if limit is not None and time.monotonic() >= limit:
        raise ParseBudgetExceeded("the parse ran past its time budget")
