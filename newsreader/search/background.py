"""Building or catching up the search index in a child process, so the caller's interpreter stays free.

A build of 100,000 articles is seconds of Python (signatures, folding, SQLite rows) that holds the
GIL in whatever thread runs it: in the reading app's process every keypress then waits behind it
(README, "Scale"). The index is files on disk under a lock of its own, safe with other processes,
so a child (``python -m newsreader.search.background LIBRARY``) builds it and the caller's
``SearchIndex`` reads what it committed (tantivy reloads before every search; SQLite sees the commit).

The child reports on stdout, one JSON array a line: ``["progress", done, total, label]``,
``["log", level, message]`` and, for a failure the user should see, ``["error", message]`` (exit 1).
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO, TYPE_CHECKING

from newsreader.errors import NewsreaderError, StoreError

if TYPE_CHECKING:
    from newsreader.search.index import ProgressCallback, SearchIndex

log = logging.getLogger(__name__)

POLL = 0.05
"""Seconds between looks at the caller's cancel event while the child works."""


def sync_in_child(
    index: SearchIndex,
    *,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> None:
    """Bring ``index`` up to date with its store in a child process; nothing is spawned when it is
    already (a stat and one SQLite row) or when the library holds nothing yet.

    Cancelling stops the child: its open transaction is never committed, so the index stays as it was.

    Raises:
        StoreError: the child could not update the index (its one-line reason).
    """
    from newsreader.search.index import stamp_of

    if stamp_of(index.store) is None or index.in_sync():
        return
    command = [sys.executable, "-m", "newsreader.search.background", str(Path(index.store.path))]
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors, text=True
        )
        assert child.stdout is not None
        failure: list[str] = []
        reader = threading.Thread(
            target=_read_reports, args=(child.stdout, progress, failure), name="index-child", daemon=True
        )
        reader.start()
        if cancel is None:
            child.wait()
        while child.poll() is None:
            if cancel is not None and cancel.wait(POLL):
                child.terminate()
                child.wait()
                reader.join()
                return
        reader.join()
        if child.returncode == 0:
            return
        if failure:
            raise StoreError(failure[-1])
        errors.seek(0)
        lines = errors.read().decode("utf-8", "replace").strip().splitlines()
        raise StoreError(
            f"cannot update the search index in {index.path}: "
            + (lines[-1] if lines else f"its builder exited with {child.returncode}")
        )


def _read_reports(stream: IO[str], progress: ProgressCallback | None, failure: list[str]) -> None:
    for line in stream:
        try:
            kind, *rest = json.loads(line)
        except (ValueError, TypeError):
            continue
        if kind == "progress" and progress is not None:
            done, total, label = rest
            progress(int(done), int(total), str(label))
        elif kind == "log":
            level, message = rest
            log.log(int(level), "%s", message)
        elif kind == "error":
            failure.append(str(rest[0]))


class _Report(logging.Handler):
    """The child's log records, sent to the parent (its stderr is no place for them: a terminal app)."""

    def emit(self, record: logging.LogRecord) -> None:
        _send("log", record.levelno, record.getMessage())


def _send(*fields: object) -> None:
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    """The child: sync the index of the library at ``argv[0]``."""
    from newsreader.search.index import SearchIndex
    from newsreader.store import Store

    root = logging.getLogger("newsreader")
    root.addHandler(_Report())
    root.setLevel(logging.INFO)
    try:
        index = SearchIndex(Store(Path(argv[0])))
        try:
            index.sync(progress=lambda done, total, label: _send("progress", done, total, label))
        finally:
            index.close()
    except NewsreaderError as exc:
        _send("error", str(exc))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
