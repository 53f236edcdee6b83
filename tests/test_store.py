"""The store: atomic writes, backups, corrupt files, locks, crashes and concurrent processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from tinydb import TinyDB

from newsreader.errors import CorruptLibraryError, SchemaError, StoreError, StoreLockedError
from newsreader.library import Library
from newsreader.store import READ, Store
from newsreader.store import storage as storage_module
from newsreader.store.storage import AtomicOrjsonStorage
from tests.bench.gen import write_dumps
from tests.conftest import ROOT, SEED


def test_files_are_tinydb_databases(seeded: Library) -> None:
    db = TinyDB(seeded.path / "headlines.json", storage=AtomicOrjsonStorage)
    table = db.table("articles")
    assert len(table) == 5
    first = seeded.articles()[0]
    assert table.get(doc_id=first.id)["title"] == first.title  # type: ignore[index]
    db.close()


def test_reimport_changes_nothing_on_disk(seeded: Library) -> None:
    before = {p: p.stat().st_mtime_ns for p in seeded.path.rglob("*.json")}
    report = seeded.import_paths([SEED])
    assert (report.new, report.present) == (0, 5)
    after = {p: p.stat().st_mtime_ns for p in seeded.path.rglob("*.json")}
    assert before == after


def test_crash_between_write_and_rename_keeps_the_old_file(
    seeded: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = seeded.path / "state.json"
    seeded.mark([seeded.articles()[0].id], read=True)
    old = state.read_bytes()
    real_replace = os.replace

    def crash(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if Path(dst) == state:
            raise OSError(5, "Input/output error")  # the machine dies before the rename
        real_replace(src, dst)

    monkeypatch.setattr(storage_module.os, "replace", crash)
    with pytest.raises(StoreError, match=r"cannot write .*state\.json"):
        seeded.mark([seeded.articles()[1].id], read=True)
    monkeypatch.undo()
    assert state.read_bytes() == old
    assert not list(seeded.path.glob(".*.tmp"))
    assert sum(a.read for a in seeded.articles()) == 1


def test_backup_holds_the_previous_version(seeded: Library) -> None:
    ids = [a.id for a in seeded.articles()]
    seeded.mark(ids[:1], read=True)
    seeded.mark(ids[1:2], read=True)
    backup = orjson.loads((seeded.path / "state.json.bak").read_bytes())
    current = orjson.loads((seeded.path / "state.json").read_bytes())
    assert set(backup["state"]) == {ids[0]}
    assert set(current["state"]) == {ids[0], ids[1]}


@pytest.mark.parametrize("name", ["headlines.json", "state.json", "sources.json"])
def test_corrupt_file_is_refused_and_kept(seeded: Library, tmp_path: Path, name: str) -> None:
    path = seeded.path / name
    if not path.exists():
        seeded.mark([seeded.articles()[0].id], read=True)
    garbage = b'{"articles": {"abc": {"title": "half a fi'
    path.write_bytes(garbage)
    fresh = Library(seeded.path)
    with pytest.raises(CorruptLibraryError) as info:
        fresh.articles()
    message = str(info.value)
    assert str(path) in message and "\n" not in message
    # a write that touches the file is refused too, and the broken file is left exactly as it was
    other = tmp_path / "other.txt"
    other.write_text("Another Story\n\nA different body that ends here.\n")
    with pytest.raises(CorruptLibraryError, match=name):
        if name == "state.json":
            Store(seeded.path).set_state(["abcdabcdabcd"], read=True)
        else:
            fresh.import_paths([other])
    assert path.read_bytes() == garbage


def test_corrupt_file_message_names_the_backup(seeded: Library) -> None:
    seeded.import_paths([ROOT / "feeds" / "harbour-notes.txt"])  # a second write leaves a .bak
    (seeded.path / "headlines.json").write_bytes(b"\x00\x01 not json")
    with pytest.raises(CorruptLibraryError, match=r"headlines\.json\.bak"):
        Library(seeded.path).articles()


def test_newer_schema_is_refused(seeded: Library) -> None:
    path = seeded.path / "headlines.json"
    doc = orjson.loads(path.read_bytes())
    doc["_meta"]["1"]["schema"] = 99
    path.write_bytes(orjson.dumps(doc))
    with pytest.raises(SchemaError, match="schema 99"):
        Library(seeded.path).articles()


def test_locked_library_gives_a_clear_error(seeded: Library) -> None:
    holder = Store(seeded.path, lock_timeout=1)
    waiting = Library(seeded.path, lock_timeout=0.2)
    with holder.locked():
        with pytest.raises(StoreLockedError, match="locked by another newsreader process"):
            waiting.mark([seeded.articles()[0].id], read=True)
        assert waiting.articles()  # reading needs no lock
    waiting.mark([seeded.articles()[0].id], read=True)


def test_import_in_one_process_keeps_marks_made_in_another(seeded: Library, tmp_path: Path) -> None:
    tui = Library(seeded.path)  # as if the TUI had it open
    tui.articles()
    tui.mark([a.id for a in tui.articles()[:2]], read=True, starred=True)
    cli = Library(seeded.path)
    cli.import_paths([ROOT / "feeds" / "harbour-notes.txt"])
    tui.mark([tui.articles(unread=True)[0].id], read=True)
    final = Library(seeded.path).articles()
    assert len(final) == 8
    assert sum(a.read for a in final) == 3
    assert sum(a.starred for a in final) == 2


def _cli(library: Path, *args: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ, NEWSREADER_LOCK_TIMEOUT="60")
    return subprocess.Popen(
        [sys.executable, "-m", "newsreader", "--library", str(library), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


@pytest.mark.slow  # several processes at once: the concurrency tier
def test_two_imports_and_a_mark_at_once_lose_nothing(seeded: Library, tmp_path: Path) -> None:
    a = write_dumps(tmp_path / "a", 3, 200, words=40)
    b = write_dumps(tmp_path / "b", 3, 200, words=40, seed=2)
    target = seeded.articles()[0].id
    procs = [
        _cli(seeded.path, "import", *map(str, a)),
        _cli(seeded.path, "import", *map(str, b)),
        _cli(seeded.path, "mark", target, "--read", "--star"),
    ]
    for proc in procs:
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    final = Library(seeded.path)
    assert len(final.articles()) == 5 + 1200
    assert final.get(target).read and final.get(target).starred


@pytest.mark.slow
def test_kill_9_during_a_big_import_loses_nothing_committed(seeded: Library, tmp_path: Path) -> None:
    keep = seeded.articles()[0].id
    seeded.mark([keep], read=True, starred=True)
    dumps = write_dumps(tmp_path / "big", 12, 1000, words=60)
    committed_before = len(seeded.articles())
    for delay in (0.3, 0.9, 1.6):
        proc = _cli(seeded.path, "import", *map(str, dumps))
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        survivor = Library(seeded.path)
        articles = survivor.articles()  # opens: nothing half-written
        assert len(articles) >= committed_before
        assert survivor.get(keep).read and survivor.get(keep).starred
        for article in articles[:50]:
            assert survivor.get(article.id).body  # every committed headline has its body
        committed_before = len(articles)
    report = Library(seeded.path).import_paths(dumps)
    assert not report.failed
    assert len(Library(seeded.path).articles()) == 5 + 12_000
    assert not list(seeded.path.rglob(".*.tmp"))


def test_state_flags(seeded: Library) -> None:
    first = seeded.articles()[0].id
    assert seeded.mark([first], read=True) == 1
    assert seeded.mark([first], read=True) == 0
    assert seeded._store.state()[first] == READ
    seeded.mark([first[:6]], starred=True)
    article = seeded.get(first)
    assert article.read and article.starred
    seeded.mark([first], read=False, starred=False)
    assert first not in seeded._store.state()


def test_commit_update_rewrites_changed_articles_and_keeps_state(tmp_path: Path) -> None:
    from dataclasses import replace
    from datetime import UTC, datetime

    from tests.bench.gen import drafts

    store = Store(tmp_path / "lib")
    now = datetime(2026, 11, 24, tzinfo=UTC)
    batch = list(drafts(3))
    first = store.commit({"feed1": batch}, now=now, sources={"feed1": {"kind": "feed", "title": "F"}})
    assert len(first.new_ids) == 3
    store.set_state([batch[0].id], read=True, starred=True)
    changed = replace(batch[0], title="A corrected headline", body="New body.", excerpt="New body.")
    again = store.commit({"feed1": [changed, batch[1], batch[2]]}, now=now, update=True)
    assert again.updated_ids == [batch[0].id]
    assert again.present == 2 and not again.new_ids
    assert store.headlines()[batch[0].id]["title"] == "A corrected headline"
    assert store.body(batch[0].id)["body"] == "New body."  # type: ignore[index]
    assert store.state()[batch[0].id] == READ | 2
    # without update=True an existing id is left alone
    untouched = store.commit({"feed1": [replace(changed, title="Ignored")]}, now=now)
    assert untouched.present == 1 and store.headlines()[batch[0].id]["title"] == "A corrected headline"


def test_remove_source_deletes_its_articles_everywhere(seeded: Library) -> None:
    sid = seeded.articles()[0].source_id
    ids = [a.id for a in seeded.articles()]
    seeded.mark(ids[:2], read=True)
    assert seeded._store.remove_source(sid) == 5
    assert len(seeded.articles()) == 0
    assert not seeded._store.state()
    assert all(seeded._store.body(i) is None for i in ids)
    assert seeded.sources() == []


def test_body_shards_keep_a_backup_too(seeded: Library) -> None:
    """README promises a NAME.bak for every library file; body shards had none (issue 9, item 11)."""
    shards = sorted((seeded.path / "bodies").glob("*.json"))
    before = {shard: shard.read_bytes() for shard in shards}
    (source,) = seeded.sources()
    Store(seeded.path).remove_source(source.id)
    for shard, old in before.items():
        backup = shard.with_name(shard.name + ".bak")
        assert backup.read_bytes() == old, shard
        assert orjson.loads(shard.read_bytes())["bodies"] == {}
    assert not list((seeded.path / "bodies").glob(".*.tmp"))


def test_the_store_lock_is_a_real_lock_with_clear_errors(seeded: Library, tmp_path: Path) -> None:
    """filelock's native lock, never a silent no-op; the general FileLock is reusable (search.lock)."""
    from newsreader.store.lock import FileLock

    first = FileLock(tmp_path / "x" / "search.lock", 0.1, busy="the index is busy")
    second = FileLock(tmp_path / "x" / "search.lock", 0.1, busy="the index is busy")
    with first(), first(), pytest.raises(StoreLockedError, match="the index is busy"), second():  # re-entrant
        pass
    with second():
        pass
    (seeded.path / "library.lock").unlink()
    (seeded.path / "library.lock").mkdir()
    with pytest.raises(StoreError, match=r"lock file .*library\.lock.* is a folder"):
        seeded.mark([seeded.articles()[0].id], read=True)


def test_a_disk_that_fills_during_the_body_shards_loses_nothing(
    seeded: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shards are written and fsynced several at once: one failing must still leave every old
    file whole, no temp file behind, and the next commit able to write them all."""
    before = {a.id: seeded.get(a.id).body for a in seeded.articles()}
    dumps = write_dumps(tmp_path / "more", 2, 150, words=30)
    real = storage_module._write_synced
    calls: list[Path] = []

    def fill(tmp: Path, payload: bytes) -> None:
        calls.append(tmp)
        if tmp.parent.name == "bodies" and len(calls) == 5:
            raise OSError(28, "No space left on device", str(tmp))
        real(tmp, payload)

    monkeypatch.setattr(storage_module, "_write_synced", fill)
    with pytest.raises(StoreError, match="No space left on device"):
        seeded.import_paths(dumps)
    monkeypatch.undo()
    assert not list(seeded.path.rglob(".*.tmp"))
    again = Library(seeded.path)
    assert {a.id: again.get(a.id).body for a in again.articles()} == before
    assert again.import_paths(dumps).new == 300
    assert len(Library(seeded.path).articles()) == len(before) + 300
    assert all(Library(seeded.path).get(a.id).body for a in Library(seeded.path).articles())
