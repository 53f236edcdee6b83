"""Killing ``newsreader refresh`` (kill -9, SIGTERM) leaves no parse worker behind (issue 9, item 3)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.feed_helpers import feed_server, feed_server_session, rss_doc

__all__ = ["feed_server", "feed_server_session"]  # fixtures, imported for pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")

FAST = 26
SLOW = 4


def _children(pid: int) -> set[int]:
    out: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):  # the task ended meanwhile
            out |= {int(p) for p in task.read_text().split()}
    return out


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie nobody reaps counts as gone: it holds no memory, no pipe)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _wait_for(condition: Callable[[], bool], deadline: float = 20.0) -> bool:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def slow_farm(feed_server: HTTPServer, tmp_path: Path) -> Iterator[Path]:
    """A library subscribed to 26 quick feeds and 4 that hang until the test ends."""
    release = threading.Event()

    def hang(request: Request) -> Response:
        release.wait(30)
        return Response(rss_doc("Slow", [("urn:slow", "Slow")]), content_type="application/rss+xml")

    urls = []
    for n in range(FAST):
        feed_server.expect_request(f"/fast/{n}.xml").respond_with_data(
            rss_doc(f"Fast {n}", [(f"urn:{n}", f"F{n}")]), content_type="application/rss+xml"
        )
        urls.append(feed_server.url_for(f"/fast/{n}.xml"))
    for n in range(SLOW):
        feed_server.expect_request(f"/slow/{n}.xml").respond_with_handler(hang)
        urls.append(feed_server.url_for(f"/slow/{n}.xml"))
    opml = tmp_path / "farm.opml"
    outlines = "".join(f'<outline text="F{i}" xmlUrl="{u}"/>' for i, u in enumerate(urls))
    opml.write_text(f'<opml version="2.0"><body>{outlines}</body></opml>')
    lib = tmp_path / "lib"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSREADER")}
    subprocess.run(
        [sys.executable, "-m", "newsreader", "--library", str(lib), "import", str(opml)],
        check=True,
        capture_output=True,
        env=env,
        timeout=60,
    )
    try:
        yield lib
    finally:
        release.set()


@pytest.mark.slow  # kill -9 / SIGTERM of a child refresh and its parse workers
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
def test_killed_refresh_leaves_no_parse_workers(slow_farm: Path, tmp_path: Path, sig: signal.Signals) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSREADER")}
    # Files, not pipes: an orphaned worker would hold a pipe open and hang the read, not fail it.
    stderr_path = tmp_path / "stderr"
    with stderr_path.open("wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "newsreader", "--library", str(slow_farm), "refresh"],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env=env,
        )
    workers: set[int] = set()
    try:
        # The pool starts with the first downloaded feed; the slow ones keep the refresh running.
        assert _wait_for(lambda: len(_children(proc.pid)) >= 2), "the refresh never started its pool"
        workers = _children(proc.pid)
        proc.send_signal(sig)
        proc.wait(timeout=30)
        assert _wait_for(lambda: not any(_alive(pid) for pid in workers)), (
            f"parse workers outlived refresh: {[p for p in workers if _alive(p)]}"
        )
        if sig == signal.SIGTERM:  # cleaned up like Ctrl-C: one line, no traceback
            err = stderr_path.read_text()
            assert proc.returncode == 128 + signal.SIGTERM, err
            assert err.strip().splitlines() == ["newsreader: terminated"]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid in workers:  # never leave one behind, even when the test fails
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
