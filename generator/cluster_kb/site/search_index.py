"""The site's search index: Pagefind, once per language, over slim copies of the indexed pages.

Pagefind reads every page it indexes and holds what it indexes in memory until it writes the
bundle. Given the built site, it parses each page's theme (header, navigation, footer: most of
the bytes) only to find the ``data-pagefind-body`` element, and indexes the three languages in one
run. At 10,000 clusters that took about 3 GB and two and a half minutes. So the builder keeps, for
each indexed page, a copy holding only what Pagefind reads (``<html lang>``, the title, the body
element) in a private scratch folder, one folder per language, and runs Pagefind on each language
in turn: the peak is one language's index, and the parse skips the theme. Each language gets its
own bundle, ``pagefind/<lang>/``, which the search page of that language loads.

Pagefind's memory grows with the pages it indexes in one run (about 115 KB a page: 1.2 GB for
one language at 10,000 clusters). So a language with more than :data:`PART_PAGES` pages is indexed
in parts, one Pagefind run each, and the search page merges them (Pagefind's ``mergeIndex``): the
first part is ``pagefind/<lang>/``, the others ``pagefind/<lang>/part-2/``..., listed in
``pagefind/<lang>/kb-parts.json``. Each extra part costs a first search its entry and its
WebAssembly file (about 75 KB), so parts are few and large.

This module knows nothing of MkDocs: the adapter hands it each written page and calls
:meth:`SearchCopies.index` after the build.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import zlib
from collections.abc import Mapping
from pathlib import Path

__all__ = ["BODY_END", "BODY_START", "BUNDLE", "PARTS", "PART_PAGES", "SearchCopies", "SearchError", "search_copy"]

BODY_START = "<div data-pagefind-body>"
BODY_END = "<!-- /kb-search-body -->"
"""Written by the theme (``main.html``) right after the indexed element closes."""

BUNDLE = "pagefind"
"""The bundles' folder in the site: ``pagefind/en/``, ``pagefind/es/``..."""

PARTS = "kb-parts.json"
"""In each language's bundle: the other parts to merge, ``{"merge": ["part-2/", ...]}`` (relative)."""

PART_PAGES = 5_000
"""The most pages one Pagefind run indexes. At 10,000 clusters a language has about 10,200 pages,
so three parts of 3,400: Pagefind's peak is about 400 MB instead of 1.2 GB, and a first search
fetches two more entries and WebAssembly files (about 150 KB)."""

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
        return sorted(self._by_language())

    def _by_language(self) -> dict[str, list[str]]:
        """The pages to index, by language; taken in one step, as a preview's next build may be
        handing over pages meanwhile."""
        found: dict[str, list[str]] = {}
        for dest, lang in list(self._pages.items()):
            if lang is not None:
                found.setdefault(lang, []).append(dest)
        return found

    def index(self, site_dir: Path, executable: str, part_pages: int = PART_PAGES) -> None:
        """Run Pagefind on each language's copies in turn, writing ``site_dir/pagefind/<lang>/``.

        A language's bundle is written beside the old one and swapped in when all its parts are
        indexed, so a preview never serves half an index, and no file of an older index stays.
        """
        if part_pages < 1:
            raise ValueError("part_pages must be at least 1")
        bundles = site_dir / BUNDLE
        for lang, pages in sorted(self._by_language().items()):
            parts = _parts(pages, -(-len(pages) // part_pages))
            partial = bundles / f".{lang}.partial"
            shutil.rmtree(partial, ignore_errors=True)
            try:
                for number, members in enumerate(parts, start=1):
                    # One part indexes the copies' own folder; several index hard links to theirs.
                    pages_dir = self.root / lang if len(parts) == 1 else self._linked(lang, members)
                    self._pagefind(executable, lang, pages_dir, partial / _part_path(number))
                    if len(parts) > 1:
                        shutil.rmtree(pages_dir)
                merge = [_part_path(number) for number in range(2, len(parts) + 1)]
                (partial / PARTS).write_text(json.dumps({"merge": merge}) + "\n", encoding="utf-8")
                _swap(partial, bundles / lang)
            finally:
                shutil.rmtree(partial, ignore_errors=True)

    def _linked(self, lang: str, members: list[str]) -> Path:
        """A folder holding one part's copies: hard links where the file system has them."""
        folder = self.root / ".part" / lang
        shutil.rmtree(folder, ignore_errors=True)
        for dest in members:
            source, target = self.root / lang / dest, folder / dest
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(source, target)
            except FileNotFoundError:
                continue  # forgotten since the list was taken (a preview's next build): not indexed
            except OSError:
                shutil.copyfile(source, target)
        return folder

    @staticmethod
    def _pagefind(executable: str, lang: str, pages: Path, output: Path) -> None:
        command = [
            *(executable, "--site", str(pages), "--output-path", str(output)),
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


def _parts(pages: list[str], count: int) -> list[list[str]]:
    """``pages`` dealt into ``count`` parts that differ by at most one page, in the order of a hash
    of their paths: every part mixes every kind of page, and the same pages give the same parts
    (rebuilds stay byte for byte the same)."""
    ordered = sorted(pages, key=lambda dest: (zlib.crc32(dest.encode("utf-8")), dest))
    return [ordered[start::count] for start in range(count)]


def _part_path(number: int) -> str:
    """Where part ``number`` (from 1) goes in a language's bundle: the first is the bundle itself."""
    return "" if number == 1 else f"part-{number}/"


def _swap(new: Path, target: Path) -> None:
    """Put the folder ``new`` at ``target``, removing what was there."""
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)
