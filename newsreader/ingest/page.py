"""A web page saved as text -> its article: the main run of prose, and the headline, byline and date above it.

:mod:`newsreader.ingest.chrome` classes each line as prose or chrome. Here prose lines are grouped into
runs (a run ends after more than :data:`MAX_GAP` chrome lines), the run with the most prose is the article,
its tail is cut where prose gives way to a list of headlines ("Related stories", "Most read"), and the lines
just above it give the head: headline, byline, date (site name, section labels and share buttons are
passed over).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import datetime

from newsreader.ingest.chrome import CHROME_WORDS, Kind, Line, classify, is_placeholder
from newsreader.ingest.dates import MONTHS, find_date
from newsreader.ingest.heads import byline_author, is_credit, posted_line

MAX_GAP = 6
"""Chrome lines a run of prose may skip over (a caption, an ad slot, a "Read more" link) and go on."""
CHROME_PENALTY = 1.0
"""How hard chrome interleaved with a run's prose counts against it."""
HEAD_WINDOW = 20
"""How many lines above the article the head (headline, byline, date) may be."""
TAIL_LOOKAHEAD = 5
"""A non-prose line followed by this many lines with at most one prose line ends the article..."""
TAIL_FROM = 0.6
"""...once this share of the article's prose lies above it (an early list is part of the article)..."""
TAIL_REST = 0.25
"""...and what prose follows is this small beside it (a list inside an article has more article after it)."""
PAGE_BAD_LINES = 6
PAGE_BAD_SHARE = 0.2
"""A text is a saved page when at least this many of its lines, and this share, are chrome (and as many
of them are labels: menu items, buttons, headlines of other stories)."""
_TAG_LINE = re.compile(r"^[^\W\d]{3,20}\s*:", re.UNICODE)

_BY_ALONE = re.compile(r"^(?:by|von|por|par|di|door|oleh)$", re.IGNORECASE)
_RULE = re.compile(r"^([-*_=~#•·])\s*(?:\1\s*){2,}$")
COMMENTS_HEADING = re.compile(
    r"^(?:\d+\s+)?(?:comments?|responses?|replies|reactions|discussion|kommentare?|comentarios?|"
    r"commentaires?|commenti|reacties|kommentarer|komentar|leave a (?:comment|reply)|"
    r"join the (?:discussion|conversation))\b(?:[\s\d():]*|\s+(?:to|on|zu|a|sur|su|op|para)\s.{0,150})$",
    re.IGNORECASE,
)
_RELATED = re.compile(
    r"^(?:related(?:\s+(?:stories|articles|posts|content|links|news|coverage|reading))?|"
    r"(?:you (?:may|might) (?:also )?(?:like|enjoy)|recommended(?: for you)?|"
    r"more (?:from|on|in|stories|news)\b.*|"
    r"most (?:read|popular|viewed|shared)\b.*|read (?:more|next)|see also|trending(?: now)?|top stories|"
    r"lesen sie auch|mehr zum thema|weitere artikel|das könnte sie auch interessieren|"
    r"noticias relacionadas|te puede interesar|lo más leído|leia também|você pode gostar.*|mais lidas|"
    r"potrebbe interessarti|articoli correlati|à lire aussi|sur le même sujet|articles similaires|"
    r"lees ook|gerelateerde artikelen|läs också|relaterat|baca juga|berita terkait))\W*$",
    re.IGNORECASE,
)
_SLASHED = re.compile(r"^[A-Z][\w.'’ -]*(?:/[A-Z][\w.'’ -]*)+$")
HEAD_LEAD = 0.5
HEAD_PARAGRAPHS = 2
"""A byline or date line after at most this many paragraphs, and this share of the run's prose, still
belongs to the head above the body (those paragraphs are a standfirst or a lead caption)."""
CAPTION_MAX = 150
"""A line next to a photo credit and shorter than this is its caption."""
_NOT_HEADLINE = re.compile(
    r"@|https?:|www\.|\burl\b|\d{1,2}:\d{2}|^(?:published|updated|posted|filed|by|von|por|par)\b|"
    r"^(?:tags?|tagged|categor(?:y|ies)|labels?|topics?|schlagwörter|etiquetas)\s*:|"
    r"\b(?:photo|image|copyright|getty|illustration|file photo|foto|bild)\b|\.\.\.$|…$",
    re.IGNORECASE,
)
_AGENCY_TAIL = re.compile(r"\(\s*[A-Z]{2,}[^)]*\)$")
"""``... Julian Assange (AFP)``: a caption ending in its agency."""
_FURNITURE = re.compile(
    r"\b(?:share|sharing|follow|print|e-?mail|facebook|twitter|whatsapp|linkedin|pinterest|reddit|tweet|"
    r"gallery|votes?|rating|min read|close|menu|back to|comments?|browse|icon)\b",
    re.IGNORECASE,
)
"""Words of buttons and bars; one in a short line, or two in any, and it is not a headline."""
_ROLE = re.compile(
    r"\b(?:contributor|staff writer|senior writer|correspondent|reporter|columnist|editor|mugshot)\b", re.I
)
HEADLINE_WORDS = 5
_LOOSE_BY = re.compile(
    r"^(?i:by|von|por|par|door)\s+((?:[A-Z][\w.'’-]*\.?\s+){0,5}[A-Z][\w.'’-]*"
    r"(?:\s+(?:and|&|y|und|et)\s+(?:[A-Z][\w.'’-]*\s+){0,4}[A-Z][\w.'’-]*)?)(?=$|\s*[-–—|,•·]|\s+\d|\s+[a-z])"
)
_NOT_NAME = frozenset({"updated", "published", "posted", "staff", "senior", "writer", "news", "and"})
_NAME_JOINERS = frozenset({"and", "&", "y", "und", "et", "e", "en", "och", ","})


@dataclass(slots=True)
class PageArticle:
    """What a page gives: a head and body paragraphs (a list is one paragraph, one item a line)."""

    paragraphs: list[str] = field(default_factory=list)
    title: str | None = None
    author: str | None = None
    published: datetime | None = None


def _prose(line: Line) -> bool:
    return line.first in (Kind.GOOD, Kind.NEAR) and line.sentence


def _runs(lines: list[Line]) -> list[list[Line]]:
    """Runs of prose: lines prose on their own signals, with the smoothed-in short lines between them."""
    runs: list[list[Line]] = []
    current: list[Line] = []
    pending: list[Line] = []
    for line in lines:
        if is_placeholder(line):
            continue
        if line.kind is Kind.GOOD and line.first in (Kind.GOOD, Kind.NEAR):
            if current and sum(1 for x in pending if x.kind is Kind.BAD and not x.bullet) > MAX_GAP:
                runs.append(current)
                current = []
            current.extend(x for x in pending if x.kind is Kind.GOOD)
            pending = []
            current.append(line)
        else:
            pending.append(line)
    if current:
        runs.append(current)
    return runs


def _index(line: Line) -> int:
    return line.index


def _weight(run: list[Line], lines: list[Line]) -> float:
    """Prose in the run, discounted by the chrome interleaved with it: a comment thread has a name, a date
    and a "Reply" between every two comments, an article at most a caption here and there."""
    prose = sum(len(line.text) for line in run if line.first is Kind.GOOD)
    span = lines[
        bisect_left(lines, run[0].index, key=_index) : bisect_right(lines, run[-1].index, key=_index)
    ]
    between = [line for line in span if line.kind is Kind.BAD]
    dated = sum(1 for line in span if len(line.text) <= 80 and find_date(line.text))
    density: float = (len(run) / (len(run) + len(between))) ** CHROME_PENALTY
    return prose * density / (1 + max(0, dated - 1))


def _trim(run: list[Line]) -> list[Line]:
    """Start at the first paragraph of prose; end where prose gives way to a list of headlines."""
    start = next((i for i, line in enumerate(run) if line.first is Kind.GOOD), 0)
    run = run[start:]
    total = sum(len(line.text) for line in run if _prose(line))
    seen = 0
    for i, line in enumerate(run):
        if _prose(line):
            seen += len(line.text)
            continue
        ahead = run[i + 1 : i + 1 + TAIL_LOOKAHEAD]
        if (
            seen >= TAIL_FROM * total
            and len(ahead) >= TAIL_LOOKAHEAD
            and sum(map(_prose, ahead)) <= 1
            and total - seen <= TAIL_REST * seen
        ):
            return run[:i]
    return run


def _before_comments(run: list[Line], lines: list[Line]) -> list[Line]:
    """The run up to a comments heading ("Comments (2)", "3 Kommentare", "Leave a reply"), if one follows
    its first paragraph: what readers wrote is not the article."""
    start, end = run[0].index, run[-1].index
    cut = next((x.index for x in lines if start < x.index <= end and COMMENTS_HEADING.match(x.text)), None)
    if cut is not None:
        run = [line for line in run if line.index < cut]
    # A "Related stories" heading and the headline list under it are not the article; the article may go
    # on after them (a text browser puts a sidebar where it stood on the page), at its next paragraph.
    skipped: set[int] = set()
    skipping = False
    for x in lines:
        if not start < x.index <= end:
            continue
        if not x.sentence and _RELATED.match(x.text):
            skipping = True
        elif x.first is Kind.GOOD:
            skipping = False
        if skipping:
            skipped.add(x.index)
    return [line for line in run if line.index not in skipped] if skipped else run


def is_page(lines: list[Line]) -> bool:
    """Whether a classified text is a saved page (chrome around its text) rather than a tidy dump."""
    bad = sum(1 for line in lines if line.kind is Kind.BAD and not _RULE.match(line.text))
    furniture = sum(1 for line in lines if line.kind is Kind.BAD and _furniture(line))
    return bad >= PAGE_BAD_LINES and bad >= PAGE_BAD_SHARE * len(lines) and furniture >= PAGE_BAD_LINES


def _furniture(line: Line) -> bool:
    """A chrome line that is a label (a menu item, a headline, a button), not a short sentence, list item or
    head line: a short text of short sentences is not a page."""
    text = line.text
    if is_placeholder(line) or _RULE.match(text) or line.bullet or line.sentence:
        return False
    if len(text) <= 120 and (byline_author(text) or posted_line(text) or find_date(text)):
        return False
    return not _TAG_LINE.match(text)


def _head(above: list[Line], article: PageArticle) -> None:
    """Byline, date and headline from the lines just above the article, nearest first: the headline is the
    nearest headline-like line of :data:`HEADLINE_WORDS` words or more, else the nearest shorter one."""
    fallback: str | None = None
    for i in range(len(above) - 1, -1, -1):
        line = above[i]
        text = line.text
        if _BY_ALONE.match(text):  # "By" on its own line, the name on the next
            if i + 1 < len(above) and above[i + 1].words <= 5 and article.author is None:
                article.author = above[i + 1].text
            continue
        posted = posted_line(text)
        author = posted[0] if posted else byline_author(text) or _loose_byline(text)
        if author or posted:
            article.author = article.author or author
            if posted and posted[1]:
                article.published = article.published or posted[1]
            continue
        date = find_date(text) if len(text) <= 100 else None
        if date:
            article.published = article.published or date
            continue
        if article.title is None and _headline_like(line):
            if line.words >= HEADLINE_WORDS:
                article.title = text
                break
            fallback = fallback or text
    article.title = article.title or fallback


def _loose_byline(text: str) -> str | None:
    """The name in a page's run-on byline: ``By Mike Wall 2019-11-18T20:51:19Z Science``, ``By Justine
    Coleman - 11/18/19 11:04 PM EST``, ``By Andy Sahadeo | Fox News``: the capitalised words after "By"."""
    if len(text) > 120 or not (m := _LOOSE_BY.match(text)):
        return None
    words = m.group(1).split()
    while words and (words[-1].casefold() in _NOT_NAME or words[-1].casefold().rstrip(".") in MONTHS):
        words.pop()
    return " ".join(words) if 1 < len(words) <= 8 else None


def _head_in_body(run: list[Line], lines: list[Line], article: PageArticle) -> None:
    """A byline or date line among the first lines of the article's own span (between standfirst and
    body, or under a lead photo) still dates and signs it."""
    start, end = run[0].index, run[-1].index
    members = {line.index for line in run}
    seen = 0
    for x in lines:
        if not start <= x.index <= end or x.index in members:
            if x.index in members and _prose(x):
                seen += 1
                if seen > HEAD_PARAGRAPHS + 1:
                    return
            continue
        if len(x.text) > 120:
            continue
        posted = posted_line(x.text)
        author = posted[0] if posted else byline_author(x.text) or _loose_byline(x.text)
        article.author = article.author or author
        date = posted[1] if posted else find_date(x.text)
        article.published = article.published or date


def _headline_like(line: Line) -> bool:
    """A line that can be a headline: a few words, not a sentence, not a credit, caption, share bar, byline
    without "By" (``Kevin Johnson and Kevin McCoy USA TODAY``), date or time, link or page furniture."""
    text = line.text
    if not 3 <= line.words <= 30 or len(text) > 200 or _is_sentence(text) or line.bullet:
        return False
    if (
        _credit_like(line)
        or _NOT_HEADLINE.search(text)
        or _AGENCY_TAIL.search(text)
        or CHROME_WORDS.search(text)
    ):
        return False
    furniture = len(_FURNITURE.findall(text))
    if furniture >= 2 or (furniture and line.words <= 4) or _ROLE.search(text):
        return False
    words = text.replace(",", " , ").split()
    capitalised = all(w[:1].isupper() or w in _NAME_JOINERS for w in words)
    return not (capitalised and len(words) <= 12 and any(w in _NAME_JOINERS for w in words))


def _is_sentence(text: str) -> bool:
    return text.endswith((".", ";", ",")) and not text.endswith("..")


def _paragraphs(run: list[Line]) -> list[str]:
    """Body paragraphs; consecutive list items stay one a line, as ``- item``."""
    out: list[str] = []
    items: list[str] = []
    for line in run:
        if line.bullet:
            marker = line.bullet if line.bullet[0].isdigit() else "-"
            items.append(f"{marker} {line.text}")
            continue
        if items:
            out.append("\n".join(items))
            items = []
        out.append(line.text)
    if items:
        out.append("\n".join(items))
    return out


def read_page(text: str, lines: list[Line] | None = None) -> PageArticle | None:
    """The article of a saved page, or None if the page has no run of prose."""
    lines = classify(text) if lines is None else lines
    runs = _runs(lines)
    if not runs:
        return None
    run = _trim(
        _without_captions(
            _after_head(_before_comments(max(runs, key=lambda r: _weight(r, lines)), lines), lines), lines
        )
    )
    if not run:
        return None
    article = PageArticle()
    first = lines.index(run[0])
    above = [line for line in lines[max(0, first - HEAD_WINDOW) : first] if not is_placeholder(line)]
    _head(above, article)
    if article.author is None or article.published is None:
        _head_in_body(run, lines, article)
    article.paragraphs = _paragraphs(_with_post_heads(run, lines))
    return article


def _is_head(line: Line) -> bool:
    text = line.text
    return len(text) <= 100 and bool(find_date(text) or byline_author(text) or posted_line(text))


def _after_head(run: list[Line], lines: list[Line]) -> list[Line]:
    """The body starts after the byline or date line when one stands among the run's first lines: what is
    above it is the head (headline, standfirst, lead photo caption), not the body."""
    if not run:
        return run
    start, end = run[0].index, run[-1].index
    members = {line.index for line in run}
    total = sum(len(line.text) for line in run if _prose(line))
    if sum(1 for x in lines if start <= x.index <= end and posted_line(x.text)) > 1:
        return run  # a thread: a "Posted by" line heads every post, the first post included
    seen, paragraphs, cut = 0, 0, None
    for x in lines:
        if not start <= x.index <= end:
            continue
        if x.index in members and _prose(x):
            if paragraphs >= HEAD_PARAGRAPHS or seen + len(x.text) > HEAD_LEAD * total:
                break
            seen += len(x.text)
            paragraphs += 1
        elif x.kind is Kind.BAD and _is_head(x):
            cut = x.index
    return run if cut is None else [line for line in run if line.index > cut]


def _credit_like(line: Line) -> bool:
    """A photo credit: ``Image: X``, ``Name/Agency/Getty Images``, ``ITV, ASSOCIATED PRESS``."""
    text = line.text
    if len(text) > 90 or line.sentence:
        return False
    return is_credit(text) or bool(_SLASHED.match(text)) or (text.isupper() and "," in text)


def _without_captions(run: list[Line], lines: list[Line]) -> list[Line]:
    """Photo captions (a line next to a photo credit) are not body text."""
    content = [line for line in lines if not is_placeholder(line)]
    position = {line.index: i for i, line in enumerate(content)}
    captions: set[int] = set()
    for line in run:
        i = position[line.index]
        near = content[max(0, i - 1) : i] + content[i + 1 : i + 2]
        if len(line.text) < CAPTION_MAX and any(_credit_like(x) for x in near):
            captions.add(line.index)
    return [line for line in run if line.index not in captions] if captions else run


def _with_post_heads(run: list[Line], lines: list[Line]) -> list[Line]:
    """A thread's "Posted by NAME on DATE" lines between its posts stay: they say who wrote what."""
    start, end = run[0].index, run[-1].index
    heads = [x for x in lines if start < x.index < end and x.kind is Kind.BAD and posted_line(x.text)]
    return sorted([*run, *heads], key=lambda line: line.index) if heads else run


def separated_blocks(text: str, lines: list[Line], separator: re.Pattern[str]) -> list[list[Line]]:
    """The classified lines grouped by the separator lines (``---``) between them."""
    del text
    blocks: list[list[Line]] = [[]]
    for line in lines:
        if separator.fullmatch(line.raw):
            blocks.append([])
        else:
            blocks[-1].append(line)
    return [b for b in blocks if b]


def has_prose(block: list[Line]) -> bool:
    """A block with at least one paragraph of prose on its own signals: not a masthead, contents or footer."""
    return any(line.first is Kind.GOOD and line.kind is Kind.GOOD for line in block)
