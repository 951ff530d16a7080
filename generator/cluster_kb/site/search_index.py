"""The site's search index: Pagefind, once per language, over slim copies of the indexed pages.

Pagefind reads every page it indexes and holds what it indexes in memory until it writes the
bundle. Given the built site, it parses each page's theme (header, navigation, footer: most of
the bytes) only to find the ``data-pagefind-body`` element, and indexes the three languages in one
run. At 10,000 clusters that took about 3 GB and two and a half minutes. So the builder keeps, for
each indexed page, a copy holding only what Pagefind reads (``<html lang>``, the title, the body
element) in a private scratch folder, one folder per language, and runs Pagefind on each language
in turn: the peak is one language's index, and the parse skips the theme. Each language gets its
own bundle, ``pagefind/<lang>/``, which the search page of that language loads.

This module knows nothing of MkDocs: the adapter hands it each written page and calls
:meth:`SearchCopies.index` after the build.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

__all__ = ["BODY_END", "BODY_START", "BUNDLE", "SearchCopies", "SearchError", "search_copy"]

BODY_START = "<div data-pagefind-body>"
BODY_END = "<!-- /kb-search-body -->"
"""Written by the theme (``main.html``) right after the indexed element closes."""

BUNDLE = "pagefind"
"""The bundles' folder in the site: ``pagefind/en/``, ``pagefind/es/``..."""

_TITLE = re.compile(r"<title>(.*?)</title>", re.S)

EXCLUDED = ".headerlink"
"""Not words: the headings' permalink signs (¶), which every result's headings would otherwise show."""


class SearchError(RuntimeError):
    """Pagefind could not index a language."""


def search_copy(page_html: str, lang: str) -> str | None:
    """What Pagefind needs of a written page, or None when the page is not indexed."""
    start = page_html.find(BODY_START)
    if start < 0:
        return None
    end = page_html.find(BODY_END, start)
    if end < 0:
        return None
    title = _TITLE.search(page_html, 0, start)
    head = f"<title>{title.group(1)}</title>" if title else ""
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">{head}</head>'
        f"<body>{page_html[start:end]}</body></html>"
    )


class SearchCopies:
    """The slim copies of one build (or one preview session), by page path and language."""

    def __init__(self) -> None:
        self._root: Path | None = None
        self._pages: dict[str, str | None] = {}
        """Every page handed over, by its path in the site: the language of its copy, or None when it
        has nothing to index (a listing page): settling never reads such a page back from the site."""

    @property
    def root(self) -> Path:
        if self._root is None:
            self._root = Path(tempfile.mkdtemp(prefix="cluster-kb-search-"))
        return self._root

    def _forget(self, dest: str) -> None:
        lang = self._pages.pop(dest, None)
        if lang is not None:
            (self.root / lang / dest).unlink(missing_ok=True)

    def add(self, dest: str, lang: str, page_html: str) -> None:
        """Keep the copy of the page written at ``dest`` (``es/clusters/x/index.html``)."""
        copy = search_copy(page_html, lang)
        if self._pages.get(dest, lang) != lang or copy is None:
            self._forget(dest)
        if copy is None:
            self._pages[dest] = None
            return
        target = self.root / lang / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        # Atomic: a preview may index the previous build's copies while this one writes its own.
        partial = target.with_name(target.name + ".partial")
        partial.write_text(copy, encoding="utf-8")
        os.replace(partial, target)
        self._pages[dest] = lang

    def settle(self, site_dir: Path, pages: Mapping[str, str]) -> None:
        """Make the copies match the site's pages (dest path -> language) before indexing.

        A page no longer in the site (a deleted record) loses its copy; a page not written by this
        build (a dirty build skips unchanged pages) gets one from the file already in the site.
        """
        for dest in [dest for dest in self._pages if dest not in pages]:
            self._forget(dest)
        for dest, lang in pages.items():
            if dest not in self._pages and (site_dir / dest).is_file():
                self.add(dest, lang, (site_dir / dest).read_text(encoding="utf-8"))

    def languages(self) -> list[str]:
        """The languages that have pages to index."""
        return sorted({lang for lang in self._pages.values() if lang is not None})

    def index(self, site_dir: Path, executable: str) -> None:
        """Run Pagefind on each language's copies in turn, writing ``site_dir/pagefind/<lang>/``."""
        for lang in self.languages():
            command = [
                *(executable, "--site", str(self.root / lang), "--output-path", str(site_dir / BUNDLE / lang)),
                *("--exclude-selectors", EXCLUDED, "--quiet"),
            ]
            result = subprocess.run(command, capture_output=True, text=True, check=False)
            if result.returncode != 0:
                raise SearchError(f"Pagefind could not index the {lang} pages: {(result.stderr or result.stdout).strip()}")

    def close(self) -> None:
        """Remove the scratch folder (it is the builder's own, never the user's)."""
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
        self._root = None
        self._pages = {}
