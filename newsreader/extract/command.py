"""The ``fulltext`` CLI command, registered by ``newsreader.cli`` (cheap to import: no extraction here)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

Handler = Callable[[argparse.Namespace], int]
Command = Callable[[str, Handler, str], argparse.ArgumentParser]


def cmd_fulltext(args: argparse.Namespace) -> int:
    from newsreader.config import library_dir, lock_timeout
    from newsreader.extract.fulltext import fetch_full_text
    from newsreader.ingest.text import clean_line
    from newsreader.library import Library

    library = Library(library_dir(args.library), lock_timeout=lock_timeout())
    results = fetch_full_text(library, args.ids, url=args.url, again=args.again)
    failed = 0
    for r in results:
        where = f" from {clean_line(r.url)}" if r.url else ""
        if r.error:
            failed += 1
            print(f"{r.article_id}: no full text{where}: {r.error}")
        elif r.cached:
            print(f"{r.article_id}: full text already stored{where} (--again fetches it anew)")
        else:
            print(f"{r.article_id}: full text stored, {r.words} words{where}")
    if failed and len(results) > 1:
        print(f"{failed} of {len(results)} failed", file=sys.stderr)
    return 1 if failed else 0


def add_commands(command: Command) -> None:
    """Add ``fulltext`` to the CLI through its ``command(name, handler, help)`` helper."""
    p = command("fulltext", cmd_fulltext, "fetch the full article behind teasers and feed summaries")
    p.add_argument("ids", nargs="+", metavar="ID", help="article ids (or unique prefixes)")
    p.add_argument("--url", metavar="URL", help="the article's page, for a teaser without a link")
    p.add_argument("--again", action="store_true", help="fetch even if the full text is already stored")
