"""A lean HTTP/1.1 client on asyncio streams, for the plain-http downloads of a refresh.

httpx (over httpcore and anyio) costs ~3 ms of CPU per request in Python bookkeeping and ~0.1 s to
import; a refresh of 200 feeds that all answer 304 spent more CPU there than anywhere else. This
client does what :class:`newsreader.ingest.fetch.Fetcher` asks of one and nothing more: ``GET``
with keep-alive connections per host, Content-Length, chunked and read-to-close bodies, gzip and
deflate. ``https://`` URLs and proxied requests stay with httpx (its TLS context, its proxy
rules); :mod:`.fetch` chooses. The interface is the part of httpx's ``AsyncClient.stream`` and
``Response`` that fetch.py reads, so the download loop is one piece of code for both.
"""

from __future__ import annotations

import asyncio
import base64
import time
import zlib
from collections.abc import AsyncIterator, Mapping
from types import TracebackType
from typing import Protocol
from urllib.parse import SplitResult, quote, unquote, urlsplit

_CHUNK = 65536
_MAX_HEADERS = 200
_LINE_LIMIT = 65536  # longest status or header line accepted
_SAFE = "!#$%&'()*+,/:;=?@[]~"  # left as they are in a request target; the rest is percent-encoded


class HTTPError(Exception):
    """A request that got no usable answer; ``str()`` is the sentence a user sees."""


class ConnectError(HTTPError):
    """The connection could not be made."""


class ConnectTimeout(HTTPError):
    """The connection was not made within the connect timeout."""


class DecodingError(HTTPError):
    """The body's Content-Encoding did not decode."""


class ProtocolError(HTTPError):
    """The server broke HTTP/1.1 or closed the connection mid-answer."""


class InvalidURL(HTTPError):
    """No request can be written for the URL (a host name IDNA cannot encode, say)."""


class Headers:
    """Response headers by lower-case name; a repeated header reads as its values ``", "``-joined."""

    __slots__ = ("_values",)

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        values: dict[str, list[str]] = {}
        for name, value in pairs:
            values.setdefault(name.lower(), []).append(value)
        self._values = values

    def get(self, name: str, default: str | None = None) -> str | None:
        found = self._values.get(name.lower())
        return ", ".join(found) if found else default


class _Connection:
    __slots__ = ("idle_since", "key", "reader", "writer")

    def __init__(self, key: tuple[str, int], reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.key = key
        self.reader = reader
        self.writer = writer
        self.idle_since = 0.0

    def usable(self, now: float, expiry: float) -> bool:
        return not self.reader.at_eof() and not self.writer.is_closing() and now - self.idle_since < expiry

    def close(self) -> None:
        self.writer.close()


class Response:
    """One answer, its body read on demand (``aiter_bytes``: decoded, in pieces)."""

    def __init__(self, pool: Pool, conn: _Connection, url: str, status: int, headers: Headers, keep: bool):
        self.url = url
        self.status_code = status
        self.headers = headers
        self._pool = pool
        self._conn: _Connection | None = conn
        self._keep = keep
        self._done = False

    async def aread(self) -> bytes:
        return b"".join([chunk async for chunk in self.aiter_bytes()])

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        decoders = _decoders(self.headers.get("content-encoding") or "")
        async for raw in self._raw():
            for decoder in decoders:
                raw = _decode(decoder, raw)
            if raw:
                yield raw
        tail = b""
        for decoder in decoders:
            try:
                tail = _decode(decoder, tail) + decoder.flush()
            except zlib.error as exc:
                raise DecodingError(f"bad compressed data: {exc}") from None
        if tail:
            yield tail

    async def _raw(self) -> AsyncIterator[bytes]:
        if self._done:
            return
        assert self._conn is not None
        reader = self._conn.reader
        try:
            if self.status_code in (204, 304) or 100 <= self.status_code < 200:
                pass
            elif "chunked" in (self.headers.get("transfer-encoding") or "").lower():
                async for chunk in _chunks(reader):
                    yield chunk
            elif (length := self.headers.get("content-length")) is not None:
                left = _length(length)
                while left:
                    chunk = await reader.read(min(left, _CHUNK))
                    if not chunk:
                        raise ProtocolError("the server closed the connection before the body ended")
                    left -= len(chunk)
                    yield chunk
            else:  # no framing: the body runs to the end of the connection
                self._keep = False
                while chunk := await reader.read(_CHUNK):
                    yield chunk
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
            raise ProtocolError(_broken(exc)) from None
        self._done = True

    def release(self) -> None:
        """Back to the pool if the body was read to its end and the connection may be kept."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        if self._done and self._keep:
            self._pool.put(conn)
        else:
            conn.close()


class _Exchange:
    """``async with pool.stream(...) as response``: the connection is released on the way out."""

    def __init__(self, pool: Pool, url: str, headers: Mapping[str, str]) -> None:
        self._pool = pool
        self._url = url
        self._headers = headers
        self._response: Response | None = None

    async def __aenter__(self) -> Response:
        self._response = await self._pool.request(self._url, self._headers)
        return self._response

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._response is not None:
            self._response.release()


class Pool:
    """Keep-alive connections by host and port; how many are in flight is the caller's to bound."""

    def __init__(self, headers: Mapping[str, str], connect_timeout: float, keepalive: float = 30.0) -> None:
        self._headers = dict(headers)
        self._connect_timeout = connect_timeout
        self._keepalive = keepalive
        self._idle: dict[tuple[str, int], list[_Connection]] = {}

    def stream(self, method: str, url: str, *, headers: Mapping[str, str]) -> _Exchange:
        if method != "GET":
            raise ValueError("only GET")
        return _Exchange(self, url, headers)

    def put(self, conn: _Connection) -> None:
        conn.idle_since = time.monotonic()
        self._idle.setdefault(conn.key, []).append(conn)

    async def aclose(self) -> None:
        for conns in self._idle.values():
            for conn in conns:
                conn.close()
        self._idle.clear()

    async def request(self, url: str, extra: Mapping[str, str]) -> Response:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or 80
        key = (host, port)
        try:
            message = _request_bytes(parts, host, port, {**self._headers, **extra})
        except UnicodeError as exc:  # IDNA refused the host name, or a header is not Latin-1
            raise InvalidURL(str(exc) or "cannot encode the request") from None
        while (conn := self._take(key)) is not None:  # a kept connection, unless the server closed it
            try:
                return await self._exchange(conn, url, message)
            except _Stale:
                continue
        conn = await self._connect(key)
        try:
            return await self._exchange(conn, url, message)
        except _Stale as exc:
            raise ProtocolError(str(exc)) from None

    def _take(self, key: tuple[str, int]) -> _Connection | None:
        conns = self._idle.get(key)
        now = time.monotonic()
        while conns:
            conn = conns.pop()
            if conn.usable(now, self._keepalive):
                return conn
            conn.close()
        return None

    async def _connect(self, key: tuple[str, int]) -> _Connection:
        try:
            async with asyncio.timeout(self._connect_timeout):
                reader, writer = await asyncio.open_connection(key[0], key[1], limit=_LINE_LIMIT)
        except TimeoutError:
            raise ConnectTimeout("connect timed out") from None
        except OSError as exc:
            raise ConnectError(exc.strerror or str(exc) or type(exc).__name__) from None
        return _Connection(key, reader, writer)

    async def _exchange(self, conn: _Connection, url: str, message: bytes) -> Response:
        try:
            try:
                conn.writer.write(message)
                await conn.writer.drain()
            except OSError as exc:
                raise _Stale(f"cannot send the request: {exc}") from None
            status, version, pairs = await _read_head(conn.reader)
            while 100 <= status < 200:  # interim answers (100 Continue, 103 Early Hints) precede the real one
                status, version, pairs = await _read_head(conn.reader)
        except BaseException:
            conn.close()
            raise
        headers = Headers(pairs)
        tokens = (headers.get("connection") or "").lower()
        keep = "close" not in tokens and (version != "HTTP/1.0" or "keep-alive" in tokens)
        return Response(self, conn, url, status, headers, keep)


class _Stale(Exception):
    """The server closed the connection before answering: safe to ask again on a new one."""


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, str, list[tuple[str, str]]]:
    try:
        line = await reader.readline()
        if not line:
            raise _Stale("the server closed the connection without answering")
        version, _, rest = line.decode("latin-1").rstrip("\r\n").partition(" ")
        code = rest[:3]
        if not version.startswith("HTTP/1.") or not code.isdigit():
            raise ProtocolError(f"not an HTTP/1.x answer: {line[:60]!r}")
        pairs: list[tuple[str, str]] = []
        while True:
            raw = await reader.readline()
            if raw in (b"\r\n", b"\n"):
                break
            if not raw:
                raise ProtocolError("the server closed the connection in the middle of the headers")
            if len(pairs) >= _MAX_HEADERS:
                raise ProtocolError("too many response headers")
            name, colon, value = raw.decode("latin-1").partition(":")
            if not colon or not name.strip() or name != name.strip():
                raise ProtocolError(f"malformed response header: {raw[:60]!r}")
            pairs.append((name, value.strip()))
    except (OSError, asyncio.LimitOverrunError, ValueError) as exc:
        if isinstance(exc, ConnectionResetError | BrokenPipeError):
            raise _Stale("the server reset the connection") from None
        raise ProtocolError(_broken(exc)) from None
    return int(code), version, pairs


async def _chunks(reader: asyncio.StreamReader) -> AsyncIterator[bytes]:
    while True:
        line = await reader.readline()
        if not line.endswith(b"\n"):
            raise ProtocolError("the server closed the connection in the middle of a chunked body")
        size = int(line.split(b";", 1)[0].strip() or b"x", 16)  # ValueError on garbage
        if size < 0:
            raise ValueError("negative chunk size")
        if size == 0:
            while (trailer := await reader.readline()) not in (b"\r\n", b"\n"):
                if not trailer:
                    return  # no final CRLF: the body is complete all the same
            return
        left = size
        while left:
            chunk = await reader.read(min(left, _CHUNK))
            if not chunk:
                raise ProtocolError("the server closed the connection in the middle of a chunked body")
            left -= len(chunk)
            yield chunk
        await reader.readexactly(2)  # the CRLF after the chunk


def _length(value: str) -> int:
    values = {v.strip() for v in value.split(",")}
    if len(values) != 1 or not (only := values.pop()).isdigit():
        raise ProtocolError(f"bad Content-Length: {value[:40]!r}")
    return int(only)


def _broken(exc: BaseException) -> str:
    if isinstance(exc, asyncio.IncompleteReadError):
        return "the server closed the connection before the body ended"
    if isinstance(exc, ValueError | asyncio.LimitOverrunError):
        return "the server sent a malformed answer"
    return f"{type(exc).__name__}: {exc}"


class _Deflate:
    """``deflate`` as servers send it: zlib-wrapped as the RFC says, or raw (httpx accepts both)."""

    def __init__(self) -> None:
        self._decoder = zlib.decompressobj()
        self._first = True

    def decompress(self, data: bytes) -> bytes:
        if self._first and data:
            self._first = False
            try:
                return self._decoder.decompress(data)
            except zlib.error:
                self._decoder = zlib.decompressobj(-zlib.MAX_WBITS)
        return self._decoder.decompress(data)

    def flush(self) -> bytes:
        return self._decoder.flush()


class _Decoder(Protocol):
    def decompress(self, data: bytes) -> bytes: ...

    def flush(self) -> bytes: ...


def _decoders(encoding: str) -> list[_Decoder]:
    """Decoders in the order the body needs them (the last encoding applied comes off first)."""
    decoders: list[_Decoder] = []
    for value in reversed([v.strip().lower() for v in encoding.split(",")]):
        if value in ("gzip", "x-gzip"):
            decoders.append(zlib.decompressobj(zlib.MAX_WBITS | 16))
        elif value == "deflate":
            decoders.append(_Deflate())
        # identity, and encodings never asked for, pass through as httpx passes them
    return decoders


def _decode(decoder: _Decoder, data: bytes) -> bytes:
    try:
        return decoder.decompress(data)
    except zlib.error as exc:
        raise DecodingError(f"bad compressed data: {exc}") from None


def _request_bytes(parts: SplitResult, host: str, port: int, headers: Mapping[str, str]) -> bytes:
    target = quote(parts.path or "/", safe=_SAFE)
    if parts.query:
        target += "?" + quote(parts.query, safe=_SAFE)
    name = host if host.isascii() else host.encode("idna").decode("ascii")
    if ":" in name:
        name = f"[{name}]"  # an IPv6 literal
    lines = [f"GET {target} HTTP/1.1", f"Host: {name}" if port == 80 else f"Host: {name}:{port}"]
    if parts.username is not None:
        secret = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        lines.append("Authorization: Basic " + base64.b64encode(secret).decode("ascii"))
    lines += [f"{key}: {value}" for key, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
