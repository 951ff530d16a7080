"""Parallel builds: worker processes convert a share of the generated pages, and the site is the
same byte for byte as a one-process build; warnings, other plugins' edits and a dying worker are
handled the way a one-process build handles them."""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from helpers import ROOT
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.plugins import BasePlugin

import generator.parallel
import generator.plugin
from generator.parallel import can_fork
from generator.plugin import ClusterKbPlugin, searched_part
from generator.synth import write_knowledge_base

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not can_fork(), reason="worker processes are forked (POSIX only)"),
]


@pytest.fixture(scope="module")
def synthetic_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic knowledge base of 40 clusters: about 100 generated pages."""
    content = tmp_path_factory.mktemp("parallel") / "content"
    write_knowledge_base(content, 40, 7)
    return content


@pytest.fixture(scope="module", autouse=True)
def _reproducible() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the sitemap's dates
        patch.delenv("SITE_URL", raising=False)
        yield


def _config(content: Path, site: Path, *, jobs: int, strict: bool = False) -> MkDocsConfig:
    config = load_config(config_file=str(ROOT / "mkdocs.yml"), site_dir=str(site), strict=strict)
    plugin = config.plugins["cluster-kb"]
    plugin.config.content_dir = str(content)
    plugin.config.jobs = jobs
    return config


def _build(content: Path, site: Path, *, jobs: int, strict: bool = False, extra: BasePlugin | None = None) -> None:  # type: ignore[type-arg]
    config = _config(content, site, jobs=jobs, strict=strict)
    if extra is not None:
        config.plugins["test-extra"] = extra
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()


def _digests(site: Path) -> dict[str, str]:
    return {
        str(path.relative_to(site)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(site.rglob("*"))
        if path.is_file()
    }


def _started_workers(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, bool]]:
    """Record how many workers each parallel build starts, and whether it defers pages."""
    started: list[tuple[int, bool]] = []
    start = generator.parallel.Pool.start

    def counting_start(pool: generator.parallel.Pool) -> None:
        started.append((pool.jobs - 1, pool.defer))
        start(pool)

    monkeypatch.setattr(generator.parallel.Pool, "start", counting_start)
    return started


@pytest.fixture(scope="module")
def serial_site(synthetic_kb: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    site = tmp_path_factory.mktemp("serial") / "site"
    _build(synthetic_kb, site, jobs=1)
    return _digests(site)


@pytest.mark.parametrize("jobs", [2, 3])
def test_parallel_build_is_the_same_site(
    jobs: int, synthetic_kb: Path, serial_site: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = _started_workers(monkeypatch)
    site = tmp_path / "site"
    _build(synthetic_kb, site, jobs=jobs)
    assert started == [(jobs - 1, True)]  # no other plugin reads pages: the workers' pages are deferred
    assert len(serial_site) > 100
    assert _digests(site) == serial_site


@pytest.mark.parametrize("deferred", [True, False])
def test_worker_warnings_are_replayed_and_fail_a_strict_build(
    deferred: bool, synthetic_kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    render_page = generator.plugin.render_page

    def with_broken_link(renderer: Any, spec: Any) -> str:
        text = render_page(renderer, spec)
        if spec.template == "cluster.md.j2":
            text += "\nSee [nowhere](missing-page.md).\n"
        return text

    monkeypatch.setattr(generator.plugin, "render_page", with_broken_link)
    # Another plugin reading pages turns deferral off: every page is then converted in order.
    extra = None if deferred else _Stamp()
    warnings: dict[int, list[str]] = {}
    for jobs in (1, 2):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="mkdocs"), pytest.raises(Abort, match="in strict mode"):
            _build(synthetic_kb, tmp_path / f"site-{jobs}", jobs=jobs, strict=True, extra=extra)
        warnings[jobs] = [r.getMessage() for r in caplog.records if "missing-page.md" in r.getMessage()]
    assert len(warnings[1]) == 40
    if deferred:  # a deferred page's warnings come when MkDocs builds it, after the others
        assert sorted(warnings[2]) == sorted(warnings[1]) and warnings[2] != warnings[1]
    else:
        assert warnings[2] == warnings[1]


class _Reader(BasePlugin):  # type: ignore[type-arg]
    """Another plugin that reads every page's content once all are converted."""

    def on_env(self, env: Any, *, config: Any, files: Any) -> Any:
        self.sizes = [len(f.page.content or "") for f in files.documentation_pages()]
        return env


def test_a_plugin_reading_pages_in_on_env_sees_them_converted(
    synthetic_kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    started = _started_workers(monkeypatch)
    reader = _Reader()
    _build(synthetic_kb, tmp_path / "site", jobs=2, extra=reader)
    assert started == [(1, False)]
    assert len(reader.sizes) > 100 and all(size > 0 for size in reader.sizes)


class _Stamp(BasePlugin):  # type: ignore[type-arg]
    """Another plugin that edits every page's Markdown before it is converted."""

    def on_page_markdown(self, markdown: str, **kwargs: Any) -> str:
        return markdown + "\nStamped by another plugin.\n"


def test_a_page_another_plugin_edits_is_converted_with_the_edit(
    synthetic_kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    started = _started_workers(monkeypatch)
    sites = {}
    for jobs in (1, 2):
        sites[jobs] = tmp_path / f"site-{jobs}"
        _build(synthetic_kb, sites[jobs], jobs=jobs, extra=_Stamp())
    assert started == [(1, False)]  # the other plugin reads pages: nothing is deferred
    page = next((sites[2] / "clusters").glob("*/index.html"))
    assert "Stamped by another plugin." in page.read_text(encoding="utf-8")
    assert _digests(sites[2]) == _digests(sites[1])


def test_when_a_worker_dies_the_build_converts_its_pages(
    synthetic_kb: Path,
    serial_site: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    convert = generator.parallel._convert
    done: list[str] = []

    def dying_convert(file: Any, config: Any, files: Any) -> generator.parallel.Rendered:
        if len(done) == 5:
            os._exit(3)  # the worker process ends abruptly, mid-build
        done.append(file.src_uri)
        return convert(file, config, files)

    monkeypatch.setattr(generator.parallel, "_convert", dying_convert)
    monkeypatch.setattr(generator.parallel, "_POLL_S", 0.05)
    site = tmp_path / "site"
    with caplog.at_level(logging.INFO, logger="mkdocs"):
        _build(synthetic_kb, site, jobs=2)
    assert any("worker 1 stopped with exit code 3" in r.getMessage() for r in caplog.records)
    assert _digests(site) == serial_site


def test_a_result_that_cannot_be_sent_is_converted_by_the_build(
    synthetic_kb: Path, serial_site: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    convert = generator.parallel._convert
    spoiled: list[str] = []

    def unsendable_convert(file: Any, config: Any, files: Any) -> generator.parallel.Rendered:
        result = convert(file, config, files)
        if not spoiled:
            spoiled.append(file.src_uri)
            result.toc = lambda: None  # a function cannot be pickled
        return result

    monkeypatch.setattr(generator.parallel, "_convert", unsendable_convert)
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    site = tmp_path / "site"
    _build(synthetic_kb, site, jobs=2)
    assert _digests(site) == serial_site


def test_fast_search_indexing_gives_the_index_material_gives(
    synthetic_kb: Path, serial_site: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    monkeypatch.setattr(generator.plugin, "searched_part", lambda html: html)  # material parses whole pages
    site = tmp_path / "site"
    _build(synthetic_kb, site, jobs=1)
    assert _digests(site) == serial_site


def test_searched_part_cuts_only_what_search_skips() -> None:
    html = (
        '<h1 id="x">X</h1>\n<p>Kept intro.</p>\n<p data-search-exclude="">Skipped note.</p>\n'
        '<div class="kb-text" data-search-exclude="true">\n<p>Skipped text.</p>\n</div>\n'
        '<pre><code>kept code</code></pre>\n'
        '<h2 data-search-exclude="" id="profile">Profile</h2>\n<ul>\n<li>Skipped item</li>\n</ul>\n<h3>no id</h3>\n'
        '<h2 id="policy">Policy</h2>\n<p>Kept policy.</p>\n'
        '<div data-search-exclude="true"><div>nested</div></div>'
    )
    assert searched_part(html) == (
        '<h1 id="x">X</h1>\n<p>Kept intro.</p>\n\n\n<pre><code>kept code</code></pre>\n'
        '<h2 id="policy">Policy</h2>\n<p>Kept policy.</p>\n'
        '<div data-search-exclude="true"><div>nested</div></div>'
    )


def test_a_process_running_threads_builds_alone() -> None:
    plugin = ClusterKbPlugin()
    plugin.load_config({"jobs": 2})
    plugin.on_startup(command="build", dirty=False)
    assert plugin.jobs(10_000) == 2
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert plugin.jobs(10_000) == 1
    finally:
        stop.set()
        thread.join()


def test_shares_spread_the_pages_evenly() -> None:
    files: Any = [SimpleNamespace(src_uri=f"clusters/c{n}.md") for n in range(300)]
    owners = generator.parallel.shares(files, 2, 1 / 3)
    assert Counter(owners.values()) == {0: 100, 1: 200}
    assert [owners[f.src_uri] for f in files[:6]] == [1, 1, 0, 1, 1, 0]
    assert Counter(generator.parallel.shares(files, 3, 1 / 3).values()) == {0: 100, 1: 100, 2: 100}


@pytest.mark.parametrize(
    ("command", "dirty", "option", "pages", "expected"),
    [
        ("build", False, 0, 10_000, min(generator.parallel.available_cores(), 4)),
        ("build", False, 0, 50, 1),  # a small site stays in one process
        ("build", False, 3, 50, 3),  # unless asked
        ("build", False, 1, 10_000, 1),
        ("gh-deploy", False, 0, 10_000, min(generator.parallel.available_cores(), 4)),
        ("serve", False, 2, 10_000, 1),  # the preview's builds run beside a server thread
        ("build", True, 2, 10_000, 1),  # a dirty build converts a page or two
    ],
)
def test_how_many_processes_a_build_uses(command: str, dirty: bool, option: int, pages: int, expected: int) -> None:
    plugin = ClusterKbPlugin()
    plugin.load_config({"jobs": option})
    plugin.on_startup(command=command, dirty=dirty)
    assert plugin.jobs(pages) == expected
