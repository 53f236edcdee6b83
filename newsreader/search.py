"""Search: the query language, the index beside the store, ranking, snippets and highlighting.

The index (``<library>/search/``: tantivy for the text, SQLite for what a hit prints) is derived data:
TinyDB stays the store of record, and the index can always be rebuilt from it. It records the store
``generation`` (and a cheap stamp of the headlines file) it is in sync with, so a search in a library
that has not changed reads no headlines at all, and one that has changed is caught up by a diff (new,
changed and removed articles), not a rebuild.

Why tantivy and not SQLite FTS5 or a hand-written index: see README ("Search engine").
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import tempfile
import threading
import time
import unicodedata
import weakref
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from newsreader.errors import InvalidQueryError, StoreError, StoreLockedError
from newsreader.models import Article, SearchHit, SourceKind
from newsreader.store.lock import LibraryLock

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int, str], None]
"""``progress(done, total, label)``, as in ``newsreader.library``."""

READ = 1
STARRED = 2
"""Bits of a ``Store.state()`` value."""

# --- text folding -----------------------------------------------------------------------------------

# A token as the index's tokenizer sees it: a run of letters and digits (not underscore), with any
# combining marks (decomposed accents) attached to it (the index NFC-normalises text first).
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_TOKEN = re.compile(rf"[^\W_][^\W_{_MARKS}]*(?:[{_MARKS}]+[^\W_]*)*|[^\W_]")
_fold_cache: dict[str, str] = {}
_LIGATURES = str.maketrans(
    {"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "đ": "d", "ł": "l", "þ": "th", "ı": "i"}
)
"""Letters that do not decompose but that the index's ASCII folding maps (as tantivy's ``ascii_fold``)."""


def fold(word: str) -> str:
    """Lower case without diacritics, as the index folds a token (lowercase + ASCII folding)."""
    hit = _fold_cache.get(word)
    if hit is not None:
        return hit
    folded = word.lower()
    if not folded.isascii():
        decomposed = unicodedata.normalize("NFD", folded.translate(_LIGATURES))
        folded = unicodedata.normalize(
            "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        )
    if len(_fold_cache) < 200_000:
        _fold_cache[word] = folded
    return folded


def tokens(text: str) -> list[str]:
    """The folded tokens of a text, split as the index splits it."""
    return [fold(m.group()) for m in _TOKEN.finditer(text)]


def highlight_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of the words in ``text`` that match ``terms``, in text order.

    Matching is case- and accent-insensitive and by whole word; a term ending in ``*`` matches any word it
    starts. A phrase term (``"off ramp"``) matches only where its words follow each other.

    Args:
        text: any text (a title, a 30 KB body): it is scanned once, word by word.
        terms: as in ``SearchHit.terms``.
    """
    exact: set[str] = set()
    prefixes: list[str] = []
    phrases: dict[str, list[tuple[list[str], bool]]] = {}  # first word -> (words, last is a prefix)
    for term in terms:
        star = term.endswith("*")
        words = tokens(term)
        if len(words) > 1:
            phrases.setdefault(words[0], []).append((words, star))
        elif words and star:
            prefixes.append(words[0])
        elif words:
            exact.add(words[0])
    if not exact and not prefixes and not phrases:
        return []
    prefix_tuple = tuple(prefixes)
    found = [(fold(m.group()), m.span()) for m in _TOKEN.finditer(text)]
    marked: set[int] = set()
    for i, (word, _span) in enumerate(found):
        if word in exact or (prefix_tuple and word.startswith(prefix_tuple)):
            marked.add(i)
        for words, star in phrases.get(word, ()):
            n = len(words)
            got = [w for w, _ in found[i : i + n]]
            last = got[-1] if len(got) == n else ""
            if got[:-1] == words[:-1] and (last == words[-1] or (star and last.startswith(words[-1]))):
                marked.update(range(i, i + n))
    return [found[i][1] for i in sorted(marked)]


# --- the query language -------------------------------------------------------------------------------

FIELDS = ("title", "author", "feed")
_FLAGS = {"unread": ("read", False), "read": ("read", True), "starred": ("starred", True)}
BARE_FIELDS = ("title", "author", "body")
"""Fields a word without ``field:`` searches: the feed name only with ``feed:``."""
MAX_DEPTH = 32
"""Parentheses nested deeper are refused: the parser recurses per level (600 pasted ``(`` were a
RecursionError), and no one means a query 32 groups deep."""
MAX_PREFIXES = 16
"""Words ending in ``*`` per query: each is a term-dictionary scan in every field it searches (1000 of
them took 6 s), so a flood of them is refused rather than left to run."""


@dataclass(frozen=True, slots=True)
class Term:
    """Words that must appear in this order (one word is a phrase of one)."""

    words: tuple[str, ...]
    field: str | None = None
    prefix: bool = False

    def __str__(self) -> str:
        text = " ".join(self.words) + ("*" if self.prefix else "")
        text = f'"{text}"' if len(self.words) > 1 else text
        return f"{self.field}:{text}" if self.field else text


@dataclass(frozen=True, slots=True)
class Not:
    node: Node


@dataclass(frozen=True, slots=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    nodes: tuple[Node, ...]


Node = Term | Not | And | Or


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: the tree of terms, state filters, and the terms to highlight."""

    text: str
    tree: Node | None
    """``None``: every article (only ``is:`` filters were given)."""
    read: bool | None = None
    starred: bool | None = None
    terms: tuple[str, ...] = ()
    """Positive words and phrases (``putin``, ``off ramp``, ``nucl*``) for ``highlight_spans``."""

    @property
    def filters_state(self) -> bool:
        return self.read is not None or self.starred is not None


@dataclass(slots=True)
class _Lexeme:
    kind: str  # "word" "phrase" "or" "and" "not" "(" ")"
    text: str = ""
    negated: bool = False
    field: str | None = None


def _lex(text: str) -> Iterator[_Lexeme]:
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "()":
            yield _Lexeme(ch)
            i += 1
            continue
        negated = False
        if ch == "-" or ch == "!":
            # A minus glued to what follows negates it; a lone one ("a - b") is punctuation, ignored.
            while i < n and text[i] in "-!":
                i += 1
            if i >= n or text[i].isspace() or text[i] == ")":
                continue
            if text[i] == "(":
                yield _Lexeme("not")  # -(a OR b)
                continue
            negated = True
            ch = text[i]
        if ch == '"':
            end = text.find('"', i + 1)
            end = n if end < 0 else end  # an unbalanced quote runs to the end of the query
            yield _Lexeme("phrase", text[i + 1 : end], negated)
            i = end + 1
            continue
        start = i
        while i < n and not text[i].isspace() and text[i] not in '()"':
            i += 1
        word = text[start:i]
        name, colon, value = word.partition(":")
        key = name.lower()
        if colon and key in (*FIELDS, "is"):
            if not value and i < n and text[i] == '"':
                end = text.find('"', i + 1)
                end = n if end < 0 else end
                value, i = text[i + 1 : end], end + 1
                yield _Lexeme("phrase", value, negated, key)
            elif value:
                yield _Lexeme("word", value, negated, key)
            # "title:" with nothing after it: ignored while the user is still typing
            continue
        if not negated and word in ("OR", "|", "||"):
            yield _Lexeme("or")
        elif not negated and word in ("AND", "&&"):
            yield _Lexeme("and")
        elif not negated and word == "NOT":
            yield _Lexeme("not")
        else:
            yield _Lexeme("word", word, negated)


class _Parser:
    """Recursive descent over lexemes; OR binds tighter than the implicit AND (``a OR b c``)."""

    def __init__(self, text: str) -> None:
        self.lexemes = list(_lex(text))
        self.pos = 0
        self.depth = 0
        self.flags: dict[str, bool] = {}

    def peek(self) -> _Lexeme | None:
        return self.lexemes[self.pos] if self.pos < len(self.lexemes) else None

    def parse(self) -> Node | None:
        node = self.sequence(top=True)
        return node

    def sequence(self, *, top: bool = False) -> Node | None:
        nodes: list[Node] = []
        while (lex := self.peek()) is not None:
            if lex.kind == ")":
                self.pos += 1
                if top:
                    continue  # a stray ")" is ignored
                break
            if lex.kind in ("or", "and"):
                self.pos += 1  # a leading or doubled operator is ignored
                continue
            node = self.alternatives()
            if node is not None:
                nodes.append(node)
        return _and(nodes)

    def alternatives(self) -> Node | None:
        nodes: list[Node] = []
        node = self.unary()
        if node is not None:
            nodes.append(node)
        while (lex := self.peek()) is not None and lex.kind == "or":
            self.pos += 1
            node = self.unary()
            if node is not None:
                nodes.append(node)
        if not nodes:
            return None
        if len(nodes) == 1:
            return nodes[0]
        if any(isinstance(n, Not) for n in nodes):
            raise InvalidQueryError("an excluded word cannot be an alternative of OR; put it outside the OR")
        return Or(tuple(nodes))

    def unary(self) -> Node | None:
        lex = self.peek()
        if lex is None:
            return None
        self.pos += 1
        if lex.kind == "not":
            # A run of NOTs is read by its parity, in a loop: 1000 of them must not recurse 1000 deep.
            negations = 1
            while (after := self.peek()) is not None and after.kind == "not":
                self.pos += 1
                negations += 1
            inner = self.unary()
            return _negate(inner) if negations % 2 else inner
        if lex.kind == "(":
            if self.depth >= MAX_DEPTH:
                raise InvalidQueryError(
                    f"the search nests parentheses more than {MAX_DEPTH} deep; remove some"
                )
            self.depth += 1
            try:
                return self.sequence()
            finally:
                self.depth -= 1
        if lex.kind in ("or", "and", ")"):
            return None
        if lex.field == "is":
            value = lex.text.lower()
            if value not in _FLAGS:
                raise InvalidQueryError(f"unknown filter is:{lex.text}; use is:unread, is:read or is:starred")
            name, wanted = _FLAGS[value]
            self.flags[name] = wanted != lex.negated
            return None
        prefix = lex.kind == "word" and lex.text.endswith("*")
        words = tuple(tokens(lex.text))
        if not words:
            return None  # punctuation only
        node: Node = Term(words, lex.field, prefix)
        return Not(node) if lex.negated else node


def _negate(node: Node | None) -> Node | None:
    if node is None:
        return None
    return node.node if isinstance(node, Not) else Not(node)


def _and(nodes: Sequence[Node]) -> Node | None:
    flat: list[Node] = []
    for node in nodes:
        flat.extend(node.nodes if isinstance(node, And) else (node,))
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else And(tuple(flat))


def _check(node: Node, *, top: bool = False) -> None:
    """Refuse shapes no engine can answer: a group that only excludes, inside another group."""
    if isinstance(node, Term):
        return
    if isinstance(node, Not):
        _check(node.node)
        return
    if isinstance(node, And) and not top and all(isinstance(n, Not) for n in node.nodes):
        raise InvalidQueryError("a group of only excluded words cannot be searched; add a word to it")
    for child in node.nodes:
        _check(child)


def _positive_terms(node: Node | None) -> list[str]:
    if node is None or isinstance(node, Not):
        return []
    if isinstance(node, Term):
        return [" ".join(node.words) + ("*" if node.prefix else "")]
    return [t for n in node.nodes for t in _positive_terms(n)]


def _count_prefixes(node: Node) -> int:
    if isinstance(node, Term):
        return int(node.prefix)
    if isinstance(node, Not):
        return _count_prefixes(node.node)
    return sum(_count_prefixes(n) for n in node.nodes)


def parse_query(text: str) -> Query:
    """Read a query; malformed input gets a best-effort reading.

    Unbalanced quotes run to the end, a lone ``-`` and stray operators or parentheses are ignored.

    Raises:
        InvalidQueryError: the query asks for nothing, names an unknown ``is:`` filter, uses an
            excluded word as an alternative of ``OR``, nests parentheses more than ``MAX_DEPTH`` deep
            or has more than ``MAX_PREFIXES`` words ending in ``*``.
    """
    parser = _Parser(text)
    tree = parser.parse()
    read, starred = parser.flags.get("read"), parser.flags.get("starred")
    if tree is None and read is None and starred is None:
        if shown := text.strip():  # symbols or emoji only: the index holds words, so nothing can match
            shown = shown if len(shown) <= 40 else shown[:40] + "…"
            raise InvalidQueryError(
                f"nothing to search for in {shown!r}: searches match words and numbers, not symbols"
            )
        raise InvalidQueryError('empty search: type words, a "phrase", title:/author:/feed: or is:unread')
    if tree is not None:
        _check(tree, top=True)
        prefixes = _count_prefixes(tree)
        if prefixes > MAX_PREFIXES:
            raise InvalidQueryError(
                f"a search can have at most {MAX_PREFIXES} words ending in *; this one has {prefixes}"
            )
    terms = tuple(dict.fromkeys(_positive_terms(tree)))
    return Query(text, tree, read, starred, terms)


# --- the index ------------------------------------------------------------------------------------------


class StoreLike(Protocol):
    """What the index reads from ``newsreader.store.Store``."""

    path: Path

    @property
    def generation(self) -> int: ...

    def headlines(self) -> Mapping[str, Mapping[str, Any]]: ...

    def sources(self) -> Mapping[str, Mapping[str, Any]]: ...

    def state(self) -> Mapping[str, int]: ...

    def body(self, article_id: str) -> Mapping[str, Any] | None: ...


INDEX_DIR = "search"
"""``<library>/search/``: ``docs.sqlite`` (what a hit prints, sync bookkeeping) and ``text/`` (tantivy)."""
SCHEMA = 1
"""Bumped when the index layout or tokenizer changes: an index of another schema is rebuilt."""
BOOSTS = {"title": 8.0, "author": 4.0, "feed": 2.0, "body": 1.0}
"""BM25 weight of a match in each field: a word in the title counts eight times one in the body."""
_BATCH = 1000
_SNIPPET_CHARS = 180
_BREAKS = re.compile(r"\s*\n\s*")

_DDL = f"""
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value);
CREATE TABLE IF NOT EXISTS docs(
    id TEXT NOT NULL UNIQUE,
    src TEXT NOT NULL,
    title TEXT NOT NULL,
    author TEXT,
    url TEXT,
    excerpt TEXT,
    published REAL,
    added REAL,
    truncated INTEGER NOT NULL DEFAULT 0,
    n INTEGER NOT NULL DEFAULT 0,
    body BLOB,
    sig BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS feeds(src TEXT PRIMARY KEY, title TEXT NOT NULL);
PRAGMA user_version = {SCHEMA};
"""
_HIT_COLUMNS = "id, src, title, author, url, excerpt, published, added, truncated, n, body"


@dataclass(slots=True)
class SyncReport:
    """What bringing the index up to date did."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    rebuilt: bool = False
    cancelled: bool = False
    """The caller's cancel event stopped it; nothing was written, the next sync starts over."""
    seconds: float = 0.0


class _Cancelled(Exception):
    """Raised inside a sync to stop it when the caller's cancel event is set."""


class _Broken(Exception):
    """The index files are unusable: throw them away and rebuild."""


def _signature(rec: Mapping[str, Any], feed: str) -> bytes:
    """A digest of what the index copies from a headline record; a change means re-index."""
    keys = ("src", "title", "author", "url", "excerpt", "published", "updated", "added", "truncated", "n")
    parts = (*(rec.get(k) for k in keys), feed)
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=12).digest()


def _stamp(store: StoreLike) -> str | None:
    """A cheap fingerprint of the headlines file: the store replaces it atomically on every commit.

    Comparing it avoids parsing 50k headlines just to read ``store.generation``.
    """
    try:
        st = (Path(store.path) / "headlines.json").stat()
    except OSError:
        return None
    return f"{st.st_ino}:{st.st_mtime_ns}:{st.st_size}"


def _epoch(value: Any) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if isinstance(value, int | float) else None


def _nfc(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFC", text)


_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})
_DENIED = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})
_OS_ERROR = re.compile(r"os error (\d+)")
"""How tantivy's ``ValueError`` names the OS error under it (``No space left on device (os error 28)``)."""
_SQLITE_IOERR, _SQLITE_READONLY, _SQLITE_FULL, _SQLITE_CANTOPEN = 10, 8, 13, 14


def _writable(path: Path) -> bool:
    """Whether the nearest existing folder at or above ``path`` can be written (EROFS counts, for root)."""
    for folder in (path, *path.parents):
        if folder.exists():
            return os.access(folder, os.W_OK)
    return False


def _disk_trouble(exc: BaseException, path: Path) -> str | None:
    """``"full"`` or ``"read-only"`` when a failure is the disk's, not the index's: no rebuild helps."""
    if isinstance(exc, StoreError) and exc.__cause__ is not None:
        exc = exc.__cause__  # the store's lock wraps the OSError
    codes: set[int] = set()
    if isinstance(exc, OSError) and exc.errno is not None:
        codes.add(exc.errno)
    elif isinstance(exc, ValueError):  # tantivy
        codes.update(int(n) for n in _OS_ERROR.findall(str(exc)))
    elif isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if code == _SQLITE_FULL or (
            code == _SQLITE_IOERR and shutil.disk_usage(_existing(path)).free < 2**20
        ):
            return "full"
        if code == _SQLITE_READONLY or (code == _SQLITE_CANTOPEN and not _writable(path)):
            return "read-only"
    if codes & _FULL:
        return "full"
    if codes & _DENIED or (codes and not _writable(path)):
        return "read-only"
    return None


def _existing(path: Path) -> Path:
    return next((p for p in (path, *path.parents) if p.exists()), Path("/"))


def _disk_error(trouble: str, path: Path) -> StoreError:
    if trouble == "full":
        return StoreError(
            f"cannot write the search index in {path}: no space left on device; free some space and"
            " search again (the library itself is unchanged)"
        )
    return StoreError(
        f"cannot update the search index in {path}: the library is read-only; search it where it can"
        " be written once, and it searches read-only after"
    )


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back if a transaction is still open: SQLite ends one itself on some errors (a full disk),
    and a ROLLBACK then would hide the real error behind 'no transaction is active'."""
    if conn.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")


class SearchIndex:
    """The search index of one library: tantivy for the text, SQLite for what a hit prints.

    Thread-safe, and safe with other processes: writes run under ``search.lock`` (flock) and inside one
    SQLite transaction each; tantivy commits first and SQLite records its opstamp in that transaction, so
    a crash between the two is detected by the next write and the index rebuilt. Searches take no lock.
    Failures never reach the store: an unusable index is logged, deleted and rebuilt from the store.

    Args:
        store: the library's store (read only: the index never writes it).
        path: the index folder; default ``<library>/search``.
    """

    def __init__(self, store: StoreLike, path: Path | None = None) -> None:
        self.store = store
        self.path = Path(path) if path is not None else Path(store.path) / INDEX_DIR
        self._conn: sqlite3.Connection | None = None
        self._text: Any = None  # tantivy.Index
        self._analyzer: Any = None
        self._inode = 0
        """Of the docs.sqlite this object opened: another process's rebuild replaces the file."""
        self._incarnation: str | None = None
        """A random id written when the index is created, so a reset does not delete a newer rebuild."""
        self._lock = threading.RLock()
        self._lock_path = self.path.with_name(self.path.name + ".lock")
        self._lock_depth = 0
        self._read_only = False
        """Opened read-only (the folder cannot be written): searches work while the index is fresh."""
        self._opstamp: int | None = None
        """tantivy's opstamp if the open SQLite transaction committed tantivy; recorded with it."""

    # -- opening -------------------------------------------------------------------------------------

    def _schema(self) -> Any:
        import tantivy

        sb = tantivy.SchemaBuilder()
        sb.add_text_field("id", stored=True, tokenizer_name="raw")
        for name in BOOSTS:
            sb.add_text_field(name, tokenizer_name="folded")
        sb.add_float_field("date", fast=True)
        return sb.build()

    @contextlib.contextmanager
    def _exclusive(self, timeout: float = 60.0) -> Iterator[None]:
        """The index's write lock across processes (``search.lock`` beside the folder); re-entrant.

        Every write, creation and reset happens under it, so tantivy's single-writer rule holds and one
        process's reset never deletes what another is building. Searches do not take it.
        """
        if self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        if self._read_only:
            raise _disk_error("read-only", self.path)
        with contextlib.ExitStack() as held:
            try:
                held.enter_context(LibraryLock(self._lock_path, timeout)())
            except StoreLockedError:
                raise StoreLockedError(
                    f"the search index in {self.path} is busy (another newsreader is updating it);"
                    " try again in a moment"
                ) from None
            except (StoreError, OSError) as exc:
                trouble = _disk_trouble(exc, self._lock_path)
                if trouble is None and isinstance(exc, StoreError):
                    raise
                raise _disk_error(trouble or "read-only", self.path) from exc
            self._lock_depth = 1
            try:
                yield
            finally:
                self._lock_depth = 0

    def _open(self) -> tuple[sqlite3.Connection, Any]:
        if self._conn is not None and self._text is not None:
            try:
                current = os.stat(self.path / "docs.sqlite").st_ino
            except OSError:
                current = 0
            if current == self._inode:
                return self._conn, self._text
            self.close()  # another process reset and rebuilt the index: follow it
        db = self.path / "docs.sqlite"
        if db.exists() and (self.path / "text" / "meta.json").exists():
            try:
                return self._connect(create=False)
            except _Broken as exc:
                if exc.__cause__ is None or _disk_trouble(exc.__cause__, self.path) != "read-only":
                    raise
            return self._connect_read_only()
        with self._exclusive():
            return self._connect(create=True)

    def _connect(self, *, create: bool) -> tuple[sqlite3.Connection, Any]:
        import tantivy

        self.path.mkdir(parents=True, exist_ok=True)
        db = self.path / "docs.sqlite"
        conn = sqlite3.connect(db, timeout=30.0, isolation_level=None, check_same_thread=False)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA) or (version == 0 and not create):
                raise _Broken(f"schema {version}, this newsreader writes {SCHEMA}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            if version == 0:
                conn.executescript("BEGIN IMMEDIATE;" + _DDL + "COMMIT;")
                self._set_meta(conn, "incarnation", os.urandom(8).hex())
            text_dir = self.path / "text"
            if (
                not (text_dir / "meta.json").exists()
                and conn.execute("SELECT 1 FROM docs LIMIT 1").fetchone()
            ):
                raise _Broken("its text index is missing")
            text_dir.mkdir(exist_ok=True)
            index = tantivy.Index(self._schema(), path=str(text_dir), reuse=True)
            incarnation = self._meta(conn, "incarnation")
            inode = os.stat(db).st_ino
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise _Broken(str(exc)) from exc
        except (OSError, ValueError) as exc:
            conn.close()
            raise _Broken(str(exc)) from exc
        except BaseException:
            conn.close()
            raise
        self._register(index)
        self._read_only = False
        self._conn, self._text = conn, index
        self._inode, self._incarnation = inode, incarnation
        return conn, index

    def _connect_read_only(self) -> tuple[sqlite3.Connection, Any]:
        """Open an index that cannot be written (a read-only library), to search it while it is fresh.

        SQLite reads it as immutable (its WAL was checkpointed when the last writer closed). tantivy
        insists on creating lock files even to read, so it opens a temporary folder of symlinks to the
        index files: nothing is copied.
        """
        import tantivy

        db = self.path / "docs.sqlite"
        mirror = Path(tempfile.mkdtemp(prefix="newsreader-search-"))
        weakref.finalize(self, shutil.rmtree, mirror, True)
        try:
            conn = sqlite3.connect(f"{db.as_uri()}?immutable=1", uri=True, check_same_thread=False)
            if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA:
                raise _Broken(f"it is read-only and of another schema than {SCHEMA}")
            for entry in (self.path / "text").iterdir():
                if not entry.name.startswith(".tantivy-"):
                    (mirror / entry.name).symlink_to(entry)
            index = tantivy.Index(self._schema(), path=str(mirror), reuse=True)
        except (sqlite3.Error, OSError, ValueError) as exc:
            raise StoreError(f"cannot read the search index in {self.path}: {exc}") from exc
        self._register(index)
        self._read_only = True
        self._conn, self._text = conn, index
        self._inode, self._incarnation = os.stat(db).st_ino, self._meta(conn, "incarnation")
        return conn, index

    def _register(self, index: Any) -> None:
        import tantivy

        self._analyzer = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(64))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
            .build()
        )
        index.register_tokenizer("folded", self._analyzer)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
            self._conn = self._text = None

    def _reset(self, why: object) -> None:
        """Throw a broken index away; the next sync rebuilds it from the store.

        Unless another process already did: then the index on disk is not the one that failed here.
        """
        seen = self._incarnation
        self.close()
        with self._exclusive():
            current = None
            with contextlib.suppress(sqlite3.Error, OSError):
                probe = sqlite3.connect(f"file:{self.path / 'docs.sqlite'}?mode=ro", uri=True, timeout=5)
                try:
                    current = self._meta(probe, "incarnation")
                finally:
                    probe.close()
            if seen is not None and current is not None and current != seen:
                log.info("search index %s was rebuilt by another process", self.path)
                return
            log.warning("search index %s is unusable (%s); rebuilding it", self.path, why)
            shutil.rmtree(self.path, ignore_errors=True)

    def _attempt(self, operation: Callable[[], Any]) -> Any:
        """Run an operation; if the index turns out broken, reset it and run it once more.

        A full or read-only disk is not a broken index: it is reported, and nothing is reset.
        """
        for attempt in range(2):
            try:
                try:
                    return operation()
                except (sqlite3.Error, OSError, ValueError) as exc:
                    trouble = _disk_trouble(exc, self.path)
                    if trouble is not None:
                        raise _disk_error(trouble, self.path) from exc
                    if isinstance(exc, sqlite3.OperationalError) and (
                        "locked" in str(exc) or "busy" in str(exc)
                    ):
                        raise StoreLockedError(
                            f"the search index in {self.path} is busy (another newsreader is updating it);"
                            " try again in a moment"
                        ) from exc
                    if isinstance(exc, sqlite3.DatabaseError | OSError):
                        raise _Broken(str(exc)) from exc
                    raise  # a ValueError that is no I/O failure: a bug, reported as one
            except _Broken as exc:
                trouble = _disk_trouble(exc.__cause__, self.path) if exc.__cause__ is not None else None
                if trouble is not None:
                    raise _disk_error(trouble, self.path) from exc.__cause__
                if attempt:
                    raise StoreError(f"cannot use the search index in {self.path}: {exc}") from exc
                self._reset(exc)
        raise AssertionError("unreachable")

    @staticmethod
    def _meta(conn: sqlite3.Connection, key: str) -> Any:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    @staticmethod
    def _set_meta(conn: sqlite3.Connection, key: str, value: Any) -> None:
        conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def _fresh(self, conn: sqlite3.Connection) -> str | None:
        """``"stamp"`` or ``"generation"`` when the index matches the store (by what matched), else None.

        The stamp (a stat) is compared first; only when it differs is ``headlines.json`` parsed for its
        generation. A rewrite that kept the generation (a migration) matches by generation once: the next
        sync records the new stamp.
        """
        stamp = _stamp(self.store)
        if stamp is not None and stamp == self._meta(conn, "stamp"):
            return "stamp"
        generation = self._meta(conn, "generation")
        if generation is not None and generation == self.store.generation:
            return "generation"
        return None

    def _check_halves(self, conn: sqlite3.Connection) -> None:
        """Under the write lock: tantivy and SQLite must record the same commit, else rebuild.

        tantivy commits first; a crash before SQLite commits leaves them apart (documents in one and not
        the other), which no diff can see.
        """
        recorded = self._meta(conn, "opstamp")
        if recorded is None:
            return
        try:
            with open(self.path / "text" / "meta.json", "rb") as fh:
                current = json.load(fh).get("opstamp")
        except (OSError, ValueError) as exc:
            raise _Broken(f"its text index cannot be read: {exc}") from exc
        if current != recorded:
            raise _Broken(f"an interrupted write left its halves apart ({current} != {recorded})")

    def _begin(self, conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")
        self._opstamp = None

    def _commit(self, conn: sqlite3.Connection) -> None:
        if self._opstamp is not None:
            self._set_meta(conn, "opstamp", self._opstamp)
        conn.execute("COMMIT")

    # -- keeping in sync -----------------------------------------------------------------------------

    def in_sync(self) -> bool:
        """Whether the index matches the store's headlines (cheap: a stat and one SQLite row)."""
        if not self.path.exists():
            return False
        with self._lock:
            return self._attempt(lambda: self._fresh(self._open()[0])) is not None

    def sync(
        self,
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> SyncReport:
        """Bring the index up to date with the store: a diff when it is behind, a build when missing.

        Feed renames are applied too. Safe to call often: when nothing changed it costs a stat.
        """
        if _stamp(self.store) is None:
            return SyncReport()  # nothing imported yet: nothing to index, no folder to create
        with self._lock:
            return self._attempt(lambda: self._sync(progress, cancel))  # type: ignore[no-any-return]

    def _sync(self, progress: ProgressCallback | None, cancel: threading.Event | None) -> SyncReport:
        started = time.perf_counter()
        conn, _ = self._open()
        report = SyncReport()
        sources = self.store.sources()
        if self._fresh(conn) == "stamp":
            self._sync_feeds(sources)
            return report
        with self._exclusive():
            return self._sync_locked(conn, sources, report, started, progress, cancel)

    def _sync_locked(
        self,
        conn: sqlite3.Connection,
        sources: Mapping[str, Mapping[str, Any]],
        report: SyncReport,
        started: float,
        progress: ProgressCallback | None,
        cancel: threading.Event | None,
    ) -> SyncReport:
        self._begin(conn)
        try:
            fresh = self._fresh(conn)
            if fresh:  # another process caught up while we waited (or only the stamp changed)
                if fresh == "generation":
                    self._set_meta(conn, "stamp", _stamp(self.store))
                conn.execute("COMMIT")
                self._sync_feeds(sources)
                return report
            self._check_halves(conn)
            # Stamp and generation before the headlines: if a commit lands in between, the recorded
            # generation is older than what was indexed, which costs one more diff, never a miss.
            stamp = _stamp(self.store)
            generation = self.store.generation
            heads = self.store.headlines()
            feeds = {src: str(rec.get("title") or src) for src, rec in sources.items()}
            indexed = dict(conn.execute("SELECT id, sig FROM docs"))
            report.rebuilt = not indexed
            todo: list[str] = []
            for article_id, rec in heads.items():
                old = indexed.pop(article_id, None)
                src = str(rec.get("src", ""))
                if old != _signature(rec, feeds.get(src, src)):
                    todo.append(article_id)
                    report.added += old is None
                    report.updated += old is not None
            gone = list(indexed)
            todo.sort()  # bodies are sharded by id prefix: sorted batches read each shard about once
            total = len(todo) + len(gone)
            label = "building search index" if report.rebuilt else "updating search index"
            if progress is not None and total:
                progress(0, total, label)
            with self._writer(big=total > _BATCH) as writer:
                self._drop(conn, writer, gone)
                report.removed = len(gone)
                done = len(gone)
                for start in range(0, len(todo), _BATCH):
                    if cancel is not None and cancel.is_set():
                        raise _Cancelled
                    batch = todo[start : start + _BATCH]
                    self._upsert(conn, writer, batch, heads, feeds)
                    done += len(batch)
                    if progress is not None:
                        progress(done, total, label)
            self._set_meta(conn, "generation", generation)
            self._set_meta(conn, "stamp", stamp)
            self._write_feeds(conn, feeds)
            self._commit(conn)
        except _Cancelled:
            _rollback(conn)
            return SyncReport(cancelled=True)
        except BaseException:
            _rollback(conn)
            raise
        report.seconds = time.perf_counter() - started
        if total:
            log.info("search index: %s", report)
        return report

    @contextlib.contextmanager
    def _writer(self, *, big: bool) -> Iterator[Any]:
        """A tantivy writer, committed on success (before the caller commits SQLite), else rolled back."""
        _, index = self._open()
        assert self._lock_depth, "tantivy allows one writer: write only under _exclusive()"
        writer = index.writer(heap_size=(64 if big else 16) * 2**20, num_threads=0 if big else 1)
        try:
            yield writer
        except BaseException:
            with contextlib.suppress(Exception):
                writer.rollback()
                writer.wait_merging_threads()  # releases tantivy's writer lock (rollback alone does not)
            raise
        else:
            self._opstamp = writer.commit()
            writer.wait_merging_threads()
            index.reload()

    def index_articles(self, article_ids: Sequence[str]) -> None:
        """Index (or re-index) these just-committed articles, if the index exists.

        The import and refresh paths call this after a commit. When the index was in sync before that
        commit, it is in sync after (no diff at the next search). A missing index is left for the next
        search to build; a busy one (another process writing it) for a later catch-up.
        """
        if not article_ids or not self.path.exists():
            return
        with self._lock:
            try:
                self._attempt(lambda: self._index_ids(article_ids))
            except StoreError as exc:  # busy or broken: the next search catches up or rebuilds
                log.info("search index not updated now (%d articles): %s", len(article_ids), exc)

    def _index_ids(self, article_ids: Sequence[str]) -> None:
        conn, _ = self._open()
        with self._exclusive(timeout=2.0):
            self._index_ids_locked(conn, article_ids)

    def _index_ids_locked(self, conn: sqlite3.Connection, article_ids: Sequence[str]) -> None:
        self._begin(conn)
        try:
            self._check_halves(conn)
            before = self._meta(conn, "generation")
            stamp = _stamp(self.store)
            generation = self.store.generation
            heads = self.store.headlines()
            feeds = {src: str(rec.get("title") or src) for src, rec in self.store.sources().items()}
            wanted = sorted(dict.fromkeys(article_ids))
            present = [i for i in wanted if i in heads]
            with self._writer(big=len(present) > _BATCH) as writer:
                self._drop(conn, writer, [i for i in wanted if i not in heads])
                for start in range(0, len(present), _BATCH):
                    self._upsert(conn, writer, present[start : start + _BATCH], heads, feeds)
            # One commit since the last sync, and it was this one: the index is whole again.
            if before is not None and generation == before + 1:
                self._set_meta(conn, "generation", generation)
                self._set_meta(conn, "stamp", stamp)
            self._commit(conn)
        except BaseException:
            _rollback(conn)
            raise

    @staticmethod
    def _drop(conn: sqlite3.Connection, writer: Any, article_ids: Sequence[str]) -> None:
        for article_id in article_ids:
            writer.delete_documents_by_term("id", article_id)
        conn.executemany("DELETE FROM docs WHERE id = ?", ((i,) for i in article_ids))

    def _bodies(self, article_ids: Sequence[str]) -> Mapping[str, Mapping[str, Any] | None]:
        bulk = getattr(self.store, "bodies", None)
        if callable(bulk):
            return bulk(article_ids)  # type: ignore[no-any-return]
        return {article_id: self.store.body(article_id) for article_id in article_ids}

    def _upsert(
        self,
        conn: sqlite3.Connection,
        writer: Any,
        batch: Sequence[str],
        heads: Mapping[str, Mapping[str, Any]],
        feeds: Mapping[str, str],
    ) -> None:
        import tantivy

        bodies = self._bodies(batch)
        rows = []
        for article_id in batch:
            rec = heads[article_id]
            src = str(rec.get("src", ""))
            feed = feeds.get(src, src)
            body_rec = bodies.get(article_id) or {}
            body = _nfc(str(body_rec.get("body") or rec.get("excerpt") or ""))
            note = body_rec.get("author_note")
            text = f"{body}\n\n{note}" if note else body
            published, added = rec.get("published"), rec.get("added")
            date = published if isinstance(published, int | float) else added or 0.0
            title, author = _nfc(str(rec.get("title") or "")), _nfc(str(rec.get("author") or ""))
            writer.delete_documents_by_term("id", article_id)
            writer.add_document(
                tantivy.Document(
                    id=article_id, title=title, author=author, feed=_nfc(feed), body=text, date=float(date)
                )
            )
            rows.append(
                (
                    article_id,
                    src,
                    rec.get("title") or "",
                    rec.get("author"),
                    rec.get("url"),
                    rec.get("excerpt"),
                    published,
                    added,
                    1 if rec.get("truncated") else 0,
                    int(rec.get("n") or 0),
                    zlib.compress(body.encode("utf-8", "surrogatepass"), 1),
                    _signature(rec, feed),
                )
            )
        conn.executemany(
            f"INSERT OR REPLACE INTO docs({_HIT_COLUMNS}, sig) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    @staticmethod
    def _write_feeds(conn: sqlite3.Connection, feeds: Mapping[str, str]) -> None:
        conn.execute("DELETE FROM feeds")
        conn.executemany("INSERT INTO feeds(src, title) VALUES (?, ?)", feeds.items())

    def _sync_feeds(self, sources: Mapping[str, Mapping[str, Any]]) -> None:
        """Re-index the articles of renamed feeds (``feed:`` searches the name); cheap when none was."""
        conn, _ = self._open()
        feeds = {src: str(rec.get("title") or src) for src, rec in sources.items()}
        known = dict(conn.execute("SELECT src, title FROM feeds"))
        renamed = [src for src, title in feeds.items() if src in known and known[src] != title]
        if not renamed and feeds.keys() <= known.keys():
            return
        with self._exclusive():
            self._rename_feeds(conn, feeds, renamed)

    def _rename_feeds(self, conn: sqlite3.Connection, feeds: Mapping[str, str], renamed: list[str]) -> None:
        self._begin(conn)
        try:
            ids = [
                row[0] for src in renamed for row in conn.execute("SELECT id FROM docs WHERE src = ?", (src,))
            ]
            if ids:
                heads = self.store.headlines()
                ids = sorted(i for i in ids if i in heads)
                with self._writer(big=len(ids) > _BATCH) as writer:
                    for start in range(0, len(ids), _BATCH):
                        self._upsert(conn, writer, ids[start : start + _BATCH], heads, feeds)
            self._write_feeds(conn, feeds)
            self._commit(conn)
        except BaseException:
            _rollback(conn)
            raise

    # -- searching -------------------------------------------------------------------------------------

    def search(
        self,
        query: str | Query,
        *,
        limit: int | None = 100,
        progress: ProgressCallback | None = None,
    ) -> list[SearchHit]:
        """Ranked hits for a query, best first, newest first among equal scores.

        The index is caught up with the store first.

        Raises:
            InvalidQueryError: the query cannot be understood (see ``parse_query``).
        """
        parsed = query if isinstance(query, Query) else parse_query(query)
        if (limit is not None and limit <= 0) or _stamp(self.store) is None:
            return []  # nothing imported yet: no index folder is created in an empty library
        with self._lock:
            self.sync(progress=progress)
            return self._attempt(lambda: self._search(parsed, limit))  # type: ignore[no-any-return]

    def _compile(self, node: Node) -> Any:
        """The tantivy query for a node (one with a positive part)."""
        import tantivy

        schema = self._text.schema
        if isinstance(node, Term):
            words = self._analyzer.analyze(" ".join(node.words))
            if not words:
                return tantivy.Query.empty_query()
            clauses = []
            for name in (node.field,) if node.field else BARE_FIELDS:
                if len(words) == 1 and node.prefix:
                    q = tantivy.Query.regex_query(schema, name, re.escape(words[0]) + ".*")
                elif len(words) == 1:
                    q = tantivy.Query.term_query(schema, name, words[0], index_option="freq")
                elif node.prefix:
                    q = tantivy.Query.phrase_prefix_query(schema, name, words)
                else:
                    q = tantivy.Query.phrase_query(schema, name, words)
                if BOOSTS[name] != 1.0:
                    q = tantivy.Query.boost_query(q, BOOSTS[name])
                clauses.append((tantivy.Occur.Should, q))
            return clauses[0][1] if len(clauses) == 1 else tantivy.Query.boolean_query(clauses)
        if isinstance(node, Or):
            return tantivy.Query.boolean_query([(tantivy.Occur.Should, self._compile(n)) for n in node.nodes])
        if isinstance(node, Not):
            return tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Must, tantivy.Query.all_query()),
                    (tantivy.Occur.MustNot, self._compile(node.node)),
                ]
            )
        clauses = [
            (tantivy.Occur.MustNot, self._compile(n.node))
            if isinstance(n, Not)
            else (tantivy.Occur.Must, self._compile(n))
            for n in node.nodes
        ]
        if all(isinstance(n, Not) for n in node.nodes):
            clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        return tantivy.Query.boolean_query(clauses)

    def _search(self, query: Query, limit: int | None) -> list[SearchHit]:
        import tantivy

        conn, index = self._open()
        state = self.store.state()
        index.reload()  # another process (or Library) may have committed since this one looked
        searcher = index.searcher()
        total = searcher.num_docs
        if total == 0:
            return []
        scored = query.tree is not None and bool(query.terms)
        compiled = self._compile(query.tree) if query.tree is not None else tantivy.Query.all_query()

        def keep(article_id: str) -> bool:
            flags = state.get(article_id, 0)
            if query.read is not None and bool(flags & READ) != query.read:
                return False
            return query.starred is None or bool(flags & STARRED) == query.starred

        want = total if limit is None else min(limit, total)
        # Fetch a little more than asked, so equal scores at the cut can be ordered by date; with a
        # state filter, widen the window until enough pass or everything was seen.
        window = min(total, want + 16 if not query.filters_state else max(64, want * 4))
        while True:
            if scored:
                result = searcher.search(compiled, window, count=False)
            else:
                result = searcher.search(compiled, window, count=False, order_by_field="date")
            found = [(score, searcher.doc(addr)["id"][0]) for score, addr in result.hits]
            passing = [(s, i) for s, i in found if keep(i)] if query.filters_state else found
            if len(passing) >= want or len(found) < window or window >= total:
                break
            window = min(total, window * 4)
        if not passing:
            return []
        return self._hits(conn, query, passing, state, scored, want)

    def _hits(
        self,
        conn: sqlite3.Connection,
        query: Query,
        found: Sequence[tuple[float, str]],
        state: Mapping[str, int],
        scored: bool,
        want: int,
    ) -> list[SearchHit]:
        ids = [article_id for _, article_id in found]
        docs: dict[str, tuple[Any, ...]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in conn.execute(f"SELECT {_HIT_COLUMNS} FROM docs WHERE id IN ({marks})", chunk):
                docs[row[0]] = row

        def date(article_id: str) -> float:
            row = docs.get(article_id)
            if row is None:
                return 0.0
            return float(row[6] if row[6] is not None else row[7] or 0.0)

        if scored:
            ranked = sorted(found, key=lambda hit: (-round(hit[0], 5), -date(hit[1])))
        else:
            ranked = [(0.0, i) for _, i in found]
        sources = self.store.sources()
        hits: list[SearchHit] = []
        for score, article_id in ranked:
            row = docs.get(article_id)
            if row is None:
                continue  # committed to tantivy by a writer that crashed before SQLite: re-indexed later
            _, src, title, author, url, excerpt, published, added, truncated, n, body = row
            source = sources.get(src, {})
            flags = state.get(article_id, 0)
            try:
                kind = SourceKind(source.get("kind", "dump"))
            except ValueError:
                kind = SourceKind.DUMP
            article = Article(
                id=article_id,
                source_id=src,
                title=title,
                feed=str(source.get("title") or source.get("location") or src),
                source=str(source.get("location") or ""),
                kind=kind,
                excerpt=excerpt or "",
                added=_epoch(added) or datetime.fromtimestamp(0, UTC),
                author=author,
                published=_epoch(published),
                url=url,
                truncated=bool(truncated),
                read=bool(flags & READ),
                starred=bool(flags & STARRED),
                order=n,
            )
            text = zlib.decompress(body).decode("utf-8", "surrogatepass") if body else excerpt or ""
            snippet, spans = make_snippet(text, query.terms)
            hits.append(SearchHit(article, float(score), snippet, tuple(spans), query.terms))
            if len(hits) >= want:
                break
        return hits


def make_snippet(
    text: str, terms: Sequence[str], width: int = _SNIPPET_CHARS
) -> tuple[str, list[tuple[int, int]]]:
    """About ``width`` characters of ``text`` around its first match, cut at words, one line.

    Returns the snippet and the offsets of the matched words in it.
    """
    spans = highlight_spans(text, terms) if terms else []
    if not spans:
        start = 0
    else:
        first = spans[0][0]
        start = max(0, first - width // 3)
        if start:
            space = text.find(" ", start, first)
            start = space + 1 if space >= 0 else first
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start + width // 2, end)
        end = space if space > 0 else end
    piece = _BREAKS.sub(" ", text[start:end])
    snippet = ("…" if start > 0 else "") + piece + ("…" if end < len(text) else "")
    return snippet, highlight_spans(snippet, terms) if terms else []
