"""A feed farm for benchmarks: many RSS feeds on 127.0.0.1 behind a fixed latency, with ETags.

Run as ``python -m tests.bench.feed_farm --feeds 200 --items 30 --latency 0.05 [--shape full]``; it
prints the port on its first line and serves until killed. Two shapes: ``short`` items carry ~60
words of HTML (headline feeds, ~20 KB a feed); ``full`` items carry whole articles of ~250 words
(full-content feeds, ~60 KB a feed). An asyncio server: the latency is an
``asyncio.sleep``, so hundreds of requests wait at once without a thread each, and every response
is rendered up front, so the farm spends almost no CPU that the client under test needs.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import sys
from email.utils import formatdate

WORDS = (
    "harbour council ferry market river school budget storm bridge library festival museum station "
    "energy housing garden railway election forecast orchestra hospital vineyard island mountain"
).split()


SHAPES = ("short", "full")

# The full shape's prose: enough distinct words that bodies differ the way real articles do.
VOCABULARY = (
    "the a of and to in that for on with as was at by from is it be are this have had not "
    "the of and to a in he she we they his her its our their said one all new more an or but "
    "council residents said plans budget year city market river school bridge ferry harbour "
    "week report would could new old station railway library museum festival housing garden "
    "energy storm election forecast orchestra hospital island mountain vineyard committee "
    "mayor officials project funding survey traffic route street district neighbourhood "
    "community volunteers teachers pupils parents nurses doctors patients engineers workers "
    "contract tender proposal consultation meeting evening morning spring summer autumn winter "
    "north south east west centre coast valley village town region county national local "
    "announced confirmed expected reported described suggested promised warned welcomed agreed"
).split()


def _sentence(seed: int, words: int) -> str:
    picked = [VOCABULARY[(seed * 31 + k * k * 7 + k * 13) % len(VOCABULARY)] for k in range(words)]
    return " ".join(picked).capitalize() + "."


def full_body(feed: int, item: int) -> str:
    """A ~250-word article in HTML: a lead, a subheading, quotes, links, emphasis, a list."""
    seed = feed * 1009 + item * 37
    paras = [" ".join(_sentence(seed + 5 * p + s, 8 + (seed + s) % 7) for s in range(4)) for p in range(5)]
    return (
        f"<p><strong>{paras[0]}</strong></p>"
        f'<p>{paras[1]} See <a href="/{feed}/{item}/background">the background</a>.</p>'
        f"<h2>{_sentence(seed + 99, 5)}</h2>"
        f"<blockquote><p>{paras[2]}</p></blockquote>"
        f"<p>{paras[3]} <em>{_sentence(seed + 7, 6)}</em></p>"
        f"<ul><li>{_sentence(seed + 11, 4)}</li><li>{_sentence(seed + 12, 5)}</li></ul>"
        f'<p>{paras[4]}</p><p><img src="/{feed}/{item}.jpg" alt="Photo {item}"> Photo: staff.</p>'
    )


def short_body(feed: int, i: int, w: list[str]) -> str:
    return (
        f"<p>The {w[0]} and the {w[1]} met on {w[2]} street, where the {w[3]} committee "
        f"announced plans for a new {w[4]} near the old {w[5]}. Residents asked about the "
        f"{w[6]} and the cost to the {w[7]} budget.</p>"
        f'<p>A spokesperson said the <a href="/{feed}/{i}/details">full report</a> would be '
        f"published next week, and that the {w[8]} would stay open during the works.</p>"
        f"<ul><li>{w[9]} hours extended</li><li>new {w[10]} route</li><li>{w[11]} survey</li></ul>"
        f'<p><img src="/{feed}/{i}.jpg" alt="The {w[0]} at dusk"> Photo: staff.</p>'
    )


def feed_xml(feed: int, items: int, shape: str = "short") -> bytes:
    """An RSS 2.0 feed with realistic HTML descriptions (paragraphs, a list, links, an image)."""
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>',
        f"<title>Farm feed {feed}</title><link>http://farm.example/{feed}/</link>",
        f"<description>Benchmark feed number {feed}</description>",
    ]
    for i in range(items):
        w = [WORDS[(feed * 7 + i * 3 + k) % len(WORDS)] for k in range(12)]
        day = 1 + (feed + i) % 28
        body = full_body(feed, i) if shape == "full" else short_body(feed, i, w)
        escaped = body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        out.append(
            f"<item><title>{w[0].title()} {w[1]} plan for {w[2]} (#{feed}.{i})</title>"
            f"<link>http://farm.example/{feed}/{i}</link>"
            f'<guid isPermaLink="false">farm-{feed}-{i}</guid>'
            f"<dc:creator>Reporter {i % 7}</dc:creator>"
            f"<pubDate>{day:02d} Mar 2026 {i % 24:02d}:{feed % 60:02d}:00 GMT</pubDate>"
            f"<description>{escaped}</description></item>"
        )
    out.append("</channel></rss>\n")
    return "".join(out).encode()


class Farm:
    """Pre-rendered responses for ``/feed/N.xml``; 304 when the client's validators match."""

    def __init__(self, feeds: int, items: int, latency: float, shape: str = "short") -> None:
        self.latency = latency
        self.last_modified = formatdate(1767225600, usegmt=True)
        self.docs: dict[str, tuple[bytes, str]] = {}
        for n in range(feeds):
            body = feed_xml(n, items, shape)
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            self.docs[f"/feed/{n}.xml"] = (body, etag)
        self.requests = 0

    def response(self, path: str, headers: dict[str, str]) -> bytes:
        doc = self.docs.get(path)
        if doc is None:
            return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
        body, etag = doc
        common = f"ETag: {etag}\r\nLast-Modified: {self.last_modified}\r\n"
        if headers.get("if-none-match") == etag or (
            "if-none-match" not in headers and headers.get("if-modified-since") == self.last_modified
        ):
            return f"HTTP/1.1 304 Not Modified\r\n{common}Content-Length: 0\r\n\r\n".encode()
        head = (
            f"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset=utf-8\r\n{common}"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                parts = line.decode("latin-1").split()
                headers: dict[str, str] = {}
                while True:
                    raw = await reader.readline()
                    if raw in (b"\r\n", b"\n", b""):
                        break
                    name, _, value = raw.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                self.requests += 1
                await asyncio.sleep(self.latency)
                writer.write(self.response(parts[1] if len(parts) > 1 else "/", headers))
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


async def serve(feeds: int, items: int, latency: float, port: int = 0, shape: str = "short") -> None:
    farm = Farm(feeds, items, latency, shape)
    server = await asyncio.start_server(farm.handle, "127.0.0.1", port, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--shape", choices=SHAPES, default="short")
    args = parser.parse_args(argv)
    try:
        asyncio.run(serve(args.feeds, args.items, args.latency, args.port, args.shape))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
