"""``headlines.json`` one record a line (store/lines.py): still one JSON document for every other
reader, read as a stream into compact records, and any other layout or damage read as before."""

from __future__ import annotations

import json
import platform
import random
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from tinydb import TinyDB

from newsreader.errors import CorruptLibraryError, SchemaError
from newsreader.library import Library
from newsreader.store import Store, lines
from newsreader.store.storage import AtomicOrjsonStorage, read_document
from tests.test_store_journal import FIXTURE, FIXTURES, _plain

SHAPES = {"articles": dict, "_meta": dict}


def _headlines(library: Library) -> Path:
    return library.path / "headlines.json"


def test_every_write_puts_one_record_a_line_and_the_file_stays_one_document(seeded: Library) -> None:
    path = _headlines(seeded)
    data = path.read_bytes()
    rows = data.splitlines()
    heads = Store(seeded.path).headlines()
    assert data.startswith(lines.HEADER) and len(rows) == len(heads) + 2
    for row, (article_id, rec) in zip(rows[1:-1], heads.items(), strict=True):
        assert orjson.loads(b"{" + row.rstrip(b",") + b"}") == {article_id: rec}
    assert rows[-1].startswith(b'},"_meta":')
    assert json.loads(data)["articles"] == heads  # the standard library, TinyDB and jq read it whole
    db = TinyDB(path, storage=AtomicOrjsonStorage)
    table = db.table("articles")
    assert len(table) == len(heads) and all(table.get(doc_id=i) == r for i, r in heads.items())  # type: ignore[arg-type]
    db.close()


def test_a_file_in_the_old_layout_reads_the_same_and_the_next_rewrite_converts_it(seeded: Library) -> None:
    path = _headlines(seeded)
    streamed = Store(seeded.path).headlines()
    path.write_bytes(orjson.dumps(orjson.loads(path.read_bytes())))  # how every older release wrote it
    assert not path.read_bytes().startswith(lines.HEADER)
    reread = Store(seeded.path).headlines()
    assert reread == streamed and all(type(r) is dict for r in reread.values())
    first = next(iter(reread))
    store = Store(seeded.path)
    store.merge_articles({}, {first: {"full_text": "page"}})  # rewrites headlines.json
    assert path.read_bytes().startswith(lines.HEADER)
    assert Store(seeded.path).headlines() == {**streamed, first: {**streamed[first], "full_text": "page"}}


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        (lambda rows: rows.__setitem__(3, rows[3][:-9]), "not valid JSON"),  # a line cut short
        (lambda rows: rows.__setitem__(2, rows[2].rstrip(b",")), "not valid JSON"),  # a comma lost
        (lambda rows: rows.__setitem__(-2, rows[-2] + b","), "not valid JSON"),  # one comma too many
        (lambda rows: rows.__delitem__(-1), "not valid JSON"),  # the end missing
        (
            lambda rows: rows.__setitem__(2, b'"abc":[1,2],'),
            "record 'abc' of table 'articles' is not an object",
        ),
    ],
)
def test_a_damaged_line_is_the_same_one_line_error_and_nothing_is_written(
    seeded: Library, tmp_path: Path, damage: object, why: str
) -> None:
    path = _headlines(seeded)
    rows = path.read_bytes().split(b"\n")[:-1]
    damage(rows)  # type: ignore[operator]
    broken = b"\n".join(rows) + b"\n"
    path.write_bytes(broken)
    with pytest.raises(CorruptLibraryError) as info:
        Library(seeded.path).articles()
    message = str(info.value)
    assert why in message and str(path) in message and "\n" not in message
    if "JSON" in why:  # the error of a whole parse, as for a file in any other layout
        with pytest.raises(orjson.JSONDecodeError) as whole:
            orjson.loads(broken)
        assert str(whole.value) in message
    other = tmp_path / "other.txt"
    other.write_text("Another Story\n\nA different body that ends here.\n")
    with pytest.raises(CorruptLibraryError, match=r"headlines\.json"):
        Library(seeded.path).import_paths([other])
    assert path.read_bytes() == broken


def test_records_are_read_across_block_boundaries_exactly(
    seeded: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = {
        "articles": {
            f"id{i:04d}\n\u00e9": {"src": f"s{i % 3}", "title": f"T {i}\n}}", "added": 1.5, "n": i}
            for i in range(500)
        },
        "_meta": {"1": {"schema": 2, "folded": 0}},
    }
    path = tmp_path / "headlines.json"
    path.write_bytes(b"".join(lines.dumps(doc)))
    whole = orjson.loads(path.read_bytes())
    for block in (1, 7, 64, 1000, 1 << 20):
        monkeypatch.setattr(lines, "BLOCK", block)
        assert read_document(path, SHAPES) == whole == doc
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"".join(lines.dumps({"articles": {}})))
    assert read_document(empty, SHAPES) == orjson.loads(empty.read_bytes()) == {"articles": {}}


@pytest.mark.skipif(platform.python_implementation() != "CPython", reason="CPython's split dicts")
def test_records_are_dicts_sharing_their_keys_and_repeated_values(seeded: Library) -> None:
    heads = list(Store(seeded.path).headlines().values())
    plain = orjson.loads(orjson.dumps(heads))
    assert all(type(r) is dict for r in heads) and heads == plain
    same_source = [r for r in heads if r["src"] == heads[0]["src"]]
    assert len(same_source) > 1 and all(r["src"] is same_source[0]["src"] for r in same_source)
    # (Their size is asserted on 500 records below: sys.getsizeof divides a shared key table among the
    # dicts sharing it, so five records say little, and what else was alive decided it.)


def test_the_library_written_by_main_migrates_to_the_line_layout_with_nothing_lost(tmp_path: Path) -> None:
    path = tmp_path / "old"
    shutil.copytree(FIXTURE, path)
    expected = json.loads((FIXTURES / "library-main.expected.json").read_text(encoding="utf-8"))
    assert not (FIXTURE / "headlines.json").read_bytes().startswith(lines.HEADER)
    assert _plain(path) == expected
    assert (path / "headlines.json").read_bytes().startswith(lines.HEADER)
    assert _plain(path) == expected  # read again, now streamed


def _odd_dated(
    rng: random.Random, size: int, values: list[object], *, spread: int
) -> list[tuple[str, dict[str, Any]]]:
    """``size`` (id, record) pairs whose dates and order are drawn from ``values`` (hand-edited types
    among them) and ints and floats up to ``spread``, each field missing one time in seven or so."""
    items = []
    for i in range(size):
        rec = {
            k: rng.choice([*values, rng.randint(0, spread), float(rng.randint(0, spread))])
            for k in ("published", "added", "n")
        }
        for k in [k for k in rec if rng.random() < 0.15]:
            del rec[k]
        items.append((f"id{i}", rec))
    return items


def test_newest_first_sorts_as_the_sort_key_does_hand_edited_values_and_ties_included() -> None:
    from newsreader.store.records import newest_first, sort_key

    rng = random.Random(16)
    values: list[object] = [0, 0.0, 1, 2, 2.0, 3.5, True, False, "7", None, [1], 10**3, 1000.0, -1.5]
    items = _odd_dated(rng, 5000, values, spread=40)
    assert newest_first(items) == sorted(items, key=lambda item: sort_key(item[1]), reverse=True)


def test_merging_sorted_runs_sorts_as_the_sort_key_does_across_runs_and_fans() -> None:
    from newsreader.store.records import MERGE_FAN, newest_first_ids, newest_first_merged, sort_key

    rng = random.Random(10)
    values: list[object] = [0, 0.0, 2, 2.0, True, "7", None, 10**3, 1000.0, -1.5]
    for size, run in ((5000, 7), (3000, 64), (200, 1), (0, 5), (1, 5)):
        # few distinct dates: ties across runs, settled by n, then input order
        items = _odd_dated(rng, size, values, spread=9)
        runs = [items[i : i + run] for i in range(0, len(items), run)]
        assert run > 10 or size < 1000 or len(runs) > MERGE_FAN**2  # three levels of merges at least
        expected = sorted(items, key=lambda item: sort_key(item[1]), reverse=True)
        assert newest_first_merged(runs) == expected
        assert newest_first_ids([i for i, _ in items], dict(items), run) == [i for i, _ in expected]


def test_a_payload_failing_half_way_leaves_the_old_file_and_no_temp_file(tmp_path: Path) -> None:
    from newsreader.store.storage import atomic_write

    path = tmp_path / "headlines.json"
    atomic_write(path, b'{"articles":{}}')

    def pieces() -> Iterator[bytes]:
        yield lines.HEADER
        raise TypeError("Type is not JSON serializable: object")

    with pytest.raises(TypeError):
        atomic_write(path, pieces())
    assert path.read_bytes() == b'{"articles":{}}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["headlines.json"]


@pytest.mark.skipif(platform.python_implementation() != "CPython", reason="CPython's split dicts")
def test_a_read_with_odd_keys_leaves_later_reads_compact(tmp_path: Path) -> None:
    """A class's shared key table holds at most 30 keys: each read has its own record class."""
    odd = {"articles": {f"a{i}": {"src": "s", "title": "t", f"k{i}": 1} for i in range(40)}}
    path = tmp_path / "odd.json"
    path.write_bytes(b"".join(lines.dumps(odd)))
    assert read_document(path, SHAPES) == odd
    doc = {"articles": {f"b{i}": {"src": "s", "title": f"T {i}", "added": 1.5, "n": i} for i in range(500)}}
    path.write_bytes(b"".join(lines.dumps(doc)))
    heads = list(read_document(path, SHAPES)["articles"].values())  # type: ignore[index]
    plain = list(doc["articles"].values())
    assert heads == plain and sum(map(sys.getsizeof, heads)) < 0.7 * sum(map(sys.getsizeof, plain))


def test_the_schema_is_read_from_the_tail_of_a_small_library(seeded: Library) -> None:
    """A library too small for a head file has its ``_meta`` read from the line that closes the
    table (no record parsed), and a newer schema is refused as before."""
    path = _headlines(seeded)
    data = path.read_bytes()
    with path.open("rb") as f:
        meta = lines.read_meta(f)
    assert meta is not None and meta["_meta"] == orjson.loads(data)["_meta"]
    assert data.count(b'"schema":2') == 1
    path.write_bytes(data.replace(b'"schema":2', b'"schema":99'))
    with pytest.raises(SchemaError, match="schema 99"):
        Library(seeded.path).articles()
    (seeded.path / "plain.json").write_bytes(orjson.dumps(orjson.loads(data)))  # an older release's layout
    with (seeded.path / "plain.json").open("rb") as f:
        assert lines.read_meta(f) is None
