"""The library's side of sync: articles from servers, flags set from servers, the queue of local changes.

``Library.remote`` hands this to ``newsreader.sync``; nothing else below the facade knows about servers.
A synced feed is an ordinary feed source with an ``account`` field (so listing, search, tags and full
text work on its articles; ``refresh`` leaves it to the sync).

The queue (``LIBRARY/pending.json``) holds, per article of a synced feed, the read/starred values the
user set locally and not yet sent, each with a sequence number. :meth:`RemoteArticles.record` writes it
*before* the local state changes, so a crash in between still sends what the user meant; the sync
removes an entry only if its number is unchanged since it was sent (a newer mark waits for the next
sync), and never lets server state overwrite a queued article (local changes win).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from newsreader.store import READ, STARRED
from newsreader.store.storage import atomic_write, read_document

if TYPE_CHECKING:
    from newsreader.library import Library
    from newsreader.models import ArticleDraft
    from newsreader.store import CommitResult
    from newsreader.store.records import SourceRecord, SourceUpdate

_PENDING = "pending.json"

Change = dict[str, Any]
"""``{"read": bool?, "starred": bool?, "seq": int}``."""


class RemoteArticles:
    """Synced sources and their articles in one library (see the module docstring)."""

    def __init__(self, library: Library) -> None:
        self._library = library
        self._store = library._store

    # -- sources and articles ----------------------------------------------------------------

    def sources(self, account: str | None = None) -> dict[str, SourceRecord]:
        """Synced sources (of one account, or of any)."""
        return {
            sid: rec
            for sid, rec in self._store.sources().items()
            if rec.get("account") and (account is None or rec["account"] == account)
        }

    def article_ids(self, source_ids: Iterable[str]) -> list[str]:
        """The local articles of these sources."""
        wanted = set(source_ids)
        return [i for i, rec in self._store.headlines().items() if rec.get("src") in wanted]

    def upsert(
        self,
        drafts: Mapping[str, Sequence[ArticleDraft]],
        sources: Mapping[str, SourceUpdate] | None = None,
    ) -> CommitResult:
        """Store server articles (new ones added, changed ones rewritten) and source records, one write."""
        from newsreader.models import utcnow

        result = self._store.commit(drafts, now=utcnow(), update=True, sources=sources)
        if result.new_ids or result.updated_ids:
            self._library._after_commit(result.new_ids + result.updated_ids)
        return result

    def remove_source(self, source_id: str) -> int:
        """Delete a synced source, its articles and their queued changes."""
        with self._store.locked():
            gone = set(self.article_ids([source_id]))
            self.forget(gone)
            return self._store.remove_source(source_id)

    def flags(self) -> dict[str, int]:
        """Article id -> local flags (``READ | STARRED``)."""
        return self._store.state()

    def set_flags(self, wanted: Mapping[str, int]) -> int:
        """Set flags to the server's, except on articles with a queued local change; returns changes."""
        with self._store.locked():
            pending = self.pending()
            state = self._store.state()
            groups: dict[tuple[str, bool], list[str]] = {}
            for article_id, flags in wanted.items():
                if article_id in pending:
                    continue
                old = state.get(article_id, 0)
                if (old ^ flags) & READ:
                    groups.setdefault(("read", bool(flags & READ)), []).append(article_id)
                if (old ^ flags) & STARRED:
                    groups.setdefault(("starred", bool(flags & STARRED)), []).append(article_id)
            changed: set[str] = set()
            for (flag, value), ids in groups.items():
                self._store.set_state(ids, **{flag: value})
                changed.update(ids)
            return len(changed)

    # -- the queue of local changes -----------------------------------------------------------

    def record(self, article_ids: Sequence[str], *, read: bool | None, starred: bool | None) -> None:
        """Queue local marks of synced articles for the server (called by ``Library.mark``)."""
        synced = self.sources()
        if not synced:  # no accounts: marking costs nothing extra
            return
        headlines = self._store.headlines()
        ids = [i for i in article_ids if headlines.get(i, {}).get("src") in synced]
        if not ids:
            return
        with self._store.locked():
            doc = read_document(self._path()) or {}
            changes: dict[str, Change] = doc.setdefault("changes", {})
            seq = int(doc.get("seq", 0))
            for article_id in ids:
                seq += 1
                change = changes.setdefault(article_id, {})
                if read is not None:
                    change["read"] = read
                if starred is not None:
                    change["starred"] = starred
                change["seq"] = seq
            doc["seq"] = seq
            self._write(doc)

    def pending(self) -> dict[str, Change]:
        """Queued local changes by article id."""
        return dict((read_document(self._path()) or {}).get("changes", {}))

    def pending_by_account(self) -> dict[str, int]:
        """How many queued changes each account has."""
        pending = self.pending()
        if not pending:
            return {}
        sources = self.sources()
        headlines = self._store.headlines()
        counts: dict[str, int] = {}
        for article_id in pending:
            account = sources.get(headlines.get(article_id, {}).get("src", ""), {}).get("account")
            if account:
                counts[account] = counts.get(account, 0) + 1
        return counts

    def settle(self, sent: Mapping[str, int]) -> None:
        """Drop changes the server has (article id -> the ``seq`` sent); newer ones stay queued."""
        with self._store.locked():
            doc = read_document(self._path()) or {}
            changes: dict[str, Change] = doc.get("changes", {})
            done = [i for i, seq in sent.items() if changes.get(i, {}).get("seq") == seq]
            if done:
                for article_id in done:
                    del changes[article_id]
                self._write(doc)

    def forget(self, article_ids: Iterable[str]) -> None:
        """Drop queued changes of articles that are going away (a removed feed or account)."""
        ids = set(article_ids)
        with self._store.locked():
            doc = read_document(self._path()) or {}
            changes: dict[str, Change] = doc.get("changes", {})
            if ids & changes.keys():
                for article_id in ids & changes.keys():
                    del changes[article_id]
                self._write(doc)

    def _path(self) -> Any:
        return self._library.path / _PENDING

    def _write(self, doc: dict[str, Any]) -> None:
        import orjson

        self._library.path.mkdir(parents=True, exist_ok=True)
        atomic_write(self._path(), orjson.dumps(doc))
