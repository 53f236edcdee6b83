"""Search through the real Library: dumps imported from disk, the index on disk, the CLI as a process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsreader.errors import InvalidQueryError, StoreError
from newsreader.library import Library
from newsreader.models import ArticleDraft
from newsreader.search import INDEX_DIR
from tests.cli_support import invoke

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "feeds" / "000_cbd8846d609ab0f0.txt"
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

WORLD = """\
Nuclear escalation fears grow in Europe

By Andreas Kluth

October 1, 2024

Putin’s threats of nuclear escalation have rattled European capitals, and leaders look for an off-ramp.

Analysts say the risk of escalation is low but not zero.

---

Taiwan strait tensions rise

By Jane Doe

September 1, 2024

Taiwan watched the drills closely as Beijing sent ships across the median line.

---

A naïve plan for peace

By Jean-Pierre Dupont

August 1, 2024

Critics in Kyiv called the proposal NAÏVE. Biden and Putin did not comment on the war in Ukraine.

---

Harbour budget approved

By Jane Doe

July 1, 2024

The council approved the harbour budget after a long night. Ferry fares stay the same.
"""

FISH = """\
Herring quotas cut for the northern fleet

By Ola Nordmann

March 3, 2024

Fishermen protested in the port as ministers announced the new rules for the coming season.

---

The harbour at dawn

By Ola Nordmann

March 2, 2024

Boats came in with cod, mackerel and a little herring, and the market opened late because of the fog
that had rolled in from the sea during the night, as it does most mornings in the early spring.
"""


def _library(tmp_path: Path) -> Library:
    lib = Library(tmp_path / "lib")
    lib.now = lambda: NOW  # type: ignore[method-assign]
    return lib


@pytest.fixture
def library(tmp_path: Path) -> Library:
    """A library of three dumps: the repo's seed page and two separated dumps written here."""
    (tmp_path / "world.txt").write_text(WORLD, encoding="utf-8")
    (tmp_path / "fish.txt").write_text(FISH, encoding="utf-8")
    lib = _library(tmp_path)
    report = lib.import_paths([SEED, tmp_path / "world.txt", tmp_path / "fish.txt"])
    assert not report.failed and report.new == 11
    return lib


def titles(lib: Library, query: str, **kwargs: object) -> list[str]:
    return [hit.article.title for hit in lib.search(query, **kwargs)]  # type: ignore[arg-type]


def test_issue_queries_find_the_right_articles(library: Library) -> None:
    assert titles(library, "nuclear escalation")[0] == "Nuclear escalation fears grow in Europe"
    off_ramp = titles(library, '"off-ramp"')
    assert "Nuclear escalation fears grow in Europe" in off_ramp
    assert any(t.startswith("US President Joe Biden") for t in off_ramp), "the seed article says off-ramp"
    assert len(off_ramp) == 2
    putin_not_biden = titles(library, "putin -biden")
    assert putin_not_biden == ["Nuclear escalation fears grow in Europe"]
    assert titles(library, "putin -(biden OR kremlin)") == ["Nuclear escalation fears grow in Europe"]
    assert titles(library, "putin -(biden OR escalation)") == []
    kluth = library.search('author:"Andreas Kluth"')
    assert {h.article.author for h in kluth} == {"Andreas Kluth"}
    assert len(kluth) == 2, "the seed's closing bio names him too"
    either = titles(library, "taiwan OR ukraine")
    assert "Taiwan strait tensions rise" in either and "A naïve plan for peace" in either
    assert titles(library, 'title:"strait tensions"') == ["Taiwan strait tensions rise"]
    assert set(titles(library, "title:harbour")) == {"The harbour at dawn", "Harbour budget approved"}


def test_case_and_accent_folding(library: Library) -> None:
    assert titles(library, "naive") == ["A naïve plan for peace"]
    assert titles(library, "NAÏVE") == ["A naïve plan for peace"]
    assert titles(library, "nai\u0308ve") == ["A naïve plan for peace"]
    assert titles(library, "PUTIN") == titles(library, "putin")
    assert len(titles(library, "putin")) == 3


def test_title_outranks_body(library: Library) -> None:
    # "herring" is in one title and in the other's (longer) body: the title match wins.
    assert titles(library, "herring") == ["Herring quotas cut for the northern fleet", "The harbour at dawn"]


def test_recency_breaks_ties(tmp_path: Path) -> None:
    lib = _library(tmp_path)
    same = "The harbour master counted the boats in the harbour again today."
    drafts = [
        ArticleDraft(
            id=f"{n:012x}",
            title=f"Log {n}",
            body=same,
            excerpt=same,
            published=datetime(2024, m, 1, tzinfo=UTC),
        )
        for n, m in ((1, 3), (2, 9), (3, 6))
    ]
    lib._store.commit({"src1": drafts}, now=NOW, sources={"src1": {"kind": "dump", "title": "log"}})
    hits = lib.search("harbour")
    assert len({round(h.score, 6) for h in hits}) == 1, "equal scores"
    assert [h.article.title for h in hits] == ["Log 2", "Log 3", "Log 1"], "newest first among equals"


def test_hit_carries_headline_state_snippet_and_terms(library: Library) -> None:
    hit = library.search("escalation")[0]
    article = hit.article
    assert article.author == "Andreas Kluth" and article.feed == "World"
    assert article.published == datetime(2024, 10, 1, tzinfo=UTC)
    assert article.body is None and not article.read and not article.starred
    assert hit.score > 0 and hit.terms == ("escalation",)
    assert [hit.snippet[s:e].lower() for s, e in hit.snippet_spans] == ["escalation", "escalation"]
    data = hit.to_json()
    assert {"id", "title", "feed", "author", "published", "url", "excerpt", "read", "starred"} <= set(data)
    assert {"truncated", "source", "snippet", "score"} <= set(data)


def test_state_filters(library: Library) -> None:
    putin = {h.article.id for h in library.search("putin")}
    first = sorted(putin)[0]
    library.mark([first], read=True, starred=True)
    assert {h.article.id for h in library.search("putin is:unread")} == putin - {first}
    assert [h.article.id for h in library.search("is:starred")] == [first]
    read = library.search("putin is:read")
    assert [h.article.id for h in read] == [first] and read[0].article.read and read[0].article.starred
    assert len(library.search("is:unread", limit=None)) == 10


def test_only_exclusions_lists_the_rest_newest_first(library: Library) -> None:
    rest = library.search("-putin -herring", limit=None)
    assert len(rest) == 11 - 3 - 2
    dates = [h.article.date for h in rest]
    assert dates == sorted(dates, reverse=True)


def test_limits(library: Library) -> None:
    assert len(library.search("the", limit=2)) == 2
    assert len(library.search("the", limit=None)) >= 8
    assert library.search("the", limit=0) == []
    with pytest.raises(InvalidQueryError, match="empty search"):
        library.search("  ")


def test_import_updates_the_index_incrementally(library: Library, tmp_path: Path) -> None:
    assert library.search("zeppelin") == []
    index = library._search_index
    assert index.in_sync()
    (tmp_path / "more.txt").write_text(
        "Zeppelin returns\n\nBy Jane Doe\n\nA zeppelin flew over the harbour on Sunday.\n", encoding="utf-8"
    )
    assert library.import_paths([tmp_path / "more.txt"]).new == 1
    assert index.in_sync(), "the import's hook indexed the new article: no catch-up needed"
    assert index.sync().added == 0
    assert titles(library, "zeppelin") == ["Zeppelin returns"]


def test_unchanged_library_is_checked_by_a_stat(library: Library) -> None:
    library.search("putin")
    index = library._search_index
    conn, _ = index._open()
    assert index._fresh(conn) == "stamp"
    # The file rewritten with the same generation (as a migration does): one parse, then a stat again.
    headlines = library.path / "headlines.json"
    mtime = headlines.stat().st_mtime_ns + 10**9
    os.utime(headlines, ns=(mtime, mtime))
    assert index._fresh(conn) == "generation"
    assert len(library.search("putin")) == 3
    assert index._fresh(conn) == "stamp"


def test_missed_updates_are_caught_up_by_a_diff(library: Library, tmp_path: Path) -> None:
    library.search("putin")
    # Another process commits without telling this index.
    other = _library(tmp_path)
    draft = ArticleDraft(id="feedbeef0001", title="Quokka census", body="The quokka count rose.", excerpt="x")
    other._store.commit({"src9": [draft]}, now=NOW, sources={"src9": {"kind": "dump", "title": "zoo"}})
    index = library._search_index
    assert not index.in_sync()
    report = index.sync()
    assert (report.added, report.updated, report.removed, report.rebuilt) == (1, 0, 0, False)
    assert titles(library, "quokka") == ["Quokka census"]


def test_changed_and_removed_articles(library: Library) -> None:
    library.search("putin")
    store = library._store
    sid = next(s for s, rec in store.sources().items() if rec["title"] == "Fish")
    old = next(h for h in library.search("herring") if h.article.title.startswith("The harbour"))
    changed = ArticleDraft(
        id=old.article.id,
        title="The harbour at dawn",
        body="Boats came in with sardines only.",
        excerpt="Boats came in with sardines only.",
        author="Ola Nordmann",
        published=old.article.published,
    )
    result = store.commit({sid: [changed]}, now=NOW, update=True)
    assert result.updated_ids == [old.article.id]
    library._index_articles(result.updated_ids)
    assert titles(library, "sardines") == ["The harbour at dawn"]
    assert titles(library, "herring") == ["Herring quotas cut for the northern fleet"]
    assert store.remove_source(sid) == 2
    assert library.search("sardines") == [] and library.search("herring") == []
    assert library._search_index.sync().removed == 0, "the search above already dropped them"


def test_feed_rename_is_searchable(library: Library) -> None:
    assert len(library.search("feed:fish")) == 2
    sid = next(s for s, rec in library._store.sources().items() if rec["title"] == "Fish")
    library._store.update_sources({sid: {"title": "Nordic Fisheries"}})
    hits = library.search('feed:"nordic fisheries"')
    assert len(hits) == 2 and {h.article.feed for h in hits} == {"Nordic Fisheries"}
    assert library.search("feed:fish") == []


def test_rebuild_after_deleting_the_index(library: Library) -> None:
    before = [h.article.id for h in library.search("putin")]
    library._search_index.close()
    shutil.rmtree(library.path / INDEX_DIR)
    fresh = _library(library.path.parent)
    calls: list[tuple[int, int, str]] = []
    assert [h.article.id for h in fresh.search("putin", progress=lambda *a: calls.append(a))] == before
    assert calls[0] == (0, 11, "building search index") and calls[-1][:2] == (11, 11)


def test_text_index_missing_rebuilds_everything(library: Library) -> None:
    before = titles(library, "harbour")
    library._search_index.close()
    shutil.rmtree(library.path / INDEX_DIR / "text")
    assert titles(_library(library.path.parent), "harbour") == before


def test_corrupt_index_is_rebuilt(library: Library, caplog: pytest.LogCaptureFixture) -> None:
    before = titles(library, "harbour")
    library._search_index.close()
    db = library.path / INDEX_DIR / "docs.sqlite"
    for extra in (Path(f"{db}-wal"), Path(f"{db}-shm")):
        extra.unlink(missing_ok=True)
    db.write_bytes(b"this is not a database" * 100)
    with caplog.at_level("WARNING", logger="newsreader.search"):
        assert titles(_library(library.path.parent), "harbour") == before
    assert "unusable" in caplog.text
    headlines = library.path / "headlines.json"
    assert json.loads(headlines.read_bytes())["articles"], "the store was not touched"


def test_unusable_index_folder_is_a_one_line_error(library: Library) -> None:
    blocker = library.path / INDEX_DIR
    blocker.write_text("a file where the index folder should be")
    with pytest.raises(StoreError, match="cannot use the search index") as info:
        library.search("putin")
    assert "\n" not in str(info.value)
    assert blocker.read_text().startswith("a file"), "not the index's to delete"
    blocker.unlink()
    assert len(library.search("putin")) == 3, "built once it can be"


def test_interrupted_write_between_the_halves_is_rebuilt(library: Library, tmp_path: Path) -> None:
    library.search("putin")
    index = library._search_index
    # A writer that died after tantivy committed and before SQLite did: tantivy has a document that
    # SQLite does not know, and the opstamps differ.
    with index._exclusive(), index._writer(big=False) as writer:
        writer.delete(library.search("herring")[0].article.id)
    assert index._opstamp is not None
    # The store changes (another import), so the next search takes the write path and checks.
    (tmp_path / "more.txt").write_text("Zeppelin returns\n\nA zeppelin over the harbour.\n", encoding="utf-8")
    other = _library(tmp_path)
    assert other.import_paths([tmp_path / "more.txt"]).new == 1  # its hook finds the halves apart
    assert len(library.search("herring")) == 2, "rebuilt: the deleted document is back"
    assert titles(library, "zeppelin") == ["Zeppelin returns"]


def test_cancelled_build_writes_nothing_and_resumes(library: Library) -> None:
    assert not (library.path / INDEX_DIR).exists(), "imports leave a missing index to the first search"
    fresh = _library(library.path.parent)
    cancel = threading.Event()
    cancel.set()
    assert fresh._search_index.sync(cancel=cancel).cancelled
    assert not fresh._search_index.in_sync()
    assert len(fresh.search("putin")) == 3


def test_two_libraries_syncing_at_once_agree(library: Library) -> None:
    libs = [_library(library.path.parent) for _ in range(3)]
    errors: list[BaseException] = []

    def run(lib: Library) -> None:
        try:
            lib.update_search_index()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(lib,)) for lib in libs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for lib in libs:
        ids = [h.article.id for h in lib.search("-zzzz", limit=None)]
        assert len(ids) == len(set(ids)) == 11, "every article indexed once"


@pytest.mark.slow  # several processes at once: the concurrency tier
def test_processes_building_at_once_agree(library: Library) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSREADER")}
    argv = [sys.executable, "-m", "newsreader", "--library", str(library.path), "search", "-zzzz", "--json"]
    procs = [
        subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(4)
    ]
    outputs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [err for _, err in outputs]
    counts = [len(json.loads(out)) for out, _ in outputs]
    assert counts == [11, 11, 11, 11]


def test_highlight_spans_via_library(library: Library) -> None:
    hit = library.search("naive plan")[0]
    title = hit.article.title
    assert [title[s:e] for s, e in library.highlight_spans(title, hit.terms)] == ["naïve", "plan"]
    body = library.get(hit.article.id).body or ""
    assert [body[s:e] for s, e in library.highlight_spans(body, hit.terms)] == ["NAÏVE"]


# -- CLI -------------------------------------------------------------------------------------------------


def cli(library: Library, *args: str) -> subprocess.CompletedProcess[str]:
    """``newsreader --library LIB ARGS`` in a clean environment (in process: tests/cli_support.py)."""
    return invoke(*args, library=library.path)


def test_empty_library_searches_without_creating_anything(tmp_path: Path) -> None:
    lib = _library(tmp_path)
    assert lib.search("putin") == [] and lib.search("is:unread") == []
    assert not (tmp_path / "lib").exists()


def test_cli_json(library: Library) -> None:
    proc = cli(library, "search", "putin", "-biden", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert [d["title"] for d in data] == ["Nuclear escalation fears grow in Europe"]
    row = data[0]
    for key in ("id", "title", "feed", "author", "published", "url", "excerpt", "read", "starred"):
        assert key in row
    assert row["snippet"].startswith("Putin’s threats") and row["score"] > 0
    assert row["truncated"] is False and row["source"].endswith("world.txt")


def test_cli_text_and_limit(library: Library) -> None:
    proc = cli(library, "search", "--limit", "1", "harbour")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 2 and "harbour" in lines[0].lower() and lines[1].startswith("    ")
    assert cli(library, "search", "zzzzzz").stdout.strip() == "no articles match"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "is:bogus"], "unknown filter is:bogus"),
        (["search"], "empty search"),
        (["search", "--limit", "-1", "x"], "--limit: must be at least 1"),
        (["search", "x", "--bogus-option=1"], "unrecognized arguments"),
    ],
)
def test_cli_errors_are_one_line(library: Library, args: list[str], message: str) -> None:
    proc = cli(library, *args)
    assert proc.returncode == 1
    assert message in proc.stderr and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_cli_prints_untrusted_text_literally(tmp_path: Path) -> None:
    lib = _library(tmp_path)
    title = "[bold red]Pwned[/] \x1b[31mreally"
    draft = ArticleDraft(id="abcdef123456", title=title, body="pwned body [link=x]y[/link]", excerpt="e")
    lib._store.commit({"s": [draft]}, now=NOW, sources={"s": {"kind": "dump", "title": "[i]feed[/i]"}})
    proc = cli(lib, "search", "pwned")
    assert proc.returncode == 0, proc.stderr
    assert "[bold red]Pwned[/]" in proc.stdout and "[i]feed[/i]" in proc.stdout


def test_a_commit_into_a_library_without_an_index_leaves_it_to_the_first_search(tmp_path: Path) -> None:
    """The commit hook looks for the index's folder by the name the search package gives it, without
    importing that package; the first search then finds every article, the new ones too."""
    from newsreader import _search

    assert _search.INDEX_DIR == INDEX_DIR
    first = _library(tmp_path)
    first.import_paths([SEED])
    (tmp_path / "more.txt").write_text("Zeppelin returns\n\nA zeppelin over the harbour.\n", encoding="utf-8")
    assert _library(tmp_path).import_paths([tmp_path / "more.txt"]).new == 1
    assert not (first.path / INDEX_DIR).exists()
    assert titles(_library(tmp_path), "zeppelin") == ["Zeppelin returns"]
