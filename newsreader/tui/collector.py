"""Python's cycle collector held off while a worker loads a big list, then told to leave it be.

A full collection walks every object the process holds; with 100,000 headlines loaded that is
millions, and it runs holding the interpreter: 50-320 ms at a time while a list loads (measured with
``gc.callbacks``), every key waiting. What a load makes (records, Articles, tuples) has no cycles, so
reference counting frees it; the collector is paused for the load, and what is alive after it is
frozen (``gc.freeze``) out of later collections. The price: a cycle among those frozen objects that
becomes garbage later is not collected (the app's rows and records hold none).
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Callable, Iterator

_lock = threading.Lock()
_loading = 0
_sweep = False


@contextlib.contextmanager
def quiet_collector(*, sweep: bool = False) -> Iterator[None]:
    """No cycle collection inside (in any thread: the collector is the process's); on leaving the
    last such block, what is alive is frozen and collection resumes.

    ``sweep``: the work makes cycles (a refresh's event loop, futures, tracebacks): the young
    generations are collected before the freeze, so they are not kept for good (~4 ms after a
    refresh into 100,000 articles, where the full collections it set off took 40-48 ms each)."""
    release = hold_collector(sweep=sweep)
    try:
        yield
    finally:
        release()


def hold_collector(*, sweep: bool = False) -> Callable[[], None]:
    """``quiet_collector`` for work spread over several callbacks (``A`` turning 100,000 rows read in
    slices between frames, whose new rows set off full collections of 25-70 ms): collection is held
    off until the function returned is called (once; later calls do nothing)."""
    global _loading, _sweep
    with _lock:
        _loading += 1
        _sweep = _sweep or sweep
        if _loading == 1:
            gc.disable()
    released = False

    def release() -> None:
        global _loading, _sweep
        nonlocal released
        with _lock:
            if released:
                return
            released = True
            _loading -= 1
            if _loading == 0:
                if _sweep:
                    _sweep = False
                    gc.collect(1)  # what was made while held is all young: only it is walked
                gc.freeze()
                gc.enable()

    return release
