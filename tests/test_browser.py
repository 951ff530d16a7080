"""The built site in a real headless Chromium (Debian's `chromium`; never a downloaded browser).

A cluster manager searches for "Bogota" without the accent and reaches the Bogotá page; axe-core
finds no serious or critical WCAG 2 AA violation on any page kind; record pages fit a phone.

Without a local Chromium these tests are skipped with a message saying how to install it; CI sets
CLUSTER_KB_REQUIRE_BROWSER=1 (see .ci/run), which turns the skip into a failure. The tabs the
tests share, and which tests open their own, are explained in tests/browsing.py.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from browsing import DESKTOP, served
from helpers import serious_violations

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_KB = ROOT / "tests" / "fixtures" / "kb"

pytestmark = pytest.mark.browser


def _build_and_serve(content: Path, site: Path, config: Path = ROOT / "mkdocs.yml") -> Iterator[str]:
    """``content`` built by the real command into ``site`` and served on loopback at its ``site_url``.

    The server starts first so the build knows its address (``SITE_URL``, as the Pages workflow
    sets it): absolute links (canonical, hreflang) then point at the site being tested.
    """
    with served(site) as url:
        result = subprocess.run(
            [
                *(sys.executable, "-m", "cluster_kb", "build", "--content", str(content), "--site-dir", str(site)),
                *("--config-file", str(config)),
            ],
            cwd=ROOT, capture_output=True, text=True, check=False, env={**os.environ, "SITE_URL": url},
        )
        assert result.returncode == 0, result.stdout + result.stderr
        yield url


PART_PAGES = 10
"""The fixture site's search is indexed in parts of this many pages, as a large site's is, so every
search test below also checks that the search page merges them."""

MAPPED = {"bogota": "{lat: 4.61, lon: -74.08}", "catalonia": "{lat: 41.39, lon: 2.16}"}


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The fixture knowledge base, built and served: its search index in parts, and coordinates for
    two territories, so the map has markers. One site for the whole module: a build is what a
    browser test costs most."""
    work = tmp_path_factory.mktemp("browser")
    content = work / "content"
    shutil.copytree(FIXTURE_KB, content)
    for territory, coordinates in MAPPED.items():
        with (content / "territories" / f"{territory}.yaml").open("a", encoding="utf-8") as record:
            record.write(f"coordinates: {coordinates}\n")
    config = work / "mkdocs.yml"
    config.write_text(
        f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: {ROOT / 'docs'}\n"
        f"plugins:\n  - cluster-kb:\n      search_part_pages: {PART_PAGES}\n",
        encoding="utf-8",
    )
    yield from _build_and_serve(content, work / "site", config)


@pytest.fixture
def own_page(browser: object) -> Iterator[object]:
    """A desktop tab of its own, for a test that listens to or intercepts requests."""
    context = browser.new_context(**DESKTOP)  # type: ignore[attr-defined]
    try:
        yield context.new_page()
    finally:
        context.close()


def _search(page: object, site_url: str, prefix: str, words: str) -> list[str]:
    """Type ``words`` into the header's search box of a page in one language; the result links."""
    page.goto(site_url + prefix)  # type: ignore[attr-defined]
    page.locator("#kb-search-box").fill(words)  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    page.wait_for_url(re.compile(r"/search/\?q="), timeout=15_000)  # type: ignore[attr-defined]
    page.locator(".pagefind-ui__result-link").first.wait_for(timeout=15_000)  # type: ignore[attr-defined]
    links = page.locator(".pagefind-ui__result-link")  # type: ignore[attr-defined]
    return [links.nth(i).get_attribute("href") for i in range(links.count())]


def test_search_without_accent_reaches_the_bogota_page(page: object, site_url: str) -> None:
    hrefs = _search(page, site_url, "", "Bogota")
    assert any(href.endswith("/territories/bogota/") for href in hrefs), hrefs
    assert all("/es/" not in href and "/ca/" not in href for href in hrefs), hrefs
    results = page.locator(".pagefind-ui__results").inner_text()  # type: ignore[attr-defined]
    assert "Bogotá" in results and "¶" not in results  # the headings' permalink signs are not indexed
    page.locator('.pagefind-ui__result-link[href$="/territories/bogota/"]').first.click()  # type: ignore[attr-defined]
    page.wait_for_url(re.compile(r"/territories/bogota/$"), timeout=15_000)  # type: ignore[attr-defined]
    heading = page.locator("article h1").first.inner_text()  # type: ignore[attr-defined]
    assert heading.replace("¶", "").strip() == "Bogotá"


_EVERY_RESULT = """async ([words, merge]) => {
  const bundle = new URL("pagefind/en/", location.href);
  const pagefind = await import(new URL("pagefind.js", bundle).href);
  if (!merge) return (await pagefind.search(words)).results.length;
  const parts = await (await fetch(new URL("kb-parts.json", bundle))).json();
  for (const part of parts.merge) await pagefind.mergeIndex(new URL(part, bundle).href);
  const found = await pagefind.search(words);
  return Promise.all(found.results.map(async (result) => (await result.data()).url));
}"""
"""Every result's address in every part, through Pagefind's own API (its interface shows five); or,
with ``merge`` false, how many results the first part alone gives. Run on the home page, where no
search interface shares the module."""


def _results_shown(page: object, url: str) -> int:
    """How many results the search page at ``url`` says it found."""
    page.goto(url, wait_until="networkidle")  # type: ignore[attr-defined]
    message = page.locator(".pagefind-ui__message")  # type: ignore[attr-defined]
    message.wait_for(timeout=15_000)
    page.wait_for_function("document.querySelector('.pagefind-ui__message').textContent.match(/[0-9]/)")  # type: ignore[attr-defined]
    return int(re.search(r"\d+", message.inner_text()).group())  # type: ignore[union-attr]


def test_the_search_page_merges_every_part_of_the_index(page: object, site_url: str) -> None:
    # "cluster" is on pages of every part: the interface counts what all parts find, not the first's.
    shown = _results_shown(page, site_url + "search/?q=cluster")
    page.goto(site_url)  # type: ignore[attr-defined]
    every = len(page.evaluate(_EVERY_RESULT, ["cluster", True]))  # type: ignore[attr-defined]
    page.reload()  # type: ignore[attr-defined]
    assert shown == every > page.evaluate(_EVERY_RESULT, ["cluster", False])  # type: ignore[attr-defined]


def test_without_the_list_of_parts_the_search_page_still_searches_the_first(own_page: object, site_url: str) -> None:
    # A bundle written before parts existed has no kb-parts.json: the page searches that bundle alone.
    page = own_page
    page.route("**/kb-parts.json", lambda route: route.fulfill(status=404))  # type: ignore[attr-defined]
    shown = _results_shown(page, site_url + "search/?q=cluster")
    page.goto(site_url)  # type: ignore[attr-defined]
    assert shown == page.evaluate(_EVERY_RESULT, ["cluster", False]) > 0  # type: ignore[attr-defined]


def test_search_for_a_cluster_does_not_return_the_clusters_it_is_a_lead_of(page: object, site_url: str) -> None:
    # The wine cluster's page lists the coffee cluster among its leads; leads are not indexed.
    page.goto(site_url)  # type: ignore[attr-defined]
    hrefs = page.evaluate(_EVERY_RESULT, ["Coffee", True])  # type: ignore[attr-defined]
    assert any(href.endswith("/clusters/example-coffee-cluster/") for href in hrefs), hrefs
    assert not any(href.endswith("/clusters/example-wine-cluster/") for href in hrefs), hrefs
    # Nor is the sentence that opens the leads on every cluster page ("... most in common with ...").
    page.reload()  # type: ignore[attr-defined]
    hrefs = page.evaluate(_EVERY_RESULT, ["common", True])  # type: ignore[attr-defined]
    assert not any("/clusters/" in href for href in hrefs), hrefs


@pytest.mark.parametrize(("prefix", "words"), [("es/", "clústeres"), ("ca/", "clústers")])
def test_search_in_spanish_and_catalan_stems_and_stays_in_the_language(
    page: object, site_url: str, prefix: str, words: str
) -> None:
    hrefs = _search(page, site_url, prefix, words)
    assert hrefs and all(f"/{prefix}" in href for href in hrefs), hrefs


PAGE_KINDS = [
    "",
    "editions/",
    "editions/colombia-2018/",
    "clusters/",
    "clusters/example-wine-cluster/",
    "decalogue/",
    "decalogue/shared-vision/",
    "decalogue/principle-2/",
    "territories/",
    "territories/colombia/",
    "sectors/",
    "sectors/agri-food/",
    "search/",
    "about/",
    "es/",
    "ca/",
    "es/clusters/example-wine-cluster/",
    "ca/territories/colombia/",
    "no-such-page/",
]


@pytest.mark.parametrize("path", PAGE_KINDS)
def test_no_serious_accessibility_violation(page: object, site_url: str, path: str) -> None:
    page.goto(site_url + path)  # type: ignore[attr-defined]
    assert serious_violations(page) == []


@pytest.mark.parametrize("path", ["clusters/example-wine-cluster/", "editions/colombia-2018/", "territories/colombia/"])
def test_record_pages_fit_a_phone(phone_page: object, site_url: str, path: str) -> None:
    page = phone_page
    page.goto(site_url + path)  # type: ignore[attr-defined]
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")  # type: ignore[attr-defined]
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at phone width"
    assert page.locator("h1").first.is_visible()  # type: ignore[attr-defined]


MAP_TITLES = [("", "Map of the territories"), ("es/", "Mapa de los territorios"), ("ca/", "Mapa dels territoris")]


@pytest.mark.parametrize(("prefix", "title"), MAP_TITLES)
def test_the_map_draws_a_marker_per_mapped_territory_and_a_marker_leads_to_its_page(
    page: object, site_url: str, prefix: str, title: str
) -> None:
    page.goto(site_url + prefix + "territories/")  # type: ignore[attr-defined]
    svg = page.locator("figure.kb-map svg")  # type: ignore[attr-defined]
    assert svg.is_visible()
    box = svg.bounding_box()
    assert box["width"] > 300 and box["height"] > 200, box
    assert page.locator("#" + svg.get_attribute("aria-labelledby")).text_content() == title  # type: ignore[attr-defined]
    markers = svg.locator(".ckb-territories a")
    assert markers.count() == len(MAPPED)
    for index in range(markers.count()):
        circle = markers.nth(index).locator("circle").bounding_box()
        assert circle["width"] > 0 and box["x"] <= circle["x"] and circle["x"] + circle["width"] <= box["x"] + box["width"]
    svg.locator('a[href$="territories/bogota/"] circle').click()
    page.wait_for_url(re.compile(re.escape(prefix) + r"territories/bogota/$"), timeout=15_000)  # type: ignore[attr-defined]
    assert page.locator("article h1").first.inner_text().replace("¶", "").strip() == "Bogotá"  # type: ignore[attr-defined]


def test_pages_request_nothing_from_another_host(own_page: object, site_url: str) -> None:
    """No font, script, image or API call leaves the site: it tracks nobody and works offline.

    (mkdocs-material asks for ``sitemap.xml`` next to each hreflang link, which 404s on the same
    host; harmless, and it is the theme's own behaviour.)
    """
    page = own_page
    context = page.context  # type: ignore[attr-defined]
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))  # every tab's requests
    # Each page in a tab of its own, all loading at once, each until its network has been idle for
    # half a second (what "networkidle" means), so that late requests are seen too.
    paths = ("", "clusters/", "clusters/example-wine-cluster/", "territories/", "editions/colombia-2018/",
             "es/sectors/agri-food/")
    tabs = [page, *(context.new_page() for _ in paths[1:])]
    for tab, path in zip(tabs, paths, strict=True):
        tab.goto(site_url + path, wait_until="commit")
    for tab in tabs:
        tab.wait_for_load_state("networkidle")
    assert all(tab.url.startswith(site_url) and tab.title() for tab in tabs)
    _search(page, site_url, "", "Bogota")
    assert len(requested) > 10
    elsewhere = sorted({url for url in requested if not url.startswith(site_url) and not url.startswith("data:")})
    assert elsewhere == []
