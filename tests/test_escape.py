"""The escaping boundary (evsynth.core.escape): for any text, each output context shows exactly that text
and nothing else. Checked through the real Markdown converter with the site's extensions."""

from __future__ import annotations

import markdown as markdown_lib
import pytest
from htmlscan import parse
from hypothesis import example, given, settings
from hypothesis import strategies as st

from evsynth.core import escape
from evsynth.render.print_document import EXTENSIONS

# Letters, spaces and every character that means something to HTML, Markdown or its extensions.
TEXT = st.text(alphabet=st.sampled_from(list("aZ09 .-+#>=!()[]{}<>&\"'\\`*_|~^$:;/@%\n\t\x00\u202e")), max_size=60)


def _convert(source: str) -> str:
    return str(markdown_lib.markdown(source, extensions=EXTENSIONS + ["footnotes"], output_format="html"))


def _shown(text: str) -> str:
    return " ".join(escape.one_line(text).split())


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_markdown_text_is_shown_as_itself(text: str) -> None:
    page = parse(_convert("Before " + escape.markdown(text) + " after"))
    assert [tag for tag, _ in page.elements] == ["p"]
    assert page.all_text == _shown("Before " + text + " after")


@settings(max_examples=300, deadline=None)
@given(TEXT)
@example("!!! danger retracted")  # an admonition with classes of the author's choosing (red team)
@example("    !!! failure md-header")
@example("[TOC]")
def test_markdown_text_at_the_start_of_a_line_starts_no_block(text: str) -> None:
    for source in (escape.markdown(text) + " end", "!!! note\n\n    " + escape.markdown(text) + " end"):
        page = parse(_convert(source))
        tags = [tag for tag, _ in page.elements]
        assert tags in (["p"], ["div", "p", "p"]), (source, tags)
    assert parse(_convert(escape.markdown(text) + " end")).all_text == _shown(text + " end")


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_an_attribute_of_raw_html_in_markdown_holds_the_text(text: str) -> None:
    source = f'Value <span class="prov" title="{escape.markdown(text)}">10</span> and more'
    page = parse(_convert(source))
    assert [tag for tag, _ in page.elements] == ["p", "span"]
    assert page.elements[1][1] == {"class": "prov", "title": escape.one_line(text)}


@settings(max_examples=200, deadline=None)
@given(TEXT, TEXT)
def test_a_table_cell_holds_the_text(a: str, b: str) -> None:
    page = parse(_convert(f"| x | y |\n| --- | --- |\n| {escape.markdown(a)} | {escape.markdown(b)} |\n"))
    assert [tag for tag, _ in page.elements].count("td") == 2
    assert not {tag for tag, _ in page.elements} - {"table", "thead", "tbody", "tr", "th", "td"}


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_image_alt_text_and_link_text_hold_the_text(text: str) -> None:
    page = parse(_convert(f"![{escape.markdown(text)}](figures/x.svg) and [{escape.markdown(text)}](../x/)"))
    tags = [(tag, attrs) for tag, attrs in page.elements]
    assert [t for t, _ in tags] == ["p", "img", "a"]
    assert tags[1][1]["alt"].strip() == escape.one_line(text).strip() and tags[1][1]["src"] == "figures/x.svg"
    assert tags[2][1] == {"href": "../x/"}


@given(TEXT)
def test_html_text_is_text(text: str) -> None:
    page = parse(f'<p title="{escape.html_text(text)}">{escape.html_text(text)}</p>')
    assert page.elements == [("p", {"title": escape.plain(text)})]
    assert "".join(page.text) == escape.plain(text)


def test_only_wellformed_dois_and_pmids_become_links() -> None:
    assert escape.doi_url("10.1007/s00330-004-2373-7") == "https://doi.org/10.1007/s00330-004-2373-7"
    assert escape.doi_url('10.1234/"><script>') is None
    assert escape.doi_url("10.1234/x y") is None and escape.doi_url("javascript:alert(1)") is None
    assert escape.pubmed_url("15221268") == "https://pubmed.ncbi.nlm.nih.gov/15221268/"
    assert escape.pubmed_url("1 OR 1") is None and escape.pubmed_url("0") is None


@given(st.text(max_size=30))
def test_csv_cells_never_start_a_formula(text: str) -> None:
    cell = escape.csv_cell(text)
    assert not cell.startswith(escape.FORMULA_START)


def test_terminal_text_shows_control_characters_as_escapes() -> None:
    shown = escape.terminal("a\x1b[31mred\x1b]0;title\x07\u202eb")
    assert shown == "a\\x1b[31mred\\x1b]0;title\\x07\\u202eb"
    assert all(c.isprintable() for c in shown)


def test_figures_draw_dollar_signs_as_text() -> None:
    """`$\\frac$` or `{$x^$}` in a label would crash matplotlib's mathtext: labels are plain text."""
    import matplotlib.pyplot as plt

    from evsynth.render import figures

    fig, ax = plt.subplots()
    ax.text(0.5, 0.5, "Evil $\\frac$ {$x^$} 2020")
    svg = figures._svg(fig, "t", "d")
    assert "$\\frac$" in svg


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("https://pubmed.ncbi.nlm.nih.gov/17852073/", "https://pubmed.ncbi.nlm.nih.gov/17852073/"),
        ("http://example.org/a b", None),
        ("javascript:alert(1)", None),
        ('https://x.org/"onmouseover=alert(1)', None),
        ("//x.org/a", None),
        (None, None),
    ],
)
def test_only_http_addresses_of_pages_become_links(address: str | None, expected: str | None) -> None:
    from evsynth.core.escape import page_url

    assert page_url(address) == expected
