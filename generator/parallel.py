"""Convert the generated pages' Markdown on every core: the MkDocs side of a parallel build.

MkDocs converts pages one after another on one core, and at 10,000 records the Markdown of the
generated pages is most of the build (about 6 ms a page here, two thirds of it Python-Markdown).
This module lets forked worker processes convert a share of those pages while MkDocs converts the
rest, so a build uses the machine's cores (issue 6).

How it stays the same build:

* The plugin starts the workers in ``on_nav``, after every plugin's ``on_files``; a forked worker
  has the same configuration, files and knowledge base as the build.
* Each worker takes every ``jobs``-th generated page, in the order MkDocs reads pages, writes its
  Markdown, converts it with MkDocs's own :meth:`Page.render <mkdocs.structure.pages.Page.render>`
  and sends back what ``render`` sets (content, table of contents, title, anchors, links to
  anchors) and what it logged.
* When no other plugin looks at pages between MkDocs reading and building them (``on_pre_page``,
  ``on_page_markdown``, ``on_page_content``...), the workers' pages are *deferred*: MkDocs reads
  them with their metadata only, goes on converting its own pages and rendering the theme, and
  takes a worker's result when it builds that page, so both cores stay busy to the end.
  Otherwise MkDocs waits for each result where it would have converted the page, and a worker's
  result is used only when the Markdown is the one it converted.
* When a worker fails on a page, or stops, the build converts the page itself. The site is the
  same byte for byte either way (``tests/test_parallel.py``).
* What a worker logged is replayed when MkDocs reads (or, deferred, builds) the page, so
  ``--strict`` still counts every warning.

Workers are forked (POSIX only) and only for ``mkdocs build``: ``mkdocs serve`` runs its builds
beside a web server thread, and a dirty preview rebuilds a page or two.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import pickle
import queue
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

__all__ = ["ParallelPage", "Pool", "Rendered", "available_cores", "can_fork"]

log = logging.getLogger("mkdocs.plugins.cluster-kb.parallel")

BUILD_SHARE = 0.85
"""With deferral, the build converts this fraction of an even share: it also renders every
page's theme meanwhile (0.85 was fastest at 10,000 clusters on 2 cores; 1.0 and 0.67 cost 6 s)."""

_POLL_S = 1.0
"""How often a waiting build checks that the worker it waits for is still alive."""


def can_fork() -> bool:
    """Whether worker processes can be forked here (Linux and the BSDs; not Windows)."""
    return "fork" in multiprocessing.get_all_start_methods()


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@dataclass
class Rendered:
    """What converting one page's Markdown gave in a worker: the attributes ``Page.render`` sets."""

    src_uri: str
    source: str | None = None
    """The file's text (front matter and Markdown)."""
    markdown: str | None = None
    """The Markdown converted (the text after its front matter)."""
    content: str | None = None
    toc: Any = None
    title: str | None = None
    anchors: set[str] | None = None
    links_to_anchors: dict[str, dict[str, str]] | None = None
    records: list[tuple[str, int, str]] = field(default_factory=list)
    error: str | None = None


class _Capture(logging.Handler):
    """Keeps a worker's log records (logger, level, message) to replay in the build."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


def _convert(file: File, config: Any, files: Files) -> Rendered:
    page = file.page
    assert page is not None
    result = Rendered(file.src_uri, source=file.content_string)
    page.read_source(config)
    result.markdown = page.markdown
    Page.render(page, config, files)  # MkDocs's own conversion, not ParallelPage's
    result.content = page.content
    result.toc = page.toc
    result.title = page._title_from_render
    result.anchors = page.present_anchor_ids
    if page.links_to_anchors is not None:
        result.links_to_anchors = {target.src_uri: dict(links) for target, links in page.links_to_anchors.items()}
    # The build gets these from the result; the worker needs none of them again.
    page.markdown = page.content = None
    page.toc = []  # type: ignore[assignment]
    file._content = None
    return result


def _work(pool: Pool, worker: int, results: Any) -> None:
    """A worker's loop: convert its share of the pages, in order, sending each result at once."""
    pool.in_worker = True
    capture = _Capture()
    logger = logging.getLogger("mkdocs")
    logger.handlers = [capture]  # this process only: the build prints what is replayed
    logger.propagate = False
    for file in pool.pages:
        if pool.owner(file.src_uri) != worker:
            continue
        capture.records = []
        try:
            result = _convert(file, pool.config, pool.files)
        except Exception as exc:  # the build converts the page itself and reports the error there
            result = Rendered(file.src_uri, error=f"{type(exc).__name__}: {exc}")
        result.records = capture.records
        try:
            # Pickled here, not in the queue's thread, so a result that cannot be sent is reported.
            payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            payload = pickle.dumps(Rendered(file.src_uri, error=f"cannot send the result: {type(exc).__name__}: {exc}"))
        results.put(payload)


def shares(pages: Sequence[File], jobs: int, build_share: float) -> dict[str, int]:
    """Which process converts each page: 0 (the build) for ``build_share`` of them, spread evenly,
    the workers 1 to ``jobs - 1`` in turn for the rest."""
    owners: dict[str, int] = {}
    credit = 0.0
    worker = 0
    for file in pages:
        credit += build_share
        if credit >= 1.0:
            credit -= 1.0
            owners[file.src_uri] = 0
        else:
            worker = worker % (jobs - 1) + 1
            owners[file.src_uri] = worker
    return owners


class Pool:
    """Worker processes converting a share of ``pages``; the build takes their results in order.

    With ``defer``, MkDocs reads and converts the workers' pages only when it builds them (see
    :class:`ParallelPage`), so the build renders the theme for the pages it has while the workers
    convert the rest; the build then takes a little less than an even share (``BUILD_SHARE``).
    """

    def __init__(
        self,
        config: Any,
        files: Files,
        pages: Sequence[File],
        jobs: int,
        *,
        defer: bool = False,
        metadata: Callable[[File], dict[str, Any]] | None = None,
    ) -> None:
        self.config = config
        self.files = files
        self.pages = list(pages)
        self.jobs = jobs
        self.defer = defer and metadata is not None
        self.metadata = metadata
        self.in_worker = False
        self._owner = shares(self.pages, jobs, BUILD_SHARE / jobs if self.defer else 1 / jobs)
        self._results: dict[str, Rendered] = {}
        self._taken: set[str] = set()
        self._processes: list[Any] = []
        self._queue: Any = None
        self._done = False

    def owner(self, src_uri: str) -> int:
        """The process that converts the page: 0 for the build itself."""
        return self._owner.get(src_uri, 0)

    def start(self) -> None:
        context = multiprocessing.get_context("fork")
        self._queue = context.Queue()
        # Objects that live through the build are left out of the workers' garbage collections,
        # so a worker does not copy the build's memory page by page just to scan it.
        gc.freeze()
        try:
            for worker in range(1, self.jobs):
                process = context.Process(
                    target=_work, args=(self, worker, self._queue), name=f"cluster-kb-worker-{worker}", daemon=True
                )
                process.start()
                self._processes.append(process)
        finally:
            gc.unfreeze()
        log.info(f"cluster-kb: converting {len(self.pages):,} generated pages in {self.jobs} processes")

    def result(self, src_uri: str) -> Rendered | None:
        """A worker's result for the page, waiting for it; None when the build must convert it."""
        if self.in_worker or self._done or src_uri in self._taken:
            return None
        owner = self.owner(src_uri)
        if owner == 0:
            return None
        while src_uri not in self._results:
            try:
                got: Rendered = pickle.loads(self._queue.get(timeout=_POLL_S))  # noqa: S301 - from our own worker
            except queue.Empty:
                process = self._processes[owner - 1]
                if not process.is_alive():
                    self._stop(f"worker {owner} stopped with exit code {process.exitcode}")
                    return None
                continue
            self._results[got.src_uri] = got
        return self._results[src_uri]

    def take(self, src_uri: str) -> Rendered | None:
        """Like :meth:`result`, but forget the result: a page is converted once."""
        result = self.result(src_uri)
        self._results.pop(src_uri, None)
        self._taken.add(src_uri)
        return result

    def _stop(self, why: str) -> None:
        log.info(f"{why}; converting the remaining pages in the build process")
        self._done = True
        self.close()

    def close(self) -> None:
        """Stop the workers (they have usually finished) and free what they sent."""
        for process in self._processes:
            if process.is_alive():
                process.terminate()
            process.join()
        self._processes = []
        if self._queue is not None:
            self._queue.close()
            self._queue.join_thread()
            self._queue = None
        self._results = {}
        self._done = True


class ParallelPage(Page):
    """A generated page whose Markdown a worker may convert.

    Without deferral, ``render`` takes the worker's result (waiting for it). With it, MkDocs reads
    a worker's page before the worker has converted it: ``read_source`` gives the page its
    metadata (from the page's front matter, known in advance) and empty Markdown, ``render`` leaves
    it empty, and :meth:`resolve` (the plugin calls it first thing in ``on_page_context``, when
    MkDocs builds the page) fills in the worker's result. The plugin defers only when no other
    plugin looks at pages between reading and building them.
    """

    pool: Pool | None = None
    deferred: bool = False

    def _worker_page(self) -> bool:
        return self.pool is not None and not self.pool.in_worker and self.pool.owner(self.file.src_uri) != 0

    def read_source(self, config: Any) -> None:
        if self._worker_page() and self.pool.defer:  # type: ignore[union-attr]
            self.markdown, self.meta = "", self.pool.metadata(self.file)  # type: ignore[union-attr,misc]
            self.deferred = True
            return
        super().read_source(config)
        if callable(getattr(self.file, "source", None)):
            self.file._content = None  # the plugin writes it again if anything reads the file again

    def render(self, config: Any, files: Files) -> None:
        if self.deferred:
            self.content = ""  # until resolve()
            return
        self._take(config, files)

    def resolve(self) -> None:
        """Give a deferred page its converted content: the worker's, or converted here."""
        if not self.deferred:
            return
        assert self.pool is not None
        self.deferred = False
        self._take(self.pool.config, self.pool.files, deferred=True)

    def _take(self, config: Any, files: Files, *, deferred: bool = False) -> None:
        """Use the worker's result; without one, convert here (reading the page first if deferred).

        A page read normally may have had its Markdown changed by another plugin: then the
        worker's result is not this page's.
        """
        result = self.pool.take(self.file.src_uri) if self.pool is not None else None
        if result is None or result.error is not None or not (deferred or result.markdown == self.markdown):
            if deferred:
                Page.read_source(self, config)
            super().render(config, files)
            return
        for name, level, message in result.records:
            logging.getLogger(name).log(level, message)
        self.markdown = result.markdown
        self.content = result.content
        self.toc = result.toc
        self._title_from_render = result.title
        self.present_anchor_ids = result.anchors
        if result.links_to_anchors is not None:
            self.links_to_anchors = {files.get_file_from_path(uri): links for uri, links in result.links_to_anchors.items()}  # type: ignore[misc]
