"""Full text per feed (``add --full-text``, ``feed FEED --full-text on|off``, refresh) and teasers
linked to the full article from another source, with a real HTTP server on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from newsreader.extract.auto import enable_full_text, full_text_on, set_full_text
from newsreader.library import Library
from tests.conftest import SEED, run_cli

PAGES = Path(__file__).parent / "fixtures" / "pages"
SUMMARY = "The council voted to keep the night ferry …"


@pytest.fixture(scope="module")
def site_server() -> Iterator[HTTPServer]:
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


def feed_doc(site: HTTPServer, items: int) -> str:
    body = "".join(
        f"<item><guid>g{n}</guid><title>Ferry {n}</title><link>{site.url_for(f'/story/{n}')}</link>"
        f"<description>{SUMMARY}</description></item>"
        for n in range(items)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Courier</title>{body}</channel></rss>'


def serve(site: HTTPServer, items: int) -> str:
    site.clear()
    site.expect_request("/feed.xml").respond_with_data(
        feed_doc(site, items), content_type="application/rss+xml"
    )
    page = (PAGES / "article.html").read_bytes()
    for n in range(items):
        site.expect_request(f"/story/{n}").respond_with_data(page, content_type="text/html")
    return site.url_for("/feed.xml")


def story_requests(site: HTTPServer) -> int:
    return sum(1 for request, _response in site.log if request.path.startswith("/story/"))


def test_refresh_fetches_full_text_of_new_items_when_on(library: Library, site: HTTPServer) -> None:
    url = serve(site, 1)
    source = library.subscribe(url)
    assert story_requests(site) == 0  # off by default
    assert not full_text_on(library, source.id)
    set_full_text(library, source.id, True)
    serve(site, 3)
    report = library.refresh()
    assert report.new == 2
    assert story_requests(site) == 2  # the two new items; the old one is not fetched by a refresh
    by_title = {a.title: a for a in library.articles()}
    for title in ("Ferry 1", "Ferry 2"):
        article = library.get(by_title[title].id)
        assert article.body.startswith("The town council of Lindholm") and article.excerpt == SUMMARY
        assert not article.truncated
    assert library.get(by_title["Ferry 0"].id).truncated
    assert enable_full_text(library, source.id) == 1  # turning it on fetches what is stored
    assert not library.get(by_title["Ferry 0"].id).truncated
    before = story_requests(site)
    library.refresh()  # nothing new, and nothing fetched twice
    assert story_requests(site) == before
    set_full_text(library, source.id, False)
    assert not full_text_on(library, source.id)


def test_cli_add_full_text_and_feed_setting(tmp_path: Path, site: HTTPServer) -> None:
    lib = tmp_path / "lib"
    url = serve(site, 2)
    added = run_cli("add", url, "--full-text", library=lib)
    assert added.returncode == 0, added.stderr
    assert "full text on: 2 articles fetched" in added.stdout
    shown = json.loads(run_cli("feed", url, "--json", library=lib).stdout)
    assert shown["full_text"] is True and shown["articles"] == 2
    off = run_cli("feed", "Courier", "--full-text", "off", library=lib)
    assert off.returncode == 0 and "full text:  off" in off.stdout
    bad = run_cli("feed", "Courier", "--full-text", "maybe", library=lib)
    assert bad.returncode != 0 and "expected on or off" in bad.stderr and "Traceback" not in bad.stderr
    missing = run_cli("feed", "nothing-like-it", library=lib)
    assert missing.returncode == 1 and "Traceback" not in missing.stderr


def full_version(teaser_text: str) -> str:
    """A saved page whose article begins with the teaser's text and goes on."""
    start = teaser_text.rstrip("…").rstrip()
    more = "".join(
        f"<p>Paragraph {n} of the full article goes on about the reform, the costs, the court ruling "
        f"and what expatriates now owe, in sentences long enough to read as running text.</p>"
        for n in range(6)
    )
    return (
        "<html><head><title>Full</title><meta property='og:site_name' content='Taipei Times'></head>"
        f"<body><nav><a href='/'>Home</a></nav><article><h1>Full</h1><p>{start} and more words.</p>"
        f"{more}</article></body></html>"
    )


def test_seed_teasers_show_their_full_text_once_the_full_article_is_in(
    seeded: Library, tmp_path: Path
) -> None:
    teasers = [a for a in seeded.articles() if a.truncated]
    assert len(teasers) == 4
    teaser = seeded.get(teasers[0].id)
    page = tmp_path / "full.html"
    page.write_text(full_version(teaser.body), encoding="utf-8")
    assert seeded.import_paths([page]).new == 1
    full = next(a for a in seeded.articles() if a.feed == "Full")  # full.html, by its readable name
    shown = seeded.get(teaser.id)
    assert shown.full_article == full.id and not shown.truncated
    assert shown.body == seeded.get(full.id).body and "Paragraph 5 of the full article" in shown.body
    listed = [a.id for a in seeded.articles()]
    assert teaser.id not in listed and full.id in listed and len(listed) == 5
    assert teaser.id in [a.id for a in seeded.articles(source=str(SEED.resolve()))]
    hits = [h.article.id for h in seeded.search("expatriates")]
    assert hits == [full.id]
    word = teaser.body.split()[5]
    assert teaser.id not in [h.article.id for h in seeded.search(word)]
    data = seeded.get(teaser.id).to_json(with_body=True)
    assert data["full_article"] == full.id


def test_linking_works_in_either_order(library: Library, tmp_path: Path) -> None:
    text = (
        "The harbour committee met on Monday night and agreed that the old lighthouse keeper's "
        "cottage will open as a museum next spring, and that the"
    )
    page = tmp_path / "lighthouse.html"
    page.write_text(full_version(text), encoding="utf-8")
    assert library.import_paths([page]).new == 1
    dump = tmp_path / "teasers.txt"
    dump.write_text(f"{text}\n", encoding="utf-8")  # cut mid-sentence: a teaser
    library.import_paths([dump])
    [teaser] = [a for a in library.articles(source=str(dump.resolve()))]
    assert library.get(teaser.id).full_article is not None
    assert len(library.articles()) == 1


def test_cli_show_names_the_full_article(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    assert run_cli("import", str(SEED), library=lib).returncode == 0
    listed = json.loads(run_cli("list", "--json", library=lib).stdout)
    teaser = next(a for a in listed if a["truncated"])
    body = json.loads(run_cli("show", teaser["id"], "--json", library=lib).stdout)["body"]
    page = tmp_path / "full.html"
    page.write_text(full_version(body), encoding="utf-8")
    assert run_cli("import", str(page), library=lib).returncode == 0
    shown = json.loads(run_cli("show", teaser["id"], "--json", library=lib).stdout)
    assert shown["full_article"] and shown["full_article"] != teaser["id"]
    assert "Paragraph 5 of the full article" in shown["body"]
