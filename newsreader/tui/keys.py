"""The reading keys of the main screen, by binding id (``settings.toml`` ``[keys]`` remaps them).

Kept apart from the screen so the screen reads as its handlers; ``NewsReaderApp.help_sections``
lists them under "Reading".
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

READING_KEYS: list[BindingType] = [
    Binding(
        "tab",
        "switch_pane(1)",
        "Next pane",
        show=False,
        id="switch-pane",
        tooltip="Move focus to the next pane",
    ),
    Binding(
        "shift+tab",
        "switch_pane(-1)",
        "Previous pane",
        show=False,
        id="switch-pane-back",
        tooltip="Move focus to the previous pane",
    ),
    Binding(
        "space,pagedown",
        "page_article(1)",
        "Page",
        id="page-article",
        tooltip="Page the article down (opens the highlighted one if none is open)",
    ),
    Binding(
        "shift+space,pageup,b",
        "page_article(-1)",
        "Page back",
        show=False,
        id="page-back",
        tooltip="Page the article up",
    ),
    Binding("n", "step(1)", "Next", id="next-article", tooltip="Open the next article in the list"),
    Binding(
        "p",
        "step(-1)",
        "Previous",
        show=False,
        id="previous-article",
        tooltip="Open the previous article in the list",
    ),
    Binding(
        "N",
        "next_unread",
        "Next unread",
        show=False,
        id="next-unread",
        tooltip="Open the next unread article",
    ),
    Binding("m", "toggle_read", "Read/unread", id="toggle-read", tooltip="Mark the article read or unread"),
    Binding("s", "toggle_star", "Star", id="toggle-star", tooltip="Star or unstar the article"),
    Binding(
        "A",
        "mark_source_read",
        "Mark all read",
        show=False,
        id="mark-source-read",
        tooltip="Mark every article in this source or view read",
    ),
    Binding(
        "o",
        "open_link",
        "Open link",
        show=False,
        id="open-link",
        tooltip="Open the article's link in a web browser",
    ),
    Binding(
        "L",
        "links",
        "Links",
        show=False,
        id="links",
        tooltip="List the article's links and enclosures (1-9 open one)",
    ),
    Binding(
        "d",
        "download",
        "Download",
        show=False,
        id="download",
        tooltip="Queue the article's enclosure for download (into download_dir)",
    ),
    Binding(
        "P",
        "play",
        "Play",
        show=False,
        id="play",
        tooltip="Play the article's enclosure with the player setting (the downloaded file if there is one)",
    ),
    Binding(
        "w",
        "save_markdown",
        "Save",
        show=False,
        id="save",
        tooltip="Save the article as Markdown into download_dir",
    ),
    Binding(
        "vertical_line",
        "pipe",
        "Pipe",
        show=False,
        id="pipe",
        tooltip="Pipe the article as Markdown to the pipe_command setting",
    ),
    Binding(
        "c",
        "toggle_compact",
        "Compact",
        show=False,
        id="compact-list",
        tooltip="One line per headline, or title, source and preview (setting compact_list)",
    ),
    Binding("slash", "search", "Search", id="search", tooltip="Search every saved article as you type"),
    Binding(
        "escape",
        "back",
        "Back",
        show=False,
        id="back",
        tooltip="Leave search, or go back from the article to the list",
    ),
    Binding("r", "refresh", "Refresh", id="refresh", tooltip="Fetch every subscribed feed now"),
    Binding(
        "a",
        "add_feed",
        "Add feed",
        show=False,
        id="add-feed",
        tooltip="Subscribe to an RSS or Atom feed by URL",
    ),
    Binding(
        "i",
        "import_files",
        "Import",
        show=False,
        id="import",
        tooltip="Import a dump, feed file, OPML file or folder",
    ),
]
"""Each action is ``MainScreen.action_<name>``; the ids are stable, users remap them."""
