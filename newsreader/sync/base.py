"""What every sync backend speaks: the records it returns, the errors it raises, the HTTP it uses.

A backend is a thin, stateless translation of one server API (Fever, tt-rss; the Google Reader API
can follow) into :class:`Backend` calls. The sync engine (``engine.py``) owns the algorithm, the
local library and the queue of local changes, so a new protocol is one module of requests and
response checks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from newsreader.errors import NewsreaderError

if TYPE_CHECKING:
    import httpx

TIMEOUT = 30.0
"""Seconds to wait for a server's answer: tt-rss updating a feed inline can take a while."""


class SyncError(NewsreaderError):
    """A sync could not finish; what was stored and queued so far is kept."""


class AuthError(SyncError):
    """The server refused the user name or password (or its API is switched off)."""


class ServerUnreachableError(SyncError):
    """No answer: connection refused, DNS failure, timeout, a dropped connection."""


class ProtocolError(SyncError):
    """The server answered, but not what its API promises (a wrong URL, a broken or lying server)."""


class UnsupportedError(SyncError):
    """The protocol cannot do this (the Fever API cannot subscribe)."""


@dataclass(frozen=True, slots=True)
class RemoteFeed:
    """A subscription on the server."""

    id: str
    title: str
    url: str
    site_url: str | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True)
class RemoteItem:
    """An article on the server, with its reading state there."""

    id: str
    feed_id: str
    title: str
    html: str
    url: str | None
    author: str | None
    published: float | None
    read: bool
    starred: bool


@dataclass(frozen=True, slots=True)
class RemoteState:
    """Which of the server's articles are unread and which are starred (ids)."""

    unread: frozenset[str]
    starred: frozenset[str]


class Backend(Protocol):
    """One server API. Every call raises a :class:`SyncError` subclass on failure, never anything else."""

    can_subscribe: bool

    def login(self) -> None:
        """Check the credentials (and open a session where the API has them)."""

    def feeds(self) -> list[RemoteFeed]:
        """Every subscription, with its category (the server's group or folder)."""

    def items(self, cursor: str | None) -> Iterator[tuple[list[RemoteItem], str | None]]:
        """Articles newer than ``cursor`` in pages: ``(page, cursor to resume from once all pages are in)``.

        The cursor is only final after the last page; a sync stopped midway starts again from the old
        one, and storing a page twice changes nothing.
        """

    def state(self) -> RemoteState:
        """The server's unread and starred ids, for every article it still has."""

    def set_flag(self, ids: Sequence[str], flag: str, value: bool) -> None:
        """Set ``read`` or ``starred`` on articles."""

    def subscribe(self, url: str, category: str | None) -> None:
        """Subscribe on the server; raises :class:`UnsupportedError` where the API cannot."""

    def unsubscribe(self, feed_id: str) -> None:
        """Unsubscribe on the server; raises :class:`UnsupportedError` where the API cannot."""

    def close(self) -> None:
        """Release connections."""


class Http:
    """An httpx client whose failures are :class:`SyncError` sentences naming the server, never secrets."""

    def __init__(self, url: str, *, timeout: float = TIMEOUT) -> None:
        import httpx

        from newsreader.ingest.fetch import USER_AGENT

        self.url = url
        self._client = httpx.Client(
            timeout=timeout, headers={"User-Agent": USER_AGENT}, follow_redirects=True, trust_env=False
        )

    def post(self, url: str, *, gone_ok: bool = False, **kwargs: Any) -> Any:
        """POST and parse the JSON answer (a dict); raises SyncError subclasses.

        ``gone_ok``: a 404 answers ``None`` (marking an article the server has since deleted).
        """
        import httpx

        try:
            response = self._client.post(url, **kwargs)
        except httpx.TimeoutException:
            raise ServerUnreachableError(f"{self.url} did not answer in time") from None
        except httpx.ConnectError as exc:
            raise ServerUnreachableError(f"cannot reach {self.url}: {_reason(exc)}") from None
        except httpx.HTTPError as exc:  # a dropped connection, a protocol error mid-answer
            raise ServerUnreachableError(f"lost the connection to {self.url}: {_reason(exc)}") from None
        if gone_ok and response.status_code == 404:
            return None
        return self._json(response)

    def _json(self, response: httpx.Response) -> Any:
        import orjson

        if response.status_code in (401, 403):
            raise AuthError(f"{self.url} refused the user name or password (HTTP {response.status_code})")
        if response.status_code >= 400:
            raise ProtocolError(f"{self.url} answered HTTP {response.status_code}; is the URL right?")
        try:
            data = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            kind = response.headers.get("content-type", "unknown").split(";")[0]
            raise ProtocolError(
                f"{self.url} did not answer with JSON (got {kind}); is the URL right?"
            ) from None
        if not isinstance(data, dict):
            raise ProtocolError(f"{self.url} answered JSON that is not an object")
        return data

    def close(self) -> None:
        self._client.close()


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    if "Connection refused" in text or "connection refused" in text:
        return "connection refused"
    return text.splitlines()[0][:200]


def as_id(value: Any, what: str, url: str) -> str:
    """A server's id as a string of digits (or a non-empty string); a lying server gets a ProtocolError."""
    if isinstance(value, bool) or not isinstance(value, int | str) or str(value).strip() == "":
        article = "an" if what[:1] in "aeiou" else "a"
        raise ProtocolError(f"{url} sent {article} {what} without a usable id ({value!r:.40})")
    return str(value).strip()


def as_text(value: Any) -> str:
    """A text field, or empty when a server sends null or a number."""
    return value if isinstance(value, str) else "" if value is None else str(value)


def as_time(value: Any) -> float | None:
    """A Unix time, or ``None`` when missing or nonsense."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        ts = float(value)
    except ValueError:
        return None
    return ts if 0 < ts < 32503680000 else None  # before the year 3000


def objects(value: Any, what: str, server: str) -> list[dict[str, Any]]:
    """``value`` if it is a list of JSON objects, else a ProtocolError naming ``what``."""
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ProtocolError(f"{server} sent {what} that are not a list of objects")
    return value


def since(cursor: str | None) -> int:
    """The last item id a cursor stands for (both APIs count up from 0); a cursor from elsewhere is 0."""
    return int(cursor) if cursor and cursor.isdigit() else 0


@dataclass(frozen=True, slots=True)
class ItemKeys:
    """Where one API keeps an article's fields in its JSON objects (``id``, ``feed_id``, ``title``
    and ``author`` are named alike in both)."""

    noun: str
    """What the API calls an article, for error messages: ``item``, ``article``."""
    html: str
    url: str
    published: str
    read: Callable[[dict[str, Any]], bool]
    starred: str


def remote_item(raw: Any, keys: ItemKeys, server: str) -> RemoteItem:
    """One article object of ``server``'s answer; a lying server gets a ProtocolError."""
    if not isinstance(raw, dict):
        raise ProtocolError(f"{server} sent an {keys.noun} that is not an object")
    return RemoteItem(
        id=as_id(raw.get("id"), keys.noun, server),
        feed_id=as_id(raw.get("feed_id"), f"{keys.noun}'s feed", server),
        title=as_text(raw.get("title")),
        html=as_text(raw.get(keys.html)),
        url=as_text(raw.get(keys.url)) or None,
        author=as_text(raw.get("author")) or None,
        published=as_time(raw.get(keys.published)),
        read=keys.read(raw),
        starred=bool(raw.get(keys.starred)),
    )


def remote_feed(
    raw: dict[str, Any],
    server: str,
    *,
    url_key: str,
    site_url: str | None = None,
    category: str | None = None,
) -> RemoteFeed:
    """One subscription object of ``server``'s answer (titled by its URL when it has no title)."""
    url = as_text(raw.get(url_key))
    return RemoteFeed(
        id=as_id(raw.get("id"), "feed", server),
        title=as_text(raw.get("title")) or url,
        url=url,
        site_url=site_url,
        category=category,
    )
