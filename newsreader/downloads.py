"""The download queue: podboat's job. Enclosures are fetched one at a time into a folder, resumably.

A download writes ``NAME.part`` and renames it to ``NAME`` once complete, so a file under its own name is
always whole. Started again (after a crash, a lost connection, a closed app), it asks the server for the
rest with ``Range: bytes=N-``; a server that answers 200 instead of 206 sends the whole file, which then
replaces the partial one. Plain synchronous httpx: the TUI runs the queue in a thread worker and the CLI
runs it in the foreground, both with a progress callback.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from newsreader.errors import NewsreaderError

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:]+")


class DownloadError(NewsreaderError):
    """A download failed; its ``.part`` file is kept so the next attempt resumes."""


class State(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(slots=True)
class Download:
    """One queued file and how far it got. Mutated by the worker; read by whoever shows progress."""

    url: str
    path: Path
    done: int = 0
    total: int | None = None
    state: State = State.QUEUED
    error: str | None = None

    @property
    def percent(self) -> int | None:
        return min(100, self.done * 100 // self.total) if self.total else None

    def describe(self) -> str:
        """One line for a status bar: ``ep40.mp3 42%`` / ``ep40.mp3 done`` / ``ep40.mp3 failed: ...``."""
        if self.state is State.RUNNING:
            pct = self.percent
            return (
                f"{self.path.name} {pct}%" if pct is not None else f"{self.path.name} {self.done // 1024} KiB"
            )
        if self.state is State.FAILED:
            return f"{self.path.name} failed: {self.error}"
        return f"{self.path.name} {self.state}"


Progress = Callable[[Download], None]


def safe_file_name(name: str) -> str:
    """A URL's last segment as a file name in the download folder: no separators, control characters or
    leading dots (``../../x`` or ``.bashrc`` stay inside the folder and visible)."""
    cleaned = _UNSAFE.sub("_", name).strip().lstrip(".")
    return cleaned[:200] or "download"


def fetch(item: Download, *, progress: Progress | None = None, timeout: float = 30.0) -> Path:
    """Download ``item.url`` to ``item.path``, resuming a ``.part`` file left by an earlier attempt.

    Raises:
        DownloadError: network error, HTTP error status, or a body cut short (the part file stays).
    """
    import httpx

    if item.path.exists():  # complete files are renamed into place, so this one is whole
        item.state, item.done = State.DONE, item.path.stat().st_size
        item.total = item.done
        _notify(progress, item)
        return item.path
    part = item.path.with_name(item.path.name + ".part")
    item.path.parent.mkdir(parents=True, exist_ok=True)
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    item.state, item.error = State.RUNNING, None
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=True) as client,
            client.stream("GET", item.url, headers=headers) as response,
        ):
            if response.status_code == 416 and have:  # nothing left to send: the part is whole
                return _finish(item, part, progress)
            if response.status_code >= 400:
                raise DownloadError(f"{item.url}: HTTP {response.status_code}")
            resumed = response.status_code == 206 and have > 0
            length = response.headers.get("content-length")
            remaining = int(length) if length and length.isdigit() else None
            item.done = have if resumed else 0
            item.total = item.done + remaining if remaining is not None else None
            _notify(progress, item)
            with part.open("ab" if resumed else "wb") as out:
                for chunk in response.iter_bytes():  # as received: a cut keeps every byte
                    out.write(chunk)
                    item.done += len(chunk)
                    _notify(progress, item)
    except httpx.HTTPError as exc:
        item.state, item.error = State.FAILED, _reason(exc)
        _notify(progress, item)
        raise DownloadError(f"{item.url}: {item.error} (resumes from {_size(part)} next time)") from exc
    except DownloadError as exc:
        item.state, item.error = State.FAILED, str(exc)
        _notify(progress, item)
        raise
    except OSError as exc:
        item.state, item.error = State.FAILED, f"cannot write {part}: {exc.strerror or exc}"
        _notify(progress, item)
        raise DownloadError(item.error) from exc
    return _finish(item, part, progress)


def _finish(item: Download, part: Path, progress: Progress | None) -> Path:
    os.replace(part, item.path)
    item.state = State.DONE
    item.done = item.path.stat().st_size
    item.total = item.done
    _notify(progress, item)
    return item.path


def _size(path: Path) -> str:
    try:
        return f"{path.stat().st_size} bytes"
    except OSError:
        return "0 bytes"


def _reason(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def _notify(progress: Progress | None, item: Download) -> None:
    if progress is not None:
        progress(item)


class DownloadQueue:
    """Files waiting to download into ``folder``, fetched one at a time by :meth:`run`.

    ``add`` is safe from any thread; ``run`` is meant for one worker thread and returns when the queue is
    empty. A URL already queued, running or done is not added twice.
    """

    def __init__(self, folder: Path, *, progress: Progress | None = None, timeout: float = 30.0) -> None:
        self.folder = Path(folder)
        self.progress = progress
        self.timeout = timeout
        self.items: list[Download] = []
        self._lock = threading.Lock()

    def add(self, url: str, file_name: str) -> Download:
        with self._lock:
            for item in self.items:
                if item.url == url and item.state is not State.FAILED:
                    return item
            item = Download(url=url, path=self.folder / safe_file_name(file_name))
            for other in self.items:
                if other.path == item.path and other.url != url:  # same name, other file: keep both
                    item.path = item.path.with_name(f"{len(self.items)}-{item.path.name}")
            self.items.append(item)
            return item

    def _next(self) -> Download | None:
        """The next queued item, taken (marked running) under the lock so two runners never share one."""
        with self._lock:
            item = next((i for i in self.items if i.state is State.QUEUED), None)
            if item is not None:
                item.state = State.RUNNING
            return item

    def run(self) -> list[Download]:
        """Fetch queued items until none is left; failures are recorded on the item, never raised."""
        finished: list[Download] = []
        while (item := self._next()) is not None:
            with contextlib.suppress(DownloadError):  # recorded on the item (state FAILED, error set)
                fetch(item, progress=self.progress, timeout=self.timeout)
            finished.append(item)
        return finished
