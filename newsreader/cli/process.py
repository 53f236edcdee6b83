"""One command as a process: SIGTERM unwinds like Ctrl-C, errors become one line and an exit code."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any, NoReturn

from newsreader.cli._common import _line
from newsreader.errors import NewsreaderError


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so it unwinds (and stops its workers) like Ctrl-C."""


TEARDOWN_SECONDS = 3.0
"""How long unwinding after SIGTERM may take (closing sockets to a hung server, stopping the pool)."""


def _raise_terminated(signum: int, frame: Any) -> None:
    import threading

    # Unwinding waits on whatever the command was waiting on; a hung server must not keep a
    # terminated process alive. Past the deadline, go at once: workers die with their parent
    # (PR_SET_PDEATHSIG), the kernel drops the lock, and every store write is atomic.
    timer = threading.Timer(TEARDOWN_SECONDS, _exit_now, args=(128 + 15, "newsreader: terminated"))
    timer.daemon = True
    timer.start()
    raise _Terminated


def _exit_now(code: int, message: str | None = None) -> NoReturn:
    """Leave without interpreter teardown: native threads (HTTP, parsers) cannot crash or hang it."""
    if message:
        with contextlib.suppress(OSError, ValueError):
            print(message, file=sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


@contextlib.contextmanager
def _sigterm_interrupts(enabled: bool) -> Iterator[None]:
    """SIGTERM cleans up like SIGINT for the duration of one command (main thread only)."""
    import signal
    import threading

    if not enabled or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    unraisable = sys.unraisablehook

    def swallowed(info: Any) -> None:
        # The signal landed in a finaliser, which Python cannot unwind: go now instead of going on.
        if isinstance(info.exc_value, _Terminated):
            _exit_now(128 + 15, "newsreader: terminated")
        unraisable(info)

    sys.unraisablehook = swallowed
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        sys.unraisablehook = unraisable


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.handler(args))
    except NewsreaderError as exc:
        print(f"newsreader: error: {_line(exc)}", file=sys.stderr)
        return 1
    except _Terminated:
        _exit_now(128 + 15, "newsreader: terminated")
    except KeyboardInterrupt:
        print("newsreader: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `newsreader list | head`: the reader went away; that is not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:
        if os.environ.get("NEWSREADER_DEBUG"):
            raise
        print(
            f"newsreader: internal error: {type(exc).__name__}: {_line(exc)}"
            " (set NEWSREADER_DEBUG=1 to see the traceback, and please report it)",
            file=sys.stderr,
        )
        return 2
