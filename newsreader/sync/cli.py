"""The ``account`` and ``sync`` commands, registered into the CLI's parser by :func:`register`.

Passwords come from a prompt (a terminal) or ``--password-file`` (``-`` for standard input); they are
never echoed, printed or put in an error message.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsreader.errors import UserInputError

if TYPE_CHECKING:
    from newsreader.library import Library

Command = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]


def register(command: Command, common: argparse.ArgumentParser) -> None:
    """Add ``account`` (add, list, remove, subscribe, unsubscribe) and ``sync`` to the CLI."""
    p = command("account", _needs_subcommand, "server accounts to sync with (Fever API, tt-rss)")
    sub = p.add_subparsers(title="account commands", metavar="ACTION", parser_class=type(p))

    def action(name: str, handler: Callable[[argparse.Namespace], int], text: str) -> argparse.ArgumentParser:
        q = sub.add_parser(name, help=text, description=text, parents=[common])
        q.set_defaults(handler=handler)
        return q

    q = action("add", cmd_add, "add a server account (checks the password with the server)")
    q.add_argument(
        "kind", choices=("fever", "ttrss"), help="fever: FreshRSS, Miniflux, coldsweat; ttrss: tt-rss"
    )
    q.add_argument(
        "url", metavar="URL", help="Fever: the API endpoint (…/api/fever.php); tt-rss: its base URL"
    )
    q.add_argument("--user", required=True, metavar="U", help="the user name (Fever: often an email)")
    q.add_argument("--password-file", metavar="FILE", help="read the password from FILE (- for stdin)")
    q.add_argument("--name", metavar="NAME", help="what to call the account (default: KIND-HOST)")
    q.add_argument("--no-check", action="store_true", help="store it without asking the server first")

    q = action("list", cmd_list, "list the accounts (never their passwords)")
    q.add_argument("--json", action="store_true", help="print a JSON array")

    q = action("remove", cmd_remove, "remove an account, its feeds and articles here (not on the server)")
    q.add_argument("name", metavar="NAME")
    q.add_argument("--discard-changes", action="store_true", help="even if local changes are not sent yet")

    q = action("subscribe", cmd_subscribe, "subscribe on the server (tt-rss; the Fever API cannot)")
    q.add_argument("url", metavar="FEED_URL")
    q.add_argument("--account", metavar="NAME", help="which account (needed when there are several)")
    q.add_argument("--category", metavar="C", help="the server's category to put it in")

    q = action("unsubscribe", cmd_unsubscribe, "unsubscribe on the server (tt-rss; the Fever API cannot)")
    q.add_argument("feed", metavar="FEED", help="the synced feed's id, URL or title")

    p = command("sync", cmd_sync, "sync read/starred state, feeds and articles with the server accounts")
    p.add_argument("names", nargs="*", metavar="ACCOUNT", help="only these accounts (default: all)")


def _needs_subcommand(args: argparse.Namespace) -> int:
    raise UserInputError("say what to do: newsreader account add|list|remove|subscribe|unsubscribe")


def _library(args: argparse.Namespace) -> Library:
    from newsreader.config import library_dir, lock_timeout
    from newsreader.library import Library

    return Library(library_dir(args.library), lock_timeout=lock_timeout())


def _say(text: str, *, err: bool = False) -> None:
    from newsreader.ingest.text import clean_line

    print(clean_line(text), file=sys.stderr if err else sys.stdout, flush=True)


def _password(args: argparse.Namespace) -> str:
    if args.password_file:
        try:
            raw = (
                sys.stdin.read()
                if args.password_file == "-"
                else Path(args.password_file).expanduser().read_text()
            )
        except (OSError, UnicodeDecodeError) as exc:
            raise UserInputError(f"cannot read the password file {args.password_file}: {exc}") from None
        password = raw.splitlines()[0] if raw.splitlines() else ""
    elif sys.stdin.isatty():
        import getpass

        password = getpass.getpass(f"password for {args.user} at {args.url}: ")
    else:
        raise UserInputError(
            "no terminal to ask for the password: pass --password-file FILE (or - for stdin)"
        )
    if not password:
        raise UserInputError("the password is empty")
    return password


def cmd_add(args: argparse.Namespace) -> int:
    import time

    from newsreader.sync.accounts import Account, Accounts, check_url, default_name

    url = check_url(args.url)
    library = _library(args)
    accounts = Accounts(library.path)
    name = args.name or default_name(args.kind, url, args.user)
    if any(a.name == name for a in accounts.all()):
        raise UserInputError(f"an account named {name!r} exists; pass --name to choose another")
    account = Account(name, args.kind, url, args.user, _password(args), time.time())
    if not args.no_check:
        backend = account.backend()
        try:
            backend.login()
        finally:
            backend.close()
    accounts.add(account)
    _say(f"added account {name} ({args.kind} at {url} as {args.user}); run `newsreader sync` to fetch it")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from datetime import datetime

    from newsreader.sync.accounts import Accounts
    from newsreader.sync.engine import SyncState

    library = _library(args)
    accounts = Accounts(library.path).all()
    pending = library.remote.pending_by_account()
    rows: list[dict[str, Any]] = []
    for a in accounts:
        last = SyncState(library.path, a.name).last_sync
        rows.append(
            {
                "name": a.name,
                "kind": a.kind,
                "url": a.url,
                "user": a.user,
                "last_sync": datetime.fromtimestamp(last).astimezone().isoformat() if last else None,
                "pending": pending.get(a.name, 0),
                "feeds": len(library.remote.sources(a.name)),
            }
        )
    if args.json:
        import orjson

        sys.stdout.buffer.write(orjson.dumps(rows, option=orjson.OPT_INDENT_2) + b"\n")
        return 0
    if not rows:
        _say("no accounts yet (newsreader account add fever|ttrss URL --user U)")
    for row in rows:
        when = row["last_sync"][:16].replace("T", " ") if row["last_sync"] else "never synced"
        _say(
            f"{row['name']}  {row['kind']} {row['url']} as {row['user']}  {row['feeds']} feeds,"
            f" {row['pending']} changes to send, {when}"
        )
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from newsreader.sync.accounts import Accounts
    from newsreader.sync.engine import SyncState

    library = _library(args)
    accounts = Accounts(library.path)
    account = accounts.get(args.name)
    waiting = library.remote.pending_by_account().get(account.name, 0)
    if waiting and not args.discard_changes:
        raise UserInputError(
            f"account {account.name} has {waiting} local changes not sent yet: run `newsreader sync`"
            " first, or pass --discard-changes"
        )
    removed = 0
    for sid in library.remote.sources(account.name):
        removed += library.remote.remove_source(sid)
    SyncState(library.path, account.name).delete()
    (library.path / "sync" / f"{account.name}.lock").unlink(missing_ok=True)
    accounts.remove(account.name)
    _say(f"removed account {account.name} and its {removed} articles here (the server keeps them)")
    return 0


def cmd_subscribe(args: argparse.Namespace) -> int:
    from newsreader.sync.accounts import Accounts, check_url
    from newsreader.sync.engine import sync_account

    library = _library(args)
    account = Accounts(library.path).get(args.account)
    url = check_url(args.url)
    with contextlib.closing(account.backend()) as backend:
        backend.subscribe(url, args.category)
    report = sync_account(library, account)
    _say(f"subscribed to {url} on {account.name}; {report.new} new articles here")
    return 0


def cmd_unsubscribe(args: argparse.Namespace) -> int:
    from newsreader.sync.accounts import Accounts

    library = _library(args)
    sid = library.resolve_source(args.feed)
    record = library.remote.sources().get(sid)
    if record is None:
        raise UserInputError(f"{args.feed!r} is not a feed synced from a server (use `newsreader remove`)")
    account = Accounts(library.path).get(record["account"])
    with contextlib.closing(account.backend()) as backend:
        backend.unsubscribe(str(record.get("remote_id", "")))
    removed = library.remote.remove_source(sid)
    _say(
        f"unsubscribed from {record.get('title') or record.get('location')} on {account.name};"
        f" {removed} articles removed here"
    )
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from newsreader.sync import describe, sync_all
    from newsreader.sync.base import SyncError

    library = _library(args)
    results = sync_all(library, args.names or None)
    if not results:
        raise UserInputError("no accounts to sync (newsreader account add fever|ttrss URL --user U)")
    failed = 0
    for name, result in results:
        failed += isinstance(result, SyncError)
        _say(describe(name, result), err=isinstance(result, SyncError))
    return 1 if failed else 0
