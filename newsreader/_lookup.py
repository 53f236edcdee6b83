"""Finding things in the store's records: lazy headline lists, and ids from what a user types.

Pure functions over the records (no store, no I/O), used by the :class:`~newsreader.library.Library`
facade, which reads the records and passes them in.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, overload

from newsreader.errors import ArticleNotFoundError, UserInputError
from newsreader.models import Article
from newsreader.store.records import Flags, HeadlineRecord, SourceRecord, sort_key
from newsreader.store.records import newest_first as sorted_newest_first

if TYPE_CHECKING:
    from newsreader.store.head import Candidates

_Item = tuple[str, HeadlineRecord]


class ArticleList(Sequence[Article]):
    """Headlines, sorted, built into :class:`Article` objects only when looked at.

    A 100k-article list costs one sort of the raw records; a list widget that draws 40 visible rows
    builds 40 Articles. Indexing, slicing, ``len`` and iteration work as on a list.
    """

    __slots__ = ("_build", "_cache", "_items")

    def __init__(self, items: list[_Item], build: Callable[[str, HeadlineRecord], Article]) -> None:
        self._items = items
        self._build = build
        self._cache: dict[int, Article] = {}

    def __len__(self) -> int:
        return len(self._items)

    def _at(self, index: int) -> Article:
        article = self._cache.get(index)
        if article is None:
            article = self._cache[index] = self._build(*self._items[index])
        return article

    @overload
    def __getitem__(self, index: int) -> Article: ...
    @overload
    def __getitem__(self, index: slice) -> list[Article]: ...
    def __getitem__(self, index: int | slice) -> Article | list[Article]:
        if isinstance(index, slice):
            return [self._at(i) for i in range(*index.indices(len(self._items)))]
        if index < 0:
            index += len(self._items)
        if not 0 <= index < len(self._items):
            raise IndexError("article index out of range")
        return self._at(index)

    def __iter__(self) -> Iterator[Article]:
        for index in range(len(self._items)):
            yield self._at(index)

    def index_of(self, article_id: str) -> int | None:
        """Position of an article id, or ``None``."""
        for index, item in enumerate(self._items):
            if item[0] == article_id:
                return index
        return None


def newest_first(
    headlines: Mapping[str, HeadlineRecord],
    state: Mapping[str, int],
    *,
    source_id: str | None,
    unread: bool,
    starred: bool,
    limit: int | None,
    known: Container[str] | None = None,
) -> list[_Item]:
    """The matching headline records, newest first (file order among equal dates).

    ``known`` says which ids are in the library (default: ``headlines``), for a teaser's full article.
    """
    library = headlines if known is None else known
    items: Iterable[_Item] = headlines.items()
    if any(flags & Flags.HIDDEN for flags in state.values()):  # a rule hid some: they leave lists
        items = ((i, r) for i, r in items if not state.get(i, 0) & Flags.HIDDEN)
    if source_id is not None:
        items = ((i, r) for i, r in items if r.get("src") == source_id)
    else:  # a teaser linked to its full article is that article's entry (newsreader.extract.link)
        items = ((i, r) for i, r in items if r.get("full_article") not in library)
    if unread:
        items = ((i, r) for i, r in items if not state.get(i, 0) & Flags.READ)
    if starred:
        items = ((i, r) for i, r in items if state.get(i, 0) & Flags.STARRED)

    def key(item: _Item) -> tuple[float, int]:
        return sort_key(item[1])

    if limit is not None:
        import heapq

        chosen = heapq.nlargest(limit, items, key=key)
    else:
        chosen = sorted_newest_first(items)  # no key tuple per record: 40 MB less at 500,000
    return chosen


def newest_from_head(
    head: Candidates,
    state: Mapping[str, int],
    *,
    source_id: str | None,
    unread: bool,
    starred: bool,
    limit: int,
) -> list[_Item] | None:
    """``newest_first`` over the store's head (the newest records only), or ``None`` when the head
    cannot tell: fewer than ``limit`` of its records match, or a match sorts at its cut."""
    chosen = newest_first(
        head.articles,
        state,
        source_id=source_id,
        unread=unread,
        starred=starred,
        limit=limit,
        known=head.known,
    )
    if head.known.unsure:
        return None
    if head.cut is None:
        return chosen
    if len(chosen) < limit or (chosen and sort_key(chosen[-1][1]) <= head.cut):
        return None
    return chosen


def counts(headlines: Mapping[str, HeadlineRecord], state: Mapping[str, int]) -> dict[str, tuple[int, int]]:
    """Source id -> (articles, unread), leaving out what a rule hid."""
    hidden, read = int(Flags.HIDDEN), int(Flags.READ)  # plain ints: IntFlag's operators are slow
    out: dict[str, list[int]] = {}
    for article_id, rec in headlines.items():
        flags = state.get(article_id, 0)
        if flags & hidden:
            continue
        c = out.setdefault(rec.get("src", ""), [0, 0])
        c[0] += 1
        if not flags & read:
            c[1] += 1
    return {sid: (c[0], c[1]) for sid, c in out.items()}


def resolve_source(name: str, sources: Mapping[str, SourceRecord]) -> str:
    """A source id from an id, URL/path or title (case-insensitive).

    Raises:
        UserInputError: nothing matches, or several sources do.
    """
    if name in sources:
        return name
    if not name.strip():
        raise UserInputError("an empty name matches no feed or dump (see `newsreader feeds`)")
    folded = name.casefold()
    matches = [
        sid
        for sid, rec in sources.items()
        if folded in (str(rec.get("location", "")).casefold(), str(rec.get("title", "")).casefold())
        or (rec.get("kind") != "feed" and folded == _file_name(rec).casefold())  # a dump by file name
        or sid.startswith(name)
    ]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise UserInputError(f"no feed or dump matches {name!r} (see `newsreader feeds`)")
    raise UserInputError(f"{name!r} matches {len(matches)} sources; use the id from `newsreader feeds`")


def _file_name(rec: SourceRecord) -> str:
    location = str(rec.get("location", ""))
    return location.rsplit("/", 1)[-1] if "/" in location else ""


def resolve_article(article_id: str, headlines: Mapping[str, HeadlineRecord], where: str) -> str:
    """A full article id from an id or a unique prefix of 4+ characters.

    Raises:
        ArticleNotFoundError: no article, or the prefix matches several.
    """
    article_id = article_id.strip().lower()
    if article_id in headlines:
        return article_id
    if len(article_id) >= 4:
        matches = [i for i in headlines if i.startswith(article_id)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise ArticleNotFoundError(
                f"article id {article_id!r} is ambiguous: {len(matches)} articles start with it"
            )
    raise ArticleNotFoundError(f"no article with id {article_id!r} in library {where}")


def find_feed(name: str, sources: Mapping[str, SourceRecord]) -> str | None:
    """The id of the subscription with this URL, id or unique id prefix (4+ characters)."""
    from newsreader.ingest.feed import source_id_for as feed_id

    feeds = {sid: rec for sid, rec in sources.items() if rec.get("kind") == "feed"}
    if name in feeds:
        return name
    for sid, rec in feeds.items():
        if rec.get("location") == name:
            return sid
    if feed_id(name) in feeds:  # the URL first subscribed, before a 301 moved it
        return feed_id(name)
    if len(name) >= 4:
        matches = [sid for sid in feeds if sid.startswith(name.lower())]
        if len(matches) == 1:
            return matches[0]
    return None
