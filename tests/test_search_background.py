"""The search index built in a child process (``search.background``): what the reading app does, so a
build of a big library never holds the app's interpreter (issue 16, item 4)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from newsreader.errors import StoreError
from newsreader.library import Library
from newsreader.models import ArticleDraft
from newsreader.search import INDEX_DIR
from tests.test_search_disk import read_only
from tests.tui_support import IMPORTED_AT, add_drafts, big_library, demo_library


def test_a_child_builds_the_index_the_app_then_searches(tmp_path: Path) -> None:
    lib = big_library(tmp_path / "lib", 2500)  # three batches: progress is reported between them
    seen: list[tuple[int, int, str]] = []
    lib.update_search_index(in_child=True, progress=lambda d, t, label: seen.append((d, t, label)))
    assert seen[0] == (0, 2500, "building search index") and seen[-1] == (2500, 2500, "building search index")
    assert lib._search_index.in_sync()
    in_process = Library(tmp_path / "again")
    big_library(in_process.path, 2500)
    in_process.update_search_index()
    query = "headline 002345 harbour"
    assert [h.article.id for h in lib.search(query, limit=5)] == [
        h.article.id for h in in_process.search(query, limit=5)
    ]


def test_a_child_catches_up_an_index_the_app_holds_open(tmp_path: Path) -> None:
    """The app's open index sees what the child committed: tantivy reloads, SQLite reads the commit."""
    lib = demo_library(tmp_path / "lib")
    assert lib.search("harbour") and not lib.search("latecomer")
    late = ArticleDraft(
        id="late-one", title="A latecomer", body="Body.", excerpt="Body.", published=IMPORTED_AT
    )
    add_drafts(lib, "generated", "Generated feed", [late])  # straight into the store: no index call
    assert not lib._search_index.in_sync()
    lib.update_search_index(in_child=True)
    assert lib._search_index.in_sync()
    assert [h.article.id for h in lib.search("latecomer")] == ["late-one"]


def test_nothing_is_spawned_when_the_index_is_in_sync_or_the_library_empty(tmp_path: Path) -> None:
    empty = Library(tmp_path / "empty")
    empty.update_search_index(in_child=True)
    assert not (empty.path / INDEX_DIR).exists()
    lib = demo_library(tmp_path / "lib")
    lib.update_search_index()
    seen: list[int] = []
    lib.update_search_index(in_child=True, progress=lambda d, t, label: seen.append(d))
    assert seen == []


def test_cancelling_stops_the_child_and_the_next_sync_builds_whole(tmp_path: Path) -> None:
    lib = big_library(tmp_path / "lib", 3000)
    cancel = threading.Event()
    cancel.set()
    lib.update_search_index(in_child=True, cancel=cancel)
    assert not lib._search_index.in_sync()
    lib.update_search_index(in_child=True)
    assert lib._search_index.in_sync()
    assert len(lib.search("generated", limit=None)) == 3000


def test_a_read_only_library_is_the_childs_one_line_error(tmp_path: Path) -> None:
    lib = demo_library(tmp_path / "lib")
    with read_only(lib.path), pytest.raises(StoreError) as caught:
        Library(lib.path).update_search_index(in_child=True)
    message = str(caught.value)
    assert "read-only" in message and "\n" not in message


def test_the_app_builds_a_small_librarys_index_in_its_own_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``small_here`` (the TUI's choice): a child costs ~0.2 s of CPU to start, more than a small build."""
    import subprocess

    from newsreader._search import CHILD_ABOVE

    spawned: list[list[str]] = []
    real = subprocess.Popen

    def popen(command: list[str], **kwargs: object) -> subprocess.Popen[str]:
        spawned.append(command)
        return real(command, **kwargs)  # type: ignore[call-overload, no-any-return]

    monkeypatch.setattr(subprocess, "Popen", popen)
    small = demo_library(tmp_path / "small")
    small.update_search_index(in_child=True, small_here=True)
    assert spawned == [] and small._search_index.in_sync() and small.search("harbour")
    big = big_library(tmp_path / "big", 3000)
    assert (big.path / "headlines.json").stat().st_size > CHILD_ABOVE
    big.update_search_index(in_child=True, small_here=True)
    assert len(spawned) == 1 and big._search_index.in_sync()
