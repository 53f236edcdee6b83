"""``fulltext``: fetching the article behind a feed summary from a real HTTP server on loopback.

The server serves the pages in tests/fixtures/pages (navigation, related links, comments, a
cookie banner, a paywall teaser, a page in German) and some made here: a PDF, a huge page, a
page that never answers, and pages that count how many requests are in flight at once.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from newsreader.errors import UserInputError
from newsreader.extract.fulltext import fetch_full_text
from newsreader.ingest.fetch import Fetcher
from newsreader.library import Library
from tests.conftest import SEED, run_cli

PAGES = Path(__file__).parent / "fixtures" / "pages"
SUMMARY = "The council voted to keep the night ferry …"


def rss(items: list[tuple[str, str, str]]) -> str:
    """An RSS document of summary-only items ``(guid, title, link)``."""
    body = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title><link>{link}</link>"
        f"<description>{SUMMARY}</description></item>"
        for guid, title, link in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Courier</title>{body}</channel></rss>'


def serve_page(server: HTTPServer, path: str, name: str) -> str:
    server.expect_request(path).respond_with_data(
        (PAGES / name).read_bytes(), content_type="text/html; charset=utf-8"
    )
    return server.url_for(path)


def import_items(library: Library, tmp_path: Path, items: list[tuple[str, str, str]]) -> list[str]:
    feed = tmp_path / "courier.rss"
    feed.write_text(rss(items), encoding="utf-8")
    assert library.import_paths([feed]).new == len(items)
    by_title = {a.title: a.id for a in library.articles()}
    return [by_title[title] for _guid, title, _link in items]


@pytest.fixture(scope="module")
def site_server() -> Iterator[HTTPServer]:
    """A threaded server on 127.0.0.1 for this module (a slow handler does not block the others)."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def site(site_server: HTTPServer) -> Iterator[HTTPServer]:
    site_server.clear()
    yield site_server
    site_server.clear()


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set at the end of a test: lets a handler that holds its answer back finish."""
    event = threading.Event()
    yield event
    event.set()


def test_full_text_replaces_the_summary_and_keeps_it_as_excerpt(
    library: Library, site: HTTPServer, tmp_path: Path
) -> None:
    url = serve_page(site, "/news/night-ferry", "article.html")
    [aid] = import_items(library, tmp_path, [("g1", "Night ferry", url)])
    assert library.get(aid).body == SUMMARY and library.get(aid).truncated
    [result] = fetch_full_text(library, [aid])
    assert result.error is None and result.words > 200
    article = library.get(aid)
    assert article.excerpt == SUMMARY
    assert article.body.startswith("The town council of Lindholm voted late on Tuesday")
    assert "## A close vote" in article.body and "regional transport report [1]" in article.body
    assert article.links[0] == "https://transport.example/report-2026.pdf"
    assert article.links[1] == site.url_for("/news/2026/10/harbour-wall")
    assert f"Full text: {url}" in article.credits
    for chrome in ("cookies", "Sport", "Related stories", "seagull77", "All rights reserved"):
        assert chrome not in article.body
    assert not article.truncated
    # Search finds words that only the full text has, and the page is not fetched twice.
    assert [h.article.id for h in library.search("Amundsen")] == [aid]
    requests = len(site.log)
    [again] = fetch_full_text(library, [aid])
    assert again.cached and len(site.log) == requests


def test_failures_are_recorded_and_the_summary_kept(
    library: Library, site: HTTPServer, tmp_path: Path, release: threading.Event
) -> None:
    def slow(_request: Request) -> Response:
        release.wait(10)
        return Response("<html><body><p>late</p></body></html>", content_type="text/html")

    huge = b"<html><body>" + b"<p>" + b"word " * 400_000 + b"</p></body></html>"
    site.expect_request("/pdf").respond_with_data(b"%PDF-1.4 ...", content_type="application/pdf")
    site.expect_request("/huge").respond_with_data(huge, content_type="text/html")
    site.expect_request("/slow").respond_with_handler(slow)
    site.expect_request("/gone").respond_with_data("no", status=404)
    paywall = serve_page(site, "/seabed", "paywall.html")
    items = [
        ("a", "A pdf", site.url_for("/pdf")),
        ("b", "A huge page", site.url_for("/huge")),
        ("c", "A slow page", site.url_for("/slow")),
        ("d", "A missing page", site.url_for("/gone")),
        ("e", "A paywall", paywall),
        ("f", "Not the web", "ftp://files.example/ferry.txt"),
    ]
    ids = import_items(library, tmp_path, items)
    fetcher = Fetcher(concurrency=8, per_host=8, timeout=1.0, max_bytes=1_000_000)
    results = fetch_full_text(library, ids, fetcher=fetcher)
    errors = [r.error for r in results]
    assert errors == [
        "not an HTML page (application/pdf)",
        "page larger than the 976 KB size cap",
        "timed out after 1 s",
        "HTTP 404 Not Found",
        "the page has no more text than the summary (a paywall or a teaser page?)",
        "the article has no link to fetch (give one with --url URL)",  # the feed's ftp: link is dropped
    ]
    for aid in ids:
        assert library.get(aid).body == SUMMARY
        assert library.get(aid).truncated  # "excerpt only" stays until the full text is there
    record = library._store.body(ids[0]) or {}
    assert record["full_text_error"] == "not an HTML page (application/pdf)"


def test_a_page_in_another_language(library: Library, site: HTTPServer, tmp_path: Path) -> None:
    url = serve_page(site, "/kultur/bibliothek", "german.html")
    [aid] = import_items(library, tmp_path, [("g", "Bibliothek", url)])
    [result] = fetch_full_text(library, [aid])
    assert result.error is None
    body = library.get(aid).body
    assert body.startswith("Die Stadtbibliothek öffnet ab dem kommenden Monat auch am Sonntag.")
    assert "Cookies" not in body and "Mehr zum Thema" not in body


def test_at_most_two_pages_at_once_from_one_host(library: Library, site: HTTPServer, tmp_path: Path) -> None:
    lock = threading.Lock()
    state = {"now": 0, "most": 0, "seen": 0}
    all_in = threading.Event()
    page = (PAGES / "article.html").read_bytes()

    def counted(_request: Request) -> Response:
        with lock:
            state["now"] += 1
            state["seen"] += 1
            state["most"] = max(state["most"], state["now"])
            if state["most"] >= 3 or state["seen"] == 6:
                all_in.set()
        all_in.wait(0.3)  # a third request in flight would be seen before this returns
        with lock:
            state["now"] -= 1
        return Response(page, content_type="text/html")

    items = []
    for n in range(6):
        site.expect_request(f"/p{n}").respond_with_handler(counted)
        items.append((f"g{n}", f"Page {n}", site.url_for(f"/p{n}")))
    ids = import_items(library, tmp_path, items)
    results = fetch_full_text(library, ids)
    assert [r.error for r in results] == [None] * 6
    assert state["most"] == 2


def test_url_attaches_a_page_to_a_dump_teaser(seeded: Library, site: HTTPServer) -> None:
    url = serve_page(site, "/news/night-ferry", "article.html")
    teaser = next(a for a in seeded.articles() if a.truncated)
    [result] = fetch_full_text(seeded, [teaser.id], url=url)
    assert result.error is None
    article = seeded.get(teaser.id)
    assert article.body.startswith("The town council of Lindholm")
    assert article.excerpt == teaser.excerpt and not article.truncated
    with pytest.raises(UserInputError, match=r"^not an http\(s\) page URL: .file:///etc/passwd.$"):
        fetch_full_text(seeded, [teaser.id], url="file:///etc/passwd")
    with pytest.raises(UserInputError, match="single ID"):
        fetch_full_text(seeded, [teaser.id, teaser.id[:6]], url=url)


def test_teaser_without_a_link_says_how_to_give_one(seeded: Library) -> None:
    teaser = next(a for a in seeded.articles() if a.truncated and not a.url)
    [result] = fetch_full_text(seeded, [teaser.id])
    assert result.error == "the article has no link to fetch (give one with --url URL)"


def test_cli_fulltext(tmp_path: Path, site: HTTPServer) -> None:
    lib = tmp_path / "lib"
    url = serve_page(site, "/news/night-ferry", "article.html")
    assert run_cli("import", str(SEED), library=lib).returncode == 0
    listed = json.loads(run_cli("list", "--json", library=lib).stdout)
    teaser = next(a["id"] for a in listed if a["truncated"])
    done = run_cli("fulltext", teaser, "--url", url, library=lib)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{teaser}: full text stored, ") and url in done.stdout
    shown = run_cli("show", teaser, library=lib).stdout
    assert "Lindholm" in shown
    bad = run_cli("fulltext", "nosuchid", library=lib)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr and bad.stderr.count("\n") == 1
