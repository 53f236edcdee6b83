"""A lean HTTP/1.1 client: h11 over asyncio streams, for the plain-http downloads of a refresh.

httpx (over httpcore and anyio) costs ~3 ms of CPU per request in Python bookkeeping and ~0.1 s to
import; a refresh of 200 feeds that all answer 304 spent more CPU there than anywhere else. h11
(httpx's own HTTP/1.1 state machine) reads and writes the protocol: status lines, headers,
Content-Length, chunked and read-to-close bodies, when a connection may be kept. This module adds
what :class:`newsreader.ingest.fetch.Fetcher` asks and nothing more: ``GET`` over keep-alive
connections per host (a kept one the server closed is replaced), gzip and deflate, credentials in
the URL. ``https://`` URLs and proxied requests stay with httpx (its TLS context, its proxy rules);
:mod:`._clients` chooses. The interface is the part of httpx's ``AsyncClient.stream`` and
``Response`` that fetch.py reads, so the download loop is one piece of code for both.
"""

from __future__ import annotations

import asyncio
import base64
import time
import zlib
from collections.abc import AsyncIterator, Mapping
from types import TracebackType
from typing import Any, Protocol
from urllib.parse import SplitResult, quote, unquote, urlsplit

import h11

_CHUNK = 65536
_HEAD_LIMIT = 65536  # largest status line and headers accepted
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
    __slots__ = ("idle_since", "key", "protocol", "reader", "received", "writer")

    def __init__(self, key: tuple[str, int], reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.key = key
        self.reader = reader
        self.writer = writer
        self.protocol = h11.Connection(h11.CLIENT, max_incomplete_event_size=_HEAD_LIMIT)
        self.idle_since = 0.0
        self.received = 0  # bytes of the current answer read so far

    def usable(self, now: float, expiry: float) -> bool:
        return not self.reader.at_eof() and not self.writer.is_closing() and now - self.idle_since < expiry

    async def next_event(self) -> Any:
        """h11's next event, reading from the socket as it needs."""
        protocol = self.protocol
        try:
            while (event := protocol.next_event()) is h11.NEED_DATA:
                data = await self.reader.read(_CHUNK)
                self.received += len(data)
                protocol.receive_data(data)
        except h11.RemoteProtocolError as exc:
            raise ProtocolError(f"the server broke HTTP/1.1: {exc}") from None
        except OSError as exc:
            raise ProtocolError(f"{type(exc).__name__}: {exc}") from None
        return event

    def close(self) -> None:
        self.writer.close()


class Response:
    """One answer, its body read on demand (``aiter_bytes``: decoded, in pieces)."""

    def __init__(self, pool: Pool, conn: _Connection, url: str, status: int, headers: Headers):
        self.url = url
        self.status_code = status
        self.headers = headers
        self._pool = pool
        self._conn: _Connection | None = conn
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
        """The body as h11 frames it (Content-Length, chunked, or to the end of the connection)."""
        if self._done:
            return
        assert self._conn is not None
        while True:
            event = await self._conn.next_event()
            if isinstance(event, h11.Data):
                yield bytes(event.data)
            elif isinstance(event, h11.EndOfMessage):
                break
            else:  # ConnectionClosed before the end h11 expected
                raise ProtocolError("the server closed the connection before the body ended")
        self._done = True

    def release(self) -> None:
        """Back to the pool if the body was read to its end and both sides may go on."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        protocol = conn.protocol
        if self._done and protocol.our_state is h11.DONE and protocol.their_state is h11.DONE:
            protocol.start_next_cycle()
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
            target, headers = _request_line(parts, host, port, {**self._headers, **extra})
            request = h11.Request(method="GET", target=target, headers=headers)
        except (UnicodeError, h11.LocalProtocolError) as exc:  # IDNA refused the host, a bad header
            raise InvalidURL(str(exc) or "cannot encode the request") from None
        while (conn := self._take(key)) is not None:  # a kept connection, unless the server closed it
            try:
                return await self._exchange(conn, url, request)
            except _Stale:
                continue
        conn = await self._connect(key)
        try:
            return await self._exchange(conn, url, request)
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
                reader, writer = await asyncio.open_connection(key[0], key[1])
        except TimeoutError:
            raise ConnectTimeout("connect timed out") from None
        except OSError as exc:
            raise ConnectError(exc.strerror or str(exc) or type(exc).__name__) from None
        return _Connection(key, reader, writer)

    async def _exchange(self, conn: _Connection, url: str, request: h11.Request) -> Response:
        try:
            protocol = conn.protocol
            conn.received = 0
            try:
                conn.writer.write(protocol.send(request) + protocol.send(h11.EndOfMessage()))
                await conn.writer.drain()
            except OSError as exc:
                raise _Stale(f"cannot send the request: {exc}") from None
            while True:  # interim answers (100 Continue, 103 Early Hints) precede the real one
                try:
                    event = await conn.next_event()
                except ProtocolError:
                    if conn.received:
                        raise  # it answered, badly
                    raise _Stale("the server closed the connection without answering") from None
                if isinstance(event, h11.Response):
                    break
                if isinstance(event, h11.ConnectionClosed):
                    raise _Stale("the server closed the connection without answering")
        except BaseException:
            conn.close()
            raise
        headers = Headers(
            [(name.decode("latin-1"), value.decode("latin-1")) for name, value in event.headers]
        )
        return Response(self, conn, url, event.status_code, headers)


class _Stale(Exception):
    """The server closed the connection before answering: safe to ask again on a new one."""


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


def _request_line(
    parts: SplitResult, host: str, port: int, headers: Mapping[str, str]
) -> tuple[str, list[tuple[str, str]]]:
    """The request target and headers (Host first, credentials in the URL as Basic auth)."""
    target = quote(parts.path or "/", safe=_SAFE)
    if parts.query:
        target += "?" + quote(parts.query, safe=_SAFE)
    name = host if host.isascii() else host.encode("idna").decode("ascii")
    if ":" in name:
        name = f"[{name}]"  # an IPv6 literal
    lines = [("Host", name if port == 80 else f"{name}:{port}")]
    if parts.username is not None:
        secret = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        lines.append(("Authorization", "Basic " + base64.b64encode(secret).decode("ascii")))
    return target, lines + list(headers.items())
