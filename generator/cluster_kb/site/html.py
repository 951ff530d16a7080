"""Render views to HTML, once, in each language: record Markdown with ``markdown`` + nh3, pages with jinja2.

Records are written by contributors, so all record text is untrusted:

* plain text (names, titles, labels) is escaped by jinja2's autoescaping: ``<script>`` or
  ``[x](javascript:...)`` in a name shows as those characters;
* Markdown fields go through Python-Markdown under a fixed extension set this module owns
  (:data:`MARKDOWN_EXTENSIONS`), then `nh3 <https://nh3.readthedocs.io>`_ keeps an allow-list of
  tags and http(s)/mailto links. The HTML is final: nothing parses it as Markdown again, so what
  ``mkdocs.yml`` enables (magiclink, emoji, keys...) never touches record text.

Text shown on a page in another language than the page's (a record written only in Spanish, on an
English page) keeps its own ``lang`` attribute and a small visible note of its language; a name
gets the attribute only. A :class:`RenderedPage` carries the page's HTML and its table of contents.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import jinja2
import markdown
import nh3
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from markupsafe import Markup

from ..kinds import N_
from ..knowledge import matchmaking as mm
from ..records.models import Citation
from ..records.text import LANGUAGES
from . import charts
from .l10n import catalogue, format_dates, format_partial_date
from .template_cache import template_cache
from .urls import in_language, relative
from .views import (
    BarView,
    ClusterItem,
    FigureView,
    LeadView,
    Link,
    MapView,
    PageSpec,
    ReasonView,
    ShortView,
    TerritoryChart,
    Title,
    Txt,
)

__all__ = ["MARKDOWN_EXTENSIONS", "RenderedPage", "Renderer", "TocEntry", "markdown_block", "markdown_inline"]

MARKDOWN_EXTENSIONS = ("sane_lists",)
"""The only Markdown extensions record text is rendered with, whatever the site configures."""

_INLINE_TAGS = {"a", "abbr", "b", "br", "code", "em", "i", "strong", "sub", "sup"}
_BLOCK_TAGS = _INLINE_TAGS | {"blockquote", "li", "ol", "p", "pre", "ul", "hr"}
_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
_SCHEMES = {"http", "https", "mailto"}
_BLOCK_BREAK = re.compile(r"</p>\s*<p>|<br\s*/?>|</li>\s*<li>")
_OUTER = re.compile(r"^\s*<(?:p|ul|ol)>|</(?:p|ul|ol)>\s*$")


def _sanitise(rendered: str, tags: set[str]) -> str:
    return nh3.clean(
        rendered,
        tags=tags,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


# Prose with nothing Markdown or HTML would read as syntax: lines that start with a letter, hold
# only letters, digits, spaces and sentence punctuation, and neither start nor end with a space.
# Python-Markdown makes such text plain paragraphs, so it can be written without running it (most
# record text is like this; tests/test_html.py checks both ways give the same HTML).
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


class _Markdown:
    """One reusable Python-Markdown instance under the project's own extensions."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(extensions=list(MARKDOWN_EXTENSIONS), output_format="html")

    def convert(self, text: str) -> str:
        self._md.reset()
        return self._md.convert(text)


def markdown_block(text: str, md: _Markdown | None = None) -> str:
    """Record Markdown as sanitised block HTML (paragraphs, lists)."""
    paragraphs = _plain_paragraphs(text)
    if paragraphs is not None:
        return "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)
    return _sanitise((md or _Markdown()).convert(text), _BLOCK_TAGS).strip()


def markdown_inline(text: str, md: _Markdown | None = None) -> str:
    """Record Markdown as one line of sanitised inline HTML (list items, short fields)."""
    if _plain_paragraphs(text) is not None:
        return " ".join(html.escape(text, quote=False).split())
    rendered = _BLOCK_BREAK.sub(" ", (md or _Markdown()).convert(text))
    return " ".join(_sanitise(rendered, _INLINE_TAGS).split())


# -- the table of contents ---------------------------------------------------------------------------

_HEADING = re.compile(r'<h([23]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
_TAG = re.compile(r"<[^>]+>")
_PERMALINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.S)


@dataclass(frozen=True, slots=True)
class TocEntry:
    """A heading of a page: what MkDocs's ``get_toc`` reads (``level``, ``id``, ``name``, ``children``)."""

    level: int
    id: str
    name: str
    children: tuple[TocEntry, ...] = ()

    def token(self) -> dict[str, Any]:
        return {"level": self.level, "id": self.id, "name": self.name, "children": [c.token() for c in self.children]}


def table_of_contents(content: str) -> tuple[TocEntry, ...]:
    """The h2/h3 headings of a generated page, nested (our templates write every heading with an id)."""
    top: list[tuple[TocEntry, list[TocEntry]]] = []
    for level, anchor, inner in _HEADING.findall(content):
        name = html.escape(html.unescape(_TAG.sub("", _PERMALINK.sub("", inner))).strip(), quote=False)
        entry = TocEntry(int(level), anchor, name)
        if entry.level == 2 or not top:
            top.append((entry, []))
        else:
            top[-1][1].append(entry)
    return tuple(TocEntry(e.level, e.id, e.name, tuple(children)) for e, children in top)


@dataclass(frozen=True, slots=True)
class RenderedPage:
    """A generated page in one language, ready for a site builder: its title, HTML and headings."""

    path: str
    """Where it lives, with its language prefix: ``es/clusters/x/``."""
    lang: str
    title: str
    content: str
    toc: tuple[TocEntry, ...]
    search: bool

    @property
    def anchors(self) -> set[str]:
        return set(re.findall(r'\sid="([^"]+)"', self.content))


# -- rendering -----------------------------------------------------------------------------------------


class _ConstantMessages(Extension):
    """Translates ``_("text")`` once, when a template is compiled for its language.

    Each language has its own environment, so a message without values is a constant there: the
    template gets the translated text (escaped like any constant) instead of a call on every page.
    Messages with values (``_("Cluster in %(place)s.", place=...)``) stay calls. The source keeps
    ``_("...")``, so ``make i18n`` extracts every message as before.
    """

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        gettext: Callable[[str], str] = self.environment.kb_gettext  # type: ignore[attr-defined]
        tokens = list(stream)
        index = 0
        while index < len(tokens):
            token = tokens[index]
            window = tokens[index : index + 4]
            if (
                token.type == "name"
                and token.value == "_"
                and len(window) == 4
                and (window[1].type, window[2].type, window[3].type) == ("lparen", "string", "rparen")
                and (index == 0 or tokens[index - 1].type != "dot")
            ):
                yield Token(token.lineno, "string", gettext(window[2].value))
                index += 4
                continue
            yield token
            index += 1


class Renderer:
    """The templates, one jinja2 environment per language, loaded once and reused for every page."""

    def __init__(self) -> None:
        self._md = _Markdown()
        self._blocks: dict[str, str] = {}
        self._inlines: dict[str, str] = {}
        # A link or a matchmaking reason reads the same on every page of one language and folder
        # depth: a cluster is a lead on several pages, "both in Agri-food" on thousands.
        self._shared: dict[tuple[Any, str, int], Markup] = {}
        self._current = _Current()
        self._envs = {lang: self._environment(lang) for lang in LANGUAGES}

    def shared(self, key: tuple[Any, str, int], make: Callable[[], Markup]) -> Markup:
        """The markup for ``key`` (a value, a language, a folder depth), made by its first page."""
        found = self._shared.get(key)
        if found is None:
            found = self._shared[key] = make()
        return found

    def _environment(self, lang: str) -> jinja2.Environment:
        env = jinja2.Environment(
            loader=jinja2.PackageLoader("cluster_kb.site", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,  # templates are package data: no stat() per page
            extensions=["jinja2.ext.i18n", _ConstantMessages],
        )
        cat = catalogue(lang)
        env.kb_gettext = cat.gettext  # type: ignore[attr-defined]
        env.install_gettext_translations(cat.translations, newstyle=True)  # type: ignore[attr-defined]
        # Imported macros are compiled once per language; `h` reaches the page being rendered.
        env.globals.update(lang=lang, languages=LANGUAGES, h=self._current)
        env.filters["num"] = cat.number
        # The compiled templates carry this language's messages (_ConstantMessages).
        env.bytecode_cache = template_cache(env, (lang, cat.digest))
        return env

    # record Markdown, converted once per text for the whole build
    def block(self, text: str) -> str:
        found = self._blocks.get(text)
        if found is None:
            found = self._blocks[text] = markdown_block(text, self._md)
        return found

    def inline(self, text: str) -> str:
        found = self._inlines.get(text)
        if found is None:
            found = self._inlines[text] = markdown_inline(text, self._md)
        return found

    def title(self, title: Title, lang: str) -> str:
        """A page title in ``lang``, as plain text."""
        if title.text is not None:
            return title.text.text.text(lang, title.text.own)
        cat = catalogue(lang)
        values = {}
        for key, value in title.values.items():
            if isinstance(value, Title):
                values[key] = self.title(value, lang)
            elif isinstance(value, Txt):
                values[key] = value.text.text(lang, value.own)
            elif isinstance(value, int):
                values[key] = cat.number(value)
            else:
                values[key] = str(value)
        return cat.gettext(title.message or "").format(**values)

    def render(self, spec: PageSpec, view: Any, lang: str) -> RenderedPage:
        """The page ``spec`` in ``lang``, from its ``view``."""
        path = in_language(spec.path, lang)
        env = self._envs[lang]
        helpers = _Helpers(self, lang, path)
        title = self.title(spec.title, lang)
        self._current.helpers = helpers
        try:
            content = env.get_template(spec.template).render(v=view, page_title=title)
        finally:
            self._current.helpers = None
        content = re.sub(r"\n\s*\n+", "\n", content).strip() + "\n"
        return RenderedPage(path, lang, title, content, table_of_contents(content), spec.search)


class _Current:
    """The helpers of the page being rendered, for macros compiled once (one page at a time)."""

    helpers: _Helpers | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.helpers, name)


class _Helpers:
    """What templates call to show record text, links, numbers and dates in the page's language."""

    def __init__(self, renderer: Renderer, lang: str, page: str) -> None:
        self.r = renderer
        self.lang = lang
        self.page = page
        self.depth = page.count("/")
        """How many folders below the root: links from pages of the same depth read the same."""
        self.cat = catalogue(lang)

    # links
    def href(self, path: str) -> str:
        """A link to the site path ``path`` (default language) in this page's language."""
        return relative(in_language(path, self.lang), self.page)

    def asset(self, path: str) -> str:
        """A link to a file that exists once for every language (data, schemas)."""
        return relative(path, self.page)

    def a(self, target: Link, **attrs: str) -> Markup:
        if attrs:
            return self._a(target, attrs)
        return self.r.shared((target, self.lang, self.depth), lambda: self._a(target, attrs))

    def _a(self, target: Link, attrs: dict[str, str]) -> Markup:
        extra = "".join(f' {k.rstrip("_")}="{html.escape(v)}"' for k, v in attrs.items())
        return Markup(f'<a href="{html.escape(self.href(target.path))}"{extra}>{self.text(target.name)}</a>')

    def items(self, items: tuple[Any, ...]) -> Markup:
        """A listing's lines, written in Python (a listing page has a hundred): only the item is a
        link; a cluster's sectors, specialisation (unless it only repeats a sector) and, where the
        list is not grouped by territory, its territory follow as plain text."""
        lines = []
        for item in items:
            line = f"<li>{self.a(item.link)}"
            if isinstance(item, ClusterItem):
                if item.territory is not None:
                    line += f" ({self.text(item.territory)})"
                if item.sectors:
                    line += " · " + ", ".join(str(self.text(s)) for s in item.sectors)
                if item.specialisation is not None and item.territory is None:
                    line += f" · {self.text(item.specialisation)}"
            elif item.place is not None:
                line += f" ({self.text(item.place)})"
            lines.append(line + "</li>")
        return Markup("\n".join(lines))

    def link_to(self, path: str, text: str | Title) -> Markup:
        """A link to the site path ``path`` with a text of the site's own (already in the page's language)."""
        shown = self.r.title(text, self.lang) if isinstance(text, Title) else text
        return Markup(f'<a href="{html.escape(self.href(path))}">{html.escape(shown, quote=False)}</a>')

    def asset_link(self, path: str, text: str) -> Markup:
        return Markup(f'<a href="{html.escape(self.asset(path))}">{html.escape(text, quote=False)}</a>')

    def links(self, targets: tuple[Link, ...] | list[Link], sep: str = ", ") -> Markup:
        return Markup(sep).join(self.a(t) for t in targets)

    # record text
    def pick(self, value: Txt) -> tuple[str, str]:
        return value.text.pick(self.lang, value.own)

    def text(self, value: Txt | None) -> Markup:
        """Record text as one line; in another language than the page's, inside its own ``lang``."""
        if value is None:
            return Markup("")
        text, lang = self.pick(value)
        escaped = html.escape(" ".join(text.split()), quote=False)
        return Markup(escaped if lang == self.lang else f'<span lang="{lang}">{escaped}</span>')

    def plain(self, value: Txt) -> str:
        return self.pick(value)[0]

    def _note(self, lang: str) -> str:
        names = {"en": self.cat.gettext("in English"), "es": self.cat.gettext("in Spanish"), "ca": self.cat.gettext("in Catalan")}
        return names[lang]

    def prose(self, value: Txt | None) -> Markup:
        """Record Markdown as a block; in another language, with its ``lang`` and a note saying which."""
        if value is None:
            return Markup("")
        text, lang = self.pick(value)
        body = self.r.block(text)
        if lang == self.lang:
            return Markup(f'<div class="kb-text">\n{body}\n</div>')
        note = html.escape(self.cat.gettext("Not yet translated; shown {language}:").format(language=self._note(lang)))
        return Markup(
            f'<div class="kb-text kb-foreign"><p class="kb-lang-note">{note}</p>\n<div lang="{lang}">\n{body}\n</div></div>'
        )

    def inline(self, value: Txt | None) -> Markup:
        """Record Markdown as one line; in another language, with its ``lang`` and a short note."""
        if value is None:
            return Markup("")
        text, lang = self.pick(value)
        body = self.r.inline(text)
        if lang == self.lang:
            return Markup(body)
        note = html.escape(f"({self._note(lang)})")
        return Markup(f'<span lang="{lang}">{body}</span> <small class="kb-lang-note">{note}</small>')

    # numbers, dates, figures, sources
    def num(self, value: int | float) -> str:
        return self.cat.number(value)

    def dates(self, start: date | None, end: date | None) -> str | None:
        return format_dates(start, end, self.lang)

    def partial_date(self, value: str) -> str:
        return format_partial_date(value, self.lang)

    def qualifier(self, value: str | None) -> str:
        return self.cat.gettext(value) if value else ""

    def figure(self, f: FigureView) -> Markup:
        """'more than 80 active cluster initiatives (2018)'."""
        parts = [html.escape(self.qualifier(f.qualifier)), html.escape(self.num(f.value))]
        if f.unit is not None:
            parts.append(str(self.text(f.unit)))
        parts.append(str(self.text(f.label)))
        out = " ".join(p for p in parts if p)
        if f.as_of:
            out += f" ({f.as_of})"
        return Markup(out)

    def source_link(self, c: Citation) -> Markup:
        """A short link to a source: '[source]' with the source's title as its tooltip."""
        word = html.escape(self.cat.gettext("source"))
        if c.url:
            return Markup(f'<a href="{html.escape(c.url)}" title="{html.escape(c.title)}" class="kb-source">{word}</a>')
        return Markup(f'<span class="kb-source">{word}: {self._title(c)}</span>')

    def _title(self, c: Citation) -> str:
        title = html.escape(c.title, quote=False)
        return f'<cite lang="{c.language}">{title}</cite>' if c.language and c.language != self.lang else f"<cite>{title}</cite>"

    def cite(self, c: Citation) -> Markup:
        """A full citation: title (linked), publisher, date."""
        title = self._title(c)
        out = f'<a href="{html.escape(c.url)}">{title}</a>' if c.url else title
        if c.publisher:
            out += f", {html.escape(c.publisher, quote=False)}"
        if c.date:
            out += f" ({html.escape(c.date)})"
        return Markup(out)

    # pictures: drawn for this page's language, each with the same figures as text
    def _clusters(self, count: int) -> str:
        return self.cat.ngettext("%(count)s cluster", "%(count)s clusters", count) % {"count": self.num(count)}

    def map(self, view: MapView) -> Markup:
        """The map of territories (inline SVG), then the same territories and editions as lists.

        On a territory's own page (``view.current``) the text says where that territory is among
        the others and leads to the territories page for the whole list, so a page does not repeat
        every territory."""
        points = []
        for t in view.territories:
            name = self.plain(t.link.name)
            label = f"{name}: {self._clusters(t.clusters)}"
            points.append(
                charts.MapPoint(t.key, name, self.href(t.link.path), t.clusters, self.num(t.clusters), t.lat, t.lon, label)
            )
        names = {t.key: self.plain(t.link.name) for t in view.territories}
        links = [
            charts.MapLink(
                e.host,
                e.invited,
                self.cat.gettext("%(edition)s: %(host)s invited %(invited)s")
                % {
                    "edition": self.plain(e.link.name),
                    "host": names.get(e.host, e.host),
                    "invited": names.get(e.invited, e.invited),
                },
                self.href(e.link.path),
            )
            for e in view.editions
            if e.host in names and e.invited in names
        ]
        result = charts.territory_map(
            points,
            links,
            title=self.cat.gettext("Map of the territories"),
            desc=self.cat.gettext(
                "Each circle is a territory, sized by the clusters based there; lines join the host and the invited "
                "territories of each edition. The same information follows as lists."
            ),
            current=view.current,
            insets={"europe": self.cat.gettext("Europe"), "colombia": self.cat.gettext("Colombia")},
        )
        if view.current is not None:
            current = next((e for e in result.entries if e.current), None)
            where = self.cat.gettext("%(name)s is highlighted on the map (a dashed ring), among %(count)s territories.") % {
                "name": html.escape(current.name if current else ""),
                "count": self.num(len(result.entries)),
            }
            if current is not None and not current.drawn:
                where = html.escape(
                    self.cat.gettext("%(name)s is not on the map yet: it has no coordinates.") % {"name": current.name}
                )
            whole = self.cat.gettext("Every territory and edition of the map is listed on the %(page)s page.") % {
                "page": f'<a href="{html.escape(self.href("territories/"))}">{html.escape(self.cat.gettext("Territories"))}</a>'
            }
            return Markup(f'<figure class="kb-map">{result.svg}</figure>\n<p class="kb-map-note">{where} {whole}</p>')
        items = "".join(
            f'<li><a href="{html.escape(e.href)}">{html.escape(e.name)}</a>: {html.escape(self._clusters(p.count))}'
            f"{' — ' + html.escape(self.cat.gettext('not on the map (no coordinates yet)')) if not e.drawn else ''}</li>"
            for e, p in zip(result.entries, points, strict=True)
        )
        editions = "".join(
            f'<li><a href="{html.escape(e.href)}">{html.escape(e.label)}</a></li>'
            if e.href
            else f"<li>{html.escape(e.label)}</li>"
            for e in result.links
        )
        summary = html.escape(self.cat.gettext("The map as lists: territories and editions"))
        return Markup(
            f'<figure class="kb-map">{result.svg}</figure>\n<details class="kb-map-list"><summary>{summary}</summary>'
            f"<ul>{items}</ul><ul>{editions}</ul></details>"
        )

    def _bars(self, bars: tuple[BarView, ...]) -> list[charts.Bar]:
        return [charts.Bar(self.plain(b.link.name), b.value, self.num(b.value), self.href(b.link.path)) for b in bars]

    def sector_chart(self, bars: tuple[BarView, ...]) -> Markup:
        rows = self._bars(bars)
        title = self.cat.gettext("Clusters per sector")
        chart = charts.bar_chart(
            rows, title=title, desc=self.cat.gettext("The number of clusters in each sector, the most first.")
        )
        table = charts.figures_table(title, (self.cat.gettext("Sector"), self.cat.gettext("Clusters")), chart.rows)
        return Markup(f'<figure class="kb-chart">{chart.svg}</figure>\n<div class="kb-chart-table">{table}</div>')

    def territory_chart(self, chart: TerritoryChart, name: Txt) -> Markup:
        own_name = self.cat.gettext("%(name)s itself") % {"name": self.plain(name)}
        own = charts.Bar(own_name, chart.own, self.num(chart.own))
        title = self.cat.gettext("Clusters in %(name)s and its sub-territories") % {"name": self.plain(name)}
        drawn = charts.territory_chart(
            own,
            self._bars(chart.parts),
            title=title,
            desc=self.cat.gettext("The clusters based in the territory itself, then in each of its sub-territories."),
        )
        headers = (self.cat.gettext("Territory"), self.cat.gettext("Clusters"))
        table = charts.figures_table(title, headers, drawn.rows)
        return Markup(f'<figure class="kb-chart">{drawn.svg}</figure>\n<div class="kb-chart-table">{table}</div>')

    def timeline(self, items: tuple[tuple[Link, int | None, Link, tuple[Link, ...]], ...]) -> Markup:
        entries = []
        for edition, year, host, invited in items:
            label = self.cat.gettext("%(edition)s: %(host)s invited %(invited)s") % {
                "edition": self.plain(edition.name),
                "host": self.plain(host.name),
                "invited": ", ".join(self.plain(i.name) for i in invited),
            }
            entries.append(charts.TimelineItem(self.plain(edition.name), self.href(edition.path), year, label))
        drawn = charts.timeline(
            entries,
            title=self.cat.gettext("The editions on a timeline"),
            desc=self.cat.gettext("Each edition at its year; an edition whose year no source gives is listed apart."),
        )
        undated = ""
        if drawn.undated:
            words = html.escape(self.cat.gettext("Year not known:"))
            links = ", ".join(f'<a href="{html.escape(e.href)}">{html.escape(e.name)}</a>' for e in drawn.undated)
            undated = f'<p class="kb-undated">{words} {links}</p>'
        return Markup(f'<figure class="kb-chart kb-timeline">{drawn.svg}</figure>{undated}')

    # matchmaking: the reasons a pair should meet, and why a cluster has fewer meetings
    def _names(self, links: tuple[Link, ...], more: int = 0) -> str:
        names = [str(self.a(link)) for link in links]
        if more:
            return self.cat.ngettext("%(list)s and %(count)s more", "%(list)s and %(count)s more", more) % {
                "list": ", ".join(names),
                "count": self.num(more),
            }
        if len(names) <= 1:
            return "".join(names)
        return self.cat.gettext("%(list)s and %(last)s") % {"list": ", ".join(names[:-1]), "last": names[-1]}

    def reason(self, r: ReasonView) -> Markup:
        names = self._names(r.links)
        if r.code == mm.SHARED_SECTORS:
            text = self.cat.gettext("both in %(sectors)s") % {"sectors": names}
        elif r.code == mm.SHARED_PRINCIPLES:
            text = self.cat.gettext("both practise %(principles)s") % {"principles": names}
        elif r.code == mm.COMPLEMENTARY:
            text = self.cat.gettext("complementary sectors: %(sectors)s") % {"sectors": names}
        elif r.code == mm.COOPERATED:
            text = self.cat.gettext("already cooperated (a follow-up of %(editions)s)") % {"editions": names}
        elif r.code == mm.NO_CLUSTERS:
            text = self.cat.gettext("no cluster is based in %(territories)s or its sub-territories yet") % {"territories": names}
        elif r.code == mm.NO_AFFINITY:
            host, invited = str(self.a(r.links[0])) if r.links else "", self._names(r.links[1:])
            text = self.cat.gettext(
                "no cluster of %(host)s shares a sector, a decalogue element or a complementary sector with a cluster of "
                "%(invited)s"
            ) % {"host": host, "invited": invited}
        else:
            raise ValueError(f"unknown reason {r.code!r}")
        return Markup(text)

    def leads(self, leads: tuple[LeadView, ...]) -> Markup:
        """A cluster's cooperation leads, one line each, written in Python (every cluster page has
        eight, in three languages)."""
        lines = (f"<li>{self.a(lead.cluster)} ({self.text(lead.territory)}): {self.reasons(lead.reasons)}</li>" for lead in leads)
        return Markup("\n".join(lines))

    def reasons(self, reasons: tuple[ReasonView, ...]) -> Markup:
        return Markup("; ").join(self.r.shared((r, self.lang, self.depth), lambda r=r: self.reason(r)) for r in reasons)

    def shortfall(self, s: ShortView, per_cluster: int) -> Markup:
        names = self._names(s.clusters, s.more)
        if s.code == mm.EMPTY_SIDE:
            text = self.cat.gettext("no cluster is based on the other side")
        elif s.code == mm.NO_CANDIDATES:
            text = self.cat.gettext(
                "no cluster on the other side shares a sector, a decalogue element or a complementary sector with it"
            )
        elif s.code == mm.ONLY_COOPERATED:
            text = self.cat.gettext(
                "the only clusters on the other side that share something with it (%(clusters)s) already cooperated with it"
            ) % {"clusters": names}
        elif s.code == mm.MET_ALL:
            text = self.cat.ngettext(
                "only %(count)s cluster on the other side shares something with it, and it meets it",
                "only %(count)s clusters on the other side share something with it, and it meets all of them",
                s.candidates,
            ) % {"count": self.num(s.candidates)}
        elif s.code == mm.OTHERS_FULL:
            text = self.cat.ngettext(
                "the others that share something with it (%(clusters)s) already have %(count)s meeting each",
                "the others that share something with it (%(clusters)s) already have %(count)s meetings each",
                per_cluster,
            ) % {"clusters": names, "count": self.num(per_cluster)}
        else:
            raise ValueError(f"unknown shortfall {s.code!r}")
        return Markup(text)

    def t(self, message: str, **values: Any) -> str:
        """A message of the site with values filled in (``{name}`` style)."""
        return self.cat.gettext(message).format(**values)

    def kind_word(self, kind: str) -> str:
        """A territory's or a session's kind, in the page's language."""
        return self.cat.gettext(_KIND_WORDS.get(kind, kind))


_KIND_WORDS: dict[str, str] = {
    # Territory kinds and session kinds, as they show on pages (msgids for the translators).
    "country": N_("country"),
    "region": N_("region"),
    "city": N_("city"),
    "cross-border": N_("cross-border region"),
    "track": N_("track"),
    "meetings": N_("meetings"),
    "tour": N_("tour"),
    "training": N_("training"),
    "session": N_("session"),
    "visit": N_("visit"),
    "opening": N_("opening"),
}

MESSAGES = (
    # Words the pages translate from data: the qualifiers of figures and the EU's ecosystems.
    N_("more than"),
    N_("at least"),
    N_("about"),
    N_("up to"),
    N_("fewer than"),
    N_("Aerospace & defence"),
    N_("Agri-food"),
    N_("Construction"),
    N_("Cultural and creative industries"),
    N_("Digital"),
    N_("Electronics"),
    N_("Energy-intensive industries"),
    N_("Energy-renewables"),
    N_("Health"),
    N_("Mobility-Transport-Automotive"),
    N_("Proximity, social economy and civil security"),
    N_("Retail"),
    N_("Textiles"),
    N_("Tourism"),
    # The site's name and description in mkdocs.yml, as the theme shows them.
    N_("Cluster best practices"),
    N_("A knowledge base of cluster best practices from ACCIÓ's International Intercluster Meeting."),
)
"""Messages whose English text comes from data or configuration; listed so that they are extracted."""

Render = Callable[[PageSpec, Any, str], RenderedPage]
