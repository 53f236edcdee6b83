"""The reading app: a Textual TUI over ``newsreader.library.Library`` (see ``app.run``)."""
