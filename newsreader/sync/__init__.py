"""Sync with the servers people already run: the Fever API (FreshRSS, Miniflux) and tt-rss.

``base`` defines the backend interface and errors, ``fever`` and ``ttrss`` implement it, ``engine``
syncs one account two ways, ``accounts`` stores the accounts and ``cli`` adds the ``account`` and
``sync`` commands. The library's side (synced sources, the durable queue of local changes) is
``newsreader._remote``, reached as ``Library.remote``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsreader.library import Library
    from newsreader.sync.base import SyncError
    from newsreader.sync.engine import Progress, SyncReport

__all__ = ["describe", "has_accounts", "sync_all", "sync_for_app"]


def sync_all(
    library: Library, names: list[str] | None = None, *, progress: Progress | None = None
) -> list[tuple[str, SyncReport | SyncError]]:
    """Sync every account (or the named ones); one account's failure never stops the others."""
    from newsreader.sync.accounts import Accounts
    from newsreader.sync.base import SyncError
    from newsreader.sync.engine import sync_account

    accounts = Accounts(library.path)
    chosen = [accounts.get(n) for n in names] if names else accounts.all()
    out: list[tuple[str, SyncReport | SyncError]] = []
    for account in chosen:
        try:
            out.append((account.name, sync_account(library, account, progress=progress)))
        except SyncError as exc:
            out.append((account.name, exc))
    return out


def has_accounts(library: Library) -> bool:
    """Whether the library syncs with any server (cheap: one small file's existence)."""
    return (library.path / "sync" / "accounts.json").exists()


def describe(name: str, result: SyncReport | SyncError) -> str:
    """One line for a person: what an account's sync did, or why it failed (nothing is lost either way)."""
    from newsreader.sync.base import SyncError

    if isinstance(result, SyncError):
        return f"{name}: sync failed: {result} (nothing was lost; local changes stay queued)"
    line = (
        f"{name}: {result.feeds} feeds, {result.new} new articles, {result.updated} updated,"
        f" {result.sent} changes sent, {result.received} received"
    )
    if result.removed:
        line += f", {result.removed} feeds gone from the server removed"
    if result.waiting:
        line += f", {result.waiting} changes waiting"
    return line


def sync_for_app(library: Library) -> tuple[bool, list[str]]:
    """Sync every account from the app's worker: (whether anything here changed, a line per failure).

    Never raises for a server's or a file's problem: the app shows the lines and carries on reading.
    """
    from newsreader.errors import NewsreaderError
    from newsreader.sync.base import SyncError
    from newsreader.sync.engine import SyncReport

    if not has_accounts(library):
        return False, []
    try:
        results = sync_all(library)
    except NewsreaderError as exc:  # a damaged accounts file, a locked library
        return False, [f"sync: {exc}"]
    changed = any(
        isinstance(r, SyncReport) and bool(r.new or r.updated or r.received or r.removed) for _n, r in results
    )
    return changed, [describe(n, r) for n, r in results if isinstance(r, SyncError)]
