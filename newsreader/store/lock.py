"""One writer at a time: an exclusive OS lock on a file (``library.lock``, ``search.lock``), re-entrant
within a thread.

Readers need no lock (files are replaced atomically). Writers read, modify and write inside the lock,
so a CLI ``import`` and the TUI marking articles read never lose each other's changes. The lock is
filelock's native one (``flock`` on Unix, ``LockFileEx`` on Windows): the kernel releases it when a
process dies, even by ``kill -9``, so it can never be left stale. Where the file system offers no
such lock, acquiring fails with a :class:`StoreError` saying so; it never silently locks nothing.

:class:`FileLock` is the general lock (the search index takes one on ``search.lock``);
:class:`LibraryLock` is the store's, with the holder's pid in its message.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import filelock

from newsreader.errors import StoreError, StoreLockedError

__all__ = ["FileLock", "LibraryLock"]


class FileLock:
    """Process- and thread-exclusive, re-entrant lock on ``path``; ``with lock(): ...`` holds it.

    Args:
        path: the lock file (created, with its folder, on first use; never deleted).
        timeout: seconds to wait for another process (or thread) before ``StoreLockedError``.
        busy: the message of that error.
    """

    def __init__(self, path: Path, timeout: float, *, busy: str | None = None) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self.busy = busy or f"{self.path} is locked by another newsreader process; try again later"
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._lock = filelock.FileLock(
            self.path,
            timeout=max(timeout, 0.0),
            thread_local=False,  # the RLock above already keeps threads apart
            preserve_lock_file=True,  # keep library.lock; also refuses a lock-less "soft" fallback
            on_acquired=self._on_acquired,
        )

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        if not self._thread_lock.acquire(timeout=self.timeout if self.timeout >= 0 else -1):
            raise StoreLockedError(f"{self._what()} is busy in another thread")
        try:
            if self._depth == 0:
                self._acquire()
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._lock.release()
        finally:
            self._thread_lock.release()

    def _what(self) -> str:
        return str(self.path)

    def _acquire(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock.acquire()
        except filelock.Timeout:
            raise StoreLockedError(self._busy_message()) from None
        except NotImplementedError as exc:  # no OS lock here, and we refuse a soft one
            raise StoreError(f"cannot lock {self.path}: this file system has no file locks ({exc})") from exc
        except IsADirectoryError as exc:
            raise StoreError(f"cannot open lock file {self.path}: it is a folder") from exc
        except OSError as exc:
            raise StoreError(f"cannot open lock file {self.path}: {exc.strerror or exc}") from exc

    def _busy_message(self) -> str:
        return self.busy

    def _on_acquired(self, fd: int) -> None:
        """Record the holder's pid, for the message another process shows while it waits."""
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)

    def holder(self) -> int | None:
        """The pid recorded by the last holder, if any (it may have finished since)."""
        try:
            text = self.path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return int(text) if text.isdigit() else None


class LibraryLock(FileLock):
    """The library folder's write lock (``library.lock``)."""

    def __init__(self, path: Path, timeout: float) -> None:
        super().__init__(path, timeout)

    def _what(self) -> str:
        return f"library {self.path.parent}"

    def _busy_message(self) -> str:
        pid = self.holder()
        holder = f" (pid {pid})" if pid is not None else ""
        return (
            f"library {self.path.parent} is locked by another newsreader process{holder};"
            " try again when it has finished"
        )
