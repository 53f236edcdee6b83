"""The ``newsreader`` command: argparse subcommands, each one call into :class:`Library`.

Contract (DESIGN.md): exit 0 on success, 1 on a user error with one line on stderr, never a traceback for a
user's mistake. Heavy modules (Textual, feedparser, httpx) are imported only by the commands that need them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from newsreader import __version__
from newsreader.errors import NewsreaderError, UserInputError

if TYPE_CHECKING:
    from rich.console import Console

    from newsreader.library import Library
    from newsreader.models import Article

Handler = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit 1 like every other user error."""

    def error(self, message: str) -> NoReturn:
        self.exit(1, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    # Untrusted text is printed as Text objects; markup and auto-highlighting stay off for plain strings too.
    return Console(stderr=stderr, markup=False, highlight=False, emoji=False, soft_wrap=False)


def _open_library(args: argparse.Namespace) -> Library:
    from newsreader.config import library_dir
    from newsreader.library import Library

    return Library(library_dir(args.library))


def _print_json(data: Any) -> None:
    import orjson

    sys.stdout.buffer.write(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
    sys.stdout.flush()


def _date(article: Article) -> str:
    return article.date.astimezone().strftime("%Y-%m-%d")


def _article_line(article: Article) -> Any:
    from rich.text import Text

    marks = ("*" if article.starred else " ") + (" " if article.read else "●")
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(article.id, "dim cyan")
    line.append(f" {_date(article)} ", "dim")
    line.append(marks, "yellow")
    line.append(" ")
    line.append(article.title, "bold" if not article.read else "")
    if article.truncated:
        line.append(" (excerpt)", "dim italic")
    line.append(f"  {article.feed}", "dim")
    return line


# -- commands ------------------------------------------------------------------------------------


def cmd_tui(args: argparse.Namespace) -> int:
    from newsreader.config import load_settings, settings_path
    from newsreader.tui.app import run

    path = settings_path(args.library)
    run(_open_library(args), load_settings(path), path)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    library = _open_library(args)
    out, err = _console(), _console(stderr=True)
    report = library.import_paths(args.paths)
    for result in report.results:
        if result.error:
            err.print(f"failed: {result.error}")
        elif args.verbose or len(report.results) <= 20:
            out.print(f"{result.path}: {result.new} new, {result.present} already present")
    out.print(
        f"{report.new} new, {report.present} already present, {len(report.failed)} failed"
        f" ({len(report.results)} file{'s' if len(report.results) != 1 else ''})"
    )
    return 1 if report.failed else 0


def cmd_list(args: argparse.Namespace) -> int:
    library = _open_library(args)
    articles = library.articles(source=args.feed, unread=args.unread, starred=args.starred, limit=args.limit)
    if args.json:
        _print_json([a.to_json() for a in articles])
        return 0
    out = _console()
    if not articles:
        out.print("no articles" + (" match" if args.feed or args.unread or args.starred else " yet"))
    for article in articles:
        # One line per article: cropped on a terminal, whole when piped (for grep and friends).
        out.print(_article_line(article), soft_wrap=not out.is_terminal, crop=out.is_terminal)
    return 0


def render_article(article: Article) -> Any:
    """A rich renderable of one article, built from Text objects (never markup)."""
    from rich.console import Group
    from rich.padding import Padding
    from rich.text import Text

    parts: list[Any] = [Text(article.title, style="bold")]
    meta = Text(style="dim")
    if article.author:
        meta.append(f"By {article.author} · ")
    meta.append(f"{article.feed} · {_date(article)}")
    if article.truncated:
        meta.append(" · excerpt only")
    parts.append(meta)
    if article.url:
        parts.append(Text(article.url, style="dim underline"))
    for credit in article.credits:
        parts.append(Text(credit, style="dim italic"))
    parts.append(Text(""))
    for paragraph in (article.body or "").split("\n\n"):
        if paragraph.startswith("## "):
            parts.append(Padding(Text(paragraph[3:], style="bold"), (0, 0, 1, 0)))
        else:
            parts.append(Padding(Text(paragraph), (0, 0, 1, 0)))
    if article.author_note:
        parts.append(Text(article.author_note, style="italic dim"))
    for number, link in enumerate(article.links, 1):
        parts.append(Text(f"[{number}] {link}", style="dim"))
    return Group(*parts)


def cmd_show(args: argparse.Namespace) -> int:
    library = _open_library(args)
    article = library.get(args.id)
    if args.json:
        _print_json(article.to_json(with_body=True))
        return 0
    out = _console()
    width = min(out.width, 88)
    out.print(render_article(article), width=width)
    return 0


def cmd_mark(args: argparse.Namespace) -> int:
    library = _open_library(args)
    read = True if args.read else False if args.unread else None
    starred = True if args.star else False if args.unstar else None
    if read is None and starred is None:
        raise UserInputError("say what to mark: --read, --unread, --star or --unstar")
    changed = library.mark(args.ids, read=read, starred=starred)
    _console().print(f"{changed} article{'s' if changed != 1 else ''} changed")
    return 0


# -- parser --------------------------------------------------------------------------------------


def _build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
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
    p.add_argument("--limit", type=int, metavar="N", help="at most N articles (default: all)")
    p.add_argument("--json", action="store_true", help="print a JSON array")

    p = command("show", cmd_show, "print one article")
    p.add_argument("id", metavar="ID", help="article id (or a unique prefix of 4+ characters)")
    p.add_argument("--json", action="store_true", help="print a JSON object with the body")

    p = command("mark", cmd_mark, "set reading state: read, unread, starred")
    p.add_argument("ids", nargs="+", metavar="ID")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--read", action="store_true")
    group.add_argument("--unread", action="store_true")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--star", action="store_true")
    group.add_argument("--unstar", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "library"):
        args.library = None
    try:
        return args.handler(args)
    except NewsreaderError as exc:
        print(f"newsreader: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("newsreader: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `newsreader list | head`: the reader went away; that is not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:
        if os.environ.get("NEWSREADER_DEBUG"):
            raise
        print(
            f"newsreader: internal error: {type(exc).__name__}: {exc}"
            " (set NEWSREADER_DEBUG=1 to see the traceback, and please report it)",
            file=sys.stderr,
        )
        return 2
