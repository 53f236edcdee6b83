"""The reading commands: the app itself, ``import``, ``list``, ``show``, ``mark`` and ``search``."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from newsreader.cli._common import _article_line, _console, _count, _date, _line, _open_library, _print_json
from newsreader.errors import UserInputError

if TYPE_CHECKING:
    from rich.console import Console

    from newsreader.models import Article


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
