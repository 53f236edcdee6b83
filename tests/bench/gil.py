"""A probe for how long other threads hold the GIL: a thread that sleeps 1 ms and times its gaps.

A gap much longer than the sleep means the thread could not get the interpreter back: some other
thread held it (a sort, a JSON parse, a long C call). That is a stall of the app's UI thread too,
whatever the machine's load, so the benchmark reports the longest gap per phase beside the p95
(which on a shared machine is mostly the machine).
"""

from __future__ import annotations

import faulthandler
import threading
import time
from types import TracebackType
from typing import IO

SLEEP = 0.001


class GilProbe:
    """``with GilProbe() as probe: ...``; ``probe.longest`` is the longest gap since ``reset()``."""

    def __init__(self, *, dump_after: float | None = None, dump_to: IO[str] | None = None) -> None:
        """``dump_after``: seconds of a gap after which every thread's stack is written to ``dump_to``
        (``faulthandler``, from C: it shows who held the interpreter; for finding a stall's cause)."""
        self.longest = 0.0
        self._dump = (dump_after, dump_to) if dump_after and dump_to else None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="gil-probe", daemon=True)

    def __enter__(self) -> GilProbe:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()

    def reset(self) -> float:
        """The longest gap so far, starting a new phase."""
        longest, self.longest = self.longest, 0.0
        return longest

    def _run(self) -> None:
        clock = time.perf_counter
        last = clock()
        while not self._stop.is_set():
            if self._dump is not None:
                faulthandler.dump_traceback_later(self._dump[0], file=self._dump[1])
            time.sleep(SLEEP)
            if self._dump is not None:
                faulthandler.cancel_dump_traceback_later()
            now = clock()
            gap = now - last - SLEEP
            if gap > self.longest:
                self.longest = gap
            last = now
