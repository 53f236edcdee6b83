"""``headlines.json`` one article a line, read as a stream into compact records.

Parsing the whole file at once held its bytes (113 MB at 500,000 articles) and the whole tree of
records (380 MB) at the same time, and those records were dicts of ~270 bytes each: the app's peak
at 500,000 articles was 758 MB. The file is still one JSON document (TinyDB, ``jq`` and older
releases read it unchanged); it is only framed so that a reader can cut it at newlines::

    {"articles":{
    "id":{...},
    "id":{...}
    },"_meta":{"1":{...}}}

The reader parses a block of whole lines at a time (a megabyte: never the file's bytes and a tree
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
BLOCK = 1 << 20
"""Bytes read at a time: a block's records are parsed together (one ``orjson.loads``), then made compact."""


class NotLines(Exception):
    """Not in the line layout, or not valid JSON there: the caller parses the file whole."""


class _Headline:
    """Never kept: only its ``__dict__`` is. CPython gives the instance dictionaries of one class a
    shared key table (a "split" dict), so each record stores its values alone: 136 bytes instead of
    272 for a six-field record, and still a plain ``dict`` for every reader and for ``orjson``."""


_INTERNED = ("src", "author", "added")
"""Values repeated across records (a source's id, a feed's author, an import batch's time)."""


def compact(rec: dict[str, Any], seen: dict[Any, Any]) -> dict[str, Any]:
    """``rec`` as a split dict, its repeated values shared through ``seen`` (one per read)."""
    if "src" not in rec:  # a hand-made record: kept as it is
        return rec
    out: dict[str, Any] = _Headline().__dict__
    out["src"] = None  # into an empty dict, update() would copy rec's own key table
    out.update(rec)
    for key in _INTERNED:
        value = out.get(key)
        if value is not None and type(value) is not dict and type(value) is not list:
            out[key] = seen.setdefault(value, value)
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
    table: dict[str, Any] = {}
    seen: dict[Any, Any] = {}
    comma: bool | None = None  # did the last record line end with a comma (None: no record yet)
    tail = b""
    while True:
        block = f.read(BLOCK)
        if not block:
            raise NotLines  # the file ends inside the table
        data = tail + block
        found = data.find(b"\n}")  # the line that closes the table (records begin with '"')
        end = 0 if data[:1] == b"}" else found + 1 if found >= 0 else -1
        if end >= 0:  # the line that closes the table
            lines, tail = data[:end], data[end:]
        else:
            cut = data.rfind(b"\n") + 1
            lines, tail = data[:cut], data[cut:]
        if lines.strip():
            comma = _parse(lines, comma, table, seen)
        if end >= 0:
            break
    if comma:
        raise NotLines  # a comma after the last record
    try:
        doc = orjson.loads(b'{"' + TABLE.encode() + b'":{}' + tail[1:] + f.read())
    except orjson.JSONDecodeError as exc:
        raise NotLines from exc
    if not isinstance(doc, dict):
        raise NotLines
    doc[TABLE] = table
    return doc


def _parse(lines: bytes, comma: bool | None, table: dict[str, Any], seen: dict[Any, Any]) -> bool:
    """Parse whole record lines into ``table``; returns whether the last one ended with a comma."""
    if comma is False:
        raise NotLines  # records after one that had no comma
    body = lines.rstrip()
    ends_with_comma = body.endswith(b",")
    if ends_with_comma:
        body = body[:-1]
    try:
        parsed = orjson.loads(b"{" + body + b"}")
    except orjson.JSONDecodeError as exc:
        raise NotLines from exc
    for article_id, rec in parsed.items():
        if type(rec) is not dict:
            raise NotLines  # the whole parse names the record
        table[article_id] = compact(rec, seen)
    return ends_with_comma
