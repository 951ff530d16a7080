"""End to end: real builds of the fixture knowledge base by ``cluster-kb build`` and ``mkdocs build``."""

from __future__ import annotations

import filecmp
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from cluster_kb.commands import build as build_command
from cluster_kb.site.urls import in_language
from helpers import FIXTURE_KB, ROOT, article, broken_links, cluster_kb_build, copy_kb, mkdocs_build, write_config

pytestmark = pytest.mark.slow

URLS = [
    "",
    "editions/",
    "editions/colombia-2018/",
    "editions/norway-2013/",
    "clusters/",
    "clusters/example-wine-cluster/",
    "clusters/example-coffee-cluster/",
    "decalogue/",
    "decalogue/shared-vision/",
    "decalogue/principle-2/",
    "territories/",
    "territories/colombia/",
    "territories/bogota/",
    "sectors/",
    "sectors/agri-food/",
    "search/",
    "about/",
    "contribute/",
]
LANGUAGES = ("", "es/", "ca/")


@pytest.mark.parametrize("prefix", LANGUAGES)
@pytest.mark.parametrize("url", URLS)
def test_pages_exist_at_their_urls_in_every_language(built_site: Path, url: str, prefix: str) -> None:
    assert (built_site / prefix / url / "index.html").is_file()


def test_every_internal_link_resolves(built_site: Path) -> None:
    assert broken_links(built_site) == []


def test_navigation_lists_sections_not_records(built_site: Path) -> None:
    html = (built_site / "clusters" / "example-wine-cluster" / "index.html").read_text(encoding="utf-8")
    nav = html[html.index('<nav class="md-nav md-nav--primary') :]
    nav = nav[: nav.index("</nav>")]
    assert "Example Coffee Cluster" not in nav and "Bogotá" not in nav
    for section in ("Editions", "Clusters", "Decalogue", "Territories", "Sectors", "About", "Contribute"):
        assert section in nav


def test_each_language_has_its_own_navigation(built_site: Path) -> None:
    html = (built_site / "es" / "clusters" / "example-wine-cluster" / "index.html").read_text(encoding="utf-8")
    tabs = html[html.index('<nav class="md-tabs"') :]
    tabs = tabs[: tabs.index("</nav>")]
    hrefs = re.findall(r'href="([^"]+)"', tabs)
    # From es/clusters/x/, every tab leads to a page of the Spanish site.
    assert hrefs and all(not href.startswith("../../../") for href in hrefs), hrefs


def test_no_page_shows_none_or_null(built_site: Path) -> None:
    for path in built_site.rglob("index.html"):
        text = re.sub(r"<[^>]+>", " ", article(path.read_text(encoding="utf-8")))
        assert not re.search(r"\b(None|null)\b", text), path


def test_search_indexes_every_language_apart(built_site: Path) -> None:
    counts = {}
    for lang in ("en", "es", "ca"):
        entry = json.loads((built_site / "pagefind" / lang / "pagefind-entry.json").read_text(encoding="utf-8"))
        assert list(entry["languages"]) == [lang]  # a bundle per language, holding only its pages
        counts[lang] = entry["languages"][lang]["page_count"]
        search_page = (built_site / in_language("search/", lang) / "index.html").read_text(encoding="utf-8")
        assert f'data-bundle="{"../" * (lang != "en")}../pagefind/{lang}/"' in search_page
        parts = json.loads((built_site / "pagefind" / lang / "kb-parts.json").read_text(encoding="utf-8"))
        assert parts == {"merge": []}  # a small site's language is one part
    assert len(set(counts.values())) == 1 and counts["en"] > 0, counts  # the same pages in each language
    assert not list(built_site.glob("pagefind/*.js"))  # no bundle of every language at once


def test_listing_pages_are_not_indexed_and_record_pages_are(built_site: Path) -> None:
    cluster = (built_site / "clusters" / "example-coffee-cluster" / "index.html").read_text(encoding="utf-8")
    listing = (built_site / "clusters" / "index.html").read_text(encoding="utf-8")
    about = (built_site / "about" / "index.html").read_text(encoding="utf-8")
    assert "data-pagefind-body" in cluster and "data-pagefind-body" in about
    assert "data-pagefind-body" not in listing


def test_page_titles_are_records_names(built_site: Path) -> None:
    html = (built_site / "territories" / "bogota" / "index.html").read_text(encoding="utf-8")
    assert "<title>Bogotá - Cluster best practices</title>" in html


def test_404_page_leads_to_search(built_site: Path) -> None:
    html = (built_site / "404.html").read_text(encoding="utf-8")
    assert "search/" in html and "Page not found" in html and 'lang="es"' in html and 'lang="ca"' in html


def test_a_plain_mkdocs_build_is_strict_clean_and_rebuilds_the_same_site_byte_for_byte(built_site: Path, tmp_path: Path) -> None:
    """``mkdocs build --strict``, in a process of its own, gives the site ``cluster-kb build`` gave.

    Two builds by two commands in two processes (each with its own hash seed): byte-identical
    rebuilds, whichever command a maintainer or the CI runs. Only the build guard's marker differs.
    """
    again = tmp_path / "site"
    result = mkdocs_build(FIXTURE_KB, again)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    marker = built_site / build_command.MARKER
    files = sorted(str(p.relative_to(built_site)) for p in built_site.rglob("*") if p.is_file() and p != marker)
    assert files and files == sorted(str(p.relative_to(again)) for p in again.rglob("*") if p.is_file())
    _, mismatch, errors = filecmp.cmpfiles(built_site, again, files, shallow=False)
    assert mismatch == [] and errors == [], filecmp.dircmp(built_site, again).diff_files


HOSTILE_NAME = "Evil <script>alert(1)</script> </title><img src=x onerror=alert(2)>"
HOSTILE_SUMMARY = "Hi <script>alert(3)</script> [click](javascript:alert(4)) <img src=x onerror=alert(5)>"
HOSTILE_MARKDOWN = ":smile: ++ctrl+alt+del++ www.example.org https://example.org/x"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Hostile record text, built with the Markdown extensions that would do most with it enabled.

    The wine cluster carries HTML and script; the coffee cluster carries what pymdownx's
    magiclink, emoji and keys would turn into a link, a CDN image or <kbd> markup.
    """
    root = tmp_path_factory.mktemp("hostile")
    kb = copy_kb(root)
    path = kb / "clusters" / "example-wine-cluster.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("name: Example Wine Cluster", f"name: {json.dumps(HOSTILE_NAME)}")
    text = text.replace("summary: A synthetic wine cluster.", f"summary: {json.dumps(HOSTILE_SUMMARY)}")
    text = text.replace("title: Joint strategy sessions", "title: '<b onmouseover=alert(6)>Joint</b>'")
    path.write_text(text, encoding="utf-8")
    path = kb / "clusters" / "example-coffee-cluster.yaml"
    text = path.read_text(encoding="utf-8").replace("name: Example Coffee Cluster", f"name: {json.dumps(HOSTILE_MARKDOWN)}")
    path.write_text(f"{text}summary: {json.dumps(HOSTILE_MARKDOWN)}\n", encoding="utf-8")
    extensions = "markdown_extensions:\n  - pymdownx.magiclink\n  - pymdownx.keys\n  - pymdownx.emoji\n"
    config = write_config(root, ("markdown_extensions:\n", extensions))  # fails if the list is not found
    site = root / "site"
    result = cluster_kb_build(kb, site, "--config-file", str(config))
    assert result.returncode == 0, result.stdout + result.stderr
    return site


class _Markup(HTMLParser):
    """Every element and attribute of a page, and the text inside <script> and <title>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.open: list[str] = []
        self.titles = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open.append(tag)
        self.titles += tag == "title" and "svg" not in self.open  # an SVG's <title> names the picture
        if tag == "img" and dict(attrs).get("src") == "x":
            self.problems.append("an <img> from record text")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in ("href", "src") and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value}>")

    def handle_endtag(self, tag: str) -> None:
        if self.open and self.open[-1] == tag:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        if self.open and self.open[-1] == "script" and "alert(" in data:
            self.problems.append("a <script> from record text")


def test_hostile_record_text_never_reaches_a_page_as_markup(hostile_site: Path) -> None:
    for path in hostile_site.rglob("*.html"):
        parser = _Markup()
        parser.feed(path.read_text(encoding="utf-8"))
        assert parser.problems == [], path
        assert parser.titles <= 1, path
    page = (hostile_site / "clusters" / "example-wine-cluster" / "index.html").read_text(encoding="utf-8")
    title = page[page.index("<title>") : page.index("</title>")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in title
    assert "&lt;/title&gt;&lt;img src=x onerror=alert(2)&gt;" in title
    assert "<h1>Evil &lt;script&gt;alert(1)&lt;/script&gt;" in article(page)  # the h1 shows the name as text
    # Raw HTML in record Markdown is dropped by the sanitiser; the javascript: link loses its href.
    assert '<p>Hi  <a rel="noopener noreferrer nofollow">click</a> </p>' in page


def test_record_text_is_safe_whatever_mkdocs_yml_enables(hostile_site: Path) -> None:
    """pymdownx's magiclink, emoji and keys would make a name a link, a CDN image or <kbd> markup."""
    body = article((hostile_site / "clusters" / "example-coffee-cluster" / "index.html").read_text(encoding="utf-8"))
    assert "<kbd" not in body and "<img" not in body and 'class="twemoji"' not in body
    assert f"<h1>{HOSTILE_MARKDOWN}</h1>" in body
    assert f"<p>{HOSTILE_MARKDOWN}</p>" in body
    assert 'href="https://example.org/x"' not in body  # no magic link


def test_invalid_content_fails_with_located_errors_and_leaves_the_site_alone(tmp_path: Path) -> None:
    kb = copy_kb(tmp_path)
    (kb / "clusters" / "broken.yaml").write_text("name: Broken\nterritory: atlantis\nsources:\n  - title: S\n", encoding="utf-8")
    (kb / "territories" / "norway.yaml").write_text("name: Norway\nkind: kingdom\nsources: []\n", encoding="utf-8")
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("the published site", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())

    result = cluster_kb_build(kb, site)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any(re.match(r".*broken\.yaml:2:12: error: unknown territory 'atlantis'", line) for line in lines), result.stdout
    assert any(re.match(r".*norway\.yaml:2:7: error: .*kingdom", line) for line in lines), result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert (site / "index.html").read_text(encoding="utf-8") == "the published site"
    assert sorted(p.name for p in site.iterdir()) == ["index.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no staging folder left behind

    result = mkdocs_build(kb, site)
    assert result.returncode == 1
    assert "atlantis" in result.stderr and "Traceback" not in result.stderr
    assert (site / "index.html").read_text(encoding="utf-8") == "the published site"


def test_a_build_that_fails_late_leaves_the_site_alone(built_site: Path, tmp_path: Path) -> None:
    """Valid content, but a hand-written page links nowhere: strict MkDocs fails after writing pages."""
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs)
    (docs / "broken.md").write_text("# Broken\n\n[nowhere](missing.md)\n", encoding="utf-8")
    config = write_config(tmp_path, docs=docs)
    site = tmp_path / "site"
    shutil.copytree(built_site, site)  # a previous build of the same content, its marker included
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    entries = sorted(p.name for p in tmp_path.iterdir())

    result = cluster_kb_build(FIXTURE_KB, site, "--config-file", str(config))
    assert result.returncode == 1
    assert "missing.md" in result.stderr and "Traceback" not in result.stderr
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == entries  # the staging folder is gone


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    result = cluster_kb_build(tmp_path / "missing", tmp_path / "site")
    assert result.returncode == 2
    assert "content folder" in result.stderr and not (tmp_path / "site").exists()
