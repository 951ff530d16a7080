"""The MkDocs plugin: the knowledge base's pages as generated files of a MkDocs build.

``plugins: [search, cluster-kb]`` in ``mkdocs.yml`` (option ``content_dir``, default ``content``,
relative to ``mkdocs.yml``). The plugin is a thin caller of the core:

* ``on_config`` loads and validates the knowledge base once per build; invalid content logs every
  ``path:line:col: error:`` line and aborts before MkDocs touches the site directory;
* ``on_files`` adds every page (:mod:`generator.pages`) with ``File.generated``; its Markdown is
  written when MkDocs first reads it; a hand-written ``docs/index.md`` replaces the generated home
  page;
* ``on_nav`` starts worker processes that convert a share of the generated pages (:mod:`.parallel`)
  on a machine with more than one core;
* ``on_page_context`` first gives a page a worker converted its content (when MkDocs deferred it
  to this point), then hands material's search only the parts of a generated page it indexes (the
  rest is marked ``data-search-exclude``), so it does not parse the whole page;
* ``on_post_build`` (after material's search plugin) adds an accent-folded field to the search
  index, so ``Bogota`` finds Bogotá;
* ``on_serve`` watches the content folder, so the preview reloads when a record changes.

Under ``mkdocs serve --dirty`` the plugin lives across rebuilds (it has ``on_startup``) and marks a
generated page modified only when what it shows changed, so MkDocs rebuilds just those pages.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import pickle
import re
import threading
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import Abort
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from .export import export_files
from .kb import KnowledgeBase, load_knowledge_base
from .pages import PageSpec, generate_pages, page_meta, render_page
from .parallel import ParallelPage, Pool, available_cores, can_fork
from .problems import ValidationFailed, format_problem, summary_line
from .render import Renderer

__all__ = ["ClusterKbPlugin", "fold"]

log = get_plugin_logger(__name__)

SEARCH_FIELD = "folded"
"""Extra search index field holding accent-free forms of a document's words."""

SEARCH_TEXT_LIMIT = 200
"""Characters of text a generated page's search entry keeps: every visitor downloads the index."""

GENERATED_SECTIONS = ("clusters/", "editions/", "decalogue/", "territories/", "sectors/")

PARALLEL_MIN_PAGES = 200
"""Below this many generated pages a build stays in one process (forking would not pay off)."""

MAX_JOBS = 4


class _Config(base.Config):
    enabled = c.Type(bool, default=True)
    """Turn the plugin off (the site then has only the hand-written pages)."""
    content_dir = c.Type(str, default="content")
    """The knowledge base folder, relative to mkdocs.yml."""
    jobs = c.Type(int, default=0)
    """Processes converting generated pages in ``mkdocs build``: 0 picks the available cores (at
    most 4, and 1 below 200 generated pages), 1 keeps the build in one process."""


class _GeneratedPage(File):
    """A generated page: its Markdown is written when first read, and it knows whether it changed
    since the previous (dirty) build."""

    modified: bool = True
    spec: PageSpec
    source: Callable[[_GeneratedPage], str]

    @property
    def content_string(self) -> str:
        if self._content is None:
            self._content = self.source(self)
        return str(self._content)

    @content_string.setter
    def content_string(self, value: str) -> None:
        self._content = value

    @property
    def content_bytes(self) -> bytes:
        return self.content_string.encode("utf-8")

    @content_bytes.setter
    def content_bytes(self, value: bytes) -> None:
        self._content = value.decode("utf-8")

    def is_modified(self) -> bool:
        return self.modified


# What material's search plugin skips (``data-search-exclude``) and removes from the page
# afterwards. Only whole elements are cut: a section from its heading to the next section, a
# paragraph, or a <div> with no <div> inside (record text); anything else is left to material.
_UNSEARCHED = re.compile(
    r"<h[1-6]\b[^>]*\sdata-search-exclude\b[^>]*>.*?(?=<h[1-6]\b[^>]*\sid=|\Z)"
    r"|<p\b[^>]*\sdata-search-exclude\b[^>]*>.*?</p>"
    r"|<div\b[^>]*\sdata-search-exclude\b[^>]*>(?:(?!<div\b).)*?</div>",
    re.S,
)


def searched_part(html: str) -> str:
    """The part of a page's HTML that material's search indexes (what it would skip is cut)."""
    return _UNSEARCHED.sub("", html)


_FOLD_EXTRA = str.maketrans(
    {"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D"}
)
_TAGS = re.compile(r"<[^>]*>")
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """``text`` without accents: 'Bogotá' -> 'Bogota', 'Müller' -> 'Muller'."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD_EXTRA))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def folded_words(*texts: str) -> str:
    """The words of ``texts`` whose folded form differs, folded, once each, in order."""
    seen: dict[str, None] = {}
    for text in texts:
        for word in _WORD.findall(_TAGS.sub(" ", text)):
            plain = fold(word)
            if plain != word:
                seen.setdefault(plain.lower(), None)
    return " ".join(seen)


class ClusterKbPlugin(BasePlugin[_Config]):
    """Adds a page per record, per listing and a home page, generated from the knowledge base."""

    def __init__(self) -> None:
        super().__init__()
        self.kb: KnowledgeBase | None = None
        self.content_dir: Path | None = None
        self.is_dirty = False
        self._preloaded: tuple[Path, KnowledgeBase] | None = None
        self._renderer: Renderer | None = None
        self._digests: dict[str, str] = {}
        self._pending: dict[str, str] = {}
        self.command: str | None = None
        self._pool: Pool | None = None
        self.data_files: Callable[[KnowledgeBase], dict[str, bytes]] = export_files
        """Non-page files to publish, by path (e.g. ``data/knowledge-base.json``): the open-data seam."""

    def use_knowledge_base(self, content_dir: Path, kb: KnowledgeBase) -> None:
        """Build from an already validated knowledge base (``cluster-kb build`` validates first)."""
        self._preloaded = (content_dir.resolve(), kb)

    # Having on_startup keeps this instance across `mkdocs serve` rebuilds (MkDocs >= 1.4).
    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.is_dirty = dirty
        self.command = command

    def on_config(self, config: Any) -> None:
        if not self.config.enabled:
            return
        root = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
        self.content_dir = (root / self.config.content_dir).resolve()
        if self._preloaded and self._preloaded[0] == self.content_dir:
            self.kb = self._preloaded[1]
            return
        try:
            self.kb = load_knowledge_base(self.content_dir)
        except ValidationFailed as failed:
            for problem in failed.problems:
                log.error(format_problem(problem))
            raise Abort(f"{summary_line(failed.problems)}; the site was not built") from None

    def on_files(self, files: Files, *, config: Any) -> Files | None:
        if not self.config.enabled:
            return None
        assert self.kb is not None
        self._renderer = self._renderer or Renderer()
        self._close_pool()
        home_page = files.get_file_from_path("index.md") is None
        self._pending = {}
        in_nav = set(_nav_paths(config.nav))
        for spec in generate_pages(self.kb, home_page=home_page):
            if files.get_file_from_path(spec.src_uri) is not None:
                log.warning(f"docs/{spec.src_uri} replaces the page the knowledge base would generate there")
                continue
            page = _GeneratedPage.generated(config, spec.src_uri, content="")
            page._content = None  # written on first read (by this process or a worker)
            page.spec, page.source = spec, self._markdown
            if spec.src_uri not in in_nav:  # the nav makes its own pages, with their titles
                ParallelPage(None, page, config)
            if self.is_dirty:
                # A dirty rebuild compares what every page shows with the previous build, and
                # writes Markdown only for the pages that changed.
                digest = _digest(spec, self._renderer)
                self._pending[spec.src_uri] = digest
                page.modified = self._digests.get(spec.src_uri) != digest or not os.path.isfile(page.abs_dest_path)
            files.append(page)
        for path, data in sorted(self.data_files(self.kb).items()):
            files.append(File.generated(config, path, content=data))
        return files

    def _markdown(self, file: _GeneratedPage) -> str:
        result = self._pool.result(file.src_uri) if self._pool is not None else None
        if result is not None and result.source is not None:
            return result.source
        assert self._renderer is not None
        return render_page(self._renderer, file.spec)

    def jobs(self, pages: int) -> int:
        """How many processes convert the generated pages in this build."""
        if self.command not in (None, "build", "gh-deploy") or self.is_dirty or not can_fork():
            return 1
        if threading.active_count() > 1:
            return 1  # forking a process that runs threads can leave a worker stuck on their locks
        if self.config.jobs > 0:
            return self.config.jobs
        return min(available_cores(), MAX_JOBS) if pages >= PARALLEL_MIN_PAGES else 1

    @event_priority(-100)  # every plugin has added its files and built its part of the nav
    def on_nav(self, nav: Any, *, config: Any, files: Files) -> Any:
        if not self.config.enabled:
            return nav
        # Pages outside the nav (records, listing pages) are read only after this event.
        pages = [f for f in files.documentation_pages() if isinstance(f.page, ParallelPage)]
        jobs = self.jobs(len(pages))
        if jobs > 1:
            defer = not self._pages_seen_by_others(config)
            self._pool = Pool(config, files, pages, jobs, defer=defer, metadata=self._metadata)
            for file in pages:
                file.page.pool = self._pool  # type: ignore[union-attr]
            self._pool.start()
        return nav

    def _pages_seen_by_others(self, config: Any) -> bool:
        """Whether another plugin looks at pages between MkDocs reading and building them."""
        events = ("pre_page", "page_read_source", "page_markdown", "page_content", "env")
        return any(getattr(method, "__self__", None) is not self for event in events for method in config.plugins.events[event])

    @staticmethod
    def _metadata(file: File) -> dict[str, Any]:
        """A generated page's metadata: what MkDocs reads from its front matter."""
        return page_meta(file.spec)  # type: ignore[attr-defined]

    def on_env(self, env: Any, *, config: Any, files: Files) -> Any:
        if self._pool is not None and not self._pool.defer:
            self._close_pool()  # every page has been read and converted
        return env

    def on_build_error(self, *, error: Exception) -> None:
        self._close_pool()

    def _close_pool(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    @event_priority(100)  # first: every plugin sees the page converted
    def _resolve_page(self, context: Any, *, page: Page, config: Any, nav: Any) -> Any:
        if isinstance(page, ParallelPage):
            page.resolve()
        return context

    @event_priority(50)  # before material's search plugin indexes the page
    def _index_page(self, context: Any, *, page: Page, config: Any, nav: Any) -> Any:
        """Index a generated page from the part material's search keeps, not from the whole page.

        Material's parser would read every element of the page only to skip those marked
        ``data-search-exclude``; it gets a copy of the page with those cut, and the page itself is
        marked excluded so material does not index it twice. Its content is left whole.
        """
        if not self.config.enabled or not isinstance(page.file, _GeneratedPage) or not page.content:
            return context
        index = getattr(config.plugins.get("material/search"), "search_index", None)
        if not callable(getattr(index, "add_entry_from_context", None)):
            return context  # not material's search plugin: it indexes the page its own way
        search = page.meta.get("search") or {}
        if search.get("exclude"):
            return context
        view = copy.copy(page)
        view.content = searched_part(page.content)
        index.add_entry_from_context(view)
        page.meta = {**page.meta, "search": {**search, "exclude": True}}
        return context

    on_page_context = CombinedEvent(_resolve_page, _index_page)


    def on_serve(self, server: Any, *, config: Any, builder: Any) -> Any:
        if not self.config.enabled:
            return server
        if self.content_dir is not None:
            server.watch(str(self.content_dir))
        return server

    @event_priority(-100)  # after material's search plugin has written its index
    def on_post_build(self, *, config: Any) -> None:
        self._close_pool()
        if not self.config.enabled:
            return
        if self.is_dirty:
            self._digests = self._pending
        index = Path(config.site_dir) / "search" / "search_index.json"
        if index.is_file():
            index.write_text(fold_search_index(index.read_text(encoding="utf-8")), encoding="utf-8")


def _digest(spec: PageSpec, renderer: Renderer) -> str:
    """A fingerprint of everything a generated page's Markdown is written from."""
    spec.context = values = spec.values()  # built once: the page may be written next
    try:
        data = pickle.dumps((spec.template, spec.title, spec.search, values), protocol=5)
    except (pickle.PicklingError, TypeError, AttributeError):  # values are plain data; if not, the text
        data = render_page(renderer, spec).encode()
    return hashlib.sha256(data).hexdigest()


def _nav_paths(nav: Any) -> list[str]:
    """The page paths named in a ``nav`` setting (nested lists of titles and paths)."""
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, dict):
        return [path for value in nav.values() for path in _nav_paths(value)]
    if isinstance(nav, list):
        return [path for item in nav for path in _nav_paths(item)]
    return []


def shorten(html: str, limit: int = SEARCH_TEXT_LIMIT) -> str:
    """A search entry's text as one paragraph of at most ``limit`` characters, cut between words."""
    plain = " ".join(_TAGS.sub(" ", html).split())
    if len(plain) <= limit:
        return f"<p>{plain}</p>" if plain else ""
    cut = plain[: limit + 1].rsplit(" ", 1)[0]
    amp = cut.rfind("&")
    if amp > cut.rfind(";"):
        cut = cut[:amp].rstrip()  # never end inside a character reference
    return f"<p>{cut} …</p>"


def fold_search_index(text: str, limit: int = SEARCH_TEXT_LIMIT) -> str:
    """Material's search index, made smaller and accent-insensitive.

    Entries of generated pages keep at most ``limit`` characters of text (the intro: name,
    territory, sectors, the start of the summary); every entry gets the accent-free forms of its
    words in a search field, so ``Bogota`` finds Bogotá. Entries repeated by a dirty rebuild are
    kept once (the last wins).
    """
    data = json.loads(text)
    docs: dict[str, dict[str, Any]] = {}
    for doc in data.get("docs", []):
        docs.pop(doc["location"], None)
        docs[doc["location"]] = doc
    for doc in docs.values():
        if doc["location"].startswith(GENERATED_SECTIONS):
            doc["text"] = shorten(doc.get("text", ""), limit)
        words = folded_words(doc.get("title", ""), doc.get("text", ""))
        if words:
            doc[SEARCH_FIELD] = words
        else:
            doc.pop(SEARCH_FIELD, None)
    data["docs"] = list(docs.values())
    fields = data.setdefault("config", {}).setdefault("fields", {})
    fields.setdefault(SEARCH_FIELD, {"boost": 100.0})
    return json.dumps(data, separators=(",", ":"), sort_keys=False)
