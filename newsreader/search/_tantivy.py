"""The tantivy adapter: the text half of the index (schema, tokenizer, writes, compiled queries, top hits).

Everything that knows tantivy's API is here, so the rest of the index speaks ids, fields and ``Node``
trees. tantivy is imported lazily: a process that never searches never loads it.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from newsreader.search.query import BARE_FIELDS, TAG, And, Node, Not, Or, Term

Tagged = Callable[[Term], list[str]]
"""The ids of the articles a ``tag:`` term names (tags live in the store, not in the index)."""

BOOSTS = {"title": 8.0, "author": 4.0, "feed": 2.0, "body": 1.0}
"""BM25 weight of a match in each field: a word in the title counts eight times one in the body."""


def _schema() -> Any:
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    for name in BOOSTS:
        sb.add_text_field(name, tokenizer_name="folded")
    sb.add_float_field("date", fast=True)
    return sb.build()


class TextWriter:
    """One batch of writes; ``opstamp`` is tantivy's commit stamp once the batch has committed."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer
        self.opstamp: int | None = None

    def delete(self, article_id: str) -> None:
        self._writer.delete_documents_by_term("id", article_id)

    def add(self, article_id: str, *, title: str, author: str, feed: str, body: str, date: float) -> None:
        import tantivy

        self._writer.delete_documents_by_term("id", article_id)
        self._writer.add_document(
            tantivy.Document(id=article_id, title=title, author=author, feed=feed, body=body, date=date)
        )


class TextIndex:
    """A tantivy index on disk with the folding tokenizer registered (lowercase + ASCII folding)."""

    def __init__(self, folder: Path) -> None:
        import tantivy

        self._index = tantivy.Index(_schema(), path=str(folder), reuse=True)
        self._analyzer = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(64))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
            .build()
        )
        self._index.register_tokenizer("folded", self._analyzer)

    @classmethod
    def read_only(cls, folder: Path) -> TextIndex:
        """Open an index in a folder that cannot be written.

        tantivy insists on creating lock files even to read, so it opens a temporary folder of symlinks
        to the index files (nothing is copied), removed when this object goes.
        """
        mirror = Path(tempfile.mkdtemp(prefix="newsreader-search-"))
        try:
            for entry in folder.iterdir():
                if not entry.name.startswith(".tantivy-"):
                    (mirror / entry.name).symlink_to(entry)
            text = cls(mirror)
        except BaseException:
            shutil.rmtree(mirror, ignore_errors=True)
            raise
        weakref.finalize(text, shutil.rmtree, mirror, True)
        return text

    def reload(self) -> None:
        self._index.reload()

    @contextlib.contextmanager
    def writing(self, *, big: bool) -> Iterator[TextWriter]:
        """A writer, committed on success (before the caller commits SQLite), else rolled back.

        tantivy allows one writer per index: the caller holds the index's write lock.
        """
        writer = self._index.writer(heap_size=(64 if big else 16) * 2**20, num_threads=0 if big else 1)
        batch = TextWriter(writer)
        try:
            yield batch
        except BaseException:
            with contextlib.suppress(Exception):
                writer.rollback()
                writer.wait_merging_threads()  # releases tantivy's writer lock (rollback alone does not)
            raise
        batch.opstamp = writer.commit()
        writer.wait_merging_threads()
        self._index.reload()

    def _compile(self, node: Node, tagged: Tagged | None = None) -> Any:
        """The tantivy query for a node (one with a positive part); ``tag:`` terms become the set of
        ids ``tagged`` gives, so a tag change needs no re-indexing."""
        import tantivy

        if isinstance(node, Term):
            if node.field == TAG:
                ids = tagged(node) if tagged is not None else []
                if not ids:
                    return tantivy.Query.empty_query()
                return tantivy.Query.term_set_query(self._index.schema, "id", ids)
            return self._compile_term(node)
        if isinstance(node, Or):
            return tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, self._compile(n, tagged)) for n in node.nodes]
            )
        if isinstance(node, Not):
            return tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Must, tantivy.Query.all_query()),
                    (tantivy.Occur.MustNot, self._compile(node.node, tagged)),
                ]
            )
        assert isinstance(node, And)
        clauses = [
            (tantivy.Occur.MustNot, self._compile(n.node, tagged))
            if isinstance(n, Not)
            else (tantivy.Occur.Must, self._compile(n, tagged))
            for n in node.nodes
        ]
        if all(isinstance(n, Not) for n in node.nodes):
            clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        return tantivy.Query.boolean_query(clauses)

    def _compile_term(self, node: Term) -> Any:
        import tantivy

        schema = self._index.schema
        words = self._analyzer.analyze(" ".join(node.words))
        if not words:
            return tantivy.Query.empty_query()
        phrase: list[str | tuple[int, str]] = list(words)
        clauses = []
        for name in (node.field,) if node.field else BARE_FIELDS:
            if len(words) == 1 and node.prefix:
                q = tantivy.Query.regex_query(schema, name, re.escape(words[0]) + ".*")
            elif len(words) == 1:
                q = tantivy.Query.term_query(schema, name, words[0], index_option="freq")
            elif node.prefix:
                q = tantivy.Query.phrase_prefix_query(schema, name, phrase)
            else:
                q = tantivy.Query.phrase_query(schema, name, phrase)
            if BOOSTS[name] != 1.0:
                q = tantivy.Query.boost_query(q, BOOSTS[name])
            clauses.append((tantivy.Occur.Should, q))
        return clauses[0][1] if len(clauses) == 1 else tantivy.Query.boolean_query(clauses)

    def ids(
        self, trees: list[Node | None], tagged: Tagged | None = None, within: list[str] | None = None
    ) -> list[list[str]]:
        """For each tree, every id matching it (``None``: all), unordered; only among ``within`` when
        given. One searcher serves them all, and ``within`` is one id-set query shared by each."""
        import tantivy

        self._index.reload()
        searcher = self._index.searcher()
        total = searcher.num_docs
        if total == 0 or within == []:
            return [[] for _ in trees]
        among = None
        if within is not None:
            among = tantivy.Query.term_set_query(self._index.schema, "id", within)
            total = min(total, len(within))
        out = []
        for tree in trees:
            compiled = self._compile(tree, tagged) if tree is not None else tantivy.Query.all_query()
            if among is not None:
                compiled = tantivy.Query.boolean_query(
                    [(tantivy.Occur.Must, compiled), (tantivy.Occur.Must, among)]
                )
            result = searcher.search(compiled, total, count=False)
            out.append([searcher.doc(addr)["id"][0] for _score, addr in result.hits])
        return out

    def top(
        self,
        tree: Node | None,
        *,
        scored: bool,
        want: int | None,
        keep: Callable[[str], bool] | None = None,
        tagged: Tagged | None = None,
    ) -> list[tuple[float, str]]:
        """``(score, id)`` of the best matches of ``tree`` (``None``: every document), newest first when
        not ``scored``; at least ``want`` that pass ``keep`` (all when ``None``) where there are as many.

        A few more than asked are fetched, so equal scores at the cut can be ordered by date.
        """
        import tantivy

        self._index.reload()  # another process (or Library) may have committed since this one looked
        searcher = self._index.searcher()
        total = searcher.num_docs
        if total == 0:
            return []
        compiled = self._compile(tree, tagged) if tree is not None else tantivy.Query.all_query()
        wanted = total if want is None else min(want, total)
        # With a state filter, widen the window until enough pass or everything was seen.
        window = min(total, wanted + 16 if keep is None else max(64, wanted * 4))
        while True:
            if scored:
                result = searcher.search(compiled, window, count=False)
            else:
                result = searcher.search(compiled, window, count=False, order_by_field="date")
            found = [(score, searcher.doc(addr)["id"][0]) for score, addr in result.hits]
            passing = [(s, i) for s, i in found if keep(i)] if keep is not None else found
            if len(passing) >= wanted or len(found) < window or window >= total:
                return passing
            window = min(total, window * 4)
