"""Organising a big library: rules at ingest, saved searches, per-feed schedules and retention.

- ``rules``: ``[[rules]]`` of settings.toml read and checked, and what they do to a batch of articles;
- ``saved``: saved searches in ``saved.json`` and their unread counts, kept current cheaply;
- ``schedule``: refresh intervals, which feeds are due, and the backoff of a failing feed;
- ``retention``: which articles a prune drops.

Each is pure or nearly so (the store is passed in), so the import and refresh pipelines, the CLI and the
app share one implementation.
"""
