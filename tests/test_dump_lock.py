"""Dump reading is locked, article by article, to what it gave when the lock was written.

A speed-up of the dump reader must not change what it reads: every article's id, title, body, excerpt,
author, dates and flags. ``tests/fixtures/dump-lock.json`` holds a digest of each input's drafts, made by
main's reader before the import was made fast (issue 10): the repository's dump fixtures and generated
dumps (always), and every page of ``../shared/corpora/article-pages/text``, ``../shared/seeds`` and the
feed corpus's ``.txt`` files, each read as a plain dump and as Markdown (where ``../shared`` exists).
A change that means to read differently writes the lock again: ``python -m tests.test_dump_lock``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsreader import _import
from newsreader.models import ArticleDraft
from tests.bench.gen import dump_text

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
LOCK = Path(__file__).parent / "fixtures" / "dump-lock.json"
GENERATED = ((2000, 3, 120), (300, 1, 40), (200, 7, 300), (100, 11, 12))
"""(articles, seed, words) of generated dumps: the first is the import benchmark's shape."""


def digest(drafts: list[ArticleDraft]) -> str:
    """Every field of every draft, in order."""
    rows = [[repr(getattr(d, f.name)) for f in dataclasses.fields(d)] for d in drafts]
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()


def read(path: Path, data: bytes) -> str:
    """The digest of a file read as an import reads it, or of the error that refuses it."""
    try:
        return digest(_import.parse_dump(path, data))
    except Exception as exc:  # an error refused is part of the reading
        return f"{type(exc).__name__}: {exc}"


def shared_inputs() -> Iterator[Path]:
    yield from sorted((SHARED / "corpora" / "article-pages" / "text").glob("*.txt"))
    yield from sorted(p for p in (SHARED / "seeds").glob("*") if p.suffix in {".txt", ".md"})
    yield from sorted((SHARED / "corpora" / "feeds").rglob("*.txt"))


def own_inputs() -> Iterator[tuple[str, Path, bytes]]:
    for path in sorted((ROOT / "tests" / "fixtures" / "dumps").glob("*.txt")):
        yield f"fixtures/{path.name}", path, path.read_bytes()
    for n, seed, words in GENERATED:
        yield (
            f"generated-{n}-{seed}-{words}.txt",
            Path("generated.txt"),
            dump_text(n, seed=seed, words=words).encode(),
        )


def readings(inputs: Iterator[tuple[str, Path, bytes]]) -> dict[str, str]:
    """Each input read as a plain dump and as Markdown."""
    out: dict[str, str] = {}
    for key, path, data in inputs:
        out[key] = read(path, data)
        out[key + " (md)"] = read(path.with_suffix(".md"), data)
    return out


def shared_readings() -> dict[str, str]:
    return readings((str(p.relative_to(SHARED)), p, p.read_bytes()) for p in shared_inputs())


def test_own_dumps_read_as_locked() -> None:
    locked = json.loads(LOCK.read_text(encoding="utf-8"))
    got = readings(own_inputs())
    assert {k: v for k, v in got.items() if locked.get(k) != v} == {}


def test_shared_corpus_reads_as_locked() -> None:
    if not (SHARED / "corpora" / "article-pages" / "text").is_dir():
        pytest.skip(f"{SHARED / 'corpora'} is missing: the corpus lock is not checked")
    locked = json.loads(LOCK.read_text(encoding="utf-8"))
    got = shared_readings()
    assert len(got) >= 200  # 99 pages, seeds and feed texts, twice each
    assert {k: v for k, v in got.items() if locked.get(k) != v} == {}


if __name__ == "__main__":
    lock = {**readings(own_inputs()), **shared_readings()}
    LOCK.write_text(json.dumps(lock, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{LOCK}: {len(lock)} readings", file=sys.stderr)
