"""Record text never becomes markup: escaping and sanitising, through the page's own Markdown pass."""

from __future__ import annotations

from html.parser import HTMLParser

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import render
from generator.render import escape_text, escape_url, front_matter, markdown_html, markdown_inline, relative

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "\\[click\\](javascript:alert(1))",
    "<a href='javascript:alert(1)'>x</a>",
    "text {: onclick=alert(1) }",
    "# heading [x](javascript:alert(1))",
    "`code` *em* <b onmouseover=alert(1)>b</b>",
    "<javascript:alert(1)>",
    "[x](JaVaScRiPt:alert(1))",
    '"><svg onload=alert(1)>',
]


def page_html(page_markdown: str) -> str:
    """The page's Markdown as MkDocs renders it (the extensions mkdocs.yml enables)."""
    return markdown.markdown(page_markdown, extensions=["attr_list", "toc", "sane_lists", "admonition", "md_in_html"])


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend((name, value or "") for name, value in attrs)


def markup(html: str) -> _Markup:
    parser = _Markup()
    parser.feed(html)
    return parser


def assert_harmless(html: str) -> None:
    found = markup(html)
    assert not {"script", "img", "svg", "iframe", "object", "style"} & set(found.tags), html
    for name, value in found.attributes:
        assert not name.startswith("on"), html
        if name in ("href", "src"):
            assert value.startswith(("http://", "https://", "mailto:", "#", "../", "./")) or "://" not in value, html
            assert not value.strip().lower().startswith(("javascript:", "data:", "vbscript:")), html


@pytest.mark.parametrize("text", HOSTILE)
def test_plain_text_never_becomes_markup(text: str) -> None:
    html = page_html(f"# {escape_text(text)}\n\n- {escape_text(text)}\n\n[{escape_text(text)}](a.md)\n")
    found = markup(html)
    assert set(found.tags) <= {"h1", "ul", "li", "p", "a"}
    assert [value for name, value in found.attributes if name == "href"] == ["a.md"]
    assert all(not name.startswith("on") for name, _ in found.attributes)


@pytest.mark.parametrize("text", HOSTILE)
def test_record_markdown_is_sanitised(text: str) -> None:
    assert_harmless(page_html(markdown_html(text)))
    assert_harmless(page_html(f"- {markdown_inline(text)}\n"))
    assert_harmless(page_html(f"## Title\n\n{markdown_html(text, search=False)}\n\nafter {{: data-search-exclude }}\n"))


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""

    def handle_data(self, data: str) -> None:
        self.text += data


@pytest.mark.parametrize("text", [*HOSTILE, "Bogotá & Medellín", "- 1. _x_ `y` ~z~ ^w^ |v|"])
def test_plain_text_shows_as_written(text: str) -> None:
    parser = _Text()
    parser.feed(page_html(f"# {escape_text(text)}"))
    assert parser.text == " ".join(text.split())


def test_markdown_keeps_formatting_and_safe_links() -> None:
    html = markdown_html("Some **bold** text and [a link](https://example.org/a_(b)).")
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org/a_%28b%29"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert html.startswith('<div class="kb-text">') and html.endswith("</div>")


def test_excluded_markdown_block_carries_the_search_marker() -> None:
    assert markdown_html("x", search=False).startswith('<div class="kb-text" data-search-exclude="true">')


def test_inline_markdown_is_one_line_without_blocks() -> None:
    assert markdown_inline("First paragraph.\n\nSecond *one*.") == "First paragraph. Second <em>one</em>."


def test_escape_url_keeps_an_address_and_closes_no_markdown_link() -> None:
    assert escape_url("https://example.org/a?b=1&c=2#top") == "https://example.org/a?b=1&c=2#top"
    assert ")" not in escape_url("https://example.org/x)y") and " " not in escape_url("https://e.org/a b")


def test_leading_list_markers_are_escaped() -> None:
    assert escape_text("- not a list").startswith("&#45;")
    assert escape_text("1. not a list").startswith("&#49;")


def test_front_matter_quotes_every_value() -> None:
    assert front_matter({"title": 'A "quoted": title', "search": {"exclude": True}}) == (
        '---\ntitle: "A \\"quoted\\": title"\nsearch: {"exclude": true}\n---\n'
    )


@pytest.mark.parametrize(
    ("target", "page", "link"),
    [
        ("territories/bogota.md", "clusters/x.md", "../territories/bogota.md"),
        ("clusters/y.md#practice-1", "clusters/x.md", "y.md#practice-1"),
        ("clusters/index.md", "index.md", "clusters/index.md"),
        ("clusters/page/2.md", "clusters/page/3.md", "2.md"),
        ("#sources", "clusters/x.md", "#sources"),
        ("index.md", "clusters/page/2.md", "../../index.md"),
        ("clusters/index.md", "clusters/page/2.md", "../index.md"),
        ("about.md", "index.md", "about.md"),
        ("sectors/health/page/2.md", "sectors/health.md", "health/page/2.md"),
        ("sectors/health.md", "sectors/health/page/2.md", "../../health.md"),
    ],
)
def test_relative_links(target: str, page: str, link: str) -> None:
    assert relative(target, page) == link


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*"<>&\"'`*_[]()!#:=/{}|\\ \n-.1aj", "javascript:", "onerror=", "script"])).map("".join))
def test_any_text_is_harmless(text: str) -> None:
    assert_harmless(page_html(f"# {escape_text(text)}\n\n{markdown_html(text) if text.strip() else ''}\n"))
    if text.strip():
        assert_harmless(page_html(f"- {markdown_inline(text)}\n"))



# Plain prose is written without running Python-Markdown; it must give the HTML the full way gives.
_PROSE = st.text(
    alphabet=st.sampled_from(list("abcXYZáÑøßé日本 0123456789,.;:'\"?%/@$€’“”–—-\n_*#<>&[]()!|\\`~^{}=+\t\u00a0")),
    max_size=60,
)
_PLAIN = st.lists(
    st.from_regex(r"[A-Za-zÁé][A-Za-zé0-9 ,.;:'?%/@$€’“”–—-]{0,30}[A-Za-z0-9.,]", fullmatch=True), min_size=1, max_size=6
).map(lambda lines: "\n".join(line if i % 3 else line + "\n" for i, line in enumerate(lines)))


@given(st.one_of(_PROSE, _PLAIN))
@settings(max_examples=400, deadline=None)
def test_plain_prose_fast_way_gives_the_same_html(text: str) -> None:
    paragraphs = render._plain_paragraphs(text)
    if paragraphs is None:
        return
    marker = '<div class="kb-text">\n'
    assert markdown_html.__wrapped__(text) == marker + render._block(text) + "\n</div>"
    assert markdown_inline.__wrapped__(text) == render._inline(text)


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("Members write the vision together.", True),
        ("Roasters and growers of Bogotá, in 2018: 40% more.\n\nA second paragraph.", True),
        ("1. A list", False),
        ("- a list", False),
        ("Some *emphasis*", False),
        ("A [link](https://example.org)", False),
        ("snake_case", False),
        ("Hard break  \nnext", False),
        ("    indented code", False),
        ("Title\n=====", False),
        ("Fish & chips", False),
        ("Non\u00a0breaking", False),
    ],
)
def test_which_text_counts_as_plain_prose(text: str, plain: bool) -> None:
    assert (render._plain_paragraphs(text) is not None) is plain
