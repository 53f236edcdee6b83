"""Start, drive and stop the real sync servers: coldsweat (Fever API) and tt-rss (its JSON API).

Both fetch their feeds from :class:`FeedFarm`, a loopback HTTP server that is also the HTTP proxy
tt-rss is given (tt-rss refuses loopback feed URLs and ports other than 80/443, so its feeds are named
``http://NAME.invalid/feed.xml`` and reach the farm through the proxy). The helpers act as "another
device": they read and mark through the servers' own APIs, never through newsreader's code.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import http.server
import itertools
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[3]
INSTALL = Path(__file__).with_name("install.sh")
COLDSWEAT = ROOT / ".venv" / "servers" / "coldsweat" / "bin" / "coldsweat"
TTRSS_WWW = Path("/usr/share/tt-rss/www")
TTRSS_CONFIG = Path("/etc/tt-rss/config.php")
TTRSS_CACHE = Path("/var/cache/tt-rss/feeds")
TTRSS_LOCK = Path("/tmp/newsreader-tests-ttrss.lock")
"""tt-rss has one database on this machine: one test session uses it at a time."""


LOCK_WAIT = 600.0


class TTRSSBusyError(RuntimeError):
    """Another test session holds tt-rss's database."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.05)


def rss(title: str, items: list[tuple[str, str, str, datetime]]) -> bytes:
    """An RSS 2.0 document: items are (guid, title, html body, published)."""
    parts = [
        f"<item><guid>{escape(g)}</guid><title>{escape(t)}</title><link>{escape(g)}</link>"
        f"<description>{escape(b)}</description><pubDate>{format_datetime(d)}</pubDate></item>"
        for g, t, b, d in items
    ]
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(title)}'
        f"</title><link>http://example.com/</link>{''.join(parts)}</channel></rss>"
    ).encode()


def articles(prefix: str, count: int, start: int = 0) -> list[tuple[str, str, str, datetime]]:
    """``count`` distinct articles with words to search for and a date each (newest first)."""
    base = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    return [
        (
            f"http://example.com/{prefix}/{i}",
            f"{prefix} story {i}",
            f"<p>Paragraph one of {prefix} story {i} about <b>zeppelins</b>.</p><p>Second paragraph {i}.</p>",
            base - timedelta(minutes=i),
        )
        for i in range(start, start + count)
    ]


class FeedFarm:
    """Serves ``root/HOST/PATH`` over loopback, both as a plain server and as an HTTP proxy."""

    def __init__(self, root: Path) -> None:
        self.root = root
        farm = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                # A proxy request names the host (http://HOST/feed.xml); a plain one is /HOST/feed.xml.
                parts = urllib.parse.urlsplit(self.path)
                path = farm.root / (parts.hostname or "") / parts.path.lstrip("/")
                try:
                    data = path.read_bytes()
                except OSError:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def proxy(self) -> str:
        return f"127.0.0.1:{self.port}"

    def publish(self, host: str, title: str, items: list[tuple[str, str, str, datetime]]) -> str:
        """Write a feed; returns its URL as seen through the proxy (``http://HOST/feed.xml``)."""
        path = self.root / host / "feed.xml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rss(title, items))
        return f"http://{host}/feed.xml"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _post(url: str, data: bytes, content_type: str) -> Any:
    request = urllib.request.Request(url, data=data, headers={"Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


class Coldsweat:
    """coldsweat 0.10.2 with its own ``setup`` and ``run``, on an SQLite file in ``workdir``."""

    kind = "fever"
    user = "reader@example.com"
    password = "correct horse battery"

    def __init__(self, workdir: Path, farm: FeedFarm) -> None:
        self.workdir = workdir
        self.farm = farm
        self.db = workdir / "coldsweat.db"
        self.port = free_port()
        self.env = {**os.environ, "FLASK_DATABASE_URL": f"sqlite:///{self.db}", "FLASK_SECRET_KEY": "tests"}
        self._proc: subprocess.Popen[bytes] | None = None
        self._hosts = itertools.count()
        self._cli("setup", self.user, "-p", self.password)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/fever/"

    def _cli(self, *args: str) -> None:
        subprocess.run(
            [str(COLDSWEAT), *args],
            env=self.env,
            cwd=self.workdir,
            check=True,
            capture_output=True,
            timeout=120,
        )

    def start(self) -> None:
        if self._proc is not None:
            return
        log = open(self.workdir / "server.log", "ab")  # noqa: SIM115 (the server owns it)
        self._proc = subprocess.Popen(
            [str(COLDSWEAT), "run", "-h", "127.0.0.1", "-p", str(self.port), "--no-reload", "--no-debugger"],
            env=self.env,
            cwd=self.workdir,
            stdout=log,
            stderr=log,
        )
        wait_for(self._answers, "coldsweat to answer")

    def _answers(self) -> bool:
        if self._proc is not None and self._proc.poll() is not None:
            raise RuntimeError(
                f"coldsweat exited with {self._proc.returncode}; see {self.workdir}/server.log"
            )
        try:
            return self.api().get("auth") == 1
        except OSError:
            return False

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            self._proc.wait(timeout=30)
            self._proc = None

    def api(self, query: str = "", **form: str) -> dict[str, Any]:
        """A raw Fever call, as another device makes it."""
        key = hashlib.md5(f"{self.user}:{self.password}".encode()).hexdigest()
        body = urllib.parse.urlencode({"api_key": key, **form}).encode()
        result: dict[str, Any] = _post(f"{self.url}?api{query}", body, "application/x-www-form-urlencoded")
        return result

    def reset(self) -> None:
        """No feeds, no articles (the user stays)."""
        with contextlib.closing(sqlite3.connect(self.db, timeout=30)) as db, db:
            for table in ("read", "saved", "subscriptions", "entries", "feeds"):
                db.execute(f"delete from {table}")
            db.execute("delete from groups where id != 1")

    def add_feed(
        self, title: str, items: list[tuple[str, str, str, datetime]], group: str | None = None
    ) -> str:
        """Publish a feed, subscribe the user (coldsweat's OPML import) and fetch it; returns its URL."""
        host = f"fever{next(self._hosts)}-{os.getpid()}"
        self.farm.publish(host, title, items)
        url = f"http://127.0.0.1:{self.farm.port}/{host}/feed.xml"  # coldsweat fetches loopback directly
        outline = f'<outline text="{escape(title)}" type="rss" xmlUrl="{escape(url)}"/>'
        if group:
            outline = f'<outline text="{escape(group)}" title="{escape(group)}">{outline}</outline>'
        opml = self.workdir / f"{host}.opml"
        opml.write_text(f'<?xml version="1.0"?><opml version="2.0"><body>{outline}</body></opml>')
        self._cli("import", str(opml), self.user, "--fetch")
        return url

    def remote_ids(self) -> list[str]:
        ids: list[str] = []
        since = 0
        while page := self.api(f"&items&since_id={since}").get("items", []):
            ids += [str(i["id"]) for i in page]
            since = max(int(i["id"]) for i in page)
        return ids

    def delete_item(self, remote_id: str) -> None:
        """The server drops an article (as a purge of old ones does)."""
        with contextlib.closing(sqlite3.connect(self.db, timeout=30)) as db, db:
            for table in ("read", "saved"):
                db.execute(f"delete from {table} where entry_id = ?", (int(remote_id),))
            db.execute("delete from entries where id = ?", (int(remote_id),))

    def unread_count(self) -> int:
        return len([i for i in self.api("&unread_item_ids")["unread_item_ids"].split(",") if i])

    def flags(self, remote_id: str) -> tuple[bool, bool]:
        """(read, starred) on the server."""
        data = self.api("&unread_item_ids&saved_item_ids")
        unread = set(data["unread_item_ids"].split(","))
        return remote_id not in unread, remote_id in set(data["saved_item_ids"].split(","))

    def mark(self, remote_id: str, *, read: bool | None = None, starred: bool | None = None) -> None:
        if read is not None:
            self.api(mark="item", id=remote_id, **{"as": "read" if read else "unread"})
        if starred is not None:
            self.api(mark="item", id=remote_id, **{"as": "saved" if starred else "unsaved"})


class TTRSS:
    """Debian's tt-rss 21 on PostgreSQL 15, served by ``php -S`` on loopback."""

    kind = "ttrss"
    user = "admin"
    password = "password"

    def __init__(self, workdir: Path, farm: FeedFarm) -> None:
        self.workdir = workdir
        self.farm = farm
        self.port = free_port()
        self._proc: subprocess.Popen[bytes] | None = None
        self._sid: str | None = None
        self._hosts = itertools.count()
        self._lock = open(TTRSS_LOCK, "w")  # noqa: SIM115 (held for the session)
        deadline = time.monotonic() + LOCK_WAIT
        while True:  # another session on this machine waits until this one is done with the database
            try:
                fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    self._lock.close()
                    raise TTRSSBusyError(
                        f"another test session has used tt-rss for over {LOCK_WAIT:.0f} s"
                    ) from None
                time.sleep(0.2)
        subprocess.run(["pg_ctlcluster", "15", "main", "start"], capture_output=True, check=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> None:
        if self._proc is not None:
            return
        env = {
            **os.environ,
            "TTRSS_HTTP_PROXY": self.farm.proxy,
            "TTRSS_SELF_URL_PATH": self.url,
            "PHP_CLI_SERVER_WORKERS": "2",
        }
        log = open(self.workdir / "php.log", "ab")  # noqa: SIM115 (the server owns it)
        self._proc = subprocess.Popen(
            ["php", "-S", f"127.0.0.1:{self.port}", "-t", str(TTRSS_WWW)],
            env=env,
            cwd=self.workdir,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        wait_for(self._answers, "tt-rss to answer")

    def _answers(self) -> bool:
        if self._proc is not None and self._proc.poll() is not None:
            raise RuntimeError(f"php -S exited with {self._proc.returncode}; see {self.workdir}/php.log")
        try:
            self._sid = None
            self.api("getVersion")
            return True
        except OSError:
            return False

    def stop(self) -> None:
        if self._proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._proc.pid, 15)  # php -S with workers forks: stop the whole group
            self._proc.wait(timeout=30)
            self._proc = None

    def close(self) -> None:
        self.stop()
        self._lock.close()

    def api(self, op: str, **params: Any) -> Any:
        """A raw API call (its own session), as another device makes it."""
        if self._sid is None and op != "login":
            self._sid = self.api("login", user=self.user, password=self.password)["session_id"]
        body = json.dumps({"op": op, "sid": self._sid, **params}).encode()
        data = _post(f"{self.url}api/", body, "application/json")
        if data.get("status") != 0:
            raise RuntimeError(f"tt-rss {op}: {data.get('content')}")
        return data["content"]

    def sql(self, query: str) -> str:
        done = subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                "psql",
                "-q",
                "-tA",
                "-d",
                "ttrss",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                query,
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return done.stdout.strip()

    def reset(self) -> None:
        """No feeds, categories or articles for admin; the API switched on."""
        self.sql(
            "delete from ttrss_user_entries where owner_uid = 1; delete from ttrss_feeds where owner_uid = 1;"
            " delete from ttrss_feed_categories where owner_uid = 1; delete from ttrss_archived_feeds"
            " where owner_uid = 1; delete from ttrss_entries where id not in"
            " (select ref_id from ttrss_user_entries);"
        )

    def add_feed(
        self, title: str, items: list[tuple[str, str, str, datetime]], group: str | None = None
    ) -> str:
        """Publish a feed, subscribe admin (in a category made with SQL: the API cannot) and update it."""
        host = f"feed{next(self._hosts)}-{os.getpid()}.invalid"
        url = self.farm.publish(host, title, items)
        cat = 0
        if group:
            safe = group.replace("'", "''")
            cat = int(
                self.sql(
                    f"insert into ttrss_feed_categories (owner_uid, title) values (1, '{safe}') returning id"
                ).splitlines()[0]
            )
        status = self.api("subscribeToFeed", feed_url=url, category_id=cat)["status"]
        self.update(int(status["feed_id"]))
        return url

    def update(self, feed_id: int) -> None:
        """Make tt-rss fetch a feed now (its 30-second cache of feed files is emptied first)."""
        for cached in TTRSS_CACHE.glob("*.xml"):
            cached.unlink(missing_ok=True)
        self.api("updateFeed", feed_id=feed_id)

    def republish(self, url: str, title: str, items: list[tuple[str, str, str, datetime]]) -> None:
        """New content for a feed, fetched by the server at once."""
        host = urllib.parse.urlsplit(url).hostname or ""
        self.farm.publish(host, title, items)
        feed_id = next(f["id"] for f in self.api("getFeeds", cat_id=-3) if f["feed_url"] == url)
        self.update(int(feed_id))

    def remote_ids(self) -> list[str]:
        ids: list[str] = []
        while page := self.api(
            "getHeadlines", feed_id=-4, limit=200, skip=len(ids), view_mode="all_articles"
        ):
            ids += [str(h["id"]) for h in page]
        return ids

    def delete_item(self, remote_id: str) -> None:
        """The server drops an article (as a purge of old ones does)."""
        self.sql(f"delete from ttrss_user_entries where ref_id = {int(remote_id)}")

    def unread_count(self) -> int:
        return int(self.api("getUnread")["unread"])

    def flags(self, remote_id: str) -> tuple[bool, bool]:
        article = self.api("getArticle", article_id=int(remote_id))[0]
        return not article["unread"], bool(article["marked"])

    def mark(self, remote_id: str, *, read: bool | None = None, starred: bool | None = None) -> None:
        if read is not None:
            self.api("updateArticle", article_ids=remote_id, mode=int(not read), field=2)
        if starred is not None:
            self.api("updateArticle", article_ids=remote_id, mode=int(starred), field=0)


def ttrss_missing() -> str | None:
    """Why tt-rss cannot run here, or ``None`` (installing it first when we are root and it is not)."""
    ready = TTRSS_WWW.is_dir() and shutil.which("php") and "TTRSS_HTTP_PROXY" in _read(TTRSS_CONFIG)
    if not ready:
        if os.geteuid() != 0:
            return (
                "tt-rss is not installed, and installing it needs root (bash tests/sync/servers/install.sh)"
            )
        done = subprocess.run(["bash", str(INSTALL), "ttrss"], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            return f"installing tt-rss failed: {(done.stderr or done.stdout).strip().splitlines()[-1:]}"
    if os.geteuid() != 0:
        return "the tt-rss tests reset its PostgreSQL database as the postgres user, which needs root"
    return None


def coldsweat_missing() -> str | None:
    """Why coldsweat cannot run here, or ``None`` (installing it into .venv/servers first if needed)."""
    if not COLDSWEAT.exists():
        done = subprocess.run(
            ["bash", str(INSTALL), "coldsweat"], capture_output=True, text=True, check=False
        )
        if done.returncode != 0 or not COLDSWEAT.exists():
            return f"installing coldsweat failed: {(done.stderr or done.stdout).strip().splitlines()[-1:]}"
    return None


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


@contextlib.contextmanager
def running(server: Coldsweat | TTRSS) -> Iterator[Coldsweat | TTRSS]:
    server.start()
    try:
        yield server
    finally:
        server.stop()


_SHARED: dict[str, Any] = {}


@contextlib.contextmanager
def ttrss_session(workdir: Path) -> Iterator[TTRSS]:
    """tt-rss running for this process: started here, or the one already running (a test session's).

    The database is one per machine and its lock is per open file, so a benchmark run inside the test
    session (the smoke test) must share the session's server rather than start its own.
    """
    if "ttrss" in _SHARED:
        _SHARED["users"] += 1
        try:
            yield _SHARED["ttrss"]
        finally:
            _SHARED["users"] -= 1
        return
    farm = FeedFarm(workdir / "farm")
    server = TTRSS(workdir, farm)
    _SHARED.update(ttrss=server, users=1)
    try:
        server.start()
        yield server
    finally:
        _SHARED.clear()
        server.close()
        farm.close()
