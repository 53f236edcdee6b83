"""The read/star mark writer: a write-behind queue saved in order on its own thread.

No Textual here: the screen shows a mark at once and hands it to ``MarkWriter.save``; the writer
calls ``mark(ids, **state)`` (``Library.mark``) in the order the marks were made, so toggling twice
quickly is saved as toggled, and never blocks a keypress. A mark may wait a moment before it is
written (``delay``, opening an article), and later marks queue behind it, so order holds. A bigger
write (``A``: a whole view read) queues as a job with ``run``: it collects its ids and writes on the
writer thread, in order with the marks around it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping

from newsreader.errors import NewsreaderError

log = logging.getLogger(__name__)

Mark = Callable[..., object]
"""``Library.mark``: ``mark(ids, read=..., starred=...)``."""
Write = Callable[[], object]
"""One queued write, run on the writer thread."""


class MarkWriter:
    """Saves read/star marks in order on a writer thread started when marks arrive.

    Args:
        mark: writes one mark (``Library.mark``).
        on_error: called on the writer thread with a write's error (the write is dropped).
        on_drained: called on the writer thread when the queue has emptied after a write.
        on_saved: called on the writer thread with what each write returned (``Library.mark_counted``'s
            change, which the counts shown follow).
        clock: monotonic seconds (replaced in tests).
    """

    def __init__(
        self,
        mark: Mark,
        *,
        on_error: Callable[[NewsreaderError], None] = lambda exc: None,
        on_drained: Callable[[], None] = lambda: None,
        on_saved: Callable[[object], None] = lambda result: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._mark = mark
        self._on_error = on_error
        self._on_drained = on_drained
        self._on_saved = on_saved
        self._clock = clock
        self._queue: deque[tuple[float, Write]] = deque()
        self._lock = threading.Condition()
        self._running = False
        self._closed = False
        self._idle = threading.Event()
        """Set while nothing is queued or being written."""
        self._idle.set()

    def save(self, ids: list[str], state: Mapping[str, bool], *, delay: float = 0.0) -> None:
        """Queue a mark; it is written after ``delay`` seconds, and after every earlier mark."""
        ids, state = list(ids), dict(state)
        self._put(lambda: self._mark(ids, **state), delay)

    def run(self, write: Write) -> None:
        """Queue a write of its own (``A``'s), run on the writer thread after every earlier mark."""
        self._put(write, 0.0)

    def _put(self, write: Write, delay: float) -> None:
        with self._lock:
            if self._closed:
                raise RuntimeError("mark writer is closed")
            self._queue.append((self._clock() + delay, write))
            self._idle.clear()
            if not self._running:
                self._running = True
                threading.Thread(target=self._drain, name="mark-writer", daemon=False).start()
            self._lock.notify_all()

    def hurry(self) -> None:
        """Make every waiting mark due now (a reload is about to read the library)."""
        with self._lock:
            now = self._clock()
            self._queue = deque((min(due, now), write) for due, write in self._queue)
            self._lock.notify_all()

    @property
    def idle(self) -> bool:
        """True when every mark made so far is on disk (or failed)."""
        return self._idle.is_set()

    @property
    def waiting(self) -> bool:
        """True while a delayed mark has not been written yet."""
        with self._lock:
            return bool(self._queue)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until idle; False if ``timeout`` passed first."""
        return self._idle.wait(timeout)

    def close(self) -> None:
        """Write what is still queued now, on the caller's thread (the app is closing)."""
        with self._lock:
            self._closed = True
            left = list(self._queue)
            self._queue.clear()
            self._lock.notify_all()
        for _due, write in left:
            try:
                write()
            except NewsreaderError as exc:  # no screen left to show it on: log it
                log.warning("read mark not saved on exit: %s", exc)

    def _next(self) -> Write | None:
        """The next due mark, waiting for it; None when the queue is empty (the thread ends)."""
        with self._lock:
            while True:
                if not self._queue:
                    self._running = False
                    self._idle.set()
                    return None
                due, write = self._queue[0]
                delay = due - self._clock()
                if delay <= 0:
                    self._queue.popleft()
                    return write
                self._lock.wait(delay)

    def _drain(self) -> None:
        while (write := self._next()) is not None:
            try:
                result = write()
            except NewsreaderError as exc:
                self._on_error(exc)
                continue
            self._on_saved(result)
            with self._lock:
                drained = not self._queue
            if drained:
                self._on_drained()
