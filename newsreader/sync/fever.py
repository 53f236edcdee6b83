"""The Fever API (FreshRSS, Miniflux, coldsweat): https://feedafever.com/api, as those servers serve it.

Every call is a POST of ``api_key`` (the MD5 of ``user:password``) to ``URL?api&COMMAND``. Items come
50 at a time in id order (``since_id``), reading state as two id lists, and marks one item per call.
The API has no way to subscribe or unsubscribe.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from typing import Any

from newsreader.sync.base import (
    AuthError,
    Http,
    ItemKeys,
    ProtocolError,
    RemoteFeed,
    RemoteItem,
    RemoteState,
    UnsupportedError,
    as_id,
    as_text,
    objects,
    remote_feed,
    remote_item,
    since,
)

MARKS_IN_FLIGHT = 8
"""Concurrent ``mark`` calls: marking 270 items one by one took 7.5 s against coldsweat here."""
ITEM = ItemKeys(
    noun="item",
    html="html",
    url="url",
    published="created_on_time",
    read=lambda raw: bool(raw.get("is_read")),
    starred="is_saved",
)
NO_SUBSCRIBE = (
    "the Fever API cannot subscribe or unsubscribe: do it on the server's own web page,"
    " then `newsreader sync` brings the change here"
)


class FeverBackend:
    """A Fever API endpoint, e.g. ``https://rss.example.com/api/fever.php``."""

    can_subscribe = False

    def __init__(self, url: str, user: str, password: str) -> None:
        self.url = url
        self._key = hashlib.md5(f"{user}:{password}".encode()).hexdigest()  # the API's own scheme
        self._http = Http(url)

    def _command(self, command: str) -> str:
        sep = "&" if "?" in self.url else "?"
        return f"{self.url}{sep}api{'&' + command if command else ''}"

    def _call(self, command: str, **form: str) -> dict[str, Any]:
        data: dict[str, Any] = self._http.post(self._command(command), data={"api_key": self._key, **form})
        return self._check(data)

    def _check(self, data: dict[str, Any]) -> dict[str, Any]:
        if "api_version" not in data or "auth" not in data:
            raise ProtocolError(f"{self.url} does not answer like a Fever API server; is the URL right?")
        if data.get("auth") != 1:
            raise AuthError(f"{self.url} refused the user name or password")
        return data

    def login(self) -> None:
        self._call("")

    def feeds(self) -> list[RemoteFeed]:
        data = self._call("feeds&groups")
        groups = {
            as_id(g.get("id"), "group", self.url): as_text(g.get("title"))
            for g in _list(data, "groups", self.url)
        }
        category: dict[str, str] = {}
        for link in _list(data, "feeds_groups", self.url):
            title = groups.get(as_id(link.get("group_id"), "group", self.url))
            for feed_id in as_text(link.get("feed_ids")).split(","):
                if feed_id.strip() and title:
                    category.setdefault(feed_id.strip(), title)
        return [
            remote_feed(
                feed,
                self.url,
                url_key="url",
                site_url=as_text(feed.get("site_url")) or None,
                category=category.get(as_id(feed.get("id"), "feed", self.url)),
            )
            for feed in objects(data.get("feeds", []), "feeds", self.url)
        ]

    def items(self, cursor: str | None) -> Iterator[tuple[list[RemoteItem], str | None]]:
        after = since(cursor)
        while True:
            page = self._page(f"items&since_id={after}")
            if not page:
                return
            ids = [int(item.id) for item in page]
            if min(ids) <= after:  # a server that repeats itself would loop forever
                raise ProtocolError(f"{self.url} sent items older than it was asked for (since_id={after})")
            if ids != sorted(ids):
                yield from self._scan(after, page)
                return
            after = ids[-1]
            yield page, str(after)  # in id order: everything up to here is in, safe to resume from

    def _scan(self, since: int, first: list[RemoteItem]) -> Iterator[tuple[list[RemoteItem], str | None]]:
        """Items from a server whose ``since_id`` pages are not in id order (coldsweat's are not).

        Such a page is *some* 50 newer items, so paging on can skip some: find the newest id with
        ``since_id``, then ask for every id between with ``with_ids``, 50 at a time.
        """
        seen = {item.id for item in first}
        top = max(int(i) for i in seen)
        yield first, str(since)
        while more := [item for item in self._page(f"items&since_id={top}") if item.id not in seen]:
            seen.update(item.id for item in more)
            top = max(int(item.id) for item in more)
            yield more, str(since)
        for start in range(since + 1, top + 1, 50):
            end = min(start + 49, top)
            wanted = [str(i) for i in range(start, end + 1) if str(i) not in seen]
            page = self._page(f"items&with_ids={','.join(wanted)}") if wanted else []
            seen.update(item.id for item in page)
            yield page, str(end)  # every id up to ``end`` has been asked for

    def _page(self, command: str) -> list[RemoteItem]:
        items = [remote_item(raw, ITEM, self.url) for raw in _list(self._call(command), "items", self.url)]
        if any(not item.id.isdigit() for item in items):
            raise ProtocolError(f"{self.url} sent item ids that are not numbers")
        return items

    def state(self) -> RemoteState:
        data = self._call("unread_item_ids&saved_item_ids")
        return RemoteState(
            unread=_ids(data, "unread_item_ids", self.url), starred=_ids(data, "saved_item_ids", self.url)
        )

    def set_flag(self, ids: Sequence[str], flag: str, value: bool) -> None:
        status = {("read", True): "read", ("read", False): "unread", ("starred", True): "saved"}.get(
            (flag, value), "unsaved"
        )
        from concurrent.futures import ThreadPoolExecutor

        def mark(item_id: str) -> None:
            form = {"api_key": self._key, "mark": "item", "as": status, "id": item_id}
            # 404: the server has deleted the item since (coldsweat says so); there is nothing to mark.
            data = self._http.post(self._command(""), data=form, gone_ok=True)
            if data is not None:
                self._check(data)

        # One item per call is the API's only way; a few calls in flight hide the round trips.
        with ThreadPoolExecutor(min(MARKS_IN_FLIGHT, max(len(ids), 1))) as pool:
            for _ in pool.map(mark, ids):  # the first failure is raised here
                pass

    def subscribe(self, url: str, category: str | None) -> None:
        raise UnsupportedError(NO_SUBSCRIBE)

    def unsubscribe(self, feed_id: str) -> None:
        raise UnsupportedError(NO_SUBSCRIBE)

    def close(self) -> None:
        self._http.close()


def _list(data: dict[str, Any], key: str, url: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise ProtocolError(f"{url} sent {key} that is not a list")
    return value


def _ids(data: dict[str, Any], key: str, url: str) -> frozenset[str]:
    value = data.get(key)
    if not isinstance(value, str):
        raise ProtocolError(f"{url} did not send {key}")
    ids = frozenset(part.strip() for part in value.split(",") if part.strip())
    if any(not part.isdigit() for part in ids):
        raise ProtocolError(f"{url} sent {key} that are not numbers")
    return ids
