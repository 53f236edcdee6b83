"""Shared fixtures: real libraries on disk, the repo's sample inputs, and the CLI.

Tests marked ``slow`` (the long ones: real full disks, 100k-row scale, kill -9 in a big import,
benchmark smokes, the real sync servers) run in ``make test-slow``, the rest in ``make test``; a bare
``pytest`` runs both, as ``make test-all`` and CI do.
"""

from __future__ import annotations

import gc
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsreader.library import Library
from tests.cli_support import invoke, spawn

ROOT = Path(__file__).resolve().parent.parent
FEEDS = ROOT / "feeds"
SEED = FEEDS / "000_cbd8846d609ab0f0.txt"
FIXED_NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def pytest_configure(config: pytest.Config) -> None:
    """Let Pilot's idle check look every 2 ms instead of every 20 ms.

    Every ``pilot.press`` waits for the app to be idle twice per key, and Textual decides "idle" by
    sleeping 20 ms and seeing little CPU spent: ~40 ms of nothing a key, ~0.7 s of an 11-key test. The
    check keeps its meaning (little CPU across a sleep) at a tenth of the wait; no test depends on it
    for correctness, they wait on conditions (``tui_support.settle`` / ``until``).
    """
    import textual._wait

    textual._wait.SLEEP_GRANULARITY = 0.002


def pytest_collection_finish(session: pytest.Session) -> None:
    """Keep the garbage collector's bill small; no test depends on when it runs.

    Freeze what collection loaded (modules, test functions) out of its view: the in-process CLI
    (tests/cli_support.py) collects after every command, which over a worker's whole heap costs ~0.1 s
    instead of ~10 ms. And collect the young generation less often: the Pilot tests allocate fast, and at
    the default threshold (700) a worker spent ~19% of test_tui_app.py's CPU in 5,000 collections (41
    of them full); at 10,000 it runs ~550, 4 of them full.
    """
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


@pytest.fixture
def anyio_backend() -> str:
    """Pilot tests run on asyncio (Textual's loop), never on trio."""
    return "asyncio"


@pytest.fixture
def library(tmp_path: Path) -> Library:
    """An empty library with a fixed clock."""
    lib = Library(tmp_path / "lib")
    lib.now = lambda: FIXED_NOW  # type: ignore[method-assign]
    return lib


@pytest.fixture
def seeded(library: Library) -> Library:
    """A library with the seed dump imported."""
    report = library.import_paths([SEED])
    assert report.new == 5
    return library


def run_cli(
    *args: str, library: Path | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``newsreader ARGS`` as a user would run it, in a clean environment (``COLUMNS=200``, no
    ``NEWSREADER*``), run in this process (tests/cli_support.py says what stays a real child)."""
    return invoke(*args, library=library, input=input)


def run_cli_process(
    *args: str, library: Path | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """:func:`run_cli` in a real child ``python -m newsreader``, for what only a process shows."""
    return spawn(*args, library=library, input=input)
