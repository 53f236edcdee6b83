"""Turning outside bytes (dumps, feeds, OPML) into drafts. Pure functions; no storage here."""
