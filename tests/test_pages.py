"""Views and templates: golden Markdown per page, and listings that stay small at any size.

The snapshots in tests/snapshots/ are the generated Markdown of the fixture knowledge base, page
by page. After an intended change, rewrite them with ``UPDATE_SNAPSHOTS=1 pytest tests/test_pages.py``
and review the diff before committing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from helpers import FIXTURE_KB, ROOT, add_clusters, copy_kb

from generator.export import export_files
from generator.kb import KnowledgeBase, load_knowledge_base
from generator.pages import PAGE_SIZE, generate_pages, page_meta, render_page, render_pages
from generator.render import Renderer

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("UPDATE_SNAPSHOTS") == "1"
DOCS = {"about.md", "contribute.md"}
# Open-data files published beside the pages (generator.export), which the home page links.
DATA = set(export_files(load_knowledge_base(FIXTURE_KB)))
LINK = re.compile(r"\]\(([^)\s]+)")


@pytest.fixture(scope="module")
def fixture_pages() -> dict[str, str]:
    return render_pages(load_knowledge_base(FIXTURE_KB))


def snapshot_name(src_uri: str) -> str:
    return src_uri.replace("/", "__")


def test_every_page_kind_is_generated_at_its_url(fixture_pages: dict[str, str]) -> None:
    assert sorted(fixture_pages) == [
        "clusters/example-coffee-cluster.md",
        "clusters/example-wine-cluster.md",
        "clusters/index.md",
        "decalogue/index.md",
        "decalogue/principle-2.md",
        "decalogue/shared-vision.md",
        "editions/colombia-2018.md",
        "editions/index.md",
        "editions/norway-2013.md",
        "index.md",
        "sectors/agri-food.md",
        "sectors/health.md",
        "sectors/index.md",
        "sectors/textiles.md",
        "territories/bogota.md",
        "territories/catalonia.md",
        "territories/colombia.md",
        "territories/index.md",
        "territories/norway.md",
    ]


def test_pages_match_their_snapshots(fixture_pages: dict[str, str]) -> None:
    if UPDATE:
        for old in SNAPSHOTS.glob("*.md"):
            old.unlink()
    mismatched = []
    for src_uri, markdown in fixture_pages.items():
        path = SNAPSHOTS / snapshot_name(src_uri)
        if UPDATE:
            path.write_text(markdown, encoding="utf-8")
        elif not path.is_file() or path.read_text(encoding="utf-8") != markdown:
            mismatched.append(src_uri)
    assert not mismatched, f"pages differ from tests/snapshots (UPDATE_SNAPSHOTS=1 rewrites them): {mismatched}"
    assert sorted(p.name for p in SNAPSHOTS.glob("*.md")) == sorted(snapshot_name(s) for s in fixture_pages)


def test_no_page_shows_none_null_or_an_empty_heading(fixture_pages: dict[str, str]) -> None:
    for src_uri, markdown in fixture_pages.items():
        assert not re.search(r"\b(None|null|undefined)\b", markdown), src_uri
        assert not re.search(r"^#+\s*(\{[^}]*\})?\s*$", markdown, re.MULTILINE), src_uri
        assert "\n\n\n" not in markdown, src_uri


def test_unknowns_say_not_yet_documented(fixture_pages: dict[str, str]) -> None:
    coffee = fixture_pages["clusters/example-coffee-cluster.md"]
    assert "- Founded: *not yet documented*" in coffee
    assert "Summary: *not yet documented* — [contribute](../contribute.md)." in coffee
    norway = fixture_pages["editions/norway-2013.md"]
    assert "Dates: *not yet documented*." in norway and "Venue: *not yet documented*." in norway


def test_decalogue_lists_ten_in_order_and_says_numbers_follow_the_source(fixture_pages: dict[str, str]) -> None:
    page = fixture_pages["decalogue/index.md"]
    numbers = [int(n) for n in re.findall(r"^(\d+)\. ", page, re.MULTILINE)]
    assert numbers == list(range(1, 11))
    assert "order in which the source\nnames the elements" in page
    assert "2. [Principle 2](principle-2.md): *not yet documented* — [contribute](../contribute.md)" in page


def test_figures_show_qualifier_year_and_source(fixture_pages: dict[str, str]) -> None:
    colombia = fixture_pages["territories/colombia.md"]
    assert "- more than 80 active cluster initiatives (2018) — source: Synthetic source A" in colombia
    bogota = fixture_pages["territories/bogota.md"]
    assert '- 16 cluster initiatives (2018) — [source](https://example.org/bogota "Synthetic source B")' in bogota


def test_record_pages_end_with_their_sources(fixture_pages: dict[str, str]) -> None:
    for src_uri, markdown in fixture_pages.items():
        if src_uri.endswith("index.md"):
            continue
        tail = markdown[markdown.rindex("\n## ") :]
        assert tail.startswith("\n## Sources { #sources data-search-exclude }"), src_uri
    bogota = fixture_pages["territories/bogota.md"]
    assert "1. [Synthetic source B](https://example.org/bogota), Example Publisher (2018-06)" in bogota


def test_listing_pages_are_kept_out_of_search(fixture_pages: dict[str, str]) -> None:
    for src_uri, markdown in fixture_pages.items():
        excluded = 'search: {"exclude": true}' in markdown.split("---")[1]
        assert excluded == src_uri.endswith("index.md"), src_uri


def test_links_point_at_generated_or_hand_written_pages(fixture_pages: dict[str, str]) -> None:
    for src_uri, markdown in fixture_pages.items():
        for link in LINK.findall(markdown):
            if link.startswith(("http://", "https://", "#")):
                continue
            target = os.path.normpath(os.path.join(os.path.dirname(src_uri), link.partition("#")[0]))
            assert target in fixture_pages or target in DOCS | DATA, f"{src_uri}: {link}"


def test_hand_written_home_replaces_the_generated_one() -> None:
    kb = load_knowledge_base(FIXTURE_KB)
    assert "index.md" not in {p.src_uri for p in generate_pages(kb, home_page=False)}


def test_home_counts_come_from_the_knowledge_base(fixture_pages: dict[str, str]) -> None:
    home = fixture_pages["index.md"]
    assert "- [Clusters](clusters/index.md) and their practices: 2" in home
    assert "- [Territories](territories/index.md): 4" in home
    assert "- [Decalogue](decalogue/index.md) elements documented: 1 of 10" in home
    assert "[Colombia meets Catalonia](editions/colombia-2018.md) (2018)" in home


@pytest.fixture(scope="module")
def big_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    root = copy_kb(tmp_path_factory.mktemp("big"))
    add_clusters(root, 2 * PAGE_SIZE + 50)
    return load_knowledge_base(root)


def test_long_listings_are_paginated(big_kb: KnowledgeBase) -> None:
    pages = render_pages(big_kb)
    total = len(big_kb.clusters)
    for base in ("clusters", "sectors/agri-food", "territories/colombia", "territories/bogota", "decalogue/shared-vision"):
        assert f"{base}/page/2.md" in pages and f"{base}/page/3.md" in pages, base
        assert f"{base}/page/4.md" not in pages, base
    assert "Clusters 1 to 100 of 252." in pages["clusters/index.md"]
    assert "Clusters 201 to 252 of 252." in pages["clusters/page/3.md"]
    assert "\n\nPages: [1](../index.md) · [2](2.md) · **3**\n{: .kb-pager data-search-exclude }" in pages["clusters/page/3.md"]
    listings = [pages[p] for p in pages if p.startswith(("clusters/index", "clusters/page/"))]
    listed = sum(len(re.findall(r"^- \[Synthetic Cluster", page, re.MULTILINE)) for page in listings)
    assert listed == total - 2  # every synthetic cluster, once
    for src_uri, markdown in pages.items():
        assert len(re.findall(r"^- ", markdown, re.MULTILINE)) <= PAGE_SIZE + 20, src_uri
        for link in LINK.findall(markdown):
            if not link.startswith(("http", "#")):
                target = os.path.normpath(os.path.join(os.path.dirname(src_uri), link.partition("#")[0]))
                assert target in pages or target in DOCS | DATA, f"{src_uri}: {link}"


def test_a_record_page_does_not_grow_with_the_knowledge_base(big_kb: KnowledgeBase, fixture_pages: dict[str, str]) -> None:
    pages = render_pages(big_kb)
    small, big = fixture_pages["clusters/example-coffee-cluster.md"], pages["clusters/example-coffee-cluster.md"]
    assert len(big) < len(small) + 2000  # related clusters are capped, nothing else depends on size


def test_a_listing_does_not_repeat_a_sector_as_the_specialisation() -> None:
    pages = render_pages(load_knowledge_base(ROOT / "content"))
    lines = [line for line in pages["clusters/index.md"].splitlines() if "catalonia-bio-healthtech" in line]
    assert lines and all(line.endswith("· Health") for line in lines), lines
    assert any(line.endswith("· Agri-food · food") for line in pages["clusters/index.md"].splitlines())


def test_page_meta_is_what_mkdocs_reads_from_the_front_matter(tmp_path: Path) -> None:
    # A parallel build gives deferred pages page_meta() without reading their Markdown.
    from mkdocs.utils import meta

    kb = copy_kb(tmp_path)
    add_clusters(kb, PAGE_SIZE + 1)  # continuation pages, kept out of search
    record = kb / "clusters" / "synthetic-cluster-0000.yaml"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("name: Synthetic Cluster 0000", 'name: "Fish & Chips: the \\"Best\\" <b>"'), encoding="utf-8")
    renderer = Renderer()
    specs = generate_pages(load_knowledge_base(kb))
    assert any(not spec.search for spec in specs)
    assert any(spec.title.startswith("Fish & Chips") for spec in specs)
    for spec in specs:
        assert meta.get_data(render_page(renderer, spec))[1] == page_meta(spec), spec.src_uri
