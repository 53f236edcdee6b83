"""html_to_text: the readable text and the link list a feed's HTML body becomes."""

from __future__ import annotations

from newsreader.ingest.text import html_to_text


def test_paragraphs_headings_and_entities() -> None:
    text, links = html_to_text("<h2>Rock &amp; roll</h2><p>First&nbsp;one.</p><p>Caf&eacute; &#8212; ok</p>")
    assert text == "## Rock & roll\n\nFirst one.\n\nCafé — ok"
    assert links == []


def test_source_newlines_are_spaces_and_br_breaks_lines() -> None:
    text, _ = html_to_text("<p>one\ntwo<br>three<br/><br/>four</p>")
    assert text == "one two\nthree\n\nfour"


def test_links_become_numbered_references_resolved_against_base() -> None:
    html = (
        '<p><a href="/a">first</a>, <a href="https://other.example/b">second</a>, '
        '<a href="/a">first again</a>, <a href="javascript:alert(1)">evil</a>, '
        '<a href="mailto:x@example.com">mail</a>, <a href="/empty"></a></p>'
    )
    text, links = html_to_text(html, "https://site.example/posts/1")
    assert text == "first [1], second [2], first again [1], evil, mail,"
    assert links == ["https://site.example/a", "https://other.example/b"]


def test_lists_nested_and_ordered() -> None:
    html = (
        "<p>Intro</p><ul><li>apples</li><li>pears<ul><li>green</li></ul></li></ul>"
        '<ol start="3"><li>three</li><li><p>four</p><p>more four</p></li></ol><p>End</p>'
    )
    text, _ = html_to_text(html)
    assert text == ("Intro\n\n• apples\n• pears\n  • green\n\n3. three\n4. four\n   more four\n\nEnd")


def test_blockquote_images_and_dropped_elements() -> None:
    html = (
        "<style>p { color: red }</style><script>document.write('x')</script>"
        '<blockquote><p>Said once.</p></blockquote><p><img src="c.png" alt="A cat"> '
        '<img src="d.png"></p><noscript>enable js</noscript><p>after</p>'
    )
    text, _ = html_to_text(html)
    assert text == "> Said once.\n\n[image: A cat] [image]\n\nafter"


def test_pre_keeps_its_indentation() -> None:
    text, _ = html_to_text("<p>Code:</p><pre>def f():\n    return 1</pre>")
    assert text == "Code:\n\ndef f():\n    return 1"


def test_markup_lookalikes_stay_literal_and_escapes_are_stripped() -> None:
    html = (
        "<p>[bold]loud[/] [link=http://x]y[/link] \x1b[31mred\x1b[0m \x1b]8;;http://e\x07osc\x07 bell\x07</p>"
    )
    text, _ = html_to_text(html)
    assert text == "[bold]loud[/] [link=http://x]y[/link] red osc bell"
    assert "\x1b" not in text and "\x07" not in text


def test_titles_can_skip_references() -> None:
    text, links = html_to_text('<a href="http://e.com/">Linked title</a>', references=False)
    assert text == "Linked title"
    assert links == []


def test_broken_html_still_gives_text() -> None:
    text, _ = html_to_text("<p>unclosed <b>bold <i>italic</p><div>next</span>")
    assert text == "unclosed bold italic\n\nnext"
    assert html_to_text("") == ("", [])
    assert html_to_text(None) == ("", [])


def test_hostile_nesting_keeps_the_text_small() -> None:
    """Thousands of nested quotes/lists are drawn at a bounded depth, so the text stays linear."""
    html = "<blockquote><ul><li>x" * 5000
    text, _ = html_to_text(html)
    assert text.count("x") == 5000
    assert len(text) < 10 * len(html)
    assert max(len(line) for line in text.splitlines()) < 60


def test_links_do_not_nest_and_odd_list_numbers_are_ignored() -> None:
    text, links = html_to_text("<p>see <a href='/a'>one <a href='/b'>two</a> three</p>", "http://e/")
    assert (text, links) == ("see one [1]two [2] three", ["http://e/a", "http://e/b"])
    huge = "9" * 5000  # int() refuses strings this long
    assert html_to_text(f"<ol start='{huge}'><li>x</li></ol>")[0] == "1. x"


def test_pathological_markup_is_handled_in_linear_time() -> None:
    """Regression guard, not a benchmark: each input took 10-25 s when the tokenizer or the
    link/anchor bookkeeping was quadratic; linear handling takes well under a second. CPU time of
    this process, not wall time, so a loaded machine does not fail it."""
    import time

    for html in ("<a " * 100_000, "<a x='" * 100_000, "<b" * 200_000, "<a href='/x'><p>x" * 30_000):
        started = time.process_time()
        html_to_text(html, "http://e/")
        assert time.process_time() - started < 10, html[:12]


# -- tables (issue 13, defect 7) --------------------------------------------------------------------

TIMETABLE = (
    "<p>Before</p><table><caption>Spring times</caption>"
    "<thead><tr><th>Stop</th><th>Departs</th></tr></thead>"
    "<tbody><tr><td>Inner <a href='https://example.org/inner'>harbour</a></td><td>06:40</td></tr>"
    "<tr><td>Outer<br>pier</td><td>21:15</td></tr>"
    "<tr><td colspan='2'>Bikes | free</td></tr></tbody></table><p>After</p>"
)


def test_a_data_table_becomes_a_pipe_table() -> None:
    text, links = html_to_text(TIMETABLE)
    assert text == (
        "Before\n\nSpring times\n\n"
        "| Stop | Departs |\n| --- | --- |\n| Inner harbour [1] | 06:40 |\n| Outer pier | 21:15 |\n"
        "| Bikes \\| free | |\n\nAfter"
    )
    assert links == ["https://example.org/inner"]


def test_a_layout_table_is_still_read_as_paragraphs() -> None:
    html = (
        "<table><tr><td><p>Lead story</p><p>More</p></td><td>Side</td></tr>"
        "<tr><td>a</td><td>b</td></tr></table>"
    )
    assert html_to_text(html)[0] == "Lead story\n\nMore\n\nSide\n\na b"
    # One row or one column is layout too: no grid for an image beside its caption.
    assert html_to_text("<table><tr><td>[img]</td><td>Caption</td></tr></table>")[0] == "[img] Caption"


def test_a_table_in_skipped_markup_stays_skipped() -> None:
    html = "<svg><table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table></svg>after"
    assert html_to_text(html)[0] == "after"
