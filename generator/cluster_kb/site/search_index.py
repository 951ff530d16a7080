"""The site's search index: Pagefind, once per language, over slim copies of the indexed pages.

Pagefind reads every page it indexes and holds what it indexes in memory until it writes the
bundle. Given the built site, it parses each page's theme (header, navigation, footer: most of
the bytes) only to find the ``data-pagefind-body`` element. So the builder keeps, for each indexed
page, a copy holding only what Pagefind reads (``<html lang>``, the title, the body element),
compressed in memory, and hands the copies to Pagefind's service (``pagefind --service``, the
interface its own Node and Python wrappers drive) without writing them anywhere. Each language gets
its own bundle, ``pagefind/<lang>/``, which the search page of that language loads.

Pagefind's memory grows with the pages it indexes in one run (about 115 KB a page: 1.2 GB for
one language at 10,000 clusters). So each language's pages, in the order the build writes them,
are cut into parts of at most :data:`PART_PAGES` pages, one Pagefind run each, and the search page
merges them (Pagefind's ``mergeIndex``): the first part is ``pagefind/<lang>/``, the others
``pagefind/<lang>/part-2/``..., listed in ``pagefind/<lang>/kb-parts.json``. Each extra part adds to
what a first search downloads (its entry and WebAssembly file), so parts are few.

A build indexes a part as soon as the build has written its pages, in a background thread, while
the build writes the next ones (:meth:`SearchCopies.stream`): the indexing runs on another core,
and what is left after the last page is the last part of each language, indexed
:data:`TAIL_RUNS` at a time. The build says how many pages each language will have, and its parts
shrink towards the end (:func:`part_sizes`), so that those last parts are small. A preview
indexes everything after each rebuild instead (:meth:`SearchCopies.index`), keeping the copies
for the next one.

Why not the ``pagefind`` Python package's ``PagefindIndex``: its service loop sleeps 100 ms before
reading each answer, about 10 pages a second (an hour for 30,000 pages). :class:`_Service` speaks
the same protocol (base64 JSON messages ended by a comma on stdin and stdout) in a few lines; the
package still provides the pinned binary (``pagefind_bin``).

This module knows nothing of MkDocs: the adapter calls :meth:`SearchCopies.stream` before a
build writes its pages, hands it each written page, and calls :meth:`SearchCopies.index` after.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "BODY_END",
    "BODY_START",
    "BUNDLE",
    "LAST_PART_PAGES",
    "PARTS",
    "PART_GROWTH",
    "PART_PAGES",
    "SWITCH_INTERVAL",
    "TAIL_RUNS",
    "SearchCopies",
    "SearchError",
    "part_sizes",
    "search_copy",
]

BODY_START = "<div data-pagefind-body>"
BODY_END = "<!-- /kb-search-body -->"
"""Written by the theme (``main.html``) right after the indexed element closes."""

BUNDLE = "pagefind"
"""The bundles' folder in the site: ``pagefind/en/``, ``pagefind/es/``..."""

PARTS = "kb-parts.json"
"""In each language's bundle: the other parts to merge, ``{"merge": ["part-2/", ...]}`` (relative)."""

PART_PAGES = 3_500
"""The most pages one Pagefind run indexes. At 10,000 clusters a language has about 10,200 pages,
cut by a build into parts of 3,036, 3,036, 2,048, 1,280 and 800 (:func:`part_sizes`): Pagefind's
peak is about 400 MB instead of 1.2 GB, and a first search downloaded 513 KB (491 KB with three
parts). Pagefind runs while the build still holds its pages: with parts of 5,000 the build's peak
came to 1.5 GB."""

LAST_PART_PAGES = 800
"""The most pages a build leaves for a language's last part, when the language has more pages than
that. A build writes each page's languages one after another, so every language's last part is cut
when the last page is written, and Pagefind indexes those parts after it: three parts of 3,200
pages took 24 s at 10,000 clusters, three of 800 8 s one after another (less :data:`TAIL_RUNS` at
a time). Smaller last parts would mean more parts for a first search to download."""

PART_GROWTH = 1.6
"""How much larger a build makes each part than the one after it: about how much faster Pagefind
indexes pages than the build writes them (3,500 pages in 11-13 s while the build writes about 180
a second, at 10,000 clusters on this machine). So each language's next-to-last part is indexed by
the time its last part is written, and so on back: the parts shrink towards the end of the build."""

SWITCH_INTERVAL = 0.000_5
"""How long (in seconds) the build's main thread keeps Python's GIL when the indexer's threads ask for
it, while a build indexes in the background: Python's default is 5 ms
(:func:`sys.setswitchinterval`). The main thread renders pages without a pause, and the indexer's
threads take the GIL back after every write to Pagefind and every file of a bundle. At 10,000
clusters (site in tmpfs), with 5 ms, a part of 3,024 pages took 12-17 s to index during the build
(8 s after it), the last page was written at 221 s and the index was done 20 s later; with 0.5 ms
and the writes batched (below), 11-13 s, the last page at 189-199 s and done 8 s later. The
interval is put back when the indexer stops."""

TAIL_RUNS = 2
"""How many Pagefind runs may index at once after a build's last page, when the build only waits for
them: what is left is usually each language's last part (at 10,000 clusters three parts of 800
pages; 8 s one after another). Runs share the budget of one part's pages (``part_pages``), since
Pagefind's memory grows with the pages of a run: two parts of 800 are indexed together, two of
2,000 one after the other. So the tail never holds more than the build did while it wrote pages
(one run of a full part beside the build): a build whose indexer was behind, with two such runs
at once, was measured at 1.67 GB instead of 1.1 GB, by a bench that could then count the build
twice while a Pagefind run started: that may have been the cause instead."""

_SEND_BATCH = 100
"""Pages written to Pagefind in one write."""

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


def part_sizes(pages: int, most: int = PART_PAGES, last: int = LAST_PART_PAGES, growth: float = PART_GROWTH) -> list[int]:
    """How a build cuts a language's ``pages`` into parts, first to last: the fewest parts of at
    most ``most`` pages such that the last holds at most ``last`` (or ``most``, if smaller) and each
    at most ``growth`` times the one after it. The same pages always give the same cuts.

    >>> part_sizes(10_200)
    [3036, 3036, 2048, 1280, 800]
    >>> part_sizes(500), part_sizes(7, most=3)
    ([500], [3, 2, 2])
    """
    if pages < 1:
        return []
    chain, held, size = [], 0, min(last, most)  # the most each part may hold, the last part first
    while held < pages:
        chain.append(size)
        held += size
        size = min(most, max(size, int(size * growth)))
    # The chain holds up to a part too much: lower its largest parts (the first ones) to one level.
    low, high = 1, chain[-1]  # the lowest level at which the parts still hold every page
    while low < high:
        level = (low + high) // 2
        low, high = (level + 1, high) if sum(min(held, level) for held in chain) < pages else (low, level)
    sizes = [min(held, low) for held in chain]
    extra = sum(sizes) - pages  # fewer than the parts at that level: the last of them hold a page less
    for k, held in enumerate(sizes):
        if extra and held == low:
            sizes[k], extra = held - 1, extra - 1
    return sizes[::-1]


class SearchCopies:
    """The slim copies of one build (or one preview session), by page path and language."""

    def __init__(self) -> None:
        self._pages: dict[str, str | None] = {}
        """Every page handed over, by its path in the site: the language of its copy, or None when it
        has nothing to index (a listing page): settling never reads such a page back from the site."""
        self._copies: dict[str, bytes] = {}
        """The copies not yet handed to an indexer, compressed (a copy is about 13 KB, 3 KB compressed)."""
        self._stream: _Indexer | None = None

    def stream(
        self, site_dir: Path, executable: str, part_pages: int = PART_PAGES, expected: Mapping[str, int] | None = None
    ) -> None:
        """Index while the build writes pages: from now on, each part is indexed in a background
        thread as soon as it is full, and its copies are dropped. :meth:`index` indexes the rest.

        ``expected`` (language -> pages the build will hand over) cuts each language as
        :func:`part_sizes` plans, so that little is left to index after the last page; a language
        not in it, or pages beyond it, are cut into parts of ``part_pages``.
        """
        self.close()
        plans = {lang: part_sizes(count, part_pages) for lang, count in (expected or {}).items()}
        self._stream = _Indexer(site_dir, executable, part_pages, background=True, plans=plans)

    def _forget(self, dest: str) -> None:
        self._pages.pop(dest, None)
        self._copies.pop(dest, None)

    def add(self, dest: str, lang: str, page_html: str) -> None:
        """Keep the copy of the page written at ``dest`` (``es/clusters/x/index.html``)."""
        copy = search_copy(page_html, lang)
        if self._pages.get(dest, lang) != lang or copy is None:
            self._forget(dest)
        if copy is None:
            self._pages[dest] = None
            return
        blob = zlib.compress(copy.encode("utf-8"), 1)
        self._pages[dest] = lang
        if self._stream is not None:
            self._stream.add(lang, dest, blob)
        else:
            self._copies[dest] = blob

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
        return sorted({lang for lang in list(self._pages.values()) if lang is not None})

    def index(self, site_dir: Path, executable: str, part_pages: int = PART_PAGES) -> None:
        """Index what is left and put each language's bundle in ``site_dir/pagefind/<lang>/``.

        After :meth:`stream`, that is each language's last part (in the folder, with the executable
        and the part size given to :meth:`stream`); otherwise every copy, which stays for the next
        call (a preview indexes again after each rebuild). A language's bundle is
        written beside the old one and swapped in when all its parts are indexed, so a preview never
        serves half an index, and no file of an older index stays.
        """
        indexer, self._stream = self._stream, None
        if indexer is None:
            indexer = _Indexer(site_dir, executable, part_pages, background=False)
            # Taken in one step: a preview's next build may be handing over pages meanwhile.
            for dest, lang in list(self._pages.items()):
                blob = self._copies.get(dest)
                if lang is not None and blob is not None:
                    indexer.add(lang, dest, blob)
        indexer.finish()

    def close(self) -> None:
        """Stop a build's indexer, if any (its unfinished bundles are removed), and drop the copies."""
        if self._stream is not None:
            self._stream.abandon()
        self._stream = None
        self._pages = {}
        self._copies = {}


class _Indexer:
    """Cuts each language's copies, in the order they come, into parts (as planned, by language, then
    of ``part_pages``) and indexes each part into ``pagefind/.<lang>.partial/``, in a background
    thread or at once."""

    def __init__(
        self, site_dir: Path, executable: str, part_pages: int, *, background: bool, plans: Mapping[str, list[int]] | None = None
    ) -> None:
        if part_pages < 1:
            raise ValueError("part_pages must be at least 1")
        self._bundles = site_dir / BUNDLE
        self._executable = executable
        self._part_pages = part_pages
        self._plans = dict(plans or {})
        self._filling: dict[str, list[tuple[str, bytes]]] = {}
        self._parts: dict[str, int] = {}  # parts cut, by language
        self._error: SearchError | None = None
        self._stopped = False
        self._running = threading.Condition()  # guards how many pages are being indexed now
        self._indexing = 0
        self._queue: queue.SimpleQueue[tuple[str, int, list[tuple[str, bytes]]] | None] | None = None
        self._thread: threading.Thread | None = None
        self._switch = sys.getswitchinterval()  # Python's, given back when the thread stops
        self._lowered = min(self._switch, SWITCH_INTERVAL)
        if background:
            sys.setswitchinterval(self._lowered)
            self._queue = queue.SimpleQueue()
            self._thread = threading.Thread(target=self._work, name="cluster-kb search index", daemon=True)
            self._thread.start()

    def _partial(self, lang: str) -> Path:
        return self._bundles / f".{lang}.partial"

    def add(self, lang: str, dest: str, blob: bytes) -> None:
        filling = self._filling.setdefault(lang, [])
        filling.append((dest, blob))
        plan, cut = self._plans.get(lang, []), self._parts.get(lang, 0)
        if len(filling) >= (plan[cut] if cut < len(plan) else self._part_pages):
            self._cut(lang)

    def _cut(self, lang: str) -> None:
        pages = self._filling.pop(lang)
        number = self._parts[lang] = self._parts.get(lang, 0) + 1
        if number == 1:
            shutil.rmtree(self._partial(lang), ignore_errors=True)
        if self._queue is not None:
            self._queue.put((lang, number, pages))
        else:
            self._run(lang, number, pages)

    def _work(self) -> None:
        assert self._queue is not None
        while (job := self._queue.get()) is not None:
            self._run(*job)

    def _run(self, lang: str, number: int, pages: list[tuple[str, bytes]]) -> None:
        with self._running:  # within one part's pages, or alone
            self._running.wait_for(lambda: not self._indexing or self._indexing + len(pages) <= self._part_pages)
            self._indexing += len(pages)
        try:
            if self._error is not None or self._stopped:
                return  # the index failed or was abandoned: nothing of it is published
            _index_part(self._executable, lang, pages, self._partial(lang) / _part_path(number))
        except SearchError as exc:
            self._error = exc
        finally:
            with self._running:
                self._indexing -= len(pages)
                self._running.notify_all()

    def _wait(self, runs: int = 1) -> None:
        """Let ``runs`` threads index what is queued, and wait for them."""
        if self._thread is not None and self._queue is not None:
            threads = [self._thread]
            for number in range(2, runs + 1):
                threads.append(threading.Thread(target=self._work, name=f"cluster-kb search index {number}", daemon=True))
                threads[-1].start()
            for _ in threads:
                self._queue.put(None)
            for thread in threads:
                thread.join()
            self._thread = None
            if sys.getswitchinterval() == self._lowered:  # unless changed since
                sys.setswitchinterval(self._switch)

    def finish(self) -> None:
        """Index the parts not yet full, wait for every part, and swap each language's bundle in."""
        for lang in sorted(self._filling):
            self._cut(lang)
        self._wait(TAIL_RUNS)  # the build has written its pages: it only waits now
        try:
            if self._error is not None:
                raise self._error
            for lang, count in sorted(self._parts.items()):
                merge = [_part_path(number) for number in range(2, count + 1)]
                (self._partial(lang) / PARTS).write_text(json.dumps({"merge": merge}) + "\n", encoding="utf-8")
                _swap(self._partial(lang), self._bundles / lang)
        finally:
            self.abandon()

    def abandon(self) -> None:
        """Stop, and remove the bundles not swapped in (a failed or interrupted build)."""
        self._stopped = True
        self._wait()
        for lang in self._parts:
            shutil.rmtree(self._partial(lang), ignore_errors=True)


def _index_part(executable: str, lang: str, pages: Iterable[tuple[str, bytes]], output: Path) -> None:
    """One Pagefind run: the pages (path in the site, compressed copy) indexed, the bundle written to ``output``."""
    with _Service(executable, lang) as service:
        index = service.ask({"type": "NewIndex", "config": {"exclude_selectors": [EXCLUDED]}})["index_id"]
        added, batch = [], []
        for dest, blob in pages:  # a hundred pages a write: the thread takes the GIL back once for them
            batch.append({"type": "AddFile", "index_id": index, "file_path": dest, "file_contents": _text(blob)})
            if len(batch) == _SEND_BATCH:
                added += service.send(batch)
                batch = []
        added += service.send(batch)
        for message in added:  # every page is in before the index is written
            service.answer(message)
        # The bundle comes back in the answer and is written here: Pagefind's own WriteFiles hands
        # the files to background writes and exits as soon as its input ends, which can leave a
        # file empty. Each folder is made once: a part writes thousands of files into a few folders.
        files = service.ask({"type": "GetFiles", "index_id": index})["files"]
        for folder in sorted({(output / file["path"]).parent for file in files}):
            folder.mkdir(parents=True, exist_ok=True)
        for file in files:
            (output / file["path"]).write_bytes(base64.b64decode(file["content"]))


def _text(blob: bytes) -> str:
    return zlib.decompress(blob).decode("utf-8")


class _Service:
    """One ``pagefind --service`` process: requests written as they come, answers read by a thread
    (Pagefind stops reading while its answers are not read)."""

    def __init__(self, executable: str, lang: str) -> None:
        self._lang = lang
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - what Pagefind says on stderr; closed on exit
        try:
            self._process = subprocess.Popen(
                [executable, "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log
            )
        except OSError as exc:
            self._log.close()
            raise SearchError(f"Pagefind could not index the {lang} pages: {exc}") from None
        self._sent = 0
        self._answers: dict[int, dict[str, Any]] = {}
        self._ended = False
        self._ready = threading.Condition()
        self._reader = threading.Thread(target=self._read, name="pagefind answers", daemon=True)
        self._reader.start()

    def __enter__(self) -> _Service:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            assert self._process.stdin is not None
            self._process.stdin.close()
        except OSError:
            pass
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._reader.join()
        assert self._process.stdout is not None
        self._process.stdout.close()
        self._log.close()

    def _read(self) -> None:
        assert self._process.stdout is not None
        pending = bytearray()  # the answer being read: the bundle's files come in one, megabytes long
        while chunk := self._process.stdout.read1(1 << 20):
            start = 0
            while (end := chunk.find(b",", start)) >= 0:
                pending += chunk[start:end]
                answer = json.loads(base64.b64decode(pending))
                pending.clear()
                start = end + 1
                with self._ready:
                    self._answers[answer.get("message_id", -1)] = answer.get("payload", {})
                    self._ready.notify_all()
            pending += chunk[start:]
        with self._ready:
            self._ended = True
            self._ready.notify_all()

    def _failed(self, why: str) -> SearchError:
        self._log.seek(0)
        told = self._log.read().decode("utf-8", "replace").strip()
        return SearchError(f"Pagefind could not index the {self._lang} pages: {told or why}")

    def send(self, payloads: list[dict[str, Any]]) -> list[int]:
        """Write the requests in one write; their message numbers, for :meth:`answer`."""
        first = self._sent + 1
        self._sent += len(payloads)
        messages = b"".join(
            base64.b64encode(json.dumps({"message_id": number, "payload": payload}).encode("utf-8")) + b","
            for number, payload in enumerate(payloads, first)
        )
        try:
            assert self._process.stdin is not None
            self._process.stdin.write(messages)
        except OSError:
            self._process.wait()
            raise self._failed(f"it stopped (exit status {self._process.returncode})") from None
        return list(range(first, self._sent + 1))

    def answer(self, message: int) -> dict[str, Any]:
        try:
            assert self._process.stdin is not None
            self._process.stdin.flush()
        except OSError:
            pass  # the process is gone: the reader has seen the end
        with self._ready:
            while message not in self._answers and not self._ended:
                self._ready.wait()
            payload = self._answers.pop(message, None)
        if payload is None:
            self._process.wait()
            raise self._failed(f"it stopped (exit status {self._process.returncode})")
        if payload.get("type") == "Error":
            raise self._failed(str(payload.get("message")))
        return payload

    def ask(self, payload: dict[str, Any]) -> dict[str, Any]:
        (message,) = self.send([payload])
        return self.answer(message)


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
