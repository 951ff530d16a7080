"""The MkDocs plugin: dirty rebuilds, deleted records, the preview's problems, the watch, switching off."""

from __future__ import annotations

import gc
import json
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cluster_kb.site.mkdocs_plugin import ClusterKbPlugin, GeneratedPage
from cluster_kb.site.search_index import part_sizes
from helpers import ROOT, copy_kb, indexed_pages, search_parts, write_config
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, PluginError


def _config(content: Path, site: Path, **options: object) -> MkDocsConfig:
    """A config as ``mkdocs build`` starts it.

    MkDocs keeps a plugin that has ``on_startup`` for the whole process and hands the same
    instance to every later config, as ``mkdocs serve`` needs; ``on_startup`` is what resets it.
    Without that call a test inherits the previous test's preview state.
    """
    config = load_config(config_file=str(ROOT / "mkdocs.yml"), site_dir=str(site), strict=False)
    plugin = config.plugins["cluster-kb"]
    plugin.config.content_dir = str(content)
    for key, value in options.items():
        plugin.config[key] = value
    config.plugins.on_startup(command="build", dirty=False)
    return config


def _preview(
    tmp_path: Path, *, search: bool = False, quiet: int = logging.ERROR, **options: object
) -> tuple[Path, Path, MkDocsConfig]:
    """A copy of the fixture knowledge base, its site folder and a config as ``mkdocs serve --dirty`` runs it."""
    logging.getLogger("mkdocs").setLevel(quiet)
    kb = copy_kb(tmp_path)
    site = tmp_path / "site"
    config = _config(kb, site, search=search, **options)
    config.plugins.on_startup(command="serve", dirty=True)
    return kb, site, config


@pytest.fixture(autouse=True)
def _nothing_left_frozen() -> Iterator[None]:
    """A preview freezes its objects between rebuilds (``gc.freeze``) until ``on_shutdown``: a test
    that stops before that must not leave them out of the collector for the worker's later tests."""
    yield
    gc.unfreeze()


def _mtimes(site: Path) -> dict[str, int]:
    return {str(p.relative_to(site)): p.stat().st_mtime_ns for p in site.rglob("index.html")}


GENERATED = ("clusters", "editions", "decalogue", "territories", "sectors")


def _generated(paths: dict[str, int]) -> list[str]:
    return [
        p for p in paths if p.split("/")[0] in GENERATED or (p.split("/")[0] in ("es", "ca") and p.split("/")[1] in GENERATED)
    ]


@pytest.mark.slow
def test_dirty_rebuild_writes_only_the_pages_that_changed(tmp_path: Path) -> None:
    kb, site, config = _preview(tmp_path)
    plugin = config.plugins["cluster-kb"]
    build(config, dirty=True)
    first = _mtimes(site)
    assert "clusters/example-coffee-cluster/index.html" in first
    # Between rebuilds the preview's objects are frozen, out of the cycle collector's scans (which
    # took most of a second inside a rebuild at 1,000 clusters); the work a build leaves for later
    # ends with that.
    plugin._search_thread.join()
    frozen = gc.get_freeze_count()
    assert frozen > 10_000

    build(config, dirty=True)
    second = _mtimes(site)
    assert [p for p in _generated(first) if second[p] != first[p]] == []

    record = kb / "clusters" / "example-coffee-cluster.yaml"
    record.write_text(record.read_text(encoding="utf-8") + "summary: Roasters and growers of Bogotá.\n", encoding="utf-8")
    build(config, dirty=True)
    third = _mtimes(site)
    changed = sorted(p for p in _generated(first) if third[p] != second[p])
    assert changed == [
        "ca/clusters/example-coffee-cluster/index.html",
        "clusters/example-coffee-cluster/index.html",
        "es/clusters/example-coffee-cluster/index.html",
    ]
    assert "Roasters and growers" in (site / "clusters/example-coffee-cluster/index.html").read_text(encoding="utf-8")
    plugin._search_thread.join()
    assert gc.get_freeze_count() < 2 * frozen  # the earlier builds' garbage was freed, not kept frozen
    config.plugins.on_shutdown()
    assert gc.get_freeze_count() == 0  # once the preview stops, nothing stays frozen


@pytest.mark.slow
def test_the_preview_drops_the_pages_of_a_deleted_record(tmp_path: Path) -> None:
    kb, site, config = _preview(tmp_path)
    build(config, dirty=True)
    assert (site / "es" / "clusters" / "example-coffee-cluster" / "index.html").is_file()
    (kb / "clusters" / "example-coffee-cluster.yaml").unlink()
    build(config, dirty=True)
    for prefix in ("", "es/", "ca/"):
        assert not (site / prefix / "clusters" / "example-coffee-cluster" / "index.html").exists(), prefix
    assert (site / "clusters" / "example-wine-cluster" / "index.html").is_file()
    config.plugins.on_shutdown()


def _indexed_pages(site: Path) -> dict[str, int]:
    """The pages each language's index holds, over all its parts."""
    counts = {}
    for lang in ("en", "es", "ca"):
        parts = search_parts(site, lang)
        assert len(parts) > 1  # the test's parts are small: the preview indexes in parts
        counts[lang] = sum(indexed_pages(part, lang) for part in parts)
    return counts


@pytest.mark.slow
def test_the_preview_search_forgets_a_deleted_record_and_keeps_the_pages_it_did_not_rewrite(tmp_path: Path) -> None:
    kb, site, config = _preview(tmp_path, search=True, search_part_pages=10)
    build(config, dirty=True)
    build(config, dirty=True)  # rewrites no generated page: the index keeps them all
    config.plugins.on_shutdown()  # waits for the index
    before = _indexed_pages(site)
    (kb / "clusters" / "example-coffee-cluster.yaml").unlink()
    build(config, dirty=True)
    config.plugins.on_shutdown()
    assert _indexed_pages(site) == {lang: count - 1 for lang, count in before.items()}


@pytest.mark.slow
def test_a_preview_rebuild_updates_the_leads_and_the_open_data_when_a_sector_changes(tmp_path: Path) -> None:
    # Leads and plans are kept across a rebuild only when no name, sector or link changed; the
    # open-data files of a rebuild are written after the page. Both must follow a sector edit.
    kb, site, config = _preview(tmp_path)
    build(config, dirty=True)
    wine = site / "clusters" / "example-wine-cluster" / "index.html"

    def coffee_lead() -> str:
        leads = wine.read_text(encoding="utf-8").split('id="cooperation-leads"')[1]
        return leads[leads.index("example-coffee-cluster/") :][:300] if "example-coffee-cluster/" in leads else ""

    assert coffee_lead() and 'lang="es"' not in coffee_lead()
    # The leads as pages show them are kept with the leads too. They show names marked with their
    # language, so a change of a record's language alone must reach the other clusters' pages.
    record = kb / "clusters" / "example-coffee-cluster.yaml"
    record.write_text(record.read_text(encoding="utf-8") + "language: es\n", encoding="utf-8")
    build(config, dirty=True)
    assert 'lang="es"' in coffee_lead()

    record.write_text(record.read_text(encoding="utf-8").replace("sectors: [agri-food]", "sectors: [health]"), encoding="utf-8")
    build(config, dirty=True)
    config.plugins.on_shutdown()  # waits for the data files
    assert coffee_lead() == ""
    data = json.loads((site / "data" / "knowledge-base.json").read_text(encoding="utf-8"))
    assert {c["id"]: c["sectors"] for c in data["records"]["clusters"]}["example-coffee-cluster"] == ["health"]


@pytest.mark.slow
def test_the_preview_shows_content_problems_on_the_page_instead_of_waiting(tmp_path: Path) -> None:
    kb, site, config = _preview(tmp_path, quiet=logging.CRITICAL)
    build(config, dirty=True)
    record = kb / "clusters" / "example-coffee-cluster.yaml"
    good = record.read_text(encoding="utf-8")
    record.write_text(good.replace("territory: bogota", "territory: bogata"), encoding="utf-8")
    build(config, dirty=True)  # no Abort while previewing
    page = (site / "clusters" / "example-coffee-cluster" / "index.html").read_text(encoding="utf-8")
    assert "The content has problems" in page
    assert "example-coffee-cluster.yaml:3:12: error: unknown territory &#39;bogata&#39; (did you mean &#39;bogota&#39;?)" in page
    assert 'class="admonition failure kb-problems"' in (site / "es" / "territories" / "norway" / "index.html").read_text(
        encoding="utf-8"
    )
    record.write_text(good, encoding="utf-8")
    build(config, dirty=True)
    assert "The content has problems" not in (site / "clusters" / "example-coffee-cluster" / "index.html").read_text(
        encoding="utf-8"
    )
    config.plugins.on_shutdown()


def test_a_real_build_still_refuses_invalid_content(tmp_path: Path) -> None:
    kb = copy_kb(tmp_path)
    (kb / "clusters" / "broken.yaml").write_text("name: Broken\nterritory: atlantis\nsources:\n  - title: S\n", encoding="utf-8")
    config = _config(kb, tmp_path / "site")
    with pytest.raises(Abort, match="1 error in 1 file"):
        config.plugins.on_config(config)


class _Server:
    def __init__(self) -> None:
        self.watched: list[str] = []

    def watch(self, path: str) -> None:
        self.watched.append(path)


def test_serve_watches_the_content_folder(tmp_path: Path) -> None:
    kb = copy_kb(tmp_path)
    config = _config(kb, tmp_path / "site")
    config = config.plugins.on_config(config)
    server = config.plugins.on_serve(_Server(), config=config, builder=lambda: None)
    assert str(kb.resolve()) in server.watched


def test_switched_off_plugin_generates_nothing(tmp_path: Path) -> None:
    plugin = ClusterKbPlugin()
    plugin.load_config({"enabled": False, "content_dir": str(tmp_path / "nowhere")})
    sentinel = object()
    assert plugin.on_config(sentinel) is sentinel  # no knowledge base is loaded, so nothing can fail
    assert plugin.on_files(sentinel, config=sentinel) is sentinel  # type: ignore[arg-type]
    assert plugin.kb is None


def test_materials_search_plugin_is_refused_with_the_reason(tmp_path: Path) -> None:
    config = write_config(tmp_path, ("plugins:\n", "plugins:\n  - search\n"))
    loaded = load_config(config_file=str(config), site_dir=str(tmp_path / "site"))
    loaded.plugins["cluster-kb"].config.content_dir = str(copy_kb(tmp_path))
    with pytest.raises(PluginError, match="Pagefind"):
        loaded.plugins.on_config(loaded)


@pytest.mark.parametrize("pages", [0, -5])
def test_a_search_part_of_no_pages_is_refused(tmp_path: Path, pages: int) -> None:
    config = _config(copy_kb(tmp_path), tmp_path / "site", search_part_pages=pages)
    with pytest.raises(PluginError, match=f"search_part_pages must be at least 1, not {pages}"):
        config.plugins.on_config(config)


@pytest.mark.slow
def test_data_files_are_published_beside_the_pages(tmp_path: Path) -> None:
    kb = copy_kb(tmp_path)
    site = tmp_path / "site"
    config = _config(kb, site, search=False)
    plugin = config.plugins["cluster-kb"]
    plugin.data_files = lambda knowledge_base: {"data/counts.json": json.dumps(knowledge_base.counts()).encode()}
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    build(config)
    assert json.loads((site / "data" / "counts.json").read_text(encoding="utf-8"))["clusters"] == 2


@pytest.mark.slow
def test_a_build_indexes_its_search_in_parts_and_a_failed_build_leaves_no_unfinished_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    site = tmp_path / "site"
    config = _config(copy_kb(tmp_path), site, search=True, search_part_pages=12)
    build(config)
    counts = {lang: [indexed_pages(part, lang) for part in search_parts(site, lang)] for lang in ("en", "es", "ca")}
    for lang, parts in counts.items():  # cut as planned from the pages the language was to hand over
        assert len(parts) > 1 and parts == part_sizes(sum(parts), 12), (lang, parts)
        assert parts != [12] * (len(parts) - 1) + [sum(parts) - 12 * (len(parts) - 1)]  # not just full parts and the rest

    fill, filled = GeneratedPage.fill, []
    first_part = tmp_path / "site2" / "pagefind" / ".en.partial" / "pagefind-entry.json"
    indexed_during_the_build = []

    def fail_late(page: GeneratedPage) -> None:
        filled.append(page)
        if len(filled) == 40:  # several parts are already with the indexer
            deadline = time.monotonic() + 60
            while not first_part.is_file() and time.monotonic() < deadline:
                time.sleep(0.05)
            indexed_during_the_build.append(first_part.is_file())
            raise RuntimeError("a page failed")
        fill(page)

    monkeypatch.setattr(GeneratedPage, "fill", fail_late)
    config = _config(copy_kb(tmp_path, "kb2"), tmp_path / "site2", search=True, search_part_pages=5)
    with pytest.raises(RuntimeError, match="a page failed"):
        build(config)
    assert indexed_during_the_build == [True]  # the first part was indexed while pages were written
    bundles = tmp_path / "site2" / "pagefind"
    assert not bundles.exists() or sorted(p.name for p in bundles.iterdir()) == []
    assert not [t for t in threading.enumerate() if t.name == "cluster-kb search index"]
