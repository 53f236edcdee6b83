"""Reading text dumps: the seed's segmentation, every dump format, encodings and newline styles."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsreader.ingest.dump import byline_author, derive_title, is_credit, parse_date, parse_dump
from newsreader.ingest.text import decode_bytes
from newsreader.library import Library
from tests.conftest import FEEDS, SEED


def seed_drafts():
    return parse_dump(decode_bytes(SEED.read_bytes()))


def test_seed_gives_one_opinion_piece_and_four_teasers() -> None:
    drafts = seed_drafts()
    assert len(drafts) == 5
    opinion, *teasers = drafts
    paragraphs = opinion.body.split("\n\n")
    assert len(paragraphs) == 21
    assert paragraphs[0].startswith("Ruminating out loud at a fundraiser")
    assert paragraphs[-1].startswith("However, the reality is that we are back in the darkest scenarios")
    assert opinion.author == "Andreas Kluth"
    assert opinion.author_note is not None
    assert opinion.author_note.startswith("Andreas Kluth is a Bloomberg Opinion columnist")
    assert "does not necessarily reflect" in opinion.author_note
    assert opinion.credits == ("Illustration: Yusha",)
    assert "Illustration: Yusha" not in opinion.body
    assert "Andreas Kluth is" not in opinion.body
    assert any(p.startswith("By the same logic,") for p in paragraphs)
    assert not opinion.truncated
    assert [t.truncated for t in teasers] == [True] * 4
    assert teasers[0].body.startswith("This month, the National Health Insurance (NHI)")
    assert teasers[3].body.startswith("“Integrated Diplomacy”")
    assert all(t.author is None and t.author_note is None for t in teasers)


def test_seed_headlines_read_like_headlines() -> None:
    for draft in seed_drafts():
        title = draft.title
        assert 12 <= len(title) <= 90, title
        assert not title.endswith((",", ";", ":")), title
        assert title[0].isupper() or title[0] in "“\"'", title
        # never a cut word: the title's last word appears whole in the body
        last = title.rstrip("…").split()[-1].strip("“”\"'()")
        assert any(w.strip("“”\"'(),.:;") == last for w in draft.body.split()), title
    assert seed_drafts()[0].title == "US President Joe Biden expressed what is on many people’s minds"


def test_seed_excerpts_cut_at_sentence_or_word_boundary() -> None:
    for draft in seed_drafts():
        assert 40 <= len(draft.excerpt) <= 241
        assert draft.body.startswith(draft.excerpt.rstrip("…")[:40])
        if draft.excerpt.endswith("…"):
            stem = draft.excerpt[:-1]
            assert draft.body.startswith(stem)
            assert draft.body[len(stem)] in " ,.;:—" or len(stem) == len(draft.body)
        else:
            assert draft.excerpt.endswith((".", "?", "”", "!")), draft.excerpt


def test_ids_are_stable_and_distinct() -> None:
    first, second = seed_drafts(), seed_drafts()
    assert [d.id for d in first] == [d.id for d in second]
    assert len({d.id for d in first}) == 5


def test_separated_articles_with_titles_bylines_dates() -> None:
    drafts = parse_dump((FEEDS / "harbour-notes.txt").read_text())
    assert [d.title for d in drafts] == [
        "The Night Ferry Returns to Skerry Sound",
        "Why the Lighthouse Keeper Kept a Ledger of Storms",
        "Harbour Council Delays Vote on Cruise Ship Limits",
    ]
    assert [d.author for d in drafts] == ["Marit Olsen", "Tomas Reyes", None]
    assert [d.published.date().isoformat() for d in drafts if d.published] == [
        "2026-10-14",
        "2026-09-12",
        "2026-08-03",
    ]
    # hard-wrapped lines are joined into paragraphs
    assert drafts[0].body.split("\n\n")[0].startswith("After eleven years without a crossing after dark, the")
    assert len(drafts[0].body.split("\n\n")) == 3
    assert not any(d.truncated for d in drafts)


@pytest.mark.parametrize("separator", ["---", "***", "* * *", "===", "\f", "\n\n"])
def test_every_separator_splits_articles(separator: str) -> None:
    text = (
        "First Story\n\nThe first story has one paragraph that ends properly.\n\n"
        f"{separator}\n\n"
        "Second Story\n\nThe second story also ends properly, as stories do.\n"
    )
    drafts = parse_dump(text)
    assert [d.title for d in drafts] == ["First Story", "Second Story"]


def test_markdown_headings_start_articles_and_subheadings_stay() -> None:
    drafts = parse_dump((FEEDS / "field-notes.md").read_text(), markdown=True)
    assert [d.title for d in drafts] == [
        "A Field Guide to Reading in the Terminal",
        "Notes on Keyboard Navigation",
    ]
    assert drafts[0].author == "Lena Park"
    assert "## Measure matters" in drafts[0].body
    assert "*" not in drafts[0].body.replace("## ", "")


def test_hash_title_starts_an_article_in_a_plain_dump() -> None:
    drafts = parse_dump("# One\n\nBody one is here.\n\n# Two\n\nBody two is here.\n")
    assert [d.title for d in drafts] == ["One", "Two"]


def test_scraped_page_without_bio_followed_by_teasers() -> None:
    full = [
        "The council met on Monday to discuss the budget, which has grown by a third in two years.",
        "Members agreed that the library should stay open on Sundays. The vote was unanimous.",
        "Photo courtesy of the council press office",
    ]
    teaser = (
        "In other news, the regional transport authority announced a plan to extend the tram line "
        "to the harbour by 2030, though several members of the council questioned whether the"
    )
    drafts = parse_dump("\n".join([*full, teaser]) + "\n")
    assert len(drafts) == 2
    assert drafts[0].credits == ("Photo courtesy of the council press office",)
    assert not drafts[0].truncated
    assert drafts[1].truncated and drafts[1].body == teaser


@pytest.mark.parametrize(
    ("line", "author"),
    [
        ("By Jane Doe", "Jane Doe"),
        ("By JANE DOE", "JANE DOE"),
        ("by Jane Doe and John Roe", "Jane Doe and John Roe"),
        ("By Ana de la Cruz, Reuters", "Ana de la Cruz"),
        ("By the same logic, the off-ramp Biden seeks cannot take the form of a pledge.", None),
        ("By 2030 the tram will reach the harbour.", None),
        ("Bylines are overrated", None),
    ],
)
def test_bylines(line: str, author: str | None) -> None:
    assert byline_author(line) == author


@pytest.mark.parametrize(
    "line",
    ["Illustration: Yusha", "Photo: Reuters", "Photo courtesy of the author", "Image by NASA"],
)
def test_credit_lines(line: str) -> None:
    assert is_credit(line)


def test_a_sentence_about_photos_is_not_a_credit() -> None:
    assert not is_credit("Photos of the event were shared widely on social media that evening.")


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("2026-10-14", "2026-10-14"),
        ("October 14, 2026", "2026-10-14"),
        ("Oct. 14, 2026", "2026-10-14"),
        ("14 October 2026", "2026-10-14"),
        ("Published: August 3, 2026", "2026-08-03"),
        ("Tue, 14 Oct 2026 09:30:00 GMT", "2026-10-14"),
        ("2026-10-14T09:30:00+02:00", "2026-10-14"),
    ],
)
def test_date_lines(line: str, iso: str) -> None:
    value = parse_date(line)
    assert value is not None and value.tzinfo is not None
    assert value.date().isoformat() == iso


def test_a_sentence_with_a_number_is_not_a_date() -> None:
    assert parse_date("He was born in 1962 and moved to Oslo.") is None


def test_derived_title_never_cuts_a_word_and_respects_the_limit() -> None:
    long = " ".join(["Supercalifragilistic"] * 12) + "."
    title = derive_title([long])
    assert len(title) <= 90
    assert all(word.strip("…") == "Supercalifragilistic" for word in title.split())


def test_control_and_escape_sequences_are_stripped() -> None:
    text = "Evil \x1b[31mRed\x1b[0m Title\n\nBody with \x1b]8;;http://x\x07link\x1b]8;;\x07 and \x07bell.\n"
    drafts = parse_dump(text)
    assert drafts[0].title == "Evil Red Title"
    assert "\x1b" not in drafts[0].body and "\x07" not in drafts[0].body
    assert "link" in drafts[0].body


def test_markup_like_text_stays_literal() -> None:
    drafts = parse_dump("[bold]Not bold[/] and [@click=app.quit]x[/]\n\nA body [red]stays[/red] literal.\n")
    assert drafts[0].title == "[bold]Not bold[/] and [@click=app.quit]x[/]"
    assert "[red]stays[/red]" in drafts[0].body


# -- encodings and newlines -----------------------------------------------------------------------

SAMPLE = (
    "Café Society Returns\nBy Zoë Brontë\n\nThe café on the corner reopened — naïve optimism, "
    "some said — and sold 300 croissants before noon.\n\nIt was, everyone agreed, “a good day”.\n"
)


@pytest.mark.parametrize(
    ("encoding", "newline"),
    [(enc, nl) for enc in ("utf-8", "utf-8-sig", "utf-16", "cp1252") for nl in ("\n", "\r\n", "\r")],
)
def test_encodings_and_newlines(tmp_path: Path, encoding: str, newline: str) -> None:
    path = tmp_path / f"dump-{encoding}.txt"
    path.write_bytes(SAMPLE.replace("\n", newline).encode(encoding))
    library = Library(tmp_path / "lib")
    report = library.import_paths([path])
    assert report.new == 1, report
    (article,) = library.articles()
    assert article.title == "Café Society Returns"
    assert article.author == "Zoë Brontë"
    body = library.get(article.id).body or ""
    assert "naïve optimism" in body and "“a good day”" in body
    assert "\r" not in body and "\ufeff" not in body


def test_utf16_big_endian_with_bom() -> None:
    data = "\ufeff".encode("utf-16-be") + SAMPLE.encode("utf-16-be")
    assert decode_bytes(data).startswith("Café Society Returns")


def test_same_text_in_any_encoding_gets_the_same_id() -> None:
    ids = {parse_dump(decode_bytes(SAMPLE.encode(enc)))[0].id for enc in ("utf-8", "utf-16", "cp1252")}
    assert len(ids) == 1


def test_scraped_page_with_titles_bylines_and_titled_teasers() -> None:
    text = (
        "Tram Line to Reach the Harbour by 2030\n"
        "By Ana Okafor\n"
        "The regional transport authority approved the extension on Monday after two years of "
        "consultation with residents and businesses along the route.\n"
        "Photo: Transport Authority\n"
        "Construction will start next spring, and the first trams are expected to run in the autumn "
        "of 2029, a year earlier than the original plan.\n"
        "Ana Okafor is a staff reporter covering transport and urban planning.\n"
        "Council Weighs Sunday Opening for Library\n"
        "The library could open on Sundays from January if the council approves a budget amendment "
        "next week, according to a draft seen by this newspaper, which also shows that the\n"
        "Fishing Quotas Cut Again\n"
        "The herring quota for next season will be cut by twelve percent, the ministry said on "
        "Friday, the third reduction in a row and the steepest since\n"
    )
    drafts = parse_dump(text)
    assert [(d.title, d.truncated) for d in drafts] == [
        ("Tram Line to Reach the Harbour by 2030", False),
        ("Council Weighs Sunday Opening for Library", True),
        ("Fishing Quotas Cut Again", True),
    ]
    assert drafts[0].author == "Ana Okafor"
    assert drafts[0].credits == ("Photo: Transport Authority",)
    assert len(drafts[0].body.split("\n\n")) == 2
    assert drafts[0].author_note == "Ana Okafor is a staff reporter covering transport and urban planning."


def test_empty_and_folder_without_dumps_are_reported(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n\n")
    (tmp_path / "nothing").mkdir()
    report = Library(tmp_path / "lib").import_paths([empty, tmp_path / "nothing"])
    errors = [r.error or "" for r in report.failed]
    assert len(errors) == 2
    assert "empty.txt: empty file" in errors[0]
    assert "no .txt" in errors[1]


def test_markdown_subheading_right_after_the_title_stays_in_the_body() -> None:
    text = "# Alpha Title\n\n## Right After Title\n\nText A here.\n\n## Later heading\n\nText B.\n"
    (draft,) = parse_dump(text, markdown=True)
    assert draft.title == "Alpha Title"
    assert draft.body == "## Right After Title\n\nText A here.\n\n## Later heading\n\nText B."
    assert draft.excerpt == "Text A here. Text B."


def test_markdown_links_become_numbered_references() -> None:
    text = "# Links\n\nSee the [report](https://x.example/r) and ![a chart](c.png), [again](https://x.example/r).\n"
    (draft,) = parse_dump(text, markdown=True)
    assert draft.body == "See the report [1] and [image: a chart], again [1]."
    assert draft.links == ("https://x.example/r",)
    assert "[1]" not in draft.excerpt
