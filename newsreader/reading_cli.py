"""The reading commands of the CLI: ``download ID`` and the Markdown form of ``show``.

cli.py hooks these in with one call (:func:`register`) so the reading room's commands live here.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from newsreader.errors import UserInputError

if TYPE_CHECKING:
    from newsreader.config import Settings
    from newsreader.downloads import Download
    from newsreader.models import Article

CommandFactory = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]


def register(command: CommandFactory) -> None:
    """Add this module's subcommands through cli.py's ``command(name, handler, help)``."""
    p = command("download", cmd_download, "download an article's enclosure (resumes a partial download)")
    p.add_argument("id", metavar="ID", help="article id (or a unique prefix of 4+ characters)")
    p.add_argument(
        "number", nargs="?", type=int, default=1, metavar="N", help="which enclosure (default 1, see show)"
    )
    p.add_argument("--all", action="store_true", help="every enclosure of the article")


def print_markdown(article: Article) -> None:
    """``show ID --markdown``: the article as a Markdown file on stdout."""
    from newsreader.markdown import article_markdown

    sys.stdout.write(article_markdown(article))
    sys.stdout.flush()


def _open(args: argparse.Namespace) -> tuple[Article, Settings]:
    from newsreader.config import library_dir, load_settings, lock_timeout, settings_path
    from newsreader.library import Library

    article = Library(library_dir(args.library), lock_timeout=lock_timeout()).get(args.id)
    return article, load_settings(settings_path(args.library))


def cmd_download(args: argparse.Namespace) -> int:
    from newsreader.config import download_folder
    from newsreader.downloads import DownloadQueue, State

    article, settings = _open(args)
    if not article.enclosures:
        raise UserInputError(f"article {article.id} has no enclosures")
    if args.all:
        chosen = list(article.enclosures)
    elif 1 <= args.number <= len(article.enclosures):
        chosen = [article.enclosures[args.number - 1]]
    else:
        raise UserInputError(
            f"article {article.id} has {len(article.enclosures)} enclosure(s), not {args.number}"
        )
    queue = DownloadQueue(
        download_folder(settings), progress=_progress_printer(), timeout=settings.fetch_timeout
    )
    for enclosure in chosen:
        queue.add(enclosure.url, enclosure.file_name)
    failed = 0
    for item in queue.run():
        if item.state is State.DONE:
            print(item.path)
        else:
            failed += 1
            print(f"newsreader: error: {item.error} (run it again to resume)", file=sys.stderr)
    return 1 if failed else 0


def _progress_printer() -> Callable[[Download], None] | None:
    """A one-line progress display on an interactive stderr; nothing when piped."""
    if not sys.stderr.isatty():
        return None
    last: list[str] = [""]

    def show(item: Download) -> None:
        line = item.describe()
        if line != last[0]:
            last[0] = line
            sys.stderr.write("\r\x1b[K" + line.replace("\x1b", ""))
            if item.state.value in ("done", "failed"):
                sys.stderr.write("\n")
            sys.stderr.flush()

    return show
