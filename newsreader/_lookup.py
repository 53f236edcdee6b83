"""Finding things in the store's records: sorted headline lists, and ids from what a user types.

Pure functions over the records (no store, no I/O), used by the :class:`~newsreader.library.Library`
facade, which reads the records and passes them in.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsreader._rows import ArticleList as ArticleList  # the lists these sorts make
from newsreader.errors import ArticleNotFoundError, UserInputError
from newsreader.store.records import (
    Flags,
    HeadlineRecord,
    SourceRecord,
    newest_first_ids,
    newest_first_merged,
    sort_key,
)

if TYPE_CHECKING:
    from newsreader.store.head import Candidates

_Item = tuple[str, HeadlineRecord]


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
    if limit is None:
        ids = newest_ids(headlines, state, source_id=source_id, unread=unread, starred=starred, known=known)
        return [(i, headlines[i]) for i in ids]
    import heapq

    def key(item: _Item) -> tuple[float, int]:
        return sort_key(item[1])

    ids = _matching(headlines, state, source_id, unread, starred, known)
    return heapq.nlargest(limit, ((i, headlines[i]) for i in ids), key=key)


def newest_ids(
    headlines: Mapping[str, HeadlineRecord],
    state: Mapping[str, int],
    *,
    source_id: str | None,
    unread: bool,
    starred: bool,
    known: Container[str] | None = None,
) -> list[str]:
    """The ids ``newest_first`` lists, without pairing each with its record (a whole list's sort)."""
    ids = _matching(headlines, state, source_id, unread, starred, known)
    return newest_first_ids(ids, headlines, SORT_RUN)


def _matching(
    headlines: Mapping[str, HeadlineRecord],
    state: Mapping[str, int],
    source_id: str | None,
    unread: bool,
    starred: bool,
    known: Container[str] | None,
) -> list[str]:
    """The ids of the listed headlines, in the store's order."""
    hidden, read, star = _HIDDEN, _READ, _STARRED  # plain ints: IntFlag's operators cost seconds at 100k
    library = headlines if known is None else known
    # Lists, not chained generators: a generator's step a record was 15 ms of 50,000's index.
    if source_id is not None:
        ids = [i for i, r in headlines.items() if r.get("src") == source_id]
    else:  # a teaser linked to its full article is that article's entry (newsreader.extract.link)
        ids = [i for i, r in headlines.items() if r.get("full_article") not in library]
    if any(flags & hidden for flags in state.values()):  # a rule hid some: they leave lists
        ids = [i for i in ids if not state.get(i, 0) & hidden]
    if unread:
        ids = [i for i in ids if not state.get(i, 0) & read]
    if starred:
        ids = [i for i in ids if state.get(i, 0) & star]
    return ids


SORT_RUN = 4096
"""Records sorted at a time: a sort's comparisons run in C without letting other threads in, so a
100,000-row sort in one piece holds the interpreter (and the app's keys) for a long moment."""


def sorted_newest(items: Iterable[_Item]) -> list[_Item]:
    """``sorted(items, key=sort_key of the record, reverse=True)``, in runs of ``SORT_RUN`` merged a
    few at a time (``store.records.newest_first_merged``), so no single step holds the GIL for long;
    the same order. Sorted on the records' own numbers: no key tuple per record."""
    rows = items if isinstance(items, list) else list(items)
    return newest_first_merged([rows[i : i + SORT_RUN] for i in range(0, len(rows), SORT_RUN)])


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


_READ, _STARRED, _HIDDEN = int(Flags.READ), int(Flags.STARRED), int(Flags.HIDDEN)


def counts(headlines: Mapping[str, HeadlineRecord], state: Mapping[str, int]) -> dict[str, tuple[int, int]]:
    """Source id -> (articles, unread), leaving out what a rule hid."""
    return tallies(headlines, state)[0]


def tallies(
    headlines: Mapping[str, HeadlineRecord], state: Mapping[str, int]
) -> tuple[dict[str, tuple[int, int]], int]:
    """Source id -> (articles, unread), and how many the Starred view lists, in one pass: what a
    rule hid is left out, and a teaser linked to its full article is not listed as starred."""
    hidden, read, star = _HIDDEN, _READ, _STARRED  # plain ints: IntFlag's operators are slow
    out: dict[str, list[int]] = {}
    starred = 0
    for article_id, rec in headlines.items():
        flags = state.get(article_id, 0)
        if flags & hidden:
            continue
        c = out.get(rec.get("src", ""))
        if c is None:
            c = out[rec.get("src", "")] = [0, 0]
        c[0] += 1
        if not flags & read:
            c[1] += 1
        if flags & star and rec.get("full_article") not in headlines:
            starred += 1
    return {sid: (c[0], c[1]) for sid, c in out.items()}, starred


@dataclass(frozen=True, slots=True)
class StateChange:
    """What one read/star write changed, for the counts shown to follow it without a recount.

    ``flags``: article id -> (source id, flags before, flags after), for each article whose flags
    changed; ``starred_listed``: the ids among them the Starred view can list (not teasers linked to
    their full article); ``stamps``: ``Library.stamp()`` before and after the write (counts taken at
    the first follow the change to the second; any other write in between is not in it).
    """

    flags: dict[str, tuple[str, int, int]]
    starred_listed: frozenset[str]
    stamps: tuple[object, object] = (None, None)

    @property
    def changed(self) -> int:
        return len(self.flags)

    def state_after(self, article_id: str) -> tuple[bool, bool]:
        """An article's (read, starred) after the write (one it changed)."""
        flags = self.flags[article_id][2]
        return bool(flags & _READ), bool(flags & _STARRED)

    def deltas(self) -> tuple[dict[str, int], int]:
        """Source id -> change in its unread count, and the change in the Starred count (a pass over
        every changed article: for a whole view, do it off the UI thread)."""
        unread: dict[str, int] = {}
        starred = 0
        for article_id in self.flags:
            source_id, step, star = self.delta_of(article_id)
            if step:
                unread[source_id] = unread.get(source_id, 0) + step
            starred += star
        return unread, starred

    def delta_of(self, article_id: str) -> tuple[str, int, int]:
        """One changed article's part in ``deltas``: (source id, unread change, starred change)."""
        hidden, read, star = _HIDDEN, _READ, _STARRED
        source_id, before, after = self.flags[article_id]
        was = 0 if before & hidden else 1
        now = 0 if after & hidden else 1
        step = now * (not after & read) - was * (not before & read)
        stars = (
            now * bool(after & star) - was * bool(before & star) if article_id in self.starred_listed else 0
        )
        return source_id, step, stars


def state_change(
    headlines: Mapping[str, HeadlineRecord],
    before: Mapping[str, int],
    after: Mapping[str, int],
    ids: Iterable[str],
) -> StateChange:
    """The :class:`StateChange` between two readings of the state, over ``ids``."""
    flags: dict[str, tuple[str, int, int]] = {}
    listed: set[str] = set()
    for article_id in ids:
        old, new = before.get(article_id, 0), after.get(article_id, 0)
        rec = headlines.get(article_id)
        if old == new or rec is None:
            continue
        flags[article_id] = (rec.get("src", ""), old, new)
        if rec.get("full_article") not in headlines:
            listed.add(article_id)
    return StateChange(flags, frozenset(listed))


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
