"""Removing what the content finder keeps by mistake, by rules that hold on any site.

Measured on the article-pages corpus, trafilatura's slips are at the edges of the article: above
it the headline, the dek, the byline and the date; below it "related" lists, tag lists, share and
newsletter prompts; in between, promo lines that are one link ("READ MORE: ...") and bare URLs.
Every rule here looks at the shape of a block (its kind, length, link density, a word that starts
it), never at a site's name or markup, so it holds on pages it was not tuned on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml.etree import _Element as HtmlElement

from newsreader.extract._links import Block, link_density, text_of

_MONTHS = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|janv|févr|mars|avr|mai|juin|juil|août|sept|déc"
    "|januar|februar|märz|juni|juli|oktober|dezember|enero|febrero|marzo|abril|mayo|junio|julio|agosto"
    "|septiembre|octubre|noviembre|diciembre|janeiro|fevereiro|março|maio|junho|julho|setembro|outubro"
    "|novembro|dezembro|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre"
)
_DATE = re.compile(
    rf"\b(?:\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}}|(?:19|20)\d\d|\d{{1,2}}:\d\d|(?:{_MONTHS})\w*\.?\s+\d)",
    re.IGNORECASE,
)
_BYLINE = re.compile(
    r"^(?:by|from|von|par|por|di|da|door|av|af|written by|posted by|published|updated|last updated"
    r"|geschrieben von|publicado|publié|pubblicato|atualizado|aktualisiert|mis à jour)\b",
    re.IGNORECASE,
)
# Words that open a block announcing other content, in the languages of the corpus and beyond.
_PROMO = re.compile(
    r"^(?:read more|read also|also read|read next|related|see also|more:|more from|don'?t miss|watch:|"
    r"sign up|subscribe|follow us|share this|advertisement|sponsored|recommended|you may also|"
    r"you might also|most read|most popular|top stories|trending|latest news|tags?\b|topics?\b|"
    r"leia também|leia mais|veja também|saiba mais|lesen sie auch|mehr zum thema|weitere artikel|"
    r"lire aussi|à lire aussi|voir aussi|leggi anche|lee también|ver también|publicidade|anzeige|werbung)",
    re.IGNORECASE,
)
_TAIL_WORDS = re.compile(
    r"^(?:©|\(c\)|copyright|all rights reserved|comments?\b|\d+ comments?|share\b|tweet\b|email\b|print\b)",
    re.IGNORECASE,
)
_URL_ONLY = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…:;\"'”’»)\]]$")


@dataclass(slots=True)
class Item:
    """A top-level block of the extracted body."""

    element: HtmlElement
    kind: str
    text: str
    density: float

    @property
    def words(self) -> int:
        return len(self.text.split())

    @property
    def is_paragraph(self) -> bool:
        """Running text: a paragraph of a sentence or more, not mostly links."""
        return self.kind == "p" and self.words >= 12 and self.density < 0.5


def _blocks_of(body: HtmlElement) -> Iterator[HtmlElement]:
    """The body's blocks; a layout table holding most of the text gives its cells' blocks instead."""
    total = len(text_of(body)) or 1
    for child in body:
        if not isinstance(child.tag, str):
            continue
        cells = list(child.iter("cell")) if child.tag == "table" else []
        if cells and len(text_of(child)) >= 0.5 * total and any(len(c) for c in cells):
            for cell in cells:
                yield from (sub for sub in cell if isinstance(sub.tag, str))
        else:
            yield child


def _items(body: HtmlElement, blocks: dict[str, Block]) -> list[Item]:
    out = []
    for child in _blocks_of(body):
        text = text_of(child)
        if not text:
            continue
        kind = "head" if child.tag == "hi" and len(text.split()) <= 8 else child.tag
        if kind == "list" and child.find(".//head") is not None:
            kind = "teasers"  # a list of headlines with their standfirsts: links to other articles
        density = _list_density(child, blocks) if child.tag == "list" else link_density(text, blocks)
        out.append(Item(child, kind, text, density))
    return out


def _list_density(element: HtmlElement, blocks: dict[str, Block]) -> float:
    items = [text_of(item) for item in element.iter("item")]
    total = sum(len(t) for t in items) or 1
    return sum(link_density(t, blocks) * len(t) for t in items) / total


def _same(a: str, b: str) -> bool:
    fold = re.compile(r"\W+")
    return bool(a) and fold.sub("", a.casefold()) == fold.sub("", b.casefold())


def _is_meta_line(item: Item, title: str) -> bool:
    """A headline, dek, byline, date or link line standing above the article text."""
    if item.kind == "head" or _same(item.text, title):
        return True
    short = item.words <= 14
    return short and (
        bool(_DATE.search(item.text))
        or bool(_BYLINE.match(item.text))
        or item.density >= 0.5
        or bool(_URL_ONLY.match(item.text))
    )


def _is_noise(item: Item, title: str) -> bool:
    """A block that is never article text wherever it stands."""
    if _same(item.text, title) or _URL_ONLY.match(item.text):
        return True
    if item.kind in ("p", "head") and item.words <= 25 and _PROMO.match(item.text):
        return True
    # A short line that is all link: a promo or a "related" teaser between the paragraphs.
    return item.kind in ("p", "head", "list") and item.density >= 0.9 and item.words <= 30


def _is_tail(item: Item) -> bool:
    """A block at the end of the article that belongs to the page around it."""
    if item.kind == "head" or item.density >= 0.5:
        return True
    if _TAIL_WORDS.match(item.text) or _PROMO.match(item.text):
        return True
    return item.kind == "p" and item.words <= 6 and not _SENTENCE_END.search(item.text)


def _cut_at_section(items: list[Item]) -> int:
    """Where a promo heading ("Related", "Top stories") starts the page's own lists: the index of
    the first one that has most of the text above it and little running text below it."""
    sizes = [len(i.text) for i in items]
    total = sum(sizes) or 1
    seen = 0
    for index, item in enumerate(items):
        if seen >= 0.5 * total and item.words <= 8 and _PROMO.match(item.text):
            after = items[index + 1 :]
            running = sum(len(i.text) for i in after if i.is_paragraph)
            if running <= 0.5 * sum(len(i.text) for i in after):
                return index
        seen += sizes[index]
    return len(items)


def decide(items: list[Item], title: str) -> list[str | None]:
    """For each block, why it goes (``lead``, ``tail``, ``noise``, ``section``, ``links``), or None."""
    reasons: list[str | None] = [None] * len(items)
    if all(i.density >= 0.5 for i in items):
        return ["links"] * len(items)  # a menu or a list of links: no article here
    if not any(i.is_paragraph for i in items):
        return reasons  # no running text to tell the article by: keep what there is
    end = _cut_at_section(items)
    for n in range(end, len(items)):
        reasons[n] = "section"
    start = next((n for n in range(end) if items[n].is_paragraph or not _is_meta_line(items[n], title)), 0)
    for n in range(start):
        reasons[n] = "lead"
    while end > start and not items[end - 1].is_paragraph and _is_tail(items[end - 1]):
        end -= 1
        reasons[end] = "tail"
    for n in range(start, end):
        if _is_noise(items[n], title) or items[n].kind == "teasers":
            reasons[n] = "noise"
    _drop_heading_runs(items, reasons)
    return reasons


def _drop_heading_runs(items: list[Item], reasons: list[str | None]) -> None:
    """Three or more headings in a row with no text between them are a widget (a newsletter box,
    a list of links), not the article's own sections."""
    run: list[int] = []
    for n, item in enumerate([*items, None]):
        if item is not None and item.kind == "head" and reasons[n] is None:
            run.append(n)
            continue
        if len(run) >= 3:
            for m in run:
                reasons[m] = "noise"
        run = []


def prune(body: HtmlElement, blocks: dict[str, Block], title: str) -> None:
    """Remove the blocks of ``body`` (trafilatura's output tree) that are not the article."""
    items = _items(body, blocks)
    for item, reason in zip(items, decide(items, title), strict=True):
        parent = item.element.getparent()
        if reason is not None and parent is not None:
            parent.remove(item.element)
