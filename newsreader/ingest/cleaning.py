"""Cleaning untrusted text: control and escape sequences out, newlines and whitespace normalised.

Everything untrusted passes through :func:`clean` (or :func:`clean_line`) before it is stored, so nothing
downstream ever sees a terminal escape sequence or a C0/C1 control character.
"""

from __future__ import annotations

import re
import unicodedata

# ANSI/ECMA-48 escape sequences: CSI (ESC [ or 8-bit CSI), OSC/DCS/SOS/PM/APC strings up to BEL or ST,
# and two-byte ESC sequences. Removed whole, so no parameter bytes are left behind as text.
# A string sequence is removed only when its terminator comes before the end of its line (and before
# another introducer); otherwise the introducer alone goes. U+009D is what the common mojibake of "”"
# leaves behind (and byte 0x9D of a Windows-1252 file): running such a string to the end of the text
# silently deleted the rest of a dump. Excluding introducers from the body keeps the scan linear.
_ESCAPES = re.compile(
    r"""
      (?:\x1b\[|\x9b) [0-?]* [ -/]* [@-~]              # CSI ... final byte
    | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])          # OSC, DCS, SOS, PM, APC ...
      [^\n\r\x07\x1b\x90\x98\x9c\x9d\x9e\x9f]*+ (?:\x07|\x1b\\|\x9c)  # ... terminated on its line
    | \x1b [ -/]* [0-~]                                # other ESC sequences (charset, keypad ...)
    | \x1b                                             # a lone ESC
    """,
    re.VERBOSE,
)
_ESCAPE_STARTS = "\x1b\x9b\x90\x98\x9d\x9e\x9f"
# C0 controls except \t and \n, DEL, C1 controls, and bidi overrides/isolates (which can disguise text).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ufff9-\ufffb]")
_SPACES = re.compile(r"[^\S\n]+")  # runs of whitespace other than newline
_BLANKS = re.compile(r"\n{3,}")


def strip_controls(text: str) -> str:
    """Remove escape sequences and control characters, keeping ``\\n`` and ``\\t``."""
    if not text:
        return text
    if text.isascii():  # (constant time) of the escape starts, only ESC is ASCII
        if "\x1b" in text:
            text = _ESCAPES.sub("", text)
    elif any(ch in text for ch in _ESCAPE_STARTS):  # seven substring scans beat one per-char set test
        text = _ESCAPES.sub("", text)
    return _CONTROLS.sub("", text)


def normalise_newlines(text: str) -> str:
    """CRLF, CR and Unicode line/paragraph separators become ``\\n``."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\u2028" in text or "\u2029" in text or "\x85" in text:
        text = text.replace("\u2028", "\n").replace("\u2029", "\n\n").replace("\x85", "\n")
    return text


def clean_line(text: str | None) -> str:
    """One line of untrusted text (a title, an author, a feed name): safe, single-spaced, stripped."""
    if not text:
        return ""
    # str.split() collapses every kind of whitespace (newlines, tabs, NBSP) and is much faster than a regex.
    return " ".join(strip_controls(text).split())


def clean(text: str | None) -> str:
    """A block of untrusted text: safe, with spaces collapsed and at most one blank line in a row."""
    if not text:
        return ""
    text = strip_controls(normalise_newlines(text))
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANKS.sub("\n\n", text).strip()


def normalise_for_id(text: str) -> str:
    """Text folded so that whitespace, case and Unicode form do not change an article's id."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())
