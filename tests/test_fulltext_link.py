"""Teasers linked to the full article from another source (the matching itself)."""

from __future__ import annotations

from collections.abc import Mapping

from newsreader.extract.link import find_full_articles, normalise

FULL = (
    "This month, the National Health Insurance (NHI) is to implement a major policy change by "
    'eliminating the suspension-and-resumption mechanism for "Taiwanese" residing abroad.\n\n'
    "With more than 210,000 Taiwanese living overseas, this reform underscores fairness."
)
TEASER = (
    "This month, the National  Health Insurance (NHI) is to implement a major policy change by "
    "eliminating the suspension-and-resumption mechanism for “Taiwanese” residing abroad. With more…"
)


def lib(records: dict[str, tuple[str, bool]]) -> tuple[dict[str, dict[str, object]], dict[str, str]]:
    heads: dict[str, dict[str, object]] = {}
    bodies: dict[str, str] = {}
    for aid, (body, teaser) in records.items():
        heads[aid] = {"excerpt": body[:240], **({"truncated": True} if teaser else {})}
        bodies[aid] = body
    return heads, bodies


def reader(bodies: dict[str, str], asked: list[list[str]]):  # type: ignore[no-untyped-def]
    def read(ids: list[str]) -> Mapping[str, str]:
        asked.append(ids)
        return {i: bodies[i] for i in ids}

    return read


def test_normalise_spacing_quotes_case_and_the_ending() -> None:
    assert normalise("  “Hello”   World … Read more »") == '"hello" world'
    assert normalise("It’s\n\nhere [1] […]") == "it's here"


def test_teaser_links_to_the_article_that_begins_with_its_text() -> None:
    heads, bodies = lib({"t": (TEASER, True), "f": (FULL, False)})
    asked: list[list[str]] = []
    assert find_full_articles(heads, reader(bodies, asked)) == {"t": "f"}
    assert asked == [["f", "t"]]  # only the candidates' bodies are read


def test_no_link_when_the_text_only_starts_alike() -> None:
    other = FULL.replace("Taiwanese living overseas", "Taiwanese living abroad").replace(
        "residing abroad", "living in Japan"
    )
    heads, bodies = lib({"t": (TEASER, True), "f": (other, False)})
    assert find_full_articles(heads, reader(bodies, [])) == {}


def test_short_teasers_and_other_teasers_are_not_linked() -> None:
    heads, bodies = lib({"t": ("This month…", True), "f": (FULL, False), "t2": (TEASER, True)})
    assert find_full_articles(heads, reader(bodies, [])) == {"t2": "f"}


def test_new_ids_limit_the_scan() -> None:
    heads, bodies = lib({"t": (TEASER, True), "f": (FULL, False), "g": ("Unrelated text " * 10, False)})
    asked: list[list[str]] = []
    assert find_full_articles(heads, reader(bodies, asked), new=["g"]) == {}
    assert asked == []  # nothing new could match: no body read
    assert find_full_articles(heads, reader(bodies, asked), new=["f"]) == {"t": "f"}
    assert find_full_articles(heads, reader(bodies, asked), new=["t"]) == {"t": "f"}


def test_the_index_key_is_the_normalised_texts_head_whatever_the_text() -> None:
    """``index_key`` reads only an excerpt's head where it can: it must agree with normalising the
    whole text on every shape that could fool a cut (references, headings, endings, case folding)."""
    import random

    from newsreader.extract.link import HEAD, KEY_CHARS, index_key

    pieces = [
        "word", "Harbour", "a", "x" * 30, " ", " ", "  ", "\t", "\n", "\u00a0", "\n## ", "##", "#",
        " [12]", " [", "]", "7", "‘", "“", "`", "«", "read more", "Read More", "continue reading",
        "contınue reading", "...", "…", "[…]", "[...]", "(…)", ",", "!", "ß", "ﬁ", "İ", "Σ", "ΑΣ",
    ]  # fmt: skip
    rng = random.Random(16)
    for n in range(6000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 160 if n % 3 else 40)))
        if n % 5 == 0:  # the cut region itself: what follows the first space after HEAD
            text = text.ljust(HEAD, "w") + rng.choice([" ##", " [3]", " read more …", "  ", " ...x"]) + text
        whole = normalise(text)[:KEY_CHARS]
        assert index_key(text) == (whole if len(whole) == KEY_CHARS else None), repr(text)
    ascii_pieces = [p for p in pieces if p.isascii()]
    for _ in range(3000):
        text = "".join(rng.choice(ascii_pieces) for _ in range(rng.randrange(0, 60)))
        whole = normalise(text)[:KEY_CHARS]
        assert index_key(text) == (whole if len(whole) == KEY_CHARS else None), repr(text)
    lead = "Harbour news " * 3 + "... " * 3 + "»" * 160  # ending-like from before the key's end
    for at in range(HEAD - 40, HEAD + 3):  # a reference, a heading or an ending across the cut
        for odd in (" [12]", " [" + "1" * 40 + "]", "\n## Heading", " read more", " …"):
            for text in (lead[:at] + odd + " and the rest" * 9, lead[:at] + odd, ("w " * 200)[:at] + odd):
                whole = normalise(text)[:KEY_CHARS]
                assert index_key(text) == (whole if len(whole) == KEY_CHARS else None), repr(text)


def test_the_ending_is_stripped_as_the_old_pattern_did_in_linear_time() -> None:
    """The teaser ending was a regular expression that backtracked exponentially (``... `` twenty
    times: minutes); its replacement must strip exactly what it stripped, and finish on 30 KB of
    hostile text (a guard against a hang, not a timing)."""
    import random
    import re
    import threading

    from newsreader.extract.link import _strip_ending

    pattern = r"(?:\s*(?:…|\.\.\.|\[…\]|\[\.\.\.\]|\(…\)|read more|continue reading)\W*)+$"
    old = re.compile(pattern, re.IGNORECASE)
    pieces = [
        "word", " ", "  ", "\t", "\n", "…", "...", "..", ".", "[…]", "[...]", "(…)", "[", "]", "(",
        ")", "read more", "Read More", "READ", "more", "continue reading", "contınue reading", "x",
        "!", "»", ",", "ß", "İ", "spread", "_", "\u00a0",
    ]  # fmt: skip
    rng = random.Random(16)
    for _ in range(40_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 10)))
        assert _strip_ending(text) == old.sub("", text), repr(text)
    hostile = "Harbour news " + "... " * 7_500 + " and the rest"
    done: list[str] = []
    worker = threading.Thread(target=lambda: done.append(normalise(hostile)), daemon=True)
    worker.start()
    worker.join(60)
    assert done and done[0].endswith("and the rest")
