"""The read/star mark writer alone, over a real library on disk (no Textual)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from newsreader.errors import NewsreaderError
from newsreader.library import Library
from newsreader.tui.marks import MarkWriter
from tests.tui_support import demo_library


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    return demo_library(tmp_path / "lib")


def fresh(library: Library) -> Library:
    return Library(library.path)


def test_marks_are_saved_in_the_order_they_were_made(lib: Library) -> None:
    first = lib.articles()[0].id
    drained = threading.Event()
    writer = MarkWriter(lib.mark, on_drained=drained.set)
    for starred in (True, False, True, False, True):
        writer.save([first], {"starred": starred})
    assert writer.wait(10)
    assert drained.is_set()
    assert fresh(lib).get(first).starred


def test_a_delayed_mark_holds_later_ones_behind_it(lib: Library) -> None:
    """Open (read, saved a moment later) then ``m`` (unread, at once): unread must win on disk."""
    first = lib.articles()[0].id
    writer = MarkWriter(lib.mark)
    writer.save([first], {"read": True}, delay=0.2)
    writer.save([first], {"read": False})
    assert not writer.idle and writer.waiting
    assert writer.wait(10)
    assert not fresh(lib).get(first).read


def test_hurry_writes_delayed_marks_now(lib: Library) -> None:
    first = lib.articles()[0].id
    writer = MarkWriter(lib.mark)
    writer.save([first], {"read": True}, delay=3600)
    writer.hurry()
    assert writer.wait(10)
    assert fresh(lib).get(first).read


def test_close_writes_what_is_still_waiting_and_refuses_more(lib: Library) -> None:
    first = lib.articles()[0].id
    writer = MarkWriter(lib.mark)
    writer.save([first], {"read": True}, delay=3600)
    writer.close()
    assert fresh(lib).get(first).read
    assert writer.wait(10)
    with pytest.raises(RuntimeError):
        writer.save([first], {"read": False})


def test_a_failed_write_is_reported_and_the_rest_go_on(lib: Library) -> None:
    first = lib.articles()[0].id
    errors: list[NewsreaderError] = []
    writer = MarkWriter(lib.mark, on_error=errors.append)
    writer.save(["no-such-article"], {"read": True})
    writer.save([first], {"read": True})
    assert writer.wait(10)
    assert len(errors) == 1 and "no-such-article" in str(errors[0])
    assert fresh(lib).get(first).read


def test_a_job_runs_in_order_with_the_marks_around_it(lib: Library) -> None:
    """``A`` queues its write as a job: a mark made before it is written first, one made after it
    last, so ``m`` pressed just after ``A`` leaves its article unread on disk."""
    ids = [a.id for a in lib.articles()]
    first = ids[0]
    writer = MarkWriter(lib.mark)
    order: list[str] = []
    writer.save([first], {"starred": True}, delay=0.2)  # held back a moment, like opening
    writer.run(lambda: order.append("job") or lib.mark(ids, read=True))
    writer.save([first], {"read": False})
    assert writer.wait(10)
    after = fresh(lib)
    assert order == ["job"]
    assert after.get(first).starred and not after.get(first).read
    assert all(after.get(i).read for i in ids[1:])


def test_a_failed_job_is_reported_and_later_marks_go_on(lib: Library) -> None:
    first = lib.articles()[0].id
    errors: list[NewsreaderError] = []
    writer = MarkWriter(lib.mark, on_error=errors.append)
    writer.run(lambda: lib.mark(["no-such-article"], read=True))
    writer.save([first], {"read": True})
    assert writer.wait(10)
    assert len(errors) == 1
    assert fresh(lib).get(first).read
