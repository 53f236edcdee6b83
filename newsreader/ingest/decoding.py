"""Bytes to text: dump files decoded, and the character encoding of feeds that do not say (or say wrong).

:func:`decode_bytes` reads a text dump (BOM, else UTF-8, else Windows-1252). For feeds, feedparser reads
the encoding from the BOM, the HTTP charset and the XML declaration; without any it tries UTF-8, then
Windows-1252, so an undeclared KOI8-R, EUC-JP or Windows-1255 feed became mojibake with no warning.
:func:`feed_charset` names the encoding for feedparser in those cases.
"""

from __future__ import annotations

import codecs
import re

from newsreader.errors import ImportFileError
from newsreader.ingest.cleaning import normalise_newlines

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


# --- feeds ------------------------------------------------------------------------------------

_XML_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_CHARSET_PARAM = re.compile(r";\s*charset\s*=", re.IGNORECASE)
# Declarations of a 16- or 32-bit encoding: over bytes that start "<?xml" in ASCII they are wrong.
_WIDE = frozenset(
    "utf-16 utf16 utf_16 u16 utf-16le utf-16be utf-32 utf32 utf_32 u32 utf-32le utf-32be "
    "ucs-2 ucs-4 iso-10646-ucs-2 iso-10646-ucs-4 csunicode csucs4".split()
)
# Latin-script code pages. Short Western text gives the detector too little to tell them apart (it
# took "Prøve" for Windows-1257), so an unsure guess among them is read as Windows-1252, as before.
_LATIN = frozenset(
    "cp1250 cp1252 cp1254 cp1257 cp1258 iso8859-1 iso8859-2 iso8859-3 iso8859-4 iso8859-9 iso8859-10 "
    "iso8859-13 iso8859-14 iso8859-15 iso8859-16 mac-roman mac-latin2 cp437 cp850 cp858".split()
)
_SURE = 0.5  # chardet's confidence from which a guess is not worth a warning
_SAMPLE = 1 << 18  # bytes the detector looks at: enough for a verdict, bounded time on a 10 MB feed


def feed_charset(data: bytes, content_type: str | None = None) -> tuple[str | None, str | None]:
    """The encoding to read an XML document in when its own signals are missing or wrong.

    Returns:
        ``(encoding, warning)``: ``encoding`` is None when the document's BOM, the HTTP charset or its
        declaration are to be trusted (or it is UTF-8); ``warning`` says when the encoding was guessed
        with little confidence.
    """
    if data.startswith(_XML_BOMS) or (content_type and _CHARSET_PARAM.search(content_type)):
        return None, None
    if b"\x00" in data[:4]:
        return None, None  # UTF-16/32 without a BOM: feedparser reads it from the NUL pattern
    match = _XML_ENCODING.match(data[:512])
    declared = match.group(1).decode("ascii").lower() if match else None
    if declared is not None and declared not in _WIDE:
        return None, None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:  # undeclared UTF-8 is feedparser's default; a wide declaration over it is simply wrong
        return ("utf-8" if declared else None), None
    return _guess(data)


def _guess(data: bytes) -> tuple[str, str | None]:
    import chardet  # only for the rare undeclared legacy document: ~50 ms to import

    result = chardet.detect(data[:_SAMPLE])
    confidence = float(result.get("confidence") or 0.0)
    try:
        encoding = codecs.lookup(str(result.get("encoding") or "")).name
    except LookupError:
        encoding = ""
    if not encoding or (encoding in _LATIN and confidence < _SURE):
        encoding = "cp1252"
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        encoding = "cp1252" if encoding != "cp1252" else "latin-1"
    if confidence >= _SURE and encoding != "cp1252":
        return encoding, None
    return encoding, f"no character encoding declared; read as {_display(encoding)} (a guess)"


def _display(encoding: str) -> str:
    return {"cp1252": "Windows-1252", "cp1255": "Windows-1255", "cp932": "Shift_JIS (CP932)"}.get(
        encoding, encoding.upper().replace("_", "-")
    )
