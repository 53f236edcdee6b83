"""A dump cut into article blocks of paragraphs: separators, blank lines, Markdown and setext headings.

Fenced code (and, in Markdown, indented code) and pipe tables come out as one paragraph each, marked
``\x00pre`` / ``\x00table`` and kept line for line: the rules for prose never fold or split them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

_SEPARATOR = re.compile(r"^\s*([-*_=~#])\s*(?:\1\s*){2,}$")
_SEPARATOR_CHARS = "-*_=~#"
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})([^`]*)$")
_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+\S")
_TABLE_RULE = re.compile(r"^\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)+\|?$")
SEPARATOR_LINE = re.compile(r"\n[^\S\n]*([-*_=~#])[^\S\n]*(?:\1[^\S\n]*){2,}(?=\n|\Z)")
r"""A newline and a separator line (``---``, ``* * *``, ``===``) after it, to find them all in a text
in one search: a line's own whitespace only (``[^\S\n]``, as ``\s`` would run on over the next lines);
the leading newline lets the regex engine skip from line to line."""
BLANK_LINES = re.compile(r"\n(?:[^\S\n]*\n){2,}")
"""Two or more blank (or whitespace) lines between two lines of text: the end of an article."""
_HEADING_LINE = re.compile(r"\n[^\S\n]*#")
"""A line that may be a ``#`` heading, after the newline before it."""
PRE = "\x00pre\n"
"""Starts a paragraph of code: the rest is the block, fenced, as the body stores it."""
TABLE = "\x00table\n"
"""Starts a paragraph holding a pipe table, one row a line."""


def fence_for(code: list[str]) -> str:
    """A backtick fence longer than any line of only backticks in the code it fences."""
    longest = max((len(x.strip()) for x in code if x.strip() and not x.strip().strip("`")), default=0)
    return "`" * max(3, longest + 1)


def fenced(code: list[str], info: str = "") -> str:
    """Code lines as a fenced block (a ``PRE`` paragraph)."""
    fence = fence_for(code)
    return PRE + "\n".join([fence + info.strip(), *code, fence])


def pipe_table(lines: list[str]) -> str | None:
    """A paragraph's lines as a table paragraph if they are a pipe table (a rule line under the header)."""
    if len(lines) < 2 or not _TABLE_RULE.match(lines[1]) or not all("|" in line for line in lines):
        return None
    rows = [line if line.startswith("|") else "| " + line for line in lines]
    rows = [row if row.endswith("|") and not row.endswith("\\|") else row + " |" for row in rows]
    return TABLE + "\n".join(rows)


def between_separators(text: str) -> list[str]:
    """The text between separator lines (``---``), blank chunks kept."""
    out: list[str] = []
    start = 0
    # In "\n" + text a rule's match starts at the newline before it: at the rule line's start in text.
    for rule in SEPARATOR_LINE.finditer("\n" + text):
        out.append(text[start : max(start, rule.start() - 1)])  # without the newline before the rule
        start = rule.end()  # past the rule line and its newline
    out.append(text[start:])
    return out


def blocks(text: str, markdown: bool) -> list[list[list[str]]]:
    """Split text into article blocks, each a list of paragraphs, each a list of lines.

    Two or more blank lines or a separator line end a block. Inside a block, a blank line ends a paragraph;
    a block with no blank lines at all is "one paragraph a line" (a scraped page).
    """
    return list(iter_blocks(text, markdown))


def iter_blocks(text: str, markdown: bool) -> Iterator[list[list[str]]]:
    """:func:`blocks` one at a time. A big dump's blocks are read and let go one by one: a list of them
    all is a heap of small lists that the garbage collector walks again and again while it grows."""
    if not markdown:
        chunks = _plain_chunks(text)
        if chunks is not None:
            return _one_a_line(_plain_blocks(chunks))
    return _one_a_line(_walk(text, markdown))


def _walk(text: str, markdown: bool) -> list[list[list[str]]]:
    """:func:`blocks` line by line, before a block is made one paragraph a line."""
    blocks: list[list[list[str]]] = []
    paras: list[list[str]] = []
    lines: list[str] = []
    blank_run = 0
    heading_level = _top_heading_level(text) if markdown else None

    def end_paragraph() -> None:
        nonlocal lines
        if lines:
            table = pipe_table(lines)
            paras.append([table] if table else lines)
            lines = []

    def end_block() -> None:
        nonlocal paras
        end_paragraph()
        if paras:
            blocks.append(paras)
            paras = []

    fence: str | None = None  # the open fence of a fenced code block
    code: list[str] = []
    info, fence_indent = "", 0
    indented: list[str] | None = None  # an indented code block (Markdown) being read

    for raw in text.split("\n"):
        if fence is not None:
            if raw.strip().startswith(fence) and not raw.strip().strip(fence[0]):
                paras.append([fenced(code, info)])
                fence, code = None, []
            else:
                code.append(raw[fence_indent:] if not raw[:fence_indent].strip() else raw.lstrip())
            continue
        if indented is not None:
            if not raw.strip() or raw.startswith(("    ", "\t")):
                indented.append(raw.expandtabs(4)[4:])
                continue
            code_lines = _rstrip_blank(indented)
            paras.append([fenced(code_lines)])
            if len(indented) - len(code_lines) >= 2:
                end_block()  # two blank lines after the code end the article, as after prose
            indented, blank_run = None, 0
        # A fence opens within the first four characters, a separator with one of its characters:
        # the regexes run only on the few lines that may be one (most lines are prose).
        opener = _FENCE.match(raw) if "`" in raw[:4] or "~" in raw[:4] else None
        if opener:
            end_paragraph()
            fence, info, fence_indent, blank_run = opener.group(2), opener.group(3), len(opener.group(1)), 0
            continue
        if (
            markdown
            and not lines
            and raw.startswith(("    ", "\t"))
            and raw.strip()
            and not _after_item(paras)
        ):
            indented = [raw.expandtabs(4)[4:]]
            blank_run = 0
            continue
        line = raw.strip()
        if not line:
            blank_run += 1
            end_paragraph()
            if blank_run == 2:
                end_block()
            continue
        blank_run = 0
        if line[0] in _SEPARATOR_CHARS and _SEPARATOR.match(raw):
            # A Markdown setext underline ("Title" then "===") is a heading, not a separator.
            # In a plain dump too, when the underline is about as long as the one line right above it.
            underlined = len(lines) == 1 and line[0] in "=-" and len(line) >= len(lines[0]) // 2
            if lines and (markdown or underlined) and len(lines) == 1 and line[0] in "=-":
                title = lines.pop()
                end_block() if line[0] == "=" else end_paragraph()
                paras.append([f"\x00h{1 if line[0] == '=' else 2} {title}"])
                continue
            end_block()
            continue
        heading = _HEADING.match(line) if markdown or line.startswith("#") else None
        if heading and not markdown and len(heading.group(1)) > 1:
            end_paragraph()  # "## Section" in a plain dump: a heading in the article, never a title
            paras.append([f"\x00h2 {heading.group(2)}"])
            continue
        if heading and (heading_level is None or len(heading.group(1)) <= heading_level):
            end_block()
            paras.append([f"\x00h1 {heading.group(2)}"])
            continue
        if heading:
            end_paragraph()
            paras.append([f"\x00h2 {heading.group(2)}"])
            continue
        # A nested Markdown list item keeps its indentation; every other line is read stripped.
        lines.append(
            raw.rstrip().expandtabs(4) if markdown and raw[:1].isspace() and _ITEM.match(raw) else line
        )
    if fence is not None:  # a fence never closed runs to the end of the text
        paras.append([fenced(code, info)])
    if indented is not None:
        paras.append([fenced(_rstrip_blank(indented))])
    end_block()
    return blocks


def _plain_chunks(text: str) -> list[str] | None:
    """The text between separators of a plain dump made of nothing but paragraphs and separators, which
    :func:`_plain_blocks` cuts without a walk line by line; None for a text with more in it (a fence, a
    table, a heading, or a rule right under a line of text, which may underline a title)."""
    if "```" in text or "~~~" in text or "|" in text or ("#" in text and _HEADING_LINE.search("\n" + text)):
        return None
    chunks = between_separators(text)
    for chunk in chunks[:-1]:  # the line right above each rule must be blank (or the rule above)
        if chunk[chunk.rfind("\n") + 1 :].strip():
            return None
    return chunks


def _plain_blocks(chunks: list[str]) -> Iterator[list[list[str]]]:
    """A plain dump's blocks: cut at separators, at two blank lines and (paragraphs) at one."""
    for chunk in chunks:
        for block in BLANK_LINES.split(chunk):
            paras: list[list[str]] = []
            lines: list[str] = []
            for raw in block.split("\n"):
                if line := raw.strip():
                    lines.append(line)
                elif lines:
                    paras.append(lines)
                    lines = []
            if lines:
                paras.append(lines)
            if paras:
                yield paras


def _one_a_line(blocks: Iterable[list[list[str]]]) -> Iterator[list[list[str]]]:
    """A block without blank lines inside is one paragraph a line."""
    for block in blocks:
        if len(block) == 1 and len(block[0]) > 1:
            yield [[line] for line in block[0]]
        elif any(len(p) > 1 for p in block) and _one_per_line(block):
            yield [[line] for p in block for line in p]
        else:
            yield block


def _rstrip_blank(lines: list[str]) -> list[str]:
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    return lines[:end]


def _after_item(paras: list[list[str]]) -> bool:
    """Whether the last paragraph is a list (an indented paragraph after it continues an item)."""
    return bool(paras and paras[-1] and _ITEM.match(paras[-1][-1]))


def _one_per_line(block: list[list[str]]) -> bool:
    # Hard-wrapped prose has many lines that do not end a sentence; scraped pages almost none.
    lines = [line for p in block for line in p if not line.startswith("\x00")]
    long_lines = [line for line in lines if len(line) > 100]
    return len(long_lines) >= max(2, len(lines) // 2)


def _top_heading_level(text: str) -> int | None:
    levels = [len(m.group(1)) for m in re.finditer(r"^(#{1,6})\s+\S", text, re.MULTILINE)]
    return min(levels) if levels else None
