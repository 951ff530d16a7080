"""``make bench`` (``.venv/bin/python bench/bench.py``): speed, memory and size at 100, 1,000 and 10,000 clusters.

For each size N, in ``bench/work/n<N>/`` (removed at the end unless ``--keep``):

1. ``synth``: a synthetic knowledge base of N clusters (every record ``synthetic: true``).
2. load+validate, in this process (seconds, records per second).
3. page generation, in this process, without MkDocs: every page's HTML in the three languages.
4. builds, each a ``mkdocs build`` subprocess whose peak memory is polled over its process tree
   (RSS summed, each address space once, and PSS, which splits shared pages), each run ``--repeat`` times, interleaved, the
   fastest kept (this machine's speed drifts between runs; compare the ratios, which are measured
   side by side in one run):

   * **full**: the site as people build it: three languages, Pagefind search, cooperation leads;
   * **one language**: the same with ``languages: [en]``;
   * **no leads** (1,000 and 10,000): the full build without cooperation leads;
   * **baseline**: plain mkdocs-material on the same pages (every page of the three languages as
     a Markdown file holding its HTML, material's own search plugin, no cluster-kb plugin), so
     full / baseline is what the project's way of building costs or saves.

5. the built site: total size, the largest HTML page, Pagefind's files, the directory's data file
   gzipped, the largest inline map; with Chromium (``--no-browser`` skips it), the bytes the first
   search downloads in each language, measured in a real browser.
6. at N = 1,000: ``mkdocs serve --dirty`` (what ``make serve`` runs); one cluster's YAML is edited
   and its page polled until it shows the edit.
7. once: the matchmaking benchmark (``bench/matchmaking.py``): the optimal plan for 1,000 x 1,000
   clusters and the leads of 10,000.

It prints one table and each issue's targets, met or missed, and writes the figures with the
machine they ran on to ``bench/results.json``. Every wait is bounded; servers are always stopped.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "generator") not in sys.path:  # a checkout without the package installed
    sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psutil  # noqa: E402
import yaml  # noqa: E402
from cluster_kb.knowledge import load_knowledge_base  # noqa: E402
from cluster_kb.site.content import SiteContent  # noqa: E402
from cluster_kb.site.urls import in_language, src_uri  # noqa: E402
from cluster_kb.synth import DEFAULT_SEED, write_knowledge_base  # noqa: E402

__all__ = ["DEFAULT_SIZES", "TARGETS", "main", "run_benchmark"]

DEFAULT_SIZES = (100, 1_000, 10_000)
SERVE_SIZE = 1_000
NO_LEADS_SIZES = (1_000, 10_000)
BIN = Path(sys.executable).parent
MB = 1_000_000
_ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@dataclass
class Target:
    """One target: a figure, the size it applies at, the limit, and the issue that sets it."""

    key: str
    size: int
    limit: float
    text: str
    issue: int
    at_least: bool = False

    def check(self, value: float | None) -> bool | None:
        if value is None:
            return None
        return value >= self.limit if self.at_least else value <= self.limit


TARGETS: tuple[Target, ...] = (
    Target("load_records_per_s", 10_000, 5_000, "load+validate at least 5,000 records/s", 6, at_least=True),
    Target("load_s", 10_000, 2.0, "load+validate 10,000 clusters in 2 s or less", 6),
    Target(
        "full_over_baseline", 10_000, 0.80, "full build (one process) at most 0.8x plain mkdocs-material on the same pages", 10
    ),
    Target("languages_ratio", 10_000, 2.0, "three-language build at most 2x the one-language build", 13),
    Target("peak_rss_bytes", 10_000, 1_500 * MB, "peak memory of the three-language build under 1.5 GB (RSS)", 13),
    Target("largest_html_bytes", 10_000, 100_000, "no HTML page over 100 KB", 6),
    Target("first_search_bytes", 10_000, 1 * MB, "the first search downloads at most 1 MB, in each language", 13),
    Target("leads_overhead", 10_000, 1.05, "cooperation leads slow the build by at most 5%", 14),
    Target("directory_gzip_bytes", 10_000, 300_000, "the directory's data file at most 300 KB gzipped", 15),
    Target("largest_map_bytes", 10_000, 30_000, "at most 30 KB of map per page", 15),
    Target("serve_dirty_rebuild_s", SERVE_SIZE, 2.0, "preview (make serve) shows an edit within 2 s", 10),
    Target("match_plan_s", 0, 5.0, "optimal plan and timetable, 1,000 x 1,000 clusters, in 5 s or less", 14),
)


# -- measuring a process -----------------------------------------------------------------------


@dataclass
class Measured:
    returncode: int | None
    seconds: float
    peak_rss_bytes: int
    peak_pss_bytes: int | None
    log: Path
    timed_out: bool = False

    def tail(self, lines: int = 12) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        return ""


def _tree(process: psutil.Process) -> list[psutil.Process]:
    with contextlib.suppress(psutil.Error):
        return [process, *process.children(recursive=True)]
    return [process]


def _tree_rss(process: psutil.Process) -> int:
    """The resident memory of ``process`` and its children, each address space counted once.

    A child still on its parent's command line is between fork and exec: Python starts Pagefind
    with vfork, so until the exec that child *is* its parent's memory, and its RSS (its USS too: the
    pages are mapped once, by the one address space) is the parent's. Summing every RSS counted the
    build twice whenever a poll fell then (4 December, 10,000 clusters: a child named ``mkdocs``
    with the parent's 884 MB, beside the parent and a Pagefind run: 2.0 GB reported for 1.1 GB in
    use). Such a child adds nothing; a build never keeps a child that does not exec.
    """
    tree = _tree(process)
    commands: dict[int, list[str]] = {}  # each process's command line, read once per poll
    for proc in tree:
        with contextlib.suppress(psutil.Error):
            commands[proc.pid] = proc.cmdline()
    total = 0
    for proc in tree:
        with contextlib.suppress(psutil.Error):
            command = commands.get(proc.pid)
            if proc.pid == process.pid or command is None or commands.get(proc.ppid()) != command:
                total += proc.memory_info().rss
    return total


def _tree_pss(process: psutil.Process) -> int | None:
    total = 0
    for proc in _tree(process):
        try:
            total += proc.memory_full_info().pss
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
        except (psutil.Error, AttributeError):
            return None
    return total


def _stop(popen: subprocess.Popen[bytes]) -> None:
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


def measure(command: Sequence[str], cwd: Path, log: Path, timeout: float) -> Measured:
    """Run ``command``; poll its process tree's RSS (and PSS every fifth poll) until it ends."""
    peak, peak_pss, polls = 0, None, 0
    with log.open("wb") as out:
        start = time.perf_counter()
        popen = subprocess.Popen(list(command), cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, env=_ENV)
        try:
            process = psutil.Process(popen.pid)
            while popen.poll() is None:
                peak = max(peak, _tree_rss(process))
                if polls % 5 == 0 and (pss := _tree_pss(process)) is not None:
                    peak_pss = max(peak_pss or 0, pss)
                polls += 1
                if time.perf_counter() - start > timeout:
                    _stop(popen)
                    return Measured(None, time.perf_counter() - start, peak, peak_pss, log, timed_out=True)
                time.sleep(0.05)
            seconds = time.perf_counter() - start
        finally:
            _stop(popen)
    return Measured(popen.returncode, seconds, peak, peak_pss, log)


def settle(site: Path) -> None:
    """Before a measured build, outside its time: remove the site its previous run wrote and flush
    every write to disk. Otherwise a build would pay for emptying a folder of 1.1 GB of pages, and
    for the pages of the build before it still going to disk: each run starts as the first did."""
    shutil.rmtree(site, ignore_errors=True)
    os.sync()


def fastest(runs: Sequence[Measured]) -> Measured | None:
    """The fastest successful run, with the highest memory of all runs (memory is not luck)."""
    done = [r for r in runs if r.returncode == 0]
    if not done:
        return None
    best = min(done, key=lambda r: r.seconds)
    pss = [r.peak_pss_bytes for r in done if r.peak_pss_bytes is not None]
    return Measured(0, best.seconds, max(r.peak_rss_bytes for r in done), max(pss) if pss else None, best.log)


def paired_ratios(first: Sequence[Measured], second: Sequence[Measured]) -> list[float]:
    """``first`` over ``second``, run by run: the builds of one attempt ran one after the other, so
    each ratio is measured side by side, and their spread shows how much the machine drifted. An
    attempt in which either build failed gives none."""
    pairs = zip(first, second, strict=False)  # a build that failed was not run again
    return [a.seconds / b.seconds for a, b in pairs if a.returncode == 0 and b.returncode == 0]


# -- configurations ------------------------------------------------------------------------------


def _project_config() -> dict[str, Any]:
    from mkdocs.utils.yaml import get_yaml_loader, yaml_load

    with (ROOT / "mkdocs.yml").open("rb") as handle:
        config: dict[str, Any] = yaml_load(handle, get_yaml_loader())
    return config


def write_config(work: Path, name: str, site_dir: str, **plugin: Any) -> Path:
    """A mkdocs.yml inheriting the project's, building ``work/content`` with the given plugin options."""
    options = {"content_dir": "content", **plugin}
    config = {
        "INHERIT": os.path.relpath(ROOT / "mkdocs.yml", work),
        "docs_dir": str(ROOT / "docs"),
        "site_dir": site_dir,
        "strict": False,
        "plugins": [{"cluster-kb": options}],
    }
    path = work / name
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


BASELINE_SITE = "baseline-site"


def write_baseline(work: Path, site: SiteContent) -> Path:
    """The same pages for plain mkdocs-material: each page's HTML in a Markdown file, material's search.

    The hand-written pages are copied as they are; the navigation lists the sections only.
    """
    docs = work / "baseline-docs"
    shutil.copytree(ROOT / "docs", docs)
    for spec, lang in site.pages():
        page = site.render(spec, lang)
        target = docs / src_uri(page.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        title = json.dumps(page.title, ensure_ascii=False)
        target.write_text(f"---\ntitle: {title}\n---\n\n{page.content}", encoding="utf-8")
    project = _project_config()
    nav = [{entry.title: src_uri(entry.path)} for entry in site.navigation("en")] + project.get("nav", [])
    config = {
        "INHERIT": os.path.relpath(ROOT / "mkdocs.yml", work),
        "docs_dir": str(docs),
        "site_dir": BASELINE_SITE,
        "strict": False,
        "plugins": ["search"],
        "nav": nav,
        "validation": {"omitted_files": "ignore", "unrecognized_links": "ignore", "links": {"anchors": "ignore"}},
    }
    path = work / "mkdocs-baseline.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


# -- the built site ------------------------------------------------------------------------------

_MAP = re.compile(r'<figure class="kb-map">.*?</figure>', re.S)


def site_figures(site: Path) -> dict[str, Any]:
    total, pages, largest, largest_path, largest_map = 0, 0, 0, "", 0
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        size = path.stat().st_size
        total += size
        if path.suffix == ".html":
            pages += 1
            if size > largest:
                largest, largest_path = size, str(path.relative_to(site))
            if path.parent.parent.name == "territories" or path.parent.name == "territories":
                found = _MAP.search(path.read_text(encoding="utf-8"))
                if found:
                    largest_map = max(largest_map, len(found.group(0).encode("utf-8")))
    pagefind = site / "pagefind"
    directory = site / "data" / "directory.json"
    return {
        "site_bytes": total,
        "html_pages": pages,
        "largest_html_bytes": largest,
        "largest_html_page": largest_path,
        "largest_map_bytes": largest_map or None,
        "pagefind_bytes": sum(p.stat().st_size for p in pagefind.rglob("*") if p.is_file()) if pagefind.is_dir() else None,
        "directory_bytes": directory.stat().st_size if directory.is_file() else None,
        "directory_gzip_bytes": len(gzip.compress(directory.read_bytes(), 6, mtime=0)) if directory.is_file() else None,
    }


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def first_search_bytes(site: Path, words: dict[str, str]) -> dict[str, int] | None:
    """What the first search downloads in each language, in a real Chromium (None without one)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        return None
    from playwright.sync_api import sync_playwright

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    found: dict[str, int] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            for lang, word in words.items():
                page = browser.new_page()
                sizes: list[int] = []

                def on_response(response: Any, sizes: list[int] = sizes) -> None:
                    if "/pagefind/" in response.url:
                        with contextlib.suppress(Exception):
                            sizes.append(len(response.body()))

                page.on("response", on_response)
                page.goto(base + in_language("search/", lang) + f"?q={word}", wait_until="networkidle")
                page.locator(".pagefind-ui__result-link").first.wait_for(timeout=30_000)
                page.wait_for_load_state("networkidle")
                found[lang] = sum(sizes)
                page.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return found


# -- mkdocs serve ----------------------------------------------------------------------------------


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


def serve_rebuild(work: Path, config: Path, record: Path, page: str, timeout: float) -> tuple[float | None, str]:
    """Start ``mkdocs serve --dirty``, edit ``record``'s summary, poll ``page`` until it shows the edit."""
    from urllib.parse import urlsplit

    port = _free_port()
    mount = urlsplit(str(_project_config().get("site_url") or "/")).path.rstrip("/")
    base = f"http://127.0.0.1:{port}{mount}"
    original = record.read_bytes()
    command = [str(BIN / "mkdocs"), "serve", "-f", str(config), "--dev-addr", f"127.0.0.1:{port}", "--dirty"]
    with (work / "serve.log").open("wb") as out:
        start = time.perf_counter()
        popen = subprocess.Popen(command, cwd=work, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, env=_ENV)
        try:
            while time.perf_counter() - start < timeout and popen.poll() is None:
                if _get(base + page, timeout=2)[0] == 200:
                    break
                time.sleep(0.2)
            else:
                return None, "mkdocs serve did not answer"
            # A manager edits a running preview: wait until the first build's search index is written
            # (it runs after the pages, and would otherwise compete with the rebuild for the CPU).
            for lang in ("en", "es", "ca"):
                entry = f"{base}/pagefind/{lang}/pagefind-entry.json"
                while time.perf_counter() - start < timeout and _get(entry, timeout=2)[0] != 200:
                    time.sleep(0.2)
            time.sleep(1.0)  # the file watcher's first snapshot
            marker = f"benchedit{int(time.time())}"
            text = original.decode("utf-8")
            edited = text.replace("\nsummary: ", f"\nsummary: {marker.capitalize()} ", 1)
            edited_at = time.perf_counter()
            record.write_text(edited, encoding="utf-8")
            while time.perf_counter() - edited_at < 120 and popen.poll() is None:
                status, body = _get(base + page, timeout=5)
                if status == 200 and marker in body.lower():
                    return time.perf_counter() - edited_at, ""
                time.sleep(0.05)
            return None, "the edit never showed"
        finally:
            _stop(popen)
            record.write_bytes(original)


# -- one size --------------------------------------------------------------------------------------


@dataclass
class SizeResult:
    clusters: int
    records: int = 0
    load_s: float | None = None
    load_records_per_s: float | None = None
    generation_s: float | None = None
    generated_pages: int | None = None
    builds: dict[str, dict[str, Any]] = field(default_factory=dict)
    full_s: float | None = None
    one_language_s: float | None = None
    no_leads_s: float | None = None
    baseline_s: float | None = None
    full_over_baseline: float | None = None
    languages_ratio: float | None = None
    languages_ratio_runs: list[float] = field(default_factory=list)
    """The ratio of each attempt's two builds, in order (``languages_ratio`` is fastest over fastest)."""
    leads_overhead: float | None = None
    peak_rss_bytes: int | None = None
    peak_pss_bytes: int | None = None
    one_language_rss_bytes: int | None = None
    baseline_rss_bytes: int | None = None
    html_pages: int | None = None
    site_bytes: int | None = None
    largest_html_bytes: int | None = None
    largest_html_page: str | None = None
    largest_map_bytes: int | None = None
    pagefind_bytes: int | None = None
    directory_bytes: int | None = None
    directory_gzip_bytes: int | None = None
    first_search_bytes: int | None = None
    first_search_by_language: dict[str, int] | None = None
    serve_dirty_rebuild_s: float | None = None
    notes: list[str] = field(default_factory=list)


def bench_size(
    clusters: int, root: Path, *, seed: int, repeat: int, timeout: float, serve: bool, browser: bool, say: Callable[[str], None]
) -> SizeResult:
    result = SizeResult(clusters)
    work = root / f"n{clusters}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    counts = write_knowledge_base(work / "content", clusters, seed)
    result.records = sum(counts.values())
    say(f"n={clusters:,}: {result.records:,} synthetic records")

    started = time.perf_counter()
    kb = load_knowledge_base(work / "content")
    result.load_s = time.perf_counter() - started
    result.load_records_per_s = result.records / result.load_s if result.load_s else None
    say(f"n={clusters:,}: load+validate {result.load_s:.2f} s")

    started = time.perf_counter()
    site = SiteContent(kb)
    pages = sum(1 for spec, lang in site.pages() if site.render(spec, lang))
    result.generation_s, result.generated_pages = time.perf_counter() - started, pages
    say(f"n={clusters:,}: {pages:,} pages generated (three languages) in {result.generation_s:.1f} s, without MkDocs")

    def mkdocs(config: Path) -> list[str]:
        return [str(BIN / "mkdocs"), "build", "-f", str(config)]

    builds: dict[str, tuple[str, list[str]]] = {  # name -> (the site folder it writes, its command)
        "full": ("site", mkdocs(write_config(work, "mkdocs-full.yml", "site"))),
        "one language": ("site-en", mkdocs(write_config(work, "mkdocs-en.yml", "site-en", languages=["en"]))),
    }
    if clusters in NO_LEADS_SIZES:
        builds["no leads"] = ("site-no-leads", mkdocs(write_config(work, "mkdocs-no-leads.yml", "site-no-leads", leads=False)))
    builds["baseline"] = (BASELINE_SITE, mkdocs(write_baseline(work, site)))
    del kb, site
    runs: dict[str, list[Measured]] = {name: [] for name in builds}
    for attempt in range(1, repeat + 1):
        for name, (site_dir, command) in builds.items():
            if runs[name] and runs[name][-1].returncode != 0:
                continue
            settle(work / site_dir)
            run = measure(command, work, work / f"{name.replace(' ', '-')}-{attempt}.log", timeout)
            runs[name].append(run)
            state = f"{run.seconds:.1f} s, {run.peak_rss_bytes / MB:,.0f} MB" if run.returncode == 0 else f"FAILED\n{run.tail()}"
            say(f"n={clusters:,}: {name} build, run {attempt}: {state}")
    best = {name: fastest(found) for name, found in runs.items()}
    for name, run in best.items():
        if run is None:
            result.notes.append(f"the {name} build failed: {runs[name][-1].tail(5) if runs[name] else ''}")
            continue
        result.builds[name] = {"seconds": run.seconds, "peak_rss_bytes": run.peak_rss_bytes, "peak_pss_bytes": run.peak_pss_bytes}
    full, one, none, base = best.get("full"), best.get("one language"), best.get("no leads"), best.get("baseline")
    if full:
        result.full_s, result.peak_rss_bytes, result.peak_pss_bytes = full.seconds, full.peak_rss_bytes, full.peak_pss_bytes
        for key, value in site_figures(work / "site").items():
            setattr(result, key, value)
        if browser:
            try:
                by_language = first_search_bytes(work / "site", {"en": "cluster", "es": "clúster", "ca": "clúster"})
            except Exception as exc:  # the bench reports, it does not stop
                result.notes.append(f"first search: {type(exc).__name__}: {exc}")
                by_language = None
            if by_language:
                result.first_search_by_language = by_language
                result.first_search_bytes = max(by_language.values())
    if one:
        result.one_language_s, result.one_language_rss_bytes = one.seconds, one.peak_rss_bytes
    if none:
        result.no_leads_s = none.seconds
    if base:
        result.baseline_s, result.baseline_rss_bytes = base.seconds, base.peak_rss_bytes
    if full and base:
        result.full_over_baseline = full.seconds / base.seconds
    if full and one:
        result.languages_ratio = full.seconds / one.seconds
        result.languages_ratio_runs = paired_ratios(runs["full"], runs["one language"])
    if full and none:
        result.leads_overhead = full.seconds / none.seconds

    if serve and full:
        record = sorted((work / "content" / "clusters").glob("*.yaml"))[0]
        seconds, note = serve_rebuild(work, work / "mkdocs-full.yml", record, f"/clusters/{record.stem}/", timeout)
        result.serve_dirty_rebuild_s = seconds
        if note:
            result.notes.append(f"serve: {note}")
        say(f"n={clusters:,}: serve --dirty: edit shown after {seconds:.2f} s" if seconds else f"n={clusters:,}: serve: {note}")
    return result


# -- the report --------------------------------------------------------------------------------------


def _s(v: Any) -> str:
    return "n/a" if v is None else f"{v:.2f}" if v < 10 else f"{v:.1f}"


def _mb(v: Any) -> str:
    return "n/a" if v is None else f"{v / MB:,.1f} MB" if v >= MB else f"{v / 1000:,.1f} KB"


def _x(v: Any) -> str:
    return "n/a" if v is None else f"{v:.2f}x"


def _spread(v: Any) -> str:
    """The lowest and highest of several ratios (``1.99-2.10x``), or one when they read the same."""
    if not v:
        return "n/a"
    low, high = f"{min(v):.2f}", f"{max(v):.2f}"
    return f"{low}x" if low == high else f"{low}-{high}x"


def _n(v: Any) -> str:
    return "n/a" if v is None else f"{v:,.0f}"


ROWS: tuple[tuple[str, str, Callable[[Any], str]], ...] = (
    ("records", "records", _n),
    ("load+validate (s)", "load_s", _s),
    ("load+validate (records/s)", "load_records_per_s", _n),
    ("pages, three languages", "generated_pages", _n),
    ("generation without MkDocs (s)", "generation_s", _s),
    ("full build, 3 languages (s)", "full_s", _s),
    ("one-language build (s)", "one_language_s", _s),
    ("  3 languages / 1 language", "languages_ratio", _x),
    ("    run by run", "languages_ratio_runs", _spread),
    ("baseline: plain material (s)", "baseline_s", _s),
    ("  full / baseline", "full_over_baseline", _x),
    ("full build without leads (s)", "no_leads_s", _s),
    ("  with / without leads", "leads_overhead", _x),
    ("peak RSS, full build", "peak_rss_bytes", _mb),
    ("peak PSS, full build", "peak_pss_bytes", _mb),
    ("peak RSS, one language", "one_language_rss_bytes", _mb),
    ("peak RSS, baseline", "baseline_rss_bytes", _mb),
    ("HTML pages", "html_pages", _n),
    ("site size", "site_bytes", _mb),
    ("largest HTML page", "largest_html_bytes", _mb),
    ("largest map in a page", "largest_map_bytes", _mb),
    ("Pagefind index (all languages)", "pagefind_bytes", _mb),
    ("first search downloads (max)", "first_search_bytes", _mb),
    ("directory data", "directory_bytes", _mb),
    ("directory data, gzipped", "directory_gzip_bytes", _mb),
    ("serve --dirty: edit shown (s)", "serve_dirty_rebuild_s", _s),
)


def format_table(results: Sequence[SizeResult]) -> str:
    header = ["clusters", *(f"{r.clusters:,}" for r in results)]
    rows = [header]
    for label, key, fmt in ROWS:
        cells = []
        for r in results:
            if (key.startswith("serve_") and r.clusters != SERVE_SIZE) or (
                key in ("no_leads_s", "leads_overhead") and r.clusters not in NO_LEADS_SIZES
            ):
                cells.append("-")
            else:
                cells.append(fmt(getattr(r, key)))
        rows.append([label, *cells])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for number, row in enumerate(rows):
        lines.append("  ".join([row[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True))]))
        if number == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def check_targets(results: Sequence[SizeResult], match: dict[str, Any] | None) -> list[dict[str, Any]]:
    by_size = {r.clusters: r for r in results}
    checks = []
    for target in TARGETS:
        if target.key == "match_plan_s":
            value = match.get("plan_seconds") if match else None
        else:
            r = by_size.get(target.size)
            value = getattr(r, target.key) if r else None
        checks.append(
            {
                "issue": target.issue,
                "target": target.text,
                "size": target.size,
                "key": target.key,
                "value": value,
                "limit": target.limit,
                "met": target.check(value),
            }
        )
    return checks


def format_targets(checks: Sequence[dict[str, Any]]) -> str:
    lines = ["Targets:"]
    for check in checks:
        state = {True: "met   ", False: "MISSED", None: "n/a   "}[check["met"]]
        value = check["value"]
        shown = "not measured" if value is None else f"{value:,.2f}" if isinstance(value, float) else f"{value:,}"
        lines.append(f"  {state} issue {check['issue']:>2}: {check['target']} (measured: {shown}, limit: {check['limit']:,})")
    return "\n".join(lines)


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def machine() -> dict[str, Any]:
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
    packages = ("mkdocs", "mkdocs-material", "pyyaml", "pydantic", "jinja2", "markdown", "nh3", "pagefind", "scipy", "cluster-kb")
    return {
        "nproc": os.cpu_count(),
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
    root: Path,
    *,
    seed: int,
    repeat: int,
    timeout: float,
    serve: bool,
    browser: bool,
    say: Callable[[str], None],
) -> list[SizeResult]:
    return [
        bench_size(
            size, root, seed=seed, repeat=repeat, timeout=timeout, serve=serve and size == SERVE_SIZE, browser=browser, say=say
        )
        for size in sizes
    ]


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma-separated list of whole numbers, e.g. 100,1000") from None
    if not sizes or any(size < 0 for size in sizes):
        raise argparse.ArgumentTypeError("give one or more sizes of 0 or more, e.g. 100,1000")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/bench.py", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", type=_sizes, default=list(DEFAULT_SIZES), help="cluster counts (default: 100,1000,10000)")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "work", help="scratch folder (default: bench/work)")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results.json", help="JSON output")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"synth seed (default: {DEFAULT_SEED})")
    parser.add_argument(
        "--repeat", type=int, default=2, choices=range(1, 11), metavar="N", help="runs of each build (default: 2)"
    )
    parser.add_argument("--build-timeout", type=float, default=1800.0, help="seconds before a build is stopped")
    parser.add_argument("--no-serve", dest="serve", action="store_false", help="skip the preview measurement")
    parser.add_argument("--no-browser", dest="browser", action="store_false", help="skip the first-search measurement")
    parser.add_argument("--no-match", dest="match", action="store_false", help="skip the matchmaking benchmark")
    parser.add_argument("--keep", action="store_true", help="keep bench/work afterwards")
    options = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = datetime.now(UTC)
    results = run_benchmark(
        options.sizes,
        options.work,
        seed=options.seed,
        repeat=options.repeat,
        timeout=options.build_timeout,
        serve=options.serve,
        browser=options.browser,
        say=say,
    )
    match = None
    if options.match:
        import matchmaking

        match = matchmaking.run(say)
    checks = check_targets(results, match)
    print(format_table(results))
    if match:
        print(
            f"\nmatchmaking, {match['side']:,} x {match['side']:,} clusters: optimal plan and timetable in "
            f"{match['plan_seconds']:.2f} s ({match['meetings']:,} meetings, {match['slots']} slots, "
            f"optimal: {match['optimal']}); "
            f"greedy reaches {match.get('greedy_share', float('nan')):.1%} of the optimal affinity"
        )
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
        "matchmaking": match,
        "targets": checks,
        "table": format_table(results),
    }
    options.results.parent.mkdir(parents=True, exist_ok=True)
    options.results.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    print(f"\nwrote {options.results}")
    if not options.keep:
        shutil.rmtree(options.work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
