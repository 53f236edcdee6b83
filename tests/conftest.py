"""Shared fixtures: real libraries on disk, the repo's sample inputs, and the CLI as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsreader.library import Library

ROOT = Path(__file__).resolve().parent.parent
FEEDS = ROOT / "feeds"
SEED = FEEDS / "000_cbd8846d609ab0f0.txt"
FIXED_NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--runslow", action="store_true", default=False, help="run tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


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
    """Run ``python -m newsreader`` as a user would, in a clean environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSREADER")}
    env["COLUMNS"] = "200"
    argv = [sys.executable, "-m", "newsreader"]
    if library is not None:
        argv += ["--library", str(library)]
    return subprocess.run(
        [*argv, *args], capture_output=True, text=True, env=env, input=input, timeout=120, check=False
    )
