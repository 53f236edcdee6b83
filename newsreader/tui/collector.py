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
from collections.abc import Iterator

_lock = threading.Lock()
_loading = 0


@contextlib.contextmanager
def quiet_collector() -> Iterator[None]:
    """No cycle collection inside (in any thread: the collector is the process's); on leaving the
    last such block, what is alive is frozen and collection resumes."""
    global _loading
    with _lock:
        _loading += 1
        if _loading == 1:
            gc.disable()
    try:
        yield
    finally:
        with _lock:
            _loading -= 1
            if _loading == 0:
                gc.freeze()
                gc.enable()
