"""The journal: small TinyDB files that make a write cost what it changes, not the library.

A write to a big library does not rewrite ``headlines.json`` (38 MB at 100,000 articles), ``state.json``,
``tags.json`` and the body shards it touches: it writes one new file ``journal/NNNNNNNNNN.json`` (one
fsync) holding what changed, as TinyDB tables::

    articles  id -> headline record, or null (removed)     bodies   id -> body record, or null
    state     id -> flags (0: cleared)                     sources  id -> the whole record, or null
    tags      id -> sorted tag names ([]: none)            _meta    {"1": {"generation": g}}

Readers merge the base files with the journal files in sequence order. Every base file (and body shard)
records in its ``_meta`` table the last journal sequence number folded into it (``folded``; absent, as in
schema 1, means 0), so a journal file applies only to the bases that do not hold it yet. Compaction
(``newsreader.store.compaction``) writes each base atomically with its new ``folded`` and only then
deletes the journal files: a crash at any point leaves every file whole and every change either in a
base or still in the journal. A reader that finds a journal file gone has raced a compaction and reads
again.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsreader.store.storage import atomic_write, corrupt, read_document

JOURNAL = "journal"
TABLES = ("articles", "state", "sources", "tags")
"""The tables merged in memory; ``bodies`` stay on disk and are looked up by the sequence holding them."""
_KINDS: dict[str, tuple[type, ...]] = {
    "articles": (dict, type(None)),
    "bodies": (dict, type(None)),
    "state": (int,),
    "sources": (dict, type(None)),
    "tags": (list,),
    "_meta": (dict,),
}


class Vanished(Exception):
    """A journal file listed a moment ago is gone: a compaction ran; read again."""


def name_of(seq: int) -> str:
    return f"{seq:010d}.json"


def sequence(folder: str | Path) -> tuple[int, ...]:
    """The journal's sequence numbers in order (temp files and anything else ignored).

    Every read of the library asks this to see whether the journal moved, so it builds no ``Path``:
    that made ~80% of the cost of an unchanged check (a ``Library.get`` asks five times).
    """
    out: list[int] = []
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        for entry in os.scandir(folder):
            name = entry.name
            if len(name) == 15 and name.endswith(".json") and name[:10].isdigit():
                out.append(int(name[:10]))
    out.sort()
    return tuple(out)


def listing(folder: Path) -> list[tuple[int, Path]]:
    """The journal files in sequence order (temp files and anything else ignored)."""
    return [(seq, folder / name_of(seq)) for seq in sequence(folder)]


def read_delta(path: Path) -> dict[str, Any]:
    """One journal file, its tables checked (a hand-edited file is refused, never half-applied)."""
    doc = read_document(path)
    if doc is None:
        raise Vanished(str(path))
    for name, table in doc.items():
        kinds = _KINDS.get(name)
        if kinds is None:
            continue
        if not isinstance(table, dict):
            raise corrupt(path, f"table {name!r} is not an object")
        for key, value in table.items():
            if not isinstance(value, kinds) or isinstance(value, bool):
                raise corrupt(path, f"record {key[:40]!r} of table {name!r} has the wrong type")
    return doc


def write_delta(folder: Path, seq: int, payload: bytes) -> None:
    """Durably create journal file ``seq`` (never replaced, so it needs no ``.bak``)."""
    atomic_write(folder / name_of(seq), payload, backup=False)


def folded(doc: dict[str, Any]) -> int:
    meta = doc.get("_meta", {})
    value = meta.get("1", {}).get("folded", 0) if isinstance(meta, dict) else 0
    return value if isinstance(value, int) else 0


def set_folded(doc: dict[str, Any], seq: int) -> None:
    doc.setdefault("_meta", {}).setdefault("1", {})["folded"] = seq


def gone(value: Any) -> bool:
    """A journal value that removes its key: null (a record), 0 (flags), [] (tags)."""
    return value is None or value == 0 or value == []


class Table:
    """One table as a base dict (never mutated) plus the journal's overlay on it, merged only when asked:
    a commit looks up a few ids and pays nothing for the library's size.

    The base file is parsed on first use (marking an article never parses the headlines), and only the
    journal documents newer than what that base file says it has folded are laid over it.
    """

    __slots__ = ("_base", "_folded", "_load", "_merged", "_over", "deltas", "name")

    def __init__(self, name: str, load: Callable[[], dict[str, Any]], deltas: list[tuple[int, Any]]) -> None:
        self.name = name
        self._load = load
        self.deltas = deltas
        """(sequence, journal document) in order; shared with the view."""
        self._base: dict[str, Any] | None = None
        self._folded = 0
        self._over: dict[str, Any] = {}
        self._merged: dict[str, Any] | None = None

    def _ensure(self) -> dict[str, Any]:
        base = self._base
        if base is None:  # two threads may both get here: each builds whole values, then publishes them
            doc = self._load()
            done = folded(doc)
            over: dict[str, Any] = {}
            for seq, delta in self.deltas:
                if seq > done and delta.get(self.name):
                    over.update(delta[self.name])
            table = doc.get(self.name, {})
            base = table if isinstance(table, dict) else {}
            self._folded, self._over = done, over
            self._base = base
        return base

    @property
    def folded(self) -> int:
        self._ensure()
        return self._folded

    @property
    def over(self) -> dict[str, Any]:
        """What the journal changes in this table (the base not yet holding it)."""
        self._ensure()
        return self._over

    def get(self, key: str, default: Any = None) -> Any:
        base = self._ensure()
        if key in self._over:
            value = self._over[key]
            return default if gone(value) else value
        return base.get(key, default)

    def merged(self) -> dict[str, Any]:
        """The whole table (built once per view; shared, so never mutated)."""
        base = self._ensure()
        if not self._over:
            return base
        if self._merged is None:
            merged = dict(base)
            for key, value in self._over.items():
                if gone(value):
                    merged.pop(key, None)
                else:
                    merged[key] = value
            self._merged = merged
        return self._merged

    def extended(self, deltas: list[tuple[int, Any]], more: list[tuple[int, Any]]) -> Table:
        """This table with more journal documents (the base, if parsed, is shared)."""
        table = Table(self.name, self._load, deltas)
        if self._base is not None:
            table._base, table._folded, table._over = self._base, self._folded, dict(self._over)
            for seq, delta in more:
                if seq > self._folded and delta.get(self.name):
                    table._over.update(delta[self.name])
        return table


@dataclass(slots=True)
class View:
    """The merged library (bases + journal) as one process last read it. Shared: never mutated once built."""

    key: tuple[Any, ...]
    """Stat keys of the base files and the journal's sequence numbers: what the view was read from."""
    tables: dict[str, Table]
    deltas: list[tuple[int, Any]] = field(default_factory=list)
    body_at: dict[str, int] = field(default_factory=dict)
    """Article id -> the last journal file holding its body (or its removal)."""
    journal_bytes: int = 0
    generation: int = 0
    """The highest generation a journal document records (the bases' is in ``headlines.json``)."""

    @property
    def seqs(self) -> tuple[int, ...]:
        return tuple(seq for seq, _doc in self.deltas)

    @property
    def last_seq(self) -> int:
        """The newest sequence number in use. Compaction leaves the journal's last file behind as an empty
        marker, so a journaled library answers from the folder listing; only a library without a journal
        parses its bases to read what they have folded (small ones: they write through)."""
        if self.deltas:
            return self.deltas[-1][0]
        return max(table.folded for table in self.tables.values())

    def extended(self, key: tuple[Any, ...], files: list[tuple[int, Path]]) -> View:
        """This view with more journal files applied (leaves this one alone)."""
        more = []
        size = self.journal_bytes
        for seq, path in files:
            more.append((seq, read_delta(path)))
            with contextlib.suppress(OSError):
                size += path.stat().st_size
        return self.with_deltas(key, more, size)

    def with_deltas(self, key: tuple[Any, ...], more: list[tuple[int, Any]], size: int) -> View:
        deltas = [*self.deltas, *more]
        view = View(
            key,
            {name: table.extended(deltas, more) for name, table in self.tables.items()},
            deltas,
            dict(self.body_at),
            size,
            self.generation,
        )
        for seq, doc in more:
            for article_id in doc.get("bodies", {}):
                view.body_at[article_id] = seq
            view.generation = max(
                view.generation, int(doc.get("_meta", {}).get("1", {}).get("generation", 0))
            )
        return view


def deltas(files: list[tuple[int, Path]], wanted: set[int]) -> Iterator[tuple[int, dict[str, Any]]]:
    """The journal documents with these sequence numbers, in order."""
    for seq, path in files:
        if seq in wanted:
            yield seq, read_delta(path)
