"""What the main screen does with an article beyond reading it: links, enclosures, outside programs.

One rule says which article every article action acts on (:meth:`ReadingScreen.target_id`, here):
the open article while the article pane has focus, else the highlighted
headline. Outside programs come from settings as argument lists (``newsreader.launch``): a
terminal program runs with the app suspended, a GUI one detached, so neither paints over the
screen. Enclosure downloads run one at a time in a thread worker, progress in the status line.
"""

from __future__ import annotations

import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import SuspendNotSupported

from newsreader.errors import NewsreaderError, UserInputError
from newsreader.launch import Command, browser_command, command, run_in_terminal, start_detached
from newsreader.models import Article
from newsreader.tui.messages import Progress
from newsreader.tui.screens.links import LinkChoice, LinksScreen
from newsreader.tui.screens.panes import PanesScreen
from newsreader.tui.text import safe_line

if TYPE_CHECKING:
    from newsreader.downloads import Download, DownloadQueue


class ReadingScreen(PanesScreen):
    """The article actions of the main screen (a base class, so main.py stays its handlers)."""

    _downloads: DownloadQueue | None = None

    # -- the one rule -------------------------------------------------------------------------

    def target_id(self) -> str | None:
        """The one rule for every article action (m, s, o, L, d, P, w, |): the open article while
        the article pane has focus, else the highlighted headline."""
        current = self.headlines.current
        if self._pane == "article" and self.article_view.article is not None:
            return self.article_view.article.id
        return current.id if current else None

    def target_label(self) -> str:
        """Which article ``target_id`` picks, as the footer says it."""
        if self._pane == "article" and self.article_view.article is not None:
            return "open article"
        return "highlighted"

    def target_url(self) -> str | None:
        article_id = self.target_id()
        shown = self.article_view.article
        if shown is not None and shown.id == article_id:
            return shown.url
        index = self.headlines.index_of(article_id) if article_id else None
        return self.headlines.articles[index].url if index is not None else None

    # -- the target, whole ---------------------------------------------------------------------

    def with_target(self, then: Callable[[Article], None]) -> None:
        """Call ``then`` with the target article, body, links and enclosures loaded."""
        article_id = self.target_id()
        if article_id is None:
            self.notify("No article here.", markup=False)
            return
        shown = self.article_view.article
        if shown is not None and shown.id == article_id and shown.body is not None:
            then(shown)
        else:
            self._load_target(article_id, then)

    @work(thread=True, group="target")
    def _load_target(self, article_id: str, then: Callable[[Article], None]) -> None:
        try:
            article = self.library.get(article_id)
        except NewsreaderError as exc:
            self._ui(self._error, exc)
            return
        self._ui(then, article)

    # -- links ---------------------------------------------------------------------------------

    def action_open_link(self) -> None:
        url = self.target_url()
        if not url:
            self.notify("This article has no link.", severity="warning", markup=False)
            return
        self.open_url(url)

    def open_url(self, url: str) -> None:
        """Open a link in the configured browser (the setting, ``$BROWSER``, else the system's)."""
        if not url.lower().startswith(("http://", "https://")):
            self.notify("Only http(s) links are opened.", severity="warning", markup=False)
            return
        try:
            cmd = browser_command(self.settings.browser, url, self.settings.browser_mode)
        except UserInputError as exc:
            self._error(exc)
            return
        if cmd is None:
            self._system_browser(url)
        else:
            self.run_program(cmd)

    @work(thread=True, group="browser")
    def _system_browser(self, url: str) -> None:
        try:
            opened = webbrowser.open(url)
        except webbrowser.Error as exc:
            opened = False
            self._ui(self.notify, str(exc), severity="error", markup=False)
        if not opened:
            self._ui(self.notify, f"No browser available. Link: {url}", markup=False, timeout=10)

    def action_links(self) -> None:
        self.with_target(self._show_links)

    def _show_links(self, article: Article) -> None:
        def chosen(choice: LinkChoice | None) -> None:
            if choice is None:
                return
            if choice.download is not None:
                self.queue_download(article, choice.download)
            else:
                self.open_url(choice.url)

        self.app.push_screen(LinksScreen(article), chosen)

    # -- outside programs ----------------------------------------------------------------------

    def run_program(self, cmd: Command, stdin: str | None = None) -> None:
        """A terminal program in the foreground with the app suspended; a GUI one detached."""
        try:
            if not cmd.terminal:
                start_detached(cmd, stdin)
                return
            try:
                with self.app.suspend():
                    code = run_in_terminal(cmd, stdin)
            except SuspendNotSupported:
                self.notify(
                    f"{cmd.argv[0]} is a terminal program and this app cannot hand the terminal"
                    ' to it here; set its *_mode setting to "gui" if it opens its own window.',
                    severity="error",
                    markup=False,
                    timeout=8,
                )
                return
        except UserInputError as exc:
            self._error(exc)
            return
        if code != 0:
            self.notify(f"{cmd.argv[0]} exited with status {code}.", severity="warning", markup=False)

    def action_pipe(self) -> None:
        def pipe(article: Article) -> None:
            from newsreader.markdown import article_markdown

            try:
                cmd = command(self.settings.pipe_command, "", self.settings.pipe_mode)
            except UserInputError as exc:
                self._error(exc)
                return
            # The template's {url} is the article's link; with none, nothing is appended.
            argv = tuple(a.replace("{url}", article.url or "") for a in self.settings.pipe_command)
            self.run_program(Command(argv, cmd.terminal), stdin=article_markdown(article))

        self.with_target(pipe)

    def action_save_markdown(self) -> None:
        def save(article: Article) -> None:
            self._save_markdown(article)

        self.with_target(save)

    @work(thread=True, group="save")
    def _save_markdown(self, article: Article) -> None:
        from newsreader.config import download_folder
        from newsreader.downloads import safe_file_name
        from newsreader.markdown import article_markdown

        folder = download_folder(self.settings)
        path = folder / safe_file_name(f"{safe_line(article.title)[:80]} {article.id[:6]}.md")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(article_markdown(article), encoding="utf-8")
        except OSError as exc:
            self._ui(self.notify, f"Could not save {path}: {exc.strerror or exc}", severity="error")
            return
        self._ui(self.notify, f"Saved {path}", markup=False, timeout=6)

    # -- downloads -----------------------------------------------------------------------------

    @property
    def downloads(self) -> DownloadQueue:
        if self._downloads is None:
            from newsreader.config import download_folder
            from newsreader.downloads import DownloadQueue

            status = self.status

            def progress(item: Download) -> None:
                status.post_message(Progress(item.done, item.total or 0, f"Downloading {item.describe()}"))

            self._downloads = DownloadQueue(
                download_folder(self.settings), progress=progress, timeout=self.settings.fetch_timeout
            )
        return self._downloads

    def action_download(self) -> None:
        def first(article: Article) -> None:
            if not article.enclosures:
                self.notify("This article has no enclosure to download.", markup=False)
                return
            self.queue_download(article, 0)

        self.with_target(first)

    def queue_download(self, article: Article, index: int) -> None:
        enclosure = article.enclosures[index]
        item = self.downloads.add(enclosure.url, enclosure.file_name)
        self.notify(f"Queued {item.path.name} → {item.path.parent}", markup=False, timeout=4)
        self._run_downloads()

    @work(thread=True, exclusive=False, group="downloads")
    def _run_downloads(self) -> None:
        from newsreader.downloads import State

        for item in self.downloads.run():
            if item.state is State.DONE:
                self._ui(self.notify, f"Downloaded {item.path}", markup=False, timeout=6)
            else:
                self._ui(self.notify, item.describe(), severity="error", markup=False, timeout=8)
        self._ui(self.status.done)

    def action_play(self) -> None:
        def play(article: Article) -> None:
            if not article.enclosures:
                self.notify("This article has nothing to play.", markup=False)
                return
            url = article.enclosures[0].url
            local = self.downloaded_path(url)
            try:
                cmd = command(self.settings.player, str(local) if local else url, self.settings.player_mode)
            except UserInputError as exc:
                self._error(exc)
                return
            self.run_program(cmd)

        self.with_target(play)

    def downloaded_path(self, url: str) -> Path | None:
        """Where a finished download of ``url`` is, for the player."""
        from newsreader.downloads import State

        for item in self.downloads.items:
            if item.url == url and item.state is State.DONE:
                return item.path
        return None
