"""The MkDocs plugin: accent folding for search, dirty rebuilds, the preview watch, switching off."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from helpers import ROOT, copy_kb
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig

from generator.plugin import ClusterKbPlugin, fold, fold_search_index, folded_words, shorten


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("Bogotá", "Bogota"),
        ("Medellín", "Medellin"),
        ("ACCIÓ", "ACCIO"),
        ("Ålesund", "Alesund"),
        ("Straße", "Strasse"),
        ("Tromsø", "Tromso"),
    ],
)
def test_fold(text: str, plain: str) -> None:
    assert fold(text) == plain


def test_folded_words_keep_only_words_that_change_once_each() -> None:
    assert folded_words("Bogotá", "<p>Cluster in Bogotá, Colombia; Medellín</p>") == "bogota medellin"
    assert folded_words("Norway", "<p>plain</p>") == ""


def test_fold_search_index_adds_the_field_and_drops_repeated_entries() -> None:
    index = {
        "config": {"lang": ["en"], "fields": {"title": {"boost": 1000.0}}},
        "docs": [
            {"location": "territories/bogota/", "title": "Bogotá", "text": "old"},
            {"location": "territories/norway/", "title": "Norway", "text": ""},
            {"location": "territories/bogota/", "title": "Bogotá", "text": "<p>new: Medellín</p>"},
        ],
    }
    data = json.loads(fold_search_index(json.dumps(index)))
    assert data["config"]["fields"] == {"title": {"boost": 1000.0}, "folded": {"boost": 100.0}}
    assert data["docs"] == [
        {"location": "territories/norway/", "title": "Norway", "text": ""},
        {"location": "territories/bogota/", "title": "Bogotá", "text": "<p>new: Medellín</p>", "folded": "bogota medellin"},
    ]


def test_shorten_cuts_between_words_and_never_inside_a_reference() -> None:
    assert shorten("<p>Short text.</p>") == "<p>Short text.</p>"
    assert shorten("<p>one two three</p> <p>four</p>", limit=9) == "<p>one two …</p>"
    assert shorten("<p>a b &amp;amp c</p>", limit=7) == "<p>a b …</p>"
    assert shorten("") == ""


def test_generated_pages_keep_a_short_text_in_the_index() -> None:
    long_text = "<p>" + "word " * 100 + "</p>"
    docs = [
        {"location": "clusters/x/", "title": "X", "text": long_text},
        {"location": "about/", "title": "About", "text": long_text},
    ]
    index = {"config": {}, "docs": docs}
    docs = json.loads(fold_search_index(json.dumps(index)))["docs"]
    assert len(docs[0]["text"]) <= 210 and docs[0]["text"].endswith(" …</p>")
    assert docs[1]["text"] == long_text  # hand-written pages are indexed in full


def _config(content: Path, site: Path, **options: object) -> MkDocsConfig:
    config = load_config(config_file=str(ROOT / "mkdocs.yml"), site_dir=str(site), strict=False)
    plugin = config.plugins["cluster-kb"]
    plugin.config.content_dir = str(content)
    for key, value in options.items():
        plugin.config[key] = value
    return config


def _mtimes(site: Path) -> dict[str, int]:
    return {str(p.relative_to(site)): p.stat().st_mtime_ns for p in site.rglob("index.html")}


@pytest.mark.slow
def test_dirty_rebuild_writes_only_the_pages_that_changed(tmp_path: Path) -> None:
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    kb = copy_kb(tmp_path)
    site = tmp_path / "site"
    config = _config(kb, site)
    config.plugins.on_startup(command="serve", dirty=True)
    build(config, dirty=True)
    first = _mtimes(site)
    assert "clusters/example-coffee-cluster/index.html" in first

    build(config, dirty=True)
    second = _mtimes(site)
    generated = [p for p in first if p.split("/")[0] in ("clusters", "editions", "decalogue", "territories", "sectors")]
    assert [p for p in generated if second[p] != first[p]] == []

    record = kb / "clusters" / "example-coffee-cluster.yaml"
    record.write_text(record.read_text(encoding="utf-8") + "summary: Roasters and growers of Bogotá.\n", encoding="utf-8")
    build(config, dirty=True)
    third = _mtimes(site)
    assert [p for p in generated if third[p] != second[p]] == ["clusters/example-coffee-cluster/index.html"]
    assert "Roasters and growers" in (site / "clusters/example-coffee-cluster/index.html").read_text(encoding="utf-8")

    docs = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    locations = [d["location"] for d in docs]
    assert len(locations) == len(set(locations))
    coffee = next(d for d in docs if d["location"] == "clusters/example-coffee-cluster/")
    assert "Roasters and growers" in coffee["text"] and "bogota" in coffee["folded"]
    assert "territories/bogota/" in locations  # pages not rebuilt keep their entries
    config.plugins.on_shutdown()


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
    assert plugin.on_config(object()) is None  # no knowledge base is loaded, so nothing can fail
    assert plugin.on_files(object(), config=object()) is None  # type: ignore[arg-type]
    assert plugin.kb is None


def test_data_files_are_published_beside_the_pages(tmp_path: Path) -> None:
    kb = copy_kb(tmp_path)
    site = tmp_path / "site"
    config = _config(kb, site)
    plugin = config.plugins["cluster-kb"]
    plugin.data_files = lambda knowledge_base: {"data/counts.json": json.dumps(knowledge_base.counts()).encode()}
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    build(config)
    assert json.loads((site / "data" / "counts.json").read_text(encoding="utf-8"))["clusters"] == 2


def test_a_generated_page_in_the_nav_keeps_the_nav_label(tmp_path: Path) -> None:
    # The plugin makes its own page objects for generated pages, but not for those the nav names:
    # MkDocs would then keep the plugin's page and drop the label written in mkdocs.yml.
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    site = tmp_path / "site"
    config = _config(copy_kb(tmp_path), site)
    renamed = {"Cluster directory": "clusters/index.md"}
    config.nav = [renamed if item == {"Clusters": "clusters/index.md"} else item for item in config.nav]
    assert renamed in config.nav
    build(config)
    assert "Cluster directory" in (site / "index.html").read_text(encoding="utf-8")
