"""Which search engine: SQLite FTS5 vs tantivy vs a plain scan, on the same generated library.

Each engine indexes title and body of the same articles (accent- and case-folded) and answers the same
queries for the top 20 by BM25 (title weighted 8x); the scan answers unranked. Not part of ``make bench``;
its output is quoted in README ("Search engine"). Run: ``python -m tests.bench.engines [N]``.
"""

from __future__ import annotations

import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tests.bench.bench_search import PHRASES, RARE_WORDS, make_library

QUERIES = {
    "rare word": [[w] for w in RARE_WORDS[:10]],
    "common word": [["saoxluan"], ["sagadepo"], ["negaqu"], ["zuelne"], ["isjavilu"]],
    "two common words": [["saoxluan", "sazuja"], ["hiqugamo", "negaqu"], ["sagadepo", "zuelne"]],
    "phrase": [[" ".join(p)] for p in PHRASES],
}


def timed(fn: Callable[[list[str]], object], queries: list[list[str]], repeats: int = 3) -> str:
    times = []
    for _ in range(repeats):
        for q in queries:
            t = time.perf_counter()
            fn(q)
            times.append((time.perf_counter() - t) * 1000)
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms"


def folder_size(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def main(n: int = 50_000) -> None:
    import tantivy

    from newsreader.store import Store

    tmp = Path(tempfile.mkdtemp(prefix="nr-engines-"))
    try:
        make_library(tmp / "lib", n)
        store = Store(tmp / "lib")
        heads = store.headlines()
        bodies = store.bodies(sorted(heads))
        docs = [
            (i, heads[i]["title"], (b or {}).get("body", ""), heads[i].get("published", 0.0))
            for i, b in bodies.items()
        ]

        # SQLite FTS5, as the first version of newsreader.search used it.
        (tmp / "fts").mkdir()
        conn = sqlite3.connect(tmp / "fts" / "fts.sqlite")
        conn.execute("PRAGMA page_size = 65536")
        conn.execute(
            "CREATE VIRTUAL TABLE fts USING fts5(id UNINDEXED, title, body,"
            " tokenize = 'unicode61 remove_diacritics 2')"
        )
        conn.execute("CREATE TABLE dates(rowid INTEGER PRIMARY KEY, date REAL)")
        t = time.perf_counter()
        with conn:
            for rowid, (i, title, body, date) in enumerate(docs, 1):
                conn.execute(
                    "INSERT INTO fts(rowid, id, title, body) VALUES (?, ?, ?, ?)", (rowid, i, title, body)
                )
                conn.execute("INSERT INTO dates VALUES (?, ?)", (rowid, date))
        conn.execute("INSERT INTO fts(fts) VALUES ('optimize')")
        print(f"fts5     build {time.perf_counter() - t:5.1f} s  {folder_size(tmp / 'fts'):5.0f} MiB")

        def fts(words: list[str]) -> object:
            match = " AND ".join('"' + w + '"' for w in words)
            return conn.execute(
                "SELECT id, bm25(fts, 0.0, 8.0, 1.0) AS s FROM fts WHERE fts MATCH ?"
                " ORDER BY s, (SELECT date FROM dates WHERE rowid = fts.rowid) DESC LIMIT 20",
                (match,),
            ).fetchall()

        analyzer = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
            .build()
        )
        sb = tantivy.SchemaBuilder()
        sb.add_text_field("id", stored=True, tokenizer_name="raw")
        sb.add_text_field("title", tokenizer_name="folded")
        sb.add_text_field("body", tokenizer_name="folded")
        sb.add_float_field("date", fast=True)
        schema = sb.build()
        (tmp / "tantivy").mkdir()
        index = tantivy.Index(schema, path=str(tmp / "tantivy"))
        index.register_tokenizer("folded", analyzer)
        t = time.perf_counter()
        writer = index.writer(heap_size=128 * 2**20)
        for i, title, body, date in docs:
            writer.add_document(tantivy.Document(id=i, title=title, body=body, date=float(date)))
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        print(f"tantivy  build {time.perf_counter() - t:5.1f} s  {folder_size(tmp / 'tantivy'):5.0f} MiB")
        searcher = index.searcher()

        def tan(words: list[str]) -> object:
            clauses = []
            for w in words:
                toks = analyzer.analyze(w)
                per_field = []
                for name, boost in (("title", 8.0), ("body", 1.0)):
                    q = (
                        tantivy.Query.term_query(schema, name, toks[0])
                        if len(toks) == 1
                        else tantivy.Query.phrase_query(schema, name, toks)
                    )
                    per_field.append((tantivy.Occur.Should, tantivy.Query.boost_query(q, boost)))
                clauses.append((tantivy.Occur.Must, tantivy.Query.boolean_query(per_field)))
            hits = searcher.search(tantivy.Query.boolean_query(clauses), 20).hits
            return [searcher.doc(addr)["id"][0] for _, addr in hits]

        texts = [(i, (title + "\n" + body).lower()) for i, title, body, _ in docs]

        def scan(words: list[str]) -> object:
            return [i for i, text in texts if all(w in text for w in words)][:20]

        for kind, queries in QUERIES.items():
            print(f"{kind}:")
            print(f"  fts5     {timed(fts, queries)}")
            print(f"  tantivy  {timed(tan, queries)}")
            print(f"  scan     {timed(scan, queries, 1)}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
