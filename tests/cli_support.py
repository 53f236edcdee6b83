"""The CLI as a test calls it: in this process by default, in a child process where that is the point.

A child ``python -m newsreader`` costs ~0.3 s of CPU (interpreter start and imports) for a command that
itself takes milliseconds, and the suite ran hundreds of them. :func:`invoke` runs ``newsreader.cli.main``
in the test's process instead, with what a child would have had: its own environment (``$TZ`` applied
with ``tzset``), working folder, standard streams that are pipes (not terminals), Python's default
warning filters with warnings printed on its stderr, ``SystemExit`` turned into the exit code, and
what the child's exit would have closed collected afterwards. It
returns the same ``CompletedProcess`` as ``subprocess.run``, so an assertion reads the same either way.

Keep :func:`spawn` (a real child) for what only a process shows: signals, ``kill -9``, ttys, start-up and
imports, ``os.environ`` read at import time, argv bytes that are not UTF-8, pipes closed early, and two
processes contending for a lock.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path


def clean_env(*, columns: str | None = "200", **extra: str) -> dict[str, str]:
    """The test process's environment without ``NEWSREADER*`` variables, with ``COLUMNS`` (unless
    ``None``: then as inherited) and ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSREADER")}
    if columns is not None:
        env["COLUMNS"] = columns
    env.update(extra)
    return env


def argv(*args: str | bytes | Path, library: Path | str | None = None) -> list[str | bytes]:
    """``newsreader [--library LIB] ARGS`` as a list (without the interpreter)."""
    head: list[str | bytes] = ["--library", str(library)] if library is not None else []
    return [*head, *(str(a) if isinstance(a, Path) else a for a in args)]


def spawn(
    *args: str | bytes | Path,
    library: Path | str | None = None,
    input: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    errors: str = "strict",
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """``python -m newsreader ARGS`` in a child process (``env`` defaults to :func:`clean_env`)."""
    return subprocess.run(
        [sys.executable, "-m", "newsreader", *argv(*args, library=library)],
        capture_output=True,
        text=True,
        errors=errors,
        input=input,
        env=dict(clean_env() if env is None else env),
        cwd=cwd,
        timeout=timeout,
        check=False,
    )


def invoke(
    *args: str | Path,
    library: Path | str | None = None,
    input: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    errors: str = "strict",
) -> subprocess.CompletedProcess[str]:
    """``newsreader ARGS`` run by ``newsreader.cli.main`` in this process, as :func:`spawn` would run it."""
    from newsreader.cli import main

    words = [str(a) for a in argv(*args, library=library)]
    stdout = _pipe("surrogateescape")  # what a child's streams are on a UTF-8 locale
    stderr = _pipe("backslashreplace")
    stdin = io.TextIOWrapper(io.BytesIO((input or "").encode("utf-8")), encoding="utf-8")
    with (
        _environment(clean_env() if env is None else env),
        _cwd(cwd),
        _streams(stdin, stdout, stderr),
        warnings.catch_warnings(),
    ):
        warnings.resetwarnings()
        for action, category in _DEFAULT_WARNING_FILTERS:
            warnings.simplefilter(action, category)  # type: ignore[arg-type]
        try:
            code: object = main(words)
        except SystemExit as exc:  # argparse: --help, --version, usage errors
            code = exc.code
        if isinstance(code, str):  # SystemExit("message"): printed, exit 1
            print(code, file=sys.stderr)
            code = 1
        stdout.flush()
        stderr.flush()
    # What the child's exit would have released: objects in reference cycles (an SQLite connection of
    # the search index keeps its WAL until closed, and a read-only disk then refuses to open it).
    # Cheap because conftest freezes what was loaded at collection (gc.freeze).
    gc.collect()
    return subprocess.CompletedProcess(
        ["newsreader", *words],
        0 if code is None else int(code),  # type: ignore[call-overload]
        _text(stdout, errors),
        _text(stderr, errors),
    )


# Python's own filters for a program run with no -W options (``python -W help``): a child prints
# these warnings on stderr, so a test that wants stderr empty sees them in-process too.
_DEFAULT_WARNING_FILTERS = [
    ("default", Warning),
    ("ignore", DeprecationWarning),
    ("ignore", PendingDeprecationWarning),
    ("ignore", ImportWarning),
    ("ignore", ResourceWarning),
]


def _pipe(errors: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors=errors, newline="\n", write_through=True)


def _text(stream: io.TextIOWrapper, errors: str) -> str:
    raw = stream.buffer
    assert isinstance(raw, io.BytesIO)
    # As ``subprocess.run(text=True)`` reads a pipe: universal newlines (``\r\n`` and ``\r`` become ``\n``).
    return raw.getvalue().decode("utf-8", errors).replace("\r\n", "\n").replace("\r", "\n")


@contextlib.contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    time.tzset()  # $TZ as the child would read it at start
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        time.tzset()


@contextlib.contextmanager
def _cwd(folder: Path | None) -> Iterator[None]:
    if folder is None:
        yield
        return
    saved = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(saved)


@contextlib.contextmanager
def _streams(stdin: io.TextIOWrapper, stdout: io.TextIOWrapper, stderr: io.TextIOWrapper) -> Iterator[None]:
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = stdin, stdout, stderr
    try:
        yield
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
