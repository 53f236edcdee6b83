"""A listing's rows: sorted headline records, each built into an :class:`Article` when first looked at.

An Article costs ~300 bytes and ~25 µs to build: at 500,000 rows, building every one up front was
150 MB and seconds of a thread, for a list widget that draws forty of them. Rows are built when
indexed and then kept (the same object each time: the app compares rows by identity), so a list
that has been walked whole costs what a built list did, and one that has not costs three pointers a
row (its id, its record, its built Article or ``None``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from operator import itemgetter
from typing import Any, overload

from newsreader.models import Article
from newsreader.store.records import Flags, HeadlineRecord, SourceRecord, feed_name

_Item = tuple[str, HeadlineRecord]
_READ = int(Flags.READ)  # a plain int: IntFlag operators are slow
SCANS = 16
"""Ids looked for by scanning before a list makes itself an id -> row dict (``index_of``)."""


class ArticleList(Sequence[Article]):
    """Headlines, sorted, built into Articles only when looked at: a ``Sequence[Article]`` whose rows
    can also be replaced (``rows[i] = replace(rows[i], read=True)``), as the app's list does.

    ``state`` and ``sources`` (the tables the builder reads) let :meth:`where`, :meth:`feeds` and
    :meth:`feed_of` answer from the records, without building a row.
    """

    __slots__ = (
        "_build",
        "_built",
        "_feeds",
        "_ids",
        "_missing",
        "_positions",
        "_recs",
        "_scans",
        "_sources",
        "_state",
        "_unread",
    )

    def __init__(
        self,
        items: list[_Item],
        build: Callable[[str, HeadlineRecord], Article],
        *,
        state: Mapping[str, int] | None = None,
        sources: Mapping[str, SourceRecord] | None = None,
    ) -> None:
        # Ids and records in two lists, not the sort's (id, record) pairs: 16 bytes a row, not 72
        # (at 500,000 rows, 28 MB, twice over while a reload replaces a list).
        self._ids: list[str] = list(map(itemgetter(0), items))
        self._recs: list[HeadlineRecord] = list(map(itemgetter(1), items))
        self._build = build
        self._state = state
        self._sources = sources
        self._built: list[Article | None] = [None] * len(items)
        self._missing = len(items)
        self._feeds: frozenset[str] | None = None
        self._positions: dict[str, int] | None = None
        self._scans = 0
        self._unread: int | None = None

    @classmethod
    def from_ids(
        cls,
        ids: list[str],
        records: Mapping[str, HeadlineRecord],
        build: Callable[[str, HeadlineRecord], Article],
        *,
        state: Mapping[str, int] | None = None,
        sources: Mapping[str, SourceRecord] | None = None,
    ) -> ArticleList:
        """The rows of these ids (sorted already), their records from ``records``."""
        out = cls([], build, state=state, sources=sources)
        out._ids = ids
        out._recs = list(map(records.__getitem__, ids))
        out._built = [None] * len(ids)
        out._missing = len(ids)
        return out

    def __len__(self) -> int:
        return len(self._ids)

    def __bool__(self) -> bool:
        return bool(self._ids)

    def _at(self, index: int) -> Article:
        article = self._built[index]
        if article is None:
            article = self._built[index] = self._build(self._ids[index], self._recs[index])
            self._missing -= 1
        return article

    def _index(self, index: int) -> int:
        if index < 0:
            index += len(self._ids)
        if not 0 <= index < len(self._ids):
            raise IndexError("article index out of range")
        return index

    @overload
    def __getitem__(self, index: int) -> Article: ...
    @overload
    def __getitem__(self, index: slice) -> list[Article]: ...
    def __getitem__(self, index: int | slice) -> Article | list[Article]:
        if isinstance(index, slice):
            return [self._at(i) for i in range(*index.indices(len(self._ids)))]
        return self._at(self._index(index))

    def __setitem__(self, index: int, article: Article) -> None:
        """Replace a row (the same article in a new state: the app's read and star marks)."""
        index = self._index(index)
        if article.id != self._ids[index]:
            raise ValueError(f"row {index} is {self._ids[index]!r}, not {article.id!r}")
        if self._unread is not None:
            self._unread += self._read_at(index) - article.read
        if self._built[index] is None:
            self._missing -= 1
        self._built[index] = article

    def __iter__(self) -> Iterator[Article]:
        if not self._missing:
            return iter(self._built)  # type: ignore[arg-type]  # every row built: no None left
        return (self._at(i) for i in range(len(self._ids)))

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, Article):
            return False
        index = self.index_of(value.id)
        return index is not None and (self._built[index] is value or self._at(index) == value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ArticleList | list | tuple):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable rows

    def __repr__(self) -> str:
        return f"<ArticleList of {len(self._ids)} ({self.built_rows} built)>"

    @property
    def from_records(self) -> bool:
        """Whether :meth:`where` and :meth:`feed_of` can answer (the list knows its state and sources)."""
        return self._state is not None and self._sources is not None

    @property
    def built(self) -> bool:
        """Whether every row is built (then iterating costs what iterating a list does)."""
        return not self._missing

    @property
    def built_rows(self) -> int:
        """How many rows are built so far."""
        return len(self._ids) - self._missing

    def build_all(self) -> ArticleList:
        """Build every row now (in a worker: whole-list actions on the UI thread then build none)."""
        if self._missing:
            for index in range(len(self._ids)):
                self._at(index)
        return self

    def index_of(self, article_id: str) -> int | None:
        """Position of an article id, or ``None``.

        A C-speed scan of the ids (~1 ms at 100,000) for the odd question; once asked more than
        ``SCANS`` times (``A`` asks for every row), an id -> row dict, made once (~8 MB at 100,000)."""
        positions = self._positions
        if positions is None:
            self._scans += 1
            if self._scans <= SCANS:
                try:
                    return self._ids.index(article_id)
                except ValueError:
                    return None
            positions = self._positions = dict(zip(self._ids, range(len(self._ids)), strict=True))
        return positions.get(article_id)

    def unread(self) -> int:
        """How many rows are unread (as shown: a row marked since it was built counts as marked),
        counted once from the records and kept as rows are replaced."""
        if self._unread is None:
            if self._state is None or not self._missing:
                self._unread = sum(1 for a in self if not a.read)
            else:
                self._unread = sum(1 for i in range(len(self._ids)) if not self._read_at(i))
        return self._unread

    def _read_at(self, index: int) -> bool:
        article = self._built[index]
        if article is not None or self._state is None:
            return self._at(index).read
        return bool(self._state.get(self._ids[index], 0) & _READ)

    def replace_rows(self, articles: Iterable[Article]) -> None:
        """Put these articles in the rows of their ids (those listed), as ``rows[i] = article``."""
        by_id = {a.id: a for a in articles}
        if len(by_id) <= 32:  # a few: a C scan each
            found = ((self.index_of(i), a) for i, a in by_id.items())
        else:
            found = ((index, by_id[i]) for index, i in enumerate(self._ids) if i in by_id)
        for index, article in found:
            if index is not None:
                self[index] = article

    def id_at(self, index: int) -> str:
        """The article id of a row, without building it."""
        return self._ids[self._index(index)]

    def feed_of(self, rec: HeadlineRecord) -> str:
        """The feed name a record's Article shows (``Article.feed``)."""
        if self._sources is None:
            raise ValueError("this list was made without its sources")
        return self._feed(str(rec.get("src") or ""))

    def _feed(self, source_id: str) -> str:
        assert self._sources is not None
        return feed_name(self._sources.get(source_id) or {})

    def feeds(self) -> frozenset[str]:
        """The feed names the rows show, from the sources of the records (no row built)."""
        if self._feeds is None:
            if self._sources is None:
                self._feeds = frozenset(a.feed for a in self)
            else:
                srcs = {str(rec.get("src") or "") for rec in self._recs}
                self._feeds = frozenset(self._feed(s) for s in srcs)
        return self._feeds

    def prepare(self) -> ArticleList:
        """Work out now what the list widget will ask for (feed names, the unread count): in a
        worker, not on the UI thread."""
        self.feeds()
        self.unread()
        return self

    def where(self, keep: Callable[[str, HeadlineRecord, bool], bool]) -> ArticleList:
        """The rows for which ``keep(id, record, read)`` holds, in order; rows already built come
        along (the same objects). ``read`` is a built row's own, else the state's."""
        if self._state is None:
            raise ValueError("this list was made without its state")
        state, ids, recs, built = self._state, self._ids, self._recs, self._built
        kept = []
        for index, article in enumerate(built):
            read = article.read if article is not None else bool(state.get(ids[index], 0) & _READ)
            if keep(ids[index], recs[index], read):
                kept.append(index)
        return self._like(kept)

    def reversed(self) -> ArticleList:
        return self._like(range(len(self._ids) - 1, -1, -1))

    def sorted_by(self, key: Callable[[str, HeadlineRecord], Any]) -> ArticleList:
        """The rows stably sorted by ``key(id, record)``."""
        ids, recs = self._ids, self._recs
        return self._like(sorted(range(len(ids)), key=lambda i: key(ids[i], recs[i])))

    def _like(self, rows: Iterable[int]) -> ArticleList:
        """These rows of this list (by index), in this order: a new list, sharing the built rows."""
        out = ArticleList([], self._build, state=self._state, sources=self._sources)
        order = rows if isinstance(rows, list) else list(rows)
        out._ids = [self._ids[i] for i in order]
        out._recs = [self._recs[i] for i in order]
        out._built = [self._built[i] for i in order]
        out._missing = out._built.count(None)
        return out
