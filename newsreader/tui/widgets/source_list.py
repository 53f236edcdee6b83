"""The sources pane: All, Unread, Starred, saved searches, then each feed and each imported dump with
unread counts. Feeds in OPML folders (their ``category``, ``News/Science`` two deep) are listed under
a heading per folder with the folder's unread count; feeds outside any folder come first.

Sources are few (hundreds at most), so an OptionList is the right tool here; rows carry a
selection key (``all``, ``unread``, ``starred``, ``saved:<name>`` or ``src:<source id>``), never widget
references.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from newsreader.models import Source, SourceKind
from newsreader.tui.messages import SourceChosen
from newsreader.tui.text import safe_line

ALL, UNREAD, STARRED = "all", "unread", "starred"
"""The three smart views above the sources."""


def source_key(source_id: str) -> str:
    return f"src:{source_id}"


def saved_key(name: str) -> str:
    return f"saved:{name}"


def saved_name_of(key: str) -> str | None:
    """The saved search's name inside a selection key, or ``None``."""
    return key[6:] if key.startswith("saved:") else None


def source_id_of(key: str) -> str | None:
    """The source id inside a selection key, or ``None`` for a smart view."""
    return key[4:] if key.startswith("src:") else None


class SourceList(OptionList):
    """Smart views and sources; highlighting one shows its headlines."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="sources-down"),
        Binding("k", "cursor_up", "Up", show=False, id="sources-up"),
        # The screen decides (screens/jobs.py, tui/feeds.py); here they only apply to this pane.
        # (``r`` here refreshes the highlighted feed: the screen's own binding asks who has focus,
        # so the footer keeps showing it.)
        Binding(
            "e",
            "screen.rename_source",
            "Rename",
            show=False,
            id="sources-rename",
            tooltip="Rename the highlighted feed or imported file",
        ),
        Binding(
            "D",
            "screen.remove_source",
            "Remove feed",
            show=False,
            id="sources-remove",
            tooltip="Unsubscribe from the highlighted feed and delete its articles, after asking",
        ),
    ]

    Chosen: ClassVar[type[SourceChosen]] = SourceChosen

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, markup=False)
        self._labels: dict[str, str] = {ALL: "All articles", UNREAD: "Unread", STARRED: "Starred"}
        self._sources: dict[str, Source] = {}
        self._counts = (0, 0, 0)
        self._saved: dict[str, int] = {}

    def set_sources(
        self,
        sources: Sequence[Source],
        *,
        unread: int,
        starred: int,
        total: int,
        saved: dict[str, int] | None = None,
    ) -> None:
        """Rebuild the rows, keeping the highlighted key; ``saved``: unread count per saved search
        (``None`` keeps the counts shown)."""
        self._sources = {s.id: s for s in sources}
        self._counts = (unread, starred, total)
        if saved is not None:
            self._saved = dict(saved)
        self._rebuild()

    def adjust(self, unread: dict[str, int], starred: int, articles: dict[str, int] | None = None) -> None:
        """Move the counts shown by a change (source id -> change in unread, the change in starred,
        source id -> change in articles), as a write or a deletion made them: no recount."""
        from dataclasses import replace

        total_unread, total_starred, total = self._counts
        for source_id in unread.keys() | (articles or {}).keys():
            source = self._sources.get(source_id)
            if source is None:  # the totals are the sources' sums (``MainScreen._show_sources``)
                continue
            step, more = unread.get(source_id, 0), (articles or {}).get(source_id, 0)
            self._sources[source_id] = replace(
                source, unread=max(0, source.unread + step), articles=max(0, source.articles + more)
            )
            total_unread, total = total_unread + step, total + more
        self._counts = (max(0, total_unread), max(0, total_starred + starred), max(0, total))
        self._rebuild()

    def set_saved_counts(self, saved: dict[str, int]) -> None:
        """The saved searches' unread counts, the rest kept."""
        self._saved = dict(saved)
        self._rebuild()

    def _rebuild(self) -> None:
        keep = self.selected_key
        sources = list(self._sources.values())
        unread, starred, total = self._counts
        rows: list[Option | None] = [
            self._option(ALL, "All articles", total, muted_count=True),
            self._option(UNREAD, "Unread", unread),
            self._option(STARRED, "Starred", starred, muted_count=True),
        ]
        if self._saved:
            rows.append(None)
            rows.append(Option(Text("SAVED SEARCHES", style="dim bold"), disabled=True))
            for name in sorted(self._saved, key=str.casefold):
                rows.append(self._option(saved_key(name), safe_line(name), self._saved[name]))
        feeds = sorted((s for s in sources if s.kind == SourceKind.FEED), key=_by_folder)
        dumps = sorted((s for s in sources if s.kind != SourceKind.FEED), key=lambda s: s.title.casefold())
        if feeds:
            rows.append(None)
            rows.append(Option(Text("FEEDS", style="dim bold"), disabled=True))
            rows.extend(self._feed_rows(feeds))
        if dumps:
            rows.append(None)
            rows.append(Option(Text("IMPORTED", style="dim bold"), disabled=True))
            rows.extend(self._source_option(s) for s in dumps)
        # A rebuild is not a choice: keep it from announcing highlights.
        with self.prevent(OptionList.OptionHighlighted):
            self.set_options(rows)
            self.highlighted = self.get_option_index(keep if self._has(keep) else ALL)

    def _has(self, key: str) -> bool:
        try:
            self.get_option_index(key)
        except OptionDoesNotExist:
            return False
        return True

    def _feed_rows(self, feeds: list[Source]) -> list[Option]:
        """Feeds outside any folder, then a heading per folder (with its unread count) and its feeds."""
        rows: list[Option] = []
        folder: str | None = None
        for source in feeds:
            category = _folder(source)
            if category and category != folder:
                unread = sum(s.unread for s in feeds if _folder(s) == category)
                label = "▾ " + " › ".join(safe_line(p) for p in category.split("/"))
                rows.append(self._option(f"folder:{category}", label, unread, heading=True))
            folder = category
            rows.append(self._source_option(source, indent="  " if category else ""))
        return rows

    def _source_option(self, source: Source, *, indent: str = "") -> Option:
        title = safe_line(source.title) or safe_line(source.location)
        self._labels[source_key(source.id)] = title
        if source.error:
            title = "! " + title
        elif source.warning:
            title = "? " + title
        return self._option(source_key(source.id), indent + title, source.unread, remember=False)

    def _option(
        self,
        key: str,
        label: str,
        count: int,
        *,
        muted_count: bool = False,
        heading: bool = False,
        remember: bool = True,
    ) -> Option:
        """One row: the label cut to the pane's width, the count right-aligned after it; a folder's
        heading is dim and cannot be chosen."""
        if remember:
            self._labels[key] = label
        width = max(12, (self.scrollable_content_region.width or 24) - 2)
        number = f"{count:>6}" if count else ""
        text = Text(label, end="", style="dim bold" if heading else "")
        text.truncate(width - len(number), overflow="ellipsis", pad=bool(number))
        if number:
            text.append(number, style="dim" if muted_count or heading else "bold")
        return Option(text, id=key, disabled=heading)

    def on_resize(self) -> None:
        if self._sources or self.option_count:
            self._rebuild()

    @property
    def selected_key(self) -> str:
        """The highlighted row's key (``all`` when nothing is highlighted)."""
        index = self.highlighted
        if index is None:
            return ALL
        option = self.get_option_at_index(index)
        return option.id or ALL

    @property
    def saved_counts(self) -> dict[str, int]:
        """The unread counts shown on the saved searches."""
        return dict(self._saved)

    @property
    def counts(self) -> tuple[int, int, int]:
        """The unread, starred and total counts shown on the smart views."""
        return self._counts

    def label_for(self, key: str) -> str:
        return self._labels.get(key, key)

    def source(self, source_id: str) -> Source | None:
        return self._sources.get(source_id)

    def next_unread_key(self, after: str) -> str | None:
        """The next source (in the order shown, wrapping) with unread articles, other than ``after``."""
        keys = [o.id for o in self.options if o.id and source_id_of(o.id) is not None]
        start = keys.index(after) + 1 if after in keys else 0
        for key in keys[start:] + keys[:start]:
            source = self._sources.get(key[4:])
            if key != after and source is not None and source.unread > 0:
                return key
        return None

    def select_key(self, key: str) -> None:
        if self._has(key):
            self.highlighted = self.get_option_index(key)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        key = event.option.id
        if key:
            self.post_message(SourceChosen(key, self.label_for(key)))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        key = event.option.id
        if key:
            self.post_message(SourceChosen(key, self.label_for(key), enter=True))


def _folder(source: Source) -> str:
    return (source.category or "").strip("/")


def _by_folder(source: Source) -> tuple[bool, str, str]:
    """Feeds outside a folder first, then by folder path, then by title."""
    folder = _folder(source)
    return (bool(folder), folder.casefold(), source.title.casefold())
