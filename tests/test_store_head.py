"""The head file (newest.json): a first page is told from the newest records and the journal alone, is
the same page the whole library gives, and is never trusted once it no longer describes headlines.json."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest

import newsreader.store as store_module
from newsreader import _lookup
from newsreader.library import Library
from newsreader.store import Store, head, storage
from tests.bench.gen import dump_text, make_library

SIZE = 9000
"""Past ``head.MIN_LIBRARY``, so that a compaction writes the head file."""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("head") / "lib"
    make_library(path, SIZE, sources=4, words=8)
    return path


@pytest.fixture
def lib(built: Path, tmp_path: Path) -> Library:
    import shutil

    path = tmp_path / "lib"
    shutil.copytree(built, path)
    return Library(path)


def _page(lib: Library, **kwargs: object) -> list[tuple[str, bool, bool]]:
    return [(a.id, a.read, a.starred) for a in lib.articles(limit=300, **kwargs)]  # type: ignore[arg-type]


def _whole(lib: Library, **kwargs: object) -> list[tuple[str, bool, bool]]:
    """The same page computed from every headline, as before the head file."""
    return [(a.id, a.read, a.starred) for a in lib.articles(**kwargs)][:300]  # type: ignore[arg-type]


def _parses_headlines(lib: Library, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every parse of headlines.json from now on."""
    parsed: list[str] = []
    real = store_module.read_document

    def spy(path: Path, tables: object = None) -> object:
        if Path(path).name == "headlines.json":
            parsed.append(str(path))
        return real(path, tables)  # type: ignore[arg-type]

    monkeypatch.setattr(store_module, "read_document", spy)
    return parsed


def test_a_first_page_never_parses_the_headlines(lib: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    assert (lib.path / head.FILE).exists()
    parsed = _parses_headlines(lib, monkeypatch)
    fresh = Library(lib.path)
    page = _page(fresh)
    assert parsed == [] and len(page) == 300
    monkeypatch.undo()
    assert page == _whole(Library(lib.path))


def test_the_head_page_follows_the_journal(
    lib: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dump = tmp_path / "new.txt"
    dump.write_text(dump_text(30, seed=5, words=20), encoding="utf-8")
    lib.import_paths([dump])
    newest = [a.id for a in Library(lib.path).articles()][:40]
    lib.mark(newest[:5], read=True)
    lib.mark(newest[3:8], starred=True)
    lib._store.apply_marks(hidden=newest[8:10])
    lib._store.remove_articles(newest[10:12])
    lib._store.merge_articles({}, {newest[12]: {"full_article": newest[13]}})  # a teaser, linked
    assert (lib.path / "journal").is_dir() and lib._store.head() is not None
    for kwargs in ({}, {"unread": True}, {"starred": True}, {"source": "src0001"}):
        parsed = _parses_headlines(lib, monkeypatch)
        page = _page(Library(lib.path), **kwargs)
        used_head = not parsed
        monkeypatch.undo()
        assert page == _whole(Library(lib.path), **kwargs), kwargs
        if kwargs != {
            "starred": True
        }:  # five starred: fewer than a page, which only the whole library can tell
            assert used_head, kwargs
    ids = [i for i, _r, _s in _page(Library(lib.path))]
    assert newest[12] not in ids and newest[8] not in ids and newest[10] not in ids


def test_a_stale_or_broken_head_is_not_trusted(lib: Library) -> None:
    page = _page(lib)
    doc = orjson.loads((lib.path / "headlines.json").read_bytes())
    first = page[0][0]
    doc["articles"][first]["title"] = "Rewritten by another program"
    (lib.path / "headlines.json").write_bytes(orjson.dumps(doc))  # headlines.json changed, the head did not
    fresh = Library(lib.path)
    assert fresh._store.head() is None
    assert fresh.articles(limit=5)[0].title == "Rewritten by another program"
    (lib.path / head.FILE).write_bytes(b'{"articles": [1, 2')
    assert Library(lib.path).articles(limit=5)[0].title == "Rewritten by another program"
    (lib.path / head.FILE).unlink()
    assert [a.id for a in Library(lib.path).articles(limit=300)] == [i for i, _r, _s in page]


def test_a_crash_between_headlines_and_head_leaves_the_head_unused(
    lib: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dump = tmp_path / "new.txt"
    dump.write_text(dump_text(30, seed=6, words=20), encoding="utf-8")
    lib.import_paths([dump])
    real = os.replace

    def crash(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if Path(dst).name == head.FILE:
            raise OSError(5, "Input/output error")
        real(src, dst)

    monkeypatch.setattr(storage.os, "replace", crash)
    Store(lib.path).compact()  # the commit point is headlines.json: a lost head only costs speed
    monkeypatch.undo()
    fresh = Library(lib.path)
    assert fresh._store.head() is None  # the old head describes the old headlines.json
    assert _page(fresh) == _whole(Library(lib.path))
    assert len(fresh.articles()) == SIZE + 30


def test_the_head_cannot_answer_past_its_cut() -> None:
    rec = {"src": "a", "title": "t", "added": 1.0, "n": 0}
    cands = head.Candidates({"x": {**rec, "published": 10.0}}, head.Known({}, set(), set()), (10.0, 0))
    assert _lookup.newest_from_head(cands, {}, source_id=None, unread=False, starred=False, limit=1) is None
    above = head.Candidates({"x": {**rec, "published": 11.0}}, head.Known({}, set(), set()), (10.0, 0))
    page = _lookup.newest_from_head(above, {}, source_id=None, unread=False, starred=False, limit=1)
    assert page is not None and [i for i, _r in page] == ["x"]
