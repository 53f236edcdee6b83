"""Schedule and backoff maths, and which articles a prune drops: pure functions."""

from __future__ import annotations

import pytest

from newsreader.errors import UserInputError
from newsreader.organise.retention import Policy, policy_for, protected, select
from newsreader.organise.schedule import (
    DAY,
    backoff,
    failures_after,
    format_interval,
    is_due,
    next_due,
    parse_interval,
)
from newsreader.search.hits import HIDDEN, READ, STARRED

H = 3600.0


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("2h", 7200), ("30m", 1800), ("1d", DAY), ("1h30m", 5400), ("90s", 90), ("1w", 7 * DAY), (" 2H ", 7200)],
)
def test_parse_interval(text: str, seconds: float) -> None:
    assert parse_interval(text) == seconds
    assert parse_interval(format_interval(seconds)) == seconds


@pytest.mark.parametrize("text", ["", "2", "2x", "h", "2h x", "-2h", "30s", "1h 30"])
def test_bad_intervals_are_one_line(text: str) -> None:
    with pytest.raises(UserInputError, match="interval") as info:
        parse_interval(text)
    assert "\n" not in str(info.value)


def test_backoff_doubles_up_to_a_day() -> None:
    assert backoff(0, H) == 0
    assert [backoff(n, H) / H for n in range(1, 7)] == [2, 4, 8, 16, 24, 24]
    assert backoff(3, 2 * DAY) == 2 * DAY  # a feed fetched less often than daily waits its interval
    assert backoff(10_000, H) == DAY  # no overflow


def test_due_follows_interval_failures_and_retry_after() -> None:
    now = 1_000_000.0
    assert is_due({}, now, H)  # never fetched
    fetched = {"last_fetched": now - 30 * 60}
    assert not is_due(fetched, now, H)
    assert is_due(fetched, now, 20 * 60)
    assert not is_due({**fetched, "interval": 2 * H}, now + H, H)
    assert is_due({**fetched, "interval": 2 * H}, now + 2 * H, H)
    failing = {"last_fetched": now, "failures": 2}
    assert next_due(failing, H) == now + 4 * H
    assert next_due({**failing, "retry_at": now + 10 * H}, H) == now + 10 * H
    assert failures_after(failing, ok=False, manual=False) == 3
    assert failures_after(failing, ok=False, manual=True) == 1
    assert failures_after(failing, ok=True, manual=False) == 0


NOW = 100 * DAY


def _heads(n: int, src: str = "f") -> dict[str, dict[str, object]]:
    return {f"{src}{i:02d}": {"src": src, "published": NOW - i * DAY, "title": str(i)} for i in range(n)}


def test_retention_keeps_protected_articles() -> None:
    assert protected(STARRED | READ, False) and protected(READ, True) and protected(0, False)
    assert not protected(READ, False) and not protected(HIDDEN, False)


def test_retention_by_count_and_by_age() -> None:
    heads = _heads(10)
    everything_read = dict.fromkeys(heads, READ)
    assert select(heads, everything_read, {}, {}, Policy(), NOW) == []
    assert select(heads, everything_read, {}, {}, Policy(articles=7), NOW) == ["f07", "f08", "f09"]
    assert select(heads, everything_read, {}, {}, Policy(days=7.5), NOW) == ["f08", "f09"]
    state = {**everything_read, "f08": READ | STARRED, "f09": 0}
    assert select(heads, state, {"f07": ["keep"]}, {}, Policy(articles=7), NOW) == []
    hidden = {**everything_read, "f09": HIDDEN}  # unread but hidden by a rule: it may go
    assert select(heads, hidden, {}, {}, Policy(articles=9), NOW) == ["f09"]


def test_retention_per_feed_override() -> None:
    heads = {**_heads(5, "a"), **_heads(5, "b")}
    state = dict.fromkeys(heads, READ)
    sources = {"a": {"keep_articles": 2}, "b": {"keep_articles": 0}}  # 0: this feed keeps everything
    assert select(heads, state, {}, sources, Policy(articles=4), NOW) == ["a02", "a03", "a04"]
    assert policy_for({"keep_days": 3}, Policy(articles=4)) == Policy(days=3.0, articles=4)
