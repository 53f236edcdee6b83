"""Outside programs (browser, player, pipe) as argument lists: never a shell, the URL one argument.

A command comes from settings as a list of strings; ``{url}`` in an element is replaced by the URL (or,
with no ``{url}`` anywhere, the URL is appended as the last argument). A terminal program (w3m, mpv,
less) takes over the terminal, so the TUI suspends itself around it; a GUI program is started detached,
its output thrown away, so nothing paints over the screen (issue 13, defect 3).

With no ``browser`` setting, ``$BROWSER`` is read the way Python's :mod:`webbrowser` reads it: an
``os.pathsep``-separated list of commands, the first one found on ``PATH`` wins, ``%s`` in it marks the
URL (split like a shell line, but never run by one). With neither, :mod:`webbrowser` picks the default.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Literal

from newsreader.errors import UserInputError

Mode = Literal["auto", "terminal", "gui"]
MODES = ("auto", "terminal", "gui")
TERMINAL_PROGRAMS = frozenset(
    {"w3m", "lynx", "links", "links2", "elinks", "www-browser", "browsh", "carbonyl", "mpv", "mplayer"}
    | {"less", "more", "most", "vi", "vim", "nvim", "nano", "emacs", "cat", "mpg123", "ogg123", "cmus"}
)
"""Programs ``auto`` treats as terminal programs. mpv plays audio in the terminal it is given."""


@dataclass(frozen=True, slots=True)
class Command:
    """A ready argument list and how to run it."""

    argv: tuple[str, ...]
    terminal: bool
    """True: run in the foreground on this terminal (the app suspends). False: detached."""


def build_argv(template: Sequence[str], url: str) -> tuple[str, ...]:
    """The argument list with ``{url}`` filled in, or the URL appended when the template has none."""
    if not template or not all(isinstance(arg, str) for arg in template):
        raise UserInputError('a command setting must be a non-empty list of strings, e.g. ["mpv", "{url}"]')
    if any("{url}" in arg for arg in template):
        return tuple(arg.replace("{url}", url) for arg in template)
    return (*template, url)


def _is_terminal(argv: Sequence[str], mode: str) -> bool:
    if mode not in MODES:
        raise UserInputError(f"a program mode must be one of {', '.join(MODES)}, not {mode!r}")
    if mode != "auto":
        return mode == "terminal"
    return os.path.basename(argv[0]) in TERMINAL_PROGRAMS


def command(template: Sequence[str], url: str, mode: str = "auto") -> Command:
    """A command from a setting's template."""
    argv = build_argv(template, url)
    return Command(argv, _is_terminal(argv, mode))


def browser_command(setting: Sequence[str], url: str, mode: str = "auto") -> Command | None:
    """The browser to open ``url`` with: the setting, else ``$BROWSER``, else None (use webbrowser)."""
    if setting:
        return command(setting, url, mode)
    for entry in os.environ.get("BROWSER", "").split(os.pathsep):
        entry = entry.strip()
        if not entry:
            continue
        argv = shlex.split(entry) if "%s" in entry else [entry]  # webbrowser's rule
        if not argv or shutil.which(argv[0]) is None:
            continue
        filled = [arg.replace("%s", url) for arg in argv] if "%s" in entry else [*argv, url]
        return Command(tuple(filled), _is_terminal(filled, mode))
    return _webbrowser_default(url, mode)


def _webbrowser_default(url: str, mode: str) -> Command | None:
    """webbrowser's own choice as an argument list, when it is a plain program (it is, on Linux)."""
    import webbrowser

    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return None
    name, args = getattr(browser, "name", None), getattr(browser, "args", None)
    if not isinstance(name, str) or not isinstance(args, list) or shutil.which(name) is None:
        return None
    argv = [name, *(arg.replace("%s", url).replace("%action", "") for arg in args)]
    argv = [arg for arg in argv if arg]
    return Command(tuple(argv), _is_terminal(argv, mode))


def run_in_terminal(cmd: Command, stdin: str | None = None) -> int:
    """Run in the foreground on this terminal and wait; the caller has suspended any full-screen app.

    Raises:
        UserInputError: the program does not exist or cannot be started.
    """
    try:
        done = subprocess.run(
            cmd.argv, input=stdin.encode("utf-8") if stdin is not None else None, check=False
        )
    except OSError as exc:
        raise UserInputError(f"cannot run {cmd.argv[0]}: {exc.strerror or exc}") from None
    return done.returncode


def start_detached(cmd: Command, stdin: str | None = None) -> subprocess.Popen[bytes]:
    """Start in its own session with no access to this terminal, and do not wait.

    Raises:
        UserInputError: the program does not exist or cannot be started.
    """
    try:
        process = subprocess.Popen(
            cmd.argv,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
    except OSError as exc:
        raise UserInputError(f"cannot run {cmd.argv[0]}: {exc.strerror or exc}") from None
    if stdin is not None and process.stdin is not None:
        import threading

        # In a thread: a program that reads slowly (or never) must not block the caller on a full pipe.
        threading.Thread(target=_feed, args=(process.stdin, stdin.encode("utf-8")), daemon=True).start()
    return process


def _feed(pipe: IO[bytes], data: bytes) -> None:
    try:
        with pipe:
            pipe.write(data)
    except OSError:
        pass  # the program did not want its input: its business
