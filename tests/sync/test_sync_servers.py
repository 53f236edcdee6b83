"""Two-way sync against the real servers: coldsweat (Fever API) and tt-rss, each test on both.

"The server" here is the real one; "another device" is the server's own API driven by the harness.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from newsreader.cli import main
from newsreader.library import Library
from newsreader.sync.accounts import Accounts
from newsreader.sync.base import ServerUnreachableError
from newsreader.sync.engine import SyncState, sync_account
from tests.conftest import SEED
from tests.sync.conftest import Server
from tests.sync.servers.harness import TTRSS, articles


def run(capsys: pytest.CaptureFixture[str], library: Path, *args: str) -> tuple[int, str, str]:
    """The CLI in this process (the servers are what takes time, not Python's start-up)."""
    code = main(["--library", str(library), *args])
    out, err = capsys.readouterr()
    return code, out, err


def add_account(capsys: pytest.CaptureFixture[str], library: Path, server: Server, password: str = "") -> str:
    secret = library.parent / "password"
    secret.write_text((password or server.password) + "\n")
    code, _out, err = run(
        capsys, library, "account", "add", server.kind, server.url, "--user", server.user,
        "--password-file", str(secret), "--name", "acct",
    )  # fmt: skip
    assert code == 0, err
    return "acct"


def by_title(library: Library, title: str) -> str:
    found = [a.id for a in library.articles() if a.title == title]
    assert len(found) == 1, (title, len(found))
    return found[0]


def remote_id(library: Library, article_id: str) -> str:
    return SyncState(library.path, "acct").items[article_id]


def sync(capsys: pytest.CaptureFixture[str], library: Path) -> str:
    code, out, err = run(capsys, library, "sync")
    assert code == 0, err
    return out


def test_first_sync_of_a_few_hundred_articles(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.add_feed("Alpha", articles("alpha", 240), group="Science")
    server.add_feed("Beta", articles("beta", 30))
    lib = tmp_path / "lib"
    add_account(capsys, lib, server)
    library = Library(lib)
    library.import_paths([SEED])  # a local dump: nothing here may touch it
    account = Accounts(lib).get("acct")

    # The server goes away after the first page: what came is kept, the rest comes with the next sync.
    def stop_after_first_page(what: str) -> None:
        if what.endswith(" articles") and what.split()[-2].isdigit():
            server.stop()

    with pytest.raises(ServerUnreachableError, match=r"cannot reach|lost the connection"):
        sync_account(library, account, progress=stop_after_first_page, batch=50)
    kept = len(library.articles()) - 5
    assert 0 < kept < 270
    server.start()
    assert f"acct: 2 feeds, {270 - kept} new articles" in sync(capsys, lib)
    assert len(library.articles()) == 275

    feeds = {f.title: f for f in library.feeds()}
    assert feeds["Alpha"].category == "Science" and feeds["Alpha"].articles == 240
    assert feeds["Beta"].articles == 30 and feeds["Beta"].unread == 30
    # Everything local works on them: the body as text, search.
    article = library.get(by_title(library, "alpha story 7"))
    assert article.body is not None and "Paragraph one of alpha story 7 about zeppelins." in article.body
    assert article.url == "http://example.com/alpha/7"
    hits = library.search('"beta story 12"')
    assert [h.article.title for h in hits][:1] == ["beta story 12"]
    # A second sync with nothing new stores nothing new, and `refresh` leaves synced feeds alone.
    assert "acct: 2 feeds, 0 new articles, 0 updated, 0 changes sent, 0 received" in sync(capsys, lib)
    assert library.refresh().results == ()

    # "Mark all read" covers every article it covers here, not only the newest page.
    assert library.mark_source_read(None) == 275
    assert "270 changes sent" in sync(capsys, lib)
    assert server.unread_count() == 0


def test_read_and_star_go_both_ways(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.add_feed("Alpha", articles("alpha", 12))
    lib = tmp_path / "lib"
    add_account(capsys, lib, server)
    sync(capsys, lib)
    library = Library(lib)
    mine, theirs = by_title(library, "alpha story 1"), by_title(library, "alpha story 2")
    # Here -> server.
    code, _out, err = run(capsys, lib, "mark", mine, "--read", "--star")
    assert code == 0, err
    assert "1 changes sent" in sync(capsys, lib)
    assert server.flags(remote_id(library, mine)) == (True, True)
    # Server (another device) -> here.
    server.mark(remote_id(library, theirs), read=True, starred=True)
    assert "1 received" in sync(capsys, lib)
    got = library.get(theirs)
    assert got.read and got.starred
    # And back: unstar here, unread there.
    library.mark([mine], starred=False)
    server.mark(remote_id(library, theirs), read=False)
    sync(capsys, lib)
    assert server.flags(remote_id(library, mine)) == (True, False)
    assert not library.get(theirs).read and library.get(theirs).starred


def test_server_changes_come_in_with_a_later_sync(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.add_feed("Alpha", articles("alpha", 5))
    lib = tmp_path / "lib"
    add_account(capsys, lib, server)
    sync(capsys, lib)
    library = Library(lib)
    server.mark(remote_id(library, by_title(library, "alpha story 3")), read=True)
    if isinstance(server, TTRSS):
        server.republish(url, "Alpha", articles("alpha", 8))
    else:  # coldsweat fetches a feed at most every 3 minutes: a new subscription brings the new articles
        server.add_feed("Gamma", articles("gamma", 3), group="Later")
    out = sync(capsys, lib)
    assert "3 new articles" in out and "1 received" in out
    assert library.get(by_title(library, "alpha story 3")).read
    assert len(library.articles()) == 8


def test_offline_change_is_sent_when_the_server_is_back(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.add_feed("Alpha", articles("alpha", 6))
    lib = tmp_path / "lib"
    add_account(capsys, lib, server)
    sync(capsys, lib)
    library = Library(lib)
    article = by_title(library, "alpha story 4")
    server.stop()
    library.mark([article], read=True, starred=True)  # offline: the library answers at once
    code, _out, err = run(capsys, lib, "sync")
    assert code == 1
    assert err.count("\n") == 1 and "acct: sync failed: cannot reach" in err and "Traceback" not in err
    assert library.remote.pending_by_account() == {"acct": 1}
    _code, out, _err = run(capsys, lib, "account", "list")
    assert "1 changes to send" in out
    server.start()
    assert "1 changes sent" in sync(capsys, lib)
    assert server.flags(remote_id(library, article)) == (True, True)
    assert library.remote.pending() == {}


def test_a_local_change_wins_over_older_server_state(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.add_feed("Alpha", articles("alpha", 6))
    lib = tmp_path / "lib"
    add_account(capsys, lib, server)
    sync(capsys, lib)
    library = Library(lib)
    a, b, c = (by_title(library, f"alpha story {i}") for i in (1, 2, 3))
    server.mark(remote_id(library, a), read=True)
    sync(capsys, lib)
    assert library.get(a).read
    # Offline here: unread A again, star B. Meanwhile on the server: B marked read.
    library.mark([a], read=False)
    library.mark([b], starred=True)
    server.mark(remote_id(library, b), read=True)

    # A mark made here while the sync runs (after its push, before its pull) is not overwritten either.
    def mark_during_sync(what: str) -> None:
        if what.endswith("read and starred"):
            library.mark([c], read=True)

    account = Accounts(lib).get("acct")
    sync_account(library, account, progress=mark_during_sync)
    assert not library.get(a).read, "the queued local unread must win over the server's older read"
    assert library.get(b).starred and library.get(b).read, "both sides' changes to different flags are kept"
    assert library.get(c).read
    assert server.flags(remote_id(library, a)) == (False, False)
    assert server.flags(remote_id(library, b)) == (True, True)
    sync(capsys, lib)  # the mark made during the last sync goes out with this one
    assert server.flags(remote_id(library, c)) == (True, False)
    assert library.remote.pending() == {}


def test_wrong_password_is_one_line_and_stores_nothing(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib = tmp_path / "lib"
    secret = tmp_path / "password"
    secret.write_text("not-the-password-42\n")
    argv = ["account", "add", server.kind, server.url, "--user", server.user, "--password-file", str(secret)]
    code, out, err = run(capsys, lib, *argv)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "refused the user name or password" in err
    assert "not-the-password-42" not in err
    assert Accounts(lib).all() == []
    # Stored without the check, the sync says the same and queues stay as they are.
    code, _out, err = run(capsys, lib, *argv, "--no-check")
    assert code == 0
    code, _out, err = run(capsys, lib, "sync")
    assert code == 1 and "refused the user name or password" in err and "not-the-password-42" not in err


def test_account_list_and_remove(server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    server.add_feed("Alpha", articles("alpha", 4))
    lib = tmp_path / "lib"
    add_account(capsys, lib, server)
    sync(capsys, lib)
    library = Library(lib)
    library.import_paths([SEED])
    code, out, _err = run(capsys, lib, "account", "list")
    assert code == 0 and "acct" in out and server.url in out and server.password not in out
    accounts_file = lib / "sync" / "accounts.json"
    assert accounts_file.stat().st_mode & 0o777 == 0o600
    assert (lib / "sync").stat().st_mode & 0o777 == 0o700
    # A change not sent yet: removing asks first.
    library.mark([by_title(library, "alpha story 1")], read=True)
    code, _out, err = run(capsys, lib, "account", "remove", "acct")
    assert code == 1 and "1 local changes not sent yet" in err
    code, out, _err = run(capsys, lib, "account", "remove", "acct", "--discard-changes")
    assert code == 0 and "its 4 articles" in out
    assert Accounts(lib).all() == [] and not (lib / "sync" / "state-acct.json").exists()
    assert [a.feed for a in library.articles()] == [library.articles()[0].feed] * 5  # the dump stays
    assert library.remote.pending() == {}
    assert server.remote_ids(), "the server keeps its articles"


def test_subscribe_and_unsubscribe_on_the_server(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib = tmp_path / "lib"
    add_account(capsys, lib, server)
    url = server.farm.publish(f"sub-{os.getpid()}-{time.time_ns()}.invalid", "Subbed", articles("subbed", 3))
    code, out, err = run(capsys, lib, "account", "subscribe", url)
    if server.kind == "fever":
        assert code == 1 and err.count("\n") == 1 and "the Fever API cannot subscribe" in err
        return
    assert code == 0, err
    assert "3 new articles" in out
    library = Library(lib)
    assert [f.title for f in library.feeds()] == ["Subbed"]
    code, out, err = run(capsys, lib, "account", "unsubscribe", "Subbed")
    assert code == 0, err
    assert library.feeds() == [] and len(library.articles()) == 0
    assert server.remote_ids() == []


def test_a_change_to_an_article_the_server_deleted_is_dropped(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.add_feed("Alpha", articles("alpha", 3))
    lib = tmp_path / "lib"
    add_account(capsys, lib, server)
    sync(capsys, lib)
    library = Library(lib)
    gone, kept = by_title(library, "alpha story 0"), by_title(library, "alpha story 1")
    library.mark([gone, kept], starred=True)
    server.delete_item(remote_id(library, gone))
    sync(capsys, lib)  # not an error, and not retried forever
    assert library.remote.pending() == {}
    assert server.flags(remote_id(library, kept)) == (False, True)
