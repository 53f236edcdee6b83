"""The organise part of the ``Library`` facade: tags, saved searches, rules, retention, schedules.

``Library`` inherits this mixin, so its public API grows by these methods while their code stays in
this package (ops.py does the work, as ``_import``/``_refresh`` do for importing and refreshing).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsreader._lookup import ArticleList
    from newsreader.models import Source
    from newsreader.organise.ops import RuleReport
    from newsreader.organise.retention import Policy
    from newsreader.organise.rules import Rule
    from newsreader.organise.saved import SavedCounts, SavedSearches
    from newsreader.search.index import SearchIndex
    from newsreader.store import Store


log = logging.getLogger(__name__)


class OrganiseMixin:
    """Methods of ``Library`` (see its docstring for threads and processes)."""

    if TYPE_CHECKING:
        _store: Store
        rules: Sequence[Rule]

        @property
        def _search_index(self) -> SearchIndex: ...

        def _resolve(self, article_id: str, headlines: Any) -> str: ...

        def _index_articles(self, new_or_updated_ids: Sequence[str]) -> None: ...

        def sources(self) -> list[Source]: ...

    _saved_counts: SavedCounts | None = None
    _counts_lock = threading.Lock()

    # -- tags ----------------------------------------------------------------------------------

    def tag(
        self, article_ids: Sequence[str], /, *, add: Iterable[str] = (), remove: Iterable[str] = ()
    ) -> int:
        """Add and remove tags (already normalised, see ``normalise_tag``); returns how many changed.

        Ids may be unique prefixes; ``ArticleNotFoundError`` (and nothing changed) if any is unknown.
        """
        from newsreader.organise import ops

        return ops.tag(self, article_ids, add, remove)

    def tags(self) -> dict[str, int]:
        """Every tag in use, with how many articles carry it (the app completes from these)."""
        from newsreader.store.tags import all_tags

        return all_tags(self._store.tags())

    # -- saved searches ------------------------------------------------------------------------

    @property
    def saved(self) -> SavedSearches:
        """The saved searches (``saved.json``)."""
        from newsreader.organise.saved import SavedSearches

        return SavedSearches(self._store.path, self._store.locked)

    def saved_articles(self, name: str, /) -> ArticleList:
        """The articles of a saved search, newest first (hidden ones only with ``is:hidden``)."""
        from newsreader.organise import ops

        return ops.saved_articles(self, name)

    def saved_counts(self) -> dict[str, int]:
        """Unread articles per saved search, kept current cheaply (see ``organise.saved``)."""
        from newsreader.organise.saved import SavedCounts

        store = self._store
        with self._counts_lock:
            searches = self.saved.all()
            if not searches:  # nothing to count: no set of every id kept for it (30 MB at 500,000)
                self._saved_counts = None
                return {}
            if self._saved_counts is None:
                self._saved_counts = SavedCounts(self._search_index)
            return self._saved_counts.update(
                searches, store.headlines(), store.state(), store.tags(), generation=store.generation
            )

    # -- rules and retention -------------------------------------------------------------------

    def apply_rules(self, rules: Sequence[Rule] | None = None, *, dry_run: bool = False) -> RuleReport:
        """Apply rules (default: the library's, from settings) to every stored article."""
        from newsreader.organise import ops

        return ops.apply_rules(self, self.rules if rules is None else rules, dry_run=dry_run)

    # -- schedules -----------------------------------------------------------------------------

    def set_feed(
        self,
        source_id: str,
        /,
        *,
        interval: float | None = None,
        default_interval: bool = False,
        keep_days: int | None = None,
        keep_articles: int | None = None,
    ) -> None:
        """Change a feed's refresh interval (seconds; ``default_interval``: back to the default in
        settings) and its retention (``keep_days``/``keep_articles``, 0: no limit)."""
        from newsreader.organise import ops

        ops.set_feed(
            self,
            source_id,
            interval=interval,
            default_interval=default_interval,
            keep_days=keep_days,
            keep_articles=keep_articles,
        )

    def rename_source(self, source_id: str, title: str, /) -> Source:
        """Give a feed or an imported dump the name shown everywhere (cleaned like any title); a
        refresh or re-import keeps it. Returns the source as renamed.

        Raises:
            UserInputError: an empty name, or no such source.
        """
        from newsreader._import import shown
        from newsreader.errors import UserInputError
        from newsreader.ingest.cleaning import clean_line
        from newsreader.store.records import SourceUpdate

        name = clean_line(title)
        if not name:
            raise UserInputError("a source's name cannot be empty")
        with self._store.locked():
            if source_id not in self._store.sources():
                raise UserInputError(f"no feed or dump has the id {shown(source_id)!r}")
            self._store.update_sources({source_id: SourceUpdate({"title": name, "renamed": True})})
        return next(s for s in self.sources() if s.id == source_id)

    def _rules_at_ingest(self, new_ids: Sequence[str]) -> None:
        """Apply the library's rules to articles just committed (and indexed); never fails the import
        or refresh that stored them: a failure is logged, and ``rules apply`` catches up."""
        from newsreader.errors import NewsreaderError
        from newsreader.organise import ops

        try:
            ops.apply_rules(self, self.rules, within=new_ids)
        except NewsreaderError as exc:
            log.warning("rules not applied to %d new articles: %s", len(new_ids), exc)

    def prune(self, default: Policy, /, *, dry_run: bool = False) -> list[str]:
        """Drop what retention allows; returns the ids dropped (or, with ``dry_run``, to drop)."""
        from newsreader.organise import ops

        return ops.prune(self, default, dry_run=dry_run)
