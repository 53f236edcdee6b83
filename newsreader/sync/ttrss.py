"""tt-rss's JSON API (https://tt-rss.org/wiki/ApiReference), as tt-rss 21 serves it.

Every call is a POST of a JSON object ``{"op": ..., "sid": ...}`` to ``URL/api/``; the answer is
``{"status": 0|1, "content": ...}``. ``getHeadlines`` returns at most 200 articles a call, in date
order, so a pass pages with ``skip`` and only then moves the ``since_id`` cursor on.
"""

from __future__ import annotations

import contextlib
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
    SyncError,
    as_id,
    as_text,
    objects,
    remote_feed,
    remote_item,
    since,
)

PAGE = 200
"""tt-rss's cap on ``getHeadlines``."""
ALL_ARTICLES, STARRED = -4, -1
"""tt-rss's special feed ids."""
_FIELD = {"starred": 0, "read": 2}
"""``updateArticle`` fields (2 is *unread*, so read=True is mode 0)."""
ARTICLE = ItemKeys(
    noun="article",
    html="content",
    url="link",
    published="updated",
    read=lambda raw: not raw.get("unread", True),
    starred="marked",
)
_SUBSCRIBE_ERRORS = {
    2: "the server says the URL is not valid",
    3: "the URL is a web page without a feed",
    4: "the URL is a web page with several feeds; give one of them",
    5: "the server could not download the URL",
    6: "the server could not parse the feed",
    7: "the server could not store the feed",
}


class TTRSSBackend:
    """A tt-rss installation, e.g. ``https://rss.example.com/tt-rss``."""

    can_subscribe = True

    def __init__(self, url: str, user: str, password: str) -> None:
        self.url = url
        self._endpoint = url.rstrip("/") + "/api/"
        self._user = user
        self._password = password
        self._sid: str | None = None
        self._http = Http(url)

    def _call(self, op: str, **params: Any) -> Any:
        """One API call; a session that expired mid-sync is renewed once."""
        for attempt in (1, 2):
            if self._sid is None and op != "login":
                self.login()
            body = {"op": op, **params}
            if op != "login":
                body["sid"] = self._sid
            data = self._http.post(self._endpoint, json=body)
            if "status" not in data or "content" not in data:
                raise ProtocolError(f"{self.url} does not answer like tt-rss's API; is the URL right?")
            content = data["content"]
            if data["status"] == 0:
                return content
            error = content.get("error") if isinstance(content, dict) else None
            if error == "NOT_LOGGED_IN" and op != "login" and attempt == 1:
                self._sid = None
                continue
            if error == "LOGIN_ERROR":
                raise AuthError(f"{self.url} refused the user name or password")
            if error == "API_DISABLED":
                raise AuthError(f"{self.url}: the API is switched off for this user (tt-rss preferences)")
            raise SyncError(f"{self.url} refused {op}: {as_text(error) or 'unknown error'}")
        raise AuthError(f"{self.url} keeps ending the session")

    def login(self) -> None:
        content = self._call("login", user=self._user, password=self._password)
        if not isinstance(content, dict) or not isinstance(content.get("session_id"), str):
            raise ProtocolError(f"{self.url} did not send a session id")
        self._sid = content["session_id"]

    def feeds(self) -> list[RemoteFeed]:
        categories = {
            as_id(c.get("id"), "category", self.url): as_text(c.get("title"))
            for c in objects(self._call("getCategories", include_empty=True), "categories", self.url)
        }
        out = []
        for feed in objects(self._call("getFeeds", cat_id=-3), "feeds", self.url):
            cat = as_text(feed.get("cat_id"))
            category = categories.get(cat) if cat not in ("", "0") else None
            out.append(remote_feed(feed, self.url, url_key="feed_url", category=category))
        return out

    def _headlines(
        self, feed_id: int, since: int, skip: int, *, content: bool, unread: bool = False
    ) -> list[Any]:
        return objects(
            self._call(
                "getHeadlines",
                feed_id=feed_id,
                limit=PAGE,
                skip=skip,
                since_id=since,
                show_content=content,
                view_mode="unread" if unread else "all_articles",
                include_attachments=False,
            ),
            "headlines",
            self.url,
        )

    def _pages(
        self, feed_id: int, after: int, *, content: bool, unread: bool = False
    ) -> Iterator[list[dict[str, Any]]]:
        """``getHeadlines`` a page at a time (``skip`` moves on), up to the first page that is not full."""
        skip = 0
        while True:
            page = self._headlines(feed_id, after, skip, content=content, unread=unread)
            yield page
            if len(page) < PAGE:
                return
            skip += len(page)

    def items(self, cursor: str | None) -> Iterator[tuple[list[RemoteItem], str | None]]:
        top = after = since(cursor)
        for raws in self._pages(ALL_ARTICLES, after, content=True):
            page = [remote_item(raw, ARTICLE, self.url) for raw in raws]
            top = max([top, *(int(i.id) for i in page if i.id.isdigit())])
            # Pages are in date order, not id order: the cursor moves only once the pass is complete.
            yield page, str(top) if len(page) < PAGE else cursor

    def _ids(self, feed_id: int, *, unread: bool) -> frozenset[str]:
        pages = self._pages(feed_id, 0, content=False, unread=unread)
        return frozenset(as_id(raw.get("id"), "article", self.url) for page in pages for raw in page)

    def state(self) -> RemoteState:
        return RemoteState(
            unread=self._ids(ALL_ARTICLES, unread=True), starred=self._ids(STARRED, unread=False)
        )

    def set_flag(self, ids: Sequence[str], flag: str, value: bool) -> None:
        mode = int(value) if flag == "starred" else int(not value)
        for start in range(0, len(ids), 500):
            self._call(
                "updateArticle", article_ids=",".join(ids[start : start + 500]), mode=mode, field=_FIELD[flag]
            )

    def subscribe(self, url: str, category: str | None) -> None:
        cat_id = 0
        if category:
            found = [
                c.get("id")
                for c in objects(self._call("getCategories", include_empty=True), "categories", self.url)
                if as_text(c.get("title")).casefold() == category.casefold()
            ]
            if not found:
                raise SyncError(
                    f"{self.url} has no category {category!r} (tt-rss's API cannot create one;"
                    " make it in tt-rss's preferences)"
                )
            cat_id = int(as_id(found[0], "category", self.url))
        content = self._call("subscribeToFeed", feed_url=url, category_id=cat_id)
        status = content.get("status") if isinstance(content, dict) else None
        code = status.get("code") if isinstance(status, dict) else None
        if code in (0, 1):
            feed_id = status.get("feed_id") if isinstance(status, dict) else None
            if isinstance(feed_id, int):  # fetch it now rather than at the server's next update round
                with contextlib.suppress(SyncError):
                    self._call("updateFeed", feed_id=feed_id)
            return
        why = _SUBSCRIBE_ERRORS.get(code, f"error code {code!r}") if isinstance(code, int) else "no status"
        raise SyncError(f"cannot subscribe to {url}: {why}")

    def unsubscribe(self, feed_id: str) -> None:
        content = self._call("unsubscribeFeed", feed_id=int(feed_id))
        if isinstance(content, dict) and content.get("status") != "OK":
            raise SyncError(f"{self.url} did not unsubscribe feed {feed_id}")

    def close(self) -> None:
        self._http.close()
