"""Telling a disk's trouble from a broken index: a full or read-only disk is reported, never "repaired"
by throwing the index away (which would not help, and could delete what a read-only library holds)."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import sqlite3
from pathlib import Path

from newsreader.errors import StoreError

_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})
_DENIED = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})
_OS_ERROR = re.compile(r"os error (\d+)")
"""How tantivy's ``ValueError`` names the OS error under it (``No space left on device (os error 28)``)."""
_SQLITE_IOERR, _SQLITE_READONLY, _SQLITE_FULL, _SQLITE_CANTOPEN = 10, 8, 13, 14


def writable(path: Path) -> bool:
    """Whether the nearest existing folder at or above ``path`` can be written (EROFS counts, for root)."""
    for folder in (path, *path.parents):
        if folder.exists():
            return os.access(folder, os.W_OK)
    return False


def disk_trouble(exc: BaseException, path: Path) -> str | None:
    """``"full"`` or ``"read-only"`` when a failure is the disk's, not the index's: no rebuild helps."""
    if isinstance(exc, StoreError) and exc.__cause__ is not None:
        exc = exc.__cause__  # the store's lock wraps the OSError
    codes: set[int] = set()
    if isinstance(exc, OSError) and exc.errno is not None:
        codes.add(exc.errno)
    elif isinstance(exc, ValueError):  # tantivy
        codes.update(int(n) for n in _OS_ERROR.findall(str(exc)))
    elif isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if code == _SQLITE_FULL or (
            code == _SQLITE_IOERR and shutil.disk_usage(_existing(path)).free < 2**20
        ):
            return "full"
        if code == _SQLITE_READONLY or (code == _SQLITE_CANTOPEN and not writable(path)):
            return "read-only"
    if codes & _FULL:
        return "full"
    if codes & _DENIED or (codes and not writable(path)):
        return "read-only"
    return None


def _existing(path: Path) -> Path:
    return next((p for p in (path, *path.parents) if p.exists()), Path("/"))


def disk_error(trouble: str, path: Path) -> StoreError:
    if trouble == "full":
        return StoreError(
            f"cannot write the search index in {path}: no space left on device; free some space and"
            " search again (the library itself is unchanged)"
        )
    return StoreError(
        f"cannot update the search index in {path}: the library is read-only; search it where it can"
        " be written once, and it searches read-only after"
    )


def rollback(conn: sqlite3.Connection) -> None:
    """Roll back if a transaction is still open: SQLite ends one itself on some errors (a full disk),
    and a ROLLBACK then would hide the real error behind 'no transaction is active'."""
    if conn.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
