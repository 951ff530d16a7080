"""``python -m generator.bench``: speed, memory and size of the site at 100, 1,000 and 10,000 clusters.

What ``make bench`` runs (issue 6). For each size N, in ``bench/work/n<N>/``:

1. ``synth``: a synthetic knowledge base of N clusters (:mod:`generator.synth`) in ``content/``.
2. load+validate: :func:`generator.kb.load_knowledge_base` in this process (seconds, records/s).
3. page generation: the core's pages rendered to Markdown in this process, without MkDocs.
4. full build: ``mkdocs build`` of a small ``mkdocs.yml`` that inherits the project's own
   (``INHERIT``) and points the cluster-kb plugin at the synthetic content, as a subprocess whose
   peak memory is recorded over the whole process tree (polled with psutil): the sum of RSS,
   which counts memory a forked worker shares with the build once per process, and the sum of
   PSS, which splits shared memory between them (what the machine needs). The build uses the
   machine's cores (the plugin's ``jobs``); the same build in one process (``jobs: 1``) is
   measured beside it.
5. site figures: total bytes, the largest HTML page, ``search/search_index.json`` (what the first
   search downloads).
6. baseline: the same generated Markdown written to disk as plain pages and built by plain
   mkdocs-material (the same configuration without the cluster-kb plugin, section-only
   navigation), so that full/baseline is the generator's own share. The baseline runs in one
   process, so the one-process build is the like-for-like comparison.

Every build runs ``--repeat`` times (default 2), interleaved, and the fastest run counts: on a
shared machine the spread between runs is several seconds at 10,000 clusters.
7. at N = 1,000: ``mkdocs serve`` on a free port of 127.0.0.1; one cluster's YAML is edited and
   the cluster's page is polled until it shows the edit.

It prints one table with the issue's targets met or missed, and writes the figures with the
machine they ran on to ``bench/results.json``. Every wait is bounded; servers are always stopped.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import inspect
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil
import yaml

from .kb import KnowledgeBase, load_knowledge_base
from .synth import DEFAULT_SEED, write_knowledge_base

__all__ = ["DEFAULT_SIZES", "TARGETS", "main", "run_benchmark"]

DEFAULT_SIZES = (100, 1_000, 10_000)
"""The sizes issue 6 asks for."""

SERVE_SIZE = 1_000
"""The size at which the ``mkdocs serve`` rebuild is measured."""

ROOT = Path(__file__).resolve().parents[1]
"""The project folder (holds ``mkdocs.yml``, ``docs/`` and ``bench/``)."""

BIN = Path(sys.executable).parent
"""Where this interpreter's ``mkdocs`` lives."""

MB = 1_000_000

_ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
"""Subprocess environment: without material's end-of-life banner in the logs."""


@dataclass
class Target:
    """One target of issue 6: a figure, the size it applies at and the limit it must not pass."""

    key: str
    size: int
    limit: float
    text: str
    at_least: bool = False

    def check(self, value: float | None) -> bool | None:
        if value is None:
            return None
        return value >= self.limit if self.at_least else value <= self.limit


TARGETS: tuple[Target, ...] = (
    Target("load_records_per_s", 10_000, 5_000, "load+validate at least 5,000 records/s", at_least=True),
    Target("load_s", 10_000, 2.0, "load+validate 10,000 clusters in 2 s or less"),
    Target("one_process_ratio", 10_000, 1.10, "generation adds at most 10% to the baseline build (both in one process)"),
    Target("build_s", 10_000, 60.0, "full build at 10,000 clusters in 60 s or less"),
    Target("peak_rss_bytes", 10_000, 1_000 * MB, "peak RSS of the build under 1 GB (summed over its processes)"),
    Target("largest_html_bytes", 10_000, 100_000, "no HTML page over 100 KB at 10,000 clusters"),
    Target("search_index_bytes", 10_000, 5 * MB, "first search downloads at most 5 MB at 10,000 clusters"),
    # `make serve` runs `mkdocs serve --dirty`; plain `mkdocs serve` is reported beside it.
    Target("serve_dirty_rebuild_s", SERVE_SIZE, 2.0, "preview (make serve) shows an edited record within 2 s at 1,000 clusters"),
)


# -- measuring a process -----------------------------------------------------------------------


@dataclass
class Measured:
    """A finished (or stopped) subprocess: exit code, wall seconds, peak RSS and PSS of its tree."""

    returncode: int | None
    seconds: float
    peak_rss_bytes: int
    log: Path
    timed_out: bool = False
    peak_pss_bytes: int | None = None

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    with contextlib.suppress(psutil.Error):
        for proc in [process, *process.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += proc.memory_info().rss
    return total


def _tree_pss(process: psutil.Process) -> int | None:
    """Proportional set size of the tree (Linux): shared pages split between the processes."""
    total = 0
    try:
        for proc in [process, *process.children(recursive=True)]:
            with contextlib.suppress(psutil.NoSuchProcess, psutil.ZombieProcess):
                total += proc.memory_full_info().pss
    except (psutil.Error, AttributeError):
        return None
    return total


def _stop(popen: subprocess.Popen[bytes]) -> None:
    """Stop a process we started, and its group (it was started in a new session)."""
    if popen.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(popen.pid, signal.SIGTERM)
    try:
        popen.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(popen.pid, signal.SIGKILL)
        popen.wait(timeout=10)


PSS_EVERY = 5
"""Polls between two PSS readings: reading PSS costs a few ms a process, RSS almost nothing."""


def measure(command: Sequence[str], cwd: Path, log: Path, timeout: float, interval: float = 0.05) -> Measured:
    """Run ``command``; poll the RSS (and PSS) of its process tree until it ends or ``timeout`` passes."""
    peak = 0
    peak_pss: int | None = None
    polls = 0
    with log.open("wb") as out:
        start = time.perf_counter()
        popen = subprocess.Popen(list(command), cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, env=_ENV)
        try:
            process = psutil.Process(popen.pid)
            while popen.poll() is None:
                peak = max(peak, _tree_rss(process))
                if polls % PSS_EVERY == 0 and (pss := _tree_pss(process)) is not None:
                    peak_pss = max(peak_pss or 0, pss)
                polls += 1
                if time.perf_counter() - start > timeout:
                    _stop(popen)
                    return Measured(None, time.perf_counter() - start, peak, log, timed_out=True, peak_pss_bytes=peak_pss)
                time.sleep(interval)
            seconds = time.perf_counter() - start
        finally:
            _stop(popen)
    return Measured(popen.returncode, seconds, peak, log, peak_pss_bytes=peak_pss)


def fastest(runs: Sequence[Measured]) -> Measured | None:
    """The fastest successful run, with the highest peaks of all runs (memory is not luck)."""
    done = [run for run in runs if run.returncode == 0]
    if not done:
        return None
    best = min(done, key=lambda run: run.seconds)
    pss = [run.peak_pss_bytes for run in done if run.peak_pss_bytes is not None]
    return Measured(
        best.returncode,
        best.seconds,
        max(run.peak_rss_bytes for run in done),
        best.log,
        peak_pss_bytes=max(pss) if pss else None,
    )


# -- the site ------------------------------------------------------------------------------------


def site_figures(site: Path) -> dict[str, Any]:
    """Total bytes, the largest HTML page (bytes and path) and the search index bytes of a built site."""
    total = 0
    pages = 0
    largest, largest_path = 0, ""
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        size = path.stat().st_size
        total += size
        if path.suffix == ".html":
            pages += 1
            if size > largest:
                largest, largest_path = size, str(path.relative_to(site))
    index = site / "search" / "search_index.json"
    search = site / "search"
    return {
        "site_bytes": total,
        "html_pages": pages,
        "largest_html_bytes": largest,
        "largest_html_page": largest_path,
        "search_index_bytes": index.stat().st_size if index.is_file() else None,
        "search_dir_bytes": sum(p.stat().st_size for p in search.rglob("*") if p.is_file()) if search.is_dir() else None,
    }


def _project_config() -> Path | None:
    config = ROOT / "mkdocs.yml"
    return config if config.is_file() else None


def _load_config_dict(path: Path) -> dict[str, Any]:
    """The project's mkdocs.yml as MkDocs reads it (its tags such as ``!ENV`` included)."""
    from mkdocs.utils.yaml import get_yaml_loader, yaml_load  # only the benchmark needs MkDocs here

    with path.open("rb") as handle:
        return yaml_load(handle, get_yaml_loader())


def _plugin_entries(plugins: Any) -> list[Any]:
    if isinstance(plugins, dict):
        return [{name: options} if options else name for name, options in plugins.items()]
    return list(plugins or [])


def _entry_name(entry: Any) -> str:
    return entry if isinstance(entry, str) else next(iter(entry))


def write_config(
    work: Path, name: str, *, docs_dir: str, site_dir: str, plugin: bool, nav: list[Any] | None = None, jobs: int | None = None
) -> Path:
    """A mkdocs.yml in ``work`` that inherits the project's configuration (``INHERIT``).

    The same theme, Markdown extensions, navigation and plugins as the real site; only the
    folders change: the cluster-kb plugin reads ``work/content`` and the theme's ``custom_dir``
    stays the project's. Without ``plugin`` the cluster-kb plugin is dropped and the generated
    pages are plain files (the baseline). ``nav`` is used only when the project has no
    mkdocs.yml of its own. ``strict`` is off so a warning is counted, not fatal. ``jobs`` sets
    the plugin's number of processes (default: its own choice).
    """
    parent = _project_config()
    config: dict[str, Any] = {}
    plugins: list[Any] = ["search"]
    if parent is not None:
        config["INHERIT"] = os.path.relpath(parent, work)
        parent_config = _load_config_dict(parent)
        plugins = _plugin_entries(parent_config.get("plugins", ["search"]))
        custom_dir = (parent_config.get("theme") or {}).get("custom_dir")
        if custom_dir:
            config["theme"] = {"custom_dir": str((parent.parent / custom_dir).resolve())}
    else:
        config["site_name"] = "cluster-kb benchmark"
        config["theme"] = {"name": "material"}
        if nav is not None:
            config["nav"] = nav
    plugins = [p for p in plugins if _entry_name(p) != "cluster-kb"]
    if plugin:
        options: dict[str, Any] = {"content_dir": "content"}
        if jobs is not None:
            options["jobs"] = jobs
        plugins.append({"cluster-kb": options})
    config.update({"docs_dir": docs_dir, "site_dir": site_dir, "plugins": plugins, "strict": False})
    path = work / name
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _copy_docs(target: Path) -> None:
    """The project's hand-written docs/ (stylesheets, about pages), so inherited settings resolve."""
    if (ROOT / "docs").is_dir():
        shutil.copytree(ROOT / "docs", target, dirs_exist_ok=True)
    else:
        target.mkdir(parents=True, exist_ok=True)


# -- page generation without MkDocs ------------------------------------------------------------

_CANDIDATES = (
    ("generator.pages", ("render_pages", "generate_pages", "build_pages", "all_pages", "pages_for", "site_pages")),
    ("generator.render", ("render_site", "render_all", "render_pages", "render_knowledge_base")),
)


def page_generator() -> tuple[str, Callable[[KnowledgeBase], Any]] | None:
    """The core's public "knowledge base -> every page's Markdown" function, if it exists yet."""
    for module_name, names in _CANDIDATES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for name in names:
            function = getattr(module, name, None)
            if callable(function):
                return f"{module_name}.{name}", function
    return None


def _call_generator(function: Callable[..., Any], kb: KnowledgeBase) -> Any:
    """Call it as the plugin does: no generated home page when docs/ has its own index.md."""
    if "home_page" in inspect.signature(function).parameters:
        return function(kb, home_page=not (ROOT / "docs" / "index.md").is_file())
    return function(kb)


def _as_markdown(result: Any) -> dict[str, str]:
    """Normalise the generator's answer to ``{src_uri: markdown}``."""
    if isinstance(result, dict):
        items: Iterator[Any] = iter(result.items())
    else:
        items = iter(result)
    pages: dict[str, str] = {}
    for item in items:
        if isinstance(item, tuple) and len(item) == 2:
            uri, text = item
        else:
            uri = getattr(item, "src_uri", None) or getattr(item, "path", None) or getattr(item, "uri", None)
            text = getattr(item, "markdown", None) or getattr(item, "content", None) or getattr(item, "text", None)
        if uri is None or text is None:
            raise TypeError(f"cannot read a page's path and Markdown from {type(item).__name__}")
        pages[str(uri)] = text if isinstance(text, str) else bytes(text).decode("utf-8")
    return pages


def section_nav(uris: Sequence[str]) -> list[str]:
    """Section-only navigation: the top-level pages and each folder's index page."""
    chosen = [u for u in uris if u.endswith(".md") and (u.count("/") == 0 or (u.count("/") == 1 and u.endswith("/index.md")))]
    return sorted(chosen, key=lambda u: (u != "index.md", u))


# -- mkdocs serve --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _get(url: str, timeout: float = 5.0) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - our own 127.0.0.1 server
            return response.status, response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except (urllib.error.URLError, OSError):
        return 0, ""


def mount_path(config: Path) -> str:
    """Where ``mkdocs serve`` mounts the site: the path of ``site_url`` (``/cluster-kb/``), as MkDocs does."""
    site_url = _load_config_dict(config).get("site_url") or "/"
    return urlsplit(str(site_url)).path or "/"


def page_url_of(site: Path, record_id: str) -> str | None:
    """The URL path of a record's page in a built site (``clusters/<id>/`` or similar)."""
    found = sorted(p for p in site.rglob("index.html") if p.parent.name == record_id)
    if found:
        return "/" + found[0].parent.relative_to(site).as_posix() + "/"
    found = sorted(site.rglob(f"{record_id}.html"))
    if found:
        return "/" + found[0].relative_to(site).as_posix()
    return None


@dataclass
class ServeResult:
    """How long the preview took to show an edit; ``seconds`` is None when it never did."""

    seconds: float | None
    initial_build_s: float | None
    page: str | None
    note: str = ""


def serve_rebuild(
    work: Path, config: Path, record: Path, page: str, *, start_timeout: float, edit_timeout: float, dirty: bool = False
) -> ServeResult:
    """Start ``mkdocs serve`` (``--dirty`` if asked), edit ``record``'s summary, poll ``page`` until it shows the edit."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}" + mount_path(config).rstrip("/")
    log = work / ("serve-dirty.log" if dirty else "serve.log")
    original = record.read_bytes()
    # Livereload stays on: without it mkdocs serve watches nothing and never rebuilds.
    command = [str(BIN / "mkdocs"), "serve", "-f", str(config.resolve()), "--dev-addr", f"127.0.0.1:{port}"]
    command += ["--dirty"] if dirty else []
    with log.open("wb") as out:
        start = time.perf_counter()
        popen = subprocess.Popen(command, cwd=work, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, env=_ENV)
        try:
            status, answered = 0, None
            while time.perf_counter() - start < start_timeout and popen.poll() is None:
                status, body = _get(base + page, timeout=2)
                if status == 200:
                    break
                if status and answered is None:
                    answered = time.perf_counter()
                if answered is not None and time.perf_counter() - answered > 15:
                    break  # the server answers, but not with this page
                time.sleep(0.2)
            if status != 200:
                why = "exited" if popen.poll() is not None else f"answered {status} for {base + page}"
                return ServeResult(None, None, page, f"mkdocs serve {why}; see {log}")
            initial = time.perf_counter() - start
            time.sleep(1.0)  # let the file watcher take its first snapshot
            marker = f"benchedit{int(time.time())}"
            text = original.decode("utf-8")
            if "\nsummary: " not in text:
                return ServeResult(None, initial, page, "the record has no summary to edit")
            edited = text.replace("\nsummary: ", f"\nsummary: {marker.capitalize()} ", 1)
            edited_at = time.perf_counter()
            record.write_text(edited, encoding="utf-8")
            while time.perf_counter() - edited_at < edit_timeout and popen.poll() is None:
                status, body = _get(base + page, timeout=5)
                if status == 200 and marker in body.lower():
                    return ServeResult(time.perf_counter() - edited_at, initial, page)
                time.sleep(0.05)
            return ServeResult(None, initial, page, f"edit not shown after {edit_timeout:.0f} s; see {log}")
        finally:
            _stop(popen)
            record.write_bytes(original)


# -- one size ----------------------------------------------------------------------------------


@dataclass
class SizeResult:
    """Every figure measured at one size; None where it could not be measured (see ``notes``)."""

    clusters: int
    records: int = 0
    synth_s: float | None = None
    load_s: float | None = None
    load_records_per_s: float | None = None
    generation_s: float | None = None
    generated_pages: int | None = None
    build_s: float | None = None
    build_processes: int | None = None
    peak_rss_bytes: int | None = None
    peak_pss_bytes: int | None = None
    build_one_process_s: float | None = None
    one_process_ratio: float | None = None
    site_bytes: int | None = None
    html_pages: int | None = None
    largest_html_bytes: int | None = None
    largest_html_page: str | None = None
    search_index_bytes: int | None = None
    search_dir_bytes: int | None = None
    baseline_build_s: float | None = None
    baseline_peak_rss_bytes: int | None = None
    baseline_peak_pss_bytes: int | None = None
    baseline_site_bytes: int | None = None
    baseline_search_index_bytes: int | None = None
    overhead_ratio: float | None = None
    serve_rebuild_s: float | None = None
    serve_dirty_rebuild_s: float | None = None
    build_warnings: int | None = None
    serve_initial_build_s: float | None = None
    notes: list[str] = field(default_factory=list)


def bench_size(
    clusters: int,
    work_root: Path,
    *,
    seed: int,
    build_timeout: float,
    serve: bool,
    say: Callable[[str], None],
    repeat: int = 2,
) -> SizeResult:
    """Measure everything at one size; a step that fails is noted and the rest carries on."""
    result = SizeResult(clusters)
    work = (work_root / f"n{clusters}").resolve()
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    content = work / "content"

    start = time.perf_counter()
    counts = write_knowledge_base(content, clusters, seed)
    result.synth_s = time.perf_counter() - start
    result.records = sum(counts.values())
    say(f"n={clusters}: synth {result.records} records in {result.synth_s:.2f} s")

    gc.collect()  # the synth's garbage is not the loader's cost
    start = time.perf_counter()
    kb = load_knowledge_base(content)
    result.load_s = time.perf_counter() - start
    result.load_records_per_s = len(kb) / result.load_s
    say(f"n={clusters}: load+validate {result.load_s:.2f} s ({result.load_records_per_s:,.0f} records/s)")

    markdown: dict[str, str] | None = None
    generator = page_generator()
    if generator is None:
        result.notes.append("page generation: no public pages function yet (generator.pages / generator.render)")
    else:
        name, function = generator
        try:
            start = time.perf_counter()
            markdown = _as_markdown(_call_generator(function, kb))
            result.generation_s = time.perf_counter() - start
            result.generated_pages = len(markdown)
            say(f"n={clusters}: {name} -> {len(markdown)} pages in {result.generation_s:.2f} s")
        except Exception as exc:  # the bench reports, it does not stop: one figure missing is still news
            result.notes.append(f"page generation via {name} failed: {type(exc).__name__}: {exc}")
            markdown = None
    del kb

    # The builds: with the plugin (its own choice of processes, then one process) and the
    # baseline (the generated Markdown as plain pages, plain mkdocs-material), interleaved.
    _copy_docs(work / "docs")
    builds: dict[str, tuple[list[str], list[Measured]]] = {}
    config = write_config(work, "mkdocs.yml", docs_dir="docs", site_dir="site", plugin=True)
    builds["full"] = ([str(BIN / "mkdocs"), "build", "-f", str(config), "--clean"], [])
    one = write_config(work, "mkdocs-one.yml", docs_dir="docs", site_dir="site-one", plugin=True, jobs=1)
    builds["one process"] = ([str(BIN / "mkdocs"), "build", "-f", str(one), "--clean"], [])
    if markdown is not None:
        docs = work / "baseline-docs"
        _copy_docs(docs)
        for uri, text in markdown.items():
            target = docs / uri
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        base_config = write_config(
            work,
            "mkdocs-baseline.yml",
            docs_dir="baseline-docs",
            site_dir="baseline-site",
            plugin=False,
            nav=section_nav(list(markdown)),
        )
        builds["baseline"] = ([str(BIN / "mkdocs"), "build", "-f", str(base_config), "--clean"], [])
    else:
        result.notes.append("baseline: needs the generated Markdown (page generation)")
    for attempt in range(1, repeat + 1):
        for name, (command, runs) in builds.items():
            if runs and runs[-1].returncode != 0:
                continue  # a build that failed once is reported, not retried
            log = work / f"{name.replace(' ', '-')}-{attempt}.log"
            run = measure(command, work, log, build_timeout)
            runs.append(run)
            if run.returncode == 0:
                say(f"n={clusters}: {name} build {run.seconds:.1f} s (run {attempt} of {repeat})")
            else:
                why = f"timed out after {build_timeout:.0f} s" if run.timed_out else f"exit {run.returncode}"
                result.notes.append(f"{name} build {why}: {run.tail(5)}")
                say(f"n={clusters}: {name} build {why}\n{run.tail()}")

    full = fastest(builds["full"][1])
    if full is not None:
        result.build_s, result.peak_rss_bytes, result.peak_pss_bytes = full.seconds, full.peak_rss_bytes, full.peak_pss_bytes
        for key, value in site_figures(work / "site").items():
            setattr(result, key, value)
        log_text = full.tail(10**9)
        warnings = [line for line in log_text.splitlines() if line.startswith("WARNING")]
        result.build_warnings = len(warnings)
        if warnings:
            result.notes.append(f"full build logged {len(warnings)} warnings, first: {warnings[0]}")
        processes = re.search(r"in (\d+) processes", log_text)
        result.build_processes = int(processes.group(1)) if processes else 1
        peak = f"peak RSS {full.peak_rss_bytes / MB:,.0f} MB" + (
            f", PSS {full.peak_pss_bytes / MB:,.0f} MB" if full.peak_pss_bytes is not None else ""
        )
        say(f"n={clusters}: full build {full.seconds:.1f} s in {result.build_processes} processes, {peak}")
    one_run = fastest(builds["one process"][1])
    if one_run is not None:
        result.build_one_process_s = one_run.seconds
    if "baseline" in builds and (base := fastest(builds["baseline"][1])) is not None:
        result.baseline_build_s, result.baseline_peak_rss_bytes = base.seconds, base.peak_rss_bytes
        result.baseline_peak_pss_bytes = base.peak_pss_bytes
        figures = site_figures(work / "baseline-site")
        result.baseline_site_bytes = figures["site_bytes"]
        result.baseline_search_index_bytes = figures["search_index_bytes"]
        if result.build_s:
            result.overhead_ratio = result.build_s / base.seconds
        if result.build_one_process_s:
            result.one_process_ratio = result.build_one_process_s / base.seconds

    # Preview rebuild after one record changes.
    if serve and result.build_s is not None:
        record = sorted((content / "clusters").glob("*.yaml"))[0]
        page = page_url_of(work / "site", record.stem)
        if page is None:
            result.notes.append(f"serve: no page found for cluster '{record.stem}' in the built site")
        else:
            for dirty in (False, True):
                name = "serve --dirty" if dirty else "serve"
                outcome = serve_rebuild(work, config, record, page, start_timeout=build_timeout, edit_timeout=120, dirty=dirty)
                if dirty:
                    result.serve_dirty_rebuild_s = outcome.seconds
                else:
                    result.serve_rebuild_s, result.serve_initial_build_s = outcome.seconds, outcome.initial_build_s
                if outcome.note:
                    result.notes.append(f"{name}: {outcome.note}")
                shown = f"{outcome.seconds:.2f} s" if outcome.seconds is not None else outcome.note
                say(f"n={clusters}: {name}: edit of {page} shown after {shown}")
    return result


# -- report ----------------------------------------------------------------------------------


def _fmt_s(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}" if value < 10 else f"{value:.1f}"


def _fmt_mb(value: int | None) -> str:
    return "n/a" if value is None else f"{value / MB:,.1f} MB" if value >= MB else f"{value / 1000:,.1f} KB"


def _fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


ROWS: tuple[tuple[str, str, Callable[[Any], str]], ...] = (
    ("records", "records", lambda v: f"{v:,}"),
    ("load+validate (s)", "load_s", _fmt_s),
    ("load+validate (records/s)", "load_records_per_s", lambda v: "n/a" if v is None else f"{v:,.0f}"),
    ("page generation (s)", "generation_s", _fmt_s),
    ("generated pages", "generated_pages", lambda v: "n/a" if v is None else f"{v:,}"),
    ("full mkdocs build (s)", "build_s", _fmt_s),
    ("  processes it used", "build_processes", lambda v: "n/a" if v is None else f"{v}"),
    ("full build in one process (s)", "build_one_process_s", _fmt_s),
    ("baseline build, plain pages (s)", "baseline_build_s", _fmt_s),
    ("full / baseline", "overhead_ratio", _fmt_ratio),
    ("one process / baseline", "one_process_ratio", _fmt_ratio),
    ("peak RSS, full build (all processes)", "peak_rss_bytes", _fmt_mb),
    ("peak PSS, full build (all processes)", "peak_pss_bytes", _fmt_mb),
    ("peak RSS, baseline build", "baseline_peak_rss_bytes", _fmt_mb),
    ("HTML pages", "html_pages", lambda v: "n/a" if v is None else f"{v:,}"),
    ("total site size", "site_bytes", _fmt_mb),
    ("largest HTML page", "largest_html_bytes", _fmt_mb),
    ("search index (first search)", "search_index_bytes", _fmt_mb),
    ("search index, baseline", "baseline_search_index_bytes", _fmt_mb),
    ("serve: edit shown after (s)", "serve_rebuild_s", _fmt_s),
    ("serve --dirty: edit shown after (s)", "serve_dirty_rebuild_s", _fmt_s),
)


def format_table(results: Sequence[SizeResult]) -> str:
    """One aligned plain-text table: a row per figure, a column per size."""
    header = ["clusters", *(f"{r.clusters:,}" for r in results)]
    rows = [header]
    for label, key, fmt in ROWS:
        cells = []
        for r in results:
            value = getattr(r, key)
            if key.startswith("serve_") and r.clusters != SERVE_SIZE:
                cells.append("-")
            else:
                cells.append(fmt(value) if value is not None or key == "records" else "n/a")
        rows.append([label, *cells])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for number, row in enumerate(rows):
        lines.append("  ".join([row[0].ljust(widths[0]), *(cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True))]))
        if number == 0:
            lines.append("  ".join("-" * w for w in widths))
    largest = [f"  largest page at {r.clusters:,}: {r.largest_html_page}" for r in results if r.largest_html_page]
    return "\n".join(lines + largest)


def check_targets(results: Sequence[SizeResult]) -> list[dict[str, Any]]:
    """Each of issue 6's targets at its size: met, missed, or not measured in this run."""
    by_size = {r.clusters: r for r in results}
    checks = []
    for target in TARGETS:
        r = by_size.get(target.size)
        value = getattr(r, target.key) if r else None
        met = target.check(value)
        checks.append(
            {"target": target.text, "size": target.size, "key": target.key, "value": value, "limit": target.limit, "met": met}
        )
    return checks


def format_targets(checks: Sequence[dict[str, Any]]) -> str:
    lines = ["Targets (issue 6):"]
    for check in checks:
        state = {True: "met   ", False: "MISSED", None: "n/a   "}[check["met"]]
        value = check["value"]
        shown = "not measured" if value is None else f"{value:,.2f}" if isinstance(value, float) else f"{value:,}"
        lines.append(f"  {state} {check['target']} (measured: {shown}, limit: {check['limit']:,})")
    return "\n".join(lines)


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    commit = None
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        commit = (
            subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
            or None
        )
    packages = ("mkdocs", "mkdocs-material", "pyyaml", "pydantic", "jinja2", "markdown", "nh3", "psutil", "cluster-kb")
    return {
        "nproc": os.cpu_count(),
        "affinity_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_bytes": psutil.virtual_memory().total,
        "cpu_model": cpu,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "packages": {name: _version(name) for name in packages},
        "libyaml": bool(getattr(yaml, "__with_libyaml__", False)),
        "git_commit": commit,
    }


def run_benchmark(
    sizes: Sequence[int],
    work_root: Path,
    *,
    seed: int,
    build_timeout: float,
    serve: bool,
    say: Callable[[str], None],
    repeat: int = 2,
) -> list[SizeResult]:
    """Measure every size in turn."""
    results = []
    for size in sizes:
        results.append(
            bench_size(
                size,
                work_root,
                seed=seed,
                build_timeout=build_timeout,
                serve=serve and size == SERVE_SIZE,
                say=say,
                repeat=repeat,
            )
        )
    return results


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma-separated list of whole numbers, e.g. 100,1000") from None
    if not sizes or any(size < 0 for size in sizes):
        raise argparse.ArgumentTypeError("give one or more sizes of 0 or more, e.g. 100,1000")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print the table and the targets; write the JSON results."""
    parser = argparse.ArgumentParser(prog="python -m generator.bench", description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--sizes", type=_sizes, default=list(DEFAULT_SIZES), help="comma-separated cluster counts (default: 100,1000,10000)"
    )
    parser.add_argument(
        "--work", type=Path, default=ROOT / "bench" / "work", help="scratch folder (default: bench/work, not committed)"
    )
    parser.add_argument(
        "--results", type=Path, default=ROOT / "bench" / "results.json", help="JSON output (default: bench/results.json)"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"synth seed (default: {DEFAULT_SEED})")
    parser.add_argument("--build-timeout", type=float, default=1200.0, help="seconds before a build is stopped (default: 1200)")
    parser.add_argument("--no-serve", dest="serve", action="store_false", help="skip the mkdocs serve rebuild measurement")
    parser.add_argument(
        "--repeat",
        type=int,
        default=2,
        choices=range(1, 11),
        metavar="N",
        help="runs of each build, interleaved; the fastest counts (default: 2)",
    )
    parser.add_argument("--keep", action="store_true", help="keep bench/work afterwards (default: remove the built sites)")
    options = parser.parse_args(argv)

    # `timeout` and Ctrl-C stop the benchmark through its finally blocks: servers stopped, records restored.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = datetime.now(UTC)
    results = run_benchmark(
        options.sizes,
        options.work,
        seed=options.seed,
        build_timeout=options.build_timeout,
        serve=options.serve,
        say=say,
        repeat=options.repeat,
    )
    checks = check_targets(results)
    print(format_table(results))
    print()
    print(format_targets(checks))
    notes = [f"  {r.clusters:,}: {note}" for r in results for note in r.notes]
    if notes:
        print("\nNotes:\n" + "\n".join(notes))
    payload = {
        "started": started.isoformat(timespec="seconds"),
        "seed": options.seed,
        "repeat": options.repeat,
        "machine": machine(),
        "results": [asdict(r) for r in results],
        "targets": checks,
        "table": format_table(results),
    }
    options.results.parent.mkdir(parents=True, exist_ok=True)
    options.results.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {options.results}")
    if not options.keep:
        shutil.rmtree(options.work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
