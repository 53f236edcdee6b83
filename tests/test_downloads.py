"""The download queue against a real HTTP server on loopback that honours (or ignores) Range."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from newsreader.downloads import Download, DownloadError, DownloadQueue, State, fetch, safe_file_name

PAYLOAD = bytes(range(256)) * 1024  # 256 KiB, every offset distinguishable


@dataclass
class Behaviour:
    ranges: bool = True
    cut_after: int | None = None
    """Send only this many bytes of the next response, then close the connection."""
    requests: list[str | None] = field(default_factory=list)


def _handler(behaviour: Behaviour) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if self.path == "/missing.mp3":
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            header = self.headers.get("Range")
            behaviour.requests.append(header)
            start = 0
            if header and behaviour.ranges:
                start = int(header.removeprefix("bytes=").rstrip("-"))
                if start >= len(PAYLOAD):
                    self.send_response(416)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(PAYLOAD) - 1}/{len(PAYLOAD)}")
            else:
                self.send_response(200)
            body = PAYLOAD[start:]
            self.send_header("Content-Type", "audio/mpeg")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if behaviour.cut_after is not None:
                self.wfile.write(body[: behaviour.cut_after])
                self.wfile.flush()
                behaviour.cut_after = None
                self.close_connection = True
                return
            self.wfile.write(body)

    return Handler


@pytest.fixture
def server() -> Iterator[tuple[str, Behaviour]]:
    behaviour = Behaviour()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(behaviour))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", behaviour
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_download_reports_progress_and_lands_whole(tmp_path: Path, server: tuple[str, Behaviour]) -> None:
    base, _ = server
    seen: list[tuple[int, int | None, State]] = []
    item = Download(url=f"{base}/ep40.mp3", path=tmp_path / "ep40.mp3")
    fetch(item, progress=lambda d: seen.append((d.done, d.total, d.state)))
    assert (tmp_path / "ep40.mp3").read_bytes() == PAYLOAD
    assert not (tmp_path / "ep40.mp3.part").exists()
    dones = [done for done, _, _ in seen]
    assert dones == sorted(dones) and seen[-1] == (len(PAYLOAD), len(PAYLOAD), State.DONE)
    assert item.describe() == "ep40.mp3 done"


def test_interrupted_download_resumes_with_range(tmp_path: Path, server: tuple[str, Behaviour]) -> None:
    base, behaviour = server
    behaviour.cut_after = 100_000
    item = Download(url=f"{base}/ep40.mp3", path=tmp_path / "ep40.mp3")
    with pytest.raises(DownloadError, match="resumes from 100000 bytes"):
        fetch(item)
    assert item.state is State.FAILED and not item.path.exists()
    assert (tmp_path / "ep40.mp3.part").stat().st_size == 100_000
    again = Download(url=item.url, path=item.path)
    fetch(again)
    assert behaviour.requests == [None, "bytes=100000-"]
    assert item.path.read_bytes() == PAYLOAD


def test_server_without_range_restarts_cleanly(tmp_path: Path, server: tuple[str, Behaviour]) -> None:
    base, behaviour = server
    behaviour.ranges = False
    (tmp_path / "ep40.mp3.part").write_bytes(b"stale partial bytes")
    fetch(Download(url=f"{base}/ep40.mp3", path=tmp_path / "ep40.mp3"))
    assert (tmp_path / "ep40.mp3").read_bytes() == PAYLOAD


def test_complete_part_file_is_finished_on_416(tmp_path: Path, server: tuple[str, Behaviour]) -> None:
    base, _ = server
    (tmp_path / "ep40.mp3.part").write_bytes(PAYLOAD)
    fetch(Download(url=f"{base}/ep40.mp3", path=tmp_path / "ep40.mp3"))
    assert (tmp_path / "ep40.mp3").read_bytes() == PAYLOAD


def test_queue_runs_in_order_records_failures_and_dedupes(
    tmp_path: Path, server: tuple[str, Behaviour]
) -> None:
    base, _ = server
    states: list[str] = []
    queue = DownloadQueue(tmp_path / "dl", progress=lambda d: states.append(d.describe()))
    first = queue.add(f"{base}/missing.mp3", "missing.mp3")
    second = queue.add(f"{base}/ep40.mp3", "ep40.mp3")
    assert queue.add(f"{base}/ep40.mp3", "ep40.mp3") is second
    assert queue.run() == [first, second]
    assert first.state is State.FAILED and "HTTP 404" in (first.error or "")
    assert second.state is State.DONE and second.path.read_bytes() == PAYLOAD
    assert states[-1] == "ep40.mp3 done"


def test_file_names_stay_inside_the_folder() -> None:
    assert safe_file_name("../../etc/passwd") == "_.._etc_passwd"
    assert safe_file_name(".bashrc") == "bashrc"
    assert safe_file_name("ep\x1b[31m.mp3") == "ep_[31m.mp3"
    assert safe_file_name("") == "download"
