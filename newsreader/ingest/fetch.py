"""Downloading feeds: async httpx with bounded concurrency, conditional GET and hard limits.

Nothing here raises for a feed's failure: every outcome, good or bad, is a :class:`FetchResult`
whose ``error`` is the one-line sentence the user sees, so one bad feed never stops the rest.
Redirects are followed by hand (at most ``max_redirects``, http(s) only) so that a chain made only
of permanent ones (301/308) can move the stored URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from urllib.parse import urljoin, urlsplit

import httpx

from newsreader import __version__
from newsreader.errors import FetchError
from newsreader.ingest.text import clean_line
from newsreader.urls import NOT_HTTP, url_problem

USER_AGENT = f"newsreader-tui/{__version__} (terminal newsreader; +https://pypi.org/project/newsreader-tui/)"
ACCEPT = (
    "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})
_POOL_SIZE = 8
"""Connections per httpx pool (see ``fetch_all``)."""


@dataclass(frozen=True, slots=True)
class FetchRequest:
    """One feed to download, with the validators saved from its last 200."""

    key: str
    """The caller's id for the feed (its source id)."""
    url: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What downloading one feed gave: content, "not modified", or an error sentence."""

    key: str
    url: str
    """The URL that was requested."""
    status: int | None = None
    content: bytes | None = None
    """The decoded body of a 200; None otherwise."""
    content_type: str | None = None
    final_url: str | None = None
    """Where the content came from after redirects (the base for relative links)."""
    moved_to: str | None = None
    """The new URL when every redirect on the way was permanent (301/308)."""
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    gone: bool = False
    """410 Gone: the publisher removed the feed; it is not fetched again."""
    retry_at: float | None = None
    """Epoch seconds before which the server asked not to be asked again (429/503)."""
    error: str | None = None
    seconds: float = 0.0


MAX_RETRY_AFTER = 7 * 24 * 3600.0
"""The longest wait a server's Retry-After can impose: a server asking for years (or for a date the
local clock cannot show) is taken to mean "not this week", so no stored time is ever out of range."""


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date), at most a week."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = email.utils.parsedate_to_datetime(value)
        seconds = when.timestamp() - (time.time() if now is None else now)
    except (TypeError, ValueError, IndexError, OverflowError, AttributeError):
        return None
    return min(max(0.0, seconds), MAX_RETRY_AFTER)


_NOT_HTTP = f"invalid URL: {NOT_HTTP}"


def url_error(url: str) -> str | None:
    """Why ``url`` cannot be fetched (the rules of :func:`newsreader.urls.url_problem`), or ``None``."""
    problem = url_problem(url)
    return None if problem is None else f"invalid URL: {problem}"


def _validator(value: str | None) -> str | None:
    """An ETag or Last-Modified worth storing: short printable ASCII, safe to send back."""
    if not value or len(value) > 512 or not value.isascii() or not value.isprintable():
        return None
    return value


def _size(n: int) -> str:
    return f"{n / 1_048_576:.0f} MB" if n >= 1_048_576 else f"{n // 1024} KB"


class Fetcher:
    """Downloads many feeds at once, politely and within limits.

    Args:
        concurrency: downloads in flight overall (also the connection pool size).
        per_host: downloads in flight to one host (scheme, host and port).
        timeout: seconds one feed may take in all: connecting, redirects and reading.
        connect_timeout: seconds to establish a connection.
        max_bytes: size cap of one feed after content decoding (so a gzip bomb stops too).
        max_redirects: redirects followed before giving up.
        max_retry_wait: a 429/503 asking to retry within this many seconds is retried once;
            a longer wait is recorded in ``retry_at`` and the feed is skipped until then.
        user_agent: the User-Agent header.
    """

    def __init__(
        self,
        *,
        concurrency: int = 32,
        per_host: int = 32,
        timeout: float = 20.0,
        connect_timeout: float = 10.0,
        max_bytes: int = 10 * 1024 * 1024,
        max_redirects: int = 5,
        max_retry_wait: float = 5.0,
        user_agent: str = USER_AGENT,
    ) -> None:
        if concurrency < 1 or per_host < 1:
            raise ValueError("concurrency must be at least 1")
        self.concurrency = concurrency
        self.per_host = min(per_host, concurrency)
        self.timeout = timeout
        self.connect_timeout = min(connect_timeout, timeout)
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.max_retry_wait = max_retry_wait
        self.user_agent = user_agent
        self._hosts: dict[tuple[str, str, int | None], asyncio.Semaphore] = {}
        self._all: asyncio.Semaphore | None = None
        self._busy: dict[int, int] = {}  # id(client) -> downloads in flight on it

    def client(
        self, connections: int | None = None, verify: ssl.SSLContext | bool = True
    ) -> httpx.AsyncClient:
        """A keep-alive client with a pool of ``connections`` (default: the whole concurrency)."""
        connections = connections or self.concurrency
        return httpx.AsyncClient(
            verify=verify,
            headers={
                "User-Agent": self.user_agent,
                "Accept": ACCEPT,
                "Accept-Encoding": "gzip, deflate",
            },
            timeout=httpx.Timeout(self.timeout, connect=self.connect_timeout),
            limits=httpx.Limits(
                max_connections=connections,
                max_keepalive_connections=connections,
                keepalive_expiry=30.0,
            ),
            follow_redirects=False,
        )

    def _host_slot(self, url: str) -> asyncio.Semaphore:
        try:
            parts = urlsplit(url)
            key = (parts.scheme, (parts.hostname or "").lower(), parts.port)
        except ValueError:
            key = ("", url, None)
        slot = self._hosts.get(key)
        if slot is None:
            slot = self._hosts[key] = asyncio.Semaphore(self.per_host)
        return slot

    async def fetch(
        self, clients: httpx.AsyncClient | Sequence[httpx.AsyncClient], request: FetchRequest
    ) -> FetchResult:
        """Download one feed (on the least busy of ``clients``); never raises for its failure."""
        if self._all is None:
            self._all = asyncio.Semaphore(self.concurrency)
        if isinstance(clients, httpx.AsyncClient):
            clients = [clients]
        started = time.monotonic()
        problem = url_error(request.url)
        if problem is not None:  # a stored or imported URL that no request can be made to
            return self._error(request, problem)
        async with self._host_slot(request.url), self._all:
            client = min(clients, key=lambda c: self._busy.get(id(c), 0))
            self._busy[id(client)] = self._busy.get(id(client), 0) + 1
            try:
                async with asyncio.timeout(self.timeout):
                    result = await self._get(client, request)
            except TimeoutError:
                result = self._error(request, f"timed out after {self.timeout:g} s")
            except httpx.ConnectTimeout:
                result = self._error(request, f"cannot connect within {self.connect_timeout:g} s")
            except httpx.TimeoutException:
                result = self._error(request, f"no response within {self.timeout:g} s")
            except httpx.ConnectError as exc:
                result = self._error(request, f"cannot connect: {exc}")
            except httpx.DecodingError:
                result = self._error(request, "the server sent badly compressed data")
            except httpx.InvalidURL as exc:
                result = self._error(request, f"invalid URL: {exc}")
            except (httpx.HTTPError, httpx.StreamError, OSError) as exc:
                result = self._error(request, f"{type(exc).__name__}: {exc}")
            finally:
                self._busy[id(client)] -= 1
        return replace(result, seconds=time.monotonic() - started)

    @staticmethod
    def _error(request: FetchRequest, message: str, **extra: object) -> FetchResult:
        return FetchResult(request.key, request.url, error=clean_line(message), **extra)  # type: ignore[arg-type]

    async def _get(self, client: httpx.AsyncClient, request: FetchRequest) -> FetchResult:
        url = request.url
        permanent = True
        hops = 0
        retried = False
        while True:
            headers: dict[str, str] = {}
            if request.etag:
                headers["If-None-Match"] = request.etag
            if request.last_modified:
                headers["If-Modified-Since"] = request.last_modified
            async with client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status != 200:
                    await self._drain(response)
                if status in _REDIRECTS:
                    location = response.headers.get("location")
                    if not location:
                        return self._error(request, f"HTTP {status} redirect without a Location")
                    if hops >= self.max_redirects:
                        return self._error(request, f"too many redirects (more than {self.max_redirects})")
                    target = urljoin(str(response.url), location.strip())
                    problem = url_error(target)
                    if problem == _NOT_HTTP:
                        return self._error(request, "redirected to a URL that is not http(s)")
                    if problem is not None:
                        return self._error(request, f"redirected to an {problem}")
                    permanent = permanent and status in _PERMANENT
                    url = target
                    hops += 1
                    continue
                moved = url if hops and permanent and url != request.url else None
                if status == 304:
                    return FetchResult(
                        request.key,
                        request.url,
                        status=status,
                        final_url=url,
                        moved_to=moved,
                        etag=_validator(response.headers.get("etag")) or request.etag,
                        last_modified=_validator(response.headers.get("last-modified"))
                        or request.last_modified,
                        not_modified=True,
                    )
                if status == 410:
                    return self._error(
                        request,
                        "410 Gone: the publisher removed this feed",
                        status=status,
                        gone=True,
                    )
                if status in (429, 503):
                    wait = parse_retry_after(response.headers.get("retry-after"))
                    if wait is not None and wait <= self.max_retry_wait and not retried:
                        retried = True
                        await asyncio.sleep(wait)
                        continue
                    retry_at = time.time() + wait if wait is not None else None
                    later = f"; retry after {wait:.0f} s" if wait is not None else ""
                    return self._error(
                        request,
                        f"HTTP {status} {httpx.codes.get_reason_phrase(status)}{later}",
                        status=status,
                        retry_at=retry_at,
                    )
                if not 200 <= status < 300:
                    return self._error(
                        request,
                        f"HTTP {status} {httpx.codes.get_reason_phrase(status)}",
                        status=status,
                    )
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > self.max_bytes:
                    return self._error(
                        request,
                        f"feed larger than the {_size(self.max_bytes)} size cap",
                        status=status,
                    )
                chunks: list[bytes] = []
                total = 0
                async for chunk in response.aiter_bytes():
                    total += len(chunk)
                    if total > self.max_bytes:
                        return self._error(
                            request,
                            f"feed larger than the {_size(self.max_bytes)} size cap",
                            status=status,
                        )
                    chunks.append(chunk)
                return FetchResult(
                    request.key,
                    request.url,
                    status=status,
                    content=b"".join(chunks),
                    content_type=response.headers.get("content-type"),
                    final_url=url,
                    moved_to=moved,
                    etag=_validator(response.headers.get("etag")),
                    last_modified=_validator(response.headers.get("last-modified")),
                )

    @staticmethod
    async def _drain(response: httpx.Response) -> None:
        """Read a small non-200 body, so its connection goes back to the pool for the next feed.

        An unread body forces httpcore to close the connection; a 304 or a redirect has none or
        almost none, and reading it lets a warm refresh reuse connections instead of reconnecting.
        """
        declared = response.headers.get("content-length", "")
        if response.status_code in (204, 304) or (declared.isdigit() and int(declared) <= 65536):
            with contextlib.suppress(httpx.HTTPError):
                await response.aread()

    async def fetch_all(
        self,
        requests: Iterable[FetchRequest],
        *,
        on_result: Callable[[FetchResult], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> list[FetchResult]:
        """Download every feed concurrently; results in completion order.

        ``on_result`` is called in the event loop as each feed finishes (for progress and to
        start parsing early). When ``cancel`` is set, downloads in flight are abandoned and
        only the results finished so far are returned.

        Raises:
            FetchError: the TLS certificates cannot be loaded (nothing is fetched then).
        """
        requests = list(requests)
        results: list[FetchResult] = []
        # Semaphores belong to one event loop; each refresh runs in its own.
        self._hosts = {}
        self._all = asyncio.Semaphore(self.concurrency)
        if not requests:
            return results
        # Several small connection pools rather than one big one: httpcore's pool bookkeeping
        # costs O(connections^2) per request (connection_pool._assign_requests_to_connections),
        # which at 32 connections was a third of a cold refresh's CPU. Semaphores, not pools,
        # enforce the limits, so sharding changes nothing else.
        shards = -(-self.concurrency // _POOL_SIZE)
        size = -(-self.concurrency // shards)
        async with contextlib.AsyncExitStack() as stack:
            # One TLS context for all pools: loading the CA bundle costs ~25 ms each time. httpx's
            # own factory, so SSL_CERT_FILE / SSL_CERT_DIR are honoured as with verify=True.
            try:
                tls = httpx.create_ssl_context()
            except (OSError, ssl.SSLError) as exc:  # SSL_CERT_FILE / SSL_CERT_DIR point at nothing
                raise FetchError(f"cannot load TLS certificates: {exc}") from exc
            clients = [await stack.enter_async_context(self.client(size, tls)) for _ in range(shards)]
            tasks = [asyncio.create_task(self.fetch(clients, r)) for r in requests]
            watcher = asyncio.create_task(self._watch(cancel, tasks)) if cancel else None
            try:
                for next_done in asyncio.as_completed(tasks):
                    try:
                        result = await next_done
                    except asyncio.CancelledError:
                        break
                    results.append(result)
                    if on_result is not None:
                        on_result(result)
            finally:
                for task in tasks:
                    task.cancel()
                if watcher is not None:
                    watcher.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
        return results

    @staticmethod
    async def _watch(cancel: threading.Event, tasks: list[asyncio.Task[FetchResult]]) -> None:
        """Poll a thread's cancel flag (a threading.Event cannot be awaited)."""
        while not cancel.is_set():
            await asyncio.sleep(0.05)
        for task in tasks:
            task.cancel()
