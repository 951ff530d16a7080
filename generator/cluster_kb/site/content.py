"""The site as the core produces it: every generated page in every language, the navigation and the files.

:class:`SiteContent` is the seam between the core and whatever builds the site around it. It
knows every page (:func:`~cluster_kb.site.views.site_pages`) in every language, renders one on
request to a :class:`~cluster_kb.site.html.RenderedPage` (title, HTML, table of contents), names the
navigation of each language and the same page's address in the other languages, and lists the
files published beside the pages (open data, JSON Schemas). Today MkDocs applies the theme
(:mod:`cluster_kb.site.mkdocs_plugin`); another builder would take the same output.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import time
from typing import Any

from ..kinds import KINDS, N_
from ..knowledge import KnowledgeBase
from ..outputs.directory import DIRECTORY_PATH, directory_json
from ..outputs.export import export_files
from ..outputs.meetings import RENDER
from ..records.text import DEFAULT_LANGUAGE, LANGUAGES
from .html import RenderedPage, Renderer
from .l10n import catalogue
from .urls import in_language, section_path
from .views import CONTRIBUTE, SLOT_MINUTES, PageSpec, SiteOptions, edition_plan, meeting_files, site_pages

__all__ = ["NavEntry", "SiteContent"]


@dataclass(frozen=True, slots=True)
class NavEntry:
    """One entry of a language's navigation: its title in that language and the page's path."""

    title: str
    path: str


class SiteContent:
    """Every generated page of a knowledge base, in every language."""

    def __init__(
        self,
        kb: KnowledgeBase,
        *,
        home: bool = True,
        repo_url: str | None = None,
        leads: bool = True,
        languages: tuple[str, ...] = LANGUAGES,
        renderer: Renderer | None = None,
        data_files: Callable[[KnowledgeBase], dict[str, bytes]] = export_files,
    ) -> None:
        self.kb = kb
        self.renderer = renderer or Renderer()
        self.specs: list[PageSpec] = site_pages(kb, home=home, options=SiteOptions(repo_url, leads))
        self.by_path = {spec.path: spec for spec in self.specs}
        self._data_files = data_files
        self._view: tuple[str, Any] | None = None
        unknown = [lang for lang in languages if lang not in LANGUAGES]
        if unknown or not languages or languages[0] != DEFAULT_LANGUAGE:
            raise ValueError(f"languages must start with '{DEFAULT_LANGUAGE}' and be among {', '.join(LANGUAGES)}")
        self._languages = tuple(languages)

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages the site is built in: all three, unless a build asks for fewer."""
        return self._languages

    def pages(self) -> Iterator[tuple[PageSpec, str]]:
        """Every page in every language, the languages of one page next to each other."""
        for spec in self.specs:
            for lang in self._languages:
                yield spec, lang

    def view(self, spec: PageSpec) -> Any:
        """The page's view; kept while the same page is rendered in the next language."""
        if self._view is None or self._view[0] != spec.path:
            self._view = (spec.path, spec.build())
        return self._view[1]

    def render(self, spec: PageSpec, lang: str) -> RenderedPage:
        return self.renderer.render(spec, self.view(spec), lang)

    def alternates(self, path: str) -> dict[str, str]:
        """The same page in each language: ``{"en": "clusters/x/", "es": "es/clusters/x/", ...}``."""
        return {lang: in_language(path, lang) for lang in self._languages}

    def navigation(self, lang: str) -> list[NavEntry]:
        """Home and the kinds' sections, titled in ``lang`` (hand-written pages follow them)."""
        cat = catalogue(lang)
        entries = [NavEntry(cat.gettext(N_("Home")), in_language("", lang))]
        entries += [NavEntry(cat.gettext(k.title), in_language(section_path(k.folder), lang)) for k in KINDS]
        return entries

    def closing_navigation(self, lang: str) -> list[NavEntry]:
        """The generated pages that close the navigation, after the hand-written ones."""
        return [NavEntry(catalogue(lang).gettext(N_("Contribute")), in_language(CONTRIBUTE, lang))]

    def data_files(self) -> dict[str, bytes]:
        """Files published once for every language, by path: ``data/knowledge-base.json``, ``schemas/...``,
        and the cluster directory's ``data/directory.json``."""
        files = {**self._data_files(self.kb), DIRECTORY_PATH: directory_json(self.kb)}
        for entry in self.kb.editions_by_year():
            plan = edition_plan(self.kb, entry.id)
            if not plan.meetings:
                continue
            day = entry.record.start
            for fmt, path in meeting_files(entry.id, day is not None):
                text = RENDER[fmt](self.kb, plan, time(9, 0), SLOT_MINUTES, day)
                files[path] = text.encode("utf-8")
        return files
