"""Downloading and parsing a refresh's feeds: async fetches, and a process pool for big runs.

Module level so a process pool can pickle what it runs. Workers die with the refresh process
(:func:`_die_with_parent`), even when it is killed with ``kill -9``.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from newsreader.models import ArticleDraft, FeedResult
from newsreader.store.records import SourceRecord

if TYPE_CHECKING:
    from newsreader.errors import ParseError
    from newsreader.ingest.feed import ParsedFeed
    from newsreader.ingest.fetch import Fetcher, FetchRequest, FetchResult

log = logging.getLogger("newsreader.library")

ProgressCallback = Callable[[int, int, str], None]

PARALLEL_PARSE_MIN = 24
"""Refreshes downloading at least this many feeds parse them in a process pool (both cores)."""


_tracker_lock = threading.Lock()


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with a real stderr to hand on.

    The tracker passes ``sys.stderr.fileno()`` to its process; inside a Textual app sys.stderr is a
    capture whose ``fileno()`` is -1, and the start failed (``ValueError: bad value(s) in
    fds_to_keep``), taking the app down with its refresh (issue 13). Started here once, with the
    process's own stderr put back for that moment, it is running when the pool's locks need it.
    """
    import sys
    from multiprocessing import resource_tracker

    with _tracker_lock:
        try:
            usable = sys.stderr is not None and sys.stderr.fileno() >= 0
        except (AttributeError, OSError, ValueError):
            usable = False
        if usable or sys.__stderr__ is None:
            return
        captured, sys.stderr = sys.stderr, sys.__stderr__
        try:
            resource_tracker.ensure_running()
        finally:
            sys.stderr = captured


def run_async(coro: Any) -> Any:
    """Run a coroutine to completion from sync code, even on a thread whose loop is running."""
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # handed back to the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="newsreader-refresh")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def _die_with_parent(parent: int) -> None:
    """Pool worker initializer: the worker ends when the refresh process does, even by ``kill -9``.

    Without this an orphaned worker blocks forever on a pipe write (issue 9). On Linux the kernel
    sends SIGKILL when the parent goes (``PR_SET_PDEATHSIG``); elsewhere a daemon thread watches.
    The parent alone answers Ctrl-C and SIGTERM; a worker just goes with it.
    """
    import signal
    import sys

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    armed = False
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            armed = (
                ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0) == 0
            )  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            armed = False
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)
    if not armed:

        def watch() -> None:
            import time

            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(1)

        threading.Thread(target=watch, name="newsreader-parent-watch", daemon=True).start()


def _parse_job(data: bytes, source_id: str, url: str, content_type: str | None) -> ParsedFeed | ParseError:
    """Parse one downloaded feed; a ParseError is returned, not raised, to cross the pool."""
    from newsreader.errors import ParseError
    from newsreader.ingest.fastfeed import parse_feed  # feed.parse_feed, faster on well-formed feeds

    try:
        return parse_feed(data, source_id=source_id, url=url, content_type=content_type)
    except ParseError as exc:
        return exc


class Outcome:
    """One refreshed feed: its provisional result, its drafts and what to record on the source."""

    __slots__ = ("drafts", "fetch", "parsed", "result", "source_id")

    def __init__(
        self, source_id: str, fetch: FetchResult, parsed: ParsedFeed | None, result: FeedResult
    ) -> None:
        self.source_id = source_id
        self.fetch = fetch
        self.parsed = parsed
        self.result = result
        self.drafts: list[ArticleDraft] = list(parsed.drafts) if parsed is not None else []


async def fetch_and_parse(
    fetcher: Fetcher,
    requests: list[FetchRequest],
    feeds: Mapping[str, SourceRecord],
    headlines: Callable[[], Mapping[str, Any]],
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
    on_feed: Callable[[FeedResult], None] | None,
    total: int,
) -> list[Outcome]:
    """Download every feed and parse each as soon as it arrives (in a process pool for big runs)."""
    import asyncio
    import concurrent.futures

    from newsreader.errors import ParseError

    loop = asyncio.get_running_loop()
    pool: concurrent.futures.Executor | None = None
    workers = min(os.cpu_count() or 1, 4)
    use_pool = workers > 1 and len(requests) >= PARALLEL_PARSE_MIN
    pending: list[asyncio.Future[tuple[FetchResult, ParsedFeed | ParseError]]] = []
    outcomes: list[Outcome] = []
    failures: list[Exception] = []  # raised in a done callback, where the loop would only log them
    done = total - len(requests)

    def finish(fetch: FetchResult, parsed: ParsedFeed | ParseError | None) -> None:
        nonlocal done
        rec = feeds.get(fetch.key, {})
        title = rec.get("title") or fetch.url
        error = fetch.error
        if isinstance(parsed, ParseError):
            error, parsed = f"{parsed}", None
        new = 0
        if parsed is not None and parsed.drafts:
            known = headlines()  # loaded on the first feed with content (cached by the store)
            new = sum(1 for d in parsed.drafts if d.id not in known)
        url = fetch.moved_to or fetch.url
        result = FeedResult(fetch.key, url, title, new=new, not_modified=fetch.not_modified, error=error)
        outcomes.append(Outcome(fetch.key, fetch, parsed, result))
        done += 1
        if on_feed is not None:
            on_feed(result)
        if progress is not None:
            progress(done, total, title)

    async def parse_later(fetch: FetchResult) -> tuple[FetchResult, ParsedFeed | ParseError]:
        assert fetch.content is not None  # only downloads with content are parsed
        args = (fetch.content, fetch.key, fetch.final_url or fetch.url, fetch.content_type)
        try:
            parsed = await loop.run_in_executor(pool, _parse_job, *args)
        except Exception as exc:  # a crashed pool worker costs this feed, not the refresh
            log.exception("parsing %s failed", fetch.url)
            parsed = ParseError(f"cannot parse: {type(exc).__name__}: {exc}")
        return fetch, parsed

    def on_result(fetch: FetchResult) -> None:
        nonlocal pool
        if fetch.content is None:
            finish(fetch, None)
            return
        if use_pool and pool is None:
            import multiprocessing

            from newsreader.ingest import fastfeed  # noqa: F401  (imported before forking: workers share it)

            # fork is instant and shares the imported modules, but forking a process with other
            # threads (a Textual app's) can deadlock the child: then spawn, which starts clean.
            method = "fork" if threading.active_count() == 1 and os.name == "posix" else "spawn"
            context = multiprocessing.get_context(method)
            _start_resource_tracker()
            pool = concurrent.futures.ProcessPoolExecutor(
                workers, mp_context=context, initializer=_die_with_parent, initargs=(os.getpid(),)
            )
        task = asyncio.ensure_future(parse_later(fetch))
        task.add_done_callback(finished)
        pending.append(task)

    def finished(task: asyncio.Future[tuple[FetchResult, ParsedFeed | ParseError]]) -> None:
        if task.cancelled():
            return
        try:
            finish(*task.result())
        except Exception as exc:  # e.g. a corrupt headlines file: the refresh's error, not a log line
            failures.append(exc)

    try:
        await fetcher.fetch_all(requests, on_result=on_result, cancel=cancel)
        if pending:
            await asyncio.gather(*pending)
        if failures:
            raise failures[0]
    finally:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
    return outcomes
