"""The store's organise half on real files: tags.json, the hidden flag, removing chosen articles."""

from __future__ import annotations

from pathlib import Path

from newsreader.library import Library
from newsreader.store import Store
from newsreader.store.organise import HIDDEN, READ, STARRED
from tests.conftest import FEEDS


def _store(tmp_path: Path) -> tuple[Store, list[str]]:
    Library(tmp_path / "lib").import_paths([FEEDS])
    store = Store(tmp_path / "lib")
    return store, sorted(store.headlines())


def test_tags_are_written_atomically_and_read_back(tmp_path: Path) -> None:
    store, ids = _store(tmp_path)
    assert store.tags() == {}
    generation = store.generation
    add = frozenset({"later", "keep"})
    assert store.set_tags({ids[0]: (add, frozenset()), ids[1]: (frozenset({"later"}), frozenset())}) == 2
    assert store.set_tags({ids[0]: (frozenset({"later"}), frozenset())}) == 0  # already there
    assert store.set_tags({ids[0]: (frozenset(), frozenset({"keep"}))}) == 1
    assert store.set_tags({ids[1]: (frozenset(), frozenset({"later"}))}) == 1  # the last tag: entry goes
    fresh = Store(tmp_path / "lib")
    assert fresh.tags() == {ids[0]: ["later"]}
    assert fresh.generation == generation  # tags never rewrite the headlines the index watches
    assert (tmp_path / "lib" / "tags.json.bak").exists()  # the store's atomic write, with its backup


def test_apply_marks_sets_flags_and_tags_in_one_go(tmp_path: Path) -> None:
    store, ids = _store(tmp_path)
    store.set_state([ids[0]], starred=True)
    changed = store.apply_marks(
        read=[ids[0], ids[1]],
        hidden=[ids[1]],
        starred=[ids[0]],
        tags={ids[2]: (frozenset({"x"}), frozenset())},
    )
    assert changed == 3  # ids[0] was starred already
    state = Store(tmp_path / "lib").state()
    assert state[ids[0]] == READ | STARRED and state[ids[1]] == READ | HIDDEN
    assert store.tags() == {ids[2]: ["x"]}


def test_remove_articles_leaves_nothing_behind(tmp_path: Path) -> None:
    store, ids = _store(tmp_path)
    gone, kept = ids[:3], ids[3:]
    store.set_state(gone + kept[:1], read=True)
    store.set_tags({gone[0]: (frozenset({"a"}), frozenset()), kept[0]: (frozenset({"b"}), frozenset())})
    generation = store.generation
    assert store.remove_articles([*gone, "not-an-id"]) == 3
    fresh = Store(tmp_path / "lib")
    assert sorted(fresh.headlines()) == kept
    assert fresh.generation == generation + 1
    assert set(fresh.state()) == {kept[0]} and fresh.tags() == {kept[0]: ["b"]}
    assert all(fresh.body(i) is None for i in gone) and fresh.body(kept[0]) is not None
    assert store.remove_articles(gone) == 0
