"""An article as a Markdown file (``show ID --markdown``, the app's save and pipe keys).

The stored body is already close to Markdown (``## `` headings, ``> `` quotes, ``1. `` items, ``[n]``
link references); bullets become ``- ``, link references become reference-style links defined at the
end, and everything else that Markdown would read as markup is escaped, so a title like
``<script>`` or ``*not bold*`` stays text in whatever renders the file.
"""

from __future__ import annotations

import re

from newsreader.dates import long_date
from newsreader.ingest.blocks import fence_for
from newsreader.models import Article
from newsreader.render import block_kind

_SPECIAL = re.compile(r"([\\`*_<>\[\]|])")
_REFERENCE = re.compile(r"\\\[(\d+)\\\]")
_ORDERED_START = re.compile(r"^(\d+)([.)]) ")
# The body's own line structure: quote marks, indentation, a bullet or an item number.
_STRUCTURE = re.compile(r"^((?:> ?)*)(\s*)(• |\d+\. )?")


def escape(text: str) -> str:
    """Plain text as Markdown that renders as that text."""
    lines = []
    for line in _SPECIAL.sub(r"\\\1", text).split("\n"):
        stripped = line.lstrip()
        pad = line[: len(line) - len(stripped)]
        if stripped.startswith(("#", "- ", "+ ", "=")):
            stripped = "\\" + stripped
        stripped = _ORDERED_START.sub(r"\1\\\2 ", stripped)
        lines.append(pad + stripped)
    return "\n".join(lines)


def _line(line: str) -> str:
    match = _STRUCTURE.match(line)
    if match is None:  # cannot happen (every part is optional); for the type checker
        return escape(line)
    quote, pad, mark = match.group(1), match.group(2), match.group(3) or ""
    marker = "- " if mark == "• " else mark
    return quote + pad + marker + escape(line[match.end() :])


def _cells(row: str) -> list[str]:
    inner = row.strip()[1:-1]
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", inner)]


def _paragraph(paragraph: str, links: int) -> str:
    if paragraph.startswith("## "):
        return "## " + escape(paragraph[3:].replace("\n", " "))
    kind = block_kind(paragraph)
    if kind == "code":  # verbatim between fences: nothing in code is Markdown
        lines = paragraph.split("\n")
        if lines[0].startswith(("```", "~~~")):
            return paragraph
        fence = fence_for(lines)
        return f"{fence}\n{paragraph}\n{fence}"
    if kind == "table":  # cells escaped one by one, the bars and the rule row kept
        rows = paragraph.split("\n")
        body = [rows[0], *rows[2:]]
        escaped = ["| " + " | ".join(escape(cell) for cell in _cells(row)) + " |" for row in body]
        escaped.insert(1, rows[1].strip())
        text = "\n".join(escaped)
        return _REFERENCE.sub(
            lambda m: f"[{m.group(1)}]" if 0 < int(m.group(1)) <= links else m.group(0), text
        )
    text = "\n".join(_line(line) for line in paragraph.split("\n"))
    return _REFERENCE.sub(lambda m: f"[{m.group(1)}]" if 0 < int(m.group(1)) <= links else m.group(0), text)


def _size(length: int | None) -> str:
    if not length:
        return ""
    for unit in ("bytes", "KB", "MB", "GB"):
        if length < 1000 or unit == "GB":
            return f"{length:.0f} {unit}" if unit == "bytes" else f"{length:.1f} {unit}"
        length /= 1000  # type: ignore[assignment]
    return ""


def article_markdown(article: Article) -> str:
    """The whole article: title, byline, link, body, author note, enclosures, link definitions."""
    parts = [f"# {escape(article.title)}"]
    byline = [f"By {article.author}"] if article.author else []
    byline.append(article.feed)
    byline.append(long_date(article.date) if article.published else f"imported {long_date(article.date)}")
    parts.append("*" + escape(" · ".join(byline)) + "*")
    if article.url:
        parts.append(f"<{article.url}>")
    parts.extend(f"*{escape(credit)}*" for credit in article.credits)
    for paragraph in (article.body or "").split("\n\n"):
        if paragraph.strip():
            parts.append(_paragraph(paragraph, len(article.links)))
    if article.author_note:
        parts.append(f"*{escape(article.author_note)}*")
    if article.enclosures:
        lines = ["## Enclosures", ""]
        for enc in article.enclosures:
            detail = ", ".join(x for x in (enc.type or "", _size(enc.length)) if x)
            lines.append(
                f"- [{escape(enc.file_name)}](<{enc.url}>)" + (f" ({escape(detail)})" if detail else "")
            )
        parts.append("\n".join(lines))
    if article.links:
        parts.append("\n".join(f"[{n}]: <{link}>" for n, link in enumerate(article.links, 1)))
    return "\n\n".join(parts) + "\n"
