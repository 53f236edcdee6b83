"""Local text dumps -> article drafts.

A dump has no fixed format. The reader below handles, in one pass over paragraphs:

* separated articles: separator lines (``---``, ``***``, ``* * *``, ``===``, form feed) or two or more blank
  lines end an article; blank-line paragraphs; an optional title line, byline and date line on top;
* Markdown-ish files: the top-level ``#`` headings start articles (deeper headings stay in the body);
* scraped pages (one paragraph a line, no blank lines, no titles): caption/credit lines are
  metadata, a closing bio ends an article and names its author, and a long paragraph that stops
  mid-sentence is a teaser, an article of its own flagged ``truncated``.

Where no title is given, one is derived from the lead (:func:`derive_title`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from newsreader.ingest.chrome import Kind, Line, classify
from newsreader.ingest.dates import find_date, parse_date
from newsreader.ingest.heads import _DISCLAIMER, bio_author, byline_author, is_bio, is_credit, posted_line
from newsreader.ingest.page import _COMMENTS, PageArticle, has_prose, is_page, read_page, separated_blocks
from newsreader.ingest.text import (
    clean,
    clean_line,
    ends_sentence,
    excerpt,
    normalise_for_id,
    sentences,
    strip_controls,
)
from newsreader.models import ArticleDraft

TITLE_LIMIT = 90
"""Longest derived headline, in characters."""
TEASER_MIN = 120
"""A paragraph this long that stops mid-sentence is a teaser; shorter unterminated lines may be titles."""

_SEPARATOR = re.compile(r"^\s*([-*_=~#])\s*(?:\1\s*){2,}$")
_SEPARATOR_LINE = re.compile(r"^\s*([-*_=~#])\s*(?:\1\s*){2,}$", re.MULTILINE)
_TAGS = re.compile(
    r"^(?:tags?|tagged|categor(?:y|ies)|filed under|labels?|schlagwörter|etiquetas|étiquettes)\s*:", re.I
)
_LIST_ITEM = re.compile(r"^(?:[-*+•]|\d{1,3}[.)])\s+\S")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_LEAD_IN = re.compile(
    r"^(?:(?:on|in|at|by|for|during|after|before|since|this|last|earlier|later|late|early|"
    r"ruminating|speaking|writing|asked|according)\b[^,]{0,60}|[A-Z][a-z]+ \d{1,2}),\s+",
    re.IGNORECASE,
)
_STRONG_BREAK = re.compile(r"\s*(?:[:;]|\s[—–]\s|—|,)\s+")
_WEAK_BREAK = re.compile(
    r"\s+(?=(?:by|with|for|from|as|while|after|before|because|since|which|who|whose|where|when|"
    r"that|amid|despite|including|but|and|or|to|in|on|at|over|under|into|of)\s)"
)
_DANGLING = frozenset(
    """a an the of and or but to in on at for with by from as that which who is are was were
    its their his her""".split()
)


def _tidy_title(text: str) -> str:
    text = text.strip().rstrip(" ,;:—–-")
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1]
    words = text.split()
    while len(words) > 3 and words[-1].lower().strip(",;:") in _DANGLING:
        words.pop()
    text = " ".join(words).rstrip(" ,;:—–-")
    return text[:1].upper() + text[1:]


def derive_title(paragraphs: list[str], limit: int = TITLE_LIMIT) -> str:
    """A headline made from the lead: the first sentence if it fits, else its main clause cut at a natural
    break (clause punctuation or before a preposition/conjunction), never inside a word, never over ``limit``.
    """
    lead = next((p for p in paragraphs if p.strip()), "")
    if not lead:
        return "Untitled"
    first = sentences(lead)[0] if lead else ""
    candidate = _tidy_title(first)
    if len(candidate) <= limit and len(candidate) >= 12:
        return candidate
    # Drop a scene-setting lead-in ("On Tuesday, ", "This month, ") when the rest can stand alone.
    core = first
    lead_in = _LEAD_IN.match(core)
    if lead_in and len(core) - lead_in.end() >= 30:
        core = core[lead_in.end() :]
        core = core[:1].upper() + core[1:]
    if len(_tidy_title(core)) <= limit:
        return _tidy_title(core)
    best = ""
    for pattern, minimum in ((_STRONG_BREAK, 45), (_WEAK_BREAK, 50)):
        for match in pattern.finditer(core):
            piece = _tidy_title(core[: match.start()])
            if minimum <= len(piece) <= limit and len(piece) > len(best):
                best = piece
        if best:
            return best
    # No natural break: cut at a word boundary and say so.
    words, out = core.split(), ""
    for word in words:
        if len(out) + len(word) + 2 > limit:
            break
        out = f"{out} {word}".strip()
    return _tidy_title(out) + "…"


@dataclass(slots=True)
class _Pending:
    """An article being assembled."""

    paragraphs: list[str] = field(default_factory=list)
    title: str | None = None
    author: str | None = None
    published: datetime | None = None
    credits: list[str] = field(default_factory=list)
    author_note: list[str] = field(default_factory=list)
    truncated: bool = False

    @property
    def empty(self) -> bool:
        return not self.paragraphs and self.title is None

    @property
    def at_head(self) -> bool:
        return not self.paragraphs


def article_id(title: str | None, body: str) -> str:
    """Stable id of a dump article: a hash of its normalised text.

    The text alone, not the file's path: re-importing, or importing a copy saved elsewhere, is a no-op.
    """
    basis = normalise_for_id(body) or normalise_for_id(title or "")
    return hashlib.sha256(b"dump\0" + basis.encode()).hexdigest()[:12]


def _blocks(text: str, markdown: bool) -> list[list[list[str]]]:
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


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\3(?![\w*])")


def _markdown_inline(text: str) -> str:
    """Emphasis markers removed; links are kept for :func:`_number_links` to turn into references."""
    return _MD_EMPHASIS.sub(lambda m: m.group(2) or m.group(4), text)


def _number_links(paragraphs: list[str]) -> tuple[list[str], tuple[str, ...]]:
    """``[text](url)`` becomes ``text [n]`` with ``url`` as link n, as HTML bodies do; images become
    ``[image: alt]``."""
    links: list[str] = []

    def replace(match: re.Match[str]) -> str:
        text, url = match.group(1).strip(), match.group(2)
        if match.group(0).startswith("!"):
            return f"[image: {text}]" if text else "[image]"
        if url not in links:
            links.append(url)
        return f"{text or url} [{links.index(url) + 1}]"

    return [_MD_LINK.sub(replace, p) for p in paragraphs], tuple(links)


def parse_dump(text: str, *, name: str = "dump", markdown: bool = False) -> list[ArticleDraft]:
    """Read a decoded dump into article drafts, in file order.

    Args:
        text: the decoded text (any newline style).
        name: the file's name, for nothing but error context.
        markdown: treat ``#`` headings (and setext underlines) as Markdown (``.md`` files); ``# Title`` at
            the start of a line starts an article in any dump.
    """
    del name
    # A form feed is a separator; make it a separator line before control characters are stripped.
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n---\n\n")
    text = strip_controls(text)
    if not markdown:
        lines = classify(text)
        blocks = separated_blocks(text, lines, _SEPARATOR_LINE)
        digest = sum(map(has_prose, blocks)) >= 2 and _chrome_share(lines) <= DIGEST_CHROME_MAX
        if is_page(lines) and not _headed(blocks) and not digest:
            page = read_page(text, lines)
            if page and page.paragraphs:
                return [_page_draft(page)]
        keep = _items(blocks, everywhere=digest and is_page(lines))
        if not all(keep):
            return _digest(text, blocks, keep)
    drafts: list[ArticleDraft] = []
    for block in _blocks(text, markdown):
        block = _split_head(block)
        paragraphs = [_join(lines) for lines in block]
        if markdown:
            paragraphs = [p if p.startswith("\x00") else _markdown_inline(p) for p in paragraphs]
        drafts.extend(_segment(paragraphs, markdown=markdown))
    return drafts


DIGEST_CHROME_MAX = 0.5
"""A separated dump with chrome is a digest (newsletter) while most of its lines are prose; past this share
of chrome it is a web page whose horizontal rules came out as ``___`` lines."""


def _headed(blocks: list[list[Line]]) -> bool:
    """A separated dump whose articles mostly open with a byline or date line: tidy, whatever its words."""
    parts: list[list[Line]] = []
    for block in blocks:  # two blank lines end an article too
        for line in block:
            if not parts or line is block[0] or line.gap >= 2:
                parts.append([])
            parts[-1].append(line)
    headed = sum(1 for part in parts if len(part) > 2 and _opens_with_head(part))
    return headed >= 2 and headed * 2 >= len(parts)


def _opens_with_head(part: list[Line]) -> bool:
    """A title line, then a byline or date line right under it, then text."""
    if part[0].repeated or _is_head_line(part[0].text):
        return False  # a card of a related-stories list repeats its headline (link, then title)
    return any(
        byline_author(line.text) or (len(line.text) <= 60 and parse_date(line.text)) for line in part[1:3]
    )


def _chrome_share(lines: list[Line]) -> float:
    return sum(line.kind is Kind.BAD for line in lines) / max(1, len(lines))


def _chrome_block(block: list[Line]) -> bool:
    """A masthead, contents line or footer: no prose, some chrome, no byline."""
    return (
        not has_prose(block)
        and any(line.first is Kind.BAD for line in block)
        and not any(byline_author(line.text) for line in block)
    )


def _items(blocks: list[list[Line]], *, everywhere: bool) -> list[bool]:
    """Which separated blocks are articles: all but the chrome blocks at either end (up to two each, so a
    newsletter's masthead, contents and footer), or, in a digest with chrome, every block with prose."""
    if everywhere:
        return [has_prose(block) for block in blocks]
    keep = [True] * len(blocks)
    if len(blocks) < 2:
        return keep
    for order in (range(len(blocks)), range(len(blocks) - 1, -1, -1)):
        for n, i in enumerate(order):
            if n >= EDGE_BLOCKS or not _chrome_block(blocks[i]):
                break
            keep[i] = False
    if not any(k and has_prose(b) for k, b in zip(keep, blocks, strict=True)):
        return [True] * len(blocks)
    return keep


EDGE_BLOCKS = 2
"""Chrome blocks a newsletter may open or close with (masthead and contents; footer and legal line)."""


def _digest(text: str, blocks: list[list[Line]], keep: list[bool]) -> list[ArticleDraft]:
    """A newsletter: its items are the kept blocks; the masthead, contents and footer are not articles, and
    the issue's date (the first date before the first item) applies to items that have none."""
    raw = text.split("\n")
    issue_date = None
    for block, kept in zip(blocks, keep, strict=True):
        if kept:
            break
        issue_date = issue_date or next((d for line in block if (d := find_date(line.text))), None)
    drafts: list[ArticleDraft] = []
    for block, kept in zip(blocks, keep, strict=True):
        if not kept:
            continue
        chunk = "\n".join(raw[block[0].index : block[-1].index + 1])
        for paras in _blocks(chunk, False):
            drafts.extend(_segment([_join(lines) for lines in _split_head(paras)]))
    if issue_date is not None:
        drafts = [d if d.published else replace(d, published=issue_date) for d in drafts]
    return drafts


def _page_draft(page: PageArticle) -> ArticleDraft:
    pending = _Pending(paragraphs=[clean_line(p) if "\n" not in p else p for p in page.paragraphs])
    pending.title, pending.author, pending.published = page.title, page.author, page.published
    return _draft(pending)


def _join(lines: list[str]) -> str:
    """A paragraph's lines as one line, except list items (``- ``, ``* ``, ``•``, ``1.``): one a line, and
    a lead-in line before them keeps its own line too."""
    items = [i for i, line in enumerate(lines) if _LIST_ITEM.match(line)]
    if len(items) < 2 or len(items) < len(lines) - 1:
        return " ".join(lines)
    return "\n".join(_list_item(line) for line in lines)


def _list_item(line: str) -> str:
    return "- " + line[2:].strip() if line[:2] in ("* ", "+ ", "• ") else line


def _is_head_line(line: str) -> bool:
    plain = _markdown_inline(line).strip()
    return bool(
        byline_author(plain)
        or (len(plain) <= 60 and parse_date(plain))
        or posted_line(plain)
        or _TAGS.match(plain)
    )


def _split_head(block: list[list[str]]) -> list[list[str]]:
    """Split a title, byline and date written on consecutive lines out of the block's first paragraph."""
    index = next((i for i, p in enumerate(block) if not p[0].startswith("\x00")), None)
    if index is None or len(block[index]) < 2:
        return block
    lines = block[index]
    head: list[list[str]] = []
    i = 0
    if _is_head_line(lines[1]) and len(lines[0]) <= TITLE_LIMIT + 30:
        head.append([lines[0]])
        i = 1
    while i < len(lines) and _is_head_line(lines[i]):
        head.append([lines[i]])
        i += 1
    if not head:
        return block
    rest = [lines[i:]] if i < len(lines) else []
    return block[:index] + head + rest + block[index + 1 :]


def _segment(paragraphs: list[str], *, markdown: bool = False) -> list[ArticleDraft]:
    """Cut one block's paragraphs into articles (scraped-page rules) and build drafts."""
    out: list[ArticleDraft] = []
    cur = _Pending()

    def close() -> None:
        nonlocal cur
        if cur.paragraphs or (cur.title and cur.author_note):
            out.append(_draft(cur, markdown))
        elif cur.title:
            # A title with nothing under it is a one-line article (a headline-only dump line).
            cur.paragraphs.append(cur.title)
            out.append(_draft(cur, markdown))
        cur = _Pending()

    count = len(paragraphs)
    in_comments = False
    for i, para in enumerate(paragraphs):
        if para.startswith("\x00"):
            pass
        elif "\n" in para:  # a list: one item a line
            para = "\n".join(clean_line(item) for item in para.split("\n"))
        else:
            para = clean_line(para)
        if not para:
            continue
        if _COMMENTS.match(para) and (cur.paragraphs or out):
            in_comments = True  # readers' comments are not the article: skip them up to the block's end
        if in_comments:
            continue
        nxt = paragraphs[i + 1] if i + 1 < count else None
        if para.startswith("\x00h"):
            level, heading = para[2], clean_line(para[4:])
            if level == "1":
                close()
                cur.title = heading
            elif cur.title is None and not cur.paragraphs:
                cur.title = heading
            else:  # a section heading: it stays in the body
                cur.paragraphs.append(f"## {heading}")
            continue
        if "\n" in para and not para.startswith("\x00"):
            cur.paragraphs.append(para)  # a list stays in the article it is in
            continue
        if cur.author_note:
            # Anything after a bio belongs to the next article, except more of the bio/disclaimer.
            if _DISCLAIMER.search(para):
                cur.author_note.append(para)
                continue
            close()
        if cur.at_head:
            if _TAGS.match(para):
                continue
            posted = posted_line(para)
            if posted and cur.author is None and cur.published is None:
                cur.author, cur.published = posted
                continue
            author = byline_author(para)
            if author and cur.author is None:
                cur.author = author
                continue
            date = parse_date(para) if len(para) <= 60 else None
            if date and cur.published is None:
                cur.published = date
                continue
            if (
                cur.title is None
                and nxt is not None
                and len(para) <= TITLE_LIMIT + 30
                and not ends_sentence(para)
                and not para.endswith(",")
                and not is_credit(para)
            ):
                cur.title = para.rstrip(" :")
                continue
        if is_credit(para):
            cur.credits.append(para)
            continue
        if len(para) <= 700 and (cur.paragraphs or cur.title) and is_bio(para):
            cur.author_note.append(para)
            cur.author = cur.author or bio_author(para)
            continue
        if len(para) >= TEASER_MIN and not ends_sentence(para):
            # A long paragraph that stops mid-sentence: a teaser. It is its own article unless it opens one
            # that has a title already (then it is that article's truncated body).
            if cur.paragraphs:
                close()
            cur.paragraphs.append(para)
            cur.truncated = True
            close()
            continue
        cur.paragraphs.append(para)
    if cur.author_note or not cur.empty:
        close()
    return out


def _draft(p: _Pending, markdown: bool = False) -> ArticleDraft:
    body_paragraphs = p.paragraphs  # already clean_line()d by _segment
    links: tuple[str, ...] = ()
    if markdown:
        body_paragraphs, links = _number_links(body_paragraphs)
    body = "\n\n".join(x for x in body_paragraphs if x)
    text_paragraphs = [x for x in body_paragraphs if not x.startswith("## ")]
    title = clean_line(p.title) if p.title else None
    derived = title is None
    if derived:
        title = derive_title(text_paragraphs)
    if links:  # link reference numbers mean nothing in a preview
        text_paragraphs = [re.sub(r" \[\d+\]", "", x) for x in text_paragraphs]
    lead = excerpt(text_paragraphs)
    if p.truncated and len(lead) >= len(" ".join(text_paragraphs)) and not lead.endswith("…"):
        lead = lead.rstrip() + "…"  # the whole teaser fits: still show that it stops mid-sentence
    return ArticleDraft(
        id=article_id(title if not derived else None, body),
        title=title or "Untitled",
        body=body,
        excerpt=lead,
        author=clean_line(p.author) or None,
        published=p.published,
        truncated=p.truncated,
        author_note="\n\n".join(clean(x) for x in p.author_note) or None,
        credits=tuple(clean_line(c) for c in p.credits),
        links=links,
    )
