"""Downloading feeds: async, bounded concurrency, conditional GET and hard limits.

Plain-http downloads go through the lean client of :mod:`._http`; https (and anything behind a
proxy) through httpx, imported with its TLS context only when a URL needs it: a refresh of
plain-http feeds that answer 304 costs a tenth of the CPU it did on httpx.

Nothing here raises for a feed's failure: every outcome, good or bad, is a :class:`FetchResult`
whose ``error`` is the one-line sentence the user sees, so one bad feed never stops the rest.
Redirects are followed by hand (at most ``max_redirects``, http(s) only) so that a chain made only
of permanent ones (301/308) can move the stored URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from newsreader import __version__
from newsreader.errors import FetchError
from newsreader.ingest import _http
from newsreader.ingest._clients import Clients, failure, httpx_if_loaded
from newsreader.ingest.cleaning import clean_line  # not .text: it imports the HTML converter
from newsreader.urls import NOT_HTTP, url_problem

if TYPE_CHECKING:
    import ssl

    import httpx

USER_AGENT = f"newsreader-tui/{__version__} (terminal newsreader; +https://pypi.org/project/newsreader-tui/)"
ACCEPT = (
    "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})


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
        import email.utils  # lazy: ~20 ms, and only a 429/503 with a date needs it

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

    def _headers(self) -> dict[str, str]:
        return {"User-Agent": self.user_agent, "Accept": ACCEPT, "Accept-Encoding": "gzip, deflate"}

    def client(
        self, connections: int | None = None, verify: ssl.SSLContext | bool = True
    ) -> httpx.AsyncClient:
        """An httpx keep-alive client with a pool of ``connections`` (default: the whole concurrency)."""
        import httpx

        connections = connections or self.concurrency
        return httpx.AsyncClient(
            verify=verify,
            headers=self._headers(),
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

    async def fetch(self, clients: Clients, request: FetchRequest) -> FetchResult:
        """Download one feed with ``clients``; never raises for its failure."""
        if self._all is None:
            self._all = asyncio.Semaphore(self.concurrency)
        started = time.monotonic()
        problem = url_error(request.url)
        if problem is not None:  # a stored or imported URL that no request can be made to
            return self._error(request, problem)
        async with self._host_slot(request.url), self._all:
            try:
                async with asyncio.timeout(self.timeout):
                    result = await self._get(clients, request)
            except TimeoutError:
                result = self._error(request, f"timed out after {self.timeout:g} s")
            except FetchError as exc:  # TLS certificates met only on a redirect to https
                result = self._error(request, str(exc))
            except Exception as exc:
                message = failure(exc, connect_timeout=self.connect_timeout, timeout=self.timeout)
                if message is None:
                    raise
                result = self._error(request, message)
        return replace(result, seconds=time.monotonic() - started)

    @staticmethod
    def _error(request: FetchRequest, message: str, **extra: object) -> FetchResult:
        return FetchResult(request.key, request.url, error=clean_line(message), **extra)  # type: ignore[arg-type]

    async def _get(self, clients: Clients, request: FetchRequest) -> FetchResult:
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
            async with clients.pick(url).stream("GET", url, headers=headers) as response:
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
                        f"HTTP {status} {_reason(status)}{later}",
                        status=status,
                        retry_at=retry_at,
                    )
                if not 200 <= status < 300:
                    return self._error(
                        request,
                        f"HTTP {status} {_reason(status)}",
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
    async def _drain(response: Any) -> None:
        """Read a small non-200 body, so its connection goes back to the pool for the next feed.

        An unread body forces httpcore to close the connection; a 304 or a redirect has none or
        almost none, and reading it lets a warm refresh reuse connections instead of reconnecting.
        """
        declared = response.headers.get("content-length", "")
        if response.status_code in (204, 304) or (declared.isdigit() and int(declared) <= 65536):
            try:
                await response.aread()
            except Exception as exc:  # the connection is closed instead; the answer stands
                httpx = httpx_if_loaded()
                if not isinstance(exc, _http.HTTPError) and not (httpx and isinstance(exc, httpx.HTTPError)):
                    raise

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
        clients = Clients(self)
        if any(clients.wants_httpx(r.url) for r in requests):
            clients.httpx()  # TLS certificates that cannot be loaded fail the refresh before it starts
        async with contextlib.aclosing(clients):
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


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
