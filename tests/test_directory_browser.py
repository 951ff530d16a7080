"""The cluster directory in a real headless Chromium (Debian's `chromium`; never a downloaded browser).

A static harness in a temporary folder stands in for the /clusters/ page: the `_directory.html` macro
rendered with jinja2, a server-rendered list of every cluster (what a page without JavaScript shows),
`directory.css`, `directory.js` and `data/directory.json` built by `directory_json` from the test
knowledge base of test_directory.py. Served on loopback, it is filtered by clicks and keys, driven
through the URL and the back button, checked against counts computed in Python from the knowledge
base, checked by axe-core at desktop and phone width, and fed hostile record names.

Without Chromium these tests are skipped; with CLUSTER_KB_REQUIRE_BROWSER set, they fail. The tabs the
tests share, and which tests open their own, are explained in tests/browsing.py.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jinja2
import pytest
from browsing import WarmTab, served
from cluster_kb.knowledge import KnowledgeBase, load_knowledge_base
from cluster_kb.outputs.directory import DIRECTORY_PATH, directory_json
from helpers import WCAG_TAGS, serious_violations
from test_directory import FACETS, HOSTILE_NAME, HOSTILE_PLACE, expected, write_test_kb

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "generator" / "cluster_kb" / "site"
EXTRA_CLUSTERS = 230
"""Plain clusters in Norway, so the unfiltered list needs "show more" twice (steps of 100)."""

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "filters": "Filter the clusters",
        "search": "Cluster name",
        "territory": "Territory",
        "sector": "Sector",
        "principle": "Decalogue element",
        "edition": "Edition",
        "clear_all": "Clear all filters",
        "results": "Matching clusters",
        "results_one": "{count} cluster",
        "results_other": "{count} clusters",
        "no_results": "No cluster matches these filters.",
        "shown": "Showing {shown} of {total}.",
        "show_more": "Show {count} more",
        "load_error": "The filters could not be loaded; every cluster is listed below.",
    },
    "es": {
        "filters": "Filtrar los clústeres",
        "search": "Nombre del clúster",
        "territory": "Territorio",
        "sector": "Sector",
        "principle": "Elemento del decálogo",
        "edition": "Edición",
        "clear_all": "Quitar todos los filtros",
        "results": "Clústeres que coinciden",
        "results_one": "{count} clúster",
        "results_other": "{count} clústeres",
        "no_results": "Ningún clúster coincide con estos filtros.",
        "shown": "Se muestran {shown} de {total}.",
        "show_more": "Mostrar {count} más",
        "load_error": "No se han podido cargar los filtros; todos los clústeres están en la lista de abajo.",
    },
    "ca": {
        "filters": "Filtra els clústers",
        "search": "Nom del clúster",
        "territory": "Territori",
        "sector": "Sector",
        "principle": "Element del decàleg",
        "edition": "Edició",
        "clear_all": "Treu tots els filtres",
        "results": "Clústers que coincideixen",
        "results_one": "{count} clúster",
        "results_other": "{count} clústers",
        "no_results": "Cap clúster no coincideix amb aquests filtres.",
        "shown": "Se'n mostren {shown} de {total}.",
        "show_more": "Mostra'n {count} més",
        "load_error": "No s'han pogut carregar els filtres; tots els clústers són a la llista de sota.",
    },
}

HARNESS = """<!doctype html>
{% from "_directory.html" import directory %}
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Clusters</title>
{% if theme %}
{% for sheet in theme %}<link rel="stylesheet" href="{{ root }}assets/material/{{ sheet }}">
{% endfor %}
{% else %}
<style>body { font-family: sans-serif; margin: 0 auto; max-width: 60rem; padding: 0 1rem; line-height: 1.4; }</style>
{% endif %}
<link rel="stylesheet" href="{{ root }}assets/cluster-kb/directory.css">
<script src="{{ root }}assets/cluster-kb/directory.js" defer></script>
</head>
<body dir="ltr" data-md-color-scheme="default" data-md-color-primary="indigo" data-md-color-accent="indigo">
<div class="md-container"><main class="md-main"><div class="md-main__inner md-grid"><div class="md-content">
<article class="md-content__inner md-typeset">
<h1>Clusters</h1>
{{ directory(labels, data_url=data_url, site_root=root, lang=lang) }}
<div id="kb-directory-static">
<h2>By territory</h2>
<ul class="kb-list">
{% for c in clusters %}<li><a href="{{ root }}{{ prefix }}clusters/{{ c.id }}/">{{ c.name }}</a></li>
{% endfor %}
</ul>
</div>
</article>
</div></div></main></div>
</body>
</html>
"""
"""The /clusters/ page in miniature: the site's theme (mkdocs-material's own style sheets, which style
every details, summary and list inside .md-typeset), or none, around the macro and the static list."""


def material_sheets() -> list[Path]:
    """mkdocs-material's main and palette style sheets, as the site links them."""
    import material

    folder = Path(material.__file__).parent / "templates" / "assets" / "stylesheets"
    sheets = sorted(folder.glob("main.*.min.css")) + sorted(folder.glob("palette.*.min.css"))
    assert len(sheets) == 2, sheets
    return sheets


def write_harness(site: Path, kb: KnowledgeBase, *, data_url: str | None = None, theme: bool = True) -> None:
    """The directory's pieces as a site: /clusters/, /es/clusters/, /ca/clusters/, assets and data."""
    assets = site / "assets" / "cluster-kb"
    assets.mkdir(parents=True)
    for name in ("directory.js", "directory.css"):
        shutil.copyfile(SITE / "assets" / name, assets / name)
    sheets = []
    if theme:
        (site / "assets" / "material").mkdir()
        for sheet in material_sheets():
            shutil.copyfile(sheet, site / "assets" / "material" / sheet.name)
            sheets.append(sheet.name)
    (site / DIRECTORY_PATH).parent.mkdir(parents=True)
    (site / DIRECTORY_PATH).write_bytes(directory_json(kb))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(SITE / "templates")), autoescape=True, undefined=jinja2.StrictUndefined
    )
    template = env.from_string(HARNESS)
    for lang in ("en", "es", "ca"):
        prefix = "" if lang == "en" else f"{lang}/"
        root = "../" * (prefix.count("/") + 1)
        clusters = [
            {"id": cid, "name": kb.clusters[cid].record.name.text(lang, kb.clusters[cid].record.language)}
            for cid in sorted(kb.clusters)
        ]
        page = site / prefix / "clusters" / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(
            template.render(
                lang=lang, labels=LABELS[lang], root=root, prefix=prefix, clusters=clusters,
                data_url=data_url or root + DIRECTORY_PATH, theme=sheets,
            ),
            encoding="utf-8",
        )


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    return load_knowledge_base(write_test_kb(tmp_path_factory.mktemp("kb") / "kb", extra_clusters=EXTRA_CLUSTERS))


@pytest.fixture(scope="module")
def site_url(kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = tmp_path_factory.mktemp("harness") / "site"
    write_harness(site, kb)
    with served(site, no_store=True) as url:
        yield url


@pytest.fixture(scope="module")
def plain_url(kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The same pages without the theme: the directory's own style sheet alone."""
    site = tmp_path_factory.mktemp("plain") / "site"
    write_harness(site, kb, theme=False)
    with served(site, no_store=True) as url:
        yield url


class Watched:
    """A page that records every dialog (alert, confirm) and every script error."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", self._error)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _error(self, error: Any) -> None:
        self.errors.append(str(error))

    def stop(self) -> None:
        """Stop watching: the tab outlives the test."""
        self.page.remove_listener("dialog", self._dialog)
        self.page.remove_listener("pageerror", self._error)


@pytest.fixture
def watched(desktop: WarmTab, request: pytest.FixtureRequest) -> Iterator[Watched]:
    """A desktop tab shared with the module's other tests (tests/browsing.py), watched afresh for each."""
    with desktop.lend(request) as page:
        watched = Watched(page)
        try:
            yield watched
        finally:
            watched.stop()
    assert watched.errors == []
    assert watched.dialogs == []


@pytest.fixture
def page(watched: Watched) -> Any:
    return watched.page


# -- reading the page ------------------------------------------------------------------------------

READ_STATE = """() => {
  const root = document.getElementById("kb-directory");
  const options = {};
  for (const box of root.querySelectorAll("input[type=checkbox]")) {
    const count = box.closest("label").querySelector(".kb-dir-count").textContent;
    (options[box.name] = options[box.name] || {})[box.value] = {
      count: parseInt(count.replace(/[^0-9]/g, ""), 10), checked: box.checked
    };
  }
  return {
    options,
    results: Array.from(root.querySelectorAll(".kb-dir-results > li > a")).map(a => a.href),
    status: root.querySelector(".kb-dir-status").textContent,
    q: root.querySelector("#kb-dir-q").value,
    more: !root.querySelector(".kb-dir-more").hidden,
  };
}"""


FOCUSED_NAME = """() => {
  const e = document.activeElement;
  const label = (e.labels && e.labels[0] && e.labels[0].textContent) || e.getAttribute("aria-label") || e.textContent || "";
  return e.tagName + ":" + label.trim();
}"""


def open_directory(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#kb-directory[data-ready='1']", state="attached", timeout=15_000)


def cluster_url(base: str, cid: str, lang: str = "en") -> str:
    return f"{base}{'' if lang == 'en' else lang + '/'}clusters/{cid}/"


def check_state(
    page: Any, kb: KnowledgeBase, base: str, selection: dict[str, set[str]], query: str = "", *, url: bool = True
) -> None:
    """The page shows exactly what the knowledge base says this selection finds, with every count.

    Retried for a moment: after the back button, the page restores its state on popstate.
    """
    for _ in range(20):
        try:
            _check_state(page, kb, base, selection, query, url)
            return
        except AssertionError:
            page.wait_for_timeout(100)
    _check_state(page, kb, base, selection, query, url)


def _check_state(page: Any, kb: KnowledgeBase, base: str, selection: dict[str, set[str]], query: str, url: bool) -> None:
    results, counts = expected(kb, selection, query)
    state = page.evaluate(READ_STATE)
    for facet in FACETS:
        shown = {option: value["count"] for option, value in state["options"][facet].items()}
        assert shown == counts[facet], facet
        ticked = {option for option, value in state["options"][facet].items() if value["checked"]}
        assert ticked == selection.get(facet, set()), facet
    assert state["q"] == query
    digits = "".join(ch for ch in state["status"] if ch.isdigit())
    assert int(digits or 0) == len(results), state["status"]
    shown_results = set(state["results"])
    assert len(state["results"]) == len(shown_results) == min(100, len(results))
    assert shown_results <= {cluster_url(base, cid) for cid in results}
    assert state["more"] == (len(results) > 100)
    if not url:
        return
    # The URL says the same, so the view can be shared and reloaded.
    params = parse_qs(urlsplit(page.url).query)
    for facet in FACETS:
        values = {v for value in params.get(facet, []) for v in value.split(",")}
        assert values == selection.get(facet, set()), (facet, page.url)
    assert params.get("q", [""])[0] == query.strip()


def box(page: Any, facet: str, value: str) -> Any:
    return page.locator(f'#kb-directory input[name="{facet}"][value="{value}"]')


# -- filters, counts, the URL and the history ------------------------------------------------------


def test_without_filters_every_cluster_is_counted_and_the_static_list_is_hidden(
    page: Any, kb: KnowledgeBase, site_url: str
) -> None:
    open_directory(page, site_url + "clusters/")
    check_state(page, kb, site_url, {})
    assert page.locator("#kb-directory").is_visible()
    assert not page.locator("#kb-directory-static").is_visible()
    assert page.locator(".kb-dir-status").inner_text() == f"{len(kb.clusters)} clusters"


def test_clicking_filters_gives_the_knowledge_base_counts(page: Any, kb: KnowledgeBase, site_url: str) -> None:
    open_directory(page, site_url + "clusters/")
    selection: dict[str, set[str]] = {}
    steps = [
        ("territory", "colombia"),
        ("sector", "textiles"),
        ("sector", "health"),  # OR within a facet
        ("principle", "shared-vision"),
        ("principle", "shared-vision"),  # unticked again
        ("territory", "norway"),
        ("edition", "norway-2013"),
        ("territory", "colombia"),
    ]
    for facet, value in steps:
        box(page, facet, value).click()
        chosen = selection.setdefault(facet, set())
        chosen.symmetric_difference_update({value})
        check_state(page, kb, site_url, selection)
    # A label is a click target too (the whole line, not just the box).
    page.locator('#kb-directory label:has(input[value="agri-food"])').click()
    selection["sector"].add("agri-food")
    check_state(page, kb, site_url, selection)


def test_a_territory_finds_its_regions_and_cities(page: Any, kb: KnowledgeBase, site_url: str) -> None:
    open_directory(page, site_url + "clusters/?territory=colombia")
    links = page.eval_on_selector_all(".kb-dir-results a", "els => els.map(a => a.href)")
    assert cluster_url(site_url, "example-coffee-cluster") in links  # Bogotá
    assert cluster_url(site_url, "medellin-fashion-cluster") in links  # Medellín, in Antioquia
    assert cluster_url(site_url, "antioquia-textile-network") in links
    # The options are a tree: Medellín inside Antioquia inside Colombia.
    nested = page.locator(
        'li:has(> label input[value="colombia"]) li:has(> label input[value="antioquia"]) input[value="medellin"]'
    )
    assert nested.count() == 1


def test_typing_a_name_ignores_case_and_accents(page: Any, kb: KnowledgeBase, site_url: str) -> None:
    open_directory(page, site_url + "clusters/")
    page.locator("#kb-dir-q").fill("bogota")
    check_state(page, kb, site_url, {}, "bogota")
    links = page.eval_on_selector_all(".kb-dir-results a", "els => els.map(a => a.textContent)")
    assert links == ["Bogotá Health Hub"]
    page.locator("#kb-dir-q").fill("MEDELLIN")
    check_state(page, kb, site_url, {}, "MEDELLIN")
    box(page, "sector", "health").click()
    check_state(page, kb, site_url, {"sector": {"health"}}, "MEDELLIN")
    page.locator("#kb-dir-q").fill("no such cluster")
    check_state(page, kb, site_url, {"sector": {"health"}}, "no such cluster")
    assert page.locator(".kb-dir-status").inner_text() == "No cluster matches these filters."


def test_a_url_query_sets_the_state_and_survives_a_reload(page: Any, kb: KnowledgeBase, site_url: str) -> None:
    selection = {"territory": {"colombia"}, "sector": {"textiles", "health"}}
    # Repeated keys and comma lists both work.
    open_directory(page, site_url + "clusters/?territory=colombia&sector=textiles,health&q=medell%C3%ADn")
    check_state(page, kb, site_url, selection, "medellín")
    page.reload()
    page.wait_for_selector("#kb-directory[data-ready='1']", state="attached")
    check_state(page, kb, site_url, selection, "medellín")
    # An id that is not (or no longer) in the knowledge base is ignored.
    open_directory(page, site_url + "clusters/?sector=textiles&sector=health&territory=no-such-place")
    check_state(page, kb, site_url, {"sector": {"textiles", "health"}}, url=False)


def test_the_back_button_steps_back_through_filter_changes(page: Any, kb: KnowledgeBase, site_url: str) -> None:
    open_directory(page, site_url + "clusters/")
    box(page, "territory", "colombia").click()
    box(page, "sector", "textiles").click()
    page.locator("#kb-dir-q").press_sequentially("med", delay=30)  # one burst of typing: one entry
    check_state(page, kb, site_url, {"territory": {"colombia"}, "sector": {"textiles"}}, "med")
    page.go_back()
    check_state(page, kb, site_url, {"territory": {"colombia"}, "sector": {"textiles"}})
    page.go_back()
    check_state(page, kb, site_url, {"territory": {"colombia"}})
    page.go_back()
    check_state(page, kb, site_url, {})
    page.go_forward()
    check_state(page, kb, site_url, {"territory": {"colombia"}})
    page.locator(".kb-dir-clear").click()
    check_state(page, kb, site_url, {})
    page.go_back()
    check_state(page, kb, site_url, {"territory": {"colombia"}})


def test_show_more_in_steps_of_100(page: Any, kb: KnowledgeBase, site_url: str) -> None:
    open_directory(page, site_url + "clusters/")
    total = len(kb.clusters)
    assert total > 200
    results = page.locator(".kb-dir-results > li")
    assert results.count() == 100
    more = page.locator(".kb-dir-more")
    assert more.inner_text() == "Show 100 more"
    assert page.locator(".kb-dir-shown").inner_text() == f"Showing 100 of {total}."
    more.click()
    assert results.count() == 200
    # Focus moves to the first new result, so a keyboard user goes on from there.
    assert page.evaluate("document.activeElement.closest('li') === document.querySelectorAll('.kb-dir-results > li')[100]")
    assert more.inner_text() == f"Show {total - 200} more"
    more.click()
    assert results.count() == total
    assert not more.is_visible()
    hrefs = page.eval_on_selector_all(".kb-dir-results a", "els => els.map(a => a.href)")
    assert sorted(hrefs) == sorted(cluster_url(site_url, cid) for cid in kb.clusters)
    # A filter change starts again from the first 100.
    box(page, "sector", "health").click()
    assert results.count() == 100


def test_keyboard_only(page: Any, kb: KnowledgeBase, site_url: str) -> None:
    open_directory(page, site_url + "clusters/")

    def tab_to(selector: str, limit: int = 400) -> list[str]:
        """Press Tab until ``selector`` has the focus; the accessible names of what was focused on the way."""
        passed = []
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"document.activeElement.matches({json.dumps(selector)})"):
                return passed
            passed.append(page.evaluate(FOCUSED_NAME))
        raise AssertionError(f"Tab never reached {selector}; passed {passed[-5:]}")

    passed = tab_to('#kb-dir-q')
    assert passed[-1].startswith("SUMMARY:Filter the clusters")
    page.keyboard.type("health")
    tab_to('input[name="territory"][value="colombia"]')
    page.keyboard.press("Space")
    check_state(page, kb, site_url, {"territory": {"colombia"}}, "health")
    tab_to('input[name="sector"][value="health"]')
    page.keyboard.press("Space")
    check_state(page, kb, site_url, {"territory": {"colombia"}, "sector": {"health"}}, "health")
    # Every control on the way has a name.
    passed = tab_to(".kb-dir-clear")
    assert all(name.split(":", 1)[1] for name in passed), passed
    page.keyboard.press("Enter")
    check_state(page, kb, site_url, {})
    # The first result is next after the button (the status is not a tab stop).
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement === document.querySelector('.kb-dir-results a')")
    # Enter on the summary folds the panel away and back.
    page.locator(".kb-dir-summary").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("!document.querySelector('.kb-dir-panel').open")
    page.keyboard.press("Enter")
    assert page.evaluate("document.querySelector('.kb-dir-panel').open")


def test_the_live_region_announces_the_number_of_results(page: Any, kb: KnowledgeBase, site_url: str) -> None:
    open_directory(page, site_url + "clusters/")
    status = page.locator("#kb-directory [role=status]")
    assert status.get_attribute("aria-live") == "polite"
    box(page, "edition", "norway-2013").click()
    results, _ = expected(kb, {"edition": {"norway-2013"}})
    assert status.inner_text() == f"{len(results)} clusters"
    page.locator("#kb-dir-q").fill("fjord")
    page.locator("#kb-dir-q").fill("barcelona")
    assert status.inner_text() == "1 cluster"


# -- accessibility, phones, hostile text, languages ------------------------------------------------


def _serious(page: Any) -> list[str]:
    return serious_violations(page, [*WCAG_TAGS, "best-practice"])


@pytest.mark.parametrize(("lang", "themed"), [("en", True), ("es", True), ("en", False)])
def test_no_serious_accessibility_violation_on_a_desktop(
    page: Any, site_url: str, plain_url: str, lang: str, themed: bool
) -> None:
    prefix = "" if lang == "en" else f"{lang}/"
    open_directory(page, (site_url if themed else plain_url) + prefix + "clusters/?sector=textiles")
    assert _serious(page) == []
    box(page, "sector", "textiles").click()
    assert _serious(page) == []


@pytest.mark.parametrize("themed", [True, False])
def test_fits_a_phone_with_no_serious_accessibility_violation(
    phone_page: Any, kb: KnowledgeBase, site_url: str, plain_url: str, themed: bool
) -> None:
    page = phone_page
    site_url = site_url if themed else plain_url
    open_directory(page, site_url + "clusters/")
    overflow = "document.documentElement.scrollWidth - window.innerWidth"
    # The facets start folded away on a phone, so the results come first.
    assert page.evaluate("!document.querySelector('.kb-dir-panel').open")
    assert page.evaluate(overflow) <= 0
    assert _serious(page) == []
    page.locator(".kb-dir-summary").tap()
    assert page.locator('input[value="colombia"]').is_visible()
    # Stacked: every facet as wide as the panel, none beside another.
    boxes = page.eval_on_selector_all(".kb-dir-facet", "els => els.map(e => e.getBoundingClientRect().left)")
    assert len(set(boxes)) == 1, boxes
    assert page.evaluate(overflow) <= 0
    page.locator('label:has(input[value="colombia"])').tap()
    check_state(page, kb, site_url, {"territory": {"colombia"}})
    assert page.evaluate(overflow) <= 0
    assert _serious(page) == []


def test_hostile_names_show_as_text(watched: Watched, site_url: str) -> None:
    page = watched.page
    open_directory(page, site_url + "clusters/?q=img")
    link = page.locator(".kb-dir-results a")
    assert link.count() == 1
    assert link.inner_text() == HOSTILE_NAME
    assert link.get_attribute("href") == "../clusters/hostile-name-cluster/"
    assert page.locator(".kb-dir-results").inner_text().startswith(HOSTILE_NAME + " (Medellín)")
    page.locator("#kb-dir-q").fill("fjord")
    assert page.locator(".kb-dir-results li").inner_text() == f"Fjord Ocean Cluster ({HOSTILE_PLACE})"
    option = page.locator('label:has(input[value="hostile-town"]) .kb-dir-name')
    assert option.inner_text() == HOSTILE_PLACE
    assert page.locator("img, svg").count() == 0
    page.wait_for_timeout(200)
    assert watched.dialogs == []


def test_a_spanish_page_shows_spanish_names(page: Any, kb: KnowledgeBase, site_url: str) -> None:
    open_directory(page, site_url + "es/clusters/?territory=antioquia")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator('label:has(input[value="textiles"]) .kb-dir-name').inner_text() == "Textil"
    assert page.locator(".kb-dir-facet[data-facet=sector] legend").inner_text() == "Sector"
    assert page.locator(".kb-dir-facet[data-facet=territory] legend").inner_text() == "Territorio"
    fashion = page.locator(".kb-dir-results li", has_text="Moda")
    # Health has no Spanish name: shown in English, marked as such.
    assert fashion.inner_text() == "Clúster de Moda de Medellín (Medellín) · Health, Textil"
    assert fashion.locator('span[lang="en"]').all_inner_texts() == ["Medellín", "Health"]
    assert fashion.locator("a").get_attribute("href") == "../../es/clusters/medellin-fashion-cluster/"
    # No lang mark on Spanish text; English text that has no Spanish keeps its own lang.
    assert fashion.locator("a span[lang]").count() == 0
    assert page.locator(".kb-dir-status").inner_text() == "3 clústeres"
    page.locator("#kb-dir-q").fill("salut")
    barcelona = page.locator(".kb-dir-results a")
    assert barcelona.count() == 0  # still within Antioquia
    page.locator(".kb-dir-clear").click()
    page.locator("#kb-dir-q").fill("salut")
    assert barcelona.inner_text() == "Clúster de Salut de Barcelona"
    assert barcelona.locator("span").get_attribute("lang") == "ca"
    # The English page shows the English name of the same cluster, the Catalan one the Catalan sector.
    open_directory(page, site_url + "clusters/?q=moda")
    assert page.locator(".kb-dir-results a").inner_text() == "Medellín Fashion Cluster"
    open_directory(page, site_url + "ca/clusters/?q=medellin")
    assert page.locator('label:has(input[value="textiles"]) .kb-dir-name').inner_text() == "Tèxtil"
    assert page.locator(".kb-dir-results a").first.get_attribute("href").startswith("../../ca/clusters/")


def test_without_javascript_the_static_list_is_the_page(browser: Any, kb: KnowledgeBase, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site_url + "clusters/")
        assert page.locator("#kb-directory-static").is_visible()
        assert not page.locator("#kb-directory").is_visible()
        assert page.locator("#kb-directory-static li").count() == len(kb.clusters)
        assert page.locator("#kb-directory-static a", has_text=HOSTILE_NAME).count() == 1
    finally:
        context.close()


def test_when_the_data_cannot_load_the_static_list_stays(browser: Any, kb: KnowledgeBase, tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_harness(site, kb, data_url="../data/missing.json")
    context = browser.new_context()
    try:
        page = context.new_page()
        with served(site, no_store=True) as url:
            page.goto(url + "clusters/")
            page.wait_for_selector("#kb-directory[data-ready='error']", state="attached")
            assert page.locator("#kb-directory-static").is_visible()
            assert page.locator(".kb-dir-status").inner_text() == LABELS["en"]["load_error"]
            assert not page.locator(".kb-dir-form").is_visible()
    finally:
        context.close()
