"""Shared text handling, one module per job; this module keeps the names other packages import.

- :mod:`~newsreader.ingest.cleaning`: control and escape stripping, whitespace (``clean``, ``clean_line``);
- :mod:`~newsreader.ingest.decoding`: bytes to text (``decode_bytes``) and feed charsets;
- :mod:`~newsreader.ingest.sentences`: sentence and word cuts (``sentences``, ``excerpt``, ``cut_at_word``);
- :mod:`~newsreader.ingest.html_text`: HTML to plain text and links (``html_to_text``).
"""

from __future__ import annotations

from newsreader.ingest.cleaning import clean, clean_line, normalise_for_id, normalise_newlines, strip_controls
from newsreader.ingest.decoding import decode_bytes
from newsreader.ingest.html_text import html_to_text, looks_like_html
from newsreader.ingest.sentences import cut_at_word, ends_sentence, excerpt, sentences

__all__ = [
    "clean",
    "clean_line",
    "cut_at_word",
    "decode_bytes",
    "ends_sentence",
    "excerpt",
    "html_to_text",
    "looks_like_html",
    "normalise_for_id",
    "normalise_newlines",
    "sentences",
    "strip_controls",
]
