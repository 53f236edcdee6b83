"""The ``newsreader`` command: argparse subcommands, each one call into :class:`Library`.

Contract (docs/design.md): exit 0 on success, 1 on a user error with one line on stderr, never a traceback
for a user's mistake. Heavy modules (Textual, feedparser, httpx) are imported only by the commands that
need them.

``main`` is the entry point; ``parser`` builds the subcommands, ``articles`` and ``feeds`` run them,
``process`` turns a run into an exit code (signals, errors), ``_common`` is what they share.
"""

from __future__ import annotations

from collections.abc import Sequence

from newsreader.cli._common import _console, _open_library, _print_json
from newsreader.cli.articles import cmd_search, cmd_tui, render_article
from newsreader.cli.parser import _build_parser
from newsreader.cli.process import _run, _sigterm_interrupts

__all__ = ["_console", "_open_library", "_print_json", "main", "render_article"]


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
