"""The MkDocs adapter: the core's pages, in three languages, themed by mkdocs-material.

``plugins: [cluster-kb]`` in ``mkdocs.yml`` (options below). The plugin is a thin caller of the core
(:class:`~cluster_kb.site.content.SiteContent`); MkDocs contributes the theme, the navigation and
the build, nothing else:

* ``on_config`` loads and validates the knowledge base; invalid content logs every
  ``path:line:col: error:`` line and aborts before MkDocs touches the site folder (in ``mkdocs
  serve`` the preview keeps the last good content and every page shows the problems instead);
* ``on_files`` adds each generated page in each language as a :class:`GeneratedPage`, whose HTML
  and table of contents come from the core when MkDocs renders it (no Markdown pass), the open-data
  files, and a page for each hand-written page that lacks a translation;
* ``on_nav`` builds each language's navigation: home, the kinds' sections, the hand-written pages;
* ``on_page_context`` gives the theme the page's language (its own words, the site name), its
  navigation, and the same page in the other languages (switcher, ``hreflang``);
* ``on_post_page`` keeps a slim copy of each indexed page for Pagefind, which stems Spanish and
  Catalan and folds accents: one bundle per language, indexed in parts while the build writes
  the next pages, the last parts in ``on_post_build`` (``search_index.py``);
* ``on_serve`` watches the content folder, so the preview reloads when a record changes.

Under ``mkdocs serve --dirty`` the plugin lives across rebuilds (it has ``on_startup``), marks a
generated page modified only when its view changed, and removes the pages of deleted records.
"""

from __future__ import annotations

import gc
import hashlib
import html
import itertools
import re
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import Abort, PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from ..knowledge import KnowledgeBase
from ..knowledge import matchmaking as mm
from ..outputs.export import export_files
from ..records.load import LoadCache, read_records
from ..records.problems import Problem, format_problem, summary_line
from ..records.text import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES
from .content import SiteContent
from .html import RenderedPage, Renderer
from .l10n import catalogue
from .search_index import PART_PAGES, SearchCopies, SearchError
from .template_cache import template_cache
from .urls import in_language, src_uri
from .views import PageSpec

__all__ = ["ClusterKbPlugin", "GeneratedPage"]

log = get_plugin_logger(__name__)

THEME_DIR = Path(__file__).parent / "theme"
"""Templates the plugin adds to the theme: the page frame, the language switcher, the sitemap."""

ASSETS_DIR = Path(__file__).parent / "assets"
ASSETS_PREFIX = "assets/cluster-kb/"

SEARCH_PAGE = "search/"


_RELATIVE_LINK = re.compile(r"(\]\()(?![a-z][a-z0-9+.-]*:|#|/)")
"""The start of a Markdown link to a relative address (not ``https:``, ``mailto:``, ``#x`` or ``/x``)."""


class _Config(base.Config):
    enabled = c.Type(bool, default=True)
    """Turn the plugin off (the site then has only the hand-written pages)."""
    content_dir = c.Type(str, default="content")
    """The knowledge base folder, relative to mkdocs.yml."""
    search = c.Type(bool, default=True)
    """Index the built site with Pagefind (one index per language)."""
    search_part_pages = c.Type(int, default=PART_PAGES)
    """The most pages one Pagefind run indexes: a language with more is indexed in parts that its
    search page merges, which caps the indexer's memory (see ``search_index.py``)."""
    repository = c.Optional(c.Type(str))
    """The repository's address (https://github.com/owner/name): the Contribute page links into it."""
    languages = c.Type(list, default=list(LANGUAGES))
    """The languages to build, English first (a quicker preview of one language: ``[en]``)."""
    leads = c.Type(bool, default=True)
    """Show cooperation leads on cluster pages (off only to measure what they cost)."""
    theme_cache = c.Type(bool, default=True)
    """Render the theme's page-independent parts (navigation, footer, scripts) once per language and
    folder instead of once per page; the site is byte for byte the same either way."""


class GeneratedPage(Page):
    """A page the core renders: MkDocs reads no Markdown for it and applies only the theme."""

    def __init__(self, file: File, config: Any, site: SiteContent, spec: PageSpec, lang: str) -> None:
        super().__init__(None, file, config)
        self.site = site
        self.spec = spec
        self.lang = lang

    def read_source(self, config: Any) -> None:
        self.markdown = ""
        title = self.site.renderer.title(self.spec.title, self.lang)
        self.meta = {"title": html.escape(title, quote=False)}
        if not self.spec.search:
            self.meta["search"] = {"exclude": True}

    def render(self, config: Any, files: Files) -> None:
        """Nothing to convert: the page's HTML is produced when MkDocs builds the page (:meth:`fill`),
        so 10,000 pages in three languages are never held in memory at once."""
        self.content = ""
        self.toc = get_toc([])
        self.links_to_anchors = {}

    def fill(self) -> None:
        """The page's HTML and table of contents, from the core, just before the theme is applied."""
        rendered: RenderedPage = self.site.render(self.spec, self.lang)
        self.content = rendered.content
        self.toc = get_toc([entry.token() for entry in rendered.toc])
        self.present_anchor_ids = rendered.anchors

    def release(self) -> None:
        """Written: keep only what MkDocs checks afterwards (the anchors)."""
        self.content = None
        self.toc = get_toc([])


class _LocalTheme:
    """The theme as one language sees it: material reads ``config.theme.language`` for its own words."""

    def __init__(self, theme: Any, lang: str) -> None:
        self._theme = theme
        self._lang = lang

    def __getattr__(self, name: str) -> Any:
        return self._lang if name == "language" else getattr(self._theme, name)

    def __getitem__(self, key: str) -> Any:
        return self._lang if key == "language" else self._theme[key]

    def __contains__(self, key: str) -> bool:
        return key in self._theme


class _LocalConfig:
    """The configuration as one page sees it: site name and description in its language, its alternates."""

    def __init__(self, config: Any, overrides: dict[str, Any]) -> None:
        self._config = config
        self._overrides = overrides

    def __getattr__(self, name: str) -> Any:
        return self._overrides[name] if name in self._overrides else getattr(self._config, name)

    def __getitem__(self, key: str) -> Any:
        return self._overrides[key] if key in self._overrides else self._config[key]

    def __contains__(self, key: str) -> bool:
        return key in self._overrides or key in self._config

    def get(self, key: str, default: Any = None) -> Any:
        return self._overrides.get(key, self._config.get(key, default))


def page_language(src: str) -> str:
    first = src.split("/", 1)[0]
    return first if first in LANGUAGES and first != DEFAULT_LANGUAGE else DEFAULT_LANGUAGE


def _neutral(src: str) -> str:
    """``es/about.md`` -> ``about.md``."""
    lang = page_language(src)
    return src[len(lang) + 1 :] if lang != DEFAULT_LANGUAGE else src


class ClusterKbPlugin(BasePlugin[_Config]):
    """Adds the knowledge base's pages, in every language, to a MkDocs build."""

    def __init__(self) -> None:
        super().__init__()
        self.kb: KnowledgeBase | None = None
        self.site: SiteContent | None = None
        self.content_dir: Path | None = None
        self.problems: list[Problem] = []
        self.is_dirty = False
        self.command: str | None = None
        self._preloaded: tuple[Path, KnowledgeBase] | None = None
        self._navs: dict[str, Navigation] = {}
        self._fallbacks: set[str] = set()
        self._digests: dict[str, int | str] = {}
        self._pending: dict[str, int | str] = {}
        self._search_thread: threading.Thread | None = None
        self._search_copies = SearchCopies()
        self._indexed: dict[str, str] = {}  # every page's path in the site -> its language
        self._late_data = False
        self._renderer: Renderer | None = None
        self._bytecode = _MemoryBytecodeCache()
        self._load_cache = LoadCache()
        self._fragments: dict[tuple[Any, ...], str] = {}
        self.data_files: Callable[[KnowledgeBase], dict[str, bytes]] = export_files
        """Non-page files to publish, by path (``data/knowledge-base.json``...): the open-data seam."""

    def use_knowledge_base(self, content_dir: Path, kb: KnowledgeBase) -> None:
        """Build from an already validated knowledge base (``cluster-kb build`` validates first)."""
        self._preloaded = (content_dir.resolve(), kb)

    # Having on_startup keeps this instance across `mkdocs serve` rebuilds (MkDocs >= 1.4).
    # MkDocs keeps such an instance for the whole process (tests build several sites in one), so
    # every command starts from a clean state here.
    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command
        self.is_dirty = dirty
        self.kb = None
        self.site = None
        self.problems = []
        self._digests = {}
        self._pending = {}
        self._load_cache = LoadCache()
        self._search_copies.close()

    @property
    def serving(self) -> bool:
        return self.command == "serve"

    # -- configuration: the knowledge base ----------------------------------------------------------

    def on_config(self, config: Any) -> Any:
        if not self.config.enabled:
            return config
        if "search" in config.plugins or "material/search" in config.plugins:
            raise PluginError(
                "cluster-kb: remove the 'search' plugin from mkdocs.yml; the site is searched with Pagefind, "
                "one index per language"
            )
        if self.config.search_part_pages < 1:
            raise PluginError(f"cluster-kb: search_part_pages must be at least 1, not {self.config.search_part_pages}")
        root = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
        self.content_dir = (root / self.config.content_dir).resolve()
        position = 1 if config.theme.custom_dir else 0
        if str(THEME_DIR) not in config.theme.dirs:
            config.theme.dirs.insert(position, str(THEME_DIR))
        if self._preloaded and self._preloaded[0] == self.content_dir:
            self.kb, self.problems = self._preloaded[1], []
            return config
        records, problems, _ = read_records(self.content_dir, cache=self._load_cache if self.serving else None)
        if problems:
            for problem in sorted(problems):
                log.error(format_problem(problem))
            if not self.serving:
                raise Abort(f"{summary_line(problems)}; the site was not built")
            # The preview keeps the last good knowledge base and shows the problems on every page.
            self.problems = sorted(problems)
            self._digests = {}  # every page shows the problems: rebuild them all
            if self.kb is None:
                self.kb = KnowledgeBase(self.content_dir)
            return config
        if self.problems:
            self._digests = {}  # the problems are fixed: every page drops them
        self.problems = []
        previous, self.kb = self.kb, KnowledgeBase.from_records(self.content_dir, records)
        if self.serving and previous is not None and mm.profile_key(previous) == mm.profile_key(self.kb):
            # An edit that changes no name, sector, principle or link between records (most text
            # edits) changes no cooperation lead or meeting plan: the preview keeps them, and the
            # leads as pages show them (names and links only).
            for key in ("leads", "plans", "lead-views"):
                if key in previous.derived:
                    self.kb.derived[key] = previous.derived[key]
        return config

    # -- files: every generated page in every language ------------------------------------------------

    def on_files(self, files: Files, *, config: Any) -> Files:
        if not self.config.enabled:
            return files
        assert self.kb is not None
        home = files.get_file_from_path("index.md") is None
        try:
            self._renderer = self._renderer or Renderer()  # templates compiled once per session
            self.site = SiteContent(
                self.kb,
                home=home,
                renderer=self._renderer,
                repo_url=self.config.repository or config.repo_url,
                leads=self.config.leads,
                languages=tuple(self.config.languages),
                data_files=self.data_files,
            )
        except ValueError as exc:
            raise PluginError(f"cluster-kb: languages: {exc}") from None
        self._pending = {}
        digests: dict[str, int | str] = {}  # a view is the same in every language: fingerprint it once
        for file in list(files.documentation_pages()):
            if page_language(file.src_uri) != DEFAULT_LANGUAGE:
                file.inclusion = InclusionLevel.NOT_IN_NAV
        for spec, lang in self.site.pages():
            uri = src_uri(in_language(spec.path, lang))
            if files.get_file_from_path(uri) is not None:
                log.warning(f"docs/{uri} replaces the page the knowledge base would generate there")
                continue
            file = _GeneratedFile.generated(config, uri, content="", inclusion=InclusionLevel.NOT_IN_NAV)
            GeneratedPage(file, config, self.site, spec, lang)
            if self.is_dirty:
                digest = digests.get(spec.path)
                if digest is None:
                    digest = digests[spec.path] = self._digest(spec)
                self._pending[file.abs_dest_path] = digest
                # A page this session wrote with the same digest is still in the site: MkDocs serve
                # keeps its site folder, and a stat per page would cost more than the digest.
                file.modified = self._digests.get(file.abs_dest_path) != digest
            files.append(file)
        self._add_translations(files, config)
        if self.serving and self.is_dirty and self._digests:
            # A preview rebuild shows the edited page first; the data files follow with the search
            # index, a moment later (see on_post_build).
            self._late_data = True
        else:
            self._late_data = False
            for path, data in sorted(self.site.data_files().items()):
                files.append(File.generated(config, path, content=data))
        for asset in sorted(ASSETS_DIR.rglob("*")):
            if asset.is_file():
                uri = ASSETS_PREFIX + asset.relative_to(ASSETS_DIR).as_posix()
                files.append(File.generated(config, uri, abs_src_path=str(asset)))
        self._indexed = {}
        expected: Counter[str] = Counter()  # the pages each language hands the search index
        for file in files.documentation_pages():
            generated = file.page if isinstance(file.page, GeneratedPage) else None
            lang = generated.lang if generated else page_language(file.src_uri)
            self._indexed[file.dest_uri] = lang
            expected[lang] += generated is None or generated.spec.search  # a generated listing hands none
        if self.config.search and not self.serving and not self.is_dirty:
            # Every page is written by this build: index each part as soon as its pages are written.
            self._search_copies.stream(Path(config.site_dir), _pagefind(), self.config.search_part_pages, expected)
        return files

    def _digest(self, spec: PageSpec) -> int | str:
        """A fingerprint of what a page shows: its view, the same in every language. Views are frozen
        values, so their hash covers every field (compared only within one preview session); a view
        holding something unhashable is fingerprinted by its repr."""
        view = self.site.view(spec)  # type: ignore[union-attr]
        try:
            return hash((spec.template, spec.search, view, tuple(self.problems)))
        except TypeError:
            data = repr((spec.template, spec.title, spec.search, view, self.problems)).encode("utf-8")
            return hashlib.blake2b(data, digest_size=20).hexdigest()

    def _add_translations(self, files: Files, config: Any) -> None:
        """A page for each hand-written page that lacks a translation: its text, marked as English."""
        self._fallbacks = set()
        originals = [f for f in files.documentation_pages() if page_language(f.src_uri) == DEFAULT_LANGUAGE]
        for original in originals:
            if isinstance(original.page, GeneratedPage) or original.generated_by:
                continue
            for lang in self.site.languages[1:]:  # type: ignore[union-attr]
                uri = f"{lang}/{original.src_uri}"
                if files.get_file_from_path(uri) is None:
                    # One folder deeper: relative links to other files climb one more level.
                    text = _RELATIVE_LINK.sub(r"\1../", original.content_string)
                    files.append(File.generated(config, uri, content=text, inclusion=InclusionLevel.NOT_IN_NAV))
                    self._fallbacks.add(uri)

    # -- navigation: one per language ----------------------------------------------------------------

    @event_priority(-50)  # after other plugins have built their part of the nav
    def on_nav(self, nav: Navigation, *, config: Any, files: Files) -> Navigation:
        if not self.config.enabled or self.site is None:
            return nav
        hand_written = [page for page in nav.pages if not isinstance(page, GeneratedPage)]
        self._navs = {}
        for lang in self.site.languages:
            pages: list[Page] = []
            for entry in self.site.navigation(lang):
                file = files.get_file_from_path(src_uri(entry.path))
                if file is not None and file.page is not None:
                    file.page.title = html.escape(entry.title, quote=False)
                    pages.append(file.page)
            for page in hand_written:
                uri = page.file.src_uri if lang == DEFAULT_LANGUAGE else f"{lang}/{page.file.src_uri}"
                file = files.get_file_from_path(uri)
                if file is not None:
                    if file.page is None:
                        Page(None, file, config)
                    pages.append(file.page)  # type: ignore[arg-type]
            for entry in self.site.closing_navigation(lang):
                file = files.get_file_from_path(src_uri(entry.path))
                if file is not None and file.page is not None:
                    file.page.title = html.escape(entry.title, quote=False)
                    pages.append(file.page)
            for before, after in itertools.pairwise(pages):
                before.next_page, after.previous_page = after, before
            if pages:
                pages[0].previous_page = None
                pages[-1].next_page = None
            language_nav = Navigation(list(pages), pages)
            language_nav.homepage = pages[0] if pages else None
            self._navs[lang] = language_nav
        return self._navs[DEFAULT_LANGUAGE]

    # -- each page: its language -------------------------------------------------------------------------

    def on_page_content(self, html_text: str, *, page: Page, config: Any, files: Files) -> str:
        if page.file.src_uri in self._fallbacks:
            lang = page_language(page.file.src_uri)
            note = html.escape(catalogue(lang).gettext("Not yet translated; shown {language}:").format(
                language=catalogue(lang).gettext("in English")
            ))
            return f'<p class="kb-lang-note">{note}</p>\n<div lang="{DEFAULT_LANGUAGE}">\n{html_text}\n</div>'
        return html_text

    @event_priority(100)  # first: every other plugin sees the page's HTML
    def on_page_context(self, context: Any, *, page: Page, config: Any, nav: Navigation) -> Any:
        if not self.config.enabled:
            return context
        if isinstance(page, GeneratedPage):
            page.fill()
        lang = page.lang if isinstance(page, GeneratedPage) else page_language(page.file.src_uri)
        cat = catalogue(lang)
        neutral = page.spec.path if isinstance(page, GeneratedPage) else _neutral_path(page)
        site_url = (config.site_url or "").rstrip("/") + "/" if config.site_url else None
        alternates = []
        for other in self.site.languages if self.site else LANGUAGES:
            path = in_language(neutral, other)
            alternates.append(
                {
                    "lang": other,
                    "name": LANGUAGE_NAMES[other],
                    "link": (site_url + path) if site_url else path,
                    "href": _relative_url(path, page.url),
                    "current": other == lang,
                }
            )
        extra = dict(config.extra)
        extra["alternate"] = [{"name": a["name"], "link": a["link"], "lang": a["lang"]} for a in alternates]
        context["config"] = _LocalConfig(
            config,
            {
                "site_name": cat.gettext(config.site_name),
                "site_description": cat.gettext(config.site_description or "") or None,
                "theme": _LocalTheme(config.theme, lang),
                "extra": extra,
            },
        )
        context["nav"] = self._navs.get(lang, nav)
        excluded = (page.meta.get("search") or {}).get("exclude")
        search = not (isinstance(page, GeneratedPage) and not page.spec.search) and not excluded
        in_nav = page in context["nav"].pages
        # Links from a page are relative to its address: pages in one folder, at one depth, share them
        # (every link the theme writes leads to a section, a hand-written page or an asset).
        place = (page.url.rstrip("/").rpartition("/")[0], page.url.count("/"))
        store = self._fragments if self.config.theme_cache else None
        context["kb"] = _PageInfo(store, lang, place, page.url if in_nav else None)
        context["kb"].update(
            {
                "lang": lang,
                "alternates": alternates,
                "x_default": alternates[0]["link"],
                "search": search,
                "search_page": _relative_url(in_language(SEARCH_PAGE, lang), page.url),
                "search_label": cat.gettext("Search the knowledge base"),
                "search_placeholder": cat.gettext("Search"),
                "language_label": cat.gettext("Language"),
                "made_with": cat.gettext("Made with"),  # the theme's footer: "Made with Material for MkDocs"
                "problems": [format_problem(p, self.content_dir.parent if self.content_dir else None) for p in self.problems],
                "problems_title": cat.gettext("The content has problems; this preview shows the last valid version"),
            }
        )
        return context

    def on_env(self, env: Any, *, config: Any, files: Files) -> Any:
        if not self.config.enabled:
            return env
        site_url = (config.site_url or "").rstrip("/") + "/"

        def alternates(page: Page) -> list[dict[str, str]]:
            """The same page in every language, absolute (the sitemap's hreflang links; not in a preview)."""
            if self.serving:
                return []
            neutral = page.spec.path if isinstance(page, GeneratedPage) else _neutral_path(page)
            languages = self.site.languages if self.site else LANGUAGES
            found = [{"lang": lang, "link": site_url + in_language(neutral, lang)} for lang in languages]
            return [*found, {"lang": "x-default", "link": found[0]["link"]}]

        env.globals["kb_alternates"] = alternates
        self._fragments = {}  # the theme's parts are rendered anew for every build
        # MkDocs makes a new environment for every rebuild; the compiled templates stay the same, in
        # memory for the preview's rebuilds, on disk from one build to the next.
        env.bytecode_cache = self._bytecode if self.serving else template_cache(env)
        return env

    def on_post_page(self, output: str, *, page: Page, config: Any) -> str:
        if self.config.enabled and self.config.search:
            lang = page.lang if isinstance(page, GeneratedPage) else page_language(page.file.src_uri)
            self._search_copies.add(page.file.dest_uri, lang, output)
        if isinstance(page, GeneratedPage):
            page.release()
        return output

    # -- after the build: search, and the preview's housekeeping ------------------------------------------

    @event_priority(-100)
    def on_post_build(self, *, config: Any) -> None:
        if not self.config.enabled:
            return
        if self.is_dirty:
            self._remove_stale(Path(config.site_dir))
            self._digests = self._pending
        site_dir = Path(config.site_dir)
        if self.serving:
            # The preview shows the page first; the search index (and the data files of a rebuild)
            # follow a moment later.
            if self._search_thread is not None:
                self._search_thread.join()
            copies = self._search_copies if self.config.search else None
            if copies is not None:
                copies.settle(site_dir, self._indexed)
            data = self.site.data_files if self._late_data and self.site is not None else None
            self._search_thread = threading.Thread(
                target=_after_preview, args=(site_dir, data, copies, self.config.search_part_pages), daemon=True
            )
            self._search_thread.start()
        elif self.config.search:
            try:
                self._search_copies.settle(site_dir, self._indexed)
                _index(site_dir, self._search_copies, self.config.search_part_pages)
            finally:
                self._search_copies.close()

    def on_build_error(self, *, error: Exception) -> None:
        self._search_copies.close()  # stops the indexer and removes its unfinished bundles

    def _remove_stale(self, site_dir: Path) -> None:
        """Drop the pages of records deleted since the previous preview build."""
        for dest in sorted(set(self._digests) - set(self._pending)):
            path = Path(dest)
            if path.is_file():
                path.unlink()
                log.info(f"removed {path.relative_to(site_dir)}: its record is gone")

    def on_serve(self, server: Any, *, config: Any, builder: Any) -> Any:
        if self.config.enabled and self.content_dir is not None:
            server.watch(str(self.content_dir))
        return server

    def on_shutdown(self) -> None:
        if self._search_thread is not None:
            self._search_thread.join()
        self._search_copies.close()
        if self.serving:
            gc.unfreeze()  # what the preview froze is collected as usual again


class _PageInfo(dict[str, Any]):
    """What the theme's cluster-kb parts read for one page (``kb.lang``...), and ``kb.cached``."""

    def __init__(self, store: dict[tuple[Any, ...], str] | None, lang: str, place: tuple[str, int], nav_page: str | None) -> None:
        super().__init__()
        self._store = store
        self._key = (lang, *place)
        self._nav_page = nav_page

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def cached(self, name: str, nav: bool = False, *, caller: Callable[[], str]) -> str:
        """A part of the theme that depends only on the page's language and folder (its links are
        relative to the folder) and, with ``nav``, on which navigation entry is the current page:
        rendered for the first such page, reused for the others. Most pages are records outside the
        navigation, so at 10,000 clusters the theme renders its navigation a few dozen times instead
        of 30,000."""
        key = (name, *self._key, self._nav_page if nav else None)
        found = self._store.get(key) if self._store is not None else None
        if found is None:
            found = caller()
            if self._store is not None:
                self._store[key] = found
        return found


class _MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled theme templates kept in memory across the preview's rebuilds (jinja's own mechanism)."""

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._store.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()


class _GeneratedFile(File):
    """A generated page's file: in a dirty build, modified only when what the page shows changed."""

    modified: bool = True

    def is_modified(self) -> bool:
        return self.modified


def _neutral_path(page: Page) -> str:
    """A hand-written page's path without its language: ``es/about/`` -> ``about/``."""
    url = page.url
    lang = page_language(url)
    return url[len(lang) + 1 :] if lang != DEFAULT_LANGUAGE else url


def _relative_url(path: str, from_url: str) -> str:
    from .urls import relative

    return relative(path, from_url)


def _after_preview(
    site_dir: Path, data_files: Callable[[], dict[str, bytes]] | None, copies: SearchCopies | None, part_pages: int
) -> None:
    """What a preview rebuild leaves for later: the data files, the search index, then the garbage."""
    try:
        if data_files is not None:
            for path, data in data_files().items():
                target = site_dir / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
        if copies is not None:
            _index(site_dir, copies, part_pages)
    finally:
        _collect_garbage()


def _collect_garbage() -> None:
    """Free the previous builds' garbage while no one waits for the preview, and freeze the rest.

    Python's cycle collector scans every long-lived object once the long-lived ones have grown by a
    quarter, which each preview rebuild does (a new knowledge base, views and pages): at 1,000
    clusters such a collection took 0.6-0.9 s inside most rebuilds. Objects frozen here
    (:func:`gc.freeze`, Python's own means for this) are left out of the collector's scans, so a
    rebuild scans only what it makes. What a rebuild leaves behind is frozen with the rest until
    this runs after the next rebuild, so a preview holds at most two builds' objects.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _pagefind() -> str:
    from pagefind_bin import get_executable

    return str(get_executable())


def _index(site_dir: Path, copies: SearchCopies, part_pages: int) -> None:
    """Index the built site with Pagefind: one bundle per language (see search_index.py)."""
    try:
        copies.index(site_dir, _pagefind(), part_pages)
    except SearchError as exc:
        raise PluginError(f"cluster-kb: {exc}") from None
