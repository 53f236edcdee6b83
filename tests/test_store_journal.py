"""The journal (schema 2): a write to a big library writes what it changes, compaction folds it back,
crashes lose nothing, and a library written by schema 1's code opens migrated with nothing lost."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest

import newsreader.store as store_module
from newsreader.errors import CorruptLibraryError, SchemaError, StoreError
from newsreader.library import Library
from newsreader.store import READ, STARRED, Store
from newsreader.store import storage as storage_module
from newsreader.store.journal import JOURNAL
from newsreader.store.schema import VERSION
from tests.bench.gen import dump_text, make_library
from tests.test_store import _cli

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE = FIXTURES / "library-main"
"""Written by main's code at 7c37fb2 (schema 1); see its README."""


def _journal(path: Path) -> list[str]:
    """Journal files that hold changes (compaction leaves the last one behind as an empty marker)."""
    return sorted(
        p.name
        for p in (path / JOURNAL).glob("*.json")
        if set(orjson.loads(p.read_bytes())) - {"_meta"}
        or orjson.loads(p.read_bytes()).get("_meta", {}).get("1", {}).get("generation")
    )


def _everything(path: Path) -> dict[str, Any]:
    """What a fresh reader sees: every headline with its flags, tags and body, and every source."""
    lib = Library(path)
    return {
        "articles": {a.id: (a.title, a.read, a.starred, a.tags, lib.get(a.id).body) for a in lib.articles()},
        "sources": {s.id: (s.title, s.articles, s.unread, s.etag) for s in lib.sources()},
        "state": dict(lib._store.state()),
    }


@pytest.fixture
def big(tmp_path: Path) -> Path:
    """A library past the write-through size, so that writes go to the journal."""
    path = tmp_path / "big"
    make_library(path, 1500, sources=3)
    assert (path / "headlines.json").stat().st_size > store_module.WRITE_THROUGH_BYTES
    return path


def _dump(folder: Path, seed: int, n: int = 30) -> Path:
    path = folder / f"new-{seed}.txt"
    path.write_text(dump_text(n, seed=seed, words=60), encoding="utf-8")
    return path


def _bases(path: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in [*path.glob("*.json"), *(path / "bodies").glob("*.json")]}


def test_a_commit_to_a_big_library_writes_one_journal_file(big: Path, tmp_path: Path) -> None:
    reader = Library(big)  # another process, with its search index up to date
    reader.update_search_index()
    bases = _bases(big)
    lib = Library(big)
    generation = lib._store.generation
    report = lib.import_paths([_dump(tmp_path, 41)])
    assert report.new == 30
    assert len(_journal(big)) == 1
    new = next(a for a in Library(big).articles() if a.title.endswith(" 41-7"))
    lib.mark([new.id], read=True, starred=True)
    assert len(_journal(big)) == 2
    assert _bases(big) == bases  # no base file was rewritten
    fresh = Library(big)
    assert len(fresh.articles()) == 1530 and fresh._store.generation == generation + 1
    got = fresh.get(new.id)
    assert got.read and got.starred and got.body
    hits = reader.search(f'"{new.title}"')  # its index sees the journal's commit
    assert [h.article.id for h in hits][:1] == [new.id]
    fresh.mark([new.id], read=False, starred=False)
    assert new.id not in Library(big)._store.state()


def test_every_kind_of_write_goes_to_the_journal(big: Path) -> None:
    """Tags, rules' flags, full text, source updates, removals: one journal file each, no base rewritten."""
    lib = Library(big)
    ids = [a.id for a in lib.articles()]
    srcs = [lib._store.headlines()[i]["src"] for i in ids[5:7]]
    bases = _bases(big)
    lib.tag(ids[:2], add=["later"])
    lib._store.apply_marks(hidden=[ids[2]], tags={ids[3]: (frozenset({"x"}), frozenset())})
    lib._store.merge_articles({ids[4]: {"body": "The whole text."}}, {ids[4]: {"full_text": "http://x/1"}})
    lib._store.update_sources({"src0001": {"title": "Renamed"}})
    lib._store.remove_articles(ids[5:7])
    assert len(_journal(big)) == 5 and _bases(big) == bases
    fresh = Library(big)
    assert fresh.get(ids[0]).tags == ("later",) and fresh.get(ids[3]).tags == ("x",)
    assert ids[2] not in [a.id for a in fresh.articles()]  # hidden
    assert fresh.get(ids[4]).body == "The whole text."
    assert {s.title for s in fresh.sources()} >= {"Renamed"}
    assert not {ids[5], ids[6]} & set(fresh._store.headlines())
    assert fresh._store.body(ids[5]) is None
    before = _everything(big)
    removed = lib._store.remove_source("src0002")
    assert removed == 500 - srcs.count("src0002")
    assert len(_journal(big)) == 6 and _bases(big) == bases
    after = _everything(big)
    assert len(after["articles"]) == len(before["articles"]) - removed
    headlines = Library(big)._store.headlines()
    assert all(headlines[i]["src"] != "src0002" for i in after["articles"])
    Store(big).compact()
    assert _journal(big) == [] and _everything(big) == after


def test_compaction_folds_the_journal_keeping_backups(big: Path, tmp_path: Path) -> None:
    lib = Library(big)
    for seed in (1, 2, 3):
        lib.import_paths([_dump(tmp_path, seed)])
    ids = [a.id for a in lib.articles()]
    lib.mark(ids[:3], read=True)
    lib.mark(ids[1:2], read=False, starred=True)
    before = _everything(big)
    old_headlines = (big / "headlines.json").read_bytes()
    journal = _journal(big)
    assert len(journal) == 5
    Store(big).compact()
    assert _journal(big) == []
    assert (big / "headlines.json.bak").read_bytes() == old_headlines
    assert _everything(big) == before
    state = orjson.loads((big / "state.json").read_bytes())
    assert state["state"] == {ids[0]: READ, ids[1]: STARRED, ids[2]: READ}
    assert state["_meta"]["1"]["folded"] == int(journal[-1].removesuffix(".json"))
    lib.mark(ids[3:4], read=True)  # the sequence goes on after the marker
    assert int(_journal(big)[0].removesuffix(".json")) == int(journal[-1].removesuffix(".json")) + 1


def test_the_journal_is_folded_once_it_outgrows_its_share(big: Path, tmp_path: Path) -> None:
    lib = Library(big)
    limit = (big / "headlines.json").stat().st_size * store_module.JOURNAL_SHARE
    written = 0
    for seed in range(1, 40):
        lib.import_paths([_dump(tmp_path, seed)])
        files = [big / JOURNAL / name for name in _journal(big)]
        if not files:
            break
        written = sum(p.stat().st_size for p in files)
        assert written <= limit
    else:
        pytest.fail("the journal was never compacted")
    assert written > 0 and len(Library(big).articles()) == 1500 + 30 * seed


_SLOW = pytest.mark.slow  # ~2 s of CPU each: one crash point in `make test`, all in `make test-slow`


@pytest.mark.parametrize(
    "fails",
    [
        pytest.param("bodies", marks=_SLOW),
        pytest.param("state.json", marks=_SLOW),
        pytest.param("sources.json", marks=_SLOW),
        "headlines.json",
        pytest.param("unlink", marks=_SLOW),
    ],
)
def test_a_crash_during_compaction_loses_nothing(
    big: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fails: str
) -> None:
    lib = Library(big)
    lib.import_paths([_dump(tmp_path, 5)])
    ids = [a.id for a in lib.articles()]
    lib.mark(ids[:2], read=True)
    lib.mark(ids[:1], read=False)  # a later change that a re-applied earlier one must not undo
    lib._store.update_sources({"src0000": {"title": "Renamed"}})
    lib.tag(ids[1:2], add=["kept"])
    before = _everything(big)
    real_replace, real_unlink = os.replace, os.unlink

    def replace(src: Any, dst: Any) -> None:
        target = Path(dst)
        if target.name == fails or (fails == "bodies" and target.parent.name == "bodies"):
            raise OSError(5, "Input/output error")
        real_replace(src, dst)

    def unlink(path: Any) -> None:
        if Path(path).parent.name == JOURNAL and not Path(path).name.startswith("."):
            return  # the machine dies before the journal is deleted
        real_unlink(path)

    if fails == "unlink":
        monkeypatch.setattr(store_module.compaction.os, "unlink", unlink)
        Store(big).compact()
        assert len(list((big / JOURNAL).glob("*.json"))) == 5
    else:
        monkeypatch.setattr(storage_module.os, "replace", replace)
        with pytest.raises(StoreError, match="cannot write"):
            Store(big).compact()
    monkeypatch.undo()
    assert _everything(big) == before
    Library(big).mark(ids[2:3], read=True)  # the next write carries on from there
    marked = _everything(big)
    assert marked["articles"][ids[2]][1]
    Store(big).compact()
    assert _journal(big) == []
    assert _everything(big) == marked
    assert not list(big.rglob(".*.tmp"))


def test_a_corrupt_journal_file_is_refused_and_kept(big: Path, tmp_path: Path) -> None:
    lib = Library(big)
    lib.import_paths([_dump(tmp_path, 9)])
    (name,) = _journal(big)
    path = big / JOURNAL / name
    path.write_bytes(b'{"articles": {"abc": {"title": "half')
    with pytest.raises(CorruptLibraryError) as info:
        Library(big).articles()
    assert str(path) in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(CorruptLibraryError, match=name):
        Store(big).set_state(["abcdabcdabcd"], read=True)
    path.write_bytes(orjson.dumps({"state": {"abc": "read"}}))
    with pytest.raises(CorruptLibraryError, match="wrong type"):
        Library(big).articles()
    assert path.read_bytes() == orjson.dumps({"state": {"abc": "read"}})


@pytest.mark.slow  # several processes at once: the concurrency tier
def test_imports_and_marks_at_once_through_the_journal_lose_nothing(big: Path, tmp_path: Path) -> None:
    target = Library(big).articles()[0].id
    dumps = [_dump(tmp_path, seed, n=20) for seed in (11, 12, 13)]
    procs = [_cli(big, "import", str(d)) for d in dumps]
    procs.append(_cli(big, "mark", target, "--read", "--star"))
    for proc in procs:
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    assert _journal(big)  # the writes went to the journal
    final = Library(big)
    assert len(final.articles()) == 1500 + 60
    assert final.get(target).read and final.get(target).starred


def _plain(path: Path) -> dict[str, Any]:
    """The same views main's code read from the fixture into library-main.expected.json."""
    lib = Library(path)
    store = lib._store
    return json.loads(
        json.dumps(
            {
                "headlines": store.headlines(),
                "state": store.state(),
                "sources": store.sources(),
                "tags": store.tags(),
                "bodies": store.bodies(sorted(store.headlines())),
                "listed": [a.id for a in lib.articles()],
                "articles": {i: repr(lib.get(i)) for i in sorted(store.headlines())},
                "counts": [repr(s) for s in lib.sources()],
            },
            sort_keys=True,
            default=str,
        )
    )


def test_a_library_written_by_main_opens_migrated_with_nothing_lost(tmp_path: Path) -> None:
    path = tmp_path / "old"
    shutil.copytree(FIXTURE, path)
    expected = json.loads((FIXTURES / "library-main.expected.json").read_text(encoding="utf-8"))
    assert orjson.loads((FIXTURE / "headlines.json").read_bytes())["_meta"]["1"].get("schema", 1) == 1
    assert _plain(path) == expected
    assert orjson.loads((path / "headlines.json").read_bytes())["_meta"]["1"]["schema"] == VERSION == 2
    assert (path / JOURNAL).is_dir()
    assert (path / "saved.json").read_bytes() == (FIXTURE / "saved.json").read_bytes()


def test_a_migrated_library_takes_journal_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old"
    shutil.copytree(FIXTURE, path)
    monkeypatch.setattr(store_module, "WRITE_THROUGH_BYTES", 0)  # journal even this small library
    monkeypatch.setattr(store_module, "JOURNAL_SHARE", 1000.0)
    before = _everything(path)
    lib = Library(path)
    first = lib.articles()[0].id
    lib.mark([first], starred=True)
    lib.import_paths([_dump(tmp_path, 21, n=5)])
    lib.tag([first], add=["new"])
    assert len(_journal(path)) == 3
    after = _everything(path)
    assert len(after["articles"]) == len(before["articles"]) + 5 and after["articles"][first][2]
    assert after["articles"][first][3] == tuple(sorted({*before["articles"][first][3], "new"}))
    unchanged = {i: v for i, v in before["articles"].items() if i != first}
    assert {i: v for i, v in after["articles"].items() if i in unchanged} == unchanged
    Store(path).compact()
    assert _everything(path) == after and _journal(path) == []


def test_schema_1_code_refuses_a_schema_2_library(seeded: Library) -> None:
    """The version bump is what keeps an older newsreader from reading bases without their journal."""
    doc = orjson.loads((seeded.path / "headlines.json").read_bytes())
    assert doc["_meta"]["1"]["schema"] == 2
    doc["_meta"]["1"]["schema"] = 3
    (seeded.path / "headlines.json").write_bytes(orjson.dumps(doc))
    with pytest.raises(SchemaError, match="schema 3"):
        Library(seeded.path).articles()


def test_reads_inside_one_pinned_view_see_one_version_of_the_library(big: Path) -> None:
    """``Store.reading`` (what ``Library.get`` reads through): a commit by another process landing between
    two reads is not half seen; the next read after the block sees it."""
    store = Library(big)._store
    first = next(iter(store.headlines()))
    with store.reading():
        assert not store.state().get(first, 0) & READ
        Library(big).mark([first], read=True)  # another process
        assert not store.state().get(first, 0) & READ
    assert store.state()[first] & READ
