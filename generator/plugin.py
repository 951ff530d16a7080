"""The MkDocs plugin: the knowledge base's pages as generated files of a MkDocs build.

``plugins: [search, cluster-kb]`` in ``mkdocs.yml`` (option ``content_dir``, default ``content``,
relative to ``mkdocs.yml``). The plugin is a thin caller of the core:

* ``on_config`` loads and validates the knowledge base once per build; invalid content logs every
  ``path:line:col: error:`` line and aborts before MkDocs touches the site directory;
* ``on_files`` renders every page (:mod:`generator.pages`) and adds it with ``File.generated``;
  a hand-written ``docs/index.md`` replaces the generated home page;
* ``on_post_build`` (after material's search plugin) adds an accent-folded field to the search
  index, so ``Bogota`` finds Bogotá;
* ``on_serve`` watches the content folder, so the preview reloads when a record changes.

Under ``mkdocs serve --dirty`` the plugin lives across rebuilds (it has ``on_startup``) and marks a
generated page modified only when its Markdown changed, so MkDocs rebuilds just those pages.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import Abort
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files

from .export import export_files
from .kb import KnowledgeBase, load_knowledge_base
from .pages import generate_pages, render_page
from .problems import ValidationFailed, format_problem, summary_line
from .render import Renderer

__all__ = ["ClusterKbPlugin", "fold"]

log = get_plugin_logger(__name__)

SEARCH_FIELD = "folded"
"""Extra search index field holding accent-free forms of a document's words."""

SEARCH_TEXT_LIMIT = 200
"""Characters of text a generated page's search entry keeps: every visitor downloads the index."""

GENERATED_SECTIONS = ("clusters/", "editions/", "decalogue/", "territories/", "sectors/")


class _Config(base.Config):
    enabled = c.Type(bool, default=True)
    """Turn the plugin off (the site then has only the hand-written pages)."""
    content_dir = c.Type(str, default="content")
    """The knowledge base folder, relative to mkdocs.yml."""


class _GeneratedPage(File):
    """A generated page that knows whether it changed since the previous (dirty) build."""

    modified: bool = True

    def is_modified(self) -> bool:
        return self.modified


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
        self.data_files: Callable[[KnowledgeBase], dict[str, bytes]] = export_files
        """Non-page files to publish, by path (e.g. ``data/knowledge-base.json``): the open-data seam."""

    def use_knowledge_base(self, content_dir: Path, kb: KnowledgeBase) -> None:
        """Build from an already validated knowledge base (``cluster-kb build`` validates first)."""
        self._preloaded = (content_dir.resolve(), kb)

    # Having on_startup keeps this instance across `mkdocs serve` rebuilds (MkDocs >= 1.4).
    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.is_dirty = dirty

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
        home_page = files.get_file_from_path("index.md") is None
        self._pending = {}
        for spec in generate_pages(self.kb, home_page=home_page):
            if files.get_file_from_path(spec.src_uri) is not None:
                log.warning(f"docs/{spec.src_uri} replaces the page the knowledge base would generate there")
                continue
            markdown = render_page(self._renderer, spec)
            page = _GeneratedPage.generated(config, spec.src_uri, content=markdown)
            digest = hashlib.sha256(markdown.encode()).hexdigest()
            self._pending[spec.src_uri] = digest
            if self.is_dirty:
                page.modified = self._digests.get(spec.src_uri) != digest or not os.path.isfile(page.abs_dest_path)
            files.append(page)
        for path, data in sorted(self.data_files(self.kb).items()):
            files.append(File.generated(config, path, content=data))
        return files

    def on_serve(self, server: Any, *, config: Any, builder: Any) -> Any:
        if not self.config.enabled:
            return server
        if self.content_dir is not None:
            server.watch(str(self.content_dir))
        return server

    @event_priority(-100)  # after material's search plugin has written its index
    def on_post_build(self, *, config: Any) -> None:
        if not self.config.enabled:
            return
        self._digests = self._pending
        index = Path(config.site_dir) / "search" / "search_index.json"
        if index.is_file():
            index.write_text(fold_search_index(index.read_text(encoding="utf-8")), encoding="utf-8")


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
