"""A dump cut into article blocks of paragraphs: separators, blank lines, Markdown and setext headings."""

from __future__ import annotations

import re

_SEPARATOR = re.compile(r"^\s*([-*_=~#])\s*(?:\1\s*){2,}$")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def blocks(text: str, markdown: bool) -> list[list[list[str]]]:
    """Split text into article blocks, each a list of paragraphs, each a list of lines.

    Two or more blank lines or a separator line end a block. Inside a block, a blank line ends a paragraph;
    a block with no blank lines at all is "one paragraph a line" (a scraped page).
    """
    blocks: list[list[list[str]]] = []
    paras: list[list[str]] = []
    lines: list[str] = []
    blank_run = 0
    heading_level = _top_heading_level(text) if markdown else None

    def end_paragraph() -> None:
        nonlocal lines
        if lines:
            paras.append(lines)
            lines = []

    def end_block() -> None:
        nonlocal paras
        end_paragraph()
        if paras:
            blocks.append(paras)
            paras = []

    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            blank_run += 1
            end_paragraph()
            if blank_run == 2:
                end_block()
            continue
        blank_run = 0
        if _SEPARATOR.match(raw):
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
        heading = _HEADING.match(line) if markdown or line.startswith("# ") else None
        if heading and (heading_level is None or len(heading.group(1)) <= heading_level):
            end_block()
            paras.append([f"\x00h1 {heading.group(2)}"])
            continue
        if heading:
            end_paragraph()
            paras.append([f"\x00h2 {heading.group(2)}"])
            continue
        lines.append(line)
    end_block()
    # A block without blank lines inside is one paragraph a line.
    out: list[list[list[str]]] = []
    for block in blocks:
        if len(block) == 1 and len(block[0]) > 1:
            out.append([[line] for line in block[0]])
        elif any(len(p) > 1 for p in block) and _one_per_line(block):
            out.append([[line] for p in block for line in p])
        else:
            out.append(block)
    return out


def _one_per_line(block: list[list[str]]) -> bool:
    # Hard-wrapped prose has many lines that do not end a sentence; scraped pages almost none.
    lines = [line for p in block for line in p if not line.startswith("\x00")]
    long_lines = [line for line in lines if len(line) > 100]
    return len(long_lines) >= max(2, len(lines) // 2)


def _top_heading_level(text: str) -> int | None:
    levels = [len(m.group(1)) for m in re.finditer(r"^(#{1,6})\s+\S", text, re.MULTILINE)]
    return min(levels) if levels else None
