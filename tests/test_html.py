"""Record text to HTML: sanitised Markdown, plain text that stays text, and text in another language marked.

The HTML the project writes is final: MkDocs never parses it again, so what ``mkdocs.yml``
enables cannot turn record text into markup (tests/test_build.py builds with pymdownx's
magiclink, emoji and keys enabled to prove it).
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from cluster_kb.records.text import Local
from cluster_kb.site import html as kb_html
from cluster_kb.site.html import MARKDOWN_EXTENSIONS, Renderer, markdown_block, markdown_inline, table_of_contents
from cluster_kb.site.urls import in_language, relative, src_uri
from cluster_kb.site.views import Txt
from hypothesis import given, settings
from hypothesis import strategies as st

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
    ":smile: ++ctrl+alt++ www.example.org",
]


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend((name, value or "") for name, value in attrs)

    def handle_data(self, data: str) -> None:
        self.text += data


def markup(html: str) -> _Markup:
    parser = _Markup()
    parser.feed(html)
    return parser


def assert_harmless(html: str) -> None:
    found = markup(html)
    assert not {"script", "img", "svg", "iframe", "object", "style", "kbd"} & set(found.tags), html
    for name, value in found.attributes:
        assert not name.startswith("on"), html
        if name in ("href", "src"):
            assert not value.strip().lower().startswith(("javascript:", "data:", "vbscript:")), html


@pytest.mark.parametrize("text", HOSTILE)
def test_record_markdown_is_sanitised(text: str) -> None:
    assert_harmless(markdown_block(text))
    assert_harmless(markdown_inline(text))


@pytest.fixture(scope="module")
def helpers() -> kb_html._Helpers:
    return kb_html._Helpers(Renderer(), "en", "clusters/x/")


@pytest.mark.parametrize("text", [*HOSTILE, "Bogotá & Medellín", "- 1. _x_ `y` ~z~ ^w^ |v|"])
def test_plain_text_shows_as_written(helpers: kb_html._Helpers, text: str) -> None:
    found = markup(str(helpers.text(Txt(Local(text), "en"))))
    assert found.tags == []
    assert found.text == " ".join(text.split())


def test_markdown_keeps_formatting_and_safe_links() -> None:
    html = markdown_block("Some **bold** text and [a link](https://example.org/a_(b)).")
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org/a_(b)"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_the_project_owns_the_markdown_extensions() -> None:
    assert MARKDOWN_EXTENSIONS == ("sane_lists",)
    # magiclink, emoji and keys are not applied, whatever a site enables.
    assert markdown_block(":smile: ++ctrl+alt++ www.example.org") == "<p>:smile: ++ctrl+alt++ www.example.org</p>"


def test_inline_markdown_is_one_line_without_blocks() -> None:
    assert markdown_inline("First paragraph.\n\nSecond *one*.") == "First paragraph. Second <em>one</em>."


def test_text_in_another_language_keeps_its_lang_and_says_so() -> None:
    renderer = Renderer()
    en = kb_html._Helpers(renderer, "en", "clusters/x/")
    es = kb_html._Helpers(renderer, "es", "es/clusters/x/")
    summary = Txt(Local({"es": "Un clúster de Bogotá."}), "en")
    shown = str(en.prose(summary))
    assert '<div lang="es">' in shown and "Un clúster de Bogotá." in shown
    assert 'class="kb-lang-note"' in shown and "in Spanish" in shown
    assert str(es.prose(summary)) == '<div class="kb-text">\n<p>Un clúster de Bogotá.</p>\n</div>'
    # A name in another language gets its lang, and no note.
    assert str(en.text(Txt(Local({"es": "Clúster Lácteo"}), "en"))) == '<span lang="es">Clúster Lácteo</span>'
    # Written in both: each page shows its own, unmarked.
    both = Txt(Local({"en": "Dairy", "es": "Lácteo"}), "en")
    assert (str(en.text(both)), str(es.text(both))) == ("Dairy", "Lácteo")


@pytest.mark.parametrize(
    ("target", "page", "link"),
    [
        ("territories/bogota/", "clusters/x/", "../../territories/bogota/"),
        ("clusters/y/#practice-1", "clusters/x/", "../../clusters/y/#practice-1"),
        ("clusters/", "", "clusters/"),
        ("", "clusters/", "../"),
        ("", "", "./"),
        ("clusters/page/2/", "clusters/page/3/", "../../../clusters/page/2/"),
        ("es/clusters/", "es/clusters/x/", "../../../es/clusters/"),
    ],
)
def test_relative_links(target: str, page: str, link: str) -> None:
    assert relative(target, page) == link


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("", "index.md"),
        ("clusters/", "clusters/index.md"),
        ("clusters/x/", "clusters/x.md"),
        ("clusters/page/2/", "clusters/page/2.md"),
        ("es/", "es/index.md"),
        ("es/clusters/", "es/clusters/index.md"),
        ("ca/clusters/x/", "ca/clusters/x.md"),
        ("editions/colombia-2018/meetings/", "editions/colombia-2018/meetings.md"),
    ],
)
def test_source_names_give_the_urls(path: str, uri: str) -> None:
    assert src_uri(path) == uri


def test_languages_share_paths_under_their_prefix() -> None:
    paths = [in_language("clusters/x/", lang) for lang in ("en", "es", "ca")]
    assert paths == ["clusters/x/", "es/clusters/x/", "ca/clusters/x/"]


def test_table_of_contents_nests_h3_under_h2_and_drops_permalinks() -> None:
    content = (
        '<h1>T</h1><h2 id="a">A<a class="headerlink" href="#a">¶</a></h2><h3 id="b">B &amp; <em>b</em></h3><h2 id="c">C</h2>'
    )
    toc = table_of_contents(content)
    assert [(e.id, e.name, [c.id for c in e.children]) for e in toc] == [("a", "A", ["b"]), ("c", "C", [])]
    assert toc[0].children[0].name == "B &amp; b"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*"<>&\"'`*_[]()!#:=/{}|\\ \n-.1aj+", "javascript:", "onerror=", "script"])).map("".join))
def test_any_text_is_harmless(text: str) -> None:
    if text.strip():
        assert_harmless(markdown_block(text))
        assert_harmless(markdown_inline(text))


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
    if kb_html._plain_paragraphs(text) is None:
        return
    md = kb_html._Markdown()
    full_block = kb_html._sanitise(md.convert(text), kb_html._BLOCK_TAGS).strip()
    assert markdown_block(text) == full_block
    rendered = kb_html._BLOCK_BREAK.sub(" ", md.convert(text))
    assert markdown_inline(text) == " ".join(kb_html._sanitise(rendered, kb_html._INLINE_TAGS).split())


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
    assert (kb_html._plain_paragraphs(text) is not None) is plain
