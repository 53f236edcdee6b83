"""Shared text cleaning: decoding, control/escape stripping, whitespace, sentence and word cuts.

Everything untrusted passes through :func:`clean` (or :func:`clean_line`) before it is stored, so nothing
downstream ever sees a terminal escape sequence or a C0/C1 control character.
"""

from __future__ import annotations

import re
import unicodedata

from newsreader.errors import ImportFileError
from newsreader.ingest import _budget

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
    if any(ch in text for ch in _ESCAPE_STARTS):  # seven substring scans beat one per-char set test
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


# --- HTML to text (feeds) ---------------------------------------------------------------------

from html import unescape  # noqa: E402  (kept with the code that uses it)
from urllib.parse import urljoin, urlsplit  # noqa: E402

# Elements whose content is never text a reader should see. Not <embed> (void: nothing would end the
# skip) nor <object>, whose content is the fallback a browser shows when it cannot play the object.
_HTML_SKIP = frozenset(
    {"script", "style", "head", "title", "template", "noscript", "iframe"}
    | {"svg", "math", "select", "button"}
)
# Elements that start and end a paragraph-like block.
_HTML_BLOCKS = frozenset(
    {"p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "figure"}
    | {"figcaption", "address", "center", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6"}
    | {"table", "thead", "tbody", "tfoot", "tr", "caption", "form", "fieldset", "details"}
    | {"summary"}
)
_HTML_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BREAKS = re.compile(r"\n[ \t]*\n+")
_LINK_SCHEMES = frozenset({"http", "https"})


# One HTML token: a comment, CDATA, a declaration or processing instruction, or a tag. Text between
# tokens is data. A "<" that starts none of these ("a < b") stays text, as browsers treat it. As in
# browsers, a quote opens a value only right after "=" (elsewhere it is part of a name or value), and a
# quoted value may hold "<" and ">". Outside quotes a tag never spans another "<", and the attribute
# loop is possessive: a failed attempt stops at the next "<" or the next matching quote, so hostile
# input such as "<a " repeated a million times costs linear, not quadratic, time.
_HTML_TOKEN = re.compile(
    r"""<(?:
        !--.*?(?:-->|\Z)
      | !\[CDATA\[(?P<cdata>.*?)(?:\]\]>|\Z)
      | [!?][^>]*(?:>|\Z)
      | (?P<end>/)?(?P<tag>[a-zA-Z][^\s/<>]*)
        (?P<attrs>(?:\s+|/|[^\s/<>=][^\s/<>=]*(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s<>]*))?|=[^\s<>]*)*+)>
    )""",
    re.DOTALL | re.VERBOSE,
)
_HTML_ATTR = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
_HTML_RAW = frozenset({"script", "style"})  # their content is not HTML: skip to the end tag
_MAX_DEPTH = 8  # deepest list/quote nesting that is drawn as such


def _attributes(raw: str) -> list[tuple[str, str | None]]:
    if not raw or raw.isspace():
        return []
    return [
        (m.group(1).lower(), unescape(next((g for g in m.group(2, 3, 4) if g is not None), "")))
        for m in _HTML_ATTR.finditer(raw)
    ]


class _HTMLToText:
    """Streams HTML into paragraphs; inline text gathers until a block boundary flushes it.

    A small regex tokenizer drives it rather than ``html.parser``: feeds carry thousands of short
    HTML bodies, and this is about three times faster while as lenient with broken markup.
    """

    def __init__(self, base_url: str | None, references: bool = True) -> None:
        self.base_url = base_url or None
        self.references = references
        self.blocks: list[tuple[str, bool, bool]] = []  # (text, in a list, first of its list)
        self.inline: list[str] = []
        self.links: list[str] = []
        self._link_numbers: dict[str, int] = {}
        self._anchors: list[tuple[str | None, int]] = []  # (href, len(inline) at <a>)
        self._lists: list[list[int]] = []  # [ordered (0/1), next number]
        self._marker: str | None = None  # list marker waiting for the item's first block
        self._pad = "  "  # indentation of an item's later lines and blocks
        self._new_list = False  # the next block starts a top-level list: loose, not tight
        self._quote = 0
        self._pre = 0
        self._skip = 0

    def feed(self, html: str) -> None:
        """Tokenize ``html`` and dispatch each piece to the handlers below."""
        pos = 0
        search = _HTML_TOKEN.search
        tokens = 0
        while True:
            match = search(html, pos)
            if match is None:
                break
            tokens += 1
            if tokens % _budget.CHECK_EVERY == 0:
                _budget.check()  # a feed's parse has a time budget (see feed.parse_feed)
            start = match.start()
            if start > pos:
                self.handle_data(unescape(html[pos:start]))
            pos = match.end()
            cdata, end, tag, raw_attrs = match.group("cdata", "end", "tag", "attrs")
            if tag is None:
                if cdata:
                    self.handle_data(cdata)
                continue
            tag = tag.lower()
            if end:
                self.handle_endtag(tag)
                continue
            attrs = _attributes(raw_attrs.rstrip("/")) if raw_attrs else []
            if raw_attrs and raw_attrs.endswith("/"):
                self.handle_startendtag(tag, attrs)
            elif tag in _HTML_RAW:
                close = re.compile(rf"</{tag}\s*>", re.IGNORECASE).search(html, pos)
                pos = close.end() if close else len(html)
            else:
                self.handle_starttag(tag, attrs)
        if pos < len(html):
            self.handle_data(unescape(html[pos:]))

    # Handlers --------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HTML_SKIP:
            self._skip += 1
            return
        if self._skip:
            return
        if tag in _HTML_BLOCKS:
            self._flush()
        elif tag == "br":
            self.inline.append("\n")
        elif tag == "a":
            if self._anchors:  # links do not nest: a new <a> closes the open one, as in browsers
                self.handle_endtag("a")
            self._anchors.append((self._resolve(dict(attrs).get("href")), len(self.inline)))
        elif tag == "img":
            found = dict(attrs)
            alt = clean_line(found.get("alt") or found.get("title"))
            self.inline.append(f" [image: {alt}] " if alt else " [image] ")
        elif tag in ("ul", "ol", "menu"):
            self._flush()
            start = dict(attrs).get("start") if tag == "ol" else None
            digits = start.strip().lstrip("-") if start else ""
            number = int(start) if digits.isdigit() and len(digits) <= 9 else 1
            self._new_list = not self._lists
            self._lists.append([tag == "ol", number])
        elif tag == "li":
            self._flush()
            if self._lists and self._lists[-1][0]:
                self._marker = f"{self._lists[-1][1]}. "
                self._lists[-1][1] += 1
            else:
                self._marker = "• "
        elif tag == "blockquote":
            self._flush()
            self._quote += 1
        elif tag == "pre":
            self._flush()
            self._pre += 1
        elif tag == "hr":
            self._flush()
            self.blocks.append(("* * *", False, False))
        elif tag in ("td", "th"):
            self.inline.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HTML_SKIP:
            return  # <script/>: nothing to skip, and no end tag will come
        self.handle_starttag(tag, attrs)
        if tag == "a":
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HTML_SKIP:
            self._skip = max(0, self._skip - 1)
            return
        if self._skip:
            return
        if tag in _HTML_BLOCKS:
            self._flush(heading=tag in _HTML_HEADINGS)
        elif tag == "a":
            if self._anchors:
                href, start = self._anchors.pop()
                text = "".join(self.inline[start:]).strip()
                if href and text and self.references:
                    self.inline.append(f" [{self._number(href)}]")
        elif tag in ("ul", "ol", "menu"):
            self._flush()
            if self._lists:
                self._lists.pop()
        elif tag == "li":
            self._flush()
        elif tag == "blockquote":
            self._flush()
            self._quote = max(0, self._quote - 1)
        elif tag == "pre":
            self._flush()
            self._pre = max(0, self._pre - 1)

    def handle_data(self, data: str) -> None:
        if not self._skip:
            # Outside <pre>, a newline in the source is just a space; <br> makes real ones.
            self.inline.append(data if self._pre else data.replace("\r", " ").replace("\n", " "))

    # Building blocks --------------------------------------------------------------------------

    def _resolve(self, href: str | None) -> str | None:
        if not href:
            return None
        href = clean_line(href)
        try:
            url = urljoin(self.base_url, href) if self.base_url else href
            scheme = urlsplit(url).scheme.lower()
        except ValueError:  # a malformed URL (bad port, bad IPv6) is no link
            return None
        return url if scheme in _LINK_SCHEMES else None

    def _number(self, href: str) -> int:
        number = self._link_numbers.get(href)
        if number is None:
            self.links.append(href)
            number = self._link_numbers[href] = len(self.links)
        return number

    def _flush(self, heading: bool = False) -> None:
        if not self.inline:
            return
        raw = strip_controls(normalise_newlines("".join(self.inline)))
        self.inline = []
        # Anchors still open keep their place relative to the (now empty) buffer.
        if self._anchors:
            self._anchors = [(href, 0) for href, _ in self._anchors]
        if self._pre:
            pieces = [raw.strip("\n").expandtabs(4)]
        elif "\n" not in raw:  # the common case: one paragraph, no <br>
            pieces = [" ".join(raw.split())]
        else:
            pieces = [
                "\n".join(" ".join(line.split()) for line in piece.split("\n") if line.strip())
                for piece in _BREAKS.split(raw)
            ]
        in_list = bool(self._lists)
        # Nesting deeper than _MAX_DEPTH is drawn at that depth: hostile markup nesting thousands of
        # lists or quotes would otherwise make every line's prefix, and the text, grow quadratically.
        indent = "  " * min(_MAX_DEPTH, max(0, len(self._lists) - 1))
        for piece in pieces:
            if not piece.strip():
                continue
            if heading:  # newsreader's body convention (shared with dumps): "## " marks a heading
                piece = "## " + piece.replace("\n", " ")
            if in_list:
                if self._marker is not None:
                    first = indent + self._marker
                    self._pad = " " * len(self._marker)
                    self._marker = None
                else:
                    first = indent + self._pad
                lines = piece.split("\n")
                pad = indent + self._pad
                piece = "\n".join([first + lines[0]] + [pad + line for line in lines[1:]])
            if self._quote:
                prefix = "> " * min(_MAX_DEPTH, self._quote)
                piece = "\n".join(prefix + line for line in piece.split("\n"))
            self.blocks.append((piece, in_list, self._new_list))
            self._new_list = False

    def result(self) -> str:
        self._flush()
        out: list[str] = []
        previous_in_list = False
        for text, in_list, first in self.blocks:
            if out:
                tight = in_list and previous_in_list and not first
                out.append("\n" if tight else "\n\n")
            out.append(text)
            previous_in_list = in_list
        return "".join(out)


def looks_like_html(text: str) -> bool:
    """Whether a feed's text field holds HTML (tags or entities) rather than plain text."""
    return ("<" in text and ">" in text) or ("&" in text and ";" in text)


def html_to_text(
    html: str | None, base_url: str | None = None, *, references: bool = True
) -> tuple[str, list[str]]:
    """Readable plain text from an HTML fragment, and the links it refers to.

    Paragraphs are separated by one blank line, headings are paragraphs starting ``## ``
    (the body convention dumps use too), list items get ``•`` or ``1.``,
    block quotes ``>``, images become ``[image: alt]``, and each http(s) link is followed by a
    reference ``[n]`` where ``links[n - 1]`` is its URL resolved against ``base_url``. Scripts and
    styles are dropped, entities decoded, control characters and escape sequences removed. Text
    that looks like markup (``[bold]``) is kept literally: it is data, never interpreted.
    ``references=False`` leaves links unnumbered (for titles).

    Returns:
        ``(text, links)``.
    """
    if not html:
        return "", []
    parser = _HTMLToText(base_url, references)
    parser.feed(html)
    return parser.result(), parser.links
