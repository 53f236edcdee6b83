"""What every command shares: one-line usage errors, consoles that never read markup, the library as
the command line names it, JSON out, and the one-line forms of untrusted text, counts and dates.

Other packages' commands (organise, extract, sync) use these through ``newsreader.cli``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

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
