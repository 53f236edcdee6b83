"""``headlines.json`` one article a line, read as a stream into compact records.

Parsing the whole file at once held its bytes (113 MB at 500,000 articles) and the whole tree of
records (380 MB) at the same time, and those records were dicts of ~270 bytes each: the app's peak
at 500,000 articles was 758 MB. The file is still one JSON document (TinyDB, ``jq`` and older
releases read it unchanged); it is only framed so that a reader can cut it at newlines::

    {"articles":{
    "id":{...},
    "id":{...}
    },"_meta":{"1":{...}}}

The reader parses a block of whole lines at a time (256 KB: never the file's bytes and a tree
together), checks each record's shape, and turns it at once into a :func:`compact` record: a real
``dict`` that shares its key table with every other record, with the source id, author and import
time each held once. A file in any other layout (an older release's, a hand edit), or one that does
not parse this way, is parsed whole as before, so that its error is the same one-line
:class:`~newsreader.errors.CorruptLibraryError`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import IO, Any

import orjson

TABLE = "articles"
HEADER = b'{"' + TABLE.encode() + b'":{\n'
BLOCK = 1 << 18
"""Bytes read at a time: a block's records are parsed together (one ``orjson.loads``, ~3 ms holding
the GIL where a whole 113 MB file held it for seconds), then made compact."""
TAIL = 1 << 16
"""How far from the end the line closing the table is looked for (past it: the file is parsed whole)."""


class NotLines(Exception):
    """Not in the line layout, or not valid JSON there: the caller parses the file whole."""


class _Headline:
    """Never kept: only its instances' ``__dict__`` are, one per record.

    CPython gives the instance dictionaries of one class a shared key table (a "split" dict), so each
    record stores its values alone: 144 bytes instead of 280 for a six-field record (tracemalloc), and
    still a plain ``dict`` for every reader and for ``orjson``. (A ``copy()`` of such a dict is not
    split once a key is added to it, so each record starts from a new instance.) Each read makes its own
    subclass (:func:`_record_class`): a class's table holds at most 30 keys, and a hand-edited library
    with odd keys must not leave every later read in the process with unshared records.
    """


_CLASS = object()
"""``seen``'s key for the read's record class."""


def _record_class(seen: dict[Any, Any]) -> type:
    cls = seen.get(_CLASS)
    if cls is None:
        cls = seen[_CLASS] = type("Headline", (_Headline,), {})
    return cls


def compact(rec: dict[str, Any], seen: dict[Any, Any]) -> dict[str, Any]:
    """``rec`` as a split dict, the values that repeat across records (a source's id, an import
    batch's time, a feed's author) shared through ``seen`` (one per read)."""
    if "src" not in rec:  # a hand-made record: kept as it is
        return rec
    out: dict[str, Any] = _record_class(seen)().__dict__
    out["src"] = None  # into an empty dict, update() would copy the parsed record's own key table
    out.update(rec)
    value = out["src"]
    if type(value) is str:  # only a value of the same type is shared: 1 == 1.0 == True
        out["src"] = seen.setdefault(value, value)
    value = out.get("added")
    if type(value) is float:
        out["added"] = seen.setdefault(value, value)
    value = out.get("author")
    if type(value) is str:
        out["author"] = seen.setdefault(value, value)
    return out


def compact_table(table: dict[str, Any]) -> None:
    """Make a whole parse's records compact, in place (a file read in an older layout)."""
    seen: dict[Any, Any] = {}
    for key, rec in table.items():
        if type(rec) is dict:
            table[key] = compact(rec, seen)


def dumps(doc: Mapping[str, Any]) -> Iterator[bytes]:
    """``doc`` (a ``headlines.json`` document) in the line layout, in pieces of about ``BLOCK``."""
    rest = {k: v for k, v in doc.items() if k != TABLE}
    out = [HEADER]
    size = 0
    first = True
    for article_id, rec in doc.get(TABLE, {}).items():
        line = orjson.dumps({article_id: rec})
        line = line[1:-1] if first else b",\n" + line[1:-1]
        first = False
        out.append(line)
        size += len(line)
        if size >= BLOCK:
            yield b"".join(out)
            out, size = [], 0
    out.append(b"}" if first else b"\n}")
    out.append(b"," + orjson.dumps(rest)[1:] if rest else b"}")
    out.append(b"\n")
    yield b"".join(out)


def read(f: IO[bytes]) -> dict[str, Any]:
    """The document in ``f`` (at its start), its ``articles`` records compact.

    Raises:
        NotLines: ``f`` is not in this layout, or does not parse in it; nothing is kept.
    """
    if f.read(len(HEADER)) != HEADER:
        raise NotLines
    closing = _closing_line(f)
    f.seek(len(HEADER))
    left = closing - len(HEADER)
    table: dict[str, Any] = {}
    seen: dict[Any, Any] = {}
    comma: bool | None = None  # did the last record line end with a comma (None: no record yet)
    tail = b""
    while left > 0:
        block = f.read(min(BLOCK, left))
        if not block:
            raise NotLines  # the file shrank under us
        left -= len(block)
        data = tail + block
        cut = data.rfind(b"\n") + 1
        if cut:
            comma = _parse(data[:cut], comma, table, seen)
        tail = data[cut:]
    if comma or tail:
        raise NotLines  # a comma after the last record
    try:
        doc = orjson.loads(b'{"' + TABLE.encode() + b'":{}' + f.read()[1:])
    except orjson.JSONDecodeError as exc:
        raise NotLines from exc
    if not isinstance(doc, dict):
        raise NotLines
    doc[TABLE] = table
    return doc


def read_meta(f: IO[bytes]) -> dict[str, Any] | None:
    """The document's tables other than ``articles`` (its ``_meta``), read from the file's tail alone;
    ``None`` if ``f`` is not in this layout. For the schema check of a library too small for a head
    file: a command that never lists articles (a refresh that finds nothing new) then parses none."""
    if f.read(len(HEADER)) != HEADER:
        return None
    try:
        f.seek(_closing_line(f))
        doc = orjson.loads(b'{"' + TABLE.encode() + b'":{}' + f.read()[1:])
    except (NotLines, orjson.JSONDecodeError):
        return None
    return doc if isinstance(doc, dict) else None


def _closing_line(f: IO[bytes]) -> int:
    """Where the line that closes the table starts (its ``}``): the file's last line that begins
    with one, since a record line begins with ``"`` and holds no newline (JSON escapes them)."""
    size = f.seek(0, 2)
    start = max(len(HEADER) - 1, size - TAIL)
    f.seek(start)
    found = f.read().rfind(b"\n}")
    if found < 0:
        raise NotLines
    return start + found + 1


def _parse(lines: bytes, comma: bool | None, table: dict[str, Any], seen: dict[Any, Any]) -> bool | None:
    """Parse whole record lines into ``table``; returns whether the last one ended with a comma."""
    body = lines.rstrip()
    if not body:
        return comma
    if comma is False:
        raise NotLines  # records after one that had no comma
    ends_with_comma = body.endswith(b",")
    try:
        parsed = orjson.loads(b"{" + (body[:-1] if ends_with_comma else body) + b"}")
    except orjson.JSONDecodeError as exc:
        raise NotLines from exc
    record, share = _record_class(seen), seen.setdefault
    for article_id, rec in parsed.items():  # ``compact``, inlined: a call a record was a fifth of a read
        if type(rec) is not dict:
            raise NotLines  # the whole parse names the record
        if "src" in rec:
            out = record().__dict__
            out["src"] = None
            out.update(rec)
            value = out["src"]
            if type(value) is str:
                out["src"] = share(value, value)
            value = out.get("added")
            if type(value) is float:
                out["added"] = share(value, value)
            value = out.get("author")
            if type(value) is str:
                out["author"] = share(value, value)
            rec = out
        table[article_id] = rec
    return ends_with_comma
