"""The import pipeline behind ``Library.import_paths``: files found, read, parsed and committed in batches.

Private: the facade checks the arguments and calls :func:`import_paths`; this module talks to the
store and the ingesters and never to a UI.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from newsreader.errors import ImportFileError, NewsreaderError
from newsreader.extract.page import PAGE_SUFFIXES, page_drafts
from newsreader.models import ArticleDraft, ImportReport, ImportResult, SourceKind
from newsreader.store.records import HeadlineRecord, SourceField, SourceRecord, SourceUpdate

if TYPE_CHECKING:
    from newsreader.library import Library

ProgressCallback = Callable[[int, int, str], None]

DUMP_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown"})
FEED_SUFFIXES = frozenset({".xml", ".rss", ".atom"})
OPML_SUFFIXES = frozenset({".opml"})
MAX_DUMP_BYTES = 64 * 1024 * 1024
"""A dump larger than this is refused rather than read into memory."""
_BATCH_ARTICLES = 5000
"""An import commits every this many articles (and at the end): few writes, bounded loss on a crash."""
_SAVED_COPY_FIELDS: frozenset[SourceField] = frozenset({"format", "feed_url", "imported"})
"""What a saved copy of a feed (imported from a file) records that a subscription does not."""


def source_id_for(kind: SourceKind, location: str) -> str:
    """Stable id of a source: a hash of its kind and location as first seen.

    A file name that is not UTF-8 (a Latin-1 ``café.txt``) reaches Python with surrogate escapes;
    hashing its bytes gives it an id of its own, the same on every import.
    """
    return hashlib.sha256(f"{kind}\0{location}".encode("utf-8", "surrogateescape")).hexdigest()[:12]


def shown(path: str | os.PathLike[str]) -> str:
    """A path as text that can be stored and printed: bytes that are not UTF-8 become ``\\xe9``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def title_from(path: Path) -> str:
    """A dump's title from its file name: shown, and cleaned like any untrusted line."""
    from newsreader._clean import clean_line

    return clean_line(shown(path.name)) or "untitled"


def expand(paths: Sequence[str | os.PathLike[str]]) -> list[tuple[Path, str | None]]:
    """Files to import, each with an error if it cannot be (missing path, unsupported type)."""
    known = DUMP_SUFFIXES | FEED_SUFFIXES | OPML_SUFFIXES | PAGE_SUFFIXES
    out: list[tuple[Path, str | None]] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.suffix.lower() in known
                and not p.is_dir()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                out.append(
                    (path, f"{shown(path)}: no .txt, .md, .html, .xml, .rss, .atom or .opml files here")
                )
            # A FIFO or device named like a dump is reported, not silently skipped (nor read).
            out.extend((p, None if p.is_file() else f"{shown(p)}: not a regular file") for p in found)
        elif path.is_file():
            out.append((path, None))
        elif path.exists():
            out.append((path, f"{shown(path)}: not a regular file"))
        else:
            out.append((path, f"{shown(path)}: no such file or directory"))
    return out


class _Batch:
    """Dumps parsed but not yet committed, and where their results go in the report."""

    def __init__(self, lib: Library, results: list[ImportResult | None]) -> None:
        self.lib = lib
        self.results = results
        self.now = lib.now()
        self.drafts: dict[str, list[ArticleDraft]] = {}
        self.sources: dict[str, SourceUpdate] = {}
        self.slots: dict[str, tuple[int, str]] = {}  # source id -> (index in results, path)
        self.revised: set[str] = set()
        self.count = 0

    def add(self, path: Path, drafts: list[ArticleDraft]) -> None:
        location = str(path.resolve())
        sid = source_id_for(SourceKind.DUMP, location)
        if sid in self.drafts:  # the same file named twice in one call
            self.results.append(ImportResult(path=shown(path), kind="dump", present=len(drafts)))
            return
        known = self.lib._store.headlines()
        if sid in self.lib._store.sources() and any(d.id not in known for d in drafts):
            drafts = self._carry(sid, drafts, known)
        self.drafts[sid] = drafts
        # A new source is recorded only if it brings a new article: re-importing, or importing a copy
        # of a dump already read from elsewhere, writes nothing at all (and adds no empty source).
        if sid not in self.lib._store.sources() and any(d.id not in known for d in drafts):
            record: SourceRecord = {
                "kind": SourceKind.DUMP.value,
                "title": title_from(path),
                "location": shown(location),
                "added": self.now.timestamp(),
            }
            self.sources[sid] = SourceUpdate(record)
        self.slots[sid] = (len(self.results), shown(path))
        self.results.append(None)
        self.count += len(drafts)
        if self.count >= _BATCH_ARTICLES:
            self.flush()

    def _carry(
        self, sid: str, drafts: list[ArticleDraft], known: Mapping[str, HeadlineRecord]
    ) -> list[ArticleDraft]:
        """A dump read before, and read differently now: its articles' new readings keep their ids."""
        from newsreader.ingest.revisions import Known, carry_ids

        mine = [Known(aid, rec.get("title", "")) for aid, rec in known.items() if rec.get("src") == sid]

        def body(article_id: str) -> str | None:
            record = self.lib._store.body(article_id)
            return record.get("body") if record else None

        carried = carry_ids(mine, drafts, body)
        self.revised |= {new.id for new, old in zip(carried, drafts, strict=True) if new.id != old.id}
        return carried

    def flush(self) -> None:
        if not self.drafts and not self.sources:
            return
        store = self.lib._store
        result = store.commit(self.drafts, now=self.now, sources=self.sources, revised=self.revised)
        for sid, (index, path) in self.slots.items():
            new, updated, present = result.per_source.get(sid, (0, 0, 0))
            self.results[index] = ImportResult(path=path, kind="dump", new=new, present=present + updated)
        self.lib._after_commit(result.new_ids + result.updated_ids)
        self.drafts, self.sources, self.slots, self.count = {}, {}, {}, 0
        self.revised = set()


def import_paths(
    lib: Library,
    paths: Sequence[str | os.PathLike[str]],
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
) -> ImportReport:
    """See ``Library.import_paths``."""
    files = expand(paths)
    results: list[ImportResult | None] = []
    batch = _Batch(lib, results)
    total = len(files)
    for done, (path, error) in enumerate(files):
        if cancel is not None and cancel.is_set():
            break
        if progress is not None:
            progress(done, total, shown(path))
        suffix = path.suffix.lower()
        kind = "feed" if suffix in FEED_SUFFIXES else "opml" if suffix in OPML_SUFFIXES else "dump"
        if error is not None:
            results.append(ImportResult(path=shown(path), kind=kind, error=error))
            continue
        try:
            data = read_file(path)
            if kind == "feed":
                results.append(import_feed_file(lib, path, data))
                continue
            if kind == "opml":
                results.append(import_opml(lib, path, data))
                continue
            drafts = parse_dump(path, data)
        except NewsreaderError as exc:
            results.append(ImportResult(path=shown(path), kind=kind, error=str(exc)))
            continue
        batch.add(path, drafts)
    batch.flush()
    if progress is not None:
        progress(total, total, "")
    return ImportReport(tuple(r for r in results if r is not None))


def read_file(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_DUMP_BYTES:
            raise ImportFileError(
                f"{shown(path)}: {size / 1e6:.0f} MB is larger than the {MAX_DUMP_BYTES // 2**20} MiB limit"
            )
        return path.read_bytes()
    except PermissionError as exc:
        raise ImportFileError(f"{shown(path)}: permission denied") from exc
    except OSError as exc:
        raise ImportFileError(f"{shown(path)}: cannot read: {exc.strerror or exc}") from exc


def parse_dump(path: Path, data: bytes) -> list[ArticleDraft]:
    from newsreader.ingest.dump import parse_dump as parse
    from newsreader.ingest.text import decode_bytes

    if path.suffix.lower() in PAGE_SUFFIXES:  # a saved web page: one article (newsreader.extract)
        return page_drafts(path, data)
    text = decode_bytes(data, shown(path))
    if not text.strip():
        raise ImportFileError(f"{shown(path)}: empty file, nothing to import")
    drafts = parse(text, name=shown(path), markdown=path.suffix.lower() in {".md", ".markdown"})
    if not drafts:
        raise ImportFileError(f"{shown(path)}: no article text found")
    return drafts


def import_feed_file(lib: Library, path: Path, data: bytes) -> ImportResult:
    """A local RSS/Atom file: its entries, once; it is never refreshed from the file.

    A file that names its own URL (``<atom:link rel="self">``) is a saved copy of that feed: its
    entries get the ids that feed's entries get, so they land in the subscription if there is
    one, and subscribing later (``add``, an OPML import) turns the import into that
    subscription, articles and all. Without a self link it is a source of its own.
    """
    from newsreader.ingest.feed import parse_feed_file

    location = str(path.resolve())
    # Parsed once (a huge file used to be parsed twice: once to find its self link); errors name the file.
    parsed = parse_feed_file(data, name=str(path), source_id=source_id_for(SourceKind.DUMP, location))
    sid = parsed.source_id
    now = lib.now()
    existing = lib._store.sources().get(sid)
    sources: dict[str, SourceUpdate] = {}
    if existing is None or existing.get("kind") != SourceKind.FEED.value:
        kept = existing.get("title") if existing and existing.get("renamed") else None  # the user's name
        record: SourceRecord = {
            "kind": SourceKind.DUMP.value,
            "title": kept or parsed.title or title_from(path),
            "location": shown(location),
            "added": existing.get("added", now.timestamp()) if existing else now.timestamp(),
            "imported": now.timestamp(),
            "format": "feed",
            "feed_url": parsed.self_url,
            "site_url": parsed.site_url,
        }
        links: tuple[SourceField, ...] = ("feed_url", "site_url")
        missing = frozenset(k for k in links if record.get(k) is None)
        sources[sid] = SourceUpdate(record, clear=missing)  # stale links of an older copy go
    commit = lib._store.commit({sid: list(parsed.drafts)}, now=now, sources=sources)
    lib._after_commit(commit.new_ids)
    new, _updated, present = commit.per_source.get(sid, (0, 0, 0))
    return ImportResult(path=shown(path), kind="feed", new=new, present=present)


def import_opml(lib: Library, path: Path, data: bytes) -> ImportResult:
    """An OPML file: subscribe to every outline without fetching; folders become categories.

    ``new`` counts new subscriptions and ``present`` the ones already there.
    """
    from newsreader.ingest.feed import source_id_for as feed_id
    from newsreader.ingest.opml import parse

    document = parse(data, shown(path))
    now = lib.now().timestamp()
    with lib._store.locked():
        sources = lib._store.sources()
        known = {str(rec.get("location", "")) for rec in sources.values()}
        known |= {sid for sid, rec in sources.items() if rec.get("kind") == SourceKind.FEED.value}
        fresh: dict[str, SourceUpdate] = {}
        for outline in document.outlines:
            sid = feed_id(outline.url)
            if outline.url in known or sid in known or sid in fresh:
                continue
            saved = sources.get(sid)  # a saved copy of this feed, imported from a file
            record: SourceRecord = {
                "kind": SourceKind.FEED.value,
                "title": outline.title or (saved or {}).get("title") or _host(outline.url),
                "location": outline.url,
                "added": (saved or {}).get("added", now),
                "category": outline.category,
                "site_url": outline.site_url or (saved or {}).get("site_url"),
            }
            fresh[sid] = SourceUpdate(record, clear=_SAVED_COPY_FIELDS if saved is not None else frozenset())
        if fresh:
            lib._store.update_sources(fresh)
    return ImportResult(
        path=shown(path), kind="opml", new=len(fresh), present=len(document.outlines) - len(fresh)
    )


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).hostname or url
