"""Article extraction: F1, precision and recall on real news pages, and pages per second.

Scores each engine on ``../shared/corpora/article-pages`` (99 pages with their true bodies; scoring
in ``scoring.py``): newsreader's extractor against trafilatura alone (fast and full mode, comments
off) and readability-lxml where installed. Speed is CPU time over the same pages, so load from
other processes on the machine does not count. newsreader's text is scored without its ``[n]``
link references (presentation, not words of the article). Target (issue 12): F1 >= 0.96.
The refresh rows time ``newsreader refresh`` of a local feed whose new summary-only items link to
local copies of the corpus pages, with full text off and on. ``quick`` scores 5 pages with
newsreader only and refreshes 2 (a smoke test); without the corpus the benchmark says so and skips.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.bench.scoring import PageScore, score_corpus, score_page
from tests.bench.table import Row, print_table, verdict

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpora" / "article-pages"
TARGET = 0.96
_REFERENCE = re.compile(r" \[\d+\]")

Engine = Callable[[bytes, str], str]


def load_corpus(limit: int | None = None) -> list[tuple[str, bytes, str, str]]:
    """``(key, html, url, true body)`` for each page of the corpus (empty when it is missing)."""
    truth_file = CORPUS / "truth.json"
    if not truth_file.exists():
        return []
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    keys = sorted(truth)[:limit]
    return [
        (
            key,
            gzip.decompress((CORPUS / "html" / f"{key}.html.gz").read_bytes()),
            truth[key].get("url", ""),
            truth[key]["articleBody"],
        )
        for key in keys
    ]


def newsreader_text(html: bytes, url: str) -> str:
    from newsreader.extract import extract

    page = extract(html, url)
    return _REFERENCE.sub("", page.body) if page else ""


def _trafilatura(fast: bool) -> Engine | None:
    try:
        import trafilatura
    except ImportError:
        return None

    def run(html: bytes, url: str) -> str:
        return trafilatura.extract(html, url=url, fast=fast, include_comments=False) or ""

    return run


def _readability() -> Engine | None:
    try:
        import lxml.html
        from readability import Document
    except ImportError:
        return None

    def run(html: bytes, url: str) -> str:
        summary = Document(html, url=url).summary(html_partial=True)
        return "\n".join(lxml.html.fromstring(summary).itertext())

    return run


def engines() -> dict[str, Engine | None]:
    return {
        "newsreader (trafilatura fast + pruning + links)": newsreader_text,
        "trafilatura 2.x fast=True, no comments": _trafilatura(True),
        "trafilatura 2.x fast=False, no comments": _trafilatura(False),
        "readability-lxml": _readability(),
    }


def run_engine(engine: Engine, pages: list[tuple[str, bytes, str, str]]) -> tuple[list[PageScore], float]:
    """Each page's score, and the CPU seconds the engine took for all of them."""
    engine(pages[0][1], pages[0][2])  # first call pays the imports, not the pages
    scores = []
    cpu = 0.0
    for _key, html, url, truth in pages:
        started = time.process_time()
        text = engine(html, url)
        cpu += time.process_time() - started
        scores.append(score_page(truth, text))
    return scores, cpu


class _Site:
    """A local site on 127.0.0.1: ``/feed.xml`` lists the first ``items`` pages as summary-only
    items, ``/page/N`` serves page N of the corpus as text/html."""

    def __init__(self, pages: list[tuple[str, bytes, str, str]]) -> None:
        import http.server
        import threading

        self.pages = pages
        self.items = 0
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/feed.xml":
                    body, kind = site.feed(), "application/rss+xml"
                elif (
                    self.path.startswith("/page/")
                    and self.path[6:].isdigit()
                    and int(self.path[6:]) < len(site.pages)
                ):
                    body, kind = site.pages[int(self.path[6:])][1], "text/html"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def feed(self) -> bytes:
        items = "".join(
            f"<item><guid>p{n}</guid><title>Page {n}</title><link>{self.url}/page/{n}</link>"
            f"<description>The first words of page {n} …</description></item>"
            for n in range(self.items)
        )
        channel = f"<channel><title>Pages</title>{items}</channel>"
        return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'.encode()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _refresh_seconds(site: _Site, folder: Path, full_text: bool) -> tuple[float, str]:
    """``newsreader refresh`` of the site's feed, its items new, as a fresh process; (seconds, output)."""
    import subprocess

    base = [sys.executable, "-m", "newsreader", "--library", str(folder)]
    site.items = 0
    add = [*base, "add", f"{site.url}/feed.xml", *(["--full-text"] if full_text else [])]
    subprocess.run(add, check=True, capture_output=True, cwd=ROOT, timeout=600)
    site.items = len(site.pages)
    started = time.perf_counter()
    done = subprocess.run(
        [*base, "refresh"], check=True, capture_output=True, text=True, cwd=ROOT, timeout=600
    )
    return time.perf_counter() - started, done.stdout.strip()


def refresh_rows(pages: list[tuple[str, bytes, str, str]]) -> list[Row]:
    """A refresh whose new items link to local copies of the corpus pages: full text off vs on."""
    import tempfile

    site = _Site(pages)
    try:
        with tempfile.TemporaryDirectory(prefix="nr-bench-fulltext-") as tmp:
            off, _ = _refresh_seconds(site, Path(tmp) / "off", full_text=False)
            on, _ = _refresh_seconds(site, Path(tmp) / "on", full_text=True)
            from newsreader.library import Library

            stored = sum(1 for a in Library(Path(tmp) / "on").articles() if not a.truncated)
    finally:
        site.close()
    label = f"refresh, {len(pages)} new summary-only items"
    return [
        (f"{label}, full text off", f"{off:.2f} s", "-", "-"),
        (f"{label}, full text on ({stored} pages stored)", f"{on:.2f} s", "-", "-"),
        ("full text on / off", f"{on / off:.1f}x", "-", "-"),
    ]


def main(quick: bool = False) -> list[Row]:
    pages = load_corpus(5 if quick else None)
    if not pages:
        print(f"corpus missing ({CORPUS}): extraction benchmark skipped")
        return [("extraction (corpus missing)", "n/a", f">= {TARGET}", "n/a")]
    rows: list[Row] = []
    for name, engine in engines().items():
        if quick and not name.startswith("newsreader"):
            continue  # the smoke test runs newsreader's own code only
        if engine is None:
            print(f"{name}: not installed, skipped")
            continue
        scores, cpu = run_engine(engine, pages)
        score = score_corpus(scores)
        rate = len(pages) / cpu if cpu else float("inf")
        label = f"{name}, {len(pages)} pages"
        ours = name.startswith("newsreader")
        target = f">= {TARGET}" if ours and not quick else "-"
        ok = verdict(score.f1 >= TARGET) if ours and not quick else "-"
        rows.append((f"{label}: F1", f"{score.f1:.3f}", target, ok))
        rows.append((f"{label}: precision / recall", f"{score.precision:.3f} / {score.recall:.3f}", "-", "-"))
        rows.append((f"{label}: pages per CPU second", f"{rate:.1f}", "-", "-"))
    _scores, cpu = run_engine(_without_metadata, pages)
    rows.append(
        (
            f"newsreader, metadata off (fulltext), {len(pages)} pages: pages per CPU second",
            f"{len(pages) / cpu:.1f}",
            "-",
            "-",
        )
    )
    rows += refresh_rows(pages[:2] if quick else pages)
    return print_table(rows)


def _without_metadata(html: bytes, url: str) -> str:
    from newsreader.extract import extract

    page = extract(html, url, metadata=False)
    return _REFERENCE.sub("", page.body) if page else ""


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
