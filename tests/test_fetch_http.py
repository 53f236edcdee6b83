"""The lean HTTP/1.1 client behind plain-http downloads, against a raw server on loopback that
answers exactly the bytes each test gives it (framings and quirks pytest-httpserver never sends)."""

from __future__ import annotations

import asyncio
import base64
import threading
import zlib
from collections.abc import Callable, Iterator

import pytest

from newsreader.ingest.fetch import Fetcher, FetchRequest, FetchResult

Answer = Callable[[bytes], tuple[bytes, bool]]
"""The raw request -> (the raw answer, whether to close the connection after it)."""


class RawServer:
    """An asyncio server on its own thread; records every request and counts connections."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.requests: list[bytes] = []
        self.connections = 0
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        run = self._loop.run_until_complete
        self._thread = threading.Thread(target=run, args=(self._serve(),), daemon=True)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                self.requests.append(head)
                data, close = self.answer(head)
                writer.write(data)
                await writer.drain()
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stop.wait()

    def __enter__(self) -> RawServer:
        self._thread.start()
        assert self._ready.wait(5)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(5)
        self._loop.close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def fetch_all(urls: list[str], fetcher: Fetcher | None = None) -> list[FetchResult]:
    fetcher = fetcher or Fetcher(concurrency=1, timeout=5.0)
    results = asyncio.run(fetcher.fetch_all([FetchRequest(str(i), u) for i, u in enumerate(urls)]))
    return sorted(results, key=lambda r: int(r.key))


def ok(body: bytes, *headers: str) -> bytes:
    lines = ["HTTP/1.1 200 OK", f"Content-Length: {len(body)}", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@pytest.fixture
def raw() -> Iterator[Callable[[Answer], RawServer]]:
    servers: list[RawServer] = []

    def start(answer: Answer) -> RawServer:
        servers.append(RawServer(answer).__enter__())
        return servers[-1]

    yield start
    for server in servers:
        server.__exit__()


def test_chunked_body_with_extensions_and_trailers(raw: Callable[[Answer], RawServer]) -> None:
    answer = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;name=value\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: yes\r\n\r\n"
    )
    server = raw(lambda _: (answer, False))
    first, second = fetch_all([server.url("/a"), server.url("/b")])
    assert first.content == second.content == b"hello, world"
    assert server.connections == 1  # read to its end, the connection served the next request


def test_deflate_zlib_wrapped_or_raw_and_gzip_twice(raw: Callable[[Answer], RawServer]) -> None:
    body = b"<rss>deflated</rss>" * 50
    raw_deflate = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    bodies = {
        b"/zlib": (zlib.compress(body), "Content-Encoding: deflate"),
        b"/raw": (raw_deflate.compress(body) + raw_deflate.flush(), "Content-Encoding: deflate"),
        b"/twice": (_gzip(_gzip(body)), "Content-Encoding: gzip, gzip"),
        b"/bad": (b"not compressed at all", "Content-Encoding: gzip"),
    }

    def answer(head: bytes) -> tuple[bytes, bool]:
        data, header = bodies[head.split()[1]]
        return ok(data, header), False

    server = raw(answer)
    results = fetch_all([server.url(p.decode()) for p in bodies])
    assert [r.content for r in results[:3]] == [body] * 3
    assert results[3].error == "the server sent badly compressed data"


def _gzip(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=zlib.MAX_WBITS | 16)
    return packer.compress(data) + packer.flush()


def test_a_kept_connection_the_server_closed_is_replaced(raw: Callable[[Answer], RawServer]) -> None:
    """A server that closes after each answer without saying so: the next request, sent on the
    kept connection, finds it closed and is asked again on a new one."""
    server = raw(lambda _: (ok(b"feed"), True))
    results = fetch_all([server.url(f"/{n}") for n in range(4)])
    assert [r.content for r in results] == [b"feed"] * 4
    assert len(server.requests) == 4 and server.connections == 4


def test_body_to_the_end_of_the_connection_and_interim_answers(raw: Callable[[Answer], RawServer]) -> None:
    answers = {
        b"/close": (b"HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\n\r\nuntil the end", True),
        b"/continue": (b"HTTP/1.1 100 Continue\r\n\r\n" + ok(b"after interim"), False),
    }
    server = raw(lambda head: answers[head.split()[1]])
    close, interim = fetch_all([server.url("/close"), server.url("/continue")])
    assert close.content == b"until the end" and close.content_type == "text/xml"
    assert interim.content == b"after interim"


def test_request_target_host_and_credentials(raw: Callable[[Answer], RawServer]) -> None:
    server = raw(lambda _: (ok(b"x"), False))
    url = f"http://reader:s%40cret@127.0.0.1:{server.port}/caf\u00e9 feed.xml?q=a b#fragment"
    (result,) = fetch_all([url])
    assert result.content == b"x"
    head = server.requests[0].decode("latin-1")
    assert head.startswith("GET /caf%C3%A9%20feed.xml?q=a%20b HTTP/1.1\r\n")
    assert f"\r\nHost: 127.0.0.1:{server.port}\r\n" in head
    assert "Authorization: Basic " + base64.b64encode(b"reader:s@cret").decode() in head
    assert "fragment" not in head


def test_repeated_headers_are_joined_and_validators_read(raw: Callable[[Answer], RawServer]) -> None:
    server = raw(lambda _: (ok(b"x", 'ETag: "e1"', "Content-Type: a/b", "X-A: 1", "X-A: 2"), False))
    (result,) = fetch_all([server.url("/h")])
    assert result.etag == '"e1"' and result.content_type == "a/b"


@pytest.mark.parametrize(
    "answer",
    [
        b"SPDY/3 200 OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nbody\r\n0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\nabc",
        b"HTTP/1.1 200 OK\r\n no-colon header\r\n\r\n",
        b"",
    ],
)
def test_broken_answers_are_one_line_errors(raw: Callable[[Answer], RawServer], answer: bytes) -> None:
    server = raw(lambda _: (answer, True))
    (result,) = fetch_all([server.url("/broken")])
    assert result.content is None and result.error
    assert "\n" not in result.error and "Traceback" not in result.error


def test_https_and_proxied_downloads_stay_with_httpx(monkeypatch: pytest.MonkeyPatch) -> None:
    """The lean client makes direct plain-http connections only: https needs httpx's TLS, and a
    proxy named in the environment is honoured by httpx."""
    import httpx

    from newsreader.ingest._clients import Clients

    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    direct = Clients(Fetcher())
    assert not direct.wants_httpx("http://feeds.example/a.xml") and direct.wants_httpx(
        "https://feeds.example/a.xml"
    )
    assert not isinstance(direct.pick("http://feeds.example/a.xml"), httpx.AsyncClient)
    assert isinstance(direct.pick("https://feeds.example/a.xml"), httpx.AsyncClient)
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    proxied = Clients(Fetcher())
    assert proxied.wants_httpx("http://feeds.example/a.xml")
    assert isinstance(proxied.pick("http://feeds.example/a.xml"), httpx.AsyncClient)
