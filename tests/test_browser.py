"""The built site in a real headless Chromium (Debian's `chromium`; never a downloaded browser).

A cluster manager searches for "Bogota" without the accent and reaches the Bogotá page; axe-core
finds no serious or critical WCAG 2 AA violation on any page kind; record pages fit a phone.

Without a local Chromium these tests are skipped with a message saying how to install it; CI sets
CLUSTER_KB_REQUIRE_BROWSER=1 (see .ci/run), which turns the skip into a failure.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_KB = ROOT / "tests" / "fixtures" / "kb"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

pytestmark = pytest.mark.browser


def _chromium() -> str:
    found = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    message = "no Chromium found: install Debian's package with `apt-get install chromium` (or set CHROMIUM=/path)"
    if os.environ.get("CLUSTER_KB_REQUIRE_BROWSER"):
        pytest.fail(message)
    pytest.skip(message)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The fixture knowledge base built by the real command and served on loopback."""
    site = tmp_path_factory.mktemp("browser") / "site"
    result = subprocess.run(
        [sys.executable, "-m", "cluster_kb", "build", "--content", str(FIXTURE_KB), "--site-dir", str(site)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def _search(page: object, site_url: str, prefix: str, words: str) -> list[str]:
    """Type ``words`` into the header's search box of a page in one language; the result links."""
    page.goto(site_url + prefix, wait_until="networkidle")  # type: ignore[attr-defined]
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
    page.locator('.pagefind-ui__result-link[href$="/territories/bogota/"]').first.click()  # type: ignore[attr-defined]
    page.wait_for_url(re.compile(r"/territories/bogota/$"), timeout=15_000)  # type: ignore[attr-defined]
    heading = page.locator("article h1").first.inner_text()  # type: ignore[attr-defined]
    assert heading.replace("¶", "").strip() == "Bogotá"


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
    from axe_playwright_python.sync_playwright import Axe

    page.goto(site_url + path)  # type: ignore[attr-defined]
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


@pytest.mark.parametrize("path", ["clusters/example-wine-cluster/", "editions/colombia-2018/", "territories/colombia/"])
def test_record_pages_fit_a_phone(browser: object, site_url: str, path: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        page.goto(site_url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at phone width"
        assert page.locator("h1").first.is_visible()
    finally:
        context.close()
