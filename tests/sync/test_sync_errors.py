"""Servers that are wrong, dead or lying: one clear line, exit 1, nothing lost, no secret printed.

These need no real sync server: a lying server is by nature a test's own (pytest-httpserver on loopback).
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from newsreader.cli import main
from newsreader.library import Library
from newsreader.sync.accounts import Accounts

PASSWORD = "s3cret-never-printed"


def run(capsys: pytest.CaptureFixture[str], library: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--library", str(library), *args])
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(code: int, out: str, err: str, *needles: str) -> None:
    assert code == 1, (out, err)
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert PASSWORD not in out + err
    for needle in needles:
        assert needle in err, err


def add(
    capsys: pytest.CaptureFixture[str], lib: Path, kind: str, url: str, *extra: str
) -> tuple[int, str, str]:
    secret = lib.parent / "pw"
    secret.write_text(PASSWORD + "\n")
    return run(
        capsys, lib, "account", "add", kind, url, "--user", "u", "--password-file", str(secret), *extra
    )


Handler = Callable[[Request], Any]


def fever_server(httpserver: HTTPServer, items: Handler) -> str:
    """A Fever endpoint that authenticates and serves one feed, with ``items`` deciding the items."""

    def handle(request: Request) -> Response:
        import json

        data: dict[str, Any] = {"api_version": 3, "auth": 1}
        if "feeds" in request.args:
            data["feeds"] = [{"id": 1, "title": "Lies", "url": "http://example.com/feed", "site_url": ""}]
            data["feeds_groups"] = []
        if "groups" in request.args:
            data["groups"] = []
        if "items" in request.args:
            data["items"] = items(request)
        if "unread_item_ids" in request.args:
            data["unread_item_ids"] = "1"
            data["saved_item_ids"] = ""
        return Response(json.dumps(data), content_type="application/json")

    httpserver.expect_request("/fever/").respond_with_handler(handle)
    return httpserver.url_for("/fever/")


def item(item_id: Any) -> dict[str, Any]:
    return {
        "id": item_id,
        "feed_id": 1,
        "title": f"t{item_id}",
        "html": "<p>x</p>",
        "is_read": 0,
        "is_saved": 0,
    }


def test_a_url_that_is_not_an_api_says_so(
    httpserver: HTTPServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    httpserver.expect_request("/").respond_with_data("<html>hello</html>", content_type="text/html")
    lib = tmp_path / "lib"
    one_line_error(
        *add(capsys, lib, "fever", httpserver.url_for("/")), "did not answer with JSON (got text/html)"
    )
    one_line_error(*add(capsys, lib, "ttrss", httpserver.url_for("/")), "answered HTTP 500")
    assert Accounts(lib).all() == []


def test_a_dead_server_says_so_and_keeps_the_queue(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    lib = tmp_path / "lib"
    url = f"http://127.0.0.1:{port}/fever/"
    one_line_error(*add(capsys, lib, "fever", url), "cannot reach", "connection refused")
    assert add(capsys, lib, "fever", url, "--no-check")[0] == 0
    code, out, err = run(capsys, lib, "sync")
    one_line_error(code, out, err, "sync failed: cannot reach", "nothing was lost")


@pytest.mark.parametrize(
    ("items", "needle"),
    [
        (lambda r: [item(None)], "an item without a usable id"),
        (lambda r: [item("x1")], "item ids that are not numbers"),
        (lambda r: [item(1)], "sent items older than it was asked for"),  # the same page again and again
        (lambda r: "nope", "items that is not a list"),
    ],
    ids=["no-id", "bad-id", "repeats", "not-a-list"],
)
def test_a_lying_fever_server_stops_the_sync_with_one_line(
    httpserver: HTTPServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    items: Handler,
    needle: str,
) -> None:
    lib = tmp_path / "lib"
    assert add(capsys, lib, "fever", fever_server(httpserver, items))[0] == 0
    code, out, err = run(capsys, lib, "sync")
    one_line_error(code, out, err, needle)


def test_a_server_that_lies_midway_loses_nothing(
    httpserver: HTTPServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lying = [True]

    def items(request: Request) -> Any:
        since = int(request.args.get("since_id", 0))
        if since == 0:
            return [item(i) for i in range(1, 51)]
        if since == 50:
            return [{"id": 51, "feed_id": []}] if lying[0] else [item(51)]
        return []

    lib = tmp_path / "lib"
    assert add(capsys, lib, "fever", fever_server(httpserver, items))[0] == 0
    code, out, err = run(capsys, lib, "sync")
    one_line_error(code, out, err, "item's feed without a usable id")
    library = Library(lib)
    assert len(library.articles()) == 0  # the batch in flight is dropped whole, and the cursor stays
    lying[0] = False
    code, out, err = run(capsys, lib, "sync")
    assert code == 0, err
    assert "51 new articles" in out
    assert len(library.articles()) == 51
    assert len(library.articles(unread=True)) == 1  # the server's unread_item_ids: only item 1


def test_a_lying_ttrss_server(
    httpserver: HTTPServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def handle(request: Request) -> Response:
        import json

        op = json.loads(request.data)["op"]
        content: Any = {"session_id": "abc"} if op == "login" else "garbage"
        return Response(
            json.dumps({"seq": 0, "status": 0, "content": content}), content_type="application/json"
        )

    httpserver.expect_request("/api/").respond_with_handler(handle)
    lib = tmp_path / "lib"
    assert add(capsys, lib, "ttrss", httpserver.url_for("/"))[0] == 0
    code, out, err = run(capsys, lib, "sync")
    one_line_error(code, out, err, "sent categories that are not a list of objects")


def test_a_ttrss_login_error_and_a_disabled_api(
    httpserver: HTTPServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter(["LOGIN_ERROR", "API_DISABLED"])

    def handle(request: Request) -> Response:
        import json

        return Response(json.dumps({"seq": 0, "status": 1, "content": {"error": next(answers)}}))

    httpserver.expect_request("/api/").respond_with_handler(handle)
    lib = tmp_path / "lib"
    one_line_error(*add(capsys, lib, "ttrss", httpserver.url_for("/")), "refused the user name or password")
    one_line_error(*add(capsys, lib, "ttrss", httpserver.url_for("/")), "the API is switched off")


def test_the_password_needs_a_terminal_or_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lib = tmp_path / "lib"
    code, out, err = run(capsys, lib, "account", "add", "fever", "http://127.0.0.1:9/fever/", "--user", "u")
    one_line_error(code, out, err, "--password-file")
    one_line_error(*run(capsys, lib, "account", "add", "fever", "ftp://x/", "--user", "u"), "not an http(s)")
    one_line_error(*run(capsys, lib, "account", "remove", "nobody"), "no account named 'nobody'")
    one_line_error(*run(capsys, lib, "sync"), "no accounts to sync")
    one_line_error(*run(capsys, lib, "account"), "say what to do")


def test_marks_of_local_articles_are_not_queued(tmp_path: Path) -> None:
    from tests.conftest import SEED

    library = Library(tmp_path / "lib")
    library.import_paths([SEED])
    library.mark([library.articles()[0].id], read=True)
    assert library.remote.pending() == {}
    assert not (tmp_path / "lib" / "pending.json").exists()


def test_a_mark_is_queued_before_it_is_applied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash between the two writes still sends what the user meant (the pull then applies it here)."""
    from newsreader.errors import StoreError
    from newsreader.models import ArticleDraft

    library = Library(tmp_path / "lib")
    source = {"kind": "feed", "title": "Synced", "location": "http://x.invalid/f", "account": "acct"}
    library.remote.upsert({"s1": [ArticleDraft("bbbb00000001", "t", "b", "b")]}, {"s1": source})

    def crash(*args: Any, **kwargs: Any) -> int:
        raise StoreError("disk gone")

    monkeypatch.setattr(library._store, "set_state", crash)
    with pytest.raises(StoreError):
        library.mark(["bbbb00000001"], read=True)
    assert library.remote.pending()["bbbb00000001"]["read"] is True
    assert not library.get("bbbb00000001").read


def test_one_sync_per_account_at_a_time(
    httpserver: HTTPServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from newsreader.store.lock import LibraryLock

    lib = tmp_path / "lib"
    assert add(capsys, lib, "fever", fever_server(httpserver, lambda r: []))[0] == 0
    name = Accounts(lib).all()[0].name
    with LibraryLock(lib / "sync" / f"{name}.lock", 0.0)():  # as another process's sync holds it
        one_line_error(*run(capsys, lib, "sync"), "a sync of", "is already running")
    code, out, err = run(capsys, lib, "sync")
    assert code == 0 and "1 feeds, 0 new articles" in out, err


def test_a_server_that_suddenly_lists_no_feeds_removes_nothing(
    httpserver: HTTPServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib = tmp_path / "lib"
    url = fever_server(httpserver, lambda r: [item(1), item(2)] if r.args.get("since_id") == "0" else [])
    assert add(capsys, lib, "fever", url)[0] == 0
    assert run(capsys, lib, "sync")[0] == 0
    library = Library(lib)
    assert len(library.articles()) == 2
    httpserver.clear()

    def empty(request: Request) -> Response:
        import json

        body = {"api_version": 3, "auth": 1, "feeds": [], "groups": [], "feeds_groups": [], "items": []}
        return Response(json.dumps({**body, "unread_item_ids": "", "saved_item_ids": ""}))

    httpserver.expect_request("/fever/").respond_with_handler(empty)
    code, _out, err = run(capsys, lib, "sync")
    assert code == 0, err
    assert len(library.articles()) == 2 and [f.title for f in library.feeds()] == ["Lies"]
    assert len(library.articles(unread=True)) == 1, "nor are its flags taken from an empty server"


def test_the_apps_background_sync_reports_in_lines(
    httpserver: HTTPServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from newsreader.sync import sync_for_app

    lib = tmp_path / "lib"
    library = Library(lib)
    assert sync_for_app(library) == (False, [])  # no accounts: nothing to do, nothing said
    url = fever_server(httpserver, lambda r: [item(1)] if r.args.get("since_id") == "0" else [])
    assert add(capsys, lib, "fever", url)[0] == 0
    assert sync_for_app(library) == (True, [])
    assert sync_for_app(library) == (False, [])  # nothing new the second time
    httpserver.stop()
    changed, errors = sync_for_app(library)
    assert not changed and len(errors) == 1 and "sync failed: cannot reach" in errors[0]
    httpserver.start()
