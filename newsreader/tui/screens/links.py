"""The links list of one article: its numbered link references and its enclosures.

A number key opens that link at once (``[3]`` in the text is key ``3``); ``enter`` opens the
highlighted row, ``d`` queues the highlighted enclosure for download. The screen only answers
what was chosen; the main screen opens or downloads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from newsreader.models import Article
from newsreader.tui.text import safe_line


@dataclass(frozen=True, slots=True)
class LinkChoice:
    """What the reader picked: a URL to open, or an enclosure (by index) to download."""

    url: str
    download: int | None = None
    """The enclosure's index in ``Article.enclosures`` when it is to be downloaded."""


def _size(length: int | None) -> str:
    if not length:
        return ""
    value = float(length)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return ""


def enclosure_label(number: int, url: str, kind: str | None, length: int | None, name: str) -> Text:
    """``e1 ep40.mp3  audio/mpeg · 25.0 MB``: one line for an enclosure (links list, article pane)."""
    detail = " · ".join(x for x in (kind or "", _size(length)) if x)
    label = Text(f"e{number} ", style="dim", end="")
    label.append(safe_line(name))
    if detail:
        label.append(f"  {detail}", style="dim")
    return label


class LinksScreen(ModalScreen[LinkChoice | None]):
    """The article's links (``[n]``) then its enclosures (``eN``); ``esc`` closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,L", "close", "Close", id="links-close"),
        Binding("d", "download", "Download", id="links-download"),
        *[Binding(str(n), f"number({n})", f"Link {n}", show=False) for n in range(1, 10)],
    ]

    def __init__(self, article: Article) -> None:
        super().__init__()
        self.article = article

    def compose(self) -> ComposeResult:
        article = self.article
        options: list[Option] = []
        for number, link in enumerate(article.links, 1):
            options.append(Option(Text(f"[{number}] {safe_line(link)}", end=""), id=f"l{number}"))
        for number, enc in enumerate(article.enclosures, 1):
            label = enclosure_label(number, enc.url, enc.type, enc.length, enc.file_name)
            options.append(Option(label, id=f"e{number}"))
        with Vertical(id="links", classes="dialog"):
            yield Static(
                Text(f"Links of “{safe_line(article.title)}”", style="bold", end=""), id="links-title"
            )
            if options:
                yield OptionList(*options, id="links-list")
            else:
                yield Static("This article has no links and no enclosures.", id="links-empty")
            hint = "1-9 open a link · enter opens · d downloads an enclosure · esc closes"
            yield Static(Text(hint, style="dim", end=""), id="links-footer")

    def _choice(self, option_id: str | None, download: bool = False) -> LinkChoice | None:
        if not option_id:
            return None
        number = int(option_id[1:])
        if option_id.startswith("l"):
            return None if download else LinkChoice(self.article.links[number - 1])
        enclosure = self.article.enclosures[number - 1]
        return LinkChoice(enclosure.url, download=number - 1 if download else None)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._choice(event.option.id))

    def action_number(self, number: int) -> None:
        if number <= len(self.article.links):
            self.dismiss(LinkChoice(self.article.links[number - 1]))
        else:
            self.notify(f"There is no link [{number}].", severity="warning", markup=False)

    def action_download(self) -> None:
        lists = self.query(OptionList)
        if not lists:
            return
        options = lists.first()
        highlighted = options.highlighted
        option_id = options.get_option_at_index(highlighted).id if highlighted is not None else None
        choice = self._choice(option_id, download=True)
        if choice is None or choice.download is None:
            self.notify("Highlight an enclosure (eN) to download it.", severity="warning", markup=False)
            return
        self.dismiss(choice)

    def action_close(self) -> None:
        self.dismiss(None)
