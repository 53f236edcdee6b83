"""The ``newsreader`` command: argparse subcommands, each one call into :class:`Library`.

Contract (docs/design.md): exit 0 on success, 1 on a user error with one line on stderr, never a traceback
for a user's mistake. Heavy modules (Textual, feedparser, httpx) are imported only by the commands that
need them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
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

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            # rich exits 1 here; `newsreader list | head -1` is not an error, so main() decides.
            raise BrokenPipeError

    # Untrusted text is printed as Text objects; markup and auto-highlighting stay off for plain strings too.
    console = _Console(stderr=stderr, markup=False, highlight=False, emoji=False, soft_wrap=False)
    # Piped or redirected, nothing is hard-wrapped at rich's default 80 columns (a path stays whole).
    console.soft_wrap = not console.is_terminal
    return console


def _open_library(args: argparse.Namespace, *, fetching: bool = False) -> Library:
    """The library; ``fetching`` commands (import and refresh too: they apply the rules) also read
    settings.toml for the fetch limits and rules (the others do not, so a broken settings file never
    stops ``list``)."""
    from newsreader.config import library_dir, load_settings, lock_timeout, settings_path
    from newsreader.library import Library

    if not fetching:
        return Library(library_dir(args.library), lock_timeout=lock_timeout())
    settings = load_settings(settings_path(args.library))
    return Library(
        library_dir(args.library),
        lock_timeout=lock_timeout(),
        fetch_timeout=settings.fetch_timeout,
        max_feed_bytes=settings.max_feed_bytes,
        rules=settings.rules,
    )


def _print_json(data: Any) -> None:
    import orjson

    sys.stdout.buffer.write(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
    sys.stdout.flush()


def _positive(text: str) -> int:
    """argparse type for counts: a whole number of at least 1 (``--limit 0`` would print nothing)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _line(text: object) -> str:
    """Untrusted text (titles, paths, URLs, messages) for one terminal line: no escapes, no newlines."""
    from newsreader._clean import line

    return line(text)


def _count(n: int, noun: str) -> str:
    """``1 article``, ``3 articles``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _date(article: Article) -> str:
    from newsreader.models import local_time

    return local_time(article.date).strftime("%Y-%m-%d")


def _article_line(article: Article) -> Any:
    from rich.text import Text

    marks = ("*" if article.starred else " ") + (" " if article.read else "●")
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(article.id, "dim cyan")
    line.append(f" {_date(article)} ", "dim")
    line.append(marks, "yellow")
    line.append(" ")
    line.append(_line(article.title), "bold" if not article.read else "")
    if article.truncated:
        line.append(" (excerpt)", "dim italic")
    line.append(f"  {_line(article.feed)}", "dim")
    return line


# -- commands ------------------------------------------------------------------------------------


def cmd_tui(args: argparse.Namespace) -> int:
    from newsreader.config import load_settings, settings_path
    from newsreader.tui.app import run

    path = settings_path(args.library)
    run(_open_library(args, fetching=True), load_settings(path), path)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    library = _open_library(args, fetching=True)  # rules apply to what arrives
    out, err = _console(), _console(stderr=True)
    report = library.import_paths(args.paths)
    for result in report.results:
        if result.error:
            err.print(f"failed: {_line(result.error)}")
        elif args.verbose or len(report.results) <= 20:
            out.print(f"{_line(result.path)}: {result.new} new, {result.present} already present")
    out.print(
        f"{report.new} new, {report.present} already present, {len(report.failed)} failed"
        f" ({_count(len(report.results), 'file')})"
    )
    return 1 if report.failed else 0


def cmd_list(args: argparse.Namespace) -> int:
    library = _open_library(args)
    if args.saved is not None:
        from newsreader.organise.commands import saved_listing

        articles = saved_listing(library, args)
    else:
        articles = library.articles(
            source=args.feed, unread=args.unread, starred=args.starred, limit=args.limit
        )
    if args.json:
        _print_json([a.to_json() for a in articles])
        return 0
    out = _console()
    if not articles:  # on stderr: `list --unread | wc -l` counts articles, not this sentence
        filtered = args.feed or args.unread or args.starred or args.saved is not None
        _console(stderr=True).print("no articles" + (" match" if filtered else " yet"))
    for article in articles:
        # One line per article: cropped on a terminal, whole when piped (for grep and friends).
        out.print(_article_line(article), soft_wrap=not out.is_terminal, crop=out.is_terminal)
    return 0


def render_article(article: Article) -> Any:
    """The article as ``Text`` from the shared renderer (``newsreader.render``), never markup."""
    from newsreader.render import CLI_STYLES
    from newsreader.render import render_article as render

    when = _date(article) if article.published else "imported " + _date(article)
    return render(article, CLI_STYLES, compact=True, when=when)


def cmd_show(args: argparse.Namespace) -> int:
    library = _open_library(args)
    article = library.get(args.id)
    if args.json:
        _print_json(article.to_json(with_body=True))
        return 0
    from dataclasses import replace

    # The body was cleaned when it was stored; the one-line fields are cleaned again here because a
    # source title may come from a file name written by an older newsreader.
    article = replace(
        article,
        title=_line(article.title),
        feed=_line(article.feed),
        author=_line(article.author) if article.author else article.author,
        url=_line(article.url) if article.url else article.url,
    )
    if args.markdown:
        from newsreader.reading_cli import print_markdown

        print_markdown(article)
        return 0
    out = _console()
    width = min(out.width, 88)
    if out.is_terminal:
        from newsreader.render import Wrapped

        # Wrapped, not Text: list items and indented lines wrap under their own text.
        out.print(Wrapped(render_article(article)), width=width)
    else:  # piped: one line per paragraph, no wrapping, so no trailing spaces for scripts to trip on
        out.print(render_article(article), soft_wrap=True)
    return 0


def cmd_mark(args: argparse.Namespace) -> int:
    library = _open_library(args)
    read = True if args.read else False if args.unread else None
    starred = True if args.star else False if args.unstar else None
    if read is None and starred is None:
        raise UserInputError("say what to mark: --read, --unread, --star or --unstar")
    changed = library.mark(args.ids, read=read, starred=starred)
    _console().print(f"{_count(changed, 'article')} changed")
    return 0


# -- feeds ---------------------------------------------------------------------------------------


def cmd_add(args: argparse.Namespace) -> int:
    library = _open_library(args, fetching=True)
    source = library.subscribe(args.url)
    _console().print(
        f"subscribed to {_line(source.title)} ({_line(source.location)}):"
        f" {_count(source.articles, 'article')}",
        soft_wrap=True,
    )
    if args.full_text:
        from newsreader.extract.auto import enable_full_text

        print(f"full text on: {_count(enable_full_text(library, source.id), 'article')} fetched")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    library = _open_library(args)
    starred = 0
    with contextlib.suppress(NewsreaderError):  # an unknown feed is unsubscribe's error to raise
        starred = len(library.articles(source=args.feed, starred=True))
    source = library.unsubscribe(args.feed)
    _console().print(
        f"unsubscribed from {_line(source.title)} ({_line(source.location)});"
        f" {_count(source.articles, 'article')} removed"
        + (f", {starred} of them starred" if starred else ""),
        soft_wrap=True,
    )
    return 0


def _ago(when: Any) -> str:
    if when is None:
        return "never fetched"
    from newsreader.models import local_time

    return local_time(when).strftime("%Y-%m-%d %H:%M")


def cmd_feeds(args: argparse.Namespace) -> int:
    from rich.text import Text

    feeds = _open_library(args).feeds()
    if args.json:
        _print_json([s.to_json() for s in feeds])
        return 0
    out = _console()
    if not feeds:
        out.print("no subscriptions yet (newsreader add URL, or import an OPML file)", soft_wrap=True)
    for feed in feeds:
        line = Text()
        line.append(feed.id, "dim cyan")
        line.append(f" {feed.unread:>4}/{feed.articles:<4} ", "yellow" if feed.unread else "dim")
        if feed.category:
            line.append(f"{_line(feed.category)}/", "dim")
        line.append(_line(feed.title), "bold")
        line.append(f"  {_line(feed.location)}  {_ago(feed.last_fetched)}", "dim")
        if feed.error:
            line.append(f"  error: {_line(feed.error)}", "red")
        if feed.warning:
            line.append(f"  warning: {_line(feed.warning)}", "yellow")
        # Cut with an ellipsis on a terminal (never wrapped mid-word); whole when piped.
        line.no_wrap, line.overflow = True, "ellipsis"
        out.print(line, soft_wrap=not out.is_terminal, crop=out.is_terminal)
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    from newsreader.config import load_settings, settings_path

    library = _open_library(args, fetching=True)
    # One value for the app and the CLI: settings.toml's refresh_concurrency, unless --concurrency.
    concurrency = args.concurrency or load_settings(settings_path(args.library)).refresh_concurrency
    out, err = _console(), _console(stderr=True)
    only = None
    if args.due:
        from newsreader.organise.commands import due_now

        only = due_now(library, args)
        if not only:
            out.print("nothing due: every feed was fetched within its interval (or is backing off)")
            return 0
    if out.is_terminal and sys.stderr.isatty():
        report = _refresh_with_progress(library, concurrency, err, only)
    else:
        report = library.refresh(concurrency=concurrency, only=only)
    for result in report.errors:
        err.print(
            f"failed: {_line(result.title)} ({_line(result.url)}): {_line(result.error)}", soft_wrap=True
        )
    fresh = sum(1 for r in report.results if r.not_modified)
    out.print(
        f"refreshed {_count(len(report.results), 'feed')}: "
        f"{report.new} new, {report.updated} updated, {fresh} not modified, {len(report.errors)} failed",
        soft_wrap=True,
    )
    return 0  # a feed that failed is reported, not a user error


def _refresh_with_progress(
    library: Library, concurrency: int | None, console: Console, only: Any = None
) -> Any:
    """``refresh`` with a live bar: feeds done / total, new articles and errors so far."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from newsreader.models import FeedResult

    counts = {"new": 0, "errors": 0}
    columns = (
        TextColumn("refreshing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[new]} new, {task.fields[errors]} errors"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("refresh", total=None, new=0, errors=0)

        def on_feed(result: FeedResult) -> None:
            counts["new"] += result.new
            counts["errors"] += bool(result.error)

        def progress(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, new=counts["new"], errors=counts["errors"])

        return library.refresh(concurrency=concurrency, progress=progress, on_feed=on_feed, only=only)


def cmd_export_opml(args: argparse.Namespace) -> int:
    text = _open_library(args).export_opml()
    if args.file in (None, "-"):
        sys.stdout.write(text)
        return 0
    from pathlib import Path

    from newsreader.errors import StoreError
    from newsreader.store.storage import atomic_write

    path = Path(args.file).expanduser()
    if not path.parent.is_dir():  # the atomic write would create folders; a typo should not
        raise UserInputError(f"cannot write {_line(path)}: no folder {_line(path.parent)}")
    try:
        atomic_write(path, text.encode("utf-8"), backup=False)
    except StoreError as exc:
        raise UserInputError(_line(exc)) from exc
    _console().print(f"wrote {text.count('xmlUrl=')} subscriptions to {_line(path)}", soft_wrap=True)
    return 0


def _search_progress(err: Console) -> tuple[Callable[[int, int, str], None], Callable[[], None]]:
    """A progress bar on a terminal for an index build; nothing when stderr is piped."""
    bar: list[Any] = []

    def update(done: int, total: int, label: str) -> None:
        if not err.is_terminal:
            return
        if not bar:
            from rich.progress import Progress

            bar.append(Progress(console=err, transient=True))
            bar[0].start()
            bar.append(bar[0].add_task(label, total=total))
        bar[0].update(bar[1], completed=done, total=total, description=label)

    def stop() -> None:
        if bar:
            bar[0].stop()

    return update, stop


def _highlighted(text: str, spans: Sequence[tuple[int, int]], style: str = "") -> Any:
    from rich.text import Text

    line = Text(text, style=style)
    for start, end in spans:
        line.stylize("bold reverse", start, end)
    return line


def cmd_search(args: argparse.Namespace) -> int:
    library = _open_library(args)
    update, stop = _search_progress(_console(stderr=True))
    try:
        hits = library.search(" ".join(args.query), limit=args.limit, progress=update)
    finally:
        stop()
    if args.json:
        _print_json([hit.to_json() for hit in hits])
        return 0
    out = _console()
    if not hits:
        out.print("no articles match")
    for hit in hits:
        article = hit.article
        line = _article_line(article)
        # Emphasise the matched words in the title (offsets shift by the prefix _article_line adds).
        title = _line(article.title)
        offset = line.plain.find(title) if title else -1
        if offset >= 0:
            for start, end in library.highlight_spans(title, hit.terms):
                line.stylize("bold reverse", offset + start, offset + end)
        out.print(line, soft_wrap=not out.is_terminal, crop=out.is_terminal)
        if hit.snippet:
            dirty = any(ch < " " or "\x7f" <= ch <= "\x9f" for ch in hit.snippet)
            text = _line(hit.snippet) if dirty else hit.snippet
            spans = () if dirty else hit.snippet_spans  # cleaning would have moved the offsets
            snippet = _highlighted("    " + text, [(s + 4, e + 4) for s, e in spans])
            snippet.stylize("dim", 0, len(snippet))
            for start, end in spans:
                snippet.stylize("not dim", start + 4, end + 4)
            out.print(snippet, soft_wrap=not out.is_terminal, crop=out.is_terminal)
    return 0


# -- parser --------------------------------------------------------------------------------------


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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    parser = _build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        # `newsreader search putin -biden`: an unknown "-word" is an excluded search word, not an option.
        if getattr(args, "handler", None) is cmd_search and all(
            e.startswith("-") and not e.startswith("--") and len(e) > 1 for e in extra
        ):
            args.query = [*args.query, *extra]
        else:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if not hasattr(args, "library"):
        args.library = None
    with _sigterm_interrupts(args.handler is not cmd_tui):
        return _run(args)


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so it unwinds (and stops its workers) like Ctrl-C."""


TEARDOWN_SECONDS = 3.0
"""How long unwinding after SIGTERM may take (closing sockets to a hung server, stopping the pool)."""


def _raise_terminated(signum: int, frame: Any) -> None:
    import threading

    # Unwinding waits on whatever the command was waiting on; a hung server must not keep a
    # terminated process alive. Past the deadline, go at once: workers die with their parent
    # (PR_SET_PDEATHSIG), the kernel drops the lock, and every store write is atomic.
    timer = threading.Timer(TEARDOWN_SECONDS, _exit_now, args=(128 + 15, "newsreader: terminated"))
    timer.daemon = True
    timer.start()
    raise _Terminated


def _exit_now(code: int, message: str | None = None) -> NoReturn:
    """Leave without interpreter teardown: native threads (HTTP, parsers) cannot crash or hang it."""
    if message:
        with contextlib.suppress(OSError, ValueError):
            print(message, file=sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


@contextlib.contextmanager
def _sigterm_interrupts(enabled: bool) -> Iterator[None]:
    """SIGTERM cleans up like SIGINT for the duration of one command (main thread only)."""
    import signal
    import threading

    if not enabled or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    unraisable = sys.unraisablehook

    def swallowed(info: Any) -> None:
        # The signal landed in a finaliser, which Python cannot unwind: go now instead of going on.
        if isinstance(info.exc_value, _Terminated):
            _exit_now(128 + 15, "newsreader: terminated")
        unraisable(info)

    sys.unraisablehook = swallowed
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        sys.unraisablehook = unraisable


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.handler(args))
    except NewsreaderError as exc:
        print(f"newsreader: error: {_line(exc)}", file=sys.stderr)
        return 1
    except _Terminated:
        _exit_now(128 + 15, "newsreader: terminated")
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
            f"newsreader: internal error: {type(exc).__name__}: {_line(exc)}"
            " (set NEWSREADER_DEBUG=1 to see the traceback, and please report it)",
            file=sys.stderr,
        )
        return 2
