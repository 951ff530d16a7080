"""Views and templates: golden HTML per page, typed views, and listings that stay small at any size.

The snapshots in tests/snapshots/ are the generated pages' HTML (what MkDocs puts inside the theme)
for the fixture knowledge base: every page in English, and a few pages in Spanish and Catalan.
After an intended change, rewrite them with ``UPDATE_SNAPSHOTS=1 pytest tests/test_views.py`` and
review the diff before committing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import jinja2
import pytest
from cluster_kb.knowledge import KnowledgeBase, load_knowledge_base
from cluster_kb.site.content import SiteContent
from cluster_kb.site.html import Renderer
from cluster_kb.site.urls import in_language
from cluster_kb.site.views import PAGE_SIZE, PageSpec, Title, site_pages
from helpers import FIXTURE_KB, add_clusters, copy_kb

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("UPDATE_SNAPSHOTS") == "1"
DOCS = {"about/"}
LINK = re.compile(r'href="([^"#]*)(#[^"]*)?"')
TRANSLATED_SNAPSHOTS = {"clusters/example-wine-cluster/", "editions/colombia-2018/", "territories/colombia/", ""}


def render_all(kb: KnowledgeBase, langs: tuple[str, ...] = ("en", "es", "ca")) -> dict[tuple[str, str], str]:
    site = SiteContent(kb)
    return {(spec.path, lang): site.render(spec, lang).content for spec, lang in site.pages() if lang in langs}


@pytest.fixture(scope="module")
def fixture_pages() -> dict[tuple[str, str], str]:
    return render_all(load_knowledge_base(FIXTURE_KB))


def snapshot_name(path: str, lang: str) -> str:
    return (path.strip("/").replace("/", "__") or "index") + f".{lang}.html"


def test_every_page_kind_is_generated_at_its_path(fixture_pages: dict[tuple[str, str], str]) -> None:
    assert sorted({path for path, _ in fixture_pages}) == [
        "",
        "clusters/",
        "clusters/example-coffee-cluster/",
        "clusters/example-wine-cluster/",
        "contribute/",
        "decalogue/",
        "decalogue/principle-2/",
        "decalogue/shared-vision/",
        "editions/",
        "editions/colombia-2018/",
        "editions/colombia-2018/meetings/",
        "editions/norway-2013/",
        "editions/norway-2013/meetings/",
        "search/",
        "sectors/",
        "sectors/agri-food/",
        "sectors/health/",
        "sectors/textiles/",
        "territories/",
        "territories/bogota/",
        "territories/catalonia/",
        "territories/colombia/",
        "territories/norway/",
    ]
    assert {lang for _, lang in fixture_pages} == {"en", "es", "ca"}


def test_pages_match_their_snapshots(fixture_pages: dict[tuple[str, str], str]) -> None:
    wanted = {key: html for key, html in fixture_pages.items() if key[1] == "en" or key[0] in TRANSLATED_SNAPSHOTS}
    if UPDATE:
        for old in SNAPSHOTS.glob("*.html"):
            old.unlink()
        SNAPSHOTS.mkdir(exist_ok=True)
    mismatched = []
    for (path, lang), html in wanted.items():
        file = SNAPSHOTS / snapshot_name(path, lang)
        if UPDATE:
            file.write_text(html, encoding="utf-8")
        elif not file.is_file() or file.read_text(encoding="utf-8") != html:
            mismatched.append(f"{lang}:{path}")
    assert not mismatched, f"pages differ from tests/snapshots (UPDATE_SNAPSHOTS=1 rewrites them): {mismatched}"
    assert sorted(p.name for p in SNAPSHOTS.glob("*.html")) == sorted(snapshot_name(p, lang) for p, lang in wanted)


def test_no_page_shows_none_null_or_an_empty_heading(fixture_pages: dict[tuple[str, str], str]) -> None:
    for (path, lang), html in fixture_pages.items():
        text = re.sub(r"<[^>]+>", " ", html)
        assert not re.search(r"\b(None|null|undefined)\b", text), (lang, path)
        assert not re.search(r'<h[1-6][^>]*>\s*(<a class="headerlink"[^>]*>¶</a>)?\s*</h[1-6]>', html), (lang, path)
        assert "()" not in text, (lang, path)
        # No sentence runs into the next ("sectors.Each kind"): a template's line break ate the space.
        running = re.sub(r"</?(a|em|strong|span|cite|abbr)\b[^>]*>", "", html)  # inline elements join their text
        running = " ".join(re.sub(r"<[^>]+>", " ", running).split())
        assert not re.search(r"[a-zà-ÿ]\.[A-ZÀ-Þ][a-zà-ÿ]", running), (lang, path)


def test_unknowns_say_not_yet_documented(fixture_pages: dict[tuple[str, str], str]) -> None:
    coffee = fixture_pages[("clusters/example-coffee-cluster/", "en")]
    assert '<li>Founded: <em class="kb-nyd">not yet documented</em></li>' in coffee
    assert 'Summary: <em class="kb-nyd">not yet documented</em> — <a href="../../contribute/">contribute</a>.' in coffee
    norway = fixture_pages[("editions/norway-2013/", "en")]
    assert 'Dates: <em class="kb-nyd">not yet documented</em>.' in norway
    assert 'Venue: <em class="kb-nyd">not yet documented</em>.' in norway


def test_decalogue_lists_ten_in_order(fixture_pages: dict[tuple[str, str], str]) -> None:
    page = fixture_pages[("decalogue/", "en")]
    assert [int(n) for n in re.findall(r'<li value="(\d+)">', page)] == list(range(1, 11))
    assert "order in which the source names the elements" in page


def test_figures_show_qualifier_year_and_source(fixture_pages: dict[tuple[str, str], str]) -> None:
    colombia = fixture_pages[("territories/colombia/", "en")]
    source = '<span class="kb-source">source: <cite>Synthetic source A</cite></span>'
    assert f"more than 80 active cluster initiatives (2018) — {source}" in colombia
    bogota = fixture_pages[("territories/bogota/", "en")]
    link = '<a href="https://example.org/bogota" title="Synthetic source B" class="kb-source">source</a>'
    assert f"16 cluster initiatives (2018) — {link}" in bogota


def test_record_pages_end_with_their_sources(fixture_pages: dict[tuple[str, str], str]) -> None:
    for (path, lang), html in fixture_pages.items():
        if path.count("/") < 2 or "/meetings/" in path:
            continue
        tail = html[html.rindex("<h2 ") :]
        assert tail.startswith('<h2 id="sources">'), (lang, path)


def test_links_point_at_pages_that_exist(fixture_pages: dict[tuple[str, str], str]) -> None:
    data = set(SiteContent(load_knowledge_base(FIXTURE_KB)).data_files())
    paths = {in_language(path, lang) for path, lang in fixture_pages}
    for (path, lang), html in fixture_pages.items():
        page = in_language(path, lang)
        for target, _ in LINK.findall(html):
            if target.startswith(("http://", "https://", "mailto:")) or not target:
                continue
            resolved = os.path.normpath(os.path.join(page, target)).replace("\\", "/")
            if resolved == ".":
                resolved = ""
            elif not Path(resolved).suffix:
                resolved += "/"
            first, _, rest = resolved.partition("/")
            neutral = rest if first in ("es", "ca") else resolved
            known = resolved in paths or neutral in DOCS or resolved in data or resolved.startswith(("pagefind/", "assets/"))
            assert known, f"{lang}:{path}: {target}"


def test_hand_written_home_replaces_the_generated_one() -> None:
    kb = load_knowledge_base(FIXTURE_KB)
    assert "" not in {p.path for p in site_pages(kb, home=False)}


def test_home_counts_come_from_the_knowledge_base(fixture_pages: dict[tuple[str, str], str]) -> None:
    home = fixture_pages[("", "en")]
    assert '<a href="clusters/">Clusters</a>: 2, with 1 practice' in home
    assert '<a href="territories/">Territories</a>: 4' in home
    assert "1 of 10 elements documented" in home
    assert '<a href="editions/colombia-2018/">Colombia meets Catalonia</a> (2018)' in home


def test_a_template_that_reads_a_wrong_attribute_fails_the_build() -> None:
    renderer = Renderer()
    env = renderer._envs["en"]
    env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({"wrong.html": "{{ v.no_such_field }}"}), env.loader])  # type: ignore[list-item]
    kb = load_knowledge_base(FIXTURE_KB)
    spec = PageSpec("x/", "wrong.html", Title("X"), lambda: kb)
    with pytest.raises(jinja2.UndefinedError):
        renderer.render(spec, spec.build(), "en")


@pytest.fixture(scope="module")
def big_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    root = copy_kb(tmp_path_factory.mktemp("big"))
    add_clusters(root, 2 * PAGE_SIZE + 50)
    return load_knowledge_base(root)


def test_long_listings_are_paginated(big_kb: KnowledgeBase) -> None:
    pages = render_all(big_kb, ("en",))
    total = len(big_kb.clusters)
    for base in ("clusters/", "sectors/agri-food/", "territories/colombia/", "territories/bogota/", "decalogue/shared-vision/"):
        assert (f"{base}page/2/", "en") in pages and (f"{base}page/3/", "en") in pages, base
        assert (f"{base}page/4/", "en") not in pages, base
    assert "Clusters 1 to 100 of 252." in pages[("clusters/", "en")]
    third = pages[("clusters/page/3/", "en")]
    assert "Clusters 201 to 252 of 252." in third
    assert '<a href="../../../clusters/">1</a>' in third and '<strong aria-current="page">3</strong>' in third
    listings = [html for (path, _), html in pages.items() if path == "clusters/" or path.startswith("clusters/page/")]
    listed = sum(len(re.findall(r"<li><a [^>]*>Synthetic Cluster", html)) for html in listings)
    assert listed == total - 2  # every synthetic cluster, once
    for (path, _), html in pages.items():
        assert len(re.findall(r"<li>", html)) <= PAGE_SIZE + 30, path


def test_a_record_page_does_not_grow_with_the_knowledge_base(
    big_kb: KnowledgeBase, fixture_pages: dict[tuple[str, str], str]
) -> None:
    pages = render_all(big_kb, ("en",))
    small = fixture_pages[("clusters/example-coffee-cluster/", "en")]
    big = pages[("clusters/example-coffee-cluster/", "en")]
    assert len(big) < len(small) + 4000  # related clusters are capped, nothing else depends on size


def test_the_map_worked_out_once_is_the_map_each_page_would_work_out(tmp_path: Path) -> None:
    # The map is shared by the home page and every territory page; a territory the shared map does
    # not show (no cluster, no edition) still gets its own circle on its own page.
    from cluster_kb.site.views import _map_view, map_view

    kb_dir = copy_kb(tmp_path)
    (kb_dir / "territories" / "lonely-island.yaml").write_text(
        "name: Lonely Island\nsynthetic: true\nkind: region\nparent: norway\n"
        "coordinates: {lat: 60.1, lon: 5.2}\nsources:\n  - title: Synthetic source L\n",
        encoding="utf-8",
    )
    kb = load_knowledge_base(kb_dir)
    assert "lonely-island" not in {t.key for t in map_view(kb).territories}
    assert "lonely-island" in {t.key for t in map_view(kb, "lonely-island").territories}
    for current in (None, *kb.territories):
        assert map_view(kb, current) == _map_view(kb, current), current
