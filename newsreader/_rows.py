"""A listing's rows: sorted headline records, each built into an :class:`Article` when first looked at.

An Article costs ~300 bytes and ~25 µs to build: at 500,000 rows, building every one up front was
150 MB and seconds of a thread, for a list widget that draws forty of them. Rows are built when
indexed and then kept (the same object each time: the app compares rows by identity), so a list
that has been walked whole costs what a built list did, and one that has not costs a pointer a row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from operator import itemgetter
from typing import Any, overload

from newsreader.models import Article
from newsreader.store.records import HeadlineRecord, SourceRecord, feed_name

_Item = tuple[str, HeadlineRecord]
_READ = 1  # Flags.READ as a plain int


class ArticleList(Sequence[Article]):
    """Headlines, sorted, built into Articles only when looked at: a ``Sequence[Article]`` whose rows
    can also be replaced (``rows[i] = replace(rows[i], read=True)``), as the app's list does.

    ``state`` and ``sources`` (the tables the builder reads) let :meth:`where`, :meth:`feeds` and
    :meth:`feed_of` answer from the records, without building a row.
    """

    __slots__ = ("_build", "_built", "_feeds", "_ids", "_items", "_missing", "_sources", "_state", "_unread")

    def __init__(
        self,
        items: list[_Item],
        build: Callable[[str, HeadlineRecord], Article],
        *,
        state: Mapping[str, int] | None = None,
        sources: Mapping[str, SourceRecord] | None = None,
        built: list[Article | None] | None = None,
    ) -> None:
        self._items = items
        self._build = build
        self._state = state
        self._sources = sources
        self._built: list[Article | None] = [None] * len(items) if built is None else built
        self._missing = self._built.count(None)
        self._ids: list[str] | None = None
        self._feeds: frozenset[str] | None = None
        self._unread: int | None = None

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def _at(self, index: int) -> Article:
        article = self._built[index]
        if article is None:
            article = self._built[index] = self._build(*self._items[index])
            self._missing -= 1
        return article

    def _index(self, index: int) -> int:
        if index < 0:
            index += len(self._items)
        if not 0 <= index < len(self._items):
            raise IndexError("article index out of range")
        return index

    @overload
    def __getitem__(self, index: int) -> Article: ...
    @overload
    def __getitem__(self, index: slice) -> list[Article]: ...
    def __getitem__(self, index: int | slice) -> Article | list[Article]:
        if isinstance(index, slice):
            return [self._at(i) for i in range(*index.indices(len(self._items)))]
        return self._at(self._index(index))

    def __setitem__(self, index: int, article: Article) -> None:
        """Replace a row (the same article in a new state: the app's read and star marks)."""
        index = self._index(index)
        if article.id != self._items[index][0]:
            raise ValueError(f"row {index} is {self._items[index][0]!r}, not {article.id!r}")
        if self._unread is not None:
            self._unread += self._read_at(index) - article.read
        if self._built[index] is None:
            self._missing -= 1
        self._built[index] = article

    def __iter__(self) -> Iterator[Article]:
        if not self._missing:
            return iter(self._built)  # type: ignore[arg-type]  # every row built: no None left
        return (self._at(i) for i in range(len(self._items)))

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
        return f"<ArticleList of {len(self._items)} ({self.built_rows} built)>"

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
        return len(self._items) - self._missing

    def build_all(self) -> ArticleList:
        """Build every row now (in a worker: whole-list actions on the UI thread then build none)."""
        if self._missing:
            for index in range(len(self._items)):
                self._at(index)
        return self

    def index_of(self, article_id: str) -> int | None:
        """Position of an article id, or ``None`` (a C-speed scan of the ids, no index dict)."""
        if self._ids is None:
            self._ids = list(map(itemgetter(0), self._items))
        try:
            return self._ids.index(article_id)
        except ValueError:
            return None

    def unread(self) -> int:
        """How many rows are unread (as shown: a row marked since it was built counts as marked),
        counted once from the records and kept as rows are replaced."""
        if self._unread is None:
            if self._state is None or not self._missing:
                self._unread = sum(1 for a in self if not a.read)
            else:
                self._unread = sum(1 for i in range(len(self._items)) if not self._read_at(i))
        return self._unread

    def _read_at(self, index: int) -> bool:
        article = self._built[index]
        if article is not None or self._state is None:
            return self._at(index).read
        return bool(self._state.get(self._items[index][0], 0) & _READ)

    def id_at(self, index: int) -> str:
        """The article id of a row, without building it."""
        return self._items[self._index(index)][0]

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
                srcs = {str(rec.get("src") or "") for _, rec in self._items}
                self._feeds = frozenset(self._feed(s) for s in srcs)
        return self._feeds

    def prepare(self) -> ArticleList:
        """Work out now what the list widget will ask for (ids, feed names, the unread count): in a
        worker, not on the UI thread."""
        self.index_of("")
        self.feeds()
        self.unread()
        return self

    def where(self, keep: Callable[[str, HeadlineRecord, bool], bool]) -> ArticleList:
        """The rows for which ``keep(id, record, read)`` holds, in order; rows already built come
        along (the same objects). ``read`` is a built row's own, else the state's."""
        if self._state is None:
            raise ValueError("this list was made without its state")
        state, built = self._state, self._built
        items, kept = [], []
        for index, item in enumerate(self._items):
            article = built[index]
            read = article.read if article is not None else bool(state.get(item[0], 0) & _READ)
            if keep(item[0], item[1], read):
                items.append(item)
                kept.append(article)
        return self._like(items, kept)

    def reversed(self) -> ArticleList:
        return self._like(self._items[::-1], self._built[::-1])

    def sorted_by(self, key: Callable[[str, HeadlineRecord], Any]) -> ArticleList:
        """The rows stably sorted by ``key(id, record)``."""
        order = sorted(range(len(self._items)), key=lambda i: key(*self._items[i]))
        return self._like([self._items[i] for i in order], [self._built[i] for i in order])

    def _like(self, items: list[_Item], built: list[Article | None]) -> ArticleList:
        return ArticleList(items, self._build, state=self._state, sources=self._sources, built=built)
