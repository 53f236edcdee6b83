"""The subscription commands: ``add``, ``remove``, ``feeds``, ``refresh`` and ``export-opml``."""

from __future__ import annotations

import argparse
import contextlib
import sys
from typing import TYPE_CHECKING, Any

from newsreader.cli._common import _console, _count, _line, _open_library, _print_json
from newsreader.errors import NewsreaderError, UserInputError

if TYPE_CHECKING:
    from rich.console import Console

    from newsreader.library import Library


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
