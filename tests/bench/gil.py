"""A probe for how long other threads hold the GIL: a thread that sleeps 1 ms and times its gaps.

A gap much longer than the sleep means the thread could not get the interpreter back: some other
thread held it (a sort, a JSON parse, a long C call). That is a stall of the app's UI thread too,
whatever the machine's load, so the benchmark reports the longest gap per phase beside the p95
(which on a shared machine is mostly the machine).

On a loaded machine a gap is also the time the process was not running at all (load 7 on two
cores made gaps of 600 ms with nothing holding the interpreter), so a gap counts only for as long
as the process spent CPU in it: ``longest`` is the longest gap capped at the process's CPU time over
it, ``longest_wall`` the plain gap.
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
        self.longest_wall = 0.0
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
        """The longest gap so far (capped at the process's CPU time over it), starting a new phase."""
        longest, self.longest, self.longest_wall = self.longest, 0.0, 0.0
        return longest

    def _run(self) -> None:
        clock, cpu = time.perf_counter, time.process_time
        last, last_cpu = clock(), cpu()
        while not self._stop.is_set():
            if self._dump is not None:
                faulthandler.dump_traceback_later(self._dump[0], file=self._dump[1])
            time.sleep(SLEEP)
            if self._dump is not None:
                faulthandler.cancel_dump_traceback_later()
            now, now_cpu = clock(), cpu()
            gap = now - last - SLEEP
            self.longest_wall = max(self.longest_wall, gap)
            self.longest = max(self.longest, min(gap, now_cpu - last_cpu))
            last, last_cpu = now, now_cpu
