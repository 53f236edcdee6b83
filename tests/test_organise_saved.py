"""Saved searches on disk (saved.json, atomic writes) and their unread counts against a real index."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsreader.errors import CorruptLibraryError, UserInputError
from newsreader.library import Library
from newsreader.models import ArticleDraft
from newsreader.organise.saved import SavedCounts, SavedSearch, SavedSearches
from newsreader.search.index import SearchIndex
from newsreader.store import Store
from tests.conftest import FEEDS


def _saved(path: Path) -> SavedSearches:
    store = Store(path)
    return SavedSearches(path, store.locked)


def test_add_list_replace_remove(tmp_path: Path) -> None:
    saved = _saved(tmp_path)
    assert saved.all() == []
    saved.add("Harbour", "harbour -storm", now=1.0)
    saved.add("ferries", "title:ferry", now=2.0)
    assert [s.name for s in saved.all()] == ["ferries", "Harbour"]
    saved.add("harbour", "harbour", now=3.0)  # same name, any case: replaced
    assert saved.all() == [SavedSearch("ferries", "title:ferry", 2.0), SavedSearch("harbour", "harbour", 3.0)]
    assert saved.get("HARBOUR").query == "harbour"
    assert saved.remove("Ferries").name == "ferries"
    assert [s.name for s in _saved(tmp_path).all()] == ["harbour"]  # on disk, read back fresh
    assert not list(tmp_path.glob(".*tmp"))  # the atomic write left no temp file


@pytest.mark.parametrize(
    ("name", "query", "message"),
    [
        ("", "x", "needs a name"),
        ("a\x1b[31m", "x", "control characters"),
        ("x" * 65, "x", "at most 64"),
        ("bad", "is:bogus", "cannot save 'bad': unknown filter"),
        ("bad", "tag:two words", None),
    ],
)
def test_bad_saved_searches_are_refused(tmp_path: Path, name: str, query: str, message: str | None) -> None:
    saved = _saved(tmp_path)
    if message is None:
        saved.add(name, query)  # "tag:two words": the tag "two" and the word "words"
        return
    with pytest.raises(UserInputError, match=message):
        saved.add(name, query)
    assert saved.all() == []


def test_unknown_name_and_corrupt_file(tmp_path: Path) -> None:
    saved = _saved(tmp_path)
    with pytest.raises(UserInputError, match="no saved search named 'nope'"):
        saved.remove("nope")
    (tmp_path / "saved.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(CorruptLibraryError):
        saved.add("x", "y")
    assert (tmp_path / "saved.json").read_text(encoding="utf-8") == "{not json"  # left as it was


def test_counts_follow_new_articles_and_reads(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib")
    library.import_paths([FEEDS])
    store = Store(tmp_path / "lib")
    index = SearchIndex(store)
    searches = [SavedSearch("harbour", "harbour"), SavedSearch("starred", "is:starred harbour")]
    counts = SavedCounts(index)
    harbour = {hit.article.id for hit in index.search("harbour", limit=None)}
    assert harbour
    first = counts.update(searches, store.headlines(), store.state(), {})
    assert first == {"harbour": len(harbour), "starred": 0}
    one = sorted(harbour)[0]
    store.set_state([one], read=True)
    store.set_state(sorted(harbour)[1:2], starred=True)
    after_read = counts.update(searches, store.headlines(), store.state(), {})
    assert after_read == {"harbour": len(harbour) - 1, "starred": 1}
    text = "The harbour is open."
    draft = ArticleDraft(id="feedbeef0001", title="Harbour reopens", body=text, excerpt=text)
    result = store.commit({"extra": [draft]}, now=datetime(2026, 12, 1, tzinfo=UTC))
    index.index_articles(result.new_ids)
    after_new = counts.update(searches, store.headlines(), store.state(), {}, generation=store.generation)
    assert after_new == {"harbour": len(harbour), "starred": 1}
    assert counts.update(searches[:1], store.headlines(), store.state(), {}) == {"harbour": len(harbour)}
    # one commit that removed articles and one that added: the generation says two, so a full diff
    store.remove_source("extra")
    again = ArticleDraft(id="feedbeef0002", title="Harbour news", body=text, excerpt=text)
    index.index_articles(store.commit({"more": [again]}, now=datetime(2026, 12, 2, tzinfo=UTC)).new_ids)
    assert counts.update(searches, store.headlines(), store.state(), {}, generation=store.generation) == {
        "harbour": len(harbour),
        "starred": 1,
    }
    fresh = SavedCounts(index).update(searches, store.headlines(), store.state(), {})
    assert fresh == {"harbour": len(harbour), "starred": 1}
    index.close()
