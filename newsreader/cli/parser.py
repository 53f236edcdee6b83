"""The argument parser: every subcommand, its options and its help text, in the order ``--help`` lists them.

Other packages add their own commands through ``command(name, handler, help)`` (extract, sync, organise,
reading_cli), so each room keeps its commands.
"""

from __future__ import annotations

import argparse

from newsreader import __version__
from newsreader.cli._common import Handler, _Parser, _positive
from newsreader.cli.articles import cmd_import, cmd_list, cmd_mark, cmd_search, cmd_show, cmd_tui
from newsreader.cli.feeds import cmd_add, cmd_export_opml, cmd_feeds, cmd_refresh, cmd_remove


def _build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument(
        "--library",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="library folder (default: $NEWSREADER_HOME or the platform's data dir)",
    )
    parser = _Parser(
        prog="newsreader",
        description="A terminal newsreader for local text dumps and RSS/Atom feeds.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"newsreader {__version__}")
    parser.set_defaults(handler=cmd_tui)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text, parents=[common])
        p.set_defaults(handler=handler)
        return p

    p = command("import", cmd_import, "import dumps, feed files, OPML files or directories")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("-v", "--verbose", action="store_true", help="a line for every file")

    p = command("list", cmd_list, "list articles, newest first")
    p.add_argument("--feed", metavar="F", help="only this feed or dump (id, URL, path or title)")
    p.add_argument("--unread", action="store_true", help="only unread articles")
    p.add_argument("--starred", action="store_true", help="only starred articles")
    p.add_argument("--limit", type=_positive, metavar="N", help="at most N articles (default: all)")
    p.add_argument("--saved", metavar="NAME", help="the articles of a saved search (newsreader saved)")
    p.add_argument("--json", action="store_true", help="print a JSON array (with tags)")

    p = command("show", cmd_show, "print one article")
    p.add_argument("id", metavar="ID", help="article id (or a unique prefix of 4+ characters)")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print a JSON object with the body")
    fmt.add_argument("--markdown", action="store_true", help="print the article as Markdown")

    p = command("mark", cmd_mark, "set reading state: read, unread, starred")
    p.add_argument("ids", nargs="+", metavar="ID")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--read", action="store_true")
    group.add_argument("--unread", action="store_true")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--star", action="store_true")
    group.add_argument("--unstar", action="store_true")

    p = command("add", cmd_add, "subscribe to an RSS/Atom feed (fetches it once)")
    p.add_argument("url", metavar="URL", help="the feed's http(s) URL")
    p.add_argument("--full-text", action="store_true", help="fetch the page of each summary-only item")

    p = command("remove", cmd_remove, "unsubscribe from a feed and delete its articles")
    p.add_argument("feed", metavar="URL|ID", help="the feed's URL or id (see `newsreader feeds`)")

    p = command("feeds", cmd_feeds, "list subscriptions with their status")
    p.add_argument("--json", action="store_true", help="print a JSON array")

    p = command("refresh", cmd_refresh, "fetch every subscription concurrently")
    p.add_argument(
        "--concurrency",
        type=_positive,
        metavar="N",
        help="downloads at once, overall and per host (default: refresh_concurrency in settings, 64)",
    )
    p.add_argument("--due", action="store_true", help="only the feeds whose interval has passed")

    p = command("export-opml", cmd_export_opml, "write the subscriptions as OPML")
    p.add_argument("file", nargs="?", metavar="FILE", help="where to write (default: standard output)")
    p = command(
        "search", cmd_search, 'search saved articles (words, "phrases", -word, OR, title:, is:unread)'
    )
    p.add_argument(
        "query", nargs="*", metavar="QUERY", help="the search (words are joined; -word excludes a word)"
    )
    p.add_argument("--limit", type=_positive, metavar="N", default=20, help="at most N results (default: 20)")
    p.add_argument("--json", action="store_true", help="print a JSON array (with snippet and score)")

    from newsreader.extract.command import add_commands as add_fulltext_commands

    add_fulltext_commands(command)
    from newsreader.sync.cli import register as register_sync

    register_sync(command, common)  # `account ...` and `sync` live with the sync package
    from newsreader.organise.commands import register

    register(command, sub)  # tag, saved, rules, prune, feed (schedules and retention)
    from newsreader import reading_cli

    reading_cli.register(command)
    return parser
