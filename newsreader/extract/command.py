"""The ``fulltext`` CLI command, registered by ``newsreader.cli`` (cheap to import: no extraction here)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

Handler = Callable[[argparse.Namespace], int]
Command = Callable[[str, Handler, str], argparse.ArgumentParser]


def cmd_fulltext(args: argparse.Namespace) -> int:
    from newsreader.cli import _open_library
    from newsreader.extract.fulltext import fetch_full_text
    from newsreader.ingest.text import clean_line

    library = _open_library(args, fetching=True)  # settings.toml's fetch limits apply to pages too
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


def _on_off(text: str) -> bool:
    if text.lower() in ("on", "yes", "true", "1"):
        return True
    if text.lower() in ("off", "no", "false", "0"):
        return False
    raise argparse.ArgumentTypeError(f"expected on or off, not {text!r}")


def cmd_feed(args: argparse.Namespace) -> int:
    """Show one subscription; ``--full-text on|off`` changes that setting first."""
    from newsreader.cli import _open_library
    from newsreader.errors import FeedNotFoundError
    from newsreader.extract.auto import full_text_on, set_full_text
    from newsreader.ingest.text import clean_line

    library = _open_library(args)
    source_id = library.resolve_source(args.feed)
    source = next((s for s in library.feeds() if s.id == source_id), None)
    if source is None:
        raise FeedNotFoundError(f"{args.feed!r} is not a subscription (see `newsreader feeds`)")
    if args.full_text is not None:
        set_full_text(library, source_id, args.full_text)
    data = source.to_json() | {"full_text": full_text_on(library, source_id)}
    if args.json:
        import orjson

        sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")
        return 0
    print(f"{clean_line(source.title)}  ({source.id})")
    print(f"  url:        {clean_line(source.location)}")
    print(f"  articles:   {source.articles} ({source.unread} unread)")
    setting = "on: new summary-only items get their page fetched" if data["full_text"] else "off"
    print(f"  full text:  {setting}")
    if source.error:
        print(f"  last error: {clean_line(source.error)}")
    return 0


def add_commands(command: Command) -> None:
    """Add ``fulltext`` and ``feed`` to the CLI through its ``command(name, handler, help)`` helper."""
    p = command("fulltext", cmd_fulltext, "fetch the full article behind teasers and feed summaries")
    p.add_argument("ids", nargs="+", metavar="ID", help="article ids (or unique prefixes)")
    p.add_argument("--url", metavar="URL", help="the article's page, for a teaser without a link")
    p.add_argument("--again", action="store_true", help="fetch even if the full text is already stored")

    p = command("feed", cmd_feed, "show a subscription and change its settings")
    p.add_argument("feed", metavar="FEED", help="the feed's URL, id or title")
    p.add_argument(
        "--full-text",
        type=_on_off,
        metavar="on|off",
        help="fetch the article page of each new summary-only item",
    )
    p.add_argument("--json", action="store_true", help="print a JSON object")
