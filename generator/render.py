"""Render page contexts into Markdown with jinja2, keeping record text safe.

Records are written by contributors, so every piece of record text is untrusted:

* plain text (names, titles, labels) goes through :func:`escape_text`, which turns HTML and
  Markdown syntax characters into character references: ``<script>`` or ``[x](javascript:...)``
  in a name shows as text and never becomes markup or a link;
* Markdown fields go through :func:`markdown_html` (block) or :func:`markdown_inline`: Python-Markdown
  renders them, `nh3 <https://nh3.readthedocs.io>`_ keeps an allow-list of tags and http(s)/mailto
  links, and the text between tags is escaped again so the page's own Markdown pass cannot turn
  it into markup a second time;
* addresses go through :func:`escape_url`, which percent-encodes characters that would end a
  Markdown link.

The templates under ``generator/templates`` write Markdown; this module never imports MkDocs.
"""

from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from typing import Any
from urllib.parse import quote

import jinja2
import markdown
import nh3

__all__ = [
    "Renderer",
    "escape_text",
    "escape_url",
    "front_matter",
    "markdown_html",
    "markdown_inline",
    "relative",
]

# Characters that mean something to Markdown or its extensions (attr_list braces, tables' pipes,
# emphasis, links, code, headings) or to HTML. Each becomes a numeric character reference, which
# Python-Markdown passes through untouched and the browser shows as the character.
_SPECIAL = re.compile(r"[\\`*_{}\[\]()#!|~^]")


def _char_ref(match: re.Match[str]) -> str:
    return f"&#{ord(match.group(0))};"


def escape_text(value: object) -> str:
    """Plain text for use inside Markdown: never markup, never a link, one line."""
    return _escape_text(str(value))


@lru_cache(maxsize=131072)  # names repeat on many pages: a cache halves rendering at 10,000 records
def _escape_text(value: str) -> str:
    text = " ".join(value.split())
    text = html.escape(text, quote=False)
    # After html.escape the only '&' are entity starts; protect the rest.
    text = _SPECIAL.sub(_char_ref, text)
    if (text and text[0] in "-+=:") or re.match(r"\d+[.)]", text):
        text = f"&#{ord(text[0])};{text[1:]}"
    return text


def escape_url(url: str) -> str:
    """An http(s) address made safe as a Markdown link destination."""
    return quote(url, safe=";/?:@&=+$,-_.!~*#%[]")


_INLINE_TAGS = {"a", "abbr", "b", "br", "code", "em", "i", "strong", "sub", "sup"}
_BLOCK_TAGS = _INLINE_TAGS | {"blockquote", "li", "ol", "p", "pre", "ul", "hr"}
_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
_SCHEMES = {"http", "https", "mailto"}
_TAG_SPLIT = re.compile(r"(<[^>]*>)")
_BLOCK_BREAK = re.compile(r"</p>\s*<p>|<br\s*/?>|</li>\s*<li>")


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "href":
        return escape_url(value)
    return html.escape(value)


class _Markdown:
    """One reusable Python-Markdown instance (creating one per call is slow)."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(extensions=["sane_lists"], output_format="html")

    def convert(self, text: str) -> str:
        self._md.reset()
        return self._md.convert(text)


_MD = _Markdown()


def _protect(fragment: str) -> str:
    """Escape Markdown syntax in the text between tags of sanitised HTML."""
    parts = _TAG_SPLIT.split(fragment)
    for index in range(0, len(parts), 2):
        parts[index] = _SPECIAL.sub(_char_ref, parts[index])
    return "".join(parts)


def _sanitise(rendered: str, tags: set[str]) -> str:
    return nh3.clean(
        rendered,
        tags=tags,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_attribute_filter,
        strip_comments=True,
    )


# Prose with nothing Markdown or HTML would read as syntax: lines that start with a letter, hold
# only letters, digits, spaces and sentence punctuation, and neither start nor end with a space.
# Python-Markdown makes such text plain paragraphs, so it can be written without running it
# (most record text is like this; tests/test_render.py checks both ways give the same HTML).
_PLAIN_LINE = re.compile(r"[^\W\d_](?:[\w ,.;:'\"?%/@$€£’‘“”«»–—-]*[\w,.;:'\"?%/@$€£’‘“”«»–—-])?")
_PARAGRAPH_BREAK = re.compile(r"\n(?:[ \t]*\n)+")


def _plain_paragraphs(text: str) -> list[str] | None:
    """The paragraphs of ``text`` if it is plain prose (see above), else None."""
    paragraphs = _PARAGRAPH_BREAK.split(text.strip("\n"))
    for paragraph in paragraphs:
        for line in paragraph.split("\n"):
            if not _PLAIN_LINE.fullmatch(line) or "_" in line:
                return None
    return paragraphs


@lru_cache(maxsize=65536)
def markdown_html(text: str, *, search: bool = True) -> str:
    """Record Markdown as one sanitised HTML block, ready to embed in a page's Markdown.

    ``search=False`` keeps the block out of the search index (material's ``data-search-exclude``).
    """
    paragraphs = _plain_paragraphs(text)
    body = _block(text) if paragraphs is None else "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)
    marker = "" if search else ' data-search-exclude="true"'
    return f'<div class="kb-text"{marker}>\n{body}\n</div>'


@lru_cache(maxsize=65536)
def markdown_inline(text: str) -> str:
    """Record Markdown as one line of sanitised inline HTML (list items, short fields)."""
    if _plain_paragraphs(text) is not None:
        return " ".join(html.escape(text, quote=False).split())
    return _inline(text)


def _block(text: str) -> str:
    """Record Markdown rendered by Python-Markdown and sanitised: the way for any text."""
    return _protect(_sanitise(_MD.convert(text), _BLOCK_TAGS)).strip()


def _inline(text: str) -> str:
    rendered = _BLOCK_BREAK.sub(" ", _MD.convert(text))
    return " ".join(_protect(_sanitise(rendered, _INLINE_TAGS)).split())


def front_matter(meta: dict[str, Any]) -> str:
    """YAML front matter; strings are JSON-quoted (JSON strings are valid YAML)."""
    lines = ["---"]
    for key, value in meta.items():
        lines.append(f"{key}: {json.dumps(value, ensure_ascii=False, sort_keys=True)}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def relative(target: str, page: str) -> str:
    """A link from the page at source path ``page`` to the source path ``target`` (``a/b.md#x``)."""
    path, _, anchor = target.partition("#")
    if not path:
        return f"#{anchor}"
    folder, _, name = path.rpartition("/")
    link = _folder_prefix(folder, page.rpartition("/")[0]) + name
    return f"{link}#{anchor}" if anchor else link


@lru_cache(maxsize=4096)  # a site has few folders: every link reuses one of a few prefixes
def _folder_prefix(folder: str, page_folder: str) -> str:
    """The relative way from ``page_folder`` to ``folder``, ending in '/' unless empty."""
    # Both are clean relative paths, so a common prefix is enough (posixpath.relpath is slow).
    base = page_folder.split("/") if page_folder else []
    parts = folder.split("/") if folder else []
    common = 0
    while common < len(base) and common < len(parts) and base[common] == parts[common]:
        common += 1
    way = [".."] * (len(base) - common) + parts[common:]
    return "/".join(way) + "/" if way else ""


class Renderer:
    """A jinja2 environment over the package templates, loaded once and reused for every page."""

    def __init__(self) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("generator", "templates"),
            autoescape=False,  # noqa: S701 - the output is Markdown, not HTML: every value is escaped by filter
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["text"] = escape_text
        self.env.filters["url"] = escape_url
        self.env.filters["md"] = markdown_html
        self.env.filters["md_inline"] = markdown_inline
        self.env.filters["json"] = lambda value: json.dumps(value, ensure_ascii=False)
        self._templates: dict[str, jinja2.Template] = {}

    def render(self, template: str, context: dict[str, Any], src_uri: str) -> str:
        """Render ``template`` for the page at ``src_uri``; ``link`` makes relative links from it."""
        if template not in self._templates:
            self._templates[template] = self.env.get_template(template)

        def link(target: str) -> str:
            return relative(target, src_uri)

        # Record links are the most frequent piece of every page: plain functions, not jinja
        # macros, whose call overhead dominated rendering at 10,000 records.
        def a(ref: dict[str, str]) -> str:
            return f"[{escape_text(ref['name'])}]({relative(ref['src'], src_uri)})"

        def links(refs: list[dict[str, str]]) -> str:
            return ", ".join(a(ref) for ref in refs)

        # In list items only the item itself is a link; its territory and sectors are plain names.
        # A line of several links is hard to scan, and every link is work for MkDocs (issue 6).
        def names(refs: list[dict[str, str]]) -> str:
            return ", ".join(escape_text(ref["name"]) for ref in refs)

        # A listing's lines, written in Python: a listing page has a hundred, and each line through
        # jinja cost five calls (issue 6). A cluster line is its link, then its sectors (and its
        # territory in "related clusters", which is not grouped by territory) and specialisation;
        # a practice line links the practice on its cluster's page, then the cluster's territory.
        def list_items(items: list[dict[str, Any]], territory: bool = False) -> str:
            lines = []
            for item in items:
                if "cluster" in item:
                    target = relative(item["cluster"]["src"], src_uri)
                    lines.append(f"- [{escape_text(item['title'])}]({target}#{item['anchor']}) ({a(item['territory'])})")
                    continue
                line = f"- {a(item)}"
                if territory:
                    line += f" ({escape_text(item['territory']['name'])})"
                if item.get("sectors") or territory:
                    line += f" · {names(item['sectors'])}"
                special = item.get("specialisation")
                if special and not territory and special.casefold() not in {r["name"].casefold() for r in item["sectors"]}:
                    line += f" · {escape_text(special)}"  # unless it only repeats the sector's name
                lines.append(line)
            return "\n".join(lines)

        text = self._templates[template].render(
            **context, link=link, a=a, links=links, names=names, list_items=list_items, page_src=src_uri
        )
        # Collapse the blank lines that template logic leaves behind.
        return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
