"""Sync accounts: which servers a library syncs with, and the credentials, readable by the owner only.

``LIBRARY/sync/accounts.json`` (mode 0600, in a 0700 folder) holds every account; the password is
in it because the APIs want it (tt-rss logs in with it, Fever hashes it). It is never printed,
logged or put in an error message: :class:`Account`'s repr leaves it out.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from newsreader.errors import UserInputError
from newsreader.urls import typed_url_problem

if TYPE_CHECKING:
    from newsreader.sync.base import Backend

KINDS = ("fever", "ttrss")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


@dataclass(frozen=True, slots=True)
class Account:
    """One server account."""

    name: str
    kind: str
    url: str
    user: str
    password: str = field(repr=False)
    added: float = 0.0

    def backend(self) -> Backend:
        """A client for this account's server."""
        if self.kind == "fever":
            from newsreader.sync.fever import FeverBackend

            return FeverBackend(self.url, self.user, self.password)
        from newsreader.sync.ttrss import TTRSSBackend

        return TTRSSBackend(self.url, self.user, self.password)


def check_url(url: str) -> str:
    """``url`` stripped, if a request can be made to it (:func:`newsreader.urls.typed_url_problem`), else a
    one-line UserInputError."""
    url = url.strip()
    if typed_url_problem(url) is not None:
        raise UserInputError(f"not an http(s) server URL: {url!r}")
    return url


def default_name(kind: str, url: str, user: str) -> str:
    """``ttrss-rss.example.com``: the kind and host, safe as a file name."""
    host = urlsplit(url).hostname or "server"
    return re.sub(r"[^A-Za-z0-9._@-]", "-", f"{kind}-{host}")[:64]


class Accounts:
    """The accounts file of one library."""

    def __init__(self, library_path: Path) -> None:
        self.folder = Path(library_path) / "sync"
        self.path = self.folder / "accounts.json"

    def all(self) -> list[Account]:
        import orjson

        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise UserInputError(f"cannot read {self.path}: {exc.strerror or exc}") from exc
        try:
            records = orjson.loads(raw).get("accounts", [])
            return [Account(**rec) for rec in records]
        except (orjson.JSONDecodeError, AttributeError, TypeError) as exc:
            raise UserInputError(
                f"{self.path} is damaged ({type(exc).__name__}); it was left as it is"
            ) from exc

    def get(self, name: str | None) -> Account:
        """The named account, or the only one when ``name`` is ``None``."""
        accounts = self.all()
        if name is None:
            if len(accounts) == 1:
                return accounts[0]
            if not accounts:
                raise UserInputError("no sync accounts yet (newsreader account add fever|ttrss URL --user U)")
            names = ", ".join(a.name for a in accounts)
            raise UserInputError(f"several accounts ({names}): name one")
        for account in accounts:
            if account.name == name:
                return account
        raise UserInputError(f"no account named {name!r} (see `newsreader account list`)")

    def add(self, account: Account) -> None:
        if account.kind not in KINDS:
            raise UserInputError(f"unknown account kind {account.kind!r}: use one of {', '.join(KINDS)}")
        if not _NAME.match(account.name):
            raise UserInputError(f"account name {account.name!r}: use letters, digits, '.', '_', '-' or '@'")
        accounts = self.all()
        if any(a.name == account.name for a in accounts):
            raise UserInputError(f"an account named {account.name!r} exists; pass --name to choose another")
        self._write([*accounts, account])

    def remove(self, name: str) -> Account:
        account = self.get(name)
        self._write([a for a in self.all() if a.name != name])
        return account

    def _write(self, accounts: list[Account]) -> None:
        """Replace the file atomically, created 0600 so the password is never readable by others."""
        import orjson

        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            os.chmod(self.folder, 0o700)
        payload = orjson.dumps({"accounts": [asdict(a) for a in accounts]}, option=orjson.OPT_INDENT_2)
        write_private(self.path, payload)


def write_private(path: Path, payload: bytes) -> None:
    """Atomically replace ``path`` with ``payload`` in a file only its owner can read."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # O_CREAT's mode is masked by the umask; this is not
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise UserInputError(f"cannot write {path}: {exc.strerror or exc}") from exc


def read_state(path: Path) -> dict[str, Any]:
    """A sync state file (``{}`` if missing or unreadable: the next sync rebuilds it)."""
    import orjson

    try:
        doc = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    return doc if isinstance(doc, dict) else {}
