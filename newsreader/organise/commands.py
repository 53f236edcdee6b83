"""The organise commands of the CLI: ``tag``, ``saved``, ``rules apply``, ``prune``, and ``feed``'s
schedule and retention options (``--interval``, ``--keep-days``, ``--keep-articles``).

``register`` adds them to the CLI's parser (cli.py calls it once, last); each handler opens the library
the way cli.py does and prints with the same console rules (untrusted text as ``Text``, never markup).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsreader._lookup import ArticleList
    from newsreader.config import Settings
    from newsreader.library import Library
    from newsreader.models import Source

Handler = Callable[[argparse.Namespace], int]
Command = Callable[[str, Handler, str], argparse.ArgumentParser]


def _library(args: argparse.Namespace) -> Library:
    from newsreader import cli

    return cli._open_library(args)


def _settings(args: argparse.Namespace) -> Settings:
    from newsreader.config import load_settings, settings_path

    return load_settings(settings_path(args.library))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def cmd_tag(args: argparse.Namespace) -> int:
    from newsreader import cli
    from newsreader.errors import UserInputError
    from newsreader.organise.ops import parse_tag_changes

    ids = [a for a in args.items if a[:1] not in "+-"]
    changes = [a for a in args.items if a[:1] in "+-"]
    if not ids:
        raise UserInputError("say which articles: newsreader tag ID... +NAME -NAME")
    add, remove = parse_tag_changes(changes)
    changed = _library(args).tag(ids, add=add, remove=remove)
    cli._console().print(f"{_count(changed, 'article')} changed")
    return 0


def cmd_saved(args: argparse.Namespace) -> int:
    from rich.text import Text

    from newsreader import cli

    saved = _library(args).saved
    out = cli._console()
    if args.action == "add":
        if not args.query:
            from newsreader.errors import UserInputError

            raise UserInputError("say what to search for: newsreader saved add NAME QUERY")
        entry = saved.add(args.name, " ".join(args.query))
        out.print(Text(f"saved {entry.name!r}: {entry.query}"), soft_wrap=True)
    elif args.action == "remove":
        entry = saved.remove(args.name)
        out.print(Text(f"removed {entry.name!r}"), soft_wrap=True)
    else:
        searches = saved.all()
        if args.json:
            cli._print_json([{"name": s.name, "query": s.query} for s in searches])
            return 0
        if not searches:
            out.print("no saved searches (newsreader saved add NAME QUERY)")
        for entry in searches:
            line = Text()
            line.append(entry.name, "bold")
            line.append(f"  {entry.query}", "dim")
            out.print(line, soft_wrap=True)
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    from rich.text import Text

    from newsreader import cli

    settings = _settings(args)  # a rule that does not parse stops here, before anything is read
    report = _library(args).apply_rules(settings.rules, dry_run=args.dry_run)
    if args.json:
        cli._print_json(
            {
                "dry_run": report.dry_run,
                "changed": report.changed,
                "rules": [
                    {"name": r.name, "query": r.query.text, "action": r.label, "matched": m, "changed": c}
                    for r, m, c in report.per_rule
                ],
            }
        )
        return 0
    out = cli._console()
    if not report.per_rule:
        out.print("no rules in settings.toml (see README, Rules)")
        return 0
    verb = "would change" if report.dry_run else "changed"
    for rule, matched, changed in report.per_rule:
        out.print(Text(f"{rule.name} ({rule.label}): {matched} matched, {changed} {verb}"), soft_wrap=True)
    out.print(f"{_count(report.changed, 'article')} {verb}")
    return 0


def cmd_prune(args: argparse.Namespace) -> int:
    from newsreader import cli

    settings = _settings(args)
    ids = _library(args).prune(settings.retention, dry_run=args.dry_run)
    if args.json:
        cli._print_json({"dry_run": args.dry_run, "ids": ids})
        return 0
    verb = "would drop" if args.dry_run else "dropped"
    cli._console().print(f"{verb} {_count(len(ids), 'article')}")
    return 0


def saved_listing(library: Library, args: argparse.Namespace) -> ArticleList | list[Any]:
    """``list --saved NAME``, with ``--unread``/``--starred``/``--limit`` applied on top."""
    articles: ArticleList | list[Any] = library.saved_articles(args.saved)
    if args.unread or args.starred or args.feed:
        source = library.resolve_source(args.feed) if args.feed else None
        articles = [
            a
            for a in articles
            if (not args.unread or not a.read)
            and (not args.starred or a.starred)
            and (source is None or a.source_id == source)
        ]
    return articles[: args.limit] if args.limit else articles


def due_now(library: Library, args: argparse.Namespace) -> list[str]:
    """The feeds ``refresh --due`` fetches."""
    from newsreader.organise.ops import due_feeds

    return due_feeds(library, _settings(args).interval)


def _interval(text: str) -> float | str:
    """argparse type for ``--interval``: seconds, or ``default``."""
    from newsreader.errors import UserInputError
    from newsreader.organise.schedule import parse_interval

    if text.strip().lower() == "default":
        return "default"
    try:
        return parse_interval(text)
    except UserInputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number (0: no limit), not {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 (no limit) or more, not {value}")
    return value


def apply_feed_options(library: Library, source_id: str, args: argparse.Namespace) -> None:
    """``feed FEED --interval/--keep-days/--keep-articles``: change the feed's settings."""
    interval = getattr(args, "interval", None)
    library.set_feed(
        source_id,
        interval=interval if isinstance(interval, float) else None,
        default_interval=interval == "default",
        keep_days=getattr(args, "keep_days", None),
        keep_articles=getattr(args, "keep_articles", None),
    )


def schedule_lines(
    library: Library, source_id: str, args: argparse.Namespace
) -> tuple[dict[str, Any], list[str]]:
    """The feed's schedule for ``feed --json`` (fields) and for the terminal (lines)."""
    import time

    from newsreader.organise.ops import schedule_of
    from newsreader.organise.schedule import format_interval

    schedule = schedule_of(library, source_id, _settings(args).interval)
    lines = [
        f"  interval:   {format_interval(schedule.interval)}"
        + ("" if schedule.own_interval else " (default)")
    ]
    if schedule.failures:
        lines.append(
            f"  backing off: {schedule.failures} failure(s) in a row, next try in "
            f"{format_interval(max(60.0, schedule.next_due - time.time()))}"
        )
    elif schedule.next_due:
        due_in = schedule.next_due - time.time()
        lines.append(f"  next due:   {'now' if due_in <= 0 else 'in ' + format_interval(max(60.0, due_in))}")
    keep = [f"{n} days" for n in [schedule.keep_days] if n] + [
        f"{n} articles" for n in [schedule.keep_articles] if n
    ]
    if schedule.keep_days is not None or schedule.keep_articles is not None:
        lines.append(f"  keeps:      {', '.join(keep) or 'everything'}")
    return schedule.to_json(), lines


def cmd_feed(args: argparse.Namespace) -> int:
    """``feed FEED``: show a subscription with its schedule; the options change it first."""
    from rich.text import Text

    from newsreader import cli
    from newsreader.errors import FeedNotFoundError
    from newsreader.models import SourceKind

    library = _library(args)
    source_id = library.resolve_source(args.feed)
    source = next((s for s in library.sources() if s.id == source_id), None)
    if source is None:
        raise FeedNotFoundError(f"{args.feed!r} is not a subscription (see `newsreader feeds`)")
    if args.title is not None:
        source = library.rename_source(source_id, args.title)
    if source.kind is not SourceKind.FEED:
        return _show_dump(args, source)
    apply_feed_options(library, source_id, args)
    fields, lines = schedule_lines(library, source_id, args)
    if hasattr(args, "full_text"):  # the full-text option shares this command (newsreader.extract)
        from newsreader.extract.auto import full_text_on, set_full_text

        if args.full_text is not None:
            set_full_text(library, source_id, args.full_text)
        on = full_text_on(library, source_id)
        fields["full_text"] = on
        lines.insert(
            0, "  full text:  " + ("on: new summary-only items get their page fetched" if on else "off")
        )
    if args.json:
        cli._print_json(source.to_json() | fields)
        return 0
    out = cli._console()
    out.print(Text(f"{source.title}  ({source.id})"), soft_wrap=True)
    out.print(Text(f"  url:        {source.location}"), soft_wrap=True)
    out.print(f"  articles:   {source.articles} ({source.unread} unread)")
    if source.error:
        out.print(Text(f"  last error: {source.error}"), soft_wrap=True)
    if source.warning:
        out.print(Text(f"  warning:    {source.warning}"), soft_wrap=True)
    for line in lines:
        out.print(line)
    return 0


_FEED_ONLY = ("interval", "keep_days", "keep_articles", "full_text")


def _show_dump(args: argparse.Namespace, source: Source) -> int:
    """``feed NAME`` on an imported dump: only ``--title`` applies; show its name and counts."""
    from rich.text import Text

    from newsreader import cli
    from newsreader.errors import UserInputError

    given = [f"--{name.replace('_', '-')}" for name in _FEED_ONLY if getattr(args, name, None) is not None]
    if given:
        raise UserInputError(
            f"{source.title!r} is an imported dump, not a subscription: "
            f"{', '.join(given)} apply to feeds only"
        )
    if args.json:
        cli._print_json(source.to_json())
        return 0
    out = cli._console()
    out.print(Text(f"{source.title}  ({source.id})"), soft_wrap=True)
    out.print(Text(f"  file:       {source.location}"), soft_wrap=True)
    out.print(f"  articles:   {source.articles} ({source.unread} unread)")
    return 0


def add_feed_options(p: argparse.ArgumentParser) -> None:
    """``--title``, ``--interval``, ``--keep-days``, ``--keep-articles`` on the ``feed`` command."""
    p.add_argument("--title", metavar="NAME", help="rename the feed (or an imported dump) everywhere")
    p.add_argument(
        "--interval", type=_interval, metavar="2h", help='refresh interval (30m, 2h, 1d; "default")'
    )
    p.add_argument(
        "--keep-days", type=_limit, metavar="N", help="prune articles older than N days (0: keep all)"
    )
    p.add_argument("--keep-articles", type=_limit, metavar="N", help="prune beyond N articles (0: no limit)")


def register(command: Command, sub: Any) -> None:
    """Add the organise commands through cli.py's ``command(name, handler, help)``.

    ``feed`` may already be there (the full-text options): then it gains the schedule options and
    its handler applies them first; else it is made here.
    """
    existing = sub.choices.get("feed")
    if existing is None:
        p = command("feed", cmd_feed, "show a subscription and change its settings")
        p.add_argument("feed", metavar="FEED", help="the feed's URL, id or title")
        p.add_argument("--json", action="store_true", help="print a JSON object")
        add_feed_options(p)
    else:
        add_feed_options(existing)
        existing.set_defaults(handler=cmd_feed)  # one handler shows and changes every setting

    p = command("tag", cmd_tag, "add (+NAME) and remove (-NAME) tags on articles")
    p.add_argument("items", nargs=argparse.REMAINDER, metavar="ID... +NAME -NAME")

    p = command("saved", cmd_saved, "saved searches: add NAME QUERY, list, remove NAME")
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="save a search under a name (replaces one of that name)")
    add.add_argument("name", metavar="NAME")
    add.add_argument("query", nargs=argparse.REMAINDER, metavar="QUERY", help="any search (-word too)")
    listing = sub.add_parser("list", help="list saved searches")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    remove = sub.add_parser("remove", help="forget a saved search")
    remove.add_argument("name", metavar="NAME")

    p = command("rules", cmd_rules, "apply the [[rules]] of settings.toml to stored articles")
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    apply = sub.add_parser("apply", help="apply every rule; say how many articles each touched")
    apply.add_argument("--dry-run", action="store_true", help="count, change nothing")
    apply.add_argument("--json", action="store_true", help="print a JSON object")

    p = command("prune", cmd_prune, "drop old articles as retention settings allow")
    p.add_argument("--dry-run", action="store_true", help="count, drop nothing")
    p.add_argument("--json", action="store_true", help="print a JSON object with the ids")
