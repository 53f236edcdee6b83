"""The clients a :class:`newsreader.ingest.fetch.Fetcher` downloads with, and their failures as
sentences: the lean client of :mod:`._http` for direct plain-http connections, httpx for https
and proxies, imported with its TLS context only when a URL needs it."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from newsreader.errors import FetchError
from newsreader.ingest import _http

if TYPE_CHECKING:
    import httpx

    from newsreader.ingest.fetch import Fetcher

_POOL_SIZE = 8
"""Connections per httpx pool (see ``Clients.httpx``)."""


def failure(exc: Exception, *, connect_timeout: float, timeout: float) -> str | None:
    """The sentence for a download's failure (either client's), or None for a bug to raise."""
    if isinstance(exc, _http.ConnectTimeout):
        return f"cannot connect within {connect_timeout:g} s"
    if isinstance(exc, _http.ConnectError):
        return f"cannot connect: {exc}"
    if isinstance(exc, _http.DecodingError):
        return "the server sent badly compressed data"
    if isinstance(exc, _http.InvalidURL):
        return f"invalid URL: {exc}"
    if isinstance(exc, _http.HTTPError):
        return f"{exc}"
    if isinstance(exc, OSError):
        return f"{type(exc).__name__}: {exc}"
    httpx = httpx_if_loaded()
    if httpx is None:
        return None
    if isinstance(exc, httpx.ConnectTimeout):
        return f"cannot connect within {connect_timeout:g} s"
    if isinstance(exc, httpx.TimeoutException):
        return f"no response within {timeout:g} s"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect: {exc}"
    if isinstance(exc, httpx.DecodingError):
        return "the server sent badly compressed data"
    if isinstance(exc, httpx.InvalidURL):
        return f"invalid URL: {exc}"
    if isinstance(exc, httpx.HTTPError | httpx.StreamError):
        return f"{type(exc).__name__}: {exc}"
    return None


def httpx_if_loaded() -> Any:
    """httpx, if some download has imported it (else none of its exceptions can have been raised)."""
    import sys

    return sys.modules.get("httpx")


def proxied() -> bool:
    """Whether the environment names a proxy for plain http (then httpx, which honours it, fetches)."""
    return any(key.lower() in ("http_proxy", "all_proxy") and value for key, value in os.environ.items())


class Clients:
    """The downloads' clients: the lean one (:mod:`._http`) for direct plain-http connections, httpx
    for https and proxies, made (with its TLS context, and imported) only when a URL needs it."""

    def __init__(self, fetcher: Fetcher) -> None:
        self._fetcher = fetcher
        self._lean: _http.Pool | None = None
        self._httpx: list[httpx.AsyncClient] = []
        self._turn = 0
        self._direct = not proxied()  # read once: the environment has dozens of entries to look at

    def wants_httpx(self, url: str) -> bool:
        """Whether ``url`` is fetched by httpx (https, or any URL when a proxy is set)."""
        return not self._direct or url[:5].lower() != "http:"

    def pick(self, url: str) -> Any:
        """The client for ``url`` (an httpx ``AsyncClient`` or an ``_http.Pool``, the same ``stream``)."""
        if self._direct and url[:5].lower() == "http:":
            if self._lean is None:
                f = self._fetcher
                self._lean = _http.Pool(f._headers(), f.connect_timeout)
            return self._lean
        clients = self.httpx()
        self._turn += 1
        return clients[self._turn % len(clients)]

    def httpx(self) -> list[httpx.AsyncClient]:
        """httpx clients, made on first use.

        Several small connection pools rather than one big one: httpcore's pool bookkeeping costs
        O(connections^2) per request (connection_pool._assign_requests_to_connections), which at 32
        connections was a third of a cold refresh's CPU. Semaphores, not pools, enforce the limits.
        One TLS context for all pools: loading the CA bundle costs ~25 ms each time; httpx's own
        factory, so SSL_CERT_FILE / SSL_CERT_DIR are honoured as with verify=True.

        Raises:
            FetchError: the TLS certificates cannot be loaded.
        """
        if not self._httpx:
            import ssl

            import httpx

            f = self._fetcher
            try:
                tls = httpx.create_ssl_context()
            except (OSError, ssl.SSLError) as exc:  # SSL_CERT_FILE / SSL_CERT_DIR point at nothing
                raise FetchError(f"cannot load TLS certificates: {exc}") from exc
            shards = -(-f.concurrency // _POOL_SIZE)
            size = -(-f.concurrency // shards)
            self._httpx = [f.client(size, tls) for _ in range(shards)]
        return self._httpx

    async def aclose(self) -> None:
        if self._lean is not None:
            await self._lean.aclose()
        for client in self._httpx:
            await client.aclose()
