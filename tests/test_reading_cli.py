"""``show ID --markdown`` and ``download ID`` through the real command line."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsreader.library import Library
from tests.conftest import run_cli

AUDIO = b"ID3" + bytes(range(256)) * 64


class _Audio(http.server.BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path != "/ep40.mp3":
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "audio/mpeg")
        self.send_header("Content-Length", str(len(AUDIO)))
        self.end_headers()
        self.wfile.write(AUDIO)


@pytest.fixture
def audio_base() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Audio)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def _podcast_library(tmp_path: Path, base: str) -> tuple[Path, str]:
    feed = tmp_path / "cast.rss"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Cast</title><link>https://e.org/</link>'
        "<item><guid>ep40</guid><title>Episode *40*</title>"
        "<description>&lt;p&gt;Tides.&lt;/p&gt;</description>"
        f'<enclosure url="{base}/ep40.mp3" type="audio/mpeg" length="{len(AUDIO)}"/>'
        f'<enclosure url="{base}/gone.mp3" type="audio/mpeg"/></item>'
        "<item><guid>plain</guid><title>No audio</title><description>Text.</description></item>"
        "</channel></rss>"
    )
    lib = tmp_path / "lib"
    library = Library(lib)
    library.import_paths([feed])
    (lib / "settings.toml").write_text(f'download_dir = "{tmp_path / "dl"}"\n')
    episode = next(a for a in library.articles() if a.title.startswith("Episode"))
    return lib, episode.id


def test_show_markdown(tmp_path: Path) -> None:
    lib, article_id = _podcast_library(tmp_path, "https://cdn.example.org")
    result = run_cli("show", article_id, "--markdown", library=lib)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# Episode \\*40\\*\n\n*Cast · ")
    assert "Tides." in result.stdout
    assert "- [ep40.mp3](<https://cdn.example.org/ep40.mp3>) (audio/mpeg, 16.4 KB)" in result.stdout
    both = run_cli("show", article_id, "--markdown", "--json", library=lib)
    assert both.returncode == 1 and "not allowed with" in both.stderr


def test_download_prints_the_path_and_fails_in_one_line(tmp_path: Path, audio_base: str) -> None:
    lib, article_id = _podcast_library(tmp_path, audio_base)
    result = run_cli("download", article_id, library=lib)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "dl" / "ep40.mp3")
    assert (tmp_path / "dl" / "ep40.mp3").read_bytes() == AUDIO
    missing = run_cli("download", article_id, "2", library=lib)
    assert missing.returncode == 1
    assert missing.stderr.count("\n") == 1 and "HTTP 404" in missing.stderr
    out_of_range = run_cli("download", article_id, "3", library=lib)
    assert out_of_range.returncode == 1 and "has 2 enclosure(s), not 3" in out_of_range.stderr
    plain = next(a for a in Library(lib).articles() if a.title == "No audio")
    none = run_cli("download", plain.id, library=lib)
    assert none.returncode == 1 and "has no enclosures" in none.stderr and "Traceback" not in none.stderr


def test_no_match_goes_to_stderr_and_piped_stderr_is_not_wrapped(tmp_path: Path) -> None:
    """Item 9: ``list --unread | wc -l`` counted "no articles match"; piped stderr wrapped at 80."""
    lib, article_id = _podcast_library(tmp_path, "https://cdn.example.org")
    assert run_cli("mark", article_id, "--read", library=lib).returncode == 0
    plain = next(a for a in Library(lib).articles() if a.title == "No audio")
    assert run_cli("mark", plain.id, "--read", library=lib).returncode == 0
    result = run_cli("list", "--unread", library=lib)
    assert result.returncode == 0 and result.stdout == ""
    assert result.stderr.strip() == "no articles match"
    deep = tmp_path / ("a-rather-long-folder-name-" * 9) / "missing-dump-file.txt"
    failed = run_cli("import", str(deep), library=lib)
    lines = [line for line in failed.stderr.splitlines() if line]
    assert any(str(deep) in line for line in lines), failed.stderr


def test_feed_warning_is_shown_and_remove_names_starred_articles(tmp_path: Path) -> None:
    """Item 11: a malformed feed's warning was stored but never shown; ``remove`` deleted starred
    articles without a word."""
    from pytest_httpserver import HTTPServer

    malformed = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Broken</title>'
        b"<item><guid>b1</guid><title>Kept &nbsp; anyway</title><description>Text.</description></item>"
        b"</channel></rss>"
    )
    with HTTPServer(host="127.0.0.1") as server:
        server.expect_request("/feed.xml").respond_with_data(malformed, content_type="application/rss+xml")
        lib = tmp_path / "lib"
        added = run_cli("add", server.url_for("/feed.xml"), library=lib)
        assert added.returncode == 0, added.stderr
        feeds = run_cli("feeds", library=lib)
        assert "warning: malformed feed, entries kept" in feeds.stdout
        (article,) = Library(lib).articles()
        assert run_cli("mark", article.id, "--star", library=lib).returncode == 0
        removed = run_cli("remove", server.url_for("/feed.xml"), library=lib)
        assert removed.returncode == 0, removed.stderr
        assert "1 article removed, 1 of them starred" in removed.stdout
