"""Shared text cleaning: decoding, control/escape stripping, whitespace, sentence and word cuts.

Everything untrusted passes through :func:`clean` (or :func:`clean_line`) before it is stored, so nothing
downstream ever sees a terminal escape sequence or a C0/C1 control character.
"""

from __future__ import annotations

import re
import unicodedata

from newsreader.errors import ImportFileError

# ANSI/ECMA-48 escape sequences: CSI (ESC [ or 8-bit CSI), OSC/DCS/SOS/PM/APC strings up to BEL or ST,
# and two-byte ESC sequences. Removed whole, so no parameter bytes are left behind as text.
_ESCAPES = re.compile(
    r"""
      (?:\x1b\[|\x9b) [0-?]* [ -/]* [@-~]              # CSI ... final byte
    | (?:\x1b[\]PX^_]|[\x9d\x90\x98\x9e\x9f]) .*? (?:\x07|\x1b\\|\x9c|$)   # OSC, DCS, SOS, PM, APC
    | \x1b [ -/]* [0-~]                                # other ESC sequences (charset, keypad ...)
    | \x1b                                             # a lone ESC
    """,
    re.VERBOSE | re.DOTALL,
)
# C0 controls except \t and \n, DEL, C1 controls, and bidi overrides/isolates (which can disguise text).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ufff9-\ufffb]")
_SPACES = re.compile(r"[^\S\n]+")  # runs of whitespace other than newline
_BLANKS = re.compile(r"\n{3,}")


def strip_controls(text: str) -> str:
    """Remove escape sequences and control characters, keeping ``\\n`` and ``\\t``."""
    if not text:
        return text
    if "\x1b" in text or "\x9b" in text or "\x9d" in text or "\x90" in text:
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


# --- decoding ---------------------------------------------------------------------------------

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    if not sample:
        return False
    if "\x00" in sample:
        return True
    controls = sum(1 for ch in sample if ch < " " and ch not in "\n\r\t\f\v\x1b")
    return controls > max(8, len(sample) // 100)


def decode_bytes(data: bytes, name: str = "input") -> str:
    """Decode a text file: BOM (UTF-8/16/32), else UTF-8, else Windows-1252.

    Raises:
        ImportFileError: the bytes are binary or cannot be decoded; the message names ``name``.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec.removesuffix("-sig"))
            except UnicodeDecodeError as exc:
                raise ImportFileError(
                    f"{name}: not valid {codec.upper().removesuffix('-SIG')} (byte {exc.start}): {exc.reason}"
                ) from exc
            break
    else:
        if b"\x00" in data[:4096]:
            # No BOM but NULs: UTF-16 without BOM if every other byte is NUL, else binary.
            head = data[:4096]
            for codec, zeros in (("utf-16-le", head[1::2]), ("utf-16-be", head[0::2])):
                if zeros.count(0) > len(zeros) * 0.9:
                    try:
                        text = data.decode(codec)
                        break
                    except UnicodeDecodeError:
                        pass
            else:
                raise ImportFileError(f"{name}: binary file, not text")
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                # Windows-1252, with its five undefined bytes read as Latin-1 rather than failing.
                text = data.decode("latin-1").translate(_CP1252_FROM_LATIN1)
    if _looks_binary(text):
        raise ImportFileError(f"{name}: binary file, not text")
    return normalise_newlines(text)


# Latin-1 decodes every byte; this maps the 0x80-0x9f range to Windows-1252 where it is defined.
_CP1252_FROM_LATIN1 = {
    i: bytes([i]).decode("cp1252") for i in range(0x80, 0xA0) if i not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}


# --- cutting text -----------------------------------------------------------------------------

# Abbreviations after which a period does not end a sentence.
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st mt ft vs etc e.g i.e u.s u.k u.n e.u no nos vol fig gen gov sen rep
    lt col capt sgt cmdr adm jan feb mar apr jun jul aug sep sept oct nov dec inc ltd co corp bros
    approx est dept univ ave blvd rd p.m a.m""".split()
)
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+|$)")


def sentences(text: str) -> list[str]:
    """Split a paragraph into sentences, not breaking after common abbreviations or initials."""
    out: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if match.group().startswith(".") and match.group().rstrip("\"'”’)]") == ".":
            word = text[start : match.start()].rsplit(None, 1)
            last = word[-1].lower().lstrip("(\"“‘'") if word else ""
            if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
                continue
        rest = text[end:].lstrip()
        if rest and not (rest[0].isupper() or rest[0] in "\"“‘'(" or rest[0].isdigit()):
            continue  # "e.g. something" or "3.5 km": not a boundary
        out.append(text[start:end].strip())
        start = end
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def ends_sentence(text: str) -> bool:
    """Whether a paragraph ends where a sentence may end (not mid-sentence)."""
    stripped = text.rstrip()
    if not stripped:
        return True
    stripped = stripped.rstrip("\"'”’)]»*_")
    return stripped.endswith((".", "!", "?", "…", ":"))


def cut_at_word(text: str, limit: int, ellipsis: str = "…") -> str:
    """At most ``limit`` characters, cut at a word boundary (never inside a word)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ellipsis) + 1]
    space = cut.rfind(" ")
    cut = cut[:space] if space > limit // 2 else cut[: limit - len(ellipsis)]
    return cut.rstrip(" ,;:—–-([{\"“‘'") + ellipsis


def excerpt(paragraphs: list[str], limit: int = 240) -> str:
    """The lead of an article: whole sentences up to ``limit`` characters, else a word-boundary cut."""
    text = " ".join(p for p in paragraphs if p)
    if len(text) <= limit:
        return text
    out = ""
    for sentence in sentences(text[: limit * 2]):
        candidate = f"{out} {sentence}".strip()
        if len(candidate) > limit:
            break
        out = candidate
    if len(out) >= limit // 3:
        return out
    return cut_at_word(text, limit)
